#!/bin/bash
# A profile's devices in hotmemfs: a "virtio_mem" line's device is listed,
# resized and removed as one `hotmemctl device_add` made, keeps its place
# in QEMU's device memory region, and comes back from the state file as
# it was left (once, with its plugged size); a "hotplug" range is the
# pc-dimm it is, in its slot, removed by device_del.  In a private mount
# namespace.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
. "$(dirname "$0")/nodes.sh"
require_env
need_tool python3 python3

cat >"$TMP/vmem.profile" <<'EOF'
profile = default
nodes = 2
cmdline = "hotmem.kernel_alloc=off memhp_default_state=online_movable"
virtio_mem = virtio-mem-pci,id=vm0,memaddr=0x140000000,size=1G,requested-size=256M,node=1
online = 40 online_movable
EOF
cat >"$TMP/dimm.profile" <<'EOF'
profile = default
cmdline = "hotmem.kernel_alloc=off"
slots = 4
hotplug = 0x100000000-0x10fffffff node=1
hotplug = 0x180000000-0x187ffffff
online = 32-33 online_movable
online = 48 online_kernel
EOF
SYS=$MNT/sys/devices/system/memory
states() { for b in 40 41 42; do cat "$SYS/memory$b/state" 2>/dev/null || echo none; done | tr '\n' ' '; }
# dev_field ID FIELD: a field of `hotmemctl -j devices`' device ID
dev_field() {
	ctl -j devices | python3 -c '
import json, sys
d = [d for d in json.load(sys.stdin) if d["id"] == sys.argv[1]]
print(d[0].get(sys.argv[2]) if d else "none", len(d))' "$1" "$2"
}

start_fs --fresh --profile "$TMP/vmem.profile"
tap_ok $? "hotmemfs mounts a profile with a virtio_mem line"
is "$(dev_field vm0 driver) $(dev_field vm0 memaddr) $(dev_field vm0 node) $(dev_field vm0 plugged-size) $(dev_field vm0 requested-size)" \
	"virtio-mem-pci 1 5368709120 1 1 1 268435456 1 268435456 1" \
	"hotmemctl devices lists the profile's device once: virtio-mem-pci at its memaddr, on node 1, 256M plugged and requested"
is "$(states)" "online offline none " "its blocks: memory40 onlined by the profile, memory41 offline (auto-online held off at boot)"
ctl device_add virtio-mem-pci id=x size=1G memaddr=0x140000000 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:hotmemctl: error: address range conflicts with memory device id='vm0'" \
	"its region is taken: a device_add there is refused with QEMU's words"
ctl qom-set vm0 requested-size 384M && [ "$(dev_field vm0 plugged-size)" = "402653184 1" ]
tap_ok $? "qom-set vm0 requested-size 384M: the driver plugs a memory block more"
is "$(states)" "online offline online " "the new block comes up as auto_online_blocks (online_movable) says, now that boot is over"
ctl device_del vm0 2>"$TMP/err"
grep -q "virtio-mem device cannot get unplugged while some of its memory is still plugged" "$TMP/err"
tap_ok $? "device_del while memory is plugged: refused with QEMU's words"
ctl qom-set vm0 requested-size 128M && [ "$(dev_field vm0 plugged-size)" = "134217728 1" ]
tap_ok $? "qom-set vm0 requested-size 128M: the driver unplugs down to it"
stop_fs

# the state file: the device as it was left, not as the profile boots it
start_fs --profile "$TMP/vmem.profile"
tap_ok $? "hotmemfs restarts from its state file"
grep -q "restored the machine from" "$TMP/hotmemfs.log"
tap_ok $? "it restored the state file"
is "$(dev_field vm0 plugged-size) $(dev_field vm0 requested-size)" "134217728 1 134217728 1" \
	"the profile's device once, 128M plugged and requested, as left (the profile says 256M)"
is "$(states)" "online none none " "its blocks as left"
ctl qom-set vm0 requested-size 0 && ctl device_del vm0
tap_ok $? "requested-size 0, then device_del of the profile's device"
is "$(dev_field vm0 driver) $(states)" "none 0 none none none " "the device and its memory are gone"
ctl device_add virtio-mem-pci id=vm1 size=512M memaddr=0x140000000 requested-size=128M
tap_ok $? "its region is free again: a device_add there"
stop_fs

# a crash: the journal's records of the profile's device replayed onto the booted one
start_fs --fresh --profile "$TMP/vmem.profile"
ctl qom-set vm0 requested-size 512M && echo online_kernel >"$SYS/memory41/state"
tap_ok $? "fresh again: vm0 to 512M, memory41 onlined in Normal"
kill9_fs
start_fs --profile "$TMP/vmem.profile"
tap_ok $? "hotmemfs restarts after kill -9"
is "$(dev_field vm0 plugged-size) $(states)" "536870912 1 online online online " \
	"vm0 512M plugged, its blocks online as left"
is "$(cat "$SYS/memory41/valid_zones")" "Normal" "memory41 in Normal, as left (the profile leaves it offline)"
stop_fs

# hotplug ranges: cold-plugged pc-dimms in the first slots
# slots: "ID:SLOT ..." of the devices; a failed `devices` says so (its
# empty output would pass for "no device")
slots() { ctl -j devices | python3 -c 'import json,sys; print(" ".join("%s:%s" % (d["id"], d["slot"]) for d in json.load(sys.stdin)))' 2>/dev/null || echo "(devices failed)"; }
start_fs --fresh --profile "$TMP/dimm.profile"
tap_ok $? "hotmemfs mounts a profile with two hotplug ranges"
ctl -j devices | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    print(d["id"], d["driver"], d["slot"], hex(d["addr"]), d["size"] >> 20, d["node"], d["memmap-on-memory"])' >"$TMP/dimms"
is "$(cat "$TMP/dimms")" "dimm0 pc-dimm 0 0x100000000 256 1 False
dimm1 pc-dimm 1 0x180000000 128 0 False" \
	"hotmemctl devices lists them as the pc-dimms they are: QEMU's names, slots 0 and 1, their ranges and nodes, memmap from system RAM"
ctl devices | grep -q '^dimm1 '
tap_ok $? "... in the table too"
ctl device_add pc-dimm size=128M id=d2 addr=0x100000000 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:hotmemctl: error: address range conflicts with memory device id='dimm0'" \
	"dimm0's range is taken: a device_add there is refused with QEMU's words"
ctl device_del dimm0 && [ ! -e "$SYS/memory32" ] && [ ! -e "$SYS/memory33" ]
tap_ok $? "device_del dimm0: the guest's ACPI eject offlines and removes its memory"
ctl device_add pc-dimm size=128M id=d2 >/dev/null
is "$(slots)" "dimm1:1 d2:0" "its slot and range are free again: the next DIMM takes slot 0, at 4 GiB"
is "$(cat "$SYS/memory32/state" "$SYS/memory48/state" | tr '\n' ' ')" "offline online " "d2's block offline, dimm1's online as the profile said"
stop_fs
start_fs --profile "$TMP/dimm.profile"
tap_ok $? "hotmemfs restarts from its state file (the profile boots dimm0 where d2 was)"
is "$(slots)" "dimm1:1 d2:0" "the devices as left: the profile's dimm0 gave way to the saved d2"
is "$(cat "$SYS/memory32/state" "$SYS/memory48/state" | tr '\n' ' ')" "offline online " "their blocks as left"
stop_fs

# a profile's device removed stays removed across restarts: the state
# file's "profile-devices" says which of the profile's were gone
start_fs --fresh --profile "$TMP/dimm.profile"
ctl device_del dimm1 >/dev/null
tap_ok $? "device_del dimm1, the profile's second DIMM"
stop_fs
start_fs --profile "$TMP/dimm.profile"
tap_ok $? "hotmemfs restarts from its state file"
is "$(slots)" "dimm0:0" "dimm1 stays removed: the profile boots it, the file takes it away again"
[ ! -e "$SYS/memory48" ] && [ "$(cat "$SYS/memory32/state")" = online ]
tap_ok $? "... its memory with it, dimm0's as left"
ctl device_del dimm0 >/dev/null
tap_ok $? "device_del dimm0 (a journal record)"
kill9_fs
start_fs --profile "$TMP/dimm.profile"
tap_ok $? "hotmemfs restarts after kill -9"
is "$(slots)" "" "neither of the profile's DIMMs comes back"
stop_fs
start_fs --fresh --profile "$TMP/vmem.profile"
ctl qom-set vm0 requested-size 0 && ctl device_del vm0
tap_ok $? "the profile's virtio-mem device emptied and removed"
stop_fs
start_fs --profile "$TMP/vmem.profile"
tap_ok $? "hotmemfs restarts from its state file"
is "$(dev_field vm0 driver) $(states)" "none 0 none none none " "vm0 stays removed, and its memory"
stop_fs

# a state file from before a profile's devices were listed: its own dimm0
# (device_add's name) is not the profile's, which takes another name
cat >"$TMP/old.profile" <<'EOF'
profile = default
cmdline = "hotmem.kernel_alloc=off"
slots = 4
EOF
start_fs --fresh --profile "$TMP/old.profile"
ctl device_add pc-dimm id=dimm0 size=128M addr=0x110000000 slot=1 &&
	echo online_movable >"$SYS/memory34/state"
tap_ok $? "a machine with its own dimm0 in slot 1, onlined"
stop_fs
# a file that old has no "profile-config" either (a profile file edited
# since the save is refused when it has: 120-state-profile-edit.t)
# (state_devices_edit runs its statement once per saved device: there is one)
state_devices_edit 's["machine"].pop("profile-config", None)'
echo "hotplug = 0x100000000-0x10fffffff" >>"$TMP/old.profile"
timeout 20 "$HMFS" --control "$CTL" --state "$STATE" --profile "$TMP/old.profile" "$MNT" 2>>"$TMP/hotmemfs.log" &
FS_PID=$!
fs_wait_mounted
tap_ok $? "hotmemfs restarts from its state file after the profile got a hotplug range named dimm0 too"
is "$(slots) $(cat "$SYS/memory34/state")" "dimm1:0 dimm0:1 online" "the saved dimm0 as left, the profile's DIMM renamed dimm1"
stop_fs

# a virtio_mem line named as a hotplug range's DIMM would be: the DIMM takes another name
printf 'profile = default\ncmdline = "hotmem.kernel_alloc=off"\nhotplug = 0x100000000-0x107ffffff\nvirtio_mem = id=dimm0 memaddr=0x140000000 size=256M\n' >"$TMP/names.profile"
start_fs --fresh --profile "$TMP/names.profile"
is "$(ctl -j devices | python3 -c 'import json,sys; print(" ".join("%s:%s" % (d["id"], d["driver"]) for d in json.load(sys.stdin)))')" \
	"dimm1:pc-dimm dimm0:virtio-mem-pci" "the virtio_mem line's id kept, the DIMM named dimm1"
stop_fs

# kernel allocations in a block of the profile's device that the file
# keeps plugged: memory40, node 1's first memory, onlined in Normal at
# boot, gets node 1's per-cpu pagesets and kswapd/kcompactd stacks and
# can never go offline -- node 1 has CPUs (cpu_nodes = 0-1 over a fake
# two-CPU host): a CPU-less node's come from the local node (abuse29a
# N1).  A restore changes only the difference between the booted device
# and the file's (as the driver reaches a requested size), so memory40
# stays as it is; giving back all the memory as booted first was refused
# ("cannot be given back").
fake_cpu_host 2
tap_ok $? "a fake two-CPU host's cpu/ in the private mount namespace"
sed 's/hotmem.kernel_alloc=off/hotmem.kernel_alloc=default/; s/^online = 40 online_movable$/online = 40 online_kernel/; s/^nodes = 2$/nodes = 2\ncpu_nodes = 0-1/' \
	"$TMP/vmem.profile" >"$TMP/kmem.profile"
start_fs --fresh --profile "$TMP/kmem.profile"
tap_ok $? "hotmemfs mounts the profile with kernel allocations, memory40 onlined in Normal"
ctl explain 40 | grep -q "kswapd_run\|setup_zone_pageset\|kcompactd_run"
tap_ok $? "... where node 1's first kernel allocations are (hotmemctl explain 40)"
ctl qom-set vm0 requested-size 128M && [ "$(dev_field vm0 plugged-size)" = "134217728 1" ]
tap_ok $? "qom-set vm0 requested-size 128M: memory41 unplugged, memory40 stays"
stop_fs
start_fs --profile "$TMP/kmem.profile"
tap_ok $? "hotmemfs restarts from its state file (the profile boots 256M plugged)"
is "$(dev_field vm0 plugged-size) $(dev_field vm0 requested-size) $(states)" \
	"134217728 1 134217728 1 online none none " "vm0 128M plugged and requested, as left: memory41 unplugged, memory40 online"
is "$(cat "$SYS/memory40/valid_zones")" "Normal" "... memory40 in Normal, where it was"
ctl qom-set vm0 requested-size 384M && [ "$(states)" = "online online online " ]
tap_ok $? "qom-set vm0 requested-size 384M: memory41-42 plugged, onlined to Movable (auto_online_blocks)"
echo offline >"$SYS/memory41/state" && echo online_kernel >"$SYS/memory41/state"
tap_ok $? "memory41 offlined and onlined again, in Normal"
stop_fs
start_fs --profile "$TMP/kmem.profile"
tap_ok $? "hotmemfs restarts from its state file"
is "$(dev_field vm0 plugged-size) $(states)" "402653184 1 online online online " "vm0 384M plugged, its blocks online as left"
is "$(cat "$SYS/memory40/valid_zones") $(cat "$SYS/memory41/valid_zones") $(cat "$SYS/memory42/valid_zones")" \
	"Normal Normal Movable" "... memory40-41 in Normal, memory42 in Movable"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
# plugged-blocks out of order: refused, nothing half restored
state_devices_edit 'd["plugged-blocks"] = d["plugged-blocks"][::-1] + [[0, 1]]'
: >"$TMP/hotmemfs.log"
start_fs --profile "$TMP/kmem.profile" 2>/dev/null
tap_ok $((! $?)) "vm0's plugged-blocks out of order in the state file: hotmemfs refuses to start"
grep -q "restoring device vm0: plugged-blocks: sorted, disjoint \[first, count\] runs expected" "$TMP/hotmemfs.log"
tap_ok $? "... and says why: $(grep -o "restoring device.*" "$TMP/hotmemfs.log" | head -1)"

# a state file from before plugged blocks were saved, its profile's vm0
# at requested-size 0: the driver runs from what the profile booted (256M)
# to the file's 0, so nothing stays plugged (the booted memory was kept)
start_fs --fresh --profile "$TMP/vmem.profile"
ctl qom-set vm0 requested-size 0
is "$(dev_field vm0 plugged-size) $(dev_field vm0 requested-size)" "0 1 0 1" "vm0 at requested-size 0, nothing plugged"
stop_fs
state_devices_edit 'd.pop("plugged-blocks", None)'
start_fs --profile "$TMP/vmem.profile"
tap_ok $? "hotmemfs restarts from a file without plugged-blocks"
is "$(dev_field vm0 plugged-size) $(dev_field vm0 requested-size)" "0 1 0 1" \
	"vm0 as the file says: requested-size 0, the profile's booted 256M given back"
# the profile's vm0 claimed by a file whose requested-size it refuses:
# QEMU's qom-set words, nothing half restored
stop_fs
state_devices_edit 'd["requested-size"] = 3 << 20'
: >"$TMP/hotmemfs.log"
start_fs --profile "$TMP/vmem.profile" 2>/dev/null
tap_ok $((! $?)) "the profile's vm0, requested-size 3M in the state file: hotmemfs refuses to start"
grep -q "restoring device vm0: 'requested-size' has to be multiples of 'block-size' (0x200000)" "$TMP/hotmemfs.log"
tap_ok $? "... and says why: $(grep -o "restoring device.*" "$TMP/hotmemfs.log" | head -1)"
done_testing
