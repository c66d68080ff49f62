#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotmem-trace compare and timeline on files that are not traces (#2):
# hotmem-trace's own table (-o without --json) or garbage is refused with
# exit 2 and FILE:LINE, never compared as an empty trace ("1 difference")
# nor drawn as an empty SVG; lines skipped in a trace are counted on
# stderr; a range below the base pfn prints as -0x... (#18).  Plain file
# tools: no root, no BPF.
. "$(dirname "$0")/lib.sh"
need_built "$HT"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
echo "1..19"

ev() {	# ts ev phase start_pfn nr_pages zone
	printf '{"ts":%s,"src":"emulator","ev":"%s","phase":"%s","start_pfn":%s,"nr_pages":%s,"nid":0,"zone":%s,"ret":0}\n' "$@"
}
{
	ev 100 add_memory_resource exit 1048576 65536 null
	ev 200 mm_setup_per_zone_wmarks exit 4096 126976 '"DMA32"'
	ev 300 online_pages exit 1048576 32768 '"Movable"'
} > "$D/good.jsonl"
# what hotmem-trace -o FILE writes without --json (docs/hotmem-trace.md)
cat > "$D/table.txt" <<'TABLE'
TIME(s)      SRC      EVENT                            PHASE    START_PFN  NR_PAGES  NID ZONE         RET EXTRA
    0.003596 emulator online_pages                     <         0x100000     32768    0 Movable        0 0
TABLE
printf '\ngarbage\n' > "$D/garbage.jsonl"

for f in table.txt garbage.jsonl; do
	"$HT" compare "$D/good.jsonl" "$D/$f" > "$D/out" 2> "$D/err"
	[ $? = 2 ]
	ok $? "compare good.jsonl $f: exit 2 (not a trace)"
	line=1; [ "$f" = garbage.jsonl ] && line=2
	grep -q "^hotmem-trace compare: $D/$f:$line: not a hotmem-trace JSON line: .*(record with --json, or -J FILE)$" "$D/err"
	ok $? "... the file and its first line named ($f:$line), how to record one said"
	diag < "$D/err"
	! grep -q difference "$D/out"
	ok $? "... and no differences counted"
done
"$HT" compare "$D/table.txt" "$D/good.jsonl" > /dev/null 2>&1
[ $? = 2 ]
ok $? "compare table.txt good.jsonl: exit 2 (either side)"

echo "an earlier drawing" > "$D/t.svg"
"$HT" timeline -o "$D/t.svg" "$D/table.txt" 2> "$D/err"
[ $? = 2 ]
ok $? "timeline table.txt: exit 2, not an empty SVG"
grep -q "^hotmem-trace timeline: $D/table.txt:1: not a hotmem-trace JSON line" "$D/err"
ok $? "... the file and line named"
[ "$(cat "$D/t.svg")" = "an earlier drawing" ]
ok $? "... and the SVG already there left as it was"
"$HT" timeline -o "$D/t.svg" "$D/good.jsonl" "$D/garbage.jsonl" 2> /dev/null
[ $? = 2 ]
ok $? "timeline good.jsonl garbage.jsonl: exit 2 (the second trace)"

# a trace with noise in it (a console's lines): compared, the skipped counted
{ echo "GUEST: booting"; echo; cat "$D/good.jsonl"; echo "GUEST-DONE"; } > "$D/noisy.jsonl"
"$HT" compare "$D/good.jsonl" "$D/noisy.jsonl" > "$D/out" 2> "$D/err"
ok $? "compare good.jsonl noisy.jsonl: exit 0, the same events"
grep -q "^hotmem-trace compare: $D/noisy.jsonl: 2 lines skipped, not hotmem-trace JSON lines (the first: line 1)$" "$D/err"
ok $? "... the 2 lines skipped said on stderr (the blank one is not counted)"
"$HT" timeline -o "$D/n.svg" "$D/noisy.jsonl" 2> "$D/err"
[ $? = 0 ] && grep -q "memory32<" "$D/n.svg" && grep -q "2 lines skipped" "$D/err"
ok $? "timeline noisy.jsonl: drawn (memory32), the skipped lines said"

# an empty file is a trace with nothing in it, not a malformed one; two
# of them have nothing to compare, a difference (a1d54599: a CI gate
# passed on nothing), said on stdout, nothing on stderr
: > "$D/empty.jsonl"
"$HT" compare "$D/empty.jsonl" "$D/empty.jsonl" > "$D/out" 2> "$D/err"
[ $? = 1 ] && [ ! -s "$D/err" ] && grep -q "nothing to compare" "$D/out"
ok $? "compare of two empty traces: exit 1, nothing to compare, nothing on stderr"

# numbers that are not: --max abc was atoi()'s 0 ("all"), a tolerance 0 kB
"$HT" compare --max abc "$D/good.jsonl" "$D/good.jsonl" > "$D/out" 2> "$D/err"
[ $? = 2 ] && grep -q "^hotmem-trace compare: bad --max 'abc' (a number, 0 to " "$D/err" && [ ! -s "$D/out" ]
ok $? "compare --max abc: exit 2, said, nothing compared"
"$HT" compare --memfree-tolerance 4M "$D/good.jsonl" "$D/good.jsonl" > /dev/null 2> "$D/err"
[ $? = 2 ] && grep -q "bad --memfree-tolerance '4M'" "$D/err"
ok $? "compare --memfree-tolerance 4M: exit 2 (kB, a number)"

# #18: the DMA32 watermarks' range lies below the base pfn 0x100000
head -1 "$D/good.jsonl" > "$D/add-only.jsonl"
"$HT" compare --strict "$D/good.jsonl" "$D/add-only.jsonl" > "$D/out" 2>&1
grep -q "only in $D/good.jsonl: mm_setup_per_zone_wmarks/exit -0xff000 nr_pages=126976 zone=DMA32" "$D/out"
ok $? "compare: a range below the base pfn prints as -0xff000"
! grep -q "0xfffff" "$D/out"
ok $? "... never as a 64-bit wraparound"
grep "only in" "$D/out" | diag
done_testing
