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
tr '\0' '\n' <"$STATE.journal" | grep -v '^$' | tail -1 | grep -q '"qemu-device":{[^}]*"id":"vm1"'
tap_ok $? "vm1's qemu-device record is the journal's last"
cp "$STATE" "$TMP/good.state"
cp "$STATE.journal" "$TMP/good.journal"
put_back() { cp "$TMP/good.state" "$STATE" && cp "$TMP/good.journal" "$STATE.journal"; }
# last_record PYTHON: the journal's last record rewritten by PYTHON (on
# bytes `line`, "CRC32 JSON" without its newline; `fix(text)` makes a
# whole line, newline ended, with a right CRC32 of its JSON text), the
# zeros after it kept
last_record() {
	python3 - "$STATE.journal" "$1" <<'PY'
import json, sys, zlib
path, code = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
end = data.index(b"\0") if b"\0" in data else len(data)
start = data.rindex(b"\n", 0, end - 1) + 1
line = data[start:end - 1]
def fix(text):
    return b"%08x " % (zlib.crc32(text) & 0xffffffff) + text + b"\n"
new = eval(code)
open(path, "wb").write(data[:start] + new + b"\0" * (len(data) - start - len(new)))
PY
}

put_back
mount_fs "the journal as the kill left it: hotmemfs starts"
dev_listed vm1
tap_ok $? "vm1 listed (the good record restores it)"
stop_fs

put_back
last_record 'line[:len(line) // 2]'
mount_fs "the qemu-device record cut short (no newline): hotmemfs starts"
dev_listed vm1
tap_ok $((!$?)) "vm1 is not listed: the record was never acknowledged"
grep -q "was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... the log says the record was dropped"
stop_fs

put_back
last_record 'fix(line[9:].replace(b"\"guest-probe\":\"queued\"", b"\"guest-probe\":\"maybe\""))'
start_refused "a whole, checksummed qemu-device record with guest-probe maybe" 78 \
	"does not fit the machine before it" --control "$CTL" --state "$STATE" "$MNT"
put_back
last_record 'fix(line[9:].replace(b"\"requested-size\":", b"\"requested\":"))'
start_refused "... with no requested-size" 78 "does not fit the machine before it" \
	--control "$CTL" --state "$STATE" "$MNT"
done_testing
