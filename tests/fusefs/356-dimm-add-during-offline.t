#!/bin/bash
# abuse27 F10: a QMP device_add of a pc-dimm waited behind a guest user's
# `echo offline > memoryN/state` looping on pinned pages (6.12's
# offline_pages() until a signal): hotmemfs ran the whole device_add as
# one change behind change_lock, so the reply -- and the QMP connection --
# came only when the offline ended.  QEMU's qdev_device_add() realizes the
# DIMM, raises the ACPI GPE and answers {}; the guest's
# acpi_memory_device_add() runs later in kacpi_hotplug, behind
# device_hotplug_lock (drivers/acpi/scan.c acpi_device_hotplug() ->
# lock_device_hotplug()), and ACPI_DEVICE_OST comes when it ran.
# The answer is checked to come while the offline still loops, not by a
# time; one not answered within 30 s fails and ends once the pins go.
# Checks 6-7, 9 and 12 fail with dev.c add_may_queue() refusing pc-dimm
# again, the change's way as before (checked: the reply and d2's listing
# come only after the offline ends).
. "$(dirname "$0")/lib.sh"
require_env

vmem_offline_loops "(no state file)"
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
d2_add_while_looping
dev_listed d2
tap_ok $? "d2 is listed at once (QEMU's device), above vm0's region (memory40-41)"
! grep -q "^.* ACPI_DEVICE_OST d2 " "$TMP/ev.txt"
tap_ok $? "... no _OST for d2 yet: the guest's add waits for device_hotplug_lock"
[ ! -e "$MNT/sys/devices/system/memory/memory40" ]
tap_ok $? "... and no memory40 yet"
ctl status >"$TMP/st.out"
grep -q "^d2: the guest has not added its memory yet" "$TMP/st.out"
tap_ok $? "hotmemctl status says d2's memory is not added yet" "$(cat "$TMP/st.out")"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST d2 " 1
grep -q "ACPI_DEVICE_OST d2 slot=.* source=1 status=0" "$TMP/ev.txt"
tap_ok $? "the queued guest add ran after the offline: d2's _OST of success"
is "$(cat "$MNT/sys/devices/system/memory/memory40/state" \
	"$MNT/sys/devices/system/memory/memory41/state" | tr '\n' ' ')" "offline offline " \
	"d2's memory40-41 are there, offline (auto_online_blocks offline)"
ctl status >"$TMP/st.out"
! grep -q "^d2: the guest has not added" "$TMP/st.out"
tap_ok $? "status no longer says so"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
