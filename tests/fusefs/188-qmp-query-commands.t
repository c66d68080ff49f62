#!/bin/bash
# The QEMU commands a QMP client asks right after the handshake answer as
# QEMU 9.2's do (usereye7 #11f: all four were CommandNotFound):
# query-version (the greeting's version), query-status ({"running",
# "status"}: 9.1 removed "singlestep") and query-memory-size-summary
# ({"base-memory": -m, "plugged-memory": what the memory devices plug}),
# compared with a real qemu-system-x86_64 of the same machine as
# profile qemu-512m (-m 512M,slots=4,maxmem=4G) with the same devices.
# qom-list too, of what hotmemfs has of QEMU's tree: /machine/peripheral,
# /machine/peripheral-anon, a pc-dimm (as sets: QEMU's order is a hash
# table's); of /, /machine, a virtio-mem-pci and its virtio-backend a part
# of QEMU's list, type and the children and links hotmemfs has; qom-get of
# /machine's type QEMU's machine type (was "container").
. "$(dirname "$0")/lib.sh"
require_env
mount_beside_qemu qemu-512m -m 512M,slots=4,maxmem=4G \
	-object memory-backend-ram,id=m1,size=128M -object memory-backend-ram,id=m2,size=1G \
	-object memory-backend-ram,id=m3,size=128M

QS=$QS qmp_conversation 300 <<'PY'
import os
from qmp_checks import ok, all_ran, ask, raw_connect, shown

q, h = raw_connect(os.environ["QS"]), raw_connect()


def both(cmd, **args):
    return ask(q, cmd, **args), ask(h, cmd, **args)


qv, hv = both("query-version")
ok("return" in qv and "return" in hv and set(qv["return"]) == set(hv["return"]) ==
   {"qemu", "package"} and set(qv["return"]["qemu"]) == set(hv["return"]["qemu"]),
   "query-version: QEMU's members (QEMU %s, hotmemfs %s)" % (qv, hv))
ok(hv["return"]["qemu"] == {"major": 9, "minor": 2, "micro": 0},
   "... hotmemfs's: the greeting's QEMU 9.2.0 (%s)" % hv["return"])
qs, hs = both("query-status")
ok(set(qs.get("return", {})) - {"singlestep"} == set(hs.get("return", {})),
   "query-status: QEMU's members but 7.2's singlestep (QEMU %s, hotmemfs %s)" % (qs, hs))
ok(hs == {"return": {"running": True, "status": "running"}}, "... the guest runs: %s" % hs)
qm, hm = both("query-memory-size-summary")
ok(qm == hm, "query-memory-size-summary of the machine as booted: %s (hotmemfs %s)" % (qm, hm))
qa = ask(q, "device_add", driver="pc-dimm", memdev="m1", id="d1")
ha = ask(h, "device_add", driver="pc-dimm", size="128M", id="d1")
ok("return" in qa and "return" in ha, "a 128M DIMM d1 in each (QEMU %s, hotmemfs %s)" % (qa, ha))
ask(q, "device_add", driver="virtio-mem-pci", memdev="m2", id="vm0", **{"requested-size": 0})
ask(h, "device_add", driver="virtio-mem-pci", size="1G", id="vm0", **{"requested-size": 0})
qm, hm = both("query-memory-size-summary")
ok(qm == hm == {"return": {"base-memory": 512 << 20, "plugged-memory": 128 << 20}},
   "and with it and a virtio-mem device plugging nothing: %s (hotmemfs %s)" % (qm, hm))
ask(q, "device_add", driver="pc-dimm", memdev="m3")
ask(h, "device_add", driver="pc-dimm", size="128M")


def props(r):
    """a qom-list reply as a set (QEMU lists a hash table's order)"""
    if "error" in r:
        return shown(r)
    return sorted((p["name"], p["type"]) for p in r["return"])


for path in ["/machine/peripheral", "/machine/peripheral-anon", "/machine/peripheral/d1", "d1",
             "peripheral-anon/device[0]", "nope", "/machine/peripheral/nope"]:
    a, b = props(ask(q, "qom-list", path=path)), props(ask(h, "qom-list", path=path))
    ok(a == b, "qom-list %s: %s (hotmemfs %s)" % (path, a, b))
# what hotmemfs lists of /, /machine, a virtio-mem-pci and its
# virtio-backend (were "not modelled", usereye9): type, the children and
# links it has, each as QEMU lists it -- a part of QEMU's list, never a
# name QEMU has not or of another type
want = {"/": [("machine", "child<pc-i440fx-7.2-machine>")],
        "/machine": [("peripheral", "child<container>"), ("peripheral-anon", "child<container>")],
        "vm0": [("virtio-backend", "child<virtio-mem>"), ("virtio-bus", "child<virtio-pci-bus>"),
                ("memdev", "link<memory-backend>"), ("parent_bus", "link<bus>"),
                ("requested-size", "size"), ("size", "size"), ("memaddr", "uint64")],
        "/machine/peripheral/vm0/virtio-backend": [("memdev", "link<memory-backend>"),
                                                   ("requested-size", "size")]}
for path, have in want.items():
    a, b = props(ask(q, "qom-list", path=path)), props(ask(h, "qom-list", path=path))
    ok(isinstance(a, list) and isinstance(b, list) and set(b) <= set(a) and
       set(have) | {("type", "string")} <= set(b),
       "qom-list %s: type and %s, a part of QEMU's (hotmemfs %s; not QEMU's: %s)" %
       (path, have, b, sorted(set(b) - set(a)) if isinstance(a, list) else a))
a, b = props(ask(q, "qom-list", path="/machine/peripheral/d1")), props(ask(h, "qom-list", path="d1"))
ok(a == b, "a pc-dimm's list still QEMU's whole (hotmemfs %s)" % b)
for prop in ["type", "nosuch"]:
    a = shown(ask(q, "qom-get", path="/machine", property=prop))
    b = shown(ask(h, "qom-get", path="/machine", property=prop))
    ok(a == b, "qom-get /machine %s: %s (hotmemfs %s)" % (prop, a, b))
a = shown(ask(q, "qom-set", path="/machine", property="type", value="x"))
b = shown(ask(h, "qom-set", path="/machine", property="type", value="x"))
ok(a == b, "qom-set /machine type: %s (hotmemfs %s)" % (a, b))
# QEMU's /machine/unattached (the board's devices, device[0] its CPU) is
# not modelled: a partial device[0] is ambiguous in QEMU, hotmemfs's
# anonymous device[0] here (docs/hotmemctl.md says which it answers)
a, b = shown(ask(q, "qom-list", path="device[0]")), props(ask(h, "qom-list", path="device[0]"))
ok(a == "GenericError: Path 'device[0]' is ambiguous" and ("slot", "int32") in b,
   "partial device[0]: QEMU's %s, hotmemfs the anonymous DIMM's list" % a)
b = shown(ask(h, "qom-list", path="/machine/unattached"))
ok(b == "GenericError: qom-list /machine/unattached: QEMU's board devices (/machine/unattached) "
   "are not modelled by hotmem", "qom-list /machine/unattached: not modelled, said so (%s)" % b)
names = [c["name"] for c in ask(h, "query-commands")["return"]]
ok({"query-version", "query-status", "query-memory-size-summary", "qom-list"} <= set(names),
   "query-commands lists them")
all_ran()
PY
stop_fs
done_testing
