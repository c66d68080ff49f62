#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bpftrace one-liner of hotmem-trace(8) "USDT PROBES", taken from the
# man page as written, run against the engine (build/hotmem) onlining one
# block: its output is the one the man page shows.  Needs root, bpftrace.
. "$(dirname "$0")/lib.sh"
MAN=$SRC/man/hotmem-trace.8

need_usdt "$B/hotmem"
command -v bpftrace > /dev/null || skip_all "bpftrace not installed (scripts/deps/bpf-test.list)"
echo "1..3"

# roff to shell: "\-" is "-", "\e" a backslash
cmd=$(sed -n 's/^sudo \(bpftrace \\-e .*\)$/\1/p' "$MAN" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g' |
	sed "s|/usr/local/bin/hotmemfs|$B/hotmem|g")
want=$(sed -n '/^prints, for an online of block 32/,/^\.fi/p' "$MAN" | sed -e '1,3d' -e '$d')
[ -n "$cmd" ] && [ "$(echo "$want" | wc -l)" = 4 ]
ok $? "the man page has the one-liner and its output"

printf 'add 0x100000000 256M\nonline 32 online_movable\n' > "$OUT/bpftrace.script"
bash -c "$cmd" > "$OUT/bpftrace.out" 2> "$OUT/bpftrace.err" & bt=$!
for _ in $(seq 300); do grep -q "^Attaching" "$OUT/bpftrace.out" && break; sleep 0.1; done
grep -q "^Attaching 2 probes" "$OUT/bpftrace.out"
ok $? "bpftrace attaches to both probes"
"$B/hotmem" run "$OUT/bpftrace.script" > /dev/null
sleep 0.5
kill -INT $bt
wait_exit $bt 60
got=$(grep -v "^Attaching" "$OUT/bpftrace.out" | grep -v '^$')
[ "$got" = "$want" ]
ok $? "its output is the man page's"
[ $fails = 0 ] || { echo "$got" | sed 's/^/# got: /'; diag < "$OUT/bpftrace.err"; }
done_testing
