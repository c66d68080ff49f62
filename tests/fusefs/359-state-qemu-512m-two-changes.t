#!/bin/bash
# A state file saved with a profile file over qemu-512m before two of the
# built-in's changes at once -- its boot reservations and its addresses'
# end at 11.5 GiB (both 2026-12-03; tests/fusefs/453 and 467 each alone):
# refused, with a line for each change naming the lines that restore it
# as saved (state_profile.c builtin_changes[], one walk), and with all of
# them in the profile file it is that machine again.  And a change of the
# built-in said on its own, where the file was given another's lines:
# the ram lines the RAM hint named (2026-12-02) but not memory_failure
# and crash_hotplug (2026-11-30) -- the hint came only with the RAM
# change before the table (check 16 fails on that code).
. "$(dirname "$0")/lib.sh"
require_env
profile_over_qemu512m old
BOOT="hotmemfs: qemu-512m takes its 6.12 guest's boot reservations since 2026-12-03 (the kernel image, initrd, first MiB, SWIOTLB and the rest: MemTotal 406852 kB, 406860 until 2026-12-04; it took none): 'kernel_image = none', 'initrd = none', 'realmode = no', 'swiotlb = 0' and 'boot_reserved = 0' in the profile file restore it as saved (no kernel image, no brk: qemu-512m's since 2026-12-04 too)"
MAXMEM="hotmemfs: qemu-512m's addresses end at 11.5 GiB since 2026-12-03, where QEMU's device memory for -m 512M,slots=4,maxmem=4G does (they ended at 8 GiB): 'maxmem = 8G' in the profile file restores it as saved"

saved_with_dimm d1 "hotmemfs mounts a profile file over qemu-512m" --profile "$P" --fresh $KCMD
# the file as a build of before 2026-12-03 saved it: no boot reservation
# line (nor qemu-512m's brk, its own line since 2026-12-04), maxmem 8 GiB
# and no qemu_maxmem
state_machine_edit 'm["profile-config"] = [("maxmem = 0x200000000" if l.startswith("maxmem =") else l) for l in m["profile-config"] if l.split(" =")[0] not in ("kernel_image", "initrd", "brk", "realmode", "swiotlb", "boot_reserved", "qemu_maxmem")]'
! grep -qE '"(kernel_image|initrd|brk|realmode|swiotlb|boot_reserved|qemu_maxmem) =' "$STATE" &&
	grep -q '"maxmem = 0x200000000"' "$STATE"
tap_ok $? "the state file as one saved before both changes"

sum=$(md5sum <"$STATE")
start_refused "restored with the same profile file" 78 \
	"changed since this state was saved: maxmem, qemu_maxmem, kernel_image, initrd, brk, realmode, swiotlb, boot_reserved \\(saved with 'maxmem = 0x200000000'; now " \
	--control "$CTL" --state "$STATE" --profile "$P" $KCMD "$MNT"
sed 's/^/# /' "$TMP/out"
# each change its own whole line, in the table's order, right after the refusal's first line
is "$(sed -n '2,3p' "$TMP/out")" "$BOOT
$MAXMEM" "... a line for each change, whole, each with its lines"
is "$(sed -n '4p' "$TMP/out")" \
	"hotmemfs: refusing to restore it onto a different machine; put the profile back as it was, or start with --fresh" \
	"... then the refusal"
is "$(md5sum <"$STATE")" "$sum" "... the state file left as it was"

printf 'kernel_image = none\ninitrd = none\nrealmode = no\nswiotlb = 0\nboot_reserved = 0\nmaxmem = 8G\n' >>"$P"
start_fs --profile "$P" $KCMD
tap_ok $? "with the six lines in the profile file: it starts"
ctl devices | grep -q "^d1 .* 0x0000000100000000 "
tap_ok $? "... with d1 restored"
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "MemTotal:         515576 kB" \
	"... the machine as saved: no boot reservations (MemTotal 515576 kB, d1 offline)"
err=$(ctl device_add pc-dimm id=d11 size=128M addr=0x2c0000000 2>&1)
is "${err#hotmemctl: error: }" \
	"can't add memory device [0x2c0000000:0x8000000], usable range for memory devices [0x100000000:0x100000000]" \
	"... and its region ending at 8 GiB"
stop_fs

# saved before 2026-11-30 (no memory_failure nor crash_hotplug then), the
# profile file given the old ram lines since (the RAM hint's): only the
# 2026-11-30 change is left, said on its own
OLD_RAM='ram = 0x1000-0x9efff node=0\nram = 0x100000-0x1fffffff node=0\n'
printf "profile = qemu-512m\nname = old\n${OLD_RAM}memory_failure = no\ncrash_hotplug = no\n" >"$P"
mount_fs "a profile file of the qemu-512m of before 2026-11-30" --profile "$P" --fresh $KCMD
stop_fs
printf "profile = qemu-512m\nname = old\n$OLD_RAM" >"$P"
start_refused "restored with the ram lines only" 78 \
	"changed since this state was saved: memory_failure, crash_hotplug \\(saved with 'memory_failure = no', 'crash_hotplug = no'; now 'memory_failure = yes', 'crash_hotplug = yes'\\)" \
	--control "$CTL" --state "$STATE" --profile "$P" $KCMD "$MNT"
sed 's/^/# /' "$TMP/out"
is "$(sed -n '2p' "$TMP/out")" \
	"hotmemfs: qemu-512m's memory_failure and crash_hotplug are yes since 2026-11-30, as its Debian 6.12 kernel's: 'memory_failure = no' and 'crash_hotplug = no' in the profile file restore it as saved" \
	"... saying that change alone, and its two lines"
done_testing
