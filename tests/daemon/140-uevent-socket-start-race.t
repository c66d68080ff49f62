#!/bin/bash
# Two hotmemd started at once on a stale --uevent-socket file (reread25
# R2): each probed the file (unlink_stale(): connect() refused, stale),
# then unlinked it and bound the name -- not atomically, so both could
# judge it stale and the later unlink took the earlier's fresh socket:
# that one ran on deaf (abuse25a B1).  Now the probe through the bind
# runs under flock() of the socket's directory.  Made certain, not a race:
# the first hotmemd is held in its unlink() of the socket (unlink_hold.so),
# its probe done; the second is started and the test waits until it
# either waits for the directory's lock (/proc/locks: a blocked FLOCK of
# its pid) or is ready; then the first goes on.  Exactly one runs, the
# other exits 1 saying the socket is in use, and the one running hears
# its uevents.  Without the flock() checks 3, 5 and 6 fail (checked): the
# second is ready before the first goes on, whose unlink then takes the
# second's live socket, and both run.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3
need_preload_shim unlink_hold "$HOTMEMD"

root=$TMP/root
sock=$TMP/ue.sock
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0

ready() { grep -q "ready: sysroot" "$TMP/$1.log"; }
# lock_waiter PID: PID waits for a flock() (/proc/locks: "-> FLOCK ... PID ...")
lock_waiter() { grep -qE "^[0-9]+: -> FLOCK +ADVISORY +WRITE +$1 " /proc/locks; }
waits_or_runs() { eval "lock_waiter \"\$pid$1\"" || ready "$1"; }

# a stale socket file: bound by a process that is gone
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$sock"
: >"$TMP/hold"
SOCK_ENV="LD_PRELOAD=$TMP/unlink_hold.so HOTMEM_TEST_UNLINK_HOLD=$TMP/hold
	HOTMEM_TEST_UNLINK_HOLD_SUFFIX=/ue.sock" sock_start 1
check "the first hotmemd judged the socket file stale and is held in its unlink()" \
	wait_for 30 test -e "$TMP/hold.held"
sock_start 2
check "the second one waits for the socket directory's lock, or runs" \
	wait_for 30 waits_or_runs 2
ready 2
check "... it does not run while the first holds the lock" test $? -ne 0
rm "$TMP/hold"
check "the first one goes on and runs" wait_for 30 ready 1
wait_exit "$pid2" 30 >/dev/null 2>&1
is "$?" 1 "the second one exits 1"
sed 's/^/# /' "$TMP/2.log"
check "... saying the socket is in use" \
	grep -q "uevent socket $sock is in use by another process (a running hotmemd?): exiting" "$TMP/2.log"
check "the first one hears its uevents: memory4 onlined" sock_add 4
kill "$pid1"
wait_exit "$pid1" 10 >/dev/null 2>&1
is "$?" 0 "the first one exits 0 at SIGTERM"
check "... and removes its socket file" test ! -e "$sock"
done_testing
