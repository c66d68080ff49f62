#!/bin/bash
# A boot block onlined into another zone than boot put it in comes back
# in that zone after kill -9 + restart, with the kernel's allocations the
# online made (its pagesets) in it: abuse25b C8.  numa2's memory8, node
# 1's first boot block, offlined (node 1's DMA32 shrinks to 9-15), then
# onlined into ZONE_NORMAL (6.12 default_kernel_zone_for_pfn(): DMA32 no
# longer spans it).  The restore took the kernel's allocations in boot
# memory back before it moved memory8 to its zone, so the page the first
# online into the empty Normal zone allocated for its pagesets pinned
# memory8 in DMA32 (its offline EBUSY), and the restore line said it
# restored the machine.  Node 1 has CPUs (cpu_nodes = 0-1: the host's
# second CPU): 6.12's alloc_percpu() takes each CPU's unit on its node's
# zonelist (abuse29a N1), CPU 1's is node 1's new Normal zone's.
. "$(dirname "$0")/lib.sh"
require_env
[ "$(nproc --all)" -ge 2 ] ||
	need_whole_skip "one host CPU: numa2's node 1 would have none (cpu_nodes = 0-1)"
printf 'profile = numa2\ncpu_nodes = 0-1\n' >"$TMP/numa2-cpus.profile"
OPTS=(--profile "$TMP/numa2-cpus.profile" -n none)
restore_line() { grep "restored the machine from" "$TMP/hotmemfs.log" | tail -1; }

start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts numa2, CPUs on nodes 0-1 (kernel_alloc default), with a fresh state file"
# CPU 1's work lands in node 1's lowest memory (its zonelist's first
# free pages: abuse29a N8), so memory8 no longer goes offline by a
# write; the state file says it is offline instead, which the boot
# applies before the kernel allocates anything
stop_fs
state_machine_edit '
r = next(r for r in m["blocks"] if r["first"] <= 8 < r["first"] + r["count"])
i, end = m["blocks"].index(r), r["first"] + r["count"]
m["blocks"][i:i + 1] = ([{**r, "count": 8 - r["first"]}] if r["first"] < 8 else []) + \
	[{**r, "first": 8, "count": 1, "state": "offline"}] + \
	([{**r, "first": 9, "count": end - 9}] if end > 9 else [])'
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file with memory8 (node 1's first boot block) offline"
is "$(cat "$M/memory8/state") $(cat "$M/memory8/valid_zones")" "offline Normal Movable" \
	"... memory8 offline, valid_zones Normal Movable"
echo online >"$M/memory8/state"
tap_ok $? "memory8 onlines (\`online\`)"
is "$(cat "$M/memory8/valid_zones")" "Normal" "... into ZONE_NORMAL"
before=$(ctl explain 8 --all)
grep -q setup_zone_pageset <<<"$before"
tap_ok $? "... explain 8 names the pagesets the empty Normal zone's first online allocated"

kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on the state file after the second kill -9"
is "$(cat "$M/memory8/state") $(cat "$M/memory8/valid_zones")" "online Normal" \
	"... memory8 online in ZONE_NORMAL again"
same_text "$(ctl explain 8 --all)" "$before" "... explain 8 as before the kill: the same pages, in Normal"
grep -q "restore: memory8" "$TMP/hotmemfs.log"
tap_ok $((!$?)) "... the restore has no complaint about memory8"
line=$(restore_line)
[[ "$line" == *"the kernel's own allocations (slab, page tables, pagesets) are back at their pages" ]]
tap_ok $? "... the restore line: the kernel's allocations back at their pages"
[[ "$line" != *"ONLY IN PART"* ]]
tap_ok $? "... and no word of a partial restore"

# a block the restore cannot put back (memory0 holds boot's own
# allocations: its offline is EBUSY) makes the restore line say so
stop_fs
state_machine_edit '
r = next(r for r in m["blocks"] if r["first"] == 0)
r["count"] -= 1
r["first"] = 1
m["blocks"].insert(0, {**r, "first": 0, "count": 1, "state": "offline"})'
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart on a state file that has memory0 offline"
is "$(cat "$M/memory0/state")" "online" "... memory0 stays online (boot's own pages in it)"
line=$(restore_line)
[[ "$line" == *" ONLY IN PART: "*"; 1 block (memory0 first) could not be put back in the saved state and zone (named above)" ]]
tap_ok $? "... the restore line says the restore is partial: ${line#*not saved}"
done_testing
