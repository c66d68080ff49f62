#!/bin/bash
# hotmemctl's printers against a reply whose list member is absent or not
# a list (review44 O3): a hotmemfs older or newer than this hotmemctl, a
# reply that is not the command's.  json-c's json_object_array_length()
# asserts on anything but an array, and hotmemctl died of SIGABRT (status
# without "zones", query-acpi-ospm-status's return an object); dmesg
# without "log" fputs() NULL (SIGSEGV); map without "devices" asserted in
# map.c.  Now the list is printed as none, said in one line on stderr,
# the rest of the reply printed, exit 0.  The replies come from a fake
# hotmemfs: a QMP server answering each command from a JSON file.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3

SOCK=$TMP/fake.sock
REPLIES=$TMP/replies.json
# the server: the greeting, {} to qmp_capabilities, then each request's
# "execute" answered with REPLIES' member of that name, read anew each time
PYTHONPATH=$HOTMEM_SRC/tests/fusefs timeout 120 python3 - "$SOCK" "$REPLIES" <<'PY' &
import json, sys
from fake_sock import listening
s = listening(sys.argv[1])
while True:
    c, _ = s.accept()
    c.sendall(b'{"QMP": {"version": {}, "capabilities": []}}\n')
    buf, dec = "", json.JSONDecoder()
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            buf += d.decode()
            while buf.strip():
                buf = buf.lstrip()
                try:
                    req, end = dec.raw_decode(buf)
                except ValueError:
                    break
                buf = buf[end:]
                cmd = req.get("execute")
                reply = {"return": {}} if cmd == "qmp_capabilities" else \
                    json.load(open(sys.argv[2]))[cmd]
                c.sendall(json.dumps(reply).encode() + b"\n")
    except OSError:
        pass
    c.close()
PY
srv=$!
sock_listening "$SOCK"

# replies CMD=JSON...: the server's answers from now on
replies() {
	python3 -c '
import json, sys
print(json.dumps({a.split("=", 1)[0]: json.loads(a.split("=", 1)[1]) for a in sys.argv[2:]}))' - "$@" >"$REPLIES"
}
# run ARGS...: hotmemctl against the fake; its exit status, stdout and stderr in $rc, $out, $err
run() {
	out=$(timeout 60 "$HMCTL" -s "$SOCK" -t 30 "$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
}

MACH='"machine": {"block-size": 134217728, "blocks": 2, "total-pages": 65536, "free-pages": 100}'
BLOCKS='"blocks": [{"first": 0, "count": 2, "start": 0, "state": "online", "node": 0, "zone": "none"}]'

replies "status={\"return\": {$MACH, $BLOCKS}}"
run status
is "$rc:$err" "0:hotmemctl: the reply's \"zones\" is absent, not a list: printed as none (a hotmemfs older or newer than this hotmemctl?)" \
	"status without \"zones\": exit 0, said in one line (SIGABRT before)"
is_like "$out" "*0x0000000000000000-0x000000000fffffff   256M online           0 none    0-1" \
	"... the blocks printed, no zones spanned listed"

replies "status={\"return\": {$MACH, $BLOCKS, \"zones\": {\"Normal\": 1}, \"state-writes\": {\"refused\": 3}}}"
run status
is "$rc:$err" "0:hotmemctl: the reply's \"zones\" is object, not a list: printed as none (a hotmemfs older or newer than this hotmemctl?)" \
	"status with \"zones\" an object, \"refused\" a number: exit 0, said in one line"
is_like "$out" "*Writes:     memoryN/state 0 done
State file:*" "... \"refused\" not an object: no refusals listed"

replies "status={\"return\": {$MACH, \"zones\": []}}"
run status
is "$rc:$err" "0:hotmemctl: the reply's \"blocks\" is absent, not a list: printed as none (a hotmemfs older or newer than this hotmemctl?)" \
	"status without \"blocks\": exit 0, said in one line"

replies 'query-acpi-ospm-status={"return": {}}'
run query-acpi-ospm-status
is "$rc:$out:$err" "0:SLOT TYPE      DEVICE       LAST _OST (the guest's answer):hotmemctl: the reply's return is object, not a list: printed as none (a hotmemfs older or newer than this hotmemctl?)" \
	"query-acpi-ospm-status's return an object: the header, said in one line (SIGABRT before)"

replies 'devices={"return": {"id": "d1"}}'
run devices
is "$rc:$err" "0:hotmemctl: the reply's return is object, not a list: printed as none (a hotmemfs older or newer than this hotmemctl?)" \
	"devices' return an object: exit 0, said in one line (SIGABRT before)"

replies 'dmesg={"return": {}}'
run dmesg
is "$rc:$out:$err" "0::" "dmesg without \"log\": nothing printed, exit 0 (SIGSEGV before)"

replies 'device_add={"return": {"id": "d1", "driver": "pc-dimm", "size": 134217728, "addr": 4294967296}}'
run device_add pc-dimm id=d1 size=128M
is "$rc:$out:$err" "0:d1: 128M at 0x100000000, its blocks not in the reply:" \
	"device_add's return without \"blocks\": said so (SIGABRT before)"

replies "status={\"return\": {$MACH, $BLOCKS, \"zones\": []}}"
run map --no-color
is "$rc:$err" "0:" "map of a status without \"devices\": drawn, exit 0 (SIGABRT in map.c before)"

kill "$srv" 2>/dev/null
wait_exit "$srv" 30 2>/dev/null
done_testing
