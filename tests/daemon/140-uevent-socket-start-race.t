#!/bin/bash
# Two hotmemd started at the same instant on a stale --uevent-socket file
# (reread25 R2): each probed the file (connect() refused: stale), then
# unlinked it and bound the name -- not atomically, so both could judge it
# stale and the later unlink took the earlier's fresh socket: two ran,
# one of them deaf (abuse25a B1).  Now the probe through the bind runs
# under SOCKET.lock, a lock file of its own beside the socket
# (socklock.c), held for hotmemd's life.  ROUNDS rounds: both let go at
# one instant (at_once: one FIFO write), exactly one is ready, the other
# exits 1 saying the socket is in use; the one ready is killed -9, which
# leaves its socket file (and lock file) stale for the next round.  The
# last round's survivor hears a uevent.  Not made certain (no hold point
# in hotmemd): a race, run often.  Without the lock each of 3 runs of 40
# rounds failed (checked): once two were ready in one round (check 1),
# twice the later start's bind() found the name taken (EADDRINUSE, not
# the refusal: check 2) -- the same race one step later.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"
need_tool python3 python3

root=$TMP/root
sock=$TMP/ue.sock
ROUNDS=${ROUNDS:-40}
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0

refused() { grep -q "uevent socket $sock is in use by " "$TMP/$1.log"; }
settled() { { ready "$1" || refused "$1"; } && { ready "$2" || refused "$2"; }; }
pid() { eval echo "\$pid$1"; }

# a stale socket file: bound by a process that is gone
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' "$sock"
both=0 one=0 odd=0
for ((i = 1; i <= ROUNDS; i++)); do
	at_once "a$i" "b$i"
	if ! wait_for 30 settled "a$i" "b$i"; then
		odd=$((odd + 1))
		sed 's/^/# a: /' "$TMP/a$i.log"
		sed 's/^/# b: /' "$TMP/b$i.log"
		break
	fi
	if ready "a$i" && ready "b$i"; then
		both=$((both + 1))
		echo "# round $i: both ready"
		kill -9 "$(pid "a$i")" "$(pid "b$i")"
		wait_exit "$(pid "a$i")" 10 >/dev/null 2>&1
		wait_exit "$(pid "b$i")" 10 >/dev/null 2>&1
		continue
	fi
	if ready "a$i"; then up=a$i down=b$i; else up=b$i down=a$i; fi
	wait_exit "$(pid "$down")" 30 >/dev/null 2>&1
	rc=$?
	if [ "$rc" -ne 1 ] || ! refused "$down"; then
		odd=$((odd + 1))
		echo "# round $i: $down exited $rc"
		sed 's/^/# /' "$TMP/$down.log"
	fi
	one=$((one + 1))
	[ "$i" -lt "$ROUNDS" ] || break
	kill -9 "$(pid "$up")"
	wait_exit "$(pid "$up")" 10 >/dev/null 2>&1
done
is "$both" 0 "$ROUNDS rounds of two hotmemd let go at once on a stale socket file: never both ready"
is "$odd" 0 "... each round settled, the one not ready exited 1 saying the socket is in use"
is "$one" "$ROUNDS" "... in each round exactly one is ready"
grep -h "is in use by" "$TMP"/[ab]*.log | sort | uniq -c | head -3 | sed 's/^/# /'
check "the last round's survivor hears its uevents: memory4 onlined" sock_add 4
kill "$(pid "$up")"
wait_exit "$(pid "$up")" 10 >/dev/null 2>&1
is "$?" 0 "... and exits 0 at SIGTERM"
check "... removing its socket file" test ! -e "$sock"
check "... and its lock file" test ! -e "$sock.lock"
done_testing
