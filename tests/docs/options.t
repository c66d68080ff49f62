#!/bin/bash
# Every option a program accepts is listed by its --help and its man page,
# and every option they list is accepted (usereye 16: hotmemd(8) lacked
# -h/--help and --version, which --help and docs/hotmemd.md list;
# hotmemfs(8) lacked --help); hotmemd's are in docs/hotmemd.md too.
. "$(dirname "$0")/lib.sh"

# in_man OPTION PAGE: the page names it, hyphens escaped as roff writes them
in_man() { grep -qF -- "${1//-/\\-}" "$2"; }

# Both ways (finalE, the last session's notes: hotmem-conform --help lacked
# -h and --cell, and this test only looked from --help to the man page):
# every option a program's parser accepts is listed by its --help and by
# its man page, and every option they list is one it accepts.  "Listed":
# the usage lines of --help and an option line's leading -x/--xx; the man
# page's SYNOPSIS and the tags (.TP, .TQ) of its OPTIONS sections -- prose that
# names another program's option (hotmem-enter's "need no --sysroot") is
# not a listing.  "Accepted": read from the parser's source, as the
# compiler does (getopt_long's table and optstring, hotmemd's key table, a
# hand-written parser's string compares).

# the options in the text on stdin, one a line: --long and -x
opt_tokens() { perl -ne 'print "$1\n" while /(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w])/g'; }
# help_listed CMD...: the options CMD's usage block and option lines list
help_listed() {
	"$@" 2>&1 | perl -ne '
		if (/^\s*usage:/i) { $u = 1 } elsif (/^\s*$/) { $u = 0 }
		if ($u) { print; next }
		print "$1 " if /^\s+(-[A-Za-z])(?:,\s|\s)/;
		print "$1" if /^\s+(?:-[A-Za-z],?\s+)?(--[a-z][a-z0-9-]*)/;
		print "\n";' | opt_tokens | sort -u
}
# man_listed PAGE: the options its SYNOPSIS and its OPTIONS sections' tags list
man_listed() {
	sed 's/\\-/-/g; s/\\f[BIRP]//g' "$1" | perl -ne '
		if (/^\.SH\s+"?(.*?)"?\s*$/) { $syn = $1 eq "SYNOPSIS"; $opt = $1 =~ /OPTIONS/; next }
		if ($syn) { print; next }
		if ($opt && /^\.T[PQ]/) { $tag = 1; next }
		if ($tag) { print; $tag = 0 }' | opt_tokens | sort -u
}
# getopt_accepts FILE...: the long options of the getopt_long tables in
# FILE, and the letters of their optstrings
getopt_accepts() {
	perl -ne 'print "--$1\n" while /\{\s*"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument/g;
		if (/getopt_long\([^"]*"([^"]*)"/) { print "-$_\n" for grep { /[A-Za-z]/ } split //, $1 }' "$@" | sort -u
}
# literal_accepts FILE FUNCTION...: the "--xx"/"-x" strings a hand-written
# parser compares in those functions of FILE ("--rules=" is --rules)
literal_accepts() {
	local f=$1 fn
	shift
	for fn in "$@"; do sed -n "/^[a-z].*[ *]$fn(.*)\$/,/^}/p" "$f"; done |
		grep -E 'str(n)?cmp\(' | perl -ne 'print "$1\n" while /"(--[a-z][a-z0-9-]*|-[A-Za-z])=?"/g' | sort -u
}
# accepted PROG: what PROG's parser takes itself; forwarded PROG: what it
# hands on (hotmem-enter gives every other option to hotmemfs)
accepted() {
	case $1 in
	hotmemd)
		{ getopt_accepts "$src/daemon/main.c"
		  perl -ne 'print "--$1\n" if /^\s*\{ "[a-z_]+", "([a-z][a-z0-9-]*)", (?:true|false)/' \
			"$src/daemon/config.c"; } | sort -u ;;
	hotmemfs) getopt_accepts "$src/fusefs/main.c" ;;
	hotmem-enter)
		comm -23 <(literal_accepts "$src/fusefs/enter.c" parse_opts) <(accepted hotmemfs) ;;
	hotmem-conform) literal_accepts "$src/fusefs/conform_main.c" parse_args main ;;
	hotmem-trace) getopt_accepts "$src"/bpf/hotmem_trace.c "$src"/bpf/compare.c "$src"/bpf/timeline.c ;;
	esac
}
forwarded() { [ "$1" = hotmem-enter ] && accepted hotmemfs; true; }
# help_of PROG: its --help, and its subcommands' (hotmem-trace compare, timeline)
help_of() {
	"$B/$1" --help
	[ "$1" = hotmem-trace ] && { "$B/$1" compare --help; "$B/$1" timeline --help; }
	true
}
# check_subset NAME LIST_A LIST_B: every line of A is one of B
check_subset() {
	local extra
	extra=$(comm -23 <(echo "$2" | sed '/^$/d') <(echo "$3" | sed '/^$/d' | sort -u) | tr '\n' ' ')
	[ -z "$extra" ] && ok "$1" || notok "$1" "not there: $extra"
}

for prog in hotmemd hotmemfs hotmem-enter hotmem-conform hotmem-trace; do
	if [ ! -x "$B/$prog" ]; then
		skip_check "$prog: its options both ways against --help and $prog(8)" "$B/$prog not built"
		continue
	fi
	acc=$(accepted "$prog") fwd=$(forwarded "$prog")
	hl=$(help_listed help_of "$prog") ml=$(man_listed "$src/man/$prog.8")
	[ -n "$acc" ] && [ -n "$hl" ] && [ -n "$ml" ] &&
		ok "$prog: accepts $(echo $acc); --help lists $(echo $hl); $prog(8) lists $(echo $ml)" ||
		notok "$prog: options read from its source, --help and man page" "accepted: $acc" \
			"--help: $hl" "man: $ml"
	check_subset "$prog --help lists every option $prog accepts" "$acc" "$hl"
	check_subset "$prog(8) lists every option $prog accepts" "$acc" "$ml"
	check_subset "$prog accepts every option $prog --help lists" "$hl" "$acc"$'\n'"$fwd"
	check_subset "$prog accepts every option $prog(8) lists" "$ml" "$acc"$'\n'"$fwd"
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
