#!/bin/bash
# The "qemu-requested" record of a qom-set answered behind a guest's
# looping offline with a state file (tests/reliability/state-qom-set-queued.t):
# its fdatasync() failing (sync_shim.so), the qom-set is refused and its
# queued value dropped (dev.c qemu_resize_undo(), by state.c rollback(),
# which waits for change_lock: the answer comes once the offline is
# over), so the guest's driver never takes it: vm0 stays at 256M, and a
# restart does not bring the value back.  It cannot fail on demand for
# qemu_resize_undo(): with .sv.undo NULL it passed (checked), the
# timers' thread having taken the queue before rollback() got
# change_lock -- that change's undo queues the host's value again
# (machine.c device_back(), state-qom-set-taken-sync-fails.t) and the
# qom-set's own undo, after it, drops it; which of the two takes
# change_lock first when the offline ends is the scheduler's.
. "$(dirname "$0")/lib.sh"
require_env
qemu_record_sync_fails qemu-requested vm0 qs qmp_qom_set vm0 536870912
answered_within qs 30
grep -q '"error"' "$TMP/qs.out"
tap_ok $? "the qom-set is refused once its record's fdatasync() failed: $(cat "$TMP/qs.out")"
rm -f "$TMP/fail"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
is "$(vmem_requested vm0)" 268435456 "requested-size the host's 256M again"
is "$(vmem_plugged vm0)" 268435456 "vm0 still 256M plugged: the refused value never taken"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "268435456 268435456" "vm0 as acknowledged: 256M"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
