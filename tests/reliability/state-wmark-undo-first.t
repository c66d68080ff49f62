#!/bin/bash
# The first block change after boot refused because its save failed
# leaves /proc/zoneinfo exactly as it was (reread40 R3).  The boot's
# marks and reserves are postcore_initcall's, from the managed pages
# before the init memory is freed; the undo of a refused offline is an
# online, whose init_per_zone_wmark_min() set every zone's marks and
# reserves up from the pages of after boot: memory2's offline refused
# left DMA's min/low/high 23/28/33 for 24/30/36 and its protection 382
# for 374.  The undo stores back the engine's snapshot from before the
# change, as a failed watermark sysctl write's does
# (tests/reliability/state-wmark-undo.t).  Checks 5 and 7 fail without it.
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
# zi: node 0's DMA and DMA32 min/low/high and protection, min_free_kbytes
zi() {
	awk '/^Node/ {z = $4} (z == "DMA" || z == "DMA32") && /^        (min|low|high|protection)/ {print z, $0}' \
		"$MNT/proc/zoneinfo" | tr -s ' '
	echo "min_free_kbytes $(cat "$MNT/proc/sys/vm/min_free_kbytes")"
}

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
before=$(zi)
refused_save offline "$M/memory2/state" "memory2 offline" "... the machine as before (hotmemctl status)"
is "$(cat "$M/memory2/state")" online "... memory2 online again"
same_text "$(zi)" "$before" "... zoneinfo's marks, protection and min_free_kbytes as before"
kill9_fs
LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "kill -9, restart"
same_text "$(zi)" "$before" "... zoneinfo as the running machine showed"
done_testing
