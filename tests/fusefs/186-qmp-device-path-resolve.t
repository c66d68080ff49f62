#!/bin/bash
# device_del, qom-get and qom-set resolve a device's QOM path as QEMU
# does (qom/object.c): device_del's find_device_state() by
# object_resolve_path_at() from /machine/peripheral -- empty components
# skipped ("d1/", "/machine//peripheral/d1"), a container "is not a
# device", the virtio-mem-pci's virtio-backend child on a bus without
# hotplug -- and qom-get's qom_resolve_path() by object_resolve_path(),
# partial paths too ("peripheral/d1"; "virtio-backend" of two devices is
# ambiguous: DeviceNotFound, as 9.2's qom-get says it too).  /machine, the
# machine object, hotmemfs models as a container (its type is not QEMU's
# machine type): compared for device_del only.  hotmemfs took an exact /machine/peripheral/ID or an ID
# only: DeviceNotFound for all the others (finalF F6).  Each answer is
# compared with a real qemu-system-x86_64's with the same devices (its
# 7.2 says "is not a hotpluggable device" where 9.2 says "is not a
# device": the word is 9.2's here).
. "$(dirname "$0")/lib.sh"
require_env
mount_beside_qemu qemu-512m -m 512M,slots=4,maxmem=4G \
	-object memory-backend-ram,id=m1,size=128M -object memory-backend-ram,id=m2,size=128M \
	-object memory-backend-ram,id=m3,size=128M -object memory-backend-ram,id=v1,size=1G \
	-object memory-backend-ram,id=v2,size=1G

QS=$QS qmp_conversation 300 <<'PY'
import os
from qmp_checks import ok, all_ran, ask, raw_connect, shown

q, h = raw_connect(os.environ["QS"]), raw_connect()


def both(cmd, **args):
    a, b = shown(ask(q, cmd, **args)), shown(ask(h, cmd, **args))
    return a.replace("is not a hotpluggable device", "is not a device"), b


for i, m in (("d1", "m1"), ("d2", "m2"), ("d3", "m3")):
    ask(q, "device_add", driver="pc-dimm", memdev=m, id=i)
    ask(h, "device_add", driver="pc-dimm", size="128M", id=i)
ask(q, "device_add", driver="virtio-mem-pci", memdev="v1", id="vm1", **{"requested-size": 0})
ask(h, "device_add", driver="virtio-mem-pci", size="1G", id="vm1", **{"requested-size": 0})

for path in ["d1", "d1/", "/machine/peripheral/d1", "/machine//peripheral/d1/", "peripheral/d1",
             "machine/peripheral/d1", "/peripheral/d1", "nope", "", "/",
             "/machine/peripheral", "peripheral", "vm1/virtio-backend", "virtio-backend",
             "/machine/peripheral/vm1/virtio-backend", "d1/virtio-backend"]:
    for prop in ["size", "type"]:
        a, b = both("qom-get", path=path, property=prop)
        ok(a == b, "qom-get %r %s: %s (hotmemfs: %s)" % (path, prop, a, b))
for path, prop in [("/machine/peripheral", "type"), ("/machine/peripheral", "foo"), ("d1", "type"),
                   ("peripheral/d1", "node"), ("vm1", "type")]:
    a, b = both("qom-set", path=path, property=prop, value=0)
    ok(a == b, "qom-set %r %s: %s (hotmemfs: %s)" % (path, prop, a, b))
for path in ["d1/", "/machine//peripheral/d2", "peripheral/d3", "/machine/peripheral-anon",
             "/machine", "", "/", "nope", "vm1/virtio-backend", "d3"]:
    a, b = both("device_del", id=path)
    ok(a == b, "device_del %r: %s (hotmemfs: %s)" % (path, a, b))
ask(q, "device_add", driver="virtio-mem-pci", memdev="v2", id="vm2", **{"requested-size": 0})
ask(h, "device_add", driver="virtio-mem-pci", size="1G", id="vm2", **{"requested-size": 0})
a, b = both("qom-get", path="virtio-backend", property="size")
ok(a == b, "two virtio-mem devices: qom-get virtio-backend: %s (hotmemfs: %s)" % (a, b))
all_ran()
PY
stop_fs
done_testing
