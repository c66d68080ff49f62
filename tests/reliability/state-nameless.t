#!/bin/bash
# A journal (or state file) that lost its name under a running hotmemfs
# (abuse25c D3).  Records written into an unlinked journal were synced
# and acknowledged, yet no restart reads them: a kill -9 lost every
# change made since.  Now a journal without a name, or beside no state
# file, counts as none: the change goes whole into the state file at its
# path (which makes the journal again) and is acknowledged only then; with
# the state directory itself removed that save fails, and the change is
# refused and undone, as a full disk's (ENOSPC).  A name lost while the
# record's fdatasync() runs (the shim holds it) refuses the change as a
# failed fdatasync does.
set -u
. "$(dirname "$0")/lib.sh"
require_env
require_shim
state_dir
# every start with the shim: a sync held while $TMP/hold exists
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold

# online BLOCK: memory$BLOCK onlined movable (sysw.py's "ret=N" or errno)
online() { w "$M/memory$1/state" online_movable; }
block_state() { cat "$M/memory$1/state"; }
# restarted: kill -9, then hotmemfs again on the same state file
restarted() {
	kill9_fs
	LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}"
	tap_ok $? "$1: kill -9 and restart"
}

LD_PRELOAD=$SHIM start_state_fs 1G
is "$(online 32)" ret=14 "memory32 online (journaled)"

# the journal unlinked: the next change is saved whole, the journal made again
rm -f "$STATE.journal"
is "$(online 33)" ret=14 "the journal unlinked: memory33's online is acknowledged"
[ -f "$STATE.journal" ]
tap_ok $? "... and the journal is there again at its path"
is "$(online 34)" ret=14 "memory34 online, journaled in the new journal"
restarted "journal unlinked"
is "$(block_state 33) $(block_state 34)" "online online" \
	"... memory33 and memory34 are back online (acknowledged, so saved)"

# the state file unlinked, the journal kept: saved whole again
rm -f "$STATE"
is "$(online 35)" ret=14 "the state file unlinked: memory35's online is acknowledged"
[ -f "$STATE" ]
tap_ok $? "... and the state file is there again at its path"
restarted "state file unlinked"
is "$(block_state 32) $(block_state 35)" "online online" \
	"... memory32 (from before) and memory35 are back online"
grep -q orphaned "$TMP/hotmemfs.log"
tap_ok $((!$?)) "... no journal orphaned at the restart"

# the journal unlinked while a record's fdatasync() runs: refused, undone
: >"$TMP/hold"
online 36 >"$TMP/held.out" &
wpid=$!
held_wait
tap_ok $? "memory36's online waits in its fdatasync()"
rm -f "$STATE.journal"
rm -f "$TMP/hold"
wait_exit "$wpid" 60
is "$(cat "$TMP/held.out")" ENOENT "... the journal unlinked meanwhile: the write gets ENOENT"
is "$(block_state 36)" offline "... and memory36 is offline again"
[ -f "$STATE.journal" ]
tap_ok $? "... the machine saved whole after the undo, the journal made again"
is "$(online 37)" ret=14 "memory37 online, journaled again"
restarted "journal unlinked during a sync"
is "$(block_state 35) $(block_state 36) $(block_state 37)" "online offline online" \
	"... exactly the acknowledged changes: memory35 and 37 online, 36 offline"

# the whole state directory removed: nothing can be saved, the change is refused
rm -rf "$TMP/sd"
got=$(online 38)
is_like "$got" "E*" "the state directory removed: memory38's online is refused ($got)"
is "$(block_state 38)" offline "... and undone: memory38 is offline"
grep -q "saving state to $STATE: No such file or directory" "$TMP/hotmemfs.log"
tap_ok $? "... the failed save logged"
is "$(online 39)" ENOENT "... and so is every change after it (memory39)"
is_like "$(ctl status 2>&1)" "*State file: $STATE (* 2 errors)*" "... hotmemctl status counts the failed saves"
mkdir -p "$TMP/sd"
kill9_fs
done_testing
