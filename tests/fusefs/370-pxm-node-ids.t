#!/bin/bash
# A profile's node numbers are QEMU's -numa node,nodeid= (ACPI proximity
# domains, PXMs), as device_add's node= and query-memory-devices' "node"
# are; the guest's node ids are x86 Linux's, given first come first
# served while it parses the SRAT (drivers/acpi/numa/srat.c
# acpi_numa_init(): the CPUs' entries before the memory's;
# acpi_map_pxm_to_node()), and QEMU's build_srat() writes the CPUs
# first.  abuse29a N7, scenario J: -numa node,nodeid=0,memdev=ram0
# -numa node,nodeid=1,cpus=0-1 boots a 6.12 guest with node 0 = PXM 1
# (the CPUs, memoryless) and node 1 = PXM 0 (the memory); device_add
# pc-dimm node=1 lands on node 0, node=0 on node 1, and
# query-memory-devices says QEMU's node (/tmp/abuse29a/guestJ.*).
# Before, hotmem took the profile's numbers as the guest's: node 0 had
# the memory, node 1 the CPUs.  The fake host has 2 CPUs on one node.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
. "$(dirname "$0")/nodes.sh"
require_env
N=$MNT/sys/devices/system/node

fake_cpu_host 2
tap_ok $? "a fake one-node host's cpu/ (CPUs 0-1) in a private mount namespace"

# scenario J: qemu-512m's memory on QEMU's node 0, both CPUs on its node 1
printf 'profile = qemu-512m\nnodes = 2\ncpu_nodes = 1\n' >"$TMP/j.profile"
mount_fs "hotmemfs mounts scenario J (memory on PXM 0, the CPUs on PXM 1)" --profile "$TMP/j.profile" \
	--cmdline "hotmem.kernel_alloc=off memhp_default_state=offline" --fresh

states() { echo "$(cat "$N/possible") $(cat "$N/online") $(cat "$N/has_cpu") $(cat "$N/has_memory")"; }
is "$(states)" "0-1 0-1 0 1" "possible 0-1, online 0-1, has_cpu 0, has_memory 1 (the guest's)"
is "$(cat "$N/node0/cpulist")|$(cat "$N/node1/cpulist")" "0-1|" "node0/cpulist 0-1, node1/cpulist empty"
is "$(cd "$N/node1" && ls -d memory[0-9]* | tr '\n' ' ')" "memory0 memory1 memory2 memory3 " \
	"node1/memory0-3: the boot memory on node 1"
is "$(cd "$N/node0" && ls -d memory[0-9]* 2>/dev/null | wc -l)" 0 "node0/ has no memoryN (memoryless)"

node_of() { ctl -j query-memory-devices | python3 -c '
import json, sys
print(" ".join("%s:%d" % (d["data"]["id"], d["data"]["node"]) for d in json.load(sys.stdin)))'; }

# QEMU's node=1 is PXM 1: the guest's node 0
ctl device_add pc-dimm id=d1 size=256M node=1 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "device_add pc-dimm d1 256M node=1"
is "$(cd "$N/node0" && ls -d memory[0-9]* | tr '\n' ' ')" "memory32 memory33 " "... memory32-33 under node0"
is "$(readlink "$MNT/sys/devices/system/memory/memory32/node0")" "../../node/node0" \
	"... memory32/node0 -> ../../node/node0"
ctl device_add pc-dimm id=d2 size=128M node=0 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "device_add pc-dimm d2 128M node=0"
is "$(cd "$N/node1" && ls -d memory3[0-9]* | tr '\n' ' ')" "memory34 " "... memory34 under node1"
is "$(node_of)" "d1:1 d2:0" "query-memory-devices: QEMU's nodes, d1 node 1, d2 node 0"
is "$(ctl -j qom-get path=/machine/peripheral/d1 property=node 2>/dev/null)" 1 \
	"qom-get d1 node: 1 (QEMU's property)"


# virtio-mem's node is its _PXM too (virtio_mem_translate_node_id(): pxm_to_node())
"$HMCTL" -s "$CTL" raw '{"execute":"device_add","arguments":{"driver":"virtio-mem-pci","id":"vm0","node":1,"size":268435456,"requested-size":134217728}}' >/dev/null &&
	ctl settle --timeout 60 >/dev/null
tap_ok $? "device_add virtio-mem-pci vm0 node=1, 128M of 256M requested"
vmblocks=$(cd "$N/node0" && ls -d memory[0-9]* | grep -vxE 'memory3[23]' | tr '\n' ' ')
is "$(echo $vmblocks | wc -w)" 1 "... its plugged block under node0 ($vmblocks)"
is "$(node_of)" "d1:1 d2:0 vm0:1" "query-memory-devices: vm0 node 1"

# the state file keeps QEMU's nodes: restored, each device on the same guest node
# each node's memoryN and cpuM, a line a node
node_links() { cd "$N" && for n in node[0-9]*; do echo "$n: $(cd "$n" && ls -d memory[0-9]* cpu[0-9]* 2>/dev/null | sort -V | paste -sd' ')"; done; }
before=$(node_links)
kill9_fs
mount_fs "kill -9, restart from the state file" --profile "$TMP/j.profile" \
	--cmdline "hotmem.kernel_alloc=off memhp_default_state=offline"
is "$(node_links)" \
	"$before" "... every node's memoryN and cpuM as before"
is "$(node_of)" "d1:1 d2:0 vm0:1" "... query-memory-devices: the same QEMU nodes"

done_testing
