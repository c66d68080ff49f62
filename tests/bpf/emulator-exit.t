#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Small things a tracing user read wrong (abuse28 T11):
# - `--emulator PID` whose process exits: the tracer stops, exit 0, and
#   its summary said nothing of why; now "; NAME (pid N) exited".
# - a trace started during a storm began with hundreds of events at
#   "ts":0: t0 was taken after the probes attached and pinned, every step
#   recorded in between clamped to 0.  (That check passes on a fast start
#   too: it can fail only when the attach takes long enough.)
. "$(dirname "$0")/lib.sh"
usdt_test 4

"$T" wait-for "$D/go" >/dev/null & pid=$!
"$HT" --no-pin --emulator $pid --json -o "$D/t.jsonl" 2>"$D/err" & tr=$!
for _ in $(seq 600); do grep -q "ready:\|nothing could" "$D/err" && break; sleep 0.05; done
touch "$D/go"
wait_exit $tr 60
ok $? "--emulator PID: the tracer stops with its process, exit 0"
grep -q "^hotmem-trace: [0-9]* events, 0 dropped, [0-9]* USDT probe hits; usdt_target (pid $pid) exited$" "$D/err"
ok $? "... and its summary says why"
diag <"$D/err"

# storming on until killed (some 1.5 s per 10^8 untraced)
"$T" storm 100000000000 >/dev/null & pid=$!
"$HT" --no-pin --emulator $pid --json -o "$D/s.jsonl" --duration 1 2>"$D/serr"
ok $? "a trace started during a storm: exit 0 ($(events "$D/serr") events)"
kill $pid; wait $pid 2>/dev/null
zeros=$(grep -c '^{"ts":0,' "$D/s.jsonl")
[ "$zeros" = 0 ] && [ "$(events "$D/serr")" -gt 0 ]
ok $? "... no event stamped 0 ($zeros of them)"
done_testing
