#!/bin/bash
# sysctl.vm.percpu_pagelist_high_fraction=N on the command line is a
# write of the sysctl at the end of boot (6.12 do_sysctl_args()), which
# percpu_pagelist_high_fraction_sysctl_handler() takes: 1..7 refused
# ("invalid value", below MIN_PERCPU_PAGELIST_HIGH_FRACTION; the value
# kept), any other new value sets every populated zone's pagesets'
# limits (for_each_populated_zone() zone_set_pageset_high_and_batch()):
# high_min = high_max = the managed pages over N, split over the node's
# CPUs, at least 4 * batch -- /proc/zoneinfo's high_min and high_max
# (tests/fixtures/pcp-fraction: a 6.12.118 guest's DMA32 pcp->high 572,
# its 114449 managed pages / 100 / 2 CPUs, after the same two words).
# An online's setup (zone_pcp_update()) keeps to N, and so does a restart
# from the state file.  The word was parsed and dropped (zones43): checks
# 5, 6, 10, 11 and 14 fail without the fix (DMA32 high_min below high_max,
# as with no word).
. "$(dirname "$0")/lib.sh"
require_env

NCPU=$(getconf _NPROCESSORS_ONLN)
M=$MNT/sys/devices/system/memory
managed() { awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) } on && $1 == "managed" { print $2; exit }' "$MNT/proc/zoneinfo"; }
# want ZONE BATCH: 6.12 zone_highsize() with fraction 100, twice (high_min, high_max)
want() {
	local h=$(($(managed "$1") / 100 / NCPU))
	[ "$h" -lt $((4 * $2)) ] && h=$((4 * $2))
	echo "$h $h"
}

mount_fs "qemu-512m, no word" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
set -- $(zone_pcp DMA32)
tap_ok "$([ "$2" -lt "$3" ]; echo $?)" "no word: DMA32 high_min $2 below high_max $3, the default's"
stop_fs

ARGS=(--profile qemu-512m --cmdline
	"hotmem.kernel_alloc=off sysctl.vm.percpu_pagelist_high_fraction=7 sysctl.vm.percpu_pagelist_high_fraction=100")
mount_fs "qemu-512m with percpu_pagelist_high_fraction=7, then =100" "${ARGS[@]}" --fresh
is "$(ctl dmesg | grep '^<3>Failed to set sysctl')" \
	"<3>Failed to set sysctl parameter 'vm.percpu_pagelist_high_fraction=7': invalid value" \
	"dmesg: 7 refused as the 6.12.117 guest refused it"
for z in DMA32 DMA; do
	set -- $(zone_pcp $z)
	is "$2 $3" "$(want $z "$1")" "$z: high_min = high_max = managed / 100 over $NCPU CPUs (batch $1)"
done
# high ZONE: node 0's ZONE's distinct "high:" (pcp->high) over its CPUs
high() { awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) } on && $1 == "high:" { print $2 }' "$MNT/proc/zoneinfo" | sort -u | tr '\n' ' '; }
set -- $(zone_pcp DMA32)
is "$(high DMA32)" "$2 " "DMA32: each CPU's high is that, as the guest's 572"
is "$(high DMA)" "0 " "DMA: high 0, nothing allocated through it, as the guest's"

ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=128M >/dev/null && ctl settle >/dev/null
is "$(w "$M/memory32/state" online_movable)" ret=14 "vm0's 128M in memory32, online_movable"
set -- $(zone_pcp Movable)
is "$2 $3" "$(want Movable "$1")" "Movable: its online's setup keeps to 100 (batch $1)"
dma32=$(zone_pcp DMA32)
set -- $dma32
is "$2 $3" "$(want DMA32 "$1")" "DMA32: so does its (managed $(managed DMA32))"

kill9_fs
mount_fs "kill -9, restart from the state file" "${ARGS[@]}"
is "$(zone_pcp DMA32)" "$dma32" "DMA32's limits as before the restart"
set -- $(zone_pcp Movable)
is "$2 $3" "$(want Movable "$1")" "Movable's too"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
