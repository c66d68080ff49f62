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
# over and plugs the requested-size.  No state file (with one:
# tests/fusefs/272).
# The answer is checked to come while the offline still loops, not by a
# time; one not answered within 30 s fails.  Without the queue (ctl.c's
# hmfs_dev_add_request() call) checks 5, 6, 8-11 fail; check 11 (what
# hotmemctl says of a device not probed yet) fails without the
# "guest-probe" status key (json.c); check 12 (its first line: no DIMM
# slot, reread29 R1) fails without print_dev_return()'s pc-dimm test.
. "$(dirname "$0")/lib.sh"
require_env

vmem_offline_loops "(no state file)"
vm1_add_while_looping
dev_listed vm1
tap_ok $? "vm1 is listed at once (QEMU's device)"
is "$(vmem_plugged vm1)" 0 "... nothing plugged yet: the guest has not probed it"
in_background add2 ctl device_add virtio-mem-pci id=vm2 size=1G requested-size=128M
answered_within add2 30 && looping
tap_ok $? "hotmemctl device_add vm2 answers at once too"
grep -q "vm2: requested 128M, plugged 0: the guest's driver has not probed it yet" "$TMP/add2.out"
tap_ok $? "... and says the guest has not probed it yet ($(tail -1 "$TMP/add2.out"))"
grep -q "^vm2: 1G at 0x[0-9a-f]*, no memory blocks yet$" "$TMP/add2.out"
tap_ok $? "... its first line gives no slot and no ACPI words: a virtio-mem device ($(head -1 "$TMP/add2.out"))"
ctl status | grep -q "^vm1: the guest's driver has not probed it yet"
tap_ok $? "status's text says so of vm1 too (abuse24 A7: only --json did)"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
vmem_plugged_wait vm1 134217728
is "$(vmem_plugged vm1)" 134217728 "the queued probe ran after the offline: vm1's 128M plugged"
vmem_plugged_wait vm2 134217728
is "$(vmem_plugged vm2)" 134217728 "... and vm2's"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
