#!/bin/bash
# A DIMM's burst of ADDs and REMOVEs over netlink: every uevent once, in
# the kernel's order (ascending blocks), and each one after the kernel's
# caches of the memory directory were told (an agent that lists memory/
# or opens the block on its uevent finds it there, or gone).  hotmemfs's
# notifier shares a directory's invalidation between the uevents of a run
# (events.c, RUN_MAX 256): 600 blocks cross two runs' edges.
. "$(dirname "$0")/lib.sh"
require_env
require_room huge-64t
need_tool ip iproute2
NS=hotmemfs-burst$$
ip netns add "$NS" || skip_all "cannot create a network namespace"
trap 'in_test_shell && { ip netns del "$NS" 2>/dev/null; cleanup; }' EXIT
M=$MNT/sys/devices/system/memory
L="python3 $HOTMEM_SRC/tests/fusefs/uevent_burst.py"
N=600

wait_ready() { for _ in $(seq 600); do grep -q ready "$1" 2>/dev/null && return; sleep 0.05; done; }
# listen N: a follower of the next N memory uevents, in $TMP/nl.txt
listen() {
	ip netns exec "$NS" $L "$M" "$1" >"$TMP/nl.txt" 2>"$TMP/nl.err" &
	nl=$!
	wait_ready "$TMP/nl.err"
}
# expect ACTION: the follower's lines are N of ACTION, memory1..N in order
expect() {
	timeout 120 tail --pid=$nl -f /dev/null
	is "$(grep -c . "$TMP/nl.txt")" $N "$1: $N uevents, none lost or doubled"
	is "$(cat "$TMP/nl.txt")" "$(for ((i = 1; i <= N; i++)); do echo "$1 memory$i"; done)" \
		"$1: in the kernel's order, memory1..memory$N"
}

start_fs --fresh --profile huge-64t --netns "$NS"
tap_ok $? "hotmemfs mounts huge-64t with --netns $NS"
# in a namespace of our own it is hotmemfs's to inject (04 checks it too):
# off there is a failure, not the machine's lack (and no skip_all after
# a check: "1..0" after "ok 1" is no TAP)
grep -q "on: private network namespace $NS" "$TMP/hotmemfs.log" ||
	need_end_fail "netlink injection on in $NS: $(grep -m1 netlink "$TMP/hotmemfs.log")"
ls "$M" >/dev/null # memory/'s listing cached before the burst

listen $N
ctl device_add pc-dimm id=d1 addr=0x80000000 size=$((N << 31))
tap_ok $? "device_add a DIMM of $N blocks"
expect add

ls "$M" >/dev/null
cat "$M"/memory*/state >/dev/null # every block's dentries cached, as after lsmem
# a directory below a block, held open and listed (the kernel caches the
# listing) across the removal: the notifier skips the inodes of a block
# whose directory the kernel no longer has, not of one held this way
python3 - "$M/memory7/power" "$TMP/held.ready" "$TMP/held.go" >"$TMP/held.txt" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
before = sorted(os.listdir(fd))
open(sys.argv[2], "w").close()
for _ in range(1200):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
os.lseek(fd, 0, os.SEEK_SET)
print(len(before) > 0, sorted(os.listdir(fd)))
PY
held=$!
for _ in $(seq 600); do [ -e "$TMP/held.ready" ] && break; sleep 0.05; done
listen $N
ctl device_del d1
tap_ok $? "device_del it"
expect remove
touch "$TMP/held.go"
timeout 60 tail --pid=$held -f /dev/null
is "$(cat "$TMP/held.txt")" "True []" \
	"a removed block's power/ held open across the burst lists nothing (kernfs's removed node)"
is "$(ls "$M" | grep -c '^memory')" 1 "the boot block is left"
done_testing
