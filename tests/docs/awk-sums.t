#!/bin/bash
# No test prints an awk sum with print: mawk (Debian's awk) prints a
# number of 2^31 or more as 2.14748e+09, so on a large machine (8 TiB of
# 4 KiB pages, or a busy counter) a sum of page counts compares wrong.
# printf "%.0f" prints it whole (mawk's "%d" stops at 2147483647).
. "$(dirname "$0")/lib.sh"
cd "$src" || exit 1
files=$(git ls-files 'tests/*.sh' 'tests/*.t' 'scripts/*.sh' 2>/dev/null || find tests scripts -name '*.sh' -o -name '*.t')
# END { print s }, END {print s * 4}, { print $2 / 4 }: a computed number
# (a sum is s, sum or total; a count of lines, n, stays small)
# (not this file, whose comments show the wrong forms)
files=$(grep -vx tests/docs/awk-sums.t <<<"$files")
bad=$(grep -nE 'END *\{ *print +(s|sum|total)( *[-+*/] *[0-9]+)? *\}|\{ *print +\$[0-9]+ *[*/] *[0-9]+ *\}' $files)
[ -z "$bad" ] && ok "no awk sum or quotient printed with print (mawk: 2.14748e+09)" ||
	notok "awk sums are printed with printf \"%.0f\", not print (mawk: 2.14748e+09)" "$bad"

[ "$(echo 2147483647 1 | awk '{ s = $1 + $2 } END { printf "%.0f\n", s }')" = 2147483648 ] &&
	ok "this awk prints 2^31 whole with printf %.0f" || notok "this awk prints 2^31 whole with printf %.0f"
echo "1..$n"
