// SPDX-License-Identifier: GPL-2.0
/*
 * The tree and the attributes without FUSE: names, inode numbers,
 * directory order, show()/store() against a booted host-24g engine.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "hmfs.h"

static int setup(void **state)
{
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));
	char err[256];

	if (!ctx)
		return -1;
	hmfs_ctx_init(ctx);
	if (hotmem_config_builtin(&ctx->cfg, "host-24g") ||
	    hmfs_cpus_init(ctx, "/sys/devices/system/cpu") ||
	    hotmem_create(&ctx->cfg, &ctx->hm, err, sizeof(err)))
		return -1;
	ctx->block_size = hotmem_block_size(ctx->hm);
	if (hmfs_tree_init(ctx))
		return -1;
	*state = ctx;
	return 0;
}

/*
 * What main.c's teardown frees of a ctx these tests make: a store that
 * holds hotplug long (an offline) leaves the readers' copy of /proc/iomem
 * and firmware/memmap standing for the next one (machine.c
 * maps_snap_take()), freed with the ctx
 */
static void ctx_free(struct hmfs_ctx *ctx)
{
	hmfs_maps_snap_free(ctx);
	hmfs_tree_free(ctx);
	hmfs_inc_free(ctx); /* remove_block()'s, as events.c's teardown frees them */
	hotmem_destroy(ctx->hm);
	free(ctx);
}

static int teardown(void **state)
{
	ctx_free(*state);
	return 0;
}

static int path(struct hmfs_ctx *ctx, const char *p, struct hmfs_node *n)
{
	char buf[256], *save = NULL, *tok;
	uint64_t ino = 1;
	int ret = hmfs_node_get(ctx, 1, n);

	snprintf(buf, sizeof(buf), "%s", p);
	for (tok = strtok_r(buf, "/", &save); tok && !ret; tok = strtok_r(NULL, "/", &save)) {
		ret = hmfs_lookup_child(ctx, ino, tok, n);
		ino = n->ino;
	}
	return ret;
}

static const char *show(struct hmfs_ctx *ctx, const char *p)
{
	static char buf[HMFS_PAGE_SIZE + 1];
	struct hmfs_node n;
	int len;

	if (path(ctx, p, &n))
		return "<enoent>";
	len = hmfs_show(ctx, &n, buf, sizeof(buf));
	return len < 0 ? "<error>" : buf;
}

static ssize_t store(struct hmfs_ctx *ctx, const char *p, const char *val)
{
	char buf[HMFS_PAGE_SIZE + 1];
	struct hmfs_node n;

	if (path(ctx, p, &n))
		return -ENOENT;
	return hmfs_store(ctx, &n, buf, hmfs_write_buf(buf, val, strlen(val)));
}

#define MEM "sys/devices/system/memory/"

static void test_lookup(void **state)
{
	struct hmfs_ctx *ctx = *state;
	struct hmfs_node n;

	assert_int_equal(path(ctx, MEM "memory104/state", &n), 0);
	assert_int_equal(n.mode, S_IFREG | 0644);
	assert_int_equal(n.attr, A_B_STATE);
	assert_int_equal(n.id, 104);
	assert_int_equal(path(ctx, MEM "memory104/node0", &n), 0);
	assert_string_equal(n.target, "../../node/node0");
	assert_int_equal(path(ctx, MEM "memory104/subsystem", &n), 0);
	assert_string_equal(n.target, "../../../../bus/memory");
	assert_int_equal(path(ctx, MEM "memory104/power/control", &n), 0);
	assert_int_equal(n.mode, S_IFREG | 0644);
	assert_int_equal(path(ctx, MEM "memory24", &n), -ENOENT); /* hole */
	assert_int_equal(path(ctx, MEM "memory0104", &n), -ENOENT);
	assert_int_equal(path(ctx, MEM "memory104/node1", &n), -ENOENT);
	assert_int_equal(path(ctx, MEM "block_size_bytes/x", &n), -ENOTDIR);
	assert_int_equal(path(ctx, MEM, &n), 0);
	assert_int_equal(n.nlink, 2 + 192 + 1);
	assert_int_equal(path(ctx, "sys/bus/memory/devices/memory199", &n), 0);
	assert_string_equal(n.target, "../../../devices/system/memory/memory199");
	assert_int_equal(path(ctx, "sys/devices/system/node/node0/memory32", &n), 0);
	assert_string_equal(n.target, "../../memory/memory32");
	assert_int_equal(path(ctx, "sys/devices/system/node/node0/memory24", &n), -ENOENT);
}

struct names {
	char buf[8192];
	size_t len;
	long last;
	int n, limit;
};

static bool collect(void *arg, const char *name, uint64_t ino, mode_t mode, long off)
{
	struct names *nm = arg;

	(void)ino;
	(void)mode;
	if (nm->limit && nm->n == nm->limit)
		return false;
	nm->len += (size_t)snprintf(nm->buf + nm->len, sizeof(nm->buf) - nm->len, "%s ", name);
	nm->last = off;
	nm->n++;
	return true;
}

static void test_readdir(void **state)
{
	struct hmfs_ctx *ctx = *state;
	struct names nm = { 0 };
	struct hmfs_node n;

	assert_int_equal(path(ctx, MEM "memory0", &n), 0);
	hmfs_readdir(ctx, n.ino, 0, collect, &nm);
	/* kernfs order of the reference */
	assert_string_equal(nm.buf, ". .. uevent node0 power online phys_device phys_index "
				    "valid_zones subsystem state removable ");

	/* resume in the middle of the block list: nothing lost, nothing twice */
	assert_int_equal(path(ctx, MEM, &n), 0);
	memset(&nm, 0, sizeof(nm));
	nm.limit = 30;
	hmfs_readdir(ctx, n.ino, 0, collect, &nm);
	{
		struct names rest = { 0 };
		int total;

		hmfs_readdir(ctx, n.ino, nm.last + 1, collect, &rest);
		total = nm.n + rest.n;
		assert_int_equal(total, 2 + 4 + 192);
		assert_null(strstr(rest.buf, "memory1 ")); /* was in the first part */
		assert_non_null(strstr(rest.buf, "memory199 "));
	}
}

/* @p's listing, but for the names starting with one of @skip's (cpuM links: the host's CPUs) */
static const char *listing(struct hmfs_ctx *ctx, const char *p, const char *skip)
{
	static struct names nm;
	struct hmfs_node n;
	char *w, *r;

	memset(&nm, 0, sizeof(nm));
	if (path(ctx, p, &n) || hmfs_readdir(ctx, n.ino, 0, collect, &nm) < 0)
		return "<error>";
	for (w = r = nm.buf; *r;) {
		size_t len = strcspn(r, " ") + 1;
		bool drop = false;

		for (const char *k = skip; k && *k; k += strlen(k) + 1)
			drop |= !strncmp(r, k, strlen(k)) && r[strlen(k)] >= '0' && r[strlen(k)] <= '9';
		if (!drop) {
			memmove(w, r, len);
			w += len;
		}
		r += len;
	}
	*w = '\0';
	return nm.buf;
}

/*
 * Directories list in kernfs's order (kernfs_name_hash(), then name), as
 * the host's 6.18 sysfs does (review6 #3), the per-block entries after
 * them in id order.
 */
static void test_readdir_kernfs_order(void **state)
{
	struct hmfs_ctx *ctx = *state;

	assert_string_equal(listing(ctx, "sys/devices/system/node/node0", "cpu\0memory\0"),
			    ". .. uevent distance power numastat vmstat reclaim compact hugepages "
			    "subsystem meminfo cpulist cpumap ");
	assert_string_equal(listing(ctx, "sys/devices/system/node", NULL),
			    ". .. uevent possible has_generic_initiator has_normal_memory node0 power "
			    "online has_memory has_cpu ");
	assert_string_equal(listing(ctx, MEM "memory0/power", NULL),
			    ". .. runtime_active_time runtime_status autosuspend_delay_ms "
			    "runtime_suspended_time control ");
	assert_string_equal(listing(ctx, "sys/bus/memory", NULL),
			    ". .. uevent drivers_autoprobe devices drivers_probe drivers ");
	assert_string_equal(listing(ctx, "sys/devices/system/node/node0/hugepages/hugepages-2048kB",
				    NULL),
			    ". .. free_hugepages surplus_hugepages nr_hugepages ");
	assert_string_equal(listing(ctx, "sys/firmware/memmap/0", NULL), ". .. end type start ");
	/* the blocks after memory/'s files, in id order */
	assert_non_null(strstr(listing(ctx, MEM, NULL), " power memory0 memory1 memory2 "));
	/* a listing resumed anywhere, in the hashed entries or the blocks: nothing lost or twice */
	for (int limit = 1; limit < 24; limit++) {
		struct names whole = { 0 }, part = { 0 }, rest = { 0 };
		struct hmfs_node n;
		char joined[sizeof(whole.buf) * 2];

		assert_int_equal(path(ctx, "sys/devices/system/node/node0", &n), 0);
		hmfs_readdir(ctx, n.ino, 0, collect, &whole);
		part.limit = limit;
		hmfs_readdir(ctx, n.ino, 0, collect, &part);
		hmfs_readdir(ctx, n.ino, part.last + 1, collect, &rest);
		snprintf(joined, sizeof(joined), "%s%s", part.buf, rest.buf);
		assert_string_equal(joined, whole.buf);
	}
	assert_non_null(strstr(listing(ctx, "sys/devices/system/node/node0", "cpu\0"),
			       " cpumap memory0 memory1 "));
}

static void test_show(void **state)
{
	struct hmfs_ctx *ctx = *state;

	assert_string_equal(show(ctx, MEM "block_size_bytes"), "8000000\n");
	assert_string_equal(show(ctx, MEM "auto_online_blocks"), "offline\n");
	assert_string_equal(show(ctx, MEM "memory104/phys_index"), "00000068\n");
	assert_string_equal(show(ctx, MEM "memory104/state"), "online\n");
	assert_string_equal(show(ctx, MEM "memory0/valid_zones"), "none\n");
	assert_string_equal(show(ctx, MEM "memory1/valid_zones"), "DMA32\n");
	assert_string_equal(show(ctx, MEM "memory104/valid_zones"), "Normal\n");
	assert_string_equal(show(ctx, MEM "memory104/power/runtime_status"), "unsupported\n");
	assert_string_equal(show(ctx, MEM "memory104/power/autosuspend_delay_ms"), "<error>");
	assert_string_equal(show(ctx, "sys/module/memory_hotplug/parameters/online_policy"),
			    "contig-zones\n");
	assert_string_equal(show(ctx, "sys/module/memory_hotplug/parameters/auto_movable_ratio"),
			    "301\n");
	assert_string_equal(show(ctx, "sys/devices/system/node/possible"), "0\n");
	assert_non_null(strstr(show(ctx, "proc/meminfo"), "MemTotal: "));
	assert_non_null(
		strstr(show(ctx, "sys/devices/system/node/node0/meminfo"), "Node 0 MemTotal: "));
}

/* a show into a buffer too small: what fits, NUL-terminated, as emit() (no length past it) */
static void test_show_clamps(void **state)
{
	static const char *const files[] = { "sys/devices/system/node/possible",
					      "sys/devices/system/node/node0/cpulist",
					      "sys/devices/system/node/node0/cpumap" };
	struct hmfs_ctx *ctx = *state;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char buf[2] = "xx";
		struct hmfs_node n;
		int len;

		assert_int_equal(path(ctx, files[i], &n), 0);
		len = hmfs_show(ctx, &n, buf, sizeof(buf));
		assert_in_range(len, 0, 1);
		assert_int_equal(buf[len], '\0');
	}
}

static void test_store(void **state)
{
	struct hmfs_ctx *ctx = *state;

	assert_int_equal(store(ctx, MEM "memory104/state", "online\n"), -EINVAL);
	assert_int_equal(store(ctx, MEM "memory104/state", "bogus"), -EINVAL);
	assert_int_equal(store(ctx, MEM "memory104/online", "1garbage"), 8);
	assert_int_equal(store(ctx, MEM "memory150/state", "offline"), 7);
	assert_string_equal(show(ctx, MEM "memory150/state"), "offline\n");
	assert_string_equal(show(ctx, MEM "memory150/online"), "0\n");
	assert_int_equal(store(ctx, MEM "memory150/online", "0"), 1);
	assert_int_equal(store(ctx, MEM "memory150/state", "online_movable"), 14);
	assert_string_equal(show(ctx, MEM "memory150/valid_zones"), "Movable\n");
	assert_int_equal(store(ctx, MEM "memory150/online", "off"), 3);
	assert_int_equal(store(ctx, MEM "memory150/state", "online_kernel"), 13);
	assert_int_equal(store(ctx, MEM "auto_online_blocks", "online\n"), 7);
	assert_string_equal(show(ctx, MEM "auto_online_blocks"), "online\n");
	assert_int_equal(store(ctx, MEM "auto_online_blocks", "offline"), 7);
	assert_int_equal(store(ctx, "sys/module/memory_hotplug/parameters/auto_movable_ratio",
			       "4294967296"),
			 -ERANGE);
	assert_int_equal(store(ctx, MEM "memory104/power/control", "on\n"), 3);
	assert_int_equal(store(ctx, MEM "memory104/power/control", "off"), -EINVAL);
	assert_int_equal(store(ctx, "sys/bus/memory/drivers_probe", "memory104\n"), 10);
	assert_int_equal(store(ctx, "sys/bus/memory/drivers_probe", "memory24"), -ENODEV);
	assert_int_equal(store(ctx,
			       "sys/kernel/debug/notifier-error-inject/memory/actions/"
			       "MEM_GOING_OFFLINE/error",
			       "-5000"),
			 5);
	assert_string_equal(show(ctx, "sys/kernel/debug/notifier-error-inject/memory/actions/"
				      "MEM_GOING_OFFLINE/error"),
			    "-4095\n");
	assert_int_equal(store(ctx,
			       "sys/kernel/debug/notifier-error-inject/memory/actions/"
			       "MEM_GOING_OFFLINE/error",
			       "0"),
			 1);
}

/* @line run as a connection's after qmp_capabilities runs it: hmfs_qmp_dispatch() */
static const char *execute(struct hmfs_ctx *ctx, const char *line)
{
	static char out[512];
	struct hmfs_qmp session = { .command_mode = true };
	struct hmfs_ctl_follow f;
	json_object *req = json_tokener_parse(line), *reply;

	assert_true(req || !strcmp(line, "null"));
	reply = hmfs_qmp_dispatch(ctx, &session, req, &f, NULL);
	snprintf(out, sizeof(out), "%s", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	json_object_put(reply);
	json_object_put(req);
	return out;
}

/*
 * The tests' and the fuzzer's requests take the socket's path, QEMU's
 * envelope and argument checks and "id" echo (qmp.c): hmfs_ctl_execute()
 * had an envelope of its own, in other words, that ran a request with a
 * member QEMU refuses and dropped a null "id" (fr2 R3, R4)
 */
static void test_ctl_through_qmp(void **state)
{
	struct hmfs_ctx *ctx = *state;

	assert_string_equal(execute(ctx, "{\"execute\": \"query-acpi-ospm-status\", \"x\": 1}"),
			    "{\"error\":{\"class\":\"GenericError\","
			    "\"desc\":\"QMP input member 'x' is unexpected\"}}");
	assert_string_equal(execute(ctx, "{\"execute\": \"query-acpi-ospm-status\", "
					 "\"arguments\": {\"x\": 1}, \"id\": 7}"),
			    "{\"error\":{\"class\":\"GenericError\","
			    "\"desc\":\"Parameter 'x' is unexpected\"},\"id\":7}");
	assert_string_equal(execute(ctx, "{\"execute\": \"nope\", \"id\": null}"),
			    "{\"error\":{\"class\":\"CommandNotFound\","
			    "\"desc\":\"The command nope has not been found\"},\"id\":null}");
	assert_string_equal(execute(ctx, "{\"arguments\": {}}"),
			    "{\"error\":{\"class\":\"GenericError\","
			    "\"desc\":\"QMP input lacks member 'execute'\"}}");
	assert_string_equal(execute(ctx, "null"),
			    "{\"error\":{\"class\":\"GenericError\","
			    "\"desc\":\"QMP input must be a JSON object\"}}");
}

/* the state file in a new directory @tmpl, as hotmemfs opens it: its directory, lock, journal */
static void state_dir_open(struct hmfs_ctx *ctx, char *tmpl)
{
	char file[64], err[256];

	assert_non_null(mkdtemp(tmpl));
	snprintf(file, sizeof(file), "%s/state", tmpl);
	assert_int_equal(hmfs_state_open(ctx, file, err, sizeof(err)), 0);
}

static void state_dir_close(struct hmfs_ctx *ctx, const char *tmpl)
{
	char file[64];

	hmfs_state_close(ctx);
	for (const char *const *f = (const char *const[]){ "", ".journal", ".lock", NULL }; *f; f++) {
		snprintf(file, sizeof(file), "%s/state%s", tmpl, *f);
		unlink(file);
	}
	rmdir(tmpl);
	ctx->state_path[0] = '\0';
}

/*
 * A store and a command that change the machine take one path
 * (hmfs_change()): both save the state file, a refused change saves
 * nothing, and "already in that state" is the engine's EINVAL for both.
 */
static void test_change_path(void **state)
{
	struct hmfs_ctx *ctx = *state;
	char tmpl[] = "/tmp/test_tree.XXXXXX";
	unsigned long saves;

	state_dir_open(ctx, tmpl);
	saves = ctx->saves;
	assert_int_equal(store(ctx, MEM "memory151/state", "offline"), 7);
	assert_int_equal(ctx->saves, saves + 1);
	assert_int_equal(store(ctx, MEM "memory151/state", "offline"), -EINVAL);
	assert_int_equal(ctx->saves, saves + 1);
	assert_string_equal(execute(ctx, "{\"execute\": \"block-set-state\", \"arguments\": "
					 "{\"block\": 151, \"state\": \"offline\"}}"),
			    "{\"error\":{\"class\":\"GenericError\","
			    "\"desc\":\"memory151: offline failed: Invalid argument (already offline)\"}}");
	assert_int_equal(ctx->saves, saves + 1);
	assert_string_equal(execute(ctx, "{\"execute\": \"block-set-state\", \"arguments\": "
					 "{\"block\": 151, \"state\": \"online\"}}"),
			    "{\"return\":{}}");
	assert_int_equal(ctx->saves, saves + 2);
	/* online_store(): the same state is success, and saved like any change */
	assert_int_equal(store(ctx, MEM "memory151/online", "1"), 1);
	assert_int_equal(ctx->saves, saves + 3);
	assert_int_equal(access(ctx->state_path, F_OK), 0);
	state_dir_close(ctx, tmpl);
}

/*
 * Without a journal held (tests/fuzz/fuzz_state.c's way), a change is
 * saved whole: the save does not touch a journal that is not there.
 */
static void test_change_no_journal(void **state)
{
	struct hmfs_ctx *ctx = *state;
	char tmpl[] = "/tmp/test_tree.XXXXXX";
	unsigned long saves, errors;

	state_dir_open(ctx, tmpl);
	close(ctx->journal_fd);
	ctx->journal_fd = -1;
	saves = ctx->saves;
	errors = ctx->save_errors;
	assert_int_equal(store(ctx, MEM "memory152/state", "offline"), 7);
	assert_int_equal(ctx->saves, saves + 1);
	assert_int_equal(ctx->save_errors, errors);
	assert_int_equal(access(ctx->state_path, F_OK), 0);
	assert_int_equal(store(ctx, MEM "memory152/state", "online"), 6);
	assert_int_equal(ctx->saves, saves + 2);
	state_dir_close(ctx, tmpl);
}

/* every json object reachable from a root, sorted by address (test_pre_own()) */
struct objs {
	json_object **v;
	size_t n, cap;
};

static void objs_add(struct objs *s, json_object *o)
{
	if (!o)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	s->v[s->n++] = o;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			objs_add(s, v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			objs_add(s, json_object_array_get_idx(o, i));
	}
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(json_object *const *)a, y = (uintptr_t)*(json_object *const *)b;

	return x < y ? -1 : x > y;
}

/* the first object reachable from @o that @s holds too (NULL: none); *@walked counts them */
static json_object *objs_shared(const struct objs *s, json_object *o, size_t *walked)
{
	json_object *hit = NULL;

	if (!o)
		return NULL;
	++*walked;
	if (bsearch(&o, s->v, s->n, sizeof(*s->v), ptr_cmp))
		return o;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (!hit)
				hit = objs_shared(s, v, walked);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; !hit && i < json_object_array_length(o); i++)
			hit = objs_shared(s, json_object_array_get_idx(o, i), walked);
	}
	return hit;
}

/*
 * A change's undo copy (@pre, state.c hmfs_state_prepare() ->
 * saved_pre()) shares no json object with ctx->saved: json-c counts
 * references without atomics, and @pre is dropped after the change's
 * sync, outside change_lock, while the next change replaces ctx->saved
 * (refresh_stale() shares values between saved machines): a reference
 * shared was stress.t's TSan race in stop 35, which no test reproduced on
 * demand -- TSan cannot see json-c's counts (reread26 R8).  Every change
 * kind that takes @pre from the saved machine, after a whole save
 * (ctx->saved the file's) and after a journaled change (saved stale,
 * refreshed by the prepare).  Fails with saved_pre() returning
 * json_object_get(ctx->saved) (checked).
 */
static void test_pre_own(void **state)
{
	static const enum hmfs_change_op ops[] = {
		HMFS_CH_AUTO_ONLINE, HMFS_CH_PROBE, HMFS_CH_NUMA_AWARE, HMFS_CH_RATIO,
		HMFS_CH_POLICY, HMFS_CH_VMEM_UNPLUG_ONLINE, HMFS_CH_NOTIFIER_ERROR,
		HMFS_CH_MEMORY_FAILURE, HMFS_CH_BUS_AUTOPROBE, HMFS_CH_NODE_HUGEPAGES,
		HMFS_CH_HUGETLB, HMFS_CH_DEVICE_ADD, HMFS_CH_DEVICE_DEL, HMFS_CH_DEVICE_RESIZE,
		HMFS_CH_HUGETLB_OVERCOMMIT, HMFS_CH_ANON_COUNT, HMFS_CH_VM_RESERVE, HMFS_CH_VM_WMARK,
		HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP,
	};
	struct hmfs_ctx *ctx = *state;
	char tmpl[] = "/tmp/test_tree.XXXXXX";

	state_dir_open(ctx, tmpl);
	/* the first change saves whole (no saved machine yet), the second is journaled on it */
	for (int round = 0; round < 2; round++) {
		assert_true(store(ctx, MEM "memory153/state", round ? "online" : "offline") > 0);
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			struct hmfs_change ch = { .op = ops[i] };
			struct objs saved = { 0 };
			struct hmfs_save sv;
			size_t walked = 0;
			json_object *hit;

			pthread_mutex_lock(&ctx->change_lock);
			hmfs_state_prepare(ctx, &ch, &sv);
			assert_non_null(ctx->saved);
			objs_add(&saved, ctx->saved);
			qsort(saved.v, saved.n, sizeof(*saved.v), ptr_cmp);
			hit = objs_shared(&saved, sv.pre, &walked);
			pthread_mutex_unlock(&ctx->change_lock);
			if (hit)
				fail_msg("round %d, op %d: @pre shares %.120s with ctx->saved", round,
					 (int)ops[i],
					 json_object_to_json_string_ext(hit, JSON_C_TO_STRING_PLAIN));
			assert_true(walked > 1); /* a @pre with values, not an empty one */
			free(saved.v);
			hmfs_state_done(&sv);
		}
	}
	state_dir_close(ctx, tmpl);
}

static void count_run(void *arg, const struct hm_block_info *bi, unsigned long count)
{
	unsigned long *v = arg;

	(void)bi;
	v[0]++;
	v[1] += count;
}

/* every node the tree lists, by its path: hmfs_node_path() names it so, hmfs_path_node() finds it */
struct walk {
	struct hmfs_ctx *ctx;
	char path[PATH_MAX];
	int nodes, dirs;
};

static void walk_dir(struct walk *w, uint64_t ino);

static bool walk_entry(void *arg, const char *name, uint64_t ino, mode_t mode, long off)
{
	struct walk *w = arg;
	size_t len = strlen(w->path);
	char got[PATH_MAX];
	struct hmfs_node n;

	(void)off;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return true;
	snprintf(w->path + len, sizeof(w->path) - len, "%s%s", len ? "/" : "", name);
	assert_int_equal(hmfs_node_path(w->ctx, ino, got, sizeof(got)), 0);
	assert_string_equal(got, w->path);
	assert_int_equal(hmfs_path_node(w->ctx, w->path, &n), 0);
	assert_true(n.ino == ino);
	w->nodes++;
	if (S_ISDIR(mode))
		walk_dir(w, ino);
	w->path[len] = '\0';
	return true;
}

static void walk_dir(struct walk *w, uint64_t ino)
{
	w->dirs++;
	assert_true(hmfs_readdir(w->ctx, ino, 0, walk_entry, w) >= 0);
}

static void test_node_paths(void **state)
{
	struct walk w = { .ctx = *state };
	struct hmfs_node n;
	char got[PATH_MAX];

	walk_dir(&w, 1);
	assert_true(w.nodes > 192 * 17);
	assert_int_equal(hmfs_node_path(w.ctx, 1, got, sizeof(got)), 0);
	assert_string_equal(got, "");
	assert_int_equal(hmfs_path_node(w.ctx, MEM "memory24/state", &n), -ENOENT);
	assert_int_equal(hmfs_path_node(w.ctx, MEM "memory104/../memory105", &n), -ENOENT);
	assert_int_equal(hmfs_node_path(w.ctx, HMFS_BLOCK_INO(24, BSUB_STATE), got, sizeof(got)),
			 -ENOENT);
}

/*
 * A chmod that found its block's node before the block's removal and is
 * applied after it (fs.c's lookup, then change_lock) keeps nothing: an
 * entry for the gone incarnation would come after its forgetting and
 * never go (review2 lesser 4).
 */
static void test_setattr_after_removal(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t addr = 64ULL << 30;
	struct stat attr = { .st_mode = 0600 };
	unsigned long kept = ctx->nr_iattr;
	struct hmfs_node n;

	assert_int_equal(hotmem_add_memory(ctx->hm, 0, addr, ctx->block_size, 0, -1), 0);
	assert_int_equal(path(ctx, MEM "memory512/state", &n), 0);
	assert_int_equal(hotmem_offline_and_remove_memory(ctx->hm, addr, ctx->block_size), 0);
	assert_int_equal(hmfs_setattr_node(ctx, &n, &attr, FUSE_SET_ATTR_MODE), -ENOENT);
	assert_int_equal(ctx->nr_iattr, kept);
}

/*
 * Block @id at @addr removed as hotmemfs's engine callback sees it
 * (events.c engine_event()): its incarnation gone, its entries forgotten
 */
static void remove_block(struct hmfs_ctx *ctx, unsigned long id, uint64_t addr)
{
	uint64_t key;

	assert_int_equal(hotmem_offline_and_remove_memory(ctx->hm, addr, ctx->block_size), 0);
	key = hmfs_inc_gone(ctx, HMFS_INC_BLOCK, id);
	hmfs_forget_block_attrs(ctx, id, key);
}

/* memory512/valid_zones added, chowned 7:7, chmodded 0600, trusted.x set: its node */
static void block_with_attrs(struct hmfs_ctx *ctx, uint64_t addr, struct hmfs_node *n)
{
	struct stat attr = { .st_mode = 0600, .st_uid = 7, .st_gid = 7 };

	assert_int_equal(hotmem_add_memory(ctx->hm, 0, addr, ctx->block_size, 0, -1), 0);
	assert_int_equal(path(ctx, MEM "memory512/valid_zones", n), 0);
	assert_int_equal(hmfs_setattr_node(ctx, n, &attr, FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
							   FUSE_SET_ATTR_GID), 0);
	assert_int_equal(hmfs_xattr_set(ctx, n, "trusted.x", "1", 1, 0), 0);
}

/*
 * A node's kernfs_iattrs outlive its removal while an inode holds it
 * (kernfs_put() of the last reference frees them, 6.12 to 6.18): the held
 * node of a removed block shows the owner, mode and xattr set before, and
 * takes more (review11 D2, D3); the live table is back to what it was, and
 * the block added again starts with nothing.
 */
static void test_held_node_keeps_its_attrs(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t addr = 64ULL << 30;
	unsigned long kept = ctx->nr_iattr;
	struct stat st, attr = { .st_mode = 0640 };
	struct hmfs_node n, held, again;
	char v[8];

	block_with_attrs(ctx, addr, &n);
	remove_block(ctx, 512, addr);
	assert_int_equal(ctx->nr_iattr, kept);
	assert_int_equal(hmfs_node_get(ctx, n.ino, &held), -ENOENT);
	assert_int_equal(hmfs_node_get_held(ctx, n.ino, &held), 0);
	assert_true(held.removed);
	hmfs_stat(ctx, &held, &st);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(hmfs_xattr_get(ctx, &held, "trusted.x", v, sizeof(v)), 1);
	assert_int_equal(hmfs_setattr_node(ctx, &held, &attr, FUSE_SET_ATTR_MODE), 0);
	assert_int_equal(hmfs_xattr_set(ctx, &held, "security.y", "22", 2, 0), 0);
	hmfs_stat(ctx, &held, &st);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(hmfs_xattr_get(ctx, &held, "security.y", v, sizeof(v)), 2);
	/* nothing of it is a change of the machine */
	assert_int_equal(ctx->nr_iattr, kept);
	assert_int_equal(hotmem_add_memory(ctx->hm, 0, addr, ctx->block_size, 0, -1), 0);
	assert_int_equal(path(ctx, MEM "memory512/valid_zones", &again), 0);
	assert_true(again.ino != held.ino);
	hmfs_stat(ctx, &again, &st);
	assert_int_equal(st.st_mode & 07777, 0444);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(hmfs_xattr_get(ctx, &again, "trusted.x", v, sizeof(v)), -ENODATA);
	remove_block(ctx, 512, addr);
}

/*
 * No FORGET says when the last holder went: the last 1024 removed nodes'
 * entries are kept, the oldest going first -- its holder then sees the
 * kernel's mode again
 */
static void test_held_node_attrs_bounded(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t addr = 64ULL << 30;
	struct hmfs_node first, n, held;
	struct stat st;

	block_with_attrs(ctx, addr, &first);
	remove_block(ctx, 512, addr);
	for (int round = 0; round < 1024; round++) {
		block_with_attrs(ctx, addr, &n);
		remove_block(ctx, 512, addr);
		assert_true(ctx->nr_iattr_orphans <= 1024);
	}
	assert_int_equal(ctx->nr_iattr_orphans, 1024);
	assert_int_equal(hmfs_node_get_held(ctx, n.ino, &held), 0);
	hmfs_stat(ctx, &held, &st);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(hmfs_node_get_held(ctx, first.ino, &held), 0);
	hmfs_stat(ctx, &held, &st);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0444);
}

/*
 * Removed node @ino, held: block_with_attrs()'s owner, chmodded 0640 since;
 * the live table's count @kept, as before the block came
 */
static void held_chmodded_0640(struct hmfs_ctx *ctx, uint64_t ino, unsigned long kept)
{
	struct hmfs_node held;
	struct stat st;

	assert_int_equal(hmfs_node_get_held(ctx, ino, &held), 0);
	assert_true(held.removed);
	hmfs_stat(ctx, &held, &st);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(ctx->nr_iattr, kept);
}

/*
 * A chmod through the held inode between the removal's new key and its
 * forget (engine_event(): hmfs_inc_gone(), then hmfs_forget_block_attrs()):
 * made on the entry the forget hands over, not on one the handover then
 * replaced
 */
static void test_held_node_setattr_before_forget(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t addr = 64ULL << 30;
	struct stat attr = { .st_mode = 0640 };
	struct hmfs_node n, held;
	unsigned long kept = ctx->nr_iattr;
	uint64_t key;

	block_with_attrs(ctx, addr, &n);
	assert_int_equal(hotmem_offline_and_remove_memory(ctx->hm, addr, ctx->block_size), 0);
	key = hmfs_inc_gone(ctx, HMFS_INC_BLOCK, 512);
	assert_int_equal(hmfs_node_get_held(ctx, n.ino, &held), 0);
	assert_true(held.removed);
	assert_int_equal(hmfs_setattr_node(ctx, &held, &attr, FUSE_SET_ATTR_MODE), 0);
	hmfs_forget_block_attrs(ctx, 512, key);
	held_chmodded_0640(ctx, n.ino, kept);
}

/*
 * A chmod that found its node live and runs after the removal (it waited
 * for change_lock): the kernel's is on the node its inode holds, the
 * removed one -- made on the orphan, no change of the machine (it was
 * ENOENT).  Without the removal's new key (test_setattr_after_removal: no
 * removed node to hold) it stays ENOENT.
 */
static void test_setattr_waited_across_removal(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t addr = 64ULL << 30;
	struct stat attr = { .st_mode = 0640 };
	struct hmfs_node n;
	unsigned long kept = ctx->nr_iattr;

	block_with_attrs(ctx, addr, &n);
	remove_block(ctx, 512, addr);
	assert_false(n.removed);
	assert_int_equal(hmfs_setattr_node(ctx, &n, &attr, FUSE_SET_ATTR_MODE), 0);
	assert_int_equal(hmfs_xattr_set(ctx, &n, "security.z", "3", 1, 0), 0);
	held_chmodded_0640(ctx, n.ino, kept);
}

/* a removed block's node, held, changed and read while other removals hand theirs over */
struct orphan_user {
	struct hmfs_ctx *ctx;
	struct hmfs_node held;
	bool stop; /* the removals are done */
	int bad;
};

static void *orphan_user(void *arg)
{
	struct orphan_user *u = arg;

	/* for as long as the removals go on */
	for (int i = 0; i < 100 || !__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE); i++) {
		struct stat st, attr = { .st_mode = i & 1 ? 0640 : 0600 };
		char v[8], names[64];
		bool hid;

		u->bad += !!hmfs_setattr_node(u->ctx, &u->held, &attr, FUSE_SET_ATTR_MODE);
		u->bad += !!hmfs_xattr_set(u->ctx, &u->held, "security.n", "v", 1, 0);
		hmfs_stat(u->ctx, &u->held, &st);
		u->bad += st.st_uid != 7;
		u->bad += hmfs_xattr_get(u->ctx, &u->held, "trusted.x", v, sizeof(v)) != 1;
		u->bad += hmfs_xattr_list(u->ctx, &u->held, true, names, sizeof(names), &hid) <= 0;
	}
	return NULL;
}

/* the orphans are kept under iattr_lock: SANITIZE=thread sees the engine's callback meet a holder */
static void test_held_node_attrs_threads(void **state)
{
	struct hmfs_ctx *ctx = *state;
	uint64_t addr = 64ULL << 30;
	struct orphan_user u = { .ctx = ctx };
	struct hmfs_node n;
	pthread_t t;

	block_with_attrs(ctx, addr, &n);
	remove_block(ctx, 512, addr);
	assert_int_equal(hmfs_node_get_held(ctx, n.ino, &u.held), 0);
	assert_int_equal(pthread_create(&t, NULL, orphan_user, &u), 0);
	for (int round = 0; round < 40; round++) {
		block_with_attrs(ctx, addr, &n);
		remove_block(ctx, 512, addr);
	}
	__atomic_store_n(&u.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(u.bad, 0);
}

/*
 * The sorted part of a listing is kept for the last few directories
 * (tree.c kf_head_get()): whatever is kept, a listing is the one built
 * afresh -- read again, resumed anywhere, after other directories pushed
 * it out, and for a block of the same number added again on another node.
 */
static void test_readdir_kept(void **state)
{
	struct hmfs_ctx *ctx = *state;
	struct names first = { 0 }, again = { 0 };
	struct hmfs_node n;
	char p[64];

	assert_int_equal(path(ctx, MEM "memory0", &n), 0);
	hmfs_readdir(ctx, n.ino, 0, collect, &first);
	for (int round = 0; round < 3; round++) {
		memset(&again, 0, sizeof(again));
		hmfs_readdir(ctx, n.ino, 0, collect, &again);
		assert_string_equal(again.buf, first.buf);
		for (int id = 32; id < 32 + 20; id++) { /* more directories than are kept */
			snprintf(p, sizeof(p), MEM "memory%d", id);
			assert_string_equal(listing(ctx, p, NULL), first.buf);
		}
	}
	for (int limit = 1; limit < 14; limit++) {
		struct names part = { .limit = limit }, rest = { 0 };
		char joined[sizeof(part.buf) * 2];

		hmfs_readdir(ctx, n.ino, 0, collect, &part);
		hmfs_readdir(ctx, n.ino, part.last + 1, collect, &rest);
		snprintf(joined, sizeof(joined), "%s%s", part.buf, rest.buf);
		assert_string_equal(joined, first.buf);
	}
}

/* a block listed, removed, and one of its number back on another node: its own listing */
static void test_readdir_kept_readd(void **state)
{
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));
	uint64_t addr = 4ULL << 30;
	char err[256], p[64];

	(void)state;
	assert_non_null(ctx);
	hmfs_ctx_init(ctx);
	assert_int_equal(hotmem_config_builtin(&ctx->cfg, "numa2"), 0);
	assert_int_equal(hmfs_cpus_init(ctx, "/sys/devices/system/cpu"), 0);
	assert_int_equal(hotmem_create(&ctx->cfg, &ctx->hm, err, sizeof(err)), 0);
	ctx->block_size = hotmem_block_size(ctx->hm);
	assert_int_equal(hmfs_tree_init(ctx), 0);
	snprintf(p, sizeof(p), MEM "memory%llu", (unsigned long long)(addr / ctx->block_size));
	assert_int_equal(hotmem_add_memory(ctx->hm, 0, addr, ctx->block_size, 0, -1), 0);
	assert_non_null(strstr(listing(ctx, p, NULL), " node0 "));
	assert_non_null(strstr(listing(ctx, p, NULL), " node0 "));
	assert_int_equal(hotmem_offline_and_remove_memory(ctx->hm, addr, ctx->block_size), 0);
	assert_string_equal(listing(ctx, p, NULL), "<error>");
	/* no hotmemfs callbacks here: the same inode number, which the kept listing must not fool */
	assert_int_equal(hotmem_add_memory(ctx->hm, 1, addr, ctx->block_size, 0, -1), 0);
	assert_non_null(strstr(listing(ctx, p, NULL), " node1 "));
	assert_null(strstr(listing(ctx, p, NULL), " node0 "));
	ctx_free(ctx);
}

/* listings from two threads at once: the same as from one (SANITIZE=thread: no race) */
struct lister {
	struct hmfs_ctx *ctx;
	const char *want[4];
	int bad;
};

static void *lister(void *arg)
{
	static const char *const dirs[] = { MEM "memory0", MEM "memory0/power",
					    "sys/devices/system/node/node0/hugepages", "sys/bus/memory" };
	struct lister *l = arg;

	for (int i = 0; i < 3000; i++) {
		struct names nm = { 0 };
		struct hmfs_node n;
		int d = i % 4;

		if (path(l->ctx, dirs[d], &n) || hmfs_readdir(l->ctx, n.ino, 0, collect, &nm) < 0 ||
		    strcmp(nm.buf, l->want[d]))
			l->bad++;
	}
	return NULL;
}

static void test_readdir_kept_threads(void **state)
{
	struct hmfs_ctx *ctx = *state;
	struct lister l[2] = { { .ctx = ctx }, { .ctx = ctx } };
	pthread_t t[2];

	for (int k = 0; k < 2; k++) {
		l[k].want[0] = ". .. uevent node0 power online phys_device phys_index valid_zones subsystem state removable ";
		l[k].want[1] = ". .. runtime_active_time runtime_status autosuspend_delay_ms runtime_suspended_time control ";
		l[k].want[2] = ". .. hugepages-2048kB ";
		l[k].want[3] = ". .. uevent drivers_autoprobe devices drivers_probe drivers ";
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&t[k], NULL, lister, &l[k]), 0);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	assert_int_equal(l[0].bad + l[1].bad, 0);
}

static void test_runs(void **state)
{
	struct hmfs_ctx *ctx = *state;
	unsigned long v[2] = { 0 };

	hmfs_block_runs(ctx, HMFS_RUN_BY_NODE, count_run, v);
	assert_int_equal(v[1], 192);
	/* memory0 (none), 1-23 (DMA32), 32-149, 150 (kernel again), 151-199 */
	assert_true(v[0] >= 3);
}

/*
 * A boot block spanning two nodes (256 MiB blocks, node 0's last 128 MiB
 * then node 1's), as 6.12 shows it: node_dev_init() links it under node0
 * and node1 (drivers/base/node.c do_register_memory_block_under_node():
 * nodeK/memoryN and memoryN/nodeK for each), valid_zones "none" (its zone
 * NULL: memory_block_add_nid() for a second node), its state cannot go
 * offline.  hotmemfs linked it under node0 alone and said "Normal".
 */
static void test_block_spanning_two_nodes(void **state)
{
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));
	struct names nm = { 0 };
	struct hmfs_node n;
	char err[256];

	(void)state;
	assert_non_null(ctx);
	hmfs_ctx_init(ctx);
	hotmem_config_default(&ctx->cfg);
	assert_int_equal(hotmem_config_parse_text(&ctx->cfg,
		"block_size = 256M\nnodes = 2\n"
		"ram = 0x1000-0x9efff node=0\nram = 0x100000-0x3fffffff node=0\n"
		"ram = 0x100000000-0x107ffffff node=0\nram = 0x108000000-0x12fffffff node=1\n"
		"cmdline = hotmem.kernel_alloc=off\n", err, sizeof(err)), 0);
	assert_int_equal(hmfs_cpus_init(ctx, "/sys/devices/system/cpu"), 0);
	assert_int_equal(hotmem_create(&ctx->cfg, &ctx->hm, err, sizeof(err)), 0);
	ctx->block_size = hotmem_block_size(ctx->hm);
	assert_int_equal(hmfs_tree_init(ctx), 0);

	assert_string_equal(show(ctx, MEM "memory16/valid_zones"), "none\n");
	assert_int_equal(path(ctx, MEM "memory16/node0", &n), 0);
	assert_string_equal(n.target, "../../node/node0");
	assert_int_equal(path(ctx, MEM "memory16/node1", &n), 0);
	assert_string_equal(n.target, "../../node/node1");
	assert_int_equal(path(ctx, MEM "memory16/node2", &n), -ENOENT);
	assert_int_equal(path(ctx, "sys/devices/system/node/node0/memory16", &n), 0);
	assert_string_equal(n.target, "../../memory/memory16");
	assert_int_equal(path(ctx, "sys/devices/system/node/node1/memory16", &n), 0);
	/* one node each for the others */
	assert_int_equal(path(ctx, MEM "memory17/node0", &n), -ENOENT);
	assert_int_equal(path(ctx, "sys/devices/system/node/node0/memory17", &n), -ENOENT);
	assert_string_equal(show(ctx, MEM "memory17/valid_zones"), "Normal\n");
	assert_int_equal(store(ctx, MEM "memory16/state", "offline"), -EINVAL);
	assert_string_equal(show(ctx, MEM "memory16/state"), "online\n");

	/* both links listed, each once, and each path leads back to its node */
	assert_int_equal(path(ctx, MEM "memory16", &n), 0);
	hmfs_readdir(ctx, n.ino, 0, collect, &nm);
	/* kernfs's order, whatever the block's nid (1): lsmem takes the first nodeK, 0 */
	assert_string_equal(nm.buf, ". .. uevent node0 power online phys_device phys_index "
				    "valid_zones subsystem state node1 removable ");
	memset(&nm, 0, sizeof(nm));
	assert_int_equal(path(ctx, "sys/devices/system/node/node0", &n), 0);
	hmfs_readdir(ctx, n.ino, 0, collect, &nm);
	assert_non_null(strstr(nm.buf, " memory16 "));
	assert_null(strstr(nm.buf, " memory17 "));
	memset(&nm, 0, sizeof(nm));
	assert_int_equal(path(ctx, "sys/devices/system/node/node1", &n), 0);
	hmfs_readdir(ctx, n.ino, 0, collect, &nm);
	assert_non_null(strstr(nm.buf, " memory16 memory17 memory18 "));
	{
		struct walk w = { .ctx = ctx };

		walk_dir(&w, 1);
	}
	ctx_free(ctx);
}

/*
 * CONFIG_PM_ADVANCED_DEBUG (profile pm_advanced_debug, qemu-512m as its
 * Debian 6.12 guest, abuse29b U1): every device's power/ has async,
 * runtime_usage, runtime_active_kids and runtime_enabled too, with the
 * guest's modes and values (tests/fixtures/acpi-memory/qemu-6.12-pc-dimm.txt);
 * the reference 6.18 host (host-24g, test_readdir_kernfs_order) not.
 * Listed in kernfs order (kernfs_name_hash()).
 */
static void test_pm_advanced_debug(void **state)
{
	static const char *const dirs[] = {
		MEM "memory0/power", MEM "power", "sys/devices/system/node/power",
		"sys/devices/system/node/node0/power",
		"sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00/power",
	};
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));
	struct hmfs_node n;
	char err[256], p[160];

	assert_int_equal(path(*state, MEM "memory0/power/async", &n), -ENOENT);
	assert_non_null(ctx);
	hmfs_ctx_init(ctx);
	assert_int_equal(hotmem_config_builtin(&ctx->cfg, "qemu-512m"), 0);
	assert_true(ctx->cfg.pm_advanced_debug);
	assert_int_equal(hmfs_cpus_init(ctx, "/sys/devices/system/cpu"), 0);
	assert_int_equal(hotmem_create(&ctx->cfg, &ctx->hm, err, sizeof(err)), 0);
	ctx->block_size = hotmem_block_size(ctx->hm);
	assert_int_equal(hmfs_tree_init(ctx), 0);

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		assert_string_equal(listing(ctx, dirs[i], NULL),
				    ". .. runtime_active_time runtime_active_kids runtime_usage "
				    "runtime_status autosuspend_delay_ms async runtime_suspended_time "
				    "runtime_enabled control ");
		snprintf(p, sizeof(p), "%s/async", dirs[i]);
		assert_int_equal(path(ctx, p, &n), 0);
		assert_int_equal(n.mode, S_IFREG | 0644);
		assert_string_equal(show(ctx, p), "disabled\n");
		snprintf(p, sizeof(p), "%s/runtime_usage", dirs[i]);
		assert_int_equal(path(ctx, p, &n), 0);
		assert_int_equal(n.mode, S_IFREG | 0444);
		assert_string_equal(show(ctx, p), "0\n");
		snprintf(p, sizeof(p), "%s/runtime_active_kids", dirs[i]);
		assert_string_equal(show(ctx, p), "0\n");
		snprintf(p, sizeof(p), "%s/runtime_enabled", dirs[i]);
		assert_int_equal(path(ctx, p, &n), 0);
		assert_int_equal(n.mode, S_IFREG | 0444);
		assert_string_equal(show(ctx, p), "disabled\n");
	}
	/* async_store(): sysfs_streq() of "enabled" or "disabled", per device */
	assert_int_equal(store(ctx, MEM "memory0/power/async", "enabled\n"), 8);
	assert_string_equal(show(ctx, MEM "memory0/power/async"), "enabled\n");
	assert_string_equal(show(ctx, MEM "memory1/power/async"), "disabled\n");
	assert_int_equal(store(ctx, MEM "memory0/power/async", "on"), -EINVAL);
	assert_int_equal(store(ctx, MEM "memory0/power/async", "disabled"), 8);
	assert_string_equal(show(ctx, MEM "memory0/power/async"), "disabled\n");
	/* rtpm_enabled_show(): control "on" clears runtime_auto, its own device's only */
	assert_int_equal(store(ctx, MEM "memory1/power/control", "on"), 2);
	assert_string_equal(show(ctx, MEM "memory1/power/runtime_enabled"), "disabled & forbidden\n");
	assert_string_equal(show(ctx, MEM "memory0/power/runtime_enabled"), "disabled\n");
	assert_int_equal(store(ctx, MEM "power/control", "on"), 2);
	assert_string_equal(show(ctx, MEM "power/runtime_enabled"), "disabled & forbidden\n");
	assert_string_equal(show(ctx, "sys/devices/system/node/power/runtime_enabled"),
			    "disabled\n");
	ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup), cmocka_unit_test(test_readdir),
		cmocka_unit_test(test_readdir_kernfs_order),
		cmocka_unit_test(test_pm_advanced_debug),
		cmocka_unit_test(test_readdir_kept), cmocka_unit_test(test_readdir_kept_readd),
		cmocka_unit_test(test_readdir_kept_threads),
		cmocka_unit_test(test_show),   cmocka_unit_test(test_show_clamps),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_runs),   cmocka_unit_test(test_change_path),
		cmocka_unit_test(test_ctl_through_qmp),
		cmocka_unit_test(test_change_no_journal), cmocka_unit_test(test_pre_own),
		cmocka_unit_test(test_node_paths),
		cmocka_unit_test(test_block_spanning_two_nodes),
		cmocka_unit_test(test_setattr_after_removal),
		cmocka_unit_test(test_held_node_keeps_its_attrs),
		cmocka_unit_test(test_held_node_attrs_threads),
		cmocka_unit_test(test_held_node_attrs_bounded),
		cmocka_unit_test(test_held_node_setattr_before_forget),
		cmocka_unit_test(test_setattr_waited_across_removal),
	};
	return cmocka_run_group_tests_name("fusefs_tree", tests, setup, teardown);
}
