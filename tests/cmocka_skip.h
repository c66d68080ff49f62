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
 * ends the test as passed.  From any depth (a helper of a helper) of the
 * test's body: skip_register() wraps each test of main()'s table -- its
 * setup learns which test runs, its body runs under a setjmp() that
 * skip_why() longjmp()s to, its teardown notes the body is over.
 *
 * Which test runs is not counted from the setups (cmocka runs only the
 * tests a cmocka_set_test_filter() or _skip_filter() leaves, so the Nth
 * setup need not be the table's Nth): each test's initial_state is its
 * own entry here, which 1.1.5 hands its setup as *state when no group
 * setup gave a state (cmtest->state = test->initial_state); the setup
 * gives the test its own initial_state back.  A group setup's state
 * hides the entry: refused, loudly (the test named would be a guess).
 *
 * skip_why() anywhere but in a registered test's body -- its setup or
 * teardown, a group setup or teardown (the jmp_buf is a body's, on its
 * stack: a longjmp() there went into a frame that had returned), another
 * thread, a table never registered -- is refused loudly: a message and
 * abort(), never a jump into a returned frame.  The table must not be
 * const: static, registered once, before cmocka_run_group_tests(); its
 * entries are sized from it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* one a test of the registered table: what skip_register() took from it */
struct cmocka_skip_entry {
	CMUnitTestFunction body;
	CMFixtureFunction setup, teardown;
	void *initial_state; /* the test's own, given to its setup */
	char *name;	     /* "name # SKIP why", once skipped */
};

static struct {
	struct CMUnitTest *tests;
	struct cmocka_skip_entry *e; /* tests[i]'s is e[i] */
	size_t n, current;
	jmp_buf *out;	  /* the running body's, NULL outside a body */
	pthread_t thread; /* the running body's */
} cmocka_skip;

__attribute__((noreturn, format(printf, 1, 2))) static inline void
cmocka_skip_refuse(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("cmocka_skip.h: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* the entry the setup's *@state is (skip_register()): which test runs */
static inline size_t cmocka_skip_which(void *state)
{
	uintptr_t p = (uintptr_t)state, first = (uintptr_t)cmocka_skip.e;

	if (p < first || p >= first + cmocka_skip.n * sizeof(*cmocka_skip.e) ||
	    (p - first) % sizeof(*cmocka_skip.e))
		cmocka_skip_refuse("a test's setup was given a state that is not its entry (a "
				   "group setup's state?): which test runs is not known, its "
				   "skip could name another");
	return (p - first) / sizeof(*cmocka_skip.e);
}

/* the test's own setup, once this setup learnt which test runs */
static inline int cmocka_skip_setup(void **state)
{
	size_t i = cmocka_skip_which(*state);

	/* no body runs: one that cmocka's fail() left by its longjmp() was over */
	cmocka_skip.out = NULL;
	cmocka_skip.current = i;
	*state = cmocka_skip.e[i].initial_state;
	return cmocka_skip.e[i].setup ? cmocka_skip.e[i].setup(state) : 0;
}

/* the test's body; skip_why() comes back here: a pass, renamed */
static inline void cmocka_skip_body(void **state)
{
	jmp_buf out;

	if (!setjmp(out)) {
		cmocka_skip.out = &out;
		cmocka_skip.thread = pthread_self();
		cmocka_skip.e[cmocka_skip.current].body(state);
	}
	cmocka_skip.out = NULL;
}

/* the test's own teardown: its body is over, however it ended */
static inline int cmocka_skip_teardown(void **state)
{
	const struct cmocka_skip_entry *e = &cmocka_skip.e[cmocka_skip.current];

	cmocka_skip.out = NULL;
	return e->teardown ? e->teardown(state) : 0;
}

static inline void skip_register(struct CMUnitTest *tests, size_t n)
{
	if (cmocka_skip.e)
		cmocka_skip_refuse("skip_register() called twice: one table a program");
	cmocka_skip.e = calloc(n ? n : 1, sizeof(*cmocka_skip.e));
	if (!cmocka_skip.e)
		cmocka_skip_refuse("no memory for %zu tests", n);
	cmocka_skip.tests = tests;
	cmocka_skip.n = n;
	for (size_t i = 0; i < n; i++) {
		if (!tests[i].test_func)
			cmocka_skip_refuse("test %zu (%s) has no body", i,
					   tests[i].name ? tests[i].name : "unnamed");
		cmocka_skip.e[i] = (struct cmocka_skip_entry){ tests[i].test_func,
							       tests[i].setup_func,
							       tests[i].teardown_func,
							       tests[i].initial_state, NULL };
		tests[i].test_func = cmocka_skip_body;
		tests[i].setup_func = cmocka_skip_setup;
		tests[i].teardown_func = cmocka_skip_teardown;
		tests[i].initial_state = &cmocka_skip.e[i];
	}
}

#define skip_register_tests(tests) skip_register((tests), sizeof(tests) / sizeof((tests)[0]))

__attribute__((noreturn)) static inline void skip_why(const char *why)
{
	size_t i = cmocka_skip.current;
	const char *name;
	char *renamed;

	if (!cmocka_skip.out)
		cmocka_skip_refuse("skip_why(\"%s\") outside a registered test's body (its setup or "
				   "teardown, a group fixture, or no skip_register_tests()): refused",
				   why);
	if (!pthread_equal(pthread_self(), cmocka_skip.thread))
		cmocka_skip_refuse("skip_why(\"%s\") from another thread than the test's body: "
				   "refused",
				   why);
	name = cmocka_skip.tests[i].name;
	if (asprintf(&renamed, "%s # SKIP %s", name, why) < 0)
		cmocka_skip_refuse("no memory to name the skip of %s: %s", name, why);
	free(cmocka_skip.e[i].name);
	cmocka_skip.e[i].name = renamed;
	cmocka_skip.tests[i].name = renamed;
	longjmp(*cmocka_skip.out, 1);
}

#endif
