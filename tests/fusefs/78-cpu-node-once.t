#!/bin/bash
# The CPUs' nodes are decided once (fusefs/nodecpu.c, before the machine
# boots) and the engine and the view both follow it (review6/7 D1): numa2
# on a one-node host puts every CPU on node 0, so node 1 is a memory-only
# node for the engine too.  Before, the engine gave every boot node CPUs:
# node1's pagesets showed the boot CPUs' use (zoneinfo "high:" high_min)
# while its cpulist was empty.  try_offline_node() (mm/memory_hotplug.c,
# 6.12): a node without CPUs goes with its last memory block -- node 2,
# whose only memory is a DIMM -- and stays while a block is left: node 1
# keeps its boot memory (never removable: in no ACPI memory device) when
# its DIMM goes.  At every step has_cpu is the nodes whose cpulist has a
# CPU.  The host is a fake one-node one, bound over
# /sys/devices/system/cpu in a private mount namespace: CPUs 0-3 on node 0.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
. "$(dirname "$0")/nodes.sh"
require_env
N=$MNT/sys/devices/system/node

fake_cpu_host 4
tap_ok $? "a fake one-node host's cpu/ (CPUs 0-3 on node 0) in a private mount namespace"

mount_fs "hotmemfs mounts numa2 (boot memory on nodes 0 and 1)" --profile numa2 --cmdline "hotmem.kernel_alloc=off memhp_default_state=offline" --fresh -S none

# agree WHAT: has_cpu (a node list: 0-1,3) is the online nodes whose cpulist is not empty
agree() {
	local want="" got="" d r
	for d in "$N"/node[0-9]*; do
		[ -n "$(cat "$d/cpulist")" ] && want="$want ${d##*node}"
	done
	for r in $(tr ',' ' ' <"$N/has_cpu"); do
		got="$got $(seq -s ' ' "${r%-*}" "${r#*-}")"
	done
	is "$got" "$want" "$1: has_cpu ($(cat "$N/has_cpu")) is the nodes with CPUs in their cpulist"
}
# pcp NID ZONE: the node's ZONE's distinct "high high_min" pairs over its CPUs
pcp() {
	awk -v n="$1," -v z="$2" '/^Node/ { on = ($2 == n && $4 == z) } on && $1 == "high:" { h = $2 }
		on && $1 == "high_min:" { print h, $2 }' "$MNT/proc/zoneinfo" | sort -u | tr '\n' ' '
}

is "$(cat "$N/node0/cpulist")|$(cat "$N/node1/cpulist")" "0-3|" "node0/cpulist 0-3, node1/cpulist empty"
agree "at boot"
set -- $(pcp 0 DMA32)
tap_ok "$([ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ]; echo $?)" \
	"node 0's DMA32 pagesets: high = high_min ($*), the boot CPUs' node"
set -- $(pcp 1 DMA32)
tap_ok "$([ $# -eq 2 ] && [ "$1" = 0 ] && [ "$2" -gt 0 ]; echo $?)" \
	"node 1's DMA32 pagesets: high 0 ($*): no CPU of it allocated through them"

ctl device_add pc-dimm id=d1 size=128M node=1 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "a DIMM on node 1"
blk=$(ls -d "$N"/node1/memory* | sort -V | tail -1)
echo online_movable >"$blk/state"
tap_ok $? "its ${blk##*/} online_movable"
agree "node 1 with a DIMM"
ctl device_del d1 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "device_del d1: the DIMM offlined and removed"
tap_ok "$([ ! -e "$blk" ]; echo $?)" "... ${blk##*/} is gone"
tap_ok "$([ -d "$N/node1" ]; echo $?)" "node1/ stays: its boot memory blocks are left (try_offline_node())"
is "$(cat "$N/online")" "0-1" "online 0-1"
agree "node 1's DIMM gone"

ctl device_add pc-dimm id=d2 size=128M node=2 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "a DIMM on node 2"
tap_ok "$([ -d "$N/node2" ]; echo $?)" "node2/ comes with it"
is "$(cat "$N/node2/cpulist" 2>&1)" "" "node2/cpulist empty" # 2>&1: a missing one is not empty
agree "node 2 with a DIMM"
ctl device_del d2 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "device_del d2"
tap_ok "$([ ! -e "$N/node2" ]; echo $?)" "node2/ goes: no memory block, no CPU"
is "$(cat "$N/online")" "0-1" "online 0-1"
agree "node 2 gone"
stop_fs

# the profile's cpu_nodes (QEMU's -numa node,cpus=): the host's CPUs in runs
# over them, whatever their host node, the engine and the view alike
printf 'profile = numa2\ncpu_nodes = 0-1\n' >"$TMP/cpus.profile"
start_fs --profile "$TMP/cpus.profile" --cmdline hotmem.kernel_alloc=off --fresh -S none
tap_ok $? "hotmemfs mounts numa2 with cpu_nodes = 0-1"
is "$(cat "$N/node0/cpulist")|$(cat "$N/node1/cpulist")" "0-1|2-3" "node0/cpulist 0-1, node1/cpulist 2-3"
agree "cpu_nodes = 0-1"
set -- $(pcp 1 DMA32)
tap_ok "$([ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ]; echo $?)" \
	"node 1's DMA32 pagesets: high = high_min ($*): a node with CPUs"
stop_fs
# cpu_nodes naming a node without boot memory (a memoryless node) and one
# that is not possible: tests/fusefs/92-memoryless-node.t
done_testing
