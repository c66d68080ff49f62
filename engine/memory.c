// SPDX-License-Identifier: GPL-2.0
/*
 * drivers/base/memory.c (+ the device_online()/device_offline() parts of
 * drivers/base/core.c): memory blocks, their state machine and the
 * semantics behind every sysfs file of a memoryN directory.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uapi/hmuapi.h"

struct memory_block *find_memory_block_by_id(struct hotmem *hm, unsigned long id)
{
	struct memory_block *mem;

	pthread_rwlock_rdlock(&hm->blocks_lock);
	mem = hm_xa_load(&hm->memory_blocks, id);
	pthread_rwlock_unlock(&hm->blocks_lock);
	return mem;
}

/* the memory block holding physical address @phys, or NULL */
struct memory_block *phys_to_memory_block(struct hotmem *hm, uint64_t phys)
{
	return find_memory_block_by_id(hm, memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(phys))));
}

static struct zone *block_zone(struct memory_block *mem)
{
	return __atomic_load_n(&mem->zone, __ATOMIC_ACQUIRE);
}

static void set_block_zone(struct memory_block *mem, struct zone *zone)
{
	__atomic_store_n(&mem->zone, zone, __ATOMIC_RELEASE);
}

static int add_memory_block(struct hotmem *hm, struct memory_block *mem)
{
	int ret;

	pthread_rwlock_wrlock(&hm->blocks_lock);
	if (hm_xa_load(&hm->memory_blocks, mem->id))
		ret = -EEXIST;
	else
		ret = hm_xa_store(hm, &hm->memory_blocks, mem->id, mem);
	pthread_rwlock_unlock(&hm->blocks_lock);
	return ret;
}

static int init_memory_block(struct hotmem *hm, unsigned long block_id, int nid,
			     int state, struct vmem_altmap *altmap, int group,
			     bool early, struct memory_block **out)
{
	struct memory_block *mem = hm_alloc(hm, sizeof(*mem));
	int ret;

	if (!mem)
		return -ENOMEM;
	mem->id = block_id;
	mem->start_section_nr = block_id * hm->sections_per_block;
	atomic_store(&mem->state, state);
	mem->online_type = HM_MMOP_OFFLINE;
	mem->nid = nid;
	/*
	 * linked under no node yet: a hot-added block under its node by
	 * register_memory_blocks_under_node_hotplug(), after every ADD of its
	 * hot-add; boot blocks by memory_dev_init().  (6.12's add_memory_block()
	 * leaves mem->nid NUMA_NO_NODE until then, memory_block_add_nid(); the
	 * engine keeps the node it was added for, which its zone rules read.)
	 */
	mem->nodes = 0;
	mem->altmap = altmap;
	mem->group = group;
	mem->early = early;
	ret = add_memory_block(hm, mem);
	if (ret) {
		hm_free(hm, mem, sizeof(*mem));
		return ret;
	}
	if (out)
		*out = mem;
	return 0;
}

static void remove_memory_block(struct hotmem *hm, unsigned long id)
{
	struct memory_block *mem;

	pthread_rwlock_wrlock(&hm->blocks_lock);
	mem = hm_xa_load(&hm->memory_blocks, id);
	if (mem)
		hm_xa_erase(hm, &hm->memory_blocks, id);
	pthread_rwlock_unlock(&hm->blocks_lock);
	if (!mem)
		return;
	/* clear_hwpoisoned_pages(): the memory goes, its poison with it */
	atomic_fetch_sub(&hm->num_poisoned_pages, (long)mem->nr_hwpoison);
	hm_uevent(hm, HM_KOBJ_REMOVE, id);
	hm_free(hm, mem, sizeof(*mem));
}

/* early_node_zone_for_memory_block(): @nid's one zone in the block, or NULL when it spans more */
static struct zone *early_node_zone_for_memory_block(struct hotmem *hm,
						     struct memory_block *mem, int nid)
{
	unsigned long start_pfn = section_nr_to_pfn(mem->start_section_nr);
	struct pglist_data *pgdat = NODE_DATA(hm, nid);
	struct zone *matching = NULL;

	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *z = &pgdat->node_zones[zid];

		if (!zone_intersects(z, start_pfn, pages_per_block(hm)))
			continue;
		if (matching)
			return NULL;
		matching = z;
	}
	return matching;
}

/*
 * memory_block_add_nid() (drivers/base/memory.c, 6.12), MEMINIT_EARLY:
 * the first node decides the zone; a second, different node makes it
 * NULL (valid_zones "none", offline -EINVAL).  The block's nid is the
 * last node registered: a block spanning nodes shows only that one.
 */
static void memory_block_add_nid_early(struct hotmem *hm, struct memory_block *mem, int nid)
{
	if (mem->nid != nid)
		set_block_zone(mem, mem->nid == NUMA_NO_NODE ?
					    early_node_zone_for_memory_block(hm, mem, nid) : NULL);
	mem->nid = nid;
}

/* the nodes with boot memory in section @nr: bit N for nodeN */
static uint64_t boot_section_nodes(struct hotmem *hm, unsigned long nr)
{
	const uint64_t start = PFN_PHYS(section_nr_to_pfn(nr));
	const uint64_t end = start + PFN_PHYS(PAGES_PER_SECTION);
	uint64_t nodes = 0;

	for (int i = 0; i < hm->cfg.nr_boot_ranges; i++) {
		const struct hm_boot_range *r = &hm->cfg.boot[i];

		if (r->start < end && r->end > start)
			nodes |= 1ULL << r->nid;
	}
	return nodes;
}

/*
 * add_boot_memory_block() for every block with a present section, then
 * node_dev_init()'s register_one_node() for each node in ascending order,
 * whose register_memory_blocks_under_node(MEMINIT_EARLY) registers a
 * block under every node one of its pfns belongs to
 * (register_mem_block_under_node_early(), drivers/base/node.c, 6.12): a
 * block spanning two nodes is linked under both, its nid the higher.
 * A pfn's node is its memblock range's; a hole registers under no node
 * (the kernel's early_pfn_to_nid() would say first_online_node).
 */
int memory_dev_init(struct hotmem *hm)
{
	unsigned long nr;
	int ret;

	ret = hm_xa_init(hm, &hm->memory_blocks, hm->max_pfn / pages_per_block(hm));
	if (ret)
		return ret;
	for (nr = 0; nr < nr_mem_sections(hm); nr += hm->sections_per_block) {
		struct memory_block *mem = NULL;
		uint64_t nodes = 0;
		bool present = false;

		/* pfn_in_present_section(): the nodes of the sections that are there */
		for (unsigned long s = nr; s < nr + hm->sections_per_block; s++) {
			struct mem_section *ms = __nr_to_section(hm, s);

			if (present_section(ms) && valid_section(ms)) {
				present = true;
				nodes |= boot_section_nodes(hm, s);
			}
		}
		if (!present)
			continue;
		ret = init_memory_block(hm, memory_block_id(hm, nr), NUMA_NO_NODE, HM_MEM_ONLINE,
					NULL, -1, true, &mem);
		if (ret)
			return ret;
		for (int nid = 0; nid < HM_MAX_NUMNODES; nid++)
			if (nodes & (1ULL << nid))
				memory_block_add_nid_early(hm, mem, nid);
		mem->nodes = nodes;
	}
	return 0;
}

void memory_dev_exit(struct hotmem *hm)
{
	unsigned long id = 0;

	while (!hm_xa_find(&hm->memory_blocks, &id)) {
		struct memory_block *mem = hm_xa_load(&hm->memory_blocks, id);

		hm_free(hm, mem->altmap, sizeof(*mem->altmap));
		hm_free(hm, mem, sizeof(*mem));
		hm_xa_erase(hm, &hm->memory_blocks, id);
		id++;
	}
	hm_xa_destroy(hm, &hm->memory_blocks);
}

int create_memory_block_devices(struct hotmem *hm, unsigned long start,
				unsigned long size, int nid, struct vmem_altmap *altmap,
				int group)
{
	const unsigned long first = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(start)));
	const unsigned long end = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(start + size)));
	unsigned long id;
	int ret = 0;
	/* 6.12 has no node argument here: nid -1; extra the block's vmemmap pages */
	HM_TRACE_FN(hm, create_memory_block_devices, &ret, PHYS_PFN(start), PHYS_PFN(size), -1, -1,
		    altmap ? (long)altmap->free : 0);

	for (id = first; id < end; id++) {
		ret = init_memory_block(hm, id, nid, HM_MEM_OFFLINE, altmap, group, false, NULL);
		if (ret)
			break;
		hm_uevent(hm, HM_KOBJ_ADD, id);
	}
	if (ret) {
		while (id-- > first)
			remove_memory_block(hm, id);
	}
	return ret;
}

/*
 * register_memory_blocks_under_node_hotplug() (drivers/base/node.c; 6.12
 * names it register_memory_blocks_under_node(..., MEMINIT_HOTPLUG)):
 * add_memory_resource() links the new blocks of [start, start + size)
 * under node @nid only after create_memory_block_devices() sent every
 * block's ADD and __register_one_node() registered a new node -- an agent
 * reading memoryN/ at its ADD may find no nodeK link yet.  Each block's
 * links in ascending order (register_mem_block_under_node_hotplug()),
 * told once for the range (HM_EV_LINK).
 */
void register_memory_blocks_under_node_hotplug(struct hotmem *hm, int nid, uint64_t start,
					       uint64_t size)
{
	const unsigned long first = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(start)));
	const unsigned long end = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(start + size)));

	pthread_rwlock_wrlock(&hm->blocks_lock);
	for (unsigned long id = first; id < end; id++) {
		struct memory_block *mem = hm_xa_load(&hm->memory_blocks, id);

		if (mem)
			mem->nodes |= 1ULL << nid;
	}
	pthread_rwlock_unlock(&hm->blocks_lock);
	hm_link_event(hm, nid, PHYS_PFN(start), PHYS_PFN(size));
}

/*
 * unregister_memory_block_under_nodes() (drivers/base/node.c, 6.12): a
 * block's node links go before the block does, its REMOVE after them
 */
static void unregister_memory_block_under_nodes(struct hotmem *hm, unsigned long id)
{
	struct memory_block *mem;

	pthread_rwlock_wrlock(&hm->blocks_lock);
	mem = hm_xa_load(&hm->memory_blocks, id);
	if (mem)
		mem->nodes = 0;
	pthread_rwlock_unlock(&hm->blocks_lock);
}

/*
 * remove_memory_blocks_and_altmaps()'s "mem->altmap = NULL" (6.12), under
 * blocks_lock for writing: hotmem_block_info() reads the altmap holding
 * it for reading, without device_hotplug_lock (a stat of memoryN/ beside
 * the removal: a data race, TSan, test_hotplug's
 * block_info_beside_the_removal_of_its_altmap).  The altmap itself is
 * freed only once the block has left the table.
 */
struct vmem_altmap *memory_block_take_altmap(struct hotmem *hm, struct memory_block *mem)
{
	struct vmem_altmap *altmap;

	pthread_rwlock_wrlock(&hm->blocks_lock);
	altmap = mem->altmap;
	mem->altmap = NULL;
	pthread_rwlock_unlock(&hm->blocks_lock);
	return altmap;
}

void remove_memory_block_devices(struct hotmem *hm, unsigned long start,
				 unsigned long size)
{
	const unsigned long first = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(start)));
	const unsigned long end = memory_block_id(hm, pfn_to_section_nr(PHYS_PFN(start + size)));

	for (unsigned long id = first; id < end; id++) {
		unregister_memory_block_under_nodes(hm, id);
		remove_memory_block(hm, id);
	}
}

/* ------------------------------------------------------------------ */
/* online / offline of one block                                       */
/* ------------------------------------------------------------------ */

/*
 * An explain that loaded the block's state before its last offline may
 * still be reading its struct pages (explain.c takes no hotplug lock: a
 * reader never waits for a looping offline); the memmap init that
 * follows would write them under it -- in the kernel a pfn walker's
 * racy read, tolerated (pfn_to_online_page() "can race with memory
 * offlining"), here a data race (TSan, test_online's
 * refusal_never_read_by_explain, 2026-12-01).  Its walk is bounded: the
 * online waits it out, which gives the walk's reads a happens-before to
 * the writes (the walker's decrement, seq_cst, against this load).  A
 * walker counts itself before it loads the state (explain_block()), so
 * one that comes now sees the block offline and reads no page of it.
 */
static void memory_block_wait_walkers(struct memory_block *mem)
{
	while (atomic_load(&mem->walkers))
		sched_yield();
}

/*
 * A lock-free walker of @mem's struct pages (explain) counts itself, then
 * loads the block's state, both seq_cst and in this order: an online
 * either sees it counted and waits it out (memory_block_wait_walkers()),
 * or missed it, and then the state it loads is the block's offline (or
 * later), by which it reads no page the online writes.  The one path for
 * any such walker, so that the order is kept.
 */
int memory_block_walk_begin(struct memory_block *mem)
{
	atomic_fetch_add(&mem->walkers, 1);
	return atomic_load(&mem->state);
}

void memory_block_walk_end(struct memory_block *mem)
{
	atomic_fetch_sub(&mem->walkers, 1);
}

int memory_block_online(struct hotmem *hm, struct memory_block *mem)
{
	unsigned long start_pfn = section_nr_to_pfn(mem->start_section_nr);
	unsigned long nr_pages = pages_per_block(hm), nr_vmemmap_pages = 0;
	struct memory_group *group = memory_group_find_by_id(hm, mem->group);
	const char *rule = NULL;
	struct zone *zone;
	int ret = 0;
	HM_TRACE_FN(hm, memory_block_online, &ret, start_pfn, nr_pages, mem->nid, -1, 0);

	/* memblk_nr_poison(): retired pages stay retired */
	if (mem->nr_hwpoison)
		return ret = -EHWPOISON;
	zone = zone_for_pfn_range(hm, mem->online_type, mem->nid, group, start_pfn, nr_pages,
				  &rule);
	/* explain and hotmem_block_info() read them without device_hotplug_lock */
	__atomic_store_n(&mem->zone_rule_type, mem->online_type, __ATOMIC_RELAXED);
	__atomic_store_n(&mem->zone_rule, rule, __ATOMIC_RELEASE);
	hm_trace_scope.zid = zone_idx(zone);
	if (mem->altmap)
		nr_vmemmap_pages = mem->altmap->free;

	ret = memory_notify(hm, HM_MEM_PREPARE_ONLINE, start_pfn + nr_vmemmap_pages,
			    nr_pages - nr_vmemmap_pages);
	if (ret)
		return ret;
	mem_hotplug_begin(hm);
	memory_block_wait_walkers(mem);
	if (nr_vmemmap_pages) {
		ret = mhp_init_memmap_on_memory(hm, start_pfn, nr_vmemmap_pages, zone);
		if (ret)
			goto out;
	}
	ret = online_pages(hm, start_pfn + nr_vmemmap_pages, nr_pages - nr_vmemmap_pages,
			   zone, group);
	if (ret) {
		if (nr_vmemmap_pages)
			mhp_deinit_memmap_on_memory(hm, start_pfn, nr_vmemmap_pages);
		goto out;
	}
	/* the memmap's own pages are present, never managed */
	if (nr_vmemmap_pages)
		adjust_present_page_count(hm, pfn_to_page(hm, start_pfn), group,
					  (long)nr_vmemmap_pages);
	set_block_zone(mem, zone);
out:
	mem_hotplug_done(hm);
	if (ret)
		memory_notify(hm, HM_MEM_FINISH_OFFLINE, start_pfn + nr_vmemmap_pages,
			      nr_pages - nr_vmemmap_pages);
	return ret;
}

/*
 * Where to look after a failed offline.  The engine knows not which front
 * end runs it: both ways to its explain.  A memory notifier's refusal has
 * nothing in the way to explain: the notifier is named, and an injected
 * error (notifier-error-inject) with how to clear it (usereye3 #37).
 */
static void offline_failed_hint(struct hotmem *hm, struct memory_block *mem, int ret)
{
	int inject;

	if (__atomic_load_n(&mem->offline_cause, __ATOMIC_RELAXED) == HM_OFFLINE_CAUSE_NOTIFIER) {
		inject = hotmem_get_notifier_error(hm, HM_MEM_GOING_OFFLINE);
		if (inject)
			pr_debug(hm, "hotmem: memory%lu: offline failed (%d): a memory notifier refused it: notifier-error-inject MEM_GOING_OFFLINE is %d; `hotmemctl inject MEM_GOING_OFFLINE 0` clears it (`inject MEM_GOING_OFFLINE 0` in a hotmem script)",
				 mem->id, ret, inject);
		else
			pr_debug(hm, "hotmem: memory%lu: offline failed (%d): a memory notifier refused it (a driver's MEM_GOING_OFFLINE callback)",
				 mem->id, ret);
	} else if (ret == -EINTR && offline_pages_untried()) {
		/*
		 * the signal was there before a page was tried (an eject
		 * ended at hotmemfs's 40 s bound, a stop): nothing in its way
		 * to explain (usereye10 U7)
		 */
		pr_debug(hm, "hotmem: memory%lu: offline failed (EINTR): interrupted before it tried a page (the signal was pending as it began: an eject ended at its bound, a stop, a timeout): not tried, nothing in its way",
			 mem->id);
	} else if (ret == -EBUSY || ret == -EINTR) {
		pr_debug(hm, "hotmem: memory%lu: offline failed (%s): its explain sums up what is in the way by owner (`hotmemctl explain %lu`, `--all` lists every page; `explain %lu` in a hotmem script)",
			 mem->id, ret == -EBUSY ? "EBUSY" : "EINTR", mem->id, mem->id);
	}
}

int memory_block_offline(struct hotmem *hm, struct memory_block *mem)
{
	unsigned long start_pfn = section_nr_to_pfn(mem->start_section_nr);
	unsigned long nr_pages = pages_per_block(hm), nr_vmemmap_pages = 0;
	struct memory_group *group = memory_group_find_by_id(hm, mem->group);
	struct zone *zone = block_zone(mem);
	enum hm_offline_cause cause;
	int ret = 0;
	HM_TRACE_FN(hm, memory_block_offline, &ret, start_pfn, nr_pages, mem->nid,
		    zone ? zone_idx(zone) : -1, 0);

	/* a block spanning zones (memory0) cannot go offline */
	if (!zone)
		return ret = -EINVAL;
	if (mem->altmap)
		nr_vmemmap_pages = mem->altmap->free;

	mem_hotplug_begin(hm);
	if (nr_vmemmap_pages)
		adjust_present_page_count(hm, pfn_to_page(hm, start_pfn), group,
					  -(long)nr_vmemmap_pages);
	ret = offline_pages(hm, start_pfn + nr_vmemmap_pages, nr_pages - nr_vmemmap_pages,
			    zone, group, &cause);
	__atomic_store_n(&mem->offline_cause, cause, __ATOMIC_RELEASE);
	offline_failed_hint(hm, mem, ret);
	if (ret) {
		if (nr_vmemmap_pages)
			adjust_present_page_count(hm, pfn_to_page(hm, start_pfn), group,
						  (long)nr_vmemmap_pages);
		goto out;
	}
	if (nr_vmemmap_pages)
		mhp_deinit_memmap_on_memory(hm, start_pfn, nr_vmemmap_pages);
	set_block_zone(mem, NULL);
out:
	mem_hotplug_done(hm);
	if (!ret)
		memory_notify(hm, HM_MEM_FINISH_OFFLINE, start_pfn + nr_vmemmap_pages,
			      nr_pages - nr_vmemmap_pages);
	return ret;
}

/* memory_block_change_state(): "going-offline" is visible while it runs */
static int memory_block_change_state(struct hotmem *hm, struct memory_block *mem,
				     int to_state, int from_state_req)
{
	int ret;

	if (atomic_load(&mem->state) != from_state_req)
		return -EINVAL;
	if (to_state == HM_MEM_OFFLINE)
		atomic_store(&mem->state, HM_MEM_GOING_OFFLINE);
	ret = to_state == HM_MEM_ONLINE ? memory_block_online(hm, mem) :
					  memory_block_offline(hm, mem);
	atomic_store(&mem->state, ret ? from_state_req : to_state);
	return ret;
}

static int memory_subsys_online(struct hotmem *hm, struct memory_block *mem)
{
	int ret;

	if (atomic_load(&mem->state) == HM_MEM_ONLINE)
		return 0;
	if (mem->online_type == HM_MMOP_OFFLINE)
		mem->online_type = HM_MMOP_ONLINE;
	ret = memory_block_change_state(hm, mem, HM_MEM_ONLINE, HM_MEM_OFFLINE);
	mem->online_type = HM_MMOP_OFFLINE;
	return ret;
}

static int memory_subsys_offline(struct hotmem *hm, struct memory_block *mem)
{
	if (atomic_load(&mem->state) == HM_MEM_OFFLINE)
		return 0;
	return memory_block_change_state(hm, mem, HM_MEM_OFFLINE, HM_MEM_ONLINE);
}

/* device_online(): 1 when already online (the caller decides what that means) */
int device_online(struct hotmem *hm, struct memory_block *mem)
{
	int ret;

	if (atomic_load(&mem->state) != HM_MEM_OFFLINE)
		return 1;
	ret = memory_subsys_online(hm, mem);
	if (!ret)
		hm_uevent(hm, HM_KOBJ_ONLINE, mem->id);
	return ret;
}

int device_offline(struct hotmem *hm, struct memory_block *mem)
{
	int ret;

	if (atomic_load(&mem->state) == HM_MEM_OFFLINE)
		return 1;
	ret = memory_subsys_offline(hm, mem);
	if (!ret)
		hm_uevent(hm, HM_KOBJ_OFFLINE, mem->id);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the sysfs semantics, as public API                                  */
/* ------------------------------------------------------------------ */

/* the names and their parser are the user ABI's (engine/uapi) */
_Static_assert((int)HM_MMOP_OFFLINE == (int)HMU_MMOP_OFFLINE &&
		       (int)HM_MMOP_ONLINE_MOVABLE == (int)HMU_MMOP_ONLINE_MOVABLE,
	       "MMOP_* as include/linux/memory_hotplug.h");

const char *hotmem_online_type_name(int online_type)
{
	return hmu_online_type_name(online_type);
}

int hotmem_online_type_from_str(const char *buf, size_t len)
{
	/* one byte more than the longest name and its '\n': that matches none */
	char s[sizeof("online_movable\n") + 1];

	if (len > sizeof(s) - 1)
		len = sizeof(s) - 1;
	memcpy(s, buf, len);
	s[len] = '\0';
	return hmu_online_type_from_str(s);
}

const char *hotmem_state_name(int state)
{
	switch (state) {
	case HM_MEM_ONLINE:
		return "online";
	case HM_MEM_OFFLINE:
		return "offline";
	case HM_MEM_GOING_OFFLINE:
		return "going-offline";
	default:
		return "ERROR-UNKNOWN";
	}
}

static int block_set_state_locked(struct hotmem *hm, unsigned long id, int online_type)
{
	struct memory_block *mem = find_memory_block_by_id(hm, id);
	int ret;

	if (!mem)
		return -ENODEV;
	if (online_type == HM_MMOP_OFFLINE) {
		ret = device_offline(hm, mem);
	} else {
		mem->online_type = online_type;
		ret = device_online(hm, mem);
	}
	/* state_store(): "already in that state" is -EINVAL */
	return ret > 0 ? -EINVAL : ret;
}

int hotmem_block_set_state_task(struct hotmem *hm, unsigned long id, int online_type,
				const struct hotmem_task *task)
{
	int ret;

	if (online_type < HM_MMOP_OFFLINE || online_type > HM_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	lock_device_hotplug(hm);
	hm->current_task = task;
	kmem_tick(hm);
	ret = block_set_state_locked(hm, id, online_type);
	hm->current_task = NULL;
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_block_set_state(struct hotmem *hm, unsigned long id, int online_type)
{
	return hotmem_block_set_state_task(hm, id, online_type, NULL);
}

/* does onlining @mem by @online_type put it in @zid?  (no side effects) */
static bool restore_type_gives_zone(struct hotmem *hm, struct memory_block *mem,
				    int online_type, int zid)
{
	struct zone *zone;

	if (online_type == HM_MMOP_OFFLINE)
		return false;
	zone = zone_for_pfn_range(hm, online_type, mem->nid,
				  memory_group_find_by_id(hm, mem->group),
				  section_nr_to_pfn(mem->start_section_nr), pages_per_block(hm), NULL);
	return zone && zone_idx(zone) == zid;
}

/*
 * The type that onlines @mem into @zid: @online_type when it does, else
 * the one that names the zone; -EINVAL when neither does.  The fallback is
 * checked too: online_kernel gives the block's default kernel zone, which
 * is not @zid when @zid is ZONE_DEVICE, or DMA32 for a block above 4 GiB.
 * Such a restore is refused rather than reporting success with the block
 * elsewhere (review reread19-engine E2).
 */
static int restore_online_type(struct hotmem *hm, struct memory_block *mem,
			       int online_type, int zid)
{
	if (!restore_type_gives_zone(hm, mem, online_type, zid))
		online_type = zid == ZONE_MOVABLE ? HM_MMOP_ONLINE_MOVABLE :
						    HM_MMOP_ONLINE_KERNEL;
	return restore_type_gives_zone(hm, mem, online_type, zid) ? online_type : -EINVAL;
}

/*
 * A restore's online (a front end's saved machine put back): as the block
 * was onlined (@online_type, hm_block_info.online_type when saved) when
 * that puts it in @zid again, so that it reads as it did (explain's zone
 * rule: a block onlined by `online` read `online_kernel: ...` after a
 * restart, which onlined it by its zone); else into @zid by the type that
 * names it (online_movable, online_kernel).
 */
/*
 * A zone it cannot be put in is a refused argument, not an operation:
 * checked before kmem_tick(), so nothing changed, the kernel's
 * allocations included (review reread21 H3).  The tick only allocates and
 * frees in online memory: no zone's span, so not the type found, moves.
 */
int hotmem_block_restore_online(struct hotmem *hm, unsigned long id, int online_type, int zid)
{
	struct memory_block *mem;
	int ret;

	if (online_type < HM_MMOP_OFFLINE || online_type > HM_MMOP_ONLINE_MOVABLE ||
	    zid < 0 || zid >= MAX_NR_ZONES)
		return -EINVAL;
	lock_device_hotplug(hm);
	mem = find_memory_block_by_id(hm, id);
	ret = mem ? restore_online_type(hm, mem, online_type, zid) : -ENODEV;
	if (ret >= 0) {
		online_type = ret;
		kmem_tick(hm);
		ret = block_set_state_locked(hm, id, online_type);
	}
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_block_set_online_task(struct hotmem *hm, unsigned long id, bool online,
				 const struct hotmem_task *task)
{
	struct memory_block *mem;
	int ret;

	lock_device_hotplug(hm);
	hm->current_task = task;
	kmem_tick(hm);
	mem = find_memory_block_by_id(hm, id);
	if (!mem)
		ret = -ENODEV;
	else
		ret = online ? device_online(hm, mem) : device_offline(hm, mem);
	hm->current_task = NULL;
	unlock_device_hotplug(hm);
	/* online_store(): same state is success */
	return ret < 0 ? ret : 0;
}

int hotmem_block_set_online(struct hotmem *hm, unsigned long id, bool online)
{
	return hotmem_block_set_online_task(hm, id, online, NULL);
}

/*
 * Onlining many blocks: a second thread faults in (or, for a self-hosted
 * memmap with holes, copies in what the online writes) the memmap of the
 * blocks ahead while this one initialises (the deferred-init idea of seed
 * 004, across blocks).  Whoever claims a block first faults it in; the
 * onlining thread waits only for a block the other is still faulting.
 * The device hotplug lock is held for the whole batch, so no block can go
 * away under the prefetcher.  The prefetcher is one of the init_threads:
 * memmap init runs on the others (hm->init_threads_lent).
 */
enum { PF_FREE, PF_CLAIMED, PF_DONE };

struct online_prefetch {
	struct hotmem *hm;
	unsigned long first, nr;
	_Atomic unsigned char *state;
	_Atomic bool stop;
};

static bool prefetch_claim(struct online_prefetch *pf, unsigned long i)
{
	unsigned char expect = PF_FREE;

	return atomic_compare_exchange_strong(&pf->state[i], &expect, PF_CLAIMED);
}

/*
 * @mem's memmap made ready ahead of its online, by the batch's second
 * init thread (hotmem_online_blocks()): faulted in (prefault_memmap()),
 * or where it is self-hosted with holes, the pages its first online
 * writes copied in with what their holes stand for
 * (vmemmap_holes_prefill(): the memmap's own struct pages are its
 * altmap's first pfns).
 */
void memory_block_prefetch(struct hotmem *hm, struct memory_block *mem)
{
	const unsigned long spfn = section_nr_to_pfn(mem->start_section_nr);

	if (mem->altmap && vmemmap_has_holes(__pfn_to_section(hm, spfn)))
		vmemmap_holes_prefill(hm, spfn, pages_per_block(hm), mem->altmap->free);
	prefault_memmap(hm, spfn, pages_per_block(hm));
}

static void prefetch_block(struct online_prefetch *pf, unsigned long i)
{
	struct memory_block *mem = find_memory_block_by_id(pf->hm, pf->first + i);

	if (mem && atomic_load(&mem->state) == HM_MEM_OFFLINE) {
		memory_block_prefetch(pf->hm, mem);
		atomic_fetch_add(&pf->hm->init_prefetched, 1);
	}
	atomic_store(&pf->state[i], PF_DONE);
}

static void *online_prefetch_worker(void *arg)
{
	struct online_prefetch *pf = arg;

	/* a callback it runs must not wait for an online of the batch (get_online_mems()) */
	mem_hotplug_helper_begin();
	for (unsigned long i = 1; i < pf->nr && !atomic_load(&pf->stop); i++)
		if (prefetch_claim(pf, i))
			prefetch_block(pf, i);
	mem_hotplug_helper_end();
	return NULL;
}

/*
 * Block @i must be faulted in before it is onlined.  While the prefetcher
 * is still at it, fault in blocks further ahead instead of waiting, so
 * that both threads fault all the time (waiting here left one thread
 * faulting every block and capped two threads at ~1.2x one).
 */
static void prefetch_wait(struct online_prefetch *pf, unsigned long i)
{
	unsigned long j = i + 1;

	if (prefetch_claim(pf, i))
		prefetch_block(pf, i);
	while (atomic_load(&pf->state[i]) != PF_DONE) {
		while (j < pf->nr && !prefetch_claim(pf, j))
			j++;
		if (j < pf->nr)
			prefetch_block(pf, j++);
		else
			sched_yield();
	}
}

/*
 * Whether a batch of onlines gives one of its init threads to the
 * prefetcher: blocks of fewer sections than threads (memmap init cannot
 * use them all), or blocks whose self-hosted memmaps have holes -- there
 * the copies the prefetcher makes ahead are most of an online's cost, and
 * the online writes them in place (64 x 1 GiB on two threads: 1.04-1.09
 * times one thread with both on memmap init, 1.60-1.69 with one on each;
 * docs/engine.md "Two init threads").  The first
 * offline block of the batch stands for the rest.  device_hotplug_lock held.
 */
static bool online_wants_prefetch(struct hotmem *hm, unsigned long first, unsigned long nr,
				  int online_type)
{
	if (hm->cfg.init_threads < 2 || nr < 2 || online_type == HM_MMOP_OFFLINE)
		return false;
	if (hm->cfg.init_threads > hm->sections_per_block)
		return true;
	for (unsigned long i = 0; i < nr; i++) {
		struct memory_block *mem = find_memory_block_by_id(hm, first + i);

		if (mem && atomic_load(&mem->state) == HM_MEM_OFFLINE)
			return mem->altmap &&
			       vmemmap_has_holes(__nr_to_section(hm, mem->start_section_nr));
	}
	return false;
}

int hotmem_online_blocks(struct hotmem *hm, unsigned long first, unsigned long nr,
			 int online_type)
{
	struct online_prefetch pf = { hm, first, nr, NULL, false };
	pthread_t thread;
	int ret = 0;

	if (online_type < HM_MMOP_OFFLINE || online_type > HM_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	lock_device_hotplug(hm);
	if (online_wants_prefetch(hm, first, nr, online_type))
		pf.state = calloc(nr, sizeof(*pf.state));
	if (pf.state && pthread_create(&thread, NULL, online_prefetch_worker, &pf)) {
		free(pf.state);
		pf.state = NULL;
	}
	if (pf.state)
		atomic_store_explicit(&hm->init_threads_lent, 1, memory_order_relaxed);
	for (unsigned long i = 0; i < nr && !ret; i++) {
		unsigned long id = first + i;
		struct memory_block *mem;

		if (pf.state)
			prefetch_wait(&pf, i);
		mem = find_memory_block_by_id(hm, id);
		if (!mem)
			continue;
		ret = block_set_state_locked(hm, id, online_type);
		/* already in the asked-for state: not a failure here */
		if (ret == -EINVAL &&
		    (atomic_load(&mem->state) == HM_MEM_ONLINE) == (online_type != HM_MMOP_OFFLINE))
			ret = 0;
	}
	if (pf.state) {
		atomic_store(&pf.stop, true);
		pthread_join(thread, NULL);
		free(pf.state);
		atomic_store_explicit(&hm->init_threads_lent, 0, memory_order_relaxed);
	}
	unlock_device_hotplug(hm);
	return ret;
}

int hotmem_block_info(struct hotmem *hm, unsigned long id, struct hm_block_info *info)
{
	struct memory_block *mem;
	int ret = 0;

	pthread_rwlock_rdlock(&hm->blocks_lock);
	mem = hm_xa_load(&hm->memory_blocks, id);
	if (!mem) {
		ret = -ENOENT;
	} else {
		struct zone *zone = block_zone(mem);

		memset(info, 0, sizeof(*info));
		info->id = id;
		info->start = PFN_PHYS(section_nr_to_pfn(mem->start_section_nr));
		info->state = atomic_load(&mem->state);
		info->nid = mem->nid;
		info->nodes = mem->nodes;
		/* going-offline keeps its zone until the offline succeeds */
		info->zone = info->state != HM_MEM_OFFLINE && zone ? zone_idx(zone) : -1;
		info->group = mem->group;
		info->nr_vmemmap_pages = mem->altmap ? mem->altmap->free : 0;
		info->removable = true;
		info->boot = mem->early;
		info->nr_hwpoison = __atomic_load_n(&mem->nr_hwpoison, __ATOMIC_ACQUIRE);
		info->offline_cause = __atomic_load_n(&mem->offline_cause, __ATOMIC_ACQUIRE);
		info->online_type = info->state != HM_MEM_OFFLINE &&
				    __atomic_load_n(&mem->zone_rule, __ATOMIC_ACQUIRE) ?
				    __atomic_load_n(&mem->zone_rule_type, __ATOMIC_RELAXED) :
				    HM_MMOP_OFFLINE;
	}
	pthread_rwlock_unlock(&hm->blocks_lock);
	return ret;
}

int hotmem_block_next(struct hotmem *hm, unsigned long *id, bool first)
{
	unsigned long i = first ? 0 : *id + 1;
	int ret;

	pthread_rwlock_rdlock(&hm->blocks_lock);
	ret = hm_xa_find(&hm->memory_blocks, &i);
	pthread_rwlock_unlock(&hm->blocks_lock);
	if (!ret)
		*id = i;
	return ret;
}

unsigned long hotmem_nr_blocks(struct hotmem *hm)
{
	unsigned long n;

	pthread_rwlock_rdlock(&hm->blocks_lock);
	n = hm->memory_blocks.count;
	pthread_rwlock_unlock(&hm->blocks_lock);
	return n;
}

uint64_t hotmem_block_size(const struct hotmem *hm)
{
	return hm->cfg.block_size;
}

/* valid_zones_show() */
int hotmem_block_valid_zones(struct hotmem *hm, unsigned long id, char *buf, size_t len)
{
	struct memory_block *mem;
	struct memory_group *group;
	struct zone *def, *z;
	unsigned long start_pfn, nr_pages = pages_per_block(hm);
	int n = 0;

	pthread_rwlock_rdlock(&hm->blocks_lock);
	mem = hm_xa_load(&hm->memory_blocks, id);
	if (!mem) {
		pthread_rwlock_unlock(&hm->blocks_lock);
		return -ENOENT;
	}
	start_pfn = section_nr_to_pfn(mem->start_section_nr);
	if (atomic_load(&mem->state) == HM_MEM_ONLINE) {
		z = block_zone(mem);
		n = snprintf(buf, len, "%s\n", z ? z->name : "none");
		pthread_rwlock_unlock(&hm->blocks_lock);
		return n;
	}
	group = memory_group_find_by_id(hm, mem->group);
	pthread_rwlock_rdlock(&hm->span_lock);
	def = zone_for_pfn_range(hm, HM_MMOP_ONLINE, mem->nid, group, start_pfn, nr_pages, NULL);
	n = snprintf(buf, len, "%s", def->name);
	z = zone_for_pfn_range(hm, HM_MMOP_ONLINE_KERNEL, mem->nid, group, start_pfn, nr_pages, NULL);
	if (z != def)
		n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, " %s", z->name);
	z = zone_for_pfn_range(hm, HM_MMOP_ONLINE_MOVABLE, mem->nid, group, start_pfn, nr_pages, NULL);
	if (z != def)
		n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, " %s", z->name);
	n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, "\n");
	pthread_rwlock_unlock(&hm->span_lock);
	pthread_rwlock_unlock(&hm->blocks_lock);
	return n;
}
