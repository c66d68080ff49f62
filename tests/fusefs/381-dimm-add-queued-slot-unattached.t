#!/bin/bash
# A pc-dimm device_add answered behind a guest's looping offline
# (tests/fusefs/356): QEMU realized the DIMM, its slot's _STA says present
# (status 15), but the guest's device check -- acpi_bus_scan() on
# kacpi_hotplug_wq, behind device_hotplug_lock -- has not run.  6.12's
# modalias reads the status the scan caches (create_pnp_modalias():
# empty until the kernel saw the slot present), and eject_store() answers
# ENODEV while no scan handler is attached (acpi_scan_attach_handler()
# runs at that scan).  hotmemfs showed modalias and took an eject write at
# QEMU's realize (reread29 R4).  Now both follow the guest's device
# check (acpi.c hmfs_acpi_slot_attach(), from dev.c dimm_probe()).
# Without it checks 10 and 11 fail (checked); 15 shows the check ran.
. "$(dirname "$0")/lib.sh"
require_env
MHPC=/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
SYSW="python3 $HOTMEM_SRC/tests/fusefs/sysw.py"

vmem_offline_loops "(no state file)"
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
d2_add_while_looping
SLOT=$(ctl -j query-memory-devices | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["data"].get("id") == "d2":
        print("%02x" % d["data"]["slot"])')
P=$MNT$MHPC/PNP0C80:$SLOT
is "$(cat "$P/status")" 15 "d2's slot ($SLOT): _STA present (QEMU realized it)"
is "$(cat "$P/modalias")" "" "... modalias empty: the guest's device check has not run"
is "$($SYSW w "$P/eject" '1\n')" ENODEV "... echo 1 > eject: ENODEV (no scan handler yet)"
looping
tap_ok $? "... the offline still loops"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST d2 " 1
grep -q "ACPI_DEVICE_OST d2 slot=.* source=1 status=0" "$TMP/ev.txt"
tap_ok $? "the queued guest add ran: d2's _OST of success"
is "$(cat "$P/modalias")" "acpi:PNP0C80:" "modalias shows now"
kill "$EV" 2>/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
