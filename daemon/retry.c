// SPDX-License-Identifier: MIT
/*
 * hotmemd: retrying a busy state write with bounded exponential backoff.
 *
 * EBUSY/EAGAIN on an online come from a memory notifier's refusal of
 * MEM_GOING_ONLINE (virtio-mem while its device is being removed,
 * notifier-error-inject), EINTR from a signal; the device hotplug lock
 * never shows as an errno: 6.12 lock_device_hotplug_sysfs() restarts the
 * write until it has the lock (reread36 R7).  Retried all the same, for a
 * refusal that passes; a block gets a one-shot timer that runs online.c's
 * decision again.  A pending timer marks the block busy:
 * rescans leave it to the timer; its ONLINE or OFFLINE uevent, someone
 * else's doing, cancels it (coldplug.c hmd_block_event()).
 */
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "hotmemd.h"

struct retry_ctx {
	struct hmd *d;
	unsigned long id;
};

void hmd_retry_cancel(struct hmd_block *b)
{
	b->retry = sd_event_source_disable_unref(b->retry);
}

static int retry_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct retry_ctx *rc = userdata;
	struct hmd *d = rc->d;
	unsigned long id = rc->id;
	struct hmd_block *b = hmd_block_find(d, id);

	if (!b)
		return 0;
	b->retry = sd_event_source_unref(b->retry); /* frees rc */
	hmd_block_process(d, id);
	return 0;
}

static uint64_t backoff_usec(const struct hmd *d, unsigned int attempt)
{
	uint64_t ms = d->cfg.retry_initial_ms;

	while (attempt-- > 1 && ms < d->cfg.retry_max_ms)
		ms *= 2;
	if (ms > d->cfg.retry_max_ms)
		ms = d->cfg.retry_max_ms;
	return ms * 1000;
}

int hmd_retry_schedule(struct hmd *d, unsigned long id, int err)
{
	struct hmd_block *b = &d->blk[id];
	struct retry_ctx *rc;
	uint64_t usec;
	int r;

	if (!d->ev)
		return -ENOTSUP;
	rc = malloc(sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->d = d;
	rc->id = id;
	usec = backoff_usec(d, b->attempts);
	/* accuracy 1 us: the default (250 ms) would swamp the backoff */
	r = sd_event_add_time_relative(d->ev, &b->retry, CLOCK_MONOTONIC, usec, 1, retry_cb, rc);
	if (r < 0) {
		free(rc);
		return r;
	}
	sd_event_source_set_destroy_callback(b->retry, free);
	hmd_log_ev(d, LOG_NOTICE, HMD_MSGID_RETRY, id, NULL, NULL, err,
		   "write busy, retry %u/%u in %llu ms", b->attempts, d->cfg.retry_max,
		   (unsigned long long)usec / 1000);
	return 0;
}
