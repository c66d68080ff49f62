#!/bin/bash
# QEMU's MEMORY_DEVICE_SIZE_CHANGE (qapi/machine.json, 5.1; qom-path 6.2)
# to `hotmemctl events` followers whenever the guest's driver changes a
# virtio-mem device's plugged size (hw/virtio/virtio-mem-pci.c
# virtio_mem_pci_size_change_notify()): a growth, a shrink, a device_add's
# plug, the driver's retry of a shrink pinned pages stopped; QEMU's
# members {"id", "size", "qom-path"} in that
# order; rate-limited per device as QEMU's monitor does
# (monitor/monitor.c monitor_qapi_event_queue_no_reenter()): the first at
# once, those within its second coalesced into the last, which comes at
# the second's end -- three resizes sent back to back give two events, the
# first and the last size, never the middle one (usereye4 #29); stamped
# when it goes out, so that the stream's timestamps never go backwards
# (QEMU keeps the one it was made with).  No durations are asserted: only
# which events come, and their order.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
M=$MNT/sys/devices/system/memory
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
evp=$!
"$HMCTL" -s "$CTL" events >"$TMP/ev.txt" 2>"$TMP/evt.err" &
evt=$!
follow_wait 2 "hotmemctl events follows (JSON and table)"

# sizes DEV: DEV's MEMORY_DEVICE_SIZE_CHANGE sizes in the stream, in MiB
sizes() {
	python3 - "$TMP/ev.json" "$1" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1]):
    if not l.startswith("{"):
        continue
    e = json.loads(l)
    if e["event"] == "MEMORY_DEVICE_SIZE_CHANGE" and e["data"].get("id") == sys.argv[2]:
        out.append(str(e["data"]["size"] >> 20))
print(" ".join(out))
PY
}

# qom-set of DEV's requested-size to each of SIZES (bytes), sent back to
# back on one connection, then each reply read
resize_burst() {
	PYTHONPATH="$HOTMEM_SRC/tests/kernel" timeout 120 python3 - "$CTL" "$@" <<'PY'
import json, socket, sys
from qmp import negotiate
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
negotiate(s)
dev, sizes = sys.argv[2], sys.argv[3:]
req = "".join(json.dumps({"execute": "qom-set", "arguments": {"path": dev,
      "property": "requested-size", "value": int(v)}}) + "\n" for v in sizes)
s.sendall(req.encode())
f = s.makefile("rb")
replies = 0
while replies < len(sizes):
    l = f.readline()
    if not l:
        sys.exit("hotmemfs hung up")
    r = json.loads(l)
    if "event" in r:
        continue  # this connection gets the events too, between the replies
    if "return" not in r:
        sys.exit("refused: " + l.decode())
    replies += 1
PY
}

M128=$((128 << 20))
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=0 >/dev/null
tap_ok $? "device_add virtio-mem-pci vm1, requested-size 0: nothing plugged"
resize_burst vm1 $M128 $((2 * M128)) $((3 * M128))
tap_ok $? "qom-set vm1 requested-size 128M, 256M, 384M back to back"
is "$(ctl qom-get vm1 size)" $((3 * M128)) "... the guest plugged 384M"
ev_wait "$TMP/ev.json" '"size":402653184' 1
tap_ok $? "... the last size's MEMORY_DEVICE_SIZE_CHANGE arrives"
is "$(sizes vm1)" "128 384" \
	"... the first at once, the last at its second's end: the middle one (256M) coalesced away"
grep MEMORY_DEVICE_SIZE_CHANGE "$TMP/ev.json" | head -n 1 |
	grep -q '"data":{"id":"vm1","size":134217728,"qom-path":"/machine/peripheral/vm1"},"timestamp"'
tap_ok $? "... QEMU's members in its order: id, size, qom-path"

# a shrink is a change too; the device_add of another device whose plug
# completes sends its own at once, whatever vm1's limit holds
ctl qom-set vm1 requested-size 0 >/dev/null
tap_ok $? "qom-set vm1 requested-size 0"
ctl device_add virtio-mem-pci id=vm2 size=512M requested-size=128M >/dev/null
tap_ok $? "device_add virtio-mem-pci vm2 requested-size=128M"
ev_wait "$TMP/ev.json" '"id":"vm2"' 1
tap_ok $? "... vm2's MEMORY_DEVICE_SIZE_CHANGE arrives"
is "$(sizes vm2)" "128" "... its plugged 128M"
ev_wait "$TMP/ev.json" '"id":"vm1","size":0,' 1
tap_ok $? "vm1's shrink to 0 arrives"
# a shrink's requests (one a memory block) each say a size: its first at
# once unless vm1's second is still running, its last (0) after
s=$(sizes vm1)
[[ "$s" == "128 384 "* && "$s" == *" 0" ]] && python3 -c 'import sys; v = [int(x) for x in sys.argv[1:]]; sys.exit(v != sorted(v, reverse=True))' ${s#128 }
tap_ok $? "... after vm1's earlier ones, the shrink's going down to 0 ($s)"

back=$(python3 - "$TMP/ev.json" <<'PY'
import json, sys
prev = None
for l in open(sys.argv[1]):
    if l.startswith("{"):
        e = json.loads(l)
        t = (e["timestamp"]["seconds"], e["timestamp"]["microseconds"])
        if prev is not None and t < prev:
            print("backwards", e["event"], e.get("data"))
        prev = t
PY
)
is "$back" "" "the stream's timestamps never go backwards: a coalesced event is stamped when it goes out"

# hotmemctl events' table says it too
ev_wait "$TMP/ev.txt" MEMORY_DEVICE_SIZE_CHANGE 4
grep MEMORY_DEVICE_SIZE_CHANGE "$TMP/ev.txt" | head -n 1 | grep -q ' MEMORY_DEVICE_SIZE_CHANGE vm1 size=134217728$'
tap_ok $? "hotmemctl events prints MEMORY_DEVICE_SIZE_CHANGE ID size=BYTES"
# a shrink stopped short by pinned pages, then the driver's retry (its
# timer fired now: vmem-retry) gets the rest: the retry's size too
ctl qom-set vm2 requested-size 0 >/dev/null
ctl device_add virtio-mem-pci id=vm3 size=1G requested-size=512M >/dev/null
tap_ok $? "device_add virtio-mem-pci vm3 requested-size=512M"
for f in "$M"/memory*/state; do
	[ "$(cat "$f")" = offline ] && echo online_movable >"$f"
done
ctl alloc pinned 100 >/dev/null
ctl set-size vm3 0 >/dev/null 2>&1
p=$(ctl qom-get vm3 size)
[ "$p" -gt 0 ] 2>/dev/null
tap_ok $? "pinned pages stop vm3's shrink (plugged $p)"
ctl free-all >/dev/null
ctl vmem-retry vm3 >/dev/null
is "$(ctl qom-get vm3 size)" 0 "... freed, the driver's retry unplugs the rest"
ev_wait "$TMP/ev.json" '"id":"vm3","size":0,' 1
tap_ok $? "... and its MEMORY_DEVICE_SIZE_CHANGE says size 0"
# abuse29a N4: QEMU notifies each plug request the device ACKs, the
# monitor sending the first at once: one 0 -> 256M resize is two requests
# (a memory block each), 128M then 256M; hotmem sent 256M alone (once a
# driver run).  Two events: the limit coalesces none, whatever the timing.
ctl device_add virtio-mem-pci id=vm4 size=1G requested-size=0 >/dev/null &&
	ctl qom-set vm4 requested-size 256M >/dev/null
tap_ok $? "device_add virtio-mem-pci vm4 requested-size=0, then qom-set requested-size 256M"
ev_wait "$TMP/ev.json" '"id":"vm4","size":268435456,' 1
tap_ok $? "... its 256M MEMORY_DEVICE_SIZE_CHANGE arrives"
is "$(sizes vm4)" "128 256" "... after the first request's 128M, sent at once, as QEMU's (abuse29a N4)"
stop_fs
wait_exit $evp 30 >/dev/null
wait_exit $evt 30 >/dev/null
done_testing
