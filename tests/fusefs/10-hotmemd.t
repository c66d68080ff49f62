#!/bin/bash
# hotmemfs + hotmemd end to end: a plugged DIMM's blocks are onlined by
# hotmemd, which hears hotmemfs's uevents in the private network namespace
# (netlink) or over the Unix socket fallback.
. "$(dirname "$0")/lib.sh"
require_env
need_built "$HMD"
need_tool ip iproute2
NS=hotmemfs-d$$
ip netns add "$NS" || skip_all "cannot create a network namespace"
HPID=
trap 'in_test_shell && { [ -n "$HPID" ] && kill $HPID 2>/dev/null; ip netns del "$NS" 2>/dev/null; cleanup; }' EXIT
M=$MNT/sys/devices/system/memory

wait_online() {	# wait_online FIRST LAST: 30 s at most
	for _ in $(seq 600); do
		local all=1 b
		for b in $(seq "$1" "$2"); do
			[ "$(cat "$M/memory$b/state" 2>/dev/null)" = online ] || all=0
		done
		[ $all = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

for transport in netlink unix; do
	if [ $transport = netlink ]; then
		start_fs --fresh --netns "$NS"
		tap_ok $? "hotmemfs --netns $NS"
		ip netns exec "$NS" "${HMD_CMD[@]}" --sysroot="$MNT" \
			--policy=online_movable >"$TMP/hotmemd.log" 2>&1 &
	else
		start_fs --fresh --uevent-socket "$TMP/ue.sock"
		tap_ok $? "hotmemfs --uevent-socket"
		"${HMD_CMD[@]}" --sysroot="$MNT" --netlink=no \
			--uevent-socket="$TMP/ue.sock" --policy=online_movable >"$TMP/hotmemd.log" 2>&1 &
	fi
	HPID=$!
	# ready: its uevent sockets bound, coldplug done (main.c)
	for _ in $(seq 600); do grep -q "ready: sysroot" "$TMP/hotmemd.log" && break; sleep 0.05; done
	grep -q "ready: sysroot" "$TMP/hotmemd.log"
	tap_ok $? "$transport: hotmemd is ready"
	ctl device_add pc-dimm id=d1 size=1G
	tap_ok $? "$transport: device_add pc-dimm size=1G"
	wait_online 32 39
	tap_ok $? "$transport: hotmemd onlined memory32-39"
	is "$(cat "$M/memory39/valid_zones")" "Movable" "$transport: ... into ZONE_MOVABLE"
	if [ $transport = netlink ]; then
		# what hotmemd asked hotmemfs: no GETXATTR (an O_TRUNC open's
		# security.capability check; sysfs-like files need no O_TRUNC)
		# and a listing of each new block dir, not a LOOKUP per name
		ops=$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["fuse"]["by-opcode"])')
		case "$ops" in *GETXATTR*) false ;; *) true ;; esac
		tap_ok $? "$transport: hotmemd's writes asked no security.capability (GETXATTR) [$ops]"
	fi
	kill $HPID
	wait_exit $HPID 30 2>/dev/null
	HPID=
	stop_fs
done
done_testing
