#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace compare as a regression gate (usereye6 L), on real
# recordings (tests/fixtures/traces: 6.12 and 6.1 guests, the engine): a
# step wholly missing from one trace is a difference -- a truncated
# recording, an engine that stopped calling the notifier or online_pages
# -- exit 1, the summary naming what was missing; the steps a kernel
# version does not show (6.12 inlines memory_block_online/offline, has no
# wmarks tracepoint) are listed, not compared: 6.12 beside the engine is
# still exit 0.  Plain file tools: no root, no BPF.
. "$(dirname "$0")/lib.sh"
need_built "$HT"
FX=$SRC/tests/fixtures/traces
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
echo "1..27"

cp "$FX/kernel-6.12.jsonl" "$D/k612.jsonl"
cp "$FX/kernel-6.1.jsonl" "$D/k61.jsonl"
cp "$FX/engine.jsonl" "$D/e.jsonl"
cd "$D" || exit 1
# the finding's three cuts of the engine's 87 events
head -n 20 e.jsonl > cut.jsonl	# 5 meminfo lines and 15 events: a recording stopped early
grep -v '"ev":"memory_notify"' e.jsonl > nonotify.jsonl
grep -v '"ev":"online_pages"\|"ev":"offline_pages"' e.jsonl > noop.jsonl

cmp_() {	# name args...: compare into NAME.out, its exit status in NAME.rc
	local name=$1
	shift
	"$HT" compare "$@" > "$name.out" 2> "$name.err"
	echo $? > "$name.rc"
}
summary() { grep "^compare: [0-9]* difference" "$1.out"; }

cmp_ cut e.jsonl cut.jsonl
[ "$(cat cut.rc)" = 1 ]
ok $? "engine vs its first 15 events: exit 1"
grep -q "^compare: cut.jsonl has 15 events, e.jsonl 87: fewer than half, a truncated recording? (a difference)$" cut.out
ok $? "... the truncation said and counted"
summary cut | grep -q "steps only in e.jsonl: .*online_pages.* -- differences"
ok $? "... the summary names the steps only in the whole trace: $(summary cut | cut -c1-160)"

cmp_ nonotify e.jsonl nonotify.jsonl
[ "$(cat nonotify.rc)" = 1 ] && [ "$(summary nonotify)" = "compare: 12 differences in 28 common steps; 12 steps only in e.jsonl: memory_notify -- differences" ]
ok $? "engine vs engine without memory_notify: exit 1, '$(summary nonotify)'"
grep -q "^e.jsonl:[0-9]* only in e.jsonl, no such step in nonotify.jsonl: memory_notify/exit(MEM_GOING_ONLINE)$" nonotify.out
ok $? "... each missing step named with its first line"

cmp_ noop e.jsonl noop.jsonl
[ "$(cat noop.rc)" = 1 ] && [ "$(summary noop)" = "compare: 4 differences in 36 common steps; 4 steps only in e.jsonl: online_pages, offline_pages -- differences" ]
ok $? "engine vs engine without online_pages/offline_pages: exit 1, '$(summary noop)'"

# the kernel-vs-engine comparison the default was made for
cmp_ k612 k612.jsonl e.jsonl
[ "$(cat k612.rc)" = 0 ]
ok $? "6.12 vs engine: exit 0"
[ "$(summary k612)" = "compare: 0 differences in 35 common steps; 5 steps only in e.jsonl, not compared: expected on 6.12 (memory_block_online, mm_setup_per_zone_wmarks, memory_block_offline)" ]
ok $? "... the summary says what was compared and what was not: '$(summary k612)'"
# one line, each function once with its reason (it was a line per enter
# and per exit: 5 lines for 3 functions)
[ "$(grep -c "not compared, only in" k612.out)" = 1 ] &&
	grep -qx "compare: not compared, only in e.jsonl (expected on 6.12): memory_block_online, memory_block_offline (inlined: [^;]*); mm_setup_per_zone_wmarks (no such tracepoint (6.18 has it))" k612.out
ok $? "... the steps not compared in one line, each function once with its reason: '$(grep "not compared, only in" k612.out | cut -c1-120)...'"
cmp_ k612-18 --kernel 6.18.44 k612.jsonl e.jsonl
[ "$(cat k612-18.rc)" = 1 ] && summary k612-18 | grep -q "; 1 step only in e.jsonl: mm_setup_per_zone_wmarks -- a difference; 4 steps only in e.jsonl, not compared: expected on 6.18 (memory_block_online, memory_block_offline)$"
ok $? "--kernel 6.18: the wmarks tracepoint is 6.18's, its absence a difference"

# the release in a trace's header (hotmem-trace writes it first): compare
# takes the list from it without --kernel and says so; the fixtures have
# none (recorded before the header): the default, said; --kernel still wins
{ echo '{"hotmem_trace":"0.1.0","kernel_release":"6.18.44-fc"}'; cat k612.jsonl; } > k618h.jsonl
cmp_ k618h k618h.jsonl e.jsonl
[ "$(cat k618h.rc)" = 1 ] && summary k618h | grep -q "; 1 step only in e.jsonl: mm_setup_per_zone_wmarks -- a difference; 4 steps only in e.jsonl, not compared: expected on 6.18 (memory_block_online, memory_block_offline)$" && [ ! -s k618h.err ]
ok $? "a header saying 6.18.44-fc: 6.18's list without --kernel, the header no skipped line"
grep -qx "compare: k618h.jsonl: kernel 6.18.44-fc (its header): 6.18's list of steps it does not show" k618h.out
ok $? "... said: '$(grep "kernel 6.18" k618h.out)'"
grep -qx "compare: k612.jsonl: kernel release not recorded (a trace without a header): 6.12's list (the default; --kernel VERSION says another)" k612.out
ok $? "no header: the default, said: '$(grep "k612.jsonl: kernel" k612.out)'"
cmp_ k618k --kernel 6.12 k618h.jsonl e.jsonl
[ "$(cat k618k.rc)" = 0 ] && grep -qx "compare: k618h.jsonl: kernel 6.12 (--kernel; its header says 6.18.44-fc): 6.12's list of steps it does not show" k618k.out
ok $? "--kernel 6.12 wins over the header, both said"

# the engine lost its notifier: beside the kernel it is a difference too
cmp_ knonotify k612.jsonl nonotify.jsonl
[ "$(cat knonotify.rc)" = 1 ] && summary knonotify | grep -q "; 12 steps only in k612.jsonl: memory_notify -- differences; 5 steps only in nonotify.jsonl, not compared"
ok $? "6.12 vs engine without memory_notify: exit 1, '$(summary knonotify | cut -c1-100)...'"
# the list is of what a kernel does not show: an engine lacking it differs
grep -v '"ev":"memory_block_online"' e.jsonl > nombo.jsonl
cmp_ nombo e.jsonl nombo.jsonl
[ "$(cat nombo.rc)" = 1 ] && summary nombo | grep -q "; 2 steps only in e.jsonl: memory_block_online -- differences$"
ok $? "engine vs engine without memory_block_online: exit 1 (only a kernel trace may lack it)"

# 6.1 beside 6.12: 6.1's list (notrace __meminit, no MEM_PREPARE_ONLINE)
cmp_ k61 --kernel 6.1 k612.jsonl k61.jsonl
[ "$(grep -c "not compared, only in" k61.out)" = 1 ] &&
	grep -q "^compare: not compared, only in k612.jsonl (expected on 6.1): sparse_add_section, vmemmap_populate (__meminit is notrace: not traceable); " k61.out &&
	grep -q "; memory_notify(MEM_PREPARE_ONLINE), memory_notify(MEM_FINISH_OFFLINE) (no such notification before 6.9)$" k61.out &&
	! grep -q "no such step" k61.out
ok $? "--kernel 6.1: the steps only 6.12 shows are listed, not counted"
cmp_ k61d k612.jsonl k61.jsonl
summary k61d | grep -q "; 10 steps only in k612.jsonl: sparse_add_section, vmemmap_populate, vmemmap_populate_hugepages, memory_notify -- differences$"
ok $? "... without it (6.12's list) they are differences"

# 6.1 beside the engine: the ~15 steps 6.1 does not show are not counted
# in the truncation test (43 events beside 87 was "fewer than half"); the
# 2 differences are 6.1's own order (mhp_supports_memmap_on_memory is
# called before add_memory_resource there), a separate matter
cmp_ k61e --kernel 6.1 k61.jsonl e.jsonl
[ "$(cat k61e.rc)" = 1 ] && ! grep -q "fewer than half" k61e.out
ok $? "6.1 vs engine: no false truncation (exit 1 for the 2 ordering differences alone)"
[ "$(summary k61e)" = "compare: 2 differences in 25 common steps; 15 steps only in e.jsonl, not compared: expected on 6.1 (sparse_add_section, vmemmap_populate, vmemmap_populate_hugepages, memory_block_online, memory_notify, mm_setup_per_zone_wmarks, memory_block_offline)" ]
ok $? "... the summary: '$(summary k61e | cut -c1-100)...'"

# 6.9 to 6.11 have their own lists (finalE F11: they took 6.1's): a 6.10
# trace lacking MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE is a difference (6.9
# has them), its __meminit steps are not (notrace before 6.11); on 6.11
# those are differences too
cmp_ k610e --kernel 6.10.14 k61.jsonl e.jsonl
[ "$(summary k610e)" = "compare: 6 differences in 25 common steps; 4 steps only in e.jsonl: memory_notify -- differences; 11 steps only in e.jsonl, not compared: expected on 6.9 (sparse_add_section, vmemmap_populate, vmemmap_populate_hugepages, memory_block_online, mm_setup_per_zone_wmarks, memory_block_offline)" ]
ok $? "--kernel 6.10.14: 6.9's list, the notifications differences: '$(summary k610e | cut -c1-100)...'"
cmp_ k611e --kernel 6.11 k61.jsonl e.jsonl
summary k611e | grep -q "; 10 steps only in e.jsonl: sparse_add_section, vmemmap_populate, vmemmap_populate_hugepages, memory_notify -- differences; 5 steps only in e.jsonl, not compared: expected on 6.11 (memory_block_online, mm_setup_per_zone_wmarks, memory_block_offline)$"
ok $? "--kernel 6.11: __meminit traced, its steps differences: '$(summary k611e | cut -c1-100)...'"

cmp_ bad --kernel 5.15 k612.jsonl e.jsonl
[ "$(cat bad.rc)" = 2 ] && grep -q "^hotmem-trace compare: --kernel 5.15: not a version hotmem-trace knows the absent steps of (6.1 or newer: lists for 6.1, 6.9, 6.11, 6.12, 6.18)$" bad.err && [ ! -s bad.out ]
ok $? "--kernel 5.15: exit 2, said, nothing compared"

# meminfo (docs/hotmem-trace.md item 5's examples are these lines): the
# engine's MemFree lowered from "online" on, 6000 kB: that step alone
# differs; lowered 3000 kB more at each step: every step within 4096 kB,
# 12852 kB off in all, past 4096 x sqrt(4) (reread20 G5)
memfree() {	# PHASE=OLD:NEW...: e.jsonl, its MemFree at PHASE made NEW (OLD checked)
	local e= p ph old
	for p in "$@"; do
		ph=${p%%=*} old=${p#*=}
		e+="s/\"phase\":\"$ph\",\(\"MemTotal\":[0-9]*\),\"MemFree\":${old%:*},/"
		e+="\"phase\":\"$ph\",\1,\"MemFree\":${p##*:},/;"
	done
	sed "$e" e.jsonl
}
memfree online=746368:740368 offline=615204:609204 again=746128:740128 > mi-step.jsonl
cmp_ mi-step k612.jsonl mi-step.jsonl
[ "$(cat mi-step.rc)" = 1 ] && [ "$(grep -c "^meminfo" mi-step.out)" = 1 ] &&
	grep -qx "meminfo online (from added): MemFree(+PcpFree) change +262312 kB != +255944 kB (tolerance 4096 kB)" mi-step.out
ok $? "6.12 vs an engine freeing 6000 kB less at online: that step, once: '$(grep "^meminfo" mi-step.out)'"
memfree added=484424:481424 online=746368:740368 offline=615204:606204 again=746128:734128 > mi-drift.jsonl
cmp_ mi-drift k612.jsonl mi-drift.jsonl
[ "$(cat mi-drift.rc)" = 1 ] && [ "$(grep -c "^meminfo" mi-drift.out)" = 1 ] &&
	grep -qx "meminfo again (from boot, 4 steps in all): MemFree(+PcpFree) change +258412 kB != +245560 kB (tolerance 8192 kB = 4096 x sqrt(4): each step within, a drift)" mi-drift.out
ok $? "6.12 vs an engine freeing 3000 kB less at each step: the whole change: '$(grep "^meminfo" mi-drift.out)'"

# --strict as it was: every event aligned, the summary says so
cmp_ strict --strict k612.jsonl e.jsonl
[ "$(cat strict.rc)" = 1 ] && [ "$(summary strict)" = "compare: 32 differences in 35 common steps; 5 steps only in e.jsonl: memory_block_online, mm_setup_per_zone_wmarks, memory_block_offline -- compared event by event (--strict)" ]
ok $? "--strict: 32 differences as before, '$(summary strict | cut -c1-80)...'"
cmp_ self e.jsonl e.jsonl
[ "$(cat self.rc)" = 0 ] && [ "$(summary self)" = "compare: 0 differences in 40 common steps" ]
ok $? "a trace beside itself: '$(summary self)'"
done_testing
