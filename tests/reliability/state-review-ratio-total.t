#!/bin/bash
# A lowmem_reserve_ratio write's "param" record carries the
# totalreserve_pages its setup sums (restart42), computed before the
# record takes journal_lock (state.c param_line_locked()); the write is
# lock-free, so the boost may move before its setup runs under that
# lock.  Here: a node kswapd gave up on, no boost standing; the ratio
# writer computes its record, waits for journal_lock (another lock-free
# record's journal write held, sync_shim.so), and meanwhile allocations
# steal and the boost stands; then the setup sums the boost
# in.  The record said the sum without it, acknowledged: a kill -9 and a
# restart kept the record's totalreserve_pages, not the running
# machine's (/proc/vmstat's dirty thresholds of another reserve).
# (review43 F1: without the fix check 10 fails, the thresholds the
# restart gives subtract 1324, the reserve without the boost, for 1836)
. "$(dirname "$0")/lib.sh"
require_env
# qemu-512m as it was before builtin44 (its brk inside boot_reserved's
# 4396K): the layout where the allocations below reach a boost kswapd
# gives up on; with the brk after bss (today's built-in) kswapd never
# gives DMA32 up within their 20 steps (builtin44's report)
printf 'profile = qemu-512m\nbrk = 0\nboot_reserved = 4396K\n' >"$TMP/boost.profile"
want_wrapping_shim sync_shim
export HOTMEM_TEST_JOURNAL_WRITE_HOLD=$TMP/hold
V=$MNT/proc/sys/vm
OC=$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages
MACHINE=(--profile "$TMP/boost.profile" --cmdline hotmem.kernel_alloc=off)

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" mount_fs "hotmemfs mounts qemu-512m (sync_shim.so)" "${MACHINE[@]}" --fresh
given_up_no_boost
ratio=$(cat "$V/lowmem_reserve_ratio")
: >"$TMP/hold"
in_background oc w "$OC" 3
file_wait "$TMP/hold.held"
tap_ok $? "nr_overcommit_hugepages <- 3: its record's journal write held (journal_lock held)"
in_background ratio w "$V/lowmem_reserve_ratio" "$ratio"
sleep 0.5
[ ! -s "$TMP/ratio.rc" ]
tap_ok $? "lowmem_reserve_ratio <- itself meanwhile: its record made, waiting for journal_lock"
for _ in $(seq 1 20); do
	for t in unmovable movable; do
		ctl alloc $t 64 node=0 >/dev/null 2>&1
		[ "$(zi DMA32 boost)" != 0 ] && break 2
	done
done
boost=$(zi DMA32 boost)
[ "$boost" -gt 0 ]
tap_ok $? "allocations steal meanwhile: DMA32 boost $boost stands"
rm -f "$TMP/hold"
answered_within oc 30 && answered_within ratio 30
tap_ok $? "the hold let go: both writes answered ($(cat "$TMP/oc.out") $(cat "$TMP/ratio.out"))"
# the workload's pages back, unrecorded: free pages past the reserve
ctl free-all >/dev/null
r1=$(reserve_now)
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the running machine's thresholds subtract totalreserve_pages $r1, the boost in it ($l)"
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
[ "$(zi DMA32 boost)" = 0 ]
tap_ok $? "the restore has no boost"
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the thresholds subtract the running machine's totalreserve_pages $r1 ($l)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
