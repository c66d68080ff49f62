// SPDX-License-Identifier: GPL-2.0
/*
 * Incarnations: the inode keys of objects that can go and come back.
 *
 * kernfs makes new kernfs_nodes for a memory block added again, and for
 * a NUMA node registered again after try_offline_node(), and the FUSE
 * client caches inodes by number: a block or node that comes back needs
 * numbers no earlier one of its id had in this mount, else a directory
 * held open across its going and coming back reaches the new one's
 * files (tests/fusefs/34-stale-dir.t, 55-stale-node-dir.t).  An object
 * never removed has its id as key; each removal gives its id the next key
 * of a per-kind, per-mount counter, which starts above every id, so a key
 * is never given twice in a mount.  A block's key has 48 bits (2^48 -
 * 2^28 removals, centuries at the engine's ~6000 device_del/device_add a
 * second), a node's 28 (HMFS_NODE_KEY_LIMIT; its memoryM links carry
 * their block's key, not its): 2^28 - 256 node removals, each the removal of all of a
 * node's memory.  Should a counter reach its limit, the ids that go from
 * then on keep their key (said once): a held directory may then reach
 * the object that came back, as before incarnations.  A table holds the
 * present key of each id that went, and the id of each such key; nothing
 * else, so a machine whose blocks never went (lsmem's) pays one atomic
 * load.  inc_lock is a leaf lock: hmfs_inc_gone() runs in the engine's
 * callback.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hmfs.h"

struct hmfs_inc {
	unsigned long id;
	uint64_t key;
	struct hmfs_inc *next_id, *next_key; /* the two chains it is on */
};

#define INC_MIN_BUCKETS 256UL

static unsigned long inc_hash(uint64_t v, unsigned long buckets)
{
	return (unsigned long)((v * 0x9E3779B97F4A7C15ULL) >> 24) & (buckets - 1);
}

/* Caller holds inc_lock. */
static struct hmfs_inc *by_id(const struct hmfs_inc_tab *t, unsigned long id)
{
	struct hmfs_inc *e;

	if (!t->buckets)
		return NULL;
	for (e = t->ids[inc_hash(id, t->buckets)]; e && e->id != id; e = e->next_id)
		;
	return e;
}

/* Caller holds inc_lock. */
static struct hmfs_inc *by_key(const struct hmfs_inc_tab *t, uint64_t key)
{
	struct hmfs_inc *e;

	if (!t->buckets)
		return NULL;
	for (e = t->keys[inc_hash(key, t->buckets)]; e && e->key != key; e = e->next_key)
		;
	return e;
}

static void link_key(struct hmfs_inc_tab *t, struct hmfs_inc *e)
{
	unsigned long h = inc_hash(e->key, t->buckets);

	e->next_key = t->keys[h];
	t->keys[h] = e;
}

static void unlink_key(struct hmfs_inc_tab *t, struct hmfs_inc *e)
{
	struct hmfs_inc **p = &t->keys[inc_hash(e->key, t->buckets)];

	while (*p != e)
		p = &(*p)->next_key;
	*p = e->next_key;
}

/* twice the buckets (or the first): false without memory, the chains grow instead */
static bool inc_grow(struct hmfs_inc_tab *t)
{
	unsigned long n = t->buckets ? t->buckets * 2 : INC_MIN_BUCKETS;
	struct hmfs_inc **ids = calloc(n, sizeof(*ids)), **keys = calloc(n, sizeof(*keys));

	if (!ids || !keys) {
		free(ids);
		free(keys);
		return false;
	}
	for (unsigned long i = 0; i < t->buckets; i++) {
		for (struct hmfs_inc *e = t->ids[i], *next; e; e = next) {
			next = e->next_id;
			e->next_id = ids[inc_hash(e->id, n)];
			ids[inc_hash(e->id, n)] = e;
			e->next_key = keys[inc_hash(e->key, n)];
			keys[inc_hash(e->key, n)] = e;
		}
	}
	free(t->ids);
	free(t->keys);
	t->ids = ids;
	t->keys = keys;
	t->buckets = n;
	return true;
}

/* Caller holds inc_lock: @id's entry, made (key @id) when it has none; NULL without memory */
static struct hmfs_inc *inc_get(struct hmfs_inc_tab *t, unsigned long id)
{
	struct hmfs_inc *e = by_id(t, id);
	unsigned long h;

	if (e)
		return e;
	if ((!t->buckets || t->nr >= 2 * t->buckets) && !inc_grow(t) && !t->buckets)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->id = id;
	e->key = id;
	h = inc_hash(id, t->buckets);
	e->next_id = t->ids[h];
	t->ids[h] = e;
	link_key(t, e);
	t->nr++;
	return e;
}

uint64_t hmfs_inc_key(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, unsigned long id)
{
	struct hmfs_inc_tab *t = &ctx->inc[kind];
	struct hmfs_inc *e;
	uint64_t key = id;

	if (!__atomic_load_n(&t->any, __ATOMIC_ACQUIRE))
		return key;
	pthread_mutex_lock(&ctx->inc_lock);
	e = by_id(t, id);
	if (e)
		key = e->key;
	pthread_mutex_unlock(&ctx->inc_lock);
	return key;
}

long hmfs_inc_id(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, uint64_t key)
{
	struct hmfs_inc_tab *t = &ctx->inc[kind];
	struct hmfs_inc *e;
	long id = key < t->first ? (long)key : -1;

	if (!__atomic_load_n(&t->any, __ATOMIC_ACQUIRE))
		return id;
	pthread_mutex_lock(&ctx->inc_lock);
	/* an id's own key is present while the id never went */
	e = by_key(t, key);
	if (e)
		id = (long)e->id;
	else if (id >= 0 && by_id(t, (unsigned long)id))
		id = -1;
	pthread_mutex_unlock(&ctx->inc_lock);
	return id;
}

bool hmfs_inc_was_given(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, uint64_t key)
{
	struct hmfs_inc_tab *t = &ctx->inc[kind];
	bool given;

	pthread_mutex_lock(&ctx->inc_lock);
	given = key < t->next; /* next starts at first */
	pthread_mutex_unlock(&ctx->inc_lock);
	return given;
}

uint64_t hmfs_inc_gone(struct hmfs_ctx *ctx, enum hmfs_inc_kind kind, unsigned long id)
{
	struct hmfs_inc_tab *t = &ctx->inc[kind];
	struct hmfs_inc *e;
	uint64_t old = id;

	pthread_mutex_lock(&ctx->inc_lock);
	/* without memory the key stays: the old incarnation's numbers reach the new one */
	e = inc_get(t, id);
	if (e)
		old = e->key;
	if (e && t->next >= t->limit) {
		if (!t->full)
			fprintf(stderr, "hotmemfs: no inode numbers left for new %s incarnations: "
					"one that goes keeps its numbers from now on\n",
				kind == HMFS_INC_NODE ? "node" : "block");
		t->full = true;
		e = NULL;
	}
	if (e) {
		unlink_key(t, e);
		e->key = t->next++;
		link_key(t, e);
	}
	__atomic_store_n(&t->any, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->inc_lock);
	return old;
}

void hmfs_inc_init(struct hmfs_ctx *ctx)
{
	pthread_mutex_init(&ctx->inc_lock, NULL);
	ctx->inc[HMFS_INC_BLOCK].first = ctx->inc[HMFS_INC_BLOCK].next = HMFS_BLOCK_ID_MAX + 1;
	ctx->inc[HMFS_INC_BLOCK].limit = 1ULL << 48; /* HMFS_INO_KEY()'s bits */
	ctx->inc[HMFS_INC_NODE].first = ctx->inc[HMFS_INC_NODE].next = HMFS_NODE_ID_MAX + 1;
	ctx->inc[HMFS_INC_NODE].limit = HMFS_NODE_KEY_LIMIT;
}

/* hmfs_inc_init()'s lock (hmfs_ctx_destroy()); the tables are hmfs_inc_free()'s */
void hmfs_inc_fini(struct hmfs_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->inc_lock);
}

void hmfs_inc_free(struct hmfs_ctx *ctx)
{
	for (int k = 0; k < HMFS_INC_KINDS; k++) {
		struct hmfs_inc_tab *t = &ctx->inc[k];

		for (unsigned long i = 0; i < t->buckets; i++) {
			for (struct hmfs_inc *e = t->ids[i], *next; e; e = next) {
				next = e->next_id;
				free(e);
			}
		}
		free(t->ids);
		free(t->keys);
		t->ids = t->keys = NULL;
		t->buckets = t->nr = 0;
	}
}
