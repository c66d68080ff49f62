#!/bin/bash
# A QMP device_del of a virtio-mem device queued behind a guest's looping
# offline, taken over by a `hotmemctl device_del` (wait) of it (d18d5fd5,
# tests/fusefs/252), and then a third device_del (QMP) during the same
# offline: the take-over had cleared the queued request, so the third
# queued it again; the timers' thread, at change_lock since the first,
# then found its request there once more, removed the device first, and
# the waiting command answered "Device 'vm1' not found" (exit 1) for a
# device it had asked to remove and that was gone (reread22 R6 again).
# The device object's request now has one owner at a time (dev.c
# del_request_owns(): the waiting command holds it, a QMP device_del
# meanwhile answers {} and queues nothing, the queued removal finds it
# taken over and logs nothing).  Which of the two took change_lock first
# was the mutex's; the timers' thread, waiting since the first QMP
# device_del, usually: without the one owner checks 10 and 11 fail.  That
# the third queues nothing is certain, not the mutex's (reread23a R1):
# `status --json` says whose vm1's request is; with hmfs_dev_del_request()
# taking only a queued request for pending (before fb51622b), check 9 fails
# ("queued 1"), so do 10-11.  The waiting command has taken the request
# over before the third comes: lib.sh waits for status to say so (check 7).
. "$(dirname "$0")/lib.sh"
require_env
vmem_del_wait_beside_queued
in_background del3 qmp_del vm1
answered_within del3 30 && [ "$(cat "$TMP/del3.out")" = '{"return":{}}' ] && looping
tap_ok $? "a third device_del vm1 (QMP) answers {} at once, the offline still looping"
is "$(dev_del_pending vm1)" "waited 1" "... and queues nothing: vm1's request is still the waiting command's"
vmem_del_waiter_removes
stop_fs
done_testing
