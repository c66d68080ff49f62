#!/bin/bash
# /proc/vmstat's nr_dirty_threshold and nr_dirty_background_threshold
# subtract totalreserve_pages as 6.12's last setup of the marks or the
# reserves left it (calculate_totalreserve_pages(), called only by
# __setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve()): each
# zone's largest protection plus high_wmark_pages() -- the boost
# standing then included --, at most its managed pages.  hotmemfs summed
# it at each read from the marks of now without the boost (reread42 R7).
# qemu-512m's pool takes every free 2 MiB block of DMA32 and unmovable
# allocations steal from its movable pageblocks until kswapd gives up
# (node_unreclaimable): the boost stands (tests/fusefs/371, 369).  A
# boost raised after the last setup does not move the figures (checks 8,
# 9: a guard, so before too); a lowmem_reserve_ratio write -- a setup
# that keeps the boost -- counts it and keeps it through allocations
# (checks 11 and 12 fail without the fix: the boost left out, 19807 for
# 19704); a watermark_scale_factor write drops the boost and sums again
# (14).  The engine's side: tests/engine/test_hugetlb.c
# test_totalreserve_kept_from_setup_to_setup.
. "$(dirname "$0")/lib.sh"
require_env
# qemu-512m as it was before builtin44 (its brk inside boot_reserved's
# 4396K): the layout where the allocations below reach a boost kswapd
# gives up on; with the brk after bss (today's built-in) kswapd never
# gives DMA32 up within their 20 steps (builtin44's report)
printf 'profile = qemu-512m\nbrk = 0\nboot_reserved = 4396K\n' >"$TMP/boost.profile"
V=$MNT/proc/sys/vm

mount_fs "hotmemfs mounts qemu-512m, an idle kernel" --profile "$TMP/boost.profile" --cmdline hotmem.kernel_alloc=off --fresh

is "$(w "$V/nr_hugepages" 1000)" ret=4 "nr_hugepages <- 1000: the pool takes every free 2 MiB block"
is "$(w "$V/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10: the marks set up, no boost"
r0=$(reserve_now) l=$(dirty_limits "$r0")
dirty_agree "$l"
tap_ok $? "the thresholds subtract the setup's totalreserve_pages $r0 ($l)"

boost_until_unreclaimable
boost=$(zi DMA32 boost)
[ "$boost" -gt 0 ] && [ "$(zi DMA32 node_unreclaimable:)" = 1 ]
tap_ok $? "unmovable allocations steal until kswapd gives up: DMA32 boost $boost stands, node_unreclaimable 1"
is "$(w "$V/nr_hugepages" 0)" ret=1 "nr_hugepages <- 0: the pool freed (no setup)"
is "$(zi DMA32 boost)" "$boost" "... the boost stands"
l=$(dirty_limits "$r0")
dirty_agree "$l"
tap_ok $? "a boost raised since the setup is not in the thresholds: totalreserve_pages $r0 still ($l)"
[ "$(reserve_now)" -gt "$r0" ]
tap_ok $? "... where zoneinfo's boosted marks now sum to $(reserve_now)"

is "$(w "$V/lowmem_reserve_ratio" "$(cat "$V/lowmem_reserve_ratio")")" "ret=$(($(wc -c <"$V/lowmem_reserve_ratio") - 1))" \
	"lowmem_reserve_ratio <- itself: setup_per_zone_lowmem_reserve(), the boost kept"
r1=$(reserve_now) l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the thresholds subtract the new totalreserve_pages $r1, the boost $boost in it ($l)"
ctl alloc movable 5000 node=0 >/dev/null
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "... kept after 5000 pages allocated ($l)"

is "$(w "$V/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10: the marks set up again, the boost dropped"
r2=$(reserve_now) l=$(dirty_limits "$r2")
[ "$(zi DMA32 boost)" = 0 ] && dirty_agree "$l"
tap_ok $? "boost 0, the thresholds subtract totalreserve_pages $r2 ($l)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
