#!/bin/bash
# A pc-dimm device_add answered behind a guest's looping offline
# (tests/fusefs/356) whose queued add then ran and whose record could not
# be saved is undone (machine.c undo() -> dev.c hmfs_dev_unprobe()): the
# DIMM's memory is ejected again, the device QEMU's alone.  That eject
# keeps at a block that will not go offline (its 40 s bound), as a
# device_del's does; a device_del's lets dev_lock go and leaves readers
# the device list's snapshot (abuse26 E2), the undo's held dev_lock
# throughout, and query-memory-devices waited for it (reread29 R2).
# The order is certain, not a race: thread_hold.so holds the timers'
# thread at change_lock behind the offline until the offline is over;
# sync_shim.so then holds the queued add's record's fdatasync(), while
# which d2's new memory (auto-onlined movable) gets 100 pinned pages; the
# fdatasync() then fails, and the undo's eject of d2 keeps at the pinned
# block.  query-memory-devices must answer while it does (30 s: the
# eject's bound is 40 s; the check is that the eject still loops after
# the answer).  Without hmfs_dev_unprobe()'s snapshot (dev_snap_begin())
# checks 14 and 15 fail (checked: not answered until the pins go).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
want_wrapping_shim thread_hold
export HOTMEM_TEST_THREAD_HOLD=$TMP/hold HOTMEM_TEST_THREAD_HOLD_CONTENDED=1
export HOTMEM_TEST_SYNC_HOLD=$TMP/shold HOTMEM_TEST_SYNC_FAIL=$TMP/fail
M=$MNT/sys/devices/system/memory
# one of d2's blocks (memory40-41) keeps going offline
d2_eject_loops() {
	for _ in $(seq 600); do
		grep -q going-offline "$M/memory40/state" "$M/memory41/state" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

LD_PRELOAD="$(preloads "$TMP/sync_shim.so" "$TMP/thread_hold.so")" vmem_offline_loops \
	"(a state file, sync_shim.so, thread_hold.so)" --fresh
echo online_movable >"$M/auto_online_blocks"
tap_ok $? "auto_online_blocks online_movable"
touch "$TMP/hold"
d2_add_while_looping
file_wait "$TMP/hold.held"
tap_ok $? "the timers' thread is held at change_lock behind the offline (thread_hold.so)"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends"
touch "$TMP/shold"
rm -f "$TMP/hold"
file_wait "$TMP/shold.held"
tap_ok $? "d2's queued add ran; its record's fdatasync() is held (sync_shim.so)"
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages past memory32, then 100 pinned ones in d2's memory"
touch "$TMP/fail"
rm -f "$TMP/shold"
d2_eject_loops
tap_ok $? "the fdatasync() fails: the undo's eject of d2 keeps at a pinned block"
in_background q ctl -j query-memory-devices
answered_within q 30 && d2_eject_loops
tap_ok $? "query-memory-devices answers while the undo's eject keeps at it"
grep -q '"d2"' "$TMP/q.out"
tap_ok $? "... d2 in it"
rm -f "$TMP/fail"
ctl free-all >/dev/null
answered_within q 60
for _ in $(seq 600); do
	grep -q "the device_add was undone" "$TMP/hotmemfs.log" && break
	sleep 0.05
done
dev_listed d2
tap_ok $? "the pins freed: the undo is over, d2 still listed (QEMU's)"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
