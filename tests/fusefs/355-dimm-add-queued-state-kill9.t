#!/bin/bash
# A QMP pc-dimm device_add answered behind a guest's looping offline
# (tests/fusefs/356) is acknowledged: with a state file QEMU's side of the
# DIMM (id, size, node, addr, slot, its ACPI add queued) is journaled
# under journal_lock alone and made durable before the {} (dev.c
# hmfs_dev_add_request(), a "qemu-device" record, as a virtio-mem
# device's: tests/fusefs/272), so a kill -9 right after the answer loses
# nothing: the restart lists d2 where QEMU placed it, in its slot, and
# runs the guest's add then (memory40-41 come).  That add is journaled as
# done (the DIMM in its change's record, no "guest-probe"): a second
# restart restores d2 added, not added again.
# Checks 5-6, 8-9, 11, 13 and 16 fail with dev.c add_may_queue() refusing
# pc-dimm again (the device_add waits for the offline); 10-11 with state.c
# qemu_device_ok() refusing a pc-dimm "qemu-device" record (the restart
# refuses the file) (both checked).
. "$(dirname "$0")/lib.sh"
require_env
# dimm_where ID: DIMM ID's addr and slot as query-memory-devices says them
dimm_where() {
	ctl -j query-memory-devices |
		python3 -c 'import json,sys; print(next("%#x slot %d" % (d["data"]["addr"], d["data"]["slot"]) for d in json.load(sys.stdin) if d["data"].get("id") == sys.argv[1]))' "$1"
}
M=$MNT/sys/devices/system/memory
vmem_offline_loops "(a state file)" --fresh
d2_add_while_looping
where=$(dimm_where d2)
is "$where" "0x140000000 slot 0" "d2 is listed where QEMU placed it, above vm0's region"
grep -q '"qemu-device":{[^}]*"id":"d2"[^}]*"guest-probe":"queued"' "$STATE.journal"
tap_ok $? "its record is in the journal (qemu-device, its add queued)"

kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 right after the answer, restart from the state file"
dev_listed d2
tap_ok $? "d2 is listed after the restart"
is "$(dimm_where d2)" "$where" "... where QEMU placed it, in its slot"
# the restart does not run the add: the timers' thread does, as a change,
# once it has change_lock -- nothing orders it before this read (reread29 R9)
states4041() { cat "$M/memory40/state" "$M/memory41/state" 2>&1 | tr '\n' ' '; }
says_within 20 "offline offline " states4041
is "$(states4041)" "offline offline " "its queued add ran after the restart: memory40-41, offline"
ctl check >/dev/null
tap_ok $? "invariants hold"

# the add journaled as done: a second restart restores d2 added, nothing added again
kill9_fs
mount_fs "kill -9 again, restart"
is "$(states4041)" "offline offline " "d2 restored with its memory40-41"
grep -c "the queued device_add's probe" "$TMP/hotmemfs.log" | grep -qx 0
tap_ok $? "no queued add failed in any start"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
