#!/bin/bash
# QEMU 9.2's words where hotmemfs had its own (usereye7 #10, #11d, #11e,
# #11m), each compared with a real qemu-system-x86_64 of the numa2
# machine (2 GiB on nodes 0-1, 4 NUMA nodes) with the same devices:
# - qom-set's requested-size is visited as QEMU's object_property_set_qobject()
#   does: a JSON integer (a negative one as its uint64, which the device
#   then refuses), anything else "Parameter 'requested-size' expects
#   uint64", none "Parameter 'value' is missing" (was "expects a size"),
#   and is taken with QEMU's {};
# - device_add of "virtio-mem" (the device on the proxy's bus) is "No
#   'virtio-bus' bus found" (was taken as virtio-mem-pci);
# - a node past the NUMA nodes is pc_dimm_realize()'s or
#   virtio_mem_device_realize()'s refusal, a negative one no uint32 (was
#   "node 4 does not exist (possible: 0-3)").
# A string size ("1G", "0") is refused as QEMU refuses it, and a
# qom-set that is taken replies QEMU's {} (they were hotmem's own: the
# string taken, the device returned); hotmemctl sends the number and
# asks `devices` for its line.
. "$(dirname "$0")/lib.sh"
require_env
mount_beside_qemu numa2 -m 2G,slots=4,maxmem=8G \
	-object memory-backend-ram,id=r0,size=1G -object memory-backend-ram,id=r1,size=1G \
	-numa node,nodeid=0,memdev=r0 -numa node,nodeid=1,memdev=r1 -numa node,nodeid=2 \
	-numa node,nodeid=3 -object memory-backend-ram,id=m1,size=128M \
	-object memory-backend-ram,id=v1,size=1G

QS=$QS qmp_conversation 300 <<'PY'
import os
from qmp_checks import ok, all_ran, ask, raw_connect, shown

q, h = raw_connect(os.environ["QS"]), raw_connect()


def refusal(r):
    return shown(r) if "error" in r else "return"


for args in [{"node": 4}, {"node": -1}, {"node": "4"}, {"node": "-1"}]:
    a = refusal(ask(q, "device_add", driver="pc-dimm", memdev="m1", id="d1", **args))
    b = refusal(ask(h, "device_add", driver="pc-dimm", size="128M", id="d1", **args))
    ok(a == b, "device_add pc-dimm %s: %s (hotmemfs: %s)" % (args, a, b))
a = refusal(ask(q, "device_add", driver="virtio-mem-pci", memdev="v1", id="vm1", node=4,
                **{"requested-size": 0}))
b = refusal(ask(h, "device_add", driver="virtio-mem-pci", size="1G", id="vm1", node=4,
                **{"requested-size": 0}))
ok(a == b, "device_add virtio-mem-pci node=4: %s (hotmemfs: %s)" % (a, b))
a = refusal(ask(q, "device_add", driver="virtio-mem", memdev="v1", id="vm1"))
b = refusal(ask(h, "device_add", driver="virtio-mem", size="1G", id="vm1"))
ok(a == b, "device_add virtio-mem: %s (hotmemfs: %s)" % (a, b))
a = refusal(ask(q, "device_add", driver="virtio-mem-pci", memdev="v1", id="vm1",
                **{"requested-size": 0}))
b = refusal(ask(h, "device_add", driver="virtio-mem-pci", size="1G", id="vm1",
                **{"requested-size": 0}))
ok(a == b == "return", "a virtio-mem-pci vm1 of 1G in each")
V = object()
for value in [V, True, None, 2.5e8, 1 << 64, 1, -1, "128M", "0", 4 << 30, 256 << 20, 0]:
    args = {} if value is V else {"value": value}
    a = shown(ask(q, "qom-set", path="vm1", property="requested-size", **args))
    b = shown(ask(h, "qom-set", path="vm1", property="requested-size", **args))
    ok(a == b, "qom-set vm1 requested-size %s: %s (hotmemfs: %s)" %
       ("(no value)" if value is V else repr(value), a, b))
all_ran()
PY
out=$(ctl set-size vm1 256M)
tap_ok $? "hotmemctl set-size vm1 256M (sends the number): $out"
is "${out%%,*}" "vm1: requested 256M" "... its line from the device asked after QEMU's {}"
out=$(ctl --json qom-set vm1 requested-size 0 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["requested-size"])')
is "$out" "vm1 0" "--json qom-set: the device's object, as before"
ctl set-size vm1 1X >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:hotmemctl: set-size: bad size '1X': a size, 128M, 1G or 0x8000000 (set-size ID SIZE; hotmemctl --help)" \
	"a SIZE that is none: a usage error, nothing sent"
stop_fs
done_testing
