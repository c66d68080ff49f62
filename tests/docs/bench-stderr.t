#!/bin/bash
# scripts/bench.sh keeps a benchmark program's stderr out of its figure
# lines (small42 item 5): a fuse_floor stderr line landed inside a figure
# line of a run logged to a file (bench41.log line 382), the figures
# coming through a pipe whose grep wrote them block by block, the stderr
# straight into the same file between two blocks.  Two fake programs:
# 12 KiB of figure lines, a pause (their grep has them), a stderr line,
# more figures; every line of the log must be whole -- a figure, a
# bench.sh line, or the stderr shown after its program's figures -- and
# the second program's "==" after the first's stderr.  Checks 2 and 3
# failed without the fix.
. "$(dirname "$0")/lib.sh"
src=$(cd "$src" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for p in one two; do
	cat >"$tmp/fake_$p" <<EOF2
#!/bin/bash
for i in \$(seq 1 120); do
	printf 'fig_${p}_%03d %0100d ms (goal informational)\n' "\$i" 0
	echo 'BENCH {"name":"fig_${p}_'\$i'","value":1,"unit":"ms","goal":"informational","met":null}'
done
sleep 0.5
echo "fake_$p: a line on stderr" >&2
printf 'fig_${p}_last 1.000 ms (goal informational)\n'
EOF2
	chmod +x "$tmp/fake_$p"
done
HOTMEM_BUILD=$tmp "$src/scripts/bench.sh" "$tmp/fake_one" "$tmp/fake_two" >"$tmp/log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "bench.sh of two programs writing to stderr exits 0" ||
	notok "bench.sh exit status $rc" "$(cat "$tmp/log")"

# every line whole: a figure, one of bench.sh's, or a shown stderr line
bad=$(grep -Ev '^fig_(one|two)_([0-9]{3} 0{100}|last 1\.000) ms \(goal informational\)$|^== |^   \(stderr of fake_(one|two):\)$|^   \| fake_(one|two): a line on stderr$|^$|^[0-9]+ figures: |^The load average' "$tmp/log")
[ -z "$bad" ] && [ "$(grep -c '^fig_' "$tmp/log")" = 242 ] &&
	ok "every line whole: 242 figure lines, no stderr inside one" ||
	notok "lines not whole (or figures missing: $(grep -c '^fig_' "$tmp/log") of 242)" "$bad"

# the order: one's figures, its stderr, then two's header
order=$(grep -nE '^fig_one_last|^   \| fake_one|^== fake_two' "$tmp/log" | cut -d: -f2- | tr '\n' '/')
want='fig_one_last 1.000 ms (goal informational)/   | fake_one: a line on stderr/== fake_two/'
[ "$order" = "$want" ] &&
	ok "fake_one's stderr after its figures, before fake_two's header" ||
	notok "order" "want: $want" "got:  $order"

echo "1..$n"
