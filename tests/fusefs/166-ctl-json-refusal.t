#!/bin/bash
# A refusal's QMP error where a program reads it (usereye7 #3): with
# --json a refusal printed nothing on stdout, its class (DeviceNotFound,
# which libvirt takes as "already gone", GenericError, CommandNotFound)
# nowhere; `raw` ("send one request as is") printed the return value
# alone, the reply's "id" dropped, an error's class lost.  Now --json
# prints a refusal's {"error": {"class": ..., "desc": ...}} on stdout
# (exit status 1, the line on stderr kept), and raw the reply object
# whole, as received: its bytes, a blank in a string split across reads
# too (hotmemctl skipped blanks at each read's start, inside a string).
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3

# run NAME -- HOTMEMCTL-ARGS...: hotmemctl's exit status, stdout and stderr
# in $rc, $out (and $TMP/out), $err
run() {
	shift 2
	ctl "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
# error_is CLASS DESC: $out is one JSON object, {"error": {"class": CLASS,
# "desc": DESC}} (and an "id" when $3 names it)
error_is() {
	python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
want = {"error": {"class": sys.argv[2], "desc": sys.argv[3]}}
if len(sys.argv) > 4:
    want["id"] = sys.argv[4]
sys.exit(0 if o == want else 1)' "$TMP/out" "$@" 2>/dev/null
}

mount_fs "hotmemfs mounts" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=128M block-size=4M >/dev/null
tap_ok $? "a virtio-mem device vm0"

# --json: a refusal's class and words on stdout, exit 1, the line on stderr
run x -- --json device_del nosuch
error_is DeviceNotFound "Device 'nosuch' not found"
tap_ok $? "--json device_del nosuch: {\"error\": {\"class\": \"DeviceNotFound\", ...}} on stdout" || diag "stdout: ${out//$'\n'/ }"
is "$rc:$err" "1:hotmemctl: error: Device 'nosuch' not found" "... exit status 1, the line on stderr as before"
run x -- -j qom-get vm0 foo
error_is GenericError "Property 'virtio-mem-pci.foo' not found"
tap_ok $? "-j qom-get vm0 foo: GenericError on stdout (exit $rc)" || diag "stdout: ${out//$'\n'/ }"
run x -- qom-get vm0 foo
is "$rc:$out" "1:" "without --json: nothing on stdout, as before"
run x -- --json qom-get vm0 size
is "$rc:$out" "0:134217728" "--json's success: the return value, as before"

# raw: the reply whole, as hotmemfs wrote it
run x -- raw '{"execute": "qom-get", "arguments": {"path": "vm0", "property": "block-size"}, "id": "abc"}'
is "$rc:$out" '0:{"return":4194304,"id":"abc"}' "raw qom-get with an id: the reply, its id echoed"
run x -- raw '{"execute": "device_del", "arguments": {"id": "nosuch"}, "id": 7}'
is "$rc:$out" "1:{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'nosuch' not found\"},\"id\":7}" \
	"raw device_del nosuch: the error reply whole, class and id"
is "$err" "hotmemctl: error: Device 'nosuch' not found" "... the line on stderr"
run x -- --json raw '{"execute": "bogus"}'
error_is CommandNotFound "The command bogus has not been found"
tap_ok $? "--json raw bogus: CommandNotFound on stdout (exit $rc)" || diag "stdout: ${out//$'\n'/ }"
run x -- raw '{"execute": "query-memory-devices"}'
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
sys.exit(0 if list(o) == ["return"] and o["return"][0]["data"]["id"] == "vm0" else 1)' "$TMP/out" 2>/dev/null
tap_ok $? "raw query-memory-devices: {\"return\": [...]} whole (exit $rc)" || diag "stdout: ${out//$'\n'/ }"

# a reply that comes a byte at a time: printed as received, blanks in it
# kept (hotmemctl skipped a read's leading blanks, inside a string too).
# The server sends the next byte once hotmemctl's recv() took the last
# (its socket's unread count, SIOCOUTQ, 0): a read a byte.
reply='{"return": {"text": "a b  c", "n": 1}, "id": "t 1"}'
timeout 60 python3 - "$TMP/trickle.sock" "$reply" <<'PY' &
import fcntl, os, socket, struct, sys, termios
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".tmp")
s.listen(1)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept()
c.sendall(b"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n")
got = b""
while got.count(b"\n") < 2:
    got += c.recv(4096)
c.sendall(b"{\"return\": {}}\n")
for b in (sys.argv[2] + "\n").encode():
    c.send(bytes([b]))
    while struct.unpack("i", fcntl.ioctl(c.fileno(), termios.TIOCOUTQ, bytes(4)))[0]:
        os.sched_yield()
try:
    c.recv(1)  # until hotmemctl leaves
except OSError:
    pass
PY
srv=$!
timeout 60 bash -c 'until [ -S "$1" ]; do sleep 0.05; done' - "$TMP/trickle.sock"
out=$(timeout 60 "$HMCTL" -s "$TMP/trickle.sock" -t 30 raw '{"execute": "x", "id": "t 1"}' 2>&1)
is "$?:$out" "0:$reply" "raw, a reply read a byte at a time: as received, every blank kept"
kill "$srv" 2>/dev/null
wait_exit "$srv" 30 2>/dev/null

stop_fs
done_testing
