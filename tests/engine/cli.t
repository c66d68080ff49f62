#!/bin/bash
# The engine's own front end, end to end: a hot-plug scenario driven by a
# script through build/hotmem, checked line by line (TAP).
set -u
B=${HOTMEM_BUILD:-build}
HM=$B/hotmem
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
expect() { # NAME PATTERN TEXT
	if grep -qE -- "$2" <<<"$3"; then ok "$1"; else notok "$1" "expected /$2/ in:" "$(head -c 1500 <<<"$3")"; fi
}

echo "1..86"
. "$(dirname "$0")/../need.sh"
[ -x "$HM" ] || need_plan_skip 86 "$HM not built"

out=$("$HM" status 2>&1)
expect "default machine boots and reports itself" "machine default: 2 possible node\(s\), block size 128M" "$out"
expect "eight boot blocks online" "blocks: 8 online, 0 offline" "$out"
# the profile's maxmem (where addresses end) is not QEMU's -m maxmem= (qemu-512m's
# help says maxmem=4G): the line names what it is, not the key (usereye9 F3).
# 11.5G: QEMU's device memory region, 4G + 3.5G + 1G a slot (8G until 2026-12-03)
q=$("$HM" --profile qemu-512m status 2>&1)
expect "qemu-512m: the end of its addresses, 11.5G (QEMU's region's), said as such" \
	"^machine qemu-512m: .*, hotplug addresses end at 11.5G$" "$q"
if grep -q 'maxmem' <<<"$q"; then notok "... no 'maxmem' beside QEMU's maxmem=4G" "$(head -1 <<<"$q")"
else ok "... no 'maxmem' beside QEMU's maxmem=4G"; fi
expect "the node states: node 0 online with CPUs and memory, node 1 possible only" \
	"^nodes: online=\\[0\\] has_cpu=\\[0\\] has_memory=\\[0\\] has_normal_memory=\\[0\\]$" "$out"

# a memoryless node with CPUs (cpu_nodes naming a node without ram): online
# from boot; memory added to it is N_MEMORY once online; removed, the node
# stays.  The profile's nodes are QEMU's (PXMs): the guest numbers the CPUs'
# first (x86 6.12 acpi_numa_init(), engine/srat.c), so PXM 2 is its node 1
# and the memory-only PXM 1 its node 2; `add node=` is the kernel's node id
ml=$(mktemp)
printf 'profile = numa2\ncpu_nodes = 0,2\n' >"$ml"
out=$("$HM" --profile "$ml" status 2>&1)
expect "numa2 with cpu_nodes = 0,2: PXM 2 the guest's node 1, online with CPUs, without memory" \
	"^nodes: online=\\[0-2\\] has_cpu=\\[0-1\\] has_memory=\\[0,2\\] has_normal_memory=\\[0,2\\]$" "$out"
out=$(printf '%s\n' "add 0x100000000 256M node=1" status "online 32 online_movable" status \
	"offline 32" "remove 0x100000000 256M" status | "$HM" --profile "$ml" run - 2>&1)
rm -f "$ml"
states=$(grep '^nodes:' <<<"$out" | paste -sd';')
expect "... memory added to node 1: not N_MEMORY while offline" \
	"^nodes: online=\\[0-2\\] has_cpu=\\[0-1\\] has_memory=\\[0,2\\] has_normal_memory=\\[0,2\\];" "$states"
expect "... a block of it online_movable: N_MEMORY, not N_NORMAL_MEMORY" \
	";nodes: online=\\[0-2\\] has_cpu=\\[0-1\\] has_memory=\\[0-2\\] has_normal_memory=\\[0,2\\];" "$states"
expect "... removed: node 1 stays (its CPUs)" \
	";nodes: online=\\[0-2\\] has_cpu=\\[0-1\\] has_memory=\\[0,2\\] has_normal_memory=\\[0,2\\]$" "$states"

out=$("$HM" --profile no-such-profile status 2>&1); rc=$?
[ $rc -ne 0 ] && ok "unknown profile is refused" || notok "unknown profile is refused" "rc=$rc"
expect "the refusal says why" "no-such-profile" "$out"
expect "... in the words hotmemfs uses (neither built in nor a file), not a bare ENOENT" \
	"profile 'no-such-profile': no built-in profile or file of that name" "$out"

out=$("$HM" --cmdline "memory_hotplug.online_policy=bogus" status 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "online_policy" <<<"$out" && ok "bad kernel parameter is named" || notok "bad kernel parameter is named" "$out"

script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'S'
add 0x100000000 256M
online 32 online_movable
online 33
blocks
alloc movable 5000
offline 32
online 32 online_movable
online 32
add 0x100000000 128M
remove 0x100000000 256M
offline 32
offline 33
remove 0x100000000 256M
check
S
out=$("$HM" --events run "$script" 2>&1)
expect "add emits ADD uevents" "uevent add /devices/system/memory/memory33" "$out"
expect "online_movable lands in Movable" "memory32 .*online +node0 Movable" "$out"
expect "movable pages migrate away on offline" "> offline 32 = 0" "$out"
expect "same-state write is EINVAL" "> online 32 = -22 Invalid argument" "$out"
expect "overlapping add is EEXIST" "> add 0x100000000 128M = -17 File exists" "$out"
expect "remove of online memory is EBUSY" "> remove 0x100000000 256M = -16 Device or resource busy" "$out"
expect "invariants hold at the end" "invariants: ok" "$out"

# 6.12 offline_pages(): a pinned page in a Movable block is retried until a
# signal (here the command's timeout) ends the offline with EINTR
out=$(printf '%s\n' "add 0x100000000 128M" "online 32 online_movable" "alloc pinned 3" \
	"offline 32 timeout=200" "blocks" "freeall" "offline 32" | "$HM" run - 2>&1)
expect "pinned Movable block: offline ends in EINTR at the signal" "> offline 32 timeout=200 = -4 Interrupted" "$out"
expect "pinned Movable block: still online in Movable after EINTR" "memory32 .*online +node0 Movable" "$out"
expect "pinned Movable block: goes offline once unpinned" "^> offline 32 = 0" "$out"
# timeout=MS is bounded, an hour as sleep's MS: unbounded, monotonic_ms() + MS
# overflowed and timeout=2^63-1 ended the offline at once (-EINTR); past the
# bound or past long long it is ERANGE, no number EINVAL, the script's error
out=$(printf '%s\n' "add 0x100000000 128M" "online 32 online_movable" "alloc pinned 3" \
	"offline 32 timeout=9223372036854775807" "blocks" |
	"$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
expect "offline timeout=2^63-1: the script's error, not an EINTR at once" \
	"^> offline 32 timeout=9223372036854775807 = script error: nothing done$" "$out"
expect "... said: out of range, ERANGE, at most an hour" \
	"^hotmem: <stdin>:4: offline: 'timeout=9223372036854775807': out of range \(ERANGE\): timeout=MS, at most an hour, 3600000 \(offline BLOCK \[timeout=MS\]\)$" "$out"
# (nothing pinned here: a timeout taken is an offline done, not an hour's wait)
out=$(printf '%s\n' "add 0x100000000 128M" "online 32 online_movable" \
	"offline 32 timeout=99999999999999999999" "offline 32 timeout=-1" "offline 32 timeout=3600001" \
	"blocks" | "$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
expect "timeout past long long: ERANGE" "^hotmem: <stdin>:3: offline: 'timeout=99999999999999999999': out of range \(ERANGE\)" "$out"
expect "timeout=-1: EINVAL" "^hotmem: <stdin>:4: offline: 'timeout=-1': not milliseconds \(EINVAL\): timeout=MS, a whole number, 0 or more" "$out"
expect "timeout=3600001 (an hour and a millisecond): ERANGE" "^hotmem: <stdin>:5: offline: 'timeout=3600001': out of range \(ERANGE\)" "$out"
expect "... memory32 still online" "^memory32 .* online " "$out"
# sleep's MS in the same words as timeout=MS (reread17 R2: sleep said "a whole
# number" of 20 digits, and its hour's bound without ERANGE)
out=$(printf '%s\n' "sleep 99999999999999999999" "sleep 3600001" "sleep -1" | "$HM" run - 2>&1)
expect "sleep past long long: ERANGE" "^hotmem: <stdin>:1: sleep: '99999999999999999999': out of range \(ERANGE\): MS, at most an hour, 3600000" "$out"
expect "sleep 3600001: ERANGE" "^hotmem: <stdin>:2: sleep: '3600001': out of range \(ERANGE\)" "$out"
expect "sleep -1: EINVAL" "^hotmem: <stdin>:3: sleep: '-1': not milliseconds \(EINVAL\): MS, a whole number, 0 or more" "$out"
# free-all, hotmemctl's word (usereye 16); freeall, the old one, still taken
out=$(printf '%s\n' "alloc movable 10" "free-all" "alloc movable 5" "freeall" | "$HM" run - 2>&1)
expect "free-all frees the workload" "^freed 10$" "$out"
expect "freeall too" "^freed 5$" "$out"
expect "usage lists free-all" "free-all .*free the workload" "$("$HM" --help 2>&1)"

# a living kernel: the first Normal block fails, explain and dmesg say why
out=$(printf '%s\n' "add 0x100000000 256M" "online 32" "online 33 online_movable" "offline 33" \
	"offline 32" "explain 32" "explain 32 --json" "dmesg" "meminfo" | "$HM" --profile qemu-512m run - 2>&1)
expect "qemu-512m: the first Normal block is EBUSY with no explicit alloc" "^> offline 32 = -16" "$out"
expect "explain names the kernel's page at the block's first pfn" "^  0x100000 +0 .* kernel +" "$out"
expect "explain --json gives the verdict" '"verdict":"ebusy"' "$out"
expect "dmesg keeps the kernel's dump_page after the fact" "^<4>page dumped because: unmovable page" "$out"

# a script's numbers are whole numbers or refused (-EINVAL), the machine
# untouched: "add ... node=abc" added to node 0, "hugetlb -3" grew the pool
# by 498 (strtoul("-3")), "explain x" explained memory0, "alloc movable 5x"
# allocated 5 -- each was read with strtol()/strtoul() and nothing checked
out=$(printf '%s\n' "add 0x100000000 128M node=abc" "hugetlb -3" "hugetlb 2 node=x" "alloc movable 5x" \
	"alloc movable 5 nod=0" "explain x" "offline 7 timeout=abc" "offline 7 timeout=-5" "sleep abc" \
	"online 1x" "blocks" "meminfo" | "$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
bad=$(grep -c -- "= script error: nothing done$" <<<"$out")
[ "$bad" -eq 10 ] && ok "ten malformed numbers: each the script's error" || notok "ten malformed numbers: each the script's error" "$bad of 10" "$out"
expect "... the boot blocks listed" "^memory7 " "$out"
grep -q "^memory32 " <<<"$out" && notok "... nothing added (memory32 is there)" "$out" || ok "... nothing added (no memory32)"
expect "... the HugeTLB pool still empty" "^HugePages_Total: 0$" "$out"

# a block is memoryN's N, decimal without a leading 0; other numbers decimal
# (a leading 0 pads) or 0x hex, never octal (usereye7 #1, hotmemctl's rule
# since 37d2c49): strtol(base 0) read "offline 040" as memory32, "online
# 0x21" as memory33, "alloc movable 010" as 8 pages, refused "hugetlb 08"
out=$(printf '%s\n' "add 0x100000000 256M" "online 32" "offline 040" "online 0x21" "explain 00000020" \
	"alloc movable 010" "free-all" "alloc movable 0x10" "hugetlb 08" "blocks" |
	"$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1); rc=$?
expect "offline 040: the script's error, not octal memory32" "^> offline 040 = script error: nothing done$" "$out"
expect "... memory32 still online" "^memory32 .* online " "$out"
expect "... said why, in hotmemctl's words" \
	"^hotmem: <stdin>:3: offline: BLOCK '040': a block number, 0 or more, decimal as in memoryN, without a leading 0 \(is 040 decimal, C's octal or a phys_index's hex\?\) \(offline BLOCK \[timeout=MS\]\)$" "$out"
expect "online 0x21: the script's error, not memory33" "^> online 0x21 = script error: nothing done$" "$out"
expect "... memory33 still offline" "^memory33 .* offline " "$out"
expect "... said: not hex" "^hotmem: <stdin>:4: online: BLOCK '0x21': a block number, 0 or more, decimal as in memoryN, not hex \(0x21 is 33\)" "$out"
expect "explain 00000020 (a pasted phys_index): refused" "^> explain 00000020 = script error: nothing done$" "$out"
expect "alloc movable 010: ten pages (a leading 0 pads), not eight" "^freed 10$" "$out"
expect "alloc movable 0x10: hex still taken (sixteen)" "^allocated 16$" "$out"
expect "hugetlb 08: eight pages, not refused" "^hugepages 8$" "$out"
[ $rc -eq 3 ] && ok "... exit status 3 (the script's errors)" || notok "... exit status 3 (the script's errors)" "rc=$rc" "$out"

# a node past int is no node (cmd_alloc's (int)2^32 was node 0, allocated
# there; node=-2 too): EINVAL as hugetlb's; and a refused alloc or hugetlb
# says so in its "= -errno" line alone ("hugepages -22" came first)
out=$(printf '%s\n' "alloc movable 1 node=4294967296" "alloc movable 1 node=-2" "hugetlb 2 node=99" \
	"hugetlb 1" "alloc movable 1" | "$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
expect "alloc node=2^32: the script's error, not node 0" "^> alloc movable 1 node=4294967296 = script error: nothing done$" "$out"
expect "alloc node=-2: the script's error" "^> alloc movable 1 node=-2 = script error: nothing done$" "$out"
grep -qE "^(hugepages|allocated) -" <<<"$out" && notok "a refusal prints no count line of its errno" "$out" ||
	ok "a refusal prints no count line of its errno"
expect "... a hugetlb that grew the pool says so" "^hugepages 1$" "$out"
expect "... an alloc that allocated says so" "^allocated 1$" "$out"

# add's node= and group= past int are none (node=4294967296 was node 0,
# memory added there; group=4294967295 was -1, no group): -22, nothing added
out=$(printf '%s\n' "add 0x100000000 128M node=4294967296" "add 0x100000000 128M group=4294967295" \
	"add 0x100000000 128M group=-2" "blocks" | "$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
expect "add node=2^32: the script's error, not node 0" "^> add 0x100000000 128M node=4294967296 = script error: nothing done$" "$out"
expect "add group=2^32-1: the script's error, not no group" "^> add 0x100000000 128M group=4294967295 = script error: nothing done$" "$out"
expect "add group=-2: the script's error" "^> add 0x100000000 128M group=-2 = script error: nothing done$" "$out"
grep -q "^memory32 " <<<"$out" && notok "... nothing added (memory32 is there)" "$out" || ok "... nothing added (no memory32)"

# alloc's node= is a task's preferred node (MPOL_PREFERRED, 6.12): one
# without memory is -22 as set_mempolicy() says (node 1 of the default
# profile gave node 0's pages); one with memory falls back once it runs out
out=$(printf '%s\n' "alloc movable 1 node=1" "free-all" "add 0x100000000 128M node=1" "online 32 online_movable" \
	"alloc movable 40000 node=1" | "$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
expect "alloc node=1 (no memory): -22" "^> alloc movable 1 node=1 = -22 Invalid argument$" "$out"
expect "... nothing allocated" "^freed 0$" "$out"
expect "alloc node=1 past its 32768 pages: node 0 gives the rest" "^allocated 40000$" "$out"

# a script's own error (usereye4 #18): FILE:LINE: CMD: what is wrong (the
# syntax), nothing done, exit status 3 -- apart from a step the kernel
# refuses (= -errno, exit 2); the bare "-22" said neither line nor syntax
printf '%s\n' "add 0x100000000" "online 32 movable" "offline" "alloc movable" \
	"add 0x100000000 128M memmap_on_memroy" "frob 3" "blocks 3" "add 0x100000000 128M" "blocks" >"$script"
out=$("$HM" --cmdline hotmem.kernel_alloc=off run "$script" 2>"$script.err"); rc=$?
err=$(cat "$script.err"); rm -f "$script.err"
[ $rc -eq 3 ] && ok "a script with errors: exit status 3" || notok "a script with errors: exit status 3" "rc=$rc" "$err"
expect "a missing word: its line, the command, the word, the syntax" \
	"^hotmem: $script:1: add: SIZE missing \(add START SIZE \[node=N\] \[memmap_on_memory\] \[group=G\]\)$" "$err"
expect "a word that is no state" "^hotmem: $script:2: online: 'movable' is not a state to online into \(online BLOCK \[online\|online_kernel\|online_movable\]\)$" "$err"
expect "offline without its block" "^hotmem: $script:3: offline: BLOCK missing \(offline BLOCK \[timeout=MS\]\)$" "$err"
expect "a misspelt flag" "^hotmem: $script:5: add: unknown word 'memmap_on_memroy' \(add START" "$err"
expect "an unknown command" "^hotmem: $script:6: frob: no such command \(hotmem --help lists them\)$" "$err"
expect "a word too many" "^hotmem: $script:7: blocks: '3': a word too many \(blocks\)$" "$err"
long=$(printf '%s\n' "add 1 2 3 4 5 6 7 8 9" | "$HM" run - 2>&1)
expect "... the first word past the syntax named, on a long line too" "^hotmem: <stdin>:1: add: '6': a word too many" "$long"
long=$( (printf 'add 0x100000000 128M node=0%0600d\n' 0; echo blocks) | "$HM" run - 2>&1)
expect "a line past 510 bytes: the script's error, its tail no line of its own" \
	"^hotmem: <stdin>:1: add: a line longer than 510 bytes \\(add START" "$long"
! grep -q "<stdin>:2:" <<<"$long" && grep -q "^> blocks = 0$" <<<"$long" &&
	ok "... its tail is not read as a line: the next line runs" ||
	notok "... its tail is not read as a line: the next line runs" "$long"
expect "... counted apart from the kernel's refusals" "^hotmem: $script: 7 lines are the script's own errors \(skipped\), 0 steps refused$" "$err"
expect "... each echoed as the script's error, not -22" "^> online 32 movable = script error: nothing done$" "$out"
expect "... the run goes on: the good add done" "^memory32 " "$out"
# the one rule and its words, engine/uapi/numbers.c, for hotmemctl and hotmem
# run alike: a size where a block or a count goes is said to be one
out=$(printf '%s\n' "online 4M" "alloc movable 4M" | "$HM" --cmdline hotmem.kernel_alloc=off run - 2>&1)
expect "online 4M: refused as hotmemctl refuses it, not a size" \
	"^hotmem: <stdin>:1: online: BLOCK '4M': a block number, 0 or more, decimal as in memoryN, not a size \(no K, M, G, T suffix\) \(online BLOCK" "$out"
expect "alloc movable 4M: a count, not a size" \
	"^hotmem: <stdin>:2: alloc: COUNT '4M': a whole number, 0 or more \(decimal or 0x hex\), not a size \(no K, M, G, T suffix\) \(alloc" "$out"
out=$(printf '%s\n' "add 0x100000000 128M" "online 32" "online 32" | "$HM" run - 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "^> online 32 = -22 Invalid argument$" <<<"$out" &&
	ok "a step the kernel refuses: -22 and exit status 2, as before" ||
	notok "a step the kernel refuses: -22 and exit status 2, as before" "rc=$rc" "$out"

# a directory given as the script opens (fopen) and its first read is
# EISDIR: said as a missing script is, exit 1 -- not a run of nothing, exit
# 0 (abuse25a B7)
dir=$(mktemp -d)
out=$("$HM" run "$dir" 2>&1); rc=$?
[ $rc -eq 1 ] && ok "run DIR: exit 1, as a missing script" || notok "run DIR: exit 1, as a missing script" "rc=$rc" "$out"
expect "... said: DIR: Is a directory" "^hotmem: $dir: Is a directory$" "$out"
rmdir "$dir"
# a word past the command is refused, as hotmemctl refuses it, not ignored
out=$("$HM" status extra 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "hotmem: status: unexpected argument 'extra'" ] &&
	ok "status extra: refused, exit 2, the word named" ||
	notok "status extra: refused, exit 2, the word named" "rc=$rc" "$out"
out=$(echo status | "$HM" run - extra 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "hotmem: run: unexpected argument 'extra'" ] &&
	ok "run SCRIPT extra: refused before the script runs, exit 2" ||
	notok "run SCRIPT extra: refused before the script runs, exit 2" "rc=$rc" "$out"
