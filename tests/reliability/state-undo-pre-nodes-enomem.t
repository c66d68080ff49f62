#!/bin/bash
# state-undo-pre-nodes.t's machine, and the engine's snapshot of the
# marks not made (ENOMEM, alloc_shim) when a one-block change's journal
# write fails: the undo's offline sets the marks up from the managed
# pages of now, which are not the marks of before.  Only the change's
# C-value @pre (state.c struct hmfs_pre_nodes, rendered by
# hmfs_state_pre_whole()) knows those, and hotmemfs freezes rather than
# call the change undone.  With hmfs_state_pre_whole() rendering the
# @pre's "params" without the nodes' keys (params_same() then skips
# "watermarks": params42's "pre" made whole as a no-op) checks 9 and 10
# fail: "the memoryN/state was undone", not frozen (checked by hand;
# params42 found no test that did).
set -u
. "$(dirname "$0")/lib.sh"
require_sync_fail
require_preload_shim alloc_shim
struct_size WMARK_SNAPSHOT hm_wmark_state hm_node_wmarks
export HOTMEM_TEST_JOURNAL_WRITE_FAIL=$TMP/wfail HOTMEM_TEST_ALLOC_FAIL=$TMP/calloc
# every zone's marks, boost, protection, pagesets' limits and stats threshold
marks() {
	grep -E '^Node|^        (boost|min|low|high|promo|managed|protection)|^              (batch|high_min|high_max)|threshold' \
		"$MNT/proc/zoneinfo"
}
# refused_online WHY: memory33 online_movable, its journal write failing
refused_online() {
	: >"$TMP/wfail"
	echo online_movable >"$M/memory33/state" 2>"$TMP/write.err"
	tap_ok $((! $?)) "memory33 online_movable is refused, $1: $(cat "$TMP/write.err")"
	rm -f "$TMP/wfail"
}

LD_PRELOAD="$SHIM $TMP/alloc_shim.so" start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file (write and alloc shims)"
vm0_to_memory33

# the engine's snapshot not made: the marks of before only in the C-value @pre
# hotmem_wmark_save()'s calloc(1, sizeof(struct hm_wmark_state) + one
# possible node's struct hm_node_wmarks): qemu-512m; the change's first of
# that size (hmfs_state_prepare()), the sizes read from the build (584 by
# hand went stale at cb768ccb: checks 7-10 failed)
echo "calloc 1 1 $WMARK_SNAPSHOT" >"$TMP/calloc"
m=$(marks)
refused_online "the marks' snapshot not made, its journal write failing"
[ ! -e "$TMP/calloc" ]
tap_ok $? "... the engine's snapshot of the marks was not made (the shim's file taken)"
[ "$(marks)" != "$m" ]
tap_ok $? "... the undo's offline set the marks up from the managed pages of now"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $? "... hotmemfs is frozen: the machine differs from the file"
grep -q "was undone" "$TMP/hotmemfs.log" "$TMP/write.err"
tap_ok $((! $?)) "... nobody is told it was undone"
stop_fs
done_testing
