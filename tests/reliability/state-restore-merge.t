#!/bin/bash
# A restore merges the journal's records since the state file once, at
# the end (state.c: pending_merge()); its corner cases, each from changes
# made through hotmemfs and replayed after kill -9:
#   1. a one-block record of a virtio-mem device's block before the
#      driver's device record over that block: the device record, later,
#      holds the block as it is;
#   2. a device replaced by another at the same address between two
#      device records over the same block range: the second device's
#      record takes the first's place, the first's devices entry does not
#      come back;
#   3. (records written by hand) a device record over part of the range
#      of one before it, as a smaller device put at a replaced one's
#      address leaves them: the records pending are merged first, the
#      later record wins over its range;
#   4. (by hand) a last device record naming a device the machine lacks
#      is dropped whole, none of its runs applied.
. "$(dirname "$0")/lib.sh"
require_env

plugged() { ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == "'"$1"'"][0])'; }
# kinds: the journal's record kinds, in order ("run device set ...")
kinds() { journal_text | python3 -c '
import json, sys
print(" ".join([k for k in json.loads(l.split(" ", 1)[1]) if k != "seq"][0] for l in sys.stdin))'; }
restart_same() {
	local expect
	expect=$(snapshot)
	kill9_fs
	start_fs_netns --profile default
	tap_ok $? "$1: restart after kill -9"
	same_text "$(snapshot)" "$expect" "... the same machine"
	ctl check >/dev/null
	tap_ok $? "... invariants hold"
}

start_fs_netns --profile default --fresh
tap_ok $? "hotmemfs mounts the default profile with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=2560M memaddr=0x500000000 >/dev/null
tap_ok $? "virtio-mem vm0, 4G at 0x500000000 (memory160), requested 2.5G"
is "$(plugged vm0)" $((1 << 30)) "... 1G plugged, the driver waits for onlines"
# online_four FIRST: blocks FIRST+1..FIRST+3, then FIRST: 6.12's MEM_ONLINE
# notifier queues the driver's work at the fourth (half its offline_threshold online)
online_four() {
	local b
	for b in $(($1 + 1)) $(($1 + 2)) $(($1 + 3)) "$1"; do
		echo online_movable >"$M/memory$b/state" || return
	done
}

# 1. memory160's one-block record, then the driver's device record over it
online_four 160
tap_ok $? "memory161-163 and memory160 (vm0) online"
is "$(plugged vm0)" $((1536 << 20)) "... the driver plugs 4 blocks more at memory160's"
# (a "run-param" is a one-block record whose online moved vm.user_reserve_kbytes too)
is "$(kinds | sed 's/run-param/run/g' | awk '{print $(NF-1), $NF}')" "run device" "... a one-block record, then the driver's device record over memory160-191"
restart_same "1. a one-block record before a device record over it"

# 2. vm0's device record, vm0 taken out, vm1 put at its address, and its driver's record over the same range
online_four 164
tap_ok $? "memory165-167 and memory164 (vm0) online after the restart (the state file written whole)"
is "$(plugged vm0)" $((2 << 30)) "... the driver plugs 4 blocks more: vm0's device record over memory160-191"
ctl qom-set vm0 requested-size 0 >/dev/null && ctl device_del vm0 >/dev/null
tap_ok $? "vm0 unplugged and deleted"
ctl device_add virtio-mem-pci id=vm1 size=4G requested-size=1536M memaddr=0x500000000 >/dev/null
tap_ok $? "virtio-mem vm1 at vm0's address, requested 1.5G"
online_four 160
tap_ok $? "memory161-163 and memory160 (vm1) online"
is "$(plugged vm1)" $((1536 << 20)) "... vm1's driver plugs 4 blocks more"
is "$(kinds | tr ' ' '\n' | grep -c device)" 2 "... two device records over memory160-191 in the journal, vm0's and vm1's"
restart_same "2. a device replaced at the same address between device records"
is "$(ctl --json status | python3 -c 'import json,sys; print(" ".join(d["id"] for d in json.load(sys.stdin)["devices"]))')" vm1 "... vm1 alone: vm0's record does not bring it back"

# 3. vm1's range, then a record over its first half (memory160-175)
kill9_fs
journal_append '[{"device": {"ranges": [[160, 32]], "devices": devices,
  "blocks": [{"first": 160, "count": 1, "state": "online", "zone": "Movable"}]}},
 {"device": {"ranges": [[160, 16]], "devices": devices,
  "blocks": [{"first": 160, "count": 1, "state": "offline", "zone": "none"}]}}]' >/dev/null
start_fs_netns --profile default
tap_ok $? "3. a device record over part of the range of one before it: hotmemfs starts"
is "$(cat "$M/memory160/state")" offline "... memory160 as the later record has it"
ctl check >/dev/null
tap_ok $? "... invariants hold"

# 4. a last device record naming a device the machine lacks: whole and
# checksummed, so no crash made it: damage, the start refused, the journal
# untouched (finalD #1: it was taken for a torn record and cut out)
echo online_movable >"$M/memory160/state"
tap_ok $? "4. memory160 online again"
kill9_fs
journal_append '[{"device": {"ranges": [[160, 32]],
  "devices": devices + [dict(devices[0], id="vm9")],
  "blocks": [{"first": 160, "count": 1, "state": "offline", "zone": "none"}]}}]' >/dev/null
sum=$(cat "$STATE" "$STATE.journal" | md5sum)
refused "is a change that does not fit the machine before it (its checksum is right); it is the last record" \
	"... a last record naming vm9, which the machine lacks" --profile default
! grep -q "cut short by a crash" "$TMP/err.txt"
tap_ok $? "... not taken for a record cut short by a crash"
is "$(cat "$STATE" "$STATE.journal" | md5sum)" "$sum" "... the state file and its journal untouched"
done_testing
