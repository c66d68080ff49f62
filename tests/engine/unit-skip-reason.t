#!/bin/bash
# An engine cmocka check this machine cannot make skips where make
# check's list of skips reads it, with its reason: "ok N - name # SKIP
# why" (scripts/skips.sh), not cmocka 1.1.5's own skip(), "not ok N #
# SKIP test_name" (prove counts it failed, skips.sh lists no "not ok",
# the name stands where the reason goes; reread20 G6, tests/cmocka_skip.h).
# test_memory_failure's test_poison_elsewhere_reads_no_memmap is told
# there is no userfaultfd (HOTMEM_TEST_NO_UFFD).
#
# Then tests/cmocka_skip.h on its own, in a program of its own (reread21b
# K5): a table larger than its old fixed room (256 tests, 256-byte names)
# skips whole; a skip_filter leaves the right test running and named
# (the setups were counted: the second test's setup ran the first's
# body); a skip_why() from a group setup, a test's setup, a teardown
# after a failed body, another thread, or with a group setup's state is
# refused with a message and abort(), not a longjmp() into a returned
# frame nor a skip named on another test.
set -u
B=${HOTMEM_BUILD:-build}
SRC=${HOTMEM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CC=${CC:-cc}
unit=$B/tests/engine/test_memory_failure
n=0 need_plan_first=1
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; return 1; fi; }
nok() { ok 1 "$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
. "$(dirname "$0")/../need.sh"
[ -x "$unit" ] || need_whole_skip "$unit not built"
need_tool "$CC" gcc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..14"

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

# the header on its own: one program, a case an argument
cat >"$tmp/probe.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_skip.h"

static char why_long[400];

static void t_pass(void **state) {}
static void t_skip(void **state) { skip_why(why_long); }
static void t_skip_b(void **state) { skip_why("b skips"); }
static void t_fail(void **state) { fail(); }
static int setup_skips(void **state) { skip_why("from a setup"); }
static int teardown_skips(void **state) { skip_why("from a teardown"); }
static int group_skips(void **state) { skip_why("from a group setup"); }
static int group_state(void **state) { *state = why_long; return 0; }
static void *thread_skips(void *arg) { skip_why("from another thread"); }
static void t_thread(void **state)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, thread_skips, NULL))
		pthread_join(t, NULL);
}

/* 300 tests of 300-character names, every other one skipping */
static int many(void)
{
	enum { N = 300 };
	static struct CMUnitTest t[N];

	for (size_t i = 0; i < N; i++) {
		char *name = malloc(320);

		if (!name)
			return 1;
		snprintf(name, 320, "t%03zu_%0295d", i, 0);
		t[i] = (struct CMUnitTest){ .name = name, .test_func = i % 2 ? t_skip : t_pass };
	}
	skip_register(t, N);
	return _cmocka_run_group_tests("many", t, N, NULL, NULL);
}

int main(int argc, char **argv)
{
	static struct CMUnitTest two[] = { cmocka_unit_test(t_pass), cmocka_unit_test(t_skip_b) };
	static struct CMUnitTest su[] = { cmocka_unit_test_setup(t_pass, setup_skips) };
	static struct CMUnitTest td[] = { cmocka_unit_test_teardown(t_fail, teardown_skips) };
	static struct CMUnitTest th[] = { cmocka_unit_test(t_thread) };
	const char *c = argc > 1 ? argv[1] : "";

	memset(why_long, 'w', sizeof(why_long) - 1);
	if (!strcmp(c, "many"))
		return many();
	if (!strcmp(c, "filter")) {
		cmocka_set_skip_filter("t_pass");
		skip_register_tests(two);
		return cmocka_run_group_tests(two, NULL, NULL);
	}
	if (!strcmp(c, "group")) {
		skip_register_tests(two);
		return cmocka_run_group_tests(two, group_skips, NULL);
	}
	if (!strcmp(c, "group-state")) {
		skip_register_tests(two);
		return cmocka_run_group_tests(two, group_state, NULL);
	}
	if (!strcmp(c, "setup")) {
		skip_register_tests(su);
		return cmocka_run_group_tests(su, NULL, NULL);
	}
	if (!strcmp(c, "teardown")) {
		skip_register_tests(td);
		return cmocka_run_group_tests(td, NULL, NULL);
	}
	if (!strcmp(c, "thread")) {
		skip_register_tests(th);
		return cmocka_run_group_tests(th, NULL, NULL);
	}
	return 2;
}
C
# the units' own warnings, as errors (Makefile CFLAGS_COMMON)
"$CC" -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -D_GNU_SOURCE -pthread -I"$SRC/tests" "$tmp/probe.c" -o "$tmp/probe" \
	-lcmocka >"$tmp/cc.err" 2>&1
ok $? "a program of tests/cmocka_skip.h alone builds with the units' warnings as errors" ||
	sed 's/^/# /' "$tmp/cc.err"
# probe CASE: its TAP in $tmp/CASE, its stderr in $tmp/CASE.err, its status
# (a shell of its own, whose "Aborted" goes there too)
probe() { CMOCKA_MESSAGE_OUTPUT=TAP bash -c '"$@"; exit $?' - "$tmp/probe" "$1" >"$tmp/$1" 2>"$tmp/$1.err"; }

probe many
rc=$?
long=$(printf 'w%.0s' $(seq 399))
[ "$rc" = 0 ] && [ "$(grep -c '^ok ' "$tmp/many")" = 300 ] && ! grep -q '^not ok' "$tmp/many"
ok $? "300 tests (room for 256 before): all ok, exit 0 (rc $rc)" || sed 's/^/# /' "$tmp/many.err"
[ "$(grep -cxE "ok [0-9]+ - t[0-9]{2}[13579]_0{295} # SKIP $long" "$tmp/many")" = 150 ]
ok $? "... the 150 skips named whole: 300-character names, 399-character reasons (256 bytes before)"

probe filter
rc=$?
sed 's/^/# /' "$tmp/filter"
[ "$rc" = 0 ] && grep -qx 'ok 1 - t_skip_b # SKIP b skips' "$tmp/filter"
ok $? "a skip filter leaving the second test: it runs, skipped as itself (rc $rc)"

# refused CASE WHAT: CASE aborted (SIGABRT: 134), saying so on stderr
refused() {
	local rc
	probe "$1"
	rc=$?
	sed 's/^/# /' "$tmp/$1.err"
	[ "$rc" = 134 ] && grep -qF "cmocka_skip.h: $2" "$tmp/$1.err"
}
refused group 'skip_why("from a group setup") outside a registered test'"'"'s body'
ok $? "skip_why() in a group setup: refused, abort()"
refused setup 'skip_why("from a setup") outside a registered test'"'"'s body'
ok $? "skip_why() in a test's setup: refused, abort()"
refused teardown 'skip_why("from a teardown") outside a registered test'"'"'s body'
ok $? "skip_why() in a teardown after its body failed: refused, abort() (not a longjmp() into the body's returned frame)"
refused thread 'skip_why("from another thread") from another thread'
ok $? "skip_why() from a thread the body started: refused, abort()"
refused group-state 'a test'"'"'s setup was given a state that is not its entry'
ok $? "a group setup's state, which hides the test that runs: refused, abort()"
! grep -q ' # SKIP ' "$tmp/group-state"
ok $? "... no skip named on a guess" || sed 's/^/# /' "$tmp/group-state"
