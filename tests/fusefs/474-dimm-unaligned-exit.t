#!/bin/bash
# hotmemctl device_add of a DIMM not in whole memory blocks (user42):
# QEMU plugs it and answers {} (231), the 6.12 guest refuses it
# (check_hotplug_memory_range(): -EINVAL) and the DIMM stays.  hotmemctl
# exited 0 with the refusal in its line: a script saw success.  Now exit
# 3 and one line on stderr, --json too; raw keeps QMP's {} (exit 0);
# nothing lost: the DIMM listed, device_del frees it, a whole-block DIMM
# then adds with exit 0.
. "$(dirname "$0")/lib.sh"
require_env
need_tool jq jq

mount_fs "hotmemfs mounts qemu-512m" --fresh --profile qemu-512m --cmdline memhp_default_state=offline

ctl device_add pc-dimm size=100M id=bad >"$TMP/out" 2>"$TMP/err"
is "$?" 3 "device_add pc-dimm size=100M: exit 3"
grep -q "^bad: 100M at 0x100000000, plugged in slot 0 but refused by the guest (EINVAL): .*unaligned hotplug range" "$TMP/out"
tap_ok $? "... stdout: the refusal, the guest's errno and its log line" || diag < "$TMP/out"
is "$(cat "$TMP/err")" \
	"hotmemctl: error: bad: the guest refused its memory (EINVAL): its size or address is not in whole memory blocks; the device stays plugged until \`hotmemctl device_del bad\`" \
	"... stderr: one line, the errno and what to do"
is "$(ctl devices | grep -c '^bad: plugged in slot 0 but refused by the guest (EINVAL)')" 1 \
	"... the DIMM stays, as QEMU keeps it"

ctl -j device_add pc-dimm size=100M id=bad2 >"$TMP/j" 2>/dev/null
is "$?:$(jq -r '."guest-refused"' "$TMP/j")" "3:EINVAL" "--json: exit 3 too, guest-refused EINVAL"
out=$(ctl raw '{"execute":"device_add","arguments":{"driver":"pc-dimm","size":"100M","id":"bad3"}}' 2>&1)
is "$?:$out" '0:{"return":{}}' "raw: QEMU's reply, exit 0"

for id in bad bad2 bad3; do ctl device_del "$id" >/dev/null || nok "device_del $id"; done
is "$(ctl -j query-memory-devices | jq length)" 0 "device_del of each: no DIMM left"
out=$(ctl device_add pc-dimm size=128M id=good 2>&1)
is "$?:$out" "0:good: 128M at 0x100000000, memory32 (offline)" "a whole-block DIMM: exit 0"
done_testing
