#!/bin/bash
# A "memmap" moved run or a HugeTLB "heads" run of the state file whose
# numbers are no integers of 0 or more is left out and said at the
# restart: the machine as with the run absent.  Before (review44 F9) the
# restore read ["a", 1, 4711] as [0, 1, 4711] (json_object_get_uint64()
# of a string is 0): a memmap run moved vmemmap page 0 of its section to
# pfn 4711, a heads run asked pfn 0's head page to move; either moved a
# page the running machine had elsewhere or was said astray.  Checks
# 6-8, 11 and 12 fail without the fix.  The machine is
# tests/fusefs/455's: HVO's pool over a shrunk virtio-mem device, whose
# file has both kinds of run.
. "$(dirname "$0")/lib.sh"
require_env
OPTS=(--profile qemu-512m)
view() {
	grep -h MemFree "$MNT"/sys/devices/system/node/node*/meminfo
	cat "$MNT/proc/buddyinfo"
	memmap_counts
}
# the log's lines from line $1 on matching $2
said() { tail -n +"$1" "$TMP/hotmemfs.log" | grep -c -- "$2"; }
log_end() { echo $(($(wc -l <"$TMP/hotmemfs.log") + 1)); }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
hvo_pool_over_shrunk_vm0 "vm0 300M, nr_hugepages <- 50 with HVO on" \
	"vm0 shrinks to 100M, the pool keeps its 50"
before=$(view)
stop_fs
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["machine"]
sys.exit(not (any(len(e) == 3 for e in m["memmap"]) and m["hugetlb"][0]["heads"]))' "$STATE"
tap_ok $? "its state file has \"memmap\" moved runs and \"heads\" runs"
cp "$STATE" "$TMP/state"

# a memmap moved run ["a", 1, 4711], added to the first entry with runs
state_machine_edit 'next(e for e in m["memmap"] if len(e) == 3)[2].append(["a", 1, 4711])'
from=$(log_end)
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on a file with a \"memmap\" moved run [\"a\", 1, 4711]"
same_text "$(view)" "$before" "... MemFree, buddyinfo and the memmap counts as running (the run not read as index 0)"
is "$(said "$from" 'memmap page.* not back')" 0 "... no memmap page said astray"
is "$(said "$from" '"memmap" moved run malformed: left out')" 1 "... the run left out, and said"

# a heads run ["a", 1, 4711]
stop_fs
cp "$TMP/state" "$STATE"
state_machine_edit 'm["hugetlb"][0]["heads"].append(["a", 1, 4711])'
from=$(log_end)
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on a file with a \"heads\" run [\"a\", 1, 4711]"
same_text "$(view)" "$before" "... MemFree, buddyinfo and the memmap counts as running"
is "$(said "$from" 'HugeTLB head vmemmap page.* not back')" 0 "... no head page said astray (pfn 0 not asked)"
is "$(said "$from" '"heads" run malformed: left out')" 1 "... the run left out, and said"
ctl check >/dev/null
tap_ok $? "... invariants hold"
stop_fs
done_testing
