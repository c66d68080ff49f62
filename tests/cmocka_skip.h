/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HOTMEM_TESTS_CMOCKA_SKIP_H
#define HOTMEM_TESTS_CMOCKA_SKIP_H

/*
 * A cmocka check this machine cannot make (no userfaultfd, no /dev/shm,
 * not root) skips saying why, where make check's list of skips reads it
 * (scripts/skips.sh: "ok N - name # SKIP why", as tests/need.sh's helpers
 * print).  Not cmocka's skip(): 1.1.5 prints "not ok N # SKIP test_name"
 * -- prove counts it failed, skips.sh lists no "not ok", and the test's
 * name stands where the reason goes; a "# SKIP: why" comment before it
 * was seen in the TAP only (reread20 G6).
 *
 * cmocka 1.1.5's _cmocka_run_group_tests() prints the name from the
 * caller's table (its state points into it) once the test is over, so
 * skip_why() puts " # SKIP why" after the running test's name there and
 * ends the test as passed.  From any depth (a helper of a helper):
 * skip_register() wraps each test in main()'s table -- its setup counts
 * which test runs (cmocka calls every test's setup, in the table's order,
 * before the test), its body is run under a setjmp() that skip_why()
 * longjmp()s to.  The table must not be const: static, registered before
 * cmocka_run_group_tests().  A skip_why() outside a registered table's
 * test (none) is a plain skip().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define CMOCKA_SKIP_MAX 256

static struct {
	struct CMUnitTest *tests;
	size_t n, next, current;
	CMUnitTestFunction body[CMOCKA_SKIP_MAX];
	CMFixtureFunction setup[CMOCKA_SKIP_MAX];
	char name[CMOCKA_SKIP_MAX][256];
	jmp_buf out;
} cmocka_skip;

/* the test's own setup, after noting which test this is */
static inline int cmocka_skip_setup(void **state)
{
	size_t i = cmocka_skip.next++;

	cmocka_skip.current = i;
	return cmocka_skip.setup[i] ? cmocka_skip.setup[i](state) : 0;
}

/* the test's body; skip_why() comes back here: a pass, renamed */
static inline void cmocka_skip_body(void **state)
{
	if (!setjmp(cmocka_skip.out))
		cmocka_skip.body[cmocka_skip.current](state);
}

static inline void skip_register(struct CMUnitTest *tests, size_t n)
{
	if (n > CMOCKA_SKIP_MAX) {
		fprintf(stderr, "cmocka_skip.h: %zu tests, room for %d\n", n, CMOCKA_SKIP_MAX);
		abort();
	}
	cmocka_skip.tests = tests;
	cmocka_skip.n = n;
	for (size_t i = 0; i < n; i++) {
		cmocka_skip.body[i] = tests[i].test_func;
		cmocka_skip.setup[i] = tests[i].setup_func;
		tests[i].test_func = cmocka_skip_body;
		tests[i].setup_func = cmocka_skip_setup;
	}
}

#define skip_register_tests(tests) skip_register((tests), sizeof(tests) / sizeof((tests)[0]))

__attribute__((noreturn)) static inline void skip_why(const char *why)
{
	size_t i = cmocka_skip.current;

	if (!cmocka_skip.tests || i >= cmocka_skip.n) {
		print_message("# SKIP: %s\n", why);
		skip();
		abort();
	}
	snprintf(cmocka_skip.name[i], sizeof(cmocka_skip.name[i]), "%s # SKIP %s",
		 cmocka_skip.tests[i].name, why);
	cmocka_skip.tests[i].name = cmocka_skip.name[i];
	longjmp(cmocka_skip.out, 1);
}

#endif
