#!/bin/bash
# A one-block change keeps "params" before it -- its nodes' marks,
# reserves, pagesets and totalreserve_pages among them -- as C values
# (state.c struct hmfs_pre_nodes: params42's ba0abf07, params43's rest),
# rendered into its @pre's "params" only for an undo
# (hmfs_state_pre_whole()), which hmfs_state_pre_matches() then compares.
# A failure after that @pre is taken -- the journal's write refused -- is
# undone, and the machine is exactly as before: every zone's marks,
# protection, pagesets' limits and vm stats threshold (/proc/zoneinfo),
# totalreserve_pages (/proc/vmstat's dirty thresholds subtract it), and
# the state file's bytes.  The setup makes an undo's own offline set them
# up from other managed pages than the last setup counted: virtio-mem
# sub-blocks plugged into an online block (virtio_mem_fake_online(), no
# setup in 6.12).  Check 9 fails without the fix: the undone online's
# offline refreshed Movable's vm stats threshold from the managed pages
# of now (6.12 init_per_zone_wmark_min(): refresh_zone_stat_thresholds()),
# 8 for 4 (restart42 left it: the engine's undo stored the pagesets'
# limits back, not it).  7 and 12 fail (frozen: the undo never matches)
# with hmfs_state_pre_whole() a no-op (the @pre's "params" stays null)
# or rendering one mark off: checked by hand.  The marks' snapshot not
# made: state-undo-pre-nodes-enomem.t.
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail
V=$MNT/proc/vmstat
# every zone's marks, boost, protection, pagesets' limits and stats threshold
marks() {
	grep -E '^Node|^        (boost|min|low|high|promo|managed|protection)|^              (batch|high_min|high_max)|threshold' \
		"$MNT/proc/zoneinfo"
}
# totalreserve_pages as the dirty thresholds subtract it (free pages stay: no kernel allocations)
dirty() { grep -E '^nr_dirty_(background_)?threshold' "$V"; }
# the state file's bytes: its records up to the journal's zeros (a cut journal is shorter)
state_bytes() { cksum <"$STATE"; tr -d '\0' <"$STATE.journal" | cksum; }
# refused_online WHY: memory33 online_movable, its journal write failing
refused_online() {
	: >"$TMP/wfail"
	echo online_movable >"$M/memory33/state" 2>"$TMP/write.err"
	tap_ok $((! $?)) "memory33 online_movable is refused, $1: $(cat "$TMP/write.err")"
	rm -f "$TMP/wfail"
}

LD_PRELOAD=$SHIM start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file (write shim)"
vm0_to_memory33

m=$(marks) d=$(dirty) s=$(state_bytes)
refused_online "its journal write failing"
grep -q "the memoryN/state was undone" "$TMP/hotmemfs.log"
tap_ok $? "... undone (the log says so)"
is "$(cat "$M/memory33/state")" offline "... memory33 offline again"
same_text "$(marks)" "$m" "... every zone's marks, protection, pagesets and stats threshold as before"
same_text "$(dirty)" "$d" "... the dirty thresholds as before (totalreserve_pages)"
same_text "$(state_bytes)" "$s" "... the state file's bytes as before"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $((! $?)) "... hotmemfs not frozen"

stop_fs
done_testing
