#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace --kernel with /proc/kallsyms addresses hidden (abuse28 T13:
# kernel.kptr_restrict=2, or 1 without CAP_SYSLOG): &memory_chain and
# vmemmap_base read as 0, so MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE are not
# seen and vmemmap ranges are unknown.  The tracer must say so, with the
# sysctl that allows them, and mark its header; compare must not then
# blame the engine for what the tracer could not see.  The host's sysctl
# is never changed: a private mount namespace gets a copy of /proc/kallsyms
# with every address 0 bind-mounted over it.
. "$(dirname "$0")/lib.sh"
need_bpf
need_tool unshare util-linux
FX=$SRC/tests/fixtures/traces
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
echo "1..8"

sed 's/^[0-9a-f]*/0000000000000000/' /proc/kallsyms > "$D/kallsyms"
# the tracer, $1: "hidden" under the zeroed copy, else the real file
trace() {
	local bind=
	[ "$1" = hidden ] && bind="mount --bind $D/kallsyms /proc/kallsyms &&"
	unshare -m sh -c "$bind exec \"\$0\" --kernel --json --no-pin -o \"\$1\" --duration 1" \
		"$HT" "$D/$1.jsonl" 2> "$D/$1.err"
}
trace hidden
ok $? "hotmem-trace --kernel under a zeroed /proc/kallsyms: exit 0"
diag < "$D/hidden.err"
grep -q "WARNING: /proc/kallsyms shows every address as 0 (kernel.kptr_restrict is [0-9]*: .*CAP_SYSLOG.*not seen: memory_notify's MEM_PREPARE_ONLINE and MEM_FINISH_OFFLINE.*unknown, written as 0 pages: the vmemmap_populate\*, vmemmap_free and hugetlb_vmemmap_optimize ranges.*To see them: sysctl kernel.kptr_restrict=0" "$D/hidden.err"
ok $? "says the addresses are hidden, what is lost, and the sysctl that allows them"
head -1 "$D/hidden.jsonl" | grep -q '^{"hotmem_trace":"[^"]*","kernel_release":"[^"]*","kallsyms_hidden":true}$'
ok $? "the header says kallsyms_hidden: '$(head -1 "$D/hidden.jsonl")'"
trace real
ok $? "the same with the real /proc/kallsyms: exit 0"
! grep -q "kallsyms" "$D/real.err" && ! grep -q kallsyms_hidden "$D/real.jsonl"
ok $? "... no warning, no kallsyms_hidden in its header (root reads the addresses)"

# compare: the 6.12 guest's trace as it reads with the addresses hidden --
# no MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE, vmemmap ranges 0 -- beside the
# engine doing the same
blind() {	# header: the fixture, blinded, behind HEADER
	echo "$1"
	grep -v '"action":"MEM_PREPARE_ONLINE"\|"action":"MEM_FINISH_OFFLINE"' "$FX/kernel-6.12.jsonl" |
		sed '/"ev":"vmemmap_\|"ev":"hugetlb_vmemmap_/s/"start_pfn":[0-9]*,"nr_pages":[0-9]*/"start_pfn":0,"nr_pages":0/'
}
blind '{"hotmem_trace":"0","kernel_release":"6.12.117","kallsyms_hidden":true}' > "$D/k-hidden.jsonl"
blind '{"hotmem_trace":"0","kernel_release":"6.12.117"}' > "$D/k-nomark.jsonl"
"$HT" compare "$D/k-hidden.jsonl" "$FX/engine.jsonl" > "$D/cmp-hidden.out" 2>&1
ok $? "compare: a blind kernel trace beside the engine, exit 0 (the engine is not blamed)"
diag < "$D/cmp-hidden.out"
grep -q "traced with /proc/kallsyms addresses hidden (its header)" "$D/cmp-hidden.out" &&
	grep -q "not compared, only in .*engine.jsonl (expected on 6.12): .*memory_notify(MEM_PREPARE_ONLINE), memory_notify(MEM_FINISH_OFFLINE) (kallsyms addresses hidden" "$D/cmp-hidden.out"
ok $? "... says which trace was blind and leaves its missing steps out"
"$HT" compare "$D/k-nomark.jsonl" "$FX/engine.jsonl" > "$D/cmp-nomark.out" 2>&1
[ $? = 1 ]
ok $? "the same trace without the header's mark: differences, exit 1 (the test can fail)"
done_testing
