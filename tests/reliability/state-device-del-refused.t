#!/bin/bash
# A device_del that is refused changes nothing, the state file included:
# one naming no device answers QEMU's DeviceNotFound ("Device 'nope' not
# found"), a virtio-mem device's with memory plugged QEMU's refusal, and
# neither appends a record -- the state file and its journal are the same
# bytes after as before.  Every device_del was taken for a change that may
# have progressed half-way (a DIMM eject the guest refused, whose rollback
# onlines blocks again, has) and recorded when refused: after a block's
# change, and counted a save (status "state-saves").
set -u
. "$(dirname "$0")/lib.sh"
require_env

start_fs_netns --fresh --profile qemu-512m --cmdline memhp_default_state=offline
tap_ok $? "hotmemfs mounts qemu-512m with a private state file"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }

# the state file and the memory directory: the script's environment
STATE=$STATE MEM=$MNT/sys/devices/system/memory qmp_conversation 300 <<'PY'
import json, os
from qmp_checks import all_ran, ask, ok, raw_connect

statefile, mem = os.environ["STATE"], os.environ["MEM"]
s = raw_connect()


def files():
    """the state file and its journal, as bytes, and status's count of saves"""
    st = ask(s, "status")["return"]
    return [open(p, "rb").read() for p in [statefile, statefile + ".journal"]] + \
        [st[k] for k in ["state-saves", "state-save-errors", "state-journal-records"]]


r = ask(s, "device_add", **{"driver": "virtio-mem-pci", "id": "vm0", "size": "1G", "requested-size": "256M"})
ok("return" in r, "device_add virtio-mem-pci vm0, 256M plugged: %s" % json.dumps(r))
r = ask(s, "device_add", driver="pc-dimm", id="d1", size="256M")
ok("return" in r, "device_add pc-dimm d1: %s" % json.dumps(r))
bs = int(open(mem + "/block_size_bytes").read(), 16)
d1 = [d["data"] for d in ask(s, "query-memory-devices")["return"] if d["data"]["id"] == "d1"][0]
blk = "%s/memory%d/state" % (mem, d1["addr"] // bs)
with open(blk, "w") as w:
    w.write("online_movable")
ok(open(blk).read() == "online\n", "%s onlined (a run record)" % blk)
before = files()
for cmd, args, want in [
        ("device_del", {"id": "nope"},
         {"error": {"class": "DeviceNotFound", "desc": "Device 'nope' not found"}}),
        ("device_del", {"id": "/machine/peripheral/nope"},
         {"error": {"class": "DeviceNotFound", "desc": "Device '/machine/peripheral/nope' not found"}}),
        ("device_del", {"id": "vm0"}, "cannot get unplugged while some of its memory is still plugged")]:
    r = ask(s, cmd, **args)
    ok(r == want if isinstance(want, dict) else want in r.get("error", {}).get("desc", ""),
       "%s %s: refused as QEMU refuses it: %s" % (cmd, json.dumps(args), json.dumps(r)))
    now = files()
    ok(now[:2] == before[:2], "... the state file and its journal unchanged, byte for byte")
    ok(now[2:] == before[2:], "... no save counted (state-saves, -save-errors, -journal-records %s, were %s)"
       % (now[2:], before[2:]))
ids = [d["data"]["id"] for d in ask(s, "query-memory-devices")["return"]]
ok(ids == ["vm0", "d1"], "both devices still there: %s" % ids)
all_ran()
PY
stop_fs
done_testing
