// SPDX-License-Identifier: GPL-2.0
/*
 * The state file: the machine survives kill -9.
 *
 * Saved after every change that a client can make (write, fsync,
 * rename, fsync of the directory), so a crash at any instant leaves
 * either the old or the new file.  It holds what rebuilds the machine:
 * the profile and command line, the parameters, the devices, and the
 * blocks' states and zones as runs.  A CRC over the canonical "machine"
 * text catches damage that still parses; a damaged file is refused with
 * a message, never replaced.
 */
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmfs.h"
#include "shown.h"
#include "state_profile.h"

#define STATE_FORMAT "hotmemfs-state"
#define STATE_VERSION 1
/* far above any machine's file (32768 blocks are a few KiB of runs) */
#define HMFS_STATE_MAX (64 << 20)
/* the journal is folded into the state file past this many bytes */
#define HMFS_JOURNAL_MAX (256 << 10)
/*
 * The journal is written in place, not appended to: its file is grown
 * HMFS_JOURNAL_CHUNK bytes of written zeros at a time, and each record
 * is pwrite()n over the zeros at journal_len.  The fdatasync() that
 * makes a record durable then has the record's data alone to write: the
 * file's size and its blocks (allocated, written, no unwritten extent or
 * delayed allocation left) are on disk already, so the filesystem
 * commits no metadata for it (ext4: no jbd2 transaction).  On this
 * VM's ext4 an fdatasync() of a record took 0.13 ms this way against
 * 0.22 ms appended (medians of 1500, interleaved, Nov 2026).  Only the
 * first sync after a growth, one per chunk, commits the new size.
 *
 * Durability is an append's: fdatasync() returns once the record's
 * bytes are on stable storage, and nothing more is needed to find them
 * again (the size already covers them), kill -9 or power loss.  A crash
 * while a record is written leaves that one torn: some of its sectors
 * written, the others still the zeros they were.  A restore reads the
 * records up to the first zero byte (records are JSON text, never a
 * NUL), so the torn one ends there or fails its checksum, is the last,
 * was never acknowledged, and is dropped, as an append cut short was.
 * A record shares its pages only with the records before it, and those
 * are written again with their own bytes.  Past journal_len there are
 * only zeros: the file is cut (ftruncate()) where a restore, an undo or
 * a compaction leaves it, never overwritten with older records' bytes
 * behind.
 */
#define HMFS_JOURNAL_CHUNK (16 << 10)

/*
 * @m's checksum into *@crc; -ENOMEM: its text could not be made.  json-c
 * 0.16 gives NULL for a printbuf it could not get (strlen() of it crashed
 * a restart out of memory: nomem44), and a failed malloc() on the way
 * sets errno to ENOMEM, which nothing else in the serializer does.
 */
static int machine_crc(json_object *m, uint32_t *crc)
{
	const char *s;

	errno = 0;
	s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	if (!s || errno == ENOMEM)
		return -ENOMEM;
	*crc = hmfs_crc32(s, strlen(s));
	return 0;
}

/*
 * "drivers-autoprobe": each bus's drivers_autoprobe by the bus's name
 * ({"memory": true, "node": false, ...}; a file from before it: all 1,
 * as booted).  A parameter of the running kernel like the others
 * (params_autoprobe_json()).
 */
/* the ratios as params_json() writes them */
static json_object *ratio_json(const int ratio[HM_MAX_NR_ZONES])
{
	json_object *a = json_object_new_array();

	for (int i = 0; a && i < HM_MAX_NR_ZONES; i++)
		if (!hmfs_json_push_new(a, json_object_new_int(ratio[i]))) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

/*
 * Each of the @nr nodes' zones' _watermark[] in @n (@reserves false:
 * [min, low, high], no boost) or lowmem_reserve[] (true: /proc/zoneinfo's
 * "protection:", HM_MAX_NR_ZONES of them), one array a node; NULL: no
 * memory.  Every possible node has its pgdat from boot on, as 6.12's
 * free_area_init() gives each one (for_each_node()), the engine's
 * alloc_node_data() too, and none is ever freed while the machine runs:
 * no null node is written (a file's null node is read: zone_wmarks_ok())
 */
static json_object *zone_wmarks_json(const struct hm_node_wmarks *n, int nr, bool reserves)
{
	json_object *a = json_object_new_array();

	for (int nid = 0; a && nid < nr; nid++) {
		json_object *node = NULL;

		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			const unsigned long *v = reserves ? n[nid].zone[zid].lowmem_reserve :
							    n[nid].zone[zid].watermark;
			const int len = reserves ? HM_MAX_NR_ZONES : 3;
			json_object *z;

			if (!node && !(node = json_object_new_array()))
				goto fail;
			z = json_object_new_array();
			for (int i = 0; z && i < len; i++)
				if (!hmfs_json_push_new(z, json_object_new_uint64(v[i])))
					goto fail_z;
			if (!z || json_object_array_add(node, z)) {
fail_z:
				json_object_put(z);
				goto fail;
			}
		}
		if (json_object_array_add(a, node)) {
fail:
			json_object_put(node);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* room for every possible node's marks (hotmem_node_wmarks()), *@nr of them; NULL: no memory */
static struct hm_node_wmarks *node_wmarks_alloc(struct hmfs_ctx *ctx, int *nr)
{
	*nr = hotmem_nr_possible_nodes(ctx->hm);
	return malloc((size_t)*nr * sizeof(struct hm_node_wmarks));
}

/* the zones' reserves as they stand, as zone_wmarks_json() has them: NULL, no memory */
static json_object *zone_reserves_now_json(struct hmfs_ctx *ctx)
{
	int nr;
	struct hm_node_wmarks *n = node_wmarks_alloc(ctx, &nr);
	json_object *res = n ? zone_wmarks_json(n, hotmem_node_wmarks(ctx->hm, n, nr), true) : NULL;

	free(n);
	return res;
}

/*
 * The zones' marks and reserves as they stand: 6.12 sets them up only at
 * an online, an offline or a watermark sysctl's write, from the managed
 * pages of then, which virtio-mem's sub-blocks in an online block and
 * HVO move without one -- a restore's own setups count the pages of its
 * own moment, so it puts these back at its end (reread40 R1, R2).  Read
 * into an array of the possible nodes, no snapshot: every save writes
 * them (state41).
 */
/*
 * Each of the @nr nodes' zones' pagesets' [batch, high_min, high_max,
 * vm stats threshold, pcp->high], one array a node: NULL, no memory.
 * pcp->high last (zones44): a file from before has the four.
 */
static json_object *zone_pagesets_json(const struct hm_node_wmarks *n, int nr)
{
	json_object *a = json_object_new_array();

	for (int nid = 0; a && nid < nr; nid++) {
		json_object *node = json_object_new_array();

		for (int zid = 0; node && zid < HM_MAX_NR_ZONES; zid++) {
			const long *pcp = n[nid].zone[zid].pcp;
			json_object *z = json_object_new_array();

			for (int i = 0; z && i < 3; i++)
				if (!hmfs_json_push_new(z, json_object_new_int64(pcp[i])))
					goto fail_z;
			if (!z ||
			    !hmfs_json_push_new(z, json_object_new_int(n[nid].zone[zid].stat_threshold)) ||
			    !hmfs_json_push_new(z, json_object_new_int64(n[nid].zone[zid].pcp_high)) ||
			    json_object_array_add(node, z)) {
fail_z:
				json_object_put(z);
				goto fail;
			}
		}
		if (!node || json_object_array_add(a, node)) {
fail:
			json_object_put(node);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* totalreserve_pages @all, then each of the @nr nodes' pgdat->totalreserve_pages: NULL, no memory */
static json_object *totalreserve_json(unsigned long all, const struct hm_node_wmarks *n, int nr)
{
	json_object *a = json_object_new_array();

	if (!a || !hmfs_json_push_new(a, json_object_new_uint64(all)))
		goto fail;
	for (int nid = 0; nid < nr; nid++)
		if (!hmfs_json_push_new(a, json_object_new_uint64(n[nid].totalreserve_pages)))
			goto fail;
	return a;
fail:
	json_object_put(a);
	return NULL;
}

/*
 * "params"' values but the nodes' four keys (params_add_nodes()), as C
 * values, read once (params_capture()) and rendered by params_render():
 * a one-block change keeps its pre's so and compares them with now's
 * field by field (params_as_before()), rendering them only for an undo
 * (hmfs_state_pre_whole()) or, reserve_mem_notifier()'s, a record --
 * built as JSON on both sides they were ~25K of an online's ~400K
 * instructions (params43)
 */
struct hmfs_params_c {
	int auto_online, online_policy;
	unsigned int auto_movable_ratio;
	bool numa_aware, unplug_online;
	int error_going_online, error_going_offline;
	int policy_zone;
	/* "drivers-autoprobe": each bus's drivers_autoprobe snode, its value */
	int nr_buses;
	int bus[HMFS_MAX_BUSES];
	bool autoprobe[HMFS_MAX_BUSES];
	unsigned long max_pfn;
	/* notifier_params[]' scalars: reserve_mem_notifier()'s, and min_free_kbytes */
	unsigned long user_reserve_kbytes, admin_reserve_kbytes, min_free_kbytes;
	int user_min_free_kbytes, watermark_scale_factor, watermark_boost_factor;
	int percpu_pagelist_high_fraction;
	int ratio[HM_MAX_NR_ZONES];
	bool hugetlb_optimize_vmemmap;
	unsigned long hugetlb_overcommit;
	unsigned int anon_count;
};

/*
 * The zones' marks, reserves, pagesets and totalreserve_pages as C values
 * (the engine's, read once): what params_json()'s four node keys render.
 * A one-block change keeps its pre's as these and compares them so
 * (params_as_before()), rendering them only for a record or an undo:
 * two renders an online were ~1/3 of its instructions (perf42).  With
 * the rest of "params" (@p) when a one-block change's (pre_capture()).
 */
struct hmfs_pre_nodes {
	int nr;
	unsigned long total; /* totalreserve_pages */
	struct hmfs_params_c p;
	struct hm_node_wmarks n[];
};

/* the nodes' values now: NULL, no memory */
static struct hmfs_pre_nodes *nodes_capture(struct hmfs_ctx *ctx)
{
	int nr = hotmem_nr_possible_nodes(ctx->hm);
	struct hmfs_pre_nodes *c = calloc(1, sizeof(*c) + (size_t)nr * sizeof(c->n[0]));

	if (!c)
		return NULL;
	c->nr = hotmem_node_wmarks(ctx->hm, c->n, nr);
	c->total = hotmem_totalreserve_pages(ctx->hm);
	return c;
}

/* @c's four keys into @p (in params_json()'s order): false, no memory */
static bool params_add_nodes(json_object *p, const struct hmfs_pre_nodes *c)
{
	json_object *marks = zone_wmarks_json(c->n, c->nr, false);
	json_object *res = zone_wmarks_json(c->n, c->nr, true);
	json_object *pcp = zone_pagesets_json(c->n, c->nr);
	json_object *total = totalreserve_json(c->total, c->n, c->nr);

	bool ok = hmfs_json_add_new(p, "watermarks", marks);

	ok &= hmfs_json_add_new(p, "lowmem-reserve", res);
	/*
	 * what the last setups derived from them and kept: the pagesets'
	 * limits and stats thresholds (pcp42), totalreserve_pages (wmark42)
	 * -- from the managed pages and boost of then, which a restore has
	 * not (restart42; a file from before them: derived at its end)
	 */
	ok &= hmfs_json_add_new(p, "pagesets", pcp);
	ok &= hmfs_json_add_new(p, "totalreserve-pages", total);
	return ok;
}

/* "watermarks" of @a and @b alike: what zone_wmarks_json() renders, compared as values */
static bool nodes_marks_same(const struct hmfs_pre_nodes *a, const struct hmfs_pre_nodes *b)
{
	for (int nid = 0; nid < a->nr; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			if (memcmp(a->n[nid].zone[zid].watermark, b->n[nid].zone[zid].watermark,
				   sizeof(a->n[nid].zone[zid].watermark)))
				return false;
	return true;
}

/* "lowmem-reserve" of @a and @b alike */
static bool nodes_reserves_same(const struct hmfs_pre_nodes *a, const struct hmfs_pre_nodes *b)
{
	for (int nid = 0; nid < a->nr; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			if (memcmp(a->n[nid].zone[zid].lowmem_reserve,
				   b->n[nid].zone[zid].lowmem_reserve,
				   sizeof(a->n[nid].zone[zid].lowmem_reserve)))
				return false;
	return true;
}

/* "pagesets" of @a and @b alike (zone_pagesets_json()) */
static bool nodes_pagesets_same(const struct hmfs_pre_nodes *a, const struct hmfs_pre_nodes *b)
{
	for (int nid = 0; nid < a->nr; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			if (memcmp(a->n[nid].zone[zid].pcp, b->n[nid].zone[zid].pcp,
				   sizeof(a->n[nid].zone[zid].pcp)) ||
			    a->n[nid].zone[zid].stat_threshold != b->n[nid].zone[zid].stat_threshold ||
			    a->n[nid].zone[zid].pcp_high != b->n[nid].zone[zid].pcp_high)
				return false;
	return true;
}

/* "totalreserve-pages" of @a and @b alike (totalreserve_json()) */
static bool nodes_total_same(const struct hmfs_pre_nodes *a, const struct hmfs_pre_nodes *b)
{
	if (a->total != b->total)
		return false;
	for (int nid = 0; nid < a->nr; nid++)
		if (a->n[nid].totalreserve_pages != b->n[nid].totalreserve_pages)
			return false;
	return true;
}

static bool nodes_same(const struct hmfs_pre_nodes *a, const struct hmfs_pre_nodes *b)
{
	return a->nr == b->nr && nodes_marks_same(a, b) && nodes_reserves_same(a, b) &&
	       nodes_pagesets_same(a, b) && nodes_total_same(a, b);
}

/*
 * the buses' drivers_autoprobe into @p, in the tree's order: tree.c
 * keeps their snodes (ctx->sn_bus_autoprobe[]); a walk of every snode
 * (~200) was 0.5-1.2K instructions a capture (rfix43)
 */
static void params_capture_buses(struct hmfs_ctx *ctx, struct hmfs_params_c *p)
{
	p->nr_buses = ctx->nr_buses;
	for (int i = 0; i < p->nr_buses; i++) {
		p->bus[i] = ctx->sn_bus_autoprobe[i];
		p->autoprobe[i] = hmfs_bus_autoprobe(ctx, p->bus[i]);
	}
}

/* "params"' values now but the nodes' into @p */
static void params_capture(struct hmfs_ctx *ctx, struct hmfs_params_c *p)
{
	p->auto_online = hotmem_get_auto_online(ctx->hm);
	p->online_policy = hotmem_get_online_policy(ctx->hm);
	p->auto_movable_ratio = hotmem_get_auto_movable_ratio(ctx->hm);
	p->numa_aware = hotmem_get_auto_movable_numa_aware(ctx->hm);
	p->unplug_online = hotmem_get_virtio_mem_unplug_online(ctx->hm);
	p->error_going_online = hotmem_get_notifier_error(ctx->hm, HM_MEM_GOING_ONLINE);
	p->error_going_offline = hotmem_get_notifier_error(ctx->hm, HM_MEM_GOING_OFFLINE);
	p->policy_zone = hotmem_get_policy_zone(ctx->hm);
	p->max_pfn = hotmem_max_pfn(ctx->hm);
	p->user_reserve_kbytes = hotmem_user_reserve_kbytes(ctx->hm);
	p->admin_reserve_kbytes = hotmem_admin_reserve_kbytes(ctx->hm);
	p->min_free_kbytes = hotmem_min_free_kbytes(ctx->hm);
	p->user_min_free_kbytes = hotmem_user_min_free_kbytes(ctx->hm);
	p->watermark_scale_factor = hotmem_watermark_scale_factor(ctx->hm);
	p->watermark_boost_factor = hotmem_watermark_boost_factor(ctx->hm);
	p->percpu_pagelist_high_fraction = hotmem_percpu_pagelist_high_fraction(ctx->hm);
	hotmem_lowmem_reserve_ratio(ctx->hm, p->ratio);
	p->hugetlb_optimize_vmemmap = hotmem_hugetlb_optimize_vmemmap(ctx->hm);
	p->hugetlb_overcommit = hotmem_hugetlb_overcommit(ctx->hm);
	p->anon_count = hmfs_dev_anon_count(ctx);
	params_capture_buses(ctx, p);
}

/* "drivers-autoprobe" of @p: each bus's value by the bus's name ({"memory": true, ...}) */
static json_object *params_autoprobe_json(struct hmfs_ctx *ctx, const struct hmfs_params_c *p)
{
	json_object *o = json_object_new_object();

	for (int i = 0; o && i < p->nr_buses; i++)
		if (!hmfs_json_add_new(o, ctx->snodes[ctx->snodes[p->bus[i]].parent].name,
				    json_object_new_boolean(p->autoprobe[i]))) {
			json_object_put(o);
			return NULL;
		}
	return o;
}

/* @a's and @b's values alike but notifier_params[]' (the nodes' and the three scalars) */
static bool params_c_same_but_notifier(const struct hmfs_params_c *a, const struct hmfs_params_c *b)
{
	return a->auto_online == b->auto_online && a->online_policy == b->online_policy &&
	       a->auto_movable_ratio == b->auto_movable_ratio && a->numa_aware == b->numa_aware &&
	       a->unplug_online == b->unplug_online &&
	       a->error_going_online == b->error_going_online &&
	       a->error_going_offline == b->error_going_offline &&
	       a->policy_zone == b->policy_zone && a->nr_buses == b->nr_buses &&
	       !memcmp(a->bus, b->bus, (size_t)a->nr_buses * sizeof(a->bus[0])) &&
	       !memcmp(a->autoprobe, b->autoprobe, (size_t)a->nr_buses * sizeof(a->autoprobe[0])) &&
	       a->max_pfn == b->max_pfn && a->user_min_free_kbytes == b->user_min_free_kbytes &&
	       a->watermark_scale_factor == b->watermark_scale_factor &&
	       a->watermark_boost_factor == b->watermark_boost_factor &&
	       a->percpu_pagelist_high_fraction == b->percpu_pagelist_high_fraction &&
	       !memcmp(a->ratio, b->ratio, sizeof(a->ratio)) &&
	       a->hugetlb_optimize_vmemmap == b->hugetlb_optimize_vmemmap &&
	       a->hugetlb_overcommit == b->hugetlb_overcommit && a->anon_count == b->anon_count;
}

/* notifier_params[]' scalars of @a and @b alike */
static bool params_c_notifier_same(const struct hmfs_params_c *a, const struct hmfs_params_c *b)
{
	return a->user_reserve_kbytes == b->user_reserve_kbytes &&
	       a->admin_reserve_kbytes == b->admin_reserve_kbytes &&
	       a->min_free_kbytes == b->min_free_kbytes;
}

/*
 * "params" of @p, and of @c (NULL: without the nodes' four keys):
 * params_json()'s text, in its key order; NULL, no memory
 */
static json_object *params_render(struct hmfs_ctx *ctx, const struct hmfs_params_c *v,
				  const struct hmfs_pre_nodes *c)
{
	json_object *p = json_object_new_object();
	bool ok = p != NULL;

	if (!ok)
		return NULL;
	ok &= hmfs_json_add_new(p, "auto-online",
			     json_object_new_string(hmu_online_type_name(v->auto_online)));
	ok &= hmfs_json_add_new(p, "online-policy",
			     json_object_new_string(hotmem_online_policy_name(v->online_policy)));
	ok &= hmfs_json_add_new(p, "auto-movable-ratio",
			     json_object_new_int64(v->auto_movable_ratio));
	ok &= hmfs_json_add_new(p, "auto-movable-numa-aware",
			     json_object_new_boolean(v->numa_aware));
	ok &= hmfs_json_add_new(p, "virtio-mem-unplug-online",
			     json_object_new_boolean(v->unplug_online));
	/*
	 * notifier-error-inject's memory/actions/<ACTION>/error (a file from
	 * before them: 0, as booted); restored after the blocks, whose
	 * offlines and onlines it would fail
	 */
	ok &= hmfs_json_add_new(p, "notifier-error-going-online",
			     json_object_new_int(v->error_going_online));
	ok &= hmfs_json_add_new(p, "notifier-error-going-offline",
			     json_object_new_int(v->error_going_offline));
	/* only ever raised: the blocks' onlines at a restore may not reach it again */
	ok &= hmfs_json_add_new(p, "policy-zone",
			     json_object_new_string(hmu_zone_name(v->policy_zone)));
	ok &= hmfs_json_add_new(p, "drivers-autoprobe", params_autoprobe_json(ctx, v));
	/*
	 * x86's max_pfn, where /proc/kpageflags ends: raised by each add
	 * (a "set", the add's own record), never lowered, so past a device
	 * removed before a restart, which no restore adds again (a file
	 * from before it: the end its devices reach)
	 */
	ok &= hmfs_json_add_new(p, "max-pfn", json_object_new_uint64(v->max_pfn));
	/*
	 * vm.user_reserve_kbytes, vm.admin_reserve_kbytes: an operator's or
	 * reserve_mem_notifier()'s (a file from before them: the boot's and
	 * the restore's onlines' values)
	 */
	ok &= hmfs_json_add_new(p, "user-reserve-kbytes",
			     json_object_new_uint64(v->user_reserve_kbytes));
	ok &= hmfs_json_add_new(p, "admin-reserve-kbytes",
			     json_object_new_uint64(v->admin_reserve_kbytes));
	/*
	 * the watermark sysctls (a file from before them: the boot's and the
	 * restore's onlines' values): min_free_kbytes and the operator's
	 * (-1: none), which may differ once an online computed a larger one
	 */
	ok &= hmfs_json_add_new(p, "min-free-kbytes", json_object_new_uint64(v->min_free_kbytes));
	ok &= hmfs_json_add_new(p, "user-min-free-kbytes",
			     json_object_new_int(v->user_min_free_kbytes));
	ok &= hmfs_json_add_new(p, "watermark-scale-factor",
			     json_object_new_int(v->watermark_scale_factor));
	/*
	 * vm.percpu_pagelist_high_fraction, whose write set the "pagesets"
	 * (a file from before it: the command line's)
	 */
	ok &= hmfs_json_add_new(p, "percpu-pagelist-high-fraction",
			     json_object_new_int(v->percpu_pagelist_high_fraction));
	/*
	 * the zones' marks and reserves themselves (a file from before them:
	 * its "boot-watermarks" says whether they were set up since boot,
	 * restore_watermark_sysctls())
	 */
	if (c)
		ok &= params_add_nodes(p, c);
	/* vm.watermark_boost_factor (a file from before it: the command line's) */
	ok &= hmfs_json_add_new(p, "watermark-boost-factor",
			     json_object_new_int(v->watermark_boost_factor));
	ok &= hmfs_json_add_new(p, "lowmem-reserve-ratio", ratio_json(v->ratio));
	/* vm.hugetlb_optimize_vmemmap, 0 or 1 (a file from before it: the command line's) */
	ok &= hmfs_json_add_new(p, "hugetlb-optimize-vmemmap",
			     json_object_new_int(v->hugetlb_optimize_vmemmap));
	/* the 2 MiB hstate's nr_overcommit_hugepages (a file from before it: 0, as booted) */
	ok &= hmfs_json_add_new(p, "hugetlb-overcommit",
			     json_object_new_uint64(v->hugetlb_overcommit));
	/*
	 * the next /machine/peripheral-anon/device[N]: a restart is the same
	 * run, whose numbers are never given back (a file from before it:
	 * past the restored devices' numbers, as before)
	 */
	ok &= hmfs_json_add_new(p, "anon-count", json_object_new_uint64(v->anon_count));
	if (!ok) { /* no memory: no params rather than a machine without its marks */
		json_object_put(p);
		return NULL;
	}
	return p;
}

/* the nodes' values and the rest of "params" now (a one-block change's): NULL, no memory */
static struct hmfs_pre_nodes *pre_capture(struct hmfs_ctx *ctx)
{
	struct hmfs_pre_nodes *c = nodes_capture(ctx);

	if (c)
		params_capture(ctx, &c->p);
	return c;
}

static json_object *params_json(struct hmfs_ctx *ctx)
{
	struct hmfs_pre_nodes *c = pre_capture(ctx);
	json_object *p = c ? params_render(ctx, &c->p, c) : NULL;

	free(c);
	return p;
}

/*
 * The parameters the engine keeps lock-free, which the kernel sets under
 * none of the locks a looping offline holds: nr_overcommit_hugepages
 * (6.12 hugetlb_overcommit_handler(), nr_overcommit_hugepages_store():
 * hugetlb_lock around one assignment), a notifier-error-inject error
 * (lib/notifier-error-inject.c: a debugfs errno value, no lock) and
 * auto_online_blocks (6.12 drivers/base/memory.c auto_online_blocks_store():
 * mhp_set_default_online_type(), no lock; abuse27 F5) and
 * lowmem_reserve_ratio (6.12 lowmem_reserve_ratio_sysctl_handler(): no
 * lock; reread31 R2; its value a vector, struct hmfs_param_value).  And QEMU's
 * anonymous devices' count (qdev_set_id()'s static anon_count, under
 * no lock of the guest's), which a refused anonymous device_add keeps
 * (machine.c hmfs_dev_anon_keep(); reread29 R10): only ever raised, so
 * that a number once taken is never given again, a failed record's undo
 * included.  Each is set and journaled under journal_lock alone, a
 * "param" record of its own key of "params" (hmfs_state_set_param()),
 * never behind change_lock.  A change's undo leaves them as they are,
 * and its compare skips them: another writer's acknowledged value is not
 * the change's to take back.
 */
struct hmfs_lock_free_param {
	const char *key; /* in "params" */
	enum hmfs_change_op op;
	int id; /* a notifier-error-inject action (the change's id); -1: any */
	bool raise_only; /* never lowered: by a record, nor by its replay */
};

static const struct hmfs_lock_free_param lock_free_params[] = {
	{ "hugetlb-overcommit", HMFS_CH_HUGETLB_OVERCOMMIT, -1, false },
	{ "notifier-error-going-online", HMFS_CH_NOTIFIER_ERROR, HM_MEM_GOING_ONLINE, false },
	{ "notifier-error-going-offline", HMFS_CH_NOTIFIER_ERROR, HM_MEM_GOING_OFFLINE, false },
	{ "auto-online", HMFS_CH_AUTO_ONLINE, -1, false }, /* an online type, by its name */
	{ "anon-count", HMFS_CH_ANON_COUNT, -1, true },
	{ "user-reserve-kbytes", HMFS_CH_VM_RESERVE, 0, false },
	{ "admin-reserve-kbytes", HMFS_CH_VM_RESERVE, 1, false },
	{ "hugetlb-optimize-vmemmap", HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP, -1, false },
	{ "watermark-boost-factor", HMFS_CH_WATERMARK_BOOST_FACTOR, -1, false },
	{ "lowmem-reserve-ratio", HMFS_CH_VM_WMARK, HMFS_VM_LOWMEM_RESERVE_RATIO, false },
};
#define NR_LOCK_FREE (sizeof(lock_free_params) / sizeof(lock_free_params[0]))

static const struct hmfs_lock_free_param *lock_free_param(const struct hmfs_change *ch)
{
	for (size_t i = 0; i < NR_LOCK_FREE; i++)
		if (lock_free_params[i].op == ch->op &&
		    (lock_free_params[i].id < 0 || (unsigned long)lock_free_params[i].id == ch->id))
			return &lock_free_params[i];
	return NULL;
}

bool hmfs_state_lock_free(const struct hmfs_change *ch)
{
	return lock_free_param(ch) != NULL;
}

static const struct hmfs_lock_free_param *lock_free_of_key(const char *key)
{
	for (size_t i = 0; i < NR_LOCK_FREE; i++)
		if (!strcmp(key, lock_free_params[i].key))
			return &lock_free_params[i];
	return NULL;
}

static bool lock_free_key(const char *key)
{
	return lock_free_of_key(key) != NULL;
}

/* vm.lowmem_reserve_ratio's, whose value is the ratios (struct hmfs_param_value) */
static bool param_is_ratio(const struct hmfs_lock_free_param *p)
{
	return p->op == HMFS_CH_VM_WMARK;
}

/* the engine's value, as hmfs_change's .value carries it (an unsigned count cast) */
static long long param_get_v(struct hmfs_ctx *ctx, const struct hmfs_lock_free_param *p)
{
	if (p->op == HMFS_CH_HUGETLB_OVERCOMMIT)
		return (long long)hotmem_hugetlb_overcommit(ctx->hm);
	if (p->op == HMFS_CH_AUTO_ONLINE)
		return hotmem_get_auto_online(ctx->hm);
	if (p->op == HMFS_CH_ANON_COUNT)
		return hmfs_dev_anon_count(ctx);
	if (p->op == HMFS_CH_VM_RESERVE)
		return (long long)(p->id ? hotmem_admin_reserve_kbytes(ctx->hm) :
					   hotmem_user_reserve_kbytes(ctx->hm));
	if (p->op == HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP)
		return hotmem_hugetlb_optimize_vmemmap(ctx->hm);
	if (p->op == HMFS_CH_WATERMARK_BOOST_FACTOR)
		return hotmem_watermark_boost_factor(ctx->hm);
	return hotmem_get_notifier_error(ctx->hm, p->id);
}

/* the engine's value: all the ratios, or v */
static struct hmfs_param_value param_get(struct hmfs_ctx *ctx, const struct hmfs_lock_free_param *p)
{
	struct hmfs_param_value v = { 0 };

	if (param_is_ratio(p)) {
		v.n = HM_MAX_NR_ZONES;
		hotmem_lowmem_reserve_ratio(ctx->hm, v.ratio);
	} else {
		v.v = param_get_v(ctx, p);
	}
	return v;
}

/* @ch's value: the ratios it parsed (.value of them), or its .value */
static struct hmfs_param_value param_of_change(const struct hmfs_lock_free_param *p,
					       const struct hmfs_change *ch)
{
	struct hmfs_param_value v = { .v = ch->value };

	if (param_is_ratio(p)) {
		v.n = ch->value < 0 ? 0 : ch->value > HM_MAX_NR_ZONES ? HM_MAX_NR_ZONES : (int)ch->value;
		memcpy(v.ratio, ch->ratio, (size_t)v.n * sizeof(v.ratio[0]));
	}
	return v;
}

static void param_set(struct hmfs_ctx *ctx, const struct hmfs_lock_free_param *p,
		      const struct hmfs_param_value *pv)
{
	const long long v = pv->v;

	if (param_is_ratio(p))
		hotmem_set_lowmem_reserve_ratio(ctx->hm, pv->ratio, pv->n); /* over the others */
	else if (p->op == HMFS_CH_HUGETLB_OVERCOMMIT)
		hotmem_hugetlb_set_overcommit(ctx->hm, (unsigned long)v);
	else if (p->op == HMFS_CH_AUTO_ONLINE)
		hotmem_set_auto_online(ctx->hm, (int)v); /* parsed: a valid type */
	else if (p->op == HMFS_CH_ANON_COUNT)
		hmfs_dev_anon_raise(ctx, (unsigned int)v); /* an undo's lower value: none */
	else if (p->op == HMFS_CH_VM_RESERVE && p->id)
		hotmem_set_admin_reserve_kbytes(ctx->hm, (unsigned long)v);
	else if (p->op == HMFS_CH_VM_RESERVE)
		hotmem_set_user_reserve_kbytes(ctx->hm, (unsigned long)v);
	else if (p->op == HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP)
		hotmem_set_hugetlb_optimize_vmemmap(ctx->hm, v != 0);
	else if (p->op == HMFS_CH_WATERMARK_BOOST_FACTOR)
		(void)hotmem_set_watermark_boost_factor(ctx->hm, v); /* parsed: 0..INT_MAX */
	else
		hotmem_set_notifier_error(ctx->hm, p->id, (int)v);
}

/*
 * The value setting @p to @want leaves: a raise-only count's (anon-count)
 * is the larger of @want and its value now, which accepted anonymous
 * device_adds raise with no record of their own (reread30 R1); the
 * ratios are all of them, @want's over the others as they are now, each
 * below 1 as 0 (hotmem_set_lowmem_reserve_ratio()): a partial write never
 * rewrites another writer's acknowledged ratios (reread31 R3)
 */
static struct hmfs_param_value param_leaves(struct hmfs_ctx *ctx,
					    const struct hmfs_lock_free_param *p,
					    const struct hmfs_param_value *want)
{
	struct hmfs_param_value now;

	if (!p->raise_only && !param_is_ratio(p))
		return *want;
	now = param_get(ctx, p);
	if (p->raise_only)
		return now.v > want->v ? now : *want;
	memcpy(now.ratio, want->ratio, (size_t)want->n * sizeof(now.ratio[0]));
	for (int i = 0; i < HM_MAX_NR_ZONES; i++)
		if (now.ratio[i] < 1)
			now.ratio[i] = 0;
	return now;
}

static bool param_same(const struct hmfs_param_value *a, const struct hmfs_param_value *b)
{
	return a->v == b->v && a->n == b->n &&
	       !memcmp(a->ratio, b->ratio, (size_t)a->n * sizeof(a->ratio[0]));
}

/* @pv as params_json() writes it */
static json_object *param_json(const struct hmfs_lock_free_param *p,
			       const struct hmfs_param_value *pv)
{
	const long long v = pv->v;

	if (param_is_ratio(p))
		return ratio_json(pv->ratio);
	if (p->op == HMFS_CH_HUGETLB_OVERCOMMIT || p->op == HMFS_CH_ANON_COUNT ||
	    p->op == HMFS_CH_VM_RESERVE)
		return json_object_new_uint64((uint64_t)v);
	if (p->op == HMFS_CH_AUTO_ONLINE)
		return json_object_new_string(hmu_online_type_name((int)v));
	return json_object_new_int((int)v);
}

/* @v: HM_MAX_NR_ZONES ints */
static bool ratio_json_ok(json_object *v)
{
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != HM_MAX_NR_ZONES)
		return false;
	for (size_t i = 0; i < HM_MAX_NR_ZONES; i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_int))
			return false;
	return true;
}

/* @v: arrays of @n non-negative ints, one a zone (zone_wmarks_json()'s node) */
static bool zone_wmarks_node_ok(json_object *v, size_t n)
{
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != HM_MAX_NR_ZONES)
		return false;
	for (size_t zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		json_object *z = json_object_array_get_idx(v, zid);

		if (!json_object_is_type(z, json_type_array) || json_object_array_length(z) != n)
			return false;
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(z, i);

			if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0)
				return false;
		}
	}
	return true;
}

/* @v as zone_wmarks_json() writes it, a node each, its zones; a null node: none kept */
static bool zone_wmarks_ok(json_object *v, bool reserves)
{
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > HM_MAX_NUMNODES)
		return false;
	for (size_t nid = 0; nid < json_object_array_length(v); nid++) {
		json_object *node = json_object_array_get_idx(v, nid);

		if (node && !zone_wmarks_node_ok(node, reserves ? HM_MAX_NR_ZONES : 3))
			return false;
	}
	return true;
}

/* @v: an array of @min..@max non-negative ints */
static bool ints_ok(json_object *v, size_t min, size_t max)
{
	size_t len = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;

	if (len < min || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0)
			return false;
	}
	return true;
}

/*
 * @v as zone_pagesets_json() writes it: a node each, its zones' five ints
 * (an int threshold), or four from a file before pcp->high was kept
 */
static bool zone_pagesets_ok(json_object *v)
{
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > HM_MAX_NUMNODES)
		return false;
	for (size_t nid = 0; nid < json_object_array_length(v); nid++) {
		json_object *node = json_object_array_get_idx(v, nid);

		if (!zone_wmarks_node_ok(node, 5) && !zone_wmarks_node_ok(node, 4))
			return false;
		for (size_t zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			if (json_object_get_int64(json_object_array_get_idx(
				    json_object_array_get_idx(node, zid), 3)) > INT_MAX)
				return false;
	}
	return true;
}

/* @v is a value params_json() writes for lock-free parameter @key */
static bool param_json_ok(const char *key, json_object *v)
{
	const char *name;

	if (!strcmp(key, "pagesets"))
		return zone_pagesets_ok(v);
	if (!strcmp(key, "totalreserve-pages"))
		return ints_ok(v, 1, HM_MAX_NUMNODES + 1);

	if (!strcmp(key, "lowmem-reserve-ratio"))
		return ratio_json_ok(v);
	if (!strcmp(key, "watermarks") || !strcmp(key, "lowmem-reserve"))
		return zone_wmarks_ok(v, !strcmp(key, "lowmem-reserve"));
	if (!strcmp(key, "boot-watermarks"))
		return json_object_is_type(v, json_type_boolean);
	if (strcmp(key, "auto-online"))
		return json_object_is_type(v, json_type_int);
	name = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	return name && hmu_online_type_from_str(name) >= 0;
}

/* @params without the lock-free ones (a copy; NULL: no memory) */
static json_object *params_locked(json_object *params)
{
	json_object *c = NULL;

	if (json_object_deep_copy(params, &c, NULL))
		return NULL;
	for (size_t i = 0; json_object_is_type(c, json_type_object) && i < NR_LOCK_FREE; i++)
		json_object_object_del(c, lock_free_params[i].key);
	return c;
}

/* [first, count]; NULL: no memory, never a null in it (nomem44) */
static json_object *run_json(unsigned long first, unsigned long count)
{
	json_object *run = json_object_new_array();

	if (!run || !hmfs_json_push_new(run, json_object_new_uint64(first)) ||
	    !hmfs_json_push_new(run, json_object_new_uint64(count))) {
		json_object_put(run);
		return NULL;
	}
	return run;
}

/* [first, count] of the blocks a device at @addr of @size spans: its range, as a record has it */
static json_object *dev_range_json(struct hmfs_ctx *ctx, uint64_t addr, uint64_t size)
{
	uint64_t bs = ctx->block_size, first = addr / bs;

	return run_json(first, (addr + size + bs - 1) / bs - first);
}

static uint64_t u64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_uint64(v);
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = hmfs_json_get(o, key, json_type_string);

	return v ? json_object_get_string(v) : "";
}

/*
 * Memory added through `probe` belongs to no device (no memory group, not
 * boot memory): kept as runs of block ids, added again on restore (#16.4).
 * NULL: no memory -- the save fails (nomem44: json-c asserted on the
 * unmade array, a hard_offline_page's 159th 48-byte malloc()).
 */
static json_object *probed_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();
	unsigned long id, first = 0, count = 0;
	bool start, ok = a;

	for (start = true; ok && !hotmem_block_next(ctx->hm, &id, start); start = false) {
		struct hm_block_info bi;

		if (hotmem_block_info(ctx->hm, id, &bi) || bi.boot || bi.group >= 0)
			continue;
		if (count && id == first + count) {
			count++;
			continue;
		}
		if (count)
			ok = hmfs_json_push_new(a, run_json(first, count));
		first = id;
		count = 1;
	}
	if (ok && count)
		ok = hmfs_json_push_new(a, run_json(first, count));
	if (!ok) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/* @len bytes of @s at @off (no descriptor here is O_APPEND) */
static int write_at(int fd, const char *s, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, s, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* ---- the file's place: lock, directory, temporary file ------------------ */

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* PATH + suffix, relative to the state file's directory (ctx->state_dirfd) */
static void sibling(const struct hmfs_ctx *ctx, const char *suffix, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", base_name(ctx->state_path), suffix);
}

const char *hmfs_file_type(mode_t mode)
{
	return S_ISREG(mode)  ? "a regular file" :
	       S_ISDIR(mode)  ? "a directory" :
	       S_ISLNK(mode)  ? "a symbolic link" :
	       S_ISFIFO(mode) ? "a FIFO" :
	       S_ISSOCK(mode) ? "a socket" :
	       S_ISCHR(mode)  ? "a character device" :
	       S_ISBLK(mode)  ? "a block device" :
				"a special file";
}

/*
 * Trust only what we own: a file another user can plant or change must
 * not steer what root writes or restores (#16.8).
 */
static int check_ours(const struct stat *st, const char *path, const char *what, char *err,
		      size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s %s is not a regular file (%s)", what, path,
			 hmfs_file_type(st->st_mode));
		return -EINVAL;
	}
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s %s belongs to uid %u, not to us (uid %u): refusing to trust it",
			 what, path, (unsigned)st->st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s %s is writable by others (mode %04o): refusing to trust it",
			 what, path, (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * The lock file @fd, locked, is still PATH.lock: a start that failed
 * unlinks the lock file it made while it holds the lock
 * (hmfs_state_open(), main.c start_unmake_files()), and one that opened
 * it before the unlink takes the lock on a file no longer there, beside a
 * third start's lock on the new one.  Such a lock counts for nothing.
 */
static bool lock_still_named(struct hmfs_ctx *ctx, const char *name, const struct stat *st)
{
	struct stat now;

	return !fstatat(ctx->state_dirfd, name, &now, AT_SYMLINK_NOFOLLOW) &&
	       now.st_ino == st->st_ino && now.st_dev == st->st_dev;
}

/* PATH.lock opened, made when not there (@made: by us, for a refusal to take away) */
static int open_lock(struct hmfs_ctx *ctx, const char *name, bool *made)
{
	int fd = openat(ctx->state_dirfd, name,
			O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	*made = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = openat(ctx->state_dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/*
 * One hotmemfs per state file: a POSIX write lock on PATH.lock (F_GETLK
 * names the holder's pid), held until we exit; the kernel drops it when
 * we die, kill -9 included.  Never opened anywhere else in the process:
 * closing any descriptor of it would drop the lock.  @made: the file is
 * ours, made by this call.
 */
static int take_lock(struct hmfs_ctx *ctx, bool *made, char *err, size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char name[PATH_MAX + 16], path[PATH_MAX + 16], pid[32];
	struct stat st;
	bool busy;
	int fd, ret;

	sibling(ctx, ".lock", name, sizeof(name));
again:
	fd = open_lock(ctx, name, made);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "lock file %s.lock: %s", ctx->state_path, strerror(-ret));
		return ret;
	}
	snprintf(path, sizeof(path), "%s.lock", ctx->state_path);
	ret = fstat(fd, &st) ? -errno : check_ours(&st, path, "lock file", err, errlen);
	if (ret)
		goto fail;
	if (fcntl(fd, F_SETLK, &fl)) {
		ret = -errno;
		fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
		busy = (ret == -EAGAIN || ret == -EACCES) && !fcntl(fd, F_GETLK, &fl) &&
		       fl.l_type != F_UNLCK;
		if (busy && fl.l_pid > 0)
			snprintf(err, errlen,
				 "state file %s is in use by another hotmemfs (pid %ld holds %s.lock)",
				 ctx->state_path, (long)fl.l_pid, ctx->state_path);
		else if (busy)
			/* F_GETLK's pid 0: the holder is in a PID namespace ours cannot see */
			snprintf(err, errlen,
				 "state file %s is in use by another hotmemfs, in another PID namespace (another hotmem-enter?), which holds %s.lock",
				 ctx->state_path, ctx->state_path);
		else
			snprintf(err, errlen, "locking %s.lock: %s", ctx->state_path,
				 strerror(-ret));
		ret = ret == -EACCES ? -EAGAIN : ret;
		goto fail;
	}
	if (!lock_still_named(ctx, name, &st)) {
		close(fd);
		goto again; /* the failed start's lock is gone: the file there now */
	}
	/* for people: who holds it */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (!ftruncate(fd, 0))
		write_at(fd, pid, strlen(pid), 0);
	ctx->state_lockfd = fd;
	return 0;
fail:
	close(fd);
	return ret;
}

/* our temporary file PATH@suffix, left by a crash, goes; anything else there is refused */
static int clear_tmp(struct hmfs_ctx *ctx, const char *suffix, char *err, size_t errlen)
{
	char name[PATH_MAX + 16], path[PATH_MAX + 16];
	struct stat st;
	int ret;

	sibling(ctx, suffix, name, sizeof(name));
	if (fstatat(ctx->state_dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	snprintf(path, sizeof(path), "%s%s", ctx->state_path, suffix);
	ret = check_ours(&st, path, "temporary file", err, errlen);
	if (ret) {
		snprintf(err + strlen(err), errlen - strlen(err),
			 "; someone else can write to its directory? remove it yourself");
		return ret;
	}
	return unlinkat(ctx->state_dirfd, name, 0) ? -errno : 0;
}

/*
 * PATH.journal, ours, kept open: a save needs no new descriptor (EMFILE).
 * @made: made by this call (O_EXCL, as open_lock()), not guessed from a
 * look before the lock or before settle_aside() put one back: a failed
 * start removes only a journal it made, never one of acknowledged records.
 */
static int open_journal(struct hmfs_ctx *ctx, bool *made, char *err, size_t errlen)
{
	char name[PATH_MAX + 16], path[PATH_MAX + 16];
	struct stat st;
	int ret;

	sibling(ctx, ".journal", name, sizeof(name));
	snprintf(path, sizeof(path), "%s.journal", ctx->state_path);
	ctx->journal_fd = openat(ctx->state_dirfd, name,
				 O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	*made = ctx->journal_fd >= 0;
	if (ctx->journal_fd < 0 && errno == EEXIST)
		ctx->journal_fd = openat(ctx->state_dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (ctx->journal_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "journal %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = fstat(ctx->journal_fd, &st) ? -errno :
					     check_ours(&st, path, "journal", err, errlen);
	ctx->journal_size = (size_t)st.st_size;
	return ret;
}

/*
 * --fresh boots anew, yet the start can still fail after it (a profile's
 * bad words, a refused boot, a control socket that cannot be bound), and
 * a failed start leaves the file system as it was: the old state file and
 * its journal are set aside as PATH.fresh-aside and
 * PATH.journal.fresh-aside, a new empty journal opened, until the new
 * machine's first successful whole save (drop_aside()); a failure before it
 * puts them back (hmfs_state_put_back()).  The state file goes aside
 * first and comes back last, so that a crash at any instant leaves the
 * next start (settle_aside()) one rule: PATH.fresh-aside without PATH is
 * the old machine, never replaced (put back, with its journal); beside
 * PATH it is what the saved new machine replaced (removed).
 */
#define FRESH_ASIDE ".fresh-aside"
#define JOURNAL_ASIDE ".journal.fresh-aside"

/* the CRC-32 in hex and the '~' before it, in a shortened aside name */
#define ASIDE_HASH_LEN 9

/*
 * NAME@suffix, or one that fits NAME_MAX: a state file named over 235
 * bytes (of 255) has no room for ".journal.fresh-aside", and --fresh was
 * refused for a name the user gave that is valid; over 236-238, none for
 * ".journal.orphaned[.N]" or ".journal.damaged[.N]", and the starts that
 * keep a journal aside were refused (reread25 R6).  Such a name is
 * NAME's first bytes, '~', NAME's CRC-32 in hex, then the suffix: the
 * same NAME gives the same name at every start, so that settle_aside()
 * finds an aside again after a crash.  NAME's own siblings always fit
 * (hmfs_state_name_check()).
 */
static void short_sibling(const char *name, const char *suffix, char *buf, size_t len)
{
	size_t n = strlen(name), k = strlen(suffix);

	if (n + k <= NAME_MAX)
		snprintf(buf, len, "%s%s", name, suffix);
	else
		snprintf(buf, len, "%.*s~%08x%s", (int)(NAME_MAX - k - ASIDE_HASH_LEN), name,
			 hmfs_crc32(name, n), suffix);
}

/* PATH@suffix's name in the state file's directory, shortened where it must be */
static void aside_sibling(const struct hmfs_ctx *ctx, const char *suffix, char *buf, size_t len)
{
	short_sibling(base_name(ctx->state_path), suffix, buf, len);
}

void hmfs_state_sibling_path(const char *path, const char *suffix, char *buf, size_t len)
{
	int dir = (int)(base_name(path) - path);

	snprintf(buf, len, "%.*s", dir, path);
	short_sibling(base_name(path), suffix, buf + strlen(buf), len - strlen(buf));
}

/* the same as a path, for a message: the state file's directory as given, then the name */
static const char *aside_path(const struct hmfs_ctx *ctx, const char *suffix, char *buf,
			      size_t len)
{
	hmfs_state_sibling_path(ctx->state_path, suffix, buf, len);
	return buf;
}

/*
 * NAME.journal and NAME.journal.tmp keep their names, never shortened:
 * every message and advice says PATH.journal, and a user's mv must find
 * it.  So NAME is at most NAME_MAX less ".journal.tmp" (243 bytes).
 */
int hmfs_state_name_check(const char *path, char *err, size_t errlen)
{
	static const char longest[] = ".journal.tmp";
	size_t n = strlen(base_name(path));

	if (n + sizeof(longest) - 1 <= NAME_MAX)
		return 0;
	snprintf(err, errlen,
		 "the state file's name is %zu bytes: at most %zu (NAME_MAX %d less \"%s\", its journal's compaction file's)",
		 n, NAME_MAX - (sizeof(longest) - 1), NAME_MAX, longest);
	return -ENAMETOOLONG;
}

static int rename_sibling(struct hmfs_ctx *ctx, const char *from, const char *to)
{
	char a[PATH_MAX + 32], b[PATH_MAX + 32];

	aside_sibling(ctx, from, a, sizeof(a));
	aside_sibling(ctx, to, b, sizeof(b));
	return renameat(ctx->state_dirfd, a, ctx->state_dirfd, b) ? -errno : 0;
}

static int unlink_sibling(struct hmfs_ctx *ctx, const char *suffix)
{
	char name[PATH_MAX + 32];

	aside_sibling(ctx, suffix, name, sizeof(name));
	return unlinkat(ctx->state_dirfd, name, 0) && errno != ENOENT ? -errno : 0;
}

/*
 * PATH.journal.fresh-aside (if @journal), then PATH.fresh-aside, removed:
 * PATH.fresh-aside left beside PATH is what the next start's
 * settle_aside() removes, with any journal aside; a journal aside left
 * alone would be put back as PATH.journal.  *@failed: the suffix of the
 * one that failed, for the message.
 */
static int unlink_asides(struct hmfs_ctx *ctx, bool journal, const char **failed)
{
	int ret = 0;

	*failed = JOURNAL_ASIDE;
	if (journal)
		ret = unlink_sibling(ctx, JOURNAL_ASIDE);
	if (ret)
		return ret;
	*failed = FRESH_ASIDE;
	return unlink_sibling(ctx, FRESH_ASIDE);
}

/* the same, put back: the journal first, PATH back last, the old machine whole again */
static int put_asides_back(struct hmfs_ctx *ctx, bool journal, const char **failed)
{
	int ret = 0;

	*failed = JOURNAL_ASIDE;
	if (journal)
		ret = rename_sibling(ctx, JOURNAL_ASIDE, ".journal");
	if (ret)
		return ret;
	*failed = FRESH_ASIDE;
	return rename_sibling(ctx, FRESH_ASIDE, "");
}

/* PATH@suffix: 1 there (ours), 0 not there; refused when not ours */
static int aside_there(struct hmfs_ctx *ctx, const char *suffix, char *err, size_t errlen)
{
	char name[PATH_MAX + 32], path[PATH_MAX + 32];
	struct stat st;
	int ret;

	aside_sibling(ctx, suffix, name, sizeof(name));
	aside_path(ctx, suffix, path, sizeof(path));
	if (fstatat(ctx->state_dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		snprintf(err, errlen, "--fresh's old state %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = check_ours(&st, path, "--fresh's old state", err, errlen);
	return ret ? ret : 1;
}

/*
 * PATH.journal.fresh-aside found without PATH.fresh-aside: our renames
 * never leave that (the state file goes aside first, comes back last),
 * but they are not synced, and after a host crash only the journal's may
 * be on disk -- PATH is then the old machine, the journal aside its
 * records.  Put back where the PATH.journal there holds none (absent or
 * empty: the new one --fresh opened); beside one with records, which is
 * the machine's is not known: refused, both left.
 */
static int settle_journal_alone(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	char name[PATH_MAX + 16], j[PATH_MAX + 32], f[PATH_MAX + 32];
	struct stat st;
	int ret;

	aside_path(ctx, JOURNAL_ASIDE, j, sizeof(j));
	aside_path(ctx, FRESH_ASIDE, f, sizeof(f));
	sibling(ctx, ".journal", name, sizeof(name));
	if (!fstatat(ctx->state_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	    (!S_ISREG(st.st_mode) || st.st_size)) {
		snprintf(err, errlen, "%s is there without %s, beside a journal %s.journal that is not empty: which holds the machine's records is not known; move one of them away yourself",
			 j, f, ctx->state_path);
		return -EEXIST;
	}
	ret = rename_sibling(ctx, JOURNAL_ASIDE, ".journal");
	if (ret) {
		snprintf(err, errlen, "putting back %s, which a --fresh start set aside: %s", j,
			 strerror(-ret));
		return ret;
	}
	fsync(ctx->state_dirfd);
	fprintf(stderr, "hotmemfs: %s put back as %s.journal: found without %s (a crash after --fresh set them aside), the journal there empty\n",
		j, ctx->state_path, f);
	return 0;
}

/* PATH.fresh-aside beside PATH (@journal: its journal aside too): what the saved new machine replaced */
static int settle_replaced(struct hmfs_ctx *ctx, int journal, char *err, size_t errlen)
{
	char f[PATH_MAX + 32], j[PATH_MAX + 32];
	const char *failed;
	int ret = unlink_asides(ctx, journal, &failed);

	if (ret) {
		snprintf(err, errlen, "removing %s, which a saved --fresh start replaced: %s",
			 aside_path(ctx, failed, f, sizeof(f)), strerror(-ret));
		return ret;
	}
	fprintf(stderr, "hotmemfs: removed %s%s%s: the --fresh start that set it aside saved its new machine\n",
		aside_path(ctx, FRESH_ASIDE, f, sizeof(f)), journal ? " and " : "",
		journal ? aside_path(ctx, JOURNAL_ASIDE, j, sizeof(j)) : "");
	return 0;
}

/*
 * A --fresh start that ended without its own way back (killed): before
 * its first save the old machine comes back, after it the old files go.
 * Under the lock, before the journal is opened.
 */
static int settle_aside(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	int state = aside_there(ctx, FRESH_ASIDE, err, errlen), journal = 0, ret;
	char path[PATH_MAX + 32];
	const char *failed;
	struct stat st;

	if (state >= 0)
		journal = aside_there(ctx, JOURNAL_ASIDE, err, errlen);
	if (state < 0 || journal < 0)
		return state < 0 ? state : journal;
	if (!state)
		return journal ? settle_journal_alone(ctx, err, errlen) : 0;
	if (!fstatat(ctx->state_dirfd, base_name(ctx->state_path), &st, AT_SYMLINK_NOFOLLOW) ||
	    errno != ENOENT)
		return settle_replaced(ctx, journal, err, errlen);
	ret = put_asides_back(ctx, journal, &failed);
	if (ret) {
		snprintf(err, errlen, "putting back %s, which a --fresh start that never saved set aside: %s",
			 aside_path(ctx, failed, path, sizeof(path)), strerror(-ret));
		return ret;
	}
	fsync(ctx->state_dirfd);
	fprintf(stderr, "hotmemfs: %s put back as %s: the --fresh start that set it aside ended before its new machine was saved\n",
		aside_path(ctx, FRESH_ASIDE, path, sizeof(path)), ctx->state_path);
	return 0;
}

/* no state file: a journal without records (keep_orphaned_journal() kept any) emptied */
static int empty_alone_journal(struct hmfs_ctx *ctx)
{
	if (ctx->journal_fd >= 0 && ftruncate(ctx->journal_fd, 0))
		return -errno;
	ctx->journal_size = 0;
	return 0;
}

int hmfs_state_set_aside(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	int old_fd = ctx->journal_fd, ret;
	struct stat st;
	bool made;

	if (!ctx->state_path[0])
		return 0;
	if (fstatat(ctx->state_dirfd, base_name(ctx->state_path), &st, AT_SYMLINK_NOFOLLOW)) {
		ret = errno == ENOENT ? empty_alone_journal(ctx) : -errno;
		goto said;
	}
	/*
	 * Only a state file: main.c refused anything else at start, and a
	 * device node or FIFO put there since stays too (usereye7 #7: --fresh
	 * unlinked -S /dev/null and wrote a state file in its place)
	 */
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	ret = rename_sibling(ctx, "", FRESH_ASIDE);
	if (ret)
		goto said;
	ret = rename_sibling(ctx, ".journal", JOURNAL_ASIDE);
	if (ret)
		goto put_state;
	ctx->journal_fd = -1;
	/*
	 * The renames are not synced here: the first save's own rename and
	 * directory sync come after them, and until then a crash leaves the
	 * old names or the aside ones, which settle_aside() takes either way.
	 * The new journal is not counted as made: hmfs_state_put_back()
	 * renames the old one over it.
	 */
	ret = open_journal(ctx, &made, err, errlen);
	if (ret)
		goto put_journal;
	close(old_fd);
	ctx->fresh_aside = true;
	return 0;
put_journal:
	if (ctx->journal_fd >= 0)
		close(ctx->journal_fd);
	ctx->journal_fd = old_fd;
	rename_sibling(ctx, JOURNAL_ASIDE, ".journal");
put_state:
	rename_sibling(ctx, FRESH_ASIDE, "");
said:
	if (ret && !err[0])
		snprintf(err, errlen, "%s", strerror(-ret));
	return ret;
}

/*
 * --fresh's old state, once a whole save of the new machine stands: any
 * such save, not only the start's first (a failed one leaves it to a
 * `hotmemctl save`, a compaction, the final save).  Under compact_lock.
 */
static void drop_aside(struct hmfs_ctx *ctx)
{
	char path[PATH_MAX + 32];
	const char *failed;
	int ret;

	if (!ctx->fresh_aside)
		return;
	ctx->fresh_aside = false;
	ret = unlink_asides(ctx, true, &failed);
	if (ret)
		fprintf(stderr, "hotmemfs: --fresh: removing the old state %s: %s (the next start removes it)\n",
			aside_path(ctx, failed, path, sizeof(path)), strerror(-ret));
}

void hmfs_state_put_back(struct hmfs_ctx *ctx)
{
	char path[PATH_MAX + 32];
	const char *failed;
	int ret;

	if (!ctx->fresh_aside)
		return;
	ctx->fresh_aside = false;
	ret = put_asides_back(ctx, true, &failed);
	if (ret) {
		fprintf(stderr, "hotmemfs: --fresh: putting the old state %s back: %s (the next start puts it back)\n",
			aside_path(ctx, failed, path, sizeof(path)), strerror(-ret));
		return;
	}
	fsync(ctx->state_dirfd);
	fprintf(stderr, "hotmemfs: --fresh: the state file %s put back as it was: the start failed\n",
		ctx->state_path);
}

/*
 * keep_orphaned_journal()'s rename undone: the journal with its records
 * back as PATH.journal, over the empty one made in its place, so that a
 * failed start leaves the directory as it found it (the next start keeps
 * it aside again, and says so)
 */
static void put_orphaned_back(struct hmfs_ctx *ctx)
{
	char kept[PATH_MAX + 32];
	int ret;

	if (!ctx->journal_kept_as[0])
		return;
	aside_path(ctx, ctx->journal_kept_as, kept, sizeof(kept));
	ret = rename_sibling(ctx, ctx->journal_kept_as, ".journal");
	if (ret) {
		fprintf(stderr, "hotmemfs: putting %s back as %s.journal: %s; it holds the records, the journal there is empty\n",
			kept, ctx->state_path, strerror(-ret));
	} else {
		fsync(ctx->state_dirfd);
		fprintf(stderr, "hotmemfs: %s put back as %s.journal: the start failed before its first save\n",
			kept, ctx->state_path);
	}
	ctx->journal_kept_as[0] = '\0';
}

void hmfs_state_unmake(struct hmfs_ctx *ctx)
{
	char name[PATH_MAX + 16];

	if (ctx->state_lockfd < 0)
		return; /* not held: another start may have them by now */
	put_orphaned_back(ctx);
	if (ctx->state_journal_made && ctx->journal_fd >= 0) {
		sibling(ctx, ".journal", name, sizeof(name));
		unlinkat(ctx->state_dirfd, name, 0);
	}
	/* while held: one that opened it meanwhile finds it gone (lock_still_named()) */
	if (ctx->state_lock_made) {
		sibling(ctx, ".lock", name, sizeof(name));
		unlinkat(ctx->state_dirfd, name, 0);
	}
	ctx->state_lock_made = ctx->state_journal_made = false;
}

static int keep_orphaned_journal(struct hmfs_ctx *ctx, char *err, size_t errlen);

int hmfs_state_open(struct hmfs_ctx *ctx, const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int ret;

	if (strlen(path) >= sizeof(ctx->state_path) - 8) {
		snprintf(err, errlen, "state file path too long");
		return -ENAMETOOLONG;
	}
	snprintf(ctx->state_path, sizeof(ctx->state_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	ctx->state_dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->state_dirfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "state file directory %s: %s", dir, strerror(-ret));
		goto fail;
	}
	ret = take_lock(ctx, &ctx->state_lock_made, err, errlen);
	if (!ret)
		ret = clear_tmp(ctx, ".tmp", err, errlen);
	if (!ret)
		ret = clear_tmp(ctx, ".journal.tmp", err, errlen);
	if (!ret)
		ret = settle_aside(ctx, err, errlen);
	if (!ret)
		ret = open_journal(ctx, &ctx->state_journal_made, err, errlen);
	if (!ret)
		ret = keep_orphaned_journal(ctx, err, errlen);
	if (!ret)
		return 0;
	/* refused holding the lock: the directory left as it was */
	hmfs_state_unmake(ctx);
fail:
	hmfs_state_close(ctx);
	ctx->state_path[0] = '\0';
	return ret;
}

/* one of the state file's threads told to stop (under journal_lock, as it waits) and joined */
static void stop_thread(struct hmfs_ctx *ctx, pthread_t thread, bool *started, bool *stop,
			pthread_cond_t *cond)
{
	if (!*started)
		return;
	pthread_mutex_lock(&ctx->journal_lock);
	*stop = true;
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(&ctx->journal_lock);
	pthread_join(thread, NULL);
	*started = false;
}

static void stop_compactor(struct hmfs_ctx *ctx)
{
	stop_thread(ctx, ctx->compactor, &ctx->compactor_started, &ctx->compact_stop,
		    &ctx->compact_cond);
}

/*
 * The claimed pageblocks as the walk gives them, pfn and migratetype
 * pairs: what a record compares with the last one carried, as values --
 * the walk is a few entries, their JSON and its text ~20 times dearer,
 * and made at every change (claim44 first compared texts: 300K -> 477K
 * instructions an online with a state file, callgrind)
 */
struct hmfs_pageblocks {
	uint64_t *v;	/* 2 * @n: pfn, migratetype */
	size_t n, cap;
};

static void pageblocks_free(struct hmfs_pageblocks *l)
{
	if (l)
		free(l->v);
	free(l);
}

void hmfs_state_close(struct hmfs_ctx *ctx)
{
	hmfs_state_stop_threads(ctx); /* the last records synced, the compaction ended */
	if (ctx->journal_fd >= 0)
		close(ctx->journal_fd);
	json_object_put(ctx->saved);
	ctx->saved = NULL;
	free(ctx->profile_lines);
	ctx->profile_lines = NULL;
	free(ctx->frozen_why);
	ctx->frozen_why = NULL;
	for (int k = 0; k < HMFS_STATE_KEYS; k++) {
		free(ctx->saved_text[k]);
		ctx->saved_text[k] = NULL;
	}
	pageblocks_free(ctx->kmem_pageblocks_sent);
	pageblocks_free(ctx->kmem_pageblocks_next);
	ctx->kmem_pageblocks_sent = ctx->kmem_pageblocks_next = NULL;
	ctx->journal_fd = -1;
	pthread_mutex_lock(&ctx->retired_lock);
	free(ctx->retired);
	ctx->retired = NULL;
	ctx->nr_retired = ctx->retired_cap = 0;
	pthread_mutex_unlock(&ctx->retired_lock);
	if (ctx->state_lockfd >= 0)
		close(ctx->state_lockfd); /* drops the lock; the file stays */
	if (ctx->state_dirfd >= 0)
		close(ctx->state_dirfd);
	ctx->state_lockfd = ctx->state_dirfd = -1;
}

/* ---- saving ------------------------------------------------------------- */

/* "node-ids" of a file whose guest node ids are in SRAT order (check_node_ids()) */
#define NODE_IDS_SRAT "srat"

/* the order of the file's "machine" object */
enum {
	KEY_PROFILE, KEY_CMDLINE, KEY_BLOCK_SIZE, KEY_PARAMS, KEY_DEVICES, KEY_PROBED, KEY_BLOCKS,
	KEY_PROFILE_DEVICES, KEY_HWPOISON, KEY_IATTRS, KEY_HUGETLB, KEY_HUGETLB_NEXT_NID,
	KEY_PROFILE_CONFIG, KEY_BOOT_ID, KEY_KMEM, KEY_MEMMAP, KEY_BOOT_MEMMAP_FREED, KEY_NODE_IDS,
	KEY_ZONE_MOVABLE,
};
/*
 * "profile-devices": the profile's device lines by address, each with
 * whether a device was there, so that a restore takes away again the
 * profile's devices removed before (a file without it, from before
 * 2026-11-29, keeps them all; a line added to the profile since, too).
 */
static const char *const machine_keys[HMFS_STATE_KEYS] = {
	[KEY_PROFILE] = "profile", [KEY_CMDLINE] = "cmdline", [KEY_BLOCK_SIZE] = "block-size",
	[KEY_PARAMS] = "params",   [KEY_DEVICES] = "devices", [KEY_PROBED] = "probed",
	[KEY_BLOCKS] = "blocks",   [KEY_PROFILE_DEVICES] = "profile-devices",
	[KEY_HWPOISON] = "hwpoison",	   [KEY_IATTRS] = "iattrs",
	[KEY_HUGETLB] = "hugetlb",	   [KEY_HUGETLB_NEXT_NID] = "hugetlb-next-nid",
	[KEY_PROFILE_CONFIG] = "profile-config", [KEY_BOOT_ID] = "boot-id",
	[KEY_KMEM] = "kmem",			   [KEY_MEMMAP] = "memmap",
	[KEY_BOOT_MEMMAP_FREED] = "boot-memmap-freed", [KEY_NODE_IDS] = "node-ids",
	[KEY_ZONE_MOVABLE] = "zone-movable-pfn",
};
/* and their values' types (a journal's "set" of another type is damage) */
static const json_type machine_types[HMFS_STATE_KEYS] = {
	[KEY_PROFILE] = json_type_string, [KEY_CMDLINE] = json_type_string,
	[KEY_BLOCK_SIZE] = json_type_int, [KEY_PARAMS] = json_type_object,
	[KEY_DEVICES] = json_type_array,  [KEY_PROBED] = json_type_array,
	[KEY_BLOCKS] = json_type_array,	  [KEY_PROFILE_DEVICES] = json_type_array,
	[KEY_HWPOISON] = json_type_array, [KEY_IATTRS] = json_type_array,
	[KEY_HUGETLB] = json_type_array,  [KEY_HUGETLB_NEXT_NID] = json_type_object,
	[KEY_PROFILE_CONFIG] = json_type_array, [KEY_BOOT_ID] = json_type_string,
	[KEY_KMEM] = json_type_object,	  [KEY_MEMMAP] = json_type_array,
	[KEY_BOOT_MEMMAP_FREED] = json_type_array, [KEY_NODE_IDS] = json_type_string,
	[KEY_ZONE_MOVABLE] = json_type_array,
};

/*
 * "hwpoison": the pages soft_offline_page and hard_offline_page retired,
 * in order, {"pfn", "hard"} each (a file without it, from before
 * 2026-11-29: none), a hard one with memory_failure()'s outcome
 * ("result": nodeN/memory_failure/'s name for it; an entry without it,
 * from before: what the replay finds).  The kernel keeps them retired
 * until a reboot; a restart of hotmemfs retires them again
 * (restore_retired()), counting the outcome they had: the workload whose
 * kernel page was ignored is not saved, so the replay finds the page free
 * and would count it recovered.
 */
static const char *const mf_result_names[] = {
	[HM_MF_IGNORED] = "ignored", [HM_MF_FAILED] = "failed",
	[HM_MF_DELAYED] = "delayed", [HM_MF_RECOVERED] = "recovered",
};

/* an entry's "result": HM_MF_*, HM_MF_NONE without one (or one not known) */
static int mf_result_of(json_object *r)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(r, "result", &v) || !json_object_is_type(v, json_type_string))
		return HM_MF_NONE;
	for (int i = 0; i < (int)(sizeof(mf_result_names) / sizeof(mf_result_names[0])); i++)
		if (!strcmp(json_object_get_string(v), mf_result_names[i]))
			return i;
	return HM_MF_NONE;
}

/* one retired page's entry; NULL: no memory */
static json_object *retired_entry_json(const struct hmfs_retired *p)
{
	json_object *r = json_object_new_object();
	bool ok = hmfs_json_add_new(r, "pfn", json_object_new_uint64(p->pfn));

	ok &= hmfs_json_add_new(r, "hard", json_object_new_boolean(p->hard));
	if (p->result != HM_MF_NONE)
		ok &= hmfs_json_add_new(r, "result", json_object_new_string(mf_result_names[p->result]));
	if (!ok) {
		json_object_put(r);
		return NULL;
	}
	return r;
}

/*
 * NULL: no memory -- the save fails and its change is undone, never an
 * entry or field written null (vfix43: the restart then lost the page
 * or its outcome)
 */
static json_object *retired_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	pthread_mutex_lock(&ctx->retired_lock);
	for (size_t i = 0; a && i < ctx->nr_retired; i++)
		if (!hmfs_json_push_new(a, retired_entry_json(&ctx->retired[i]))) {
			json_object_put(a);
			a = NULL;
		}
	pthread_mutex_unlock(&ctx->retired_lock);
	return a;
}

/* ---- HugeTLB pool ----------------------------------------------------------- */

/*
 * "hugetlb": the persistent 2 MiB pool, [{"node", "pages", "optimized"}]
 * for each node that has pages (a file without it, from before
 * 2026-11-29: none).  The kernel keeps nodeN/hugepages/hugepages-2048kB/
 * nr_hugepages as a count of pages wherever they are; a restart allocates
 * them again on their nodes, where the node's memory has room now.
 * "optimized": how many of them had their vmemmap optimised, which
 * vm.hugetlb_optimize_vmemmap decided as each was taken -- the restore
 * optimises as many whatever the switch says then (an entry without it,
 * from before 2026-12-02: as the command line says).  "pfns": where
 * each page is (below).  An entry of a file from 2026-12-04 may have
 * "zones" instead, how many were in each zone (DMA, DMA32, Normal,
 * Movable, Device), which the restore takes first (restore42: an
 * offline's replacement pages, alloc_and_dissolve_hugetlb_folio(), came
 * from the zone that had room then, not the one a growth of now picks);
 * no longer written: the pfns say it and more (vmremap43).  An entry
 * without either: where the growth puts them.  An offline that
 * dissolved free huge pages (dissolve_free_hugetlb_folios()) shrank it:
 * the block's record is then a "set" that has it (append_run(),
 * append_device()).
 */

/*
 * "pfns": the pool's head pfns in its order, as [first, count] runs of
 * 2 MiB pages one after another (512 pfns apart), which the restore
 * takes again where free, in every zone (hotmem_hugetlb_restore_
 * node_at()): a growth of now does not find them where the running
 * pool, grown before a DIMM's memmap took its block (restore42b) or
 * around the workload's pages (vmremap43), had them.  An entry without
 * it (before 2026-12-04): "zones".
 */
#define HUGETLB_RUN_STRIDE 512	/* a 2 MiB page's pfns */

/*
 * Run @r's count (its element 1) made @count: -ENOMEM when the new int
 * could not be made or put (put here: json-c leaves it the caller's), the
 * old count kept -- never a null count, which the next pfn read as 0 and
 * the runs came out wrong (review43 F5)
 */
static int hugetlb_run_count_set(json_object *r, uint64_t count)
{
	json_object *c = json_object_new_uint64(count);

	if (c && !json_object_array_put_idx(r, 1, c))
		return 0;
	json_object_put(c);
	return -ENOMEM;
}

static int hugetlb_pfn_add(void *arg, uint64_t pfn)
{
	json_object *a = arg, *r;
	size_t n = json_object_array_length(a);

	if (n) {
		r = json_object_array_get_idx(a, n - 1);
		uint64_t first = json_object_get_uint64(json_object_array_get_idx(r, 0));
		uint64_t count = json_object_get_uint64(json_object_array_get_idx(r, 1));

		if (pfn == first + count * HUGETLB_RUN_STRIDE)
			return hugetlb_run_count_set(r, count + 1);
	}
	r = hmfs_json_u64s((const uint64_t[]){ pfn, 1 }, 2);
	return hmfs_json_push_new(a, r) ? 0 : -ENOMEM;
}

static json_object *hugetlb_pfns_json(struct hmfs_ctx *ctx, int nid)
{
	json_object *a = json_object_new_array();

	if (a && hotmem_hugetlb_walk(ctx->hm, nid, hugetlb_pfn_add, a)) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/*
 * "heads": where the optimised pages' head vmemmap pages are, [first huge
 * page pfn, count, first head page pfn] runs (pages 512 pfns apart whose
 * heads are one after another), in the pool's order: 6.12's
 * vmemmap_remap_free() copies each to a new GFP_KERNEL page, the buddy's
 * choice then, and the restore's optimisation takes whatever is free now
 * (tests/fusefs/455: /proc/buddyinfo's Normal differed by those pages).
 * restore_hugetlb_heads() moves them there again where free.  An entry
 * without it (before 2026-12-05): where the restore put them.
 */
struct heads_acc {
	struct hmfs_ctx *ctx;
	json_object *a;
};

static int hugetlb_head_add(void *arg, uint64_t pfn)
{
	struct heads_acc *h = arg;
	uint64_t head = hotmem_hugetlb_head_page(h->ctx->hm, pfn);
	size_t n = json_object_array_length(h->a);
	json_object *r;

	if (!head)
		return 0;
	if (n) {
		r = json_object_array_get_idx(h->a, n - 1);
		uint64_t first = json_object_get_uint64(json_object_array_get_idx(r, 0));
		uint64_t count = json_object_get_uint64(json_object_array_get_idx(r, 1));
		uint64_t hfirst = json_object_get_uint64(json_object_array_get_idx(r, 2));

		if (pfn == first + count * HUGETLB_RUN_STRIDE && head == hfirst + count)
			return hugetlb_run_count_set(r, count + 1);
	}
	r = hmfs_json_u64s((const uint64_t[]){ pfn, 1, head }, 3);
	return hmfs_json_push_new(h->a, r) ? 0 : -ENOMEM;
}

static json_object *hugetlb_heads_json(struct hmfs_ctx *ctx, int nid)
{
	struct heads_acc h = { ctx, json_object_new_array() };

	if (h.a && hotmem_hugetlb_walk(ctx->hm, nid, hugetlb_head_add, &h)) {
		json_object_put(h.a);
		return NULL;
	}
	return h.a;
}

/*
 * The first @n elements of array @a as numbers: false when @a is no array
 * of that many or one is no integer of 0 or more.  hmfs_json_get()'s rule,
 * a wrong type is as good as absent: json_object_get_uint64() reads a
 * string or a negative as 0 (a run ["a", 1, 4711] then moved vmemmap
 * page 0, review44 F9) and json-c asserts on a non-array (F2).
 */
static bool json_u64s(json_object *a, size_t n, uint64_t *v)
{
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(a, i);

		if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 0)
			return false;
		v[i] = (uint64_t)json_object_get_uint64(x);
	}
	return true;
}

/* a [3 numbers] run of "heads" or of a "memmap" entry's moved pages; false: malformed */
static bool run3_read(json_object *run, uint64_t v[3])
{
	return json_u64s(run, 3, v) && json_object_array_length(run) == 3;
}

/* one pass over @hugetlb's "heads": how many moved; *@bad the malformed runs, left out */
static unsigned long hugetlb_heads_pass(struct hmfs_ctx *ctx, json_object *hugetlb,
					unsigned long *astray, unsigned long *bad)
{
	unsigned long moved = 0;

	*astray = *bad = 0;
	for (size_t i = 0; hugetlb && i < json_object_array_length(hugetlb); i++) {
		json_object *e = json_object_array_get_idx(hugetlb, i);
		json_object *runs = hmfs_json_get(e, "heads", json_type_array);
		uint64_t pages = (uint64_t)u64(e, "pages");

		for (size_t r = 0; runs && r < json_object_array_length(runs); r++) {
			uint64_t v[3]; /* first, count, head */

			if (!run3_read(json_object_array_get_idx(runs, r), v)) {
				++*bad;
				continue;
			}
			/* a count is no loop bound: no more heads than the node's pages */
			for (uint64_t k = 0; k < v[1] && k < pages; k++) {
				uint64_t pfn = v[0] + k * HUGETLB_RUN_STRIDE;

				if (hotmem_hugetlb_head_page(ctx->hm, pfn) == v[2] + k)
					continue;
				if (!hotmem_hugetlb_head_page_move(ctx->hm, pfn, v[2] + k))
					moved++;
				else
					++*astray;
			}
		}
	}
	return moved;
}

/*
 * The optimised pages' head vmemmap pages at their saved pages where free
 * (after the pool and its optimisation): passes while one moves, as a
 * move frees the page another head wants.  A head whose page is not free
 * stays where the restore's optimisation put it: a running kernel never
 * moves one (vmemmap_remap_free() took whatever page it had).  A
 * malformed run is left out and said, as restore_memmap_moved()'s.
 */
static void restore_hugetlb_heads(struct hmfs_ctx *ctx, json_object *hugetlb)
{
	unsigned long astray = 0, bad = 0, b;

	/* every pass reads the same runs: the first's malformed ones said */
	if (hugetlb_heads_pass(ctx, hugetlb, &astray, &bad) && astray)
		while (hugetlb_heads_pass(ctx, hugetlb, &astray, &b) && astray)
			;
	if (bad)
		fprintf(stderr, "hotmemfs: state file %s: %lu HugeTLB \"heads\" run%s malformed: left out (%s head vmemmap pages where the restore put them)\n",
			ctx->state_path, bad, bad == 1 ? "" : "s", bad == 1 ? "its" : "their");
	if (astray)
		fprintf(stderr, "hotmemfs: state file %s: %lu HugeTLB head vmemmap page%s not back at %s pages (not free, or the host refused)\n",
			ctx->state_path, astray, astray == 1 ? "" : "s", astray == 1 ? "its" : "their");
}

/*
 * @nid's entry, NULL out of memory: a value or run that could not be
 * made fails the save (ENOMEM, the change undone), never written as
 * null -- a null "pfns" or count put the pool back where a growth of
 * now would (review43 F5)
 */
static json_object *hugetlb_node_json(struct hmfs_ctx *ctx, int nid,
				      const struct hm_node_info *ni)
{
	json_object *e = json_object_new_object();

	if (!e || !hmfs_json_add_new(e, "node", json_object_new_int(nid)) ||
	    !hmfs_json_add_new(e, "pages", json_object_new_uint64(ni->hugepages_total)) ||
	    !hmfs_json_add_new(e, "optimized", json_object_new_uint64(ni->hugepages_optimized)) ||
	    !hmfs_json_add_new(e, "pfns", hugetlb_pfns_json(ctx, nid)) ||
	    !hmfs_json_add_new(e, "heads", hugetlb_heads_json(ctx, nid)))
		goto err;
	return e;
err:
	json_object_put(e);
	return NULL;
}

static json_object *hugetlb_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	for (int nid = 0; a && nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		struct hm_node_info ni;

		if (hotmem_node_info(ctx->hm, nid, &ni) || !ni.hugepages_total)
			continue;
		if (!hmfs_json_push_new(a, hugetlb_node_json(ctx, nid, &ni)))
			goto err;
	}
	return a;
err:
	json_object_put(a);
	return NULL;
}

/* @nid's entry in a "hugetlb" value: NULL without one (no pages) */
static json_object *hugetlb_entry(json_object *hugetlb, int nid)
{
	for (size_t i = 0; hugetlb && i < json_object_array_length(hugetlb); i++) {
		json_object *e = json_object_array_get_idx(hugetlb, i), *v = NULL;

		if (json_object_object_get_ex(e, "node", &v) && json_object_get_int(v) == nid)
			return e;
	}
	return NULL;
}

/*
 * @nid's optimised pages as @e has it (more than its pages: all of them),
 * or -1: the switch's (no "optimized", a file from before 2026-12-02)
 */
static long hugetlb_entry_optimized(json_object *e, unsigned long want)
{
	unsigned long optimized = (unsigned long)u64(e, "optimized");

	if (!e || !hmfs_json_get(e, "optimized", json_type_int))
		return -1;
	return (long)(optimized < want ? optimized : want);
}

/*
 * @e's "zones" into @zones: false without it, or with one that is not
 * HM_MAX_NR_ZONES counts summing to @want (then the growth's zones)
 */
static bool hugetlb_entry_zones(json_object *e, unsigned long want,
				unsigned long zones[HM_MAX_NR_ZONES])
{
	json_object *a = hmfs_json_get(e, "zones", json_type_array);
	unsigned long sum = 0;

	if (!a || json_object_array_length(a) != HM_MAX_NR_ZONES)
		return false;
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		json_object *v = json_object_array_get_idx(a, (size_t)zid);
		int64_t n = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || n < 0 || (uint64_t)n > want)
			return false;
		zones[zid] = (unsigned long)n;
		sum += zones[zid];
	}
	return sum == want;
}

/*
 * How many head pfns @a's well-formed runs hold, at most @want: the
 * array's size, not the file's "pages" alone -- a large "pages" (a
 * hand-edited file) with a few runs allocated 8 bytes a page, and past
 * what calloc() gives, lost the pfns it had (review43 F4)
 */
static size_t hugetlb_runs_pages(json_object *a, unsigned long want)
{
	uint64_t first, end, n = 0;

	for (size_t i = 0; n < want && i < json_object_array_length(a); i++)
		if (hmfs_json_range(a, i, &first, &end))
			n += end - first < want - n ? end - first : want - n;
	return (size_t)n;
}

/*
 * @e's "pfns" runs as @want head pfns at most into a new array (*@n of
 * them); NULL without it, malformed or empty (then "zones"), or out of
 * memory
 */
static uint64_t *hugetlb_entry_pfns(json_object *e, unsigned long want, size_t *n)
{
	json_object *a = hmfs_json_get(e, "pfns", json_type_array);
	size_t size = a ? hugetlb_runs_pages(a, want) : 0;
	uint64_t *pfns = size ? calloc(size, sizeof(*pfns)) : NULL;
	uint64_t first, end;

	*n = 0;
	for (size_t i = 0; pfns && i < json_object_array_length(a); i++) {
		if (!hmfs_json_range(a, i, &first, &end))
			continue;
		for (uint64_t k = 0; k < end - first && *n < size; k++)
			pfns[(*n)++] = first + k * HUGETLB_RUN_STRIDE;
	}
	return pfns;
}

/* @nid's pool as @e has it: its pages, and of them @optimized (hugetlb_entry_optimized()) */
static long hugetlb_restore_node(struct hmfs_ctx *ctx, json_object *e, int nid,
				 unsigned long want, long optimized)
{
	unsigned long zones[HM_MAX_NR_ZONES];
	uint64_t *pfns;
	size_t n;
	long ret;

	if (optimized < 0)
		return hotmem_hugetlb_set_node(ctx->hm, nid, want);
	pfns = hugetlb_entry_pfns(e, want, &n);
	if (pfns && n) {
		ret = hotmem_hugetlb_restore_node_at(ctx->hm, nid, want, (unsigned long)optimized,
						     NULL, pfns, n);
		free(pfns);
		return ret;
	}
	free(pfns);
	/* a file of 2026-12-04 before "pfns" (restore42): its zones */
	if (hugetlb_entry_zones(e, want, zones))
		return hotmem_hugetlb_restore_node_at(ctx->hm, nid, want, (unsigned long)optimized,
						      zones, NULL, 0);
	return hotmem_hugetlb_restore_node(ctx->hm, nid, want, (unsigned long)optimized);
}

/* a node whose optimised pages the restore could not put right: why */
static void hugetlb_restore_mix_short(struct hmfs_ctx *ctx, int nid, long optimized)
{
	struct hm_node_info ni;

	if (optimized < 0 || hotmem_node_info(ctx->hm, nid, &ni) ||
	    ni.hugepages_optimized == (unsigned long)optimized)
		return;
	fprintf(stderr, "hotmemfs: state file %s: node %d's HugeTLB pool has %lu optimised huge pages of the %ld saved (%s)\n",
		ctx->state_path, nid, ni.hugepages_optimized, optimized,
		ni.hugepages_optimized > (unsigned long)optimized ?
			"no memory to restore the vmemmap of more: ENOMEM" :
			"no more of its huge pages can be optimised");
}

/*
 * Each node's pool as @hugetlb has it (@only >= 0: that node's alone): a
 * node whose count and optimised pages are already right is left alone,
 * one whose count is right but not its mix is put right too (reread31
 * R12: a boot pool optimised by hugetlb_free_vmemmap=on stayed so).
 */
void hmfs_state_restore_hugetlb(struct hmfs_ctx *ctx, json_object *hugetlb, int only)
{
	for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		json_object *e = hugetlb_entry(hugetlb, nid);
		unsigned long want = e ? (unsigned long)u64(e, "pages") : 0;
		long optimized = hugetlb_entry_optimized(e, want), got;
		struct hm_node_info ni;

		if ((only >= 0 && nid != only) || hotmem_node_info(ctx->hm, nid, &ni) ||
		    (ni.hugepages_total == want &&
		     (optimized < 0 || ni.hugepages_optimized == (unsigned long)optimized)))
			continue;
		got = hugetlb_restore_node(ctx, e, nid, want, optimized);
		if (got != (long)want)
			fprintf(stderr, "hotmemfs: state file %s: node %d's HugeTLB pool has %ld of its %lu pages%s%s\n",
				ctx->state_path, nid, got < 0 ? 0L : got, want, got < 0 ? ": " : "",
				got < 0 ? strerror((int)-got) : " (the node's memory has no room for more)");
		else
			hugetlb_restore_mix_short(ctx, nid, optimized);
	}
}

/*
 * "hugetlb-next-nid": the global pool's round robin, {"alloc", "free"}
 * (6.12's h->next_nid_to_alloc and next_nid_to_free).  The restore of
 * "hugetlb" grows each node's pool on its own, which moves it (a node's
 * write leaves it at that node, as the kernel's does), so it is put back
 * after: the next global huge page comes from, and goes back to, the
 * node an uninterrupted run's would.  A file without it, from before
 * 2026-11-29: where the restore of the pool leaves it, as before.
 */
/* NULL out of memory: the save fails (ENOMEM), never a null node written (hugetlb_json()'s kind) */
static json_object *hugetlb_next_nid_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object();
	int to_alloc, to_free;

	hotmem_hugetlb_next_nid(ctx->hm, &to_alloc, &to_free);
	if (!o || !hmfs_json_add_new(o, "alloc", json_object_new_int(to_alloc)) ||
	    !hmfs_json_add_new(o, "free", json_object_new_int(to_free)))
		goto err;
	return o;
err:
	json_object_put(o);
	return NULL;
}

void hmfs_state_restore_hugetlb_next_nid(struct hmfs_ctx *ctx, json_object *next)
{
	json_object *a, *f;

	if (!next)
		return;
	a = hmfs_json_get(next, "alloc", json_type_int);
	f = hmfs_json_get(next, "free", json_type_int);
	if (!a || !f || hotmem_hugetlb_set_next_nid(ctx->hm, json_object_get_int(a),
						     json_object_get_int(f)))
		fprintf(stderr, "hotmemfs: state file %s: \"hugetlb-next-nid\" %s names no possible node: the HugeTLB round robin stays where the pool's restore left it\n",
			ctx->state_path, json_object_to_json_string_ext(next, JSON_C_TO_STRING_PLAIN));
}

/* ---- the kernel's own allocations ----------------------------------------- */

/*
 * "kmem": where the kernel's own allocations are (engine/kmem.c: slab,
 * page tables, the zones' pagesets, kthread stacks; not boot's, which a
 * boot of the same profile makes again), {"rng": the engine's generator,
 * "allocs": [[pfn, order, site, owner, background], ...]} in the
 * engine's order (site: the file's number, file_sites[], or a name;
 * [pfn, order, site] a background one of no owner, a tick's: each record
 * carries ~2 a tick, which spelled out were 80-96% of it, F9), so that a restart takes them back at their very pages
 * (hotmem_kmem_restore_take()) and a Normal block they pinned stays pinned
 * (usereye9 F1).  Every record after the first whole save carries what
 * changed since the record before, {"rng", "ops": [an allocation as above,
 * or [pfn] freed], ...} (kmem_delta()): a few entries an operation
 * (kmem_tick()), O(change), never the whole list; the whole list only
 * when the engine's log was lost ("allocs", as here).  Its changes never
 * make a "set" (append_set()).  A file without it (before 2026-11-30):
 * the kernel's allocations are made anew on the restore, as before, and
 * the restore line says so.
 */
/*
 * The state file's site numbers (docs/hotmemfs.md, "never renumbered"):
 * this table's, append only -- not the engine's enum kmem_site, which
 * nothing keeps from a reorder: written and read through the names, an
 * engine that inserts or reorders a site cannot bring an older file's
 * allocations back under another site (its migratetype, page type and
 * meminfo counter) without a word (reread19-fusefs F1;
 * tests/reliability/state-kmem-sites.t).  A site the engine has and this
 * table not is written by its name, as files before the numbers were,
 * and reads back the same.
 */
static const char *const file_sites[] = {
	"pte_alloc_one",	   /* 0 */
	"allocate_slab",	   /* 1 */
	"allocate_slab(SLAB_RECLAIM_ACCOUNT)", /* 2 */
	"alloc_thread_stack_node", /* 3 */
	"setup_zone_pageset",	   /* 4 */
	"kswapd_run",		   /* 5 */
	"kcompactd_run",	   /* 6 */
};
#define NR_FILE_SITES ((int)(sizeof(file_sites) / sizeof(file_sites[0])))
/* the engine's sites looked up (more than it has: hotmem_kmem_site_name() says "unknown") */
#define NR_ENGINE_SITES 32

static int engine_to_file[NR_ENGINE_SITES];
static pthread_once_t file_sites_once = PTHREAD_ONCE_INIT;

static void file_sites_init(void)
{
	for (int site = 0; site < NR_ENGINE_SITES; site++) {
		engine_to_file[site] = -1;
		for (int n = 0; n < NR_FILE_SITES; n++)
			if (!strcmp(hotmem_kmem_site_name(site), file_sites[n]))
				engine_to_file[site] = n;
	}
}

/* the engine's @site as the file says it: its number, or its name if the table has none */
static json_object *file_site_json(int site)
{
	int n = -1;

	pthread_once(&file_sites_once, file_sites_init);
	if (site >= 0 && site < NR_ENGINE_SITES)
		n = engine_to_file[site];
	return n >= 0 ? json_object_new_int(n) : json_object_new_string(hotmem_kmem_site_name(site));
}

/* the file's site number @n as the engine's (-EINVAL: unknown, dropped at the restore's end) */
static int file_site_engine(int n)
{
	return n >= 0 && n < NR_FILE_SITES ? hotmem_kmem_site_from_name(file_sites[n]) : -EINVAL;
}

static int kmem_entry_add(void *arg, const struct hotmem_kmem_alloc *a)
{
	json_object *e = json_object_new_array();

	if (!e)
		return -ENOMEM;
	json_object_array_add(e, json_object_new_uint64(a->pfn));
	if (!a->freed) {
		json_object_array_add(e, json_object_new_int((int)a->order));
		json_object_array_add(e, file_site_json(a->site));
		/* the commonest, a tick's (background, no owner): [pfn, order, site] */
		if (a->owner != -1 || !a->background) {
			json_object_array_add(e, json_object_new_int(a->owner));
			json_object_array_add(e, json_object_new_boolean(a->background));
		}
	}
	if (json_object_array_add((json_object *)arg, e)) {
		json_object_put(e);
		return -ENOMEM;
	}
	return 0;
}

/*
 * "pageblocks": [[pfn, migratetype], ...], the pageblocks whose type a
 * fallback's claim set and which are online, with their type now (0
 * Unmovable, 1 Movable, 2 Reclaimable: the kernel's enum migratetype,
 * as /proc/pagetypeinfo orders its columns;
 * hotmem_pageblock_claimed_walk()).  A running kernel keeps a claimed
 * type until something changes it; a restart that puts the allocations
 * back at their pages (hotmem_kmem_restore_take()) makes no fallback, so
 * without it a pageblock an allocate_slab(SLAB_RECLAIM_ACCOUNT) claimed
 * came back Movable (vmremap43 Task 3, tests/fusefs/425).  The whole
 * list in a whole save; a record carries it whole when it differs from
 * the last one carried (a claim is rare, a few entries), and a restore
 * takes the last.  A file without it (before 2026-12-04) restores the
 * types as before: what the restore's own allocations make.
 */
static int pageblock_entry_add(void *arg, uint64_t pfn, int migratetype)
{
	json_object *e = hmfs_json_u64s((const uint64_t[]){ pfn, (uint64_t)migratetype }, 2);

	return hmfs_json_push_new((json_object *)arg, e) ? 0 : -ENOMEM;
}

static int pageblock_pair_add(void *arg, uint64_t pfn, int migratetype)
{
	struct hmfs_pageblocks *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		uint64_t *v = realloc(l->v, cap * 2 * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[2 * l->n] = pfn;
	l->v[2 * l->n + 1] = (uint64_t)migratetype;
	l->n++;
	return 0;
}

/* the claimed pageblocks now, or NULL (no memory) */
static struct hmfs_pageblocks *kmem_pageblocks_now(struct hmfs_ctx *ctx)
{
	struct hmfs_pageblocks *l = calloc(1, sizeof(*l));

	if (l && hotmem_pageblock_claimed_walk(ctx->hm, pageblock_pair_add, l)) {
		pageblocks_free(l);
		return NULL;
	}
	return l;
}

static bool pageblocks_same(const struct hmfs_pageblocks *a, const struct hmfs_pageblocks *b)
{
	return a && b && a->n == b->n && (!a->n || !memcmp(a->v, b->v, 2 * a->n * sizeof(*a->v)));
}

/* @l as the state file's "pageblocks" value, or NULL (no memory) */
static json_object *pageblocks_json(const struct hmfs_pageblocks *l)
{
	json_object *pbs = json_object_new_array();

	for (size_t i = 0; pbs && i < l->n; i++) {
		if (pageblock_entry_add(pbs, l->v[2 * i], (int)l->v[2 * i + 1])) {
			json_object_put(pbs);
			return NULL;
		}
	}
	return pbs;
}

/* the next record carries the pageblocks, whatever the last one did (a record cut, undone) */
static void kmem_pageblocks_forget(struct hmfs_ctx *ctx)
{
	pageblocks_free(ctx->kmem_pageblocks_sent);
	ctx->kmem_pageblocks_sent = NULL;
}

/* the record that carried kmem_pageblocks_next is in the journal */
static void kmem_pageblocks_sent(struct hmfs_ctx *ctx)
{
	if (!ctx->kmem_pageblocks_next)
		return;
	pageblocks_free(ctx->kmem_pageblocks_sent);
	ctx->kmem_pageblocks_sent = ctx->kmem_pageblocks_next;
	ctx->kmem_pageblocks_next = NULL;
}

/*
 * @l into @o's "pageblocks" and, when @sent, as carried (a whole save's:
 * a failed one forgets it, kmem_base_lost()); else as the record's being
 * appended.  @l is taken, put or kept; -ENOMEM.
 */
static int kmem_pageblocks_put(struct hmfs_ctx *ctx, json_object *o, struct hmfs_pageblocks *l,
			       bool sent)
{
	struct hmfs_pageblocks **keep = sent ? &ctx->kmem_pageblocks_sent : &ctx->kmem_pageblocks_next;

	if (!hmfs_json_add_new(o, "pageblocks", pageblocks_json(l))) {
		pageblocks_free(l);
		return -ENOMEM;
	}
	pageblocks_free(*keep);
	*keep = l;
	return 0;
}

/* the claimed pageblocks when they differ from the last carried (*@l NULL: the same) */
static int kmem_pageblocks_changed(struct hmfs_ctx *ctx, struct hmfs_pageblocks **l)
{
	*l = kmem_pageblocks_now(ctx);
	if (!*l)
		return -ENOMEM;
	if (pageblocks_same(*l, ctx->kmem_pageblocks_sent)) {
		pageblocks_free(*l);
		*l = NULL;
	}
	return 0;
}

/* the whole list; the first one taken starts the engine's log, which records add up from */
static json_object *kmem_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object(), *allocs = json_object_new_array();
	struct hmfs_pageblocks *pbs;
	uint64_t rng = 0;

	if (!ctx->kmem_logging) {
		hotmem_kmem_log_start(ctx->hm);
		ctx->kmem_sent = hotmem_kmem_log_mark(ctx->hm, &rng);
		ctx->kmem_logging = true;
	}
	pbs = kmem_pageblocks_now(ctx);
	if (!o || !allocs || !pbs || hotmem_kmem_walk(ctx->hm, kmem_entry_add, allocs, &rng)) {
		json_object_put(o);
		json_object_put(allocs);
		pageblocks_free(pbs);
		return NULL;
	}
	/*
	 * checked (claim44/nomem44 noticed): a "kmem" short of them was
	 * saved and acknowledged, and its restore put back no allocation (no
	 * "allocs") or the engine's generator at 0 (no "rng")
	 */
	if (!hmfs_json_add_new(o, "rng", json_object_new_uint64(rng))) {
		json_object_put(allocs);
		goto nomem;
	}
	if (!hmfs_json_add_new(o, "allocs", allocs))
		goto nomem;
	if (kmem_pageblocks_put(ctx, o, pbs, true)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
nomem:
	json_object_put(o);
	pageblocks_free(pbs);
	return NULL;
}

/*
 * @delta's keys, checked: a null "rng" or "ops" is a record a restore
 * refuses as damage (a pageblocks-only record makes one where the log
 * has no entry).  @ops is @delta's or put, @pbs taken (kmem_pageblocks_put());
 * -ENOMEM.
 */
static int kmem_delta_fill(struct hmfs_ctx *ctx, json_object *delta, uint64_t rng,
			   json_object *ops, unsigned long n, struct hmfs_pageblocks *pbs)
{
	if (!hmfs_json_add_new(delta, "rng", json_object_new_uint64(rng))) {
		json_object_put(ops);
		goto nomem;
	}
	if (!hmfs_json_add_new(delta, "ops", ops))
		goto nomem;
	if (ctx->kmem_in_base && n &&
	    !hmfs_json_add_new(delta, "based",
			       json_object_new_uint64(ctx->kmem_in_base < n ? ctx->kmem_in_base : n)))
		goto nomem;
	/* last: the record's "kmem" starts {"rng", "ops" as before */
	return pbs ? kmem_pageblocks_put(ctx, delta, pbs, false) : 0;
nomem:
	pageblocks_free(pbs);
	return -ENOMEM;
}

/*
 * What changed since the last record into *@delta (NULL: nothing; the
 * claimed pageblocks too when they changed, kmem_pageblocks_changed()), and
 * the log's position past the entries it holds (*@end: ULONG_MAX for the
 * whole list, the log lost); 0 or -ENOMEM.  Under change_lock.
 */
static int kmem_delta(struct hmfs_ctx *ctx, json_object **delta, unsigned long *end)
{
	struct hmfs_pageblocks *pbs = NULL;
	json_object *ops;
	unsigned long n;
	uint64_t rng;
	int ret;

	*delta = NULL;
	*end = ctx->kmem_sent;
	if (!ctx->kmem_logging)
		return 0;
	ops = json_object_new_array();
	if (!ops)
		return -ENOMEM;
	ret = hotmem_kmem_log_walk(ctx->hm, ctx->kmem_sent, kmem_entry_add, ops, &rng, end);
	/* the save that started the log failed: the list no durable file holds (kmem_base_lost()) */
	if (ret == -EOVERFLOW || (!ret && ctx->kmem_whole_next)) {
		json_object_put(ops);
		*delta = kmem_json(ctx);
		if (ret)
			*end = ULONG_MAX;
		return *delta ? 0 : -ENOMEM;
	}
	n = *end - ctx->kmem_sent;
	if (!ret)
		ret = kmem_pageblocks_changed(ctx, &pbs);
	if (ret || (!n && !pbs)) {
		json_object_put(ops);
		return ret;
	}
	*delta = json_object_new_object();
	if (!*delta) {
		json_object_put(ops);
		pageblocks_free(pbs);
		return -ENOMEM;
	}
	ret = kmem_delta_fill(ctx, *delta, rng, ops, n, pbs);
	if (ret) {
		json_object_put(*delta);
		*delta = NULL;
	}
	return ret;
}

/*
 * A whole save that took the list (kmem_json()) failed to write its
 * file.  When that save started the log (@started_log: the first list
 * taken, a restart's start save), no durable file holds the list the
 * log goes on from: the records after it carried changes to a list no
 * file held, replayed onto the file before's (reread18-fusefs2 F10), so
 * the next record carries the whole list ("allocs").  A later one (a
 * compaction) leaves the old file and the journal adding up, the log's
 * changes going on from the last record: deltas as before -- the whole
 * list forced after each failed compaction cost hundreds of KB a record
 * on a large machine, and on a full disk refused every change at once
 * where deltas still fitted the journal's zeros ahead (reread19-fusefs
 * F3).  Either way the next record applies onto the older file, never
 * "based" on this one.
 *
 * @renamed: it failed after its rename (the directory's fsync()), so
 * the new file IS the file: a restart reads it, and only a crash of the
 * host before the directory reached the disk brings the old one back,
 * whose journal keeps every record (nothing was settled).  "based"
 * stands then: onto this file the next record's first entries are
 * skipped, onto the old one (not the first record after it) applied.
 * Counted as not written, the next record went without "based", and a
 * restart replayed those entries onto the file that held them already:
 * a free of a pfn allocated again later in them moved it to the list's
 * end (reread21 H8).  A save that started the log still sends the list
 * whole, right onto either file.  Under change_lock.
 */
static void kmem_base_lost(struct hmfs_ctx *ctx, bool started_log, bool renamed)
{
	if (renamed && !started_log)
		return;
	if (ctx->kmem_logging && started_log)
		ctx->kmem_whole_next = true;
	ctx->kmem_in_base = 0;
	kmem_pageblocks_forget(ctx);
}

/*
 * A whole save took the list now: the log's entries no record has yet
 * are in it, and the next record, which carries them, says how many
 * ("based"): replayed onto this file (its seq the one before), they are
 * skipped -- applied again, a free of a pfn allocated again later in
 * them moved it to the list's end, and the next tick's random free
 * read another order (reread18-fusefs2 F5).  Onto an older file (this
 * one's save failed) they apply.  Under change_lock.
 */
static void kmem_based(struct hmfs_ctx *ctx)
{
	unsigned long end = 0;
	uint64_t rng;

	if (!ctx->kmem_logging || hotmem_kmem_log_walk(ctx->hm, ctx->kmem_sent, NULL, NULL, &rng, &end))
		end = ctx->kmem_sent;
	ctx->kmem_in_base = end - ctx->kmem_sent;
}

/*
 * A change not saved is undone (rollback(), or a failed append and
 * machine.c's unsaved()), and the kernel's allocations it made with it:
 * the engine's log rewound to where it was when the change was prepared
 * (hmfs_state_prepare()), what the change allocated freed and what it
 * freed allocated again at the same pages, and nothing allocated while
 * the undo's own operations run -- else memory33's online, the first
 * ZONE_NORMAL memory, left its pagesets and a tick's slab in it, the
 * undo's offline was refused (EBUSY) and hotmemfs took no more changes.
 * No kernel does this: the kernel never undoes an online.  It is the
 * state file's own transaction, whose promise is that a change the
 * client is told failed leaves the machine as it was.  Under change_lock.
 */
static void kmem_rewind(struct hmfs_ctx *ctx, const struct hmfs_save *sv)
{
	int ret;

	if (!sv->kmem_marked || !ctx->kmem_logging)
		return;
	ret = hotmem_kmem_log_rewind(ctx->hm, sv->kmem_mark, sv->kmem_rng);
	ctx->kmem_rewinding = true;
	if (ret)
		fprintf(stderr, "hotmemfs: the undo cannot take back the kernel's allocations of the change (%s): they stay where the change put them\n",
			strerror(-ret));
	/* the entries rewound belong to no record; what the records before carry, kept */
	if (ctx->kmem_sent > sv->kmem_mark)
		ctx->kmem_sent = sv->kmem_mark;
	/* and the pageblocks the rewind gave back: the next record says where they are */
	kmem_pageblocks_forget(ctx);
}

/*
 * the undo is over: the pages owed by the rewind taken, allocating again;
 * nothing when no rewind is under way (called twice by rollback()'s undo,
 * once from machine.c unsaved() and once after sv->undo())
 */
static void kmem_rewind_end(struct hmfs_ctx *ctx)
{
	unsigned long moved = 0;

	if (!ctx->kmem_rewinding)
		return;
	ctx->kmem_rewinding = false;
	hotmem_kmem_log_rewind_end(ctx->hm, &moved);
	if (moved)
		fprintf(stderr, "hotmemfs: the undo put %lu of the kernel's allocations elsewhere: their pages are not free\n",
			moved);
}

/*
 * An entry [pfn, order, site, owner, background], [pfn, order, site] (a
 * background one of no owner) or, not @whole, [pfn] freed into @a: false
 * if malformed.  The site is the file's number (file_sites[]; a file
 * from before 2026-11-30 19:00 names it: "allocate_slab"); one this
 * engine does not know is dropped by hotmem_kmem_restore_end().
 */
static bool kmem_entry_parse(json_object *e, struct hotmem_kmem_alloc *a, bool whole)
{
	size_t len = json_object_is_type(e, json_type_array) ? json_object_array_length(e) : 0;
	json_object *v[5] = { NULL };

	if (len != 1 && len != 3 && len != 5)
		return false;
	if (whole && len == 1)
		return false;
	for (size_t i = 0; i < len; i++)
		v[i] = json_object_array_get_idx(e, i);
	*a = (struct hotmem_kmem_alloc){ .freed = len == 1, .owner = -1, .background = true };
	if (!json_object_is_type(v[0], json_type_int))
		return false;
	a->pfn = (uint64_t)json_object_get_uint64(v[0]);
	if (len == 1)
		return true;
	if (!json_object_is_type(v[1], json_type_int) ||
	    (!json_object_is_type(v[2], json_type_int) && !json_object_is_type(v[2], json_type_string)))
		return false;
	if (len == 5 &&
	    (!json_object_is_type(v[3], json_type_int) || !json_object_is_type(v[4], json_type_boolean)))
		return false;
	a->order = (unsigned int)json_object_get_int(v[1]);
	a->site = json_object_is_type(v[2], json_type_string) ?
			  hotmem_kmem_site_from_name(json_object_get_string(v[2])) :
			  file_site_engine(json_object_get_int(v[2]));
	if (len == 5) {
		a->owner = json_object_get_int(v[3]);
		a->background = json_object_get_boolean(v[4]);
	}
	return true;
}

/*
 * A journal's replay of "kmem" ops: the list they change, checked once,
 * and where each pfn is in it (pfn's decimal -> index: json-c's hash),
 * kept as the ops take entries out and add them -- not a check of the
 * whole list and a walk of it for each op, O(records x allocations)
 * (reread18-fusefs2 F3).  Dropped when a record replaces the list.
 */
struct kmem_replay {
	json_object *allocs;	/* not held: the machine's */
	json_object *index;	/* NULL: not built */
	bool bad;		/* the list is not the engine's shape: no op applies */
};

static void kmem_replay_clear(struct kmem_replay *kr)
{
	json_object_put(kr->index);
	*kr = (struct kmem_replay){ 0 };
}

static void pfn_key(uint64_t pfn, char *key, size_t len)
{
	snprintf(key, len, "%llu", (unsigned long long)pfn);
}

static int kmem_index_set(json_object *index, uint64_t pfn, size_t i)
{
	char key[24];

	pfn_key(pfn, key, sizeof(key));
	return json_object_object_add(index, key, json_object_new_uint64(i));
}

/* @allocs checked and indexed (once for the replay); false: no op applies */
static bool kmem_replay_ready(struct kmem_replay *kr, json_object *allocs)
{
	struct hotmem_kmem_alloc a;

	if (kr->allocs == allocs && (kr->index || kr->bad))
		return !kr->bad;
	kmem_replay_clear(kr);
	kr->allocs = allocs;
	kr->bad = !allocs;
	kr->index = allocs ? json_object_new_object() : NULL;
	for (size_t i = 0; kr->index && i < json_object_array_length(allocs); i++)
		if (!kmem_entry_parse(json_object_array_get_idx(allocs, i), &a, true) ||
		    kmem_index_set(kr->index, a.pfn, i))
			kr->bad = true;
	if (!kr->index)
		kr->bad = true;
	return !kr->bad;
}

/* the index in the list of the allocation at @pfn, or -1 */
static long kmem_find(struct kmem_replay *kr, uint64_t pfn)
{
	json_object *v;
	char key[24];

	pfn_key(pfn, key, sizeof(key));
	return json_object_object_get_ex(kr->index, key, &v) ? (long)json_object_get_uint64(v) : -1;
}

/*
 * A freed allocation out of the list as kmem_free_at() takes it out of the
 * engine's array (the last one into its place), so that the order -- which
 * the next tick's random free reads -- stays the engine's
 */
static int kmem_remove(struct kmem_replay *kr, size_t i, uint64_t pfn)
{
	json_object *allocs = kr->allocs;
	size_t last = json_object_array_length(allocs) - 1;
	char key[24];

	pfn_key(pfn, key, sizeof(key));
	json_object_object_del(kr->index, key);
	if (i != last) {
		json_object *e = json_object_array_get_idx(allocs, last);

		json_object_array_put_idx(allocs, i, json_object_get(e));
		if (kmem_index_set(kr->index,
				   (uint64_t)json_object_get_uint64(json_object_array_get_idx(e, 0)), i))
			return -ENOMEM;
	}
	json_object_array_del_idx(allocs, last, 1);
	return 0;
}

static int kmem_append(struct kmem_replay *kr, json_object *e, uint64_t pfn)
{
	if (json_object_array_add(kr->allocs, json_object_get(e)))
		return -ENOMEM;
	return kmem_index_set(kr->index, pfn, json_object_array_length(kr->allocs) - 1);
}

/* x86_64's pageblock_nr_pages (pageblock_order 9): a claimed pageblock's first pfn is its multiple */
#define FILE_PAGEBLOCK_PAGES 512

/*
 * A "pageblocks" value as pageblocks_json() writes it: an array of
 * [pageblock pfn, migratetype a claim gives (0..2)]; absent is fine (a
 * file from before)
 */
static bool kmem_pageblocks_ok(json_object *pbs)
{
	if (!pbs)
		return true;
	if (!json_object_is_type(pbs, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(pbs); i++) {
		json_object *e = json_object_array_get_idx(pbs, i), *pfn, *mt;

		if (!json_object_is_type(e, json_type_array) || json_object_array_length(e) != 2)
			return false;
		pfn = json_object_array_get_idx(e, 0);
		mt = json_object_array_get_idx(e, 1);
		if (!json_object_is_type(pfn, json_type_int) || json_object_get_int64(pfn) < 0 ||
		    json_object_get_uint64(pfn) % FILE_PAGEBLOCK_PAGES ||
		    !json_object_is_type(mt, json_type_int) || json_object_get_int64(mt) < 0 ||
		    json_object_get_int64(mt) > 2)
			return false;
	}
	return true;
}

/*
 * The file's "kmem" "pageblocks" (the journal's last, replayed in) as
 * written, or the file refused as damaged, as its other bad values are:
 * a restore that set a type of its own choosing would not be the saved
 * machine
 */
static int check_kmem_pageblocks(struct hmfs_ctx *ctx, json_object *m, char *err, size_t errlen)
{
	json_object *kmem = hmfs_json_get(m, "kmem", json_type_object);

	if (kmem_pageblocks_ok(hmfs_json_member(kmem, "pageblocks")))
		return 0;
	snprintf(err, errlen,
		 "state file %s is damaged (kmem pageblocks: [pageblock pfn, migratetype 0-2] expected)",
		 ctx->state_path);
	return -EUCLEAN;
}

/*
 * A record's "kmem" onto @m's: the whole list ("allocs") or the changes
 * ("ops") in order.  The first "based" of them are in the state file
 * already when the record is the first after it (@after_base: the save
 * that took the list then carried them, kmem_based()): skipped.  Past
 * them, an allocation already there or a free of one not there is what
 * the file holds already (a file from before "based"): left.  A file
 * without "kmem" (from before) gets nothing from the changes: the
 * restore makes them anew.  A record's "pageblocks" replaces the file's
 * (kmem_delta(): carried whole when they changed).
 */
static int replay_kmem(json_object *m, json_object *delta, struct kmem_replay *kr,
		       bool after_base)
{
	json_object *full = hmfs_json_get(delta, "allocs", json_type_array);
	json_object *ops = hmfs_json_get(delta, "ops", json_type_array);
	json_object *kmem = hmfs_json_get(m, "kmem", json_type_object);
	json_object *based = hmfs_json_get(delta, "based", json_type_int);
	json_object *pbs = hmfs_json_member(delta, "pageblocks");
	size_t skip = after_base && based ? (size_t)json_object_get_uint64(based) : 0;
	struct hotmem_kmem_alloc a;
	int ret = 0;

	if (!hmfs_json_get(delta, "rng", json_type_int) || (!full && !ops) ||
	    !kmem_pageblocks_ok(pbs))
		return -EUCLEAN;
	for (size_t i = 0; i < json_object_array_length(full ? full : ops); i++)
		if (!kmem_entry_parse(json_object_array_get_idx(full ? full : ops, i), &a, full))
			return -EUCLEAN;
	if (full) {
		kmem_replay_clear(kr);
		json_object_object_add(m, "kmem", json_object_get(delta));
		return 0;
	}
	/* the claimed pageblocks carried whole: the last record's are the machine's */
	if (pbs && kmem && !hmfs_json_add_new(kmem, "pageblocks", json_object_get(pbs)))
		return -ENOMEM;
	/* a list not the engine's shape (never written so): no change applies, the restore checks it */
	if (!kmem_replay_ready(kr, hmfs_json_get(kmem, "allocs", json_type_array)))
		return 0;
	for (size_t i = skip; !ret && i < json_object_array_length(ops); i++) {
		json_object *e = json_object_array_get_idx(ops, i);
		long at;

		kmem_entry_parse(e, &a, false);
		at = kmem_find(kr, a.pfn);
		if (a.freed && at >= 0)
			ret = kmem_remove(kr, (size_t)at, a.pfn);
		else if (!a.freed && at < 0)
			ret = kmem_append(kr, e, a.pfn);
	}
	json_object_object_add(kmem, "rng",
			       json_object_get(hmfs_json_get(delta, "rng", json_type_int)));
	return ret;
}

/* a restore's saved allocations (restore_kmem_begin() to restore_kmem_end()) */
struct kmem_saved {
	json_object *kmem;	/* the file's "kmem"; NULL: a file from before */
	struct hotmem_kmem_alloc *a;
	bool *taken;
	size_t n;
	int err;
};

static bool restore_needed(const struct hm_block_info *bi, json_object *r, int pass);

/* the file's run that holds block @id, or NULL */
static json_object *saved_run(json_object *runs, uint64_t id)
{
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);

		if (id - u64(r, "first") < u64(r, "count"))
			return r;
	}
	return NULL;
}

/*
 * Whether hmfs_state_restore_blocks() offlines @pfn's block to put it in
 * its saved zone (a boot block the user moved: online now where boot put
 * it, saved in another zone).  An allocation there taken back before
 * would pin it in boot's zone, its offline EBUSY (abuse25b C8).
 */
static bool block_moves(struct hmfs_ctx *ctx, json_object *runs, uint64_t pfn)
{
	uint64_t id = (pfn << 12) / ctx->block_size;
	json_object *r = saved_run(runs, id);
	struct hm_block_info bi;

	return r && !hotmem_block_info(ctx->hm, (unsigned long)id, &bi) &&
	       restore_needed(&bi, r, 0);
}

/*
 * The file's claimed pageblocks ("pageblocks") given their saved
 * migratetypes again, those online now (hotmem_pageblock_claim_again():
 * -ENOENT for one not yet), before the allocations are put back at
 * their pages -- called before boot memory's are and again once every
 * block is as saved, whose onlines made the others Movable.  A file
 * without them: as before, nothing set.  Checked at load
 * (check_kmem_pageblocks()); one the engine refuses (a pageblock its
 * zone no longer spans whole) is said and left.
 */
static void restore_pageblocks(struct hmfs_ctx *ctx, json_object *kmem, bool last)
{
	json_object *pbs = hmfs_json_get(kmem, "pageblocks", json_type_array);
	unsigned long left = 0;

	/* a file from before: json-c asserts on a NULL array's length */
	if (!pbs)
		return;
	for (size_t i = 0; i < json_object_array_length(pbs); i++) {
		json_object *e = json_object_array_get_idx(pbs, i);
		int ret = hotmem_pageblock_claim_again(ctx->hm,
			json_object_get_uint64(json_object_array_get_idx(e, 0)),
			json_object_get_int(json_object_array_get_idx(e, 1)));

		left += ret && (last || ret != -ENOENT);
	}
	if (left)
		fprintf(stderr, "hotmemfs: state file %s: %lu claimed pageblock%s not given %s saved migratetype (not online, or not in one zone): /proc/pagetypeinfo may differ\n",
			ctx->state_path, left, left == 1 ? "" : "s", left == 1 ? "its" : "their");
}

/*
 * The allocations in boot memory whose block stays as boot put it, back
 * at their pages; those in a block the restore moves wait for
 * restore_kmem_end(), after the move (marked taken for the moment, which
 * _take() skips).
 */
static int take_boot_kmem(struct hmfs_ctx *ctx, json_object *runs, struct kmem_saved *ks)
{
	bool *held = calloc(ks->n ? ks->n : 1, sizeof(*held));
	int ret;

	if (!held)
		return -ENOMEM;
	for (size_t i = 0; i < ks->n; i++)
		ks->taken[i] = held[i] = ks->a[i].site >= 0 && block_moves(ctx, runs, ks->a[i].pfn);
	ret = hotmem_kmem_restore_take(ctx->hm, ks->a, ks->n, ks->taken);
	for (size_t i = 0; i < ks->n; i++)
		ks->taken[i] &= !held[i];
	free(held);
	return ret;
}

/*
 * The file's allocations, before anything of the machine comes back (the
 * restore allocates none meanwhile: hotmem_kmem_pause()): the boot's go,
 * and those in boot memory are taken back at their pages at once, so
 * that a device's memmap from system RAM takes none of them -- but not
 * in a boot block the restore moves to another zone (@runs: the file's
 * "blocks"), which they would pin.
 */
static void restore_kmem_begin(struct hmfs_ctx *ctx, json_object *kmem, json_object *runs,
			       struct kmem_saved *ks)
{
	json_object *allocs = hmfs_json_get(kmem, "allocs", json_type_array);

	*ks = (struct kmem_saved){ .kmem = kmem, .n = allocs ? json_object_array_length(allocs) : 0 };
	if (!kmem)
		return;
	hotmem_kmem_pause(ctx->hm, true);
	ks->a = calloc(ks->n ? ks->n : 1, sizeof(*ks->a));
	ks->taken = calloc(ks->n ? ks->n : 1, sizeof(*ks->taken));
	if (!ks->a || !ks->taken) {
		ks->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < ks->n; i++)
		if (!kmem_entry_parse(json_object_array_get_idx(allocs, i), &ks->a[i], true))
			ks->a[i].site = -1; /* malformed: dropped, counted as not put back */
	hotmem_kmem_restore_begin(ctx->hm);
	restore_pageblocks(ctx, kmem, false);
	ks->err = take_boot_kmem(ctx, runs, ks);
}

/* once every block is as saved: the rest at their pages, the ones not free anew */
static void restore_kmem_end(struct hmfs_ctx *ctx, struct kmem_saved *ks)
{
	ctx->kmem_restored = HMFS_KMEM_ANEW;
	ctx->kmem_moved = 0;
	if (!ks->kmem)
		return;
	restore_pageblocks(ctx, ks->kmem, true);
	if (!ks->err)
		ks->err = hotmem_kmem_restore_take(ctx->hm, ks->a, ks->n, ks->taken);
	if (!ks->err)
		ks->err = hotmem_kmem_restore_end(ctx->hm, ks->a, ks->n, ks->taken,
						  u64(ks->kmem, "rng"), &ctx->kmem_moved);
	ctx->kmem_restored = ks->err ? HMFS_KMEM_FAILED : HMFS_KMEM_BACK;
	if (ks->err)
		fprintf(stderr, "hotmemfs: state file %s: putting the kernel's own allocations back: %s\n",
			ctx->state_path, strerror(-ks->err));
}

static void restore_kmem_done(struct hmfs_ctx *ctx, struct kmem_saved *ks)
{
	if (ks->kmem)
		hotmem_kmem_pause(ctx->hm, false);
	free(ks->a);
	free(ks->taken);
}

const char *hmfs_state_kmem_said(const struct hmfs_ctx *ctx, char *buf, size_t len)
{
	static const char anew[] =
		"; the kernel's own allocations (slab, page tables, pagesets) are made anew and may land in other blocks";
	static const char may[] = ": which Normal blocks can go offline may change";

	switch (ctx->kmem_restored) {
	case HMFS_KMEM_BACK:
		if (!ctx->kmem_moved)
			return "; the kernel's own allocations (slab, page tables, pagesets) are back at their pages";
		snprintf(buf, len,
			 "; the kernel's own allocations (slab, page tables, pagesets) are back at their pages but %lu, whose pages were not free, made anew elsewhere%s",
			 ctx->kmem_moved, may);
		return buf;
	case HMFS_KMEM_FAILED:
		snprintf(buf, len, "; the kernel's own allocations could not all be put back (out of memory)%s", may);
		return buf;
	default:
		/* a file from before "kmem" */
		snprintf(buf, len, "%s (the state file is from before they were saved)%s", anew, may);
		return buf;
	}
}

/*
 * "profile-config": the machine the profile file said when the file was
 * saved, its lines as hotmem_config_describe() puts them (empty for a
 * built-in profile, which its name says: hotmem's own).  A state file is
 * the profile's machine with changes on top: restored onto a profile
 * file edited since (more boot RAM, another DIMM line), it was another
 * machine's state put on this one without a word, where another
 * --profile is refused (main.c choose_machine()).  The parsed settings,
 * not the file's bytes: a comment, the order of its lines or 1G for
 * 0x40000000 change nothing.  A file without the key (before
 * 2026-11-29) restores as before.
 */
static json_object *profile_config_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();
	const char *p = ctx->profile_lines;

	while (a && p && *p) {
		const char *nl = strchrnul(p, '\n');
		json_object *l = json_object_new_string_len(p, (int)(nl - p));

		if (!l || json_object_array_add(a, l)) {
			json_object_put(l);
			json_object_put(a);
			return NULL;
		}
		p = *nl ? nl + 1 : nl;
	}
	return a;
}

/*
 * "memmap": where each memmap from system RAM is (not memmap_on_memory's,
 * not boot's), [[section pfn, memmap pfn], ...]: the buddy gave it an
 * order-9 block at the add, which a restore that adds every device
 * before onlining any block could not give again (a DIMM's memmap from
 * an earlier DIMM's memory landed in boot memory: MemFree per node,
 * /proc/zoneinfo and explain differed).  A file without it (from before
 * 2026-12-01) restores as before: where the buddy puts them.  No undo
 * compares or puts it back (op_keys()): an undone remove's memmap is
 * the buddy's choice, as the kernel's.
 *
 * A memmap HugeTLB's vmemmap optimisation split has a third element when
 * some of its pages are off that block: [[index, count, pfn], ...], the
 * vmemmap pages 6.12's alloc_vmemmap_page_list() gave new pages when a
 * huge page there was freed or dissolved (a virtio-mem shrink's), and the
 * optimisation's new heads.  A restore that rebuilt the memmap whole had
 * those pages in use in the block's zone and free in the others
 * (vmremap43: 48 in DMA32 for Normal); restore_memmap_moved() moves them
 * again, after the pool.  A file without it: the memmap whole, as before.
 */
/*
 * Each number checked (hmfs_json_push_new()): one json-c could not make
 * went in as null, and a device_add was acknowledged with a "memmap"
 * entry [null, pfn] (its 56-byte mallocs N = 197-198, nomem44), which
 * the restore leaves out: its memmap then where the buddy puts it.
 */
static int memmap_moved_add(json_object *e, const struct hotmem_memmap_at *at)
{
	json_object *runs = json_object_new_array();

	if (!hmfs_json_push_new(e, runs))
		return -ENOMEM;
	for (size_t i = 0; i < at->nr_moved; i++) {
		const uint64_t run[] = { at->moved[i].index, at->moved[i].count, at->moved[i].pfn };

		if (!hmfs_json_push_new(runs, hmfs_json_u64s(run, 3)))
			return -ENOMEM;
	}
	return 0;
}

static int memmap_entry_add(void *arg, const struct hotmem_memmap_at *at)
{
	json_object *e = json_object_new_array();

	if (!e || !hmfs_json_push_new(e, json_object_new_uint64(at->section_pfn)) ||
	    !hmfs_json_push_new(e, json_object_new_uint64(at->pfn)) ||
	    (at->nr_moved && memmap_moved_add(e, at))) {
		json_object_put(e);
		return -ENOMEM;
	}
	return hmfs_json_push_new(arg, e) ? 0 : -ENOMEM;
}

static json_object *memmap_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	if (a && hotmem_memmap_walk(ctx->hm, memmap_entry_add, a)) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/*
 * "boot-memmap-freed": the boot memmap's pages HugeTLB's vmemmap
 * optimisation gave to the buddy ([first, count] runs of vmemmap page
 * numbers, hotmem_boot_memmap_freed_walk()), for good in the kernel
 * (6.12 free_bootmem_page(): MemTotal grows), which a restart's boot
 * makes reserved again: given up again after the pool is back
 * (restore_boot_memmap_freed()), so MemTotal and the zones' managed are
 * as acknowledged (abuse25b C9).  In every whole save and in a "set"
 * when it changed (append_set_once() compares every key): a pool's
 * growth.  A file without it (before 2026-12-01): none given up, as
 * before.
 */
static int boot_memmap_run_add(void *arg, uint64_t first, uint64_t count)
{
	/* a number json-c could not make went in as null until nomem44 */
	return hmfs_json_push_new(arg, hmfs_json_u64s((const uint64_t[]){ first, count }, 2)) ?
		       0 : -ENOMEM;
}

static json_object *boot_memmap_freed_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	if (a && hotmem_boot_memmap_freed_walk(ctx->hm, boot_memmap_run_add, a)) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static void restore_boot_memmap_freed(struct hmfs_ctx *ctx, json_object *runs)
{
	unsigned long failed = 0;
	uint64_t first, end;

	for (size_t i = 0; runs && i < json_object_array_length(runs); i++)
		if (hmfs_json_range(runs, i, &first, &end))
			failed += hotmem_boot_memmap_free_again(ctx->hm, first, end - first);
	if (failed)
		fprintf(stderr, "hotmemfs: state file %s: %lu boot memmap page%s HugeTLB's vmemmap optimisation had freed could not be freed again: MemTotal is that much lower\n",
			ctx->state_path, failed, failed == 1 ? "" : "s");
}

/*
 * A virtio-mem driver's plugging adds memory blocks too, whose memmaps
 * the buddy gives as a DIMM's: its "device" record carries those of its
 * ranges' sections (reread21 H9: without them a restart before the next
 * whole save put them where the buddy puts them), each range walked
 * alone (hotmem_memmap_walk_range()): a record of the driver's is
 * O(its ranges), not O(the machine's section table).
 */
/* is the block of the section at @pfn in one of @ranges ([first, count] of blocks)? */
static bool section_in_ranges(json_object *ranges, uint64_t block_size, uint64_t pfn)
{
	uint64_t id = (pfn << 12) / block_size, f, e;

	for (size_t i = 0; i < json_object_array_length(ranges); i++)
		if (hmfs_json_range(ranges, i, &f, &e) && f <= id && id < e)
			return true;
	return false;
}

static json_object *memmap_ranges_json(struct hmfs_ctx *ctx, json_object *ranges)
{
	const uint64_t block_pages = ctx->block_size >> 12;
	json_object *a = json_object_new_array();
	uint64_t f, e;

	for (size_t i = 0; a && i < json_object_array_length(ranges); i++) {
		if (!hmfs_json_range(ranges, i, &f, &e))
			continue;
		if (hotmem_memmap_walk_range(ctx->hm, f * block_pages, e * block_pages,
					     memmap_entry_add, a)) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/*
 * "memmap" entry @e, [section pfn, pfn] or [section pfn, pfn, moved
 * runs]: false when malformed (not an array of 2 or 3, a number no
 * integer of 0 or more: json_u64s()); *@runs its third element, NULL
 * without one
 */
static bool memmap_entry_read(json_object *e, struct hotmem_memmap_at *at, json_object **runs)
{
	size_t len = json_object_is_type(e, json_type_array) ? json_object_array_length(e) : 0;
	uint64_t v[2];

	*runs = NULL;
	if (len < 2 || len > 3 || !json_u64s(e, 2, v))
		return false;
	*at = (struct hotmem_memmap_at){ .section_pfn = v[0], .pfn = v[1] };
	if (len == 3)
		*runs = json_object_array_get_idx(e, 2);
	return true;
}

/*
 * the file's places, kept for the adds that follow; a malformed entry is
 * left out and said (its memmap where the buddy puts it), here only:
 * restore_memmap_moved() passes over it
 */
static void restore_memmap_begin(struct hmfs_ctx *ctx, json_object *memmap)
{
	size_t n = memmap ? json_object_array_length(memmap) : 0, k = 0;
	struct hotmem_memmap_at *at = calloc(n ? n : 1, sizeof(*at));
	unsigned long bad = 0;
	json_object *runs;

	for (size_t i = 0; at && i < n; i++) {
		/* the moved pages, a third element, are restore_memmap_moved()'s */
		if (memmap_entry_read(json_object_array_get_idx(memmap, i), &at[k], &runs))
			k++;
		else
			bad++;
	}
	if (bad)
		fprintf(stderr, "hotmemfs: state file %s: %lu \"memmap\" entr%s malformed: left out (%s where the buddy puts %s)\n",
			ctx->state_path, bad, bad == 1 ? "y" : "ies",
			bad == 1 ? "its memmap" : "their memmaps", bad == 1 ? "it" : "them");
	if (!at || hotmem_memmap_restore_begin(ctx->hm, at, k))
		fprintf(stderr, "hotmemfs: state file %s: the memmaps' places: %s: they go where the buddy puts them\n",
			ctx->state_path, strerror(ENOMEM));
	free(at);
}

/*
 * The memmaps' pages HugeTLB's vmemmap restore had moved off their blocks
 * (memmap_moved_add()), moved again: after the pool, whose optimisation
 * shares some with a head again (those stay shared), as
 * restore_boot_memmap_freed().  A page whose saved pfn is not free now
 * (the restored pool's or its new heads' pages, the kernel's own) is
 * where the buddy gives one: a running kernel's restore would have taken
 * whatever page it had.  A malformed run is left out and said (those
 * pages where the restore put them); a malformed entry was said by
 * restore_memmap_begin().
 */
static void restore_memmap_moved(struct hmfs_ctx *ctx, json_object *memmap)
{
	unsigned long astray = 0, bad = 0;
	struct hotmem_memmap_at at;
	json_object *runs;
	uint64_t v[3]; /* index, count, pfn */

	for (size_t i = 0; memmap && i < json_object_array_length(memmap); i++) {
		if (!memmap_entry_read(json_object_array_get_idx(memmap, i), &at, &runs))
			continue;
		/* moved runs that are no list: as a malformed run */
		if (runs && !json_object_is_type(runs, json_type_array)) {
			bad++;
			continue;
		}
		for (size_t r = 0; runs && r < json_object_array_length(runs); r++) {
			if (run3_read(json_object_array_get_idx(runs, r), v))
				astray += hotmem_memmap_move_again(ctx->hm, at.section_pfn, v[0],
								   v[1], v[2]);
			else
				bad++;
		}
	}
	if (bad)
		fprintf(stderr, "hotmemfs: state file %s: %lu \"memmap\" moved run%s malformed: left out (%s pages where the restore put them)\n",
			ctx->state_path, bad, bad == 1 ? "" : "s", bad == 1 ? "its" : "their");
	if (astray)
		fprintf(stderr, "hotmemfs: state file %s: %lu memmap page%s HugeTLB's vmemmap restore had moved not back at %s pages (not free, or the host refused)\n",
			ctx->state_path, astray, astray == 1 ? "" : "s",
			astray == 1 ? "its" : "their");
}

/* every block as saved: the memmaps not at their places yet moved there, said when one is not */
static void restore_memmap_end(struct hmfs_ctx *ctx)
{
	unsigned long astray = hotmem_memmap_restore_end(ctx->hm);

	if (astray)
		fprintf(stderr, "hotmemfs: state file %s: %lu memmap%s from system RAM not back at %s pages (not free, or the host refused): where the buddy put %s\n",
			ctx->state_path, astray, astray == 1 ? "" : "s", astray == 1 ? "its" : "their",
			astray == 1 ? "it" : "them");
}

/*
 * "zone-movable-pfn": where each node's boot ZONE_MOVABLE starts, a pfn a
 * possible node, 0 for none (kernelcore=, movablecore=; check_zone_movable())
 */
static json_object *zone_movable_json(struct hotmem *hm)
{
	json_object *a = json_object_new_array();

	for (int nid = 0; a && nid < hotmem_nr_possible_nodes(hm); nid++) {
		json_object *pfn = json_object_new_uint64(hotmem_zone_movable_pfn(hm, nid));

		if (!pfn || json_object_array_add(a, pfn)) {
			json_object_put(pfn);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* the machine's value of machine_keys[@key], as the state file has it */
static json_object *machine_value(struct hmfs_ctx *ctx, int key)
{
	switch (key) {
	case KEY_PROFILE:
		return json_object_new_string(ctx->profile);
	case KEY_CMDLINE:
		return json_object_new_string(ctx->cmdline);
	case KEY_BLOCK_SIZE:
		return json_object_new_uint64(ctx->block_size);
	case KEY_PARAMS:
		return params_json(ctx);
	case KEY_DEVICES:
		return hmfs_devices_json(ctx, HMFS_VIEW_STATE);
	case KEY_PROFILE_DEVICES:
		return hmfs_dev_profile_json(ctx);
	case KEY_PROBED:
		return probed_json(ctx);
	case KEY_HWPOISON:
		return retired_json(ctx);
	case KEY_IATTRS:
		/* chmod, chown, times, xattrs, power/control "on" (a file from before: none) */
		return hmfs_iattr_json(ctx);
	case KEY_HUGETLB:
		return hugetlb_json(ctx);
	case KEY_HUGETLB_NEXT_NID:
		return hugetlb_next_nid_json(ctx);
	case KEY_PROFILE_CONFIG:
		return profile_config_json(ctx);
	case KEY_BOOT_ID:
		return json_object_new_string(ctx->boot_id);
	case KEY_KMEM:
		return kmem_json(ctx);
	case KEY_MEMMAP:
		return memmap_json(ctx);
	case KEY_BOOT_MEMMAP_FREED:
		return boot_memmap_freed_json(ctx);
	case KEY_NODE_IDS:
		return json_object_new_string(NODE_IDS_SRAT);
	case KEY_ZONE_MOVABLE:
		return zone_movable_json(ctx->hm);
	default:
		return hmfs_block_runs_json(ctx, HMFS_VIEW_STATE);
	}
}

/*
 * NULL when a value could not be made (ENOMEM): a machine saved without
 * it, or with an empty one, would lose what it holds (acknowledged chmods
 * gone on restart); the save fails instead, and a change saved with it is
 * undone (machine.c unsaved()).
 */
static json_object *state_machine_but(struct hmfs_ctx *ctx, unsigned int skip)
{
	json_object *m = json_object_new_object();

	for (int k = 0; m && k < HMFS_STATE_KEYS; k++) {
		if (skip & (1u << k))
			continue;
		/* a key json-c could not copy went missing, then null in a "set" (nomem44) */
		if (!hmfs_json_add_new(m, machine_keys[k], machine_value(ctx, k))) {
			json_object_put(m);
			return NULL;
		}
	}
	return m;
}

json_object *hmfs_state_machine(struct hmfs_ctx *ctx)
{
	return state_machine_but(ctx, 0);
}

/*
 * The machine but "kmem", for what compares or undoes (a "set", an
 * undo's @pre): no record's "set" carries it (append_record() adds its
 * changes to each) and no undo puts it back (op_keys()), so the whole
 * list is not walked and built into JSON only to be skipped
 * (reread18-fusefs2 F4)
 */
static json_object *state_machine_no_kmem(struct hmfs_ctx *ctx)
{
	return state_machine_but(ctx, 1u << KEY_KMEM);
}

/*
 * A save between two changes: the temporary file, written in full
 * (write, fsync, rename, fsync of the directory: a crash at any instant
 * leaves the old or the new file).  It is created, never reused:
 * O_EXCL|O_NOFOLLOW, so a name planted there (a symlink to /etc/shadow)
 * fails the save instead of redirecting root's write (#16.8).  *@renamed
 * (may be NULL): it failed after the rename, so the file may hold the
 * new text after all (the next start reads it; a crash may lose it).
 */
static int write_base(struct hmfs_ctx *ctx, const char *text, bool *renamed)
{
	char name[PATH_MAX + 16];
	int fd, ret;

	sibling(ctx, ".tmp", name, sizeof(name));
	fd = openat(ctx->state_dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	ret = write_at(fd, text, strlen(text), 0);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(ctx->state_dirfd, name, ctx->state_dirfd, base_name(ctx->state_path)))
		ret = -errno;
	if (ret) {
		unlinkat(ctx->state_dirfd, name, 0);
		return ret;
	}
	if (!fsync(ctx->state_dirfd))
		return 0;
	ret = -errno;
	if (renamed)
		*renamed = true;
	return ret;
}

static void count_save(struct hmfs_ctx *ctx, int ret)
{
	pthread_mutex_lock(&ctx->save_lock);
	if (ret)
		ctx->save_errors++;
	else
		ctx->saves++;
	pthread_mutex_unlock(&ctx->save_lock);
}

/* a save counted when its record was appended was rolled back: an error after all */
static void recount_undone(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->save_lock);
	ctx->saves--;
	ctx->save_errors++;
	pthread_mutex_unlock(&ctx->save_lock);
}

static void forget_text(struct hmfs_ctx *ctx, int key)
{
	free(ctx->saved_text[key]);
	ctx->saved_text[key] = NULL;
}

/*
 * @m: what the journal adds up to now, its "devices" read at qemu_gen
 * @gen or later; @text: its values' text if known (taken over)
 */
static void keep_saved(struct hmfs_ctx *ctx, json_object *m, char **text, uint64_t gen)
{
	json_object_put(ctx->saved);
	ctx->saved = m;
	for (int k = 0; k < HMFS_STATE_KEYS; k++) {
		forget_text(ctx, k);
		ctx->saved_text[k] = text ? text[k] : NULL;
	}
	ctx->saved_stale = 0;
	ctx->saved_qemu_gen = gen;
}

/*
 * The records journaled without change_lock so far, QEMU-side ones and
 * lock-free parameters' (counted before their value moves, recorded or
 * not): what a "set" or a compaction read before one of them is not
 * written after it (journal_line_locked(), take_snapshot()).  Both only
 * grow, so their sum moved when either did.  Under journal_lock.
 */
static uint64_t side_gen(const struct hmfs_ctx *ctx)
{
	return ctx->qemu_gen + ctx->param_gen;
}

/*
 * qemu_gen now, and saved's "devices" stale when a QEMU-side record
 * (hmfs_state_append_qemu()) came since saved was made: the journal
 * adds that device's change to it; *@side (may be NULL): side_gen() at
 * the same moment.  Saved's lock-free parameters may be older than the
 * journal's ("param" records) and need not be marked: every value of
 * theirs is journaled, so a "set" whose "params" text matches saved's
 * leaves them as the journal has them, and no undo or compare reads
 * them (params_locked()).  Under change_lock.
 */
static uint64_t qemu_gen_fold(struct hmfs_ctx *ctx, uint64_t *side)
{
	uint64_t gen;

	pthread_mutex_lock(&ctx->journal_lock);
	gen = ctx->qemu_gen;
	if (side)
		*side = side_gen(ctx);
	pthread_mutex_unlock(&ctx->journal_lock);
	if (gen != ctx->saved_qemu_gen)
		ctx->saved_stale |= 1u << KEY_DEVICES;
	return gen;
}

static char *value_text(json_object *m, int key)
{
	json_object *v = NULL;

	json_object_object_get_ex(m, machine_keys[key], &v);
	return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* saved's value text of @key, serialised once per saved machine */
static const char *saved_text(struct hmfs_ctx *ctx, int key)
{
	if (!ctx->saved_text[key])
		ctx->saved_text[key] = value_text(ctx->saved, key);
	return ctx->saved_text[key];
}

/*
 * records up to @seq are durable (ending at @len, @kmem_len of "kmem"
 * bytes up to there: rollback() cuts journal_kmem_len back to it,
 * reread19-fusefs F2): their changes are acknowledged
 */
static void complete(struct hmfs_ctx *ctx, uint64_t seq, size_t len, size_t kmem_len)
{
	struct hmfs_save **p = &ctx->journal_pending;

	if (seq > ctx->journal_durable) {
		ctx->journal_durable = seq;
		ctx->journal_durable_len = len;
		ctx->journal_durable_kmem_len = kmem_len;
	}
	while (*p) {
		struct hmfs_save *sv = *p;

		if (sv->seq > ctx->journal_durable) {
			p = &sv->next;
			continue;
		}
		*p = sv->next;
		sv->pending = false;
		sv->done = true;
	}
	pthread_cond_broadcast(&ctx->journal_cond);
}

/*
 * The journal's bytes as compaction counts them: a record's "kmem" (the
 * kernel's allocations' changes, ~2 entries per background allocation of
 * a tick, kmem_tick()) a quarter.  They were 80% of a record on the
 * default kernel and 96% on the heavy one (reread18-fusefs2 F9), and
 * made the whole machine be written 3 to 10 times as often for a journal
 * that replays in O(its entries) (replay_kmem()); a quarter still bounds
 * the journal: at most 4 x HMFS_JOURNAL_MAX.  Under journal_lock.
 */
static size_t journal_weight(const struct hmfs_ctx *ctx)
{
	size_t kmem = ctx->journal_kmem_len < ctx->journal_len ? ctx->journal_kmem_len :
								 ctx->journal_len;

	return ctx->journal_len - kmem + kmem / 4;
}

/*
 * Compaction: the whole machine into the state file with the journal's
 * sequence number, then the journal emptied of the records the file now
 * holds.  A crash between the two leaves records the file already holds:
 * their seq is not above its own, and a restore skips them.
 */
struct snapshot {
	json_object *m;
	uint64_t qemu_gen; /* its "devices" read with the QEMU-side records up to this count */
	uint64_t seq; /* the journal's last record in it */
	size_t len; /* and where that record ends */
	size_t kmem_len; /* the "kmem" bytes of the records up to there (journal_weight()) */
	/*
	 * @seq is one past the last record counted, claimed for a record
	 * whose failed write and cut may have left it in the journal
	 * (ctx->journal_kept): a restore replays what is above the file's
	 * seq, and a journal whose emptying fails keeps it (settle_journal())
	 */
	bool claimed;
	bool started_log; /* its list started the kernel's allocations' log (kmem_base_lost()) */
};

/*
 * under change_lock: no change half-done, the journal's records all in
 * but those journaled under journal_lock alone (a QEMU-side one's,
 * hmfs_state_append_qemu(); a lock-free parameter's,
 * hmfs_state_set_param()): one that came while the machine was read may
 * or may not be in it, so the machine is read again then, else the file
 * would claim its seq without its device or value -- or with a value
 * whose record then failed and was undone
 */
static void take_snapshot(struct hmfs_ctx *ctx, struct snapshot *s)
{
	uint64_t side;

	s->started_log = !ctx->kmem_logging;
	for (;;) {
		pthread_mutex_lock(&ctx->journal_lock);
		side = side_gen(ctx);
		pthread_mutex_unlock(&ctx->journal_lock);
		s->m = hmfs_state_machine(ctx);
		pthread_mutex_lock(&ctx->journal_lock);
		s->qemu_gen = ctx->qemu_gen;
		if (!s->m || side == side_gen(ctx))
			break;
		pthread_mutex_unlock(&ctx->journal_lock);
		json_object_put(s->m);
	}
	s->claimed = ctx->journal_kept;
	ctx->journal_seq += s->claimed;
	ctx->journal_kept = false;
	s->seq = ctx->journal_seq;
	s->len = ctx->journal_len;
	s->kmem_len = ctx->journal_kmem_len;
	pthread_mutex_unlock(&ctx->journal_lock);
	if (s->m)
		kmem_based(ctx);
}

/*
 * @s was not written: the seq it claimed for a kept record given back --
 * unless the file was renamed into place (@renamed: it may be the file
 * after a crash, and a record with its seq would be skipped), or a record
 * took the next seq meanwhile (one journaled under journal_lock alone).
 * Either leaves a gap in the journal after the old file's seq, which a
 * restore refuses as damage until a whole save succeeds: rather that
 * than a replay of the kept record, whose writer was told it failed, or
 * an acknowledged record skipped.
 */
static void unclaim(struct hmfs_ctx *ctx, const struct snapshot *s, bool renamed)
{
	if (!s->claimed || renamed)
		return;
	pthread_mutex_lock(&ctx->journal_lock);
	if (ctx->journal_seq == s->seq) {
		ctx->journal_seq--;
		ctx->journal_kept = true;
	}
	pthread_mutex_unlock(&ctx->journal_lock);
}

static int write_snapshot(struct hmfs_ctx *ctx, const struct snapshot *s, bool *renamed)
{
	json_object *root;
	uint32_t crc;
	int ret;

	if (!s->m)
		return -ENOMEM; /* hmfs_state_machine() */
	ret = machine_crc(s->m, &crc);
	if (ret)
		return ret;
	root = json_object_new_object();
	json_object_object_add(root, "format", json_object_new_string(STATE_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
	json_object_object_add(root, "seq", json_object_new_uint64(s->seq));
	json_object_object_add(root, "crc32", json_object_new_int64(crc));
	json_object_object_add(root, "machine", json_object_get(s->m));
	ret = write_base(ctx, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY),
			 renamed);
	json_object_put(root);
	return ret;
}

static int read_at(int fd, char *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * Records were appended while a background compaction wrote the state
 * file: they, the journal's bytes from @from on, go into a new journal
 * (PATH.journal.tmp written, fsync()ed, renamed over PATH.journal, the
 * directory fsync()ed).  A crash at any instant leaves the old journal or
 * the new one; with the new state file either adds up to the same
 * machine.  Under journal_lock, no fdatasync() on the old descriptor.
 */
static int rotate_journal(struct hmfs_ctx *ctx, size_t from, size_t kmem_from)
{
	size_t len = ctx->journal_len - from;
	char name[PATH_MAX + 16], journal[PATH_MAX + 16], *buf = malloc(len + 1); /* len may be 0 */
	int fd = -1, ret;

	if (!buf)
		return -ENOMEM;
	ret = read_at(ctx->journal_fd, buf, len, (off_t)from);
	sibling(ctx, ".journal.tmp", name, sizeof(name));
	sibling(ctx, ".journal", journal, sizeof(journal));
	if (!ret) {
		fd = openat(ctx->state_dirfd, name,
			    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		ret = fd < 0 ? -errno : write_at(fd, buf, len, 0);
	}
	free(buf);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && renameat(ctx->state_dirfd, name, ctx->state_dirfd, journal))
		ret = -errno;
	if (ret) {
		if (fd >= 0) {
			close(fd);
			unlinkat(ctx->state_dirfd, name, 0);
		}
		return ret;
	}
	/*
	 * The new journal is the one now, its offsets @from less than the
	 * old one's (settle_journal() made every record up to @from durable
	 * first: journal_durable_len is at least @from).  Until the directory
	 * is synced, its name may be lost, and with it a record appended
	 * later: each group commit syncs the directory too until one
	 * succeeds.  The records up to journal_durable stay durable either
	 * way: the old journal, under the name a crash may leave, has them
	 * synced; the others wait for the directory.
	 */
	close(ctx->journal_fd);
	ctx->journal_fd = fd;
	ctx->journal_len = ctx->journal_size = len;
	ctx->journal_kmem_len -= kmem_from < ctx->journal_kmem_len ? kmem_from : ctx->journal_kmem_len;
	ctx->journal_durable_kmem_len -= kmem_from < ctx->journal_durable_kmem_len ?
						 kmem_from : ctx->journal_durable_kmem_len;
	ctx->journal_durable_len -= from;
	ctx->journal_dir_dirty = fsync(ctx->state_dirfd) != 0;
	return 0;
}

/*
 * Whether a restart would find what the journal holds: the journal we
 * write still has a name (st_nlink: not unlinked, nor renamed over) and
 * the state file it adds to is still there.  A record written into a
 * journal without a name, or beside no state file, is in no file a
 * restart reads (abuse25c D3: the state directory removed under us), so
 * it is not saved and its change is not acknowledged.  A directory
 * removed takes both names (rmdir needs it empty).  Under journal_lock.
 */
static bool journal_named(struct hmfs_ctx *ctx)
{
	struct stat st;

	if (fstat(ctx->journal_fd, &st) || !st.st_nlink)
		return false;
	return !fstatat(ctx->state_dirfd, base_name(ctx->state_path), &st, AT_SYMLINK_NOFOLLOW);
}

/* every record is in the state file: the journal emptied (the next record grows it again) */
static int empty_journal(struct hmfs_ctx *ctx)
{
	if (ftruncate(ctx->journal_fd, 0))
		return -errno;
	/* unsynced, the old records may come back after a crash: skipped, the file has them */
	ctx->journal_len = ctx->journal_durable_len = ctx->journal_size = 0;
	ctx->journal_kmem_len = ctx->journal_durable_kmem_len = 0;
	return fsync(ctx->journal_fd) ? -errno : 0;
}

/*
 * Room for @len more bytes of records: whole chunks of written zeros
 * (HMFS_JOURNAL_CHUNK), synced by the next fdatasync().  Under
 * journal_lock.  Best effort: on a full disk the record's own write
 * grows the file, as an append did, or fails.
 */
static void journal_grow(struct hmfs_ctx *ctx, size_t len)
{
	static const char zeros[4096];
	size_t want = ctx->journal_len + len, size = ctx->journal_size;
	size_t end = (want + HMFS_JOURNAL_CHUNK - 1) / HMFS_JOURNAL_CHUNK * HMFS_JOURNAL_CHUNK;

	if (want <= size)
		return;
	for (; size < end; size += sizeof(zeros))
		if (write_at(ctx->journal_fd, zeros, sizeof(zeros), (off_t)size))
			return;
	ctx->journal_size = size;
}

/*
 * The state file was written with s: the records up to s->seq are
 * durable in it, whatever becomes of the journal, and their changes
 * are acknowledged.  The journal then keeps only the records after
 * (usually none: emptied), and journal_durable_len moves with its
 * offsets: a rollback truncates the journal we hold there, never at an
 * offset of the one before.  Every record is durable after it unless a
 * new journal's name is not (journal_dir_dirty).  A failure leaves the
 * journal as it was: longer than needed (a restore skips the records
 * the file holds), never short.  Under compact_lock; takes journal_lock.
 */
static int settle_journal(struct hmfs_ctx *ctx, const struct snapshot *s)
{
	int ret = 0;

	pthread_mutex_lock(&ctx->journal_lock);
	while (ctx->journal_syncing)
		pthread_cond_wait(&ctx->journal_cond, &ctx->journal_lock);
	complete(ctx, s->seq, s->len, s->kmem_len);
	/*
	 * none held (tests/fuzz/fuzz_state.c): the file is all; one without
	 * a name is made again at its path (rotate_journal()), the records
	 * after s->seq copied into it
	 */
	if (ctx->journal_fd >= 0)
		ret = ctx->journal_seq == s->seq && journal_named(ctx) ?
			      empty_journal(ctx) :
			      rotate_journal(ctx, s->len, s->kmem_len);
	if (!ret && !ctx->journal_dir_dirty)
		complete(ctx, ctx->journal_seq, ctx->journal_len, ctx->journal_kmem_len);
	pthread_mutex_unlock(&ctx->journal_lock);
	return ret;
}

/*
 * A whole-file save now, under change_lock and compact_lock.  Once the
 * file is written the save stands (settle_journal() failing only leaves
 * records the file holds in the journal).  *@kept (may be NULL): it
 * failed after the new file was renamed into place.
 */
static int compact_held(struct hmfs_ctx *ctx, bool *kept)
{
	bool renamed = false;
	struct snapshot s;
	int ret;

	take_snapshot(ctx, &s);
	ret = write_snapshot(ctx, &s, &renamed);
	if (kept && renamed)
		*kept = true;
	if (ret) {
		unclaim(ctx, &s, renamed);
		kmem_base_lost(ctx, s.started_log, renamed);
		json_object_put(s.m);
		fprintf(stderr, "hotmemfs: saving state to %s: %s\n", ctx->state_path,
			strerror(-ret));
		return ret;
	}
	drop_aside(ctx);
	ret = settle_journal(ctx, &s);
	if (ret)
		fprintf(stderr, "hotmemfs: %s.journal: %s (it keeps records %s holds)\n",
			ctx->state_path, strerror(-ret), ctx->state_path);
	keep_saved(ctx, s.m, NULL, s.qemu_gen);
	return 0;
}

/* the same, under change_lock */
static int compact(struct hmfs_ctx *ctx, bool *kept)
{
	int ret;

	pthread_mutex_lock(&ctx->compact_lock);
	ret = compact_held(ctx, kept);
	pthread_mutex_unlock(&ctx->compact_lock);
	return ret;
}

/*
 * In the background: change_lock only while the machine is read, so
 * that writers go on while the file is written and synced; the records
 * they append meanwhile stay in the journal (rotate_journal()).  A
 * failed one is counted and tried again a quarter of HMFS_JOURNAL_MAX
 * of records later; the records are safe in the journal meanwhile.
 */
static void compact_background(struct hmfs_ctx *ctx)
{
	bool renamed = false;
	struct snapshot s;
	int ret, wret;

	pthread_mutex_lock(&ctx->change_lock);
	if (ctx->frozen) { /* the machine differs from the file: never written over it */
		pthread_mutex_unlock(&ctx->change_lock);
		return;
	}
	take_snapshot(ctx, &s);
	pthread_mutex_lock(&ctx->compact_lock);
	pthread_mutex_unlock(&ctx->change_lock);
	ret = wret = write_snapshot(ctx, &s, &renamed);
	if (wret)
		unclaim(ctx, &s, renamed);
	else
		drop_aside(ctx);
	if (!ret)
		ret = settle_journal(ctx, &s);
	pthread_mutex_unlock(&ctx->compact_lock);
	json_object_put(s.m);
	count_save(ctx, ret);
	/*
	 * The file not written (a failed settle_journal(): it stands, "based"
	 * holds), or renamed into place but its directory not synced: it is
	 * the file, the journal not settled (kmem_base_lost())
	 */
	if (wret) {
		pthread_mutex_lock(&ctx->change_lock);
		kmem_base_lost(ctx, s.started_log, renamed);
		pthread_mutex_unlock(&ctx->change_lock);
	}
	pthread_mutex_lock(&ctx->journal_lock);
	ctx->compact_at = ret ? journal_weight(ctx) + HMFS_JOURNAL_MAX / 4 : 0;
	pthread_mutex_unlock(&ctx->journal_lock);
	if (ret)
		fprintf(stderr, "hotmemfs: compacting %s.journal into %s: %s (the journal keeps every record; tried again later)\n",
			ctx->state_path, ctx->state_path, strerror(-ret));
}

static void *compactor(void *arg)
{
	struct hmfs_ctx *ctx = arg;

	pthread_mutex_lock(&ctx->journal_lock);
	for (;;) {
		while (!ctx->compact_wanted && !ctx->compact_stop)
			pthread_cond_wait(&ctx->compact_cond, &ctx->journal_lock);
		if (ctx->compact_stop)
			break;
		pthread_mutex_unlock(&ctx->journal_lock);
		compact_background(ctx);
		pthread_mutex_lock(&ctx->journal_lock);
		ctx->compact_wanted = false;
	}
	pthread_mutex_unlock(&ctx->journal_lock);
	return NULL;
}

/*
 * Amortised: one whole-file save per HMFS_JOURNAL_MAX bytes of records,
 * in the compactor thread (started the first time; without it, here).
 * Under change_lock.  The kernel's allocations' changes each record
 * carries ("kmem") count a quarter (journal_weight()).
 */
static void maybe_compact(struct hmfs_ctx *ctx)
{
	bool ask;

	pthread_mutex_lock(&ctx->journal_lock);
	ask = journal_weight(ctx) > (ctx->compact_at ? ctx->compact_at : HMFS_JOURNAL_MAX) &&
	      !ctx->compact_wanted;
	if (ask && !ctx->compactor_started)
		ctx->compactor_started = !pthread_create(&ctx->compactor, NULL, compactor, ctx);
	if (ask && ctx->compactor_started) {
		ctx->compact_wanted = true;
		pthread_cond_signal(&ctx->compact_cond);
	}
	pthread_mutex_unlock(&ctx->journal_lock);
	if (ask && !ctx->compactor_started)
		count_save(ctx, compact(ctx, NULL));
}

/*
 * A memoryN/state or online write changes that block's state and zone
 * and nothing else of the state file, on a virtio-mem device's block
 * too: a virtio-mem driver never plugs or unplugs within a block's online
 * or offline.  The kernel's memory notifier only queues the driver's work
 * on MEM_ONLINE and MEM_OFFLINE (virtio_mem_memory_notifier_cb():
 * virtio_mem_retry(), 6.12), and the engine's notifier changes no plugged
 * block; that work runs after the change, as a change of its own
 * (HMFS_CH_DRIVER_RETRY, machine.c).  So a block's record and @pre are
 * its run alone, O(1), and its undo has no device to rewind.
 */
static bool block_change(const struct hmfs_change *ch)
{
	return ch->op == HMFS_CH_BLOCK_STATE || ch->op == HMFS_CH_BLOCK_ONLINE;
}

#define K(key) (1u << KEY_##key)
/*
 * The machine's keys each kind of change may touch: one table for the
 * three places that must agree -- what hmfs_state_prepare() keeps in
 * @pre (of a one-block or device-range change: those keys alone), what
 * undo() puts back from it (hmfs_change_touches()) and what
 * hmfs_state_pre_matches() compares after the undo.  They were three
 * lists: an offline or device_del that dissolved free huge pages was
 * undone without its pool (review8 #3, #4).  "params" in each: an undo
 * sets auto-online meanwhile.  An offline dissolves free huge pages
 * (dissolve_free_hugetlb_folios()), so a block or device change touches
 * "hugetlb"; a device change, the "iattrs" of the blocks it adds or
 * removes (their incarnations).  "hugetlb-next-nid" goes with "hugetlb":
 * the undo's restore of the pool moves the round robin, which it puts
 * back after.
 */
#define POOL (K(HUGETLB) | K(HUGETLB_NEXT_NID))
static const unsigned int change_keys[] = {
	[HMFS_CH_BLOCK_STATE] = K(PARAMS) | K(BLOCKS) | POOL,
	[HMFS_CH_BLOCK_ONLINE] = K(PARAMS) | K(BLOCKS) | POOL,
	[HMFS_CH_AUTO_ONLINE] = K(PARAMS),
	[HMFS_CH_PROBE] = K(PARAMS) | K(PROBED) | K(BLOCKS) | K(IATTRS),
	[HMFS_CH_NUMA_AWARE] = K(PARAMS),
	[HMFS_CH_RATIO] = K(PARAMS),
	[HMFS_CH_POLICY] = K(PARAMS),
	[HMFS_CH_VMEM_UNPLUG_ONLINE] = K(PARAMS),
	[HMFS_CH_NOTIFIER_ERROR] = K(PARAMS),
	/*
	 * soft_offline_page() and memory_failure() (hard_offline_page: 6.12's
	 * try_memory_failure_hugetlb()) of a page of a free huge page
	 * dissolve it: the pool shrinks
	 */
	[HMFS_CH_MEMORY_FAILURE] = K(PARAMS) | K(HWPOISON) | POOL,
	[HMFS_CH_IATTR] = K(IATTRS),
	[HMFS_CH_BUS_AUTOPROBE] = K(PARAMS),
	[HMFS_CH_NODE_HUGEPAGES] = K(PARAMS) | POOL,
	[HMFS_CH_HUGETLB] = K(PARAMS) | POOL,
	[HMFS_CH_DEVICE_ADD] = K(PARAMS) | K(DEVICES) | K(PROFILE_DEVICES) | K(BLOCKS) |
			       K(IATTRS) | POOL,
	[HMFS_CH_DEVICE_DEL] = K(PARAMS) | K(DEVICES) | K(PROFILE_DEVICES) | K(BLOCKS) |
			       K(IATTRS) | POOL,
	[HMFS_CH_DEVICE_RESIZE] = K(PARAMS) | K(DEVICES) | K(BLOCKS) | K(IATTRS) | POOL,
	[HMFS_CH_DRIVER_RETRY] = K(PARAMS) | K(DEVICES) | K(BLOCKS) | K(IATTRS) | POOL,
	[HMFS_CH_HUGETLB_OVERCOMMIT] = K(PARAMS),
	[HMFS_CH_ANON_COUNT] = K(PARAMS),
	[HMFS_CH_VM_RESERVE] = K(PARAMS),
	[HMFS_CH_VM_WMARK] = K(PARAMS),
	[HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP] = K(PARAMS),
	[HMFS_CH_WATERMARK_BOOST_FACTOR] = K(PARAMS),
	[HMFS_CH_PERCPU_PAGELIST_HIGH_FRACTION] = K(PARAMS),
};
#undef POOL
#undef K

/* an op the table does not know: every key, as before the table */
static unsigned int op_keys(enum hmfs_change_op op)
{
	if ((unsigned)op < sizeof(change_keys) / sizeof(change_keys[0]) && change_keys[op])
		return change_keys[op];
	/*
	 * but "kmem": an undo puts no kernel allocation back, nor compares
	 * them; nor "memmap", nor "boot-memmap-freed" (the kernel never takes
	 * a freed boot page back)
	 */
	return ((1u << HMFS_STATE_KEYS) - 1) & ~(1u << KEY_KMEM) & ~(1u << KEY_MEMMAP) &
	       ~(1u << KEY_BOOT_MEMMAP_FREED);
}

bool hmfs_change_touches(enum hmfs_change_op op, const char *key)
{
	for (int k = 0; k < HMFS_STATE_KEYS; k++)
		if (!strcmp(key, machine_keys[k]))
			return op_keys(op) & (1u << k);
	return false;
}

/*
 * saved with the values records made stale as the machine has them now
 * (at qemu_gen @gen); false: no memory, saved left as it was, still
 * stale (append_set_once() never takes a stale key's old text).  Its
 * object and each value went in unchecked: a change whose first 48-byte
 * malloc() failed aborted hotmemfs in json-c's assertion (json43).
 */
static bool refresh_stale(struct hmfs_ctx *ctx, uint64_t gen)
{
	json_object *v, *m = json_object_new_object();

	if (!m)
		return false;
	json_object_object_foreach(ctx->saved, key, val) {
		int k = 0;
		bool stale;

		while (k < HMFS_STATE_KEYS && strcmp(key, machine_keys[k]))
			k++;
		stale = k < HMFS_STATE_KEYS && (ctx->saved_stale & (1u << k));
		v = stale ? machine_value(ctx, k) : json_object_get(val);
		/* a kept value may be null (a file's); a stale one made again never */
		if ((stale && !v) || json_object_object_add(m, key, v))
			goto fail;
	}
	for (int k = 0; k < HMFS_STATE_KEYS; k++)
		if (ctx->saved_stale & (1u << k))
			forget_text(ctx, k);
	json_object_put(ctx->saved);
	ctx->saved = m;
	ctx->saved_stale = 0;
	ctx->saved_qemu_gen = gen;
	return true;
fail:
	json_object_put(v);
	json_object_put(m);
	return false;
}

/*
 * A virtio-mem driver's retry after an online or offline
 * (hmfs_dev_retry()) plugs or unplugs memory of the devices whose work
 * is due (@ch->due, hmfs_dev_due(): short of their requested-size, or above
 * it with the work queued by an offline, or by an online's MEM_ONLINE) and of no other: sub-blocks of
 * their memory blocks (online ones too) or whole memory blocks of
 * theirs, added or removed.  It changes those devices and their memory blocks
 * alone, so its record ("device") and @pre hold those devices and the
 * runs of their blocks: O(device), not O(machine).  The machine's other
 * devices are never serialised, nor its other blocks walked.  The
 * devices' block ranges, [first, count] each, in the devices' order;
 * NULL: not such a change.
 */
static json_object *device_ranges(struct hmfs_ctx *ctx, const struct hmfs_change *ch)
{
	json_object *a;

	if (ch->op != HMFS_CH_DRIVER_RETRY)
		return NULL;
	a = json_object_new_array();
	/* a device's region is fixed for its life, the list under change_lock */
	for (size_t i = 0; i < ch->nr_due; i++)
		json_object_array_add(a, dev_range_json(ctx, ch->due[i]->addr, ch->due[i]->size));
	return a;
}

/*
 * The runs of the blocks present in @ranges (disjoint), as the state file
 * has them; a run never crosses from one range into the next (a device
 * record's run lies inside one of its ranges: run_in_ranges()).  NULL: no
 * memory -- a list short of a run was a driver record's "blocks" and an
 * undo's before (review44 F8), as hmfs_block_runs_json()'s NULL.
 */
static json_object *ranges_runs(struct hmfs_ctx *ctx, json_object *ranges)
{
	json_object *a = json_object_new_array();
	uint64_t first, end;

	for (size_t i = 0; a && i < json_object_array_length(ranges); i++)
		if (hmfs_json_range(ranges, i, &first, &end) &&
		    !hmfs_block_runs_json_in(ctx, (unsigned long)first, (unsigned long)end, a)) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

/*
 * The virtio-mem devices whose blocks @ranges are (device_ranges()), in
 * the devices' order: only theirs are serialised, O(device), however
 * many other devices the machine has (a walk of the list is no more
 * than device_ranges() did).
 */
static json_object *ranges_devices(struct hmfs_ctx *ctx, json_object *ranges)
{
	json_object *a = json_object_new_array();
	size_t i = 0, n = json_object_array_length(ranges);
	uint64_t first, end;

	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d && i < n; d = d->next) {
		if (d->type != HMFS_VIRTIO_MEM || !hmfs_json_range(ranges, i, &first, &end) ||
		    first != d->addr / ctx->block_size)
			continue;
		json_object_array_add(a, hmfs_dev_json(d, HMFS_VIEW_STATE));
		i++;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return a;
}

/*
 * Key @k of the machine as @sv's @pre has it: within the change's device
 * ranges, the devices, their blocks and what those blocks keep ("iattrs":
 * a block the change removes and the undo brings back is a new
 * incarnation, which keeps nothing until the undo puts it back); of a
 * one-block change, that block's run; else the machine's.
 */
static json_object *pre_value(struct hmfs_ctx *ctx, const struct hmfs_save *sv, int k)
{
	json_object *a;

	if (sv->ranges && k == KEY_DEVICES)
		return ranges_devices(ctx, sv->ranges);
	if (sv->ranges && k == KEY_BLOCKS)
		return ranges_runs(ctx, sv->ranges);
	if (sv->ranges && k == KEY_IATTRS)
		return hmfs_iattr_ranges_json(ctx, sv->ranges);
	if (sv->one_block && k == KEY_BLOCKS) {
		json_object *run = hmfs_block_run_json(ctx, sv->block);

		a = json_object_new_array();
		/* no memory: NULL, not [] nor json-c's assert on a NULL array */
		if (!hmfs_json_push_new(a, run)) {
			json_object_put(a);
			return NULL;
		}
		return a;
	}
	return machine_value(ctx, k);
}

/*
 * @pre of a device-range or one-block change: the keys the change may
 * touch; a one-block change's "params" null, @sv->pre_nodes holds them
 * as values (NULL: no memory, and null "params" never matches);
 * hmfs_state_pre_whole() renders them for an undo
 */
static json_object *part_pre(struct hmfs_ctx *ctx, const struct hmfs_save *sv)
{
	json_object *pre = json_object_new_object();

	/* none made: NULL, no @pre (json-c asserted on the NULL object: review44 F8's test) */
	for (int k = 0; pre && k < HMFS_STATE_KEYS; k++) {
		json_object *v;

		if (!(sv->keys & (1u << k)))
			continue;
		if (k == KEY_PARAMS && sv->one_block)
			v = NULL; /* @sv->pre_nodes, rendered by hmfs_state_pre_whole() */
		else
			v = pre_value(ctx, sv, k);
		json_object_object_add(pre, machine_keys[k], v);
	}
	return pre;
}

/*
 * A one-block change's @pre "params" rendered (part_pre() left it null,
 * its values in @sv->pre_nodes) before an undo reads it or compares with
 * it: params_json()'s text of the values of before; null when there is
 * no memory, which never matches, as part_pre()'s.  The change's own
 * @pre, under change_lock.
 */
void hmfs_state_pre_whole(struct hmfs_ctx *ctx, const struct hmfs_save *sv)
{
	json_object *params;

	if (!sv->one_block || !sv->pre_nodes ||
	    !json_object_object_get_ex(sv->pre, "params", &params) || params)
		return;
	json_object_object_add(sv->pre, "params",
			       params_render(ctx, &sv->pre_nodes->p, sv->pre_nodes));
}

json_object *hmfs_state_dev_ranges(struct hmfs_ctx *ctx, json_object *devs)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		json_object_array_add(a, dev_range_json(ctx, u64(d, "addr"), u64(d, "size")));
	}
	return a;
}

/*
 * A chmod, chown, touch, xattr or power/control write changes one node's
 * entry of "iattrs" and nothing else: its record and @pre are that entry
 * (by path, iattr.c), O(1) however many nodes keep something.  A node
 * without a path (cannot be: the change found it) is recorded as any
 * change.
 */
static bool prepare_iattr(struct hmfs_ctx *ctx, const struct hmfs_change *ch, struct hmfs_save *sv)
{
	json_object *entry;

	if (ch->op != HMFS_CH_IATTR || !(entry = hmfs_iattr_entry_json(ctx, ch->iattr->n->ino)))
		return false;
	sv->one_iattr = true;
	sv->iattr_ino = ch->iattr->n->ino;
	sv->pre = json_object_new_object();
	json_object_object_add(sv->pre, "iattr", entry);
	return true;
}

/*
 * @pre of a change with a saved machine: saved's values of the keys the
 * change may touch (change_keys[]: all that undo() puts back and
 * hmfs_state_pre_matches() compares), each a deep copy -- not a
 * reference to ctx->saved.  json-c counts references without atomics
 * (Debian's libjson-c is built without ENABLE_THREADING), and a saved
 * machine shares its values with the next (refresh_stale()): a reference
 * dropped after the change's sync, without change_lock, raced with the
 * next change's prepare (TSan, reliability/stress.t in a fresh-clone CI
 * of c62a331a).  Dropping it under change_lock instead (8c836c4e) made a
 * change whose record was durable wait for change_lock after its sync:
 * behind a later change's looping offline its reply waited as long as
 * that offline looped, and kill -9 could not end the wait
 * (tests/reliability/state-pre-behind-offline.t).  A copy costs less
 * than the "set" the change makes next (append_set_once(): the machine
 * read and every value serialised), and only the keys it needs.  Any
 * allocation failure gives no @pre at all, which
 * hmfs_state_pre_matches() never matches: an undo that needs it freezes
 * hotmemfs, as with part_pre()'s -- a @pre short of a key would be
 * compared without it and call a change undone that was not (reread26
 * R4).  Under change_lock.
 */
static json_object *saved_pre(struct hmfs_ctx *ctx, unsigned int keys)
{
	json_object *v, *copy = NULL, *pre = json_object_new_object();

	for (int k = 0; pre && k < HMFS_STATE_KEYS; k++, copy = NULL) {
		if (!(keys & (1u << k)) || !json_object_object_get_ex(ctx->saved, machine_keys[k], &v))
			continue;
		/* a failed deep copy puts what it made (json-c 0.13+) */
		if (json_object_deep_copy(v, &copy, NULL) ||
		    json_object_object_add(pre, machine_keys[k], copy))
			goto fail;
	}
	return pre;
fail:
	json_object_put(copy);
	json_object_put(pre);
	return NULL;
}

void hmfs_state_prepare(struct hmfs_ctx *ctx, const struct hmfs_change *ch, struct hmfs_save *sv)
{
	json_object *run;

	*sv = (struct hmfs_save){ .active = ctx->state_path[0] && !ctx->restoring,
				  .keys = op_keys(ch->op) };
	if (!sv->active)
		return;
	sv->qemu_gen = qemu_gen_fold(ctx, NULL);
	/*
	 * What the undo stores back (hmfs_state_undo_wmark()): a watermark
	 * sysctl's write sets them up, and so does any change's online or
	 * offline, its undo's own too -- from the managed pages of then,
	 * which the marks of before did not count (reread40 R3: the first
	 * offline after boot, refused, left the marks of after boot)
	 */
	sv->wmark = hotmem_wmark_save(ctx->hm);
	/* what an undone add lowers it to again (machine.c undo(); rerfix31b) */
	sv->max_pfn = hotmem_max_pfn(ctx->hm);
	/*
	 * Where an undo rewinds the kernel's allocations to (kmem_rewind()):
	 * the log's end and the generator.  The mark copies the list, for a
	 * rewind once the log is lost (past 65536 entries, or its growth
	 * refused), and the engine keeps each mark's copy until the records
	 * before it are durable (kmem_log_trim()): a rollback of several
	 * records takes back each change's allocations past a lost log from
	 * its own mark's copy.  With one copy, the last mark's, a later
	 * change waiting for the same fdatasync() took the place of the
	 * earlier's, and only the newest change's were taken back -- the
	 * virtio-mem driver's work after a block's change (machine.c
	 * driver_retry()) among them (reread21b K1's second half).
	 */
	if (ctx->kmem_logging) {
		sv->kmem_marked = true;
		sv->kmem_mark = hotmem_kmem_log_mark(ctx->hm, &sv->kmem_rng);
	}
	sv->ranges = device_ranges(ctx, ch);
	if (sv->ranges) {
		sv->pre = part_pre(ctx, sv);
		return;
	}
	if (block_change(ch) && (run = hmfs_block_run_json(ctx, ch->id))) {
		json_object_put(run);
		sv->one_block = true;
		sv->block = ch->id;
		sv->pre_nodes = pre_capture(ctx);
		sv->pre = part_pre(ctx, sv);
		return;
	}
	if (prepare_iattr(ctx, ch, sv))
		return;
	if (!ctx->saved) {
		sv->pre = state_machine_no_kmem(ctx);
		return;
	}
	/*
	 * every change is recorded: the machine now is the one the journal
	 * adds up to, QEMU's side journaled without change_lock included
	 */
	/*
	 * no memory to refresh it: no @pre, as saved_pre()'s own failure --
	 * saved's stale values are not the machine's of before
	 */
	if (ctx->saved_stale && !refresh_stale(ctx, sv->qemu_gen))
		return;
	sv->pre = saved_pre(ctx, sv->keys);
}

/*
 * After hmfs_state_sync(), change_lock not held: @pre and @ranges are the
 * change's own (hmfs_state_prepare(): saved_pre()), which no other
 * thread holds once the sync is over (rollback() reads them under
 * change_lock before it sets sv->done)
 */
void hmfs_state_done(struct hmfs_save *sv)
{
	json_object_put(sv->pre);
	sv->pre = NULL;
	json_object_put(sv->ranges);
	sv->ranges = NULL;
	hotmem_wmark_free(sv->wmark);
	sv->wmark = NULL;
	free(sv->pre_nodes);
	sv->pre_nodes = NULL;
}

static json_object *pre_run(const struct hmfs_save *sv)
{
	json_object *blocks = NULL;

	json_object_object_get_ex(sv->pre, "blocks", &blocks);
	return json_object_array_get_idx(blocks, 0);
}

static bool same_json(json_object *a, json_object *b)
{
	char *t = strdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	bool same = t && !strcmp(t, json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN));

	free(t);
	return same;
}

/*
 * "params" after an undo against before the change, but "policy-zone":
 * the kernel's policy_zone only rises (check_highest_zone(), 6.12), so a
 * first online into ZONE_NORMAL undone leaves it raised -- the machine
 * was put back as far as the kernel can be, and the change refused.
 * "max-pfn" is compared: x86's max_pfn never goes down in the kernel
 * either, but the undo of an add never acknowledged puts it back
 * exactly (machine.c undo(); rerfix31b).
 */
/* @p's "pagesets" (a copy's) without each zone's pcp->high, zone_pagesets_json()'s fifth */
static void pagesets_without_high(json_object *p)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(p, "pagesets", &v) || !json_object_is_type(v, json_type_array))
		return;
	for (size_t nid = 0; nid < json_object_array_length(v); nid++) {
		json_object *node = json_object_array_get_idx(v, nid);

		for (size_t zid = 0; json_object_is_type(node, json_type_array) &&
				     zid < json_object_array_length(node);
		     zid++) {
			json_object *z = json_object_array_get_idx(node, zid);

			if (json_object_is_type(z, json_type_array) && json_object_array_length(z) > 4)
				json_object_array_del_idx(z, 4, json_object_array_length(z) - 4);
		}
	}
}

static bool params_same(json_object *now, json_object *pre)
{
	/* nor the lock-free ones: set meanwhile by writers of their own (lock_free_params[]) */
	json_object *a = params_locked(now), *b = params_locked(pre);
	bool same;

	if (!a || !b) {
		json_object_put(a);
		json_object_put(b);
		return false;
	}
	json_object_object_del(a, "policy-zone");
	json_object_object_del(b, "policy-zone");
	/* nor a file's from before the marks were kept (none written since) */
	json_object_object_del(a, "boot-watermarks");
	json_object_object_del(b, "boot-watermarks");
	/*
	 * nor the reserves: a lock-free vm.lowmem_reserve_ratio write sets
	 * them up meanwhile, by a writer of its own; the undo stores them
	 * back exactly otherwise (hmfs_state_undo_wmark())
	 */
	json_object_object_del(a, "lowmem-reserve");
	json_object_object_del(b, "lowmem-reserve");
	/*
	 * The pagesets' limits and stats thresholds are compared: they come
	 * back with the marks (the engine's snapshot, hmfs_state_undo_wmark();
	 * params43), so one left wrong freezes rather than go unseen
	 * (zones44).  Their pcp->high is not: an allocation or free moves
	 * it, and an undo's own pool regrowth after the marks are back
	 * touches a fresh pageset.  Nor totalreserve_pages, which a lock-free
	 * ratio write sets up meanwhile (its reserves, above).
	 */
	pagesets_without_high(a);
	pagesets_without_high(b);
	json_object_object_del(a, "totalreserve-pages");
	json_object_object_del(b, "totalreserve-pages");
	/* a file from before "max-pfn" or the marks were saved has none to compare */
	if (!json_object_object_get_ex(b, "max-pfn", NULL))
		json_object_object_del(a, "max-pfn");
	if (!json_object_object_get_ex(b, "watermarks", NULL))
		json_object_object_del(a, "watermarks");
	if (!json_object_object_get_ex(b, "pagesets", NULL))
		json_object_object_del(a, "pagesets");
	same = same_json(a, b);
	json_object_put(a);
	json_object_put(b);
	return same;
}

/*
 * An undo's end, from machine.c unsaved() between undo() and its compare:
 * the only place that sees both a failed append's undo (the rewind
 * started in hmfs_state_append(), the undo run by the caller) and
 * rollback()'s (sv->undo() is unsaved() too).
 */
void hmfs_state_undo_end(struct hmfs_ctx *ctx)
{
	kmem_rewind_end(ctx);
}

/*
 * @devs without QEMU's qom-set queued for the guest's driver
 * ("queued-requested-size": dev.c vmem_queue(), journaled without
 * change_lock, and queued again by an undo that rebuilds its device:
 * machine.c device_back()), and with @guest without the devices QEMU alone has
 * (a "guest-probe": not probed by the guest); NULL: no memory
 */
static json_object *devices_compared(json_object *devs, bool guest)
{
	json_object *a = json_object_new_array(), *c;

	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (guest && json_object_object_get(d, "guest-probe"))
			continue;
		c = NULL;
		if (json_object_deep_copy(d, &c, NULL)) {
			json_object_put(a);
			return NULL;
		}
		json_object_object_del(c, "queued-requested-size");
		json_object_array_add(a, c);
	}
	return a;
}

/*
 * "devices" @now as @pre has them: a device_add answered behind a
 * guest's offline as it ended (hmfs_state_append_qemu(), no change_lock)
 * may have listed a device QEMU alone has after @sv was prepared, which
 * no undo takes away and none has to: those are not compared then; nor
 * is a qom-set queued for the guest's driver (devices_compared())
 */
static bool devices_same(struct hmfs_ctx *ctx, const struct hmfs_save *sv, json_object *now,
			 json_object *pre)
{
	json_object *a, *b;
	uint64_t gen;
	bool same;

	pthread_mutex_lock(&ctx->journal_lock);
	gen = ctx->qemu_gen;
	pthread_mutex_unlock(&ctx->journal_lock);
	if (!json_object_is_type(now, json_type_array) || !json_object_is_type(pre, json_type_array))
		return same_json(now, pre);
	a = devices_compared(now, gen != sv->qemu_gen);
	b = devices_compared(pre, gen != sv->qemu_gen);
	same = a && b && same_json(a, b);
	json_object_put(a);
	json_object_put(b);
	return same;
}

/*
 * Two "hugetlb" values alike in each entry's "node", "pages" and
 * "optimized" alone: "pfns", "heads" and an old file's "zones" are left
 * out.  An undo grows the pool back to its count and mix where the
 * watermarks of now let it, the places its own (as before restore42),
 * and its optimisation puts the head vmemmap pages wherever the buddy
 * has room then: neither is an undo that failed (review43 F6)
 */
static bool hugetlb_same(json_object *now, json_object *b)
{
	static const char *const keys[] = { "node", "pages", "optimized" };
	size_t n = json_object_array_length(now);

	if (!json_object_is_type(b, json_type_array) || json_object_array_length(b) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!same_json(json_object_object_get(json_object_array_get_idx(now, i), keys[k]),
				       json_object_object_get(json_object_array_get_idx(b, i), keys[k])))
				return false;
	return true;
}

bool hmfs_state_pre_matches(struct hmfs_ctx *ctx, const struct hmfs_save *sv)
{
	json_object *now;
	bool same = true;

	/* none made (ENOMEM: saved_pre(), part_pre()): the undo had nothing to go back to */
	if (!sv->pre)
		return false;
	hmfs_state_pre_whole(ctx,
			     sv); /* undo() made it whole: a caller without it compares as whole */
	if (sv->one_iattr) {
		now = hmfs_iattr_entry_json(ctx, sv->iattr_ino);
		same = now && same_json(now, json_object_object_get(sv->pre, "iattr"));
		json_object_put(now);
		return same;
	}
	/* the keys the change may touch (change_keys[]), as @pre has them */
	for (int k = 0; same && k < HMFS_STATE_KEYS; k++) {
		json_object *b = NULL;

		if (!(sv->keys & (1u << k)) || !json_object_object_get_ex(sv->pre, machine_keys[k], &b))
			continue;
		now = pre_value(ctx, sv, k);
		/* a firmware map entry's number is the engine's to give again: iattr.c */
		if (k == KEY_IATTRS)
			same = now && hmfs_iattrs_same(now, b);
		else if (k == KEY_PARAMS)
			same = now && params_same(now, b);
		else if (k == KEY_DEVICES)
			same = now && devices_same(ctx, sv, now, b);
		else if (k == KEY_HUGETLB)
			same = now && hugetlb_same(now, b);
		else
			same = now && same_json(now, b);
		json_object_put(now);
	}
	return same;
}

/*
 * The journal's bytes from @from to @to undone: cut off, or, where the
 * cut fails, overwritten with zeros, which a restore stops at (it reads
 * up to the first NUL).  Either way a restore cannot replay them once
 * the journal is synced, and the next record is written at @from over
 * nothing but zeros.  Under journal_lock.
 */
static int journal_cut(struct hmfs_ctx *ctx, size_t from, size_t to)
{
	static const char zeros[4096];
	int terr;

	if (!ftruncate(ctx->journal_fd, (off_t)from)) {
		ctx->journal_size = from;
		return 0;
	}
	terr = errno;
	for (size_t off = from; off < to; off += sizeof(zeros)) {
		size_t n = to - off < sizeof(zeros) ? to - off : sizeof(zeros);
		int ret = write_at(ctx->journal_fd, zeros, n, (off_t)off);

		if (ret)
			return ret;
	}
	/* the cut is done, another way: still, the disk or filesystem said no */
	fprintf(stderr,
		"hotmemfs: %s.journal: truncating it to %zu bytes failed: %s; its %zu bytes from there on overwritten with zeros instead\n",
		ctx->state_path, from, strerror(terr), to - from);
	return 0;
}

static void *syncer(void *arg);

/*
 * --state-sync background: the record is acknowledged as written, and the
 * syncer (started the first time) told.  Without a syncer thread the
 * writers sync as always.  Under journal_lock.
 */
static bool background_sync(struct hmfs_ctx *ctx)
{
	if (!ctx->sync_background || ctx->syncer_failed)
		return false;
	if (!ctx->syncer_started)
		ctx->syncer_started = !pthread_create(&ctx->syncer, NULL, syncer, ctx);
	if (!ctx->syncer_started) {
		/* for good: a syncer started later would find writers waiting too */
		ctx->syncer_failed = true;
		fprintf(stderr, "hotmemfs: no thread for --state-sync background: each change is synced before its reply\n");
		return false;
	}
	pthread_cond_broadcast(&ctx->journal_cond);
	return true;
}

/*
 * The engine's log keeps the kernel's allocations' changes until the
 * records carrying them are durable: a record an fdatasync() lost is
 * undone (rollback()), and its undo rewinds them (kmem_rewind()).  The
 * entries before the oldest record still waiting go, and the copies of
 * the list the marks before it made (hotmem_kmem_log_mark()): a durable
 * record's, or a change's that made none.  Under change_lock.
 */
static void kmem_log_trim(struct hmfs_ctx *ctx)
{
	unsigned long keep = ctx->kmem_sent;

	if (!ctx->kmem_logging)
		return;
	pthread_mutex_lock(&ctx->journal_lock);
	for (const struct hmfs_save *p = ctx->journal_pending; p; p = p->next) {
		if (p->kmem_from < keep)
			keep = p->kmem_from;
		/* its undo rewinds to its mark (not after its record's first entry) */
		if (p->kmem_marked && p->kmem_mark < keep)
			keep = p->kmem_mark;
	}
	pthread_mutex_unlock(&ctx->journal_lock);
	hotmem_kmem_log_drop(ctx->hm, keep);
}

/* append_record_gen(): any side_gen() (a record with no machine-wide "devices" or "params") */
#define QEMU_GEN_ANY UINT64_MAX

/*
 * The record's JSON after its "seq": ,"@key":@val (none without @key)
 * and ,"kmem":@kmem (none without @kmem), then its closing brace, as
 * json-c prints an object of those keys in that order
 * (JSON_C_TO_STRING_PLAIN).  Each printed once: "kmem"'s own length is
 * read off its text, where a record object of them printed "kmem" twice
 * (perf42: 26K of an online's 409K instructions), in *@kmem_len.  @val
 * is printed inside an object of its own, never by itself: json-c keeps
 * an object's own text in it, and @val may be a value other threads
 * read (a saved machine's).  NULL: no memory.
 */
static char *record_tail(const char *key, json_object *val, json_object *kmem, size_t *kmem_len)
{
	json_object *kv = key ? json_object_new_object() : NULL;
	const char *m = kmem ? json_object_to_json_string_ext(kmem, JSON_C_TO_STRING_PLAIN) : "";
	const char *t = "{}";
	char *tail = NULL;
	size_t tl;

	/* a failed add leaves the reference taken ours (json-c): put back (review43 F7) */
	if (kv && json_object_object_add(kv, key, json_object_get(val)))
		json_object_put(val);
	else if (kv)
		t = json_object_to_json_string_ext(kv, JSON_C_TO_STRING_PLAIN);
	*kmem_len = m ? strlen(m) : 0;
	/* {"key":val} less its braces */
	tl = t ? strlen(t) : 0;
	if ((!key || (kv && tl > 2)) && m &&
	    asprintf(&tail, "%s%.*s%s%s}", key ? "," : "", (int)(tl - 2), t + 1,
		     kmem ? ",\"kmem\":" : "", m) < 0)
		tail = NULL;
	json_object_put(kv);
	return tail;
}

/*
 * The journal line "CRC32 JSON\n" of a record whose JSON is
 * {"seq":@seq then @tail (record_tail()), in *@line (*@len bytes)
 */
static int journal_line_of(uint64_t seq, const char *tail, char **line, size_t *len)
{
	char head[32];
	int hl = snprintf(head, sizeof(head), "{\"seq\":%llu", (unsigned long long)seq);
	size_t tl = strlen(tail), jl = (size_t)hl + tl;
	char *l = malloc(jl + 11); /* "%08x " and "\n" */

	if (!l)
		return -ENOMEM;
	memcpy(l + 9, head, (size_t)hl);
	memcpy(l + 9 + hl, tail, tl);
	snprintf(head, sizeof(head), "%08x ", hmfs_crc32(l + 9, jl));
	memcpy(l, head, 9);
	l[9 + jl] = '\n';
	l[10 + jl] = '\0';
	*line = l;
	*len = jl + 10;
	return 0;
}

/*
 * The journal line of the record {"seq" and @tail (record_tail(); freed
 * here) in *@line (*@len bytes) with the next seq,
 * journal_lock held on success.  A record journaled without change_lock
 * meanwhile (hmfs_state_append_qemu(), hmfs_state_set_param()) takes
 * that seq: the line is made again.  With @gen (not QEMU_GEN_ANY:
 * side_gen() before the caller read the machine) such a record, or a
 * lock-free parameter's try, refuses it, -EAGAIN: the caller's "devices"
 * or "params" were read before it, and would take it back again at a
 * replay (append_set()).
 */
static int journal_line_locked(struct hmfs_ctx *ctx, char *tail, uint64_t gen, char **line,
			       size_t *len)
{
	uint64_t seq;
	int ret = -ENOMEM;

	if (!tail)
		return -ENOMEM;
	pthread_mutex_lock(&ctx->journal_lock);
	for (;;) {
		if (gen != QEMU_GEN_ANY && gen != side_gen(ctx)) {
			ret = -EAGAIN;
			break;
		}
		seq = ctx->journal_seq + 1;
		pthread_mutex_unlock(&ctx->journal_lock);
		if (journal_line_of(seq, tail, line, len))
			goto out; /* -ENOMEM, journal_lock not held */
		pthread_mutex_lock(&ctx->journal_lock);
		if (ctx->journal_seq + 1 == seq && (gen == QEMU_GEN_ANY || gen == side_gen(ctx))) {
			ret = 0;
			goto out; /* journal_lock held */
		}
		free(*line);
	}
	pthread_mutex_unlock(&ctx->journal_lock);
out:
	free(tail);
	return ret;
}

/*
 * @line written at journal_len and counted, @sv pending until durable
 * (or acknowledged as written: background_sync()); a failed write cut
 * off again (journal_cut() from where it began); if even that fails,
 * the record may survive: sv->maybe_kept tells the caller.  Under
 * journal_lock.
 */
static int journal_put(struct hmfs_ctx *ctx, struct hmfs_save *sv, const char *line, size_t len,
		       size_t kmem_len)
{
	int ret;

	journal_grow(ctx, len);
	ret = write_at(ctx->journal_fd, line, len, (off_t)ctx->journal_len);
	if (!ret) {
		sv->seq = ++ctx->journal_seq;
		ctx->journal_len += len;
		ctx->journal_kmem_len += kmem_len;
		if (ctx->journal_size < ctx->journal_len)
			ctx->journal_size = ctx->journal_len;
		sv->pending = !background_sync(ctx);
		if (sv->pending) {
			sv->next = ctx->journal_pending;
			ctx->journal_pending = sv;
		}
	} else if (journal_cut(ctx, ctx->journal_len, ctx->journal_len + len)) {
		/*
		 * No fdatasync here: a writeback error of the records a group
		 * commit is syncing right now would be reported to this call
		 * only (once per open file), and the commit would acknowledge
		 * them.  What this write left is cut or zeroed, and a crash
		 * before the next sync leaves at most a torn line, dropped on
		 * replay.
		 */
		sv->maybe_kept = true;
		ctx->journal_kept = true; /* its seq: journal_seq + 1 */
	}
	return ret;
}

static void count_record(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->save_lock);
	ctx->journal_records++;
	pthread_mutex_unlock(&ctx->save_lock);
}

/*
 * One journal line, "CRC32 JSON\n", appended (under change_lock, in
 * the order of the changes); hmfs_state_sync() makes it durable.  @gen:
 * append_set()'s (journal_line_locked()).
 */
static int append_record_gen(struct hmfs_ctx *ctx, struct hmfs_save *sv, const char *key,
			     json_object *val, uint64_t gen)
{
	json_object *kmem;
	unsigned long kmem_end;
	size_t kmem_len, len;
	char *line;
	int ret;

	/* and what the kernel's own allocations did since the last record (@key NULL: that alone) */
	ret = kmem_delta(ctx, &kmem, &kmem_end);
	if (ret || (!key && !kmem))
		return ret;
	ret = journal_line_locked(ctx, record_tail(key, val, kmem, &kmem_len), gen, &line, &len);
	json_object_put(kmem);
	if (ret)
		return ret;
	sv->kmem_from = ctx->kmem_sent;
	ret = journal_put(ctx, sv, line, len, kmem_len);
	pthread_mutex_unlock(&ctx->journal_lock);
	free(line);
	if (!ret) {
		/*
		 * in the journal: the next record goes on past them (a failed
		 * one keeps them); the engine keeps them until their record is
		 * durable, for an undo (kmem_log_trim())
		 */
		if (kmem) {
			if (kmem_end == ULONG_MAX) { /* the log lost, found again */
				hotmem_kmem_log_drop(ctx->hm, ULONG_MAX);
				kmem_end = hotmem_kmem_log_end(ctx->hm); /* not a mark: its copy is the undo's */
			}
			ctx->kmem_sent = kmem_end;
			ctx->kmem_in_base = 0;
			ctx->kmem_whole_next = false;
			kmem_pageblocks_sent(ctx);
		}
		kmem_log_trim(ctx);
		count_record(ctx);
	}
	return ret;
}

static int append_record(struct hmfs_ctx *ctx, struct hmfs_save *sv, const char *key,
			 json_object *val)
{
	return append_record_gen(ctx, sv, key, val, QEMU_GEN_ANY);
}

/*
 * A record journaled without change_lock (@sv: hmfs_state_append_qemu())
 * whose write failed and whose cut failed too (journal_put():
 * sv->maybe_kept), its @kept_len bytes perhaps whole at journal_len with
 * seq journal_seq + 1: a "void" record written over it, with that seq,
 * at least as long (its "pad"), so that a restart replays nothing of the
 * failed one -- which may be left there for as long as a guest's looping
 * offline holds change_lock, which the whole save that supersedes a
 * change's kept record (machine.c unsaved()) needs.  Not a torn tail
 * either: a shorter record would leave the failed one's end after it.
 * @sv pending for it as for a record (hmfs_state_sync() makes it
 * durable; nothing to undo), sv->maybe_kept cleared, ctx->journal_kept as
 * it was before the failed write (@was_kept); its own write failing and
 * cut, the same; failing and kept, both stay set (the caller's way then:
 * machine.c hmfs_kept_record_settle()).
 * Under journal_lock, the failed write's hold of it.
 */
static void void_kept(struct hmfs_ctx *ctx, struct hmfs_save *sv, size_t kept_len, bool was_kept)
{
	static const char fmt[] = "{\"seq\":%llu,\"void\":{\"pad\":\"%*s\"}}";
	unsigned long long seq = (unsigned long long)ctx->journal_seq + 1;
	size_t bare = (size_t)snprintf(NULL, 0, fmt, seq, 0, "") + 10; /* "%08x " and "\n" */
	size_t pad = kept_len > bare ? kept_len - bare : 0, len = bare + pad;
	char *json = malloc(len - 9), *line = malloc(len + 1);

	if (!json || !line || pad > INT_MAX)
		goto out;
	snprintf(json, len - 9, fmt, seq, (int)pad, "");
	snprintf(line, len + 1, "%08x %s\n", hmfs_crc32(json, strlen(json)), json);
	sv->undo = NULL;
	sv->maybe_kept = false;
	/* a failed write of it cut away covers the failed record too: nothing kept either */
	journal_put(ctx, sv, line, len, 0);
	if (!sv->maybe_kept)
		ctx->journal_kept = was_kept;
out:
	free(json);
	free(line);
}

/*
 * QEMU's side of a virtio-mem device, journaled under journal_lock alone
 * (dev.c, dev_lock held: its record comes before any later one about the
 * device): a device_add answered behind a guest's looping offline, which
 * holds change_lock, or what became of its queued probe, or its
 * device_del before a probe -- nothing of the guest's memory, so nothing
 * a change's record or its "kmem" says.  @key: "qemu-device" (@val the
 * device as the state file has it), "qemu-device-del" ({"id"}) or
 * "qemu-requested" ({"id","requested-size"}: a qom-set queued).  No
 * journal to append to (none yet, a sync failing): -EAGAIN, the caller
 * goes the change's way.  hmfs_state_sync() (without dev_lock) makes it
 * durable; a failed sync undoes it with @sv->undo.
 */
int hmfs_state_append_qemu(struct hmfs_ctx *ctx, struct hmfs_save *sv, const char *key,
			   json_object *val)
{
	bool was_kept;
	size_t kmem_len, len; /* record_tail()'s, none here; the line's */
	char *line;
	int ret;

	sv->active = ctx->state_path[0] && !ctx->restoring;
	sv->kmem_from = ULONG_MAX; /* carries none (rollback(), kmem_log_trim()) */
	if (!sv->active)
		return 0;
	ret = journal_line_locked(ctx, record_tail(key, val, NULL, &kmem_len), QEMU_GEN_ANY, &line,
				  &len);
	if (ret)
		return ret;
	ctx->qemu_gen++; /* before the record: a "devices" read before it is not written after */
	was_kept = ctx->journal_kept;
	/* frozen: the file is the way back, never added to */
	ret = ctx->journal_fd < 0 || ctx->journal_failing || !journal_named(ctx) ||
			      __atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE) ? -EAGAIN :
		journal_put(ctx, sv, line, len, 0);
	if (ret && sv->maybe_kept)
		void_kept(ctx, sv, len, was_kept);
	pthread_mutex_unlock(&ctx->journal_lock);
	free(line);
	if (!ret)
		count_record(ctx);
	if (ret != -EAGAIN)
		count_save(ctx, ret);
	return ret;
}

/*
 * The one way a watermark sysctl's write is taken back, whichever way it
 * went (lock-free with a journal, the change's way without one) and
 * whatever failed (its journal write, its sync): the engine's exact
 * snapshot @w from before it stored back, the part write @id sets and
 * no more -- the other part has writers of its own (rerfix31a).  false:
 * no snapshot (no memory when it was to be taken), nothing done.
 */
static bool wmark_back(struct hmfs_ctx *ctx, const struct hm_wmark_state *w,
		       enum hmfs_vm_wmark id)
{
	if (!w)
		return false;
	hotmem_wmark_restore(ctx->hm, w,
			     id == HMFS_VM_LOWMEM_RESERVE_RATIO ? HM_WMARK_RESERVES : HM_WMARK_MARKS);
	return true;
}

/*
 * A lock-free parameter's value as it was before @ps's write, which
 * failed: its journal write (under journal_lock, hmfs_state_set_param())
 * or its record's sync (rollback(), change_lock held, no param record
 * taken meanwhile: param_undo()).  The ratios' reserves are stored back
 * exactly, as any watermark sysctl's write is undone (wmark_back();
 * reread31 R9, rerfix31a): setting the old ratios again would compute
 * them from the managed pages of now.  Any change after it is in the
 * rollback too, undone before it.
 */
static void param_back(struct hmfs_ctx *ctx, struct hmfs_param_save *ps)
{
	if (!ps->wmark || !wmark_back(ctx, ps->wmark, HMFS_VM_LOWMEM_RESERVE_RATIO))
		param_set(ctx, ps->param, &ps->old);
}

static int param_undo(struct hmfs_ctx *ctx, struct hmfs_save *sv, int sret)
{
	(void)sret;
	param_back(ctx, (struct hmfs_param_save *)sv);
	return 0;
}

void hmfs_state_param_done(struct hmfs_param_save *ps)
{
	hotmem_wmark_free(ps->wmark);
	ps->wmark = NULL;
}

/*
 * @ch's "param" record's line, journal_lock held on success.  While a
 * failed sync's records are being undone (rollback() cuts every record
 * after the last durable one, and takes back the values of those it
 * holds: one appended meanwhile would be cut without its value taken
 * back) -EAGAIN, journal_lock let go: the write goes the change's way,
 * ordered after the rollback by change_lock.  Waiting here instead would
 * wait for change_lock (rollback() takes it) uninterruptibly, for as long
 * as a guest's looping offline holds it; the change's way ends EINTR at
 * the writer's signal, as hmfs_state_append_qemu() does.
 */
/*
 * The zones' reserves a write of all the ratios @ratio leaves, from the
 * managed pages of now (hotmem_node_wmarks_reserves_for()), and in
 * *@total the totalreserve_pages its setup sums, the boost of now in it
 * (restart42): NULL, no memory (*@total NULL too)
 */
static json_object *reserves_for_json(struct hmfs_ctx *ctx, const int ratio[HM_MAX_NR_ZONES],
				      json_object **total)
{
	int nr;
	struct hm_node_wmarks *n = node_wmarks_alloc(ctx, &nr);
	json_object *res = NULL;
	unsigned long all;

	*total = NULL;
	if (n) {
		nr = hotmem_node_wmarks_reserves_for(ctx->hm, ratio, n, nr, &all);
		res = zone_wmarks_json(n, nr, true);
		*total = res ? totalreserve_json(all, n, nr) : NULL;
	}
	free(n);
	if (!*total) {
		json_object_put(res);
		res = NULL;
	}
	return res;
}

/*
 * A ratio write's record carries the reserves it sets ("lowmem-reserve")
 * and the totalreserve_pages it sums (*@res a reference of the record's
 * object, for the caller's check): 6.12 sets them up at
 * the write alone, from the managed pages of then, which a restore's end
 * does not have (reread40 R2)
 */
static int param_line_locked(struct hmfs_ctx *ctx, const struct hmfs_lock_free_param *p,
			     const struct hmfs_param_value *v, char **line, size_t *len,
			     json_object **res)
{
	json_object *o = json_object_new_object();
	json_object *val = param_json(p, v), *total = NULL;
	size_t kmem_len; /* record_tail()'s, none here (F8's kind) */
	bool ok;
	int ret;

	*res = param_is_ratio(p) ? reserves_for_json(ctx, v->ratio, &total) : NULL;
	/* json-c asserts on a NULL object: out of memory, nothing written, the value as it was */
	if (!o || !val || (param_is_ratio(p) && !*res)) {
		json_object_put(o);
		json_object_put(val);
		json_object_put(*res);
		json_object_put(total);
		*res = NULL;
		return -ENOMEM;
	}
	/* a key not added (its copy's allocation): the record would lack it (rfix43) */
	ok = hmfs_json_add_new(o, p->key, val);
	if (*res) {
		ok &= hmfs_json_add_new(o, "lowmem-reserve", *res);
		ok &= hmfs_json_add_new(o, "totalreserve-pages", total);
		/* both, for reserves_as_recorded(); a failed add put *@res */
		*res = ok ? json_object_get(o) : NULL;
	}
	if (!ok) {
		json_object_put(o);
		return -ENOMEM;
	}
	ret = journal_line_locked(ctx, record_tail("param", o, NULL, &kmem_len), QEMU_GEN_ANY,
				  line, len);
	json_object_put(o);
	if (!ret && ctx->journal_failing) {
		pthread_mutex_unlock(&ctx->journal_lock);
		free(*line);
		ret = -EAGAIN;
	}
	if (ret) {
		json_object_put(*res);
		*res = NULL;
	}
	return ret;
}

/*
 * param_line_locked() for the value setting @p to @want leaves, in *@v:
 * read again once journal_lock is held, and the line made again if it
 * moved meanwhile.  A "set" journaled before this record read its
 * "params" before its own hold of journal_lock, so the record never
 * carries a count lower than one an earlier record gave: the journal's
 * last word on anon-count is never a number given since (reread30 R1).
 * The ratios are overlaid on those of now in the same hold, which every
 * other lock-free writer of them waits for: two partial writes never
 * take back each other's ratios (reread31 R3).
 */
static int param_record_locked(struct hmfs_ctx *ctx, const struct hmfs_lock_free_param *p,
			       const struct hmfs_param_value *want, struct hmfs_param_value *v,
			       char **line, size_t *len, json_object **res)
{
	for (;;) {
		struct hmfs_param_value again;
		int ret;

		*v = param_leaves(ctx, p, want);
		ret = param_line_locked(ctx, p, v, line, len, res);
		if (ret)
			return ret;
		again = param_leaves(ctx, p, want);
		if (param_same(&again, v))
			return 0;
		pthread_mutex_unlock(&ctx->journal_lock);
		free(*line);
		json_object_put(*res);
	}
}

/* totalreserve_pages as it stands, as totalreserve_json() has it: NULL, no memory */
static json_object *totalreserve_now_json(struct hmfs_ctx *ctx)
{
	struct hmfs_pre_nodes *c = nodes_capture(ctx);
	json_object *total = c ? totalreserve_json(c->total, c->n, c->nr) : NULL;

	free(c);
	return total;
}

/*
 * The zones' reserves and totalreserve_pages as @rec, a ratio write's
 * record carries them (param_line_locked()): false when they moved
 * between the record's reading and the write's setup, the record then
 * made again -- a managed count (virtio-mem's work, under change_lock
 * alone) moves the reserves, a boost or another writer's marks only
 * the totals, which the setup sums with them: an unmovable steal on a
 * node kswapd gave up on, a min_free_kbytes write (review43 F1: the
 * record's sum without the boost, a restart kept it).  No record's
 * (@rec NULL), or no memory to read them: true.
 */
static bool reserves_as_recorded(struct hmfs_ctx *ctx, json_object *rec)
{
	json_object *res = json_object_object_get(rec, "lowmem-reserve");
	json_object *now = res ? zone_reserves_now_json(ctx) : NULL;
	json_object *total = now ? totalreserve_now_json(ctx) : NULL;
	bool same = !now || !total ||
		    (same_json(now, res) &&
		     same_json(total, json_object_object_get(rec, "totalreserve-pages")));

	json_object_put(now);
	json_object_put(total);
	return same;
}

/*
 * A lock-free parameter (lock_free_params[]) set to @ch's value and
 * journaled under journal_lock alone, as the kernel's writer takes none
 * of the locks a guest's looping offline holds: no change_lock.  The
 * value moves and its record is written in one hold of journal_lock,
 * param_gen counted first, so that a "set" of "params" or a compaction's
 * machine read meanwhile is read again (side_gen()): none written after
 * the record carries the value before it, none carries a value whose
 * record then failed.  A failed write sets the value back before
 * journal_lock is let go; a failed sync, by rollback() (param_undo()).
 * No "kmem": the kernel's allocations move under change_lock alone.
 */
int hmfs_state_set_param(struct hmfs_ctx *ctx, struct hmfs_param_save *ps,
			 const struct hmfs_change *ch)
{
	const struct hmfs_lock_free_param *p = lock_free_param(ch);
	struct hmfs_param_value want, v;
	json_object *res;
	size_t len;
	char *line;
	int ret;

	*ps = (struct hmfs_param_save){ .param = p };
	ps->sv.active = ctx->state_path[0] && !ctx->restoring;
	ps->sv.kmem_from = ULONG_MAX; /* carries none (rollback(), kmem_log_trim()) */
	ps->sv.undo = param_undo;
	if (!p)
		return -EINVAL;
	want = param_of_change(p, ch);
	if (!ps->sv.active) {
		param_set(ctx, p, &want);
		return 0;
	}
again:
	ret = param_record_locked(ctx, p, &want, &v, &line, &len, &res);
	if (ret)
		return ret;
	/* frozen: the file is the way back, never added to */
	if (__atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE)) {
		ret = -EROFS;
	} else if (ctx->journal_fd < 0 || !journal_named(ctx)) { /* has_journal()'s way */
		ret = -EAGAIN;
	} else {
		ctx->param_gen++;
		ps->old = param_get(ctx, p);
		/* NULL (no memory): rollback() sets the old ratios again */
		if (param_is_ratio(p))
			ps->wmark = hotmem_wmark_save(ctx->hm);
		param_set(ctx, p, &v);
		if (!reserves_as_recorded(ctx, res)) {
			/* taken back before anyone saw it acknowledged: the record read again */
			param_back(ctx, ps);
			hmfs_state_param_done(ps);
			pthread_mutex_unlock(&ctx->journal_lock);
			free(line);
			json_object_put(res);
			goto again;
		}
		ret = journal_put(ctx, &ps->sv, line, len, 0);
		if (ret)
			param_back(ctx, ps);
	}
	pthread_mutex_unlock(&ctx->journal_lock);
	free(line);
	json_object_put(res);
	if (ret == -EAGAIN || ret == -EROFS) /* nothing tried */
		return ret;
	count_save(ctx, ret);
	if (!ret)
		count_record(ctx);
	else
		fprintf(stderr, "hotmemfs: saving state to %s.journal: %s\n", ctx->state_path,
			strerror(-ret));
	return ret;
}

static void restore_watermark_sysctls(struct hmfs_ctx *ctx, json_object *p);

/* @restore of @params: the lock-free ones as they are, unless @ch set one */
static void undo_params_with(struct hmfs_ctx *ctx, const struct hmfs_change *ch,
			     json_object *params,
			     void (*restore)(struct hmfs_ctx *ctx, json_object *p))
{
	json_object *p;

	if (hmfs_state_lock_free(ch)) {
		restore(ctx, params);
		return;
	}
	p = params_locked(params);
	if (p)
		restore(ctx, p);
	json_object_put(p);
}

void hmfs_state_undo_params(struct hmfs_ctx *ctx, const struct hmfs_change *ch,
			    json_object *params)
{
	undo_params_with(ctx, ch, params, hmfs_state_restore_params);
}

/*
 * The watermark sysctls as @sv's @pre has them.  A change is undone from
 * the engine's exact snapshot (sv->wmark, hmfs_state_prepare()), a
 * watermark sysctl's write the part it sets: setting its old value again
 * would compute every zone's watermarks or reserves from the managed
 * pages of now (reread31 R9), as an undo's online or offline does
 * (reread40 R3); the snapshot not taken (no memory), it is that.
 */
void hmfs_state_undo_wmark(struct hmfs_ctx *ctx, const struct hmfs_change *ch,
			   const struct hmfs_save *sv)
{
	if (ch->op == HMFS_CH_VM_WMARK && sv->wmark &&
	    wmark_back(ctx, sv->wmark, (enum hmfs_vm_wmark)ch->id))
		return;
	/*
	 * any other change's: the marks, the sysctls that set them and the
	 * reserves as before it, whatever its undo's onlines and offlines
	 * set up (the reserves but after a lock-free ratio write meanwhile,
	 * whose own they are)
	 */
	if (ch->op != HMFS_CH_VM_WMARK && sv->wmark) {
		hotmem_wmark_restore(ctx->hm, sv->wmark, HM_WMARK_MARKS | HM_WMARK_ZONE_RESERVES);
		return;
	}
	undo_params_with(ctx, ch, json_object_object_get(sv->pre, "params"),
			 restore_watermark_sysctls);
}

/*
 * Frozen: the machine differs from the state file for good (an undo was
 * refused, or the file could not be written after one): hotmemfs takes
 * no more changes (EROFS, hmfs_change()), and the log and hotmemctl say
 * why, "hotmemfs takes no more changes: ", @fmt's text and @then, what
 * to do.  Allocated: a state file's path may be PATH_MAX long, and a
 * buffer cut at its end cut what to do (finalD 3).  The first reason
 * stays.  Under change_lock.
 */
static void freeze(struct hmfs_ctx *ctx, const char *then, const char *fmt, va_list ap)
{
	static const char head[] = "hotmemfs takes no more changes: ";
	char *why = NULL;

	if (ctx->frozen)
		return;
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	if (!why || asprintf(&ctx->frozen_why, "%s%s%s", head, why, then) < 0)
		ctx->frozen_why = NULL; /* hmfs_state_frozen_why() says memory ran out */
	ctx->frozen_then = ctx->frozen_why ? strlen(ctx->frozen_why) - strlen(then) : 0;
	free(why);
	/*
	 * last, and atomic: QMP's device_del reads it without change_lock
	 * (ctl.c dimm_unplug_request(), which must not wait for a running
	 * eject), and then reads the reason written above
	 */
	__atomic_store_n(&ctx->frozen, true, __ATOMIC_RELEASE);
	fprintf(stderr, "hotmemfs: %s\n", hmfs_state_frozen_why(ctx));
}

void hmfs_state_freeze(struct hmfs_ctx *ctx, const char *then, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	freeze(ctx, then, fmt, ap);
	va_end(ap);
}

const char *hmfs_state_frozen_why(const struct hmfs_ctx *ctx)
{
	return ctx->frozen_why ? ctx->frozen_why :
				 "hotmemfs takes no more changes (out of memory saying why): "
				 "the machine differs from the state file: restart hotmemfs";
}

/*
 * A reply holds ERRLEN (ctl.c): a reason with a long path may not fit,
 * and then it is the reason that is cut (" ..." says where), never what
 * to do after it
 */
void hmfs_state_frozen_say(const struct hmfs_ctx *ctx, char *buf, size_t len)
{
	static const char cut[] = " ...";
	const char *why = hmfs_state_frozen_why(ctx);
	size_t n = strlen(why), then = ctx->frozen_why ? ctx->frozen_then : n;

	if (!len)
		return;
	if (n < len || n - then + sizeof(cut) > len)
		snprintf(buf, len, "%s", why);
	else
		snprintf(buf, len, "%.*s%s%s", (int)(len - (n - then) - sizeof(cut)), why, cut,
			 why + then);
}

/*
 * How a failed save ends (rollback(), background_failed(), machine.c's
 * unsaved()): the machine written whole into the state file, which then
 * supersedes every record of the journal, undone or acknowledged; when
 * that fails too, frozen, saying "@fmt's text (the write's errno)@then".
 * Not counted in state-saves: hmfs_state_write_or_freeze() is.  Under
 * change_lock.
 */
static int write_or_freezev(struct hmfs_ctx *ctx, const char *then, const char *fmt, va_list ap)
{
	int ret = compact(ctx, NULL);
	char *why = NULL;

	if (!ret)
		return 0;
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	hmfs_state_freeze(ctx, then, "%s (%s)", why ? why : "writing the state file whole",
			  strerror(-ret));
	free(why);
	return ret;
}

static int __attribute__((format(printf, 3, 4)))
write_or_freeze(struct hmfs_ctx *ctx, const char *then, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = write_or_freezev(ctx, then, fmt, ap);
	va_end(ap);
	return ret;
}

int hmfs_state_write_or_freeze(struct hmfs_ctx *ctx, const char *then, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = write_or_freezev(ctx, then, fmt, ap);
	va_end(ap);
	count_save(ctx, ret);
	return ret;
}

/*
 * An fdatasync failed: what it should have written may be lost (and a
 * later fdatasync would not say so again), so no record after the last
 * durable one counts.  Their records are cut from the journal, and the
 * cut synced before anything is undone: a crash after the undo must not
 * bring them back.  Their changes are undone newest first, then the
 * machine as it is now goes whole into the state file.  That file takes
 * the seq of the last record ever appended (or of a failed one that may
 * be kept: take_snapshot()), not the last durable one: a
 * restore skips every journal record up to the file's seq, so an undone
 * record that a failed cut left behind is never replayed once the file
 * is written (and records go on after that seq).  New changes wait on
 * change_lock meanwhile.  When an undo or that save fails, hotmemfs is
 * frozen (the undo says why).
 */
static void rollback(struct hmfs_ctx *ctx, int sret)
{
	struct hmfs_save *list, *sv;
	unsigned long kmem_from = ULONG_MAX;
	size_t undone_end;
	int cut;

	pthread_mutex_lock(&ctx->change_lock);
	/* a background compaction under way settles first: it may make records durable */
	pthread_mutex_lock(&ctx->compact_lock);
	pthread_mutex_lock(&ctx->journal_lock);
	list = ctx->journal_pending;
	ctx->journal_pending = NULL;
	undone_end = ctx->journal_len;
	ctx->journal_len = ctx->journal_durable_len;
	ctx->journal_kmem_len = ctx->journal_durable_kmem_len; /* the cut records' too (F2) */
	/* fsync(), not fdatasync(): the cut is the file's size */
	cut = journal_cut(ctx, ctx->journal_len, undone_end);
	if (!cut && fsync(ctx->journal_fd))
		cut = -errno;
	if (cut)
		fprintf(stderr,
			"hotmemfs: %s.journal: cutting the records not saved: %s (the state file written whole after the undo supersedes them)\n",
			ctx->state_path, strerror(-cut));
	pthread_mutex_unlock(&ctx->journal_lock);
	pthread_mutex_unlock(&ctx->compact_lock);
	fprintf(stderr, "hotmemfs: saving state to %s.journal: %s; undoing the changes not yet saved\n",
		ctx->state_path, strerror(-sret));
	for (sv = list; sv; sv = sv->next) {
		sv->ret = sret;
		if (sv->undo && !ctx->frozen) {
			kmem_rewind(ctx, sv);
			sv->undo(ctx, sv, sret);
			kmem_rewind_end(ctx);
		}
		recount_undone(ctx);
		/* the oldest's with any (a QEMU-side record carries none: ULONG_MAX) */
		if (sv->kmem_from < kmem_from)
			kmem_from = sv->kmem_from;
	}
	/* the records cut: the next one carries what they did and no undo took back */
	if (ctx->kmem_sent > kmem_from)
		ctx->kmem_sent = kmem_from;
	kmem_pageblocks_forget(ctx);
	/*
	 * Frozen by an undo that failed: the machine differs from the file for
	 * good, and the file, its journal cut back to the last durable record,
	 * is the way back: never written over.  With the cut lost, the file
	 * is still written whole: it is what supersedes the undone records.
	 */
	if (!ctx->frozen || cut)
		/* not counted: recount_undone() made the records save errors */
		write_or_freeze(
			ctx,
			/* with the cut lost too, nothing says the undone records are undone */
			cut ? " and cutting the undone changes from its journal: a restart may bring them back; repair the disk, restart hotmemfs and check the machine" :
			      ": restart hotmemfs to go back to the file's machine",
			"saving the state file %s failed (%s), and so did writing it whole after the undo",
			ctx->state_path, strerror(-sret));
	pthread_mutex_lock(&ctx->journal_lock);
	for (sv = list; sv; sv = sv->next) {
		sv->pending = false;
		sv->done = true;
	}
	ctx->journal_failing = false;
	pthread_cond_broadcast(&ctx->journal_cond);
	pthread_mutex_unlock(&ctx->journal_lock);
	pthread_mutex_unlock(&ctx->change_lock);
}

/*
 * One fdatasync for every record appended so far (and the directory's
 * fsync when a new journal's name is not yet durable).  Under
 * journal_lock, dropped meanwhile; no other sync running, none failing.
 * A failure sets journal_failing: the caller deals with the records.
 */
static int group_commit(struct hmfs_ctx *ctx)
{
	uint64_t seq = ctx->journal_seq;
	size_t len = ctx->journal_len, kmem_len = ctx->journal_kmem_len;
	bool dir = ctx->journal_dir_dirty;
	int fd = ctx->journal_fd; /* rotate_journal() waits for us */
	int ret;

	ctx->journal_syncing = true;
	pthread_mutex_unlock(&ctx->journal_lock);
	ret = fdatasync(fd) ? -errno : 0;
	if (!ret && dir && fsync(ctx->state_dirfd))
		ret = -errno;
	/* synced, yet where no restart looks: not saved (the records undone, rollback()) */
	if (!ret && !journal_named(ctx))
		ret = -ENOENT;
	pthread_mutex_lock(&ctx->save_lock);
	ctx->journal_syncs++;
	pthread_mutex_unlock(&ctx->save_lock);
	pthread_mutex_lock(&ctx->journal_lock);
	ctx->journal_syncing = false;
	pthread_cond_broadcast(&ctx->journal_cond);
	if (ret) {
		ctx->journal_failing = true;
		return ret;
	}
	if (dir)
		ctx->journal_dir_dirty = false;
	complete(ctx, seq, len, kmem_len);
	return 0;
}

/*
 * Group commit: the first waiter finding no fdatasync running starts one
 * for every record appended so far; those who come meanwhile wait for
 * it, and the first of them to wake starts the next for all that
 * arrived.  One fdatasync per group, however many writers.  With
 * --state-sync background no record waits here (append_record()).
 */
int hmfs_state_sync(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	int ret;

	if (!sv->active)
		return 0;
	pthread_mutex_lock(&ctx->journal_lock);
	while (sv->pending) {
		if (ctx->journal_syncing || ctx->journal_failing) {
			pthread_cond_wait(&ctx->journal_cond, &ctx->journal_lock);
			continue;
		}
		ret = group_commit(ctx);
		if (!ret)
			continue;
		pthread_mutex_unlock(&ctx->journal_lock);
		rollback(ctx, ret);
		pthread_mutex_lock(&ctx->journal_lock);
	}
	pthread_mutex_unlock(&ctx->journal_lock);
	return sv->ret;
}

/*
 * --state-sync background: an fdatasync failed under records whose
 * changes were acknowledged already, so they cannot be undone as
 * rollback() does, and a later fdatasync would not say that their pages
 * were lost.  The machine goes whole into the state file instead
 * (written, fsync()ed, renamed: it holds every acknowledged change, and
 * a restore skips the journal's records up to its seq).  When that fails
 * too, hotmemfs takes no more changes: nothing more gets acknowledged
 * that a host crash could lose, and the syncer stops (journal_failing
 * stays set).
 */
static void background_failed(struct hmfs_ctx *ctx, int sret)
{
	int ret;

	pthread_mutex_lock(&ctx->change_lock);
	if (ctx->frozen) {
		/* frozen already (an undo failed): the file is the way back, never written over */
		fprintf(stderr, "hotmemfs: syncing %s.journal: %s; hotmemfs is frozen, so the changes acknowledged since its last sync survive a restart of hotmemfs, not a crash of the host\n",
			ctx->state_path, strerror(-sret));
		ret = -EROFS;
		goto out;
	}
	fprintf(stderr, "hotmemfs: syncing %s.journal: %s; writing the state file whole instead\n",
		ctx->state_path, strerror(-sret));
	ret = hmfs_state_write_or_freeze(
		ctx,
		": the changes acknowledged since its last sync survive a restart of hotmemfs, not a crash of the host; repair the disk and restart hotmemfs",
		"syncing the state file's journal %s.journal failed (%s), and so did writing the state file whole",
		ctx->state_path, strerror(-sret));
	if (!ret)
		fprintf(stderr, "hotmemfs: %s holds every change acknowledged: nothing lost\n",
			ctx->state_path);
out:
	pthread_mutex_lock(&ctx->journal_lock);
	ctx->journal_failing = ret != 0;
	pthread_cond_broadcast(&ctx->journal_cond);
	pthread_mutex_unlock(&ctx->journal_lock);
	pthread_mutex_unlock(&ctx->change_lock);
}

/* records appended and not yet durable, and nobody syncing them; under journal_lock */
static bool sync_due(const struct hmfs_ctx *ctx)
{
	return ctx->journal_seq > ctx->journal_durable && !ctx->journal_syncing &&
	       !ctx->journal_failing;
}

/*
 * --state-sync background: makes the records durable behind the writers,
 * each fdatasync for all records appended while the one before ran (a
 * group commit nobody waits for).  At stop, the records still due are
 * synced first.
 */
static void *syncer(void *arg)
{
	struct hmfs_ctx *ctx = arg;

	pthread_mutex_lock(&ctx->journal_lock);
	for (;;) {
		while (!sync_due(ctx) && !ctx->syncer_stop)
			pthread_cond_wait(&ctx->journal_cond, &ctx->journal_lock);
		if (!sync_due(ctx))
			break;
		int ret = group_commit(ctx);

		if (ret) {
			pthread_mutex_unlock(&ctx->journal_lock);
			background_failed(ctx, ret);
			pthread_mutex_lock(&ctx->journal_lock);
		}
	}
	pthread_mutex_unlock(&ctx->journal_lock);
	return NULL;
}

void hmfs_state_stop_threads(struct hmfs_ctx *ctx)
{
	stop_thread(ctx, ctx->syncer, &ctx->syncer_started, &ctx->syncer_stop, &ctx->journal_cond);
	/* after the syncer, whose failure may compact; its snapshot reads devices and engine */
	stop_compactor(ctx);
}

/*
 * Blocks came or went, or changed state, by a "run" or "device" record:
 * saved's "blocks" (and "devices") are not the journal's any more, nor,
 * after a "device" record, its "iattrs": which nodes have a path follows
 * the blocks that come and go (a removed block's, its nodes').  Always:
 * what the table holds when the record is appended cannot say what saved
 * holds (a removal's entries may be forgotten already, nr_iattr 0, while
 * saved, written by an earlier "set", still has them; review5 #0), and a
 * refresh of an empty table costs nothing.  A block's state changes no
 * path (a node's hugepages/ is there while the node is: register_node()
 * -> hugetlb_register_node(), 6.12 and 6.18).  A stale key is computed
 * again when saved is next needed whole (refresh_stale()): an undo's @pre
 * compared with a stale "iattrs" froze hotmemfs.
 */
static void blocks_stale(struct hmfs_ctx *ctx, unsigned keys)
{
	if (keys & 1u << KEY_DEVICES)
		keys |= 1u << KEY_IATTRS;
	ctx->saved_stale |= keys;
}

static int append_set(struct hmfs_ctx *ctx, struct hmfs_save *sv);

/* key @key of @now as @sv's pre has it */
static bool key_as_before(json_object *now, const struct hmfs_save *sv, const char *key)
{
	return same_json(json_object_object_get(now, key), json_object_object_get(sv->pre, key));
}

/*
 * The HugeTLB pool as @sv's pre has it (a one-block change): both
 * hugetlb_json()'s (part_pre()), keys in one order, ints of one type
 * each, compared as values, not printed (perf42, as params_as_before())
 */
static bool pool_as_before(struct hmfs_ctx *ctx, const struct hmfs_save *sv)
{
	json_object *now = hugetlb_json(ctx);
	bool same = json_object_equal(now, json_object_object_get(sv->pre, "hugetlb"));

	json_object_put(now);
	return same;
}

/*
 * The parameters a block's online or offline moves: reserve_mem_notifier()'s
 * at MEM_ONLINE or MEM_OFFLINE (6.12 mm/mmap.c), min_free_kbytes and
 * the zones' marks and reserves (init_per_zone_wmark_min(): the first
 * unless the operator's is larger): most onlines compute them again, so
 * a one-block record carries them ("param" beside its "run") rather
 * than become a "set" of the whole machine.  "boot-watermarks": a file's
 * from before the marks were kept, read in its records still.
 */
static const char *const notifier_params[] = { "user-reserve-kbytes", "admin-reserve-kbytes",
					       "min-free-kbytes", "watermarks",
					       "lowmem-reserve", "boot-watermarks",
					       "pagesets", "totalreserve-pages" };

/* @key is one of notifier_params[] */
static bool notifier_param(const char *key)
{
	for (size_t i = 0; i < sizeof(notifier_params) / sizeof(notifier_params[0]); i++)
		if (!strcmp(key, notifier_params[i]))
			return true;
	return false;
}

/*
 * The "param" of a "run-param" record: notifier_params[] of @now (those
 * notifier_param_if_moved() only when they are not @pre's), in that
 * order, as params_json() renders them; NULL, no memory
 */
static json_object *notifier_moved_json(const struct hmfs_pre_nodes *now,
					const struct hmfs_pre_nodes *pre)
{
	json_object *m = json_object_new_object();
	bool ok;

	if (!m)
		return NULL;
	json_object_object_add(m, "user-reserve-kbytes",
			       json_object_new_uint64(now->p.user_reserve_kbytes));
	json_object_object_add(m, "admin-reserve-kbytes",
			       json_object_new_uint64(now->p.admin_reserve_kbytes));
	json_object_object_add(m, "min-free-kbytes",
			       json_object_new_uint64(now->p.min_free_kbytes));
	ok = params_add_nodes(m, now);
	/*
	 * "boot-watermarks": a file's only.  The derived two only when they
	 * moved: a node's worth each zone, which a one-block record need
	 * not repeat (restart42: a replay keeps the value before for one
	 * left out)
	 */
	if (nodes_pagesets_same(now, pre))
		json_object_object_del(m, "pagesets");
	if (nodes_total_same(now, pre))
		json_object_object_del(m, "totalreserve-pages");
	if (!ok) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

/*
 * The params as @sv's pre has them (a one-block change: an online may
 * raise policy_zone), reserve_mem_notifier()'s aside: true when only
 * those moved, with @moved (NULL: not changed) their values now.  Both
 * kept as C values (pre_capture()), compared field by field and
 * rendered only when moved: json-c prints each number with snprintf(),
 * and the marks and reserves are 40 a node (state41: 139K of an
 * online's 618K instructions were same_json()'s; perf42, params42: the
 * nodes' values as JSON; params43: the rest of "params" built twice)
 */
static bool params_as_before(struct hmfs_ctx *ctx, const struct hmfs_save *sv,
			     json_object **moved)
{
	struct hmfs_pre_nodes *c = pre_capture(ctx);
	const struct hmfs_pre_nodes *pre = sv->pre_nodes;
	bool same = c && pre && params_c_same_but_notifier(&c->p, &pre->p);

	*moved = NULL;
	if (same && !(params_c_notifier_same(&c->p, &pre->p) && nodes_same(c, pre))) {
		*moved = notifier_moved_json(c, pre);
		same = *moved != NULL; /* no memory: a "set" of the whole machine */
	}
	free(c);
	return same;
}

/* a one-block change: its run, or nothing when the block is as it was */
/*
 * The "run-param" record: @run with the reserves reserve_mem_notifier()
 * set (@moved, taken), as a "param" has them.  Written only if no
 * lock-free parameter moved since @side (side_gen()) -- an operator's
 * vm.user_reserve_kbytes write acknowledged after @moved was read and
 * journaled before this record would be undone by its replay (reread30
 * R10, R1's race): -EAGAIN then, read them again.
 */
static int append_run_param(struct hmfs_ctx *ctx, struct hmfs_save *sv, json_object *run,
			    json_object *moved, uint64_t side)
{
	json_object *rec = json_object_new_object();
	int ret;

	if (!rec) {
		json_object_put(moved);
		return -ENOMEM;
	}
	json_object_object_add(rec, "run", json_object_get(run));
	json_object_object_add(rec, "param", moved);
	ret = append_record_gen(ctx, sv, "run-param", rec, side);
	json_object_put(rec);
	if (!ret)
		blocks_stale(ctx, 1u << KEY_BLOCKS | 1u << KEY_PARAMS);
	return ret;
}

static int append_run(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	json_object *run = hmfs_block_run_json(ctx, sv->block), *moved;
	uint64_t side;
	int ret = 0;

	if (!run)
		return -ENOENT; /* cannot be: the change holds the block */
	for (;;) {
		(void)qemu_gen_fold(ctx, &side); /* before the params are read */
		if (!pool_as_before(ctx, sv) || !params_as_before(ctx, sv, &moved)) {
			json_object_put(run);
			return append_set(ctx, sv); /* an offline dissolved huge pages, or policy_zone rose */
		}
		if (!moved)
			break;
		ret = append_run_param(ctx, sv, run, moved, side);
		if (ret != -EAGAIN) {
			json_object_put(run);
			return ret;
		}
	}
	/* both hmfs_block_run_json()'s: compared as values, as pool_as_before() */
	if (!json_object_equal(run, pre_run(sv))) {
		ret = append_record(ctx, sv, "run", run);
		if (!ret)
			blocks_stale(ctx, 1u << KEY_BLOCKS);
	}
	json_object_put(run);
	return ret;
}

/* a change of one node's kept values: its entry ("iattr"), or nothing when it is as it was */
static int append_iattr(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	json_object *now = hmfs_iattr_entry_json(ctx, sv->iattr_ino);
	int ret = 0;

	if (!now)
		return append_set(ctx, sv); /* cannot be: the change holds the node */
	if (!same_json(now, json_object_object_get(sv->pre, "iattr"))) {
		ret = append_record(ctx, sv, "iattr", now);
		if (!ret)
			ctx->saved_stale |= 1u << KEY_IATTRS;
	}
	json_object_put(now);
	return ret;
}

/*
 * any other change: the keys of the machine whose text differs from
 * saved's; -EAGAIN when a QEMU-side record came after its "devices" were
 * read (append_set())
 */
static int append_set_once(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	uint64_t side, gen = qemu_gen_fold(ctx, &side);
	json_object *m = state_machine_no_kmem(ctx), *set;
	char *text[HMFS_STATE_KEYS] = { NULL };
	int ret = 0;

	if (!m)
		return -ENOMEM;
	/* no memory for the record: nothing written, the change undone (json43) */
	set = json_object_new_object();
	if (!set) {
		json_object_put(m);
		return -ENOMEM;
	}

	for (int k = 0; k < HMFS_STATE_KEYS && !ret; k++) {
		/* after one-block or device records, saved's value is not the journal's */
		bool stale = ctx->saved_stale & (1u << k);
		const char *old;

		/* every record carries the kernel's allocations' changes (append_record()) */
		if (k == KEY_KMEM)
			continue;
		old = stale ? NULL : saved_text(ctx, k);
		text[k] = value_text(m, k);
		/*
		 * a key json-c could not copy: the record without it, the change
		 * acknowledged and lost at the restart (nomem44)
		 */
		if ((!text[k] || !old || strcmp(text[k], old)) &&
		    !hmfs_json_add_new(set, machine_keys[k],
				       json_object_get(json_object_object_get(m, machine_keys[k]))))
			ret = -ENOMEM;
	}
	/* nothing changed (a write of what already was): the file holds it */
	if (!ret && json_object_object_length(set))
		ret = append_record_gen(ctx, sv, "set", set, side);
	json_object_put(set);
	if (ret) {
		for (int k = 0; k < HMFS_STATE_KEYS; k++)
			free(text[k]);
		json_object_put(m);
		return ret;
	}
	keep_saved(ctx, m, text, gen);
	return 0;
}

/*
 * A "set" has the machine's whole "devices" when they changed: read
 * before a QEMU-side record (a device_add answered behind a guest's
 * offline, hmfs_state_append_qemu()) and written after it, a replay
 * would take that device out again.  Read again then (rare: such a
 * record comes only while an offline loops, this change at its end).
 */
static int append_set(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	int ret;

	while ((ret = append_set_once(ctx, sv)) == -EAGAIN)
		;
	return ret;
}

/*
 * "params" of @now (part_pre()) as @sv's pre has them but "max-pfn",
 * which the driver's plug past the end raises: @max_pfn its value then
 * (@now's; NULL: not raised), which the "device" record carries rather
 * than make each plug of a growing device a "set" of the whole machine
 */
static bool params_but_max_pfn(json_object *now, const struct hmfs_save *sv,
			       json_object **max_pfn)
{
	json_object *p = json_object_object_get(now, "params");
	json_object *pre = json_object_object_get(sv->pre, "params"), *a = NULL, *b = NULL;
	bool same = false;

	*max_pfn = NULL;
	if (json_object_deep_copy(p, &a, NULL) || json_object_deep_copy(pre, &b, NULL))
		goto out;
	json_object_object_del(a, "max-pfn");
	json_object_object_del(b, "max-pfn");
	same = same_json(a, b);
	if (same && !same_json(json_object_object_get(p, "max-pfn"),
			       json_object_object_get(pre, "max-pfn")))
		*max_pfn = json_object_object_get(p, "max-pfn");
out:
	json_object_put(a);
	json_object_put(b);
	return same;
}

/*
 * A change within virtio-mem devices: those devices and their blocks'
 * runs, as a "device" record (a restore puts the devices in place of
 * those with their ids, cuts @ranges out of the saved runs and puts
 * these in), with the memmaps from system RAM of its ranges' sections
 * ("memmap", as a DIMM's add has them in its "set": cut out of the
 * saved ones and put in the same way); saved's "devices", "blocks" and
 * "memmap" are stale after it, as its "blocks" after a "run".  A record
 * has no "iattrs": when what those
 * blocks and their nodes keep changed too (the driver unplugged a
 * chmodded block, whose next incarnation keeps nothing), the change is a
 * "set" of every key that differs, "iattrs" with them -- else a restart
 * put the chmod back on the block plugged again after it.
 */
static int append_device(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	/* every key the change may touch, "hugetlb" with them (change_keys[]): each made once */
	json_object *now = part_pre(ctx, sv), *rec, *devs, *memmap, *max_pfn;
	int ret = 0;

	/* runs short of memory (ranges_runs()): no record, never "blocks" null or short */
	if (!json_object_object_get(now, "blocks")) {
		json_object_put(now);
		return -ENOMEM;
	}
	/* and "params": an online the driver's work did may raise policy_zone */
	if (!key_as_before(now, sv, "iattrs") || !key_as_before(now, sv, "hugetlb") ||
	    !params_but_max_pfn(now, sv, &max_pfn)) {
		json_object_put(now);
		return append_set(ctx, sv);
	}
	devs = json_object_object_get(now, "devices");
	if (key_as_before(now, sv, "devices") && key_as_before(now, sv, "blocks") && !max_pfn)
		goto out; /* nothing changed: the file holds it */
	memmap = memmap_ranges_json(ctx, sv->ranges);
	if (!memmap) {
		ret = -ENOMEM;
		goto out;
	}
	rec = json_object_new_object();
	json_object_object_add(rec, "ranges", json_object_get(sv->ranges));
	json_object_object_add(rec, "devices", json_object_get(devs));
	json_object_object_add(rec, "blocks", json_object_get(json_object_object_get(now, "blocks")));
	/* where the memmaps of its blocks from system RAM are, as a "set" of "memmap" says */
	json_object_object_add(rec, "memmap", memmap);
	if (max_pfn)
		json_object_object_add(rec, "max-pfn", json_object_get(max_pfn));
	ret = append_record(ctx, sv, "device", rec);
	json_object_put(rec);
	if (!ret)
		blocks_stale(ctx, 1u << KEY_DEVICES | 1u << KEY_BLOCKS | 1u << KEY_MEMMAP |
					  (max_pfn ? 1u << KEY_PARAMS : 0));
out:
	json_object_put(now);
	return ret;
}

/*
 * journal_fd changes under journal_lock (rotate_journal()).  One without
 * a name counts as none: the change goes whole into the state file at
 * its path (compact(), which makes the journal again), or is refused
 * with that save's errno when the directory is gone.
 */
static bool has_journal(struct hmfs_ctx *ctx)
{
	bool has;

	pthread_mutex_lock(&ctx->journal_lock);
	has = ctx->journal_fd >= 0 && journal_named(ctx);
	pthread_mutex_unlock(&ctx->journal_lock);
	return has;
}

int hmfs_state_append(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	int ret;

	if (!sv->active)
		return 0;
	if (!has_journal(ctx) || !ctx->saved) {
		/* failed after the rename: the file may hold the change (unsaved() saves its undo) */
		ret = compact(ctx, &sv->maybe_kept);
		count_save(ctx, ret);
		if (ret && sv->undo)
			kmem_rewind(ctx, sv); /* as below */
		return ret;
	}
	ret = sv->one_block ? append_run(ctx, sv) :
	      sv->one_iattr ? append_iattr(ctx, sv) :
	      sv->ranges   ? append_device(ctx, sv) :
			     append_set(ctx, sv);
	count_save(ctx, ret);
	if (ret) {
		fprintf(stderr, "hotmemfs: saving state to %s.journal: %s\n", ctx->state_path,
			strerror(-ret));
		/* the caller undoes the change (machine.c unsaved()): its allocations first */
		if (sv->undo)
			kmem_rewind(ctx, sv);
		return ret;
	}
	maybe_compact(ctx);
	return 0;
}

/*
 * The kernel's own allocations moved and no record took it: a refused
 * change's tick (kmem_tick() runs before the operation, as other
 * processes' work between two writes), or a change that left its block
 * as it was.  A record of their own, synced by the caller as a change's
 * (hmfs_state_sync()), so that a kill -9 after a refused offline brings
 * back the pages that refused it.  No undo: a rollback writes the
 * machine whole, which has them.  Under change_lock.
 */
int hmfs_state_append_kmem(struct hmfs_ctx *ctx, struct hmfs_save *sv)
{
	int ret;

	*sv = (struct hmfs_save){ .active = ctx->state_path[0] && !ctx->restoring };
	/* frozen, the file is the way back; without a journal the next whole save has them */
	if (!sv->active || ctx->frozen || !ctx->kmem_logging || !has_journal(ctx) || !ctx->saved)
		return 0;
	ret = append_record(ctx, sv, NULL, NULL);
	if (ret)
		fprintf(stderr, "hotmemfs: saving state to %s.journal: %s\n", ctx->state_path,
			strerror(-ret));
	else
		maybe_compact(ctx);
	return ret;
}

/* a whole-file save now: at start, `hotmemctl save`, at a clean exit; never once frozen */
int hmfs_state_save(struct hmfs_ctx *ctx)
{
	int ret = 0;

	pthread_mutex_lock(&ctx->change_lock);
	/* frozen: the machine differs from the file for good; the file stays the way back */
	if (ctx->frozen)
		ret = -EROFS;
	else if (ctx->state_path[0] && !ctx->restoring) {
		ret = compact(ctx, NULL);
		count_save(ctx, ret);
	}
	pthread_mutex_unlock(&ctx->change_lock);
	return ret;
}

/*
 * The final save's failure was logged as any save's ("saving state to
 * PATH: ..."), which reads like data loss: every acknowledged change is
 * in the journal still, and the next start replays it (abuse25c D6).
 * Unless the journal lost its name (journal_named()): then the restart
 * finds the state file alone, if that.
 */
void hmfs_state_say_exit_unsaved(struct hmfs_ctx *ctx)
{
	bool kept;

	pthread_mutex_lock(&ctx->journal_lock);
	kept = ctx->journal_fd >= 0 && journal_named(ctx);
	pthread_mutex_unlock(&ctx->journal_lock);
	if (kept)
		fprintf(stderr,
			"hotmemfs: the final save failed; the journal %s.journal keeps every acknowledged change: nothing lost (the next start replays it)\n",
			ctx->state_path);
	else
		fprintf(stderr,
			"hotmemfs: the final save failed, and %s.journal or %s was removed under hotmemfs: a restart finds what is left there, without what was removed\n",
			ctx->state_path, ctx->state_path);
}

/* ---- loading ----------------------------------------------------------- */

/*
 * @size bytes from the start of @fd (fewer if it is shorter now),
 * NUL-terminated; *@lenp (if given): the bytes read, NULs inside
 * included, so that a NUL-filled tail (a crash's size-without-data) is
 * seen by the parse, not cut off by strlen()
 */
static int read_text(int fd, size_t size, char **text, size_t *lenp)
{
	char *buf = malloc(size + 1);
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	while (len < size) {
		ssize_t n = pread(fd, buf + len, size - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*text = buf;
	if (lenp)
		*lenp = len;
	return 0;
}

/* the file is good as far as anyone knows: said so, never "damaged" */
static int read_no_memory(const char *path, char *err, size_t errlen)
{
	snprintf(err, errlen, "state file %s: reading it: %s", path, strerror(ENOMEM));
	return -ENOMEM;
}

/*
 * The whole file, opened without following a symlink and without
 * blocking on a FIFO (a FIFO there hung the start), checked to be ours.
 */
static int slurp(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP && !lstat(path, &st))
		return check_ours(&st, path, "state file", err, errlen);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "state file %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = fstat(fd, &st) ? -errno : check_ours(&st, path, "state file", err, errlen);
	if (ret)
		goto out;
	if (st.st_size > HMFS_STATE_MAX) {
		snprintf(err, errlen, "state file %s is damaged (%lld bytes, at most %d expected)",
			 path, (long long)st.st_size, HMFS_STATE_MAX);
		ret = -EFBIG;
		goto out;
	}
	ret = read_text(fd, (size_t)st.st_size, text, len);
	if (ret == -ENOMEM)
		read_no_memory(path, err, errlen);
out:
	close(fd);
	return ret;
}

/*
 * Exactly one JSON value in @len bytes, into *@out: trailing garbage
 * means a damaged file (-EUCLEAN, @why says where), a NUL byte too (the
 * tokener stops at one, and strlen() would have hidden whatever follows
 * it).  -ENOMEM: an allocation failed, the file may be good.  json-c
 * 0.16's tokener does not always say so: a key whose copy failed in
 * json_object_object_add_ex() is left out unchecked, and the checksum
 * then called a good file damaged (nomem44).  A failed malloc() sets
 * errno to ENOMEM, which nothing else in the parse does.
 */
static int parse_one(const char *text, size_t len, json_object **out, char *why, size_t whylen)
{
	json_tokener *tok;
	size_t end;
	json_object *r;

	errno = 0;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	r = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!r) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		snprintf(why, whylen, "not valid JSON: %s",
			 e == json_tokener_continue ? "it ends too early" :
						      json_tokener_error_desc(e));
	} else {
		while (end < len && text[end] && strchr(" \t\r\n", text[end]))
			end++;
		if (end < len) {
			snprintf(why, whylen, "garbage after the JSON at byte %zu", end);
			json_object_put(r);
			r = NULL;
		}
	}
	json_tokener_free(tok);
	if (errno == ENOMEM) {
		json_object_put(r);
		return -ENOMEM;
	}
	*out = r;
	return r ? 0 : -EUCLEAN;
}

/* the keys of @o and of everything below it */
static size_t keys_below(json_object *o)
{
	size_t n = 0;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			(void)key;
			n += 1 + keys_below(val);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += keys_below(json_object_array_get_idx(o, i));
	}
	return n;
}

/* the keys in a JSON text as we write it: its ':'s outside strings */
static size_t keys_in_text(const char *text, size_t len)
{
	bool in = false;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in && text[i] == '\\')
			i++;
		else if (text[i] == '"')
			in = !in;
		else if (!in && text[i] == ':')
			n++;
	}
	return n;
}

/* @r a state file's whole, *@machine its "machine"; -EUCLEAN: damaged */
static int check_state(const char *path, json_object *r, json_object **machine, char *err,
		       size_t errlen)
{
	json_object *m, *f, *v, *c;
	uint32_t crc;

	f = hmfs_json_get(r, "format", json_type_string);
	v = hmfs_json_get(r, "version", json_type_int);
	c = hmfs_json_get(r, "crc32", json_type_int);
	m = hmfs_json_get(r, "machine", json_type_object);
	if (!f || strcmp(json_object_get_string(f), STATE_FORMAT) || !v || !c || !m) {
		snprintf(err, errlen, "state file %s is damaged (not a %s file)", path,
			 STATE_FORMAT);
		return -EUCLEAN;
	}
	if (json_object_get_int(v) != STATE_VERSION) {
		snprintf(err, errlen, "state file %s has version %d; this hotmemfs reads %d", path,
			 json_object_get_int(v), STATE_VERSION);
		return -EUCLEAN;
	}
	if (machine_crc(m, &crc))
		return read_no_memory(path, err, errlen);
	if ((uint32_t)json_object_get_int64(c) != crc) {
		snprintf(err, errlen, "state file %s is damaged (checksum mismatch)", path);
		return -EUCLEAN;
	}
	if (!hmfs_json_get(m, "profile", json_type_string) ||
	    !hmfs_json_get(m, "cmdline", json_type_string) ||
	    !hmfs_json_get(m, "params", json_type_object) ||
	    !hmfs_json_get(m, "devices", json_type_array) ||
	    !hmfs_json_get(m, "blocks", json_type_array) ||
	    !hmfs_json_get(m, "block-size", json_type_int)) {
		snprintf(err, errlen, "state file %s is damaged (fields missing)", path);
		return -EUCLEAN;
	}
	*machine = m;
	return 0;
}

/*
 * Parse and check the file; returns the "machine" object (owned by *root).
 * json-c 0.16's tokener leaves out, unchecked, a key whose copy it could
 * not allocate (json_object_object_add_ex()'s strdup()): a good file then
 * failed its checks and was called damaged (nomem44).  A file refused
 * with fewer keys than its text has is parsed once more: a second parse
 * whole is the file (a transient failure); a loss that differs between
 * the two (their checksums) is out of memory; the same twice is the
 * file's own (a key given twice, a comment: hand edits).  The crash where the
 * tokener's own strdup() of a key fails (it hashes the NULL) is json-c
 * 0.16's, not caught here (json-c 0.17 checks it).
 */
static int read_state(const char *path, json_object **root, json_object **machine, char *err,
		      size_t errlen)
{
	uint32_t crc = 0, lost = 0;
	bool retried = false;
	char *text = NULL, why[256];
	size_t want;
	json_object *r;
	size_t len;
	int ret;

	ret = slurp(path, &text, &len, err, errlen);
	if (ret)
		return ret;
	want = keys_in_text(text, len);
again:
	ret = parse_one(text, len, &r, why, sizeof(why));
	if (ret == -ENOMEM)
		ret = read_no_memory(path, err, errlen);
	else if (ret)
		snprintf(err, errlen, "state file %s is damaged (%s)", path, why);
	if (ret)
		goto out;
	ret = check_state(path, r, machine, err, errlen);
	if (!ret) {
		*root = r;
		goto out;
	}
	/* keys lost: the first time parsed again, then the two losses compared */
	if (ret == -EUCLEAN && keys_below(r) < want) {
		bool same = !machine_crc(r, &crc) && retried && crc == lost;

		json_object_put(r);
		if (!retried) {
			retried = true;
			lost = crc;
			goto again;
		}
		if (!same)
			ret = read_no_memory(path, err, errlen);
		goto out;
	}
	json_object_put(r);
out:
	free(text);
	return ret;
}

/* @m's string @key into @buf of @len: -EINVAL when it does not fit (nothing cut) */
static int peek_field(json_object *m, const char *key, char *buf, size_t len)
{
	json_object *o = hmfs_json_get(m, key, json_type_string);
	size_t n = (size_t)json_object_get_string_len(o);

	if (n >= len)
		return -EINVAL;
	memcpy(buf, json_object_get_string(o), n + 1);
	return 0;
}

int hmfs_state_peek_config(const char *path, char *profile, size_t plen, char *cmdline, size_t clen,
			   char *err, size_t errlen)
{
	json_object *root, *m;
	int ret;

	if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW))
		return -ENOENT;
	ret = read_state(path, &root, &m, err, errlen);
	if (ret)
		return ret;
	/* a field too long for its buffer is the file's fault, never cut to another machine */
	ret = peek_field(m, "profile", profile, plen);
	if (ret)
		snprintf(err, errlen, "state file %s: its profile is longer than %zu bytes", path,
			 plen - 1);
	else if ((ret = peek_field(m, "cmdline", cmdline, clen)))
		snprintf(err, errlen, "state file %s: its command line is longer than the %zu "
			 "bytes of x86's COMMAND_LINE_SIZE", path, clen - 1);
	json_object_put(root);
	return ret;
}

/* a "plugged-blocks" array: non-empty [first, count] runs, sorted and disjoint */
static bool plugged_runs_ok(json_object *pl)
{
	uint64_t first, end, prev = 0;

	for (size_t i = 0; i < json_object_array_length(pl); i++) {
		if (!hmfs_json_range(pl, i, &first, &end) || end == first || (i && first < prev))
			return false;
		prev = end;
	}
	return true;
}

/*
 * device @id's plugged blocks now, as the state file has them (a new array
 * if none; NULL out of memory).  Only a device the profile booted has any:
 * one just added is not serialised with every other device.
 */
static json_object *plugged_now(struct hmfs_ctx *ctx, const char *id)
{
	json_object *devs, *pl = NULL;
	uint64_t plugged = 0, requested;

	if (hmfs_dev_sizes(ctx, id, &plugged, &requested) || !plugged)
		return json_object_new_array();
	devs = hmfs_devices_json(ctx, HMFS_VIEW_STATE);
	if (!devs)
		return NULL; /* out of memory: the caller fails with ENOMEM */
	for (size_t i = 0; !pl && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (!strcmp(str(d, "id"), id))
			pl = json_object_get(hmfs_json_get(d, "plugged-blocks", json_type_array));
	}
	json_object_put(devs);
	return pl ? pl : json_object_new_array();
}

/*
 * A virtio-mem device to exactly @pl's plugged blocks, as the guest's
 * driver reaches a requested size: only the difference changes, what
 * @pl lacks unplugged, then what it has plugged.  A device just added
 * has nothing plugged; one the profile booted (claimed by
 * hmfs_dev_add()) keeps the blocks the file has too, so that an online
 * block of it holding kernel allocations never has to go.
 */
static int plugged_as(struct hmfs_ctx *ctx, const char *id, json_object *pl, char *err,
		      size_t errlen)
{
	json_object *now;
	struct hmfs_plug_walk w = { ctx, id, hmfs_dev_unplug_exact, UINT64_MAX, 0, err, errlen };
	int ret;

	if (!plugged_runs_ok(pl)) {
		snprintf(err, errlen,
			 "plugged-blocks: sorted, disjoint [first, count] runs expected");
		return -EINVAL;
	}
	now = plugged_now(ctx, id);
	if (!now) {
		snprintf(err, errlen, "device %s's plugged blocks now: %s", id, strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = hmfs_runs_minus(now, pl, &w);
	if (!ret) {
		w.fn = hmfs_dev_restore_plugged;
		ret = hmfs_runs_minus(pl, now, &w);
	}
	json_object_put(now);
	return ret;
}

void hmfs_state_restore_timer(struct hmfs_ctx *ctx, json_object *d)
{
	json_object *ra = hmfs_json_get(d, "retry-armed", json_type_boolean);

	hmfs_dev_timer_restored(ctx, str(d, "id"), ra ? json_object_get_boolean(ra) : -1);
}

/*
 * A DIMM the guest refused (dev.c dimm_refused()) comes back refused, its
 * memory not added: the guest is the one that refused it, a restart of
 * hotmemfs changes nothing of that.  Neither an errno's name nor its
 * number: the file is not hotmemfs's (-EINVAL).
 */
static int restore_refusal(json_object *d, struct hmfs_dev_refusal *r, char *err, size_t errlen)
{
	json_object *gr = hmfs_json_get(d, "guest-refused", json_type_string);
	json_object *why = hmfs_json_get(d, "guest-refused-why", json_type_string);
	char shown[256];

	r->err = 0;
	r->why = NULL;
	if (!gr)
		return 0;
	r->err = hmfs_errno_parse(json_object_get_string(gr));
	r->why = why ? json_object_get_string(why) : NULL;
	if (r->err)
		return 1;
	snprintf(err, errlen, "guest-refused: '%s' is no errno name or number",
		 hmfs_shown(shown, sizeof(shown), json_object_get_string(gr)));
	return -EINVAL;
}

/*
 * A device's "id" and "driver", the file's words checked before anything
 * of the device is made (runleak38, reread36 R15): an id is one line (a
 * device_add refuses one that is not QEMU's id_wellformed(), ctl.c; an
 * anonymous device's "/machine/peripheral-anon/device[N]" is not either,
 * so only a control character, or a byte of no UTF-8 character that
 * prints as one (a raw 0x9b), is refused here: with one, the tables of
 * devices, map and status and the log broke), and a driver is a model
 * hotmem has, said escaped when it is not (dev.c's refusal quotes it as
 * it is).  -EINVAL, nothing of the machine changed yet.
 */
static int restore_device_words(json_object *d, char *err, size_t errlen)
{
	const char *id = str(d, "id"), *driver = str(d, "driver");
	char sid[256], sdrv[256];

	hmfs_shown(sid, sizeof(sid), id);
	if (hmfs_shown_has_control(id)) {
		snprintf(err, errlen,
			 "a device's \"id\" '%s' holds a control character or a byte of no UTF-8 "
			 "character (an id is one line)", sid);
		return -EINVAL;
	}
	if (!hmfs_dev_model_known(driver)) {
		snprintf(err, errlen,
			 "device '%s': \"driver\" '%s' is not a valid device model name "
			 "(pc-dimm, virtio-mem-pci)",
			 sid, hmfs_shown(sdrv, sizeof(sdrv), driver));
		return -EINVAL;
	}
	return 0;
}

/* a device QEMU alone had (dev.c hmfs_dev_restore_qemu()): its properties and its probe */
static int restore_qemu_device(struct hmfs_ctx *ctx, json_object *d, const char *probe, char *err,
			       size_t errlen)
{
	json_object *mm = hmfs_json_get(d, "memmap-on-memory", json_type_boolean);
	json_object *slot = hmfs_json_get(d, "slot", json_type_int);
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_ADD };
	char e[512], shown[256];
	int ret;

	ch.dev.driver = str(d, "driver");
	ch.dev.id = str(d, "id");
	ch.dev.size = u64(d, "size");
	ch.dev.node = (int)u64(d, "node");
	ch.dev.addr = u64(d, "addr");
	ch.dev.have_addr = true;
	ch.dev.requested = u64(d, "requested-size");
	ch.dev.block_size = u64(d, "block-size");
	ch.dev.memmap = mm ? json_object_get_boolean(mm) : 1;
	/* a DIMM's slot, where QEMU put it (qemu_device_ok() checked its type) */
	ch.dev.slot = slot ? json_object_get_int(slot) : -1;
	ret = hmfs_dev_restore_qemu(ctx, &ch, probe, e, sizeof(e));
	if (ret)
		snprintf(err, errlen, "restoring device %s: %s",
			 hmfs_shown(shown, sizeof(shown), ch.dev.id), e);
	return ret;
}

int hmfs_state_restore_device(struct hmfs_ctx *ctx, json_object *d, char *err, size_t errlen)
{
	json_object *mm = hmfs_json_get(d, "memmap-on-memory", json_type_boolean);
	json_object *pl = hmfs_json_get(d, "plugged-blocks", json_type_array);
	json_object *slot = hmfs_json_get(d, "slot", json_type_int);
	json_object *probe = hmfs_json_get(d, "guest-probe", json_type_string);
	json_object *index = hmfs_json_get(d, "virtio-index", json_type_int);
	struct hmfs_dev_refusal refusal = { 0 };
	char e[512], shown[256];
	int ret = restore_device_words(d, err, errlen), refused;

	if (ret)
		return ret;
	if (probe)
		return restore_qemu_device(ctx, d, json_object_get_string(probe), err, errlen);
	refused = restore_refusal(d, &refusal, e, sizeof(e));

	/* its virtioN again; a file from before it (or a bad one): the lowest free, as before */
	refusal.vmem_index = index && json_object_get_int64(index) >= 0 &&
			     json_object_get_int64(index) <= INT_MAX ?
				     (int)json_object_get_int64(index) : -1;
	ret = refused < 0 ? refused :
		hmfs_dev_add(ctx, str(d, "driver"), str(d, "id"), u64(d, "size"),
			     (int)u64(d, "node"), u64(d, "addr"), true, u64(d, "requested-size"),
			     u64(d, "block-size"), mm ? json_object_get_boolean(mm) : 1,
			     slot ? json_object_get_int(slot) : -1, &refusal, NULL, 0, e,
			     sizeof(e));
	/*
	 * With its plugged blocks saved, a virtio-mem device comes back as it
	 * was; from a file before they were, the driver works toward the
	 * file's requested-size from what the device has, as after a
	 * device_add (a device the profile booted, claimed, has its booted
	 * memory: a requested-size of 0 gives it back).
	 */
	if (!ret && pl)
		ret = plugged_as(ctx, str(d, "id"), pl, e, sizeof(e));
	/*
	 * the guest's driver retrying on its timer (a shrink stopped by busy
	 * memory) does again; a file from before retry-armed was saved: if
	 * the device is short of its requested-size
	 */
	if (!ret && pl)
		hmfs_state_restore_timer(ctx, d);
	else if (!ret)
		hmfs_dev_run_driver(ctx, str(d, "id"));
	if (ret)
		snprintf(err, errlen, "restoring device %s: %s",
			 hmfs_shown(shown, sizeof(shown), str(d, "id")), e);
	return ret;
}

/* @arg, the file's "profile-devices", says the profile's device at @addr was gone */
static bool profile_dev_removed(uint64_t addr, void *arg)
{
	json_object *devs = arg;

	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i), *p;

		if (u64(d, "addr") != addr)
			continue;
		p = hmfs_json_get(d, "present", json_type_boolean);
		return p && !json_object_get_boolean(p);
	}
	return false; /* a line the profile got since: its device stays */
}

/*
 * The state file's devices, each with a qom-set it had queued behind a
 * guest's offline ("queued-requested-size": dev.c vmem_queue()) queued
 * again: the timers' thread makes it the change it is once hotmemfs
 * runs.  An undo's device brought back (machine.c device_back()) keeps
 * the host's value its own way (dev.c hmfs_dev_queue_back(): taken again
 * at the driver's retry, not at once), and the compare leaves it out
 * (devices_compared()).
 */
static int restore_devices(struct hmfs_ctx *ctx, json_object *devs, char *err, size_t errlen)
{
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		json_object *q = hmfs_json_get(d, "queued-requested-size", json_type_int);
		int ret = hmfs_state_restore_device(ctx, d, err, errlen);

		if (ret)
			return ret;
		if (q)
			hmfs_dev_restore_queued(ctx, str(d, "id"), json_object_get_uint64(q));
	}
	return 0;
}

/*
 * 6.12's virtio_mem_probe() ends with queue_work(): at the restore's end,
 * the machine whole again, each device's driver work queued if a running
 * kernel's would have it, decided by dev.c hmfs_dev_restore_work() from
 * the device and what the file says of it (its "plugged-blocks": a file
 * before them ran the driver at the device's restore)
 */
static void restore_work(struct hmfs_ctx *ctx, json_object *devs)
{
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		hmfs_dev_restore_work(ctx, str(d, "id"),
				      hmfs_json_get(d, "plugged-blocks", json_type_array) != NULL);
	}
}

/* memory that came through `probe`: one memory block at a time, as probe_store() adds it */
static int restore_probed(struct hmfs_ctx *ctx, json_object *runs, char *err, size_t errlen)
{
	for (size_t i = 0; runs && i < json_object_array_length(runs); i++) {
		json_object *run = json_object_array_get_idx(runs, i);
		uint64_t first, count;

		if (!json_object_is_type(run, json_type_array) ||
		    json_object_array_length(run) != 2) {
			snprintf(err, errlen, "state file %s is damaged (probed: [first, count] expected)",
				 ctx->state_path);
			return -EUCLEAN;
		}
		first = (uint64_t)json_object_get_uint64(json_object_array_get_idx(run, 0));
		count = (uint64_t)json_object_get_uint64(json_object_array_get_idx(run, 1));
		/* a count is not a loop bound until the engine has said yes to each block */
		for (uint64_t id = first; id - first < count; id++) {
			uint64_t addr = id * ctx->block_size;
			int ret = hotmem_add_memory(ctx->hm, hotmem_phys_to_nid(ctx->hm, addr), addr,
						    ctx->block_size, HM_MHP_NONE, -1);

			if (ret) {
				snprintf(err, errlen, "restoring probed memory%llu: %s",
					 (unsigned long long)id, strerror(-ret));
				return ret;
			}
		}
	}
	return 0;
}

static int online_type_for_zone(const char *zone)
{
	if (hmu_zone_from_name(zone, strlen(zone)) == HMU_ZONE_MOVABLE)
		return HM_MMOP_ONLINE_MOVABLE;
	if (!strcmp(zone, "none"))
		return HM_MMOP_ONLINE;
	return HM_MMOP_ONLINE_KERNEL;
}

/*
 * Run @r's block @id online as saved: as its "online-type" (`online`,
 * the default zone's rule) when that gives its zone again
 * (hotmem_block_restore_online(), so that explain's zone line names the
 * rule it was onlined by), else into its zone; a run without one
 * (online_kernel's, online_movable's: their zone's own rule; a file from
 * before 2026-12-01) by its zone alone.
 */
static int restore_online(struct hmfs_ctx *ctx, unsigned long id, json_object *r)
{
	const char *zone = str(r, "zone");
	json_object *t = hmfs_json_get(r, "online-type", json_type_string);
	int type = t ? hmu_online_type_from_str(json_object_get_string(t)) : -1;
	int zid = hmu_zone_from_name(zone, strlen(zone));

	if (type > HM_MMOP_OFFLINE && zid >= 0)
		return hotmem_block_restore_online(ctx->hm, id, type, zid);
	return hotmem_block_set_state(ctx->hm, id, online_type_for_zone(zone));
}

/*
 * A block to change in pass 0 (offline: it should be offline, or is
 * online in another zone than saved) or pass 1 (online into its zone).
 */
static bool restore_needed(const struct hm_block_info *bi, json_object *r, int pass)
{
	bool want_on = !strcmp(str(r, "state"), "online");
	bool on = bi->state != HM_MEM_OFFLINE;

	if (pass == 1)
		return want_on && !on;
	return on && (!want_on || strcmp(hmu_zone_name(bi->zone), str(r, "zone")));
}

/*
 * Offline first (frees zone spans), then online into the saved zones.
 * The same for a restart and for an undo (machine.c): blocks already as
 * saved are left alone.  Returns how many could not be put as saved
 * (each named on stderr), *@first the first of them.
 */
unsigned long hmfs_state_restore_blocks(struct hmfs_ctx *ctx, json_object *runs,
					unsigned long *first_astray)
{
	unsigned long astray = 0;

	/* a virtio-mem block the driver had left with nothing plugged comes back first */
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		uint64_t first = u64(r, "first"), n = u64(r, "count");

		hmfs_dev_restore_leftovers(ctx, first, first + n < first ? UINT64_MAX : first + n);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < json_object_array_length(runs); i++) {
			json_object *r = json_object_array_get_idx(runs, i);
			uint64_t first = u64(r, "first"), n = u64(r, "count");
			unsigned long id = first ? (unsigned long)first - 1 : 0;
			bool from_start = !first;

			/*
			 * Only the present blocks of the run: a count in the
			 * file is not a loop bound (2^40 would hang the start).
			 */
			for (; !hotmem_block_next(ctx->hm, &id, from_start) && id - first < n;
			     from_start = false) {
				struct hm_block_info bi;
				int ret;

				if (hotmem_block_info(ctx->hm, id, &bi) ||
				    !restore_needed(&bi, r, pass))
					continue;
				ret = pass ? restore_online(ctx, id, r) :
					     hotmem_block_set_state(ctx->hm, id, HM_MMOP_OFFLINE);
				if (!ret)
					continue;
				fprintf(stderr, "hotmemfs: restore: memory%llu %s: %s\n",
					(unsigned long long)id, pass ? "online" : "offline",
					strerror(-ret));
				if (!astray++)
					*first_astray = id;
			}
		}
	}
	return astray;
}

/* say so when the file lists blocks that nothing brought back */
static void warn_missing(struct hmfs_ctx *ctx, json_object *runs)
{
	uint64_t missing = 0, example = 0;

	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		uint64_t first = u64(r, "first"), n = u64(r, "count"), present = 0;
		unsigned long id = first ? (unsigned long)first - 1 : 0;
		bool from_start = !first;

		for (; !hotmem_block_next(ctx->hm, &id, from_start) && id - first < n;
		     from_start = false)
			present++;
		if (present < n && !missing)
			example = first;
		missing += n - present;
	}
	if (missing)
		fprintf(stderr,
			"hotmemfs: restore: %llu block(s) in %s are not present (in the run from memory%llu): no device or probe in the file brings them back\n",
			(unsigned long long)missing, ctx->state_path, (unsigned long long)example);
}

/* a bus the file does not name keeps its value */
static void restore_autoprobe(struct hmfs_ctx *ctx, json_object *o)
{
	json_object *v;

	for (int i = 0; i < ctx->nr_buses; i++) {
		const int sn = ctx->sn_bus_autoprobe[i];

		v = hmfs_json_get(o, ctx->snodes[ctx->snodes[sn].parent].name, json_type_boolean);
		if (v)
			hmfs_bus_autoprobe_set(ctx, sn, json_object_get_boolean(v));
	}
}

/* the file's lowmem-reserve-ratio in @ratio: false when it has none of HM_MAX_NR_ZONES */
static bool lowmem_reserve_ratio_of(json_object *p, int ratio[HM_MAX_NR_ZONES])
{
	json_object *r = hmfs_json_get(p, "lowmem-reserve-ratio", json_type_array);

	if (!r || json_object_array_length(r) != HM_MAX_NR_ZONES)
		return false;
	for (int i = 0; i < HM_MAX_NR_ZONES; i++)
		ratio[i] = json_object_get_int(json_object_array_get_idx(r, (size_t)i));
	return true;
}

/*
 * The watermark sysctls, after the blocks: their restore's onlines
 * computed min_free_kbytes with no operator's value, which the file's
 * pair then replaces (the engine checks the bounds: a bad one is left).
 * Each set only when the file's value differs from the machine's: a
 * setter computes the watermarks or the reserves again from the managed
 * pages of now, which 6.12 does only at an online, an offline or the
 * sysctl's write -- a change's undo (hmfs_state_undo_wmark()) that set
 * them all again moved /proc/zoneinfo once virtio-mem sub-blocks had
 * moved the managed count in between (reread31 R1).
 */
static void restore_watermark_sysctls(struct hmfs_ctx *ctx, json_object *p)
{
	json_object *kb = hmfs_json_get(p, "min-free-kbytes", json_type_int);
	json_object *user = hmfs_json_get(p, "user-min-free-kbytes", json_type_int);
	json_object *v;
	int ratio[HM_MAX_NR_ZONES], now[HM_MAX_NR_ZONES];

	if ((v = hmfs_json_get(p, "watermark-scale-factor", json_type_int)) &&
	    json_object_get_int64(v) != hotmem_watermark_scale_factor(ctx->hm))
		(void)hotmem_set_watermark_scale_factor(ctx->hm, json_object_get_int64(v));
	/*
	 * its setter sets the pagesets' limits again only at a new value;
	 * the file's own "pagesets" go over them at the restore's end
	 * (restore_zone_wmarks()); 1..7, refused, keep the machine's
	 */
	if ((v = hmfs_json_get(p, "percpu-pagelist-high-fraction", json_type_int)))
		(void)hotmem_set_percpu_pagelist_high_fraction(ctx->hm, json_object_get_int64(v));
	hotmem_lowmem_reserve_ratio(ctx->hm, now);
	if (lowmem_reserve_ratio_of(p, ratio) && memcmp(ratio, now, sizeof(now)))
		hotmem_set_lowmem_reserve_ratio(ctx->hm, ratio, HM_MAX_NR_ZONES);
	if (kb && user &&
	    ((unsigned long long)json_object_get_int64(kb) != hotmem_min_free_kbytes(ctx->hm) ||
	     json_object_get_int64(user) != hotmem_user_min_free_kbytes(ctx->hm)))
		(void)hotmem_restore_min_free_kbytes(ctx->hm, json_object_get_int64(kb),
						     json_object_get_int64(user));
	/*
	 * The saved machine's marks set up after boot (a sysctl write of the
	 * same value, an online or offline), the restore's still the boot's:
	 * its setup again, from the managed pages of now, which the boot's
	 * did not count yet (the init memory freed after postcore_initcall:
	 * qemu-512m's DMA32 min 607 running, 606 restored; wmark39)
	 */
	v = hmfs_json_get(p, "boot-watermarks", json_type_boolean);
	if (v && !json_object_get_boolean(v) && hotmem_wmarks_boot(ctx->hm))
		hotmem_setup_per_zone_wmarks(ctx->hm);
}

/* @z, zone_wmarks_ok()'s, in @v (@n of them) */
static void zone_wmark_values(json_object *z, unsigned long *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (unsigned long)json_object_get_uint64(json_object_array_get_idx(z, i));
}

/* node @nid's zone @zid of zone_wmarks_ok()'s @v: NULL for none (@v NULL, a null node, past the end) */
static json_object *zone_wmarks_at(json_object *v, int nid, int zid)
{
	json_object *node;

	if (!v || (size_t)nid >= json_object_array_length(v))
		return NULL;
	node = json_object_array_get_idx(v, (size_t)nid);
	return node ? json_object_array_get_idx(node, (size_t)zid) : NULL;
}

/* node @nid's zone @zid of the file's @marks and @res (either NULL: not kept) put in @w */
static void zone_wmarks_put(struct hm_wmark_state *w, json_object *marks, json_object *res,
			    int nid, int zid)
{
	json_object *m = zone_wmarks_at(marks, nid, zid), *r = zone_wmarks_at(res, nid, zid);
	unsigned long wm[3], rv[HM_MAX_NR_ZONES];

	if (m)
		zone_wmark_values(m, wm, 3);
	if (r)
		zone_wmark_values(r, rv, HM_MAX_NR_ZONES);
	/* a null node (no file written one) keeps the restore's own */
	(void)hotmem_wmark_state_set_zone(w, nid, zid, m ? wm : NULL, r ? rv : NULL);
}

/*
 * The file's pagesets' limits and stats thresholds (zone_pagesets_json())
 * into @w, stored with the file's marks: a node past the file's, or a
 * file from before them (@v NULL), has them set up from those marks
 * and the managed pages of now (restart42)
 */
static void restore_zone_pagesets(struct hm_wmark_state *w, json_object *v)
{
	if (!v || !zone_pagesets_ok(v))
		return;
	for (int nid = 0; nid < hotmem_wmark_state_nodes(w); nid++) {
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			json_object *z = zone_wmarks_at(v, nid, zid);
			long pcp[3];

			if (!z)
				break;
			for (int i = 0; i < 3; i++)
				pcp[i] = (long)json_object_get_int64(json_object_array_get_idx(z, (size_t)i));
			(void)hotmem_wmark_state_set_pcp(w, nid, zid, pcp,
							 json_object_get_int(json_object_array_get_idx(z, 3)));
			/* a file from before it: settled at its high_min */
			if (json_object_array_length(z) > 4)
				(void)hotmem_wmark_state_set_pcp_high(
					w, nid, zid,
					(long)json_object_get_int64(json_object_array_get_idx(z, 4)));
		}
	}
}

/*
 * The file's totalreserve_pages (totalreserve_json()) into @w: kept only
 * when it has every node of the machine's, else summed at the restore
 * as from a file from before it (@v NULL)
 */
static void restore_totalreserve(struct hm_wmark_state *w, json_object *v)
{
	unsigned long node[HM_MAX_NUMNODES];
	int nr = hotmem_wmark_state_nodes(w);

	if (!v || !ints_ok(v, 1, HM_MAX_NUMNODES + 1) || json_object_array_length(v) != (size_t)nr + 1)
		return;
	for (int nid = 0; nid < nr; nid++)
		node[nid] = (unsigned long)json_object_get_uint64(json_object_array_get_idx(v, (size_t)nid + 1));
	(void)hotmem_wmark_state_set_totalreserve(
		w, (unsigned long)json_object_get_uint64(json_object_array_get_idx(v, 0)), node, nr);
}

/*
 * The zones' marks and reserves as the saved machine had them
 * (params_add_zone_wmarks()), stored back at the restore's very end:
 * 6.12 sets them up only at an online, an offline or a watermark
 * sysctl's write, from the managed pages of then, and virtio-mem's
 * sub-blocks plugged into or fake-offlined from an online block, HVO's
 * freed memmap, the boot's init memory moved those since without one --
 * the restore's own onlines and setups count the pages of its moment
 * (reread40 R1: a virtio-mem shrink with auto-online came back with
 * DMA32's min 561 for 531; R2: the protection of before an offline and
 * online).  The boost is not among them: kswapd takes it back, and the
 * restore's own kernel allocations and kswapd leave it as the running
 * machine's (tests/fusefs/426).  A file without them: its
 * "boot-watermarks" (restore_watermark_sysctls()), else the restore's own.
 */
static void restore_zone_wmarks(struct hmfs_ctx *ctx, json_object *p)
{
	json_object *marks = hmfs_json_get(p, "watermarks", json_type_array);
	json_object *res = hmfs_json_get(p, "lowmem-reserve", json_type_array);
	struct hm_wmark_state *w;
	unsigned int what = 0;

	if (marks && zone_wmarks_ok(marks, false))
		what |= HM_WMARK_ZONE_MARKS;
	else
		marks = NULL;
	if (res && zone_wmarks_ok(res, true))
		what |= HM_WMARK_ZONE_RESERVES;
	else
		res = NULL;
	if (!what)
		return;
	w = hotmem_wmark_save(ctx->hm);
	if (!w) {
		fprintf(stderr, "hotmemfs: restoring the zones' watermarks: %s; the restore's own kept\n",
			strerror(ENOMEM));
		return;
	}
	for (int nid = 0; nid < hotmem_wmark_state_nodes(w); nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
			zone_wmarks_put(w, marks, res, nid, zid);
	if (marks)
		restore_zone_pagesets(w, hmfs_json_get(p, "pagesets", json_type_array));
	restore_totalreserve(w, hmfs_json_get(p, "totalreserve-pages", json_type_array));
	hotmem_wmark_restore(ctx->hm, w, what);
	hotmem_wmark_free(w);
}

void hmfs_state_restore_params(struct hmfs_ctx *ctx, json_object *p)
{
	json_object *v;
	int t;

	t = hmu_online_type_from_str(str(p, "auto-online"));
	if (t >= 0)
		hotmem_set_auto_online(ctx->hm, t);
	t = hotmem_online_policy_from_str(str(p, "online-policy"));
	if (t >= 0)
		hotmem_set_online_policy(ctx->hm, t);
	if ((v = hmfs_json_get(p, "auto-movable-ratio", json_type_int)))
		hotmem_set_auto_movable_ratio(ctx->hm, (unsigned)json_object_get_int(v));
	if ((v = hmfs_json_get(p, "auto-movable-numa-aware", json_type_boolean)))
		hotmem_set_auto_movable_numa_aware(ctx->hm, json_object_get_boolean(v));
	/* a file from before it: the command line's (virtio_mem.unplug_online=) stays */
	if ((v = hmfs_json_get(p, "virtio-mem-unplug-online", json_type_boolean)))
		hotmem_set_virtio_mem_unplug_online(ctx->hm, json_object_get_boolean(v));
	if ((v = hmfs_json_get(p, "notifier-error-going-online", json_type_int)))
		hotmem_set_notifier_error(ctx->hm, HM_MEM_GOING_ONLINE, json_object_get_int(v));
	if ((v = hmfs_json_get(p, "notifier-error-going-offline", json_type_int)))
		hotmem_set_notifier_error(ctx->hm, HM_MEM_GOING_OFFLINE, json_object_get_int(v));
	t = hmu_zone_from_name(str(p, "policy-zone"), strlen(str(p, "policy-zone")));
	if (t >= 0)
		hotmem_raise_policy_zone(ctx->hm, t);
	/* raised only, after the devices: past those removed before the restart (reread31 R4) */
	if ((v = hmfs_json_get(p, "max-pfn", json_type_int)))
		(void)hotmem_raise_max_pfn(ctx->hm, (unsigned long)json_object_get_uint64(v));
	restore_autoprobe(ctx, hmfs_json_get(p, "drivers-autoprobe", json_type_object));
	if ((v = hmfs_json_get(p, "hugetlb-overcommit", json_type_int)))
		hotmem_hugetlb_set_overcommit(ctx->hm, (unsigned long)json_object_get_uint64(v));
	/* after the blocks, whose restore's onlines ran reserve_mem_notifier() */
	if ((v = hmfs_json_get(p, "user-reserve-kbytes", json_type_int)))
		hotmem_set_user_reserve_kbytes(ctx->hm, (unsigned long)json_object_get_uint64(v));
	if ((v = hmfs_json_get(p, "admin-reserve-kbytes", json_type_int)))
		hotmem_set_admin_reserve_kbytes(ctx->hm, (unsigned long)json_object_get_uint64(v));
	/* the watermark sysctls not here: before the pool (restore_watermark_sysctls()) */
	/* after the pool, whose restore took its pages as the command line says */
	if ((v = hmfs_json_get(p, "hugetlb-optimize-vmemmap", json_type_int)))
		hotmem_set_hugetlb_optimize_vmemmap(ctx->hm, json_object_get_int(v) != 0);
	/* a file from before it: the command line's (sysctl.vm.watermark_boost_factor=) stays */
	if ((v = hmfs_json_get(p, "watermark-boost-factor", json_type_int)))
		(void)hotmem_set_watermark_boost_factor(ctx->hm, json_object_get_int64(v));
	/* raised only: an undo keeps the number an undone device_add took */
	if ((v = hmfs_json_get(p, "anon-count", json_type_int)) &&
	    json_object_get_uint64(v) <= UINT_MAX)
		hmfs_dev_anon_raise(ctx, (unsigned int)json_object_get_uint64(v));
}

/*
 * The block of @pfn, onlined for a moment when the file has it offline
 * (its pages stayed poisoned through the offline, as the kernel's do, but
 * only an online page can be retired again): @id, and whether it was
 */
static bool online_for_retire(struct hmfs_ctx *ctx, uint64_t pfn, unsigned long *id)
{
	struct hm_block_info bi;

	*id = (unsigned long)((pfn << 12) / ctx->block_size);
	if (hotmem_block_info(ctx->hm, *id, &bi) || bi.state != HM_MEM_OFFLINE)
		return false;
	return !hotmem_block_set_state(ctx->hm, *id, HM_MMOP_ONLINE_MOVABLE) ||
	       !hotmem_block_set_state(ctx->hm, *id, HM_MMOP_ONLINE);
}

/* page @i of the file's "hwpoison" retired again, once (@done) */
static void retire_again(struct hmfs_ctx *ctx, json_object *pages, size_t i, bool *done)
{
	json_object *r = json_object_array_get_idx(pages, i);
	json_object *hard = hmfs_json_get(r, "hard", json_type_boolean);
	uint64_t pfn = u64(r, "pfn");
	int ret;

	if (done[i])
		return;
	done[i] = true;
	ret = hmfs_retire(ctx, pfn, hard && json_object_get_boolean(hard), mf_result_of(r));
	if (ret)
		fprintf(stderr, "hotmemfs: state file %s: retiring page %#llx again: %s\n",
			ctx->state_path, (unsigned long long)pfn, strerror(-ret));
}

/*
 * The pages the file says were retired, retired again once their blocks
 * are as before.  A page that cannot be now (the profile changed since)
 * is named and left: the next save drops it.
 */
static void restore_retired(struct hmfs_ctx *ctx, json_object *pages)
{
	size_t n = pages ? json_object_array_length(pages) : 0;
	bool *done = calloc(n ? n : 1, sizeof(*done));
	unsigned long id;
	int ret;

	if (!done) {
		fprintf(stderr, "hotmemfs: state file %s: retiring pages again: %s\n",
			ctx->state_path, strerror(ENOMEM));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		if (!online_for_retire(ctx, u64(json_object_array_get_idx(pages, i), "pfn"), &id)) {
			retire_again(ctx, pages, i, done);
			continue;
		}
		/* all the block's retired pages while it is online: it will not online again */
		for (size_t j = i; j < n; j++)
			if ((u64(json_object_array_get_idx(pages, j), "pfn") << 12) /
				    ctx->block_size == id)
				retire_again(ctx, pages, j, done);
		ret = hotmem_block_set_state(ctx->hm, id, HM_MMOP_OFFLINE);
		if (ret)
			fprintf(stderr, "hotmemfs: restore: memory%lu offline: %s\n", id,
				strerror(-ret));
	}
	free(done);
}

/*
 * One-block records ("run") of the journal, in order, waiting to be
 * merged into the machine's "blocks" runs; a "set" of "blocks" replaces
 * them all.  So do the ranges of "device" records, each with the runs of
 * the last record over it, and the devices they hold, the last of each:
 * merged once at the end, a journal of device records costs O(device)
 * each, not O(machine).
 */
struct patch {
	uint64_t id;
	size_t order;
	json_object *run;
};

struct dev_range {
	uint64_t first, end;
	size_t order;
	json_object *runs;
};

struct patches {
	struct patch *p;
	size_t n, cap;
	struct dev_range *r;
	size_t nr, rcap;
	json_object *devices; /* id -> device, in place of the machine's (a "set" of "devices" drops them) */
	size_t order; /* of the next record */
	struct kmem_replay kr; /* the "kmem" ops' list and its pfn index */
	bool after_base; /* the record now is the first after the state file's */
	uint64_t block_size; /* the machine's (a "device" record's "memmap" sections' blocks) */
};

/* a one-block record's run */
static bool patch_ok(json_object *run)
{
	return hmfs_json_get(run, "state", json_type_string) &&
	       hmfs_json_get(run, "zone", json_type_string) &&
	       hmfs_json_get(run, "first", json_type_int) && u64(run, "count") == 1;
}

static int patch_add(struct patches *ps, json_object *run)
{
	if (!patch_ok(run))
		return -EUCLEAN;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		struct patch *p = realloc(ps->p, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ps->p = p;
		ps->cap = cap;
	}
	ps->p[ps->n] = (struct patch){ u64(run, "first"), ps->order++, json_object_get(run) };
	ps->n++;
	return 0;
}

static void patches_clear(struct patches *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		json_object_put(ps->p[i].run);
	ps->n = 0;
}

static void ranges_clear(struct patches *ps)
{
	for (size_t i = 0; i < ps->nr; i++)
		json_object_put(ps->r[i].runs);
	ps->nr = 0;
}

static int patch_cmp(const void *a, const void *b)
{
	const struct patch *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* @run's fields, with first and count replaced */
static json_object *run_piece(json_object *run, uint64_t first, uint64_t count)
{
	json_object *r = json_object_new_object();

	json_object_object_foreach(run, key, val)
		json_object_object_add(r, key,
				       !strcmp(key, "first") ? json_object_new_uint64(first) :
				       !strcmp(key, "count") ? json_object_new_uint64(count) :
							       json_object_get(val));
	return r;
}

/* the last record of the block at p[*k], past all of its records */
static json_object *patch_take(const struct patches *ps, size_t *k)
{
	while (*k + 1 < ps->n && ps->p[*k + 1].id == ps->p[*k].id)
		(*k)++;
	return json_object_get(ps->p[(*k)++].run);
}

/*
 * The runs of @m's "blocks" (ascending, disjoint: hmfs_block_runs()) with
 * each patched block cut out of its run and put in as its own run.
 */
static int patches_merge(json_object *m, struct patches *ps)
{
	json_object *runs = hmfs_json_get(m, "blocks", json_type_array), *out;
	uint64_t end = 0;
	size_t k = 0;

	if (!ps->n)
		return 0;
	if (!runs)
		return -EUCLEAN;
	qsort(ps->p, ps->n, sizeof(ps->p[0]), patch_cmp);
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		uint64_t first = u64(r, "first"), count = u64(r, "count"), cur = first;

		if (first < end || first + count < first) {
			json_object_put(out);
			return -EUCLEAN;
		}
		end = first + count;
		while (k < ps->n && ps->p[k].id < first)
			json_object_array_add(out, patch_take(ps, &k));
		while (k < ps->n && ps->p[k].id < end) {
			if (ps->p[k].id > cur)
				json_object_array_add(out, run_piece(r, cur, ps->p[k].id - cur));
			cur = ps->p[k].id + 1;
			json_object_array_add(out, patch_take(ps, &k));
		}
		if (cur < end)
			json_object_array_add(out, run_piece(r, cur, end - cur));
	}
	while (k < ps->n)
		json_object_array_add(out, patch_take(ps, &k));
	json_object_object_add(m, "blocks", out);
	return 0;
}

/* the journal, read through the descriptor we hold (checked ours at open) */
static int read_journal(struct hmfs_ctx *ctx, char **text, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(ctx->journal_fd, &st))
		return -errno;
	if (st.st_size > HMFS_STATE_MAX) {
		snprintf(err, errlen, "journal %s.journal is damaged (%lld bytes, at most %d expected)",
			 ctx->state_path, (long long)st.st_size, HMFS_STATE_MAX);
		return -EFBIG;
	}
	return read_text(ctx->journal_fd, (size_t)st.st_size, text, NULL);
}

/* [*first, *end) of range @i of @ranges ([first, count] arrays): false if malformed */
bool hmfs_json_range(json_object *ranges, size_t i, uint64_t *first, uint64_t *end)
{
	json_object *r = json_object_array_get_idx(ranges, i);

	if (!json_object_is_type(r, json_type_array) || json_object_array_length(r) != 2 ||
	    !json_object_is_type(json_object_array_get_idx(r, 0), json_type_int) ||
	    !json_object_is_type(json_object_array_get_idx(r, 1), json_type_int))
		return false;
	*first = (uint64_t)json_object_get_uint64(json_object_array_get_idx(r, 0));
	*end = *first + (uint64_t)json_object_get_uint64(json_object_array_get_idx(r, 1));
	return *end >= *first;
}

int hmfs_runs_minus(json_object *a, json_object *b, struct hmfs_plug_walk *w)
{
	size_t j = 0, nb = json_object_array_length(b);
	uint64_t s, e, cut, bs = 0, be = 0;
	int ret;

	for (size_t i = 0; i < json_object_array_length(a); i++) {
		if (!hmfs_json_range(a, i, &s, &e))
			return -EINVAL;
		e = e < w->stop ? e : w->stop;
		while (s < e) {
			/* [bs, be): the first run of @b that ends after s; none left: past all */
			while (be <= s) {
				if (j == nb) {
					bs = be = UINT64_MAX;
					break;
				}
				if (!hmfs_json_range(b, j++, &bs, &be))
					return -EINVAL;
			}
			if (bs <= s) { /* inside a run of @b: not ours */
				s = be < e ? be : e;
				continue;
			}
			cut = bs < e ? bs : e;
			ret = w->fn(w->ctx, w->id, s, cut - s, w->err, w->errlen);
			if (ret) {
				w->at = s;
				return ret;
			}
			s = cut;
		}
	}
	return 0;
}

/* run @r (its ids [cur, end)) without the blocks of the pending ranges, in pieces onto @out */
static void run_cut(json_object *r, uint64_t cur, uint64_t end, const struct patches *ps,
		    json_object *out)
{
	while (cur < end) {
		uint64_t next = end;
		bool inside = false;

		for (size_t i = 0; i < ps->nr && !inside; i++) {
			const struct dev_range *d = &ps->r[i];

			inside = d->first <= cur && cur < d->end;
			if (inside)
				next = d->end; /* cut: on past its end */
			else if (cur < d->first && d->first < next)
				next = d->first;
		}
		if (!inside)
			json_object_array_add(out, run_piece(r, cur, next - cur));
		cur = next;
	}
}

/* run @r of a "device" record: well formed, and inside one of @ranges */
static bool run_in_ranges(json_object *r, json_object *ranges)
{
	uint64_t first = u64(r, "first"), end = first + u64(r, "count"), f, e;

	if (!hmfs_json_get(r, "state", json_type_string) ||
	    !hmfs_json_get(r, "zone", json_type_string) ||
	    !hmfs_json_get(r, "first", json_type_int) || end <= first)
		return false;
	for (size_t i = 0; i < json_object_array_length(ranges); i++)
		if (hmfs_json_range(ranges, i, &f, &e) && f <= first && end <= e)
			return true;
	return false;
}

static int run_cmp(const void *a, const void *b)
{
	uint64_t x = u64(*(json_object *const *)a, "first");
	uint64_t y = u64(*(json_object *const *)b, "first");

	return x < y ? -1 : x > y;
}

/* @m's "blocks" with the pending ranges cut out and their runs put in: disjoint, or damage */
static int ranges_merge(json_object *m, const struct patches *ps)
{
	json_object *runs = hmfs_json_get(m, "blocks", json_type_array), *out;
	uint64_t end = 0;
	int ret = 0;

	if (!ps->nr)
		return 0;
	if (!runs)
		return -EUCLEAN;
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(runs) && !ret; i++) {
		json_object *r = json_object_array_get_idx(runs, i);
		uint64_t first = u64(r, "first"), count = u64(r, "count");

		if (first + count < first)
			ret = -EUCLEAN;
		else
			run_cut(r, first, first + count, ps, out);
	}
	for (size_t i = 0; i < ps->nr; i++)
		for (size_t k = 0; k < json_object_array_length(ps->r[i].runs); k++)
			json_object_array_add(out,
					      json_object_get(json_object_array_get_idx(ps->r[i].runs, k)));
	json_object_array_sort(out, run_cmp);
	for (size_t i = 0; i < json_object_array_length(out) && !ret; i++) {
		json_object *r = json_object_array_get_idx(out, i);

		if (u64(r, "first") < end || u64(r, "first") + u64(r, "count") < u64(r, "first"))
			ret = -EUCLEAN;
		end = u64(r, "first") + u64(r, "count");
	}
	if (ret) {
		json_object_put(out);
		return ret;
	}
	json_object_object_add(m, "blocks", out);
	return 0;
}

/* one-block records that a later device record's range over their block supersedes */
static void patches_drop_superseded(struct patches *ps)
{
	size_t k = 0;

	for (size_t i = 0; i < ps->n; i++) {
		bool old = false;

		for (size_t j = 0; j < ps->nr && !old; j++)
			old = ps->r[j].first <= ps->p[i].id && ps->p[i].id < ps->r[j].end &&
			      ps->p[i].order < ps->r[j].order;
		if (old)
			json_object_put(ps->p[i].run);
		else
			ps->p[k++] = ps->p[i];
	}
	ps->n = k;
}

/* @m's "devices" with those of @by (id -> device, each one of them: replay_device()) in place */
static void devices_merge(json_object *m, json_object *by)
{
	json_object *devs = hmfs_json_get(m, "devices", json_type_array), *out;

	if (!devs)
		return;
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i), *n;

		if (!json_object_object_get_ex(by, str(d, "id"), &n))
			n = d;
		json_object_array_add(out, json_object_get(n));
	}
	json_object_object_add(m, "devices", out);
}

/*
 * What the records since the last "set" of "blocks" add up to, into @m:
 * the device ranges' last runs in place of what was there, then the
 * one-block records that came after them, then the devices' last.
 */
static int pending_merge(json_object *m, struct patches *ps)
{
	int ret;

	patches_drop_superseded(ps);
	ret = ranges_merge(m, ps);
	if (!ret)
		ret = patches_merge(m, ps);
	if (!ret && ps->devices)
		devices_merge(m, ps->devices);
	patches_clear(ps);
	ranges_clear(ps);
	json_object_put(ps->devices);
	ps->devices = NULL;
	return ret;
}

/*
 * Range [@f, @e) of a device record (@order), its runs those of @blocks
 * in it: in place of the last record's over the same range.  A range
 * over part of a pending one (a device replaced by another at its
 * place): what is pending is merged into @m first.
 */
static int range_put(json_object *m, struct patches *ps, uint64_t f, uint64_t e, size_t order,
		     json_object *blocks)
{
	struct dev_range *d = NULL;
	json_object *runs;

	for (size_t i = 0; i < ps->nr && !d; i++) {
		if (ps->r[i].first == f && ps->r[i].end == e) {
			d = &ps->r[i];
		} else if (ps->r[i].first < e && f < ps->r[i].end) {
			int ret = pending_merge(m, ps);

			if (ret)
				return ret;
		}
	}
	if (!d && ps->nr == ps->rcap) {
		size_t cap = ps->rcap ? 2 * ps->rcap : 8;
		struct dev_range *r = realloc(ps->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		ps->r = r;
		ps->rcap = cap;
	}
	if (!d) {
		d = &ps->r[ps->nr++];
		*d = (struct dev_range){ .first = f, .end = e };
	}
	runs = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(blocks); i++) {
		json_object *r = json_object_array_get_idx(blocks, i);

		if (u64(r, "first") >= f && u64(r, "first") < e)
			json_object_array_add(runs, json_object_get(r));
	}
	json_object_put(d->runs);
	d->runs = runs;
	d->order = order;
	return 0;
}

/*
 * Device @id in @m's "devices": there since the last "set" of them, the
 * only records that add or remove devices (ids compared, no JSON built)
 */
static bool has_device(json_object *m, const char *id)
{
	json_object *devs = hmfs_json_get(m, "devices", json_type_array);

	for (size_t i = 0; devs && i < json_object_array_length(devs); i++)
		if (!strcmp(str(json_object_array_get_idx(devs, i), "id"), id))
			return true;
	return false;
}

/* a "device" record's "memmap": [section pfn, memmap pfn(, moved)] each, every section in its @ranges */
static bool memmap_record_ok(json_object *memmap, json_object *ranges, uint64_t block_size)
{
	if (!json_object_is_type(memmap, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(memmap); i++) {
		json_object *e = json_object_array_get_idx(memmap, i);

		/* a third element: the pages off the block (memmap_moved_add()) */
		if (!json_object_is_type(e, json_type_array) || json_object_array_length(e) < 2 ||
		    json_object_array_length(e) > 3 ||
		    (json_object_array_length(e) == 3 &&
		     !json_object_is_type(json_object_array_get_idx(e, 2), json_type_array)) ||
		    !json_object_is_type(json_object_array_get_idx(e, 0), json_type_int) ||
		    !json_object_is_type(json_object_array_get_idx(e, 1), json_type_int) ||
		    !section_in_ranges(ranges, block_size,
				       (uint64_t)json_object_get_uint64(json_object_array_get_idx(e, 0))))
			return false;
	}
	return true;
}

static uint64_t memmap_section(json_object *e)
{
	return (uint64_t)json_object_get_uint64(json_object_array_get_idx(e, 0));
}

static int memmap_cmp(const void *a, const void *b)
{
	uint64_t x = memmap_section(*(json_object *const *)a);
	uint64_t y = memmap_section(*(json_object *const *)b);

	return x < y ? -1 : x > y;
}

/*
 * @m's "memmap" with the sections of @ranges cut out and the record's
 * @memmap put in, in section order as a whole save writes them (a file
 * from before "memmap": the record's alone, the others where the buddy
 * puts them, as before)
 */
static void memmap_put(json_object *m, json_object *memmap, json_object *ranges,
		       uint64_t block_size)
{
	json_object *old = hmfs_json_get(m, "memmap", json_type_array), *out = json_object_new_array();

	for (size_t i = 0; old && i < json_object_array_length(old); i++) {
		json_object *e = json_object_array_get_idx(old, i);

		/* a malformed one goes (the restore leaves it out: restore_memmap_begin()) */
		if (json_object_is_type(e, json_type_array) &&
		    !section_in_ranges(ranges, block_size, memmap_section(e)))
			json_object_array_add(out, json_object_get(e));
	}
	for (size_t i = 0; i < json_object_array_length(memmap); i++)
		json_object_array_add(out, json_object_get(json_object_array_get_idx(memmap, i)));
	json_object_array_sort(out, memmap_cmp);
	json_object_object_add(m, "memmap", out);
}

/*
 * A copy of @m's "params" (@params) put in its place, to change: the
 * object may be a record's "set" still (replay_change() takes it in).
 * NULL: no memory.
 */
static json_object *params_own(json_object *m, json_object *params)
{
	json_object *c = NULL;

	if (json_object_deep_copy(params, &c, NULL))
		return NULL;
	json_object_object_add(m, "params", c);
	return c;
}

/*
 * @params' @key set to @val; a raise-only one (anon-count, max-pfn) never
 * lowered: a record may carry a count an accepted anonymous device_add
 * raised past with no record of its own, and a replay that lowered it
 * gave that number again (reread30 R1)
 */
static void param_put(json_object *params, const char *key, json_object *val)
{
	const struct hmfs_lock_free_param *p = lock_free_of_key(key);
	bool raise_only = (p && p->raise_only) || !strcmp(key, "max-pfn");
	json_object *old = hmfs_json_get(params, key, json_type_int);

	if (raise_only && old && json_object_get_uint64(old) >= json_object_get_uint64(val))
		return;
	json_object_object_add(params, key, json_object_get(val));
}

/*
 * A change within virtio-mem devices: its "devices" take the place of
 * the machine's of the same ids, and the blocks of its "ranges" are its
 * "blocks" (each run inside one of them), merged with the other records
 * at the end (pending_merge()); its "memmap" (a record from before it
 * has none: the file's stay) in place of the file's in its ranges, at
 * once -- only a "set" of "memmap" and these change it, in their order;
 * its "max-pfn" (the driver plugged past the end) raises "params"' at once.
 */
static int replay_device(json_object *m, json_object *rec, struct patches *ps)
{
	json_object *ranges = hmfs_json_get(rec, "ranges", json_type_array);
	json_object *devs = hmfs_json_get(rec, "devices", json_type_array);
	json_object *blocks = hmfs_json_get(rec, "blocks", json_type_array);
	json_object *memmap = hmfs_json_member(rec, "memmap");
	json_object *max_pfn = hmfs_json_member(rec, "max-pfn");
	json_object *params = hmfs_json_get(m, "params", json_type_object);
	size_t order = ps->order++;
	uint64_t f, e;
	int ret = 0;

	if (!ranges || !devs || !blocks)
		return -EUCLEAN;
	if (max_pfn && (!json_object_is_type(max_pfn, json_type_int) || !params))
		return -EUCLEAN;
	if (memmap && !memmap_record_ok(memmap, ranges, ps->block_size))
		return -EUCLEAN;
	for (size_t i = 0; i < json_object_array_length(blocks); i++)
		if (!run_in_ranges(json_object_array_get_idx(blocks, i), ranges))
			return -EUCLEAN;
	for (size_t i = 0; i < json_object_array_length(ranges); i++)
		if (!hmfs_json_range(ranges, i, &f, &e))
			return -EUCLEAN;
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (!hmfs_json_get(d, "id", json_type_string) || !has_device(m, str(d, "id")))
			return -EUCLEAN;
	}
	/* checked whole: only now does any of it go in (a damaged last record is dropped whole) */
	for (size_t i = 0; i < json_object_array_length(ranges) && !ret; i++)
		if (hmfs_json_range(ranges, i, &f, &e))
			ret = range_put(m, ps, f, e, order, blocks);
	if (ret)
		return ret;
	if (memmap)
		memmap_put(m, memmap, ranges, ps->block_size);
	if (max_pfn) {
		params = params_own(m, params);
		if (!params)
			return -ENOMEM;
		param_put(params, "max-pfn", max_pfn);
	}
	if (!ps->devices)
		ps->devices = json_object_new_object();
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		json_object_object_add(ps->devices, str(d, "id"), json_object_get(d));
	}
	return 0;
}

/*
 * One good record: "set" replaces keys of the machine, "run" patches a
 * block, "device" a change within virtio-mem devices (the devices and
 * their blocks)
 */
/* a "set" record's @key and @val: one of the machine's keys, with a value of its type */
static bool set_value_ok(const char *key, json_object *val)
{
	for (int k = 0; k < HMFS_STATE_KEYS; k++)
		if (!strcmp(key, machine_keys[k]))
			return json_object_is_type(val, machine_types[k]);
	return false;
}

/*
 * An "iattr" record: its node's entry of "iattrs" (kept sorted by path)
 * replaced by the record's, or taken out when the record keeps nothing.
 * Its node's: the same path, or for a firmware/memmap/N node the same
 * entry (hmfs_iattr_same_node()): the file's entry may be of a start
 * that numbered it otherwise.  A file from before "iattrs" starts with
 * none.
 */
static int replay_iattr(json_object *m, json_object *e)
{
	json_object *old = hmfs_json_get(m, "iattrs", json_type_array),
		    *a = json_object_new_array();
	const char *path = json_object_get_string(hmfs_json_get(e, "path", json_type_string));
	bool put = !hmfs_iattr_entry_keeps(e);

	if (!hmfs_json_get(e, "path", json_type_string)) {
		json_object_put(a);
		return -EUCLEAN;
	}
	for (size_t i = 0; old && i < json_object_array_length(old); i++) {
		json_object *o = json_object_array_get_idx(old, i);
		const char *p = json_object_get_string(hmfs_json_get(o, "path", json_type_string));
		int cmp = p ? strcmp(p, path) : -1;

		if (!put && cmp > 0) {
			json_object_array_add(a, json_object_get(e));
			put = true;
		}
		if (!hmfs_iattr_same_node(o, e))
			json_object_array_add(a, json_object_get(o));
	}
	if (!put)
		json_object_array_add(a, json_object_get(e));
	json_object_object_add(m, "iattrs", a);
	return 0;
}

/*
 * A "qemu-device" record's device (dev.c: QEMU's side of a virtio-mem
 * device the guest's driver has not probed, or of a DIMM whose ACPI add
 * the guest has not run): QEMU's properties, each of its type, a DIMM's
 * slot, and what became of the probe (a DIMM's add is queued or stopped:
 * the guest's refusal is its change's record)
 */
static bool qemu_device_ok(json_object *d)
{
	static const char *const ints[] = { "node", "addr", "size", "block-size", "requested-size" };
	const char *probe = str(d, "guest-probe");
	bool dimm = !strcmp(str(d, "driver"), "pc-dimm");

	if (!hmfs_json_get(d, "id", json_type_string) ||
	    (!dimm && strcmp(str(d, "driver"), "virtio-mem-pci")))
		return false;
	if (dimm && (!hmfs_json_get(d, "slot", json_type_int) || !strcmp(probe, "refused")))
		return false;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!hmfs_json_get(d, ints[i], json_type_int))
			return false;
	return !strcmp(probe, "queued") || !strcmp(probe, "refused") || !strcmp(probe, "stopped");
}

/* @m's "devices" without device @id, and with @d (NULL: none) in its place, or last */
static void devices_put(json_object *m, const char *id, json_object *d)
{
	json_object *devs = hmfs_json_get(m, "devices", json_type_array),
		    *out = json_object_new_array();

	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *o = json_object_array_get_idx(devs, i);

		if (strcmp(str(o, "id"), id)) {
			json_object_array_add(out, json_object_get(o));
		} else if (d) {
			json_object_array_add(out, json_object_get(d));
			d = NULL;
		}
	}
	if (d)
		json_object_array_add(out, json_object_get(d));
	json_object_object_add(m, "devices", out);
}

/*
 * An anonymous device @id a record lists: "params"' anon-count raised
 * past its number (param_put(), never lowered).  A "qemu-device" record
 * answered behind a guest's looping offline is followed by no "set" of
 * the params, and its device_del before the probe takes it out of
 * "devices" again: the restore's count from the devices still listed
 * (dev.c anon_seen()) gave its number again after a kill -9 (reread30 R3).
 */
static int replay_anon_seen(json_object *m, const char *id)
{
	json_object *params = hmfs_json_get(m, "params", json_type_object), *c, *n;
	unsigned int nr;

	if (!params || !hmfs_dev_anon_nr(id, &nr))
		return 0;
	c = params_own(m, params);
	n = json_object_new_uint64((uint64_t)nr + 1);
	if (!c || !n) {
		json_object_put(n);
		return -ENOMEM;
	}
	param_put(c, "anon-count", n);
	json_object_put(n);
	return 0;
}

/*
 * QEMU's side of a virtio-mem device, journaled without change_lock
 * (hmfs_state_append_qemu()): "qemu-device" lists it (a device_add
 * answered behind a guest's offline, its probe queued; or what became of
 * that probe), "qemu-device-del" takes out one that is listed.  In place
 * of the device of that id now, not at the end (devices_merge()).
 */
static int replay_qemu(json_object *m, json_object *rec, struct patches *ps)
{
	json_object *d = hmfs_json_get(rec, "qemu-device", json_type_object);
	json_object *del = hmfs_json_get(rec, "qemu-device-del", json_type_object);
	const char *id = str(d ? d : del, "id");

	if (d ? !qemu_device_ok(d) : !has_device(m, id))
		return -EUCLEAN;
	devices_put(m, id, d);
	if (ps->devices)
		json_object_object_del(ps->devices, id);
	return d ? replay_anon_seen(m, id) : 0;
}

/*
 * A "param" record (hmfs_state_set_param()): its lock-free parameters,
 * each of its type, put in "params" as they are (a raise-only one never
 * lowered: param_put()); the rest of "params" as the records before
 * left it
 */
static int replay_param(json_object *m, json_object *o, bool run)
{
	json_object *params = hmfs_json_get(m, "params", json_type_object), *c;

	if (!params || !json_object_object_length(o))
		return -EUCLEAN;
	/*
	 * a "run-param" may carry what the block's change moved
	 * (notifier_params[]), a ratio write the reserves it set and the
	 * totalreserve_pages it summed (param_line_locked())
	 */
	json_object_object_foreach(o, k, v)
		if (!(lock_free_key(k) || (run && notifier_param(k)) ||
		      ((!strcmp(k, "lowmem-reserve") || !strcmp(k, "totalreserve-pages")) &&
		       json_object_object_get(o, "lowmem-reserve-ratio"))) ||
		    !param_json_ok(k, v))
			return -EUCLEAN;
	c = params_own(m, params);
	if (!c)
		return -ENOMEM;
	json_object_object_foreach(o, key, val)
		param_put(c, key, val);
	/*
	 * a ratio write's record from before totalreserve_pages was kept:
	 * the restore's end sums it, as for a file from before (restart42).
	 * A "run-param" always has "lowmem-reserve" but the totals only
	 * when they moved: the totals before are kept (review43 F2)
	 */
	if (json_object_object_get(o, "lowmem-reserve-ratio") &&
	    json_object_object_get(o, "lowmem-reserve") && !json_object_object_get(o, "totalreserve-pages"))
		json_object_object_del(c, "totalreserve-pages");
	return 0;
}

/*
 * A "run-param" record (append_run()): a one-block record whose change
 * moved reserve_mem_notifier()'s parameters too -- its "param" as a
 * param record's, checked before its "run" is taken
 */
static int replay_run_param(json_object *m, json_object *o, struct patches *ps)
{
	json_object *run = hmfs_json_get(o, "run", json_type_object);
	json_object *param = hmfs_json_get(o, "param", json_type_object);
	int ret;

	/* checked whole before any of it goes in: a damaged last record is dropped whole */
	if (!run || !param || !patch_ok(run))
		return -EUCLEAN;
	ret = replay_param(m, param, true);
	return ret ? ret : patch_add(ps, run);
}

/* device @id of @m's "devices" (has_device()) */
static json_object *device_of(json_object *m, const char *id)
{
	json_object *devs = hmfs_json_get(m, "devices", json_type_array);

	for (size_t i = 0; devs && i < json_object_array_length(devs); i++)
		if (!strcmp(str(json_object_array_get_idx(devs, i), "id"), id))
			return json_object_array_get_idx(devs, i);
	return NULL;
}

/*
 * A "qemu-requested" record (dev.c vmem_queue(): a qom-set answered
 * behind a guest's offline): its device, as the records so far leave it
 * (a "device" record's, merged at the end, else the machine's), with
 * "queued-requested-size"; a device that is not there is damage
 */
static int replay_qemu_requested(json_object *m, json_object *o, struct patches *ps)
{
	json_object *req = hmfs_json_get(o, "requested-size", json_type_int), *d, *c = NULL;
	const char *id = str(o, "id");
	bool pending;

	if (!hmfs_json_get(o, "id", json_type_string) || !req || !has_device(m, id))
		return -EUCLEAN;
	pending = ps->devices && json_object_object_get(ps->devices, id);
	d = pending ? json_object_object_get(ps->devices, id) : device_of(m, id);
	if (json_object_deep_copy(d, &c, NULL))
		return -ENOMEM;
	json_object_object_add(c, "queued-requested-size", json_object_get(req));
	if (pending) {
		json_object_object_add(ps->devices, id, c);
	} else {
		/* devices_put() takes a reference of its own: ours is dropped */
		devices_put(m, id, c);
		json_object_put(c);
	}
	return 0;
}

static int replay_change(json_object *m, json_object *rec, struct patches *ps)
{
	json_object *set = hmfs_json_get(rec, "set", json_type_object);

	if (hmfs_json_get(rec, "void", json_type_object)) /* a failed record's place (void_kept()) */
		return 0;
	if (hmfs_json_get(rec, "device", json_type_object))
		return replay_device(m, hmfs_json_get(rec, "device", json_type_object), ps);
	if (hmfs_json_get(rec, "iattr", json_type_object))
		return replay_iattr(m, hmfs_json_get(rec, "iattr", json_type_object));
	if (hmfs_json_get(rec, "qemu-device", json_type_object) ||
	    hmfs_json_get(rec, "qemu-device-del", json_type_object))
		return replay_qemu(m, rec, ps);
	if (hmfs_json_get(rec, "param", json_type_object))
		return replay_param(m, hmfs_json_get(rec, "param", json_type_object), false);
	if (hmfs_json_get(rec, "run-param", json_type_object))
		return replay_run_param(m, hmfs_json_get(rec, "run-param", json_type_object), ps);
	if (hmfs_json_get(rec, "qemu-requested", json_type_object))
		return replay_qemu_requested(m, hmfs_json_get(rec, "qemu-requested", json_type_object),
					     ps);
	if (!set)
		return patch_add(ps, hmfs_json_get(rec, "run", json_type_object));
	/* checked whole before any of it goes in: a damaged last record is dropped whole */
	json_object_object_foreach(set, k, v)
		if (!set_value_ok(k, v))
			return -EUCLEAN;
	ps->order++;
	json_object_object_foreach(set, key, val) {
		json_object_object_add(m, key, json_object_get(val));
		if (!strcmp(key, "blocks")) {
			patches_clear(ps);
			ranges_clear(ps);
		}
		if (!strcmp(key, "devices")) {
			json_object_put(ps->devices);
			ps->devices = NULL;
		}
	}
	return 0;
}

/* a record with a change of the machine (not the kernel's allocations' alone) */
static bool record_changes(json_object *rec)
{
	static const char *const kinds[] = { "set", "run", "device", "iattr", "qemu-device",
					     "qemu-device-del", "param", "qemu-requested",
					     "run-param" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (hmfs_json_get(rec, kinds[i], json_type_object))
			return true;
	return false;
}

/* a record's change, then what the kernel's allocations did with it; or those alone */
static int replay_record(json_object *m, json_object *rec, struct patches *ps)
{
	json_object *kmem = hmfs_json_get(rec, "kmem", json_type_object);
	int ret = 0;

	if (!kmem || record_changes(rec))
		ret = replay_change(m, rec, ps);
	return ret || !kmem ? ret : replay_kmem(m, kmem, &ps->kr, ps->after_base);
}

/*
 * a record's "kmem" value's bytes as append_record() counted them: a
 * restart's journal weighs what it did before (journal_weight()), where
 * a replayed journal counted its kmem in full and compacted up to 4x
 * early after a failed start save (reread19-fusefs F2)
 */
static size_t record_kmem_len(json_object *rec)
{
	json_object *kmem = hmfs_json_get(rec, "kmem", json_type_object);

	return kmem ? strlen(json_object_to_json_string_ext(kmem, JSON_C_TO_STRING_PLAIN)) : 0;
}

/* one journal line "CRC32 JSON" (NUL-terminated; @whole: a newline ended it): NULL if torn */
static json_object *parse_record(const char *line, bool whole)
{
	unsigned long crc;
	char *sp;

	crc = strtoul(line, &sp, 16);
	return whole && sp == line + 8 && *sp == ' ' && crc == hmfs_crc32(sp + 1, strlen(sp + 1)) ?
		       json_tokener_parse(sp + 1) :
		       NULL;
}

/*
 * a record of a kind this hotmemfs writes; "void" changes nothing: it was
 * written over a failed one (void_kept())
 */
static bool record_known(json_object *rec)
{
	return record_changes(rec) || hmfs_json_get(rec, "kmem", json_type_object) ||
	       hmfs_json_get(rec, "void", json_type_object);
}

/*
 * What is wrong with a journal line that is no record following @expect
 * - 1: the checks parse_record(), record_known() and replay_journal()'s
 * seq made, in their order; past them all, replay_record() refused it.
 */
static void record_fault(const char *line, bool whole, uint64_t expect, char *why, size_t len)
{
	unsigned long crc = 0;
	json_object *rec = NULL;
	char *sp = (char *)line;

	if (isxdigit((unsigned char)line[0]))
		crc = strtoul(line, &sp, 16);
	if (!whole)
		snprintf(why, len, "is cut short (no newline)");
	else if (sp != line + 8 || *sp != ' ')
		snprintf(why, len, "does not start with its CRC32 (\"CRC32 JSON\" expected)");
	else if (crc != hmfs_crc32(sp + 1, strlen(sp + 1)))
		snprintf(why, len, "fails its CRC32 checksum (%08lx written, %08x computed)", crc,
			 hmfs_crc32(sp + 1, strlen(sp + 1)));
	else if (!(rec = json_tokener_parse(sp + 1)))
		snprintf(why, len, "is not JSON (its checksum is right)");
	else if (!record_known(rec))
		snprintf(why, len, "is no change this hotmemfs knows (its checksum is right)");
	else if (u64(rec, "seq") != expect)
		snprintf(why, len, "has seq %llu where %llu was expected (its checksum is right)",
			 (unsigned long long)u64(rec, "seq"), (unsigned long long)expect);
	else
		snprintf(why, len, "is a change that does not fit the machine before it (its checksum is right)");
	json_object_put(rec);
}

/*
 * @line's seq when it is a whole record, the first after the state
 * file's (@seq still @fileseq: none replayed) and past the next: the
 * journal goes on from a newer state file than this one (abuse25c D2:
 * a backup put back under a running hotmemfs); else 0
 */
static uint64_t file_behind(const char *line, bool whole, uint64_t seq, uint64_t fileseq)
{
	json_object *rec = seq == fileseq ? parse_record(line, whole) : NULL;
	uint64_t rseq = record_known(rec) ? u64(rec, "seq") : 0;

	json_object_put(rec);
	return rseq > fileseq + 1 ? rseq : 0;
}

/*
 * A damaged record @n (the last line too, unless torn): @err says what is wrong
 * with it and what follows it, ctx->journal_damage what each way out
 * keeps.  @rest: the lines after it (cut into lines here); @seq: the
 * last change replayed (@fileseq: none), @prev: the seq of the last
 * good line (0: none).  Every line after it but a torn last one was
 * acknowledged, and so was the damaged one, unless the state file holds
 * it (a compaction cut short: @prev below @fileseq).
 */
static void describe_damage(struct hmfs_ctx *ctx, const char *line, bool whole, char *rest,
			    uint64_t n, uint64_t seq, uint64_t fileseq, uint64_t prev, char *err,
			    size_t errlen)
{
	uint64_t k = n, intact = 0, bad = 0, first_bad = 0, acked = 0;
	char why[160], more[160] = "", range[64], after[256];
	bool torn = false;

	record_fault(line, whole, seq + 1, why, sizeof(why));
	for (char *next; *rest; rest = next) {
		char *nl = strchr(rest, '\n');
		json_object *rec;

		next = nl ? nl + 1 : rest + strlen(rest);
		if (nl)
			*nl = '\0';
		rec = parse_record(rest, nl != NULL);
		k++;
		if (rec && record_known(rec)) {
			intact++;
			acked += u64(rec, "seq") > fileseq;
		} else if (!rec && !*next) {
			torn = true; /* the last, torn (as replay_journal() tells): never acknowledged */
		} else {
			first_bad = first_bad ? first_bad : k;
			bad++;
			acked++;
		}
		json_object_put(rec);
	}
	snprintf(range, sizeof(range), n + 1 == k ? "record %llu" : "records %llu-%llu",
		 (unsigned long long)n + 1, (unsigned long long)k);
	if (bad)
		snprintf(more, sizeof(more), "%s %llu damaged too (the first: record %llu)",
			 torn ? "," : " and", (unsigned long long)bad, (unsigned long long)first_bad);
	if (torn)
		snprintf(more + strlen(more), sizeof(more) - strlen(more),
			 " and record %llu, the last, was cut short by a crash", (unsigned long long)k);
	if (k == n) /* itself the last, whole: a crash cannot make that */
		snprintf(after, sizeof(after), "it is the last record");
	else if (bad || torn)
		snprintf(after, sizeof(after), "of %s, %llu %s intact%s", range,
			 (unsigned long long)intact, intact == 1 ? "is" : "are", more);
	else
		snprintf(after, sizeof(after), "%s %s intact", range, n + 1 == k ? "is" : "are");
	ctx->journal_damage = (struct hmfs_journal_damage){
		.record = n,
		.kept = seq - fileseq,
		.lost = acked + !(prev && prev < fileseq),
		.file_behind = file_behind(line, whole, seq, fileseq),
	};
	if (ctx->journal_damage.file_behind)
		snprintf(err, errlen,
			 "the state file %s (seq %llu) is older than its journal, whose record %llu has seq %llu (its checksum is right): the journal follows a newer state file -- was %s replaced, a backup put back?",
			 ctx->state_path, (unsigned long long)fileseq, (unsigned long long)n,
			 (unsigned long long)ctx->journal_damage.file_behind, ctx->state_path);
	else
		snprintf(err, errlen,
			 "journal %s.journal is damaged: record %llu of %llu %s; %s: %llu change%s acknowledged after it",
			 ctx->state_path, (unsigned long long)n, (unsigned long long)k, why, after,
			 (unsigned long long)acked, acked == 1 ? "" : "s");
}

/*
 * PATH.journal kept under the first free name of PATH@suffix, then .2,
 * ... .99 (never over an older one): renamed, or (@link) given that name
 * too, the directory synced.  @kept: the suffix it took.
 */
static int keep_journal_as(struct hmfs_ctx *ctx, const char *suffix, bool link, char *kept,
			   size_t keptlen, char *err, size_t errlen)
{
	char name[PATH_MAX + 32], to[PATH_MAX + 32], path[PATH_MAX + 32];
	int k, ret;

	sibling(ctx, ".journal", name, sizeof(name));
	for (k = 1; k < 100; k++) {
		snprintf(kept, keptlen, k > 1 ? "%s.%d" : "%s", suffix, k);
		aside_sibling(ctx, kept, to, sizeof(to));
		ret = link ? linkat(ctx->state_dirfd, name, ctx->state_dirfd, to, 0) :
			     renameat2(ctx->state_dirfd, name, ctx->state_dirfd, to, RENAME_NOREPLACE);
		if (!ret)
			break;
		if (errno != EEXIST) {
			ret = -errno;
			snprintf(err, errlen, "journal %s.journal: keeping it as %s: %s",
				 ctx->state_path, aside_path(ctx, kept, path, sizeof(path)),
				 strerror(-ret));
			return ret;
		}
	}
	if (k == 100) {
		snprintf(err, errlen,
			 "journal %s.journal: keeping it as %s: that, .2 ... .99 are all taken: move them away",
			 ctx->state_path, aside_path(ctx, suffix, path, sizeof(path)));
		return -EEXIST;
	}
	if (fsync(ctx->state_dirfd))
		fprintf(stderr, "hotmemfs: %s: directory fsync: %s\n", ctx->state_path,
			strerror(errno));
	return 0;
}

/*
 * A journal holding records while its state file is missing: the state
 * file was moved away (the advice for a damaged one) or deleted by hand.
 * Its records are the changes acknowledged since the last compaction, and
 * their only copy: emptying it, as a new machine's first save does, lost
 * them without a word (usereye4 #26).  It is renamed PATH.journal.orphaned
 * (.orphaned.2 ... if taken: never over an older one), said with what it
 * holds, and a new journal opened.  Under the state file's lock.
 */
static int keep_orphaned_journal(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	char suffix[32], kept[PATH_MAX + 32], *text = NULL, *line, *next;
	uint64_t first = 0, last = 0, n = 0, torn = 0;
	struct stat st;
	bool made;
	int ret;

	if (!fstatat(ctx->state_dirfd, base_name(ctx->state_path), &st, AT_SYMLINK_NOFOLLOW) ||
	    errno != ENOENT)
		return 0; /* there (or unreadable: the load says so) */
	ret = read_journal(ctx, &text, err, errlen);
	if (ret || !text[0])
		goto out; /* empty, or zeros only: nothing to keep */
	for (line = text; *line; line = next) {
		char *nl = strchr(line, '\n');
		json_object *rec;

		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		rec = parse_record(line, nl != NULL);
		if (rec && u64(rec, "seq")) {
			first = n++ ? first : u64(rec, "seq");
			last = u64(rec, "seq");
		} else {
			torn++;
		}
		json_object_put(rec);
	}
	if (!n)
		goto out; /* a torn line alone: never acknowledged, nothing to keep */
	ret = keep_journal_as(ctx, ".journal.orphaned", false, suffix, sizeof(suffix), err, errlen);
	if (ret)
		goto out;
	fprintf(stderr,
		"hotmemfs: %s.journal holds %llu record%s (seq %llu-%llu%s): the changes acknowledged since the last compaction, "
		"but its state file %s is missing: the journal is kept as %s, not emptied, and a new machine starts\n"
		"hotmemfs: to restore the old machine instead: stop hotmemfs, put the state file back with its journal (e.g. mv %s.bad %s && mv %s %s.journal), start it again\n",
		ctx->state_path, (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)first,
		(unsigned long long)last, torn ? "; its last line torn" : "", ctx->state_path,
		aside_path(ctx, suffix, kept, sizeof(kept)), ctx->state_path, ctx->state_path, kept,
		ctx->state_path);
	close(ctx->journal_fd);
	ctx->journal_fd = -1;
	/*
	 * Not counted as made: a failed start renames the kept journal back
	 * over it (hmfs_state_unmake()), the directory as it was
	 */
	snprintf(ctx->journal_kept_as, sizeof(ctx->journal_kept_as), "%s", suffix);
	ret = open_journal(ctx, &made, err, errlen);
out:
	free(text);
	return ret;
}

/*
 * --restore-partial, a damaged record @n found at @good (@err says what
 * it is): the journal as it was keeps a name of its own,
 * PATH.journal.damaged, and the records before the damage become the
 * journal (rotate_journal(): a new file renamed over it).  A crash
 * before that rename leaves the damaged journal in place, the start
 * refused again; after, the records kept.  The replay ends at @good,
 * as at a torn last record.
 */
static int keep_damaged_journal(struct hmfs_ctx *ctx, size_t good, char *err, size_t errlen)
{
	const struct hmfs_journal_damage *d = &ctx->journal_damage;
	char suffix[32], kept[PATH_MAX + 32], *what = strdup(err); /* whole: any path's */
	int ret;

	if (!what)
		return -ENOMEM; /* @err still says the damage */
	ret = keep_journal_as(ctx, ".journal.damaged", true, suffix, sizeof(suffix), err, errlen);
	if (ret) {
		/* the damage said first: the refusal's error is the keeping's */
		fprintf(stderr, "hotmemfs: %s\n", what);
		goto refused;
	}
	/*
	 * Said before rotate_journal()'s rename cuts the journal: a crash
	 * after it leaves a whole journal a later start takes without a
	 * word, so the loss is told first (finalD #2)
	 */
	fprintf(stderr,
		"hotmemfs: %s\n"
		"hotmemfs: --restore-partial: restoring the state file %s and the %llu change%s before record %llu; "
		"%llu acknowledged change%s from record %llu on %s lost; the journal as it was is kept as %s\n",
		what, ctx->state_path, (unsigned long long)d->kept, d->kept == 1 ? "" : "s",
		(unsigned long long)d->record, (unsigned long long)d->lost, d->lost == 1 ? "" : "s",
		(unsigned long long)d->record, d->lost == 1 ? "is" : "are",
		aside_path(ctx, suffix, kept, sizeof(kept)));
	ctx->journal_len = good;
	ret = rotate_journal(ctx, 0, 0);
	if (ret) {
		/* the journal untouched: its second name goes too, and a later try takes it again */
		unlink_sibling(ctx, suffix);
		snprintf(err, errlen,
			 "journal %s.journal: keeping its records before record %llu: %s; the journal is as it was, nothing lost",
			 ctx->state_path, (unsigned long long)d->record, strerror(-ret));
		goto refused;
	}
	err[0] = '\0';
	/* taken: a later refusal of this start is not the journal's */
	ctx->journal_damage = (struct hmfs_journal_damage){ 0 };
	free(what);
	return 0;
refused:
	/* what the refusal's advice offers (main.c): not this again, unless moving names mends it */
	ctx->journal_damage.partial_err = ret;
	free(what);
	return ret;
}

/*
 * The journal's records after the state file's seq, in order.  A last
 * line cut short or failing its checksum is a record a crash
 * interrupted: its change was never acknowledged, and it is dropped.
 * Any other damage (a whole, checksummed last record refused too)
 * refuses the start, like a damaged state
 * file, saying what is wrong and what each way out keeps; with
 * --restore-partial the replay ends there instead.
 */
static int replay_journal(struct hmfs_ctx *ctx, json_object *root, json_object *m, char *err,
			  size_t errlen)
{
	uint64_t seq = u64(root, "seq"), fileseq = seq, prev = 0, n = 0;
	struct patches ps = { .block_size = ctx->block_size };
	char *text = NULL, *line, *next;
	size_t good = 0, good_kmem = 0;
	int ret;

	if (ctx->journal_fd < 0) { /* no journal held (tests/fuzz/fuzz_state.c): the file alone */
		ctx->journal_seq = ctx->journal_durable = seq;
		return 0;
	}
	ret = read_journal(ctx, &text, err, errlen);
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "journal %s.journal: %s", ctx->state_path,
				 strerror(-ret));
		return ret;
	}
	for (line = text; *line; line = next) {
		json_object *rec;
		char *nl = strchr(line, '\n');
		bool known, torn;

		next = nl ? nl + 1 : line + strlen(line);
		n++;
		if (nl)
			*nl = '\0';
		rec = parse_record(line, nl != NULL);
		torn = !rec;
		known = record_known(rec);
		if (known && u64(rec, "seq") <= seq) { /* compaction was cut short: the file has it */
			prev = u64(rec, "seq");
			good_kmem += record_kmem_len(rec);
			json_object_put(rec);
			good = (size_t)(next - text);
			continue;
		}
		ps.after_base = seq == fileseq;
		ret = known && u64(rec, "seq") == seq + 1 ? replay_record(m, rec, &ps) : -EUCLEAN;
		if (!ret)
			good_kmem += record_kmem_len(rec);
		json_object_put(rec);
		/*
		 * Torn only if no newline ends it or its checksum or format
		 * fails (parse_record() NULL): a crash's write lands as a prefix
		 * over zeros.  A whole, checksummed last record that is refused
		 * (seq gap, unknown kind, a change that does not fit) was
		 * acknowledged: damage, never dropped (finalD #1).
		 */
		if (ret == -EUCLEAN && !*next && torn) {
			fprintf(stderr,
				"hotmemfs: %s.journal: record %llu was cut short by a crash (never acknowledged): dropped\n",
				ctx->state_path, (unsigned long long)n);
			ret = 0;
			break;
		}
		if (ret == -EUCLEAN) {
			describe_damage(ctx, line, nl != NULL, next, n, seq, fileseq, prev, err,
					errlen);
			if (ctx->restore_partial)
				ret = keep_damaged_journal(ctx, good, err, errlen);
			if (!ret)
				break;
			goto out;
		}
		if (ret)
			goto fail;
		prev = ++seq;
		good = (size_t)(next - text);
	}
	ret = pending_merge(m, &ps);
	if (ret)
		goto fail;
	/*
	 * Records go after the last good record, not after a torn one,
	 * over zeros whose size and blocks are on disk (HMFS_JOURNAL_CHUNK)
	 */
	if (ftruncate(ctx->journal_fd, (off_t)good)) {
		ret = -errno;
		snprintf(err, errlen, "journal %s.journal: %s", ctx->state_path, strerror(-ret));
		goto out;
	}
	ctx->journal_seq = ctx->journal_durable = seq;
	ctx->journal_len = ctx->journal_durable_len = ctx->journal_size = good;
	ctx->journal_kmem_len = ctx->journal_durable_kmem_len = good_kmem;
	journal_grow(ctx, HMFS_JOURNAL_CHUNK / 2);
	if (fsync(ctx->journal_fd))
		fprintf(stderr, "hotmemfs: %s.journal: %s\n", ctx->state_path, strerror(errno));
	goto out;
fail:
	if (ret == -EUCLEAN) { /* pending_merge(): every record whole, their runs not */
		snprintf(err, errlen,
			 "journal %s.journal is damaged: the block runs of its %llu records do not fit the state file's (overlapping, or none)",
			 ctx->state_path, (unsigned long long)n);
		ctx->journal_damage = (struct hmfs_journal_damage){ .lost = seq - fileseq };
	} else {
		snprintf(err, errlen, "journal %s.journal: %s", ctx->state_path, strerror(-ret));
	}
out:
	patches_clear(&ps);
	ranges_clear(&ps);
	kmem_replay_clear(&ps.kr);
	json_object_put(ps.devices);
	free(ps.p);
	free(ps.r);
	free(text);
	return ret;
}

/*
 * "node-ids": how the file's guest node ids were given.  Since 2026-12-02
 * (bb6ce2c9) the profile's node numbers are QEMU's PXMs and the guest's
 * ids come in SRAT order (engine/srat.c), "srat"; a file without the key
 * was saved when the guest's id was the PXM.  Its per-node state (each
 * node's HugeTLB pool, "hugetlb-next-nid", nodeN/ attributes, kernel
 * allocations by node and zone) is by the old ids: where the profile's
 * map is the identity (every built-in) they are today's and the file
 * gets the key with the start's save; where it renumbers, the state
 * would land on other nodes (an acknowledged nr_hugepages lost), so the
 * start is refused rather than translating each of those keys.
 */
static int check_node_ids(struct hmfs_ctx *ctx, json_object *m, char *err, size_t errlen)
{
	const char *ids = json_object_get_string(hmfs_json_get(m, "node-ids", json_type_string));
	int pxm = 0;

	if (ids && !strcmp(ids, NODE_IDS_SRAT))
		return 0;
	if (ids) {
		char shown[256];

		snprintf(err, errlen,
			 "state file %s: \"node-ids\" is '%s', a numbering of the guest's nodes this build does not know (\"%s\")",
			 ctx->state_path, hmfs_shown(shown, sizeof(shown), ids), NODE_IDS_SRAT);
		return -EINVAL;
	}
	while (pxm < HM_MAX_NUMNODES && hotmem_pxm_to_node(ctx->hm, pxm) == pxm)
		pxm++;
	if (pxm == HM_MAX_NUMNODES) {
		json_object_object_add(m, "node-ids", json_object_new_string(NODE_IDS_SRAT));
		return 0;
	}
	snprintf(err, errlen,
		 "state file %s: saved before the guest's node ids came in SRAT order (2026-12-02), when node N was QEMU's node N; this profile's QEMU node %d is node%d now, so the file's per-node state (HugeTLB pools, node attributes, kernel allocations) would land on other nodes\n"
		 "hotmemfs: refusing to restore it onto renumbered nodes; start with --fresh, or keep running the build it was saved with",
		 ctx->state_path, pxm, hotmem_pxm_to_node(ctx->hm, pxm));
	return -EINVAL;
}

/* the file's "zone-movable-pfn" (@saved) is the machine's: a pfn for each possible node, each the same */
static bool zone_movable_same(struct hotmem *hm, json_object *saved)
{
	int nr = hotmem_nr_possible_nodes(hm);

	if ((int)json_object_array_length(saved) != nr)
		return false;
	for (int nid = 0; nid < nr; nid++) {
		json_object *v = json_object_array_get_idx(saved, (size_t)nid);

		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_uint64(v) != hotmem_zone_movable_pfn(hm, nid))
			return false;
	}
	return true;
}

/* the first node with a boot ZONE_MOVABLE, -1 for none */
static int first_zone_movable_node(struct hotmem *hm)
{
	for (int nid = 0; nid < hotmem_nr_possible_nodes(hm); nid++)
		if (hotmem_zone_movable_pfn(hm, nid))
			return nid;
	return -1;
}

/*
 * "zone-movable-pfn": where the command line's kernelcore=/movablecore=
 * started each node's boot ZONE_MOVABLE when the file was saved.  A file
 * without the key was saved before they were modelled (2026-12-02): its
 * machine booted every boot block in a kernel zone, and its blocks' zones
 * and kernel allocations are that machine's.  Where this boot has no
 * ZONE_MOVABLE either it is the same machine, and the start's save writes
 * the key; where it has one, or one elsewhere than saved, the start is
 * refused rather than restoring onto another machine.
 */
static int check_zone_movable(struct hmfs_ctx *ctx, json_object *m, char *err, size_t errlen)
{
	json_object *saved = hmfs_json_get(m, "zone-movable-pfn", json_type_array);
	int nid = first_zone_movable_node(ctx->hm);

	if (saved ? zone_movable_same(ctx->hm, saved) : nid < 0) {
		if (!saved)
			json_object_object_add(m, "zone-movable-pfn", zone_movable_json(ctx->hm));
		return 0;
	}
	if (nid < 0)
		nid = 0;
	snprintf(err, errlen,
		 "state file %s: %s; this boot's node %d ZONE_MOVABLE starts at pfn %#lx (kernelcore=, movablecore=)\n"
		 "hotmemfs: refusing to restore it onto another machine; start with --fresh, or keep running the build it was saved with",
		 ctx->state_path,
		 saved ? "its machine's boot ZONE_MOVABLE started elsewhere" :
			 "saved before kernelcore= and movablecore= were modelled (2026-12-02), when every boot block booted in a kernel zone",
		 nid, hotmem_zone_movable_pfn(ctx->hm, nid));
	return -EINVAL;
}

/*
 * "boot-id": the machine's proc/sys/kernel/random/boot_id, the same for
 * its life (the state file's), so that a restart on the file is the same
 * boot to hotmemd.  A file without it (before 2026-11-30), or with one
 * not a UUID, keeps the one made at this start (main.c), which the start's
 * whole save writes into it: from then on it is kept.
 */
static void restore_boot_id(struct hmfs_ctx *ctx, json_object *m)
{
	const char *id = json_object_get_string(hmfs_json_get(m, "boot-id", json_type_string));

	if (hmfs_boot_id_valid(id))
		snprintf(ctx->boot_id, sizeof(ctx->boot_id), "%s", id);
	else
		json_object_object_add(m, "boot-id", json_object_new_string(ctx->boot_id));
}

/*
 * @m's @key, an empty array where a file from before it has none; false:
 * no memory (nomem44: it went in null or not at all -- a saved machine
 * then short of it, an undo's @pre that never matched)
 */
static bool array_or_empty(json_object *m, const char *key)
{
	return hmfs_json_get(m, key, json_type_array) ||
	       hmfs_json_add_new(m, key, json_object_new_array());
}

/* the restart refused: its saved machine cannot be made (the file is kept as it is) */
static int no_memory(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	snprintf(err, errlen, "state file %s: no memory for its machine", ctx->state_path);
	return -ENOMEM;
}

int hmfs_state_load(struct hmfs_ctx *ctx, bool *found, char *err, size_t errlen)
{
	json_object *root, *m, *blocks;
	struct kmem_saved ks = { 0 };
	int ret;

	*found = false;
	if (!ctx->state_path[0])
		return 0;
	if (faccessat(AT_FDCWD, ctx->state_path, F_OK, AT_SYMLINK_NOFOLLOW))
		return 0;
	ret = read_state(ctx->state_path, &root, &m, err, errlen);
	if (ret)
		return ret;
	if (u64(m, "block-size") != ctx->block_size) {
		snprintf(err, errlen,
			 "state file %s is for block size 0x%llx, the machine has 0x%llx",
			 ctx->state_path, (unsigned long long)u64(m, "block-size"),
			 (unsigned long long)ctx->block_size);
		ret = -EINVAL;
		goto out;
	}
	ret = hmfs_state_check_profile(ctx, hmfs_json_get(m, "profile-config", json_type_array), err,
				       errlen);
	if (ret)
		goto out;
	ret = check_node_ids(ctx, m, err, errlen);
	if (!ret)
		ret = check_zone_movable(ctx, m, err, errlen);
	if (ret)
		goto out;
	ret = replay_journal(ctx, root, m, err, errlen);
	if (!ret)
		ret = check_kmem_pageblocks(ctx, m, err, errlen);
	if (ret)
		goto out;
	/*
	 * a file from before "hwpoison": no page retired (pre_matches()
	 * compares it); nor "iattrs": every node as the kernel made it; nor
	 * "hugetlb": no HugeTLB pool
	 */
	if (!array_or_empty(m, "hwpoison") || !array_or_empty(m, "iattrs") ||
	    !array_or_empty(m, "hugetlb")) {
		ret = no_memory(ctx, err, errlen);
		goto out;
	}
	restore_boot_id(ctx, m);
	ctx->restoring = true;
	/* the kernel's own allocations saved: none made on the way, the saved ones put back */
	blocks = hmfs_json_get(m, "blocks", json_type_array);
	restore_kmem_begin(ctx, hmfs_json_get(m, "kmem", json_type_object), blocks, &ks);
	/* and the memmaps from system RAM at their blocks (a file from before: none kept) */
	restore_memmap_begin(ctx, hmfs_json_get(m, "memmap", json_type_array));
	/* new memory must come up offline: the saved states say the rest */
	hotmem_set_auto_online(ctx->hm, HM_MMOP_OFFLINE);
	ret = restore_devices(ctx, hmfs_json_get(m, "devices", json_type_array), err, errlen);
	/* the profile's devices removed before the restart go again (an older file keeps them) */
	if (!ret && hmfs_json_get(m, "profile-devices", json_type_array))
		ret = hmfs_dev_drop_profile(ctx, profile_dev_removed,
					    hmfs_json_get(m, "profile-devices", json_type_array),
					    err, errlen);
	if (!ret)
		ret = restore_probed(ctx, hmfs_json_get(m, "probed", json_type_array), err, errlen);
	if (!ret) {
		/* what the file says: the next record is what differs from it */
		keep_saved(ctx, json_object_get(m), NULL, ctx->qemu_gen);
		ctx->blocks_astray = hmfs_state_restore_blocks(ctx, blocks, &ctx->block_astray);
		warn_missing(ctx, blocks);
		/* every block online as saved: the memmaps whose blocks were not, moved there */
		restore_memmap_end(ctx);
		/* with every block as saved, before the pool takes pages */
		restore_kmem_end(ctx, &ks);
		/* before the parameters: a notifier error would fail the moment's online */
		restore_retired(ctx, hmfs_json_get(m, "hwpoison", json_type_array));
		/*
		 * Before the pool, which grows only as far as the watermarks
		 * let it: one grown under an operator's lowered
		 * min_free_kbytes came back short under the restore onlines'
		 * computed one (reread31 R7).  After the retired pages, whose
		 * moment's online and offline compute min_free_kbytes again
		 * over a lower operator's value, as 6.12's
		 * calculate_min_free_kbytes() does.
		 */
		restore_watermark_sysctls(ctx, hmfs_json_get(m, "params", json_type_object));
		hmfs_state_restore_hugetlb(ctx, hmfs_json_get(m, "hugetlb", json_type_array), -1);
		/* after the pool, whose restore moved it; a file without it: as that left it */
		hmfs_state_restore_hugetlb_next_nid(ctx, hmfs_json_get(m, "hugetlb-next-nid",
									json_type_object));
		/* after the pool, whose optimisation gives some up again by itself */
		restore_boot_memmap_freed(ctx, hmfs_json_get(m, "boot-memmap-freed",
							     json_type_array));
		/* its head vmemmap pages where they were, before the memmaps' pages take theirs */
		restore_hugetlb_heads(ctx, hmfs_json_get(m, "hugetlb", json_type_array));
		/* and the hot-added memmaps' pages its restores moved, likewise */
		restore_memmap_moved(ctx, hmfs_json_get(m, "memmap", json_type_array));
		hmfs_state_restore_params(ctx, hmfs_json_get(m, "params", json_type_object));
		/* last of the engine's: after the pool and HVO, which move managed pages */
		restore_zone_wmarks(ctx, hmfs_json_get(m, "params", json_type_object));
		/* by path, once the blocks they are under are back */
		hmfs_iattr_restore(ctx, hmfs_json_get(m, "iattrs", json_type_array));
		/*
		 * saved's "iattrs" are what was restored, which is not the
		 * file's text when a firmware map entry came back as another
		 * number, or an entry was left out (malformed, its node gone):
		 * an undo's @pre compared with the file's froze hotmemfs
		 */
		ctx->saved_stale |= 1u << KEY_IATTRS;
		/*
		 * and its "hugetlb-next-nid" is the machine's: a file without
		 * it, or with a node not possible, has the restore's
		 */
		if (hmfs_json_add_new(ctx->saved, machine_keys[KEY_HUGETLB_NEXT_NID],
				      hugetlb_next_nid_json(ctx))) {
			forget_text(ctx, KEY_HUGETLB_NEXT_NID);
			*found = true;
		} else {
			ret = no_memory(ctx, err, errlen);
		}
	}
	/*
	 * the saved machine had no driver work pending: what the restore's
	 * onlines queued goes; the probe's queues what a running kernel's
	 * driver would have (a run a kill -9 lost: reread26 R2)
	 */
	hmfs_dev_forget_work(ctx);
	if (!ret)
		restore_work(ctx, hmfs_json_get(m, "devices", json_type_array));
	restore_kmem_done(ctx, &ks);
	/* a restore that failed keeps no places for the adds that follow */
	if (ret)
		hotmem_memmap_restore_begin(ctx->hm, NULL, 0);
	ctx->restoring = false;
out:
	json_object_put(root);
	return ret;
}
