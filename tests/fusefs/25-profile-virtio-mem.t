#!/bin/bash
# hotmem profile --from-sysfs of a virtio-mem guest: a real 6.12 guest's
# sysfs (tests/fixtures/virtio-mem/mkdump.py: a 256 MiB DIMM cold-plugged
# and a 1 GiB virtio-mem device with 256 MiB plugged, from
# tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt) becomes a profile whose
# virtio-mem device has the region, node and plugged size QEMU reported,
# its DIMM stays a DIMM; hotmemfs booted from it, with the device plugged
# as the profile says, shows the same memory blocks as the guest (state,
# online, phys_device, phys_index, removable, valid_zones, the node link,
# firmware_node only on the DIMM's blocks).  Runs in a private mount
# namespace.
if [ -z "$HOTMEM_PRIVATE_NS" ] && [ "$(id -u)" -eq 0 ]; then
	command -v unshare >/dev/null || { echo "1..0 # SKIP no unshare"; exit 0; }
	HOTMEM_PRIVATE_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
[ -x "$HM" ] || skip_all "no $HM"
command -v python3 >/dev/null || skip_all "no python3"
FIX=$HOTMEM_SRC/tests/fixtures
CAP=$FIX/acpi-memory/qemu-6.12-pc-dimm.txt
[ -f "$CAP" ] || skip_all "no $CAP"

python3 "$FIX/virtio-mem/mkdump.py" "$CAP" "$TMP/guest"
tap_ok $? "the 6.12 guest's sysfs after insmod virtio_mem, as a dump"

"$HM" profile --from-sysfs "$TMP/guest" -o "$TMP/guest.profile" 2>"$TMP/notes"
tap_ok $? "hotmem profile --from-sysfs DIR -o FILE"
sed 's/^/# /' "$TMP/guest.profile"
# QEMU's own answer (query-memory-devices in the capture's header):
# vm0 memaddr 4563402752 = 0x110000000, max-size 1 GiB, block-size 2 MiB,
# node 0, size (plugged) 256 MiB; d0 at 4 GiB, 256 MiB, slot 0
grep -qx '#   hotmemctl device_add virtio-mem-pci id=virtio0 memaddr=0x110000000 size=0x40000000 requested-size=0x10000000 block-size=0x200000 node=0' "$TMP/guest.profile"
tap_ok $? "the virtio-mem device: QEMU's memaddr, max-size, block-size, node and plugged size"
is "$(grep -E '^(hotplug|slots) ' "$TMP/guest.profile")" "slots = 4
hotplug = 0x100000000-0x10fffffff node=0" "the DIMM alone is a hotplug range (in one of the 4 slots); the virtio-mem blocks are not"
is "$(grep -cE '^(online|offline) ' "$TMP/guest.profile")" 0 "nothing onlined or offlined after boot (memhp_default_state=offline)"
grep -q '^hotmem: could not infer: virtio0: requested-size' "$TMP/notes" &&
	grep -q '^# could not infer: virtio0: block-size' "$TMP/guest.profile"
tap_ok $? "it says what it took for requested-size and block-size (stderr and the profile's comments)"

# the same blocks, attribute by attribute: NAME ATTR VALUE lines
blocks() {
	python3 - "$1/sys/devices/system/memory" <<'PY'
import os, sys
mem = sys.argv[1]
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
start_fs --fresh --profile "$TMP/guest.profile"
tap_ok $? "hotmemfs mounts from that profile"
ok=0
while read -r cmd; do
	diag "hotmemctl $cmd"
	# shellcheck disable=SC2086
	ctl $cmd >/dev/null || ok=1
done < <(sed -n 's/^#   hotmemctl //p' "$TMP/guest.profile")
tap_ok $ok "the profile's hotmemctl lines: the virtio-mem device plugged"
ctl -j devices >"$TMP/devices.json"
python3 - "$CAP" "$TMP/devices.json" <<'PY'
import json, re, sys
qmp = [json.loads(m)["data"] for m in re.findall(r"^# qmp query-memory-devices: (.*)$", open(sys.argv[1]).read(), re.M)
       if json.loads(m)["type"] == "virtio-mem"][0]
dev = [d for d in json.load(open(sys.argv[2])) if d["driver"] == "virtio-mem-pci"][0]
got = (dev["memaddr"], dev["max-size"], dev["block-size"], dev["node"], dev["plugged-size"], dev["requested-size"])
want = (qmp["memaddr"], qmp["max-size"], qmp["block-size"], qmp["node"], qmp["size"], qmp["requested-size"])
print("# got  (memaddr, max-size, block-size, node, plugged, requested):", got)
print("# QEMU (memaddr, max-size, block-size, node, size, requested-size):", want)
sys.exit(got != want)
PY
tap_ok $? "... the device as QEMU's query-memory-devices showed the guest's: memaddr, max-size, block-size, node, plugged and requested size"
got=$(blocks "$MNT")
want=$(blocks "$TMP/guest")
is "$got" "$want" "the memory blocks as the guest showed them (states, zones, phys_device, node links, firmware_node)"
[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
grep -q 'virtio0' "$MNT/proc/iomem" 2>/dev/null && grep -q 'System RAM (virtio_mem)' "$MNT/proc/iomem" 2>/dev/null
tap_ok $? "... and its /proc/iomem has the device's region with System RAM (virtio_mem)" 
stop_fs
done_testing
