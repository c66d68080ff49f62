// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: connections, their threads, and event streams.
 *
 * One JSON object a line each way; each request goes to ctl.c's
 * hmfs_ctl_execute() and its reply is written back.  `events` turns the
 * connection into a stream of
 *   {"event": "UEVENT"|"LOG"|"TRACE", "data": {...}, "timestamp": {...}}
 * Parsing and printing is json-c's; nothing is formatted by hand.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hmfs.h"

struct conn {
	struct hmfs_ctx *ctx;
	int fd;
	struct conn *next; /* ctx->conns, under sub_lock */
};

static int send_json(int fd, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return send(fd, "\n", 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static void sub_add(struct hmfs_ctx *ctx, int fd, bool trace)
{
	struct hmfs_sub *s = calloc(1, sizeof(*s));

	if (!s)
		return;
	s->fd = fd;
	s->trace = trace;
	pthread_mutex_lock(&ctx->sub_lock);
	s->next = ctx->subs;
	ctx->subs = s;
	if (trace)
		ctx->want_trace = true;
	pthread_mutex_unlock(&ctx->sub_lock);
}

static void sub_del(struct hmfs_ctx *ctx, int fd)
{
	bool trace = false;

	pthread_mutex_lock(&ctx->sub_lock);
	for (struct hmfs_sub **p = &ctx->subs; *p;) {
		if ((*p)->fd == fd) {
			struct hmfs_sub *s = *p;

			*p = s->next;
			free(s);
			continue;
		}
		trace |= (*p)->trace;
		p = &(*p)->next;
	}
	ctx->want_trace = trace;
	pthread_mutex_unlock(&ctx->sub_lock);
}

static json_object *event_json(const struct hmfs_qev *q)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object *ts = json_object_new_object();
	const char *name = "LOG";

	switch (q->type) {
	case HM_EV_UEVENT:
		name = "UEVENT";
		json_object_object_add(d, "action", json_object_new_string(q->action_name));
		json_object_object_add(d, "devpath", json_object_new_string(q->text));
		json_object_object_add(d, "subsystem", json_object_new_string(q->subsys));
		if (!q->synth)
			json_object_object_add(d, "block", json_object_new_uint64(q->block_id));
		break;
	case HM_EV_LOG:
		json_object_object_add(d, "level", json_object_new_int(q->level));
		json_object_object_add(d, "message", json_object_new_string(q->text));
		break;
	case HM_EV_TRACE:
		name = "TRACE";
		json_object_object_add(d, "ev", json_object_new_string(q->text));
		json_object_object_add(d, "phase",
				       json_object_new_string(q->exit ? "exit" : "enter"));
		json_object_object_add(d, "start_pfn", json_object_new_uint64(q->start_pfn));
		json_object_object_add(d, "nr_pages", json_object_new_uint64(q->nr_pages));
		json_object_object_add(d, "nid", json_object_new_int(q->nid));
		json_object_object_add(d, "zid", json_object_new_int(q->zid));
		json_object_object_add(d, "extra", json_object_new_int64(q->extra));
		if (q->exit)
			json_object_object_add(d, "ret", json_object_new_int(q->ret));
		break;
	}
	json_object_object_add(o, "event", json_object_new_string(name));
	json_object_object_add(o, "data", d);
	json_object_object_add(ts, "seconds", json_object_new_int64(q->ts.tv_sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(q->ts.tv_nsec / 1000));
	json_object_object_add(o, "timestamp", ts);
	return o;
}

void hmfs_ctl_broadcast(struct hmfs_ctx *ctx, const struct hmfs_qev *q)
{
	json_object *o;

	if (!ctx->subs)
		return;
	o = event_json(q);
	pthread_mutex_lock(&ctx->sub_lock);
	for (struct hmfs_sub *s = ctx->subs; s; s = s->next) {
		if (q->type == HM_EV_TRACE && !s->trace)
			continue;
		/* a dead client is noticed by its reader thread */
		send_json(s->fd, o);
	}
	pthread_mutex_unlock(&ctx->sub_lock);
	json_object_put(o);
}

/* {"event": "ACPI_DEVICE_OST", "data": {"info": {...}}}, as QEMU sends it */
void hmfs_ctl_broadcast_ost(struct hmfs_ctx *ctx, const char *id, int source, int status)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object *info = json_object_new_object(), *ts = json_object_new_object();
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	json_object_object_add(info, "device", json_object_new_string(id));
	json_object_object_add(info, "slot-type", json_object_new_string("DIMM"));
	json_object_object_add(info, "source", json_object_new_int(source));
	json_object_object_add(info, "status", json_object_new_int(status));
	json_object_object_add(d, "info", info);
	json_object_object_add(o, "event", json_object_new_string("ACPI_DEVICE_OST"));
	json_object_object_add(o, "data", d);
	json_object_object_add(ts, "seconds", json_object_new_int64(now.tv_sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(now.tv_nsec / 1000));
	json_object_object_add(o, "timestamp", ts);
	pthread_mutex_lock(&ctx->sub_lock);
	for (struct hmfs_sub *s = ctx->subs; s; s = s->next)
		send_json(s->fd, o);
	pthread_mutex_unlock(&ctx->sub_lock);
	json_object_put(o);
}

static void follow(struct hmfs_ctx *ctx, int fd, bool trace)
{
	char buf[256];

	sub_add(ctx, fd, trace);
	/* wait for the client to go away */
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	sub_del(ctx, fd);
}

/*
 * Connections are tracked so that shutdown can cut them and wait: a
 * command still running must not meet a destroyed engine.
 */
static void conn_add(struct hmfs_ctx *ctx, struct conn *c)
{
	pthread_mutex_lock(&ctx->sub_lock);
	c->next = ctx->conns;
	ctx->conns = c;
	pthread_mutex_unlock(&ctx->sub_lock);
}

static void conn_del(struct conn *c)
{
	struct hmfs_ctx *ctx = c->ctx;

	pthread_mutex_lock(&ctx->sub_lock);
	for (struct conn **p = &ctx->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	close(c->fd);
	free(c);
	pthread_cond_broadcast(&ctx->conns_cond);
	pthread_mutex_unlock(&ctx->sub_lock);
}

/*
 * The largest request a client may send: the biggest real one (a raw
 * device_add) is a few hundred bytes.  Without it one unterminated request
 * grew hotmemfs by its whole size (#16.11).
 */
#define HMFS_CTL_REQ_MAX (64 * 1024)

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct json_tokener *tok = json_tokener_new();
	char buf[4096];
	size_t pending = 0; /* bytes of the request being parsed */
	ssize_t n;

	while (tok && (n = recv(c->fd, buf, sizeof(buf), 0)) > 0) {
		size_t off = 0;

		while (off < (size_t)n) {
			struct hmfs_ctl_follow f = { false, false };
			json_object *req, *reply;

			if (buf[off] == '\n' || buf[off] == ' ' || buf[off] == '\r') {
				off++;
				continue;
			}
			req = json_tokener_parse_ex(tok, buf + off, (int)(n - (ssize_t)off));
			if (json_tokener_get_error(tok) == json_tokener_continue) {
				pending += (size_t)n - off;
				if (pending > HMFS_CTL_REQ_MAX) {
					reply = hmfs_ctl_error("GenericError", "request too large");
					send_json(c->fd, reply);
					json_object_put(reply);
					goto out;
				}
				break; /* need more bytes */
			}
			pending = 0;
			off += json_tokener_get_parse_end(tok);
			if (!req) {
				reply = hmfs_ctl_error("GenericError", "JSON parse error");
				json_tokener_reset(tok);
				send_json(c->fd, reply);
				json_object_put(reply);
				goto out;
			}
			reply = hmfs_ctl_execute(c->ctx, req, &f);
			json_object_put(req);
			send_json(c->fd, reply);
			json_object_put(reply);
			if (f.events) {
				follow(c->ctx, c->fd, f.trace);
				goto out;
			}
		}
	}
out:
	if (tok)
		json_tokener_free(tok);
	conn_del(c);
	return NULL;
}

static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void *accept_main(void *arg)
{
	struct hmfs_ctx *ctx = arg;

	for (;;) {
		pthread_t t;
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
		if (!peer_allowed(fd)) {
			close(fd);
			continue;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->ctx = ctx;
		c->fd = fd;
		conn_add(ctx, c);
		if (pthread_create(&t, NULL, conn_main, c)) {
			conn_del(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

int hmfs_ctl_start(struct hmfs_ctx *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, ret;

	if (!ctx->ctl_path[0])
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctx->ctl_path);
	unlink(ctx->ctl_path);
	old = umask(0177); /* 0600 from birth: no window */
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret || listen(fd, 16)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ctx->ctl_fd = fd;
	ret = pthread_create(&ctx->ctl_thread, NULL, accept_main, ctx);
	if (ret) {
		close(fd);
		ctx->ctl_fd = -1;
		return -ret;
	}
	ctx->ctl_started = true;
	return 0;
}

void hmfs_ctl_stop(struct hmfs_ctx *ctx)
{
	if (!ctx->ctl_started)
		return;
	shutdown(ctx->ctl_fd, SHUT_RDWR);
	pthread_join(ctx->ctl_thread, NULL);
	close(ctx->ctl_fd);
	unlink(ctx->ctl_path);
	ctx->ctl_started = false;
	pthread_mutex_lock(&ctx->sub_lock);
	for (struct conn *c = ctx->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	while (ctx->conns)
		pthread_cond_wait(&ctx->conns_cond, &ctx->sub_lock);
	pthread_mutex_unlock(&ctx->sub_lock);
}
