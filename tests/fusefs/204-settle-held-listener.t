#!/bin/bash
# `hotmemctl settle` says the uevents still held for a -u listener that is
# not reading (usereye8 5c): it returned 0 at once, silent, while 5 of a
# 2 GiB DIMM's 16 ADDs still waited in hotmemfs for a stopped hotmemd's
# full queue, where hotmemctl(8) promised the uevents sent.  settle does
# not wait for a listener (a stopped one would hold it to its timeout):
# it names the listener and the count, exit 0; once the listener has read
# them, settle says nothing again.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3

US=$TMP/ue.sock
mount_fs "hotmemfs mounts with a Unix uevent socket" --fresh --profile qemu-512m --netns none -u "$US"
# the listener: bound at once, reads only once $TMP/go exists, then all it gets for 2 s
timeout 90 python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
end = time.time() + 60
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)
s.settimeout(2)
n = 0
try:
    while True:
        s.recv(8192)
        n += 1
except socket.timeout:
    pass
print(n)
' "$US" "$TMP/go" >"$TMP/listen.out" &
lp=$!
for _ in $(seq 100); do [ -S "$US" ] && break; sleep 0.05; done
[ -S "$US" ]
tap_ok $? "a listener bound, not reading"
ctl device_add pc-dimm id=d1 size=2G >/dev/null
tap_ok $? "a 2 GiB DIMM (16 blocks) plugged"
ctl settle >"$TMP/settle.out" 2>&1
is "$?" 0 "settle: exit 0"
grep -qx "settled; [1-9][0-9]* uevents held for $US, whose listener is not reading: sent as it reads (settle does not wait for a listener)" \
	"$TMP/settle.out"
tap_ok $? "... saying how many uevents the listener has not taken" "$(cat "$TMP/settle.out")"
is "$(ctl --json settle | python3 -c 'import json,sys; h=json.load(sys.stdin)["held"]; print(h[0]["path"], h[0]["uevents"] > 0)')" \
	"$US True" "--json: held: the listener's path and count"
touch "$TMP/go"
wait_exit "$lp" 90
tap_ok $? "the listener read them"
is "$(ctl settle 2>&1)" "" "settle then: nothing held, nothing said"
stop_fs
done_testing
