#!/bin/bash
# usereye10 U5: with a virtio-mem device on the machine, a guest user's
# `echo offline > memoryN/state` that loops on pinned pages (6.12's
# offline_pages() until a signal: for ever without `timeout`) held up
# query-memory-devices, hotmemctl status/devices/map and qom-set
# requested-size for as long as it looped: the device's sizes were read
# under the engine's device_hotplug_lock, which the offline holds, and
# qom-set waited for change_lock behind it.  QEMU's monitor never waits
# for its guest: the readers read the device's published copy now, and a
# qom-set behind the offline sets the host's requested-size at once and
# queues the guest driver's run, made once the offline is over.  Each
# answer is checked to come while the offline still loops (memory33
# going-offline, its writer alive), not by a time; hotmemctl's -t 20 is
# the bound a query that waited would fail by, the pins freed only after.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

# without a state file: a qom-set is queued (with one too, journaled first: below)
vmem_offline_loops "(no state file)"
size_of() { python3 -c 'import json,sys; d=json.load(sys.stdin)[0]["data"]; print(d["requested-size"], d["size"])'; }

q=$(ctl -t 20 -j query-memory-devices 2>&1)
tap_ok $? "query-memory-devices answers"
is "$(size_of <<<"$q")" "268435456 268435456" "... vm0: requested-size and size 256M"
looping
tap_ok $? "... while the offline still loops"
ctl -t 20 status >"$TMP/status.out" 2>&1 && grep -q vm0 "$TMP/status.out"
tap_ok $? "hotmemctl status answers, vm0 in it"
ctl -t 20 devices >/dev/null 2>&1 && ctl -t 20 map >/dev/null 2>&1
tap_ok $? "hotmemctl devices and map answer"
looping
tap_ok $? "... while the offline still loops"

r=$(timeout 20 "$HMCTL" -s "$CTL" raw '{"execute":"qom-set","arguments":{"path":"vm0","property":"requested-size","value":536870912}}' 2>&1)
is "$r" '{"return":{}}' "qom-set requested-size 512M answers {}"
looping
tap_ok $? "... while the offline still loops: the guest's driver runs later"
q=$(ctl -t 20 -j query-memory-devices 2>&1)
is "$(size_of <<<"$q")" "536870912 268435456" "query-memory-devices: requested-size 512M (the host's), size still 256M"
looping
tap_ok $? "... the offline still loops"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
is "$(cat "$M/memory33/state")" "offline" "memory33 offline"
for _ in $(seq 600); do
	s=$(ctl -j query-memory-devices | size_of)
	[ "$s" = "536870912 536870912" ] && break
	sleep 0.05
done
is "$s" "536870912 536870912" "the queued run: vm0 plugs its 512M once the offline is over"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# With a state file the qom-set is acknowledged once journaled: under
# journal_lock alone, it answers while the guest's offline loops, and a
# kill -9 then keeps it (it waited for the offline before 2026-12-01;
# before 9e3a3a07 it answered {} with nothing saved, and a kill -9 lost
# it: reread18-fusefs2 F1; tests/reliability/state-qom-set-queued.t)
start_fs --fresh
tap_ok $? "hotmemfs mounts again, with a state file"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
for b in 32 33; do echo online_movable >"$M/memory$b/state"; done
ctl alloc movable 40000 >/dev/null && ctl alloc pinned 100 >/dev/null
(echo offline >"$M/memory33/state") 2>"$TMP/off.err" &
OFF=$!
block_state_wait 33 going-offline
tap_ok $? "the guest's offline of memory33 loops again"
"$HMCTL" -s "$CTL" raw '{"execute":"qom-set","arguments":{"path":"vm0","property":"requested-size","value":536870912}}' >"$TMP/qs.out" 2>&1 &
qs=$!
# an answer comes at once, durable; looked for up to 30 s (a bound for a failure)
for _ in $(seq 600); do [ -s "$TMP/qs.out" ] && break; sleep 0.05; done
answered=$(cat "$TMP/qs.out")
looping
tap_ok $? "the offline still loops"
is "$answered" '{"return":{}}' "the qom-set answers {} while the offline loops (journaled first)"
# kill -9 now: whatever was acknowledged must come back
kill -9 "$FS_PID"; wait "$FS_PID" 2>/dev/null
wait "$OFF" 2>/dev/null; wait "$qs" 2>/dev/null
umount -l "$MNT" 2>/dev/null
start_fs
tap_ok $? "hotmemfs starts again from its state file after kill -9"
got=$(ctl -j query-memory-devices | size_of | cut -d' ' -f1)
if [ "$answered" = '{"return":{}}' ]; then want=536870912; else want=268435456; fi
is "$got" "$want" "... vm0's requested-size is what was acknowledged ($([ "$want" = 536870912 ] && echo 512M || echo 256M))"
stop_fs
done_testing
