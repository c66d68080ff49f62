#!/bin/bash
# A user's hotmemfs (mounted through fusermount3, not root) detaches its
# tree on a second stop signal too: umount2(MNT_DETACH) is EPERM without
# CAP_SYS_ADMIN, so it runs `fusermount3 -u -z` as libfuse's unmount does.
# The first SIGTERM's stop waits for the notifier, stuck in the kernel
# behind a reader that holds memory/'s inode lock inside getdents64
# (uffd_hold.py, as nobody with CAP_SYS_PTRACE for its kernel-mode
# userfaultfd fault; a user's mount admits nobody else); the second one
# stops at once.  Before, the tree stayed mounted, dead ("Transport
# endpoint is not connected"), after hotmemfs had gone.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
need_tool setpriv util-linux
need_tool fusermount3 fuse3
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody_ptrace() { nobody --inh-caps=+sys_ptrace --ambient-caps=+sys_ptrace "$@"; }
M=$MNT/sys/devices/system/memory
# nobody's: the mountpoint, the control socket and uffd_hold.py's file in $TMP
chmod 1777 "$TMP"
chown 65534:65534 "$MNT"

# setpriv itself, not a function: $! must be the pid that becomes hotmemfs
setpriv --reuid=65534 --regid=65534 --clear-groups "$HMFS" --control "$CTL" --state none "$MNT" \
	2>>"$TMP/hotmemfs.log" &
FS_PID=$!
up=1
for _ in $(seq 600); do
	nobody test -e "$M/block_size_bytes" && { up=0; break; }
	kill -0 "$FS_PID" 2>/dev/null || break
	sleep 0.05
done
tap_ok $up "nobody's hotmemfs mounts"
findmnt -t fuse.hotmemfs -O user_id=65534 "$MNT" >/dev/null
tap_ok $? "... a user's mount (user_id=65534)"
stuck_device_del nobody_ptrace

kill -TERM "$FS_PID"
stop_notifier_leaving && log_says "SIGTERM: stopping: waiting up to"
tap_ok $? "the first SIGTERM: the stop waits for the notifier, and says so (a SIGTERM before that is the same stop)"
kill -TERM "$FS_PID"
log_says "hotmemfs: second signal \(SIGTERM\): stopping without waiting for the notifier"
tap_ok $? "the second SIGTERM stops at once, saying so"
unmounted 60
tap_ok $? "... the tree detached (fusermount3 -u -z), the notifier still in the kernel"
! grep -q "cannot detach" "$TMP/hotmemfs.log"
tap_ok $? "... no word of a failed detach"

stuck_stop_ends 1 "not a clean stop"
done_testing
