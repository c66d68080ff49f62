#!/bin/bash
# A state file replaced under a running hotmemfs by an older one (an admin
# putting a backup back), then kill -9: the restart is refused, rightly
# (the journal's changes do not fit the file), but it said the journal
# was damaged ("record 1 of 2 has seq 4 where 1 was expected"), that the
# state file was "not damaged: it is the machine as last compacted", and
# offered --restore-partial keeping 0 changes (abuse25c D2).  Now it
# says what is true: the state file is older than its journal, and what
# to do.
set -u
. "$(dirname "$0")/lib.sh"
require_env
state_dir

online() { w "$M/memory$1/state" online_movable >/dev/null; }

start_state_fs 1G
online 32
ctl save >/dev/null
cp "$STATE" "$TMP/backup.state"
ctl save >/dev/null
online 33
ctl save >/dev/null
online 34
cp "$TMP/backup.state" "$STATE.new" && mv "$STATE.new" "$STATE"
online 35
kill9_fs

refused "is older than its journal" "the state file replaced by an older one" "${STATE_OPTS[@]}"
grep -qF "was $STATE replaced, a backup put back?" "$TMP/err.txt"
tap_ok $? "... asking whether it was replaced"
grep -q "journal .* is damaged\|not damaged: it is the machine as last compacted\|--restore-partial" "$TMP/err.txt"
tap_ok $((!$?)) "... neither calling the journal damaged nor offering --restore-partial"
grep -qF "neither file is damaged" "$TMP/err.txt"
tap_ok $? "... saying neither file is damaged"
grep -qF "mv $STATE.journal $STATE.journal.bad" "$TMP/err.txt"
tap_ok $? "... and how to start from the file as it is"

mv "$STATE.journal" "$STATE.journal.bad"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "the journal moved away as told: hotmemfs starts from the file"
is "$(cat "$M/memory32/state") $(cat "$M/memory33/state")" "online offline" \
	"... the backup's machine: memory32 online, memory33 not"
done_testing
