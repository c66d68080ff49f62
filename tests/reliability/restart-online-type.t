#!/bin/bash
# A block comes back after a restart onlined the way it was: the state
# file's runs keep each online block's online type ("online-type":
# online, online_kernel, online_movable), and the restore onlines it by
# that type when it gives the saved zone again
# (hotmem_block_restore_online()).  The zone was already right (the runs
# keep it: the restore onlined by zone); what differed was the rule
# `hotmemctl explain`'s zone line names: a block onlined by `online`
# (6.12's default zone, ZONE_NORMAL for memory32, ZONE_MOVABLE for
# memory35 beside a movable one) came back as online_kernel's or
# online_movable's (statemend item 3).  After kill -9 (the journal's
# records) and after a clean stop (the file whole); a file from before
# "online-type" restores by zone, as before.
. "$(dirname "$0")/lib.sh"
require_env
# each block's state, valid_zones and explain's zone line
view() {
	local b
	for b in 32 33 34 35 36; do
		echo "memory$b $(cat "$M/memory$b/state") $(cat "$M/memory$b/valid_zones")"
		ctl explain "$b" | grep '^zone: '
	done
}
zone_line() { ctl explain "$1" | grep '^zone: '; }

start_state_fs 640M
echo online >"$M/memory32/state" && echo online_kernel >"$M/memory33/state" &&
	echo online_movable >"$M/memory34/state" && echo online >"$M/memory35/state" &&
	echo online_movable >"$M/memory36/state"
tap_ok $? "memory32 online, memory33 online_kernel, memory34 online_movable, memory35 online, memory36 online_movable"
grep -q default_zone_for_pfn <<<"$(zone_line 32)"
tap_ok $? "... explain names memory32's rule, online's default zone: $(zone_line 32)"
before=$(view)

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9 (the journal's records)"
same_text "$(view)" "$before" "... each block in its zone, onlined by the same rule (explain's zone line)"
ctl check >/dev/null
tap_ok $? "... invariants hold"

stop_fs
python3 -c 'import json,sys; sys.exit(not any("online-type" in r for r in json.load(open(sys.argv[1]))["machine"]["blocks"]))' "$STATE"
tap_ok $? "the state file written whole at the clean stop keeps the online types"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after a clean stop"
same_text "$(view)" "$before" "... the same zones and rules"

# a file from before "online-type": by zone, as before
stop_fs
python3 - "$STATE" <<'PY'
import json, sys, zlib
p = sys.argv[1]
s = json.load(open(p))
for r in s["machine"]["blocks"]:
    r.pop("online-type", None)
plain = json.dumps(s["machine"], separators=(",", ":")).replace("/", "\\/")
s["crc32"] = zlib.crc32(plain.encode())
json.dump(s, open(p, "w"))
PY
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "a state file from before \"online-type\" restores"
is "$(for b in 32 33 34 35 36; do cat "$M/memory$b/valid_zones"; done | xargs)" \
	"$(grep -o '^memory3[2-6] online [A-Za-z]*' <<<"$before" | awk '{print $3}' | xargs)" \
	"... each block in its zone, as before"
grep -q online_kernel <<<"$(zone_line 32)"
tap_ok $? "... memory32 by its zone's rule, online_kernel: $(zone_line 32)"
done_testing
