// SPDX-License-Identifier: GPL-2.0
/*
 * The machine in JSON: devices and block runs, one serialiser for the
 * control socket's replies (status, query-memory-devices) and the state
 * file.  The two views differ only in which fields they carry: status
 * shows what a user asks about, the state file what rebuilds the machine.
 */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "ctlargs.h" /* hmfs_errno_name() */
#include "hmfs.h"

/*
 * The state file's reader takes a member only when it has the type it
 * needs: a hand-edited or damaged file's wrong type is as good as absent
 * (the reader says so or uses the default), never misread.
 */
json_object *hmfs_json_get(json_object *o, const char *key, json_type t)
{
	json_object *v = hmfs_json_member(o, key);

	return v && json_object_is_type(v, t) ? v : NULL;
}

/*
 * @v, a new value, added to array @a: false, no memory -- @v NULL (its
 * json_object_new_*() failed) or not added (put here: json-c leaves it
 * the caller's).  An element never goes in as null (review43 F9: a whole
 * state-file key then failed its check at the restore and was derived
 * again), nor does json-c assert on a NULL array (dup43: hotmemfs aborted
 * in devices_json_locked() at a device_add's 83rd object).  The state
 * file's and the control replies' one helper.
 */
bool hmfs_json_push_new(json_object *a, json_object *v)
{
	if (a && v && !json_object_array_add(a, v))
		return true;
	json_object_put(v);
	return false;
}

/* a new array of the @n numbers @v ([pfn, count], ...), or NULL: no memory */
json_object *hmfs_json_u64s(const uint64_t *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++) {
		if (!hmfs_json_push_new(a, json_object_new_uint64(v[i]))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* @v, a new value, as @o's @key: as hmfs_json_push_new(), never null, false no memory */
bool hmfs_json_add_new(json_object *o, const char *key, json_object *v)
{
	if (o && v && !json_object_object_add(o, key, v))
		return true;
	json_object_put(v);
	return false;
}

static json_object *errno_json(int err)
{
	char num[HMFS_ERRNO_NAME_LEN];

	return json_object_new_string(hmfs_errno_name(err, num));
}

/*
 * A virtio-mem device's plugged device blocks as [first, count] runs: an
 * unplug the guest refused leaves more plugged than requested, and that
 * must come back too.  Only the memory blocks the driver prepared are
 * walked, however large the region.
 */
static json_object *plugged_json(const struct hmfs_dev *d)
{
	json_object *a = json_object_new_array();
	uint64_t first = 0, count;

	while (a && d->vm && !hotmem_virtio_mem_next_plugged(d->vm, &first, &count)) {
		json_object *run = json_object_new_array();

		/* hmfs_json_push_new() puts @run when it cannot add it */
		if (!hmfs_json_push_new(run, json_object_new_uint64(first)) ||
		    !hmfs_json_push_new(run, json_object_new_uint64(count))) {
			json_object_put(run);
			run = NULL;
		}
		if (!hmfs_json_push_new(a, run)) {
			json_object_put(a);
			return NULL;
		}
		first += count;
	}
	return a;
}

/* the ms left before @d's retry timer fires (0: due now, its run queued) */
static long long retry_in_ms(const struct hmfs_dev *d)
{
	struct timespec now;
	long long ms;

	if (d->retry_fired)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(d->retry_at.tv_sec - now.tv_sec) * 1000 +
	     (d->retry_at.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/*
 * hotmemctl vmem-inject's answers armed, by request: {"plug": {"response":
 * "BUSY", "count": 1}}, the requests left to answer so (finalF F4: a
 * forgotten one failed every later set-size, status silent)
 */
static bool add_vmem_inject(json_object *o, const struct hm_virtio_mem_info *vi)
{
	static const char *const req[2] = { "unplug", "plug" };
	json_object *inj = NULL, *a;

	for (int plug = 1; plug >= 0; plug--) {
		if (!vi->inject_count[plug])
			continue;
		a = json_object_new_object();
		if (!hmfs_json_add_new(a, "response",
			     json_object_new_string(hmfs_vmem_resp_name(vi->inject_resp[plug]))) ||
		    !hmfs_json_add_new(a, "count", json_object_new_uint64(vi->inject_count[plug])))
			goto fail_a;
		if (!inj)
			inj = json_object_new_object();
		if (!hmfs_json_add_new(inj, req[plug], a))
			goto fail;
	}
	return !inj || hmfs_json_add_new(o, "vmem-inject", inj);

fail_a:
	json_object_put(a);
fail:
	json_object_put(inj);
	return false;
}

/*
 * a device the guest has not probed (dev.c hmfs_dev_add_request(),
 * vmem_probe_queued(), hmfs_dev_unprobed()): its probe (a DIMM's ACPI
 * add) queued, refused by the guest (a virtio-mem driver's), or stopped
 * before it ran
 */
static const char *guest_probe(const struct hmfs_dev *d)
{
	return d->probe_queued ? "queued" : d->probe_stopped ? "stopped" : "refused";
}

/* false: no memory, @o then incomplete (the caller drops it) */
static bool add_dev_status(json_object *o, const struct hmfs_dev *d)
{
	bool ok = true;

	ok &= hmfs_json_add_new(o, "memory-group", json_object_new_int(d->group));
	if (d->type == HMFS_PC_DIMM) {
		ok &= hmfs_json_add_new(o, "memmap-on-memory",
				       json_object_new_boolean(d->memmap_on_memory));
		/* QEMU's DIMM whose ACPI add the guest has not run (hotmem's own) */
		if (hmfs_dev_unprobed(d))
			ok &= hmfs_json_add_new(o, "guest-probe",
					       json_object_new_string(guest_probe(d)));
		return ok;
	}
	struct hm_virtio_mem_info vi = { 0 };

	if (d->vm)
		hotmem_virtio_mem_info(d->vm, &vi);
	/* QEMU's `info memory-devices` for a virtio-mem device */
	ok &= hmfs_json_add_new(o, "block-size", json_object_new_uint64(d->block_size));
	/* the host's (QEMU's qom-get): a qom-set queued behind a guest's offline included */
	ok &= hmfs_json_add_new(o, "requested-size", json_object_new_uint64(hmfs_dev_host_requested(d)));
	/* ... which the guest's driver has not seen yet (hotmem's own) */
	if (d->resize_queued)
		ok &= hmfs_json_add_new(o, "requested-size-queued", json_object_new_boolean(true));
	ok &= hmfs_json_add_new(o, "plugged-size", json_object_new_uint64(vi.plugged_size));
	ok &= hmfs_json_add_new(o, "max-size", json_object_new_uint64(d->size));
	ok &= hmfs_json_add_new(o, "memaddr", json_object_new_uint64(d->addr));
	/*
	 * a device_del pending for it (hotmem's own, dev.c del_queued, del_waiters):
	 * a QMP one queued behind a guest's offline, or held by the
	 * hotmemctl device_del(s) waiting, how many
	 */
	if (d->del_queued || d->del_waiters)
		ok &= hmfs_json_add_new(o, "device-del", json_object_new_string(
				d->del_queued ? "queued" : "waited"));
	if (d->del_waiters)
		ok &= hmfs_json_add_new(o, "device-del-waiters", json_object_new_int(d->del_waiters));
	/*
	 * QEMU's device the guest's driver has not probed (hotmem's own):
	 * queued behind a guest's offline, refused by the guest, or stopped
	 * before it ran, hotmemfs frozen (dev.c hmfs_dev_add_request(),
	 * vmem_probe_queued()); no driver to say more
	 */
	if (hmfs_dev_unprobed(d)) {
		ok &= hmfs_json_add_new(o, "guest-probe", json_object_new_string(guest_probe(d)));
		return ok;
	}
	/* the guest's driver, as its dmesg says */
	ok &= hmfs_json_add_new(o, "mode", json_object_new_string(vi.sbm ? "sbm" : "bbm"));
	ok &= hmfs_json_add_new(o, vi.sbm ? "subblock-size" : "big-block-size",
			       json_object_new_uint64(vi.sb_size));
	ok &= hmfs_json_add_new(o, "offline-threshold", json_object_new_uint64(vi.offline_threshold));
	/* where the driver's last unplug stopped short (the kernel logs nothing) */
	if (d->vm && vi.busy_pfn != ~0UL) {
		ok &= hmfs_json_add_new(o, "busy-pfn", json_object_new_uint64(vi.busy_pfn));
		/* the pages would not move (EBUSY), or nothing was free to move them to (ENOMEM) */
		ok &= hmfs_json_add_new(o, "busy-errno",
				       json_object_new_string(vi.busy_err == -ENOMEM ? "ENOMEM" : "EBUSY"));
	}
	/* the device refused the last pass's unplug: nothing in the guest is busy */
	if (vi.unplug_refused)
		ok &= hmfs_json_add_new(o, "unplug-refused",
				       json_object_new_string(vi.unplug_refused == HM_VIRTIO_MEM_RESP_NACK ? "NACK" :
							      vi.unplug_refused == HM_VIRTIO_MEM_RESP_BUSY ? "BUSY" :
															     "ERROR"));
	/* the driver's retry timer (dev.c): armed, fires in retry-in-ms */
	if (d->retry_armed || d->retry_fired)
		ok &= hmfs_json_add_new(o, "retry-in-ms", json_object_new_int64(retry_in_ms(d)));
	/* why: how its last run ended (EBUSY, ENOMEM, ETXTBSY: 6.12 logs nothing) */
	if ((d->retry_armed || d->retry_fired) && vi.last_err < 0)
		ok &= hmfs_json_add_new(o, "retry-errno", errno_json(vi.last_err));
	/* a plug stopped with no retry (-ENOSPC): 6.12 logs nothing, this says why */
	if (d->vm && vi.last_err == -ENOSPC && vi.plugged_size < vi.requested_size) {
		ok &= hmfs_json_add_new(o, "plug-stopped",
				       json_object_new_string(vi.offline_blocked ? "offline-threshold" :
										  "region-full"));
		ok &= hmfs_json_add_new(o, "offline-size", json_object_new_uint64(vi.offline_size));
	}
	/* 6.12's vm->broken: the driver handles nothing more (dmesg: "marking device broken") */
	if (vi.broken) {
		ok &= hmfs_json_add_new(o, "broken", json_object_new_boolean(true));
		ok &= hmfs_json_add_new(o, "broken-errno", errno_json(vi.broken_err));
	}
	ok &= add_vmem_inject(o, &vi);
	return ok;
}

/* as add_dev_status() */
static bool add_dev_state(json_object *o, const struct hmfs_dev *d)
{
	struct hm_virtio_mem_info vi;
	bool ok = true;

	ok &= hmfs_json_add_new(o, "memmap-on-memory", json_object_new_boolean(d->memmap_on_memory));
	ok &= hmfs_json_add_new(o, "block-size", json_object_new_uint64(d->block_size));
	ok &= hmfs_json_add_new(o, "requested-size", json_object_new_uint64(d->requested));
	/* a DIMM QEMU alone has: a restart lists it so, its ACPI add queued again if it was */
	if (d->type == HMFS_PC_DIMM && hmfs_dev_unprobed(d))
		ok &= hmfs_json_add_new(o, "guest-probe", json_object_new_string(guest_probe(d)));
	if (d->type == HMFS_VIRTIO_MEM) {
		ok &= hmfs_json_add_new(o, "plugged-blocks", plugged_json(d));
		/* its virtioN, which a restart's probe takes again (abuse25b C3) */
		if (d->vm && !hotmem_virtio_mem_info(d->vm, &vi))
			ok &= hmfs_json_add_new(o, "virtio-index", json_object_new_int(vi.index));
		/* its driver's retry timer armed after a restart (dev.c) */
		ok &= hmfs_json_add_new(o, "retry-armed",
				       json_object_new_boolean(hmfs_dev_timer_saved(d)));
		/* QEMU's device alone: a restart lists it so, its probe queued again if it was */
		if (!d->vm)
			ok &= hmfs_json_add_new(o, "guest-probe",
					       json_object_new_string(guest_probe(d)));
		/*
		 * a qom-set answered behind a guest's offline, its record
		 * journaled (dev.c vmem_queue()): a restart queues it again
		 */
		if (d->resize_queued)
			ok &= hmfs_json_add_new(o, "queued-requested-size",
					       json_object_new_uint64(d->queued_requested));
	}
	return ok;
}

json_object *hmfs_dev_json(const struct hmfs_dev *d, enum hmfs_view view)
{
	json_object *o = json_object_new_object();
	bool ok = true;

	ok &= hmfs_json_add_new(o, "id", json_object_new_string(d->id));
	ok &= hmfs_json_add_new(o, "driver", json_object_new_string(hmfs_dev_type_driver(d->type)));
	ok &= hmfs_json_add_new(o, "node", json_object_new_int(d->node));
	ok &= hmfs_json_add_new(o, "addr", json_object_new_uint64(d->addr));
	ok &= hmfs_json_add_new(o, "size", json_object_new_uint64(d->size));
	/* QEMU's query-memory-devices; the state file puts the DIMM back in it */
	if (d->type == HMFS_PC_DIMM)
		ok &= hmfs_json_add_new(o, "slot", json_object_new_int(d->slot));
	/*
	 * a DIMM the guest refused (dev.c dimm_refused()): plugged, without
	 * memory; the state file brings it back so
	 */
	if (d->guest_refused) {
		ok &= hmfs_json_add_new(o, "guest-refused", errno_json(d->guest_refused));
		if (d->refused_why)
			ok &= hmfs_json_add_new(o, "guest-refused-why",
					       json_object_new_string(d->refused_why));
	}
	if (ok)
		ok = view == HMFS_VIEW_STATE ? add_dev_state(o, d) : add_dev_status(o, d);
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* the device list as @view has it (dev_lock held) */
static json_object *devices_json_locked(struct hmfs_ctx *ctx, enum hmfs_view view)
{
	json_object *a = json_object_new_array();

	for (struct hmfs_dev *d = ctx->devs; a && d; d = d->next)
		if (!hmfs_json_push_new(a, hmfs_dev_json(d, view))) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

json_object *hmfs_devices_eject_json(struct hmfs_ctx *ctx, const char *ejecting)
{
	json_object *a = devices_json_locked(ctx, HMFS_VIEW_STATUS);

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		json_object *id = hmfs_json_get(o, "id", json_type_string);

		if (id && !strcmp(json_object_get_string(id), ejecting) &&
		    !hmfs_json_add_new(o, "ejecting", json_object_new_boolean(true))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/*
 * status's view answers at once while a DIMM's eject runs (up
 * to the 40 s bound on a stuck block), as the kernel's sysfs and QEMU's
 * monitor answer while the guest ejects: the list as the eject began
 * (dev.c hmfs_dev_del()) and QEMU-side changes since made it, the DIMM
 * still in it, as QEMU has it until _EJ0.  The lock order is dev.c's
 * hmfs_dev_query_json()'s.  The state file's view is the list as it is.
 */
json_object *hmfs_devices_json(struct hmfs_ctx *ctx, enum hmfs_view view)
{
	json_object *a = NULL;

	if (view == HMFS_VIEW_STATUS) {
		pthread_mutex_lock(&ctx->dev_snap_lock);
		/* not once the eject is over: the DIMM gone, the snapshot not yet dropped (finalF F3) */
		if (ctx->dev_snap_status && hmfs_dev_snap_stands(ctx) &&
		    json_object_deep_copy(ctx->dev_snap_status, &a, NULL))
			a = NULL;
	}
	if (!a) {
		pthread_mutex_lock(&ctx->dev_lock);
		a = devices_json_locked(ctx, view);
		pthread_mutex_unlock(&ctx->dev_lock);
	}
	if (view == HMFS_VIEW_STATUS)
		pthread_mutex_unlock(&ctx->dev_snap_lock);
	return a;
}

/* a device sits at @addr: the profile's there was not removed, or another took its place */
static bool dev_at(struct hmfs_ctx *ctx, uint64_t addr)
{
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next)
		if (d->addr == addr)
			return true;
	return false;
}

/* false: no memory */
static bool profile_dev_add(json_object *a, struct hmfs_ctx *ctx, uint64_t addr)
{
	json_object *o = json_object_new_object();

	if (!hmfs_json_add_new(o, "addr", json_object_new_uint64(addr)) ||
	    !hmfs_json_add_new(o, "present", json_object_new_boolean(dev_at(ctx, addr)))) {
		json_object_put(o);
		o = NULL;
	}
	return hmfs_json_push_new(a, o);
}

/* NULL: no memory */
json_object *hmfs_dev_profile_json(struct hmfs_ctx *ctx)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	json_object *a = json_object_new_array();
	bool ok = a;

	pthread_mutex_lock(&ctx->dev_lock);
	for (int i = 0; ok && i < cfg->nr_hotplug; i++)
		ok = profile_dev_add(a, ctx, cfg->hotplug[i].start);
	for (int i = 0; ok && i < cfg->nr_virtio_mem; i++)
		ok = profile_dev_add(a, ctx, cfg->virtio_mem[i].addr);
	pthread_mutex_unlock(&ctx->dev_lock);
	if (!ok) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

struct runs {
	json_object *a;
	enum hmfs_view view;
	bool nomem; /* a run could not be made: the list is short of it */
};

static void add_run(void *arg, const struct hm_block_info *bi, unsigned long count)
{
	struct runs *r = arg;
	json_object *run = json_object_new_object();
	bool status = r->view == HMFS_VIEW_STATUS, ok = true;

	ok &= hmfs_json_add_new(run, "first", json_object_new_uint64(bi->id));
	ok &= hmfs_json_add_new(run, "count", json_object_new_uint64(count));
	if (status)
		ok &= hmfs_json_add_new(run, "start", json_object_new_uint64(bi->start));
	/* the state file's runs never hold going-offline: see below */
	ok &= hmfs_json_add_new(run, "state", json_object_new_string(hotmem_state_name(bi->state)));
	if (status)
		ok &= hmfs_json_add_new(run, "node", json_object_new_int(bi->nid));
	ok &= hmfs_json_add_new(run, "zone", json_object_new_string(hmu_zone_name(bi->zone)));
	/*
	 * the state file: a block onlined by `online` (the default zone's
	 * rule, which explain's zone line names), so that a restore onlines
	 * it so again (hotmem_block_restore_online()); runs split by it
	 * (HMFS_RUN_ONLINE_APART).  online_kernel's and online_movable's
	 * are their zone's own rule, which a restore by zone takes: nothing
	 * said, a record no longer for them (a journal's zeros ahead hold
	 * as many records)
	 */
	if (!status && bi->online_type == HM_MMOP_ONLINE)
		ok &= hmfs_json_add_new(run, "online-type",
				       json_object_new_string(hmu_online_type_name(bi->online_type)));
	if (status) {
		ok &= hmfs_json_add_new(run, "group", json_object_new_int(bi->group));
		ok &= hmfs_json_add_new(run, "boot", json_object_new_boolean(bi->boot));
		/* a run of its own (HMFS_RUN_HWPOISON_ALONE): the block's poisoned pages */
		if (bi->nr_hwpoison)
			ok &= hmfs_json_add_new(run, "hwpoison", json_object_new_uint64(bi->nr_hwpoison));
	}
	if (!ok) {
		json_object_put(run);
		run = NULL;
	}
	/* hmfs_block_runs() walks on: the rest are not made, the list is dropped */
	if (!r->nomem && !hmfs_json_push_new(r->a, run))
		r->nomem = true;
	else if (r->nomem)
		json_object_put(run);
}

/*
 * Status: blocks as lsmem shows them, runs of same state, node, zone and
 * group, a block holding hwpoisoned pages alone (hotmemctl map and status
 * mark it: an offline one cannot come online).  State file: runs of same
 * state and zone, those onlined by `online` apart (32768 blocks stay small), a block caught mid-offline
 * saved online, in its zone: what the client was last told; the offline
 * may still fail (EBUSY, EINTR), and when it succeeds its own save
 * records offline (#16.5).
 */
json_object *hmfs_block_runs_json(struct hmfs_ctx *ctx, enum hmfs_view view)
{
	struct runs r = { json_object_new_array(), view, false };

	hmfs_block_runs(ctx,
			view == HMFS_VIEW_STATE ? HMFS_RUN_GOING_OFFLINE_IS_ONLINE |
							  HMFS_RUN_ONLINE_APART :
						  HMFS_RUN_BY_NODE | HMFS_RUN_BY_GROUP |
								  HMFS_RUN_HWPOISON_ALONE,
			add_run, &r);
	if (r.nomem) {
		json_object_put(r.a);
		return NULL;
	}
	return r.a;
}

/* false: no memory, @a then short of runs */
bool hmfs_block_runs_json_in(struct hmfs_ctx *ctx, unsigned long from, unsigned long end,
			     json_object *a)
{
	struct runs r = { a, HMFS_VIEW_STATE, false };

	hmfs_block_runs_in(ctx, HMFS_RUN_GOING_OFFLINE_IS_ONLINE | HMFS_RUN_ONLINE_APART, from,
			   end, add_run, &r);
	return !r.nomem;
}

json_object *hmfs_block_run_json(struct hmfs_ctx *ctx, unsigned long id)
{
	struct runs r = { json_object_new_array(), HMFS_VIEW_STATE, false };
	struct hm_block_info bi;
	json_object *run = NULL;

	if (!hotmem_block_info(ctx->hm, id, &bi)) {
		/* as hmfs_block_runs() with HMFS_RUN_GOING_OFFLINE_IS_ONLINE */
		if (bi.state == HM_MEM_GOING_OFFLINE)
			bi.state = HM_MEM_ONLINE;
		add_run(&r, &bi, 1);
		if (!r.nomem)
			run = json_object_get(json_object_array_get_idx(r.a, 0));
	}
	json_object_put(r.a);
	return run;
}
