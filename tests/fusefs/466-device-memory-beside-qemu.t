#!/bin/bash
# qemu-512m's device memory against a real qemu-system-x86_64 with its
# -m 512M,slots=4,maxmem=4G (tests/fusefs/465 has the same answers
# written down): the same device_adds, each answer compared -- taken
# between 8 and 11.5 GiB, refused past 11.5 GiB ("usable range for
# memory devices [0x100000000:0x1e0000000]"), refused past the 3.5 GiB
# total ("not enough space ..."), an address taken by another device --
# and the addresses query-memory-devices lists, one placed without addr
# among them.  hotmemfs cut the region at 8 GiB (vmem32 V2): the first
# device past it was refused here and taken by QEMU.  QEMU's side gets a
# memory backend of each size (memdev=), hotmemfs's the size.
. "$(dirname "$0")/lib.sh"
require_env
backends=()
for i in $(seq 0 9); do backends+=(-object "memory-backend-ram,id=m$i,size=128M"); done
mount_beside_qemu qemu-512m -m 512M,slots=4,maxmem=4G "${backends[@]}" \
	-object memory-backend-ram,id=v0,size=1G -object memory-backend-ram,id=v1,size=1G \
	-object memory-backend-ram,id=v2,size=2560M -object memory-backend-ram,id=v3,size=2M

QS=$QS qmp_conversation 300 <<'PY'
import os
from qmp_checks import ok, all_ran, ask, raw_connect, shown

q, h = raw_connect(os.environ["QS"]), raw_connect()
G, M = 1 << 30, 1 << 20
backend = {128 * M: iter("m%d" % i for i in range(10)), G: iter(["v0", "v1"]),
           2560 * M: iter(["v2"]), 2 * M: iter(["v3"])}


def add(name, driver, size, **props):
    """device_add of a DRIVER of SIZE to both, their answers compared"""
    props = {k.replace("_", "-"): v for k, v in props.items()}
    a = shown(ask(q, "device_add", driver=driver, memdev=next(backend[size]), **props))
    b = shown(ask(h, "device_add", driver=driver, size=size, **props))
    ok(a == b, "%s: %s (hotmemfs: %s)" % (name, a, b))


add("a DIMM at 11.5 GiB, the region's end", "pc-dimm", 128 * M, id="dend", addr=0x2e0000000)
add("a DIMM at 3.75 GiB, below the region", "pc-dimm", 128 * M, id="dlow",
    addr=0xf0000000)
add("a DIMM at 11 GiB", "pc-dimm", 128 * M, id="d11", addr=0x2c0000000)
add("a DIMM in the region's last 128M", "pc-dimm", 128 * M, id="dtop", addr=0x2d8000000)
add("a 1G virtio-mem at 10 GiB", "virtio-mem-pci", G, id="vm0", memaddr=0x280000000,
    requested_size=0)
add("a 1G virtio-mem at 11 GiB, 512M past the end", "virtio-mem-pci", G, id="vmx",
    memaddr=0x2c0000000, requested_size=0)
add("a DIMM at 10.5 GiB, inside vm0", "pc-dimm", 128 * M, id="din", addr=0x2a0000000)
add("a DIMM at 9.5 GiB", "pc-dimm", 128 * M, id="d95", addr=0x260000000)
add("a DIMM without addr", "pc-dimm", 128 * M, id="dauto")
add("a 2.5G virtio-mem, 1.5 GiB of 3.5 in use", "virtio-mem-pci", 2560 * M, id="vm2",
    requested_size=0)


def addrs(s):
    r = ask(s, "query-memory-devices").get("return", [])
    return [(d["data"].get("id"), d["data"].get("addr", d["data"].get("memaddr"))) for d in r]


a, b = addrs(q), addrs(h)
ok(a == b and len(a) == 5, "query-memory-devices: %s (hotmemfs: %s)" %
   (", ".join("%s@%#x" % d for d in a), ", ".join("%s@%#x" % d for d in b)))
all_ran()
PY
stop_fs
done_testing
