#!/bin/bash
# A virtio-mem device_add answered behind a guest's looping offline
# (tests/fusefs/254: QEMU's device listed, the guest's probe queued),
# then a QMP device_del of it before the guest probed it: QEMU's check
# passes (nothing plugged, requested-size 0) and answers {} at once; the
# device goes, DEVICE_DELETED once (at once since reread23a R11: no
# driver bound, dev.c hmfs_dev_del_unprobed(); tests/fusefs/274), and its
# queued probe goes with it (hmfs_dev_probe_queued(): the device object's
# incarnation), the log silent.  A device_add of the same id after is a new device, probed
# at once.  Without the queued add (ctl.c's hmfs_dev_add_request() call)
# checks 6-8, 10-12 and 14 fail; with the add queued but device_del's own
# queue asking for a probed device (dev.c hmfs_dev_del_request()'s d->vm,
# as before) check 8 fails (the device_del waits for the offline).
# Check 13 cannot fail on demand: the removal takes the device before the
# timers' thread can probe it.
. "$(dirname "$0")/lib.sh"
require_env
add() {
	"$HMCTL" -s "$CTL" raw '{"execute":"device_add","arguments":{"driver":"virtio-mem-pci","id":"vm1","size":1073741824}}'
}

start_fs --fresh --state none
tap_ok $? "hotmemfs mounts (no state file)"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
memory33_offline_loops
in_background add1 add
answered_within add1 30 && [ "$(cat "$TMP/add1.out")" = '{"return":{}}' ] && looping
tap_ok $? "QMP device_add vm1 answers {} while the offline still loops"
dev_listed vm1
tap_ok $? "vm1 is listed, not probed yet"
in_background del1 qmp_del vm1
answered_within del1 30 && [ "$(cat "$TMP/del1.out")" = '{"return":{}}' ] && looping
tap_ok $? "QMP device_del vm1 answers {} while the offline still loops"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm1 /machine/peripheral/vm1" 1
tap_ok $? "the queued removal runs: DEVICE_DELETED vm1"
sleep 0.2 # a second event or a probe's line would come now (more sleep only helps)
is "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" 1 "... once"
dev_listed vm1
tap_ok $((!$?)) "vm1 is no longer listed"
grep "vm1" "$TMP/hotmemfs.log" | sed 's/^/# /'
tap_ok $((!${PIPESTATUS[0]})) "its queued probe went with it: the log says nothing of vm1"
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=128M >/dev/null &&
	ctl -j query-memory-devices | grep -q '"size":134217728'
tap_ok $? "a new vm1 after: probed at once, its 128M plugged"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
