#!/bin/bash
# A start that opened the state file's lock file before a failed start
# deleted it (a failed start deletes the lock file it made while it holds
# the lock: main.c start_unmake_files(), state.c hmfs_state_open()), and
# locked it after, held the lock of a file no longer there, beside a third
# start's lock on the new PATH.lock: two hotmemfs on one state file, the
# first one's --fresh setting the other's state aside.  Now the lock
# counts only while PATH.lock is the file locked (state.c
# lock_still_named()); else the start opens the file there now.  The
# first start is held between its open and its lock (lock_hold.so), so the
# deletion falls there for certain.  Without lock_still_named() checks 3-5
# fail (the held start mounts, and its --fresh sets the other's state
# file aside).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim lock_hold
STATE=$TMP/sd/st MNT2=$TMP/mnt2
mkdir -p "$TMP/sd" "$MNT2"
hold=$TMP/hold
: >"$hold"
HOTMEM_TEST_LOCK_HOLD=$hold LD_PRELOAD="$(preloads "$TMP/lock_hold.so")" \
	"$HMFS" --netns none --fresh -S "$STATE" -s "$TMP/b.sock" "$MNT" >"$TMP/b.out" 2>&1 &
b=$!
file_wait "$hold.held"
tap_ok $? "a start held between its open of $STATE.lock and its lock"
rm "$STATE.lock" # as a failed start that made it does, holding it
"$HMFS" --netns none --fresh -S "$STATE" -s "$CTL" "$MNT2" 2>>"$TMP/hotmemfs.log" &
FS_PID=$!
file_wait "$MNT2/sys/devices/system/memory/block_size_bytes"
tap_ok $? "another start mounts, its lock on the new $STATE.lock (pid $FS_PID)"
rm "$hold"
# it ends or mounts
ends_or_mounts() { ! kill -0 "$b" 2>/dev/null || [ -e "$MNT/sys/devices/system/memory/block_size_bytes" ]; }
for _ in $(seq 1200); do ends_or_mounts && break; sleep 0.05; done
mounted=no
mountpoint -q "$MNT" && { mounted=yes; umount -l "$MNT"; }
wait_exit "$b" 30
rc=$?
[ "$mounted" = no ] && [ "$rc" = 1 ]
tap_ok $? "the held start is refused (exit $rc, mounted: $mounted)"
grep -qF "state file $STATE is in use by another hotmemfs (pid $FS_PID holds $STATE.lock)" "$TMP/b.out"
tap_ok $? "... naming the one that holds the lock now: $(head -1 "$TMP/b.out")"
[ ! -e "$STATE.fresh-aside" ] && grep -q '"seq"' "$STATE"
tap_ok $? "... the other's state file not set aside"
ctl --json status >/dev/null
tap_ok $? "... the other answers on its socket"
umount "$MNT2" 2>/dev/null || umount -l "$MNT2"
wait_exit "$FS_PID" 30
FS_PID=
done_testing
