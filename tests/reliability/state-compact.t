#!/bin/bash
# Compaction of the state file's journal (#15.1) that fails is not lost:
# a file planted at PATH.tmp makes every whole-file save fail (O_EXCL);
# the journal then grows past 256 KiB and keeps every record, the failure
# is counted, a kill -9 loses no acknowledged change, and once the name is
# free again a later compaction folds the journal into the state file.
. "$(dirname "$0")/lib.sh"
require_env

start_state_fs 128M
seq0=$(state_seq)
: >"$STATE.tmp"
last=$(flips 4000)
tap_ok $? "4000 changes acknowledged with $STATE.tmp in the way"
jlen=$(stat -c %s "$STATE.journal")
[ "$jlen" -gt $((256 * 1024)) ]
tap_ok $? "the journal kept every record past 256 KiB ($jlen bytes)"
is "$(state_seq)" "$seq0" "... the state file was not written over"
[ "$(status_field state-save-errors)" -ge 1 ]
tap_ok $? "the failed compactions are counted in state-save-errors ($(status_field state-save-errors))"
kill9_fs
rm -f "$STATE.tmp"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
want=$([ "$last" = offline ] && echo offline || echo online)
is "$(cat "$M/memory32/state")" "$want" "memory32 as the last acknowledged change left it ($last)"

: >"$STATE.tmp"
flips 3500 >/dev/null
[ "$(stat -c %s "$STATE.journal")" -gt $((256 * 1024)) ]
tap_ok $? "past 256 KiB again with the name taken"
rm -f "$STATE.tmp"
seq1=$(state_seq)
flips 1000 >/dev/null
for _ in $(seq 100); do
	[ "$(state_seq)" != "$seq1" ] && break
	sleep 0.05
done
[ "$(state_seq)" -gt "$seq1" ]
tap_ok $? "with the name free, a later compaction folds the journal in (seq $seq1 -> $(state_seq))"
[ "$(stat -c %s "$STATE.journal")" -lt $((256 * 1024)) ]
tap_ok $? "... and the journal is short again"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
