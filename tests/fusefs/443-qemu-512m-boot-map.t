#!/bin/bash
# qemu-512m's firmware memory map is QEMU's e820 table, as a 6.12.118
# guest booted the same way shows it (tests/fixtures/boot-map/
# qemu-6.12.118-qemu-512m.txt; 6.12.117's, qemu-6.12-qemu-512m.txt,
# until 2026-12-04: the same but its Kernel rodata and data lines, 4K and
# 64 bytes shorter): /sys/firmware/memmap is the table (RAM from 0
# to 0x9fbff, the EBDA, the BIOS, RAM to 0x1ffdffff, SeaBIOS's tables,
# the BIOS flash, the HyperTransport hole below 1 TiB), and /proc/iomem's
# memory lines are the kernel's resources of it (e820__reserve_resources()
# after trim_bios_range(): page 0 reserved) -- the guest's lines but its
# PCI windows, ROMs, IOAPIC and HPET (its Kernel code ... bss lines too
# since 2026-12-03, qemu-512m's boot reservations).  A hot-added DIMM's
# System RAM comes in address order, before the reserved hole at
# 0xfd00000000, and is memmap/7 as in the guest.  Before, both maps were
# made from the profile's RAM ranges: RAM to 0x9efff, one Reserved
# 0x9f000-0xfffff, nothing reserved above 1 MiB, the DIMM memmap/4.
. "$(dirname "$0")/lib.sh"
require_env
FIX=$HOTMEM_SRC/tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt
need_file "$FIX"

# the fixture's section $1, its lines up to the next "## "
section() { awk -v s="## $1" '$0 == s { on = 1; next } /^## / { on = 0 } on' "$FIX"; }

mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --fresh --cmdline hotmem.kernel_alloc=off
want=$(section /proc/iomem | grep -E '^([0-9a-f]+-[0-9a-f]+ : (System RAM|Reserved)|  [0-9a-f]+-[0-9a-f]+ : Kernel (code|rodata|data|bss))$')
is "$(cat "$MNT/proc/iomem")" "$want" "/proc/iomem: the guest's System RAM, Reserved and Kernel lines"
fwmap() {
	local e
	for e in $(ls "$MNT/sys/firmware/memmap" | sort -n); do
		echo "  $e: $(cat "$MNT/sys/firmware/memmap/$e/start") $(cat "$MNT/sys/firmware/memmap/$e/end")" \
			"$(cat "$MNT/sys/firmware/memmap/$e/type")"
	done
}
is "$(fwmap)" "$(section /sys/firmware/memmap)" "/sys/firmware/memmap: the guest's e820 table"

ctl device_add pc-dimm,id=d1,size=128M
tap_ok $? "device_add pc-dimm,id=d1,size=128M"
is "$(grep -A1 '^fffc0000-' "$MNT/proc/iomem" | tr '\n' ' ')" \
	"fffc0000-ffffffff : Reserved 100000000-107ffffff : System RAM " \
	"... its System RAM after the BIOS flash"
is "$(tail -1 "$MNT/proc/iomem")" "fd00000000-ffffffffff : Reserved" "... and before the hole below 1 TiB"
is "$(cat "$MNT/sys/firmware/memmap/7/start") $(cat "$MNT/sys/firmware/memmap/7/end")" \
	"0x100000000 0x107ffffff" "... firmware/memmap/7, after the e820 table's 7 entries"
done_testing
