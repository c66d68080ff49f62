#!/bin/bash
# A control client that stops reading its event stream never holds back
# the machine (#16.1).  A real `hotmemctl events --trace` stopped with
# SIGSTOP (a Ctrl-Z'd `hotmemctl events | less`) and a client that asked
# for events and never reads follow while a plug/online storm runs.  The
# notifier used to block in send() to them under the subscriber lock: every
# later hotmemctl hung, uevents stopped reaching netlink.  Now each client
# has a bounded queue: hotmemctl keeps answering, every uevent reaches the
# private network namespace, hotmemfs's memory stays bounded, and the
# stopped client, once continued, is told how many events it lost.
#
# No timed assertions: every call runs under `timeout` only so that a hang
# fails the test instead of hanging the run.
. "$(dirname "$0")/lib.sh"
require_env
need_tool nsenter util-linux
B=${HOTMEM_STRESS_BUILD:-$HOTMEM_BUILD}
HMFS=$B/hotmemfs
HMCTL=$B/hotmemctl
W="python3 $HOTMEM_SRC/tests/reliability/uevent_watch.py"
M=$MNT/sys/devices/system/memory
ROUNDS=${SLOW_EVENTS_ROUNDS:-8}
# one hotmemctl call: a hang is a failure, not a hung test run
tctl() { timeout -s KILL 30 "$HMCTL" -s "$CTL" -t 20 "$@"; }
twrite() { timeout -s KILL 30 sh -c 'echo "$1" >"$2"' twrite "$@"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' /proc/"$FS_PID"/status; }
status_get() {	# status_get KEY: from status --json's "control" object
	tctl --json status | python3 -c '
import json, sys
print(json.load(sys.stdin).get("control", {}).get(sys.argv[1], -1))' "$1"
}
wait_for() {	# wait_for CMD...: until CMD succeeds, at most 200 tries
	for _ in $(seq 200); do "$@" && return 0; sleep 0.1; done
	return 1
}

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m in a private network namespace"
nsenter -t "$FS_PID" -n $W "$TMP/priv.ev" "$TMP/stop" 2>"$TMP/priv.rdy" &
wpid=$!
wait_for grep -q ready "$TMP/priv.rdy"
tap_ok $? "a netlink listener in hotmemfs's network namespace"

# the Ctrl-Z'd terminal: a real hotmemctl, following trace steps too
"$HMCTL" -s "$CTL" events --trace >"$TMP/stopped.out" 2>&1 &
spid=$!
# the client that asked and never reads (not even the reply; QMP's handshake before)
PYTHONPATH="$HOTMEM_SRC/tests/kernel" python3 -c '
import os, socket, sys, time
from qmp import negotiate
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
negotiate(s)
s.sendall(b"{\"execute\": \"events\", \"arguments\": {\"trace\": true}}\n")
while not os.path.exists(sys.argv[2]):
    time.sleep(0.2)
' "$CTL" "$TMP/stop" &
npid=$!
followers2() { [ "$(status_get followers)" = 2 ]; }
wait_for followers2
tap_ok $? "two event clients follow"
kill -STOP "$spid"
tap_ok $? "hotmemctl events --trace stopped (SIGSTOP)"
rss0=$(rss_kib)

# the storm: plug a 3 GiB DIMM (24 blocks: qemu-512m takes 3.5 GiB of
# devices, as QEMU's -m 512M,maxmem=4G), online and offline each block,
# unplug; ROUNDS times: about 260 KiB of events per round for a --trace
# client, so that the stopped ones' queues (1 MiB each) overflow
fail=0 calls=0
pass() {	# pass STATE: write it to each of the DIMM's blocks, one process
	timeout -s KILL 60 bash -c 'for b in $(seq 32 55); do
		echo "$1" >"$2/memory$b/state" || exit 1; done' pass "$1" "$M"
}
for r in $(seq "$ROUNDS"); do
	calls=$((calls + 4))
	tctl device_add pc-dimm id=d$r size=3G >/dev/null 2>>"$TMP/storm.err" || fail=$((fail + 1))
	pass online_movable 2>>"$TMP/storm.err" || fail=$((fail + 1))
	pass offline 2>>"$TMP/storm.err" || fail=$((fail + 1))
	tctl device_del d$r >/dev/null 2>>"$TMP/storm.err" || fail=$((fail + 1))
	[ "$fail" -gt 2 ] && break	# hung: no need to wait out every call
done
is "$fail" 0 "the storm's $calls hotmemctl calls and sysfs passes (24 writes each) all answered"
[ "$fail" -eq 0 ] || sed 's/^/#   /' "$TMP/storm.err" | head -5
tctl status >/dev/null
tap_ok $? "hotmemctl status answers while the clients still do not read"

# every block's add, online, offline and remove reached netlink
want=$((ROUNDS * 24 * 4))
nl_count() { [ "$(grep -c '^[a-z]' "$TMP/priv.ev")" -ge "$want" ]; }
wait_for nl_count
tap_ok $? "uevents reached the private network namespace: $(grep -c '^[a-z]' "$TMP/priv.ev") of $want"
grep -q '# overrun' "$TMP/priv.ev" && diag "the listener overran its own buffer"

lost=$(status_get events-lost)
[ "$lost" -gt 0 ] 2>/dev/null
tap_ok $? "status counts events the slow clients lost: $lost"
rss1=$(rss_kib)
# each client's queue is capped at 1 MiB; the rest is the engine's own
# growth (a sanitizer's shadow memory multiplies it)
bound=32
case $B in */san-*) bound=128 ;; esac
[ $((rss1 - rss0)) -lt $((bound * 1024)) ]
tap_ok $? "hotmemfs's memory stays bounded: RSS ${rss0} KiB -> ${rss1} KiB (< +$bound MiB)"

# continued, the hotmemctl client reads its backlog and is told the gap
kill -CONT "$spid"
lost_seen() { grep -q "EVENTS_LOST [1-9][0-9]* events lost" "$TMP/stopped.out"; }
wait_for lost_seen
tap_ok $? "the continued client is told it lost events: $(grep -m1 EVENTS_LOST "$TMP/stopped.out" | cut -c1-100)"
sum=$(awk '/EVENTS_LOST/ { n += $3; t = substr($(NF - 2), 2) } END { print n + 0, t + 0 }' "$TMP/stopped.out")
[ "${sum% *}" = "${sum#* }" ] && [ "${sum% *}" -gt 0 ]
tap_ok $? "... its gaps add up to its total: $sum in $(grep -c EVENTS_LOST "$TMP/stopped.out") notices"
kill -0 "$spid" 2>/dev/null
tap_ok $? "... and still follows"
tctl device_add pc-dimm id=after size=128M >/dev/null && tctl device_del after >/dev/null
after_seen() { grep -q 'ACPI_DEVICE_OST after ' "$TMP/stopped.out"; }
wait_for after_seen
tap_ok $? "... and sees what happens next"

touch "$TMP/stop"
kill "$spid" 2>/dev/null
for p in "$spid" "$npid" "$wpid"; do wait_exit "$p" 30 2>/dev/null; done
done_testing
