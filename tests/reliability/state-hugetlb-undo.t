#!/bin/bash
# The HugeTLB pool ("hugetlb" in the state file) and the changes that touch
# it, their saves failing (review8 #2-#4):
# 1. `hotmemctl hugetlb` is a change as nr_hugepages is: saved (back after
#    kill -9), undone when its save fails; a later change whose save fails
#    is undone without freezing hotmemfs (its @pre had the old pool).
# 2. an offline that dissolved free huge pages, its save failing: the
#    block online again and the pool as before (it stayed smaller).
# 3. device_del of a DIMM holding free huge pages, its save failing: the
#    DIMM and the pool back, hotmemfs not frozen (it froze).
# 5. a shrink of a pool taken partly with vm.hugetlb_optimize_vmemmap 1
#    and partly with it 0, its save failing: the undo grows it again with
#    as many optimised huge pages as it had, the switch 0 then (reread30
#    R11: it grew them as the switch said, none optimised, the machine
#    then not its @pre: hotmemfs froze).
# 6. the same of a pool on a memmap_on_memory DIMM (its memmap self-hosted,
#    no page of it optimised) and boot memory: the undo optimises as many
#    again (reread31 R11: the regrowth counted the DIMM's pages, which the
#    2 MiB pool takes first, and optimised none: hotmemfs froze).
# 7. a virtio-mem shrink of online memory holding free huge pages, its
#    save failing: the driver's alloc_contig_range() put each in place
#    with a new one elsewhere (alloc_and_dissolve_hugetlb_folio(): the
#    pool's count kept), optimised as the switch says now -- the same
#    count, another mix; the undo brings the pool back with the mix it
#    had (rerfix31f: no undo test had it).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
# start_state_fs's hotmemfs too under the shim that fails fdatasync()
eval "lib_$(declare -f start_fs_netns)"
start_fs_netns() { LD_PRELOAD=$SHIM lib_start_fs_netns "$@"; }
start() { start_fs_netns "${STATE_OPTS[@]}" "$@"; }
ours() { findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! $MNT is not our hotmemfs"; exit 1; }; }
S=$MNT/sys/devices/system/memory
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
pool() { echo "$(cat "$H/nr_hugepages") $(cat "$H/free_hugepages")"; }
failing() { : >"$HOTMEM_TEST_SYNC_FAIL"; "$@"; local rc=$?; rm -f "$HOTMEM_TEST_SYNC_FAIL"; return $rc; }
not_frozen() { # WHAT: a change is taken afterwards
	(echo online_movable >"$S/auto_online_blocks") 2>"$TMP/e" &&
		(echo offline >"$S/auto_online_blocks") 2>>"$TMP/e"
	tap_ok $? "$1: the next change is taken (not frozen) $(cat "$TMP/e")"
}
shrink_undone() { # READ WANT WHAT [NOTE]: nr_hugepages <- 0 refused, READ's output WANT after
	failing sh -c "echo 0 >'$H/nr_hugepages'" 2>/dev/null
	tap_ok $((! $?)) "nr_hugepages <- 0 refused, its fdatasync() failing"
	is "$($1)" "$2" "... undone: $3"
	not_frozen "after its undo${4:-}"
}
pool_memmap() { echo "$(pool) $(memmap_counts)"; }

# 1. hotmemctl hugetlb
start --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ours
ctl hugetlb 10 node=0 >/dev/null
tap_ok $? "hotmemctl hugetlb 10 node=0"
is "$(pool)" "10 10" "... 10 huge pages"
failing sh -c "echo online_movable >'$S/auto_online_blocks'" 2>/dev/null
tap_ok $((! $?)) "auto_online_blocks <- online_movable refused, its fdatasync() failing"
is "$(cat "$S/auto_online_blocks")" offline "... undone"
not_frozen "after a hotmemctl hugetlb"
failing ctl hugetlb 5 node=0 >/dev/null 2>&1
tap_ok $((! $?)) "hotmemctl hugetlb 5 refused, its fdatasync() failing"
is "$(pool)" "10 10" "... undone: 10 still"
not_frozen "after its undo"
ctl hugetlb -4 >/dev/null
tap_ok $? "hotmemctl hugetlb -4"
kill9_fs
start
tap_ok $? "restart after kill -9"
is "$(pool)" "6 6" "... the pool hotmemctl left: 6"
stop_fs

# 2. an offline that dissolves huge pages: the pool takes all it can, the
#    DIMM's blocks full of it
start_state_fs 512M
ours
for b in $(seq 32 35); do echo online_movable >"$S/memory$b/state"; done
echo 100000 >"$H/nr_hugepages"
before=$(pool)
diag "pool: $before"
failing sh -c "echo offline >'$S/memory35/state'" 2>/dev/null
tap_ok $((! $?)) "offline of memory35 (free huge pages) refused, its save failing"
is "$(cat "$S/memory35/state")" online "... memory35 online again"
is "$(pool)" "$before" "... the HugeTLB pool as before"
not_frozen "after the offline's undo"
(echo offline >"$S/memory35/state")
tap_ok $? "offline of memory35, its save taken"
after=$(pool)
tap_ok $([ "$after" != "$before" ]; echo $?) "... it dissolved huge pages: $before -> $after"
stop_fs

# 3. device_del of a DIMM holding free huge pages
start_state_fs 256M
ours
for b in 32 33; do echo online_movable >"$S/memory$b/state"; done
echo 100000 >"$H/nr_hugepages"
before=$(pool)
failing ctl device_del d1 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d1 refused, its save failing"
ctl query-memory-devices | grep -q d1
tap_ok $? "... d1 back"
is "$(pool)" "$before" "... the HugeTLB pool as before"
not_frozen "after the device_del's undo"
ctl device_del d1 >/dev/null
tap_ok $? "device_del d1, its save taken"
tap_ok $([ "$(pool)" != "$before" ]; echo $?) "... it dissolved huge pages: $before -> $(pool)"
stop_fs

# 4. a restart that cannot allocate the file's whole pool: the next pool
#    change whose save fails is undone to the pool the machine had, not
#    frozen (review8 #2's third case; it held before the fix too)
start --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ours
echo 10 >"$H/nr_hugepages"
stop_fs
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
s["machine"]["hugetlb"] = [{"node": 0, "pages": 100000}]
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
start
tap_ok $? "restart, the file asking for 100000 huge pages"
ours
before=$(pool)
grep -q "node 0's HugeTLB pool has ${before%% *} of its 100000 pages" "$TMP/hotmemfs.log"
tap_ok $? "... the node has room for ${before%% *}, and says so"
failing sh -c "echo 5 >'$H/nr_hugepages'" 2>/dev/null
tap_ok $((! $?)) "nr_hugepages <- 5 refused, its fdatasync() failing"
is "$(pool)" "$before" "... undone: the pool the machine had"
not_frozen "after its undo"
stop_fs

# 5. a partly optimised pool's shrink undone
start --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ours
V=$MNT/proc/sys/vm/hugetlb_optimize_vmemmap
echo 1 >"$V" && echo 8 >"$H/nr_hugepages" && echo 0 >"$V" && echo 16 >"$H/nr_hugepages"
is "$(memmap_counts)" "8 1984" "switch 1: 8 huge pages, switch 0: 8 more; 8 optimised"
shrink_undone pool "16 16" "16 huge pages" " (the pool as its @pre, optimised ones and all)"
stop_fs
# the entries but for "pfns" and "heads" (where the pages are, restore42b, vmremap43)
optimized() { python3 -c 'import json, sys; print([{k: v for k, v in e.items() if k not in ("pfns", "heads")} for e in json.load(open(sys.argv[1]))["machine"]["hugetlb"]])' "$STATE"; }
is "$(optimized)" "[{'node': 0, 'pages': 16, 'optimized': 8}]" \
	"... 8 of them optimised again (the state file's whole save at the stop)"

# 6. a pool partly on a self-hosted memmap: its shrink undone
R11="hotmem.kernel_alloc=off memory_hotplug.memmap_on_memory=1 hugetlb_free_vmemmap=on memhp_default_state=online_movable"
start_fs_netns --profile qemu-512m --cmdline "$R11" --fresh
tap_ok $? "hotmemfs mounts qemu-512m, memmap_on_memory=1 hugetlb_free_vmemmap=on"
ours
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
echo 100 >"$H/nr_hugepages"
is "$(pool_memmap)" "100 100 550 1744" "a 128M DIMM and 100 huge pages: 38 optimised (not the DIMM's)"
shrink_undone pool_memmap "100 100 550 1744" "100 huge pages, 38 optimised"
stop_fs

# 7. a virtio-mem shrink that replaces free huge pages, undone.  The
#    memmap's pages in all (nr_memmap_pages + nr_memmap_boot_pages) say
#    how many are optimised, 7 fewer each: a page whose vmemmap comes
#    back takes new pages (nr_memmap_pages) where its boot ones went
#    (nr_memmap_boot_pages), as 6.12's hugetlb_vmemmap_restore_folio() does
pool_vmemmap() { local m; m=$(memmap_counts); echo "$(pool) $((${m% *} + ${m#* }))"; }
start_fs_netns "${STATE_OPTS[@]}" --cmdline "memhp_default_state=online_movable" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file, new memory online_movable"
ours
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null && ctl settle >/dev/null
tap_ok $? "virtio-mem vm0, 256M plugged and online (Movable)"
echo 0 >"$V" && echo 40 >"$H/nr_hugepages"
before=$(pool_vmemmap)
is "$before" "40 40 3072" "40 huge pages on vm0, none optimised (the switch 0)"
echo 1 >"$V"
failing ctl set-size vm0 128M >/dev/null 2>&1
tap_ok $((! $?)) "vm0 <- 128M (the switch 1) refused, its save failing"
ctl settle >/dev/null
is "$(pool_vmemmap)" "$before" "... undone: the pool, none optimised, as before"
not_frozen "after the shrink's undo"
# the shrink had put them in place in boot memory, optimised: their boot
# vmemmap pages freed (280 fewer), and the undo's restore took 280 new ones
is "$(memmap_counts)" "$((1024 + 280)) $((2048 - 280))" \
	"... the shrink had optimised the 40 it put in place; the undo's restore of them took new pages"
stop_fs
done_testing
