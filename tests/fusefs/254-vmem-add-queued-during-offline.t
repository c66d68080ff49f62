#!/bin/bash
# A QMP device_add of a virtio-mem-pci device waited behind a guest
# user's `echo offline > memoryN/state` looping on pinned pages (6.12's
# offline_pages() until a signal): its placement asked the engine's free
# ranges and the guest's probe needs device_hotplug_lock, which the
# offline holds.  QEMU's device_add does not wait for the guest: it
# realizes the device, places it from its own device list
# (memory_device_get_free_addr(), 9.x), raises the PCI hotplug event and
# returns {}; the guest's driver probes later.  hotmemfs now answers {} at
# once there (dev.c hmfs_dev_add_request()), lists the device
# (query-memory-devices, plugged-size 0: not probed yet) and queues the
# guest's probe for the timers' thread, which runs once the offline is
# over and plugs the requested-size.  No state file (with one the
# device_add still waits: its record is journaled under change_lock).
# The answer is checked to come while the offline still loops, not by a
# time; one not answered within 30 s fails.  Without the queue (ctl.c's
# hmfs_dev_add_request() call) checks 5, 6, 8-11 fail; check 11 (what
# hotmemctl says of a device not probed yet) fails without the
# "guest-probe" status key (json.c).
. "$(dirname "$0")/lib.sh"
require_env
add() {
	"$HMCTL" -s "$CTL" raw '{"execute":"device_add","arguments":{"driver":"virtio-mem-pci","id":"vm1","size":1073741824,"requested-size":134217728}}'
}
# plugged ID: vm ID's plugged-size as query-memory-devices says it
plugged() {
	ctl -j query-memory-devices |
		python3 -c 'import json,sys; print(next((d["data"]["size"] for d in json.load(sys.stdin) if d["data"].get("id") == sys.argv[1]), "not listed"))' "$1"
}

vmem_offline_loops "(no state file)"
in_background add1 add
answered_within add1 30
tap_ok $? "QMP device_add virtio-mem-pci vm1 answers"
is "$(cat "$TMP/add1.out")" '{"return":{}}' "... {}"
looping
tap_ok $? "... while the offline still loops"
dev_listed vm1
tap_ok $? "vm1 is listed at once (QEMU's device)"
is "$(plugged vm1)" 0 "... nothing plugged yet: the guest has not probed it"
in_background add2 ctl device_add virtio-mem-pci id=vm2 size=1G requested-size=128M
answered_within add2 30 && looping
tap_ok $? "hotmemctl device_add vm2 answers at once too"
grep -q "vm2: requested 128M, plugged 0: the guest's driver has not probed it yet" "$TMP/add2.out"
tap_ok $? "... and says the guest has not probed it yet ($(tail -1 "$TMP/add2.out"))"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
for _ in $(seq 400); do [ "$(plugged vm1)" = 134217728 ] && break; sleep 0.05; done
is "$(plugged vm1)" 134217728 "the queued probe ran after the offline: vm1's 128M plugged"
for _ in $(seq 400); do [ "$(plugged vm2)" = 134217728 ] && break; sleep 0.05; done
is "$(plugged vm2)" 134217728 "... and vm2's"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
