#!/bin/bash
# brk44: x86 6.12's reserve_brk() reserves the brk the boot used where it
# is, from the page after the image's bss, before memblock allocates
# anything top-down; hotmem had only boot_reserved's top-down lump for
# it, so with movablecore= its pages were ZONE_MOVABLE's (walk43: DMA32's
# managed 17 pages above the guest's, Movable's 17 below).  The walk's
# 6.12.118 guest (tests/kernel/diffwalk.py's profile: _text at 0x1000000,
# bss to 0x3bfffff, 17 pages of brk, boot_reserved 68K less than before)
# with movablecore=128M: DMA32 84651 and Movable 13224 managed, the
# guest's; the brk's pages reserved right after bss (kpageflags); the
# Movable block memory3 holds 17 reserved pages fewer than with the brk in
# boot_reserved (explain 3).  The state file keeps the line and restores
# the machine.  Without the key, or without setup_arch_reserve()'s
# reservation of it, the managed counts are the old 84668/13207.
# hotmem profile --from-sysfs of a dump whose dmesg has memblock=debug's
# "memblock_reserve: [S-E] setup_arch+..." at the page after Kernel bss
# writes that brk, boot_reserved calibrated 68K less; the machine's
# "Memory:" line still reserves the guest's total.
. "$(dirname "$0")/lib.sh"
require_env

IMAGE="kernel_image = code=0x1000000-0x1ffffff rodata=0x2000000-0x2b71fff data=0x2c00000-0x2e70fbf init=0x3302000-0x372afff smp_locks=0x372b000-0x3734fff bss=0x3736000-0x3bfffff bss_decrypted_unused=0x3a05000-0x3bfffff"
# brk = 0: the built-in's brk (68K since builtin44) taken out, all of it in boot_reserved
printf 'profile = qemu-512m\n%s\ninitrd = 0x1fd87000-0x1ffdffff\nboot_reserved = 4388K\nbrk = 0\n' "$IMAGE" \
	>"$TMP/lump.profile"
printf 'profile = qemu-512m\n%s\ninitrd = 0x1fd87000-0x1ffdffff\nboot_reserved = 4320K\nbrk = 68K\n' \
	"$IMAGE" >"$TMP/brk.profile"
KCMD="movablecore=128M hotmem.kernel_alloc=off"
managed() { awk '/^Node/ { z = $4 } $1 == "managed" && z ~ /^(DMA32|Movable)$/ { printf "%s %s ", z, $2 }' \
	"$MNT/proc/zoneinfo"; }
memblock_in() { ctl explain "$1" 2>&1 | awk '$1 == "memblock" { print $2 }'; }
# KPF_RESERVED (bit 32) of pfns [$1, $2)
reserved_pfns() {
	python3 - "$MNT/proc/kpageflags" "$1" "$2" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    a, b = int(sys.argv[2], 0), int(sys.argv[3], 0)
    f.seek(a * 8)
    flags = struct.unpack("<%dQ" % (b - a), f.read((b - a) * 8))
print(" ".join("%#x" % (a + i) for i, v in enumerate(flags) if v >> 32 & 1))
PY
}

mount_fs "the brk in boot_reserved's lump (before brk44), movablecore=128M" \
	--profile "$TMP/lump.profile" --fresh -S none --cmdline "$KCMD"
is "$(managed)" "DMA32 84668 Movable 13207 " "... managed: the 17 pages in Movable (walk43's difference)"
lump=$(memblock_in 3)
stop_fs

mount_fs "brk = 68K, boot_reserved 68K less, movablecore=128M" \
	--profile "$TMP/brk.profile" --fresh --cmdline "$KCMD"
is "$(managed)" "DMA32 84651 Movable 13224 " "... managed: the guest's, DMA32 84651, Movable 13224"
# bss's last page 0x3bff is the unused decrypted bss, freed after boot
is "$(reserved_pfns 0x3bff 0x3c12)" "$(printf '%#x ' $(seq $((0x3c00)) $((0x3c10))) | sed 's/ $//')" \
	"... pfns 0x3c00-0x3c10 reserved, right after bss; 0x3bff (freed) and 0x3c11 not"
is "$(( lump - $(memblock_in 3) ))" 17 "... memory3 (Movable) holds 17 reserved pages fewer ($lump before)"
stop_fs
grep -q '"brk = 0x11000"' "$STATE"
tap_ok $? "the state file's profile-config keeps 'brk = 0x11000'"
start_fs --profile "$TMP/brk.profile" --cmdline "$KCMD"
tap_ok $? "... and restores with the same profile file"
is "$(managed)" "DMA32 84651 Movable 13224 " "... the same managed pages"
stop_fs

D=$TMP/dump
capture_dump qemu-6.12.118-qemu-512m "$D"
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$D" -o "$TMP/a.profile" 2>/dev/null
tap_ok $? "hotmem profile --from-sysfs of the 6.12.118 guest's capture"
# its Kernel bss ends at 0xb5fffff: memblock=debug's line for a brk of 17 pages
echo '[    0.000000] memblock_reserve: [0x000000000b600000-0x000000000b610fff] setup_arch+0xc7e/0xe70' \
	>>"$D/dmesg"
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$D" -o "$TMP/b.profile" 2>/dev/null
tap_ok $? "... and of it with memblock=debug's setup_arch line at the page after Kernel bss"
is "$(grep -c '^brk' "$TMP/a.profile") $(grep '^brk' "$TMP/b.profile")" "0 brk = 0x11000" \
	"... brk = 0x11000 from that line, none without it"
bres() { sed -n 's/^boot_reserved = \([0-9]*\)K$/\1/p' "$1"; }
is "$(( $(bres "$TMP/a.profile") - $(bres "$TMP/b.profile") ))" 68 "... boot_reserved calibrated 68K less"
mount_fs "the profile with the brk mounts" --profile "$TMP/b.profile" --fresh -S none \
	--cmdline hotmem.kernel_alloc=off
ctl dmesg >"$TMP/dmesg"
is "$(grep -o '[0-9]*K reserved' "$TMP/dmesg")" "$(grep -o '[0-9]*K reserved' "$FIX")" \
	"... its Memory: line's reserved total the guest's"
is "$(reserved_pfns 0xb600 0xb612)" "$(printf '%#x ' $(seq $((0xb600)) $((0xb610))) | sed 's/ $//')" \
	"... pfns 0xb600-0xb610 reserved, 0xb611 not"
stop_fs
done_testing
