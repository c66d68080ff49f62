#!/bin/bash
# hotmemfs's children get the stop signals as hotmemfs got them: SIGTERM
# and SIGHUP are blocked in every thread of hotmemfs (its stopper takes
# them with sigwait()), and a child inherits the mask across fork and
# exec.  A user's hotmemfs runs fusermount3 to mount and to unmount
# (libfuse 3.14 forks it); the unmount helper of its stop must be
# stoppable by a kill(1) as any process.  Here /usr/bin/fusermount3 is,
# in a mount namespace of the test's own, a script that writes down its
# SigBlk and pid and then (mount) runs the real one or (unmount) waits to
# be killed.  Before, both found SIGTERM and SIGHUP blocked and the
# unmount helper ignored SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/standin.sh"
require_env
standin_require
cat >"$TMP/fusermount3" <<PYEOF
#!$PY
import os, sys, time
mode = "unmount" if "-u" in sys.argv or "--unmount" in sys.argv else "mount"
blk = [l.split()[1] for l in open("/proc/self/status") if l.startswith("SigBlk:")][0]
with open("$TMP/%s.tmp" % mode, "w") as f:
    f.write("%d %s\n" % (os.getpid(), blk))
os.rename("$TMP/%s.tmp" % mode, "$TMP/%s.rec" % mode)
if mode == "unmount":
    time.sleep(120)  # until the test kills it
    sys.exit(3)
os.execv("$TMP/fusermount3.real", ["fusermount3"] + sys.argv[1:])
PYEOF
chmod 755 "$TMP/fusermount3"

# blocked SIGNAL in the hex SigBlk MASK
blocked() { (( (16#$2 >> ($1 - 1)) & 1 )); }
# unblocked MASK: SIGTERM and SIGHUP are not in it (two TAP lines)
unblocked() {
	blocked 15 "$1"
	tap_ok $((!$?)) "... with SIGTERM not blocked"
	blocked 1 "$1"
	tap_ok $((!$?)) "... nor SIGHUP"
}
# rec NAME: the stand-in's record, once it is there (30 s)
rec() {
	for _ in $(seq 600); do
		[ -e "$TMP/$1.rec" ] && { cat "$TMP/$1.rec"; return 0; }
		sleep 0.05
	done
	return 1
}

standin_start --state none
tap_ok $? "nobody's hotmemfs mounts through the fusermount3 stand-in"
read -r mpid mblk < <(rec mount)
tap_ok $? "the mount helper ran (pid ${mpid:-none}, SigBlk ${mblk:-none})"
unblocked "${mblk:-0}"

kill -TERM "$FS_PID"
read -r upid ublk < <(rec unmount)
tap_ok $? "SIGTERM: hotmemfs runs the unmount helper (pid ${upid:-none}, SigBlk ${ublk:-none})"
unblocked "${ublk:-0}"
[ -n "${upid:-}" ] && kill -TERM "$upid"
timeout 20 tail -s 0.05 --pid="${upid:-1}" -f /dev/null
r=$?
tap_ok $r "... and a SIGTERM ends it"
[ $r -ne 0 ] && kill -9 "$upid"
wait_exit "$FS_PID" 60
is "$?" 0 "hotmemfs then ends its stop: exit 0"
FS_PID=
end_fs_stopped
done_testing
