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

#include <json-c/json.h>

#include "ctllimits.h"
#include "hmfs.h"
#include "shown.h"
#include "thread_name.h"

/* QEMU refuses a command: its words in @err, -EINVAL */
int hmfs_qemu_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * The possible nodes as the kernel's node lists print them (%*pbl, as
 * node/possible reads): "0" on a one-node machine, never "0-0"
 */
void hmfs_node_missing(struct hmfs_ctx *ctx, int node, char *buf, size_t len)
{
	int n = hotmem_nr_possible_nodes(ctx->hm);
	char list[4 * HM_MAX_NUMNODES];

	hotmem_nodelist_format(n >= 64 ? ~0ULL : (1ULL << n) - 1, list, sizeof(list));
	snprintf(buf, len, "node %d does not exist (possible: %s)", node, list);
}

/*
 * The guest's node id of @d: its _PXM (QEMU's node property) through the
 * SRAT's mapping, acpi_memory_device's acpi_get_node() and virtio-mem's
 * virtio_mem_translate_node_id() (pxm_to_node(), 6.12)
 */
static int dev_nid(struct hmfs_ctx *ctx, const struct hmfs_dev *d)
{
	return hotmem_pxm_to_node(ctx->hm, d->node);
}

static struct hmfs_dev *dev_find(struct hmfs_ctx *ctx, const char *id)
{
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next)
		if (!strcmp(d->id, id))
			return d;
	return NULL;
}

/* a new device object into the list, with its own number (incarnation) */
static void dev_link(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	struct hmfs_dev **p = &ctx->devs;

	/* read without dev_lock by hmfs_dev_made() */
	__atomic_store_n(&ctx->dev_incarnations, ctx->dev_incarnations + 1, __ATOMIC_RELEASE);
	d->incarnation = ctx->dev_incarnations;
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
	free(d->refused_why);
	free(d);
}

/* the first free <prefix>N */
static void auto_id(struct hmfs_ctx *ctx, const char *prefix, char *id, size_t len)
{
	for (int i = 0;; i++) {
		snprintf(id, len, "%s%d", prefix, i);
		if (!dev_find(ctx, id))
			return;
	}
}

/*
 * device_add without an id: the next /machine/peripheral-anon/device[N]
 * (hmfs.h hmfs_dev_anon()); a device restored or put back under such a
 * path moves the count past it, so that no two ever share one.
 */
void hmfs_dev_anon_id(struct hmfs_ctx *ctx, char *id, size_t len)
{
	snprintf(id, len, HMFS_ANON_PATH "%u]",
		 __atomic_fetch_add(&ctx->anon_count, 1, __ATOMIC_RELAXED));
}

static void anon_seen(struct hmfs_ctx *ctx, const char *id)
{
	unsigned int n;

	if (hmfs_dev_anon_nr(id, &n))
		hmfs_dev_anon_raise(ctx, n + 1);
}

/*
 * The count, for the state file's "params" (state.c): read without
 * dev_lock, which a save may hold already (hmfs_devices_json()); the
 * count is atomic for that, and only rises.
 */
unsigned int hmfs_dev_anon_count(struct hmfs_ctx *ctx)
{
	return __atomic_load_n(&ctx->anon_count, __ATOMIC_RELAXED);
}

/*
 * The count raised to @n, never lowered: a restore puts back the count
 * the run had reached (finalF F2: a device[N] deleted before a restart
 * was named again by the next anonymous device_add after it), and an
 * undone anonymous device_add keeps its number taken, as QEMU's refused
 * one does.
 */
void hmfs_dev_anon_raise(struct hmfs_ctx *ctx, unsigned int n)
{
	unsigned int cur = __atomic_load_n(&ctx->anon_count, __ATOMIC_RELAXED);

	while (cur < n && !__atomic_compare_exchange_n(&ctx->anon_count, &cur, n, false,
						       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
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

/* the end of boot RAM, rounded up to a memory block */
static uint64_t boot_ram_end(struct hmfs_ctx *ctx)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	uint64_t top = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].end > top)
			top = cfg->boot[i].end;
	return (top + ctx->block_size - 1) & ~(ctx->block_size - 1);
}

/* boot RAM, QEMU's ram_size: the ranges' pages, in whole memory blocks (the holes below 1 MiB are RAM to QEMU) */
static uint64_t boot_ram_size(struct hmfs_ctx *ctx)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	uint64_t sum = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		sum += cfg->boot[i].end - cfg->boot[i].start;
	return (sum + ctx->block_size - 1) & ~(ctx->block_size - 1);
}

/* query-memory-size-summary's base-memory: QEMU's ram_size (machine.c qmp_query_memory_size_summary()) */
uint64_t hmfs_dev_base_memory(struct hmfs_ctx *ctx)
{
	return boot_ram_size(ctx);
}

/*
 * QEMU's device memory, two figures (hotmem_config_device_memory(),
 * QEMU 7.2 and 9.2):
 *
 * - the region [*base, *end) devices are placed in: hw/i386/pc.c
 *   pc_get_device_memory_range() (pc_memory_init() before 8.2) starts it at
 *   ROUND_UP(4 GiB + RAM above 4 GiB, 1 GiB) and makes it maxmem - RAM
 *   long plus 1 GiB a slot: qemu-512m's -m 512M,slots=4,maxmem=4G
 *   4 GiB-11.5 GiB, the guest's SRAT hotplug range
 *   [mem 0x100000000-0x2dfffffff], where its physical addresses end too;
 * - the total of all devices, *addable: hw/mem/memory-device.c
 *   memory_device_check_addable() refuses "used + size > maxram_size -
 *   ram_size" (3.5 GiB), a smaller figure than the region.
 *
 * Until 2026-12-03 qemu-512m's region was cut at 8 GiB (vmem32 V2): a
 * memaddr between 8 and 11.5 GiB QEMU takes was refused here.
 */
static void device_memory_region(struct hmfs_ctx *ctx, uint64_t *base, uint64_t *end,
				 uint64_t *addable)
{
	hotmem_config_device_memory(hotmem_get_config(ctx->hm), base, end, addable);
}

/* QEMU_VMALLOC_ALIGN on x86_64: a memory-backend-ram's alignment (memory_region_get_alignment()) */
#define QEMU_VMALLOC_ALIGN (2ULL << 20)

/*
 * A device owns its whole region, plugged or not (QEMU reserves a
 * virtio-mem device's size in the device memory region): the engine only
 * knows the plugged part, so regions of other devices are skipped here,
 * and the region itself is checked as QEMU's memory_device_get_free_addr()
 * checks it.  Without an address a device goes to the lowest start at
 * @align (QEMU's: MAX(the device's own, its backend's)) where its exact
 * size meets no other device's exact region, as QEMU 7.2 and 9.2 pack
 * them: a 128M DIMM after a 130M one at 4 GiB goes to 0x108200000, where
 * the guest refuses it (6.12 check_hotplug_memory_range(): not in whole
 * memory blocks), a 100M vm0's successor to 0x106400000.  Until
 * 2026-12-02 a DIMM's region was rounded up to whole memory blocks and
 * aligned to them (note29).  @qemu_view: QEMU's own view alone (QEMU 9.x
 * memory_device_get_free_addr() walks its device list within the device
 * memory region, nothing of the guest's): the engine's free ranges are
 * not asked (a virtio-mem device's, every time: vmem_add(); a DIMM's
 * answered behind a guest's offline: hmfs_dev_add_request()).  A DIMM's
 * device_add run as a change still asks them (dimm_add()), so memory the
 * guest probed by itself moves it elsewhere there, where QEMU's would
 * not.
 */
static int place(struct hmfs_ctx *ctx, struct hmfs_dev *self, uint64_t *addr, bool have_addr,
		 uint64_t align, bool put_back, bool qemu_view, char *err, size_t errlen)
{
	uint64_t base, end, addable, used = 0, min, size = self->size;
	struct hmfs_dev *o;
	int ret;

	device_memory_region(ctx, &base, &end, &addable);
	/*
	 * No device memory at all (QEMU: -m without maxmem=, ram_size ==
	 * maxram_size; here also a maxmem at boot RAM's end): QEMU 7.2's
	 * memory_device_get_free_addr() says so before any other check of
	 * the device (pc.c always allocates machine->device_memory, its
	 * region empty); 8.2+ (9.2) memory_device_pre_plug() says "the
	 * configuration is not prepared for memory devices (e.g., for memory
	 * hotplug), consider specifying the maxmem option".  7.2's words, the
	 * QEMU tests/kernel/ runs (vmem33: hotmem said "not enough space ...
	 * total space for memory devices 0x0").
	 */
	if (end <= base)
		return hmfs_qemu_error(err, errlen,
				       "memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option");
	for (o = ctx->devs; o; o = o->next)
		if (o != self)
			used += o->size;
	/*
	 * memory_device_check_addable(): against the total, not the region.
	 * A state file's devices were acknowledged: restored, or put back by
	 * an undo (@put_back), even if they hold more than a total from
	 * before this check (placement still checks the region below); an
	 * undo refused here lost the device and froze hotmemfs (finalB B1).
	 */
	if (!ctx->restoring && !put_back &&
	    (used > addable || self->size > addable - used)) {
		snprintf(err, errlen,
			 "not enough space, currently 0x%llx in use of total space for memory devices 0x%llx",
			 (unsigned long long)used, (unsigned long long)addable);
		return -ENOSPC;
	}
	if (size > end - base) {
		snprintf(err, errlen,
			 "could not find position in guest address space for memory device - memory fragmented due to alignments");
		return -ENOSPC;
	}
	if (have_addr) {
		/* a state file's device from before device_memory = qemu stays where it was */
		uint64_t lowest = ctx->restoring && *addr < base ? boot_ram_end(ctx) : base;

		if (*addr < lowest || *addr > end || size > end - *addr)
			return hmfs_qemu_error(err, errlen,
				    "can't add memory device [0x%llx:0x%llx], usable range for memory devices [0x%llx:0x%llx]",
				    (unsigned long long)*addr, (unsigned long long)self->size,
				    (unsigned long long)base, (unsigned long long)(end - base));
		o = dev_overlapping(ctx, self, *addr, self->size);
		if (o)
			return hmfs_qemu_error(err, errlen, "address range conflicts with memory device id='%s'",
				    hmfs_dev_anon(o->id) ? "(unnamed)" : o->id);
		return 0;
	}
	min = base > 1ULL << 32 ? base : 1ULL << 32; /* QEMU's region starts above 4 GiB */
	for (;;) {
		/* memory_device_get_free_addr(): aligned to the device's alignment */
		min = (min + align - 1) & ~(align - 1);
		*addr = min;
		ret = qemu_view ? 0 : hotmem_find_free_range_aligned(ctx->hm, size, min, align, addr);
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

/* what differs between the device models hotmemfs knows */
struct dev_model {
	const char *driver, *alias;
	enum hmfs_dev_type type;
	/*
	 * the ids of the profile's boot devices (dimm0, vmem0 ...); a
	 * device_add without id= gets none, as in QEMU (0b9f586)
	 */
	const char *id_prefix;
	/*
	 * Linux adds a DIMM whole (add_memory() of whole memory blocks): its
	 * size and address are in memory blocks.  A virtio-mem device's
	 * region needs only its own block-size (QEMU's memory device
	 * alignment); its driver adds the memory blocks inside.
	 */
	bool memory_block_aligned;
	/*
	 * device_add's properties: QEMU's (pc-dimm's slot, virtio-mem's
	 * requested-size ...) and hotmem's own size (for QEMU's memdev),
	 * node, addr and memmap-on-memory (the guest's per-device choice);
	 * QEMU refuses any other.
	 */
	const char *const *props;
	/* QEMU's that hotmem does not model: said so, not "not found" */
	const char *const *qemu_props;
};

static const char *const dimm_props[] = { "driver", "id", "size", "node", "addr", "slot",
					  "memmap-on-memory", NULL };
/* a virtio-mem-pci's memory is at memaddr: its addr would be QEMU's PCI slot (see below) */
static const char *const vmem_props[] = { "driver", "id", "size", "node", "memaddr",
					  "requested-size", "block-size", "memmap-on-memory", NULL };

/*
 * QEMU 9.x's properties without a counterpart here (no memory backends,
 * memslots, PCI bus): a libvirt-made device_add has them (usereye5 #8h)
 */
static const char *const dimm_qemu_props[] = { "memdev", NULL };
static const char *const vmem_qemu_props[] = { "memdev", "prealloc", "unplugged-inaccessible",
					       "dynamic-memslots", "memslots", "early-migration",
					       "bus", NULL };

static const struct dev_model dev_models[] = {
	{ "pc-dimm", NULL, HMFS_PC_DIMM, "dimm", true, dimm_props, dimm_qemu_props },
	{ "virtio-mem-pci", "virtio-mem", HMFS_VIRTIO_MEM, "vmem", false, vmem_props,
	  vmem_qemu_props },
};

static const struct dev_model *dev_model_of(enum hmfs_dev_type type)
{
	for (size_t i = 0; i < sizeof(dev_models) / sizeof(dev_models[0]); i++)
		if (dev_models[i].type == type)
			return &dev_models[i];
	return NULL;
}

static const struct dev_model *dev_model_find(const char *driver)
{
	for (size_t i = 0; i < sizeof(dev_models) / sizeof(dev_models[0]); i++)
		if (!strcmp(driver, dev_models[i].driver) ||
		    (dev_models[i].alias && !strcmp(driver, dev_models[i].alias)))
			return &dev_models[i];
	return NULL;
}

bool hmfs_dev_model_known(const char *driver)
{
	return dev_model_find(driver) != NULL;
}

int hmfs_dev_check_prop(const char *driver, const char *prop, char *err, size_t errlen)
{
	const struct dev_model *m = dev_model_find(driver);

	if (!m)
		return 0;
	for (const char *const *p = m->props; *p; p++)
		if (!strcmp(*p, prop))
			return 0;
	/*
	 * QEMU has addr on every PCI device: its slot and function (devfn),
	 * which hotmem has no bus for; a memory address there is a mistake
	 * for memaddr, said as such
	 */
	if (m->type == HMFS_VIRTIO_MEM && !strcmp(prop, "addr"))
		return hmfs_qemu_error(err, errlen,
				       "Property '%s.addr' is its PCI slot and function, which "
				       "hotmem does not model: the memory's address is memaddr=",
				       m->driver);
	for (const char *const *p = m->qemu_props; *p; p++)
		if (!strcmp(*p, prop))
			return hmfs_qemu_error(err, errlen,
					       "Property '%s.%s' is QEMU's, but hotmem does not "
					       "model it (no memory backends, memslots or PCI bus: "
					       "size= stands for memdev's size)",
					       m->driver, prop);
	/* object_property_find_err(), on the device's type */
	return hmfs_qemu_error(err, errlen, "Property '%s.%s' not found", m->driver, prop);
}

static int check_common(struct hmfs_ctx *ctx, const struct dev_model *m, const char *id,
			uint64_t size, int node, uint64_t addr, bool have_addr, bool put_back,
			char *err, size_t errlen)
{
	/* the id escaped (shown.h), as the state file's refusals say it: anyone's text */
	char sid[4 * sizeof(((struct hmfs_dev *)0)->id) + 1];

	if (id && dev_find(ctx, id))
		return hmfs_qemu_error(err, errlen, "Duplicate device ID '%s'",
				       hmfs_shown(sid, sizeof(sid), id));
	if (id && (!*id || strlen(id) >= sizeof(((struct hmfs_dev *)0)->id)))
		return hmfs_qemu_error(err, errlen, "invalid device ID '%s'",
				       hmfs_shown(sid, sizeof(sid), id));
	if (!size)
		return hmfs_qemu_error(err, errlen, "'size' is required and must be > 0");
	/*
	 * A DIMM not in whole memory blocks is QEMU's to plug and the guest's
	 * to refuse (usereye10 U4): QEMU 9.2, whose QMP hotmemfs speaks,
	 * plugs a 100M pc-dimm ({}, listed in query-memory-devices), 6.12's
	 * check_hotplug_memory_range() fails its add_memory() with -EINVAL
	 * (dimm_add()'s guest refusal).  QEMU's own rule is its RAM's
	 * alignment, QEMU_VMALLOC_ALIGN (2 MiB on x86_64), for addr
	 * (memory_device_pre_plug()), and its size a multiple of its
	 * backend's alignment: 8.2 dropped that check ("memory-device: Drop
	 * size alignment check"), 9.0 brought it back in
	 * memory_device_pre_plug() ("memory-device: reintroduce memory region
	 * size check", 540a1abbf0b2: memory_region_get_alignment(), 2 MiB for
	 * a memory-backend-ram on x86_64), before the address's check.  So
	 * 9.2, as 7.2 did, refuses a 101M DIMM ("backend memory size must be
	 * multiple of 0x200000") and plugs a 100M one (rerfix30c's note; a
	 * 101M was plugged here since reread18-fusefs2 F11 read 8.2's drop as
	 * 9.2's rule).  A state file's DIMM or an undo's (@put_back) is held
	 * to whole pages alone: one saved before this restores.
	 */
	if (m->memory_block_aligned && !ctx->restoring && !put_back && size % (2ULL << 20))
		return hmfs_qemu_error(err, errlen, "backend memory size must be multiple of 0x%llx",
				       2ULL << 20);
	if (m->memory_block_aligned && have_addr && addr % (2ULL << 20))
		return hmfs_qemu_error(err, errlen, "address must be aligned to 0x%llx bytes",
				       2ULL << 20);
	if (m->memory_block_aligned && size % HM_PAGE_SIZE)
		return hmfs_qemu_error(err, errlen,
				       "size 0x%llx is not a multiple of the page size 0x%llx: hotmem models no part of a page",
				       (unsigned long long)size, (unsigned long long)HM_PAGE_SIZE);
	/*
	 * QEMU 9.2's words (usereye7 #11m): a negative node is no uint32 (the
	 * property's parse, QemuOpts); one past the NUMA nodes is realize's,
	 * after pre-plug's slot and address (dimm_realize(), vmem_check())
	 */
	if (node < 0)
		return hmfs_qemu_error(err, errlen, "Parameter 'node' expects uint32_t");
	return 0;
}

/*
 * The guest's own account of a failed add: the most severe line (warning
 * or worse; the first of them) its kernel logs while add_memory() runs --
 * warn_alloc()'s "vmemmap alloc failure", the host-mapping cap's sysctl,
 * "memory add fail, invalid altmap" ...  dev_lock keeps other device
 * operations out; a line another writer logs meanwhile (an online) is
 * info, below the bar.
 */
struct add_log {
	int level;		/* of @line; 8 while there is none */
	char line[400];
};

static void add_log_take(const struct hm_event *ev, void *arg)
{
	struct add_log *l = arg;

	/* called under the engine's event lock: nothing here waits */
	if (ev->type != HM_EV_LOG || ev->level > 4 || ev->level >= l->level)
		return;
	/* a WARN's frame (add_pages()'s): its WARNING line says what, after it */
	if (!strncmp(ev->msg, "------------[ cut here ]", 24))
		return;
	l->level = ev->level;
	snprintf(l->line, sizeof(l->line), "%s", ev->msg);
}

/*
 * What a refused add's log may not say: warn_alloc() reports a vmemmap
 * failure once a boot, so a second try logs nothing.  A memmap from
 * system RAM (memmap_on_memory off) that is larger than the free memory
 * cannot fit, whatever the log: @why says it and what helps, else "".
 */
static void dimm_memmap_misfit(struct hmfs_ctx *ctx, const struct hmfs_dev *d, int ret,
			       char *why, size_t len)
{
	uint64_t need = d->size >> HM_PAGE_SHIFT << 6, free_bytes;
	char need_s[32], free_s[32];
	struct hm_meminfo mi;

	_Static_assert(HM_STRUCT_PAGE_SIZE == 1 << 6, "a struct page is 64 bytes");
	why[0] = '\0';
	if (ret != -ENOMEM || (d->memmap_on_memory &&
			       hotmem_get_memmap_on_memory(ctx->hm) != HM_MEMMAP_ON_MEMORY_DISABLE))
		return;
	hotmem_meminfo(ctx->hm, &mi);
	free_bytes = (uint64_t)mi.free_pages << HM_PAGE_SHIFT;
	if (need <= free_bytes)
		return;
	hmfs_size_str(need, need_s, sizeof(need_s));
	hmfs_size_str(free_bytes, free_s, sizeof(free_s));
	snprintf(why, len, "; its memmap needs %s of system RAM (64 bytes a 4K page), %s is free: "
		 "plug less, or memory_hotplug.memmap_on_memory=1 puts it on the DIMM", need_s, free_s);
}

/*
 * current->comm of an ACPI hot-add: acpi_hotplug_work_fn() runs in a
 * worker of kacpi_hotplug, an ordered (so unbound) workqueue (6.12
 * drivers/acpi/osl.c), named kworker/uP:N for its pool P: the first
 * unbound pool's id follows the per-CPU pools of each possible CPU
 * (kernel/workqueue.c workqueue_init_early()), four since 6.9 -- two BH
 * pools (init_cpu_worker_pool() gives them ids too) and the two normal
 * ones; 6.1's two made u4 on a 2-CPU machine, 6.12's u8 (a 2-CPU
 * 6.12.117 guest lists kworker/u8:0-2, reread26 R10).  This machine's
 * CPUs are the host's (nodecpu.c).
 */
static void kacpi_hotplug_comm(void *arg, char *buf, size_t len)
{
	const struct hmfs_ctx *ctx = arg;

	snprintf(buf, len, "kworker/u%d:1", 4 * ctx->cpus.nr_cpu_ids);
}

/*
 * add_memory() of @d, its failure worded with the guest's reason: the
 * kernel's errno alone ("Cannot allocate memory") says neither what ran
 * out nor what helps, where the log line does (6.12: acpi_memhotplug's
 * acpi_memory_enable_device() gets the errno, its "add_memory failed"
 * follows __add_memory()'s own messages).
 */
static int dimm_add_memory(struct hmfs_ctx *ctx, struct hmfs_dev *d, char *err, size_t errlen)
{
	const struct hotmem_task kacpi = { .arg = ctx, .comm = kacpi_hotplug_comm };
	unsigned int flags = d->memmap_on_memory ? HM_MHP_MEMMAP_ON_MEMORY : 0;
	struct add_log log = { .level = 8 };
	char misfit[200], num[HMFS_ERRNO_NAME_LEN];
	int slot = hotmem_subscribe(ctx->hm, add_log_take, &log);
	const int nid = dev_nid(ctx, d);
	int ret;

	/* its log lines only: the add's steps cost no event lock for it */
	hotmem_subscribe_trace(ctx->hm, slot, false);
	ret = hotmem_add_memory_task(ctx->hm, nid, d->addr, d->size, flags, d->group, &kacpi);

	/* unsubscribing takes the event lock: @log is ours again after it */
	hotmem_unsubscribe(ctx->hm, slot);
	if (!ret)
		return 0;
	dimm_memmap_misfit(ctx, d, ret, misfit, sizeof(misfit));
	snprintf(err, errlen, "the guest could not add %s's memory: add_memory(node %d, 0x%llx, "
		 "0x%llx) failed: %s (-%s)%s%s%s%s", d->id, nid, (unsigned long long)d->addr,
		 (unsigned long long)d->size, strerror(-ret), hmfs_errno_name(ret, num),
		 misfit, log.level < 8 ? "; its log: \"" : "", log.level < 8 ? log.line : "",
		 log.level < 8 ? "\"" : "");
	return ret;
}

/*
 * The guest refused DIMM @d: add_memory() failed with @ret (@why the
 * words).  6.12's acpi_memory_device_add() returns the error, which
 * acpi_bus_attach() drops: the device object stays without a handler,
 * the device check's _OST says success (acpi_scan_device_check() has had
 * no "Enumeration failure" since 6.9), and QEMU keeps the DIMM, its slot
 * taken and _STA present, until device_del (real QEMU 7.2 + 6.12:
 * tests/fixtures/acpi-refused).  Its memory group went with the failed
 * add (acpi_memory_device_free() unregisters it); no memory block of it.
 * Its slot has no scan handler (hmfs_acpi_slot_detach()): an eject write
 * gets ENODEV, a device_del still ejects it.
 */
static void dimm_mark_refused(struct hmfs_ctx *ctx, struct hmfs_dev *d, int ret, const char *why)
{
	hmfs_acpi_slot_detach(ctx, d->slot);
	d->group = -1;
	d->guest_refused = ret;
	free(d->refused_why);
	d->refused_why = why ? strdup(why) : NULL;
}

/* the guest refuses it now: its ACPI driver says so (a restore puts a refusal back unasked) */
static void dimm_refused(struct hmfs_ctx *ctx, struct hmfs_dev *d, int ret, const char *why)
{
	char acpi_dev[16];

	snprintf(acpi_dev, sizeof(acpi_dev), "PNP0C80:%02x", d->slot);
	hotmem_acpi_memory_enable_failed(ctx->hm, acpi_dev, ret);
	dimm_mark_refused(ctx, d, ret, why);
}

/*
 * The memory of [addr, addr + size) a restore or an undo brought back:
 * its blocks' node links shown at once, not after the notifier sent their
 * ADDs (nodelink.c), as the machine had them -- the iattrs of those links
 * come back right after (machine.c iattrs_back()), and a link not there
 * yet kept none: the machine differed from the state file, frozen
 */
static void links_now(struct hmfs_ctx *ctx, uint64_t addr, uint64_t size)
{
	/* rounded out: a virtio-mem run may start or end inside a memory block */
	hmfs_nodelink_now(ctx, (unsigned long)(addr / ctx->block_size),
			  (unsigned long)((addr + size + ctx->block_size - 1) / ctx->block_size));
}

/*
 * QEMU's side of a DIMM (qdev_device_add() realizing it): its slot,
 * chosen before the address as pc_dimm_pre_plug() does before
 * memory_device_pre_plug(), its place (@qemu_view: QEMU's own device list
 * alone, place()) at a memory-backend-ram's alignment (pc-dimm has no
 * get_min_alignment(); a hugetlbfs memory-backend-file's would be its page
 * size, which hotmem, without backends, does not model), and the slot's
 * _STA present (acpi.c).  No memory group
 * until the guest's add registers one.  Nothing to undo on failure: the
 * slot is taken last.
 */
static int dimm_realize(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr, bool put_back,
			bool qemu_view, char *err, size_t errlen)
{
	int ret = hmfs_acpi_slot_find(ctx, d->slot, err, errlen);

	if (ret < 0)
		return ret;
	d->slot = ret;
	ret = place(ctx, d, &d->addr, have_addr, QEMU_VMALLOC_ALIGN, put_back, qemu_view, err,
		    errlen);
	if (ret)
		return ret;
	/*
	 * pc_dimm_realize() (QEMU 9.2, its words): after pre-plug, so a full
	 * slot table says "no free slots available" first (abuse31 W1)
	 */
	if (d->node >= hotmem_nr_possible_nodes(ctx->hm))
		return hmfs_qemu_error(err, errlen,
				       "'DIMM property node has value %d' which exceeds the number of numa nodes: %d",
				       d->node, hotmem_nr_possible_nodes(ctx->hm));
	hmfs_acpi_slot_plug(ctx, d->slot, d->addr, d->size);
	d->group = -1;
	return 0;
}

/*
 * The guest's acpi_memory_device_add() of the DIMM QEMU realized (6.12
 * drivers/acpi/acpi_memhotplug.c): a static memory group, add_memory()
 * of the whole range, the blocks bound to the slot's device, the
 * container's online uevent.  @refused: a restore's or an undo's DIMM
 * (its refusal put back unasked).  @queued: its device_add answered
 * before (hmfs_dev_add_request()): QEMU keeps the DIMM whatever the guest
 * does, so every failure is the guest's refusal (acpi_bus_attach() drops
 * it), -EEXIST too, which 6.12 binds and hotmem does not model; else
 * -EEXIST and a memory group's failure refuse the device_add whole, as
 * before.  An error leaves the slot to the caller.
 */
static int dimm_probe(struct hmfs_ctx *ctx, struct hmfs_dev *d,
		      const struct hmfs_dev_refusal *refused, bool queued, char *err, size_t errlen)
{
	int ret;

	/*
	 * the guest's device check ran: the slot enumerated and its scan
	 * handler set, until its add fails (acpi_scan_attach_handler())
	 */
	hmfs_acpi_slot_attach(ctx, d->slot);
	if (refused && refused->err) {
		/* restored as it was: the guest is not asked again */
		dimm_mark_refused(ctx, d, refused->err, refused->why);
		return 0;
	}
	d->group = hotmem_register_static_memory_group(ctx->hm, dev_nid(ctx, d),
						       d->size >> HM_PAGE_SHIFT);
	if (d->group < 0) {
		ret = d->group;
		snprintf(err, errlen, "memory group: %s", strerror(-ret));
		goto refused;
	}
	ret = dimm_add_memory(ctx, d, err, errlen);
	if (ret) {
		hotmem_unregister_memory_group(ctx->hm, d->group);
		/*
		 * -EEXIST, memory there already (a probe write's): 6.12 binds
		 * that memory to the DIMM, which hotmem does not model: the
		 * device_add is refused whole, as before
		 */
		if (ret == -EEXIST && !queued)
			return ret;
		goto refused;
	}
	/*
	 * a restore's or an undo's DIMM was bound: linked at once, as it was,
	 * before its links' iattrs come back (an undo's binding queued behind
	 * the notifier left physical_node's chown out: frozen)
	 */
	hmfs_acpi_slot_bind(ctx, d->slot, refused != NULL);
	/* its node links too, for the same reason (nodelink.c) */
	if (refused)
		links_now(ctx, d->addr, d->size);
	hmfs_acpi_notify_online(ctx);
	return 0;
refused:
	/*
	 * a restore's (or an undo's) DIMM had its memory: one that cannot
	 * have it again is no guest's refusal but a failed restore; a memory
	 * group's failure refuses a device_add still waiting for its reply
	 */
	if (refused || (d->group < 0 && !queued))
		return ret;
	dimm_refused(ctx, d, ret, err);
	return 0;
}

static int dimm_add(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr,
		    const struct hmfs_dev_refusal *refused, char *err, size_t errlen)
{
	int ret = dimm_realize(ctx, d, have_addr, refused != NULL, false, err, errlen);

	if (ret)
		return ret;
	ret = dimm_probe(ctx, d, refused, false, err, errlen);
	if (ret)
		hmfs_acpi_slot_unplug(ctx, d->slot);
	return ret;
}

/* QEMU's default block-size on x86: the THP size */
#define VIRTIO_MEM_DEFAULT_BLOCK_SIZE (2ULL << 20)
/* VIRTIO_MEM_MIN_BLOCK_SIZE: QEMU's block-size setter refuses less */
#define VIRTIO_MEM_MIN_BLOCK_SIZE (1ULL << 20)
/*
 * memory_device_pre_plug() (QEMU 7.2+): the device's alignment is
 * MAX(its get_min_alignment() -- virtio_mem_pci_get_min_alignment(), the
 * block-size --, its backend's alignment), nothing of the guest's memory
 * block: a 1M block-size is placed 2M-aligned, a 100M device's successor
 * right after its end (abuse30b V3; until 2026-12-02 the memory block
 * size aligned it too).  A memaddr and the size are held to it as well
 * (vmem_check()).
 */
static uint64_t vmem_align(const struct hmfs_dev *d)
{
	return d->block_size > QEMU_VMALLOC_ALIGN ? d->block_size : QEMU_VMALLOC_ALIGN;
}

/*
 * QEMU 9.2's checks of a virtio-mem device, in its order: the block-size
 * setter; memory_device_pre_plug() -- the size against its backend's
 * alignment, 2 MiB (since 9.0, 540a1abbf0b2), then
 * memory_device_get_free_addr() a memaddr against the device's
 * (vmem_align(), reread30 R5): "backend memory size must be multiple of
 * 0x200000", "address must be aligned to 0x400000 bytes" --; then
 * virtio_mem_device_realize(): requested-size, then the size against the
 * block-size in its own words (its missing space included).  QEMU 7.2
 * checked the address first and the size against vmem_align() (reread30
 * R9: hotmem spoke 7.2 here and 9.2 for a pc-dimm).  @saved: a state
 * file's device (restored, or put back by an undo) is held to its
 * block-size alone, as hotmem was until 2026-12-02, so a file's device at
 * a 1M-aligned memaddr is restored, not refused; its size is held to it
 * by realize's own check below, in realize's words.
 */
static int vmem_check(struct hmfs_dev *d, bool have_addr, uint64_t requested, bool saved,
		      int nr_nodes, char *err, size_t errlen)
{
	uint64_t align;

	if (!d->block_size)
		d->block_size = VIRTIO_MEM_DEFAULT_BLOCK_SIZE;
	if (d->block_size < VIRTIO_MEM_MIN_BLOCK_SIZE)
		return hmfs_qemu_error(err, errlen, "'block-size' property has to be at least 0x%llx",
			    VIRTIO_MEM_MIN_BLOCK_SIZE);
	if (d->block_size & (d->block_size - 1))
		return hmfs_qemu_error(err, errlen, "'block-size' property has to be a power of two");
	align = saved ? d->block_size : vmem_align(d);
	if (!saved && d->size % QEMU_VMALLOC_ALIGN)
		return hmfs_qemu_error(err, errlen, "backend memory size must be multiple of 0x%llx",
			    QEMU_VMALLOC_ALIGN);
	if (have_addr && d->addr % align)
		return hmfs_qemu_error(err, errlen, "address must be aligned to 0x%llx bytes",
			    (unsigned long long)align);
	/* virtio_mem_device_realize()'s first: the node (its missing space is QEMU's; reread30 R9) */
	if (d->node >= nr_nodes)
		return hmfs_qemu_error(err, errlen,
			    "'node' property has value '%d', which exceedsthe number of numa nodes: %d",
			    d->node, nr_nodes);
	if (requested % d->block_size)
		return hmfs_qemu_error(err, errlen,
			    "'requested-size' property has to be multiples of 'block-size' (0x%llx)",
			    (unsigned long long)d->block_size);
	if (requested > d->size)
		return hmfs_qemu_error(err, errlen, "'requested-size' property exceeds the size (0x%llx)",
			    (unsigned long long)d->size);
	if (d->size % d->block_size)
		return hmfs_qemu_error(err, errlen,
			    "'memdev' property memdev size has to be multiples of'block-size' (0x%llx)",
			    (unsigned long long)d->block_size);
	return 0;
}

/*
 * virtio_mem_device_realize()'s checks and the place in the device memory
 * region in QEMU's view (place()'s @qemu_view): QEMU's side of a
 * device_add.  @put_back: a state file's device (place()).
 */
static int vmem_realize(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr,
			uint64_t requested, bool put_back, char *err, size_t errlen)
{
	int ret;

	ret = vmem_check(d, have_addr, requested, ctx->restoring || put_back,
			 hotmem_nr_possible_nodes(ctx->hm), err, errlen);
	if (ret)
		return ret;
	return place(ctx, d, &d->addr, have_addr, vmem_align(d), put_back, true, err, errlen);
}

/*
 * The guest's driver probes the device QEMU realized (it refuses a region
 * meeting memory: virtio_mem_create_resource()), with the host's
 * requested-size @requested.  Nothing is plugged yet.
 */
static int vmem_probe(struct hmfs_ctx *ctx, struct hmfs_dev *d, uint64_t requested, int index,
		      char *err, size_t errlen)
{
	struct hm_virtio_mem_info vi;
	int ret;

	ret = hotmem_virtio_mem_probe_index(ctx->hm, dev_nid(ctx, d), d->addr, d->size, d->block_size,
					    index, &d->vm);
	/* the file's virtioN another device has (a profile's, dropped after): as a reboot numbers it */
	if (ret == -EEXIST) {
		fprintf(stderr, "hotmemfs: restore: %s: virtio%d is another device's: probed as the lowest free index\n",
			d->id, index);
		ret = hotmem_virtio_mem_probe(ctx->hm, dev_nid(ctx, d), d->addr, d->size, d->block_size,
					      &d->vm);
	}
	if (ret) {
		snprintf(err, errlen, "virtio_mem: probe of [0x%llx-0x%llx] failed: %s%s",
			 (unsigned long long)d->addr, (unsigned long long)(d->addr + d->size - 1),
			 strerror(-ret),
			 ret == -EBUSY ? " (the region meets memory already there: could not reserve device region)" : "");
		d->vm = NULL;
		return ret;
	}
	hotmem_virtio_mem_info(d->vm, &vi);
	d->group = vi.group;
	d->requested = requested;
	ret = hotmem_virtio_mem_update_config(d->vm, requested);
	if (ret) {
		/* nothing plugged yet: the device goes as it came */
		hotmem_virtio_mem_remove(d->vm);
		d->vm = NULL;
		snprintf(err, errlen, "'requested-size' 0x%llx refused by the device: %s",
			 (unsigned long long)requested, strerror(-ret));
	}
	return ret;
}

/*
 * QEMU's side, then the guest's probe, before the reply (hmfs_dev_add()).
 * Placed in QEMU's view, as behind a guest's offline
 * (hmfs_dev_add_request()): QEMU 9.x's memory_device_get_free_addr()
 * sees its own devices alone, whenever it runs, so memory the guest
 * probed by itself where QEMU puts the device makes the guest's probe
 * fail (EBUSY, virtio_mem_create_resource()), as on QEMU.  It asked the
 * engine's free ranges, which see that memory and placed the device
 * elsewhere: one command gave another memaddr, and another outcome,
 * whether an offline looped or not (reread23a R10).  The probe's refusal
 * still refuses this device_add, whose reply comes after the guest's
 * probe (hotmem's own: tests/fusefs/12 keeps it); behind an offline the
 * reply comes before it, and the device stays QEMU's, unprobed.
 */
static int vmem_add(struct hmfs_ctx *ctx, struct hmfs_dev *d, bool have_addr, uint64_t requested,
		    const struct hmfs_dev_refusal *restored, char *err, size_t errlen)
{
	int ret = vmem_realize(ctx, d, have_addr, requested, restored != NULL, err, errlen);

	return ret ? ret : vmem_probe(ctx, d, requested, restored ? restored->vmem_index : -1,
				      err, errlen);
}

/*
 * The guest's hotplug workers (ACPI eject, virtio-mem) have no signals:
 * a kworker of kacpi_hotplug_wq or system_freezable_wq, which no signal
 * reaches, so offline_pages() (6.12: its only way out of a page that
 * never migrates is signal_pending(current), "signal backoff"; the 120 s
 * timeout went in 4.15) retries for ever, holding device_hotplug_lock.
 * hotmemfs bounds the work anyway rather than hold its locks (dev_lock
 * for a DIMM, the engine's device_hotplug_lock, change_lock) for ever:
 * after HMFS_EJECT_TOTAL_SECONDS the offline under way and every one
 * after it end EINTR, as at a signal, so that device_del answers (a DIMM's
 * eject then refused, its blocks back online).  Until then a DIMM's eject
 * keeps at a stuck block as the kernel's worker does (eject_over()): its
 * pages freed meanwhile (`hotmemctl free`, the pin let go), the eject goes
 * on and succeeds; no block after it is tried before.  A virtio-mem shrink also gives a block's offline
 * up after HMFS_EJECT_SECONDS of its own (a shrink stopped short, in the
 * log), counted from where that offline starts trying its range (the
 * engine's hotmem_task offline_begin(): the locks taken, the range
 * isolated, MEM_GOING_OFFLINE sent), as 4.14's __offline_pages() counted
 * its 120 s (expire = jiffies + timeout there): not the wait for
 * device_hotplug_lock, nor the driver's work before that offline (other
 * blocks' sub-blocks taken, other blocks' offlines).  Until 2026-12-01
 * the bound ran from the run's start, or the last give-up, so a run held
 * 10 s before its first offline gave that offline up untried.  Both are
 * ctllimits.h's: hotmemctl waits longer.
 * A stop of hotmemfs (@stopping, ctx->stopping) is a signal too, as a
 * control command's (ctl.c ctl_signal_pending()): the eject ends EINTR,
 * refused, its blocks back online, nothing removed (review12 D3).
 */
struct eject_deadline {
	struct timespec block_end;	/* a virtio-mem shrink: this block's offline gives up */
	bool block_armed;		/* block_end is the offline under way's (eject_block_begin()) */
	struct timespec end;		/* every offline from now on gives up */
	const bool *stopping;		/* NULL: the deadlines alone */
};

/* a DIMM eject's "signal": a stop, or the whole work's bound; no block's own */
static bool eject_over(void *arg)
{
	struct eject_deadline *d = arg;

	if (d->stopping && __atomic_load_n(d->stopping, __ATOMIC_ACQUIRE))
		return true;
	return hmfs_deadline_passed(&d->end);
}

/* a virtio-mem shrink's: the same, or the bound of the block whose offline is under way */
static bool eject_deadline(void *arg)
{
	struct eject_deadline *d = arg;

	if (eject_over(d))
		return true;
	if (!d->block_armed || !hmfs_deadline_passed(&d->block_end))
		return false;
	/* delivered to this block's offline, which ends with it: the next one arms its own */
	d->block_armed = false;
	return true;
}

/* the engine's offline_begin(): a block's offline starts trying, its bound from now */
static void eject_block_begin(void *arg)
{
	struct eject_deadline *d = arg;

	hmfs_deadline_after(&d->block_end, HMFS_EJECT_SECONDS * 1000L);
	d->block_armed = true;
}

/* @d's whole bound from now, a stop (@stopping, if not NULL) too: a task of @signal_pending's */
static struct hotmem_task deadline_arm(struct eject_deadline *d, const bool *stopping,
				       bool (*signal_pending)(void *))
{
	d->stopping = stopping;
	d->block_armed = false;
	hmfs_deadline_after(&d->end, HMFS_EJECT_TOTAL_SECONDS * 1000L);
	return (struct hotmem_task){ .signal_pending = signal_pending, .arg = d };
}

/*
 * a task whose "signal" is the unplug deadline -- each block's offline
 * HMFS_EJECT_SECONDS from its own start, the whole work
 * HMFS_EJECT_TOTAL_SECONDS from now -- or a stop (@stopping, if not NULL)
 */
static struct hotmem_task deadline_task(struct eject_deadline *d, const bool *stopping)
{
	struct hotmem_task task = deadline_arm(d, stopping, eject_deadline);

	task.offline_begin = eject_block_begin;
	return task;
}

/*
 * The guest driver's retry timer (6.12 drivers/virtio/virtio_mem.c:
 * vm->retry_timer, retry_timer_ms).  The kernel's virtio_mem_run_wq()
 * cancels it first, and by how its pass ended resets its period to
 * VIRTIO_MEM_RETRY_TIMER_MIN_MS (0) or starts it for that period (-EBUSY:
 * memory that would not go; -ENOMEM: none to migrate it to; -ETXTBSY:
 * the host busy), so that a shrink stopped by pinned pages goes on once
 * they are freed; virtio_mem_timer_expired() queues the work and doubles
 * the period up to VIRTIO_MEM_RETRY_TIMER_MAX_MS.  hotmem has no hrtimer:
 * one thread of hotmemfs's (vmem_timer_main()) waits for the first armed
 * one and runs the work as a change of its own (HMFS_CH_DRIVER_RETRY,
 * journaled as a block change's retry is); a device that goes
 * (device_del) takes its timer with it.
 */
#define VIRTIO_MEM_RETRY_TIMER_MIN_MS 50000U
#define VIRTIO_MEM_RETRY_TIMER_MAX_MS 300000U

/* @d's period: retry_ms, 0 the minimum (a device's first, and after a run that ended well) */
static unsigned int vmem_retry_ms(const struct hmfs_dev *d)
{
	return d->retry_ms ? d->retry_ms : VIRTIO_MEM_RETRY_TIMER_MIN_MS;
}

/* hrtimer_start(): @d's timer armed for its period (dev_lock held) */
static void vmem_timer_start(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	d->retry_armed = true;
	hmfs_deadline_after(&d->retry_at, (long)vmem_retry_ms(d));
	if (ctx->vmem_timer_started)
		pthread_cond_broadcast(&ctx->vmem_timer_cond);
}

/* the end of virtio_mem_run_wq(): its switch on @rc for the timer (dev_lock held) */
static void vmem_timer_after_run(struct hmfs_ctx *ctx, struct hmfs_dev *d, int rc)
{
	d->retry_armed = false; /* hrtimer_cancel() at the run's start */
	/*
	 * A timer that fired while another change ran this work (its change
	 * still waiting for change_lock) queued the work this run just was:
	 * in 6.12 queue_work() of a work queued or about to run is one run
	 * (review14 R5), so the timer's change finds nothing to run again.
	 */
	d->retry_fired = false;
	/*
	 * A qom-set queued during the run stopped it (vmem_config_changed()):
	 * 6.12's "goto retry", the work run again at once -- by the timers'
	 * thread, once this change lets change_lock go, after it took the
	 * queued value (vmem_resize_queued() comes first), whose own run is
	 * this work: a run that ends otherwise was the work queued.
	 */
	d->probe_work = rc == -EAGAIN;
	if (rc == -EAGAIN && ctx->vmem_timer_started)
		pthread_cond_broadcast(&ctx->vmem_timer_cond);
	if (!rc)
		d->retry_ms = 0; /* VIRTIO_MEM_RETRY_TIMER_MIN_MS (vmem_retry_ms()) */
	else if (rc == -EBUSY || rc == -ENOMEM || rc == -ETXTBSY)
		vmem_timer_start(ctx, d);
}

static uint64_t vmem_plugged(const struct hmfs_dev *d)
{
	struct hm_virtio_mem_info vi;

	return hotmem_virtio_mem_info(d->vm, &vi) ? 0 : vi.plugged_size;
}

/*
 * A virtio-mem driver run's task: its deadlines (deadline_task()) and its
 * device's config interrupt -- 6.12's virtio_mem_config_changed() sets
 * vm->config_changed under no lock the work holds, and the run stops at
 * its next check (hotmem_task config_changed): a qom-set queued for @d
 * that its requested-size has not been given (d->queued_gen ahead of
 * d->taken_gen: queue_settled()), read here without dev_lock, which the
 * run does not hold.  Not "queued since the run began": a qom-set queued
 * after the change became held (apply_held()) but before its run started
 * was missed, and the run unplugged what the new size keeps (reread27
 * R1); 6.12's vm->config_changed likewise stays set until its "retry:"
 * reads the config.
 */
struct vmem_run {
	struct eject_deadline end; /* first: the deadline's callbacks get the task's arg */
	struct hmfs_ctx *ctx;
	const struct hmfs_dev *d;
};

static bool vmem_config_changed(void *arg)
{
	const struct vmem_run *run = arg;

	return __atomic_load_n(&run->d->queued_gen, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&run->d->taken_gen, __ATOMIC_ACQUIRE);
}

/*
 * QEMU's MEMORY_DEVICE_SIZE_CHANGE, each plug or unplug request the
 * device ACKed (the engine's size_changed, device_hotplug_lock held:
 * queued only); the monitor's rate limit (events.c) sends the first of a
 * resize at once and the last of its second after it
 */
static void vmem_size_changed(void *arg, uint64_t plugged_size)
{
	const struct vmem_run *run = arg;

	hmfs_emit_size_change(run->ctx, run->d->id, plugged_size);
}

static struct hotmem_task vmem_run_task(struct vmem_run *run, const bool *stopping)
{
	struct hotmem_task task = deadline_task(&run->end, stopping);

	task.config_changed = vmem_config_changed;
	task.size_changed = vmem_size_changed;
	return task;
}

/*
 * The guest's driver works toward the requested-size the device has
 * (virtio_mem_config_changed() queues its work).  Not under dev_lock: a
 * shrink may take HMFS_EJECT_SECONDS, and the device cannot go meanwhile
 * (every change of the device list runs under change_lock, as this does:
 * hmfs_change()); the engine serialises it with other hotplug work.  A
 * stop of hotmemfs ends it too (the timer's run must not hold the stop).
 * Where it stops short is in plugged-size, why in the log; the retry
 * timer armed or reset by how it ended.
 */
static void vmem_run_driver(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	struct vmem_run run = { .ctx = ctx, .d = d };
	const struct hotmem_task task = vmem_run_task(&run, &ctx->stopping);
	/* each request the device ACKs says the size (vmem_size_changed()) */
	const int rc = hotmem_virtio_mem_retry(d->vm, &task);

	pthread_mutex_lock(&ctx->dev_lock);
	vmem_timer_after_run(ctx, d, rc);
	pthread_mutex_unlock(&ctx->dev_lock);
}

/* a listed device to another free name of its model's (its own is taken: by itself) */
static void dev_rename(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	char id[sizeof(d->id)];

	auto_id(ctx, dev_model_of(d->type)->id_prefix, id, sizeof(id));
	memcpy(d->id, id, sizeof(id));
}

/*
 * The devices the profile made at boot (engine/mm_init.c: "hotplug" and
 * "virtio_mem" lines), listed as device_add makes them: removed (and a
 * virtio-mem device resized) alike, saved in the state file alike.  Under
 * dev_lock.
 *
 * A hotplug range is a cold-plugged pc-dimm in slot @slot (acpi.c gives
 * the ranges the first slots), named as QEMU's device_add names one, its
 * memory added whole without memmap_on_memory in a static group.
 */
static int boot_dimm_adopt(struct hmfs_ctx *ctx, const struct hm_boot_range *r, int slot)
{
	struct hm_block_info bi;
	struct hmfs_dev *d;

	if (hotmem_block_info(ctx->hm, (unsigned long)(r->start / ctx->block_size), &bi))
		return -ENODEV;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = (struct hmfs_dev){ .type = HMFS_PC_DIMM, .node = hotmem_node_to_pxm(ctx->hm, r->nid),
				.addr = r->start,
				.size = r->end - r->start, .slot = slot, .group = bi.group,
				.from_profile = true };
	auto_id(ctx, dev_model_of(HMFS_PC_DIMM)->id_prefix, d->id, sizeof(d->id));
	dev_link(ctx, d);
	return 0;
}

/* a virtio_mem line's device, under the line's id (a DIMM named so before is renamed) */
static int boot_vmem_adopt(struct hmfs_ctx *ctx, const struct hm_virtio_mem_config *v)
{
	struct hotmem_virtio_mem *vm = hotmem_virtio_mem_at(ctx->hm, v->addr);
	struct hm_virtio_mem_info vi;
	struct hmfs_dev *d;

	if (!vm)
		return -ENODEV;
	d = dev_find(ctx, v->id);
	if (d)
		dev_rename(ctx, d);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	hotmem_virtio_mem_info(vm, &vi);
	*d = (struct hmfs_dev){ .type = HMFS_VIRTIO_MEM, .node = hotmem_node_to_pxm(ctx->hm, vi.nid),
				.addr = vi.addr,
				.size = vi.region_size, .slot = -1, .group = vi.group,
				.block_size = vi.device_block_size, .requested = vi.requested_size,
				.vm = vm, .from_profile = true };
	snprintf(d->id, sizeof(d->id), "%s", v->id);
	dev_link(ctx, d);
	return 0;
}

int hmfs_dev_boot(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	int ret = 0;

	pthread_mutex_lock(&ctx->dev_lock);
	for (int i = 0; i < cfg->nr_hotplug && !ret; i++) {
		ret = boot_dimm_adopt(ctx, &cfg->hotplug[i], i);
		if (ret)
			snprintf(err, errlen, "the profile's hotplug %#llx-%#llx: %s",
				 (unsigned long long)cfg->hotplug[i].start,
				 (unsigned long long)cfg->hotplug[i].end - 1, strerror(-ret));
	}
	for (int i = 0; i < cfg->nr_virtio_mem && !ret; i++) {
		ret = boot_vmem_adopt(ctx, &cfg->virtio_mem[i]);
		if (ret)
			snprintf(err, errlen, "the profile's virtio_mem %s: %s", cfg->virtio_mem[i].id,
				 strerror(-ret));
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/* every plugged device block of @vm unplugged exactly: a profile device taken away again (boot_dev_remove()) */
static int vmem_unplug_all(struct hotmem_virtio_mem *vm)
{
	uint64_t first = 0, count;
	int ret = 0;

	while (!ret && !hotmem_virtio_mem_next_plugged(vm, &first, &count))
		ret = hotmem_virtio_mem_unplug_exact(vm, first, count);
	return ret;
}

/* virtio_mem_set_requested_size() of a realized device: QEMU's checks and words */
static int vmem_check_requested(const struct hmfs_dev *d, uint64_t req, char *err, size_t errlen)
{
	if (req % d->block_size)
		return hmfs_qemu_error(err, errlen, "'requested-size' has to be multiples of 'block-size' (0x%llx)",
			    (unsigned long long)d->block_size);
	if (req > d->size)
		return hmfs_qemu_error(err, errlen,
			    "'requested-size' cannot exceed the memory backend size(0x%llx)",
			    (unsigned long long)d->size);
	return 0;
}

/*
 * A state file's device @d already is (restoring): the profile made it at
 * boot.  The same device is taken as it is, with the memory it booted
 * plugged: the file's plugged blocks (the state file's restore unplugs
 * what they lack and plugs what they add, hmfs_dev_unplug_exact() and
 * hmfs_dev_restore_plugged()) or its requested-size (hmfs_dev_run_driver()
 * then runs from there) change only the difference, so that a block both have
 * plugged stays, online and in use as it is (kernel allocations in an
 * online Normal block of it would refuse its unplug): 0, or an error.
 * 1: another device of the same id (a file from before profile devices
 * were listed): the profile's is renamed and the file's added.
 */
static int boot_dev_claim(struct hmfs_ctx *ctx, struct hmfs_dev *d, const struct dev_model *m,
			  uint64_t size, int node, uint64_t addr, uint64_t requested,
			  uint64_t block_size, char *err, size_t errlen)
{
	int ret;

	if (d->type != m->type || d->size != size || d->node != node || d->addr != addr ||
	    (d->type == HMFS_VIRTIO_MEM && d->block_size != block_size)) {
		dev_rename(ctx, d);
		return 1;
	}
	/*
	 * the saved requested-size set as qom-set sets it; the same as the
	 * profile's is no change: 6.12's driver sees a config change only on
	 * the host's config interrupt (virtio_mem_config_changed()), so its
	 * next run -- a retry -- says no "plugged size"/"requested size" pair
	 */
	if (d->type != HMFS_VIRTIO_MEM || requested == d->requested)
		return 0;
	ret = vmem_check_requested(d, requested, err, errlen);
	if (ret)
		return ret;
	ret = hotmem_virtio_mem_update_config(d->vm, requested);
	if (ret) {
		snprintf(err, errlen, "%s: the profile's device refuses the saved 'requested-size' 0x%llx: %s",
			 d->id, (unsigned long long)requested, strerror(-ret));
		return ret;
	}
	d->requested = requested;
	return 0;
}

static int dimm_del(struct hmfs_ctx *ctx, struct hmfs_dev *d, const struct hotmem_task *task,
		    int source, char *err, size_t errlen);

/* a device the profile booted, taken away again (restoring): 0, or -errno with @err */
static int boot_dev_remove(struct hmfs_ctx *ctx, struct hmfs_dev *o, const char *why, char *err,
			   size_t errlen)
{
	int ret;

	if (o->type == HMFS_PC_DIMM) {
		ret = dimm_del(ctx, o, NULL, 0, err, errlen);
	} else {
		/* a device the guest never probed has no driver: nothing plugged to give back */
		ret = o->vm ? vmem_unplug_all(o->vm) : 0;
		if (!ret && o->vm)
			ret = hotmem_virtio_mem_remove(o->vm);
		if (ret)
			snprintf(err, errlen, "%s, the profile's device %s, cannot be removed: %s",
				 o->id, why, strerror(-ret));
	}
	if (!ret) {
		dev_unlink(ctx, o);
		dev_free(o);
	}
	return ret;
}

/*
 * A state file's device to restore meets a device the profile made at
 * boot (its range, its slot): devices that were there together never
 * met, so the profile's was removed at run time and another took its
 * place.  It goes again: a DIMM ejected, a virtio-mem device's memory
 * given back and the device removed.  Only the profile's: a device
 * restored before from the same file never met this one, and any other
 * is none of a restore's to take (reread29 R14).
 */
static int boot_dev_give_way(struct hmfs_ctx *ctx, const struct dev_model *m, uint64_t size,
			     uint64_t addr, int slot, char *err, size_t errlen)
{
	struct hmfs_dev *o = ctx->devs, *next;
	int ret = 0;

	for (; o && !ret; o = next) {
		next = o->next;
		if (!o->from_profile)
			continue;
		if (!(addr < o->addr + o->size && o->addr < addr + size) &&
		    !(m->type == HMFS_PC_DIMM && o->type == HMFS_PC_DIMM && slot >= 0 &&
		      o->slot == slot))
			continue;
		ret = boot_dev_remove(ctx, o, "where the saved one was", err, errlen);
	}
	return ret;
}

int hmfs_dev_drop_profile(struct hmfs_ctx *ctx, bool (*removed)(uint64_t addr, void *arg),
			  void *arg, char *err, size_t errlen)
{
	struct hmfs_dev *o, *next;
	int ret = 0;

	pthread_mutex_lock(&ctx->dev_lock);
	for (o = ctx->devs; o && !ret; o = next) {
		next = o->next;
		if (o->from_profile && removed(o->addr, arg))
			ret = boot_dev_remove(ctx, o, "removed before the restart", err, errlen);
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/* a device of model @m with QEMU's properties, listed (dev_lock held); NULL: no memory */
static struct hmfs_dev *dev_new(struct hmfs_ctx *ctx, const struct dev_model *m, const char *id,
				uint64_t size, int node, uint64_t addr, uint64_t block_size,
				int memmap, int slot)
{
	struct hmfs_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->type = m->type;
	d->node = node;
	d->size = size;
	d->addr = addr;
	d->block_size = block_size;
	d->memmap_on_memory = memmap != 0;
	d->slot = d->type == HMFS_PC_DIMM ? slot : -1;
	if (id)
		snprintf(d->id, sizeof(d->id), "%s", id);
	else
		hmfs_dev_anon_id(ctx, d->id, sizeof(d->id));
	anon_seen(ctx, d->id);
	dev_link(ctx, d);
	return d;
}

int hmfs_dev_add(struct hmfs_ctx *ctx, const char *driver, const char *id, uint64_t size, int node,
		 uint64_t addr, bool have_addr, uint64_t requested, uint64_t block_size, int memmap,
		 int slot, const struct hmfs_dev_refusal *refused, char *new_id,
		 size_t new_id_len, char *err, size_t errlen)
{
	const struct dev_model *m = dev_model_find(driver);
	struct hmfs_dev *d;
	int ret;

	if (!m)
		return hmfs_qemu_error(err, errlen,
			    "'%s' is not a valid device model name (pc-dimm, virtio-mem-pci)", driver);
	pthread_mutex_lock(&ctx->dev_lock);
	d = id && ctx->restoring ? dev_find(ctx, id) : NULL;
	if (d) {
		ret = boot_dev_claim(ctx, d, m, size, node, addr, requested, block_size, err,
				     errlen);
		if (ret <= 0)
			goto out;
	}
	if (ctx->restoring && have_addr) {
		ret = boot_dev_give_way(ctx, m, size, addr, slot, err, errlen);
		if (ret)
			goto out;
	}
	ret = check_common(ctx, m, id, size, node, addr, have_addr, false, err, errlen);
	if (ret)
		goto out;
	d = dev_new(ctx, m, id, size, node, addr, block_size, memmap, slot);
	if (!d) {
		ret = -ENOMEM;
		goto out;
	}
	if (d->type == HMFS_PC_DIMM)
		ret = dimm_add(ctx, d, have_addr, refused, err, errlen);
	else
		ret = vmem_add(ctx, d, have_addr, requested, refused, err, errlen);
	if (ret) {
		dev_unlink(ctx, d);
		dev_free(d);
		goto out;
	}
	if (new_id)
		snprintf(new_id, new_id_len, "%s", d->id);
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * The device @id is there with its requested-size (hmfs_dev_add()); the
 * guest's driver plugs (or unplugs) what it can, as after QEMU's
 * device_add, which does not wait for the guest: plugged-size says how
 * far it got (hmfs_dev_sizes()).  Nothing to do for a device at its
 * requested size (a DIMM, a virtio-mem device asked for nothing).
 */
void hmfs_dev_run_driver(struct hmfs_ctx *ctx, const char *id)
{
	struct hm_virtio_mem_info vi;
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && !(d->type == HMFS_VIRTIO_MEM && d->vm && !hotmem_virtio_mem_info(d->vm, &vi)))
		d = NULL;
	/* a run with nothing to do reads the config all the same: a new device's sizes said */
	if (d && vi.plugged_size == vi.requested_size) {
		hotmem_virtio_mem_config_read(d->vm);
		d = NULL;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	if (d)
		vmem_run_driver(ctx, d);
}

/* a virtio-mem device's plugged and requested size: -ENOENT if @id is none */
int hmfs_dev_sizes(struct hmfs_ctx *ctx, const char *id, uint64_t *plugged, uint64_t *requested)
{
	struct hm_virtio_mem_info vi;
	struct hmfs_dev *d;
	int ret = -ENOENT;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && d->vm) {
		hotmem_virtio_mem_info(d->vm, &vi);
		*plugged = vi.plugged_size;
		*requested = vi.requested_size;
		ret = 0;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * The virtio-mem device @id in *@d: 0; else -ENODEV, no device @id (ctl.c
 * says QEMU's DeviceNotFound), or -EINVAL, another device, with QEMU's
 * qom-set words in @err
 */
static int vmem_find(struct hmfs_ctx *ctx, const char *id, struct hmfs_dev **d, char *err,
		     size_t errlen)
{
	*d = dev_find(ctx, id);
	if (!*d) {
		hmfs_qemu_error(err, errlen, "Device '%s' not found", id);
		return -ENODEV;
	}
	if ((*d)->type != HMFS_VIRTIO_MEM)
		/* QEMU's object_property_find_err() names the type (finalB B4) */
		return hmfs_qemu_error(err, errlen, "Property 'pc-dimm.requested-size' not found");
	return 0;
}

/* what vmem_set() does with a requested-size */
enum vmem_set_how {
	VMEM_SET,   /* qom-set: set now, the guest's driver run */
	VMEM_QUEUE, /* qom-set behind a guest's offline: kept apart, the change queued */
	VMEM_TAKE,  /* the queued change: the value queued last set, as VMEM_SET */
};

/* a qom-set queued with a state file (vmem_queue()): its record's undo */
struct qemu_resize_save {
	struct hmfs_save sv; /* first: its undo gets it */
	char id[sizeof(((struct hmfs_dev *)0)->id)];
	struct hmfs_dev_queue was; /* the queue before it, its retry too (reread26 R5) */
};

static void queue_as_is(const struct hmfs_dev *d, bool dropped, struct hmfs_dev_queue *q);
static void queue_put(struct hmfs_dev *d, const struct hmfs_dev_queue *q);

/*
 * No queue for the driver to take now -- none, or one an undo put back
 * for the driver's retry (queue_retry) -- so nothing stops a run of @d's:
 * what was queued counts as given to its requested-size (taken_gen, the
 * config interrupt's other half: vmem_config_changed()).  A due queue
 * leaves taken_gen behind: a run stops at its first check and the timers'
 * thread takes the queue first.  dev_lock held.
 */
static void queue_settled(struct hmfs_dev *d)
{
	if (!d->resize_queued || d->queue_retry)
		__atomic_store_n(&d->taken_gen, d->queued_gen, __ATOMIC_RELEASE);
}

/*
 * Its record's sync failed (state.c rollback(), change_lock held, newer
 * records undone first): the queue as before it -- a queued change that
 * took it since was a newer record, undone already (machine.c undo()) --
 * a queue an undo put back at the driver's retry included, taken at its
 * retry time as before, not at once (reread26 R5)
 */
static int qemu_resize_undo(struct hmfs_ctx *ctx, struct hmfs_save *sv, int sret)
{
	struct qemu_resize_save *q = (struct qemu_resize_save *)sv;
	struct hmfs_dev *d;

	(void)sret;
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, q->id);
	if (d && d->type == HMFS_VIRTIO_MEM) {
		queue_put(d, &q->was);
		queue_settled(d);
		pthread_cond_broadcast(&ctx->vmem_timer_cond); /* its wait is for the retry again */
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return 0;
}

/*
 * QEMU's virtio_mem_set_requested_size() behind a guest's offline: the
 * host's value now, the guest notified (the queued change), and with a
 * state file its "qemu-requested" record journaled under journal_lock
 * alone (state.c hmfs_state_append_qemu()), dev_lock held so that no
 * later record about @d comes before it; @q->sv made durable by the
 * caller without dev_lock.  -EAGAIN: no journal to append to now (the
 * change's way), the queue as it was.
 */
static int vmem_queue(struct hmfs_ctx *ctx, struct hmfs_dev *d, uint64_t req,
		      struct qemu_resize_save *q)
{
	json_object *o = json_object_new_object();
	int ret;

	snprintf(q->id, sizeof(q->id), "%s", d->id);
	queue_as_is(d, false, &q->was);
	d->queued_requested = req;
	d->resize_queued = true;
	d->queue_retry = false; /* the host's new value: the driver runs at once */
	json_object_object_add(o, "id", json_object_new_string(d->id));
	json_object_object_add(o, "requested-size", json_object_new_uint64(req));
	ret = hmfs_state_append_qemu(ctx, &q->sv, "qemu-requested", o);
	json_object_put(o);
	if (ret) {
		queue_put(d, &q->was);
		return ret;
	}
	/* the device's config interrupt: a driver run of @d's stops (vmem_config_changed()) */
	__atomic_add_fetch(&d->queued_gen, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&ctx->vmem_timer_cond);
	return 0;
}

/*
 * A qom-set's driver run, in the client's thread named "hotmemfs-driver"
 * meanwhile, as machine.c driver_apply()'s: 6.12's
 * virtio_mem_config_changed() queues the same work (virtio_mem_run_wq())
 * on system_freezable_wq, a kworker.  `top -H`, a debugger or a test's
 * preload shim tell it by the name: tests/reliability/thread_hold.c holds
 * a shrink under device_hotplug_lock until the test lets go
 * (tests/fusefs/250, which raced the shrink's own end under load before).
 * The thread's own name back after; the main thread (a restore's) keeps
 * its name, the process's (thread_name.h).
 */
static void vmem_run_qom_set(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	struct hmfs_thread_name name;

	hmfs_thread_name_take(&name, "hotmemfs-driver");
	vmem_run_driver(ctx, d);
	hmfs_thread_name_back(&name);
}

/*
 * The driver's work reads @d's queued value at once (V1 of abuse30b): 6.12's
 * virtio_mem_config_changed() queues virtio_mem_run_wq(), which reads the
 * config and logs its sizes (virtio_mem_refresh_config()) before it blocks
 * behind the offline that keeps hotmem's change from running; a later
 * qom-set meanwhile finds that work blocked, and is read once it goes on
 * (the run that takes the queue, vmem_give_config()).  Nothing for a
 * device its guest has not probed, or once the queue is taken.  dev_lock
 * held.
 */
static void vmem_read_early(struct hmfs_dev *d)
{
	if (!d->vm || !d->resize_queued || d->config_read_early)
		return;
	if (hotmem_virtio_mem_config_read_early(d->vm, d->queued_requested))
		return;
	d->config_read_early = true;
	d->read_gen = d->queued_gen;
}

/*
 * requested-size @req to @d's driver: the value its work read early
 * (vmem_read_early()), taken with no qom-set queued since, is no config
 * change left to read; any other is, said by the run
 */
static int vmem_give_config(struct hmfs_dev *d, uint64_t req, enum vmem_set_how how)
{
	if (how == VMEM_TAKE && d->config_read_early && d->read_gen == d->queued_gen)
		return hotmem_virtio_mem_update_config_read(d->vm, req);
	return hotmem_virtio_mem_update_config(d->vm, req);
}

/*
 * The host changes requested-size (QEMU's qom-set): accepted whatever the
 * guest then achieves, as with QEMU; the guest's driver works toward it
 * at once and may stop short (offline memory over its threshold, busy
 * memory it cannot unplug): plugged-size says how far it got, the log
 * why.  Refused only for a bad value, and then nothing changed.  One
 * find and check for a qom-set made and a qom-set queued (duplicates D3).
 *
 * VMEM_SET and VMEM_TAKE run under change_lock (a change's apply()), the
 * only place d->requested changes: the state file's records and an undo's
 * compare read it.  VMEM_QUEUE (hmfs_dev_queue_requested()) keeps its
 * value apart, in d->queued_requested (reread18-fusefs2 F8: written into
 * d->requested outside change_lock, it reached the next record of
 * whichever change came first, and an undo's compare of the devices found
 * a difference no change had made).  VMEM_TAKE takes whatever is queued
 * by then -- the last qom-set's, as QEMU's last
 * virtio_mem_set_requested_size() is what the guest's driver reads at its
 * next run (6.12 virtio_mem_run_wq() -> virtio_mem_refresh_config()) --
 * and nothing when a later qom-set, made and answered, took its place:
 * VMEM_SET drops what was queued before it (reread18-fusefs2 F2: the
 * queued change had copied its value before change_lock, and could undo
 * a later qom-set answered before it ran).
 */
static int vmem_set(struct hmfs_ctx *ctx, const char *id, uint64_t req, enum vmem_set_how how,
		    struct qemu_resize_save *q, char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret;

	pthread_mutex_lock(&ctx->dev_lock);
	ret = vmem_find(ctx, id, &d, err, errlen);
	if (ret || (how == VMEM_TAKE && !d->resize_queued))
		goto out;
	if (how == VMEM_TAKE)
		req = d->queued_requested;
	ret = vmem_check_requested(d, req, err, errlen);
	if (!ret && how == VMEM_QUEUE) {
		if (!ctx->vmem_timer_started) {
			ret = -EAGAIN;
			goto out;
		}
		ret = vmem_queue(ctx, d, req, q);
		if (ret && ret != -EAGAIN)
			snprintf(err, errlen, "saving state to %s.journal: %s", ctx->state_path,
				 strerror(-ret));
		goto out;
	}
	/* a device the guest has not probed (d->probe_queued, or refused): the host's value alone */
	if (!ret && d->vm)
		ret = vmem_give_config(d, req, how);
	if (ret)
		goto out;
	d->config_read_early = false;
	/* a new refusal episode: vmem_del_say() says its line again (reread29 R7) */
	if (req != d->requested)
		d->del_refused_said = 0;
	d->requested = req;
	/* VMEM_SET's drop, which its undo puts back (hmfs_dev_queue_keep()) */
	d->queue_dropped = how == VMEM_SET && d->resize_queued;
	d->resize_queued = false;
	queue_settled(d); /* taken or dropped: the run below is toward it */
	pthread_mutex_unlock(&ctx->dev_lock);
	/* VMEM_TAKE runs in the timers' thread, which keeps its own name (hotmemfs-vmem) */
	if (d->vm && how == VMEM_TAKE)
		vmem_run_driver(ctx, d);
	else if (d->vm)
		vmem_run_qom_set(ctx, d);
	return 0;
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * Will @ch's driver run unplug?  A resize to less than is plugged (the
 * queued one's value: the last queued, as hmfs_dev_set_queued() takes
 * it), or the retry timers' run of a device above its requested-size.
 * Such a run takes online memory's pages (6.12 virtio_mem_fake_offline():
 * alloc_contig_range(), retried while pages will not move), then offlines
 * and removes a memory block left with nothing plugged, all under
 * device_hotplug_lock, for as long as the pages take (up to
 * HMFS_EJECT_SECONDS a block here).  Under change_lock (the caller's).
 */
bool hmfs_dev_may_unplug(struct hmfs_ctx *ctx, const struct hmfs_change *ch)
{
	struct hm_virtio_mem_info vi;
	bool unplug = false;
	struct hmfs_dev *d;

	/* asked at every change: an online's or a chmod's takes no lock */
	if (ch->op != HMFS_CH_DEVICE_RESIZE && ch->op != HMFS_CH_DRIVER_RETRY)
		return false;
	pthread_mutex_lock(&ctx->dev_lock);
	if (ch->op == HMFS_CH_DEVICE_RESIZE) {
		d = dev_find(ctx, ch->dev.id);
		if (d && d->type == HMFS_VIRTIO_MEM && d->vm && !hotmem_virtio_mem_info(d->vm, &vi))
			unplug = (ch->queued ? hmfs_dev_host_requested(d) : ch->dev.requested) <
				 vi.plugged_size;
	}
	for (size_t i = 0; ch->op == HMFS_CH_DRIVER_RETRY && i < ch->nr_due && !unplug; i++)
		unplug = !hotmem_virtio_mem_info(ch->due[i]->vm, &vi) &&
			 vi.plugged_size > vi.requested_size;
	pthread_mutex_unlock(&ctx->dev_lock);
	return unplug;
}

int hmfs_dev_set_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			   size_t errlen)
{
	return vmem_set(ctx, id, req, VMEM_SET, NULL, err, errlen);
}

static void dev_snap_refresh(struct hmfs_ctx *ctx);

/*
 * with a state file, answered once its record is durable (vmem_queue());
 * QEMU's lists have the host's value at once, a DIMM's eject running too
 */
int hmfs_dev_queue_requested(struct hmfs_ctx *ctx, const char *id, uint64_t req, char *err,
			     size_t errlen)
{
	struct qemu_resize_save q = { .sv.undo = qemu_resize_undo };
	int ret = vmem_set(ctx, id, req, VMEM_QUEUE, &q, err, errlen);
	struct hmfs_dev *d;

	if (ret)
		return hmfs_kept_record_settle(ctx, &q.sv, ret, err, errlen);
	dev_snap_refresh(ctx);
	ret = hmfs_state_sync(ctx, &q.sv);
	if (ret) {
		snprintf(err, errlen, "saving state to %s.journal: %s (the qom-set is undone)",
			 ctx->state_path, strerror(-ret));
		return ret;
	}
	/* acknowledged: the guest's driver reads it (a failed one it never saw) */
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM)
		vmem_read_early(d);
	pthread_mutex_unlock(&ctx->dev_lock);
	return 0;
}

/* a restored "queued-requested-size" (state.c): queued again, for the timers' thread */
void hmfs_dev_restore_queued(struct hmfs_ctx *ctx, const char *id, uint64_t req)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM) {
		d->queued_requested = req;
		__atomic_add_fetch(&d->queued_gen, 1, __ATOMIC_RELEASE);
		d->resize_queued = true;
		pthread_cond_broadcast(&ctx->vmem_timer_cond);
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

/*
 * @d's queue as it is: its value, count and retry (dev_lock held), or, with
 * @dropped, the one the last VMEM_SET dropped (vmem_set(): left in place)
 */
static void queue_as_is(const struct hmfs_dev *d, bool dropped, struct hmfs_dev_queue *q)
{
	q->queued = d->resize_queued || dropped;
	q->requested = d->queued_requested;
	q->retry = d->queue_retry;
	q->retry_at = d->queue_retry_at;
}

/* queue_as_is()'s @q on @d again: its value, retry and retry time (dev_lock held) */
static void queue_put(struct hmfs_dev *d, const struct hmfs_dev_queue *q)
{
	d->resize_queued = q->queued;
	d->queued_requested = q->requested;
	d->queue_retry = q->retry;
	d->queue_retry_at = q->retry_at;
}

/*
 * An undo that rebuilds virtio-mem device @id from its state file object
 * (machine.c device_back()) takes back the guest's work, never QEMU's
 * requested-size: a qom-set answered is the host's (QEMU 9.x
 * virtio_mem_set_requested_size()), which nothing in the guest undoes
 * (reread25 R7: the take's undo put the old value back, durably).  What
 * the host has now: a qom-set queued since, as it is; else, after a
 * change that took the queue (@how HMFS_QUEUE_TOOK: VMEM_TAKE), the value
 * it took (d->requested), at the driver's retry (hmfs_dev_queue_back());
 * else, after a qom-set made at once that dropped one (HMFS_QUEUE_DROPPED:
 * VMEM_SET), the dropped queue as it was -- the machine before the change
 * had it (state26's note: the undo dropped it for good).
 */
void hmfs_dev_queue_keep(struct hmfs_ctx *ctx, const char *id, enum hmfs_queue_undone how,
			 struct hmfs_dev_queue *q)
{
	struct hmfs_dev *d;

	*q = (struct hmfs_dev_queue){ 0 };
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM) {
		q->gen = d->queued_gen;
		if (d->resize_queued) {
			queue_as_is(d, false, q);
		} else if (how == HMFS_QUEUE_TOOK) {
			q->from = how;
			q->queued = q->retry = true;
			q->requested = d->requested;
			hmfs_deadline_after(&q->retry_at, VIRTIO_MEM_RETRY_TIMER_MIN_MS);
		} else if (how == HMFS_QUEUE_DROPPED && d->queue_dropped) {
			q->from = how;
			queue_as_is(d, true, q);
		}
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

/* what hmfs_dev_queue_back() did, in the log: a value the undone change took or dropped */
static void queue_back_say(const char *id, const struct hmfs_dev_queue *q)
{
	if (q->from == HMFS_QUEUE_TOOK)
		fprintf(stderr,
			"hotmemfs: %s: QEMU's requested-size %#llx queued again for the guest's driver (an undo rebuilt the device): taken in %u s, or now by hotmemctl vmem-retry %s\n",
			id, (unsigned long long)q->requested, VIRTIO_MEM_RETRY_TIMER_MIN_MS / 1000,
			id);
	else if (q->from == HMFS_QUEUE_DROPPED)
		fprintf(stderr,
			"hotmemfs: %s: QEMU's requested-size %#llx queued again for the guest's driver, as before the undone qom-set\n",
			id, (unsigned long long)q->requested);
}

/*
 * ... queued again on the rebuilt device, unless it has that value: the
 * timers' thread takes it as before, one the undone change took at the
 * driver's retry period (VIRTIO_MEM_RETRY_TIMER_MIN_MS; hotmemctl
 * vmem-retry: now), not at once, where a take whose sync failed again
 * would be undone again for as long as the disk fails.  Its count goes on
 * from the old device's, so that vmem_resize_queued() sees a queue newer
 * than the one it took.
 */
void hmfs_dev_queue_back(struct hmfs_ctx *ctx, const char *id, const struct hmfs_dev_queue *q)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && q->queued && q->requested != d->requested) {
		queue_put(d, q);
		__atomic_store_n(&d->queued_gen, q->gen + 1, __ATOMIC_RELEASE);
		queue_settled(d); /* at the retry: else every run would stop, probe_work spin */
		pthread_cond_broadcast(&ctx->vmem_timer_cond); /* its wait ends, or is shorter */
		queue_back_say(id, q);
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

int hmfs_dev_set_queued(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	return vmem_set(ctx, id, 0, VMEM_TAKE, NULL, err, errlen);
}

uint64_t hmfs_dev_host_requested(const struct hmfs_dev *d)
{
	return d->resize_queued ? d->queued_requested : d->requested;
}

/*
 * The driver's work runs for @d after the online (@retry->value) or
 * offline of memory block @retry->id: when that block is @d's and its
 * memory notifier queued the work (virtio_mem_retry(),
 * hm_virtio_mem_info.work_pending: MEM_OFFLINE with
 * virtio_mem.unplug_online off, MEM_ONLINE below half its
 * offline_threshold) and @d is not at its requested-size, for the
 * kernel's worker runs queued work right away.  Only a block of its
 * own: the notifier queues for those alone (virtio_mem_overlaps_range():
 * NOTIFY_DONE for any other block), and a flag left over (a restore's
 * onlines queue too) never runs on another device's change.  A device
 * short of requested-size whose notifier queued nothing -- its MEM_ONLINE
 * left offline_size above half its offline_threshold, or its last run
 * armed the retry timer (-EBUSY, -ETXTBSY, -ENOMEM) or none (-ENOSPC) --
 * waits for its timer, a config change or a later online of its own, as
 * in 6.12: an online "as the timer would in time" ran every short
 * device's work at any block's online, cutting a backing-off guest's
 * retry short (abuse26 E1).  With unplug_online on (the default)
 * MEM_OFFLINE queues nothing, so an offline runs no work; an online of a
 * block of a device left above requested-size by a busy shrink runs the
 * unplug its MEM_ONLINE queued (online memory too), as the kernel's
 * worker would.
 */
static bool retry_due(const struct hmfs_ctx *ctx, const struct hmfs_dev *d,
		      const struct hmfs_change *retry)
{
	uint64_t addr = (uint64_t)retry->id * ctx->block_size;
	struct hm_virtio_mem_info vi;
	bool queued;

	if (d->type != HMFS_VIRTIO_MEM || !d->vm || hotmem_virtio_mem_info(d->vm, &vi))
		return false;
	if (retry->timer)	/* the retry timer's: the devices whose timer expired */
		return d->retry_fired;
	queued = vi.work_pending && addr >= d->addr && addr - d->addr < d->size;
	return vi.plugged_size != vi.requested_size && queued;
}

int hmfs_dev_due(struct hmfs_ctx *ctx, struct hmfs_change *retry)
{
	size_t cap = 0;
	int ret = 0;

	retry->due = NULL;
	retry->nr_due = 0;
	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d && !ret; d = d->next) {
		if (!retry_due(ctx, d, retry))
			continue;
		d->retry_fired = false; /* its run taken: virtio_mem_retry() queued once */
		if (retry->nr_due == cap) {
			struct hmfs_dev **more = realloc(retry->due, (cap ? 2 * cap : 4) * sizeof(*more));

			if (!more) {
				ret = -ENOMEM;
				break;
			}
			retry->due = more;
			cap = cap ? 2 * cap : 4;
		}
		retry->due[retry->nr_due++] = d;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	if (ret)
		hmfs_dev_due_free(retry);
	return ret ? ret : (int)retry->nr_due;
}

void hmfs_dev_due_free(struct hmfs_change *retry)
{
	free(retry->due);
	retry->due = NULL;
	retry->nr_due = 0;
}

/*
 * The virtio-mem drivers' work after a block's online or offline, on the
 * devices hmfs_dev_due() found (@retry->due), each bounded by
 * HMFS_EJECT_SECONDS as vmem_run_driver() (an unplug may migrate).  True
 * when one plugged, unplugged, or removed a memory block (a leftover of
 * an earlier run, fully unplugged, whose removal was refused then:
 * virtio_mem_cleanup_pending_mb()).  Not under dev_lock, as
 * vmem_run_driver(): the device list changes only under change_lock,
 * which the caller holds (hmfs_change()).  The sizes compared are the
 * readers' copy, which every run of the engine's publishes whole before
 * it lets go (virtio_mem_publish(): never behind, reread21b K6).
 */
bool hmfs_dev_retry(struct hmfs_ctx *ctx, const struct hmfs_change *retry)
{
	bool changed = false;

	for (size_t i = 0; i < retry->nr_due; i++) {
		struct hmfs_dev *d = retry->due[i];
		struct hm_virtio_mem_info before, after;

		hotmem_virtio_mem_info(d->vm, &before);
		vmem_run_driver(ctx, d);
		hotmem_virtio_mem_info(d->vm, &after);
		/* a leftover block removed alone changes only what is added */
		changed |= after.plugged_size != before.plugged_size ||
			   after.added_size != before.added_size;
	}
	return changed;
}

/*
 * virtio_mem_timer_expired() of each armed timer of @id (NULL: all) due
 * by now (@all: whatever its time): the work queued (retry_fired), the
 * period doubled up to VIRTIO_MEM_RETRY_TIMER_MAX_MS.  dev_lock held.
 * How many expired; -ENOENT when @id is no virtio-mem device.
 */
static int vmem_timer_expire(struct hmfs_ctx *ctx, const char *id, bool all)
{
	int n = 0, found = 0;

	for (struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		if (d->type != HMFS_VIRTIO_MEM || (id && strcmp(d->id, id)))
			continue;
		found++;
		if (all && d->resize_queued && d->queue_retry) {
			/* a queue an undo put back (hmfs_dev_queue_back()): the timers' thread's now */
			d->queue_retry = false;
			pthread_cond_broadcast(&ctx->vmem_timer_cond);
			n++;
		}
		if (!d->retry_armed || (!all && !hmfs_deadline_passed(&d->retry_at)))
			continue;
		d->retry_armed = false;
		d->retry_fired = true;
		d->retry_ms = vmem_retry_ms(d) * 2 > VIRTIO_MEM_RETRY_TIMER_MAX_MS ?
				      VIRTIO_MEM_RETRY_TIMER_MAX_MS : vmem_retry_ms(d) * 2;
		n++;
	}
	return id && !found ? -ENOENT : n;
}

/* the work the expired timers queued, run as a change (under change_lock, journaled) */
static int vmem_timer_run(struct hmfs_ctx *ctx, char *err, size_t errlen)
{
	const struct hmfs_change ch = { .op = HMFS_CH_DRIVER_RETRY, .timer = true };
	int ret = hmfs_change(ctx, &ch, err, errlen);

	return ret == -EAGAIN ? 0 : ret; /* the run changed nothing: nothing recorded */
}

/*
 * The timers' thread's run of the work queued (dev_lock held, dropped
 * for the run: change_lock is taken before dev_lock, never under it)
 */
static void vmem_timer_run_unlocked(struct hmfs_ctx *ctx)
{
	char err[512] = "";
	int ret;

	pthread_mutex_unlock(&ctx->dev_lock);
	ret = vmem_timer_run(ctx, err, sizeof(err));
	if (ret && ret != -EROFS)
		fprintf(stderr, "hotmemfs: the virtio-mem retry timer's run: %s\n",
			err[0] ? err : strerror(-ret));
	pthread_mutex_lock(&ctx->dev_lock);
}

/*
 * The work restores' probes queued (hmfs_dev_restore_work()), taken as a
 * fired timer's is (retry_fired: hmfs_dev_due()), once: false if none
 * (dev_lock held)
 */
static bool vmem_probe_work_take(struct hmfs_ctx *ctx)
{
	bool any = false;

	for (struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		if (!d->probe_work)
			continue;
		d->probe_work = false;
		d->retry_fired = true;
		any = true;
	}
	return any;
}

/* @t into @at when it is sooner, or the first (@any) */
static void sooner(struct timespec *at, bool *any, const struct timespec *t)
{
	if (!*any || hmfs_timespec_before(t, at))
		*at = *t;
	*any = true;
}

/*
 * the soonest armed timer's time in @at, a queue's retry
 * (hmfs_dev_queue_back()) too: false if none is armed (dev_lock held)
 */
static bool vmem_timer_next(struct hmfs_ctx *ctx, struct timespec *at)
{
	bool any = false;

	for (struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		if (d->retry_armed)
			sooner(at, &any, &d->retry_at);
		if (d->resize_queued && d->queue_retry)
			sooner(at, &any, &d->queue_retry_at);
	}
	return any;
}

/* @d's queue is to be taken now: none an undo put back before its retry (dev_lock held) */
static bool queue_take_due(struct hmfs_dev *d)
{
	if (!d->resize_queued)
		return false;
	if (d->queue_retry && !hmfs_deadline_passed(&d->queue_retry_at))
		return false;
	d->queue_retry = false;
	return true;
}

/*
 * A qom-set queued behind a guest's offline (hmfs_dev_queue_requested()),
 * made the change it is: journaled, the driver run, once change_lock is
 * free.  The change takes the queued value under change_lock
 * (hmfs_dev_set_queued()), the last one queued by then; one an undo put
 * back, once its retry is due (hmfs_dev_queue_back()).  Refused before it
 * took it (hotmemfs frozen, the device gone), the queued value is dropped
 * unless another qom-set queued since: the host's value is the device's
 * again.  dev_lock held, let go meanwhile (change_lock is taken before it).
 */
static bool vmem_resize_queued(struct hmfs_ctx *ctx)
{
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_RESIZE, .queued = true };
	char id[sizeof(ctx->devs->id)], err[512] = "";
	struct hmfs_dev *d;
	uint64_t gen, req;
	int ret;

	for (d = ctx->devs; d && !queue_take_due(d); d = d->next)
		;
	if (!d)
		return false;
	snprintf(id, sizeof(id), "%s", d->id);
	gen = d->queued_gen;
	req = d->queued_requested;
	ch.dev.id = id;
	pthread_mutex_unlock(&ctx->dev_lock);
	ret = hmfs_change(ctx, &ch, err, sizeof(err));
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	/* not taken: dropped (else the thread would try it for ever) */
	if (d && d->resize_queued && d->queued_gen == gen) {
		d->resize_queued = false;
		queue_settled(d);
	} else if (!ret)
		return true;
	fprintf(stderr, "hotmemfs: %s: the queued requested-size %#llx: %s\n", id,
		(unsigned long long)req, ret ? (err[0] ? err : strerror(-ret)) : "not taken");
	return true;
}

/*
 * The queued device_del of device object @incarnation of @id is over (the
 * removal done, or refused: not tried again): the object, if still there,
 * has none.  One taken over since is its waiters' (del_waiters).
 * dev_lock held.
 */
static void del_queued_end(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation)
{
	struct hmfs_dev *d = dev_find(ctx, id);

	if (d && d->incarnation == incarnation)
		d->del_queued = false;
}

/*
 * A QMP device_del accepted behind a guest's offline
 * (hmfs_dev_del_request()), made the change it is once change_lock is
 * free: QEMU's guest ejects the PCI device when it gets to it, and
 * DEVICE_DELETED follows the removal (hmfs_change()).  The check runs
 * again there, on the host's figures then: refused (memory plugged by a
 * qom-set since, which hotmem's guest cannot remove with it; hotmemfs
 * frozen), the device stays and the log says why.  dev_lock held, let go
 * meanwhile (change_lock is taken before it).
 */
static bool vmem_del_queued(struct hmfs_ctx *ctx)
{
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_DEL };
	char id[sizeof(ctx->devs->id)], err[512] = "";
	struct hmfs_dev *d;
	int ret;

	for (d = ctx->devs; d && !d->del_queued; d = d->next)
		;
	if (!d)
		return false;
	snprintf(id, sizeof(id), "%s", d->id);
	ch.dev.id = id;
	ch.dev.incarnation = d->incarnation; /* this object's request (del_request_owns()) */
	ctx->del_running = d->incarnation;
	pthread_mutex_unlock(&ctx->dev_lock);
	ret = hmfs_change(ctx, &ch, err, sizeof(err));
	pthread_mutex_lock(&ctx->dev_lock);
	/* refused: not tried again (else the thread would try it for ever) */
	del_queued_end(ctx, id, ch.dev.incarnation);
	/*
	 * Taken over by a device_del with "wait" (del_running cleared), the
	 * waiting one says how its removal went, whichever ran first: this
	 * one found the device still there (-EALREADY) or gone.  A device of
	 * the same id added since is another, never taken (-ENODEV): said.
	 */
	d = dev_find(ctx, id);
	if (ret && (ctx->del_running == ch.dev.incarnation ||
		    (d && d->incarnation != ch.dev.incarnation)))
		fprintf(stderr, "hotmemfs: %s: the queued device_del: %s\n", id,
			err[0] ? err : strerror(-ret));
	ctx->del_running = 0;
	return true;
}

static int qemu_journal(struct hmfs_ctx *ctx, const struct hmfs_dev *d, bool del,
			struct hmfs_save *sv);

/*
 * A queued probe that failed (refused by the guest, or stopped: hotmemfs
 * froze first) changed nothing a change's record says, but the state
 * file's device still says "queued": its end journaled, so that a restart
 * does not probe again a device the guest refused.  Not when no journal
 * takes it (frozen: the file is the way back).  dev_lock held, let go
 * for the sync.
 */
static void probe_end_journal(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	struct hmfs_save sv = { 0 };
	int ret = qemu_journal(ctx, d, false, &sv);

	if (ret == -EAGAIN)
		return;
	pthread_mutex_unlock(&ctx->dev_lock);
	if (!ret)
		ret = hmfs_state_sync(ctx, &sv);
	if (ret)
		fprintf(stderr, "hotmemfs: saving state to %s.journal (the queued probe's end): %s\n",
			ctx->state_path, strerror(-ret));
	pthread_mutex_lock(&ctx->dev_lock);
}

/*
 * The guest's probe of device @d, which QEMU's device_add listed behind a
 * guest's offline (hmfs_dev_add_request()), made the change it is once
 * change_lock is free: the virtio-mem driver probes the PCI device the
 * hotplug event announced (6.12 virtio_mem_probe()), then works toward
 * requested-size; a DIMM's device check runs on kacpi_hotplug_wq, where
 * acpi_device_hotplug() waits for device_hotplug_lock, and
 * acpi_memory_device_add() adds its memory (ACPI_DEVICE_OST after it:
 * hmfs_change()).  Refused (a virtio-mem region meeting memory, no memory
 * for the driver, hotmemfs frozen), the device stays QEMU's, listed,
 * unprobed, and the log says why, as the guest's dmesg would; not tried
 * again (a DIMM the guest refuses is its guest-refused, journaled with
 * the change).  A device_del since took the device and its probe
 * (hmfs_dev_probe_queued(): its incarnation); another thread that ran
 * the probe first leaves -ENODEV here, said nowhere
 * (hmfs_dev_probe_first()).  dev_lock held, let go meanwhile
 * (change_lock is taken before it).
 */
static void probe_queued_run(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	struct hmfs_change ch = { .op = HMFS_CH_DEVICE_ADD, .queued = true };
	char id[sizeof(ctx->devs->id)], err[512] = "";
	int ret;

	snprintf(id, sizeof(id), "%s", d->id);
	ch.dev.id = id;
	ch.dev.incarnation = d->incarnation;
	pthread_mutex_unlock(&ctx->dev_lock);
	ret = hmfs_change(ctx, &ch, err, sizeof(err));
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->incarnation == ch.dev.incarnation && d->probe_queued) {
		/*
		 * refused before the probe ran (hotmemfs frozen): dropped, not
		 * tried again, as a queued device_del; the guest never saw it,
		 * so "stopped", not "refused" (json.c)
		 */
		d->probe_queued = false;
		d->probe_stopped = true;
	}
	if (ret && ret != -ENODEV)
		fprintf(stderr, "hotmemfs: %s: the queued device_add's probe: %s\n", id,
			err[0] ? err : strerror(-ret));
	if (ret && d && d->incarnation == ch.dev.incarnation && hmfs_dev_unprobed(d))
		probe_end_journal(ctx, d);
}

/* the timers' thread: the first device whose probe is queued, run (dev_lock held) */
static bool vmem_probe_queued(struct hmfs_ctx *ctx)
{
	struct hmfs_dev *d;

	for (d = ctx->devs; d && !d->probe_queued; d = d->next)
		;
	if (!d)
		return false;
	probe_queued_run(ctx, d);
	return true;
}

/* the device objects made so far: a request's place among the devices' adds */
uint64_t hmfs_dev_made(struct hmfs_ctx *ctx)
{
	return __atomic_load_n(&ctx->dev_incarnations, __ATOMIC_ACQUIRE);
}

/* the first DIMM whose add is queued and was made by @made (dev_lock held) */
static struct hmfs_dev *dimm_probe_queued_by(struct hmfs_ctx *ctx, uint64_t made)
{
	struct hmfs_dev *d;

	for (d = ctx->devs; d; d = d->next)
		if (d->type == HMFS_PC_DIMM && d->probe_queued && d->incarnation <= made)
			return d;
	return NULL;
}

/*
 * The guest's ACPI hotplug work is one ordered queue (6.12
 * kacpi_hotplug_wq, drivers/acpi/osl.c): the eject request a device_del
 * of a DIMM raises runs after every device check QEMU raised before it
 * -- the DIMM's own and any other DIMM's -- each add behind
 * device_hotplug_lock.  The eject of DIMM @id (acpi.c) and a device_del
 * of it that waits (ctl.c) run, here, every DIMM add queued when the
 * request came (@made: hmfs_dev_made() then; the list is in incarnation
 * order), rather than race the timers' thread for change_lock: whichever
 * runs one, the other finds it run (hmfs_dev_probe_queued()).  Each run
 * takes its device's probe_queued away (probe_queued_run()) and no device
 * made by @made is made again, so the loop ends (reread29 R8).
 */
void hmfs_dev_probe_first(struct hmfs_ctx *ctx, const char *id, uint64_t made)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_PC_DIMM)
		while ((d = dimm_probe_queued_by(ctx, made)))
			probe_queued_run(ctx, d);
	pthread_mutex_unlock(&ctx->dev_lock);
}

static void *vmem_timer_main(void *arg)
{
	struct hmfs_ctx *ctx = arg;
	struct timespec at;

	/* named for ps -L and gdb (and a test's shim: tests/fusefs/251) */
	pthread_setname_np(pthread_self(), "hotmemfs-vmem");
	pthread_mutex_lock(&ctx->dev_lock);
	while (!ctx->vmem_timer_stop) {
		if (vmem_resize_queued(ctx) || vmem_del_queued(ctx) || vmem_probe_queued(ctx))
			continue;
		if (vmem_probe_work_take(ctx)) {
			vmem_timer_run_unlocked(ctx);
			continue;
		}
		if (!vmem_timer_next(ctx, &at)) {
			pthread_cond_wait(&ctx->vmem_timer_cond, &ctx->dev_lock);
			continue;
		}
		if (!hmfs_deadline_passed(&at)) {
			pthread_cond_timedwait(&ctx->vmem_timer_cond, &ctx->dev_lock, &at);
			continue;
		}
		if (vmem_timer_expire(ctx, NULL, false) > 0)
			vmem_timer_run_unlocked(ctx);
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return NULL;
}

int hmfs_dev_timer_fire(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	int n, ret;

	pthread_mutex_lock(&ctx->dev_lock);
	n = vmem_timer_expire(ctx, id, true);
	pthread_mutex_unlock(&ctx->dev_lock);
	if (n == -ENOENT)
		snprintf(err, errlen, "'%s' is no virtio-mem device", id);
	if (n <= 0)
		return n;
	ret = vmem_timer_run(ctx, err, errlen);
	return ret ? ret : 1;
}

const char *hmfs_vmem_resp_name(int resp)
{
	/* HM_VIRTIO_MEM_RESP_* are QEMU's numbers, in this order */
	static const char *const names[] = { "ACK", "NACK", "BUSY", "ERROR" };

	return resp >= 0 && resp < (int)(sizeof(names) / sizeof(*names)) ? names[resp] : NULL;
}

int hmfs_dev_vmem_inject(struct hmfs_ctx *ctx, const char *id, bool plug, int resp,
			 unsigned int count, char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret = -ENOENT;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && d->vm)
		ret = hotmem_virtio_mem_inject_response(d->vm, plug, resp, count);
	pthread_mutex_unlock(&ctx->dev_lock);
	if (ret == -ENOENT)
		snprintf(err, errlen, "'%s' is no virtio-mem device", id);
	return ret;
}

/*
 * Armed, or fired with its run not taken yet, or the work queued to run
 * at once (probe_work: a run a config change stopped, which goes on); or
 * the driver marked the device broken short of its requested-size: a
 * restart probes the driver anew (broken is not saved), and the new
 * driver works toward it -- the timer stands in for the work its probe
 * queues, and an undo to such a machine arms it again.
 */
bool hmfs_dev_timer_saved(const struct hmfs_dev *d)
{
	struct hm_virtio_mem_info vi;

	if (d->retry_armed || d->retry_fired || d->probe_work)
		return true;
	return d->type == HMFS_VIRTIO_MEM && d->vm && !hotmem_virtio_mem_info(d->vm, &vi) &&
	       vi.broken && vi.plugged_size != vi.requested_size;
}

/*
 * Only a timer the saved guest had: 6.12 arms it on -EBUSY/-ENOMEM/-ETXTBSY
 * alone, so a device left short by a run that ended 0 (unplug_online=0)
 * or -ENOSPC has none after kill -9 either (review14 R4).  Its time left
 * is not saved: it starts again at its period (one still armed keeps
 * its time).  Also an undo's (machine.c devices_back()): a timer the
 * undone run disarmed or armed is as the machine before had it.
 */
void hmfs_dev_timer_restored(struct hmfs_ctx *ctx, const char *id, int armed)
{
	struct hm_virtio_mem_info vi;
	struct hmfs_dev *d;
	bool vmem;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	vmem = d && d->type == HMFS_VIRTIO_MEM && d->vm;
	/* the probe's first run read the config (its sizes said), though no block came back */
	if (vmem)
		hotmem_virtio_mem_config_read(d->vm);
	if (vmem && !hotmem_virtio_mem_info(d->vm, &vi) &&
	    (armed > 0 || (armed < 0 && vi.plugged_size != vi.requested_size))) {
		if (!d->retry_armed && !d->retry_fired)
			vmem_timer_start(ctx, d);
	} else if (d && !armed) {
		d->retry_armed = d->retry_fired = false;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

/*
 * A restored @d whose work a running 6.12 kernel would have pending: a
 * kill -9 between a block's record and the record of the driver's run
 * after it (machine.c hmfs_change(): driver_retry() appends second) kept
 * the block's change and lost the run, and the restore queues no work
 * (hmfs_dev_forget_work()).  Short with at most half its
 * offline_threshold offline cannot be a state the kernel rests in: the
 * MEM_ONLINE that brought it there queued the work
 * (virtio_mem_could_add_memory(vm, offline_threshold / 2)), which plugs
 * to the threshold or the requested-size; above it with unplug_online
 * on neither (a shrink that failed armed the timer) -- reread26 R2
 */
static bool vmem_work_lost(struct hmfs_ctx *ctx, const struct hmfs_dev *d)
{
	struct hm_virtio_mem_info vi;

	if (hotmem_virtio_mem_info(d->vm, &vi) || vi.broken)
		return false;
	if (vi.plugged_size < vi.requested_size)
		return vi.offline_size + vi.offline_threshold / 2 <= vi.offline_threshold;
	return vi.plugged_size > vi.requested_size &&
	       hotmem_get_virtio_mem_unplug_online(ctx->hm);
}

/*
 * Does the probe's run of a restored @d do what a running 6.12 kernel's
 * driver would?  A device whose timer the restore armed (the saved guest's
 * was, or its driver was broken short: hmfs_dev_timer_restored()) is one
 * whose work the kernel has pending -- but from a file before
 * "plugged-blocks" (@blocks_saved false), whose restore ran the driver
 * already (state.c hmfs_state_restore_device()): its timer is that run's.
 * One without a timer, if a kill -9 lost its work (vmem_work_lost()).
 * The others are at their requested size, or rest where the running
 * kernel's driver rests, with no work pending and no timer -- above it
 * with unplug_online=N, or short with more than half its
 * offline_threshold offline (-ENOSPC; until an online of its own) --
 * where a run's one trace would be the engine's tick of the kernel's
 * allocations.
 */
static bool restore_work_due(struct hmfs_ctx *ctx, const struct hmfs_dev *d, bool blocks_saved)
{
	if (d->retry_armed || d->retry_fired)
		return blocks_saved;
	return vmem_work_lost(ctx, d);
}

/*
 * A restart is the guest driver's probe again (the engine's driver is
 * made anew: hmfs_dev_add()), and 6.12's virtio_mem_probe() ends with
 * queue_work() of its vm->wq (config_changed set): virtio_mem_run_wq()
 * runs at once, toward the requested-size.  Decided at the restore's end,
 * once the device's blocks are back in their saved states (their
 * MEM_ONLINE work forgotten: hmfs_dev_forget_work()), from what the
 * machine and the file say (restore_work_due()); queued for the timers'
 * thread (probe_work), which runs it as the change it is
 * (HMFS_CH_DRIVER_RETRY: journaled) once hotmemfs runs, and how it ends
 * sets the timer, as any run's end (vmem_timer_after_run()).  Before
 * 1260e1ba a restored device short of its requested-size (or above it)
 * waited for the retry timer's 50 s, or never plugged without one.  A
 * state file's restore only: an undo's device is put back as it was, its
 * timer too.
 */
void hmfs_dev_restore_work(struct hmfs_ctx *ctx, const char *id, bool blocks_saved)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && d->vm && restore_work_due(ctx, d, blocks_saved)) {
		d->probe_work = true;
		if (ctx->vmem_timer_started)
			pthread_cond_broadcast(&ctx->vmem_timer_cond);
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

/*
 * The timers' thread, started once with the notifier's (prepare()): a
 * timer a restore armed meanwhile is found by its first look.  Under
 * dev_lock, so that no arm between the start and the flag goes unheard.
 */
int hmfs_dev_timer_start(struct hmfs_ctx *ctx)
{
	pthread_condattr_t ca;
	int ret;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_lock(&ctx->dev_lock);
	pthread_cond_init(&ctx->vmem_timer_cond, &ca);
	ret = pthread_create(&ctx->vmem_timer, NULL, vmem_timer_main, ctx);
	ctx->vmem_timer_started = !ret;
	if (ret)
		pthread_cond_destroy(&ctx->vmem_timer_cond);
	pthread_mutex_unlock(&ctx->dev_lock);
	pthread_condattr_destroy(&ca);
	if (ret)
		fprintf(stderr, "hotmemfs: the virtio-mem drivers' retry timer thread cannot start: %s\n",
			strerror(ret));
	return -ret;
}

void hmfs_dev_timer_stop(struct hmfs_ctx *ctx)
{
	bool started;

	pthread_mutex_lock(&ctx->dev_lock);
	ctx->vmem_timer_stop = true;
	started = ctx->vmem_timer_started;
	ctx->vmem_timer_started = false;
	if (started)
		pthread_cond_broadcast(&ctx->vmem_timer_cond);
	pthread_mutex_unlock(&ctx->dev_lock);
	if (!started)
		return;
	pthread_join(ctx->vmem_timer, NULL);
	pthread_cond_destroy(&ctx->vmem_timer_cond);
}

/* @fn on device @id's device blocks [first, first + count); @what for the error */
static int vmem_blocks(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
		       int (*fn)(struct hotmem_virtio_mem *vm, uint64_t first, uint64_t count),
		       const char *what, char *err, size_t errlen)
{
	uint64_t before, after;
	struct hmfs_dev *d;
	int ret;

	pthread_mutex_lock(&ctx->dev_lock);
	ret = vmem_find(ctx, id, &d, err, errlen);
	if (ret) {
		pthread_mutex_unlock(&ctx->dev_lock);
		return ret;
	}
	before = vmem_plugged(d);
	ret = fn(d->vm, first, count);
	after = vmem_plugged(d);
	/*
	 * a restore's or an undo's plugging: what it added linked at once --
	 * the run's memory blocks only: called once a run (state.c
	 * plugged_as(), machine.c plugged_back()), the whole device each time
	 * was a nodelink look-up for every block of it a run, O(runs x
	 * blocks) for a fragmented device (reread18-fusefs2 F7)
	 */
	if (fn == hotmem_virtio_mem_restore_plugged)
		links_now(ctx, d->addr + first * d->block_size, count * d->block_size);
	if (ret)
		snprintf(err, errlen, "%s: %s device blocks %llu+%llu: %s", id, what,
			 (unsigned long long)first, (unsigned long long)count, strerror(-ret));
	pthread_mutex_unlock(&ctx->dev_lock);
	/* an undo's (machine.c plugged_back()): followers told the size it undid hear it went back */
	if (after != before)
		hmfs_emit_size_change(ctx, id, after);
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
	return vmem_blocks(ctx, id, first, count, hotmem_virtio_mem_restore_plugged, "plugging",
			   err, errlen);
}

int hmfs_dev_unplug_exact(struct hmfs_ctx *ctx, const char *id, uint64_t first, uint64_t count,
			  char *err, size_t errlen)
{
	return vmem_blocks(ctx, id, first, count, hotmem_virtio_mem_unplug_exact, "unplugging",
			   err, errlen);
}

/*
 * Memory blocks [first, end) a saved machine had that are not there once
 * its devices are back: in a virtio-mem device's region, such a block is
 * one its driver had unplugged all of but could not remove yet (its
 * removal refused: virtio_mem_cleanup_pending_mb() removes it later),
 * which nothing plugged brings back.  Each is added again as such
 * (hotmem_virtio_mem_restore_leftover()), offline, for the caller to put
 * in its saved state.  Walks the devices' regions only, never the count
 * of a run (a file's count is no loop bound); a block no device takes
 * stays missing.
 */
void hmfs_dev_restore_leftovers(struct hmfs_ctx *ctx, uint64_t first, uint64_t end)
{
	struct hm_block_info bi;

	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		uint64_t from = d->addr / ctx->block_size;
		uint64_t to = (d->addr + d->size + ctx->block_size - 1) / ctx->block_size;

		if (d->type != HMFS_VIRTIO_MEM || !d->vm)
			continue;
		for (uint64_t id = from > first ? from : first; id < to && id < end; id++) {
			int ret;

			if (!hotmem_block_info(ctx->hm, (unsigned long)id, &bi))
				continue;
			ret = hotmem_virtio_mem_restore_leftover(d->vm, (unsigned long)id);
			hmfs_nodelink_now(ctx, (unsigned long)id, (unsigned long)id + 1);
			if (ret && ret != -EINVAL)
				fprintf(stderr, "hotmemfs: restore: memory%llu, %s's block with nothing plugged: %s\n",
					(unsigned long long)id, d->id, strerror(-ret));
		}
	}
	pthread_mutex_unlock(&ctx->dev_lock);
}

/*
 * The work the drivers' notifiers queued while the machine was put back
 * as saved (a restore's or an undo's onlines: MEM_ONLINE below half
 * offline_threshold) dropped: the saved machine had none pending, and a
 * flag left set would run a busy shrink's unplug at the next offline of
 * the device's block even with unplug_online on (retry_due()).  Only
 * there: a change's own onlines queue work that its driver retry runs
 * (retry_due()) or, for a device at its requested size, that its next run
 * clears, the same work; dropping all after every change would walk every
 * device each time, and a restore (no change) and the undo of a failed
 * sync (rollback(), after hmfs_change() let go of change_lock) would still
 * need their own drop (tests/reliability/state-driver-undo-work.t,
 * 52-virtio-mem-unplug-online.t).
 */
void hmfs_dev_forget_work(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next)
		if (d->type == HMFS_VIRTIO_MEM && d->vm)
			hotmem_virtio_mem_forget_work(d->vm);
	pthread_mutex_unlock(&ctx->dev_lock);
}

/*
 * device_del of a pc-dimm: the guest's ACPI eject (offline each block,
 * twice; on failure back online and nothing removed), its _OST as 6.12's
 * acpi_device_hotplug() evaluates it (drivers/acpi/scan.c) and QEMU sends
 * each as ACPI_DEVICE_OST: "eject in progress" (0x84, source
 * ACPI_NOTIFY_EJECT_REQUEST, acpi_generic_hotplug_event()) before any
 * block goes offline, and a refusal's status (0x82 device busy ...,
 * source @source) after the rollback's uevents.  A success's _OST
 * follows _EJ0, which takes the DIMM away: hmfs_change() sends it once
 * the removal is durable (hmfs_acpi_eject_end()).  @source 0: no _OST
 * (an undo's or a restore's own removal: no guest asked).
 */
static int dimm_eject_run(struct hmfs_ctx *ctx, struct hmfs_dev *d,
			  const struct hotmem_task *task, int source,
			  struct hm_eject_block *report)
{
	struct eject_deadline end;
	const struct hotmem_task deadline = deadline_arm(&end, &ctx->stopping, eject_over);
	int ret;

	if (source)
		hmfs_acpi_ost(ctx, d->slot, d->id, HM_ACPI_NOTIFY_EJECT_REQUEST,
			      HM_ACPI_OST_SC_EJECT_IN_PROGRESS);
	/*
	 * a DIMM the guest refused: no handler, no physical node, so
	 * acpi_scan_hot_remove() has nothing to offline and no memory to
	 * remove (acpi_bus_trim() calls no handler's detach): straight to _EJ0;
	 * so one whose add never ran (hotmemfs froze first: probe_stopped)
	 */
	ret = d->guest_refused || hmfs_dev_unprobed(d) ? 0 :
		hotmem_acpi_eject_memory(ctx->hm, d->addr, d->size, task ? task : &deadline, report);
	if (ret && source)
		hmfs_acpi_ost(ctx, d->slot, d->id, source, hotmem_acpi_ost_status(ret));
	return ret;
}

/*
 * The eject in a thread named "hotmemfs-eject" while it runs: 6.12 runs
 * it in a kworker of kacpi_hotplug_wq (acpi_device_hotplug()), and
 * `top -H`, a debugger or a test's preload shim tell it by the name, as
 * machine.c driver_apply()'s hotmemfs-driver (tests/reliability/
 * thread_clock.c keeps its 40 s bound from passing: tests/fusefs/332).
 * The thread's own name back after; the main thread (a restore's eject)
 * keeps its name, the process's (thread_name.h).
 */
static int dimm_eject(struct hmfs_ctx *ctx, struct hmfs_dev *d, const struct hotmem_task *task,
		      int source, struct hm_eject_block *report)
{
	struct hmfs_thread_name name;
	int ret;

	hmfs_thread_name_take(&name, "hotmemfs-eject");
	ret = dimm_eject_run(ctx, d, task, source, report);
	hmfs_thread_name_back(&name);
	return ret;
}

/*
 * a block the rollback onlined again into another zone than before,
 * @before to @after, with online type @type (an MMOP_*)
 */
static bool rollback_moved(const struct hm_eject_block *b, int before, int after, int type)
{
	return b->onlined_again && b->zone_before == before && b->zone_after == after &&
	       b->online_type == type;
}

/*
 * "memory33-39" or "memory32,34-39": the blocks of @rep the rollback moved
 * from @before to @after.  A list longer than @len (a big DIMM whose
 * blocks alternate between zones) ends ",..." after the last whole run
 * that fits, never inside a number (review13 N3).
 */
static size_t rollback_list(const struct hm_eject_block *rep, unsigned long nr, int before,
			    int after, int type, char *buf, size_t len)
{
	static const char more[] = ",...";
	size_t n = 0;
	unsigned long i = 0, j;

	if (len)
		buf[0] = '\0';
	while (i < nr) {
		char run[64];
		int r;

		if (!rollback_moved(&rep[i], before, after, type)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < nr && rollback_moved(&rep[j + 1], before, after, type) &&
			    rep[j + 1].id == rep[j].id + 1;
		     j++)
			;
		r = j > i ? snprintf(run, sizeof(run), "%s%lu-%lu", n ? "," : "memory", rep[i].id,
				     rep[j].id)
			  : snprintf(run, sizeof(run), "%s%lu", n ? "," : "memory", rep[i].id);
		for (i = j + 1; i < nr && !rollback_moved(&rep[i], before, after, type); i++)
			;
		/* room for this run, and for ",..." after it unless it is the last */
		if (n + (size_t)r + (i < nr ? sizeof(more) - 1 : 0) >= len) {
			if (n && n + sizeof(more) - 1 < len)
				n += (size_t)snprintf(buf + n, len - n, "%s", more);
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s", run);
	}
	return n;
}

/* some block of @rep the rollback moved from @before to @after with @type */
static bool rollback_pair(const struct hm_eject_block *rep, unsigned long nr, int before, int after,
			  int type)
{
	for (unsigned long i = 0; before != after && i < nr; i++)
		if (rollback_moved(&rep[i], before, after, type))
			return true;
	return false;
}

/* @n written into a buffer of @len, at most its last byte (the NUL) */
static size_t upto(size_t n, size_t len)
{
	return n < len ? n : len - 1;
}

/* a refused eject's reply, with what its rollback moved: as it was before replies grew to 4 KiB */
#define ROLLBACK_SAY_MAX 512
#define ROLLBACK_PART " back online (MMOP_ONLINE): now %s, were %s"
/*
 * a block a refused state write had left another online type in (6.12's
 * state_store() sets it before device_online() refuses an online block,
 * usereye10 U9): that type, not MMOP_ONLINE, brought it back
 */
#define ROLLBACK_PART_STALE                                                                        \
	" back online as %s, left by a refused `echo %s > state` (6.12 state_store()): now %s, were %s"
#define ROLLBACK_HINT                                                                              \
	" -- the kernel allocates there at once, so the DIMM may stay until reboot; online_policy=auto-movable, or offlining its blocks before device_del, keeps them Movable"
/*
 * the same under auto-movable, which chose the kernel zone (abuse31 W3):
 * 6.12's auto_movable_can_online_movable() keeps a DIMM's (static
 * group's) blocks in the kernel zone once one of them is there, else the
 * ratio had no room
 */
#define ROLLBACK_HINT_AUTO_MOVABLE                                                                 \
	" -- the kernel allocates there at once, so the DIMM may stay until reboot; auto-movable chose the kernel zone (a DIMM with a block there stays there, else auto_movable_ratio had no room): offlining its blocks before device_del keeps them Movable"

/* one pair's words after its list, into @buf's @len (snprintf()'s count) */
static int rollback_part(char *buf, size_t len, int type, int before, int after)
{
	const char *t = hotmem_online_type_name(type);

	if (type == HM_MMOP_ONLINE)
		return snprintf(buf, len, ROLLBACK_PART, hotmem_zone_name(after),
				hotmem_zone_name(before));
	return snprintf(buf, len, ROLLBACK_PART_STALE, t, t, hotmem_zone_name(after),
			hotmem_zone_name(before));
}

/*
 * What a refused eject's rollback did to the zones: acpi_bus_online()
 * onlines with MMOP_ONLINE (6.12), and under contig-zones a Movable
 * DIMM's blocks land in ZONE_NORMAL once ZONE_MOVABLE's span has shrunk
 * away; the kernel allocates there at once and the DIMM can no longer be
 * unplugged (usereye3 #23).  "; memory33-39 back online (MMOP_ONLINE): now
 * Normal, were Movable", one part per pair of zones and online type (a
 * block a refused state write left online_movable in comes back Movable,
 * said so: usereye10 U9), then how to keep
 * them Movable when some block left ZONE_MOVABLE; nothing when every
 * block came back in its zone.  Into @buf's @len: the lists share what
 * the words leave and end ",..." where they must (rollback_list()), so
 * that no pair of zones nor the advice is cut off (a second pair was,
 * after a long first list).
 */
static void rollback_say(const struct hm_eject_block *rep, unsigned long nr, bool auto_movable,
			 char *buf, size_t len)
{
	const char *hint = auto_movable ? ROLLBACK_HINT_AUTO_MOVABLE : ROLLBACK_HINT;
	size_t words = 0, n = 0, share;
	bool left_movable = false;
	unsigned int pairs = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int type = HM_MMOP_ONLINE; type <= HM_MMOP_ONLINE_MOVABLE; type++)
		for (int before = 0; before < HM_MAX_NR_ZONES; before++)
			for (int after = 0; after < HM_MAX_NR_ZONES; after++) {
				if (!rollback_pair(rep, nr, before, after, type))
					continue;
				pairs++;
				words += 2 + (size_t)rollback_part(NULL, 0, type, before, after);
				left_movable |= before == HM_ZONE_MOVABLE;
			}
	if (!pairs)
		return;
	words += left_movable ? strlen(hint) : 0;
	share = words < len ? (len - words) / pairs : 0;
	for (int type = HM_MMOP_ONLINE; type <= HM_MMOP_ONLINE_MOVABLE; type++)
		for (int before = 0; before < HM_MAX_NR_ZONES; before++)
			for (int after = 0; after < HM_MAX_NR_ZONES; after++) {
				if (!rollback_pair(rep, nr, before, after, type))
					continue;
				n = upto(n + (size_t)snprintf(buf + n, len - n, "; "), len);
				n = upto(n + rollback_list(rep, nr, before, after, type, buf + n,
							   share + 1 < len - n ? share + 1 : len - n),
					 len);
				n = upto(n + (size_t)rollback_part(buf + n, len - n, type, before,
								   after),
					 len);
			}
	if (left_movable && n + 1 < len)
		snprintf(buf + n, len - n, "%s", hint);
}

static int dimm_del(struct hmfs_ctx *ctx, struct hmfs_dev *d, const struct hotmem_task *task,
		    int source, char *err, size_t errlen)
{
	const unsigned long nr = d->size / ctx->block_size;
	struct hm_eject_block *report = calloc(nr, sizeof(*report));
	int ret = dimm_eject(ctx, d, task, source, report);
	int n;

	if (ret) {
		n = snprintf(err, errlen,
			     "%s: the guest refused the unplug (ACPI eject: %s, _OST status %#x); nothing removed; `hotmemctl dmesg` says why",
			     d->id, strerror(-ret), hotmem_acpi_ost_status(ret));
		/*
		 * what the rollback moved, in the room the reply has left: at
		 * most ROLLBACK_SAY_MAX in all, a line a person reads (a list
		 * of a big DIMM's blocks ends ",...": hotmemctl dmesg has them)
		 */
		if (report && n > 0 && (size_t)n < errlen && (size_t)n < ROLLBACK_SAY_MAX)
			rollback_say(report, nr,
				     hotmem_get_online_policy(ctx->hm) == HM_ONLINE_POLICY_AUTO_MOVABLE,
				     err + n,
				     (errlen < ROLLBACK_SAY_MAX ? errlen : ROLLBACK_SAY_MAX) - (size_t)n);
		free(report);
		return ret;
	}
	free(report);
	if (d->group >= 0)
		hotmem_unregister_memory_group(ctx->hm, d->group);
	hmfs_acpi_slot_unplug(ctx, d->slot);
	return 0;
}

/*
 * Why a virtio-mem device's plugged memory holds its device_del (@requested:
 * the requested-size its check saw): with requested-size 0 asked already,
 * the host's `set-size 0` would change nothing -- what holds the rest is
 * the guest's (usereye10 U6): the block whose pages its driver could not
 * take, as set-size's own line says (hotmemctl.c print_unplug_short()),
 * online memory under virtio_mem.unplug_online=0, or a driver that has
 * not run since; its retry timer, at once with vmem-retry.  A bit each in
 * struct hmfs_dev's del_refused_said.
 */
enum vmem_del_why {
	VMEM_DEL_REQUESTED = 1 << 0,	 /* requested-size not 0 yet */
	VMEM_DEL_BROKEN = 1 << 1,	 /* the guest's driver broke */
	VMEM_DEL_UNPLUG_ONLINE = 1 << 2, /* online memory, virtio_mem.unplug_online=0 */
	VMEM_DEL_NOMEM = 1 << 3,	 /* a block's pages have nowhere to migrate */
	VMEM_DEL_BUSY = 1 << 4,		 /* a block's pages could not be taken */
	VMEM_DEL_NOT_RUN = 1 << 5,	 /* the driver has not unplugged the rest yet */
};

static enum vmem_del_why vmem_del_why(struct hmfs_ctx *ctx, const struct hm_virtio_mem_info *vi,
				      uint64_t requested)
{
	if (requested)
		return VMEM_DEL_REQUESTED;
	if (vi->broken)
		return VMEM_DEL_BROKEN;
	if (!hotmem_get_virtio_mem_unplug_online(ctx->hm))
		return VMEM_DEL_UNPLUG_ONLINE;
	if (vi->busy_pfn != ~0UL && vi->busy_err == -ENOMEM)
		return VMEM_DEL_NOMEM;
	if (vi->busy_pfn != ~0UL)
		return VMEM_DEL_BUSY;
	return VMEM_DEL_NOT_RUN;
}

/* what to do about it (vmem_del_why()'s @why), into @buf */
static void vmem_del_hint(struct hmfs_ctx *ctx, const struct hmfs_dev *d,
			  const struct hm_virtio_mem_info *vi, enum vmem_del_why why, char *buf,
			  size_t len)
{
	unsigned long blk = (unsigned long)(((uint64_t)vi->busy_pfn << HM_PAGE_SHIFT) /
					    ctx->block_size);

	switch (why) {
	case VMEM_DEL_REQUESTED:
		snprintf(buf, len, "`hotmemctl set-size %s 0`, then device_del once its plugged-size is 0",
			 d->id);
		break;
	case VMEM_DEL_BROKEN:
		snprintf(buf, len, "requested-size is 0 already");
		break;
	case VMEM_DEL_UNPLUG_ONLINE:
		snprintf(buf, len, "requested-size is 0 already: the rest is online, and virtio_mem.unplug_online=0 unplugs offline memory only (offline its blocks), then device_del once its plugged-size is 0");
		break;
	case VMEM_DEL_NOMEM:
		snprintf(buf, len, "requested-size is 0 already: memory%lu's pages have no free memory to migrate into (`hotmemctl explain %lu`: free memory first; `hotmemctl vmem-retry %s` retries now), then device_del once its plugged-size is 0",
			 blk, blk, d->id);
		break;
	case VMEM_DEL_BUSY:
		snprintf(buf, len, "requested-size is 0 already: memory%lu's pages could not be taken (`hotmemctl explain %lu` says what is in the way; `hotmemctl vmem-retry %s` retries now), then device_del once its plugged-size is 0",
			 blk, blk, d->id);
		break;
	case VMEM_DEL_NOT_RUN:
		snprintf(buf, len, "requested-size is 0 already: the guest's driver has not unplugged the rest yet (`hotmemctl vmem-retry %s` retries now), then device_del once its plugged-size is 0",
			 d->id);
		break;
	}
}

/*
 * hotmemfs's log line of a refusal for plugged memory: once a device and
 * reason (vmem_del_why()), as 51abdfcf made the engine's "device still
 * has system memory added": a client that retries device_del until it
 * passes would add the same line each time.  Once an episode: vmem_set()
 * clears the bits when requested-size changes (reread29 R7)
 */
static void vmem_del_say(struct hmfs_ctx *ctx, struct hmfs_dev *d,
			 const struct hm_virtio_mem_info *vi, uint64_t requested)
{
	enum vmem_del_why why = vmem_del_why(ctx, vi, requested);
	char hint[400];

	if (d->del_refused_said & why)
		return;
	d->del_refused_said |= why;
	vmem_del_hint(ctx, d, vi, why, hint, sizeof(hint));
	fprintf(stderr,
		"hotmemfs: %s: device_del refused: plugged-size 0x%llx, requested-size 0x%llx%s: %s\n",
		d->id, (unsigned long long)vi->plugged_size, (unsigned long long)requested,
		vi->broken ? "; the guest driver marked the device broken and unplugs nothing: a restart of hotmemfs probes it anew" : "", hint);
}

/*
 * device_del of a virtio-mem device: QEMU refuses it while memory is
 * plugged or requested (virtio_mem_unplug_request_check()): the host
 * first sets requested-size 0 and waits for plugged-size 0.  @requested:
 * the requested-size the check sees.  -EBUSY with @err, or 0.  @err is
 * QEMU 9.2's desc word for word (a client matches it, abuse27 F7);
 * hotmem's figures and next step go to hotmemfs's log (dev_lock held).
 */
static int vmem_del_check(struct hmfs_ctx *ctx, struct hmfs_dev *d, uint64_t requested,
			  char *err, size_t errlen)
{
	struct hm_virtio_mem_info vi = { 0 };

	/* not probed by the guest (hmfs_dev_add_request()): nothing plugged */
	if (d->vm)
		hotmem_virtio_mem_info(d->vm, &vi);
	if (vi.plugged_size) {
		vmem_del_say(ctx, d, &vi, requested);
		snprintf(err, errlen,
			 "virtio-mem device cannot get unplugged while some of its memory is still plugged");
		return -EBUSY;
	}
	if (requested) {
		snprintf(err, errlen,
			 "virtio-mem device cannot get unplugged while 'requested-size' != '0'");
		return -EBUSY;
	}
	return 0;
}

/*
 * QEMU's check answers a device_del of a virtio-mem device at once, on
 * the host, whatever its guest is doing: behind a guest's offline that
 * loops (change_lock held) hotmemfs's used to wait for the offline to
 * end before it refused (usereye10 U5's rest).  The check reads what
 * never waits: the device list (dev_lock, short holders only: an eject
 * leaves it while it offlines) and the driver's published sizes
 * (hotmem_virtio_mem_info()); requested-size is the host's, a qom-set
 * queued behind the offline included, as QEMU's check sees it.  A
 * refusal here changed nothing; 0 lets the device_del run as a change
 * (a DIMM's, an unknown id's, one the check lets through).
 */
int hmfs_dev_del_refused(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret = 0;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM)
		ret = vmem_del_check(ctx, d, hmfs_dev_host_requested(d), err, errlen);
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/* a journaled removal of QEMU's device alone (hmfs_dev_del_unprobed()): undone by listing it again */
struct qemu_del_save {
	struct hmfs_save sv; /* first: its undo gets it */
	json_object *dev; /* as the state file had it */
};

/* its record's sync failed (state.c rollback(), change_lock held): the device back, unprobed */
static int qemu_del_undo(struct hmfs_ctx *ctx, struct hmfs_save *sv, int sret)
{
	struct qemu_del_save *q = (struct qemu_del_save *)sv;
	char err[512];
	int ret;

	(void)sret;
	ret = hmfs_state_restore_device(ctx, q->dev, err, sizeof(err));
	if (ret)
		fprintf(stderr, "hotmemfs: undoing a device_del: %s\n", err);
	return ret;
}

/*
 * QEMU's check, then device @d (dev_lock held, the guest's driver never
 * bound: @d->vm NULL) unlinked, its removal journaled first with a state
 * file (qemu_journal(): its record before any later one about the id);
 * -EAGAIN: no journal to append to now (the change's way).
 */
static int qemu_del(struct hmfs_ctx *ctx, struct hmfs_dev *d, struct qemu_del_save *q, char *err,
		    size_t errlen)
{
	int ret = vmem_del_check(ctx, d, hmfs_dev_host_requested(d), err, errlen);

	if (ret)
		return ret;
	ret = qemu_journal(ctx, d, true, &q->sv);
	if (ret) {
		if (ret != -EAGAIN)
			snprintf(err, errlen, "saving state to %s.journal: %s", ctx->state_path,
				 strerror(-ret));
		return ret;
	}
	q->dev = hmfs_dev_json(d, HMFS_VIEW_STATE);
	dev_unlink(ctx, d);
	dev_free(d);
	return 0;
}

/*
 * device_del of a virtio-mem device the guest's driver has not probed
 * (its device_add answered behind a guest's offline, its probe queued or
 * refused): no driver is bound, so the guest's PCI eject has nothing to
 * take (6.12: no virtio_mem_remove()) and waits for no memory offline --
 * the device goes at once, under dev_lock, with its queued probe (its
 * incarnation), and DEVICE_DELETED follows (QEMU 9.2: the proxy's and
 * its virtio-backend's, hmfs_emit_virtio_device_deleted()) once its
 * removal is durable ("qemu-device-del", with a state file).  It waited
 * for the offline, queued as a change (reread23a R11).  0: gone; -EAGAIN:
 * no such device (probed, another model, none, a request pending, no
 * journal now): the caller's way; else QEMU's refusal in @err.
 */
int hmfs_dev_del_unprobed(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	struct qemu_del_save q = { .sv.undo = qemu_del_undo };
	char key[sizeof(((struct hmfs_dev *)0)->id)];
	struct hmfs_dev *d;
	int ret = -EAGAIN;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM && !d->vm && !d->del_queued && !d->del_waiters) {
		snprintf(key, sizeof(key), "%s", d->id);
		ret = qemu_del(ctx, d, &q, err, errlen);
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	if (ret)
		return hmfs_kept_record_settle(ctx, &q.sv, ret, err, errlen);
	dev_snap_refresh(ctx);
	ret = hmfs_state_sync(ctx, &q.sv);
	if (ret)
		snprintf(err, errlen, "saving state to %s.journal: %s (the device_del is undone)",
			 ctx->state_path, strerror(-ret));
	else
		hmfs_emit_virtio_device_deleted(ctx, key);
	json_object_put(q.dev);
	return ret;
}

/*
 * QEMU's device_del of a virtio-mem-pci device (qdev_unplug() ->
 * virtio_md_pci_unplug_request(), 9.2) makes its check and raises the
 * PCI hot-unplug request: {} at once, the guest's eject of the device
 * later, and DEVICE_DELETED as the device goes.  hotmemfs runs the
 * removal as a change before its reply while nothing holds change_lock
 * long (-EAGAIN here); behind a guest's offline that loops it waited for
 * that offline, which QEMU never does: then the removal is queued for the
 * timers' thread (vmem_del_queued()).  A second request while one is
 * queued is raised again, {} (since QEMU 8.0 acpi-pcihp's pending delete
 * expires after 1 ms).  Not queued in a frozen hotmemfs: the change's
 * refusal answers, as for every change then.  Not saved: a kill -9
 * before the removal loses the request, as it loses a DIMM's eject
 * request (acpi.c); the removal itself is journaled as any device_del.
 * A device the guest never probed goes at once (hmfs_dev_del_unprobed()).
 */
int hmfs_dev_del_request(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret = hmfs_dev_del_unprobed(ctx, id, err, errlen);

	if (ret != -EAGAIN)
		return ret;
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (!d || d->type != HMFS_VIRTIO_MEM)
		goto out;
	ret = vmem_del_check(ctx, d, hmfs_dev_host_requested(d), err, errlen);
	if (ret || d->del_queued || d->del_waiters) /* pending (queued, or waited for): raised again */
		goto out;
	if (!ctx->vmem_timer_started || __atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE) ||
	    !__atomic_load_n(&ctx->change_waits_guest, __ATOMIC_ACQUIRE)) {
		ret = -EAGAIN;
		goto out;
	}
	d->del_queued = true;
	pthread_cond_broadcast(&ctx->vmem_timer_cond);
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	if (!ret)
		dev_snap_refresh(ctx);
	return ret;
}

/*
 * Behind a guest's offline that loops (change_lock held, the engine's
 * device_hotplug_lock with it) QEMU's device_add of a virtio-mem-pci
 * device, or of a pc-dimm (abuse27 F10), waited for that offline: its
 * placement asked the engine's free ranges and the guest's probe (a
 * DIMM's acpi_memory_device_add(), on kacpi_hotplug_wq) needs
 * device_hotplug_lock.  QEMU's does
 * not wait for the guest (qdev_device_add(), 9.x): it realizes the device,
 * places it from its own device list within the device memory region
 * (memory_device_get_free_addr()), plugs it (the PCI hotplug event; a
 * DIMM's slot and the ACPI GPE) and returns {}; the guest's driver probes
 * later (a DIMM's ACPI add runs behind device_hotplug_lock).  So here: QEMU's checks and
 * place() in QEMU's view, the device listed at once (query-memory-devices,
 * plugged-size 0), and the probe queued for the timers' thread
 * (vmem_probe_queued()), as a queued device_del.  Only then: otherwise the
 * device_add runs as a change before its reply, as before (one path to
 * the guest's probe while nothing holds it long).  With a state file the
 * device QEMU realized is journaled before the reply, under journal_lock
 * alone (qemu_journal(): the offline holds change_lock), so that an
 * acknowledged device_add survives kill -9: a restart lists it, its probe
 * queued again unless a record says it ran.
 */
static bool add_may_queue(struct hmfs_ctx *ctx, const struct dev_model *m)
{
	/*
	 * Read without dev_lock, so that a device_add while no change holds
	 * the guest does not take it only to be told -EAGAIN: the model
	 * table is constant, and frozen and
	 * change_waits_guest are atomics written without dev_lock, which
	 * never ordered them.  vmem_timer_started is a plain flag written
	 * under dev_lock: the caller reads it under dev_lock.
	 */
	return m && !__atomic_load_n(&ctx->frozen, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&ctx->change_waits_guest, __ATOMIC_ACQUIRE);
}

/*
 * QEMU's side of device @d as the state file has it, journaled without
 * change_lock (state.c hmfs_state_append_qemu(): "qemu-device", or its
 * removal); dev_lock held, so that no later record about @d comes before
 * it.  @sv: hmfs_state_sync() makes it durable once dev_lock is let go.
 */
static int qemu_journal(struct hmfs_ctx *ctx, const struct hmfs_dev *d, bool del,
			struct hmfs_save *sv)
{
	json_object *o;
	int ret;

	if (del) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(d->id));
	} else {
		o = hmfs_dev_json(d, HMFS_VIEW_STATE);
	}
	ret = hmfs_state_append_qemu(ctx, sv, del ? "qemu-device-del" : "qemu-device", o);
	json_object_put(o);
	return ret;
}

/* QEMU's side of @d undone (qemu_realize()): unlisted, a DIMM's slot empty again (dev_lock held) */
static void qemu_unrealize(struct hmfs_ctx *ctx, struct hmfs_dev *d)
{
	if (d->type == HMFS_PC_DIMM)
		hmfs_acpi_slot_unplug(ctx, d->slot);
	dev_unlink(ctx, d);
	dev_free(d);
}

/* a journaled QEMU-side device_add (qemu_journal()): undone by the object it listed */
struct qemu_add_save {
	struct hmfs_save sv; /* first: its undo gets it */
	char id[sizeof(((struct hmfs_dev *)0)->id)];
	uint64_t incarnation;
};

/*
 * Its record's sync failed (state.c rollback(), change_lock held): the
 * device_add is refused, and the device QEMU listed goes, unless a
 * device_del took it already; a probe since was undone before (newer
 * records first: machine.c undo()).
 */
static int qemu_add_undo(struct hmfs_ctx *ctx, struct hmfs_save *sv, int sret)
{
	struct qemu_add_save *q = (struct qemu_add_save *)sv;
	struct hmfs_dev *d;

	(void)sret;
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, q->id);
	if (d && d->incarnation == q->incarnation && hmfs_dev_unprobed(d))
		qemu_unrealize(ctx, d);
	pthread_mutex_unlock(&ctx->dev_lock);
	return 0;
}

/* QEMU's checks and place() in its own view: @d listed, or NULL with -errno in *@ret */
static struct hmfs_dev *qemu_realize(struct hmfs_ctx *ctx, const struct dev_model *m,
				     const struct hmfs_change *ch, bool put_back, int *ret,
				     char *err, size_t errlen)
{
	struct hmfs_dev *d;

	*ret = check_common(ctx, m, ch->dev.id, ch->dev.size, ch->dev.node, ch->dev.addr,
			    ch->dev.have_addr, put_back, err, errlen);
	if (*ret)
		return NULL;
	d = dev_new(ctx, m, ch->dev.id, ch->dev.size, ch->dev.node, ch->dev.addr,
		    ch->dev.block_size, ch->dev.memmap, ch->dev.slot);
	if (!d) {
		*ret = -ENOMEM;
		return NULL;
	}
	*ret = d->type == HMFS_PC_DIMM ?
		dimm_realize(ctx, d, ch->dev.have_addr, put_back, true, err, errlen) :
		vmem_realize(ctx, d, ch->dev.have_addr, ch->dev.requested, put_back, err, errlen);
	if (*ret) {
		dev_unlink(ctx, d);
		dev_free(d);
		return NULL;
	}
	d->requested = ch->dev.requested;
	return d;
}

/*
 * With a state file, the device is journaled before the reply, and the
 * answer waits for its record to be durable (not for the offline).  No
 * journal to append to: the change's way (-EAGAIN), the device unlisted.
 */
int hmfs_dev_add_request(struct hmfs_ctx *ctx, const struct hmfs_change *ch, char *err,
			 size_t errlen)
{
	const struct dev_model *m = dev_model_find(ch->dev.driver);
	struct qemu_add_save q = { .sv.undo = qemu_add_undo };
	struct hmfs_dev *d;
	int ret = -EAGAIN;

	if (!add_may_queue(ctx, m))
		return -EAGAIN;
	pthread_mutex_lock(&ctx->dev_lock);
	if (!ctx->vmem_timer_started)
		goto out;
	d = qemu_realize(ctx, m, ch, false, &ret, err, errlen);
	if (!d)
		goto out;
	d->probe_queued = true;
	ret = qemu_journal(ctx, d, false, &q.sv);
	if (ret) {
		qemu_unrealize(ctx, d);
		if (ret != -EAGAIN)
			snprintf(err, errlen, "saving state to %s.journal: %s", ctx->state_path,
				 strerror(-ret));
		goto out;
	}
	snprintf(q.id, sizeof(q.id), "%s", d->id);
	q.incarnation = d->incarnation;
	if (ch->dev.new_id)
		snprintf(ch->dev.new_id, ch->dev.new_id_len, "%s", d->id);
	pthread_cond_broadcast(&ctx->vmem_timer_cond);
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	if (ret)
		return hmfs_kept_record_settle(ctx, &q.sv, ret, err, errlen);
	dev_snap_refresh(ctx);
	if (hmfs_state_sync(ctx, &q.sv)) {
		ret = q.sv.ret;
		snprintf(err, errlen, "saving state to %s.journal: %s (the device_add is undone)",
			 ctx->state_path, strerror(-ret));
	}
	return ret;
}

/*
 * A state file's device QEMU alone had ("guest-probe": its device_add
 * answered behind a guest's offline, hmfs_dev_add_request()): listed
 * again where it was, its probe queued again if it had not run (the
 * timers' thread runs it once hotmemfs serves: a probe journaled as done
 * is a probed device, restored as any), else as it ended.
 */
/*
 * The profile's devices a state file's QEMU-only device meets (its id,
 * its slot, its range) were removed at run time before it came: they go
 * again, as hmfs_dev_add()'s restore does, before QEMU's checks.  One of
 * its id is not the saved device (that one was never probed): removed,
 * not claimed.  A restore's only: hmfs_dev_restore_qemu() is an undo's
 * way back too (machine.c undo(), qemu_del_undo()), where a device in
 * the way is an acknowledged one, never removed (reread29 R14: the undo
 * fails as before).  dev_lock held.
 */
static int qemu_restore_make_way(struct hmfs_ctx *ctx, const struct dev_model *m,
				 const struct hmfs_change *ch, char *err, size_t errlen)
{
	struct hmfs_dev *o = ch->dev.id ? dev_find(ctx, ch->dev.id) : NULL;
	int ret = 0;

	if (!ctx->restoring)
		return 0;
	if (o && o->from_profile)
		ret = boot_dev_remove(ctx, o, "of the saved one's id", err, errlen);
	if (!ret)
		ret = boot_dev_give_way(ctx, m, ch->dev.size, ch->dev.addr, ch->dev.slot, err,
					errlen);
	return ret;
}

int hmfs_dev_restore_qemu(struct hmfs_ctx *ctx, const struct hmfs_change *ch, const char *probe,
			  char *err, size_t errlen)
{
	const struct dev_model *m = dev_model_find(ch->dev.driver);
	struct hmfs_dev *d = NULL;
	int ret;

	if (!m)
		return hmfs_qemu_error(err, errlen, "guest-probe: '%s' is no device model",
				       ch->dev.driver);
	pthread_mutex_lock(&ctx->dev_lock);
	ret = qemu_restore_make_way(ctx, m, ch, err, errlen);
	if (!ret)
		d = qemu_realize(ctx, m, ch, true, &ret, err, errlen);
	if (d) {
		d->probe_queued = !strcmp(probe, "queued");
		d->probe_stopped = !strcmp(probe, "stopped");
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

static struct hmfs_dev *dev_snap_begin(struct hmfs_ctx *ctx, const char *id, bool *snap);
static void dev_snap_end(struct hmfs_ctx *ctx, bool snap);
static int dimm_del_unlocked(struct hmfs_ctx *ctx, struct hmfs_dev *d,
			     const struct hotmem_task *task, int source, char *err, size_t errlen);

/*
 * A DIMM's queued add undone: its memory offlined and removed as an
 * eject nobody asked for takes it (no _OST), its group gone, then its
 * slot QEMU's again, present and unbound, its add queued.  dev_lock held,
 * let go for the eject as a device_del's (readers keep to the snapshot
 * hmfs_dev_unprobe() took: the offline may loop up to its 40 s bound).
 */
static int dimm_unprobe(struct hmfs_ctx *ctx, struct hmfs_dev *d, char *err, size_t errlen)
{
	int ret = dimm_del_unlocked(ctx, d, NULL, 0, err, errlen);

	if (ret)
		return ret;
	dimm_mark_refused(ctx, d, 0, NULL);
	hmfs_acpi_slot_plug(ctx, d->slot, d->addr, d->size);
	d->probe_queued = true;
	return 0;
}

/*
 * The queued probe's change undone (its record not saved: machine.c
 * undo()): the driver's memory given back and the driver gone (a DIMM's
 * memory removed), the device QEMU's alone again with its probe queued,
 * as its @pre says.
 */
int hmfs_dev_unprobe(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	struct hmfs_dev *d;
	uint64_t req = 0;
	bool snap;
	int ret;

	d = dev_snap_begin(ctx, id, &snap);
	if (d && d->type == HMFS_PC_DIMM) {
		ret = dimm_unprobe(ctx, d, err, errlen);
		dev_snap_end(ctx, snap);
		return ret;
	}
	if (d)
		req = d->requested;
	dev_snap_end(ctx, snap);
	ret = hmfs_dev_set_requested(ctx, id, 0, err, errlen);
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (!ret && d && d->vm) {
		ret = hotmem_virtio_mem_remove(d->vm);
		if (!ret) {
			d->vm = NULL;
			d->requested = req;
			d->probe_queued = true;
		}
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * QEMU's device the guest has not taken (hmfs_dev_add_request()): a
 * virtio-mem device without a driver (its probe queued, refused or
 * stopped), a DIMM whose add is queued or never ran (stopped).  A DIMM
 * the guest refused answered (guest_refused): not this.
 */
bool hmfs_dev_unprobed(const struct hmfs_dev *d)
{
	return d->type == HMFS_PC_DIMM ? d->probe_queued || d->probe_stopped : !d->vm;
}

int hmfs_dev_probe_queued(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation,
			  char *added, size_t addedlen, char *err, size_t errlen)
{
	struct hmfs_dev *d;
	int ret = -ENODEV;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (!d || d->incarnation != incarnation || !d->probe_queued)
		goto out; /* removed by a device_del since: its probe went with it */
	d->probe_queued = false;
	ret = d->type == HMFS_PC_DIMM ? dimm_probe(ctx, d, NULL, true, err, errlen) :
		vmem_probe(ctx, d, hmfs_dev_host_requested(d), -1, err, errlen);
	if (!ret)
		snprintf(added, addedlen, "%s", d->id);
out:
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/*
 * hotmem's device_del with "wait" of virtio-mem device @id holds the
 * device's request for as long as it waits, a queued one taken over
 * (reread22 R6): both waited for change_lock behind the guest's offline,
 * and when the timers' thread's removal came first the waiting command
 * found no device and answered DeviceNotFound for a device it had asked
 * to remove and that was gone.  The queued one is no longer run, or, if
 * the timers' thread had taken it already, finds it taken over
 * (del_request_owns(): -EALREADY) or gone, and logs nothing (del_running).  A QMP device_del
 * meanwhile finds the request pending and answers {} without queueing
 * another (hmfs_dev_del_request()), which would again have run first.
 * Returns the device object's incarnation for hmfs_dev_del_wait_end(),
 * 0 when @id is no virtio-mem device.
 */
uint64_t hmfs_dev_del_take_over(struct hmfs_ctx *ctx, const char *id)
{
	struct hmfs_dev *d;
	uint64_t incarnation = 0;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_VIRTIO_MEM) {
		d->del_queued = false;
		d->del_waiters++;
		incarnation = d->incarnation;
		if (ctx->del_running == incarnation) /* the timers' thread's, in flight: says nothing */
			ctx->del_running = 0;
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return incarnation;
}

/*
 * The waiting device_del is over: a device it left (refused) holds no
 * request once no other device_del (wait) of that same object still
 * waits.  Ended by the first of two, a QMP device_del meanwhile queued
 * again, the timers' thread could remove the device first and the second
 * waiter answer DeviceNotFound (reread22 R6 again: reread23a R2).
 */
void hmfs_dev_del_wait_end(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->incarnation == incarnation && d->del_waiters)
		d->del_waiters--;
	pthread_mutex_unlock(&ctx->dev_lock);
}

/*
 * The device_del of a virtio-mem device: refused (nothing changed) or
 * gone.  Its check is hmfs_dev_del_refused()'s, with the same figures:
 * QEMU's virtio_mem_unplug_request_check() (hw/virtio/virtio-mem.c, 9.2)
 * reads vmem->size and vmem->requested_size, the host's, which a qom-set
 * sets at once (virtio_mem_set_requested_size()), queued for the guest's
 * driver or not.  It read the driver's copy (vi.requested_size), which a
 * qom-set queued behind a guest's offline has not reached yet: the early
 * check and this one could disagree (reread21 H10).
 */
static int vmem_del(struct hmfs_ctx *ctx, struct hmfs_dev *d, char *err, size_t errlen)
{
	char why[512];
	int ret;

	ret = vmem_del_check(ctx, d, hmfs_dev_host_requested(d), err, errlen);
	/*
	 * The timers' thread's queued removal (del_running, dev_lock held):
	 * its log says this check refused it, at its change, not the early
	 * one before change_lock (machine.c hmfs_change()) -- the host's
	 * figure may have moved between them.  Its @err goes to the log
	 * only (vmem_del_queued()); a QMP reply keeps QEMU's words.
	 */
	if (ret && ctx->del_running == d->incarnation) {
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "at its change: %s", why);
	}
	if (ret || !d->vm) /* not probed: QEMU's device alone goes, its queued probe with it */
		return ret;
	ret = hotmem_virtio_mem_remove(d->vm);
	if (ret)
		snprintf(err, errlen,
			 "%s: the guest still has memory added in the device's region (blocks its driver could not offline yet: qom-set requested-size 0 retries; or memory probed into the region by hand, which stays): %s; `hotmemctl dmesg` says which",
			 d->id, strerror(-ret));
	return ret;
}

/*
 * query-memory-devices and query-acpi-ospm-status answer at once, as
 * QEMU's main loop answers them while its guest ejects a DIMM: an eject
 * takes as long as its offline (up to the 40 s bound on a stuck block),
 * so hmfs_dev_del() leaves the device list as it was before (the DIMM
 * still there, as QEMU lists it until _EJ0) in ctx->dev_snap for that
 * time, taken again after a QEMU-side change meanwhile
 * (dev_snap_refresh(): the eject lets dev_lock go while it offlines,
 * dimm_del_unlocked()), and a reader takes that; with none, the
 * list itself.  dev_snap_lock is taken before dev_lock, by both: a reader
 * that found no snapshot holds dev_snap_lock, so no eject can begin
 * without one while it waits for dev_lock (only short holders are left).
 */
/*
 * The snapshot stands for the list (dev_snap_lock held): an eject is
 * running.  Not once it is over: between its dev_lock's release and
 * dev_snap_drop() the snapshot still had the DIMM just removed, and a
 * device_del of it answered {} (finalF F3); a reader then waits for
 * dev_lock, which is being let go.
 */
bool hmfs_dev_snap_stands(struct hmfs_ctx *ctx)
{
	return ctx->dev_snap_keys && !__atomic_load_n(&ctx->dev_snap_over, __ATOMIC_ACQUIRE);
}

json_object *hmfs_dev_query_json(struct hmfs_ctx *ctx)
{
	json_object *r = NULL;

	pthread_mutex_lock(&ctx->dev_snap_lock);
	if (ctx->dev_snap && hmfs_dev_snap_stands(ctx)) {
		if (json_object_deep_copy(ctx->dev_snap, &r, NULL))
			r = NULL;
	} else {
		pthread_mutex_lock(&ctx->dev_lock);
		r = hmfs_memory_devices_json(ctx);
		pthread_mutex_unlock(&ctx->dev_lock);
	}
	pthread_mutex_unlock(&ctx->dev_snap_lock);
	return r;
}

/* the eject is over: readers read the list again (dev_lock already let go: the lock order) */
static void dev_snap_drop(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->dev_snap_lock);
	json_object_put(ctx->dev_snap);
	ctx->dev_snap = NULL;
	json_object_put(ctx->dev_snap_status);
	ctx->dev_snap_status = NULL;
	free(ctx->dev_snap_keys);
	ctx->dev_snap_keys = NULL;
	ctx->nr_dev_snap_keys = 0;
	__atomic_store_n(&ctx->dev_snap_over, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ctx->dev_snap_lock);
}

/* each device's id and DIMM slot, for hmfs_dev_slot_nowait() (dev_lock held) */
static void dev_snap_keys(struct hmfs_ctx *ctx)
{
	size_t n = 0;

	for (const struct hmfs_dev *d = ctx->devs; d; d = d->next)
		n++;
	ctx->dev_snap_keys = calloc(n ? n : 1, sizeof(*ctx->dev_snap_keys));
	ctx->nr_dev_snap_keys = ctx->dev_snap_keys ? n : 0;
	n = 0;
	for (const struct hmfs_dev *d = ctx->devs; d && ctx->dev_snap_keys; d = d->next, n++) {
		memcpy(ctx->dev_snap_keys[n].id, d->id, sizeof(d->id));
		ctx->dev_snap_keys[n].slot = d->type == HMFS_PC_DIMM ? d->slot : -1;
	}
}

/* the list as readers see it while ctx->dev_snap_ejecting's eject runs (both locks held) */
static void dev_snap_take(struct hmfs_ctx *ctx)
{
	ctx->dev_snap = hmfs_memory_devices_json(ctx);
	ctx->dev_snap_status = hmfs_devices_eject_json(ctx, ctx->dev_snap_ejecting);
	dev_snap_keys(ctx);
}

/*
 * A QEMU-side change made while a DIMM's eject runs (dev_lock is free
 * then: dimm_del_unlocked()) -- a qom-set queued, a virtio-mem device
 * listed or taken away -- is in QEMU's lists at once: the snapshot is
 * taken again from the list, the DIMM still in it.  Not once the eject
 * is over (the snapshot stands no more; dropped next).  No lock held.
 */
static void dev_snap_refresh(struct hmfs_ctx *ctx)
{
	pthread_mutex_lock(&ctx->dev_snap_lock);
	if (hmfs_dev_snap_stands(ctx)) {
		pthread_mutex_lock(&ctx->dev_lock);
		json_object_put(ctx->dev_snap);
		json_object_put(ctx->dev_snap_status);
		free(ctx->dev_snap_keys);
		dev_snap_take(ctx);
		pthread_mutex_unlock(&ctx->dev_lock);
	}
	pthread_mutex_unlock(&ctx->dev_snap_lock);
}

/* a device keyed @key, DIMM slot @slot (-1: virtio-mem) is the one asked for: by @id, else by @want */
static bool key_match(const char *key, int slot, const char *id, int want)
{
	return id ? !strcmp(key, id) : want >= 0 && slot == want;
}

/*
 * Device @id's DIMM slot (-1: virtio-mem) or, @id NULL, the id of the
 * DIMM in slot @want into @out: -ENODEV for none.  Never waits for a
 * DIMM's eject: the snapshot's keys while an eject holds dev_lock (the
 * DIMM still there, as QEMU has it until _EJ0); the list itself else.
 */
static int dev_key_nowait(struct hmfs_ctx *ctx, const char *id, int want, char *out, size_t len)
{
	int ret = -ENODEV;

	pthread_mutex_lock(&ctx->dev_snap_lock);
	if (hmfs_dev_snap_stands(ctx)) {
		for (size_t i = 0; i < ctx->nr_dev_snap_keys && ret == -ENODEV; i++) {
			const struct hmfs_dev_key *k = &ctx->dev_snap_keys[i];

			if (key_match(k->id, k->slot, id, want)) {
				ret = k->slot;
				if (out)
					snprintf(out, len, "%s", k->id);
			}
		}
	} else {
		pthread_mutex_lock(&ctx->dev_lock);
		for (const struct hmfs_dev *d = ctx->devs; d && ret == -ENODEV; d = d->next) {
			const int slot = d->type == HMFS_PC_DIMM ? d->slot : -1;

			if (key_match(d->id, slot, id, want)) {
				ret = slot;
				if (out)
					snprintf(out, len, "%s", d->id);
			}
		}
		pthread_mutex_unlock(&ctx->dev_lock);
	}
	pthread_mutex_unlock(&ctx->dev_snap_lock);
	return ret;
}

/*
 * QMP device_del's look-up (ctl.c): a second device_del of a DIMM whose
 * eject runs answers at once, as QEMU's main loop does while its guest
 * ejects.
 */
int hmfs_dev_slot_nowait(struct hmfs_ctx *ctx, const char *id)
{
	return dev_key_nowait(ctx, id, -1, NULL, 0);
}

/*
 * QEMU's QOM tree, the part hotmemfs has: / -> machine -> peripheral ->
 * ID, and machine -> peripheral-anon -> device[N], each virtio-mem-pci
 * with its child virtio-backend (the virtio-mem device on its virtio
 * bus).  A walk from node @n by the path's components @c (empty ones
 * skipped already, as object_resolve_abs_path() skips them, qom/object.c
 * 9.2): the node reached, its device's key in @key.  Devices are looked
 * up without waiting for an eject (dev_key_nowait()).
 */
static enum hmfs_qom qom_walk(struct hmfs_ctx *ctx, enum hmfs_qom n, char **c, int nc,
			      char *key, size_t len)
{
	for (int i = 0; i < nc; i++) {
		int slot;

		if (n == HMFS_QOM_ROOT && !strcmp(c[i], "machine"))
			n = HMFS_QOM_MACHINE;
		else if (n == HMFS_QOM_MACHINE && !strcmp(c[i], "peripheral"))
			n = HMFS_QOM_PERIPHERAL;
		else if (n == HMFS_QOM_MACHINE && !strcmp(c[i], "peripheral-anon"))
			n = HMFS_QOM_PERIPHERAL_ANON;
		else if (n == HMFS_QOM_PERIPHERAL || n == HMFS_QOM_PERIPHERAL_ANON) {
			unsigned int nr;
			char end;

			if (n == HMFS_QOM_PERIPHERAL_ANON &&
			    (sscanf(c[i], "device[%u%c", &nr, &end) != 2 || end != ']' ||
			     snprintf(key, len, HMFS_ANON_PATH "%u]", nr) < 0 ||
			     strcmp(c[i] + strlen("device["), key + strlen(HMFS_ANON_PATH))))
				return HMFS_QOM_NONE;
			if (n == HMFS_QOM_PERIPHERAL)
				snprintf(key, len, "%s", c[i]);
			/* an anonymous device's key is its path: no id names it */
			if ((n == HMFS_QOM_PERIPHERAL && hmfs_dev_anon(key)) ||
			    dev_key_nowait(ctx, key, -1, NULL, 0) == -ENODEV)
				return HMFS_QOM_NONE;
			n = HMFS_QOM_DEVICE;
		} else if (n == HMFS_QOM_DEVICE && !strcmp(c[i], "virtio-backend") &&
			   (slot = dev_key_nowait(ctx, key, -1, NULL, 0)) == -1)
			n = HMFS_QOM_BACKEND;
		else
			return HMFS_QOM_NONE;
	}
	return n;
}

/*
 * The virtio-mem devices, each with a virtio-backend a partial path may
 * start at; the last one's key in @key.  Under dev_lock: only qom-get and
 * qom-set resolve partial paths, and they wait for an eject anyway.
 */
static int vmem_backends(struct hmfs_ctx *ctx, char *key, size_t len)
{
	int n = 0;

	pthread_mutex_lock(&ctx->dev_lock);
	for (const struct hmfs_dev *d = ctx->devs; d; d = d->next)
		if (d->type == HMFS_VIRTIO_MEM) {
			snprintf(key, len, "%s", d->id);
			n++;
		}
	pthread_mutex_unlock(&ctx->dev_lock);
	return n;
}

enum hmfs_qom hmfs_dev_qom_resolve(struct hmfs_ctx *ctx, const char *path, bool at_peripheral,
				   char *key, size_t len)
{
	static const enum hmfs_qom starts[] = { HMFS_QOM_ROOT, HMFS_QOM_MACHINE, HMFS_QOM_PERIPHERAL,
						HMFS_QOM_PERIPHERAL_ANON };
	char buf[256], *c[8], *save = NULL, k[sizeof(((struct hmfs_dev *)0)->id)];
	enum hmfs_qom found = HMFS_QOM_NONE, n;
	int nc = 0;

	*key = '\0';
	if (strlen(path) >= sizeof(buf))
		return HMFS_QOM_NONE; /* deeper than anything here */
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save))
		if (nc == (int)(sizeof(c) / sizeof(*c)))
			return HMFS_QOM_NONE;
		else
			c[nc++] = t;
	/* object_resolve_path_at(): from the root, or from /machine/peripheral */
	if (path[0] == '/' || at_peripheral)
		return qom_walk(ctx, path[0] == '/' ? HMFS_QOM_ROOT : HMFS_QOM_PERIPHERAL, c, nc, key,
				len);
	/*
	 * object_resolve_partial_path(): the path from any object of the tree;
	 * found from two, it is ambiguous (no path at all: from each)
	 */
	if (!nc)
		return HMFS_QOM_AMBIGUOUS;
	for (size_t i = 0; i < sizeof(starts) / sizeof(*starts); i++) {
		n = qom_walk(ctx, starts[i], c, nc, k, sizeof(k));
		if (n == HMFS_QOM_NONE)
			continue;
		if (found != HMFS_QOM_NONE)
			return HMFS_QOM_AMBIGUOUS;
		found = n;
		snprintf(key, len, "%s", k);
	}
	/* from a device: its virtio-backend only; from that: nothing has children */
	if (nc == 1 && !strcmp(c[0], "virtio-backend")) {
		int vmems = vmem_backends(ctx, key, len);

		if (vmems > 1 || (vmems && found != HMFS_QOM_NONE))
			return HMFS_QOM_AMBIGUOUS;
		if (vmems)
			return HMFS_QOM_BACKEND;
	}
	return found;
}

/*
 * A write of a slot's eject file (attrs.c): it returns at once while
 * another DIMM's eject runs, as acpi_eject_store() does (it queues, it
 * waits for no scan).
 */
int hmfs_dev_dimm_in_slot_nowait(struct hmfs_ctx *ctx, int slot, char *id, size_t len)
{
	int ret = dev_key_nowait(ctx, NULL, slot, id, len);

	return ret < 0 ? ret : 0;
}

/*
 * Whether a removal may take @d, the one place that says it: a
 * device_del by id (@incarnation 0: a user's, a waiting one's, an undo's)
 * takes what the id names now; a queued one (vmem_del_queued()) only
 * device object @incarnation while it still carries that queued request.
 * QEMU's device_del names the DeviceState itself, whose pending unplug
 * request is that object's (qdev_unplug(), 9.2): once a device_del with
 * "wait" removed the device, a device_add of the same id makes a new
 * object with no request (-ENODEV: gone), which the queued removal,
 * looking the id up at its change, would otherwise take; a device_del
 * with "wait" that took the request over removes the device itself
 * (-EALREADY).  A device_del with "wait" (@held) removes the object it
 * holds the request of, never one added under its id since: that one
 * gone (removed by a device_del beside it), -ENODEV, which ctl.c answers
 * as its removal done.  dev_lock held.
 */
static int del_request_owns(const struct hmfs_dev *d, uint64_t incarnation, bool held,
			    char *err, size_t errlen)
{
	if (!incarnation || (d->incarnation == incarnation && (d->del_queued || held)))
		return 0;
	if (held) { /* its object gone since, removed by another device_del: ctl.c says so */
		hmfs_qemu_error(err, errlen, "Device '%s' not found", d->id);
		return -ENODEV;
	}
	if (d->incarnation == incarnation) {
		snprintf(err, errlen, "the queued device_del of '%s' was taken over by a device_del that waits",
			 d->id);
		return -EALREADY;
	}
	snprintf(err, errlen, "the device '%s' the queued device_del was for is gone", d->id);
	return -ENODEV;
}

/*
 * Device @id (NULL: none) with dev_lock held on return; a DIMM's eject
 * may take long, so readers get the list as it is now (*@snap: the
 * snapshot taken, the DIMM still in it) until dev_snap_end()
 */
static struct hmfs_dev *dev_snap_begin(struct hmfs_ctx *ctx, const char *id, bool *snap)
{
	struct hmfs_dev *d;

	pthread_mutex_lock(&ctx->dev_snap_lock);
	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	*snap = d && d->type == HMFS_PC_DIMM;
	if (*snap) {
		snprintf(ctx->dev_snap_ejecting, sizeof(ctx->dev_snap_ejecting), "%s", d->id);
		dev_snap_take(ctx);
		__atomic_store_n(&ctx->dev_snap_over, false, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&ctx->dev_snap_lock);
	return d;
}

/*
 * dev_lock let go; the snapshot says no more than the list from here (the
 * lock order: dropped after); only this eject's own (@snap): a device_del
 * that made none (a virtio-mem device's) dropped the one of the DIMM eject
 * waiting for dev_lock behind it
 */
static void dev_snap_end(struct hmfs_ctx *ctx, bool snap)
{
	if (snap)
		__atomic_store_n(&ctx->dev_snap_over, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->dev_lock);
	if (snap)
		dev_snap_drop(ctx);
}

/*
 * A DIMM's eject without dev_lock (abuse26 E2): it may keep at a stuck
 * block up to its 40 s bound, and QEMU's monitor never waits for its
 * guest meanwhile -- a qom-set requested-size is queued (machine.c
 * apply_held() marks the eject a change that waits for the guest), a
 * virtio-mem device_add or device_del queued, each under dev_lock for a
 * moment; with dev_lock held across the eject each waited for all of it.
 * @d stays: change_lock (the caller's) keeps out every other change, the
 * only ones that remove a DIMM, and what the eject reads of it is set at
 * its device_add.  Readers keep to the snapshot, which those QEMU-side
 * changes refresh (dev_snap_refresh()).  dev_lock held on entry and return.
 */
static int dimm_del_unlocked(struct hmfs_ctx *ctx, struct hmfs_dev *d,
			     const struct hotmem_task *task, int source, char *err, size_t errlen)
{
	int ret;

	pthread_mutex_unlock(&ctx->dev_lock);
	ret = dimm_del(ctx, d, task, source, err, errlen);
	pthread_mutex_lock(&ctx->dev_lock);
	return ret;
}

int hmfs_dev_del(struct hmfs_ctx *ctx, const char *id, uint64_t incarnation, bool held,
		 const struct hotmem_task *task, int ost_source, int *ost_slot, char *err,
		 size_t errlen)
{
	struct hmfs_dev *d;
	bool snap;
	int ret;

	*ost_slot = -1;
	d = dev_snap_begin(ctx, id, &snap);
	if (!d) {
		/* ctl.c says QEMU's DeviceNotFound, naming the device as it was asked for */
		hmfs_qemu_error(err, errlen, "Device '%s' not found", id);
		ret = -ENODEV;
		goto out;
	}
	ret = del_request_owns(d, incarnation, held, err, errlen);
	if (ret)
		goto out;
	ret = d->type == HMFS_PC_DIMM ? dimm_del_unlocked(ctx, d, task, ost_source, err, errlen) :
					vmem_del(ctx, d, err, errlen);
	if (!ret && d->type == HMFS_PC_DIMM && ost_source)
		*ost_slot = d->slot;
	if (!ret) {
		dev_unlink(ctx, d);
		dev_free(d);
	}
out:
	dev_snap_end(ctx, snap);
	return ret;
}

/*
 * An undo removes a device it added (machine.c): a virtio-mem device's
 * host first asks for all of its memory back, as a user does before
 * device_del.
 */
int hmfs_dev_unplug_and_del(struct hmfs_ctx *ctx, const char *id, char *err, size_t errlen)
{
	int ret = 0;

	if (!hmfs_dev_sizes(ctx, id, &(uint64_t){ 0 }, &(uint64_t){ 0 }))
		ret = hmfs_dev_set_requested(ctx, id, 0, err, errlen);
	return ret ? ret : hmfs_dev_del(ctx, id, 0, false, NULL, 0, &(int){ 0 }, err, errlen);
}

/* the id of the pc-dimm in ACPI slot @slot (the guest's eject names a slot), or -ENODEV */
int hmfs_dev_dimm_in_slot(struct hmfs_ctx *ctx, int slot, char *id, size_t len)
{
	int ret = -ENODEV;

	pthread_mutex_lock(&ctx->dev_lock);
	for (struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		if (d->type == HMFS_PC_DIMM && d->slot == slot) {
			snprintf(id, len, "%s", d->id);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&ctx->dev_lock);
	return ret;
}

/* device @id's driver as QEMU names it (pc-dimm, virtio-mem-pci), or NULL: no device @id */
const char *hmfs_dev_type_driver(enum hmfs_dev_type type)
{
	return dev_model_of(type)->driver;
}

const char *hmfs_dev_driver(struct hmfs_ctx *ctx, const char *id)
{
	const struct hmfs_dev *d;
	const char *driver = NULL;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d)
		driver = hmfs_dev_type_driver(d->type);
	pthread_mutex_unlock(&ctx->dev_lock);
	return driver;
}

/* the ACPI slot of pc-dimm @id, or -1 (none such: a virtio-mem device's id, or none) */
int hmfs_dev_dimm_slot(struct hmfs_ctx *ctx, const char *id)
{
	struct hmfs_dev *d;
	int slot = -1;

	pthread_mutex_lock(&ctx->dev_lock);
	d = dev_find(ctx, id);
	if (d && d->type == HMFS_PC_DIMM)
		slot = d->slot;
	pthread_mutex_unlock(&ctx->dev_lock);
	return slot;
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
