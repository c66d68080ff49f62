#!/bin/bash
# A refused anonymous device_add takes its /machine/peripheral-anon/device[N]
# number as QEMU's does: qdev_device_add_from_qdict() names the device
# (qdev_set_id(), anon_count++) before it sets its properties and realizes
# it, so every refusal after that point takes one -- a property unknown or
# of a bad value, a node past the NUMA nodes -- and those before it do not
# (an unknown driver, virtio-mem's missing bus).  Compared with a real
# qemu-system-x86_64 (7.2; qdev-monitor.c is the same in 9.2).  hotmemfs
# took a number for its realize-time refusals only, and saved it with the
# next change: a kill -9 after a refusal gave the number out again (usereye9).
. "$(dirname "$0")/lib.sh"
require_env
mount_beside_qemu numa2 -m 2G,slots=4,maxmem=8G \
	-object memory-backend-ram,id=r0,size=1G -object memory-backend-ram,id=r1,size=1G \
	-numa node,nodeid=0,memdev=r0 -numa node,nodeid=1,memdev=r1 \
	-object memory-backend-ram,id=m1,size=128M

QS=$QS qmp_conversation 300 <<'PY'
import os
from qmp_checks import ok, all_ran, ask, raw_connect, shown

q, h = raw_connect(os.environ["QS"]), raw_connect()
for args in [{"driver": "pc-dimm", "node": 9}, {"driver": "pc-dimm", "foo": 1},
             {"driver": "nope"}, {"driver": "virtio-mem"}, {"driver": "pc-dimm", "node": -1}]:
    qa = dict(args, memdev="m1") if args["driver"] == "pc-dimm" else args
    ha = dict(args, size="128M") if args["driver"] == "pc-dimm" else args
    a, b = shown(ask(q, "device_add", **qa)), shown(ask(h, "device_add", **ha))
    ok(a.startswith("GenericError") and b.startswith("GenericError"),
       "anonymous device_add %s refused by both: %s (hotmemfs: %s)" % (args, a, b))
a = shown(ask(q, "device_add", driver="pc-dimm", memdev="m1"))
b = shown(ask(h, "device_add", driver="pc-dimm", size="128M"))
ok(a == "return: {}" and b.startswith("return: "), "then an anonymous DIMM in each")
a = shown(ask(q, "qom-list", path="/machine/peripheral-anon"))
b = shown(ask(h, "qom-list", path="/machine/peripheral-anon"))
ok(a == b and "device[3]" in a,
   "it is device[3] in both: the three refusals after qdev_set_id() took 0-2 (%s; hotmemfs: %s)"
   % (a, b))
all_ran()
PY
stop_fs

# the number a refusal took is in the state file at once
mount_fs "hotmemfs mounts (a private state file)" --fresh
ctl device_add pc-dimm size=128M node=9 >/dev/null 2>&1
is "$?" 1 "an anonymous device_add refused (node 9)"
kill -9 "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null
FS_PID=
umount -l "$MNT" 2>/dev/null
start_fs
tap_ok $? "kill -9 (no change after the refusal), restart on the state file"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "/machine/peripheral-anon/device[1]" \
	"the next anonymous DIMM is device[1]: the refusal's device[0] stays taken ($out)"
stop_fs
done_testing
