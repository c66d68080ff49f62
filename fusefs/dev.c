// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware: memory devices as QEMU models them.
 *
 * pc-dimm: one ACPI memory device.  Linux's acpi_memhotplug registers a
 * static memory group for it and adds the whole range with
 * MHP_MEMMAP_ON_MEMORY where supported; unplug (device_del) offlines and
 * removes it, or fails and leaves it as it was.
 *
 * virtio-mem: a device region that is plugged and unplugged in device
 * blocks (at least one memory block) as `requested-size` changes;
 * the driver registers a dynamic memory group and, like virtio-mem's
 * Big Block Mode, adds/removes whole memory blocks.
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
	free(d->plugged_map);
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
 * A device owns its whole region, plugged or not (QEMU reserves a
 * virtio-mem device's size in the device memory region): the engine only
 * knows the plugged part, so regions of other devices are skipped here.
 */
static int place(struct hmfs_ctx *ctx, struct hmfs_dev *self, uint64_t *addr, bool have_addr,
		 char *err, size_t errlen)
{
	uint64_t min = 1ULL << 32; /* QEMU's device memory region starts above 4 GiB */
	struct hmfs_dev *o;
	int ret;

	if (have_addr) {
		o = dev_overlapping(ctx, self, *addr, self->size);
		if (o)
			return fail(err, errlen, "addr 0x%llx: the range overlaps device '%s'",
				    (unsigned long long)*addr, o->id);
		return 0;
	}
	for (;;) {
		ret = hotmem_find_free_range(ctx->hm, self->size, min, addr);
		if (ret) {
			snprintf(err, errlen, "no free physical range of %llu bytes: %s",
				 (unsigned long long)self->size, strerror(-ret));
			return ret;
		}
		o = dev_overlapping(ctx, self, *addr, self->size);
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

static int vmem_add(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr, uint64_t requested,
		    char *err, size_t errlen)
{
	uint64_t nblocks;
	int ret;

	if (!d->block_size)
		d->block_size = ctx->block_size;
	if (d->block_size % ctx->block_size || d->size % d->block_size)
		return fail(
			err, errlen,
			"block-size 0x%llx must be a multiple of the memory block size and divide size",
			(unsigned long long)d->block_size);
	if (requested > d->size || requested % d->block_size)
		return fail(
			err, errlen,
			"requested-size must be a multiple of block-size 0x%llx and at most size",
			(unsigned long long)d->block_size);
	ret = place(ctx, d, &d->addr, have_addr, err, errlen);
	if (ret)
		return ret;
	nblocks = d->size / d->block_size;
	d->plugged_map = calloc((nblocks + 7) / 8, 1);
	if (!d->plugged_map)
		return -ENOMEM;
	d->group = hotmem_register_dynamic_memory_group(ctx->hm, d->node,
							d->block_size >> HM_PAGE_SHIFT);
	if (d->group < 0) {
		snprintf(err, errlen, "memory group: %s", strerror(-d->group));
		return d->group;
	}
	ret = vmem_set_requested(ctx, d->id, requested, err, errlen);
	if (ret)
		hotmem_unregister_memory_group(ctx->hm, d->group);
	return ret;
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
	if (have_addr && addr % ctx->block_size) {
		ret = fail(err, errlen, "addr 0x%llx is not memory-block aligned",
			   (unsigned long long)addr);
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

static int vmem_plug_one(struct hmfs_ctx *ctx, struct hmfs_dev *d, uint64_t i, bool plug)
{
	uint64_t start = d->addr + i * d->block_size;
	struct timespec end;
	const struct hotmem_task task = deadline_task(&end);
	int ret;

	if (plug)
		ret = hotmem_add_memory(ctx->hm, d->node, start, d->block_size,
					HM_MHP_MEMMAP_ON_MEMORY, d->group);
	else
		ret = hotmem_offline_and_remove_memory_task(ctx->hm, start, d->block_size, &task);
	if (ret)
		return ret;
	if (plug)
		d->plugged_map[i / 8] |= (unsigned char)(1u << (i % 8));
	else
		d->plugged_map[i / 8] &= (unsigned char)~(1u << (i % 8));
	d->plugged += plug ? d->block_size : -d->block_size;
	return 0;
}

static bool vmem_plugged(const struct hmfs_dev *d, uint64_t i)
{
	return d->plugged_map[i / 8] & (1u << (i % 8));
}

/*
 * Move plugged towards requested one device block at a time: plug from
 * the bottom, unplug from the top (virtio-mem prefers the highest
 * blocks).  A failure stops there; what was done stays done, as with
 * the real driver, and the error says how far it got.
 */
static int vmem_resize(struct hmfs_ctx *ctx, struct hmfs_dev *d, char *err, size_t errlen)
{
	uint64_t n = d->size / d->block_size;
	int ret = 0;

	for (uint64_t i = 0; i < n && d->plugged < d->requested && !ret; i++)
		if (!vmem_plugged(d, i))
			ret = vmem_plug_one(ctx, d, i, true);
	for (uint64_t i = n; i-- > 0 && d->plugged > d->requested && !ret;)
		if (vmem_plugged(d, i))
			ret = vmem_plug_one(ctx, d, i, false);
	if (ret)
		snprintf(err, errlen, "%s: stopped at plugged-size 0x%llx of requested 0x%llx: %s",
			 d->id, (unsigned long long)d->plugged, (unsigned long long)d->requested,
			 strerror(-ret));
	return ret;
}

static int vmem_set_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			      size_t errlen)
{
	struct hmfs_dev *d = dev_find(ctx, id);

	if (!d)
		return fail(err, errlen, "Device '%s' not found", id);
	if (d->type != HMFS_VIRTIO_MEM)
		return fail(err, errlen, "'%s' is not a virtio-mem device", id);
	if (req > d->size || req % d->block_size)
		return fail(err, errlen,
			    "requested-size must be a multiple of 0x%llx and at most 0x%llx",
			    (unsigned long long)d->block_size, (unsigned long long)d->size);
	d->requested = req;
	return vmem_resize(ctx, d, err, errlen);
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
 * Restore a virtio-mem device as it was: plug exactly device blocks
 * [first, first + count) (the state file's runs), whatever requested-size
 * says (a refused unplug leaves more plugged than requested), then set
 * requested-size without moving towards it.
 */
int hmfs_dev_restore_plugged(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
			     char *err, size_t errlen)
{
	struct hmfs_dev *d;
	uint64_t n;
	int ret = 0;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (!d || d->type != HMFS_VIRTIO_MEM) {
		ret = fail(err, errlen, "'%s' is not a virtio-mem device", id);
		goto out;
	}
	n = d->size / d->block_size;
	if (first >= n || count > n - first) {
		ret = fail(err, errlen, "%s: plugged blocks %llu+%llu beyond its %llu blocks", id,
			   (unsigned long long)first, (unsigned long long)count,
			   (unsigned long long)n);
		goto out;
	}
	for (uint64_t i = first; i < first + count && !ret; i++)
		if (!vmem_plugged(d, i))
			ret = vmem_plug_one(ctx, d, i, true);
	if (ret)
		snprintf(err, errlen, "%s: plugging device block %llu: %s", id,
			 (unsigned long long)first, strerror(-ret));
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

int hmfs_dev_restore_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && req <= d->size && !(req % d->block_size))
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
	} else {
		uint64_t old = d->requested;

		d->requested = 0;
		ret = vmem_resize(ctx, d, err, errlen);
		if (ret) {
			d->requested = old;
			goto out;
		}
	}
	hotmem_unregister_memory_group(ctx->hm, d->group);
	dev_unlink(ctx, d);
	dev_free(d);
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

void hmfs_dev_free_all(struct hmfs_ctx *ctx)
{
	while (ctx->devs) {
		struct hmfs_dev *d = ctx->devs;

		ctx->devs = d->next;
		dev_free(d);
	}
}
