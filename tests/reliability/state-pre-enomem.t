#!/bin/bash
# A change's @pre (state.c saved_pre(): the state file's values of the
# keys it may touch, deep copies) made while json-c runs out of memory is
# none at all, and hmfs_state_pre_matches() never matches none: when the
# change's record then fails its fdatasync(), its undo has nothing to go
# back to and hotmemfs freezes (reread26 R4).  Before, saved_pre() gave a
# NULL or short @pre, whose missing keys the compare skipped: the writer
# was told "the auto_online_blocks was undone" with the value still the
# new one (checks 5 and 6 fail without the fix, checked: the undo had
# set it offline, as it does first, and nothing put "online" back).  alloc_shim.so
# fails the first json-c object's hash table after its file appears,
# calloc(JSON_OBJECT_DEF_HASH_ENTRIES 16, sizeof(struct lh_entry) 40):
# @pre's own json_object_new_object(), the first object a change's write
# makes: online_policy's (auto_online_blocks, which this test wrote
# before, is journaled lock-free since abuse27 F5, with no @pre).
. "$(dirname "$0")/lib.sh"
require_env
require_shim
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/calloc HOTMEM_TEST_SYNC_FAIL=$TMP/fail
A=$MNT/sys/module/memory_hotplug/parameters/online_policy

LD_PRELOAD="$SHIM $TMP/alloc_shim.so" start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file (sync and alloc shims)"
echo auto-movable >"$A"
before=$(cat "$A")
is "$before" auto-movable "online_policy auto-movable (acknowledged)"
echo "calloc 1 16 40" >"$TMP/calloc"
: >"$TMP/fail"
echo contig-zones >"$A" 2>"$TMP/write.err"
tap_ok $((! $?)) "online_policy contig-zones, its @pre not made and its fdatasync() failing, is refused: $(cat "$TMP/write.err")"
rm -f "$TMP/fail"
[ ! -e "$TMP/calloc" ]
tap_ok $? "... a json-c object's calloc() failed (the shim's file taken)"
grep -q "takes no more changes" "$TMP/hotmemfs.log"
tap_ok $? "... hotmemfs is frozen: nothing to tell the undo was whole"
grep -q "was undone" "$TMP/hotmemfs.log" "$TMP/write.err"
tap_ok $((! $?)) "... nobody is told it was undone (it is $(cat "$A"), was $before)"
stop_fs
done_testing
