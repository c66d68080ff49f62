#!/bin/bash
# A state file's device restored over QEMU's total (maxmem - RAM, a file
# from before that check: README's old 4G virtio-mem on qemu-512m) is
# acknowledged: an undo that puts it back (a qom-set whose fdatasync
# failed) does not check the total again.  It did: the device was lost
# and hotmemfs froze ("not enough space ... 0xe0000000"; finalB B1).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
start() { LD_PRELOAD=$SHIM start_fs_netns "$@"; }
start --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts (qemu-512m, a state file)"
ctl device_add virtio-mem-pci id=vm0 size=3G requested-size=0 >/dev/null
tap_ok $? "vm0, 3G"
stop_fs
# the file as one from before the total was checked: vm0 4G, crc32 made anew
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
r = json.loads(open(p).read().replace("3221225472", "4294967296"))
m = json.dumps(r["machine"], separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")
r["crc32"] = zlib.crc32(m.encode())
open(p, "w").write(json.dumps(r))
PY
start --profile qemu-512m
tap_ok $? "restarts from the state file"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; print([d["data"]["max-size"] for d in json.load(sys.stdin)])')" \
	"[4294967296]" "vm0 restored at 4G, over the total of 3.5G (acknowledged)"
: >"$HOTMEM_TEST_SYNC_FAIL"
qmp_reply qom-set '{"path": "vm0", "property": "requested-size", "value": 268435456}' >"$TMP/qomset.out"
rm -f "$HOTMEM_TEST_SYNC_FAIL"
# the record's fdatasync() EIO (sync_shim.so), the change undone (machine.c
# unsaved()): not any failure, a frozen hotmemfs's answer least of all
is "$(cat "$TMP/qomset.out")" \
	"GenericError: saving the state file $STATE: Input/output error; the requested-size was undone" \
	"qom-set with fdatasync failing: refused (GenericError, EIO), undone"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; print([(d["data"]["id"], d["data"]["max-size"], d["data"]["requested-size"]) for d in json.load(sys.stdin)])')" \
	"[('vm0', 4294967296, 0)]" "... vm0 put back as it was, 4G, requested-size 0"
! grep -q "takes no more changes" "$TMP/qomset.out" "$TMP/hotmemfs.log"
tap_ok $? "... hotmemfs not frozen"
ctl qom-set vm0 requested-size 128M >/dev/null
tap_ok $? "... and the next change is taken"
stop_fs
done_testing
