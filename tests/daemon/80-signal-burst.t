#!/bin/bash
# A SIGTERM that arrives with a burst of uevents, in the same wakeup of the
# event loop, stops hotmemd before the burst is drained: its signal sources
# run first (SD_EVENT_PRIORITY_IMPORTANT, daemon/main.c setup_loop()).
# sd-event reads the signalfd when it polls, so the signal is no longer
# pending for the drain's check between uevents (hmd_stop_requested());
# dispatched after the uevent source (same priority: the source that became
# ready first), hotmemd decided every block of the burst before it exited.
# The same wakeup with no timing: hotmemd is stopped (SIGSTOP) while the
# burst is queued and the SIGTERM is sent, then continued.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

root=$TMP/root
sock=$TMP/uevent.sock
log=$TMP/log
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal
# the log there before hotmemd: the first wait_for's grep ran before the
# background job's 2>> had made it ("No such file or directory" in the output)
: >"$log"
zone_add "$root" 0 Normal 262144
zone_add "$root" 0 Movable 0

"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --netlink=no \
	--uevent-socket "$sock" --log-level debug 2>>"$log" &
pid=$!
_pids+=("$pid")
check "hotmemd ready, its uevent socket bound" wait_for 10 grep -q "ready: sysroot" "$log"
stopped() { [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = T ]; }
kill -STOP "$pid"
check "hotmemd stopped (SIGSTOP)" wait_for 10 stopped
# new blocks and their ADDs, queued in the socket while hotmemd sleeps: as
# many as an AF_UNIX datagram socket queues (net.unix.max_dgram_qlen, 10 by
# default) before its sender blocks
nr=$(cat /proc/sys/net/unix/max_dgram_qlen 2>/dev/null || echo 10)
[ "$nr" -ge 2 ] 2>/dev/null || nr=2
[ "$nr" -le 10 ] || nr=10
last=$((8 + nr - 1))
mk_blocks "$root" 8 "$last" offline "Normal Movable"
timeout 10 "$UEVENT_SEND" --unix "$sock" add "8-$last"
check "a burst of $nr ADD uevents queued" test $? = 0
n0=$(grep -c "uevent add" "$log")
kill -TERM "$pid"
kill -CONT "$pid"
wait_exit "$pid" 10
is "$?" 0 "SIGTERM with the burst: hotmemd exits with status 0"
check "... saying so" grep -q "signal 15: exiting" "$log"
is "$(($(grep -c "uevent add" "$log") - n0))" 0 "... before it read any uevent of the burst"
online=$(for ((i = 8; i <= last; i++)); do state "$root" "$i"; done | grep -c '^online')
is "$online" 0 "... or onlined any of its blocks (the next start's coldplug decides them)"
done_testing
