#!/bin/bash
# /proc/zoneinfo's pagesets: "high:" is pcp->high (6.12-6.18
# zoneinfo_show_print()), not high_min.  A pageset starts at 0
# (setup_zone_pageset() -> per_cpu_pages_init()'s memset) and stays there
# until an allocation or free goes through it, which clamps it into
# [high_min, high_max] (nr_pcp_alloc(), nr_pcp_high()); an idle kernel's
# then decays to high_min (decay_pcp_high()).  The host's own zoneinfo
# (fixtures/reference/proc-zoneinfo-host.txt, 6.18): DMA, which nothing
# allocates from, high 0; DMA32 high_min.  A zone onlined afresh
# (ZONE_MOVABLE) shows 0 until something is allocated from it, and again
# 0 after it was emptied and onlined anew.  It printed high_min always.
. "$(dirname "$0")/lib.sh"
require_env

cat >"$TMP/m.profile" <<'EOF2'
profile = default
probe = yes
EOF2
start_fs --profile "$TMP/m.profile" --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts"
M=$MNT/sys/devices/system/memory
REF=$HOTMEM_SRC/tests/fixtures/reference/proc-zoneinfo-host.txt
# pcp ZONE [FILE]: node 0's ZONE's distinct "high high_min" pairs over its CPUs
pcp() {
	awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) } on && $1 == "high:" { h = $2 }
		on && $1 == "high_min:" { print h, $2 }' "${2:-$MNT/proc/zoneinfo}" | sort -u | tr '\n' ' '
}
ncpu() { awk -v z="$1" '/^Node/ { on = ($2 == "0," && $4 == z) } on && $1 == "cpu:"' "$MNT/proc/zoneinfo" | wc -l; }

# the host's, as the reference has them
set -- $(pcp DMA "$REF")
tap_ok "$([ $# -eq 2 ] && [ "$1" = 0 ] && [ "$2" -gt 0 ]; echo $?)" "the host's DMA pagesets: high 0, high_min $2"
# hm PAIRS: "high=high_min" or "high!=high_min" for each "high high_min" pair
hm() { awk '{ for (i = 1; i < NF; i += 2) print ($i == $(i + 1) ? "high=high_min" : "high!=high_min") }' | sort -u; }
is "$(pcp DMA32 | hm)" "$(pcp DMA32 "$REF" | hm)" \
	"DMA32 pagesets: high against high_min as the host's (high = high_min)"

set -- $(pcp DMA)
is "$1" 0 "DMA: high 0 on every CPU (nothing allocated through it since boot)"
tap_ok "$([ "$2" -gt 0 ]; echo $?)" "... its high_min is not ($2)"
set -- $(pcp DMA32)
tap_ok "$([ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ]; echo $?)" "DMA32: high = high_min ($*), as an idle kernel's"

echo 0x100000000 >"$M/probe" && echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 probed and online_movable: ZONE_MOVABLE populated"
tap_ok "$([ "$(ncpu Movable)" -ge 1 ]; echo $?)" "... its pagesets shown ($(ncpu Movable) CPUs)"
set -- $(pcp Movable)
is "$1" 0 "... high 0: a fresh pageset, nothing allocated from it yet"
tap_ok "$([ $# -eq 2 ] && [ "$2" -gt 0 ]; echo $?)" "... high_min $2"
"$HMCTL" -s "$CTL" alloc movable 64 >/dev/null
tap_ok $? "64 movable pages allocated (ZONE_MOVABLE first)"
set -- $(pcp Movable)
tap_ok "$([ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ]; echo $?)" "... Movable's high is high_min now ($*)"
"$HMCTL" -s "$CTL" free-all >/dev/null
echo offline >"$M/memory32/state"
tap_ok $? "memory32 offline: ZONE_MOVABLE empty, its pageset gone (zone_pcp_reset())"
is "$(ncpu Movable)" 0 "... no pagesets shown"
echo online_movable >"$M/memory32/state"
set -- $(pcp Movable)
is "$1" 0 "online_movable again: a new pageset, high 0"
stop_fs
done_testing
