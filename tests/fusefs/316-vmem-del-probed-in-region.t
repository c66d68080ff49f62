#!/bin/bash
# The device_del of a virtio-mem device with a block probed into its
# region (the sysfs probe interface; probevm's leftover).  6.12's
# virtio_mem_deinit_hotplug() finds busy System RAM in the region
# (virtio_mem_has_memory_added() walks /proc/iomem, not the driver's own
# blocks), warns "device still has system memory added" and keeps the
# region's resource with the probed block in it.  hotmem keeps the device
# instead (the refusal it gives for the driver's own memory still added),
# so /proc/iomem reads as the kernel's after its removal: virtio0 and the
# probed block under it.  hotmemfs removed the device and its region, the
# probed block a top-level System RAM of a region no device had.  Without
# the engine's check (virtio_mem.c virtio_mem_probed_memory()) checks 4-8
# fail (device_del answers {}).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_probe_vmem v --state none
echo 0x110000000 >"$M/probe"
tap_ok $? "the guest probes 0x110000000, inside the device's region"
ctl device_del v >/dev/null 2>"$TMP/del.err"
tap_ok $((!$?)) "device_del v is refused"
grep -q "v: the guest still has memory added in the device's region (.*memory probed into the region by hand, which stays)" "$TMP/del.err"
tap_ok $? "... saying why ($(cat "$TMP/del.err"))"
ctl dmesg | grep -q "virtio_mem virtio0: device still has system memory added (probed into its region: \[mem 0x110000000-0x117ffffff\]"
tap_ok $? "the log says 6.12's warning and what holds the device"
ctl -j query-memory-devices | grep -q '"v"'
tap_ok $? "v is still there"
iomem=$(grep -A1 ": virtio0$" "$MNT/proc/iomem")
is "$iomem" "100000000-11fffffff : virtio0
  110000000-117ffffff : System RAM" "/proc/iomem: the probed block under virtio0, as 6.12's after its removal"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
