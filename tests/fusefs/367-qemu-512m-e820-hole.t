#!/bin/bash
# qemu-512m is QEMU's -m 512M pc machine, whose e820 ends RAM at
# 0x1ffdffff: its last 128 KiB are reserved for the firmware's tables
# (the guest's firmware/memmap and /proc/iomem,
# tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt).  The profile had RAM
# to 0x1fffffff (abuse29b U2), so memory3 was hole-free: its offline
# failed EBUSY, on the boot's memblock reservations at the top of RAM,
# where 6.12's offline_pages() refuses it before looking at a page,
# EINVAL "memory holes" (walk_system_ram_range() counts 32 pages short);
# zoneinfo's DMA32 spanned and present were 126976 where the guest's are
# 126944.  Now the machine's RAM ends where the guest's does.
. "$(dirname "$0")/lib.sh"
require_env
FIX=$HOTMEM_SRC/tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt
need_file "$FIX"
M=$MNT/sys/devices/system/memory

# the kernel's allocations off: memory2 empty, the hole-free block beside it
mount_fs "hotmemfs mounts qemu-512m" --profile qemu-512m --fresh --cmdline hotmem.kernel_alloc=off
is "$(w "$M/memory3/state" 'offline\n')" EINVAL "offline memory3: EINVAL, as the 6.12 guest's"
is "$(cat "$M/memory3/state")" online "... memory3 stays online"
grep -q "memory holes" <(ctl explain 3)
tap_ok $? "... hotmemctl explain 3 names the memory holes"
is "$(w "$M/memory2/state" 'offline\n')" "ret=8" "offline memory2 (no hole, nothing in it) goes"
echo online >"$M/memory2/state"

is "$(awk '/^Node 0, zone +DMA32/ { z = 1 } z && /^ +(spanned|present)/ { print $1, $2 } z && /^ +present/ { exit }' "$MNT/proc/zoneinfo" | tr '\n' ' ')" \
	"spanned 126944 present 126944 " "zoneinfo: DMA32 spans and has 126944 pages, as the guest's"
is "$(grep '^00100000-' "$MNT/proc/iomem")" \
	"$(awk '/^# \/proc\/iomem/ { getline; getline; print; exit }' "$FIX")" \
	"/proc/iomem's boot RAM line is the guest's (00100000-1ffdffff)"
is "$(cat "$MNT/sys/firmware/memmap/3/end")" 0x1ffdffff "firmware/memmap/3 ends where the guest's e820 RAM does"
done_testing
