#!/bin/bash
# README's hotmem-trace block compares a kernel's trace with the engine's:
# a reader who has no kernel.jsonl gets one from the tree, and README's
# `hotmem-trace compare` of the tree's recordings runs as written, from the
# source tree, exit 0 as README says (user42 U10: README named only
# kernel.jsonl, which nothing told where to get).
. "$(dirname "$0")/lib.sh"
[ -x "$B/hotmem-trace" ] || need_whole_skip "$B/hotmem-trace not built"
B=$(cd "$B" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

sed -n '/^## hotmem-trace/,/^## /p' "$src/README.md" |
	sed -n 's/^    build\/hotmem-trace compare \(tests\/fixtures\/[^#]*[^# ]\) *\(#.*\)\{0,1\}$/\1/p' >"$TMP/cmds"
if [ -s "$TMP/cmds" ]; then
	ok "README shows a compare of the tree's own recordings ($(wc -l <"$TMP/cmds"))"
else
	notok "README shows a compare of the tree's own recordings" "only files a reader does not have"
fi
while read -r args; do
	# word splitting of README's arguments: paths without spaces
	# shellcheck disable=SC2086
	(cd "$src" && "$B/hotmem-trace" compare $args) >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && grep -q "^compare: 0 differences" "$TMP/out"; then
		ok "hotmem-trace compare $args: exit 0, 0 differences"
	else
		notok "hotmem-trace compare $args: exit 0, 0 differences" "rc=$rc" "$(tail -3 "$TMP/out")"
	fi
done <"$TMP/cmds"
echo "1..$n"
