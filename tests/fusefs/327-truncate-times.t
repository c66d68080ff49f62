#!/bin/bash
# A truncate sets a sysfs file's mtime and ctime as kernfs stores them:
# a shell's `>` (an O_TRUNC open: 6.12 fs/namei.c handle_truncate()) and
# ftruncate (truncate -s 0: fs/open.c do_ftruncate()) are do_truncate()
# with ATTR_MTIME|ATTR_CTIME, notify_change() sets both to now and
# __kernfs_setattr() keeps them in the node's kernfs_iattrs (made by it,
# all three times its own, when it had none).  FUSE sends the SETATTR of
# the size alone (update_mtime()): hotmemfs sets them.  In memory alone:
# no journal record a truncate; a restart shows the times the state file
# has -- a later chmod's record carries the truncate's mtime.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
mount_fs "hotmemfs mounts, with a state file" --fresh
F1=$M/memory0/online F2=$M/memory1/online
# atime|mtime|ctime, with nanoseconds
times() { stat -c '%x|%y|%z' "$1"; }
field() { times "$1" | cut -d'|' -f"$2"; }
journal_lines() { tr -cd '\n' <"$STATE.journal" 2>/dev/null | wc -c; }

t0=$(times "$F1") j0=$(journal_lines)
: >"$F1"
tap_ok $? ": > memory0/online (an O_TRUNC open, nothing written)"
isnt_mtime=$(field "$F1" 2)
[ "$isnt_mtime" != "$(cut -d'|' -f2 <<<"$t0")" ]
tap_ok $? "... sets its mtime (was $(cut -d'|' -f2 <<<"$t0"), now $isnt_mtime)"
a=$(field "$F1" 1) c=$(field "$F1" 3)
is "$a|$c" "$isnt_mtime|$isnt_mtime" "... its atime and ctime the same time: the kernfs_iattrs it made"
is "$(journal_lines)" "$j0" "... and adds no record to the journal"
T1=$(times "$F1")

touch -d @1600000000 "$F2"
: >"$F2"
is "$(stat -c %X "$F2")" 1600000000 ": > memory1/online after touch -d: its atime stays the touch's"
[ "$(stat -c %Y "$F2")" != 1600000000 ] && [ "$(field "$F2" 2)" = "$(field "$F2" 3)" ]
tap_ok $? "... its mtime and ctime the truncate's ($(field "$F2" 2))"

touch -d @1600000000 "$F2"
truncate -s 0 "$F2"
tap_ok $? "truncate -s 0 memory1/online (ftruncate) after touch -d again"
[ "$(stat -c %Y "$F2")" != 1600000000 ] && [ "$(field "$F2" 2)" = "$(field "$F2" 3)" ]
tap_ok $? "... sets its mtime and ctime ($(field "$F2" 2))"
is "$(cat "$F2")" 1 "... and the file reads as before"

m=$(field "$F2" 2)
chmod 600 "$F2"
is "$(field "$F2" 2)" "$m" "a chmod after it keeps the truncate's mtime"
[ "$(field "$F2" 3)" != "$m" ]
tap_ok $? "... and sets ctime"

kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(field "$F2" 2)" "$m" "memory1/online: the truncate's mtime came back with the chmod's record"
[ "$(times "$F1")" != "$T1" ]
tap_ok $? "memory0/online: the truncate's times, kept in memory alone, did not"
stop_fs
done_testing
