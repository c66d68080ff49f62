#!/bin/bash
# A second stop signal detaches the tree only while the mountpoint still
# names hotmemfs's mount (review10 D1).  The detach went by path: once
# teardown had unmounted hotmemfs, or once something was mounted over it,
# the path named another filesystem, and umount2(MNT_DETACH) took that
# one off.  Here a tmpfs is mounted over the running hotmemfs, the stop
# waits for a notifier stuck in the kernel (as in 60-second-sigterm.t),
# and a second SIGTERM stops hotmemfs at once: the tmpfs stays.
. "$(dirname "$0")/lib.sh"
set -u
require_env
require_uffd
mount_fs "hotmemfs mounts" --state none
stuck_device_del

# the test's own mounts go, whatever happens (the tmpfs, then hotmemfs's)
trap 'in_test_shell && { umount -l "$MNT" 2>/dev/null; umount -l "$MNT" 2>/dev/null; }; cleanup' EXIT
mount -t tmpfs hotmemfs-test-top "$MNT" && echo marker >"$MNT/marker"
tap_ok $? "a tmpfs mounted over hotmemfs's tree"

kill -TERM "$FS_PID"
stop_notifier_leaving && log_says "SIGTERM: stopping: waiting up to"
tap_ok $? "the first SIGTERM: the stop waits for the notifier, and says so (a SIGTERM before that is the same stop)"
kill -TERM "$FS_PID"
log_says "second signal \(SIGTERM\): stopping without waiting"
tap_ok $? "the second SIGTERM: hotmemfs stops at once"
log_says "$MNT is no longer hotmemfs's mount \(unmounted from outside\): not detaching"
tap_ok $? "... saying the mountpoint is not its mount any more"
findmnt -rn -t tmpfs "$MNT" >/dev/null && [ "$(cat "$MNT/marker" 2>/dev/null)" = marker ]
tap_ok $? "... and the tmpfs over it is still mounted"
umount "$MNT"
tap_ok $? "the tmpfs unmounted: hotmemfs's tree is under it, not detached"

stuck_stop_ends 1 "the second signal's"
done_testing
