#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace's side of hotmem:batch against batches the engine does not
# make (tests/bpf/batch_target): an exit whose inner step's exit was lost
# still pairs with its enter, steps nested deeper than the BPF side's
# stack pair too, and records past the 64 a batch holds or at an address
# that cannot be read count as dropped.  What the loader reports it
# attached is counted from the binary, not assumed.
# Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
T=$(cd "$B" && pwd)/tests/bpf/batch_target

# "fn dur_ns" of each exit, in order
exits() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("phase") == "exit":
        print(e["fn"], e["dur_ns"])' "$1" | tr '\n' ' '
}

need_usdt "$T"
echo "1..5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
	"$HT" --no-pin --json -o "$tmp/$1.jsonl" -- "$T" "$1" > "$tmp/$1.out" 2> "$tmp/$1.err"
	local rc=$?
	sed 's/^/# /' "$tmp/$1.err" "$tmp/$1.out"
	return $rc
}

run mismatch
# memory_block_offline is step 8 (engine/hotmem_probes.h order)
got=$(exits "$tmp/mismatch.jsonl")
[ "$got" = "8 500 " ]
ok $? "an exit whose inner step's exit was lost pairs with its own enter: '$got'"

run deep
exp=
for i in $(seq 17 -1 0); do exp="$exp$i $((1000 + 10 * i)) "; done
got=$(exits "$tmp/deep.jsonl")
[ "$got" = "$exp" ]
ok $? "18 nested steps (the stack holds 16): every exit paired with its enter"
[ "$got" = "$exp" ] || echo "# got '$got'"

run all
read -r handed lost < <(sed -n 's/^records \([0-9]*\) lost \([0-9]*\)$/\1 \2/p' "$tmp/all.out")
dropped=$(dropped "$tmp/all.err")
events=$(events "$tmp/all.err")
[ -n "$lost" ] && [ "$lost" = 11 ] && [ "$dropped" = "$lost" ]
ok $? "records cut at 64 or unreadable count as dropped: $dropped dropped, $lost lost"
# events: lines with "ev" but the "lost" records (abuse25a B3)
[ -n "$handed" ] && [ "$events" = $((handed - lost)) ] &&
	[ "$(grep '"ev":' "$tmp/all.jsonl" | grep -vc '"ev":"lost"')" = "$events" ]
ok $? "every other record is an event: $events of $handed"

# attached: hotmem:batch's one site, none of the steps' own probes
grep -q "emulator: 1 of 1 USDT probes attached in .* through hotmem:batch, carrying 0 of 54 steps' probes" "$tmp/all.err"
ok $? "the loader counts what it attached: 1 probe, carrying no step's probe in this binary"
# the engine carrying all its steps: tests/engine/usdt-traced.t
done_testing
