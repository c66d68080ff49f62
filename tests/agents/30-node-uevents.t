#!/bin/bash
# Node device uevents (drivers/base/node.c, 6.12): memory plugged into a
# node without memory brings it online with KOBJ_ADD for
# /devices/system/node/nodeN after the memory blocks' ADDs; removing its
# last memory sends KOBJ_REMOVE after theirs.  Raw wire format (fields and
# order) on the entered machine's netlink, and udevadm monitor --property.
. "$(dirname "$0")/../fusefs/lib.sh"
need_enter
need_tool udevadm udev
need_tool python3 python3

"$ENTER" --profile numa2 --cmdline hotmem.kernel_alloc=off -- bash -c '
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
s.bind((0, 1))
sys.stdout.write(\"ready\n\"); sys.stdout.flush()
while True:
    m = s.recv(8192)
    print(\"|\".join(x.decode() for x in m.rstrip(b\"\\0\").split(b\"\\0\")), flush=True)
" >/run/raw 2>&1 &
	udevadm monitor --kernel --property --subsystem-match=node >/run/mon 2>&1 &
	# both listening: the raw one says ready, udevadm monitor names the
	# kernel'"'"'s events once its socket is bound (30 s at most)
	for _ in $(seq 600); do grep -q ready /run/raw && grep -q "^KERNEL - the kernel uevent" /run/mon && break; sleep 0.05; done
	echo "online_before=$(cat /sys/devices/system/node/online)"
	hotmemctl device_add pc-dimm size=256M node=2 id=d1 >/dev/null
	hotmemctl settle --timeout 60
	echo "online_plugged=$(cat /sys/devices/system/node/online)"
	[ -d /sys/devices/system/node/node2 ]; echo "node2_dir=$?"
	hotmemctl device_del d1 >/dev/null
	hotmemctl settle --timeout 60
	echo "online_after=$(cat /sys/devices/system/node/online)"
	# every uevent sent (settle); both have printed node2'"'"'s REMOVE, the last
	for _ in $(seq 600); do
		grep -q "^remove@/devices/system/node/node2|" /run/raw &&
			grep -A3 "^ACTION=remove" /run/mon | grep -q "^SEQNUM=" && break
		sleep 0.05
	done
	kill %1 %2
	sed "s/SEQNUM=[0-9]*/SEQNUM=N/; s/^/raw:/" /run/raw | grep -v raw:ready
	grep -E "^(ACTION|DEVPATH|SUBSYSTEM|SEQNUM)=" /run/mon | sed "s/SEQNUM=[0-9]*/SEQNUM=N/; s/^/mon:/"
' >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "the entered machine ran the scenario"
val() { sed -n "s/^$1=//p" "$TMP/out"; }
is "$(val online_before)" 0-1 "numa2 boots with nodes 0-1 online"
is "$(val online_plugged)" 0-2 "a DIMM on node 2 brings it online"
is "$(val node2_dir)" 0 "node2 appears in /sys/devices/system/node"
is "$(val online_after)" 0-1 "its removal takes node 2 offline"
want='raw:add@/devices/system/memory/memory32|ACTION=add|DEVPATH=/devices/system/memory/memory32|SUBSYSTEM=memory|SEQNUM=N
raw:add@/devices/system/memory/memory33|ACTION=add|DEVPATH=/devices/system/memory/memory33|SUBSYSTEM=memory|SEQNUM=N
raw:add@/devices/system/node/node2|ACTION=add|DEVPATH=/devices/system/node/node2|SUBSYSTEM=node|SEQNUM=N'
is "$(grep -E '^raw:add@/devices/system/(memory|node)/' "$TMP/out")" "$want" "wire format: the blocks' ADD, then node2's, fields in the kernel's order"
is "$(grep -E '^raw:remove@/devices/system/(memory|node)/' "$TMP/out" | tail -1)" \
	'raw:remove@/devices/system/node/node2|ACTION=remove|DEVPATH=/devices/system/node/node2|SUBSYSTEM=node|SEQNUM=N' \
	"wire format: node2's REMOVE comes last"
want='mon:ACTION=add
mon:DEVPATH=/devices/system/node/node2
mon:SUBSYSTEM=node
mon:SEQNUM=N
mon:ACTION=remove
mon:DEVPATH=/devices/system/node/node2
mon:SUBSYSTEM=node
mon:SEQNUM=N'
is "$(grep '^mon:' "$TMP/out")" "$want" "udevadm monitor --property shows node2's add and remove"
if [ "$T_FAIL" -gt 0 ]; then
	sed 's/^/# out: /' "$TMP/out"
	sed 's/^/# err: /' "$TMP/err" | tail -10
fi
done_testing
