// SPDX-License-Identifier: GPL-2.0
/*
 * drivers/firmware/memmap.c: /sys/firmware/memmap, the firmware's memory
 * map as booted (e820: "System RAM", "Reserved") and the "System RAM" that
 * add_memory() hot-adds (firmware_map_add_hotplug()): a DIMM's, a probed
 * block's — never driver-managed memory such as virtio-mem's.  Entries are
 * numbered in the order they come and a number is never reused
 * (map_entries_nr).
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

/* firmware_map_add_early() for each e820 entry: below 1 MiB, holes are Reserved */
int firmware_map_init(struct hotmem *hm)
{
	uint64_t prev_end = 0;
	int ret = 0;

	for (int i = 0; i < hm->cfg.nr_boot_ranges && !ret; i++) {
		const struct hm_boot_range *b = &hm->cfg.boot[i];
		struct firmware_map_entry *last;

		if (b->start > prev_end && b->start <= 0x100000)
			ret = firmware_map_add_entry(hm, prev_end, b->start - 1, "Reserved");
		if (ret)
			break;
		last = hm->fw_map_used ? &hm->fw_map[hm->fw_map_used - 1] : NULL;
		if (last && last->end + 1 == b->start && !strcmp(last->type, "System RAM"))
			last->end = b->end - 1;	/* one e820 entry across nodes */
		else
			ret = firmware_map_add_entry(hm, b->start, b->end - 1, "System RAM");
		prev_end = b->end;
	}
	hm->fw_map_boot_nr = hm->fw_map_used;	/* /proc/iomem's boot part */
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

	pthread_mutex_lock(&hm->device_hotplug_lock);
	n = hm->fw_map_used;
	for (size_t i = 0; i < n && i < max; i++) {
		ents[i] = (struct hm_fwmap_entry){ .index = hm->fw_map[i].index,
						   .start = hm->fw_map[i].start,
						   .end = hm->fw_map[i].end };
		snprintf(ents[i].type, sizeof(ents[i].type), "%s", hm->fw_map[i].type);
	}
	pthread_mutex_unlock(&hm->device_hotplug_lock);
	return n;
}

uint64_t hotmem_maps_gen(struct hotmem *hm)
{
	return atomic_load_explicit(&hm->maps_gen, memory_order_acquire);
}
