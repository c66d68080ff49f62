#!/bin/bash
# The DIMM slots' ACPI memory devices against a real 6.12 guest
# (tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt, QEMU -m 512M,slots=4):
# every slot's PNP0C80:xx from boot, a DIMM's blocks' firmware_node and
# the slot's physical_node* links, boot RAM and virtio-mem without
# firmware_node, and after device_del the links gone and the slot's
# device left as the guest leaves it.  power/'s files are compared in
# 373-pm-advanced-debug.t.
. "$(dirname "$0")/lib.sh"
need_acpi_fixture

USOCK=$TMP/uevent.sock
start_fs --profile qemu-512m --fresh --cmdline memhp_default_state=offline --uevent-socket "$USOCK"
tap_ok $? "hotmemfs mounts the qemu-512m machine (slots=4)"
MHPC=/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
ACPI_DEV=hid,modalias,path,power,subsystem,uevent

# same PHASE PATH [--only NAMES]: the mount's PATH dumped as the guest's was
same() {
	local phase=$1 path=$2
	shift 2
	is "$($DUMP tree "$MNT" "$path" "$@")" "$($DUMP fixture "$FIX" "$phase" "$path" "$@")" \
		"${phase%% *}: $path${1:+ ($2)} as the guest shows it"
}

# listen_start; CMD; listen_is PHASE NAME: the uevents CMD sent against the guest's
# between "uevents of PHASE" and the next section.  The listener runs until
# told: once every uevent CMD queued is sent (hotmemctl settle), SIGUSR1
# prints what its socket holds (it stopped after 2 s without one: under
# load device_del's came later, or the listener was ready after the 5 s
# waited for it).  60 s: bounds against a hang only
listen_start() {
	python3 "$HOTMEM_SRC/tests/fusefs/uevent_listen.py" unix "$USOCK" 60 >"$TMP/ue.txt" 2>"$TMP/ue.err" &
	UE=$!
	timeout 60 bash -c 'until grep -q ready "$1" 2>/dev/null; do sleep 0.05; done' - "$TMP/ue.err"
}
listen_is() {
	ctl settle --timeout 60 >/dev/null
	kill -USR1 $UE
	wait_exit $UE 60
	is "$(cut -d' ' -f1-3 "$TMP/ue.txt")" \
		"$(awk -v p="======== uevents of $1" 'index($0, p) == 1 { on = 1; next } /^========/ { on = 0 }
			on && /^KERNEL/ { gsub(/[()]/, "", $4); print $2, $3, $4 }' "$FIX")" "$2"
}

# bus/acpi/devices: the guest's links of the devices hotmemfs models
acpi_links() {
	if [ "$1" = fixture ]; then
		awk -v p="$2" '/^======== / { on = index($0, "======== " p) == 1; sect = 0; next }
			on && /^# ls -l \/sys\/bus\/acpi\/devices/ { sect = 1; next }
			on && sect && /^[#]/ { exit }
			on && sect' "$FIX" | grep -E '^  (LNXSYBUS:00|LNXSYSTM:00|PNP0A06:04|PNP0C80:[0-9a-f]+) '
	else
		for l in "$MNT"/sys/bus/acpi/devices/*; do
			echo "  ${l##*/} -> $(readlink "$l")"
		done
	fi
}

# boot: the empty slots; the guest's slot 0 held d0, added below
for s in 01 02 03; do
	same boot "$MHPC/PNP0C80:$s"
done
same boot /sys/devices/LNXSYSTM:00 --only LNXSYBUS:00,$ACPI_DEV
same boot /sys/devices/LNXSYSTM:00/LNXSYBUS:00 --only PNP0A06:04,$ACPI_DEV
same boot "$MHPC"
is "$(acpi_links tree)" "$(acpi_links fixture boot)" "boot: bus/acpi/devices links as the guest's"
for b in 0 1 2 3; do
	[ ! -e "$MNT/sys/devices/system/memory/memory$b/firmware_node" ] && [ ! -L "$MNT/sys/devices/system/memory/memory$b/firmware_node" ]
	tap_ok $? "boot RAM memory$b has no firmware_node"
done

# the guest's devices where QEMU put them (query-memory-devices in the capture)
ctl device_add pc-dimm size=256M addr=0x100000000 id=d0 >/dev/null
tap_ok $? "device_add d0 (the guest's cold-plugged DIMM, slot 0)"
ctl device_add virtio-mem-pci size=1G requested-size=256M memaddr=0x110000000 id=vm0 >/dev/null
tap_ok $? "device_add vm0 (virtio-mem)"
listen_start
ctl device_add pc-dimm size=256M addr=0x150000000 id=d1 >/dev/null
tap_ok $? "device_add d1 (slot 1)"
# the guest's: the blocks' add, then the container's online (no ACPI add: the slot's device was there)
listen_is "device_add d1" "device_add d1: the uevents the guest sent, in its order"
is "$(ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join("%s:%s" % (d["data"]["id"], d["data"].get("slot")) for d in json.load(sys.stdin)))')" \
	"d0:0 vm0:None d1:1" "query-memory-devices: the DIMMs' slots as QEMU's"
# QEMU's reply alone (usereye3 #38): its union's type and data, hotmem's own
# fields (driver, memory group, the guest driver's) in devices
is "$(ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join("%s:%s" % (d["type"], ",".join(d["data"])) for d in json.load(sys.stdin)))')" \
	"dimm:id,addr,size,slot,node,memdev,hotplugged,hotpluggable virtio-mem:id,memaddr,requested-size,size,max-size,block-size,node,memdev dimm:id,addr,size,slot,node,memdev,hotplugged,hotpluggable" \
	"query-memory-devices: QEMU's type and data, QEMU's members in its schema's order, nothing else"
is "$(ctl --json devices | python3 -c 'import json,sys; print(" ".join("%s:%s:%s" % (d["id"], d["driver"], "memory-group" in d) for d in json.load(sys.stdin)))')" \
	"d0:pc-dimm:True vm0:virtio-mem-pci:True d1:pc-dimm:True" "devices --json: hotmem's view, with driver and memory group"
same_output "$(ctl query-memory-devices)" "$(ctl devices)" "query-memory-devices and devices print one table"

for b in 32 33 42 43; do
	same "after QMP device_add" "/sys/devices/system/memory/memory$b"
done
for b in 34 35; do
	same "after QMP device_add" "/sys/devices/system/memory/memory$b" --only firmware_node,node0,subsystem
done
for s in 00 01 02 03; do
	same "after QMP device_add" "$MHPC/PNP0C80:$s"
done
is "$(readlink -f "$MNT/sys/devices/system/memory/memory43/firmware_node")" "$MNT$MHPC/PNP0C80:01" \
	"memory43/firmware_node resolves to the slot's device"
is "$(acpi_links tree)" "$(acpi_links fixture "after QMP device_add")" "after device_add: bus/acpi/devices links"
same "after QMP device_add" /sys/devices/system/container/PNP0A06:04
is "$(readlink "$MNT/sys/bus/container/devices/PNP0A06:04")" ../../../devices/system/container/PNP0A06:04 \
	"bus/container/devices/PNP0A06:04"

# the container goes offline only with every DIMM block offline (container_offline())
SYSW="python3 $HOTMEM_SRC/tests/fusefs/sysw.py"
C=$MNT/sys/devices/system/container/PNP0A06:04/online
echo online_movable >"$MNT/sys/devices/system/memory/memory43/state"
is "$($SYSW w "$C" '0\n')" EBUSY "container offline with memory43 online: EBUSY"
echo offline >"$MNT/sys/devices/system/memory/memory43/state"
is "$($SYSW w "$C" '0\n')" ret=2 "container offline with every DIMM block offline"
is "$(cat "$C")" 0 "... online reads 0"
is "$($SYSW w "$C" '1\n')" ret=2 "container online again"
is "$(cat "$C")" 1 "... online reads 1"

# names are the kernel's exactly: "%s:%02x", "physical_node", "physical_node%u"
for name in PNP0C80:04 PNP0C80:1 PNP0C80:001 PNP0C80:0A PNP0C80:-1 PNP0C80:ff; do
	[ ! -e "$MNT$MHPC/$name" ] && [ ! -e "$MNT/sys/bus/acpi/devices/$name" ]
	tap_ok $? "no $name with slots=4"
done
for name in physical_node0 physical_node01 physical_node2 physical_node+1; do
	[ ! -e "$MNT$MHPC/PNP0C80:01/$name" ] && [ ! -L "$MNT$MHPC/PNP0C80:01/$name" ]
	tap_ok $? "PNP0C80:01 (two blocks) has no $name"
done
listen_start
ctl device_del d1 >/dev/null
tap_ok $? "device_del d1 (the guest's ACPI eject)"
listen_is "device_del d1" "device_del d1: the blocks' remove only, as the guest sent"
same "after QMP device_del" "$MHPC/PNP0C80:01"
same "after QMP device_del" "$MHPC/PNP0C80:00"
[ ! -e "$MNT/sys/devices/system/memory/memory42" ]
tap_ok $? "after device_del: memory42 is gone"
[ -z "$(find "$MNT$MHPC/PNP0C80:01" -maxdepth 1 -name 'physical_node*')" ]
tap_ok $? "after device_del: no physical_node link left in PNP0C80:01"

# a slot is QEMU's: the fifth DIMM of slots=4 is refused, a busy slot too
is "$(ctl device_add pc-dimm size=128M slot=0 2>&1)" "hotmemctl: error: slot 0 is busy" "device_add slot=0: busy"
is "$(ctl device_add pc-dimm size=128M slot=4 2>&1)" "hotmemctl: error: invalid slot number 4, valid range is [0-3]" \
	"device_add slot=4: beyond slots=4"
# pc_dimm_pre_plug() takes the slot before memory_device_pre_plug() the address
ADDR0=$(ctl --json query-memory-devices | python3 -c 'import json,sys; print([d["data"]["addr"] for d in json.load(sys.stdin) if d["data"]["id"] == "d0"][0])')
is "$(ctl device_add pc-dimm size=128M slot=0 addr=$ADDR0 2>&1)" "hotmemctl: error: slot 0 is busy" \
	"device_add slot=0 at d0's address: the busy slot is refused first, as QEMU does"
# a property the device model does not have is QEMU's error, not ignored
is "$(ctl device_add virtio-mem-pci size=1G slot=1 2>&1)" "hotmemctl: error: Property 'virtio-mem-pci.slot' not found" \
	"device_add virtio-mem-pci slot=1: no such property"
is "$(ctl device_add pc-dimm size=128M requested-size=128M 2>&1)" \
	"hotmemctl: error: Property 'pc-dimm.requested-size' not found" "device_add pc-dimm requested-size: no such property"
is "$(ctl --json query-memory-devices | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2 \
	"... and the refused device_adds added nothing"
ctl device_add pc-dimm size=128M id=d2 >/dev/null && ctl device_add pc-dimm size=128M id=d3 >/dev/null &&
	ctl device_add pc-dimm size=128M id=d4 >/dev/null
tap_ok $? "three more DIMMs fill slots 1-3"
is "$(ctl device_add pc-dimm size=128M 2>&1)" "hotmemctl: error: no free slots available" "a fifth DIMM: no free slot"

# eject_store(): "1" only; an empty slot has no handler; a DIMM's slot ejects it
is "$($SYSW w "$MNT$MHPC/PNP0C80:02/eject" '0\n')" EINVAL "eject: 0 is EINVAL"
ctl device_del d3 >/dev/null
is "$($SYSW w "$MNT$MHPC/PNP0C80:02/eject" '1\n')" ENODEV "eject of an empty slot: ENODEV"
ctl device_add pc-dimm size=128M id=d3 >/dev/null
# acpi_eject_store(): the eject is queued (kacpi_hotplug_wq), the write returns at once
devices() { ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join(d["data"]["id"] for d in json.load(sys.stdin)))'; }
# until_gone ID: the queued eject took ID away (5 s at most)
until_gone() { for _ in $(seq 100); do devices | grep -qw "$1" || return 0; sleep 0.05; done; return 1; }
is "$($SYSW w "$MNT$MHPC/PNP0C80:03/eject" '1\n')" ret=2 "echo 1 > PNP0C80:03/eject"
until_gone d4
tap_ok $? "... the queued eject ran"
is "$(devices)" "d0 vm0 d2 d3" "... the guest ejected d4, QEMU took it away"
is "$(cat "$MNT$MHPC/PNP0C80:03/status")" 0 "... its slot's _STA is 0"
# slots out of list order: d3 in slot 2 before d5 in slot 1
ctl device_del d2 >/dev/null && ctl device_add pc-dimm size=128M id=d5 >/dev/null
tap_ok $? "d2 goes, d5 takes its slot 1"

# hotmem profile --from-sysfs counts the slots' ACPI devices
"$HOTMEM_BUILD/hotmem" profile --from-sysfs "$MNT" 2>/dev/null | grep -qx "slots = 4"
tap_ok $? "hotmem profile --from-sysfs: slots = 4"

# a restart puts each DIMM back in its slot
stop_fs
start_fs --profile qemu-512m --cmdline memhp_default_state=offline
tap_ok $? "hotmemfs restarts from its state file"
is "$(ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join("%s:%s" % (d["data"]["id"], d["data"].get("slot")) for d in json.load(sys.stdin)))')" \
	"d0:0 vm0:None d5:1 d3:2" "restored DIMMs keep their slots (listed by address: d5 took d2's place below d3)"
is "$(readlink "$MNT/sys/devices/system/memory/memory$(( $(ctl --json query-memory-devices | python3 -c 'import json,sys; print([d["data"]["addr"] for d in json.load(sys.stdin) if d["data"]["id"] == "d5"][0])') / 0x8000000 ))/firmware_node")" \
	"../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:01" "... d5's blocks point at slot 1"
stop_fs

# the guest's boot: d0 cold-plugged is a profile's "hotplug" range, in slot 0
cat >"$TMP/cold.profile" <<'PROFILE'
profile = qemu-512m
hotplug = 0x100000000-0x10fffffff
PROFILE
start_fs --profile "$TMP/cold.profile" --fresh --cmdline memhp_default_state=offline
tap_ok $? "hotmemfs boots qemu-512m with the DIMM found at boot"
for b in 32 33; do
	same boot "/sys/devices/system/memory/memory$b"
done
for s in 00 01; do
	same boot "$MHPC/PNP0C80:$s"
done
slots() { ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join("%s:%s" % (d["data"]["id"], d["data"].get("slot")) for d in json.load(sys.stdin)))'; }
is "$(slots)" "dimm0:0" "the boot DIMM is QEMU's cold-plugged pc-dimm dimm0, in slot 0"
ctl device_add pc-dimm size=256M id=d1 >/dev/null
is "$(slots)" "dimm0:0 d1:1" "a device_add takes the next slot"
is "$(ctl --json query-memory-devices | python3 -c 'import json,sys; print(" ".join("%s:%s:%s:%r" % (d["data"]["id"], d["data"]["hotplugged"], d["data"]["hotpluggable"], d["data"]["memdev"]) for d in json.load(sys.stdin)))')" \
	"dimm0:False:True:'' d1:True:True:''" \
	"query-memory-devices: the boot DIMM cold-plugged (hotplugged false), d1 hotplugged, both hotpluggable as QEMU's; memdev empty (no backends)"
is "$($SYSW w "$MNT$MHPC/PNP0C80:00/eject" '1\n')" ret=2 "echo 1 > PNP0C80:00/eject: the guest ejects the boot DIMM"
until_gone dimm0
tap_ok $? "... the queued eject ran"
is "$(slots)" "d1:1" "... and QEMU took dimm0 away"
# QEMU lists its memory devices by address (hw/mem/memory-device.c
# memory_device_build_list(): memory_device_addr_sort), not in plug order
ctl device_add pc-dimm size=128M id=d2 addr=0x100000000 >/dev/null
is "$(slots)" "d2:0 d1:1" "query-memory-devices: d2, plugged after d1 below it, listed first (by address, as QEMU's; review14 R11)"
is "$(ctl --json devices | python3 -c 'import json,sys; print(" ".join(d["id"] for d in json.load(sys.stdin)))')" "d1 d2" \
	"... devices keeps hotmem's order (plug order)"
done_testing
