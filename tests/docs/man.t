#!/bin/bash
# The man pages refer to each other by the sections they are installed in
# (hotmem(1); hotmemfs, hotmemctl, hotmemd, hotmem-trace, hotmem-enter(8)),
# every page's SEE ALSO names every other hotmem page, and man renders each
# without a warning (#13.5).
. "$(dirname "$0")/lib.sh"
declare -A sect
# the pages there (none would check nothing: "1..0")
pages=$(ls "$src"/man/*.[18] 2>/dev/null | wc -l)
[ "$pages" -ge 6 ] && ok "man/: $pages pages" || notok "man/: the pages there ($pages, 6 or more expected)"
for f in "$src"/man/*.[18]; do
	b=${f##*/}
	sect[${b%.*}]=${b##*.}
done
for f in "$src"/man/*.[18]; do
	page=${f##*/}
	page=${page%.*}
	# every reference to one of ours, anywhere in the page: NAME (S)
	bad=$(grep -o '^\.BR hotmem[a-z-]* *([0-9])' "$f" | sed 's/^\.BR //; s/ //g' | while read -r r; do
		name=${r%(*}
		s=${r#*(}
		s=${s%)}
		if [ -z "${sect[$name]:-}" ]; then echo "$r (no such page)"
		elif [ "${sect[$name]}" != "$s" ]; then echo "$r (is $name(${sect[$name]}))"; fi
	done)
	[ -z "$bad" ] && ok "$page: references name the right sections" ||
		notok "$page: references name the right sections" "$bad"
	seealso=$(sed -n '/^\.SH SEE ALSO/,/^\.SH /p' "$f")
	missing=
	for other in "${!sect[@]}"; do
		[ "$other" = "$page" ] && continue
		grep -q "^\.BR $other (${sect[$other]})" <<<"$seealso" || missing+=" $other(${sect[$other]})"
	done
	[ -z "$missing" ] && ok "$page: SEE ALSO names every other hotmem page" ||
		notok "$page: SEE ALSO names every other hotmem page" "missing:$missing"
	if command -v man >/dev/null; then
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		[ -z "$w" ] && ok "$page: man --warnings renders it cleanly" ||
			notok "$page: man --warnings renders it cleanly" "$w"
	else
		skip_check "$page: man --warnings renders it cleanly" "man missing (man-db, scripts/deps/docs-test.list)"
	fi
done
echo "1..$n"
