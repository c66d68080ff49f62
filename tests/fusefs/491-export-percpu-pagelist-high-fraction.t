#!/bin/bash
# hotmemctl export DIR -> hotmem profile --from-sysfs DIR carries
# vm.percpu_pagelist_high_fraction as written at run time (490's file):
# export copies proc/sys/vm/percpu_pagelist_high_fraction, from-sysfs
# writes a value other than the profile's boot gives (0) as a
# sysctl.vm.percpu_pagelist_high_fraction= word at the line's end, and
# the profile mounted boots with it -- the value and zoneinfo's pagesets'
# limits (managed / N over the CPUs) as the machine exported had them.
# A machine whose fraction nobody wrote gets no word.  Before, export
# left the file out and from-sysfs knew no such sysctl: checks 4, 6, 8
# fail without (pcpfile43).
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
V=proc/sys/vm
cmdline_of() { sed -n 's/^cmdline = "\(.*\)"$/\1/p' "$1"; }

mount_fs "qemu-512m" --fresh -S none --profile qemu-512m --cmdline hotmem.kernel_alloc=off
ctl export "$TMP/s" >/dev/null
"$HM" profile --from-sysfs "$TMP/s" -o "$TMP/s.profile" 2>"$TMP/s.notes"; profile_notes "$TMP/s.profile" "$TMP/s.notes"
is "$(cmdline_of "$TMP/s.profile")" "hotmem.kernel_alloc=off" "nothing written: the line it booted with, no word"
is "$(w "$MNT/$V/percpu_pagelist_high_fraction" 100)" ret=3 "percpu_pagelist_high_fraction <- 100"
dma32=$(zone_pcp DMA32)
ctl export "$TMP/a" >/dev/null
is "$(cat "$TMP/a/$V/percpu_pagelist_high_fraction" 2>&1)" 100 "exported with proc/sys/vm/percpu_pagelist_high_fraction"
"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/a.notes"; profile_notes "$TMP/a.profile" "$TMP/a.notes"
tap_ok $? "hotmem profile --from-sysfs"
is "$(cmdline_of "$TMP/a.profile")" "hotmem.kernel_alloc=off sysctl.vm.percpu_pagelist_high_fraction=100" \
	"... the line's word for it, after proc/cmdline's"
stop_fs
mount_fs "the profile mounted" --fresh -S none --profile "$TMP/a.profile"
is "$(cat "$MNT/$V/percpu_pagelist_high_fraction") $(zone_pcp DMA32)" "100 $dma32" \
	"... boots with 100 and DMA32's limits as exported"
is "$(ctl dmesg | grep -c 'sysctl parameter')" 0 "... none refused"
stop_fs
done_testing
