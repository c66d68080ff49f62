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
# holds_hotplug_long() as every change does.  The read comes while the
# drivers' work is held, not by a time: thread_hold.so (tests/reliability/
# thread_hold.c) holds the writer's thread while it runs that work (named
# hotmemfs-driver then, machine.c driver_apply()) at its first
# pthread_rwlock_wrlock(), under device_hotplug_lock (the unplug of online
# memory's vmemmap_remap_lost_excl(), not mem_hotplug_begin() as said
# before: the stack showed it), until the read was answered; a read not answered within 30 s fails.  Without the copy in
# driver_retry() (apply() for apply_held()) check 8 fails: the read waits
# for device_hotplug_lock, which the held work keeps.  Its answer is the
# tree as before the work, checked with it: a separate check passed
# without the copy too (the read answered after the work, whose offline
# of memory32 the hold had run past its 10 s bound, HMFS_EJECT_SECONDS,
# then counted from the run's start: sub-blocks unplugged, the block not
# removed, /proc/iomem as before -- the driver's next retry removes it,
# as the kernel's next run would; the bound counts from each offline's
# own start since, tests/fusefs/318).  Check 7 says where the hold landed (the held
# thread's stack: driver_apply(), virtio_mem_run_locked()); 10 and 12 that the
# worker is named hotmemfs-driver while it runs the drivers' work and has
# its own name back after (8d6f93e4).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils
# the held worker's name ("gone": the thread has ended)
held_comm() { cat "/proc/$FS_PID/task/$(held_tid)/comm" 2>/dev/null || echo gone; }

vm0_driver_unplug_held
before=$IOMEM_BEFORE
in_background during cat "$MNT/proc/iomem"
answered_within during 30 && [ "$(cat "$TMP/during.out")" = "$before" ]
tap_ok $? "/proc/iomem answers while the drivers' work holds device_hotplug_lock, the resource tree as before the unplug" ||
	diag "the read: $(tr '\n' '|' <"$TMP/during.out")"
[ ! -s "$TMP/online.rc" ] && [ -e "$TMP/hold.held" ]
tap_ok $? "... the online's write, which waits for its drivers' work, not answered yet"
is "$(held_comm)" hotmemfs-driver "... the FUSE worker running the drivers' work is named hotmemfs-driver meanwhile"
rm -f "$TMP/hold"
answered_within during 30

answered_within online 120
tap_ok $? "the online ends well, the unplug at its bound (memory33's pinned pages stay)"
[ "$(held_comm)" != hotmemfs-driver ] && ! grep -qx hotmemfs-driver /proc/"$FS_PID"/task/*/comm
tap_ok $? "... its drivers' work done, the worker has its own name back ($(held_comm)): no thread is hotmemfs-driver"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
