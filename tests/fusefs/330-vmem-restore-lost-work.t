#!/bin/bash
# A restart after a kill -9 that lost the virtio-mem driver's run after
# an online: the online's record is written before the driver's run
# (machine.c hmfs_change(): driver_retry() appends second), so the block
# comes back online with the device short, at most half its
# offline_threshold offline, no timer and no work queued -- a state a
# running 6.12 kernel never rests in (that MEM_ONLINE queued the work:
# virtio_mem_could_add_memory(vm, offline_threshold / 2)).  The restore's
# probe runs it (dev.c vmem_work_lost()), where the device stayed short
# for good: no online of its own left to queue it (reread26 R2).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils
m=$MNT/sys/devices/system/memory
plugged() { ctl qom-get vm0 size 2>&1; }
HOTMEM_TEST_THREAD_HOLD=$TMP/hold HOTMEM_TEST_THREAD_HOLD_NAME=hotmemfs-driver \
	HOTMEM_TEST_THREAD_HOLD_WRLOCK=1 LD_PRELOAD="$(preloads "$TMP/thread_hold.so")" \
	mount_fs "hotmemfs mounts (thread_hold.so) with a fresh state file" --fresh --profile qemu-512m
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1152M >/dev/null
is "$(plugged)" 1073741824 "vm0 plugged 1G of 1152M: its offline threshold"
for b in 32 33 34; do echo online_movable >"$m/memory$b/state" || break; done
is "$(plugged)" 1073741824 "memory32-34 online: 640M offline, no work queued"
: >"$TMP/hold"
in_background online sh -c "echo online_movable >'$m/memory35/state'"
file_wait "$TMP/hold.held"
tap_ok $? "memory35's online: the driver's run after it held"
held_in driver_apply
tap_ok $? "... in driver_apply, the online's record written"
kill9_fs
rm -f "$TMP/hold"
mount_fs "restart from the state file after kill -9" --profile qemu-512m
is "$(cat "$m/memory35/state")" online "memory35 online, as its record says"
vmem_plugged_wait vm0 1207959552
tap_ok $? "the probe's run plugs the last 128M (512M offline: the work 6.12 had queued)"
is "$(ctl qom-get vm0 size) $(ctl qom-get vm0 requested-size)" "1207959552 1207959552" "... at requested-size"
stop_fs
done_testing
