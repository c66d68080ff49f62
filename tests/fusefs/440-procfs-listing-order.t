#!/bin/bash
# A procfs directory lists in procfs's order (getdents, as `ls -f` and
# os.scandir() see it), not the order hotmemfs built its tree in: /proc's
# proc_dir_entries by proc_match() -- the name's length, then its bytes
# (proc_readdir_de(); this host's /proc: fs bus dma irq net sys tty acpi
# ...) -- and a sysctl directory by namecmp(), the bytes
# (proc_sys_readdir(); this host's /proc/sys/vm: admin_reserve_kbytes
# compact_memory ...).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts numa2" --profile numa2 --fresh
ls_f() { python3 -c 'import os, sys; print(*[e.name for e in os.scandir(sys.argv[1])])' "$1"; }
is "$(ls_f "$MNT/proc")" "sys iomem vmstat cmdline meminfo zoneinfo buddyinfo kpagecount kpageflags pagetypeinfo" \
	"proc/: by name length, then bytes (proc_match())"
is "$(ls_f "$MNT/proc/sys")" "kernel vm" "proc/sys/: by name (namecmp())"
is "$(ls_f "$MNT/proc/sys/vm")" \
	"admin_reserve_kbytes hugetlb_optimize_vmemmap lowmem_reserve_ratio min_free_kbytes nr_hugepages nr_hugepages_mempolicy nr_overcommit_hugepages percpu_pagelist_high_fraction user_reserve_kbytes watermark_boost_factor watermark_scale_factor" \
	"proc/sys/vm/: by name (namecmp())"
# the host's own, where it has these: the same rule
if [ -d /proc/sys/vm ]; then
	is "$(ls_f /proc/sys/vm | tr " " "\n" | LC_ALL=C sort -c 2>&1 && echo sorted)" "sorted" \
		"... as this host's /proc/sys/vm lists (strcmp order)"
fi
stop_fs
done_testing
