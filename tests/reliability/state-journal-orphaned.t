#!/bin/bash
# A journal holding records while its state file is missing (usereye4 #26):
# the state file moved away as a refused start advises (mv FILE FILE.bad),
# or deleted.  The journal's records are the changes acknowledged since the
# last compaction, their only copy: the next start keeps the journal as
# FILE.journal.orphaned (never over an older one), says so with what it
# holds, and starts a new machine; the old machine comes back when both are
# put back.  Before, the start emptied the journal without a word.
. "$(dirname "$0")/lib.sh"
require_env

start_state_fs 256M
# what the state file has: the device; then changes the journal alone has
echo online_movable >"$M/memory32/state" && echo online_kernel >"$M/memory33/state" &&
	echo online >"$M/auto_online_blocks"
tap_ok $? "three changes after the device"
EXPECT=$(snapshot)
kill9_fs
records=$(journal_text)
n=$(printf '%s' "$records" | grep -c .)
[ "$n" -ge 3 ]
tap_ok $? "after kill -9 the journal holds them ($n records)"
mv "$STATE" "$STATE.bad"

start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a start without the state file (moved away) mounts a new machine"
is "$(ctl --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')" 0 \
	"... a new one: no device d1 (a failed status is no pass)"
[ -f "$STATE.journal.orphaned" ] &&
	is "$(python3 -c 'import sys; sys.stdout.write(open(sys.argv[1], "rb").read().split(b"\0")[0].decode())' "$STATE.journal.orphaned")" \
		"$records" "the journal's records are kept in $STATE.journal.orphaned" ||
	nok "the journal's records are kept in $STATE.journal.orphaned (missing)"
first=$(printf '%s\n' "$records" | head -1 | cut -d' ' -f2- | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
last=$(printf '%s\n' "$records" | tail -1 | cut -d' ' -f2- | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
grep -F "$STATE.journal holds $n records (seq $first-$last)" "$TMP/hotmemfs.log" |
	grep -qF "state file $STATE is missing: the journal is kept as $STATE.journal.orphaned"
tap_ok $? "... and said so: $(grep -F 'orphaned' "$TMP/hotmemfs.log" | head -1 | cut -c1-160)..."
grep -qF "mv $STATE.journal.orphaned $STATE.journal" "$TMP/hotmemfs.log"
tap_ok $? "... with how to put it back"

# a second orphan never goes over the first
ctl device_add pc-dimm id=d2 size=128M >/dev/null
tap_ok $? "a change on the new machine"
kill9_fs
rm -f "$STATE"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "its state file deleted, a start again"
is "$(python3 -c 'import sys; sys.stdout.write(open(sys.argv[1], "rb").read().split(b"\0")[0].decode())' "$STATE.journal.orphaned")" \
	"$records" "... the first orphaned journal is untouched"
[ -s "$STATE.journal.orphaned.2" ] && grep -qF "kept as $STATE.journal.orphaned.2" "$TMP/hotmemfs.log"
tap_ok $? "... the second is $STATE.journal.orphaned.2"
stop_fs

# the way back the message gives
mv "$STATE.bad" "$STATE" && mv "$STATE.journal.orphaned" "$STATE.journal"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "the state file and its journal put back: a start"
same_text "$(snapshot)" "$EXPECT" "... the machine of before the kill, every acknowledged change"
stop_fs

# an empty journal (a clean exit folded it) is no orphan
mv "$STATE" "$STATE.bad2"
lines=$(wc -l <"$TMP/hotmemfs.log")
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a clean exit's state file moved away: a start"
! tail -n +$((lines + 1)) "$TMP/hotmemfs.log" | grep -q orphaned && [ ! -e "$STATE.journal.orphaned" ]
tap_ok $? "... an empty journal is no orphan: nothing kept, nothing said"
stop_fs

# nor is one whose only line a crash cut short: never acknowledged
rm -f "$STATE" && printf 'deadbeef {"seq":1,"run":{"first":3' >"$STATE.journal"
lines=$(wc -l <"$TMP/hotmemfs.log")
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a journal of one torn line, no state file: a start"
! tail -n +$((lines + 1)) "$TMP/hotmemfs.log" | grep -q orphaned && [ ! -e "$STATE.journal.orphaned" ]
tap_ok $? "... nothing acknowledged in it: no orphan kept"
stop_fs
done_testing
