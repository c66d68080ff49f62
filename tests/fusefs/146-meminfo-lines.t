#!/bin/bash
# proc/meminfo has 6.12's lines, in 6.12's order (fs/proc/meminfo.c
# meminfo_proc_show()), for the config of the Debian 6.12 guest
# (tests/kernel/cache/linux-6.12/boot/config-*: CONFIG_ZSWAP=y,
# CONFIG_TRANSPARENT_HUGEPAGE=y, CONFIG_UNACCEPTED_MEMORY=y, no CONFIG_CMA)
# and the profile's memory_failure: Zswap and Zswapped were missing (a
# script reading meminfo by line number read shifted fields), and
# HardwareCorrupted was printed on a machine without CONFIG_MEMORY_FAILURE
# (usereye5 #8g).
. "$(dirname "$0")/lib.sh"
require_env

lines() { cut -d: -f1 "$MNT/proc/meminfo" | tr '\n' ' '; }
want() {
	echo "MemTotal MemFree MemAvailable Buffers Cached SwapCached Active Inactive" \
		"Active(anon) Inactive(anon) Active(file) Inactive(file) Unevictable Mlocked" \
		"SwapTotal SwapFree Zswap Zswapped Dirty Writeback AnonPages Mapped Shmem" \
		"KReclaimable Slab SReclaimable SUnreclaim KernelStack PageTables SecPageTables" \
		"NFS_Unstable Bounce WritebackTmp CommitLimit Committed_AS VmallocTotal" \
		"VmallocUsed VmallocChunk Percpu ${1-}AnonHugePages ShmemHugePages ShmemPmdMapped" \
		"FileHugePages FilePmdMapped Unaccepted HugePages_Total HugePages_Free" \
		"HugePages_Rsvd HugePages_Surp Hugepagesize Hugetlb DirectMap4k DirectMap2M DirectMap1G "
}

printf 'profile = default\n' >"$TMP/plain.profile"
mount_fs "hotmemfs mounts a machine without memory_failure" --profile "$TMP/plain.profile" --fresh
is "$(lines)" "$(want)" "meminfo: 6.12's lines (Zswap, Zswapped, Unaccepted), no HardwareCorrupted"
grep -q '^Zswap:                 0 kB$' "$MNT/proc/meminfo"
tap_ok $? "... 'Zswap:' padded as show_val_kb() pads it"
stop_fs

printf 'profile = default\nmemory_failure = yes\n' >"$TMP/mf.profile"
mount_fs "hotmemfs mounts the machine with memory_failure = yes" --profile "$TMP/mf.profile" --fresh
is "$(lines)" "$(want "HardwareCorrupted ")" "meminfo: HardwareCorrupted after Percpu (CONFIG_MEMORY_FAILURE)"
done_testing
