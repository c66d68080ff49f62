#!/bin/bash
# A vm.min_free_kbytes write whose state-file record cannot be written
# (sync_shim.so: its journal write fails, EIO) is undone from the
# engine's snapshot (state.c wmark_back()): the marks as before and,
# since reread42 R8, the zones' watermark_boost too.  The write's
# __setup_per_zone_wmarks() zeroed every boost ("zone->watermark_boost =
# 0;"); on a node kswapd gave up on (node_unreclaimable, as
# tests/fusefs/458 makes it) the boost stood until then, so the undone
# write left boost 0 and the unboosted min/low/high where it was 512:
# checks 7 and 8 fail without the fix (the snapshot kept no boost: boost
# 0 and min 607 for boost 512 and min 1119).  A watermark_scale_factor
# write that stands then drops the boost (10).
. "$(dirname "$0")/lib.sh"
require_env
# qemu-512m as it was before builtin44 (its brk inside boot_reserved's
# 4396K): the layout where the allocations below reach a boost kswapd
# gives up on; with the brk after bss (today's built-in) kswapd never
# gives DMA32 up within their 20 steps (builtin44's report)
printf 'profile = qemu-512m\nbrk = 0\nboot_reserved = 4396K\n' >"$TMP/boost.profile"
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail
V=$MNT/proc/sys/vm
marks() { echo "$(zi DMA32 boost) $(zi DMA32 min) $(zi DMA32 low) $(zi DMA32 high) $(zi DMA32 node_unreclaimable:)"; }

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" \
	mount_fs "hotmemfs mounts qemu-512m, an idle kernel (a state file, sync_shim.so)" \
	--profile "$TMP/boost.profile" --cmdline hotmem.kernel_alloc=off --fresh
is "$(w "$V/nr_hugepages" 1000)" ret=4 "nr_hugepages <- 1000: the pool takes every free 2 MiB block"
is "$(w "$V/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10: the marks set up, no boost"
boost_until_unreclaimable
read -r boost min low high unrecl <<<"$(marks)"
[ "$boost" -gt 0 ] && [ "$unrecl" = 1 ]
tap_ok $? "unmovable allocations steal until kswapd gives up: DMA32 boost $boost stands ($min $low $high, boosted)"
mf=$(cat "$V/min_free_kbytes") marks0=$(marks)
: >"$TMP/wfail"
is "$(w "$V/min_free_kbytes" $((mf * 2)))" EIO "min_free_kbytes <- $((mf * 2)), its record's journal write failing: EIO"
rm -f "$TMP/wfail"
is "$(cat "$V/min_free_kbytes")" "$mf" "... undone: min_free_kbytes $mf"
is "$(zi DMA32 boost)" "$boost" "... DMA32's boost $boost as it was"
is "$(marks)" "$marks0" "... its boosted min/low/high as they were, kswapd still given up"
is "$(w "$V/watermark_scale_factor" 10)" ret=2 "watermark_scale_factor <- 10, saved: the marks set up again"
is "$(zi DMA32 boost) $(zi DMA32 node_unreclaimable:)" "0 1" "... the boost dropped (6.12), the node still hopeless"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
