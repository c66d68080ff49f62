#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hugetlb_vmemmap_optimize of a huge page HVO does not optimise (HVO off,
# hugetlb_free_vmemmap's default here) returns 0, as 6.12's per-folio
# __hugetlb_vmemmap_optimize_folio() does ("if
# (!vmemmap_should_optimize_folio(h, folio)) return ret;", ret 0) -- the
# function hotmem-trace's kernel side now attaches to, which a
# nr_hugepages grow's batch goes through too (abuse28 T2).  The engine's
# exits said -EOPNOTSUPP, a value the kernel never shows.
# Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
engine_test 2

for hvo in off on; do
	trace_run $hvo 'add 0x100000000 256M\nonline 32 online_kernel\nhugetlb 4\n' \
		--cmdline "hugetlb_free_vmemmap=$hvo"
	rets=$(grep '"ev":"hugetlb_vmemmap_optimize","phase":"exit"' "$D/$hvo.jsonl" |
		grep -o '"ret":-*[0-9]*' | tr '\n' ' ')
	[ "$rets" = '"ret":0 "ret":0 "ret":0 "ret":0 ' ]
	ok $? "hugetlb_free_vmemmap=$hvo: one exit per huge page, each ret 0: $rets"
done
done_testing
