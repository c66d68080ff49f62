// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-trace timeline: memory blocks over time, as SVG.
 *
 * Only exits count (a step is done when it returns): add_memory_resource
 * makes its blocks present (offline), online_pages/offline_pages move
 * them between offline and online, try_remove_memory takes them away.
 * A block the trace first sees going offline was online before it began;
 * one first seen going online was offline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"
#include "uapi/hmuapi.h"
#include "uapi/svg.h"

#define DEFAULT_BLOCK_PAGES 32768ULL /* 128 MiB */
/* blocks a range may name before the trace is refused (1 TiB of 128 MiB) */
#define MAX_RANGE_BLOCKS 8192ULL

static bool is_exit(const struct hmt_rec *r)
{
	return !strcmp(r->phase, "exit");
}

static bool is_ev(const struct hmt_rec *r, const char *ev)
{
	return !strcmp(r->ev, ev);
}

/* the events that change a block's state */
static bool is_block_change(const struct hmt_rec *r)
{
	return is_exit(r) && r->nr_pages &&
	       (is_ev(r, "add_memory_resource") || is_ev(r, "try_remove_memory") ||
		is_ev(r, "online_pages") || is_ev(r, "offline_pages"));
}

static unsigned long long infer_block_pages(const struct hmt_trace *t)
{
	unsigned long long bp = 0;

	for (size_t i = 0; i < t->nev; i++) {
		const struct hmt_rec *r = &t->ev[i];

		if ((is_ev(r, "memory_block_online") || is_ev(r, "memory_block_offline")) &&
		    r->nr_pages && (!bp || r->nr_pages < bp))
			bp = r->nr_pages;
	}
	return bp ? bp : DEFAULT_BLOCK_PAGES;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* room for one more element of @size in *@v, which holds @n of *@cap */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? 2 * *cap : 64;
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

static void range_blocks(const struct hmt_timeline *tl, const struct hmt_rec *r,
			 unsigned long long *first, unsigned long long *end)
{
	*first = r->start_pfn / tl->block_pages;
	*end = (r->start_pfn + r->nr_pages + tl->block_pages - 1) / tl->block_pages;
}

/* the rows: every block a state change names, once, ascending */
static int collect_blocks(struct hmt_timeline *tl)
{
	const struct hmt_trace *t = tl->trace;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < t->nev; i++) {
		unsigned long long first, end;

		if (!is_block_change(&t->ev[i]))
			continue;
		range_blocks(tl, &t->ev[i], &first, &end);
		if (end - first > MAX_RANGE_BLOCKS)
			return -E2BIG;
		for (unsigned long long b = first; b < end; b++) {
			if (grow((void **)&tl->blocks, &cap, n, sizeof(*tl->blocks)))
				return -ENOMEM;
			tl->blocks[n++] = b;
		}
	}
	if (n)
		qsort(tl->blocks, n, sizeof(*tl->blocks), cmp_ull);
	tl->nr_blocks = 0;
	for (size_t i = 0; i < n; i++)
		if (!tl->nr_blocks || tl->blocks[tl->nr_blocks - 1] != tl->blocks[i])
			tl->blocks[tl->nr_blocks++] = tl->blocks[i];
	return tl->nr_blocks > HMT_TL_MAX_BLOCKS ? -E2BIG : 0;
}

static size_t row_of(const struct hmt_timeline *tl, unsigned long long block)
{
	unsigned long long *p =
		bsearch(&block, tl->blocks, tl->nr_blocks, sizeof(*tl->blocks), cmp_ull);

	return p ? (size_t)(p - tl->blocks) : tl->nr_blocks;
}

/* what each row is doing while the trace is replayed */
struct row_state {
	enum hmt_tl_state state;
	unsigned long long since;
	int zid;
};

static int push_seg(struct hmt_timeline *tl, const struct hmt_tl_seg *s)
{
	if (grow((void **)&tl->seg, &tl->cap_seg, tl->nseg, sizeof(*s)))
		return -ENOMEM;
	tl->seg[tl->nseg++] = *s;
	return 0;
}

static int push_mark(struct hmt_timeline *tl, const struct hmt_tl_mark *m)
{
	if (grow((void **)&tl->mark, &tl->cap_mark, tl->nmark, sizeof(*m)))
		return -ENOMEM;
	tl->mark[tl->nmark++] = *m;
	return 0;
}

/* the row leaves its state at @t: what it was becomes a bar */
static int set_state(struct hmt_timeline *tl, size_t row, struct row_state *rs,
		     enum hmt_tl_state state, unsigned long long t, int zid)
{
	struct hmt_tl_seg s = { .block = tl->blocks[row], .t0 = rs->since, .t1 = t,
				.state = rs->state, .zid = rs->zid };
	int err = 0;

	if (rs->state > HMT_TL_ABSENT)
		err = push_seg(tl, &s);
	rs->state = state;
	rs->since = t;
	rs->zid = zid;
	return err;
}

static int event_zid(const struct hmt_rec *r)
{
	int zid = r->zone[0] ? hmu_zone_from_name(r->zone, strlen(r->zone)) : -1;

	return zid >= 0 ? zid : r->zid;
}

/* one state change on one row */
static int replay_one(struct hmt_timeline *tl, const struct hmt_rec *r, size_t row,
		      struct row_state *rs)
{
	unsigned long long t = r->ts - tl->t0;
	struct hmt_tl_mark m = { .block = tl->blocks[row], .t = t, .ret = r->ret };
	bool on = is_ev(r, "online_pages");

	if (r->ret < 0 && (on || is_ev(r, "offline_pages"))) {
		snprintf(m.ev, sizeof(m.ev), "%s", r->ev);
		return push_mark(tl, &m);
	}
	if (r->ret)
		return 0;
	if (rs->state == HMT_TL_UNKNOWN) /* there before the trace began */
		*rs = (struct row_state){ is_ev(r, "offline_pages") ? HMT_TL_ONLINE : HMT_TL_OFFLINE,
					  0, event_zid(r) };
	if (is_ev(r, "add_memory_resource"))
		return rs->state == HMT_TL_ABSENT ? set_state(tl, row, rs, HMT_TL_OFFLINE, t, -1) : 0;
	if (is_ev(r, "try_remove_memory"))
		return set_state(tl, row, rs, HMT_TL_ABSENT, t, -1);
	return set_state(tl, row, rs, on ? HMT_TL_ONLINE : HMT_TL_OFFLINE, t,
			 on ? event_zid(r) : -1);
}

static int replay(struct hmt_timeline *tl)
{
	const struct hmt_trace *t = tl->trace;
	struct row_state *rs = malloc((tl->nr_blocks ? tl->nr_blocks : 1) * sizeof(*rs));
	int err = 0;

	if (!rs)
		return -ENOMEM;
	for (size_t i = 0; i < tl->nr_blocks; i++)
		rs[i] = (struct row_state){ HMT_TL_UNKNOWN, 0, -1 };
	/* a block added in the trace was absent before it */
	for (size_t i = 0; i < t->nev; i++) {
		const struct hmt_rec *r = &t->ev[i];
		unsigned long long first, end;

		if (!is_block_change(r))
			continue;
		range_blocks(tl, r, &first, &end);
		for (unsigned long long b = first; !err && b < end; b++) {
			size_t row = row_of(tl, b);

			if (rs[row].state == HMT_TL_UNKNOWN && is_ev(r, "add_memory_resource") &&
			    !r->ret)
				rs[row].state = HMT_TL_ABSENT;
			err = replay_one(tl, r, row, &rs[row]);
		}
	}
	for (size_t i = 0; !err && i < tl->nr_blocks; i++)
		err = set_state(tl, i, &rs[i], HMT_TL_ABSENT, tl->t1 - tl->t0, -1);
	free(rs);
	return err;
}

int hmt_timeline_build(struct hmt_timeline *tl, const struct hmt_trace *t,
		       unsigned long long block_pages)
{
	int err;

	memset(tl, 0, sizeof(*tl));
	tl->trace = t;
	tl->block_pages = block_pages ? block_pages : infer_block_pages(t);
	tl->t0 = t->nev ? t->ev[0].ts : 0;
	for (size_t i = 0; i < t->nev; i++) {
		tl->t0 = t->ev[i].ts < tl->t0 ? t->ev[i].ts : tl->t0;
		tl->t1 = t->ev[i].ts > tl->t1 ? t->ev[i].ts : tl->t1;
	}
	if (tl->t1 <= tl->t0)
		tl->t1 = tl->t0 + 1;
	err = collect_blocks(tl);
	if (!err)
		err = replay(tl);
	if (err)
		hmt_timeline_free(tl);
	return err;
}

void hmt_timeline_free(struct hmt_timeline *tl)
{
	free(tl->blocks);
	free(tl->seg);
	free(tl->mark);
	memset(tl, 0, sizeof(*tl));
}

/* ---- SVG ------------------------------------------------------------------ */

#define LABEL_W 100
#define PLOT_W 560
#define PANEL_W (LABEL_W + PLOT_W + 40)
#define TOP 76
#define ROW_H 18
#define BAR_H 12

struct panel {
	const struct hmt_timeline *tl;
	double x0; /* the plot's left edge */
};

static double xof(const struct panel *p, unsigned long long t)
{
	return p->x0 + (double)t * PLOT_W / (double)(p->tl->t1 - p->tl->t0);
}

static const char *seg_fill(const struct hmt_tl_seg *s)
{
	return s->state == HMT_TL_ONLINE ? hmu_svg_zone_fill(s->zid) : HMU_SVG_OFFLINE_FILL;
}

static const char *seg_name(const struct hmt_tl_seg *s, char *buf, size_t len)
{
	if (s->state != HMT_TL_ONLINE)
		return "offline";
	snprintf(buf, len, "online %s",
		 s->zid >= 0 && s->zid < HMU_MAX_NR_ZONES ? hmu_zone_name(s->zid) : "(zone?)");
	return buf;
}

/* five ticks, in the unit that keeps the numbers short */
static void svg_axis(const struct panel *p, FILE *f, double y_end)
{
	double span = (double)(p->tl->t1 - p->tl->t0), div = 1;
	const char *unit = "ns";
	char t[32];

	if (span >= 1e9)
		div = 1e9, unit = "s";
	else if (span >= 1e6)
		div = 1e6, unit = "ms";
	else if (span >= 1e3)
		div = 1e3, unit = "us";
	for (int i = 0; i <= 4; i++) {
		double x = p->x0 + i * PLOT_W / 4.0;

		hmu_svg_line(f, x, TOP - 6, x, y_end, "#dddddd", 1);
		snprintf(t, sizeof(t), "%.4g %s", span * i / 4 / div, unit);
		hmu_svg_text(f, x, TOP - 10, 11, "middle", "#555555", t);
	}
}

static void svg_panel(const struct panel *p, FILE *f)
{
	const struct hmt_timeline *tl = p->tl;
	double y_end = TOP + tl->nr_blocks * ROW_H;
	char title[192], tip[160], zn[24];
	const char *src = tl->trace->nev ? tl->trace->ev[0].src : "";

	const char *base = strrchr(tl->trace->name, '/');

	snprintf(title, sizeof(title), "%s%s%s", src, *src ? ": " : "",
		 base ? base + 1 : tl->trace->name);
	hmu_svg_text(f, p->x0 - LABEL_W, 28, 15, "start", "#000000", title);
	snprintf(title, sizeof(title), "%zu events, %zu blocks, %.3f ms", tl->trace->nev,
		 tl->nr_blocks, (double)(tl->t1 - tl->t0) / 1e6);
	hmu_svg_text(f, p->x0 - LABEL_W, 46, 12, "start", "#555555", title);
	svg_axis(p, f, y_end);
	for (size_t i = 0; i < tl->nr_blocks; i++) {
		snprintf(zn, sizeof(zn), "memory%llu", tl->blocks[i]);
		hmu_svg_text(f, p->x0 - 8, TOP + i * ROW_H + BAR_H - 1, 11, "end", "#333333", zn);
	}
	for (size_t i = 0; i < tl->nseg; i++) {
		const struct hmt_tl_seg *s = &tl->seg[i];
		double x = xof(p, s->t0), w = xof(p, s->t1) - x;

		snprintf(tip, sizeof(tip), "memory%llu: %s from %.6f to %.6f ms", s->block,
			 seg_name(s, zn, sizeof(zn)), s->t0 / 1e6, s->t1 / 1e6);
		hmu_svg_rect(f, x, TOP + row_of(tl, s->block) * ROW_H, w > 1 ? w : 1, BAR_H,
			     seg_fill(s), NULL, tip);
	}
	for (size_t i = 0; i < tl->nmark; i++) {
		const struct hmt_tl_mark *m = &tl->mark[i];

		snprintf(tip, sizeof(tip), "memory%llu: %s failed: %lld (%s) at %.6f ms", m->block,
			 m->ev, m->ret, strerrordesc_np((int)-m->ret) ?: "?", m->t / 1e6);
		hmu_svg_rect(f, xof(p, m->t) - 2, TOP + row_of(tl, m->block) * ROW_H - 2, 4,
			     BAR_H + 4, HMU_SVG_ERROR_FILL, NULL, tip);
	}
}

static void svg_legend(FILE *f, double y)
{
	static const int zones[] = { HMU_ZONE_DMA, HMU_ZONE_DMA32, HMU_ZONE_NORMAL,
				     HMU_ZONE_MOVABLE, HMU_ZONE_DEVICE };
	double x = LABEL_W;
	char name[24];

	hmu_svg_rect(f, x, y - 10, 24, BAR_H, HMU_SVG_OFFLINE_FILL, NULL, NULL);
	hmu_svg_text(f, x + 30, y, 12, "start", "#000000", "offline");
	x += 100;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++, x += 100) {
		hmu_svg_rect(f, x, y - 10, 24, BAR_H, hmu_svg_zone_fill(zones[i]), NULL, NULL);
		snprintf(name, sizeof(name), "%s", hmu_zone_name(zones[i]));
		hmu_svg_text(f, x + 30, y, 12, "start", "#000000", name);
	}
	hmu_svg_rect(f, x + 10, y - 12, 4, BAR_H + 4, HMU_SVG_ERROR_FILL, NULL, NULL);
	hmu_svg_text(f, x + 30, y, 12, "start", "#000000", "online/offline failed");
}

int hmt_timeline_svg(const struct hmt_timeline *tl, size_t n, FILE *f)
{
	size_t rows = 0;
	int width, height;

	for (size_t i = 0; i < n; i++)
		rows = tl[i].nr_blocks > rows ? tl[i].nr_blocks : rows;
	width = n * PANEL_W + 20;
	if (width < 900)
		width = 900;
	height = TOP + (rows ? rows : 1) * ROW_H + 50;
	hmu_svg_begin(f, width, height, "hotmem-trace timeline: memory blocks over time");
	for (size_t i = 0; i < n; i++) {
		struct panel p = { &tl[i], 20 + i * PANEL_W + LABEL_W };

		svg_panel(&p, f);
	}
	svg_legend(f, height - 18);
	hmu_svg_end(f);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* ---- the command ------------------------------------------------------------ */

static void timeline_usage(FILE *f)
{
	fprintf(f, "usage: hotmem-trace timeline [-o FILE.svg] [--block-pages N] TRACE [TRACE2]\n"
		   "  an SVG of memory blocks over time from JSON-lines traces (--json);\n"
		   "  two traces (kernel and engine) side by side\n");
}

/*
 * Every trace read and laid out before @output is opened: a file that is
 * not a trace leaves an existing SVG as it was.
 */
static int render(char **paths, int n, unsigned long long bp, const char *output)
{
	struct hmt_trace t[2] = { 0 };
	struct hmt_timeline tl[2] = { 0 };
	FILE *out = stdout;
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		err = hmt_trace_open(&t[i], paths[i], "timeline");
		if (err)
			break; /* said */
		err = hmt_timeline_build(&tl[i], &t[i], bp);
		if (err)
			fprintf(stderr, "hotmem-trace timeline: %s: %s\n", paths[i],
				err == -E2BIG ? "too many blocks to draw (at most 1024 rows)" :
						strerror(-err));
	}
	if (!err && output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "hotmem-trace timeline: %s: %s\n", output, strerror(errno));
		err = -errno;
	}
	if (!err && hmt_timeline_svg(tl, n, out)) {
		fprintf(stderr, "hotmem-trace timeline: writing the SVG: %s\n", strerror(errno));
		err = -EIO;
	}
	if (out && out != stdout && fclose(out) && !err) {
		fprintf(stderr, "hotmem-trace timeline: %s: %s\n", output, strerror(errno));
		err = -EIO;
	}
	for (int i = 0; i < n; i++) {
		hmt_timeline_free(&tl[i]);
		hmt_trace_free(&t[i]);
	}
	return err;
}

int hmt_timeline_main(int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { "block-pages", required_argument, NULL, 'b' },
					      { "help", no_argument, NULL, 'h' },
					      { 0 } };
	const char *output = NULL;
	unsigned long long bp = 0;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'b':
			bp = strtoull(optarg, &end, 0);
			if (*end || !bp) {
				fprintf(stderr, "hotmem-trace timeline: bad --block-pages '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			timeline_usage(stdout);
			return 0;
		default:
			timeline_usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		timeline_usage(stderr);
		return 2;
	}
	return render(argv + optind, argc - optind, bp, output) ? 2 : 0;
}
