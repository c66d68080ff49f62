#!/bin/bash
# nodeN/hugepages/hugepages-2048kB/nr_hugepages is an acknowledged change:
# the node's HugeTLB pool is in the state file ("hugetlb", each node's
# count), back after kill -9 or a clean restart; a write whose save fails
# is undone (the pool back to its count, hotmemfs not frozen).  A state
# file from before it: no pool.
. "$(dirname "$0")/lib.sh"
require_sync_fail
start() { LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" "$@"; }
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
pool() { echo "$(cat "$H/nr_hugepages") $(cat "$H/free_hugepages")"; }

start --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
echo 10 >"$H/nr_hugepages"
tap_ok $? "node0 nr_hugepages <- 10"
is "$(pool)" "10 10" "... 10 huge pages, free"

kill9_fs
start
tap_ok $? "restart after kill -9"
is "$(pool)" "10 10" "... the pool is 10 again"

expect=$(snapshot)
: >"$HOTMEM_TEST_SYNC_FAIL"
echo 20 >"$H/nr_hugepages" 2>/dev/null
tap_ok $((! $?)) "nr_hugepages <- 20 is refused, its fdatasync() failing"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
is "$(pool)" "10 10" "... undone: 10 still"
same_text "$(snapshot)" "$expect" "... the machine as before"
echo 3 >"$H/nr_hugepages"
tap_ok $? "nr_hugepages <- 3 is taken (not frozen)"
is "$(pool)" "3 3" "... 3"

stop_fs
start
tap_ok $? "restart after a clean stop"
is "$(pool)" "3 3" "... 3 as before the stop"
kill9_fs
start
tap_ok $? "restart after kill -9"
is "$(pool)" "3 3" "... the same"
stop_fs

state_drop_key hugetlb
start
tap_ok $? "a state file without \"hugetlb\" loads"
is "$(pool)" "0 0" "... no pool, as booted"
done_testing
