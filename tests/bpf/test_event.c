// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace: event names and formats; JSON output reads back */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"
#include "hotmem.h" /* HM_MEM_*: the engine's actions, the schema's */
#include "jsonl.h"
#include "uapi/hmuapi.h"

/* bpf/ cannot include the engine: its enum hmt_mem_action is held to it here */
#define SAME(a) ((int)(a) == (int)(HM_##a))
_Static_assert(SAME(MEM_ONLINE) && SAME(MEM_GOING_OFFLINE) && SAME(MEM_OFFLINE) &&
		       SAME(MEM_GOING_ONLINE) && SAME(MEM_CANCEL_ONLINE) && SAME(MEM_CANCEL_OFFLINE) &&
		       SAME(MEM_PREPARE_ONLINE) && SAME(MEM_FINISH_OFFLINE),
	       "enum hmt_mem_action is the engine's HM_MEM_*");

static struct hmt_event sample(void)
{
	struct hmt_event e = {
		.ts = 5000,
		.start_pfn = 0x100000,
		.nr_pages = 32768,
		.extra = 0,
		.ret = -16,
		.dur_ns = 42,
		.nid = 0,
		.zid = 3,
		.pid = 7,
		.tid = 8,
		.fn = HMT_FN_offline_pages,
		.src = HMT_SRC_EMULATOR,
		.phase = HMT_EXIT,
		.via = HMT_VIA_USDT,
	};

	strcpy(e.comm, "a\"b");
	return e;
}

static void test_names(void **state)
{
	assert_string_equal(hmt_fn_name(HMT_FN_online_pages), "online_pages");
	assert_string_equal(hmt_fn_name(HMT_FN___add_pages), "__add_pages");
	assert_int_equal(hmt_fn_from_name("memory_notify"), HMT_FN_memory_notify);
	assert_int_equal(hmt_fn_from_name("nope"), -1);
	assert_string_equal(hmt_fn_name(HMT_NR_FN), "?");
	assert_string_equal(hmt_zone_name(3), "Movable");
	assert_null(hmt_zone_name(-1));
	assert_null(hmt_zone_name(9));
}

static void test_zone_from_kernel_or_zid(void **state)
{
	struct hmt_event e = sample();

	assert_string_equal(hmt_event_zone(&e), "Movable");
	e.src = HMT_SRC_KERNEL;
	assert_null(hmt_event_zone(&e)); /* kernel: zid numbering not trusted */
	memcpy(e.zone, "Normal", 7);
	assert_string_equal(hmt_event_zone(&e), "Normal");
	memcpy(e.zone, "ABCDEFGH", 8); /* not NUL-terminated */
	assert_string_equal(hmt_event_zone(&e), "ABCDEFGH");
}

static void test_json_roundtrip(void **state)
{
	struct hmt_event e = sample();
	struct jsonl_obj o;
	char buf[1024];

	assert_true(hmt_format_json(&e, 1000, buf, sizeof(buf)) > 0);
	assert_int_equal(jsonl_parse(buf, &o), 0);
	assert_int_equal(jsonl_num(&o, "ts", 0), 4000);
	assert_string_equal(jsonl_str(&o, "src", ""), "emulator");
	assert_string_equal(jsonl_str(&o, "ev", ""), "offline_pages");
	assert_string_equal(jsonl_str(&o, "phase", ""), "exit");
	assert_int_equal(jsonl_num(&o, "start_pfn", 0), 0x100000);
	assert_int_equal(jsonl_num(&o, "nr_pages", 0), 32768);
	assert_string_equal(jsonl_str(&o, "zone", ""), "Movable");
	assert_int_equal(jsonl_num(&o, "ret", 0), -16);
	assert_int_equal(jsonl_num(&o, "dur_ns", 0), 42);
	assert_string_equal(jsonl_str(&o, "comm", ""), "a\"b");
	assert_string_equal(jsonl_str(&o, "via", ""), "usdt");
}

static void test_json_enter_has_no_ret(void **state)
{
	struct hmt_event e = sample();
	struct jsonl_obj o;
	char buf[1024];

	e.phase = HMT_ENTER;
	e.src = HMT_SRC_KERNEL;
	assert_true(hmt_format_json(&e, 0, buf, sizeof(buf)) > 0);
	assert_int_equal(jsonl_parse(buf, &o), 0);
	assert_null(jsonl_get(&o, "ret"));
	assert_int_equal(jsonl_get(&o, "zone")->type, JSONL_NULL);
}

static void test_too_small_buffers(void **state)
{
	struct hmt_event e = sample();
	char buf[32];

	assert_int_equal(hmt_format_json(&e, 0, buf, sizeof(buf)), -1);
	assert_int_equal(hmt_format_table(&e, 0, buf, sizeof(buf)), -1);
}

static void test_table(void **state)
{
	struct hmt_event e = sample();
	char buf[256];

	assert_true(hmt_format_table(&e, 0, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "offline_pages"));
	assert_non_null(strstr(buf, "0x100000"));
	assert_non_null(strstr(buf, "Movable"));
	assert_non_null(strstr(buf, " -EBUSY ")); /* an errno by name, not -16 */
	e.ret = -100000; /* no errno: the number */
	assert_true(hmt_format_table(&e, 0, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " -100000 "));
	/* test_pages_isolated's extra is a pfn (fin_pfn): hex, as the pfns beside it */
	e.fn = HMT_FN_test_pages_isolated;
	e.ret = 0;
	e.extra = 0x110000;
	assert_true(hmt_format_table(&e, 0, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " 0 0x110000"));
}

/*
 * The table's columns line up for every step: each name fits EVENT's
 * width, and each row's PHASE sits under the header's.  The EVENT column
 * was 28 wide, and mhp_supports_memmap_on_memory (29) and 6.12's
 * create_altmaps_and_memory_blocks (32) pushed the rest of their rows
 * right.
 */
static void test_table_columns_line_up(void **state)
{
	struct hmt_event e = sample();
	char head[256] = "", buf[256];
	FILE *f = fmemopen(head, sizeof(head), "w");
	const char *phase;

	(void)state;
	assert_non_null(f);
	hmt_print_table_header(f);
	fclose(f);
	phase = strstr(head, "PHASE");
	assert_non_null(phase);
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		size_t at = (size_t)(phase - head);

		assert_true(strlen(hmt_fn_name(fn)) <= HMU_TRACE_EVENT_WIDTH);
		e.fn = fn;
		e.phase = fn % 2 ? HMT_EXIT : HMT_ENTER;
		assert_true(hmt_format_table(&e, 0, buf, sizeof(buf)) > (int)at);
		if (buf[at - 1] != ' ' || (buf[at] != '>' && buf[at] != '<'))
			fail_msg("%s: PHASE not at column %zu: \"%s\" under \"%s\"", hmt_fn_name(fn), at,
				 buf, head);
	}
}

/* memory_notify's action by name: table column and JSON beside the number */
static void test_notify_action_named(void **state)
{
	struct hmt_event e = sample();
	struct jsonl_obj o;
	char buf[1024];

	assert_string_equal(hmu_mem_action_name(MEM_GOING_ONLINE), "MEM_GOING_ONLINE");
	assert_string_equal(hmu_mem_action_name(1 << 7), "MEM_FINISH_OFFLINE");
	assert_null(hmu_mem_action_name(3));
	assert_int_equal(hmu_mem_action_from_name("MEM_CANCEL_OFFLINE"), MEM_CANCEL_OFFLINE);
	assert_int_equal(hmu_mem_action_from_name("MEM_NOPE"), 0);

	e.fn = HMT_FN_memory_notify;
	e.extra = MEM_GOING_ONLINE;
	e.ret = 0;
	assert_true(hmt_format_table(&e, 0, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " MEM_GOING_ONLINE"));
	assert_true(hmt_format_json(&e, 0, buf, sizeof(buf)) > 0);
	assert_int_equal(jsonl_parse(buf, &o), 0);
	assert_int_equal(jsonl_num(&o, "extra", 0), 8);
	assert_string_equal(jsonl_str(&o, "action", ""), "MEM_GOING_ONLINE");
	assert_int_equal(jsonl_num(&o, "fn", -1), HMT_FN_memory_notify);

	e.fn = HMT_FN_online_pages; /* extra is no action there */
	assert_true(hmt_format_json(&e, 0, buf, sizeof(buf)) > 0);
	assert_int_equal(jsonl_parse(buf, &o), 0);
	assert_null(jsonl_get(&o, "action"));
}

/*
 * The JSON line byte for byte (the schema docs/hotmem-trace.md shows), and
 * cut at every length short of it: -1, never a partial line.
 */
static void check_exact(const struct hmt_event *e, __u64 t0, const char *want)
{
	size_t n = strlen(want);
	char buf[1024];

	assert_int_equal(hmt_format_json(e, t0, buf, sizeof(buf)), n);
	assert_string_equal(buf, want);
	for (size_t len = 0; len <= n; len++)
		assert_int_equal(hmt_format_json(e, t0, buf, len), -1);
	assert_int_equal(hmt_format_json(e, t0, buf, n + 1), n);
	assert_string_equal(buf, want);
}

static void test_json_exact(void **state)
{
	struct hmt_event e = sample();

	check_exact(&e, 1000,
		    "{\"ts\":4000,\"src\":\"emulator\",\"ev\":\"offline_pages\",\"phase\":\"exit\","
		    "\"start_pfn\":1048576,\"nr_pages\":32768,\"nid\":0,\"zone\":\"Movable\","
		    "\"zid\":3,\"extra\":0,\"ret\":-16,\"dur_ns\":42,\"pid\":7,\"tid\":8,"
		    "\"comm\":\"a\\\"b\",\"via\":\"usdt\",\"fn\":11}");
	/* a kernel enter: no zone, an action, extremes, a comm to escape */
	e.src = HMT_SRC_KERNEL;
	e.phase = HMT_ENTER;
	e.via = HMT_VIA_FENTRY;
	e.fn = HMT_FN_memory_notify;
	e.extra = MEM_CANCEL_OFFLINE;
	e.ts = 999; /* before t0: 0 */
	e.start_pfn = ~0ULL;
	e.nr_pages = 0;
	e.nid = -1;
	e.zid = -2147483647 - 1;
	e.pid = 4294967295u;
	e.tid = 0;
	memcpy(e.comm, "\\x\t\x7f\xff" "0123456789abc", HMT_COMM_LEN); /* not NUL-terminated */
	check_exact(&e, 1000,
		    "{\"ts\":0,\"src\":\"kernel\",\"ev\":\"memory_notify\",\"phase\":\"enter\","
		    "\"start_pfn\":18446744073709551615,\"nr_pages\":0,\"nid\":-1,\"zone\":null,"
		    "\"zid\":-2147483648,\"extra\":32,\"action\":\"MEM_CANCEL_OFFLINE\","
		    "\"pid\":4294967295,\"tid\":0,"
		    "\"comm\":\"\\\\x\\u0009\\u007f\\u00ff0123456789a\",\"via\":\"fentry\",\"fn\":12}");
	/* a kernel zone name of 8 bytes, not NUL-terminated, to escape as the comm */
	memcpy(e.zone, "N\"\\\n\x01\xe9" "ab", HMT_ZONE_LEN);
	check_exact(&e, 1000,
		    "{\"ts\":0,\"src\":\"kernel\",\"ev\":\"memory_notify\",\"phase\":\"enter\","
		    "\"start_pfn\":18446744073709551615,\"nr_pages\":0,\"nid\":-1,"
		    "\"zone\":\"N\\\"\\\\\\u000a\\u0001\\u00e9ab\","
		    "\"zid\":-2147483648,\"extra\":32,\"action\":\"MEM_CANCEL_OFFLINE\","
		    "\"pid\":4294967295,\"tid\":0,"
		    "\"comm\":\"\\\\x\\u0009\\u007f\\u00ff0123456789a\",\"via\":\"fentry\",\"fn\":12}");
	memset(e.zone, 0, HMT_ZONE_LEN);
	e.phase = HMT_EXIT;
	e.extra = -9223372036854775807LL - 1;
	e.ret = -9223372036854775807LL - 1;
	e.dur_ns = ~0ULL;
	strcpy(e.comm, "");
	check_exact(&e, 0,
		    "{\"ts\":999,\"src\":\"kernel\",\"ev\":\"memory_notify\",\"phase\":\"exit\","
		    "\"start_pfn\":18446744073709551615,\"nr_pages\":0,\"nid\":-1,\"zone\":null,"
		    "\"zid\":-2147483648,\"extra\":-9223372036854775808,"
		    "\"ret\":-9223372036854775808,\"dur_ns\":18446744073709551615,"
		    "\"pid\":4294967295,\"tid\":0,\"comm\":\"\",\"via\":\"fentry\",\"fn\":12}");
}

/* every number of digits, and each side of it, as printf writes it */
static void test_json_numbers(void **state)
{
	struct hmt_event e = sample();
	unsigned long long p = 1;

	for (int digits = 1; digits <= 20; digits++, p *= 10) {
		const unsigned long long v[] = { p - 1, p, p + 1, p * 5, p * 9 + (p - 1) };

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			char buf[1024], want[64];

			if (digits == 20 && i > 2)
				break; /* past 2^64 */
			e.start_pfn = v[i];
			e.nid = -(int)(v[i] % 1000000);
			snprintf(want, sizeof(want), "\"start_pfn\":%llu,", v[i]);
			assert_true(hmt_format_json(&e, 0, buf, sizeof(buf)) > 0);
			assert_non_null(strstr(buf, want));
			snprintf(want, sizeof(want), "\"nid\":%d,", e.nid);
			assert_non_null(strstr(buf, want));
		}
	}
}

/* the blocks map: a block's own steps only */
static void test_block_steps(void **state)
{
	assert_true(hmt_block_step(HMT_FN_offline_pages));
	assert_true(hmt_block_step(HMT_FN_memory_notify));
	assert_true(hmt_block_step(HMT_FN_test_pages_isolated));
	assert_false(hmt_block_step(HMT_FN_mm_setup_per_zone_wmarks));
	assert_false(hmt_block_step(HMT_FN_add_memory_resource));
	assert_false(hmt_block_step(HMT_FN_vmemmap_populate));
}

/* hmt_record_events()' callback: the events as handed over, in order */
struct got {
	int n, stop_at;
	struct hmt_event e[4];
	bool same[4]; /* same_thread */
};

static int collect(void *ctx, const struct hmt_event *e, bool same_thread)
{
	struct got *g = ctx;

	if (g->n == g->stop_at)
		return -EPIPE;
	g->same[g->n] = same_thread;
	g->e[g->n++] = *e;
	return 0;
}

/* a hotmem:batch record as usdt_batch writes it: the header, then @nr events */
struct batch_record {
	struct hmt_batch hdr;
	struct hmt_batch_ev ev[3];
};

/* the event each step's own probe makes (on_usdt()): what a batch's event must equal */
static struct hmt_event usdt_event(__u16 fn, __u8 phase, __u64 ts, __s64 extra, __s64 ret,
				   __u64 dur)
{
	struct hmt_event e;

	memset(&e, 0, sizeof(e)); /* as new_event(): padding and zone zero */
	e.ts = ts;
	e.start_pfn = 0x100000;
	e.nr_pages = 32768;
	e.extra = extra;
	e.ret = ret;
	e.dur_ns = dur;
	e.nid = 0;
	e.zid = 3;
	e.pid = 7;
	e.tid = 8;
	e.fn = fn;
	e.src = HMT_SRC_EMULATOR;
	e.phase = phase;
	e.via = HMT_VIA_USDT;
	strcpy(e.comm, "hotmemfs");
	return e;
}

static void batch_of(struct batch_record *r, const struct hmt_event *want, int nr)
{
	memset(r, 0, sizeof(*r));
	r->hdr.nr = nr;
	r->hdr.pid = want[0].pid;
	r->hdr.tid = want[0].tid;
	r->hdr.src = want[0].src;
	r->hdr.via = want[0].via;
	memcpy(r->hdr.comm, want[0].comm, sizeof(r->hdr.comm));
	for (int i = 0; i < nr; i++) {
		r->ev[i].ts = want[i].ts;
		r->ev[i].start_pfn = want[i].start_pfn;
		r->ev[i].nr_pages = want[i].nr_pages;
		r->ev[i].extra = want[i].extra;
		r->ev[i].ret = want[i].ret;
		r->ev[i].dur_ns = want[i].dur_ns;
		r->ev[i].nid = want[i].nid;
		r->ev[i].zid = want[i].zid;
		r->ev[i].fn = want[i].fn;
		r->ev[i].phase = want[i].phase;
	}
}

/*
 * A batch's record gives back, in order, the events each step's probe
 * would have written: the same struct, so the same JSON line byte for byte.
 */
static void test_record_batch(void **state)
{
	const struct hmt_event want[3] = {
		usdt_event(HMT_FN_memory_notify, HMT_ENTER, 1000, MEM_GOING_OFFLINE, 0, 0),
		usdt_event(HMT_FN_memory_notify, HMT_EXIT, 1500, MEM_GOING_OFFLINE, 0, 500),
		usdt_event(HMT_FN_offline_pages, HMT_EXIT, 9000, 0, -16, 8000),
	};
	struct batch_record r;
	struct got g = { .stop_at = -1 };
	struct hmt_json_tail tail;
	char a[1024], b[1024];

	batch_of(&r, want, 3);
	assert_int_equal(sizeof(r), HMT_BATCH_SIZE(3));
	assert_int_equal(hmt_record_events(&r, HMT_BATCH_SIZE(3), collect, &g), 0);
	assert_int_equal(g.n, 3);
	memset(&tail, 0, sizeof(tail));
	/* a thread's tail held from another thread's event: the batch's first is compared */
	assert_true(hmt_format_json_tail(&(struct hmt_event){ .pid = 1 }, 0, &tail, false, a,
					 sizeof(a)) > 0);
	for (int i = 0; i < 3; i++) {
		assert_memory_equal(&g.e[i], &want[i], sizeof(want[i]));
		/* the header's fields are the same for all: told once, the first is not */
		assert_int_equal(g.same[i], i > 0);
		assert_true(hmt_format_json_tail(&g.e[i], 0, &tail, g.same[i], a, sizeof(a)) > 0);
		assert_true(hmt_format_json(&want[i], 0, b, sizeof(b)) > 0);
		assert_string_equal(a, b);
	}
	/* fewer records than it holds: its own count, as written */
	g.n = 0;
	batch_of(&r, want, 2);
	assert_int_equal(hmt_record_events(&r, HMT_BATCH_SIZE(2), collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_memory_equal(&g.e[1], &want[1], sizeof(want[1]));
}

/* one event (the kernel's, --per-probe) is handed over as it is */
static void test_record_one_event(void **state)
{
	struct hmt_event e = sample();
	struct got g = { .stop_at = -1 };

	assert_int_equal(hmt_record_events(&e, sizeof(e), collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_false(g.same[0]); /* whatever came before: another record */
	assert_memory_equal(&g.e[0], &e, sizeof(e));
}

/* a size that is neither, or a count the size does not hold: refused, nothing handed over */
static void test_record_bad(void **state)
{
	const struct hmt_event want[3] = {
		usdt_event(HMT_FN_online_pages, HMT_ENTER, 1, 0, 0, 0),
		usdt_event(HMT_FN_online_pages, HMT_EXIT, 2, 0, 0, 1),
		usdt_event(HMT_FN_online_pages, HMT_ENTER, 3, 0, 0, 0),
	};
	struct batch_record r;
	struct got g = { .stop_at = -1 };

	batch_of(&r, want, 3);
	assert_int_equal(hmt_record_events(&r, HMT_BATCH_SIZE(2), collect, &g), -EBADMSG);
	assert_int_equal(hmt_record_events(&r, 10, collect, &g), -EBADMSG);
	assert_int_equal(hmt_record_events(&r, sizeof(r) + 1, collect, &g), -EBADMSG);
	assert_int_equal(g.n, 0);
	/* the callback's error ends the record */
	g.stop_at = 1;
	assert_int_equal(hmt_record_events(&r, sizeof(r), collect, &g), -EPIPE);
	assert_int_equal(g.n, 1);
}

/*
 * The reader keeps a thread's line tail ("pid" to "via") for its next
 * event: every line is the one formatted afresh, whichever thread, comm
 * or way comes next.
 */
static void test_json_tail_kept(void **state)
{
	struct hmt_event seq[7];
	struct hmt_json_tail tail;
	char a[1024], b[1024];

	for (int i = 0; i < 7; i++) {
		seq[i] = sample();
		seq[i].ts += i;
	}
	seq[2].tid = 9; /* another thread */
	seq[3].tid = 9;
	seq[4].pid = 70; /* another process, same tid */
	seq[4].tid = 8;
	strcpy(seq[5].comm, "x\x01y"); /* escaped, same pid and tid as 4 */
	seq[5].pid = 70;
	seq[6].pid = 70;
	seq[6].via = HMT_VIA_KPROBE; /* the comm as 5's */
	strcpy(seq[6].comm, "x\x01y");
	memset(&tail, 0, sizeof(tail));
	for (int i = 0; i < 7; i++) {
		assert_true(hmt_format_json_tail(&seq[i], 0, &tail, false, a, sizeof(a)) > 0);
		assert_true(hmt_format_json(&seq[i], 0, b, sizeof(b)) > 0);
		assert_string_equal(a, b);
		/* and into a buffer too small for the longest line: the same */
		assert_int_equal(hmt_format_json_tail(&seq[i], 0, &tail, false, a, strlen(b) + 1),
				 (int)strlen(b));
		assert_string_equal(a, b);
	}
	assert_non_null(
		strstr(b, "\"pid\":70,\"tid\":8,\"comm\":\"x\\u0001y\",\"via\":\"kprobe\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_zone_from_kernel_or_zid),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_enter_has_no_ret),
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_too_small_buffers),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_columns_line_up),
		cmocka_unit_test(test_notify_action_named),
		cmocka_unit_test(test_block_steps),
		cmocka_unit_test(test_record_batch),
		cmocka_unit_test(test_record_one_event),
		cmocka_unit_test(test_record_bad),
		cmocka_unit_test(test_json_tail_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
