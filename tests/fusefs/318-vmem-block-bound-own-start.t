#!/bin/bash
# A virtio-mem shrink gives a block's offline up after HMFS_EJECT_SECONDS
# (10 s) of its own, counted where that offline starts trying its range
# (the engine's hotmem_task offline_begin(): the locks taken, the range
# isolated, MEM_GOING_OFFLINE sent) -- where 4.14's __offline_pages()
# started its 120 s (expire = jiffies + timeout; 6.12 has no bound at all,
# its worker has no signal).  The bound ran from the driver's run's start
# (testdebt3's leftover): a run held that long before its first offline --
# waiting for device_hotplug_lock, or here held by thread_hold.so at its
# first write lock, the unplug of online memory's vmemmap_remap_lost_excl()
# (the held thread's stack says so, check 5) -- gave every block's offline
# up at its first check, untried: the block it offlines first (memory33),
# its sub-blocks all unplugged, stayed added and online for a later run
# (the bound then re-armed from that give-up, memory32 went).  The hold
# lasts 11 s, past the old bound: that sleep is what makes the old code
# fail, no check depends on a speed.  Without the offline_begin() bound
# (fusefs/dev.c eject_block_begin()) check 8 fails (memory33 online).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils
M=$MNT/sys/devices/system/memory

mount_driver_hold
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null &&
	echo online_movable >"$M/memory33/state"
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33), memory33 online movable"
ctl vmem-inject vm0 unplug BUSY >/dev/null && ctl set-size vm0 0 >/dev/null 2>&1
is "$(vmem_plugged vm0)" 268435456 "set-size vm0 0, the device answers the unplug BUSY: still 256M plugged"

# memory32's MEM_ONLINE queues the driver's unplug (above requested-size),
# which the writer's thread runs after the online: held before its first offline
: >"$TMP/hold"
in_background online sh -c "echo online_movable >'$M/memory32/state'"
file_wait "$TMP/hold.held"
tap_ok $? "online_movable memory32: the drivers' work after it is held at its first write lock"
held_in driver_apply virtio_mem_run_locked virtio_mem_fake_offline
tap_ok $? "... in the unplug of online memory, before any block's offline"
sleep 11
rm -f "$TMP/hold"
answered_within online 120
tap_ok $? "the hold let go past 10 s, the online ends well"
is "$(vmem_plugged vm0)" 0 "the shrink went on: 0 plugged"
is "$(cat "$M/memory32/state" 2>&1; cat "$M/memory33/state" 2>&1)" \
	"$(printf 'cat: %s: No such file or directory\ncat: %s: No such file or directory' "$M/memory32/state" "$M/memory33/state")" \
	"memory32-33 removed: each block's offline had its own 10 s"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
