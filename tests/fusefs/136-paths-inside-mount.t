#!/bin/bash
# A control socket, uevent socket or state file inside the mountpoint is
# refused before anything is mounted or made (exit 78, as a start refused
# for its options): through its own mount, hotmemfs's unlink of a stale
# socket before its FUSE loop ran waited on itself in uninterruptible
# sleep, SIGTERM could not stop it and every access to the mount hung
# (usereye4 #25).  Each start is bounded (SIGKILL after 20 s) and any
# mount it left is detached, so a regression fails here, never hangs.
. "$(dirname "$0")/lib.sh"
set -u
require_env

try() {	# try NAME WANT-IN-MESSAGE hotmemfs-options...: refused at once, nothing left
	local name=$1 want=$2 rc
	shift 2
	(cd "$TMP" && timeout -s KILL 20 "$HMFS" "$@" "$MNT" >"$TMP/out" 2>&1)
	rc=$?
	if findmnt -t fuse.hotmemfs "$MNT" >/dev/null; then
		umount -l "$MNT"
		nok "$name: refused before mounting (it mounted, rc $rc)"
		return
	fi
	is "$rc" 78 "$name: refused, exit 78 (a start refused for its options)"
	grep -q "$want is inside the mountpoint $MNT: this hotmemfs would serve it to itself and hang; choose a path outside it" "$TMP/out"
	tap_ok $? "$name: the message names the path and the mountpoint"
	[ -z "$(ls -A "$MNT")" ]
	tap_ok $? "$name: nothing made inside the mountpoint"
}

try "-s MNT/c.sock" "control socket $MNT/c.sock" -S none -s "$MNT/c.sock"
try "-s MNT/sub/dir/c.sock (its directory not there yet)" "control socket $MNT/sub/dir/c.sock" \
	-S none -s "$MNT/sub/dir/c.sock"
try "-s mnt/c.sock, relative" "control socket mnt/c.sock" -S none -s mnt/c.sock
try "-u MNT/u.sock" "uevent socket $MNT/u.sock" -S none -s "$CTL" -u "$MNT/u.sock"
try "-S MNT/s.state" "state file $MNT/s.state" -s "$CTL" -S "$MNT/s.state"
# a stale socket inside, as after a crash: the case that hung
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$MNT/stale.sock"
(cd "$TMP" && timeout -s KILL 20 "$HMFS" -S none -s "$MNT/stale.sock" "$MNT" >"$TMP/out" 2>&1)
rc=$?
findmnt -t fuse.hotmemfs "$MNT" >/dev/null && umount -l "$MNT"
is "$rc" 78 "a stale socket inside the mountpoint: refused, not a hang (rc 137 was SIGKILL after 20 s)"
rm -f "$MNT/stale.sock"
# outside the mountpoint, beside it: starts as ever
mount_fs "-s beside the mountpoint: mounted" -S none
done_testing
