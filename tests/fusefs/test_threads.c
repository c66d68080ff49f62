// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemfs's default --threads (hmfs_default_threads(), fusefs/hmfs.h): two
 * a CPU, at least 4, never more than --threads itself takes -- on a machine
 * of more than 512 CPUs two a CPU was past HMFS_MAX_THREADS, a count the
 * option refuses.  A pure function: no machine here has 513 CPUs to start
 * hotmemfs on.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hmfs.h"

static void test_two_a_cpu_at_least_four(void **state)
{
	(void)state;
	assert_int_equal(hmfs_default_threads(-1), 4); /* sysconf() could not say */
	assert_int_equal(hmfs_default_threads(0), 4);
	assert_int_equal(hmfs_default_threads(1), 4);
	assert_int_equal(hmfs_default_threads(2), 4);
	assert_int_equal(hmfs_default_threads(3), 6);
	assert_int_equal(hmfs_default_threads(64), 128);
	assert_int_equal(hmfs_default_threads(HMFS_MAX_THREADS / 2 - 1), HMFS_MAX_THREADS - 2);
}

static void test_capped_at_what_threads_takes(void **state)
{
	static const long cpus[] = { HMFS_MAX_THREADS / 2, HMFS_MAX_THREADS / 2 + 1, 1000, 4096,
				     8192, 1L << 20, LONG_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		assert_int_equal(hmfs_default_threads(cpus[i]), HMFS_MAX_THREADS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_a_cpu_at_least_four),
		cmocka_unit_test(test_capped_at_what_threads_takes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
