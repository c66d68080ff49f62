#!/bin/bash
# /proc/zoneinfo's "boost" and the marks with it, as 6.12's
# zoneinfo_show_print() prints zone->watermark_boost and min/low/high
# through wmark_pages(), and "node_unreclaimable" (kswapd_failures at
# MAX_RECLAIM_RETRIES); /proc/pagetypeinfo's pageblocks of each type.
# qemu-512m's pool takes every free 2 MiB block of DMA32, and leaves no
# unmovable free page there: the first unmovable page falls back to the
# largest free piece of a movable pageblock (__rmqueue_fallback()), whose
# steal boosts the marks by a pageblock (boost_watermark()) and, the
# pageblock at least half free, claims it (6.12 steal_suitable_fallback()'s
# sub-pageblock claim): one Unmovable pageblock more, its free pages the
# next unmovable pages' with no fallback.  The kswapd run the boost woke
# reclaimed nothing and took it back: boost 0, one failure, not hopeless.
# Before the claim was modelled every unmovable page borrowed and
# boosted, and kswapd gave up after 16 (this test then checked that: the
# boosts that stay, on a hopeless node, are 369's now).  The engine's
# model of kswapd: docs/engine.md "Watermark boost".
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts qemu-512m, an idle kernel" --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh
marks() { echo "$(zi DMA32 boost) $(zi DMA32 min) $(zi DMA32 low) $(zi DMA32 high) $(zi DMA32 node_unreclaimable:)"; }
# blocks TYPE: DMA32's pageblocks of TYPE (pagetypeinfo's "Number of blocks type" table)
blocks() {
	awk -v t="$1" '/^Number of blocks type/ { for (i = 5; i <= NF; i++) col[$i] = i; tbl = 1; next }
		tbl && $4 == "DMA32" { print $(col[t]); exit }' "$MNT/proc/pagetypeinfo"
}
# free_of TYPE: DMA32's free pages on TYPE's lists
free_of() {
	awk -v t="$1" '$4 == "DMA32," && $6 == t { n = 0; for (i = 7; i <= NF; i++) n += $i * 2 ^ (i - 7); print n; exit }' \
		"$MNT/proc/pagetypeinfo"
}

is "$(zi DMA32 boost) $(zi DMA32 node_unreclaimable:)" "0 0" "DMA32 at boot: boost 0, node_unreclaimable 0"
is "$(w "$MNT/proc/sys/vm/nr_hugepages" 1000)" ret=4 "nr_hugepages <- 1000: the pool takes every free 2 MiB block"
# the marks set up now, from the managed pages as the end will find them
is "$(w "$MNT/proc/sys/vm/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10 (as it was)"
read -r b0 min low high u0 <<<"$(marks)"
is "$b0 $u0" "0 0" "after the pool: no boost (its blocks were whole), kswapd not given up"
unmovable=$(blocks Unmovable) movable=$(blocks Movable)
is "$(free_of Unmovable)" 0 "no unmovable free page left in DMA32"

ctl alloc unmovable 1 node=0 >/dev/null
is "$(blocks Unmovable) $(blocks Movable)" "$((unmovable + 1)) $((movable - 1))" \
	"the first unmovable page's fallback claims its pageblock: $((unmovable + 1)) Unmovable, $((movable - 1)) Movable"
left=$(free_of Unmovable)
[ "$left" -ge 255 ]
tap_ok $? "the claimed pageblock's free pages on the Unmovable lists: $left, at least half of it but the page taken"
is "$(marks)" "0 $min $low $high 0" "the steal's boost taken back by the kswapd run it woke: marks as before, not hopeless"

ctl alloc unmovable $((left / 2)) node=0 >/dev/null
is "$(blocks Unmovable) $(free_of Unmovable)" "$((unmovable + 1)) $((left - left / 2))" \
	"$((left / 2)) more from the claimed pageblock: no fallback, no claim"
is "$(marks)" "0 $min $low $high 0" "and no boost"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
