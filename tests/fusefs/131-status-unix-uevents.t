#!/bin/bash
# hotmemctl status names the Unix uevent sockets (--uevent-socket: under
# hotmemfs.service hotmemd's only source of uevents) and what was sent to
# and dropped at them (usereye4 #21): the text line said the netlink half
# alone, the counts were in --json only, the paths nowhere.
. "$(dirname "$0")/lib.sh"
require_env

US=$TMP/ue.sock
mount_fs "hotmemfs mounts with a Unix uevent socket nobody listens on" --fresh --profile qemu-512m -u "$US"
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "device_add d1, its uevents out"
line=$(ctl status | grep '^uevents:')
diag "$line"
[[ $line =~ \;\ unix\ $US:\ 0\ sent,\ [1-9][0-9]*\ dropped\ \(nobody\ listened\ then,\ or\ the\ listener\ stopped\ reading\)$ ]]
tap_ok $? "status: the socket's path, 0 sent, the drops and why"
is "$(ctl --json status | python3 -c 'import json,sys; u=json.load(sys.stdin)["uevents"]; print(u["unix-sockets"], u["unix-sent"], u["unix-dropped"] > 0)')" \
	"['$US'] 0 True" "status --json: unix-sockets, unix-sent, unix-dropped"
# a listener (a bound socket holding what it gets, bounded): sent
timeout 60 python3 -c 'import socket, sys, time; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(60)' "$US" &
lp=$!
for _ in $(seq 100); do [ -S "$US" ] && break; sleep 0.05; done
ctl device_add pc-dimm id=d2 size=128M >/dev/null && ctl settle >/dev/null
line=$(ctl status | grep '^uevents:')
diag "$line"
[[ $line =~ \;\ unix\ $US:\ [1-9][0-9]*\ sent, ]]
tap_ok $? "status: sent, once something listens"
kill "$lp" 2>/dev/null
wait_exit "$lp" 30 2>/dev/null
stop_fs
# without --uevent-socket: the netlink half alone, as before
mount_fs "hotmemfs mounts without a Unix uevent socket" --fresh --profile qemu-512m
# the line there (a failed status prints none, and no line has no unix part)
line=$(ctl status | grep '^uevents:')
diag "$line"
[[ $line == uevents:\ * && $line != *unix* ]]
tap_ok $? "status: a uevents line, no unix part without --uevent-socket"
stop_fs
done_testing
