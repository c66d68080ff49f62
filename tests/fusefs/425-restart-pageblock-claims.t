#!/bin/bash
# A pageblock a kernel allocation's fallback claimed keeps its
# migratetype across a restart (kill -9 and a clean stop).  An
# allocate_slab(SLAB_RECLAIM_ACCOUNT) or pte_alloc_one allocation that
# finds its own type's lists empty falls back into a Movable pageblock
# and claims it (6.12 __rmqueue_fallback() -> steal_suitable_fallback()
# -> set_pageblock_migratetype()); the restore puts the allocation back
# at its pfn (hotmem_kmem_restore_take()) with no fallback, so the
# pageblock came back Movable (vmremap43 Task 3).  The state file keeps
# the claimed pageblocks' types ("kmem" "pageblocks").  (claim44; checks
# 6 and 10 fail without the restore setting them: Normal's pageblocks by
# type "0 128 0" for "2 124 2", DMA32's "8 234 6" for "10 232 6", and the
# free pages per type with them.)
. "$(dirname "$0")/lib.sh"
require_env
P=$MNT/proc
MACHINE=(--profile qemu-512m --cmdline memhp_default_state=offline)
zone_free() { awk '/^Node/ {z = $4} $1 == "pages" && $2 == "free" {print z, $3}' "$P/zoneinfo" | tr '\n' ' '; }
# the pageblocks by migratetype, "ZONE U M R H I" a zone
blocks() { sed -n '/^Number of blocks/,$p' "$P/pagetypeinfo" | awk 'NR > 1 {print $4, $5, $6, $7, $8, $9}' | tr '\n' ';'; }

mount_fs "hotmemfs mounts qemu-512m" "${MACHINE[@]}" --fresh
ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl settle --timeout 60 >/dev/null &&
	ctl online 32 online_kernel >/dev/null && ctl online 33 online_kernel >/dev/null
tap_ok $? "a 256 MiB DIMM, memory32 and memory33 online in ZONE_NORMAL"
# each online and offline ticks the kernel's allocations: some fall back and claim
for _ in 1 2 3 4 5 6; do
	ctl offline 33 >/dev/null && ctl online 33 online_kernel >/dev/null || break
done
tap_ok $? "memory33 offlined and onlined 6 times"
running=$(blocks)
case $running in *"Normal 0 128 0 "*) nok "a Normal pageblock claimed: $running" ;;
	*) ok "a Normal pageblock claimed: $running" ;; esac
pt=$(cat "$P/pagetypeinfo") buddy=$(cat "$P/buddyinfo") free=$(zone_free)
kill9_fs
mount_fs "kill -9, restart from the state file (its journal)" "${MACHINE[@]}"
is "$(cat "$P/pagetypeinfo")" "$pt" "/proc/pagetypeinfo as running: $(blocks)"
is "$(cat "$P/buddyinfo")" "$buddy" "/proc/buddyinfo as running"
is "$(zone_free)" "$free" "each zone's free pages as running"
stop_fs
mount_fs "stopped, started again (the file it compacted)" "${MACHINE[@]}"
is "$(cat "$P/pagetypeinfo")" "$pt" "/proc/pagetypeinfo as running"
is "$(cat "$P/buddyinfo")" "$buddy" "/proc/buddyinfo as running"
is "$(zone_free)" "$free" "each zone's free pages as running"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
