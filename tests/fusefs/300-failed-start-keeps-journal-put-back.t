#!/bin/bash
# A failed start removes only the lock file and journal it made itself,
# decided under the lock after settle_aside() (state.c hmfs_state_open():
# the journal made O_EXCL, as the lock file; reread24 R2).  main.c
# guessed "made by this start" by a look before the lock: a --fresh start
# killed -9 between setting the old journal aside and opening its new one
# leaves PATH.fresh-aside and PATH.journal.fresh-aside, no PATH.journal;
# the next start saw no journal, counted it as its own, put the old one
# back (settle_aside()), failed before its first save (a control socket
# that cannot be bound) and unlinked it: the acknowledged device was gone.
# The files the kill leaves are made by hand: the kill's instant cannot be
# chosen.  Without the fix checks 4 and 7 fail (checked).
. "$(dirname "$0")/lib.sh"
require_env
STATE=$TMP/sd/st
mkdir -p "$TMP/sd"

# the old machine, a device in its journal only (kill -9)
d1_journaled_killed

# ---- killed after the journal's rename, before the new journal's open
mv "$STATE" "$STATE.fresh-aside"
mv "$STATE.journal" "$STATE.journal.fresh-aside"
start_unbindable "a start after it, failing before its first save" -S "$STATE" "$MNT"
grep -q '"d1"' "$STATE.journal"
tap_ok $? "... the journal put back kept, the device's record in it"
grep -qF "$STATE.fresh-aside put back as $STATE" "$TMP/out"
tap_ok $? "... the old machine put back, said"

mount_fs "a start after the failed one"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... the old machine restored, the device d1 in it"
stop_fs

# ---- a journal this start made still goes ------------------------------
rm -f "$STATE.journal" "$STATE.lock"
start_unbindable "a start without a journal or a lock file, failing before its first save" \
	-S "$STATE" "$MNT"
[ ! -e "$STATE.journal" ] && [ ! -e "$STATE.lock" ]
tap_ok $? "... the journal and lock file it made removed"
done_testing
