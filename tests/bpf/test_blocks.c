// SPDX-License-Identifier: GPL-2.0
/*
 * The blocks map's failure fields (bpf/hotmem_trace.h hmt_block_failure(),
 * what hotmem_trace.bpf.c's update_block() runs): a failure is counted
 * when its operation ends, on a kernel that inlines memory_block_online/
 * offline (6.1 .. 6.18) at online_pages/offline_pages' return, and a
 * test_pages_isolated -EBUSY, a pass offline_pages() repeats, is none
 * (usereye10 U2).  Replays the recorded 6.12 trace
 * (tests/fixtures/traces/kernel-6.12.jsonl, and 6.1's) and cut sequences of 6.12's
 * offline_pages().
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>

#include "hotmem_trace.h"
#include "event.h"
#include "jsonl.h"

#define BLOCK_PAGES 32768
#define NR_BLOCKS 64
#define B32 (32ULL * BLOCK_PAGES)
#define B33 (33ULL * BLOCK_PAGES)

struct blocks {
	struct hmt_block_state b[NR_BLOCKS];
	int block_ops;
};

static void blocks_init(struct blocks *bs, int block_ops)
{
	memset(bs, 0, sizeof(*bs));
	for (int i = 0; i < NR_BLOCKS; i++) {
		bs->b[i].error_fn = HMT_FN_none;
		bs->b[i].nid = -1; /* as block_of() makes a block */
		bs->b[i].zid = -1;
	}
	bs->block_ops = block_ops;
}

/* what track_block() does with an event: a block's own step, its exit */
static void feed(struct blocks *bs, const struct hmt_event *e)
{
	__u64 first = e->start_pfn / BLOCK_PAGES;

	if (e->phase != HMT_EXIT || !e->nr_pages || !hmt_block_step(e->fn))
		return;
	if ((e->start_pfn + e->nr_pages - 1) / BLOCK_PAGES != first || first >= NR_BLOCKS)
		return;
	hmt_block_failure(&bs->b[first], e, bs->block_ops);
	hmt_block_place(&bs->b[first], e);
}

static void step(struct blocks *bs, int fn, __u64 pfn, __s64 extra, __s64 ret)
{
	static __u64 ts;
	struct hmt_event e = { .ts = ++ts, .start_pfn = pfn, .nr_pages = BLOCK_PAGES,
			       .extra = extra, .ret = ret, .fn = (__u16)fn, .phase = HMT_EXIT };

	feed(bs, &e);
}

/* a recorded trace's events, in its order */
static void replay(struct blocks *bs, const char *name)
{
	const char *src = getenv("HOTMEM_SRC");
	char path[4096], line[4096];
	struct jsonl_obj o;
	unsigned long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/traces/%s", src ? src : ".", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s (HOTMEM_SRC: the source tree)", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct hmt_event e = { 0 };
		int fn;

		assert_int_equal(jsonl_parse(line, &o), 0);
		fn = hmt_fn_from_name(jsonl_str(&o, "ev", ""));
		if (fn < 0)
			continue;	/* meminfo lines */
		e.fn = (__u16)fn;
		e.phase = strcmp(jsonl_str(&o, "phase", ""), "exit") ? HMT_ENTER : HMT_EXIT;
		e.ts = (__u64)jsonl_num(&o, "ts", 0);
		e.start_pfn = (__u64)jsonl_num(&o, "start_pfn", 0);
		e.nr_pages = (__u64)jsonl_num(&o, "nr_pages", 0);
		e.extra = jsonl_num(&o, "extra", 0);
		e.ret = jsonl_num(&o, "ret", 0);
		feed(bs, &e);
		n++;
	}
	fclose(f);
	assert_true(n > 20);
}

/*
 * 6.12's recording: memory32 (Normal) offline fails -EBUSY at isolation,
 * offline_pages' return and nothing after it (memory_block_offline is
 * inlined); memory33 (Movable) goes offline.  The failure counts, ended.
 */
static void recorded_failed_offline_counts(const char *recording)
{
	static struct blocks bs;

	blocks_init(&bs, 0);
	replay(&bs, recording);
	assert_int_equal(bs.b[32].failed, 1);
	assert_int_equal(bs.b[32].error_fn, HMT_FN_offline_pages);
	assert_int_equal(bs.b[32].error, -EBUSY);
	assert_int_equal(bs.b[32].in_failure, 0);
	assert_int_equal(bs.b[33].failed, 0);
	assert_int_equal(bs.b[33].error_fn, HMT_FN_none);
	assert_int_equal(bs.b[33].in_failure, 0);
}

static void test_recorded_612_failed_offline_counts(void **state)
{
	(void)state;
	recorded_failed_offline_counts("kernel-6.12.jsonl");
}

/* 6.1's recording, the same scenario: memory_block_* inlined there too (bpf/absent.c) */
static void test_recorded_61_failed_offline_counts(void **state)
{
	(void)state;
	recorded_failed_offline_counts("kernel-6.1.jsonl");
}

/* a later failure of the same block is counted and named: the latest, not the first */
static void test_recorded_612_then_eintr_is_the_latest(void **state)
{
	static struct blocks bs;

	(void)state;
	blocks_init(&bs, 0);
	replay(&bs, "kernel-6.12.jsonl");
	/* an `echo offline` ended by its signal: 6.12's MEM_GOING_OFFLINE, ..., MEM_CANCEL_OFFLINE, -EINTR */
	step(&bs, HMT_FN_memory_notify, B32, MEM_GOING_OFFLINE, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_CANCEL_OFFLINE, 0);
	step(&bs, HMT_FN_offline_pages, B32, 0, -EINTR);
	assert_int_equal(bs.b[32].failed, 2);
	assert_int_equal(bs.b[32].error_fn, HMT_FN_offline_pages);
	assert_int_equal(bs.b[32].error, -EINTR);
	/* and one more at isolation */
	step(&bs, HMT_FN_offline_pages, B32, 0, -EBUSY);
	assert_int_equal(bs.b[32].failed, 3);
	assert_int_equal(bs.b[32].error, -EBUSY);
}

/*
 * offline_pages()' do { ... test_pages_isolated() } while (ret): an
 * -EBUSY pass then a clean one is an offline that succeeded, no failure
 * named (it was error_fn test_pages_isolated, -16, beside failed 0).
 * The same with memory_block_offline traced (the engine).
 */
static void test_isolated_ebusy_pass_is_no_failure(void **state)
{
	static struct blocks bs;

	(void)state;
	for (int block_ops = 0; block_ops <= HMT_BLOCK_OPS_BOTH; block_ops += HMT_BLOCK_OPS_BOTH) {
		blocks_init(&bs, block_ops);
		step(&bs, HMT_FN_memory_notify, B33, MEM_GOING_OFFLINE, 0);
		step(&bs, HMT_FN_test_pages_isolated, B33, 0, -EBUSY);
		step(&bs, HMT_FN_test_pages_isolated, B33, 0, -EBUSY);
		step(&bs, HMT_FN_test_pages_isolated, B33, 0, 0);
		step(&bs, HMT_FN_memory_notify, B33, MEM_OFFLINE, 0);
		step(&bs, HMT_FN_offline_pages, B33, 0, 0);
		if (block_ops)
			step(&bs, HMT_FN_memory_block_offline, B33, 0, 0);
		assert_int_equal(bs.b[33].failed, 0);
		assert_int_equal(bs.b[33].error_fn, HMT_FN_none);
		assert_int_equal(bs.b[33].error, 0);
		assert_int_equal(bs.b[33].in_failure, 0);
	}
}

/*
 * A notifier's refusal is the failing step, not offline_pages after it;
 * with memory_block_offline traced the operation ends there, once.
 */
static void test_notifier_refusal_names_the_notifier(void **state)
{
	static struct blocks bs;

	(void)state;
	for (int block_ops = 0; block_ops <= HMT_BLOCK_OPS_BOTH; block_ops += HMT_BLOCK_OPS_BOTH) {
		blocks_init(&bs, block_ops);
		step(&bs, HMT_FN_memory_notify, B32, MEM_GOING_OFFLINE, -ENOMEM);
		step(&bs, HMT_FN_memory_notify, B32, MEM_CANCEL_OFFLINE, 0);
		step(&bs, HMT_FN_offline_pages, B32, 0, -ENOMEM);
		assert_int_equal(bs.b[32].failed, !block_ops);
		if (block_ops)
			step(&bs, HMT_FN_memory_block_offline, B32, 0, -ENOMEM);
		assert_int_equal(bs.b[32].failed, 1);
		assert_int_equal(bs.b[32].error_fn, HMT_FN_memory_notify);
		assert_int_equal(bs.b[32].error, -ENOMEM);
		assert_int_equal(bs.b[32].in_failure, 0);
	}
}

/*
 * memory_block_online()'s own steps before online_pages (6.12, inlined):
 * MEM_PREPARE_ONLINE's notifier refusing ends the online; the next online
 * failing is counted and named in its turn.
 */
static void test_prepare_online_refusal_ends_the_online(void **state)
{
	static struct blocks bs;

	(void)state;
	blocks_init(&bs, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_PREPARE_ONLINE, -EINVAL);
	step(&bs, HMT_FN_memory_notify, B32, MEM_FINISH_OFFLINE, 0);
	assert_int_equal(bs.b[32].failed, 1);
	assert_int_equal(bs.b[32].error_fn, HMT_FN_memory_notify);
	assert_int_equal(bs.b[32].in_failure, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_PREPARE_ONLINE, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_GOING_ONLINE, -EBUSY);
	step(&bs, HMT_FN_memory_notify, B32, MEM_CANCEL_ONLINE, 0);
	step(&bs, HMT_FN_online_pages, B32, 0, -EBUSY);
	assert_int_equal(bs.b[32].failed, 2);
	assert_int_equal(bs.b[32].error_fn, HMT_FN_memory_notify);
	assert_int_equal(bs.b[32].error, -EBUSY);
	/* a notifier error the kernel ignores (MEM_ONLINE's) fails nothing */
	step(&bs, HMT_FN_memory_notify, B32, MEM_PREPARE_ONLINE, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_GOING_ONLINE, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_ONLINE, -EINVAL);
	step(&bs, HMT_FN_online_pages, B32, 0, 0);
	assert_int_equal(bs.b[32].failed, 2);
	assert_int_equal(bs.b[32].error, -EBUSY);
	assert_int_equal(bs.b[32].in_failure, 0);
}

/*
 * A kernel that inlines memory_block_offline and not memory_block_online
 * (the compiler's choice): a failed online ends at memory_block_online,
 * counted once and named by its notifier; a failed offline at
 * offline_pages.  One flag for both, 0 here, counted the online twice
 * and named memory_block_online (reread19 R1).
 */
static void test_one_direction_traced(void **state)
{
	static struct blocks bs;

	(void)state;
	blocks_init(&bs, HMT_BLOCK_OPS_ONLINE);
	step(&bs, HMT_FN_memory_notify, B32, MEM_PREPARE_ONLINE, 0);
	step(&bs, HMT_FN_memory_notify, B32, MEM_GOING_ONLINE, -EBUSY);
	step(&bs, HMT_FN_memory_notify, B32, MEM_CANCEL_ONLINE, 0);
	step(&bs, HMT_FN_online_pages, B32, 0, -EBUSY);
	assert_int_equal(bs.b[32].failed, 0);
	step(&bs, HMT_FN_memory_block_online, B32, 0, -EBUSY);
	assert_int_equal(bs.b[32].failed, 1);
	assert_int_equal(bs.b[32].error_fn, HMT_FN_memory_notify);
	assert_int_equal(bs.b[32].in_failure, 0);
	/* the offline direction, inlined: offline_pages ends it */
	step(&bs, HMT_FN_memory_notify, B33, MEM_GOING_OFFLINE, 0);
	step(&bs, HMT_FN_test_pages_isolated, B33, 0, -EBUSY);
	step(&bs, HMT_FN_offline_pages, B33, 0, -EBUSY);
	assert_int_equal(bs.b[33].failed, 1);
	assert_int_equal(bs.b[33].error_fn, HMT_FN_offline_pages);
	assert_int_equal(bs.b[33].in_failure, 0);
	/* and the other way round */
	blocks_init(&bs, HMT_BLOCK_OPS_OFFLINE);
	step(&bs, HMT_FN_memory_notify, B32, MEM_GOING_ONLINE, -EBUSY);
	step(&bs, HMT_FN_online_pages, B32, 0, -EBUSY);
	assert_int_equal(bs.b[32].failed, 1);
	step(&bs, HMT_FN_memory_notify, B33, MEM_GOING_OFFLINE, -ENOMEM);
	step(&bs, HMT_FN_offline_pages, B33, 0, -ENOMEM);
	assert_int_equal(bs.b[33].failed, 0);
	step(&bs, HMT_FN_memory_block_offline, B33, 0, -ENOMEM);
	assert_int_equal(bs.b[33].failed, 1);
	assert_int_equal(bs.b[33].error_fn, HMT_FN_memory_notify);
}

/* block @b reads @online, on node @nid, in zone @zid */
static void assert_placed(const struct hmt_block_state *b, __u32 online, int nid, int zid)
{
	assert_int_equal(b->online, online);
	assert_int_equal(b->nid, nid);
	assert_int_equal(b->zid, zid);
}

/*
 * abuse25a B7: a block the trace saw only going offline kept nid -1 and
 * zid -1 though its offline_pages named node 0, Normal; now it has them.
 * An offline naming none keeps them, a failed one says nothing.
 */
static void test_offline_only_block_placed(void **state)
{
	static struct blocks bs;
	struct hmt_event e = { .ts = 1, .start_pfn = B33, .nr_pages = BLOCK_PAGES, .nid = 0,
			       .zid = HMU_ZONE_NORMAL, .fn = HMT_FN_offline_pages,
			       .phase = HMT_EXIT };

	(void)state;
	blocks_init(&bs, HMT_BLOCK_OPS_BOTH);
	feed(&bs, &e);
	assert_int_equal(bs.b[33].nid, 0);
	assert_int_equal(bs.b[33].zid, HMU_ZONE_NORMAL);
	e.nid = -1;
	e.zid = -1;
	feed(&bs, &e);
	assert_int_equal(bs.b[33].nid, 0);
	assert_int_equal(bs.b[33].zid, HMU_ZONE_NORMAL);
	/* an online says where it goes, as before; a failed one nothing */
	e.fn = HMT_FN_online_pages;
	e.nid = 1;
	e.zid = HMU_ZONE_MOVABLE;
	e.ret = -EBUSY;
	feed(&bs, &e);
	assert_placed(&bs.b[33], 0, 0, HMU_ZONE_NORMAL);
	e.ret = 0;
	feed(&bs, &e);
	assert_placed(&bs.b[33], 1, 1, HMU_ZONE_MOVABLE);
}

/*
 * abuse28 T10: a block whose first traced step is a failed offline (onlined
 * before the tracer started; offline_pages -EBUSY) read online 0, nid and
 * zid -1, though it is online and its event named node 0, Normal: an
 * offline is only tried on an online block, and a failed one leaves it so.
 * A failed online leaves a block offline.
 */
static void test_failed_offline_says_online(void **state)
{
	static struct blocks bs;
	struct hmt_event e = { .ts = 1, .start_pfn = B32, .nr_pages = BLOCK_PAGES, .nid = 0,
			       .zid = HMU_ZONE_NORMAL, .ret = -EBUSY, .fn = HMT_FN_offline_pages,
			       .phase = HMT_EXIT };

	(void)state;
	blocks_init(&bs, 0); /* 6.12: memory_block_online/offline inlined */
	feed(&bs, &e);
	assert_placed(&bs.b[32], 1, 0, HMU_ZONE_NORMAL);
	assert_int_equal(bs.b[32].failed, 1);
	/* offlined at last, then an online that fails: offline */
	e.ret = 0;
	feed(&bs, &e);
	assert_int_equal(bs.b[32].online, 0);
	e.fn = HMT_FN_online_pages;
	e.ret = -ENOMEM;
	feed(&bs, &e);
	assert_int_equal(bs.b[32].online, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_612_failed_offline_counts),
		cmocka_unit_test(test_recorded_61_failed_offline_counts),
		cmocka_unit_test(test_recorded_612_then_eintr_is_the_latest),
		cmocka_unit_test(test_isolated_ebusy_pass_is_no_failure),
		cmocka_unit_test(test_notifier_refusal_names_the_notifier),
		cmocka_unit_test(test_prepare_online_refusal_ends_the_online),
		cmocka_unit_test(test_one_direction_traced),
		cmocka_unit_test(test_offline_only_block_placed),
		cmocka_unit_test(test_failed_offline_says_online),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
