#!/bin/bash
# A virtio-mem shrink over memory holding free HugeTLB pages: 6.12's
# alloc_contig_range() -> isolate_migratepages_block() ->
# isolate_or_dissolve_huge_folio() -> alloc_and_dissolve_hugetlb_folio()
# puts a new huge page in the pool on the same node (outside the isolated
# range) and dissolves the old one, so the unplug goes on and the pool
# keeps its size; it refused ("the rest is busy ... unmovable or
# unmigratable pages", usereye3 #29).  With no room for the new ones the
# shrink stops (-ENOMEM) and the pool is as it was.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d['$2'])"; }
pool() { awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo"; }
need_tool python3 python3

mount_fs "hotmemfs mounts qemu-512m, hot-added memory offline" \
	--profile qemu-512m --cmdline "memhp_default_state=offline hotmem.kernel_alloc=off" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null &&
	ctl settle >/dev/null &&
	for b in 32 33; do (echo online_movable >"$M/memory$b/state") || exit 1; done
tap_ok $? "virtio-mem vm0, 256M plugged, memory32-33 online_movable"
ctl hugetlb 64 >/dev/null
is "$(pool)" 64 "hugetlb 64: the pool holds 64"
ctl --json explain 32 | grep -q '"hugetlb_free_huge_pages":[1-9]'
tap_ok $? "... some of them in vm0's memory32"
ctl set-size vm0 0 >"$TMP/out" 2>&1
tap_ok $? "set-size vm0 0: $(cat "$TMP/out")"
ctl settle >/dev/null
is "$(dev vm0 plugged-size)" 0 "... vm0 unplugged all of it"
is "$(pool)" 64 "... the pool kept its 64 (each huge page replaced outside, then dissolved)"
ctl check >/dev/null
tap_ok $? "invariants hold"

# no room for a new huge page: the pool takes every free 2 MiB block
ctl set-size vm0 256M >/dev/null && ctl settle >/dev/null &&
	for b in 32 33; do (echo online_movable >"$M/memory$b/state") || exit 1; done
tap_ok $? "vm0 back to 256M, memory32-33 online_movable again"
ctl hugetlb 100000 >/dev/null
full=$(pool)
ctl --json explain 33 | grep -q '"hugetlb_free_huge_pages":[1-9]'
tap_ok $? "hugetlb 100000: the pool takes all it can ($full), vm0's memory33 too"
ctl set-size vm0 0 >"$TMP/out" 2>&1
ctl settle >/dev/null
grep -q "plugged 256M: the guest has no memory to give back: memory3[23].s pages have no free memory to migrate into (-ENOMEM" "$TMP/out"
tap_ok $? "set-size vm0 0: $(cat "$TMP/out")"
is "$(dev vm0 plugged-size)" 268435456 "set-size vm0 0: nothing unplugged"
is "$(pool)" "$full" "... the pool as it was"
ctl dmesg >"$TMP/dmesg"
grep -q "no free 2 MiB block on node 0 for a huge page in place of the free one at pfn" "$TMP/dmesg"
tap_ok $? "dmesg names the huge page no replacement fits for: $(grep -o 'alloc_contig_range() \[.*-ENOMEM)' "$TMP/dmesg" | tail -1)"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
