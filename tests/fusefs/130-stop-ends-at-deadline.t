#!/bin/bash
# A stop that finishes just as --stop-wait runs out is a clean stop.
# The stop's watch (main.c watch_main()) found the stop overdue, then
# said so and exited 1 without looking again: a stop that finished
# meanwhile -- its unmount under way when the deadline passed, the common
# way -- was reported "still waiting ... for the unmount; stopping
# without it ... exit 1", its final save made and the tree unmounted
# (review13 F3).  Now the watch waits for an unmount under way, and a
# stop that ends with it exits 0.  The deadline is made to pass inside
# the unmount: a user's hotmemfs unmounts with fusermount3, here (in a
# mount namespace of the test's own, as 74-fusermount-signals.t) a
# stand-in that waits until the test has seen the deadline pass, then
# runs the real one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/standin.sh"
set -u
require_env
standin_require
# the unmount waits for $TMP/go (2 minutes at most), then runs the real one
cat >"$TMP/fusermount3" <<PYEOF
#!$PY
import os, sys, time
if "-u" in sys.argv or "--unmount" in sys.argv:
    open("$TMP/unmount.tmp", "w").close()
    os.rename("$TMP/unmount.tmp", "$TMP/unmount.rec")
    for _ in range(2400):
        if os.path.exists("$TMP/go"):
            break
        time.sleep(0.05)
os.execv("$TMP/fusermount3.real", ["fusermount3"] + sys.argv[1:])
PYEOF
chmod 755 "$TMP/fusermount3"

standin_start --state none --stop-wait 5
tap_ok $? "nobody's hotmemfs mounts through the fusermount3 stand-in (--stop-wait 5)"

kill -TERM "$FS_PID"
for _ in $(seq 600); do [ -e "$TMP/unmount.rec" ] && break; sleep 0.05; done
[ -e "$TMP/unmount.rec" ]
tap_ok $? "SIGTERM: the stop reaches its unmount (fusermount3 -u runs, held)"
log_says "hotmemfs: stop: still waiting after 5 s \(--stop-wait\) for the unmount" 60
tap_ok $? "--stop-wait runs out inside the unmount: said"
touch "$TMP/go"
wait_exit "$FS_PID" 60
is "$?" 0 "the unmount ends after the deadline: the stop ended, exit 0"
FS_PID=
! grep -q "stopping without it" "$TMP/hotmemfs.log"
tap_ok $? "... not said overdue ('stopping without it')"
grep -q "for the unmount; it is under way: the stop ends with it" "$TMP/hotmemfs.log"
tap_ok $? "... it said the stop waits for the unmount under way"
end_fs_stopped
done_testing
