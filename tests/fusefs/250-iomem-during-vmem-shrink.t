#!/bin/bash
# fmend6's leftover: a virtio-mem shrink (qom-set requested-size smaller)
# whose guest driver cannot take a block's pages (pinned ones: 6.12's
# alloc_contig_range() retries, hotmem's shrink up to its 10 s a block)
# holds the engine's device_hotplug_lock as an offline that loops does,
# but took no copy of /proc/iomem (machine.c holds_hotplug_long() counted
# offlines and device_del only): a guest's `cat /proc/iomem` waited for
# the shrink.  The kernel's r_show() takes resource_lock alone; a shrink
# moves no resource until it removes a block (its REMOVE ends the copy's
# stand, as for a DIMM's eject).  The answer is checked to come while the
# shrink still takes memory33's pages (its pageblocks isolated in
# /proc/pagetypeinfo, the set-size not answered), not by a time; the read
# runs in the background, one not answered within 30 s fails.  Without
# the shrink counted (dev.c hmfs_dev_may_unplug()) checks 8 and 9 fail
# (2): the read waited for the shrink, and saw memory32 removed.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
shrinking() { [ ! -s "$TMP/shrink.rc" ] && [ "$(movable_isolated)" -gt 0 ]; }

start_fs --fresh --state none
tap_ok $? "hotmemfs mounts"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-33, 100 pinned ones after them (memory33 stuck)"
before=$(cat "$MNT/proc/iomem")
grep -q "virtio0" <<<"$before"
tap_ok $? "/proc/iomem before: vm0's region"
is "$(movable_isolated)" 0 "no pageblock isolated before the shrink"

in_background shrink ctl set-size vm0 0
for _ in $(seq 600); do shrinking && break; sleep 0.05; done
shrinking
tap_ok $? "set-size vm0 0: the guest's driver takes memory33's pages (isolated), they will not go"
in_background during cat "$MNT/proc/iomem"
answered_within during 30
tap_ok $? "/proc/iomem answers"
shrinking
tap_ok $? "... while the shrink still runs"
is "$(cat "$TMP/during.out")" "$before" "... the resource tree as before the shrink"

answered_within shrink 120 || answered_within shrink 1 1
tap_ok $? "the shrink ends at its bound (memory33's pinned pages stay)"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
