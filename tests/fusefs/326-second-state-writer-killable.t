#!/bin/bash
# A second writer of memoryN/state, from its own open, while the first
# writer's offline of that block loops on pinned pages: in 6.12 it is
# killable and does not wait in the file (kernfs_fop_write_iter() takes
# the open file's of->mutex, not the inode's; state_store()'s
# lock_device_hotplug_sysfs() sleeps 5 ms and restarts the syscall while
# the offline holds device_hotplug_lock, so a signal ends it).  The
# kernel's FUSE serialises direct writes to one inode under its
# inode_lock (fuse_dio_lock(), 6.18) unless the open says
# FOPEN_PARALLEL_DIRECT_WRITES: the second writer sat in D state in the
# kernel, before hotmemfs ever saw it, and kill -9 could not end it until
# the offline ended (found 2026-12-01 by rerfix).  Also a write to
# memory33/online (another file of the same block) and to the same state
# file from a second open by the same process kind: each killed -9 once
# it waits, gone while the offline still loops (no time measured: not
# gone within 20 s fails).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory


vmem_offline_loops "without a state file"
killed_while_looping "memory33/state, a second open" "$M/memory33/state" offline
killed_while_looping "memory33/state, online_movable" "$M/memory33/state" online_movable
killed_while_looping "memory33/online" "$M/memory33/online" 0
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the first writer's offline of memory33 ends well"
is "$(cat "$M/memory33/state")" offline "memory33 offline"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
