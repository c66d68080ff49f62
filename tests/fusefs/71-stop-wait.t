#!/bin/bash
# The stop's wait for the notifier is bounded (--stop-wait): a reader
# holds memory/'s inode lock inside getdents64 (its buffer faulting on a
# userfaultfd page, as in 40-notifier-stall.t) for as long as it likes,
# so a device_del's invalidation waits in the kernel and nothing of
# hotmemfs's can end that wait.  After SIGTERM hotmemfs waits --stop-wait
# (here 2 s), says what it waited for, ends the session, saves the
# machine, detaches the tree and exits 1 once the notifier's call returns.
# Before, the first signal's wait had no bound: the tree stayed mounted
# and the stop waited until the reader let go (or a second signal).
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
M=$MNT/sys/devices/system/memory

start_fs --fresh --stop-wait 2
tap_ok $? "hotmemfs mounts (--stop-wait 2)"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not a hotmemfs mount"; done_testing; exit 1; }
nblocks() { ls -d "$M"/memory[0-9]* | wc -l; }
before=$(nblocks)
stuck_device_del

kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached, the notifier still in the kernel"
kill -0 "$HOLDER_JOB" 2>/dev/null
tap_ok $? "... the reader still holding memory/'s lock"
grep -q "hotmemfs: stop: the notifier is still inside the kernel after 2.000 s (--stop-wait): its invalidation (fuse_reverse_inval_entry) waits for a directory's lock that a reader of the mount holds" "$TMP/hotmemfs.log"
tap_ok $? "... saying what it waited for"
grep -q "hotmemfs: detaching $MNT and exiting without the notifier" "$TMP/hotmemfs.log"
tap_ok $? "... and what it does"
! grep -q "second signal" "$TMP/hotmemfs.log"
tap_ok $? "... with one signal"

stuck_stop_ends 1 "the notifier was left behind"

# the machine was saved before the exit: d1 is gone after a restart
start_fs
tap_ok $? "hotmemfs restarts from the state file"
is "$(nblocks)" "$before" "... without d1's block: the stop saved the machine"
done_testing
