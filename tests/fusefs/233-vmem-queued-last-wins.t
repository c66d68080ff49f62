#!/bin/bash
# reread18-fusefs2 F2, F8: a qom-set requested-size behind a guest's
# looping offline is queued (no state file: 230); the queued change copied
# the device's value when the timers' thread took it, before it had
# change_lock, and the value itself was written into the device outside
# change_lock.  Two qom-sets queued behind the same offline, 1G then back
# to 256M: QEMU's guest driver reads the config at its run (6.12
# virtio_mem_run_wq() -> virtio_mem_refresh_config()), which has the last
# one, so it never works toward the first; hotmemfs's queued change ran
# the first (plugged 1G, its dmesg "requested size: 0x40000000") and the
# device stayed there, the answered 256M lost.  Now the queued value is kept apart
# and the queued change takes, under change_lock, the one queued last.
# The driver reads the first at once, as 6.12's work does before it
# blocks behind the offline (its "requested size: 0x40000000" line,
# abuse30b V1: tests/fusefs/404), but never works toward it.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

vmem_offline_loops "(no state file: a qom-set behind the guest is queued)"
qs() { timeout 20 "$HMCTL" -s "$CTL" raw "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"vm0\",\"property\":\"requested-size\",\"value\":$1}}" 2>&1; }
size_of() { python3 -c 'import json,sys; d=json.load(sys.stdin)[0]["data"]; print(d["requested-size"], d["size"])'; }
queued() { ctl -j status | python3 -c 'import json,sys; print([d.get("requested-size-queued", False) for d in json.load(sys.stdin)["devices"] if d["id"] == "vm0"][0])'; }

is "$(qs 1073741824)" '{"return":{}}' "qom-set requested-size 1G answers {} (queued)"
is "$(ctl -j query-memory-devices | size_of)" "1073741824 268435456" \
	"query-memory-devices: requested-size 1G (the host's), size 256M"
is "$(queued)" "True" "status: vm0's requested-size-queued (the guest's driver has not seen it)"
is "$(qs 268435456)" '{"return":{}}' "qom-set back to 256M answers {} (queued again)"
is "$(ctl -j query-memory-devices | size_of)" "268435456 268435456" \
	"query-memory-devices: requested-size 256M, the last qom-set's"
looping
tap_ok $? "... while the offline still loops"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the offline of memory33 ends"
for _ in $(seq 400); do [ "$(queued)" = False ] && break; sleep 0.05; done
is "$(queued)" "False" "the queued change ran: nothing queued any more"
# a change after it, under change_lock: whatever the queued one did is done
echo online_movable >"$M/memory33/state"
tap_ok $? "memory33 online again"
is "$(ctl -j query-memory-devices | size_of)" "268435456 268435456" \
	"vm0: requested-size and size 256M, the last qom-set's"
n=$(ctl dmesg | grep -c 'virtio_mem virtio0: requested size: 0x40000000')
is "$n" 1 "the guest's driver read the first qom-set's 1G at once, as 6.12's (dmesg, once)"
n=$(ctl dmesg | grep -c 'virtio_mem virtio0: plugged size: 0x40000000')
is "$n" 0 "... but never worked toward it: never 1G plugged (dmesg)"
is "$(ls -d "$M"/memory3[4-9] 2>/dev/null | wc -l)" 0 "no block of vm0 past 256M was ever needed: none there"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
