#!/bin/bash
# README's "hotmem — the engine on its own" scenario runs as shown (usereye
# #1: its blocks were never onlined or did not exist, nothing allocated
# pinned pages, memmap_on_memory silently not applied): the scenario block
# copied into a file, run with the command line README's output block
# shows, prints every line of that output block (but the "…" that stand
# for left-out lines), in that order, and exits 2 as README says.
. "$(dirname "$0")/lib.sh"
[ -x "$B/hotmem" ] || need_whole_skip "$B/hotmem not built"
B=$(cd "$B" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# block AFTER-PATTERN: the first indented block after the line matching it
block() {
	awk -v pat="$1" '
		!seen && $0 ~ pat { seen = 1; next }
		seen && !inb && /^    / { inb = 1 }
		inb && /^    / { print substr($0, 5); next }
		inb && /^$/ { print ""; next }
		inb { exit }' "$src/README.md" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
block '^A scenario is one command a line' >"$TMP/scenario.txt"
block '^Run with the kernel command line it needs' >"$TMP/shown"
[ -s "$TMP/scenario.txt" ] && ok "README has the scenario ($(grep -vc '^#' "$TMP/scenario.txt") commands)" ||
	notok "README has the scenario"
cmd=$(head -1 "$TMP/shown")
case $cmd in
'$ hotmem '*' run scenario.txt') ok "README's output block starts with its command: $cmd" ;;
*) notok "README's output block starts with its command" "found: $cmd" ;;
esac
bad=$(grep -nE '^[^#].*[[:space:]]#' "$TMP/scenario.txt")
[ -z "$bad" ] && ok "every comment is a line of its own" ||
	notok "every comment is a line of its own" "$bad"

# the command as a user types it, in the scenario's directory, our build's hotmem
read -ra argv <<<"${cmd#\$ hotmem }"
(cd "$TMP" && "$B/hotmem" "${argv[@]}" >"$TMP/out" 2>&1)
rc=$?
[ "$rc" = 2 ] && ok "exit 2 (steps failed, as README says)" || notok "exit 2 (steps failed, as README says)" "rc=$rc"

# every shown line, in order (each after the one before), "…" skipped
missing=$(tail -n +2 "$TMP/shown" | awk -v out="$TMP/out" '
	BEGIN { while ((getline l < out) > 0) got[++m] = l; i = 1 }
	$0 == "…" { next }
	{ while (i <= m && got[i] != $0) i++
	  if (i > m) { print "not printed (or not in this order): " $0; exit } ; i++ }')
[ -s "$TMP/shown" ] && [ -z "$missing" ] && ok "the run prints every line README shows, in order" ||
	notok "the run prints every line README shows, in order" "$missing" "-- the run printed:" \
		"$(grep -v '^{' "$TMP/out" | head -40)"
# each step's line is shown: a step README leaves out would hide its result
steps=$(grep -c '^> ' "$TMP/out")
shown=$(grep -c '^> ' "$TMP/shown")
[ "$steps" -gt 0 ] && [ "$steps" = "$shown" ] && ok "README shows all $steps steps' results" ||
	notok "README shows all steps' results" "run: $steps, README: $shown"
# every command README shows running a hotmem script runs the one file this
# scenario is, as the output block names it (user42 U13: hotmem-trace's
# line ran scenario.hm, a file README never made)
file=${cmd##* }
others=$(grep -nE '^    .*hotmem( .*)? run [^ ]+' "$src/README.md" |
	grep -vE "run ($file|-)( |\$)")
[ -z "$others" ] && ok "README's other hotmem runs use $file too" ||
	notok "README's other hotmem runs use $file too" "$others"
echo "1..$n"
