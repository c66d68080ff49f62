#!/bin/bash
# The "qemu-device" record of a virtio-mem device_add answered behind a
# guest's looping offline with a state file (tests/fusefs/272) is trusted
# as every journal record is (tests/reliability/state-journal-damaged.t):
# cut short by a crash as the last record (no newline), it was never
# acknowledged and is dropped with a line, the device not listed; whole
# and checksummed but not one this hotmemfs writes (a "guest-probe" that
# is none of queued, refused, stopped; no "requested-size"), it was
# acknowledged: the start is refused (EX_CONFIG, 78) as for any damaged
# record, naming it.
# With state.c qemu_device_ok() taking any device, the two refusals fail
# (it mounted); without "qemu-device" among the record kinds
# (record_changes()) the good record is refused too (check 7).
. "$(dirname "$0")/lib.sh"
require_env
vmem_offline_loops "(a state file)" --fresh
in_background add1 qmp_vmem_add vm1 1073741824 134217728
answered_within add1 30 && [ "$(cat "$TMP/add1.out")" = '{"return":{}}' ] && looping
tap_ok $? "QMP device_add vm1 answers {} while the offline still loops"
kill9_fs
wait "$OFF" 2>/dev/null
journal_last_kept '"qemu-device":{[^}]*"id":"vm1"' "vm1's qemu-device record is the journal's last"

journal_put_back
mount_fs "the journal as the kill left it: hotmemfs starts"
dev_listed vm1
tap_ok $? "vm1 listed (the good record restores it)"
stop_fs

journal_put_back
last_record 'line[:len(line) // 2]'
mount_fs "the qemu-device record cut short (no newline): hotmemfs starts"
dev_listed vm1
tap_ok $((!$?)) "vm1 is not listed: the record was never acknowledged"
grep -q "was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... the log says the record was dropped"
stop_fs

last_record_refused "a whole, checksummed qemu-device record with guest-probe maybe" \
	'"guest-probe":"queued"' '"guest-probe":"maybe"'
last_record_refused "... with no requested-size" '"requested-size":' '"requested":'
done_testing
