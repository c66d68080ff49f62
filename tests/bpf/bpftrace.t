#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bpftrace one-liner of hotmem-trace(8) "USDT PROBES", taken from the
# man page as written, run against the engine (build/hotmem) onlining one
# block: its output is the one the man page shows.  Needs root, bpftrace.
. "$(dirname "$0")/lib.sh"
MAN=$SRC/man/hotmem-trace.8

need_usdt "$B/hotmem"
need_tool bpftrace bpftrace
# bpftool and readelf show bpftrace's uprobes attached
need_tool bpftool bpftool
need_tool readelf binutils
echo "1..3"

# roff to shell: "\-" is "-", "\e" a backslash
cmd=$(sed -n 's/^sudo \(bpftrace \\-e .*\)$/\1/p' "$MAN" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g' |
	sed "s|/usr/local/bin/hotmemfs|$B/hotmem|g")
want=$(sed -n '/^prints, for an online of block 32/,/^\.fi/p' "$MAN" | sed -e '1,3d' -e '$d')
[ -n "$cmd" ] && [ "$(echo "$want" | wc -l)" = 4 ]
ok $? "the man page has the one-liner and its output"

printf 'add 0x100000000 256M\nonline 32 online_movable\n' > "$OUT/bpftrace.script"
bash -c "$cmd" > "$OUT/bpftrace.out" 2> "$OUT/bpftrace.err" & bt=$!
# uprobes: how many uprobes on build/hotmem bpftrace ($bt, or its child if
# bash did not exec it) holds, as bpftool lists them: one per site of the
# two probes in the binary (its stapsdt notes).  bpftrace says "Attaching 2
# probes..." before it attaches them: the engine runs once all are there
# (30 s at most), not once the line is printed.
sites=$(readelf -n "$B/hotmem" | grep -c "Name: \(online_pages__ret\|memory_notify__ret\)$")
uprobes() {
	bpftool perf show 2>/dev/null | awk -v f="$B/hotmem" -v p=" $bt $(pgrep -P "$bt" | tr '\n' ' ')" \
		'$1 == "pid" && index(p, " " $2 " ") && $7 == "uprobe" && $9 == f { n++ } END { print n + 0 }'
}
end=$((SECONDS + 30))
until [ "$(uprobes)" = "$sites" ] || [ $SECONDS -ge $end ]; do sleep 0.05; done
grep -q "^Attaching 2 probes" "$OUT/bpftrace.out" && [ "$(uprobes)" = "$sites" ]
ok $? "bpftrace attaches to both probes ($(uprobes) uprobes of $sites sites in $B/hotmem)"
"$B/hotmem" run "$OUT/bpftrace.script" > /dev/null
# bpftrace prints each event as its perf buffer hands it over: stopped
# once the man page's lines are there (30 s at most)
for _ in $(seq 600); do
	[ "$(grep -cv '^Attaching\|^$' "$OUT/bpftrace.out")" -ge "$(echo "$want" | wc -l)" ] && break
	sleep 0.05
done
kill -INT $bt
wait_exit $bt 60
got=$(grep -v "^Attaching" "$OUT/bpftrace.out" | grep -v '^$')
[ "$got" = "$want" ]
ok $? "its output is the man page's"
[ $fails = 0 ] || { echo "$got" | sed 's/^/# got: /'; diag < "$OUT/bpftrace.err"; }
done_testing
