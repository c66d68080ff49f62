// SPDX-License-Identifier: GPL-2.0
/*
 * drivers/firmware/memmap.c: /sys/firmware/memmap, the firmware's memory
 * map as booted (e820: "System RAM", "Reserved") and the "System RAM" that
 * add_memory() hot-adds (firmware_map_add_hotplug()): a DIMM's, a probed
 * block's — never driver-managed memory such as virtio-mem's.  Entries are
 * numbered in the order they come and a number is never reused
 * (map_entries_nr).  The same boot table gives /proc/iomem its boot
 * resources (arch/x86/kernel/e820.c e820__reserve_resources()).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int firmware_map_add_entry(struct hotmem *hm, uint64_t start, uint64_t end,
				  const char *type)
{
	struct firmware_map_entry *e;
	int ret;

	if (hm->fw_map_used == hm->fw_map_cap) {
		ret = hm_array_resize(hm, (void **)&hm->fw_map, &hm->fw_map_cap, hm->fw_map_used,
				      sizeof(*e), hm->fw_map_cap ? hm->fw_map_cap * 2 : 16);
		if (ret)
			return ret;
	}
	e = &hm->fw_map[hm->fw_map_used++];
	*e = (struct firmware_map_entry){ hm->fw_map_entries_nr++, start, end, type };
	return 0;
}

/*
 * The firmware's e820 table: the profile's (hotmem_config.e820), else one
 * made from the boot ranges -- each a RAM entry, joined where they meet
 * (one entry across nodes), a hole below 1 MiB reserved.  Sorted by
 * address as the boot ranges are.  How many entries.
 */
static int e820_firmware_table(const struct hotmem_config *cfg, struct hm_e820_entry *t)
{
	uint64_t prev_end = 0;
	int nr = 0;

	if (cfg->nr_e820) {
		memcpy(t, cfg->e820, cfg->nr_e820 * sizeof(*t));
		return cfg->nr_e820;
	}
	for (int i = 0; i < cfg->nr_boot_ranges; i++) {
		const struct hm_boot_range *b = &cfg->boot[i];

		if (b->start > prev_end && b->start <= 0x100000)
			t[nr++] = (struct hm_e820_entry){ prev_end, b->start, false, HM_E820_PLAIN };
		if (nr && t[nr - 1].ram && t[nr - 1].end == b->start)
			t[nr - 1].end = b->end;
		else
			t[nr++] = (struct hm_e820_entry){ b->start, b->end, true, HM_E820_PLAIN };
		prev_end = b->end;
	}
	return nr;
}

int hotmem_config_e820_table(const struct hotmem_config *cfg, struct hm_e820_entry *t)
{
	return e820_firmware_table(cfg, t);
}

/* 6.12 e820_type_to_string(): "System RAM", "Reserved", "ACPI Tables", ... */
static const char *e820_type_to_string(const struct hm_e820_entry *e)
{
	return hotmem_e820_name(e);
}

/*
 * 6.12 arch/x86/kernel/e820.c do_mark_busy(): whether the resource of an
 * entry starting at @start is inserted IORESOURCE_BUSY.  Below 1 MiB all
 * are (the BIOS's ROM shadow and MMIO); above, the reserved ones are not
 * (E820_TYPE_RESERVED, and SOFT_RESERVED, PRAM, PMEM, which hotmem does
 * not model): "device memory", for a driver to claim, so that
 * __request_region() descends into them.  RAM, ACPI data, ACPI NVS and
 * unusable are busy.  (6.16 renamed it e820_device_region(), negated.)
 */
static bool do_mark_busy(const struct hm_e820_entry *type, uint64_t start)
{
	if (start < BIOS_END)
		return true;
	return type->ram || type->type != HM_E820_PLAIN;
}

/* one resource of the kernel's table, joined to the one before of its type (e820__update_table()) */
static void e820_res_add(struct hotmem *hm, uint64_t start, uint64_t end,
			 const struct hm_e820_entry *type)
{
	struct e820_res *last = hm->nr_e820_res ? &hm->e820_res[hm->nr_e820_res - 1] : NULL;
	const char *name = e820_type_to_string(type);

	if (start >= end)
		return;
	/* joined, it keeps the first one's start: busy as that start says, as the kernel's */
	if (last && last->end + 1 == start && last->name == name)
		last->end = end - 1;
	else
		hm->e820_res[hm->nr_e820_res++] = (struct e820_res){
			start, end - 1, name, type->ram, do_mark_busy(type, start)
		};
}

/*
 * 6.12 kernel/resource.c __request_region_locked() of [start, start +
 * size) from iomem_resource, as far as the boot resources decide it:
 * __request_resource() gives the first resource the range meets as the
 * conflict; a busy one refuses it (-EBUSY), a not busy one becomes the
 * parent and the request goes on inside it, where it fails unless the
 * range lies wholly inside (__request_resource() then gives the parent
 * itself back).  Every way memory is hot-added asks this one question:
 * register_memory_resource() for a DIMM, a probe, add_memory_driver_managed(),
 * and virtio_mem_create_resource() for a device's region.  The memory
 * hot-added before, and the virtio-mem regions, are the caller's to check.
 *
 * Returns 0 with *@parent the boot resource the range nests under (NULL:
 * none, a child of the root), or -EBUSY with *@end_busy the end
 * (exclusive) of the boot resource that refuses it.
 */
int e820_request_region(const struct hotmem *hm, uint64_t start, uint64_t size,
			const struct e820_res **parent, uint64_t *end_busy)
{
	const uint64_t last = start + size - 1;

	*parent = NULL;
	for (unsigned int i = 0; i < hm->nr_e820_res; i++) {
		const struct e820_res *r = &hm->e820_res[i];

		if (r->end < start || r->start > last)
			continue;
		if (!r->busy && r->start <= start && last <= r->end) {
			*parent = r;
			return 0;
		}
		*end_busy = r->end + 1;
		return -EBUSY;
	}
	return 0;
}

/*
 * 6.12 arch/x86/kernel/e820.c e820__reserve_resources() of the table
 * setup_arch()'s trim_bios_range() left (arch/x86/kernel/setup.c): the
 * first page is the BIOS's, not RAM ("e820: update [mem
 * 0x00000000-0x00000fff] usable ==> reserved"), and RAM in the BIOS area
 * [640 KiB, 1 MiB) is removed.  Every entry is a resource of /proc/iomem,
 * the reserved ones above 1 MiB too (e820__reserve_resources_late()
 * inserts those, not busy).  Not modelled: its "RAM buffer" resources
 * after a RAM end not 64 MiB-aligned (the QEMU machines' fall inside
 * their reserved entries).  At most three resources an entry of a table
 * of at most E820_TABLE_MAX: E820_RES_MAX.
 */
static void e820__reserve_resources(struct hotmem *hm, const struct hm_e820_entry *t, int nr)
{
	static const struct hm_e820_entry reserved = { 0, 0, false, HM_E820_PLAIN };

	hm->nr_e820_res = 0;
	for (int i = 0; i < nr; i++) {
		uint64_t start = t[i].start, end = t[i].end;

		if (!t[i].ram) {
			e820_res_add(hm, start, end, &t[i]);
			continue;
		}
		if (start < PAGE_SIZE) {
			e820_res_add(hm, start, end < PAGE_SIZE ? end : PAGE_SIZE, &reserved);
			start = PAGE_SIZE;
		}
		e820_res_add(hm, start, end < BIOS_BEGIN ? end : BIOS_BEGIN, &t[i]);
		e820_res_add(hm, start > BIOS_END ? start : BIOS_END, end, &t[i]);
	}
}

/*
 * 6.12 arch/x86/kernel/e820.c e820__memory_setup()'s "BIOS-provided
 * physical RAM map:" and e820__print_table("BIOS-e820"): the firmware's
 * table as it came, before trim_bios_range() -- each entry pr_info("%s:
 * [mem %#018Lx-%#018Lx] ") then e820_print_type()'s word by pr_cont(),
 * one line.  The kernel's %#018Lx says 0x also for 0, glibc's does not:
 * 0x%016llx.  The first lines of the boot log (setup_arch() prints them
 * before any reservation), where a dump's from-sysfs finds the table
 * when it has no sys/firmware/memmap.
 */
void e820__print_table(struct hotmem *hm)
{
	struct hm_e820_entry t[E820_TABLE_MAX];
	int nr = e820_firmware_table(&hm->cfg, t);

	pr_info(hm, "BIOS-provided physical RAM map:");
	for (int i = 0; i < nr; i++)
		pr_info(hm, "BIOS-e820: [mem 0x%016llx-0x%016llx] %s", (unsigned long long)t[i].start,
			(unsigned long long)t[i].end - 1, hotmem_e820_word(&t[i]));
}

/*
 * 6.12 arch/x86/kernel/setup.c trim_bios_range()'s two lines, right
 * after the table (setup_arch() prints nothing of hotmem's between): it
 * calls e820__range_update(0, PAGE_SIZE, E820_TYPE_RAM,
 * E820_TYPE_RESERVED) -- page 0 is the BIOS's -- and
 * e820__range_remove(BIOS_BEGIN, BIOS_END - BIOS_BEGIN, E820_TYPE_RAM,
 * true) -- no RAM in 640K-1M --, and each prints its range first,
 * whatever the table holds there: printk(KERN_DEBUG "e820: update [mem
 * %#010Lx-%#010Lx] ") then e820_print_type() of the old type, " ==> ",
 * the new; "e820: remove [mem %#010Lx-%#010Lx] " and, check_type set, the
 * old type's word.  A 6.12.117 qemu-512m guest's log has them so
 * (tests/fixtures/boot-map/).  The kernel's %#010Lx says 0x also for 0,
 * glibc's does not: 0x%08llx.  What they do to the table is
 * e820__reserve_resources()'s.
 */
void trim_bios_range(struct hotmem *hm)
{
	static const struct hm_e820_entry ram = { 0, 0, true, HM_E820_PLAIN };
	static const struct hm_e820_entry reserved = { 0, 0, false, HM_E820_PLAIN };

	pr_debug(hm, "e820: update [mem 0x%08llx-0x%08llx] %s ==> %s", 0ULL,
		 (unsigned long long)PAGE_SIZE - 1, hotmem_e820_word(&ram),
		 hotmem_e820_word(&reserved));
	pr_debug(hm, "e820: remove [mem 0x%08llx-0x%08llx] %s", BIOS_BEGIN, BIOS_END - 1,
		 hotmem_e820_word(&ram));
}

/*
 * The boot's maps: /proc/iomem's boot resources from the kernel's table,
 * and firmware_map_add_early() for each entry of the firmware's
 * (e820_table_kexec: trim_bios_range() does not touch it, so the guest's
 * firmware/memmap/0 is RAM from 0 where /proc/iomem reserves page 0).
 */
int firmware_map_init(struct hotmem *hm)
{
	struct hm_e820_entry t[E820_TABLE_MAX];
	int nr = e820_firmware_table(&hm->cfg, t);
	int ret = 0;

	e820__reserve_resources(hm, t, nr);
	for (int i = 0; i < nr && !ret; i++)
		ret = firmware_map_add_entry(hm, t[i].start, t[i].end - 1, e820_type_to_string(&t[i]));
	return ret;
}

/* firmware_map_add_hotplug(): a failure costs the entry, never the hot-add */
void firmware_map_add_hotplug(struct hotmem *hm, uint64_t start, uint64_t end)
{
	if (firmware_map_add_entry(hm, start, end - 1, "System RAM"))
		pr_err(hm, "firmware_map_add_hotplug: no memory for [%#llx-%#llx]",
		       (unsigned long long)start, (unsigned long long)end - 1);
}

/* firmware_map_remove(): only an entry of exactly this range goes */
void firmware_map_remove(struct hotmem *hm, uint64_t start, uint64_t end)
{
	for (unsigned long i = 0; i < hm->fw_map_used; i++) {
		struct firmware_map_entry *e = &hm->fw_map[i];

		if (e->start == start && e->end == end - 1 && !strcmp(e->type, "System RAM")) {
			memmove(e, e + 1, (hm->fw_map_used - i - 1) * sizeof(*e));
			hm->fw_map_used--;
			return;
		}
	}
}

void firmware_map_destroy(struct hotmem *hm)
{
	if (hm->fw_map)
		hm_free(hm, hm->fw_map, hm->fw_map_cap * sizeof(*hm->fw_map));
	hm->fw_map = NULL;
	hm->fw_map_cap = hm->fw_map_used = 0;
}

size_t hotmem_firmware_map(struct hotmem *hm, struct hm_fwmap_entry *ents, size_t max)
{
	size_t n;

	lock_device_hotplug(hm);
	n = hm->fw_map_used;
	for (size_t i = 0; i < n && i < max; i++) {
		ents[i] = (struct hm_fwmap_entry){ .index = hm->fw_map[i].index,
						   .start = hm->fw_map[i].start,
						   .end = hm->fw_map[i].end };
		snprintf(ents[i].type, sizeof(ents[i].type), "%s", hm->fw_map[i].type);
	}
	unlock_device_hotplug(hm);
	return n;
}

uint64_t hotmem_maps_gen(struct hotmem *hm)
{
	return atomic_load_explicit(&hm->maps_gen, memory_order_acquire);
}
