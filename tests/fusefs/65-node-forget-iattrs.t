#!/bin/bash
# A node's kept modes, owners and xattrs go with the node: try_offline_node()
# unregisters nodeN's kobject, and a node of that number later is a new
# directory with the kernel's 0444 files (hmfs_forget_node_attrs(),
# 0cb67cf: one chain by the node's key).  A forgotten entry belongs to an
# inode number nobody can reach any more, so only hotmemfs's count of
# entries shows it: ctx->nr_iattr, read with gdb from the running hotmemfs
# (the notifier thread's context) as tests/reliability/state-iattr-fwmap-
# forget.t does; without gdb the test is skipped.  (review10 D4: with the
# function a no-op every other test passed.)
. "$(dirname "$0")/lib.sh"
set -u
require_env
need_tool gdb gdb
printf 'profile = qemu-512m\nnodes = 3\n' >"$TMP/three.profile"
start_fs --state none --profile "$TMP/three.profile" --cmdline memhp_default_state=offline
rc=$?
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "$MNT is not a hotmemfs mount"; done_testing; exit 1; }
N=$MNT/sys/devices/system/node
nr_iattr_start
n0=$N0
tap_ok $rc "hotmemfs mounts qemu-512m with 3 nodes (-S none)"
diag "entries at start: $n0"
node2_with_memory
# its `echo online_movable >` kept the truncate's times of the block's state (iattr.c)
n1=$(nr_iattr)
chmod 600 "$N/node2/meminfo" && chown 7:7 "$N/node2/distance" && chmod 700 "$N/node2/hugepages"
tap_ok $? "chmod/chown of three of node2's files"
is "$(nr_iattr)" $((n1 + 3)) "... three entries more"
echo offline >"$MNT/sys/devices/system/memory/$blk/state" && ctl device_del n1 >/dev/null && ctl settle >/dev/null
tap_ok $? "node2's memory offline and its DIMM removed: node2 goes (try_offline_node())"
[ ! -e "$N/node2" ]
tap_ok $? "... node2/ is gone"
is "$(nr_iattr)" "$n0" "... its three entries forgotten with it (and the block's with the block)"
node2_with_memory
is "$(stat -c %a "$N/node2/meminfo")" 444 "node2 again: meminfo has the kernel's 0444"
is "$(stat -c %u:%g "$N/node2/distance")" 0:0 "... distance root's again"
stop_fs
done_testing
