/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine internals: the kernel's data structures, by their own names.
 *
 * Physical memory is a sparse memfd; the direct map (__va) and the vmemmap
 * (pfn_to_page) are reserved virtual windows into which memfd pages are
 * mapped.  Everything below is reached through one struct hotmem context.
 */
#ifndef HOTMEM_INTERNAL_H
#define HOTMEM_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hotmem.h"
#include "hotmem_probes.h"

#define PAGE_SHIFT		HM_PAGE_SHIFT
#define PAGE_SIZE		HM_PAGE_SIZE
#define SECTION_SIZE_BITS	HM_SECTION_SIZE_BITS
#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION	HM_PAGES_PER_SECTION
#define PAGE_SECTION_MASK	(~(PAGES_PER_SECTION - 1))
#define PAGES_PER_SUBSECTION	HM_PAGES_PER_SUBSECTION
#define SUBSECTIONS_PER_SECTION	HM_SUBSECTIONS_PER_SECTION
#define pageblock_order		HM_PAGEBLOCK_ORDER
#define pageblock_nr_pages	HM_PAGEBLOCK_NR_PAGES
#define MAX_PAGE_ORDER		HM_MAX_PAGE_ORDER
#define MAX_ORDER_NR_PAGES	(1UL << MAX_PAGE_ORDER)
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define PMD_SIZE		(2UL << 20)
#define PTRS_PER_PTE		512
#define MAX_NR_ZONES		HM_MAX_NR_ZONES
#define ZONE_DMA		HM_ZONE_DMA
#define ZONE_DMA32		HM_ZONE_DMA32
#define ZONE_NORMAL		HM_ZONE_NORMAL
#define ZONE_MOVABLE		HM_ZONE_MOVABLE
#define ZONE_DEVICE		HM_ZONE_DEVICE
#define NUMA_NO_NODE		(-1)

#define MAX_DMA_PFN		((16UL << 20) >> PAGE_SHIFT)
#define MAX_DMA32_PFN		((4UL << 30) >> PAGE_SHIFT)

/* size of the memmap of one section: exactly one PMD on x86_64 */
#define SECTION_MEMMAP_SIZE	(PAGES_PER_SECTION * sizeof(struct page))
#define SECTION_MEMMAP_PAGES	(SECTION_MEMMAP_SIZE >> PAGE_SHIFT)
#define PFNS_PER_VMEMMAP_PAGE	(PAGE_SIZE / sizeof(struct page))	/* struct pages a vmemmap page holds */
/* distinct initial memmaps shared copy-on-write: node x zone x kind, then written */
#define HM_MEMMAP_TEMPLATES	32	/* memmap_tmpl_written's bits */

#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define PFN_PHYS(pfn)		((uint64_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_UP(x)		((unsigned long)(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define likely(x)		__builtin_expect(!!(x), 1)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* ------------------------------------------------------------------ */
/* list.h                                                              */
/* ------------------------------------------------------------------ */

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = NULL;
	e->prev = NULL;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

/* ------------------------------------------------------------------ */
/* struct page: 64 bytes, living in the vmemmap window                 */
/* ------------------------------------------------------------------ */

struct page {
	unsigned long flags;	/* PG_* | zone | node */
	struct list_head lru;	/* buddy free list */
	unsigned long mapping;	/* allocation type of a workload page */
	unsigned long index;	/* workload handle / free list migratetype */
	unsigned long private;	/* buddy order */
	int page_type;		/* _mapcount */
	int _refcount;
	unsigned long memcg_data;
};

_Static_assert(sizeof(struct page) == HM_STRUCT_PAGE_SIZE,
	       "struct page must be 64 bytes");

enum pageflags {
	PG_reserved = HM_PG_reserved,
	PG_buddy = HM_PG_buddy,
	PG_vmemmap_self_hosted = HM_PG_vmemmap_self_hosted,
	PG_offline = HM_PG_offline,
	PG_movable = HM_PG_movable,
	PG_head = HM_PG_head,
	PG_hugetlb = HM_PG_hugetlb,
	PG_isolated = HM_PG_isolated,
	PG_vmemmap = 8,		/* backs a vmemmap (allocated memmap page) */
	PG_workload = 9,	/* allocated by the workload API */
	PG_hwpoison = HM_PG_hwpoison,
	PG_kernel = 11,		/* the kernel's own allocation (kmem.c): index = site */
	/*
	 * PG_dirty: virtio-mem's mark on a fake-offline page that was never
	 * onlined (kept back by its online_page_callback): it goes through
	 * generic_online_page() when plugged, not through the buddy.
	 */
	PG_dirty = 12,
};

#define ZONES_PGSHIFT	53
#define ZONES_MASK	7UL
#define NODES_PGSHIFT	56
#define NODES_MASK	63UL

/*
 * Atomic bitops, like the kernel's set_bit()/test_bit(): the buddy peeks at
 * a neighbour's flags under its zone lock while the neighbour's owner may
 * be changing them under no lock at all.
 */
static inline bool test_page_flag(const struct page *p, int nr)
{
	return __atomic_load_n(&p->flags, __ATOMIC_RELAXED) & (1UL << nr);
}
static inline void set_page_flag(struct page *p, int nr)
{
	__atomic_fetch_or(&p->flags, 1UL << nr, __ATOMIC_RELAXED);
}
static inline void clear_page_flag(struct page *p, int nr)
{
	__atomic_fetch_and(&p->flags, ~(1UL << nr), __ATOMIC_RELAXED);
}

/*
 * The kernel's READ_ONCE()/WRITE_ONCE(): a word read or written whole by
 * one side while the other holds no lock in common with it (the free
 * path of a workload page takes no mem_hotplug_lock while offline's
 * scans read the same struct pages).  Relaxed: like the kernel's, they
 * promise no ordering, only that the word is never torn.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* page_ref.h: _refcount is an atomic_t */
static inline int page_ref_count(const struct page *p)
{
	return READ_ONCE(p->_refcount);
}
static inline void set_page_count(struct page *p, int v)
{
	WRITE_ONCE(p->_refcount, v);
}
/* page_ref_inc(), page_ref_dec_and_test(): atomic_inc(), atomic_dec_and_test() */
static inline void page_ref_inc(struct page *p)
{
	__atomic_add_fetch(&p->_refcount, 1, __ATOMIC_RELAXED);
}
static inline bool page_ref_dec_and_test(struct page *p)
{
	return __atomic_sub_fetch(&p->_refcount, 1, __ATOMIC_SEQ_CST) == 0;
}

/*
 * buddy_order_unsafe(): a buddy's order read outside zone->lock (6.12
 * mm/internal.h, READ_ONCE of page_private()); the value may be stale
 * and a walker only uses it to step ahead.  set_buddy_order() is its
 * writer (set_page_private(), written once here so that the reader's
 * READ_ONCE pairs with a whole store).
 */
static inline unsigned long buddy_order_unsafe(const struct page *p)
{
	return READ_ONCE(p->private);
}
static inline void set_buddy_order(struct page *p, unsigned long order)
{
	WRITE_ONCE(p->private, order);
}

#define PageReserved(p)		test_page_flag(p, PG_reserved)
#define PageBuddy(p)		test_page_flag(p, PG_buddy)
#define PageOffline(p)		test_page_flag(p, PG_offline)
#define PageVmemmapSelfHosted(p) test_page_flag(p, PG_vmemmap_self_hosted)
#define PageMovable(p)		test_page_flag(p, PG_movable)
#define PageHuge(p)		test_page_flag(p, PG_hugetlb)

/* pfn walkers step over a free buddy block or a huge page as a whole */
static inline unsigned long page_span_to_skip(const struct page *p)
{
	if (PageBuddy(p))
		return 1UL << buddy_order_unsafe(p);
	if (PageHuge(p) && test_page_flag(p, PG_head))
		return HM_PAGEBLOCK_NR_PAGES;
	return 0;
}

static inline int page_zonenum(const struct page *p)
{
	return (__atomic_load_n(&p->flags, __ATOMIC_RELAXED) >> ZONES_PGSHIFT) & ZONES_MASK;
}
static inline int page_to_nid(const struct page *p)
{
	return (__atomic_load_n(&p->flags, __ATOMIC_RELAXED) >> NODES_PGSHIFT) & NODES_MASK;
}
static inline unsigned long page_zone_node_bits(int zid, int nid)
{
	return ((unsigned long)zid << ZONES_PGSHIFT) |
	       ((unsigned long)nid << NODES_PGSHIFT);
}

/* ------------------------------------------------------------------ */
/* mmzone.h                                                            */
/* ------------------------------------------------------------------ */

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE = MIGRATE_PCPTYPES,	/* free list of isolated blocks */
	MIGRATE_TYPES
};

/* pageblock flags: 4 bits a pageblock in the section usemap */
#define PB_migratetype_bits	3
#define PB_migrate_isolate	3	/* bit 3: isolated (6.16+ style) */
#define NR_PAGEBLOCK_BITS	4

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

struct pglist_data;

struct zone {
	pthread_mutex_t lock;
	struct pglist_data *zone_pgdat;
	int node, idx;
	const char *name;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	unsigned long present_early_pages;
	atomic_long managed_pages;
	unsigned long nr_free_pages;	/* under lock; isolated pageblocks not: account_freepages() */
	unsigned long nr_isolate_pageblock;
	unsigned long _watermark[3];	/* WMARK_MIN, LOW, HIGH */
	/*
	 * 6.12 zone->watermark_boost: what boost_watermark() added to every
	 * mark (wmark_pages()) since kswapd last took it back or the marks
	 * were set up again; written under lock, read with __atomic loads
	 * where no lock is held (explain, zoneinfo)
	 */
	unsigned long watermark_boost;
	bool boosted_watermark;		/* ZONE_BOOSTED_WATERMARK: rmqueue() wakes kswapd */
	/* setup_per_zone_lowmem_reserve()'s, set with the watermarks (atomic reads) */
	unsigned long lowmem_reserve[MAX_NR_ZONES];
	unsigned long nr_alloc[HM_ALLOC_NR];	/* workload pages by type */
	unsigned long cma_pages;
	unsigned long nr_kmem[5];	/* the kernel's own pages: enum kmem_counter */
	/* zone->per_cpu_zonestats' vm_numa_event[]: zone_statistics(), lock-free */
	atomic_ulong vm_numa_event[HM_NR_NUMA_EVENTS];
	/*
	 * Its per-CPU pagesets' pcp->high (6.12+): 0 from setup_zone_pageset()
	 * (per_cpu_pages_init()'s memset) until an allocation or free through
	 * them clamps it into [high_min, high_max] (nr_pcp_alloc(),
	 * nr_pcp_high()), whence an idle kernel decays it to high_min
	 * (decay_pcp_high()).  The engine has no per-CPU lists and no CPUs
	 * of its own: one state stands for every CPU's pageset.  enum
	 * zone_pcp_state; read without the lock (zoneinfo).
	 */
	unsigned char pcp_state;
	/*
	 * that pcp->high, every CPU's alike: 0 unless ZONE_PCP_USED (stored
	 * before the state, read after it).  Settled at high_min by a setup
	 * (zone_pcp_update_high()) and a first touch (zone_pcp_touch());
	 * a vm.percpu_pagelist_high_fraction write only clamps it into the
	 * new limits (hotmem_set_percpu_pagelist_high_fraction()).
	 */
	long pcp_high;
	/*
	 * 6.12 zone->pageset_batch, pageset_high_min, pageset_high_max: what
	 * zone_set_pageset_high_and_batch() last gave every CPU's pageset,
	 * and the per_cpu_zonestats' stat_threshold
	 * refresh_zone_stat_thresholds() last set (every online CPU's the
	 * same).  Set under wmark_lock at the kernel's setup points only, so
	 * a managed count moved in between (virtio-mem's sub-blocks, HVO's
	 * freed memmap, the boot's init memory) is not in them; read
	 * lock-free (zoneinfo).
	 */
	long pageset_batch, pageset_high_min, pageset_high_max;
	int stat_threshold;
	/*
	 * The pageblocks of this zone a fallback's claim gave a migratetype
	 * (kmem_pageblock_claimed()), sorted, under lock: what a restart
	 * sets again (hotmem_pageblock_claimed_walk()), as a running kernel
	 * keeps a claimed type until something changes it.  Never shrinks: a
	 * pageblock onlined again since reads its type now, Movable.
	 */
	unsigned long *claimed_pb;
	unsigned long claimed_pb_cap, claimed_pb_used;
	bool claimed_pb_lost;		/* one could not be kept (no memory): said once */
	struct free_area free_area[NR_PAGE_ORDERS];
};

enum { WMARK_MIN, WMARK_LOW, WMARK_HIGH };
enum zone_pcp_state {
	ZONE_PCP_UNSET,	/* before boot's first init_per_zone_wmark_min() */
	ZONE_PCP_FRESH,	/* pcp->high 0: no allocation or free through them yet */
	ZONE_PCP_USED,	/* pcp->high off 0: high_min once idle */
};

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}
static inline bool zone_is_empty(const struct zone *z)
{
	return z->spanned_pages == 0;
}
static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}
static inline unsigned long zone_managed_pages(struct zone *z)
{
	return (unsigned long)atomic_load(&z->managed_pages);
}
static inline bool zone_intersects(const struct zone *z, unsigned long start_pfn,
				   unsigned long nr_pages)
{
	if (zone_is_empty(z))
		return false;
	if (start_pfn >= zone_end_pfn(z) || start_pfn + nr_pages <= z->zone_start_pfn)
		return false;
	return true;
}

/*
 * A free huge page of the pool: its head, and its node (the kernel's
 * hugepage_freelists[nid] it is on) -- kept, not read from the head's
 * struct page, which HVO may have left unmapped until the vmemmap is
 * restored.
 */
struct hugetlb_pool_page {
	unsigned long pfn;
	int nid;
};

struct pglist_data {
	int node_id;
	bool online;		/* N_ONLINE */
	bool has_cpu;		/* present CPUs on it: check_cpu_on_node() (cfg.cpu_nodes) */
	bool memtier;		/* pgdat->memtier set: in the DRAM tier (memory_tiers.c) */
	unsigned long node_start_pfn;
	unsigned long node_spanned_pages;
	unsigned long node_present_pages;
	struct zone node_zones[MAX_NR_ZONES];
	/*
	 * build_zonelists()' node_order[]: this node's zonelist, nearest node
	 * first (find_next_best_node()), -1 ended.  Rebuilt under
	 * mem_hotplug_lock, read by allocations that take none: READ_ONCE
	 * each entry (the kernel's zonelist_update_seq retries instead).
	 */
	int node_order[HM_MAX_NUMNODES + 1];
	unsigned long nr_hugepages, free_hugepages;
	/* of them, the ones whose vmemmap is optimised (hvo_count()) */
	unsigned long nr_hugepages_optimized;
	/*
	 * of them, each zone's (hugetlb_count()): the state file keeps where
	 * the pool is, which an offline's replacements (alloc_and_dissolve_
	 * hugetlb_folio()) moved from zone to zone (restore42)
	 */
	unsigned long nr_hugepages_zone[MAX_NR_ZONES];
	/*
	 * struct memory_failure_stats (6.5+): memory_failure()'s outcomes on
	 * this node, action_result()'s (memory_failure.c)
	 */
	unsigned long mf_total, mf_ignored, mf_failed, mf_delayed, mf_recovered;
	/*
	 * 6.12 pgdat->kswapd_failures: balance_pgdat() runs that reclaimed
	 * nothing; at MAX_RECLAIM_RETRIES the node is hopeless and kswapd is
	 * not woken (wakeup_kswapd()).  Under hm->kswapd_lock (page_alloc.c).
	 */
	int kswapd_failures;
	/*
	 * 6.12 kswapd woken (wake_up_interruptible(&pgdat->kswapd_wait))
	 * and pgdat->kswapd_highest_zoneidx, the highest zone a wake-up
	 * asked to balance: kswapd_run_pending() runs it at the operation's
	 * end (hm_operation_end()).  Under hm->kswapd_lock.
	 */
	bool kswapd_woken;
	int kswapd_highest_zoneidx;
	/*
	 * 6.12 pgdat->totalreserve_pages: calculate_totalreserve_pages()'s
	 * share of this node, set at a setup of the marks or the reserves
	 * only (wmark_lock held), read lock-free
	 */
	unsigned long totalreserve_pages;
};

/* ------------------------------------------------------------------ */
/* SPARSEMEM: mmzone.h                                                 */
/* ------------------------------------------------------------------ */

#define SECTION_MARKED_PRESENT		(1UL << 0)
#define SECTION_HAS_MEM_MAP		(1UL << 1)
#define SECTION_IS_ONLINE		(1UL << 2)
#define SECTION_IS_EARLY		(1UL << 3)
#define SECTION_CANNOT_OPTIMIZE_VMEMMAP	(1UL << 4)	/* seed 003 */
#define SECTION_MEMMAP_RESIDENT		(1UL << 5)	/* emulator: memmap faulted in */
#define SECTION_MEMMAP_SHARED		(1UL << 6)	/* emulator: memmap copy-on-write of a template */
#define SECTION_MEMMAP_UNMAPPED		(1UL << 7)	/* emulator: the host left the memmap unmapped */
/* emulator: meanwhile its free pages are off the buddy (take_lost_memmap_off_buddy()) */
#define SECTION_MEMMAP_OFF_BUDDY	(1UL << 8)
/*
 * emulator: a self-hosted memmap registered with hm->holes_uffd: a hole
 * of its memfd pages stands for the struct pages hm->hole_slot[] says
 * (physmem.c, "holes"), filled in on first touch
 */
#define SECTION_MEMMAP_HOLES		(1UL << 9)

#define PAGEBLOCKS_PER_SECTION	(PAGES_PER_SECTION / pageblock_nr_pages)

struct mem_section_usage {
	unsigned long subsection_map;	/* one bit per 2 MiB subsection */
	unsigned char pageblock_flags[PAGEBLOCKS_PER_SECTION * NR_PAGEBLOCK_BITS / 8];
};

/*
 * The emulator's vmemmap page table for one section: the section's memmap
 * is exactly one PMD.  Either it is a huge mapping of 512 physically
 * contiguous pages (pmd_pfn), or it was split (base pages: the fallback of
 * seed 002, a subsection, or HugeTLB vmemmap optimisation) and pte[] holds
 * each vmemmap page's pfn and source.
 */
enum vmemmap_src {
	VMEMMAP_NONE,
	VMEMMAP_BOOT,	/* memblock: reserved boot memory */
	VMEMMAP_BUDDY,	/* allocated from the buddy at hot-add */
	VMEMMAP_ALTMAP,	/* self-hosted: inside the block (seed 001) */
	VMEMMAP_SHARED,	/* HVO tail: remapped read-only onto another page */
};

#define VMEMMAP_PTE(pfn, src)	(((unsigned long)(pfn) << 4) | (src))
#define VMEMMAP_PTE_PFN(pte)	((pte) >> 4)
#define VMEMMAP_PTE_SRC(pte)	((int)((pte) & 7))
/*
 * Emulator: the host refused to map this vmemmap page back (a HugeTLB
 * undo); the reservation's PROT_NONE stands there, or a hole, until
 * vmemmap_remap_lost() maps what the rest of the pte says.
 */
#define VMEMMAP_PTE_LOST	(1UL << 3)

struct vmemmap_pmd {
	unsigned long pmd_pfn;	/* huge: first backing pfn */
	int pmd_src;		/* huge: enum vmemmap_src; NONE if split/empty */
	int tmpl_slot;		/* SECTION_MEMMAP_SHARED: the template it maps */
	unsigned long *pte;	/* split: PTRS_PER_PTE entries */
	/*
	 * split from the buddy's order-9 block: that block's first pfn, the
	 * memmap's place a state file saves (its pages HVO's restore moved
	 * are told against it: hotmem_memmap_walk_range()); 0 otherwise
	 */
	unsigned long split_pfn;
	/*
	 * SECTION_MEMMAP_SHARED, emulator: the vmemmap pages the host had
	 * copied when vmemmap_reshare() last asked, and physmem_faults()
	 * just before it asked (-1: not asked since the template was mapped).
	 */
	long copies_faults;
	unsigned long copies[PTRS_PER_PTE / (8 * sizeof(unsigned long))];
};

struct mem_section {
	unsigned long section_mem_map;	/* SECTION_* flags */
	int nid;
	struct mem_section_usage *usage;
	struct vmemmap_pmd vmemmap;
};

/*
 * SPARSEMEM_EXTREME: roots of SECTIONS_PER_ROOT sections, allocated on
 * use.  The kernel's is PAGE_SIZE / sizeof(struct mem_section), a power of
 * two because its mem_section is one (include/linux/mmzone.h: "mem_section
 * must be a power-of-2 in size for the calculation and use of
 * SECTION_ROOT_MASK to make sense").  Ours holds the vmemmap's model too
 * (120 bytes), so a root is the most sections of a power of two that fit
 * in a page: 32.  At 34 (4096 / 120), a walk skipping an absent root with
 * ALIGN() (a mask) jumped past the next root's first sections, and
 * vmemmap_holes_end() left their holes unfilled for good.
 */
#define SECTIONS_PER_ROOT	32UL
#define SECTION_ROOT_MASK	(SECTIONS_PER_ROOT - 1)
_Static_assert((SECTIONS_PER_ROOT & SECTION_ROOT_MASK) == 0, "a root: a power of two of sections");
_Static_assert(SECTIONS_PER_ROOT * sizeof(struct mem_section) <= PAGE_SIZE &&
		       2 * SECTIONS_PER_ROOT * sizeof(struct mem_section) > PAGE_SIZE,
	       "a root: the most sections of a power of two that fit in a page");

/* the last section of @nr's root: where a walk goes on from past an absent root */
static inline unsigned long section_root_last(unsigned long nr)
{
	return nr | SECTION_ROOT_MASK;
}

/* ------------------------------------------------------------------ */
/* memory_hotplug / drivers/base/memory.c                              */
/* ------------------------------------------------------------------ */

struct vmem_altmap {
	unsigned long base_pfn;
	unsigned long end_pfn;
	unsigned long reserve;
	unsigned long free;
	unsigned long align;
	unsigned long alloc;
};

struct memory_group {
	bool in_use;
	int nid;
	bool is_dynamic;
	unsigned long max_pages;	/* static */
	unsigned long unit_pages;	/* dynamic */
	unsigned long present_kernel_pages;
	unsigned long present_movable_pages;
};

struct memory_block {
	unsigned long start_section_nr;
	unsigned long id;
	_Atomic int state;		/* HM_MEM_ONLINE / GOING_OFFLINE / OFFLINE */
	int online_type;
	int nid;			/* several nodes (boot only): the last registered */
	uint64_t nodes;			/* bit N: linked under nodeN (HM_MAX_NUMNODES 64) */
	struct zone *zone;		/* NULL: offline or spans several zones or nodes;
					 * read with __atomic_load_n by readers */
	struct vmem_altmap *altmap;
	int group;
	bool early;
	unsigned long nr_hwpoison;	/* memblk_nr_poison() */
	/* why its last offline failed (offline_pages()'s "failed due to"); atomic */
	enum hm_offline_cause offline_cause;
	const char *zone_rule;		/* why its zone (explain); NULL: offline */
	int zone_rule_type;		/* the online type zone_rule is of (a restore's) */
	/*
	 * lock-free walkers of its struct pages under way (explain:
	 * memory_block_walk_begin()): an online's memmap init waits them out
	 */
	_Atomic unsigned int walkers;
};

/* an iomem "System RAM" resource added by add_memory() */
struct hm_resource {
	uint64_t start, size;
	int nid;
	int group;
	bool memmap_on_memory;
	/*
	 * add_memory_driver_managed(): the name ("System RAM (virtio_mem)")
	 * and MHP_MERGE_RESOURCE, which merges it with a neighbour of the
	 * same name in /proc/iomem; NULL: "System RAM", never merged.
	 */
	const char *name;
	bool merge;
	struct hm_resource *next;
};

/* include/linux/memory.h: what a memory notifier is told */
struct memory_notify {
	unsigned long start_pfn;
	unsigned long nr_pages;
};
/*
 * A memory notifier: 0 (NOTIFY_OK/NOTIFY_DONE) or a negative errno
 * (notifier_from_errno(); NOTIFY_BAD is -EPERM once notifier_to_errno()
 * converted it), which stops the chain.
 */
struct notifier_block {
	int (*notifier_call)(struct hotmem *hm, unsigned long action,
			     const struct memory_notify *arg, void *data);
	void *data;
	struct notifier_block *next;
	int priority;	/* higher first; register_memory_notifier()'s: 0 */
};
/* include/linux/memory.h (6.12): hotplug_memory_notifier()'s priorities */
#define DEFAULT_CALLBACK_PRI	0
/* mm/memory_hotplug.c: online_page_callback_t */
typedef void (*online_page_callback_t)(struct hotmem *hm, struct page *page,
				       unsigned int order, void *data);
struct virtio_mem;

/* sparse two-level table keyed by unsigned long (sections, blocks) */
#define XA_LEAF_SHIFT	8
#define XA_LEAF_SIZE	(1UL << XA_LEAF_SHIFT)
struct hm_xa {
	void ***roots;
	unsigned long nr_roots;
	unsigned long count;
};

/* ------------------------------------------------------------------ */
/* the engine context                                                  */
/* ------------------------------------------------------------------ */

#define HM_MAX_MEMBLOCK_RESERVED 128
struct memblock_region {
	uint64_t base, size;
	const char *name;	/* what took it (explain's owner), NULL: the memmap */
};

#define HM_MAX_SUBSCRIBERS	8
#define HM_DMESG_SIZE		(64 * 1024)
#define HM_MAX_GROUPS		64

struct hm_subscriber {
	hotmem_event_cb cb;
	void *arg;
	/* called for HM_EV_TRACE too (hotmem_subscribe_trace()); counted in nr_trace_subscribers */
	_Atomic bool want_trace;
};

/* kmem.c: the kernel's own allocations, by site (a state file keeps the number: a new one last) */
enum kmem_site {
	KMEM_PTE,		/* a process's page table */
	KMEM_SLAB,		/* kmalloc and other unreclaimable caches */
	KMEM_SLAB_RECLAIMABLE,	/* dentry, inode: __GFP_RECLAIMABLE */
	KMEM_STACK,		/* a thread's stack */
	KMEM_PAGESET,		/* a zone's per-cpu pagesets */
	KMEM_KSWAPD,		/* a node's kswapd stack */
	KMEM_KCOMPACTD,		/* a node's kcompactd stack */
	KMEM_NR_SITES
};
enum kmem_counter {
	KMEM_SRECLAIMABLE, KMEM_SUNRECLAIM, KMEM_PAGETABLES, KMEM_KERNEL_STACK, KMEM_PERCPU,
};
struct kmem_alloc {
	unsigned long pfn;
	unsigned char order, site;
	bool background;	/* freed again by a later tick */
	bool owed;		/* a rewind put it back, its pages not yet (hotmem_kmem_log_rewind()) */
	int owner;		/* pageset: nid * MAX_NR_ZONES + zid; kthreads: nid */
};
/* a log entry: the change, and for a free the index it left (kmem_free_at()'s swap) */
struct kmem_log_entry {
	struct hotmem_kmem_alloc a;
	unsigned long idx;
};
/*
 * A free block of pageblocks claimed for another migratetype by
 * __rmqueue_fallback() (6.12 steal_suitable_fallback(): "Take ownership
 * for orders >= pageblock_order"), or the pageblock of a smaller free
 * block claimed because half of it was free or alike (its sub-pageblock
 * claim: @pfn the pageblock's first, @order pageblock_order): what
 * unclaim_pageblocks() needs to give it back
 */
struct pageblock_claim {
	unsigned long pfn;		/* the free block's head, or the pageblock's */
	unsigned char order;		/* its order, >= pageblock_order */
	unsigned char from, to;		/* the list it left, the type claimed */
	bool claimed;			/* a claim was made, or a boost (below) */
	unsigned char old_mt[MAX_ORDER_NR_PAGES / pageblock_nr_pages];	/* each pageblock's */
	/*
	 * bit i: pageblock i joined its zone's claimed pageblocks with this
	 * claim (kmem_pageblock_claimed()), and leaves them when it is given
	 * back: a failed add's unwind leaves the engine's memory as it was
	 */
	unsigned char pb_new;
	/*
	 * A steal of less than a pageblock boosts the zone's watermarks
	 * first, claim or not (6.12 steal_suitable_fallback() ->
	 * boost_watermark(); order 0 here when no pageblock changed): the
	 * zone (@boost_nid, @boost_zid) and its boost's rise, for the
	 * rewind to take back.  The kswapd it wakes runs at the
	 * operation's end, not the allocation's (kswapd_run_pending()).
	 */
	short boost_nid;
	unsigned char boost_zid;
	unsigned long boost;
};
/*
 * The list as a mark found it (kmem_copy.c), for a rewind to that mark
 * past a lost log: @refs marks at @at found this list; !@ok, no state to
 * go back to (no memory for it, or a rewind was under way)
 */
struct kmem_copy {
	struct kmem_alloc *allocs;
	unsigned long used, at;
	unsigned int refs;
	bool ok;
};
/* the copies kept at most: as many changes waiting for one fdatasync() */
#define KMEM_COPIES_MAX	64
/* pageblocks an allocation claimed (kmem_claim_log()), at the log position of that allocation */
struct kmem_claim {
	unsigned long pos;
	struct pageblock_claim c;
};

struct hm_workload_entry {
	unsigned long pfn;	/* ULONG_MAX: free slot */
	int type;
};

/* include/linux/ratelimit_types.h (6.12): DEFAULT_RATELIMIT_INTERVAL is 5 * HZ */
#define DEFAULT_RATELIMIT_INTERVAL_MS	5000UL
#define DEFAULT_RATELIMIT_BURST		10
struct hm_ratelimit {
	unsigned long interval_ms;
	int burst;
	int printed;
	int missed;
	unsigned long begin_ms;		/* 0: no call yet */
};

/* drivers/firmware/memmap.c: an entry of /sys/firmware/memmap */
struct firmware_map_entry {
	unsigned int index;
	uint64_t start, end;	/* inclusive */
	const char *type;
};

/*
 * A boot resource of /proc/iomem (e820__reserve_resources()).  At most
 * three a firmware table entry (page 0 and the BIOS area cut out of RAM),
 * a table made from the boot ranges being at most two a range.
 */
struct e820_res {
	uint64_t start, end;	/* inclusive */
	const char *name;	/* e820_type_to_string(): what /proc/iomem prints, nothing more */
	/*
	 * what the kernel's res->flags say of it: IORESOURCE_SYSTEM_RAM (an
	 * E820_TYPE_RAM entry) and IORESOURCE_BUSY (do_mark_busy(): all but
	 * the reserved entries above 1 MiB), which decides whether memory
	 * added later may nest under it (e820_request_region())
	 */
	bool ram, busy;
};
/* the firmware's table: a profile's (HM_MAX_E820), or made from the boot ranges, two a range */
#define E820_TABLE_MAX HM_E820_TABLE_MAX
#define E820_RES_MAX (3 * E820_TABLE_MAX)
/* x86's BIOS area, arch/x86/include/asm/e820/types.h: trim_bios_range() takes RAM there out */
#define BIOS_BEGIN 0xa0000ULL
#define BIOS_END 0x100000ULL

struct hotmem {
	struct hotmem_config cfg;

	/* physical memory */
	int memfd;
	uint64_t maxmem;		/* size of physical address space we map */
	char *direct_map;		/* __va(0) */
	size_t direct_map_size;
	struct page *vmemmap;		/* pfn_to_page(0) */
	size_t vmemmap_size;
	void *vmemmap_reserved;		/* what we mmap'd (aligned inside) */
	size_t vmemmap_reserved_size;
	unsigned long max_pfn;
	/*
	 * x86's max_pfn, which the engine's own (its address space, above)
	 * is not: the end of boot RAM (e820__end_of_ram_pfn()), raised by each
	 * add that succeeds (add_pages()'s update_end_of_memory_vars()), never
	 * lowered by a removal; hotmemfs's undo of an unacknowledged add takes
	 * its raise back (hotmem_set_max_pfn()), never below a present
	 * section; /proc/kpageflags ends at it (proc_page.c).
	 * Written under mem_hotplug_lock, read by readers that take none.
	 */
	atomic_ulong kernel_max_pfn;
	unsigned long host_maps_max;	/* vm.max_map_count, read at boot and again near the cap */
	int max_map_count_fd;		/* /proc/sys/vm/max_map_count, to read it again */
	int meminfo_fd;			/* /proc/meminfo, read by host_memory_room() */
	/*
	 * host_memory_room()'s last read: when (hm_ratelimit_now_ms(), 0 none),
	 * MemAvailable, MemTotal, granted since.  Plain fields: read and written
	 * under mem_hotplug_lock held for writing only (move_pfn_range_to_zone()'s
	 * two callers); a new caller must hold it too.
	 */
	unsigned long host_room_read_ms;
	uint64_t host_room_avail, host_room_total, host_room_granted;
	/* the process's mappings, at most: last counted + every mmap since */
	unsigned long host_maps_bound;
	unsigned long host_maps_counted;	/* the bound when last counted */
	/*
	 * Under device_hotplug_lock: an undo's add is under way
	 * (virtio_mem_plug_back()), which may take the mappings kept for
	 * undo (physmem_check_mappings()).
	 */
	bool host_maps_undo;
	/*
	 * Memmap templates (physmem.c): PMD_SIZE each in memmap_tmpl_fd, one
	 * initial struct page repeated, mapped copy-on-write as the memmap
	 * of a whole section from system RAM; created on first use.
	 */
	int memmap_tmpl_fd;
	int nr_memmap_tmpl;
	/*
	 * The slots whose PMD_SIZE of memmap_tmpl_fd is written (bit per
	 * slot, under memmap_tmpl_lock): at the first mapping of one, not
	 * at its making -- a self-hosted memmap's holes need only
	 * memmap_tmpl[] (vmemmap_holes.c), and writing 2 MiB of fresh
	 * host memory was a sixth of the first 64 such onlines.
	 */
	uint32_t memmap_tmpl_written;
	/*
	 * physmem_allocate(): a fallocate() of the memfd is under way.  The
	 * host allocates and clears a fallocate()'s pages under the memfd's
	 * inode lock, so a second thread's fallocate() would wait for the
	 * first; it faults its pages in instead (physmem_prefault()).
	 */
	atomic_bool memfd_allocating;
	/* a restore re-onlines what the host held before: no host_reserve check */
	atomic_bool host_reserve_suspended;
	struct page memmap_tmpl[HM_MEMMAP_TEMPLATES];
	pthread_mutex_t memmap_tmpl_lock;
	/*
	 * Emulator: held for writing while HugeTLB vmemmap optimisation
	 * remaps an online section's vmemmap pages (hugetlb_vmemmap.c's walk
	 * holds init_mm's mmap lock; here it guards readers).  The kernel
	 * changes a PTE at once, so its readers see one page or the other;
	 * a MAP_FIXED the host refuses may tear the old mapping down first
	 * and leave a hole until the undo maps it again, or marks it lost
	 * (SECTION_MEMMAP_UNMAPPED).  Readers of struct pages that hold no
	 * hotplug lock which excludes HVO (explain, hotmem_page_flags(),
	 * hotmem_alloc_page_at()) hold it for reading and test
	 * memmap_unmapped() under it.
	 */
	pthread_rwlock_t vmemmap_remap_lock;
	/*
	 * Emulator: per section (nr_mem_sections()), a lost memmap whose
	 * memfd pages a refused write left torn (vmemmap_lost_off_buddy()):
	 * their content as it was, which vmemmap_map_memfd() writes back
	 * before it maps them.  Allocated on first use under
	 * vmemmap_remap_lock for writing; an entry is used only by whoever
	 * maps its section (not one lock: memmap_init_worker()s in parallel).
	 */
	struct page **torn_memmaps;
	/*
	 * /proc/self/pagemap, opened by pagemap_pid at boot (-1: none): which
	 * vmemmap pages of a shared memmap the host has copied.
	 */
	int pagemap_fd;
	pid_t pagemap_pid;
	/*
	 * Emulator: what the host offers beyond that, probed at boot and
	 * used only by pagemap_pid (a forked child's calls would name its
	 * parent): PAGEMAP_SCAN on pagemap_fd (6.7+), which returns only the
	 * copied pages' ranges; and a userfaultfd (5.19+) whose registration
	 * keeps the host from faulting around on template mappings
	 * (physmem_map_vmemmap_template()) and lets UFFDIO_COPY fill their
	 * pages without a fault (physmem_copy_in()).  Lacking them: pagemap is
	 * read, pages fault in, 16 at a time.
	 */
	bool pagemap_scan;
	int uffd;
	/*
	 * Emulator: self-hosted memmaps whose memfd pages stay holes while
	 * they hold the template's struct pages (physmem.c, "holes"): a
	 * userfaultfd of their vmemmap ranges in MISSING mode (-1 until the
	 * first is registered; -2 when the host has none, or refused then
	 * to fill a memfd page with one, holes_probe()), the thread that
	 * fills a hole on first touch, the eventfd that stops it, and per
	 * section the template slot a hole stands for (HOLE_ZERO: zeros).
	 * Set up under device_hotplug_lock before the thread starts; the
	 * slots are read by the thread with acquire loads.
	 */
	int holes_uffd;
	int holes_stop;
	pthread_t holes_thread;
	bool holes_running;		/* __atomic loads/stores: read outside the lock that sets it */
	signed char *hole_slot;
	/*
	 * Per section, the fault thread's and the writers' (atomic; its own
	 * array: section_mem_map has plain writers):
	 * HOLES_ONLY  the memfd holds nothing of its memmap but what
	 *             vmemmap_holes_prefill() put there (set at its
	 *             registration over an empty range, cleared by any
	 *             other fill);
	 * HOLES_PREFILLED  and the pages its first online writes are there.
	 */
	unsigned char *hole_prefill;
#define HOLES_ONLY		1
#define HOLES_PREFILLED		2
	struct page *holes_buf;		/* the thread's: what it copies in */
	/*
	 * A UFFDIO_COPY the host refused (ENOMEM, a seccomp or LSM policy):
	 * the hole is written through the memfd instead (holes_write()).
	 * The lock orders that write with the copies of writers (a leaf
	 * lock: nothing holding it touches a registered page): the write
	 * takes it for writing, a copy for reading, so that two init
	 * threads' copies run side by side (UFFDIO_COPY never overwrites
	 * a page: a copy meeting another's fails with EEXIST); the flag
	 * logs the refusal once.
	 */
	pthread_rwlock_t holes_fill_lock;
	bool holes_copy_refused;
	/*
	 * Set for good by the first hotmem_phys_to_virt() (under
	 * device_hotplug_lock, acquire/release): its caller may read any
	 * memmap through the unregistered direct map from then on, so every
	 * hole is filled and none is made again (vmemmap_holes_end()).
	 */
	bool holes_ended;

	/* SPARSEMEM_EXTREME */
	struct mem_section **mem_section;	/* roots */
	unsigned long nr_section_roots;
	unsigned long nr_present_sections;

	/* nodes, blocks, resources */
	struct pglist_data *node_data[HM_MAX_NUMNODES];
	int nr_possible_nodes;
	struct hm_pxm_map srat; /* the profile's PXMs and the node ids (srat.c) */
	/* mm/mempolicy.c policy_zone: build_all_zonelists() raises it (check_highest_zones()) */
	int policy_zone;
	int local_nid; /* numa_node_id(): init_cpu_to_node() sets it, CPUs are not hotplugged */
	/*
	 * zone_movable_pfn[] (6.12 mm/mm_init.c): where each node's boot
	 * ZONE_MOVABLE starts (kernelcore=, movablecore=), 0 for none; set at
	 * boot by find_zone_movable_pfns_for_nodes(), read-only after
	 */
	unsigned long zone_movable_pfn[HM_MAX_NUMNODES];
	struct hm_xa memory_blocks;
	unsigned long sections_per_block;
	/*
	 * A batch of onlines (hotmem_online_blocks()) lends one of
	 * cfg.init_threads to its prefetcher (seed 004; 6.12 padata's
	 * max_threads counts the calling thread).  Atomic (relaxed): its reader,
	 * parallel_memmap_init(), also runs at boot with no lock.  For tests:
	 * the blocks prefetched, the memmap init chunks (one a thread at work).
	 */
	_Atomic unsigned int init_threads_lent;
	_Atomic unsigned long init_prefetched, init_chunks;
	struct hm_resource *resources;
	struct hm_resource boot_res[HM_MAX_BOOT_RANGES];
	struct memory_group groups[HM_MAX_GROUPS];

	/* parameters */
	_Atomic int auto_online_type;	/* auto_online_blocks */
	_Atomic bool auto_online_held;	/* hotmem_hold_auto_online() */
	_Atomic int online_policy;
	_Atomic unsigned int auto_movable_ratio;
	_Atomic bool auto_movable_numa_aware;
	_Atomic bool virtio_mem_unplug_online;	/* drivers/virtio/virtio_mem.c's unplug_online */
	/* mm/hugetlb_vmemmap.c's vmemmap_optimize_enabled: hugetlb_free_vmemmap=, the sysctl */
	_Atomic bool vmemmap_optimize_enabled;
	_Atomic int notifier_error[2];	/* MEM_GOING_ONLINE, MEM_GOING_OFFLINE */
	/* memory_chain (register_memory_notifier), under device_hotplug_lock */
	struct notifier_block *memory_chain;
	/* set_online_page_callback(); NULL: generic_online_page() */
	online_page_callback_t online_page_callback;
	void *online_page_callback_data;
	/* drivers/virtio/virtio_mem.c: virtio_mem_devices */
	struct virtio_mem *virtio_mem_devices;
	/* drivers/firmware/memmap.c: the entries, in order, and map_entries_nr */
	struct firmware_map_entry *fw_map;
	unsigned long fw_map_cap, fw_map_used;
	unsigned int fw_map_entries_nr;
	/*
	 * arch/x86/kernel/e820.c e820_res: /proc/iomem's boot part, the
	 * kernel's e820 table (trim_bios_range()'s), by address
	 */
	struct e820_res e820_res[E820_RES_MAX];
	unsigned int nr_e820_res;
	/*
	 * hotmem's own, not the kernel's: counts the changes of what
	 * /proc/iomem and /sys/firmware/memmap show (a resource inserted,
	 * shrunk, split or released; a virtio-mem region; a firmware map
	 * entry), so that a front end's copy of them is taken again only
	 * when they moved, not at every change (hotmem_maps_gen()).  Written
	 * under device_hotplug_lock, read with none.
	 */
	_Atomic uint64_t maps_gen;

	/* accounting */
	atomic_long totalram_pages;
	atomic_long memmap_pages;
	atomic_long memmap_on_memory_pages;
	atomic_long memmap_boot_pages;	/* of memmap_pages, from the boot allocator (NR_MEMMAP_BOOT_PAGES) */
	atomic_long hvo_saved_pages;
	atomic_long num_poisoned_pages;
	atomic_long metadata_bytes;
	atomic_long metadata_peak;
	/* the vm events the engine's paths count (engine/vmstat.c, /proc/vmstat) */
	atomic_ulong vm_events[HM_NR_VM_EVENTS];
	/* vm.min_free_kbytes: init_per_zone_wmark_min()'s or the operator's (lock-free reads) */
	atomic_ulong min_free_kbytes;
	/*
	 * 6.12 totalreserve_pages (mm/page_alloc.c): what the last setup of
	 * the marks or the reserves left (calculate_totalreserve_pages(),
	 * wmark_lock held), read lock-free by the dirty limits
	 */
	atomic_ulong totalreserve_pages;
	/*
	 * The watermark sysctls (6.12 mm/page_alloc.c), under wmark_lock:
	 * setup_per_zone_wmarks()'s static spinlock, which a sysctl write and
	 * an online's or offline's init_per_zone_wmark_min() both take.
	 * user_min_free_kbytes: the operator's last vm.min_free_kbytes, -1
	 * for none (calculate_min_free_kbytes() keeps a larger one).
	 */
	pthread_mutex_t wmark_lock;
	int user_min_free_kbytes;
	int watermark_scale_factor;
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	/*
	 * vm.percpu_pagelist_high_fraction (0: the pagesets' limits from
	 * the low mark), under wmark_lock, which every
	 * zone_set_pageset_high_and_batch() caller holds.  6.12's
	 * pcp_batch_high_lock is two locks here: wmark_lock keeps the
	 * limits' writers apart, but the engine's offline_pages() does not
	 * hold it while it loops (6.12 holds pcp_batch_high_lock from
	 * zone_pcp_disable() to zone_pcp_enable()), so an engine caller's
	 * fraction write (the unit tests, hotmem-conform) does not wait for
	 * an offline; hotmemfs's change_lock, held by the write and by the
	 * offline, makes it wait (fusefs/attrs.c, tests/fusefs/498)
	 */
	int percpu_pagelist_high_fraction;
	/*
	 * The zones' marks are still the boot's postcore_initcall ones,
	 * computed before the initrd and the init sections were freed: no
	 * online, offline or sysctl write has set them up since (under
	 * wmark_lock).  A state file's "boot-watermarks": a restore whose own
	 * steps set up none puts the running machine's later ones back.
	 */
	bool wmarks_boot;
	/* vm.watermark_boost_factor (6.12: 15000), lock-free reads */
	atomic_int watermark_boost_factor;
	/* the nodes' kswapd threads, one at a time (kswapd(), page_alloc.c) */
	pthread_mutex_t kswapd_lock;

	/* locks: the kernel's, same order */
	pthread_mutex_t device_hotplug_lock;
	pthread_rwlock_t mem_hotplug_lock;
	pthread_rwlock_t blocks_lock;	/* memory_blocks table membership */
	pthread_rwlock_t span_lock;	/* pgdat_resize_lock: zone spans, present */
	pthread_mutex_t event_lock;
	pthread_mutex_t workload_lock;

	/* the task of the running hotplug operation (device_hotplug_lock) */
	const struct hotmem_task *current_task;
	bool vmemmap_warned;		/* vmemmap_alloc_block()'s static "warned" */
	bool add_pages_warned;		/* x86 add_pages()'s WARN_ON_ONCE(), once a boot */
	/* hm_operation_end()s without their begin (a hotmem bug; invariants.c fails) */
	_Atomic unsigned int operation_ends_unbalanced;
	/* do_migrate_range()'s static migrate_rs, under mem_hotplug_lock (written) */
	struct hm_ratelimit migrate_rs;
	struct hm_ratelimit nopage_rs;	/* warn_alloc()'s; under device_hotplug_lock */
	/*
	 * virtio_mem_sbm_notify_going_online()'s dev_warn_ratelimited() state
	 * (static, one for every device), under mem_hotplug_lock (written)
	 */
	struct hm_ratelimit virtio_mem_denied_rs;

	/* events */
	struct hm_subscriber subs[HM_MAX_SUBSCRIBERS];
	/*
	 * subscribers that want HM_EV_TRACE: what hm_trace() reads, under no
	 * lock, to know whether a step goes further than its USDT semaphores
	 */
	_Atomic int nr_trace_subscribers;
	char dmesg[HM_DMESG_SIZE];
	size_t dmesg_head;
	/*
	 * the ring as the boot left it (dmesg_boot_snapshot()): kept whole
	 * once the ring wraps, as a distribution keeps the boot's kernel
	 * messages (journalctl -k -b); NULL when it could not be copied
	 */
	char *boot_dmesg;
	_Atomic unsigned long uevent_seqnum;

	/* hugetlb pool: its free 2 MiB pages, oldest first */
	struct hugetlb_pool_page *hugetlb_pool;
	unsigned long hugetlb_nr, hugetlb_cap;
	/* struct hstate's round robin (workload.c), under device_hotplug_lock */
	int hugetlb_next_nid_to_alloc, hugetlb_next_nid_to_free;
	/* h->nr_overcommit_huge_pages (workload.c): atomic, a reader never waits */
	atomic_ulong hugetlb_nr_overcommit;
	/* mm/mmap.c's vm.user_reserve_kbytes and vm.admin_reserve_kbytes (mmap.c) */
	atomic_ulong sysctl_user_reserve_kbytes, sysctl_admin_reserve_kbytes;
	struct notifier_block reserve_mem_nb;

	/* workload */
	struct hm_workload_entry *workload;
	unsigned long workload_cap, workload_used, workload_free_hint;

	/* the kernel's own allocations (kmem.c), under device_hotplug_lock */
	struct {
		struct kmem_alloc *allocs;
		unsigned long cap, used, nr_background;
		uint64_t rng;
		/*
		 * what changed since a front end last took it
		 * (hotmem_kmem_log_walk()): allocations and frees in order
		 */
		struct kmem_log_entry *log;
		unsigned long log_cap, log_used;
		unsigned long log_first;	/* log[0]'s position (hotmem_kmem_log_mark()) */
		unsigned long nr_owed;		/* allocs[] owed pages (a rewind under way) */
		bool logging, log_lost;	/* lost: too long, the front end takes all */
		bool paused;		/* a restore: nothing allocated (hotmem_kmem_pause()) */
		/*
		 * the list at each hotmem_kmem_log_mark() a front end may
		 * still rewind to, oldest first (kmem_copy.c): a rewind to
		 * one when the log was lost meanwhile goes back to its copy
		 */
		struct kmem_copy copies[KMEM_COPIES_MAX];
		unsigned int nr_copies;
		/*
		 * the pageblocks the allocations claimed while logging, in
		 * order (their positions only grow): a rewind gives back
		 * those at and after its position (kmem_unclaim_from()); a
		 * drop forgets those before.  Those before claims_from were
		 * lost (no room): a rewind past it says they stay.
		 */
		struct kmem_claim *claims;
		unsigned long claims_cap, claims_used, claims_from;
		/*
		 * the pageblocks a memmap from system RAM claimed, by the
		 * memmap's pfn (kmem_memmap_claimed()), until it is freed;
		 * rewinding: a rewind is under way (hotmem_kmem_log_rewind()
		 * to _rewind_end()), its undo's frees give them back;
		 * unwinding_add: a failed add takes back what it had added
		 * (memory_hotplug.c add_unwind()), whose frees give them back too
		 */
		struct kmem_claim *memmap_claims;
		unsigned long memmap_claims_cap, memmap_claims_used;
		bool rewinding, unwinding_add;
	} kmem;
	/* a restore's memmap places (hotmem_memmap_restore_begin()), under device_hotplug_lock */
	struct hotmem_memmap_at *memmap_want;
	size_t nr_memmap_want;

	/* fault injection */
	atomic_ulong alloc_calls;
	atomic_ulong fail_at;	/* absolute alloc_calls value to fail, 0 off */
	atomic_ulong fail_more;	/* and this many after it (tests: a host refusing twice) */
	atomic_ulong fail_injected;	/* failures forced so far (hotmem_fault_injected()) */
	atomic_bool fail_keeps_old;	/* a refused MAP_FIXED keeps the old mapping (6.12), not a hole */
	/* tests: called at each refused MAP_FIXED, after any teardown, with fail_arg */
	void (*fail_hook)(struct hotmem *hm, void *fail_arg);
	void *fail_arg;

	/* boot-time memblock allocator */
	struct {
		struct memblock_region reserved[HM_MAX_MEMBLOCK_RESERVED];
		int nr_reserved;
	} memblock;
	uint64_t swiotlb_start, swiotlb_size;	/* the boot's SWIOTLB buffer (setup.c), 0: none */
	bool x86_swiotlb_enable;		/* pci_swiotlb_detect() wanted one (setup.c) */
	struct {
		struct mem_section_usage *usage;
		size_t size;
	} boot_usage[HM_MAX_BOOT_RANGES * 2];
	int nr_boot_usage;
};

/* ------------------------------------------------------------------ */
/* helpers shared across the engine                                    */
/* ------------------------------------------------------------------ */

/* memory_model.h: vmemmap */
static inline struct page *pfn_to_page(struct hotmem *hm, unsigned long pfn)
{
	return hm->vmemmap + pfn;
}
static inline unsigned long page_to_pfn(struct hotmem *hm, const struct page *p)
{
	return (unsigned long)(p - hm->vmemmap);
}
static inline void *__va(struct hotmem *hm, uint64_t phys)
{
	return hm->direct_map + phys;
}

static inline unsigned long pfn_to_section_nr(unsigned long pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}
static inline unsigned long section_nr_to_pfn(unsigned long nr)
{
	return nr << PFN_SECTION_SHIFT;
}
static inline unsigned long memory_block_id(struct hotmem *hm, unsigned long section_nr)
{
	return section_nr / hm->sections_per_block;
}
static inline unsigned long pages_per_block(struct hotmem *hm)
{
	return hm->sections_per_block * PAGES_PER_SECTION;
}

static inline struct pglist_data *NODE_DATA(struct hotmem *hm, int nid)
{
	return hm->node_data[nid];
}
static inline struct zone *page_zone(struct hotmem *hm, const struct page *p)
{
	return &hm->node_data[page_to_nid(p)]->node_zones[page_zonenum(p)];
}
static inline int zone_idx(const struct zone *z)
{
	return z->idx;
}
static inline int zone_to_nid(const struct zone *z)
{
	return z->node;
}
static inline bool is_zone_movable(const struct zone *z)
{
	return z->idx == ZONE_MOVABLE;
}

/*
 * 6.12 mm/mmzone.c first_online_pgdat(), next_online_pgdat(), next_zone()
 * and include/linux/mmzone.h's walks over them: the online nodes
 * (N_ONLINE) in node order, and their zones.  An offline node's zones are
 * none of these walks': the watermark, reserve and pageset setups leave
 * them as they are.  NULL past the last (6.12 never has no online node;
 * the engine's first walk may come before boot brought one online).
 */
static inline struct pglist_data *online_pgdat_from(struct hotmem *hm, int nid)
{
	for (; nid < hm->nr_possible_nodes; nid++)
		if (NODE_DATA(hm, nid) && NODE_DATA(hm, nid)->online)
			return NODE_DATA(hm, nid);
	return NULL;
}
static inline struct pglist_data *first_online_pgdat(struct hotmem *hm)
{
	return online_pgdat_from(hm, 0);
}
static inline struct pglist_data *next_online_pgdat(struct hotmem *hm, struct pglist_data *pgdat)
{
	return online_pgdat_from(hm, pgdat->node_id + 1);
}
static inline struct zone *first_zone(struct hotmem *hm)
{
	struct pglist_data *pgdat = first_online_pgdat(hm);

	return pgdat ? pgdat->node_zones : NULL;
}
static inline struct zone *next_zone(struct hotmem *hm, struct zone *zone)
{
	struct pglist_data *pgdat = zone->zone_pgdat;

	if (zone < pgdat->node_zones + MAX_NR_ZONES - 1)
		return zone + 1;
	pgdat = next_online_pgdat(hm, pgdat);
	return pgdat ? pgdat->node_zones : NULL;
}
#define for_each_online_pgdat(hm, pgdat) \
	for ((pgdat) = first_online_pgdat(hm); (pgdat); (pgdat) = next_online_pgdat((hm), (pgdat)))
#define for_each_zone(hm, zone) \
	for ((zone) = first_zone(hm); (zone); (zone) = next_zone((hm), (zone)))
/*
 * 6.12's "if (!populated_zone(zone)) ; else" form, the empty body
 * braced (-Wempty-body): one statement or block follows
 */
#define for_each_populated_zone(hm, zone) \
	for_each_zone((hm), (zone))       \
		if (!populated_zone(zone)) { \
		} else

/* engine memory: accounted, fault-injectable */
/* srat.c: a profile's machine, in PXMs, in the guest's node ids */
void srat_number_nodes(struct hotmem_config *cfg, const struct hm_pxm_map *m);
/* guest node @nid online from boot (CPUs or boot memory on its PXM) */
bool srat_node_online_at_boot(const struct hotmem_config *cfg, int nid);
/*
 * -EINVAL and the kernel's panic in @err when @cfg's line gives init too
 * many arguments or environment words (6.12 start_kernel()'s
 * panic_later): such a line boots no machine (config.c)
 */
int init_words_panic(const struct hotmem_config *cfg, char *err, size_t errlen);

void *hm_alloc(struct hotmem *hm, size_t size);	/* zeroed */
void hm_free(struct hotmem *hm, void *p, size_t size);
void *hm_alloc_noinject(struct hotmem *hm, size_t size);
/*
 * A fault point of hotmem_fail_nth_alloc(): true when this call is to fail,
 * said as lib/fault-inject.c's fail_dump() says it, @attr the fault
 * attribute's name ("failslab", "fail_page_alloc"; "host_mmap" for the
 * host's refusal of a mapping, hotmem's own point)
 */
bool hm_should_fail(struct hotmem *hm, const char *attr);
int hm_array_resize(struct hotmem *hm, void **arr, unsigned long *cap, unsigned long used,
		    size_t elem, unsigned long ncap);
/* the same past hotmem_fail_nth_alloc()'s count: another task's allocation (kmem.c) */
int hm_array_resize_noinject(struct hotmem *hm, void **arr, unsigned long *cap,
			     unsigned long used, size_t elem, unsigned long ncap);

/*
 * @fmt into @err (when there is one), then @ret: a check's failure said
 * and returned in one statement (config.c's seterr(), -EINVAL;
 * invariants.c's fail(), -EUCLEAN)
 */
int hm_seterr(int ret, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * config.c: a parameter's bad value said as "@name=@val: @fmt...",
 * -EINVAL.  A value with one of the kernel's blanks is said in the quotes
 * it was written in (name="a b"): next_arg() dropped them, and without
 * them the message reads as two words (small42).  NULL is said as "@name=".
 */
int hm_param_err(char *err, size_t errlen, const char *name, const char *val,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* events.c */
/* the boot's log kept whole: hotmem_create()'s last step */
void dmesg_boot_snapshot(struct hotmem *hm);
void hm_log(struct hotmem *hm, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define pr_err(hm, ...)		hm_log(hm, 3, __VA_ARGS__)
#define pr_warn(hm, ...)	hm_log(hm, 4, __VA_ARGS__)
#define pr_notice(hm, ...)	hm_log(hm, 5, __VA_ARGS__)
#define pr_info(hm, ...)	hm_log(hm, 6, __VA_ARGS__)
#define pr_debug(hm, ...)	hm_log(hm, 7, __VA_ARGS__)
/*
 * dev_printk_emit()'s shape (6.12 drivers/base/core.c): @fmt begins with
 * dev_printk()'s "%s %s: " (the driver's name, else the bus's or the
 * class's, then dev_name()), the level passed apart -- so a record's
 * 1023 bytes are all text, where a pr_*()'s level takes two of them
 * (events.c).  The dev_*() below are the kernel's dev_err() and kin with
 * that prefix spelled in @fmt: hotmem's devices are no struct device.
 */
void hm_dev_log(struct hotmem *hm, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define dev_err(hm, ...)	hm_dev_log(hm, 3, __VA_ARGS__)
#define dev_warn(hm, ...)	hm_dev_log(hm, 4, __VA_ARGS__)
#define dev_info(hm, ...)	hm_dev_log(hm, 6, __VA_ARGS__)
#define dev_dbg(hm, ...)	hm_dev_log(hm, 7, __VA_ARGS__)
/* the probe points of hotmem_probes.h, by number */
#define HM_PROBE_ENUM(name) HMP_##name,
enum hm_probe { HOTMEM_PROBES(HM_PROBE_ENUM) HMP_NR };

/*
 * What an untraced step reads, inline at every probe site (hm_trace()).
 * Hidden: the engine's objects reach them directly (a TLS access is
 * %fs-relative in the programs that link the engine, no __tls_get_addr),
 * and libhotmem.a's ld -r makes them local (engine/engine.mk).
 *
 * hm_probe_batch: hotmem:batch's records, one buffer per thread, as the
 * kernel's per-cpu trace buffers are: a thread's records stay in the order
 * it fired them while other threads (init workers, FUSE workers) trace at
 * the same time, and it holds nothing between operations.
 */
struct hm_probe_batch {
	unsigned int depth; /* traced steps entered, not yet returned */
	unsigned int nr;
	struct hotmem_probe_rec rec[HOTMEM_PROBE_BATCH_MAX];
};
extern _Thread_local struct hm_probe_batch hm_probe_batch __attribute__((visibility("hidden")));
/* written by the kernel when a tracer attaches or detaches (the uprobe's ref_ctr_offset) */
extern volatile unsigned short hotmem_batch_semaphore __attribute__((visibility("hidden")));
/* [probe][exit]: the semaphore of hotmem:<probe> and of hotmem:<probe>__ret */
extern volatile unsigned short *const hm_usdt_semaphores[HMP_NR][2]
	__attribute__((visibility("hidden")));
/* the step someone follows: batched, its USDT site, the trace subscribers */
void hm_trace_step(struct hotmem *hm, enum hm_probe probe, bool exit, unsigned long start_pfn,
		   unsigned long nr_pages, int nid, int zid, long extra, int ret);

/*
 * Someone may follow @probe: a tracer on it or on hotmem:batch, a batch
 * left to hand over, an in-process subscriber that wants trace steps
 * (hotmemfs's only while `hotmemctl events --trace` follows them).  Five
 * loads or'ed, one branch: an untraced step costs what a USDT is-enabled
 * test or a kernel static key's not-taken jump does, no call, no frame.
 * Or'ed rather than tested one by one: untraced, every load is made
 * either way.
 */
static inline bool hm_trace_wanted(const struct hotmem *hm, enum hm_probe probe, bool exit)
{
	return (hotmem_batch_semaphore | hm_probe_batch.nr | *hm_usdt_semaphores[probe][exit] |
		atomic_load_explicit(&hm->nr_trace_subscribers, memory_order_relaxed)) != 0;
}

static inline void hm_trace(struct hotmem *hm, enum hm_probe probe, bool exit,
			    unsigned long start_pfn, unsigned long nr_pages, int nid, int zid,
			    long extra, int ret)
{
	if (__builtin_expect(hm_trace_wanted(hm, probe, exit), 0))
		hm_trace_step(hm, probe, exit, start_pfn, nr_pages, nid, zid, extra, ret);
}

/*
 * One construct a traced function: HM_TRACE_FN() fires the entry probe
 * where it stands and the __ret probe whenever the function returns —
 * early returns included, as the kernel writes them — with the value of
 * the int the function returns through (@retp; NULL for a void function:
 * 0).  The USDT sites stay those of hm_trace().  An argument learnt later
 * (the zone chosen) is set in the scope: hm_trace_scope.zid = ...
 */
struct hm_trace_scope {
	struct hotmem *hm;
	enum hm_probe probe;
	unsigned long start_pfn, nr_pages;
	int nid, zid;
	long extra;
	const int *retp;
};

/*
 * Inline, as hm_trace(): untraced, a traced function's entry and return
 * are the depth count and the two tests.  The depth is counted traced or
 * not: a tracer that attaches mid-operation gets the batch handed over
 * when the outermost step returns, as one there from the start.
 */
static inline struct hm_trace_scope hm_trace_scope_begin(struct hotmem *hm, enum hm_probe probe,
							 const int *retp, unsigned long start_pfn,
							 unsigned long nr_pages, int nid, int zid,
							 long extra)
{
	hm_probe_batch.depth++;
	hm_trace(hm, probe, false, start_pfn, nr_pages, nid, zid, extra, 0);
	return (struct hm_trace_scope){
		.hm = hm, .probe = probe, .start_pfn = start_pfn, .nr_pages = nr_pages,
		.nid = nid, .zid = zid, .extra = extra, .retp = retp,
	};
}

static inline void hm_trace_scope_end(const struct hm_trace_scope *s)
{
	hm_probe_batch.depth--;
	hm_trace(s->hm, s->probe, true, s->start_pfn, s->nr_pages, s->nid, s->zid, s->extra,
		 s->retp ? *s->retp : 0);
}

#define HM_TRACE_FN(hm, name, retp, start_pfn, nr_pages, nid, zid, extra)		\
	struct hm_trace_scope hm_trace_scope					\
		__attribute__((cleanup(hm_trace_scope_end))) =			\
		hm_trace_scope_begin(hm, HMP_##name, retp, start_pfn, nr_pages,	\
				     nid, zid, extra)
void hm_uevent(struct hotmem *hm, enum hm_uevent_action action, unsigned long block_id);
/* HM_EV_LINK: the blocks of [start_pfn, start_pfn + nr_pages) linked under node @nid */
void hm_link_event(struct hotmem *hm, int nid, unsigned long start_pfn, unsigned long nr_pages);
void hm_node_uevent(struct hotmem *hm, enum hm_uevent_action action, int nid);

/* hm_xa: sparse table */
void *hm_xa_load(const struct hm_xa *xa, unsigned long idx);
int hm_xa_store(struct hotmem *hm, struct hm_xa *xa, unsigned long idx, void *entry);
void hm_xa_erase(struct hotmem *hm, struct hm_xa *xa, unsigned long idx);
int hm_xa_init(struct hotmem *hm, struct hm_xa *xa, unsigned long max_idx);
void hm_xa_destroy(struct hotmem *hm, struct hm_xa *xa);
/* first present index >= idx, or -ENOENT */
int hm_xa_find(const struct hm_xa *xa, unsigned long *idx);

/* physmem.c */
/*
 * Host mappings an add leaves free under vm.max_map_count, for undo,
 * threads and malloc (physmem_check_mappings()); here so tests derive
 * their caps from it.
 */
#define HOST_MAP_HEADROOM 4096UL
int physmem_init(struct hotmem *hm);
void physmem_exit(struct hotmem *hm);
int physmem_map_direct(struct hotmem *hm, uint64_t start, uint64_t size);
int physmem_unmap_direct(struct hotmem *hm, uint64_t start, uint64_t size);
void physmem_discard(struct hotmem *hm, uint64_t start, uint64_t size);
int physmem_map_vmemmap(struct hotmem *hm, void *vaddr, unsigned long pfn,
			size_t size, bool readonly);
int physmem_unmap_vmemmap(struct hotmem *hm, void *vaddr, size_t size);
bool physmem_is_mapped(void *vaddr, size_t size);
void physmem_reserve_hole(struct hotmem *hm, void *vaddr, size_t size);
/* -ENOMEM (and why, in the log) unless @nr_new more host mappings fit */
int physmem_check_mappings(struct hotmem *hm, unsigned long nr_new);
void physmem_maps_made(struct hotmem *hm, unsigned long nr);
int host_memory_room(struct hotmem *hm, uint64_t bytes, unsigned long start_pfn,
		     unsigned long nr_pages);
/* the same before a removal: the sysctl read afresh, no headroom kept */
int physmem_check_unmaps(struct hotmem *hm, unsigned long nr_new);
unsigned long physmem_maps_cap_needed(struct hotmem *hm, unsigned long nr_new);
void mhp_check_host_maps(struct hotmem *hm);
void physmem_prefault(void *addr, size_t size);
int physmem_memmap_template(struct hotmem *hm, const struct page *tmpl);
int physmem_map_vmemmap_template(struct hotmem *hm, void *vaddr, int slot);
int physmem_write(struct hotmem *hm, unsigned long pfn, const void *buf, size_t size);
int physmem_read(struct hotmem *hm, unsigned long pfn, void *buf, size_t size);
size_t physmem_memfd_resident_bytes(struct hotmem *hm);
long physmem_private_pages(struct hotmem *hm, void *addr, size_t size, unsigned long max,
			   void (*fn)(void *page, void *arg), void *arg);
unsigned int physmem_copy_in(struct hotmem *hm, void *addr, size_t stride, unsigned int nr,
			     const void *src);
long physmem_faults(struct hotmem *hm);
bool physmem_pagemap_copied(uint64_t ent);
void physmem_allocate(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages);

/* vmemmap_holes.c: self-hosted memmaps whose template pages stay holes */
void vmemmap_holes_init(struct hotmem *hm);
void vmemmap_holes_exit(struct hotmem *hm);
void vmemmap_holes_register(struct hotmem *hm, unsigned long section_nr, void *vaddr);
void vmemmap_holes_forget(struct hotmem *hm, unsigned long section_nr);
int vmemmap_holes_end(struct hotmem *hm);
int vmemmap_holes_fill_pageblocks(struct hotmem *hm, unsigned long start_pfn,
				  unsigned long nr_pages);
int vmemmap_holes_init_range(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages,
			     const struct page *tmpl, int slot);
bool vmemmap_holes_range(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages);
bool vmemmap_has_holes(const struct mem_section *ms);
void vmemmap_holes_prefill(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages,
			   unsigned long nr_vmemmap_pages);

/* setup.c */
int setup_arch_reserve(struct hotmem *hm, char *err, size_t errlen);
void swiotlb_init(struct hotmem *hm);
void boot_reserve_after_free_all(struct hotmem *hm);
void boot_reserve_late(struct hotmem *hm);
/* sysctl.c: the command line's sysctl.vm.* words, at the end of boot */
void do_sysctl_args(struct hotmem *hm);
/* a sysctl.vm.NAME word of a vm sysctl the boot applies (config.c: not "unmodelled") */
bool sysctl_arg_modelled(const char *param);
/* an old boot parameter that became a sysctl (6.12 sysctl_is_alias(): not passed to init) */
bool sysctl_is_alias(const char *param);

/* memblock.c */
uint64_t memblock_alloc_try_nid(struct hotmem *hm, uint64_t size, uint64_t align,
				int nid);
void memblock_free(struct hotmem *hm, uint64_t base, uint64_t size);
int memblock_reserve(struct hotmem *hm, uint64_t base, uint64_t size, const char *name);
uint64_t memblock_alloc_range(struct hotmem *hm, uint64_t size, uint64_t align, uint64_t end,
			      const char *name);
const char *memblock_reserved_name(struct hotmem *hm, unsigned long pfn);
bool memblock_is_reserved(struct hotmem *hm, unsigned long pfn);
bool memblock_is_memory(struct hotmem *hm, unsigned long pfn);
int memblock_pfn_nid(struct hotmem *hm, unsigned long pfn);
int memblock_pfn_nid_extent(struct hotmem *hm, unsigned long pfn, unsigned long end,
			    unsigned long *next);

/* sparse.c */
struct mem_section *__nr_to_section(struct hotmem *hm, unsigned long nr);
struct mem_section *__pfn_to_section(struct hotmem *hm, unsigned long pfn);
unsigned long nr_mem_sections(struct hotmem *hm);
bool present_section(const struct mem_section *ms);
bool valid_section(const struct mem_section *ms);
bool online_section(const struct mem_section *ms);
/* every change of a section's flags: one atomic RMW (readers hold no lock) */
void section_flags_clear(struct mem_section *ms, unsigned long flags);
bool early_section(const struct mem_section *ms);
bool pfn_valid(struct hotmem *hm, unsigned long pfn);
struct page *pfn_to_online_page(struct hotmem *hm, unsigned long pfn);
int sparse_index_init(struct hotmem *hm, unsigned long section_nr);
int sparse_init(struct hotmem *hm, char *err, size_t errlen);
int sparse_add_section(struct hotmem *hm, int nid, unsigned long start_pfn,
		       unsigned long nr_pages, struct vmem_altmap *altmap);
void sparse_remove_section(struct hotmem *hm, unsigned long pfn,
			   unsigned long nr_pages, struct vmem_altmap *altmap);
void online_mem_sections(struct hotmem *hm, unsigned long start_pfn,
			 unsigned long end_pfn);
void offline_mem_sections(struct hotmem *hm, unsigned long start_pfn,
			  unsigned long end_pfn);
int get_pfnblock_migratetype(struct hotmem *hm, unsigned long pfn);
void set_pageblock_migratetype(struct hotmem *hm, unsigned long pfn, int mt);
bool get_pageblock_isolate(struct hotmem *hm, unsigned long pfn);
void set_pageblock_isolate(struct hotmem *hm, unsigned long pfn, bool on);
void sparse_destroy(struct hotmem *hm);

/* sparse_vmemmap.c */
int vmemmap_populate(struct hotmem *hm, unsigned long start_pfn,
		     unsigned long nr_pages, int nid, struct vmem_altmap *altmap);
void vmemmap_free(struct hotmem *hm, unsigned long start_pfn,
		  unsigned long nr_pages, struct vmem_altmap *altmap);
int vmemmap_populate_boot(struct hotmem *hm, unsigned long section_nr,
			  unsigned long backing_pfn);
unsigned long vmemmap_backing_pfn(struct hotmem *hm, unsigned long pfn, int *src);
int hugetlb_vmemmap_optimize(struct hotmem *hm, unsigned long head_pfn, int nid, bool enabled);
int hugetlb_vmemmap_restore(struct hotmem *hm, unsigned long head_pfn, int nid);
bool vmemmap_is_optimized(struct hotmem *hm, unsigned long head_pfn);
bool hugetlb_vmemmap_optimized(struct hotmem *hm, unsigned long head_pfn);
unsigned long hugetlb_vmemmap_restore_need(struct hotmem *hm, unsigned long head_pfn);
int vmemmap_share_template(struct hotmem *hm, unsigned long section_nr, int slot);
int vmemmap_remap_lost(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages);
int vmemmap_remap_lost_excl(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages);
bool vmemmap_populated(const struct mem_section *ms);
/*
 * Emulator: the host left (part of) the section's memmap unmapped
 * (vmemmap_lost()), and nothing may read it until vmemmap_remap_lost()
 * maps it.  Atomic: the memmap prefetcher sets SECTION_MEMMAP_RESIDENT
 * beside, and explain tests it without device_hotplug_lock.
 */
static inline bool section_memmap_unmapped(const struct mem_section *ms)
{
	return __atomic_load_n(&ms->section_mem_map, __ATOMIC_ACQUIRE) & SECTION_MEMMAP_UNMAPPED;
}
bool memmap_unmapped(struct hotmem *hm, unsigned long pfn);
int memmap_check_mapped(struct hotmem *hm, unsigned long pfn, const char *who);
size_t vmemmap_private_bytes(struct hotmem *hm);
void vmemmap_free_torn(struct hotmem *hm);

/* page_alloc.c */
void zone_init(struct hotmem *hm, struct zone *z, int nid, int zid);
void memmap_fill(struct page *dst, unsigned long nr_pages, const struct page *tmpl);
void memmap_init_range(struct hotmem *hm, unsigned long start_pfn,
		       unsigned long nr_pages, int nid, int zid, unsigned long extra_flags,
		       int refcount);
void __free_pages_core(struct hotmem *hm, struct page *page, unsigned int order,
		       bool to_tail);
void free_one_page(struct hotmem *hm, struct zone *zone, unsigned long pfn,
		   unsigned int order, bool to_tail);
void free_one_page_locked(struct hotmem *hm, struct zone *zone, unsigned long pfn,
			  unsigned int order, bool to_tail);
/*
 * A free block of order @o at @head, off its free list (z->lock held):
 * every half that does not hold [@pfn, @pfn + 2^@order) goes back, as
 * take_page_off_buddy()'s split (break_down_buddy_pages(), 6.12)
 */
void split_free_block_around(struct hotmem *hm, struct zone *z, unsigned long head,
			     unsigned int o, unsigned long pfn, unsigned int order);
void __free_pages(struct hotmem *hm, struct page *page, unsigned int order);
void unclaim_pageblocks(struct hotmem *hm, const struct pageblock_claim *c);
void unclaim_pageblocks_remap_held(struct hotmem *hm, const struct pageblock_claim *c);
void kmem_memmap_claimed(struct hotmem *hm, unsigned long pfn, const struct pageblock_claim *c);
unsigned int kmem_pageblock_claimed(struct hotmem *hm, struct zone *z, unsigned long pfn,
				    unsigned long nr);
void kmem_pageblock_unclaimed(struct zone *z, unsigned long pb);
/* how a memmap page was freed (kmem_memmap_freed()) */
#define MEMMAP_FREE_UNDO	1U	/* hotmem's own rollback of what it just did */
#define MEMMAP_FREE_REMAP_HELD	2U	/* under vmemmap_remap_lock for writing (HVO) */
void kmem_memmap_freed(struct hotmem *hm, unsigned long pfn, unsigned int how);
/* kmem_copy.c: the list at each mark still pending, under device_hotplug_lock */
void kmem_copy_push(struct hotmem *hm, unsigned long at);
struct kmem_copy *kmem_copy_find(struct hotmem *hm, unsigned long at);
void kmem_copies_rewound(struct hotmem *hm, unsigned long to);
void kmem_copies_drop(struct hotmem *hm, unsigned long to);
unsigned long kmem_copies_oldest(struct hotmem *hm);
void kmem_copies_free(struct hotmem *hm);
/* what __alloc_pages() derives from a gfp mask, nodemask and node */
struct alloc_context {
	int nid;		/* preferred node: its zonelist */
	uint64_t nodemask;	/* allowed nodes; 0: all */
	int highest_zoneidx;	/* gfp_zone() */
	int migratetype;	/* gfp_migratetype() */
	bool ignore_wmark;	/* ALLOC_NO_WATERMARKS */
	struct pageblock_claim *claim;	/* told of a claim (kmem.c's log); NULL: none */
};
struct page *__alloc_pages(struct hotmem *hm, unsigned int order,
			   const struct alloc_context *ac);
struct page *alloc_pages_node(struct hotmem *hm, int nid, unsigned int order,
			      bool movable, bool ignore_wmark);
/* the allocating CPU's node: where an allocation without a node starts, "local" */
int numa_node_id(struct hotmem *hm);
/*
 * mm/internal.h's struct migration_target_control (6.12): where a
 * migration target may come from -- @nid the preferred node
 * (NUMA_NO_NODE: the source page's), @nmask the nodes allowed (NULL: all)
 * -- and the mask it is asked with, which warn_alloc() says on failure
 */
struct migration_target_control {
	int nid;
	const uint64_t *nmask;
	unsigned int gfp_mask;
};
/* the migration targets' mask of do_migrate_range(), __alloc_contig_migrate_range(), soft offline */
#define MIGRATE_TARGET_GFP	(GFP_USER | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL)
struct page *alloc_migration_target(struct hotmem *hm, struct page *src,
				    const struct migration_target_control *mtc);
/* node_states[N_MEMORY]: the nodes with present memory */
uint64_t node_states_memory(struct hotmem *hm);
void build_all_zonelists(struct hotmem *hm, struct pglist_data *self);
void build_all_zonelists_init(struct hotmem *hm);
struct page *alloc_pages_zone(struct hotmem *hm, struct zone *z, unsigned int order,
			      int mt, bool ignore_wmark, int highest_zoneidx);
unsigned long zone_lowmem_reserve(struct zone *z, int highest_zoneidx);
/* __zone_watermark_ok()'s mark at WMARK_MIN: min + lowmem_reserve[highest_zoneidx] */
unsigned long zone_min_mark(struct zone *z, int highest_zoneidx);
/* 6.12 wmark_pages(): zone->_watermark[@i] plus its watermark_boost */
unsigned long wmark_pages(struct zone *z, int i);
/* the node's kswapd_failures at MAX_RECLAIM_RETRIES: zoneinfo's node_unreclaimable */
bool pgdat_kswapd_hopeless(struct hotmem *hm, struct pglist_data *pgdat);
/* the kswapd of each node woken since, run to its sleep: an operation's end (page_alloc.c) */
void kswapd_run_pending(struct hotmem *hm);
/* include/linux/gfp_types.h (6.12): the bits of the masks warn_alloc() names */
#define __GFP_HIGHMEM		0x02u
#define __GFP_MOVABLE		0x08u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define __GFP_RETRY_MAYFAIL	0x4000u
#define __GFP_COMP		0x40000u
#define __GFP_HARDWALL		0x100000u
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_USER		(GFP_KERNEL | __GFP_HARDWALL)
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)
/*
 * Said by current (get_task_comm(): hm->current_task's comm, else this
 * thread's name); @nodemask the allocation's (NULL: none, "(null)")
 */
void warn_alloc(struct hotmem *hm, unsigned int gfp_mask, const uint64_t *nodemask,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void split_page(struct hotmem *hm, struct page *page, unsigned int order);
void del_page_from_free_list(struct zone *z, struct page *page, unsigned int order);
/* a free block of a lost memmap taken off: its zone, order and links outside to write */
struct lost_block {
	struct zone *z;
	unsigned int order;
	int migratetype;	/* its free list: account_freepages() */
	struct list_head **field[2], *val[2];	/* field NULL: nothing outside */
};
long take_lost_memmap_off_buddy(struct hotmem *hm, const struct page *memmap,
				struct page *copy, struct lost_block **blocks);
unsigned long lost_memmap_unlink(struct lost_block *blocks, unsigned long nr);
void put_lost_memmap_back(struct hotmem *hm, unsigned long start_pfn);
void move_freepages_block(struct hotmem *hm, struct zone *z, unsigned long pfn, int new_list);
void watermark_sysctls_init(struct hotmem *hm);
void init_per_zone_wmark_min(struct hotmem *hm);
void refresh_zone_stat_thresholds(struct hotmem *hm);
int alloc_contig_range(struct hotmem *hm, unsigned long start, unsigned long end);
/* the free block holding @pfn (its head may lie before it), or NULL; zone->lock held */
struct page *free_block_holding(struct hotmem *hm, unsigned long pfn);
void free_contig_range(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages);
void adjust_managed_page_count(struct hotmem *hm, struct page *page, long count);
unsigned long totalram_pages(struct hotmem *hm);
void for_each_zone_lock_all(struct hotmem *hm);
void for_each_zone_unlock_all(struct hotmem *hm);
unsigned long zone_free_pages(struct zone *z);
bool page_is_buddy_head(const struct page *p);
void prefault_memmap(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages);
uint64_t memmap_host_bytes(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages);
int parallel_memmap_init(struct hotmem *hm, unsigned long start_pfn,
			 unsigned long nr_pages, int nid, int zid,
			 unsigned long extra_flags, int refcount);

/* mm_init.c */
/*
 * The zone memmap_init() puts boot pfn @pfn of node @nid in: ZONE_MOVABLE
 * from the node's zone_movable_pfn on (kernelcore=, movablecore=)
 */
int boot_zone_of(struct hotmem *hm, int nid, unsigned long pfn);
int boot_pfn_nid(struct hotmem *hm, unsigned long pfn);

/* page_isolation.c */
/* include/linux/page-isolation.h: isolation flags */
#define MEMORY_OFFLINE	0x1	/* offline_pages(): PageOffline pages count as movable */
#define REPORT_FAILURE	0x2	/* offline_pages(): dump the unmovable page (alloc_contig_range() does not) */
long first_unmovable_pfn(struct hotmem *hm, struct zone *z, unsigned long start_pfn,
			 unsigned long end_pfn, int flags);
int start_isolate_page_range(struct hotmem *hm, unsigned long start_pfn,
			     unsigned long end_pfn, int flags);
void undo_isolate_page_range(struct hotmem *hm, unsigned long start_pfn,
			     unsigned long end_pfn);
int test_pages_isolated(struct hotmem *hm, unsigned long start_pfn,
			unsigned long end_pfn, int isol_flags);

/* memory_hotplug.c */
struct zone *zone_for_pfn_range(struct hotmem *hm, int online_type, int nid,
				struct memory_group *group, unsigned long start_pfn,
				unsigned long nr_pages, const char **rule);
int online_pages(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages,
		 struct zone *zone, struct memory_group *group);
/* @cause: why it failed (HM_OFFLINE_CAUSE_NONE when it did not) */
/* signal_pending(current): hm->current_task, set under device_hotplug_lock */
bool signal_pending(struct hotmem *hm);
/* current->comm (TASK_COMM_LEN 16) into @buf: hm->current_task's, else this thread's */
#define TASK_COMM_LEN	16
void get_task_comm(struct hotmem *hm, char buf[TASK_COMM_LEN]);
int offline_pages(struct hotmem *hm, unsigned long start_pfn,
		  unsigned long nr_pages, struct zone *zone,
		  struct memory_group *group, enum hm_offline_cause *cause);
/*
 * this thread's last offline_pages() ended EINTR before it tried a page:
 * the signal was pending as its first pass began (hotmem's own, for the
 * "hotmem:" hint: nothing was in its way to explain)
 */
bool offline_pages_untried(void);
void register_memory_notifier(struct hotmem *hm, struct notifier_block *nb);
void unregister_memory_notifier(struct hotmem *hm, struct notifier_block *nb);
int set_online_page_callback(struct hotmem *hm, online_page_callback_t cb, void *data);
int restore_online_page_callback(struct hotmem *hm, online_page_callback_t cb);
void generic_online_page(struct hotmem *hm, struct page *page, unsigned int order);
int add_memory_driver_managed(struct hotmem *hm, int nid, uint64_t start, uint64_t size,
			      const char *resource_name, unsigned int mhp_flags);
int remove_memory(struct hotmem *hm, uint64_t start, uint64_t size);
int offline_and_remove_memory(struct hotmem *hm, uint64_t start, uint64_t size);
int mhp_init_memmap_on_memory(struct hotmem *hm, unsigned long pfn,
			      unsigned long nr_pages, struct zone *zone);
void mhp_deinit_memmap_on_memory(struct hotmem *hm, unsigned long pfn,
				 unsigned long nr_pages);
void adjust_present_page_count(struct hotmem *hm, struct page *page,
			       struct memory_group *group, long nr_pages);
int memory_notify(struct hotmem *hm, unsigned long action, unsigned long start_pfn,
		  unsigned long nr_pages);
/*
 * 6.12 lock_device_hotplug()/unlock_device_hotplug(): the engine's only
 * way to take and drop device_hotplug_lock; the unlock ends the
 * operation (hm_operation_end())
 */
void lock_device_hotplug(struct hotmem *hm);
void unlock_device_hotplug(struct hotmem *hm);
/*
 * An operation that takes no device_hotplug_lock (hotmem_alloc_pages(),
 * the boot): its end, the outermost in the thread, runs the kswapd it
 * woke (kswapd_run_pending()) -- only if this thread woke it
 * (hm_operation_woke_kswapd(), from wakeup_kswapd()): a reader's end
 * runs none
 */
void hm_operation_begin(void);
void hm_operation_end(struct hotmem *hm);
void hm_operation_woke_kswapd(void);
void mem_hotplug_begin(struct hotmem *hm);
void mem_hotplug_done(struct hotmem *hm);
/* a thread working for the holder of mem_hotplug_lock (get_online_mems() takes nothing) */
void mem_hotplug_helper_begin(void);
void mem_hotplug_helper_end(void);
bool mem_hotplug_helper_running(void);
struct memory_group *memory_group_find_by_id(struct hotmem *hm, int id);
unsigned long memory_block_memmap_on_memory_pages(struct hotmem *hm);
/* set_memmap_mode()'s boot line for memory_hotplug.memmap_on_memory=force */
void memmap_mode_report(struct hotmem *hm);

/* memory.c (drivers/base/memory.c) */
int memory_dev_init(struct hotmem *hm);
void memory_dev_exit(struct hotmem *hm);
struct memory_block *find_memory_block_by_id(struct hotmem *hm, unsigned long id);
/* @mem's memmap made ready ahead of its online (a batch's prefetch) */
void memory_block_prefetch(struct hotmem *hm, struct memory_block *mem);
struct memory_block *phys_to_memory_block(struct hotmem *hm, uint64_t phys);
int create_memory_block_devices(struct hotmem *hm, unsigned long start,
				unsigned long size, int nid,
				struct vmem_altmap *altmap, int group);
void register_memory_blocks_under_node_hotplug(struct hotmem *hm, int nid, uint64_t start,
					       uint64_t size);
struct vmem_altmap *memory_block_take_altmap(struct hotmem *hm, struct memory_block *mem);
int memory_block_walk_begin(struct memory_block *mem);
void memory_block_walk_end(struct memory_block *mem);
void remove_memory_block_devices(struct hotmem *hm, unsigned long start,
				 unsigned long size);
int memory_block_online(struct hotmem *hm, struct memory_block *mem);
int memory_block_offline(struct hotmem *hm, struct memory_block *mem);
int device_online(struct hotmem *hm, struct memory_block *mem);
int device_offline(struct hotmem *hm, struct memory_block *mem);

/* kmem.c */
void kmem_boot(struct hotmem *hm);
void kmem_tick(struct hotmem *hm);
void kmem_online(struct hotmem *hm, struct zone *zone, bool zone_was_empty,
		 bool node_was_empty);
void kmem_offline(struct hotmem *hm, struct zone *zone, bool zone_now_empty,
		  bool node_now_empty);
void kmem_destroy(struct hotmem *hm);
void memory_tier_init(struct hotmem *hm);
/* mmap.c: the reserves from the booted machine's free memory, and their memory notifier */
void mmap_reserve_init(struct hotmem *hm);
void memtier_hotplug_callback(struct hotmem *hm, unsigned long action, int status_change_nid);
const char *kmem_site_name(int site);
/* 2^@order free pages of an online zone below Movable off the buddy, as allocated: 0, -EBUSY */
int kmem_take_block(struct hotmem *hm, unsigned long pfn, unsigned int order);
/* the same once its memmap is mapped, @kernel_zones_only false: any zone's too */
int take_mapped_block_off_buddy(struct hotmem *hm, unsigned long pfn, unsigned int order,
				bool kernel_zones_only);

/* debug.c */
struct hm_page_owner;
unsigned long page_head_pfn(struct hotmem *hm, unsigned long pfn);
const char *page_type_name(const struct page *page);
void dump_page(struct hotmem *hm, unsigned long pfn, const char *reason);
/* "%#lx(names)": %pGp of the page (lib/vsprintf.c format_page_flags()) */
void page_flags_pgp(struct hotmem *hm, unsigned long pfn, char *buf, size_t len);
/*
 * /proc/kpageflags and kpagecount entries (6.12 fs/proc/page.c) of the
 * online page @pfn and of the pages after it, at most @nr, that are said
 * from their head alone: returns how many were filled (@flags or @count
 * may be NULL)
 */
unsigned long kpage_entries(struct hotmem *hm, unsigned long pfn, unsigned long nr,
			    uint64_t *flags, uint64_t *count);
/* ratelimit.c: lib/ratelimit.c's ___ratelimit() */
unsigned long hm_ratelimit_now_ms(void);
bool __hm_ratelimit(struct hotmem *hm, struct hm_ratelimit *rs, const char *func,
		    unsigned long now_ms);
bool hm_ratelimit_default(struct hotmem *hm, struct hm_ratelimit *rs, const char *func);
unsigned long page_owner(struct hotmem *hm, unsigned long pfn, struct hm_page_owner *o);

/*
 * Who allocated a memmap page from system RAM (vmemmap_alloc_pages()),
 * kept in a PG_vmemmap page's index for page_owner() to name
 */
enum vmemmap_alloc_for {
	VMEMMAP_FOR_ADD,	/* vmemmap_alloc_block(): a hot-add's memmap */
	VMEMMAP_FOR_RESTORE,	/* alloc_vmemmap_page_list(): HugeTLB's restore */
	VMEMMAP_FOR_HVO_HEAD,	/* vmemmap_remap_free()'s new head page */
};

/* firmware_memmap.c */
/* the boot log's "BIOS-provided physical RAM map:" and BIOS-e820 lines */
void e820__print_table(struct hotmem *hm);
void trim_bios_range(struct hotmem *hm);
int firmware_map_init(struct hotmem *hm);
/* a virtio-mem region [start, start + size) crosses the edge of: its end, else 0 */
uint64_t virtio_mem_region_conflict(const struct hotmem *hm, uint64_t start, uint64_t size);
/* __request_region()'s walk through the boot resources: the one [start, start + size) nests under */
int e820_request_region(const struct hotmem *hm, uint64_t start, uint64_t size,
			const struct e820_res **parent, uint64_t *end_busy);
void firmware_map_add_hotplug(struct hotmem *hm, uint64_t start, uint64_t end);
void firmware_map_remove(struct hotmem *hm, uint64_t start, uint64_t end);
void firmware_map_destroy(struct hotmem *hm);

/* virtio_mem.c */
void virtio_mem_destroy_all(struct hotmem *hm);
/* under device_hotplug_lock: the drivers' block states agree with the memory blocks */
int virtio_mem_check_invariants(struct hotmem *hm, char *err, size_t errlen);
/* /proc/iomem or firmware/memmap changed (hotmem.maps_gen); device_hotplug_lock held */
static inline void maps_changed(struct hotmem *hm)
{
	atomic_fetch_add_explicit(&hm->maps_gen, 1, memory_order_release);
}

/* hotmem_iomem() by the O(n^2) walk it replaced: its fallback, and the tests' reference */
size_t hm_iomem_slow(struct hotmem *hm, struct hm_iomem_entry *ents, size_t max);

/* cfg->hugetlb_parsed: the words so far, for the kernel's order rules (and describe()) */
#define HUGETLB_HSTATE		(1u << 0)	/* the 2 MiB hstate added by a size word */
#define HUGETLB_DEFAULT_SZ	(1u << 1)	/* default_hugepagesz= given */
#define HUGETLB_PAGES		(1u << 2)	/* hugepages= given */
/* hugetlb_cmdline.c: the command line's HugeTLB words (config.c's cmdline_params[]) */
int param_hugepages(struct hotmem_config *cfg, const char *key, const char *val, char *err,
		    size_t errlen);
int param_hugepagesz(struct hotmem_config *cfg, const char *key, const char *val, char *err,
		     size_t errlen);
int param_default_hugepagesz(struct hotmem_config *cfg, const char *key, const char *val,
			     char *err, size_t errlen);
int hugepages_check_nodes(const unsigned long *node, int nr_nodes, char *err, size_t errlen);
int hugepages_check_online(const struct hotmem_config *cfg, char *err, size_t errlen);

/* workload.c */
struct page *take_page_off_buddy(struct hotmem *hm, unsigned long pfn);
void workload_forget_page(struct hotmem *hm, struct page *page);
void workload_offline_poisoned(struct hotmem *hm, unsigned long start_pfn,
			       unsigned long end_pfn);
int workload_migrate_page(struct hotmem *hm, unsigned long pfn,
			  const struct migration_target_control *mtc);
bool workload_page_pinned(const struct page *page);
int dissolve_free_hugetlb_folio(struct hotmem *hm, unsigned long pfn);
int isolate_or_dissolve_huge_folio(struct hotmem *hm, unsigned long pfn);
/* -ENOMEM: hugepages= took all boot memory (6.12's boot then panics) */
int hugetlb_init(struct hotmem *hm);
void workload_destroy(struct hotmem *hm);

/* vmstat.c: count_vm_events() of an event the engine's paths count */
void count_vm_events(struct hotmem *hm, enum hm_vm_event item, unsigned long delta);

/* memory_failure.c: a free of a block holding poison, done (true) or left to the caller */
bool free_pages_hwpoison(struct hotmem *hm, struct page *page, unsigned int order);
/* page_alloc.c: an allocation or free of 2^@order pages of @z through its per-CPU lists */
void zone_pcp_touch(struct zone *z, unsigned int order);
/* every CPU's pcp->high in @z: 0 unless ZONE_PCP_USED; lock-free */
long zone_pcp_high(struct zone *z);
/* memory_failure.c: false when no memory block of the range holds a poisoned page */
bool range_may_hold_hwpoison(struct hotmem *hm, unsigned long start_pfn, unsigned long end_pfn);

#endif /* HOTMEM_INTERNAL_H */
