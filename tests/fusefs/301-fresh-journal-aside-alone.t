#!/bin/bash
# PATH.journal.fresh-aside without PATH.fresh-aside (state.c
# settle_journal_alone(); reread24 R4): hotmemfs's renames never leave it
# (the state file goes aside first, comes back last), but they are not
# synced, and a host crash can leave the journal's alone: PATH is then the
# old machine and the journal aside holds its acknowledged records.  It
# is put back where the PATH.journal there is absent or empty; beside one
# with records the start is refused and both are left.  The files a crash
# leaves are made by hand.  settle_aside() deleted it whatever was there
# and said "removed PATH.fresh-aside", a file it had not removed: without
# the fix checks 3-5, 7-8 and 10 fail (checked: the refused start mounts).
. "$(dirname "$0")/lib.sh"
require_env
STATE=$TMP/sd/st
mkdir -p "$TMP/sd"

# the old machine, a device in its journal only (kill -9)
d1_journaled_killed
cp "$STATE.journal" "$TMP/old.journal"

# ---- the journal aside, a records-holding journal beside it: refused ----
mv "$STATE.journal" "$STATE.journal.fresh-aside"
echo '00000000 {"seq":1}' >"$STATE.journal"
start_refused "a start beside a journal aside and a journal with records" 1 \
	"$STATE.journal.fresh-aside is there without $STATE.fresh-aside, beside a journal $STATE.journal that is not empty" \
	-S "$STATE" -s "$CTL" "$MNT"
cmp -s "$TMP/old.journal" "$STATE.journal.fresh-aside"
tap_ok $? "... the journal aside left as it was"

# ---- beside an empty journal (the new one --fresh opened): put back ------
: >"$STATE.journal"
mount_fs "a start beside a journal aside and an empty journal"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... the journal put back, the device d1 restored"
grep -qF "$STATE.journal.fresh-aside put back as $STATE.journal" "$TMP/hotmemfs.log"
tap_ok $? "... and it says so"
kill9_fs

# ---- with no journal there: put back too ------------------------------
cp "$TMP/old.journal" "$STATE.journal.fresh-aside"
rm -f "$STATE.journal"
mount_fs "a start beside a journal aside alone"
ctl --json devices | grep -q '"d1"'
tap_ok $? "... the journal put back, the device d1 restored"
is "$(ls -A "$TMP/sd" | grep -c fresh-aside)" 0 "... nothing set aside left"
stop_fs
done_testing
