#!/bin/bash
# A qom-set answered {} behind a guest's looping offline, its
# "qemu-requested" record durable (tests/reliability/state-qom-set-queued.t),
# is QEMU's: the host's requested-size, which nothing in the guest takes
# back (QEMU 9.x virtio_mem_set_requested_size()).  When the change that
# takes it for the guest's driver fails its fdatasync() (sync_shim.so),
# rollback() undoes the guest's work alone: the device comes back with its
# old plugged blocks (machine.c device_back()) and the host's 512M stays,
# queued again for the driver -- not taken again at once (a take and an
# undo for as long as the disk fails) but at the driver's retry timer,
# which hotmemctl vmem-retry fires now.  Before that (reread25 R7) the
# undo rebuilt the device from the state file's object without its queue:
# requested-size went back to 256M, durably (checks 8-9, 11 and 14 fail
# without the fix, checked).  The guest's offline ends while the syncs
# fail, so its change is undone too (memory33 online again).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim sync_shim
export HOTMEM_TEST_SYNC_FAIL=$TMP/fail

LD_PRELOAD="$(preloads "$TMP/sync_shim.so")" vmem_offline_loops "(a state file, sync_shim.so)" --fresh
qom_set_take_fails
is "$(vmem_plugged vm0)" 268435456 "vm0 back to its 256M plugged: the guest's work undone"
grep -qF "vm0: QEMU's requested-size 0x20000000 queued again for the guest's driver (an undo rebuilt the device): taken in 50 s, or now by hotmemctl vmem-retry vm0" "$TMP/hotmemfs.log"
tap_ok $? "... the host's value queued again for the driver's retry, the log says"
rm -f "$TMP/fail"
is "$(vmem_requested vm0)" 536870912 "requested-size still the host's 512M"
ctl vmem-retry vm0 >/dev/null
tap_ok $? "hotmemctl vmem-retry vm0: the driver's retry now"
vmem_plugged_wait vm0 536870912
tap_ok $? "the driver takes the 512M once syncs work again: $(vmem_plugged vm0) plugged"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "hotmemfs is not frozen"
kill9_fs
mount_fs "kill -9, restart from the state file"
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "536870912 536870912" "vm0 as acknowledged: 512M requested and plugged"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
