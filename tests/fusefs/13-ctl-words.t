#!/bin/bash
# hotmemctl speaks sentences by default for alloc, free-all, hugetlb and
# check (JSON only with --json), and a hugetlb shrink says what it freed
# and what the pool holds: "-16" never reads as a pool size (#13.5).
. "$(dirname "$0")/lib.sh"
require_env

start_fs --fresh
tap_ok $? "hotmemfs mounts"
is "$(ctl alloc movable 100)" "allocated 100 movable pages (400K)" "alloc: a sentence"
is "$(ctl alloc unmovable 3 node=0)" "allocated 3 unmovable pages (12K)" "alloc node=0: a sentence"
is "$(ctl free-all)" "freed 103 pages (412K)" "free-all: a sentence"
is "$(ctl hugetlb 16)" "HugeTLB pool: added 16 huge pages of 2 MiB (32M); it now holds 16, 16 free" \
	"hugetlb 16: what was added and the pool"
is "$(ctl hugetlb -6)" "HugeTLB pool: freed 6 huge pages of 2 MiB (12M); it now holds 10, 10 free" \
	"hugetlb -6: what was freed and the pool"
is "$(ctl hugetlb -16)" \
	"HugeTLB pool: freed 10 of 16 huge pages of 2 MiB asked for (20M), only free huge pages can go; it now holds 0, 0 free" \
	"hugetlb -16 on a pool of 10: says it freed 10 of 16"
is "$(ctl hugetlb 1)" "HugeTLB pool: added 1 huge page of 2 MiB (2M); it now holds 1, 1 free" \
	"hugetlb 1: one huge page, not pages (usereye7 #11c)"
is "$(ctl alloc pinned 1)" "allocated 1 pinned page (4K)" "alloc pinned 1: one page"
is "$(ctl free-all)" "freed 1 page (4K)" "free-all of one page: one page"
ctl hugetlb -1 >/dev/null
is "$(ctl check)" "invariants hold" "check: a sentence"
out=$(ctl --json hugetlb 2)
ok=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["pages"], d["added"], d["requested"], d["pool-pages"], d["pool-free"])' "$out" 2>&1)
is "$ok" "2 2 2 2 2" "--json hugetlb: pages (kept), added, requested, pool-pages, pool-free"
out=$(ctl alloc movable 5 --json)
ok=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["allocated"], d["requested"], d["type"])' "$out" 2>&1)
is "$ok" "5 5 movable" "--json alloc: allocated, requested, type"
ok=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]))' "$(ctl check --json)" 2>&1)
is "$ok" "{'ok': True}" "--json check: {\"ok\": true}"
ctl free-all >/dev/null
done_testing
