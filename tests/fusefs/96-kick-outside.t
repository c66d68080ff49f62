#!/bin/bash
# SIGRTMIN+1 is hotmemfs's own: a stop kicks the session loop's read of
# /dev/fuse with it.  Sent from outside (kill -s RTMIN+1, here a burst,
# which lands in any of its threads) it interrupted whatever syscall it
# met: a connected control client's connection thread, waiting in recv(),
# got EINTR and hung up -- the client's next request met a closed socket.
# Now it is ignored: the syscall goes on (SA_RESTART but while a stop
# kicks), and a SIGTERM after it still stops hotmemfs cleanly.
# While a stop kicks the session loop, SA_RESTART is off (the kick must
# interrupt the loop's read of /dev/fuse), and the same signal from
# outside then interrupts a connection thread's recv(): ctlsock.c's
# recv_retry() goes on, the client is answered.  Here the loop's end
# waits for a write whose journal sync is held (sync_shim.so), which
# keeps the stop kicking, and every thread of hotmemfs gets the signal
# (tgkill): without recv_retry() the connection ended, its client's
# request met a closed socket (review13: the first part alone passed
# with recv_retry() reverted).
. "$(dirname "$0")/lib.sh"
set -u
require_env
mount_fs "hotmemfs mounts" --state none

# idle_client: a client connected and idle (its connection thread waits
# in poll()), which asks for status once $TMP/c.go exists (bounded: 60 s),
# its pid in $CLIENT, connected once this returns
idle_client() {
	rm -f "$TMP/c.ready" "$TMP/c.go"
	PYTHONPATH="$HOTMEM_SRC/tests/kernel" timeout 60 python3 - "$CTL" "$TMP/c.ready" "$TMP/c.go" \
		>"$TMP/c.out" 2>&1 <<'EOF2' &
import os, socket, sys, time
from qmp import negotiate
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
negotiate(s)
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
s.settimeout(30)
try:
    s.sendall(b'{"execute": "status"}\n')
    print("reply", s.recv(65536)[:12].decode(errors="replace"))
except OSError as e:
    print("error", e)
EOF2
	CLIENT=$!
	for _ in $(seq 600); do [ -e "$TMP/c.ready" ] && break; sleep 0.05; done
	# its connection thread in recv() before the burst (2 clients: it and status's own)
	for _ in $(seq 600); do
		grep -qE '"clients": *2\b' <(ctl status --json 2>/dev/null) && break
		sleep 0.05
	done
}
# client_answered WHEN: the idle client asks, and is answered (one TAP line)
client_answered() {
	touch "$TMP/c.go"
	wait_exit "$CLIENT" 60
	diag "client: $(cat "$TMP/c.out")"
	grep -q '^reply {"return"' "$TMP/c.out"
	tap_ok $? "... the connected control client still gets its reply$1"
}

idle_client
python3 -c '
import os, signal, sys
for _ in range(20000):
    os.kill(int(sys.argv[1]), signal.SIGRTMIN + 1)' "$FS_PID"
tap_ok $? "a burst of 20000 SIGRTMIN+1 from outside"
kill -0 "$FS_PID" && findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "... hotmemfs runs on, mounted"
client_answered ""
cat "$MNT/sys/devices/system/memory/block_size_bytes" >/dev/null
tap_ok $? "... the tree answers"

sigterm_stops_cleanly " (its own kick still interrupts the read)"
end_fs_stopped

# the same signal while a stop kicks the loop (SA_RESTART off)
SHIM=$HOTMEM_BUILD/tests/reliability/sync_shim.so
need_built "$SHIM"
need_tool python3 python3
# a genuine lack: glibc before 2.30 has no tgkill()
python3 -c 'import ctypes; ctypes.CDLL(None).tgkill' 2>/dev/null ||
	{ ok "# SKIP no tgkill() in libc"; done_testing; exit; }
: >"$TMP/hotmemfs.log"
M=$MNT/sys/devices/system/memory
# a sanitized hotmemfs wants its runtime first; the shim has no sanitizer
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
HOTMEM_TEST_SYNC_HOLD=$TMP/hold LD_PRELOAD=$SHIM mount_fs \
	"hotmemfs mounts again, a state file, its syncs held on demand (sync_shim.so)" \
	--profile qemu-512m --fresh --stop-wait 120
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "a DIMM d1 (memory32, offline)"
idle_client
touch "$TMP/hold"
(echo online_movable >"$M/memory32/state") 2>"$TMP/w.err" &
W=$!
for _ in $(seq 1200); do [ -e "$TMP/hold.held" ] && break; sleep 0.05; done
[ -e "$TMP/hold.held" ]
tap_ok $? "online of memory32: its journal sync held, the write unanswered"
kill -TERM "$FS_PID"
stop_notifier_leaving
tap_ok $? "SIGTERM: the stop began; its loop's end waits for that write, kicked (SA_RESTART off)"
python3 -c '
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
for _ in range(50):
    for t in os.listdir("/proc/%d/task" % pid):
        libc.tgkill(pid, int(t), signal.SIGRTMIN + 1)' "$FS_PID"
tap_ok $? "SIGRTMIN+1 from outside to every thread of hotmemfs, 50 times"
client_answered " while the stop kicks the loop (recv() interrupted, retried)"
rm -f "$TMP/hold"
wait_exit "$W" 60
tap_ok $? "the journal sync let go: the online is answered $(cat "$TMP/w.err")"
wait_exit "$FS_PID" 60
is "$?" 0 "... and the stop ends cleanly (status 0)"
FS_PID=
end_fs_stopped
start_fs --profile qemu-512m
tap_ok $? "hotmemfs restarts from the state file"
is "$(cat "$M/memory32/state")" online "... memory32 online: the answered online was kept"
done_testing
