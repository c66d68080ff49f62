#!/bin/bash
# usereye10 U5's rest: a guest's `cat /proc/iomem` waited behind a guest
# user's `echo offline > memoryN/state` that loops on pinned pages (6.12's
# offline_pages() until a signal: for ever without `timeout`), for as long
# as it looped: the engine walks its resources under device_hotplug_lock,
# which the offline holds.  The kernel's r_show() (kernel/resource.c)
# takes resource_lock alone, never device_hotplug_lock, and an offline
# moves no resource: /proc/iomem answers at once, the tree as before.
# Each answer is checked to come while the offline still loops (memory33
# going-offline, its writer alive), not by a time.  The reads run in the
# background (a FUSE read once sent waits uninterruptibly: `timeout` would
# not end it): one not answered within 30 s fails, and the pins freed
# after let the offline end and the read return.  Without the copy
# (machine.c hmfs_iomem()) checks 7, 9 and 10 fail (3).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_fs --fresh --state none
tap_ok $? "hotmemfs mounts"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a DIMM d1"
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "movable pages in memory32-33, 100 pinned ones after them (memory33 stuck)"
before=$(cat "$MNT/proc/iomem")
grep -q "virtio0" <<<"$before" && grep -q "System RAM" <<<"$before"
tap_ok $? "/proc/iomem before: vm0's region and System RAM"

(echo offline >"$M/memory33/state") 2>"$TMP/off.err" &
off=$!
block_state_wait 33 going-offline
tap_ok $? "the guest's offline of memory33 loops (going-offline), no timeout"
looping() { block_state_wait 33 going-offline && kill -0 "$off" 2>/dev/null; }

in_background during cat "$MNT/proc/iomem"
answered_within during 30
tap_ok $? "/proc/iomem answers"
looping
tap_ok $? "... while the offline still loops"
is "$(cat "$TMP/during.out")" "$before" "... the resource tree as before the offline (an offline moves no resource)"
in_background during2 cat "$MNT/proc/iomem"
answered_within during2 30 && looping && [ "$(cat "$TMP/during2.out")" = "$before" ]
tap_ok $? "a second read answers too, the same, while the offline loops"

ctl free-all >/dev/null
wait "$off"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
wait_gone "$BG" 60
ctl device_del d1 >/dev/null
for _ in $(seq 400); do ctl -j query-memory-devices | grep -q '"d1"' || break; sleep 0.05; done
after=$(cat "$MNT/proc/iomem")
[ "$after" != "$before" ] && grep -q virtio0 <<<"$after"
tap_ok $? "after d1's removal /proc/iomem is the engine's again (d1's range gone)"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
