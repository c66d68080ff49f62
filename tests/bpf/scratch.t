#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No BPF program of hotmem-trace writes where another can be in the midst
# of its own use on the same CPU (review14 R13d).  In 6.12 a USDT (uprobe)
# and an fentry program run preemptible (migrate_disable() only, see
# bpf/hotmem_trace.bpf.c new_event()): a per-CPU scratch map shared by
# programs was rewritten by whatever ran on that CPU meanwhile.  Preemption
# cannot be made to happen on cue, so tests/bpf/scratch_hold stands in for
# the preempted run: it holds per-CPU batch slots, filled with a pattern,
# on every CPU while the real programs, loaded in this kernel, run
# tests/bpf/batch_target's batches; the pattern must be intact, and no
# program other than usdt_batch may use a per-CPU map at all.
# Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
T=$(cd "$B" && pwd)/tests/bpf/batch_target
H=$B/tests/bpf/scratch_hold

need_usdt "$T" "$H"
echo "1..7"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME SLOTS [hotmem-trace options]: batch_target's batches with SLOTS
# of each CPU's batch slots held
run() {
	local name=$1 slots=$2 ht
	shift 2
	"$HT" "$@" --no-pin --json -o "$tmp/$name.jsonl" -- "$T" gate "$tmp/$name.gate" all \
		> "$tmp/$name.out" 2> "$tmp/$name.err" &
	ht=$!
	# every program loaded and attached: 60 s at most
	for _ in $(seq 600); do grep -q "ready:\|nothing could" "$tmp/$name.err" && break; sleep 0.1; done
	"$H" "$ht" "$slots" "$tmp/$name.gate" > "$tmp/$name.hold" 2>&1
	echo $? > "$tmp/$name.hold.rc"
	touch "$tmp/$name.gate" # scratch_hold failed: batch_target need not wait
	wait_exit "$ht" 120
	echo $? > "$tmp/$name.rc"
	diag < "$tmp/$name.err"
	diag < "$tmp/$name.hold"
}

# the kernel's programs too (fentry, else kprobes): they share nothing either
run one 1 --kernel
[ "$(cat "$tmp/one.rc")" = 0 ]
ok $? "hotmem-trace --kernel -- batch_target, one slot held on each CPU: exit 0"
got=$(grep '^per-cpu ' "$tmp/one.hold" | sort -u | tr '\n' ' ')
[ "$got" = "per-cpu usdt_batch batch_bufs " ]
ok $? "only usdt_batch uses a per-CPU map, its own batch slots: '$got'"
[ "$(cat "$tmp/one.hold.rc")" = 0 ] && grep -q "^held 1 slots on [0-9]* cpus: intact" "$tmp/one.hold"
ok $? "the held slot is left alone on every CPU"
read -r handed lost < <(sed -n 's/^records \([0-9]*\) lost \([0-9]*\)$/\1 \2/p' "$tmp/one.out")
ne=$(grep -c '"src":"emulator"' "$tmp/one.jsonl")
[ -n "$handed" ] && [ "$lost" = 11 ] && [ "$ne" = $((handed - lost)) ]
ok $? "the batches go through the next slot: $ne events of ${handed:-?} records, ${lost:-?} lost as without a held slot"

# every slot held: the batches are dropped, counted, and nothing written
slots=$(sed -n 's/^#define BATCH_SLOTS \([0-9]*\)$/\1/p' "$SRC/bpf/hotmem_trace.bpf.c")
run all "${slots:-4}"
[ "$(cat "$tmp/all.rc")" = 0 ] && [ "$(cat "$tmp/all.hold.rc")" = 0 ] &&
	grep -q "^held ${slots:-4} slots on [0-9]* cpus: intact" "$tmp/all.hold"
ok $? "all ${slots:-?} slots held: none is written"
read -r handed lost < <(sed -n 's/^records \([0-9]*\) lost \([0-9]*\)$/\1 \2/p' "$tmp/all.out")
d=$(dropped "$tmp/all.err")
[ -n "$handed" ] && [ "$d" = "$handed" ]
ok $? "every record counts as dropped: ${d:-?} of ${handed:-?}"
# the loss is said where the trace is: "lost" records, no event (abuse25a B3)
! grep '"ev":' "$tmp/all.jsonl" | grep -vq '"ev":"lost"'
ok $? "and none is an event"
done_testing
