#!/bin/bash
# A stop signal is acted on when the session loop ended by itself and the
# teardown that follows waits: the FUSE connection is aborted (as
# /sys/fs/fuse/connections/N/abort does; an unmount by someone else ends
# the loop the same way) while a reader holds memory/'s inode lock inside
# getdents64 (uffd_hold.py, as in 40-notifier-stall.t) and a device_del's
# invalidation waits for it in the kernel, so teardown waits for the
# notifier (--stop-wait 600 here: the bound is 71-stop-wait.t's).
# The first SIGTERM then is told the stop is under way, the second stops
# at once: the dead mount is detached and hotmemfs exits 1 once the
# notifier's call returns.  Before, the stopper had ended with the loop
# and both signals stayed blocked, never acted on.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
[ -d /sys/fs/fuse/connections ] || skip_all "no /sys/fs/fuse/connections (fusectl) to abort a connection with"
need_tool unshare util-linux
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts (--stop-wait 600)" --state none --stop-wait 600
stuck_device_del

# the connection's number is the mount's device minor (fusectl's directory name)
conn=$(findmnt -no MAJ:MIN "$MNT")
conn=${conn#*:}
conn=${conn// /}
# fusectl in a mount namespace of its own: nothing of the host's changes
unshare -m --propagation private sh -c \
	'mount -t fusectl fusectl /sys/fs/fuse/connections && echo 1 >"/sys/fs/fuse/connections/$1/abort"' \
	abort "$conn"
tap_ok $? "the FUSE connection $conn aborted"
log_says "hotmemfs: the session ended by itself \(unmounted, or its connection aborted\): stopping"
tap_ok $? "the session loop ended by itself, hotmemfs says so"
kill -0 "$FS_PID" 2>/dev/null && log_says "hotmemfs: stop: waiting up to"
tap_ok $? "... its teardown waits for the notifier, and says so"

kill -TERM "$FS_PID"
log_says "hotmemfs: SIGTERM: the stop is under way already \(the session ended by itself\); it waits for the notifier until --stop-wait from its start, a second signal stops at once"
tap_ok $? "a SIGTERM now is acted on: told the stop is under way"
kill -0 "$FS_PID" 2>/dev/null
tap_ok $? "... hotmemfs still waits for the notifier"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "... the dead mount still there"

kill -TERM "$FS_PID"
log_says "hotmemfs: second signal \(SIGTERM\): stopping without waiting for the notifier"
tap_ok $? "a second SIGTERM stops at once, saying so"
unmounted 60
tap_ok $? "... the dead mount detached, the notifier still in the kernel"

stuck_stop_ends 1 "not a clean stop"
done_testing
