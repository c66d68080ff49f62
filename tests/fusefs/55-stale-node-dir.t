#!/bin/bash
# A NUMA node's directory held open across the node's going away
# (try_offline_node() -> unregister_one_node(), drivers/base/node.c, 6.12:
# its last memory removed) belongs to the node that went, never to a node
# of that number registered again (__register_one_node(): new
# kernfs_nodes): a lookup under it is ENOENT, its listing "." and "..",
# fstat() still answers with nlink 2, an attribute opened before is
# ENODEV (kernfs_get_active() fails), and the new nodeN is another inode.
# Before, a node's inode numbers were its nid's: the held directory
# listed the new node, readlinked its memoryM, wrote its compact.
. "$(dirname "$0")/lib.sh"
require_env
start_node2_with_memory
ino_n0=$(stat -c %i "$N/node0" "$N/node0/meminfo" "$N/node0/power/control")

out=$(HMCTL=$HMCTL CTL=$CTL PYTHONPATH=$HOTMEM_SRC/tests/fusefs python3 - "$N" "$M" "$blk" <<'EOF2'
import os, stat, sys

n, m, blk = sys.argv[1], sys.argv[2], sys.argv[3]
from hmctl_py import ctl, en

d = os.open(n + "/node2", os.O_RDONLY | os.O_DIRECTORY)
p = os.open(n + "/node2/power", os.O_RDONLY | os.O_DIRECTORY)
h = os.open(n + "/node2/hugepages", os.O_RDONLY | os.O_DIRECTORY)
c = os.open(n + "/node2/compact", os.O_WRONLY)
r = os.open(n + "/node2/meminfo", os.O_RDONLY)
old = os.fstat(d).st_ino
os.stat("meminfo", dir_fd=d)          # the children's entries cached
os.listdir(d)
with open(m + "/" + blk + "/state", "w") as f:
    f.write("offline")
ctl("device_del", "n1")
print("gone: exists", os.path.exists(n + "/node2"))
print("gone: openat meminfo", en(lambda: os.open("meminfo", os.O_RDONLY, dir_fd=d)))
ctl("device_add", "pc-dimm", "id=n2", "size=128M", "node=2")
print("back: exists", os.path.exists(n + "/node2"))
print("back: openat meminfo", en(lambda: os.open("meminfo", os.O_RDONLY, dir_fd=d)))
print("back: stat blk", en(lambda: os.stat(blk, dir_fd=d, follow_symlinks=False).st_ino))
print("back: readlink blk", en(lambda: os.readlink(blk, dir_fd=d)))
print("back: openat power control", en(lambda: os.open("control", os.O_RDONLY, dir_fd=p)))
print("back: listdir", en(lambda: sorted(os.listdir(d))))
print("back: ls-power", en(lambda: sorted(os.listdir(p))))
print("back: ls-hugepages", en(lambda: sorted(os.listdir(h))))
print("back: write compact", en(lambda: os.write(c, b"1")))
print("back: read meminfo", en(lambda: len(os.pread(r, 4096, 0))))
st = os.fstat(d)
print("back: fstat", "dir" if stat.S_ISDIR(st.st_mode) else "not-dir", oct(st.st_mode & 0o7777),
      "nlink", st.st_nlink, "same-ino" if st.st_ino == old else "other-ino")
new = os.stat(n + "/node2")
print("new: ino", "same" if new.st_ino == old else "other")
print("new: has meminfo", "meminfo" in os.listdir(n + "/node2"))
print("new: bus link", os.readlink(n + "/../../../bus/node/devices/node2"))
EOF2
2>&1)
echo "$out" | sed "s/^/# /"
line() { echo "$out" | grep "^$1" | sed "s/^$1 //"; }
is "$(line 'gone: exists')" False "device_del of node 2's only DIMM: node2 is gone"
is "$(line 'gone: openat meminfo')" ENOENT "openat(old node2, meminfo) after the node went: ENOENT"
is "$(line 'back: exists')" True "another DIMM on node 2 brings node2 back"
is "$(line 'back: openat meminfo')" ENOENT "... openat(old node2, meminfo): ENOENT, not the new node's"
is "$(line 'back: stat blk')" ENOENT "fstatat(old node2, $blk): ENOENT"
is "$(line 'back: readlink blk')" ENOENT "readlinkat(old node2, $blk): ENOENT"
is "$(line 'back: openat power control')" ENOENT "openat(old power/, control): ENOENT"
is "$(line 'back: listdir')" "ok []" "the old node2 lists nothing but . and .."
is "$(line 'back: ls-power')" "ok []" "the old power/ too"
is "$(line 'back: ls-hugepages')" "ok []" "the old hugepages/ too"
is "$(line 'back: write compact')" ENODEV "a write to the old node2/compact opened before: ENODEV"
is "$(line 'back: read meminfo')" ENODEV "a read of the old node2/meminfo opened before: ENODEV"
is "$(line 'back: fstat')" "dir 0o755 nlink 2 same-ino" "fstat of the old node2: still it, nlink 2"
is "$(line 'new: ino')" other "the new node2 is another inode"
is "$(line 'new: has meminfo')" True "the new node2 lists its files"
is "$(line 'new: bus link')" ../../../devices/system/node/node2 "bus/node/devices/node2 links the new node"
is "$(stat -c %i "$N/node0" "$N/node0/meminfo" "$N/node0/power/control")" "$ino_n0" \
	"node0's inode numbers did not move"

# What the state file keeps of a node goes by path: the present node's,
# through a restart.
chmod 600 "$N/node2/meminfo" && chown -h 7:7 "$N/node2/$(basename "$(ls -d "$N"/node2/memory* | head -1)")"
tap_ok $? "chmod 600 the new node2/meminfo, chown -h its memory link"
stop_fs
start_fs --profile "$TMP/three.profile" --cmdline memhp_default_state=offline
tap_ok $? "hotmemfs restarts from its state file"
is "$(stat -c %a "$N/node2/meminfo" 2>&1)" 600 "node2/meminfo is 600 after the restart"
is "$(stat -c %u:%g "$(ls -d "$N"/node2/memory* | head -1)" 2>&1)" 7:7 "its memory link 7:7"
done_testing
