#!/bin/bash
# A failed save's undo takes back the kernel allocations its change made
# (engine/kmem.c's log rewound, hotmem_kmem_log_rewind()): memory33's
# online -- the first ZONE_NORMAL block -- gets the zone's pagesets and a
# tick's slab and page tables; its fdatasync() failing, the undo offlined
# it with those pages still there: EBUSY, and hotmemfs took no more
# changes.  Now the undo frees what the change allocated and allocates
# again what it freed, at the same pages, so memory33 goes offline, the
# machine reads as before, and the state file's list (written whole
# after the rollback) is the engine's: a restart shows the same pages.
# The same when the record cannot even be written (ENOSPC): the undo
# machine.c's unsaved() does at once.
. "$(dirname "$0")/lib.sh"
require_sync_fail
OPTS=(--profile qemu-512m)
frozen() { grep -c "takes no more changes" "$TMP/hotmemfs.log"; }

LD_PRELOAD=$SHIM start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc default) with a fresh state file"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online_movable >"$M/memory32/state"
tap_ok $? "a 1G DIMM, memory32 online_movable"
EXPECT=$(snapshot)
before=$(kernel_pages --memfree 0 1 2 3 33)
: >"$TMP/fail"
echo online >"$M/memory33/state" 2>/dev/null
tap_ok $((! $?)) "memory33's online (ZONE_NORMAL's first memory) is refused, its fdatasync() failing"
rm "$TMP/fail"
is "$(frozen)" 0 "... its undo is done: hotmemfs is not frozen"
! grep -q "could not be undone" "$TMP/hotmemfs.log"
tap_ok $? "... no undo refused (the offline was not EBUSY)"
is "$(cat "$M/memory33/state")" offline "... memory33 offline again"
same_text "$(snapshot)" "$EXPECT" "... the machine as before the online"
same_text "$(kernel_pages --memfree 0 1 2 3 33)" "$before" "... the kernel's pages too: the change's allocations taken back"
echo online >"$M/memory33/state"
tap_ok $? "the next online of memory33 is taken"
# A refused device_add: the DIMM's memmaps come from system RAM, unmovable
# order-9 allocations, which claim a movable free block when no unmovable
# one is left (6.12 steal_suitable_fallback()).  Its undo removes the DIMM
# and gives the claims back: /proc/pagetypeinfo byte for byte as before.
unmovable_blocks() { awk '/^Number of blocks type/ { b = 1; next } b && /^Node/ { n += $5 } END { print n + 0 }' "$MNT/proc/pagetypeinfo"; }
PTI=$(cat "$MNT/proc/pagetypeinfo")
ub=$(unmovable_blocks)
EXPECT=$(snapshot)
: >"$TMP/fail"
ctl device_add pc-dimm size=1G id=dimm2 >/dev/null 2>&1
tap_ok $((! $?)) "a second 1G DIMM's device_add is refused, its fdatasync() failing"
rm "$TMP/fail"
is "$(frozen)" 0 "... undone: hotmemfs is not frozen"
same_text "$(snapshot)" "$EXPECT" "... the machine as before the device_add"
same_text "$(cat "$MNT/proc/pagetypeinfo")" "$PTI" "... /proc/pagetypeinfo byte for byte as before: the memmaps' claims given back"
ctl device_add pc-dimm size=1G id=dimm2 >/dev/null
tap_ok $? "the device_add again, taken"
[ "$(unmovable_blocks)" -gt "$ub" ]
tap_ok $? "... its memmaps claimed pageblocks ($ub unmovable before, $(unmovable_blocks) now): what the undo above gave back"
before=$(kernel_pages --memfree 0 1 2 3 33)
kill9_fs
LD_PRELOAD=$SHIM start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(kernel_pages --memfree 0 1 2 3 33)" "$before" "... the same kernel pages: the file's list is the engine's"

# 2. the record not written: the disk full
state_on_small_tmpfs hmkmemundo
start_fs_netns "${OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file on a 256k tmpfs"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null
tap_ok $? "a 1G DIMM"
fill_sd
for ((n = 0; n < 200; n++)); do
	echo online_movable >"$M/memory32/state" 2>/dev/null || break
	echo offline >"$M/memory32/state" 2>/dev/null || break
done
# which of the pair was refused (memory32 left offline or online_movable)
# is the journal's last bytes' against the two records' sizes: either will
# do, memory33's online below goes to ZONE_NORMAL both ways (reread21 H2)
[ "$n" -lt 200 ]
tap_ok $? "the journal is full (a change refused after $n pairs), memory32 $(cat "$M/memory32/state")"
EXPECT=$(snapshot)
before=$(kernel_pages --memfree 0 1 2 3 33)
out=$(echo online 2>&1 >"$M/memory33/state")
tap_ok $((! $?)) "memory33's online is refused, its record not written: ${out##*: }"
is "$(frozen)" 0 "... undone: hotmemfs is not frozen"
same_text "$(snapshot)" "$EXPECT" "... the machine as before the online"
same_text "$(kernel_pages --memfree 0 1 2 3 33)" "$before" "... the kernel's pages too"
rm -f "$SD/fill" "$SD/fill2"
echo online >"$M/memory33/state"
tap_ok $? "with room again, memory33's online is taken"
before=$(kernel_pages --memfree 0 1 2 3 33)
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(kernel_pages --memfree 0 1 2 3 33)" "$before" "... the same kernel pages"
done_testing
