// SPDX-License-Identifier: MIT
/*
 * hotmemd: the block model and the zone accounting.
 *
 * Zone accounting.  The kernel's auto-movable policy compares MOVABLE
 * present pages with KERNEL_EARLY present pages (kernel zones' memory
 * present since boot).  /proc/zoneinfo shows present pages per zone but not
 * which were there at boot, so we anchor on it once (coldplug, SIGHUP) and
 * keep the rest per block:
 *
 *   kernel_offset  = zoneinfo kernel present - cma - online kernel blocks
 *   movable_offset = zoneinfo Movable present + cma - online movable blocks
 *   kernel_early   = kernel_offset + online *boot* blocks in kernel zones
 *   movable        = movable_offset + online Movable blocks
 *
 * The offsets absorb holes and memory the blocks do not show; afterwards
 * our own writes and ONLINE/OFFLINE uevents keep the numbers right even
 * where zoneinfo never changes (a plain-file sysroot).  Which blocks are
 * boot memory: bootblocks.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

struct hmd_block *hmd_block_get(struct hmd *d, unsigned long id)
{
	struct hmd_block *nb;
	unsigned long n;

	if (id < d->nblk)
		return &d->blk[id];
	if (id >= HMD_MAX_BLOCK_ID)
		return NULL;
	n = d->nblk ? d->nblk : 256;
	while (n <= id)
		n *= 2;
	if (hmd_link_wait_grow(d, n))
		return NULL;
	nb = realloc(d->blk, n * sizeof(*nb));
	if (!nb)
		return NULL;
	memset(nb + d->nblk, 0, (n - d->nblk) * sizeof(*nb));
	for (unsigned long i = d->nblk; i < n; i++)
		nb[i].state_fd = -1;
	d->blk = nb;
	d->nblk = n;
	return &d->blk[id];
}

struct hmd_block *hmd_block_find(struct hmd *d, unsigned long id)
{
	return id < d->nblk && d->blk[id].present ? &d->blk[id] : NULL;
}

void hmd_blocks_free(struct hmd *d)
{
	unsigned long i;

	for (i = 0; i < d->nblk; i++) {
		hmd_retry_cancel(&d->blk[i]);
		if (d->blk[i].state_fd >= 0)
			close(d->blk[i].state_fd);
	}
	free(d->blk);
	d->blk = NULL;
	d->nblk = 0;
	hmd_link_wait_free(d);
}

unsigned long hmd_count_pending(struct hmd *d)
{
	unsigned long i, n = 0;

	for (i = 0; i < d->nblk; i++)
		n += d->blk[i].retry != NULL;
	return n;
}

/*
 * zone of an online block from valid_zones ("none": spans zones = kernel);
 * -errno when its state could not be read (then taken as offline).  One
 * going-offline (someone offlines it) counts as online in the zone the
 * model knew it in; not known (a start's scan), in valid_zones' first:
 * 6.12 valid_zones_show() lists the offered zones for any state but
 * MEM_ONLINE, the first zone_for_pfn_range(MMOP_ONLINE)'s -- under
 * contig-zones default_zone_for_pfn()'s, the zone whose span alone meets
 * the block, its own as long as its pages are still there; under
 * auto-movable, or a block both spans meet, maybe another: counted there
 * until its OFFLINE uevent (docs/hotmemd.md, the state row; reread36 R13).
 */
int hmd_block_refresh(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	const bool known = b->online && b->zone != HMD_ZONE_NONE, was_online = b->online;
	const bool pretend = b->pretend;
	enum hmd_bstate st;
	unsigned int mask;
	int first, hint, r;

	r = hmd_block_read_state(d, id, &st, &hint);
	if (r)
		st = HMD_BS_OFFLINE;
	b->offlining = st == HMD_BS_GOING_OFFLINE;
	b->online = st != HMD_BS_OFFLINE;
	/* what was read (or taken as offline) replaces a dry run's pretence */
	b->pretend = false;
	/*
	 * read offline where it was online: someone else offlined it
	 * (hotmemd never does), a restart's coldplug leaves it so; read
	 * online, someone onlined it (offlined.c).  An unreadable state
	 * says neither, nor a start's or the sysroot's return's coldplug
	 * (what the model held may be another machine's), nor a dry run's
	 * pretend online: nobody offlined what was never onlined -- the
	 * reload that ends the dry run reads it offline (reread38 R1).
	 */
	if (!r && was_online && !pretend && !b->online && !d->offlined_blind)
		hmd_offlined_set(d, id, true);
	else if (b->online)
		hmd_offlined_set(d, id, false);
	/*
	 * a given-up block read online was onlined by someone else (the
	 * give-up says how): not failed, in STATUS= and SIGUSR1's status
	 * alike, be it read for its ONLINE or by a rescan (reread36 R1)
	 */
	if (b->online && b->failed)
		hmd_block_set_failed(d, id, false);
	if (b->offlining && known)
		return 0;
	b->zone = HMD_ZONE_NONE;
	if (!b->online)
		return r;
	if (hmd_block_read_zones(d, id, &mask, &first))
		first = HMD_ZONE_NONE;
	if (hint == HMD_ZONE_MOVABLE)
		b->zone = HMD_ZONE_MOVABLE;
	else if (hint == HMD_ZONE_NORMAL)
		b->zone = (first != HMD_ZONE_NONE && hmd_zone_is_kernel(first)) ? first : hint;
	else
		b->zone = first;
	return 0;
}

/* block @id is in the memory group last asked for (hmd_block_group()) */
static bool in_cached_group(const struct hmd *d, unsigned long id)
{
	return d->group.valid && id >= d->group.lo && id <= d->group.hi;
}

/*
 * A block whose memoryN/nodeK link was missing at its last read
 * (nid_guessed: node 0 until then) has it read again when its state is:
 * 6.12 add_memory_resource() links the blocks after their ADDs, and a
 * SIGHUP rescan during a hot-add meets them so (a reload decides nothing
 * and waits for no link), as does a block decided at the node wait's cap.
 * Their pages counted on node 0 for good; now on their node from the first
 * ONLINE/OFFLINE after the link came (finalJ).
 */
static void node_reread(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	/* no link seen on any block: a kernel without CONFIG_NUMA, none will come */
	if (!b->nid_guessed || !d->node_links)
		return;
	hmd_block_node(d, id, b, false);
	/* a group walked with it on node 0 (memory_groups = contiguous) */
	if (!b->nid_guessed && in_cached_group(d, id))
		d->group.valid = false;
}

/* hmd_block_refresh() of a block the sums count: its pages moved with it */
void hmd_block_reread(struct hmd *d, unsigned long id)
{
	hmd_block_account(d, id, -1);
	node_reread(d, id, &d->blk[id]);
	hmd_block_refresh(d, id, &d->blk[id]);
	hmd_block_account(d, id, 1);
}

/* ---- accounting -------------------------------------------------------- */

/* block @id's firmware node, read the first time it is asked for */
unsigned int hmd_block_fwnode(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = &d->blk[id];

	if (b->fwnode == HMD_FWNODE_UNREAD)
		b->fwnode = hmd_block_read_fwnode(d, id);
	return b->fwnode;
}

/* a member of the group block @a is in: memory_groups decides what that means */
static bool same_group(struct hmd *d, unsigned long a, unsigned long b)
{
	const struct hmd_block *x = &d->blk[a], *y = &d->blk[b];
	unsigned int fw;

	if (!y->present)
		return false;
	if (d->cfg.groups == HMD_GROUPS_FIRMWARE) {
		fw = hmd_block_fwnode(d, a);
		return fw && fw == hmd_block_fwnode(d, b);
	}
	return !y->boot && y->nid == x->nid;
}

static void add_pages(unsigned long *v, unsigned long pages, int sign)
{
	*v = sign > 0 ? *v + pages : *v - pages;
}

void hmd_block_account(struct hmd *d, unsigned long id, int sign)
{
	const struct hmd_block *b = &d->blk[id];
	bool group = in_cached_group(d, id);

	if (!b->present || !b->online)
		return;
	add_pages(&d->nr_online, 1, sign);
	hmd_dyn_account(d, id, sign);
	if (hmd_block_is_movable(b)) {
		add_pages(&d->nr_movable, 1, sign);
		add_pages(&d->sum_mov[b->nid], d->block_pages, sign);
		if (group)
			add_pages(&d->group.g.present_movable_pages, d->block_pages, sign);
		return;
	}
	add_pages(&d->sum_kern[b->nid], d->block_pages, sign);
	if (b->boot)
		add_pages(&d->sum_kern_boot[b->nid], d->block_pages, sign);
	if (group)
		add_pages(&d->group.g.present_kernel_pages, d->block_pages, sign);
}

/*
 * A block came (ADD): next to the cached group and one of it, it makes
 * the group one block bigger -- a DIMM's ADDs arrive in order, so a burst
 * keeps its group instead of walking it again for every block.
 */
void hmd_block_joined(struct hmd *d, unsigned long id)
{
	if (!d->group.valid || id + 1 < d->group.lo || id > d->group.hi + 1)
		return;
	if (in_cached_group(d, id) && same_group(d, d->group.lo, id))
		return; /* seen in the sysroot before its ADD: counted */
	if (id == d->group.hi + 1 && same_group(d, d->group.hi, id)) {
		d->group.hi = id;
		d->group.g.max_pages += d->block_pages;
		/* it filled a hole: the run beyond belongs too, walk again */
		if (id + 1 < d->nblk && same_group(d, id, id + 1))
			d->group.valid = false;
	} else if (id + 1 == d->group.lo && same_group(d, d->group.lo, id)) {
		d->group.lo = id;
		d->group.g.max_pages += d->block_pages;
		if (id > 0 && same_group(d, id, id - 1))
			d->group.valid = false;
	} else if (in_cached_group(d, id)) {
		d->group.valid = false;
	}
}

void hmd_block_left(struct hmd *d, unsigned long id)
{
	if (in_cached_group(d, id))
		d->group.valid = false;
}

void hmd_blocks_recount(struct hmd *d)
{
	unsigned long i;

	memset(d->sum_kern, 0, sizeof(d->sum_kern));
	memset(d->sum_kern_boot, 0, sizeof(d->sum_kern_boot));
	memset(d->sum_mov, 0, sizeof(d->sum_mov));
	d->nr_online = d->nr_movable = d->nr_failed_now = 0;
	hmd_dyn_zero(d);
	d->group.valid = false;
	for (i = 0; i < d->nblk; i++) {
		hmd_block_account(d, i, 1);
		d->nr_failed_now += d->blk[i].present && d->blk[i].failed;
	}
}

/* block @id's give-up mark, the count STATUS= says kept with it (a present block's) */
void hmd_block_set_failed(struct hmd *d, unsigned long id, bool failed)
{
	struct hmd_block *b = &d->blk[id];

	if (b->present && b->failed != failed)
		add_pages(&d->nr_failed_now, 1, failed ? 1 : -1);
	b->failed = failed;
}

/*
 * Where ZONE_DMA and ZONE_DMA32 reach, from @zi (NULL: unknown): their
 * spans widened to whole blocks.  A span grows only by a block onlined
 * into it, which default_kernel_zone_for_pfn() gives only to a block the
 * span already meets (mm/memory_hotplug.c, 6.12), so it never grows past
 * the blocks it meets now; a block outside them is offered Normal, today
 * and after any online.  Shrunk by an offline, what is kept is wider
 * than it is: a block inside reads its valid_zones, as before.
 */
static void low_zones_note(struct hmd *d, const struct hmd_zoneinfo *zi)
{
	const unsigned long bp = d->block_pages ? d->block_pages : 1;

	d->low_known = zi && zi->low_known;
	for (int n = 0; n < HMD_MAX_NODES; n++) {
		d->low_lo[n] = d->low_known ? zi->low_lo[n] / bp * bp : 0;
		d->low_hi[n] = d->low_known ? (zi->low_hi[n] + bp - 1) / bp * bp : 0;
	}
}

static int zoneinfo_read(struct hmd *d, struct hmd_zoneinfo *zi)
{
	FILE *f = fopen(d->zoneinfo_path, "re");
	int r = -ENOENT;

	if (f) {
		r = hmd_parse_zoneinfo(f, zi);
		fclose(f);
	}
	return r;
}

/*
 * Where the low zones reach, where hmd_anchor_zoneinfo() did not say it
 * (the anchor kept from an earlier start): /proc/zoneinfo read for that
 * alone, once a coldplug.  Unreadable: every decision reads valid_zones.
 */
void hmd_low_zones_read(struct hmd *d)
{
	struct hmd_zoneinfo zi;

	low_zones_note(d, zoneinfo_read(d, &zi) ? NULL : &zi);
}

void hmd_anchor_zoneinfo(struct hmd *d)
{
	const unsigned long *kern = d->sum_kern, *mov = d->sum_mov;
	struct hmd_zoneinfo zi;
	int n, r = zoneinfo_read(d, &zi);

	if (r) {
		hmd_log(d, LOG_WARNING, "%s unreadable: zone sizes from memory blocks only",
			d->zoneinfo_path);
		memset(&zi, 0, sizeof(zi));
		memset(d->kernel_offset, 0, sizeof(d->kernel_offset));
		memset(d->movable_offset, 0, sizeof(d->movable_offset));
	}
	for (n = 0; !r && n < HMD_MAX_NODES; n++) {
		d->kernel_offset[n] = (long)zi.kernel_present[n] - (long)zi.cma[n] - (long)kern[n];
		d->movable_offset[n] = (long)zi.movable_present[n] + (long)zi.cma[n] - (long)mov[n];
	}
	low_zones_note(d, r ? NULL : &zi);
	if (zi.nr_nodes > d->nr_nodes)
		d->nr_nodes = zi.nr_nodes;
}

static unsigned long clamp0(long v)
{
	return v > 0 ? v : 0;
}

void hmd_node_stats(struct hmd *d, struct hmd_policy_ctx *pc)
{
	int n;

	pc->nr_nodes = d->nr_nodes;
	for (n = 0; n < HMD_MAX_NODES; n++) {
		pc->node[n].kernel_early_pages = clamp0(d->kernel_offset[n] + (long)d->sum_kern_boot[n]);
		pc->node[n].movable_pages = clamp0(d->movable_offset[n] + (long)d->sum_mov[n]);
	}
}

/*
 * The present_*_pages of a group of blocks @lo..@hi, static or dynamic,
 * from its online blocks (auto_movable_stats_account_group()'s Movable or
 * kernel); the node of the first, or HMD_NUMA_NO_NODE when none is online.
 */
int hmd_group_count_online(struct hmd *d, unsigned long lo, unsigned long hi, struct hmd_group *g)
{
	int nid = HMD_NUMA_NO_NODE;
	unsigned long i;

	for (i = lo; i <= hi && i < d->nblk; i++) {
		const struct hmd_block *b = &d->blk[i];

		if (!b->present || !b->online)
			continue;
		if (nid == HMD_NUMA_NO_NODE)
			nid = b->nid;
		if (hmd_block_is_movable(b))
			g->present_movable_pages += d->block_pages;
		else
			g->present_kernel_pages += d->block_pages;
	}
	return nid;
}

/*
 * memory_groups = contiguous: a run of hot-added blocks on one node;
 * firmware: the blocks of one memoryN/firmware_node, an ACPI memory device
 * (a DIMM), which acpi_memhotplug registers as one static memory group.
 * Walked once, then kept by hmd_block_account() and hmd_block_joined().
 */
bool hmd_block_group(struct hmd *d, unsigned long id, struct hmd_group *g)
{
	unsigned long lo = id, hi = id;

	if (d->cfg.groups == HMD_GROUPS_NONE ||
	    (d->cfg.groups == HMD_GROUPS_FIRMWARE && !hmd_block_fwnode(d, id)))
		return false;
	if (in_cached_group(d, id)) {
		*g = d->group.g;
		return true;
	}
	while (lo > 0 && same_group(d, id, lo - 1))
		lo--;
	while (hi + 1 < d->nblk && same_group(d, id, hi + 1))
		hi++;
	/*
	 * A DIMM's blocks whose ADD has not come yet: the kernel's static
	 * group is the whole device from its registration, so they count.
	 */
	while (d->cfg.groups == HMD_GROUPS_FIRMWARE && hi + 1 < HMD_MAX_BLOCK_ID &&
	       !(hi + 1 < d->nblk && d->blk[hi + 1].present) &&
	       hmd_block_read_fwnode(d, hi + 1) == hmd_block_fwnode(d, id))
		hi++;
	memset(&d->group, 0, sizeof(d->group));
	d->group.lo = lo;
	d->group.hi = hi;
	d->group.g.max_pages = (hi - lo + 1) * d->block_pages;
	d->group.valid = true;
	hmd_group_count_online(d, lo, hi, &d->group.g);
	*g = d->group.g;
	return true;
}

/* ---- configuration that depends on the kernel -------------------------- */

void hmd_apply_config(struct hmd *d)
{
	char buf[32];
	char *end;
	unsigned long v;

	d->pc.ratio = d->cfg.ratio;
	if (d->cfg.ratio < 0) {
		d->pc.ratio = 301;
		if (hmd_read_kernel_param(d, "auto_movable_ratio", buf, sizeof(buf)) > 0) {
			v = strtoul(buf, &end, 10);
			if (!*end)
				d->pc.ratio = v;
		} else {
			hmd_log(d, LOG_WARNING,
				"auto_movable_ratio = kernel, but the parameter is unreadable: using 301");
		}
	}
	d->pc.numa_aware = d->cfg.numa_aware == HMD_YES;
	if (d->cfg.numa_aware == HMD_FROM_KERNEL) {
		d->pc.numa_aware = true;
		if (hmd_read_kernel_param(d, "auto_movable_numa_aware", buf, sizeof(buf)) > 0)
			d->pc.numa_aware = hmd_parse_bool(buf) != 0;
	}
}

/* ---- status ------------------------------------------------------------ */

/* the counts kept as blocks change (hmd_block_account(), hmd_block_set_failed()): O(1) */
void hmd_status_text(struct hmd *d, char *buf, size_t len)
{
	snprintf(buf, len, "%lu blocks online, %lu movable, %lu failed; policy %s%s%s",
		 d->nr_online, d->nr_movable, d->nr_failed_now, hmd_policy_name(d->cfg.policy),
		 d->cfg.dry_run ? " (dry run)" : "",
		 d->sysroot_gone ? "; sysroot gone, waiting for it" : "");
}

void hmd_status_changed(struct hmd *d)
{
	if (d->status_src)
		sd_event_source_set_enabled(d->status_src, SD_EVENT_ONESHOT);
}
