#!/bin/bash
# A state path that names something other than a regular file (a device
# node, a FIFO, a directory, a symbolic link), or whose .lock or .journal
# does, is refused with its type before anything is made there, and is
# never removed or replaced, --fresh included (usereye7 #7: the refusal of
# -S /dev/null advised `mv /dev/null ...` or --fresh, and --fresh unlinked
# the device node and wrote a state file in its place).  -S '' is refused
# (it made .lock and .journal in the working directory) and a state
# directory hotmemfs makes is said (usereye7 #8).  Every file here is a
# copy in $TMP (mknod, mkfifo): never a host's file.
. "$(dirname "$0")/lib.sh"
set -u
require_env

# no_way_out_advice NAME: neither mv of the file nor --fresh is proposed
no_way_out_advice() {
	! grep -qE 'mv |start with --fresh' "$TMP/out"
	tap_ok $? "$1: proposes neither mv nor --fresh"
}

# is_chrdev_1_3 PATH NAME: still the character device 1:3 mknod made
is_chrdev_1_3() {
	is "$(stat -c '%F %t:%T' "$1" 2>&1)" "character special file 1:3" "$2"
}

D=$TMP/d
mkdir -p "$D"
NUL=$D/fakenull
mknod "$NUL" c 1 3 || skip_all "mknod refused here"

# ---- a device node ----------------------------------------------------
start_refused "-S a character device" 78 \
	"state file $NUL is not a regular file \(a character device\): hotmemfs never removes or replaces it, --fresh included" \
	-S "$NUL" -s "$CTL" "$MNT"
grep -q -- "choose another --state path (--state none: no state file)" "$TMP/out"
tap_ok $? "... advises another path, or --state none"
no_way_out_advice "-S a character device"
is_chrdev_1_3 "$NUL" "... the device node is as it was"
[ ! -e "$NUL.lock" ] && [ ! -e "$NUL.journal" ]
tap_ok $? "... no .lock nor .journal made beside it"

start_refused "-S a character device --fresh" 78 "is not a regular file \(a character device\)" \
	-S "$NUL" --fresh -s "$CTL" "$MNT"
is_chrdev_1_3 "$NUL" "... --fresh neither removes nor replaces the device node"

# ---- a FIFO, a directory, a socket --------------------------------------
mkfifo "$D/fifo"
start_refused "-S a FIFO --fresh" 78 "state file $D/fifo is not a regular file \(a FIFO\)" \
	-S "$D/fifo" --fresh -s "$CTL" "$MNT"
[ -p "$D/fifo" ]
tap_ok $? "... the FIFO is still there"
no_way_out_advice "-S a FIFO"

mkdir "$D/dir"
start_refused "-S a directory --fresh" 78 "state file $D/dir is not a regular file \(a directory\)" \
	-S "$D/dir" --fresh -s "$CTL" "$MNT"
[ -d "$D/dir" ]
tap_ok $? "... the directory is still there"

python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$D/sock"
start_refused "-S a socket --fresh" 78 "state file $D/sock is not a regular file \(a socket\)" \
	-S "$D/sock" --fresh -s "$CTL" "$MNT"
[ -S "$D/sock" ]
tap_ok $? "... the socket is still there"

# ---- symbolic links: never followed, never removed ----------------------
echo precious >"$D/target"
ln -s "$D/target" "$D/link"
start_refused "-S a symlink to a regular file --fresh" 78 \
	"state file $D/link is not a regular file \(a symbolic link\)" -S "$D/link" --fresh -s "$CTL" "$MNT"
grep -q "a symbolic link is not followed there: give --state the path it points to" "$TMP/out"
tap_ok $? "... advises the path it points to"
[ -L "$D/link" ] && [ "$(cat "$D/target")" = precious ]
tap_ok $? "... the link and the file it points to are as they were"

ln -s "$NUL" "$D/nlink"
start_refused "-S a symlink to a device node --fresh" 78 "is not a regular file \(a symbolic link\)" \
	-S "$D/nlink" --fresh -s "$CTL" "$MNT"
grep -q -- "choose another --state path" "$TMP/out"
tap_ok $? "... advises another path"
[ -L "$D/nlink" ]
tap_ok $? "... the link is still there"
is_chrdev_1_3 "$NUL" "... and the device node it points to as it was"

# ---- its .lock and .journal ---------------------------------------------
mkfifo "$D/s1.state.lock"
start_refused "a FIFO at PATH.lock" 78 "lock file $D/s1.state.lock is not a regular file \(a FIFO\)" \
	-S "$D/s1.state" --fresh -s "$CTL" "$MNT"
[ -p "$D/s1.state.lock" ] && [ ! -e "$D/s1.state" ] && [ ! -e "$D/s1.state.journal" ]
tap_ok $? "... the FIFO stays, nothing made beside it"

mknod "$D/s2.state.journal" c 1 3
start_refused "a device node at PATH.journal --fresh" 78 \
	"journal $D/s2.state.journal is not a regular file \(a character device\)" \
	-S "$D/s2.state" --fresh -s "$CTL" "$MNT"
is_chrdev_1_3 "$D/s2.state.journal" "... the device node is as it was"

# ---- -S '' --------------------------------------------------------------
mkdir "$D/cwd"
pushd "$D/cwd" >/dev/null || exit 1
start_refused "-S '' (a bad option)" 2 "hotmemfs: --state '': a path, or none \(no state file\)" \
	-s "$CTL" -S '' "$MNT"
popd >/dev/null || exit 1
is "$(ls -A "$D/cwd")" "" "... nothing made in the working directory"

# ---- a state directory that does not exist: made, and said --------------
mount_fs "-S in a directory that does not exist: starts" --netns none -S "$D/new/sub/x.state"
grep -q "hotmemfs: created the state file's directory $D/new/sub (from $D/new on: it did not exist)" \
	"$TMP/hotmemfs.log"
tap_ok $? "... says it created the directory, and from where"
stop_fs
[ -f "$D/new/sub/x.state" ]
tap_ok $? "... the state file is saved there"
: >"$TMP/hotmemfs.log"
mount_fs "-S in it again: starts" --netns none -S "$D/new/sub/x.state"
! grep -q "created the state file's directory" "$TMP/hotmemfs.log"
tap_ok $? "... says nothing of a directory that was there"
stop_fs

# ---- a regular state file: --fresh still removes it ---------------------
mount_fs "--fresh on the regular state file just saved: starts" --netns none \
	-S "$D/new/sub/x.state" --fresh
grep -q "state $D/new/sub/x.state: new" "$TMP/hotmemfs.log"
tap_ok $? "... a new machine"
stop_fs
done_testing
