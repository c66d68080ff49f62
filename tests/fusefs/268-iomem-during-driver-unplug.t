#!/bin/bash
# testdebt item 3 (468c48d2, e51b6f9d): the virtio-mem drivers' work after
# an online (machine.c driver_retry()) ran with no copy of /proc/iomem and
# firmware/memmap: an online of a block of a device a busy shrink left
# above its requested-size runs the unplug its MEM_ONLINE queued (6.12
# virtio_mem_memory_notifier_cb() -> virtio_mem_retry()), online memory
# too, which takes a block's pages (alloc_contig_range(), hotmem's bound
# 10 s a block) under device_hotplug_lock, and a guest's `cat /proc/iomem`
# waited for it -- the retry timers' run of the same work answered from
# the copy since e51b6f9d (hmfs_change()), this one not.  The kernel's
# r_show() takes resource_lock alone.  Now driver_retry() asks
# holds_hotplug_long() as every change does.  The answer is checked to come
# while the unplug still takes memory33's pages (isolated in
# /proc/pagetypeinfo, the online's write not answered), not by a time; a
# read not answered within 30 s fails.  Without the copy in
# driver_retry() check 10 fails (the read waited for the unplug, and saw
# memory32 removed), and check 9 most runs (the read and the write are
# answered together then).  A read made only after the drivers' work ended
# shows nothing: checks 9-10 skip, saying so.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
unplugging() { [ ! -s "$TMP/online.rc" ] && [ "$(movable_isolated)" -gt 0 ]; }
plugged() { ctl qom-get vm0 size 2>&1; }

mount_fs "hotmemfs mounts" --fresh --state none
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33, offline)"
echo online_movable >"$M/memory33/state" &&
	ctl alloc movable 20000 >/dev/null && ctl alloc pinned 100 >/dev/null
tap_ok $? "memory33 online movable, movable pages and 100 pinned ones in it (memory33 stuck)"
ctl vmem-inject vm0 unplug BUSY >/dev/null && ctl set-size vm0 0 >/dev/null 2>&1
is "$(plugged)" 268435456 "set-size vm0 0, the device answers the unplug BUSY: still 256M plugged"
before=$(cat "$MNT/proc/iomem")
grep -q "virtio0" <<<"$before"
tap_ok $? "/proc/iomem before: vm0's region"
is "$(movable_isolated)" 0 "no pageblock isolated before the online"

# memory32's MEM_ONLINE queues the driver's unplug (above requested-size)
in_background online sh -c "echo online_movable >'$M/memory32/state'"
for _ in $(seq 600); do unplugging && break; sleep 0.05; done
unplugging
tap_ok $? "online_movable memory32: the driver's work after it takes memory33's pages (isolated), they will not go"
# whether the online's write (which waits for its drivers' work, ~150 ms
# here) was answered is looked at in the reader's own shell, just before
# its read and just after: a poll of the test's own (50 ms steps, two FUSE
# reads) outlived the unplug on a loaded host (fresh-clone CI, 2026-12-01)
when() { if [ -s "$TMP/online.rc" ]; then echo "$1"; else echo "$2"; fi; }
in_background during sh -c "$(declare -f when); TMP='$TMP'
	when late in-time >'$TMP/during.issued'
	cat '$MNT/proc/iomem'; r=\$?
	when after during >'$TMP/during.when'; exit \$r"
answered_within during 30
tap_ok $? "/proc/iomem answers"
if [ "$(cat "$TMP/during.issued")" = late ]; then
	ok "# SKIP the online's drivers' work ended before the read was made (a loaded host): nothing shown this run"
	ok "# SKIP (the same)"
else
	is "$(cat "$TMP/during.when")" during "... before the online's write, which waits for its drivers' unplug"
	is "$(cat "$TMP/during.out")" "$before" "... the resource tree as before the unplug"
fi

answered_within online 120
tap_ok $? "the online ends well, the unplug at its bound (memory33's pinned pages stay)"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
