#!/bin/bash
# A qom-set requested-size that arrives while the virtio-mem driver's
# shrink is working stops that shrink at 6.12's next check of
# vm->config_changed -- before each alloc_contig_range() try of
# virtio_mem_fake_offline(), before each plug or unplug request
# (virtio_mem_send_plug_request(), _unplug_request()): -EAGAIN, and
# virtio_mem_run_wq() goes back to its "retry:", reads the config and
# works toward the new size.  hotmemfs finished the shrink first -- every
# sub-block it could take unplugged, memory32 offlined and removed -- and
# only then took the queued value, plugging memory32 back as new memory,
# offline.  The shrink is the unplug an online queues on a device a busy
# shrink left above its requested-size (tests/fusefs/268, 333), held by
# thread_hold.so at its first write lock under device_hotplug_lock, not by
# a time: the qom-set to 512M answers {} while it is held (333), and once
# the hold goes the shrink stops at its first check, nothing of
# memory32-33 unplugged, and the driver plugs 256M more as memory34-35.
# Without the fix check 11 fails (checked: memory32 offline).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils

M=$MNT/sys/devices/system/memory
vm0_driver_unplug_held
in_background qs qmp_qom_set vm0 536870912
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && [ -e "$TMP/hold.held" ]
tap_ok $? "qom-set vm0 requested-size 512M answers {} while the driver's unplug is held ($(cat "$TMP/qs.out"))"
rm -f "$TMP/hold"
answered_within online 120
tap_ok $? "the hold let go: memory32's online ends well"
vmem_plugged_wait vm0 536870912
tap_ok $? "the driver works toward the new size: 512M plugged ($(vmem_plugged vm0))"
is "$(cat "$M/memory32/state") $(cat "$M/memory33/state")" "online online" \
	"memory32 and memory33 stay online: the shrink stopped at its first check, nothing of them unplugged"
is "$(cat "$M/memory34/state") $(cat "$M/memory35/state")" "offline offline" \
	"... the 256M more plugged as memory34-35"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
