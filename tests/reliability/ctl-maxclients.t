#!/bin/bash
# The control socket serves at most 64 clients at once (#16.3): one more
# is told why and closed, while the 64 keep being served; once they leave,
# hotmemctl is served again.
. "$(dirname "$0")/lib.sh"
require_env

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m"
max=$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["max-clients"])')
is "$max" 64 "status reports the cap: $max clients"

# hold the cap's worth of connections, each served (status answered), until $TMP/go
PYTHONPATH="$HOTMEM_SRC/tests/kernel" python3 -c '
import os, socket, sys, time
from qmp import negotiate
held = []
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(sys.argv[1])
    negotiate(s)
    s.sendall(b"{\"execute\": \"query-commands\"}\n")
    f = s.makefile("rb")
    if b"return" not in f.readline():
        sys.exit("connection %d not served" % i)
    held.append((s, f))
open(sys.argv[3], "w").write("%d\n" % len(held))
while not os.path.exists(sys.argv[4]):
    time.sleep(0.1)
# the first of them is still served
held[0][0].sendall(b"{\"execute\": \"query-commands\"}\n")
print("served" if b"return" in held[0][1].readline() else "not served", flush=True)
' "$CTL" "$max" "$TMP/held" "$TMP/go" >"$TMP/held.out" 2>&1 &
hpid=$!
for _ in $(seq 200); do [ -s "$TMP/held" ] && break; kill -0 $hpid 2>/dev/null || break; sleep 0.1; done
is "$(cat "$TMP/held" 2>/dev/null)" "$max" "$max clients connected and served"

timeout -s KILL 60 "$HMCTL" -s "$CTL" -t 20 status >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -ne 0 ] && grep -q "too many control clients" "$TMP/err"
tap_ok $? "one more is refused with a clear message (rc $rc): $(head -1 "$TMP/err")"
touch "$TMP/go"
timeout 60 tail --pid=$hpid -f /dev/null
is "$(cat "$TMP/held.out")" "served" "the clients already connected are still served"
wait_exit $hpid 5

ok=1
for _ in $(seq 100); do
	timeout -s KILL 60 "$HMCTL" -s "$CTL" -t 20 status >/dev/null 2>&1 && { ok=0; break; }
	sleep 0.1	# their connections are being closed
done
tap_ok $ok "once they left, hotmemctl status is served again"
done_testing
