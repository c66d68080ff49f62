#!/bin/bash
# A control client connected while hotmemfs stops hears why, never a bare
# EOF: one that had not sent its request yet, and one halfway through
# sending it, each get {"error": {"desc": "hotmemfs is stopping: ..."}}
# (hotmemctl prints an error reply and exits 1).  hmfs_ctl_stop() shut
# the connections down for reading and writing: the client read EOF, and a
# command under way lost its reply.  A command under way when the stop
# began still sends its result: 38-sigterm-teardown.t's device_del.
. "$(dirname "$0")/lib.sh"
require_env
# lib.sh's stop_fs looks for sanitizer reports only in a hotmemfs it stops itself
no_sanitizer_report() {
	! grep -qE '(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/hotmemfs.log"
}

start_fs --state none
tap_ok $? "hotmemfs mounts"

# client NAME [BYTES]: connects, sends BYTES, says it is ready, then prints
# the first line it reads, or EOF (bounded: 60 s)
client() {
	PYTHONPATH="$HOTMEM_SRC/tests/kernel" timeout 90 python3 - "$CTL" "$TMP/$1.ready" "${2:-}" \
		>"$TMP/$1.out" 2>&1 <<'EOF' &
import socket, sys
from qmp import negotiate
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(60)
negotiate(s)
if sys.argv[3]:
    s.sendall(sys.argv[3].encode())
open(sys.argv[2], "w").close()
buf = b""
while not buf.endswith(b"\n"):
    b = s.recv(4096)
    if not b:
        break
    buf += b
print(buf.decode().strip() or "EOF")
EOF
}
client idle
idle=$!
client half '{"execute": "sta'
half=$!
for _ in $(seq 600); do [ -e "$TMP/idle.ready" ] && [ -e "$TMP/half.ready" ] && break; sleep 0.05; done
# both connections served (their threads up) before the stop
ctl status >/dev/null
tap_ok $? "hotmemctl status answers beside the two clients"

kill -TERM "$FS_PID"
for _ in $(seq 1200); do kill -0 "$FS_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$FS_PID" 2>/dev/null
tap_ok $((!$?)) "hotmemfs stops on SIGTERM"
wait_exit "$FS_PID" 30
tap_ok $? "... exit 0"
FS_PID=
no_sanitizer_report
tap_ok $? "... without sanitizer reports"
for c in idle half; do
	p=$([ $c = idle ] && echo "$idle" || echo "$half")
	for _ in $(seq 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	grep -q '"desc": *"hotmemfs is stopping' "$TMP/$c.out"
	tap_ok $? "the $c client is told hotmemfs is stopping: $(cat "$TMP/$c.out")"
done
umount -l "$MNT" 2>/dev/null
done_testing
