#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make conform RULES=... AGENT='...' INTENT=...` hands each to
# hotmem-conform as one argument, whatever it holds: a quote in AGENT
# (usereye4: `sh -c '...'` broke the target's own quoting), a $ (make's
# expansion), a #, a backquote.  The recipe as make prints it (-n, its
# recursive make made `true`) is run with hotmem-conform replaced by
# printf, one argument a line.
set -u
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0 fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
echo "1..3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ARGS...: the argv hotmem-conform would get, one a line
argv_of() {
	make -s -n -C "$SRC" --no-print-directory MAKE=true BUILD="$tmp/b" conform "$@" 2>/dev/null |
		awk -v b="$tmp/b/hotmem-conform" 'index($0, b) == 1 { on = 1 } on { print; if (!/\\$/) exit }' |
		sed "s|^$tmp/b/hotmem-conform|printf '%s\\\\n'|" > "$tmp/cmd"
	bash "$tmp/cmd"
}

agent="sh -c 'echo it'\\''s \$HOME \$(x) # \" \`id\`'"
argv_of AGENT="$agent" INTENT=online > "$tmp/got"
printf '%s\n' --full --agent "$agent" --intent online --json "$tmp/b/conform.json" > "$tmp/want"
cmp -s "$tmp/got" "$tmp/want"
ok $? "AGENT with quotes, \$, # and a backquote: one argument, as given"
diff "$tmp/want" "$tmp/got" | sed 's/^/# /'

argv_of RULES="$tmp/my rules's.rules" > "$tmp/got"
printf '%s\n' --full --rules "$tmp/my rules's.rules" --json "$tmp/b/conform.json" > "$tmp/want"
cmp -s "$tmp/got" "$tmp/want"
ok $? "RULES with a blank and a quote: one argument"

argv_of > "$tmp/got"
printf '%s\n' --full --json "$tmp/b/conform.json" > "$tmp/want"
cmp -s "$tmp/got" "$tmp/want"
ok $? "neither: only --full and --json"
exit $((fails > 0))
