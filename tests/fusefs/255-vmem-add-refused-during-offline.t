#!/bin/bash
# A QMP device_add of a virtio-mem-pci device whose placement QEMU
# refuses answers QEMU's error at once behind a guest's offline that
# loops (6.12's offline_pages() until a signal), as QEMU's
# memory_device_pre_plug() refuses it from its own device list (9.x),
# whatever its guest does: a memaddr inside vm0's region, and a size
# beyond the space for memory devices.  It waited for the offline to end
# (placement asked the engine, under its device_hotplug_lock).  Nothing
# is listed, and the refused id is free again for a device_add after.
# Without the queue (ctl.c's hmfs_dev_add_request() call) checks 5-8 fail.
. "$(dirname "$0")/lib.sh"
require_env
qmp_add() { # qmp_add ID SIZE [MEMADDR]
	"$HMCTL" -s "$CTL" raw "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-mem-pci\",\"id\":\"$1\",\"size\":$2${3:+,\"memaddr\":$3}}}"
}
vm0_addr() {
	ctl -j query-memory-devices |
		python3 -c 'import json,sys; print([d["data"]["memaddr"] for d in json.load(sys.stdin) if d["data"].get("id") == "vm0"][0])'
}

vmem_offline_loops "(no state file)"
in_background add1 qmp_add vm1 1073741824 "$(vm0_addr)"
answered_within add1 30 1 && looping
tap_ok $? "QMP device_add vm1 at vm0's memaddr is refused while the offline still loops"
grep -q "address range conflicts with memory device id='vm0'" "$TMP/add1.out"
tap_ok $? "... in QEMU's words ($(cat "$TMP/add1.out"))"
in_background add2 qmp_add vm2 $((1 << 50))
answered_within add2 30 1 && looping
tap_ok $? "QMP device_add vm2 of 1 PiB is refused while the offline still loops"
grep -q "not enough space" "$TMP/add2.out"
tap_ok $? "... in QEMU's words ($(cat "$TMP/add2.out"))"
dev_listed vm1 || dev_listed vm2
tap_ok $((!$?)) "neither is listed"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ctl device_add virtio-mem-pci id=vm1 size=1G >/dev/null && dev_listed vm1
tap_ok $? "a device_add of vm1 after: added (the refused one left nothing)"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
