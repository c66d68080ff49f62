#!/bin/bash
# A pc-dimm device_add answered behind a guest's looping offline is
# journaled before its {} (a "qemu-device" record, tests/fusefs/355).  When
# it took the slot (and range) of a profile DIMM removed at run time, or
# the id of one, the restart refused the state file: the profile's DIMM is
# booted again before the saved devices are restored, and only a probed
# device's restore made way for it (dev.c hmfs_dev_add(): boot_dev_claim(),
# boot_dev_give_way()), not a QEMU-only one's (hmfs_dev_restore_qemu():
# "restoring device d2: slot 0 is busy", "refusing to start") -- an
# acknowledged device_add made the file unusable (reread29 R6).
# Without qemu_restore_make_way() checks 9 and 10 fail (checked: "slot 0
# is busy", "refusing to start"). The same restore for a queued device with
# the id of a removed profile device, or a virtio-mem one over a removed
# profile virtio_mem line, is not tested here.
. "$(dirname "$0")/lib.sh"
require_env
P=$TMP/dimm0.profile
printf 'profile = default\nname = dimm0\nslots = 4\nhotplug = 0x180000000-0x187ffffff\n' >"$P"

mount_fs "hotmemfs mounts a profile with a DIMM dimm0 in slot 0 (a state file)" --fresh --profile "$P"
ctl device_del dimm0 >/dev/null
tap_ok $? "device_del dimm0: slot 0 and 0x180000000 free"
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=256M >/dev/null
tap_ok $? "a virtio-mem vm0, 256M plugged (memory32-33)"
memory33_offline_loops
d2_add_while_looping
kill9_fs
mount_fs "kill -9, the restart restores the state file" --profile "$P"
ctl -j query-memory-devices >"$TMP/q.json"
grep -q '"d2"' "$TMP/q.json" && ! grep -q '"dimm0"' "$TMP/q.json"
tap_ok $? "... d2 listed, the removed dimm0 not"
ctl check >/dev/null
tap_ok $? "invariants hold"

stop_fs
done_testing
