#!/bin/bash
# device_del of a DIMM, followed with `hotmemctl events`: QEMU's
# ACPI_DEVICE_OST comes after the eject's own uevents.  The guest
# evaluates _OST once acpi_scan_hot_remove() has offlined and removed the
# blocks (or, refused, put them back online: acpi_bus_online()), so the QMP
# event follows the uevents it concludes, and the stream's timestamps
# never go backwards (usereye3 #11).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evp=$!
followers() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])'; }
for _ in $(seq 200); do [ "$(followers)" = 1 ] && break; sleep 0.05; done
is "$(followers)" 1 "hotmemctl events follows"

# ost_wait N: until the stream holds N ACPI_DEVICE_OST events (bounded)
ost_wait() {
	for _ in $(seq 400); do
		[ "$(grep -c '"ACPI_DEVICE_OST"' "$TMP/ev.json")" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
# order DEVICE: the events from the device's first uevent on, one line
# each ("UEVENT action devpath" or "OST device status"), then "backwards"
# for each event whose timestamp is before the one before it
order() {
	python3 - "$TMP/ev.json" "$1" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
prev = None
for e in evs:
    t = (e["timestamp"]["seconds"], e["timestamp"]["microseconds"])
    d = e.get("data", {})
    if e["event"] == "UEVENT" and d.get("subsystem") == "memory":
        print("UEVENT", d["action"], d["devpath"].rsplit("/", 1)[1])
    elif e["event"] == "ACPI_DEVICE_OST" and d["info"]["device"] == sys.argv[2]:
        print("OST", d["info"]["device"], d["info"]["status"])
    if prev is not None and t < prev:
        print("backwards", e["event"])
    prev = t
PY
}

# a DIMM unplugged: offline, remove, then the _OST of success (0)
ctl device_add pc-dimm id=d6 size=256M addr=0x100000000 >/dev/null
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl device_del d6 >/dev/null
tap_ok $? "device_del d6"
ost_wait 1
tap_ok $? "... its ACPI_DEVICE_OST arrives"
is "$(order d6 | grep -v ' add \| online ')" "UEVENT offline memory32
UEVENT offline memory33
UEVENT remove memory32
UEVENT remove memory33
OST d6 0" "... after the eject's offline and remove uevents, timestamps in order"

# a refused eject: the blocks back online, then the _OST of the failure
ctl device_add pc-dimm id=d7 size=256M addr=0x100000000 >/dev/null
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
ctl device_del d7 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d7 refused (MEM_GOING_OFFLINE: EBUSY)"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
ost_wait 2
tap_ok $? "... its ACPI_DEVICE_OST arrives"
is "$(order d7 | grep -v backwards | tail -n 1)" "OST d7 $((0x82))" \
	"... last, after the rollback's uevents (_OST status 0x82)"
is "$(order d7 | grep backwards)" "" "... no timestamp in the stream goes backwards"
stop_fs
wait_exit $evp 30 >/dev/null
done_testing
