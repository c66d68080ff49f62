#!/bin/bash
# A cmocka check of tests/daemon that this machine cannot make skips where
# make check's list of skips reads it, with its reason: "ok N - name #
# SKIP why" (scripts/skips.sh, as tests/need.sh's helpers print), not
# cmocka 1.1.5's own skip(), "not ok N # SKIP test_name": prove counts
# that failed, skips.sh lists no "not ok", and the name stands where the
# reason goes (reread20 G6).  test_online's test_listing_order_verified
# is told there is no /dev/shm (HOTMEM_TEST_NO_SHM).
. "$(dirname "$0")/lib.sh"
unit=$HOTMEM_BUILD/tests/daemon/test_online
need_built "$unit"
HOTMEM_TEST_NO_SHM=1 CMOCKA_MESSAGE_OUTPUT=TAP "$unit" >"$TMP/out" 2>&1
rc=$?
grep "test_listing_order_verified" "$TMP/out" | sed 's/^/# /'
is "$rc" 0 "test_online exits 0 with a check skipped"
check "the skip: ok N - test_listing_order_verified (hash) SKIP no /dev/shm" \
	grep -qE '^ok [0-9]+ - test_listing_order_verified # SKIP no /dev/shm$' "$TMP/out"
is "$(grep -c '^not ok' "$TMP/out")" 0 "no not ok line"
mkdir -p "$TMP/logs" && cp "$TMP/out" "$TMP/logs/tests%daemon%test_online.tap"
"$HOTMEM_SRC/scripts/skips.sh" "$TMP/logs" >"$TMP/skips"
sed 's/^/# /' "$TMP/skips"
check "make check's list of skips names it with its reason" \
	grep -qE '^  tests/daemon/test_online: ok [0-9]+ - test_listing_order_verified # SKIP no /dev/shm$' "$TMP/skips"
done_testing
