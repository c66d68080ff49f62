#!/bin/bash
# Every shell file of the test suite parses (bash -n): a sourced lib.sh
# that does not (an apostrophe inside a single-quoted python -c, say)
# leaves its functions undefined, and a test comparing two of their empty
# outputs passes while checking nothing (8c39473 did that to
# tests/reliability/lib.sh's snapshot() for an hour).
. "$(dirname "$0")/lib.sh"
cd "$src" || exit 1
files=$(git ls-files 'tests/*.sh' 'tests/*.t' 'scripts/*.sh' 2>/dev/null || find tests scripts -name '*.sh' -o -name '*.t')
bad=()
count=0
for f in $files; do
	head -1 "$f" | grep -q 'bash\|^#!/bin/sh' || case $f in *.sh) ;; *) continue ;; esac
	count=$((count + 1))
	bash -n "$f" 2>"/tmp/shell-syntax.$$" || bad+=("$(head -1 "/tmp/shell-syntax.$$")")
done
rm -f "/tmp/shell-syntax.$$"
[ ${#bad[@]} -eq 0 ] && ok "all $count shell files of tests/ and scripts/ parse (bash -n)" ||
	notok "every shell file of tests/ and scripts/ parses (bash -n)" "${bad[@]}"
echo "1..$n"
