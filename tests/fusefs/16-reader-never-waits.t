#!/bin/bash
# hotmemfs answers reads on one thread and hands whatever may wait for a
# running hotplug operation to worker threads: stores, and /proc/iomem and
# /sys/firmware/memmap, which the engine reads under device_hotplug_lock.
# While an offline loops (nothing to migrate to, 6.12: until a signal),
# other files still read, /proc/iomem and firmware/memmap too (from a
# copy, as 6.12's r_show() takes resource_lock alone and firmware/memmap
# is kernfs's, changed under map_entries_lock: tests/fusefs/242), and the
# writer's signal still ends the offline with EINTR (FUSE_INTERRUPT
# reaches us).  Before 2026-12-01 firmware/memmap waited: checks
# 7 and 8 fail without its copy.  The one exception is the looping
# block's own `online`: 6.12's online_show() takes device_lock(), which
# device_offline() holds across the loop, so that read waits for the
# offline's end, on hotmemfs too (without blocking the reading thread:
# tests/fusefs/352).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_fs --fresh --cmdline "hotmem.kernel_alloc=off"
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
echo online_movable >"$M/memory32/state"
is "$(cat "$M/memory32/state")" "online" "memory32 online movable"
# every free page taken: an offline of memory32 has nowhere to migrate to
ctl alloc movable 100000000 >/dev/null
tap_ok $? "all free memory allocated (movable)"

# the writer's signal comes when the test fires timeout itself (SIGALRM,
# its own alarm: it sends SIGINT and exits 124), once the checks below ran
timeout -s INT 600 sh -c "echo offline > $M/memory32/state" &
writer=$!
# the offline loops once the block says going-offline (30 s at most; a
# read that waited for the offline ends at its timeout)
block_state_wait 32 going-offline
# the offline is looping now: these must not wait for it
t0=$(date +%s%N)
st=$(timeout 20 cat "$M/memory32/state")
rc=$?
t1=$(date +%s%N)
[ $rc = 0 ] && [ "$st" = going-offline ]
tap_ok $? "memory32/state reads during the offline: '$st' in $(((t1 - t0) / 1000000)) ms"
timeout 20 cat "$M/block_size_bytes" >/dev/null
tap_ok $? "another attribute reads during the offline"
# /proc/iomem and firmware/memmap answer at once (a worker thread reads them)
in_background iomem cat "$MNT/proc/iomem"
answered_within iomem 30
tap_ok $? "/proc/iomem answers during the offline (6.12's r_show(): resource_lock alone)"
iomem=$BG
in_background fwmap ls "$MNT/sys/firmware/memmap"
answered_within fwmap 30
tap_ok $? "firmware/memmap lists during the offline (kernfs; map_entries_lock, not device_hotplug_lock)"
fwmap=$BG
in_background fwmap0 cat "$MNT/sys/firmware/memmap/0/type"
answered_within fwmap0 30
tap_ok $? "firmware/memmap/0/type reads during the offline: '$(cat "$TMP/fwmap0.out")'"
cat "$M/memory32/online" >"$TMP/online.out" 2>&1 &
online=$!
in_fuse_read "$online"
tap_ok $? "memory32/online, the exception, waits (online_show()'s device_lock, held by the offline)"
block_state_wait 32 going-offline
tap_ok $? "... while the offline still loops"
kill -ALRM $writer
wait_exit $writer 30
rc=$?
[ $rc = 124 ] && grep -q "memory32: offline failed (EINTR)" "$TMP/hotmemfs.log"
tap_ok $? "the writer's signal ends the offline: EINTR (writer rc $rc)"
wait_gone "$online" 30
is "$(cat "$TMP/online.out")" 1 "memory32/online answered once the offline ended: 1 (it failed)"
wait_exit $iomem 30
grep -q "System RAM" "$TMP/iomem.out"
tap_ok $? "/proc/iomem has System RAM"
wait_exit $fwmap 30
[ "$(wc -w <"$TMP/fwmap.out")" -ge 2 ]
tap_ok $? "firmware/memmap listed its entries ($(wc -w <"$TMP/fwmap.out"))"
is "$(cat "$M/memory32/state")" "online" "memory32 is online again (a failed offline changes nothing)"
ctl free-all >/dev/null
echo offline >"$M/memory32/state"
tap_ok $? "with its pages freed memory32 goes offline"
done_testing
