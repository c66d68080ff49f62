#!/bin/bash
# devmend's leftover (sev 2): a virtio-mem device_del queued behind a
# guest's looping offline (dev.c hmfs_dev_del_request(), 4aa62df8) looked
# its device up by id when it ran.  If a `hotmemctl device_del` (wait)
# removed the device and a device_add of the same id came before the
# queued removal ran, the NEW device was removed.  QEMU's device_del names
# the DeviceState itself, whose pending unplug request is that object's
# (qdev_unplug(), 9.2): the queued removal now takes only a device that
# still carries its request (dev.c del_request_owns()).
# The order is certain, not a race: thread_hold.so (built here,
# tests/reliability/thread_hold.c) parks the timers' thread (named
# hotmemfs-vmem) at its first pthread_mutex_lock() while $TMP/hold exists,
# once the queued removal has taken the id (it says so by creating
# $TMP/hold.held), so the waiting device_del and the device_add run
# first; removing $TMP/hold lets the queued removal go on.
# Without del_request_owns() checks 10, 11 and 14 fail (3 of 14: the new
# vm1 removed, a second DEVICE_DELETED vm1, vm1 gone after kill -9).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
SHIM=$TMP/thread_hold.so
export HOTMEM_TEST_THREAD_HOLD=$TMP/hold
LD_PRELOAD="$(preloads "$SHIM")" mount_fs "hotmemfs mounts with a state file (thread_hold.so)" --fresh
vmem_del_offline_loops

touch "$TMP/hold"
is "$("$HMCTL" -s "$CTL" raw '{"execute":"device_del","arguments":{"id":"vm1"}}')" \
	'{"return":{}}' "QMP device_del vm1 answers {} at once, the removal queued"
file_wait "$TMP/hold.held"
tap_ok $? "... the timers' thread took it and is held (thread_hold.so)"
in_background delw ctl device_del vm1
ctl free-all >/dev/null
wait "$OFF"
answered_within delw 30
tap_ok $? "the pins freed, the offline ends; hotmemctl device_del vm1 (wait) removes vm1"
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=0 >/dev/null
tap_ok $? "a new vm1 is added, the queued removal still held"
rm -f "$TMP/hold"
for _ in $(seq 600); do
	grep -q "vm1: the queued device_del" "$TMP/hotmemfs.log" && break
	[ "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" -ge 2 ] && break
	sleep 0.05
done
dev_listed vm1
tap_ok $? "the queued removal let go: the new vm1 stays"
is "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" 1 "... one DEVICE_DELETED vm1 (the waiting device_del's)"
vmem_del_kill9_restart
dev_listed vm1
tap_ok $? "the new vm1 is still there"
stop_fs
done_testing
