// SPDX-License-Identifier: GPL-2.0
/*
 * The memory blocks whose node links wait for their hot-add's ADDs.
 *
 * 6.12's add_memory_resource() (mm/memory_hotplug.c) sends every new
 * block's ADD from create_memory_block_devices() and links the blocks
 * under their node (memoryN/nodeK, nodeK/memoryN) only afterwards, in
 * register_memory_blocks_under_node_hotplug(): by the time the kernel
 * links them the ADDs are on every listener's socket (netlink_broadcast()
 * in device_add()).  The engine links them in that order too (HM_EV_LINK
 * after the ADDs), but hotmemfs's notifier sends the ADDs later, from its
 * queue: shown as the engine has them, the links were there before an
 * agent had the first ADD.  So a block added while the notifier runs is
 * held here from its ADD (the engine's callback, synchronous with the
 * add) until the notifier reaches its hot-add's HM_EV_LINK, queued after
 * those ADDs; meanwhile the tree shows it linked under no node (tree.c).
 *
 * Each hold has a sequence number, and a link event releases only the
 * holds made before it was queued (hmfs_nodelink_seq()): the late link
 * event of a block removed and added again meanwhile does not show the
 * new block's links before the new ADD.  A removal drops the block's
 * hold (its links went before its REMOVE: unregister_memory_block_under_nodes()).
 * No memory for a hold: the block is linked at once, as before.  Nothing
 * held (every block but during a hot-add): one atomic load a look-up.
 * nodelink_lock is a leaf lock: the engine's callback takes it.
 */
#include <stdlib.h>

#include "hmfs.h"

struct hmfs_nodelink {
	unsigned long id;
	uint64_t seq;
	struct hmfs_nodelink *next;
};

#define NODELINK_MIN_BUCKETS 256UL

static unsigned long nl_hash(unsigned long id, unsigned long buckets)
{
	return (unsigned long)(((uint64_t)id * 0x9E3779B97F4A7C15ULL) >> 24) & (buckets - 1);
}

/* Caller holds nodelink_lock: the link to @id's hold (its chain's end when none) */
static struct hmfs_nodelink **nl_find(struct hmfs_ctx *ctx, unsigned long id)
{
	struct hmfs_nodelink **p = &ctx->nodelink[nl_hash(id, ctx->nodelink_buckets)];

	while (*p && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

/* Caller holds nodelink_lock: twice the buckets, or the first; false without memory */
static bool nl_grow(struct hmfs_ctx *ctx)
{
	unsigned long n = ctx->nodelink ? 2 * ctx->nodelink_buckets : NODELINK_MIN_BUCKETS;
	struct hmfs_nodelink **t = calloc(n, sizeof(*t)), *e, *next;

	if (!t)
		return false;
	for (unsigned long i = 0; ctx->nodelink && i < ctx->nodelink_buckets; i++) {
		for (e = ctx->nodelink[i]; e; e = next) {
			next = e->next;
			e->next = t[nl_hash(e->id, n)];
			t[nl_hash(e->id, n)] = e;
		}
	}
	free(ctx->nodelink);
	ctx->nodelink = t;
	ctx->nodelink_buckets = n;
	return true;
}

/* Caller holds nodelink_lock: unlink and free *@p */
static void nl_unlink(struct hmfs_ctx *ctx, struct hmfs_nodelink **p)
{
	struct hmfs_nodelink *e = *p;

	*p = e->next;
	free(e);
	__atomic_store_n(&ctx->nr_nodelink, ctx->nr_nodelink - 1, __ATOMIC_RELEASE);
}

void hmfs_nodelink_hold(struct hmfs_ctx *ctx, unsigned long id)
{
	struct hmfs_nodelink *e = malloc(sizeof(*e)), **p;

	if (!e)
		return; /* linked at once */
	pthread_mutex_lock(&ctx->nodelink_lock);
	if ((!ctx->nodelink || ctx->nr_nodelink >= 2 * ctx->nodelink_buckets) && !nl_grow(ctx) &&
	    !ctx->nodelink) {
		pthread_mutex_unlock(&ctx->nodelink_lock);
		free(e);
		return;
	}
	p = nl_find(ctx, id);
	if (*p)
		nl_unlink(ctx, p); /* an earlier one's, whose REMOVE was not seen: not this block's */
	*e = (struct hmfs_nodelink){ id, ++ctx->nodelink_seq, ctx->nodelink[nl_hash(id, ctx->nodelink_buckets)] };
	ctx->nodelink[nl_hash(id, ctx->nodelink_buckets)] = e;
	__atomic_store_n(&ctx->nr_nodelink, ctx->nr_nodelink + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->nodelink_lock);
}

uint64_t hmfs_nodelink_seq(struct hmfs_ctx *ctx)
{
	uint64_t seq;

	pthread_mutex_lock(&ctx->nodelink_lock);
	seq = ctx->nodelink_seq;
	pthread_mutex_unlock(&ctx->nodelink_lock);
	return seq;
}

/* @id's hold, if it is at most @upto (UINT64_MAX: any): true when one went */
static bool release_upto(struct hmfs_ctx *ctx, unsigned long id, uint64_t upto)
{
	struct hmfs_nodelink **p;
	bool went = false;

	if (!__atomic_load_n(&ctx->nr_nodelink, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&ctx->nodelink_lock);
	if (ctx->nodelink) {
		p = nl_find(ctx, id);
		if (*p && (*p)->seq <= upto) {
			nl_unlink(ctx, p);
			went = true;
		}
	}
	pthread_mutex_unlock(&ctx->nodelink_lock);
	return went;
}

bool hmfs_nodelink_release(struct hmfs_ctx *ctx, unsigned long id, uint64_t upto)
{
	return release_upto(ctx, id, upto);
}

void hmfs_nodelink_drop(struct hmfs_ctx *ctx, unsigned long id)
{
	release_upto(ctx, id, UINT64_MAX);
}

void hmfs_nodelink_now(struct hmfs_ctx *ctx, unsigned long first, unsigned long end)
{
	for (unsigned long id = first; id < end && __atomic_load_n(&ctx->nr_nodelink, __ATOMIC_ACQUIRE);
	     id++)
		release_upto(ctx, id, UINT64_MAX);
}

bool hmfs_nodelink_waits(struct hmfs_ctx *ctx, unsigned long id)
{
	bool waits;

	if (!__atomic_load_n(&ctx->nr_nodelink, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&ctx->nodelink_lock);
	waits = ctx->nodelink && *nl_find(ctx, id);
	pthread_mutex_unlock(&ctx->nodelink_lock);
	return waits;
}

void hmfs_nodelink_init(struct hmfs_ctx *ctx)
{
	pthread_mutex_init(&ctx->nodelink_lock, NULL);
}

void hmfs_nodelink_free(struct hmfs_ctx *ctx)
{
	struct hmfs_nodelink *e, *next;

	pthread_mutex_lock(&ctx->nodelink_lock);
	for (unsigned long i = 0; ctx->nodelink && i < ctx->nodelink_buckets; i++) {
		for (e = ctx->nodelink[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(ctx->nodelink);
	ctx->nodelink = NULL;
	ctx->nodelink_buckets = 0;
	__atomic_store_n(&ctx->nr_nodelink, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->nodelink_lock);
}
