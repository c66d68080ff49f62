#!/bin/bash
# A DIMM the guest refused (add_memory() fails: its 1G memmap does not fit
# the 512M guest, tests/fusefs/149) has no scan handler in 6.12:
# acpi_scan_attach_handler() sets device->handler back to NULL when the
# handler's attach (acpi_memory_device_add()) fails, and
# acpi_eject_store() answers ENODEV when the device has neither handler
# nor driver (drivers/acpi/device_sysfs.c).  hotmemfs took the write and
# queued an eject (reread29 R4, its rest).  The slot still shows present
# and enumerated (modalias), a device_del still ejects the DIMM, and a
# refusal restored from the state file is the same.  Without acpi.c
# hmfs_acpi_slot_detach() checks 5-6 and 8-10 fail (checked: 9 for the
# restored huge2, the others as huge's eject ran).
. "$(dirname "$0")/lib.sh"
require_env
ACPI=$MNT/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
SYSW="python3 $HOTMEM_SRC/tests/fusefs/sysw.py"
# ids: the DIMMs query-memory-devices lists
ids() { ctl -j query-memory-devices | python3 -c 'import json,sys; print(" ".join(d["data"]["id"] for d in json.load(sys.stdin)))'; }

printf 'profile = qemu-512m\nmaxmem = 256G\n' >"$TMP/p.profile"
OPTS=(--profile "$TMP/p.profile" --cmdline memhp_default_state=offline)
mount_fs "hotmemfs mounts qemu-512m with maxmem 256G" --fresh "${OPTS[@]}"
for id in huge huge2; do
	ctl device_add pc-dimm size=64G id=$id >"$TMP/add.out" 2>&1
	grep -q "refused by the guest (ENOMEM)" "$TMP/add.out"
	tap_ok $? "a 64G DIMM $id whose memmap does not fit: QEMU keeps it, the guest refused it" "$(cat "$TMP/add.out")"
done
is "$(cat "$ACPI/PNP0C80:00/status") $(cat "$ACPI/PNP0C80:00/modalias")" "15 acpi:PNP0C80:" \
	"huge's slot 0: present (_STA 15), enumerated (modalias)"
is "$($SYSW w "$ACPI/PNP0C80:00/eject" '1\n')" ENODEV "echo 1 > its eject: ENODEV (no scan handler: its attach failed)"
is "$(ids)" "huge huge2" "... nothing queued: both stay"

kill9_fs
mount_fs "kill -9, restart on the state file (the refusals restored)" "${OPTS[@]}"
is "$(ids)" "huge huge2" "both DIMMs restored"
is "$($SYSW w "$ACPI/PNP0C80:01/eject" '1\n')" ENODEV "echo 1 > huge2's eject: ENODEV, the restored refusal too"
ctl device_del huge >/dev/null && ctl device_del huge2 >/dev/null
tap_ok $? "device_del ejects them (QEMU's eject request needs no handler)"
is "$(ids)" "" "... gone"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
