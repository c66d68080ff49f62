#!/bin/bash
# QEMU's qom-set of a virtio-mem device's requested-size behind a guest's
# looping offline answers {} at once (QEMU 9.x: virtio_mem_set_requested_size(),
# the guest's driver reacts later, 6.12 virtio_mem_config_changed() -> its
# workqueue) with a state file too: the host's value is journaled under
# journal_lock alone before the answer (dev.c vmem_queue(): a
# "qemu-requested" record), where it waited for the offline, its record
# journaled under change_lock (reread18-fusefs2 F1).  A kill -9 while the
# offline still loops restarts with the qom-set queued again
# ("queued-requested-size"), which the guest's driver then takes (512M
# plugged); without a kill the queued change runs once the offline is
# over, as before, and survives a kill -9 after it.
# With machine.c resize_or_queue() waiting for a state file (before this
# change) checks 5-7, 9 and 15 fail (checked).
. "$(dirname "$0")/lib.sh"
require_env

vmem_offline_loops "(a state file)" --fresh
in_background qs qmp_qom_set vm0 536870912
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && looping
tap_ok $? "qom-set vm0 requested-size 512M answers {} while the offline loops"
tr '\0' '\n' <"$STATE.journal" | grep -q '"qemu-requested":{"id":"vm0","requested-size":536870912}'
tap_ok $? "... its record is in the journal (qemu-requested)"
is "$(vmem_requested vm0)" 536870912 "query-memory-devices says the host's 512M"
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 while the offline still looped, restart from the state file"
vmem_plugged_wait vm0 536870912
tap_ok $? "the queued qom-set is taken after the restart: vm0's 512M plugged ($(vmem_plugged vm0))"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

vmem_offline_loops "(a state file, again)" --fresh
in_background qs2 qmp_qom_set vm0 402653184
answered_within qs2 30 && looping
tap_ok $? "qom-set vm0 requested-size 384M answers while the offline loops"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the offline ends well"
vmem_plugged_wait vm0 402653184
tap_ok $? "the queued qom-set runs after it: 384M plugged"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(vmem_plugged vm0)" 402653184 "vm0 as acknowledged: 384M plugged"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
