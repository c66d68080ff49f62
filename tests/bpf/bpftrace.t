#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bpftrace one-liner of hotmem-trace(8) "USDT PROBES", taken from the
# man page as written, run against the engine (build/hotmem) onlining one
# block: its output is the one the man page shows.  Needs root, bpftrace.
set -u
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${HOTMEM_BUILD:-$SRC/build}
OUT=$B/tests/bpf
MAN=$SRC/man/hotmem-trace.8

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root for bpftrace"
command -v bpftrace > /dev/null || skip_all "bpftrace not installed (scripts/deps/bpf-test.list)"
[ -x "$B/hotmem" ] || skip_all "not built: $B/hotmem (run make)"
[ -e /sys/bus/event_source/devices/uprobe/type ] || skip_all "kernel has no uprobe PMU"
mkdir -p "$OUT"
echo "1..3"

# roff to shell: "\-" is "-", "\e" a backslash
cmd=$(sed -n 's/^sudo \(bpftrace \\-e .*\)$/\1/p' "$MAN" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g' |
	sed "s|/usr/local/bin/hotmemfs|$B/hotmem|g")
want=$(sed -n '/^prints, for an online of block 32/,/^\.fi/p' "$MAN" | sed -e '1,3d' -e '$d')
[ -n "$cmd" ] && [ "$(echo "$want" | wc -l)" = 4 ]
echo "$([ $? = 0 ] || echo "not ")ok 1 - the man page has the one-liner and its output"

printf 'add 0x100000000 256M\nonline 32 online_movable\n' > "$OUT/bpftrace.script"
bash -c "$cmd" > "$OUT/bpftrace.out" 2> "$OUT/bpftrace.err" & bt=$!
for _ in $(seq 300); do grep -q "^Attaching" "$OUT/bpftrace.out" && break; sleep 0.1; done
grep -q "^Attaching 2 probes" "$OUT/bpftrace.out"
echo "$([ $? = 0 ] || echo "not ")ok 2 - bpftrace attaches to both probes"
"$B/hotmem" run "$OUT/bpftrace.script" > /dev/null
sleep 0.5
kill -INT $bt
wait $bt
got=$(grep -v "^Attaching" "$OUT/bpftrace.out" | grep -v '^$')
[ "$got" = "$want" ]
rc=$?
echo "$([ $rc = 0 ] || echo "not ")ok 3 - its output is the man page's"
[ $rc = 0 ] || { echo "$got" | sed 's/^/# got: /'; sed 's/^/# /' "$OUT/bpftrace.err"; }
