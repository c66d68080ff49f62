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
# table's).
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
names = [c["name"] for c in ask(h, "query-commands")["return"]]
ok({"query-version", "query-status", "query-memory-size-summary", "qom-list"} <= set(names),
   "query-commands lists them")
all_ran()
PY
stop_fs
done_testing
