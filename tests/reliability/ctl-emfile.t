#!/bin/bash
# The control socket survives EMFILE (#16.3): with hotmemfs's descriptor
# limit lowered (prlimit) and more idle clients than it can hold, the
# accept loop used to end for good; now it backs off and serves again
# once clients leave.
. "$(dirname "$0")/lib.sh"
require_env
need_tool prlimit util-linux

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m"
# a limit just above what it holds now: the third client meets EMFILE
nfd=$(ls /proc/"$FS_PID"/fd | wc -l)
lim=$((nfd + 2))
prlimit --pid "$FS_PID" --nofile=$lim:$lim
tap_ok $? "hotmemfs's descriptor limit lowered to $lim ($nfd open)"

python3 -c '
import socket, sys, time
held = []
for i in range(40):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(sys.argv[1])
    except OSError:
        break
    held.append(s)
print(len(held), flush=True)
time.sleep(3)   # hotmemfs meets EMFILE on accept meanwhile
' "$CTL" >"$TMP/held"
tap_ok $? "$(cat "$TMP/held") idle clients connected and left"

ctl -t 20 status >/dev/null 2>"$TMP/err"
tap_ok $? "hotmemctl status is answered afterwards $(head -1 "$TMP/err")"
kill -0 "$FS_PID"
tap_ok $? "hotmemfs still runs"
done_testing
