// SPDX-License-Identifier: MIT
/*
 * hotmemd: the dynamic memory groups, one per virtio-mem device.
 *
 * 6.12 virtio_mem_init_hotplug() registers one dynamic memory group for a
 * device (memory_group_register_dynamic(vm->nid, unit_pages)) and adds all
 * its memory to it (add_memory_driver_managed(vm->mgid, ...,
 * MHP_NID_IS_MGID)).  auto-movable then lets a group's own kernel pages
 * allow more Movable in it, and reserves every other group's
 * req_kernel_early_pages (mm/memory_hotplug.c
 * auto_movable_can_online_movable()).  sysfs shows no groups (a memory
 * block has no memory_group attribute), but /proc/iomem shows the device:
 * virtio_mem_create_resource() requests its whole region under its device
 * name, and the memory it adds is "System RAM (virtio_mem)" inside it:
 *
 *     100000000-1bfffffff : virtio0
 *       100000000-1bfffffff : System RAM (virtio_mem)
 *
 * So a group is the blocks inside one "virtioN" with such a child.  Its
 * unit (what the kernel decides together): a memory block in Sub Block
 * Mode, a big block in Big Block Mode.  BBM is used when
 * virtio_mem.force_bbm=Y, or when the device's block size is not below the
 * memory block size -- the device block size is in no file, so without
 * force_bbm the unit is taken as one memory block (docs/hotmemd.md,
 * Approximations).  The table is read again once a uevent burst (like the
 * ACPI binding state) when a block that may be a virtio-mem device's is
 * decided (a DIMM's, with its firmware_node, needs it only when online
 * memory outside the table may be a device's: hmd_dyn_group()), and when
 * a block outside it is decided; its sums are kept by hmd_block_account().
 * It is dropped (hmd_dyn_drop()) at each coldplug -- the sysroot may be
 * another machine's -- and when a block inside it leaves.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "hotmemd.h"

/* the next decision that needs a group reads /proc/iomem again */
void hmd_dyn_invalidate(struct hmd *d)
{
	d->dyn.stale = true;
	d->dyn.missed = false;
}

/*
 * The table dropped, not only stale: the next decision that may need a
 * group, a DIMM's too, reads /proc/iomem before it (hmd_dyn_group()).  A
 * stale table is kept across bursts for DIMM decisions and
 * hmd_dyn_account() files onlined blocks by it: after a virtio-mem
 * device's removal a DIMM in its old range (QEMU reuses the freed
 * device-memory address) was counted in the dead group, whose
 * req_kernel_early_pages every later decision reserved; after a new
 * sysroot (another machine, or one mounted again) the old machine's
 * ranges were used (reread19-rest F2).  Until the next read no block is
 * in a group, and the groups' sums are counted anew then (dyn_recount()).
 */
void hmd_dyn_drop(struct hmd *d)
{
	hmd_dyn_invalidate(d);
	d->dyn.n = 0;
	d->dyn.outside_online = true;
}

static int dyn_index(const struct hmd *d, unsigned long id)
{
	int i;

	for (i = 0; i < d->dyn.n; i++)
		if (id >= d->dyn.lo[i] && id <= d->dyn.hi[i])
			return i;
	return -1;
}

/*
 * Block @id leaves (its REMOVE): one of a virtio-mem device's blocks goes
 * when the device unplugs memory, and all of them when it is removed --
 * then its region leaves /proc/iomem, which the table cannot tell from a
 * shrink: dropped (a read more at the next decision after such a burst).
 */
void hmd_dyn_block_left(struct hmd *d, unsigned long id)
{
	if (dyn_index(d, id) >= 0)
		hmd_dyn_drop(d);
}

void hmd_dyn_account(struct hmd *d, unsigned long id, int sign)
{
	const struct hmd_block *b = &d->blk[id];
	struct hmd_group *g;
	unsigned long *v;
	int i = dyn_index(d, id);

	if (i < 0) {
		/*
		 * online memory no group read holds, maybe a virtio-mem
		 * device's probed since (its memory onlined by the kernel or
		 * an admin, never by a decision of ours, which reads the table
		 * for it): its group is read before the next decision
		 */
		if (sign > 0 && !b->boot && (!b->fwnode || b->fwnode == HMD_FWNODE_UNREAD))
			d->dyn.outside_online = true;
		return;
	}
	g = &d->dyn.g[i];
	if (g->nid == HMD_NUMA_NO_NODE)
		g->nid = b->nid;
	v = hmd_block_is_movable(b) ? &g->present_movable_pages : &g->present_kernel_pages;
	*v = sign > 0 ? *v + d->block_pages : *v - d->block_pages;
}

/* virtio_mem.force_bbm / bbm_block_size of the sysroot: the unit in pages */
static unsigned long dyn_unit_pages(struct hmd *d)
{
	char path[HMD_PATH_MAX + 96], buf[32], *end;
	unsigned long long bb;

	snprintf(path, sizeof(path), "%s/force_bbm", d->vmem_params_path);
	if (hmd_read_attr(AT_FDCWD, path, buf, sizeof(buf)) <= 0 || buf[0] != 'Y')
		return d->block_pages; /* SBM: unit_pages = one memory block */
	/* BBM: max(device block size, memory block size), or bbm_block_size if bigger */
	snprintf(path, sizeof(path), "%s/bbm_block_size", d->vmem_params_path);
	if (hmd_read_attr(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return d->block_pages;
	bb = strtoull(buf, &end, 10);
	if (*end || !bb || (bb & (bb - 1)) || bb < d->block_size)
		return d->block_pages;
	return (unsigned long)(bb / 4096);
}

/*
 * one "virtioN" region with memory added: its blocks become group
 * @d->dyn.n.  The unit is read at the first such region (*@unit_pages 0
 * until then): a machine without virtio-mem reads /proc/iomem alone, not
 * virtio_mem's parameters too, once a uevent burst.
 */
static void dyn_add(struct hmd *d, uint64_t start, uint64_t end, unsigned long *unit_pages)
{
	unsigned long lo = (start + d->block_size - 1) / d->block_size;
	unsigned long hi = (end + 1) / d->block_size;
	struct hmd_group *g;

	if (hi <= lo)
		return;
	if (d->dyn.n == HMD_MAX_DYN) {
		if (!d->dyn.warned_many)
			hmd_log(d, LOG_WARNING,
				"more than %d virtio-mem devices: the blocks of the others are decided alone",
				HMD_MAX_DYN);
		d->dyn.warned_many = true;
		return;
	}
	if (!*unit_pages)
		*unit_pages = dyn_unit_pages(d);
	g = &d->dyn.g[d->dyn.n];
	memset(g, 0, sizeof(*g));
	g->is_dynamic = true;
	g->nid = HMD_NUMA_NO_NODE;
	g->unit_pages = *unit_pages;
	d->dyn.lo[d->dyn.n] = lo;
	d->dyn.hi[d->dyn.n] = hi - 1;
	d->dyn.n++;
}

/* "  100000000-1bfffffff : virtio0": depth 1, its range and name; false: not such a line */
static bool iomem_line(const char *line, int *depth, uint64_t *start, uint64_t *end,
		       const char **name)
{
	int sp = 0, n = 0;

	while (line[sp] == ' ')
		sp++;
	if (sscanf(line + sp, "%" SCNx64 "-%" SCNx64 " : %n", start, end, &n) < 2 || !n)
		return false;
	*depth = sp / 2;
	*name = line + sp + n;
	return true;
}

/* dev_name() of a virtio device: "virtio" and its index */
static bool is_virtio_name(const char *name)
{
	size_t n;

	if (strncmp(name, "virtio", 6))
		return false;
	n = strspn(name + 6, "0123456789");
	return n && name[6 + n] == '\0';
}

/*
 * /proc/iomem's virtio-mem devices into d->dyn; 0, or -errno (no file:
 * no groups).  Addresses all 0: a reader without CAP_SYS_ADMIN
 * (kernel/resource.c r_show()), said once.
 */
static int dyn_read(struct hmd *d)
{
	unsigned long unit_pages = 0;
	int vdepth = -1, depth, r = 0;
	uint64_t vstart = 0, vend = 0, start, end;
	bool added = false, hidden = false;
	char line[256];
	const char *name;
	FILE *f;

	d->dyn.n = 0;
	f = hmd_iomem_open(d);
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!iomem_line(line, &depth, &start, &end, &name))
			continue;
		if (vdepth >= 0 && depth <= vdepth)
			vdepth = -1; /* left the device's region */
		if (is_virtio_name(name)) {
			vdepth = depth;
			vstart = start;
			vend = end;
			added = false;
			hidden = hidden || (!start && !end);
		} else if (vdepth >= 0 && depth == vdepth + 1 && !added &&
			   !strcmp(name, "System RAM (virtio_mem)") && (vstart || vend)) {
			dyn_add(d, vstart, vend, &unit_pages);
			added = true;
		}
	}
	if (ferror(f))
		r = -EIO;
	hmd_iomem_done(d, f);
	if (hidden && !d->dyn.warned_hidden)
		hmd_log(d, LOG_WARNING,
			"%s shows no addresses (read without CAP_SYS_ADMIN): virtio-mem blocks are decided alone, not with their device's memory group",
			d->iomem_path);
	d->dyn.warned_hidden = d->dyn.warned_hidden || hidden;
	return r;
}

/* the groups' sums from the blocks, after a new table; a group's node is its first online block's */
static void dyn_recount(struct hmd *d)
{
	int i, nid;

	for (i = 0; i < d->dyn.n; i++) {
		nid = hmd_group_count_online(d, d->dyn.lo[i], d->dyn.hi[i], &d->dyn.g[i]);
		if (d->dyn.g[i].nid == HMD_NUMA_NO_NODE)
			d->dyn.g[i].nid = nid;
	}
}

void hmd_dyn_zero(struct hmd *d)
{
	int i;

	for (i = 0; i < d->dyn.n; i++) {
		d->dyn.g[i].present_movable_pages = 0;
		d->dyn.g[i].present_kernel_pages = 0;
	}
}

static void dyn_refresh(struct hmd *d)
{
	int r = dyn_read(d);

	if (r && r != -ENOENT)
		hmd_log(d, LOG_WARNING, "%s: %s: virtio-mem blocks are decided alone",
			d->iomem_path, strerror(-r));
	d->dyn.stale = false;
	/*
	 * A table that could not be read is empty (a virtio-mem device's
	 * req_kernel_early_pages may be missing): it is read again at the
	 * first DIMM decision after the next settle (hmd_dyn_invalidate()),
	 * as every burst read it before 54238a6c.  The burst's other DIMM
	 * decisions go without the groups' reserve, as this one does: an
	 * unreadable file read at each would warn at each (reread19-rest F1,
	 * reread20 G7)
	 */
	d->dyn.outside_online = r && r != -ENOENT;
	dyn_recount(d);
}

/*
 * Is block @id inside a virtio-mem device's region (/proc/iomem read again
 * if stale)?  Its memory was added by add_memory_driver_managed(), never at
 * boot: bootblocks.c leaves it out of boot memory.
 */
bool hmd_dyn_block(struct hmd *d, unsigned long id)
{
	if (d->dyn.stale)
		dyn_refresh(d);
	return dyn_index(d, id) >= 0;
}

/*
 * A block with a firmware_node is an ACPI memory device's (a DIMM's,
 * acpi_bind_memory_blocks()), never a virtio-mem device's, whose memory
 * add_memory_driver_managed() adds with no ACPI companion: /proc/iomem
 * need not be read again for it (fr3 2).  Asked only where
 * memory_groups = firmware, where hmd_block_group() reads the link next
 * anyway: no request more for a DIMM's block.
 */
static bool dimm_block(struct hmd *d, unsigned long id)
{
	return d->cfg.groups == HMD_GROUPS_FIRMWARE && hmd_block_fwnode(d, id);
}

/*
 * The dynamic group of block @id, NULL: none.  For a unit of more than one
 * block (BBM), @req gets what auto_movable_zone_for_pfn() reads of the
 * unit's other sections: their online Movable pages, or that one is not
 * Movable.
 */
const struct hmd_group *hmd_dyn_group(struct hmd *d, unsigned long id, struct hmd_block_req *req)
{
	const struct hmd_group *g;
	unsigned long per_unit, base, i;
	int k;

	/*
	 * A DIMM's block is in no dynamic group, and the groups' sums were
	 * kept block by block since the table was read: it is read again
	 * for it only when online memory outside the table may be a
	 * virtio-mem device's (hmd_dyn_account()), whose req_kernel_early_pages
	 * the decision reserves (6.12 auto_movable_can_online_movable()).
	 * Once a burst it was read anyway, two READs of /proc/iomem an ADD
	 * of a single DIMM on hotmemfs.
	 */
	if (d->dyn.stale && !d->dyn.outside_online && dimm_block(d, id))
		return NULL;
	if (d->dyn.stale)
		dyn_refresh(d);
	k = dyn_index(d, id);
	if (k < 0 && !d->dyn.missed && !dimm_block(d, id)) {
		/* a device probed since the burst began: read once more */
		d->dyn.missed = true;
		dyn_refresh(d);
		k = dyn_index(d, id);
	}
	if (k < 0)
		return NULL;
	g = &d->dyn.g[k];
	per_unit = g->unit_pages / d->block_pages;
	if (per_unit <= 1)
		return g;
	base = id - id % per_unit;
	for (i = base; i < base + per_unit && i < d->nblk; i++) {
		const struct hmd_block *b = &d->blk[i];

		if (!b->present || !b->online)
			continue;
		if (b->zone != HMD_ZONE_MOVABLE)
			req->unit_has_kernel = true;
		else
			req->unit_online_pages += d->block_pages;
	}
	return g;
}
