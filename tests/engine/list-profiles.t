#!/bin/bash
# `hotmem --list-profiles` (and hotmemfs --help's "Built-in profiles")
# print one line each, the name and what the machine is, from the one
# table in engine/config.c; docs/profile.md's table shows the same text
# (each row starts with it) and lists the same profiles.  The names
# alone stay available to scripts: --list-profiles=names (usereye4 #15).
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
. "$(dirname "$0")/../need.sh"
[ -x "$B/hotmem" ] && [ -x "$B/hotmemfs" ] || need_whole_skip "hotmem, hotmemfs not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..7"

"$B/hotmem" --list-profiles > "$tmp/list"
ok $? "hotmem --list-profiles: exit 0"
"$B/hotmem" --list-profiles=names > "$tmp/names"
ok $? "hotmem --list-profiles=names: exit 0"
# the names: what --list-profiles printed before, each a profile that boots
bad=0
while read -r p; do
	"$B/hotmem" --profile "$p" status > /dev/null 2>&1 || { echo "# $p does not boot"; bad=1; }
done < "$tmp/names"
[ -s "$tmp/names" ] && [ "$(awk 'NF != 1' "$tmp/names")" = "" ] && [ $bad = 0 ]
ok $? "--list-profiles=names: one name a line, each a profile hotmem boots"
# every built-in has its line: the name, two spaces or more, a description
awk '{ print $1 }' "$tmp/list" | cmp -s - "$tmp/names" &&
	[ "$(grep -cE '^[a-z0-9-]+  +[^ ].{10,}$' "$tmp/list")" = "$(wc -l < "$tmp/names")" ]
ok $? "--list-profiles: a line each built-in, its name then its description"
sed 's/^/# /' "$tmp/list"
# docs/profile.md's table: the same profiles, each row starting with the line's text
sed -n '/^## Built-in profiles/,/^## /p' "$SRC/docs/profile.md" |
	sed -n 's/^| `\([a-z0-9-]*\)` | \(.*\) |$/\1\t\2/p' > "$tmp/doc"
cut -f1 "$tmp/doc" | cmp -s - "$tmp/names"
ok $? "docs/profile.md's table lists the built-ins, in --list-profiles' order"
bad=0
while read -r p d; do
	row=$(awk -F'\t' -v p="$p" '$1 == p { print $2 }' "$tmp/doc")
	case "$row" in
	"$d"*) ;;
	*) echo "# $p: hotmem says '$d'"; echo "# $p: docs/profile.md says '$row'"; bad=1 ;;
	esac
done < "$tmp/list"
ok $bad "each docs/profile.md row starts with the description hotmem prints"
# hotmemfs --help ends with the same lines, indented
"$B/hotmemfs" --help 2>&1 | sed -n '/^Built-in profiles (--profile NAME):$/,$p' | tail -n +2 | sed 's/^  //' |
	cmp -s - "$tmp/list"
ok $? "hotmemfs --help: 'Built-in profiles (--profile NAME):' then the same lines"
