#!/bin/bash
# A read of memoryN/online while block N's offline loops on pinned pages
# waits for that offline to end, and then says the block's state after
# it: 6.12's online_show() (drivers/base/core.c) takes device_lock(dev),
# which device_offline() holds across memory_subsys_offline() ->
# offline_pages(), the whole loop (a state write, an ACPI eject).
# hotmemfs answered it at once, "1" (abuse27 F4).  The READ is kept and
# answered from the change's end (devlock.c); the session thread never
# waits: another block's online, the block's own state and valid_zones
# answer meanwhile.  A reader killed -9 while it waits is answered (EINTR)
# and gone: its request is not kept while the offline loops (the kernel's
# sleeps unkillable in mutex_lock()).  Without the defer in fs.c
# hmfs_read() checks 5, 8, 11 and 14 fail (checked).  Every wait is a
# bound for a failure (in_fuse_read, answered_within, wait_gone).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

vmem_offline_loops "without a state file"
cat "$M/memory33/online" >"$TMP/r1.out" 2>&1 &
r1=$!
in_fuse_read "$r1"
tap_ok $? "a read of memory33/online waits in its FUSE read (device_lock)"
in_background other cat "$M/memory32/online"
answered_within other 30 && looping
tap_ok $? "memory32/online answers meanwhile: $(cat "$TMP/other.out")"
in_background st cat "$M/memory33/state" "$M/memory33/valid_zones"
answered_within st 30
tap_ok $? "memory33/state and valid_zones answer meanwhile: $(tr '\n' ' ' <"$TMP/st.out")"
cat "$M/memory33/online" >/dev/null 2>&1 &
r2=$!
disown "$r2"
in_fuse_read "$r2"
tap_ok $? "a second reader of memory33/online waits too"
kill -9 "$r2"
wait_gone "$r2" 20
tap_ok $? "... killed -9: gone"
looping
tap_ok $? "... while the offline still loops"
kill -0 "$r1" 2>/dev/null
tap_ok $? "the first reader still waits"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: memory33's offline ends well"
wait_gone "$r1" 30
tap_ok $? "the first reader is answered"
is "$(cat "$TMP/r1.out")" 0 "... with the block as the offline left it: 0"
is "$(cat "$M/memory33/online")" 0 "memory33/online reads 0 at once now"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
