#!/bin/bash
# usereye10 U5's rest: a virtio-mem device_del that QEMU refuses (memory
# still plugged, or requested-size not 0: virtio_mem_unplug_request_check(),
# on the host, whatever the guest does) waited behind a guest user's
# `echo offline > memoryN/state` looping on pinned pages (6.12's
# offline_pages() until a signal) before hotmemfs refused it: the
# device_del waited for the change lock the offline holds.  The refusal
# is QEMU's own check, answered now from the sizes the guest's driver
# publishes and the host's requested-size (a qom-set queued behind the
# offline included).  Each answer is checked to come while the offline
# still loops (memory33 going-offline, its writer alive), not by a time;
# the device_del runs in the background, one not answered within 30 s
# fails and ends once the pins are freed.  Without the check
# (dev.c hmfs_dev_del_refused()) checks 5, 6 and 9 fail (3).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

vmem_offline_loops "(no state file)"

in_background del ctl device_del vm0
answered_within del 30 1
tap_ok $? "device_del vm0 is refused (exit 1)"
grep -q "cannot get unplugged while some of its memory is still plugged" "$TMP/del.err" &&
	grep -q "hotmemfs: vm0: device_del refused: plugged-size 0x10000000, requested-size 0x10000000:" "$TMP/hotmemfs.log"
tap_ok $? "... QEMU's refusal: memory still plugged ($(cat "$TMP/del.err"))"
looping
tap_ok $? "... while the offline still loops"

r=$(timeout 20 "$HMCTL" -s "$CTL" raw '{"execute":"qom-set","arguments":{"path":"vm0","property":"requested-size","value":0}}' 2>&1)
is "$r" '{"return":{}}' "qom-set requested-size 0 answers {} (queued behind the offline)"
in_background del2 ctl device_del vm0
answered_within del2 30 1 && grep -q "cannot get unplugged while some of its memory is still plugged" "$TMP/del2.err" &&
	grep -q "vm0: device_del refused: plugged-size 0x10000000, requested-size 0x0: requested-size is 0 already" "$TMP/hotmemfs.log"
tap_ok $? "device_del vm0 refused again: still plugged, requested-size the host's 0 ($(cat "$TMP/del2.err"))"
looping
tap_ok $? "... while the offline still loops"
ctl -j query-memory-devices | grep -q '"vm0"'
tap_ok $? "vm0 still there"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
wait_gone "$BG" 60
# the queued requested-size 0 runs once the offline is over: plugged-size 0
for _ in $(seq 400); do ctl device_del vm0 >/dev/null 2>"$TMP/del3.err" && break; sleep 0.05; done
ctl -j query-memory-devices | grep -q '"vm0"'
tap_ok $((!$?)) "its queued requested-size 0 reached, device_del vm0 removes it $(cat "$TMP/del3.err")"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
