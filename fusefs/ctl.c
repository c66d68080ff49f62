// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: the machine's hardware, spoken in JSON.
 *
 * QMP-shaped, one JSON object a line each way:
 *   -> {"execute": "device_add", "arguments": {"driver": "pc-dimm", ...}}
 *   <- {"return": {...}}  or  {"error": {"class": "GenericError", "desc": "..."}}
 * `events` turns the connection into a stream of
 *   {"event": "UEVENT"|"LOG"|"TRACE", "data": {...}, "timestamp": {...}}
 * Parsing and printing is json-c's; nothing is formatted by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hmfs.h"

#define ERRLEN 512

struct conn {
	struct hmfs_ctx *ctx;
	int fd;
	struct conn *next; /* ctx->conns, under sub_lock */
};

struct cmd_result {
	json_object *ret; /* owned; NULL on error */
	char err[ERRLEN];
	bool mutated;
};

/* ---- argument helpers -------------------------------------------------- */

static json_object *arg(json_object *args, const char *key)
{
	json_object *v = NULL;

	if (args && json_object_object_get_ex(args, key, &v))
		return v;
	return NULL;
}

static const char *arg_str(json_object *args, const char *key)
{
	json_object *v = arg(args, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A size: a JSON number of bytes or a string "1G", "0x40000000". */
static int arg_size(json_object *args, const char *key, uint64_t *out, bool *present, char *err)
{
	json_object *v = arg(args, key);

	*present = v != NULL;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < 0)
			goto bad;
		*out = (uint64_t)i;
		return 0;
	}
	if (json_object_is_type(v, json_type_string) &&
	    !hmfs_memparse(json_object_get_string(v), out))
		return 0;
bad:
	snprintf(err, ERRLEN, "Parameter '%s' expects a size (bytes, or with K/M/G/T suffix)", key);
	return -EINVAL;
}

static int arg_int(json_object *args, const char *key, long long def, long long *out, char *err)
{
	json_object *v = arg(args, key);
	uint64_t u;

	*out = def;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;

		errno = 0;
		*out = strtoll(s, &end, 0);
		if (*s && !*end && !errno)
			return 0;
		if (!hmfs_memparse(s, &u)) {
			*out = (long long)u;
			return 0;
		}
	}
	snprintf(err, ERRLEN, "Parameter '%s' expects an integer", key);
	return -EINVAL;
}

/* A NUMA node: -1 (any) up to INT_MAX; never truncated into another node. */
static int arg_node(json_object *args, long long def, int *out, char *err)
{
	long long v;

	if (arg_int(args, "node", def, &v, err))
		return -EINVAL;
	if (v < -1 || v > INT_MAX) {
		snprintf(err, ERRLEN, "Parameter 'node' is out of range");
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

static int arg_bool(json_object *args, const char *key, int def, int *out, char *err)
{
	json_object *v = arg(args, key);
	bool b;

	*out = def;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_string) &&
	    !hmfs_kstrtobool(json_object_get_string(v), &b)) {
		*out = b;
		return 0;
	}
	snprintf(err, ERRLEN, "Parameter '%s' expects a boolean", key);
	return -EINVAL;
}

/* ---- status ------------------------------------------------------------ */

static json_object *dev_json(const struct hmfs_dev *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(d->id));
	json_object_object_add(o, "driver",
			       json_object_new_string(d->type == HMFS_PC_DIMM ? "pc-dimm" :
										"virtio-mem-pci"));
	json_object_object_add(o, "node", json_object_new_int(d->node));
	json_object_object_add(o, "addr", json_object_new_uint64(d->addr));
	json_object_object_add(o, "size", json_object_new_uint64(d->size));
	json_object_object_add(o, "memory-group", json_object_new_int(d->group));
	if (d->type == HMFS_PC_DIMM) {
		json_object_object_add(o, "memmap-on-memory",
				       json_object_new_boolean(d->memmap_on_memory));
	} else {
		json_object_object_add(o, "block-size", json_object_new_uint64(d->block_size));
		json_object_object_add(o, "requested-size", json_object_new_uint64(d->requested));
		json_object_object_add(o, "plugged-size", json_object_new_uint64(d->plugged));
	}
	return o;
}

static json_object *devices_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next)
		json_object_array_add(a, dev_json(d));
	pthread_mutex_unlock(&ctx->dev_lock);
	return a;
}

static void add_run(void *arg, const struct hm_block_info *bi, unsigned long count)
{
	json_object *run = json_object_new_object();

	json_object_object_add(run, "first", json_object_new_uint64(bi->id));
	json_object_object_add(run, "count", json_object_new_uint64(count));
	json_object_object_add(run, "start", json_object_new_uint64(bi->start));
	json_object_object_add(run, "state", json_object_new_string(hotmem_state_name(bi->state)));
	json_object_object_add(run, "node", json_object_new_int(bi->nid));
	json_object_object_add(run, "zone",
			       json_object_new_string(bi->zone >= 0 ? hotmem_zone_name(bi->zone) :
								      "none"));
	json_object_object_add(run, "group", json_object_new_int(bi->group));
	json_object_object_add(run, "boot", json_object_new_boolean(bi->boot));
	json_object_array_add(arg, run);
}

/* Blocks as lsmem shows them: runs of same state, node, zone and group. */
static json_object *blocks_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	hmfs_block_runs(ctx, HMFS_RUN_BY_NODE | HMFS_RUN_BY_GROUP, add_run, a);
	return a;
}

static json_object *zones_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	for (int nid = 0; nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			struct hm_zone_info zi;
			json_object *z;

			if (hotmem_zone_info(ctx->hm, nid, zid, &zi) || !zi.spanned)
				continue;
			z = json_object_new_object();
			json_object_object_add(z, "node", json_object_new_int(nid));
			json_object_object_add(z, "zone",
					       json_object_new_string(hotmem_zone_name(zid)));
			json_object_object_add(z, "start_pfn",
					       json_object_new_uint64(zi.zone_start_pfn));
			json_object_object_add(z, "spanned", json_object_new_uint64(zi.spanned));
			json_object_object_add(z, "present", json_object_new_uint64(zi.present));
			json_object_object_add(z, "managed", json_object_new_uint64(zi.managed));
			json_object_object_add(z, "free", json_object_new_uint64(zi.nr_free));
			json_object_array_add(a, z);
		}
	}
	return a;
}

/* the sink's counters are bumped by the notifier thread */
#define COUNTER(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

static json_object *status_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object(), *m = json_object_new_object();
	json_object *u = json_object_new_object();
	unsigned long saves, save_errors;
	struct hm_meminfo mi;
	char summary[2048];

	hotmem_meminfo(ctx->hm, &mi);
	json_object_object_add(m, "profile", json_object_new_string(ctx->profile));
	json_object_object_add(m, "cmdline", json_object_new_string(ctx->cmdline));
	json_object_object_add(m, "block-size", json_object_new_uint64(ctx->block_size));
	json_object_object_add(m, "blocks", json_object_new_uint64(hotmem_nr_blocks(ctx->hm)));
	json_object_object_add(m, "nodes", json_object_new_int(hotmem_nr_possible_nodes(ctx->hm)));
	json_object_object_add(
		m, "auto-online",
		json_object_new_string(hotmem_online_type_name(hotmem_get_auto_online(ctx->hm))));
	json_object_object_add(m, "total-pages", json_object_new_uint64(mi.totalram_pages));
	json_object_object_add(m, "free-pages", json_object_new_uint64(mi.free_pages));
	json_object_object_add(m, "present-pages", json_object_new_uint64(mi.present_pages));
	json_object_object_add(m, "memmap-pages", json_object_new_uint64(mi.memmap_pages));
	json_object_object_add(m, "metadata-bytes",
			       json_object_new_uint64(hotmem_metadata_bytes(ctx->hm)));
	if (hotmem_summary(ctx->hm, summary, sizeof(summary)) >= 0)
		json_object_object_add(m, "summary", json_object_new_string(summary));
	json_object_object_add(o, "machine", m);
	json_object_object_add(o, "zones", zones_json(ctx));
	json_object_object_add(o, "blocks", blocks_json(ctx));
	json_object_object_add(o, "devices", devices_json(ctx));
	json_object_object_add(u, "netlink", json_object_new_string(ctx->sink.nl_status));
	json_object_object_add(u, "netlink-sent", json_object_new_uint64(COUNTER(ctx->sink.nl_sent)));
	json_object_object_add(u, "netlink-errors", json_object_new_uint64(COUNTER(ctx->sink.nl_errors)));
	json_object_object_add(u, "unix-sent", json_object_new_uint64(COUNTER(ctx->sink.unix_sent)));
	json_object_object_add(u, "unix-dropped", json_object_new_uint64(COUNTER(ctx->sink.unix_dropped)));
	json_object_object_add(o, "uevents", u);
	json_object_object_add(o, "state-file", json_object_new_string(ctx->state_path));
	/* counted under save_lock by whichever thread saves (TSan) */
	pthread_mutex_lock(&ctx->save_lock);
	saves = ctx->saves;
	save_errors = ctx->save_errors;
	pthread_mutex_unlock(&ctx->save_lock);
	json_object_object_add(o, "state-saves", json_object_new_uint64(saves));
	json_object_object_add(o, "state-save-errors", json_object_new_uint64(save_errors));
	return o;
}

/* ---- commands ---------------------------------------------------------- */

typedef int (*cmd_fn)(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r);

static int cmd_device_add(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *driver = arg_str(args, "driver"), *id = arg_str(args, "id");
	uint64_t size = 0, addr = 0, req = 0, bs = 0;
	bool has_size, has_addr, has_req, has_bs;
	int node, memmap, ret;

	if (!driver) {
		snprintf(r->err, ERRLEN, "Parameter 'driver' is missing");
		return -EINVAL;
	}
	if (arg_size(args, "size", &size, &has_size, r->err) ||
	    arg_size(args, "addr", &addr, &has_addr, r->err) ||
	    arg_size(args, "requested-size", &req, &has_req, r->err) ||
	    arg_size(args, "block-size", &bs, &has_bs, r->err) ||
	    arg_node(args, 0, &node, r->err) ||
	    arg_bool(args, "memmap-on-memory", 1, &memmap, r->err))
		return -EINVAL;
	ret = hmfs_dev_add(ctx, driver, id, size, node, addr, has_addr, req, bs, memmap,
			   r->err, ERRLEN);
	if (ret)
		return ret;
	r->mutated = true;
	r->ret = json_object_new_object();
	return 0;
}

static int cmd_device_del(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *id = arg_str(args, "id");
	int ret;

	if (!id) {
		snprintf(r->err, ERRLEN, "Parameter 'id' is missing");
		return -EINVAL;
	}
	ret = hmfs_dev_del(ctx, id, r->err, ERRLEN);
	if (ret)
		return ret;
	r->mutated = true;
	r->ret = json_object_new_object();
	return 0;
}

static int cmd_qom_set(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *path = arg_str(args, "path"), *prop = arg_str(args, "property");
	uint64_t v;
	bool has;
	int ret;

	if (!path || !prop) {
		snprintf(r->err, ERRLEN, "Parameters 'path' and 'property' are required");
		return -EINVAL;
	}
	if (strcmp(prop, "requested-size")) {
		snprintf(r->err, ERRLEN, "Property '%s' not found or not settable", prop);
		return -EINVAL;
	}
	if (arg_size(args, "value", &v, &has, r->err) || !has) {
		snprintf(r->err, ERRLEN, "Parameter 'value' expects a size");
		return -EINVAL;
	}
	ret = hmfs_dev_set_requested(ctx, path, v, r->err, ERRLEN);
	r->mutated = true; /* partial progress is progress */
	if (ret)
		return ret;
	r->ret = json_object_new_object();
	return 0;
}

static int cmd_query_devices(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)args;
	r->ret = devices_json(ctx);
	return 0;
}

static int cmd_status(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)args;
	r->ret = status_json(ctx);
	return 0;
}

static int cmd_block_set_state(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *state = arg_str(args, "state");
	long long block;
	int type, ret;

	if (arg_int(args, "block", -1, &block, r->err))
		return -EINVAL;
	type = state ? hmfs_online_type_from_str(state) : -EINVAL;
	if (block < 0 || type < 0) {
		snprintf(
			r->err, ERRLEN,
			"need 'block' and 'state' (offline, online, online_kernel, online_movable)");
		return -EINVAL;
	}
	ret = hotmem_block_set_state(ctx->hm, (unsigned long)block, type);
	if (ret) {
		snprintf(r->err, ERRLEN, "memory%lld: %s failed: %s", block, state,
			 strerror(ret > 0 ? EINVAL : -ret));
		return ret > 0 ? -EINVAL : ret;
	}
	r->mutated = true;
	r->ret = json_object_new_object();
	return 0;
}

static int cmd_alloc(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *type = arg_str(args, "type");
	long long pages;
	long n;
	int t, node;

	if (arg_int(args, "pages", 0, &pages, r->err) || arg_node(args, -1, &node, r->err))
		return -EINVAL;
	if (!type || (strcmp(type, "movable") && strcmp(type, "unmovable")) || pages <= 0) {
		snprintf(r->err, ERRLEN, "need 'type' (movable|unmovable) and 'pages' > 0");
		return -EINVAL;
	}
	t = strcmp(type, "movable") ? HM_ALLOC_UNMOVABLE : HM_ALLOC_MOVABLE;
	n = hotmem_alloc_pages(ctx->hm, node, t, (unsigned long)pages, NULL);
	if (n < 0) {
		snprintf(r->err, ERRLEN, "allocation failed: %s", strerror((int)-n));
		return (int)n;
	}
	r->ret = json_object_new_object();
	json_object_object_add(r->ret, "allocated", json_object_new_int64(n));
	return 0;
}

static int cmd_free_all(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)args;
	r->ret = json_object_new_object();
	json_object_object_add(r->ret, "freed", json_object_new_uint64(hotmem_free_all(ctx->hm)));
	return 0;
}

static int cmd_hugetlb(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	long long pages;
	long n;
	int node;

	if (arg_int(args, "pages", 0, &pages, r->err) || arg_node(args, -1, &node, r->err))
		return -EINVAL;
	if (pages >= 0)
		n = hotmem_hugetlb_alloc(ctx->hm, node, (unsigned long)pages);
	else /* negated unsigned: LLONG_MIN too */
		n = hotmem_hugetlb_free(ctx->hm, (unsigned long)(0ULL - (unsigned long long)pages));
	if (n < 0) {
		snprintf(r->err, ERRLEN, "hugetlb: %s", strerror((int)-n));
		return (int)n;
	}
	r->ret = json_object_new_object();
	json_object_object_add(r->ret, "pages", json_object_new_int64(n));
	return 0;
}

static int cmd_inject(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *action = arg_str(args, "action");
	long long err;
	int a;

	if (arg_int(args, "error", 0, &err, r->err))
		return -EINVAL;
	if (action && !strcmp(action, "MEM_GOING_ONLINE"))
		a = HM_MEM_GOING_ONLINE;
	else if (action && !strcmp(action, "MEM_GOING_OFFLINE"))
		a = HM_MEM_GOING_OFFLINE;
	else {
		snprintf(r->err, ERRLEN, "'action' must be MEM_GOING_ONLINE or MEM_GOING_OFFLINE");
		return -EINVAL;
	}
	if (err > 0 || err < -4095) {
		snprintf(r->err, ERRLEN, "'error' must be 0 or a negative errno");
		return -EINVAL;
	}
	hotmem_set_notifier_error(ctx->hm, a, (int)err);
	r->ret = json_object_new_object();
	return 0;
}

static int cmd_fail_nth(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	long long nth;

	if (arg_int(args, "nth", 0, &nth, r->err) || nth < 0) {
		snprintf(r->err, ERRLEN, "'nth' must be >= 0");
		return -EINVAL;
	}
	hotmem_fail_nth_alloc(ctx->hm, (unsigned long)nth);
	r->ret = json_object_new_object();
	return 0;
}

static int cmd_check(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	int ret;

	(void)args;
	ret = hotmem_check_invariants(ctx->hm, r->err, ERRLEN);
	if (ret)
		return ret;
	r->ret = json_object_new_object();
	json_object_object_add(r->ret, "ok", json_object_new_boolean(true));
	return 0;
}

static int cmd_save(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	int ret;

	(void)args;
	ret = hmfs_state_save(ctx);
	if (ret) {
		snprintf(r->err, ERRLEN, "saving %.400s: %s", ctx->state_path, strerror(-ret));
		return ret;
	}
	r->ret = json_object_new_object();
	return 0;
}

static const struct {
	const char *name;
	cmd_fn fn;
	const char *help;
} commands[] = {
	{ "device_add", cmd_device_add, "plug a pc-dimm or virtio-mem-pci" },
	{ "device_del", cmd_device_del, "unplug a device by id" },
	{ "qom-set", cmd_qom_set, "virtio-mem requested-size" },
	{ "query-memory-devices", cmd_query_devices, "list memory devices" },
	{ "status", cmd_status, "machine, zones, blocks, devices, uevents" },
	{ "block-set-state", cmd_block_set_state, "online/offline a block" },
	{ "alloc", cmd_alloc, "workload: allocate movable/unmovable pages" },
	{ "free-all", cmd_free_all, "workload: free every allocated page" },
	{ "hugetlb", cmd_hugetlb, "grow (pages>0) or shrink (pages<0) the HugeTLB pool" },
	{ "inject", cmd_inject, "notifier error injection" },
	{ "fail-nth-alloc", cmd_fail_nth, "fail the nth engine allocation" },
	{ "check-invariants", cmd_check, "hotmem_check_invariants()" },
	{ "save", cmd_save, "write the state file now" },
};

static json_object *error_json(const char *cls, const char *desc)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(cls));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(o, "error", e);
	return o;
}

static json_object *query_commands(void)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(commands[i].name));
		json_object_object_add(c, "help", json_object_new_string(commands[i].help));
		json_object_array_add(a, c);
	}
	return a;
}

/* Returns the reply; *events set when the client asked to follow. */
static json_object *dispatch(struct hmfs_ctx *ctx, json_object *req, bool *events, bool *trace)
{
	json_object *args = NULL, *reply, *id = NULL;
	struct cmd_result r = { 0 };
	const char *name;
	int ret;

	*events = false;
	if (!json_object_is_type(req, json_type_object))
		return error_json("GenericError", "Expected a JSON object");
	name = arg_str(req, "execute");
	args = arg(req, "arguments");
	id = arg(req, "id");
	if (!name)
		return error_json("GenericError", "Missing 'execute'");
	if (args && !json_object_is_type(args, json_type_object))
		return error_json("GenericError", "'arguments' must be an object");
	if (!strcmp(name, "events")) {
		int t;

		if (arg_bool(args, "trace", 0, &t, r.err))
			return error_json("GenericError", r.err);
		*events = true;
		*trace = t;
		reply = json_object_new_object();
		json_object_object_add(reply, "return", json_object_new_object());
		goto out;
	}
	if (!strcmp(name, "query-commands")) {
		reply = json_object_new_object();
		json_object_object_add(reply, "return", query_commands());
		goto out;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (strcmp(commands[i].name, name))
			continue;
		ret = commands[i].fn(ctx, args, &r);
		if (r.mutated)
			hmfs_state_save(ctx);
		if (ret) {
			if (!r.err[0])
				snprintf(r.err, ERRLEN, "%s: %s", name, strerror(-ret));
			json_object_put(r.ret);
			reply = error_json("GenericError", r.err);
		} else {
			reply = json_object_new_object();
			json_object_object_add(reply, "return", r.ret);
		}
		goto out;
	}
	snprintf(r.err, ERRLEN, "The command %s has not been found", name);
	reply = error_json("CommandNotFound", r.err);
out:
	if (id)
		json_object_object_add(reply, "id", json_object_get(id));
	return reply;
}

/* ---- the socket -------------------------------------------------------- */

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

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct json_tokener *tok = json_tokener_new();
	char buf[4096];
	ssize_t n;

	while (tok && (n = recv(c->fd, buf, sizeof(buf), 0)) > 0) {
		size_t off = 0;

		while (off < (size_t)n) {
			json_object *req, *reply;
			bool events = false, trace = false;

			if (buf[off] == '\n' || buf[off] == ' ' || buf[off] == '\r') {
				off++;
				continue;
			}
			req = json_tokener_parse_ex(tok, buf + off, (int)(n - (ssize_t)off));
			if (json_tokener_get_error(tok) == json_tokener_continue)
				break; /* need more bytes */
			off += json_tokener_get_parse_end(tok);
			if (!req) {
				reply = error_json("GenericError", "JSON parse error");
				json_tokener_reset(tok);
				send_json(c->fd, reply);
				json_object_put(reply);
				goto out;
			}
			reply = dispatch(c->ctx, req, &events, &trace);
			json_object_put(req);
			send_json(c->fd, reply);
			json_object_put(reply);
			if (events) {
				follow(c->ctx, c->fd, trace);
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
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break; /* socket shut down: we are stopping */
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
