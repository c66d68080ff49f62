#!/bin/bash
# A lock-free value's "param" record (tests/fusefs/310) whose write into
# the journal fails (sync_shim.so: pwrite() of PATH.journal, EIO) while a
# guest's offline loops: the writer hears EIO at once, not after the
# offline, and the value is as it was (state.c hmfs_state_set_param() sets
# it back before journal_lock is let go: no "set" or compaction read the
# value meanwhile without reading again), nr_overcommit_hugepages and an
# injected error alike.  hotmemfs is not frozen, the next write is taken,
# and a kill -9 restarts with the values acknowledged, not the refused.
# Without the value set back on the failed write (the line after
# journal_put() in hmfs_state_set_param() removed) check 10 fails
# (checked): 9 and -5 stay, acknowledged to no one.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/fail
INJ=$MNT/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
values() { echo "$(cat "$HP/nr_overcommit_hugepages") $(cat "$INJ")"; }

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so)" --fresh
in_background set w "$HP/nr_overcommit_hugepages" 3
answered_within set 30 && in_background set w "$INJ" -12 && answered_within set 30
tap_ok $? "nr_overcommit_hugepages 3 and MEM_GOING_ONLINE error -12 taken while the offline loops"
: >"$TMP/fail"
in_background oc w "$HP/nr_overcommit_hugepages" 9
answered_within oc 30 && looping
tap_ok $? "nr_overcommit_hugepages 9, its record's write failing, answers while the offline loops"
is "$(cat "$TMP/oc.out")" EIO "... EIO"
in_background inj w "$INJ" -5
answered_within inj 30 && looping
tap_ok $? "MEM_GOING_ONLINE error -5, its record's write failing, answers while the offline loops"
is "$(cat "$TMP/inj.out")" EIO "... EIO"
is "$(values)" "3 -12" "both values as they were"
rm -f "$TMP/fail"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
in_background next w "$HP/nr_overcommit_hugepages" 4
answered_within next 30 && looping
tap_ok $? "the next write is taken (4), the offline still looping"
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9, restart from the state file"
is "$(values)" "4 -12" "the acknowledged values, not the refused ones"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
