#!/bin/bash
# A sysfs attribute's times do not move when it is written or read: 6.12's
# kernfs_fop_write_iter() (fs/kernfs/file.c) calls the store and nothing
# else -- no file_update_time(), unlike generic_file_write_iter() -- and
# kernfs_fop_read_iter() is seq_read_iter() or kernfs_file_read_iter(),
# neither calls file_accessed(); only setattr (touch, chmod) sets them, in
# the node's kernfs_iattrs.  The host's sysfs agrees for reads (stat,
# cat, stat: the same atime under relatime with atime == mtime).  Nor does
# the FUSE client set them locally (no writeback cache: a write only drops
# its cached attributes, fuse_write_update_attr()), so hotmemfs's answer
# is what stat shows.  The writes here open without O_TRUNC (`1<>`): a
# shell's `>` truncates first, which sets mtime and ctime as kernfs does
# (do_truncate(): tests/fusefs/327).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle --timeout 60
tap_ok $? "a DIMM"
B=$(ls -d "$M"/memory* | sort -V | tail -1)
times() { stat -c '%X.%x %Y.%y %Z.%z' "$1"; }

t0=$(times "$M/auto_online_blocks")
sleep 1.1 # the times have nanoseconds, but a second makes a mistake plain
echo online_movable 1<>"$M/auto_online_blocks"
is "$(times "$M/auto_online_blocks")" "$t0" "a write to auto_online_blocks leaves its atime, mtime, ctime"
cat "$M/auto_online_blocks" >/dev/null
is "$(times "$M/auto_online_blocks")" "$t0" "... and a read too"

t0=$(times "$B/state")
echo online_movable 1<>"$B/state"
echo offline 1<>"$B/state"
is "$(times "$B/state")" "$t0" "online and offline through ${B##*/}/state leave its times"

# once set (a setattr made the node's kernfs_iattrs), writes leave them too
touch -d @1600000000 "$B/state"
t0=$(times "$B/state")
is "$(stat -c %Y "$B/state")" 1600000000 "touch -d @1600000000 sets its mtime"
echo online_movable 1<>"$B/state"
is "$(times "$B/state")" "$t0" "... a write after it leaves all three"
cat "$B/state" >/dev/null
is "$(times "$B/state")" "$t0" "... a read too"
done_testing
