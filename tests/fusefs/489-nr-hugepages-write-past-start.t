#!/bin/bash
# A write of vm.nr_hugepages (or nr_hugepages_mempolicy) past the file's
# start, as 6.12 takes it: hugetlb_sysctl_handler_common() reads tmp =
# h->max_huge_pages, proc_doulongvec_minmax() ignores the write
# (proc_first_pos_non_zero_ignore(): "goto out", *lenp whole, 0), and the
# handler then runs __nr_hugepages_store_common(..., tmp, *length) --
# set_max_huge_pages() to the pool's own size, which moves no page (6.12
# keeps max_huge_pages at persistent_huge_pages() after every resize and
# dissolve) -- and answers the whole count.  hotmemfs answers the count
# and leaves the pool, each node's part of it and the round robin as
# they are; tests/fusefs/438 holds the guest's own answers ('5'@1 ->
# ret=1, the value kept).  zones43 checked it: no change was needed.
. "$(dirname "$0")/lib.sh"
require_env

mount_numa2_probe "hotmemfs mounts numa2"
V=$MNT/proc/sys/vm
N=$MNT/sys/devices/system/node
pool() { echo "$(cat "$V/nr_hugepages") $(cat "$N"/node[01]/hugepages/hugepages-2048kB/nr_hugepages | tr '\n' ' ')"; }

is "$(w "$V/nr_hugepages" 3)" ret=1 "nr_hugepages <- 3"
before=$(pool)
is "$before" "3 2 1 " "a pool of 3, interleaved over nodes 0 and 1"
is "$(pw "$V/nr_hugepages" 1 0)" ret=1 "'0' at position 1: the whole count answered"
is "$(pool)" "$before" "... the pool and each node's part as they were"
is "$(pw "$V/nr_hugepages" 4096 "1
")" ret=2 "'1\\n' at position 4096: the same"
is "$(pool)" "$before" "... nothing moved"
is "$(pw "$V/nr_hugepages_mempolicy" 2 0)" ret=1 "nr_hugepages_mempolicy, '0' at position 2: the same"
is "$(pool)" "$before" "... nothing moved"
# the round robin as it stood: the next page goes where it would have
is "$(w "$V/nr_hugepages" 4)" ret=1 "nr_hugepages <- 4"
is "$(pool)" "4 2 2 " "... the fourth page on node 1, the round robin untouched"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
