#!/bin/bash
# A restart from the state file after kill -9 shows the running
# machine's pagesets' limits, stats thresholds and totalreserve_pages,
# which 6.12 keeps from its last setup (pcp42, wmark42), not values
# derived again from the managed pages and boost of the restore.
# Case 1: virtio-mem plugs sub-blocks into an online block (managed
# moves, no setup): Movable restored "7 28 2048 8" for "3 28 1024 4".
# Case 2: a lowmem_reserve_ratio write while a boost stands (its setup
# sums totalreserve_pages with the boost), the boost gone at the
# restore: the dirty thresholds of another totalreserve_pages.
# A file from before them is read as before (check 9).
# (restart42; checks 5, 7 and 18 fail without the fix: Movable's
# pagesets 7 28 2048 threshold 8 for 3 28 1024 4; the thresholds
# 20072 10024 for 19970 9972)
. "$(dirname "$0")/lib.sh"
require_env
# qemu-512m as it was before builtin44 (its brk inside boot_reserved's
# 4396K): the layout where the allocations below reach a boost kswapd
# gives up on; with the brk after bss (today's built-in) kswapd never
# gives DMA32 up within their 20 steps (builtin44's report)
printf 'profile = qemu-512m\nbrk = 0\nboot_reserved = 4396K\n' >"$TMP/boost.profile"

M=$MNT/sys/devices/system/memory
V=$MNT/proc/sys/vm
NCPU=$(getconf _NPROCESSORS_ONLN)
MACHINE=(--profile "$TMP/boost.profile" --cmdline hotmem.kernel_alloc=off)
# pcp_all: every zone's pagesets' batch/high_min/high_max and stats threshold lines
pcp_all() { grep -E '^Node|^ +(batch|high_min|high_max):|vm stats threshold' "$MNT/proc/zoneinfo" | sort -u | tr -s ' \n' ' '; }
dirty() { grep -E '^nr_dirty_(background_)?threshold ' "$MNT/proc/vmstat" | tr '\n' ' '; }

mount_fs "hotmemfs mounts qemu-512m" "${MACHINE[@]}" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null && ctl settle >/dev/null
is "$(w "$M/memory32/state" online_movable)" ret=14 "vm0 plugs 64M into memory32, which goes online_movable"
ctl set-size vm0 128M >/dev/null && ctl settle >/dev/null
is "$(zi Movable managed)" 32768 "vm0 plugs 64M more into the online memory32: no setup"
pcp=$(pcp_all) vm=$(dirty)
cp "$MNT/proc/zoneinfo" "$TMP/zoneinfo.run"
set -- $(zone_pcp Movable)
# what a setup from the 32768 managed pages of now gives (447's figures
# over this host's CPUs), high_min from the low mark, the file's
derived="7 $2 $((32768 / 8 / NCPU)) $(stat_thresh 32768)"
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
is "$(pcp_all)" "$pcp" "the pagesets' limits and thresholds as running"
is "$(dirty)" "$vm" "nr_dirty_threshold, nr_dirty_background_threshold as running"
# the numa_* events count since boot; the state file keeps none of them
grep -v '^ *numa_' "$MNT/proc/zoneinfo" | diff <(grep -v '^ *numa_' "$TMP/zoneinfo.run") - >"$TMP/zoneinfo.diff"
tap_ok $? "/proc/zoneinfo byte for byte as running (the numa_* event counters aside)"
sed 's/^/# /' "$TMP/zoneinfo.diff" | head -20
# a file from before them: read, the limits set up from its marks and
# the managed pages of now, as before restart42
stop_fs
state_machine_edit 'del m["params"]["pagesets"]; del m["params"]["totalreserve-pages"]'
mount_fs "a state file without \"pagesets\", \"totalreserve-pages\": restored" "${MACHINE[@]}"
is "$(zone_pcp Movable)" "$derived" "... Movable's pagesets set up from the 32768 managed pages of now"
stop_fs

mount_fs "qemu-512m afresh, an idle kernel" "${MACHINE[@]}" --fresh
is "$(w "$V/nr_hugepages" 1000)" ret=4 "nr_hugepages <- 1000: the pool takes every free 2 MiB block"
boost_until_unreclaimable
boost=$(zi DMA32 boost)
[ "$boost" -gt 0 ]
tap_ok $? "unmovable allocations steal until kswapd gives up: DMA32 boost $boost stands"
is "$(w "$V/lowmem_reserve_ratio" "$(cat "$V/lowmem_reserve_ratio")")" "ret=$(($(wc -c <"$V/lowmem_reserve_ratio") - 1))" \
	"lowmem_reserve_ratio <- itself: totalreserve_pages summed with the boost"
r1=$(reserve_now)
is "$(w "$V/nr_hugepages" 0)" ret=1 "nr_hugepages <- 0: the pool freed (no setup)"
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the thresholds subtract totalreserve_pages $r1, the boost in it ($l)"
pcp=$(pcp_all)
kill9_fs
# The workload's allocations are not saved (nr_free_pages differs), so
# the thresholds are checked against the running machine's
# totalreserve_pages with the restore's free pages
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
[ "$(zi DMA32 boost)" = 0 ] && [ "$(reserve_now)" -lt "$r1" ]
tap_ok $? "the restore has no boost: its marks would sum to $(reserve_now), not $r1"
l=$(dirty_limits "$r1")
dirty_agree "$l"
tap_ok $? "the thresholds subtract the running machine's totalreserve_pages $r1 ($l)"
is "$(pcp_all)" "$pcp" "the pagesets' limits and thresholds as running"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
