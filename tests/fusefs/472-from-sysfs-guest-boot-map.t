#!/bin/bash
# A real 6.12.117 qemu-512m guest's capture (tests/fixtures/boot-map/
# qemu-6.12-qemu-512m.txt) made a dump -- its memory blocks, /proc/iomem
# with the Kernel lines, /sys/firmware/memmap, its dmesg's lines with the
# "Memory:" line and MemTotal -- and profiled: hotmem profile
# --from-sysfs reads the kernel image from /proc/iomem's Kernel lines
# and the Memory: line's init size, and calibrates boot_reserved against
# the line's reserved total, realmode yes.  Booted, the machine shows the
# guest's Kernel lines, the guest's Memory: line (its free pages at that
# time aside), DMA's managed pages (3840, the first MiB reserved) and a
# MemTotal short of the guest's by what the capture does not say: the
# initrd (1100K, no RAMDISK: line) and the unused decrypted bss (2028K,
# no Freeing line) were given back in the guest and stay reserved here
# (docs/profile.md).  Before, from-sysfs read no Kernel line and no log:
# the machine booted with none of the guest's reservations.
. "$(dirname "$0")/lib.sh"
require_env
D=$TMP/dump
capture_dump qemu-6.12-qemu-512m "$D"
is "$(ls "$D/sys/devices/system/memory" | grep -c memory) $(grep -c 'Kernel ' "$D/proc/iomem") $(ls "$D/sys/firmware/memmap" | wc -l) $(grep -c 'Memory: ' "$D/dmesg")" \
	"4 4 7 1" "the capture as a dump: 4 blocks, 4 Kernel lines, 7 firmware/memmap entries, the Memory: line"

"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$D" -o "$TMP/g.profile" 2>"$TMP/g.notes"; profile_notes "$TMP/g.profile" "$TMP/g.notes"
tap_ok $? "hotmem profile --from-sysfs" || diag "$(cat "$TMP/g.notes")"
grep -E '^(kernel_image|initrd|realmode|swiotlb|boot_reserved) = ' "$TMP/g.profile" | sed 's/^/# /'
grep -q '^kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff data=0xa600000-0xa870f7f init=0xad0b000-0xb134fff bss=0xb136000-0xb5fffff$' "$TMP/g.profile"
tap_ok $? "kernel_image: the Kernel lines, init's 4264K below bss (no .smp_locks or decrypted size in the capture)"
is "$(grep -cE '^(initrd|swiotlb) = ' "$TMP/g.profile") $(grep -c '^realmode = yes$' "$TMP/g.profile")" "0 1" \
	"no initrd or swiotlb (no RAMDISK: or software IO TLB: line), realmode yes"
grep -q 'could not infer: boot reservations: realmode and boot_reserved are in no line: boot_reserved = [0-9]*K is what the dump.s "Memory:" line.s reserved (124872K) leaves over, realmode yes' "$TMP/g.notes"
tap_ok $? "... boot_reserved calibrated against the Memory: line's 124872K reserved, said" || diag "$(grep 'boot reserv' "$TMP/g.notes")"

is "$(grep -E '^(qemu_)?maxmem = ' "$TMP/g.profile")" "maxmem = 0x2e0000000" \
	"maxmem where dmesg's SRAT hotplug range ends (QEMU's device memory), no qemu_maxmem: no slots in the capture"
mkdir -p "$TMP/slots"
cp -r "$D" "$TMP/slots/"
mkdir -p "$TMP/slots/dump/sys/bus/acpi/devices"
for i in 0 1 2 3; do ln -s "../../../devices/LNXSYSTM:00/PNP0C80:0$i" "$TMP/slots/dump/sys/bus/acpi/devices/PNP0C80:0$i"; done
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$TMP/slots/dump" -o "$TMP/s.profile" 2>/dev/null
is "$(grep -E '^((qemu_)?maxmem|slots) = ' "$TMP/s.profile" | tr '\n' ' ')" \
	"maxmem = 0x2e0000000 qemu_maxmem = 0x100000000 slots = 4 " \
	"... with its 4 PNP0C80 slots: qemu_maxmem 4G, -m 512M,slots=4,maxmem=4G as the guest was run"

mount_fs "the profile mounts" --profile "$TMP/g.profile" --fresh -S none --cmdline hotmem.kernel_alloc=off
is "$(grep 'Kernel ' "$MNT/proc/iomem")" "$(grep 'Kernel ' "$FIX")" "/proc/iomem: the guest's Kernel lines"
ctl dmesg >"$TMP/dmesg"
is "$(grep -o 'Memory: .*' "$TMP/dmesg" | sed 's/^Memory: [0-9]*K/Memory: *K/')" \
	"$(grep -o 'Memory: .*' "$FIX" | sed 's/^Memory: [0-9]*K/Memory: *K/')" \
	"the guest's Memory: line: present pages, sizes, 124872K reserved (its free pages aside)"
is "$(awk '/^Node/ { z = $4 } $1 == "managed" && z == "DMA" { print $2 }' "$MNT/proc/zoneinfo")" 3840 \
	"DMA's managed pages the guest's, 3840: the first MiB reserved (realmode)"
guest=$(awk '/^MemTotal:/ { print $2 }' "$FIX")
is "$(awk '/^MemTotal:/ { print $2 }' "$MNT/proc/meminfo")" "$((guest - 1100 - 2028))" \
	"MemTotal: the guest's $guest kB less the initrd's 1100K and the decrypted bss's 2028K the capture does not say"
stop_fs
done_testing
