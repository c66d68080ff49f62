// SPDX-License-Identifier: GPL-2.0
/*
 * The machine-wide vm counters /proc/vmstat shows beside the zone and
 * node state (mm/vmstat.c, 6.18): the vm events the engine's paths count
 * (count_vm_events() where the kernel's do) and the memmap's pages by
 * where they came from (memmap_pages_add(), memmap_boot_pages_add()).
 * Lock-free: an event is counted on paths holding different locks, and a
 * reader takes none, as all_vm_events() sums per-CPU counters.
 */
#include <string.h>

#include "internal.h"

void count_vm_events(struct hotmem *hm, enum hm_vm_event item, unsigned long delta)
{
	atomic_fetch_add_explicit(&hm->vm_events[item], delta, memory_order_relaxed);
}

void hotmem_vmstat(struct hotmem *hm, struct hm_vmstat *vs)
{
	long boot = atomic_load(&hm->memmap_boot_pages);
	long all = atomic_load(&hm->memmap_pages);

	memset(vs, 0, sizeof(*vs));
	for (int i = 0; i < HM_NR_VM_EVENTS; i++)
		vs->events[i] = atomic_load_explicit(&hm->vm_events[i], memory_order_relaxed);
	/* global_stat() reads a counter gone transiently negative as 0 */
	vs->memmap_boot_pages = boot > 0 ? (unsigned long)boot : 0;
	vs->memmap_pages = all > boot ? (unsigned long)(all - boot) : 0;
}
