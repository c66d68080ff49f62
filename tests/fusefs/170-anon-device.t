#!/bin/bash
# A device plugged without an id has none, as in QEMU (qdev_set_id():
# the QOM child /machine/peripheral-anon/device[N], N counted up, never
# given back): query-memory-devices, ACPI_DEVICE_OST and DEVICE_DELETED
# leave its id out, its QOM path names it to device_del, qom-get and
# qom-set, and every id stays the user's.  hotmemfs named it dimmN in the
# user's own id space, so that a later device_add id=dimm1 was refused
# "Duplicate device ID" and the QOM path named nothing (usereye7 #4).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts (default profile, a private state file)" --fresh

qmp_conversation 300 <<'PY'
import sys
from qmp import Qmp
from qmp_checks import ok, all_ran

A0, A1, A2 = ("/machine/peripheral-anon/device[%d]" % i for i in range(3))
q = Qmp(sys.argv[1], timeout=60)
q.cmd("device_add", driver="pc-dimm", size="128M")
q.cmd("device_add", driver="pc-dimm", size="128M")
try:
    q.cmd("device_add", driver="pc-dimm", size="128M", id="dimm1")
    named = True
except RuntimeError as e:
    named = str(e)
ok(named is True, "two DIMMs without an id, then id=dimm1: the id is the user's (%s)" % named)
devs = q.cmd("query-memory-devices")
ids = [d["data"].get("id") for d in devs]
ok(ids == [None, None, "dimm1"], "query-memory-devices leaves the anonymous DIMMs' id out: %s" % ids)
try:
    size = q.cmd("qom-get", path=A1, property="size")
except RuntimeError as e:
    size = str(e)
ok(size == 128 << 20, "qom-get %s size: %s" % (A1, size))
try:
    q.cmd("qom-set", path=A1, property="addr", value=0)
    refused = "no error"
except RuntimeError as e:
    refused = str(e)
ok("Attempt to set property 'addr' on anonymous device (type 'pc-dimm') after it was realized"
   in refused, "qom-set of its addr: refused as QEMU's, an anonymous device (%s)" % refused)
try:
    q.cmd("device_del", id=A0)
    gone = q.wait_event("DEVICE_DELETED", path=A0)["data"]
except (RuntimeError, OSError) as e:
    gone = str(e)
ok(gone == {"path": A0}, "device_del %s: DEVICE_DELETED with its path, no device: %s" % (A0, gone))
osts = [e["data"]["info"] for e in q.seen
        if e["event"] == "ACPI_DEVICE_OST" and e["data"]["info"]["slot"] in ("0", "1")]
ok(osts and all("device" not in i for i in osts),
   "its ACPI_DEVICE_OST events name no device: %s" % osts)
q.cmd("device_add", driver="pc-dimm", size="128M")
devs = q.cmd("query-memory-devices")
ok(len(devs) == 3 and q.cmd("qom-get", path=A2, property="slot") >= 0,
   "the next anonymous DIMM is device[2]: device[0]'s number is not given back")
try:
    q.cmd("device_del", id="/machine/peripheral-anon/device[7]")
    nf = "no error"
except RuntimeError as e:
    nf = str(e)
ok("DeviceNotFound" in nf, "device_del of a path naming nothing: DeviceNotFound (%s)" % nf)
q.close()
all_ran()
PY

# hotmemctl names an anonymous device by its QOM path
out=$(ctl device_add pc-dimm size=128M 2>&1)
is_like "$out" '/machine/peripheral-anon/device\[3\]: 128M at *' "hotmemctl device_add without id= prints the QOM path"
out=$(ctl device_del '/machine/peripheral-anon/device[3]' 2>&1)
is "$?:$out" "0:/machine/peripheral-anon/device[3]: removed" "hotmemctl device_del QOM-PATH"

# a restart from the state file keeps the paths and counts on past them
stop_fs
mount_fs "hotmemfs restarts from its state file"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; print(" ".join(str(d["data"].get("id")) for d in json.load(sys.stdin)))')" \
	"None None dimm1" "the devices as left (by address): two anonymous, dimm1"
is "$(ctl qom-get '/machine/peripheral-anon/device[2]' size)" 134217728 "device[2] still named by its path"
# hotmemctl devices: the ID column as wide as the QOM paths, DRIVER one column for all
is "$(ctl devices | awk 'NR == 1 { c = index($0, "DRIVER") } NR > 1 && NF > 2 { print (index($0, $2) == c) }' | sort -u)" 1 \
	"hotmemctl devices: every row's driver under DRIVER, the QOM paths in the ID column"
is "$(ctl query-memory-devices | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" "- - dimm1 " \
	"hotmemctl query-memory-devices: an anonymous device's ID said as -"
out=$(ctl device_add pc-dimm size=128M 2>&1)
is_like "$out" '/machine/peripheral-anon/device\[4\]: *' "the next anonymous DIMM after the restart: the count as saved (device[3], deleted, not given back: device[4])"

# an anonymous virtio-mem device: MEMORY_DEVICE_SIZE_CHANGE without id, its
# qom-path naming it, and hotmemctl events printing that path
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>&1 &
EV=$!
follow_wait 1 "hotmemctl events follows"
ctl device_add virtio-mem-pci size=1G requested-size=128M >/dev/null &&
	ctl set-size '/machine/peripheral-anon/device[5]' 256M >/dev/null
tap_ok $? "an anonymous virtio-mem device (device[5]) plugged, then resized by its QOM path"
ev_wait "$TMP/ev.txt" ' size=268435456' 1
is "$(grep -o 'MEMORY_DEVICE_SIZE_CHANGE .*size=268435456' "$TMP/ev.txt")" \
	"MEMORY_DEVICE_SIZE_CHANGE /machine/peripheral-anon/device[5] size=268435456" \
	"hotmemctl events: its size change named by its QOM path"
kill $EV
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; print([sorted(d["data"]) for d in json.load(sys.stdin) if d["type"] == "virtio-mem"][0])')" \
	"['block-size', 'max-size', 'memaddr', 'memdev', 'node', 'requested-size', 'size']" \
	"query-memory-devices: the virtio-mem device has no id member"
stop_fs
done_testing
