#!/bin/bash
# query-memory-devices and query-acpi-ospm-status answer while a DIMM's
# eject keeps at a stuck block, as QEMU's main loop answers them while
# its guest ejects (acpi.c's rule: a reader never waits for an eject).
# They took dev_lock, which the eject holds for as long as its offline
# takes (up to the 40 s bound), so a libvirt polling its memory devices
# hung behind a device_del (acpi32).  Now a snapshot of the device list,
# made as the eject begins: the DIMM is still listed (QEMU lists it until
# the guest's _EJ0), and its slot's _OST is "eject in progress".  The
# eject is held by pinned pages until the test frees them: a query that
# waited for it would wait past hotmemctl's own -t 20 limit and fail.
. "$(dirname "$0")/lib.sh"
require_env
# the eject's 40 s bound off the clock (d334e339's thread_clock.so, as
# 332): every check up to "the eject still runs" needs the eject still
# at memory33, which under a loaded run could pass 40 s.  A sanitized
# hotmemfs takes the shim too, after its sanitizer's runtime
# (lib.sh want_wrapping_shim's note; reread27 R8, flake29)
want_off_clock

off_clock hotmemfs-eject start_fs --fresh
tap_ok $? "hotmemfs mounts (its eject off the clock)"
d1_vm0_stuck
before=$(ctl -j query-memory-devices)
ctl device_del d1 >"$TMP/del.out" 2>&1 &
del=$!
block_state_wait 33 going-offline
tap_ok $? "the eject keeps at memory33 (going-offline)"
now=$(ctl -t 20 -j query-memory-devices 2>&1)
tap_ok $? "query-memory-devices answers while the eject runs"
is "$now" "$before" "... the devices as before the eject: d1 still listed, vm0 too"
ost=$(ctl -t 20 -j query-acpi-ospm-status 2>&1)
tap_ok $? "query-acpi-ospm-status answers while the eject runs"
is "$(python3 -c 'import json,sys; s=json.loads(sys.argv[1])[0]; print(s.get("device"), s["slot"], hex(s["status"]))' "$ost")" \
	"d1 0 0x84" "... slot 0: d1, _OST eject in progress (0x84)"
block_state_wait 33 going-offline
tap_ok $? "the eject still runs after both answers"
ctl free-all >/dev/null
wait_exit $del 60
tap_ok $? "the pins freed: device_del d1 ends, the DIMM ejected"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; print(" ".join(d["data"]["id"] for d in json.load(sys.stdin)))')" \
	"vm0" "query-memory-devices reads the list again: vm0 only"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
