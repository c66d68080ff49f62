#!/bin/bash
# SIGTERM during the coldplug scan stops hotmemd at the next block, not
# after every block of the machine is read and onlined (a 16 TiB machine's
# coldplug on hotmemfs takes minutes, past systemd's stop timeout, which
# then SIGKILLs it): it exits 0 and leaves the blocks it had not decided
# offline for the next start's coldplug.  A SIGHUP during the coldplug
# is a reload once the coldplug is done: every block is onlined.
# memory20's state is a FIFO: hotmemd reads it in the middle of its scan,
# so the signal arrives exactly there, with no timing in the test.
. "$(dirname "$0")/lib.sh"
need_hotmemd

root=$TMP/root
log=$TMP/log
mk_sysroot "$root"
mk_blocks "$root" 0 7 online Normal
zone_add "$root" 0 Normal 262144
zone_add "$root" 0 Movable 0
mk_blocks "$root" 8 40 offline "Normal Movable"
fifo=$root/sys/devices/system/memory/memory20/state

offline_count() { grep -lx offline "$root"/sys/devices/system/memory/memory*/state | wc -l; }
# run SIGNAL: hotmemd's coldplug meets SIGNAL while it reads memory20/state
run() {
	rm -f "$fifo"
	mkfifo "$fifo"
	: >"$log"
	"$HOTMEMD" --config /dev/null --sysroot "$root" --state-dir "$TMP/state" --netlink=no \
		--log-level debug 2>>"$log" &
	pid=$!
	_pids+=("$pid")
	# the open for writing returns once hotmemd has opened the FIFO to
	# read it; bounded, should hotmemd never come to it
	timeout 10 bash -c 'exec 3>"$1" && kill "-$2" "$3" && echo online >&3' _ "$fifo" "$1" "$pid" ||
		echo "# memory20/state was not read within 10 s"
	# and every later read of it (a reload reads it again).  SIGPIPE
	# ignored: a write after hotmemd closed the FIFO (it reads one line)
	# must not end the feeder, or the next read waits forever in open()
	(
		trap '' PIPE
		while :; do echo online >"$fifo"; done
	) 2>/dev/null &
	feeder=$!
}
# stop_feeder: memory20/state a plain file again
stop_feeder() {
	kill "$feeder" 2>/dev/null
	wait_exit "$feeder" 10 2>/dev/null
	rm -f "$fifo"
	echo online >"$fifo"
}

run TERM
check "hotmemd exits after SIGTERM in its coldplug" wait_for 10 bash -c "! kill -0 $pid 2>/dev/null"
wait_exit "$pid" 5
is "$?" 0 "... with status 0"
stop_feeder
is "$(offline_count)" 32 "... and onlines no more blocks: 32 left offline for the next start"
check "... saying so" grep -q "coldplug stopped by signal 15" "$log"

run HUP
check "SIGHUP during the coldplug: the coldplug goes on and the reload follows" \
	wait_for 10 grep -q "configuration reloaded" "$log"
kill "$pid"
wait_exit "$pid" 10
is "$?" 0 "hotmemd stops with status 0"
stop_feeder
is "$(offline_count)" 0 "... every block is online"
done_testing
