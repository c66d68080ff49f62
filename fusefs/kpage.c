// SPDX-License-Identifier: GPL-2.0
/*
 * proc/kpageflags and proc/kpagecount, read as 6.12's fs/proc/page.c
 * reads them (kpageflags_read(), kpagecount_read()): the 64-bit entry of
 * pfn N at offset N * 8, a read of any multiple of 8 bytes from any
 * multiple of 8, EINVAL for another offset or count (KPMMASK), 0 bytes
 * from round_up(max_pfn, PAGES_PER_SECTION) on.  The entries are the
 * engine's (hotmem_kpageflags(), hotmem_kpagecount()).  Files of procfs:
 * 0400, st_size 0, direct_io as the other proc files (fs.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "hmfs.h"

/* the KPMSIZE-byte entries of a read, each a pfn's (fs/proc/page.c KPMSIZE, KPMMASK) */
#define KPMSIZE sizeof(uint64_t)
#define KPMMASK (KPMSIZE - 1)

ssize_t hmfs_kpage_read(struct hmfs_ctx *ctx, enum hmfs_attr a, size_t size, off_t off,
			uint64_t **out)
{
	const size_t nr = size / KPMSIZE;
	long got;

	*out = NULL;
	if (off < 0 || ((uint64_t)off & KPMMASK) || (size & KPMMASK))
		return -EINVAL;
	if (!nr)
		return 0;
	*out = malloc(size);
	if (!*out)
		return -ENOMEM;
	got = a == A_KPAGEFLAGS ? hotmem_kpageflags(ctx->hm, (uint64_t)off / KPMSIZE, nr, *out) :
				  hotmem_kpagecount(ctx->hm, (uint64_t)off / KPMSIZE, nr, *out);
	if (got < 0) {
		free(*out);
		*out = NULL;
		return got;
	}
	return got * (ssize_t)KPMSIZE;
}
