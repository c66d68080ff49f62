#!/bin/bash
# make bench: run every benchmark program, print its figures, and collect
# them into build/bench.json so that runs can be compared.
#
# A benchmark prints human lines "NAME VALUE UNIT (goal ...)" and, for each,
# one machine line: BENCH {"name":..,"value":..,"unit":..,"goal":..,"met":..}
set -uo pipefail
out=${HOTMEM_BUILD:-build}/bench.json
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
status=0
for prog in "$@"; do
	echo "== $(basename "$prog")"
	if ! "$prog" > >(tee -a "$tmp" | grep -v '^BENCH ') ; then
		echo "   (failed: $prog)"
		status=1
	fi
done
wait
python3 - "$tmp" "$out" <<'PY'
import json, sys
figures = {}
for line in open(sys.argv[1]):
    if not line.startswith("BENCH "):
        continue
    try:
        f = json.loads(line[6:])
    except ValueError:
        continue
    figures[f.pop("name")] = f
json.dump(figures, open(sys.argv[2], "w"), indent=2, sort_keys=True)
met = sum(1 for f in figures.values() if f.get("met"))
unmet = sorted(n for n, f in figures.items() if not f.get("met"))
if unmet:
    print("\nNOT MET:")
    for n in unmet:
        f = figures[n]
        print(f"  {n} {f.get('value')} {f.get('unit')} (goal {f.get('goal')})")
print(f"\n{len(figures)} figures, {met} goals met -> {sys.argv[2]}")
PY
exit $status
