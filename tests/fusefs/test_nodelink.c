// SPDX-License-Identifier: GPL-2.0
/*
 * fusefs/nodelink.c and the table under it (htab.c) on their own: a
 * hot-added block's node links held from its ADD until its hot-add's link
 * event, the event releasing only the holds made before it was queued; a
 * restore's or an undo's "linked at once" (hmfs_nodelink_now()) showing
 * the links but leaving the hold for that event, whose release drops the
 * listings read before (events.c node_linked()); and now() over a range
 * far wider than the holds costing the holds, not the range, and one
 * narrower than the table's buckets costing the range, not the buckets.  Both files
 * are compiled in (they need nothing but pthreads and the context).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../fusefs/htab.c"
#include "../../fusefs/nodelink.c"

static int setup(void **state)
{
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -1;
	hmfs_nodelink_init(ctx);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	struct hmfs_ctx *ctx = *state;

	hmfs_nodelink_free(ctx);
	pthread_mutex_destroy(&ctx->nodelink_lock);
	free(ctx);
	return 0;
}

/* a hold waits until a link event queued after it releases it; an older event does not */
static void test_hold_release(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t before = hmfs_nodelink_seq(ctx), after;

	assert_false(hmfs_nodelink_waits(ctx, 32));
	hmfs_nodelink_hold(ctx, 32);
	hmfs_nodelink_hold(ctx, 33);
	after = hmfs_nodelink_seq(ctx);
	assert_true(hmfs_nodelink_waits(ctx, 32));
	assert_false(hmfs_nodelink_waits(ctx, 34));
	/* the late event of a block removed and added again */
	assert_false(hmfs_nodelink_release(ctx, 32, before));
	assert_true(hmfs_nodelink_waits(ctx, 32));
	assert_true(hmfs_nodelink_release(ctx, 32, after));
	assert_false(hmfs_nodelink_waits(ctx, 32));
	assert_false(hmfs_nodelink_release(ctx, 32, after)); /* once */
	hmfs_nodelink_drop(ctx, 33); /* its REMOVE */
	assert_false(hmfs_nodelink_waits(ctx, 33));
	assert_false(hmfs_nodelink_release(ctx, 33, after));
	assert_int_equal(ctx->nr_nodelink, 0);
	assert_null(ctx->nodelink.b); /* the buckets went with the last hold */
}

/*
 * An undo's blocks shown at once: no longer waiting, but still released
 * by their link event (true: node_linked() fences their listings), which
 * found nothing to release before and dropped no listing read meanwhile
 */
static void test_now_keeps_for_event(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t seq;

	hmfs_nodelink_hold(ctx, 40);
	hmfs_nodelink_hold(ctx, 41);
	hmfs_nodelink_hold(ctx, 90);
	seq = hmfs_nodelink_seq(ctx);
	hmfs_nodelink_now(ctx, 40, 42);
	assert_false(hmfs_nodelink_waits(ctx, 40));
	assert_false(hmfs_nodelink_waits(ctx, 41));
	assert_true(hmfs_nodelink_waits(ctx, 90));
	assert_true(hmfs_nodelink_release(ctx, 40, seq));
	assert_true(hmfs_nodelink_release(ctx, 41, seq));
	assert_true(hmfs_nodelink_release(ctx, 90, seq));
}

/*
 * now() over a whole device's range (dev.c links_now(): 131072 blocks of
 * a 16 TiB device, on every plugged run) while a hot-add holds two: the
 * holds are walked, not the range -- a lock round trip an id never ends
 * here (2^44 ids)
 */
static void test_now_wide_range(void **state)
{
	struct hmfs_ctx *ctx = *state;

	hmfs_nodelink_hold(ctx, 5);
	hmfs_nodelink_hold(ctx, 1UL << 45);
	hmfs_nodelink_now(ctx, 0, 1UL << 44);
	assert_false(hmfs_nodelink_waits(ctx, 5));
	assert_true(hmfs_nodelink_waits(ctx, 1UL << 45));
	hmfs_nodelink_now(ctx, 1UL << 45, (1UL << 45) + 1); /* the range narrower: by id */
	assert_false(hmfs_nodelink_waits(ctx, 1UL << 45));
}

/*
 * The walk's cost is the buckets' (reread19-fusefs F5): after a hot-add of
 * 4096 blocks whose holds all went but one, the buckets stay (2048+), and
 * now() over a run of 100 blocks looks each up rather than walk them all;
 * over a range wider than the buckets and holds it walks the table
 */
static void test_now_walk_by_buckets(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t seq;

	for (unsigned long id = 0; id < 4096; id++)
		hmfs_nodelink_hold(ctx, id);
	seq = hmfs_nodelink_seq(ctx);
	for (unsigned long id = 1; id < 4096; id++)
		assert_true(hmfs_nodelink_release(ctx, id, seq));
	assert_int_equal(ctx->nodelink.nr, 1);
	assert_true(ctx->nodelink.buckets >= 2048);
	assert_false(now_walks_table(&ctx->nodelink, 8000, 8100));
	assert_true(now_walks_table(&ctx->nodelink, 0, 1UL << 44));
	hmfs_nodelink_now(ctx, 0, 100);
	assert_false(hmfs_nodelink_waits(ctx, 0));
	assert_true(hmfs_nodelink_release(ctx, 0, seq));
}

/* the table grows past its first buckets and finds, deletes and lists every record */
static void test_htab(void **state)
{
	struct hmfs_htab t = { 0 };
	struct hmfs_hnode *n = calloc(5000, sizeof(*n)), *e;
	unsigned long count = 0;

	(void)state;
	assert_non_null(n);
	for (uint64_t i = 0; i < 5000; i++) {
		n[i].key = i * 7919;
		assert_true(hmfs_htab_add(&t, &n[i]));
	}
	assert_int_equal(t.nr, 5000);
	assert_true(t.buckets >= 5000 / 2);
	for (uint64_t i = 0; i < 5000; i++)
		assert_ptr_equal(hmfs_htab_find(&t, i * 7919), &n[i]);
	assert_null(hmfs_htab_find(&t, 1));
	assert_ptr_equal(hmfs_htab_del(&t, 7919), &n[1]);
	assert_null(hmfs_htab_find(&t, 7919));
	assert_null(hmfs_htab_del(&t, 7919));
	for (e = hmfs_htab_take_all(&t); e; e = e->next)
		count++;
	assert_int_equal(count, 4999);
	assert_null(t.b);
	assert_int_equal(t.nr, 0);
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hold_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_now_keeps_for_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_now_wide_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_now_walk_by_buckets, setup, teardown),
		cmocka_unit_test(test_htab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
