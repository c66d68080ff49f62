#!/bin/bash
# ".." of a directory held open across its removal is its parent's inode
# number, as 6.18 lists it: kernfs_fop_readdir() -> dir_emit_dots() ->
# parent_ino() reads the unhashed dentry's d_parent, which stays memory/
# (node/, the object's directory) after kernfs_remove().  hotmemfs gave
# the directory's own number (no path left to walk; review7 #3).
. "$(dirname "$0")/lib.sh"
require_env
start_node2_with_memory

out=$(HMCTL=$HMCTL CTL=$CTL PYTHONPATH=$HOTMEM_SRC/tests/fusefs python3 - "$N" "$M" "$blk" <<'EOF2'
import ctypes, os, struct, sys
from hmctl_py import ctl

n, m, blk = sys.argv[1], sys.argv[2], sys.argv[3]
libc = ctypes.CDLL(None, use_errno=True)

def dotdot(fd):
    """d_ino of ".." as getdents64(2) gives it"""
    os.lseek(fd, 0, 0)
    buf = ctypes.create_string_buffer(65536)
    got = libc.syscall(217, fd, buf, 65536)
    raw, p = buf.raw[:got], 0
    while p < got:
        ino, _, reclen, _ = struct.unpack_from("QqHB", raw, p)
        if raw[p + 19:p + reclen].split(b"\0")[0] == b"..":
            return ino
        p += reclen
    return None

dirs = {  # held directory: its parent
    "memoryN": (m + "/" + blk, m),
    "memoryN/power": (m + "/" + blk + "/power", m + "/" + blk),
    "node2": (n + "/node2", n),
    "node2/power": (n + "/node2/power", n + "/node2"),
    "node2/hugepages": (n + "/node2/hugepages", n + "/node2"),
    "node2/hugepages/hugepages-2048kB": (n + "/node2/hugepages/hugepages-2048kB",
                                         n + "/node2/hugepages"),
}
held = {k: (os.open(d, os.O_RDONLY | os.O_DIRECTORY), os.stat(p).st_ino) for k, (d, p) in dirs.items()}
for k, (fd, parent) in held.items():
    print("before", k, "ok" if dotdot(fd) == parent else "got %s want %s" % (dotdot(fd), parent))
with open(m + "/" + blk + "/state", "w") as f:
    f.write("offline")
ctl("device_del", "n1")
print("gone", os.path.exists(n + "/node2"), os.path.exists(m + "/" + blk))
for k, (fd, parent) in held.items():
    print("after", k, "ok" if dotdot(fd) == parent else "got %s want %s" % (dotdot(fd), parent))
EOF2
2>&1)
echo "$out" | sed "s/^/# /"
line() { echo "$out" | grep "^$1 " | sed "s|^$1 ||"; }
for d in memoryN memoryN/power node2 node2/power node2/hugepages node2/hugepages/hugepages-2048kB; do
	is "$(line "before $d")" ok "held $d/: \"..\" is its parent's inode"
done
is "$(line gone)" "False False" "device_del of node 2's only DIMM: $blk and node2 are gone"
for d in memoryN memoryN/power node2 node2/power node2/hugepages node2/hugepages/hugepages-2048kB; do
	is "$(line "after $d")" ok "... $d/ held across its removal: \"..\" still its parent's inode (parent_ino())"
done
done_testing
