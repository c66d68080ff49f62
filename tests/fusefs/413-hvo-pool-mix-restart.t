#!/bin/bash
# A pool taken partly with vm.hugetlb_optimize_vmemmap 1 and partly with
# it 0 comes back the same after a restart: the state file's "hugetlb"
# keeps each node's optimised pages ("optimized"), and the restore
# optimises that many again whatever the switch -- booted from
# hugetlb_free_vmemmap=, restored only after the pool -- says then
# (reread30 R11).  The nr_memmap counters after kill -9 and after a clean
# restart read as before it, and the pool's shrink afterwards restores
# the optimised ones' tails as an uninterrupted run (a 6.12.117 guest:
# 8 optimised of 16, all freed: nr_memmap_pages 8 -> 64).
. "$(dirname "$0")/lib.sh"
require_env

F=$MNT/proc/sys/vm/hugetlb_optimize_vmemmap
P=$MNT/proc
nr() { w "$P/sys/vm/nr_hugepages" "$1" >/dev/null; }
start() { mount_fs "$1" --profile qemu-512m --cmdline "memhp_default_state=offline $2" "${@:3}"; }

start "hotmemfs mounts qemu-512m, HVO off at boot" "" --fresh
w "$F" 1 >/dev/null && nr 8 && w "$F" 0 >/dev/null && nr 16
is "$(memmap_counts)" "8 1984" "switch 1: 8 huge pages, switch 0: 8 more; 8 optimised"
kill9_fs
start "kill -9, restart" ""
is "$(cat "$F") $(memmap_counts)" "0 8 1984" "switch 0, the 8 optimised ones optimised again"
stop_fs
start "a clean restart" ""
is "$(memmap_counts)" "8 1984" "... and again"
nr 8
is "$(memmap_counts)" "8 1984" "pool 8: the 8 not optimised went first (the newest)"
nr 0
is "$(memmap_counts)" "64 1984" "pool 0: the 8 optimised give their tails back (6.12: 64 1984)"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

start "hotmemfs mounts qemu-512m, hugetlb_free_vmemmap=on" "hugetlb_free_vmemmap=on" --fresh
nr 8 && w "$F" 0 >/dev/null && nr 16
is "$(memmap_counts)" "8 1984" "8 huge pages optimised, then the switch 0: 8 more not"
kill9_fs
start "kill -9, restart (the command line's switch is 1)" "hugetlb_free_vmemmap=on"
is "$(cat "$F") $(memmap_counts)" "0 8 1984" "switch 0 as written, 8 of 16 optimised as before"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# reread31 R11: the restore counts only the pages it optimised.  A
# memmap_on_memory DIMM's memmap is self-hosted (no HVO), and the 2 MiB
# pool takes its Movable pages first: counted, they used up the 38 to
# optimise again and none was (nr_memmap_pages 550 -> 816).
R11="hotmem.kernel_alloc=off memory_hotplug.memmap_on_memory=1 hugetlb_free_vmemmap=on memhp_default_state=online_movable"
mount_fs "hotmemfs mounts qemu-512m, memmap_on_memory=1 hugetlb_free_vmemmap=on" \
	--profile qemu-512m --cmdline "$R11" --fresh
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
nr 100
before=$(memmap_counts)
is "$(cat "$P/sys/vm/nr_hugepages") $before" "100 550 1744" \
	"100 huge pages, the DIMM's (self-hosted memmap) not optimised, 38 others optimised"
kill9_fs
mount_fs "kill -9, restart" --profile qemu-512m --cmdline "$R11"
is "$(cat "$P/sys/vm/nr_hugepages") $(memmap_counts)" "100 $before" \
	"... the same 100, 38 of them optimised again"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# reread31 R12: a restore puts a node's mix right, not only adds optimised
# pages.  The boot pool hugepages=8 is optimised (hugetlb_free_vmemmap=on)
# before the restore, whose count then matched: the file's 8 not
# optimised came back optimised (nr_memmap_pages 64 -> 8).
B8="hugepages=8 hugetlb_free_vmemmap=on"
start "hotmemfs mounts qemu-512m, $B8" "$B8" --fresh
is "$(memmap_counts)" "8 1984" "the boot pool's 8 huge pages optimised"
w "$F" 0 >/dev/null && nr 0 && nr 8
is "$(memmap_counts)" "64 1984" "switch 0, pool 0 then 8: none optimised"
kill9_fs
start "kill -9, restart (the boot pool optimised again)" "$B8"
is "$(cat "$F") $(cat "$P/sys/vm/nr_hugepages") $(memmap_counts)" "0 8 64 1984" \
	"switch 0, 8 huge pages, none optimised as before"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
