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
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail HOTMEM_TEST_TRUNC_FAIL=$TMP/tfail
export HOTMEM_TEST_FSYNC_HOLD=$TMP/hold
OC=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages

LD_PRELOAD=$TMP/sync_shim.so mount_fs "hotmemfs mounts (a state file, sync_shim.so)" --fresh
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
mount_fs "kill -9, restart from the state file"
is "$(cat "$OC")" 3 "the acknowledged value, not the refused one"
echo 4 >"$OC" && [ "$(cat "$OC")" = 4 ]
tap_ok $? "the next write is taken"
stop_fs
done_testing
