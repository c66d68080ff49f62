#!/bin/bash
# hotmemctl --help shows what hotmemctl(8)'s SYNOPSIS shows, and names the
# HOTMEM_* variables hotmemctl reads (usereye9 F4: its Usage line lacked
# -t, and nothing in it named $HOTMEM_CONTROL, though its own "cannot
# connect" messages say "name it with -s or HOTMEM_CONTROL").
. "$(dirname "$0")/lib.sh"
CTL=$B/hotmemctl
[ -x "$CTL" ] || need_whole_skip "$CTL not built"
help=$("$CTL" --help 2>&1)
usage=$(grep -m1 '^Usage:' <<<"$help")
man=$src/man/hotmemctl.8
# the options of the man page's SYNOPSIS (roff's \- as -)
syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$man" | sed 's/\\-/-/g' |
	perl -ne 'print "$1\n" while /(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w])/g' | sort -u)
[ -n "$syn" ] && ok "hotmemctl(8)'s SYNOPSIS lists options: $(echo $syn)" || notok "hotmemctl(8)'s SYNOPSIS lists options"
for o in $syn; do
	grep -qE -- "(^|[[ ])$o([] ]|$)" <<<"$usage" && ok "--help's Usage line has $o, as the SYNOPSIS" ||
		notok "--help's Usage line has $o, as the SYNOPSIS" "$usage"
done
# the HOTMEM_* variables hotmemctl's source reads
vars=$(grep -ho 'getenv("HOTMEM_[A-Z_]*")' "$src"/fusefs/hotmemctl.c | sed 's/getenv("\(.*\)")/\1/' | sort -u)
[ -n "$vars" ] && ok "hotmemctl reads $(echo $vars)" || notok "hotmemctl reads a HOTMEM_ variable (fusefs/hotmemctl.c)"
for v in $vars; do
	grep -q -- "\$$v" <<<"$help" && ok "--help names \$$v" || notok "--help names \$$v"
	grep -qF -- "$v" "$man" && ok "hotmemctl(8) names $v" || notok "hotmemctl(8) names $v"
done
echo "1..$n"
