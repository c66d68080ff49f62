#!/bin/bash
# A block probed (the sysfs probe interface) into a virtio-mem device's
# region before the driver added any block of its own (abuse24 A8): 6.12
# adds it, nested under virtio0 in /proc/iomem (virtio_mem_create_resource()
# leaves the region not busy "to make add_memory() work"), and its online
# reaches the driver's memory notifier, whose mb_states is still NULL --
# the kernel oopses the writer there.  hotmemfs segfaulted: the machine and
# its mount were gone.  Now the online is refused as 6.12 refuses a block
# in a state the driver does not online (EPERM, "memory block onlining
# denied"), the log says what 6.12 would do, and hotmemfs goes on.  A
# second probe beside it is a line of its own in /proc/iomem (only the
# driver's MHP_MERGE_RESOURCE ranges merge), and the invariants hold.
# Without the engine's fix (virtio_mem.c virtio_mem_has_state()) check 4
# fails (ECONNABORTED: hotmemfs is gone) and every later one with it.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

mount_probe_vmem v --state none
echo 0x100000000 >"$M/probe"
tap_ok $? "the guest probes 0x100000000, inside the device's region"
err=$( { echo online_movable >"$M/memory32/state"; } 2>&1)
is_like "$err" "*Operation not permitted*" "memory32's online is refused: EPERM"
kill -0 "$FS_PID"
tap_ok $? "hotmemfs is still there"
is "$(cat "$M/memory32/state")" offline "memory32 stays offline"
ctl dmesg | grep -A1 "virtio0: memory block onlining denied" | sed 's/^/# /'
ctl dmesg | grep -q "virtio0: memory block 32 is not the driver's (no mb_states yet): 6.12 oopses here"
tap_ok $? "the log says the online was denied, and what 6.12 would have done"
echo 0x108000000 >"$M/probe"
tap_ok $? "a second probe, right above the first"
iomem=$(grep -A2 ": virtio0$" "$MNT/proc/iomem")
is "$iomem" "100000000-11fffffff : virtio0
  100000000-107ffffff : System RAM
  108000000-10fffffff : System RAM" "/proc/iomem: one System RAM line each under virtio0, as 6.12"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
