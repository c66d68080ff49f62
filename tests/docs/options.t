#!/bin/bash
# Every long option a program's --help names is in its man page (usereye
# 16: hotmemd(8) lacked -h/--help and --version, which --help and
# docs/hotmemd.md list; hotmemfs(8) lacked --help), and hotmemd's are in
# docs/hotmemd.md too.
. "$(dirname "$0")/lib.sh"

# in_man OPTION PAGE: the page names it, hyphens escaped as roff writes them
in_man() { grep -qF -- "${1//-/\\-}" "$2"; }

for prog in hotmemd hotmemfs hotmem-enter; do
	if [ ! -x "$B/$prog" ]; then
		skip_check "$prog: --help against $prog(8)" "$B/$prog not built"
		continue
	fi
	opts=$("$B/$prog" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
	[ -n "$opts" ] && ok "$prog --help names options: $(echo $opts)" || notok "$prog --help names options"
	missing=
	for o in $opts; do in_man "$o" "$src/man/$prog.8" || missing+=" $o"; done
	[ -z "$missing" ] && ok "$prog(8) names every option of $prog --help" ||
		notok "$prog(8) names every option of $prog --help" "missing:$missing"
done

if [ -x "$B/hotmemd" ]; then
	missing=
	for o in $("$B/hotmemd" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -qE -- "[\` (]$o([^a-z-]|\$)" "$src/docs/hotmemd.md" && continue
		# a key's option: its key in the configuration table
		k=${o#--}
		grep -qF -- "\`${k//-/_}\`" "$src/docs/hotmemd.md" || missing+=" $o"
	done
	[ -z "$missing" ] && ok "docs/hotmemd.md names every option of hotmemd --help (or its key)" ||
		notok "docs/hotmemd.md names every option of hotmemd --help (or its key)" "missing:$missing"
fi

# usereye4 #31: every program answers --version (and -V) with one version,
# the build's git describe with it, on stdout, exit 0; its --help and its
# man page name --version.  hotmem-enter answers itself (hotmemfs used to).
versions= built=0 err=$(mktemp)
for prog in hotmem hotmemfs hotmemctl hotmem-enter hotmem-conform hotmemd hotmem-trace; do
	if [ ! -x "$B/$prog" ]; then
		skip_check "$prog --version" "$B/$prog not built"
		continue
	fi
	built=$((built + 1))
	out=$("$B/$prog" --version 2>"$err"); rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$err" ] &&
		[[ $out =~ ^$prog\ ([0-9]+\.[0-9]+\.[0-9]+\ \(git\ [A-Za-z0-9._+-]+\))$ ]]; then
		ok "$prog --version: $out"
		versions+="${BASH_REMATCH[1]}"$'\n'
	else
		notok "$prog --version: '$prog X.Y.Z (git DESCRIBE)' on stdout, exit 0" "exit $rc: $out" \
			"$(cat "$err")"
	fi
	[ "$("$B/$prog" -V 2>&1)" = "$out" ] && ok "$prog -V is --version" || notok "$prog -V is --version"
	"$B/$prog" --help 2>&1 | grep -q -- '--version' && ok "$prog --help names --version" ||
		notok "$prog --help names --version"
	man=$(ls "$src"/man/"$prog".[18] 2>/dev/null | head -1)
	[ -n "$man" ] && in_man --version "$man" && ok "$prog's man page names --version" ||
		notok "$prog's man page names --version"
done
rm -f "$err"
# exactly one: none, from programs that are there, is no answer.  One
# commit, "-dirty" or not: make run (tests/run/10-make-run.t) relinks the
# programs it runs, and a tree that became dirty meanwhile gives those
# "-dirty" (uapi.mk looks at git describe on every make), the others not
nv=$(sed 's/-dirty)$/)/' <<<"$versions" | sort -u | grep -c .)
if [ "$built" -eq 0 ]; then
	ok "one version for all # SKIP no program built in $B"
elif [ "$nv" -eq 1 ]; then
	ok "one version for all: ${versions%%$'\n'*}"
else
	notok "one version for all ($nv)" "$versions"
fi
echo "1..$n"
