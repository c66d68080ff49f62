#!/bin/bash
# query-acpi-ospm-status: QEMU's ACPIOSTInfo list (qapi/acpi.json), one
# entry a DIMM slot (hw/acpi/memory_hotplug.c acpi_memory_ospm_status(),
# 7.2): "device" while a DIMM with an id is in it, "slot" a string,
# "slot-type" "DIMM", the guest's last _OST of the slot (source, status;
# 0, 0 before any), kept after its DIMM is gone.  Held against what a real
# QEMU 7.2 with a 6.12 guest answered (tests/fixtures/acpi-refused, its
# DIMM slots: hotmem models no CPU hotplug, so lists no "CPU" slot).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
FIX=$HOTMEM_SRC/tests/fixtures/acpi-refused/qemu-6.12-refused.txt

# fixture WHEN: the fixture's query-acpi-ospm-status reply WHEN ("after the
# device check", "after the eject"), its DIMM slots, one JSON line, d1 as d6
fixture() {
	python3 - "$FIX" "$1" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
i = lines.index("== query-acpi-ospm-status " + sys.argv[2])
r = [e for e in json.loads(lines[i + 1]) if e["slot-type"] == "DIMM"]
for e in r:
    if "device" in e:
        e["device"] = "d6"
print(json.dumps(r))
PY
}
# ours: hotmemfs's reply, one JSON line, members in its order
ours() { ctl -j query-acpi-ospm-status | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))'; }

printf 'profile = qemu-512m\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m (4 DIMM slots, as the fixture's QEMU)" --fresh \
	--profile "$TMP/p.profile" --cmdline memhp_default_state=offline
is "$(ours)" '[{"slot": "0", "slot-type": "DIMM", "source": 0, "status": 0}, {"slot": "1", "slot-type": "DIMM", "source": 0, "status": 0}, {"slot": "2", "slot-type": "DIMM", "source": 0, "status": 0}, {"slot": "3", "slot-type": "DIMM", "source": 0, "status": 0}]' \
	"no _OST yet: every slot 0, 0, no device"
ctl device_add pc-dimm id=d6 size=128M >/dev/null
tap_ok $? "device_add pc-dimm d6 (slot 0)"
ctl settle --timeout 60 >/dev/null
is "$(ours)" "$(fixture 'after the device check')" \
	"after its device check: slot 0 names d6, source 1 status 0, members in QEMU's order (fixture)"
ctl device_del d6 >/dev/null
tap_ok $? "device_del d6"
ctl settle --timeout 60 >/dev/null
is "$(ours)" "$(fixture 'after the eject')" \
	"after the eject: slot 0 keeps the eject's _OST (source 3 status 0), no device (fixture)"
# a refused eject: the slot's last _OST is the refusal, naming the DIMM
ctl device_add pc-dimm id=d7 size=128M >/dev/null
echo online_kernel >"$MNT/sys/devices/system/memory/memory32/state"
ctl alloc unmovable 1000 >/dev/null
# with hotmem's "wait" (QEMU's device_del answers {} at once: 171-qmp-device-del-request.t),
# refused as a GenericError, the guest's eject EBUSY (acpi_scan_hot_remove()'s
# offline failing, _OST 0x82), not any failure: a typo or a connect error fails too
is_like "$(qmp_reply device_del '{"id": "d7", "wait": true}')" \
	"GenericError: d7: the guest refused the unplug (ACPI eject: Device or resource busy, _OST status 0x82); nothing removed; \`hotmemctl dmesg\` says why*" \
	"device_del d7 refused: GenericError, the eject's EBUSY (memory32 holds unmovable pages)"
ctl settle --timeout 60 >/dev/null
is "$(ours | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]))')" \
	'{"device": "d7", "slot": "0", "slot-type": "DIMM", "source": 3, "status": 130}' \
	"... slot 0: d7's refusal (source 3, status 0x82 device busy)"
out=$(ctl query-acpi-ospm-status)
printf '%s\n' "$out" | grep -q '^0  *DIMM  *d7  *eject request (unplug), source 0x3: device busy, status 0x82$'
tap_ok $? "hotmemctl query-acpi-ospm-status prints it, a table (430)" || diag "got: $out"
stop_fs
done_testing
