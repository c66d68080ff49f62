#!/bin/bash
# hotmemctl export DIR -> hotmem profile --from-sysfs DIR carries the
# watermark sysctls an operator wrote: export copies
# proc/sys/vm/watermark_scale_factor and lowmem_reserve_ratio, from-sysfs
# writes the values that differ from 6.12's boot (10; 256 256 32 0 0) as
# sysctl.vm.* words on the cmdline line -- last, after proc/cmdline's own,
# so that they win as the kernel applies the words in their order; a value
# proc/cmdline's words already boot gets none, so a machine nothing was
# changed on comes back with the line it booted with -- and
# the profile mounted boots with them (do_sysctl_args()).  They were not
# carried (export wrote none; from-sysfs said so).  min_free_kbytes, the
# kernel's computation unless written (a dump does not tell), stays not
# carried, said.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
V=proc/sys/vm
cmdline_of() { sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$1"; }

mount_fs "qemu-512m with sysctl.vm.watermark_scale_factor=50 on its command line" --fresh -S none \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50"
ctl export "$TMP/s" >/dev/null
"$HM" profile --from-sysfs "$TMP/s" -o "$TMP/s.profile" 2>"$TMP/s.notes"
is "$(cmdline_of "$TMP/s.profile")" "hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50" \
	"nothing changed: export -> from-sysfs gives the line it booted with"
is "$(w "$MNT/$V/watermark_scale_factor" 300)" ret=3 "watermark_scale_factor <- 300"
is "$(w "$MNT/$V/lowmem_reserve_ratio" '128 64 16 0 0')" ret=13 "lowmem_reserve_ratio <- '128 64 16 0 0'"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
is "$(cat "$TMP/a/$V/watermark_scale_factor") $(tr '\t' , <"$TMP/a/$V/lowmem_reserve_ratio")" \
	"300 128,64,16,0,0" "... with proc/sys/vm/watermark_scale_factor and lowmem_reserve_ratio"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
is "$(cmdline_of "$TMP/a.profile")" \
	'hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50 sysctl.vm.watermark_scale_factor=300 sysctl.vm.lowmem_reserve_ratio="128 64 16 0 0"' \
	"... the cmdline line: proc/cmdline's words, then the values now as sysctl.vm.* words"
stop_fs
mount_fs "the profile mounted" --fresh -S none --profile "$TMP/a.profile"
is "$(cat "$MNT/$V/watermark_scale_factor") $(tr '\t' , <"$MNT/$V/lowmem_reserve_ratio")" \
	"300 128,64,16,0,0" "... boots with the values written at run time"
is "$(ctl dmesg | grep -c 'sysctl parameter')" 0 "... none refused"
stop_fs

# a live "/" or a hand dump: min_free_kbytes said, not carried
cp -r "$TMP/a" "$TMP/v"
printf '10\n' >"$TMP/v/$V/watermark_scale_factor"
printf '256\t256\t32\t0\t0\n' >"$TMP/v/$V/lowmem_reserve_ratio"
echo 128 >"$TMP/v/$V/min_free_kbytes"
"$HM" profile --from-sysfs "$TMP/v" -o "$TMP/v.profile" 2>"$TMP/v.notes"
is "$(cmdline_of "$TMP/v.profile")" \
	"hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50 sysctl.vm.watermark_scale_factor=10" \
	"a value other than proc/cmdline boots, 6.12's own too: its word; the ratios 6.12 boots: none"
grep -q "proc/sys/vm: min_free_kbytes: the kernel computes it unless it was written" "$TMP/v.notes"
tap_ok $? "... min_free_kbytes said, not carried" || diag "$(grep proc/sys/vm "$TMP/v.notes")"
# words the kernel's parser refuses ("+50": no digit first) or stops in
# ("1,2": ',' ends no number, nothing stored) boot 6.12's values: nothing
# changed, so the line comes back as it booted (reread34 R7: from-sysfs
# parsed them with strtol(), took 50 and ratio 1, and added words)
mount_fs "qemu-512m booted with words the handlers refuse" --fresh -S none --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=+50 sysctl.vm.lowmem_reserve_ratio=1,2"
is "$(cat "$MNT/$V/watermark_scale_factor") $(tr '\t' , <"$MNT/$V/lowmem_reserve_ratio")" "10 256,256,32,0,0" \
	"... the engine took neither"
ctl export "$TMP/r" >/dev/null
"$HM" profile --from-sysfs "$TMP/r" -o "$TMP/r.profile" 2>"$TMP/r.notes"
is "$(cmdline_of "$TMP/r.profile")" \
	"hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=+50 sysctl.vm.lowmem_reserve_ratio=1,2" \
	"... export -> from-sysfs gives the line it booted with"
stop_fs
done_testing
