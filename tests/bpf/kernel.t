#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace --kernel on this machine's own kernel.  Its memory hotplug
# is never touched (/sys/devices/system/memory is not written): we check
# that the loader attaches what this kernel allows, says plainly what it
# could not, and that the mm_setup_per_zone_wmarks tracepoint (6.3+)
# delivers events, triggered by rewriting vm.min_free_kbytes with its
# current value (which recomputes the watermarks and changes nothing).
. "$(dirname "$0")/lib.sh"
need_bpf
echo "1..8"

"$HT" --kernel --json --no-pin -o "$OUT/kernel.jsonl" 2> "$OUT/kernel.err" & tr=$!
for _ in $(seq 300); do grep -q "ready:\|nothing could" "$OUT/kernel.err" && break; sleep 0.1; done
grep -q "ready:" "$OUT/kernel.err"
ok $? "hotmem-trace --kernel attaches on $(uname -r)"
diag < "$OUT/kernel.err"
grep -q "kernel .*: mode \(fentry\|kprobe\|tracepoint\)" "$OUT/kernel.err"
ok $? "says which attach mode it uses"
if grep -q "mode tracepoint" "$OUT/kernel.err"; then
	# one line, the mode's, says what is traced, what not and why; the
	# tracepoints' own lines follow it (it was four lines, docs43 F10)
	sed -n '1,/: tracepoint [a-z_]*:/p' "$OUT/kernel.err" | grep -v "WARNING: /proc/kallsyms" > "$OUT/start"
	[ "$(wc -l < "$OUT/start")" = 2 ] &&
		grep -q "mode tracepoint: tracepoints only, no kernel function traced: this kernel refuses fentry/fexit (.*) and kprobes (.*)$" "$OUT/start"
	ok $? "without fentry and kprobes: one line says that only the tracepoints are traced and why"
else
	grep -q "attached:" "$OUT/kernel.err"
	ok $? "lists the functions attached"
fi
has_wmarks=0
grep -q "tracepoint kmem:mm_setup_per_zone_wmarks: attached" "$OUT/kernel.err" && has_wmarks=1
wmarks='"src":"kernel","ev":"mm_setup_per_zone_wmarks","phase":"exit",.*"zone":"\(DMA\|DMA32\|Normal\|Movable\)"'
if [ $has_wmarks = 1 ]; then
	v=$(cat /proc/sys/vm/min_free_kbytes)
	echo "$v" > /proc/sys/vm/min_free_kbytes
	# the tracer writes out what its ring buffer holds every 200 ms: stop
	# it once the event is there (30 s at most)
	for _ in $(seq 600); do grep -q "$wmarks" "$OUT/kernel.jsonl" && break; sleep 0.05; done
fi
kill -INT $tr
wait_exit $tr 60
ok $? "SIGINT: clean exit 0"
if [ $has_wmarks = 1 ]; then
	grep -q "$wmarks" "$OUT/kernel.jsonl"
	ok $? "kmem:mm_setup_per_zone_wmarks events with node and zone name"
else
	n=$((n + 1)); echo "ok $n # SKIP kmem:mm_setup_per_zone_wmarks not in this kernel (< 6.3)"
fi
# the release it was taken on, for compare: uname -r
head -1 "$OUT/kernel.jsonl" | grep -qx "{\"hotmem_trace\":\"[0-9.]*\",\"kernel_release\":\"$(uname -r)\"}"
ok $? "the header: the kernel release, $(uname -r): '$(head -1 "$OUT/kernel.jsonl")'"
# asked for, tracepoints only is no kernel's failing
"$HT" --kernel --mode tracepoint --no-pin -o "$OUT/tp.jsonl" -d 1 2> "$OUT/tp.err"
grep -q "^hotmem-trace: kernel .*: mode tracepoint: tracepoints only, no kernel function traced: --mode tracepoint asked for it$" "$OUT/tp.err" &&
	! grep -q "not usable\|refuses\|can be traced" "$OUT/tp.err"
ok $? "--mode tracepoint: says it was asked for, blames no kernel feature"
diag < "$OUT/tp.err"
"$HT" --kernel --mode nonsense > /dev/null 2>&1
[ $? = 2 ]
ok $? "a bad --mode is a usage error (exit 2)"
done_testing
