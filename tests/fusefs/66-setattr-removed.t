#!/bin/bash
# chown and chmod through an inode held across its node's removal succeed,
# as 6.18's kernfs_iop_setattr() does on the removed kernfs_node (it asks
# for no active reference, fs/kernfs/inode.c): the holder sees the new
# owner and mode, and the block of that number that comes back is a new
# node with the kernel's.  hotmemfs answered ENOENT (the last session's
# note; fchownat(AT_EMPTY_PATH) on a held directory, an open file, an
# O_PATH link).
. "$(dirname "$0")/lib.sh"
require_env
need_tool setpriv util-linux
start_node2_with_memory

out=$(HMCTL=$HMCTL CTL=$CTL PYTHONPATH=$HOTMEM_SRC/tests/fusefs python3 - "$N" "$M" "$blk" \
	"$MNT/sys/bus/memory/devices/$blk" <<'EOF2'
import ctypes, os, stat, struct, subprocess, sys
from hmctl_py import ctl, en

n, m, blk, buslink = sys.argv[1:5]
libc = ctypes.CDLL(None, use_errno=True)
AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW = 0x1000, 0x100

def fchownat_empty(fd, uid, gid):
    """fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)"""
    if libc.fchownat(fd, b"", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW):
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return 0

def owner(fd):
    """statx(AT_STATX_FORCE_SYNC): hotmemfs's GETATTR, not the kernel's cached attributes"""
    buf = ctypes.create_string_buffer(256)
    if libc.statx(fd, b"", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | 0x2000, 0x7ff, buf):
        return "statx: " + os.strerror(ctypes.get_errno())
    uid, gid, mode = struct.unpack_from("IIH", buf.raw, 20)
    return "%d:%d %o" % (uid, gid, stat.S_IMODE(mode))

held = {
    "memoryN/": os.open(m + "/" + blk, os.O_RDONLY | os.O_DIRECTORY),
    "memoryN/power/": os.open(m + "/" + blk + "/power", os.O_RDONLY | os.O_DIRECTORY),
    "memoryN/valid_zones": os.open(m + "/" + blk + "/valid_zones", os.O_RDONLY),
    "node2/": os.open(n + "/node2", os.O_RDONLY | os.O_DIRECTORY),
    "bus link": os.open(buslink, os.O_PATH | os.O_NOFOLLOW),
}
with open(m + "/" + blk + "/state", "w") as f:
    f.write("offline")
ctl("device_del", "n1")
print("gone", os.path.exists(n + "/node2"), os.path.exists(m + "/" + blk))
for k, fd in held.items():
    print("chown", k, en(lambda: fchownat_empty(fd, 7, 7)))
    print("owner", k, owner(fd))
for k in ("memoryN/", "memoryN/valid_zones", "node2/"):
    print("chmod", k, en(lambda: os.fchmod(held[k], 0o700)))
    print("mode", k, owner(held[k]))
# the kernel's own check (setattr_prepare()) still stands for others
r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                    "python3", "-c", "import os, sys; os.fchown(int(sys.argv[1]), 65534, 65534)",
                    str(held["memoryN/"])], pass_fds=[held["memoryN/"]], capture_output=True, text=True)
print("nobody", "EPERM" if "PermissionError" in r.stderr else "rc %d %s" % (r.returncode, r.stderr.strip()))
ctl("device_add", "pc-dimm", "id=n2", "size=128M", "node=2")
st = os.stat(m + "/" + blk)
print("back", "%d:%d %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
st = os.stat(n + "/node2")
print("node back", "%d:%d %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
print("held still", owner(held["memoryN/"]))
EOF2
2>&1)
echo "$out" | sed "s/^/# /"
line() { echo "$out" | grep "^$1 " | sed "s|^$1 ||"; }
is "$(line gone)" "False False" "device_del of node 2's only DIMM: $blk and node2 are gone"
for d in memoryN/ memoryN/power/ memoryN/valid_zones node2/ "bus link"; do
	is "$(line "chown $d")" "ok 0" "fchownat(AT_EMPTY_PATH) through $d held across its removal succeeds (kernfs_iop_setattr())"
done
is "$(line "owner memoryN/")" "7:7 755" "... the held memoryN/ shows its new owner"
is "$(line "owner memoryN/valid_zones")" "7:7 444" "... the held valid_zones too"
is "$(line "owner node2/")" "7:7 755" "... and node2/"
for d in memoryN/ memoryN/valid_zones node2/; do
	is "$(line "chmod $d")" "ok None" "fchmod through $d held across its removal succeeds"
	is "$(line "mode $d")" "7:7 700" "... its new mode shows"
done
is "$(line nobody)" EPERM "an unprivileged caller may not chown the removed node (setattr_prepare())"
is "$(line back)" "0:0 755" "$blk back (a new DIMM): a new node with the kernel's owner and mode"
is "$(line "node back")" "0:0 755" "node2 back: the kernel's owner and mode"
is "$(line "held still")" "7:7 700" "the held old memoryN/ keeps what was set on it"
done_testing
