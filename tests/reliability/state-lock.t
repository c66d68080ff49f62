#!/bin/bash
# One hotmemfs per state file and per control socket (#16.9): a second
# one is refused, naming the pid of the one that holds them, and the
# first one goes on undisturbed (its socket, its state file).  After a
# kill -9 nothing is left holding either.
. "$(dirname "$0")/lib.sh"
require_env
MNT2=$TMP/mnt2
mkdir -p "$MNT2"
# second ARGS...: a second hotmemfs on $MNT2; its exit status (124: still running)
second() {
	timeout 10 unshare -n "$HMFS" "$@" "$MNT2" 2>"$TMP/err2.txt"
	local rc=$?
	mountpoint -q "$MNT2" && umount -l "$MNT2"
	return $rc
}

start_fs_netns() { # as reliability/lib.sh, without sourcing it twice
	unshare -n "$HMFS" --control "$CTL" --state "$STATE" "$@" "$MNT" 2>>"$TMP/hotmemfs.log" &
	FS_PID=$!
	fs_wait_mounted
}
start_fs_netns --fresh
tap_ok $? "the first hotmemfs runs (pid $FS_PID)"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "... and saved a device"
sum=$(cat "$STATE" "$STATE.journal" | md5sum)

second --control "$TMP/other.sock" --state "$STATE"
rc=$?
tap_ok $((rc == 0 || rc == 124)) "a second one on the same state file is refused (exit $rc)"
grep -q "state file $STATE is in use by another hotmemfs (pid $FS_PID" "$TMP/err2.txt"
tap_ok $? "... naming the pid: $(head -1 "$TMP/err2.txt")"
# one in another PID namespace (another hotmem-enter's), where F_GETLK's
# pid is 0: "pid 0 holds" named nobody (usereye8 5b)
timeout 10 unshare -n -p -f --kill-child "$HMFS" --control "$TMP/other.sock" --state "$STATE" "$MNT2" \
	2>"$TMP/err3.txt"
rc=$?
mountpoint -q "$MNT2" && umount -l "$MNT2"
grep -q "state file $STATE is in use by another hotmemfs, in another PID namespace (another hotmem-enter?), which holds $STATE.lock" \
	"$TMP/err3.txt"
tap_ok $? "from another PID namespace: refused (exit $rc), the holder named by its namespace, not as pid 0: $(head -1 "$TMP/err3.txt")"
second --control "$TMP/other.sock" --state "$STATE" --fresh
rc=$?
tap_ok $((rc == 0 || rc == 124)) "... also with --fresh (exit $rc)"
is "$(cat "$STATE" "$STATE.journal" | md5sum)" "$sum" "... which left the state file and journal as they were"

second --control "$CTL" --state "$TMP/other.state"
rc=$?
tap_ok $((rc == 0 || rc == 124)) "a second one on the same control socket is refused (exit $rc)"
grep -q "control socket $CTL is served by a running hotmemfs (pid $FS_PID)" "$TMP/err2.txt"
tap_ok $? "... naming the pid: $(head -1 "$TMP/err2.txt")"
ctl --json devices | grep -q '"d1"'
tap_ok $? "the first one still answers on its socket"
ctl device_add pc-dimm id=d2 size=128M >/dev/null && grep -q '"d2"' "$STATE" "$STATE.journal"
tap_ok $? "... and saves its changes"

kill9_fs
second --control "$CTL" --state "$STATE" &
pid2=$!
for _ in $(seq 100); do
	[ -e "$MNT2/sys/devices/system/memory/block_size_bytes" ] && break
	sleep 0.05
done
[ -e "$MNT2/sys/devices/system/memory/block_size_bytes" ] && ctl --json devices | grep -q '"d2"'
tap_ok $? "after kill -9 of the first, a new one takes both over, with the saved devices"
umount "$MNT2"
wait_exit "$pid2" 30
done_testing
