/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem-trace: what the BPF programs and the loader share.
 *
 * One event struct for both sides: the real kernel (fentry/fexit,
 * kprobe/kretprobe, tracepoints) and the engine (USDT, provider "hotmem").
 * Steps are numbered by engine/hotmem_probes.h, so an event's @fn means
 * the same function on both sides.
 *
 * Included by hotmem_trace.bpf.c (after vmlinux.h) and by user space
 * (after <linux/types.h>): only __u64-style types here.
 */
#ifndef HOTMEM_TRACE_H
#define HOTMEM_TRACE_H

#include "hotmem_probes.h"

/*
 * Steps only the real kernel shows (the engine has no USDT probe for
 * them): numbered after the engine's, so HMT_NR_ENGINE_FN bounds the USDT
 * probes.  Kernel version where they first appear:
 *   vmemmap_populate_hugepages   6.3 (x86: vmemmap_populate's PMD path)
 *   vmemmap_populate_basepages   (both)
 *   create_altmaps_and_memory_blocks / remove_memory_blocks_and_altmaps
 *                                6.9 (memmap_on_memory per memory block)
 *   create_memory_block_devices  (both: 6.1 takes vmemmap_pages, 6.12 an altmap)
 *   mhp_supports_memmap_on_memory (both: 6.1 takes a size, 6.12 nothing)
 */
#define HMT_KERNEL_STEPS(X)			\
	X(vmemmap_populate_hugepages)		\
	X(vmemmap_populate_basepages)		\
	X(create_altmaps_and_memory_blocks)	\
	X(remove_memory_blocks_and_altmaps)	\
	X(create_memory_block_devices)		\
	X(mhp_supports_memmap_on_memory)

/* clang-format off */
enum hmt_fn {
#define HMT_X_ENUM(fn) HMT_FN_##fn,
	HOTMEM_PROBES(HMT_X_ENUM)
	HMT_NR_ENGINE_FN,
	HMT_FN_kernel_steps_ = HMT_NR_ENGINE_FN - 1,
	HMT_KERNEL_STEPS(HMT_X_ENUM)
#undef HMT_X_ENUM
	HMT_NR_FN
};
/* clang-format on */

enum hmt_src { HMT_SRC_KERNEL, HMT_SRC_EMULATOR };
enum hmt_phase { HMT_ENTER, HMT_EXIT };

/* how an event was caught */
enum hmt_via { HMT_VIA_FENTRY, HMT_VIA_KPROBE, HMT_VIA_TRACEPOINT, HMT_VIA_USDT, HMT_NR_VIA };

#define HMT_ZONE_LEN 8
#define HMT_COMM_LEN 16

/* one record in the ring buffer */
struct hmt_event {
	__u64 ts; /* bpf_ktime_get_ns() */
	__u64 start_pfn;
	__u64 nr_pages;
	__s64 extra; /* per step, see engine/hotmem_probes.h */
	__s64 ret; /* exit only */
	__u64 dur_ns; /* exit only: time since the matching enter */
	__s32 nid; /* -1: none */
	__s32 zid; /* -1: none */
	__u32 pid;
	__u32 tid;
	__u16 fn; /* enum hmt_fn */
	__u8 src; /* enum hmt_src */
	__u8 phase; /* enum hmt_phase */
	__u8 via; /* enum hmt_via */
	__u8 pad[7];
	char zone[HMT_ZONE_LEN]; /* "Normal", "Movable"... or "" */
	char comm[HMT_COMM_LEN];
};

/* pinned map "counters": key = fn, one slot per source */
struct hmt_counter {
	__u64 enter[2]; /* [enum hmt_src] */
	__u64 exit[2];
	__u64 errors[2]; /* exits with ret < 0 */
	__u64 dropped; /* ring buffer full */
};

/* pinned map "blocks": the last thing seen per memory block */
struct hmt_block_key {
	__u32 src; /* enum hmt_src */
	__u32 pad;
	__u64 block; /* start_pfn / block_pages */
};

struct hmt_block_state {
	__u64 start_pfn;
	__u64 last_ts;
	__u64 onlined; /* successful online_pages */
	__u64 offlined; /* successful offline_pages */
	__s64 last_ret;
	__u32 last_fn;
	__u32 online; /* 1 after online_pages, 0 after offline_pages */
	__s32 nid;
	__s32 zid;
	char zone[HMT_ZONE_LEN];
};

/* per-function flags the loader fills from the running kernel's BTF */
#define HMT_FN_VOID 0x80 /* returns void: ret is 0 */
#define HMT_FN_NARGS 0x0f /* number of arguments */
#define HMT_FN_ARG2_PTR 0x40 /* the third argument is a pointer (6.12's altmap) */

/* memory notifier actions: the kernel's value (6.1: MEM_* bits; 6.12:
 * enum memory_block_state 0..7) to the schema's, the loader fills it */
#define HMT_NR_NOTIFY 16

#endif /* HOTMEM_TRACE_H */
