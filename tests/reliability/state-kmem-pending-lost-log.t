#!/bin/bash
# Two changes waiting for one fdatasync() of the state file's journal,
# each prepared with a mark of the kernel's allocations' log: memory33's
# online (ZONE_NORMAL's first memory: the zone's pagesets and a tick's
# slab land in it) lost the log (its first growth refused: its record
# carried the list whole and dropped it), then memory34's online_movable
# appended its record behind it.  The fdatasync fails and the rollback
# undoes memory34's change (rewound from the log), then memory33's, which
# needs the list as its own mark found it.  The engine kept one copy,
# the last mark's: memory34's took its place, memory33's rewind was
# refused (EOVERFLOW), its pagesets stayed, its offline was refused
# (EBUSY) and hotmemfs took no more changes.  Now each mark keeps its
# copy until the records before it are durable (engine/kmem_copy.c):
# both changes are undone, the machine and the kernel's pages as before,
# and a restart after kill -9 shows the same.  alloc_shim.so (built
# here) refuses the log's first growth, calloc(1, 64 entries x 32 bytes),
# once: a new hotmemfs's log has no room yet, the online's tick is its
# first entry.  sync_shim.so holds the first fdatasync() until the second
# record is appended (hotmemfs's state-journal-records), then fails it.
. "$(dirname "$0")/lib.sh"
require_sync_fail
require_preload_shim alloc_shim
export HOTMEM_TEST_ALLOC_FAIL=$TMP/calloc HOTMEM_TEST_SYNC_HOLD=$TMP/hold
OPTS=(--profile qemu-512m --threads 4)
start() { LD_PRELOAD="$SHIM $TMP/alloc_shim.so" start_fs_netns "${OPTS[@]}" "$@"; }
frozen() { grep -c "takes no more changes" "$TMP/hotmemfs.log"; }
records() { status_field state-journal-records; }

start --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc default) with a fresh state file and the shims"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online_movable >"$M/memory32/state"
tap_ok $? "a 1G DIMM, memory32 online_movable"
stop_fs
start
tap_ok $? "restart: a new hotmemfs, whose log of the kernel's allocations has no room yet"
EXPECT=$(snapshot)
before=$(kernel_pages --memfree 0 1 2 3 33 34)
r0=$(records)
echo "calloc 1 1 2048" >"$TMP/calloc"
: >"$TMP/hold"
: >"$TMP/fail"
echo online >"$M/memory33/state" 2>/dev/null &
W1=$!
held_wait
tap_ok $? "memory33's online waits for its fdatasync(), held"
[ ! -e "$TMP/calloc" ]
tap_ok $? "... its tick lost the log (the log's first growth refused: the shim's file taken)"
journal_text | tail -1 | grep -q '"kmem":{[^}]*"allocs"'
tap_ok $? "... its record carried the list whole"
echo online_movable >"$M/memory34/state" 2>/dev/null &
W2=$!
for _ in $(seq 200); do
	[ "$(records)" -ge $((r0 + 2)) ] && break
	sleep 0.05
done
is "$(records)" $((r0 + 2)) "memory34's online_movable appended its record behind it, waiting too"
rm "$TMP/hold"
wait_exit "$W1" 30
is $? 1 "the fdatasync() fails: memory33's online is refused"
wait_exit "$W2" 30
is $? 1 "... and memory34's online_movable"
rm -f "$TMP/fail"
grep -q "undoing the changes not yet saved" "$TMP/hotmemfs.log"
tap_ok $? "... both are rolled back"
is "$(grep -c "cannot take back the kernel's allocations" "$TMP/hotmemfs.log")" 0 \
	"... each undo takes back the kernel's allocations (memory33's from its own mark's copy)"
is "$(frozen)" 0 "... hotmemfs is not frozen"
is "$(cat "$M/memory33/state") $(cat "$M/memory34/state")" "offline offline" \
	"... memory33 and memory34 offline again"
same_text "$(snapshot)" "$EXPECT" "... the machine as before both"
same_text "$(kernel_pages --memfree 0 1 2 3 33 34)" "$before" "... the kernel's pages too"
kill9_fs
start
tap_ok $? "restart after kill -9"
same_text "$(kernel_pages --memfree 0 1 2 3 33 34)" "$before" "... the same kernel pages"
echo online >"$M/memory33/state"
tap_ok $? "memory33's online is taken now"
done_testing
