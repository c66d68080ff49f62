#!/bin/bash
# abuse26 E2: QEMU's qom-set of a virtio-mem device's requested-size
# answers at once while the guest ejects a DIMM (QEMU 9.x qmp_qom_set() ->
# virtio_mem_set_requested_size(): the value set, the guest notified,
# never waited for), as it already did behind a guest's looping offline
# (tests/fusefs/230, 233).  hotmemfs queued it only behind an offline
# written to `state`; behind a DIMM's eject, whose offline keeps at a
# stuck block up to its 40 s bound, it waited for change_lock and the
# dev_lock the eject held, and the reply came once the eject was over.
# Now the eject marks itself a change that waits for the guest
# (machine.c apply_held()) and runs without dev_lock
# (dev.c dimm_del_unlocked()): the qom-set is queued, journaled before its
# {}, shown by query-memory-devices at once, and taken once the eject
# ends; a virtio-mem device_add behind the eject is answered and listed
# at once too, and a virtio-mem device_del answered, its removal queued.
# No time is measured: each answer must come while the eject still keeps
# at memory33 (its hotmemctl device_del not answered, memory33
# going-offline); one not answered within 30 s fails.  The eject's thread
# is off the clock (thread_clock.so, HOTMEM_TEST_OFF_CLOCK=hotmemfs-eject):
# its 40 s bound (HMFS_EJECT_TOTAL_SECONDS) never passes, so it keeps at
# memory33 until the test frees the pins, however long the steps take
# (reread26 R7: they had to fit in the 40 s).
# Without the fix checks 6-9, 11-14 and 16 failed (checked: the qom-set,
# the device_add and the device_del answered after the eject, which
# meanwhile reached its 40 s bound and was refused); off the clock,
# without apply_held()'s mark for the eject checks 6-12 fail (checked:
# the answers wait until the pins go).
. "$(dirname "$0")/lib.sh"
require_env
want_off_clock
ejecting() { block_state_wait 33 going-offline && kill -0 "$DEL" 2>/dev/null; }
vm2_listed() { dev_listed vm2 && echo listed || echo gone; }

off_clock hotmemfs-eject mount_fs "hotmemfs mounts (a state file; its eject off the clock)" --fresh
d1_vm0_stuck
ctl device_add virtio-mem-pci id=vm2 size=128M requested-size=0 >/dev/null
tap_ok $? "a virtio-mem vm2, probed, nothing plugged (QEMU's device_del check passes)"
ctl device_del d1 >"$TMP/del.out" 2>&1 &
DEL=$!
ejecting
tap_ok $? "device_del d1: the eject keeps at memory33 (going-offline)"

in_background qs qmp_qom_set vm0 0
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && ejecting
tap_ok $? "qom-set vm0 requested-size 0 answers {} while the eject still runs ($(cat "$TMP/qs.out"))"
is "$(vmem_requested vm0)" 0 "query-memory-devices says the host's 0 at once"
tr '\0' '\n' <"$STATE.journal" | grep -q '"qemu-requested":{"id":"vm0","requested-size":0}'
tap_ok $? "... its record is in the journal before the answer (qemu-requested)"
in_background add qmp_vmem_add vm1 1073741824 0
answered_within add 30 && [ "$(cat "$TMP/add.out")" = '{"return":{}}' ] && ejecting
tap_ok $? "a virtio-mem device_add vm1 answers {} while the eject still runs too"
dev_listed vm1 && dev_listed d1
tap_ok $? "... vm1 listed at once, d1 still (QEMU lists it until _EJ0)"
in_background del2 qmp_del vm2
answered_within del2 30 && [ "$(cat "$TMP/del2.out")" = '{"return":{}}' ] && ejecting
tap_ok $? "a QMP device_del vm2 answers {} while the eject still runs (the removal queued)"
is "$(dev_del_pending vm2)" queued "... status: vm2's device_del queued"
ejecting
tap_ok $? "the eject still runs after all of them"

ctl free-all >/dev/null
wait_exit "$DEL" 60
tap_ok $? "the pins freed: device_del d1 ends, the DIMM ejected ($(tr '\n' ' ' <"$TMP/del.out"))"
vmem_plugged_wait vm0 0
tap_ok $? "the queued qom-set is taken after the eject: vm0's plugged-size 0 ($(vmem_plugged vm0))"
dev_listed d1
tap_ok $((!$?)) "d1 is gone; vm1 stays: $(dev_listed vm1 && echo yes)"
says_within 20 gone vm2_listed
tap_ok $? "the queued device_del of vm2 ran after the eject: vm2 gone"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "0 0" "vm0 as acknowledged: requested-size 0, nothing plugged"
dev_listed vm1
tap_ok $? "vm1 as acknowledged: listed"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
