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
#include <stddef.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hmfs.h"
#include "thread_name.h"

/* pfn is among the retired pages (retired_lock held) */
static bool retired_has(const struct hmfs_ctx *ctx, uint64_t pfn)
{
	for (size_t i = 0; i < ctx->nr_retired; i++)
		if (ctx->retired[i].pfn == pfn)
			return true;
	return false;
}

/*
 * Whether the retirement just tried retired a page now, which the state
 * file must keep: the machine's poisoned pages grew (num_poisoned_pages,
 * HardwareCorrupted; changes are made one at a time), by a success or by
 * memory_failure()'s -EBUSY of a page it poisoned all the same (a kernel
 * page ignored, a pinned one failed, a free huge page whose dissolve
 * failed, left poisoned in the pool: its mark is on the huge page's
 * head, not on the page).  Not soft_offline_page()'s 0 for a page
 * poisoned before (nothing retired: the head of such a huge page too),
 * nor memory_failure()'s -EHWPOISON that counted another page of such a
 * huge page (6.12's folio_set_hugetlb_hwpoison(): HardwareCorrupted
 * alone, which a replay, finding a free page, would count recovered).
 */
static bool retired_now(struct hmfs_ctx *ctx, bool hard, int ret, unsigned long poisoned_before)
{
	return (!ret || (hard && ret == -EBUSY)) &&
	       hotmem_nr_poisoned_pages(ctx->hm) > poisoned_before;
}

/*
 * soft_offline_page_store() / hard_offline_page_store() on @pfn, the page
 * kept among the retired ones when it was retired now: room for it is
 * made first, so that a page the engine retired is never left out.
 */
int hmfs_retire(struct hmfs_ctx *ctx, uint64_t pfn, bool hard, int count_as)
{
	int ret, result = HM_MF_NONE;
	unsigned long poisoned;
	struct hmfs_retired *r;

	pthread_mutex_lock(&ctx->retired_lock);
	if (ctx->nr_retired == ctx->retired_cap) {
		size_t cap = ctx->retired_cap ? 2 * ctx->retired_cap : 16;

		r = realloc(ctx->retired, cap * sizeof(*r));
		if (!r) {
			pthread_mutex_unlock(&ctx->retired_lock);
			return -ENOMEM;
		}
		ctx->retired = r;
		ctx->retired_cap = cap;
	}
	pthread_mutex_unlock(&ctx->retired_lock);
	poisoned = hotmem_nr_poisoned_pages(ctx->hm);
	/* the outcome is kept: a restart's replay counts it again (review8 #5) */
	ret = hard ? hotmem_memory_failure_counted(ctx->hm, pfn, count_as, &result) :
		     hotmem_soft_offline_page(ctx->hm, pfn);
	if (!retired_now(ctx, hard, ret, poisoned))
		return ret;
	pthread_mutex_lock(&ctx->retired_lock);
	if (!retired_has(ctx, pfn))
		ctx->retired[ctx->nr_retired++] = (struct hmfs_retired){ pfn, hard, result };
	pthread_mutex_unlock(&ctx->retired_lock);
	/* a restart's replay of it: the page is poison again, as the file says */
	return ctx->restoring ? 0 : ret;
}

/* the _OST source of a device_del's eject: QEMU's request, or the guest's own */
static int eject_source(const struct hmfs_change *ch)
{
	return ch->dev.ost_source ? ch->dev.ost_source : HM_ACPI_NOTIFY_EJECT_REQUEST;
}

/*
 * @added: a device_add's new device id; @ost_slot: a device_del's DIMM
 * slot whose eject's _OST waits for the change to hold (-1: none)
 */
/* the watermark sysctls: the engine checks the bounds (EINVAL), as 6.12's handlers do */
static int apply_vm_wmark_named(struct hmfs_ctx *ctx, const struct hmfs_change *ch)
{
	switch ((enum hmfs_vm_wmark)ch->id) {
	case HMFS_VM_MIN_FREE_KBYTES:
		if (ch->unparsed) {
			hotmem_min_free_kbytes_sysctl_unparsed(ctx->hm);
			return 0;
		}
		return hotmem_set_min_free_kbytes(ctx->hm, ch->value);
	case HMFS_VM_WATERMARK_SCALE_FACTOR:
		/* watermark_scale_factor_sysctl_handler(): the marks again, parsed or not */
		if (ch->unparsed) {
			hotmem_setup_per_zone_wmarks(ctx->hm);
			return 0;
		}
		return hotmem_set_watermark_scale_factor(ctx->hm, ch->value);
	case HMFS_VM_LOWMEM_RESERVE_RATIO:
		/* the parsed over the ratios of now, as the kernel stores them (reread31 R3) */
		hotmem_set_lowmem_reserve_ratio(ctx->hm, ch->ratio, (int)ch->value);
		return 0;
	}
	return -EINVAL;
}

/*
 * Named "hotmemfs-wmark" while it sets them, after its undo's snapshot
 * (hmfs_state_prepare()) and before its record: a test's preload shim
 * (tests/reliability/thread_hold.c, tests/fusefs/365) holds it there by
 * the name, for a lock-free lowmem_reserve_ratio write to land between.
 */
static int apply_vm_wmark(struct hmfs_ctx *ctx, const struct hmfs_change *ch)
{
	struct hmfs_thread_name name;
	int ret;

	hmfs_thread_name_take(&name, "hotmemfs-wmark");
	ret = apply_vm_wmark_named(ctx, ch);
	hmfs_thread_name_back(&name);
	return ret;
}

static int apply(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *added, size_t addedlen,
		 int *ost_slot, char *err, size_t errlen)
{
	switch (ch->op) {
	case HMFS_CH_BLOCK_STATE:
		return hotmem_block_set_state_task(ctx->hm, ch->id, (int)ch->value, ch->task);
	case HMFS_CH_BLOCK_ONLINE:
		return hotmem_block_set_online_task(ctx->hm, ch->id, ch->value != 0, ch->task);
	case HMFS_CH_AUTO_ONLINE:
		return hotmem_set_auto_online(ctx->hm, (int)ch->value);
	case HMFS_CH_PROBE: /* probe_store() runs in its writer: current is it */
		return hotmem_add_memory_task(ctx->hm, hotmem_phys_to_nid(ctx->hm, ch->dev.addr),
					      ch->dev.addr, ctx->block_size, HM_MHP_NONE, -1, ch->task);
	case HMFS_CH_NUMA_AWARE:
		return hotmem_set_auto_movable_numa_aware(ctx->hm, ch->value != 0);
	case HMFS_CH_RATIO:
		return hotmem_set_auto_movable_ratio(ctx->hm, (unsigned int)ch->value);
	case HMFS_CH_POLICY:
		return hotmem_set_online_policy(ctx->hm, (int)ch->value);
	case HMFS_CH_VMEM_UNPLUG_ONLINE:
		return hotmem_set_virtio_mem_unplug_online(ctx->hm, ch->value != 0);
	case HMFS_CH_NOTIFIER_ERROR:
		return hotmem_set_notifier_error(ctx->hm, (int)ch->id, (int)ch->value);
	case HMFS_CH_MEMORY_FAILURE:
		return hmfs_retire(ctx, ch->dev.addr, ch->value != 0, HM_MF_NONE);
	case HMFS_CH_IATTR:
		return hmfs_iattr_apply(ctx, ch->iattr);
	case HMFS_CH_BUS_AUTOPROBE:
		return hmfs_bus_autoprobe_set(ctx, (int)ch->id, ch->value != 0);
	case HMFS_CH_NODE_HUGEPAGES: {
		/* the writer's interrupt stops a growth, as set_max_huge_pages()'s signal */
		long n = hotmem_hugetlb_set_node_task(ctx->hm, (int)ch->id,
						      (unsigned long)ch->value, ch->task);

		return n < 0 ? (int)n : 0; /* fewer than asked is no error (set_max_huge_pages()) */
	}
	case HMFS_CH_HUGETLB: {
		/* negated unsigned: LLONG_MIN too */
		long n = ch->value >= 0 ?
			hotmem_hugetlb_alloc(ctx->hm, ch->dev.node, (unsigned long)ch->value) :
			hotmem_hugetlb_free_node(ctx->hm, ch->dev.node,
						 (unsigned long)(0ULL - (unsigned long long)ch->value));

		if (ch->done)
			*ch->done = n;
		return n < 0 ? (int)n : 0; /* fewer than asked is no error */
	}
	case HMFS_CH_DEVICE_ADD: {
		int ret = ch->queued ? /* QEMU listed it already: the guest's probe (dev.c) */
			hmfs_dev_probe_queued(ctx, ch->dev.id, ch->dev.incarnation, added,
					      addedlen, err, errlen) :
			hmfs_dev_add(ctx, ch->dev.driver, ch->dev.id, ch->dev.size, ch->dev.node,
				       ch->dev.addr, ch->dev.have_addr, ch->dev.requested,
				       ch->dev.block_size, ch->dev.memmap, ch->dev.slot, NULL, added,
				       addedlen, err, errlen);

		if (!ret)
			hmfs_dev_run_driver(ctx, added);
		return ret;
	}
	case HMFS_CH_DEVICE_DEL:
		return hmfs_dev_del(ctx, ch->dev.id, ch->dev.incarnation, ch->dev.held, ch->task,
				    eject_source(ch), ost_slot, err, errlen);
	case HMFS_CH_DEVICE_RESIZE:
		if (ch->queued) /* the value queued last, taken now (dev.c vmem_set()) */
			return hmfs_dev_set_queued(ctx, ch->dev.id, err, errlen);
		return hmfs_dev_set_requested(ctx, ch->dev.id, ch->dev.requested, err, errlen);
	case HMFS_CH_DRIVER_RETRY: /* -EAGAIN: nothing changed, nothing to record */
		return hmfs_dev_retry(ctx, ch) ? 0 : -EAGAIN;
	case HMFS_CH_HUGETLB_OVERCOMMIT:
		hotmem_hugetlb_set_overcommit(ctx->hm, (unsigned long)ch->value);
		return 0;
	case HMFS_CH_ANON_COUNT:
		hmfs_dev_anon_raise(ctx, (unsigned int)ch->value);
		return 0;
	case HMFS_CH_VM_WMARK:
		return apply_vm_wmark(ctx, ch);
	case HMFS_CH_VM_RESERVE:
		if (ch->id)
			hotmem_set_admin_reserve_kbytes(ctx->hm, (unsigned long)ch->value);
		else
			hotmem_set_user_reserve_kbytes(ctx->hm, (unsigned long)ch->value);
		return 0;
	case HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP:
		hotmem_set_hugetlb_optimize_vmemmap(ctx->hm, ch->value != 0);
		return 0;
	case HMFS_CH_WATERMARK_BOOST_FACTOR:
		return hotmem_set_watermark_boost_factor(ctx->hm, ch->value);
	case HMFS_CH_PERCPU_PAGELIST_HIGH_FRACTION: /* 1..7: -EINVAL, the old kept */
		return hotmem_set_percpu_pagelist_high_fraction(ctx->hm, ch->value);
	}
	return -EINVAL;
}

/* ---- undo: a change that could not be saved ------------------------------ */

/* a change that can fail half-way and still have changed the machine */
static bool may_progress(struct hmfs_ctx *ctx, const struct hmfs_change *ch)
{
	/*
	 * a refused DIMM eject onlines what it offlined again (a resize fails
	 * only unchanged); memory_failure() poisons a page it then ignores.
	 * A device_del of no device, or of a virtio-mem device (vmem_del()
	 * refuses before anything), changed nothing: no record, no save
	 * counted -- a failed operation leaves the machine as it was
	 */
	if (ch->op == HMFS_CH_DEVICE_DEL)
		return hmfs_dev_dimm_slot(ctx, ch->dev.id) >= 0;
	return ch->op == HMFS_CH_MEMORY_FAILURE && ch->value;
}

/* the device @id in a "devices" array, and its place there */
static json_object *device_in(json_object *devs, const char *id, size_t *pos)
{
	for (size_t i = 0; id && devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (!strcmp(json_object_get_string(json_object_object_get(d, "id")), id)) {
			*pos = i;
			return d;
		}
	}
	return NULL;
}

/*
 * A device back as @d (its state file object) has it: resizing back
 * would plug and unplug other device blocks than the change did (the
 * driver picks them): the device goes and comes back with exactly its
 * old plugged blocks, at place @pos of the list, as on a restart.  The
 * guest's work alone: QEMU's requested-size stays the host's, queued for
 * the driver (dev.c hmfs_dev_queue_keep()) -- one queued now, or the one
 * the change took or dropped (@how: the queued qom-set's take, a qom-set
 * made at once).
 */
static void device_back(struct hmfs_ctx *ctx, json_object *d, size_t pos,
			enum hmfs_queue_undone how, char *err, size_t errlen)
{
	const char *id = json_object_get_string(json_object_object_get(d, "id"));
	struct hmfs_dev_queue q;

	hmfs_dev_queue_keep(ctx, id, how, &q);
	if (!hmfs_dev_unplug_and_del(ctx, id, err, errlen) &&
	    !hmfs_state_restore_device(ctx, d, err, errlen)) {
		hmfs_dev_move(ctx, id, pos);
		hmfs_dev_queue_back(ctx, id, &q);
	}
}

/*
 * @w's fn on the pieces of @a not in @b, all or none: when one is
 * refused, @back on the pieces before it
 */
static int pieces_exactly(struct hmfs_plug_walk *w, json_object *a, json_object *b,
			  hmfs_plug_fn *back)
{
	char e[256];
	struct hmfs_plug_walk bw = { w->ctx, w->id, back, UINT64_MAX, 0, e, sizeof(e) };
	int ret = hmfs_runs_minus(a, b, w);

	if (ret) {
		bw.stop = w->at;
		if (hmfs_runs_minus(a, b, &bw))
			fprintf(stderr, "hotmemfs: undo: %s (after: %s)\n", e, w->err);
	}
	return ret;
}

/*
 * A virtio-mem device back to @d's plugged blocks exactly, without
 * touching the others: what the driver's retry plugged unplugged again,
 * what it unplugged (the work an offline queued with
 * virtio_mem.unplug_online off, or an online's MEM_ONLINE queued for a
 * device a busy shrink left above requested-size: online memory too)
 * plugged back; a
 * retry does one or the other, the leftovers of an earlier run's cleanup
 * aside.  Only for a device whose requested-size and region are as @d
 * has them.  Each piece goes at once or not at all
 * (hotmem_virtio_mem_unplug_exact() puts a refused one back, or says
 * -ENOTRECOVERABLE when even that is refused: part of the piece then
 * stays unplugged; hotmem_virtio_mem_restore_plugged() changes nothing
 * when it fails); when one is refused, the pieces before it are put as
 * they were after the retry.  A memory block the retry removed comes back
 * offline (undo() turned auto-online off), and undo()'s
 * hmfs_state_restore_blocks() puts it in its state before the change.  On any error devices_back() takes the
 * device out and brings it back whole at its place, which also mends a
 * piece left half unplugged; its blocks come back offline and undo()'s
 * hmfs_state_restore_blocks() onlines them into their old zones
 * (tests/reliability/state-driver-plugged-back.t).
 */
static int plugged_back(struct hmfs_ctx *ctx, json_object *d, json_object *now, char *err,
			size_t errlen)
{
	static const char *const same[] = { "driver", "addr", "size", "block-size",
					    "requested-size", "node" };
	json_object *was = json_object_object_get(d, "plugged-blocks"),
		    *is = json_object_object_get(now, "plugged-blocks");
	const char *id = json_object_get_string(json_object_object_get(d, "id"));
	struct hmfs_plug_walk w = { ctx, id, hmfs_dev_unplug_exact, UINT64_MAX, 0, err, errlen };
	int ret;

	if (!was || !is)
		return -EINVAL;
	for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++)
		if (!json_object_equal(json_object_object_get(d, same[k]), json_object_object_get(now, same[k])))
			return -EINVAL;
	ret = pieces_exactly(&w, is, was, hmfs_dev_restore_plugged);
	if (ret)
		return ret;
	w.fn = hmfs_dev_restore_plugged;
	return pieces_exactly(&w, was, is, hmfs_dev_unplug_exact);
}

/*
 * Every device whose plugging the drivers' retry changed (it adds or
 * removes no device; @pre holds those it may have changed,
 * hmfs_state_prepare()): taken back exactly, so that blocks of it online
 * and in use stay as they are; a device that cannot be, taken out and
 * brought back whole at its place (device_back()).
 */
static void devices_back(struct hmfs_ctx *ctx, json_object *pre, char *err, size_t errlen)
{
	json_object *devs = json_object_object_get(pre, "devices"),
		    *now = hmfs_devices_json(ctx, HMFS_VIEW_STATE);
	size_t pos;

	/* the devices of now not had (out of memory): none compared, the undo said failed */
	if (!now) {
		snprintf(err, errlen, "the devices now: %s", strerror(ENOMEM));
		return;
	}
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i), *n;
		const char *id = json_object_get_string(json_object_object_get(d, "id"));

		n = device_in(now, id, &pos);
		if (n && !json_object_equal(d, n) && plugged_back(ctx, d, n, err, errlen))
			device_back(ctx, d, pos, HMFS_QUEUE_LEFT, err, errlen);
		else if (n) /* its driver's retry timer as it was (state.c: retry-armed) */
			hmfs_state_restore_timer(ctx, d);
	}
	json_object_put(now);
}

/*
 * What the blocks of devices @devs kept (chmod, chown, times, xattrs,
 * power/control: "iattrs") as @pre has it, with what goes with them (their
 * links, their DIMM slot's physical_node link, their nodes: iattr.c
 * iattr_owner(), the same word the removal's forget follows): a block the
 * change removed and the undo brought back is a new incarnation, which
 * keeps nothing (hmfs_forget_block_attrs()); an acknowledged chmod of it
 * would be lost, or the undo's machine would differ from @pre (frozen).
 * Only those entries: another node's may keep what "iattrs" leaves out (a
 * node's hugepages/ without memory has no path).
 */
static void iattrs_back(struct hmfs_ctx *ctx, json_object *pre, json_object *devs)
{
	json_object *ranges;

	if (!json_object_object_get(pre, "iattrs") || !devs)
		return;
	ranges = hmfs_state_dev_ranges(ctx, devs);
	hmfs_iattr_restore_ranges(ctx, json_object_object_get(pre, "iattrs"), ranges);
	json_object_put(ranges);
}

/* @d alone, as an array of devices */
static json_object *one_dev(json_object *d)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_get(d));
	return a;
}

/*
 * The inverse of each kind of change, back to @pre (the machine object
 * as it was before): first what the change added goes (a device_add's
 * device: its eject; probed memory: offline and remove), then what it
 * removed comes back (a device_del's device, at its old address and
 * place in the list, offline), then every block's state and zone and the
 * parameters as @pre says (what a restart does).  New memory comes up
 * offline meanwhile, as on a restart.
 */
static void undo(struct hmfs_ctx *ctx, const struct hmfs_change *ch, const struct hmfs_save *sv,
		 const char *added, char *err, size_t errlen)
{
	json_object *pre = sv->pre;
	size_t pos = 0;
	unsigned long astray;
	json_object *d, *devs = NULL;

	hmfs_state_pre_whole(ctx, sv); /* a one-block change's "params" kept as values */

	/* a node's kept values changed, nothing else: @pre its entry (state.c), else the machine */
	if (ch->op == HMFS_CH_IATTR) {
		if (json_object_object_get(pre, "iattr"))
			hmfs_iattr_restore_entry(ctx, json_object_object_get(pre, "iattr"));
		else
			hmfs_iattr_restore(ctx, json_object_object_get(pre, "iattrs"));
		return;
	}
	/* auto_online_blocks stays as written: a lock-free value (state.c lock_free_params[]) */
	hotmem_hold_auto_online(ctx->hm, true);
	switch (ch->op) {
	case HMFS_CH_DEVICE_ADD: /* a queued probe's: QEMU's device stays, unprobed (dev.c) */
		if (added[0] && ch->queued)
			hmfs_dev_unprobe(ctx, added, err, errlen);
		else if (added[0])
			hmfs_dev_unplug_and_del(ctx, added, err, errlen);
		break;
	case HMFS_CH_PROBE:
		hotmem_offline_and_remove_memory(ctx->hm, ch->dev.addr, ctx->block_size);
		break;
	case HMFS_CH_DEVICE_RESIZE: /* @pre: the whole machine */
		d = device_in(json_object_object_get(pre, "devices"), ch->dev.id, &pos);
		if (d) {
			device_back(ctx, d, pos, ch->queued ? HMFS_QUEUE_TOOK : HMFS_QUEUE_DROPPED, err,
				    errlen);
			devs = one_dev(d);
		}
		break;
	case HMFS_CH_DRIVER_RETRY:
		devices_back(ctx, pre, err, errlen);
		devs = json_object_get(json_object_object_get(pre, "devices"));
		break;
	case HMFS_CH_MEMORY_FAILURE:
		/*
		 * The kernel takes no page back from poison but through
		 * hwpoison-inject's debugfs unpoison-pfn (a test aid, not
		 * modelled): the page stays retired, the machine differs from
		 * @pre and unsaved() freezes.
		 */
		snprintf(err, errlen, "the kernel cannot unpoison a page (only hwpoison-inject's debugfs unpoison-pfn)");
		break;
	case HMFS_CH_DEVICE_DEL:
		d = device_in(json_object_object_get(pre, "devices"), ch->dev.id, &pos);
		if (d && !hmfs_state_restore_device(ctx, d, err, errlen))
			hmfs_dev_move(ctx, ch->dev.id, pos);
		devs = d ? one_dev(d) : NULL;
		break;
	default:
		break;
	}
	/* an undo's block it cannot put back is named on stderr, as before */
	if (hmfs_change_touches(ch->op, "blocks"))
		hmfs_state_restore_blocks(ctx, json_object_object_get(pre, "blocks"), &astray);
	/*
	 * what the change added gone, its raise of max_pfn too: never
	 * acknowledged, so /proc/kpageflags ends where it did (rerfix31b);
	 * a change that added nothing leaves it as it was, and an add whose
	 * take-back failed keeps it over its memory (the engine: reread32 R1)
	 */
	(void)hotmem_set_max_pfn(ctx->hm, sv->max_pfn);
	hotmem_hold_auto_online(ctx->hm, false);
	/*
	 * with the blocks as before, whose onlines computed min_free_kbytes
	 * again, and before the pool, which grows only as far as the
	 * watermarks let it (reread31 R7)
	 */
	hmfs_state_undo_wmark(ctx, ch, sv);
	/*
	 * with the blocks online again: an offline dissolved their free huge
	 * pages (a block's state, a device_del or a shrink), or the change
	 * was the pool's (change_keys[], state.c)
	 */
	if (hmfs_change_touches(ch->op, "hugetlb") && json_object_object_get(pre, "hugetlb")) {
		hmfs_state_restore_hugetlb(ctx, json_object_object_get(pre, "hugetlb"), -1);
		/* which moved the round robin: as it was (change_keys[]) */
		hmfs_state_restore_hugetlb_next_nid(ctx, json_object_object_get(pre, "hugetlb-next-nid"));
	}
	iattrs_back(ctx, pre, devs);
	json_object_put(devs);
	/* the lock-free parameters as they are, unless @ch set one (hmfs_state_set_param()) */
	hmfs_state_undo_params(ctx, ch, json_object_object_get(pre, "params"));
	/* nor does the undo leave driver work its onlines queued */
	hmfs_dev_forget_work(ctx);
}

/* what @ch wrote, as its refusal names it: each sysctl by its own name */
static const char *op_name(const struct hmfs_change *ch)
{
	static const char *const wmark[] = {
		[HMFS_VM_MIN_FREE_KBYTES] = "vm.min_free_kbytes",
		[HMFS_VM_WATERMARK_SCALE_FACTOR] = "vm.watermark_scale_factor",
		[HMFS_VM_LOWMEM_RESERVE_RATIO] = "vm.lowmem_reserve_ratio",
	};
	const enum hmfs_change_op op = ch->op;

	static const char *const names[] = {
		[HMFS_CH_BLOCK_STATE] = "memoryN/state",
		[HMFS_CH_BLOCK_ONLINE] = "memoryN/online",
		[HMFS_CH_AUTO_ONLINE] = "auto_online_blocks",
		[HMFS_CH_PROBE] = "probe",
		[HMFS_CH_NUMA_AWARE] = "auto_movable_numa_aware",
		[HMFS_CH_RATIO] = "auto_movable_ratio",
		[HMFS_CH_POLICY] = "online_policy",
		[HMFS_CH_VMEM_UNPLUG_ONLINE] = "virtio_mem unplug_online",
		[HMFS_CH_NOTIFIER_ERROR] = "notifier-error-inject error",
		[HMFS_CH_MEMORY_FAILURE] = "page's retirement (soft/hard_offline_page)",
		[HMFS_CH_IATTR] = "chmod, chown, touch, xattr or power/control write",
		[HMFS_CH_BUS_AUTOPROBE] = "drivers_autoprobe",
		[HMFS_CH_NODE_HUGEPAGES] = "nr_hugepages",
		[HMFS_CH_HUGETLB] = "hotmemctl hugetlb",
		[HMFS_CH_DEVICE_ADD] = "device_add",
		[HMFS_CH_DEVICE_DEL] = "device_del",
		[HMFS_CH_DEVICE_RESIZE] = "requested-size",
		[HMFS_CH_DRIVER_RETRY] = "virtio-mem driver's work after it",
		[HMFS_CH_HUGETLB_OVERCOMMIT] = "nr_overcommit_hugepages",
		[HMFS_CH_ANON_COUNT] = "anonymous devices' count (device[N])",
		[HMFS_CH_HUGETLB_OPTIMIZE_VMEMMAP] = "hugetlb_optimize_vmemmap",
		[HMFS_CH_WATERMARK_BOOST_FACTOR] = "vm.watermark_boost_factor",
		[HMFS_CH_PERCPU_PAGELIST_HIGH_FRACTION] = "vm.percpu_pagelist_high_fraction",
	};

	if (op == HMFS_CH_VM_RESERVE)
		return ch->id ? "vm.admin_reserve_kbytes" : "vm.user_reserve_kbytes";
	if (op == HMFS_CH_VM_WMARK && ch->id < sizeof(wmark) / sizeof(wmark[0]))
		return wmark[ch->id];
	return (unsigned)op < sizeof(names) / sizeof(names[0]) && names[op] ? names[op] : "change";
}

/*
 * A failed append whose record may still be in the journal (its cut
 * failed too: sv->maybe_kept, state.c journal_put()): the machine as it
 * is now, the change undone, written whole, which empties the journal, so
 * that a restart cannot replay a change its writer was told failed; if
 * even that fails, frozen.  Under change_lock.
 */
static int kept_record_superseded(struct hmfs_ctx *ctx, int sret)
{
	return hmfs_state_write_or_freeze(
		ctx, ": a restart may bring the change back; repair the disk, restart hotmemfs and check the machine",
		"saving the state file %s failed (%s) and may have reached it, and so did writing it whole after the undo",
		ctx->state_path, strerror(-sret));
}

/*
 * The save of @ch failed with @sret: put the machine back as sv->pre, and
 * save that if the failed save may have reached the file.  When the
 * machine cannot be put back (an offline the undo needs is refused),
 * it differs from the file for good: stop taking changes (frozen).
 */
static int unsaved(struct hmfs_ctx *ctx, const struct hmfs_change *ch,
		   const struct hmfs_save *sv, const char *added, int sret, char *err, size_t errlen)
{
	char e[512] = "";

	undo(ctx, ch, sv, added, e, sizeof(e));
	hmfs_state_undo_end(ctx); /* the kernel's allocations: the rewind's owed pages taken */
	if (!hmfs_state_pre_matches(ctx, sv)) {
		hmfs_state_freeze(ctx, "; the machine differs from the file: restart hotmemfs to go back to the file's machine",
				  "saving the state file %s failed (%s) and the %s could not be undone%s%s",
				  ctx->state_path, strerror(-sret), op_name(ch), e[0] ? ": " : "", e);
		goto frozen;
	}
	/* the file is the one from before, unless the failed record may be in it */
	if (sv->maybe_kept && kept_record_superseded(ctx, sret))
		goto frozen;
	snprintf(err, errlen, "saving the state file %.300s: %s; the %s was undone", ctx->state_path,
		 strerror(-sret), op_name(ch));
	fprintf(stderr, "hotmemfs: %s\n", err);
	return sret;
frozen:
	hmfs_state_frozen_say(ctx, err, errlen);
	return sret;
}

/* a change under way: what its undo needs after a failed sync */
struct change_run {
	struct hmfs_save sv;
	const struct hmfs_change *ch;
	char added[64];
	int ost_slot; /* a DIMM removed: its slot, whose eject's _OST waits (apply()) */
	char *err;
	size_t errlen;
};

static int undo_unsynced(struct hmfs_ctx *ctx, struct hmfs_save *sv, int sret)
{
	struct change_run *run = (struct change_run *)((char *)sv - offsetof(struct change_run, sv));

	return unsaved(ctx, run->ch, sv, run->added, sret, run->err, run->errlen);
}

/*
 * A wait for change_lock and what ends it: @task's signal (NULL, or no
 * signal_pending: nothing), unless the change restarts (@restarts,
 * hmfs_change's) -- then a fatal one alone; @restarted once a signal
 * that was not fatal came
 */
struct lock_wait {
	const struct hotmem_task *task;
	bool restarts;
	bool restarted;
};

/*
 * The waiter's signal came: true ends the wait (-EINTR).  A change that
 * restarts goes on unless the signal is fatal, as 6.12's
 * restart_syscall() from lock_device_hotplug_sysfs() (drivers/base/core.c)
 * retries the write after the handler, so that no error ever reaches
 * user space, until the lock is free or a fatal signal kills the writer.
 * The FUSE client that sent FUSE_INTERRUPT waits on, killable (fs/fuse/
 * dev.c request_wait_answer()), so its handler runs once the write
 * returns, not at each restart.  Counted once a write (status).
 */
static bool signal_ends_wait(struct hmfs_ctx *ctx, struct lock_wait *w)
{
	const struct hotmem_task *t = w->task;

	if (!t->signal_pending(t->arg))
		return false;
	if (!w->restarts || !t->fatal_signal_pending || t->fatal_signal_pending(t->arg))
		return true;
	if (!w->restarted)
		__atomic_add_fetch(&ctx->state_writes_restarted, 1, __ATOMIC_RELAXED);
	w->restarted = true;
	return false;
}

static bool has_signal(const struct lock_wait *w)
{
	return w->task && w->task->signal_pending;
}

/*
 * change_lock for a change that has a signal (a FUSE writer's interrupt,
 * a control command's timeout or hang-up), as 6.12's
 * lock_device_hotplug_sysfs() takes device_hotplug_lock for a sysfs
 * store: mutex_trylock(), else msleep(5) and restart_syscall(), so that a
 * writer waiting behind an offline that loops still ends at a fatal
 * signal (signal_ends_wait()).  A write whose kernel store takes no such
 * lock, and a control command, end at any signal of theirs: -EINTR, as
 * from offline_pages()'s signal backoff.  Without a signal (a restart's
 * replay, an eject's offline) the wait is lock_device_hotplug()'s.
 */
static int lock_change_sysfs(struct hmfs_ctx *ctx, struct lock_wait *w, char *err, size_t errlen)
{
	const struct timespec five_ms = { .tv_nsec = 5 * 1000 * 1000 };

	if (!has_signal(w)) {
		pthread_mutex_lock(&ctx->change_lock);
		return 0;
	}
	while (pthread_mutex_trylock(&ctx->change_lock)) {
		nanosleep(&five_ms, NULL);
		if (signal_ends_wait(ctx, w)) {
			snprintf(err, errlen, "interrupted while another change runs");
			return -EINTR;
		}
	}
	return 0;
}

/*
 * change_lock once no device_add or device_del before has its last events
 * still to queue (ends_pending): QEMU sends DEVICE_DELETED as the id goes
 * (device_finalize()), and the guest's _OST of an eject before it handles
 * the next notification (kacpi_hotplug_wq is ordered), so a change that
 * follows -- a device_add of the same id, into the same slot -- has its
 * events after them (review14 R10).  They are queued after the sync,
 * outside change_lock (a failed sync's rollback() takes it), so the wait
 * is with change_lock let go.  A change holding change_lock with none
 * pending keeps it so: ends_pending grows only under change_lock.
 */
static bool ends_out(struct hmfs_ctx *ctx)
{
	bool out;

	pthread_mutex_lock(&ctx->end_lock);
	out = !ctx->ends_pending;
	pthread_mutex_unlock(&ctx->end_lock);
	return out;
}

/*
 * Until the ends are out: a change with a signal polls for it as
 * lock_change_sysfs() does (5 ms), so that a writer still ends at its
 * signal; one without waits for end_cond
 */
static int ends_wait(struct hmfs_ctx *ctx, struct lock_wait *w, char *err, size_t errlen)
{
	const struct timespec five_ms = { .tv_nsec = 5 * 1000 * 1000 };

	if (!has_signal(w)) {
		pthread_mutex_lock(&ctx->end_lock);
		while (ctx->ends_pending)
			pthread_cond_wait(&ctx->end_cond, &ctx->end_lock);
		pthread_mutex_unlock(&ctx->end_lock);
		return 0;
	}
	while (!ends_out(ctx)) {
		nanosleep(&five_ms, NULL);
		if (signal_ends_wait(ctx, w)) {
			snprintf(err, errlen, "interrupted while another change runs");
			return -EINTR;
		}
	}
	return 0;
}

static int lock_change_wait(struct hmfs_ctx *ctx, struct lock_wait *w, char *err, size_t errlen)
{
	int ret;

	for (;;) {
		ret = lock_change_sysfs(ctx, w, err, errlen);
		if (ret || ends_out(ctx))
			return ret;
		pthread_mutex_unlock(&ctx->change_lock);
		ret = ends_wait(ctx, w, err, errlen);
		if (ret)
			return ret;
	}
}

/* lock_change_wait() ended by any signal of @task's */
static int lock_change(struct hmfs_ctx *ctx, const struct hotmem_task *task, char *err,
		       size_t errlen)
{
	struct lock_wait w = { .task = task };

	return lock_change_wait(ctx, &w, err, errlen);
}

/* a change's last events to come (@hold), or queued now */
static void ends_pending(struct hmfs_ctx *ctx, bool hold)
{
	pthread_mutex_lock(&ctx->end_lock);
	if (hold)
		ctx->ends_pending++;
	else if (!--ctx->ends_pending)
		pthread_cond_broadcast(&ctx->end_cond);
	pthread_mutex_unlock(&ctx->end_lock);
}

/*
 * A refused anonymous device_add's number (hmfs_dev_anon_id(), taken by
 * ctl.c where QEMU's qdev_set_id() takes it) kept across a restart: the
 * count a lock-free parameter ("anon-count", state.c lock_free_params[]),
 * its "param" record journaled under journal_lock alone and durable
 * before the refusal is answered, so that a refusal behind a guest's
 * looping offline answers at once, as QEMU's, with a state file or
 * without (reread29 R10; without, nothing is written).  Its record
 * carries the count as read under journal_lock (state.c
 * param_record_locked(); reread30 R1), not @ch's.  An accepted
 * one's device record names its number: no record more, no fdatasync
 * more, for it.  Failing (frozen, the state file's error): the number
 * stays taken here (the count is only raised), the state file's words in
 * status; the refusal's stand.
 */
void hmfs_dev_anon_keep(struct hmfs_ctx *ctx)
{
	struct hmfs_change ch = { .op = HMFS_CH_ANON_COUNT, .value = hmfs_dev_anon_count(ctx) };
	char err[256];

	(void)hmfs_change(ctx, &ch, err, sizeof(err));
}

/*
 * One change at a time (change_lock), from before it is applied until
 * its journal record is appended: an undo puts back exactly the machine
 * before its change, which a concurrent change would spoil; and no save
 * ever sees another change half-done (#16.5).  The engine serialises
 * hotplug operations under its device_hotplug_lock anyway.  The wait for
 * the record to be durable is outside the lock, so that the records of
 * concurrent writers share one fdatasync (hmfs_state_sync()); the client
 * hears of its change only after it.
 */

/*
 * A change that waits for the guest: an offline, which 6.12's
 * offline_pages() repeats for as long as a page will not move, until a
 * signal (a guest user's `echo offline` without `timeout`: for ever)
 */
static bool waits_guest(const struct hmfs_change *ch)
{
	return (ch->op == HMFS_CH_BLOCK_STATE && ch->value == HM_MMOP_OFFLINE) ||
	       (ch->op == HMFS_CH_BLOCK_ONLINE && !ch->value);
}

static bool guest_holds_change(void *arg)
{
	struct hmfs_ctx *ctx = arg;

	return __atomic_load_n(&ctx->change_waits_guest, __ATOMIC_ACQUIRE);
}

/*
 * A change that may hold the engine's device_hotplug_lock for long: an
 * offline that loops (waits_guest()), a DIMM's eject, which offlines
 * its blocks (dev.c dimm_del(): up to its 40 s bound on a stuck block),
 * and a virtio-mem driver run that unplugs (a shrink, the retry timers'
 * run of a device above its requested-size: dev.c hmfs_dev_may_unplug(),
 * taking online memory's pages up to the same bounds).  Asked once a
 * change, before it runs (its sizes move).
 */
static bool holds_hotplug_long(struct hmfs_ctx *ctx, const struct hmfs_change *ch)
{
	return waits_guest(ch) || ch->op == HMFS_CH_DEVICE_DEL || hmfs_dev_may_unplug(ctx, ch);
}

/* the engine's answers, as one signature for snap_list() */
static size_t engine_iomem(struct hotmem *hm, void *ents, size_t max)
{
	return hotmem_iomem(hm, ents, max);
}

static size_t engine_fwmap(struct hotmem *hm, void *ents, size_t max)
{
	return hotmem_firmware_map(hm, ents, max);
}

/*
 * The whole of one engine list (@get, entries of @size bytes) in an
 * array of its own, grown until the list fits: *@out (NULL when empty)
 * and its length *@nr.  false: no memory, nothing kept.
 */
static bool snap_list(struct hotmem *hm, size_t (*get)(struct hotmem *, void *, size_t),
		      size_t size, void **out, size_t *nr)
{
	void *e = NULL, *more;
	size_t n, max = 0;

	while ((n = get(hm, e, max)) > max) {
		max = n + 16;
		more = realloc(e, max * size);
		if (!more) {
			free(e);
			return false;
		}
		e = more;
	}
	*out = e;
	*nr = n;
	return true;
}

/*
 * /proc/iomem and /sys/firmware/memmap during such a change (usereye10
 * U5's rest): 6.12's r_show() walks the resource tree under resource_lock
 * alone (kernel/resource.c), and firmware/memmap is kernfs's listing of
 * the entries' kobjects, each file a show() of its entry's fields, which
 * drivers/firmware/memmap.c changes under map_entries_lock: neither waits
 * for device_hotplug_lock, which an offline holds while it loops, so a
 * guest's `cat /proc/iomem` or `ls /sys/firmware/memmap` answers; the
 * engine's hotmem_iomem() and hotmem_firmware_map() take it.  An offline
 * changes neither, nor does an eject until its removal, so both as they
 * were before the change are what the kernel's reader sees: copied here,
 * under change_lock, and shown while the change runs -- until a block's
 * REMOVE (hmfs_maps_snap_stale(), from the engine's callback: the
 * removal's firmware_map_remove() and release of the resource follow),
 * after which readers wait for the removal as before.  Copied again only
 * when the engine says either moved since (hotmem_maps_gen(): memory
 * added or removed, a virtio-mem region come or gone; never an online or
 * an offline): an online/offline storm walks the engine once, not once a
 * cycle, and a change on a machine of 131072 blocks copies nothing of
 * it unless its resources moved (#15's O(change)).  maps_snap_lock is
 * held across the copy and across each reader's walk, so a reader that
 * found no copy standing ends its walk before the change starts.  No
 * memory for a copy: readers wait as before.
 */
static bool snap_iomem(struct hmfs_ctx *ctx)
{
	void *e;

	if (!snap_list(ctx->hm, engine_iomem, sizeof(*ctx->iomem_snap), &e, &ctx->iomem_snap_n))
		return false;
	ctx->iomem_snap = e;
	return true;
}

static bool snap_fwmap(struct hmfs_ctx *ctx)
{
	void *e;

	if (!snap_list(ctx->hm, engine_fwmap, sizeof(*ctx->fwmap_snap), &e, &ctx->fwmap_snap_n))
		return false;
	ctx->fwmap_snap = e;
	return true;
}

static void maps_snap_take(struct hmfs_ctx *ctx)
{
	uint64_t gen = hotmem_maps_gen(ctx->hm);

	pthread_mutex_lock(&ctx->maps_snap_lock);
	if (ctx->maps_snap_gen == gen)
		goto stands;
	hmfs_maps_snap_free(ctx);
	ctx->maps_snap_gen = UINT64_MAX;
	/* moved while copied (no change but under change_lock should): not a copy of one moment */
	if (!snap_iomem(ctx) || !snap_fwmap(ctx) || hotmem_maps_gen(ctx->hm) != gen) {
		hmfs_maps_snap_free(ctx);
		goto out;
	}
	ctx->maps_snap_gen = gen;
stands:
	__atomic_store_n(&ctx->maps_snap_stale, false, __ATOMIC_RELAXED);
	ctx->maps_snap_stands = true;
out:
	pthread_mutex_unlock(&ctx->maps_snap_lock);
}

static void maps_snap_drop(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->maps_snap_lock);
	ctx->maps_snap_stands = false;
	pthread_mutex_unlock(&ctx->maps_snap_lock);
}

/*
 * apply() with what a change that holds hotplug long needs around it
 * (holds_hotplug_long(), asked once before it runs: its sizes move): the
 * mark a QEMU-side command behind it reads (change_waits_guest: a
 * qom-set requested-size, a virtio-mem device_add or device_del is
 * queued, answered at once, as QEMU never waits for its guest), and the
 * readers' copy of /proc/iomem and firmware/memmap.  The mark was set for
 * a looping offline alone (waits_guest()), so a qom-set behind a DIMM's
 * eject or a virtio-mem shrink on pinned pages waited up to their 40 s
 * bound (abuse26 E2).  Both the client's change and the drivers' work
 * after an online (driver_retry(): the unplug a busy shrink left, which
 * takes online memory's pages as the retry timers' run does) -- the
 * second went without the copy, and a `cat /proc/iomem` waited for it.
 */
static int apply_held(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *added,
		      size_t addedlen, int *ost_slot, char *err, size_t errlen)
{
	bool long_hold = holds_hotplug_long(ctx, ch);
	int ret;

	if (long_hold) {
		maps_snap_take(ctx);
		__atomic_store_n(&ctx->change_waits_guest, true, __ATOMIC_RELEASE);
	}
	/* the blocks' device_lock, which a reader of their online waits for (devlock.c) */
	hmfs_devlock_take(ctx, ch, long_hold);
	ret = apply(ctx, ch, added, addedlen, ost_slot, err, errlen);
	hmfs_devlock_release(ctx);
	if (long_hold) {
		__atomic_store_n(&ctx->change_waits_guest, false, __ATOMIC_RELEASE);
		maps_snap_drop(ctx);
	}
	return ret;
}

/*
 * The drivers' work in the writer's thread, named "hotmemfs-driver" while
 * it runs: 6.12 runs it in a kworker (virtio_mem_run_wq() on
 * system_freezable_wq), and `top -H`, a debugger or a test's preload
 * shim (tests/reliability/thread_hold.c, tests/fusefs/268) tell it from
 * the client's change by the name.  The FUSE worker's own name back after;
 * the main thread keeps its name, the process's (thread_name.h).
 */
static int driver_apply(struct hmfs_ctx *ctx, const struct hmfs_change *retry,
			struct change_run *drun)
{
	struct hmfs_thread_name name;
	int ret;

	hmfs_thread_name_take(&name, "hotmemfs-driver");
	ret = apply_held(ctx, retry, NULL, 0, &(int){ -1 }, drun->err, drun->errlen);
	hmfs_thread_name_back(&name);
	return ret;
}

/*
 * Memory came online or went offline: a virtio-mem driver below its
 * threshold adds more, one whose notifier queued its work on the offline
 * of its block (virtio_mem.unplug_online off) unplugs it.  That is the
 * driver's work, not the client's change, but it is saved and undone
 * like one (@drun, its own record after the client's): a change whose
 * record is lost to a failed fdatasync leaves no plugging or unplugging
 * behind, and its undo finds the devices as before.  The machine before
 * it is kept only when a device's work is due (hmfs_dev_due()):
 * the one-block records stay O(change) otherwise.
 */
static void driver_retry(struct hmfs_ctx *ctx, struct change_run *drun,
			 struct hmfs_change *retry)
{
	/* which devices: asked once, for the record's ranges, @pre and the run alike */
	int due = hmfs_dev_due(ctx, retry), sret;

	if (due < 0)
		fprintf(stderr, "hotmemfs: the virtio-mem drivers' work after memory%lu's %s not run: %s\n",
			retry->id, retry->value ? "online" : "offline", strerror(-due));
	if (due <= 0)
		return;
	/*
	 * A @pre of its own, needed beside the client's change's (both
	 * prepares run): the driver's work is a record of its own, and its
	 * undo (a failed append here, or rollback() of both records, newest
	 * first) goes back to the machine after the client's change, not
	 * before it -- only this prepare, taken after the change was applied,
	 * has that machine.  Nor does the client's @pre hold what this undo
	 * needs: a one-block change's keeps its block's run, this one the due
	 * devices, their blocks' runs and what those blocks keep
	 * (device_ranges(), state.c).  Its mark of the kernel's allocations'
	 * log copies the list as the change's did, and the engine keeps both:
	 * a rollback of both past a lost log takes each one's back from its
	 * own copy (state.c hmfs_state_prepare(), reread21b K1's second half).
	 */
	hmfs_state_prepare(ctx, retry, &drun->sv);
	drun->sv.undo = undo_unsynced;
	if (!driver_apply(ctx, retry, drun)) {
		sret = hmfs_state_append(ctx, &drun->sv);
		if (sret)
			unsaved(ctx, retry, &drun->sv, "", sret, drun->err, drun->errlen);
	}
	hmfs_dev_due_free(retry);
}

/* the copy stands for the engine (maps_snap_lock held) */
static bool maps_snap_stands(struct hmfs_ctx *ctx)
{
	return ctx->maps_snap_stands && !__atomic_load_n(&ctx->maps_snap_stale, __ATOMIC_ACQUIRE);
}

/*
 * A block's REMOVE, from the engine's callback (which may hold its
 * device_hotplug_lock: no lock taken here) -- the removal changes the
 * resources and the firmware map next
 */
void hmfs_maps_snap_stale(struct hmfs_ctx *ctx)
{
	__atomic_store_n(&ctx->maps_snap_stale, true, __ATOMIC_RELEASE);
}

size_t hmfs_iomem(struct hmfs_ctx *ctx, struct hm_iomem_entry *ents, size_t max)
{
	size_t n;

	pthread_mutex_lock(&ctx->maps_snap_lock);
	if (maps_snap_stands(ctx)) {
		n = ctx->iomem_snap_n;
		if (n && max)
			memcpy(ents, ctx->iomem_snap, (n < max ? n : max) * sizeof(*ents));
	} else {
		n = hotmem_iomem(ctx->hm, ents, max);
	}
	pthread_mutex_unlock(&ctx->maps_snap_lock);
	return n;
}

size_t hmfs_firmware_map(struct hmfs_ctx *ctx, struct hm_fwmap_entry *ents, size_t max)
{
	size_t n;

	pthread_mutex_lock(&ctx->maps_snap_lock);
	if (maps_snap_stands(ctx)) {
		n = ctx->fwmap_snap_n;
		if (n && max)
			memcpy(ents, ctx->fwmap_snap, (n < max ? n : max) * sizeof(*ents));
	} else {
		n = hotmem_firmware_map(ctx->hm, ents, max);
	}
	pthread_mutex_unlock(&ctx->maps_snap_lock);
	return n;
}

void hmfs_maps_snap_free(struct hmfs_ctx *ctx)
{
	free(ctx->iomem_snap);
	ctx->iomem_snap = NULL;
	free(ctx->fwmap_snap);
	ctx->fwmap_snap = NULL;
}

/*
 * qom-set requested-size (usereye10 U5): QEMU's returns at once, the
 * guest's driver works later.  Behind a change that waits for the guest
 * (apply_held(): a looping offline, a DIMM's eject, a virtio-mem shrink)
 * it is queued (hmfs_dev_queue_requested(): the host's value now, kept
 * apart from the device's, the change once change_lock is free); else it waits for change_lock as any
 * change does and the driver runs before the reply, as before.  1: the
 * caller goes on (change_lock held); else the qom-set's answer.
 */
static int resize_or_queue(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err,
			   size_t errlen)
{
	const struct hotmem_task guest = { .signal_pending = guest_holds_change, .arg = ctx };
	int ret;

	/*
	 * With a state file the queued value is journaled under journal_lock
	 * alone and durable before the {} (dev.c vmem_queue(): a
	 * "qemu-requested" record), so that a kill -9 before the guest lets
	 * go keeps the acknowledged qom-set (reread18-fusefs2 F1: it waited
	 * for the guest, its record journaled under change_lock); no journal
	 * to append to, -EAGAIN: it waits as a change does.
	 */
	ret = lock_change(ctx, &guest, err, errlen);
	if (!ret)
		return 1;
	err[0] = '\0';
	ret = hmfs_dev_queue_requested(ctx, ch->dev.id, ch->dev.requested, err, errlen);
	if (ret != -EAGAIN)
		return ret;
	err[0] = '\0';
	ret = lock_change(ctx, NULL, err, errlen);
	return ret ? ret : 1;
}

/*
 * kept_record_superseded() for a record journaled without change_lock,
 * which it takes: the wait is for a guest's looping offline, as
 * rollback()'s.  true: frozen (meanwhile: the file is the way back,
 * never written over, as rollback() leaves it).
 */
static bool kept_record_superseded_locked(struct hmfs_ctx *ctx, int sret)
{
	bool frozen;

	pthread_mutex_lock(&ctx->change_lock);
	frozen = ctx->frozen || kept_record_superseded(ctx, sret);
	pthread_mutex_unlock(&ctx->change_lock);
	return frozen;
}

/*
 * A QEMU-side record's append failed with @ret (dev.c, without dev_lock;
 * nothing tried, as for -EAGAIN or a bad value, is nothing to settle):
 * what its failed write may have left in the journal is superseded
 * before the refusal is answered, so that a kill -9 and a restart never
 * replay a command its client was told failed.  A "void" record written
 * over it (state.c void_kept()) is made durable here, not waiting for the
 * guest's looping offline the command was answered behind (its sync
 * failing, rollback() writes the file whole); if even that could not be
 * written, the file is written whole once change_lock is free, as a
 * lock-free value's (lock_free_value()), or hotmemfs freezes.  @ret
 * back, @err the frozen words when frozen.
 */
int hmfs_kept_record_settle(struct hmfs_ctx *ctx, struct hmfs_save *sv, int ret, char *err,
			    size_t errlen)
{
	(void)hmfs_state_sync(ctx, sv);
	if (sv->maybe_kept && kept_record_superseded_locked(ctx, ret))
		hmfs_state_frozen_say(ctx, err, errlen);
	return ret;
}

/*
 * A value the engine keeps lock-free: nr_overcommit_hugepages (6.12
 * hugetlb_overcommit_handler() and nr_overcommit_hugepages_store(): one
 * assignment under hugetlb_lock) and a notifier-error-inject error
 * (lib/notifier-error-inject.c: a debugfs errno value, no lock).  Neither
 * takes a hotplug lock in the kernel, so neither waits for change_lock,
 * which a guest's looping offline holds (abuse24 A3): set at once, with a
 * state file journaled under journal_lock alone and durable before the
 * answer (state.c hmfs_state_set_param(); 9846c2ec journaled it under
 * change_lock, and the writer waited for the offline).  Its record's
 * sync failing, rollback() sets the value back (it takes change_lock:
 * that answer comes once the offline is over, as a queued device_add's,
 * tests/fusefs/276).  Its record's write failing, and its cut too, the
 * record may be left in the journal: the file is written whole as
 * unsaved() does, under change_lock as rollback() is (reread25 R1).
 * -EAGAIN: no journal to append to, the change's way.
 */
static int lock_free_value(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err,
			   size_t errlen)
{
	struct hmfs_param_save ps;
	int ret = hmfs_state_set_param(ctx, &ps, ch);
	bool frozen = false;

	if (ret == -EROFS)
		hmfs_state_frozen_say(ctx, err, errlen);
	if (ret == -EAGAIN || ret == -EROFS)
		goto out;
	if (ret && ps.sv.maybe_kept)
		frozen = kept_record_superseded_locked(ctx, ret);
	if (frozen) {
		hmfs_state_frozen_say(ctx, err, errlen);
		goto out;
	}
	if (!ret)
		ret = hmfs_state_sync(ctx, &ps.sv);
	if (ret) {
		/* the anonymous devices' count is only raised (param_set()): never undone */
		snprintf(err, errlen, "saving the state file %.300s: %s; the %s %s",
			 ctx->state_path, strerror(-ret), op_name(ch),
			 ch->op == HMFS_CH_ANON_COUNT ? "stays taken (a number is never given twice)" :
							"was undone");
		fprintf(stderr, "hotmemfs: %s\n", err);
	}
out:
	hmfs_state_param_done(&ps);
	return ret;
}

/*
 * The change a restarted write makes (lock_change_wait()): on 6.12 its
 * handler ran and the syscall came back with no signal pending, while the
 * FUSE request stays interrupted and its client waits killable -- so its
 * own offline ends at a fatal signal alone (one FUSE_INTERRUPT a request:
 * a later signal that is not fatal is not seen)
 */
static const struct hmfs_change *restarted_change(struct hmfs_change *c, struct hotmem_task *t,
						  const struct hmfs_change *ch)
{
	*t = *ch->task;
	t->signal_pending = t->fatal_signal_pending;
	*c = *ch;
	c->task = t;
	return c;
}

struct hmfs_change hmfs_change_notifier_error(int action, int error,
					      const struct hotmem_task *task)
{
	return (struct hmfs_change){ .op = HMFS_CH_NOTIFIER_ERROR, .id = (unsigned long)action,
				     .value = error, .task = task };
}

int hmfs_change(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err, size_t errlen)
{
	/* the driver's work after block ch->id's online (.value) or offline */
	struct hmfs_change retry = { .op = HMFS_CH_DRIVER_RETRY, .id = ch->id,
				     .value = ch->value != HM_MMOP_OFFLINE };
	struct change_run run = { .ch = ch, .err = err, .errlen = errlen, .ost_slot = -1 };
	char e[512], de[512];
	struct change_run drun = { .ch = &retry, .err = de, .errlen = sizeof(de) };
	struct hmfs_save ksv = { 0 }; /* the kernel's allocations' own record (state.c) */
	struct hmfs_change fired, restarted;
	struct lock_wait w = { .task = ch->task, .restarts = ch->restarts };
	struct hotmem_task fatal_only;
	bool ends;
	int ret, sret;

	if (!err || !errlen) {
		run.err = e;
		run.errlen = sizeof(e);
	}
	run.err[0] = '\0';
	if (hmfs_state_lock_free(ch)) {
		ret = lock_free_value(ctx, ch, run.err, run.errlen);
		if (ret != -EAGAIN)
			return ret;
	}
	/* QEMU's host-side check first: never behind the guest (dev.c) */
	if (ch->op == HMFS_CH_DEVICE_DEL && !ch->timer) {
		ret = hmfs_dev_del_refused(ctx, ch->dev.id, run.err, run.errlen);
		if (ret)
			return ret;
	}
	if (ch->op == HMFS_CH_DEVICE_RESIZE && !ch->queued && !ch->task) {
		ret = resize_or_queue(ctx, ch, run.err, run.errlen);
		if (ret != 1)
			return ret;
	} else {
		ret = lock_change_wait(ctx, &w, run.err, run.errlen);
		if (ret)
			return ret;
		if (w.restarted)
			ch = run.ch = restarted_change(&restarted, &fatal_only, ch);
	}
	if (ctx->frozen) {
		hmfs_state_frozen_say(ctx, run.err, run.errlen);
		pthread_mutex_unlock(&ctx->change_lock);
		return -EROFS;
	}
	if (ch->timer) {
		/* the retry timers' work (dev.c): its devices found under change_lock, as a block's */
		fired = *ch;
		ret = hmfs_dev_due(ctx, &fired);
		if (ret <= 0) {
			pthread_mutex_unlock(&ctx->change_lock);
			return ret < 0 ? ret : -EAGAIN;
		}
		ch = run.ch = &fired;
	}
	hmfs_state_prepare(ctx, ch, &run.sv);
	run.sv.undo = undo_unsynced;
	ret = apply_held(ctx, ch, run.added, sizeof(run.added), &run.ost_slot, run.err, run.errlen);
	if (ret < 0 && !may_progress(ctx, ch)) {
		/* refused, but the kernel's allocations moved before it (kmem_tick()): kept */
		hmfs_state_append_kmem(ctx, &ksv);
		pthread_mutex_unlock(&ctx->change_lock);
		hmfs_state_sync(ctx, &ksv);
		goto out;
	}
	if (ch->dev.new_id)
		snprintf(ch->dev.new_id, ch->dev.new_id_len, "%s", run.added);
	sret = hmfs_state_append(ctx, &run.sv);
	if (sret)
		ret = unsaved(ctx, ch, &run.sv, run.added, sret, run.err, run.errlen);
	else if (ret >= 0 && (ch->op == HMFS_CH_BLOCK_STATE || ch->op == HMFS_CH_BLOCK_ONLINE))
		driver_retry(ctx, &drun, &retry);
	/* a change that left the file's machine as it was has no record to carry them */
	if (!sret)
		hmfs_state_append_kmem(ctx, &ksv);
	ends = ch->op == HMFS_CH_DEVICE_ADD || ch->op == HMFS_CH_DEVICE_DEL;
	if (ends)
		ends_pending(ctx, true);
	pthread_mutex_unlock(&ctx->change_lock);
	if (!sret) {
		sret = hmfs_state_sync(ctx, &run.sv);
		if (sret)
			ret = sret; /* undone, run.err says so */
		hmfs_state_sync(ctx, &drun.sv);
		hmfs_state_sync(ctx, &ksv);
	}
	/*
	 * QEMU's DEVICE_DELETED once the device is gone for good: durable, so
	 * never for one an undo brings back (nor for an undo's own removal,
	 * hmfs_dev_unplug_and_del()); queued after its uevents.  A DIMM's
	 * eject ends with the guest's _OST, of success or, undone, of a
	 * failure (acpi.c).  Undone is the DIMM back in its slot: an undo
	 * that failed (hotmemfs frozen) left it gone, as QEMU's list says,
	 * and the eject ends as done (review14 R10's note).
	 */
	if (run.ost_slot >= 0)
		hmfs_acpi_eject_end(ctx, ch->dev.id, run.ost_slot, eject_source(ch),
				    ret < 0 && hmfs_dev_dimm_slot(ctx, ch->dev.id) == run.ost_slot);
	else if (ret >= 0 && ch->op == HMFS_CH_DEVICE_ADD)
		hmfs_acpi_insert_end(ctx, run.added);
	else if (ret >= 0 && ch->op == HMFS_CH_DEVICE_DEL)
		hmfs_emit_virtio_device_deleted(ctx, ch->dev.id); /* a DIMM's has its slot */
	if (ends)
		ends_pending(ctx, false);
out:
	hmfs_state_done(&run.sv);
	hmfs_state_done(&drun.sv);
	if (ch == &fired)
		hmfs_dev_due_free(&fired);
	return ret < 0 ? ret : 0;
}

/* a context with its locks and "nothing open" markers, before any engine */
void hmfs_ctx_init(struct hmfs_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	pthread_mutex_init(&ctx->poll_lock, NULL);
	hmfs_splice_init(ctx);
	hmfs_inc_init(ctx);
	pthread_mutex_init(&ctx->iattr_lock, NULL);
	pthread_mutex_init(&ctx->q_lock, NULL);
	hmfs_events_init(ctx);
	pthread_mutex_init(&ctx->dev_lock, NULL);
	pthread_mutex_init(&ctx->dev_snap_lock, NULL);
	pthread_mutex_init(&ctx->sub_lock, NULL);
	pthread_cond_init(&ctx->conns_cond, NULL);
	pthread_mutex_init(&ctx->change_lock, NULL);
	hmfs_devlock_init(ctx);
	pthread_mutex_init(&ctx->maps_snap_lock, NULL);
	ctx->maps_snap_gen = UINT64_MAX; /* no copy yet */
	pthread_mutex_init(&ctx->end_lock, NULL);
	pthread_cond_init(&ctx->end_cond, NULL);
	pthread_mutex_init(&ctx->retired_lock, NULL);
	pthread_mutex_init(&ctx->save_lock, NULL);
	pthread_mutex_init(&ctx->journal_lock, NULL);
	pthread_cond_init(&ctx->journal_cond, NULL);
	pthread_mutex_init(&ctx->compact_lock, NULL);
	pthread_cond_init(&ctx->compact_cond, NULL);
	ctx->state_dirfd = ctx->state_lockfd = ctx->journal_fd = -1;
	ctx->ctl_fd = ctx->ctl_stop_fd = -1;
	ctx->ev_slot = -1;
	ctx->sink.nl_fd = ctx->sink.dgram_fd = -1;
	clock_gettime(CLOCK_REALTIME, &ctx->mount_time);
}

/*
 * The context's locks and condition variables, destroyed in the reverse
 * order of hmfs_ctx_init(), once nothing can take them: hotmemfs's
 * teardown (main.c) after the session, every thread, the engine and the
 * state file are gone.  Exactly those hmfs_ctx_init() made, which are all
 * of them: its inits cannot fail (glibc's for default attributes, and
 * for CLOCK_MONOTONIC conditions, return 0 always), so there is no
 * partial init to unwind.  f26b55b2 destroyed nodelink_lock alone.
 */
void hmfs_ctx_destroy(struct hmfs_ctx *ctx)
{
	pthread_cond_destroy(&ctx->compact_cond);
	pthread_mutex_destroy(&ctx->compact_lock);
	pthread_cond_destroy(&ctx->journal_cond);
	pthread_mutex_destroy(&ctx->journal_lock);
	pthread_mutex_destroy(&ctx->save_lock);
	pthread_mutex_destroy(&ctx->retired_lock);
	pthread_cond_destroy(&ctx->end_cond);
	pthread_mutex_destroy(&ctx->end_lock);
	pthread_mutex_destroy(&ctx->maps_snap_lock);
	pthread_mutex_destroy(&ctx->change_lock);
	hmfs_devlock_destroy(ctx);
	pthread_cond_destroy(&ctx->conns_cond);
	pthread_mutex_destroy(&ctx->sub_lock);
	pthread_mutex_destroy(&ctx->dev_snap_lock);
	pthread_mutex_destroy(&ctx->dev_lock);
	hmfs_events_fini(ctx);
	pthread_mutex_destroy(&ctx->q_lock);
	pthread_mutex_destroy(&ctx->iattr_lock);
	hmfs_inc_fini(ctx);
	hmfs_splice_fini(ctx);
	pthread_mutex_destroy(&ctx->poll_lock);
}
