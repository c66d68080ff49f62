#!/bin/bash
# A hotmemd start refused after it made its --state-dir leaves the file
# system as it was: the directory it made goes again (statelock.c
# hmd_state_dir_unmake()); one that was there stays, and so does what is
# in it.  It stayed (note23, left item): a unit restarting on a bad socket
# path made it each try.  Since session 26 a missing state dir is made
# before the socket only where the socket lives in it (else after: 142),
# so the refusal here is a socket name too long for a unix socket's
# address inside the state dir.  Without hmd_state_dir_unmake() (d4d232ff)
# checks 3 and 4 fail (checked).
. "$(dirname "$0")/lib.sh"
need_hotmemd

# a sysroot with no block: the start is refused before it looks at any
root=$TMP/root
mk_sysroot "$root"

# refused STATE-DIR: hotmemd on STATE-DIR with a uevent socket in it whose
# path is longer than sun_path (107 bytes); its exit status, its log in $TMP/out
long=$(printf 'u%.0s' {1..110}).sock
refused() {
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$1" --netlink=no \
		--uevent-socket "$1/$long" 2>"$TMP/out" &
	wait_exit "$!" 30 >/dev/null 2>&1
}

refused "$TMP/state"
is "$?" 1 "a uevent socket in the state dir, its path too long: hotmemd exits 1"
check "... saying why" grep -q "uevent socket $TMP/state/$long: File name too long" "$TMP/out"
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
