#!/bin/bash
# A machine with no device memory at all -- QEMU's -m 512M without
# maxmem= (ram_size == maxram_size: an empty device-memory region), here
# qemu-512m with slots = 0 and qemu_maxmem = 512M -- refuses a memory
# device with QEMU's words, "memory devices (e.g. for memory hotplug) are
# not enabled, please specify the maxmem option" (QEMU 7.2
# memory_device_get_free_addr(), before any other check of the device);
# hotmemfs said "not enough space, currently 0x0 in use of total space
# for memory devices 0x0" (vmem33).  A pc-dimm is refused for its slot
# first, as QEMU does.  Compared with a real qemu-system-x86_64 -m 512M.
. "$(dirname "$0")/lib.sh"
require_env
printf 'profile = qemu-512m\nslots = 0\nqemu_maxmem = 512M\n' >"$TMP/nomax.profile"
# the same words without QEMU beside: the test fails without the fix either way
mount_fs "hotmemfs mounts qemu-512m without device memory (slots = 0, qemu_maxmem = 512M)" \
	--fresh --state none --profile "$TMP/nomax.profile"
err=$(ctl device_add virtio-mem-pci id=vm0 size=128M 2>&1)
is "${err#hotmemctl: error: }" \
	"memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option" \
	"a virtio-mem device: QEMU's words, no device memory"
err=$(ctl device_add virtio-mem-pci id=vm1 size=128M memaddr=0x100000000 2>&1)
is "${err#hotmemctl: error: }" \
	"memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option" \
	"... with memaddr= too"
is "$(ctl devices 2>&1 | tail -n +2)" "" "... nothing added"
stop_fs

mount_beside_qemu "$TMP/nomax.profile" -m 512M \
	-object memory-backend-ram,id=v0,size=128M -object memory-backend-ram,id=v1,size=128M \
	-object memory-backend-ram,id=m0,size=128M
QS=$QS qmp_conversation 120 <<'PY'
import os
from qmp_checks import ok, all_ran, ask, raw_connect, shown

q, h = raw_connect(os.environ["QS"]), raw_connect()
M = 1 << 20


def add(name, driver, memdev, **props):
    """device_add to both, their answers compared"""
    props = {k.replace("_", "-"): v for k, v in props.items()}
    a = shown(ask(q, "device_add", driver=driver, memdev=memdev, **props))
    b = shown(ask(h, "device_add", driver=driver, size=128 * M, **props))
    ok(a == b, "%s: %s (hotmemfs: %s)" % (name, a, b))


add("a virtio-mem device", "virtio-mem-pci", "v0", id="vm0")
add("a virtio-mem device at 4 GiB", "virtio-mem-pci", "v1", id="vm1", memaddr=0x100000000)
add("a DIMM (slots=0)", "pc-dimm", "m0", id="d0")
all_ran()
PY
stop_fs
done_testing
