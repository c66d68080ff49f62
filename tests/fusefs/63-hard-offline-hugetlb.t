#!/bin/bash
# hard_offline_page of a page of a free HugeTLB pool page, as 6.12-6.18's
# memory_failure() -> try_memory_failure_hugetlb(): the free hugetlb folio
# (get_huge_page_for_hwpoison() 0) is dissolved and the page taken off the
# buddy (__page_handle_poison()), MF_MSG_FREE_HUGE recovered: the write
# succeeds, the pool is one huge page smaller (nr_hugepages,
# free_hugepages, HugePages_Total/Free), HardwareCorrupted 4 kB, the rest
# of the huge page free again, nodeN/memory_failure/ counts it recovered;
# again: EHWPOISON.  After kill -9 the same.  It was EBUSY, the pool
# untouched, nothing counted.
. "$(dirname "$0")/lib.sh"
require_env

cat >"$TMP/mf.profile" <<'EOF2'
profile = default
probe = yes
memory_failure = yes
EOF2
M=$MNT/sys/devices/system/memory
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
F=$MNT/sys/devices/system/node/node0/memory_failure
# w FILE VALUE: the write's result, "ok" or the errno's name or number
w() { python3 "$(dirname "$0")/sysw.py" w "$1" "$2" | sed 's/^ret=.*/ok/'; }
mi() { awk -v k="$1:" '$1 == k {print $2}' "$MNT/proc/meminfo"; }
pool() { echo "$(cat "$H/nr_hugepages") $(cat "$H/free_hugepages") $(mi HugePages_Total) $(mi HugePages_Free)"; }
mf() { echo "$(cat "$F/total") $(cat "$F/recovered")"; }

start_fs --profile "$TMP/mf.profile" --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts a machine with probe and memory_failure"
# huge pages come from ZONE_MOVABLE first: 64 of them fill memory64
echo 0x200000000 >"$M/probe" && echo online_movable >"$M/memory64/state" && echo 64 >"$H/nr_hugepages"
tap_ok $? "memory64 online_movable, 64 huge pages"
is "$(pool) $(mi HardwareCorrupted)" "64 64 64 64 0" "... all free, nothing corrupted"
free=$(mi MemFree)
is "$(w "$M/hard_offline_page" 0x200405000)" ok "hard_offline_page of a page of one: recovered"
is "$(pool)" "63 63 63 63" "... its huge page dissolved: nr_hugepages, free_hugepages, HugePages_Total/Free 63"
is "$(mi HardwareCorrupted)" 4 "... HardwareCorrupted: 4 kB"
is "$(($(mi MemFree) - free))" $((2048 - 4)) "... MemFree: the huge page back but the page (2044 kB)"
is "$(mf)" "1 1" "... node0/memory_failure/: total 1, recovered 1"
is "$(w "$M/hard_offline_page" 0x200405000)" 133 "hard_offline_page of it again: EHWPOISON"
is "$(w "$M/hard_offline_page" 0x200404000)" ok "... a neighbour, free now: recovered as a free page"
is "$(pool) $(mi HardwareCorrupted) $(mf)" "63 63 63 63 8 2 2" "... the pool as it was, 8 kB corrupted"
kill9_fs
start_fs --profile "$TMP/mf.profile" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(pool) $(mi HardwareCorrupted) $(mf)" "63 63 63 63 8 2 2" "... the same"
is "$(w "$M/hard_offline_page" 0x200405000)" 133 "... and the page is poisoned still: EHWPOISON"
is "$(w "$M/memory64/state" offline)" ok "memory64 offline: the pool's huge pages dissolved, the poison stepped over"
is "$(w "$M/memory64/state" online)" 133 "... and it cannot come online again: EHWPOISON (memblk_nr_poison())"
stop_fs

# The dissolve refused (the host refusing the memory to restore the huge
# page's optimised vmemmap: dissolve_free_hugetlb_folio()'s
# hugetlb_vmemmap_restore_folio()), as 6.12's try_memory_failure_hugetlb():
# __get_huge_page_for_hwpoison() marked the folio first
# (folio_set_hugetlb_hwpoison()), the dissolve puts it back in the pool,
# __page_handle_poison() < 0 is MF_FAILED -- "recovery action for free
# huge page: Failed", the write EBUSY, the huge page poisoned in the pool
# (nr_hugepages and free_hugepages as they were), HardwareCorrupted 4 kB,
# nodeN/memory_failure/ total 1 failed 1; again, EHWPOISON;
# soft_offline_page of its head (the folio's mark): 0, nothing retired.
# After kill -9 the counts are as before (the soft offline was saved as a
# retirement, counted again by the restart).  It was EBUSY with nothing
# poisoned or counted.
mf() { echo "$(cat "$F/total") $(cat "$F/failed") $(cat "$F/recovered")"; }
pool() { echo "$(cat "$H/nr_hugepages") $(cat "$H/free_hugepages")"; }
hvo() { start_fs --profile "$TMP/mf.profile" --cmdline "hotmem.kernel_alloc=off hugetlb_free_vmemmap=on" "$@"; }
hvo --fresh
tap_ok $? "hotmemfs mounts it anew with HVO (hugetlb_free_vmemmap=on)"
echo 0x200000000 >"$M/probe" && echo online_movable >"$M/memory64/state" && echo 2 >"$H/nr_hugepages"
tap_ok $? "memory64 online_movable, 2 huge pages"
is "$(pool) $(mi HardwareCorrupted) $(mf)" "2 2 0 0 0 0" "... free, nothing corrupted or counted"
ctl fail-nth-alloc 1 >/dev/null
is "$(w "$M/hard_offline_page" 0x200005000)" EBUSY "hard_offline_page of a page of one, its dissolve refused: EBUSY"
ctl fail-nth-alloc 0 >/dev/null
is "$(pool)" "2 2" "... the huge page stays in the pool"
is "$(mi HardwareCorrupted)" 4 "... poisoned: HardwareCorrupted 4 kB"
is "$(mf)" "1 1 0" "... node0/memory_failure/: total 1, failed 1"
ctl dmesg | grep -q "Memory failure: 0x200005: recovery action for free huge page: Failed"
tap_ok $? "... dmesg: recovery action for free huge page: Failed"
is "$(w "$M/hard_offline_page" 0x200005000)" 133 "hard_offline_page of it again: EHWPOISON (133)"
is "$(mi HardwareCorrupted) $(mf)" "4 1 1 0" "... nothing more counted"
is "$(w "$M/soft_offline_page" 0x200000000)" ok "soft_offline_page of its head: already poisoned (the folio's mark), 0"
is "$(pool) $(mi HardwareCorrupted) $(mf)" "2 2 4 1 1 0" "... nothing retired or counted"
kill9_fs
hvo
tap_ok $? "hotmemfs restarts after kill -9"
is "$(pool) $(mi HardwareCorrupted) $(mf)" "2 2 4 1 1 0" "... the pool and the counts as before"
is "$(w "$M/hard_offline_page" 0x200005000)" 133 "... and the page is poisoned still: EHWPOISON"
stop_fs
done_testing
