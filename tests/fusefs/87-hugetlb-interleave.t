#!/bin/bash
# hotmemctl hugetlb N (no node: the global pool, nr_hugepages) interleaves
# over the nodes with memory, as 6.12's set_max_huge_pages() ->
# alloc_pool_huge_folio() round robin (h->next_nid_to_alloc), and shrinks
# the same way (remove_pool_hugetlb_folio(), next_nid_to_free); each node's
# nodeN nr_hugepages/free_hugepages shows it and the state file keeps it
# over kill -9.  The global pool filled node 0 first.
. "$(dirname "$0")/lib.sh"
require_env

nodes01_profile 2 "$TMP/two.profile"
mount_fs "hotmemfs mounts a machine with memory on nodes 0 and 1" --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off --fresh
N=$MNT/sys/devices/system/node
hp() { cat "$N/node$1/hugepages/hugepages-2048kB/$2"; }
pools() { echo "$(hp 0 nr_hugepages) $(hp 1 nr_hugepages) $(hp 0 free_hugepages) $(hp 1 free_hugepages)"; }

ctl hugetlb 5 >/dev/null
tap_ok $? "hotmemctl hugetlb 5"
is "$(pools)" "3 2 3 2" "node 0, 1, 0, 1, 0: node0 3 (3 free), node1 2 (2 free)"
ctl hugetlb 1 >/dev/null
is "$(pools)" "3 3 3 3" "hugetlb 1: the round robin goes on at node1"
ctl hugetlb -3 >/dev/null
tap_ok $? "hotmemctl hugetlb -3"
is "$(pools)" "1 2 1 2" "shrinking interleaves too: node 0, 1, 0"
# with node= a shrink is that node's alone, as a write of its nodeN
# nr_hugepages (__nr_hugepages_store_common() with the node's mask); it
# went to the global round robin, and a node not possible was taken
is "$(ctl hugetlb -1 node=1)" "HugeTLB pool: freed 1 huge page of 2 MiB (2M); it now holds 2, 2 free" \
	"hugetlb -1 node=1: one freed"
is "$(pools)" "1 1 1 1" "... node 1's (review12 D1)"
is "$(ctl hugetlb -1 node=99 2>&1; echo "rc=$?")" "hotmemctl: error: hugetlb: Invalid argument: node 99 does not exist (possible: 0-1)
rc=1" "hugetlb -1 node=99: not a possible node, EINVAL, as hugetlb 1 node=99"
is "$(pools)" "1 1 1 1" "... nothing freed"
is "$(ctl hugetlb -5 node=0)" "HugeTLB pool: freed 1 of 5 huge pages of 2 MiB asked for (2M), only free huge pages can go; it now holds 1, 1 free" \
	"hugetlb -5 node=0: node 0 had one: fewer is no error"
is "$(pools)" "0 1 0 1" "... node 1's page stays"

kill9_fs
start_fs --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(pools)" "0 1 0 1" "each node's pool as it was"
done_testing
