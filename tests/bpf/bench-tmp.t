#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark programs name no fixed file under /tmp: two `make bench`
# at once (two worktrees on one machine) had bench_trace's
# /tmp/hotmem-bench-storm.sh and -run.sh overwritten and removed by each
# other.  A path under /tmp in a benchmark's source is a mkdtemp/mkstemp
# template (XXXXXX) or carries the process id (%d with getpid()).  Source
# only: running the benchmarks takes minutes and root.
set -u
src=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0 fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
files=$(cd "$src" && ls tests/*/bench_*.c tests/*/bench*.sh scripts/bench.sh 2>/dev/null)
[ -n "$files" ] || { echo "1..0 # SKIP no benchmark sources under $src/tests"; exit 0; }
for f in $files; do
	fixed=$(grep -n '/tmp/' "$src/$f" | grep -v 'XXXXXX' | grep -v '%d' || true)
	[ -z "$fixed" ]
	ok $? "$f: no fixed path under /tmp"
	[ -z "$fixed" ] || sed 's/^/#   /' <<<"$fixed"
done
echo "1..$n"
exit $((fails > 0))
