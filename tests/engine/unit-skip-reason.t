#!/bin/bash
# An engine cmocka check this machine cannot make skips where make
# check's list of skips reads it, with its reason: "ok N - name # SKIP
# why" (scripts/skips.sh), not cmocka 1.1.5's own skip(), "not ok N #
# SKIP test_name" (prove counts it failed, skips.sh lists no "not ok",
# the name stands where the reason goes; reread20 G6, tests/cmocka_skip.h).
# test_memory_failure's test_poison_elsewhere_reads_no_memmap is told
# there is no userfaultfd (HOTMEM_TEST_NO_UFFD).
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
unit=$B/tests/engine/test_memory_failure
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
. "$(dirname "$0")/../need.sh"
[ -x "$unit" ] || need_whole_skip "$unit not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"

HOTMEM_TEST_NO_UFFD=1 CMOCKA_MESSAGE_OUTPUT=TAP "$unit" >"$tmp/out" 2>&1
rc=$?
grep "test_poison_elsewhere_reads_no_memmap" "$tmp/out" | sed 's/^/# /'
[ "$rc" = 0 ]
ok $? "test_memory_failure exits 0 with a check skipped (rc $rc)"
why='no userfaultfd or pagemap here: the host faults around, reads do not show'
grep -qxE "ok [0-9]+ - test_poison_elsewhere_reads_no_memmap # SKIP $why" "$tmp/out"
ok $? "the skip: ok N - test_poison_elsewhere_reads_no_memmap (hash) SKIP $why"
! grep -q '^not ok' "$tmp/out"
ok $? "no not ok line"
mkdir -p "$tmp/logs" && cp "$tmp/out" "$tmp/logs/tests%engine%test_memory_failure.tap"
"$SRC/scripts/skips.sh" "$tmp/logs" >"$tmp/skips"
sed 's/^/# /' "$tmp/skips"
grep -qxE "  tests/engine/test_memory_failure: ok [0-9]+ - test_poison_elsewhere_reads_no_memmap # SKIP $why" "$tmp/skips"
ok $? "make check's list of skips names it with its reason"
