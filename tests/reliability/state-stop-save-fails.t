#!/bin/bash
# A clean stop (SIGTERM) whose final save fails on a full disk: nothing
# is lost -- every acknowledged change is in the journal, and the next
# start replays it -- but the log said only "saving state to PATH: No
# space left on device", which reads like data loss (abuse25c D6).  Now
# it says the journal keeps every acknowledged change; the exit status
# stays 0 (a clean stop, nothing lost).
set -u
. "$(dirname "$0")/lib.sh"
require_env
state_on_small_tmpfs sfstop 256k

start_state_fs 512M
for b in 32 33 34; do
	echo online_movable >"$M/memory$b/state" || nok "memory$b online"
done
fill_sd
kill -TERM "$FS_PID"
wait_exit "$FS_PID" 60
is $? 0 "SIGTERM with the disk full: hotmemfs exits 0"
FS_PID=
grep -q "saving state to $STATE: No space left on device" "$TMP/hotmemfs.log"
tap_ok $? "... the failed final save is logged"
grep -qF "the final save failed; the journal $STATE.journal keeps every acknowledged change: nothing lost (the next start replays it)" "$TMP/hotmemfs.log"
tap_ok $? "... and that nothing is lost: the journal keeps every acknowledged change"
umount -l "$MNT" 2>/dev/null

rm -f "$SD/fill" "$SD/fill2"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "the disk emptied: hotmemfs starts again"
is "$(cat "$M"/memory3[2-5]/state | tr '\n' ' ')" "online online online offline " \
	"... with the three acknowledged onlines, replayed from the journal"
done_testing
