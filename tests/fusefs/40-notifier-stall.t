#!/bin/bash
# The notifier stalled for real, for as long as the test likes: a reader
# holds memory/'s inode lock inside getdents64(2), its copy-out faulting
# on a userfaultfd page (uffd_hold.py), so a device_del's invalidation of
# memoryN (fuse_reverse_inval_entry()) waits for it in the kernel.
#  - `hotmemctl settle --timeout 1` then times out: exit 1, "settle: timed
#    out after 1.000 s, N events still queued"; with the reader let go it
#    returns 0, and the device_del and the write held behind it reply.
#  - SIGTERM meanwhile: hotmemfs waits for the notifier to come out of the
#    kernel while its session loop still answers (other files still read),
#    then stops: exit 0, the held write gets its reply, the device_del its
#    result (the control connection is not cut for writing).  It says at
#    once that it waits, for how long at most, and that a second SIGTERM
#    stops now.
# No timed assertions: each wait is bounded only so that a hang fails.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
M=$MNT/sys/devices/system/memory
# lib.sh's stop_fs looks for sanitizer reports only in a hotmemfs it stops itself
no_sanitizer_report() {
	! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
}
# stall_del ID: device_del ID (DEL), its REMOVE stuck in the notifier, and a
# write (WRITER) whose reply is held behind it
stall_del() {
	timeout 120 "$HMCTL" -s "$CTL" device_del "$1" >/dev/null 2>"$TMP/del-$1.err" &
	DEL=$!
	notifier_stalled
	tap_ok $? "device_del $1: its REMOVE queued, not delivered"
	(exec 3>"$M/memory0/uevent"; echo add >&3) 2>"$TMP/w-$1.err" &
	WRITER=$!
}

# the SIGTERM below waits for the reader as long as the test holds it, not
# --stop-wait's default 30 s (its bound is 71-stop-wait.t's)
mount_fs "hotmemfs mounts" --state none --stop-wait 600
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "a DIMM"

must_hold_dir "$M" a
stall_del d1
out=$(timeout 60 "$HMCTL" -s "$CTL" settle --timeout 1 2>&1)
tap_ok $((!$?)) "settle --timeout 1 with the notifier stalled fails"
echo "$out" | grep -qE '^hotmemctl: error: settle: timed out after 1\.000 s, [0-9]+ events still queued$'
tap_ok $? "... saying so: $out"
kill -0 "$WRITER" 2>/dev/null
tap_ok $? "the write behind it waits for its reply"
kill -0 "$DEL" 2>/dev/null
tap_ok $? "device_del waits for its events' delivery"
holder_release
tap_ok $? "the reader let go: $(cat "$TMP/a.out")"
timeout 90 "$HMCTL" -s "$CTL" settle --timeout 60 >/dev/null
tap_ok $? "settle returns 0"
wait_gone "$WRITER" 60 && wait "$WRITER"
tap_ok $? "the held write replied, success $(cat "$TMP/w-d1.err")"
wait_gone "$DEL" 60 && wait "$DEL"
tap_ok $? "device_del replied, success $(cat "$TMP/del-d1.err")"

# the same stall, and SIGTERM
ctl device_add pc-dimm id=d2 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "another DIMM"
hold_dir "$M" b
tap_ok $? "memory/'s lock held again"
stall_del d2
kill -TERM "$FS_PID"
# ordered after the stopper's wait began: hotmemfs says its notifier was
# told to leave the kernel (the stopper does so before it ends the loop;
# without the stopper's wait only teardown does, after the loop ended)
stop_notifier_leaving
tap_ok $? "after SIGTERM hotmemfs tells its notifier to leave the kernel"
# and says at once that it waits, how long at most, how to stop now
# (usereye2 #3: silent for --stop-wait before)
log_says "hotmemfs: SIGTERM: stopping: waiting up to 600 s \(--stop-wait\) for the notifier to leave the kernel .*; a second SIGTERM stops now" 30
tap_ok $? "... saying so at once: $(grep -m1 'SIGTERM: stopping' "$TMP/hotmemfs.log")"
# a lookup the kernel must ask hotmemfs (a name never looked up: nothing
# cached), not in memory/: one there queues behind the notifier's wait for
# the lock
out=$(timeout 30 stat -c %n "$MNT/sys/devices/system/node/fix9-nosuch-$$-$RANDOM" 2>&1)
r=$?
echo "$out" | grep -q "No such file or directory"
tap_ok $((r == 124 || $? != 0)) \
	"... meanwhile, the notifier still in the kernel, the mount still answers a LOOKUP (exit $r: $out)"
holder_release
tap_ok $? "the reader let go: $(cat "$TMP/b.out")"
wait_gone "$FS_PID" 60
tap_ok $? "hotmemfs stops"
wait "$FS_PID"
tap_ok $? "... exit 0"
FS_PID=
no_sanitizer_report
tap_ok $? "... without sanitizer reports"
wait_gone "$WRITER" 30 && wait "$WRITER"
tap_ok $? "the held write replied, success $(cat "$TMP/w-d2.err")"
wait_gone "$DEL" 30 && wait "$DEL"
tap_ok $? "device_del's hotmemctl got its result $(cat "$TMP/del-d2.err")"
umount -l "$MNT" 2>/dev/null
done_testing
