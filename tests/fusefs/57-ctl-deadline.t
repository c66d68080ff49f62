#!/bin/bash
# hotmemctl -t SECONDS is the client's limit on the whole command (connect,
# request, reply), as the user set it: it was each read's limit (a server
# that trickles bytes held hotmemctl for ever), and settle silently raised
# it to its own --timeout + 10 (-t 1 settle --timeout 60 waited 70 s).
# Given up, hotmemctl says so once, that the command may still complete,
# and the command's own limit when that is longer.  Two fake servers: one
# silent, one that answers a space every 0.2 s and never a reply.  The
# outer timeout only keeps a hang from hanging the run (rc 124).
. "$(dirname "$0")/lib.sh"
need_built "$HMCTL"

serve() {	# serve SOCKET silent|trickle
	python3 -c '
import socket, sys, threading, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
def trickle(c):
    try:
        c.recv(65536)
        while True:
            c.send(b" "); time.sleep(0.2)
    except OSError:
        pass
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    if sys.argv[2] == "trickle":
        threading.Thread(target=trickle, args=(c,), daemon=True).start()
' "$1" "$2" &
	for _ in $(seq 100); do [ -S "$1" ] && break; sleep 0.1; done
}
SILENT=$TMP/silent.sock
TRICKLE=$TMP/trickle.sock
serve "$SILENT" silent
SRV1=$!
serve "$TRICKLE" trickle
SRV2=$!

timeout 30 "$HMCTL" -s "$TRICKLE" -t 2 status >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ]
tap_ok $? "a server that trickles spaces: -t 2 ends the command by itself (rc $rc, 124: it did not)"
grep -q "no reply from $TRICKLE within 2 s (-t 2)" "$TMP/err"
tap_ok $? "... saying so: $(head -1 "$TMP/err")"
is "$(grep -c 'no reply' "$TMP/err")" 1 "... once"
grep -q "may still complete" "$TMP/err"
tap_ok $? "... and that the command may still complete in hotmemfs"

timeout 30 "$HMCTL" -s "$SILENT" -t 1 settle --timeout 60 >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ]
tap_ok $? "-t 1 settle --timeout 60: the user's -t is kept, not raised to settle's (rc $rc)"
grep -q "within 1 s (-t 1).*it waits up to 60 s in hotmemfs" "$TMP/err"
tap_ok $? "... and the message names settle's own limit: $(head -1 "$TMP/err")"

timeout 30 "$HMCTL" -s "$SILENT" --timeout=1 settle 2.5 >/dev/null 2>"$TMP/err"
grep -q "within 1 s (-t 1).*it waits up to 3 s in hotmemfs" "$TMP/err"
tap_ok $? "settle 2.5 under -t 1: its limit rounded up (3 s)"

kill "$SRV1" "$SRV2" 2>/dev/null
wait_exit "$SRV1" 30 2>/dev/null
wait_exit "$SRV2" 30 2>/dev/null
done_testing
