#!/bin/bash
# A block's bus/memory/devices/memoryN and nodeK/memoryN links are
# kernfs_nodes of the block's incarnation: remove_memory_block() ->
# unregister_memory_block_under_nodes(), device_unregister() (6.12) take
# them with the block, and a block of that id added again has new ones.  A chown through an inode of the old link (an O_PATH fd held
# across the removal, fchownat(AT_EMPTY_PATH)) changes the old node, which
# nobody sees any more (kernfs_setattr() of a removed node); it must not
# land on the new link.  The link's inode number carried only the block's
# id (fix5's report; review7 #5a): the old fd's chown chowned the new
# link, live and after kill -9.
set -u
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
A=0x100000000
B=$MNT/sys/bus/memory/devices/memory32
ctl device_add pc-dimm id=d1 size=128M addr=$A >/dev/null
tap_ok $? "d1 at $A: memory32"
NL=$MNT/sys/devices/system/node/node0/memory32
out=$(HMCTL=$HMCTL CTL=$CTL PYTHONPATH=$HOTMEM_SRC/tests/fusefs python3 - "$B" "$NL" <<'EOF2'
import ctypes, errno, os, sys
from hmctl_py import ctl

links = {"bus": sys.argv[1], "node": sys.argv[2]}
libc = ctypes.CDLL(None, use_errno=True)
AT_EMPTY_PATH = 0x1000
held = {k: (os.open(l, os.O_PATH | os.O_NOFOLLOW), os.lstat(l).st_ino) for k, l in links.items()}
ctl("device_del", "d1")
ctl("device_add", "pc-dimm", "id=d2", "size=128M", "addr=0x100000000")
for k, (fd, old) in held.items():
    print(k, "ino", "same" if os.lstat(links[k]).st_ino == old else "other")
    r = libc.fchownat(fd, b"", 7, 7, AT_EMPTY_PATH)
    print(k, "fchownat", "ok" if r == 0 else errno.errorcode[ctypes.get_errno()])
    st = os.lstat(links[k])
    print(k, "new", "%d:%d" % (st.st_uid, st.st_gid))
EOF2
2>&1)
echo "$out" | sed "s/^/# /"
line() { echo "$out" | grep "^$1 " | sed "s|^$1 ||"; }
for k in bus node; do
	is "$(line "$k ino")" other "d2's $k link memory32 is another inode than d1's"
	is "$(line "$k new")" 0:0 "a chown through d1's $k link held open does not reach d2's"
done
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %u:%g "$B" "$NL" | xargs)" "0:0 0:0" "... d2's links still 0:0"
stop_fs

# The link of a block added again (its key no longer its id) goes with
# the block: the undo of a device_del whose save fails puts its chown back
# (the forget and the undo's snapshot find it on the block's key's chain)
if [ -f "$SHIM" ]; then
	export HOTMEM_TEST_SYNC_FAIL=$TMP/fail
	LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
	tap_ok $? "hotmemfs with the sync shim, a fresh state file"
	ctl device_add pc-dimm id=d1 size=128M addr=$A >/dev/null && ctl device_del d1 >/dev/null &&
		ctl device_add pc-dimm id=d2 size=128M addr=$A >/dev/null
	tap_ok $? "d1 added and removed, d2 at its address: memory32 again"
	chown -h 7:7 "$B" "$NL"
	tap_ok $? "chown -h 7:7 its bus and node links"
	: >"$TMP/fail"
	ctl device_del d2 >/dev/null 2>&1
	tap_ok $((! $?)) "device_del d2 whose save fails is refused (undone)"
	rm "$TMP/fail"
	is "$(stat -c %u:%g "$B" "$NL" | xargs)" "7:7 7:7" "... the block back keeps its links' owners"
	kill9_fs
	start_fs_netns "${STATE_OPTS[@]}"
	tap_ok $? "restart after kill -9"
	is "$(stat -c %u:%g "$B" "$NL" | xargs)" "7:7 7:7" "... the same"
	stop_fs
else
	diag "no $SHIM: the undo case skipped"
fi
done_testing
