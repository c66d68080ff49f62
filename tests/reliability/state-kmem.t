#!/bin/bash
# The kernel's own allocations (engine/kmem.c: slab, page tables, the
# zones' pagesets) come back at their very pages after a restart on the
# state file (its "kmem", each record carrying what changed), after
# kill -9 too: a Normal block they pinned refuses offline again and
# `hotmemctl explain` names the same pages.  usereye9 F1: it offlined
# after the restore, its kernel pages allocated anew elsewhere.  A file
# from before "kmem" restores as before (made anew), and the restore line
# says so.
. "$(dirname "$0")/lib.sh"
require_env
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
# the default kernel_alloc: the kernel allocates for itself
OPTS=(--profile qemu-512m)
# the DIMM's blocks as explain shows them (every page that stops an
# offline, the kernel's named by their allocating function; not its
# "zone:" line, how the block was onlined: `online` before, the restore's
# online_kernel after), and the kernel's pages as meminfo counts them
explained() {
	local b
	for b in $(seq 32 39); do
		echo "== memory$b"
		ctl explain "$b" --all | grep -v '^zone: '
	done
	grep -E '^(MemFree|Slab|SReclaimable|SUnreclaim|KernelStack|PageTables|Percpu):' \
		"$MNT/proc/meminfo"
}
restore_line() { grep "restored the machine from" "$TMP/hotmemfs.log" | tail -1; }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc default) with a fresh state file"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null
tap_ok $? "a 1G DIMM, memory32-39"
echo online_movable >"$M/memory32/state" && echo online >"$M/memory33/state"
tap_ok $? "memory32 online_movable, memory33 online (ZONE_NORMAL's first memory)"
# a record carries what the kernel's allocations did, not the whole list
rec=$(journal_text | tail -1)
[[ "$rec" == *'"kmem":{"rng":'*'"ops":[['* && "$rec" != *'"allocs"'* ]]
tap_ok $? "the online's record carries the kernel allocations' changes (\"ops\"), not their list"
is "$(W "$M/memory33/state" offline)" "EBUSY" "memory33 refuses offline (EBUSY)"
before=$(explained)
grep -q setup_zone_pageset <<<"$(ctl explain 33 --all)"
tap_ok $? "... explain 33 names the kernel's pages (setup_zone_pageset)"

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after kill -9"
line=$(restore_line)
[[ "$line" == *"; the kernel's own allocations (slab, page tables, pagesets) are back at their pages" ]]
tap_ok $? "the restore line says the kernel's allocations are back at their pages: ${line#*not saved}"
same_text "$(explained)" "$before" "... explain and meminfo show the same kernel pages as before the kill"
is "$(W "$M/memory33/state" offline)" "EBUSY" "... memory33 refuses offline again (EBUSY)"

# the refused offline moved the kernel's allocations (a tick, other
# processes' work): a record of their own, so the clean restart has them too
before=$(explained)
stop_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after a clean stop"
same_text "$(explained)" "$before" "... the same kernel pages as before the stop"
is "$(W "$M/memory33/state" offline)" "EBUSY" "... memory33 refuses offline (EBUSY)"

# a file from before "kmem" (written whole at the clean stop)
stop_fs
state_drop_key kmem
start_fs_netns "${OPTS[@]}"
tap_ok $? "a state file from before \"kmem\" restores"
line=$(restore_line)
[[ "$line" == *"; the kernel's own allocations (slab, page tables, pagesets) are made anew and may land in other blocks (the state file is from before they were saved): which Normal blocks can go offline may change" ]]
tap_ok $? "... saying the kernel's allocations are made anew: ${line#*not saved}"
is "$(cat "$M/memory32/state") $(cat "$M/memory33/state")" "online online" \
	"... memory32 and memory33 online"
stop_fs
python3 -c 'import json,sys; sys.exit("kmem" not in json.load(open(sys.argv[1]))["machine"])' "$STATE"
tap_ok $? "... and its next save has them"
done_testing
