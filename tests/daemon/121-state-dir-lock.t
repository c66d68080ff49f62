#!/bin/bash
# One hotmemd a --state-dir: a second one started on it while the first
# runs is refused (exit 1, naming the holder's pid), the first untouched;
# so is a plain --oneshot (it onlines blocks and writes boot-blocks); a
# --oneshot dry run beside it is not; once the first is gone, the lock
# is free (usereye9 F6: both ran side by side).
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
mk_boot_512m "$root"
zone_add "$root" 0 Movable 0

# start N: hotmemd N on the state dir, its log $TMP/N.log, its pid in pidN
start() {
	: >"$TMP/$1.log"
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
		--netlink=no --uevent-socket "$TMP/$1.sock" 2>"$TMP/$1.log" &
	eval "pid$1=$!"
	_pids+=("$!")
}
# a hotmemd.lock this user cannot open (a root run's, left in a kept state
# dir) once made the lock a warning only, and both ran (finalD D2): the
# lock is on the directory now, so it is left there throughout (as root,
# whom mode 000 does not stop, this proves nothing: run 121 as a user)
mkdir -p "$TMP/state" && install -m 000 /dev/null "$TMP/state/hotmemd.lock"
start 1
check "the first hotmemd is ready" wait_for 10 grep -q "ready: sysroot" "$TMP/1.log"
start 2
wait_exit "$pid2" 30 >/dev/null 2>&1
is "$?" 1 "a second one on the same state dir exits 1 (137: both ran)"
sed 's/^/# /' "$TMP/2.log"
check "... saying who holds it" \
	grep -q "state dir $TMP/state is in use by another hotmemd (pid $pid1 holds its lock): exiting" "$TMP/2.log"
check "... and never ready" bash -c "! grep -q 'ready: sysroot' '$TMP/2.log'"
check "the first still runs" kill -0 "$pid1"
mk_block "$root" 4 offline "Normal Movable"
"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" \
	--netlink=no --oneshot 2>"$TMP/os.log"
is "$?" 1 "a plain --oneshot beside it exits 1 (0: it ran beside the service)"
sed 's/^/# /' "$TMP/os.log"
check "... saying who holds it" \
	grep -q "state dir $TMP/state is in use by another hotmemd (pid $pid1 holds its lock)" "$TMP/os.log"
check "a --oneshot dry run beside it is not refused" "$HOTMEMD" --config /dev/null \
	--sysroot "$root" --state-dir "$TMP/state" --netlink=no --oneshot --dry-run
kill -9 "$pid1"
wait_exit "$pid1" 10 >/dev/null 2>&1
start 3
check "once the first is gone (kill -9), the next one starts" \
	wait_for 10 grep -q "ready: sysroot" "$TMP/3.log"
done_testing
