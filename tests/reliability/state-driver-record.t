#!/bin/bash
# The record of an online of a virtio-mem device's block is its run
# alone, O(1), as any block's: the driver plugs nothing within it.  That
# of the driver's plugging after it (the work its MEM_ONLINE notifier
# queued: 6.12 queues it once offline_size + offline_threshold / 2 fits
# the threshold, so at every fourth online of a device stopped at 1G
# offline) holds that device and its memory blocks only, O(device): not
# the machine's other devices and blocks, however many runs they make,
# nor another short device (its notifier ignores blocks not its own:
# abuse26 E1).  The journal
# with such records between one-block records comes back whole after
# kill -9; such a record naming a block outside its devices is damage.
. "$(dirname "$0")/lib.sh"
require_env

plugged() { ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == "'"${1:-vm0}"'"][0])'; }
# record_blocks N FIRST END: the Nth last journal record's block runs,
# "ok" when they name block FIRST..END-1 only and at least one of them
record_blocks() {
	journal_text | tail -n "$1" | head -n 1 | python3 -c '
import json, sys
first, end = int(sys.argv[1]), int(sys.argv[2])
rec = json.loads(sys.stdin.read().split(" ", 1)[1])
body = rec.get("set") or rec.get("device") or {}
runs = body.get("blocks", [])
out = ["%d+%d" % (r["first"], r["count"]) for r in runs
       if r["first"] < first or r["first"] + r["count"] > end]
print("ok" if runs and not out else
      "record %d names blocks %s" % (rec["seq"], " ".join(out) if out else "none"))' "$2" "$3"
}

# record_run N: the Nth last journal record's kind and block ("run ID"; a
# "run-param", the run with the vm reserves reserve_mem_notifier() moved, is
# a one-block record too: "run ID")
record_run() {
	journal_text | tail -n "$1" | head -n 1 | python3 -c '
import json, sys
rec = json.loads(sys.stdin.read().split(" ", 1)[1])
kind = [k for k in rec if k != "seq"][0]
if kind == "run-param":
    kind, rec = "run", {"run": rec[kind]["run"]}
print(kind, rec[kind]["first"] if kind == "run" and rec[kind]["count"] == 1 else "")'
}

# record_devices N: the ids of the devices the Nth last journal record holds
record_devices() {
	journal_text | tail -n "$1" | head -n 1 | python3 -c '
import json, sys
rec = json.loads(sys.stdin.read().split(" ", 1)[1])
print(" ".join(d["id"] for d in rec["device"]["devices"]))'
}

start_fs_netns --profile default --fresh
tap_ok $? "hotmemfs mounts the default profile with a fresh state file"
ctl device_add pc-dimm id=d1 size=1G >/dev/null
tap_ok $? "a 1G DIMM d1: memory32-39"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=2560M >/dev/null
tap_ok $? "virtio-mem vm0, 4G region from memory40, requested 2.5G"
is "$(plugged)" $((1 << 30)) "... 1G plugged, the driver waits for onlines"
ctl device_add virtio-mem-pci id=vm1 size=256M requested-size=256M >/dev/null
tap_ok $? "virtio-mem vm1 beside it, all plugged (not short)"
for b in 32 34 36 38; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "every other block of d1 online: the machine's runs outside vm0 are many"
for b in 40 41 42; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory40-42 (vm0) online"
is "$(plugged) $(record_run 1)" "$((1 << 30)) run 42" "... 640M still offline: the driver adds nothing, memory42's record is its run"
echo online_movable >"$M/memory43/state"
tap_ok $? "memory43 (vm0) online"
is "$(plugged)" $((1536 << 20)) "... and the driver plugs 4 blocks, up to its offline threshold"
is "$(record_run 2)" "run 43" "memory43's record is its run alone, O(1)"
is "$(record_blocks 1 40 72)" ok "... the driver's after it names vm0's blocks (memory40-71) only"
is "$(record_devices 1)" vm0 "... and vm0 alone of the devices, O(device): not vm1 nor d1"
echo online_movable >"$M/memory33/state"
tap_ok $? "memory33 (d1) online after it: a one-block record"
for b in 44 45 46 47; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory44-47 (vm0) online"
is "$(plugged)" $((2 << 30)) "... and the driver plugs 4 blocks more at the fourth"
is "$(record_run 2) $(record_blocks 1 40 72)" "run 47 ok" "... recorded as its run, the driver's plugging with vm0's blocks only"
echo offline >"$M/memory36/state"
tap_ok $? "memory36 (d1) offline: one-block records after the driver's"
EXPECT=$(snapshot)
kill9_fs
start_fs_netns --profile default
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine: d1's blocks, vm0's plugged blocks and their states"
ctl check >/dev/null
tap_ok $? "invariants hold"
for b in 48 49 50 51; do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory48-51 (vm0) online after the restart"
is "$(plugged)" $((2560 << 20)) "... the driver plugs 4 blocks more: requested-size reached"
echo offline >"$M/memory41/state"
tap_ok $? "memory41 (vm0) offline"
is "$(record_run 1)" "run 41" "... recorded as its run alone"
EXPECT=$(snapshot)
kill9_fs
start_fs_netns --profile default
tap_ok $? "restart after a second kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine again"
kill9_fs
cp "$STATE.journal" "$TMP/journal"
# a "device" record naming a block outside its ranges (memory32, d1's),
# its checksum right, and a good record after it: damage, not a torn end
n=$(journal_append '[{"device": {"ranges": [[40, 32]], "devices": [],
  "blocks": [{"first": 32, "count": 1, "state": "online", "zone": "Movable"}]}},
 {"set": {"probed": []}}]')
refused "journal $STATE.journal is damaged: record $n of [0-9]* is a change that does not fit the machine before it" "a driver's record naming a block outside its devices" --profile default
cp "$TMP/journal" "$STATE.journal"
# a "device" record holding a device the machine does not have
n=$(journal_append '[{"device": {"ranges": [[40, 32]], "devices": [{"id": "vm9", "driver": "virtio-mem-pci"}],
  "blocks": []}},
 {"set": {"probed": []}}]')
refused "journal $STATE.journal is damaged: record $n of [0-9]* is a change that does not fit the machine before it" "a driver's record holding a device the machine lacks" --profile default
cp "$TMP/journal" "$STATE.journal"
start_fs_netns --profile default
tap_ok $? "the journal as it was: hotmemfs starts"
same_text "$(snapshot)" "$EXPECT" "... the same machine"
# records merged in their order: a device record over memory32-39 comes
# after memory33's one-block record (it wins) and before memory34's (it loses)
kill9_fs
journal_append '[{"run": {"first": 33, "count": 1, "state": "online", "zone": "Movable"}},
 {"device": {"ranges": [[32, 8]], "devices": devices,
  "blocks": [{"first": 32, "count": 8, "state": "offline", "zone": "none"}]}},
 {"run": {"first": 34, "count": 1, "state": "online", "zone": "Movable"}}]' >/dev/null
start_fs_netns --profile default
tap_ok $? "hotmemfs starts with them"
is "$(for b in 32 33 34 35 36 37 38 39; do cat "$M/memory$b/state"; done | grep -c online)" 1 "... memory32-39 offline but one"
is "$(cat "$M/memory34/state")" online "... memory34"
ctl check >/dev/null
tap_ok $? "invariants hold"
# two devices short: the driver's record after an online of vm2's block
# holds vm2 alone -- vm0's notifier ignores it (virtio_mem_overlaps_range())
ctl set-size vm0 3G >/dev/null
is "$(plugged)" $((2560 << 20)) "vm0 requested 3G: 1G of it offline already, the driver adds nothing: short"
ctl device_add virtio-mem-pci id=vm2 size=4G requested-size=1536M >/dev/null
tap_ok $? "virtio-mem vm2, requested 1.5G: 1G plugged, short as vm0 is"
first=$(ctl --json status | python3 -c 'import json,sys; print([d["memaddr"] for d in json.load(sys.stdin)["devices"] if d["id"] == "vm2"][0] // (128 << 20))')
for b in $(seq "$first" $((first + 3))); do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "memory$first-$((first + 3)) (vm2) online"
is "$(plugged vm2) $(plugged)" "$((1536 << 20)) $((2560 << 20))" "... vm2's driver plugs to its requested-size, vm0's nothing"
is "$(record_devices 1)" "vm2" "... its record holds vm2 alone: not vm0 (short too), vm1 nor d1"
EXPECT=$(snapshot)
kill9_fs
start_fs_netns --profile default
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine"
done_testing
