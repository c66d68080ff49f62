#!/bin/bash
# A hotmemfs started with SIGHUP ignored (nohup) or SIGINT ignored (a
# background job of a non-interactive shell, `trap '' INT`) keeps ignoring
# it, as with libfuse's fuse_set_signal_handlers(), which handles only a
# signal at its default action (review9 #2).  901edb3 blocked the three
# for its stopper's sigwait() whatever their action, and a blocked signal
# is never dropped as ignored: the hangup of the terminal after `nohup
# hotmemfs ... &`, or a Ctrl-C meant for the starting shell, unmounted the
# tree.  A signal at its default action still stops it.
. "$(dirname "$0")/lib.sh"
set -u
require_env

# sig_in MASK SIG: is SIG's bit set in the hex mask of /proc/PID/status?
sig_in() {
	local n
	n=$(kill -l "$2")
	(( (0x$1 >> (n - 1)) & 1 ))
}

for sig in HUP INT; do
	if [ $sig = HUP ]; then
		nohup "$HMFS" --control "$CTL" --state none "$MNT" >>"$TMP/hotmemfs.log" 2>&1 &
	else
		(trap '' INT; exec "$HMFS" --control "$CTL" --state none "$MNT" 2>>"$TMP/hotmemfs.log") &
	fi
	FS_PID=$!
	fs_wait_mounted
	tap_ok $? "SIG$sig ignored at start: hotmemfs mounts"
	findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not our mount"; done_testing; exit 1; }
	# the property itself: left unblocked, so dropped as ignored -- in the
	# thread group leader, the task kill(2) targets: the kernel's
	# sig_ignored() looks at its mask (kernel/signal.c, prepare_signal()).
	# Not every thread's: a sanitizer's own thread (ThreadSanitizer's
	# background thread) blocks every signal, and drops nothing by it.
	m=$(awk '/^SigBlk/{print $2}' "/proc/$FS_PID/task/$FS_PID/status")
	blocked=0
	[ -n "$m" ] && sig_in "$m" $sig && blocked=1
	tap_ok $blocked "... SIG$sig is not blocked in its main thread (it stays ignored)"
	kill -$sig "$FS_PID"
	ctl status >/dev/null
	tap_ok $? "... after a SIG$sig it still answers its control socket"
	kill -0 "$FS_PID" 2>/dev/null
	tap_ok $? "... it still runs"
	findmnt -t fuse.hotmemfs "$MNT" >/dev/null
	tap_ok $? "... still mounted"
	stop_fs
	tap_ok $? "... and stops when unmounted"
done

# at its default action SIGHUP stops hotmemfs (bounded: 60 s)
start_fs --state none
tap_ok $? "hotmemfs mounts (SIGHUP at its default action)"
kill -HUP "$FS_PID"
for _ in $(seq 1200); do kill -0 "$FS_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$FS_PID" 2>/dev/null
tap_ok $((!$?)) "... SIGHUP stops it"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $((!$?)) "... and unmounts its tree"
end_fs_stopped
done_testing
