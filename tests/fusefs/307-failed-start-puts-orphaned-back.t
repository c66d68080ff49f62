#!/bin/bash
# A journal with records whose state file is missing is kept aside as
# PATH.journal.orphaned and a new empty journal opened in its place
# (keep_orphaned_journal()); a start that then fails before its first
# save (here a control socket that cannot be bound) left both: the
# directory not as it found it.  It now renames the kept journal back
# over the empty one (state.c put_orphaned_back()), and the next start
# keeps it aside again.  Without the fix checks 4-5 fail (checked:
# PATH.journal empty, PATH.journal.orphaned beside it).
. "$(dirname "$0")/lib.sh"
require_env
state_dir

# the old machine, a device in its journal only (kill -9), its state file gone
d1_journaled_killed
rm "$STATE"
# the lock of the run before stays, naming its last holder: left out
listing() { dir_listing "$TMP/sd" | grep -v '^st.lock '; }
before=$(listing)

start_unbindable "a start with the orphaned journal, failing before its first save" \
	-S "$STATE" "$MNT"
same_output "$(listing)" "$before" "... the directory as it was: the journal back, nothing kept aside"
grep -qF "$STATE.journal.orphaned put back as $STATE.journal: the start failed before its first save" "$TMP/out"
tap_ok $? "... and it says so"

mount_fs "a start after the failed one"
[ -s "$STATE.journal.orphaned" ] && grep -q '"d1"' "$STATE.journal.orphaned"
tap_ok $? "... keeps the journal aside again, the device's record in it"
done_testing
