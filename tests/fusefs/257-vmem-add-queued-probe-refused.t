#!/bin/bash
# A virtio-mem device_add answered behind a guest's looping offline is
# placed from QEMU's own view (its device list within the device memory
# region, 9.x memory_device_get_free_addr()), which does not see memory
# the guest added by itself: here a block probed (the sysfs probe
# interface) at 0x140000000, right above vm0, where QEMU puts vm1.  Once
# the offline is over the guest's queued probe meets that memory and
# fails (6.12 virtio_mem_create_resource(): EBUSY), as a real guest's
# would: vm1 stays QEMU's, listed, unprobed ("guest-probe": "refused"),
# the log says why (as the guest's dmesg), and its device_del removes it.
# Without the queue (ctl.c's hmfs_dev_add_request() call) checks 6, 7, 9
# and 11 fail: the device_add waits, then (since reread23a R10, placed in
# QEMU's view there too: tests/fusefs/275) the probe is refused and the
# device_add with it.
. "$(dirname "$0")/lib.sh"
require_env
add() {
	"$HMCTL" -s "$CTL" raw '{"execute":"device_add","arguments":{"driver":"virtio-mem-pci","id":"vm1","size":1073741824}}'
}

vmem0_below_probed
memory33_offline_loops
in_background add1 add
answered_within add1 30 && [ "$(cat "$TMP/add1.out")" = '{"return":{}}' ] && looping
tap_ok $? "QMP device_add vm1 answers {} while the offline still loops"
ctl -j query-memory-devices | grep -A3 '"vm1"' | grep -q '"memaddr":5368709120'
tap_ok $? "... placed where QEMU sees room: 0x140000000"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
for _ in $(seq 400); do grep -q "vm1: the queued device_add's probe" "$TMP/hotmemfs.log" && break; sleep 0.05; done
grep "vm1: the queued device_add's probe: .*Device or resource busy" "$TMP/hotmemfs.log" | sed 's/^/# /'
tap_ok ${PIPESTATUS[0]} "the guest's probe meets memory40: refused, and the log says why"
dev_listed vm1
tap_ok $? "vm1 stays listed: QEMU's device"
ctl -j status | grep -q '"guest-probe":"refused"'
tap_ok $? "... status says its probe was refused"
ctl status | grep -qx "vm1: the guest's driver refused the device (hotmemfs's log says why)"
tap_ok $? "... and its text too (abuse24 A7: only --json said it)"
ctl device_del vm1 >/dev/null && ! dev_listed vm1
tap_ok $? "its device_del removes it"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
