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
# bad_run EDIT RUN VIEW-NAME ASTRAY ASTRAY-NAME: the saved file ($TMP/state)
# with EDIT (a RUN ["a", 1, 4711] added), restarted: the machine as
# running (VIEW-NAME), no page said astray (ASTRAY, the log's; ASTRAY-NAME),
# the run left out and said so
bad_run() {
	local from
	cp "$TMP/state" "$STATE"
	state_machine_edit "$1"
	from=$(log_end)
	start_fs_netns "${OPTS[@]}"
	tap_ok $? "restart on a file with a $2 [\"a\", 1, 4711]"
	same_text "$(view)" "$before" "$3"
	is "$(said "$from" "$4")" 0 "$5"
	is "$(said "$from" "$2 malformed: left out")" 1 "... the run left out, and said"
}

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
bad_run 'next(e for e in m["memmap"] if len(e) == 3)[2].append(["a", 1, 4711])' '"memmap" moved run' \
	"... MemFree, buddyinfo and the memmap counts as running (the run not read as index 0)" \
	'memmap page.* not back' "... no memmap page said astray"

# a heads run ["a", 1, 4711]
stop_fs
bad_run 'm["hugetlb"][0]["heads"].append(["a", 1, 4711])' '"heads" run' \
	"... MemFree, buddyinfo and the memmap counts as running" \
	'HugeTLB head vmemmap page.* not back' "... no head page said astray (pfn 0 not asked)"
ctl check >/dev/null
tap_ok $? "... invariants hold"
stop_fs
done_testing
