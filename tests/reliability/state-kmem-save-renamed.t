#!/bin/bash
# reread21 H8 (80fe76ed, which had no test): a whole save that fails
# after its rename (the directory's fsync()) keeps "based": the new file
# is the file a restart reads, and the next record's first entries, which
# that file holds already, are skipped onto it.  Counted as a file not
# written, the next record went without "based" and a restart replayed
# them onto the file that held them: a free of a pfn the kernel allocated
# again after it moved that allocation to the list's end.
# "based" is non-zero only for log entries no record carried when the
# save took its snapshot: here the ticks of offlines refused (hotmemctl
# inject EBUSY) on a full disk, whose own kmem records could not be
# written (ENOSPC: no undo, the log keeps them).  sync_shim.so fails the
# save's directory fsync() once (HOTMEM_TEST_DIRSYNC).  The list's order
# is what the engine's next ticks read (a random index), and only a whole
# save shows it: the renamed file and the journal are copied aside, a
# whole save writes the engine's list, then after kill -9 the copies are
# put back, and the restart's replay must give the same list.  With
# kmem_base_lost() clearing "based" after the rename again (80fe76ed
# reverted) check 12 fails (1 of 13), 3 runs of 3.
. "$(dirname "$0")/lib.sh"
require_env
require_shim
export HOTMEM_TEST_DIRSYNC=$TMP/dirsync
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=heavy)
start() { LD_PRELOAD=$SHIM start_fs_netns "${OPTS[@]}" "$@"; }
kmem_list() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["machine"]["kmem"]["allocs"]))' "$1"; }
nospace() { grep -c "saving state to $STATE.journal: No space left on device" "$TMP/hotmemfs.log"; }

state_on_small_tmpfs hmtest-h8 1m
: >"$TMP/dirsync"
start --fresh
tap_ok $? "hotmemfs mounts qemu-512m (kernel_alloc heavy), its state file on a 1M tmpfs (sync_shim.so)"
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null && echo online >"$M/memory34/state"
tap_ok $? "a 1G DIMM, memory34 online (ZONE_NORMAL: the kernel's allocations land there too)"
full_no_undo
before=$(nospace)
for ((i = 0; i < 20; i++)); do echo offline >"$M/memory34/state" 2>/dev/null; done
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
[ "$(nospace)" -gt "$before" ]
tap_ok $? "memory34's offlines refused: their ticks' records cannot be written ($(($(nospace) - before)) ENOSPC)"
rm -f "$SD/fill" "$SD/fill2"
printf x >"$TMP/dirsync"
ctl save >/dev/null 2>&1
tap_ok $((! $?)) "hotmemctl save fails after its rename: the directory's fsync() (sync_shim.so)"
[ ! -s "$TMP/dirsync" ]
tap_ok $? "... the shim's failure taken"
echo online >"$M/memory35/state"
tap_ok $? "memory35 online: the next record carries the log's entries the save held"
mkdir -p "$TMP/aside"
cp "$STATE" "$STATE.journal" "$TMP/aside/"
ctl save >/dev/null
tap_ok $? "the renamed file and the journal copied aside; a whole save: the engine's list"
truth=$(kmem_list "$STATE")
kill9_fs
cp "$TMP/aside/"* "$SD/"
start
tap_ok $? "kill -9, restart from the copies: the renamed file and the journal"
ctl save >/dev/null
tap_ok $? "... a whole save: the list as the restart replayed it"
is "$(kmem_list "$STATE")" "$truth" "... the kernel's allocations in the engine's order"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
