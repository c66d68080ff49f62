#!/bin/bash
# proc/vmstat is the emulated machine's (usereye3 #15: it was missing,
# and inside hotmem-enter the host's showed through beside the machine's
# meminfo and zoneinfo): mm/vmstat.c vmstat_start()/vmstat_show() of
# 6.18, its names in the order of the 6.18.44 reference host's
# (fixtures/reference/proc-vmstat-host.txt): zone items, NUMA events,
# node items, writeback thresholds, memmap counters, vm events,
# nr_unstable.  Its values are the zones' of proc/zoneinfo at the same
# instant: nr_free_pages is the sum of zoneinfo's "pages free" and
# meminfo's MemFree after every change (online, offline, allocations,
# huge pages), on one node or several; nr_dirty_threshold is
# global_dirty_limits() of them; the engine's allocations, frees,
# migrations and huge page allocations count as pgalloc_*, pgfree,
# pgmigrate_* and htlb_buddy_alloc_*.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
P=$MNT/proc

mount_fs "hotmemfs mounts" --profile qemu-512m --cmdline memhp_default_state=offline --fresh

is "$(stat -c '%a %s' "$P/vmstat")" "444 0" "proc/vmstat: 0444, st_size 0 (a procfs seq_file)"
is "$(awk '{ print $1 }' "$P/vmstat" | tr '\n' ' ')" \
	"$(awk '{ print $1 }' "$REF/proc-vmstat-host.txt" | tr '\n' ' ')" \
	"its names, in order, are the 6.18.44 host's"
is "$(grep -cvE '^[a-z0-9_]+ [0-9]+$' "$P/vmstat")" 0 "every line is 'name value'"

# vmstat's value of $1
vm() { awk -v k="$1" '$1 == k { print $2 }' "$P/vmstat"; }
zone_free() { awk '$1 == "pages" && $2 == "free" { s += $3 } END { printf "%.0f\n", s }' "$P/zoneinfo"; }
mem_free() { awk '$1 == "MemFree:" { printf "%.0f\n", $2 / 4 }' "$P/meminfo"; }
node_sum() { cat "$MNT"/sys/devices/system/node/node*/vmstat | awk -v k="$1" '$1 == k { s += $2 } END { printf "%.0f\n", s }'; }

# calculate_totalreserve_pages() and global_dirty_limits() from zoneinfo
dirty_limits() {
	awk '/^Node/ { if (z) r += (m < mx + h ? m : mx + h); z = 1; mx = 0 }
	     $1 == "high" { h = $2 } $1 == "managed" { m = $2 }
	     /protection:/ { gsub(/[(),]/, " "); for (i = 2; i <= NF; i++) if ($i > mx) mx = $i }
	     $1 == "pages" && $2 == "free" { f += $3 }
	     END { r += (m < mx + h ? m : mx + h); a = f - (f < r ? f : r) + 1
		   t = int(819 * a / 4096); b = int(409 * a / 4096); if (b >= t) b = int(t / 2)
		   print t, b }' "$P/zoneinfo"
}

consistent() {
	is "$(vm nr_free_pages) $(vm nr_free_pages)" "$(zone_free) $(mem_free)" \
		"$1: nr_free_pages is zoneinfo's free pages summed and MemFree ($(vm nr_free_pages))"
	is "$(vm nr_slab_unreclaimable) $(vm nr_anon_pages) $(vm nr_free_pages_blocks)" \
		"$(node_sum nr_slab_unreclaimable) $(node_sum nr_anon_pages) $(node_sum nr_free_pages_blocks)" \
		"$1: ... its node items are the nodes' vmstat summed"
	is "$(vm nr_dirty_threshold) $(vm nr_dirty_background_threshold)" "$(dirty_limits)" \
		"$1: ... nr_dirty_threshold and the background one are global_dirty_limits()'s"
}

consistent "boot"
is "$(vm nr_isolated_anon) $(vm nr_unevictable) $(vm nr_free_cma) $(vm numa_interleave) $(vm pgfault)" \
	"0 0 0 0 0" "what hotmem does not model is 0 (isolated, unevictable, CMA, interleave policy, faults)"
# zone_statistics(): per allocation, by the preferred node and the CPU's
numa_consistent() {
	local ns
	ns=$(cat "$MNT"/sys/devices/system/node/node*/numastat |
		awk '$1 == "numa_hit" { h += $2 } $1 == "numa_miss" { m += $2 }
		     $1 == "local_node" { l += $2 } $1 == "other_node" { o += $2 }
		     END { printf "%.0f %.0f %.0f %.0f\n", h, m, l, o }')
	is "$(vm numa_hit) $(vm numa_miss) $(vm numa_local) $(vm numa_other)" "$ns" \
		"$1: numa_hit, numa_miss, numa_local, numa_other are the nodes' numastat summed ($ns)"
	is "$(($(vm numa_hit) + $(vm numa_miss)))" "$(($(vm numa_local) + $(vm numa_other)))" \
		"$1: ... each allocation is a hit or a miss, and local or other"
}
numa_consistent "boot"
boot=$(vm nr_memmap_boot_pages)
tap_ok "$([ "$boot" -gt 0 ]; echo $?)" "nr_memmap_boot_pages: boot's memmap ($boot pages)"

ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "a 256 MiB DIMM hot-added (offline)"
is "$(vm nr_memmap_pages)" 1024 "... nr_memmap_pages: its two sections' memmap (512 pages each)"
ctl online 32 online_movable >/dev/null && ctl online 33 online_movable >/dev/null
tap_ok $? "memory32, memory33 online_movable"
consistent "online"
pgalloc() { awk '$1 ~ /^pgalloc_/ { s += $2 } END { printf "%.0f\n", s }' "$P/vmstat"; }
before=$(pgalloc) hit=$(vm numa_hit)
ctl alloc movable 3000 >/dev/null && ctl alloc unmovable 500 >/dev/null
tap_ok $? "3000 movable, 500 unmovable pages allocated"
consistent "alloc"
tap_ok "$([ "$(pgalloc)" -ge $((before + 3500)) ]; echo $?)" \
	"pgalloc_* count them, in their zones ($before -> $(pgalloc))"
tap_ok "$([ "$(vm numa_hit)" -ge $((hit + 3500)) ]; echo $?)" \
	"numa_hit counts each allocation from the preferred node ($hit -> $(vm numa_hit); review14 R13a: it stayed 0)"
is "$(vm numa_miss) $(vm numa_foreign) $(vm numa_other) $(vm numa_local)" "0 0 0 $(vm numa_hit)" \
	"... one node, its CPUs': no miss, foreign or other, every hit local"
numa_consistent "alloc"
mig=$(vm pgmigrate_success)
ctl offline 32 >/dev/null
tap_ok $? "memory32 offline (its movable pages migrate)"
consistent "offline"
tap_ok "$([ "$(vm pgmigrate_success)" -gt "$mig" ]; echo $?)" \
	"pgmigrate_success counts the pages moved ($mig -> $(vm pgmigrate_success))"
is "$(vm pgmigrate_fail)" 0 "... pgmigrate_fail none"
ctl hugetlb 4 >/dev/null
tap_ok $? "4 huge pages"
consistent "hugetlb"
is "$(vm htlb_buddy_alloc_success) $(vm nr_hugetlb)" "4 2048" \
	"htlb_buddy_alloc_success 4, nr_hugetlb 2048 base pages"
ctl alloc pinned 2 >/dev/null && "$HMCTL" -s "$CTL" offline 33 timeout=200 >/dev/null 2>&1
is "$? $(cat "$M/memory33/state")" "1 online" "memory33 with 2 pinned pages: offline 33 timeout=200 fails, left online"
fail=$(vm pgmigrate_fail)
tap_ok "$([ "$fail" -ge 2 ]; echo $?)" "... pgmigrate_fail counts the pinned pages each pass left ($fail)"
consistent "failed offline"
freed=$(vm pgfree)
ctl free-all >/dev/null
consistent "free-all"
tap_ok "$([ "$(vm pgfree)" -ge $((freed + 3500)) ]; echo $?)" "pgfree counts the pages freed ($freed -> $(vm pgfree))"

# three nodes, one without memory: the items are every online node's summed
stop_fs
nodes01_profile 3 "$TMP/three.profile"
mount_fs "hotmemfs mounts a machine of three nodes (node 2 without memory)" \
	--profile "$TMP/three.profile" --fresh --cmdline hotmem.kernel_alloc=off
ctl alloc unmovable 700 node=1 >/dev/null && ctl hugetlb 2 node=0 >/dev/null
tap_ok $? "700 unmovable pages on node 1, 2 huge pages on node 0"
consistent "three nodes"
is "$(vm nr_hugetlb)" "$(node_sum nr_hugetlb)" "... nr_hugetlb the nodes' summed ($(vm nr_hugetlb))"
numa_consistent "three nodes"
n1=$(awk '$1 == "numa_hit" { print $2 }' "$MNT/sys/devices/system/node/node1/numastat")
tap_ok "$([ "$n1" -ge 700 ]; echo $?)" "node1's numa_hit counts the 700 pages preferred there ($n1)"
done_testing
