#!/bin/bash
# A --uevent-socket in a missing --state-dir is bound once hotmemd made
# the directory (main.c run_daemon(), hotmemd(8)'s layout, 142 check 9),
# however the two are spelled: whether the socket is in it is the file
# system's answer (daemon/fspath.c), not a textual prefix (reread26 R9:
# cc549dc3's prefix test said no to a state dir spelled P//state, to a
# parent reached through a symlink -- /var/run/hotmemd with --state-dir
# /run/hotmemd -- and to P/./state/u.sock; the dir was not made first and bind() failed
# ENOENT: the start refused).  Without the fix checks 1, 4 and 7 fail
# (checked: "uevent socket ...: No such file or directory").
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0

# run N STATE-DIR SOCKET: sock_start N on SOCKET with that state dir
run() { sock=$3 SOCK_STATE=$2 sock_start "$1"; }
# started N STATE-DIR SOCKET WHY: ready, its socket bound in the state dir, exit 0 at SIGTERM
started() {
	run "$@"
	check "$4: the state dir made, ready" wait_for 10 ready "$1"
	check "... its socket bound in it" test -S "$2/u.sock"
	kill "$(eval echo "\$pid$1")"
	wait_exit "$(eval echo "\$pid$1")" 10 >/dev/null 2>&1
	is "$?" 0 "... exit 0 at SIGTERM"
}

mkdir "$TMP/p1"
started 1 "$TMP/p1//state" "$TMP/p1/state/u.sock" "--state-dir P//state, its socket P/state/u.sock"
mkdir "$TMP/p2" && ln -s p2 "$TMP/l2"
started 2 "$TMP/p2/state" "$TMP/l2/state/u.sock" "a socket whose parent is reached by a symlink (/var/run -> /run)"
mkdir "$TMP/p3"
started 3 "$TMP/p3/state" "$TMP/p3/./state/u.sock" "a socket spelled DIR's parent/./state/u.sock"
done_testing
