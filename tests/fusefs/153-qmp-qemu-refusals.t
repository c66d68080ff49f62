#!/bin/bash
# QEMU's properties refused in QEMU's words, not as "not found"
# (usereye5 #8a, #8h, #8j; each answer checked against QEMU 7.2 with a
# realized pc-dimm and virtio-mem-pci): qom-set of block-size "'block-size'
# cannot be changed", of size "is not writable", of any other property
# "Attempt to set property ... after it was realized", an unknown one
# "not found"; device_add with a QEMU property hotmem does not model
# (prealloc, memdev, ...) says so; query-commands lists qmp_capabilities
# and query-commands as QEMU does.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m --state none

qmp_conversation 120 <<'PY'
import json, sys
from qmp import Qmp
from qmp_checks import ok, all_ran

q = Qmp(sys.argv[1], timeout=60)


def check(cmd, args, want):
    try:
        got = "return: %s" % json.dumps(q.cmd(cmd, **args))[:80]
    except RuntimeError as x:
        e = x.args[0].split(": ", 1)[1]
        e = eval(e)  # the error's dict, as Qmp.cmd() raises it
        got = "%s: %s" % (e["class"], e["desc"])
    ok(got == want, "%s %s: %s" % (cmd, json.dumps(args), got))


q.cmd("device_add", driver="pc-dimm", id="d1", size="128M")
q.cmd("device_add", driver="virtio-mem-pci", id="vm0", size="1G", **{"requested-size": 0})
R = "after it was realized"
for path, prop, value, want in [
        ("vm0", "block-size", 4 << 20, "'block-size' cannot be changed"),
        ("/machine/peripheral/vm0", "block-size", 4 << 20, "'block-size' cannot be changed"),
        ("vm0", "size", 1 << 30, "Property 'virtio-mem.size' is not writable"),
        ("vm0", "node", 0, "Attempt to set property 'node' on anonymous device (type 'virtio-mem') " + R),
        ("vm0", "prealloc", True,
         "Attempt to set property 'prealloc' on anonymous device (type 'virtio-mem') " + R),
        ("vm0", "bogus", 1, "Property 'virtio-mem-pci.bogus' not found"),
        ("d1", "size", 1 << 30, "Property 'pc-dimm.size' is not writable"),
        ("d1", "addr", 0, "Attempt to set property 'addr' on device 'd1' (type 'pc-dimm') " + R),
        ("d1", "memdev", "m0", "Attempt to set link property 'memdev' on device 'd1' (type 'pc-dimm') " + R),
        ("d1", "bogus", 1, "Property 'pc-dimm.bogus' not found"),
        ("nope", "block-size", 1, "DeviceNotFound: Device 'nope' not found")]:
    check("qom-set", {"path": path, "property": prop, "value": value},
          want if want.startswith("DeviceNotFound") else "GenericError: " + want)
M = "is QEMU's, but hotmem does not model it (no memory backends, memslots or PCI bus: " \
    "size= stands for memdev's size)"
for drv, prop, val in [("virtio-mem-pci", "prealloc", "on"), ("virtio-mem-pci", "memdev", "m0"),
                       ("virtio-mem-pci", "bus", "pci.0"), ("pc-dimm", "memdev", "m0")]:
    check("device_add", {"driver": drv, "id": "x", "size": "128M", prop: val},
          "GenericError: Property '%s.%s' %s" % (drv, prop, M))
check("device_add", {"driver": "pc-dimm", "id": "x", "size": "128M", "bogus": 1},
      "GenericError: Property 'pc-dimm.bogus' not found")
ids = sorted(d["data"]["id"] for d in q.cmd("query-memory-devices"))
ok(ids == ["d1", "vm0"], "... nothing added by them: %s" % ids)
names = [c["name"] for c in q.cmd("query-commands")]
ok(all(names.count(c) == 1 for c in ["qmp_capabilities", "query-commands", "events", "device_add"]),
   "query-commands lists qmp_capabilities, query-commands, events, once each: %s" % " ".join(names))
all_ran()
PY
stop_fs
done_testing
