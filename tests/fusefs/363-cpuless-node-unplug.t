#!/bin/bash
# A node without CPUs (a CXL expander, QEMU's -numa node without cpus=)
# gives its hot-added memory back as 6.12 does (abuse29a N1): a virtio-mem
# device there grows to 256M (auto-movable onlines its first block Normal:
# the node has no kernel memory) and shrinks to 0, node2/ goes; on a fresh
# machine a DIMM there, auto-onlined alike, is unplugged whole by
# device_del and node2/ goes.  A machine each: the first one's kernel
# memory on node 2 would shield the second's.
# 6.12's setup_zone_pageset() is alloc_percpu(), pages on the CPUs' nodes
# (pcpu_alloc_pages(): cpu_to_node()), and kswapd2's and kcompactd2's
# stacks were not on node 2 either (its numastat counted nothing).
# hotmem put the zone's pageset page on the node's first Normal block:
# offline EBUSY, the unplug refused (_OST 0x82), virtio-mem stuck at 2M
# plugged, node 2 online for good.  The kernel allocates for itself here
# (no hotmem.kernel_alloc=off).  CPUs: a fake one-node host's, placed on
# the boot node (node 0) in a private mount namespace.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
. "$(dirname "$0")/nodes.sh"
require_env
N=$MNT/sys/devices/system/node
M=$MNT/sys/devices/system/memory

fake_cpu_host 2
tap_ok $? "a fake one-node host's cpu/ (CPUs 0-1) in a private mount namespace"

printf 'profile = qemu-512m\nnodes = 3\nvirtio_mem = id=vm1,memaddr=0x140000000,size=1G,node=2\n' \
	>"$TMP/n.profile"
# mount_cpuless WHAT: hotmemfs on that machine, fresh, no state file
mount_cpuless() {
	mount_fs "hotmemfs mounts qemu-512m with 3 nodes, CPUs on node 0, a virtio-mem vm1 on node 2 ($1)" \
		--profile "$TMP/n.profile" --fresh -S none \
		--cmdline "memhp_default_state=online memory_hotplug.online_policy=auto-movable"
	is "$(cat "$N/online") $(cat "$N/has_cpu")" "0 0" "node/online 0, has_cpu 0: nodes 1 and 2 have no CPU"
}

mount_cpuless "virtio-mem"
qmp_qom_set vm1 268435456 >/dev/null
vmem_plugged_wait vm1 268435456
tap_ok $? "qom-set vm1 requested-size 256M: 256M plugged"
is "$(cd "$N/node2" && ls -d memory[0-9]* | wc -l) $(cat "$N/has_normal_memory")" "2 0,2" \
	"two blocks on node 2, online, node 2 has normal memory"
qmp_qom_set vm1 0 >/dev/null
vmem_plugged_wait vm1 0
tap_ok $? "qom-set vm1 requested-size 0: 0 plugged (was 2M: the pageset's sub-block stayed)"
tap_ok "$([ ! -e "$N/node2" ]; echo $?)" "node2/ gone (try_offline_node())"
is "$(cat "$N/online")" 0 "node/online 0"

ctl check >/dev/null
tap_ok $? "hotmem's invariants hold"
stop_fs

# the DIMM on a fresh machine: node 2 without the virtio-mem device's kernel memory
mount_cpuless "a DIMM"
ctl device_add pc-dimm id=d2 size=256M node=2 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "a 256 MiB DIMM d2 on node 2"
blocks=$(cd "$N/node2" && ls -d memory[0-9]* | tr '\n' ' ')
set -- $blocks
is "$(cat "$M/$1/state" "$M/$1/valid_zones" 2>&1 | tr '\n' ' ')" "online Normal " \
	"$1 auto-onlined Normal (node 2's first kernel memory)"
is "$(cat "$N/online") $(cat "$N/has_normal_memory")" "0,2 0,2" "node 2 online, with normal memory"
ctl device_del d2 >/dev/null && ctl settle --timeout 60 >/dev/null
tap_ok $? "device_del d2: offlined and removed (was refused: _OST 0x82, EBUSY)"
tap_ok "$([ ! -e "$M/$1" ] && [ ! -e "$M/$2" ]; echo $?)" "$1, $2 gone"
tap_ok "$([ ! -e "$N/node2" ]; echo $?)" "node2/ gone (try_offline_node(): no memory, no CPU)"
is "$(cat "$N/online")" 0 "node/online 0 again"

ctl check >/dev/null
tap_ok $? "hotmem's invariants hold"
stop_fs
done_testing
