#!/bin/bash
# A memoryless node with CPUs (QEMU's -numa node,cpus= without memdev, a
# socket without DIMMs): the profile's cpu_nodes names a node without
# ram.  6.12/6.18's x86 init_cpu_to_node() brings it online at boot:
# node/online and possible list it, has_cpu lists it, has_memory and
# has_normal_memory do not; nodeN/ is there (register_one_node(), 6.18's
# register_node()) with its cpuM links, its cpulist, a meminfo of zeros
# and the entries of the reference 6.18 host's node0 (memoryN aside).
# Memory hot-added to it gives it N_MEMORY once a block is online
# (online_pages()' node_states_set_node()), N_NORMAL_MEMORY with a kernel
# zone; all of it removed, the node stays (try_offline_node()'s
# check_cpu_on_node()).  Before, the profile was refused ("a memoryless
# node with CPUs is not modelled").  numactl --hardware and lscpu inside
# hotmem-enter show it.  And a real 6.12 guest with a memoryless node
# (tests/fixtures/memoryless-node) replayed step by step: its node states
# and links at each moment as the guest's.  The host is a fake one-node
# one, bound over /sys/devices/system/cpu in a private mount namespace:
# CPUs 0-3 (0-1 for the guest's replay).
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
. "$(dirname "$0")/nodes.sh"
require_env
N=$MNT/sys/devices/system/node
M=$MNT/sys/devices/system/memory

# the host's NR_CPUS - 1: cpulist's st_size follows it, as the reference's does
fake_cpu_host 4 "$(cat /sys/devices/system/cpu/kernel_max 2>/dev/null || echo 8191)"
tap_ok $? "a fake one-node host's cpu/ (CPUs 0-3) in a private mount namespace"

# numa2: ram on QEMU's nodes (PXMs) 0 and 1 of 4; CPUs on 0 and the
# memoryless 2.  The guest numbers the CPUs' PXMs first (x86 6.12's
# acpi_numa_init(), QEMU's build_srat()): PXM 2 is its node 1, the
# memory-only PXM 1 its node 2 (engine/srat.c, tests/fusefs/370)
printf 'profile = numa2\ncpu_nodes = 0,2\n' >"$TMP/ml.profile"
mount_fs "hotmemfs mounts numa2 with cpu_nodes = 0,2 (PXM 2 has no ram)" --profile "$TMP/ml.profile" --cmdline "hotmem.kernel_alloc=off memhp_default_state=offline" --fresh -S none

states() { echo "$(cat "$N/possible") $(cat "$N/online") $(cat "$N/has_cpu") $(cat "$N/has_memory") $(cat "$N/has_normal_memory")"; }
is "$(states)" "0-3 0-2 0-1 0,2 0,2" "possible 0-3, online 0-2, has_cpu 0-1, has_memory 0,2, has_normal_memory 0,2"
is "$(cat "$N/node0/cpulist")|$(cat "$N/node1/cpulist")|$(cat "$N/node1/cpumap" | sed 's/^0*,*//')" "0-1|2-3|c" \
	"node0/cpulist 0-1, node1/cpulist 2-3 (cpumap ...c)"
is "$(cd "$N/node1" && ls -d cpu[0-9]* | tr '\n' ' ')" "cpu2 cpu3 " "node1/cpu2, cpu3"
is "$(readlink "$N/node1/cpu2")" "../../cpu/cpu2" "... linked to ../../cpu/cpu2"
is "$(cd "$N/node1" && ls -d memory[0-9]* 2>/dev/null | wc -l)" 0 "node1/ has no memoryN"
is "$(cd "$N/node2" && ls -d memory[0-9]* | wc -l)" 8 "node2/ has PXM 1's 1 GiB: 8 memoryN"

# the reference 6.18 host's node0 entries (its memoryN and cpuM aside) against node1's
is "$(node_entries "$N/node1")" "$(node_ref_entries)" "node1's entries: the reference's node0's names, modes and sizes"
# its meminfo: the reference's lines, node 1's, every value 0
want=$(sed -n '/node0\/meminfo full content/,/^$/p' "$REF/sysfs-memory-host.txt" |
	sed -n "s/^  b'Node 0 \([^:]*:\).*/\1 0/p")
is "$(sed 's/^Node 1 //; s/ *\([0-9]*\)\( kB\)\?$/ \1/; s/: */: /' "$N/node1/meminfo")" "$want" \
	"node1/meminfo: the reference's lines, each 0"
is "$(cat "$N/node1/distance")" "20 10 20" "node1/distance 20 10 20"
is "$(cat "$N/node1/hugepages/hugepages-2048kB/nr_hugepages")" 0 "node1/hugepages/hugepages-2048kB/nr_hugepages 0"
is "$(grep -c '^Node 1, zone' "$MNT/proc/zoneinfo")" 5 "/proc/zoneinfo: node 1's five zones (an online node's)"
is "$(awk '/^Node 1, zone/ { on = 1 } /^Node [023],/ { on = 0 } on && $1 == "present" { s += $2 } END { printf "%.0f\n", s + 0 }' \
	"$MNT/proc/zoneinfo")" 0 "... none present"

# exported and profiled: the memoryless node is in cpu_nodes (hotmem profile --from-sysfs);
# the guest's node ids, in SRAT order, read as PXMs number the same machine
ctl export "$TMP/x" >/dev/null && "$HOTMEM_BUILD/hotmem" profile --from-sysfs "$TMP/x" -o "$TMP/x.profile" 2>/dev/null
tap_ok $? "hotmemctl export, hotmem profile --from-sysfs of it"
is "$(grep -E '^(nodes|cpu_nodes|ram) ' "$TMP/x.profile" | paste -sd';')" \
	"nodes = 4;cpu_nodes = 0-1;ram = 0x1000-0x9efff node=0;ram = 0x100000-0x3fffffff node=0;ram = 0x40000000-0x7fffffff node=2" \
	"... nodes = 4, cpu_nodes = 0-1, ram on nodes 0 and 2 only (the guest's ids)"

# memory hot-added to QEMU's node 2 (the guest's node 1): N_MEMORY once
# online, N_NORMAL_MEMORY with a kernel zone
ctl device_add pc-dimm id=d2 size=256M node=2 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "a 256 MiB DIMM on QEMU's node 2"
is "$(cd "$N/node1" && ls -d memory[0-9]* | tr '\n' ' ')" "memory32 memory33 " "node1/memory32, memory33"
is "$(readlink "$M/memory32/node1")" "../../node/node1" "memory32/node1 -> ../../node/node1"
is "$(states)" "0-3 0-2 0-1 0,2 0,2" "its blocks offline: has_memory, has_normal_memory without node 1"
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32 online_movable"
is "$(states)" "0-3 0-2 0-1 0-2 0,2" "has_memory 0-2, has_normal_memory 0,2 (Movable is not normal memory)"
echo online_kernel >"$M/memory33/state"
tap_ok $? "memory33 online_kernel"
is "$(states)" "0-3 0-2 0-1 0-2 0-2" "has_memory 0-2, has_normal_memory 0-2"
is "$(awk '/MemTotal/ { print $4 }' "$N/node1/meminfo")" 262144 "node1/meminfo MemTotal: 262144 kB"

# all of it removed: node 1 keeps its CPUs, so it stays
ctl device_del d2 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "device_del d2: offlined and removed"
tap_ok "$([ ! -e "$M/memory32" ] && [ ! -e "$N/node1/memory33" ]; echo $?)" "memory32, memory33 gone"
tap_ok "$([ -d "$N/node1" ]; echo $?)" "node1/ stays: its CPUs (try_offline_node())"
is "$(states)" "0-3 0-2 0-1 0,2 0,2" "online 0-2, has_cpu 0-1, has_memory and has_normal_memory 0,2 again"
is "$(cat "$N/node1/cpulist")" "2-3" "node1/cpulist 2-3"
stop_fs

# numactl and lscpu inside hotmem-enter
ENTER=$HOTMEM_BUILD/hotmem-enter
if ! have_tool numactl numactl "numactl --hardware" || ! have_tool lscpu util-linux "numactl --hardware"; then
	:
elif [ ! -x "$ENTER" ]; then
	ok "numactl --hardware # SKIP no $ENTER"
else
	out=$("$ENTER" --profile "$TMP/ml.profile" --cmdline hotmem.kernel_alloc=off -S none -- \
		sh -c 'numactl --hardware; lscpu | grep "^NUMA node"' 2>"$TMP/enter.err")
	tap_ok $? "numactl --hardware and lscpu run inside hotmem-enter"
	echo "$out" | sed 's/^/#   /'
	is "$(grep -v '^hotmemfs:' "$TMP/enter.err" | grep -c .)" 0 "... and libnuma warns of nothing"
	is "$(echo "$out" | sed -n 1p)" "available: 3 nodes (0-2)" "available: 3 nodes (0-2)"
	is "$(echo "$out" | grep '^node 1 ' | paste -sd';')" "node 1 cpus: 2 3;node 1 size: 0 MB;node 1 free: 0 MB" \
		"node 1 cpus: 2 3, size 0 MB, free 0 MB"
	is "$(echo "$out" | grep '^NUMA node' | tr -s ' ' | paste -sd';')" \
		"NUMA node(s): 3;NUMA node0 CPU(s): 0,1;NUMA node1 CPU(s): 2,3;NUMA node2 CPU(s): " \
		"lscpu: 3 NUMA nodes, node1's CPUs 2,3"
fi

# the real 6.12 guest (QEMU -numa node,nodeid=1,cpus=1 without memdev),
# replayed: at each moment its node states and each node's cpuM and memoryN
CAP=$HOTMEM_SRC/tests/fixtures/memoryless-node/qemu-6.12-memoryless-node.txt
# cap_moment NAME: the capture's node states and links at moment NAME, one line
cap_moment() {
	python3 - "$CAP" "$1" <<'PY'
import re, sys
text, name = open(sys.argv[1]).read(), sys.argv[2]
sec = text.split("======== " + name + "\n", 1)[1].split("\n======== ", 1)[0]
st = dict(re.findall(r"^  -r--r--r-- (\w+) = '([^']*)\\n'$", sec.split("## /sys/devices/system/node/node", 1)[0], re.M))
links = re.findall(r"^# ls /sys/devices/system/node/(node\d+): (.*)$", sec, re.M)
print(" ".join("%s=%s" % (k, st[k]) for k in ("possible", "online", "has_cpu", "has_memory", "has_normal_memory")),
      "|", " | ".join("%s: %s" % (n, l.strip()) for n, l in links))
PY
}
our_moment() {
	local k n out=""
	for k in possible online has_cpu has_memory has_normal_memory; do out="$out${out:+ }$k=$(cat "$N/$k")"; done
	for n in "$N"/node[0-9]*; do
		out="$out | ${n##*/}: $(cd "$n" && ls -d cpu[0-9]* memory[0-9]* 2>/dev/null | sort -V | paste -sd' ')"
	done
	echo "$out"
}
stop_fs 2>/dev/null
umount /sys/devices/system/cpu
fake_cpu_host 2 "$(cat /sys/devices/system/cpu/kernel_max 2>/dev/null || echo 8191)"
printf 'profile = qemu-512m\nnodes = 2\ncpu_nodes = 0-1\n' >"$TMP/guest.profile"
start_fs --profile "$TMP/guest.profile" --cmdline "memhp_default_state=offline" --fresh -S none
tap_ok $? "the guest's machine mounts: 512 MiB on node 0, CPU 1 on the memoryless node 1"
same() { is "$(our_moment)" "$(cap_moment "$1")" "6.12 guest, $1: node states and links as the guest's"; }
# cap_section NAME: moment NAME's lines of the capture
cap_section() { awk -v m="======== $1" '$0 == m { on = 1; next } /^======== / { on = 0 } on' "$CAP"; }
same "boot"
# node1's entries: the guest's (memory_failure/ too: qemu-512m has the
# guest's CONFIG_MEMORY_FAILURE), but its config's x86/ (SGX), and 6.17's reclaim
is "$(cd "$N/node1" && ls | grep -vE '^(cpu|memory)[0-9]+$' | grep -vx reclaim | paste -sd' ')" \
	"$(cap_section boot | sed -n '/^## .*node1$/,/^[#]/p' | sed -n 's/^  [-dl][-rwx]* \([^ /]*\).*/\1/p' |
		grep -vE '^(cpu|memory)[0-9]+$|^x86$' | paste -sd' ')" \
	"6.12 guest, boot: node1's entries as the guest's, memory_failure/ too (its x86/ is its config's, reclaim is 6.17's)"
is "$(cat "$N/node1/meminfo")" "$(cap_section boot | sed -n '/node1\/meminfo$/,/^#/s/^  \(Node 1 .*\)/\1/p' | grep -v Unaccepted)" \
	"6.12 guest, boot: node1/meminfo as the guest's, every line (but CONFIG_UNACCEPTED_MEMORY's Unaccepted)"
ctl device_add pc-dimm id=d1 size=256M node=1 >/dev/null && ctl settle --timeout 60 >/dev/null
same "after QMP device_add pc-dimm d1 (256M, node 1), its blocks offline"
echo online_movable >"$M/memory32/state"
same "a block of d1 online_movable"
is "$(grep MemTotal "$N/node1/meminfo")" "$(cap_section "a block of d1 online_movable" | grep -o 'Node 1 MemTotal: *[0-9]* kB' | head -1)" \
	"6.12 guest, a block of d1 online_movable: node1's MemTotal as the guest's"
echo offline >"$M/memory32/state"
same "it offline again"
ctl device_del d1 >/dev/null && ctl settle --timeout 60 >/dev/null
same "after QMP device_del d1"
ctl device_add pc-dimm id=d2 size=256M node=1 >/dev/null && ctl settle --timeout 60 >/dev/null &&
	echo online_kernel >"$M/memory32/state"
same "a block of d2 online_kernel"
stop_fs

# one host CPU for cpu_nodes = 0,2: node 2 gets none, and without memory
# either it is no node at all (init_cpu_to_node() onlines a CPU's node); said
umount /sys/devices/system/cpu
fake_cpu_host 1 "$(cat /sys/devices/system/cpu/kernel_max 2>/dev/null || echo 8191)"
: >"$TMP/hotmemfs.log"
start_fs --profile "$TMP/ml.profile" --cmdline hotmem.kernel_alloc=off --fresh -S none
tap_ok $? "numa2 with cpu_nodes = 0,2 on a one-CPU host mounts"
is "$(cat "$N/online") $(cat "$N/has_cpu")$([ -e "$N/node2" ] && echo " node2/")" "0-1 0" \
	"online 0-1, has_cpu 0: node 2, without a CPU or memory, is not online"
grep -q "cpu_nodes: the host's 1 CPU leaves node 2 without one (without memory at boot either, node 2 is not online)" "$TMP/hotmemfs.log"
tap_ok $? "... said: $(grep 'cpu_nodes:' "$TMP/hotmemfs.log")"
stop_fs

# a CPU node that is not possible: refused, said
printf 'profile = numa2\ncpu_nodes = 0,4\n' >"$TMP/bad.profile"
"$HMFS" --profile "$TMP/bad.profile" -S none "$TMP/mnt-bad" 2>"$TMP/bad.err"
tap_ok "$([ $? -ne 0 ]; echo $?)" "cpu_nodes = 0,4 on numa2 (nodes = 4): refused"
grep -q "line 2: cpu_nodes: node 4 is not a possible node (nodes = 4; nodes = 5 makes node 4 possible)" "$TMP/bad.err"
tap_ok $? "... saying why: $(head -1 "$TMP/bad.err")"
done_testing
