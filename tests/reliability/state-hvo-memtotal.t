#!/bin/bash
# The boot memmap's pages HugeTLB's vmemmap optimisation gave to the
# buddy stay given up after kill -9 + restart: abuse25b C9.  6.12
# free_vmemmap_page() -> free_bootmem_page() -> adjust_managed_page_count(+1):
# MemTotal grows by 8 pages a 2 MiB huge page (the head's copied to a new
# page, abuse30a C4) and stays when the pool shrinks again (its restore
# takes fresh pages).  A restart booted them reserved again: MemTotal
# that much lower.  A file from before
# "boot-memmap-freed" restores as before.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m -n none --cmdline "hotmem.kernel_alloc=off hugetlb_free_vmemmap=on")
memtotal() { sed -n 's/^MemTotal: *//p' "$MNT/proc/meminfo"; }
managed() { grep -E '^ *(managed|present)' "$MNT/proc/zoneinfo"; }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m (HVO on) with a fresh state file"
booted=$(memtotal)
ctl hugetlb 4 >/dev/null && ctl hugetlb -4 >/dev/null
tap_ok $? "4 huge pages made (HVO frees their boot-memmap tails) and given back"
after=$(memtotal)
[[ "${after% kB}" -gt "${booted% kB}" ]]
tap_ok $? "... MemTotal grew and stays: $booted -> $after"
zones=$(managed)

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after kill -9"
is "$(memtotal)" "$after" "... MemTotal as acknowledged"
same_text "$(managed)" "$zones" "... every zone's managed and present as before"
is "$(cat "$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" "0" "... the pool empty"
ctl check >/dev/null
tap_ok $? "... hotmemctl check passes"

# with a pool: the restored pool's optimisation gives its tails up by itself
ctl hugetlb 8 >/dev/null
tap_ok $? "8 huge pages"
with_pool=$(memtotal)
zones=$(managed)
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after kill -9"
is "$(memtotal)" "$with_pool" "... MemTotal as acknowledged"
same_text "$(managed)" "$zones" "... every zone's managed and present as before"
is "$(cat "$MNT/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" "8" "... the pool of 8"
ctl check >/dev/null
tap_ok $? "... hotmemctl check passes"
ctl hugetlb -8 >/dev/null
is "$(memtotal)" "$with_pool" "... given back, MemTotal stays"

stop_fs
state_drop_key boot-memmap-freed
start_fs_netns "${OPTS[@]}"
tap_ok $? "a state file from before \"boot-memmap-freed\" restores"
is "$(memtotal)" "$booted" "... MemTotal as booted (those pages reserved again, as before)"
done_testing
