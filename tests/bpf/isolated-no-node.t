#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_pages_isolated shows the same fields on both sides (abuse28 T6):
# the kernel's tracepoint (6.12 include/trace/events/page_isolation.h)
# records start_pfn, end_pfn and fin_pfn only, so its events have nid -1,
# zone null, zid -1; the engine's had the node and the zone.  Now neither
# side shows what the kernel cannot.  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
engine_test 2

trace_run t 'add 0x100000000 256M\nonline 33 online_movable\noffline 33\n'
ok $? "hotmem-trace -- hotmem run (add, online_movable, offline): exit 0"
grep '"ev":"test_pages_isolated"' "$D/t.jsonl" >"$D/iso"
[ -s "$D/iso" ] && ! grep -v '"nid":-1,"zone":null,"zid":-1,' "$D/iso" | grep -q .
ok $? "test_pages_isolated: no node, no zone ($(wc -l <"$D/iso") events)"
diag <"$D/iso"
done_testing
