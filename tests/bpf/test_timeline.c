// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-trace timeline on known traces: which block is in which state
 * when, failures marked, two traces side by side, the SVG's bars.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "timeline.h"

/*
 * Two 128 MiB blocks at 4 GiB added at 100 ns; block 32 onlined Normal at
 * 200, block 33 Movable at 300; offlining 32 fails with EBUSY at 400; 33
 * goes offline at 500; both removed at 600; block 8 (boot memory, online
 * before the trace) offlined at 700; the last event at 800.
 */
static const char *trace_text =
	"{\"ts\":0,\"src\":\"emulator\",\"ev\":\"add_memory_resource\",\"phase\":\"enter\",\"start_pfn\":1048576,\"nr_pages\":65536}\n"
	"{\"ts\":100,\"src\":\"emulator\",\"ev\":\"add_memory_resource\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":65536,\"ret\":0}\n"
	"{\"ts\":150,\"src\":\"emulator\",\"ev\":\"memory_block_online\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"ret\":0}\n"
	"{\"ts\":200,\"src\":\"emulator\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Normal\",\"zid\":2,\"ret\":0}\n"
	"{\"ts\":250,\"src\":\"emulator\",\"ev\":\"mm_setup_per_zone_wmarks\",\"phase\":\"exit\",\"start_pfn\":1,\"nr_pages\":4095,\"ret\":0}\n"
	"{\"ts\":300,\"src\":\"emulator\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1081344,\"nr_pages\":32768,\"zone\":null,\"zid\":3,\"ret\":0}\n"
	"{\"ts\":400,\"src\":\"emulator\",\"ev\":\"offline_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Normal\",\"ret\":-16}\n"
	"{\"ts\":500,\"src\":\"emulator\",\"ev\":\"offline_pages\",\"phase\":\"exit\",\"start_pfn\":1081344,\"nr_pages\":32768,\"zone\":\"Movable\",\"ret\":0}\n"
	"{\"ts\":600,\"src\":\"emulator\",\"ev\":\"try_remove_memory\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":65536,\"ret\":0}\n"
	"{\"ts\":700,\"src\":\"emulator\",\"ev\":\"offline_pages\",\"phase\":\"exit\",\"start_pfn\":262144,\"nr_pages\":32768,\"zone\":\"DMA32\",\"ret\":0}\n"
	"{\"ts\":800,\"src\":\"emulator\",\"ev\":\"memory_notify\",\"phase\":\"exit\",\"start_pfn\":262144,\"nr_pages\":32768,\"extra\":4,\"ret\":0}\n";

static struct hmt_trace trace;
static struct hmt_timeline tl;

static int setup(void **state)
{
	FILE *f = fmemopen((void *)trace_text, strlen(trace_text), "r");

	if (!f || hmt_trace_read(&trace, f, "known.jsonl"))
		return -1;
	fclose(f);
	return hmt_timeline_build(&tl, &trace, 0);
}

static int teardown(void **state)
{
	hmt_timeline_free(&tl);
	hmt_trace_free(&trace);
	return 0;
}

static const struct hmt_tl_seg *seg_at(unsigned long long block, unsigned long long t)
{
	for (size_t i = 0; i < tl.nseg; i++)
		if (tl.seg[i].block == block && tl.seg[i].t0 <= t && t < tl.seg[i].t1)
			return &tl.seg[i];
	return NULL;
}

static void test_rows(void **state)
{
	assert_int_equal(tl.block_pages, 32768); /* from memory_block_online */
	assert_int_equal(tl.nr_blocks, 3); /* 8, 32, 33: not the watermarks' block 0 */
	assert_int_equal(tl.blocks[0], 8);
	assert_int_equal(tl.blocks[1], 32);
	assert_int_equal(tl.blocks[2], 33);
	assert_int_equal(tl.t1 - tl.t0, 800);
}

static void test_states(void **state)
{
	assert_null(seg_at(32, 50)); /* not there before its add */
	assert_int_equal(seg_at(32, 150)->state, HMT_TL_OFFLINE);
	assert_int_equal(seg_at(32, 250)->state, HMT_TL_ONLINE);
	assert_int_equal(seg_at(32, 250)->zid, 2);
	/* the failed offline changes nothing: online until removed */
	assert_int_equal(seg_at(32, 450)->state, HMT_TL_ONLINE);
	assert_int_equal(seg_at(32, 450)->t1, 600);
	assert_int_equal(seg_at(33, 350)->zid, 3); /* the zone from zid */
	assert_int_equal(seg_at(33, 550)->state, HMT_TL_OFFLINE);
	assert_null(seg_at(33, 650)); /* removed */
	/* boot memory: online (DMA32) from the start until its offline */
	assert_int_equal(seg_at(8, 0)->state, HMT_TL_ONLINE);
	assert_int_equal(seg_at(8, 0)->zid, 1);
	assert_int_equal(seg_at(8, 750)->state, HMT_TL_OFFLINE);
	assert_int_equal(tl.nmark, 1);
	assert_int_equal(tl.mark[0].block, 32);
	assert_int_equal(tl.mark[0].t, 400);
	assert_int_equal(tl.mark[0].ret, -EBUSY);
	/* 32 and 33 removed at 600: their rows end with a removal, 8's does not */
	assert_int_equal(tl.ngone, 2);
	assert_int_equal(tl.gone[0].block, 32);
	assert_int_equal(tl.gone[1].block, 33);
	assert_int_equal(tl.gone[1].t, 600);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void test_svg_side_by_side(void **state)
{
	struct hmt_timeline two[2] = { tl, tl };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(hmt_timeline_svg(two, 2, &(struct hmt_tl_opts){ 0 }, f), 0);
	fclose(f);
	assert_int_equal(count(buf, "emulator: known.jsonl"), 2); /* two panels */
	assert_int_equal(count(buf, ">memory32</text>"), 2);
	/* per panel: 32 offline/Normal, 33 offline/Movable/offline, 8 DMA32/offline */
	assert_int_equal(count(buf, "<title>memory32: online Normal from 0.000200 to 0.000600 ms</title>"), 2);
	assert_int_equal(count(buf, "<title>memory33: online Movable"), 2);
	assert_int_equal(count(buf, "<title>memory8: online DMA32"), 2);
	assert_int_equal(count(buf, ": offline from"), 8);
	assert_int_equal(count(buf, "fill=\"#ff9f1c\"><title>memory33"), 2); /* Movable's colour */
	assert_int_equal(count(buf, "offline_pages failed: -16 (Device or resource busy) at 0.000400 ms"), 2);
	/* a removed block looks removed, not offline: a cross at its removal, in the legend too */
	assert_int_equal(count(buf, "<title>memory33: removed (try_remove_memory) at 0.000600 ms</title>"), 2);
	assert_int_equal(count(buf, ">removed</text>"), 1);
	free(buf);
}

/*
 * user42 U6: each legend name ends at least 12 px before the next swatch,
 * twice the 6 px between a swatch and its own name, so that a name is
 * read with its own swatch (at a fixed 85 px "Movable" ended 4.5 px before
 * Device's, nearer it than its own); 12 px DejaVu Sans Mono is 7.22 px a
 * character
 */
static void test_legend_apart(void **state)
{
	static const char *const names[] = { "offline", "DMA", "DMA32", "Normal", "Movable", "Device" };
	char *buf = NULL, pat[48];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(hmt_timeline_svg(&tl, 1, &(struct hmt_tl_opts){ 0 }, f), 0);
	fclose(f);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *t, *r;
		double x, next;

		snprintf(pat, sizeof(pat), ">%s</text>", names[i]);
		t = strstr(buf, pat);
		assert_non_null(t);
		for (r = t; r > buf && strncmp(r, "<text ", 6); r--)
			;
		x = strtod(strstr(r, "x=\"") + 3, NULL);
		r = strstr(t, "<rect ");
		assert_non_null(r);
		next = strtod(strstr(r, "x=\"") + 3, NULL);
		if (x + 7.22 * strlen(names[i]) + 12 > next)
			fail_msg("legend: '%s' at x %.1f ends at %.1f, the next swatch at %.1f", names[i],
				 x, x + 7.22 * strlen(names[i]), next);
	}
	free(buf);
}

/* a trace of @text, laid out */
static void build(const char *text, const char *name, struct hmt_trace *t, struct hmt_timeline *x)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(hmt_trace_read(t, f, name), 0);
	fclose(f);
	assert_int_equal(hmt_timeline_build(x, t, 32768), 0);
}

static char *svg_of(const struct hmt_timeline *x, size_t n, const struct hmt_tl_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(hmt_timeline_svg(x, n, o, f), 0);
	fclose(f);
	return buf;
}

/* the width of the bar whose tooltip starts with @tip, in px */
static double bar_width(const char *svg, const char *tip)
{
	const char *t = strstr(svg, tip), *r;

	assert_non_null(t);
	for (r = t; r > svg && strncmp(r, "<rect ", 6); r--)
		;
	assert_non_null(strstr(r, "width=\""));
	return strtod(strstr(r, "width=\"") + 7, NULL);
}

/*
 * Block 32 added, onlined Normal at 200, offlined at 300, onlined Movable
 * at 400: the trace's last event.
 */
static const char *last_text =
	"{\"ts\":0,\"src\":\"kernel\",\"ev\":\"add_memory_resource\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"ret\":0}\n"
	"{\"ts\":200,\"src\":\"kernel\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Normal\",\"ret\":0}\n"
	"{\"ts\":300,\"src\":\"kernel\",\"ev\":\"offline_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Normal\",\"ret\":0}\n"
	"{\"ts\":400,\"src\":\"kernel\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Movable\",\"ret\":0}\n";

/* usereye2 #1: a change at the last event drew 0-1 px: the block seemed to end offline */
static void test_final_state_shows(void **state)
{
	struct hmt_trace t;
	struct hmt_timeline x;
	char *svg;

	build(last_text, "last.jsonl", &t, &x);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	assert_true(bar_width(svg, "memory32: online Movable from 0.000400 ms until the trace ended") >= 20);
	/* the closed states keep their exact times */
	assert_non_null(strstr(svg, "<title>memory32: offline from 0.000300 to 0.000400 ms</title>"));
	assert_true(x.seg[x.nseg - 1].open);
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
}

/*
 * user42 U6b: the final state's bar runs on past "end of trace"; the
 * legend says why, on a line of its own under the first (which is full),
 * inside the picture (7.22 px a character at 12 px), not over the
 * "end of trace" label
 */
static void test_legend_says_past_end(void **state)
{
	static const char said[] =
		">a bar past end of trace: its block's final state (the trace saw no later change)</text>";
	struct hmt_trace t;
	struct hmt_timeline x;
	double x_said, y_said, y_first, y_end, width;
	const char *p, *r;
	char *svg;

	build(last_text, "last.jsonl", &t, &x);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	p = strstr(svg, said);
	if (!p)
		fail_msg("the legend does not say why bars run past end of trace");
	for (r = p; r > svg && strncmp(r, "<text ", 6); r--)
		;
	x_said = strtod(strstr(r, "x=\"") + 3, NULL);
	y_said = strtod(strstr(r, "y=\"") + 3, NULL);
	r = strstr(svg, ">removed</text>");
	assert_non_null(r);
	for (; r > svg && strncmp(r, "<text ", 6); r--)
		;
	y_first = strtod(strstr(r, "y=\"") + 3, NULL);
	r = strstr(svg, ">end of trace</text>");
	assert_non_null(r);
	for (; r > svg && strncmp(r, "<text ", 6); r--)
		;
	y_end = strtod(strstr(r, "y=\"") + 3, NULL);
	width = strtod(strstr(svg, "width=\"") + 7, NULL);
	assert_true(y_said >= y_first + 14);
	assert_true(y_first >= y_end + 14);
	assert_true(x_said + 7.22 * (strlen(said) - strlen(">") - strlen("</text>")) <= width);
	assert_true(y_said <= strtod(strstr(svg, "height=\"") + 8, NULL) - 4);
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
}

/* usereye2 #2: two traces on one scale (by default), so equal times are equal widths */
static void test_common_scale(void **state)
{
	struct hmt_trace t;
	struct hmt_timeline two[2] = { tl };
	unsigned long long end[2];
	char *svg;

	build(last_text, "last.jsonl", &t, &two[1]); /* 400 ns against tl's 800 */
	hmt_timeline_axis_end(two, 2, &(struct hmt_tl_opts){ 0 }, end);
	assert_true(end[0] >= 840); /* past the last event by a margin */
	assert_int_equal(end[0], end[1]);
	svg = svg_of(two, 2, &(struct hmt_tl_opts){ 0 });
	/* 100 ns offline in each: the same width */
	assert_true(bar_width(svg, "memory33: offline from 0.000500 to 0.000600 ms") ==
		    bar_width(svg, "memory32: offline from 0.000300 to 0.000400 ms"));
	free(svg);
	hmt_timeline_axis_end(two, 2, &(struct hmt_tl_opts){ .own_scale = true }, end);
	assert_true(end[0] > end[1]);
	hmt_timeline_free(&two[1]);
	hmt_trace_free(&t);
}

/* block 32 online Normal at 200, then 1 ms with no event, offline at 1000200, online at 1000300 */
static const char *gap_text =
	"{\"ts\":0,\"src\":\"emulator\",\"ev\":\"add_memory_resource\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"ret\":0}\n"
	"{\"ts\":200,\"src\":\"emulator\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Normal\",\"ret\":0}\n"
	"{\"ts\":1000200,\"src\":\"emulator\",\"ev\":\"offline_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Normal\",\"ret\":0}\n"
	"{\"ts\":1000300,\"src\":\"emulator\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Movable\",\"ret\":0}\n";

/* usereye2 #2: --cut-gaps: the 1 ms without events drawn 1 us long, marked */
static void test_cut_gaps(void **state)
{
	struct hmt_trace t;
	struct hmt_timeline x;
	struct hmt_tl_opts cut = { .cut_gaps = 1000 };
	unsigned long long end, end_cut;
	char *svg;

	build(gap_text, "gap.jsonl", &t, &x);
	hmt_timeline_axis_end(&x, 1, &(struct hmt_tl_opts){ 0 }, &end);
	hmt_timeline_axis_end(&x, 1, &cut, &end_cut);
	assert_true(end >= 1000300);
	assert_true(end_cut >= 1300 && end_cut < 2000); /* 300 ns of steps + the gap as 1000 */
	svg = svg_of(&x, 1, &cut);
	assert_non_null(strstr(svg, "1 gap cut (1.0 ms left out)"));
	assert_non_null(strstr(svg, ">1 ms cut</text>"));
	/* the 100 ns offline, a sliver before, now readable */
	assert_true(bar_width(svg, "memory32: offline from 1.000200 to 1.000300 ms") >= 20);
	free(svg);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	assert_true(bar_width(svg, "memory32: offline from 1.000200 to 1.000300 ms") < 2);
	assert_null(strstr(svg, "gap cut"));
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
}

/* a gap of a second or more is labelled in seconds, never %g's exponent */
static void test_cut_label_seconds(void **state)
{
	static const char *text =
		"{\"ts\":0,\"src\":\"emulator\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zid\":3,\"ret\":0}\n"
		"{\"ts\":1050000000,\"src\":\"emulator\",\"ev\":\"offline_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"ret\":0}\n";
	struct hmt_trace t;
	struct hmt_timeline x;
	char *svg;

	build(text, "long.jsonl", &t, &x);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ .cut_gaps = 1000 });
	assert_non_null(strstr(svg, ">1.05 s cut</text>"));
	assert_null(strstr(svg, "e+"));
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
}

/* the labels under the breaks never overlap, however close the cuts */
static void test_cut_labels_apart(void **state)
{
	struct hmt_tl_opts cut = { .cut_gaps = 1 }; /* every gap: 10 ns of the 800 */
	char *svg = svg_of(&tl, 1, &cut);
	double x[16], y[16], w[16];
	int n = 0;

	for (const char *e = svg; (e = strstr(e, " ms cut</text>")) && n < 16; e++) {
		const char *t = e;

		while (strncmp(t, "<text x=\"", 9))
			t--;
		x[n] = strtod(t + 9, NULL);
		y[n] = strtod(strstr(t, "y=\"") + 3, NULL);
		w[n++] = 6.0 * (double)(e + 7 - strchr(t, '>') - 1);
	}
	assert_true(n >= 2);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			assert_true(y[i] != y[j] || x[j] - x[i] >= (w[i] + w[j]) / 2);
	free(svg);
}

/* the y of the text element holding @content after @from, -1 if none */
static double text_y(const char *from, const char *content, const char **at)
{
	const char *e = strstr(from, content), *t;

	if (!e)
		return -1;
	for (t = e; strncmp(t, "<text ", 6); t--)
		;
	*at = e + 1;
	return strtod(strstr(t, "y=\"") + 3, NULL);
}

/*
 * 130 blocks: the time axis's tick labels above the rows, again between
 * rows 63 and 64 and between 127 and 128, and under the last row (a
 * 1024-block timeline had them at the top only, 18000 px above its end)
 */
static void test_axis_repeated(void **state)
{
	char *text = NULL, *svg, line[200];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct hmt_trace t;
	struct hmt_timeline x;
	const char *at;
	double y[4], row63, row64, row127, row128, row129;

	(void)state;
	fprintf(f, "{\"ts\":0,\"ev\":\"add_memory_resource\",\"phase\":\"exit\","
		   "\"start_pfn\":0,\"nr_pages\":%d,\"ret\":0}\n", 130 * 32768);
	for (int i = 0; i < 130; i++) {
		snprintf(line, sizeof(line), "{\"ts\":%d,\"ev\":\"online_pages\",\"phase\":\"exit\","
			 "\"start_pfn\":%d,\"nr_pages\":32768,\"zid\":3,\"ret\":0}\n",
			 (i + 1) * 1000, i * 32768);
		fputs(line, f);
	}
	fclose(f);
	build(text, "burst", &t, &x);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	assert_int_equal(count(svg, ">0 us</text>"), 4);
	at = svg;
	for (int i = 0; i < 4; i++)
		y[i] = text_y(at, ">0 us</text>", &at);
	row63 = text_y(svg, ">memory63</text>", &at);
	row64 = text_y(svg, ">memory64</text>", &at);
	row127 = text_y(svg, ">memory127</text>", &at);
	row128 = text_y(svg, ">memory128</text>", &at);
	row129 = text_y(svg, ">memory129</text>", &at);
	assert_true(y[0] < text_y(svg, ">memory0</text>", &at) - 12);
	assert_true(y[1] > row63 + 6 && y[1] < row64 - 12); /* not on a row */
	assert_true(y[2] > row127 + 6 && y[2] < row128 - 12);
	assert_true(y[3] > row129 + 6);
	assert_true(y[3] < text_y(svg, ">end of trace</text>", &at) - 12);
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
	free(text);
}

/*
 * abuse25a B3: the tracer's loss is marked where it happened -- a frame
 * over every row with its count, the subtitle's total -- and is no
 * event; one noticed after the last event stays inside the drawn trace.
 */
static void test_lost_marked(void **state)
{
	static const char *lossy =
		"{\"ts\":0,\"src\":\"kernel\",\"ev\":\"add_memory_resource\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"ret\":0}\n"
		"{\"ts\":250,\"ev\":\"lost\",\"count\":42,\"since\":150}\n"
		"{\"ts\":400,\"src\":\"kernel\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Movable\",\"ret\":0}\n"
		"{\"ts\":600,\"ev\":\"lost\",\"count\":8,\"since\":400}\n";
	struct hmt_trace t;
	struct hmt_timeline x;
	char *svg;

	build(lossy, "lossy.jsonl", &t, &x);
	assert_int_equal(t.nev, 2);
	assert_int_equal(x.t1, 600);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	assert_non_null(strstr(svg, " ms; 50 events lost by the tracer (red frames)<"));
	assert_non_null(strstr(svg, "<title>42 events lost by the tracer (its ring buffer was full) "
				    "between 0.000150 and 0.000250 ms"));
	assert_non_null(strstr(svg, ">42 lost</text>"));
	assert_non_null(strstr(svg, ">8 lost</text>"));
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
}

/* abuse25a B7: the subtitle said "1 blocks" (and would have "1 events") */
static void test_subtitle_singular(void **state)
{
	static const char *one =
		"{\"ts\":0,\"src\":\"kernel\",\"ev\":\"online_pages\",\"phase\":\"exit\",\"start_pfn\":1048576,\"nr_pages\":32768,\"zone\":\"Movable\",\"ret\":0}\n";
	struct hmt_trace t;
	struct hmt_timeline x;
	char *svg;

	build(last_text, "last.jsonl", &t, &x);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	assert_non_null(strstr(svg, ">4 events, 1 block, "));
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
	build(one, "one.jsonl", &t, &x);
	svg = svg_of(&x, 1, &(struct hmt_tl_opts){ 0 });
	assert_non_null(strstr(svg, ">1 event, 1 block, "));
	free(svg);
	hmt_timeline_free(&x);
	hmt_trace_free(&t);
}

static void test_too_many_blocks(void **state)
{
	const char *big = "{\"ts\":1,\"ev\":\"add_memory_resource\",\"phase\":\"exit\","
			  "\"start_pfn\":0,\"nr_pages\":1099511627776,\"ret\":0}\n";
	FILE *f = fmemopen((void *)big, strlen(big), "r");
	struct hmt_trace t;
	struct hmt_timeline x;

	assert_int_equal(hmt_trace_read(&t, f, "big"), 0);
	fclose(f);
	assert_int_equal(hmt_timeline_build(&x, &t, 0), -E2BIG);
	hmt_trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_svg_side_by_side),
		cmocka_unit_test(test_legend_apart),
		cmocka_unit_test(test_final_state_shows),
		cmocka_unit_test(test_legend_says_past_end),
		cmocka_unit_test(test_common_scale),
		cmocka_unit_test(test_cut_gaps),
		cmocka_unit_test(test_cut_labels_apart),
		cmocka_unit_test(test_cut_label_seconds),
		cmocka_unit_test(test_too_many_blocks),
		cmocka_unit_test(test_axis_repeated),
		cmocka_unit_test(test_lost_marked),
		cmocka_unit_test(test_subtitle_singular),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
