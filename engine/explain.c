// SPDX-License-Identifier: GPL-2.0
/*
 * explain: why a memory block would not go offline, page by page, and why
 * it is in its zone.  Not a kernel interface: the kernel only says
 * "unmovable page" for the first page it trips over (dump_page()); this
 * walks the whole block the way has_unmovable_pages() and
 * scan_movable_pages() would and names every page's owner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* a row a kind and a row a kernel allocation site: never more than the table holds */
_Static_assert(KMEM_NR_SITES + 7 <= HM_EXPLAIN_OWNERS, "explain's owner rows");

static const char *plural(unsigned long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* the summary row of @o: its kind, and for the kernel its allocation site */
static struct hm_explain_owner *owner_row(struct hm_explain *ex, const struct hm_page_owner *o)
{
	const char *site = strcmp(o->kind, "kernel") ? "" : o->owner;
	struct hm_explain_owner *row;

	for (unsigned long i = 0; i < ex->nr_owners; i++) {
		row = &ex->owners[i];
		if (!strcmp(row->kind, o->kind) && !strcmp(row->site, site))
			return row;
	}
	if (ex->nr_owners == HM_EXPLAIN_OWNERS)	/* see the assertion: never */
		return &ex->owners[HM_EXPLAIN_OWNERS - 1];
	row = &ex->owners[ex->nr_owners++];
	row->kind = o->kind;
	snprintf(row->site, sizeof(row->site), "%s", site);
	row->blocks = o->blocks;
	return row;
}

/* 64-bit FNV-1a over @len bytes, from @h */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * An entry's digest: what its row shows (not the flags word, whose bits
 * an offline's isolation may touch while nothing about the entry
 * changes), mixed (splitmix64's finaliser) so that a sum of digests
 * tells one set of entries from another
 */
static uint64_t entry_digest(const struct hm_page_owner *o)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char blocks = o->blocks;

	h = fnv1a(h, &o->pfn, sizeof(o->pfn));
	h = fnv1a(h, &o->order, sizeof(o->order));
	h = fnv1a(h, &blocks, 1);
	h = fnv1a(h, o->kind, strlen(o->kind) + 1);
	h = fnv1a(h, o->type, strnlen(o->type, sizeof(o->type)));
	h = fnv1a(h, "", 1);
	h = fnv1a(h, o->owner, strnlen(o->owner, sizeof(o->owner)));
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/*
 * Every entry counted and summed up by owner; listed if from from_pfn and
 * room is left.  True: the walk may end here (a page alone is listed and
 * this is the entry after it).
 */
static bool explain_add(struct hm_explain *ex, const struct hm_page_owner *o)
{
	const unsigned long pages = 1UL << o->order;
	const uint64_t digest = entry_digest(o);

	if (!ex->page_only) {
		struct hm_explain_owner *row = owner_row(ex, o);

		row->pages += pages;
		row->entries++;
		ex->nr_entries++;
		ex->nr_entry_pages += pages;
		ex->digest += digest;
	}
	if (o->pfn < ex->from_pfn) {
		ex->nr_before += !ex->page_only;
	} else if (ex->nr_shown < HM_EXPLAIN_MAX) {
		ex->pages[ex->nr_shown++] = *o;
		ex->shown_digest += digest;
	} else {
		if (!ex->nr_after++)
			ex->next_pfn = o->pfn;
		ex->nr_after_pages += pages;
		return ex->page_only;
	}
	return false;
}

/*
 * Where a page's walk starts: at @from itself when an entry starts there
 * (the next entry an earlier page named: nothing before it can cover it),
 * else where no free buddy block or huge page can reach across @from
 * (MAX_ORDER_NR_PAGES aligned), so that it meets what the block's whole
 * walk meets from there on
 */
static unsigned long page_walk_start(struct hotmem *hm, unsigned long start, unsigned long from)
{
	struct page *page;

	if (from <= start)
		return start;
	if (!memmap_unmapped(hm, from) && pfn_valid(hm, from)) {
		page = pfn_to_page(hm, from);
		if (!PageBuddy(page) && !PageHuge(page) &&
		    (test_page_flag(page, PG_workload) ||
		     ((test_page_flag(page, PG_kernel) || test_page_flag(page, PG_vmemmap)) &&
		      READ_ONCE(page->mapping) == from)))
			return from;
	}
	return max(start, ALIGN_DOWN(from, MAX_ORDER_NR_PAGES));
}

/* the pages of an online block: what stops it, what would migrate */
static void explain_pages(struct hotmem *hm, struct memory_block *mem, struct hm_explain *ex,
			  bool *holes, bool *unmapped, unsigned long *nr_free)
{
	const unsigned long start = section_nr_to_pfn(mem->start_section_nr);
	const unsigned long end = start + pages_per_block(hm);
	unsigned long pfn = ex->page_only ? page_walk_start(hm, start, ex->from_pfn) : start;

	while (pfn < end) {
		struct hm_page_owner o;
		struct page *page;
		unsigned long skip;

		ex->nr_walked++;

		/*
		 * A memmap the host left unmapped (a HugeTLB undo) cannot be
		 * read: its section is skipped.  Without device_hotplug_lock
		 * (an offline may run for as long as a signal is not sent),
		 * so only what an earlier refusal left is seen here: the
		 * caller holds vmemmap_remap_lock against one being handled.
		 */
		if (memmap_unmapped(hm, pfn)) {
			*unmapped = true;
			pfn = ALIGN(pfn + 1, PAGES_PER_SECTION);
			continue;
		}
		if (!pfn_valid(hm, pfn) || (mem->early && !memblock_is_memory(hm, pfn))) {
			*holes = true;
			pfn++;
			continue;
		}
		page = pfn_to_page(hm, pfn);
		skip = page_span_to_skip(page);
		/* a huge page of the pool: offline_pages() dissolves it, whole */
		if (PageHuge(page) && test_page_flag(page, PG_head)) {
			ex->nr_hugetlb_free++;
			/* its vmemmap restore's pages: vmemmap_remap_lock held */
			ex->nr_hvo_restore_pages += hugetlb_vmemmap_restore_need(hm, pfn);
		}
		if (skip) {
			if (PageBuddy(page))
				*nr_free += skip;
			pfn += skip;
			continue;
		}
		/* fake-offline (virtio-mem): given up in MEM_GOING_OFFLINE, never a blocker */
		if (PageOffline(page) && page_ref_count(page)) {
			ex->nr_fake_offline_pages++;
			pfn++;
			continue;
		}
		if (PageVmemmapSelfHosted(page) || (PageOffline(page) && !page_ref_count(page)) ||
		    (!page_ref_count(page) && !test_page_flag(page, PG_kernel) &&
		     !test_page_flag(page, PG_vmemmap) && !PageReserved(page) &&
		     !test_page_flag(page, PG_hwpoison))) {
			pfn++;
			continue;
		}
		pfn += page_owner(hm, pfn, &o);
		if (!strcmp(o.kind, "movable")) {
			ex->nr_movable_pages++;
			continue;
		}
		if (!strcmp(o.kind, "hwpoison"))
			ex->nr_hwpoison++;
		if (o.blocks)
			ex->nr_blocking_pages += 1UL << o.order;
		if (explain_add(ex, &o))
			break;
	}
}

/*
 * A zone's free pages an allocation whose highest zone is @highest may
 * take: those above WMARK_MIN plus the lowmem_reserve[] the zone keeps
 * from it (6.12 __zone_watermark_ok(): free_pages <= min +
 * lowmem_reserve[highest_zoneidx] refuses).  @nr_block_free of the free
 * pages lie in the block being offlined (@own: this is its zone): the
 * offline isolates them first, and 6.12's NR_FREE_PAGES leaves isolated
 * pages out (account_freepages()), as does the pages a migration frees
 * into the isolated block -- so the count the watermark is checked
 * against is the zone's free pages outside the block, falling with each
 * page taken, down to the watermark and reserve, as in any other zone.
 */
static unsigned long zone_free_for_migration(struct zone *z, int highest, bool own,
					     unsigned long nr_block_free)
{
	unsigned long free, wmark;

	pthread_mutex_lock(&z->lock);
	free = z->nr_free_pages;
	wmark = zone_min_mark(z, highest); /* zone_watermark_ok()'s mark */
	pthread_mutex_unlock(&z->lock);
	if (own)
		free = free > nr_block_free ? free - nr_block_free : 0;
	return free > wmark ? free - wmark : 0;
}

/*
 * Each node's populated zones up to @highest (a bit a zone) in
 * @populated[], and the nodes with memory other than @nid: the nodes'
 * and zones' present pages under span_lock (the kernel's
 * pgdat_resize_lock), as hotmem_zone_info() reads them -- an online or
 * offline beside us changes them there (adjust_present_page_count())
 */
static uint64_t populated_zones(struct hotmem *hm, int highest, int nid, unsigned int *populated)
{
	uint64_t others = 0;

	pthread_rwlock_rdlock(&hm->span_lock);
	for (int n = 0; n < hm->nr_possible_nodes; n++) {
		struct pglist_data *pgdat = NODE_DATA(hm, n);

		if (!pgdat)
			continue;
		if (n != nid && pgdat->node_present_pages)
			others |= 1ULL << n;
		for (int zid = highest; zid >= 0; zid--)
			if (populated_zone(&pgdat->node_zones[zid]))
				populated[n] |= 1U << zid;
	}
	pthread_rwlock_unlock(&hm->span_lock);
	return others;
}

/*
 * The free pages of @nodes' populated zones [@lowest, @highest] an
 * allocation whose highest zone is @alloc_highest may take
 * (zone_free_for_migration()), each zone's count under its own lock;
 * @zone is the block's own.  The two differ for a ZONE_MOVABLE page's
 * target in the kernel's zones: it looks at ZONE_NORMAL and below, and
 * each of them keeps lowmem_reserve[ZONE_MOVABLE] from it (gfp_zone()'s
 * ZONE_MOVABLE is the allocation's highest_zoneidx), not
 * lowmem_reserve[ZONE_NORMAL] -- the estimate was that much high, and
 * explain said "should go offline" of a block whose offline looped.
 */
static unsigned long free_in_zones(struct hotmem *hm, uint64_t nodes, const unsigned int *populated,
				   int lowest, int highest, int alloc_highest, struct zone *zone,
				   unsigned long nr_block_free)
{
	unsigned long n = 0;

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		if (!pgdat || !(nodes & (1ULL << nid)))
			continue;
		for (int zid = highest; zid >= lowest; zid--) {
			struct zone *z = &pgdat->node_zones[zid];

			if (populated[nid] & (1U << zid))
				n += zone_free_for_migration(z, alloc_highest, z == zone, nr_block_free);
		}
	}
	return n;
}

/*
 * The free pages the block's movable pages can migrate into, where
 * alloc_migration_target() looks for them (6.12 do_migrate_range(): every
 * other node with memory, this one only when no other has any;
 * ZONE_MOVABLE only for pages of ZONE_MOVABLE), outside the block.  Fewer
 * than its movable pages: do_migrate_range() moves what it can and
 * offline_pages() loops on the rest until a signal.  @kernel_taken: what
 * the migration takes from the kernel's zones (ZONE_NORMAL and below),
 * after a movable block's pages filled the target nodes' ZONE_MOVABLE
 * (each zonelist has it first), no more than those zones give.
 */
static unsigned long free_for_migration(struct hotmem *hm, struct memory_block *mem,
					struct zone *zone, unsigned long nr_block_free,
					unsigned long nr_movable, unsigned long *kernel_taken)
{
	const int highest = zone_idx(zone) == ZONE_MOVABLE ? ZONE_MOVABLE : ZONE_NORMAL;
	unsigned int populated[HM_MAX_NUMNODES] = { 0 };
	uint64_t nodemask = populated_zones(hm, highest, mem->nid, populated);
	unsigned long movable, kernel;

	if (!nodemask)
		nodemask = 1ULL << mem->nid;
	movable = highest == ZONE_MOVABLE ?
			  free_in_zones(hm, nodemask, populated, ZONE_MOVABLE, ZONE_MOVABLE,
					ZONE_MOVABLE, zone, nr_block_free) : 0;
	kernel = free_in_zones(hm, nodemask, populated, 0, min(highest, ZONE_NORMAL), highest,
			       zone, nr_block_free);
	*kernel_taken = nr_movable > movable ? min(nr_movable - movable, kernel) : 0;
	return movable + kernel;
}

/*
 * What GFP_KERNEL may take for the huge pages' vmemmap restore (6.12
 * alloc_vmemmap_page_list(): alloc_pages_node(nid, GFP_KERNEL |
 * __GFP_RETRY_MAYFAIL, 0), no __GFP_THISNODE: the node's zonelist, every
 * node with memory, ZONE_NORMAL and below, above each zone's min
 * watermark and lowmem_reserve), less what the migration before the
 * dissolve (offline_pages()'s order) took from those zones.  The engine
 * reclaims nothing, so __GFP_RETRY_MAYFAIL finds no more.
 */
static unsigned long free_for_kernel(struct hotmem *hm, struct memory_block *mem,
				     struct zone *zone, unsigned long nr_block_free,
				     unsigned long kernel_taken)
{
	unsigned int populated[HM_MAX_NUMNODES] = { 0 };
	uint64_t nodes = populated_zones(hm, ZONE_NORMAL, mem->nid, populated) | 1ULL << mem->nid;
	unsigned long n = free_in_zones(hm, nodes, populated, 0, ZONE_NORMAL, ZONE_NORMAL, zone,
					nr_block_free);

	return n > kernel_taken ? n - kernel_taken : 0;
}

#define APPEND(...)                                                             \
	do {                                                                    \
		if ((size_t)n < len)                                            \
			n += snprintf(buf + n, len - (size_t)n, __VA_ARGS__);   \
	} while (0)
#define APPEND_STR(s)                                                           \
	do {                                                                    \
		if ((size_t)n < len)                                            \
			n += json_str(buf + n, len - (size_t)n, s);             \
	} while (0)

/* "online: refused ...: 1 poisoned page (pfn 0x100010); ..." */
static void poison_reason(struct hm_explain *ex)
{
	char *buf = ex->reason;
	const size_t len = sizeof(ex->reason);
	int n = 0;

	APPEND("online: refused with EHWPOISON (memblk_nr_poison()): %lu poisoned %s",
	       ex->nr_hwpoison, ex->nr_hwpoison == 1 ? "page" : "pages");
	for (unsigned long i = 0; i < ex->nr_hwpoison_pfns; i++)
		APPEND("%s%#llx", i ? ", " : " (pfn ", (unsigned long long)ex->hwpoison_pfns[i]);
	if (ex->nr_hwpoison_pfns)
		APPEND("%s)", ex->nr_hwpoison > ex->nr_hwpoison_pfns ? ", ..." : "");
	APPEND("; the block comes back only after its memory is removed and plugged again");
}

/* an offline block: what stops it from coming back (memblk_nr_poison(), an injected error) */
static void explain_offline(struct hotmem *hm, struct memory_block *mem, struct hm_explain *ex)
{
	const unsigned long start = section_nr_to_pfn(mem->start_section_nr);
	const unsigned long end = start + pages_per_block(hm);

	ex->nr_hwpoison = __atomic_load_n(&mem->nr_hwpoison, __ATOMIC_ACQUIRE);
	if (ex->nr_hwpoison) {
		/* the memmap stays while the block is present: the pfns to name */
		pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
		for (unsigned long pfn = start; pfn < end && ex->nr_hwpoison_pfns <
		     ARRAY_SIZE(ex->hwpoison_pfns); pfn++) {
			if (memmap_unmapped(hm, pfn)) {
				pfn = ALIGN(pfn + 1, PAGES_PER_SECTION) - 1;
				continue;
			}
			if (pfn_valid(hm, pfn) &&
			    test_page_flag(pfn_to_page(hm, pfn), PG_hwpoison))
				ex->hwpoison_pfns[ex->nr_hwpoison_pfns++] = pfn;
		}
		pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
		ex->verdict = "ehwpoison";
		poison_reason(ex);
	} else if (ex->notifier_error_online) {
		ex->verdict = "notifier";
		snprintf(ex->reason, sizeof(ex->reason),
			 "online: fails with %d: notifier-error-inject MEM_GOING_ONLINE is %d; `hotmemctl inject MEM_GOING_ONLINE 0` clears it",
			 ex->notifier_error_online, ex->notifier_error_online);
	} else {
		ex->verdict = "offline";
		snprintf(ex->reason, sizeof(ex->reason), "already offline: nothing to explain");
	}
}

/*
 * The free huge pages' dissolve (after the migration, 6.12
 * offline_pages()): each restores its vmemmap first, and the first that
 * finds no kernel memory ends the offline with ENOMEM, the ones before it
 * staying dissolved (dissolve_free_hugetlb_folios() stops there).  How
 * many get through: exact when each needs as many pages (all optimised,
 * the usual case), else the share of the kernel memory there is.
 */
static void hugetlb_dissolve_verdict(struct hotmem *hm, struct memory_block *mem,
				     struct zone *zone, unsigned long nr_block_free,
				     unsigned long kernel_taken, struct hm_explain *ex)
{
	ex->nr_kernel_free = free_for_kernel(hm, mem, zone, nr_block_free, kernel_taken);
	ex->nr_hugetlb_dissolved = ex->nr_kernel_free >= ex->nr_hvo_restore_pages ?
					   ex->nr_hugetlb_free :
					   ex->nr_kernel_free * ex->nr_hugetlb_free /
						   ex->nr_hvo_restore_pages;
}

/*
 * A boot block's zone rule: free_area_init()'s by address, and on a node
 * with a boot ZONE_MOVABLE (kernelcore=, movablecore=) that zone from its
 * zone_movable_pfn on
 */
static void boot_zone_rule(struct hotmem *hm, const struct memory_block *mem, char *buf,
			   size_t len)
{
	unsigned long movable = mem->nid >= 0 ? hm->zone_movable_pfn[mem->nid] : 0;
	int n = snprintf(buf, len, "boot memory: its zone by address at boot (free_area_init: "
				   "DMA below 16M, DMA32 below 4G, Normal above)");

	if (movable && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; Movable from %#llx (kernelcore=/movablecore=)",
			 (unsigned long long)PFN_PHYS(movable));
}

/*
 * What an offline's start_isolate_page_range() meets in the block: the
 * first unmovable pfn, -1 when none -- the isolation's own test
 * (first_unmovable_pfn()), over memory_block_offline()'s range (a
 * memmap_on_memory block's vmemmap pages left out), with the flags
 * offline_pages() gives it but REPORT_FAILURE (explain dumps nothing).
 * Only asked where the offline gets that far: its memmap mapped, no
 * holes, one zone.  vmemmap_remap_lock held.
 */
static long isolation_refuses(struct hotmem *hm, struct memory_block *mem, struct zone *zone)
{
	unsigned long start = section_nr_to_pfn(mem->start_section_nr);
	const unsigned long end = start + pages_per_block(hm);

	if (mem->altmap)
		start += mem->altmap->free;
	return first_unmovable_pfn(hm, zone, start, end, MEMORY_OFFLINE);
}

static void explain_verdict(struct hotmem *hm, struct memory_block *mem, struct hm_explain *ex)
{
	bool holes = false, unmapped = false;
	unsigned long nr_block_free = 0;
	struct zone *zone = __atomic_load_n(&mem->zone, __ATOMIC_ACQUIRE);
	/* once: an online may set it meanwhile */
	const char *rule = __atomic_load_n(&mem->zone_rule, __ATOMIC_ACQUIRE);
	long unmovable = -1;

	ex->zone = zone ? zone_idx(zone) : -1;
	if (mem->early && !rule)
		boot_zone_rule(hm, mem, ex->zone_rule, sizeof(ex->zone_rule));
	else if (rule)
		snprintf(ex->zone_rule, sizeof(ex->zone_rule), "%s", rule);
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	explain_pages(hm, mem, ex, &holes, &unmapped, &nr_block_free);
	if (zone && !holes && !unmapped)
		unmovable = isolation_refuses(hm, mem, zone);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	ex->nr_hugetlb_dissolved = ex->nr_hugetlb_free;
	if (zone) {
		unsigned long kernel_taken;

		ex->nr_free_target = free_for_migration(hm, mem, zone, nr_block_free,
							ex->nr_movable_pages, &kernel_taken);
		if (ex->nr_hvo_restore_pages)
			hugetlb_dissolve_verdict(hm, mem, zone, nr_block_free, kernel_taken, ex);
	}
	if (unmapped) {
		ex->verdict = "enomem";
		snprintf(ex->reason, sizeof(ex->reason),
			 "the host left part of its memmap unmapped (vm.max_map_count): offlining maps it first, or fails with ENOMEM");
	} else if (!zone) {
		ex->verdict = "einval";
		/* memory_block_add_nid(): a boot block on two nodes has no zone either */
		snprintf(ex->reason, sizeof(ex->reason),
			 "spans several %s: offlining refuses it (EINVAL)",
			 mem->nodes & (mem->nodes - 1) ? "nodes" : "zones");
	} else if (holes) {
		ex->verdict = "einval";
		snprintf(ex->reason, sizeof(ex->reason),
			 "has memory holes: offline_pages() fails (EINVAL, \"memory holes\")");
	} else if (unmovable >= 0) {
		/* in ZONE_MOVABLE too: a reserved page there (boot memory) */
		ex->verdict = "ebusy";
		snprintf(ex->reason, sizeof(ex->reason),
			 "fails at once with EBUSY: start_isolate_page_range() finds an unmovable page, the first at pfn %#lx (\"page dumped because: unmovable page\"); %lu %s never migrate, by owner below",
			 (unsigned long)unmovable, ex->nr_blocking_pages,
			 plural(ex->nr_blocking_pages, "page", "pages"));
	} else if (ex->notifier_error_offline) {
		/*
		 * after the isolation, before any migration: 6.12 offline_pages()
		 * calls memory_notify(MEM_GOING_OFFLINE) before its migrate loop,
		 * so a notifier error ends even a block that would loop (reread34 R4)
		 */
		ex->verdict = "notifier";
		snprintf(ex->reason, sizeof(ex->reason),
			 "fails with %d (\"%s\"): notifier-error-inject MEM_GOING_OFFLINE is %d; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it",
			 ex->notifier_error_offline, hotmem_offline_cause_name(HM_OFFLINE_CAUSE_NOTIFIER),
			 ex->notifier_error_offline);
	} else if (ex->nr_blocking_pages) {
		ex->verdict = "eintr-loop";
		snprintf(ex->reason, sizeof(ex->reason),
			 "migrates until a signal ends it (EINTR, \"signal backoff\"): %lu pages never migrate",
			 ex->nr_blocking_pages);
	} else if (ex->nr_movable_pages > ex->nr_free_target) {
		ex->verdict = "eintr-no-free";
		snprintf(ex->reason, sizeof(ex->reason),
			 "loops until a signal (EINTR, \"signal backoff\"): %lu movable pages must migrate, only ~%lu free pages elsewhere (free memory first)",
			 ex->nr_movable_pages, ex->nr_free_target);
	} else if (ex->nr_hugetlb_dissolved < ex->nr_hugetlb_free) {
		ex->verdict = "enomem";
		snprintf(ex->reason, sizeof(ex->reason),
			 "fails with ENOMEM (\"%s\"): the vmemmap restore of its free huge pages needs %lu pages of kernel memory, ~%lu free above the watermarks (free memory first)",
			 hotmem_offline_cause_name(HM_OFFLINE_CAUSE_DISSOLVE),
			 ex->nr_hvo_restore_pages, ex->nr_kernel_free);
	} else {
		ex->verdict = "ok";
		snprintf(ex->reason, sizeof(ex->reason), "should go offline: %lu movable pages migrate%s",
			 ex->nr_movable_pages,
			 ex->nr_hugetlb_free ? ", the free huge pages are dissolved" : "");
	}
}

/* the pool's size now: nr_hugepages, as hotmem_meminfo() reads it */
static unsigned long hugetlb_pool_pages(struct hotmem *hm)
{
	unsigned long n = 0;

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++)
		n += __atomic_load_n(&NODE_DATA(hm, nid)->nr_hugepages, __ATOMIC_RELAXED);
	return n;
}

/* the whole explanation: the verdict, the totals, the owners, a page of entries */
static void explain_whole(struct hotmem *hm, struct memory_block *mem, struct hm_explain *ex)
{
	ex->notifier_error_offline = hotmem_get_notifier_error(hm, HM_MEM_GOING_OFFLINE);
	ex->notifier_error_online = hotmem_get_notifier_error(hm, HM_MEM_GOING_ONLINE);
	if (ex->state == HM_MEM_OFFLINE) {
		explain_offline(hm, mem, ex);
		return;
	}
	explain_verdict(hm, mem, ex);
	/* read apart from the walk (no pool lock): never fewer than the block holds */
	if (ex->nr_hugetlb_free)
		ex->hugetlb_pool_pages = max(hugetlb_pool_pages(hm), ex->nr_hugetlb_free);
}

/* a page of entries alone: an offline block lists nothing, as its whole explanation does */
static void explain_listing(struct hotmem *hm, struct memory_block *mem, struct hm_explain *ex)
{
	bool holes, unmapped;
	unsigned long nr_free = 0;

	if (ex->state == HM_MEM_OFFLINE)
		return;
	pthread_rwlock_rdlock(&hm->vmemmap_remap_lock);
	explain_pages(hm, mem, ex, &holes, &unmapped, &nr_free);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
}

static int explain_block(struct hotmem *hm, unsigned long id, uint64_t from_pfn, bool page_only,
			 struct hm_explain *ex)
{
	struct memory_block *mem;
	int ret = 0;

	memset(ex, 0, sizeof(*ex));
	ex->id = id;
	ex->from_pfn = from_pfn;
	ex->page_only = page_only;
	ex->zone = -1;
	/* holding the table: the block's memmap cannot be removed under us */
	pthread_rwlock_rdlock(&hm->blocks_lock);
	mem = hm_xa_load(&hm->memory_blocks, id);
	if (!mem) {
		ret = -ENODEV;
		goto out;
	}
	/* from the block's first pfn unless asked further: "from" says where the list starts */
	ex->from_pfn = max(from_pfn, (uint64_t)section_nr_to_pfn(mem->start_section_nr));
	/* an online's memmap init waits for us (memory.c) */
	ex->state = memory_block_walk_begin(mem);
	ex->nid = mem->nid;
	if (page_only)
		explain_listing(hm, mem, ex);
	else
		explain_whole(hm, mem, ex);
	memory_block_walk_end(mem);
out:
	pthread_rwlock_unlock(&hm->blocks_lock);
	return ret;
}

int hotmem_explain_from(struct hotmem *hm, unsigned long id, uint64_t from_pfn,
			struct hm_explain *ex)
{
	return explain_block(hm, id, from_pfn, false, ex);
}

int hotmem_explain_page(struct hotmem *hm, unsigned long id, uint64_t from_pfn,
			struct hm_explain *ex)
{
	return explain_block(hm, id, from_pfn, true, ex);
}

int hotmem_explain(struct hotmem *hm, unsigned long id, struct hm_explain *ex)
{
	return hotmem_explain_from(hm, id, 0, ex);
}

static int json_str(char *buf, size_t len, const char *s)
{
	int n = snprintf(buf, len, "\"");

	for (; *s && n >= 0 && (size_t)n < len; s++)
		n += snprintf(buf + n, len - (size_t)n, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "\"");
	return n;
}


static int owners_json(const struct hm_explain *ex, char *buf, size_t len)
{
	int n = 0;

	APPEND("\"owners\":[");
	for (unsigned long i = 0; i < ex->nr_owners; i++) {
		const struct hm_explain_owner *w = &ex->owners[i];

		APPEND("%s{\"kind\":\"%s\",\"site\":", i ? "," : "", w->kind);
		APPEND_STR(w->site);
		APPEND(",\"pages\":%lu,\"entries\":%lu,\"blocks\":%s}", w->pages, w->entries,
		       w->blocks ? "true" : "false");
	}
	APPEND("]");
	return n;
}

/* the listed entries, "pages":[...] */
static int pages_json(const struct hm_explain *ex, char *buf, size_t len)
{
	int n = 0;

	APPEND("\"pages\":[");
	for (unsigned long i = 0; i < ex->nr_shown; i++) {
		const struct hm_page_owner *o = &ex->pages[i];

		APPEND("%s{\"pfn\":\"%#llx\",\"order\":%u,\"flags\":\"%#lx\",\"type\":\"%s\","
		       "\"kind\":\"%s\",\"blocks\":%s,\"owner\":", i ? "," : "",
		       (unsigned long long)o->pfn, o->order, o->flags, o->type, o->kind,
		       o->blocks ? "true" : "false");
		APPEND_STR(o->owner);
		APPEND("}");
	}
	APPEND("]");
	return n;
}

/* a page alone (hotmem_explain_page()): where it starts, its entries, where the next start */
static int page_json(const struct hm_explain *ex, char *buf, size_t len)
{
	int n = 0;

	APPEND("{\"block\":%lu,\"state\":\"%s\",\"page_only\":true,\"from\":\"%#llx\","
	       "\"pages_digest\":\"%#llx\",\"truncated\":%s,",
	       ex->id, hotmem_state_name(ex->state), (unsigned long long)ex->from_pfn,
	       (unsigned long long)ex->shown_digest, ex->nr_after ? "true" : "false");
	if (ex->nr_after)
		APPEND("\"next\":\"%#llx\",", (unsigned long long)ex->next_pfn);
	if ((size_t)n < len)
		n += pages_json(ex, buf + n, len - (size_t)n);
	APPEND("}\n");
	return n;
}

static int explain_json(const struct hm_explain *ex, char *buf, size_t len)
{
	int n = 0;

	if (ex->page_only)
		return page_json(ex, buf, len);

	APPEND("{\"block\":%lu,\"state\":\"%s\",\"node\":%d,\"zone\":\"%s\",\"zone_rule\":",
	       ex->id, hotmem_state_name(ex->state), ex->nid,
	       ex->zone >= 0 ? hotmem_zone_name(ex->zone) : "");
	APPEND_STR(ex->zone_rule);
	APPEND(",\"verdict\":\"%s\",\"reason\":", ex->verdict);
	APPEND_STR(ex->reason);
	APPEND(",\"blocking_pages\":%lu,\"movable_pages\":%lu,\"hwpoison_pages\":%lu,"
	       "\"fake_offline_pages\":%lu,\"entries\":%lu,\"entry_pages\":%lu,",
	       ex->nr_blocking_pages, ex->nr_movable_pages, ex->nr_hwpoison,
	       ex->nr_fake_offline_pages, ex->nr_entries, ex->nr_entry_pages);
	/* where the movable pages could go; the armed injections; an offline block's poison */
	APPEND("\"free_target_pages\":%lu,\"notifier_error\":{\"MEM_GOING_OFFLINE\":%d,"
	       "\"MEM_GOING_ONLINE\":%d},\"hwpoison_pfns\":[",
	       ex->nr_free_target, ex->notifier_error_offline, ex->notifier_error_online);
	for (unsigned long i = 0; i < ex->nr_hwpoison_pfns; i++)
		APPEND("%s\"%#llx\"", i ? "," : "", (unsigned long long)ex->hwpoison_pfns[i]);
	APPEND("],");
	/* the pool's pages in the block, dissolved by an offline: the pool after it */
	APPEND("\"hugetlb_free_huge_pages\":%lu,\"hugetlb_pages\":%lu,\"hugetlb_pool\":%lu,"
	       "\"hugetlb_pool_after_offline\":%lu,",
	       ex->nr_hugetlb_free, ex->nr_hugetlb_free * HM_PAGEBLOCK_NR_PAGES,
	       ex->hugetlb_pool_pages, ex->hugetlb_pool_pages - ex->nr_hugetlb_dissolved);
	/* their vmemmap restore (HVO): its need, what GFP_KERNEL has, how many dissolve */
	APPEND("\"hugetlb_vmemmap_restore_pages\":%lu,\"kernel_free_pages\":%lu,"
	       "\"hugetlb_dissolved\":%lu,",
	       ex->nr_hvo_restore_pages, ex->nr_kernel_free, ex->nr_hugetlb_dissolved);
	if ((size_t)n < len)
		n += owners_json(ex, buf + n, len - (size_t)n);
	APPEND(",\"from\":\"%#llx\",\"entries_before\":%lu,\"truncated\":%s,"
	       "\"more_entries\":%lu,\"more_pages\":%lu,",
	       (unsigned long long)ex->from_pfn, ex->nr_before, ex->nr_after ? "true" : "false",
	       ex->nr_after, ex->nr_after_pages);
	if (ex->nr_after)
		APPEND("\"next\":\"%#llx\",", (unsigned long long)ex->next_pfn);
	/* what a reader paging through the block checks its pages against */
	APPEND("\"entries_digest\":\"%#llx\",\"pages_digest\":\"%#llx\",",
	       (unsigned long long)ex->digest, (unsigned long long)ex->shown_digest);
	if ((size_t)n < len)
		n += pages_json(ex, buf + n, len - (size_t)n);
	APPEND("}\n");
	return n;
}

/* what a kind of owner is, in the summary; the kernel's rows name their sites */
static const struct {
	const char *kind, *what;
} kinds[] = {
	{ "kernel", NULL },
	{ "workload", "unmovable workload pages" },
	{ "pinned", "pinned workload pages: migration fails while pinned" },
	{ "memmap", "vmemmap_populate: struct pages of hot-added memory" },
	{ "memblock", "memblock: reserved at boot" },
	{ "unknown", "in use, owner unknown" },
	{ "hwpoison", "memory failure: retired, does not stop offlining" },
};

/* one line a kind: its pages and entries, then the kernel's sites, most pages first */
static int owners_text(const struct hm_explain *ex, char *buf, size_t len)
{
	int n = 0;

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		unsigned long pages = 0, entries = 0;
		bool done[HM_EXPLAIN_OWNERS] = { false };

		for (unsigned long i = 0; i < ex->nr_owners; i++)
			if (!strcmp(ex->owners[i].kind, kinds[k].kind)) {
				pages += ex->owners[i].pages;
				entries += ex->owners[i].entries;
			}
		if (!entries)
			continue;
		APPEND("  %-9s %lu %s in %lu %s: ", kinds[k].kind, pages, plural(pages, "page", "pages"),
		       entries, plural(entries, "entry", "entries"));
		if (kinds[k].what) {
			APPEND("%s\n", kinds[k].what);
			continue;
		}
		for (const char *sep = "";; sep = ", ") {
			long best = -1;

			for (unsigned long i = 0; i < ex->nr_owners; i++)
				if (!done[i] && !strcmp(ex->owners[i].kind, kinds[k].kind) &&
				    (best < 0 || ex->owners[i].pages > ex->owners[best].pages))
					best = (long)i;
			if (best < 0)
				break;
			done[best] = true;
			APPEND("%s%s %lu", sep, ex->owners[best].site, ex->owners[best].pages);
		}
		APPEND("\n");
	}
	return n;
}

/*
 * "hugetlb: ..." -- the block's free huge pages, dissolved on offline;
 * HVO-optimised ones, what their vmemmap restore needs and whether
 * GFP_KERNEL has it (6.12 dissolve_free_hugetlb_folios() stops at the
 * first that fails: the ones before it stay dissolved)
 */
static int hugetlb_text(const struct hm_explain *ex, char *buf, size_t len)
{
	const unsigned long nr = ex->nr_hugetlb_free, done = ex->nr_hugetlb_dissolved;
	int n = 0;

	APPEND("hugetlb: %lu free huge %s of %lu MiB (%lu pages), dissolved on offline: ", nr,
	       plural(nr, "page", "pages"), (unsigned long)HM_PAGEBLOCK_NR_PAGES * PAGE_SIZE >> 20,
	       nr * HM_PAGEBLOCK_NR_PAGES);
	if (!done)
		APPEND("none is: the first finds no kernel memory and the offline fails (nr_hugepages stays %lu)\n",
		       ex->hugetlb_pool_pages);
	else if (done < nr)
		APPEND("only ~%lu before kernel memory runs out, then the offline fails (nr_hugepages %lu -> %lu, and it stays so)\n",
		       done, ex->hugetlb_pool_pages, ex->hugetlb_pool_pages - done);
	else
		APPEND("the pool shrinks by %s (nr_hugepages %lu -> %lu)\n", plural(nr, "it", "them"),
		       ex->hugetlb_pool_pages, ex->hugetlb_pool_pages - nr);
	if (ex->nr_hvo_restore_pages)
		APPEND("hugetlb: HVO-optimised: restoring their vmemmap needs %lu pages of kernel memory (GFP_KERNEL|__GFP_RETRY_MAYFAIL), ~%lu free above the watermarks%s\n",
		       ex->nr_hvo_restore_pages, ex->nr_kernel_free,
		       done < nr ? ": ENOMEM, \"failure to dissolve huge pages\"" : "");
	return n;
}

static int explain_head(const struct hm_explain *ex, char *buf, size_t len)
{
	int n = 0;

	APPEND("memory%lu: %s, node %d", ex->id, hotmem_state_name(ex->state), ex->nid);
	if (ex->zone >= 0)
		APPEND(", zone %s", hotmem_zone_name(ex->zone));
	APPEND("\n");
	if (ex->zone_rule[0])
		APPEND("zone: %s\n", ex->zone_rule);
	/* "offline: " says what an offline would do; an offline block's reason says it all */
	APPEND("%s%s\n", ex->state != HM_MEM_OFFLINE ? "offline: " : "", ex->reason);
	/* an armed injection the verdict does not name already */
	if (ex->notifier_error_offline && ex->state != HM_MEM_OFFLINE && strcmp(ex->verdict, "notifier"))
		APPEND("notifier: notifier-error-inject MEM_GOING_OFFLINE is %d: an offline that gets past isolation fails with it\n",
		       ex->notifier_error_offline);
	if (ex->notifier_error_online && (ex->state != HM_MEM_OFFLINE || ex->nr_hwpoison))
		APPEND("notifier: notifier-error-inject MEM_GOING_ONLINE is %d: an online fails with it\n",
		       ex->notifier_error_online);
	if (ex->nr_fake_offline_pages)
		APPEND("fake-offline: %lu pages unplugged by virtio-mem (PageOffline, not in MemTotal; its driver gives them up in MEM_GOING_OFFLINE)\n",
		       ex->nr_fake_offline_pages);
	if (ex->nr_hugetlb_free && (size_t)n < len)
		n += hugetlb_text(ex, buf + n, len - (size_t)n);
	/* the movable pages migrate: not listed, but in use all the same (usereye3 #4) */
	if (ex->nr_entries && ex->nr_movable_pages)
		APPEND("in use: %lu pages: %lu movable (migrate), %lu in %lu %s (an entry: one allocation, 2^order pages), by owner:\n",
		       ex->nr_entry_pages + ex->nr_movable_pages, ex->nr_movable_pages,
		       ex->nr_entry_pages, ex->nr_entries, plural(ex->nr_entries, "entry", "entries"));
	else if (ex->nr_entries)
		APPEND("in use: %lu %s in %lu %s (an entry: one allocation, 2^order pages), by owner:\n",
		       ex->nr_entry_pages, plural(ex->nr_entry_pages, "page", "pages"),
		       ex->nr_entries, plural(ex->nr_entries, "entry", "entries"));
	if (ex->nr_entries) {
		if ((size_t)n < len)
			n += owners_text(ex, buf + n, len - (size_t)n);
	}
	return n;
}

static int explain_rows(const struct hm_explain *ex, bool head, char *buf, size_t len)
{
	int n = 0;

	if (head && ex->nr_before)
		APPEND("  (%lu %s below pfn %#llx not listed)\n", ex->nr_before,
		       plural(ex->nr_before, "entry", "entries"), (unsigned long long)ex->from_pfn);
	if (head && ex->nr_shown)
		APPEND("  %-12s %-5s %-6s %-9s %s\n", "pfn", "order", "type", "kind", "owner");
	for (unsigned long i = 0; i < ex->nr_shown; i++) {
		const struct hm_page_owner *o = &ex->pages[i];

		APPEND("  %#-12llx %-5u %-6s %-9s %s%s\n", (unsigned long long)o->pfn, o->order,
		       o->type[0] ? o->type : "-", o->kind, o->owner,
		       o->blocks ? "" : " (does not stop offlining)");
	}
	return n;
}

int hotmem_explain_text(const struct hm_explain *ex, unsigned int parts, const char *more_hint,
			char *buf, size_t len)
{
	int n = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	/* a page alone has no head and does not count what follows it */
	if (ex->page_only)
		parts &= HM_EXPLAIN_TEXT_ROWS;
	if (parts & HM_EXPLAIN_TEXT_HEAD)
		n += explain_head(ex, buf, len);
	if ((parts & HM_EXPLAIN_TEXT_ROWS) && (size_t)n < len)
		n += explain_rows(ex, parts & HM_EXPLAIN_TEXT_HEAD, buf + n, len - (size_t)n);
	if ((parts & HM_EXPLAIN_TEXT_MORE) && ex->nr_after)
		APPEND("  ... and %lu more %s (%lu %s)%s\n", ex->nr_after,
		       plural(ex->nr_after, "entry", "entries"), ex->nr_after_pages,
		       plural(ex->nr_after_pages, "page", "pages"), more_hint ? more_hint : "");
	return n;
}

int hotmem_explain_format(const struct hm_explain *ex, bool json, char *buf, size_t len)
{
	if (!len)
		return 0;
	buf[0] = '\0';
	return json ? explain_json(ex, buf, len) :
		      hotmem_explain_text(ex, HM_EXPLAIN_TEXT_HEAD | HM_EXPLAIN_TEXT_ROWS |
						      HM_EXPLAIN_TEXT_MORE, NULL, buf, len);
}

/* room for an explanation of HM_EXPLAIN_MAX entries in either form */
#define EXPLAIN_RENDER_LEN (32 * 1024)

int hotmem_explain_render(struct hotmem *hm, unsigned long id, uint64_t from_pfn, char **json,
			  unsigned int parts, const char *more_hint, char **text)
{
	struct hm_explain *ex = malloc(sizeof(*ex)); /* ~30 KiB: not on a caller's stack */
	char *j = json ? malloc(EXPLAIN_RENDER_LEN) : NULL;
	char *t = text ? malloc(EXPLAIN_RENDER_LEN) : NULL;
	int ret = -ENOMEM;

	if (!ex || (json && !j) || (text && !t))
		goto out;
	ret = parts & HM_EXPLAIN_PAGE_ONLY ? hotmem_explain_page(hm, id, from_pfn, ex) :
					     hotmem_explain_from(hm, id, from_pfn, ex);
	if (ret)
		goto out;
	if (j)
		hotmem_explain_format(ex, true, j, EXPLAIN_RENDER_LEN);
	if (t)
		hotmem_explain_text(ex, parts, more_hint, t, EXPLAIN_RENDER_LEN);
out:
	free(ex);
	if (ret) {
		free(j);
		free(t);
		j = t = NULL;
	}
	if (json)
		*json = j;
	if (text)
		*text = t;
	return ret;
}
