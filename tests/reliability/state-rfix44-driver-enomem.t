#!/bin/bash
# A virtio-mem driver's plug after an online is a "device" record of its
# own (state.c append_device()) whose "blocks" are the runs of its
# ranges' blocks (ranges_runs()).  A run json-c could not make left the
# list short, and the record was written so: acknowledged, then replayed
# by a restart as the device's blocks (review44 F8).  alloc_shim.so fails
# the online's Nth malloc() of 56 bytes (json-c 0.16's numbers) for N in
# the window where the record's runs are made (found by a sweep of all
# ~530 of them, N = 294-297 on 2026-12-04; the window is wider, each N a
# fresh restart, 1.3 s): the plug is saved with a record whose blocks are
# every block of the device's range, or undone with no record.  Without
# the fix check 4 fails (N = 294-297: "blocks" of 0 or 4 blocks of 9).
# (N = 95-96, "ranges" [[null, 16]] from state.c run_json(), is
# nomem44's and outside the window.)
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/malloc
FIRST=${FIRST:-284} LAST=${LAST:-307}
vm_first() { ctl --json status | python3 -c 'import json,sys; s=json.load(sys.stdin); print([d["memaddr"] for d in s["devices"] if d["id"] == "vm0"][0] // (128 << 20))'; }
# the journal's last record: "device N" (its blocks), "set N", or "-" for none after line $1
last_blocks() {
	journal_text | tail -n +"$(($1 + 1))" | python3 -c '
import json, sys
n = "-"
for l in sys.stdin:
    r = json.loads(l.split(" ", 1)[1])
    for k in ("device", "set"):
        if k in r and "blocks" in r[k]:
            n = "%s %d" % (k, sum(x["count"] for x in r[k]["blocks"]))
print(n)'
}
blocks_from() { find "$M" -maxdepth 1 -name 'memory[0-9]*' | sed 's/.*memory//' | awk -v f="$1" '$1 >= f' | wc -l; }

start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1152M >/dev/null
V=$(vm_first)
for b in $(seq "$V" $((V + 2))); do echo online_movable >"$M/memory$b/state" || break; done
tap_ok $? "vm0 (2G, requested 1152M, 1G plugged), memory$V-$((V + 2)) online_movable"
stop_fs
cp "$STATE" "$TMP/state"
cp "$STATE.journal" "$TMP/journal"
bad= total=0
for n in $(seq "$FIRST" "$LAST"); do
	cp "$TMP/state" "$STATE"
	cp "$TMP/journal" "$STATE.journal"
	LD_PRELOAD=$TMP/alloc_shim.so start_fs_netns "${STATE_OPTS[@]}" || { bad+=" $n:mount"; continue; }
	lines=$(journal_text | wc -l)
	echo "malloc $n 56" >"$TMP/malloc"
	# 6.12's driver plugs one block more once half its threshold is online
	echo online_movable >"$M/memory$((V + 3))/state"
	[ -e "$TMP/malloc" ] || total=$((total + 1))
	rm -f "$TMP/malloc"
	rec=$(last_blocks "$lines") present=$(blocks_from "$V")
	case $rec in
	"device $present" | "set $(blocks_from 0)") ;;
	-) [ "$present" = 8 ] || bad+=" $n:unsaved-kept($present)" ;;
	*) bad+=" $n:$rec/$present" ;;
	esac
	kill9_fs
done
[ "$total" = $((LAST - FIRST + 1)) ]
tap_ok $? "the online's 56-byte allocations $FIRST-$LAST failed in turn ($total)"
is "${bad:- none}" " none" "... each plug saved with every block of vm0's range in its record, or undone unsaved"
done_testing
