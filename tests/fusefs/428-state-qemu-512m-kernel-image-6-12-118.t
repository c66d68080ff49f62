#!/bin/bash
# A state file saved with a profile file over qemu-512m between
# 2026-12-03 and 2026-12-04, when the built-in's kernel image was its
# 6.12.117 guest's (rodata to 0xa570fff, data to 0xa870f7f, init from
# 0xad01000): since a2daa3cf it is the 6.12.118 guest's.  The machine
# changed under an unchanged profile file (MemTotal 406860 kB then,
# 406852 kB now), so the restore is refused as every change of a
# built-in is -- saying the built-in changed and the whole line that
# gives the machine as saved (reread40 R4: the refusal said only "the
# profile file changed: kernel_image", its saved line cut with "...",
# and --fresh, losing the state, was the way out).  With that line the
# profile file is the old machine again.
. "$(dirname "$0")/lib.sh"
require_env
profile_over_qemu512m my512 my
OLD="kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff data=0xa600000-0xa870f7f init=0xad01000-0xb12afff smp_locks=0xb12b000-0xb134fff bss=0xb136000-0xb5fffff bss_decrypted_unused=0xb405000-0xb5fffff"
saved_with_dimm d1 "hotmemfs mounts a profile file over qemu-512m" --profile "$P" --fresh $KCMD
grep -qF '"kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa571fff ' "$STATE"
tap_ok $? "its state file keeps today's kernel_image line (the 6.12.118 guest's)"
# the line as a build of 2026-12-03 saved it
state_machine_edit 'm["profile-config"] = [("'"$OLD"'" if l.startswith("kernel_image =") else l) for l in m["profile-config"]]'
grep -qF "\"$OLD\"" "$STATE"
tap_ok $? "the state file as one saved before 2026-12-04: the 6.12.117 guest's kernel_image"

profile_changed_refused "restored with the same profile file (the built-in changed)" --profile "$P" $KCMD
grep -qF "hotmemfs: qemu-512m's kernel image is its 6.12.118 guest's since 2026-12-04, the kernel scripts/deps.sh fetches (rodata 4K and data 64 bytes longer, init 4K shorter than the 6.12.117 guest's: MemTotal 406852 kB, it was 406860): '$OLD' in the profile file restores it as saved" "$TMP/out"
tap_ok $? "... saying the built-in changed and the whole line that restores it"

echo "$OLD" >>"$P"
start_fs --profile "$P" $KCMD
tap_ok $? "with that line in the profile file: it starts"
ctl devices | grep -q "^d1 "
tap_ok $? "... with d1 restored"
is "$(grep '^MemTotal:' "$MNT/proc/meminfo")" "MemTotal:         406860 kB" \
	"... the machine as saved: the 6.12.117 guest's MemTotal 406860 kB (d1 offline)"
stop_fs
done_testing
