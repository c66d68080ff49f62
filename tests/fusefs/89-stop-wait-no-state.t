#!/bin/bash
# 71-stop-wait.t's stuck stop without a state file (-S none): a reader
# holds memory/'s inode lock inside getdents64 (a userfaultfd page), a
# device_del's invalidation waits for it in the kernel, and SIGTERM waits
# --stop-wait (here 2 s) for the notifier.  The stop says at once that it
# waits, for what, how long at most and that a second SIGTERM stops now;
# then that it gives up -- and nowhere that the machine is saved: there
# is no state file (usereye2 #3: the stop said "the machine is saved").
. "$(dirname "$0")/lib.sh"
require_env
require_uffd

mount_fs "hotmemfs mounts (--state none --stop-wait 2)" --fresh --state none --stop-wait 2
stuck_device_del

kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached, the notifier still in the kernel"
grep -q "hotmemfs: SIGTERM: stopping: waiting up to 2 s (--stop-wait) for the notifier to leave the kernel (a reader of the mount holds a directory's lock, memory/'s?); a second SIGTERM stops now" "$TMP/hotmemfs.log"
tap_ok $? "... saying at once what it waits for, how long, and how to stop now"
grep -q "stopping without it: the session ends, no state file: nothing is saved, the tree detached" "$TMP/hotmemfs.log"
tap_ok $? "... that it gives up, saving nothing: no state file"
grep -q "hotmemfs: detaching $MNT and exiting without the notifier; no state file: nothing saved\$" "$TMP/hotmemfs.log"
tap_ok $? "... and, last, that nothing was saved"
! grep -qi "saved to\|machine is saved\|machine saved" "$TMP/hotmemfs.log"
tap_ok $? "... never that the machine is saved"

stuck_stop_ends 1 "the notifier was left behind"
done_testing
