#!/bin/bash
# reread27 R1: a driver run that starts while a qom-set requested-size is
# queued and not yet taken stops at its first check of 6.12's
# vm->config_changed, which stays set until virtio_mem_run_wq()'s
# "retry:" reads the config.  d4303782 compared the device's qom-set
# count with the count read when the run began, so a qom-set queued
# before the run (between the change becoming held and its run starting,
# or, as here, one the timers' thread has not taken yet) never stopped
# it: the run shrank toward the old requested-size 0, unplugging
# memory32 just onlined and memory33, and the take then plugged 512M back
# as new offline memory.  The order is certain, not a timing:
# thread_hold.so (HOTMEM_TEST_THREAD_HOLD_CONTENDED) holds the timers'
# thread at change_lock in the queued qom-set's change
# (vmem_resize_queued()) until $TMP/hold goes, while memory32's online
# runs the unplug its MEM_ONLINE queued on a device a busy shrink left
# above its requested-size (tests/fusefs/268, 334).  No state file: with
# one a qom-set waits for change_lock instead of being queued.
# Without the fix checks 9, 10 and 12 fail (checked: the run unplugged
# memory32-33, then plugged 512M back as new offline memory).
. "$(dirname "$0")/lib.sh"
require_env
timers_hold_contended
M=$MNT/sys/devices/system/memory

mount_timers_hold "hotmemfs mounts, no state file"
vm0_shrink_busy
(echo offline >"$M/memory33/state") 2>"$TMP/off.err" &
OFF=$!
block_state_wait 33 going-offline
tap_ok $? "the guest's offline of memory33 loops (going-offline)"
touch "$TMP/hold"
is "$(qmp_qom_set vm0 536870912)" '{"return":{}}' "qom-set vm0 requested-size 512M answers {} at once, queued behind the offline"
file_wait "$TMP/hold.held" && held_in vmem_resize_queued lock_change_sysfs
tap_ok $? "... the timers' thread is held at change_lock in the queued qom-set's change (vmem_resize_queued(), lock_change_sysfs())"
ctl free-all >/dev/null && wait "$OFF" && echo online_movable >"$M/memory32/state"
tap_ok $? "the pins freed, the offline ends; online_movable memory32, the queue not taken yet"
is "$(vmem_plugged vm0)" 268435456 \
	"the driver's run after the online stopped at its first check: nothing unplugged"
is "$(cat "$M/memory32/state")" online "... memory32 stays online"
rm -f "$TMP/hold"
vmem_plugged_wait vm0 536870912
tap_ok $? "the hold let go: the timers' thread takes 512M, the driver plugs to it ($(vmem_plugged vm0))"
is "$(cat "$M/memory32/state") $(cat "$M/memory34/state")" "online offline" \
	"memory32 still online, the 256M more plugged offline as memory34-35"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
