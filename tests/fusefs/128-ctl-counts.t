#!/bin/bash
# A count is a number, a size a size (review13 N6): `alloc movable 4M`
# asked for 4 Mi pages (16 GiB), `hugetlb 1K` for 1024 huge pages, as
# hmfs_ctlargs_int() fell back to memparse(); now hotmemctl refuses the
# suffix itself (exit 2, nothing sent) and hotmemfs refuses it on the
# socket ("Parameter 'pages' expects an integer"), the machine untouched;
# size=1G and set-size's value keep theirs.  A number the command needs,
# missing (review12 N3): `hugetlb`, `fail-nth-alloc`, `inject
# MEM_GOING_ONLINE` succeeded doing nothing (the last cleared an armed
# injection); now asked for (exit 2), and hotmemfs says "Parameter
# 'pages' is missing" to a raw request.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

# refused EXIT PATTERN NAME -- HOTMEMCTL-ARGS...: exit status EXIT,
# nothing on stdout (raw's: the refusal's reply, refused_stdout_ok),
# stderr one line matching the extended regex PATTERN
refused() {
	local want=$1 pat=$2 name=$3 rc out
	shift 4
	out=$(ctl "$@" 2>"$TMP/err")
	rc=$?
	if [ "$rc" -eq "$want" ] && refused_stdout_ok "$out" "$(cat "$TMP/err")" "$@" &&
		[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		[[ $(cat "$TMP/err") =~ $pat ]]; then
		ok "$name"
	else
		nok "$name"
		diag "exit $rc (want $want), stdout: $(printf %q "$out")"
		sed 's/^/#   stderr: /' "$TMP/err"
	fi
}
# what a refusal must leave as it was: pages in use, the HugeTLB pool
machine() {
	ctl -j status | python3 -c 'import json,sys; m=json.load(sys.stdin)["machine"]; print(m["free-pages"])'
	grep -E "^HugePages_(Total|Free):" "$MNT/proc/meminfo"
}

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m --cmdline hotmem.kernel_alloc=off
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null && ctl online 32 online_movable >/dev/null
tap_ok $? "a DIMM (size=256M: a size keeps its suffix), its first block online"
before=$(machine)

# local refusals: exit 2, nothing sent
refused 2 "^hotmemctl: alloc: bad pages '4M': a number of pages, 1 or more, not a size \(no K, M, G, T suffix\)" \
	"alloc movable 4M: refused here, a count is no size" -- alloc movable 4M
refused 2 "^hotmemctl: hugetlb: bad pages '1K': .*not a size" "hugetlb 1K: refused here" -- hugetlb 1K
refused 2 "^hotmemctl: fail-nth-alloc: bad nth '1M': .*not a size" "fail-nth-alloc 1M: refused here" -- fail-nth-alloc 1M
refused 2 "^hotmemctl: offline: bad block '1K': .*not a size" "offline 1K: refused here (it was block 1024)" -- offline 1K
refused 2 "^hotmemctl: hugetlb: which pages\? \(hugetlb PAGES \[node=N\]; hotmemctl --help\)$" \
	"hugetlb without its count: asked for" -- hugetlb
refused 2 "^hotmemctl: fail-nth-alloc: which nth\? " "fail-nth-alloc without N: asked for" -- fail-nth-alloc
refused 2 "^hotmemctl: inject: which error\? " "inject MEM_GOING_ONLINE without its errno: asked for" -- \
	inject MEM_GOING_ONLINE

# hotmemfs's own refusals (a raw request is sent as is)
refused 1 "^hotmemctl: error: Parameter 'pages' expects an integer$" "raw alloc pages \"4M\": hotmemfs refuses it" -- \
	raw '{"execute": "alloc", "arguments": {"type": "movable", "pages": "4M"}}'
refused 1 "^hotmemctl: error: Parameter 'pages' expects an integer$" "raw hugetlb pages \"1K\": hotmemfs refuses it" -- \
	raw '{"execute": "hugetlb", "arguments": {"pages": "1K"}}'
refused 1 "^hotmemctl: error: Parameter 'block' expects a block number, 0 or more, decimal as in memoryN, not a size \(no K, M, G, T suffix\)$" "raw offline block \"1K\": hotmemfs refuses it" -- \
	raw '{"execute": "block-set-state", "arguments": {"block": "1K", "state": "offline"}}'
refused 1 "^hotmemctl: error: Parameter 'pages' is missing$" "raw hugetlb without pages: hotmemfs asks for it" -- \
	raw '{"execute": "hugetlb"}'
refused 1 "^hotmemctl: error: Parameter 'nth' is missing$" "raw fail-nth-alloc without nth: hotmemfs asks for it" -- \
	raw '{"execute": "fail-nth-alloc"}'
is "$(machine)" "$before" "... the machine as it was: no page allocated, the HugeTLB pool as it was"

# an armed injection is not cleared by an inject without its errno
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
refused 1 "^hotmemctl: error: Parameter 'error' is missing$" "raw inject without error: hotmemfs asks for it" -- \
	raw '{"execute": "inject", "arguments": {"action": "MEM_GOING_OFFLINE"}}'
refused 1 "a memory notifier refused it: notifier-error-inject MEM_GOING_OFFLINE is -16" \
	"... the injection still armed: the offline refused by it" -- offline 32
ctl inject MEM_GOING_OFFLINE 0 >/dev/null && ctl offline 32 >/dev/null
tap_ok $? "inject MEM_GOING_OFFLINE 0 clears it: the offline goes"

# counts in plain numbers, and in hex, still go
out=$(ctl alloc movable 1024 2>&1)
is "$?:$out" "0:allocated 1024 movable pages (4M)" "alloc movable 1024: taken"
ctl alloc movable 0x10 >/dev/null
tap_ok $? "alloc movable 0x10: a count in hex, taken"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
