#!/bin/bash
# reread21 H10 (4aa62df8's second half, sev 3): a virtio-mem device_del
# queued behind a guest's looping offline makes QEMU's check again at its
# change (dev.c vmem_del()), and reads the host's requested-size
# (hmfs_dev_host_requested()), as QEMU 9.2's
# virtio_mem_unplug_request_check() reads vmem->requested_size, which a
# qom-set sets at once.  It read the driver's copy, which a qom-set queued
# behind the same offline has not reached: the removal went on with 128M
# requested.  The figures differ only while the qom-set waits beside the
# removal, and the order is certain, not the mutex's: thread_hold.so
# (tests/reliability/thread_hold.c, HOTMEM_TEST_THREAD_HOLD_CONTENDED)
# holds the timers' thread at the first lock it would wait for --
# change_lock, past the removal's early check (dev_lock, which the thread
# itself let go before its change: passed even if a reader holds it) --
# until $TMP/hold is gone, so the qom-set is queued after that check and
# before the removal's change.  No state file: with one a qom-set waits
# for change_lock instead of being queued (machine.c resize_or_queue()).
# With vmem_del() reading vi.requested_size again checks 12-14 fail (3 of
# 15: vm1 removed, DEVICE_DELETED vm1, the queued resize finds no device).
# Check 12 wants vmem_del()'s own words ("at its change: "): were the hold
# at the early check's dev_lock instead (a reader holding it then, before
# the shim passed the thread's own), the early check would refuse with
# the host's figure before vmem_del() ran, and 12-14 passed without H10
# (reread23a R4); such a run now fails 12.  Check 8 says where the hold
# landed (the held thread's stack, $TMP/hold.where): in the queued
# removal's change (vmem_del_queued()) at change_lock (lock_change_wait()).  A
# retry timer's run (vmem_timer_run(), whose change takes change_lock too)
# held there instead -- a timer armed and expired meanwhile -- or the
# early check's dev_lock fail it, where the rest could pass without what
# they mean happening in their order.
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils
export HOTMEM_TEST_THREAD_HOLD=$TMP/hold HOTMEM_TEST_THREAD_HOLD_CONTENDED=1
M128=134217728
logged() { grep -c "vm1: the queued device_del" "$TMP/hotmemfs.log"; }

LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" mount_fs "hotmemfs mounts, no state file (thread_hold.so)" \
	--fresh --state none
vmem_del_offline_loops
touch "$TMP/hold"
is "$(qmp_del vm1)" '{"return":{}}' "QMP device_del vm1 answers {} at once (nothing plugged, nothing requested), the removal queued"
file_wait "$TMP/hold.held"
tap_ok $? "... the timers' thread took it past its early check and is held at change_lock (thread_hold.so)"
held_in vmem_del_queued lock_change_wait
tap_ok $? "... held in the queued removal's change at change_lock (vmem_del_queued(), lock_change_wait()), not in a retry timer's run nor at the early check"
ctl set-size vm1 128M >/dev/null
tap_ok $? "qom-set vm1 requested-size 128M answers at once, queued behind the offline too"
is "$(ctl qom-get vm1 requested-size)" $M128 "... the host's requested-size is 128M"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends"
rm -f "$TMP/hold"
for _ in $(seq 600); do
	[ "$(logged)" -gt 0 ] || grep -q "DEVICE_DELETED vm1 " "$TMP/ev.txt" && break
	sleep 0.05
done
grep -q "vm1: the queued device_del: at its change: virtio-mem device cannot get unplugged while 'requested-size' != '0'" \
	"$TMP/hotmemfs.log"
tap_ok $? "the queued removal is refused at its change (vmem_del(), not the early check): the host's requested-size is 128M"
dev_listed vm1 && ! grep -q "DEVICE_DELETED vm1 " "$TMP/ev.txt"
tap_ok $? "... vm1 stays, no DEVICE_DELETED vm1"
for _ in $(seq 600); do
	[ "$(ctl qom-get vm1 size 2>&1)" = $M128 ] && break
	sleep 0.05
done
is "$(ctl qom-get vm1 size 2>&1)" $M128 "the queued qom-set then runs: vm1's driver plugs 128M"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
