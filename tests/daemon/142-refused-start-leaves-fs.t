#!/bin/bash
# A refused start leaves the file system as it found it: nothing made, not
# even made and removed again.  hotmemd made a missing --state-dir, then
# took its uevent socket, and a start refused there (a socket in a
# directory not there: a bad configuration; a second hotmemd on a running
# one's socket) removed the directory again (131, d4d232ff) -- a
# directory briefly there, whose removal by name could take one made
# there by another meanwhile.  Now an existing state dir is locked first
# and a missing one made once the sources are open (main.c run_daemon()),
# unless the socket lives in it (hotmemd(8)'s example layout, check 9).
# "Not touched": a directory's mtime, set far back before, is unchanged
# (an entry made and removed in it sets it).  Without the fix checks 2
# and 6 fail (checked: both parents' mtime changed).
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0
mkdir "$TMP/s"
sock=$TMP/s/ue.sock

# past DIR: its mtime set to 2001; untouched DIR: still that
past() { touch -d @1000000000 "$1"; }
untouched() { [ "$(stat -c %Y "$1")" = 1000000000 ]; }
# run N STATE-DIR SOCKET: sock_start N on SOCKET with that state dir
run() { sock=$3 SOCK_STATE=$2 sock_start "$1"; }

mkdir "$TMP/p1" && past "$TMP/p1"
run 1 "$TMP/p1/state" "$TMP/nodir/u.sock"
wait_exit "$pid1" 30 >/dev/null 2>&1
is "$?" 1 "a uevent socket in a directory not there: exit 1"
check "... its missing state dir never made (not made and removed: the parent untouched)" \
	untouched "$TMP/p1"
check "... saying why" grep -q "uevent socket $TMP/nodir/u.sock: No such file or directory" "$TMP/1.log"

sock_start 2
check "a hotmemd on $sock is ready" wait_for 10 ready 2
mkdir "$TMP/p3" && past "$TMP/p3" && past "$TMP/s"
run 3 "$TMP/p3/state" "$sock"
wait_exit "$pid3" 30 >/dev/null 2>&1
is "$?" 1 "a second one on its socket, its own missing state dir: exit 1"
check "... the state dir never made (the parent untouched)" untouched "$TMP/p3"
check "... the socket's directory untouched (no lock file made, no socket)" untouched "$TMP/s"

mkdir "$TMP/s4" && past "$TMP/s4"
run 4 "$TMP/st2" "$TMP/s4/u.sock"
wait_exit "$pid4" 30 >/dev/null 2>&1
is "$?" 1 "a second one on its state dir, its own socket: exit 1"
check "... refused before its socket: that directory untouched" untouched "$TMP/s4"

mkdir "$TMP/p5"
run 5 "$TMP/p5/state" "$TMP/p5/state/u.sock"
check "a socket in the missing state dir (hotmemd(8)'s layout): made, ready" wait_for 10 ready 5
check "... its socket bound there" test -S "$TMP/p5/state/u.sock"
kill "$pid5"
wait_exit "$pid5" 10 >/dev/null 2>&1
is "$?" 0 "... exit 0 at SIGTERM"
done_testing
