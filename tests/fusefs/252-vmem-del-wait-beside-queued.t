#!/bin/bash
# reread22 R6 (sev 2): a virtio-mem device_del queued behind a guest's
# looping offline (QMP, answered {}) and hotmem's own `hotmemctl
# device_del` (wait) of the same device both waited for change_lock; when
# the offline ended and the timers' thread's queued removal ran first, the
# waiting command found no device and answered "Device 'vm1' not found"
# (exit 1) for a device it had asked to remove and that was gone.  The
# waiting command now takes the queued removal over (dev.c
# hmfs_dev_del_take_over()): it answers "removed", DEVICE_DELETED comes
# once.  Which one took change_lock first was the mutex's choice; the
# timers' thread, waiting since the QMP device_del, usually: without the
# take-over checks 7-8 failed in 5 runs of 5.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
del() { qmp_del vm1; }

start_fs --fresh
tap_ok $? "hotmemfs mounts (a state file)"
vmem_del_offline_loops
in_background del1 del
answered_within del1 30 && [ "$(cat "$TMP/del1.out")" = '{"return":{}}' ]
tap_ok $? "QMP device_del vm1 answers {} behind the looping offline (the removal queued)"
"$HMCTL" -s "$CTL" device_del vm1 >"$TMP/wait.out" 2>&1 &
WAITER=$!
sleep 0.5 # the waiting command is at change_lock too (no event says so; more sleep only helps)
ctl free-all >/dev/null
wait "$OFF"
wait "$WAITER"
tap_ok $? "hotmemctl device_del vm1 (wait), beside the queued one, ends well ($(tr '\n' ' ' <"$TMP/wait.out"))"
grep -q "removed" "$TMP/wait.out"
tap_ok $? "... it says vm1 was removed, not that it was not found"
ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm1 /machine/peripheral/vm1" 1
tap_ok $? "DEVICE_DELETED vm1"
sleep 0.2
is "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" 1 "... once"
dev_listed vm1
tap_ok $((!$?)) "vm1 is no longer listed; vm0 stays: $(dev_listed vm0 && echo yes)"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
