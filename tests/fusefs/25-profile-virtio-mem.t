#!/bin/bash
# hotmem profile --from-sysfs of virtio-mem guests, real 6.12 kernels in
# QEMU (tests/fixtures/virtio-mem/mkdump.py makes their sysfs a dump):
#  1. tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt: a 256 MiB DIMM
#     cold-plugged and a 1 GiB virtio-mem device with 256 MiB plugged, all
#     offline (memhp_default_state=offline);
#  2. tests/fixtures/virtio-mem/qemu-6.12-virtio-mem.txt: two nodes, a
#     1 GiB virtio-mem device on node 1 with 384 MiB plugged, auto-movable
#     onlined it, then one block went offline and one to Normal by hand.
# Each becomes a profile whose virtio_mem line has the region, node and
# plugged size QEMU reported (query-memory-devices in the capture), DIMMs
# stay DIMMs; hotmemfs booted from it lists the device as QEMU did and
# shows the same memory blocks as the guest (state, online, phys_device,
# phys_index, removable, valid_zones, node links both ways, firmware_node
# only on a DIMM's blocks); its `hotmemctl export` profiled again gives
# the same profile.  In a private mount namespace.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
# the profiles need nothing; booting them needs what every hotmemfs test needs
no_mount=
[ "$(id -u)" -eq 0 ] || no_mount="needs root (FUSE allow_other, mount namespaces)"
[ -n "$no_mount" ] || [ -c /dev/fuse ] || no_mount="no /dev/fuse"
[ -n "$no_mount" ] || [ -x "$HMFS" ] || no_mount="no $HMFS"
[ -n "$no_mount" ] || [ -x "$HMCTL" ] || no_mount="no $HMCTL"
HM=$HOTMEM_BUILD/hotmem
need_built "$HM"
need_tool python3 python3
FIX=$HOTMEM_SRC/tests/fixtures
CAP=$FIX/acpi-memory/qemu-6.12-pc-dimm.txt
need_file "$CAP"

# the same blocks, attribute by attribute: NAME ATTR VALUE lines, and each node's memoryN links
blocks() {
	python3 - "$1/sys/devices/system" <<'PY'
import os, sys
mem = os.path.join(sys.argv[1], "memory")
for b in sorted((d for d in os.listdir(mem) if d.startswith("memory") and d[6:].isdigit()),
                key=lambda d: int(d[6:])):
    p = os.path.join(mem, b)
    for a in sorted(os.listdir(p)):
        f = os.path.join(p, a)
        if a.startswith("node") or a == "firmware_node":
            print(b, a, "->", os.readlink(f))
        elif a in ("state", "online", "phys_device", "phys_index", "removable", "valid_zones"):
            print(b, a, open(f).read().strip())
PY
}
node_links() {	# node_links MOUNT | node_links CAPTURE: "nodeN: memoryA memoryB ..."
	if [ -d "$1/sys/devices/system/node" ]; then
		for n in "$1"/sys/devices/system/node/node[0-9]*; do
			echo "${n##*/}: $(ls "$n" | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort -n | sed 's/^/memory/' | tr '\n' ' ')"
		done
	else
		sed -n 's|^# ls /sys/devices/system/node/\(node[0-9]*\): |\1: |p' "$1"
	fi
}
# QEMU's own answer, query-memory-devices in the capture's header, against
# hotmemfs's query-memory-devices (usereye3 #38): each device of the same
# type with the same members, every value QEMU's but id (the profile names
# the device virtio0, the boot DIMM dimm0) and memdev (hotmem has no memory
# backends: "")
same_device() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys
qmp = [json.loads(m) for m in re.findall(r"^# qmp query-memory-devices: (.*)$", open(sys.argv[1]).read(), re.M)]
got = json.load(open(sys.argv[2]))
def where(d):
    return d["data"].get("addr", d["data"].get("memaddr"))
def cut(d):
    return (d["type"], sorted(d), sorted(d["data"]), {k: v for k, v in d["data"].items() if k not in ("id", "memdev")})
# each device hotmemfs lists is QEMU's at its address (the capture may list one
# plugged after the dump was taken: the first capture's d1)
bad = not got
for g in got:
    q = [q for q in qmp if where(q) == where(g)]
    print("# QEMU:", json.dumps(q[0] if q else None, sort_keys=True))
    print("# got: ", json.dumps(g, sort_keys=True))
    bad |= not q or cut(q[0]) != cut(g) or g["data"]["memdev"] != ""
sys.exit(bad)
PY
}
# the profile's settings: its lines but comments
settings() { grep -v '^#' "$1"; }
# same_profile BOOTED AGAIN [LOSSY-KEYS...]: AGAIN says what BOOTED says, but
# for LOSSY-KEYS; its command line may add memory_hotplug and virtio_mem parameters
# BOOTED's dump did not have, at the kernel's defaults, and a cpu_nodes line
# where BOOTED's dump had no node/has_cpu: the default's, its nodes with ram
same_profile() {
	python3 - "$@" <<'PY'
import shlex, sys
DEFAULTS = {"memory_hotplug.memmap_on_memory": "N", "memory_hotplug.online_policy": "contig-zones",
            "memory_hotplug.auto_movable_ratio": "301", "memory_hotplug.auto_movable_numa_aware": "Y",
            "virtio_mem.unplug_online": "Y", "virtio_mem.force_bbm": "N", "virtio_mem.bbm_block_size": "0"}
def read(path):
    lines, cmd = [], {}
    for l in open(path):
        l = l.strip()
        if not l or l.startswith("#") or l.split(" ")[0] in sys.argv[3:]:
            continue
        if l.startswith("cmdline = "):
            cmd = dict(w.split("=", 1) for w in shlex.split(l[len("cmdline = "):].strip('"')))
        else:
            lines.append(l)
    return lines, cmd
(l1, c1), (l2, c2) = read(sys.argv[1]), read(sys.argv[2])
if not any(l.startswith("cpu_nodes = ") for l in l1):
    ram = sorted({int(l.rsplit("node=", 1)[1]) for l in l1 if l.startswith("ram = ")})
    if ram == list(range(len(ram))):
        default = "cpu_nodes = 0" if len(ram) == 1 else "cpu_nodes = 0-%d" % (len(ram) - 1)
        l2 = [l for l in l2 if l != default]
extra = {k: v for k, v in c2.items() if k not in c1}
bad = l1 != l2 or any(c2.get(k) != v for k, v in c1.items()) or any(DEFAULTS.get(k) != v for k, v in extra.items())
if bad:
    print("# booted:", l1, c1)
    print("# again: ", l2, c2)
sys.exit(bad)
PY
}
# boot_compare NAME CAPTURE DUMP PROFILE: mount, compare, export and profile again
boot_compare() {
	local name=$1 cap=$2 dump=$3 profile=$4 got want
	if [ -n "$no_mount" ]; then
		T_N=$((T_N + 1))
		echo "ok $T_N - $name: booted from the profile, the blocks as the guest's # SKIP $no_mount"
		return
	fi
	start_fs --fresh --profile "$profile"
	tap_ok $? "$name: hotmemfs mounts from the profile"
	ctl -j query-memory-devices >"$TMP/devices.json"
	same_device "$cap" "$TMP/devices.json"
	tap_ok $? "$name: query-memory-devices is QEMU's reply to the guest's (type, data; memaddr, max-size, block-size, node, size plugged, requested-size; a DIMM's addr, size, slot, node, hotplugged, hotpluggable), but id and memdev"
	got=$(blocks "$MNT")
	want=$(blocks "$dump")
	is "$got" "$want" "$name: the memory blocks as the guest showed them (states, zones, phys_device, node links, firmware_node)"
	[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	if grep -q '^# ls /sys/devices/system/node/node' "$cap"; then
		same_output "$(node_links "$MNT")" "$(node_links "$cap")" "$name: each node's memoryN links as the guest's"
	fi
	grep -q '^[0-9a-f]*-[0-9a-f]* : virtio0$' "$MNT/proc/iomem" && grep -q '^  [0-9a-f]*-[0-9a-f]* : System RAM (virtio_mem)$' "$MNT/proc/iomem"
	tap_ok $? "$name: its /proc/iomem has the device's region virtio0 with System RAM (virtio_mem) below it"
	rm -rf "$TMP/export"
	ctl export "$TMP/export" >/dev/null && "$HM" profile --from-sysfs "$TMP/export" -o "$TMP/again.profile" 2>/dev/null
	tap_ok $? "$name: hotmemctl export, then hotmem profile --from-sysfs of it"
	same_profile "$profile" "$TMP/again.profile" slots memory_failure
	tap_ok $? "$name: the export's profile is the profile booted (its command line with the parameters' defaults spelled out)"
	same_profile "$profile" "$TMP/again.profile" >/dev/null
	tap_ok $? "$name: the export's profile has the booted one's slots and memory_failure too"
	stop_fs
}

# 1. a DIMM and a virtio-mem device, all offline
python3 "$FIX/virtio-mem/mkdump.py" "$CAP" "$TMP/guest"
tap_ok $? "the 6.12 guest's sysfs after insmod virtio_mem, as a dump"

"$HM" profile --from-sysfs "$TMP/guest" -o "$TMP/guest.profile" 2>"$TMP/notes"; profile_notes "$TMP/guest.profile" "$TMP/notes"
tap_ok $? "hotmem profile --from-sysfs DIR -o FILE"
sed 's/^/# /' "$TMP/guest.profile"
# vm0: memaddr 4563402752 = 0x110000000, max-size 1 GiB, block-size 2 MiB, node 0, 256 MiB
grep -qx 'virtio_mem = id=virtio0 memaddr=0x110000000 size=0x40000000 requested-size=0x10000000 block-size=0x200000 node=0' "$TMP/guest.profile"
tap_ok $? "the virtio-mem device: QEMU's memaddr, max-size, block-size, node and plugged size"
is "$(grep -E '^(hotplug|slots) ' "$TMP/guest.profile")" "slots = 4
hotplug = 0x100000000-0x10fffffff node=0" "the DIMM alone is a hotplug range (in one of the 4 slots); the virtio-mem blocks are not"
is "$(grep -cE '^(online|offline) ' "$TMP/guest.profile")" 0 "nothing onlined or offlined (memhp_default_state=offline)"
grep -q '^# could not infer: virtio0: requested-size' "$TMP/notes" &&
	grep -q '^# could not infer: virtio0: block-size' "$TMP/guest.profile"
tap_ok $? "it says what it took for requested-size and block-size (stderr and the profile's comments)"
boot_compare "DIMM + virtio-mem" "$CAP" "$TMP/guest" "$TMP/guest.profile"

# 2. two nodes, virtio-mem on node 1, auto-movable, changed by hand
CAP2=$FIX/virtio-mem/qemu-6.12-virtio-mem.txt
python3 "$FIX/virtio-mem/mkdump.py" "$CAP2" "$TMP/guest2" "virtio-mem plugged, two blocks changed by hand"
tap_ok $? "the two-node 6.12 guest's sysfs with virtio-mem plugged, as a dump"
"$HM" profile --from-sysfs "$TMP/guest2" -o "$TMP/guest2.profile" 2>/dev/null
tap_ok $? "hotmem profile --from-sysfs of it"
sed 's/^/# /' "$TMP/guest2.profile"
# vm0: memaddr 4294967296 = 0x100000000, max-size 1 GiB, block-size 2 MiB, node 1, 384 MiB
grep -qx 'virtio_mem = id=virtio0 memaddr=0x100000000 size=0x40000000 requested-size=0x18000000 block-size=0x200000 node=1' "$TMP/guest2.profile"
tap_ok $? "the virtio-mem device on node 1: QEMU's memaddr, max-size, block-size, node and plugged size"
# QEMU's -numa node,nodeid=0,cpus=0 -numa node,nodeid=1,cpus=1: the guest's has_cpu 0-1
grep -qx 'cpu_nodes = 0-1' "$TMP/guest2.profile"
tap_ok $? "the nodes with CPUs as the guest's node/has_cpu (QEMU's -numa cpus=0 and cpus=1): cpu_nodes = 0-1"
is "$(grep -E '^(hotplug|online|offline|slots) ' "$TMP/guest2.profile")" "online = 32 online_kernel
online = 33 online_movable" "no DIMM, no slots; the device's blocks as found (they come up offline at boot): memory32 Normal, memory33 Movable, memory34 offline"
boot_compare "two nodes, virtio-mem on node 1" "$CAP2" "$TMP/guest2" "$TMP/guest2.profile"
# the same guest with another auto_online_blocks: the same device and block states
for aob in online_movable online_kernel offline; do
	echo $aob >"$TMP/guest2/sys/devices/system/memory/auto_online_blocks"
	"$HM" profile --from-sysfs "$TMP/guest2" -o "$TMP/guest2-$aob.profile" 2>/dev/null
	is "$(settings "$TMP/guest2-$aob.profile" | grep -v ^cmdline)" "$(settings "$TMP/guest2.profile" | grep -v ^cmdline)" \
		"auto_online_blocks $aob: the same profile but its command line"
	boot_compare "auto_online_blocks $aob" "$CAP2" "$TMP/guest2" "$TMP/guest2-$aob.profile"
done

# the device's blocks with a gap below them (an unplug that stopped short): the
# driver plugs from the region's start, so the profile's blocks are as many,
# in order and state, from there, and it boots
cp -a "$TMP/guest2" "$TMP/gap"
mv "$TMP/gap/sys/devices/system/memory/memory32" "$TMP/gap/sys/devices/system/memory/memory35"
sed -i 's/^  100000000-117ffffff : System RAM (virtio_mem)$/  108000000-11fffffff : System RAM (virtio_mem)/' "$TMP/gap/proc/iomem"
"$HM" profile --from-sysfs "$TMP/gap" -o "$TMP/gap.profile" 2>"$TMP/gap.notes"; profile_notes "$TMP/gap.profile" "$TMP/gap.notes"
is "$(grep -E '^(virtio_mem|online) ' "$TMP/gap.profile")" "virtio_mem = id=virtio0 memaddr=0x100000000 size=0x40000000 requested-size=0x18000000 block-size=0x200000 node=1
online = 32 online_movable
online = 34 online_kernel" "blocks 33-35 of the device (Movable, offline, Normal) are the profile's 32-34"
grep -q "^# could not infer: virtio0: its blocks are not all from the region's start on" "$TMP/gap.notes"
tap_ok $? "... and it says so"
"$HM" --profile "$TMP/gap.profile" status >/dev/null
tap_ok $? "... and the profile boots"

# a dump with sys/bus/virtio but without proc/iomem: the device is named, its memory stays a DIMM
rm "$TMP/guest2/proc/iomem"
"$HM" profile --from-sysfs "$TMP/guest2" 2>/dev/null | grep -q "^# could not infer: virtio0 is a virtio-mem device (sys/bus/virtio) but proc/iomem is not in the tree"
tap_ok $? "without proc/iomem in the dump it says a virtio-mem device is there and its region unknown"
# /proc/iomem as a user reads it: every address 0
sed -i 's/[0-9a-f]*-[0-9a-f]* :/00000000-00000000 :/' "$TMP/guest/proc/iomem"
"$HM" profile --from-sysfs "$TMP/guest" -o "$TMP/zeros.profile" 2>"$TMP/zeros.notes"; profile_notes "$TMP/zeros.profile" "$TMP/zeros.notes"
grep -q "^# could not infer: proc/iomem shows no addresses" "$TMP/zeros.notes" && ! grep -q "^virtio_mem" "$TMP/zeros.profile"
tap_ok $? "a /proc/iomem read without CAP_SYS_ADMIN (no addresses): no device made up, and it says why"
done_testing
