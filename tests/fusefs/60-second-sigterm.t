#!/bin/bash
# A second SIGTERM while a stop waits stops hotmemfs at once, as systemd's
# stop timeout and SIGKILL would (review9 D2): the first one waits for the
# notifier to come out of the kernel, and here it is stuck there for as
# long as the test likes (a reader holds memory/'s inode lock inside
# getdents64, its copy-out faulting on a userfaultfd page, as in
# 40-notifier-stall.t).  The second one says so, detaches the tree at once
# and exits 1 (the notifier's thread still in the kernel holds the exit
# until the reader lets go).  Before, the three signals stayed blocked
# and the second one was never acted on.
. "$(dirname "$0")/lib.sh"
set -u
require_env
[ -e /proc/sys/vm/unprivileged_userfaultfd ] || skip_all "no userfaultfd(2) in this kernel"
[ "$(uname -m)" = x86_64 ] || skip_all "uffd_hold.py knows x86_64's syscall numbers only"
[ "$(id -u)" = 0 ] || skip_all "detaching the mount needs root"
M=$MNT/sys/devices/system/memory
HOLD="python3 $HOTMEM_SRC/tests/fusefs/uffd_hold.py"
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null; }

start_fs --state none
tap_ok $? "hotmemfs mounts"
findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { nok "not a hotmemfs mount"; done_testing; exit 1; }
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "a DIMM"

ls "$M" >/dev/null
$HOLD "$M" "$TMP/hold.ready" >"$TMP/hold.out" 2>&1 &
HOLDER_JOB=$!
for _ in $(seq 600); do
	[ -e "$TMP/hold.ready" ] && break
	kill -0 "$HOLDER_JOB" 2>/dev/null || break
	sleep 0.05
done
if ! kill -0 "$HOLDER_JOB" 2>/dev/null; then
	wait "$HOLDER_JOB"
	[ $? -eq 77 ] && { kill9_fs; skip_all "$(cat "$TMP/hold.out")"; }
	nok "a reader holds memory/'s lock: $(cat "$TMP/hold.out")"
	kill9_fs; done_testing; exit 1
fi
HOLDER=$(cat "$TMP/hold.ready")
ok "a reader holds memory/'s lock (getdents64 faulting on a userfaultfd page)"
timeout 120 "$HMCTL" -s "$CTL" device_del d1 >/dev/null 2>"$TMP/del.err" &
DEL=$!
stalled=1
for _ in $(seq 600); do
	"$HMCTL" -s "$CTL" settle --timeout 0 >/dev/null 2>&1 || { stalled=0; break; }
	sleep 0.05
done
tap_ok $stalled "device_del: its REMOVE stuck in the notifier"

kill -TERM "$FS_PID"
stop_notifier_leaving
tap_ok $? "the first SIGTERM: the stop waits for the notifier"
kill -TERM "$FS_PID"
gone=1
for _ in $(seq 600); do
	findmnt -t fuse.hotmemfs "$MNT" >/dev/null || { gone=0; break; }
	sleep 0.05
done
tap_ok $gone "the second SIGTERM: the tree is detached at once, the notifier still in the kernel"
grep -q "hotmemfs: second signal (SIGTERM): stopping without waiting for the notifier" "$TMP/hotmemfs.log"
tap_ok $? "... saying so"

kill -USR1 "$HOLDER"
wait_gone "$HOLDER_JOB" 60 && wait "$HOLDER_JOB"
tap_ok $? "the reader let go: $(cat "$TMP/hold.out")"
wait_gone "$FS_PID" 60
tap_ok $? "hotmemfs has exited"
wait "$FS_PID"
r=$?
is "$r" 1 "... with status 1 (not a clean stop)"
FS_PID=
wait_gone "$DEL" 60
tap_ok $? "device_del's hotmemctl ended"
end_fs_stopped
done_testing
