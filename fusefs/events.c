// SPDX-License-Identifier: GPL-2.0
/*
 * Engine events to the outside world.
 *
 * The engine calls us synchronously with its locks held (hotmem.h), so
 * the callback only copies the event into a queue; one notifier thread
 * then injects the uevent, invalidates the kernel's caches, wakes
 * pollers and queues the event for `hotmemctl events` clients (never
 * waiting for them: ctlsock.c).  One thread keeps the uevents in the
 * order the engine produced them, as the kernel's are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hmfs.h"
#include "uring.h"

/* ---- kernfs_open_node->event per inode -------------------------------- */

/*
 * One node per inode that ever changed: every block's state, online and
 * valid_zones once the block has come or gone, so the table grows with the
 * machine (a 131072-block machine has ~400000; htab.c).  Under poll_lock.
 */
static struct hmfs_evnode *evtab_find(struct hmfs_ctx *ctx, uint64_t ino)
{
	return (struct hmfs_evnode *)hmfs_htab_find(&ctx->evtab, ino);
}

int hmfs_evtab_get_locked(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hmfs_evnode *e = evtab_find(ctx, ino);

	return e ? e->event : 1;
}

/*
 * kernfs_seq_show(): a read's show() takes the event it answers to.  Under
 * poll_lock, where hmfs_poll() compares it.
 */
void hmfs_poll_seen(struct hmfs_ctx *ctx, struct hmfs_open *of)
{
	pthread_mutex_lock(&ctx->poll_lock);
	of->event = hmfs_evtab_get_locked(ctx, of->ino);
	pthread_mutex_unlock(&ctx->poll_lock);
}

/* Caller holds poll_lock: @ino's event, one more; NULL without memory. */
static struct hmfs_evnode *evtab_bump_locked(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hmfs_evnode *e = evtab_find(ctx, ino);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		e->h.key = ino;
		e->event = 1;
		if (!hmfs_htab_add(&ctx->evtab, &e->h)) {
			free(e);
			return NULL;
		}
	}
	e->event++;
	return e;
}

/* sysfs_notify(): bump the event and wake whoever polls this inode. */
void hmfs_poll_bump(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hmfs_open *of;

	pthread_mutex_lock(&ctx->poll_lock);
	if (!evtab_bump_locked(ctx, ino))
		goto out;
	for (of = ctx->polled; of; of = of->next) {
		if (of->ino != ino || !of->ph)
			continue;
		fuse_lowlevel_notify_poll(of->ph);
		fuse_pollhandle_destroy(of->ph);
		of->ph = NULL;
	}
out:
	pthread_mutex_unlock(&ctx->poll_lock);
}

/*
 * kernfs removes a device's nodes with it, and an open file of one stays
 * tied to the node that went (kernfs_get_active() fails: ENODEV): the
 * block's key (incarn.c) changes when the block goes, in the engine's
 * callback, synchronously with the removal (remove_memory_block() has
 * taken the block out of memory_blocks before its REMOVE uevent).
 */
bool hmfs_block_went(struct hmfs_ctx *ctx, const struct hmfs_node *n, uint64_t key)
{
	return HMFS_INO_CLASS(n->ino) == HMFS_C_BLOCK &&
	       hmfs_inc_key(ctx, HMFS_INC_BLOCK, n->id) != key;
}

uint64_t hmfs_event_ino(const struct hmfs_node *n)
{
	return HMFS_INO_CLASS(n->ino) == HMFS_C_BLOCK ? HMFS_BLOCK_INO(n->id, n->ino & 0xff) :
							  n->ino;
}

/* ---- the queue --------------------------------------------------------- */

#define HMFS_QMAX 65536 /* beyond this, trace/log lines are dropped */

/*
 * What a uevent's variables before SEQNUM take of kobject_uevent_env()'s
 * one struct kobj_uevent_env: bytes with their NULs, and keys
 * (uevent_env_room())
 */
struct uevent_room {
	size_t len, keys;
};

/*
 * add_uevent_var(env, "SEQNUM=%llu", ...) after @room: -ENOMEM past
 * UEVENT_BUFFER_SIZE (2048) or UEVENT_NUM_ENVP (64) keys
 */
static int seqnum_fits(const struct uevent_room *room, unsigned long long seqnum)
{
	char seq[32];
	size_t len = (size_t)snprintf(seq, sizeof(seq), "SEQNUM=%llu", seqnum) + 1;

	return room->len + len > HMFS_SYNTH_ENV_SIZE || room->keys + 1 > HMFS_SYNTH_ENV_MAX ?
		       -ENOMEM :
		       0;
}

/*
 * Queue @q.  A uevent takes its SEQNUM here, in the thread that makes it
 * (an engine callback's, a uevent file's writer), under q_lock.
 *
 * The order: 6.12 kobject_uevent_env() takes the number with
 * atomic64_inc_return(&uevent_seqnum) and broadcasts afterwards under
 * uevent_sock_mutex (uevent_net_broadcast_untagged()), so two CPUs'
 * uevents may reach a listener out of SEQNUM order there; before 2024's
 * "kobject: reduce uevent_sock_mutex scope" the number was taken under
 * that mutex, in the broadcast's order.  hotmemfs keeps that older
 * promise: the number is taken under the lock that orders the queue,
 * and the one notifier delivers in queue order, so the SEQNUMs a
 * listener gets only ever go up -- an engine's ONLINE after the ADD it
 * follows, whatever writers queue meanwhile.
 *
 * @room (a synthetic uevent's, else NULL): its SEQNUM's room checked
 * with its own number, after taking it -- as add_uevent_var() checks
 * after atomic64_inc_return() -- so a uevent refused there uses its
 * number up (the next says n+2); -ENOMEM then, @q freed.
 */
static int enqueue_room(struct hmfs_ctx *ctx, struct hmfs_qev *q, const struct uevent_room *room)
{
	pthread_mutex_lock(&ctx->q_lock);
	/* under the lock: the stream's timestamps in its order, whoever queues */
	clock_gettime(CLOCK_REALTIME, &q->ts);
	if (ctx->q_len >= HMFS_QMAX && q->type != HM_EV_UEVENT && !q->qmp) {
		ctx->q_dropped++;
		pthread_mutex_unlock(&ctx->q_lock);
		free(q);
		return 0;
	}
	if (q->type == HM_EV_UEVENT)
		q->seqnum = hmfs_uevent_sink_seqnum_next(&ctx->sink);
	if (room && seqnum_fits(room, q->seqnum)) {
		pthread_mutex_unlock(&ctx->q_lock);
		hmfs_qev_free(q);
		return -ENOMEM;
	}
	/* read without the lock by hmfs_events_queued() */
	__atomic_store_n(&ctx->q_queued, ctx->q_queued + 1, __ATOMIC_RELEASE);
	if (ctx->q_tail)
		ctx->q_tail->next = q;
	else
		ctx->q_head = q;
	ctx->q_tail = q;
	ctx->q_len++;
	pthread_mutex_unlock(&ctx->q_lock);
	/* after the unlock, as queue_request() in fs.c does, for the same reason */
	pthread_cond_signal(&ctx->q_cond);
	return 0;
}

static void enqueue(struct hmfs_ctx *ctx, struct hmfs_qev *q)
{
	(void)enqueue_room(ctx, q, NULL);
}

/* The user ABI's names, not the engine's: the callback must not call into it. */
static const char *action_name(enum hm_uevent_action a)
{
	const char *name = hmu_kobject_action_name((int)a);

	return name ? name : "change";
}

static bool notifier_live(struct hmfs_ctx *ctx);
static void emit_node_link(struct hmfs_ctx *ctx, const struct hm_event *ev);

static void engine_event(const struct hm_event *ev, void *arg)
{
	struct hmfs_ctx *ctx = arg;
	struct hmfs_qev *q;
	uint64_t gone_key = 0;

	if (ev->type == HM_EV_LINK) {
		emit_node_link(ctx, ev);
		return;
	}
	/*
	 * a block added now shows its node links once the notifier has sent
	 * its hot-add's ADDs (nodelink.c); none would deliver the link event
	 * of a notifier not running: linked at once
	 */
	if (ev->type == HM_EV_UEVENT && ev->action == HM_KOBJ_ADD && ev->block_id != HM_NO_BLOCK &&
	    notifier_live(ctx))
		hmfs_nodelink_hold(ctx, ev->block_id);
	/*
	 * A removal's inode numbers and kept iattrs go with it, here and not
	 * when the notifier delivers it: a late forget erased what an undo
	 * or a block added again had kept (iattr.c)
	 */
	if (ev->type == HM_EV_UEVENT && ev->action == HM_KOBJ_REMOVE && ev->block_id != HM_NO_BLOCK) {
		/* /proc/iomem's and firmware/memmap's copy: the removal moves both next */
		hmfs_maps_snap_stale(ctx);
		hmfs_nodelink_drop(ctx, ev->block_id);
		gone_key = hmfs_inc_gone(ctx, HMFS_INC_BLOCK, ev->block_id);
		hmfs_forget_block_attrs(ctx, ev->block_id, gone_key);
	/* a node's (unregister_one_node()): its numbers go the same way */
	} else if (ev->type == HM_EV_UEVENT && ev->action == HM_KOBJ_REMOVE && ev->nid >= 0) {
		gone_key = hmfs_inc_gone(ctx, HMFS_INC_NODE, (unsigned long)ev->nid);
		hmfs_forget_node_attrs(ctx, gone_key);
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return;
	q->gone_key = gone_key;
	q->type = ev->type;
	q->action = ev->action;
	q->block_id = ev->block_id;
	q->level = ev->level;
	switch (ev->type) {
	case HM_EV_UEVENT:
		snprintf(q->action_name, sizeof(q->action_name), "%s", action_name(ev->action));
		/* a node device's (nid >= 0) is subsystem "node" */
		q->synth = ev->block_id == HM_NO_BLOCK;
		snprintf(q->subsys, sizeof(q->subsys), "%s", q->synth ? "node" : "memory");
		snprintf(q->text, sizeof(q->text), "%s", ev->devpath ? ev->devpath : "");
		break;
	case HM_EV_LOG:
		snprintf(q->text, sizeof(q->text), "%s", ev->msg ? ev->msg : "");
		break;
	case HM_EV_TRACE:
		snprintf(q->text, sizeof(q->text), "%s", ev->fn ? ev->fn : "");
		q->exit = ev->exit;
		q->start_pfn = ev->start_pfn;
		q->nr_pages = ev->nr_pages;
		q->nid = ev->nid;
		q->zid = ev->zid;
		q->extra = ev->extra;
		q->ret = ev->ret;
		break;
	}
	enqueue(ctx, q);
}

void hmfs_qev_free(struct hmfs_qev *q)
{
	free(q->env);
	free(q);
}

/*
 * 6.12 lib/kobject_uevent.c kobject_uevent_env(): ACTION, DEVPATH and
 * SUBSYSTEM, then the caller's variables (kobject_synth_uevent()'s
 * SYNTH_*, a bus's uevent() such as acpi_device_uevent()'s MODALIAS),
 * then SEQNUM, each add_uevent_var()ed into one struct kobj_uevent_env:
 * UEVENT_BUFFER_SIZE (2048) bytes with their NULs and UEVENT_NUM_ENVP
 * (64) keys for all of them together.  One that does not fit is -ENOMEM
 * (and a WARN, "buffer size too small" or "too many keys", not
 * modelled).  Here all but SEQNUM, whose number is not taken yet: one
 * refused before SEQNUM takes none (enqueue_room() checks SEQNUM's).
 */
static int uevent_env_room(const char *action, const char *devpath, const char *subsystem,
			   const char *env, size_t env_len, struct uevent_room *room)
{
	room->len = strlen("ACTION=") + strlen(action) + 1 + strlen("DEVPATH=") + strlen(devpath) +
		    1 + strlen("SUBSYSTEM=") + strlen(subsystem) + 1 + env_len;
	room->keys = 3;
	for (size_t off = 0; off < env_len; off += strlen(env + off) + 1)
		room->keys++;
	return room->len > HMFS_SYNTH_ENV_SIZE || room->keys > HMFS_SYNTH_ENV_MAX ? -ENOMEM : 0;
}

int hmfs_emit_uevent(struct hmfs_ctx *ctx, const char *action, const char *devpath,
		     const char *subsystem, const char *env, size_t env_len)
{
	struct uevent_room room;
	struct hmfs_qev *q;

	if (uevent_env_room(action, devpath, subsystem, env, env_len, &room))
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	if (env_len) {
		q->env = malloc(env_len);
		if (!q->env) {
			free(q);
			return -ENOMEM;
		}
		memcpy(q->env, env, env_len);
		q->env_len = env_len;
	}
	q->type = HM_EV_UEVENT;
	q->synth = true;
	snprintf(q->action_name, sizeof(q->action_name), "%s", action);
	snprintf(q->subsys, sizeof(q->subsys), "%s", subsystem);
	snprintf(q->text, sizeof(q->text), "%s", devpath);
	return enqueue_room(ctx, q, &room);
}

/*
 * Whether the notifier would deliver an event queued now: not before it
 * starts (a start's restore of the state file: hmfs_dev_restore_plugged())
 * or once it stops (nothing would deliver or free it); q_stop first, set
 * before notifier_started is cleared
 */
static bool notifier_live(struct hmfs_ctx *ctx)
{
	bool live;

	pthread_mutex_lock(&ctx->q_lock);
	live = !ctx->q_stop && ctx->notifier_started;
	pthread_mutex_unlock(&ctx->q_lock);
	return live;
}

/*
 * acpi_bind_memory_blocks() links slot @slot's blocks (acpi.c
 * hmfs_acpi_slot_bind()): queued after their ADDs, the links show once
 * those are sent, and the listings cached before are dropped after those
 * ADDs' own invalidations.  Without a notifier (a restore, before it
 * starts) nothing would deliver it: false, as without memory.
 */
bool hmfs_emit_acpi_bind(struct hmfs_ctx *ctx, int slot, unsigned long gen)
{
	struct hmfs_qev *q;

	if (!notifier_live(ctx))
		return false;
	q = calloc(1, sizeof(*q));
	if (!q)
		return false;
	q->type = HM_EV_LOG; /* no engine event, no QMP event: q->qmp says what it is */
	q->qmp = HMFS_QMP_ACPI_BIND;
	q->zid = slot;
	q->block_id = gen;
	enqueue(ctx, q);
	return true;
}

/*
 * The engine linked a hot-add's blocks under their node
 * (register_memory_blocks_under_node_hotplug(), after their ADDs): queued
 * after those ADDs, the links show once the notifier has sent them
 * (nodelink.c), the holds made until now released.  No notifier (it
 * stops) or no memory to queue it: linked now.  In the engine's callback.
 */
static void emit_node_link(struct hmfs_ctx *ctx, const struct hm_event *ev)
{
	const unsigned long pages = (unsigned long)(ctx->block_size >> 12);
	const unsigned long first = (unsigned long)ev->start_pfn / pages;
	const unsigned long end = (unsigned long)(ev->start_pfn + ev->nr_pages) / pages;
	struct hmfs_qev *q = notifier_live(ctx) ? calloc(1, sizeof(*q)) : NULL;

	if (!q) {
		for (unsigned long id = first; id < end; id++)
			hmfs_nodelink_drop(ctx, id);
		return;
	}
	q->type = HM_EV_LOG; /* no uevent, no QMP event: q->qmp says what it is */
	q->qmp = HMFS_QMP_NODE_LINK;
	q->block_id = first;
	q->nr_pages = end - first;
	q->nid = ev->nid;
	q->gone_key = hmfs_nodelink_seq(ctx);
	enqueue(ctx, q);
}

/*
 * The guest's _OST of slot @slot's DIMM @id (NULL: the slot has none any
 * more), as QEMU sends it the moment the guest writes it: in the stream
 * between the uevents queued before and after (an eject's "in progress"
 * before its offlines, its result after them: acpi.c, dev.c), with its
 * time taken here: broadcast at once it came before them, its timestamp
 * after theirs (usereye3 #11).  Never dropped, as a uevent is not.
 */
void hmfs_emit_ost(struct hmfs_ctx *ctx, int slot, const char *id, int source, int status)
{
	struct hmfs_qev *q = calloc(1, sizeof(*q));

	if (!q)
		return;
	q->type = HM_EV_LOG; /* no engine event: q->qmp says what it is */
	q->qmp = HMFS_QMP_OST;
	snprintf(q->text, sizeof(q->text), "%s", id ? id : "");
	q->zid = slot;
	q->nid = source;
	q->ret = status;
	enqueue(ctx, q);
}

/*
 * QEMU's DEVICE_DELETED once device @id is gone: device_finalize() sends
 * it (hw/core/qdev.c, 7.2) when the guest's _EJ0 took a DIMM away, before
 * the guest's _OST of success, and after a virtio-mem-pci's device_del.
 * Queued as the OST is, so it comes after the removal's uevents, once
 * hmfs_change() has it durable (machine.c, acpi.c); never dropped.
 * @child: the QOM child of @id it is about (NULL: @id itself).
 */
static void emit_device_deleted(struct hmfs_ctx *ctx, const char *id, const char *child)
{
	struct hmfs_qev *q = calloc(1, sizeof(*q));

	if (!q)
		return;
	q->type = HM_EV_LOG;
	q->qmp = HMFS_QMP_DEVICE_DELETED;
	snprintf(q->text, sizeof(q->text), "%s", id);
	snprintf(q->subsys, sizeof(q->subsys), "%s", child ? child : "");
	enqueue(ctx, q);
}

void hmfs_emit_device_deleted(struct hmfs_ctx *ctx, const char *id)
{
	emit_device_deleted(ctx, id, NULL);
}

/*
 * A virtio-*-pci proxy's device_del: every realized device QEMU
 * unrealizes sends DEVICE_DELETED from device_finalize()
 * (device_set_realized() sets pending_deleted_event, hw/core/qdev.c 7.2+),
 * and the proxy's unparent unparents its virtio bus's child first
 * (device_unparent()): the backend "virtio-backend"
 * (virtio_instance_init_common()), which has no id -- no "device" -- then
 * the proxy.  A pc-dimm has no such child: its one event.
 */
void hmfs_emit_virtio_device_deleted(struct hmfs_ctx *ctx, const char *id)
{
	emit_device_deleted(ctx, id, "virtio-backend");
	emit_device_deleted(ctx, id, NULL);
}

/*
 * QEMU's MEMORY_DEVICE_SIZE_CHANGE: the guest's driver changed virtio-mem
 * @id's plugged size to @size (hw/virtio/virtio-mem-pci.c
 * virtio_mem_pci_size_change_notify()).  QEMU notifies each plug or
 * unplug request the guest sends (virtio_mem_state_change_request()), and
 * so does hotmem: each request of the driver's run the device ACKs
 * (dev.c vmem_size_changed()), and a restore's or an undo's plugging
 * once, with the size it left.  Rate-limited as the monitor does
 * (deliver_size_change()): a resize's first request's size at once, its
 * last of each second after; never dropped.
 */
void hmfs_emit_size_change(struct hmfs_ctx *ctx, const char *id, uint64_t size)
{
	struct hmfs_qev *q;

	/* none before the notifier starts (no follower yet) or once it stops */
	if (!notifier_live(ctx))
		return;
	q = calloc(1, sizeof(*q));
	if (!q)
		return;
	q->type = HM_EV_LOG;
	q->qmp = HMFS_QMP_SIZE_CHANGE;
	snprintf(q->text, sizeof(q->text), "%s", id);
	q->nr_pages = size;
	enqueue(ctx, q);
}

/* ---- QEMU's rate limit of guest-triggered events ------------------------ */

/*
 * monitor/monitor.c (QEMU 6.2+): MEMORY_DEVICE_SIZE_CHANGE is limited to
 * one a second per device (monitor_qapi_event_conf[], its throttle keyed
 * by "qom-path").  The first goes out at once and arms the period; one
 * within it is kept, replacing any kept before, and sent as the period
 * ends (monitor_qapi_event_handler()), arming the next; a period that
 * ends with none kept ends the limit.  QEMU sends the kept event with the
 * timestamp it was made with; here it is queued again at the period's
 * end and stamped then, so that the stream's timestamps, uevents and log
 * lines among them, never go backwards (usereye3 #11).  Only the notifier
 * thread touches these.
 */
#define HMFS_QMP_RATE_MS 1000

struct hmfs_qmp_throttle {
	char id[sizeof(((struct hmfs_dev *)0)->id)];
	struct timespec until; /* CLOCK_MONOTONIC */
	struct hmfs_qev *kept; /* to send at @until, or NULL */
	struct hmfs_qmp_throttle *next;
};

static void broadcast_size_change(struct hmfs_ctx *ctx, const struct hmfs_qev *q)
{
	hmfs_ctl_broadcast_size_change(ctx, q->text, q->nr_pages, &q->ts);
}

/* @q delivered or kept (then owned here); false: send it now, no limit could be armed */
static bool throttle_size_change(struct hmfs_ctx *ctx, struct hmfs_qev *q)
{
	struct hmfs_qmp_throttle *t;

	if (q->released)
		return false; /* its period ended: out now */
	for (t = ctx->q_throttle; t && strcmp(t->id, q->text); t = t->next)
		;
	if (t) {
		if (t->kept)
			hmfs_qev_free(t->kept);
		t->kept = q;
		return true;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return false;
	snprintf(t->id, sizeof(t->id), "%.*s", (int)sizeof(t->id) - 1, q->text);
	hmfs_deadline_after(&t->until, HMFS_QMP_RATE_MS);
	t->next = ctx->q_throttle;
	ctx->q_throttle = t;
	broadcast_size_change(ctx, q);
	hmfs_qev_free(q);
	return true;
}

/*
 * The periods that ended: their kept event queued again, the next period
 * armed, or the limit gone.  Called without q_lock.
 */
static void throttle_expire(struct hmfs_ctx *ctx)
{
	struct hmfs_qmp_throttle **p = &ctx->q_throttle, *t;

	while ((t = *p)) {
		if (!hmfs_deadline_passed(&t->until)) {
			p = &t->next;
		} else if (t->kept) {
			t->kept->released = true;
			t->kept->next = NULL; /* it was taken off a batch */
			enqueue(ctx, t->kept);
			t->kept = NULL;
			hmfs_deadline_after(&t->until, HMFS_QMP_RATE_MS);
			p = &t->next;
		} else {
			*p = t->next;
			free(t);
		}
	}
}

/* the earliest end of a period into @at: false when no limit is armed */
static bool throttle_next(const struct hmfs_ctx *ctx, struct timespec *at)
{
	const struct hmfs_qmp_throttle *t = ctx->q_throttle;

	if (!t)
		return false;
	*at = t->until;
	for (t = t->next; t; t = t->next)
		if (hmfs_timespec_before(&t->until, at))
			*at = t->until;
	return true;
}

/* at the notifier's end: what is kept is not sent (QEMU's monitor_cleanup() drops it too) */
static void throttle_free(struct hmfs_ctx *ctx)
{
	while (ctx->q_throttle) {
		struct hmfs_qmp_throttle *t = ctx->q_throttle;

		ctx->q_throttle = t->next;
		if (t->kept)
			hmfs_qev_free(t->kept);
		free(t);
	}
}

/* ---- change notification: the kernel forgets cached entries ---------- */

/*
 * The notifier calls into the kernel only while the session loop reads
 * /dev/fuse.  fuse_reverse_inval_entry() (fs/fuse/dir.c, 6.12; 6.18's
 * start_removing_noperm() the same) waits uninterruptibly for the
 * directory's inode lock, and a lookup or readdir of that directory holds
 * it while its request waits for the loop: with nobody reading, the
 * notifier, the teardown that drains it and every write reply held for it
 * hang for good, the writers unkillable (review4: SIGTERM during a big
 * device_del, a storm of lookups in memory/; libfuse even drops the
 * request its last read returned once the session has exited).  So each
 * call is made under kernel_lock, and hmfs_events_kernel_gone() -- called
 * by the stopper before it stops the loop (main.c), and first thing in
 * teardown -- says "no more" and waits for the call in flight, which the
 * still-running loop lets finish.  Before the loop's first read the
 * kernel has nothing of ours cached (an inode it does not have is
 * -ENOENT at once); after a loop ended by itself (ENODEV) the connection
 * is gone and a call returns at once.  The kernel drops its caches with
 * the mount anyway.
 */
/*
 * The session, or NULL before the mount: the notifier starts before it
 * (main.c prepare()), main sets ctx->se after, so it is read atomically
 */
static struct fuse_session *kernel_enter(struct hmfs_ctx *ctx)
{
	struct fuse_session *se = __atomic_load_n(&ctx->se, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&ctx->kernel_gone, __ATOMIC_ACQUIRE) || !se)
		return NULL;
	pthread_mutex_lock(&ctx->kernel_lock);
	if (!__atomic_load_n(&ctx->kernel_gone, __ATOMIC_ACQUIRE))
		return se;
	pthread_mutex_unlock(&ctx->kernel_lock);
	return NULL;
}

static void kernel_leave(struct hmfs_ctx *ctx)
{
	pthread_mutex_unlock(&ctx->kernel_lock);
}

void hmfs_events_kernel_gone(struct hmfs_ctx *ctx)
{
	__atomic_store_n(&ctx->kernel_gone, true, __ATOMIC_RELEASE);
	/* the call in flight, if any, is over once we have the lock */
	pthread_mutex_lock(&ctx->kernel_lock);
	pthread_mutex_unlock(&ctx->kernel_lock);
}

/* fuse_lowlevel_notify_inval_entry(), or -ENOTCONN once the kernel is gone */
static int kernel_inval_entry(struct hmfs_ctx *ctx, uint64_t dir, const char *name)
{
	struct fuse_session *se = kernel_enter(ctx);
	int ret;

	if (!se)
		return -ENOTCONN;
	ret = fuse_lowlevel_notify_inval_entry(se, dir, name, strlen(name));
	kernel_leave(ctx);
	return ret;
}

/* fuse_lowlevel_notify_inval_inode() of @ino's attributes and cached listing */
static int kernel_inval_inode(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct fuse_session *se = kernel_enter(ctx);
	int ret;

	if (!se)
		return -ENOTCONN;
	ret = fuse_lowlevel_notify_inval_inode(se, ino, 0, 0);
	kernel_leave(ctx);
	return ret;
}

/* @name went from @dir: the kernel drops its dentry (and what hangs below) */
static void inval_name(struct hmfs_ctx *ctx, uint64_t dir, const char *name)
{
	kernel_inval_entry(ctx, dir, name);
}

static void inval_dir(struct hmfs_ctx *ctx, uint64_t dir, const char *name)
{
	if (name)
		inval_name(ctx, dir, name);
	/* drop the cached listing and nlink */
	kernel_inval_inode(ctx, dir);
}

/*
 * A removed block's inodes, those of the incarnation that went (@key,
 * incarn.c): the kernel may keep them (an open file or directory
 * holds them, or just its inode cache) with their listing and attributes;
 * kernfs answers for a removed node from then on (tree.c:
 * hmfs_node_get_removed()), its bus link's too (the block's key).
 */
static void inval_block_inodes(struct hmfs_ctx *ctx, unsigned long id, uint64_t key)
{
	int ret;

	kernel_inval_inode(ctx, HMFS_BUSLINK_INO(key));
	/*
	 * The directory first, after its name was invalidated (whose
	 * d_invalidate() dropped every dentry below that nothing holds): an
	 * inode of a file or link in it that the kernel still has is held
	 * through its dentry, which holds its parent's, down to the block's
	 * directory (FUSE keeps no inode without a dentry: its drop_inode is
	 * generic_delete_inode()).  The directory not there (ENOENT): none of
	 * the 16 below is, and their notifications, each a write to
	 * /dev/fuse answered ENOENT, are skipped -- 16 of a removed block's
	 * 24.  (-ENOTCONN, the kernel gone: none either.)
	 */
	ret = kernel_inval_inode(ctx, HMFS_BLOCK_INO(key, BSUB_DIR));
	if (ret == -ENOENT || ret == -ENOTCONN)
		return;
	for (unsigned int sub = BSUB_DIR + 1; sub < BSUB_END; sub++)
		kernel_inval_inode(ctx, HMFS_BLOCK_INO(key, sub));
	for (unsigned int k = 0; k < hmfs_nr_power(ctx); k++)
		kernel_inval_inode(ctx, HMFS_BLOCK_INO(key, SUB_PWR + k));
}

/*
 * ---- a listing answered before the links came --------------------------
 *
 * A READDIR of memoryN/ answered before the block's links showed, but
 * parsed by its reader only after node_linked() dropped the directory's
 * cached listing, fills that cache anew without them
 * (fuse_add_dirent_to_cache() checks the cache's own version, which
 * fuse_reverse_inval_inode() leaves alone), and the kernel then serves
 * it for good: hotmemd, listing a DIMM's first block at its ADD while the
 * notifier linked the DIMM, read no node link at its settle either and
 * decided the block as node 0's (1 run in 3 of tests/fusefs/215-*).
 *
 * So the listing is dropped only once every reader that may hold such a
 * reply is done with it.  A reader holds the directory's i_rwsem, shared,
 * from before its READDIR to the end of its parse (iterate_dir() ->
 * fuse_readdir()), and fuse_reverse_inval_entry() takes it exclusively
 * (6.12 to 6.18 fs/fuse/dir.c: inode_lock_nested(parent, I_MUTEX_PARENT),
 * whether the name has a dentry or not): a notify_inval_entry() of the
 * new link's name, made after the links show, returns once every
 * getdents64() that began before has ended -- any READDIR answered
 * without the links is parsed and cached by then -- and the
 * notify_inval_inode() after it drops what they cached.  No timer.  (The
 * name -- nodeK, memoryN, a DIMM binding's firmware_node or physical_node
 * (inval_acpi_bound()) -- has no dentry to drop: it was not there.  A
 * kernel whose fuse_reverse_inval_entry() looks the name up before it
 * locks, as later ones do, returns at once for a name with no dentry and
 * is no such fence.)
 */
static int listing_fence(struct hmfs_ctx *ctx, uint64_t dir, const char *name)
{
	int ret = kernel_inval_entry(ctx, dir, name);

	return ret == -ENOTCONN ? ret : kernel_inval_inode(ctx, dir);
}

/* listing_fence() of block @id's memoryN/, @name the entry that came */
static int block_dir_fence(struct hmfs_ctx *ctx, unsigned long id, const char *name)
{
	return listing_fence(ctx, HMFS_BLOCK_INO(hmfs_inc_key(ctx, HMFS_INC_BLOCK, id), BSUB_DIR),
			     name);
}

/*
 * Slot @slot's blocks were linked (acpi_bind_memory_blocks(), after the
 * blocks' ADDs and node links): each memoryN/ gained firmware_node and
 * the slot's PNP0C80:xx/ its physical_node, physical_node1 ..., which
 * listings read since the blocks' ADDs lack.  Dropped behind the same
 * fence as the node links' (above): a READDIR of PNP0C80:xx/ answered
 * before the binding and parsed after a bare drop kept the slot listed
 * without physical_nodeK for good, where hotmemd looks for a DIMM's blocks.
 */
static void inval_acpi_bound(struct hmfs_ctx *ctx, int slot)
{
	struct hmfs_acpi_slot s;
	long id;

	if (!hmfs_acpi_slot_get(ctx, slot, &s) || !s.bound)
		return;
	for (uint64_t k = 0; (id = hmfs_acpi_slot_block(&s, k, ctx->block_size)) >= 0; k++)
		if (block_dir_fence(ctx, (unsigned long)id, "firmware_node") == -ENOTCONN)
			return;
	listing_fence(ctx, HMFS_INO(HMFS_C_ACPI, (uint64_t)slot << 8 | ASUB_DIR), "physical_node");
}

/*
 * A hot-add's link event, after its ADDs (emit_node_link()): each block
 * held since its ADD shows memoryN/nodeK and nodeK/memoryN now, in
 * ascending order as register_memory_blocks_under_node_hotplug() links
 * them; the listings the kernel cached without them are dropped
 * (listing_fence()), each block's after its links came, the node's once
 * at the end.  A block removed meanwhile had its hold dropped, one added
 * again after the event was queued keeps its own.
 */
static void node_linked(struct hmfs_ctx *ctx, const struct hmfs_qev *q)
{
	char name[32];
	long first = -1;

	snprintf(name, sizeof(name), "node%d", q->nid);
	for (unsigned long id = q->block_id; id < q->block_id + q->nr_pages; id++) {
		if (!hmfs_nodelink_release(ctx, id, q->gone_key))
			continue;
		if (first < 0)
			first = (long)id;
		if (block_dir_fence(ctx, id, name) == -ENOTCONN)
			return;
	}
	if (first < 0 || q->nid < 0)
		return;
	/* every block's links show by now: one fence covers the node's listing */
	snprintf(name, sizeof(name), "memory%ld", first);
	listing_fence(ctx, hmfs_node_dir_ino(ctx, (unsigned long)q->nid), name);
}

/* a DIMM's block came or went: slot @slot's physical_nodeK with it (acpi_bind_one()) */
static void inval_acpi_link(struct hmfs_ctx *ctx, int slot, unsigned long k,
			    enum hm_uevent_action action)
{
	char name[40];

	if (k)
		snprintf(name, sizeof(name), "physical_node%lu", k);
	else
		snprintf(name, sizeof(name), "physical_node");
	inval_dir(ctx, HMFS_INO(HMFS_C_ACPI, (uint64_t)slot << 8 | ASUB_DIR),
		  action == HM_KOBJ_REMOVE ? name : NULL);
	if (action != HM_KOBJ_REMOVE)
		return;
	/*
	 * acpi_unbind_one() removed the link (its iattrs went with the block:
	 * hmfs_forget_block_attrs()); the next DIMM in the slot has other
	 * blocks behind the same link
	 */
	kernel_inval_inode(ctx, HMFS_INO(HMFS_C_ACPI_PHYS, (uint64_t)slot << 40 | k));
}

/*
 * Delivered after the unplug, maybe after another DIMM took the address
 * in another slot: which slot the block was in is no longer known, so
 * every slot whose DIMM has or last had it (at most the slots'
 * number; one more invalidation only makes the client look again).  The
 * first found alone invalidated an empty slot's link, not the removed
 * one (review7 #1).
 */
static void inval_acpi_slot(struct hmfs_ctx *ctx, unsigned long id, enum hm_uevent_action action)
{
	unsigned long k;

	for (int slot = hmfs_acpi_block_slot_had(ctx, id, 0, &k); slot >= 0;
	     slot = hmfs_acpi_block_slot_had(ctx, id, slot + 1, &k))
		inval_acpi_link(ctx, slot, k, action);
}

/* a block's ADD or REMOVE changes memory/, bus/memory/devices/ and the node directories */
static bool changes_dirs(enum hm_uevent_action action)
{
	return action == HM_KOBJ_ADD || action == HM_KOBJ_REMOVE;
}

/*
 * What a block's uevent changes but the directories a run shares: the
 * names that went (the kernel drops their dentries, and with
 * fuse_dir_changed() the cached listing and attributes of a directory
 * that had them), the removed incarnation's inodes (@gone_key), its ACPI
 * slot's link.  Online and offline change no name: a node's hugepages/
 * is there as long as the node (tree.c node_sub_exists()).  Before its
 * uevent.
 */
static void block_names_changed(struct hmfs_ctx *ctx, unsigned long id,
				enum hm_uevent_action action, uint64_t gone_key)
{
	char name[32];

	switch (action) {
	case HM_KOBJ_REMOVE:
		snprintf(name, sizeof(name), "memory%lu", id);
		inval_name(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_memory + 1), name);
		inval_name(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_busdev + 1), name);
		for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++)
			inval_name(ctx, hmfs_node_dir_ino(ctx, (unsigned long)nid), name);
		inval_block_inodes(ctx, id, gone_key);
		inval_acpi_slot(ctx, id, action);
		break;
	case HM_KOBJ_ADD:
		inval_acpi_slot(ctx, id, action);
		break;
	case HM_KOBJ_ONLINE:
	case HM_KOBJ_OFFLINE:
	case HM_KOBJ_CHANGE:
	case HM_KOBJ_MOVE:
		break;
	}
}

/*
 * The directories whose listing and attributes any block's ADD or REMOVE
 * changes (a name not in the kernel's dcache has no dentry to drop, so
 * fuse_reverse_inval_entry() leaves its directory alone): once for a run
 * of ADDs and REMOVEs, after their names and before their uevents.  A run
 * that added block @added (its first ADD; -1: none) fences memory/ and
 * bus/memory/devices/ first with that name (listing_fence()), as a
 * REMOVE's name does: a READDIR answered before the block was made and
 * parsed after a bare drop kept memory/ listed without it until the next
 * ADD or REMOVE (lsmem missed it).
 */
static void block_dirs_changed(struct hmfs_ctx *ctx, long added)
{
	uint64_t dirs[] = { HMFS_INO(HMFS_C_STATIC, ctx->sn_memory + 1),
			    HMFS_INO(HMFS_C_STATIC, ctx->sn_busdev + 1) };
	char name[32];

	snprintf(name, sizeof(name), "memory%ld", added);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (added >= 0)
			listing_fence(ctx, dirs[i], name);
		else
			inval_dir(ctx, dirs[i], NULL);
	}
	inval_dir(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_node + 1), NULL);
	/* memory came or went: a DIMM's firmware memmap entry with it */
	inval_dir(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_fwmap + 1), NULL);
	for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++)
		inval_dir(ctx, hmfs_node_dir_ino(ctx, (unsigned long)nid), NULL);
}

/* Our bonus over the kernel: state/online pollers wake on a change. */
static void block_pollers_wake(struct hmfs_ctx *ctx, unsigned long id)
{
	hmfs_poll_bump(ctx, HMFS_BLOCK_INO(id, BSUB_STATE));
	hmfs_poll_bump(ctx, HMFS_BLOCK_INO(id, BSUB_ONLINE));
	hmfs_poll_bump(ctx, HMFS_BLOCK_INO(id, BSUB_VALID_ZONES));
}

void hmfs_notify_block(struct hmfs_ctx *ctx, unsigned long id, enum hm_uevent_action action,
		       uint64_t gone_key)
{
	block_names_changed(ctx, id, action, gone_key);
	if (changes_dirs(action))
		block_dirs_changed(ctx, action == HM_KOBJ_ADD ? (long)id : -1);
	block_pollers_wake(ctx, id);
}

/* the uevent of @q out, to netlink and the Unix sockets */
static void send_uevent(struct hmfs_ctx *ctx, struct hmfs_qev *q)
{
	struct hmu_uevent ue = { 0 };
	const char *envp[HMFS_SYNTH_ENV_MAX + 1];
	size_t off = 0, n = 0;

	/* kobject_uevent_env(): the synthetic variables after SUBSYSTEM */
	while (off < q->env_len && n < HMFS_SYNTH_ENV_MAX) {
		envp[n++] = q->env + off;
		off += strlen(q->env + off) + 1;
	}
	envp[n] = NULL;
	ue.envp_ext = n ? envp : NULL;
	ue.seqnum = q->seqnum;
	snprintf(ue.action, sizeof(ue.action), "%s", q->action_name);
	snprintf(ue.devpath, sizeof(ue.devpath), "%.127s", q->text);
	snprintf(ue.subsystem, sizeof(ue.subsystem), "%s", q->subsys);
	hmfs_uevent_sink_send(&ctx->sink, &ue);
}

/*
 * A node device's REMOVE (try_offline_node()): its kernfs_nodes went (and
 * their iattrs: engine_event()); the kernel's cached entries and
 * attributes of them too.
 */
static void node_names_changed(struct hmfs_ctx *ctx, const struct hmfs_qev *q)
{
	const char *name = strrchr(q->text, '/');
	uint64_t dirs[HMFS_NODE_DIRS];
	unsigned long nid;
	char *end;

	if (q->action != HM_KOBJ_REMOVE || !name || strncmp(name, "/node", 5))
		return;
	nid = strtoul(name + 5, &end, 10);
	if (*end || end == name + 5 || nid >= HM_MAX_NUMNODES)
		return;
	inval_name(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_node + 1), name + 1);
	inval_name(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_busnodedev + 1), name + 1);
	/* the directories of the incarnation that went, which a held fd may keep: nlink 2 now */
	hmfs_node_dir_inos(q->gone_key, dirs);
	for (size_t i = 0; i < HMFS_NODE_DIRS; i++)
		kernel_inval_inode(ctx, dirs[i]);
}

/* @q out (or kept by the rate limit): true when it is taken, false for the caller to free */
static bool deliver(struct hmfs_ctx *ctx, struct hmfs_qev *q)
{
	if (q->qmp == HMFS_QMP_SIZE_CHANGE) {
		if (throttle_size_change(ctx, q))
			return true;
		broadcast_size_change(ctx, q);
		return false;
	}
	if (q->qmp == HMFS_QMP_OST) {
		hmfs_ctl_broadcast_ost(ctx, q->zid, q->text[0] ? q->text : NULL, q->nid, q->ret,
				       &q->ts);
		return false;
	}
	if (q->qmp == HMFS_QMP_ACPI_BIND) {
		/* the ADDs queued before are sent: the links show now (acpi.c) */
		if (hmfs_acpi_slot_bound(ctx, q->zid, q->block_id))
			inval_acpi_bound(ctx, q->zid);
		return false;
	}
	if (q->qmp == HMFS_QMP_NODE_LINK) {
		node_linked(ctx, q);
		return false;
	}
	if (q->qmp == HMFS_QMP_DEVICE_DELETED) {
		hmfs_ctl_broadcast_device_deleted(ctx, q->text, q->subsys[0] ? q->subsys : NULL,
						  &q->ts);
		return false;
	}
	if (q->type == HM_EV_UEVENT) {
		if (!q->synth)
			hmfs_notify_block(ctx, q->block_id, q->action, q->gone_key);
		else if (!strcmp(q->subsys, "node")) {
			node_names_changed(ctx, q);
			inval_dir(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_node + 1), NULL);
			inval_dir(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_busnodedev + 1), NULL);
		}
		send_uevent(ctx, q);
	}
	hmfs_ctl_broadcast(ctx, q);
	return false;
}

/* a memory block's ADD or REMOVE, which a run shares its directories' invalidation with */
static bool in_run(const struct hmfs_qev *q)
{
	return q->type == HM_EV_UEVENT && !q->synth && changes_dirs(q->action);
}

/*
 * A DIMM's burst: up to RUN_MAX ADDs or REMOVEs in a row (the first one's
 * uevent waits for the run's invalidations, ~60 us a removed block that
 * the kernel had cached: 15 ms)
 */
#define RUN_MAX 256

/*
 * A run of ADDs and REMOVEs from @first: each block's names gone from the
 * kernel's caches, then the directories they were in, and only then the
 * uevents, in the engine's order -- an agent that lists memory/ or opens
 * the block on its uevent finds it there, or gone, as before, and a
 * directory is invalidated once a run instead of once a block (5 of a
 * removed block's 29 notifications on one node, all of an added block's
 * but its ACPI slot's).  *@done: how many; they are freed.  Returns what
 * follows the run.
 */
static struct hmfs_qev *deliver_run(struct hmfs_ctx *ctx, struct hmfs_qev *first,
				    unsigned long *done)
{
	unsigned long n = 0;
	struct hmfs_qev *q, *next;
	long added = -1;

	for (q = first; q && n < RUN_MAX && in_run(q); q = q->next, n++) {
		block_names_changed(ctx, q->block_id, q->action, q->gone_key);
		if (added < 0 && q->action == HM_KOBJ_ADD)
			added = (long)q->block_id;
	}
	block_dirs_changed(ctx, added);
	*done = n;
	for (q = first; n--; q = next) {
		next = q->next;
		block_pollers_wake(ctx, q->block_id);
		send_uevent(ctx, q);
		hmfs_ctl_broadcast(ctx, q);
		hmfs_qev_free(q);
	}
	return q;
}

/*
 * ---- writes reply once their change is delivered ------------------------
 *
 * kernfs changes the tree synchronously with the write that changed it
 * (device_online() -> kobject_uevent(), remove_memory_block() ->
 * device_unregister() -> kernfs_remove(), all before the store returns);
 * here the engine only queues the change, and the kernel's dcache, cached
 * listings and link counts hear of it from the notifier.  So a FUSE write
 * that queued events replies once the notifier has delivered them: an
 * `ls`, `stat` or `[ -e memoryN ]` after it sees the tree the kernel
 * would.  After the uevents too, not only the invalidations: the kernel's
 * kobject_uevent_env() broadcasts on netlink in the writer's own context
 * (netlink_broadcast() queues the message on every listener's socket
 * before the store returns; only udev's handling of it is asynchronous),
 * and a uevent costs the notifier ~9 us.
 *
 * Why this cannot deadlock.  The notifier's writes to /dev/fuse block in
 * the kernel on: (1) a directory's inode lock, exclusive:
 * fuse_reverse_inval_entry() (fs/fuse/dir.c, 6.12: inode_lock_nested(parent,
 * I_MUTEX_PARENT); newer kernels' start_removing_noperm() takes the same), which
 * a lookup (lookup_slow(): shared) or readdir (iterate_dir(): shared) of
 * that directory holds while it waits for its FUSE request, a create,
 * mkdir, unlink, rename or setattr of it exclusively; (2) the folio lock
 * of a directory's cached listing page (fuse_reverse_inval_inode(),
 * fs/fuse/inode.c: invalidate_inode_pages2_range(); it takes no inode
 * lock), held by fuse_readdir_cached() while it copies entries out, with
 * no request of ours under it; (3) fc->killsb, read (only unmount writes
 * it).  In hotmemfs it takes only leaf locks (poll_lock, iattr_lock,
 * acpi_lock, sub_lock, the engine's blocks_lock for reading).  Every
 * request under such an inode lock is answered by the session loop's
 * reader or a store worker (fs.c); the reader never waits; a worker may
 * wait for change_lock (a chmod of memory/ holds memory/'s lock while its
 * SETATTR waits for the change in progress), and no holder of change_lock
 * waits for the notifier: a write's reply waits outside it.  And no
 * thread of the loop waits for the notifier at all -- with a fixed pool
 * of --threads workers, writers parked on it while a SETATTR of memory/
 * sat queued behind them would close the cycle -- the reply is held
 * instead (below) and the notifier sends it: a writer waits in its own
 * write(2), holding only the written file's inode lock
 * (fuse_direct_write_iter()), which the notifier never takes (an
 * attribute's inode invalidation takes none).  With --io-uring the
 * held reply keeps its request's ring entry, and a lookup from that CPU
 * finding none free is parked on that CPU's queue until one is committed
 * (fs/fuse/dev_uring.c, 6.18: no other queue takes it): were every entry
 * a held reply, the lookup under memory/'s lock, the notifier waiting for
 * that lock and the held replies would wait for each other.  So a reply
 * is held only while its queue keeps an entry that is not
 * (hmfs_uring_may_hold(): at most depth - 1 held), else it goes at once,
 * its events a moment later.  A control command's reply
 * waits in its connection's thread (hmfs_events_wait_since()), which no
 * FUSE request waits for, outside change_lock too.
 */
/*
 * One rule, two ways of waiting.  A FUSE write and a control command that
 * changed the tree both reply once q_delivered reaches the q_queued read
 * after their change (hmfs_events_queued()), woken by the same
 * delivered(); they differ in who waits, and how long.
 *  - A FUSE write cannot be waited for in a thread: the store workers are
 *    a fixed pool, and a SETATTR of memory/ queued behind workers parked
 *    on the notifier would close the cycle above.  So its reply is held
 *    and the notifier sends it.  No deadline: the writer waits in its
 *    write(2) as for a kernfs store; the notifier only waits in the kernel
 *    for requests that the loop or a worker answers, and teardown never
 *    leaves it waiting there (hmfs_events_kernel_gone(); every held reply
 *    goes out when the notifier stops).  A deadline would need a thread
 *    of its own to fire it, and would let a write return before its
 *    change is in the kernel's caches.
 *  - A control command has its connection's thread, which no FUSE request
 *    and no notifier step waits for, and replies in order on its
 *    connection (a client may send the next request before the reply):
 *    handing the reply to the notifier would still need the thread to
 *    wait before it reads on.  So it waits (hmfs_events_wait_since()),
 *    60 s at most (ctllimits.h: HMFS_CTL_DELIVER_WAIT_MS), below hotmemctl's own
 *    120 s: a script is better told its change is made, late, than given
 *    up on; `settle` waits for the rest.
 */
struct hmfs_held_reply {
	uint64_t target; /* q_delivered must reach it */
	fuse_req_t req;
	int err;
	size_t count;
	struct hmfs_held_reply *next;
};

static void reply_write(fuse_req_t req, int err, size_t count)
{
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, count);
}

/* Caller holds q_lock: the held replies whose events are out, unlinked */
static struct hmfs_held_reply *held_ready_locked(struct hmfs_ctx *ctx, bool all)
{
	struct hmfs_held_reply *ready = NULL, **pp = &ctx->q_held, *h;

	while ((h = *pp)) {
		if (!all && h->target > ctx->q_delivered) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		h->next = ready;
		ready = h;
	}
	return ready;
}

static void held_send(struct hmfs_held_reply *h)
{
	struct hmfs_held_reply *next;

	for (; h; h = next) {
		next = h->next;
		reply_write(h->req, h->err, h->count);
		free(h);
	}
}

uint64_t hmfs_events_queued(struct hmfs_ctx *ctx)
{
	return __atomic_load_n(&ctx->q_queued, __ATOMIC_ACQUIRE);
}

/*
 * Caller holds q_lock.  The one rule both ways of waiting follow: wait
 * when something was queued since *@since (@since NULL: whatever is
 * queued), it is not all delivered yet, and a notifier will deliver it --
 * none that never started (no subscription, or a harness without one) or
 * is stopping (its queue drained; every held reply goes out).
 */
static bool must_wait_locked(const struct hmfs_ctx *ctx, const uint64_t *since)
{
	return (!since || ctx->q_queued != *since) && ctx->q_delivered < ctx->q_queued &&
	       ctx->notifier_started && !ctx->q_stop;
}

void hmfs_reply_write_after(struct hmfs_ctx *ctx, fuse_req_t req, uint64_t unique, uint64_t before,
			    int err, size_t count)
{
	struct hmfs_held_reply *h = NULL;

	pthread_mutex_lock(&ctx->q_lock);
	/* --io-uring: only while the request's ring queue keeps an entry for the rest (uring.c) */
	if (must_wait_locked(ctx, &before) && hmfs_uring_may_hold(ctx->uring, unique))
		h = malloc(sizeof(*h));
	if (h) {
		*h = (struct hmfs_held_reply){ ctx->q_queued, req, err, count, ctx->q_held };
		ctx->q_held = h;
	}
	pthread_mutex_unlock(&ctx->q_lock);
	/*
	 * nothing queued, all delivered, no memory to hold it, or no room in
	 * its ring queue: now, not never -- its change made, the kernel's
	 * caches and the uevent told a moment later, by the notifier
	 */
	if (!h)
		reply_write(req, err, count);
}

/* @done more events out, in order: wake settlers, send the replies held for them */
static void delivered(struct hmfs_ctx *ctx, unsigned long done)
{
	struct hmfs_held_reply *ready = NULL;

	pthread_mutex_lock(&ctx->q_lock);
	ctx->q_len -= done;
	ctx->q_delivered += done;
	if (ctx->q_settlers)
		pthread_cond_broadcast(&ctx->q_settled);
	if (ctx->q_held)
		ready = held_ready_locked(ctx, false);
	pthread_mutex_unlock(&ctx->q_lock);
	held_send(ready);
}

/*
 * Takes the whole queue at once (one lock a burst, not an event); q_len
 * counts an event until it is delivered, so that HMFS_QMAX still bounds
 * what waits.
 */
static void *notifier_main(void *arg)
{
	struct hmfs_ctx *ctx = arg;
	struct hmfs_qev *q, *next;
	unsigned long done;

	pthread_mutex_lock(&ctx->q_lock);
	for (;;) {
		struct timespec at;

		/* an armed rate limit wakes it at its period's end (q_cond: CLOCK_MONOTONIC) */
		while (!ctx->q_head && !ctx->q_stop) {
			if (!throttle_next(ctx, &at)) {
				pthread_cond_wait(&ctx->q_cond, &ctx->q_lock);
			} else if (pthread_cond_timedwait(&ctx->q_cond, &ctx->q_lock, &at) == ETIMEDOUT) {
				pthread_mutex_unlock(&ctx->q_lock);
				throttle_expire(ctx);
				pthread_mutex_lock(&ctx->q_lock);
			}
		}
		q = ctx->q_head;
		if (!q)
			break; /* stopping and drained */
		ctx->q_head = ctx->q_tail = NULL;
		pthread_mutex_unlock(&ctx->q_lock);
		throttle_expire(ctx); /* a period that ended first sends its event first */
		while (q) {
			if (in_run(q)) {
				q = deliver_run(ctx, q, &done);
			} else {
				next = q->next;
				if (!deliver(ctx, q))
					hmfs_qev_free(q);
				q = next;
				done = 1;
			}
			delivered(ctx, done);
		}
		pthread_mutex_lock(&ctx->q_lock);
	}
	pthread_mutex_unlock(&ctx->q_lock);
	throttle_free(ctx);
	return NULL;
}

void hmfs_events_init(struct hmfs_ctx *ctx)
{
	pthread_condattr_t a;

	hmfs_nodelink_init(ctx);
	pthread_mutex_init(&ctx->kernel_lock, NULL);
	/* a settle's deadline, and a rate limit's period, do not move with the wall clock */
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->q_settled, &a);
	pthread_cond_init(&ctx->q_cond, &a);
	pthread_condattr_destroy(&a);
}

/* hmfs_events_init()'s, undone in reverse (hmfs_ctx_destroy()) */
void hmfs_events_fini(struct hmfs_ctx *ctx)
{
	pthread_cond_destroy(&ctx->q_cond);
	pthread_cond_destroy(&ctx->q_settled);
	pthread_mutex_destroy(&ctx->kernel_lock);
	hmfs_nodelink_fini(ctx);
}

/* CLOCK_MONOTONIC now + @ms: the deadline every timed wait of hotmemfs's threads takes */
void hmfs_deadline_after(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

bool hmfs_timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

bool hmfs_deadline_passed(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return !hmfs_timespec_before(&now, ts);
}

/*
 * The events queued when asked, not those after: a settle under a
 * steady stream of changes still returns.  The notifier counts an event
 * delivered once its invalidations, uevent and clients' copies are out
 * (notifier_main()), in queue order; a notifier that never started has
 * nothing queued (no subscription), and a stopping one drains the queue.
 * Waits on a condition variable, never polls.
 */
/* Caller holds q_lock, must_wait_locked(): until q_delivered reaches @target or the deadline @dl */
static uint64_t wait_delivered_locked(struct hmfs_ctx *ctx, uint64_t target,
				      const struct timespec *dl)
{
	int err = 0;

	ctx->q_settlers++;
	while (ctx->q_delivered < target && err != ETIMEDOUT && !ctx->q_given_up)
		err = pthread_cond_timedwait(&ctx->q_settled, &ctx->q_lock, dl);
	ctx->q_settlers--;
	return ctx->q_delivered < target ? target - ctx->q_delivered : 0;
}

/*
 * The one bounded wait, settle's and a control command's: until the
 * events queued now are out, or @timeout_ms.  @since NULL waits whatever
 * is queued (settle); else only when something was queued after *@since
 * (a command that queued nothing replies at once, whatever others left
 * undelivered).  How many are still out in @left; -ETIMEDOUT if any,
 * -ESHUTDOWN if the stop gave up on the notifier (hmfs_events_give_up()).
 */
static int wait_queued(struct hmfs_ctx *ctx, const uint64_t *since, long timeout_ms,
		       uint64_t *left)
{
	struct timespec dl;
	bool given_up;

	hmfs_deadline_after(&dl, timeout_ms > 0 ? timeout_ms : 0);
	pthread_mutex_lock(&ctx->q_lock);
	*left = 0;
	if (must_wait_locked(ctx, since))
		*left = wait_delivered_locked(ctx, ctx->q_queued, &dl);
	given_up = ctx->q_given_up;
	pthread_mutex_unlock(&ctx->q_lock);
	return !*left ? 0 : given_up ? -ESHUTDOWN : -ETIMEDOUT;
}

/*
 * The notifier is stuck in the kernel for good (a reader holds a
 * directory's lock), and the stop gives up on it: a device_del waiting
 * for its REMOVE waited on to HMFS_CTL_DELIVER_WAIT_MS, and the stop
 * exited without its reply (hotmemctl: "stopped before replying",
 * whether d1 went unknown).  Its change is made and journaled; only the
 * kernel's caches and the uevent are not told.
 */
void hmfs_events_give_up(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->q_lock);
	ctx->q_given_up = true;
	pthread_cond_broadcast(&ctx->q_settled);
	pthread_mutex_unlock(&ctx->q_lock);
}

int hmfs_events_settle(struct hmfs_ctx *ctx, long timeout_ms, uint64_t *left)
{
	return wait_queued(ctx, NULL, timeout_ms, left);
}

int hmfs_events_wait_since(struct hmfs_ctx *ctx, uint64_t before, long timeout_ms)
{
	uint64_t left;

	return wait_queued(ctx, &before, timeout_ms, &left);
}

int hmfs_events_start(struct hmfs_ctx *ctx)
{
	int ret;

	ctx->ev_slot = hotmem_subscribe(ctx->hm, engine_event, ctx);
	if (ctx->ev_slot < 0)
		return ctx->ev_slot;
	/* trace steps only while a control client follows them (ctlsock.c sub_want_trace()) */
	hotmem_subscribe_trace(ctx->hm, ctx->ev_slot, false);
	ret = pthread_create(&ctx->notifier, NULL, notifier_main, ctx);
	if (ret) {
		hotmem_unsubscribe(ctx->hm, ctx->ev_slot);
		ctx->ev_slot = -1;
		return -ret;
	}
	/* under q_lock: notifier_live() and must_wait_locked() read it there, from other threads */
	pthread_mutex_lock(&ctx->q_lock);
	ctx->notifier_started = true;
	pthread_mutex_unlock(&ctx->q_lock);
	return 0;
}

void hmfs_evtab_free(struct hmfs_ctx *ctx)
{
	struct hmfs_hnode *e, *next;

	for (e = hmfs_htab_take_all(&ctx->evtab); e; e = next) {
		next = e->next;
		free(e);
	}
}

void hmfs_events_stop(struct hmfs_ctx *ctx)
{
	struct hmfs_held_reply *held;

	if (ctx->ev_slot >= 0)
		hotmem_unsubscribe(ctx->hm, ctx->ev_slot);
	ctx->ev_slot = -1;
	if (ctx->notifier_started) {
		pthread_mutex_lock(&ctx->q_lock);
		ctx->q_stop = true;
		pthread_cond_signal(&ctx->q_cond);
		pthread_mutex_unlock(&ctx->q_lock);
		pthread_join(ctx->notifier, NULL);
	}
	/*
	 * drained: none is left; were one, its writer must not wait forever.
	 * notifier_started cleared under q_lock: the session loop still
	 * serves writes (main.c teardown() stops us before the unmount),
	 * whose held replies read it there (must_wait_locked())
	 */
	pthread_mutex_lock(&ctx->q_lock);
	ctx->notifier_started = false;
	held = held_ready_locked(ctx, true);
	pthread_mutex_unlock(&ctx->q_lock);
	held_send(held);
	/* nothing delivers a link event now: every block held is linked */
	hmfs_nodelink_free(ctx);
	hmfs_evtab_free(ctx);
	hmfs_inc_free(ctx);
}
