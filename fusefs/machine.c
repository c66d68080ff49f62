// SPDX-License-Identifier: GPL-2.0
/*
 * The machine behind hotmemfs: its context, and the one way a client
 * changes it.
 *
 * A sysfs store (attrs.c) and a control command (ctl.c) parse their own
 * syntax into a struct hmfs_change and hand it to hmfs_change(), which
 * calls the engine, maps its return to the errno the client gets, and
 * records the change in the state file before the client hears of it.
 * The transport only turns that errno into its reply (fs.c: a write's
 * count or errno; ctl.c: "return" or "error").  "Already in that state"
 * is not decided here: the engine's state_store() says -EINVAL and
 * online_store() success, as drivers/base/memory.c does.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "hmfs.h"

static int apply(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err, size_t errlen)
{
	switch (ch->op) {
	case HMFS_CH_BLOCK_STATE:
		return hotmem_block_set_state_task(ctx->hm, ch->id, (int)ch->value, ch->task);
	case HMFS_CH_BLOCK_ONLINE:
		return hotmem_block_set_online_task(ctx->hm, ch->id, ch->value != 0, ch->task);
	case HMFS_CH_AUTO_ONLINE:
		return hotmem_set_auto_online(ctx->hm, (int)ch->value);
	case HMFS_CH_PROBE:
		return hotmem_add_memory(ctx->hm, hotmem_phys_to_nid(ctx->hm, ch->dev.addr),
					 ch->dev.addr, ctx->block_size, HM_MHP_NONE, -1);
	case HMFS_CH_NUMA_AWARE:
		return hotmem_set_auto_movable_numa_aware(ctx->hm, ch->value != 0);
	case HMFS_CH_RATIO:
		return hotmem_set_auto_movable_ratio(ctx->hm, (unsigned int)ch->value);
	case HMFS_CH_POLICY:
		return hotmem_set_online_policy(ctx->hm, (int)ch->value);
	case HMFS_CH_DEVICE_ADD:
		return hmfs_dev_add(ctx, ch->dev.driver, ch->dev.id, ch->dev.size, ch->dev.node,
				    ch->dev.addr, ch->dev.have_addr, ch->dev.requested,
				    ch->dev.block_size, ch->dev.memmap, err, errlen);
	case HMFS_CH_DEVICE_DEL:
		return hmfs_dev_del(ctx, ch->dev.id, ch->task, err, errlen);
	case HMFS_CH_DEVICE_RESIZE:
		return hmfs_dev_set_requested(ctx, ch->dev.id, ch->dev.requested, err, errlen);
	}
	return -EINVAL;
}

int hmfs_change(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err, size_t errlen)
{
	int ret;

	if (err && errlen)
		err[0] = '\0';
	ret = apply(ctx, ch, err, errlen);
	/* memory came online: a virtio-mem driver below its threshold adds more */
	if (ret >= 0 && (ch->op == HMFS_CH_BLOCK_STATE || ch->op == HMFS_CH_BLOCK_ONLINE) &&
	    ch->value != HM_MMOP_OFFLINE)
		hmfs_dev_retry(ctx);
	/* a resize that stopped half-way plugged or unplugged some: progress */
	if (ret >= 0 || ch->op == HMFS_CH_DEVICE_RESIZE)
		hmfs_state_save(ctx);
	return ret < 0 ? ret : 0;
}

/* a context with its locks and "nothing open" markers, before any engine */
void hmfs_ctx_init(struct hmfs_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	pthread_mutex_init(&ctx->poll_lock, NULL);
	pthread_mutex_init(&ctx->iattr_lock, NULL);
	pthread_mutex_init(&ctx->q_lock, NULL);
	pthread_cond_init(&ctx->q_cond, NULL);
	pthread_mutex_init(&ctx->dev_lock, NULL);
	pthread_mutex_init(&ctx->sub_lock, NULL);
	pthread_cond_init(&ctx->conns_cond, NULL);
	pthread_mutex_init(&ctx->save_lock, NULL);
	pthread_cond_init(&ctx->save_cond, NULL);
	ctx->ctl_fd = -1;
	ctx->ev_slot = -1;
	ctx->drivers_autoprobe = true;
	ctx->sink.nl_fd = ctx->sink.dgram_fd = -1;
	clock_gettime(CLOCK_REALTIME, &ctx->mount_time);
}
