#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmem:mm_setup_per_zone_wmarks in one schema (abuse28 T1).  6.18's
# __setup_per_zone_wmarks() fires it in for_each_zone(): every zone of an
# online node, the empty ones too, with the node, the zone's name and its
# watermarks, no range.  The engine fired it for populated zones only
# (3 events a pass where the kernel has 5), with the zone's span as its
# range; the kernel side had no zid.  Now the engine fires it for every
# zone, range 0, and the kernel side's zid comes from the zone's name.
# Needs root (BPF) and uprobes; the kernel half needs the tracepoint.
. "$(dirname "$0")/lib.sh"
engine_test 4

trace_run e 'add 0x100000000 256M\nonline 32 online_kernel\n'
ok $? "hotmem-trace -- hotmem run (add, online): exit 0"
grep '"ev":"mm_setup_per_zone_wmarks"' "$D/e.jsonl" >"$D/ew"
# one pass per watermark setup: node 0's five zones in order, each time
zones=$(sed -n 's/.*"zone":"\([A-Za-z0-9]*\)".*/\1/p' "$D/ew" | tr '\n' ' ')
passes=$(grep -c '"zone":"DMA"' "$D/ew")
want=$(for _ in $(seq "$passes"); do printf 'DMA DMA32 Normal Movable Device '; done)
[ "$passes" -ge 2 ] && [ "$zones" = "$want" ]
ok $? "the engine: every zone of the node each pass, empty ones too ($passes passes: $zones)"
! grep -v '"start_pfn":0,"nr_pages":0,' "$D/ew" | grep -q . &&
	grep -q '"zone":"Movable","zid":3,"extra":32,' "$D/ew"
ok $? "... no range (the tracepoint has none), the zid and wmark_min (Movable's 32) kept"

"$HT" --kernel --json --no-pin -o "$D/k.jsonl" 2>"$D/k.err" & tr=$!
wait_ready "$D/k.err"
if grep -q "tracepoint kmem:mm_setup_per_zone_wmarks: attached" "$D/k.err"; then
	# rewriting vm.min_free_kbytes with its own value recomputes the
	# watermarks and changes nothing (tests/bpf/kernel.t)
	v=$(cat /proc/sys/vm/min_free_kbytes)
	echo "$v" >/proc/sys/vm/min_free_kbytes
	for _ in $(seq 600); do grep -q '"zone":"Movable"' "$D/k.jsonl" && break; sleep 0.05; done
	kill -INT $tr
	wait_exit $tr 60
	grep '"ev":"mm_setup_per_zone_wmarks"' "$D/k.jsonl" >"$D/kw"
	grep -q '"zone":"Normal","zid":2,' "$D/kw" && grep -q '"zone":"Movable","zid":3,' "$D/kw" &&
		! grep -q '"zid":-1' "$D/kw" && ! grep -v '"start_pfn":0,"nr_pages":0,' "$D/kw" | grep -q .
	ok $? "the kernel ($(uname -r)): every event's zid from its zone's name, no range"
	diag <"$D/kw"
else
	kill -INT $tr 2>/dev/null
	wait_exit $tr 60
	ok "# SKIP kmem:mm_setup_per_zone_wmarks not attached on $(uname -r)"
fi
done_testing
