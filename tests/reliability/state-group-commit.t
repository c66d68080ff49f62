#!/bin/bash
# Group commit of the state file's journal (#15.1): concurrent writers'
# records share one fdatasync(), and each writer hears of its change only
# once its record is durable.  A preloaded shim (sync_shim.so) makes the
# journal's fdatasync() slow (so that writers certainly meet) or fail
# (so that an acknowledgement before durability would show).  Then,
# without the shim, a burst of concurrent writers crosses the 256 KiB
# compaction threshold and hotmemfs is killed with -9: every acknowledged
# change is there after the restart, and the compaction was not lost.
. "$(dirname "$0")/lib.sh"
require_env
SHIM=$HOTMEM_BUILD/tests/reliability/sync_shim.so
[ -f "$SHIM" ] || skip_all "no $SHIM (make all)"
M=$MNT/sys/devices/system/memory
OPTS=(--profile qemu-512m --cmdline hotmem.kernel_alloc=off)
# a sanitized hotmemfs wants its runtime first; the shim has no sanitizer
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

# writers LOG ROUNDS|0: one process per block memory32-39, each flipping
# its block (offline: online_movable, else offline) ROUNDS times (0: until
# $TMP/stop), logging "try B S" before and "ack B S" after each write (or
# "err B ERRNO")
writers() {
	python3 - "$M" "$1" "$2" "$TMP/stop" <<'PY'
import os, sys
m, log, rounds, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
kids = []
for b in range(32, 40):
    pid = os.fork()
    if pid:
        kids.append(pid)
        continue
    out = open(f"{log}.{b}", "w", buffering=1)
    i = 0
    while (rounds and i < rounds) or (not rounds and not os.path.exists(stop)):
        try:
            with open(f"{m}/memory{b}/state") as f:
                want = "online_movable" if f.read().strip() == "offline" else "offline"
        except OSError:
            break  # hotmemfs was killed
        out.write(f"try {b} {want}\n")
        try:
            fd = os.open(f"{m}/memory{b}/state", os.O_WRONLY)
            try:
                os.write(fd, want.encode())
            finally:
                os.close(fd)
            out.write(f"ack {b} {want}\n")
        except OSError as e:
            out.write(f"err {b} {e.errno}\n")
            if not rounds:
                break
        i += 1
    os._exit(0)
for k in kids:
    os.waitpid(k, 0)
PY
}
status_field() { ctl --json status | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
state_seq() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("seq", 0))' "$STATE"; }

# 1. slow syncs: eight writers share them
# (as many FUSE workers as writers: each write waits in one)
HOTMEM_TEST_SYNC_DELAY_US=50000 LD_PRELOAD=$SHIM start_fs_netns "${OPTS[@]}" --threads 8 --fresh
tap_ok $? "hotmemfs mounts qemu-512m, its journal's fdatasync() taking 50 ms"
ctl device_add pc-dimm id=d1 size=1G >/dev/null
tap_ok $? "a 1G DIMM: memory32-39"
r0=$(status_field state-journal-records) s0=$(status_field state-journal-syncs)
writers "$TMP/slow" 10
acks=$(cat "$TMP"/slow.* | grep -c '^ack')
is "$acks" 80 "eight writers, ten changes each, all acknowledged"
records=$(( $(status_field state-journal-records) - r0 ))
syncs=$(( $(status_field state-journal-syncs) - s0 ))
diag "$records records, $syncs fdatasyncs"
is "$records" 80 "one journal record per change"
[ "$syncs" -ge 1 ] && [ $((syncs * 2)) -le "$records" ]
tap_ok $? "writers that came while an fdatasync ran were made durable together ($syncs syncs for $records records)"
EXPECT=$(snapshot)

# 2. failing syncs: no change is acknowledged, each is undone
: >"$TMP/fail"
kill9_fs
HOTMEM_TEST_SYNC_DELAY_US=50000 HOTMEM_TEST_SYNC_FAIL=$TMP/fail LD_PRELOAD=$SHIM \
	start_fs_netns "${OPTS[@]}" --threads 8
tap_ok $? "restart after kill -9, the journal's fdatasync() now failing (EIO)"
same_text "$(snapshot)" "$EXPECT" "... the machine of every acknowledged change"
writers "$TMP/fail" 1
is "$(cat "$TMP"/fail.* | grep -c '^ack')" 0 "no write is acknowledged while its record cannot be made durable"
is "$(cat "$TMP"/fail.* | grep -c '^err [0-9]* 5$')" 8 "... each of the eight concurrent writers gets EIO"
same_text "$(snapshot)" "$EXPECT" "... and every change was undone"
rm -f "$TMP/fail"
echo online_movable >"$M/memory32/state"
tap_ok $? "once fdatasync() works again, changes are taken"
EXPECT=$(snapshot)
kill9_fs
start_fs_netns "${OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the undone changes stayed undone, the later one is there"

# 3. a concurrent burst across the compaction threshold, killed with -9
seq0=$(state_seq)
rm -f "$TMP/stop"
writers "$TMP/burst" 0 &
wpid=$!
for _ in $(seq 1200); do
	[ "$(state_seq 2>/dev/null)" != "$seq0" ] && break
	sleep 0.05
done
sleep 0.3
seq1=$(state_seq)
[ "$seq1" -gt "$seq0" ]
tap_ok $? "the journal was compacted into the state file during the burst (seq $seq0 -> $seq1)"
jlen=$(stat -c %s "$STATE.journal")
[ "$jlen" -lt $((256 * 1024)) ]
tap_ok $? "... and emptied: $jlen bytes of journal now"
kill9_fs
touch "$TMP/stop"
wait "$wpid" 2>/dev/null
diag "$(cat "$TMP"/burst.* | grep -c '^ack') changes acknowledged in the burst"
start_fs_netns "${OPTS[@]}"
tap_ok $? "hotmemfs restarts after kill -9 in the middle of the burst"
bad=$(python3 - "$M" "$TMP/burst" <<'PY'
import sys
m, log = sys.argv[1], sys.argv[2]
def state(b):
    s = open(f"{m}/memory{b}/state").read().strip()
    if s == "offline":
        return "offline"
    z = open(f"{m}/memory{b}/valid_zones").read().strip()
    return "online_movable" if z == "Movable" else "online?"
bad = []
for b in range(32, 40):
    acked = tried = None
    for line in open(f"{log}.{b}"):
        w = line.split()
        if len(w) == 3 and w[0] == "ack":
            acked = w[2]
        elif len(w) == 3 and w[0] == "try":
            tried = w[2]
    if acked is None:
        bad.append(f"memory{b}: nothing acknowledged")
    elif state(b) not in (acked, tried):
        bad.append(f"memory{b}: {state(b)}, acknowledged {acked}, in flight {tried}")
print("; ".join(bad))
PY
)
is "$bad" "" "every block is as its last acknowledged write (or the one in flight) left it"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
