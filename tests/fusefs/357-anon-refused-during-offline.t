#!/bin/bash
# A QMP device_add without an id that QEMU refuses at realize (a node past
# the NUMA nodes) behind a guest's looping offline: QEMU answers at once
# (qdev_set_id() took the device[N] number, pc_dimm_realize() refused).
# hotmemfs kept the number with a journal "set" of its params under
# change_lock (machine.c hmfs_dev_anon_keep()), which the offline holds,
# even without a state file: the refusal -- and the QMP connection -- waited
# for the offline (reread29 R10; 0de48490 ended the wait without a state
# file only).  The count is a lock-free parameter now: a "param" record of
# "anon-count" under journal_lock alone (nothing written without a state
# file), and the number is never given again, across kill -9 too.  With
# the "set" under change_lock checks 14-16 fail, and 19 (device[0] given
# again after the kill) (checked: not answered while the offline looped);
# 5-6 too before 0de48490.  An anonymous virtio-mem device_add answered
# behind the looping offline (a "qemu-device" record, no "set" of the
# params after it) and deleted before its probe ("qemu-device-del"):
# after a kill -9 the count came back from the devices still listed only,
# and device[0] was given again; the replay of its "qemu-device" record
# now raises "anon-count" past it (reread30 R3): check 29 fails without
# (device[0]; checked).
. "$(dirname "$0")/lib.sh"
require_env

# refused_while_looping: the anonymous device_add with node 7 refused,
# in QEMU's words, while memory33's offline loops (two TAP lines)
refused_while_looping() {
	in_background bad "$HMCTL" -s "$CTL" raw \
		'{"execute":"device_add","arguments":{"driver":"pc-dimm","size":268435456,"node":7}}'
	answered_within bad 30 1 && looping
	tap_ok $? "an anonymous pc-dimm device_add with node 7 is refused while the offline loops"
	grep -q "'DIMM property node has value 7' which exceeds the number of numa nodes: 2" "$TMP/bad.out"
	tap_ok $? "... with QEMU's words" "$(cat "$TMP/bad.out")"
}
# next_anon_is_1: the next anonymous DIMM is device[1], the invariants hold
next_anon_is_1() {
	local out
	out=$(ctl device_add pc-dimm size=128M)
	is "${out%%:*}" "/machine/peripheral-anon/device[1]" \
		"the next anonymous DIMM is device[1]: the refusal's device[0] stays taken ($out)"
	ctl check >/dev/null
	tap_ok $? "invariants hold"
	stop_fs
}

vmem_offline_loops "(no state file)"
refused_while_looping
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline ends well"
next_anon_is_1

vmem_offline_loops "with a state file" --fresh
refused_while_looping
grep -q '"param":{"anon-count":1}' "$STATE.journal"
tap_ok $? "... its number kept by a \"param\" record of anon-count"
looping
tap_ok $? "the offline still loops"
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 while it looped, restart from the state file"
next_anon_is_1

vmem_offline_loops "with a state file (an anonymous virtio-mem)" --fresh
in_background add "$HMCTL" -s "$CTL" raw \
	'{"execute":"device_add","arguments":{"driver":"virtio-mem-pci","size":1073741824,"requested-size":0}}'
answered_within add 30 && looping
tap_ok $? "an anonymous virtio-mem device_add is answered while the offline loops"
in_background del "$HMCTL" -s "$CTL" raw \
	'{"execute":"device_del","arguments":{"id":"/machine/peripheral-anon/device[0]"}}'
answered_within del 30 && looping
tap_ok $? "... its device_del before the probe too"
grep -q '"qemu-device-del":{"id":"\\/machine\\/peripheral-anon\\/device\[0\]"' "$STATE.journal"
tap_ok $? "... journaled as QEMU's side: \"qemu-device\", \"qemu-device-del\""
kill9_fs
wait "$OFF" 2>/dev/null
mount_fs "kill -9 while it looped, restart from the state file"
next_anon_is_1
done_testing
