// SPDX-License-Identifier: GPL-2.0
/*
 * The memory the overcommit check keeps back for users and for root
 * (mm/mmap.c, 6.12): vm.user_reserve_kbytes and vm.admin_reserve_kbytes,
 * set at boot from the free memory then (init_user_reserve(),
 * init_admin_reserve(), subsys_initcalls) and kept in step with memory
 * hotplug by reserve_mem_notifier().  Nothing here overcommits: the
 * values are what the two sysctls read and what the notifier logs.
 * Atomic, as the kernel's sysctl writes take no lock: a write never waits
 * behind an offline (the notifier runs under device_hotplug_lock).
 */
#include "internal.h"

#define pr_fmt_mmap "mmap: "
/* include/linux/sizes.h: the default maxima, in KiB */
#define SZ_8K	0x2000UL
#define SZ_128K	0x20000UL

/* K(global_zone_page_state(NR_FREE_PAGES)): isolated pageblocks are not counted (6.10+) */
static unsigned long free_kbytes(struct hotmem *hm)
{
	unsigned long pages = 0;

	for (int nid = 0; nid < hm->nr_possible_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(hm, nid);

		for (int zid = 0; pgdat && zid < MAX_NR_ZONES; zid++) {
			struct zone *z = &pgdat->node_zones[zid];

			pthread_mutex_lock(&z->lock);
			pages += zone_free_pages(z);
			pthread_mutex_unlock(&z->lock);
		}
	}
	return pages << (PAGE_SHIFT - 10);
}

/* init_user_reserve(): the smaller of 3% of free memory and 128 MiB */
static void init_user_reserve(struct hotmem *hm)
{
	atomic_store(&hm->sysctl_user_reserve_kbytes, min(free_kbytes(hm) / 32, SZ_128K));
}

/* init_admin_reserve(): the smaller of 3% of free memory and 8 MiB */
static void init_admin_reserve(struct hotmem *hm)
{
	atomic_store(&hm->sysctl_admin_reserve_kbytes, min(free_kbytes(hm) / 32, SZ_8K));
}

/*
 * reserve_mem_notifier(): memory added, a value below its default maximum
 * and not 0 -- one the operator did not turn off or raise past it -- is
 * computed again from the free memory; memory removed, a value above the
 * free memory is reset and said at KERN_INFO.  NOTIFY_OK always.
 */
static int reserve_mem_notifier(struct hotmem *hm, unsigned long action,
				const struct memory_notify *arg, void *data)
{
	unsigned long tmp, free;

	(void)arg;
	(void)data;
	switch (action) {
	case HM_MEM_ONLINE:
		/* Default max is 128MB. Leave alone if modified by operator. */
		tmp = atomic_load(&hm->sysctl_user_reserve_kbytes);
		if (tmp > 0 && tmp < SZ_128K)
			init_user_reserve(hm);
		/* Default max is 8MB.  Leave alone if modified by operator. */
		tmp = atomic_load(&hm->sysctl_admin_reserve_kbytes);
		if (tmp > 0 && tmp < SZ_8K)
			init_admin_reserve(hm);
		break;
	case HM_MEM_OFFLINE:
		free = free_kbytes(hm);
		if (atomic_load(&hm->sysctl_user_reserve_kbytes) > free) {
			init_user_reserve(hm);
			pr_info(hm, pr_fmt_mmap "vm.user_reserve_kbytes reset to %lu",
				atomic_load(&hm->sysctl_user_reserve_kbytes));
		}
		if (atomic_load(&hm->sysctl_admin_reserve_kbytes) > free) {
			init_admin_reserve(hm);
			pr_info(hm, pr_fmt_mmap "vm.admin_reserve_kbytes reset to %lu",
				atomic_load(&hm->sysctl_admin_reserve_kbytes));
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * mm/mmap.c's three subsys_initcalls, in its order: the reserves from the
 * free memory of the booted machine, then init_reserve_notifier()'s
 * hotplug_memory_notifier(reserve_mem_notifier, DEFAULT_CALLBACK_PRI)
 */
void mmap_reserve_init(struct hotmem *hm)
{
	init_user_reserve(hm);
	init_admin_reserve(hm);
	hm->reserve_mem_nb = (struct notifier_block){ .notifier_call = reserve_mem_notifier,
						     .priority = DEFAULT_CALLBACK_PRI };
	register_memory_notifier(hm, &hm->reserve_mem_nb);
}

unsigned long hotmem_user_reserve_kbytes(struct hotmem *hm)
{
	return atomic_load(&hm->sysctl_user_reserve_kbytes);
}

unsigned long hotmem_admin_reserve_kbytes(struct hotmem *hm)
{
	return atomic_load(&hm->sysctl_admin_reserve_kbytes);
}

/* proc_doulongvec_minmax() without extra1/extra2: any unsigned long is taken */
void hotmem_set_user_reserve_kbytes(struct hotmem *hm, unsigned long kbytes)
{
	atomic_store(&hm->sysctl_user_reserve_kbytes, kbytes);
}

void hotmem_set_admin_reserve_kbytes(struct hotmem *hm, unsigned long kbytes)
{
	atomic_store(&hm->sysctl_admin_reserve_kbytes, kbytes);
}
