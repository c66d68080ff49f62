#!/bin/bash
# docs/engine.md "Linking it" gives the line a program links libhotmem.a
# with; `-lhotmem` alone fails with "undefined reference to sqrt" and
# nothing said so (usereye8 5e).  The line as the doc prints it builds a
# program against libhotmem.a laid out as `make install` lays it out, and
# the program boots a machine.
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}
doc=$src/docs/engine.md
line=$(grep -m1 -E '^    cc prog\.c ' "$doc")
if [ -n "$line" ]; then
	ok "docs/engine.md gives the link line: $(sed "s/^ *//" <<<"$line")"
else
	notok "docs/engine.md gives a link line ('    cc prog.c ...')"
	echo "1..$n"
	exit 1
fi
if [ ! -e "$B/libhotmem.a" ] || ! command -v "$CC" >/dev/null; then
	skip_check "a program links and runs with it" "no $B/libhotmem.a or $CC"
	echo "1..$n"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/include/hotmem" "$T/lib"
install -m 0644 "$src/engine/hotmem.h" "$src/engine/hotmem_probes.h" "$T/include/hotmem/"
install -m 0644 "$B/libhotmem.a" "$T/lib/"
cp "$src/tests/docs/engine_prog.c" "$T/prog.c"
# the doc's line, its flags after prog.c, with the installed layout's -I/-L
read -r -a flags <<<"${line#*prog.c}"
san=()
[ -n "${SANITIZE:-}" ] && san=(-fsanitize="$SANITIZE")
if out=$(cd "$T" && "$CC" -std=gnu11 -Wall -Werror "${san[@]}" -Iinclude prog.c -Llib "${flags[@]}" -o prog 2>&1); then
	ok "a program links with '${flags[*]}' against the installed layout"
else
	notok "a program links with '${flags[*]}' against the installed layout" "$(head -5 <<<"$out")"
	echo "1..$n"
	exit 1
fi
out=$("$T/prog" 2>&1)
if grep -qE '^booted: [0-9]+ blocks$' <<<"$out"; then
	ok "... and boots a machine: $out"
else
	notok "... and boots a machine" "$out"
fi
echo "1..$n"
