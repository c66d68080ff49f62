#!/bin/bash
# device_add and device_del of a DIMM, followed with `hotmemctl events`:
# the guest's _OST as 6.12's acpi_device_hotplug() evaluates it
# (drivers/acpi/scan.c) and QEMU 7.2 sends it (ACPI_DEVICE_OST,
# hw/acpi/memory_hotplug.c): the device_add's device check answered with
# success (source 1) after its add uevents; for device_del "eject in
# progress" (0x84, source 3) before the first block goes offline, then the
# eject's offline and remove uevents, then QEMU's DEVICE_DELETED
# {"device": ID, "path": "/machine/peripheral/ID"} (_EJ0 took the DIMM:
# hw/core/qdev.c device_finalize()), which libvirt waits for after
# device_del, then the _OST of success for the slot, which has no device
# any more (no "device"); refused, the rollback's uevents and the _OST of
# the refusal (0x82) naming the DIMM, no DEVICE_DELETED.  The guest's own
# eject (PNP0C80:xx/eject) ends with source 0x103
# (ACPI_OST_EC_OSPM_EJECT).  A virtio-mem-pci's device_del sends two
# DEVICE_DELETED, as QEMU's device_finalize() does for each device it
# unrealized: its virtio-backend child's (no id, no "device") first, then
# the proxy's (usereye4 #28).  The stream's timestamps never go backwards (usereye3 #11,
# #39).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evp=$!
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>"$TMP/evt.err" &
evt=$!
follow_wait 2 "hotmemctl events follows (JSON and table)"

# order DEVICE: the stream's memory uevents, every OST and every
# DEVICE_DELETED, one line each ("UEVENT action devpath", "OST device-or--
# slot source status", "DELETED data"), then "backwards" for each event
# whose timestamp is before the one before it
order() {
	python3 - "$TMP/ev.json" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
prev = None
for e in evs:
    t = (e["timestamp"]["seconds"], e["timestamp"]["microseconds"])
    d = e.get("data", {})
    if e["event"] == "UEVENT" and d.get("subsystem") == "memory":
        print("UEVENT", d["action"], d["devpath"].rsplit("/", 1)[1])
    elif e["event"] == "ACPI_DEVICE_OST":
        i = d["info"]
        print("OST", i.get("device", "-"), "slot=" + i["slot"], i["slot-type"], i["source"], hex(i["status"]))
    elif e["event"] == "DEVICE_DELETED":
        print("DELETED", json.dumps(d, sort_keys=True))
    if prev is not None and t < prev:
        print("backwards", e["event"])
    prev = t
PY
}

# a DIMM unplugged: _OST in progress, offline, remove, DEVICE_DELETED, the _OST of success
ctl device_add pc-dimm id=d6 size=256M addr=0x100000000 >/dev/null
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl device_del d6 >/dev/null
tap_ok $? "device_del d6"
ev_wait "$TMP/ev.json" '"status":0}' 1
tap_ok $? "... its ACPI_DEVICE_OSTs and DEVICE_DELETED arrive"
is "$(order | grep -v ' online ')" 'UEVENT add memory32
UEVENT add memory33
OST d6 slot=0 DIMM 1 0x0
OST d6 slot=0 DIMM 3 0x84
UEVENT offline memory32
UEVENT offline memory33
UEVENT remove memory32
UEVENT remove memory33
DELETED {"device": "d6", "path": "/machine/peripheral/d6"}
OST - slot=0 DIMM 3 0x0' \
	"device_add's device check answered (source 1) after its add uevents; the eject in progress before its uevents, DEVICE_DELETED after them, then success for the emptied slot: QEMU's shape, timestamps in order"
grep -q '"path":"/machine/peripheral/d6"' "$TMP/ev.json" && ! grep -q '\\/' "$TMP/ev.json"
tap_ok $? "... the lines as QEMU writes them: '/' not escaped as '\\/'"
grep '"ACPI_DEVICE_OST"' "$TMP/ev.json" | sed -n 2p | grep -q '"info":{"device":"d6","slot":"0","slot-type":"DIMM","source":3,"status":132}'
tap_ok $? "... ACPIOSTInfo's members in QEMU's order"

# a refused eject: memory32 holds unmovable pages (refuses at once),
# memory33 goes offline and comes back, then the _OST of the failure
ctl device_add pc-dimm id=d7 size=256M addr=0x100000000 >/dev/null
echo online_kernel >"$M/memory32/state" && echo online_movable >"$M/memory33/state"
ctl alloc unmovable 1000 >/dev/null
ctl device_del d7 >/dev/null 2>&1
tap_ok $((! $?)) "device_del d7 refused (memory32 holds unmovable pages)"
ev_wait "$TMP/ev.json" '"status":130}' 1
tap_ok $? "... its ACPI_DEVICE_OST arrives"
is "$(order | sed -n '/^OST d7 slot=0 DIMM 3 0x84$/,$p' | grep -v backwards)" 'OST d7 slot=0 DIMM 3 0x84
UEVENT offline memory33
UEVENT online memory33
OST d7 slot=0 DIMM 3 0x82' \
	"... in progress first, the refusal (0x82) naming d7 last, after the rollback's uevents"

# the same as a real QEMU 7.2 with a 6.12 guest sent them, member for
# member (tests/fixtures/acpi-ost, its d1 in slot 0): fixture MODE ID SLOT,
# the differences between the fixture's run MODE and the stream's events
# of DIMM ID in SLOT
fixture() {
	python3 "$HOTMEM_SRC/tests/fusefs/ost_fixture.py" "$TMP/ev.json" \
		"$HOTMEM_SRC/tests/fixtures/acpi-ost/qemu-6.12-ost.txt" "$@" 2>&1
}
is "$(fixture done d6 0; fixture busy d7 0)" "" \
	"d6's and d7's QMP events as QEMU 7.2 and a 6.12 guest sent d1's, done and refused (tests/fixtures/acpi-ost)"

# a virtio-mem device emptied, then device_del: its DEVICE_DELETED comes
# after the refused d7's events (the stream is one queue), so seeing it
# proves d7 had none
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "device_add virtio-mem-pci vm0 requested-size=256M"
ctl qom-set vm0 requested-size 0 >/dev/null
tap_ok $? "... qom-set requested-size 0"
ctl device_del vm0 >/dev/null
tap_ok $? "device_del vm0"
ev_wait "$TMP/ev.json" '"path":"/machine/peripheral/vm0"}' 1
tap_ok $? "... DEVICE_DELETED arrives"
is "$(order | sed -n '/^OST d7 slot=0 DIMM 3 0x82/,$p' | grep -v '^UEVENT\|backwards')" "OST d7 slot=0 DIMM 3 0x82
DELETED {\"path\": \"/machine/peripheral/vm0/virtio-backend\"}
DELETED {\"device\": \"vm0\", \"path\": \"/machine/peripheral/vm0\"}" \
	"... after d7's refused OST: vm0's virtio-backend child's (no device), then the proxy's, none for d7"
grep '"DEVICE_DELETED"' "$TMP/ev.json" | tail -n 2 | head -n 1 | grep -q '"data":{"path":"/machine/peripheral/vm0/virtio-backend"},"timestamp"'
tap_ok $? "... the backend's data as QEMU writes it: only the path"
is "$(order | tail -n 1)" 'DELETED {"device": "vm0", "path": "/machine/peripheral/vm0"}' \
	"... last, after vm0's uevents"

# the guest's own eject (echo 1 > PNP0C80:01/eject): the result's _OST
# has its request's source, ACPI_OST_EC_OSPM_EJECT (0x103)
ctl device_add pc-dimm id=d8 size=128M slot=1 >/dev/null
tap_ok $? "device_add pc-dimm d8 in slot 1"
echo 1 >"$MNT/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:01/eject"
tap_ok $? "echo 1 > PNP0C80:01/eject"
ev_wait "$TMP/ev.json" '"source":259,"status":0}' 1
tap_ok $? "... its _OST of success arrives"
is "$(order | sed -n '/^OST d8 slot=1 DIMM 3 0x84$/,$p' | grep -v '^UEVENT\|backwards')" 'OST d8 slot=1 DIMM 3 0x84
DELETED {"device": "d8", "path": "/machine/peripheral/d8"}
OST - slot=1 DIMM 259 0x0' \
	"... in progress (source 3), DEVICE_DELETED, success with source 0x103"
is "$(fixture ospm d8 1)" "" "... as QEMU 7.2 and a 6.12 guest sent them for its own eject of d1 (tests/fixtures/acpi-ost)"
is "$(order | grep backwards)" "" "... no timestamp in the stream goes backwards"

# hotmemctl events' table says it too
ev_wait "$TMP/ev.txt" DEVICE_DELETED 4
tap_ok $? "hotmemctl events prints DEVICE_DELETED"
grep DEVICE_DELETED "$TMP/ev.txt" | sed -n 3p | grep -q ' DEVICE_DELETED vm0 /machine/peripheral/vm0$'
tap_ok $? "... with the device and its QOM path"
grep DEVICE_DELETED "$TMP/ev.txt" | sed -n 2p | grep -q ' DEVICE_DELETED - /machine/peripheral/vm0/virtio-backend$'
tap_ok $? "... the backend's, before, with its QOM path alone"
stop_fs
wait_exit $evp 30 >/dev/null
wait_exit $evt 30 >/dev/null
done_testing
