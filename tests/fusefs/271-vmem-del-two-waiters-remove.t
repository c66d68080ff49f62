#!/bin/bash
# Two `hotmemctl device_del` (wait) of one virtio-mem device behind a
# guest's looping offline, both past QEMU's check (nothing plugged,
# requested-size 0), both waiting for change_lock: once the offline is
# over the first removes the device, and the second's change found no
# device and answered "Device 'vm1' not found" for the device it had asked
# to remove and whose DEVICE_DELETED had come.  QEMU answers a second
# device_del of a PCI device being removed {} (9.2 qmp_device_del():
# acpi-pcihp's pending delete expires after 1 ms, since 8.0.1): the second
# waiter now says it was removed (ctl.c cmd_device_del(): its held object
# gone), and removes only the object it holds (dev.c del_request_owns()).
# Which waiter goes first is the mutex's choice; either way the other one
# finds the device gone, so the checks hold in both orders.  Without the
# ctl.c -ENODEV-while-held answer, checks 9-10 fail ("not found").
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts, no state file" --fresh --state none
vmem_del_offline_loops
for w in 1 2; do
	"$HMCTL" -s "$CTL" device_del vm1 >"$TMP/w$w.out" 2>&1 &
	eval "W$w=\$!"
	dev_del_pending_wait vm1 "waited $w"
	tap_ok $? "hotmemctl device_del vm1 (wait) number $w holds vm1's request behind the offline ($(dev_del_pending vm1))"
done
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends"
wait "$W1"
rc1=$?
wait "$W2"
rc2=$?
is "$rc1 $rc2" "0 0" "both device_dels end well: $(cat "$TMP/w1.out" "$TMP/w2.out" | tr '\n' ' ')"
grep -q "removed" "$TMP/w1.out" && grep -q "removed" "$TMP/w2.out"
tap_ok $? "... both say vm1 was removed, neither that it was not found"
vm1_deleted_once
dev_listed vm1
tap_ok $((!$?)) "vm1 is no longer listed"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
