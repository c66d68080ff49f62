#!/bin/bash
# Memory hot-added inside one of the firmware's reserved ranges nests
# under it in /proc/iomem, as 6.12 prints it: e820__reserve_resources()
# inserts the reserved ranges above 1 MiB not busy (do_mark_busy()), so
# __request_region() (kernel/resource.c __request_region_locked())
# descends into one that holds the whole request and makes it the parent.
# Every hot-add path asks it so: a probe and a DIMM
# (register_memory_resource()), a virtio-mem device's region
# (virtio_mem_create_resource(), the driver's "System RAM (virtio_mem)"
# under it).  A range the same size as the reserved one was the worst
# case: its line came out BEFORE the "Reserved" line, at the same depth,
# as if a sibling (engine/virtio_mem.c iomem_boot()); a virtio-mem region
# inside one was refused as busy.
. "$(dirname "$0")/lib.sh"
require_env
cat >"$TMP/p.profile" <<'PROFILE'
profile = qemu-512m
name = qemu-512m-reserved-holes
probe = yes
e820 = 0x0-0x9fbff usable
e820 = 0x9fc00-0x9ffff reserved
e820 = 0xf0000-0xfffff reserved
e820 = 0x100000-0x1ffdffff usable
e820 = 0x1ffe0000-0x1fffffff reserved
e820 = 0xe8000000-0xefffffff reserved
e820 = 0xfffc0000-0xffffffff reserved
e820 = 0x140000000-0x14fffffff reserved
e820 = 0x200000000-0x23fffffff reserved
e820 = 0xfd00000000-0xffffffffff reserved
PROFILE
# the same machine with a virtio-mem device whose region is the reserved one's
{ cat "$TMP/p.profile"
  echo "virtio_mem = id=vm0,memaddr=0x200000000,size=1G,requested-size=256M"; } >"$TMP/v.profile"

mount_fs "hotmemfs mounts qemu-512m with reserved ranges where memory is added" \
	--profile "$TMP/p.profile" --fresh -S none
M=$MNT/sys/devices/system/memory
is "$(w "$M/probe" 0xe8000000)" ret=10 "probe 0xe8000000, inside e8000000-efffffff Reserved: added"
ctl device_add pc-dimm id=d1 size=256M addr=0x140000000 >/dev/null
tap_ok $? "device_add pc-dimm at 0x140000000, inside 140000000-14fffffff Reserved"
[ -e "$M/memory40" ] && [ -e "$M/memory41" ]
tap_ok $? "... its blocks memory40-41 are there"
# the whole of /proc/iomem above the boot RAM, as 6.12's r_show() prints it
is "$(sed -n '/^1ffe0000/,$p' "$MNT/proc/iomem")" "1ffe0000-1fffffff : Reserved
e8000000-efffffff : Reserved
  e8000000-efffffff : System RAM
fffc0000-ffffffff : Reserved
140000000-14fffffff : Reserved
  140000000-14fffffff : System RAM
200000000-23fffffff : Reserved
fd00000000-ffffffffff : Reserved" "/proc/iomem: the probed block and the DIMM each a child of its Reserved range"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

mount_fs "the machine with virtio-mem vm0's region at 200000000-23fffffff boots (the device probes)" \
	--profile "$TMP/v.profile" --fresh -S none
is "$(sed -n '/^200000000/,$p' "$MNT/proc/iomem")" "200000000-23fffffff : Reserved
  200000000-23fffffff : virtio0
    200000000-20fffffff : System RAM (virtio_mem)
fd00000000-ffffffffff : Reserved" "/proc/iomem: virtio0 a child of the Reserved range, its plugged memory under it"
is "$(w "$M/probe" 0x230000000)" ret=11 "probe 0x230000000 (in virtio0, in the Reserved range): added"
is "$(sed -n '/^200000000/,$p' "$MNT/proc/iomem")" "200000000-23fffffff : Reserved
  200000000-23fffffff : virtio0
    200000000-20fffffff : System RAM (virtio_mem)
    230000000-237ffffff : System RAM
fd00000000-ffffffffff : Reserved" "... its System RAM a third level down"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
