#!/bin/bash
# HugeTLB's vmemmap optimisation moves the head's vmemmap page to a new
# GFP_KERNEL page and frees all 8 of each huge page's (6.12
# vmemmap_remap_free(): memmap_pages_add(1), then memmap_boot_pages_add(-1)
# or memmap_pages_add(-1) a page): /proc/vmstat's nr_memmap_pages and
# nr_memmap_boot_pages read as abuse30a C4's 6.12.117 guest (-m 512M,
# hugetlb_free_vmemmap=on): 32 huge pages in boot memory, a 256 MiB DIMM
# online_movable, 64 more there -- hotmem read 0/1824, 1024/1824,
# 576/1824.  A clean restart and a kill -9 after an acknowledged change
# keep them, and the dissolve's restore (the tails' own pages again, the
# head where it moved) too.  The counters, not the pages' places: a
# restart puts the pool's huge pages back by count (the 32 of boot memory
# come back in the DIMM), and their head pages with them.
. "$(dirname "$0")/lib.sh"
require_env
P=$MNT/proc
start() { start_fs --profile qemu-512m --cmdline "memhp_default_state=offline hugetlb_free_vmemmap=on" "$@"; }

start --fresh
tap_ok $? "hotmemfs mounts (qemu-512m, hugetlb_free_vmemmap=on)"
is "$(memmap_counts)" "0 2048" "boot: nr_memmap_pages 0, nr_memmap_boot_pages 2048"
w "$P/sys/vm/nr_hugepages" 32 >/dev/null
is "$(memmap_counts)" "32 1792" "pool 32 in boot memory: 32 new head pages, 8 boot pages freed each (6.12: 32 1792)"
ctl device_add pc-dimm id=d1 size=256M >/dev/null && ctl settle --timeout 60 >/dev/null &&
	ctl online 32 online_movable >/dev/null && ctl online 33 online_movable >/dev/null
tap_ok $? "a 256 MiB DIMM hot-added, memory32 and memory33 online_movable"
is "$(memmap_counts)" "1056 1792" "... its 1024 memmap pages from system RAM (6.12: 1056 1792)"
w "$P/sys/vm/nr_hugepages" 96 >/dev/null
is "$(memmap_counts)" "608 1792" "pool 96, 64 in the DIMM: its memmap's 8 freed, a new head each (6.12: 608 1792)"
stop_fs
start
is "$(memmap_counts)" "608 1792" "after a clean restart: the same"
w "$P/sys/vm/nr_hugepages" 0 >/dev/null
is "$(memmap_counts)" "1280 1792" "pool 0: each restore gives the 7 tails their pages, the head stays on its new one"
kill9_fs
start
is "$(memmap_counts)" "1280 1792" "after kill -9 following the acknowledged shrink: the same"
stop_fs
done_testing
