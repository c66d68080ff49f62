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
#include "uapi/hmu_zone.h"

/*
 * HMT_FN_none, one past the last step, is also their count: it names "no
 * step" in the blocks map (error_fn of a block that never failed), so
 * that bpftool does not print the first step, add_memory_resource, for
 * a zero.
 */
/* clang-format off */
enum hmt_fn {
#define HMT_X_ENUM(fn) HMT_FN_##fn,
	HOTMEM_PROBES(HMT_X_ENUM)
#undef HMT_X_ENUM
	HMT_FN_none
};
/* clang-format on */
#define HMT_NR_FN HMT_FN_none

enum hmt_src { HMT_SRC_KERNEL, HMT_SRC_EMULATOR };

/*
 * memory_notify()'s actions in the schema's values: 6.1's MEM_* bits
 * (engine/hotmem.h HM_MEM_*), then 6.9's MEM_PREPARE_ONLINE and
 * MEM_FINISH_OFFLINE.  Named as the kernel names them so that the maps'
 * BTF reads as the kernel does (hotmem_trace.bpf.c hides vmlinux.h's
 * enum memory_block_state, which uses the same names for 0..7).
 */
enum hmt_mem_action {
	MEM_ONLINE = 1 << 0,
	MEM_GOING_OFFLINE = 1 << 1,
	MEM_OFFLINE = 1 << 2,
	MEM_GOING_ONLINE = 1 << 3,
	MEM_CANCEL_ONLINE = 1 << 4,
	MEM_CANCEL_OFFLINE = 1 << 5,
	MEM_PREPARE_ONLINE = 1 << 6,
	MEM_FINISH_OFFLINE = 1 << 7,
};
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

/*
 * A hotmem:batch's events as one ring-buffer record: what its events
 * share once (struct hmt_batch), then each event's own fields (struct
 * hmt_batch_ev, 64 bytes where a struct hmt_event is 104).  The BPF
 * program writes less a step and the ring buffer holds 1.6 times as
 * many steps; the reader makes each an hmt_event again, field for field
 * (hmt_record_events(), bpf/event.c).  The engine's steps have no zone
 * name (zone ""), their src and via are the batch's.
 *
 * A ring-buffer record is one struct hmt_event (the kernel's events,
 * --per-probe) or a batch: told apart by size, HMT_BATCH_SIZE(n) never
 * being sizeof(struct hmt_event) (checked in bpf/event.c).
 */
struct hmt_batch {
	__u32 nr; /* events that follow */
	__u32 pid;
	__u32 tid;
	__u8 src; /* enum hmt_src */
	__u8 via; /* enum hmt_via */
	__u8 pad[2];
	char comm[HMT_COMM_LEN];
};

struct hmt_batch_ev {
	__u64 ts;
	__u64 start_pfn;
	__u64 nr_pages;
	__s64 extra;
	__s64 ret;
	__u64 dur_ns;
	__s32 nid;
	__s32 zid;
	__u16 fn;
	__u8 phase;
	__u8 pad[5];
};

#define HMT_BATCH_SIZE(n) (sizeof(struct hmt_batch) + (n) * sizeof(struct hmt_batch_ev))

/*
 * The pinned maps.  Every field is named and typed (enum hmt_fn, enum
 * hmu_zone, enum hmt_mem_action) so that `bpftool map dump pinned` prints
 * names, not numbers.
 */

/* one count per source */
struct hmt_count {
	__u64 kernel;
	__u64 emulator;
};

/* pinned map "counters": key = fn (an array's key must be a plain __u32),
 * the value names its function */
struct hmt_counter {
	enum hmt_fn fn;
	__u32 pad;
	struct hmt_count enter;
	struct hmt_count exit;
	struct hmt_count errors; /* exits with ret < 0 */
	__u64 dropped; /* ring buffer full */
	/* exits whose block's state the blocks map had no room for (max_entries) */
	__u64 blocks_full;
};

/* pinned map "blocks": per memory block, only the steps done to that
 * block (hmt_block_step()), never a zone's or a range's */
struct hmt_block_key {
	enum hmt_src src;
	__u32 pad;
	__u64 block; /* start_pfn / block_pages */
};

struct hmt_block_state {
	__u64 start_pfn;
	__u64 last_ts;
	__u64 onlined; /* successful online_pages */
	__u64 offlined; /* successful offline_pages */
	__u64 failed; /* onlines/offlines that failed (hmt_ends_operation()) */
	__s64 last_ret;
	enum hmt_fn last_fn;
	enum hmt_mem_action last_action; /* the last memory_notify's; 0: none */
	/* the latest failed operation's first failing step (memory_notify's
	 * MEM_GOING_OFFLINE, not offline_pages after it; never a
	 * test_pages_isolated pass, which only loops): kept until the next
	 * failure; HMT_FN_none: never failed */
	enum hmt_fn error_fn;
	__s32 error; /* its return value; 0: never failed */
	__u64 error_ts;
	__u32 in_failure; /* a step failed, its operation not ended yet */
	/* 1: online (a successful online_pages, a failed offline_pages),
	 * 0: offline, or never seen either way (hmt_block_place()) */
	__u32 online;
	__s32 nid;
	enum hmu_zone zid; /* -1: none */
	char zone[HMT_ZONE_LEN]; /* the kernel's name of zid, both sources */
};

/*
 * The steps that belong to one memory block: the blocks map records these
 * only, and only when their range lies inside one block.  Not the zone's
 * watermarks (a zone's range: block 0 for ZONE_DMA), not add/remove (a
 * device's range), not the vmemmap (struct pages, not the block's pfns).
 */
static inline int hmt_block_step(unsigned int fn)
{
	switch (fn) {
	case HMT_FN_memory_block_online:
	case HMT_FN_memory_block_offline:
	case HMT_FN_mhp_init_memmap_on_memory:
	case HMT_FN_mhp_deinit_memmap_on_memory:
	case HMT_FN_move_pfn_range_to_zone:
	case HMT_FN_online_pages:
	case HMT_FN_offline_pages:
	case HMT_FN_memory_notify:
	case HMT_FN_test_pages_isolated:
		return 1;
	}
	return 0;
}

/*
 * Whether a step that returned @e fails its operation.  Not a
 * test_pages_isolated -EBUSY: offline_pages() only repeats its loop
 * (6.12 mm/memory_hotplug.c: do { ... ret = test_pages_isolated(...); }
 * while (ret)), and the offline may yet succeed; not a memory_notify the
 * kernel ignores the result of (MEM_ONLINE, MEM_OFFLINE, MEM_CANCEL_*,
 * MEM_FINISH_OFFLINE): only MEM_PREPARE_ONLINE's, MEM_GOING_ONLINE's and
 * MEM_GOING_OFFLINE's end an operation (notifier_to_errno()).
 */
static inline int hmt_step_fails(const struct hmt_event *e)
{
	if (e->ret >= 0 || e->fn == HMT_FN_test_pages_isolated)
		return 0;
	if (e->fn == HMT_FN_memory_notify)
		return e->extra == MEM_PREPARE_ONLINE || e->extra == MEM_GOING_ONLINE ||
		       e->extra == MEM_GOING_OFFLINE;
	return 1;
}

/*
 * @block_ops: which of memory_block_online/offline are traced (the
 * engine's probes both; a kernel's each as its loader attached it: the
 * compiler inlines either or both, 6.1 .. 6.18 both)
 */
#define HMT_BLOCK_OPS_ONLINE 1
#define HMT_BLOCK_OPS_OFFLINE 2
#define HMT_BLOCK_OPS_BOTH (HMT_BLOCK_OPS_ONLINE | HMT_BLOCK_OPS_OFFLINE)

/*
 * Whether @e is the last step of a block's online or offline:
 * memory_block_online/offline's return where that direction's is traced
 * (@block_ops).  6.1 .. 6.18 inline both into memory_block_action()
 * (bpf/absent.c): there an operation ends at online_pages/offline_pages'
 * return, or at a failed step memory_block_online() takes before
 * online_pages() (MEM_PREPARE_ONLINE's notifier,
 * mhp_init_memmap_on_memory()), after which it returns.  usereye10 U2:
 * only memory_block_* ended one, so on a kernel `failed` never counted
 * and the first failure stayed for ever.  Each direction by its own
 * flag: one flag for both (set only when both were traced) counted a
 * failure of the traced direction twice, at online_pages and at
 * memory_block_online, naming memory_block_online (reread19 R1).
 */
static inline int hmt_ends_operation(const struct hmt_event *e, int block_ops)
{
	if (e->fn == HMT_FN_memory_block_online || e->fn == HMT_FN_memory_block_offline)
		return 1;
	if (e->fn == HMT_FN_offline_pages)
		return !(block_ops & HMT_BLOCK_OPS_OFFLINE);
	if (block_ops & HMT_BLOCK_OPS_ONLINE)
		return 0;
	if (e->fn == HMT_FN_online_pages)
		return 1;
	return hmt_step_fails(e) &&
	       (e->fn == HMT_FN_mhp_init_memmap_on_memory ||
		(e->fn == HMT_FN_memory_notify && e->extra == MEM_PREPARE_ONLINE));
}

/*
 * The blocks map's failure fields told of @e, a step of block @b: the
 * first failing step of an operation names the failure (its callers
 * failing after it do not), the operation's end counts it and lets the
 * next failure be named.
 */
static inline void hmt_block_failure(struct hmt_block_state *b, const struct hmt_event *e,
				     int block_ops)
{
	if (hmt_step_fails(e) && !b->in_failure) {
		b->error_fn = (enum hmt_fn)e->fn;
		b->error = (__s32)e->ret;
		b->error_ts = e->ts;
		b->in_failure = 1;
	}
	if (hmt_ends_operation(e, block_ops)) {
		if (e->ret < 0)
			b->failed++;
		b->in_failure = 0;
	}
}

/*
 * Where block @b is and whether it is online, told by @e: a successful
 * online_pages says the node and zone it goes to, a successful
 * offline_pages the ones it leaves -- a block the trace saw only going
 * offline kept nid -1, zid -1 and no zone though its event named them
 * (abuse25a B7); an offline that names none (-1) leaves what an online
 * said.  A failed offline_pages says the block is online still, where its
 * event says: 6.12's memory_block_offline() runs only for a MEM_ONLINE
 * block and offline_pages() undoes its isolation when it fails -- a block
 * first seen failing an offline read "online": 0, zone "" (abuse28 T10).
 * A failed online_pages leaves it offline, where it was.  @b's online,
 * nid and zid set; 1 when its zone name is to be taken from @e too (the
 * BPF side's name_zone()).
 */
static inline int hmt_block_place(struct hmt_block_state *b, const struct hmt_event *e)
{
	int on = e->fn == HMT_FN_online_pages;

	if (!on && e->fn != HMT_FN_offline_pages)
		return 0;
	/* online after an online that worked or an offline that did not */
	b->online = on == !e->ret;
	if (on && e->ret)
		return 0;
	if (on || e->nid >= 0)
		b->nid = e->nid;
	if (!on && e->zid < 0 && !e->zone[0])
		return 0;
	b->zid = (enum hmu_zone)e->zid;
	return 1;
}

/* per-function flags the loader fills from the running kernel's BTF */
#define HMT_FN_VOID 0x80 /* returns void: ret is 0 */
#define HMT_FN_NARGS 0x0f /* number of arguments */

/*
 * create_memory_block_devices()' parameters the decoder reads, by their
 * index in the running kernel's prototype (-1: it has none), found by
 * name in BTF (btf_params.c): 6.1's vmemmap_pages, 6.12's altmap, 6.18's
 * nid and altmap (the nid third, where the others were)
 */
struct hmt_cmbd_params {
	__s8 vmemmap_pages;
	__s8 altmap;
	__s8 nid;
};

/* memory notifier actions: the kernel's value (6.1: MEM_* bits; 6.12:
 * enum memory_block_state 0..7) to the schema's, the loader fills it */
#define HMT_NR_NOTIFY 16

#endif /* HOTMEM_TRACE_H */
