#!/bin/bash
# `timeout N hotmemfs ...`: coreutils timeout sends its signal to hotmemfs
# and then to its own process group, hotmemfs in it -- two SIGTERMs back
# to back (usereye3 #13).  The second was taken as "a second signal":
# exit 1, "stopping without waiting for the notifier, control commands or
# the final save", the control socket left behind.  A second signal of
# the first's kind within 0.5 s of it, before the stop said it waits, is
# the same stop now; one later (past "waiting up to ...: a second SIGTERM
# stops now") still stops at once, and removes the control socket too.
# First the two signals one by one, the second sent once hotmemfs took the
# first (its SIGTERM no longer pending), the stop held by a notifier stuck
# in the kernel (a reader holding memory/'s lock, 71-stop-wait.t); then a
# real `timeout` (which of its two a stop sees depends on the race).
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
command -v timeout >/dev/null || skip_all "no timeout(1)"

# SIGTERM (15) pending for PID: bit 14 of /proc/PID/status's ShdPnd
term_pending() {
	local k v
	while read -r k v; do
		[ "$k" = ShdPnd: ] && { (((0x$v >> 14) & 1)); return; }
	done <"/proc/$1/status"
	return 1
}
term_taken() {
	for _ in $(seq 100000); do
		term_pending "$1" || return 0
	done
	return 1
}

mount_fs "hotmemfs mounts (a state file)" --fresh
stuck_device_del
kill -TERM "$FS_PID"
term_taken "$FS_PID"
tap_ok $? "a SIGTERM, taken by hotmemfs"
kill -TERM "$FS_PID"
log_says "waiting up to 30 s \(--stop-wait\) for the notifier"
tap_ok $? "another right after it: the stop goes on, waiting for the notifier"
! grep -q "second signal" "$TMP/hotmemfs.log"
tap_ok $? "... not a second signal's stop"
stuck_stop_ends 0 "a clean stop: the notifier out, the final save done"
[ ! -e "$CTL" ]
tap_ok $? "... its control socket removed"
is "$(cat "$TMP/del.err")" "" "... device_del answered"

# past the stop's word a second SIGTERM still stops at once, the socket removed
: >"$TMP/hotmemfs.log"
mount_fs "hotmemfs mounts again" --stop-wait 60
stuck_device_del
kill -TERM "$FS_PID"
log_says "SIGTERM: stopping: waiting up to 60 s"
tap_ok $? "SIGTERM: the stop says it waits for the notifier"
kill -TERM "$FS_PID"
log_says "second signal \(SIGTERM\): stopping without waiting"
tap_ok $? "a second SIGTERM after that stops at once"
unmounted 30
tap_ok $? "... the tree detached"
wait_gone_socket() {
	for _ in $(seq 200); do
		[ -e "$CTL" ] || return 0
		sleep 0.05
	done
	return 1
}
wait_gone_socket
tap_ok $? "... its control socket removed"
stuck_stop_ends 1 "the second signal's"

# coreutils timeout itself
: >"$TMP/hotmemfs.log"
ctl_ok() { "$HMCTL" -s "$CTL" status >/dev/null 2>&1; }
timeout --preserve-status 6 "$HMFS" --control "$CTL" --state "$STATE" "$MNT" 2>>"$TMP/hotmemfs.log" &
TO=$!
fs_wait_mounted && ctl device_add pc-dimm id=d2 size=128M >/dev/null
tap_ok $? "timeout 6 hotmemfs: mounted, a DIMM added"
wait_exit "$TO" 60
is "$?" 0 "timeout's signals: hotmemfs exits 0 (timeout --preserve-status)"
! grep -q "second signal" "$TMP/hotmemfs.log"
tap_ok $? "... no second signal's stop"
[ ! -e "$CTL" ] && ! findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "... its control socket and tree gone"
start_fs
ctl devices | grep -q '^d2 '
tap_ok $? "the next hotmemfs has d2"
done_testing
