#!/bin/bash
# A control request's size is limited (#16.11): one unterminated 64 MiB
# request used to grow hotmemfs by all of it, and keep most.  Now the
# client is told "request too large" and dropped; hotmemfs stays small.
. "$(dirname "$0")/lib.sh"
require_env

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$FS_PID/status"; }
before=$(rss)

python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(60)
chunk = b"\"" + b"x" * (1 << 20)
s.sendall(b"{\"execute\": \"status\", \"arguments\": {\"junk\": ")
sent = 0
try:
    while sent < 64:
        s.sendall(b"x" * (1 << 20) if sent else chunk)
        sent += 1
except OSError:
    pass
data = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
except OSError:
    pass
print("sent %d MiB, reply: %s" % (sent, data.decode(errors="replace").strip()))
' "$CTL" >"$TMP/out" 2>&1
grep -q "request too large" "$TMP/out"
tap_ok $? "a 64 MiB unterminated request is refused: $(cat "$TMP/out")"
after=$(rss)
[ "$after" -lt $((before + 16384)) ]
tap_ok $? "hotmemfs RSS stays bounded (${before} kB -> ${after} kB)"
ctl status >/dev/null
tap_ok $? "other clients are still served"
done_testing
