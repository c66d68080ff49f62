#!/bin/bash
# Synthetic uevents from three writers at once, while a block's state
# flips (engine uevents) and a Unix uevent socket listens: every uevent
# arrives, their SEQNUMs one more each than the one before, in the order
# they arrive.  The writers take their numbers as they queue their
# uevents (events.c), the engine's too, under one lock: the queue's order
# is the numbers' order.  tsan.t runs it with hotmemfs from the TSan
# build: the notifier incremented the Unix sockets' counter with a plain
# ++ while a writer read it to size its room check (reread review R1).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
USOCK=$TMP/uevent.sock
N=300
mount_fs "hotmemfs mounts qemu-512m with a Unix uevent socket" --profile qemu-512m --fresh \
	--netns none -u "$USOCK"
ctl device_add pc-dimm id=d1 size=128M >/dev/null && ctl settle >/dev/null
tap_ok $? "a 128M DIMM: memory32"
export UEVENT_LISTEN_SEQNUM=1
uevents_start
# writer NAME: N changes of memoryN/uevent, "ack" logged for each one sent
writer() {
	local i
	for i in $(seq $N); do
		echo change 2>/dev/null >"$M/memory$2/uevent" && echo ack >>"$TMP/$1.log"
	done
}
rm -f "$TMP/stop"
flipper() {
	while [ ! -e "$TMP/stop" ]; do
		echo online_movable 2>/dev/null >"$M/memory32/state"
		echo offline 2>/dev/null >"$M/memory32/state"
	done
}
flipper &
f=$!
writer w1 1 &
p1=$!
writer w2 2 &
p2=$!
writer w3 32 &
p3=$!
wait $p1 $p2 $p3
touch "$TMP/stop"
wait $f
uevents_stop
acks=$(cat "$TMP"/w[123].log | wc -l)
is "$acks" "$((3 * N))" "every write of change sent"
changes=$(grep -c '^change ' "$TMP/ue.txt")
is "$changes" "$((3 * N))" "every change arrived at the listener"
flips=$(grep -cE '^(online|offline) ' "$TMP/ue.txt")
diag "$flips online/offline uevents among them"
[ "$flips" -gt 0 ]
tap_ok $? "the flips' uevents arrived too ($flips)"
bad=$(awk '{ sub("seqnum=", "", $5); s = $5 + 0 }
	NR > 1 && s != prev + 1 { print NR ": " prev " then " s; n++ }
	{ prev = s } END { print n + 0 }' "$TMP/ue.txt" | tail -n1)
is "$bad" "0" "each SEQNUM one more than the one before it, in the order they arrived"
stop_fs
done_testing
