#!/bin/bash
# echo 1 > PNP0C80:xx/eject queues the guest's eject and returns at once,
# as the kernel's acpi_eject_store() -> acpi_hotplug_schedule() does
# (drivers/acpi/device_sysfs.c, scan.c, 6.12): the eject runs on
# kacpi_hotplug_wq, after the write.  A DIMM whose movable pages must
# migrate is still there when the write has returned; it goes once the
# queued eject is done, with its slot's _STA 0.  An eject the guest
# refuses leaves the write successful and says busy in dmesg.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
MHPC=/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
SYSW="python3 $HOTMEM_SRC/tests/fusefs/sysw.py"
devices() { ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join(d["data"]["id"] for d in json.load(sys.stdin)))'; }
until_gone() { for _ in $(seq 400); do devices | grep -qw "$1" || return 0; sleep 0.05; done; return 1; }

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=512M >/dev/null
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
is "$(cat $M/memory3[2-5]/state | sort -u)" "online" "the DIMM's memory32-35 online movable"
ctl alloc movable 120000 >/dev/null
tap_ok $? "120000 movable pages allocated (they fill ZONE_MOVABLE: the eject migrates them)"
slot=$(readlink "$M/memory32/firmware_node")
slot=${slot##*/}
is "$($SYSW w "$MNT$MHPC/$slot/eject" '1\n')" ret=2 "echo 1 > $slot/eject"
[ -e "$M/memory35" ]
tap_ok $? "... returns with the DIMM still there: the eject is queued"
until_gone d1
tap_ok $? "... the queued eject takes it away"
[ ! -e "$M/memory32" ] && [ ! -e "$M/memory35" ]
tap_ok $? "... with its blocks"
is "$(cat "$MNT$MHPC/$slot/status")" 0 "... and its slot's _STA is 0"
ctl check >/dev/null
tap_ok $? "invariants hold (the workload's pages migrated to boot memory)"
ctl free-all >/dev/null

# a refused eject: an unmovable page in the DIMM's Normal block
ctl device_add pc-dimm id=d2 size=256M >/dev/null
echo online_kernel >"$M/memory32/state"
ctl alloc unmovable 20000 >/dev/null
tap_ok $? "a DIMM online in Normal, holding unmovable pages"
slot=$(readlink "$M/memory32/firmware_node")
slot=${slot##*/}
is "$($SYSW w "$MNT$MHPC/$slot/eject" '1\n')" ret=2 "echo 1 > $slot/eject succeeds, whatever the eject's fate"
for _ in $(seq 200); do ctl dmesg | grep -q "memory32: Offline failed" && break; sleep 0.05; done
ctl dmesg | grep -q "^<4>memory memory32: Offline failed.$"
tap_ok $? "... the guest refuses it: dmesg says memory32's offline failed"
# the queued eject's end: its failure in hotmemfs's log (acpi.c acpi_eject())
for _ in $(seq 600); do grep -q "ACPI eject of $slot: " "$TMP/hotmemfs.log" && break; sleep 0.05; done
grep -q "ACPI eject of $slot: " "$TMP/hotmemfs.log"
tap_ok $? "... the eject ends: $(grep -m1 "ACPI eject of $slot: " "$TMP/hotmemfs.log")"
devices | grep -qw d2
tap_ok $? "... and the DIMM stays"
done_testing
