#!/bin/bash
# The state file's own syncs failing at the worst moments (sync_shim.so:
# a directory's fsync() failed on demand, a whole-file save held in its
# fsync(), the journal's fdatasync() failed): a change the client is told
# failed is gone after a restart too, and an undo does not freeze
# hotmemfs where it can put the machine back.
#   1. a whole-file save fails after its rename (the directory's fsync):
#      the undo of the change is saved, the file does not keep the change;
#      when that save fails too, hotmemfs takes no more changes, saying
#      that the change may come back with a restart (not that it could
#      not be undone: it was);
#   2. a journal rotated by a background compaction whose directory
#      fsync() failed, then an fdatasync() failing: the rollback cuts the
#      new journal at its own last durable record (not at an offset of
#      the old journal, padding it with NULs and keeping the undone one);
#   3. an online after which the virtio-mem driver plugs more, its
#      fdatasync() failing: the driver's plugging is undone too, and
#      hotmemfs takes the next change;
#   4. a rollback whose cut of the journal fails too (ftruncate()
#      refused): the undone record is zeroed instead (the log says
#      ftruncate()'s error), and the state file
#      written after the undo holds its seq, so a restart never replays
#      it, and the records after it go on from there.
. "$(dirname "$0")/lib.sh"
require_sync_fail
# the shim's other controls, files in $TMP made and removed below
export HOTMEM_TEST_DIRSYNC=$TMP/dirsync HOTMEM_TEST_FSYNC_HOLD=$TMP/hold HOTMEM_TEST_TRUNC_FAIL=$TMP/trunc
start() { LD_PRELOAD=$SHIM start_fs_netns "$@"; }
has_dimm() { python3 -c 'import json,sys; print(any(d["id"] == "d1" for d in json.load(open(sys.argv[1]))["machine"]["devices"]))' "$STATE"; }

# refused_add N: a fresh start, the state file's directory fsync() failing
# N times (the startup save's, the device_add's, ...): a device_add is
# refused and undone
refused_add() {
	printf "%$1s" "" | tr ' ' x >"$TMP/dirsync"
	start "${STATE_OPTS[@]}" --fresh
	tap_ok $? "hotmemfs mounts qemu-512m afresh, the state file's directory fsync() failing $1 times"
	EXPECT=$(snapshot)
	out=$(ctl device_add pc-dimm id=d1 size=128M 2>&1)
	tap_ok $((! $?)) "device_add is refused: ${out#hotmemctl: error: }"
	same_text "$(snapshot)" "$EXPECT" "... and undone"
}

# 1. the startup save and the device_add's save fail after their rename
refused_add 2
is "$(has_dimm)" False "the state file does not hold the DIMM (its undo was saved over it)"
kill9_fs
start "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... no DIMM: the refused device_add stays undone"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "device_add is taken once the syncs work"
stop_fs
refused_add 3
grep -q "takes no more changes: saving the state file .* failed (Input/output error) and may have reached it, and so did writing it whole after the undo (Input/output error): a restart may bring the change back" "$TMP/hotmemfs.log"
tap_ok $? "... its undo cannot be saved over the file: hotmemfs takes no more changes, and says why"
ctl device_add pc-dimm id=d1 size=128M >/dev/null 2>&1
tap_ok $((! $?)) "... the next device_add is refused"
kill9_fs

# 2. a rotated journal's name not synced, then a rollback
: >"$TMP/dirsync"
start "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m afresh"
ctl device_add pc-dimm id=d1 size=1G >/dev/null
tap_ok $? "a 1G DIMM: memory32-39"
: >"$TMP/hold"
flips 20000 32 "$TMP/hold.held" >/dev/null
[ -e "$TMP/hold.held" ]
tap_ok $? "past 256 KiB of journal, a background compaction is held in the state file's fsync()"
seq0=$(state_seq)
flips 1 33 >/dev/null && flips 1 34 >/dev/null
tap_ok $? "two changes acknowledged meanwhile (durable in the journal, after the snapshot)"
# the state file's directory sync passes, the new journal's fails
printf .x >"$TMP/dirsync"
rm "$TMP/hold"
for _ in $(seq 200); do
	[ ! -s "$TMP/dirsync" ] && [ ! -e "$TMP/hold.held" ] && [ "$(state_seq)" != "$seq0" ] && break
	sleep 0.05
done
is "$(wc -c <"$TMP/dirsync")" 0 "the compaction rotated the journal, its directory fsync() failing"
jlen=$(stat -c %s "$STATE.journal")
[ "$jlen" -lt 4096 ]
tap_ok $? "... the new journal holds the two changes ($jlen bytes)"
EXPECT=$(snapshot)
# the rollback's whole-file save fails too (PATH.tmp taken): only the journal says what counts
: >"$TMP/fail"
: >"$STATE.tmp"
echo online_movable >"$M/memory35/state" 2>/dev/null
tap_ok $((! $?)) "a change whose fdatasync() fails is refused"
# (j=... &&: a journal that cannot be read has no count, not 0)
is "$(j=$(journal_text) && grep -c '"first":35' <<<"$j")" 0 "... the rollback cut its record from the journal"
python3 -c 'import sys; sys.exit(b"\0" in open(sys.argv[1], "rb").read().rstrip(b"\0"))' "$STATE.journal"
tap_ok $? "... where the journal's own records end: no NUL among them ($(stat -c %s "$STATE.journal") bytes)"
kill9_fs
rm -f "$TMP/fail" "$STATE.tmp"
start "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... every acknowledged change, not the refused one"
stop_fs

# 3. the virtio-mem driver's plugging after an online that is not saved
start --profile default --cmdline hotmem.kernel_alloc=off --fresh
tap_ok $? "hotmemfs mounts the default profile"
ctl device_add virtio-mem-pci id=vm0 size=4G requested-size=1536M >/dev/null
plugged() { ctl --json status | python3 -c 'import json,sys; print([d["plugged-size"] for d in json.load(sys.stdin)["devices"] if d["id"] == "vm0"][0])'; }
is "$(plugged)" $((1 << 30)) "virtio-mem vm0 requested 1.5G: 1G plugged, the driver waits for onlines"
# 6.12's MEM_ONLINE notifier queues the driver's work once half its
# offline_threshold (1G) is online: memory32's online below is the fourth
for b in 33 34 35; do echo online_movable >"$M/memory$b/state" || break; done
is "$(plugged)" $((1 << 30)) "memory33-35 online: 640M still offline, no work queued"
EXPECT=$(snapshot)
saves0=$(status_field state-saves) errors0=$(status_field state-save-errors)
: >"$TMP/fail"
echo online_movable >"$M/memory32/state" 2>/dev/null
tap_ok $((! $?)) "memory32's online is refused, its fdatasync() failing"
same_text "$(snapshot)" "$EXPECT" "... memory32 offline, vm0 plugged as before: the driver's plugging undone too"
is "$(( $(status_field state-saves) - saves0 )) $(( $(status_field state-save-errors) - errors0 ))" \
	"0 2" "... the online's and the driver's records counted as save errors, not saves"
rm "$TMP/fail"
echo online_movable >"$M/memory32/state"
tap_ok $? "the next online is taken (hotmemfs is not frozen)"
is "$(plugged)" $((1536 << 20)) "... and the driver plugs up to requested-size"
EXPECT=$(snapshot)
kill9_fs
start --profile default --cmdline hotmem.kernel_alloc=off
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs

# 4. the rollback's cut refused
start "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m afresh"
ctl device_add pc-dimm id=d1 size=256M >/dev/null && flips 3 33 >/dev/null
tap_ok $? "a 256M DIMM, memory33 flipped three times (acknowledged)"
EXPECT=$(snapshot)
: >"$TMP/fail"
: >"$TMP/trunc"
echo online_movable >"$M/memory32/state" 2>/dev/null
tap_ok $((! $?)) "memory32's online is refused: its fdatasync() fails, and so does every ftruncate()"
same_text "$(snapshot)" "$EXPECT" "... and undone"
is "$(j=$(journal_text) && grep -c '"run":{"first":32,' <<<"$j")" 0 "... its record zeroed in the journal, the cut having failed"
grep -q "journal: truncating it to [0-9]* bytes failed: Input/output error; its [0-9]* bytes from there on overwritten with zeros instead" "$TMP/hotmemfs.log"
tap_ok $? "... the log says ftruncate()'s error: $(grep -o 'truncating it to.*' "$TMP/hotmemfs.log" | head -1)"
kill9_fs
rm -f "$TMP/fail" "$TMP/trunc"
start "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... memory32 offline: the refused online is not replayed"
echo online_movable >"$M/memory32/state"
tap_ok $? "memory32's online is taken once the syncs work"
EXPECT=$(snapshot)
kill9_fs
start "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... memory32 online: the journal goes on after the seq the undo's save took"
done_testing
