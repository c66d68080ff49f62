#!/bin/bash
# builtin44: qemu-512m reserves its 6.12.118 guest's brk -- 17 pages
# right after the kernel image's bss, reserve_brk()'s -- since 2026-12-04
# (`brk = 68K`), and its boot_reserved is 68K less (4328K; the 4396K held
# the brk, placed top-down).  Without movablecore=/kernelcore= the machine
# is the same (MemTotal, every zone's managed and present); with
# movablecore=128M the 17 pages are DMA32's now, they were Movable's.
# A state file saved with a profile file over qemu-512m before that
# (boot_reserved = 0x44b000, no brk line in its "profile-config") is of
# the old machine under an unchanged profile file: refused as every
# change of a built-in is, saying the change and the lines that give the
# machine as saved ('brk = 0' and 'boot_reserved = 0x44b000'); with them
# the machine is restored as saved, zoneinfo, meminfo and iomem byte for
# byte.  A profile file whose boot_reserved is its own is told 'brk = 0'
# alone.  Without state_profile.c's two entries the refusal says no
# line (checks 7 and 18 fail).
. "$(dirname "$0")/lib.sh"
require_env
profile_over_qemu512m old
CMD=(--cmdline "hotmem.kernel_alloc=off movablecore=128M")
managed() { awk '/^Node/ { z = $4 } $1 == "managed" && z ~ /^(DMA32|Movable)$/ { printf "%s %s ", z, $2 }' \
	"$MNT/proc/zoneinfo"; }
# numa_hit/numa_local aside: a restore counts from 0 again (the DIMM's
# add counted 1; so with any state file, not this change's)
snap() { for f in zoneinfo meminfo iomem; do grep -vE '^ +numa_(hit|local) ' "$MNT/proc/$f"; done >"$1"; }

# the old machine, as a build of before 2026-12-04 made it for the file alone
printf 'brk = 0\nboot_reserved = 4396K\n' >>"$P"
mount_fs "hotmemfs mounts qemu-512m as it was before 2026-12-04 (the brk in boot_reserved)" \
	--profile "$P" --fresh "${CMD[@]}"
is "$(managed)" "DMA32 84668 Movable 13205 " "... movablecore=128M: the brk's 17 pages in Movable"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM d1"
snap "$TMP/saved"
stop_fs
grep -q '"boot_reserved = 0x44b000"' "$STATE" && ! grep -q '"brk = ' "$STATE"
tap_ok $? "its state file as one saved before: boot_reserved = 0x44b000, no brk line"

profile_over_qemu512m old
CMD=(--cmdline "hotmem.kernel_alloc=off movablecore=128M")
sum=$(md5sum <"$STATE")
profile_changed_refused "restored with the same profile file (the built-in changed)" --profile "$P" "${CMD[@]}"
grep -qF "changed since this state was saved: boot_reserved, brk (saved with 'boot_reserved = 0x44b000'; now 'brk = 0x11000', 'boot_reserved = 0x43a000')" "$TMP/out" &&
	grep -qxF "hotmemfs: qemu-512m reserves its 6.12.118 guest's brk since 2026-12-04, the 17 pages right after the kernel image's bss (brk = 68K), and its boot_reserved is 68K less (4328K; the 4396K held the brk, top-down): the same MemTotal 406852 kB, but with movablecore= or kernelcore= those pages stay below ZONE_MOVABLE: 'brk = 0' and 'boot_reserved = 0x44b000' in the profile file restore it as saved" "$TMP/out"
tap_ok $? "... saying the built-in changed and the two lines that restore it, in one line"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"

printf 'brk = 0\nboot_reserved = 0x44b000\n' >>"$P"
start_fs --profile "$P" "${CMD[@]}"
tap_ok $? "with those lines in the profile file: it restores"
ctl devices | grep -q "^d1 "
tap_ok $? "... with d1"
snap "$TMP/restored"
is "$(diff "$TMP/saved" "$TMP/restored")" "" "... the machine as saved: zoneinfo (its NUMA counts aside), meminfo and iomem byte for byte"
stop_fs

# today's machine: 17 pages more in DMA32, the rest as before
mount_fs "today's qemu-512m, movablecore=128M" --profile qemu-512m --fresh -S none "${CMD[@]}"
is "$(managed)" "DMA32 84651 Movable 13222 " "... the brk's 17 pages in DMA32, below the image's end"
stop_fs

# a boot_reserved of the profile file's own: the brk came besides it
printf 'profile = qemu-512m\nname = own\nboot_reserved = 1M\nbrk = 0\n' >"$P"
saved_with_dimm d2 "a profile file with its own boot_reserved, before 2026-12-04" --profile "$P" --fresh "${CMD[@]}"
printf 'profile = qemu-512m\nname = own\nboot_reserved = 1M\n' >"$P"
profile_changed_refused "restored with the same profile file" --profile "$P" "${CMD[@]}"
grep -qxF "hotmemfs: qemu-512m reserves its 6.12.118 guest's brk since 2026-12-04, the 17 pages right after the kernel image's bss (brk = 68K), besides a boot_reserved the profile file gives: 'brk = 0' in the profile file restores it as saved" "$TMP/out"
tap_ok $? "... saying the brk came, and 'brk = 0'"
echo 'brk = 0' >>"$P"
start_fs --profile "$P" "${CMD[@]}"
tap_ok $? "with it: it restores"
stop_fs
done_testing
