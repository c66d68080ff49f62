#!/bin/bash
# The virtio-mem driver's plugging after an online, undone when that
# online's record cannot be made durable, on a device whose other blocks
# are online and in use: the undo takes back what the driver plugged
# after the online, and nothing else of the device (its online blocks
# stay online, their pages in use stay where they are), and hotmemfs
# takes the next change.  The offline of a device's block, undone, is
# that block's alone (its record a one-block run).
. "$(dirname "$0")/lib.sh"
require_sync_fail
start() { LD_PRELOAD=$SHIM start_fs_netns "$@"; }

start --profile default --fresh
tap_ok $? "hotmemfs mounts the default profile, kernel allocations on"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1536M >/dev/null
is "$(plugged)" $((1 << 30)) "virtio-mem vm0 requested 1.5G: 1G plugged, the driver waits for onlines"
echo online_kernel >"$M/memory32/state" && for b in 34 35; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory32 onlined to Normal, memory34-35 to Movable"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold (1G) is online: memory33's online, the fourth, would
is "$(plugged)" $((1 << 30)) "... 640M still offline: the driver adds nothing yet"
ctl alloc unmovable 20000 >/dev/null
tap_ok $? "20000 unmovable pages allocated"
ctl explain 32 | grep -q "workload.*unmovable"
tap_ok $? "... some of them in memory32: its offline would fail (hotmemctl explain 32)"
refused_save online_movable "$M/memory33/state" "memory33's online" \
	"... memory33 offline, vm0 plugged as before, memory32 online in Normal"
echo online_movable >"$M/memory33/state"
tap_ok $? "the next online is taken (hotmemfs is not frozen)"
refused_save offline "$M/memory33/state" "memory33's offline" "... memory33 back online, vm0 as before"
kill9_same start --profile default
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
