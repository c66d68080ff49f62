#!/bin/bash
# A hotmemfs started on the mountpoint of one that is stopped (SIGSTOP)
# refuses at once, naming the mountpoint and the stopped one's pid.
# Before, its start asked the mount's filesystem (statfs) whether it was
# alive, and the stopped one never answers: the new hotmemfs hung in that
# request for good, its SIGTERM blocked -- only SIGKILL ended it.  Now the
# question waits 2 s at most (in a child); the stopped one, continued,
# serves its tree as before.
. "$(dirname "$0")/lib.sh"
set -u
require_env
mount_fs "hotmemfs A mounts" --state none
A=$FS_PID
# A's tree in the kernel's caches, as a user's would be
cat "$MNT/sys/devices/system/memory/block_size_bytes" >/dev/null

kill -STOP "$A"
# bounded: SIGKILL after 30 s (its SIGTERM is blocked while it starts)
timeout -s KILL 30 "$HMFS" --control "$TMP/b.sock" --state none "$MNT" 2>"$TMP/b.log" &
B=$!
wait_exit "$B" 40
st=$?
diag "B: $(cat "$TMP/b.log")"
is "$st" 1 "hotmemfs B on A's mountpoint, A stopped: B refuses (status 1), does not hang"
grep -qF "hotmemfs: $MNT does not answer (statfs waited 2000 ms): it is the mount of a hotmemfs that is stopped or hung (pid $A, stopped)" "$TMP/b.log"
tap_ok $? "... naming the mountpoint and what holds it: A's pid, stopped"
grep -qF "hotmemfs: refusing to mount over it; let that one go on (kill -CONT) or stop it, or choose another mountpoint" "$TMP/b.log"
tap_ok $? "... and what to do"
# the same mountpoint named relative to another directory, with a slash
(cd "$TMP" && exec timeout -s KILL 30 "$HMFS" --control "$TMP/b.sock" --state none mnt/) 2>"$TMP/b2.log" &
B=$!
wait_exit "$B" 40
is "$?" 1 "... as mnt/ from $TMP too"
grep -qF "hotmemfs: mnt/ does not answer (statfs waited 2000 ms): it is the mount of a hotmemfs that is stopped or hung (pid $A, stopped)" "$TMP/b2.log"
tap_ok $? "... naming A's pid all the same"
is "$(findmnt -n -t fuse.hotmemfs "$MNT" | wc -l)" 1 "... nothing mounted over A"
[ ! -e "$TMP/b.sock" ]
tap_ok $? "... no control socket made"

kill -CONT "$A"
timeout 20 cat "$MNT/sys/devices/system/memory/block_size_bytes" >/dev/null
tap_ok $? "A, continued, serves its tree"
kill -TERM "$A"
wait_exit "$A" 30
is "$?" 0 "... and stops cleanly"
FS_PID=
end_fs_stopped

# a plain directory and a dead hotmemfs's mount still take a new one
start_fs --state none
tap_ok $? "a new hotmemfs mounts on the free mountpoint"
kill -9 "$FS_PID"
wait_exit "$FS_PID" 30 2>/dev/null # no job notice on the test's stderr
# start_fs's wait for the tree passes at once here: the dead mount's names
# are still in the kernel's caches
start_fs --state none
log_says "stale mount of a dead hotmemfs, detaching it"
tap_ok $? "... and over a dead one's mount (kill -9), which it detaches"
# its start line, the third in the log (A, the one killed, this one)
for _ in $(seq 600); do [ "$(grep -c ' mounted on ' "$TMP/hotmemfs.log")" -ge 3 ] && break; sleep 0.05; done
timeout 20 cat "$MNT/sys/devices/system/memory/block_size_bytes" >/dev/null &&
	[ "$(findmnt -n -t fuse.hotmemfs "$MNT" | wc -l)" = 1 ]
tap_ok $? "... and serves its tree there, alone"
done_testing
