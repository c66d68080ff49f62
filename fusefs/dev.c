// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware: memory devices as QEMU models them.
 *
 * pc-dimm: one ACPI memory device.  Linux's acpi_memhotplug registers a
 * static memory group for it and adds the whole range with
 * MHP_MEMMAP_ON_MEMORY where supported; unplug (device_del) offlines and
 * removes it, or fails and leaves it as it was.
 *
 * virtio-mem: a device region plugged and unplugged in device blocks as
 * `requested-size` changes; the guest's driver is the engine's
 * (engine/virtio_mem.c, drivers/virtio/virtio_mem.c): Sub Block Mode,
 * driver-managed memory, fake-offline sub-blocks.
 *
 * Both live in QEMU's device memory region, above boot RAM and below
 * maxmem, and are refused there with QEMU's errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hmfs.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static struct hmfs_dev *dev_find(struct hmfs_ctx *ctx, const char *id)
{
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next)
		if (!strcmp(d->id, id))
			return d;
	return NULL;
}

static void dev_link(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	struct hmfs_dev **p = &ctx->devs;

	while (*p)
		p = &(*p)->next;
	*p = d;
}

static void dev_unlink(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	for (struct hmfs_dev **p = &ctx->devs; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			return;
		}
	}
}

static void dev_free(struct hmfs_dev *d)
{
	free(d);
}

/* QEMU numbers devices it names itself: dimm0, vmem0 ... */
static void auto_id(struct hmfs_ctx *ctx, const char *prefix, char *id, size_t len)
{
	for (int i = 0;; i++) {
		snprintf(id, len, "%s%d", prefix, i);
		if (!dev_find(ctx, id))
			return;
	}
}

/* Another device whose region (a virtio-mem device's whole size) meets [addr, addr + size). */
static struct hmfs_dev *dev_overlapping(struct hmfs_ctx *ctx, const struct hmfs_dev *self,
					uint64_t addr, uint64_t size)
{
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next)
		if (d != self && addr < d->addr + d->size && d->addr < addr + size)
			return d;
	return NULL;
}

/*
 * QEMU's device memory region: above boot RAM (on a QEMU x86 machine at
 * 4 GiB, past RAM above 4 GiB), up to maxmem and the physical address
 * limit.  Returns [*base, *end).
 */
static void device_memory_region(struct hmfs_ctx *ctx, uint64_t *base, uint64_t *end)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	uint64_t top = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].end > top)
			top = cfg->boot[i].end;
	*base = (top + ctx->block_size - 1) & ~(ctx->block_size - 1);
	*end = cfg->maxmem;
	if (cfg->max_physmem_bits < 64 && *end > 1ULL << cfg->max_physmem_bits)
		*end = 1ULL << cfg->max_physmem_bits;
}

/*
 * A device owns its whole region, plugged or not (QEMU reserves a
 * virtio-mem device's size in the device memory region): the engine only
 * knows the plugged part, so regions of other devices are skipped here,
 * and the region itself is checked as QEMU's memory_device_get_free_addr()
 * checks it.
 */
static int place(struct hmfs_ctx *ctx, struct hmfs_dev *self, uint64_t *addr, bool have_addr,
		 char *err, size_t errlen)
{
	uint64_t base, end, used = 0, min;
	uint64_t size = (self->size + ctx->block_size - 1) & ~(ctx->block_size - 1);
	struct hmfs_dev *o;
	int ret;

	device_memory_region(ctx, &base, &end);
	for (o = ctx->devs; o; o = o->next)
		if (o != self)
			used += o->size;
	/* memory_device_check_addable() */
	if (end <= base || used > end - base || size > end - base - used) {
		snprintf(err, errlen,
			 "not enough space, currently 0x%llx in use of total space for memory devices 0x%llx",
			 (unsigned long long)used,
			 (unsigned long long)(end > base ? end - base : 0));
		return -ENOSPC;
	}
	if (have_addr) {
		if (*addr < base || *addr > end || size > end - *addr)
			return fail(err, errlen,
				    "can't add memory device [0x%llx:0x%llx], usable range for memory devices [0x%llx:0x%llx]",
				    (unsigned long long)*addr, (unsigned long long)self->size,
				    (unsigned long long)base, (unsigned long long)(end - base));
		o = dev_overlapping(ctx, self, *addr, self->size);
		if (o)
			return fail(err, errlen, "address range conflicts with memory device id='%s'",
				    o->id);
		return 0;
	}
	min = base > 1ULL << 32 ? base : 1ULL << 32; /* QEMU's region starts above 4 GiB */
	for (;;) {
		ret = hotmem_find_free_range(ctx->hm, size, min, addr);
		if (!ret && *addr + size > end)
			ret = -ENOSPC;
		if (ret) {
			snprintf(err, errlen,
				 "could not find position in guest address space for memory device - memory fragmented due to alignments");
			return ret;
		}
		o = dev_overlapping(ctx, self, *addr, size);
		if (!o)
			return 0;
		min = o->addr + o->size; /* strictly above: ends */
	}
}

static int check_common(struct hmfs_ctx *ctx, const char *id, uint64_t size, int node, char *err,
			size_t errlen)
{
	if (id && dev_find(ctx, id))
		return fail(err, errlen, "Duplicate device ID '%s'", id);
	if (id && (!*id || strlen(id) >= sizeof(((struct hmfs_dev *)0)->id)))
		return fail(err, errlen, "invalid device ID '%s'", id);
	if (!size)
		return fail(err, errlen, "'size' is required and must be > 0");
	if (size % ctx->block_size)
		return fail(err, errlen,
			    "size 0x%llx is not a multiple of the memory block size 0x%llx",
			    (unsigned long long)size, (unsigned long long)ctx->block_size);
	if (node < 0 || node >= hotmem_nr_possible_nodes(ctx->hm))
		return fail(err, errlen, "node %d does not exist (possible: 0-%d)", node,
			    hotmem_nr_possible_nodes(ctx->hm) - 1);
	return 0;
}

static int dimm_add(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr, char *err,
		    size_t errlen)
{
	unsigned int flags = d->memmap_on_memory ? HM_MHP_MEMMAP_ON_MEMORY : 0;
	int ret;

	ret = place(ctx, d, &d->addr, have_addr, err, errlen);
	if (ret)
		return ret;
	d->group = hotmem_register_static_memory_group(ctx->hm, d->node, d->size >> HM_PAGE_SHIFT);
	if (d->group < 0) {
		ret = d->group;
		snprintf(err, errlen, "memory group: %s", strerror(-ret));
		return ret;
	}
	ret = hotmem_add_memory(ctx->hm, d->node, d->addr, d->size, flags, d->group);
	if (ret) {
		snprintf(err, errlen, "add_memory(node %d, 0x%llx, 0x%llx) failed: %s", d->node,
			 (unsigned long long)d->addr, (unsigned long long)d->size, strerror(-ret));
		hotmem_unregister_memory_group(ctx->hm, d->group);
	}
	return ret;
}

static int vmem_set_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			      size_t errlen);

/* QEMU's default block-size on x86: the THP size */
#define VIRTIO_MEM_DEFAULT_BLOCK_SIZE (2ULL << 20)

/* virtio_mem_device_realize()'s checks, then the guest's driver probes */
static int vmem_add(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr, uint64_t requested,
		    char *err, size_t errlen)
{
	int ret;

	if (!d->block_size)
		d->block_size = VIRTIO_MEM_DEFAULT_BLOCK_SIZE;
	if (d->block_size & (d->block_size - 1))
		return fail(err, errlen, "'block-size' property has to be a power of two");
	if (d->block_size < HM_PAGE_SIZE)
		return fail(err, errlen, "'block-size' property has to be at least 0x%lx",
			    HM_PAGE_SIZE);
	if (d->size % d->block_size)
		return fail(err, errlen,
			    "'size' has to be multiples of 'block-size' (0x%llx)",
			    (unsigned long long)d->block_size);
	if (have_addr && d->addr % d->block_size)
		return fail(err, errlen, "address must be aligned to 0x%llx bytes",
			    (unsigned long long)d->block_size);
	if (requested % d->block_size)
		return fail(err, errlen,
			    "'requested-size' property has to be multiples of 'block-size' (0x%llx)",
			    (unsigned long long)d->block_size);
	if (requested > d->size)
		return fail(err, errlen, "'requested-size' property exceeds the size (0x%llx)",
			    (unsigned long long)d->size);
	ret = place(ctx, d, &d->addr, have_addr, err, errlen);
	if (ret)
		return ret;
	ret = hotmem_virtio_mem_probe(ctx->hm, d->node, d->addr, d->size, d->block_size, &d->vm);
	if (ret) {
		snprintf(err, errlen, "virtio_mem: probe of [0x%llx-0x%llx] failed: %s%s",
			 (unsigned long long)d->addr, (unsigned long long)(d->addr + d->size - 1),
			 strerror(-ret),
			 ret == -ENOSPC ? " (no whole memory block in the region)" : "");
		d->vm = NULL;
		return ret;
	}
	{
		struct hm_virtio_mem_info vi;

		hotmem_virtio_mem_info(d->vm, &vi);
		d->group = vi.group;
	}
	/*
	 * The device is there; the guest plugs what it can (QEMU's device_add
	 * does not wait for the guest): a plug that stops short is in the log
	 * and in plugged-size.
	 */
	if (requested)
		vmem_set_requested(ctx, d->id, requested, err, errlen);
	err[0] = '\0';
	return 0;
}

int hmfs_dev_add(struct hmfs_ctx *ctx, const char *driver, const char *id, uint64_t size, int node,
		 uint64_t addr, bool have_addr, uint64_t requested, uint64_t block_size, int memmap,
		 char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret;

	pthread_mutex_lock(&ctx->dev_lock);
	ret = check_common(ctx, id, size, node, err, errlen);
	if (ret)
		goto out;
	if (have_addr && addr % ctx->block_size && strncmp(driver, "virtio-mem", 10)) {
		ret = fail(err, errlen, "address must be aligned to 0x%llx bytes",
			   (unsigned long long)ctx->block_size);
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		ret = -ENOMEM;
		goto out;
	}
	d->node = node;
	d->size = size;
	d->addr = addr;
	d->block_size = block_size;
	d->memmap_on_memory = memmap != 0;
	if (!strcmp(driver, "pc-dimm")) {
		d->type = HMFS_PC_DIMM;
		if (id)
			snprintf(d->id, sizeof(d->id), "%s", id);
		else
			auto_id(ctx, "dimm", d->id, sizeof(d->id));
		dev_link(ctx, d);
		ret = dimm_add(ctx, d, have_addr, err, errlen);
	} else if (!strcmp(driver, "virtio-mem-pci") || !strcmp(driver, "virtio-mem")) {
		d->type = HMFS_VIRTIO_MEM;
		if (id)
			snprintf(d->id, sizeof(d->id), "%s", id);
		else
			auto_id(ctx, "vmem", d->id, sizeof(d->id));
		dev_link(ctx, d);
		ret = vmem_add(ctx, d, have_addr, requested, err, errlen);
	} else {
		free(d);
		ret = fail(err, errlen,
			   "'%s' is not a valid device model name (pc-dimm, virtio-mem-pci)",
			   driver);
		goto out;
	}
	if (ret) {
		dev_unlink(ctx, d);
		dev_free(d);
	}
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * The guest's hotplug workers (ACPI eject, virtio-mem) have no signals:
 * with a page that never migrates they would retry for ever.  hotmemfs
 * gives such an offline up after HMFS_EJECT_SECONDS (reported busy, like
 * a refused unplug) rather than hold its device lock for ever.
 */
#define HMFS_EJECT_SECONDS 10

static bool eject_deadline(void *arg)
{
	const struct timespec *end = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > end->tv_sec ||
	       (now.tv_sec == end->tv_sec && now.tv_nsec >= end->tv_nsec);
}

/* a task whose "signal" is the unplug deadline, from now */
static struct hotmem_task deadline_task(struct timespec *end)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += HMFS_EJECT_SECONDS;
	return (struct hotmem_task){ eject_deadline, end };
}

/*
 * The host changed requested-size; the guest's driver works toward it at
 * once.  When it stops short (offline memory over its threshold, busy
 * memory it cannot unplug), requested-size stays what the host asked, as
 * with QEMU, and the error says how far it got; the log says why.
 */
static int vmem_set_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			      size_t errlen)
{
	struct hmfs_dev *d = dev_find(ctx, id);
	struct hm_virtio_mem_info vi;
	struct timespec end;
	const struct hotmem_task task = deadline_task(&end);
	int ret;

	if (!d)
		return fail(err, errlen, "Device '%s' not found", id);
	if (d->type != HMFS_VIRTIO_MEM)
		return fail(err, errlen, "'%s' is not a virtio-mem device", id);
	if (req > d->size || req % d->block_size)
		return fail(err, errlen,
			    "requested-size must be a multiple of 0x%llx and at most 0x%llx",
			    (unsigned long long)d->block_size, (unsigned long long)d->size);
	d->requested = req;
	ret = hotmem_virtio_mem_set_requested_size(d->vm, req, &task);
	if (ret) {
		hotmem_virtio_mem_info(d->vm, &vi);
		snprintf(err, errlen,
			 "%s: the guest stopped at plugged-size 0x%llx of requested 0x%llx: %s (%s); `hotmemctl dmesg` says why",
			 d->id, (unsigned long long)vi.plugged_size, (unsigned long long)req,
			 strerror(-ret),
			 ret == -ENOSPC ? "no room to add memory: too much of it offline, or the region is full" :
			 ret == -EBUSY ? "the rest of its memory is busy" : "driver error");
	}
	return ret;
}

int hmfs_dev_set_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			   size_t errlen)
{
	int ret;

	pthread_mutex_lock(&ctx->dev_lock);
	ret = vmem_set_requested(ctx, id, req, err, errlen);
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * The driver's work queue runs again when memory of a device comes
 * online (its MEM_ONLINE notifier re-arms it below offline_threshold):
 * devices still short of requested-size try once more.  True when one
 * plugged more (only plugging: this retry never unplugs).
 */
bool hmfs_dev_retry(struct hmfs_ctx *ctx)
{
	bool more = false;

	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		struct hm_virtio_mem_info before, after;

		if (d->type != HMFS_VIRTIO_MEM || !d->vm)
			continue;
		hotmem_virtio_mem_info(d->vm, &before);
		if (before.plugged_size >= before.requested_size)
			continue;
		hotmem_virtio_mem_retry(d->vm, NULL);
		hotmem_virtio_mem_info(d->vm, &after);
		more |= after.plugged_size != before.plugged_size;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return more;
}

/*
 * Restore a virtio-mem device as it was: plug exactly device blocks
 * [first, first + count) (the state file's runs), whatever requested-size
 * says (a refused unplug leaves more plugged than requested), then set
 * requested-size without moving towards it.
 */
int hmfs_dev_restore_plugged(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
			     char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (!d || d->type != HMFS_VIRTIO_MEM) {
		ret = fail(err, errlen, "'%s' is not a virtio-mem device", id);
		goto out;
	}
	ret = hotmem_virtio_mem_restore_plugged(d->vm, first, count);
	if (ret)
		snprintf(err, errlen, "%s: plugging device blocks %llu+%llu: %s", id,
			 (unsigned long long)first, (unsigned long long)count, strerror(-ret));
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

int hmfs_dev_restore_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && !hotmem_virtio_mem_update_config(d->vm, req))
		d->requested = req;
	pthread_mutex_unlock(&ctx->dev_lock);
	return d ? 0 : -ENOENT;
}

/*
 * device_del of a pc-dimm: the guest's ACPI eject (offline each block,
 * twice; on failure back online and nothing removed), answered with an
 * ACPI_DEVICE_OST event as QEMU sends it.
 */
static int dimm_eject(struct hmfs_ctx *ctx, struct hmfs_dev *d, const struct hotmem_task *task)
{
	struct timespec end;
	const struct hotmem_task deadline = deadline_task(&end);
	int ret;

	ret = hotmem_acpi_eject_memory(ctx->hm, d->addr, d->size, task ? task : &deadline);
	/* ACPI_NOTIFY_EJECT_REQUEST (3), the _OST status of the result */
	hmfs_ctl_broadcast_ost(ctx, d->id, 3, hotmem_acpi_ost_status(ret));
	return ret;
}

int hmfs_dev_del(struct hmfs_ctx *ctx, const char *id, const struct hotmem_task *task,
		 char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (!d) {
		ret = fail(err, errlen, "Device '%s' not found", id);
		goto out;
	}
	if (d->type == HMFS_PC_DIMM) {
		ret = dimm_eject(ctx, d, task);
		if (ret) {
			snprintf(
				err, errlen,
				"%s: the guest refused the unplug (ACPI eject: %s, _OST status %#x); nothing removed; `hotmemctl dmesg` says why",
				id, strerror(-ret), hotmem_acpi_ost_status(ret));
			goto out;
		}
		hotmem_unregister_memory_group(ctx->hm, d->group);
	} else {
		uint64_t old = d->requested;

		/* the guest unplugs all first; QEMU refuses while memory is plugged */
		ret = vmem_set_requested(ctx, d->id, 0, err, errlen);
		if (!ret)
			ret = hotmem_virtio_mem_remove(d->vm);
		if (ret) {
			/* what was unplugged stays so; the host's request is back */
			d->requested = old;
			hotmem_virtio_mem_update_config(d->vm, old);
			snprintf(err, errlen,
				 "virtio-mem device cannot get unplugged while some of its memory is still plugged (%s: %s); `hotmemctl dmesg` says why",
				 d->id, strerror(-ret));
			goto out;
		}
	}
	dev_unlink(ctx, d);
	dev_free(d);
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/* put device @id back at place @pos of the list (an undone device_del: lists stay as they were) */
void hmfs_dev_move(struct hmfs_ctx *ctx, const char *id, size_t pos)
{
	struct hmfs_dev *d, **p = &ctx->devs;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d) {
		dev_unlink(ctx, d);
		while (*p && pos--)
			p = &(*p)->next;
		d->next = *p;
		*p = d;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

void hmfs_dev_free_all(struct hmfs_ctx *ctx)
{
	while (ctx->devs) {
		struct hmfs_dev *d = ctx->devs;

		ctx->devs = d->next;
		dev_free(d);
	}
}
