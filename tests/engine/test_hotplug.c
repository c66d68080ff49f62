// SPDX-License-Identifier: GPL-2.0
/* Hot-add and remove: add_memory_resource() ... remove_memory() (seeds 001, 002). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include "../cmocka_skip.h"

#define DIMM 0x100000000ULL

static void test_add_creates_offline_blocks_with_add_uevents(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	struct ev_log log;

	(void)state;
	ev_log_attach(hm, &log);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_string_equal(log.buf, "add:32 add:33");
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	assert_string_equal(valid_zones(hm, 32), "Normal Movable\n");
	check(hm);
	hotmem_destroy(hm);
}

static void test_add_refuses_bad_ranges_with_kernel_errnos(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hm_snapshot before, after;

	(void)state;
	snapshot(hm, &before);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 4096, 128 * MiB, 0, -1), -EINVAL);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 64 * MiB, 0, -1), -EINVAL);
	/* 6.12 mhp_range_allowed(): start < end, before the block's check */
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 0, 0, -1), -E2BIG);
	assert_int_equal(hotmem_add_memory(hm, 5, DIMM, 128 * MiB, 0, -1), -EINVAL);
	assert_int_equal(hotmem_add_memory(hm, 0, 64 * GiB, 128 * MiB, 0, -1), -E2BIG);
	assert_int_equal(hotmem_add_memory(hm, 0, 0x20000000, 128 * MiB, 0, -1), -EEXIST);
	/*
	 * register_memory_resource() comes first in 6.12's __add_memory():
	 * a range off the memory block that is also past the pluggable range
	 * or busy is refused for that, not for its alignment
	 */
	assert_int_equal(hotmem_add_memory(hm, 0, 64 * GiB + 2 * MiB, 128 * MiB, 0, -1), -E2BIG);
	assert_int_equal(hotmem_add_memory(hm, 0, 0x20000000 + 2 * MiB, 64 * MiB, 0, -1), -EEXIST);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 256 * MiB, 0, -1), -EEXIST);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 130 * MiB, 128 * MiB, 0, -1), -EEXIST);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 256 * MiB), 0);
	snapshot(hm, &after);
	assert_same(&before, &after);
	check(hm);
	hotmem_destroy(hm);
}

static void test_memhp_default_state_onlines_new_blocks(void **state)
{
	struct hotmem *hm = boot("default", "memhp_default_state=online_movable");
	struct ev_log log;

	(void)state;
	ev_log_attach(hm, &log);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_string_equal(log.buf, "add:32 add:33 online:32 online:33");
	assert_int_equal(block_zone(hm, 33), HM_ZONE_MOVABLE);
	check(hm);
	hotmem_destroy(hm);
}

/* any offline block-aligned part of a device goes; an online block refuses */
static void test_remove_needs_every_block_of_the_range_offline(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	unsigned long free_before = memfree_kb(hm);

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	/* the memmap came out of boot memory: 2 x 2 MiB */
	assert_int_equal(free_before - memfree_kb(hm), 4096);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 256 * MiB), -EBUSY);
	assert_int_equal(hotmem_remove_memory(hm, DIMM + 128 * MiB, 128 * MiB), -EBUSY);
	assert_int_equal(hotmem_remove_memory(hm, DIMM + 64 * MiB, 128 * MiB), -EINVAL);
	assert_int_equal(hotmem_remove_memory(hm, DIMM + 256 * MiB, 128 * MiB), -EINVAL);
	/* the offline lower block alone */
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	assert_int_equal(block_state(hm, 32), -1);
	assert_int_equal(block_state(hm, 33), HM_MEM_ONLINE);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM + 128 * MiB, 128 * MiB), 0);
	assert_int_equal(memfree_kb(hm), free_before);
	assert_int_equal(block_state(hm, 33), -1);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A range across two adds: its online block is EBUSY first, as the
 * kernel's try_remove_memory() walks the blocks before anything else (it
 * was EINVAL, the resources looked up first: abuse24 A4); offline, the
 * refusal (EINVAL, not modelled: the kernel would leave a resource behind)
 * is said in the log.  Nothing changes either way.
 */
static void test_remove_across_two_adds_checks_blocks_first(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	static char log[1 << 16];
	struct hm_snapshot before, after;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 256 * MiB, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	snapshot(hm, &before);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 512 * MiB), -EBUSY);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "removing memory fails, because memory "
				    "[0x0000000100000000-0x0000000107ffffff] is onlined"));
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 512 * MiB), -EINVAL);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "removing memory [0x0000000100000000-0x000000011fffffff] fails: "
				    "across added ranges"));
	/* beyond them: not hot-added memory, said so */
	assert_int_equal(hotmem_remove_memory(hm, DIMM + 256 * MiB, 512 * MiB), -EINVAL);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "removing memory [0x0000000110000000-0x000000012fffffff] fails: "
				    "not all of it is hot-added memory"));
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	snapshot(hm, &after);
	assert_same(&before, &after);
	check(hm);
	hotmem_destroy(hm);
}

static void test_removed_dimm_gives_host_memory_back(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1");
	size_t before, online;

	(void)state;
	before = hotmem_ram_resident_bytes(hm);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 512 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, 32, 4, HM_MMOP_ONLINE_MOVABLE), 0);
	online = hotmem_ram_resident_bytes(hm);
	/* what the memmaps hold besides their template (vmemmap_holes.c) */
	assert_true(online >= before + 4 * 40 * 4096);
	assert_int_equal(hotmem_offline_and_remove_memory(hm, DIMM, 512 * MiB), 0);
	/* the template the memmaps' holes stood for stays */
	assert_true(hotmem_ram_resident_bytes(hm) <= before + 2 * MiB);
	check(hm);
	hotmem_destroy(hm);
}

/* the blocks checked, offlined, checked again */
static void offline_checked(struct hotmem *hm, unsigned long first, unsigned long nr)
{
	check(hm);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
	check(hm);
}

/* the DIMM of @nr blocks removed: the host has what it had, and a template at most */
static void remove_gives_host_memory_back(struct hotmem *hm, unsigned long nr, size_t before)
{
	assert_int_equal(hotmem_remove_memory(hm, DIMM, nr * 128 * MiB), 0);
	assert_true(hotmem_ram_resident_bytes(hm) <= before + 2 * MiB);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A free block's memmap from system RAM is its template shared
 * copy-on-write: the host backs the buddy heads' vmemmap pages (one in 16)
 * and one template, not 2 MiB a section; every struct page still reads
 * as written, online again after offline too.
 */
static void test_free_memmap_from_ram_costs_the_host_its_heads(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 16;
	size_t before, online;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	before = hotmem_ram_resident_bytes(hm);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
		online = hotmem_ram_resident_bytes(hm);
		/* written, it would be nr * 2 MiB */
		assert_true(online - before <= 2 * MiB + nr * 2 * MiB / 8);
		for (unsigned long pfn = DIMM >> 12; pfn < (DIMM + nr * 128 * MiB) >> 12; pfn += 4099) {
			struct page *page = pfn_to_page(hm, pfn);

			assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
			assert_int_equal(page_to_nid(page), 0);
			assert_int_equal(page->_refcount, 0);
		}
		offline_checked(hm, first, nr);
	}
	/* the shared memmaps go with the DIMM */
	remove_gives_host_memory_back(hm, nr, before);
}

/*
 * A self-hosted memmap's holes need a userfaultfd: without one (a seccomp
 * filter, an old kernel) the memmap is written whole and a test of the
 * holes has nothing to test -- said, and skipped (finalH 7)
 */
static void need_holes(struct hotmem *hm)
{
	if (hm->uffd >= 0)
		return;
	hotmem_destroy(hm);
	skip_why("no userfaultfd here (5.19+, or a seccomp filter): "
		 "self-hosted memmaps are written whole");
}

/*
 * A free block's self-hosted memmap (memmap_on_memory) costs the host the
 * vmemmap pages that differ from its template: the memmap's own 512
 * struct pages (8 vmemmap pages) and the 32 buddy heads; the rest stay
 * holes of the memfd (vmemmap_holes.c), 2 MiB a block when written.
 * Every struct page reads as written all the same, through the vmemmap
 * as through the direct map (seed 003), filled on first touch; an
 * offline and online again gives the filled pages back.
 */
static void test_free_self_hosted_memmap_costs_the_host_its_heads(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 16, spfn = DIMM >> 12;
	const unsigned long epfn = spfn + nr * (128 * MiB >> 12);
	size_t before, online;
	struct page *page;

	(void)state;
	need_holes(hm);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY,
					   -1), 0);
	before = hotmem_ram_resident_bytes(hm);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
		online = hotmem_ram_resident_bytes(hm);
		/*
		 * 40 vmemmap pages a block; written, nr * 2 MiB.  No template's
		 * 2 MiB: holes need only its struct page (physmem.c writes a
		 * template at its first mapping, by a memmap from RAM).
		 */
		assert_true(online - before <= nr * 48 * 4096);
		/* a hole touched fills the rest of its max-order block's memmap: 16 - 3 pages */
		page = pfn_to_page(hm, spfn + 5 * 32768 + (16 * 10 + 3) * 4096 / sizeof(*page));
		assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
		assert_int_equal(hotmem_ram_resident_bytes(hm) - online, 13 * 4096);
		for (unsigned long pfn = spfn; pfn < epfn; pfn += 4099) {
			bool self = (pfn & 32767) < 512;

			page = pfn_to_page(hm, pfn);
			assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
			assert_int_equal(page_to_nid(page), 0);
			assert_int_equal(page->_refcount, self ? 1 : 0);
			assert_int_equal(PageVmemmapSelfHosted(page), self);
		}
		offline_checked(hm, first, nr);
	}
	/* the direct map of a memmap page shows what the vmemmap does (it ends the holes) */
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	page = pfn_to_page(hm, spfn + 4 * 32768 + 20000);
	assert_memory_equal(hotmem_phys_to_virt(hm, DIMM + 4 * 128 * MiB +
						(20000 * sizeof(struct page) & ~4095UL)),
			    (void *)((uintptr_t)page & ~4095UL), 4096);
	offline_checked(hm, first, nr);
	remove_gives_host_memory_back(hm, nr, before);
}

/* what vmemmap_holes_prefill() says of each section of the block at @spfn */
static void assert_prefilled(struct hotmem *hm, unsigned long spfn, uint64_t block, bool prefilled)
{
	for (unsigned long pfn = spfn; pfn < spfn + (block >> 12); pfn += 32768)
		assert_int_equal(!!(__atomic_load_n(&hm->hole_prefill[pfn_to_section_nr(pfn)],
						    __ATOMIC_SEQ_CST) & HOLES_PREFILLED), prefilled);
}

/* every struct page of @nr blocks of @block bytes from DIMM reads as an online left it */
static void assert_online_memmap(struct hotmem *hm, uint64_t block, unsigned long nr)
{
	const unsigned long spfn = DIMM >> 12, per = block >> 12;
	const unsigned long own = memory_block_memmap_on_memory_pages(hm);

	for (unsigned long pfn = spfn; pfn < spfn + nr * per; pfn += 4099) {
		const struct page *page = pfn_to_page(hm, pfn);
		const bool self = (pfn - spfn) % per < own;

		assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
		assert_int_equal(page_to_nid(page), 0);
		assert_int_equal(page->_refcount, self ? 1 : 0);
		assert_int_equal(PageVmemmapSelfHosted(page), self);
	}
}

/*
 * A batch of first onlines of fresh self-hosted memmaps on two init
 * threads: the second copies in ahead what each online writes (the
 * memmap's own struct pages, the buddy heads: vmemmap_holes_prefill(),
 * from memory_block_prefetch()), and the online writes those pages in place
 * and punches nothing.  Every struct page reads as the online left it,
 * buddy lists and counters agree (check()), the host holds no more than
 * the usual copies, and the online after an offline goes the usual way.
 * Blocks of one section and of eight.
 */
/* @nr blocks of @block bytes at DIMM, self-hosted memmaps with holes, offline */
static struct hotmem *self_hosted_blocks(uint64_t block, unsigned long nr, unsigned int threads)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	hotmem_config_builtin(&cfg, "default");
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memory_hotplug.memmap_on_memory=1 "
						     IDLE_KERNEL, err, sizeof(err)), 0);
	cfg.block_size = block;
	cfg.init_threads = threads;
	if (cfg.maxmem < DIMM + nr * block)
		cfg.maxmem = DIMM + nr * block;
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), 0);
	need_holes(hm);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * block, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	return hm;
}

static void prefilled_batch(uint64_t block)
{
	const unsigned long nr = 4, first = DIMM / block, spfn = DIMM >> 12;
	struct hotmem *hm = self_hosted_blocks(block, nr, 2);
	size_t before;

	before = hotmem_ram_resident_bytes(hm);
	/* what the batch's second thread does for each block, here for the second one */
	assert_prefilled(hm, spfn + (block >> 12), block, false);
	memory_block_prefetch(hm, find_memory_block_by_id(hm, first + 1));
	assert_prefilled(hm, spfn + (block >> 12), block, true);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	for (unsigned long b = 0; b < nr; b++)
		assert_prefilled(hm, spfn + b * (block >> 12), block, false);
	/* 40 vmemmap pages a 128 MiB section (the 1 GiB block's first: 64 + 28) */
	assert_true(hotmem_ram_resident_bytes(hm) - before <=
		    nr * (block >> 27) * 96 * 4096);
	assert_online_memmap(hm, block, nr);
	offline_checked(hm, first, nr);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_online_memmap(hm, block, nr);
	offline_checked(hm, first, nr);
	hotmem_destroy(hm);
}

static void test_prefilled_first_onlines_of_128m_blocks(void **state)
{
	(void)state;
	prefilled_batch(128 * MiB);
}

static void test_prefilled_first_onlines_of_1g_blocks(void **state)
{
	(void)state;
	prefilled_batch(1 * GiB);
}

/*
 * A batch of 1 GiB blocks (8 sections) with holes in their self-hosted
 * memmaps gives one of its init threads to the prefetcher, which copies
 * in ahead what each online writes (most of its cost), and memmap init
 * runs on the rest.  Checked by counts, not times: with init_threads=2
 * every block is prefetched and each online's memmap init of its eight
 * sections is one chunk (a batch that lent no thread would split it in
 * two); one thread: no prefetcher; three: the prefetcher, and memmap
 * init in two chunks.
 */
static void batch_threads(unsigned int threads, unsigned long prefetched, unsigned long chunks)
{
	const unsigned long nr = 4, first = DIMM / GiB;
	struct hotmem *hm = self_hosted_blocks(1 * GiB, nr, threads);

	/* the boot's memmap init's */
	atomic_store(&hm->init_chunks, 0);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(atomic_load(&hm->init_prefetched), prefetched);
	assert_int_equal(atomic_load(&hm->init_chunks), chunks);
	assert_int_equal(atomic_load(&hm->init_threads_lent), 0);
	assert_online_memmap(hm, 1 * GiB, nr);
	check(hm);
	hotmem_destroy(hm);
}

static void test_batch_of_1g_blocks_lends_a_thread_to_its_prefetcher(void **state)
{
	(void)state;
	/*
	 * blocks prefetched, memmap init chunks: an online inits its own
	 * struct pages' (the altmap's, part of a section: one chunk) and the
	 * rest's (eight sections: one chunk a thread)
	 */
	batch_threads(2, 4, 4 * (1 + 1));
	batch_threads(1, 0, 4 * (1 + 1));
	batch_threads(3, 4, 4 * (1 + 2));
}

/*
 * The vmemmap pages of @pfn's section in the memfd (mincore(): the page
 * cache, no fault), in @there; how many
 */
static unsigned long memmap_pages_there(struct hotmem *hm, unsigned long pfn,
					unsigned char there[SECTION_MEMMAP_PAGES])
{
	unsigned long n = 0;

	assert_int_equal(mincore((void *)pfn_to_page(hm, pfn), SECTION_MEMMAP_SIZE, there), 0);
	for (unsigned long i = 0; i < SECTION_MEMMAP_PAGES; i++)
		n += there[i] & 1;
	return n;
}

/*
 * The batch's prefetcher (memory.c prefetch_block(), 5add2ca4/fb1edacd)
 * prefills the blocks of its batch and none other: a batch of the middle
 * three of five blocks leaves the first and the last unprefilled, each of
 * the three prefetched once.  memory_block_prefetch() of a block left
 * offline (what prefetch_block() runs; prefault_memmap() alone no longer
 * prefills, 2e82c8a5) copies in what its first online writes and nothing
 * else: the memmap's own 8 vmemmap pages and each max-order block's
 * head's (32), 40 of the section's 512 in the memfd, none before.  And
 * what it copies in is what the holes stand for: the block reads as its
 * twin left in holes, struct page by struct page -- the memmap's own
 * pages, each head and its neighbour (the twin's reads trap and are
 * filled with what its holes stand for).
 */
static void test_prefetch_fills_its_batch_blocks_with_what_holes_stand_for(void **state)
{
	const uint64_t block = 128 * MiB;
	const unsigned long nr = 5, per = block >> 12, spfn = DIMM >> 12, first = DIMM / block;
	unsigned char there[SECTION_MEMMAP_PAGES];
	unsigned long own;
	struct hotmem *hm;

	(void)state;
	hm = self_hosted_blocks(block, nr, 2);
	/* the memmap's own struct pages, 512 */
	own = memory_block_memmap_on_memory_pages(hm);
	atomic_store(&hm->init_prefetched, 0);
	assert_int_equal(hotmem_online_blocks(hm, first + 1, 3, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(atomic_load(&hm->init_prefetched), 3);
	assert_prefilled(hm, spfn, block, false);
	assert_prefilled(hm, spfn + 4 * per, block, false);
	/* block 4 prefetched and left offline, block 0 its twin in holes */
	assert_int_equal(memmap_pages_there(hm, spfn + 4 * per, there), 0);
	memory_block_prefetch(hm, find_memory_block_by_id(hm, first + 4));
	assert_prefilled(hm, spfn + 4 * per, block, true);
	assert_int_equal(memmap_pages_there(hm, spfn + 4 * per, there), 40);
	for (unsigned long i = 0; i < own / PFNS_PER_VMEMMAP_PAGE; i++)
		assert_true(there[i] & 1);
	for (unsigned long p = own; p < per; p = ALIGN(p + 1, MAX_ORDER_NR_PAGES))
		assert_true(there[p / PFNS_PER_VMEMMAP_PAGE] & 1);
	for (unsigned long k = 0; k < per; k = k < 4096 ? k + 1 : k + (k % 1024 ? 1023 : 1)) {
		const struct page *got = pfn_to_page(hm, spfn + 4 * per + k);
		const struct page *want = pfn_to_page(hm, spfn + k);

		if (memcmp(got, want, sizeof(*got)))
			fail_msg("struct page %lu of the prefetched block: flags %#lx, its hole's %#lx",
				 k, (unsigned long)got->flags, (unsigned long)want->flags);
	}
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A hole of a prefilled memmap filled before its online (a reader of the
 * offline block's struct pages traps: the fault thread fills the vmemmap
 * pages up to the next max-order block's with what the holes stand for,
 * zeros) is not left there by the online, which writes only the pages
 * the prefill made: the fill clears HOLES_ONLY, and the
 * online punches and copies as always.  Left, those struct pages read
 * zeros after the online (zone 0, no node, no flags).
 */
static void test_prefilled_memmap_filled_since_is_punched(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	const unsigned long spfn = DIMM >> 12;
	const volatile struct page *page;

	(void)state;
	need_holes(hm);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	memory_block_prefetch(hm, find_memory_block_by_id(hm, 32));
	assert_prefilled(hm, spfn, 128 * MiB, true);
	/* vmemmap page 78 of the section: no buddy head's, no memmap's own */
	page = pfn_to_page(hm, spfn + 5000);
	assert_int_equal(page->flags, 0);
	assert_false(__atomic_load_n(&hm->hole_prefill[pfn_to_section_nr(spfn)], __ATOMIC_SEQ_CST) &
		     HOLES_ONLY);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_online_memmap(hm, 128 * MiB, 1);
	assert_int_equal(page_zonenum((const struct page *)page), ZONE_MOVABLE);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A child forked from the machine's creator that destroys its copy (as a
 * test's child that exits through cmocka might) leaves the creator's
 * fault thread alone: it has no thread of its own, and the eventfd that
 * stops it is shared with the parent.  The child ends by itself (an alarm
 * bounds a join that would wait for a thread it does not have).
 */
static void test_forked_child_leaves_the_fault_thread_alone(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	struct pollfd stop;
	int status = -1;
	pid_t pid;

	(void)state;
	need_holes(hm);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_true(hm->holes_running);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		alarm(10);
		hotmem_destroy(hm);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* nobody asked the parent's thread to stop */
	stop = (struct pollfd){ .fd = hm->holes_stop, .events = POLLIN };
	assert_int_equal(poll(&stop, 1, 0), 0);
	/* and it fills a hole still: every struct page reads as written */
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A forked child that reads a self-hosted memmap's hole (its mappings are
 * not registered with the parent's userfaultfd) gets SIGSEGV: the memfd's
 * windows are not in it (MADV_DONTFORK).  Its read put a zeroed page into
 * the memfd the parent's vmemmap showed (selfreview finding 4).
 */
static void test_forked_child_cannot_zero_the_memmap(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	const unsigned long pfn = (DIMM >> 12) + 5000;
	int status = -1;
	pid_t pid;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		const volatile struct page *page = hotmem_pfn_to_page(hm, pfn);

		alarm(10);
		/* the SIGSEGV ends the child, not cmocka's handler */
		signal(SIGSEGV, SIG_DFL);
		_exit(page->flags ? 1 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	assert_int_equal(page_zonenum(pfn_to_page(hm, pfn)), ZONE_MOVABLE);
	check(hm);
	hotmem_destroy(hm);
}

static unsigned long used_pages(struct hotmem *hm, unsigned long spfn, unsigned long epfn)
{
	unsigned long used = 0;

	for (unsigned long pfn = spfn; pfn < epfn; pfn++)
		used += pfn_to_page(hm, pfn)->_refcount != 0;
	return used;
}

/*
 * Onlined again into the same zone, a memmap from system RAM is made its
 * template's again in place (vmemmap_reshare()), not remapped: no host
 * mapping is asked for (an allocation site the fault injection counts),
 * and every struct page but the buddy heads reads as a first online's,
 * also those the workload used while the block was online (a few
 * vmemmap pages of the 512: more, and it is remapped, as
 * test_memmap_used_while_online_gives_its_copies_back shows).
 */
static void test_memmap_onlined_again_is_reshared_in_place(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 4;
	const unsigned long spfn = DIMM >> 12, epfn = spfn + nr * (128 * MiB >> 12);
	unsigned long calls[3];
	struct page ref;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	for (int round = 0; round < 3; round++) {
		unsigned long c0 = hotmem_alloc_calls(hm);

		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
		calls[round] = hotmem_alloc_calls(hm) - c0;
		if (!round)
			ref = *pfn_to_page(hm, spfn + 1);
		for (unsigned long pfn = spfn; pfn < epfn; pfn++)
			if (pfn % MAX_ORDER_NR_PAGES)
				assert_memory_equal(pfn_to_page(hm, pfn), &ref, sizeof(ref));
		check(hm);
		/* the workload writes struct pages of the block: 2000, 32 vmemmap pages */
		assert_true(hotmem_alloc_pages(hm, 0, HM_ALLOC_MOVABLE, 2000, NULL) > 0);
		assert_true(used_pages(hm, spfn, epfn) > 0);
		hotmem_free_all(hm);
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
	}
	/* the first online makes the template and maps it for each section, the next ones do not */
	assert_int_equal(calls[1], calls[0] - nr - 1);
	assert_int_equal(calls[2], calls[1]);
	check(hm);
	hotmem_destroy(hm);
}

static long section_copies_max(struct hotmem *hm, unsigned long section_nr, unsigned long max)
{
	return physmem_private_pages(hm, pfn_to_page(hm, section_nr << (27 - 12)), 2 * MiB, max,
				     NULL, NULL);
}

static long section_copies(struct hotmem *hm, unsigned long section_nr)
{
	return section_copies_max(hm, section_nr, ULONG_MAX);
}

/*
 * The walks of the host's page tables with a note of each copy (those
 * of vmemmap_reshare()) while @on: their number, the most copies one
 * noted and the most it returned.  Through the linker
 * (-Wl,--wrap=physmem_private_pages, engine.mk), so that what is seen is
 * what vmemmap_reshare() asks, not what a test asks.
 */
static struct {
	bool on;
	unsigned long walks, most_noted;
	long most_copied;
} walks;

long __real_physmem_private_pages(struct hotmem *hm, void *addr, size_t size, unsigned long max,
				  void (*fn)(void *page, void *arg), void *arg);
long __wrap_physmem_private_pages(struct hotmem *hm, void *addr, size_t size, unsigned long max,
				  void (*fn)(void *page, void *arg), void *arg);

struct noted {
	void (*fn)(void *page, void *arg);
	void *arg;
	unsigned long nr;
};

static void note_counted(void *page, void *arg)
{
	struct noted *n = arg;

	n->nr++;
	n->fn(page, n->arg);
}

long __wrap_physmem_private_pages(struct hotmem *hm, void *addr, size_t size, unsigned long max,
				  void (*fn)(void *page, void *arg), void *arg)
{
	struct noted n = { fn, arg, 0 };
	long copied;

	if (!walks.on || !fn)
		return __real_physmem_private_pages(hm, addr, size, max, fn, arg);
	copied = __real_physmem_private_pages(hm, addr, size, max, note_counted, &n);
	walks.walks++;
	walks.most_noted = n.nr > walks.most_noted ? n.nr : walks.most_noted;
	walks.most_copied = copied > walks.most_copied ? copied : walks.most_copied;
	return copied;
}

/*
 * A memmap the workload used while online (up to all 512 vmemmap pages
 * copied by the host) is not kept at every re-online into its zone: more
 * than an eighth copied, and it is remapped onto its template, which
 * gives the copies back; the host's memory goes down, and the memmap
 * reads as a first online's.  A block whose memmap stays free keeps
 * being re-shared in place (test_memmap_onlined_again_is_reshared_in_place).
 */
static void test_memmap_used_while_online_gives_its_copies_back(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 4;
	const unsigned long spfn = DIMM >> 12, epfn = spfn + nr * (128 * MiB >> 12);
	size_t used, again;
	long most = 0;
	struct page ref;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	ref = *pfn_to_page(hm, spfn + 1);
	for (unsigned long s = first; s < first + nr; s++)
		assert_in_range(section_copies(hm, s), 1, 512 / 8);
	for (int round = 0; round < 3; round++) {
		/* the workload takes every page it can: their struct pages are written */
		assert_true(hotmem_alloc_pages(hm, 0, HM_ALLOC_MOVABLE, nr * 32768, NULL) > 0);
		hotmem_free_all(hm);
		for (unsigned long s = first; s < first + nr; s++)
			most = section_copies(hm, s) > most ? section_copies(hm, s) : most;
		assert_true(most > 512 / 2);
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
		used = hotmem_ram_resident_bytes(hm);
		walks.walks = walks.most_noted = 0;
		walks.most_copied = 0;
		walks.on = true;
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
		walks.on = false;
		/* vmemmap_reshare()'s walk of each section stops at the copy past its cap of 64 */
		assert_int_equal(walks.walks, nr);
		assert_int_equal(walks.most_copied, 512 / 8 + 1);
		assert_int_equal(walks.most_noted, 512 / 8 + 1);
		again = hotmem_ram_resident_bytes(hm);
		/* the copies beyond the buddy heads went back to the host */
		for (unsigned long s = first; s < first + nr; s++)
			assert_in_range(section_copies(hm, s), 1, 512 / 8);
		assert_true(again + (size_t)(most - 512 / 8) * 4096 <= used);
		for (unsigned long pfn = spfn; pfn < epfn; pfn++)
			if (pfn % MAX_ORDER_NR_PAGES)
				assert_memory_equal(pfn_to_page(hm, pfn), &ref, sizeof(ref));
		check(hm);
	}
	hotmem_destroy(hm);
}

/* the running kernel is at least @major.@minor */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	return !uname(&u) && sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
	       (ma > major || (ma == major && mi >= minor));
}

struct copies {
	void *page[512];
	unsigned long nr;
};

static void note_copy(void *page, void *arg)
{
	struct copies *c = arg;

	if (c->nr < 512)
		c->page[c->nr] = page;
	c->nr++;
}

/* physmem_private_pages() by PAGEMAP_SCAN and by reading pagemap: the same pages, the same cap */
static void assert_scan_agrees(struct hotmem *hm, unsigned long section_nr, unsigned long max)
{
	static struct copies scan, read;
	long n_scan, n_read;

	scan.nr = read.nr = 0;
	n_scan = section_copies_max(hm, section_nr, max);
	assert_int_equal(physmem_private_pages(hm, pfn_to_page(hm, section_nr << (27 - 12)),
					       2 * MiB, max, note_copy, &scan), n_scan);
	hm->pagemap_scan = false;
	n_read = physmem_private_pages(hm, pfn_to_page(hm, section_nr << (27 - 12)), 2 * MiB, max,
				       note_copy, &read);
	hm->pagemap_scan = true;
	assert_int_equal(n_scan, n_read);
	assert_int_equal(scan.nr, read.nr);
	assert_int_equal((unsigned long)n_scan, scan.nr);
	assert_memory_equal(scan.page, read.page, min(scan.nr, 512UL) * sizeof(void *));
}

/*
 * PAGEMAP_SCAN (6.7+) answers which vmemmap pages of a shared memmap the
 * host copied exactly as pagemap's entries do: none of a fresh mapping,
 * the buddy heads after an online, more than the cap after the workload
 * wrote the memmap (the walk stopping at the copy past @max as before),
 * none after the remap; on a kernel that has it, it is the one used.
 */
static void test_copied_pages_scan_agrees_with_pagemap(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 2;

	(void)state;
	if (!hm->pagemap_scan) {
		assert_false(kernel_at_least(6, 7));
		hotmem_destroy(hm);
		skip_why("this host kernel has no PAGEMAP_SCAN (6.7+)");
	}
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	for (unsigned long s = first; s < first + nr; s++) {
		assert_int_equal(section_copies(hm, s), 32);
		assert_scan_agrees(hm, s, ULONG_MAX);
		assert_scan_agrees(hm, s, 5);
	}
	/* the workload writes most of the memmap: copies past the cap of 64 */
	assert_true(hotmem_alloc_pages(hm, 0, HM_ALLOC_MOVABLE, nr * 32768, NULL) > 0);
	hotmem_free_all(hm);
	for (unsigned long s = first; s < first + nr; s++) {
		assert_true(section_copies(hm, s) > 512 / 8);
		assert_scan_agrees(hm, s, ULONG_MAX);
		assert_scan_agrees(hm, s, 512 / 8);
		assert_int_equal(section_copies_max(hm, s, 512 / 8), 512 / 8 + 1);
		assert_int_equal(section_copies_max(hm, s, 0), 1);
	}
	/* offline and onlined into Normal: remapped onto Normal's template, the heads only */
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_KERNEL), 0);
	for (unsigned long s = first; s < first + nr; s++) {
		assert_int_equal(section_copies(hm, s), 32);
		assert_scan_agrees(hm, s, ULONG_MAX);
	}
	check(hm);
	hotmem_destroy(hm);
}

/* the vmemmap pages of a section the host maps (present in pagemap), by pagemap */
static unsigned long section_present(struct hotmem *hm, unsigned long section_nr)
{
	uint64_t ent[512];
	unsigned long n = 0;
	off_t off = (off_t)((uintptr_t)pfn_to_page(hm, section_nr << (27 - 12)) / 4096 * 8);

	assert_int_equal(pread(hm->pagemap_fd, ent, sizeof(ent), off), sizeof(ent));
	for (int i = 0; i < 512; i++)
		n += ent[i] >> 63;
	return n;
}

/*
 * A section's memmap freshly mapped onto its template has the vmemmap
 * pages the online writes (one a max-order buddy head, one in 16) copied
 * now: exactly those, so the host pays no more than the online's own
 * writes would make it (the copies the online leaves are the same 32).
 * Where the mapping is registered with the userfaultfd they are filled by
 * UFFDIO_COPY, without a page fault of this process: not one a head, as
 * get_user_pages() took when process_madvise(MADV_POPULATE_WRITE)
 * populated them, or a write does (the test below, without the
 * userfaultfd).
 */
static void test_fresh_template_mapping_copies_the_buddy_heads_only(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27;
	struct copies c = { .nr = 0 };
	struct page tmpl;
	long faults;
	int slot;

	(void)state;
	if (hm->uffd < 0) {
		hotmem_destroy(hm);
		skip_why("no userfaultfd here (5.19+, or a seccomp filter)");
	}
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 3 * 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, first, 1, HM_MMOP_ONLINE_MOVABLE), 0);
	/* a free page's struct page of the online block: the Movable template */
	tmpl = *pfn_to_page(hm, (DIMM >> 12) + 1);
	slot = physmem_memmap_template(hm, &tmpl);
	assert_true(slot >= 0);
	/* once first: what this call's own stack faults in is not counted below */
	assert_int_equal(vmemmap_share_template(hm, first + 2, slot), 1);
	/* the offline block's memmap mapped onto it, as its online will */
	faults = physmem_faults(hm);
	assert_true(faults >= 0);
	assert_int_equal(vmemmap_share_template(hm, first + 1, slot), 1);
	faults = physmem_faults(hm) - faults;
	/*
	 * exactly 0: a head written instead of copied in is a fault of its
	 * own, and nothing else in the call touches a page it has not touched
	 * the first time (its stack, and under ASan/TSan that stack's shadow)
	 */
	assert_int_equal(faults, 0);
	assert_int_equal(physmem_private_pages(hm, pfn_to_page(hm, (first + 1) << (27 - 12)),
					       2 * MiB, ULONG_MAX, note_copy, &c), 32);
	for (unsigned long i = 0; i < 32; i++)
		assert_ptr_equal(c.page[i], pfn_to_page(hm, ((first + 1) << (27 - 12)) + i * 1024));
	assert_int_equal(section_present(hm, first + 1), 32);
	for (unsigned long pfn = (first + 1) << (27 - 12); pfn < (first + 2) << (27 - 12); pfn += 511)
		assert_memory_equal(pfn_to_page(hm, pfn), &tmpl, sizeof(tmpl));
	/* its online re-shares it in place: the same 32 copies, the heads */
	assert_int_equal(hotmem_online_blocks(hm, first + 1, 2, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(section_copies(hm, first + 1), 32);
	assert_int_equal(section_copies(hm, first + 2), 32);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A section's memmap from system RAM is one order-9 allocation
 * (vmemmap_alloc_pages()) whose record is on its head's struct page only,
 * as the kernel's allocation without __GFP_COMP writes no tail's: the
 * memmap the memory came from (boot RAM's, shared with its template) gets
 * no copy of the tails' 7 other vmemmap pages at an add.  The invariants
 * still count the 512 pages used, explain still names the memory behind
 * them memmap, whole.
 */
static void test_memmap_allocation_marks_its_head_only(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct hm_explain *ex = calloc(1, sizeof(*ex));
	unsigned long backing;
	struct page *head;
	int src;

	(void)state;
	assert_non_null(ex);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	backing = vmemmap_backing_pfn(hm, DIMM >> 12, &src);
	assert_int_equal(src, VMEMMAP_BUDDY);
	head = pfn_to_page(hm, backing);
	assert_true(test_page_flag(head, PG_vmemmap));
	assert_int_equal(head->mapping, backing);
	assert_int_equal(head->private, 9);
	for (unsigned long i = 1; i < 512; i++) {
		assert_false(test_page_flag(head + i, PG_vmemmap));
		assert_int_equal(head[i].mapping, 0);
		assert_int_equal(head[i].private, 0);
	}
	/* vmemmap pages 1-7 of the allocation's 8 in the boot memmap: read, never copied */
	assert_int_equal(physmem_private_pages(hm, head + 64, 7 * 4096, ULONG_MAX, NULL, NULL), 0);
	check(hm);
	/* explain of the boot block holding it: one memmap entry, the 512 pages */
	assert_int_equal(hotmem_explain_from(hm, backing >> 15, backing, ex), 0);
	assert_true(ex->nr_shown >= 1);
	assert_int_equal(ex->pages[0].pfn, backing);
	assert_string_equal(ex->pages[0].kind, "memmap");
	assert_int_equal(ex->pages[0].order, 9);
	assert_true(ex->nr_shown == 1 || ex->pages[1].pfn >= backing + 512);
	free(ex);
	hotmem_destroy(hm);
}

static void *write_struct_page(void *page)
{
	((struct page *)page)->memcg_data++;
	return NULL;
}

/* vmemmap_share_template() of an offline section mapping @slot already: was the host asked? */
static bool reshare_asked(struct hotmem *hm, unsigned long section_nr, int slot)
{
	unsigned long w = walks.walks;

	walks.on = true;
	assert_int_equal(vmemmap_share_template(hm, section_nr, slot), 1);
	walks.on = false;
	return walks.walks != w;
}

/*
 * vmemmap_reshare() asks the host which vmemmap pages it copied only
 * when this process took a page fault since it last asked.  Re-shared
 * back to back, it is not asked, and the copies it knew get the template
 * back all the same (a buddy head's struct page, written in its copy
 * without a fault).  A struct page written in a vmemmap page the host
 * had not copied -- by another thread, which has exited since, or by
 * this one -- made a copy by a fault: the next re-share asks, and the
 * struct page reads as the template's again.
 */
static void test_reshare_asks_again_after_any_write_that_copied(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, sec = first + 1, spfn = sec << (27 - 12);
	bool skipped = false;
	struct page tmpl;
	pthread_t t;
	int slot;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 2 * 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, first, 1, HM_MMOP_ONLINE_MOVABLE), 0);
	tmpl = *pfn_to_page(hm, (DIMM >> 12) + 1);
	slot = physmem_memmap_template(hm, &tmpl);
	assert_true(slot >= 0);
	/* a fresh mapping, its heads populated without a fault: asked at the next re-share */
	assert_int_equal(vmemmap_share_template(hm, sec, slot), 1);
	assert_true(reshare_asked(hm, sec, slot));
	/* a stray fault of the test's own asks again: one of five is enough */
	for (int i = 0; i < 5 && !skipped; i++) {
		pfn_to_page(hm, spfn)->index = 0x5a5a;
		skipped = !reshare_asked(hm, sec, slot);
		assert_memory_equal(pfn_to_page(hm, spfn), &tmpl, sizeof(tmpl));
	}
	assert_true(skipped);
	/* vmemmap page 1 of 512 (no head's), written by another thread */
	assert_int_equal(pthread_create(&t, NULL, write_struct_page, pfn_to_page(hm, spfn + 64)), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_memory_not_equal(pfn_to_page(hm, spfn + 64), &tmpl, sizeof(tmpl));
	assert_true(reshare_asked(hm, sec, slot));
	assert_memory_equal(pfn_to_page(hm, spfn + 64), &tmpl, sizeof(tmpl));
	/* vmemmap page 2, by this thread */
	write_struct_page(pfn_to_page(hm, spfn + 128));
	assert_true(reshare_asked(hm, sec, slot));
	for (unsigned long pfn = spfn; pfn < spfn + 32768; pfn += 64)
		assert_memory_equal(pfn_to_page(hm, pfn), &tmpl, sizeof(tmpl));
	assert_int_equal(hotmem_online_blocks(hm, sec, 1, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A memmap shared with its template is mapped where it is read, not 16
 * vmemmap pages around each read (the host's fault-around): a first
 * online of a free block maps its 32 buddy heads (copied) and nothing
 * else -- not each pageblock's first struct page, whose zone
 * undo_isolate_page_range() knows without reading it (coldplug's case);
 * an offline maps those (isolation, the HugeTLB dissolve) and one more,
 * 65 of 512 -- what the copied-pages walk of every re-online and the
 * remap's unmap then meet.  Every struct page still reads as the
 * template's.
 */
static void test_shared_memmap_is_mapped_where_read(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 2;
	struct page ref;

	(void)state;
	if (hm->uffd < 0) {
		hotmem_destroy(hm);
		skip_why("no userfaultfd here (5.19+, or a seccomp filter)");
	}
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
		for (unsigned long s = first; s < first + nr; s++) {
			assert_int_equal(section_copies(hm, s), 32);
			/* re-shared in place after the offline: its mappings stay */
			assert_int_equal(section_present(hm, s), round ? 65 : 32);
		}
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
		for (unsigned long s = first; s < first + nr; s++)
			assert_int_equal(section_present(hm, s), 65);
	}
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	ref = *pfn_to_page(hm, (DIMM >> 12) + 1);
	for (unsigned long pfn = DIMM >> 12; pfn < (DIMM + nr * 128 * MiB) >> 12; pfn++)
		if (pfn % MAX_ORDER_NR_PAGES)
			assert_memory_equal(pfn_to_page(hm, pfn), &ref, sizeof(ref));
	for (unsigned long s = first; s < first + nr; s++)
		assert_int_equal(section_present(hm, s), 512);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A host without the help (a kernel before 5.19/6.7, or a seccomp filter
 * refusing userfaultfd): the memmap is shared all the same, its copies
 * found by reading pagemap; re-shared in place, it reads as the template.
 * A first online writes the buddy heads before anything reads them: the
 * host copies each at its write fault and maps those 32 alone; a read
 * maps 16 vmemmap pages at a time (fault-around).
 */
static void test_shared_memmap_without_the_hosts_help(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 2;
	struct page ref;

	(void)state;
	if (hm->uffd >= 0)
		close(hm->uffd);
	hm->uffd = -1;
	hm->pagemap_scan = false;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
		ref = *pfn_to_page(hm, (DIMM >> 12) + 1);
		for (unsigned long s = first; s < first + nr; s++) {
			assert_int_equal(section_copies(hm, s), 32);
			/* the read below maps the rest, and a re-share in place keeps it */
			assert_int_equal(section_present(hm, s), round ? 512 : 32);
		}
		for (unsigned long pfn = DIMM >> 12; pfn < (DIMM + nr * 128 * MiB) >> 12; pfn++)
			if (pfn % MAX_ORDER_NR_PAGES)
				assert_memory_equal(pfn_to_page(hm, pfn), &ref, sizeof(ref));
		check(hm);
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
	}
	hotmem_destroy(hm);
}

/*
 * What /proc/self/pagemap says of a private file mapping's page (6.12's
 * pte_to_pagemap_entry()): a copy is anonymous, present or swapped out;
 * the file's own page, present or under migration (a swap PTE with
 * PM_FILE), is none.
 */
static void test_pagemap_copies_are_anonymous_pages_only(void **state)
{
	const uint64_t present = 1ULL << 63, swap = 1ULL << 62, file = 1ULL << 61;

	(void)state;
	assert_false(physmem_pagemap_copied(0));
	assert_true(physmem_pagemap_copied(present | 0x1234));
	assert_true(physmem_pagemap_copied(swap | 0x20));
	assert_false(physmem_pagemap_copied(present | file | 0x1234));
	/* the template's page being migrated: the file's still */
	assert_false(physmem_pagemap_copied(swap | file | 0x20));
	/* soft-dirty, exclusive, uffd-wp change nothing */
	assert_true(physmem_pagemap_copied(present | 7ULL << 55));
	assert_false(physmem_pagemap_copied(7ULL << 55));
}

/* its memory Movable: kswapd's and kcompactd's stacks go to node 0 */
static void test_cpuless_node_goes_offline_when_its_movable_memory_goes(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	struct hm_node_info ni;

	(void)state;
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_false(ni.online);
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_true(ni.online);
	assert_false(ni.has_memory);	/* nothing onlined yet */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_true(ni.has_memory);
	assert_false(ni.has_normal_memory);
	assert_int_equal(hotmem_offline_and_remove_memory(hm, DIMM, 128 * MiB), 0);
	assert_int_equal(hotmem_node_info(hm, 1, &ni), 0);
	assert_false(ni.online);
	check(hm);
	hotmem_destroy(hm);
}

/* numa2 with @cpu_nodes (hotmem_config.cpu_nodes), kernel allocations off */
static struct hotmem *boot_numa2_cpus(uint64_t cpu_nodes)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char err[512] = "";

	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, IDLE_KERNEL, err, sizeof(err)), 0);
	cfg.cpu_nodes = cpu_nodes;
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		fail_msg("boot: %s", err);
	return hm;
}

static bool node_online(struct hotmem *hm, int nid, bool *has_cpu)
{
	struct hm_node_info ni;

	assert_int_equal(hotmem_node_info(hm, nid, &ni), 0);
	if (has_cpu)
		*has_cpu = ni.has_cpu;
	return ni.online;
}

/*
 * The CPU placement is the front end's (hotmemfs: the host's CPUs on the
 * boot nodes); without one every boot node has CPUs, as before
 */
static void test_cpu_nodes_decide_has_cpu(void **state)
{
	struct hotmem *hm = boot_numa2_cpus(0);
	bool cpu;

	(void)state;
	assert_true(node_online(hm, 0, &cpu) && cpu);
	assert_true(node_online(hm, 1, &cpu) && cpu);
	hotmem_destroy(hm);
	hm = boot_numa2_cpus(1);
	assert_true(node_online(hm, 0, &cpu) && cpu);
	assert_true(node_online(hm, 1, &cpu));
	assert_false(cpu);
	check(hm);
	hotmem_destroy(hm);
}

/* @nid's node states: N_ONLINE, N_CPU, N_MEMORY, N_NORMAL_MEMORY as 1s and 0s ("1100") */
static const char *node_states(struct hotmem *hm, int nid)
{
	static char buf[5];
	struct hm_node_info ni;

	assert_int_equal(hotmem_node_info(hm, nid, &ni), 0);
	snprintf(buf, sizeof(buf), "%d%d%d%d", ni.online, ni.has_cpu, ni.has_memory,
		 ni.has_normal_memory);
	return buf;
}

/*
 * A memoryless node with CPUs (QEMU's -numa node,cpus= without memdev):
 * init_cpu_to_node() brings it online at boot, N_CPU and no N_MEMORY.
 * Memory hot-added to it: no node is registered (__try_online_node()
 * finds it online), N_MEMORY once a block is online (online_pages()'
 * node_states_set_node()), N_NORMAL_MEMORY with a kernel zone only; all
 * of it removed, it stays (try_offline_node()'s check_cpu_on_node()).
 * numa2's CPUs on QEMU's nodes 0 and 2: the guest numbers the CPUs' PXMs
 * first (engine/srat.c), PXM 2 is its node 1, the memory-only PXM 1 node 2.
 */
static void test_memoryless_cpu_node(void **state)
{
	struct hotmem *hm = boot_numa2_cpus(1ULL << 2 | 1);
	struct ev_log log;

	(void)state;
	assert_string_equal(node_states(hm, 1), "1100");
	assert_string_equal(node_states(hm, 0), "1111");
	assert_string_equal(node_states(hm, 2), "1011");
	assert_string_equal(node_states(hm, 3), "0000");
	check(hm);
	ev_log_attach(hm, &log);
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 256 * MiB, 0, -1), 0);
	assert_string_equal(log.buf, "add:32 add:33");
	assert_string_equal(node_states(hm, 1), "1100");
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_string_equal(node_states(hm, 1), "1110");
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_KERNEL), 0);
	assert_string_equal(node_states(hm, 1), "1111");
	check(hm);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_string_equal(node_states(hm, 1), "1110");
	assert_int_equal(hotmem_offline_and_remove_memory(hm, DIMM, 256 * MiB), 0);
	assert_string_equal(node_states(hm, 1), "1100");
	check(hm);
	hotmem_destroy(hm);
}

/* a CPU node past the possible ones: EINVAL, said */
static void test_cpu_node_not_possible_is_refused(void **state)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char err[512] = "";

	(void)state;
	assert_int_equal(hotmem_config_builtin(&cfg, "numa2"), 0);
	cfg.cpu_nodes = 1ULL << 4 | 1;
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cpu_nodes: node 4 is not a possible node (nodes = 4; nodes = 5 makes node 4 possible)");
	assert_null(hm);
	cfg.cpu_nodes = 1ULL << 63;
	assert_int_equal(hotmem_create(&cfg, &hm, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "node 63"));
}

/*
 * try_offline_node() (6.12): a node without CPUs stays while any memory
 * block of it is left -- numa2's node 1 keeps its boot memory (in no
 * resource) when a DIMM of it goes, even offline -- and goes with its
 * last block; a node with CPUs never goes
 */
static void test_cpuless_node_stays_while_its_boot_memory_does(void **state)
{
	struct hotmem *hm = boot_numa2_cpus(1);

	(void)state;
	/* memory8, node 1's first: offline, still node 1's block */
	assert_int_equal(hotmem_block_set_state(hm, 8, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_add_memory(hm, 1, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	assert_true(node_online(hm, 1, NULL));
	/* node 2: no CPUs, no boot memory: it goes with its DIMM */
	assert_int_equal(hotmem_add_memory(hm, 2, DIMM, 128 * MiB, 0, -1), 0);
	assert_true(node_online(hm, 2, NULL));
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	assert_false(node_online(hm, 2, NULL));
	check(hm);
	hotmem_destroy(hm);
}

/* seed 001: hot-adding much memory to a nearly full machine */
static void test_nearly_full_machine_needs_memmap_on_memory(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1");
	struct hm_snapshot before, after;
	long n;

	(void)state;
	n = hotmem_alloc_pages(hm, -1, HM_ALLOC_UNMOVABLE, 1UL << 20, NULL);
	assert_true(n > 200000);
	snapshot(hm, &before);
	/* the memmap of 1 GiB (8 x 2 MiB) cannot come from a full machine */
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 1 * GiB, 0, -1), -ENOMEM);
	snapshot(hm, &after);
	assert_same(&before, &after);
	check(hm);
	/* with the memmap inside the new memory itself it can */
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 1 * GiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, 32, 8, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* seed 001/003: the memmap lives in the block it describes, and says so */
static void test_self_hosted_memmap_describes_itself(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1");
	const unsigned long base = DIMM >> 12;
	unsigned long flags;
	struct page *first;
	int src;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	/* the vmemmap page holding struct page of pfn base is pfn base itself */
	assert_int_equal(vmemmap_backing_pfn(hm, base, &src), base);
	assert_int_equal(src, VMEMMAP_ALTMAP);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	first = hotmem_pfn_to_page(hm, base);
	/* reading the block's first bytes through the direct map is its memmap */
	assert_memory_equal(hotmem_phys_to_virt(hm, DIMM), first, sizeof(struct page));
	for (unsigned long pfn = base; pfn < base + 512; pfn++) {
		assert_int_equal(hotmem_page_flags(hm, pfn, &flags), 0);
		assert_true(flags & (1UL << HM_PG_vmemmap_self_hosted));
		assert_false(flags & (1UL << HM_PG_buddy));
	}
	assert_int_equal(hotmem_page_flags(hm, base + 512, &flags), 0);
	assert_false(flags & (1UL << HM_PG_vmemmap_self_hosted));
	/* the 512 memmap pages are present but never managed: 126 MiB more */
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A block of 1 GiB keeps the memmaps of its 8 sections back to back at its
 * start.  A pointer from hotmem_phys_to_virt() reads them all through the
 * direct map, which no userfaultfd watches, and is kept across an offline
 * and a new online: no hole may be read through it (a hole read there put
 * a zeroed page into the memfd, which the vmemmap showed: zone 0 of node
 * 0 in a Movable section, selfreview finding 1).
 */
static void test_direct_map_pointer_never_reads_a_hole(void **state)
{
	const unsigned long spfn = DIMM >> 12, pfn = spfn + 32768 + 100;
	const struct page *dm;
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[512] = "";

	(void)state;
	assert_int_equal(hotmem_config_builtin(&cfg, "default"), 0);
	cfg.block_size = 1024 * MiB;
	assert_int_equal(hotmem_config_parse_cmdline(&cfg, "memory_hotplug.memmap_on_memory=1 "
						     IDLE_KERNEL, err, sizeof(err)), 0);
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		fail_msg("boot: %s", err);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 1024 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1),
			 0);
	assert_int_equal(hotmem_block_set_state(hm, 4, HM_MMOP_ONLINE_MOVABLE), 0);
	/* section 1's struct pages, read from the block's first byte on */
	dm = (const struct page *)hotmem_phys_to_virt(hm, DIMM) + (pfn - spfn);
	assert_int_equal(dm->flags, pfn_to_page(hm, pfn)->flags);
	assert_int_equal(page_zonenum(pfn_to_page(hm, pfn)), ZONE_MOVABLE);
	check(hm);
	/* the pointer kept: an offline and an online punch no hole under it */
	assert_int_equal(hotmem_block_set_state(hm, 4, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 4, HM_MMOP_ONLINE_KERNEL), 0);
	for (unsigned long p = spfn + 4096; p < spfn + 8 * 32768; p += 61) {
		assert_int_equal(dm[(long)(p - pfn)].flags, pfn_to_page(hm, p)->flags);
		assert_int_equal(page_zonenum(pfn_to_page(hm, p)), ZONE_NORMAL);
	}
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Every walk of the section table that skips an absent root goes on at the
 * next root's first section (abuse24 A6).  A root was 34 sections (4096 /
 * sizeof(struct mem_section)) and the walks skipped with ALIGN(), a mask:
 * from an absent root they landed inside or past the next one, so a block
 * added at 0x3c0000000 (section 120) was never looked at.  check()'s
 * vmemmap count said "4096 pages, accounting says 4608" on a healthy
 * machine; and vmemmap_holes_end() (the first hotmem_phys_to_virt())
 * never filled that block's holes, ending them for good: its self-hosted
 * memmap read as zeros through the direct map, 313 of 338 struct pages
 * sampled.  A block added alone in each section of the default machine,
 * self-hosted, checked; then the direct map's copy of 0x3c0000000's memmap
 * against the vmemmap, every 97th struct page.
 */
static void test_section_walks_see_every_root(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	const uint64_t at = 0x3c0000000ULL;
	const unsigned long spfn = at >> 12;
	const struct page *dm;

	(void)state;
	/* on a machine of its boot root alone: the roots between are absent */
	assert_int_equal(hotmem_add_memory(hm, 0, at, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, at >> 27, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	dm = (const struct page *)hotmem_phys_to_virt(hm, at);
	assert_non_null(dm);
	for (unsigned long p = spfn; p < spfn + 32768; p += 97) {
		assert_memory_equal(&dm[p - spfn], pfn_to_page(hm, p), sizeof(struct page));
		assert_int_equal(page_zonenum(&dm[p - spfn]), ZONE_MOVABLE);
	}
	assert_int_equal(hotmem_block_set_state(hm, at >> 27, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_remove_memory(hm, at, 128 * MiB), 0);
	/*
	 * A root, once made, stays (as the kernel's): from the top down, each
	 * section's add leaves the roots below it absent, those above made.
	 */
	for (unsigned long nr = nr_mem_sections(hm) - 1; nr >= pfn_to_section_nr(DIMM >> 12); nr--) {
		uint64_t start = (uint64_t)section_nr_to_pfn(nr) << 12;

		assert_int_equal(hotmem_add_memory(hm, 0, start, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1),
				 0);
		check(hm);
		assert_int_equal(hotmem_remove_memory(hm, start, 128 * MiB), 0);
	}
	hotmem_destroy(hm);
}

static void test_memmap_on_memory_changes_memtotal_by_126m(void **state)
{
	/* exact MemFree: an idle kernel */
	struct hotmem *on = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	struct hotmem *off = boot("default", IDLE_KERNEL);
	unsigned long t_on = memtotal_kb(on), t_off = memtotal_kb(off);
	unsigned long f_off = memfree_kb(off);

	(void)state;
	assert_int_equal(hotmem_add_memory(on, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_add_memory(off, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(on, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_block_set_state(off, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(memtotal_kb(on) - t_on, 126 * 1024);
	assert_int_equal(memtotal_kb(off) - t_off, 128 * 1024);
	/* without it, the 2 MiB memmap came out of MemFree */
	assert_int_equal(memfree_kb(off) - f_off, 126 * 1024);
	hotmem_destroy(on);
	hotmem_destroy(off);
}

/* seed 002: a PMD allocation that fails falls back to base pages, per PMD */
static void test_fragmented_memory_falls_back_to_base_pages(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	const unsigned long max = 300000;
	unsigned long *h = malloc(max * sizeof(*h)), nh = 0;
	struct ev_log huge_log, base_log;
	bool huge, present;
	long n;

	(void)state;
	trace_log_attach(hm, &huge_log, "vmemmap_populate_hugepages");
	trace_log_attach(hm, &base_log, "vmemmap_populate_basepages");
	n = hotmem_alloc_pages(hm, -1, HM_ALLOC_UNMOVABLE, max, h);
	assert_true(n > 100000);
	nh = (unsigned long)n;
	/* take the watermark reserve too, page by page */
	for (uint64_t pfn = 1; pfn < (1UL << 18) && nh < max; pfn++)
		if (!hotmem_alloc_page_at(hm, pfn, HM_ALLOC_UNMOVABLE, &h[nh]))
			nh++;
	/* free every even pfn: lots of free memory, no two pages adjacent */
	for (unsigned long i = 0; i < nh; i++) {
		uint64_t pfn;

		assert_int_equal(hotmem_handle_pfn(hm, h[i], &pfn), 0);
		if (!(pfn & 1))
			assert_int_equal(hotmem_free_page(hm, h[i]), 0);
	}
	assert_true(memfree_kb(hm) > 400 * 1024);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_section_state(hm, DIMM >> 27, &present, NULL, &huge, NULL), 0);
	assert_true(present);
	assert_false(huge);
	/* the probes: the PMD's vmemmap_populate_hugepages() went on in base pages */
	assert_string_equal(huge_log.buf, "1048576:32768:0:0:0");
	assert_string_equal(base_log.buf, "1048576:32768:0:0:0");
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	/* with memory back, the next DIMM gets a huge mapping again */
	hotmem_free_all(hm);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 128 * MiB, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_section_state(hm, (DIMM >> 27) + 1, NULL, NULL, &huge, NULL), 0);
	assert_true(huge);
	assert_string_equal(huge_log.buf, "1048576:32768:0:0:0 1081344:32768:0:0:0");
	assert_string_equal(base_log.buf, "1048576:32768:0:0:0");
	check(hm);
	free(h);
	hotmem_destroy(hm);
}

/* every allocation on the hot-add path at @start fails in turn: nothing changes */
static void every_hot_add_allocation_failure_rolls_back_at(uint64_t start)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	unsigned int flags[2] = { 0, HM_MHP_MEMMAP_ON_MEMORY };

	for (int f = 0; f < 2; f++) {
		for (unsigned long nth = 1;; nth++) {
			struct hm_snapshot before, after;
			unsigned long calls;
			int ret;

			snapshot(hm, &before);
			calls = hotmem_alloc_calls(hm);
			hotmem_fail_nth_alloc(hm, nth);
			ret = hotmem_add_memory(hm, 0, start, 512 * MiB, flags[f], -1);
			hotmem_fail_nth_alloc(hm, 0);
			check(hm);
			if (ret) {
				assert_int_equal(ret, -ENOMEM);
				snapshot(hm, &after);
				assert_same(&before, &after);
				/* the host's side too: the reservations, no hole a refusal tore */
				assert_true(physmem_is_mapped((char *)hm->direct_map + start,
							      512 * MiB));
				assert_true(physmem_is_mapped(pfn_to_page(hm, start >> 12),
							      4 * 2 * MiB));
				continue;
			}
			assert_int_equal(hotmem_remove_memory(hm, start, 512 * MiB), 0);
			if (hotmem_alloc_calls(hm) - calls < nth)
				break;	/* the injected failure was never reached */
		}
	}
	hotmem_destroy(hm);
}

/*
 * In a root of the section table that exists already: the boot root
 * (sections 0-31, 0-4 GiB), just above the default machine's 1 GiB of boot
 * memory.  DIMM (4 GiB, section 32) is the next root's first section.
 */
static void test_every_hot_add_allocation_failure_rolls_back(void **state)
{
	(void)state;
	assert_true(pfn_to_section_nr((1ULL << 30) >> 12) / SECTIONS_PER_ROOT == 0);
	every_hot_add_allocation_failure_rolls_back_at(1ULL << 30);
}

/*
 * The same where the add's sections need a root of the section table of
 * their own (the first section of the root after DIMM's, by
 * SECTIONS_PER_ROOT, not by a number): the root stays whatever fails after
 * it (sparse_index_init(), as the kernel's), and the machine is as it was.
 */
static void test_every_hot_add_allocation_failure_rolls_back_new_root(void **state)
{
	unsigned long nr = (pfn_to_section_nr(DIMM >> 12) / SECTIONS_PER_ROOT + 1) * SECTIONS_PER_ROOT;

	(void)state;
	every_hot_add_allocation_failure_rolls_back_at((uint64_t)section_nr_to_pfn(nr) << 12);
}

/* the zone a GFP_KERNEL allocation on node 0 tries first has an unmovable free block of order >= 9 */
static bool unmovable_block_free(struct hotmem *hm)
{
	for (int zid = ZONE_NORMAL; zid >= 0; zid--) {
		struct hm_pagetype_info pi;

		if (!zone_managed_pages(&NODE_DATA(hm, 0)->node_zones[zid]))
			continue;
		assert_int_equal(hotmem_zone_pagetype_info(hm, 0, zid, &pi), 0);
		for (int o = HM_PAGEBLOCK_ORDER; o <= HM_MAX_PAGE_ORDER; o++)
			if (pi.nr_free[HM_MT_UNMOVABLE][o])
				return true;
		return false;
	}
	return false;
}

/* the last fault injected was named @attr (6.12 fail_dump()'s "name %s") */
static bool last_fault_was(struct hotmem *hm, const char *attr)
{
	static char log[1 << 20];
	char want[64];
	const char *p, *last = NULL;

	hotmem_dmesg(hm, log, sizeof(log));
	for (p = log; (p = strstr(p, "FAULT_INJECTION: forcing a failure.")); p++)
		last = p;
	snprintf(want, sizeof(want), "name %s,", attr);
	p = last ? strstr(last, "name ") : NULL;
	return p && !strncmp(p, want, strlen(want));
}

/*
 * A DIMM's memmap from system RAM is an unmovable order-9 allocation
 * (vmemmap_alloc_block()); with no unmovable free block of that order it
 * claims a free block of another type (6.12 __rmqueue_fallback() ->
 * steal_suitable_fallback()).  The host refusing the memmap's mapping
 * fails the add: its unwind is hotmem's own and gives the claim back, so
 * /proc/pagetypeinfo and every pageblock's migratetype read as before.
 * A removal keeps the claim, as the kernel's free does (free_one_page()
 * frees into the pageblock's migratetype as it is now).
 */
static void test_refused_add_gives_back_its_memmaps_claim(void **state)
{
	static struct claim_view before, after;
	unsigned long refused = 0;

	(void)state;
	/* the same boot each time: the nth fault point is the same one */
	for (unsigned long nth = 1;; nth++) {
		struct hotmem *hm = boot("default", IDLE_KERNEL);
		uint64_t at = DIMM;
		bool reached;
		int ret;

		/* DIMMs until the next memmap cannot come from an unmovable block */
		while (unmovable_block_free(hm)) {
			assert_true(at < DIMM + 1536 * MiB);
			assert_int_equal(hotmem_add_memory(hm, 0, at, 128 * MiB, 0, -1), 0);
			at += 128 * MiB;
		}
		claim_view_take(hm, &before);
		hotmem_fail_nth_alloc(hm, nth);
		ret = hotmem_add_memory(hm, 0, at, 128 * MiB, 0, -1);
		hotmem_fail_nth_alloc(hm, 0);
		reached = hotmem_fault_injected(hm) > 0;
		check(hm);
		if (ret) {
			claim_view_take(hm, &after);
			claim_view_assert_same(&before, &after);
			refused += last_fault_was(hm, "host_mmap");
		}
		if (!reached) {
			/* the add claimed a block, and its removal keeps it */
			assert_int_equal(ret, 0);
			assert_claimed_since(hm, &before);
			assert_int_equal(hotmem_remove_memory(hm, at, 128 * MiB), 0);
			assert_claimed_since(hm, &before);
			check(hm);
			hotmem_destroy(hm);
			break;
		}
		hotmem_destroy(hm);
	}
	/* the direct map's mapping and the memmap's */
	assert_true(refused >= 2);
}

/*
 * A memmap in base pages (a subsection's, x86's vmemmap_populate() for
 * less than a section; or a PMD's fallback, 6.12
 * vmemmap_populate_hugepages() -> vmemmap_populate_basepages()) is
 * GFP_KERNEL order 0 a page: with no unmovable or reclaimable free page
 * left, the first claims a free max-order block of another type
 * (__rmqueue_fallback() -> steal_suitable_fallback()) and the next come
 * from it.  An add that fails at any point after it (the next page
 * refused) gives the claim back with the pages it mapped, newest first:
 * /proc/pagetypeinfo and every pageblock's type as before.  The add that
 * goes through claimed, and its removal keeps the claim, as the
 * kernel's free does.
 */
static void test_refused_subsection_add_gives_back_its_base_pages_claim(void **state)
{
	static struct claim_view before, after;
	const unsigned long pfn = (DIMM >> 12) + 3 * 512;
	unsigned long refused = 0;

	(void)state;
	for (unsigned long nth = 1;; nth++) {
		struct hotmem *hm = boot("default", IDLE_KERNEL);
		bool reached;
		int ret;

		assert_int_equal(sparse_index_init(hm, pfn_to_section_nr(pfn)), 0);
		take_kernel_free_pages(hm);
		claim_view_take(hm, &before);
		hotmem_fail_nth_alloc(hm, nth);
		ret = sparse_add_section(hm, 0, pfn, 512, NULL);
		hotmem_fail_nth_alloc(hm, 0);
		reached = hotmem_fault_injected(hm) > 0;
		claim_view_take(hm, &after);
		if (reached) {
			assert_int_equal(ret, -ENOMEM);
			assert_false(pfn_valid(hm, pfn));
			claim_view_assert_same(&before, &after);
			refused++;
			hotmem_destroy(hm);
			continue;
		}
		assert_int_equal(ret, 0);
		assert_claimed_since(hm, &before);
		sparse_remove_section(hm, pfn, 512, NULL);
		assert_claimed_since(hm, &before);
		check(hm);
		hotmem_destroy(hm);
		break;
	}
	/* the pte table's, then each of the 8 base pages' (the first one claims) */
	assert_true(refused >= 8);
}

/*
 * The same memmap in base pages as a PMD's fallback (its order-9
 * allocation refused), of an add a state file's undo takes back: the
 * rewind of the kernel's allocations (hotmem_kmem_log_rewind()) and
 * then the removal give back what the base pages claimed, as for a PMD
 * memmap (kmem_memmap_freed())
 */
static void test_rewound_add_gives_back_its_base_pages_claim(void **state)
{
	static struct claim_view before, after;
	bool found = false;

	(void)state;
	for (unsigned long nth = 1; !found; nth++) {
		struct hotmem *hm = boot("default", IDLE_KERNEL);
		unsigned long mark, moved;
		bool huge = true;
		uint64_t rng;

		assert_true(nth < 64);
		take_kernel_free_pages(hm);
		claim_view_take(hm, &before);
		hotmem_kmem_log_start(hm);
		mark = hotmem_kmem_log_mark(hm, &rng);
		hotmem_fail_nth_alloc(hm, nth);
		if (!hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1))
			assert_int_equal(hotmem_section_state(hm, DIMM >> 27, NULL, NULL, &huge,
							      NULL), 0);
		hotmem_fail_nth_alloc(hm, 0);
		/* the fault was the PMD's: the add went on in base pages */
		found = !huge && hotmem_fault_injected(hm) == 1;
		if (found) {
			assert_claimed_since(hm, &before);
			assert_int_equal(hotmem_kmem_log_rewind(hm, mark, rng), 0);
			assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
			hotmem_kmem_log_rewind_end(hm, &moved);
			claim_view_take(hm, &after);
			claim_view_assert_same(&before, &after);
			check(hm);
		}
		hotmem_destroy(hm);
	}
}

static void test_subsections_are_tracked(void **state)
{
	struct hotmem *hm = boot("default", NULL);
	const unsigned long pfn = (DIMM >> 12) + 3 * 512;
	struct ev_log base_log;

	(void)state;
	trace_log_attach(hm, &base_log, "vmemmap_populate_basepages");
	/* ZONE_DEVICE-style 2 MiB add: the memmap of one subsection only */
	assert_int_equal(sparse_index_init(hm, pfn_to_section_nr(pfn)), 0);
	assert_int_equal(sparse_add_section(hm, 0, pfn, 512, NULL), 0);
	/* x86's vmemmap_populate(): less than a section goes to base pages */
	assert_string_equal(base_log.buf, "1050112:512:0:0:0");
	assert_true(pfn_valid(hm, pfn));
	assert_false(pfn_valid(hm, pfn - 1));
	assert_int_equal(sparse_add_section(hm, 0, pfn, 512, NULL), -EEXIST);
	assert_int_equal(sparse_add_section(hm, 0, pfn + 1, 512, NULL), -EINVAL);
	sparse_remove_section(hm, pfn, 512, NULL);
	assert_false(pfn_valid(hm, pfn));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Every section's memmap is a host mapping: an add that would cross the
 * host's vm.max_map_count fails before it starts (-ENOMEM, the reason in
 * the log), not half way with no room left to undo it.
 */
static void test_add_beyond_host_mappings_fails_up_front(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " hotmem.max_map_count=1000000");
	struct hm_snapshot before, after;
	static char log[65536];

	(void)state;
	snapshot(hm, &before);
	/*
	 * Room for 6 more mappings beyond the headroom: a 1 GiB DIMM needs
	 * up to 11 (8 memmaps, each after the first trimming the vmemmap
	 * reservation; the first and the direct map splitting one in three).
	 */
	hm->cfg.host_max_map_count = host_maps_now() + HOST_MAP_HEADROOM + 6;
	/* the engine counts again only near the cap: make "near" now */
	hm->host_maps_bound = host_maps_now();
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 8 * 128 * MiB, 0, -1), -ENOMEM);
	snapshot(hm, &after);
	assert_same(&before, &after);
	/* what it needs, what is left, and the sysctl that would do */
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "needs up to 11 more host mappings, 6 are left under "
				    "hotmem.max_map_count="));
	assert_non_null(strstr(log, "run sysctl vm.max_map_count="));
	/* 2 blocks (5 mappings) fit */
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 2 * 128 * MiB, 0, -1), 0);
	hm->cfg.host_max_map_count = 0;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM + 256 * MiB, 8 * 128 * MiB, 0, -1), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* the engine's bound on its mappings set to a count now */
static void host_maps_recount(struct hotmem *hm)
{
	hm->host_maps_bound = hm->host_maps_counted = host_maps_now();
}

/*
 * Every MAP_FIXED may split the mapping it lands in: the bound the engine
 * keeps between counts of /proc/self/maps stays at or above the real
 * count through each step: adds, templates mapped over merged memmaps,
 * offlines and removals (the PROT_NONE unmaps are mappings too).
 */
/*
 * A refusal the fault injection plays as hosts before 6.12 do tears the
 * range down first: inside a mapping (here the vmemmap reservation, far
 * above anything present) that splits it, and the bound counts it.
 */
static void test_host_map_bound_counts_refusals_that_tear_down(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	char *top = (char *)hm->vmemmap + hm->vmemmap_size;

	(void)state;
	hm->fail_keeps_old = false;
	host_maps_recount(hm);
	hotmem_fail_nth_alloc(hm, 1);
	hm->fail_more = 7;
	for (unsigned long i = 1; i <= 8; i++)
		assert_int_equal(physmem_map_vmemmap(hm, top - i * 2 * 4096, 0, 4096, false),
				 -ENOMEM);
	hotmem_fail_nth_alloc(hm, 0);
	hm->fail_more = 0;
	assert_true(hm->host_maps_bound >= host_maps_now());
	hotmem_destroy(hm);
}

/*
 * usereye5 #7: a failure hotmem_fail_nth_alloc() forces is said in the log
 * as 6.12 lib/fault-inject.c fail_dump() says one (KERN_NOTICE, the
 * attribute's name and settings) and counted, so that a front end can say
 * an ENOMEM was injected, not the machine's.
 */
static void test_injected_failure_is_logged_and_counted(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	static char log[64 * 1024];
	const char *at;

	(void)state;
	assert_int_equal(hotmem_fault_injected(hm), 0);
	hotmem_fail_nth_alloc(hm, 1);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), -ENOMEM);
	assert_int_equal(hotmem_fault_injected(hm), 1);
	hotmem_dmesg(hm, log, sizeof(log));
	at = strstr(log, "<5>FAULT_INJECTION: forcing a failure.\n<5>name ");
	assert_non_null(at);
	assert_non_null(strstr(at, ", interval 1, probability 0, space 0, times 1\n"));
	/* once: the next allocations are the machine's own again */
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_fault_injected(hm), 1);
	check(hm);
	hotmem_destroy(hm);
}

static void test_host_map_bound_is_an_upper_bound(void **state)
{
	struct hotmem *hm;
	const unsigned long first = DIMM >> 27, nr = 8;

	(void)state;
#ifdef __SANITIZE_THREAD__
	/* the bound counts the engine's mappings; /proc/self/maps has TSan's too */
	skip_why("under ThreadSanitizer: its runtime maps memory of its own as threads start "
		 "(the init threads), which /proc/self/maps counts and the engine's bound does "
		 "not (failed 1 run of 13 so)");
#endif
	hm = boot("default", IDLE_KERNEL " memory_hotplug.memmap_on_memory=1");
	for (int round = 0; round < 2; round++) {
		unsigned int flags = round ? HM_MHP_MEMMAP_ON_MEMORY : 0;

		host_maps_recount(hm);
		assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, flags, -1), 0);
		assert_true(hm->host_maps_bound >= host_maps_now());
		/* every other block: a template in the middle of merged memmaps */
		host_maps_recount(hm);
		for (unsigned long b = first; b < first + nr; b += 2)
			assert_int_equal(hotmem_block_set_state(hm, b, HM_MMOP_ONLINE_MOVABLE), 0);
		assert_true(hm->host_maps_bound >= host_maps_now());
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
		/* every other block removed: holes punched in the middle of the memmaps */
		host_maps_recount(hm);
		for (unsigned long b = first + 1; b < first + nr; b += 2)
			assert_int_equal(hotmem_remove_memory(hm, b << 27, 128 * MiB), 0);
		assert_true(hm->host_maps_bound >= host_maps_now());
		for (unsigned long b = first; b < first + nr; b += 2)
			assert_int_equal(hotmem_remove_memory(hm, b << 27, 128 * MiB), 0);
		check(hm);
	}
	hotmem_destroy(hm);
}

/*
 * The host refuses a memmap template's MAP_FIXED after unmapping the range
 * (as before 6.12), and then the memfd's pages on every try too: the
 * online fails with ENOMEM instead of writing the memmap into a hole, and
 * leaves the machine as it was, the memmap mapped again.  Every failure
 * point of an online in turn, the three after it failing too (the engine
 * asks three times for a memmap that must be mapped).
 */
static void test_online_survives_a_host_refusing_the_memmap_twice(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	const unsigned long first = DIMM >> 27, nr = 2;
	unsigned long refused = 0;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, nr * 128 * MiB, 0, -1), 0);
	for (unsigned long nth = 1;; nth++) {
		struct hm_snapshot before, after;
		unsigned long calls = hotmem_alloc_calls(hm);
		int ret;

		snapshot(hm, &before);
		hotmem_fail_nth_alloc(hm, nth);
		hm->fail_more = 3;
		ret = hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE);
		hotmem_fail_nth_alloc(hm, 0);
		hm->fail_more = 0;
		/* the memmap is there to read: a hole or PROT_NONE would fault */
		for (unsigned long pfn = DIMM >> 12; pfn < (DIMM + nr * 128 * MiB) >> 12; pfn += 64)
			(void)*(volatile unsigned long *)&pfn_to_page(hm, pfn)->flags;
		check(hm);
		if (ret) {
			assert_int_equal(ret, -ENOMEM);
			refused++;
		}
		assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_OFFLINE), 0);
		if (ret) {
			snapshot(hm, &after);
			assert_same(&before, &after);
		}
		if (hotmem_alloc_calls(hm) - calls < nth)
			break;	/* the injected failure was never reached */
	}
	assert_true(refused > 0);
	/* it onlines as ever afterwards */
	assert_int_equal(hotmem_online_blocks(hm, first, nr, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(pfn_to_page(hm, DIMM >> 12)->_refcount, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * An online the host refused so often that the memmap stayed unmapped
 * (PROT_NONE, or a hole): the next online that writes the memmap without
 * a template (no slot left for its zone's) maps it first instead of
 * writing into it.
 */
static void test_online_without_template_maps_a_lost_memmap_first(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct mem_section *ms;
	int nr_tmpl;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	/* after the add: its section's root may be the add's (SECTIONS_PER_ROOT) */
	ms = __nr_to_section(hm, DIMM >> 27);
	for (unsigned long nth = 1; !(ms->section_mem_map & SECTION_MEMMAP_UNMAPPED); nth++) {
		int ret;

		assert_true(nth < 1000);
		hotmem_fail_nth_alloc(hm, nth);
		hm->fail_more = 64;
		ret = hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE);
		hotmem_fail_nth_alloc(hm, 0);
		hm->fail_more = 0;
		if (!ret)
			assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	}
	assert_int_equal(block_state(hm, 32), HM_MEM_OFFLINE);
	check(hm);
	/* no template slot for the Normal zone's memmap: it is written */
	nr_tmpl = hm->nr_memmap_tmpl;
	hm->nr_memmap_tmpl = HM_MEMMAP_TEMPLATES;
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	hm->nr_memmap_tmpl = nr_tmpl;
	assert_false(ms->section_mem_map & SECTION_MEMMAP_UNMAPPED);
	for (unsigned long pfn = DIMM >> 12; pfn < (DIMM + 128 * MiB) >> 12; pfn += 64)
		assert_int_equal(page_zonenum(pfn_to_page(hm, pfn)), ZONE_NORMAL);
	check(hm);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * vm.max_map_count lowered below the process's count (here
 * hotmem.max_map_count=, in process): every MAP_FIXED is refused, the
 * unmaps of a removal too.  The removal is refused up front with what it
 * needs, the machine as it was; it goes once the cap is raised.
 */
static void test_remove_above_host_cap_fails_up_front(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL " hotmem.max_map_count=1000000");
	struct hm_snapshot before, after;
	static char log[65536];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 2 * 128 * MiB, 0, -1), 0);
	snapshot(hm, &before);
	hm->cfg.host_max_map_count = host_maps_now() - 1;
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 2 * 128 * MiB), -ENOMEM);
	snapshot(hm, &after);
	assert_same(&before, &after);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log, "removing the memory needs up to 4 more host mappings, "
				    "0 are left under hotmem.max_map_count="));
	hm->cfg.host_max_map_count = 0;
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 2 * 128 * MiB), 0);
	check(hm);
	hotmem_destroy(hm);
}

/* whether the host maps @addr readable (not the reservation's PROT_NONE, not a hole) */
static bool host_readable(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char perms[8];
	bool r = false;

	assert_non_null(f);
	while (fscanf(f, "%lx-%lx %7s%*[^\n]", &lo, &hi, perms) == 3)
		if ((uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
			r = perms[0] == 'r';
			break;
		}
	fclose(f);
	return r;
}

#define REMOVE_NR 2	/* blocks at DIMM */

/*
 * REMOVE_NR blocks at DIMM added, onlined (the first one's memmap split
 * by a huge page's vmemmap optimisation with @split), offlined, and
 * removed with the host refusing at failure point @nth of the removal;
 * false once that point was not reached.
 */
static bool remove_refused_at(struct hotmem *hm, unsigned long nth, bool split)
{
	unsigned long calls;
	int ret;

	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, REMOVE_NR * 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, DIMM >> 27, REMOVE_NR, HM_MMOP_ONLINE_MOVABLE), 0);
	if (split) {
		assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
		assert_int_equal(hotmem_hugetlb_free(hm, 1), 1);
		assert_non_null(__nr_to_section(hm, DIMM >> 27)->vmemmap.pte);
	}
	assert_int_equal(hotmem_online_blocks(hm, DIMM >> 27, REMOVE_NR, HM_MMOP_OFFLINE), 0);
	calls = hotmem_alloc_calls(hm);
	hotmem_fail_nth_alloc(hm, nth);
	ret = hotmem_remove_memory(hm, DIMM, REMOVE_NR * 128 * MiB);
	hotmem_fail_nth_alloc(hm, 0);
	assert_int_equal(ret, 0);
	return hotmem_alloc_calls(hm) - calls >= nth;
}

/* after the removals, the next add and online of the same memory, and the invariants */
static void add_online_again(struct hotmem *hm)
{
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, REMOVE_NR * 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_online_blocks(hm, DIMM >> 27, REMOVE_NR, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
}

/*
 * The host refuses an unmap of a removal and keeps the mapping (6.12):
 * the engine believes no memmap unmapped that the host still maps (it
 * stays populated, its pages still the memmap's, and the next add takes
 * it), and the machine holds its invariants.  Every failure point of a
 * removal in turn.
 */
static void test_remove_with_an_unmap_refused_keeps_what_the_host_keeps(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	unsigned long kept = 0;
	bool reached = true;

	(void)state;
	hm->fail_keeps_old = true;
	for (unsigned long nth = 1; reached; nth++) {
		reached = remove_refused_at(hm, nth, false);
		for (unsigned long s = DIMM >> 27; s < (DIMM >> 27) + REMOVE_NR; s++) {
			struct mem_section *ms = __nr_to_section(hm, s);
			void *memmap = pfn_to_page(hm, section_nr_to_pfn(s));

			assert_false(valid_section(ms));
			assert_int_equal(host_readable(memmap), vmemmap_populated(ms));
			kept += vmemmap_populated(ms);
		}
		check(hm);
	}
	assert_true(kept > 0);
	/* a kept memmap is the next add's */
	add_online_again(hm);
	hotmem_destroy(hm);
}

/*
 * A self-hosted memmap whose unmap the host refused at a removal stays
 * mapped onto the removed block: it is no longer registered with the
 * engine's userfaultfd (another one may register it), as its
 * SECTION_MEMMAP_HOLES is gone (selfreview finding 6).  Every failure
 * point of the removal in turn.
 */
static void test_remove_unmap_refused_unregisters_self_hosted_memmap(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	void *memmap = pfn_to_page(hm, DIMM >> 12);
	unsigned long kept = 0;
	bool reached = true;

	(void)state;
	need_holes(hm);
	hm->fail_keeps_old = true;
	for (unsigned long nth = 1; reached; nth++) {
		unsigned long calls;
		int ret;

		assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB,
						   HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
		assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
		assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
		assert_true(vmemmap_has_holes(__nr_to_section(hm, DIMM >> 27)));
		calls = hotmem_alloc_calls(hm);
		hotmem_fail_nth_alloc(hm, nth);
		ret = hotmem_remove_memory(hm, DIMM, 128 * MiB);
		hotmem_fail_nth_alloc(hm, 0);
		reached = hotmem_alloc_calls(hm) - calls >= nth;
		if (ret)
			continue;
		assert_false(vmemmap_has_holes(__nr_to_section(hm, DIMM >> 27)));
		if (host_readable(memmap)) {
			int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
			struct uffdio_api api = { .api = UFFD_API };
			struct uffdio_register reg = {
				.range = { (uintptr_t)memmap, 2 * MiB },
				.mode = UFFDIO_REGISTER_MODE_MISSING,
			};

			assert_true(uffd >= 0);
			assert_int_equal(ioctl(uffd, UFFDIO_API, &api), 0);
			assert_int_equal(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);
			close(uffd);
			kept++;
		}
		check(hm);
	}
	assert_true(kept > 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1),
			 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * The same refused after the host tore the mapping down (hosts before
 * 6.12): a hole, which the engine took for a memmap kept (populated, its
 * pages and SECTION_MEMMAP_SHARED kept, "they stay mapped"), and the next
 * add and online wrote into the hole (SIGSEGV).  Now a memmap torn down
 * is freed as an unmapped one and the reservation's PROT_NONE goes back;
 * every failure point of a removal in turn, of whole memmaps (PMD) and
 * of memmaps split by a huge page's vmemmap optimisation (PTEs).
 */
static void test_remove_unmap_refused_torn_down(void **state)
{
	(void)state;
	for (int split = 0; split < 2; split++) {
		struct hotmem *hm = boot("default", "hugetlb_free_vmemmap=on " IDLE_KERNEL);
		static char log[HM_DMESG_SIZE];
		bool reached = true;

		hm->fail_keeps_old = false;
		for (unsigned long nth = 1; reached; nth++) {
			reached = remove_refused_at(hm, nth, split);
			for (unsigned long s = DIMM >> 27; s < (DIMM >> 27) + REMOVE_NR; s++) {
				struct mem_section *ms = __nr_to_section(hm, s);

				assert_false(valid_section(ms));
				assert_false(vmemmap_populated(ms));
				assert_false(ms->section_mem_map & SECTION_MEMMAP_SHARED);
			}
			check(hm);
		}
		hotmem_dmesg(hm, log, sizeof(log));
		assert_non_null(strstr(log, "after tearing them down"));
		add_online_again(hm);
		hotmem_destroy(hm);
	}
}

/* at boot, and once in hotmemfs: what plugging maxmem with self-hosted memmaps needs */
static void test_boot_says_the_map_count_maxmem_needs(void **state)
{
	/* a cap just above the engine's headroom: maxmem's 512 memmaps cannot fit */
	const unsigned long cap = HOST_MAP_HEADROOM + 4;
	char on_memory[256], from_ram[256];
	struct hotmem *hm, *fits, *ram;
	unsigned long need;
	static char log[65536];
	const char *say;

	(void)state;
	snprintf(on_memory, sizeof(on_memory),
		 IDLE_KERNEL " memory_hotplug.memmap_on_memory=1 hotmem.max_map_count=%lu", cap);
	snprintf(from_ram, sizeof(from_ram), IDLE_KERNEL " hotmem.max_map_count=%lu", cap);
	hm = boot("default", on_memory);
	need = hotmem_host_maps_needed(hm);
	fits = boot("default", IDLE_KERNEL " memory_hotplug.memmap_on_memory=1");
	ram = boot("default", from_ram);
	assert_true(need > cap);
	hotmem_dmesg(hm, log, sizeof(log));
	/* the same as now, give or take the mappings the count itself moved */
	say = strstr(log, "needs sysctl vm.max_map_count=");
	assert_non_null(say);
	assert_true(labs(strtol(strchr(say, '=') + 1, NULL, 10) - (long)need) < 64);
	/* the default cap holds the default profile; memmaps from RAM are not counted */
	assert_int_equal(hotmem_host_maps_needed(fits), 0);
	assert_int_equal(hotmem_host_maps_needed(ram), 0);
	hotmem_destroy(hm);
	hotmem_destroy(fits);
	hotmem_destroy(ram);
}

/*
 * Review O1: a reader of a pfn's struct page (hotmem_page_flags()) beside
 * the removal of its memory read the memmap the removal unmapped
 * (SIGSEGV), or its freed usage map: it tested pfn_valid() under no lock
 * the removal takes.  Now it holds get_online_mems(), as the kernel's
 * readers that may meet a removal do.  Deterministic: a reader starts
 * while the removal is in sparse_remove_section() (its trace step, under
 * mem_hotplug_lock), and the removal goes on once the reader has either
 * finished (it did not wait: the old way) or sleeps (on the lock); after
 * the removal the reader must have found no memmap (-EINVAL), never read
 * the one being removed (0).
 */
struct removal_reader {
	struct hotmem *hm;
	uint64_t pfn;
	pthread_t thread;
	bool started, create_failed;
	_Atomic pid_t tid;
	_Atomic bool done;
	int ret, own_ret;
};

static void *removal_read(void *arg)
{
	struct removal_reader *r = arg;
	unsigned long flags;

	atomic_store(&r->tid, (pid_t)syscall(SYS_gettid));
	r->ret = hotmem_page_flags(r->hm, r->pfn, &flags);
	atomic_store(&r->done, true);
	return NULL;
}

/* the thread is asleep (S in /proc/self/task/TID/stat): waiting on a lock */
static bool thread_sleeps(pid_t tid)
{
	char path[64], buf[512], *p;
	bool sleeps = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		sleeps = p[2] == 'S';
	fclose(f);
	return sleeps;
}

static void reader_at_removal(const struct hm_event *ev, void *arg)
{
	struct removal_reader *r = arg;

	if (ev->type != HM_EV_TRACE || ev->exit || strcmp(ev->fn, "sparse_remove_section") ||
	    r->started || r->create_failed)
		return;
	/*
	 * A read in the removal's own thread (it holds mem_hotplug_lock for
	 * writing) is excluded already: it neither waits for itself nor
	 * releases the removal's lock.  No cmocka assert here: the removal
	 * holds the engine's locks.
	 */
	r->own_ret = hotmem_page_flags(r->hm, r->pfn, &(unsigned long){ 0 });
	if (pthread_create(&r->thread, NULL, removal_read, r)) {
		r->create_failed = true;
		return;
	}
	r->started = true;
	while (!atomic_load(&r->done) && !(atomic_load(&r->tid) && thread_sleeps(atomic_load(&r->tid))))
		sched_yield();
}

static void test_page_reader_beside_a_removal_never_reads_its_memmap(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	struct removal_reader r = { .hm = hm, .pfn = (DIMM >> 12) + 5000, .own_ret = 1 };
	unsigned long flags;
	int slot;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_page_flags(hm, r.pfn, &flags), 0);
	slot = hotmem_subscribe(hm, reader_at_removal, &r);
	assert_true(slot >= 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	hotmem_unsubscribe(hm, slot);
	assert_false(r.create_failed);
	assert_true(r.started);
	assert_int_equal(pthread_join(r.thread, NULL), 0);
	assert_int_equal(r.ret, -EINVAL);
	assert_int_equal(r.own_ret, 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * hotmem_block_info() (every stat of memoryN/ in hotmemfs, no hotplug
 * lock) read the block's altmap while the removal of its memmap_on_memory
 * block took it away (remove_memory_blocks_and_altmaps()'s mem->altmap =
 * NULL) under no lock the reader takes: a data race, which TSan reports
 * (make tsan-build, tests/reliability/tsan.t).  Certain, not timed: at the
 * removal's start the reader is let make two more reads, counted with a
 * relaxed atomic (no happens-before for TSan), before the removal goes on
 * to take the altmap.  Without TSan it checks what the reader may see.
 */
struct info_reader {
	struct hotmem *hm;
	_Atomic unsigned long reads;
	_Atomic bool stop;
	int bad;	/* a read neither 0 nor -ENOENT, or a wrong nr_vmemmap_pages */
};

static void *info_read(void *arg)
{
	struct info_reader *r = arg;

	while (!atomic_load(&r->stop)) {
		struct hm_block_info bi;
		int ret = hotmem_block_info(r->hm, 32, &bi);

		if ((ret && ret != -ENOENT) || (!ret && bi.nr_vmemmap_pages != 512 &&
						bi.nr_vmemmap_pages != 0))
			r->bad++;
		atomic_fetch_add_explicit(&r->reads, 1, memory_order_relaxed);
	}
	return NULL;
}

static void reads_at_altmap_removal(const struct hm_event *ev, void *arg)
{
	struct info_reader *r = arg;
	unsigned long seen;

	if (ev->type != HM_EV_TRACE || ev->exit || strcmp(ev->fn, "remove_memory_blocks_and_altmaps"))
		return;
	seen = atomic_load_explicit(&r->reads, memory_order_relaxed);
	while (atomic_load_explicit(&r->reads, memory_order_relaxed) < seen + 2)
		sched_yield();
}

static void test_block_info_beside_the_removal_of_its_altmap(void **state)
{
	struct hotmem *hm = boot("default", "memory_hotplug.memmap_on_memory=1 " IDLE_KERNEL);
	struct info_reader r = { .hm = hm };
	pthread_t t;
	int slot;

	(void)state;
	slot = hotmem_subscribe(hm, reads_at_altmap_removal, &r);
	assert_true(slot >= 0);
	assert_int_equal(pthread_create(&t, NULL, info_read, &r), 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
		assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	}
	atomic_store(&r.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	hotmem_unsubscribe(hm, slot);
	assert_int_equal(r.bad, 0);
	assert_true(atomic_load(&r.reads) >= 6);
	check(hm);
	hotmem_destroy(hm);
}

/* K(global_zone_page_state(NR_FREE_PAGES)), as reserve_mem_notifier() reads it */
static unsigned long free_kbytes_now(struct hotmem *hm)
{
	struct hm_meminfo mi;

	hotmem_meminfo(hm, &mi);
	return mi.free_pages * 4;
}

/* what a memory notifier behind reserve_mem_notifier() saw */
struct reserve_seen {
	unsigned long action, free_kbytes, user, admin;
};

static int reserve_seen_cb(struct hotmem *hm, unsigned long action,
			   const struct memory_notify *arg, void *data)
{
	struct reserve_seen *r = data;

	(void)arg;
	if (action == HM_MEM_ONLINE || action == HM_MEM_OFFLINE)
		*r = (struct reserve_seen){ action, free_kbytes_now(hm),
					    hotmem_user_reserve_kbytes(hm),
					    hotmem_admin_reserve_kbytes(hm) };
	return 0;
}

/*
 * 6.12 mm/mmap.c (abuse30b V5): the reserves from 1/32 of the free memory
 * at boot (at most 128 MiB, 8 MiB); reserve_mem_notifier(), at
 * DEFAULT_CALLBACK_PRI ahead of a notifier registered after it (a
 * driver's), computes a value in (0, max) again at MEM_ONLINE, an
 * operator's 0 or one past the max left alone, and resets at MEM_OFFLINE
 * a value above the free memory, saying so ("mmap: vm.user_reserve_kbytes
 * reset to N", then admin's).
 */
static void test_reserve_mem_notifier(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	struct reserve_seen seen = { 0 };
	struct notifier_block nb = { .notifier_call = reserve_seen_cb, .data = &seen };
	static char log[1 << 20];
	char line[96];

	(void)state;
	/* 512M: ~15000 KiB for users, admin's at its 8 MiB maximum */
	assert_in_range(hotmem_user_reserve_kbytes(hm), 10000, 16384);
	assert_int_equal(hotmem_admin_reserve_kbytes(hm), 8192);
	register_memory_notifier(hm, &nb);
	/* an operator's value below the maximum is recomputed all the same */
	hotmem_set_user_reserve_kbytes(hm, 1000);
	hotmem_set_admin_reserve_kbytes(hm, 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(seen.action, HM_MEM_ONLINE);
	assert_int_equal(seen.user, seen.free_kbytes / 32);
	assert_int_equal(seen.admin, 0);
	/* past the maximum: left alone at an online, reset at an offline */
	hotmem_set_user_reserve_kbytes(hm, 10UL << 20);
	hotmem_set_admin_reserve_kbytes(hm, 5UL << 20);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(seen.user, 10UL << 20);
	assert_int_equal(seen.admin, 5UL << 20);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_int_equal(seen.action, HM_MEM_OFFLINE);
	assert_int_equal(seen.user, seen.free_kbytes / 32);
	assert_int_equal(seen.admin, 8192);
	hotmem_dmesg(hm, log, sizeof(log));
	snprintf(line, sizeof(line), "<6>mmap: vm.user_reserve_kbytes reset to %lu\n", seen.user);
	assert_int_equal(count_lines(log, line), 1);
	assert_int_equal(count_lines(log, "<6>mmap: vm.admin_reserve_kbytes reset to 8192\n"), 1);
	assert_true(strstr(log, line) < strstr(log, "vm.admin_reserve_kbytes reset"));
	/* within the free memory: nothing to reset, nothing said */
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(count_lines(log, "_reserve_kbytes reset to"), 2);
	unregister_memory_notifier(hm, &nb);
	check(hm);
	hotmem_destroy(hm);
}

/* the pages the watermarks share min_free_kbytes over: managed below ZONE_MOVABLE */
static unsigned long lowmem_managed(struct hotmem *hm)
{
	unsigned long pages = 0;

	for (int zid = 0; zid < HM_ZONE_MOVABLE; zid++) {
		struct hm_zone_info zi;

		assert_int_equal(hotmem_zone_info(hm, 0, zid, &zi), 0);
		pages += zi.managed;
	}
	return pages;
}

/* node 0's lowmem zones' high watermarks, into @high */
static void lowmem_highs(struct hotmem *hm, unsigned long high[HM_ZONE_MOVABLE])
{
	for (int zid = 0; zid < HM_ZONE_MOVABLE; zid++) {
		struct hm_zone_info zi;

		assert_int_equal(hotmem_zone_info(hm, 0, zid, &zi), 0);
		high[zid] = zi.wmark_high;
	}
}

/*
 * What an online or offline computes min_free_kbytes as (6.12
 * calculate_min_free_kbytes()): int_sqrt(lowmem KiB * 16) of
 * nr_free_buffer_pages(), the lowmem zones' managed pages now above the
 * high watermarks they had before (@high)
 */
static unsigned long computed_min_free_kbytes(struct hotmem *hm,
					      const unsigned long high[HM_ZONE_MOVABLE])
{
	unsigned long pages = 0;

	for (int zid = 0; zid < HM_ZONE_MOVABLE; zid++) {
		struct hm_zone_info zi;

		assert_int_equal(hotmem_zone_info(hm, 0, zid, &zi), 0);
		pages += zi.managed > high[zid] ? zi.managed - high[zid] : 0;
	}
	return (unsigned long)sqrt((double)pages * 4 * 16);
}

static struct hm_zone_info zone0(struct hotmem *hm, int zid)
{
	struct hm_zone_info zi;

	assert_int_equal(hotmem_zone_info(hm, 0, zid, &zi), 0);
	return zi;
}

/*
 * vm.min_free_kbytes, vm.watermark_scale_factor, vm.lowmem_reserve_ratio
 * as a 6.12.117 guest (QEMU -m 512M) takes them: the watermarks and
 * reserves follow each write at once (guest: min_free_kbytes 5000 gave
 * DMA32 min 1202 of 97875 managed; watermark_scale_factor 200 low 3159 and
 * high 5116, min + managed * 200 / 10000 and twice that; ratio 7 for DMA
 * protection 13982, DMA32's managed / 7; -1 stored as 0, no protection).
 * An online keeps a user value at least as large as its own ("min_free_kbytes
 * is not updated to 2850 because user defined value 20000 is preferred")
 * and computes a larger one again (user 1000: 3266), from the lowmem pages
 * above the high watermarks (nr_free_buffer_pages(): the guest's 2920
 * written back, a Movable online computed 2921).
 */
static void test_watermark_sysctls(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	static char log[1 << 20];
	const int ratio[HM_MAX_NR_ZONES] = { 7, 0, -1, 0, 0 };
	int got[HM_MAX_NR_ZONES];
	unsigned long boot_kbytes = hotmem_min_free_kbytes(hm), lowmem, share, expect;
	unsigned long high[HM_ZONE_MOVABLE];
	struct hm_zone_info dma32;
	char line[128];

	(void)state;
	assert_int_equal(hotmem_user_min_free_kbytes(hm), -1);
	assert_int_equal(hotmem_watermark_scale_factor(hm), 10);
	/* proc_dointvec_minmax()'s bounds: refused, nothing moved */
	assert_int_equal(hotmem_set_min_free_kbytes(hm, -1), -EINVAL);
	assert_int_equal(hotmem_set_min_free_kbytes(hm, (long long)INT_MAX + 1), -EINVAL);
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 0), -EINVAL);
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 3001), -EINVAL);
	assert_int_equal(hotmem_min_free_kbytes(hm), boot_kbytes);
	assert_int_equal(hotmem_user_min_free_kbytes(hm), -1);
	assert_int_equal(hotmem_watermark_scale_factor(hm), 10);

	assert_int_equal(hotmem_set_min_free_kbytes(hm, 5000), 0);
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 200), 0);
	lowmem = lowmem_managed(hm);
	dma32 = zone0(hm, HM_ZONE_DMA32);
	assert_int_equal(dma32.wmark_min, (5000 / 4) * dma32.managed / lowmem);
	share = dma32.managed * 200 / 10000;
	assert_int_equal(dma32.wmark_low, dma32.wmark_min + share);
	assert_int_equal(dma32.wmark_high, dma32.wmark_min + 2 * share);

	hotmem_set_lowmem_reserve_ratio(hm, ratio, HM_MAX_NR_ZONES);
	hotmem_lowmem_reserve_ratio(hm, got);
	assert_int_equal(got[0], 7);
	assert_int_equal(got[2], 0);
	assert_int_equal(zone0(hm, HM_ZONE_DMA).lowmem_reserve[HM_ZONE_NORMAL], dma32.managed / 7);
	/* a partial write sets its own ratios alone, the others as the last writer left them */
	hotmem_set_lowmem_reserve_ratio(hm, (const int[]){ 100, 100 }, 2);
	hotmem_set_lowmem_reserve_ratio(hm, (const int[]){ 9 }, 1);
	hotmem_lowmem_reserve_ratio(hm, got);
	assert_memory_equal(got, ((const int[HM_MAX_NR_ZONES]){ 9, 100, 0, 0, 0 }), sizeof(got));
	hotmem_set_lowmem_reserve_ratio(hm, (const int[HM_MAX_NR_ZONES]){ -1, 256, 32, 0, 0 },
					HM_MAX_NR_ZONES);
	assert_int_equal(zone0(hm, HM_ZONE_DMA).lowmem_reserve[HM_ZONE_NORMAL], 0);

	/* the operator's 20000 outweighs the online's own: kept, and said */
	assert_int_equal(hotmem_set_watermark_scale_factor(hm, 10), 0);
	assert_int_equal(hotmem_set_min_free_kbytes(hm, 20000), 0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 256 * MiB, 0, -1), 0);
	lowmem_highs(hm, high);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_min_free_kbytes(hm), 20000);
	snprintf(line, sizeof(line),
		 "<4>min_free_kbytes is not updated to %lu because user defined value 20000 is preferred\n",
		 computed_min_free_kbytes(hm, high));
	hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(count_lines(log, line), 1);
	/* the watermarks follow the 20000 over the new zone too */
	assert_int_equal(zone0(hm, HM_ZONE_NORMAL).wmark_min,
			 (20000 / 4) * zone0(hm, HM_ZONE_NORMAL).managed / lowmem_managed(hm));

	/* below the online's own: computed again, the operator's kept for the next */
	assert_int_equal(hotmem_set_min_free_kbytes(hm, 1000), 0);
	lowmem_highs(hm, high);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_KERNEL), 0);
	expect = computed_min_free_kbytes(hm, high);
	assert_true(expect > 1000);
	assert_int_equal(hotmem_min_free_kbytes(hm), expect);
	assert_int_equal(hotmem_user_min_free_kbytes(hm), 1000);
	/*
	 * the guest's 2920 and 2921: the offline's own value written back,
	 * a Movable online (no lowmem page more) computes one more -- the
	 * high watermarks it takes off came down with the offline's value
	 */
	lowmem_highs(hm, high);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_min_free_kbytes(hm), computed_min_free_kbytes(hm, high));
	expect = hotmem_min_free_kbytes(hm);
	assert_int_equal(hotmem_set_min_free_kbytes(hm, (long long)expect), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_true(hotmem_min_free_kbytes(hm) > expect);
	hotmem_dmesg(hm, log, sizeof(log));
	assert_int_equal(count_lines(log, "min_free_kbytes is not updated"), 1);

	/* a saved machine's pair, as a restore puts it back */
	assert_int_equal(hotmem_restore_min_free_kbytes(hm, 4321, -1), 0);
	assert_int_equal(hotmem_min_free_kbytes(hm), 4321);
	assert_int_equal(hotmem_user_min_free_kbytes(hm), -1);
	assert_int_equal(hotmem_restore_min_free_kbytes(hm, 4321, -2), -EINVAL);
	check(hm);
	hotmem_destroy(hm);
}

int main(void)
{
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_creates_offline_blocks_with_add_uevents),
		cmocka_unit_test(test_host_map_bound_is_an_upper_bound),
		cmocka_unit_test(test_host_map_bound_counts_refusals_that_tear_down),
		cmocka_unit_test(test_injected_failure_is_logged_and_counted),
		cmocka_unit_test(test_online_survives_a_host_refusing_the_memmap_twice),
		cmocka_unit_test(test_online_without_template_maps_a_lost_memmap_first),
		cmocka_unit_test(test_remove_above_host_cap_fails_up_front),
		cmocka_unit_test(test_remove_with_an_unmap_refused_keeps_what_the_host_keeps),
		cmocka_unit_test(test_remove_unmap_refused_torn_down),
		cmocka_unit_test(test_remove_unmap_refused_unregisters_self_hosted_memmap),
		cmocka_unit_test(test_boot_says_the_map_count_maxmem_needs),
		cmocka_unit_test(test_add_refuses_bad_ranges_with_kernel_errnos),
		cmocka_unit_test(test_memhp_default_state_onlines_new_blocks),
		cmocka_unit_test(test_remove_needs_every_block_of_the_range_offline),
		cmocka_unit_test(test_remove_across_two_adds_checks_blocks_first),
		cmocka_unit_test(test_removed_dimm_gives_host_memory_back),
		cmocka_unit_test(test_free_self_hosted_memmap_costs_the_host_its_heads),
		cmocka_unit_test(test_prefilled_first_onlines_of_128m_blocks),
		cmocka_unit_test(test_prefilled_first_onlines_of_1g_blocks),
		cmocka_unit_test(test_batch_of_1g_blocks_lends_a_thread_to_its_prefetcher),
		cmocka_unit_test(test_prefetch_fills_its_batch_blocks_with_what_holes_stand_for),
		cmocka_unit_test(test_prefilled_memmap_filled_since_is_punched),
		cmocka_unit_test(test_forked_child_leaves_the_fault_thread_alone),
		cmocka_unit_test(test_forked_child_cannot_zero_the_memmap),
		cmocka_unit_test(test_free_memmap_from_ram_costs_the_host_its_heads),
		cmocka_unit_test(test_memmap_onlined_again_is_reshared_in_place),
		cmocka_unit_test(test_memmap_used_while_online_gives_its_copies_back),
		cmocka_unit_test(test_pagemap_copies_are_anonymous_pages_only),
		cmocka_unit_test(test_copied_pages_scan_agrees_with_pagemap),
		cmocka_unit_test(test_fresh_template_mapping_copies_the_buddy_heads_only),
		cmocka_unit_test(test_memmap_allocation_marks_its_head_only),
		cmocka_unit_test(test_reshare_asks_again_after_any_write_that_copied),
		cmocka_unit_test(test_shared_memmap_is_mapped_where_read),
		cmocka_unit_test(test_shared_memmap_without_the_hosts_help),
		cmocka_unit_test(test_cpuless_node_goes_offline_when_its_movable_memory_goes),
		cmocka_unit_test(test_nearly_full_machine_needs_memmap_on_memory),
		cmocka_unit_test(test_self_hosted_memmap_describes_itself),
		cmocka_unit_test(test_direct_map_pointer_never_reads_a_hole),
		cmocka_unit_test(test_memmap_on_memory_changes_memtotal_by_126m),
		cmocka_unit_test(test_fragmented_memory_falls_back_to_base_pages),
		cmocka_unit_test(test_every_hot_add_allocation_failure_rolls_back),
		cmocka_unit_test(test_section_walks_see_every_root),
		cmocka_unit_test(test_every_hot_add_allocation_failure_rolls_back_new_root),
		cmocka_unit_test(test_refused_add_gives_back_its_memmaps_claim),
		cmocka_unit_test(test_refused_subsection_add_gives_back_its_base_pages_claim),
		cmocka_unit_test(test_rewound_add_gives_back_its_base_pages_claim),
		cmocka_unit_test(test_subsections_are_tracked),
		cmocka_unit_test(test_add_beyond_host_mappings_fails_up_front),
		cmocka_unit_test(test_cpu_nodes_decide_has_cpu),
		cmocka_unit_test(test_memoryless_cpu_node),
		cmocka_unit_test(test_cpu_node_not_possible_is_refused),
		cmocka_unit_test(test_cpuless_node_stays_while_its_boot_memory_does),
		cmocka_unit_test(test_page_reader_beside_a_removal_never_reads_its_memmap),
		cmocka_unit_test(test_block_info_beside_the_removal_of_its_altmap),
		cmocka_unit_test(test_reserve_mem_notifier),
		cmocka_unit_test(test_watermark_sysctls),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
