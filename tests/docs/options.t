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
		ok "$prog: --help against $prog(8) # SKIP $B/$prog not built"
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
echo "1..$n"
