#!/bin/bash
# The state file's journal (#15.1): every acknowledged change survives
# kill -9, across compactions (the journal is folded into the state file
# past 256 KiB) and in the middle of a burst of writes.
. "$(dirname "$0")/lib.sh"
require_env

start_state_fs 1G
seq0=$(state_seq)

# a burst of state writes, each logged once acknowledged; kill -9 during it
python3 - "$M" "$TMP/acked" <<'PY' &
import os, sys
m, log = sys.argv[1], open(sys.argv[2], "w", buffering=1)
for i in range(100000):
    b = 32 + i % 8
    want = "online_movable" if (i // 8) % 2 == 0 else "offline"
    log.write(f"try {b} {want}\n")
    try:
        fd = os.open(f"{m}/memory{b}/state", os.O_WRONLY)
        os.write(fd, want.encode())
        os.close(fd)
    except OSError:
        break
    log.write(f"ack {b} {want}\n")
PY
writer=$!
for _ in $(seq 600); do
	[ "$(state_seq 2>/dev/null)" != "$seq0" ] && break
	sleep 0.05
done
# and more writes acknowledged after that compaction, in the journal
# alone when the kill comes: 16 (two rounds of the 8 blocks), 30 s at most
acks() { grep -c '^ack' "$TMP/acked"; }
n=$(acks)
for _ in $(seq 600); do
	[ "$(acks)" -ge $((n + 16)) ] && break
	kill -0 "$writer" 2>/dev/null || break
	sleep 0.05
done
n=$(acks)
seq1=$(state_seq)
[ "$seq1" -gt "$seq0" ]
tap_ok $? "the journal was compacted into the state file during the burst (seq $seq0 -> $seq1, $n writes)"
kill9_fs
wait_exit "$writer" 30 2>/dev/null
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "hotmemfs restarts after kill -9 in the middle of the burst"
# each block: as its last acknowledged write left it, or as the one in
# flight at the kill (done but not yet acknowledged) would
bad=$(python3 - "$M" "$TMP/acked" <<'PY'
import sys
m, acked, tried = sys.argv[1], {}, {}
for line in open(sys.argv[2]):
    w = line.split()
    if len(w) != 3:
        continue
    (acked if w[0] == "ack" else tried)[w[1]] = w[2]
def state(b):
    s = open(f"{m}/memory{b}/state").read().strip()
    if s == "offline":
        return "offline"
    return "online_movable" if open(f"{m}/memory{b}/valid_zones").read().strip() == "Movable" else "online?"
bad = []
for b in map(str, range(32, 40)):
    ok = {acked.get(b, "offline"), tried.get(b, "offline")}
    if state(b) not in ok:
        bad.append(f"memory{b}: {state(b)}, acknowledged {acked.get(b)}, in flight {tried.get(b)}")
print("; ".join(bad))
PY
) || bad="the check itself failed (python3 exit $?)" # a failed read is no "every block as acknowledged"
is "$bad" "" "every block is as its last acknowledged write (or the one in flight) left it"

# quiet now: the journal alone carries what follows
flips 1 32 >/dev/null && flips 1 33 >/dev/null && echo online >"$M/auto_online_blocks"
tap_ok $? "three more changes"
EXPECT=$(snapshot)
[ -n "$(journal_text)" ]
tap_ok $? "... recorded in the journal"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
same_text "$(snapshot)" "$EXPECT" "... the same machine"
stop_fs
[ ! -s "$STATE.journal" ] && [ -z "$(journal_text)" ]
tap_ok $? "a clean exit folds the journal into the state file"
start_fs_netns "${STATE_OPTS[@]}"
same_text "$(snapshot)" "$EXPECT" "... and the state file alone brings the machine back"

# records are written over zeros the file already has (fusefs/state.c,
# HMFS_JOURNAL_CHUNK): a power loss in the middle of one leaves some of its
# sectors written and the others zeros.  Made by hand here: the journal's
# records, then the head of one more, zeros, its tail past them.
flips 1 34 >/dev/null
tap_ok $? "one more change"
EXPECT=$(snapshot)
kill9_fs
size=$(stat -c %s "$STATE.journal")
python3 - "$STATE.journal" <<'PY'
import sys
p = sys.argv[1]
data = open(p, "rb").read()
end = data.index(b"\0")
head = b'deadbeef {"seq":99,"run":{"first":3'
tail = b'9,"count":1,"state":"torn-tail","zone":"Movable"}}\n'
with open(p, "r+b") as f:
    f.seek(end)
    f.write(head)
    f.seek(end + 512)
    f.write(tail)
PY
[ "$(stat -c %s "$STATE.journal")" = "$size" ] && [ "$size" -gt $(( $(journal_text | wc -c) + 600 )) ]
tap_ok $? "the journal ends in zeros ($size bytes); a record torn by a power loss written into them"
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart"
same_text "$(snapshot)" "$EXPECT" "... every acknowledged change, not the torn record"
grep -q "was cut short by a crash (never acknowledged): dropped" "$TMP/hotmemfs.log"
tap_ok $? "... which is dropped, and said so"
flips 1 35 >/dev/null
tap_ok $? "a change after it"
EXPECT=$(snapshot)
# (the journal there: no file has nothing of it left, vacuously)
[ -s "$STATE.journal" ] && ! grep -aq -e deadbeef -e torn-tail "$STATE.journal"
tap_ok $? "... written where the torn record was: nothing of it is left"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
same_text "$(snapshot)" "$EXPECT" "... and there after kill -9"
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
