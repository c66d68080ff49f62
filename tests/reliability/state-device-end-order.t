#!/bin/bash
# review14 R10: a DIMM's device_del ends with DEVICE_DELETED and the _OST
# of its emptied slot, queued once the removal is durable -- after
# change_lock is let go, the journal's fdatasync() between.  A second
# client's device_add of the same id into the same slot in that window
# must not have its events first: QEMU frees the id as it sends
# DEVICE_DELETED (device_finalize()) and the guest answers the eject's
# _OST before it handles the next device check (kacpi_hotplug_wq is
# ordered), so a follower (libvirt) reads the old d6 gone before the new
# d6 comes.  The window is held open: the device_del's fdatasync() waits
# (sync_shim.so) while the device_add is sent, and until hotmemfs has read
# it: the kernel says so without ptrace (no gdb: finalE F7), as a unix
# stream socket's bytes stay charged to their sender (SIOCOUTQ) until the
# peer's recv() takes them.
. "$(dirname "$0")/lib.sh"
require_env
require_shim
need_tool python3 python3
export HOTMEM_TEST_SYNC_HOLD=$TMP/hold

# order: the follower's memory uevents, OSTs and DEVICE_DELETEDs, a line each
order() {
	python3 - "$TMP/ev.json" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    if not l.startswith("{"):
        continue
    e = json.loads(l)
    d = e.get("data", {})
    if e["event"] == "UEVENT" and d.get("subsystem") == "memory":
        print("UEVENT", d["action"], d["devpath"].rsplit("/", 1)[1])
    elif e["event"] == "ACPI_DEVICE_OST":
        i = d["info"]
        print("OST", i.get("device", "-"), "slot=" + i["slot"], i["source"], hex(i["status"]))
    elif e["event"] == "DEVICE_DELETED":
        print("DELETED", d.get("device", "-"))
PY
}

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add pc-dimm id=d6 size=128M addr=0x100000000 >/dev/null
tap_ok $? "device_add d6 (slot 0, memory32, offline)"
ctl settle --timeout 60 >/dev/null
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows"

: >"$TMP/hold"
ctl device_del d6 >"$TMP/del.out" 2>&1 &
DEL=$!
held_wait
tap_ok $? "device_del d6 removed it; its record's fdatasync() held"
# the second client's device_add d6: sent, then $TMP/add.read once
# hotmemfs's recv() has taken all of it (SIOCOUTQ 0), then its reply
PYTHONPATH="$HOTMEM_SRC/tests/kernel:$HOTMEM_SRC/tests/fusefs" timeout 120 \
	python3 - "$CTL" "$TMP/add.read" >"$TMP/add.out" 2>&1 <<'PY' &
import fcntl, json, struct, sys, termios, time
from qmp_checks import raw_connect, reply, shown
s = raw_connect()
s.sendall(json.dumps({"execute": "device_add", "arguments": {
    "driver": "pc-dimm", "id": "d6", "size": "128M", "addr": "0x100000000"}}).encode() + b"\n")
while struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, bytes(4)))[0]:
    time.sleep(0.01)
open(sys.argv[2], "w").close()
print(shown(reply(s)))
PY
ADD=$!
# the second device_add runs (unfixed: memory32 comes back, its own record's
# sync held) or waits for the first's end: either way hotmemfs has it
# before the hold goes, not guessed to by a fixed wait
for _ in $(seq 1200); do [ -e "$TMP/add.read" ] || ! kill -0 "$ADD" 2>/dev/null && break; sleep 0.05; done
[ -e "$TMP/add.read" ]
tap_ok $? "the second client's device_add d6 read by hotmemfs (its socket's bytes all taken)" ||
	diag "$(cat "$TMP/add.out")"
rm "$TMP/hold"
wait_exit "$DEL" 60
tap_ok $? "device_del d6 done" || diag "$(cat "$TMP/del.out")"
wait_exit "$ADD" 60 && grep -q '^return: ' "$TMP/add.out"
tap_ok $? "the second client's device_add d6 done" || diag "$(cat "$TMP/add.out")"
ev_wait "$TMP/ev.json" '"source":1' 1
tap_ok $? "the new d6's device check _OST arrives"
ctl settle --timeout 60 >/dev/null
is "$(order)" 'OST d6 slot=0 3 0x84
UEVENT remove memory32
DELETED d6
OST - slot=0 3 0x0
UEVENT add memory32
OST d6 slot=0 1 0x0' \
	"the old d6's DEVICE_DELETED and its slot's _OST before anything of the new d6"

# a change that waits for another's ends still ends at its signal (the
# command's timeout, as at change_lock: lock_change_sysfs())
: >"$TMP/hold"
ctl device_del d6 >"$TMP/del.out" 2>&1 &
DEL=$!
held_wait
tap_ok $? "device_del of the new d6: its fdatasync() held"
ctl offline 3 timeout=300 >"$TMP/off.out" 2>&1 &
OFF=$!
wait_exit "$OFF" 30
rc=$?
rm "$TMP/hold"
is "$rc $(grep -c "interrupted (the timeout ran out) while waiting for another change" "$TMP/off.out")" "1 1" \
	"offline 3 timeout=300 meanwhile: EINTR at its timeout, not after the hold" || diag "$(cat "$TMP/off.out")"
wait_exit "$DEL" 60
tap_ok $? "device_del d6 done"
done_testing
