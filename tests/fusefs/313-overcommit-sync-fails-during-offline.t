#!/bin/bash
# A lock-free value's "param" record (tests/fusefs/310) written while a
# guest's offline loops, its fdatasync() failing (sync_shim.so): the
# write is refused and the value set back (state.c param_undo(), by
# rollback(), which takes change_lock: the answer comes once the offline
# is over, as a queued device_add's, tests/fusefs/276), hotmemfs not
# frozen, and a restart does not bring the value back.  The offline's own
# record, after it, is cut and undone with it (memory33 online again).
# Without param_undo() (hmfs_state_set_param()'s .sv.undo NULL) check 11
# fails (checked): 9 stays, refused to its writer.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
want_wrapping_shim sync_shim
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so)" --fresh
in_background set w "$HP/nr_overcommit_hugepages" 3
answered_within set 30
tap_ok $? "nr_overcommit_hugepages 3 taken while the offline loops"
: >"$TMP/fail"
in_background oc w "$HP/nr_overcommit_hugepages" 9
# its record written (its fdatasync() fails next), before the offline ends
says_within 20 1 sh -c 'tr "\0" "\n" <"$1" | grep -c "\"param\":{\"hugetlb-overcommit\":9}"' - "$STATE.journal"
tap_ok $? "its record is written while the offline loops"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $((! $?)) "the offline, whose record came after it, is refused too"
is "$(cat "$MNT/sys/devices/system/memory/memory33/state")" online "... and undone: memory33 online"
answered_within oc 30
tap_ok $? "nr_overcommit_hugepages 9 answered once the offline was over"
is "$(cat "$TMP/oc.out")" EIO "... EIO: its fdatasync() failed"
rm -f "$TMP/fail"
is "$(cat "$HP/nr_overcommit_hugepages")" 3 "the value set back: 3"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
w "$HP/nr_overcommit_hugepages" 4 >/dev/null
tap_ok $? "the next write is taken (4)"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(cat "$HP/nr_overcommit_hugepages")" 4 "the acknowledged value, not the refused one"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
