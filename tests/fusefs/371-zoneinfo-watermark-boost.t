#!/bin/bash
# /proc/zoneinfo's "boost" and the marks with it, as 6.12's
# zoneinfo_show_print() prints zone->watermark_boost and min/low/high
# through wmark_pages(), and "node_unreclaimable" (kswapd_failures at
# MAX_RECLAIM_RETRIES).  qemu-512m's pool takes every free 2 MiB block of
# DMA32; unmovable pages then take pieces of movable pageblocks
# (__rmqueue_fallback()), each a boost_watermark() of a pageblock that the
# kswapd run it wakes takes back, reclaiming nothing -- one failure a run
# -- until the node is hopeless: then the boosts stay, at most 1.5 times
# the high mark, and the allocator stops at the boosted min.  A write of
# vm.watermark_scale_factor sets the marks up again: the boost drops to 0
# (__setup_per_zone_wmarks()), the node stays hopeless.  The engine's
# model of kswapd: docs/engine.md "Watermark boost".  zoneinfo said
# "boost 0" whatever came before it was modelled.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts qemu-512m, an idle kernel" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
# zi ZONE FIELD: node 0's ZONE's FIELD of zoneinfo (boost, min, low, high, node_unreclaimable:)
zi() {
	awk -v z="$1" -v f="$2" '/^Node/ {in_z = ($4 == z)} in_z && $1 == f {print $2; exit}' "$MNT/proc/zoneinfo"
}
marks() { echo "$(zi DMA32 boost) $(zi DMA32 min) $(zi DMA32 low) $(zi DMA32 high) $(zi DMA32 node_unreclaimable:)"; }

is "$(zi DMA32 boost) $(zi DMA32 node_unreclaimable:)" "0 0" "DMA32 at boot: boost 0, node_unreclaimable 0"
is "$(w "$MNT/proc/sys/vm/nr_hugepages" 1000)" ret=4 "nr_hugepages <- 1000: the pool takes every free 2 MiB block"
# the marks set up now, from the managed pages as the end will find them
is "$(w "$MNT/proc/sys/vm/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10 (as it was)"
read -r b0 min low high u0 <<<"$(marks)"
is "$b0 $u0" "0 0" "after the pool: no boost (its blocks were whole), kswapd not given up"

# unmovable pages one at a time until kswapd gives up: every boost taken back till then
n=0 boosted=0
while [ "$n" -lt 1000 ] && [ "$(zi DMA32 node_unreclaimable:)" = 0 ]; do
	ctl alloc unmovable 1 node=0 >/dev/null 2>&1
	[ "$(zi DMA32 boost)" = 0 ] || boosted=$((boosted + 1))
	n=$((n + 1))
done
is "$(zi DMA32 node_unreclaimable:)" 1 "kswapd gave up after the steals' runs reclaimed nothing (node_unreclaimable 1)"
is "$boosted" 0 "until then each boost was taken back by the kswapd run it woke"

# now the boosts stay, on every mark zoneinfo prints
n=0
while [ "$n" -lt 200 ] && [ "$(zi DMA32 boost)" = 0 ]; do
	ctl alloc unmovable 1 node=0 >/dev/null 2>&1
	n=$((n + 1))
done
is "$(marks)" "512 $((min + 512)) $((low + 512)) $((high + 512)) 1" \
	"the next steal's boost stays: a pageblock (512) on min, low and high"
# the allocator stops at the boosted min
ctl alloc unmovable 100000 node=0 >/dev/null 2>&1
read -r b m _ _ _ <<<"$(marks)"
free=$(zi DMA32 pages)
max=$((high * 15000 / 10000))
[ "$b" -ge 1024 ] && [ "$b" -le "$max" ] && [ "$m" = $((min + b)) ]
tap_ok $? "boost $b: more steals, at most 1.5 times high ($max); min $m" || diag "$(marks)"
free=$(awk '/^Node/ {in_z = ($4 == "DMA32")} in_z && $1 == "pages" && $2 == "free" {print $3; exit}' "$MNT/proc/zoneinfo")
[ "$free" -gt "$min" ] && [ "$free" -le "$m" ]
tap_ok $? "DMA32's free pages $free: above the unboosted min $min, at or below the boosted $m"

# the marks set up again: no boost, kswapd still given up
is "$(w "$MNT/proc/sys/vm/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10 (as it was)"
is "$(marks)" "0 $min $low $high 1" "__setup_per_zone_wmarks(): boost 0, the marks as before, node_unreclaimable 1"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
