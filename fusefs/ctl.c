// SPDX-License-Identifier: GPL-2.0
/*
 * The control commands: the machine's hardware, spoken in JSON.
 *
 * QMP commands, one request in, one reply out (ctlsock.c carries them, qmp.c
 * the greeting, negotiation and envelope):
 *   -> {"execute": "device_add", "arguments": {"driver": "pc-dimm", ...}}
 *   <- {"return": {...}}  or  {"error": {"class": "GenericError", "desc": "..."}}
 * No sockets and no threads here: the fuzzer and the tests run commands
 * through qmp.c's hmfs_qmp_dispatch(), as the socket does.  A command
 * that changes the machine goes through hmfs_change() (machine.c), as a
 * sysfs store does.
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "ctlargs.h"
#include "ctlcmds.h"
#include "ctllimits.h"
#include "hmfs.h"
#include "utf8.h"

/* a reply's error text: QEMU cuts none; a name longer than this is cut, at a character (err_cut_whole()) */
#define ERRLEN 4096

struct cmd_result {
	json_object *ret; /* owned; NULL on error */
	char err[ERRLEN];
	const char *cls; /* the error's class, QEMU's; NULL: GenericError */
	const struct hotmem_task *client; /* the client's hang-up (ctlsock.c); NULL: none */
	/* it raised a request the guest answers later (a DIMM's device_del): no events to wait for */
	bool raised;
};

/* ---- argument helpers -------------------------------------------------- */

/* a request's argument, any type: the arg_*() below check it */
static json_object *arg(json_object *args, const char *key)
{
	return hmfs_json_member(args, key);
}

/* A string argument, NULL when absent; any other type is QEMU's error. */
static int arg_string(json_object *args, const char *key, const char **out, char *err)
{
	json_object *v = arg(args, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, ERRLEN, "Invalid parameter type for '%s', expected: string", key);
		return -EINVAL;
	}
	*out = json_object_get_string(v);
	return 0;
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
	    !hmu_memparse(json_object_get_string(v), out))
		return 0;
bad:
	snprintf(err, ERRLEN, "Parameter '%s' expects a size (bytes, or with K/M/G/T suffix)", key);
	return -EINVAL;
}

/*
 * How a string is read as an integer: INT_HOTMEM for hotmem's own
 * counts, ms, nodes, errnos, pfns (decimal or 0x hex, never octal:
 * "010" was eight, usereye7 #1); INT_QEMU for QEMU's -device node= and
 * slot= (its keyval visitor reads them with qemu_strtoi64(), base 0: C's
 * octal too); INT_BLOCK for a block number (decimal, no leading 0).
 */
enum int_form { INT_HOTMEM, INT_QEMU, INT_BLOCK };

/* An integer: a JSON number as it is, a string as @form reads it. */
static int arg_int_form(json_object *args, const char *key, enum int_form form, long long def,
			long long *out, char *err)
{
	json_object *v = arg(args, key);
	const char *s;
	char hint[160];

	*out = def;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	/* hotmemctl reads them so too: it refuses what we would */
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	if (s && !(form == INT_BLOCK ? hmfs_ctlargs_block(s, out) :
		   form == INT_QEMU  ? hmfs_ctlargs_int_base(s, 0, out) :
				       hmfs_ctlargs_int(s, out)))
		return 0;
	/* a block refused in hotmemctl's words (ctlargs.c check_values()) */
	if (form == INT_BLOCK)
		snprintf(err, ERRLEN, "Parameter '%s' expects %s%s", key, HMFS_CTLARGS_BLOCK_WHAT,
			 s ? hmfs_ctlargs_int_hint(true, s, hint, sizeof(hint)) : "");
	else
		snprintf(err, ERRLEN, "Parameter '%s' expects an integer", key);
	return -EINVAL;
}

static int arg_int(json_object *args, const char *key, long long def, long long *out, char *err)
{
	return arg_int_form(args, key, INT_HOTMEM, def, out, err);
}

/*
 * A number the command cannot do without: QEMU's "Parameter 'pages' is
 * missing", not a default of 0 (`hugetlb` ran an empty change, `inject
 * MEM_GOING_ONLINE` cleared the injection: review12 N3)
 */
static int arg_int_required(json_object *args, const char *key, long long *out, char *err)
{
	if (!arg(args, key)) {
		snprintf(err, ERRLEN, "Parameter '%s' is missing", key);
		return -EINVAL;
	}
	return arg_int(args, key, 0, out, err);
}

/* A NUMA node: -1 (any) up to INT_MAX; never truncated into another node. */
static int arg_node(json_object *args, enum int_form form, long long def, int *out, char *err)
{
	long long v;

	if (arg_int_form(args, "node", form, def, &v, err))
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
	    !hmu_kstrtobool(json_object_get_string(v), &b)) {
		*out = b;
		return 0;
	}
	snprintf(err, ERRLEN, "Parameter '%s' expects a boolean", key);
	return -EINVAL;
}

/* ---- status ------------------------------------------------------------ */

/* @from's @key, if it has one, into @to: false, no memory (a null value copied too) */
static bool copy_key(json_object *to, json_object *from, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(from, key, &v))
		return true;
	if (!json_object_object_add(to, key, json_object_get(v)))
		return true;
	json_object_put(v); /* not added: json-c leaves our reference ours */
	return false;
}

/* @o if @ok, else NULL (@o put): a reply's part, every member in or none of it */
static json_object *made_if(json_object *o, bool ok)
{
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static json_object *zone_json(int nid, int zid, const struct hm_zone_info *zi)
{
	json_object *z = json_object_new_object();

	return made_if(z, hmfs_json_add_new(z, "node", json_object_new_int(nid)) &&
			  hmfs_json_add_new(z, "zone", json_object_new_string(hmu_zone_name(zid))) &&
			  hmfs_json_add_new(z, "start_pfn", json_object_new_uint64(zi->zone_start_pfn)) &&
			  hmfs_json_add_new(z, "spanned", json_object_new_uint64(zi->spanned)) &&
			  hmfs_json_add_new(z, "present", json_object_new_uint64(zi->present)) &&
			  hmfs_json_add_new(z, "managed", json_object_new_uint64(zi->managed)) &&
			  hmfs_json_add_new(z, "free", json_object_new_uint64(zi->nr_free)));
}

/* NULL: no memory (every builder of status's reply says so: ctlnomem44) */
static json_object *zones_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();
	bool ok = a != NULL;

	for (int nid = 0; ok && nid < hotmem_nr_possible_nodes(ctx->hm); nid++) {
		for (int zid = 0; ok && zid < HM_MAX_NR_ZONES; zid++) {
			struct hm_zone_info zi;

			if (hotmem_zone_info(ctx->hm, nid, zid, &zi) || !zi.spanned)
				continue;
			ok = hmfs_json_push_new(a, zone_json(nid, zid, &zi));
		}
	}
	return made_if(a, ok);
}

/*
 * status's and a device reply's runs of blocks: an offline run is in no
 * zone, its "zone" null -- what the text status shows as "-" -- not the
 * "none" json.c's runs give it (the state file keeps that spelling).
 * "none" is left to what it means in the kernel's valid_zones: an online
 * block whose pages span zones (drivers/base/memory.c, 6.12:
 * valid_zones_show() of an online block without mem->zone).  False: no
 * memory, or no @runs.
 */
static bool runs_zone_null_offline(json_object *runs)
{
	for (size_t i = 0; runs && i < json_object_array_length(runs); i++) {
		json_object *run = json_object_array_get_idx(runs, i);
		json_object *state = hmfs_json_member(run, "state");

		/* "zone" is there (json.c add_run()): replaced, no key copied -- checked all the same */
		if (state && !strcmp(json_object_get_string(state), "offline") &&
		    json_object_object_add(run, "zone", NULL))
			return false;
	}
	return runs != NULL; /* NULL: hmfs_block_runs_json() had no memory */
}

/* the sink's counters are bumped by the notifier thread */
#define COUNTER(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

/*
 * "state-writes": {"done": N, "refused": {"EINVAL": N, ...}, "unparsed": N,
 * "restarted": N} (attrs.c, machine.c count)
 */
static json_object *state_writes_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object(), *refused = json_object_new_object();
	bool ok = hmfs_json_add_new(o, "done",
				    json_object_new_uint64(COUNTER(ctx->state_writes[0])));

	for (int e = 1; ok && e < HMFS_STATE_WRITE_ERRNOS; e++) {
		unsigned long n = COUNTER(ctx->state_writes[e]);
		char num[HMFS_ERRNO_NAME_LEN];

		if (n)
			ok = hmfs_json_add_new(refused, hmfs_errno_name(-e, num),
					       json_object_new_uint64(n));
	}
	if (!ok)
		json_object_put(refused);
	ok = ok && hmfs_json_add_new(o, "refused", refused) &&
	     /* of refused's EINVAL, the values the store could not parse (a failed write, not a race) */
	     hmfs_json_add_new(o, "unparsed",
			       json_object_new_uint64(COUNTER(ctx->state_writes_unparsed))) &&
	     /* writes (state, online, probe) a signal that was not fatal did not end behind another change */
	     hmfs_json_add_new(o, "restarted",
			       json_object_new_uint64(COUNTER(ctx->state_writes_restarted)));
	return made_if(o, ok);
}

static json_object *unix_sockets_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();
	bool ok = a != NULL;

	for (int i = 0; ok && i < ctx->sink.nr_paths; i++)
		ok = hmfs_json_push_new(a, json_object_new_string(ctx->sink.paths[i]));
	return made_if(a, ok);
}

/*
 * Those of them another hotmemfs sends to as well, now (uevent.c
 * path_claim(): both the one that claimed first and the later ones see
 * it), into @u's "unix-shared", the pid of one of them (0: in
 * another PID namespace, -1: unknown) into "unix-shared-pids", and how
 * many there are into "unix-shared-nr".  False: no memory.
 */
static bool unix_shared_json(struct hmfs_ctx *ctx, json_object *u)
{
	json_object *a = json_object_new_array(), *pids = json_object_new_array();
	json_object *nrs = json_object_new_array();
	bool ok = a && pids && nrs;

	for (int i = 0; ok && i < ctx->sink.nr_paths; i++) {
		unsigned int nr = __atomic_load_n(&ctx->sink.shared_nr[i], __ATOMIC_ACQUIRE);

		if (!nr)
			continue;
		ok = hmfs_json_push_new(a, json_object_new_string(ctx->sink.paths[i])) &&
		     hmfs_json_push_new(nrs, json_object_new_int64(nr)) &&
		     hmfs_json_push_new(pids, json_object_new_int64(__atomic_load_n(
						      &ctx->sink.shared_pid[i], __ATOMIC_RELAXED)));
	}
	if (!ok) {
		json_object_put(a);
		json_object_put(pids);
		json_object_put(nrs);
		return false;
	}
	/* hmfs_json_add_new() puts what it does not add: each one added or put, once */
	ok = hmfs_json_add_new(u, "unix-shared", a);
	ok = hmfs_json_add_new(u, "unix-shared-pids", pids) && ok;
	return hmfs_json_add_new(u, "unix-shared-nr", nrs) && ok;
}

/* one vmem-inject entry: {"id": ..., "request": @req, "response": ..., "count": ...}; NULL no memory */
static json_object *vmem_injection(json_object *d, const char *req, json_object *v)
{
	json_object *e = json_object_new_object();

	return made_if(e, copy_key(e, d, "id") &&
			  hmfs_json_add_new(e, "request", json_object_new_string(req)) &&
			  copy_key(e, v, "response") && copy_key(e, v, "count"));
}

/*
 * "vmem-inject": each virtio-mem device's armed answers, from @devs
 * (status's "devices": json.c add_vmem_inject()), one entry a request:
 * {"id": "vm0", "request": "plug", "response": "BUSY", "count": 1}.
 * False: no memory.
 */
static bool vmem_injections(json_object *o, json_object *devs)
{
	json_object *a = NULL;

	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		json_object *inj = hmfs_json_get(d, "vmem-inject", json_type_object);

		if (!inj)
			continue;
		json_object_object_foreach(inj, req, v) {
			if (!a && !(a = json_object_new_array()))
				return false;
			if (!hmfs_json_push_new(a, vmem_injection(d, req, v))) {
				json_object_put(a);
				return false;
			}
		}
	}
	return !a || hmfs_json_add_new(o, "vmem-inject", a);
}

/*
 * The fault injections armed, which hotmemctl's status shows (usereye9:
 * none did, a forgotten one failing every later online or offline):
 * notifier-error-inject's errors by action, fail-nth-alloc's allocation
 * still to come (gone once it fired: the engine fails it once), and the
 * virtio-mem devices' answers vmem-inject armed (from @devs, status's
 * "devices"; finalF F4: a forgotten BUSY failed every later set-size).
 * NULL: no memory.
 */
static json_object *injections_json(struct hmfs_ctx *ctx, json_object *devs)
{
	static const struct {
		int action;
		const char *name;
	} acts[] = { { HM_MEM_GOING_ONLINE, "MEM_GOING_ONLINE" },
		     { HM_MEM_GOING_OFFLINE, "MEM_GOING_OFFLINE" } };
	json_object *o = json_object_new_object();
	unsigned long pending = hotmem_fail_nth_pending(ctx->hm);
	bool ok = o != NULL;

	for (size_t i = 0; ok && i < sizeof(acts) / sizeof(*acts); i++) {
		int e = hotmem_get_notifier_error(ctx->hm, acts[i].action);

		if (e)
			ok = hmfs_json_add_new(o, acts[i].name, json_object_new_int(e));
	}
	if (ok && pending)
		ok = hmfs_json_add_new(o, "fail-nth-alloc", json_object_new_uint64(pending));
	return made_if(o, ok && vmem_injections(o, devs));
}

/*
 * Where the machine is mounted, and its st_dev as MAJOR:MINOR (as
 * /proc/self/mountinfo says it; left out when unknown): hotmemctl export
 * copies from there only what is on that device, not another FUSE mount
 * at the same path.  False: no memory.
 */
static bool add_mount(json_object *o, const struct hmfs_ctx *ctx)
{
	char dev[32];

	if (!hmfs_json_add_new(o, "mountpoint", json_object_new_string(ctx->mountpoint)))
		return false;
	if (!ctx->mount_dev)
		return true;
	snprintf(dev, sizeof(dev), "%u:%u", major(ctx->mount_dev), minor(ctx->mount_dev));
	return hmfs_json_add_new(o, "mount-dev", json_object_new_string(dev));
}

/* status's "machine": NULL, no memory */
static json_object *machine_json(struct hmfs_ctx *ctx)
{
	json_object *m = json_object_new_object();
	struct hm_meminfo mi;
	char summary[2048];
	bool ok;

	hotmem_meminfo(ctx->hm, &mi);
	ok = hmfs_json_add_new(m, "profile", json_object_new_string(ctx->profile)) &&
	     hmfs_json_add_new(m, "name", json_object_new_string(ctx->cfg.name)) &&
	     hmfs_json_add_new(m, "cmdline", json_object_new_string(ctx->cmdline)) &&
	     hmfs_json_add_new(m, "block-size", json_object_new_uint64(ctx->block_size)) &&
	     hmfs_json_add_new(m, "blocks", json_object_new_uint64(hotmem_nr_blocks(ctx->hm))) &&
	     hmfs_json_add_new(m, "nodes", json_object_new_int(hotmem_nr_possible_nodes(ctx->hm))) &&
	     hmfs_json_add_new(m, "auto-online",
			       json_object_new_string(
				       hmu_online_type_name(hotmem_get_auto_online(ctx->hm)))) &&
	     hmfs_json_add_new(m, "total-pages", json_object_new_uint64(mi.totalram_pages)) &&
	     hmfs_json_add_new(m, "free-pages", json_object_new_uint64(mi.free_pages)) &&
	     hmfs_json_add_new(m, "present-pages", json_object_new_uint64(mi.present_pages)) &&
	     hmfs_json_add_new(m, "memmap-pages", json_object_new_uint64(mi.memmap_pages)) &&
	     /* the HugeTLB pool: a restart's or an undo's comparison of the machine sees it */
	     hmfs_json_add_new(m, "hugetlb-pages", json_object_new_uint64(mi.hugetlb_pages)) &&
	     hmfs_json_add_new(m, "hugetlb-free", json_object_new_uint64(mi.hugetlb_free)) &&
	     hmfs_json_add_new(m, "metadata-bytes",
			       json_object_new_uint64(hotmem_metadata_bytes(ctx->hm)));
	if (ok && hotmem_summary(ctx->hm, summary, sizeof(summary)) >= 0)
		ok = hmfs_json_add_new(m, "summary", json_object_new_string(summary));
	return made_if(m, ok);
}

/* status's "uevents": NULL, no memory */
static json_object *uevents_json(struct hmfs_ctx *ctx)
{
	json_object *u = json_object_new_object();

	return made_if(
		u,
		hmfs_json_add_new(u, "netlink", json_object_new_string(ctx->sink.nl_status)) &&
		hmfs_json_add_new(u, "netlink-sent", json_object_new_uint64(COUNTER(ctx->sink.nl_sent))) &&
		hmfs_json_add_new(u, "netlink-errors",
				  json_object_new_uint64(COUNTER(ctx->sink.nl_errors))) &&
		/* the --uevent-socket paths (set at start): hotmemd's only source under its unit */
		hmfs_json_add_new(u, "unix-sockets", unix_sockets_json(ctx)) &&
		unix_shared_json(ctx, u) &&
		/* --netns's claim held (uevent.c claim_take()): a second hotmemfs there is refused */
		hmfs_json_add_new(u, "netns-claimed",
				  json_object_new_boolean(ctx->sink.ns_lock_fd >= 0)) &&
		hmfs_json_add_new(u, "unix-sent", json_object_new_uint64(COUNTER(ctx->sink.unix_sent))) &&
		hmfs_json_add_new(u, "unix-dropped",
				  json_object_new_uint64(COUNTER(ctx->sink.unix_dropped))) &&
		/* of them, past a listener's HMFS_UEVENT_BACKLOG_MAX unread (uevent.c): it stopped reading */
		hmfs_json_add_new(u, "unix-overflowed",
				  json_object_new_uint64(COUNTER(ctx->sink.unix_overflowed))));
}

/*
 * How far a stop got, while the control socket still answers: the
 * stop began (a signal), the notifier was told to leave the kernel
 * (the stopper does it while the session loop still answers;
 * tests/fusefs/40-notifier-stall.t orders its probe after it).  NULL: no memory.
 */
static json_object *stop_json(struct hmfs_ctx *ctx)
{
	json_object *st = json_object_new_object();

	return made_if(st, hmfs_json_add_new(st, "began", json_object_new_boolean(__atomic_load_n(
								    &ctx->stopping, __ATOMIC_ACQUIRE))) &&
				   hmfs_json_add_new(st, "notifier-leaving",
						     json_object_new_boolean(__atomic_load_n(
							     &ctx->kernel_gone, __ATOMIC_ACQUIRE))));
}

/* status's blocks: hmfs_block_runs_json()'s, an offline run's zone null; NULL no memory */
static json_object *status_runs_json(struct hmfs_ctx *ctx)
{
	json_object *runs = hmfs_block_runs_json(ctx, HMFS_VIEW_STATUS);

	return made_if(runs, runs_zone_null_offline(runs));
}

/* the state file's counters, under save_lock (whichever thread saves counts them: TSan) */
static bool add_saves(json_object *o, struct hmfs_ctx *ctx)
{
	unsigned long saves, save_errors, records, syncs;

	pthread_mutex_lock(&ctx->save_lock);
	saves = ctx->saves;
	save_errors = ctx->save_errors;
	records = ctx->journal_records;
	syncs = ctx->journal_syncs;
	pthread_mutex_unlock(&ctx->save_lock);
	return hmfs_json_add_new(o, "state-saves", json_object_new_uint64(saves)) &&
	       hmfs_json_add_new(o, "state-save-errors", json_object_new_uint64(save_errors)) &&
	       /* group commit: fewer syncs than records when writers come together */
	       hmfs_json_add_new(o, "state-journal-records", json_object_new_uint64(records)) &&
	       hmfs_json_add_new(o, "state-journal-syncs", json_object_new_uint64(syncs));
}

/*
 * status's reply: NULL, no memory -- the status is refused (ENOMEM), not
 * answered with a member missing or null (a null "devices" aborted
 * hotmemfs in vmem_injections(): json-c asserts on a NULL array's length)
 */
static json_object *status_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object();
	bool ok = hmfs_json_add_new(o, "machine", machine_json(ctx)) &&
		  hmfs_json_add_new(o, "zones", zones_json(ctx)) &&
		  hmfs_json_add_new(o, "blocks", status_runs_json(ctx)) &&
		  hmfs_json_add_new(o, "devices", hmfs_devices_json(ctx, HMFS_VIEW_STATUS)) &&
		  hmfs_json_add_new(o, "uevents", uevents_json(ctx)) &&
		  hmfs_json_add_new(o, "control", hmfs_ctl_clients_json(ctx)) &&
		  hmfs_json_add_new(o, "injections",
				    injections_json(ctx, json_object_object_get(o, "devices"))) &&
		  hmfs_json_add_new(o, "stop", stop_json(ctx)) &&
		  hmfs_json_add_new(o, "fuse", hmfs_fuse_requests_json(ctx)) &&
		  hmfs_json_add_new(o, "state-writes", state_writes_json(ctx)) &&
		  hmfs_json_add_new(o, "state-file", json_object_new_string(ctx->state_path)) &&
		  hmfs_json_add_new(o, "state-sync", json_object_new_string(ctx->sync_background ?
										    "background" :
										    "always")) &&
		  add_mount(o, ctx) && add_saves(o, ctx);

	return made_if(o, ok);
}

/* ---- commands ---------------------------------------------------------- */

typedef int (*cmd_fn)(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r);

/*
 * the device @id's object in @devs (hmfs_devices_json()), NULL if none --
 * or if @devs is NULL (hmfs_devices_json() out of memory since json43:
 * json-c asserts on a NULL array's length)
 */
static json_object *dev_by_id(json_object *devs, const char *id)
{
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		json_object *v = hmfs_json_get(d, "id", json_type_string);

		if (v && !strcmp(json_object_get_string(v), id))
			return d;
	}
	return NULL;
}

/*
 * dev_return()'s object @o of device @d (hmfs_devices_json()'s), its runs
 * of blocks into @blocks: false, no memory (the caller puts both)
 */
static bool dev_return_fill(struct hmfs_ctx *ctx, json_object *d, json_object *o,
			    json_object *blocks)
{
	static const char *const keys[] = { "id", "driver", "node", "addr", "size",
					    "requested-size", "plugged-size", "busy-pfn", "busy-errno",
					    "unplug-refused", "retry-in-ms", "retry-errno", "broken", "broken-errno",
					    "plug-stopped", "offline-size", "offline-threshold", "slot",
					    "guest-refused", "guest-refused-why", "mode", "big-block-size",
					    "subblock-size", "guest-probe" };
	uint64_t addr = json_object_get_uint64(json_object_object_get(d, "addr"));
	uint64_t size = json_object_get_uint64(json_object_object_get(d, "size"));
	json_object *v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (!copy_key(o, d, keys[i]))
			return false;
	if (!hmfs_block_runs_json_in(ctx, addr / ctx->block_size, (addr + size) / ctx->block_size,
				     blocks) ||
	    !runs_zone_null_offline(blocks))
		return false;
	if (json_object_object_get_ex(d, "busy-pfn", &v) &&
	    !hmfs_json_add_new(o, "busy-block",
			       json_object_new_uint64((json_object_get_uint64(v) << HM_PAGE_SHIFT) /
						      ctx->block_size)))
		return false;
	return !json_object_object_get_ex(d, "requested-size", NULL) ||
	       hmfs_json_add_new(o, "unplug-online",
				 json_object_new_boolean(hotmem_get_virtio_mem_unplug_online(ctx->hm)));
}

/*
 * What device_add and qom-set return: QEMU's {} with what a user types
 * next -- the device's id (dimm0 when none was given), where it is, its
 * memory blocks and their state (hotmemctl prints them in a line); a
 * virtio-mem device's requested-size and plugged-size: when they differ
 * the guest stopped short, and why as the driver knows it (the kernel
 * logs nothing): busy-pfn, where its unplug stopped, unplug-refused, the
 * device's answer that refused one (NACK, BUSY, ERROR), and unplug-online,
 * off when the driver unplugs offline memory only; when it retries by
 * itself (retry-in-ms, its timer's) and why (retry-errno), or that it
 * marked the device broken (broken, broken-errno); a growth it stopped
 * for good (plug-stopped: its offline threshold, with offline-size and
 * offline-threshold; the region full); its mode and the unit it moves
 * (big-block-size, subblock-size): less than one it does not try.  NULL:
 * no memory (hmfs_devices_json()'s too: its device was "not found" then).
 */
static json_object *dev_return(struct hmfs_ctx *ctx, const char *id)
{
	json_object *devs = hmfs_devices_json(ctx, HMFS_VIEW_STATUS), *d = dev_by_id(devs, id);
	json_object *o = json_object_new_object(), *blocks = json_object_new_array();

	if (!devs || !o || !blocks || (d && !dev_return_fill(ctx, d, o, blocks)))
		goto fail;
	if (!hmfs_json_add_new(o, "blocks", blocks)) {
		blocks = NULL; /* put by hmfs_json_add_new() */
		goto fail;
	}
	json_object_put(devs);
	return o;
fail:
	json_object_put(blocks);
	json_object_put(o);
	json_object_put(devs);
	return NULL;
}

/* QEMU's id_wellformed() (util/id.c): a letter, then letters, digits, '-', '.', '_' */
static bool id_wellformed(const char *id)
{
	if (!isalpha((unsigned char)id[0]))
		return false;
	for (const char *p = id + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			return false;
	return true;
}

/*
 * hotmem's own device_add argument (QEMU's device has no such property):
 * the reply is the device, as `devices ID` shows it, where QEMU's
 * qmp_device_add() sets no return: {} (qapi/qmp-dispatch.c).  hotmemctl
 * sends it for its line; a QMP client gets QEMU's {} (it got the device).
 */
#define DEVICE_ADD_RETURN "return-device"

/* device_add past QEMU's qdev_set_id(): the properties, then the device realized */
static int device_add_set(struct hmfs_ctx *ctx, json_object *args, struct hmfs_change *ch,
			  struct cmd_result *r)
{
	bool has_size, has_req, has_bs;
	long long slot;
	int ret;

	json_object_object_foreach(args, key, val) {
		(void)val;
		if (strcmp(key, DEVICE_ADD_RETURN) &&
		    hmfs_dev_check_prop(ch->dev.driver, key, r->err, ERRLEN))
			return -EINVAL;
	}
	/* pc-dimm's addr, virtio-mem-pci's memaddr (QEMU's): each refuses the other's above */
	if (arg_size(args, "size", &ch->dev.size, &has_size, r->err) ||
	    arg_size(args, "addr", &ch->dev.addr, &ch->dev.have_addr, r->err) ||
	    (!ch->dev.have_addr &&
	     arg_size(args, "memaddr", &ch->dev.addr, &ch->dev.have_addr, r->err)) ||
	    arg_size(args, "requested-size", &ch->dev.requested, &has_req, r->err) ||
	    arg_size(args, "block-size", &ch->dev.block_size, &has_bs, r->err) ||
	    arg_node(args, INT_QEMU, 0, &ch->dev.node, r->err) ||
	    arg_bool(args, "memmap-on-memory", 1, &ch->dev.memmap, r->err) ||
	    /* pc-dimm's "slot", PC_DIMM_UNASSIGNED_SLOT (-1) unless given */
	    arg_int_form(args, "slot", INT_QEMU, -1, &slot, r->err))
		return -EINVAL;
	if (slot < -1 || slot > INT_MAX) {
		snprintf(r->err, ERRLEN, "Parameter 'slot' is out of range");
		return -EINVAL;
	}
	ch->dev.slot = (int)slot;
	/* behind a guest's offline, QEMU's side alone, the guest's probe queued (dev.c) */
	ret = hmfs_dev_add_request(ctx, ch, r->err, ERRLEN);
	if (ret != -EAGAIN)
		return ret;
	r->err[0] = '\0';
	return hmfs_change(ctx, ch, r->err, ERRLEN);
}

/*
 * device_add's reply, made before the device is (ctlnomem44: its objects
 * were made after, and an add done was answered with a closed connection
 * when they found no memory): QEMU's {}; with DEVICE_ADD_RETURN, what
 * stands in for the device (dev_return()) if there is no memory for it
 * after the add -- its @id, and a warning hotmemctl prints after the line.
 * NULL: no memory, and the add is refused before anything is done.
 */
static json_object *device_add_reply(const char *id, bool want_dev)
{
	json_object *o = json_object_new_object();
	char warn[160];

	if (!o || !want_dev)
		return o;
	snprintf(warn, sizeof(warn),
		 "added, but hotmemfs had no memory for its details: `hotmemctl devices %.64s` shows them",
		 id);
	if (hmfs_json_add_new(o, "id", json_object_new_string(id)) &&
	    hmfs_json_add_new(o, "warning", json_object_new_string(warn)))
		return o;
	json_object_put(o);
	return NULL;
}

static int cmd_device_add(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	char new_id[64] = "";
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_ADD,
				  .dev = { .new_id = new_id, .new_id_len = sizeof(new_id) } };
	json_object *dev;
	char anon[64];
	int ret, want_dev;

	if (arg_string(args, "driver", &ch.dev.driver, r->err) ||
	    arg_string(args, "id", &ch.dev.id, r->err) ||
	    arg_bool(args, DEVICE_ADD_RETURN, 0, &want_dev, r->err))
		return -EINVAL;
	if (!ch.dev.driver) {
		snprintf(r->err, ERRLEN, "Parameter 'driver' is missing");
		return -EINVAL;
	}
	/*
	 * qemu_opts_create(), before anything else of the device: an id like
	 * "a/b" or one with a newline would read as a path in qom-set and
	 * break the tables of devices, map and status
	 */
	if (ch.dev.id && !id_wellformed(ch.dev.id)) {
		snprintf(r->err, ERRLEN, "Parameter 'id' expects an identifier");
		return -EINVAL;
	}
	/*
	 * QEMU's virtio-mem is the device on the proxy's virtio bus, not
	 * pluggable by itself: qdev_device_add() finds it no bus, before its
	 * properties (usereye7 #11e: was taken as virtio-mem-pci)
	 */
	if (!strcmp(ch.dev.driver, "virtio-mem")) {
		snprintf(r->err, ERRLEN, "No 'virtio-bus' bus found for device 'virtio-mem'");
		return -EINVAL;
	}
	/* an unknown driver: dev.c's words, before qdev_set_id() as QEMU's (no number taken) */
	if (!hmfs_dev_model_known(ch.dev.driver))
		return hmfs_change(ctx, &ch, r->err, ERRLEN);
	/*
	 * QEMU's qdev_set_id() (static anon_count++, qdev-monitor.c
	 * qdev_device_add_from_qdict(), 7.2 and 9.2 alike): the number is
	 * taken here, before the properties are set and the device realized,
	 * so that every refusal after (a property unknown or of a bad value,
	 * the realize's node or size checks, no room) keeps it taken, as QEMU
	 * 7.2 shows (tests/fusefs/221), across a restart too (saved at the
	 * refusal: an accepted device's own record names it).  A frozen
	 * hotmemfs refuses first, no number taken, as every change then.
	 */
	if (!ch.dev.id) {
		if (__atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE)) {
			hmfs_state_frozen_say(ctx, r->err, ERRLEN);
			return -EROFS;
		}
		hmfs_dev_anon_id(ctx, anon, sizeof(anon));
		ch.dev.id = anon;
	}
	/* its reply made before the device is: an add done is answered (device_add_reply()) */
	r->ret = device_add_reply(ch.dev.id, want_dev);
	ret = r->ret ? device_add_set(ctx, args, &ch, r) : -ENOMEM;
	if (ret && ch.dev.id == anon)
		hmfs_dev_anon_keep(ctx);
	if (ret)
		return ret;
	/* the device for hotmemctl's line (DEVICE_ADD_RETURN), if there is memory for it */
	if (want_dev && (dev = dev_return(ctx, new_id))) {
		json_object_put(r->ret);
		r->ret = dev;
	}
	return 0;
}

/*
 * No device @asked: QEMU's DeviceNotFound (qmp_device_del()'s
 * find_device_state(), qom-get's and qom-set's path resolved to nothing:
 * QEMU 7.2 answers all three {"class": "DeviceNotFound", "desc": "Device
 * 'X' not found"}), the device named as it was asked for, its QOM path
 * when given one.  Clients decide on the class: libvirt's
 * qemuMonitorJSONDelDevice() takes it as "already gone" (usereye5 #10).
 */
/*
 * /machine's QOM type: the machine QEMU's -M pc is on 7.2, the one
 * hotmem-enter's DMI names (HMFS_QEMU_MACHINE); a QEMU 9.2 runs it as the
 * versioned machine it is (hotmemfs's greeting says 9.2).  Was
 * "container" (usereye9).
 */
#define QOM_MACHINE_TYPE HMFS_QEMU_MACHINE "-machine"

/* the QOM type of container @n (hmfs_dev_qom_resolve()): /machine's, or "container" */
static const char *qom_container_type(enum hmfs_qom n)
{
	return n == HMFS_QOM_MACHINE ? QOM_MACHINE_TYPE : "container";
}

static int device_not_found(struct cmd_result *r, const char *asked)
{
	r->cls = "DeviceNotFound";
	snprintf(r->err, ERRLEN, "Device '%s' not found", asked);
	return -ENODEV;
}

/*
 * A change's reply, {} (with "id": @id when given), made before the
 * change (ctlnomem44): a change done is answered with it, not with a
 * null "return" for want of memory after it.  -ENOMEM: refused, nothing
 * done.  An error after puts it (hmfs_ctl_execute()).
 */
static int ret_before(struct cmd_result *r, const char *id)
{
	r->ret = json_object_new_object();
	if (r->ret && (!id || hmfs_json_add_new(r->ret, "id", json_object_new_string(id))))
		return 0;
	json_object_put(r->ret);
	r->ret = NULL;
	return -ENOMEM;
}

/*
 * @o's number @key, made before the change and set after it
 * (json_object_set_int64() and _uint64() allocate nothing): NULL, no memory
 */
static json_object *ret_number(json_object *o, const char *key)
{
	json_object *n = json_object_new_int64(0);

	return hmfs_json_add_new(o, key, n) ? n : NULL;
}

/*
 * The device QOM path @asked names, as QEMU resolves it (qom/object.c 9.2):
 * device_del's find_device_state() by object_resolve_path_at() from
 * /machine/peripheral (@at_peripheral: "d1", "d1/", "/machine//peripheral/d1"
 * all name d1), qom-get's and qom-set's qom_resolve_path() by
 * object_resolve_path() (a partial path too: "peripheral/d1"; one naming
 * two objects names none), each in QEMU's words when it names no device.  0 and the device's key in @key;
 * its virtio-backend child too when @backend is given (set then).  Was an
 * exact /machine/peripheral/ID or ID only (finalF F6).  1: a container
 * (not at_peripheral), its QOM type in @container (qom_container_type()),
 * the path resolved once (reread17 G: it was resolved again for its type).
 */
static int qom_device(struct hmfs_ctx *ctx, const char *asked, bool at_peripheral, char *key,
		      size_t len, bool *backend, const char **container, struct cmd_result *r)
{
	enum hmfs_qom n = hmfs_dev_qom_resolve(ctx, asked, at_peripheral, key, len);

	if (n == HMFS_QOM_DEVICE || (n == HMFS_QOM_BACKEND && backend)) {
		if (backend)
			*backend = n == HMFS_QOM_BACKEND;
		return 0;
	}
	/* qmp_qom_get() and qmp_qom_set(), 9.2: object_resolve_path(path, NULL), ambiguous or not */
	if (n == HMFS_QOM_NONE || n == HMFS_QOM_AMBIGUOUS)
		return device_not_found(r, asked);
	if (n == HMFS_QOM_BACKEND) /* qdev_unplug(): its bus is no hotplug bus */
		snprintf(r->err, ERRLEN, "Bus 'virtio-bus' does not support hotplugging");
	else if (at_peripheral) /* find_device_state(), 9.2 (7.2: "is not a hotpluggable device") */
		snprintf(r->err, ERRLEN, "%.200s is not a device", asked);
	else {
		if (container)
			*container = qom_container_type(n);
		return 1; /* a container: the caller's */
	}
	return -EINVAL;
}

/*
 * QEMU's device_del of a pc-dimm (qmp_device_del() -> qdev_unplug() ->
 * acpi_memory_unplug_request_cb(), QEMU 9.2) only raises the slot's eject
 * request (the GPE; the guest's ACPI_NOTIFY_EJECT_REQUEST) and returns {}:
 * the guest's eject runs after, on its kacpi_hotplug_wq (acpi.c), and its
 * outcome is events only -- ACPI_DEVICE_OST 0x84 in progress, then
 * DEVICE_DELETED and success, or the refusal's status (usereye7 #2: the
 * reply waited for the whole eject, up to 40 s, and a refusal was an
 * error QEMU never sends).  A second device_del while it is pending
 * raises it again ({} again: the DIMM has no pending_deleted_event, that
 * is PCI's), as a DIMM the guest refused may be asked for again.  -1: not
 * a DIMM (a virtio-mem device's device_del answers here and now, as
 * QEMU's virtio_mem_unplug_request_check() refusal does, its removal
 * queued behind a guest's offline: hmfs_dev_del_request(); no device:
 * DeviceNotFound).
 */
static int dimm_unplug_request(struct hmfs_ctx *ctx, const char *id, struct cmd_result *r)
{
	int slot = hmfs_dev_slot_nowait(ctx, id), ret;

	if (slot < 0)
		return -1; /* a virtio-mem device, or none: hmfs_change() says which */
	/*
	 * a frozen hotmemfs would refuse the queued eject before it starts,
	 * with no _OST and no DEVICE_DELETED to tell the client: refused here,
	 * as hotmemfs refuses every change then (finalF F1)
	 */
	if (__atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE)) {
		hmfs_state_frozen_say(ctx, r->err, ERRLEN);
		return -EROFS;
	}
	ret = hmfs_acpi_hotplug_schedule(ctx, slot, HM_ACPI_NOTIFY_EJECT_REQUEST, id);
	if (ret) {
		snprintf(r->err, ERRLEN, "%s: the eject request was not raised: out of memory, or hotmemfs is stopping",
			 id);
		return ret;
	}
	r->raised = true; /* its {}: cmd_device_del()'s, made before */
	return 0;
}

/*
 * device_del ID: QEMU's (a DIMM: the request raised, dimm_unplug_request());
 * with hotmem's own "wait": true (hotmemctl's device_del), the reply
 * waits for the guest's eject and says how it ended: removed, or refused
 * as an error with what the rollback did.
 */
static int cmd_device_del(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_DEL };
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	uint64_t held = 0;
	const char *asked;
	int ret, wait;

	if (arg_string(args, "id", &ch.dev.id, r->err) || arg_bool(args, "wait", 0, &wait, r->err))
		return -EINVAL;
	if (!ch.dev.id) {
		snprintf(r->err, ERRLEN, "Parameter 'id' is missing");
		return -EINVAL;
	}
	asked = ch.dev.id;
	ret = qom_device(ctx, asked, true, key, sizeof(key), NULL, NULL, r);
	if (ret)
		return ret;
	/* QEMU's {}; with hotmem's "wait" the device it removed, as resolved: {"id": KEY} */
	ret = ret_before(r, wait ? key : NULL);
	if (ret)
		return ret;
	ch.dev.id = key;
	if (!wait) {
		ret = dimm_unplug_request(ctx, ch.dev.id, r);
		if (ret != -1) /* -1: no DIMM of that id, hmfs_change() says */
			return ret;
		/* a virtio-mem device's, behind a guest's offline: {} now, the removal queued */
		ret = hmfs_dev_del_request(ctx, ch.dev.id, r->err, ERRLEN);
		if (!ret) {
			r->raised = true;
			return 0;
		}
		if (ret != -EAGAIN)
			return ret;
		r->err[0] = '\0';
	} else {
		/* one the guest never probed goes at once, waiting for no offline (dev.c) */
		ret = hmfs_dev_del_unprobed(ctx, ch.dev.id, r->err, ERRLEN);
		if (ret != -EAGAIN)
			return ret;
		r->err[0] = '\0';
		/* the device's request is this one's while it waits, a queued QMP one's too (dev.c) */
		held = hmfs_dev_del_take_over(ctx, ch.dev.id);
		ch.dev.incarnation = held;
		ch.dev.held = held != 0;
		/* a DIMM's add queued behind a guest's offline comes first, as its eject's (dev.c) */
		hmfs_dev_probe_first(ctx, ch.dev.id, hmfs_dev_made(ctx));
	}
	ret = hmfs_change(ctx, &ch, r->err, ERRLEN);
	if (held)
		hmfs_dev_del_wait_end(ctx, ch.dev.id, held);
	/*
	 * The device it held the request of went meanwhile, removed by
	 * another device_del (wait) of it that also passed QEMU's check
	 * before change_lock: QEMU answers a second device_del of a PCI
	 * device being removed {} (9.2 qmp_device_del(): acpi-pcihp's pending
	 * delete expires after 1 ms, since 8.0.1), and DEVICE_DELETED, the
	 * one this one waits for, came: removed, not "not found"
	 */
	if (ret == -ENODEV && held)
		ret = 0;
	if (ret == -ENODEV) /* dev.c: no such device */
		return device_not_found(r, asked);
	return ret;
}

/*
 * hotmem's own commands' device (vmem-retry, vmem-inject), @id resolved
 * as device_del resolves it (hmfs_dev_qom_resolve() at /machine/peripheral:
 * "vm0", "vm0/", "/machine/peripheral/vm0"): its key in @key, or @id as
 * given when it names no device -- not qom_device()'s DeviceNotFound: the
 * command's own refusal (dev.c) names it, as it always did.
 */
static const char *own_device(struct hmfs_ctx *ctx, const char *id, char *key, size_t len)
{
	if (id && hmfs_dev_qom_resolve(ctx, id, true, key, len) == HMFS_QOM_DEVICE)
		return key;
	return id;
}

/*
 * hotmem's own (QEMU has no such thing): the guest virtio-mem driver's
 * retry timer (6.12's retry_timer) fires now, for device @id or every
 * armed one, instead of in its 50 s to 5 min: a test or a user need not
 * wait.  The timer fires as when its time comes (its period doubles).
 */
static int cmd_vmem_retry(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	const char *id;
	int ret;

	json_object *fired;

	if (arg_string(args, "id", &id, r->err))
		return -EINVAL;
	if (ret_before(r, NULL) || !(fired = ret_number(r->ret, "fired")))
		return -ENOMEM;
	ret = hmfs_dev_timer_fire(ctx, own_device(ctx, id, key, sizeof(key)), r->err, ERRLEN);
	if (ret < 0)
		return ret;
	json_object_set_int64(fired, ret);
	return 0;
}

/*
 * hotmem's own fault injection (QEMU has none): virtio-mem device ID
 * answers its guest driver's next COUNT (default 1; 0 clears) plug or
 * unplug requests with RESPONSE, QEMU's words for it: BUSY as while
 * migrating or when its memory backend cannot preallocate, ERROR, NACK.
 */
static int cmd_vmem_inject(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	const char *id, *req, *resp;
	long long count;
	int i;

	if (arg_string(args, "id", &id, r->err) || arg_string(args, "request", &req, r->err) ||
	    arg_string(args, "response", &resp, r->err) || arg_int(args, "count", 1, &count, r->err))
		return -EINVAL;
	if (!id || !req || !resp) {
		snprintf(r->err, ERRLEN, "Parameter '%s' is missing",
			 !id ? "id" : !req ? "request" : "response");
		return -EINVAL;
	}
	for (i = 0; hmfs_vmem_resp_name(i) && strcmp(resp, hmfs_vmem_resp_name(i)); i++)
		;
	/* each argument its own message, as the other commands' Parameter '...' */
	if (strcmp(req, "plug") && strcmp(req, "unplug"))
		snprintf(r->err, ERRLEN, "Parameter 'request' expects plug or unplug, not '%.40s'", req);
	else if (!hmfs_vmem_resp_name(i))
		snprintf(r->err, ERRLEN,
			 "Parameter 'response' expects ACK, NACK, BUSY or ERROR, not '%.40s'", resp);
	else if (count < 0 || count > UINT_MAX)
		snprintf(r->err, ERRLEN, "Parameter 'count' expects 0..%u, not %lld", UINT_MAX, count);
	else
		r->err[0] = '\0';
	if (r->err[0])
		return -EINVAL;
	/* HM_VIRTIO_MEM_RESP_* are QEMU's numbers, in hmfs_vmem_resp_name()'s order */
	id = own_device(ctx, id, key, sizeof(key));
	/* the device as resolved: hotmemctl's line names it so */
	if (ret_before(r, id))
		return -ENOMEM;
	return hmfs_dev_vmem_inject(ctx, id, !strcmp(req, "plug"), i, (unsigned int)count, r->err,
				    ERRLEN);
}

/*
 * The properties of QEMU's pc-dimm and virtio-mem-pci that qom-get and
 * qom-set know (QEMU 9.x): where qom-get finds the value in the device's
 * query-memory-devices object, NULL where hotmem has no counterpart (no
 * memory backends, no memslots).
 */
static const struct {
	const char *driver, *prop;
	const char *key; /* in query-memory-devices' object; NULL: not modelled */
} qom_props[] = {
	{ "virtio-mem-pci", "size", "plugged-size" },
	{ "virtio-mem-pci", "requested-size", "requested-size" },
	{ "virtio-mem-pci", "block-size", "block-size" },
	{ "virtio-mem-pci", "node", "node" },
	{ "virtio-mem-pci", "memaddr", "memaddr" },
	{ "virtio-mem-pci", "memdev", NULL },
	{ "virtio-mem-pci", "prealloc", NULL },
	{ "virtio-mem-pci", "unplugged-inaccessible", NULL },
	{ "virtio-mem-pci", "early-migration", NULL },
	{ "virtio-mem-pci", "dynamic-memslots", NULL },
	{ "virtio-mem-pci", "memslots", NULL },
	{ "virtio-mem-pci", "used-memslots", NULL },
	{ "pc-dimm", "size", "size" },
	{ "pc-dimm", "addr", "addr" },
	{ "pc-dimm", "node", "node" },
	{ "pc-dimm", "slot", "slot" },
	{ "pc-dimm", "memdev", NULL },
};

/*
 * qom-get of a container (/, /machine, /machine/peripheral, ...) of QOM
 * type @type (qom_device()): its one property hotmemfs has, "type"
 * (QEMU's object_property_find_err() for any other, in its words whatever
 * QEMU has of it: hotmemfs has not the machine's options, nor children's
 * values)
 */
static int qom_container_get(const char *type, const char *prop, struct cmd_result *r)
{
	if (strcmp(prop, "type")) {
		snprintf(r->err, ERRLEN, "Property '%s.%.200s' not found", type, prop);
		return -EINVAL;
	}
	r->ret = json_object_new_string(type);
	return r->ret ? 0 : -ENOMEM;
}

/*
 * qom-set of any property but requested-size: the device first
 * (DeviceNotFound), then QEMU's refusal on a realized device, as QEMU 7.2
 * words each (checked side by side): block-size's own setter
 * (virtio_mem_set_block_size(): "'%s' cannot be changed"), size read-only
 * (virtio-mem-pci's is its virtio-mem child's), any other qdev property
 * (qdev_prop_set_after_realize(); a virtio-mem-pci's child has no id),
 * one the type has not (object_property_find_err()).  Was "not found or
 * not settable" for all of them (usereye5 #8a).
 */
static int qom_set_refused(struct hmfs_ctx *ctx, const char *path, const char *key,
			   const char *prop, struct cmd_result *r)
{
	const char *driver = hmfs_dev_driver(ctx, key);
	bool vmem;
	size_t i;

	if (!driver)
		return device_not_found(r, path);
	vmem = !strcmp(driver, "virtio-mem-pci");
	for (i = 0; i < sizeof(qom_props) / sizeof(*qom_props); i++)
		if (!strcmp(qom_props[i].driver, driver) && !strcmp(qom_props[i].prop, prop))
			break;
	if (!strcmp(prop, "type")) /* every object's, read-only */
		snprintf(r->err, ERRLEN, "Property '%s.type' is not writable", driver);
	else if (i == sizeof(qom_props) / sizeof(*qom_props))
		snprintf(r->err, ERRLEN, "Property '%s.%.200s' not found", driver, prop);
	else if (!strcmp(prop, "block-size"))
		snprintf(r->err, ERRLEN, "'%s' cannot be changed", prop);
	else if (!strcmp(prop, "size"))
		snprintf(r->err, ERRLEN, "Property '%s.size' is not writable",
			 vmem ? "virtio-mem" : driver);
	else if (vmem || hmfs_dev_anon(key))
		/* a device without an id (the proxy's virtio-mem child has none either) */
		snprintf(r->err, ERRLEN,
			 "Attempt to set %sproperty '%s' on anonymous device (type '%s') "
			 "after it was realized", strcmp(prop, "memdev") ? "" : "link ", prop,
			 vmem ? "virtio-mem" : driver);
	else
		snprintf(r->err, ERRLEN,
			 "Attempt to set %sproperty '%s' on device '%.200s' (type '%s') after it "
			 "was realized", strcmp(prop, "memdev") ? "" : "link ", prop,
			 key, driver);
	return -EINVAL;
}

/*
 * qom-set's value of requested-size, as QEMU 9.2's object_property_set_qobject()
 * visits it (qobject_input_type_size(), qapi/qobject-input-visitor.c): a
 * JSON integer, a negative one taken as its uint64 (QEMU's "backward
 * compatibility"), which the device's checks then refuse; anything else,
 * a string of a size ("1G") too, "Parameter 'requested-size' expects
 * uint64"; none "Parameter 'value' is missing" (usereye7 #10, #11d).  A
 * string was hotmem's own until 2026-11-30: hotmemctl now sends the
 * number, as any QMP client must to QEMU.
 */
static int qom_set_size(json_object *args, uint64_t *out, struct cmd_result *r)
{
	json_object *v = NULL;

	/* a JSON null is a value (json-c's NULL object): "expects uint64" below */
	if (!args || !json_object_object_get_ex(args, "value", &v)) {
		snprintf(r->err, ERRLEN, "Parameter 'value' is missing");
		return -EINVAL;
	}
	if (json_object_is_type(v, json_type_int)) {
		/* json-c keeps an int64 or a uint64: the uint64 as is, an int64's bits */
		*out = json_object_get_int64(v) < 0 ? (uint64_t)json_object_get_int64(v) :
						      json_object_get_uint64(v);
		return 0;
	}
	snprintf(r->err, ERRLEN, "Parameter 'requested-size' expects uint64");
	return -EINVAL;
}

/* qom-set of a container's "type": QEMU's object_property_set() of a property without a setter */
static int qom_set_type(const char *type, struct cmd_result *r)
{
	json_object_put(r->ret);
	r->ret = NULL;
	snprintf(r->err, ERRLEN, "Property '%s.type' is not writable", type);
	return -EINVAL;
}

static int cmd_qom_set(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_RESIZE };
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	const char *path, *prop, *type;
	bool backend;
	int ret;

	if (arg_string(args, "path", &path, r->err) || arg_string(args, "property", &prop, r->err))
		return -EINVAL;
	if (!path || !prop) {
		snprintf(r->err, ERRLEN, "Parameters 'path' and 'property' are required");
		return -EINVAL;
	}
	ret = qom_device(ctx, path, false, key, sizeof(key), &backend, &type, r);
	if (ret == 1) /* a container: no property to set but its children */
		return (ret = qom_container_get(type, prop, r)) ? ret : qom_set_type(type, r);
	if (ret)
		return ret;
	if (strcmp(prop, "requested-size"))
		return qom_set_refused(ctx, path, key, prop, r);
	ret = qom_set_size(args, &ch.dev.requested, r);
	if (ret)
		return ret;
	ch.dev.id = key;
	/* QEMU's qmp_qom_set() returns nothing: {} (hotmemctl asks `devices` for the line) */
	if (ret_before(r, NULL))
		return -ENOMEM;
	ret = hmfs_change(ctx, &ch, r->err, ERRLEN);
	if (ret == -ENODEV) /* dev.c: no such device */
		return device_not_found(r, path);
	return ret;
}

/*
 * qom-get PATH PROPERTY (QEMU's qmp_qom_get(): the object, then
 * object_property_get_qobject()): one property of a device, as QEMU's
 * virtio-mem-pci and pc-dimm have it; PATH is the device's id or its
 * QOM path (qom_device()), as qom-set's.  A virtio-mem-pci's "size" is QEMU's: what is plugged
 * (virtio_mem_get_size(), hw/virtio/virtio-mem.c, QEMU 9.x), not
 * device_add's size= (the region, QEMU's memdev's size: max-size in
 * query-memory-devices).  A property QEMU has and hotmem has no
 * counterpart of (no memory backends, no memslots) is said as such, not
 * "not found".
 */
static int cmd_qom_get(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	json_object *devs, *dev = NULL, *v = NULL;
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	const char *path, *prop, *driver, *type;
	bool backend;
	size_t i;
	int ret = -EINVAL;

	if (arg_string(args, "path", &path, r->err) || arg_string(args, "property", &prop, r->err))
		return -EINVAL;
	if (!path || !prop) {
		snprintf(r->err, ERRLEN, "Parameter '%s' is missing", !path ? "path" : "property");
		return -EINVAL;
	}
	ret = qom_device(ctx, path, false, key, sizeof(key), &backend, &type, r);
	if (ret == 1)
		return qom_container_get(type, prop, r);
	if (ret)
		return ret;
	devs = hmfs_devices_json(ctx, HMFS_VIEW_STATUS);
	if (!devs) /* no memory: not "not found" */
		return -ENOMEM;
	ret = -EINVAL;
	dev = dev_by_id(devs, key);
	if (!dev) {
		ret = device_not_found(r, path);
		goto out;
	}
	json_object_object_get_ex(dev, "driver", &v);
	driver = json_object_get_string(v);
	/* every object's "type": its QOM type name (the virtio-backend's: virtio-mem) */
	if (!strcmp(prop, "type")) {
		r->ret = json_object_new_string(backend ? "virtio-mem" : driver);
		ret = r->ret ? 0 : -ENOMEM;
		goto out;
	}
	for (i = 0; i < sizeof(qom_props) / sizeof(*qom_props); i++)
		if (!strcmp(qom_props[i].driver, driver) && !strcmp(qom_props[i].prop, prop))
			break;
	if (i == sizeof(qom_props) / sizeof(*qom_props)) {
		/* the virtio-backend child is the virtio-mem device the proxy's props alias */
		snprintf(r->err, ERRLEN, "Property '%s.%.200s' not found",
			 backend ? "virtio-mem" : driver, prop);
		goto out;
	}
	if (!qom_props[i].key || !json_object_object_get_ex(dev, qom_props[i].key, &v)) {
		snprintf(r->err, ERRLEN,
			 "Property '%s.%s': not modelled by hotmem (no memory backends or memslots: "
			 "device_add's size= stands for memdev's size)", driver, prop);
		goto out;
	}
	r->ret = json_object_get(v);
	ret = 0;
out:
	json_object_put(devs);
	return ret;
}

/* {"name": @name, "type": @type} into @a: false, no memory (qom-list is refused then) */
static bool qom_prop_add(json_object *a, const char *name, const char *type)
{
	json_object *o = json_object_new_object();

	return hmfs_json_push_new(a, made_if(o, hmfs_json_add_new(o, "name", json_object_new_string(name)) &&
							 hmfs_json_add_new(o, "type", json_object_new_string(type))));
}

/* TYPE_DEVICE's properties, every device's first (qdev_class_init(), QEMU 7.2 to 9.2) */
static const char *const device_qom_props[][2] = {
	{ "type", "string" },	  { "parent_bus", "link<bus>" }, { "realized", "bool" },
	{ "hotplugged", "bool" }, { "hotpluggable", "bool" },
};

/* a pc-dimm's own properties, as QEMU 9.2's qom-list gives them (after TYPE_DEVICE's) */
static const char *const dimm_qom_props[][2] = {
	{ "memdev", "link<memory-backend>" },
	{ "node", "uint32" },	   { "addr", "uint64" },
	{ "legacy-memdev", "str" }, { "slot", "int32" },
	{ "size", "uint64" },
};

/*
 * a virtio-mem-pci's (hw/virtio/virtio-mem-pci.c: its memory device's,
 * aliased from its virtio-mem child, then its children), those QEMU 7.2
 * and 9.2 both list; the PCI and virtio transport's tens of tunables
 * (rombar, ats, event_idx ...) and its memory regions hotmem has no
 * counterpart of are not listed (tests/fusefs/188 holds this list
 * against QEMU 7.2's)
 */
static const char *const vmem_pci_qom_props[][2] = {
	{ "memaddr", "uint64" },    { "memdev", "link<memory-backend>" },
	{ "node", "uint32" },	    { "requested-size", "size" },
	{ "block-size", "size" },   { "prealloc", "bool" },
	{ "unplugged-inaccessible", "OnOffAuto" }, { "size", "size" },
	{ "virtio-bus", "child<virtio-pci-bus>" }, { "virtio-backend", "child<virtio-mem>" },
};

/* its virtio-backend child's, the virtio-mem device's (hw/virtio/virtio-mem.c) */
static const char *const vmem_qom_props[][2] = {
	{ "memdev", "link<memory-backend>" }, { "node", "uint32" },
	{ "unplugged-inaccessible", "OnOffAuto" }, { "memaddr", "uint64" },
	{ "legacy-memdev", "str" }, { "prealloc", "bool" },
	{ "block-size", "size" },   { "size", "size" },
	{ "requested-size", "size" },
};

/* @table's properties into @a; @ok false once one found no memory */
#define QOM_ADD_ALL(ok, a, table)                                                 \
	for (size_t i = 0; (ok) && i < sizeof(table) / sizeof(*(table)); i++) \
		(ok) = qom_prop_add(a, (table)[i][0], (table)[i][1])

/*
 * A container's children: /machine/peripheral's the devices with an id,
 * /machine/peripheral-anon's the anonymous ones (child<DRIVER> each).
 * False: no memory -- @devs NULL too: qom-list is refused (ENOMEM), not
 * answered without the children (ctlnomem44)
 */
static bool qom_children(struct hmfs_ctx *ctx, bool anon, json_object *a)
{
	json_object *devs = hmfs_devices_json(ctx, HMFS_VIEW_STATUS);
	bool ok = devs != NULL;
	char type[80];

	for (size_t i = 0; ok && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		const char *key = json_object_get_string(hmfs_json_member(d, "id"));

		if (!key || hmfs_dev_anon(key) != anon)
			continue;
		snprintf(type, sizeof(type), "child<%s>",
			 json_object_get_string(hmfs_json_member(d, "driver")));
		ok = qom_prop_add(a, anon ? key + strlen("/machine/peripheral-anon/") : key, type);
	}
	json_object_put(devs);
	return ok;
}

/* the properties of the object @n (@driver's device), as far as hotmemfs has it: false, no memory */
static bool qom_list_of(struct hmfs_ctx *ctx, enum hmfs_qom n, const char *driver,
			json_object *a)
{
	bool ok = a != NULL;

	if (ok && n != HMFS_QOM_DEVICE && n != HMFS_QOM_BACKEND) /* a device's: TYPE_DEVICE's first */
		ok = qom_prop_add(a, "type", "string");
	switch (n) {
	case HMFS_QOM_ROOT: /* QEMU's "objects" and "chardevs" are not modelled */
		ok = ok && qom_prop_add(a, "machine", "child<" QOM_MACHINE_TYPE ">");
		break;
	case HMFS_QOM_MACHINE: /* the machine's options and its board devices are not */
		ok = ok && qom_prop_add(a, "peripheral-anon", "child<container>") &&
		     qom_prop_add(a, "peripheral", "child<container>");
		break;
	case HMFS_QOM_PERIPHERAL:
	case HMFS_QOM_PERIPHERAL_ANON:
		ok = ok && qom_children(ctx, n == HMFS_QOM_PERIPHERAL_ANON, a);
		break;
	case HMFS_QOM_DEVICE:
		QOM_ADD_ALL(ok, a, device_qom_props);
		if (!strcmp(driver, "pc-dimm"))
			QOM_ADD_ALL(ok, a, dimm_qom_props);
		else
			QOM_ADD_ALL(ok, a, vmem_pci_qom_props);
		break;
	case HMFS_QOM_BACKEND:
		QOM_ADD_ALL(ok, a, device_qom_props);
		QOM_ADD_ALL(ok, a, vmem_qom_props);
		break;
	default:
		break;
	}
	return ok;
}

/*
 * QEMU's qom-list (qom/qom-qmp-cmds.c qmp_qom_list(), 9.2): the
 * properties of the object at @path, resolved as qom-get's, but one that
 * names two objects "is ambiguous" (qom-list alone says so in 9.2).
 * What hotmemfs has of QEMU's tree (usereye7 #11f, usereye9): /, /machine
 * and the peripheral containers with their type and the children hotmemfs
 * has, each device with TYPE_DEVICE's and its memory properties and
 * children; the rest of QEMU's (/objects, /chardevs, the machine's
 * options, /machine/unattached's board devices, a PCI device's transport
 * tunables) is not listed.  A partial "device[N]" names the anonymous
 * device alone here; in QEMU /machine/unattached holds a device[N] too
 * (the board's: device[0] the CPU), so it "is ambiguous" there.
 */
static int cmd_qom_list(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	const char *path, *driver = NULL;
	enum hmfs_qom n;

	if (arg_string(args, "path", &path, r->err))
		return -EINVAL;
	if (!path) {
		snprintf(r->err, ERRLEN, "Parameter 'path' is missing");
		return -EINVAL;
	}
	n = hmfs_dev_qom_resolve(ctx, path, false, key, sizeof(key));
	if (n == HMFS_QOM_NONE && !strncmp(path, "/machine/unattached", 19) &&
	    strchr("/", path[19])) {
		snprintf(r->err, ERRLEN,
			 "qom-list %.200s: QEMU's board devices (/machine/unattached) are not "
			 "modelled by hotmem", path);
		return -EINVAL;
	}
	if (n == HMFS_QOM_NONE)
		return device_not_found(r, path);
	if (n == HMFS_QOM_AMBIGUOUS) {
		snprintf(r->err, ERRLEN, "Path '%.200s' is ambiguous", path);
		return -EINVAL;
	}
	if (n == HMFS_QOM_DEVICE || n == HMFS_QOM_BACKEND) {
		driver = hmfs_dev_driver(ctx, key);
		if (!driver)
			return device_not_found(r, path); /* gone meanwhile */
	}
	r->ret = json_object_new_array();
	return qom_list_of(ctx, n, driver, r->ret) ? 0 : -ENOMEM;
}

/*
 * QEMU's query-memory-devices, its reply as QEMU gives it (qapi/machine.json
 * MemoryDeviceInfo, QEMU 5.1+ to 9.x: a union, {"type": "dimm", "data":
 * PCDIMMDeviceInfo} or {"type": "virtio-mem", "data": VirtioMEMDeviceInfo},
 * members in the schema's order), so that a QMP client's memory-device
 * code reads it (usereye3 #38), by address as QEMU lists them.  What
 * hotmem does not model, said in docs/hotmemctl.md: memdev is "" (no
 * memory backends: device_add's size= stands for the backend's size);
 * hotplugged is false for a device the profile boots with (QEMU's
 * -device on the command line), true for one device_add plugged, a
 * restart from the state file too.  hotmem's
 * own view (driver, memory group, the guest driver's state) is the
 * devices command's.  Made under dev_lock, as hmfs_devices_json().
 */
static json_object *qemu_dimm_info(const struct hmfs_dev *d)
{
	json_object *o = json_object_new_object();

	/* "id" optional: an anonymous device has none */
	return made_if(o, (!hmfs_dev_qdev_id(d->id) ||
			   hmfs_json_add_new(o, "id", json_object_new_string(d->id))) &&
				  hmfs_json_add_new(o, "addr", json_object_new_int64((int64_t)d->addr)) &&
				  hmfs_json_add_new(o, "size", json_object_new_int64((int64_t)d->size)) &&
				  hmfs_json_add_new(o, "slot", json_object_new_int(d->slot)) &&
				  hmfs_json_add_new(o, "node", json_object_new_int(d->node)) &&
				  hmfs_json_add_new(o, "memdev", json_object_new_string("")) &&
				  hmfs_json_add_new(o, "hotplugged",
						    json_object_new_boolean(!d->from_profile)) &&
				  /* pc-dimm's DeviceClass: every DIMM may be unplugged, a cold-plugged one too */
				  hmfs_json_add_new(o, "hotpluggable", json_object_new_boolean(true)));
}

static json_object *qemu_vmem_info(const struct hmfs_dev *d)
{
	struct hm_virtio_mem_info vi = { 0 };
	json_object *o = json_object_new_object();

	if (d->vm)
		hotmem_virtio_mem_info(d->vm, &vi);
	return made_if(
		o, (!hmfs_dev_qdev_id(d->id) || hmfs_json_add_new(o, "id", json_object_new_string(d->id))) &&
			   hmfs_json_add_new(o, "memaddr", json_object_new_uint64(d->addr)) &&
			   /* the host's, a qom-set queued behind a guest's offline included */
			   hmfs_json_add_new(o, "requested-size",
					     json_object_new_uint64(hmfs_dev_host_requested(d))) &&
			   /* QEMU's size: what the guest plugged (virtio_mem_get_size()), as qom-get's */
			   hmfs_json_add_new(o, "size", json_object_new_uint64(vi.plugged_size)) &&
			   hmfs_json_add_new(o, "max-size", json_object_new_uint64(d->size)) &&
			   hmfs_json_add_new(o, "block-size", json_object_new_uint64(d->block_size)) &&
			   hmfs_json_add_new(o, "node", json_object_new_int(d->node)) &&
			   hmfs_json_add_new(o, "memdev", json_object_new_string("")));
}

/* a QEMU memory device's address: a DIMM's addr, a virtio-mem device's memaddr */
static uint64_t qemu_dev_addr(json_object *dev)
{
	json_object *data = hmfs_json_member(dev, "data"), *a = hmfs_json_member(data, "addr");

	return json_object_get_uint64(a ? a : hmfs_json_member(data, "memaddr"));
}

/* qsort()'s, over json-c's array elements (json_object **) */
static int qemu_dev_cmp(const void *a, const void *b)
{
	uint64_t x = qemu_dev_addr(*(json_object *const *)a), y = qemu_dev_addr(*(json_object *const *)b);

	return x < y ? -1 : x > y;
}

/* query-memory-devices' reply made from the device list (dev_lock held): dev.c's snapshot too */
json_object *hmfs_memory_devices_json(struct hmfs_ctx *ctx)
{
	json_object *a = json_object_new_array();

	for (const struct hmfs_dev *d = ctx->devs; a && d; d = d->next) {
		bool dimm = d->type == HMFS_PC_DIMM;
		json_object *o = json_object_new_object();

		o = made_if(o, hmfs_json_add_new(o, "type",
						 json_object_new_string(dimm ? "dimm" : "virtio-mem")) &&
				       hmfs_json_add_new(o, "data",
							 dimm ? qemu_dimm_info(d) : qemu_vmem_info(d)));
		if (!hmfs_json_push_new(a, o)) { /* NULL: no memory, the callers' ENOMEM */
			json_object_put(a);
			return NULL;
		}
	}
	if (!a)
		return NULL;
	/* by address, as QEMU's qmp_memory_device_list() (memory_device_addr_sort); ours: plug order */
	json_object_array_sort(a, qemu_dev_cmp);
	return a;
}

/* never waits for an eject: hmfs_dev_query_json() */
static int cmd_query_devices(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)args;
	r->ret = hmfs_dev_query_json(ctx);
	return r->ret ? 0 : -ENOMEM;
}

/* the id of the DIMM in ACPI slot @slot in @devs (query-memory-devices' reply), or NULL */
static const char *qemu_dimm_in_slot(json_object *devs, int slot)
{
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *dev = json_object_array_get_idx(devs, i);
		json_object *data = hmfs_json_member(dev, "data"), *s = hmfs_json_member(data, "slot");

		if (s && json_object_get_int(s) == slot)
			return json_object_get_string(hmfs_json_member(data, "id"));
	}
	return NULL;
}

/*
 * QEMU's query-acpi-ospm-status (qapi/acpi.json ACPIOSTInfo, members in its
 * order): a DIMM slot each, as acpi_memory_ospm_status() lists them
 * (hw/acpi/memory_hotplug.c, 7.2): "device" only while a DIMM with an id
 * is in the slot, "slot" the number as a string, the guest's last _OST's
 * source and status (0 and 0 before any).  QEMU lists its CPU slots after
 * them ("slot-type": "CPU"); hotmem models no CPU hotplug, so has none.
 * Checked against a real QEMU 7.2 + 6.12 guest: tests/fixtures/acpi-refused.
 */
static json_object *ospm_slot_json(struct hmfs_ctx *ctx, int i, const char *id)
{
	json_object *o = json_object_new_object();
	struct hmfs_acpi_slot s;
	char slot[16];

	hmfs_acpi_slot_get(ctx, i, &s);
	snprintf(slot, sizeof(slot), "%d", i);
	return made_if(o, (!id || hmfs_json_add_new(o, "device", json_object_new_string(id))) &&
				  hmfs_json_add_new(o, "slot", json_object_new_string(slot)) &&
				  hmfs_json_add_new(o, "slot-type", json_object_new_string("DIMM")) &&
				  hmfs_json_add_new(o, "source", json_object_new_int(s.ost_source)) &&
				  hmfs_json_add_new(o, "status", json_object_new_int(s.ost_status)));
}

static int cmd_query_acpi_ospm_status(struct hmfs_ctx *ctx, json_object *args,
				      struct cmd_result *r)
{
	/* the devices as one snapshot, that never waits for an eject (hmfs_dev_query_json()) */
	json_object *devs = hmfs_dev_query_json(ctx);

	(void)args;
	if (!devs)
		return -ENOMEM;
	r->ret = json_object_new_array();
	for (int i = 0; r->ret && i < ctx->nr_acpi_slots; i++) {
		if (!hmfs_json_push_new(r->ret, ospm_slot_json(ctx, i, qemu_dimm_in_slot(devs, i)))) {
			json_object_put(r->ret);
			r->ret = NULL;
		}
	}
	json_object_put(devs);
	return r->ret ? 0 : -ENOMEM;
}

/*
 * QEMU's query-version: the QEMU whose QMP this follows, as the greeting
 * says it (qmp.c); libvirt and generic QMP clients ask it first thing
 * (usereye7 #11f)
 */
static int cmd_query_version(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)ctx;
	(void)args;
	r->ret = hmfs_qmp_version();
	return r->ret ? 0 : -ENOMEM;
}

/*
 * QEMU's query-status (qapi/run-state.json StatusInfo, 9.2: "singlestep"
 * removed in 9.1): the machine's guest runs from hotmemfs's start to its
 * stop -- no paused state, no -S
 */
static int cmd_query_status(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)ctx;
	(void)args;
	return ret_before(r, NULL) ||
			       !hmfs_json_add_new(r->ret, "running", json_object_new_boolean(1)) ||
			       !hmfs_json_add_new(r->ret, "status", json_object_new_string("running")) ?
		       -ENOMEM :
		       0;
}

/*
 * QEMU's query-memory-size-summary (hw/core/machine-qmp-cmds.c
 * qmp_query_memory_size_summary(), MemoryInfo): "base-memory" the
 * machine's ram_size (-m: boot RAM with the holes below 1 MiB, dev.c),
 * "plugged-memory" what the memory devices plug (get_plugged_memory_size():
 * a DIMM's size, a virtio-mem device's plugged size) -- the sizes
 * query-memory-devices lists, of the same snapshot.
 */
static int cmd_query_memory_size_summary(struct hmfs_ctx *ctx, json_object *args,
					 struct cmd_result *r)
{
	json_object *devs = hmfs_dev_query_json(ctx);
	uint64_t plugged = 0;

	(void)args;
	if (!devs)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *data = hmfs_json_member(json_object_array_get_idx(devs, i), "data");

		plugged += json_object_get_uint64(hmfs_json_member(data, "size"));
	}
	json_object_put(devs);
	return ret_before(r, NULL) ||
			       !hmfs_json_add_new(r->ret, "base-memory",
						  json_object_new_uint64(hmfs_dev_base_memory(ctx))) ||
			       !hmfs_json_add_new(r->ret, "plugged-memory", json_object_new_uint64(plugged)) ?
		       -ENOMEM :
		       0;
}

/*
 * hotmem's own view of the devices: QEMU's and what hotmem knows besides
 * (json.c); with "id" (an id or a QOM path, resolved as qom-set resolves
 * it) the one device as device_add returns it, dev_return(): what
 * hotmemctl's qom-set prints after QEMU's {} (usereye7 #2's leftover)
 */
static int cmd_devices(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	const char *id;
	bool backend;
	int ret;

	if (arg_string(args, "id", &id, r->err))
		return -EINVAL;
	if (!id) {
		r->ret = hmfs_devices_json(ctx, HMFS_VIEW_STATUS);
		return r->ret ? 0 : -ENOMEM;
	}
	ret = qom_device(ctx, id, false, key, sizeof(key), &backend, NULL, r);
	if (ret == 1) /* a container */
		return device_not_found(r, id);
	if (ret)
		return ret;
	r->ret = dev_return(ctx, key);
	if (!r->ret) /* no memory: not "not found" (ctlnomem44) */
		return -ENOMEM;
	if (!json_object_object_get_ex(r->ret, "id", NULL)) { /* gone meanwhile */
		json_object_put(r->ret);
		r->ret = NULL;
		return device_not_found(r, id);
	}
	return 0;
}

static int cmd_status(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	(void)args;
	r->ret = status_json(ctx);
	return r->ret ? 0 : -ENOMEM;
}

/*
 * `current` of a command's offline: offline_pages() migrates until the
 * range is free and only signal_pending() ends it (6.12, "signal
 * backoff").  A control client sends no signal; what stands for one is
 * its hang-up (killed, or its own -t ran out), hotmemfs stopping (every
 * other thread of the stop would wait for change_lock), and the
 * command's "timeout" (ms), as `hotmem run`'s offline BLOCK timeout=MS.
 */
struct ctl_signal {
	struct hmfs_ctx *ctx;
	const struct hotmem_task *client;
	struct timespec end; /* tv_sec 0: no timeout */
	const char *why; /* which one came, for the reply */
};

static bool ctl_signal_pending(void *arg)
{
	struct ctl_signal *s = arg;

	if (__atomic_load_n(&s->ctx->stopping, __ATOMIC_ACQUIRE))
		s->why = "hotmemfs is stopping";
	else if (s->client && s->client->signal_pending(s->client->arg))
		s->why = "the client hung up";
	else if (s->end.tv_sec && hmfs_deadline_passed(&s->end))
		s->why = "the timeout ran out";
	return s->why != NULL;
}

/* the client's comm, as its connection knows it (ctlsock.c), for the change's task */
static void ctl_comm(void *arg, char *buf, size_t len)
{
	const struct ctl_signal *s = arg;

	if (s->client && s->client->comm)
		s->client->comm(s->client->arg, buf, len);
}

static void ctl_signal_init(struct ctl_signal *s, struct hmfs_ctx *ctx,
			    const struct hotmem_task *client, long long timeout_ms)
{
	*s = (struct ctl_signal){ .ctx = ctx, .client = client };
	if (timeout_ms <= 0)
		return;
	hmfs_deadline_after(&s->end, (long)timeout_ms);
}

/* block @id is already where online type @type takes it: offline, or online in any zone */
static bool block_already(struct hmfs_ctx *ctx, unsigned long id, int type)
{
	struct hm_block_info bi;

	if (hotmem_block_info(ctx->hm, id, &bi))
		return false;
	return type == HM_MMOP_OFFLINE ? bi.state == HM_MEM_OFFLINE : bi.state == HM_MEM_ONLINE;
}

/* ", first-last" (", first" alone; no ", " first in @buf) at *@n of @buf, as far as @len goes */
static void range_append(char *buf, size_t len, size_t *n, unsigned long first, unsigned long last)
{
	if (*n >= len)
		return;
	if (last > first)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s%lu-%lu", *n ? ", " : "", first, last);
	else
		*n += (size_t)snprintf(buf + *n, len - *n, "%s%lu", *n ? ", " : "", first);
}

/*
 * "0-39, 64-71": the memory blocks there are (the present ids, merged
 * where they touch), for a command that named one that is not (usereye4
 * #8); cut short with "..." past @len
 */
static void blocks_there(struct hmfs_ctx *ctx, char *buf, size_t len)
{
	unsigned long id = 0, first = 0, last = 0;
	bool any = false;
	size_t n = 0;

	buf[0] = '\0';
	for (bool start = true; n < len && !hotmem_block_next(ctx->hm, &id, start); start = false) {
		if (any && id == last + 1) {
			last = id;
			continue;
		}
		if (any)
			range_append(buf, len, &n, first, last);
		first = last = id;
		any = true;
	}
	if (any)
		range_append(buf, len, &n, first, last);
	if (n >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

static bool block_exists(struct hmfs_ctx *ctx, unsigned long id)
{
	struct hm_block_info bi;

	return !hotmem_block_info(ctx->hm, id, &bi);
}

/* the block's last offline failed in MEM_GOING_OFFLINE: who refused it, in @buf */
static bool notifier_refused(struct hmfs_ctx *ctx, unsigned long id, char *buf, size_t len)
{
	struct hm_block_info bi;

	return !hotmem_block_info(ctx->hm, id, &bi) && hmfs_offline_refused(ctx, &bi, buf, len);
}

/*
 * An offline's EINVAL that is no "already offline", or its ENOMEM: what
 * explain knows of it, its verdict @verdict (einval: a block spanning
 * several zones or nodes, memory holes; enomem: the free huge pages'
 * vmemmap restore found no kernel memory, or a memmap the host left
 * unmapped), in @buf.  6.12 says nothing (memory_block_offline(): `if
 * (!mem->zone) return -EINVAL`; the log's "failure to dissolve huge
 * pages"); the reply says why, as an EBUSY's names explain (usereye5 #8b,
 * abuse25b C1).
 */
static bool offline_reason(struct hmfs_ctx *ctx, unsigned long id, const char *verdict, char *buf,
			   size_t len)
{
	struct hm_explain *ex = malloc(sizeof(*ex));
	bool known = ex && !hotmem_explain(ctx->hm, id, ex) && ex->verdict &&
		     !strcmp(ex->verdict, verdict);

	if (known)
		snprintf(buf, len, "%.*s", (int)len - 1, ex->reason);
	free(ex);
	return known;
}

static int cmd_block_set_state(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	struct hmfs_change ch = { .op = HMFS_CH_BLOCK_STATE };
	struct ctl_signal sig;
	const struct hotmem_task task = { .signal_pending = ctl_signal_pending, .arg = &sig,
					  .comm = ctl_comm };
	long long block, timeout;
	const char *state;
	char why[320];
	int ret;

	if (arg_string(args, "state", &state, r->err))
		return -EINVAL;
	if (arg_int_form(args, "block", INT_BLOCK, -1, &block, r->err) ||
	    arg_int(args, "timeout", 0, &timeout, r->err))
		return -EINVAL;
	ch.value = state ? hmu_online_type_from_str(state) : -EINVAL;
	if (block < 0 || ch.value < 0 || timeout < 0) {
		snprintf(
			r->err, ERRLEN,
			"need 'block' and 'state' (offline, online, online_kernel, online_movable), 'timeout' (ms) >= 0");
		return -EINVAL;
	}
	ch.id = (unsigned long)block;
	ctl_signal_init(&sig, ctx, r->client, timeout);
	ch.task = &task;
	if (ret_before(r, NULL))
		return -ENOMEM;
	ret = hmfs_change(ctx, &ch, r->err, ERRLEN);
	/* hmfs_change() says why in r->err only when the change never ran (the change_lock wait) */
	if (ret == -EINTR && sig.why && r->err[0]) {
		snprintf(r->err, ERRLEN,
			 "memory%lld: %s interrupted (%s) while waiting for another change to the "
			 "machine (a looping offline?): nothing done, the block left as it was",
			 block, state, sig.why);
		return ret;
	}
	/* an offline interrupted: say where to look, as its EBUSY does (user42 U3) */
	if (ret == -EINTR && sig.why && ch.value == HM_MMOP_OFFLINE) {
		snprintf(r->err, ERRLEN,
			 "memory%lld: %s interrupted (%s): pages still in use, the block left as it was; `hotmemctl explain %lld` sums up what is in the way by owner",
			 block, state, sig.why, block);
		return ret;
	}
	if (ret == -EINTR && sig.why) {
		snprintf(r->err, ERRLEN, "memory%lld: %s interrupted (%s): the block left as it was",
			 block, state, sig.why);
		return ret;
	}
	/* the kernel's EINVAL for a block already there (device_offline()/_online() return 1) */
	if (ret == -EINVAL && block_already(ctx, (unsigned long)block, (int)ch.value)) {
		snprintf(r->err, ERRLEN, "memory%lld: %s failed: %s (already %s)", block, state,
			 strerror(-ret), ch.value == HM_MMOP_OFFLINE ? "offline" : "online");
		return ret;
	}
	/* a memory notifier refused it: nothing in the way to explain (usereye3 #37) */
	if (ret && ch.value == HM_MMOP_OFFLINE &&
	    notifier_refused(ctx, (unsigned long)block, why, sizeof(why))) {
		snprintf(r->err, ERRLEN, "memory%lld: %s failed: %s: %s", block, state,
			 strerror(-ret), why);
		return ret;
	}
	if ((ret == -EINVAL || ret == -ENOMEM) && ch.value == HM_MMOP_OFFLINE &&
	    offline_reason(ctx, (unsigned long)block, ret == -EINVAL ? "einval" : "enomem", why,
			   sizeof(why))) {
		snprintf(r->err, ERRLEN,
			 "memory%lld: %s failed: %s: it %.300s (`hotmemctl explain %lld`)", block,
			 state, strerror(-ret), why, block);
		return ret;
	}
	/* where to look, as a store's EBUSY says in the log (attrs.c) */
	if (ret == -EBUSY && ch.value == HM_MMOP_OFFLINE) {
		snprintf(r->err, ERRLEN,
			 "memory%lld: %s failed: %s: `hotmemctl explain %lld` sums up what is in the way by owner, `--all` lists every page",
			 block, state, strerror(-ret), block);
		return ret;
	}
	if (ret == -ENODEV && !block_exists(ctx, (unsigned long)block)) {
		char there[256];

		blocks_there(ctx, there, sizeof(there));
		snprintf(r->err, ERRLEN, "memory%lld: %s failed: %s (no memory%lld; the memory blocks: %s)",
			 block, state, strerror(-ret), block, there);
		return ret;
	}
	if (ret) {
		snprintf(r->err, ERRLEN, "memory%lld: %s failed: %s", block, state, strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * alloc's node is a preference (c14301a): EINVAL for a node without
 * memory, as set_mempolicy() intersects its nodes with N_MEMORY; say which
 * case the user hit, as hugetlb's refusal names its node.
 */
static void alloc_error(struct hmfs_ctx *ctx, int node, int ret, struct cmd_result *r)
{
	int possible = hotmem_nr_possible_nodes(ctx->hm);
	struct hm_node_info ni;
	char why[64 + 4 * HM_MAX_NUMNODES];

	hmfs_node_missing(ctx, node, why, sizeof(why));
	if (ret == -EINVAL && (node < -1 || node >= possible))
		snprintf(r->err, ERRLEN, "allocation failed: %s: %s", strerror(-ret), why);
	else if (ret == -EINVAL && node >= 0 &&
		 (hotmem_node_info(ctx->hm, node, &ni) || !ni.has_memory))
		snprintf(r->err, ERRLEN, "allocation failed: %s: node %d has no memory",
			 strerror(-ret), node);
	else
		snprintf(r->err, ERRLEN, "allocation failed: %s", strerror(-ret));
}

static int cmd_alloc(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	json_object *allocated;
	const char *type;
	long long pages;
	long n;
	int t, node;

	if (arg_string(args, "type", &type, r->err))
		return -EINVAL;
	if (arg_int(args, "pages", 0, &pages, r->err) ||
	    arg_node(args, INT_HOTMEM, -1, &node, r->err))
		return -EINVAL;
	t = !type ? -1 : !strcmp(type, "movable") ? HM_ALLOC_MOVABLE :
	    !strcmp(type, "unmovable") ? HM_ALLOC_UNMOVABLE :
	    !strcmp(type, "pinned") ? HM_ALLOC_PINNED : -1;
	if (t < 0 || pages <= 0) {
		snprintf(r->err, ERRLEN, "need 'type' (movable|unmovable|pinned) and 'pages' > 0");
		return -EINVAL;
	}
	/* what was asked, so that a reader can tell "all" from "some" */
	if (ret_before(r, NULL) || !(allocated = ret_number(r->ret, "allocated")) ||
	    !hmfs_json_add_new(r->ret, "requested", json_object_new_int64(pages)) ||
	    !hmfs_json_add_new(r->ret, "type", json_object_new_string(type)))
		return -ENOMEM;
	n = hotmem_alloc_pages(ctx->hm, node, t, (unsigned long)pages, NULL);
	if (n < 0) {
		alloc_error(ctx, node, (int)n, r);
		return (int)n;
	}
	json_object_set_int64(allocated, n);
	return 0;
}

static int cmd_free_all(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	json_object *freed;

	(void)args;
	if (ret_before(r, NULL) || !(freed = ret_number(r->ret, "freed")))
		return -ENOMEM;
	json_object_set_uint64(freed, hotmem_free_all(ctx->hm));
	return 0;
}

/*
 * A node's pool is its nodeN/hugepages/.../nr_hugepages (0c9c881): the
 * engine's EINVAL for a node that is not possible and ENOENT for one not
 * online (no such file) name the node, as device_add's node check does.
 * Its ENOMEM is a growth that found no free 2 MiB range at all: said as
 * the reply of one that found some says it ("added 3 of 100 ...; it now
 * holds"), with the pool as it stays.
 */
static void hugetlb_error(struct hmfs_ctx *ctx, int node, long long pages, int ret,
			  const char *err, struct cmd_result *r)
{
	int possible = hotmem_nr_possible_nodes(ctx->hm);
	char why[64 + 4 * HM_MAX_NUMNODES];
	struct hm_meminfo mi;

	hmfs_node_missing(ctx, node, why, sizeof(why));
	if (err[0]) {
		snprintf(r->err, ERRLEN, "hugetlb: %s", err);
	} else if (ret == -EINVAL && (node < -1 || node >= possible)) {
		snprintf(r->err, ERRLEN, "hugetlb: %s: %s", strerror(-ret), why);
	} else if (ret == -ENOENT && node >= 0) {
		snprintf(r->err, ERRLEN, "hugetlb: %s: node %d is not online (no node%d/hugepages)",
			 strerror(-ret), node, node);
	} else if (ret == -ENOMEM && pages > 0) {
		hotmem_meminfo(ctx->hm, &mi);
		snprintf(why, sizeof(why), " on node %d", node);
		snprintf(r->err, ERRLEN,
			 "hugetlb: added 0 of %lld huge %s of 2 MiB asked for: no free 2 MiB range%s "
			 "(%s); it holds %llu, %llu free",
			 pages, pages == 1 ? "page" : "pages", node >= 0 ? why : "", strerror(-ret),
			 (unsigned long long)mi.hugetlb_pages, (unsigned long long)mi.hugetlb_free);
	} else {
		snprintf(r->err, ERRLEN, "hugetlb: %s", strerror(-ret));
	}
}

static int cmd_hugetlb(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	struct hm_meminfo mi;
	long long pages;
	long n;
	int node;

	struct hmfs_change ch = { .op = HMFS_CH_HUGETLB, .done = &n };
	json_object *done, *done_too, *pool, *pool_free;
	struct ctl_signal sig;
	const struct hotmem_task task = { .signal_pending = ctl_signal_pending, .arg = &sig,
					  .comm = ctl_comm };
	char err[400] = "";
	int ret;

	if (arg_int_required(args, "pages", &pages, r->err) ||
	    arg_node(args, INT_HOTMEM, -1, &node, r->err))
		return -EINVAL;
	/* the pool is in the state file: saved, and undone when its save fails (review8 #2) */
	ch.value = pages;
	ch.dev.node = node;
	/*
	 * Its wait for change_lock behind a guest's looping offline ends at
	 * the client's hang-up (its -t ran out) or hotmemfs's stop, nothing
	 * changed, as a FUSE writer's at its interrupt: the client that gave
	 * up left its control slot taken and the pool changed after all once
	 * the offline ended (abuse24 A3)
	 */
	ctl_signal_init(&sig, ctx, r->client, 0);
	ch.task = &task;
	n = 0;
	/* its reply's numbers made before the change, set after: "pages" is how many were added (pages >= 0) or freed (pages < 0) */
	if (ret_before(r, NULL) || !(done = ret_number(r->ret, "pages")) ||
	    !hmfs_json_add_new(r->ret, "requested", json_object_new_int64(pages)) ||
	    !(done_too = ret_number(r->ret, pages >= 0 ? "added" : "freed")) ||
	    !(pool = ret_number(r->ret, "pool-pages")) || !(pool_free = ret_number(r->ret, "pool-free")))
		return -ENOMEM;
	ret = hmfs_change(ctx, &ch, err, sizeof(err));
	if (ret == -EINTR && sig.why) {
		snprintf(r->err, ERRLEN,
			 "hugetlb: interrupted (%s) while waiting for another change to the machine "
			 "(a looping offline?): nothing done, the pool left as it was", sig.why);
		return ret;
	}
	if (ret < 0) {
		hugetlb_error(ctx, node, pages, ret, err, r);
		return ret;
	}
	hotmem_meminfo(ctx->hm, &mi);
	json_object_set_int64(done, n);
	json_object_set_int64(done_too, n);
	json_object_set_uint64(pool, mi.hugetlb_pages);
	json_object_set_uint64(pool_free, mi.hugetlb_free);
	return 0;
}

/*
 * `inject ACTION 0` of an armed error: the notifier-error-inject file's
 * change (a parameter journaled without change_lock, as a write of
 * memory/actions/ACTION/error), so that the clear an admin was told of
 * survives kill -9 -- an error saved by a later change's record came back
 * after the restart and failed every onlining or offlining (abuse26 E4).
 * Arming stays unrecorded (it works on a full disk); a clear whose save
 * fails clears anyway and says the restart would bring the error back.
 * A frozen hotmemfs refuses it (EROFS) as it refuses every change, and so
 * does the client's signal while it waits for change_lock (EINTR): a
 * change never tried, the error left armed.  So is a clear whose own
 * save froze hotmemfs (machine.c unsaved(): the undo not matched to the
 * file, a kept record not superseded; it returns the sync's error, not
 * EROFS): the machine stays as the file it now stands by has it, and the
 * client gets the frozen words (reread27 R4).
 */
static int inject_clear(struct hmfs_ctx *ctx, int action, struct cmd_result *r)
{
	struct ctl_signal sig;
	const struct hotmem_task task = { .signal_pending = ctl_signal_pending, .arg = &sig,
					  .comm = ctl_comm };
	const struct hmfs_change ch = hmfs_change_notifier_error(action, 0, &task);
	char err[400] = "";
	int ret;

	ctl_signal_init(&sig, ctx, r->client, 0);
	if (ret_before(r, NULL))
		return -ENOMEM;
	ret = hmfs_change(ctx, &ch, err, sizeof(err)); /* the log has @err */
	if (ret == -EINTR && sig.why) {
		snprintf(r->err, ERRLEN,
			 "inject: interrupted (%s) while waiting for another change to the machine "
			 "(a looping offline?): nothing done, the error left armed", sig.why);
		return ret;
	}
	if (ret == -EROFS || ret == -EINTR ||
	    (ret && __atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE))) {
		snprintf(r->err, ERRLEN, "%s", err);
		return ret;
	}
	if (!ret)
		return 0;
	/*
	 * @err says the change was undone: the clear is made anyway, unsaved
	 * -- said if there is memory for it (the log has it either way)
	 */
	hotmem_set_notifier_error(ctx->hm, action, 0);
	hmfs_json_add_new(r->ret, "not-saved", json_object_new_string(strerror(-ret)));
	return 0;
}

static int cmd_inject(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	const char *action;
	long long err;
	int a;

	if (arg_string(args, "action", &action, r->err))
		return -EINVAL;
	if (arg_int_required(args, "error", &err, r->err))
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
	if (!err && hotmem_get_notifier_error(ctx->hm, a) && ctx->state_path[0])
		return inject_clear(ctx, a, r);
	if (ret_before(r, NULL))
		return -ENOMEM;
	hotmem_set_notifier_error(ctx->hm, a, (int)err);
	return 0;
}

static int cmd_fail_nth(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	long long nth;

	if (arg_int_required(args, "nth", &nth, r->err))
		return -EINVAL;
	if (nth < 0) {
		snprintf(r->err, ERRLEN, "'nth' must be >= 0");
		return -EINVAL;
	}
	if (ret_before(r, NULL))
		return -ENOMEM;
	/* status asks the engine what is left of it (hotmem_fail_nth_pending()) */
	hotmem_fail_nth_alloc(ctx->hm, (unsigned long)nth);
	return 0;
}

static int cmd_check(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	int ret;

	(void)args;
	ret = hotmem_check_invariants(ctx->hm, r->err, ERRLEN);
	if (ret)
		return ret;
	return ret_before(r, NULL) ||
			       !hmfs_json_add_new(r->ret, "ok", json_object_new_boolean(true)) ?
		       -ENOMEM :
		       0;
}

/*
 * the emulated kernel's log ring, as dmesg -r prints it; "boot": the log
 * as the boot left it, kept whole (hotmemctl export's: the ring loses
 * the boot's lines after a few hundred onlines)
 */
static int cmd_dmesg(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	/*
	 * the ring's 64 KiB (engine/internal.h HM_DMESG_SIZE), the boot's
	 * copy at most that, and the NUL: a full log lost a byte (tidy36)
	 */
	static const size_t len = 64 * 1024 + 1;
	char *log;
	int boot, ret;

	if (arg_bool(args, "boot", 0, &boot, r->err))
		return -EINVAL;
	log = malloc(len);
	if (!log)
		return -ENOMEM;
	if (boot)
		hotmem_boot_dmesg(ctx->hm, log, len);
	else
		hotmem_dmesg(ctx->hm, log, len);
	ret = ret_before(r, NULL) || !hmfs_json_add_new(r->ret, "log", json_object_new_string(log)) ?
		      -ENOMEM : 0;
	free(log);
	return ret;
}

/*
 * why a block would not go offline: the pages in the way by owner, the
 * first HM_EXPLAIN_MAX entries from "from" (a pfn) on, "next" where the
 * following ones start.  "all": the caller pages through every entry
 * (hotmemctl explain N --all), so the text is the head and entries
 * of the first page, the entries alone of the next ones; and a next
 * one ("all" with "from") is the page alone (hotmem_explain_page()),
 * its walk ending after its entries: the whole list walks the block
 * once, not once a page (usereye7 #15)
 */
static int cmd_explain(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	char *json = NULL, *text = NULL, hint[96];
	long long block, from;
	unsigned int parts;
	int ret, all;

	if (arg_int_form(args, "block", INT_BLOCK, -1, &block, r->err) ||
	    arg_int(args, "from", -1, &from, r->err) ||
	    arg_bool(args, "all", 0, &all, r->err))
		return -EINVAL;
	if (block < 0) {
		snprintf(r->err, ERRLEN, "need 'block'");
		return -EINVAL;
	}
	if (from < -1) {
		snprintf(r->err, ERRLEN, "Parameter 'from' expects a pfn");
		return -EINVAL;
	}
	if (all)
		parts = HM_EXPLAIN_TEXT_ROWS | (from < 0 ? HM_EXPLAIN_TEXT_HEAD : HM_EXPLAIN_PAGE_ONLY);
	else
		parts = HM_EXPLAIN_TEXT_HEAD | HM_EXPLAIN_TEXT_ROWS | HM_EXPLAIN_TEXT_MORE;
	snprintf(hint, sizeof(hint), ": `hotmemctl explain %lld --all` lists them", block);
	ret = hotmem_explain_render(ctx->hm, (unsigned long)block, from < 0 ? 0 : (uint64_t)from,
				    &json, parts, hint, &text);
	if (ret) {
		snprintf(r->err, ERRLEN, "memory%lld: %s", block, strerror(-ret));
		return ret;
	}
	r->ret = json_tokener_parse(json);
	if (!r->ret) {
		snprintf(r->err, ERRLEN, "memory%lld: explanation too long", block);
		ret = -E2BIG;
		goto out;
	}
	if (!hmfs_json_add_new(r->ret, "text", json_object_new_string(text)))
		ret = -ENOMEM;
out:
	free(json);
	free(text);
	return ret;
}

static int cmd_save(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	int ret;

	(void)args;
	/*
	 * -S none: nothing can be written, and a caller who asked for a save
	 * must not take it for one (it returned success, saying nothing):
	 * refused as the stop path says it, ENOENT (no such file)
	 */
	if (!ctx->state_path[0]) {
		snprintf(r->err, ERRLEN, "no state file (-S none): nothing saved");
		return -ENOENT;
	}
	if (ret_before(r, NULL))
		return -ENOMEM;
	ret = hmfs_state_save(ctx);
	if (ret == -EROFS) {
		/* a reply's error holds ERRLEN: what to do kept whole */
		hmfs_state_frozen_say(ctx, r->err, ERRLEN);
		return ret;
	}
	if (ret) {
		snprintf(r->err, ERRLEN, "saving %.400s: %s", ctx->state_path, strerror(-ret));
		return ret;
	}
	return 0;
}

/* seconds, a JSON number or a string ("2.5", hmfs_ctlargs_seconds()), 0..HMFS_CTL_MAX_WAIT_S: milliseconds */
static int arg_seconds(json_object *args, const char *key, double def, long *ms, char *err)
{
	json_object *v = arg(args, key);
	double s = def;
	bool ok = true;

	if (v && (json_object_is_type(v, json_type_int) ||
		  json_object_is_type(v, json_type_double))) {
		s = json_object_get_double(v);
		ok = s >= 0 && s <= HMFS_CTL_MAX_WAIT_S; /* NaN too */
	} else if (v && json_object_is_type(v, json_type_string)) {
		ok = !hmfs_ctlargs_seconds(json_object_get_string(v), &s);
	} else if (v) {
		ok = false;
	}
	if (!ok) {
		snprintf(err, ERRLEN, "Parameter '%s' expects seconds (0..%d)", key, HMFS_CTL_MAX_WAIT_S);
		return -EINVAL;
	}
	*ms = (long)(s * 1000 + 0.5);
	return 0;
}

/*
 * settle's "held": the uevents sent but held for a -u listener whose queue
 * is full (stopped, or slower than the events), each sent as it reads.
 * settle does not wait for a listener (a stopped one would hold it until
 * its timeout); it says who has not read (usereye8 5c).  False: no memory.
 */
static bool settle_held(struct hmfs_ctx *ctx, json_object *o)
{
	json_object *a = NULL;

	for (int i = 0; i < ctx->sink.nr_paths; i++) {
		unsigned int n = hmfs_uevent_sink_held(&ctx->sink, i);
		json_object *h;

		if (!n)
			continue;
		if (!a && !(a = json_object_new_array()))
			return false;
		h = json_object_new_object();
		h = made_if(h, hmfs_json_add_new(h, "path", json_object_new_string(ctx->sink.paths[i])) &&
				       hmfs_json_add_new(h, "uevents", json_object_new_uint64(n)));
		if (!hmfs_json_push_new(a, h)) {
			json_object_put(a);
			return false;
		}
	}
	return !a || hmfs_json_add_new(o, "held", a);
}

/*
 * `udevadm settle`: every event queued when asked -- the kernel's caches
 * told what changed, the uevent sent, followers given their copy -- is
 * delivered; so a script's `ls`, `stat` or netlink listener after it sees
 * what a device_add, device_del or a sysfs write before it did.  timeout
 * 0 only asks.
 */
static int cmd_settle(struct hmfs_ctx *ctx, json_object *args, struct cmd_result *r)
{
	uint64_t left;
	long ms;
	int ret;

	if (arg_seconds(args, "timeout", HMFS_SETTLE_DEFAULT_S, &ms, r->err))
		return -EINVAL;
	ret = hmfs_events_settle(ctx, ms, &left);
	if (ret == -ESHUTDOWN) {
		snprintf(r->err, ERRLEN, "settle: %llu events not delivered: hotmemfs is stopping",
			 (unsigned long long)left);
		return ret;
	}
	if (ret == -ETIMEDOUT) {
		snprintf(r->err, ERRLEN,
			 "settle: timed out after %ld.%03ld s, %llu events still queued",
			 ms / 1000, ms % 1000, (unsigned long long)left);
		return ret;
	}
	if (ret)
		return ret;
	return ret_before(r, NULL) || !settle_held(ctx, r->ret) ? -ENOMEM : 0;
}

#define CTL_COMMAND(name, fn, flags, help) { name, fn, help, ((flags) & HMFS_CTL_DELIVERED) != 0 },

static const struct {
	const char *name;
	cmd_fn fn;
	const char *help;
	bool delivered; /* replies once its events are out (ctllimits.h: HMFS_CTL_DELIVER_WAIT_MS) */
} commands[] = { HMFS_CTL_COMMANDS(CTL_COMMAND) };

/*
 * An error text that filled its buffer was cut by snprintf() at a byte:
 * maybe inside a UTF-8 sequence, or a U+0000's C0 80 (qmpread.c), and the
 * reply line would not be UTF-8.  Cut it before that character instead.
 */
static void err_cut_whole(char *err)
{
	size_t n = strlen(err), i = n;

	if (n < ERRLEN - 1)
		return;
	while (i > 0 && n - i < 4 && ((unsigned char)err[i - 1] & 0xc0) == 0x80)
		i--;
	if (!i--)
		return;
	if ((unsigned char)err[i] == 0xc0 ? n - i < 2 :
	    !hmfs_utf8_seq((const unsigned char *)err + i, n - i))
		err[i] = '\0';
}

/* QEMU's error reply; NULL, no memory (json-c asserts on a NULL object added to: dup43) */
json_object *hmfs_ctl_error(const char *cls, const char *desc)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();
	json_object *c = json_object_new_string(cls), *d = json_object_new_string(desc);

	if (!o || !e || !c || !d)
		goto fail;
	if (json_object_object_add(e, "class", c))
		goto fail;
	c = NULL; /* @e's */
	if (json_object_object_add(e, "desc", d))
		goto fail;
	d = NULL;
	if (json_object_object_add(o, "error", e))
		goto fail;
	return o;
fail:
	json_object_put(c);
	json_object_put(d);
	json_object_put(e);
	json_object_put(o);
	return NULL;
}

/*
 * QEMU cuts no error message: a fixed buffer here cut a long name's, maybe
 * inside a UTF-8 sequence or a U+0000's C0 80, and the reply line was then
 * not UTF-8
 */
json_object *hmfs_ctl_errorf(const char *cls, const char *fmt, ...)
{
	json_object *e;
	char *desc;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&desc, fmt, ap);
	va_end(ap);
	if (n < 0)
		return hmfs_ctl_error(cls, "out of memory");
	e = hmfs_ctl_error(cls, desc);
	free(desc);
	return e;
}

/* {"name": @name, "help": @help} into @a: false, no memory */
static bool command_info_add(json_object *a, const char *name, const char *help)
{
	json_object *c = json_object_new_object();

	return hmfs_json_push_new(a, made_if(c, hmfs_json_add_new(c, "name", json_object_new_string(name)) &&
							hmfs_json_add_new(c, "help", json_object_new_string(help))));
}

/*
 * Every command the socket runs, QEMU's CommandInfo ("name"; "help" is
 * hotmem's): the table's, and those run outside it -- QEMU lists
 * qmp_capabilities and query-commands too, and a client probing a
 * command by looking it up here (libvirt) finds them (usereye5 #8j).
 * NULL: no memory (query-commands is refused then).
 */
static json_object *query_commands(void)
{
	json_object *a = json_object_new_array();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < sizeof(commands) / sizeof(*commands); i++)
		ok = command_info_add(a, commands[i].name, commands[i].help);
	return made_if(a, ok &&
				  command_info_add(a, "qmp_capabilities",
						   "QMP's capabilities negotiation (qmp.c)") &&
				  command_info_add(a, "query-commands", "the commands this socket runs") &&
				  command_info_add(a, "events", "hotmem's events too from now on: UEVENT, "
								"LOG, with trace TRACE"));
}

/*
 * A command's reply, {"return": ...}, made before the command runs
 * (ctlnomem44: it was made after, and a change done was answered with a
 * closed connection when it found no memory), and its text's printbuf
 * with it -- json-c keeps that on the object, and ctlsock.c's send_json()
 * renders into it again: after the command only its growth allocates.
 * NULL: no memory, nothing run.
 */
static json_object *ctl_reply_new(void)
{
	json_object *reply = json_object_new_object();

	if (reply && !json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN)) {
		json_object_put(reply);
		return NULL;
	}
	return reply;
}

/*
 * @reply (ctl_reply_new()'s) with @ret (taken) as its "return": a constant
 * key into an empty object -- json-c 0.16 neither copies the key nor grows
 * its table (json_object_object_add_ex()), so this cannot fail
 */
static json_object *ctl_return(json_object *reply, json_object *ret)
{
	json_object_object_add_ex(reply, "return", ret,
				  JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
	return reply;
}

/* a command refused for want of memory for its reply: nothing run, the errno said as any refusal's */
static json_object *ctl_nomem(const char *name)
{
	return hmfs_ctl_errorf("GenericError", "%s: %s", name, strerror(ENOMEM));
}

/*
 * Command @name with its arguments @args (NULL: none): the reply.  The
 * request's envelope is qmp.c's (hmfs_qmp_dispatch(): execute, arguments,
 * id, the arguments a command takes, in QEMU's words), which echoes its
 * "id" too; the socket, the tests and the fuzzer all come through it.
 */
json_object *hmfs_ctl_execute(struct hmfs_ctx *ctx, const char *name, json_object *args,
			      struct hmfs_ctl_follow *follow, const struct hotmem_task *client)
{
	struct cmd_result r = { .client = client };
	json_object *reply;
	int ret;

	if (!strcmp(name, "events")) {
		int t;

		if (arg_bool(args, "trace", 0, &t, r.err))
			return hmfs_ctl_error("GenericError", r.err);
		r.ret = json_object_new_object();
		reply = r.ret ? ctl_reply_new() : NULL;
		if (!reply) {
			json_object_put(r.ret);
			return ctl_nomem(name);
		}
		follow->events = true;
		follow->trace = t;
		return ctl_return(reply, r.ret);
	}
	if (!strcmp(name, "query-commands")) {
		r.ret = query_commands();
		reply = r.ret ? ctl_reply_new() : NULL;
		if (!reply) {
			json_object_put(r.ret);
			return ctl_nomem(name);
		}
		return ctl_return(reply, r.ret);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		uint64_t before = hmfs_events_queued(ctx);
		unsigned long faults = hotmem_fault_injected(ctx->hm);

		if (strcmp(commands[i].name, name))
			continue;
		reply = ctl_reply_new();
		if (!reply)
			return ctl_nomem(name);
		ret = commands[i].fn(ctx, args, &r);
		/*
		 * outside change_lock, in the connection's thread: events.c; a
		 * stop that gave up on its notifier ends the wait, the change made
		 */
		if (commands[i].delivered && !r.raised &&
		    hmfs_events_wait_since(ctx, before, HMFS_CTL_DELIVER_WAIT_MS) == -ESHUTDOWN &&
		    !ret && json_object_is_type(r.ret, json_type_object))
			hmfs_json_add_new(r.ret, "warning",
					  json_object_new_string("uevents not delivered: "
								 "hotmemfs is stopping"));
		if (!ret)
			return ctl_return(reply, r.ret);
		json_object_put(reply);
		if (!r.err[0])
			snprintf(r.err, ERRLEN, "%s: %s", name, strerror(-ret));
		/*
		 * fail-nth-alloc's failure is said, not read as the guest's
		 * own ENOMEM (usereye5 #7): the engine counts the failures it
		 * forced (hotmem_fault_injected())
		 */
		if (hotmem_fault_injected(ctx->hm) != faults) {
			size_t n = strlen(r.err);

			snprintf(r.err + n, ERRLEN - n, " (injected: fail-nth-alloc)");
		}
		json_object_put(r.ret);
		err_cut_whole(r.err);
		return hmfs_ctl_error(r.cls ? r.cls : "GenericError", r.err);
	}
	return hmfs_ctl_errorf("CommandNotFound", "The command %s has not been found", name);
}
