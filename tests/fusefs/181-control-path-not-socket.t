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

# start_refused NAME WANT-IN-MESSAGE hotmemfs-options...: exits 78
# without mounting, its message holding WANT-IN-MESSAGE (grep -E)
start_refused() {
	local name=$1 msg=$2 rc
	shift 2
	"$HMFS" --netns none -S none "$@" "$MNT" >"$TMP/out" 2>&1 &
	FS_PID=$!
	if fs_wait_mounted; then
		stop_fs
		nok "$name: refused (it mounted)"
		return 1
	fi
	wait_exit "$FS_PID" 30
	rc=$?
	FS_PID=
	is "$rc" 78 "$name: refused, exit 78"
	grep -qE -- "$msg" "$TMP/out"
	tap_ok $? "$name: says why: $(head -c 300 "$TMP/out" | tr '\n' '|')"
}

D=$TMP/d
mkdir -p "$D"

echo precious >"$D/file"
start_refused "--control a regular file" \
	"control socket $D/file is not a socket \(a regular file\): hotmemfs never removes or replaces it" \
	--control "$D/file"
grep -q "refusing to start; choose another --control path" "$TMP/out"
tap_ok $? "... advises another path"
is "$(cat "$D/file")" precious "... the file and its data are as they were"

mknod "$D/fakenull" c 1 3 || skip_all "mknod refused here"
start_refused "--control a character device" "control socket $D/fakenull is not a socket \(a character device\)" \
	--control "$D/fakenull"
is "$(stat -c '%F %t:%T' "$D/fakenull" 2>&1)" "character special file 1:3" "... the device node is as it was"

mkfifo "$D/fifo"
start_refused "--control a FIFO" "control socket $D/fifo is not a socket \(a FIFO\)" --control "$D/fifo"
[ -p "$D/fifo" ]
tap_ok $? "... the FIFO is still there"

mkdir "$D/dir"
start_refused "--control a directory" "control socket $D/dir is not a socket \(a directory\)" \
	--control "$D/dir"
[ -d "$D/dir" ]
tap_ok $? "... the directory is still there"

ln -s "$D/file" "$D/link"
start_refused "--control a symlink to a file" "control socket $D/link is not a socket \(a symbolic link\)" \
	--control "$D/link"
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
