#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reread27 R9 (b): two starts over a killed run's stale pins at once
# (systemd's Restart= and a manual run): both judged them stale, A
# unlinked them and pinned its maps, B then unlinked A's *live* pins by
# path and pinned its own.  Now the check, the unlinks and the pins happen
# under flock() of --pin DIR: exactly one start wins, the other is
# refused, naming the winner, and the winner's pins stay.  The race is
# made certain, not hoped for: A is held in its unlink of the stale
# `counters` pin (tests/reliability/unlink_hold.c), checked and about to
# remove it, while B starts.  Then a stale pin changed between the check
# and the unlink (a run older than the lock pinned there): left, the
# start refused.  Runs in a private mount namespace on a BPF filesystem
# of its own, never the host's /sys/fs/bpf.  Needs root (BPF), uprobes,
# bpftool.
. "$(dirname "$0")/lib.sh"
in_own_mount_ns "$@"
need_tool bpftool bpftool
usdt_shim_test 13 unlink_hold
own_mount bpf "$D/fs"
P=$D/fs/hotmem

# stale_pins NAME: a run killed with -9, its pins left in $P
stale_pins() {
	local pid
	"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/$1.err" & pid=$!
	wait_ready "$D/$1.err"
	kill -9 $pid
	wait $pid 2>/dev/null
	[ -e "$P/counters" ] && [ -e "$P/blocks" ]
	ok $? "$1: a run killed with -9 left its pins"
}
# start_held NAME: hotmem-trace as $held, held in its unlink of the stale
# counters pin (it checked the pins in the way), $D/hold removed to let it go
start_held() {
	touch "$D/hold"
	HOTMEM_TEST_UNLINK_HOLD=$D/hold LD_PRELOAD=$D/unlink_hold.so \
		"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/$1.err" & held=$!
	file_wait "$D/hold.held"
	ok $? "$1 judged the pins stale, held before it unlinks counters"
}
# refused NAME PID WHY LINE: NAME (PID, its stderr $D/NAME.err) exits 1
# (SIGKILL after 120 s: a start that was not refused), saying LINE (grep
# -x: a basic regex): two TAP lines
refused() {
	local rc
	wait_exit "$2" 120
	rc=$?
	diag <"$D/$1.err"
	ok $([ $rc = 1 ]; echo $?) "$1, $3: refused, exit 1 (got $rc)"
	grep -qx "$4" "$D/$1.err"
	ok $? "... saying: $4"
}

stale_pins killed
start_held A
a=$held
"$HT" --emulator "$T" --pin "$P" -o /dev/null -d 600 2>"$D/B.err" & b=$!
refused B $b "started meanwhile (was: it replaced the pins too)" \
	"hotmem-trace: --pin $P: in use by pid $a (hotmem-trace), which holds its lock: stop it first, or use another --pin DIR"
rm "$D/hold"
wait_ready "$D/A.err"
diag <"$D/A.err"
grep -q "^hotmem-trace: ready:" "$D/A.err"
ok $? "A goes on and starts"
[ "$(grep -c "^hotmem-trace: $P/[a-z]*: a stale pin (map id [0-9]*, held by no process: a killed hotmem-trace's): replaced$" "$D/A.err")" = 2 ]
ok $? "... replacing both stale pins, saying so"
pin_held_by $a "$P/counters" && pin_held_by $a "$P/blocks"
ok $? "... and the pins are A's: the winner's stay"
kill -INT $a
wait_exit $a 60
[ $? = 0 ] && [ ! -e "$P/counters" ] && [ ! -e "$P/blocks" ]
ok $? "A ends at SIGINT, exit 0, unpinning its maps"

# the stale blocks pin replaced by another map while C, its check done,
# is held: C's unlink would have taken a pin that was no longer stale
stale_pins again
start_held C
c=$held
rm "$P/blocks"
bpftool map create "$P/blocks" type array key 4 value 4 entries 1 name pins_race_t
id=$(pinned_map_id "$P/blocks")
rm "$D/hold"
refused C $c "whose stale blocks pin changed meanwhile" \
	"hotmem-trace: $P/blocks: no longer the stale pin of map id [0-9]*: left"
[ "$(pinned_map_id "$P/blocks")" = "$id" ]
ok $? "... and leaving it (map id $id)"
rm -f "$P/blocks" "$P/counters"
done_testing
