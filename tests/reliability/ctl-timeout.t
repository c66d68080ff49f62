#!/bin/bash
# hotmemctl gives up on a hotmemfs that never answers (#16.3): before, it
# waited forever on a control socket whose server had stopped serving.
# The server here accepts and then stays silent, like a hung hotmemfs.
. "$(dirname "$0")/lib.sh"

SILENT=$TMP/silent.sock
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    c, _ = s.accept()
    held.append(c)   # read nothing, answer nothing
' "$SILENT" &
SRV=$!
for _ in $(seq 100); do [ -S "$SILENT" ] && break; sleep 0.1; done

# the outer timeout only stops a hang from hanging the test run
timeout 60 "$HMCTL" -s "$SILENT" -t 1 status >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ]
tap_ok $? "hotmemctl -t 1 status against a silent server fails by itself (rc $rc)"
grep -q "no reply from $SILENT within 1 s" "$TMP/err"
tap_ok $? "... saying why: $(head -1 "$TMP/err")"

timeout 60 "$HMCTL" -s "$SILENT" --timeout=1 devices >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ]
tap_ok $? "--timeout=1 works alike (rc $rc)"

"$HMCTL" -s "$SILENT" -t abc status >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "bad timeout" "$TMP/err"
tap_ok $? "a malformed timeout is refused: $(head -1 "$TMP/err")"

kill "$SRV" 2>/dev/null
wait_exit "$SRV" 10 2>/dev/null
done_testing
