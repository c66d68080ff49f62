// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: connections, their threads, and their events.
 *
 * QMP (qmp.c): one JSON object a line each way; the greeting on connect,
 * then each request goes through hmfs_qmp_dispatch() (capabilities
 * negotiation, then ctl.c's commands) and its reply is written back.  A
 * connection in command mode gets QEMU's events
 *   {"event": "DEVICE_DELETED", "data": {...}, "timestamp": {...}}
 * between its replies, as QEMU's monitor sends them; after `events`
 * (hotmem's own command) hotmem's too: UEVENT, LOG (and TRACE).  The
 * notifier thread only appends each event to every connection's own
 * bounded queue; the connection's thread writes it out.  A client that
 * stops reading loses events (and is told how many), never holds back
 * the notifier, the accept loop or the other clients (#16.1).  Requests
 * are read as QEMU reads them (qmpread.c), replies printed by json-c.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hmfs.h"

struct conn {
	struct hmfs_ctx *ctx;
	int fd;
	struct hmfs_qmp qmp; /* its QMP session: negotiating, then commands */
	struct hmfs_sub *sub; /* its events, once in command mode; NULL before */
	size_t off; /* bytes of sub's first queued line already sent */
	pid_t pid; /* the client's (SO_PEERCRED), 0: not known */
	struct conn *next; /* ctx->conns, under sub_lock */
};

static bool ctl_stopping(struct hmfs_ctx *ctx);

/*
 * A reply waits for its client to read it as long as it likes -- until
 * hmfs_ctl_stop(): from then on a send that makes no progress for
 * CTL_STOP_SEND_MS fails.  A client that pipelined requests and never
 * reads held the stop, and the unanswered mount, for good: SHUT_RD does
 * not wake a sender waiting for room (review9 #1).  One that reads,
 * however slowly, still gets a command's reply (b777ba8).  The wait for
 * room also watches ctl_stop_fd, so a sender already waiting when the
 * stop begins gets the deadline too.
 */
#define CTL_STOP_SEND_MS 2000

static int send_wait(struct hmfs_ctx *ctx, int fd)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLOUT },
		{ .fd = ctx->ctl_stop_fd, .events = POLLIN },
	};
	bool stopping = ctl_stopping(ctx);
	int n = poll(p, stopping ? 1 : 2, stopping ? CTL_STOP_SEND_MS : -1);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (!n)
		fprintf(stderr, "hotmemfs: control: a client read no reply for %d ms while "
				"hotmemfs stops: hanging up on it\n", CTL_STOP_SEND_MS);
	return n ? 0 : -ETIMEDOUT;
}

static int send_all(struct hmfs_ctx *ctx, int fd, const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		int ret;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = send_wait(ctx, fd);
		if (ret)
			return ret;
	}
	return 0;
}

/* a line on the socket as QEMU's QMP writes it: '/' not escaped (json-c's default is "\/") */
#define CTL_WIRE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * @o on the socket, a line.  A request's U+0000, modified UTF-8's
 * "\xC0\x80" here (hmfs_ctl_read()), is written \u0000 again, as QEMU's
 * JSON writer does (qobject/json-writer.c quoted_str()); json-c writes the
 * bytes, no UTF-8.  C0 begins no UTF-8 sequence: these two bytes are
 * nothing else, and json-c writes no byte above 0x7f outside a string.
 */
static int send_json(struct hmfs_ctx *ctx, int fd, json_object *o)
{
	const char *s = o ? json_object_to_json_string_ext(o, CTL_WIRE) : NULL, *nul;
	size_t len;
	int ret = 0;

	/*
	 * no reply (its object unmade), or json-c could not render it (its
	 * printbuf, no memory): nothing sent, and the caller ends the
	 * connection as for an unmade reply -- not "null", nor strlen(NULL)
	 */
	if (!s)
		return -ENOMEM;
	len = strlen(s);
	while (!ret && (nul = memmem(s, len, "\xc0\x80", 2))) {
		ret = send_all(ctx, fd, s, (size_t)(nul - s));
		if (!ret)
			ret = send_all(ctx, fd, "\\u0000", 6);
		len -= (size_t)(nul - s) + 2;
		s = nul + 2;
	}
	if (!ret)
		ret = send_all(ctx, fd, s, len);
	return ret ? ret : send_all(ctx, fd, "\n", 1);
}

/* ---- event clients: a bounded queue each, fed without blocking ------- */

/* One line of the stream, "\n" included, shared by every client it goes to. */
struct hmfs_line {
	unsigned long refs;
	size_t len;
	char buf[];
};

/* A client's queue entry: one a line queued, the line is not copied. */
struct hmfs_subline {
	struct hmfs_subline *next;
	struct hmfs_line *line;
};

/* @o's line; NULL: no memory -- @o NULL (unmade) or json-c could not render it */
static struct hmfs_line *line_new(json_object *o)
{
	const char *s = o ? json_object_to_json_string_ext(o, CTL_WIRE) : NULL;
	size_t len = s ? strlen(s) : 0;
	struct hmfs_line *l = s ? malloc(sizeof(*l) + len + 1) : NULL;

	if (!l)
		return NULL;
	l->refs = 1;
	l->len = len + 1;
	memcpy(l->buf, s, len);
	l->buf[len] = '\n';
	return l;
}

static void line_put(struct hmfs_line *l)
{
	if (!__atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL))
		free(l);
}

static void subline_free(struct hmfs_subline *e)
{
	line_put(e->line);
	free(e);
}

/* an event's "timestamp" into @o: false, no memory */
static bool add_timestamp(json_object *o, const struct timespec *t)
{
	json_object *ts = json_object_new_object();

	if (!hmfs_json_add_new(ts, "seconds", json_object_new_int64(t->tv_sec)) ||
	    !hmfs_json_add_new(ts, "microseconds", json_object_new_int64(t->tv_nsec / 1000))) {
		json_object_put(ts);
		return false;
	}
	return hmfs_json_add_new(o, "timestamp", ts);
}

/*
 * An event's line {"event": @name, "data": @d (taken), "timestamp": @ts}:
 * NULL, no memory -- @d NULL too (its builder's objects unmade: each of
 * them is checked with hmfs_json_add_new(), json-c asserted on a NULL
 * object, ctlnomem44: an ACPI_DEVICE_OST's, hotmemfs aborted in the
 * notifier thread at a device_add's 108th 48-byte malloc)
 */
static json_object *event_new(const char *name, json_object *d, const struct timespec *ts)
{
	json_object *o = json_object_new_object();

	if (!d || !o || !hmfs_json_add_new(o, "event", json_object_new_string(name)))
		goto fail;
	if (!hmfs_json_add_new(o, "data", d)) {
		d = NULL; /* put by hmfs_json_add_new() */
		goto fail;
	}
	if (add_timestamp(o, ts))
		return o;
	d = NULL; /* @o's */
fail:
	json_object_put(d);
	json_object_put(o);
	return NULL;
}

/*
 * {"event": "EVENTS_LOST", "data": {"lost": N, "total": T}}: this client's
 * queue was full for N events, just before the ones that follow (perf's
 * PERF_RECORD_LOST, in a stream).
 */
static struct hmfs_line *lost_line(const struct hmfs_sub *s)
{
	json_object *o, *d = json_object_new_object();
	struct hmfs_line *l;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!hmfs_json_add_new(d, "lost", json_object_new_uint64(s->lost)) ||
	    !hmfs_json_add_new(d, "total", json_object_new_uint64(s->lost_total))) {
		json_object_put(d);
		d = NULL;
	}
	/* NULL: the count stays, said with a later event (sub_flush_lost()) */
	o = event_new("EVENTS_LOST", d, &now);
	l = line_new(o);
	json_object_put(o);
	return l;
}

/* Queue @line (a reference taken) behind what @s has; false: no memory. */
static bool sub_push(struct hmfs_sub *s, struct hmfs_line *line)
{
	struct hmfs_subline *e = malloc(sizeof(*e));

	if (!e)
		return false;
	e->next = NULL;
	e->line = line;
	__atomic_add_fetch(&line->refs, 1, __ATOMIC_RELAXED);
	if (s->tail)
		s->tail->next = e;
	else
		s->head = e;
	s->tail = e;
	s->q_bytes += line->len;
	return true;
}

/* Room the lost count's line needs (it is about 120 bytes). */
#define LOST_LINE_MAX 256

/* Caller holds sub_lock and has left LOST_LINE_MAX of room. */
static void sub_flush_lost(struct hmfs_sub *s)
{
	struct hmfs_line *l;
	bool queued;

	if (!s->lost || !(l = lost_line(s)))
		return;
	queued = sub_push(s, l);
	line_put(l);
	if (queued)
		s->lost = 0;
}

/*
 * Caller holds sub_lock.  Never blocks: a client that does not read
 * loses what does not fit and is told so, where the gap is, once there
 * is room again; the notifier goes on.
 */
/* @s lost an event (sub_lock held): EVENTS_LOST says so before the next one it gets */
static void sub_lose(struct hmfs_sub *s)
{
	s->lost++;
	s->lost_total++;
	s->ctx->events_lost++;
}

static void sub_queue(struct hmfs_sub *s, struct hmfs_line *line)
{
	if (s->q_bytes + line->len + (s->lost ? LOST_LINE_MAX : 0) > HMFS_SUB_QBYTES) {
		sub_lose(s);
		return;
	}
	sub_flush_lost(s);
	if (!sub_push(s, line)) {
		sub_lose(s);
		return;
	}
	/* an eventfd's counter: never blocks short of 2^64 - 1 wake-ups */
	if (s->wake_fd >= 0)
		eventfd_write(s->wake_fd, 1);
}

/* how often a connection without its eventfd (EMFILE) looks for queued events */
#define SUB_NOWAKE_MS 100

/* a connection entering command mode: QEMU's events from now on */
static struct hmfs_sub *sub_add(struct hmfs_ctx *ctx, int fd)
{
	struct hmfs_sub *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ctx = ctx;
	s->fd = fd;
	/*
	 * -1 when hotmemfs is out of descriptors (EMFILE): the connection
	 * still negotiates and runs commands (a client must be able to look
	 * while descriptors run out), and looks for its events every
	 * SUB_NOWAKE_MS instead of being woken
	 */
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_lock(&ctx->sub_lock);
	s->next = ctx->subs;
	ctx->subs = s;
	pthread_mutex_unlock(&ctx->sub_lock);
	return s;
}

/*
 * Whether the engine calls us for its trace steps (sub_lock held): only
 * while a client follows them, so that an untraced step costs hotmemfs
 * its USDT semaphore tests and not the engine's event lock (abuse28 T5).
 * A step already under way when the last follower leaves still comes:
 * sub_broadcast() gives it to no one.
 */
static void sub_want_trace(struct hmfs_ctx *ctx, bool want)
{
	/* the engine's subscriber lives from before the socket to after it */
	hotmem_subscribe_trace(ctx->hm, ctx->ev_slot, want);
}

/* `events`: hotmem's own events too from now on, @trace: its trace steps too */
static void sub_follow(struct hmfs_ctx *ctx, struct hmfs_sub *s, bool trace)
{
	pthread_mutex_lock(&ctx->sub_lock);
	if (!s->follow)
		__atomic_add_fetch(&ctx->nr_subs, 1, __ATOMIC_RELAXED);
	s->follow = true;
	s->trace |= trace;
	if (trace)
		sub_want_trace(ctx, true);
	pthread_mutex_unlock(&ctx->sub_lock);
}

static void sub_del(struct hmfs_ctx *ctx, struct hmfs_sub *sub)
{
	bool trace = false;

	pthread_mutex_lock(&ctx->sub_lock);
	for (struct hmfs_sub **p = &ctx->subs; *p;) {
		if (*p == sub) {
			*p = sub->next;
			continue;
		}
		trace |= (*p)->trace;
		p = &(*p)->next;
	}
	if (sub->follow)
		__atomic_sub_fetch(&ctx->nr_subs, 1, __ATOMIC_RELAXED);
	sub_want_trace(ctx, trace);
	pthread_mutex_unlock(&ctx->sub_lock);
	while (sub->head) {
		struct hmfs_subline *e = sub->head;

		sub->head = e->next;
		subline_free(e);
	}
	if (sub->wake_fd >= 0)
		close(sub->wake_fd);
	free(sub);
}

/* who gets an event: every connection in command mode (QEMU's), followers, trace followers */
enum sub_want { SUB_QEMU, SUB_FOLLOW, SUB_TRACE };

/*
 * Hand @o (NULL: unmade, for want of memory) to every client that wants
 * it; returns at once whatever they do.
 * The line is formatted once, outside sub_lock, and shared.
 */
static void sub_broadcast(struct hmfs_ctx *ctx, json_object *o, enum sub_want want)
{
	struct hmfs_line *line = line_new(o);

	/* no memory for its line (@o NULL too): lost to each, as one that did not fit its queue */
	pthread_mutex_lock(&ctx->sub_lock);
	for (struct hmfs_sub *s = ctx->subs; s; s = s->next) {
		if (want != SUB_QEMU && !(want == SUB_FOLLOW ? s->follow : s->trace))
			continue;
		if (line)
			sub_queue(s, line);
		else
			sub_lose(s);
	}
	pthread_mutex_unlock(&ctx->sub_lock);
	if (line)
		line_put(line);
}

/* a hotmem event's "data": NULL, no memory */
static json_object *event_data(const struct hmfs_qev *q)
{
	json_object *d = json_object_new_object();
	bool ok = d != NULL;

	switch (q->type) {
	case HM_EV_UEVENT:
		ok = ok && hmfs_json_add_new(d, "action", json_object_new_string(q->action_name)) &&
		     hmfs_json_add_new(d, "devpath", json_object_new_string(q->text)) &&
		     hmfs_json_add_new(d, "subsystem", json_object_new_string(q->subsys)) &&
		     (q->synth || hmfs_json_add_new(d, "block", json_object_new_uint64(q->block_id)));
		break;
	case HM_EV_LOG:
		ok = ok && hmfs_json_add_new(d, "level", json_object_new_int(q->level)) &&
		     hmfs_json_add_new(d, "message", json_object_new_string(q->text));
		break;
	case HM_EV_TRACE:
		ok = ok && hmfs_json_add_new(d, "ev", json_object_new_string(q->text)) &&
		     hmfs_json_add_new(d, "phase",
				       json_object_new_string(q->exit ? "exit" : "enter")) &&
		     hmfs_json_add_new(d, "start_pfn", json_object_new_uint64(q->start_pfn)) &&
		     hmfs_json_add_new(d, "nr_pages", json_object_new_uint64(q->nr_pages)) &&
		     hmfs_json_add_new(d, "nid", json_object_new_int(q->nid)) &&
		     hmfs_json_add_new(d, "zid", json_object_new_int(q->zid)) &&
		     hmfs_json_add_new(d, "extra", json_object_new_int64(q->extra)) &&
		     (!q->exit || hmfs_json_add_new(d, "ret", json_object_new_int(q->ret)));
		break;
	}
	if (ok)
		return d;
	json_object_put(d);
	return NULL;
}

void hmfs_ctl_broadcast(struct hmfs_ctx *ctx, const struct hmfs_qev *q)
{
	const char *name = q->type == HM_EV_UEVENT ? "UEVENT" : q->type == HM_EV_TRACE ? "TRACE" : "LOG";
	json_object *o;

	if (!__atomic_load_n(&ctx->nr_subs, __ATOMIC_RELAXED))
		return;
	o = event_new(name, event_data(q), &q->ts);
	sub_broadcast(ctx, o, q->type == HM_EV_TRACE ? SUB_TRACE : SUB_FOLLOW);
	json_object_put(o);
}

/* QEMU's event @name with @data (taken; NULL: unmade, lost) at @ts to every connection in command mode */
static void broadcast_qmp(struct hmfs_ctx *ctx, const char *name, json_object *data,
			  const struct timespec *ts)
{
	json_object *o = event_new(name, data, ts);

	sub_broadcast(ctx, o, SUB_QEMU);
	json_object_put(o);
}

/* @d if @ok, else NULL (@d put): an event's data, every member added or none sent */
static json_object *data_if(json_object *d, bool ok)
{
	if (ok)
		return d;
	json_object_put(d);
	return NULL;
}

/*
 * {"event": "ACPI_DEVICE_OST", "data": {"info": {...}}} at @ts, as QEMU's
 * acpi_memory_device_status() fills ACPIOSTInfo (hw/acpi/memory_hotplug.c,
 * 7.2): "device" only while the slot has a DIMM (@id, NULL once _EJ0 took
 * it: acpi_memory_unplug_cb() cleared it), "slot" its number as a string
 */
void hmfs_ctl_broadcast_ost(struct hmfs_ctx *ctx, int slot, const char *id, int source, int status,
			    const struct timespec *ts)
{
	json_object *d = json_object_new_object(), *info = json_object_new_object();
	char num[16];
	bool ok;

	snprintf(num, sizeof(num), "%d", slot);
	/* an anonymous DIMM's neither: QEMU's dev->id is NULL */
	ok = (!hmfs_dev_qdev_id(id) ||
	      hmfs_json_add_new(info, "device", json_object_new_string(id))) &&
	     hmfs_json_add_new(info, "slot", json_object_new_string(num)) &&
	     hmfs_json_add_new(info, "slot-type", json_object_new_string("DIMM")) &&
	     hmfs_json_add_new(info, "source", json_object_new_int(source)) &&
	     hmfs_json_add_new(info, "status", json_object_new_int(status));
	if (!ok)
		json_object_put(info);
	ok = ok && hmfs_json_add_new(d, "info", info);
	broadcast_qmp(ctx, "ACPI_DEVICE_OST", data_if(d, ok), ts);
}

/*
 * {"event": "MEMORY_DEVICE_SIZE_CHANGE", "data": {"id": ID, "size": N,
 * "qom-path": "/machine/peripheral/ID"}} at @ts: QEMU's (qapi/machine.json,
 * 5.1; "qom-path" since 6.2), its members in the order
 * qapi_event_send_memory_device_size_change() visits them
 */
void hmfs_ctl_broadcast_size_change(struct hmfs_ctx *ctx, const char *id, uint64_t size,
				    const struct timespec *ts)
{
	json_object *d = json_object_new_object();
	char path[sizeof(HMFS_PERIPHERAL) + sizeof(((struct hmfs_dev *)0)->id)];
	bool ok;

	hmfs_dev_qom_path(id, NULL, path, sizeof(path));
	/* "id" is optional: none for an anonymous device */
	ok = (!hmfs_dev_qdev_id(id) || hmfs_json_add_new(d, "id", json_object_new_string(id))) &&
	     hmfs_json_add_new(d, "size", json_object_new_int64((int64_t)size)) &&
	     hmfs_json_add_new(d, "qom-path", json_object_new_string(path));
	broadcast_qmp(ctx, "MEMORY_DEVICE_SIZE_CHANGE", data_if(d, ok), ts);
}

/*
 * {"event": "DEVICE_DELETED", "data": {"device": ID, "path":
 * "/machine/peripheral/ID"}} at @ts, as QEMU's device_finalize() sends it
 * (hw/core/qdev.c, 7.2): a device with an id under /machine/peripheral;
 * one plugged without (hmfs_dev_anon()) has no "device", its path
 * /machine/peripheral-anon/device[N].  Its QOM child
 * @child (a virtio proxy's "virtio-backend") has no id: no "device", its
 * canonical path below the proxy's.
 */
void hmfs_ctl_broadcast_device_deleted(struct hmfs_ctx *ctx, const char *id, const char *child,
				       const struct timespec *ts)
{
	json_object *d = json_object_new_object();
	char path[sizeof(HMFS_PERIPHERAL) + sizeof(((struct hmfs_dev *)0)->id) +
		  sizeof(((struct hmfs_qev *)0)->subsys)];
	bool ok;

	hmfs_dev_qom_path(id, child, path, sizeof(path));
	ok = (child || !hmfs_dev_qdev_id(id) ||
	      hmfs_json_add_new(d, "device", json_object_new_string(id))) &&
	     hmfs_json_add_new(d, "path", json_object_new_string(path));
	broadcast_qmp(ctx, "DEVICE_DELETED", data_if(d, ok), ts);
}

/*
 * Send what is queued, without blocking, up to and including line @until
 * (NULL: all): 0 when that is sent or the queue is empty, -EAGAIN when
 * the socket is full, another -errno when the client is gone.  Only this
 * client's thread takes lines off its queue, so the head it sends from
 * stays put while the lock is dropped.
 */
static int sub_send(struct hmfs_sub *s, size_t *off, const struct hmfs_subline *until)
{
	struct hmfs_ctx *ctx = s->ctx;

	for (;;) {
		struct hmfs_subline *e;
		struct hmfs_line *l;
		ssize_t n;

		pthread_mutex_lock(&ctx->sub_lock);
		if (!s->head && !until)
			sub_flush_lost(s); /* told now, not at the next event */
		e = s->head;
		pthread_mutex_unlock(&ctx->sub_lock);
		if (!e)
			return 0;
		l = e->line;
		n = send(s->fd, l->buf + *off, l->len - *off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		*off += (size_t)n;
		if (*off < l->len)
			continue;
		*off = 0;
		pthread_mutex_lock(&ctx->sub_lock);
		s->head = e->next;
		if (!s->head)
			s->tail = NULL;
		s->q_bytes -= l->len;
		pthread_mutex_unlock(&ctx->sub_lock);
		if (e == until) {
			subline_free(e);
			return 0;
		}
		subline_free(e);
	}
}

/*
 * The events queued so far, out before what the connection sends next (a
 * reply): they happened first.  Waits for room as a reply does
 * (send_wait()); events queued meanwhile wait their turn after it.
 */
static int sub_drain(struct hmfs_ctx *ctx, struct hmfs_sub *s, size_t *off)
{
	const struct hmfs_subline *until;
	int ret;

	pthread_mutex_lock(&ctx->sub_lock);
	until = s->tail;
	pthread_mutex_unlock(&ctx->sub_lock);
	if (!until)
		return 0;
	while ((ret = sub_send(s, off, until)) == -EAGAIN) {
		ret = send_wait(ctx, s->fd);
		if (ret)
			return ret;
	}
	return ret;
}

/*
 * A follower's events ended by hmfs_ctl_stop(): its last line says so (a
 * bare EOF left `hotmemctl events` ending with 0, as if it had been asked
 * to).  Not at the middle of a line, and without blocking: a client that
 * stopped reading must not hold up the stop (it sees the EOF alone).
 */
static void follow_say_stopping(int fd, size_t off)
{
	json_object *o = hmfs_ctl_error("GenericError", "hotmemfs is stopping: no more events");
	const char *line = json_object_to_json_string_ext(o, CTL_WIRE);
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (!off && n > 0 && (size_t)n < sizeof(buf))
		send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(o);
}

/*
 * Connections are tracked so that shutdown can cut them and wait: a
 * command still running must not meet a destroyed engine.  Their number
 * is capped: each holds a thread and a descriptor (and, following events,
 * up to HMFS_SUB_QBYTES), and idle clients must not starve the rest
 * (#16.3).  False: the cap is reached, @c is not added.
 */
static bool conn_add(struct hmfs_ctx *ctx, struct conn *c)
{
	bool added = false;

	pthread_mutex_lock(&ctx->sub_lock);
	if (ctx->nr_conns < HMFS_CTL_MAX_CLIENTS) {
		c->next = ctx->conns;
		ctx->conns = c;
		ctx->nr_conns++;
		added = true;
	}
	pthread_mutex_unlock(&ctx->sub_lock);
	return added;
}

static void conn_del(struct conn *c)
{
	struct hmfs_ctx *ctx = c->ctx;

	pthread_mutex_lock(&ctx->sub_lock);
	for (struct conn **p = &ctx->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			ctx->nr_conns--;
			break;
		}
	}
	close(c->fd);
	free(c);
	pthread_cond_broadcast(&ctx->conns_cond);
	pthread_mutex_unlock(&ctx->sub_lock);
}

static void send_error(struct hmfs_ctx *ctx, int fd, const char *desc)
{
	json_object *reply = hmfs_ctl_error("GenericError", desc);

	send_json(ctx, fd, reply);
	json_object_put(reply);
}

/*
 * hmfs_ctl_stop() has begun: a request read from now on is not run, and
 * its client is told why (hotmemctl prints it and fails), as is a client
 * that had not sent one yet -- an EOF alone would leave it guessing.
 */
#define CTL_STOPPING "hotmemfs is stopping: no more commands are run"

static bool ctl_stopping(struct hmfs_ctx *ctx)
{
	return __atomic_load_n(&ctx->ctl_stopping, __ATOMIC_ACQUIRE);
}

/*
 * A command's "signal" from its client (ctl.c: what ends an offline that
 * loops): the client is gone, both ways (POLLHUP: killed, or hotmemctl's
 * -t ran out and it closed).  Not POLLRDHUP: a client that only shut its
 * writing side (socat, nc -N) still waits for the reply.
 */
/* the client's comm: the task a change it asks for runs for (hotmemctl, a script's python) */
static void client_comm(void *arg, char *buf, size_t len)
{
	const struct conn *c = arg;

	hmfs_pid_comm(c->pid, buf, len);
}

static bool client_hung_up(void *arg)
{
	const struct conn *c = arg;
	struct pollfd p = { .fd = c->fd, .events = 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

/* a command and its reply begin (1) or are over (-1): hmfs_ctl_replies_wait() */
static void conn_busy(struct hmfs_ctx *ctx, int d)
{
	pthread_mutex_lock(&ctx->sub_lock);
	ctx->nr_conns_busy += d;
	pthread_cond_broadcast(&ctx->conns_cond);
	pthread_mutex_unlock(&ctx->sub_lock);
}

bool hmfs_ctl_replies_wait(struct hmfs_ctx *ctx, long ms)
{
	struct timespec dl;
	bool idle;
	int err = 0;

	/* conns_cond is CLOCK_REALTIME's (machine.c): a bound of a few seconds */
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ctx->sub_lock);
	while (ctx->nr_conns_busy && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&ctx->conns_cond, &ctx->sub_lock, &dl);
	idle = !ctx->nr_conns_busy;
	pthread_mutex_unlock(&ctx->sub_lock);
	return idle;
}

/*
 * @reply (taken) to @c: its events so far first; 0, else the connection
 * is over -- @reply NULL (no memory for it) too, nothing sent
 */
static int conn_reply(struct conn *c, json_object *reply)
{
	int ret = !reply ? -ENOMEM : c->sub ? sub_drain(c->ctx, c->sub, &c->off) : 0;

	if (!ret)
		ret = send_json(c->ctx, c->fd, reply);
	json_object_put(reply);
	return ret;
}

/*
 * Run request @req (taken) of connection @c and send its reply: 0, else
 * the connection is over (its reply not sent).  The connection's events
 * begin before the reply of the qmp_capabilities that enters command mode
 * (QEMU's monitor sends them from then on): none between is lost, none
 * comes before that reply -- qemu.qmp reads the reply next, and only it.
 */
static int conn_request(struct conn *c, json_object *req)
{
	const struct hotmem_task client = { .signal_pending = client_hung_up, .arg = c,
					    .comm = client_comm };
	struct hmfs_ctl_follow f = { false, false };
	json_object *reply;
	int ret;

	conn_busy(c->ctx, 1);
	reply = hmfs_qmp_dispatch(c->ctx, &c->qmp, req, &f, &client);
	json_object_put(req);
	if (c->qmp.command_mode && !c->sub && !(c->sub = sub_add(c->ctx, c->fd))) {
		c->qmp.command_mode = false; /* negotiate again */
		json_object_put(reply);
		reply = hmfs_ctl_error("GenericError", "cannot send events: out of memory");
	}
	if (f.events) /* only in command mode, where c->sub is there (above) */
		sub_follow(c->ctx, c->sub, f.trace);
	/*
	 * A reply not sent (its client gone, or not reading while we stop:
	 * CTL_STOP_SEND_MS) ends the connection: the next reply, or
	 * "hotmemfs is stopping", would wait as long again for nothing
	 * (review10 D5).  No event line is half sent here: conn_requests()
	 * drained them before the command, and only this thread sends.
	 */
	/* no memory for the reply: the connection over, its client told nothing (not "null") */
	ret = reply ? send_json(c->ctx, c->fd, reply) : -ENOMEM;
	json_object_put(reply);
	conn_busy(c->ctx, -1);
	return ret;
}

/* what the connection goes on with after reading */
enum conn_next { CONN_READ, CONN_STOPPING, CONN_OVER };

/* the requests in @buf: run each, their replies sent */
static enum conn_next conn_requests(struct conn *c, struct hmfs_ctl_reader *r, const char *buf,
				    size_t len)
{
	size_t off = 0;

	for (;;) {
		json_object *req;

		switch (hmfs_ctl_read(r, buf, len, &off, &req)) {
		case HMFS_CTL_MORE:
			return CONN_READ;
		case HMFS_CTL_TOO_LARGE:
			/*
			 * the reader's no memory for the request comes this way
			 * too: said as ENOMEM, not "too large" (ctlnomem44), the
			 * client dropped all the same (its stream's place lost)
			 */
			conn_reply(c, hmfs_ctl_error("GenericError",
						     r->nomem ? "request: Cannot allocate memory" :
								"request too large"));
			return CONN_OVER;
		case HMFS_CTL_BAD_JSON:
			/* QEMU answers and reads on: the connection stays (qmpread.c) */
			if (conn_reply(c, hmfs_ctl_error("GenericError", r->bad)))
				return CONN_OVER;
			continue;
		case HMFS_CTL_REQUEST:
			if (ctl_stopping(c->ctx)) {
				json_object_put(req);
				return CONN_STOPPING;
			}
			if (c->sub && sub_drain(c->ctx, c->sub, &c->off)) {
				json_object_put(req);
				return CONN_OVER;
			}
			if (conn_request(c, req))
				return CONN_OVER;
			continue;
		}
	}
}

/*
 * hmfs_ctl_stop() ended the connection: its client is told why, at a
 * line's end (a follower's event line begun is not finished: it may not
 * read at all, and sees the EOF alone)
 */
static void conn_say_stopping(struct conn *c)
{
	if (c->sub && c->sub->follow) {
		follow_say_stopping(c->fd, c->off);
		return;
	}
	if (c->sub && c->off && sub_send(c->sub, &c->off, c->sub->head) == -EAGAIN &&
	    sub_drain(c->ctx, c->sub, &c->off))
		return;
	send_error(c->ctx, c->fd, CTL_STOPPING);
}

/*
 * A connection's own thread: the greeting, then requests as they come,
 * each run and answered in turn, and between them its events as they
 * are queued -- it alone writes to its client, and may wait for it.  It
 * wakes for bytes from the client, for queued events (wake_fd), for room
 * in the socket, and for the client going away (EOF, or hmfs_ctl_stop()'s
 * shutdown).
 */
static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct hmfs_ctl_reader r;
	enum conn_next next = CONN_READ;
	json_object *greeting;
	char buf[4096];
	int ret = 0;

	if (hmfs_ctl_reader_init(&r))
		goto out;
	if (ctl_stopping(c->ctx))
		goto stopping;
	greeting = hmfs_qmp_greeting();
	/* no memory for it: the connection closed unanswered, as none of its requests ran */
	if (!greeting || conn_reply(c, greeting))
		goto out;
	while (next == CONN_READ) {
		struct pollfd p[2] = {
			{ .fd = c->fd, .events = POLLIN | (ret == -EAGAIN ? POLLOUT : 0) },
			{ .fd = c->sub ? c->sub->wake_fd : -1, .events = POLLIN },
		};
		bool nowake = c->sub && c->sub->wake_fd < 0;
		eventfd_t v;

		if (poll(p, 2, nowake ? SUB_NOWAKE_MS : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN)
			eventfd_read(c->sub->wake_fd, &v);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (!n || (n < 0 && errno != EAGAIN && errno != EINTR))
				break; /* the client hung up (what is queued goes nowhere), or we stop */
			if (n > 0)
				next = conn_requests(c, &r, buf, (size_t)n);
		}
		ret = c->sub && next == CONN_READ ? sub_send(c->sub, &c->off, NULL) : 0;
		if (ret < 0 && ret != -EAGAIN)
			next = CONN_OVER;
	}
	if (next == CONN_OVER || (next == CONN_READ && !ctl_stopping(c->ctx)))
		goto out;
stopping:
	conn_say_stopping(c);
out:
	hmfs_ctl_reader_free(&r);
	if (c->sub)
		sub_del(c->ctx, c->sub);
	conn_del(c);
	return NULL;
}

/* root or our own user, whose pid (the comm of a change it asks for) goes in @pid */
static bool peer_allowed(int fd, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	*pid = cred.pid;
	return cred.uid == 0 || cred.uid == geteuid();
}

/*
 * One client too many: it hears why before we hang up (hotmemctl prints
 * the reply it finds even when its request could not be sent).  A fresh
 * socket's buffer always holds this line; DONTWAIT all the same, this is
 * the accept thread.
 */
static void refuse_busy(int fd)
{
	char desc[128];
	json_object *reply;
	const char *s;

	snprintf(desc, sizeof(desc),
		 "too many control clients (%d connected): close one and retry",
		 HMFS_CTL_MAX_CLIENTS);
	reply = hmfs_ctl_error("GenericError", desc);
	s = json_object_to_json_string_ext(reply, CTL_WIRE);
	if (send(fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
		send(fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(reply);
	close(fd);
}

/* status's "control": who is connected, who follows, what they lost */
json_object *hmfs_ctl_clients_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object();
	unsigned long conns, subs, lost;

	pthread_mutex_lock(&ctx->sub_lock);
	conns = ctx->nr_conns;
	subs = ctx->nr_subs;
	lost = ctx->events_lost;
	pthread_mutex_unlock(&ctx->sub_lock);
	/* NULL: no memory (status is refused then: ctl.c status_json()) */
	if (hmfs_json_add_new(o, "clients", json_object_new_uint64(conns)) &&
	    hmfs_json_add_new(o, "max-clients", json_object_new_int(HMFS_CTL_MAX_CLIENTS)) &&
	    hmfs_json_add_new(o, "followers", json_object_new_uint64(subs)) &&
	    hmfs_json_add_new(o, "events-lost", json_object_new_uint64(lost)))
		return o;
	json_object_put(o);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct hmfs_ctx *ctx = arg;

	for (;;) {
		pthread_t t;
		pid_t pid;
		struct conn *c;
		int fd = accept4(ctx->ctl_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINVAL || errno == EBADF || errno == ENOTSOCK)
				break; /* socket shut down: we are stopping */
			/*
			 * EMFILE, ENFILE, ENOBUFS, ENOMEM: a client must close
			 * first.  Back off and keep accepting; leaving the loop
			 * would end the control socket for good (#16.3).
			 */
			if (errno != EINTR && errno != ECONNABORTED)
				nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
			continue;
		}
		if (!peer_allowed(fd, &pid)) {
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->ctx = ctx;
		c->fd = fd;
		c->pid = pid;
		if (!conn_add(ctx, c)) {
			refuse_busy(fd);
			free(c);
			continue;
		}
		if (pthread_create(&t, NULL, conn_main, c)) {
			conn_del(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

void hmfs_ctl_unlink(const struct hmfs_ctx *ctx)
{
	struct stat st;

	if (ctx->ctl_ino && !lstat(ctx->ctl_path, &st) && st.st_ino == ctx->ctl_ino &&
	    st.st_dev == ctx->ctl_dev)
		unlink(ctx->ctl_path);
}

/*
 * A file that is no socket, put at --control since main.c's start check
 * (refuse_foreign_file(), whose words these are): bind()'s EADDRINUSE
 * alone ("Address already in use") said neither what is there nor that
 * it stays (reread-fusefs #5).  Reached in that race only.
 */
static void say_not_socket(const char *path, mode_t mode)
{
	fprintf(stderr, "hotmemfs: control socket %s is not a socket (%s), put there since the "
			"start's check: hotmemfs never removes or replaces it\n"
			"hotmemfs: refusing to start; choose another --control path\n",
		path, hmfs_file_type(mode));
}

int hmfs_ctl_start(struct hmfs_ctx *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, ret;

	if (!ctx->ctl_path[0])
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctx->ctl_path);
	/*
	 * Only a socket, a stopped hotmemfs's (main.c refused anything else at
	 * start and a live one's): a file put there since stays, bind() says
	 * EADDRINUSE (usereye7 #9: a regular file's data, a device node went)
	 */
	if (!lstat(ctx->ctl_path, &st) && S_ISSOCK(st.st_mode))
		unlink(ctx->ctl_path);
	old = umask(0177); /* 0600 from birth: no window */
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (!ret && !lstat(ctx->ctl_path, &st)) {
		ctx->ctl_dev = st.st_dev;
		ctx->ctl_ino = st.st_ino;
	}
	if (ret) {
		ret = -errno;
		if (ret == -EADDRINUSE && !lstat(ctx->ctl_path, &st) && !S_ISSOCK(st.st_mode))
			say_not_socket(ctx->ctl_path, st.st_mode);
		close(fd);
		return ret;
	}
	if (listen(fd, 16)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ctx->ctl_stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ctx->ctl_stop_fd < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ctx->ctl_fd = fd;
	ret = pthread_create(&ctx->ctl_thread, NULL, accept_main, ctx);
	if (ret) {
		close(fd);
		close(ctx->ctl_stop_fd);
		ctx->ctl_fd = ctx->ctl_stop_fd = -1;
		return -ret;
	}
	ctx->ctl_started = true;
	return 0;
}

/*
 * The connections are cut for reading only: a command under way (a big
 * device_del, its wait for the notifier) still sends its reply, which a
 * shutdown for writing lost -- the client saw EOF, no reply.  The
 * notifier still runs (teardown stops it after us), so that wait ends.
 * A reply its client does not read is given up after CTL_STOP_SEND_MS
 * without progress (send_wait(); ctl_stop_fd wakes a sender already
 * waiting): the wait for the connections below ends.
 */
void hmfs_ctl_stop(struct hmfs_ctx *ctx)
{
	if (!ctx->ctl_started)
		return;
	__atomic_store_n(&ctx->ctl_stopping, true, __ATOMIC_RELEASE);
	eventfd_write(ctx->ctl_stop_fd, 1); /* after the flag: send_wait() rereads it */
	shutdown(ctx->ctl_fd, SHUT_RDWR);
	pthread_join(ctx->ctl_thread, NULL);
	close(ctx->ctl_fd);
	/* before the unlink: a stop past its bound unlinks the socket while it is ours (main.c) */
	__atomic_store_n(&ctx->ctl_started, false, __ATOMIC_RELEASE);
	hmfs_ctl_unlink(ctx);
	pthread_mutex_lock(&ctx->sub_lock);
	for (struct conn *c = ctx->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RD);
	while (ctx->conns)
		pthread_cond_wait(&ctx->conns_cond, &ctx->sub_lock);
	pthread_mutex_unlock(&ctx->sub_lock);
	close(ctx->ctl_stop_fd);
	ctx->ctl_stop_fd = -1;
}
