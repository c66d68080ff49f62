#!/bin/bash
# A start refused by hmfs_state_open() after it took the state file's
# lock -- a temporary file not ours beside the state file -- leaves the
# directory as it was: the lock file it made goes, unlinked while the lock
# is held (f7830bab took away a failed start's lock file only after the
# open, and left this one).  Safe beside another start: one that opened
# the lock file before the unlink and locks it after finds the name gone
# and opens the file there now (state.c lock_still_named(), 283).  A lock
# file that was there before stays.  Without the unlink check 3 fails.
. "$(dirname "$0")/lib.sh"
require_env
STATE=$TMP/sd/st
mkdir -p "$TMP/sd"
: >"$STATE.tmp"
chmod 0666 "$STATE.tmp"
start_refused "a temporary file others can write to, no lock file there" 1 \
	"temporary file $STATE.tmp is writable by others \(mode 0666\)" -S "$STATE" -s "$CTL" "$MNT"
[ ! -e "$STATE.lock" ]
tap_ok $? "... the lock file it made is gone: $(ls -A "$TMP/sd" | tr '\n' ' ')"
echo 12345 >"$STATE.lock"
start_refused "... and with a lock file there before" 1 \
	"temporary file $STATE.tmp is writable by others" -S "$STATE" -s "$CTL" "$MNT"
[ -f "$STATE.lock" ]
tap_ok $? "... which stays"
rm "$STATE.tmp"
mount_fs "hotmemfs mounts once the temporary file is gone" --fresh
stop_fs
done_testing
