#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# abuse28 T8: a kill -9 leaves the pins, and hotmem-trace.service's
# restart (the same --pin) was refused by them every 5 s for good.  A pin
# whose map no process holds is a killed run's: replaced, saying so.  A
# live run's (its process holds the map) is still refused, and left.
# Runs in a private mount namespace on a BPF filesystem of its own, never
# the host's /sys/fs/bpf.  Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
usdt_test 10
own_mount bpf "$D/fs"
P=$D/fs/hotmem

"$HT" --emulator "$T" --pin "$P" -o "$D/first.out" -d 600 2>"$D/first.err" & first=$!
wait_ready "$D/first.err"
[ -e "$P/counters" ] && [ -e "$P/blocks" ]
ok $? "a run pinned its maps"
kill -9 $first
wait $first 2>/dev/null
[ -e "$P/counters" ] && [ -e "$P/blocks" ]
ok $? "kill -9: its pins stay"

"$HT" --emulator "$T" --pin "$P" -o "$D/second.out" -d 600 2>"$D/second.err" & second=$!
wait_ready "$D/second.err"
diag <"$D/second.err"
grep -q "^hotmem-trace: ready:" "$D/second.err"
ok $? "the same command again starts (was: refused, pinned already)"
for m in counters blocks; do
	grep -q "^hotmem-trace: $P/$m: a stale pin (map id [0-9]*, held by no process: a killed hotmem-trace's): replaced$" "$D/second.err"
	ok $? "... saying the stale $m pin is replaced"
done

# the live run's pins: the next one is refused and leaves them
ids=$(ls -i "$P/counters" "$P/blocks")
"$HT" --emulator "$T" --pin "$P" -o "$D/third.out" -d 1 2>"$D/third.err"
rc=$?
diag <"$D/third.err"
ok $([ $rc = 1 ]; echo $?) "a live run's pins: refused, exit 1 (got $rc)"
grep -q "^hotmem-trace: $P/counters: map id [0-9]*, held by pid $second (hotmem-trace)$" "$D/third.err"
ok $? "... naming the pid that holds its map"
grep -qx "hotmem-trace: pinned already: $P/counters $P/blocks: in use by the process named above: stop it first, or use another --pin DIR" "$D/third.err"
ok $? "... the hint says to stop it: no rm of a live run's pins (was: if not, they are stale: rm)"
[ "$(ls -i "$P/counters" "$P/blocks")" = "$ids" ]
ok $? "... and leaving them"

kill -INT $second
wait_exit $second 60
[ ! -e "$P/counters" ] && [ ! -e "$P/blocks" ]
ok $? "the restarted run unpins at its end"
done_testing
