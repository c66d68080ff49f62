/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The zones' numbering (include/linux/mmzone.h enum zone_type, x86_64:
 * ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, ZONE_DEVICE), alone and
 * without any include so that BPF programs, which cannot include libc's
 * headers beside vmlinux.h, type their maps with it (bpf/hotmem_trace.h).
 * The names are hmu_zone_names[] in hmuapi.h, made of HMU_ZONE_NAMES
 * (the kernel's zone_names[], mm/page_alloc.c), which the BPF programs
 * use too.
 */
#ifndef HMU_ZONE_H
#define HMU_ZONE_H

enum hmu_zone {
	HMU_ZONE_DMA,
	HMU_ZONE_DMA32,
	HMU_ZONE_NORMAL,
	HMU_ZONE_MOVABLE,
	HMU_ZONE_DEVICE,
	HMU_MAX_NR_ZONES,
};

/* clang-format off */
#define HMU_ZONE_NAMES							\
	[HMU_ZONE_DMA] = "DMA", [HMU_ZONE_DMA32] = "DMA32",		\
	[HMU_ZONE_NORMAL] = "Normal", [HMU_ZONE_MOVABLE] = "Movable",	\
	[HMU_ZONE_DEVICE] = "Device"
/* clang-format on */

#endif /* HMU_ZONE_H */
