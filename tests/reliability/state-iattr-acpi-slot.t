#!/bin/bash
# A DIMM slot's physical_node link goes with the DIMM that is in the slot,
# whatever another slot's last DIMM held (review7 #1): an empty slot 0
# remembers the range of d1, removed; d2 in slot 1 at that address gets
# its link chown -h'd and is removed.  Slot 1's link must go (ENOENT),
# its owner with it, and the next DIMM's link in slot 1 has the kernel's
# owner, live and after kill -9.  Before, the address lookup found slot 0
# first: slot 0's link was forgotten and invalidated, slot 1's kept.
set -u
. "$(dirname "$0")/lib.sh"
require_env
start_fs_netns -p qemu-512m --fresh
tap_ok $? "mount qemu-512m with a state file"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { echo "Bail out! not a hotmemfs mount"; exit 1; }
A=0x100000000
L=$MNT/sys/bus/acpi/devices/PNP0C80:01/physical_node
ctl device_add pc-dimm id=d1 size=128M slot=0 addr=$A >/dev/null
tap_ok $? "d1 in slot 0 at $A"
ctl device_del d1 >/dev/null
tap_ok $? "d1 deleted: slot 0 empty, its last range kept"
ctl device_add pc-dimm id=d2 size=128M slot=1 addr=$A >/dev/null
tap_ok $? "d2 in slot 1 at d1's address"
is "$(readlink "$L")" "../../../../system/memory/memory32" "PNP0C80:01/physical_node is d2's first block"
chown -h 7:7 "$L"
tap_ok $? "chown -h 7:7 PNP0C80:01/physical_node"
ctl device_del d2 >/dev/null
tap_ok $? "d2 deleted (acpi_unbind_one() removed the link)"
if [ -L "$L" ]; then
	nok "lstat of the removed link fails"
	diag "$(stat -c '%N %u:%g' "$L" 2>&1)"
else
	ok "lstat of the removed link fails"
fi
ctl device_add pc-dimm id=d3 size=128M slot=1 addr=$A >/dev/null
tap_ok $? "d3 in slot 1 at the same address"
is "$(stat -c %u:%g "$L")" 0:0 "d3's physical_node link has the kernel's owner (a new kernfs_node)"
kill9_fs
start_fs_netns
tap_ok $? "restart after kill -9"
is "$(stat -c %u:%g "$L")" 0:0 "... and after kill -9"
stop_fs
done_testing
