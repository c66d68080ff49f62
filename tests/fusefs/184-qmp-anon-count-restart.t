#!/bin/bash
# An anonymous device's number, /machine/peripheral-anon/device[N], is
# never given back within a run (QEMU's qdev_set_id() anon_count), and a
# state file's restarts are one run: the count is saved in the state
# file's "params" ("anon-count") and restored.  It was recomputed from the
# devices restored only, so a device[1] deleted before a kill -9 was
# named again by the next anonymous device_add after the restart: a QMP
# client that saw DEVICE_DELETED path=device[1] found another DIMM there
# (finalF F2).  A state file from before the key still loads (the count
# then past its devices' numbers, as before).
. "$(dirname "$0")/lib.sh"
require_env

A=/machine/peripheral-anon/device
anon_1_deleted
kill -9 "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null
FS_PID=
umount -l "$MNT" 2>/dev/null
start_fs
tap_ok $? "kill -9, restart on the state file"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "${A}[2]" "the next anonymous DIMM is ${A}[2]: device[1]'s number is not given back ($out)"
is "$(ctl qom-get "${A}[1]" size 2>&1)" "hotmemctl: error: Device '${A}[1]' not found" \
	"${A}[1] names nothing"
stop_fs
start_fs
tap_ok $? "a clean stop and a restart"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "${A}[3]" "the count survives a clean stop too ($out)"
ctl device_del "${A}[3]" >/dev/null
tap_ok $? "device_del ${A}[3]"
stop_fs

# a file from before "anon-count": it loads, the count past its devices
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
had = s["machine"]["params"].pop("anon-count", None)
print("# the saved anon-count was", had)
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
start_fs
tap_ok $? "a state file without \"anon-count\" (before it) loads"
grep -q "restored the machine from" "$TMP/hotmemfs.log"
tap_ok $? "... restored, not refused"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "${A}[3]" "its next anonymous DIMM is past the restored ones, as before ($out)"
stop_fs
done_testing
