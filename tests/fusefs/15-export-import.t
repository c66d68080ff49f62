#!/bin/bash
# Real machines in and out (#13.4): hotmemctl export DIR writes the
# machine in util-linux's lsmem dump layout (tests/ts/lsmem/mk-input.sh:
# DIR/sys/devices/system/memory, with node/ and the memory_hotplug
# parameters), hotmem profile --from-sysfs DIR writes a profile that
# reproduces it and says what it could not infer; export -> import ->
# mount -> export gives the same tree, file for file (proc/cmdline too,
# but where a value was written at run time: auto_online_blocks here,
# which the profile's command line says first).  And the real
# kernel's capture (tests/fixtures/reference) imported and mounted shows
# what lsmem showed on that machine.  The nodes with CPUs (node/has_cpu,
# nodeN/cpulist, nodeN/cpuM) come back as the profile's cpu_nodes: the
# machine imported has its CPUs on the same nodes.
. "$(dirname "$0")/lib.sh"
require_env
HM=$HOTMEM_BUILD/hotmem
need_built "$HM"
need_tool lsmem util-linux
M=$MNT/sys/devices/system/memory

# machine A: two nodes, auto-movable, a DIMM per node, blocks in both zones and offline
start_fs --fresh --profile numa2 --cmdline "memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=200"
tap_ok $? "machine A mounts (numa2, auto-movable, ratio 200)"
ctl device_add pc-dimm id=d1 size=512M node=0 >/dev/null &&
	ctl device_add pc-dimm id=d2 size=256M node=1 >/dev/null
tap_ok $? "a 512 MiB DIMM on node 0, 256 MiB on node 1"
echo online_movable >"$M/memory32/state" && echo online_kernel >"$M/memory33/state" &&
	echo online_movable >"$M/memory36/state" && echo online_movable >"$M/auto_online_blocks"
tap_ok $? "memory32 Movable, memory33 Normal, memory36 Movable, the rest offline; auto_online_blocks online_movable"
lsmem_a=$(lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES)
out=$(ctl export "$TMP/a" 2>&1)
tap_ok $? "hotmemctl export DIR"
diag "$out"
[ -f "$TMP/a/sys/devices/system/memory/block_size_bytes" ] && [ -L "$TMP/a/sys/devices/system/memory/memory32/node0" ] &&
	[ -f "$TMP/a/sys/devices/system/node/possible" ] && [ -f "$TMP/a/sys/module/memory_hotplug/parameters/online_policy" ] &&
	[ -s "$TMP/a/proc/iomem" ] && [ "$(cat "$TMP/a/proc/iomem")" = "$(cat "$MNT/proc/iomem")" ]
tap_ok $? "... in the mk-input.sh layout: memory/ (node links kept as links), node/, the parameters; and proc/iomem"
is "$(lsmem --sysroot "$TMP/a" -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES)" "$lsmem_a" "lsmem --sysroot DIR reads the export as the mount"
ctl export "$TMP/a" >/dev/null 2>&1
tap_ok $((! $?)) "export refuses a DIR that holds a machine already"
stop_fs

"$HM" profile --from-sysfs "$TMP/a" -o "$TMP/a.profile" 2>"$TMP/notes"; profile_notes "$TMP/a.profile" "$TMP/notes"
tap_ok $? "hotmem profile --from-sysfs DIR -o FILE"
sed 's/^/# /' "$TMP/a.profile"
grep -q "^# could not infer: maxmem" "$TMP/notes" && grep -q "^# could not infer: boot or hot-added" "$TMP/a.profile"
tap_ok $? "... says what it could not infer (stderr and the profile's comments)"
grep -q '^cmdline = ".*memhp_default_state=online_movable.*memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=200' "$TMP/a.profile"
tap_ok $? "... auto_online_blocks and the module parameters on its kernel command line"

start_fs --fresh --profile "$TMP/a.profile"
tap_ok $? "machine B mounts from that profile"
ctl export "$TMP/b" >/dev/null
tap_ok $? "machine B exported"
stop_fs
d=$(diff -r --no-dereference -x cmdline "$TMP/a" "$TMP/b" 2>&1)
is "$d" "" "export -> import -> mount -> export: the same tree, file for file"
is "$(cat "$TMP/b/proc/cmdline")" "memhp_default_state=online_movable $(cat "$TMP/a/proc/cmdline")" \
	"... but proc/cmdline: the one machine A booted with, after the value written at run time"
is "$(cd "$TMP/a" && find . | sort | md5sum)" "$(cd "$TMP/b" && find . | sort | md5sum)" "... the same names"

[ -s "$TMP/a.profile" ] && ! grep -q '^distance' "$TMP/a.profile"
tap_ok $? "... no distance lines for x86's table without a SLIT (10 local, 20 remote)"
is "$(sed -n 's/^cpu_nodes = //p' "$TMP/a.profile")" "$(cat "$TMP/a/sys/devices/system/node/has_cpu")" \
	"... its cpu_nodes line is the export's node/has_cpu"

# the CPUs over both nodes (cpu_nodes = 0-1, QEMU's -numa node,cpus=):
# exported, profiled, booted and exported again, each node's CPUs as before
if [ "$(getconf _NPROCESSORS_CONF)" -ge 2 ]; then
	printf 'profile = numa2\ncpu_nodes = 0-1\n' >"$TMP/cpus.profile"
	start_fs --fresh --profile "$TMP/cpus.profile"
	tap_ok $? "numa2 with cpu_nodes = 0-1 mounts"
	ctl export "$TMP/c" >/dev/null && "$HM" profile --from-sysfs "$TMP/c" -o "$TMP/c.profile" 2>/dev/null
	tap_ok $? "... exported, and profiled from the export"
	stop_fs
	grep -qx "cpu_nodes = 0-1" "$TMP/c.profile"
	tap_ok $? "... the profile's cpu_nodes = 0-1"
	start_fs --fresh --profile "$TMP/c.profile"
	tap_ok $? "that profile mounts"
	ctl export "$TMP/c2" >/dev/null
	tap_ok $? "... exported again"
	stop_fs
	is "$(cat "$TMP"/c2/sys/devices/system/node/{has_cpu,node0/cpulist,node1/cpulist} | paste -sd' ')" \
		"$(cat "$TMP"/c/sys/devices/system/node/{has_cpu,node0/cpulist,node1/cpulist} | paste -sd' ')" \
		"... has_cpu, node0/cpulist, node1/cpulist as the first machine's ($(cat "$TMP"/c/sys/devices/system/node/{has_cpu,node0/cpulist,node1/cpulist} | paste -sd' '))"
	is "$(diff -r --no-dereference "$TMP/c" "$TMP/c2" 2>&1)" "" "... the same tree, file for file (the cpuM links too)"
else
	for i in 1 2 3 4 5 6 7; do ok "cpu_nodes = 0-1 round trip # SKIP one host CPU: cpu_nodes = 0-1 leaves node 1 without"; done
fi

# the firmware's SLIT through export -> import: nodeN/distance read back
# into distance lines (asymmetric kept); the offline node 3 has no
# nodeN/distance: its distances are not in sysfs, taken as 20 and said
cat >"$TMP/slit.profile" <<'EOF'
profile = numa2
nodes = 4
ram = 0x1000-0x9efff node=0
ram = 0x100000-0x3fffffff node=0
ram = 0x40000000-0x7fffffff node=1
ram = 0x80000000-0xbfffffff node=2
distance = 0 1 21
distance = 1 0 17
distance = 0 2 31
distance = 1 2 41
distance = 0 3 25
distance = 1 3 25
distance = 2 3 25
EOF
start_fs --fresh --profile "$TMP/slit.profile"
tap_ok $? "a machine of three online nodes with a SLIT mounts"
is "$(cat "$MNT"/sys/devices/system/node/node{0,1,2}/distance | xargs)" "10 21 31 17 10 41 31 41 10" \
	"... nodeN/distance shows it"
ctl export "$TMP/s" >/dev/null && "$HM" profile --from-sysfs "$TMP/s" -o "$TMP/s.profile" 2>"$TMP/s.notes"; profile_notes "$TMP/s.profile" "$TMP/s.notes"
tap_ok $? "exported, and profiled from the export"
is "$(grep '^distance' "$TMP/s.profile" | paste -sd ';')" \
	"distance = 0 1 21;distance = 1 0 17;distance = 0 2 31;distance = 0 3 20;distance = 1 2 41;distance = 1 3 20;distance = 2 3 20" \
	"... its distance lines: the table, 1 -> 0 its own, the offline node 3's 20"
grep -q "could not infer: distance: the offline nodes'" "$TMP/s.notes"
tap_ok $? "... and it says the offline nodes' were not in sysfs"
stop_fs
start_fs --fresh --profile "$TMP/s.profile"
tap_ok $? "that profile mounts"
ctl export "$TMP/s2" >/dev/null
tap_ok $? "... exported again"
stop_fs
is "$(diff -r --no-dereference "$TMP/s" "$TMP/s2" 2>&1)" "" "... the same tree, file for file (nodeN/distance too)"

# the real kernel's capture, as a dump: imported, mounted, lsmem as on that host
python3 - "$REF/sysfs-memory-host.txt" "$TMP/ref" <<'PY' || nok "a dump of the reference host built from its capture"
import os, re, sys
cap, root = open(sys.argv[1]).read(), sys.argv[2]
mem = os.path.join(root, "sys/devices/system/memory")
os.makedirs(mem)
bs = re.search(r"block_size_bytes\s+file\s+= b'([0-9a-f]+)\\n'", cap).group(1)
open(os.path.join(mem, "block_size_bytes"), "w").write(bs + "\n")
aob = re.search(r"auto_online_blocks\s+file\s+= b'(\w+)\\n'", cap).group(1)
open(os.path.join(mem, "auto_online_blocks"), "w").write(aob + "\n")
def ids(spec):
    for part in spec.split(","):
        a, _, b = part.strip().partition("-")
        yield from range(int(a), int(b or a) + 1)
attr = {}
for name, val, spec in re.findall(r"^  (\w+)\s+b'([^']*)\\n'\s+count=\d+\s+blocks=(\S+)", cap, re.M):
    for i in ids(spec):
        attr.setdefault(i, {})[name] = val
node = re.search(r"node symlink per block: node(\d+)", cap).group(1)
for i, a in attr.items():
    d = os.path.join(mem, "memory%d" % i)
    os.makedirs(d)
    for k, v in a.items():
        open(os.path.join(d, k), "w").write(v + "\n")
    open(os.path.join(d, "phys_index"), "w").write("%08x\n" % i)
    os.symlink("../../node/node" + node, os.path.join(d, "node" + node))
# node/: its files (has_cpu, possible ...) and node0's cpuM links, as captured
nd = os.path.join(root, "sys/devices/system/node")
os.makedirs(os.path.join(nd, "node" + node))
sec = cap.split("## /sys/devices/system/node\n", 1)[1].split("\n\n", 1)[0]
for name, val in re.findall(r"^  -r--r--r--\s.*?\s(\w+)\s+file\s+= b'([^']*)\\n'$", sec, re.M):
    open(os.path.join(nd, name), "w").write(val + "\n")
sec = cap.split("## /sys/devices/system/node/node%s other entries" % node, 1)[1].split("\n\n", 1)[0]
for name, target in re.findall(r"^  l\S+\s.*?\s(cpu\d+)\s+symlink -> (\S+)$", sec, re.M):
    os.symlink(target, os.path.join(nd, "node" + node, name))
PY
"$HM" profile --from-sysfs "$TMP/ref" -o "$TMP/ref.profile" 2>/dev/null
tap_ok $? "hotmem profile --from-sysfs of the reference host's capture"
grep -E '^(ram|hotplug|online|offline) ' "$TMP/ref.profile" | sed 's/^/# /'
is "$(grep -cE '^(hotplug|online|offline) ' "$TMP/ref.profile")" 0 "... all boot memory, nothing hot-added or offline"
is "$(ls "$TMP/ref/sys/devices/system/node/node0" | paste -sd' ') $(cat "$TMP/ref/sys/devices/system/node/has_cpu")" "cpu0 cpu1 0" \
	"... its node0/cpu0, cpu1 and has_cpu 0 in the dump, as captured"
grep -qx "cpu_nodes = 0" "$TMP/ref.profile"
tap_ok $? "... cpu_nodes = 0: the real host's node with CPUs"
start_fs --fresh --profile "$TMP/ref.profile"
tap_ok $? "the imported reference host mounts"
ref_out() { awk -v cmd="\$ $1" '$0 == cmd { on = 1; next } on && /^\[exit/ { exit } on' "$REF/lsmem-host.txt"; }
is "$(lsmem --sysroot "$MNT" 2>&1)" "$(ref_out lsmem)" "lsmem --sysroot == lsmem on the real host"
is "$(lsmem --sysroot "$MNT" -a 2>&1)" "$(ref_out 'lsmem -a')" "lsmem -a --sysroot == lsmem -a on the real host"
stop_fs

# no memory below 4 GiB (arm64 puts RAM at 1 TiB): what is online in a kernel zone booted
arm=$TMP/arm/sys/devices/system/memory
mkdir -p "$arm"
echo 8000000 >"$arm/block_size_bytes"
echo online >"$arm/auto_online_blocks"
for i in 8192 8193 8194 8195 8197; do
	mkdir "$arm/memory$i"
	echo online >"$arm/memory$i/state"
	echo Normal >"$arm/memory$i/valid_zones"
	printf '%08x\n' $i >"$arm/memory$i/phys_index"
	echo 1 >"$arm/memory$i/removable"
	ln -s ../../node/node0 "$arm/memory$i/node0"
done
"$HM" profile --from-sysfs "$TMP/arm" -o "$TMP/arm.profile" 2>"$TMP/arm.notes"; profile_notes "$TMP/arm.profile" "$TMP/arm.notes"
is "$(grep -E '^(ram|hotplug) ' "$TMP/arm.profile")" "ram = 0x10000000000-0x1001fffffff node=0
ram = 0x10028000000-0x1002fffffff node=0" "RAM only above 4 GiB: its blocks are the boot memory, the hole kept"
grep -q "not an x86 layout" "$TMP/arm.notes"
tap_ok $? "... and it says it is not an x86 layout"
start_fs --fresh --profile "$TMP/arm.profile"
tap_ok $? "that machine mounts"
is "$(lsmem --sysroot "$MNT" -o RANGE,SIZE,STATE,BLOCK 2>&1)" "$(lsmem --sysroot "$TMP/arm" -o RANGE,SIZE,STATE,BLOCK 2>&1)" \
	"lsmem shows it as it shows the dump"
stop_fs

# a virtio-mem device exported: proc/iomem tells it from a DIMM
start_fs --fresh --profile default
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem device of 1 GiB, 256 MiB requested"
ctl export "$TMP/v" >/dev/null && "$HM" profile --from-sysfs "$TMP/v" -o "$TMP/v.profile" 2>/dev/null
tap_ok $? "exported, and profiled from the export"
sed 's/^/# /' "$TMP/v.profile"
grep -q '^virtio_mem = id=virtio0 memaddr=0x[0-9a-f]* size=0x40000000 requested-size=0x10000000 ' "$TMP/v.profile" &&
	! grep -q '^hotplug ' "$TMP/v.profile"
tap_ok $? "... the profile has it as a virtio-mem device of that size, not a DIMM (its proc/iomem was exported)"
stop_fs

# a virtio-mem device with nothing plugged (requested-size 0, a VM booted
# small): its bare "virtio0" region in proc/iomem is the device, kept
# through export -> import -> mount -> export (it was left out, unsaid)
start_fs --fresh --profile default
ctl device_add virtio-mem-pci id=vm9 size=1G memaddr=0x140000000 >/dev/null
tap_ok $? "a virtio-mem device of 1 GiB at 0x140000000, nothing requested"
ctl export "$TMP/z" >/dev/null && "$HM" profile --from-sysfs "$TMP/z" -o "$TMP/z.profile" 2>"$TMP/z.notes"; profile_notes "$TMP/z.profile" "$TMP/z.notes"
tap_ok $? "exported, and profiled from the export"
stop_fs
grep -qx "140000000-17fffffff : virtio0" "$TMP/z/proc/iomem"
tap_ok $? "... its proc/iomem has the bare region, nothing added below it"
grep -qx 'virtio_mem = id=virtio0 memaddr=0x140000000 size=0x40000000 requested-size=0 block-size=0x200000 node=0' "$TMP/z.profile"
tap_ok $? "... the profile has the device, requested-size 0"
grep -q "could not infer: virtio0: a top-level region in proc/iomem with no memory added below it" "$TMP/z.notes"
tap_ok $? "... and says it took the bare region for a virtio-mem device"
start_fs --fresh --profile "$TMP/z.profile"
tap_ok $? "that profile mounts"
is "$(ctl status | awk '$2 == "virtio-mem-pci" { print $3, $4, $5, $6, $7, $8 }')" "0 0x0000000140000000 1G 0B 0B 2M" \
	"... with the device: node 0, at 0x140000000, 1G, requested and plugged 0, block-size 2M"
ctl export "$TMP/z2" >/dev/null
tap_ok $? "... exported again"
stop_fs
is "$(diff -r --no-dereference "$TMP/z" "$TMP/z2" 2>&1)" "" "... the same tree, file for file (proc/iomem too)"
done_testing
