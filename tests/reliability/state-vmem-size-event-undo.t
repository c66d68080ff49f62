#!/bin/bash
# MEMORY_DEVICE_SIZE_CHANGE (usereye4 #29) when the virtio-mem driver's
# plugging is undone because its record cannot be made durable: followers
# were told the size the driver reached (the event goes out as the guest
# changes it, before the record), so the undo that takes the plugging
# back tells them the size went back; the last event says the plugged
# size the device has.  Waited for, not timed: the rate limit may
# coalesce the two.
. "$(dirname "$0")/lib.sh"
require_sync_fail

LD_PRELOAD=$SHIM start_fs_netns --profile default --fresh
tap_ok $? "hotmemfs mounts the default profile"
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evp=$!
for _ in $(seq 200); do
	[ "$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])')" = 1 ] && break
	sleep 0.05
done
# last: vm0's last MEMORY_DEVICE_SIZE_CHANGE size in the stream
last() {
	python3 - "$TMP/ev.json" <<'PY'
import json, sys
last = "none"
for l in open(sys.argv[1]):
    if l.startswith("{"):
        e = json.loads(l)
        if e["event"] == "MEMORY_DEVICE_SIZE_CHANGE" and e["data"]["id"] == "vm0":
            last = str(e["data"]["size"])
print(last)
PY
}
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1536M >/dev/null
is "$(plugged)" $((1 << 30)) "virtio-mem vm0 requested 1.5G: 1G plugged, the driver waits for onlines"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold (1G) is online: memory32's online below is the fourth
for b in 33 34 35; do echo online_movable >"$M/memory$b/state" || break; done
is "$(plugged)" $((1 << 30)) "memory33-35 online: 640M still offline, no work queued"
: >"$TMP/fail"
# the write's own errno: the record's fdatasync() EIO (sync_shim.so), not any failure
is "$(python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$M/memory32/state" online_movable)" EIO \
	"memory32's online is refused with EIO, its fdatasync() failing (the driver's plugging after it undone)"
rm -f "$TMP/fail"
log_says "saving the state file .*: Input/output error; the memoryN/state was undone" 5
tap_ok $? "... hotmemfs says why: the save failed, the change was undone"
is "$(plugged)" $((1 << 30)) "... vm0 is back at 1G plugged"
# the device_add's event, then the driver's plugging's (at once, or kept
# and sent as its second ends: then the undo's, if any, replaced it)
ev_wait "$TMP/ev.json" '"MEMORY_DEVICE_SIZE_CHANGE"' 2
tap_ok $? "... a MEMORY_DEVICE_SIZE_CHANGE after the device_add's"
for _ in $(seq 400); do [ "$(last)" = $((1 << 30)) ] && break; sleep 0.05; done
is "$(last)" $((1 << 30)) "... and the undo tells them it went back: the last event says 1G"
stop_fs
wait_exit $evp 30 >/dev/null
done_testing
