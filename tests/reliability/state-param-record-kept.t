#!/bin/bash
# A lock-free value's "param" record (nr_overcommit_hugepages: state.c
# hmfs_state_set_param()) whose write reports EIO after copying the whole
# line, and whose cut then fails too (sync_shim.so: the journal's pwrite()
# writes, then fails; ftruncate() and the zeros' pwrite() fail): the
# writer hears EIO and the value is set back, but the record may be left
# in the journal (journal_put(): sv->maybe_kept).  As a change's failed
# append does (machine.c unsaved()), the file is then written whole,
# which empties the journal, so that a kill -9 and a restart do not
# replay a value its writer was told failed (reread25 R1).  The whole
# save's fsync() is held (HOTMEM_TEST_FSYNC_HOLD) until the disk works
# again.  Without the fix check 7 fails (checked: 9 back after the
# restart).
# Then the same failure with the disk still failing for the whole save's
# emptying of the journal (its ftruncate(): state.c settle_journal()
# keeps the journal, "it keeps records the file holds"), so the record
# stays.  A restore replays the records above the file's "seq"; the
# failed record took the seq after the last one counted, so the whole
# save claims it (take_snapshot()), else a kill -9 and a restart replay
# it: without that check 13 fails (checked: 9 back), and 15 checks that
# the records go on after it.
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail HOTMEM_TEST_TRUNC_FAIL=$TMP/tfail
export HOTMEM_TEST_FSYNC_HOLD=$TMP/hold
OC=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" mount_fs "hotmemfs mounts (a state file, sync_shim.so)" --fresh
echo 3 >"$OC"
tap_ok $? "nr_overcommit_hugepages 3 taken (its record journaled)"
printf w >"$TMP/wfail"
: >"$TMP/tfail"
: >"$TMP/hold"
in_background oc w "$OC" 9
# the answer, or the whole save's fsync() held (the fix): the disk works again then
for _ in $(seq 600); do
	[ -s "$TMP/oc.rc" ] || [ -e "$TMP/hold.held" ] && break
	sleep 0.05
done
rm -f "$TMP/wfail" "$TMP/tfail" "$TMP/hold"
answered_within oc 30 && [ "$(cat "$TMP/oc.out")" = EIO ]
tap_ok $? "nr_overcommit_hugepages 9, its record written whole but reported EIO, its cut failing: EIO ($(cat "$TMP/oc.out"))"
is "$(cat "$OC")" 3 "... the value as it was"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
kill9_fs
LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" mount_fs "kill -9, restart from the state file (sync_shim.so)"
is "$(cat "$OC")" 3 "the acknowledged value, not the refused one"
echo 4 >"$OC" && [ "$(cat "$OC")" = 4 ]
tap_ok $? "the next write is taken"

printf w >"$TMP/wfail"
: >"$TMP/tfail"
out=$(w "$OC" 9)
rm -f "$TMP/wfail" "$TMP/tfail"
[ "$out" = EIO ] && grep -q "journal: .*(it keeps records .* holds)" "$TMP/hotmemfs.log"
tap_ok $? "9 again, written whole but EIO, its cut and then the whole save's emptying of the journal failing: $out"
is "$(cat "$OC")" 4 "... the value as it was"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
kill9_fs
mount_fs "kill -9, restart from the state file and the journal it left"
is "$(cat "$OC")" 4 "the acknowledged value, not the refused one"
echo 5 >"$OC" && kill9_fs && mount_fs "5 taken, kill -9, restart"
is "$(cat "$OC")" 5 "5 survives it: its record goes on after the whole save's seq"
stop_fs
done_testing
