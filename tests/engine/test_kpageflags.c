// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kpageflags and /proc/kpagecount (hotmem_kpageflags(),
 * hotmem_kpagecount()): what 6.12's fs/proc/page.c says of each kind of
 * page the engine models, as a 6.12.117 guest said it (docs/hotmemfs.md
 * "kpageflags and kpagecount"), from the same mapping dump_page() prints
 * (engine/debug.c).  The qemu-512m machine: boot RAM to 0x1ffe0 (its last
 * 32 pfns a hole of the section), DIMMs at 4 GiB with memmap_on_memory.
 */
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define DIMM 0x100000000ULL
#define DIMM_PFN (DIMM >> 12)
#define BLOCK_PAGES 32768UL
#define VMEMMAP_PAGES 512UL	/* a 128 MiB block's self-hosted memmap */

#define F(b) (1ULL << HM_KPF_##b)
/* a user page: do_anonymous_page()'s, as 6.12 reads it (KSM: any anon page, see debug.c) */
#define USER_FLAGS (F(UPTODATE) | F(LRU) | F(ACTIVE) | F(SWAPBACKED) | F(MMAP) | F(ANON) | \
		    F(KSM) | F(OWNER_2))

static uint64_t flags[BLOCK_PAGES], counts[BLOCK_PAGES];

/* one block's entries, read whole */
static void read_block(struct hotmem *hm, unsigned long pfn)
{
	assert_int_equal(hotmem_kpageflags(hm, pfn, BLOCK_PAGES, flags), BLOCK_PAGES);
	assert_int_equal(hotmem_kpagecount(hm, pfn, BLOCK_PAGES, counts), BLOCK_PAGES);
}

static unsigned long count_flags(uint64_t f)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		n += flags[i] == f;
	return n;
}

/* three self-hosted DIMM blocks: Normal (32), Movable (33), offline (34) */
static struct hotmem *machine(bool idle)
{
	struct hotmem *hm = boot("qemu-512m", idle ? IDLE_KERNEL " memory_hotplug.memmap_on_memory=1" :
						    "memory_hotplug.memmap_on_memory=1");

	for (int i = 0; i < 3; i++)
		assert_int_equal(hotmem_add_memory(hm, 0, DIMM + (uint64_t)i * 128 * MiB, 128 * MiB,
						   HM_MHP_MEMMAP_ON_MEMORY, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(hotmem_block_set_state(hm, 33, HM_MMOP_ONLINE_MOVABLE), 0);
	return hm;
}

/*
 * Boot memory: the e820 hole below 1 MiB reserved, the hole at the end of the last
 * boot section reserved (init_unavailable_range()), the rest a machine's;
 * between boot RAM and the DIMMs no page; past max_pfn's section the
 * file ends (0 entries), and max_pfn grew with each add.
 */
static void test_boot_memory_holes_and_the_end(void **state)
{
	struct hotmem *hm = machine(true);
	uint64_t e[64];

	(void)state;
	read_block(hm, 0);
	/* pfn 0 and the e820 hole below 1 MiB (6.12 reserves the whole first MiB: docs) */
	assert_int_equal(flags[0], F(RESERVED));
	for (unsigned long i = 0x9f; i < 0x100; i++)
		assert_int_equal(flags[i], F(RESERVED));
	assert_int_equal(hotmem_kpageflags(hm, 0x1ffe0, 32, e), 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(e[i], F(RESERVED));
	assert_int_equal(hotmem_kpageflags(hm, 0x20000, 64, e), 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(e[i], F(NOPAGE));
	/* the file ends where the last DIMM does (three blocks from 4 GiB) */
	assert_int_equal(hotmem_kpageflags(hm, DIMM_PFN + 3 * BLOCK_PAGES - 2, 64, e), 2);
	assert_int_equal(hotmem_kpageflags(hm, DIMM_PFN + 3 * BLOCK_PAGES, 64, e), 0);
	assert_int_equal(hotmem_kpagecount(hm, DIMM_PFN + 3 * BLOCK_PAGES, 64, e), 0);
	/* the offline block: no page, no count */
	read_block(hm, DIMM_PFN + 2 * BLOCK_PAGES);
	assert_int_equal(count_flags(F(NOPAGE)), BLOCK_PAGES);
	assert_int_equal(hotmem_kpageflags(hm, 0, 0, NULL), 0);
	hotmem_destroy(hm);
}

/*
 * hotmem_max_pfn() and hotmem_raise_max_pfn() (2dc1a58f), declared weak
 * here again: this test builds against an engine without them (its
 * header without their prototypes, its archive without them) and fails
 * there at its first check, so that it can be shown failing without the
 * fix, which a test of new functions otherwise cannot (session 31's
 * note).  A weak reference pulls no archive member in: memory_hotplug.o,
 * theirs, comes with every boot, and a NULL here fails, never passes.
 */
unsigned long hotmem_max_pfn(struct hotmem *hm) __attribute__((weak));
int hotmem_raise_max_pfn(struct hotmem *hm, unsigned long pfn) __attribute__((weak));

/*
 * hotmem_raise_max_pfn(), a state file's restore's: the end moves up to
 * a removed device's end, never down, never past the address space --
 * each said by where /proc/kpageflags ends too (hotmem_kpageflags(), as
 * old as the file), not by hotmem_max_pfn() alone
 */
static void test_raise_max_pfn(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	const unsigned long end = DIMM_PFN + BLOCK_PAGES;
	uint64_t e[64];

	(void)state;
	assert_non_null(hotmem_raise_max_pfn);
	assert_non_null(hotmem_max_pfn);
	assert_int_equal(hotmem_max_pfn(hm), 0x1ffe0);
	assert_int_equal(hotmem_kpageflags(hm, end - 2, 64, e), 0);
	assert_int_equal(hotmem_raise_max_pfn(hm, end), 0);
	assert_int_equal(hotmem_max_pfn(hm), end);
	/* no memory there: every entry no page, to the raised end */
	assert_int_equal(hotmem_kpageflags(hm, end - 2, 64, e), 2);
	assert_int_equal(e[0], F(NOPAGE));
	/* never lowered */
	assert_int_equal(hotmem_raise_max_pfn(hm, 0x20000), 0);
	assert_int_equal(hotmem_max_pfn(hm), end);
	assert_int_equal(hotmem_kpageflags(hm, end - 2, 64, e), 2);
	/* never past the emulated address space, which kpage_read() could not walk */
	assert_int_equal(hotmem_raise_max_pfn(hm, ~0UL), -EINVAL);
	assert_int_equal(hotmem_max_pfn(hm), end);
	assert_int_equal(hotmem_kpageflags(hm, end - 2, 64, e), 2);
	hotmem_destroy(hm);
}

/*
 * hotmem_set_max_pfn(), hotmemfs's undo of an unacknowledged add's: it
 * lowers the end, to boot's unaligned 0x1ffe0 too, but never below a
 * section still present (reread32 R1: an undo whose take-back failed),
 * nor past the address space
 */
static void test_set_max_pfn(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	uint64_t e[64];

	(void)state;
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_max_pfn(hm), DIMM_PFN + BLOCK_PAGES);
	/* the DIMM stays: the end stays at its end, its last entry read */
	assert_int_equal(hotmem_set_max_pfn(hm, 0x1ffe0), 0);
	assert_int_equal(hotmem_max_pfn(hm), DIMM_PFN + BLOCK_PAGES);
	assert_int_equal(hotmem_kpageflags(hm, DIMM_PFN + BLOCK_PAGES - 1, 64, e), 1);
	assert_int_equal(hotmem_set_max_pfn(hm, ~0UL), -EINVAL);
	assert_int_equal(hotmem_max_pfn(hm), DIMM_PFN + BLOCK_PAGES);
	/* the DIMM gone: back to boot's end, which its last section passes */
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	assert_int_equal(hotmem_set_max_pfn(hm, 0x1ffe0), 0);
	assert_int_equal(hotmem_max_pfn(hm), 0x1ffe0);
	assert_int_equal(hotmem_kpageflags(hm, 0x20000, 64, e), 0);
	hotmem_destroy(hm);
}

/*
 * hotmem_check_invariants() holds max_pfn against the present sections
 * (rerfix32a): a broken undo that left it below an added DIMM -- the
 * files ending before memory that is there -- was not seen by `hotmemctl
 * check`.  max_pfn corrupted by hand: below the DIMM, at boot RAM's last
 * section's start, past the machine; boot's 0x1ffe0 inside that section
 * is right.
 */
static void test_max_pfn_invariant(void **state)
{
	struct hotmem *hm = boot("qemu-512m", IDLE_KERNEL);
	char err[256] = "";

	(void)state;
	assert_int_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	assert_int_equal(hotmem_max_pfn(hm), 0x1ffe0);
	assert_int_equal(hotmem_add_memory(hm, 0, DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	atomic_store(&hm->kernel_max_pfn, 0x1ffe0UL);
	assert_int_not_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	assert_string_equal(err, "max_pfn 0x1ffe0: section 32 (pfns 0x100000-0x107fff) is present past it");
	/* the DIMM's last pfn inside: its section starts below, the files cover it */
	atomic_store(&hm->kernel_max_pfn, DIMM_PFN + 1);
	assert_int_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	assert_int_equal(hotmem_remove_memory(hm, DIMM, 128 * MiB), 0);
	atomic_store(&hm->kernel_max_pfn, 0x18000UL);
	assert_int_not_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	assert_string_equal(err, "max_pfn 0x18000: section 3 (pfns 0x18000-0x1ffff) is present past it");
	atomic_store(&hm->kernel_max_pfn, hm->max_pfn + 1);
	assert_int_not_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	assert_string_equal(err, "max_pfn 0x2e0001: past the machine's end 0x2e0000");
	atomic_store(&hm->kernel_max_pfn, 0x1ffe0UL);
	assert_int_equal(hotmem_check_invariants(hm, err, sizeof(err)), 0);
	hotmem_destroy(hm);
}

/*
 * A Movable block: its memmap's own pages (PG_vmemmap_self_hosted, which
 * is PG_owner_priv_1), a user page, a free huge page (head, 511 tails),
 * a soft-offlined page, and the buddy's free pages, a tail as its head.
 */
static void test_movable_block_kinds(void **state)
{
	struct hotmem *hm = machine(true);
	const unsigned long base = DIMM_PFN + BLOCK_PAGES;
	const unsigned long user = base + 1000, poisoned = base + 20000;
	unsigned long h, huge = 0;

	(void)state;
	assert_int_equal(hotmem_alloc_page_at(hm, user, HM_ALLOC_MOVABLE, &h), 0);
	assert_int_equal(hotmem_soft_offline_page(hm, poisoned), 0);
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
	read_block(hm, base);
	for (unsigned long i = 0; i < VMEMMAP_PAGES; i++)
		assert_int_equal(flags[i], F(OWNER_PRIVATE));
	assert_int_equal(flags[user - base], USER_FLAGS);
	assert_int_equal(counts[user - base], 1);
	assert_int_equal(flags[poisoned - base], F(HWPOISON));
	assert_int_equal(counts[poisoned - base], 0);
	for (unsigned long i = 0; i < BLOCK_PAGES; i += 512)
		if (flags[i] == (F(HUGE) | F(COMPOUND_HEAD)))
			huge = i;
	assert_true(huge);
	for (unsigned long i = huge + 1; i < huge + 512; i++)
		assert_int_equal(flags[i], F(HUGE) | F(COMPOUND_TAIL));
	assert_int_equal(count_flags(F(HUGE) | F(COMPOUND_HEAD)), 1);
	assert_int_equal(count_flags(F(BUDDY)), BLOCK_PAGES - VMEMMAP_PAGES - 512 - 2);
	for (unsigned long i = 0; i < BLOCK_PAGES; i++)
		assert_true(counts[i] == (i == user - base));
	check(hm);
	hotmem_destroy(hm);
}

/*
 * Entry by entry, each pfn alone (a tail's own struct page, its folio
 * found by is_free_buddy_page() or the huge page's head), the same as
 * the block read whole (tails said from their heads): both Normal and
 * Movable blocks, the kernel's own allocations in them (slab heads and
 * tails, page tables) as the living kernel left them.
 */
static void test_entry_alone_is_the_whole_reads(void **state)
{
	struct hotmem *hm = machine(false);
	unsigned long h;

	(void)state;
	assert_int_equal(hotmem_alloc_page_at(hm, DIMM_PFN + BLOCK_PAGES + 777, HM_ALLOC_MOVABLE, &h),
			 0);
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
	for (unsigned long b = 0; b < 2; b++) {
		const unsigned long base = DIMM_PFN + b * BLOCK_PAGES;

		read_block(hm, base);
		for (unsigned long i = 0; i < BLOCK_PAGES; i++) {
			uint64_t f, c;

			assert_int_equal(hotmem_kpageflags(hm, base + i, 1, &f), 1);
			assert_int_equal(hotmem_kpagecount(hm, base + i, 1, &c), 1);
			if (f != flags[i] || c != counts[i])
				fail_msg("pfn %#lx: alone %#llx/%llu, whole %#llx/%llu", base + i,
					 (unsigned long long)f, (unsigned long long)c,
					 (unsigned long long)flags[i], (unsigned long long)counts[i]);
		}
	}
	/* the Normal block holds the kernel's allocations: slab folios, page tables */
	read_block(hm, DIMM_PFN);
	assert_true(count_flags(F(SLAB) | F(COMPOUND_HEAD)) > 0);
	assert_true(count_flags(F(SLAB) | F(COMPOUND_TAIL)) > 0);
	hotmem_destroy(hm);
}

/*
 * A free self-hosted block read whole brings none of its memmap's holes
 * in ("Big machines"): its free blocks' tails are said from their heads,
 * which the online wrote.  Read by struct page, tail by tail, the 128
 * MiB block's 512 vmemmap pages came back (2 MiB of the host).
 */
static void test_reading_a_free_self_hosted_block_fills_no_hole(void **state)
{
	struct hotmem *hm = machine(true);
	size_t before;

	(void)state;
	before = hotmem_ram_resident_bytes(hm);
	read_block(hm, DIMM_PFN + BLOCK_PAGES);
	assert_int_equal(hotmem_ram_resident_bytes(hm), before);
	/*
	 * an entry alone, in the middle of free blocks (a pread of one, a
	 * page-types range not on a max-order boundary): found from the
	 * block's head top-down, no tail read either (reread31 R6)
	 */
	for (unsigned long i = 1; i < BLOCK_PAGES; i += 97) {
		uint64_t f;

		assert_int_equal(hotmem_kpageflags(hm, DIMM_PFN + BLOCK_PAGES + i, 1, &f), 1);
		if (f == F(BUDDY))
			continue;
		assert_true(f != 0);
	}
	assert_int_equal(hotmem_ram_resident_bytes(hm), before);
	/* the same inside a free huge page, not optimised (the rest of R6) */
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
	read_block(hm, DIMM_PFN + BLOCK_PAGES);
	before = hotmem_ram_resident_bytes(hm);
	for (unsigned long i = 1; i < BLOCK_PAGES; i += 97) {
		uint64_t f;

		assert_int_equal(hotmem_kpageflags(hm, DIMM_PFN + BLOCK_PAGES + i, 1, &f), 1);
		if (f != flags[i])
			fail_msg("pfn %#lx: alone %#llx, whole %#llx", DIMM_PFN + BLOCK_PAGES + i,
				 (unsigned long long)f, (unsigned long long)flags[i]);
	}
	assert_int_equal(hotmem_ram_resident_bytes(hm), before);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_memory_holes_and_the_end),
		cmocka_unit_test(test_raise_max_pfn),
		cmocka_unit_test(test_set_max_pfn),
		cmocka_unit_test(test_max_pfn_invariant),
		cmocka_unit_test(test_movable_block_kinds),
		cmocka_unit_test(test_entry_alone_is_the_whole_reads),
		cmocka_unit_test(test_reading_a_free_self_hosted_block_fills_no_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
