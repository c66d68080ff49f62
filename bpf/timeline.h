/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem-trace timeline: a trace (or two side by side, say the kernel's
 * and the engine's) as an SVG of memory blocks over time: one row per
 * block the trace touches, offline and online (coloured by zone, the
 * colours of hotmemctl map) as bars, failed onlines/offlines as marks.
 */
#ifndef HMT_TIMELINE_H
#define HMT_TIMELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"

enum hmt_tl_state { HMT_TL_UNKNOWN = -1, HMT_TL_ABSENT, HMT_TL_OFFLINE, HMT_TL_ONLINE };

/* a block in one state from t0 to t1 (ns since the trace's first event) */
struct hmt_tl_seg {
	unsigned long long block, t0, t1;
	enum hmt_tl_state state;
	int zid; /* online: enum hmu_zone, -1 unknown */
	bool open; /* the state the block was left in when the trace ended */
};

/* an online_pages/offline_pages that failed */
struct hmt_tl_mark {
	unsigned long long block, t;
	long long ret;
	char ev[HMT_EV_LEN];
};

struct hmt_timeline {
	const struct hmt_trace *trace;
	unsigned long long block_pages;
	unsigned long long t0, t1; /* first and last event */
	unsigned long long *blocks; /* the rows: blocks touched, ascending */
	size_t nr_blocks;
	struct hmt_tl_seg *seg;
	size_t nseg, cap_seg;
	struct hmt_tl_mark *mark;	/* failed onlines/offlines */
	size_t nmark, cap_mark;
	struct hmt_tl_mark *gone;	/* removals (try_remove_memory): where a row ends */
	size_t ngone, cap_gone;
};

/* most rows a panel draws */
#define HMT_TL_MAX_BLOCKS 1024

/* @block_pages 0: from the trace (a memory_block_online's nr_pages) */
int hmt_timeline_build(struct hmt_timeline *tl, const struct hmt_trace *t,
		       unsigned long long block_pages);
void hmt_timeline_free(struct hmt_timeline *tl);
/* how the panels' time axes are drawn */
struct hmt_tl_opts {
	bool own_scale; /* each panel its own scale (by default the panels share one) */
	unsigned long long cut_gaps; /* ns; a gap between events longer than this is cut to
				      * this length and marked; 0: time drawn as it passed */
};

/*
 * The time at each panel's right edge (ns of drawn time; @end has @n
 * elements): past the last event by a margin, so every block's final
 * state shows as a bar; one value for all panels unless @o->own_scale.
 */
void hmt_timeline_axis_end(const struct hmt_timeline *tl, size_t n,
			   const struct hmt_tl_opts *o, unsigned long long *end);
/* one panel per timeline, side by side; -errno if writing failed */
int hmt_timeline_svg(const struct hmt_timeline *tl, size_t n, const struct hmt_tl_opts *o,
		     FILE *f);
/* "hotmem-trace timeline [-o FILE] [--block-pages N] [--own-scale] [--cut-gaps[=MS]] TRACE [TRACE2]" */
int hmt_timeline_main(int argc, char **argv);

#endif /* HMT_TIMELINE_H */
