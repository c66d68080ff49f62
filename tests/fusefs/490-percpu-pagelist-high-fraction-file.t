#!/bin/bash
# proc/sys/vm/percpu_pagelist_high_fraction, served as 6.12's
# mm/page_alloc.c page_alloc_sysctl_table serves it (0644,
# percpu_pagelist_high_fraction_sysctl_handler(): proc_dointvec_minmax()
# from SYSCTL_ZERO, "%d\n"): 0 at boot; 1..7 EINVAL with the old value
# kept ("Sanity checking to avoid pcp imbalance"), as a negative one or
# no number; a new value N sets every populated zone's pagesets' limits,
# high_min = high_max = the managed pages over N split over the node's
# CPUs (at least 4 * batch), and 0 gives the default's back (high_min
# from the low mark, high_max from an eighth of the managed pages): a
# 6.12.118 guest's DMA32 pcp->high 572 at 100, 7153 at 8
# (tests/fixtures/pcp-fraction).  A write past the file's start changes
# nothing and answers the whole count (proc_first_pos_non_zero_ignore(),
# then "No change?").  An acknowledged write is in the state file's
# "params": the value and zoneinfo's limits after kill -9 and a restart.
# Before, there was no such file (ENOENT; zones43 modelled the sysctl
# in the engine, its boot word alone set it): checks 2, 3, 5-14, 16-19,
# 21-23, 25, 27 and 29 fail without.
. "$(dirname "$0")/lib.sh"
require_env

NCPU=$(getconf _NPROCESSORS_ONLN)
V=$MNT/proc/sys/vm
F=$V/percpu_pagelist_high_fraction
# want ZONE BATCH N: 6.12 zone_highsize() at fraction N, twice (high_min, high_max)
want() {
	local h=$(($(zi "$1" managed) / $3 / NCPU))
	[ "$h" -lt $((4 * $2)) ] && h=$((4 * $2))
	echo "$h $h"
}
ARGS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)

mount_fs "qemu-512m" "${ARGS[@]}" --fresh
is "$(stat -c '%A %s' "$F")" "-rw-r--r-- 0" "proc/sys/vm/percpu_pagelist_high_fraction: 0644, size 0 (procfs)"
is "$(cat "$F")" 0 "0 at boot"
default=$(zone_pcp DMA32)
set -- $default
tap_ok "$([ "$3" -gt "$2" ]; echo $?)" "DMA32 by default: high_min $2 below high_max $3"

is "$(w "$F" 100)" ret=3 "<- 100: taken"
is "$(cat "$F")" 100 "... reads 100"
set -- $(zone_pcp DMA32)
is "$2 $3" "$(want DMA32 "$1" 100)" "DMA32: high_min = high_max = managed / 100 over $NCPU CPUs (batch $1)"
at100=$(zone_pcp DMA32)
for v in 7 1 -1 abc 2147483648 5x; do
	is "$(w "$F" "$v")" EINVAL "<- '$v': EINVAL"
done
is "$(cat "$F")" 100 "... 100 kept, as the guest kept it"
is "$(zone_pcp DMA32)" "$at100" "... and DMA32's limits"
is "$(pw "$F" 1 8)" ret=1 "'8' at position 1: the whole count taken"
is "$(cat "$F") $(zone_pcp DMA32)" "100 $at100" "... nothing changed"

is "$(w "$F" 0)" ret=1 "<- 0: taken"
is "$(cat "$F")" 0 "... reads 0"
# the default's from the marks and managed pages of now: high_max counts
# the init memory freed after the boot's setup (6117, the boot's 5992)
set -- $(zone_pcp DMA32)
is "$1 $2 $4" "$(echo "$default" | cut -d' ' -f1,2,4)" "DMA32: the default's high_min back (from the low mark)"
is "$3" "$(want DMA32 "$1" 8 | cut -d' ' -f1)" "... and high_max, an eighth of the managed pages over $NCPU CPUs"
at0=$(zone_pcp DMA32)
is "$(w "$F" 8)" ret=1 "<- 8 (MIN_PERCPU_PAGELIST_HIGH_FRACTION): taken"
set -- $(zone_pcp DMA32)
is "$2 $3" "$(want DMA32 "$1" 8)" "DMA32: managed / 8 over $NCPU CPUs"
at8=$(zone_pcp DMA32)

kill9_fs
mount_fs "kill -9, restart" "${ARGS[@]}"
is "$(cat "$F")" 8 "the acknowledged 8 after the restart"
is "$(zone_pcp DMA32)" "$at8" "DMA32's limits as before it"
is "$(w "$F" 0)" ret=1 "<- 0"
kill9_fs
mount_fs "kill -9, restart" "${ARGS[@]}"
is "$(cat "$F")" 0 "0 after the restart"
is "$(zone_pcp DMA32)" "$at0" "DMA32: the default's limits as before it"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
