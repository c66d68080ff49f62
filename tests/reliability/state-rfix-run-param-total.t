#!/bin/bash
# A "run-param" record carries "totalreserve-pages" only when its change
# moved them (state.c notifier_param_if_moved(): "a replay keeps the
# value before for one left out"), "lowmem-reserve" always.  The replay
# dropped the kept totals for any record with "lowmem-reserve" but no
# totals, which is meant only for a lowmem_reserve_ratio write's record
# from before the totals were kept (restart42): the restore then summed
# them again from its own marks, and the dirty thresholds of the
# restarted machine were not the running machine's.  The record here is
# hand-made (an online always moves the high marks, so hotmemfs writes
# none like it): the kept totals are a ratio write's, with a boost
# standing, which the restore's own setups do not have.
# (review43 F2: without the fix check 11 fails, the thresholds subtract
# the restore's own sum, without the boost)
. "$(dirname "$0")/lib.sh"
require_env
# qemu-512m as it was before builtin44 (its brk inside boot_reserved's
# 4396K): the layout where the allocations below reach a boost kswapd
# gives up on; with the brk after bss (today's built-in) kswapd never
# gives DMA32 up within their 20 steps (builtin44's report)
printf 'profile = qemu-512m\nbrk = 0\nboot_reserved = 4396K\n' >"$TMP/boost.profile"
need_tool python3 python3
V=$MNT/proc/sys/vm
MACHINE=(--profile "$TMP/boost.profile" --cmdline hotmem.kernel_alloc=off)

mount_fs "hotmemfs mounts qemu-512m with a fresh state file" "${MACHINE[@]}" --fresh
ctl device_add pc-dimm id=d1 size=256M >/dev/null
tap_ok $? "a 256M DIMM from memory32 on"
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online (Movable)"
w "$V/nr_hugepages" 1000 >/dev/null
boost_until_unreclaimable
boost=$(zi DMA32 boost)
[ "$boost" -gt 0 ]
tap_ok $? "allocations steal: DMA32 boost $boost stands"
w "$V/lowmem_reserve_ratio" "$(cat "$V/lowmem_reserve_ratio")" >/dev/null
tap_ok $? "lowmem_reserve_ratio <- itself: its setup sums the boost in"
ctl free-all >/dev/null
r1=$(reserve_now)
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the running machine's thresholds subtract totalreserve_pages $r1, the boost in it ($l)"
kill9_fs
# memory33's online, its reserves those of the last record, no totals:
# they did not move (a hand-made record)
journal_append '[{"run-param": {"run": {"first": 33, "count": 1, "state": "online", "zone": "Movable"},
  "param": {"lowmem-reserve": [r for r in recs if "param" in r][-1]["param"]["lowmem-reserve"]}}}]' >/dev/null
tap_ok $? "kill -9; a run-param record of memory33's online appended, \"lowmem-reserve\" without \"totalreserve-pages\""
mount_fs "restart from the state file" "${MACHINE[@]}"
is "$(cat "$M/memory33/state")" online "memory33 online: the record replayed"
r2=$(reserve_now)
[ "$r2" != "$r1" ]
tap_ok $? "the restore's own sum is another ($r2, no boost): the check below can tell them apart"
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the thresholds subtract the kept totalreserve_pages $r1 ($l)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
