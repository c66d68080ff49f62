#!/bin/bash
# reread29 R8: 6.12's kacpi_hotplug_wq is one ordered queue
# (drivers/acpi/osl.c acpi_hotplug_schedule()): a device check QEMU
# raised for DIMM d2 (a device_add answered behind a guest's looping
# offline, its add queued) runs before an eject request of another DIMM
# d1 raised after it (QMP device_del d1).  Once the offline is over the
# guest adds d2 (_OST source 1), then ejects d1 (0x84, DEVICE_DELETED,
# the slot's success).  hotmemfs's eject of d1 runs every DIMM add queued
# when its request came (dev.c hmfs_dev_probe_first(), the request's
# hmfs_dev_made()); 5a188ded ran d1's own only, and d2's add raced d1's
# eject for change_lock.  The order is forced, not a race: thread_hold.so
# (HOTMEM_TEST_THREAD_HOLD_CONTENDED, as 336, 354) holds the timers'
# thread at change_lock in d2's queued add until d1's eject has run.  A
# DIMM d3 whose device_add comes after d1's device_del is added after
# the eject, by the timers' thread, as the guest's queue has it.
# Without the fix (d1's own queued add alone run first, as 5a188ded)
# check 15 fails (checked: d1 ejected first, d2 added after the hold
# went); with every queued add run first, whenever queued, check 15 too
# (checked: d3 added before d1's eject).
. "$(dirname "$0")/lib.sh"
require_env
timers_hold_contended
M=$MNT/sys/devices/system/memory

mount_timers_hold "hotmemfs mounts, no state file"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null &&
	ctl device_add pc-dimm id=d1 size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33), and a DIMM d1 (slot 0)"
memory33_offline_loops
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
d2_add_held
is "$(qmp_del d1)" '{"return":{}}' "QMP device_del d1 answers {}, its eject queued behind d2's device check"
in_background add3 qmp_dimm_add d3 268435456
answered_within add3 30 && [ "$(cat "$TMP/add3.out")" = '{"return":{}}' ] && looping
tap_ok $? "QMP device_add pc-dimm d3 answers {} after it, the offline still looping"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST - slot=0 source=3 status=0" 1
tap_ok $? "d1's emptied slot's _OST of success follows"
rm -f "$TMP/hold"
for _ in $(seq 600); do [ -e "$TMP/hold.held" ] || break; sleep 0.05; done
ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST d2 slot=1 source=1 status=0" 1 &&
	ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST d3 slot=2 source=1 status=0" 1
tap_ok $? "the hold let go: d2's and d3's adds' _OSTs are in"
grep -oE 'ACPI_DEVICE_OST (d1|d2|d3|-) slot=[012] source=[0-9]+ status=[0-9]+|DEVICE_DELETED d[123]' \
	"$TMP/ev.txt" | tr '\n' ';' >"$TMP/order.txt"
is "$(cat "$TMP/order.txt")" \
	"ACPI_DEVICE_OST d2 slot=1 source=1 status=0;ACPI_DEVICE_OST d1 slot=0 source=3 status=132;DEVICE_DELETED d1;ACPI_DEVICE_OST - slot=0 source=3 status=0;ACPI_DEVICE_OST d3 slot=2 source=1 status=0;" \
	"the guest added d2, then ejected d1, then added d3, in its queue's order"
! dev_listed d1 && dev_listed d2 && dev_listed d3 && [ -e "$M/memory42" ] && [ -e "$M/memory44" ]
tap_ok $? "d1 is gone, d2 (memory42-43) and d3 (memory44-45) are there"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
