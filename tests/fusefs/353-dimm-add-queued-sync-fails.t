#!/bin/bash
# The "qemu-device" record of a pc-dimm device_add answered behind a
# guest's looping offline with a state file (tests/fusefs/355): its
# fdatasync() failing (sync_shim.so), the device_add is refused and undone
# (dev.c qemu_add_undo() by state.c rollback(), which waits for
# change_lock: the answer comes once the offline is over), as a
# virtio-mem device's (tests/fusefs/276) -- and the DIMM's slot, taken
# when QEMU realized it, is free again (qemu_unrealize()): a device_add
# of slot 0 is taken, and a restart does not bring d2 back.
# Without the slot's unplug in qemu_unrealize() checks 8 ("slot 0 is
# busy") and 12 (no d3 after the restart) fail (checked).
. "$(dirname "$0")/lib.sh"
require_env
qemu_record_sync_fails qemu-device d2 add qmp_dimm_add d2 268435456
answered_within add 30 1
tap_ok $? "QMP device_add d2 refused once its record's fdatasync() failed: $(cat "$TMP/add.out")"
rm -f "$TMP/fail"
dev_listed d2
tap_ok $((!$?)) "d2 not listed: the device_add undone"
ctl device_add pc-dimm id=d3 size=128M slot=0 >"$TMP/d3.out" 2>&1
tap_ok $? "slot 0 is free again: device_add pc-dimm d3 slot=0 ($(cat "$TMP/d3.out"))"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
mount_fs "kill -9, restart"
dev_listed d2
tap_ok $((!$?)) "d2 not back"
dev_listed d3
tap_ok $? "d3 there"
stop_fs
done_testing
