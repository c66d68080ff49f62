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
/* --cut-gaps without a value: longer than a step's own work, shorter than a script's pauses */
#define DEFAULT_CUT_GAPS_MS 10.0

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

static int push_to(struct hmt_tl_mark **arr, size_t *cap, size_t *n, const struct hmt_tl_mark *m)
{
	if (grow((void **)arr, cap, *n, sizeof(*m)))
		return -ENOMEM;
	(*arr)[(*n)++] = *m;
	return 0;
}

static int push_mark(struct hmt_timeline *tl, const struct hmt_tl_mark *m)
{
	return push_to(&tl->mark, &tl->cap_mark, &tl->nmark, m);
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
	if (is_ev(r, "try_remove_memory")) {
		snprintf(m.ev, sizeof(m.ev), "%s", r->ev);
		if (rs->state != HMT_TL_ABSENT && push_to(&tl->gone, &tl->cap_gone, &tl->ngone, &m))
			return -ENOMEM;
		return set_state(tl, row, rs, HMT_TL_ABSENT, t, -1);
	}
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
	/* what each block was left as: drawn on past the last event */
	for (size_t i = 0, first = tl->nseg; !err && i < tl->nr_blocks; i++, first = tl->nseg) {
		err = set_state(tl, i, &rs[i], HMT_TL_ABSENT, tl->t1 - tl->t0, -1);
		for (; !err && first < tl->nseg; first++)
			tl->seg[first].open = true;
	}
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
	/* a loss noticed after the last event is drawn inside the trace */
	for (size_t i = 0; i < t->nlost; i++)
		tl->t1 = t->lost[i].ts > tl->t1 ? t->lost[i].ts : tl->t1;
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
	free(tl->gone);
	memset(tl, 0, sizeof(*tl));
}

/* ---- SVG ------------------------------------------------------------------ */

#define LABEL_W 100
#define PLOT_W 560
#define PANEL_W (LABEL_W + PLOT_W + 40)
#define TOP 76
#define ROW_H 18
#define BAR_H 12
/*
 * The time axis again, tick labels and all, in a band under every
 * AXIS_EVERY rows and under the last row: a 1024-block timeline is 18000
 * px tall, and its lower rows had their scale only at the top, far out of
 * view.  BOTTOM_AXIS: the labels under the last row, above "end of trace".
 */
#define AXIS_EVERY 64
#define AXIS_GAP 20
#define BOTTOM_AXIS 16
/*
 * the axis runs this fraction past the last event (then to a round tick);
 * each block's final state is drawn that far past the trace's end
 */
#define TAIL_DIV 20
#define TAIL_PX (PLOT_W / TAIL_DIV)

/* a gap with no event (ns since the trace's first event) drawn cut to opts.cut_gaps */
struct cut {
	unsigned long long t0, t1;
};

struct panel {
	const struct hmt_timeline *tl;
	double x0; /* the plot's left edge */
	unsigned long long end; /* drawn ns at the right edge */
	unsigned long long keep; /* a cut gap's drawn length */
	struct cut *cut;
	size_t ncut;
	unsigned long long cut_ns; /* time left out */
};

/* the gaps between successive event times longer than @keep, in order */
static int find_cuts(struct panel *p, unsigned long long keep)
{
	const struct hmt_trace *t = p->tl->trace;
	unsigned long long *ts;
	size_t cap = 0;
	int err = 0;

	p->keep = keep;
	if (!keep || t->nev < 2)
		return 0;
	ts = malloc(t->nev * sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	for (size_t i = 0; i < t->nev; i++)
		ts[i] = t->ev[i].ts - p->tl->t0;
	qsort(ts, t->nev, sizeof(*ts), cmp_ull);
	for (size_t i = 1; !err && i < t->nev; i++) {
		if (ts[i] - ts[i - 1] <= keep)
			continue;
		err = grow((void **)&p->cut, &cap, p->ncut, sizeof(*p->cut));
		if (!err) {
			p->cut[p->ncut++] = (struct cut){ ts[i - 1], ts[i] };
			p->cut_ns += ts[i] - ts[i - 1] - keep;
		}
	}
	free(ts);
	return err;
}

/* trace time @t as drawn: every cut gap before it shortened to p->keep */
static double drawn(const struct panel *p, unsigned long long t)
{
	double d = (double)t;

	for (size_t i = 0; i < p->ncut && t > p->cut[i].t0; i++) {
		double len = (double)(p->cut[i].t1 - p->cut[i].t0);

		if (t >= p->cut[i].t1) {
			d -= len - (double)p->keep;
			continue;
		}
		d -= (double)(t - p->cut[i].t0) * (1 - (double)p->keep / len);
		break;
	}
	return d;
}

/* drawn time @d back to trace time: the tick labels */
static double undrawn(const struct panel *p, double d)
{
	double removed = 0;

	for (size_t i = 0; i < p->ncut; i++) {
		double c0 = (double)p->cut[i].t0 - removed, len = (double)(p->cut[i].t1 - p->cut[i].t0);

		if (d <= c0)
			break;
		if (d < c0 + (double)p->keep)
			return (double)p->cut[i].t0 + (d - c0) * len / (double)p->keep;
		removed += len - (double)p->keep;
	}
	return d + removed;
}

/* 1, 2, 2.5 or 5 times a power of ten, at least @raw */
static unsigned long long nice_step(unsigned long long raw)
{
	static const unsigned int m[] = { 10, 20, 25, 50 };
	unsigned long long p = 1;

	while (p * 10 <= raw)
		p *= 10;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (p * m[i] / 10 >= raw)
			return p * m[i] / 10;
	return p * 10;
}

/* the axis for @span drawn ns: a margin past it, up to a round tick */
static unsigned long long axis_for(unsigned long long span)
{
	unsigned long long want = span + (span / TAIL_DIV ? span / TAIL_DIV : 1);
	unsigned long long step = nice_step((want + 4) / 5);

	return (want + step - 1) / step * step;
}

static void panels_free(struct panel *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].cut);
	free(p);
}

/* cuts and the right edge of each panel; the same edge for all unless own_scale */
static struct panel *panels_new(const struct hmt_timeline *tl, size_t n,
				const struct hmt_tl_opts *o)
{
	struct panel *p = calloc(n ? n : 1, sizeof(*p));
	unsigned long long common = 0;

	for (size_t i = 0; p && i < n; i++) {
		p[i] = (struct panel){ .tl = &tl[i], .x0 = 20 + i * PANEL_W + LABEL_W };
		if (find_cuts(&p[i], o->cut_gaps)) {
			panels_free(p, n);
			return NULL;
		}
		p[i].end = axis_for((unsigned long long)drawn(&p[i], tl[i].t1 - tl[i].t0));
		common = p[i].end > common ? p[i].end : common;
	}
	for (size_t i = 0; p && !o->own_scale && i < n; i++)
		p[i].end = common;
	return p;
}

void hmt_timeline_axis_end(const struct hmt_timeline *tl, size_t n,
			   const struct hmt_tl_opts *o, unsigned long long *end)
{
	struct panel *p = panels_new(tl, n, o);

	for (size_t i = 0; i < n; i++)
		end[i] = p ? p[i].end : 0;
	panels_free(p, n);
}

/* the top of row @row's bar: the rows, with an axis band every AXIS_EVERY */
static double row_y(size_t row)
{
	return TOP + row * ROW_H + (row / AXIS_EVERY) * AXIS_GAP;
}

/* under the last of @rows rows */
static double rows_end(size_t rows)
{
	return rows ? row_y(rows - 1) + ROW_H : TOP;
}

static double xof(const struct panel *p, unsigned long long t)
{
	return p->x0 + drawn(p, t) * PLOT_W / (double)p->end;
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

/*
 * round ticks of drawn time, labelled with the trace time they stand for:
 * above the rows, in the band after every AXIS_EVERY rows, under the last;
 * each group of rows has its grid lines, so none runs through a label
 */
static void svg_axis(const struct panel *p, FILE *f, size_t rows)
{
	unsigned long long step = nice_step((p->end + 5) / 6);
	double last = undrawn(p, (double)p->end); /* the unit of the labels: trace time */

	/* cut gaps make the labels uneven numbers: fewer of them, so they fit */
	if (p->ncut)
		step = nice_step((p->end + 3) / 4);
	double div = 1;
	const char *unit = "ns";
	char t[32];

	if (last >= 1e9)
		div = 1e9, unit = "s";
	else if (last >= 1e6)
		div = 1e6, unit = "ms";
	else if (last >= 1e3)
		div = 1e3, unit = "us";
	for (unsigned long long d = 0; d <= p->end; d += step) {
		double x = p->x0 + (double)d * PLOT_W / (double)p->end;

		snprintf(t, sizeof(t), "%.4g %s", undrawn(p, (double)d) / div, unit);
		for (size_t g = 0; g == 0 || g * AXIS_EVERY < rows; g++) {
			size_t next = (g + 1) * AXIS_EVERY < rows ? (g + 1) * AXIS_EVERY : rows;

			hmu_svg_text(f, x, row_y(g * AXIS_EVERY) - (g ? 8 : 10), 11, "middle",
				     "#555555", t);
			hmu_svg_line(f, x, row_y(g * AXIS_EVERY) - 6, x, rows_end(next), "#dddddd",
				     1);
		}
		if (rows)
			hmu_svg_text(f, x, rows_end(rows) + 12, 11, "middle", "#555555", t);
	}
}

/* the width of a 10 px label of @len characters (the SVG's monospace) */
#define LABEL_PX(len) (6.2 * (len))

/*
 * An axis break over every cut gap, its length under it, in two rows when
 * close; where breaks crowd (a cut a few px wide) one thin line each, and
 * a label only where it fits: the subtitle has the total.
 */
/* "12.3 ms cut", "1.05 s cut", "3600 s cut": never %g's exponent (5e3f541's ticks too) */
static int cut_label(char *t, size_t len, unsigned long long ns)
{
	if (ns < 1000000000ULL)
		return snprintf(t, len, "%.3g ms cut", ns / 1e6);
	if (ns < 1000000000000ULL)
		return snprintf(t, len, "%.3g s cut", ns / 1e9);
	return snprintf(t, len, "%.0f s cut", ns / 1e9);
}

static void svg_cuts(const struct panel *p, FILE *f, double y_end)
{
	double keep_px = (double)p->keep * PLOT_W / (double)p->end, right[2] = { -1e9, -1e9 };
	char t[48];

	for (size_t i = 0; i < p->ncut; i++) {
		double xm = (xof(p, p->cut[i].t0) + xof(p, p->cut[i].t1)) / 2, half;
		int row;

		if (keep_px < 12) {
			hmu_svg_line(f, xm, TOP - 8, xm, y_end + 2, "#555555", 0.5);
		} else {
			hmu_svg_line(f, xm - 3, TOP - 8, xm + 3, y_end + 2, "#ffffff", 5);
			hmu_svg_line(f, xm - 6, TOP - 8, xm, y_end + 2, "#555555", 1);
			hmu_svg_line(f, xm, TOP - 8, xm + 6, y_end + 2, "#555555", 1);
		}
		half = LABEL_PX(cut_label(t, sizeof(t), p->cut[i].t1 - p->cut[i].t0)) / 2 + 3;
		row = xm - half < right[0];
		if (xm - half < right[row])
			continue;
		right[row] = xm + half;
		hmu_svg_text(f, xm, y_end + BOTTOM_AXIS + 26 + row * 12, 10, "middle", "#555555", t);
	}
}

/* where the trace ends: what lies right of it is each block's final state */
static void svg_end(const struct panel *p, FILE *f, double y_end)
{
	double x = xof(p, p->tl->t1 - p->tl->t0);

	hmu_svg_line(f, x, TOP - 4, x, y_end + 4, "#555555", 1);
	hmu_svg_text(f, x + 3, y_end + BOTTOM_AXIS + 13, 10, "start", "#555555", "end of trace");
}

/* the file, and what the panel holds: events, blocks, time, the time cut out */
static void svg_title(const struct panel *p, FILE *f)
{
	const struct hmt_timeline *tl = p->tl;
	const char *src = tl->trace->nev ? tl->trace->ev[0].src : "";
	const char *base = strrchr(tl->trace->name, '/');
	char title[256];
	int n;

	snprintf(title, sizeof(title), "%s%s%s", src, *src ? ": " : "",
		 base ? base + 1 : tl->trace->name);
	hmu_svg_text(f, p->x0 - LABEL_W, 28, 15, "start", "#000000", title);
	n = snprintf(title, sizeof(title), "%zu event%s, %zu block%s, %.3f ms", tl->trace->nev,
		     tl->trace->nev == 1 ? "" : "s", tl->nr_blocks, tl->nr_blocks == 1 ? "" : "s",
		     (double)(tl->t1 - tl->t0) / 1e6);
	if (p->ncut)
		n += snprintf(title + n, sizeof(title) - n, "; %zu gap%s cut (%.1f ms left out)",
			      p->ncut, p->ncut == 1 ? "" : "s", p->cut_ns / 1e6);
	if (tl->trace->lost_events && n < (int)sizeof(title))
		snprintf(title + n, sizeof(title) - n, "; %llu events lost by the tracer (red frames)",
			 tl->trace->lost_events);
	hmu_svg_text(f, p->x0 - LABEL_W, 46, 12, "start", "#555555", title);
}

/* the right end of a state's bar: the final one runs on past the trace's end */
static double seg_x1(const struct panel *p, const struct hmt_tl_seg *s)
{
	double x1 = xof(p, s->t1);

	if (!s->open)
		return x1;
	return x1 + TAIL_PX < p->x0 + PLOT_W ? x1 + TAIL_PX : p->x0 + PLOT_W;
}

/* a state as a bar */
static void svg_seg(const struct panel *p, FILE *f, const struct hmt_tl_seg *s)
{
	double x = xof(p, s->t0), w = seg_x1(p, s) - x;
	char tip[160], zn[24];

	if (s->open)
		snprintf(tip, sizeof(tip),
			 "memory%llu: %s from %.6f ms until the trace ended (its final state)",
			 s->block, seg_name(s, zn, sizeof(zn)), s->t0 / 1e6);
	else
		snprintf(tip, sizeof(tip), "memory%llu: %s from %.6f to %.6f ms", s->block,
			 seg_name(s, zn, sizeof(zn)), s->t0 / 1e6, s->t1 / 1e6);
	hmu_svg_rect(f, x, row_y(row_of(p->tl, s->block)), w > 1 ? w : 1, BAR_H,
		     seg_fill(s), NULL, tip);
}

/* a removed block's row ends with a cross at its removal, and says so */
static void svg_gone(const struct panel *p, FILE *f, const struct hmt_tl_mark *g)
{
	double x = xof(p, g->t), y = row_y(row_of(p->tl, g->block));
	char tip[96];

	snprintf(tip, sizeof(tip), "memory%llu: removed (try_remove_memory) at %.6f ms", g->block,
		 g->t / 1e6);
	fprintf(f, "<g><title>%s</title>", tip);
	hmu_svg_line(f, x - 4, y, x + 4, y + BAR_H, HMU_SVG_GONE_STROKE, 2);
	hmu_svg_line(f, x - 4, y + BAR_H, x + 4, y, HMU_SVG_GONE_STROKE, 2);
	fputs("</g>\n", f);
}

/*
 * A "lost" record: the events the tracer lost between its reader's two
 * looks, framed across every row (abuse25a B3) -- the blocks' states drawn
 * after it may miss a change.  Within the trace's time: @since may be
 * before its first event.
 */
static void svg_lost(const struct panel *p, FILE *f, const struct hmt_rec *r, double y_end)
{
	const struct hmt_timeline *tl = p->tl;
	unsigned long long t0 = r->since > tl->t0 ? r->since - tl->t0 : 0,
			   t1 = r->ts > tl->t0 ? r->ts - tl->t0 : 0;
	double x = xof(p, t0), w = xof(p, t1 > t0 ? t1 : t0) - x;
	char tip[200], label[40];

	snprintf(tip, sizeof(tip),
		 "%llu events lost by the tracer (its ring buffer was full) between %.6f and "
		 "%.6f ms: the states drawn after it may miss changes",
		 r->count, t0 / 1e6, t1 / 1e6);
	hmu_svg_rect(f, x, TOP - 8, w > 2 ? w : 2, y_end - TOP + 10, "none", HMU_SVG_ERROR_FILL,
		     tip);
	snprintf(label, sizeof(label), "%llu lost", r->count);
	hmu_svg_text(f, x, TOP - 22, 10, "start", HMU_SVG_ERROR_FILL, label);
}

static void svg_panel(const struct panel *p, FILE *f)
{
	const struct hmt_timeline *tl = p->tl;
	double y_end = rows_end(tl->nr_blocks);
	char tip[160], zn[24];

	svg_title(p, f);
	svg_axis(p, f, tl->nr_blocks);
	for (size_t i = 0; i < tl->nr_blocks; i++) {
		snprintf(zn, sizeof(zn), "memory%llu", tl->blocks[i]);
		hmu_svg_text(f, p->x0 - 8, row_y(i) + BAR_H - 1, 11, "end", "#333333", zn);
	}
	for (size_t i = 0; i < tl->nseg; i++)
		svg_seg(p, f, &tl->seg[i]);
	svg_cuts(p, f, y_end);
	svg_end(p, f, y_end);
	for (size_t i = 0; i < tl->ngone; i++)
		svg_gone(p, f, &tl->gone[i]);
	for (size_t i = 0; i < tl->trace->nlost; i++)
		svg_lost(p, f, &tl->trace->lost[i], y_end);
	for (size_t i = 0; i < tl->nmark; i++) {
		const struct hmt_tl_mark *m = &tl->mark[i];

		snprintf(tip, sizeof(tip), "memory%llu: %s failed: %lld (%s) at %.6f ms", m->block,
			 m->ev, m->ret, strerrordesc_np((int)-m->ret) ?: "?", m->t / 1e6);
		hmu_svg_rect(f, xof(p, m->t) - 2, row_y(row_of(tl, m->block)) - 2, 4,
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
	/*
	 * each swatch after its name's end: at a fixed 85 px "Movable" ran
	 * into Device's swatch (user42 U6); 7.3 px a character at 12 px
	 */
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		int len;

		hmu_svg_rect(f, x, y - 10, 24, BAR_H, hmu_svg_zone_fill(zones[i]), NULL, NULL);
		len = snprintf(name, sizeof(name), "%s", hmu_zone_name(zones[i]));
		hmu_svg_text(f, x + 30, y, 12, "start", "#000000", name);
		x += 30 + 7.3 * len + 16;
	}
	hmu_svg_rect(f, x + 10, y - 12, 4, BAR_H + 4, HMU_SVG_ERROR_FILL, NULL, NULL);
	hmu_svg_text(f, x + 30, y, 12, "start", "#000000", "online/offline failed");
	x += 200;
	hmu_svg_line(f, x + 8, y - 10, x + 16, y + 2, HMU_SVG_GONE_STROKE, 2);
	hmu_svg_line(f, x + 8, y + 2, x + 16, y - 10, HMU_SVG_GONE_STROKE, 2);
	hmu_svg_text(f, x + 30, y, 12, "start", "#000000", "removed");
}

/*
 * The legend's second line: why bars run on past "end of trace" (user42
 * U6b: the picture drew them without a word, only a bar's tooltip said
 * it).  They are each block's final state, drawn TAIL_PX on so that a
 * state the trace's last event set is seen at all; a swatch like one
 * such bar, crossed by the end line, then the words.
 */
static void svg_legend_end(FILE *f, double y)
{
	double x = LABEL_W;

	hmu_svg_rect(f, x, y - 10, 24, BAR_H, hmu_svg_zone_fill(HMU_ZONE_MOVABLE), NULL, NULL);
	hmu_svg_line(f, x + 12, y - 13, x + 12, y + 5, "#555555", 1);
	hmu_svg_text(f, x + 30, y, 12, "start", "#000000",
		     "a bar past end of trace: its block's final state (the trace saw no later change)");
}

int hmt_timeline_svg(const struct hmt_timeline *tl, size_t n, const struct hmt_tl_opts *o,
		     FILE *f)
{
	struct panel *p = panels_new(tl, n, o);
	size_t rows = 0;
	int width, height;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rows = tl[i].nr_blocks > rows ? tl[i].nr_blocks : rows;
	width = n * PANEL_W + 20;
	if (width < 940)	/* the legend's width */
		width = 940;
	/* under the rows: the axis again, "end of trace", the cuts' lengths, the legend's 2 lines */
	height = rows_end(rows ? rows : 1) + BOTTOM_AXIS + 94;
	hmu_svg_begin(f, width, height, "hotmem-trace timeline: memory blocks over time");
	for (size_t i = 0; i < n; i++)
		svg_panel(&p[i], f);
	panels_free(p, n);
	svg_legend(f, height - 36);
	svg_legend_end(f, height - 18);
	hmu_svg_end(f);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* ---- the command ------------------------------------------------------------ */

static void timeline_usage(FILE *f)
{
	fprintf(f, "usage: hotmem-trace timeline [-o|--output FILE.svg] [-b|--block-pages N]\n"
		   "                            [--own-scale] [--cut-gaps[=MS]] TRACE [TRACE2]\n"
		   "  an SVG of memory blocks over time from JSON-lines traces (--json);\n"
		   "  two traces (kernel and engine) side by side, on one time scale\n"
		   "  unless --own-scale; --cut-gaps draws gaps between events longer\n"
		   "  than MS (default %g) that long, marked with a break\n",
		DEFAULT_CUT_GAPS_MS);
}

/*
 * Every trace read and laid out before @output is opened: a file that is
 * not a trace leaves an existing SVG as it was.
 */
static int render(char **paths, int n, unsigned long long bp, const struct hmt_tl_opts *o,
		  const char *output)
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
	if (!err && hmt_timeline_svg(tl, n, o, out)) {
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
					      { "own-scale", no_argument, NULL, 'S' },
					      { "cut-gaps", optional_argument, NULL, 'C' },
					      { "help", no_argument, NULL, 'h' },
					      { 0 } };
	struct hmt_tl_opts o = { 0 };
	const char *output = NULL;
	unsigned long long bp = 0;
	char *end;
	double ms;
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
		case 'S':
			o.own_scale = true;
			break;
		case 'C':
			ms = optarg ? strtod(optarg, &end) : DEFAULT_CUT_GAPS_MS;
			if ((optarg && *end) || !(ms > 0 && ms < 1e9)) {
				fprintf(stderr, "hotmem-trace timeline: bad --cut-gaps '%s': "
						"milliseconds > 0\n", optarg);
				return 2;
			}
			o.cut_gaps = (unsigned long long)(ms * 1e6);
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
	return render(argv + optind, argc - optind, bp, &o, output) ? 2 : 0;
}
