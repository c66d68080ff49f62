// SPDX-License-Identifier: MIT
/*
 * hotmemd: which blocks are boot memory, and the state_dir/boot-blocks file.
 *
 * boot_blocks = LIST names them; boot_blocks = auto takes the blocks online
 * when hotmemd first ran since boot, less those it can tell were hot-added
 * (hot_added()), and remembers them, with the zone offsets anchored then
 * (blocks.c), in state_dir/boot-blocks.  A dry run reads that file but
 * never creates it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "hotmemd.h"

/* id in a sysfs list like "0-23,32-199" (boot_blocks, node/possible) */
bool hmd_in_list(const char *s, unsigned long id)
{
	unsigned long a, b;
	char *end;

	while (*s) {
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (id >= a && id <= b)
			return true;
		if (*end != ',')
			break;
		s = end + 1;
	}
	return false;
}

static void format_list(struct hmd *d, FILE *f)
{
	unsigned long i, start = 0;
	bool in = false, first = true;

	for (i = 0; i <= d->nblk; i++) {
		bool boot = i < d->nblk && d->blk[i].present && d->blk[i].boot;

		if (boot && !in) {
			start = i;
			in = true;
		} else if (!boot && in) {
			fprintf(f, "%s%lu", first ? "" : ",", start);
			if (i - 1 > start)
				fprintf(f, "-%lu", i - 1);
			first = false;
			in = false;
		}
	}
	fputc('\n', f);
}

/*
 * state_dir/boot-blocks: line 1 the boot block list, then one line per node
 * "node N kernel_offset K movable_offset M".  Both describe boot memory, so
 * they hold until reboot (/run is then empty); restarts and rescans reuse
 * them instead of re-reading zoneinfo, which on a plain-file sysroot never
 * changes.
 */
static void save_state(struct hmd *d, const char *path)
{
	char tmp[HMD_PATH_MAX + 64];
	FILE *f;
	int n;

	if (mkdir(d->cfg.state_dir, 0755) && errno != EEXIST)
		goto fail;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		goto fail;
	format_list(d, f);
	for (n = 0; n < d->nr_nodes && n < HMD_MAX_NODES; n++)
		fprintf(f, "node %d kernel_offset %ld movable_offset %ld\n", n, d->kernel_offset[n],
			d->movable_offset[n]);
	if (fclose(f) || rename(tmp, path))
		goto fail;
	return;
fail:
	hmd_log(d, LOG_WARNING, "cannot remember boot memory in %s: %m", path);
}

static bool load_state(struct hmd *d, const char *path, char *list, size_t len)
{
	char line[128];
	long k, m;
	int n;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(list, len, f)) {
		fclose(f);
		return false;
	}
	list[strcspn(list, "\n")] = '\0';
	memset(d->kernel_offset, 0, sizeof(d->kernel_offset));
	memset(d->movable_offset, 0, sizeof(d->movable_offset));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "node %d kernel_offset %ld movable_offset %ld", &n, &k, &m) != 3 ||
		    n < 0 || n >= HMD_MAX_NODES)
			continue;
		d->kernel_offset[n] = k;
		d->movable_offset[n] = m;
		if (n + 1 > d->nr_nodes)
			d->nr_nodes = n + 1;
	}
	fclose(f);
	return true;
}

/* what hmd_mark_boot_blocks() took at a first start, for its log line */
struct boot_count {
	unsigned long boot, acpi, vmem;
	/*
	 * the lowest block, boot RAM, is linked: links say nothing (acpi
	 * counts the boot blocks linked then); its id
	 */
	bool acpi_boot;
	unsigned long lowest;
};

/*
 * Online block @id at the first start: hot-added, so not boot memory?
 * The kernel's KERNEL_EARLY is zone->present_early_pages, which counts
 * early sections only (6.12 adjust_present_page_count(): early_section(),
 * the sections sparse_init() made from the boot memory map).  A block
 * linked to an ACPI memory device (memoryN/firmware_node -> PNP0C80) was
 * added by acpi_memory_device_add() -> __add_memory(), at boot too for a
 * cold-plugged QEMU DIMM, never early -- unless the firmware lists boot
 * RAM as PNP0C80 too (__add_memory() -EEXIST, bound all the same,
 * acpi_memory_enable_device()): then the links tell nothing (@c->acpi_boot,
 * boot_ram_linked()).  A block inside a virtio-mem device's region in
 * /proc/iomem was added by add_memory_driver_managed().
 */
static bool hot_added(struct hmd *d, unsigned long id, struct boot_count *c)
{
	if (hmd_block_fwnode(d, id)) {
		c->acpi++;
		return !c->acpi_boot;
	}
	if (hmd_dyn_block(d, id)) {
		c->vmem++;
		return true;
	}
	return false;
}

/*
 * Does the firmware list boot RAM as ACPI memory devices?  The lowest
 * block is boot RAM (the memory the kernel booted in; QEMU and hotplug
 * ranges put hot-pluggable memory above it, pc-dimm in the device memory
 * region): linked, the links mark boot RAM too.  Taking every linked block
 * as hot-added there left no boot memory at all (finalG 6): KERNEL_EARLY
 * near 0, and auto-movable put every hot-added block in a kernel zone.
 */
static bool boot_ram_linked(struct hmd *d, struct boot_count *c)
{
	unsigned long i;

	for (i = 0; i < d->nblk && !d->blk[i].present; i++)
		;
	c->lowest = i;
	return i < d->nblk && hmd_block_fwnode(d, i);
}

static void say_boot_count(struct hmd *d, const struct boot_count *c)
{
	if (c->acpi_boot) {
		hmd_log(d, LOG_WARNING,
			"boot memory: memory%lu, the lowest block, is linked to an ACPI memory device: this firmware describes boot RAM as PNP0C80 devices too, so a link does not tell hot-added memory; %lu online blocks taken as boot memory (%lu of them linked), %lu of virtio-mem devices left out; memory hot-added and onlined before hotmemd first ran counts as boot memory too: set boot_blocks = LIST to the blocks present at boot if there was such",
			c->lowest, c->boot, c->acpi, c->vmem);
		return;
	}
	hmd_log(d, LOG_NOTICE,
		"boot memory: %lu online blocks taken as boot memory, %lu left out as hot-added (%lu of ACPI memory devices, %lu of virtio-mem devices: never early memory); boot_blocks = LIST names them",
		c->boot, c->acpi + c->vmem, c->acpi, c->vmem);
}

void hmd_mark_boot_blocks(struct hmd *d)
{
	struct boot_count count = { 0 };
	char path[HMD_PATH_MAX + 32], list[4096] = "";
	const char *spec = d->cfg.boot_blocks;
	bool auto_spec = !strcmp(spec, "auto");
	bool have = false;
	unsigned long i;

	snprintf(path, sizeof(path), "%s/boot-blocks", d->cfg.state_dir);
	if (d->cfg.state_dir[0])
		have = load_state(d, path, list, sizeof(list));
	if (auto_spec && !have)
		count.acpi_boot = boot_ram_linked(d, &count);
	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];

		if (!b->present)
			continue;
		if (!auto_spec)
			b->boot = hmd_in_list(spec, i);
		else if (have)
			b->boot = hmd_in_list(list, i);
		else /* first run since boot */
			b->boot = b->online && !hot_added(d, i, &count);
		count.boot += b->boot;
	}
	hmd_blocks_recount(d);
	if (have)
		return;
	if (auto_spec)
		say_boot_count(d, &count);
	hmd_anchor_zoneinfo(d);
	if (!d->cfg.state_dir[0])
		return;
	/*
	 * A dry run reads an anchor but never makes one: the next real start
	 * trusts this file as boot memory, and a dry run made after memory
	 * was hot-added and onlined would record that memory as boot memory.
	 */
	if (d->cfg.dry_run) {
		hmd_log(d, LOG_INFO, "dry run: boot memory not recorded in %s", path);
		return;
	}
	save_state(d, path);
}
