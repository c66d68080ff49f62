#!/bin/bash
# fmend6's leftover: a virtio-mem device_del that QEMU's check accepts
# (nothing plugged, requested-size 0) waited behind a guest user's `echo
# offline > memoryN/state` looping on pinned pages (6.12's offline_pages()
# until a signal) before it answered.  QEMU's device_del of a
# virtio-mem-pci device makes its check, raises the PCI unplug request and
# returns {} at once; the guest ejects the device later and DEVICE_DELETED
# follows.  hotmemfs now answers {} at once there and queues the removal
# (dev.c hmfs_dev_del_request()), which runs once the offline is over,
# journaled, then DEVICE_DELETED.  Each answer is checked to come while
# the offline still loops (memory33 going-offline, its writer alive), not
# by a time; a device_del not answered within 30 s fails.  A second one
# while the first is queued answers {} too (the request raised again).
# Not vmem_offline_loops (lib.sh): vm1 is added before the offline starts.
# Without the queue (ctl.c's hmfs_dev_del_request() call) checks 6, 7 and 9 fail.
. "$(dirname "$0")/lib.sh"
require_env

vmem_del_offline_loops --fresh

in_background del1 qmp_del vm1
answered_within del1 30
tap_ok $? "QMP device_del vm1 answers"
is "$(cat "$TMP/del1.out")" '{"return":{}}' "... {} (QEMU's check passes: nothing plugged, requested-size 0)"
looping
tap_ok $? "... while the offline still loops"
in_background del2 qmp_del vm1
answered_within del2 30 && [ "$(cat "$TMP/del2.out")" = '{"return":{}}' ] && looping
tap_ok $? "a second device_del vm1 answers {} too, at once (the request raised again)"
dev_listed vm1 && ! grep -q "DEVICE_DELETED vm1" "$TMP/ev.txt"
tap_ok $? "vm1 still listed, no DEVICE_DELETED yet: the guest has not ejected it"

ctl free-all >/dev/null
wait "$OFF"
tap_ok $? "the pins freed: the guest's offline of memory33 ends well"
ev_wait "$TMP/ev.txt" "DEVICE_DELETED vm1 /machine/peripheral/vm1" 1
tap_ok $? "... the queued removal runs: DEVICE_DELETED vm1"
is "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" 1 "... once"
dev_listed vm1
tap_ok $((!$?)) "vm1 is no longer listed"
dev_listed vm0
tap_ok $? "vm0 stays"
vmem_del_kill9_restart
dev_listed vm1
tap_ok $((!$?)) "the removal was journaled: vm1 still gone"
stop_fs
done_testing
