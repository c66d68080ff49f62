#!/bin/bash
# The "qemu-device" record of a virtio-mem device_add answered behind a
# guest's looping offline with a state file (tests/fusefs/272): its
# fdatasync() failing (sync_shim.so), the device_add is refused and
# undone (dev.c qemu_add_undo(), by state.c rollback(), which waits for
# change_lock: the answer comes once the offline is over), vm1 not
# listed, hotmemfs not frozen, and a restart does not bring vm1 back.
# Without qemu_add_undo() (dev.c hmfs_dev_add_request()'s .sv.undo NULL)
# checks 7 and 11 fail: vm1 stays listed, and the state file written
# whole after the rollback keeps it.
. "$(dirname "$0")/lib.sh"
require_env
qemu_record_sync_fails qemu-device vm1 add1 qmp_vmem_add vm1 1073741824 134217728
answered_within add1 30 1
tap_ok $? "QMP device_add vm1 refused once its record's fdatasync() failed: $(cat "$TMP/add1.out")"
rm -f "$TMP/fail"
dev_listed vm1
tap_ok $((!$?)) "vm1 not listed: the device_add undone"
ctl device_add virtio-mem-pci id=vm2 size=128M requested-size=0 >/dev/null
tap_ok $? "hotmemfs takes the next change (not frozen)"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
mount_fs "kill -9, restart"
dev_listed vm1
tap_ok $((!$?)) "vm1 not back"
dev_listed vm2
tap_ok $? "vm2 there"
stop_fs
done_testing
