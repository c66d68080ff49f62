#!/bin/bash
# `hotmemctl status` answers at once while a DIMM's eject runs, as the
# kernel's sysfs and QEMU's monitor answer while the guest ejects: the
# eject holds the device lock for as long as its offline takes (up to the
# 40 s bound on a stuck block), and status's device list waited for it
# (usereye8 #3).  The eject is held by pinned pages until the test frees
# them: a status that waited for it would outlast its 20 s bound and fail.
# The DIMM being ejected is listed, marked so (QEMU lists it until _EJ0).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null
tap_ok $? "DIMM d1 (memory32-33)"
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-33, 100 pinned ones after them (memory33 stuck)"
ctl device_del d1 >"$TMP/del.out" 2>&1 &
del=$!
block_state_wait 33 going-offline
tap_ok $? "d1's eject keeps at memory33 (going-offline)"
timeout 20 "$HMCTL" -s "$CTL" status >"$TMP/st.out" 2>&1
is "$?" 0 "hotmemctl status answers while d1's eject runs"
grep -q '^d1: being ejected: .*a pc-dimm device_add meanwhile is answered at once' "$TMP/st.out"
tap_ok $? "status says d1 is being ejected and that a device_add is answered" "$(cat "$TMP/st.out")"
timeout 20 "$HMCTL" -s "$CTL" --json status >"$TMP/st.json" 2>&1
is "$?" 0 "hotmemctl --json status answers too"
is "$(python3 -c 'import json,sys; print([(d["id"], d.get("ejecting", False)) for d in json.load(sys.stdin)["devices"]])' <"$TMP/st.json")" \
	"[('d1', True)]" "its devices: d1, ejecting"
# QEMU's device_add does not wait for the guest's eject: the DIMM realized,
# its ACPI add queued behind the eject on the guest's ordered hotplug queue
# (dev.c hmfs_dev_add_request(); waited for the eject until 2026-12-02:
# checks 9 and 12 fail with add_may_queue() refusing pc-dimm, checked)
in_background add qmp_dimm_add d2 268435456
answered_within add 30
is "$(cat "$TMP/add.out")" '{"return":{}}' "QMP device_add pc-dimm d2 answers {} during the eject"
block_state_wait 33 going-offline
tap_ok $? "d1's eject still runs after them"
ctl free-all >/dev/null
wait_exit $del 60
tap_ok $? "the pins freed: device_del d1 ends"
says_within 20 offline cat "$MNT/sys/devices/system/memory/memory34/state"
tap_ok $? "d2's add ran after the eject: memory34-35 (right above d1, where QEMU put it)"
ctl device_del d2 >/dev/null
tap_ok $? "device_del d2"
is "$(ctl --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')" 0 \
	"status after the eject: no device"
stop_fs
done_testing
