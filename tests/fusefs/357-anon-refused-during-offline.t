#!/bin/bash
# A QMP device_add without an id that QEMU refuses at realize (a node past
# the NUMA nodes) behind a guest's looping offline: QEMU answers at once
# (qdev_set_id() took the device[N] number, pc_dimm_realize() refused).
# hotmemfs kept the number with a journal "set" of its params under
# change_lock (machine.c hmfs_dev_anon_keep()), which the offline holds,
# even without a state file: the refusal -- and the QMP connection -- waited
# for the offline (reread29 R10).  Without a state file there is nothing
# to keep: it answers at once.  With one it still waits (said in the
# docs).  Without the state_path check in hmfs_dev_anon_keep() checks 5-6
# fail (checked: answered only when the pins went).
. "$(dirname "$0")/lib.sh"
require_env

vmem_offline_loops "(no state file)"
in_background bad "$HMCTL" -s "$CTL" raw \
	'{"execute":"device_add","arguments":{"driver":"pc-dimm","size":268435456,"node":7}}'
answered_within bad 30 1 && looping
tap_ok $? "an anonymous pc-dimm device_add with node 7 is refused while the offline loops"
grep -q "'DIMM property node has value 7' which exceeds the number of numa nodes: 2" "$TMP/bad.out"
tap_ok $? "... with QEMU's words" "$(cat "$TMP/bad.out")"
ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline ends well"
out=$(ctl device_add pc-dimm size=128M)
is "${out%%:*}" "/machine/peripheral-anon/device[1]" \
	"the next anonymous DIMM is device[1]: the refusal's device[0] stays taken ($out)"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
