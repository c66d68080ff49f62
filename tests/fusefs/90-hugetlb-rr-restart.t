#!/bin/bash
# The global HugeTLB pool's round robin (6.12's h->next_nid_to_alloc and
# next_nid_to_free, 87-hugetlb-interleave.t) survives a restart on the
# state file, a clean one and a kill -9 after an acknowledged change
# ("hugetlb-next-nid"): the same hotmemctl hugetlb steps put each node's
# nr_hugepages where an uninterrupted run puts them.  The restore grows
# each node's pool on its own, which left the round robin at the last
# node with pages: after an odd number of pages the next one came from
# node 0 again, and a shrink took node 0's.
. "$(dirname "$0")/lib.sh"
require_env

nodes01_profile 2 "$TMP/two.profile"
N=$MNT/sys/devices/system/node
hp() { cat "$N/node$1/hugepages/hugepages-2048kB/nr_hugepages"; }
pools() { echo "$(hp 0) $(hp 1)"; }
start() { start_fs --profile "$TMP/two.profile" --cmdline hotmem.kernel_alloc=off "$@"; }

# run MODE: the steps, each one's pools a line of $TMP/MODE; MODE restart
# stops hotmemfs cleanly after the first and kills it -9 after the
# fourth (an acknowledged shrink), each time starting it again on its
# state file.
run() {
	local out=$TMP/$1
	start --fresh || return 1
	ctl hugetlb 1 >/dev/null && pools >>"$out"
	if [ "$1" = restart ]; then stop_fs; start || return 1; fi
	ctl hugetlb 1 >/dev/null && pools >>"$out"
	ctl hugetlb 1 >/dev/null && pools >>"$out"
	ctl hugetlb -1 >/dev/null && pools >>"$out"
	if [ "$1" = restart ]; then kill9_fs; start || return 1; fi
	ctl hugetlb -1 >/dev/null && pools >>"$out"
	ctl hugetlb 1 >/dev/null && pools >>"$out"
	ctl hugetlb 1 >/dev/null && pools >>"$out"
	stop_fs
}
step() { sed -n "$2p" "$TMP/$1"; }

run straight
is "$(echo $(cat "$TMP/straight"))" "1 0 1 1 2 1 1 1 1 0 1 1 2 1" \
	"uninterrupted: node 0, 1, 0; shrink from node 0, then 1; grow on 1, 0"
run restart
is "$(step restart 2)" "$(step straight 2)" \
	"after a clean restart on 1 page: the next comes from node 1, as uninterrupted"
is "$(step restart 5)" "$(step straight 5)" \
	"after kill -9 following an acknowledged shrink: the next shrink is node 1's, as uninterrupted"
is "$(cat "$TMP/restart")" "$(cat "$TMP/straight")" "every step's nodes as uninterrupted"
done_testing
