#!/bin/bash
# A qom-set made at once (change_lock free: machine.c resize_or_queue())
# drops a qom-set queued before it for the guest's driver (dev.c
# vmem_set(): VMEM_SET, reread18-fusefs2 F2), as QEMU's last
# virtio_mem_set_requested_size() is the one the driver reads.  When its
# own record's fdatasync() fails (sync_shim.so), its undo must put back
# the machine before it, the queued value included: it dropped it
# (state26's note; before the fix the undo rebuilt the device without
# its queue and the host's 512M, answered {}, was gone: checks 10, 11 --
# the queue's take finds nothing -- and 14 fail, checked).  Which comes first
# is certain, not the mutex's: thread_hold.so holds the timers' thread,
# which takes a queue (dev.c vmem_resize_queued()), at change_lock behind
# the guest's looping offline until $TMP/hold is gone, so the queue waits
# while the made qom-set runs, is refused and undone.
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
want_wrapping_shim thread_hold
need_tool addr2line binutils
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail HOTMEM_TEST_THREAD_HOLD=$TMP/hold \
	HOTMEM_TEST_THREAD_HOLD_CONTENDED=1
M256=268435456 M384=402653184 M512=536870912

LD_PRELOAD="$(preloads "$TMP/sync_shim.so" "$TMP/thread_hold.so")" \
	vmem_offline_loops "(a state file, sync_shim.so, thread_hold.so)" --fresh
touch "$TMP/hold"
in_background qs qmp_qom_set vm0 $M512
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && looping
tap_ok $? "qom-set vm0 requested-size 512M answers {} while the offline loops: queued"
file_wait "$TMP/hold.held" && held_in vmem_resize_queued lock_change_wait
tap_ok $? "... the timers' thread, taking it, is held at change_lock (thread_hold.so)"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends (its record durable)"
: >"$TMP/fail"
out=$(qmp_qom_set vm0 $M384)
grep -q '"error"' <<<"$out"
tap_ok $? "qom-set vm0 requested-size 384M, made at once, is refused: its fdatasync() fails: $out"
is "$(vmem_plugged vm0)" $M256 "vm0 back to its 256M plugged"
is "$(vmem_requested vm0)" $M512 "the host's requested-size is the queued 512M again, as before the refused qom-set"
rm -f "$TMP/fail" "$TMP/hold"
vmem_plugged_wait vm0 $M512
tap_ok $? "the timers' thread, let go, takes the queued 512M: $(vmem_plugged vm0) plugged"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "$M512 $M512" "vm0 as acknowledged: 512M requested and plugged"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
