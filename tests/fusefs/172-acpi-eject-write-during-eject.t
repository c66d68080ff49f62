#!/bin/bash
# A write of a slot's eject file returns at once while another DIMM's
# eject runs, as the kernel's acpi_eject_store() does: it queues the
# eject on kacpi_hotplug_wq (acpi_hotplug_schedule(), 6.12) and waits for
# no scan.  hotmemfs looked up the slot's DIMM under the device lock,
# which a running eject holds for as long as its offline takes (up to the
# 40 s bound on a stuck block): the write hung behind it.  The first
# eject is held by pinned pages until the test frees them: a write that
# waited for it would outlast its 20 s bound and fail.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
MHPC=/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
SYSW="python3 $HOTMEM_SRC/tests/fusefs/sysw.py"
# the devices' ids; "(query failed)" when hotmemctl or hotmemfs is gone, so
# that "no device left" cannot pass on a dead machine
ids() {
	local j
	j=$(ctl --json query-memory-devices) || { echo "(query failed)"; return; }
	python3 -c 'import json,sys; print(" ".join(d["data"]["id"] for d in json.load(sys.stdin)))' <<<"$j" ||
		echo "(query failed)"
}

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=512M addr=0x100000000 >/dev/null &&
	ctl device_add pc-dimm id=d2 size=128M addr=0x120000000 >/dev/null
tap_ok $? "DIMMs d1 (memory32-35) and d2 (memory36)"
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-33, 100 pinned ones after them (memory33 stuck)"
slot=$(readlink "$M/memory36/firmware_node")
slot=${slot##*/}
ctl device_del d1 >"$TMP/del.out" 2>&1 &
del=$!
block_state_wait 33 going-offline
tap_ok $? "d1's eject keeps at memory33 (going-offline)"
is "$(timeout 20 $SYSW w "$MNT$MHPC/$slot/eject" '1\n')" ret=2 \
	"echo 1 > $slot/eject (d2's) returns while d1's eject runs"
block_state_wait 33 going-offline
tap_ok $? "d1's eject still runs after it"
ctl free-all >/dev/null
wait_exit $del 60
tap_ok $? "the pins freed: device_del d1 ends"
for _ in $(seq 400); do [ -z "$(ids)" ] && break; sleep 0.05; done
is "$(ids)" "" "the queued eject of d2 ran after d1's: no device left"
stop_fs
done_testing
