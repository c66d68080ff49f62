#!/bin/bash
# A pool change's record holds "hugetlb": each node's pages, optimised
# pages, and its "pfns" and "heads" as runs whose count grows by one per
# huge page (state.c hugetlb_pfn_add(), hugetlb_head_add()).
# alloc_shim.so (built here) fails the nr_hugepages write's Nth malloc()
# of 56 bytes (json-c 0.16's int objects), N = 1, 2, ... until one is
# past the write's last.  Each failure either refuses the write (the pool
# and the journal as they were) or lets it succeed with a record whose
# "hugetlb" has no null and whose runs hold the pool's pages.  A count
# that could not be made was put as null, the next pfn read it as 0 and
# began a run of its own, and the record was acknowledged (review43 F5,
# vfix43: with hugetlb_run_count_set() reverted to the unchecked
# put_idx, check 4 fails: N = 183-185 acknowledged with a run
# [5120, null], the pages after it in runs of their own or missing).
# Its "hugetlb-next-nid" likewise: with hugetlb_next_nid_json()'s adds
# unchecked again, check 4 fails at N = 210, 211 ({"alloc": null, ...}).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc
MACHINE=(--profile qemu-512m --cmdline "hotmem.kernel_alloc=off hugetlb_free_vmemmap=on")
H=$MNT/sys/devices/system/node/node0/hugepages/hugepages-2048kB
PAGES=8

# the journal's last record's "hugetlb": "ok" when it has no null and its
# runs hold its pages, else what is wrong
last_hugetlb() {
	journal_text | tail -n 1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read().split(" ", 1)[1])
h = r.get("set", {}).get("hugetlb")
bad = []
if not isinstance(h, list):
    bad.append("no hugetlb: %r" % (h,))
for e in h or []:
    if "null" in json.dumps(e):
        bad.append("null in node %s: %s" % (e.get("node"), json.dumps(e)))
        continue
    for k in ("pfns", "heads"):
        n = sum(run[1] for run in e.get(k, []))
        if n != (e["pages"] if k == "pfns" else e["optimized"]):
            bad.append("%s holds %d for %s" % (k, n, e["pages"]))
n = r.get("set", {}).get("hugetlb-next-nid", {})
if not isinstance(n, dict) or None in n.values():
    bad.append("hugetlb-next-nid: %s" % json.dumps(n))
print(" ".join(bad) or "ok")'
}

LD_PRELOAD=$TMP/alloc_shim.so mount_fs "hotmemfs mounts qemu-512m with a fresh state file (alloc_shim.so)" \
	"${MACHINE[@]}" --fresh
echo $PAGES >"$H/nr_hugepages" && is "$(last_hugetlb)" "ok" "... a pool of $PAGES: its record's runs hold its pages"
echo 0 >"$H/nr_hugepages"
total=0 refused=0 bad=
n=0
while [ "$n" -lt 400 ]; do
	n=$((n + 1))
	sum=$(journal_text | md5sum)
	echo "malloc $n 56" >"$TMP/malloc"
	echo $PAGES >"$H/nr_hugepages" 2>/dev/null
	rc=$?
	if [ -e "$TMP/malloc" ]; then # past the write's last: the shim's file untaken
		rm -f "$TMP/malloc"
		break
	fi
	total=$((total + 1))
	if [ "$rc" -ne 0 ]; then
		refused=$((refused + 1))
		[ "$(cat "$H/nr_hugepages")" = 0 ] && [ "$(journal_text | md5sum)" = "$sum" ] ||
			bad+=" $n:changed"
		continue
	fi
	s=$(last_hugetlb)
	[ "$s" = ok ] || bad+=" $n:($s)"
	echo 0 >"$H/nr_hugepages" || bad+=" $n:shrink"
done
[ "$n" -lt 400 ] && [ "$total" -gt 10 ]
tap_ok $? "the write's 56-byte allocations failed in turn: $total of them, $refused refused it"
is "${bad:- none}" " none" "... each refused it, nothing changed, or it was done and saved with whole \"hugetlb\" runs"
echo $PAGES >"$H/nr_hugepages"
expect=$(snapshot)
kill9_fs
mount_fs "kill -9, restart from the state file" "${MACHINE[@]}"
same_text "$(snapshot)" "$expect" "... the same machine"
done_testing
