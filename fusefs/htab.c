// SPDX-License-Identifier: GPL-2.0
/*
 * One hash table for hotmemfs's records kept by a 64-bit number: an
 * inode's poll event (events.c evtab, ~400000 of them on a 131072-block
 * machine) and a block's node-link hold (nodelink.c).  Intrusive: a
 * record begins with its struct hmfs_hnode.  The buckets double once the
 * records reach twice their number (~1 a chain), and go with the last
 * record deleted; without memory to grow, the chains grow instead.  No
 * lock of its own: each table is its user's, under that user's lock.
 */
#include <stdlib.h>

#include "hmfs.h"

#define HTAB_MIN_BUCKETS 256UL

static unsigned long htab_hash(uint64_t key, unsigned long buckets)
{
	return (unsigned long)((key * 0x9E3779B97F4A7C15ULL) >> 24) & (buckets - 1);
}

/* the link to @key's record, its chain's end when none; @t has buckets */
static struct hmfs_hnode **htab_slot(const struct hmfs_htab *t, uint64_t key)
{
	struct hmfs_hnode **p = &t->b[htab_hash(key, t->buckets)];

	while (*p && (*p)->key != key)
		p = &(*p)->next;
	return p;
}

struct hmfs_hnode *hmfs_htab_find(const struct hmfs_htab *t, uint64_t key)
{
	return t->b ? *htab_slot(t, key) : NULL;
}

/* every record in one list, the buckets freed */
struct hmfs_hnode *hmfs_htab_take_all(struct hmfs_htab *t)
{
	struct hmfs_hnode *all = NULL, *e;

	for (unsigned long i = 0; t->b && i < t->buckets; i++) {
		while ((e = t->b[i])) {
			t->b[i] = e->next;
			e->next = all;
			all = e;
		}
	}
	free(t->b);
	t->b = NULL;
	t->buckets = t->nr = 0;
	return all;
}

/* twice the buckets, or the first ones; false: no memory */
static bool htab_grow(struct hmfs_htab *t)
{
	unsigned long n = t->b ? 2 * t->buckets : HTAB_MIN_BUCKETS, nr = t->nr;
	struct hmfs_hnode **b = calloc(n, sizeof(*b)), *e, *next;

	if (!b)
		return false;
	for (e = hmfs_htab_take_all(t); e; e = next) {
		next = e->next;
		e->next = b[htab_hash(e->key, n)];
		b[htab_hash(e->key, n)] = e;
	}
	t->b = b;
	t->buckets = n;
	t->nr = nr;
	return true;
}

bool hmfs_htab_add(struct hmfs_htab *t, struct hmfs_hnode *n)
{
	struct hmfs_hnode **p;

	if ((!t->b || t->nr >= 2 * t->buckets) && !htab_grow(t) && !t->b)
		return false;
	p = &t->b[htab_hash(n->key, t->buckets)];
	n->next = *p;
	*p = n;
	t->nr++;
	return true;
}

struct hmfs_hnode *hmfs_htab_del(struct hmfs_htab *t, uint64_t key)
{
	struct hmfs_hnode **p, *e;

	if (!t->b || !*(p = htab_slot(t, key)))
		return NULL;
	e = *p;
	*p = e->next;
	e->next = NULL;
	if (!--t->nr)
		hmfs_htab_take_all(t); /* the last one: its buckets go */
	return e;
}

void hmfs_htab_each(const struct hmfs_htab *t, void (*fn)(struct hmfs_hnode *n, void *arg),
		    void *arg)
{
	for (unsigned long i = 0; t->b && i < t->buckets; i++)
		for (struct hmfs_hnode *e = t->b[i]; e; e = e->next)
			fn(e, arg);
}
