#!/bin/bash
# What the docs and the code cite is in the repository (#13.5): nothing
# cites DESIGN.md or shared/recipes (not shipped) except
# docs/design-notes.md, which says what they were; every "seed 00N" named
# anywhere has its section there; docs that name a seed link to it; and
# every link to docs/design-notes.md#anchor finds its heading.
. "$(dirname "$0")/lib.sh"
cd "$src" || exit 1
files() { # the project's own text: docs, man pages, sources, scripts, tests, units
	git ls-files -co --exclude-standard -- README.md docs man engine fusefs daemon bpf scripts \
		unit-files tests Makefile | grep -v -e '^tests/kernel/cache/' -e '^tests/systemd/cache/' \
		-e '^tests/docs/citations.t$' -e '^docs/design-notes.md$' -e '^tests/fuzz/corpus/' |
		while read -r f; do [ -f "$f" ] && echo "$f"; done
}
# the files there (none, a git that failed, would find nothing to cite)
nf=$(files | wc -l)
[ "$nf" -ge 100 ] && ok "the project's files: $nf" || notok "the project's files listed ($nf, 100 or more expected)"
notes=docs/design-notes.md
[ -s "$notes" ] && ok "$notes exists" || notok "$notes exists"

bad=$(files | xargs grep -nE 'DESIGN\.md|shared/recipes|(\.\./)shared/reference' 2>/dev/null |
	grep -v '^tests/fixtures/reference/README.md:' | grep -v '^tests/fusefs/00-plain-clone.t:')
[ -z "$bad" ] && ok "nothing cites DESIGN.md or shared/recipes, which are not in the repository" ||
	notok "nothing cites DESIGN.md or shared/recipes, which are not in the repository" "$bad"

seeds=$(files | xargs grep -ohE 'seed 00[0-9]' 2>/dev/null | sort -u)
[ -n "$seeds" ] || seeds="seed 000"
while read -r s; do
	[ -n "$s" ] || continue
	grep -q "^### $s\$" "$notes" 2>/dev/null && ok "$s: explained in $notes" ||
		notok "$s: explained in $notes"
done <<<"$seeds"

unlinked=$(for f in README.md docs/*.md; do
	[ "$f" = "$notes" ] && continue
	grep -q 'seed 00[0-9]' "$f" && ! grep -q 'design-notes.md' "$f" && echo "$f"
done)
[ -z "$unlinked" ] && ok "docs naming a seed link to $notes" || notok "docs naming a seed link to $notes" "$unlinked"

# GitHub's anchors: lower case, punctuation but '-' and ' ' dropped, spaces to '-'
anchors=$(sed -n 's/^#\+ //p' "$notes" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 -]//g; s/ /-/g')
broken=$(grep -ohE 'design-notes\.md#[a-z0-9-]+' README.md docs/*.md | sort -u | while read -r l; do
	grep -qx "${l#*#}" <<<"$anchors" || echo "$l"
done)
[ -z "$broken" ] && ok "links to $notes#... find their headings" || notok "links to $notes#... find their headings" "$broken"
echo "1..$n"
