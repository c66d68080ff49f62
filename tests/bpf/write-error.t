#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# abuse28 T9: a write error (a full disk) left half a JSON line at the end
# of the trace: the output's buffer is written whenever it fills, and the
# short write kept what fitted.  A regular -o/-J file is cut back to its
# last whole line, and the run still ends with 1.  A small tmpfs (8 KiB)
# in a private mount namespace takes the trace of usdt_target's scenario
# (~120 events, ~25 KB of JSON).  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool python3 python3
usdt_test 5
own_mount tmpfs "$D/small" size=8k

timeout 120 "$HT" -q --emulator "$T" --no-pin -o /dev/null -J "$D/small/t.jsonl" -- "$T" scenario \
	>/dev/null 2>"$D/err"
rc=$?
diag <"$D/err"
ok $([ $rc = 1 ]; echo $?) "a full disk: exit 1 (got $rc)"
said=$(grep -cx "hotmem-trace: writing events: No space left on device" "$D/err")
ok $([ "$said" = 1 ]; echo $?) "... saying the write error, once (said $said times)"
[ "$(wc -l <"$D/small/t.jsonl")" -gt 1 ] &&
	[ "$(tail -c 1 "$D/small/t.jsonl" | od -An -c | tr -d ' ')" = '\n' ]
ok $? "... the trace keeps the whole lines that fitted, events too, and ends on a newline ($(wc -c <"$D/small/t.jsonl") bytes)"
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$D/small/t.jsonl"
ok $? "... every line of it is JSON"
grep -q "^hotmem-trace: $D/small/t.jsonl: cut back to its last whole line ([0-9]* bytes)$" "$D/err"
ok $? "... and it says the file was cut back"
done_testing
