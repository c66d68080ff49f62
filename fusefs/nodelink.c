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
	struct hmfs_hnode h; /* key: the block's id */
	uint64_t seq;
	bool shown; /* linked at once (hmfs_nodelink_now()); its link event still fences */
};

static bool none_held(struct hmfs_ctx *ctx)
{
	return !__atomic_load_n(&ctx->nr_nodelink, __ATOMIC_ACQUIRE);
}

/* Caller holds nodelink_lock: the table's count where the lock-free look-ups read it */
static void nl_count(struct hmfs_ctx *ctx)
{
	__atomic_store_n(&ctx->nr_nodelink, ctx->nodelink.nr, __ATOMIC_RELEASE);
}

/* Caller holds nodelink_lock: @id's hold unlinked and freed; true if there was one */
static bool nl_free(struct hmfs_ctx *ctx, unsigned long id)
{
	struct hmfs_hnode *e = hmfs_htab_del(&ctx->nodelink, id);

	free(e);
	nl_count(ctx);
	return e != NULL;
}

void hmfs_nodelink_hold(struct hmfs_ctx *ctx, unsigned long id)
{
	struct hmfs_nodelink *e = malloc(sizeof(*e));

	if (!e)
		return; /* linked at once */
	pthread_mutex_lock(&ctx->nodelink_lock);
	/* an earlier one's, whose REMOVE was not seen: not this block's */
	nl_free(ctx, id);
	*e = (struct hmfs_nodelink){ .h.key = id, .seq = ++ctx->nodelink_seq };
	if (!hmfs_htab_add(&ctx->nodelink, &e->h))
		free(e); /* linked at once */
	nl_count(ctx);
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

bool hmfs_nodelink_release(struct hmfs_ctx *ctx, unsigned long id, uint64_t upto)
{
	struct hmfs_nodelink *e;
	bool went = false;

	if (none_held(ctx))
		return false;
	pthread_mutex_lock(&ctx->nodelink_lock);
	e = (struct hmfs_nodelink *)hmfs_htab_find(&ctx->nodelink, id);
	if (e && e->seq <= upto)
		went = nl_free(ctx, id);
	pthread_mutex_unlock(&ctx->nodelink_lock);
	return went;
}

void hmfs_nodelink_drop(struct hmfs_ctx *ctx, unsigned long id)
{
	if (none_held(ctx))
		return;
	pthread_mutex_lock(&ctx->nodelink_lock);
	nl_free(ctx, id);
	pthread_mutex_unlock(&ctx->nodelink_lock);
}

struct nl_range {
	unsigned long first, end;
};

static void show_in_range(struct hmfs_hnode *n, void *arg)
{
	const struct nl_range *r = arg;

	if (n->key >= r->first && n->key < r->end)
		((struct hmfs_nodelink *)n)->shown = true;
}

/*
 * Whether the table's walk is cheaper than a look-up of each id in
 * [@first, @end): it visits every bucket as well as every hold, and the
 * buckets stay at their peak until the last hold goes -- a hot-add of
 * 131072 blocks leaves 65536+ of them behind a single hold (reread19-fusefs
 * F5: chosen by the holds alone, a restore's run of a few blocks walked
 * them all)
 */
static bool now_walks_table(const struct hmfs_htab *t, unsigned long first, unsigned long end)
{
	return end - first > t->buckets + t->nr;
}

/*
 * One lock for the range, and the cheaper of its two walks: the range's
 * ids, or the table -- dev.c shows a whole virtio-mem device's range on
 * each plugged run of a restore or an undo (131072 blocks on a 16 TiB
 * device), where a hot-add holds a few
 */
void hmfs_nodelink_now(struct hmfs_ctx *ctx, unsigned long first, unsigned long end)
{
	struct nl_range r = { first, end };

	if (none_held(ctx) || first >= end)
		return;
	pthread_mutex_lock(&ctx->nodelink_lock);
	if (now_walks_table(&ctx->nodelink, first, end)) {
		hmfs_htab_each(&ctx->nodelink, show_in_range, &r);
	} else {
		for (unsigned long id = first; id < end; id++) {
			struct hmfs_hnode *n = hmfs_htab_find(&ctx->nodelink, id);

			if (n)
				show_in_range(n, &r);
		}
	}
	pthread_mutex_unlock(&ctx->nodelink_lock);
}

bool hmfs_nodelink_waits(struct hmfs_ctx *ctx, unsigned long id)
{
	const struct hmfs_nodelink *e;
	bool waits;

	if (none_held(ctx))
		return false;
	pthread_mutex_lock(&ctx->nodelink_lock);
	e = (const struct hmfs_nodelink *)hmfs_htab_find(&ctx->nodelink, id);
	waits = e && !e->shown;
	pthread_mutex_unlock(&ctx->nodelink_lock);
	return waits;
}

/*
 * nodelink_lock lives as long as the context: hmfs_nodelink_free() runs at
 * the notifier's stop, while the session still serves look-ups (tree.c,
 * hmfs_nodelink_waits()) and writes (dev.c, hmfs_nodelink_now()); hotmemfs's
 * teardown (main.c, hmfs_ctx_destroy()) destroys it once the session and
 * the engine are gone, test_nodelink.c's teardown after its free
 */
void hmfs_nodelink_init(struct hmfs_ctx *ctx)
{
	pthread_mutex_init(&ctx->nodelink_lock, NULL);
}

void hmfs_nodelink_fini(struct hmfs_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->nodelink_lock);
}

/* at the notifier's stop: nothing delivers a link event now, every block held is linked */
void hmfs_nodelink_free(struct hmfs_ctx *ctx)
{
	struct hmfs_hnode *e, *next;

	pthread_mutex_lock(&ctx->nodelink_lock);
	for (e = hmfs_htab_take_all(&ctx->nodelink); e; e = next) {
		next = e->next;
		free(e);
	}
	nl_count(ctx);
	pthread_mutex_unlock(&ctx->nodelink_lock);
}
