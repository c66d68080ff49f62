#!/bin/bash
# A save that runs out of memory while it lists what the nodes keep
# (chmod, chown, times, xattrs: "iattrs", iattr.c iattr_snapshot())
# fails: it never saves an empty list, which dropped every acknowledged
# chmod on the next start.  A change whose record fails so is undone (the
# writer gets ENOMEM, the machine as before); `hotmemctl save` fails,
# the journal keeping every record.  After kill -9 the chmods are back.
# The failure is certain, not a guess at which allocation runs out:
# alloc_shim.so (built here) fails the snapshot's calloc(entries + 1,
# sizeof(struct iattr_snap)) once.  The engine's `hotmemctl fail-nth-alloc`
# reaches only the engine's allocations, not hotmemfs's.
. "$(dirname "$0")/lib.sh"
require_env
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/calloc
# a change with a record of its own: online_policy (auto_online_blocks,
# which this test wrote before, is journaled lock-free since abuse27 F5)
A=$MNT/sys/module/memory_hotplug/parameters/online_policy
FILES=()
for b in 0 1 2 3; do FILES+=("$M/memory$b/state" "$M/memory$b/online"); done
FILES+=("$M/memory0/valid_zones" "$M/memory1/valid_zones")
modes() { stat -c %a "${FILES[@]}" | sort | uniq -c | xargs; }
# the snapshot's calloc(): ten entries, online_policy's (the times of
# the `>` below: its truncate's, in memory alone) and the one past them, 16
# bytes each (64-bit)
fail_snapshot() { echo "calloc 1 $((${#FILES[@]} + 2)) 16" >"$TMP/calloc"; }
failed_saves() { grep -c "saving state to $1: Cannot allocate memory" "$TMP/hotmemfs.log"; }

LD_PRELOAD=$TMP/alloc_shim.so start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file (alloc_shim.so)"
chmod 600 "${FILES[@]}"
is "$(modes)" "${#FILES[@]} 600" "ten files chmod 600 (acknowledged: journal records)"
ctl save >/dev/null
tap_ok $? "hotmemctl save: the state file holds them"
before=$(cat "$A")

# 1. a change's record ("set") made while the snapshot's calloc() fails
fail_snapshot
echo auto-movable >"$A" 2>"$TMP/write.err"
tap_ok $((! $?)) "online_policy auto-movable whose save runs out of memory is refused: $(cat "$TMP/write.err")"
[ ! -e "$TMP/calloc" ]
tap_ok $? "... the snapshot's calloc() failed (the shim's file taken)"
is "$(cat "$A")" "$before" "... undone: online_policy $before"
is "$(failed_saves "$STATE.journal")" 1 "... the log says: saving state to $STATE.journal: Cannot allocate memory"

# 2. a whole-file save (the one a compaction makes) while it fails
fail_snapshot
ctl save >/dev/null 2>"$TMP/save.err"
tap_ok $((! $?)) "hotmemctl save whose snapshot runs out of memory fails: $(cat "$TMP/save.err")"
[ ! -e "$TMP/calloc" ]
tap_ok $? "... the snapshot's calloc() failed"
is "$(failed_saves "$STATE")" 1 "... the log says: saving state to $STATE: Cannot allocate memory"
is "$(modes)" "${#FILES[@]} 600" "... the ten chmods still there"
is "$(grep -c "takes no more changes" "$TMP/hotmemfs.log")" 0 "hotmemfs is not frozen"

kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(modes)" "${#FILES[@]} 600" "... the ten chmods kept"
is "$(cat "$A")" "$before" "... online_policy $before (the refused write left nothing)"
ctl save >/dev/null
tap_ok $? "hotmemctl save works (no shim)"
done_testing
