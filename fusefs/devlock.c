// SPDX-License-Identifier: GPL-2.0-only
/*
 * A memory block's device_lock as a reader of its `online` meets it.
 *
 * 6.12's online_show() (drivers/base/core.c) takes device_lock(dev) to
 * read !dev->offline, and device_offline()/device_online() hold it across
 * the bus's offline/online: memory_subsys_offline() -> offline_pages(),
 * the whole loop of an offline that keeps migrating (a state or online
 * write, an ACPI eject, virtio-mem's offline_and_remove_memory()).  So a
 * `cat memoryN/online` sleeps until that block's offline ends (abuse27
 * F4), while every other attribute answers at once.
 *
 * hotmemfs's READ is served on the session thread, which must never wait
 * for a change: a READ of a locked block's `online` is kept here and
 * answered from the change's end (hmfs_devlock_release(), the change's
 * thread: libfuse lets any thread reply).  A change of one block locks
 * that block; an eject or a virtio-mem unplug locks whichever of its
 * blocks is going offline at the time of the read (its reader is
 * answered when the whole change ends: the kernel's when that block's
 * offline does).  Under --io-uring a READ is kept only while its queue
 * has an entry to spare (hmfs_uring_may_hold()), else answered at once.
 *
 * The kernel's reader sleeps in mutex_lock(), unkillable; hotmemfs's
 * answers a fatal signal (its FUSE_INTERRUPT, fs.c req_fatal_signal())
 * with EINTR at once, so a killed reader goes and its request is not kept
 * for as long as an offline may loop.
 */
#include <errno.h>
#include <stdlib.h>

#include "hmfs.h"
#include "uring.h"

/*
 * devlock_block: no block locked (0: a zeroed context's too), any block
 * going offline (an eject, a virtio-mem unplug), else block id + 1
 */
#define DEVLOCK_NONE 0L
#define DEVLOCK_GOING_OFFLINE (-1L)

/* where a kept READ is: being kept, in the list, taken by the change's end or an interrupt */
enum reader_state { READER_NEW, READER_LISTED, READER_TAKEN };

struct hmfs_devlock_read {
	struct hmfs_devlock_read *next;
	struct hmfs_ctx *ctx;
	fuse_req_t req;
	fuse_ino_t ino;
	size_t size;
	off_t off;
	struct fuse_file_info fi;
	enum reader_state state; /* devlock_lock */
	bool fatal_early; /* a fatal signal's interrupt came while READER_NEW (devlock_lock) */
};

void hmfs_devlock_init(struct hmfs_ctx *ctx)
{
	pthread_mutex_init(&ctx->devlock_lock, NULL);
	ctx->devlock_block = DEVLOCK_NONE;
	ctx->devlock_readers = NULL;
}

void hmfs_devlock_destroy(struct hmfs_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->devlock_lock);
}

/* the block @ch's change holds the device_lock of while it runs (DEVLOCK_*, or its id + 1) */
static long locked_by(const struct hmfs_change *ch, bool long_hold)
{
	if (ch->op == HMFS_CH_BLOCK_STATE || ch->op == HMFS_CH_BLOCK_ONLINE)
		return (long)ch->id + 1;
	return long_hold ? DEVLOCK_GOING_OFFLINE : DEVLOCK_NONE;
}

void hmfs_devlock_take(struct hmfs_ctx *ctx, const struct hmfs_change *ch, bool long_hold)
{
	pthread_mutex_lock(&ctx->devlock_lock);
	__atomic_store_n(&ctx->devlock_block, locked_by(ch, long_hold), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->devlock_lock);
}

/* is block @id's device_lock held?  devlock_lock held */
static bool locked_locked(struct hmfs_ctx *ctx, unsigned long id)
{
	struct hm_block_info bi;

	if (ctx->devlock_block == DEVLOCK_GOING_OFFLINE)
		return !hotmem_block_info(ctx->hm, id, &bi) && bi.state == HM_MEM_GOING_OFFLINE;
	return ctx->devlock_block == (long)id + 1;
}

/* @r out of the list (READER_LISTED, devlock_lock held) */
static void unlink_locked(struct hmfs_ctx *ctx, struct hmfs_devlock_read *r)
{
	struct hmfs_devlock_read **p;

	for (p = &ctx->devlock_readers; *p != r; p = &(*p)->next)
		;
	*p = r->next;
	r->state = READER_TAKEN;
}

/*
 * The reader's FUSE_INTERRUPT (libfuse's thread, the request's lock
 * held, so @r lives: whoever frees it first clears this callback, which
 * waits for a running one): a fatal signal ends its wait, EINTR; any
 * other is slept through, as mutex_lock() does.  Before the list has it,
 * hmfs_devlock_defer() answers it; once the change's end took it, that
 * answers it.
 */
static void reader_interrupted(fuse_req_t req, void *arg)
{
	struct hmfs_devlock_read *r = arg;
	struct hmfs_ctx *ctx = r->ctx;
	bool mine = false;

	if (!hmfs_req_fatal_signal(req))
		return;
	pthread_mutex_lock(&ctx->devlock_lock);
	if (r->state == READER_NEW)
		r->fatal_early = true;
	else if (r->state == READER_LISTED)
		mine = true;
	if (mine)
		unlink_locked(ctx, r);
	pthread_mutex_unlock(&ctx->devlock_lock);
	if (!mine)
		return;
	/* a reply from the callback is libfuse's way: it holds the request until this returns */
	fuse_reply_err(req, EINTR);
	free(r);
}

/* @r never listed: its callback cleared (waiting for a running one) and @r freed */
static void reader_drop(struct hmfs_devlock_read *r)
{
	fuse_req_interrupt_func(r->req, NULL, NULL);
	free(r);
}

bool hmfs_devlock_defer(struct hmfs_ctx *ctx, unsigned long id, fuse_req_t req, fuse_ino_t ino,
			size_t size, off_t off, const struct fuse_file_info *fi, uint64_t unique)
{
	struct hmfs_devlock_read *r;
	bool locked, fatal;

	/* unlocked: the common case, no allocation */
	if (__atomic_load_n(&ctx->devlock_block, __ATOMIC_ACQUIRE) == DEVLOCK_NONE)
		return false;
	if (ctx->uring && !hmfs_uring_may_hold(ctx->uring, unique))
		return false;
	r = malloc(sizeof(*r));
	if (!r)
		return false; /* answered at once, as before */
	*r = (struct hmfs_devlock_read){ .ctx = ctx, .req = req, .ino = ino, .size = size,
					 .off = off, .fi = *fi, .state = READER_NEW };
	/* first: an interrupt that came already runs it now (fatal_early) */
	fuse_req_interrupt_func(req, reader_interrupted, r);
	pthread_mutex_lock(&ctx->devlock_lock);
	locked = locked_locked(ctx, id);
	fatal = r->fatal_early;
	if (locked && !fatal) {
		r->state = READER_LISTED;
		r->next = ctx->devlock_readers;
		ctx->devlock_readers = r;
	}
	pthread_mutex_unlock(&ctx->devlock_lock);
	if (locked && !fatal)
		return true;
	reader_drop(r);
	if (!locked)
		return false;
	fuse_reply_err(req, EINTR);
	return true;
}

/*
 * The change's end (device_unlock()): its readers answered, with the
 * block as it is now.  The list is taken under devlock_lock and answered
 * outside it: reader_interrupted() runs under the request's lock and takes
 * devlock_lock, so the request's lock is taken here (clearing the
 * callback, which waits for one running) with devlock_lock let go.
 */
void hmfs_devlock_release(struct hmfs_ctx *ctx)
{
	struct hmfs_devlock_read *r, *next;

	pthread_mutex_lock(&ctx->devlock_lock);
	__atomic_store_n(&ctx->devlock_block, DEVLOCK_NONE, __ATOMIC_RELEASE);
	r = ctx->devlock_readers;
	ctx->devlock_readers = NULL;
	for (struct hmfs_devlock_read *t = r; t; t = t->next)
		t->state = READER_TAKEN;
	pthread_mutex_unlock(&ctx->devlock_lock);
	for (; r; r = next) {
		next = r->next;
		fuse_req_interrupt_func(r->req, NULL, NULL);
		hmfs_read_answer(r->req, r->ino, r->size, r->off, &r->fi);
		free(r);
	}
}
