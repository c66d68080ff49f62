#!/bin/bash
# A queue an undo put back waits the driver's retry (dev.c
# hmfs_dev_queue_back(), state-qom-set-taken-sync-fails.t).  A qom-set
# queued over it behind a looping offline (vmem_queue(): "the driver
# runs at once") whose "qemu-requested" record's fdatasync() fails
# (sync_shim.so) is rolled back (qemu_resize_undo()): the queue as before
# it, its retry too -- not taken at once (reread26 R5).  thread_hold.so
# holds the timers' thread at change_lock, so the queue stays as the
# rollback left it; hotmemctl vmem-retry says whether a retry was pending
# ("fired").  Without the fix check 13 fails (checked): no retry pending.
# The timers' thread is off the clock (thread_clock.so,
# HOTMEM_TEST_OFF_CLOCK=hotmemfs-vmem): the put-back queue's 50 s retry
# never comes by the clock, only by vmem-retry, so the steps from the
# put-back to the second offline looping may take as long as the machine
# needs (reread26 R7's family: they had to fit in the 50 s, else the
# put-back queue was taken first).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
want_wrapping_shim thread_hold
want_off_clock
need_tool addr2line binutils
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail HOTMEM_TEST_THREAD_HOLD=$TMP/hold \
	HOTMEM_TEST_THREAD_HOLD_CONTENDED=1
M256=268435456 M512=536870912 M768=805306368
m=$MNT/sys/devices/system/memory

LD_PRELOAD="$TMP/sync_shim.so $TMP/thread_hold.so" off_clock hotmemfs-vmem \
	vmem_offline_loops "(a state file, sync_shim.so, thread_hold.so, thread_clock.so)" --fresh
qom_set_take_fails
grep -q "queued again for the guest.s driver (an undo rebuilt the device): taken in 50 s" "$TMP/hotmemfs.log"
tap_ok $? "... the 512M queued again at the driver's retry"
rm -f "$TMP/fail"
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-33 again, 100 pinned ones after them"
touch "$TMP/hold"
(echo offline >"$m/memory33/state") 2>"$TMP/off.err" &
OFF=$!
looping
tap_ok $? "a second offline of memory33 loops"
: >"$TMP/fail"
in_background qs2 qmp_qom_set vm0 $M768
file_wait "$TMP/hold.held" && held_in vmem_resize_queued lock_change_wait
tap_ok $? "qom-set 768M queued: the timers' thread, taking it, is held at change_lock"
ctl free-all >/dev/null
wait "$OFF"
answered_within qs2 30
grep -q '"error"' "$TMP/qs2.out"
tap_ok $? "the qom-set is refused once its record's fdatasync() failed: $(cat "$TMP/qs2.out")"
rm -f "$TMP/fail"
is "$(vmem_requested vm0)" $M512 "the host's requested-size the queued 512M again"
is "$(ctl vmem-retry vm0)" "the retry timer fired" "the queue's retry pending again, as before the qom-set: vmem-retry fires it"
rm -f "$TMP/hold"
vmem_plugged_wait vm0 $M512
tap_ok $? "the timers' thread, let go, takes the 512M: $(vmem_plugged vm0) plugged"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
