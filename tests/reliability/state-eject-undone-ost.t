#!/bin/bash
# A device_del whose record cannot be made durable (the journal's
# fdatasync() fails: sync_shim.so) is undone: the DIMM comes back.  The
# guest's _OST that ends its eject must then say so to QMP clients: a
# failure (ACPI_OST_SC_NON_SPECIFIC_FAILURE, 1) naming the DIMM, which
# stays, and no DEVICE_DELETED -- libvirt takes source 3 with status 1 or
# 0x80-0x83 for an unplug the guest refused.  It said success (0) for a
# device that came back.  The same device_del once the disk works: the
# DIMM goes, DEVICE_DELETED, then the _OST of success for its emptied
# slot (no "device", as QEMU's acpi_memory_device_status()).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
LD_PRELOAD=$SHIM start_state_fs 256M
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evp=$!
follow_wait 1 "hotmemctl events follows"

# qmp: the stream's ACPI_DEVICE_OST ("OST device-or-- slot source status")
# and DEVICE_DELETED ("DELETED device") events, in order
qmp() {
	python3 - "$TMP/ev.json" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    if not l.startswith("{"):
        continue
    e = json.loads(l)
    if e["event"] == "ACPI_DEVICE_OST":
        i = e["data"]["info"]
        print("OST", i.get("device", "-"), i["slot"], i["source"], hex(i["status"]))
    elif e["event"] == "DEVICE_DELETED":
        print("DELETED", e["data"]["device"])
PY
}
# devices: the device ids, space separated; a failed status says so
# (its empty output would pass for "no device")
devices() { ctl --json status | python3 -c 'import json,sys; print(" ".join(d["id"] for d in json.load(sys.stdin)["devices"]))' 2>/dev/null || echo "(status failed)"; }

: >"$TMP/fail"
out=$(ctl device_del d1 2>&1)
tap_ok $((! $?)) "device_del d1 with the journal's fdatasync() failing is refused"
grep -q "the device_del was undone" <<<"$out"
tap_ok $? "... undone: ${out#hotmemctl: error: }"
is "$(devices)" d1 "... d1 is back"
ev_wait "$TMP/ev.json" '"ACPI_DEVICE_OST"' 2
tap_ok $? "... the eject's two ACPI_DEVICE_OSTs arrive"
is "$(qmp)" "OST d1 0 3 0x84
OST d1 0 3 0x1" "... in progress, then a failure naming d1 (not success), no DEVICE_DELETED"

rm -f "$TMP/fail"
ctl device_del d1 >/dev/null
tap_ok $? "device_del d1 once fdatasync() works"
is "$(devices)" "" "... d1 is gone"
ev_wait "$TMP/ev.json" '"ACPI_DEVICE_OST"' 4
tap_ok $? "... its ACPI_DEVICE_OSTs arrive"
is "$(qmp | tail -n +3)" "OST d1 0 3 0x84
DELETED d1
OST - 0 3 0x0" "... in progress, DEVICE_DELETED, then success for the emptied slot"
kill9_same start_fs_netns "${STATE_OPTS[@]}"
is "$(devices)" "" "... and d1 stays gone after kill -9"
stop_fs
wait_exit $evp 30 >/dev/null
done_testing
