#!/bin/bash
# device_del of a DIMM, followed with `hotmemctl events`: QEMU's
# ACPI_DEVICE_OST comes after the eject's own uevents.  The guest
# evaluates _OST once acpi_scan_hot_remove() has offlined and removed the
# blocks (or, refused, put them back online: acpi_bus_online()), so the QMP
# event follows the uevents it concludes, and the stream's timestamps
# never go backwards (usereye3 #11).  Then QEMU's DEVICE_DELETED
# {"device": ID, "path": "/machine/peripheral/ID"} (hw/core/qdev.c
# device_finalize(), 7.2), which libvirt waits for after device_del: a
# DIMM's after its OST, a virtio-mem-pci's after its device_del, never
# for a refused eject (usereye3 #39).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evp=$!
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>"$TMP/evt.err" &
evt=$!
followers() { ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])'; }
for _ in $(seq 200); do [ "$(followers)" = 2 ] && break; sleep 0.05; done
is "$(followers)" 2 "hotmemctl events follows (JSON and table)"

# ev_wait FILE STRING N: until FILE has N lines holding STRING (bounded)
ev_wait() {
	for _ in $(seq 400); do
		[ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}
# order DEVICE: the stream's memory uevents, DEVICE's OST and every
# DEVICE_DELETED, one line each ("UEVENT action devpath", "OST device
# status", "DELETED data"), then "backwards" for each event whose
# timestamp is before the one before it
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
    elif e["event"] == "DEVICE_DELETED":
        print("DELETED", json.dumps(d, sort_keys=True))
    if prev is not None and t < prev:
        print("backwards", e["event"])
    prev = t
PY
}

# a DIMM unplugged: offline, remove, the _OST of success (0), DEVICE_DELETED
ctl device_add pc-dimm id=d6 size=256M addr=0x100000000 >/dev/null
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl device_del d6 >/dev/null
tap_ok $? "device_del d6"
ev_wait "$TMP/ev.json" '"DEVICE_DELETED"' 1
tap_ok $? "... its ACPI_DEVICE_OST and DEVICE_DELETED arrive"
is "$(order d6 | grep -v ' add \| online ')" 'UEVENT offline memory32
UEVENT offline memory33
UEVENT remove memory32
UEVENT remove memory33
OST d6 0
DELETED {"device": "d6", "path": "/machine/peripheral/d6"}' \
	"... after the eject's offline and remove uevents, in QEMU's shape, timestamps in order"
grep -q '"path":"/machine/peripheral/d6"' "$TMP/ev.json" && ! grep -q '\\/' "$TMP/ev.json"
tap_ok $? "... the lines as QEMU writes them: '/' not escaped as '\\/'"

# a refused eject: the blocks back online, then the _OST of the failure
ctl device_add pc-dimm id=d7 size=256M addr=0x100000000 >/dev/null
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
ctl device_del d7 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d7 refused (MEM_GOING_OFFLINE: EBUSY)"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
ev_wait "$TMP/ev.json" '"ACPI_DEVICE_OST"' 2
tap_ok $? "... its ACPI_DEVICE_OST arrives"
is "$(order d7 | grep -v 'backwards\|^DELETED' | tail -n 1)" "OST d7 $((0x82))" \
	"... last, after the rollback's uevents (_OST status 0x82)"

# a virtio-mem device emptied, then device_del: its DEVICE_DELETED comes
# after the refused d7's events (the stream is one queue), so seeing it
# proves d7 had none
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "device_add virtio-mem-pci vm0 requested-size=256M"
ctl qom-set vm0 requested-size 0 >/dev/null
tap_ok $? "... qom-set requested-size 0"
ctl device_del vm0 >/dev/null
tap_ok $? "device_del vm0"
ev_wait "$TMP/ev.json" '"DEVICE_DELETED"' 2
tap_ok $? "... DEVICE_DELETED arrives"
is "$(order d7 | sed -n '/^OST d7/,$p' | grep -v '^UEVENT\|backwards')" "OST d7 $((0x82))
DELETED {\"device\": \"vm0\", \"path\": \"/machine/peripheral/vm0\"}" \
	"... after d7's refused OST: vm0's, none for d7"
is "$(order vm0 | tail -n 1)" 'DELETED {"device": "vm0", "path": "/machine/peripheral/vm0"}' \
	"... last, after vm0's uevents"
is "$(order d7 | grep backwards)" "" "... no timestamp in the stream goes backwards"

# hotmemctl events' table says it too
ev_wait "$TMP/ev.txt" DEVICE_DELETED 2
tap_ok $? "hotmemctl events prints DEVICE_DELETED"
grep DEVICE_DELETED "$TMP/ev.txt" | tail -n 1 | grep -q ' DEVICE_DELETED vm0 /machine/peripheral/vm0$'
tap_ok $? "... with the device and its QOM path"
stop_fs
wait_exit $evp 30 >/dev/null
wait_exit $evt 30 >/dev/null
done_testing
