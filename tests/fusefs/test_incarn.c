// SPDX-License-Identifier: GPL-2.0
/*
 * fusefs/incarn.c on its own: the keys of memory blocks and NUMA nodes
 * that went and came back.  A key is never given twice in a mount, an
 * id's own key names it until it first goes, and a counter at its limit
 * (a node's 28 bits: HMFS_NODE_KEY_LIMIT) keeps the key of an id that goes
 * rather than give one the inode numbers cannot hold.  incarn.c is
 * compiled in (it needs nothing but pthreads and the context).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../fusefs/incarn.c"

static int setup(void **state)
{
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -1;
	hmfs_inc_init(ctx);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	struct hmfs_ctx *ctx = *state;

	hmfs_inc_free(ctx);
	pthread_mutex_destroy(&ctx->inc_lock);
	free(ctx);
	return 0;
}

/* an id that never went is its own key, and the key its id; a node's keys start above every nid */
static void test_own_key(void **state)
{
	struct hmfs_ctx *ctx = *state;

	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_NODE, 2), 2);
	assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_NODE, 2), 2);
	assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_NODE, HMFS_NODE_ID_MAX + 1), -1);
	assert_false(hmfs_inc_was_given(ctx, HMFS_INC_NODE, HMFS_NODE_ID_MAX + 1));
	assert_int_equal(hmfs_inc_gone(ctx, HMFS_INC_NODE, 2), 2);
	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_NODE, 2), HMFS_NODE_ID_MAX + 1);
	assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_NODE, HMFS_NODE_ID_MAX + 1), 2);
	/* the key that went names nothing, and was given */
	assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_NODE, 2), -1);
	assert_true(hmfs_inc_was_given(ctx, HMFS_INC_NODE, 2));
	/* the other nodes and the blocks are as they were */
	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_NODE, 1), 1);
	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_BLOCK, 2), 2);
	assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_BLOCK, 2), 2);
}

/* many ids going many times: every key distinct, each present one names its id */
static void test_never_twice(void **state)
{
	struct hmfs_ctx *ctx = *state;
	enum { IDS = 64, ROUNDS = 40 };
	uint64_t seen[IDS * (ROUNDS + 1)];
	size_t n = 0;

	for (int r = 0; r < ROUNDS; r++)
		for (unsigned long id = 0; id < IDS; id++)
			seen[n++] = hmfs_inc_gone(ctx, HMFS_INC_NODE, id);
	for (unsigned long id = 0; id < IDS; id++) {
		uint64_t key = hmfs_inc_key(ctx, HMFS_INC_NODE, id);

		assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_NODE, key), (long)id);
		seen[n++] = key;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_true(seen[i] != seen[j]);
}

/* at its limit a counter gives no more keys: the id keeps its own, once said */
static void test_limit(void **state)
{
	struct hmfs_ctx *ctx = *state;
	struct hmfs_inc_tab *t = &ctx->inc[HMFS_INC_NODE];
	uint64_t last = HMFS_NODE_KEY_LIMIT - 1;

	t->next = last;
	assert_int_equal(hmfs_inc_gone(ctx, HMFS_INC_NODE, 3), 3);
	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_NODE, 3), last);
	assert_false(t->full);
	assert_int_equal(hmfs_inc_gone(ctx, HMFS_INC_NODE, 3), last);
	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_NODE, 3), last);
	assert_int_equal(hmfs_inc_id(ctx, HMFS_INC_NODE, last), 3);
	assert_true(t->full);
	/* a block's counter is its own, far from its limit */
	assert_int_equal(hmfs_inc_gone(ctx, HMFS_INC_BLOCK, 3), 3);
	assert_int_equal(hmfs_inc_key(ctx, HMFS_INC_BLOCK, 3), HMFS_BLOCK_ID_MAX + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
