/* SPDX-License-Identifier: GPL-2.0 */
/* hotmem profile --from-sysfs: the boot's memblock reservations a dump shows */
#ifndef HOTMEM_FROM_SYSFS_BOOT_H
#define HOTMEM_FROM_SYSFS_BOOT_H

#include <stdbool.h>
#include <stdio.h>

#include "hotmem.h"

struct fs_boot {
	bool image;		/* proc/iomem shows the kernel image (its Kernel lines, root's view) */
	bool unplaced;		/* ... it has one, its lines read 0 (a user's view) */
	bool written;		/* kernel_image written */
	bool memory_line;	/* the dump's dmesg has mem_init_print_info()'s line */
	unsigned long reserved_k;	/* ... its "NK reserved" */
	bool memtotal;		/* the dump's proc/meminfo */
	unsigned long memtotal_k;
};

/*
 * The kernel_image, brk, initrd and swiotlb lines DIR shows (proc/iomem's
 * Kernel lines, DIR/dmesg's; brk with memblock=debug's line), to @out after the profile's ram and e820
 * lines: @so_far is the profile up to there, what they are checked with.
 * What is not carried goes to @notes, a line each.
 */
void fs_boot_keys(const char *dir, const char *so_far, FILE *out, FILE *notes, struct fs_boot *b);

/*
 * After the whole profile @text: realmode and boot_reserved, calibrated
 * against the dump's "Memory:" line (else its MemTotal) by booting @text.
 */
void fs_boot_calibrate(const struct fs_boot *b, const char *text, FILE *out, FILE *notes);

/*
 * The served vm sysctls (uapi's HMU_VM_SYSCTLS()) as a boot of a profile
 * leaves them, the command line's sysctl.vm.* words applied at its end
 * (do_sysctl_args()): what from-sysfs holds a dump's against -- the one
 * decider of what a line boots (reread35 R4: its word matchers knew two
 * of the nine)
 */
struct fs_vm {
	unsigned long pool, pool_node[HM_MAX_NUMNODES];	/* the 2 MiB hstate's nr_hugepages */
	unsigned long overcommit;
	int hvo;			/* hugetlb_optimize_vmemmap */
	unsigned long min_free_kbytes;
	int wsf, ratio[HM_MAX_NR_ZONES];
	int wbf;			/* watermark_boost_factor */
	int pphf;			/* percpu_pagelist_high_fraction */
	unsigned long user_reserve_kbytes, admin_reserve_kbytes;
};

/* @text, a whole profile, booted: its vm sysctls; false, said in @err, when refused */
bool fs_boot_vm(const char *text, struct fs_vm *vm, char *err, size_t errlen);

/*
 * The firmware's hotplug memory range, as a QEMU guest's log says it
 * (6.12 acpi_numa_memory_affinity_init(): "ACPI: SRAT: Node N PXM P [mem
 * S-E] hotplug"; QEMU's build_srat() writes one over its device-memory
 * region): [*@start, *@end) over every such line of DIR/dmesg; false
 * without one
 */
bool fs_srat_hotplug(const char *dir, unsigned long long *start, unsigned long long *end);

/* one BIOS-e820 line of a dump's dmesg: [start, end) and e820_print_type()'s word */
struct fs_e820_line {
	unsigned long long start, end;
	char word[32];
};

/*
 * The firmware's e820 table as the boot log says it (6.12
 * e820__print_table("BIOS-e820"): "BIOS-e820: [mem S-E] usable"), the
 * first run of such lines of DIR/dmesg, at most @max: how many, 0 for
 * none (no DIR/dmesg, or a ring that wrapped past them)
 */
int fs_bios_e820(const char *dir, struct fs_e820_line *t, int max);

#endif
