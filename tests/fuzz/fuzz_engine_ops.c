// SPDX-License-Identifier: GPL-2.0
/*
 * Random engine operation sequences: every input is a fresh 512 MiB
 * machine driven by the bytes, and the invariant checker runs after every
 * operation.  A broken invariant aborts with the checker's message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIMM 0x100000000ULL
#define MAX_HANDLES 16384UL

static unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

static void op(struct hotmem *hm, const uint8_t *b, unsigned long *handles, unsigned long *nh)
{
	unsigned long block = 32 + b[1] % 16;
	uint64_t slot = DIMM + (uint64_t)(b[1] % 4) * (512ULL << 20);
	uint64_t size = (uint64_t)(1 + b[2] % 4) * (128ULL << 20);

	switch (b[0] % 12) {
	case 0:
		hotmem_add_memory(hm, b[2] & 0x80 ? 1 : 0, slot, size,
				  b[2] & 0x40 ? HM_MHP_MEMMAP_ON_MEMORY : 0, -1);
		break;
	case 1:
		hotmem_remove_memory(hm, slot, size);
		break;
	case 2:
		hotmem_offline_and_remove_memory(hm, slot, size);
		break;
	case 3: case 4:
		hotmem_block_set_state(hm, block, b[2] % 4);
		break;
	case 5:
		hotmem_block_set_online(hm, block, b[2] & 1);
		break;
	case 6: {
		unsigned long want = min_ul((unsigned long)b[2] * 64, MAX_HANDLES - *nh);
		long n = hotmem_alloc_pages(hm, -1, b[2] & 1, want, handles + *nh);

		if (n > 0)
			*nh += (unsigned long)n;
		break;
	}
	case 7:
		if (*nh) {
			unsigned long k = b[2] % *nh;

			hotmem_free_page(hm, handles[k]);
			handles[k] = handles[--*nh];
		}
		break;
	case 8:
		hotmem_hugetlb_alloc(hm, 0, b[2] % 4);
		break;
	case 9:
		hotmem_hugetlb_free(hm, b[2] % 4);
		break;
	case 10:
		hotmem_set_notifier_error(hm, b[2] & 1 ? HM_MEM_GOING_ONLINE : HM_MEM_GOING_OFFLINE,
					  b[2] & 2 ? -16 : 0);
		break;
	case 11:
		hotmem_fail_nth_alloc(hm, b[2] % 8);
		break;
	}
	hotmem_fail_nth_alloc(hm, b[0] % 12 == 11 ? hotmem_alloc_calls(hm) : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long handles[MAX_HANDLES];
	struct hotmem_config cfg;
	struct hotmem *hm;
	unsigned long nh = 0;
	char err[512];

	if (size < 1)
		return 0;
	hotmem_config_builtin(&cfg, "qemu-512m");
	cfg.nr_possible_nodes = 2;
	cfg.memmap_on_memory = data[0] & 1;
	cfg.hugetlb_free_vmemmap = data[0] & 2;
	cfg.online_policy = (data[0] >> 2) & 1;
	cfg.init_threads = 1;
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		abort();
	for (size_t i = 1; i + 3 <= size && i < 1 + 3 * 64; i += 3) {
		op(hm, data + i, handles, &nh);
		hotmem_fail_nth_alloc(hm, 0);
		if (hotmem_check_invariants(hm, err, sizeof(err))) {
			fprintf(stderr, "invariant broken after op %zu: %s\n", i / 3, err);
			abort();
		}
	}
	hotmem_destroy(hm);
	return 0;
}
