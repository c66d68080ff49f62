// SPDX-License-Identifier: MIT
/*
 * hotmemd: deciding for one offline block and writing the decision to its
 * memoryN/state (policy.c decides, retry.c retries a busy write).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "hotmemd.h"

static int block_policy(struct hmd *d, const struct hmd_block *b)
{
	int p = d->cfg.node_policy[b->nid];

	return p == HMD_POL_INHERIT ? d->cfg.policy : p;
}

/* only auto-movable asks a block's group (its firmware_node is a read) */
bool hmd_block_wants_group(struct hmd *d, unsigned long id)
{
	return d->cfg.groups != HMD_GROUPS_NONE &&
	       block_policy(d, &d->blk[id]) == HMD_POL_AUTO_MOVABLE;
}

/* the decision for block @id, whose valid_zones read @mask and @first */
static void decide(struct hmd *d, unsigned long id, unsigned int mask, int first,
		   struct hmd_decision *dec)
{
	struct hmd_block *b = &d->blk[id];
	struct hmd_block_req req = { .nid = b->nid, .nr_pages = d->block_pages,
				     .valid_zones = mask, .default_zone = first };
	struct hmd_group g;

	if (hmd_block_wants_group(d, id) && hmd_block_group(d, id, &g))
		req.group = &g;
	hmd_node_stats(d, &d->pc);
	hmd_decide(block_policy(d, b), &d->pc, &req, dec);
}

static void onlined(struct hmd *d, unsigned long id, const struct hmd_decision *dec, bool ours)
{
	struct hmd_block *b = &d->blk[id];
	unsigned int mask;
	int first;

	hmd_block_account(d, id, -1);
	b->online = true;
	b->failed = false;
	b->attempts = 0;
	b->zone = dec->zone;
	if (dec->action == HMD_ACT_ONLINE || dec->zone == HMD_ZONE_NONE) {
		/* the kernel picked; an online block's valid_zones says which */
		if (!hmd_block_read_zones(d, id, &mask, &first))
			b->zone = first;
	}
	hmd_block_account(d, id, 1);
	if (ours)
		d->n_onlined++;
	hmd_status_changed(d);
}

static void give_up(struct hmd *d, unsigned long id, int err, const char *what)
{
	struct hmd_block *b = &d->blk[id];

	b->failed = true;
	b->attempts = 0;
	d->n_failed++;
	hmd_log_ev(d, LOG_ERR, HMD_MSGID_GAVE_UP, id, NULL, hmd_policy_name(block_policy(d, b)),
		   err, "gave up onlining: %s: %s", what, strerror(err));
	hmd_status_changed(d);
}

/* what the write of @dec to block @id's state answered (@r: 0 or -errno) means */
static void written(struct hmd *d, unsigned long id, const struct hmd_decision *dec, int r)
{
	struct hmd_block *b = &d->blk[id];
	const char *state = hmd_action_state(dec->action);
	bool online;

	if (!r) {
		onlined(d, id, dec, true);
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_ONLINED, id, hmd_zone_name(b->zone),
			   hmd_policy_name(block_policy(d, b)), 0, "%s (%s)", state, dec->reason);
		return;
	}
	r = -r;
	if (r == EINVAL && !hmd_block_read_state(d, id, &online, NULL) && online) {
		/* raced with the kernel (auto_online_blocks) or an admin: fine */
		hmd_block_reread(d, id);
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_SKIPPED, id, hmd_zone_name(b->zone), NULL, r,
			   "already online by someone else");
		hmd_status_changed(d);
		return;
	}
	if ((r == EBUSY || r == EAGAIN || r == EINTR) && b->attempts < d->cfg.retry_max) {
		b->attempts++;
		if (!hmd_retry_schedule(d, id, r))
			return;
	}
	give_up(d, id, r, b->attempts ? "retries exhausted" : state);
}

static void decision_text(const struct hmd_decision *dec, char *val, size_t len)
{
	snprintf(val, len, "%s\n", hmd_action_state(dec->action));
}

static void write_decision(struct hmd *d, unsigned long id, const struct hmd_decision *dec)
{
	char val[24];

	decision_text(dec, val, sizeof(val));
	written(d, id, dec, d->write_state(d, id, val));
}

void hmd_block_process(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = hmd_block_find(d, id);
	bool online;
	int r;

	if (!b || b->retry)
		return;
	r = hmd_block_read_state(d, id, &online, NULL);
	if (r) {
		hmd_log_ev(d, LOG_WARNING, NULL, id, NULL, NULL, -r, "cannot read state");
		return;
	}
	if (online) {
		/* the kernel onlined it (auto_online_blocks), or someone did */
		hmd_block_reread(d, id);
		hmd_log_ev(d, LOG_DEBUG, HMD_MSGID_SKIPPED, id, hmd_zone_name(b->zone), NULL, 0,
			   "already online, left alone");
		hmd_status_changed(d);
		return;
	}
	hmd_block_account(d, id, -1);
	b->online = false;
	hmd_block_account(d, id, 1);
	hmd_block_decide(d, id);
}

/* a decision nothing is written for (none possible, a dry run) is done here: false */
static bool write_due(struct hmd *d, unsigned long id, const struct hmd_decision *dec)
{
	struct hmd_block *b = &d->blk[id];

	if (dec->action == HMD_ACT_NONE) {
		/* policy offline observes; any other policy that cannot apply failed */
		b->failed = block_policy(d, b) != HMD_POL_OFFLINE;
		hmd_log_ev(d, b->failed ? LOG_WARNING : LOG_INFO, HMD_MSGID_SKIPPED, id, NULL,
			   hmd_policy_name(block_policy(d, b)), 0, "left offline: %s", dec->reason);
		hmd_status_changed(d);
		return false;
	}
	if (d->cfg.dry_run) {
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_DECISION, id, hmd_zone_name(dec->zone),
			   hmd_policy_name(block_policy(d, b)), 0, "dry run: would write %s (%s)",
			   hmd_action_state(dec->action), dec->reason);
		printf("memory%lu %s %s %s\n", id, hmd_action_state(dec->action),
		       hmd_zone_name(dec->zone), dec->reason);
		fflush(stdout);
		/* later decisions see this one, as they would for real */
		onlined(d, id, dec, false);
		return false;
	}
	return true;
}

void hmd_block_decide(struct hmd *d, unsigned long id)
{
	struct hmd_decision dec;
	unsigned int mask;
	int first;

	hmd_block_read_zones(d, id, &mask, &first);
	decide(d, id, mask, first, &dec);
	if (write_due(d, id, &dec))
		write_decision(d, id, &dec);
}

/* ---- the coldplug's writer --------------------------------------------- */

/*
 * A coldplug's writes, one at a time and in block order, on a thread of
 * their own: while the engine behind hotmemfs onlines block N, hotmemd
 * reads block N+1's valid_zones.  N+1 is decided only once N's answer is
 * in (written()), so every decision sees the ones before it as before;
 * only that read comes earlier, and it reads the same: an offline block's
 * valid_zones lists its default_kernel_zone_for_pfn() and Movable
 * (valid_zones_show(), drivers/base/memory.c, 6.12), which onlining a
 * block below it cannot change (a kernel zone it joins only grows up to
 * that block's end), and the first name, auto-movable's pick, hotmemd
 * reads again after an online that let the kernel pick.
 */
struct hmd_writer {
	struct hmd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool busy; /* a write handed over, its answer not taken yet */
	bool done; /* the thread wrote it: r is its answer */
	bool stop;
	unsigned long id;
	struct hmd_decision dec;
	char val[24];
	int r;
};

static void *writer_thread(void *arg)
{
	struct hmd_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && (!w->busy || w->done))
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->lock);
		/* d->write_state only reads the sysroot's fd: nothing of the model */
		w->r = w->d->write_state(w->d, w->id, w->val);
		pthread_mutex_lock(&w->lock);
		w->done = true;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct hmd_writer *hmd_writer_start(struct hmd *d)
{
	struct hmd_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->d = d;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, writer_thread, w)) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

/* waits for the write in flight, if any, and takes its answer */
static void writer_drain(struct hmd_writer *w)
{
	if (!w->busy)
		return;
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		pthread_cond_wait(&w->cond, &w->lock);
	w->busy = false;
	w->done = false;
	pthread_mutex_unlock(&w->lock);
	written(w->d, w->id, &w->dec, w->r);
}

void hmd_writer_stop(struct hmd_writer *w)
{
	if (!w)
		return;
	writer_drain(w);
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void hmd_block_decide_next(struct hmd *d, unsigned long id, struct hmd_writer *w)
{
	struct hmd_decision dec;
	unsigned int mask;
	int first;

	if (!w) {
		hmd_block_decide(d, id);
		return;
	}
	hmd_block_read_zones(d, id, &mask, &first);
	writer_drain(w);
	decide(d, id, mask, first, &dec);
	if (!write_due(d, id, &dec))
		return;
	pthread_mutex_lock(&w->lock);
	w->id = id;
	w->dec = dec;
	decision_text(&dec, w->val, sizeof(w->val));
	w->busy = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void hmd_block_process_next(struct hmd *d, unsigned long id, struct hmd_writer *w)
{
	if (w)
		writer_drain(w);
	hmd_block_process(d, id);
}
