#!/bin/bash
# SIGRTMIN+1 is hotmemfs's own: a stop kicks the session loop's read of
# /dev/fuse with it.  Sent from outside (kill -s RTMIN+1, here a burst,
# which lands in any of its threads) it interrupted whatever syscall it
# met: a connected control client's connection thread, waiting in recv(),
# got EINTR and hung up -- the client's next request met a closed socket.
# Now it is ignored: the syscall goes on (SA_RESTART but while a stop
# kicks), and a SIGTERM after it still stops hotmemfs cleanly.
. "$(dirname "$0")/lib.sh"
set -u
require_env
mount_fs "hotmemfs mounts" --state none

# a client connected and idle (its connection thread waits in recv()),
# which asks for status once told to (bounded: 60 s)
timeout 60 python3 - "$CTL" "$TMP/c.ready" "$TMP/c.go" >"$TMP/c.out" 2>&1 <<'EOF2' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
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
python3 -c '
import os, signal, sys
for _ in range(20000):
    os.kill(int(sys.argv[1]), signal.SIGRTMIN + 1)' "$FS_PID"
tap_ok $? "a burst of 20000 SIGRTMIN+1 from outside"
kill -0 "$FS_PID" && findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $? "... hotmemfs runs on, mounted"
touch "$TMP/c.go"
wait_exit "$CLIENT" 60
diag "client: $(cat "$TMP/c.out")"
grep -q '^reply {"return"' "$TMP/c.out"
tap_ok $? "... the connected control client still gets its reply"
cat "$MNT/sys/devices/system/memory/block_size_bytes" >/dev/null
tap_ok $? "... the tree answers"

sigterm_stops_cleanly " (its own kick still interrupts the read)"
end_fs_stopped
done_testing
