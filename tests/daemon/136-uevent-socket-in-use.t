#!/bin/bash
# One hotmemd a --uevent-socket (abuse25a B1): a second one started on the
# socket of a running hotmemd (another --state-dir) is refused, exit 1,
# and leaves the first one's socket bound: the first still hears its
# uevents.  The second once unlinked the live socket, bound the name and,
# at its exit, unlinked it again: the first heard nothing ever after.  A
# stale socket file (a hotmemd killed with -9) is still taken over; and
# at exit a hotmemd unlinks only the socket file it bound.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

root=$TMP/root
sock=$TMP/ue.sock
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0

sock_start 1
check "the first hotmemd is ready" wait_for 10 grep -q "ready: sysroot" "$TMP/1.log"
sock_start 2
wait_exit "$pid2" 30 >/dev/null 2>&1
is "$?" 1 "a second one on the same uevent socket exits 1 (it ran, and took the socket)"
sed 's/^/# /' "$TMP/2.log"
check "... saying the socket is in use" \
	grep -q "uevent socket $sock is in use by another hotmemd (pid $pid1 holds $sock.lock): exiting" "$TMP/2.log"
check "... and never ready" bash -c "! grep -q 'ready: sysroot' '$TMP/2.log'"
check "... and made no state dir" test ! -e "$TMP/st2"
check "the socket file is still there" test -S "$sock"
check "the first one still hears its uevents: memory4 onlined" sock_add 4
# a dry run takes no state-dir lock: it took the socket all the same
sock_start 5 --dry-run
wait_exit "$pid5" 30 >/dev/null 2>&1
is "$?" 1 "a --dry-run one on the socket is refused too, exit 1"
check "... the first one still hears its uevents: memory6 onlined" sock_add 6
kill -9 "$pid1"
wait_exit "$pid1" 10 >/dev/null 2>&1
check "the killed one's socket file stays (stale)" test -S "$sock"
sock_start 3
check "a new one takes the stale socket over" wait_for 10 grep -q "ready: sysroot" "$TMP/3.log"
check "... and hears its uevents: memory5 onlined" sock_add 5
# the name bound anew by someone else (its file removed and made again):
# at its exit, hotmemd 3 leaves the new file alone
rm "$sock"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$sock"
kill "$pid3"
wait_exit "$pid3" 10 >/dev/null 2>&1
is "$?" 0 "hotmemd 3 exits 0 at SIGTERM"
check "... leaving a socket file it did not bind" test -S "$sock"
rm "$sock"
sock_start 4
check "a fourth one starts" wait_for 10 grep -q "ready: sysroot" "$TMP/4.log"
kill "$pid4"
wait_exit "$pid4" 10 >/dev/null 2>&1
check "... and removes its own socket file at exit" test ! -e "$sock"
done_testing
