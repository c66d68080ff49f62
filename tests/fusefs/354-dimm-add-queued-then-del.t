#!/bin/bash
# A QMP device_del of a DIMM whose device_add was answered behind a
# guest's looping offline, its ACPI add still queued (tests/fusefs/356):
# QEMU's acpi_memory_unplug_request_cb() raises the eject request and
# answers {} (no check of the guest's state), and the guest queues that
# request on kacpi_hotplug_wq, an ordered queue, behind the DIMM's device
# check (6.12 drivers/acpi/osl.c, scan.c acpi_device_hotplug()): once the
# offline is over the guest adds the DIMM (_OST source 1, status 0), then
# ejects it (0x84 in progress, DEVICE_DELETED, success for the slot).
# hotmemfs's eject runs the queued add first (dev.c hmfs_dev_probe_first()),
# rather than race the timers' thread for change_lock: without it the
# eject can come first, d2 goes without its add (no _OST source 1) and
# the add finds it gone.  The order is forced, not a race (reread29 R5):
# thread_hold.so (HOTMEM_TEST_THREAD_HOLD_CONTENDED, as 336) holds the
# timers' thread at change_lock in d2's queued add until the eject has
# run, so the eject's own hmfs_dev_probe_first() is all that can add d2
# first.  Check 15 fails with the hmfs_dev_probe_first() call in acpi.c
# acpi_eject() left out (checked: d2 ejected unadded, no source=1 _OST);
# checks 6-7, 9-10, 12 and 14-16 with dev.c add_may_queue() refusing pc-dimm
# (checked).
. "$(dirname "$0")/lib.sh"
require_env
timers_hold_contended
M=$MNT/sys/devices/system/memory

LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" vmem_offline_loops "(no state file, thread_hold.so)"
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
d2_add_held
in_background del qmp_del d2
answered_within del 30
is "$(cat "$TMP/del.out")" '{"return":{}}' "QMP device_del d2 answers {} too, its add still queued"
looping
tap_ok $? "... while the offline still loops"
dev_listed d2
tap_ok $? "d2 is still listed (QEMU's until the guest's _EJ0)"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST - slot=0 source=3 status=0" 1
tap_ok $? "the emptied slot's _OST of success follows"
# d2's _OSTs and its DEVICE_DELETED, and slot 0's once emptied (no device: "-"), in order
grep -oE 'ACPI_DEVICE_OST (d2|-) slot=0 source=[0-9]+ status=[0-9]+|DEVICE_DELETED d2' \
	"$TMP/ev.txt" | tr '\n' ';' >"$TMP/order.txt"
is "$(cat "$TMP/order.txt")" \
	"ACPI_DEVICE_OST d2 slot=0 source=1 status=0;ACPI_DEVICE_OST d2 slot=0 source=3 status=132;DEVICE_DELETED d2;ACPI_DEVICE_OST - slot=0 source=3 status=0;" \
	"the guest added d2, then ejected it, in its queue's order"
[ ! -e "$M/memory40" ] && ! dev_listed d2
tap_ok $? "d2 and its memory40-41 are gone"
# the hold let go: the timers' thread finds d2's add run (and d2 gone)
rm -f "$TMP/hold"
for _ in $(seq 600); do [ -e "$TMP/hold.held" ] || break; sleep 0.05; done
grep -q "the queued device_add's probe" "$TMP/hotmemfs.log"
tap_ok $((!$?)) "no queued add failed (none found its DIMM gone)"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
