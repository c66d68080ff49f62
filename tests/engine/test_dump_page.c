// SPDX-License-Identifier: GPL-2.0
/*
 * engine/debug.c's dump_page() of a user page migration left (usereye10
 * U1): 6.12 do_migrate_range() dumps the folios migrate_pages() left on
 * its source list, so the dump shows what kept each there -- a pin's
 * GUP_PIN_COUNTING_BIAS in the refcount, beside the mapping's reference
 * and the isolation's -- where the engine printed refcount:1 mapcount:0,
 * the look of a page migration could have moved.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define DIMM 0x100000000ULL
#define DIMM_PFN (DIMM >> 12)

struct countdown {
	int after, asked;
};

static bool countdown_signal(void *arg)
{
	struct countdown *c = arg;

	return ++c->asked > c->after;
}

/* the dump of pfn @pfn in @log, from its "page:" line to its reason */
static const char *dump_of(const char *log, unsigned long pfn, char *buf, size_t len)
{
	char at[64];
	const char *p, *end;

	snprintf(at, sizeof(at), " pfn:%#lx\n", pfn);
	p = strstr(log, at);
	assert_non_null(p);
	while (p > log && p[-1] != '\n')
		p--;
	end = strstr(p, "page dumped because: ");
	assert_non_null(end);
	end = strchr(end, '\n');
	assert_non_null(end);
	snprintf(buf, len, "%.*s", (int)(end + 1 - p), p);
	return buf;
}

/*
 * A looping offline's "migration failure" dump of @pfn, a workload page
 * of @type (whose refcount is @refs) in a Movable DIMM block: the offline
 * ended by a signal after its first pass (-EINTR), the rest of memory
 * filled first when @fill (nowhere to migrate to).  The dump into @dump,
 * the log into @log; the page's handle in *@h.
 */
static struct hotmem *dump_after_looping_offline(unsigned long pfn, int type, int refs, bool fill,
						 unsigned long *h, char *log, size_t loglen,
						 char *dump, size_t len)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	struct countdown cd = { .after = 1 };
	const struct hotmem_task task = { .signal_pending = countdown_signal, .arg = &cd };

	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, pfn, type, h), 0);
	/* the engine's page carries its references, not only its dump */
	assert_int_equal(page_ref_count(pfn_to_page(hm, pfn)), refs);
	while (fill && hotmem_alloc_pages(hm, -1, HM_ALLOC_MOVABLE, 65536, NULL) > 0)
		;
	assert_int_equal(hotmem_block_set_state_task(hm, 32, HM_MMOP_OFFLINE, &task), -EINTR);
	hotmem_dmesg(hm, log, loglen);
	dump_of(log, pfn, dump, len);
	return hm;
}

/*
 * A pinned page (pin_user_pages(), order 0): its mapping's reference, the
 * isolation's (folio_isolate_lru()), and GUP_PIN_COUNTING_BIAS (1024);
 * mapped once; anonymous (flags line "anon ", mapping word anon_vma | 1,
 * the pointer not modelled); off the LRU (isolated), uptodate, active,
 * swapbacked.  6.12 mm/debug.c __dump_folio(), mm/gup.c try_grab_folio().
 */
static void test_pinned_page_dump_shows_the_pin(void **state)
{
	static char log[64 * 1024];
	const unsigned long pfn = DIMM_PFN + 5;
	char dump[2048];
	unsigned long h;
	struct hotmem *hm = dump_after_looping_offline(pfn, HM_ALLOC_PINNED, 1 + 1024, false, &h,
						       log, sizeof(log), dump, sizeof(dump));

	(void)state;
	assert_string_equal(dump,
		"<4>page: refcount:1026 mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x100005\n"
		"<4>anon flags: 0x1fffffc0020108(uptodate|active|swapbacked|node=0|zone=3|lastcpupid=0x1fffff)\n"
		"<4>raw: 001fffffc0020108 0000000000000000 0000000000000000 0000000000000001\n"
		"<4>raw: 0000000000000000 0000000000000000 0000040200000000 0000000000000000\n"
		"<4>page dumped because: migration failure\n");
	/*
	 * put back (putback_movable_pages()): the isolation's reference is
	 * gone from the page itself, and it is on its LRU again; a dump now
	 * reads the page, not a dump-time guess (it read refcount:1026, no lru)
	 */
	assert_int_equal(page_ref_count(pfn_to_page(hm, pfn)), 1 + 1024);
	dump_page(hm, pfn, "test");
	hotmem_dmesg(hm, log, sizeof(log));
	assert_non_null(strstr(log,
		"<4>page: refcount:1025 mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x100005\n"
		"<4>anon flags: 0x1fffffc0020128(uptodate|lru|active|swapbacked|node=0|zone=3|lastcpupid=0x1fffff)\n"));
	check(hm);
	/* the pin released: the page goes, and its struct page is a free one again */
	assert_int_equal(hotmem_free_page(hm, h), 0);
	assert_int_equal(page_ref_count(pfn_to_page(hm, pfn)), 0);
	assert_int_equal(pfn_to_page(hm, pfn)->page_type, -1);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
	check(hm);
	hotmem_destroy(hm);
}

/*
 * A movable page with nowhere to go (migrate_pages() -ENOMEM): its
 * mapping's reference and the isolation's, no pin: refcount:2 mapcount:1.
 */
static void test_unpinned_page_dump_shows_mapping_and_isolation(void **state)
{
	static char log[64 * 1024];
	const unsigned long pfn = DIMM_PFN;
	char dump[2048];
	uint64_t now;
	unsigned long h;
	struct hotmem *hm = dump_after_looping_offline(pfn, HM_ALLOC_MOVABLE, 1, true, &h,
						       log, sizeof(log), dump, sizeof(dump));

	(void)state;
	/* still where it was: nowhere to go */
	assert_int_equal(hotmem_handle_pfn(hm, h, &now), 0);
	assert_int_equal(now, pfn);
	assert_non_null(strstr(dump, "<4>page: refcount:2 mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x100000\n"
				     "<4>anon flags: 0x1fffffc0020108(uptodate|active|swapbacked|"));
	assert_non_null(strstr(dump, " 0000000200000000 0000000000000000\n"));
	check(hm);
	hotmem_destroy(hm);
}

/* a kernel allocation's page (unmovable workload, GFP_KERNEL): one reference, unmapped, no LRU */
static void test_unmovable_page_dump_is_a_kernel_page(void **state)
{
	struct hotmem *hm = boot("default", IDLE_KERNEL);
	static char log[64 * 1024];
	const unsigned long pfn = DIMM_PFN + 9;
	char dump[2048];
	unsigned long h;

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE), 0);
	assert_int_equal(hotmem_alloc_page_at(hm, pfn, HM_ALLOC_UNMOVABLE, &h), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), -EBUSY);
	hotmem_dmesg(hm, log, sizeof(log));
	dump_of(log, pfn, dump, sizeof(dump));
	assert_non_null(strstr(dump, "<4>page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x100009\n"
				     "<4>flags: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)\n"));
	assert_non_null(strstr(dump, " 00000001ffffffff 0000000000000000\n"));
	check(hm);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinned_page_dump_shows_the_pin),
		cmocka_unit_test(test_unpinned_page_dump_shows_mapping_and_isolation),
		cmocka_unit_test(test_unmovable_page_dump_is_a_kernel_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
