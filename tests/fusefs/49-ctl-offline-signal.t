#!/bin/bash
# hotmemctl offline of a block whose pages never migrate (alloc pinned)
# loops as 6.12's offline_pages() does, until its signal: the command's
# timeout=MS, the client gone (its -t ran out, or killed -9) or hotmemfs
# stopping.  Each ends it with EINTR and the block as it was (online,
# Movable), and frees change_lock: the next offline (timeout=100) gets its
# own EINTR.  The offline had no signal at all: it looped in hotmemfs for
# ever, hotmemfs's stop hung.  Every wait is bounded (timeout, -t).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

# wait_gone PID SECONDS: 0 once PID has exited, 1 if it is still there
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null; }
# the block as it was, and change_lock free: another offline gets its EINTR.
# A client killed -9 is seen gone by hotmemfs's next signal check, not at
# its death: the offline may still be ending (going-offline) a moment
# after (bounded: 20 s)
left_as_it_was() {
	block_state_wait 32 online offline
	is "$(cat "$M/memory32/state") $(cat "$M/memory32/valid_zones")" "online Movable" \
		"$1: memory32 left online in Movable"
	timeout 60 "$HMCTL" -s "$CTL" -t 30 offline 32 timeout=100 >/dev/null 2>"$TMP/next.err"
	grep -q "interrupted (the timeout ran out)" "$TMP/next.err"
	tap_ok $? "$1: the offline ended in hotmemfs: the next one runs $(cat "$TMP/next.err")"
}

start_fs --profile qemu-512m --cmdline hotmem.kernel_alloc=off --fresh || exit 1
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl online 32 online_movable >/dev/null &&
	ctl alloc pinned 3 >/dev/null
tap_ok $? "memory32 online_movable, three pinned pages in it"

timeout 60 "$HMCTL" -s "$CTL" -t 30 offline 32 timeout=300 >/dev/null 2>"$TMP/err"
rc=$?
is "$rc" 1 "offline 32 timeout=300: refused by its timeout (124, 30 s: it looped on)"
grep -q "memory32: offline interrupted (the timeout ran out)" "$TMP/err"
tap_ok $? "... saying so: $(cat "$TMP/err")"
grep -q '`hotmemctl explain 32`' "$TMP/err"
tap_ok $? "... and where to look, as its EBUSY does: hotmemctl explain 32"
ctl dmesg | grep -q "failed due to signal backoff"
tap_ok $? "... the kernel's log: failed due to signal backoff"
left_as_it_was "timeout="

timeout 60 "$HMCTL" -s "$CTL" -t 1 offline 32 >/dev/null 2>"$TMP/err"
is "$?" 1 "hotmemctl -t 1 offline 32: gives up after 1 s"
left_as_it_was "-t ran out"

# disowned: the shell does not report its kill -9 ("line N: PID Killed
# ...") on the test's stderr; wait_gone polls it as any process
"$HMCTL" -s "$CTL" -t 0 offline 32 >/dev/null 2>&1 &
cli=$!
disown "$cli"
block_state_wait 32 going-offline
tap_ok $? "hotmemctl -t 0 offline 32: memory32 going-offline"
kill -9 "$cli"
wait_gone "$cli" 20
left_as_it_was "client killed -9"

"$HMCTL" -s "$CTL" -t 0 offline 32 >/dev/null 2>"$TMP/stop.err" &
cli=$!
block_state_wait 32 going-offline
tap_ok $? "another offline 32 loops"
kill -TERM "$FS_PID"
if wait_gone "$FS_PID" 60; then
	ok "SIGTERM: hotmemfs stops during the offline"
	wait "$FS_PID"
	tap_ok $? "... exit 0"
else
	nok "SIGTERM: hotmemfs stops during the offline (it hangs: killed -9)"
	kill -9 "$FS_PID"
	wait_gone "$FS_PID" 20
fi
FS_PID=
umount "$MNT" 2>/dev/null
wait_gone "$cli" 20 && wait "$cli"
is "$?" 1 "the offline's hotmemctl is refused"
grep -q "interrupted (hotmemfs is stopping)" "$TMP/stop.err"
tap_ok $? "... saying why: $(cat "$TMP/stop.err")"
! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
tap_ok $? "... without sanitizer reports"
kill -9 "$cli" 2>/dev/null
umount -l "$MNT" 2>/dev/null

start_fs --profile qemu-512m --cmdline hotmem.kernel_alloc=off || exit 1
is "$(cat "$M/memory32/state") $(cat "$M/memory32/valid_zones")" "online Movable" \
	"restarted: memory32 online in Movable, as saved"
done_testing
