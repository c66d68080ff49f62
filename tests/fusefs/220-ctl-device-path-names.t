#!/bin/bash
# hotmemctl names a device as hotmemfs resolved it, one resolver
# (ctl.c's, QEMU's object_resolve_path_at() from /machine/peripheral for
# device_del): `device_del d1/`'s line said "d1/: removed", hotmemctl's
# own hmfs_ctlargs_qom_id() shortening /machine/peripheral/ID alone; and
# vmem-inject / vmem-retry (hotmem's own) took an id only, a QOM path
# being "no virtio-mem device".
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m --state none
for d in d1 d2 d3; do ctl device_add pc-dimm id=$d size=128M >/dev/null || break; done
tap_ok $? "DIMMs d1, d2, d3"
is "$(ctl device_del d1/ 2>&1)" "d1: removed" "device_del d1/: d1 named, as hotmemfs resolved it"
is "$(ctl device_del /machine//peripheral/d2 2>&1)" "d2: removed" "device_del /machine//peripheral/d2: d2"
is "$(ctl device_del /machine/peripheral/d3 2>&1)" "d3: removed" "device_del /machine/peripheral/d3: d3, as before"
ctl device_add pc-dimm size=128M >/dev/null
tap_ok $? "an anonymous DIMM"
A=/machine/peripheral-anon/device[0]
is "$(ctl device_del "$A" 2>&1)" "$A: removed" "device_del of its QOM path: named by it (it has no id)"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=0 >/dev/null
tap_ok $? "device_add virtio-mem-pci vm0"
is "$(ctl vmem-inject /machine/peripheral/vm0 plug BUSY 2>&1; echo "rc $?")" "vm0: the device answers the guest's next plug request BUSY, until \`hotmemctl vmem-inject vm0 plug ACK count=0\`
rc 0" "vmem-inject by QOM path: armed, vm0 named"
is "$(ctl vmem-inject vm0/ plug ACK count=0 2>&1; echo "rc $?")" "vm0: injection cleared: the device answers plug requests as QEMU does
rc 0" "vmem-inject vm0/: cleared, vm0 named"
is "$(ctl vmem-retry /machine/peripheral/vm0 2>&1; echo "rc $?")" "no retry timer armed
rc 0" "vmem-retry by QOM path: the device found (no timer armed)"
is "$(ctl vmem-inject nosuch plug BUSY 2>&1; echo "rc $?")" "hotmemctl: error: 'nosuch' is no virtio-mem device
rc 1" "a name that resolves to nothing: named as typed"
stop_fs
done_testing
