#!/bin/bash
# abuse30b V1: a qom-set requested-size queued behind a guest's looping
# offline of one of the device's blocks.  6.12's config interrupt queues
# virtio_mem_run_wq(), whose virtio_mem_refresh_config() logs "plugged
# size"/"requested size" at once, before the work blocks on
# vm->hotplug_mutex (held by its memory notifier from MEM_GOING_OFFLINE to
# MEM_CANCEL_OFFLINE); a second qom-set meanwhile finds the work blocked
# and is read, and logged, once the offline is over.  hotmem logged
# nothing until the offline ended, and then the last value only.  Now the
# queued qom-set's acknowledgement logs the driver's read (dev.c
# vmem_read_early()), and the run that takes it says the sizes again only
# when a qom-set came since.  Without the fix checks 6, 8 and 14 fail
# (checked: no line until the offline ends, then the run's pair).  No
# timed assertion: the offline loops until the test frees its pages.
. "$(dirname "$0")/lib.sh"
require_env
sizes_after() { ctl dmesg | tail -n +$(($1 + 1)) | sed -n 's/^<6>virtio_mem virtio0: \(plugged\|requested\) size: /\1 /p' | tr '\n' ' '; }

# one qom-set behind the offline: read at once, not again when taken
vmem_offline_loops "(no state file): one qom-set"
n=$(ctl dmesg | wc -l)
is "$(qmp_qom_set vm0 134217728)" '{"return":{}}' "qom-set vm0 128M while memory33's offline loops: {}"
is "$(sizes_after "$n")" "plugged 0x10000000 requested 0x8000000 " \
	"the driver reads the config at once: 'plugged size: 0x10000000', 'requested size: 0x8000000'"
n=$(ctl dmesg | wc -l)
ctl free-all >/dev/null
wait "$OFF"
vmem_plugged_wait vm0 134217728
tap_ok $? "the offline over, the driver unplugs to 128M"
is "$(sizes_after "$n")" "" "... and says no sizes again: it read them already"
stop_fs

# two: the second found the work blocked, read and said once the offline is over
vmem_offline_loops "(no state file): two qom-sets"
n=$(ctl dmesg | wc -l)
is "$(qmp_qom_set vm0 134217728)" '{"return":{}}' "qom-set vm0 128M while memory33's offline loops: {}"
is "$(sizes_after "$n")" "plugged 0x10000000 requested 0x8000000 " "... read and said at once"
n=$(ctl dmesg | wc -l)
is "$(qmp_qom_set vm0 201326592)" '{"return":{}}' "qom-set vm0 192M, the offline still looping: {}"
looping
tap_ok $? "... the offline still loops"
is "$(sizes_after "$n")" "" "... nothing said: the driver's work is blocked"
ctl free-all >/dev/null
wait "$OFF"
vmem_plugged_wait vm0 201326592
tap_ok $? "the offline over, the driver unplugs to 192M"
is "$(sizes_after "$n")" "plugged 0x10000000 requested 0xc000000 " "... after reading the 192M, said once"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
