#!/bin/bash
# 334 with a state file: a shrink a qom-set stopped (6.12's config_changed
# check, -EAGAIN) is a change journaled as any driver run's, and the
# queued value's take after it too, so that a kill -9 after both restarts
# on the machine the client was told of: the host's 512M plugged, memory32
# and memory33 online as the stopped shrink left them, memory34-35 the
# driver's new blocks.  No time is measured: the shrink is held by
# thread_hold.so until the qom-set has answered.  Without the fix checks
# 11 and 14 fail (checked: memory32 unplugged, removed and plugged back
# offline, before and after the restart).
. "$(dirname "$0")/lib.sh"
require_env
want_wrapping_shim thread_hold
need_tool addr2line binutils

M=$MNT/sys/devices/system/memory
vm0_driver_unplug_held --fresh
in_background qs qmp_qom_set vm0 536870912
answered_within qs 30 && [ "$(cat "$TMP/qs.out")" = '{"return":{}}' ] && [ -e "$TMP/hold.held" ]
tap_ok $? "qom-set vm0 requested-size 512M answers {} while the driver's unplug is held"
tr '\0' '\n' <"$STATE.journal" | grep -q '"qemu-requested":{"id":"vm0","requested-size":536870912}'
tap_ok $? "... its record is in the journal before the answer (qemu-requested)"
rm -f "$TMP/hold"
answered_within online 120
vmem_plugged_wait vm0 536870912
tap_ok $? "the hold let go: the shrink stops, the driver plugs toward 512M ($(vmem_plugged vm0))"
is "$(cat "$M/memory32/state") $(cat "$M/memory33/state")" "online online" \
	"memory32 and memory33 stay online"
kill9_fs
mount_fs "kill -9, restart from the state file"
# the kill may come before the take's record is durable (plugged-size is
# published before it is appended and synced): the restart then restores
# the queue, and the timers' thread takes it again after the mount
# (that window held open and read: tests/fusefs/366)
vmem_plugged_wait vm0 536870912
is "$(vmem_requested vm0) $(vmem_plugged vm0)" "536870912 536870912" "vm0 as acknowledged: 512M requested and plugged"
is "$(cat "$M/memory32/state") $(cat "$M/memory33/state") $(cat "$M/memory34/state")" \
	"online online offline" "memory32-33 online, memory34 offline, as before the kill"
ctl free-all >/dev/null
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
