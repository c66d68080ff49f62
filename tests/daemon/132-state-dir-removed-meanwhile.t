#!/bin/bash
# A hotmemd that opened its --state-dir before a refused start removed it
# (hmd_state_dir_unmake(): the dir that start made, rmdir'ed), and locked
# it after, held the lock of a directory no longer there, beside a third
# hotmemd's lock on the one made anew: two hotmemd on one state dir
# (reread24 R3).  Now the lock counts only while the path names the
# directory locked (statelock.c lock_still_named(), st_dev/st_ino); else
# the start opens the one there now.  The first start is held between its
# open and its flock() (lock_hold.so), so the rmdir falls there for
# certain.  Without lock_still_named() checks 3-4 fail (the held start
# runs beside the other; checked).
. "$(dirname "$0")/lib.sh"
need_hotmemd
"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -shared \
	"$HOTMEM_SRC/tests/reliability/lock_hold.c" -o "$TMP/lock_hold.so" -ldl ||
	skip_all "cannot build lock_hold.so"
ldd "$HOTMEMD" | grep -qE 'lib(asan|tsan|lsan)' &&
	skip_all "a sanitized hotmemd: lock_hold.so would bypass the sanitizer's own calls"

root=$TMP/root
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0
run() { # run N [ENV...]: hotmemd N on $TMP/state, its log $TMP/N.log, its pid in pidN
	local n=$1
	shift
	env "$@" "$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
		--netlink=no --uevent-socket "$TMP/$n.sock" 2>"$TMP/$n.log" &
	eval "pid$n=$!"
	_pids+=("$!")
}

hold=$TMP/hold
: >"$hold"
# there before it starts: an existing state dir is locked first, before
# the uevent socket's lock (a missing one is made after the sockets: 142)
mkdir "$TMP/state"
run 1 HOTMEM_TEST_LOCK_HOLD="$hold" LD_PRELOAD="$TMP/lock_hold.so"
check "a start held between its open of the state dir and its flock()" \
	wait_for 10 test -e "$hold.held"
rmdir "$TMP/state" # as a refused start that made it does, holding it
run 2
check "another start makes the state dir anew and is ready" \
	wait_for 10 grep -q "ready: sysroot" "$TMP/2.log"
rm "$hold"
wait_exit "$pid1" 30 >/dev/null 2>&1
is "$?" 1 "the held start exits 1 (137: it ran beside the other)"
check "... naming the one that holds the lock now" \
	grep -q "state dir $TMP/state is in use by another hotmemd (pid $pid2 holds its lock): exiting" "$TMP/1.log"
check "the other still runs" kill -0 "$pid2"
check "... its state dir there" test -d "$TMP/state"
done_testing
