#!/bin/bash
# A QMP virtio-mem device_add behind a guest's looping offline answered at
# once only without a state file (tests/fusefs/254): with one it waited for
# the offline, its record journaled under change_lock, which the offline
# holds.  Now QEMU's side of the device (id, size, requested-size,
# block-size, node, memaddr, the probe queued) is journaled under
# journal_lock alone and made durable before the {} (dev.c
# hmfs_dev_add_request(), state.c hmfs_state_append_qemu(): a
# "qemu-device" record), so an acknowledged device_add survives kill -9:
# the restart lists it where it was and queues its probe again (the probe
# had not run), which plugs its requested-size.  That probe is journaled
# as done (the device in its change's record, without "guest-probe"): a
# second restart restores vm1 probed, as any device.
# Without the journaled record (dev.c qemu_journal() skipped) checks 9,
# 11-13, 16 and 18 fail; with the state file still sending device_add the
# change's way (add_may_queue() refusing it) checks 5, 6, 8, 9, 11, 13, 16
# and 18 fail.
. "$(dirname "$0")/lib.sh"
require_env
# memaddr ID: virtio-mem device ID's memaddr as query-memory-devices says it
memaddr() {
	ctl -j query-memory-devices |
		python3 -c 'import json,sys; print(next(d["data"]["memaddr"] for d in json.load(sys.stdin) if d["data"].get("id") == sys.argv[1]))' "$1"
}
vmem_offline_loops "(a state file)" --fresh
vm1_add_while_looping
is "$(vmem_plugged vm1)" 0 "vm1 is listed, nothing plugged: the guest has not probed it"
addr=$(memaddr vm1)
grep -q '"qemu-device":{[^}]*"id":"vm1"' "$STATE.journal"
tap_ok $? "its record is in the journal (qemu-device)"

kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 right after the answer, restart from the state file"
dev_listed vm1
tap_ok $? "vm1 is listed after the restart"
is "$(memaddr vm1)" "$addr" "... where QEMU placed it"
vmem_plugged_wait vm1 134217728
tap_ok $? "its queued probe ran after the restart: vm1's 128M plugged ($(vmem_plugged vm1))"
is "$(vmem_plugged vm0)" 268435456 "vm0 restored as it was: 256M plugged"
ctl check >/dev/null
tap_ok $? "invariants hold"
# vm1 as the state file, then its journal's last record of it, has it:
# probed (no "guest-probe")
python3 - "$STATE" "$STATE.journal" >"$TMP/last.txt" <<'PY'
import json, sys
last = "none"
for d in json.load(open(sys.argv[1]))["machine"]["devices"]:
    if d.get("id") == "vm1":
        last = d.get("guest-probe", "probed")
for line in open(sys.argv[2], "rb").read().split(b"\0")[0].decode().splitlines():
    rec = json.loads(line[9:])
    for kind in ("set", "device"):
        for d in (rec.get(kind) or {}).get("devices") or []:
            if d.get("id") == "vm1":
                last = d.get("guest-probe", "probed")
    if (rec.get("qemu-device") or {}).get("id") == "vm1":
        last = rec["qemu-device"]["guest-probe"]
print(last)
PY
is "$(cat "$TMP/last.txt")" probed "the probe is journaled as done (the state file's and journal's last word on vm1)"

# the probe journaled as done: a second restart restores vm1 probed, nothing probed again
kill9_fs
mount_fs "kill -9 again, restart"
is "$(vmem_plugged vm1)" 134217728 "vm1 restored probed, 128M plugged"
grep -c "the queued device_add's probe" "$TMP/hotmemfs.log" | grep -qx 0
tap_ok $? "no probe failed in any start"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
