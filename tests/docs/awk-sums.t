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
pat='END *\{ *print +(s|sum|total)( *[-+*/] *[0-9]+)? *\}|\{ *print +\$[0-9]+ *[*/] *[0-9]+ *\}'
[ "$(wc -w <<<"$files")" -ge 100 ] || notok "the tests' files listed ($(wc -w <<<"$files"), 100 or more expected)"
bad=$(grep -nE "$pat" $files </dev/null)
[ -z "$bad" ] && ok "no awk sum or quotient printed with print (mawk: 2.14748e+09)" ||
	notok "awk sums are printed with printf \"%.0f\", not print (mawk: 2.14748e+09)" "$bad"

# the check above finds what it is for: each wrong form, and none of the
# right ones (a pattern that matches nothing would pass any tree)
wrong='END { print s }
END {print s * 4}
{ print $2 / 4 }
END { print total }'
right='END { printf "%.0f\n", s }
{ printf "%.0f\n", $2 / 4 }
END { print n }'
if [ "$(grep -cE "$pat" <<<"$wrong")" -eq 4 ] && [ "$(grep -cE "$pat" <<<"$right")" -eq 0 ]; then
	ok "the check finds the 4 wrong forms and none of the right ones"
else
	notok "the check finds the 4 wrong forms and none of the right ones"
fi

# the project's own sums, as the tests print them (each END { printf FMT,
# s... } and { printf FMT, $N / K } in the files above, whatever FMT),
# run on values of 2^31 and more: every one prints the whole number, none
# 2.14748e+09 (print) nor 2147483647 (mawk's %d)
forms=$(grep -ohE 'END *\{ *printf +"[^"]*", *(s|sum|total)\b[^}]*\}|\{ *printf +"[^"]*", *\$[0-9]+ *[*/] *[0-9]+ *\}' $files </dev/null | sort -u)
bad= nf=0
while IFS= read -r f; do
	[ -n "$f" ] || continue
	nf=$((nf + 1))
	out=$(echo "8589934592 8589934592 8589934592 8589934592" |
		awk "BEGIN { s = sum = total = 2147483648 } $f" 2>&1 | tail -1)
	[[ $out =~ ^[0-9]+$ ]] && [ "$out" -ge 2147483648 ] || bad+=" [$f: $out]"
done <<<"$forms"
[ "$nf" -ge 3 ] && [ -z "$bad" ] && ok "the tests' $nf printf forms of a sum print 2^31 and more whole" ||
	notok "the tests' printf forms of a sum print 2^31 and more whole ($nf found)" "${bad:-none found}"
echo "1..$n"
