#!/bin/bash
# hotmemctl export DIR -> hotmem profile --from-sysfs DIR carries the
# watermark sysctls an operator wrote: export copies
# proc/sys/vm/watermark_scale_factor, lowmem_reserve_ratio and
# watermark_boost_factor (since lead39: it was written but not carried),
# from-sysfs writes the values that differ from 6.12's boot (10; 256 256
# 32 0 0; 15000) as
# sysctl.vm.* words on the cmdline line -- last, after proc/cmdline's own,
# so that they win as the kernel applies the words in their order; a value
# proc/cmdline's words already boot gets none, so a machine nothing was
# changed on comes back with the line it booted with -- and
# the profile mounted boots with them (do_sysctl_args()).  They were not
# carried (export wrote none; from-sysfs said so).  Since a7b1e558 what
# the dump's line boots is found by booting it (fs_boot_vm()): the pool
# and HVO come back as hugepages= / hugetlb_free_vmemmap= (the line's
# sysctl.vm.* words for them dropped, said), and a min_free_kbytes other
# than the profile computes is carried as a word, said (reread35 R4).
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
V=proc/sys/vm
cmdline_of() { sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$1"; }

mount_fs "qemu-512m with sysctl.vm.watermark_scale_factor=50 on its command line" --fresh -S none \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50"
ctl export "$TMP/s" >/dev/null
"$HM" profile --from-sysfs "$TMP/s" -o "$TMP/s.profile" 2>"$TMP/s.notes"; profile_notes "$TMP/s.profile" "$TMP/s.notes"
is "$(cmdline_of "$TMP/s.profile")" "hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50" \
	"nothing changed: export -> from-sysfs gives the line it booted with"
is "$(w "$MNT/$V/watermark_scale_factor" 300)" ret=3 "watermark_scale_factor <- 300"
is "$(w "$MNT/$V/lowmem_reserve_ratio" '128 64 16 0 0')" ret=13 "lowmem_reserve_ratio <- '128 64 16 0 0'"
is "$(w "$MNT/$V/watermark_boost_factor" 0)" ret=1 "watermark_boost_factor <- 0"
ctl export "$TMP/a" >/dev/null
tap_ok $? "exported"
is "$(cat "$TMP/a/$V/watermark_scale_factor") $(tr '\t' , <"$TMP/a/$V/lowmem_reserve_ratio") $(cat "$TMP/a/$V/watermark_boost_factor")" \
	"300 128,64,16,0,0 0" "... with proc/sys/vm/watermark_scale_factor, lowmem_reserve_ratio and watermark_boost_factor"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
is "$(cmdline_of "$TMP/a.profile")" \
	'hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50 sysctl.vm.watermark_scale_factor=300 sysctl.vm.lowmem_reserve_ratio="128 64 16 0 0" sysctl.vm.watermark_boost_factor=0' \
	"... the cmdline line: proc/cmdline's words, then the values now as sysctl.vm.* words"
stop_fs
mount_fs "the profile mounted" --fresh -S none --profile "$TMP/a.profile"
is "$(cat "$MNT/$V/watermark_scale_factor") $(tr '\t' , <"$MNT/$V/lowmem_reserve_ratio") $(cat "$MNT/$V/watermark_boost_factor")" \
	"300 128,64,16,0,0 0" "... boots with the values written at run time"
is "$(ctl dmesg | grep -c 'sysctl parameter')" 0 "... none refused"
stop_fs

# a live "/" or a hand dump: a min_free_kbytes other than the profile's
# boot computes is carried too (a boot of the profile decides: reread35
# R4), said -- an operator's value, or khugepaged's
cp -r "$TMP/a" "$TMP/v"
printf '10\n' >"$TMP/v/$V/watermark_scale_factor"
printf '15000\n' >"$TMP/v/$V/watermark_boost_factor"
printf '256\t256\t32\t0\t0\n' >"$TMP/v/$V/lowmem_reserve_ratio"
echo 128 >"$TMP/v/$V/min_free_kbytes"
"$HM" profile --from-sysfs "$TMP/v" -o "$TMP/v.profile" 2>"$TMP/v.notes"; profile_notes "$TMP/v.profile" "$TMP/v.notes"
is "$(cmdline_of "$TMP/v.profile")" \
	"hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=50 sysctl.vm.min_free_kbytes=128 sysctl.vm.watermark_scale_factor=10" \
	"a value other than proc/cmdline boots, 6.12's own too: its word; the ratios 6.12 boots: none"
grep -q "proc/sys/vm: min_free_kbytes 128, the profile's boot computes [0-9]* (it was written, or raised by khugepaged" "$TMP/v.notes"
tap_ok $? "... min_free_kbytes's word said" || diag "$(grep proc/sys/vm "$TMP/v.notes")"
# words the kernel's parser refuses ("+50": no digit first) or stops in
# ("1,2": ',' ends no number, nothing stored) boot 6.12's values: nothing
# changed, so the line comes back as it booted (reread34 R7: from-sysfs
# parsed them with strtol(), took 50 and ratio 1, and added words)
mount_fs "qemu-512m booted with words the handlers refuse" --fresh -S none --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=+50 sysctl.vm.lowmem_reserve_ratio=1,2"
is "$(cat "$MNT/$V/watermark_scale_factor") $(tr '\t' , <"$MNT/$V/lowmem_reserve_ratio")" "10 256,256,32,0,0" \
	"... the engine took neither"
ctl export "$TMP/r" >/dev/null
"$HM" profile --from-sysfs "$TMP/r" -o "$TMP/r.profile" 2>"$TMP/r.notes"; profile_notes "$TMP/r.profile" "$TMP/r.notes"
is "$(cmdline_of "$TMP/r.profile")" \
	"hotmem.kernel_alloc=off sysctl.vm.watermark_scale_factor=+50 sysctl.vm.lowmem_reserve_ratio=1,2" \
	"... export -> from-sysfs gives the line it booted with"
stop_fs

# reread35 R4: every vm sysctl the boot applies is held against a boot of
# the line, not two of the nine by a word matcher (hugepages= and
# hugetlb_free_vmemmap= alone decided the pool and HVO, and the line's
# sysctl.vm.* words after them won).  hp DESC CMDLINE WRITE WANT_LINE
# WANT_POOL: booted with CMDLINE, the pool written WRITE ("" none),
# exported, profiled, mounted
hp() {
	mount_fs "qemu-512m booted with $2" --fresh -S none --profile qemu-512m --cmdline "hotmem.kernel_alloc=off $2"
	[ -z "$3" ] || w "$MNT/$V/nr_hugepages" "$3" >/dev/null
	ctl export "$TMP/$1" >/dev/null
	stop_fs
	"$HM" profile --from-sysfs "$TMP/$1" -o "$TMP/$1.profile" 2>"$TMP/$1.notes"; profile_notes "$TMP/$1.profile" "$TMP/$1.notes"
	is "$(cmdline_of "$TMP/$1.profile")" "$4" "... from-sysfs: $4"
	mount_fs "... that profile mounts" --fresh -S none --profile "$TMP/$1.profile"
	is "$(cat "$MNT/$V/nr_hugepages")" "$5" "... its pool $5, the dump's"
	stop_fs
}
hp p1 "sysctl.vm.nr_hugepages=3" 2 "hotmem.kernel_alloc=off hugepages=2" 2
grep -q "HugeTLB: the pool (2 pages) is not what proc/cmdline boots (sysctl.vm.nr_hugepages=3: 3 pages): .* hugepages=2 .*; proc/cmdline's sysctl.vm.nr_hugepages=3 left out" "$TMP/p1.notes"
tap_ok $? "... said: what the line boots, and its word left out" || diag "$(grep HugeTLB "$TMP/p1.notes")"
hp p2 "hugepages=2 sysctl.vm.nr_hugepages=6" 2 "hotmem.kernel_alloc=off hugepages=2" 2
grep -q "HugeTLB: the pool (2 pages) is not what proc/cmdline boots (hugepages=2 sysctl.vm.nr_hugepages=6: 6 pages)" "$TMP/p2.notes"
tap_ok $? "... said" || diag "$(grep HugeTLB "$TMP/p2.notes")"
hp p3 "hugepages=8 sysctl.vm.nr_hugepages=3" "" "hotmem.kernel_alloc=off hugepages=8 sysctl.vm.nr_hugepages=3" 3
! grep -q HugeTLB "$TMP/p3.notes"
tap_ok $? "... nothing changed: the line as it booted, nothing said of the pool" || diag "$(grep HugeTLB "$TMP/p3.notes")"
# the engine's own path rule (reread35 R6 second half): sysctl/vm//nr_hugepages names the pool too
hp p4 "sysctl/vm//nr_hugepages_mempolicy=3" 1 "hotmem.kernel_alloc=off hugepages=1" 1

# HVO and nr_overcommit_hugepages written over the line's sysctl words
mount_fs "qemu-512m booted with HVO off and overcommit 5 by sysctl words" --fresh -S none --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off sysctl.vm.hugetlb_optimize_vmemmap=0 sysctl.vm.nr_overcommit_hugepages=5"
w "$MNT/$V/hugetlb_optimize_vmemmap" 1 >/dev/null
w "$MNT/$V/nr_overcommit_hugepages" 0 >/dev/null
ctl export "$TMP/h" >/dev/null
stop_fs
"$HM" profile --from-sysfs "$TMP/h" -o "$TMP/h.profile" 2>"$TMP/h.notes"; profile_notes "$TMP/h.profile" "$TMP/h.notes"
is "$(cmdline_of "$TMP/h.profile")" \
	"hugetlb_free_vmemmap=on hotmem.kernel_alloc=off sysctl.vm.nr_overcommit_hugepages=5 sysctl.vm.nr_overcommit_hugepages=0" \
	"from-sysfs: HVO's boot word first, the line's word for it gone; overcommit's word last"
grep -q "hugetlb_free_vmemmap: vm.hugetlb_optimize_vmemmap is 1, proc/cmdline boots it off (written at run time): the profile boots hugetlb_free_vmemmap=on (proc/cmdline's sysctl.vm.hugetlb_optimize_vmemmap=0 left out" "$TMP/h.notes"
tap_ok $? "... said" || diag "$(grep vmemmap "$TMP/h.notes")"
! grep -q "nr_overcommit_hugepages.*not carried" "$TMP/h.notes"
tap_ok $? "... overcommit not said to be lost" || diag "$(grep overcommit "$TMP/h.notes")"
mount_fs "... that profile mounts" --fresh -S none --profile "$TMP/h.profile"
is "$(cat "$MNT/$V/hugetlb_optimize_vmemmap") $(cat "$MNT/$V/nr_overcommit_hugepages")" "1 0" \
	"... HVO on, overcommit 0: the dump's"
stop_fs

# reread35 R6: vm..watermark_scale_factor (6.12's path walk takes it, the
# engine's boot too) is what the line boots, not a value to add again
mount_fs "qemu-512m booted with sysctl.vm..watermark_scale_factor=50" --fresh -S none --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off sysctl.vm..watermark_scale_factor=50"
is "$(cat "$MNT/$V/watermark_scale_factor")" 50 "... the engine took it"
ctl export "$TMP/d" >/dev/null
stop_fs
"$HM" profile --from-sysfs "$TMP/d" -o "$TMP/d.profile" 2>"$TMP/d.notes"; profile_notes "$TMP/d.profile" "$TMP/d.notes"
is "$(cmdline_of "$TMP/d.profile")" "hotmem.kernel_alloc=off sysctl.vm..watermark_scale_factor=50" \
	"... export -> from-sysfs gives the line it booted with"
done_testing
