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
grep -q '^d1: being ejected: .*a device_add waits for the eject' "$TMP/st.out"
tap_ok $? "status says d1 is being ejected and that a device_add waits" "$(cat "$TMP/st.out")"
timeout 20 "$HMCTL" -s "$CTL" --json status >"$TMP/st.json" 2>&1
is "$?" 0 "hotmemctl --json status answers too"
is "$(python3 -c 'import json,sys; print([(d["id"], d.get("ejecting", False)) for d in json.load(sys.stdin)["devices"]])' <"$TMP/st.json")" \
	"[('d1', True)]" "its devices: d1, ejecting"
block_state_wait 33 going-offline
tap_ok $? "d1's eject still runs after them"
ctl free-all >/dev/null
wait_exit $del 60
tap_ok $? "the pins freed: device_del d1 ends"
is "$(ctl --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')" 0 \
	"status after the eject: no device"
stop_fs
done_testing
