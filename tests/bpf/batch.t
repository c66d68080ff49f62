#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace on the engine binary through hotmem:batch (one probe hit per
# operation, engine/hotmem_probes.h) and through each step's probe
# (--per-probe): the same events, field for field (compare --strict), and
# the batch costs a couple of probe hits per online/offline cycle where
# each step's probe costs one per event.  Counts, not times.
# Needs root (BPF) and uprobes.
. "$(dirname "$0")/lib.sh"
HM=$(cd "$B" && pwd)/hotmem

need_usdt "$HM"
echo "1..8"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cycles=20
{
	echo 'add 0x100000000 2G memmap_on_memory'
	for _ in $(seq $cycles); do echo 'online 32 online_movable'; echo 'offline 32'; done
	echo 'remove 0x100000000 2G'
} > "$tmp/script"
# the same without the cycles: the hits that are not the cycles' own
sed '/^o/d' "$tmp/script" > "$tmp/script0"
CMDLINE="memhp_default_state=offline memory_hotplug.memmap_on_memory=1"
for how in batch per-probe; do
	opt=; [ $how = per-probe ] && opt=--per-probe
	"$HT" $opt --emulator "$HM" --no-pin --json -o "$tmp/$how.jsonl" -- \
		"$HM" --profile qemu-512m --cmdline "$CMDLINE" run "$tmp/script" \
		> /dev/null 2> "$tmp/$how.err"
	ok $? "hotmem-trace $opt -- hotmem run: exit 0"
	sed 's/^/# /' "$tmp/$how.err"
done
grep -q "USDT probes attached .* through hotmem:batch" "$tmp/batch.err" &&
	! grep -q "hotmem:batch" "$tmp/per-probe.err"
ok $? "attached through hotmem:batch by default, each step's probe with --per-probe"
"$HT" --emulator "$HM" --no-pin --json -o /dev/null -- \
	"$HM" --profile qemu-512m --cmdline "$CMDLINE" run "$tmp/script0" \
	> /dev/null 2> "$tmp/batch0.err"
ok $? "hotmem-trace -- hotmem run, the add and the remove alone: exit 0"
"$HT" compare --strict "$tmp/per-probe.jsonl" "$tmp/batch.jsonl" > "$tmp/cmp.out" 2>&1
rc=$?
ok $rc "the same events, every field (compare --strict): $(tail -1 "$tmp/cmp.out")"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/cmp.out" | head -20
eb=$(events "$tmp/batch.err") ep=$(events "$tmp/per-probe.err")
hb=$(hits "$tmp/batch.err") hp=$(hits "$tmp/per-probe.err")
[ -n "$hp" ] && [ "$hp" = "$ep" ] && [ "$ep" -gt $((cycles * 20)) ]
ok $? "--per-probe: one probe hit per event ($hp hits, $ep events)"
# an operation's steps in one hit: each online and each offline one hit;
# the rest (h0) is the same run without the cycles: the boot's steps
# outside any operation (the zones' watermarks, one hit each) and the
# 2 GiB add and remove, more than one batch (64 records) each
h0=$(hits "$tmp/batch0.err")
[ -n "$hb" ] && [ -n "$h0" ] && [ "$eb" = "$ep" ] && [ $((hb - h0)) = $((cycles * 2)) ]
ok $? "hotmem:batch: 2 probe hits per online/offline cycle ($hb hits for $cycles cycles, $h0 without them, $eb events)"
# durations pair an exit with its enter, also across a split batch
z() { grep '"phase":"exit"' "$1" | grep -c '"dur_ns":0,'; }
zb=$(z "$tmp/batch.jsonl") zp=$(z "$tmp/per-probe.jsonl")
[ "$zb" = "$zp" ] && [ "$(grep -c '"phase":"exit"' "$tmp/batch.jsonl")" -gt "$zb" ]
ok $? "the same exits without a duration (the exit-only steps): $zb and $zp"
done_testing
