// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised operation sequences, checked by the invariant checker after
 * every step, and threads racing the same machine like the filesystem's
 * worker threads do.  HOTMEM_SEED=n replays a sequence.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

#define SLOT_BASE 0x100000000ULL
#define SLOT_SIZE (512 * MiB)
#define NR_SLOTS 8

static unsigned long rnd(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned long seed_from_env(void)
{
	const char *e = getenv("HOTMEM_SEED");

	return e ? strtoul(e, NULL, 0) : 0x5eed1234UL;
}

static void random_op(struct hotmem *hm, unsigned long *s, unsigned long *handles,
		      unsigned long *nh, uint64_t *slot_size)
{
	unsigned long slot = rnd(s) % NR_SLOTS;
	uint64_t base = SLOT_BASE + slot * SLOT_SIZE;
	unsigned long block = (unsigned long)(SLOT_BASE >> 27) + rnd(s) % (NR_SLOTS * 4);

	switch (rnd(s) % 10) {
	case 0:
		if (!slot_size[slot]) {
			uint64_t size = (1 + rnd(s) % 4) * 128 * MiB;

			if (!hotmem_add_memory(hm, 0, base, size,
					       rnd(s) & 1 ? HM_MHP_MEMMAP_ON_MEMORY : 0, -1))
				slot_size[slot] = size;
		}
		break;
	case 1:
		if (slot_size[slot] && (rnd(s) & 1 ?
			!hotmem_remove_memory(hm, base, slot_size[slot]) :
			!hotmem_offline_and_remove_memory(hm, base, slot_size[slot])))
			slot_size[slot] = 0;
		break;
	case 2: case 3:
		hotmem_block_set_state(hm, block, 1 + (int)(rnd(s) % 3));
		break;
	case 4: case 5:
		hotmem_block_set_state(hm, block, HM_MMOP_OFFLINE);
		break;
	case 6: {
		long n = hotmem_alloc_pages(hm, -1, rnd(s) % 4 ? HM_ALLOC_MOVABLE :
				HM_ALLOC_UNMOVABLE, rnd(s) % 5000, handles + *nh);

		if (n > 0 && *nh + (unsigned long)n < 200000)
			*nh += (unsigned long)n;
		break;
	}
	case 7:
		for (int i = 0; i < 2000 && *nh; i++) {
			unsigned long k = rnd(s) % *nh;

			hotmem_free_page(hm, handles[k]);
			handles[k] = handles[--*nh];
		}
		break;
	case 8:
		if (rnd(s) & 1)
			hotmem_hugetlb_alloc(hm, 0, rnd(s) % 8);
		else
			hotmem_hugetlb_free(hm, rnd(s) % 8);
		break;
	case 9:
		hotmem_set_notifier_error(hm, rnd(s) & 1 ? HM_MEM_GOING_ONLINE :
					  HM_MEM_GOING_OFFLINE, rnd(s) % 3 ? 0 : -EBUSY);
		break;
	}
}

static void test_random_sequences_keep_every_invariant(void **state)
{
	unsigned long seed = seed_from_env();
	unsigned long *handles = malloc(210000 * sizeof(*handles));

	(void)state;
	print_message("# seed %#lx (HOTMEM_SEED to replay)\n", seed);
	for (int machine = 0; machine < 3; machine++) {
		static const char *const cmdlines[] = {
			"hugetlb_free_vmemmap=on memory_hotplug.memmap_on_memory=1",
			"memory_hotplug.online_policy=auto-movable memory_hotplug.memmap_on_memory=1",
			"movable_node memhp_default_state=online",
		};
		struct hotmem *hm = boot("default", cmdlines[machine]);
		uint64_t slot_size[NR_SLOTS] = { 0 };
		unsigned long s = seed + (unsigned long)machine, nh = 0;

		for (int step = 0; step < 300; step++) {
			char err[512];

			random_op(hm, &s, handles, &nh, slot_size);
			if (hotmem_check_invariants(hm, err, sizeof(err)))
				fail_msg("machine %d step %d (seed %#lx): %s", machine, step, seed, err);
		}
		hotmem_destroy(hm);
	}
	free(handles);
}

struct racer {
	struct hotmem *hm;
	unsigned long seed;
	unsigned long ops;
	unsigned int nr_kinds;	/* of operation: 5 with HugeTLB */
};

static void kpage_read(struct hotmem *hm, unsigned long block, unsigned long *s)
{
	const unsigned long nr = 512, at = block * (128 * MiB >> 12) + rnd(s) % (32768 - nr);
	uint64_t e[512];

	assert_int_equal(hotmem_kpageflags(hm, at, nr, e), nr);
	assert_int_equal(hotmem_kpagecount(hm, at, nr, e), nr);
}

static void *race(void *arg)
{
	struct racer *r = arg;
	unsigned long s = r->seed, handles[64];

	for (int i = 0; i < 400; i++) {
		unsigned long block = 32 + rnd(&s) % 16;
		long n;

		switch (rnd(&s) % r->nr_kinds) {
		case 0:
			hotmem_block_set_state(r->hm, block, 1 + (int)(rnd(&s) % 3));
			break;
		case 1:
			hotmem_block_set_state(r->hm, block, HM_MMOP_OFFLINE);
			break;
		case 2:
			n = hotmem_alloc_pages(r->hm, -1, rnd(&s) % 3 ? HM_ALLOC_MOVABLE :
					       HM_ALLOC_UNMOVABLE, 64, handles);
			for (long k = 0; k < n; k++)
				if (rnd(&s) & 1)
					hotmem_free_page(r->hm, handles[k]);
			break;
		case 3: {
			char buf[64];
			struct hm_block_info bi;
			struct hm_explain ex;
			struct hm_meminfo mi;
			struct hm_node_info ni;
			struct hm_pagetype_info pi;

			hotmem_block_info(r->hm, block, &bi);
			hotmem_block_valid_zones(r->hm, block, buf, sizeof(buf));
			hotmem_explain(r->hm, block, &ex);
			/* the pool's counts beside case 4's HugeTLB (a plain read raced its atomics) */
			hotmem_meminfo(r->hm, &mi);
			hotmem_node_info(r->hm, 0, &ni);
			/*
			 * /proc/pagetypeinfo's pageblock count beside the onlines:
			 * without the zone lock its page_zone() raced an online's
			 * memmap init
			 */
			hotmem_zone_pagetype_info(r->hm, 0, rnd(&s) & 1 ? HM_ZONE_MOVABLE : HM_ZONE_NORMAL,
						  &pi);
			/*
			 * /proc/kpageflags, kpagecount: lock-free on the pages as
			 * explain, from anywhere in the block (a free block's middle
			 * too), beside its onlines, offlines and allocations
			 */
			kpage_read(r->hm, block, &s);
			break;
		}
		case 4:
			/* HVO splits and unshares memmaps from system RAM as it goes */
			if (rnd(&s) & 1)
				hotmem_hugetlb_alloc(r->hm, 0, 1 + rnd(&s) % 4);
			else
				hotmem_hugetlb_free(r->hm, 1 + rnd(&s) % 4);
			break;
		}
		r->ops++;
	}
	return NULL;
}

static void four_threads_racing(const char *cmdline, int flags, unsigned int nr_kinds)
{
	struct hotmem *hm = boot("default", cmdline);
	struct racer r[4];
	pthread_t t[4];

	assert_int_equal(hotmem_add_memory(hm, 0, SLOT_BASE, 2 * GiB, flags, -1), 0);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct racer){ hm, seed_from_env() + (unsigned long)i * 7919, 0, nr_kinds };
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].ops, 400);
	}
	check(hm);
	hotmem_free_all(hm);
	check(hm);
	hotmem_destroy(hm);
}

static void test_four_threads_racing_keep_every_invariant(void **state)
{
	(void)state;
	four_threads_racing("memory_hotplug.memmap_on_memory=1", HM_MHP_MEMMAP_ON_MEMORY, 4);
}

/*
 * Memmaps from system RAM, shared with their templates, and HugeTLB
 * vmemmap optimisation splitting and unsharing them while the workload
 * allocates on other threads (it crashed in the buddy's free lists when
 * HVO let it run beside an unshare).
 */
static void test_four_threads_racing_hvo_keep_every_invariant(void **state)
{
	(void)state;
	four_threads_racing("hugetlb_free_vmemmap=on", 0, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sequences_keep_every_invariant),
		cmocka_unit_test(test_four_threads_racing_keep_every_invariant),
		cmocka_unit_test(test_four_threads_racing_hvo_keep_every_invariant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
