#!/bin/bash
# A second SIGTERM while a stop waits stops hotmemfs at once, as systemd's
# stop timeout and SIGKILL would (review9 D2): the first one waits for the
# notifier to come out of the kernel, and here it is stuck there for as
# long as the test likes (a reader holds memory/'s inode lock inside
# getdents64, its copy-out faulting on a userfaultfd page, as in
# 40-notifier-stall.t).  The second one says so, detaches the tree at once
# and exits 1 (the notifier's thread still in the kernel holds the exit
# until the reader lets go).  Before, the three signals stayed blocked
# and the second one was never acted on.
. "$(dirname "$0")/lib.sh"
set -u
require_env
require_uffd
[ "$(id -u)" = 0 ] || skip_all "detaching the mount needs root"
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --state none
stuck_device_del

kill -TERM "$FS_PID"
stop_notifier_leaving && log_says "SIGTERM: stopping: waiting up to"
tap_ok $? "the first SIGTERM: the stop waits for the notifier, and says so (a SIGTERM before that is the same stop)"
kill -TERM "$FS_PID"
unmounted 30
tap_ok $? "the second SIGTERM: the tree is detached at once, the notifier still in the kernel"
grep -q "hotmemfs: second signal (SIGTERM): stopping without waiting for the notifier" "$TMP/hotmemfs.log"
tap_ok $? "... saying so"

stuck_stop_ends 1 "not a clean stop"
done_testing
