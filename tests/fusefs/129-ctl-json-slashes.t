#!/bin/bash
# JSON as QEMU's QMP writes it, '/' as is, never '\/' (review14 R6): the
# control socket's lines themselves (read here straight from the socket,
# not through hotmemctl, which parses them and prints them again) and
# every JSON hotmemctl prints: status --json's state-file, a raw reply
# (query-commands' help "online/offline"); only `--json events` had it.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m
# one request, the socket's reply line as it came
wire() {
	PYTHONPATH="$HOTMEM_SRC/tests/kernel" timeout 60 python3 - "$CTL" "$1" <<'PY'
import socket, sys
from qmp import negotiate
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
negotiate(s)
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    b = s.recv(65536)
    if not b:
        break
    buf += b
sys.stdout.write(buf.decode())
PY
}
line=$(wire '{"execute": "status"}')
[[ $line == *"\"state-file\":\"$STATE\""* ]] && [[ $line != *'\/'* ]]
tap_ok $? "the socket's status reply: state-file $STATE as is, no '\\/'"
ctl --json status >"$TMP/status.json"
grep -qF "\"$STATE\"" "$TMP/status.json" && ! grep -qF '\/' "$TMP/status.json"
tap_ok $? "hotmemctl --json status: the paths as is, no '\\/'"
ctl raw '{"execute": "query-commands"}' >"$TMP/raw.json"
grep -qF '"online/offline a block"' "$TMP/raw.json" && ! grep -qF '\/' "$TMP/raw.json"
tap_ok $? "hotmemctl raw query-commands: the reply printed as is (online/offline), no '\\/'"
stop_fs
done_testing
