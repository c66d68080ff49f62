#!/bin/bash
# An inode held across its node's removal keeps what was set on the node
# before the removal, and its xattrs answer: 6.18's kernfs keeps the
# removed kernfs_node's mode and kernfs_iattrs until its last kernfs_put()
# (the VFS inode holds one), and kernfs_iop_getattr(), _setattr(),
# _listxattr() and kernfs_vfs_xattr_get()/_set() ask for no active
# reference (fs/kernfs/inode.c).  hotmemfs forgot the block's and node's
# iattrs at the removal (the holder saw 0:0 444, a chmod then put the owner
# back to 0:0) and answered the xattr requests ENOENT (review11 D2, D3).
# The block that comes back is a new node: the kernel's modes, no xattrs;
# nothing of the orphan's is saved.
. "$(dirname "$0")/lib.sh"
set -u
require_env
start_node2_with_memory

out=$(HMCTL=$HMCTL CTL=$CTL PYTHONPATH=$HOTMEM_SRC/tests/fusefs python3 - "$N" "$M" "$blk" <<'EOF2'
import ctypes, os, stat, struct, sys
from hmctl_py import ctl, en

n, m, blk = sys.argv[1:4]
libc = ctypes.CDLL(None, use_errno=True)

def owner(fd):
    """statx(AT_STATX_FORCE_SYNC): hotmemfs's GETATTR, not the kernel's cached attributes"""
    buf = ctypes.create_string_buffer(256)
    if libc.statx(fd, b"", 0x1000 | 0x100 | 0x2000, 0x7ff, buf):
        return "statx: " + os.strerror(ctypes.get_errno())
    uid, gid, mode = struct.unpack_from("IIH", buf.raw, 20)
    return "%d:%d %o" % (uid, gid, stat.S_IMODE(mode))

vz = os.open(m + "/" + blk + "/valid_zones", os.O_RDONLY)
node2 = os.open(n + "/node2", os.O_RDONLY | os.O_DIRECTORY)
os.fchown(vz, 7, 7)
os.fchmod(vz, 0o600)
os.setxattr(vz, "trusted.before", b"1")
os.setxattr(vz, "security.hotmem", b"s")
os.fchown(node2, 8, 8)
os.fchmod(node2, 0o700)
os.setxattr(node2, "trusted.node", b"n")
print("before:", owner(vz))
with open(m + "/" + blk + "/state", "w") as f:
    f.write("offline")
ctl("device_del", "n1")
print("gone:", os.path.exists(m + "/" + blk), os.path.exists(n + "/node2"))
print("owner:", owner(vz))
print("node owner:", owner(node2))
print("get:", en(lambda: os.getxattr(vz, "trusted.before")))
print("node get:", en(lambda: os.getxattr(node2, "trusted.node")))
print("list:", en(lambda: " ".join(os.listxattr(vz))))
print("set:", en(lambda: os.setxattr(vz, "trusted.after", b"v")))
print("get after:", en(lambda: os.getxattr(vz, "trusted.after")))
print("create again:", en(lambda: os.setxattr(vz, "trusted.after", b"w", os.XATTR_CREATE)))
print("replace none:", en(lambda: os.setxattr(vz, "trusted.none", b"w", os.XATTR_REPLACE)))
print("remove:", en(lambda: os.removexattr(vz, "trusted.before")))
print("get removed:", en(lambda: os.getxattr(vz, "trusted.before")))
print("list after:", en(lambda: " ".join(os.listxattr(vz))))
print("fchmod:", en(lambda: os.fchmod(vz, 0o640)))
print("owner after:", owner(vz))
ctl("device_add", "pc-dimm", "id=n2", "size=128M", "node=2")
new = m + "/" + blk + "/valid_zones"
st = os.stat(new)
print("back:", "%d:%d %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
print("back list:", en(lambda: " ".join(os.listxattr(new))))
st = os.stat(n + "/node2")
print("node back:", "%d:%d %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
print("held still:", owner(vz), en(lambda: os.getxattr(vz, "trusted.after")))
EOF2
2>&1)
echo "$out" | sed "s/^/# /"
line() { echo "$out" | grep "^$1: " | sed "s|^$1: ||"; }
is "$(line before)" "7:7 600" "fchown 7:7 and fchmod 600 of $blk/valid_zones"
is "$(line gone)" "False False" "device_del of node 2's only DIMM: $blk and node2 are gone"
is "$(line owner)" "7:7 600" "the held valid_zones keeps the owner and mode set before the removal"
is "$(line "node owner")" "8:8 700" "the held node2/ too (a node's entries)"
is "$(line get)" "ok b'1'" "getxattr through the held inode: the xattr set before the removal"
is "$(line "node get")" "ok b'n'" "... and the held node2/'s"
is "$(line list)" "ok security.hotmem trusted.before" "listxattr through the held inode lists them"
is "$(line set)" "ok None" "setxattr through the held inode succeeds (kernfs_vfs_xattr_set(): no active reference)"
is "$(line "get after")" "ok b'v'" "... and reads back"
is "$(line "create again")" "EEXIST" "XATTR_CREATE of a name there: EEXIST (simple_xattr_set())"
is "$(line "replace none")" "ENODATA" "XATTR_REPLACE of a name not there: ENODATA"
is "$(line remove)" "ok None" "removexattr through the held inode succeeds"
is "$(line "get removed")" "ENODATA" "... the name is gone"
is "$(line "list after")" "ok security.hotmem trusted.after" "... listxattr says so"
is "$(line fchmod)" "ok None" "fchmod 640 through the held inode"
is "$(line "owner after")" "7:7 640" "... the owner set before the removal stays (it was put back to 0:0)"
is "$(line back)" "0:0 444" "$blk back (a new DIMM): a new valid_zones with the kernel's owner and mode"
is "$(line "back list")" "ok " "... and no xattrs"
is "$(line "node back")" "0:0 755" "node2 back: the kernel's owner and mode"
is "$(line "held still")" "7:7 640 ok b'v'" "the held old valid_zones keeps its own"
stop_fs
[ -s "$STATE" ] && ! grep -q 'trusted\.after' "$STATE"
tap_ok $? "the xattr set on the orphan is in no saved state (no change of the machine)"
done_testing
