#!/bin/bash
# The stopper's wake signal (SIGRTMIN+2: stopper_end() ends its wait with
# it) sent from outside is ignored, and SIGTERM still stops hotmemfs.
# It is blocked and waited for like the stop signals, and one from
# `kill -s RTMIN+2` ended the stopper silently: every SIGTERM after it
# stayed blocked, never taken (review10 nit 4).
. "$(dirname "$0")/lib.sh"
set -u
require_env
mount_fs "hotmemfs mounts" --state none

# shd_pending SIG: SIG is pending for the whole process (ShdPnd)
shd_pending() {
	local mask n
	mask=$(awk '/^ShdPnd:/ { print $2 }' "/proc/$FS_PID/status")
	n=$(kill -l "$1")
	(( (0x$mask >> (n - 1)) & 1 ))
}

kill -s RTMIN+2 "$FS_PID"
# taken (blocked in every thread, it stays pending until the stopper's sigwait takes it)
for _ in $(seq 600); do shd_pending RTMIN+2 || break; sleep 0.05; done
! shd_pending RTMIN+2
tap_ok $? "SIGRTMIN+2 from outside: taken by hotmemfs's signal thread"
log_says "ignoring SIGRTMIN\+2 from pid $$: it is hotmemfs's own"
tap_ok $? "... which ignores it, saying so"
kill -0 "$FS_PID" && findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "... and hotmemfs runs on, mounted"

sigterm_stops_cleanly ""
end_fs_stopped
done_testing
