#!/bin/bash
# The stop's wait for the notifier is bounded (--stop-wait): a reader
# holds memory/'s inode lock inside getdents64 (its buffer faulting on a
# userfaultfd page, as in 40-notifier-stall.t) for as long as it likes,
# so a device_del's invalidation waits in the kernel and nothing of
# hotmemfs's can end that wait.  After SIGTERM hotmemfs waits --stop-wait
# (here 2 s), says what it waited for, ends the session, saves the
# machine, detaches the tree and exits 1 once the notifier's call returns.
# It says at once that it waits, how long at most, and that a second
# signal stops now; and where the machine is saved (89-stop-wait-no-state.t:
# without a state file it says nothing is).
# Before, the first signal's wait had no bound: the tree stayed mounted
# and the stop waited until the reader let go (or a second signal).
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts (--stop-wait 2)" --fresh --stop-wait 2
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
# said at once, not only after --stop-wait (usereye2 #3): the first line
# of the stop, before the one saying it gave up
wait_line=$(grep -n -m1 "hotmemfs: SIGTERM: stopping: waiting up to 2 s (--stop-wait) for the notifier to leave the kernel (a reader of the mount holds a directory's lock, memory/'s?); a second SIGTERM stops now" "$TMP/hotmemfs.log" | cut -d: -f1)
stuck_line=$(grep -n -m1 "hotmemfs: stop: the notifier is still inside" "$TMP/hotmemfs.log" | cut -d: -f1)
tap_ok $((!(${wait_line:-0} > 0 && ${wait_line:-0} < ${stuck_line:-0}))) \
	"... saying first what it waits for, how long, and how to stop now (line ${wait_line:-none}, then ${stuck_line:-none})"
grep -q "stopping without it: the session ends, the final save to $STATE is tried, the tree detached" "$TMP/hotmemfs.log"
tap_ok $? "... that the machine's final save is tried, and where (not yet done: review12 N1)"
grep -q "hotmemfs: detaching $MNT and exiting without the notifier; the machine saved to $STATE\$" "$TMP/hotmemfs.log"
tap_ok $? "... and, last, that it was"

stuck_stop_ends 1 "the notifier was left behind"

# the machine was saved before the exit: d1 is gone after a restart
start_fs
tap_ok $? "hotmemfs restarts from the state file"
is "$(nblocks)" "$before" "... without d1's block: the stop saved the machine"
done_testing
