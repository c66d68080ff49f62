// SPDX-License-Identifier: GPL-2.0
/*
 * The DIMM slots as the guest's ACPI sees them (tree.c shows them).
 *
 * QEMU describes every slot of `-m slots=N` in its ACPI tables, empty or
 * not: \_SB.MHPC.MPxx (hw/acpi/memory_hotplug.c), a PNP0C80 device that
 * Linux enumerates at boot as /sys/devices/LNXSYSTM:00/LNXSYBUS:00/
 * PNP0A06:04/PNP0C80:xx (slot xx).  A DIMM in a slot is an ACPI memory
 * device: drivers/acpi/acpi_memhotplug.c adds its range and binds every
 * memory block of it to the slot's device (acpi_bind_memory_blocks() ->
 * acpi_bind_one(), drivers/acpi/glue.c, 6.12): memoryN/firmware_node and
 * the device's physical_node, physical_node1 ... in block order.  An
 * eject unbinds them; the slot's device stays.
 *
 * The profile's "hotplug" ranges are the DIMMs found at boot and take the
 * first slots, as cold-plugged DIMMs do in QEMU; pc-dimm devices (dev.c)
 * take the lowest free slot or the one asked for.
 *
 * acpi_lock guards the table and is never held across anything that
 * waits, so that a reader never waits for an eject (which holds
 * dev_lock for as long as the offline takes); query-memory-devices and
 * query-acpi-ospm-status read the devices from the snapshot an eject
 * leaves (dev.c hmfs_dev_query_json()) for the same reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs.h"

/* an eject queued: its slot, looked at again when it runs */
struct hmfs_acpi_work {
	struct hmfs_acpi_work *next;
	int slot, source;
	char id[sizeof(((struct hmfs_dev *)0)->id)]; /* "": the slot's DIMM, whichever */
	uint64_t made; /* hmfs_dev_made() when queued: the DIMM adds queued before it go first */
};

int hmfs_acpi_init(struct hmfs_ctx *ctx)
{
	const struct hotmem_config *cfg = &ctx->cfg;

	ctx->nr_acpi_slots = (int)cfg->ram_slots;
	ctx->acpi_slots = calloc(cfg->ram_slots ? cfg->ram_slots : 1, sizeof(*ctx->acpi_slots));
	if (!ctx->acpi_slots)
		return -ENOMEM;
	pthread_mutex_init(&ctx->acpi_lock, NULL);
	pthread_cond_init(&ctx->acpi_wq_cond, NULL);
	ctx->acpi_wq_tail = &ctx->acpi_wq_head;
	/* hotmem_config_validate(): no more hotplug ranges than slots */
	for (int i = 0; i < cfg->nr_hotplug && i < ctx->nr_acpi_slots; i++) {
		struct hmfs_acpi_slot *s = &ctx->acpi_slots[i];

		s->start = cfg->hotplug[i].start;
		s->size = cfg->hotplug[i].end - cfg->hotplug[i].start;
		s->present = s->enumerated = s->attached = s->bound = true;
	}
	return 0;
}

void hmfs_acpi_free(struct hmfs_ctx *ctx)
{
	if (!ctx->acpi_slots)
		return;
	hmfs_acpi_hotplug_stop(ctx);
	pthread_cond_destroy(&ctx->acpi_wq_cond);
	pthread_mutex_destroy(&ctx->acpi_lock);
	free(ctx->acpi_slots);
	ctx->acpi_slots = NULL;
	ctx->nr_acpi_slots = 0;
}

/* pc_dimm_pre_plug() and pc_dimm_get_free_slot() (QEMU 7.2, its words), under acpi_lock */
static int free_slot(struct hmfs_ctx *ctx, int want, char *err, size_t errlen)
{
	int nr = ctx->nr_acpi_slots;

	if (nr <= 0)
		return hmfs_qemu_error(err, errlen,
				  "no slots where allocated, please specify the 'slots' option");
	if (want >= 0) {
		if (want >= nr)
			return hmfs_qemu_error(err, errlen,
					       "invalid slot number %d, valid range is [0-%d]", want,
					       nr - 1);
		if (ctx->acpi_slots[want].present)
			return hmfs_qemu_error(err, errlen, "slot %d is busy", want);
		return want;
	}
	for (int i = 0; i < nr; i++)
		if (!ctx->acpi_slots[i].present)
			return i;
	return hmfs_qemu_error(err, errlen, "no free slots available");
}

int hmfs_acpi_slot_find(struct hmfs_ctx *ctx, int want, char *err, size_t errlen)
{
	int slot;

	pthread_mutex_lock(&ctx->acpi_lock);
	slot = free_slot(ctx, want, err, errlen);
	pthread_mutex_unlock(&ctx->acpi_lock);
	return slot;
}

void hmfs_acpi_slot_plug(struct hmfs_ctx *ctx, int slot, uint64_t start, uint64_t size)
{
	struct hmfs_acpi_slot *s;

	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return;
	pthread_mutex_lock(&ctx->acpi_lock);
	s = &ctx->acpi_slots[slot];
	s->start = start;
	s->size = size;
	/*
	 * _STA now says present (QEMU's realize); the guest sees it at its
	 * device check: hmfs_acpi_slot_attach()
	 */
	s->present = true;
	s->attached = false;
	/* its blocks are linked once they are all added: hmfs_acpi_slot_bind() */
	s->bound = false;
	s->plug_gen++;
	pthread_mutex_unlock(&ctx->acpi_lock);
}

/*
 * The guest's device check of the slot ran (6.12 acpi_bus_scan(), on
 * kacpi_hotplug_wq: at once for a device_add, behind a guest's offline
 * for one answered before it): acpi_bus_get_status() cached it present
 * -- modalias shows from now, and stays after an eject
 * (drivers/acpi/device_sysfs.c create_pnp_modalias()) -- and its scan
 * handler is attached, so its eject file takes a write.
 */
void hmfs_acpi_slot_attach(struct hmfs_ctx *ctx, int slot)
{
	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return;
	pthread_mutex_lock(&ctx->acpi_lock);
	ctx->acpi_slots[slot].enumerated = ctx->acpi_slots[slot].attached = true;
	pthread_mutex_unlock(&ctx->acpi_lock);
}

/*
 * The guest refused the slot's DIMM: 6.12's acpi_scan_attach_handler()
 * sets device->handler back to NULL when the handler's attach()
 * (acpi_memory_device_add()) fails, so acpi_eject_store() answers ENODEV
 * (drivers/acpi/device_sysfs.c: no handler and no driver).  Still
 * enumerated: the status the scan cached says present, modalias shows.
 */
void hmfs_acpi_slot_detach(struct hmfs_ctx *ctx, int slot)
{
	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return;
	pthread_mutex_lock(&ctx->acpi_lock);
	ctx->acpi_slots[slot].attached = false;
	pthread_mutex_unlock(&ctx->acpi_lock);
}

/*
 * The DIMM's memory is added, every block of it there and its ADD queued:
 * acpi_bind_memory_blocks() links them now (6.12 acpi_memory_enable_device()
 * calls it after __add_memory() returns), memoryN/firmware_node and the
 * slot's physical_nodeK appear together, after the blocks' ADDs.  Before,
 * the links came with each block, and an agent handling the first ADD (the
 * other blocks not there yet) took the link for a whole DIMM of one block:
 * hotmemd's auto-movable put a DIMM's first blocks in Movable where the
 * kernel's puts all in Normal.  The links show once the notifier has sent
 * the ADDs queued before (hmfs_acpi_slot_bound()): the kernel's ADDs are on
 * every listener's socket before the binding starts (netlink_broadcast()
 * in device_add()), and the notifier sends a run of ADDs only after their
 * invalidations, so links shown at once were there before an agent had
 * the DIMM's first ADD.  @now (a restore's or an undo's DIMM, bound
 * before: its links' iattrs come back right after), no notifier (a
 * restore, before it starts) or no memory to queue it: linked now.
 */
void hmfs_acpi_slot_bind(struct hmfs_ctx *ctx, int slot, bool now)
{
	unsigned long gen;

	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return;
	pthread_mutex_lock(&ctx->acpi_lock);
	gen = ctx->acpi_slots[slot].plug_gen;
	pthread_mutex_unlock(&ctx->acpi_lock);
	if (now || !hmfs_emit_acpi_bind(ctx, slot, gen))
		hmfs_acpi_slot_bound(ctx, slot, gen);
}

/*
 * The notifier reached slot @slot's binding, queued after its ADDs: its
 * links show, if the slot still has the DIMM of plug @gen (one unplugged
 * meanwhile, or plugged anew, is not linked by an old binding).
 */
bool hmfs_acpi_slot_bound(struct hmfs_ctx *ctx, int slot, unsigned long gen)
{
	struct hmfs_acpi_slot *s;
	bool bound = false;

	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return false;
	pthread_mutex_lock(&ctx->acpi_lock);
	s = &ctx->acpi_slots[slot];
	if (s->present && s->plug_gen == gen)
		bound = s->bound = true;
	pthread_mutex_unlock(&ctx->acpi_lock);
	return bound;
}

void hmfs_acpi_slot_unplug(struct hmfs_ctx *ctx, int slot)
{
	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return;
	pthread_mutex_lock(&ctx->acpi_lock);
	ctx->acpi_slots[slot].present = ctx->acpi_slots[slot].bound = false;
	ctx->acpi_slots[slot].attached = false;
	pthread_mutex_unlock(&ctx->acpi_lock);
}

bool hmfs_acpi_slot_get(struct hmfs_ctx *ctx, int slot, struct hmfs_acpi_slot *out)
{
	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return false;
	pthread_mutex_lock(&ctx->acpi_lock);
	*out = ctx->acpi_slots[slot];
	pthread_mutex_unlock(&ctx->acpi_lock);
	return true;
}

/*
 * QEMU's acpi_memory_hotplug_write() for MEMORY_SLOT_OST_EVENT and
 * MEMORY_SLOT_OST_STATUS (hw/acpi/memory_hotplug.c, 7.2): the guest's _OST
 * writes the slot's ost_event and ost_status, then QEMU sends them as
 * ACPI_DEVICE_OST (acpi_memory_device_status()); they stay until the next
 * _OST, after the DIMM is gone too, and query-acpi-ospm-status lists them.
 */
void hmfs_acpi_ost(struct hmfs_ctx *ctx, int slot, const char *id, int source, int status)
{
	if (slot < 0 || slot >= ctx->nr_acpi_slots)
		return;
	pthread_mutex_lock(&ctx->acpi_lock);
	ctx->acpi_slots[slot].ost_source = source;
	ctx->acpi_slots[slot].ost_status = status;
	pthread_mutex_unlock(&ctx->acpi_lock);
	hmfs_emit_ost(ctx, slot, id, source, status);
}

long hmfs_acpi_slot_block(const struct hmfs_acpi_slot *s, uint64_t k, uint64_t block_size)
{
	return k < s->size / block_size ? (long)(s->start / block_size + k) : -1;
}

uint64_t hmfs_acpi_block_link(struct hmfs_ctx *ctx, unsigned long id)
{
	unsigned long k = 0;
	int slot = hmfs_acpi_block_slot(ctx, id, &k);

	return slot < 0 ? 0 : HMFS_ACPI_PHYS_INO(slot, k);
}

long hmfs_acpi_link_block(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hmfs_acpi_slot s;

	if (HMFS_INO_CLASS(ino) != HMFS_C_ACPI_PHYS ||
	    !hmfs_acpi_slot_get(ctx, (int)HMFS_ACPI_PHYS_SLOT(ino), &s))
		return -1;
	return hmfs_acpi_slot_block(&s, HMFS_ACPI_PHYS_K(ino), ctx->block_size);
}

/*
 * A DIMM came: acpi_scan_device_check() rescans the slot's parent, whose
 * container handler then says KOBJ_ONLINE (container_device_online()),
 * after the blocks' add events: the guest's uevents of a device_add.
 */
void hmfs_acpi_notify_online(struct hmfs_ctx *ctx)
{
	(void)hmfs_emit_uevent(ctx, "online", "/devices/system/container/PNP0A06:04", "container", NULL,
			       0);
}

/*
 * The container's online attribute (drivers/base/core.c online_store(),
 * container_subsys: trivial_online(), container_offline()): it goes offline
 * only while every memory block of its DIMMs is offline
 * (acpi_scan_is_offline() over the slots' physical nodes), else EBUSY.
 * 1: the state changed; 0: it was already so.
 */
int hmfs_acpi_container_set(struct hmfs_ctx *ctx, bool online)
{
	struct hmfs_acpi_slot s;
	int ret = 1;

	if (online == hmfs_acpi_container_online(ctx))
		return 0;
	/* the blocks are read without acpi_lock: it never waits for the engine */
	for (int i = 0; !online && i < ctx->nr_acpi_slots; i++) {
		if (!hmfs_acpi_slot_get(ctx, i, &s) || !s.present)
			continue;
		for (uint64_t a = s.start; a < s.start + s.size; a += ctx->block_size) {
			struct hm_block_info bi;

			if (!hotmem_block_info(ctx->hm, (unsigned long)(a / ctx->block_size), &bi) &&
			    bi.state != HM_MEM_OFFLINE)
				return -EBUSY;
		}
	}
	pthread_mutex_lock(&ctx->acpi_lock);
	if (ctx->acpi_container_offline == !online)
		ret = 0;
	ctx->acpi_container_offline = !online;
	pthread_mutex_unlock(&ctx->acpi_lock);
	if (ret)
		(void)hmfs_emit_uevent(ctx, online ? "online" : "offline",
				       "/devices/system/container/PNP0A06:04", "container", NULL, 0);
	return ret;
}

bool hmfs_acpi_container_online(struct hmfs_ctx *ctx)
{
	bool online;

	pthread_mutex_lock(&ctx->acpi_lock);
	online = !ctx->acpi_container_offline;
	pthread_mutex_unlock(&ctx->acpi_lock);
	return online;
}

/* under acpi_lock: the first slot from @from whose DIMM (bound, or the last one it had) holds @addr */
static int slot_covering(struct hmfs_ctx *ctx, uint64_t addr, int from, bool gone, unsigned long *node_id)
{
	for (int i = from < 0 ? 0 : from; i < ctx->nr_acpi_slots; i++) {
		const struct hmfs_acpi_slot *s = &ctx->acpi_slots[i];

		if ((s->bound || gone) && s->size && addr >= s->start && addr - s->start < s->size) {
			/* blocks are bound in address order: the lowest free id each */
			if (node_id)
				*node_id = (unsigned long)((addr - s->start) / ctx->block_size);
			return i;
		}
	}
	return -1;
}

/*
 * Present slots only: their DIMMs' ranges never overlap (QEMU's
 * memory_device_get_free_addr()), so there is one.  A slot keeps its
 * last DIMM's range after the unplug (hmfs_acpi_block_slot_had()), and
 * a DIMM added later at that address in another slot made an address
 * lookup over both find the empty slot first: the removal forgot and
 * invalidated slot 0's link, not slot 1's (review7 #1).  A block's
 * removal is called back while its DIMM's slot is still present
 * (dev.c dimm_del(): the eject, then hmfs_acpi_slot_unplug(); a failed
 * dimm_add() the same way).
 */
int hmfs_acpi_block_slot(struct hmfs_ctx *ctx, unsigned long id, unsigned long *node_id)
{
	int slot;

	pthread_mutex_lock(&ctx->acpi_lock);
	slot = slot_covering(ctx, (uint64_t)id * ctx->block_size, 0, false, node_id);
	pthread_mutex_unlock(&ctx->acpi_lock);
	return slot;
}

int hmfs_acpi_block_slot_had(struct hmfs_ctx *ctx, unsigned long id, int from,
			     unsigned long *node_id)
{
	int slot;

	pthread_mutex_lock(&ctx->acpi_lock);
	slot = slot_covering(ctx, (uint64_t)id * ctx->block_size, from, true, node_id);
	pthread_mutex_unlock(&ctx->acpi_lock);
	return slot;
}

/*
 * The guest's eject of a slot (acpi_device_hotplug() from
 * kacpi_hotplug_wq, drivers/acpi/scan.c, 6.12): the slot's DIMM, if it
 * still has one, goes as device_del takes it (offline each block, remove,
 * _EJ0; a refusal is the _OST status and dmesg, nobody waits for it).  No
 * writer's signal reaches it: the unplug deadline ends an offline that
 * never finishes (dev.c).  Asked by QEMU's device_del (its eject request
 * notification, @source 3) or the guest's own eject file (0x103): the
 * result's _OST has the request's source.  A DIMM gone meanwhile (an
 * earlier eject of it succeeded) is nothing to do, as the kernel's work on
 * a device already trimmed evaluates no _OST; nor is another DIMM plugged
 * into the slot since the request (@want: the one asked for).  A DIMM
 * whose device_add was answered behind a guest's offline, its add still
 * queued, is added first, and so is every other DIMM whose add was queued
 * before this request (@made: hmfs_dev_made() then): the queue is ordered,
 * their device checks ahead.
 */
static void acpi_eject(struct hmfs_ctx *ctx, int slot, int source, const char *want,
		       uint64_t made)
{
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_DEL, .dev.ost_source = source };
	char id[sizeof(((struct hmfs_dev *)0)->id)], err[512] = "";

	if (hmfs_dev_dimm_in_slot(ctx, slot, id, sizeof(id)) || (*want && strcmp(want, id)))
		return; /* ejected meanwhile (device_del, an earlier eject) */
	/* the device checks queued before this request run first (dev.c) */
	hmfs_dev_probe_first(ctx, id, made);
	ch.dev.id = id;
	if (hmfs_change(ctx, &ch, err, sizeof(err)) && err[0])
		fprintf(stderr, "hotmemfs: ACPI eject of PNP0C80:%02x: %s\n", slot, err);
}

/*
 * The guest's _EJ0 took the DIMM away (QEMU: acpi_memory_unplug_cb()
 * empties the slot, the DIMM is unparented and device_finalize() sends
 * DEVICE_DELETED), then acpi_device_hotplug() evaluates _OST with success,
 * which QEMU reports for the slot without a device.  A removal hmfs_change()
 * undid (its save failed: the DIMM is back) ends as an eject the guest
 * gave up on: _OST non-specific failure, the DIMM named, no DEVICE_DELETED
 * -- what a client such as libvirt takes for a device_del the guest
 * refused.
 */
void hmfs_acpi_eject_end(struct hmfs_ctx *ctx, const char *id, int slot, int source, bool undone)
{
	if (undone) {
		hmfs_acpi_ost(ctx, slot, id, source, HM_ACPI_OST_SC_NON_SPECIFIC_FAILURE);
		return;
	}
	hmfs_emit_device_deleted(ctx, id);
	hmfs_acpi_ost(ctx, slot, NULL, source, HM_ACPI_OST_SC_SUCCESS);
}

/*
 * A DIMM's device_add: QEMU notifies its slot with a device check (1);
 * the guest's acpi_device_hotplug() adds the memory (acpi_memory_device_add():
 * the blocks' add uevents, and their online ones under auto-online) and
 * evaluates _OST with success, which QEMU reports naming the DIMM.  Sent
 * once the device_add is durable: none for one an undo takes back, as no
 * DEVICE_DELETED follows it either; none for the profile's DIMMs (present
 * at boot, no notification) or a restore's.
 */
void hmfs_acpi_insert_end(struct hmfs_ctx *ctx, const char *id)
{
	int slot = hmfs_dev_dimm_slot(ctx, id);

	if (slot >= 0)
		hmfs_acpi_ost(ctx, slot, id, HM_ACPI_NOTIFY_DEVICE_CHECK, HM_ACPI_OST_SC_SUCCESS);
}

static void *acpi_hotplug_worker(void *arg)
{
	struct hmfs_ctx *ctx = arg;
	struct hmfs_acpi_work *w;

	pthread_mutex_lock(&ctx->acpi_lock);
	for (;;) {
		while (!ctx->acpi_wq_head && !ctx->acpi_wq_stop)
			pthread_cond_wait(&ctx->acpi_wq_cond, &ctx->acpi_lock);
		if (ctx->acpi_wq_stop)
			break;
		w = ctx->acpi_wq_head;
		ctx->acpi_wq_head = w->next;
		if (!ctx->acpi_wq_head)
			ctx->acpi_wq_tail = &ctx->acpi_wq_head;
		/* acpi_lock is never held across what waits */
		pthread_mutex_unlock(&ctx->acpi_lock);
		acpi_eject(ctx, w->slot, w->source, w->id, w->made);
		free(w);
		pthread_mutex_lock(&ctx->acpi_lock);
	}
	pthread_mutex_unlock(&ctx->acpi_lock);
	return NULL;
}

/*
 * acpi_eject_store() -> acpi_hotplug_schedule(): the eject is queued and
 * the write returns; the work runs on one ordered queue (kacpi_hotplug_wq),
 * its thread started the first time.
 */
int hmfs_acpi_hotplug_schedule(struct hmfs_ctx *ctx, int slot, int source, const char *id)
{
	struct hmfs_acpi_work *w;
	int ret = 0;

	if (ctx->acpi_wq_inline) {
		acpi_eject(ctx, slot, source, id ? id : "", hmfs_dev_made(ctx));
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->slot = slot;
	w->source = source;
	w->made = hmfs_dev_made(ctx);
	snprintf(w->id, sizeof(w->id), "%s", id ? id : "");
	pthread_mutex_lock(&ctx->acpi_lock);
	if (!ctx->acpi_wq_started && !ctx->acpi_wq_stop)
		ctx->acpi_wq_started = !pthread_create(&ctx->acpi_wq_thread, NULL,
						       acpi_hotplug_worker, ctx);
	if (!ctx->acpi_wq_started || ctx->acpi_wq_stop) {
		ret = -ENOMEM; /* the kernel's AE_NO_MEMORY: the work was not queued */
		free(w);
	} else {
		*ctx->acpi_wq_tail = w;
		ctx->acpi_wq_tail = &w->next;
		pthread_cond_broadcast(&ctx->acpi_wq_cond);
	}
	pthread_mutex_unlock(&ctx->acpi_lock);
	return ret;
}

void hmfs_acpi_hotplug_stop(struct hmfs_ctx *ctx)
{
	struct hmfs_acpi_work *w;
	bool started;

	pthread_mutex_lock(&ctx->acpi_lock);
	ctx->acpi_wq_stop = true;
	pthread_cond_broadcast(&ctx->acpi_wq_cond);
	started = ctx->acpi_wq_started;
	ctx->acpi_wq_started = false;
	pthread_mutex_unlock(&ctx->acpi_lock);
	if (started)
		pthread_join(ctx->acpi_wq_thread, NULL);
	while ((w = ctx->acpi_wq_head)) {
		ctx->acpi_wq_head = w->next;
		fprintf(stderr, "hotmemfs: stopping: the eject of PNP0C80:%02x queued was dropped\n",
			w->slot);
		free(w);
	}
	ctx->acpi_wq_tail = &ctx->acpi_wq_head;
}
