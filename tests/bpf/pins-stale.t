#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# abuse28 T8: a kill -9 leaves the pins, and hotmem-trace.service's
# restart (the same --pin) was refused by them every 5 s for good.  A pin
# whose map no process holds is a killed run's: replaced, saying so.  A
# live run's is still refused, and left: it holds the lock on DIR
# (reread27 R9); a run older than that lock, by its process holding the
# map.
# Runs in a private mount namespace on a BPF filesystem of its own, never
# the host's /sys/fs/bpf.  Needs root (BPF), uprobes and bpftool.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool bpftool bpftool
usdt_test 12
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

# the live run's pins: the next one is refused (the live run holds the
# lock on DIR, reread27 R9) and leaves them
ids=$(ls -i "$P/counters" "$P/blocks")
"$HT" --emulator "$T" --pin "$P" -o "$D/third.out" -d 1 2>"$D/third.err"
rc=$?
diag <"$D/third.err"
ok $([ $rc = 1 ]; echo $?) "a live run's pins: refused, exit 1 (got $rc)"
grep -qx "hotmem-trace: --pin $P: in use by pid $second (hotmem-trace), which holds its lock: stop it first, or use another --pin DIR" "$D/third.err"
ok $? "... naming the pid that holds DIR's lock"
[ "$(ls -i "$P/counters" "$P/blocks")" = "$ids" ]
ok $? "... and leaving them"

# a run older than the lock takes none: its live pins are told by the
# /proc walk still.  Here the live run's maps pinned a second time, in a
# directory nobody locks.  The hint said "if not, they are stale: rm"
# for pins whose holder it had just named (trace28)
mkdir "$D/fs/old"
for m in counters blocks; do
	bpftool map pin id "$(pinned_map_id "$P/$m")" "$D/fs/old/$m"
done
"$HT" --emulator "$T" --pin "$D/fs/old" -o "$D/fourth.out" -d 1 2>"$D/fourth.err"
rc=$?
diag <"$D/fourth.err"
ok $([ $rc = 1 ]; echo $?) "pins a live process holds, in a directory no run locks: refused, exit 1 (got $rc)"
grep -qx "hotmem-trace: pinned already: $D/fs/old/counters $D/fs/old/blocks: in use by the process named above: stop it first, or use another --pin DIR" "$D/fourth.err" &&
	grep -qx "hotmem-trace: $D/fs/old/counters: map id [0-9]*, held by pid $second (hotmem-trace)" "$D/fourth.err"
ok $? "... naming the holder, the hint says to stop it: no rm of a live run's pins"
pin_held_by $second "$D/fs/old/counters" && pin_held_by $second "$D/fs/old/blocks"
ok $? "... and leaves them"
rm -f "$D/fs/old/counters" "$D/fs/old/blocks"

kill -INT $second
wait_exit $second 60
[ ! -e "$P/counters" ] && [ ! -e "$P/blocks" ]
ok $? "the restarted run unpins at its end"
done_testing
