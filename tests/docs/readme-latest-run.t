#!/bin/bash
# README's Performance section tells its bench runs newest first: the
# paragraph that says "The latest run" names a date no older than any other
# run's there (user42 U9: "The latest run (2026-12-03 ...)" stood above a
# run of 2026-12-04, the "latest" of 2026-11-30 further down).
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# each paragraph of "## Performance" on one line
awk '/^## Performance/ { f = 1; next } f && /^## / { exit }
	f && /^$/ { if (p != "") print p; p = ""; next }
	f { p = p (p == "" ? "" : " ") $0 }
	END { if (p != "") print p }' "$src/README.md" >"$TMP/paras"
grep '^The latest run' "$TMP/paras" >"$TMP/latest"
if [ "$(wc -l <"$TMP/latest")" = 1 ]; then
	ok "one paragraph says \"The latest run\""
else
	notok "one paragraph says \"The latest run\"" "$(wc -l <"$TMP/latest") do"
fi
# the first date of each paragraph that starts by telling a run
date_of() { grep -oE '20[0-9]{2}-[0-9]{2}-[0-9]{2}' | head -1; }
latest=$(date_of <"$TMP/latest")
newest=$(grep -E '^(The|An) [a-z ,]*run' "$TMP/paras" | while read -r l; do date_of <<<"$l"; done | sort | tail -1)
if [ -n "$latest" ] && [ "$latest" = "$newest" ]; then
	ok "\"The latest run\" is the newest told: $latest"
else
	notok "\"The latest run\" is the newest told" "it says ${latest:-no date}; the newest there: ${newest:-none}"
fi
# the first run told is the latest: newest first
first=$(grep -m1 -E '^(The|An) [a-z ,]*run' "$TMP/paras" | cut -c1-40)
case $first in
'The latest run'*) ok "the runs are told newest first" ;;
*) notok "the runs are told newest first" "the first: $first" ;;
esac
echo "1..$n"
