#!/bin/bash
# A short libFuzzer pass over each harness and its corpus (make fuzz runs
# them for longer): the engine (cmdline, profile, engine_ops) and hotmemfs
# (sysfs_parse, sysfs_store, ctl, ctlargs, state).  New inputs go to a
# scratch corpus; crashes found become regression files in the corpus.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-.}
progs=$(ls "$SRC"/tests/fuzz/fuzz_*.c | xargs -n1 basename | sed 's/\.c$//')
echo "1..$(wc -w <<<"$progs")"
n=0
for p in $progs; do
	n=$((n + 1))
	bin=$B/fuzz/$p
	if [ ! -x "$bin" ]; then
		echo "ok $n # SKIP $p not built (clang with libFuzzer missing: apt-get install clang libclang-rt-14-dev)"
		continue
	fi
	name=${p#fuzz_}
	# new inputs go to a scratch corpus, never into the repository's
	work=$(mktemp -d)
	out=$(cd "$work" && "$bin" -max_total_time=${FUZZ_SMOKE_SECONDS:-5} -timeout=20 \
		-rss_limit_mb=4096 "$work" "$SRC/tests/fuzz/corpus/$name" 2>&1)
	if [ $? -eq 0 ]; then
		echo "ok $n - $name: $(grep -o 'Done [0-9]* runs' <<<"$out" | tail -1)"
	else
		echo "not ok $n - $name"
		tail -20 <<<"$out" | sed 's/^/# /'
	fi
	rm -rf "$work"
done
