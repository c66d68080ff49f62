#!/bin/bash
# reread23a R11: the device_del of a virtio-mem device the guest's driver
# has not probed (its device_add answered behind a guest's looping
# offline, tests/fusefs/254, 272) answered {} at once, but DEVICE_DELETED
# came only once the offline was over: the removal was queued as a change
# behind change_lock.  No driver is bound, so the guest's PCI eject has
# nothing to take and waits for no memory offline: the device now goes at
# once (dev.c hmfs_dev_del_unprobed(), under dev_lock), its queued probe
# with it, DEVICE_DELETED follows while the offline still loops, and with
# a state file its removal is journaled ("qemu-device-del") before, so it
# survives kill -9.  hotmemctl device_del (wait) of such a device answers
# at once too.  Each "while the offline still loops" is checked by the
# offline's state, not by a time; an answer not within 30 s (an event not
# within 20 s) fails.  Without the hmfs_dev_del_unprobed() calls (dev.c
# hmfs_dev_del_request(), ctl.c) checks 8-13 and 15 fail.
. "$(dirname "$0")/lib.sh"
require_env
vmem_offline_loops "(a state file)" --fresh
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
qmp_vmem_add vm1 1073741824 0 | grep -qx '{"return":{}}' &&
	qmp_vmem_add vm2 1073741824 0 | grep -qx '{"return":{}}' && looping
tap_ok $? "QMP device_add vm1 and vm2 answer {} behind the offline, their probes queued"

in_background del1 qmp_del vm1
answered_within del1 30 && [ "$(cat "$TMP/del1.out")" = '{"return":{}}' ]
tap_ok $? "QMP device_del vm1 answers {}"
ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm1 /machine/peripheral/vm1" 1 && looping
tap_ok $? "... DEVICE_DELETED vm1 while the offline still loops"
dev_listed vm1
tap_ok $((!$?)) "... vm1 no longer listed"
in_background del2 ctl device_del vm2
answered_within del2 30 && looping
tap_ok $? "hotmemctl device_del vm2 (wait) answers while the offline still loops"
grep -q "vm2: removed" "$TMP/del2.out"
tap_ok $? "... vm2: removed ($(cat "$TMP/del2.out"))"
ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm2 /machine/peripheral/vm2" 1 && ! dev_listed vm2
tap_ok $? "... DEVICE_DELETED vm2, no longer listed"
grep -q '"qemu-device-del":{"id":"vm1"}' "$STATE.journal" &&
	grep -q '"qemu-device-del":{"id":"vm2"}' "$STATE.journal"
tap_ok $? "both removals journaled (qemu-device-del)"

kill "$EV"
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9, restart from the state file"
dev_listed vm1 || dev_listed vm2
tap_ok $((!$?)) "vm1 and vm2 stay removed"
dev_listed vm0
tap_ok $? "vm0 stays"
grep "vm[12]" "$TMP/hotmemfs.log" | sed 's/^/# /'
tap_ok $((!${PIPESTATUS[0]})) "no probe of vm1 or vm2 ran or failed: the log says nothing of them"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
