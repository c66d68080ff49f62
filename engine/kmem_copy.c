// SPDX-License-Identifier: GPL-2.0
/*
 * Copies of the kernel's allocations' list (kmem.c), one for each mark a
 * front end still may rewind to (hotmem_kmem_log_mark()).
 *
 * A rewind goes back through the log, entry by entry; when the log was
 * lost (past KMEM_LOG_MAX entries, or its growth refused) or dropped
 * past the mark (a lost log found again), it goes back to the list as
 * the mark found it.  hotmemfs's state file may have several changes
 * waiting for one fdatasync(), each with its mark, and a rollback undoes
 * them newest first: each needs its own mark's list.  One copy (the last
 * mark's) took back only the newest change's allocations past a lost
 * log; the older ones stayed where their changes put them.
 *
 * The copies are in the order of their marks, whose positions never go
 * down (a rewind takes those past its position away): the oldest first.
 * A lost log's entries take their positions all the same (kmem.c
 * kmem_log()), so marks with a change between them are at different
 * positions and a rewind finds its own mark's copy, in whatever order
 * the rewinds come (reread23a R12).  A mark that finds the list as the
 * newest copy has it, at the same position, counts one more on that
 * copy.  At most KMEM_COPIES_MAX: past
 * that the oldest goes (a rewind to it past a lost log is refused and
 * says so), and a front end frees those before its oldest pending
 * change's with hotmem_kmem_log_drop().  The front end's bookkeeping,
 * not the machine's: plain malloc, no fault point; without memory a
 * mark keeps a copy that says so (a rewind to it is refused, as with
 * none).  Under device_hotplug_lock.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* the copy of the list at position @at (marks there share it), or NULL */
struct kmem_copy *kmem_copy_find(struct hotmem *hm, unsigned long at)
{
	for (unsigned int i = hm->kmem.nr_copies; i-- > 0;)
		if (hm->kmem.copies[i].at == at)
			return &hm->kmem.copies[i];
	return NULL;
}

/* the list now the same as @c's: allocations, order, and no rewind under way */
static bool kmem_copy_same(struct hotmem *hm, const struct kmem_copy *c, unsigned long at)
{
	return c->at == at && c->ok && !hm->kmem.nr_owed && c->used == hm->kmem.used &&
	       (!c->used || !memcmp(c->allocs, hm->kmem.allocs, c->used * sizeof(*c->allocs)));
}

static void kmem_copy_free(struct kmem_copy *c)
{
	free(c->allocs);
	*c = (struct kmem_copy){ 0 };
}

/* the oldest @n copies freed, the others moved down */
static void kmem_copies_drop_oldest(struct hotmem *hm, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		kmem_copy_free(&hm->kmem.copies[i]);
	memmove(hm->kmem.copies, hm->kmem.copies + n,
		(hm->kmem.nr_copies - n) * sizeof(*hm->kmem.copies));
	hm->kmem.nr_copies -= n;
	memset(hm->kmem.copies + hm->kmem.nr_copies, 0, n * sizeof(*hm->kmem.copies));
}

/*
 * The list as it is now, for a mark at @at: a few hundred entries at most
 * (background_cap, the zones' pagesets, the nodes' kthreads)
 */
void kmem_copy_push(struct hotmem *hm, unsigned long at)
{
	const unsigned long used = hm->kmem.used;
	struct kmem_copy *c;

	if (hm->kmem.nr_copies && kmem_copy_same(hm, &hm->kmem.copies[hm->kmem.nr_copies - 1], at)) {
		hm->kmem.copies[hm->kmem.nr_copies - 1].refs++;
		return;
	}
	if (hm->kmem.nr_copies == KMEM_COPIES_MAX)
		kmem_copies_drop_oldest(hm, 1);
	c = &hm->kmem.copies[hm->kmem.nr_copies++];
	*c = (struct kmem_copy){ .at = at, .refs = 1 };
	c->allocs = used ? malloc(used * sizeof(*c->allocs)) : NULL;
	if (used && !c->allocs)
		return;		/* not ok: a rewind to it is refused */
	if (used)
		memcpy(c->allocs, hm->kmem.allocs, used * sizeof(*c->allocs));
	c->used = used;
	/* a rewind under way (owed pages) is no state to go back to */
	c->ok = !hm->kmem.nr_owed;
}

/*
 * A rewind to @to: the copies of marks past it go (their positions are
 * taken again by the entries after the rewind), and the newest at @to
 * counts one mark less -- the change rewound is the newest, its mark
 * that copy's last
 */
void kmem_copies_rewound(struct hotmem *hm, unsigned long to)
{
	struct kmem_copy *top;

	while (hm->kmem.nr_copies && hm->kmem.copies[hm->kmem.nr_copies - 1].at > to)
		kmem_copy_free(&hm->kmem.copies[--hm->kmem.nr_copies]);
	top = hm->kmem.nr_copies ? &hm->kmem.copies[hm->kmem.nr_copies - 1] : NULL;
	if (top && top->at == to && !--top->refs)
		kmem_copy_free(&hm->kmem.copies[--hm->kmem.nr_copies]);
}

/* the copies of marks before position @to freed: no rewind goes back there */
void kmem_copies_drop(struct hotmem *hm, unsigned long to)
{
	unsigned int n = 0;

	while (n < hm->kmem.nr_copies && hm->kmem.copies[n].at < to)
		n++;
	if (n)
		kmem_copies_drop_oldest(hm, n);
}

/* the oldest copy's position (a rewind may go back there), or ULONG_MAX: none */
unsigned long kmem_copies_oldest(struct hotmem *hm)
{
	return hm->kmem.nr_copies ? hm->kmem.copies[0].at : ULONG_MAX;
}

void kmem_copies_free(struct hotmem *hm)
{
	kmem_copies_drop_oldest(hm, hm->kmem.nr_copies);
}
