#!/bin/bash
# The tests' own helpers fail on the wrong input.  A helper that cannot
# fail makes every check built on it pass whatever the program does: the
# session 12 final read found same_text (tests/reliability/lib.sh) passing
# two empty snapshots, i.e. two failed `hotmemctl status` runs, as "the
# same machine".  Each helper runs here in a bash of its own, sourced from
# its own folder as a test there sources it; nothing is mounted.
. "$(dirname "$0")/lib.sh"
tests=$(cd "$src/tests" && pwd)

# probe AREA CODE: CODE run after sourcing tests/AREA/lib.sh (its $0 a
# test of that folder, as the lib expects); its output and exit status
probe() {
	bash -c '. "$(dirname "$0")/lib.sh"; '"$2" "$tests/$1/probe.t" 2>&1
}
# expect NAME WANT-REGEX OUTPUT: OUTPUT matches (the probe's TAP)
expect() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else notok "$1" "got: $3"; fi
}

# ---- tests/reliability/lib.sh same_text ----
expect "same_text: two empty sides fail (two failed snapshots are not the same machine)" \
	'^not ok 1 - x' "$(probe reliability 'same_text "" "" x')"
expect "same_text: an empty got fails" '^not ok 1 - x' "$(probe reliability 'same_text "" "a" x')"
expect "same_text: an empty want fails" '^not ok 1 - x' "$(probe reliability 'same_text "a" "" x')"
expect "same_text: different texts fail, with a diff" $'^not ok 1 - x\n#   --- ' \
	"$(probe reliability 'same_text "a" "b" x')"
expect "same_text: the same text passes" '^ok 1 - x$' "$(probe reliability 'same_text "a" "a" x')"

echo "1..$n"
