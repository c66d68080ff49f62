#!/bin/bash
# hotmem profile --from-sysfs takes a bare "virtioN" region (a virtio-mem
# device with nothing plugged, requested-size 0) nested in a reserved
# e820 range for the device it is: 6.12's virtio_mem_create_resource()
# requests its region with __request_mem_region(), and
# __request_region_locked() descends into a reserved range above 1 MiB
# (not busy, do_mark_busy()) that holds it whole -- the engine nests it so
# since a08568da (tests/fusefs/389).  Before, any bare region inside
# another was taken for a virtio-fs DAX window and the device was lost
# from the profile.  A bare region in a PCI device's BAR (where virtio-fs's
# DAX window is) is still not taken (the control).
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
cat >"$TMP/p.profile" <<'PROFILE'
profile = qemu-512m
name = qemu-512m-vmem-in-reserved
e820 = 0x0-0x9fbff usable
e820 = 0x9fc00-0x9ffff reserved
e820 = 0xf0000-0xfffff reserved
e820 = 0x100000-0x1ffdffff usable
e820 = 0x1ffe0000-0x1fffffff reserved
e820 = 0xfffc0000-0xffffffff reserved
e820 = 0x200000000-0x23fffffff reserved
e820 = 0xfd00000000-0xffffffffff reserved
virtio_mem = id=vm0,memaddr=0x200000000,size=1G,requested-size=0
PROFILE
mount_fs "qemu-512m with virtio-mem vm0 (nothing requested) in a reserved range" \
	--profile "$TMP/p.profile" --fresh -S none
ctl export "$TMP/d" >/dev/null
tap_ok $? "exported"
stop_fs
is "$(sed -n '/^200000000/,/^ *[0-9a-f]*-[0-9a-f]* : Reserved/p' "$TMP/d/proc/iomem")" "200000000-23fffffff : Reserved
  200000000-23fffffff : virtio0
fd00000000-ffffffffff : Reserved" "its proc/iomem: the bare virtio0 region a child of the Reserved range"
[ ! -e "$TMP/d/sys/bus/virtio" ]
tap_ok $? "... and no sys/bus/virtio to say whose it is"

"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/d.profile" 2>"$TMP/d.notes"; profile_notes "$TMP/d.profile" "$TMP/d.notes"
tap_ok $? "hotmem profile --from-sysfs of the export" || diag "$(cat "$TMP/d.notes")"
grep -qx 'virtio_mem = id=virtio0 memaddr=0x200000000 size=0x40000000 requested-size=0 block-size=0x200000 node=0' \
	"$TMP/d.profile"
tap_ok $? "... the profile has the device, requested-size 0" || diag "$(grep -i virtio "$TMP/d.profile")"
grep -q "could not infer: virtio0: a region inside a top-level Reserved range in proc/iomem with no memory added below it, and no sys/bus/virtio in the tree to say whose: taken as a virtio-mem device with nothing plugged" \
	"$TMP/d.notes"
tap_ok $? "... said" || diag "$(grep virtio0 "$TMP/d.notes")"
mount_fs "that profile mounts" --profile "$TMP/d.profile" --fresh -S none
ctl export "$TMP/d2" >/dev/null
tap_ok $? "... exported again"
stop_fs
is "$(diff "$TMP/d/proc/iomem" "$TMP/d2/proc/iomem")" "" "... the same proc/iomem"

# the control: the same bare region in a PCI device's BAR, as virtio-fs's DAX window lies
sed -i 's/^200000000-23fffffff : Reserved$/200000000-23fffffff : 0000:00:05.0/' "$TMP/d/proc/iomem"
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/bar.profile" 2>"$TMP/bar.notes"; profile_notes "$TMP/bar.profile" "$TMP/bar.notes"
tap_ok $? "the region in a PCI BAR instead: hotmem profile --from-sysfs"
! grep -q '^virtio_mem = ' "$TMP/bar.profile" &&
	grep -q "could not infer: virtio0 (0x200000000-0x23fffffff): a region inside another in proc/iomem" "$TMP/bar.notes"
tap_ok $? "... not taken as a virtio-mem device, said" || diag "$(grep virtio0 "$TMP/bar.notes")"
done_testing
