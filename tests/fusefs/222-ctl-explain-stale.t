#!/bin/bash
# `explain N --all --json` says why a list is not whole: a list whose pages
# do not match its head (the block changed between two pages, or an entry
# was lost) has "stale": true beside "truncated": true (entries missing, as a
# list cut short by a refused or lost page has, 190-ctl-json-error-end.t):
# a consumer of "truncated" alone still sees a short list as not whole
# (finalF #5), one of "stale" knows to run it again.  The change
# between pages is made by a relay between hotmemctl and hotmemfs that
# drops one entry of the second page (a block that changed so), hotmemfs
# real.
. "$(dirname "$0")/lib.sh"
private_mount_ns "$@"
require_env
need_tool python3 python3

mount_fs "hotmemfs mounts" --fresh
ctl device_add pc-dimm size=256M id=d1 >/dev/null && ctl online 32 && ctl alloc unmovable 3000 >/dev/null
tap_ok $? "a pc-dimm's first block onlined to Normal, 3000 unmovable pages in it"

# relay SOCKET: listens on SOCKET, each connection relayed to $CTL; the
# second reply holding "pages" loses its last entry
relay() {
	python3 - "$1" "$CTL" <<'PY' &
import json, socket, sys, threading
lst = socket.socket(socket.AF_UNIX)
lst.bind(sys.argv[1])
lst.listen(4)
print("listening", flush=True)
while True:
    c, _ = lst.accept()
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[2])
    def up(c=c, s=s):
        while (b := c.recv(65536)):
            s.sendall(b)
    threading.Thread(target=up, daemon=True).start()
    paged = 0
    for line in s.makefile("rb"):
        o = json.loads(line)
        if isinstance(o.get("return"), dict) and "pages" in o["return"]:
            paged += 1
            if paged == 2:
                o["return"]["pages"].pop()
                line = (json.dumps(o) + "\r\n").encode()
        c.sendall(line)
    c.close()
PY
	relay_pid=$!
}
relay "$TMP/relay.sock" >"$TMP/relay.out"
for _ in $(seq 100); do [ -S "$TMP/relay.sock" ] && break; sleep 0.1; done
"$HMCTL" -s "$TMP/relay.sock" --json explain 32 --all >"$TMP/stale.json" 2>"$TMP/stale.err"
is "$?" 1 "explain 32 --all --json, its second page one entry short: exit 1"
is_like "$(cat "$TMP/stale.err")" "hotmemctl: explain --all: memory32 changed while it was listed: *" \
	"... stale, said on stderr"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["stale"], d["truncated"], d["more_entries"], d["error"]["class"])' "$TMP/stale.json" 2>&1)" \
	"True True 1 GenericError" \
	"... stdout: stale and truncated (an entry missing), the one entry not listed, the error"
kill "$relay_pid" 2>/dev/null
ctl --json explain 32 --all >"$TMP/all.json"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["stale"], d["truncated"], "error" in d)' "$TMP/all.json" 2>&1)" "False False False" \
	"a whole list: neither stale nor truncated, no error"
stop_fs
done_testing
