#!/bin/bash
# QMP device_del of a DIMM is QEMU's: it raises the slot's eject request
# and answers {} at once (qmp_device_del() -> acpi_memory_unplug_request_cb(),
# QEMU 9.2); the guest's eject runs after, and its outcome comes as events
# only -- ACPI_DEVICE_OST "eject in progress" (source 3, 0x84), then
# DEVICE_DELETED and success for the slot, or the refusal's status (0x82
# device busy) naming the DIMM, which stays.  A second device_del while
# the eject runs or after a refusal raises the request again, {} again.
# hotmemfs answered only once the eject was over (up to 40 s on a stuck
# block) and a refusal as an error QEMU never sends (usereye7 #2).
# hotmemctl device_del keeps its answer once the eject is over (hotmem's
# own "wait": true): removed, or refused with why, exit 1.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_fs "hotmemfs mounts" --fresh
ctl device_add pc-dimm id=d7 size=128M addr=0x100000000 >/dev/null &&
	echo online_kernel >"$M/memory32/state" && ctl alloc unmovable 1000 >/dev/null
tap_ok $? "d7 (memory32) online_kernel, unmovable pages in it: its eject is refused"

# a refusal: {} at once, the outcome an event; asked again, {} again
qmp_conversation 300 <<'PY'
import sys
from qmp import Qmp
from qmp_checks import ok, all_ran

q = Qmp(sys.argv[1], timeout=60)


def device_del(dev):
    try:
        return q.cmd("device_del", id=dev)
    except RuntimeError as e:
        return str(e)


def osts():
    return [(i.get("device"), i["source"], i["status"])
            for i in (e["data"]["info"] for e in q.seen if e["event"] == "ACPI_DEVICE_OST")]


r = device_del("d7")
ok(r == {}, "device_del d7: {}, the eject request raised (%s)" % r)
q.wait_event("ACPI_DEVICE_OST", info={"device": "d7", "slot": "0", "slot-type": "DIMM",
                                      "source": 3, "status": 130})
ok(True, "... the guest's refusal comes as ACPI_DEVICE_OST: d7, source 3, status 0x82")
ok("DEVICE_DELETED" not in q.events, "... no DEVICE_DELETED")
ok([d["data"]["id"] for d in q.cmd("query-memory-devices")] == ["d7"], "... d7 is still there")
r = device_del("d7")
q.wait_event("ACPI_DEVICE_OST", info={"device": "d7", "slot": "0", "slot-type": "DIMM",
                                      "source": 3, "status": 130})
ok(r == {}, "device_del d7 again: {} and the guest refuses again (%s)" % r)
ok([s for s in osts() if s[2] == 132] == [("d7", 3, 132)] * 2,
   "... each eject began with 'eject in progress' (0x84): %s" % osts())
q.close()
all_ran()
PY

# hotmemctl's device_del waits for the eject: its refusal said, exit 1
out=$(ctl device_del d7 2>&1)
is_like "$?:$out" "1:hotmemctl: error: d7: the guest refused the unplug (ACPI eject: Device or resource busy, _OST status 0x82); nothing removed; *" \
	"hotmemctl device_del d7: the refusal, exit 1, as before"

# an eject that keeps at a pinned block: the reply does not wait for it
ctl free-all >/dev/null
ctl device_add pc-dimm id=d1 size=512M addr=0x110000000 >/dev/null
for b in 34 35 36 37; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "d1 (memory34-37) online_movable, movable pages and 100 pinned ones in it"
HMCTL=$HMCTL CTL=$CTL qmp_conversation 300 <<'PY'
import os, subprocess, sys
from qmp import Qmp
from qmp_checks import ok, all_ran

q = Qmp(sys.argv[1], timeout=60)
ok(q.cmd("device_del", id="d1") == {}, "device_del d1: {}")
q.wait_event("ACPI_DEVICE_OST", info={"device": "d1", "slot": "1", "slot-type": "DIMM",
                                      "source": 3, "status": 132})
ok(True, "... its eject in progress (ACPI_DEVICE_OST 0x84)")
# a second device_del while the eject keeps at the pinned block: at once
ok(q.cmd("device_del", id="d1") == {}, "device_del d1 again while its eject runs: {} at once")
ok("DEVICE_DELETED" not in q.events, "... the eject still runs (the pins hold it): no DEVICE_DELETED yet")
rc = subprocess.run([os.environ["HMCTL"], "-s", os.environ["CTL"], "free-all"],
                    stdout=subprocess.DEVNULL, timeout=120).returncode
e = q.wait_event("DEVICE_DELETED", device="d1")
ok(rc == 0 and e["data"]["path"] == "/machine/peripheral/d1", "the pins freed: DEVICE_DELETED d1")
q.close()
all_ran()
PY
ctl settle --timeout 60 >/dev/null
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; print([d["data"]["id"] for d in json.load(sys.stdin)])')" \
	"['d7']" "d1 is gone, d7 stays; the second request found d1 gone and did nothing"

# hotmemctl device_del ID wait=false: QEMU's request, said as such; the
# eject follows (an event follower sees it begin)
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
out=$(ctl device_del d7 wait=false 2>&1)
is "$?:$out" "0:d7: unplug requested: the guest's eject runs on (\`hotmemctl events\` says how it ends)" \
	"hotmemctl device_del d7 wait=false: the request raised, said so"
ev_wait "$TMP/ev.txt" "ACPI_DEVICE_OST d7 slot=0 source=3 status=132" 1
tap_ok $? "... and d7's eject begins (ACPI_DEVICE_OST 0x84)"
kill $EV
stop_fs
done_testing
