#!/bin/bash
# Every option `hotmem-trace compare` takes is named in `hotmem-trace
# --help`, in `compare --help` and in hotmem-trace(8) (#13.5: --max was
# missing from --help).
. "$(dirname "$0")/lib.sh"
[ -x "$B/hotmem-trace" ] || need_whole_skip "$B/hotmem-trace not built"
help=$("$B/hotmem-trace" --help 2>&1)
chelp=$("$B/hotmem-trace" compare --help 2>&1)
# the options compare's getopt table knows
opts=$(sed -n '/hmt_compare_main/,/^}/p' "$src/bpf/compare.c" | grep -o '{ "[a-z-]*", [a-z_]*_argument' |
	sed 's/{ "\([a-z-]*\)".*/\1/' | grep -vx help)
[ -n "$opts" ] && ok "compare's options found in bpf/compare.c: $(echo $opts)" || notok "compare's options found"
for o in $opts; do
	grep -q -- "--$o" <<<"$help" && ok "hotmem-trace --help names compare --$o" ||
		notok "hotmem-trace --help names compare --$o"
	grep -q -- "--$o" <<<"$chelp" && ok "hotmem-trace compare --help names --$o" ||
		notok "hotmem-trace compare --help names --$o"
	grep -qF -- "\\-\\-${o//-/\\-}" "$src/man/hotmem-trace.8" && ok "hotmem-trace(8) names compare --$o" ||
		notok "hotmem-trace(8) names compare --$o"
done
echo "1..$n"
