#!/bin/bash
# --stop-wait bounds the whole stop, not only its wait for the notifier.
# The state file lives on a filesystem that is frozen (fsfreeze: a
# backup's snapshot; a hung NFS server does the same): a block's online
# is made in the engine, and its write waits in the kernel to journal it,
# unanswered.  SIGTERM ends the session loop, whose end waits for that
# request.  Before, the stop waited for it as long as the filesystem
# stayed frozen, the tree mounted and unanswered.  Now after --stop-wait
# (2 s) hotmemfs says what it still waits for, detaches the tree and
# exits 1 once that write comes out of the kernel; what was acknowledged
# (a DIMM added before the freeze) is in the state file, the online that
# was never answered is not: the machine restarts as it was before it.
# The same where the stop waits for its final save on that filesystem.
# In a private mount namespace (the frozen filesystem is a loop mount).
if [ -z "${HOTMEM_IN_MNTNS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	HOTMEM_IN_MNTNS=1 exec unshare -m --propagation private "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
set -u
require_env
[ -n "${HOTMEM_IN_MNTNS:-}" ] || skip_all "no unshare: needs a private mount namespace"
for t in fsfreeze mkfs.ext4 losetup; do
	command -v "$t" >/dev/null || skip_all "no $t"
done
M=$MNT/sys/devices/system/memory
FS=$TMP/fs
mkdir -p "$FS"
truncate -s 64M "$TMP/fs.img"
mkfs.ext4 -q -F "$TMP/fs.img" >/dev/null 2>&1 && mount -o loop "$TMP/fs.img" "$FS" ||
	skip_all "cannot mount an ext4 image on a loop device here"
FROZEN=
thaw() { [ -n "$FROZEN" ] && fsfreeze -u "$FS" && FROZEN=; }
# the filesystem is thawed whatever happens: the lib's cleanup after
trap 'in_test_shell && { thaw; stop_fs; umount -l "$FS" 2>/dev/null; cleanup; }' EXIT
STATE=$FS/state.json

mount_fs "hotmemfs mounts, its state file on an ext4 loop mount (--stop-wait 2)" --fresh --stop-wait 2
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "an acknowledged change: DIMM d1 added"
blk=$(ls -d "$M"/memory[0-9]* | sort -V | tail -1)
is "$(cat "$blk/state")" offline "... its block $(basename "$blk") offline"

fsfreeze -f "$FS" && FROZEN=1
tap_ok $? "the state file's filesystem frozen"
# the writer: bounded, it gets an error once the session ends
timeout 120 sh -c "echo online > '$blk/state'" 2>"$TMP/w.err" &
W=$!
wpid=
for _ in $(seq 200); do
	wpid=$(pgrep -x sh -P "$W") && break
	sleep 0.05
done
in_fuse_write "${wpid:-0}"
tap_ok $? "online of $(basename "$blk"): its write waits for hotmemfs's answer (the journal's filesystem frozen)"

kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached, the filesystem still frozen"
log_says "hotmemfs: stop: still waiting after 2 s \(--stop-wait\) for the session to end: a request of the mount still being served \(a write, its change not acknowledged\); stopping without it: every acknowledged change is in $STATE \(its journal\), the tree detached, exit 1" 5
tap_ok $? "... saying what it still waits for, and where the acknowledged changes are"

thaw
tap_ok $? "the filesystem thawed"
wait_gone "$FS_PID" 60
tap_ok $? "hotmemfs has exited"
wait_exit "$FS_PID" 5
is "$?" 1 "... with status 1 (the stop overdue)"
FS_PID=
wait_exit "$W" 60
grep -q "I/O error" "$TMP/w.err"
tap_ok $? "the online's writer got an error: $(cat "$TMP/w.err")"
end_fs_stopped

start_fs --stop-wait 2
tap_ok $? "hotmemfs restarts from the state file"
is "$(ctl devices 2>/dev/null | grep -c '\bd1\b')" 1 "... with d1: the acknowledged change kept"
is "$(cat "$blk/state")" offline "... $(basename "$blk") offline: the unanswered online is not there"

# the same bound where the stop waits for its final save: nothing in
# flight, the filesystem frozen, SIGTERM
ctl device_add pc-dimm id=d2 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "another acknowledged change: DIMM d2 added"
fsfreeze -f "$FS" && FROZEN=1
tap_ok $? "the state file's filesystem frozen again"
kill -TERM "$FS_PID"
unmounted 60
tap_ok $? "SIGTERM: after --stop-wait the tree is detached"
log_says "hotmemfs: stop: still waiting after 2 s \(--stop-wait\) for the final save; stopping without it: every acknowledged change is in $STATE \(its journal\), the tree detached, exit 1" 5
tap_ok $? "... saying that it waited for the final save"
thaw
wait_gone "$FS_PID" 60
tap_ok $? "thawed: hotmemfs has exited"
wait_exit "$FS_PID" 5
is "$?" 1 "... with status 1"
FS_PID=
end_fs_stopped
start_fs
tap_ok $? "hotmemfs restarts from the state file's journal"
is "$(ctl devices 2>/dev/null | grep -cE '\bd[12]\b')" 2 "... with d1 and d2"
done_testing
