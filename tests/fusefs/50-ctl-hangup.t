#!/bin/bash
# hotmemctl when hotmemfs goes away.  `events` follows until hotmemfs
# stops: it says so and fails (it ended with 0, as if asked to).  A
# request hotmemfs hangs up on says that hotmemfs closed the connection
# (it said "no reply from SOCK"): a fake server that never accepts and
# closes its listening socket with our request in its backlog
# (ECONNRESET), one that hangs up after reading it (EOF), one that ends an
# event stream with no word.  Every wait is bounded (timeout).
. "$(dirname "$0")/lib.sh"
require_env

# wait_gone PID SECONDS: 0 once PID has exited, 1 if it is still there
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null; }

# serve SOCKET backlog|eof|events-eof: one client, then exit; bounded (60
# s), and its socket waited for as long: under load python3 took more than
# the 10 s this waited, hotmemctl found no socket, and the server left
# behind (in accept(), holding the test's stdout) hung prove
serve() {
	timeout 60 python3 -c '
import select, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
if sys.argv[2] == "backlog":
    select.select([s], [], [])  # a client waits in the backlog
    s.close()                   # ... reset: ECONNRESET
    sys.exit(0)
c, _ = s.accept()
if sys.argv[2] == "events-eof":  # QMP: the greeting, qmp_capabilities answered
    c.send(b"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n{\"return\": {}}\n")
while b"\n" not in c.recv(65536):
    pass
if sys.argv[2] == "events-eof":
    c.send(b"{\"return\": {}}\n")
c.close()
' "$1" "$2" &
	for _ in $(seq 600); do [ -S "$1" ] && break; sleep 0.1; done
}
# end_serve PID: the server gone, killed if its client never came
end_serve() {
	wait_gone "$1" 20 || kill "$1" 2>/dev/null
	wait_gone "$1" 20
}

for kind in backlog eof; do
	serve "$TMP/$kind.sock" $kind
	srv=$!
	timeout 30 "$HMCTL" -s "$TMP/$kind.sock" -t 20 status >/dev/null 2>"$TMP/err"
	is "$?" 1 "$kind: the request fails"
	is "$(cat "$TMP/err")" \
		"hotmemctl: $TMP/$kind.sock: hotmemfs closed the connection without replying: stopping or crashed?" \
		"$kind: ... saying hotmemfs closed the connection"
	end_serve "$srv"
done

serve "$TMP/ev.sock" events-eof
srv=$!
timeout 30 "$HMCTL" -s "$TMP/ev.sock" events >/dev/null 2>"$TMP/err"
is "$?" 1 "an event stream hotmemfs ends with no word: events fails"
is "$(cat "$TMP/err")" \
	"hotmemctl: $TMP/ev.sock: hotmemfs closed the connection without a word: stopping or crashed?" \
	"... saying so"
end_serve "$srv"

start_fs --fresh || exit 1
"$HMCTL" -s "$CTL" events >"$TMP/ev.out" 2>"$TMP/ev.err" &
follower=$!
for _ in $(seq 200); do
	[ "$(ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])')" = 1 ] &&
		break
	sleep 0.05
done
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "a follower; device_add"
kill -TERM "$FS_PID"
wait_gone "$FS_PID" 60
tap_ok $? "SIGTERM: hotmemfs stops"
FS_PID=
if wait_gone "$follower" 20; then
	wait "$follower"
	is "$?" 1 "hotmemctl events ends, non-zero"
else
	nok "hotmemctl events ends, non-zero (still following)"
	kill "$follower"
fi
grep -q "memory32" "$TMP/ev.out"
tap_ok $? "... after the events before the stop"
is "$(cat "$TMP/ev.err")" "hotmemctl: hotmemfs is stopping: no more events" "... saying hotmemfs stops"
umount "$MNT" 2>/dev/null
done_testing
