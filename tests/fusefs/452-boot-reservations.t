#!/bin/bash
# The boot's memblock reservations (docs/profile.md: kernel_image, initrd,
# realmode, swiotlb, boot_reserved), given the numbers of a 6.12.118 guest
# of qemu-512m (tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt: its
# KASLR placement, its /proc/iomem Kernel lines, "Memory:" line, MemTotal
# and zones' managed): the machine boots with the guest's MemTotal, DMA's
# and DMA32's managed pages, /proc/iomem's Kernel code/rodata/data/bss under
# System RAM, the "Memory:" line's sizes and reserved count, SWIOTLB where
# the guest mapped it and the "Freeing ..." lines of what is given back.
# With kernelcore=10% the kernel image lies in boot ZONE_MOVABLE: memory1
# refuses its offline at once with EBUSY at the image's first page, as
# the guest does ("page dumped because: unmovable page"; hotmem trusted
# ZONE_MOVABLE and looped), memory2 goes offline.  The built-in has the
# keys since 2026-12-03 (a 6.12.117 guest's, whose rodata ended 4K and
# data 64 bytes sooner and init began 4K sooner: MemTotal 8K more; its
# 6.12.118 guest's since 2026-12-04, the kernel scripts/deps.sh
# fetches); taken out (kernel_image = none ...) it boots as before;
# misplaced parts are refused, naming their line (reread33 R5).
. "$(dirname "$0")/lib.sh"
require_env
FIX=$HOTMEM_SRC/tests/fixtures/boot-map/qemu-6.12.118-qemu-512m.txt
need_file "$FIX"

# the guest's boot reservations, tests/fusefs/452's and 471's one file
need_file "$HOTMEM_SRC/tests/fixtures/boot-map/qemu-512m-boot-reservations.profile"
cp "$HOTMEM_SRC/tests/fixtures/boot-map/qemu-512m-boot-reservations.profile" "$TMP/g.profile"

mount_fs "hotmemfs mounts qemu-512m with the guest's boot reservations" \
	--profile "$TMP/g.profile" --fresh -S none --cmdline hotmem.kernel_alloc=off
want_total=$(grep '^MemTotal:' "$FIX")
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "$want_total" "MemTotal: the guest's ($want_total)"
zones() { awk '/^Node/ { z = $4 } $1 == "managed" && z ~ /^DMA/ { print z, $2 }' "$1"; }
is "$(zones "$MNT/proc/zoneinfo")" "$(sed -n '/^## \/proc\/zoneinfo/,/^## /p' "$FIX" | zones /dev/stdin)" \
	"zoneinfo: DMA's and DMA32's managed pages are the guest's (3840, 97873)"
is "$(grep 'Kernel ' "$MNT/proc/iomem")" "$(grep 'Kernel ' "$FIX")" \
	"/proc/iomem: the guest's Kernel code, rodata, data and bss lines"
is "$(grep -B1 '^  08a00000' "$MNT/proc/iomem" | head -1)" "00100000-1ffdffff : System RAM" \
	"... under the System RAM holding them"
ctl dmesg >"$TMP/dmesg" 2>&1
mem=$(grep -o 'Memory: .*' "$FIX" | sed 's/^Memory: [0-9]*K/Memory: *K/')
is_like "$(grep -o 'Memory: .*' "$TMP/dmesg")" "$mem" \
	"dmesg: the guest's Memory: line (its free pages at page_alloc_init_late() aside)"
is "$(grep -oE 'Freeing .*|software IO TLB: mapped .*' "$TMP/dmesg")" "Freeing SMP alternatives memory: 40K
software IO TLB: mapped [mem 0x000000001b200000-0x000000001f200000] (64MB)
Freeing initrd memory: 1100K
Freeing unused decrypted memory: 2028K
Freeing unused kernel image (initmem) memory: 4260K
Freeing unused kernel image (rodata/data gap) memory: 568K" \
	"dmesg: SWIOTLB where the guest mapped it, and the guest's Freeing lines"
ctl explain 1 >"$TMP/explain" 2>&1
grep -q 'memblock: reserved at boot (kernel image)' "$TMP/explain"
tap_ok $? "explain 1 names the kernel image"
stop_fs

mount_fs "kernelcore=10%" --profile "$TMP/g.profile" --fresh -S none \
	--cmdline "hotmem.kernel_alloc=off kernelcore=10%"
# a bound on a loop only (the old way looped until it): EBUSY comes at once
ctl offline 1 timeout=20000 >"$TMP/off1" 2>&1
is_like "$(cat "$TMP/off1")" "*offline failed: Device or resource busy*" \
	"memory1 (the kernel image in boot Movable): offline EBUSY at once, not EINTR after a loop"
ctl dmesg >"$TMP/dmesg" 2>&1
grep -q 'pfn:0x8a00$' "$TMP/dmesg" && grep -q 'page dumped because: unmovable page' "$TMP/dmesg"
tap_ok $? "... its first page dumped as unmovable, pfn 0x8a00 (_text)"
is "$(w "$MNT/sys/devices/system/memory/memory2/state" offline)" ret=7 \
	"memory2 goes offline, as in the guest"
stop_fs

# the built-in has the guest's keys since 2026-12-03: the same machine
mount_fs "the built-in qemu-512m" --profile qemu-512m --fresh -S none \
	--cmdline hotmem.kernel_alloc=off
is "$(grep '^MemTotal:' "$MNT/proc/meminfo") $(grep -c 'Kernel ' "$MNT/proc/iomem")" \
	"MemTotal:         406852 kB 4" "... the guest's MemTotal and 4 Kernel lines, as the file"
stop_fs
printf 'profile = qemu-512m\nkernel_image = none\ninitrd = none\nrealmode = no\nswiotlb = 0\nboot_reserved = 0\n' \
	>"$TMP/none.profile"
mount_fs "qemu-512m with its keys taken out (none, no, 0)" --profile "$TMP/none.profile" --fresh -S none \
	--cmdline hotmem.kernel_alloc=off
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "MemTotal:         515576 kB" "... boots as before 2026-12-03"
is "$(grep -c 'Kernel ' "$MNT/proc/iomem")" 0 "... no Kernel lines"
stop_fs

sed 's/code=0x8a00000/code=0x8a00800/' "$TMP/g.profile" >"$TMP/bad.profile"
start_refused "a _text not page aligned" 78 "line 2: kernel_image: code= 0x8a00800: not page aligned" \
	--profile "$TMP/bad.profile" \
	--fresh -S none "$MNT"
sed 's/^initrd = .*/initrd = 0xb000000-0xb0fffff/' "$TMP/g.profile" >"$TMP/bad.profile"
start_refused "an initrd over the kernel image" 78 "line 3: initrd 0xb000000-0xb0fffff: over the kernel image" \
	--profile "$TMP/bad.profile" --fresh -S none "$MNT"
done_testing
