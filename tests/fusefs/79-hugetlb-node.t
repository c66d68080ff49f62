#!/bin/bash
# hotmemctl hugetlb PAGES node=N and hotmem run's "hugetlb N node=N": the
# node's pool, as a write of its nodeN/hugepages/hugepages-2048kB/
# nr_hugepages.  A node that is not possible has no nodeN (EINVAL), a
# possible one not online no nodeN/hugepages (6.12 register_node() ->
# hugetlb_register_node(): ENOENT); node=3, node=99999 and node=1 of the
# default profile (possible 0-1, node 0 online) all succeeded and filled
# node 0 (usereye #5).  Refused, the pool is as it was, the state file too.
. "$(dirname "$0")/lib.sh"
require_env

start_fs --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts the default profile (possible nodes 0-1, node 0 online)"
H0=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
# err CMD...: hotmemctl's exit status and its error line
err() { ctl "$@" 2>&1 >/dev/null; echo "rc=$?"; }

for n in 2 3 99999; do
	is "$(err hugetlb 4 node=$n)" "hotmemctl: error: hugetlb: Invalid argument: node $n does not exist (possible: 0-1)
rc=1" "hugetlb 4 node=$n: not a possible node, EINVAL, the node named"
done
is "$(err hugetlb 4 node=1)" "hotmemctl: error: hugetlb: No such file or directory: node 1 is not online (no node1/hugepages)
rc=1" "hugetlb 4 node=1: possible, not online (no node1/hugepages): ENOENT, said"
# a shrink with node= is that node's too (review12 D1: it shrank the global pool)
is "$(err hugetlb -1 node=99)" "hotmemctl: error: hugetlb: Invalid argument: node 99 does not exist (possible: 0-1)
rc=1" "hugetlb -1 node=99: not a possible node, EINVAL, as the growth"
is "$(err hugetlb -1 node=1)" "hotmemctl: error: hugetlb: No such file or directory: node 1 is not online (no node1/hugepages)
rc=1" "hugetlb -1 node=1: not online, ENOENT, as the growth"
# alloc's node is a preference (c14301a): a node without memory, or none
is "$(err alloc movable 1 node=1)" "hotmemctl: error: allocation failed: Invalid argument: node 1 has no memory
rc=1" "alloc movable 1 node=1: node 1 has no memory, said"
is "$(err alloc movable 1 node=5)" "hotmemctl: error: allocation failed: Invalid argument: node 5 does not exist (possible: 0-1)
rc=1" "alloc movable 1 node=5: not a possible node, said"
is "$(cat "$H0") $(awk '$1 == "HugePages_Total:" {print $2}' "$MNT/proc/meminfo")" "0 0" \
	"... node 0's pool and the machine's are empty"
is "$(ctl hugetlb 2 node=0)" "HugeTLB pool: added 2 huge pages of 2 MiB (4M); it now holds 2, 2 free" \
	"hugetlb 2 node=0: node 0's pool"
is "$(ctl hugetlb 2)" "HugeTLB pool: added 2 huge pages of 2 MiB (4M); it now holds 4, 4 free" \
	"hugetlb 2: the global pool"
is "$(cat "$H0")" 4 "node 0 has the 4"
kill9_fs
start_fs --cmdline hotmem.kernel_alloc=off
tap_ok $? "hotmemfs restarts after kill -9"
is "$(cat "$H0")" 4 "... node 0's pool is 4: the refused requests left nothing in the state file"

# the engine's own command line: the same errno
out=$(printf '%s\n' "hugetlb 4 node=3" "hugetlb 4 node=1" "hugetlb 4 node=4294967296" "hugetlb 2" |
	"$HOTMEM_BUILD/hotmem" run - 2>&1 | grep '^>')
is "$out" "> hugetlb 4 node=3 = -22 Invalid argument
> hugetlb 4 node=1 = -2 No such file or directory
> hugetlb 4 node=4294967296 = script error: nothing done
> hugetlb 2 = 0" "hotmem run: node=3 EINVAL, node=1 ENOENT, node=2^32 the script's error (not node 0), none: the global pool"
done_testing
