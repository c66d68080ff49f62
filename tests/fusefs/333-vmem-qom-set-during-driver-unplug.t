#!/bin/bash
# abuse26 E2's second half: a QMP qom-set requested-size behind the
# virtio-mem driver's unplug -- which takes online memory's pages
# (alloc_contig_range()) under device_hotplug_lock, as long as they take
# -- waited for change_lock, which that work holds, where QEMU answers at
# once (qmp_qom_set() -> virtio_mem_set_requested_size(): never waits for
# the guest).  Only a guest's looping offline queued it; now every change
# that holds hotplug long (machine.c holds_hotplug_long(): dev.c
# hmfs_dev_may_unplug() for this one) does: {} at once, the host's value
# in query-memory-devices, taken once the work is over.  The work is the
# one an online queues on a device a busy shrink left above its
# requested-size (tests/fusefs/268), held by thread_hold.so at its first
# write lock, not by a time: the qom-set must answer while it is still
# held (the online's write unanswered); one not answered within 30 s
# fails, and the hold is let go.  Without the fix (apply_held() marking
# waits_guest() changes alone) checks 8-9 fail (checked).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils

vm0_driver_unplug_held
in_background qs qmp_qom_set vm0 536870912
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] &&
	[ ! -s "$TMP/online.rc" ] && [ -e "$TMP/hold.held" ]
tap_ok $? "qom-set vm0 requested-size 512M answers {} while the driver's unplug is held ($(cat "$TMP/qs.out"))"
is "$(vmem_requested vm0)" 536870912 "... query-memory-devices says the host's 512M at once"
rm -f "$TMP/hold"
answered_within qs 30
answered_within online 120
tap_ok $? "the hold let go: the online ends well"
vmem_plugged_wait vm0 536870912
tap_ok $? "the queued qom-set is taken after the unplug: 512M plugged ($(vmem_plugged vm0))"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
