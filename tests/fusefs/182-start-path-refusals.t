#!/bin/bash
# Paths a start cannot use are refused before anything is made, with a
# clear message: a --uevent-socket longer than a unix socket's address
# holds (usereye7 #14: dropped without a word, its listener never heard
# an event) or empty, a --control as long, and a mountpoint that is not a
# directory (usereye7 #6: "mounted", every access EIO, and a stop after
# one access left the dead mount behind), or does not exist.
. "$(dirname "$0")/lib.sh"
set -u
require_env

# a path of $1 bytes in $TMP
path_of() {
	local p=$TMP/u
	while [ ${#p} -lt $(($1 - 5)) ]; do p=${p}x; done
	echo "${p}.sock"
}
LONG=$(path_of 120)
is "${#LONG}" 120 "a path of 120 bytes"
start_refused "-u a 120-byte path" 2 \
	"hotmemfs: --uevent-socket $LONG: 120 bytes, more than the 107 a unix socket's address holds: use a shorter path" \
	-S none -s "$CTL" -u "$LONG" "$MNT"
start_refused "-u ''" 2 "hotmemfs: --uevent-socket '': a socket's path" -S none -s "$CTL" -u '' "$MNT"
start_refused "--control a 120-byte path" 2 \
	"hotmemfs: --control $LONG: 120 bytes, more than the 107 a unix socket's address holds: use a shorter path" \
	-S none -s "$LONG" "$MNT"

# 107 bytes: the longest taken, and listed by status
U107=$(path_of 107)
mount_fs "-u a 107-byte path: starts" -S none --netns none -u "$U107"
"$HMCTL" -s "$CTL" status | grep -qF "unix $U107"
tap_ok $? "... status lists it: $("$HMCTL" -s "$CTL" status | grep uevents)"
stop_fs

# ---- a mountpoint that is not a directory ---------------------------------
FILE=$TMP/afile
echo precious >"$FILE"
"$HMFS" --netns none -S none -s "$CTL" "$FILE" >"$TMP/out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	kill -0 "$pid" 2>/dev/null || break
	findmnt "$FILE" >/dev/null && break
	sleep 0.05
done
if findmnt "$FILE" >/dev/null; then
	stat "$FILE" >/dev/null 2>&1 # what left the dead mount behind at stop
	kill "$pid"
	wait_exit "$pid" 30
	findmnt "$FILE" >/dev/null && umount -l "$FILE"
	nok "a regular file as mountpoint: refused (it mounted)"
else
	wait_exit "$pid" 30
	is "$?" 78 "a regular file as mountpoint: refused, exit 78"
fi
grep -qF "hotmemfs: mountpoint $FILE: not a directory (a regular file): hotmemfs mounts a directory tree" "$TMP/out"
tap_ok $? "... says why: $(head -c 300 "$TMP/out" | tr '\n' '|')"
is "$(cat "$FILE")" precious "... the file is as it was"
[ ! -e "$CTL" ]
tap_ok $? "... no control socket made"

# ---- a mountpoint that does not exist (finalF F7: refused by the mount, exit
# 1, which the unit restarts on, after the state file's directory, lock and
# journal were made) -------------------------------------------------------
NOMNT=$TMP/nomnt
start_refused "a missing mountpoint" 78 "hotmemfs: mountpoint $NOMNT: No such file or directory" \
	-S "$TMP/sd/x.state" -s "$TMP/nomnt.sock" "$NOMNT"
[ ! -e "$TMP/sd" ] && [ ! -e "$TMP/nomnt.sock" ]
tap_ok $? "... before the state file's directory or the control socket is made"
grep -qF "create it first (mkdir -p $NOMNT)" "$TMP/out"
tap_ok $? "... saying to create it"
# under a file: mkdir -p cannot make it, so it is not advised
: >"$TMP/afile"
start_refused "a mountpoint under a file" 78 "hotmemfs: mountpoint $TMP/afile/mnt: Not a directory" \
	-S none "$TMP/afile/mnt"
grep -q "a part of its path is a file, not a directory" "$TMP/out" && ! grep -q "mkdir -p" "$TMP/out"
tap_ok $? "... saying a part of its path is a file, no mkdir -p advice"
done_testing
