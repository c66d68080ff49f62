#!/bin/bash
# A QEMU-side record answered behind a guest's looping offline (journaled
# under journal_lock alone: dev.c vmem_queue()'s "qemu-requested", a
# device_add's "qemu-device") whose write reports EIO after copying the
# whole line, and whose cut then fails too (sync_shim.so: the journal's
# pwrite() writes then fails, its ftruncate() and the zeros' pwrite()
# fail): the command is refused, yet the record may be left in the
# journal, and the whole save that supersedes a change's such record
# needs change_lock, which the offline holds.  A "void" record is written
# over it with its seq (state.c void_kept(), the next pwrite() let
# through) and made durable before the refusal, so a kill -9 while the
# offline still loops and a restart do not replay the refused command.
# Without the fix checks 8-9 and 19-20 fail (checked: the restart took
# vm0's refused 512M and listed vm1).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail HOTMEM_TEST_TRUNC_FAIL=$TMP/tfail

# fail_next_record: the next record written whole then EIO, its cut failing, the write after let through
fail_next_record() { printf wxp >"$TMP/wfail" && : >"$TMP/tfail"; }
disk_works() { rm -f "$TMP/wfail" "$TMP/tfail"; }

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so)" --fresh
fail_next_record
in_background qs qmp_qom_set vm0 536870912
answered_within qs 30 1 && grep -q '"error"' "$TMP/qs.out" && looping
tap_ok $? "qom-set vm0 512M, its record written whole but EIO, its cut failing: refused while the offline loops ($(cat "$TMP/qs.out"))"
disk_works
is "$(vmem_requested vm0)" 268435456 "... requested-size the host's 256M still"
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 while the offline still looped, restart from the state file"
is "$(vmem_requested vm0)" 268435456 "the refused qom-set is not replayed: 256M requested"
is "$(vmem_plugged vm0)" 268435456 "... and 256M plugged"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so, again)" --fresh
fail_next_record
in_background add qmp_vmem_add vm1 1073741824 134217728
answered_within add 30 1 && grep -q '"error"' "$TMP/add.out" && looping
tap_ok $? "device_add vm1, its record written whole but EIO, its cut failing: refused while the offline loops ($(cat "$TMP/add.out"))"
disk_works
is "$(vmem_plugged vm1)" "not listed" "... vm1 not listed"
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 while the offline still looped, restart from the state file"
is "$(vmem_plugged vm1)" "not listed" "the refused device_add is not replayed: vm1 not listed"
qmp_vmem_add vm1 1073741824 134217728 | grep -q '"return"' && vmem_plugged_wait vm1 134217728
tap_ok $? "device_add vm1 now: 128M plugged"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(vmem_plugged vm1)" 134217728 "vm1 survives it: its record goes on after the void one"
stop_fs
done_testing
