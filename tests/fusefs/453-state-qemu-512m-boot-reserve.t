#!/bin/bash
# A state file saved with a profile file over qemu-512m before
# 2026-12-03, when the built-in took none of its guest's boot
# reservations (no kernel_image, initrd, realmode, swiotlb, boot_reserved
# line in its "profile-config"; MemTotal 515576 kB, now 406852 kB): the
# machine changed under an unchanged profile file -- about 106 MiB less
# free at boot -- so the restore is refused as maxmem's move is (467),
# naming the lines and the ones that give the machine as saved
# ('kernel_image = none', 'initrd = none', 'realmode = no', 'swiotlb = 0',
# 'boot_reserved = 0').  With them the profile file is that machine again.
# A built-in's state file (no profile file) restores onto the new machine.
# The refusal's long kernel_image line is cut at a word's end with " ...".
. "$(dirname "$0")/lib.sh"
require_env
profile_over_qemu512m old
HINT="'kernel_image = none', 'initrd = none', 'realmode = no', 'swiotlb = 0' and 'boot_reserved = 0'"
# the machine as it was: the same file with the hint's lines
{ cat "$P"; echo "$HINT" | sed "s/' and '/\n/; s/', '/\n/g; s/'//g"; } >"$TMP/was.profile"
is "$(grep -c . "$TMP/was.profile")" 7 "the old machine's profile: the file and the five lines"
cp "$TMP/was.profile" "$P"
mount_fs "hotmemfs mounts qemu-512m as it was before 2026-12-03 (no boot reservations)" \
	--profile "$P" --fresh $KCMD
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "MemTotal:         515576 kB" "... MemTotal as it was"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM d1"
stop_fs
# its profile-config as a build of before wrote it for the file alone
profile_over_qemu512m old
state_machine_edit 'm["profile-config"] = [l for l in m["profile-config"] if l.split(" =")[0] not in ("kernel_image", "initrd", "realmode", "swiotlb", "boot_reserved")]'
! grep -qE '"(kernel_image|initrd|realmode|swiotlb|boot_reserved) =' "$STATE"
tap_ok $? "the state file as one saved before: no boot reservation line"

profile_changed_refused "restored with the same profile file (the machine changed)" --profile "$P" $KCMD
# brk: qemu-512m's own line since builtin44 (2026-12-04)
grep -qF "changed since this state was saved: kernel_image, initrd, brk, realmode, swiotlb, boot_reserved (now 'kernel_image = code=0x8a00000-" "$TMP/out"
tap_ok $? "... naming the lines now"
# kernel_image's line (~200 bytes) cut at a word's end, its quote closed
# and the lines not shown counted (boot34: cut mid-word at 160 bytes,
# "...bss=0xb1360)", the rest lost)
grep -qE "\(now 'kernel_image = code=0x8a00000-[^' ]+( [^' ]+)* \.\.\.', 'initrd = [^']+' and 4 more\)$" "$TMP/out"
tap_ok $? "... a long line cut at a word's end, then ' ...', the other lines counted"
grep -qF "hotmemfs: qemu-512m takes its 6.12 guest's boot reservations since 2026-12-03 (the kernel image, initrd, first MiB, SWIOTLB and the rest: MemTotal 406852 kB, 406860 until 2026-12-04; it took none): $HINT in the profile file restore it as saved (no kernel image, no brk: qemu-512m's since 2026-12-04 too)" "$TMP/out"
tap_ok $? "... and the lines that restore it as saved, the brk (since 2026-12-04) too"

cp "$TMP/was.profile" "$P"
start_fs --profile "$P" $KCMD
tap_ok $? "with those lines in the profile file: it starts"
ctl devices | grep -q "^d1 .* 0x0000000100000000 "
tap_ok $? "... with d1 restored"
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "MemTotal:         515576 kB" \
	"... the machine as saved: MemTotal 515576 kB (d1 offline)"
stop_fs

# a built-in's state file: its name is its machine, restored onto today's
saved_with_dimm d2 "hotmemfs mounts the built-in qemu-512m" --profile qemu-512m --fresh $KCMD
state_machine_edit 'm["profile"] = "qemu-512m"; m.pop("profile-config", None)'
start_fs --profile qemu-512m $KCMD
tap_ok $? "a built-in qemu-512m's state file restores"
ctl devices | grep -q "^d2 "
tap_ok $? "... with d2 restored"
# (the built-in's 6.12.118 guest since 2026-12-04: 8K less than the
# 6.12.117 guest's 406860 kB; tests/fusefs/428)
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "MemTotal:         406852 kB" \
	"... onto today's machine: MemTotal 406852 kB (d2 offline)"
stop_fs
done_testing
