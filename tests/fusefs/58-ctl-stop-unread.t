#!/bin/bash
# SIGTERM ends hotmemfs although a control client pipelined requests and
# never reads their replies (review9 #1).  Its connection thread waits in
# send() for room in the socket; hmfs_ctl_stop() shuts the connections
# down for reading only (so that a command under way still gets its reply,
# 38/39), which does not wake a sender, and then waited for every
# connection for good -- with the session loop already gone, so every
# lookup on the still-mounted tree hung too.  Now a reply that makes no
# progress for a while once stopping began is given up, and with it the
# connection.
. "$(dirname "$0")/lib.sh"
set -u
require_env
mount_fs "hotmemfs mounts" --state none

# the hog: sends requests until hotmemfs stops reading (its replies fill
# the socket both ways), says so, then holds the connection (bounded)
PYTHONPATH="$HOTMEM_SRC/tests/kernel" timeout 300 python3 - "$CTL" "$TMP/hog.ready" >"$TMP/hog.out" 2>&1 <<'EOF' &
import socket, sys, time
from qmp import negotiate
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
negotiate(s)  # then status runs: its replies are big
s.setblocking(False)
req = b'{"execute": "status"}\n' * 64
sent, stuck, t = 0, 0, time.time()
while stuck < 40 and time.time() - t < 60:
    try:
        sent += s.send(req)
        stuck = 0
    except BlockingIOError:
        stuck += 1
        time.sleep(0.05)
print("sent", sent, "stuck", stuck, flush=True)
open(sys.argv[2], "w").close()
time.sleep(240)   # holds the connection, never reads
EOF
HOG=$!
for _ in $(seq 1400); do [ -e "$TMP/hog.ready" ] && break; sleep 0.05; done
diag "$(cat "$TMP/hog.out")"
grep -q "stuck 40" "$TMP/hog.out"
tap_ok $? "the client filled the socket: hotmemfs's connection thread waits to send"

kill -TERM "$FS_PID"
# bounded: 60 s (the reply is given up after 2 s without progress)
for _ in $(seq 1200); do kill -0 "$FS_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$FS_PID" 2>/dev/null
tap_ok $((!$?)) "hotmemfs stops on SIGTERM while a client that does not read is connected"
if kill -0 "$FS_PID" 2>/dev/null; then
	for t in /proc/$FS_PID/task/*; do diag "thread $(cat $t/comm) wchan=$(cat $t/wchan)"; done
fi
findmnt -t fuse.hotmemfs "$MNT" >/dev/null
tap_ok $((!$?)) "... and its tree is unmounted"
# one reply given up, then the connection ends: its "hotmemfs is stopping"
# error waited CTL_STOP_SEND_MS again for the same client (review10 D5)
is "$(grep -c "control: a client read no reply" "$TMP/hotmemfs.log")" 1 \
	"... giving up on that client once, not once a reply"
kill "$HOG" 2>/dev/null
for _ in $(seq 200); do kill -0 "$FS_PID" 2>/dev/null || break; sleep 0.05; done
end_fs_stopped
done_testing
