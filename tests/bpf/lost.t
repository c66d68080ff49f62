#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Events the ring buffer had no room for are said where the trace is
# (abuse25a B3): only the last stderr line counted them, so a JSON trace
# with most of its events missing read as a whole one, SIGUSR1 said
# nothing of it, and compare blamed the engine for the tracer's loss.
# Now: a {"ev":"lost","count":N,...} record in the JSON lines and a line
# in the table each time the drop count moves, their counts adding up to
# the summary's "dropped"; SIGUSR1 says the drops so far; compare refuses
# a trace with loss (exit 2); timeline marks it.  The loss is made, not
# waited for: the reader is stopped (SIGSTOP) while usdt_target fires
# 200000 events of 104 bytes, five times what the 4 MiB ring buffer
# holds.  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
usdt_test 9

"$HT" --emulator "$T" --no-pin -o "$D/table" -J "$D/t.jsonl" 2>"$D/err" &
tr=$!
for _ in $(seq 300); do grep -q "ready:" "$D/err" && break; sleep 0.1; done
kill -STOP $tr
"$T" storm 100000 >"$D/storm"
kill -CONT $tr
kill -USR1 $tr
for _ in $(seq 100); do grep -q "SIGUSR1" "$D/err" && break; sleep 0.1; done
usr1=$(sed -n 's/^hotmem-trace: SIGUSR1: [0-9]* events so far, \([0-9]*\) dropped, tracing on .*/\1/p' "$D/err")
[ "${usr1:-0}" -gt 0 ]
ok $? "SIGUSR1 says the events dropped so far (${usr1:-none})"
kill -INT $tr
wait_exit $tr 60
ok $? "SIGINT: exit 0"
diag <"$D/err"
total=$(dropped "$D/err")
[ "${total:-0}" -gt 0 ]
ok $? "the summary counts ${total:-no} dropped"
lost=$(grep -c '"ev":"lost"' "$D/t.jsonl")
sum=$(sed -n 's/^{"ts":[0-9]*,"ev":"lost","count":\([0-9]*\),"since":[0-9]*}$/\1/p' "$D/t.jsonl" |
	awk '{ s += $1 } END { printf "%.0f\n", s }')
[ "$lost" -gt 0 ] && [ "$sum" = "$total" ]
ok $? "the JSON lines have $lost lost record(s), their counts adding up to the summary's ($sum of $total)"
grep '"ev":"lost"' "$D/t.jsonl" | head -3 | diag
grep -Eq "^ *[0-9]+\.[0-9]{6} - +lost +[0-9]+ events dropped since [0-9]+\.[0-9]{6} s: the trace has a gap here$" "$D/table"
ok $? "the table says it too"
grep -w lost "$D/table" | head -3 | diag

"$HT" compare "$D/t.jsonl" "$D/t.jsonl" >"$D/cmp" 2>"$D/cmp.err"
rc=$?
ok $([ $rc = 2 ]; echo $?) "compare of a trace with loss: refused, exit 2 (got $rc)"
grep -q "^hotmem-trace compare: $D/t.jsonl: $total events lost by the tracer" "$D/cmp.err"
ok $? "... saying how many the tracer lost"
diag <"$D/cmp.err"
"$HT" timeline -o "$D/t.svg" "$D/t.jsonl" 2>"$D/tl.err"
ok $? "timeline of it: exit 0"
diag <"$D/tl.err"
grep -q "$total events lost" "$D/t.svg"
ok $? "... the SVG marks the loss"
done_testing
