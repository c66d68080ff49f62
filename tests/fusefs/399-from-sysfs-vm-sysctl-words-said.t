#!/bin/bash
# hotmem profile --from-sysfs writes a run-time vm sysctl of the dump as a
# sysctl.vm.* word the kernel's parser gives back as it is (6.12
# lib/cmdline.c next_arg(), which do_sysctl_args() reads the line with: a
# '"' opens or closes a quote wherever it is, with no escape), and says
# what it leaves out.  Before, a hand dump's watermark_scale_factor of
# 3"00 became sysctl.vm.watermark_scale_factor=3"00, whose quote ran on
# into the next word: lowmem_reserve_ratio's was swallowed and dropped as
# "does not set it"; and when the profile did not boot with the words
# (here a line past x86's 2047 bytes) every one was dropped unsaid.
# A proc/cmdline word longer than hotmem's parser takes is left out,
# said, and the words after it read (they were lost with it, unsaid).
# The dump: the real 6.12.117 qemu-512m guest's capture with proc/sys/vm.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
D=$TMP/dump
V=$D/proc/sys/vm
cmdline_of() { sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$1"; }
capture_dump qemu-6.12-qemu-512m "$D"
mkdir -p "$V"
echo 128 >"$V/min_free_kbytes"
printf '3"00\n' >"$V/watermark_scale_factor"
printf '128\t64\t16\t0\t0\n' >"$V/lowmem_reserve_ratio"
"$HM" profile --from-sysfs "$D" -o "$TMP/q.profile" 2>"$TMP/q.notes"; profile_notes "$TMP/q.profile" "$TMP/q.notes"
tap_ok $? "a dump with watermark_scale_factor 3\"00: hotmem profile --from-sysfs"
is "$(cmdline_of "$TMP/q.profile")" 'sysctl.vm.min_free_kbytes=128 sysctl.vm.lowmem_reserve_ratio="128 64 16 0 0"' \
	"... min_free_kbytes's and lowmem_reserve_ratio's words; none for watermark_scale_factor"
grep -qF "could not infer: proc/sys/vm: watermark_scale_factor 3\"00: the kernel's command line cannot say it (6.12 next_arg() takes its '\"' for a quote, bare or quoted, and has no escape for it): not carried" \
	"$TMP/q.notes"
tap_ok $? "... why not, said" || diag "$(grep proc/sys/vm "$TMP/q.notes")"
! grep -q "lowmem_reserve_ratio.*not carried" "$TMP/q.notes"
tap_ok $? "... lowmem_reserve_ratio's not said dropped"
mount_fs "the profile mounts" --fresh -S none --profile "$TMP/q.profile"
is "$(tr '\t' , <"$MNT/proc/sys/vm/lowmem_reserve_ratio") $(cat "$MNT/proc/sys/vm/min_free_kbytes")" \
	"128,64,16,0,0 128" "... and boots the dump's lowmem_reserve_ratio and min_free_kbytes"
stop_fs

# a line the words push past 2047 bytes (x86's COMMAND_LINE_SIZE, the
# cmdline key's and the engine's limit alike since hotmem takes 2047):
# those that fit are carried, the one that does not is said, named
printf '300\n' >"$V/watermark_scale_factor"
python3 -c "print(' '.join(['sysctl.vm.watermark_scale_factor=10'] * 55))" >"$D/proc/cmdline"
"$HM" profile --from-sysfs "$D" -o "$TMP/l.profile" 2>"$TMP/l.notes"; profile_notes "$TMP/l.profile" "$TMP/l.notes"
tap_ok $? "a dump whose proc/cmdline is 1979 bytes: hotmem profile --from-sysfs"
same_output "$(cmdline_of "$TMP/l.profile")" \
	"$(cat "$D/proc/cmdline") sysctl.vm.min_free_kbytes=128 sysctl.vm.watermark_scale_factor=300" \
	"... the cmdline line is proc/cmdline's and the two words that fit its 2047 bytes"
grep -qF 'could not infer: proc/sys/vm: lowmem_reserve_ratio: its word does not fit the cmdline line: not carried' \
	"$TMP/l.notes"
tap_ok $? "... the word left out and why, said" || diag "$(grep -i 'vm sysctls\|proc/sys/vm' "$TMP/l.notes")"

# a proc/cmdline longer than x86's 2047 bytes (another architecture's,
# or a hand dump): read up to the word that crosses byte 2047, the rest
# said left out (it was read into 1024 bytes, the rest lost unsaid)
rm -f "$V/min_free_kbytes" "$V/watermark_scale_factor" "$V/lowmem_reserve_ratio"
python3 -c "print(' '.join(['sysctl.vm.watermark_scale_factor=10'] * 60))" >"$D/proc/cmdline"
"$HM" profile --from-sysfs "$D" -o "$TMP/x.profile" 2>"$TMP/x.notes"; profile_notes "$TMP/x.profile" "$TMP/x.notes"
tap_ok $? "a dump whose proc/cmdline is 2159 bytes: hotmem profile --from-sysfs"
same_output "$(cmdline_of "$TMP/x.profile")" \
	"$(python3 -c "print(' '.join(['sysctl.vm.watermark_scale_factor=10'] * 56))")" \
	"... its words up to the one crossing byte 2047 carried"
grep -qF "could not infer: proc/cmdline: longer than the 2047 bytes of x86's COMMAND_LINE_SIZE, hotmem's limit: the words from its byte 2017 on left out" \
	"$TMP/x.notes"
tap_ok $? "... the cut said" || diag "$(grep proc/cmdline "$TMP/x.notes")"

# a word longer than hotmem's parser takes (511 bytes; the kernel's line
# holds 2047), quoted blanks in it: left out, said, and the words after
# it read (they were all lost with it, unsaid)
rm -f "$V/min_free_kbytes" "$V/watermark_scale_factor" "$V/lowmem_reserve_ratio"
python3 -c "print('console=ttyS0 dyndbg=\"' + 'x' * 600 + ' +p\" hotmem.kernel_alloc=off memhp_default_state=online')" \
	>"$D/proc/cmdline"
"$HM" profile --from-sysfs "$D" -o "$TMP/w.profile" 2>"$TMP/w.notes"; profile_notes "$TMP/w.profile" "$TMP/w.notes"
tap_ok $? "a dump whose proc/cmdline has a 612-byte dyndbg= word: hotmem profile --from-sysfs"
is "$(cmdline_of "$TMP/w.profile")" "hotmem.kernel_alloc=off memhp_default_state=online" \
	"... the words after it carried"
grep -qF "could not infer: proc/cmdline: dyndbg=\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...: a word of 612 bytes, longer than hotmem's parser takes (511): left out" \
	"$TMP/w.notes"
tap_ok $? "... the long one left out, said" || diag "$(grep 'proc/cmdline' "$TMP/w.notes")"
done_testing
