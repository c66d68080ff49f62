#!/bin/bash
# A restart from the state file puts the HugeTLB pool's pages in
# ZONE_MOVABLE back at their pfns, as those below it: /proc/buddyinfo
# reads as running.  The pool grew around the workload's movable pages
# (hotmemctl alloc, not saved), which were freed after; a restore that
# grew the Movable pages by count took the blocks those had held
# (vmremap43; check 6 fails without the fix: Movable's free order-9
# blocks 0 for 4, order-10 60 for 58).
. "$(dirname "$0")/lib.sh"
require_env
P=$MNT/proc
start() { start_fs --profile qemu-512m --cmdline "memhp_default_state=offline" "$@"; }
zone_line() { awk -v z="$1" '$4 == z' "$P/buddyinfo"; }

start --fresh
tap_ok $? "hotmemfs mounts (qemu-512m)"
ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl settle --timeout 60 >/dev/null &&
	ctl online 32 online_movable >/dev/null && ctl online 33 online_movable >/dev/null
tap_ok $? "a 256 MiB DIMM hot-added, memory32 and memory33 online_movable"
# the pool grown in steps between the workload's movable allocations
for step in "300 1" "2000 3" "700 5" "1500 8"; do
	set -- $step
	ctl alloc movable "$1" >/dev/null && w "$P/sys/vm/nr_hugepages" "$2" >/dev/null
done
is "$(cat "$P/sys/vm/nr_hugepages")" 8 "the pool grown to 8 between the workload's allocations"
ctl free-all >/dev/null
movable=$(zone_line Movable) dma32=$(zone_line DMA32)
kill9_fs
start
tap_ok $? "kill -9, restart from the state file"
is "$(cat "$P/sys/vm/nr_hugepages")" 8 "the pool's 8 back"
is "$(zone_line Movable)" "$movable" "Movable's free blocks as running (the pool's pages at their pfns)"
is "$(zone_line DMA32)" "$dma32" "DMA32's free blocks as running"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
