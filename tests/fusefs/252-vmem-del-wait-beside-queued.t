#!/bin/bash
# reread22 R6 (sev 2): a virtio-mem device_del queued behind a guest's
# looping offline (QMP, answered {}) and hotmem's own `hotmemctl
# device_del` (wait) of the same device both waited for change_lock; when
# the offline ended and the timers' thread's queued removal ran first, the
# waiting command found no device and answered "Device 'vm1' not found"
# (exit 1) for a device it had asked to remove and that was gone.  The
# waiting command now takes the queued removal over (dev.c
# hmfs_dev_del_take_over()): it answers "removed", DEVICE_DELETED comes
# once.  Which one took change_lock first was the mutex's choice; the
# timers' thread, waiting since the QMP device_del, usually: without the
# take-over checks 8-9 failed in 5 runs of 5.  The queued removal, taken
# over, logs nothing (dev.c del_request_owns(): -EALREADY); it logged that
# vm1 was gone, before the waiting command removed it: check 13 fails
# with d18d5fd5's take-over.
. "$(dirname "$0")/lib.sh"
require_env
vmem_del_wait_beside_queued
vmem_del_waiter_removes
stop_fs
done_testing
