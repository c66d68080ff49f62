#!/bin/bash
# sysctl.vm.NAME=VALUE words on the kernel command line are applied at
# the end of boot through the sysctl's handler, as 6.12's do_sysctl_args()
# writes them to /proc/sys (a 6.12.117 qemu-512m guest booted with these
# words, tests/fixtures/capture-guest.sh, 2026-12-03): min_free_kbytes
# 8000, the first lowmem_reserve_ratio 1 ('/' as good as '.'), a pool of
# 3 huge pages; a name of none and bad values say the guest's "Failed to
# set sysctl parameter" lines, in the line's order.  They were taken
# without a word and never applied (export33).  Over a restart from the
# state file: the command line's again, a write made since over it.
. "$(dirname "$0")/lib.sh"
require_env

WORDS="sysctl.vm.min_free_kbytes=8000 sysctl.vm.nosuch=1 sysctl.vm.watermark_scale_factor=0 sysctl/vm/lowmem_reserve_ratio=1 sysctl.vm.hugetlb_optimize_vmemmap=x sysctl.vm.user_reserve_kbytes=-5 sysctl.vm.nr_hugepages=3 sysctl.vm.swappiness sysctl.vm.admin_reserve_kbytes="
ARGS=(--profile qemu-512m --cmdline "hotmem.kernel_alloc=off $WORDS")
mount_fs "qemu-512m with sysctl.vm.* words" "${ARGS[@]}" --fresh
V=$MNT/proc/sys/vm
is "$(cat "$V/min_free_kbytes")" 8000 "vm.min_free_kbytes 8000, as the guest's"
is "$(cat "$V/watermark_scale_factor")" 10 "vm.watermark_scale_factor=0 refused: 10"
is "$(cut -f1 "$V/lowmem_reserve_ratio")" 1 "sysctl/vm/lowmem_reserve_ratio=1: the first ratio 1"
is "$(cat "$V/nr_hugepages")" 3 "vm.nr_hugepages 3"
ctl dmesg >"$TMP/dmesg" 2>&1
is "$(grep -E '^<3>(Failed to set sysctl|Setting sysctl)' "$TMP/dmesg")" \
	"<3>Failed to set sysctl parameter 'vm.nosuch=1': parameter not found
<3>Failed to set sysctl parameter 'vm.watermark_scale_factor=0': invalid value
<3>Failed to set sysctl parameter 'vm.hugetlb_optimize_vmemmap=x': invalid value
<3>Failed to set sysctl parameter 'vm.user_reserve_kbytes=-5': invalid value
<3>Setting sysctl args: \`' invalid for parameter \`sysctl.vm.swappiness'
<3>Setting sysctl args: \`' invalid for parameter \`sysctl.vm.admin_reserve_kbytes'" \
	"dmesg: the guest's lines for the refused words, in their order"
grep -q '^<5>Unknown kernel command line parameters "sysctl/vm/lowmem_reserve_ratio=1", will be passed to user space.$' "$TMP/dmesg"
tap_ok $? "... and sysctl/vm/... (no dot) among the unknown parameters, as the guest's"
is "$(w "$V/watermark_scale_factor" 20)" ret=2 "vm.watermark_scale_factor <- 20"
kill9_fs
mount_fs "kill -9, restart from the state file" "${ARGS[@]}"
is "$(cat "$V/min_free_kbytes") $(cat "$V/watermark_scale_factor") $(cat "$V/nr_hugepages")" \
	"8000 20 3" "the command line's min_free_kbytes and pool, the write's scale factor"

# every /proc/sys/vm file hotmemfs serves (HMFS_VM_SYSCTLS) is one the
# boot applies: each given its value of now, none "not found"
words=
for f in "$V"/*; do
	words="$words sysctl.vm.$(basename "$f")=\"$(tr '\t' ' ' <"$f")\""
done
stop_fs
mount_fs "every served vm sysctl on the command line" --profile qemu-512m \
	--cmdline "hotmem.kernel_alloc=off$words" --fresh -S none
is "$(ctl dmesg | grep -c 'sysctl parameter')" 0 "... each applied, none refused (the engine's list is hotmemfs's)"
is "$(cat "$V/min_free_kbytes") $(cat "$V/watermark_scale_factor") $(cat "$V/nr_hugepages")" \
	"8000 20 3" "... as they were"
done_testing
