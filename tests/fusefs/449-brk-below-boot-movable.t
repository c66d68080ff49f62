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
. "$(dirname "$0")/lib.sh"
require_env

IMAGE="kernel_image = code=0x1000000-0x1ffffff rodata=0x2000000-0x2b71fff data=0x2c00000-0x2e70fbf init=0x3302000-0x372afff smp_locks=0x372b000-0x3734fff bss=0x3736000-0x3bfffff bss_decrypted_unused=0x3a05000-0x3bfffff"
printf 'profile = qemu-512m\n%s\ninitrd = 0x1fd87000-0x1ffdffff\nboot_reserved = 4388K\n' "$IMAGE" \
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
done_testing
