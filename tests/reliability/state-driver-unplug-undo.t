#!/bin/bash
# The virtio-mem driver's unplugging after an offline (virtio_mem.unplug_online
# off: the offline of one of its blocks queues its work, which unplugs
# that offline memory), undone when the offline's record cannot be made
# durable: what the driver unplugged is plugged back exactly
# (plugged_back() in fusefs/machine.c: the memory block it removed added
# again, offline, then onlined back by the offline's undo), without
# taking the device out and bringing it back whole (device_back()), so
# its other blocks, online and in use, stay as they are.  Then the same
# offline, taken, survives kill -9.
. "$(dirname "$0")/lib.sh"
require_sync_fail
OPTS=(--profile default --cmdline "memhp_default_state=online_movable")
P=$MNT/sys/module/virtio_mem/parameters/unplug_online
# probes: how many times the guest's driver probed a virtio-mem device
probes() { ctl dmesg | grep -c "virtio_mem virtio0: start address"; }

LD_PRELOAD=$SHIM start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts the default profile (kernel allocations on), new blocks online_movable"
echo N >"$P"
tap_ok $? "virtio_mem unplug_online N"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1G >/dev/null
ctl set-size vm0 640M >/dev/null
is "$(plugged)" $((1 << 30)) "vm0 shrunk to 640M keeps its online 1G plugged"
ctl alloc movable 20000 >/dev/null
tap_ok $? "20000 movable pages allocated (in vm0's Movable blocks too)"
refused_save offline "$M/memory35/state" "memory35's offline" \
	"... memory35 online again, vm0 1G plugged, the machine as before"
is "$(probes)" 1 "... what the driver unplugged plugged back exactly: vm0 never taken out and probed again"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
ctl check >/dev/null
tap_ok $? "invariants hold"
echo offline >"$M/memory35/state"
tap_ok $? "the same offline is taken now"
is "$(plugged) $([ -e "$M/memory35" ] && echo there || echo gone)" "$((896 << 20)) gone" \
	"... and the driver unplugs memory35: 896M"
kill9_same start_fs_netns "${OPTS[@]}"
done_testing
