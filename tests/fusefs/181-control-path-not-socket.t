#!/bin/bash
# --control PATH replaces only a socket a stopped hotmemfs left: a regular
# file (its data), a device node, a FIFO or a directory there is refused
# with its type and left as it was (usereye7 #9: hotmemfs unlinked
# whatever PATH named to bind its socket).  At stop hotmemfs unlinks its
# own socket only: a file put at the path while it ran stays.  Every file
# here is a copy in $TMP (mknod, mkfifo): never a host's file.
. "$(dirname "$0")/lib.sh"
set -u
require_env

D=$TMP/d
mkdir -p "$D"
# before any check: a skip after checks printed would break the plan
mknod "$D/fakenull" c 1 3 || skip_all "mknod refused here"

echo precious >"$D/file"
start_refused "--control a regular file" 78 \
	"control socket $D/file is not a socket \(a regular file\): hotmemfs never removes or replaces it" \
	--control "$D/file" -S none "$MNT"
grep -q "refusing to start; choose another --control path" "$TMP/out"
tap_ok $? "... advises another path"
is "$(cat "$D/file")" precious "... the file and its data are as they were"

start_refused "--control a character device" 78 "control socket $D/fakenull is not a socket \(a character device\)" \
	--control "$D/fakenull" -S none "$MNT"
is "$(stat -c '%F %t:%T' "$D/fakenull" 2>&1)" "character special file 1:3" "... the device node is as it was"

mkfifo "$D/fifo"
start_refused "--control a FIFO" 78 "control socket $D/fifo is not a socket \(a FIFO\)" --control "$D/fifo" -S none "$MNT"
[ -p "$D/fifo" ]
tap_ok $? "... the FIFO is still there"

mkdir "$D/dir"
start_refused "--control a directory" 78 "control socket $D/dir is not a socket \(a directory\)" \
	--control "$D/dir" -S none "$MNT"
[ -d "$D/dir" ]
tap_ok $? "... the directory is still there"

ln -s "$D/file" "$D/link"
start_refused "--control a symlink to a file" 78 "control socket $D/link is not a socket \(a symbolic link\)" \
	--control "$D/link" -S none "$MNT"
[ -L "$D/link" ] && [ "$(cat "$D/file")" = precious ]
tap_ok $? "... the link and its file are as they were"

# a socket nobody answers on, as a killed hotmemfs leaves it: replaced, as ever
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$D/stale.sock"
mount_fs "--control a stale socket: starts over it" -S none --netns none --control "$D/stale.sock"
"$HMCTL" -s "$D/stale.sock" status >/dev/null
tap_ok $? "... and answers on it"
stop_fs
[ ! -e "$D/stale.sock" ]
tap_ok $? "... its socket is gone after the stop"

# a file put at the path while hotmemfs runs is not its socket: kept at stop
mount_fs "--control a new path: starts" -S none --netns none --control "$D/c.sock"
rm -f "$D/c.sock"
echo mine >"$D/c.sock"
stop_fs
is "$(cat "$D/c.sock" 2>&1)" mine "a file put where the socket was: the stop leaves it"
done_testing
