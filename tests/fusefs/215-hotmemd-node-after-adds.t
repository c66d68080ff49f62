#!/bin/bash
# hotmemd still decides every hot-added block with its own node's policy
# now that a block's memoryN/nodeK link comes after its hot-add's ADDs
# (tests/fusefs/214-*; 6.12 add_memory_resource()): each kind of hot-add
# on numa2 (nodes 0-1 with memory, 4 possible), hotmemd running with a
# policy per node -- node2 offline, node3 online_kernel, the others
# online_movable.  A block decided at its ADD, its link not read yet,
# would be node 0's: a node-2 DIMM onlined, a node-3 device in Movable.
. "$(dirname "$0")/lib.sh"
require_env
need_built "$HMD"
HPID=
trap 'in_test_shell && { [ -n "$HPID" ] && kill $HPID 2>/dev/null; cleanup; }' EXIT
M=$MNT/sys/devices/system/memory
mount_numa2_probe "hotmemfs mounts numa2 with probe, uevents on a Unix socket" nodeorder-hotmemd
"${HMD_CMD[@]}" --sysroot="$MNT" --netlink=no --uevent-socket="$USOCK" \
	--policy=online_movable --node-policy 2=offline --node-policy 3=online_kernel \
	--log-level debug >"$TMP/hotmemd.log" 2>&1 &
HPID=$!
for _ in $(seq 600); do grep -q "ready: sysroot" "$TMP/hotmemd.log" && break; sleep 0.05; done
grep -q "ready: sysroot" "$TMP/hotmemd.log"
tap_ok $? "hotmemd is ready (node2 offline, node3 online_kernel, else online_movable)"

# decided ID...: hotmemd decided each block (onlined it, or left it offline), 60 s at most
decided() {
	local b
	for _ in $(seq 1200); do
		for b in "$@"; do
			[ "$(cat "$M/memory$b/state" 2>/dev/null)" = online ] ||
				grep -q "memory$b: left offline" "$TMP/hotmemd.log" || { sleep 0.05; continue 2; }
		done
		return 0
	done
	return 1
}
# zones ID...: each block's state or zone, one line
zones() {
	local b
	for b in "$@"; do
		if [ "$(cat "$M/memory$b/state")" = online ]; then cat "$M/memory$b/valid_zones"; else echo offline; fi
	done | paste -sd' ' -
}
# check WHAT WANT IDS...
check() {
	local what=$1 want=$2
	shift 2
	decided "$@"
	tap_ok $? "$what: hotmemd decided memory$1-$(eval echo \${$#})"
	is "$(zones "$@")" "$want" "... $want" ||
		grep "memory$1[:]" "$TMP/hotmemd.log" | head -8 | sed 's/^/#   /'
}

ctl device_add pc-dimm id=d2 size=512M node=2 addr=0x100000000 >/dev/null
tap_ok $? "a DIMM on node2 (new): memory32-35"
check "node2's DIMM" "offline offline offline offline" 32 33 34 35
ctl device_add virtio-mem-pci id=vm3 size=1G requested-size=384M node=3 memaddr=0x140000000 >/dev/null
tap_ok $? "a virtio-mem device on node3 (new): memory40-42"
check "node3's virtio-mem device" "Normal Normal Normal" 40 41 42
ctl device_add pc-dimm id=d1 size=256M node=1 addr=0x300000000 >/dev/null
tap_ok $? "a DIMM on node1: memory96-97"
check "node1's DIMM" "Movable Movable" 96 97
echo 0x400000000 >"$M/probe"
tap_ok $? "probe: memory128 (node0)"
check "the probed block" "Movable" 128
for b in 32 33 34 35; do
	[ "$(readlink "$M/memory$b/node2")" = ../../node/node2 ]
	tap_ok $? "memory$b/node2 there"
done
grep -q "decided as node0's\|gave up" "$TMP/hotmemd.log"
tap_ok $((! $?)) "no block decided as node0's for want of its link, no give-up" ||
	grep "decided as node0's\\|gave up" "$TMP/hotmemd.log" | sed 's/^/#   /'
kill $HPID
wait_exit $HPID 30 2>/dev/null
HPID=
done_testing
