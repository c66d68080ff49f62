#!/bin/bash
# An anonymous device_add's device[N] number (QEMU's qdev_set_id()) is
# saved for a refusal alone: a journal record of the params (a lock-free
# "param" record of "anon-count" since reread29 R10, a "set" of the
# params before), durable before the refusal is answered, so that a kill -9 after it does not give the
# number out again (221 compares the count with QEMU).  An accepted one's
# device record names its number: it wrote a params record and waited for
# its fdatasync as well, a record and a sync more on every anonymous
# device_add (reread17 D, checked after ae369909).
. "$(dirname "$0")/lib.sh"
require_env

# params_only: the journal's records that set the params alone, or a
# lock-free one of them (its preallocated tail is NULs: not records)
params_only() {
	python3 - "$STATE.journal" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], "rb").read().split(b"\n"):
    crc, _, text = line.strip(b"\0").partition(b" ")
    if text:
        rec = json.loads(text)
        n += list(rec.get("set", {})) == ["params"] or "param" in rec
print(n)
PY
}
new_id() { ctl --json device_add pc-dimm size=128M | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

mount_fs "hotmemfs mounts, a state file" --fresh --profile qemu-512m
before=$(params_only)
is "$(new_id)" "/machine/peripheral-anon/device[0]" "an anonymous DIMM: device[0]"
is "$(params_only)" "$before" "... its number in its own record: no params record more"
ctl device_add pc-dimm size=128M foo=1 >/dev/null 2>&1
is "$?:$(params_only)" "1:$((before + 1))" \
	"a refused anonymous device_add (foo=1, after qdev_set_id()): its number saved, one params record"
kill9_fs
start_fs
tap_ok $? "kill -9 after the refusal, restart on the state file"
is "$(new_id)" "/machine/peripheral-anon/device[2]" \
	"the next anonymous DIMM: device[2], the refused one's 1 still taken"
stop_fs
done_testing
