#!/bin/bash
# `timeout N hotmemfs ...`: coreutils timeout sends its signal to hotmemfs
# and then to its own process group, hotmemfs in it -- two SIGTERMs back
# to back (usereye3 #13).  The second was taken as "a second signal":
# exit 1, "stopping without waiting for the notifier, control commands or
# the final save", the control socket left behind.  A second signal of
# the first's kind within 0.5 s of it, before the stop said it waits, is
# the same stop now; one later (past "waiting up to ...: a second SIGTERM
# stops now") still stops at once, and removes the control socket too.
# First two SIGTERMs taken back to back (two_sigterms()), the stop held by
# a notifier stuck in the kernel (a reader holding memory/'s lock,
# 71-stop-wait.t); then a real `timeout` (whether its two are taken as
# one or two depends on the race).
. "$(dirname "$0")/lib.sh"
require_env
require_uffd

# SIGTERM twice, taken one right after the other and not merged into one
# (two of a kind pending at once are one): hotmemfs stopped (SIGSTOP), one
# to the process and one to its signal thread (tgkill: pending on that
# thread alone), then SIGCONT -- its sigwaitinfo() takes the thread's,
# then the process's, as timeout's two come
two_sigterms() {
	python3 - "$1" <<'PY'
import ctypes, os, signal, sys, time
pid = int(sys.argv[1])
nrs = {"x86_64": (234, 128), "aarch64": (131, 137)}.get(os.uname().machine)
if not nrs:
    sys.exit(77)
tgkill, sigtimedwait = nrs

def tasks():
    return os.listdir(f"/proc/{pid}/task")

def field(tid, name):
    with open(f"/proc/{pid}/task/{tid}/{name}") as f:
        return f.read()

# the signal thread: the one in rt_sigtimedwait
stopper = [t for t in tasks() if field(t, "syscall").split()[0] == str(sigtimedwait)]
if len(stopper) != 1:
    sys.exit(f"signal thread not found ({len(stopper)} in rt_sigtimedwait)")
os.kill(pid, signal.SIGSTOP)
for _ in range(2000):
    # the signal thread stopped (the notifier's, in the kernel, stays in D)
    if field(stopper[0], "stat").rsplit(")", 1)[1].split()[0] in "tT":
        break
    time.sleep(0.005)
else:
    sys.exit("hotmemfs did not stop")
os.kill(pid, signal.SIGTERM)
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(tgkill, pid, int(stopper[0]), signal.SIGTERM):
    sys.exit("tgkill: " + os.strerror(ctypes.get_errno()))
os.kill(pid, signal.SIGCONT)
PY
}

mount_fs "hotmemfs mounts (a state file)" --fresh
stuck_device_del
two_sigterms "$FS_PID"
r=$?
# a genuine lack, after checks: need_end_skip (skip_all's "1..0" is no TAP there)
[ $r -eq 77 ] && { kill9_fs; need_end_skip "no tgkill number for $(uname -m) here"; }
tap_ok $r "two SIGTERMs, back to back"
log_says "waiting up to 30 s \(--stop-wait\) for the notifier"
tap_ok $? "the stop goes on, waiting for the notifier"
! grep -q "second signal" "$TMP/hotmemfs.log"
tap_ok $? "... not a second signal's stop"
stuck_stop_ends 0 "a clean stop: the notifier out, the final save done"
[ ! -e "$CTL" ]
tap_ok $? "... its control socket removed"
is "$(cat "$TMP/del.err")" "" "... device_del answered"

# past the stop's word a second SIGTERM still stops at once, the socket removed
: >"$TMP/hotmemfs.log"
mount_fs "hotmemfs mounts again" --stop-wait 60
stuck_device_del
kill -TERM "$FS_PID"
log_says "SIGTERM: stopping: waiting up to 60 s"
tap_ok $? "SIGTERM: the stop says it waits for the notifier"
kill -TERM "$FS_PID"
log_says "second signal \(SIGTERM\): stopping without waiting"
tap_ok $? "a second SIGTERM after that stops at once"
unmounted 30
tap_ok $? "... the tree detached"
wait_gone_socket() {
	for _ in $(seq 200); do
		[ -e "$CTL" ] || return 0
		sleep 0.05
	done
	return 1
}
wait_gone_socket
tap_ok $? "... its control socket removed"
stuck_stop_ends 1 "the second signal's"

# coreutils timeout itself (its two signals may be taken as one, or not)
: >"$TMP/hotmemfs.log"
timeout --preserve-status 4 "$HMFS" --control "$CTL" --state "$STATE" "$MNT" 2>>"$TMP/hotmemfs.log" &
TO=$!
wait_exit "$TO" 60
is "$?" 0 "timeout 4 hotmemfs: exits 0 on timeout's signals (timeout --preserve-status)"
grep -q "mounted on" "$TMP/hotmemfs.log" && ! grep -q "second signal" "$TMP/hotmemfs.log"
tap_ok $? "... having mounted; no second signal's stop"
[ ! -e "$CTL" ] && ! findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "... its control socket and tree gone"
done_testing
