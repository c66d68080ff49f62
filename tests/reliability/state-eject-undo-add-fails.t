#!/bin/bash
# A device_del undone (its record's fdatasync() fails: sync_shim.so)
# puts the DIMM back as the state file has it: with its memory.  When
# that add_memory() fails too (`hotmemctl fail-nth-alloc 1`, set while the
# fdatasync() is held, hits the undo's first allocation), the undo failed
# -- hotmemfs freezes and says so -- and the DIMM does not come back as
# one the guest refused (149-dimm-guest-refused.t): that is a device_add's
# outcome, decided by the guest; a file's DIMM had its memory.  The DIMM
# stays gone, so its eject ends as a done one to QMP followers:
# DEVICE_DELETED, then success for the emptied slot (an undo that worked
# says failure naming the DIMM: state-eject-undone-ost.t).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold

LD_PRELOAD=$SHIM start_state_fs 256M
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows"
: >"$TMP/hold"
qmp_reply device_del '{"id": "d1", "wait": true}' >"$TMP/del.out" &
DEL=$!
held_wait
tap_ok $? "device_del d1: its record's fdatasync() held"
: >"$TMP/fail"
ctl fail-nth-alloc 1 >/dev/null
tap_ok $? "the engine's next allocation (the undo's add_memory()) will fail"
rm "$TMP/hold"
wait_exit "$DEL" 60
# refused for the failed save, the undo's add_memory() failing too (machine.c
# unsaved()): not any failure (a connect error, a typo).  The undo's reason
# whole, the add's errno (ENOMEM) with it: it was cut at 120 characters,
# mid-word ("failed: Cannot all")
is "$(cat "$TMP/del.out")" \
	"GenericError: hotmemfs takes no more changes: saving the state file $STATE failed (Input/output error) and the device_del could not be undone: restoring device d1: the guest could not add d1's memory: add_memory(node 0, 0x100000000, 0x10000000) failed: Cannot allocate memory (-ENOMEM); the machine differs from the file: restart hotmemfs to go back to the file's machine (injected: fail-nth-alloc)" \
	"device_del d1 refused (GenericError: not saved, EIO; the undo failed)"
rm -f "$TMP/fail"
ctl fail-nth-alloc 0 >/dev/null
# a failed or empty devices reply is no answer (hotmemfs is frozen here)
out=$(ctl --json devices) && [ -n "$out" ] && ! grep -q '"guest-refused"' <<<"$out"
tap_ok $? "no DIMM came back as refused by the guest" || diag "$(ctl devices)"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $? "the undo failed: hotmemfs is frozen and says so" || diag "$(tail -5 "$TMP/hotmemfs.log")"
is "$(ctl -j query-memory-devices | tr -d ' \n')" "[]" "d1 is gone (query-memory-devices)"
ev_wait "$TMP/ev.json" '"ACPI_DEVICE_OST"' 2
tap_ok $? "the eject's _OSTs arrive"
is "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    if l.startswith("{"):
        e = json.loads(l)
        if e["event"] == "ACPI_DEVICE_OST":
            i = e["data"]["info"]
            print("OST", i.get("device", "-"), i["source"], hex(i["status"]))
        elif e["event"] == "DEVICE_DELETED":
            print("DELETED", e["data"]["device"])
' "$TMP/ev.json")" "OST d1 3 0x84
DELETED d1
OST - 3 0x0" "... in progress, DEVICE_DELETED, success for the emptied slot: it is gone, not back"
done_testing
