// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own allocations: what a running kernel allocates for itself
 * through the page allocator, so that hot-plugged memory meets them as on
 * a real machine.
 *
 * Every allocation is GFP_KERNEL (unmovable) or a reclaimable slab
 * (__GFP_RECLAIMABLE), so it walks the zonelist Normal, DMA32, DMA, the
 * local node first, and never lands in ZONE_MOVABLE.  Because onlined
 * memory is freed to the tail of the free lists (FPI_TO_TAIL), the first
 * memory onlined into an empty ZONE_NORMAL receives them at once and that
 * block can never go offline again — the measured behaviour of a Debian
 * 6.1 guest (QEMU, -m 512M) that the "default" sizes reproduce:
 *
 *   boot          slab, page tables and kernel stacks of a booted system
 *   zone gets its first memory   per-cpu pagesets (setup_zone_pageset())
 *   node gets its first memory   kswapd and kcompactd stacks (kswapd_run())
 *                                (from a node with CPUs: kmem_cpu_nid())
 *   between operations           page tables and slab growth, and frees
 *   memmap from system RAM       sparse_vmemmap.c (PG_vmemmap)
 *
 * Each allocation runs on a CPU and starts on its node's zonelist
 * (cpu_to_node(), kmem_cpu_nodes()): a CPU on a memoryless node falls back
 * along it, to a CPU-less node before node 0 when that is nearer
 * (find_next_best_node()'s PENALTY_FOR_NODE_WITH_CPUS).
 *
 * Each page records its allocation site (page->index) so that explain can
 * name it.  Which background allocation is freed comes from a seeded
 * xorshift generator: a scenario replays exactly.  All of it runs under
 * device_hotplug_lock (or at boot, before anybody else can look).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KMEM_OWNER_BOOT	(-2)	/* never freed, not recorded */
#define KMEM_OWNER_NONE	(-1)

#define PGTY_table	0xf2
#define PGTY_slab	0xf5

static const struct kmem_site_desc {
	const char *name;	/* the kernel function that allocates */
	int migratetype;
	int page_type;		/* PGTY_* or 0 */
	int counter;		/* enum kmem_counter */
} kmem_sites[KMEM_NR_SITES] = {
	[KMEM_PTE] = { "pte_alloc_one", MIGRATE_UNMOVABLE, PGTY_table, KMEM_PAGETABLES },
	[KMEM_SLAB] = { "allocate_slab", MIGRATE_UNMOVABLE, PGTY_slab, KMEM_SUNRECLAIM },
	[KMEM_SLAB_RECLAIMABLE] = { "allocate_slab(SLAB_RECLAIM_ACCOUNT)", MIGRATE_RECLAIMABLE,
				    PGTY_slab, KMEM_SRECLAIMABLE },
	[KMEM_STACK] = { "alloc_thread_stack_node", MIGRATE_UNMOVABLE, 0, KMEM_KERNEL_STACK },
	[KMEM_PAGESET] = { "setup_zone_pageset", MIGRATE_UNMOVABLE, 0, KMEM_PERCPU },
	[KMEM_KSWAPD] = { "kswapd_run", MIGRATE_UNMOVABLE, 0, KMEM_KERNEL_STACK },
	[KMEM_KCOMPACTD] = { "kcompactd_run", MIGRATE_UNMOVABLE, 0, KMEM_KERNEL_STACK },
};

/* sizes per profile setting: index HM_KERNEL_ALLOC_DEFAULT - 1 / HEAVY - 1 */
static const struct kmem_sizes {
	unsigned long boot_slab_pages;		/* each of reclaimable, unreclaimable */
	unsigned long boot_pte_pages;
	unsigned long boot_stacks;		/* 16 KiB each */
	unsigned int tick_allocs;		/* background allocations an operation */
	unsigned long background_cap;		/* live background allocations at most */
} kmem_sizes[2] = {
	/* a Debian 6.1 guest after boot: ~24 MiB slab, 1 MiB page tables, 96 threads */
	{ 3072, 256, 96, 4, 48 },
	{ 12288, 1024, 384, 32, 768 },
};

const char *kmem_site_name(int site)
{
	if (site < 0 || site >= KMEM_NR_SITES)
		return "unknown";
	return kmem_sites[site].name;
}

static const struct kmem_sizes *sizes(struct hotmem *hm)
{
	if (hm->cfg.kernel_alloc == HM_KERNEL_ALLOC_OFF)
		return NULL;
	return &kmem_sizes[hm->cfg.kernel_alloc == HM_KERNEL_ALLOC_HEAVY];
}

/* xorshift64*: deterministic from the profile's seed */
static unsigned long kmem_random(struct hotmem *hm)
{
	uint64_t x = hm->kmem.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	hm->kmem.rng = x;
	return (unsigned long)((x * 0x2545F4914F6CDD1DULL) >> 11);
}

static void kmem_account(struct hotmem *hm, struct page *page, int counter, long nr)
{
	struct zone *z = page_zone(hm, page);

	pthread_mutex_lock(&z->lock);
	z->nr_kmem[counter] += (unsigned long)nr;
	pthread_mutex_unlock(&z->lock);
}

/* the front end's log past this many entries is dropped: it takes the whole list instead */
#define KMEM_LOG_MAX	(1UL << 16)

/*
 * A change for the front end that saves the machine (hotmem_kmem_log_walk()).
 * Its own bookkeeping, no allocation of the machine's: never a fault point
 * (hm_array_resize_noinject()).  Full or out of memory, the log is lost
 * and says so: the front end then takes the whole list.
 */
static void kmem_log(struct hotmem *hm, const struct kmem_alloc *a, bool freed, unsigned long idx)
{
	struct kmem_log_entry *e;

	if (!hm->kmem.logging)
		return;
	/*
	 * Lost: the entry is not kept, but takes its position all the same,
	 * so that the log's end goes on moving.  Two marks with a change
	 * between them are then never at one position, and a rewind finds
	 * its own mark's copy whatever the order of the rewinds (reread23a
	 * R12: at one position, the newest copy was taken, another
	 * change's).
	 */
	if (hm->kmem.log_lost) {
		hm->kmem.log_first++;
		return;
	}
	if (hm->kmem.log_used == hm->kmem.log_cap &&
	    (hm->kmem.log_cap >= KMEM_LOG_MAX ||
	     hm_array_resize_noinject(hm, (void **)&hm->kmem.log, &hm->kmem.log_cap,
				      hm->kmem.log_used, sizeof(*hm->kmem.log),
				      hm->kmem.log_cap ? hm->kmem.log_cap * 2 : 64))) {
		hm->kmem.log_lost = true;
		/* a gap: no position taken before (or while lost) is rewound */
		hm->kmem.log_first += hm->kmem.log_used + 1;
		hm->kmem.log_used = 0;
		return;
	}
	e = &hm->kmem.log[hm->kmem.log_used++];
	e->a = (struct hotmem_kmem_alloc){ .pfn = a->pfn, .order = a->order, .site = a->site,
					   .owner = a->owner, .background = a->background,
					   .freed = freed };
	e->idx = idx;
}

/*
 * A pageblock claim of an allocation while logging (6.12
 * steal_suitable_fallback() changed the pageblocks' migratetype: the
 * kernel gives it back only when another type's fallback claims it), at
 * the position the allocation's entry takes: a rewind past that
 * position gives it back (kmem_unclaim_from()), or /proc/pagetypeinfo
 * would differ from before the change the rewind undoes.  Bookkeeping
 * as the log's, never a fault point; full (a claim is a pageblock: as
 * many as KMEM_LOG_MAX since the last drop is 128 GiB of the kernel's)
 * or out of memory, those held are forgotten and claims_from says where
 * the claims are whole again.
 */
static void kmem_claim_log(struct hotmem *hm, const struct pageblock_claim *c, unsigned long pos)
{
	if (hm->kmem.claims_used == hm->kmem.claims_cap &&
	    (hm->kmem.claims_cap >= KMEM_LOG_MAX ||
	     hm_array_resize_noinject(hm, (void **)&hm->kmem.claims, &hm->kmem.claims_cap,
				      hm->kmem.claims_used, sizeof(*hm->kmem.claims),
				      hm->kmem.claims_cap ? hm->kmem.claims_cap * 2 : 16))) {
		hm->kmem.claims_used = 0;
		hm->kmem.claims_from = pos + 1;
		return;
	}
	hm->kmem.claims[hm->kmem.claims_used++] = (struct kmem_claim){ .pos = pos, .c = *c };
}

/* the claims at and after position @to given back, newest first (each undoes its own) */
static void kmem_unclaim_from(struct hotmem *hm, unsigned long to)
{
	while (hm->kmem.claims_used && hm->kmem.claims[hm->kmem.claims_used - 1].pos >= to)
		unclaim_pageblocks(hm, &hm->kmem.claims[--hm->kmem.claims_used].c);
}

/*
 * A memmap from system RAM (vmemmap_alloc_pages(): GFP_KERNEL, order 9
 * or a base page) that claimed pageblocks on its way (6.12
 * __rmqueue_fallback() -> steal_suitable_fallback()), kept by the
 * memmap's pfn until it is freed (kmem_memmap_freed()).  Not in the log:
 * a memmap is no kmem allocation and a mark's position cannot tell a
 * claim just before it from one just after.  Bookkeeping, never a fault
 * point; no room: forgotten, the claim stays as the kernel keeps it.
 * Under device_hotplug_lock (an add).
 */
void kmem_memmap_claimed(struct hotmem *hm, unsigned long pfn, const struct pageblock_claim *c)
{
	if (hm->kmem.memmap_claims_used == hm->kmem.memmap_claims_cap &&
	    hm_array_resize_noinject(hm, (void **)&hm->kmem.memmap_claims,
				     &hm->kmem.memmap_claims_cap, hm->kmem.memmap_claims_used,
				     sizeof(*hm->kmem.memmap_claims),
				     hm->kmem.memmap_claims_cap ? hm->kmem.memmap_claims_cap * 2 : 8)) {
		pr_warn(hm, "kmem: the pageblocks the memmap at pfn %#lx claimed are not recorded (no memory): an undo of its add leaves them claimed",
			pfn);
		return;
	}
	hm->kmem.memmap_claims[hm->kmem.memmap_claims_used++] =
		(struct kmem_claim){ .pos = pfn, .c = *c };
}

/*
 * The memmap at @pfn freed (its pages on the free lists again): its
 * claim forgotten, and given back when @how has MEMMAP_FREE_UNDO or a
 * rewind is under way -- hotmem's own rollback (a failed add's unwind,
 * the state file's undo of an unsaved change), which must leave the
 * machine as before (MEMMAP_FREE_REMAP_HELD: HVO's, which holds
 * vmemmap_remap_lock for writing, unclaim_pageblocks_remap_held()).  A real
 * removal keeps it: the kernel's __free_one_page() frees into the
 * pageblock's migratetype as it is now (6.12 free_pcppages_bulk() and
 * free_one_page() take get_pfnblock_migratetype()) and nothing sets it
 * back but another type's fallback claiming it.
 */
void kmem_memmap_freed(struct hotmem *hm, unsigned long pfn, unsigned int how)
{
	struct kmem_claim *k = hm->kmem.memmap_claims;
	unsigned long n = hm->kmem.memmap_claims_used, i;

	for (i = 0; i < n && k[i].pos != pfn; i++)
		;
	if (i == n)
		return;
	if (how & MEMMAP_FREE_UNDO || hm->kmem.rewinding || hm->kmem.unwinding_add) {
		if (how & MEMMAP_FREE_REMAP_HELD)
			unclaim_pageblocks_remap_held(hm, &k[i].c);
		else
			unclaim_pageblocks(hm, &k[i].c);
	}
	/* the newest claims are given back first: keep the order */
	memmove(k + i, k + i + 1, (n - i - 1) * sizeof(*k));
	/* none left: the record goes, a failed add leaves the metadata as it was */
	if (!--hm->kmem.memmap_claims_used) {
		hm_free(hm, k, hm->kmem.memmap_claims_cap * sizeof(*k));
		hm->kmem.memmap_claims = NULL;
		hm->kmem.memmap_claims_cap = 0;
	}
}

/* the index in @z's claimed pageblocks where @pb is or goes */
static unsigned long claimed_pb_pos(const struct zone *z, unsigned long pb)
{
	unsigned long lo = 0, hi = z->claimed_pb_used;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (z->claimed_pb[mid] < pb)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Room for 16 more of @z's claimed pageblocks.  Plain realloc(), not
 * hm_alloc(): the state file's bookkeeping, as kmem_copy.c's copies, not
 * the modelled kernel's metadata (hotmem_metadata_bytes()) -- an add
 * and its removal leave that as it was (test_hotplug), while the type
 * its memmap claimed stays, as the kernel keeps it, and stays recorded.
 */
static int claimed_pb_grow(struct zone *z)
{
	unsigned long cap = z->claimed_pb_cap ? z->claimed_pb_cap * 2 : 16;
	unsigned long *n = realloc(z->claimed_pb, cap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	z->claimed_pb = n;
	z->claimed_pb_cap = cap;
	return 0;
}

/* @pb among @z's claimed pageblocks: 1 added, 0 there already, or -ENOMEM (not kept) */
static int claimed_pb_add(struct hotmem *hm, struct zone *z, unsigned long pb)
{
	unsigned long at = claimed_pb_pos(z, pb);

	if (at < z->claimed_pb_used && z->claimed_pb[at] == pb)
		return 0;
	if (z->claimed_pb_used == z->claimed_pb_cap && claimed_pb_grow(z))
		return -ENOMEM;
	memmove(z->claimed_pb + at + 1, z->claimed_pb + at,
		(z->claimed_pb_used - at) * sizeof(*z->claimed_pb));
	z->claimed_pb[at] = pb;
	z->claimed_pb_used++;
	return 1;
}

/*
 * @pb out of @z's claimed pageblocks: the claim that added it was given
 * back (unclaim_pageblocks(): a rewound change, an unwound add), so a
 * restart has nothing of it to set.  zone->lock held.
 */
void kmem_pageblock_unclaimed(struct zone *z, unsigned long pb)
{
	unsigned long at = claimed_pb_pos(z, pb);

	if (at >= z->claimed_pb_used || z->claimed_pb[at] != pb)
		return;
	memmove(z->claimed_pb + at, z->claimed_pb + at + 1,
		(z->claimed_pb_used - at - 1) * sizeof(*z->claimed_pb));
	z->claimed_pb_used--;
}

/*
 * The @nr pageblocks from @pfn a fallback claimed (page_alloc.c
 * __rmqueue_fallback(), 6.12 steal_suitable_fallback() ->
 * set_pageblock_migratetype()), any allocation's -- the kernel's, a
 * memmap's, the pool's, the workload's: the type stays after them in a
 * running kernel, and a restart that puts allocations back at their
 * pages (hotmem_kmem_restore_take(), no fallback) sets it again from the
 * state file (hotmem_pageblock_claimed_walk()).  Bookkeeping, never a
 * fault point; no room: that pageblock comes back as the restore makes
 * it, said once.  Bit i of the result: pageblock i added by this claim,
 * which unclaim_pageblocks() takes out again.  zone->lock held.
 */
unsigned int kmem_pageblock_claimed(struct hotmem *hm, struct zone *z, unsigned long pfn,
				    unsigned long nr)
{
	unsigned int added = 0;

	for (unsigned long i = 0; i < nr; i++) {
		const int ret = claimed_pb_add(hm, z, pfn + i * pageblock_nr_pages);

		added |= (ret > 0) << i;
		if (ret >= 0 || z->claimed_pb_lost)
			continue;
		z->claimed_pb_lost = true;
		pr_warn(hm, "kmem: the migratetype claimed for the pageblock at pfn %#lx is not recorded (no memory): a restart gives it the type the restore makes",
			pfn + i * pageblock_nr_pages);
	}
	return added;
}

/*
 * A background allocation (kmem_tick()) is other processes' work, which
 * the kernel's per-task fail-nth (/proc/PID/fail-nth, 6.12
 * should_fail_ex(): current->fail_nth) never counts: past
 * hotmem_fail_nth_alloc()'s count, or the tick before a command took the
 * failure meant for the command, silently (usereye8 #8).
 */
static int kmem_record(struct hotmem *hm, unsigned long pfn, unsigned int order, int site,
		       int owner, bool background)
{
	int (*resize)(struct hotmem *, void **, unsigned long *, unsigned long, size_t,
		      unsigned long) = background ? hm_array_resize_noinject : hm_array_resize;
	struct kmem_alloc *a;

	if (hm->kmem.used == hm->kmem.cap &&
	    resize(hm, (void **)&hm->kmem.allocs, &hm->kmem.cap, hm->kmem.used,
		   sizeof(*hm->kmem.allocs), hm->kmem.cap ? hm->kmem.cap * 2 : 1024))
		return -ENOMEM;
	a = &hm->kmem.allocs[hm->kmem.used++];
	a->pfn = pfn;
	a->order = (unsigned char)order;
	a->site = (unsigned char)site;
	a->background = background;
	a->owner = owner;
	if (background)
		hm->kmem.nr_background++;
	kmem_log(hm, a, false, hm->kmem.used - 1);
	return 0;
}

static void kmem_mark(struct hotmem *hm, struct page *page, unsigned long pfn, unsigned int order,
		      int site);

/*
 * One allocation of @site on @nid's zonelist, only its nodes in @nodemask
 * (0: all): 0 or -ENOMEM.  @owner < -1 is never freed (boot): its pages
 * name their site, no record is kept.
 */
static int kmem_alloc_mask(struct hotmem *hm, int nid, uint64_t nodemask, int site,
			   unsigned int order, int owner, bool background)
{
	const struct kmem_site_desc *d = &kmem_sites[site];
	struct pageblock_claim claim = { .claimed = false };
	const struct alloc_context ac = {
		.nid = nid,
		.nodemask = nodemask,
		.highest_zoneidx = ZONE_NORMAL,
		.migratetype = d->migratetype,
		/* a front end that may rewind: told which pageblocks it claims */
		.claim = hm->kmem.logging ? &claim : NULL,
	};
	/* the position this allocation's log entry takes (kmem_record()) */
	const unsigned long pos = hm->kmem.log_first + hm->kmem.log_used;
	struct page *page = __alloc_pages(hm, order, &ac);
	unsigned long pfn;

	if (!page)
		goto fail;
	pfn = page_to_pfn(hm, page);
	if (owner >= KMEM_OWNER_NONE && kmem_record(hm, pfn, order, site, owner, background)) {
		__free_pages(hm, page, order);
		goto fail;
	}
	/*
	 * Kept at its allocation's entry only once that entry is there: a
	 * claim logged at a position no entry took outlived its change and
	 * was given back by the next change's rewind (reread22 R1)
	 */
	if (claim.claimed)
		kmem_claim_log(hm, &claim, pos);
	kmem_mark(hm, page, pfn, order, site);
	return 0;
fail:
	/* the failed allocation leaves nothing, the pageblocks it claimed neither */
	if (claim.claimed)
		unclaim_pageblocks(hm, &claim);
	return -ENOMEM;
}

static int kmem_alloc(struct hotmem *hm, int nid, int site, unsigned int order, int owner,
		      bool background)
{
	return kmem_alloc_mask(hm, nid, 0, site, order, owner, background);
}

/* @page's 2^@order pages the kernel's, of @site: explain names it, meminfo counts it */
static void kmem_mark(struct hotmem *hm, struct page *page, unsigned long pfn, unsigned int order,
		      int site)
{
	const struct kmem_site_desc *d = &kmem_sites[site];

	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = page + i;

		set_page_flag(p, PG_kernel);
		WRITE_ONCE(p->index, (unsigned long)site);
		WRITE_ONCE(p->private, order);
		WRITE_ONCE(p->mapping, pfn);		/* compound_head() */
		WRITE_ONCE(p->page_type, d->page_type ? (int)((unsigned int)d->page_type << 24) : -1);
	}
	if (order)
		set_page_flag(page, PG_head);
	kmem_account(hm, page, d->counter, 1L << order);
}

/* @a's pages the kernel's no more, given back to the buddy (an owed one has none) */
static void kmem_unmark_free(struct hotmem *hm, const struct kmem_alloc *a)
{
	struct page *page = pfn_to_page(hm, a->pfn);

	if (a->owed) {
		hm->kmem.nr_owed--;
		return;
	}
	kmem_account(hm, page, kmem_sites[a->site].counter, -(1L << a->order));
	for (unsigned long i = 0; i < (1UL << a->order); i++) {
		struct page *p = page + i;

		clear_page_flag(p, PG_kernel);
		WRITE_ONCE(p->index, 0);
		WRITE_ONCE(p->private, 0);
		WRITE_ONCE(p->mapping, 0);
		WRITE_ONCE(p->page_type, -1);
	}
	__free_pages(hm, page, a->order);
}

static void kmem_free_at(struct hotmem *hm, unsigned long idx)
{
	struct kmem_alloc a = hm->kmem.allocs[idx];

	if (a.background)
		hm->kmem.nr_background--;
	kmem_log(hm, &a, true, idx);
	/* the last one moved here: a rewind moves it back (kmem_unlog()) */
	hm->kmem.allocs[idx] = hm->kmem.allocs[--hm->kmem.used];
	kmem_unmark_free(hm, &a);
}

/* a kernel stack: THREAD_SIZE (16 KiB) of vmalloc'd order-0 pages */
static void kmem_alloc_stack(struct hotmem *hm, int nid, int site, int owner)
{
	for (int i = 0; i < 4; i++)
		if (kmem_alloc(hm, nid, site, 0, owner, false))
			return;
}

/*
 * The CPUs' nodes (cpu_to_node()), ascending, in @nids: how many (at
 * least one: the local node).  The engine knows which nodes have CPUs
 * (the profile's cpu_nodes, hotmemfs's placement of the host's), not how
 * many each: one CPU a node stands for them -- the tester's machines had
 * one on each node.
 */
static int kmem_cpu_nodes(struct hotmem *hm, int nids[HM_MAX_NUMNODES])
{
	int n = 0;

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++)
		if (NODE_DATA(hm, nid) && NODE_DATA(hm, nid)->has_cpu)
			nids[n++] = nid;
	if (!n)
		nids[n++] = numa_node_id(hm);
	return n;
}

/*
 * The node of the CPU the @k-th allocation of a tick runs on, the tick
 * starting on CPU @first: the CPUs in turn.  The kernel's work is
 * spread over the CPUs by the scheduler's load balancing and each task
 * allocates from its CPU's zonelist (6.12 alloc_pages() -> policy_node():
 * numa_node_id()); round robin is that spread made deterministic, and
 * with all CPUs on one node it is that node, every time, as before.
 */
static int kmem_run_nid(const int nids[], int n, unsigned long first, unsigned long k)
{
	return nids[(first + k) % (unsigned long)n];
}

/*
 * A booted system's slab, page tables and thread stacks (never freed),
 * from the boot CPU's node's zonelist (numa_node_id()): the kernel sets
 * itself up on the boot CPU before smp_init() brings the others up, so a
 * machine whose CPUs sit on a memoryless node has them where that node
 * falls back to, and the other CPUs' share is the ticks' (kmem_tick()).
 */
void kmem_boot(struct hotmem *hm)
{
	const struct kmem_sizes *sz = sizes(hm);
	static const unsigned int slab_orders[] = { 0, 1, 3 };
	const int nid = numa_node_id(hm);
	unsigned long slab_pages, pte_pages, stacks, want, limit;

	if (!sz)
		return;
	hm->kmem.rng = hm->cfg.kernel_alloc_seed * 0x9E3779B97F4A7C15ULL | 1;
	/* a small machine's kernel is smaller: at most 1/16 of its memory */
	slab_pages = sz->boot_slab_pages;
	pte_pages = sz->boot_pte_pages;
	stacks = sz->boot_stacks;
	want = 2 * slab_pages + pte_pages + 4 * stacks;
	limit = totalram_pages(hm) / 16;
	if (want > limit) {
		slab_pages = slab_pages * limit / want;
		pte_pages = pte_pages * limit / want;
		stacks = stacks * limit / want;
	}
	for (unsigned long done = 0; done < slab_pages;) {
		unsigned int order = slab_orders[kmem_random(hm) % ARRAY_SIZE(slab_orders)];

		if (kmem_alloc(hm, nid, KMEM_SLAB, order, KMEM_OWNER_BOOT, false))
			return;
		done += 1UL << order;
	}
	/* dentries and inodes: order-1 slabs */
	for (unsigned long done = 0; done < slab_pages; done += 2)
		if (kmem_alloc(hm, nid, KMEM_SLAB_RECLAIMABLE, 1, KMEM_OWNER_BOOT, false))
			return;
	for (unsigned long i = 0; i < pte_pages; i++)
		if (kmem_alloc(hm, nid, KMEM_PTE, 0, KMEM_OWNER_BOOT, false))
			return;
	for (unsigned long i = 0; i < stacks; i++)
		kmem_alloc_stack(hm, nid, KMEM_STACK, KMEM_OWNER_BOOT);
}

/*
 * Between operations: processes come and go — page tables and slab grow,
 * older background allocations are freed to keep a steady state.  The
 * tick's allocations run on the CPUs in turn (kmem_run_nid()), from a CPU
 * the generator picks when there are several, so that each CPU gets each
 * kind over the ticks (one CPU: no draw, the generator as before).  A
 * CPU on a memoryless node allocates where its zonelist falls back to:
 * abuse29a's machine A, CPU 1 on node 1 ("Fallback order for Node 1:
 * 2 0"), fills node 2's first Normal block, which 6.12 then cannot
 * offline either (N8: 36 page tables and 167 kernel pages of CPU 1's
 * there after 2 s of shell work).
 */
void kmem_tick(struct hotmem *hm)
{
	const struct kmem_sizes *sz = sizes(hm);
	static const struct { int site; unsigned int order; } step[] = {
		{ KMEM_PTE, 0 }, { KMEM_SLAB, 1 }, { KMEM_SLAB, 3 }, { KMEM_SLAB_RECLAIMABLE, 0 },
	};
	int cpus[HM_MAX_NUMNODES], n;
	unsigned long first;

	if (!sz || hm->kmem.paused)
		goto out;
	n = kmem_cpu_nodes(hm, cpus);
	first = n > 1 ? kmem_random(hm) % (unsigned long)n : 0;
	for (unsigned int i = 0; i < sz->tick_allocs; i++)
		kmem_alloc(hm, kmem_run_nid(cpus, n, first, i), step[i % ARRAY_SIZE(step)].site,
			   step[i % ARRAY_SIZE(step)].order, KMEM_OWNER_NONE, true);
	while (hm->kmem.nr_background > sz->background_cap) {
		unsigned long idx = kmem_random(hm) % hm->kmem.used, left = hm->kmem.used;

		/*
		 * The next background allocation from a random place -- not one
		 * whose memmap the host left unmapped (vmemmap_lost()): its struct
		 * pages cannot be written, so it is kept until the memmap is
		 * mapped again; with no other one, none is freed this time.
		 */
		while (left && (!hm->kmem.allocs[idx].background || hm->kmem.allocs[idx].owed ||
				memmap_unmapped(hm, hm->kmem.allocs[idx].pfn))) {
			idx = (idx + 1) % hm->kmem.used;
			left--;
		}
		if (!left)
			break;
		kmem_free_at(hm, idx);
	}
out:
	/*
	 * kswapd, between operations too: the tick stands for time passing
	 * -- before the operation it precedes (before that operation's
	 * first allocation), or after an online (kmem_online()) -- in which
	 * the kernel's kswapd took back what these allocations boosted.
	 * The operation's own wake-ups run at its end
	 * (unlock_device_hotplug()).
	 */
	kswapd_run_pending(hm);
}

static int zone_owner(const struct zone *z)
{
	return zone_to_nid(z) * MAX_NR_ZONES + zone_idx(z);
}

/*
 * The node on whose zonelist a node's kthread stacks (and a pageset page
 * made anew) start: @nid when CPUs sit on it, else the local node
 * (numa_node_id()) -- never a node without CPUs (a CXL expander, QEMU's
 * -numa node without cpus=).  A 6.12.117 guest's CPU-less node 2 counted
 * numa_hit 0 after kswapd2 and kcompactd2 started on its only memory, a
 * Normal block that then went offline (abuse29a N1 scenario C;
 * kthreadd's alloc_thread_stack_node() takes a stack its CPU cached
 * first).  Out of range (a state file's owner): the local node.
 */
static int kmem_cpu_nid(struct hotmem *hm, int nid)
{
	if (nid < 0 || nid >= hm->nr_possible_nodes || !NODE_DATA(hm, nid) ||
	    !NODE_DATA(hm, nid)->has_cpu)
		return numa_node_id(hm);
	return nid;
}

/*
 * Where an allocation of @site for @owner made anew starts (a rewind's
 * owed one, a restore's): a zone's pagesets and a node's kthread stacks
 * from a node with CPUs (kmem_cpu_nid()), the rest on the local node --
 * which CPU it ran on is not kept.
 */
static int kmem_site_nid(struct hotmem *hm, int site, int owner)
{
	switch (site) {
	case KMEM_PAGESET:
		return kmem_cpu_nid(hm, owner < 0 ? -1 : owner / MAX_NR_ZONES);
	case KMEM_KSWAPD:
	case KMEM_KCOMPACTD:
		return kmem_cpu_nid(hm, owner);
	default:
		return numa_node_id(hm);
	}
}

/*
 * A zone's first memory: its per-cpu pagesets, a page on each CPU's
 * node's zonelist (6.12 setup_zone_pageset() is alloc_percpu(), whose
 * pcpu_alloc_pages() takes each possible CPU's unit with
 * alloc_pages_node(cpu_to_node(cpu), ...); a memoryless node's falls
 * back).  online_pages() sets them up before the range joins the
 * zonelists, so a node that had no memory is not among their nodes: a
 * CPU-less node's first Normal block goes offline as on 6.12 (abuse29a
 * N1).  One page a CPU node, what pinned the first Normal block of the
 * measured 6.1 guest (mostly no new page at all in 6.12: the first chunk
 * has room).
 */
static void kmem_alloc_pagesets(struct hotmem *hm, struct zone *zone, bool node_was_empty)
{
	const uint64_t mask = node_was_empty ? ~(1ULL << zone_to_nid(zone)) : 0;
	int cpus[HM_MAX_NUMNODES], n = kmem_cpu_nodes(hm, cpus);

	for (int i = 0; i < n; i++)
		kmem_alloc_mask(hm, cpus[i], mask, KMEM_PAGESET, 0, zone_owner(zone), false);
}

/*
 * online_pages() after the range went to the buddy: a zone's first memory
 * gets its per-cpu pagesets (kmem_alloc_pagesets()), a node's first memory
 * its kswapd and kcompactd threads from a node with CPUs (kmem_site_nid()),
 * and the kernel allocates right away (kmem_tick()).
 */
void kmem_online(struct hotmem *hm, struct zone *zone, bool zone_was_empty,
		 bool node_was_empty)
{
	const int nid = zone_to_nid(zone);

	if (!sizes(hm) || hm->kmem.paused)
		return;
	if (zone_was_empty)
		kmem_alloc_pagesets(hm, zone, node_was_empty);
	if (node_was_empty) {
		kmem_alloc_stack(hm, kmem_site_nid(hm, KMEM_KSWAPD, nid), KMEM_KSWAPD, nid);
		kmem_alloc_stack(hm, kmem_site_nid(hm, KMEM_KCOMPACTD, nid), KMEM_KCOMPACTD, nid);
	}
	kmem_tick(hm);
}

/*
 * An allocation's struct pages mapped, to be freed: a memmap the host
 * left unmapped (vmemmap_lost(), another zone's memory may hold it) is
 * mapped again first.  While the host refuses, the allocation is kept
 * (the zone's or node's next emptying frees it) and the log says so.
 * @excl: the caller holds device_hotplug_lock but not mem_hotplug_lock
 * (the rewind, the restore): vmemmap_remap_lost_excl() keeps the
 * workload's readers out of the memmap while it is mapped again.
 */
static bool kmem_mapped(struct hotmem *hm, const struct kmem_alloc *a, bool excl)
{
	const unsigned long nr = 1UL << a->order;

	if (a->owed || !memmap_unmapped(hm, a->pfn) ||
	    !(excl ? vmemmap_remap_lost_excl(hm, a->pfn, nr) : vmemmap_remap_lost(hm, a->pfn, nr)))
		return true;
	pr_warn(hm, "kmem: %s at pfn %#lx is kept until its memmap is mapped again "
		    "(the host refused to map it back: vm.max_map_count)",
		kmem_sites[a->site].name, a->pfn);
	return false;
}

/*
 * offline_pages() after the range left: an empty zone's pagesets go
 * (zone_pcp_reset()), a node without memory stops kswapd and kcompactd.
 */
void kmem_offline(struct hotmem *hm, struct zone *zone, bool zone_now_empty,
		  bool node_now_empty)
{
	const int nid = zone_to_nid(zone);

	for (unsigned long i = 0; i < hm->kmem.used;) {
		const struct kmem_alloc *a = &hm->kmem.allocs[i];
		bool go = (zone_now_empty && a->site == KMEM_PAGESET &&
			   a->owner == zone_owner(zone)) ||
			  (node_now_empty && (a->site == KMEM_KSWAPD || a->site == KMEM_KCOMPACTD) &&
			   a->owner == nid);

		if (go && kmem_mapped(hm, a, false))
			kmem_free_at(hm, i);	/* the last one moved here: look again */
		else
			i++;
	}
}

/* every zone's claimed pageblocks (an offline node's too) */
static void claimed_pb_destroy(struct hotmem *hm)
{
	for (int nid = 0; nid < HM_MAX_NUMNODES; nid++) {
		if (!NODE_DATA(hm, nid))
			continue;
		for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *z = &NODE_DATA(hm, nid)->node_zones[zid];

			free(z->claimed_pb);
			z->claimed_pb = NULL;
			z->claimed_pb_cap = z->claimed_pb_used = 0;
		}
	}
}

void kmem_destroy(struct hotmem *hm)
{
	hm_free(hm, hm->kmem.allocs, hm->kmem.cap * sizeof(*hm->kmem.allocs));
	hm->kmem.allocs = NULL;
	hm->kmem.cap = hm->kmem.used = 0;
	hm_free(hm, hm->kmem.log, hm->kmem.log_cap * sizeof(*hm->kmem.log));
	hm->kmem.log = NULL;
	hm->kmem.log_cap = hm->kmem.log_used = 0;
	kmem_copies_free(hm);
	hm_free(hm, hm->kmem.claims, hm->kmem.claims_cap * sizeof(*hm->kmem.claims));
	hm->kmem.claims = NULL;
	hm->kmem.claims_cap = hm->kmem.claims_used = 0;
	hm_free(hm, hm->kmem.memmap_claims,
		hm->kmem.memmap_claims_cap * sizeof(*hm->kmem.memmap_claims));
	hm->kmem.memmap_claims = NULL;
	hm->kmem.memmap_claims_cap = hm->kmem.memmap_claims_used = 0;
	claimed_pb_destroy(hm);
}

/* ---- across a restart: the front end's state file ------------------------ */

const char *hotmem_kmem_site_name(int site)
{
	return kmem_site_name(site);
}

int hotmem_kmem_site_from_name(const char *name)
{
	for (int i = 0; name && i < KMEM_NR_SITES; i++)
		if (!strcmp(name, kmem_sites[i].name))
			return i;
	return -EINVAL;
}

static struct hotmem_kmem_alloc kmem_public(const struct kmem_alloc *a)
{
	return (struct hotmem_kmem_alloc){ .pfn = a->pfn, .order = a->order, .site = a->site,
					   .owner = a->owner, .background = a->background };
}

int hotmem_kmem_walk(struct hotmem *hm, hotmem_kmem_cb cb, void *arg, uint64_t *rng)
{
	int ret = 0;

	lock_device_hotplug(hm);
	*rng = hm->kmem.rng;
	for (unsigned long i = 0; !ret && i < hm->kmem.used; i++) {
		struct hotmem_kmem_alloc a = kmem_public(&hm->kmem.allocs[i]);

		ret = cb(arg, &a);
	}
	unlock_device_hotplug(hm);
	return ret;
}

void hotmem_kmem_log_start(struct hotmem *hm)
{
	lock_device_hotplug(hm);
	hm->kmem.logging = true;
	/* positions go on growing: none taken before is rewound past a lost log */
	hm->kmem.log_first += hm->kmem.log_used + hm->kmem.log_lost;
	hm->kmem.log_lost = false;
	hm->kmem.log_used = 0;
	hm->kmem.claims_used = 0;
	/* no mark before is rewound to */
	kmem_copies_free(hm);
	unlock_device_hotplug(hm);
}

unsigned long hotmem_kmem_log_mark(struct hotmem *hm, uint64_t *rng)
{
	unsigned long end;

	lock_device_hotplug(hm);
	*rng = hm->kmem.rng;
	end = hm->kmem.log_first + hm->kmem.log_used;
	/* for a rewind to it past a lost log, kept until dropped (kmem_copy.c) */
	kmem_copy_push(hm, end);
	unlock_device_hotplug(hm);
	return end;
}

unsigned long hotmem_kmem_log_end(struct hotmem *hm)
{
	unsigned long end;

	lock_device_hotplug(hm);
	end = hm->kmem.log_first + hm->kmem.log_used;
	unlock_device_hotplug(hm);
	return end;
}

int hotmem_kmem_log_walk(struct hotmem *hm, unsigned long from, hotmem_kmem_cb cb, void *arg,
			 uint64_t *rng, unsigned long *end)
{
	int ret = 0;
	unsigned long i;

	lock_device_hotplug(hm);
	*rng = hm->kmem.rng;
	*end = hm->kmem.log_first + hm->kmem.log_used;
	/*
	 * lost, or @from is before the entries still held (dropped: a lost
	 * log found again, whose gap a rollback's older position falls in):
	 * the entries from @from are not all here, and a caller counting
	 * @end - @from would count ones it never got (reread21 H1)
	 */
	if (hm->kmem.log_lost || from < hm->kmem.log_first)
		ret = -EOVERFLOW;
	for (i = from - hm->kmem.log_first;
	     !ret && cb && i < hm->kmem.log_used; i++)
		ret = cb(arg, &hm->kmem.log[i].a);
	unlock_device_hotplug(hm);
	return ret;
}

/*
 * The claims before position @to forgotten (ULONG_MAX: all), but those
 * a rewind to a mark's copy still gives back (kmem_rewind_to_copy()
 * goes back to one past any drop: a lost log found again is dropped
 * whole while the changes' records are pending)
 */
static void kmem_claims_drop(struct hotmem *hm, unsigned long to)
{
	unsigned long n = 0;

	if (kmem_copies_oldest(hm) < to)
		to = kmem_copies_oldest(hm);

	while (n < hm->kmem.claims_used && hm->kmem.claims[n].pos < to)
		n++;
	/* none: the array may be NULL still, memmove()'s pointers must not (UBSan) */
	if (!n)
		return;
	memmove(hm->kmem.claims, hm->kmem.claims + n,
		(hm->kmem.claims_used - n) * sizeof(*hm->kmem.claims));
	hm->kmem.claims_used -= n;
}

void hotmem_kmem_log_drop(struct hotmem *hm, unsigned long to)
{
	unsigned long n;

	lock_device_hotplug(hm);
	if (to == ULONG_MAX) {
		/* a gap past the lost entries, as kmem_log() made when it lost them */
		hm->kmem.log_first += hm->kmem.log_used + hm->kmem.log_lost;
		hm->kmem.log_used = 0;
		hm->kmem.log_lost = false;
	} else if (to > hm->kmem.log_first && hm->kmem.log_used) {
		/* (none held: the log may be NULL still, memmove()'s pointers must not) */
		n = to - hm->kmem.log_first < hm->kmem.log_used ? to - hm->kmem.log_first :
								  hm->kmem.log_used;
		memmove(hm->kmem.log, hm->kmem.log + n,
			(hm->kmem.log_used - n) * sizeof(*hm->kmem.log));
		hm->kmem.log_used -= n;
		hm->kmem.log_first += n;
	}
	/* the marks before @to are no front end's to rewind to: their copies go */
	if (to != ULONG_MAX)
		kmem_copies_drop(hm, to);
	kmem_claims_drop(hm, to);
	unlock_device_hotplug(hm);
}

static int take_block_off_buddy(struct hotmem *hm, unsigned long pfn, unsigned int order);

/* @pfn's 2^@order pages an aligned block whose first and last pages are online */
static bool block_online(struct hotmem *hm, unsigned long pfn, unsigned int order)
{
	return IS_ALIGNED(pfn, 1UL << order) && pfn_to_online_page(hm, pfn) &&
	       pfn_to_online_page(hm, pfn + (1UL << order) - 1);
}

/*
 * From an add's vmemmap_alloc_pages() (a restore's memmap at its old
 * block): mem_hotplug_lock is held for writing, which keeps the
 * workload's readers of the memmap out already; the plain remap
 */
int kmem_take_block(struct hotmem *hm, unsigned long pfn, unsigned int order)
{
	if (!block_online(hm, pfn, order))
		return -EBUSY;
	if (vmemmap_remap_lost(hm, ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES), MAX_ORDER_NR_PAGES))
		return -ENOMEM;
	return take_mapped_block_off_buddy(hm, pfn, order, true);
}

/*
 * One log entry taken back, the newest (every later one is): an
 * allocation is the array's last (kmem_record() appended it), freed; a
 * free is put back at the index it left, the one moved there back at
 * the end (kmem_free_at()'s swap), and its pages taken again -- owed
 * when they are not free and online now (the change took them offline:
 * hotmem_kmem_log_rewind_end() takes them after the undo).
 */
static int kmem_unlog(struct hotmem *hm, const struct kmem_log_entry *e)
{
	struct kmem_alloc *a;

	if (!e->a.freed) {
		a = hm->kmem.used ? &hm->kmem.allocs[hm->kmem.used - 1] : NULL;
		if (!a || a->pfn != e->a.pfn || a->site != e->a.site)
			return -EINVAL; /* the log and the list disagree: cannot be */
		if (!kmem_mapped(hm, a, true))
			return -EBUSY;
		if (a->background)
			hm->kmem.nr_background--;
		hm->kmem.used--;
		kmem_unmark_free(hm, a);
		return 0;
	}
	/* it was in the array, which never shrinks: room for it */
	if (hm->kmem.used >= hm->kmem.cap || e->idx > hm->kmem.used)
		return -EINVAL;
	a = &hm->kmem.allocs[e->idx];
	hm->kmem.allocs[hm->kmem.used++] = *a;
	*a = (struct kmem_alloc){ .pfn = e->a.pfn, .order = (unsigned char)e->a.order,
				  .site = (unsigned char)e->a.site, .background = e->a.background,
				  .owner = e->a.owner };
	if (a->background)
		hm->kmem.nr_background++;
	if (pfn_valid(hm, a->pfn) && !take_block_off_buddy(hm, a->pfn, a->order)) {
		kmem_mark(hm, pfn_to_page(hm, a->pfn), a->pfn, a->order, a->site);
	} else {
		a->owed = true;
		hm->kmem.nr_owed++;
	}
	return 0;
}

/* @b among @a[0..n) by pfn, site, order and owner: its index, or n */
static unsigned long kmem_find_same(const struct kmem_alloc *a, unsigned long n,
				    const struct kmem_alloc *b)
{
	for (unsigned long i = 0; i < n; i++)
		if (a[i].pfn == b->pfn && a[i].site == b->site && a[i].order == b->order &&
		    a[i].owner == b->owner)
			return i;
	return n;
}

/*
 * The log was lost (KMEM_LOG_MAX entries, or its growth refused) since
 * the mark @to: the list goes back to the mark's copy instead, as a
 * rewind of every entry would have left it -- those made since freed,
 * those freed since taken again at their pages (owed when not free and
 * online now, as kmem_unlog()'s), in the copy's order.  O(n^2) in the
 * list, a few hundred entries.  -EOVERFLOW, nothing changed: no copy of
 * that mark (dropped: its change's record was durable, or more than
 * KMEM_COPIES_MAX marks came after it; or its copy could not be made),
 * -EBUSY: an allocation's memmap is unmapped (it cannot be freed).
 */
static int kmem_rewind_to_copy(struct hotmem *hm, unsigned long to)
{
	const struct kmem_copy *c = kmem_copy_find(hm, to);
	const struct kmem_alloc *snap = c ? c->allocs : NULL;
	const unsigned long n = c ? c->used : 0;
	struct kmem_alloc *out;

	if (!c || !c->ok || hm->kmem.nr_owed || n > hm->kmem.cap)
		return -EOVERFLOW;
	for (unsigned long i = 0; i < hm->kmem.used; i++)
		if (kmem_find_same(snap, n, &hm->kmem.allocs[i]) == n &&
		    !kmem_mapped(hm, &hm->kmem.allocs[i], true))
			return -EBUSY;
	out = malloc((n ? n : 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	/* made since the mark: freed first, their pages free for those taken again */
	for (unsigned long i = 0; i < hm->kmem.used; i++)
		if (kmem_find_same(snap, n, &hm->kmem.allocs[i]) == n)
			kmem_unmark_free(hm, &hm->kmem.allocs[i]);
	/* freed since the mark: taken again; kept: as they are now */
	for (unsigned long i = 0; i < n; i++) {
		unsigned long j = kmem_find_same(hm->kmem.allocs, hm->kmem.used, &snap[i]);

		out[i] = j < hm->kmem.used ? hm->kmem.allocs[j] : snap[i];
		if (j < hm->kmem.used)
			continue;
		out[i].owed = false;
		if (pfn_valid(hm, out[i].pfn) && !take_block_off_buddy(hm, out[i].pfn, out[i].order)) {
			kmem_mark(hm, pfn_to_page(hm, out[i].pfn), out[i].pfn, out[i].order,
				  out[i].site);
		} else {
			out[i].owed = true;
			hm->kmem.nr_owed++;
		}
	}
	/* none: the array may be NULL still, memcpy()'s pointers must not (UBSan) */
	if (n)
		memcpy(hm->kmem.allocs, out, n * sizeof(*out));
	free(out);
	hm->kmem.used = n;
	hm->kmem.nr_background = 0;
	for (unsigned long i = 0; i < n; i++)
		hm->kmem.nr_background += hm->kmem.allocs[i].background;
	return 0;
}

int hotmem_kmem_log_rewind(struct hotmem *hm, unsigned long to, uint64_t rng)
{
	bool from_copy;
	int ret = 0;

	lock_device_hotplug(hm);
	from_copy = hm->kmem.log_lost || to < hm->kmem.log_first ||
		    to > hm->kmem.log_first + hm->kmem.log_used;
	if (from_copy) {
		/* the log does not reach back: the mark's copy, or -EOVERFLOW */
		ret = kmem_rewind_to_copy(hm, to);
	} else {
		/* each entry's claims right after it: the block is whole again, as they took it */
		while (hm->kmem.log_used > to - hm->kmem.log_first &&
		       !(ret = kmem_unlog(hm, &hm->kmem.log[hm->kmem.log_used - 1])))
			kmem_unclaim_from(hm, hm->kmem.log_first + --hm->kmem.log_used);
	}
	if (!ret) {
		kmem_unclaim_from(hm, to);
		if (to < hm->kmem.claims_from)
			pr_warn(hm, "kmem: pageblocks the kernel's allocations claimed since position %lu may keep the migratetype they claimed (the record of claims before %lu was lost)",
				to, hm->kmem.claims_from);
		/* the next tick frees what it would have without the change */
		hm->kmem.rng = rng;
	}
	/*
	 * the marks past @to are gone with their changes, @to's change too,
	 * and their positions are the log's again -- unless nothing changed
	 * (no copy, or one that could not be gone back to)
	 */
	if (!ret || !from_copy)
		kmem_copies_rewound(hm, to);
	/* the undo's own operations allocate nothing (its ticks, a zone's pagesets) */
	hm->kmem.paused = true;
	/* and the memmaps its removals free give back their claims (kmem_memmap_freed()) */
	hm->kmem.rewinding = true;
	unlock_device_hotplug(hm);
	return ret;
}

/* an owed allocation whose pages the undo did not bring back: freed, and made anew (logged) */
static void kmem_owed_anew(struct hotmem *hm, unsigned long idx, unsigned long *moved)
{
	struct kmem_alloc a = hm->kmem.allocs[idx];

	kmem_free_at(hm, idx);
	(*moved)++;
	/* -ENOMEM: nowhere */
	kmem_alloc(hm, kmem_site_nid(hm, a.site, a.owner), a.site, a.order, a.owner, a.background);
}

void hotmem_kmem_log_rewind_end(struct hotmem *hm, unsigned long *moved)
{
	*moved = 0;
	lock_device_hotplug(hm);
	hm->kmem.paused = false;
	hm->kmem.rewinding = false;
	for (unsigned long i = 0; hm->kmem.nr_owed && i < hm->kmem.used;) {
		struct kmem_alloc *a = &hm->kmem.allocs[i];

		if (!a->owed) {
			i++;
		} else if (pfn_valid(hm, a->pfn) && !take_block_off_buddy(hm, a->pfn, a->order)) {
			a->owed = false;
			hm->kmem.nr_owed--;
			kmem_mark(hm, pfn_to_page(hm, a->pfn), a->pfn, a->order, a->site);
			i++;
		} else {
			kmem_owed_anew(hm, i, moved); /* the last one moved here: look again */
		}
	}
	unlock_device_hotplug(hm);
}

void hotmem_kmem_pause(struct hotmem *hm, bool pause)
{
	lock_device_hotplug(hm);
	hm->kmem.paused = pause;
	unlock_device_hotplug(hm);
}

/*
 * @a's 2^order pages, all of them free in one buddy block of an online
 * zone below ZONE_MOVABLE, taken off the free lists as
 * take_page_off_buddy() takes one page (the rest of the block given back
 * in halves), and given the reference an allocation gives (6.12
 * post_alloc_hook()'s set_page_refcounted()).  -EBUSY: a page is not free
 * (the kernel's errno for a range it cannot have: alloc_contig_range()).
 */
static int take_block_off_buddy(struct hotmem *hm, unsigned long pfn, unsigned int order)
{
	if (!block_online(hm, pfn, order))
		return -EBUSY;
	/*
	 * a memmap the host left unmapped is mapped first (as
	 * alloc_contig_range()): the whole max-order block's, whose heads
	 * free_block_holding() reads.  The rewind, its end and the restore
	 * hold device_hotplug_lock, not mem_hotplug_lock: the _excl form
	 * keeps the workload's readers (hotmem_alloc_page_at(),
	 * hotmem_free_page(), explain) out while the memmap is remapped and
	 * its free pages go back on their lists, as unclaim_pageblocks() does
	 */
	if (vmemmap_remap_lost_excl(hm, ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES), MAX_ORDER_NR_PAGES))
		return -ENOMEM;
	return take_mapped_block_off_buddy(hm, pfn, order, true);
}

/*
 * take_block_off_buddy() once the max-order block's memmap is mapped;
 * @kernel_zones_only: a kernel allocation's (below ZONE_MOVABLE), else any
 * zone's (a HugeTLB restore's pool page at its pfn, workload.c)
 */
int take_mapped_block_off_buddy(struct hotmem *hm, unsigned long pfn, unsigned int order,
				bool kernel_zones_only)
{
	struct page *page = pfn_to_online_page(hm, pfn), *hp;
	unsigned long head, end = pfn + (1UL << order);
	struct zone *z;
	unsigned int o;

	if (!page || !IS_ALIGNED(pfn, 1UL << order) || !pfn_to_online_page(hm, end - 1))
		return -EBUSY;
	z = page_zone(hm, page);
	if ((kernel_zones_only && zone_idx(z) > ZONE_NORMAL) ||
	    page_zone(hm, pfn_to_page(hm, end - 1)) != z)
		return -EBUSY;
	pthread_mutex_lock(&z->lock);
	hp = free_block_holding(hm, pfn);
	if (!hp || buddy_order_unsafe(hp) < order) {
		pthread_mutex_unlock(&z->lock);
		return -EBUSY;
	}
	head = page_to_pfn(hm, hp);
	o = (unsigned int)buddy_order_unsafe(hp);
	del_page_from_free_list(z, hp, o);
	split_free_block_around(hm, z, head, o, pfn, order);
	pthread_mutex_unlock(&z->lock);
	set_page_count(page, 1);
	WRITE_ONCE(page->index, 0);
	WRITE_ONCE(page->mapping, 0);
	return 0;
}

/* one saved allocation back at its pages: 0, -EBUSY (they are not free) or -ENOMEM */
static int kmem_put_back(struct hotmem *hm, const struct hotmem_kmem_alloc *a)
{
	struct page *page;

	if (!pfn_valid(hm, a->pfn))
		return -EBUSY;
	/* not free, or a memmap the host will not map back: not there */
	if (take_block_off_buddy(hm, a->pfn, a->order))
		return -EBUSY;
	page = pfn_to_page(hm, a->pfn);
	if (kmem_record(hm, a->pfn, a->order, a->site, a->owner, a->background)) {
		__free_pages(hm, page, a->order);
		return -ENOMEM;
	}
	kmem_mark(hm, page, a->pfn, a->order, a->site);
	return 0;
}

/* a saved allocation whose pages are taken now: anew, where the allocator puts it */
static int kmem_anew(struct hotmem *hm, const struct hotmem_kmem_alloc *a)
{
	return kmem_alloc(hm, kmem_site_nid(hm, a->site, a->owner), a->site, a->order, a->owner,
			  a->background);
}

static bool kmem_saved_ok(const struct hotmem_kmem_alloc *a)
{
	return a->site >= 0 && a->site < KMEM_NR_SITES && a->order <= MAX_PAGE_ORDER &&
	       a->owner >= KMEM_OWNER_NONE;
}

/*
 * A restart puts the kernel's allocations back where they were.  No
 * kernel does this -- a real reboot places them anew -- but the state
 * file's promise is the machine as it was, which blocks can go offline
 * being part of it.  First the ones the boot made go (not boot's own,
 * never recorded: the same boot made them at the same pages).
 */
void hotmem_kmem_restore_begin(struct hotmem *hm)
{
	lock_device_hotplug(hm);
	for (unsigned long i = hm->kmem.used; i-- > 0;)
		if (kmem_mapped(hm, &hm->kmem.allocs[i], true))
			kmem_free_at(hm, i);
	unlock_device_hotplug(hm);
}

/*
 * Then the saved ones at their pages, as soon as those are online: those
 * in boot memory before the devices come back, so that a device's memmap
 * from system RAM (vmemmap_populate()) takes none of their pages, the
 * others once the blocks are.
 */
int hotmem_kmem_restore_take(struct hotmem *hm, const struct hotmem_kmem_alloc *a,
			     unsigned long n, bool *taken)
{
	int ret = 0;

	lock_device_hotplug(hm);
	for (unsigned long i = 0; !ret && i < n; i++) {
		if (taken[i] || !kmem_saved_ok(&a[i]))
			continue;
		ret = kmem_put_back(hm, &a[i]);
		taken[i] = !ret;
		ret = ret == -EBUSY ? 0 : ret;
	}
	unlock_device_hotplug(hm);
	return ret;
}

/*
 * Each online pageblock a claim gave a type since boot
 * (kmem_pageblock_claimed()) with its migratetype now -- a pageblock
 * onlined again since reads Movable (memmap_init_range()) -- zone by
 * zone, in pfn order; one in two zones' (claimed in each) twice, the
 * same.  The pageblocks of a block offline are left out: its online sets
 * them.
 */
int hotmem_pageblock_claimed_walk(struct hotmem *hm, hotmem_pageblock_cb cb, void *arg)
{
	struct zone *z;
	int ret = 0;

	lock_device_hotplug(hm);
	for_each_zone(hm, z) {
		pthread_mutex_lock(&z->lock);
		for (unsigned long i = 0; !ret && i < z->claimed_pb_used; i++) {
			const unsigned long pb = z->claimed_pb[i];

			if (pfn_to_online_page(hm, pb))
				ret = cb(arg, pb, get_pfnblock_migratetype(hm, pb));
		}
		pthread_mutex_unlock(&z->lock);
		if (ret)
			break;
	}
	unlock_device_hotplug(hm);
	return ret;
}

/* @z spans the pageblock at @pfn whole (a claim never takes one that straddles) */
static bool zone_spans_pageblock(struct hotmem *hm, const struct zone *z, unsigned long pfn)
{
	bool spans;

	pthread_rwlock_rdlock(&hm->span_lock);
	spans = pfn >= z->zone_start_pfn && pfn + pageblock_nr_pages <= zone_end_pfn(z);
	pthread_rwlock_unlock(&hm->span_lock);
	return spans;
}

/*
 * A claim a state file saved made again: the pageblock at @pfn gets
 * @migratetype and its free pages move to that type's lists, as the
 * claim moved them (claim_pageblock(): move_freepages_block(), the tail;
 * an isolated pageblock's stay on MIGRATE_ISOLATE, its unisolation moves
 * them by this type).  Before the allocations are put back at their
 * pages, whose split takes the rest of a free block to the pageblock's
 * list, as the claim's __rmqueue_smallest() did.  No kernel does this:
 * a reboot claims anew; the state file promises the machine as it was
 * (/proc/pagetypeinfo).  Remembered as claimed again, for the next save.
 * -EINVAL: not a pageblock's first pfn, not a type a claim gives
 * (MIGRATE_UNMOVABLE..MIGRATE_RECLAIMABLE), or a pageblock its zone does
 * not span whole; -ENOENT: not online (yet).  A memmap the host will not
 * map again keeps its free pages where they are, as
 * unclaim_pageblocks() does.
 */
int hotmem_pageblock_claim_again(struct hotmem *hm, uint64_t pfn, int migratetype)
{
	struct page *page;
	struct zone *z;
	bool mapped;
	int ret = 0;

	if (migratetype < MIGRATE_UNMOVABLE || migratetype >= MIGRATE_PCPTYPES ||
	    !IS_ALIGNED(pfn, pageblock_nr_pages))
		return -EINVAL;
	lock_device_hotplug(hm);
	page = pfn_to_online_page(hm, (unsigned long)pfn);
	if (!page) {
		ret = -ENOENT;
		goto out;
	}
	/* the free pages' struct pages are written: mapped first, as take_block_off_buddy() */
	mapped = !vmemmap_remap_lost_excl(hm, ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES),
					  MAX_ORDER_NR_PAGES);
	z = page_zone(hm, page);
	if (!zone_spans_pageblock(hm, z, (unsigned long)pfn)) {
		ret = -EINVAL;
		goto out;
	}
	pthread_mutex_lock(&z->lock);
	if (get_pfnblock_migratetype(hm, pfn) != migratetype) {
		set_pageblock_migratetype(hm, pfn, migratetype);
		if (mapped && !get_pageblock_isolate(hm, pfn))
			move_freepages_block(hm, z, pfn, migratetype);
	}
	kmem_pageblock_claimed(hm, z, pfn, 1);
	pthread_mutex_unlock(&z->lock);
out:
	unlock_device_hotplug(hm);
	return ret;
}

/* @a's allocation among the engine's from @from on: its index, or used */
static unsigned long kmem_find_from(struct hotmem *hm, unsigned long from,
				    const struct hotmem_kmem_alloc *a)
{
	for (unsigned long j = from; j < hm->kmem.used; j++)
		if (hm->kmem.allocs[j].pfn == a->pfn && hm->kmem.allocs[j].site == a->site)
			return j;
	return hm->kmem.used;
}

/* the same order by swaps, O(n^2): when the sorted index below cannot be had */
static void kmem_reorder_slow(struct hotmem *hm, const struct hotmem_kmem_alloc *a,
			      unsigned long n, const bool *taken)
{
	unsigned long at = 0;

	for (unsigned long i = 0; i < n; i++) {
		unsigned long j;
		struct kmem_alloc t;

		if (!taken[i])
			continue;
		j = kmem_find_from(hm, at, &a[i]);
		if (j == hm->kmem.used)
			continue;
		t = hm->kmem.allocs[at];
		hm->kmem.allocs[at] = hm->kmem.allocs[j];
		hm->kmem.allocs[j] = t;
		at++;
	}
}

struct pfn_at {
	unsigned long pfn, idx;
};

static int pfn_at_cmp(const void *x, const void *y)
{
	const struct pfn_at *a = x, *b = y;

	return a->pfn < b->pfn ? -1 : a->pfn > b->pfn;
}

/*
 * The engine's array in @a's order (the taken ones; those anew after
 * them, in the order they were made): each found by its pfn in a sorted
 * index, O(n log n) -- a linear search for each was O(n^2)
 * (reread18-engine F5).  The restore's own bookkeeping, not the
 * machine's: plain malloc, and without it the swaps as before.
 */
static void kmem_reorder(struct hotmem *hm, const struct hotmem_kmem_alloc *a, unsigned long n,
			 const bool *taken)
{
	unsigned long used = hm->kmem.used, at = 0;
	struct pfn_at *idx;
	struct kmem_alloc *out;
	bool *done;

	/*
	 * nothing live yet (a restore before any allocation): nothing to
	 * order, and hm->kmem.allocs may be NULL -- memcpy(NULL, p, 0) is
	 * undefined (UBSan aborted every restart, abuse26 E3)
	 */
	if (!used)
		return;
	idx = malloc(used * sizeof(*idx));
	out = malloc(used * sizeof(*out));
	done = calloc(used, sizeof(*done));
	if (!idx || !out || !done) {
		kmem_reorder_slow(hm, a, n, taken);
		goto out;
	}
	for (unsigned long j = 0; j < used; j++)
		idx[j] = (struct pfn_at){ hm->kmem.allocs[j].pfn, j };
	qsort(idx, used, sizeof(*idx), pfn_at_cmp);
	for (unsigned long i = 0; i < n; i++) {
		struct pfn_at key = { (unsigned long)a[i].pfn, 0 }, *f;

		if (!taken[i])
			continue;
		f = bsearch(&key, idx, used, sizeof(*idx), pfn_at_cmp);
		/* one pfn, one live allocation: its site says it is this one */
		if (!f || done[f->idx] || hm->kmem.allocs[f->idx].site != a[i].site)
			continue;
		done[f->idx] = true;
		out[at++] = hm->kmem.allocs[f->idx];
	}
	for (unsigned long j = 0; j < used; j++)
		if (!done[j])
			out[at++] = hm->kmem.allocs[j];
	memcpy(hm->kmem.allocs, out, used * sizeof(*out));
out:
	free(idx);
	free(out);
	free(done);
}

/*
 * Last, those whose pages are not free are allocated anew where the
 * allocator puts them (counted in *@moved), and the array is put in the
 * saved order, the generator as saved: the next tick frees the same one
 * (kmem_random() over the same array).
 */
int hotmem_kmem_restore_end(struct hotmem *hm, const struct hotmem_kmem_alloc *a,
			    unsigned long n, const bool *taken, uint64_t rng, unsigned long *moved)
{
	*moved = 0;
	lock_device_hotplug(hm);
	for (unsigned long i = 0; i < n; i++) {
		if (taken[i])
			continue;
		(*moved)++; /* one the kernel does not allocate is dropped */
		if (kmem_saved_ok(&a[i]))
			kmem_anew(hm, &a[i]); /* -ENOMEM: a machine that full has it nowhere */
	}
	/* the taken ones first, in the saved order; those anew after them */
	kmem_reorder(hm, a, n, taken);
	hm->kmem.rng = rng;
	unlock_device_hotplug(hm);
	return 0;
}
