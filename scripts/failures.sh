#!/bin/bash
# After `make check`: each test file that failed, with why, printed last,
# so that the end of a CI log -- often the only part a person sees of it --
# says which checks failed and what they printed, not only their numbers
# in prove's summary.  scripts/test-exec.sh keeps each file's TAP (.tap),
# its stderr (.err) and its exit status (.rc) in LOGDIR.  For each failed
# file: its exit status, every "not ok" line (a TODO's excepted) with the
# "#" lines after it, and the end of its stderr; at most MAX lines a file (60).
logs=${1:?usage: failures.sh LOGDIR [MAX-LINES-A-FILE]}
max=${2:-60}
[ -d "$logs" ] || exit 0
nfail=0
for f in "$logs"/*.tap; do
	[ -e "$f" ] || continue
	base=${f%.tap}
	rc=$(cat "$base.rc" 2>/dev/null)
	rc=${rc:-?}
	# a "not ok" that is no TODO, then the diagnostics following it
	detail=$(awk '
		/^not ok/ && !/#[[:space:]]*[Tt][Oo][Dd][Oo]/ { show = 1; print; next }
		/^#/ && show { print; next }
		{ show = 0 }' "$f")
	# prove fails a file whose plan is missing or not what it ran, exit 0 or not
	plan=$(awk '/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); p = $1 + 0; has = 1 }
		/^(not )?ok/ { n++ }
		END { if (!has) print "-- no TAP plan: it ended before its plan";
		      else if (n != p) printf "-- bad plan: %d planned, %d ran\n", p, n }' "$f")
	[ "$rc" = 0 ] && [ -z "$detail" ] && [ -z "$plan" ] && continue
	nfail=$((nfail + 1))
	name=$(basename "$base")
	name=${name//%//}
	echo "make check: FAILED $name (exit status $rc)"
	{
		[ -n "$detail" ] && printf '%s\n' "$detail"
		if [ -s "$base.err" ]; then
			echo "-- the end of its stderr:"
			tail -n 15 "$base.err"
		fi
		[ -n "$plan" ] && printf '%s\n' "$plan"
	} | head -n "$max" | sed 's/^/  /'
done
[ "$nfail" -eq 0 ] || echo "make check: $nfail test file(s) failed; each file's TAP, stderr and exit status: $logs"
exit 0
