#!/bin/bash
# A hotmemd start refused after it made its --state-dir (its uevent socket
# cannot be bound) leaves the file system as it was: the directory it made
# goes again (statelock.c hmd_state_dir_unmake()); one that was there
# stays, and so does what is in it.  It stayed (note23, left item): a unit
# restarting on a bad socket path made it each try.  Without the fix
# check 3 fails.
. "$(dirname "$0")/lib.sh"
need_hotmemd

# a sysroot with no block: the start is refused before it looks at any
root=$TMP/root
mk_sysroot "$root"

# refused STATE-DIR: hotmemd on STATE-DIR with a uevent socket in a
# directory that does not exist; its exit status, its log in $TMP/out
refused() {
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$1" --netlink=no \
		--uevent-socket "$TMP/nodir/u.sock" 2>"$TMP/out" &
	wait_exit "$!" 30 >/dev/null 2>&1
}

refused "$TMP/state"
is "$?" 1 "a uevent socket in a directory not there: hotmemd exits 1"
check "... saying why" grep -q "uevent socket $TMP/nodir/u.sock: No such file or directory" "$TMP/out"
check "... the state dir it made is gone" test ! -e "$TMP/state"
check "... and it says so" \
	grep -q "state dir $TMP/state removed again: the start was refused" "$TMP/out"

mkdir "$TMP/kept" && echo 0-3 >"$TMP/kept/boot-blocks"
refused "$TMP/kept"
is "$?" 1 "the same with a state dir that was there"
is "$(ls -A "$TMP/kept")" boot-blocks "... it stays, with what is in it"
mkdir "$TMP/empty"
refused "$TMP/empty"
check "... an empty one too" test -d "$TMP/empty"
done_testing
