#!/bin/bash
# reread23a R10: a virtio-mem device_add was placed from QEMU's own view
# (its device list within the device memory region, 9.x
# memory_device_get_free_addr()) only when answered behind a guest's
# looping offline (tests/fusefs/257); at any other time the engine's free
# ranges placed it, which see memory the guest probed by itself, so one
# command sequence gave another memaddr and another outcome depending on
# whether an offline looped.  Now both place it in QEMU's view (dev.c
# vmem_add()): with a block probed at 0x140000000, right above vm0, where
# QEMU puts the next device, the guest's probe of vm1 meets that memory
# and fails (EBUSY, as in 257), refusing this device_add, whose reply
# comes after the guest's probe; nothing is listed.  The same device
# given a free memaddr is probed.  With vmem_add() asking the engine's free
# ranges again, checks 4-7 fail (checked: vm1 placed at 0x148000000 and
# probed; 7, its id then taken).
. "$(dirname "$0")/lib.sh"
require_env
vmem0_below_probed
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=128M >"$TMP/add.out" 2>&1
is $? 1 "device_add vm1, no offline in the way: refused"
grep -q "probe of \[0x140000000-0x17fffffff\] failed: Device or resource busy" "$TMP/add.out"
tap_ok $? "... placed where QEMU sees room, 0x140000000, the guest's probe meets memory40: $(cat "$TMP/add.out")"
dev_listed vm1
tap_ok $((!$?)) "... nothing listed"
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=128M memaddr=0x180000000 >/dev/null &&
	vmem_plugged_wait vm1 134217728
tap_ok $? "vm1 given a free memaddr, 0x180000000: probed, 128M plugged"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
