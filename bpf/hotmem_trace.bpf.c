// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-trace BPF side: the memory-hotplug path of the real kernel and of
 * the engine, into one event struct.
 *
 *   fe_<fn>/fx_<fn>   fentry/fexit on the kernel function <fn>
 *   kp_<fn>/kr_<fn>   kprobe/kretprobe on it, when fentry is not possible
 *   tp_isolated       tracepoint page_isolation:test_pages_isolated
 *   tp_wmarks         tracepoint kmem:mm_setup_per_zone_wmarks
 *   usdt_enter/exit   the engine's USDT probes hotmem:<fn>[__ret]
 *   usdt_batch        hotmem:batch: the same steps coalesced, one probe
 *                     hit per operation (engine/hotmem_probes.h)
 *
 *   fe_/fx_/kp_/kr_memory_chain  blocking_notifier_call_chain() on the
 *                     memory chain only: memory_notify() for every caller,
 *                     also where it is inlined (6.12: memory_block_online()
 *                     and memory_block_offline(), MEM_PREPARE_ONLINE and
 *                     MEM_FINISH_OFFLINE)
 *
 * The loader picks one of fentry or kprobe per run, sets the attach
 * targets, and fills fn_flags[] from the running kernel's BTF (number of
 * arguments, void return, pointer or not) and notify_action[] (6.1's
 * MEM_* bits or 6.12's enum, to the schema's bits) so that one object
 * serves 6.1 .. 6.18.
 */
/*
 * 6.9+'s enum memory_block_state names its values MEM_ONLINE ..
 * MEM_FINISH_OFFLINE, as hotmem_trace.h's enum hmt_mem_action (the
 * schema's bits) does: hide the kernel's, which only the loader reads
 * (from BTF, attach.c fill_notify_actions()).
 */
#define MEM_ONLINE vmlinux_MEM_ONLINE
#define MEM_GOING_OFFLINE vmlinux_MEM_GOING_OFFLINE
#define MEM_OFFLINE vmlinux_MEM_OFFLINE
#define MEM_GOING_ONLINE vmlinux_MEM_GOING_ONLINE
#define MEM_CANCEL_ONLINE vmlinux_MEM_CANCEL_ONLINE
#define MEM_CANCEL_OFFLINE vmlinux_MEM_CANCEL_OFFLINE
#define MEM_PREPARE_ONLINE vmlinux_MEM_PREPARE_ONLINE
#define MEM_FINISH_OFFLINE vmlinux_MEM_FINISH_OFFLINE
#include "vmlinux.h"
#undef MEM_ONLINE
#undef MEM_GOING_OFFLINE
#undef MEM_OFFLINE
#undef MEM_GOING_ONLINE
#undef MEM_CANCEL_ONLINE
#undef MEM_CANCEL_OFFLINE
#undef MEM_PREPARE_ONLINE
#undef MEM_FINISH_OFFLINE
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define BPF_USDT_MAX_SPEC_CNT 512
#include <bpf/usdt.bpf.h>
#include "hotmem_trace.h"

char LICENSE[] SEC("license") = "GPL";

#define PAGE_SHIFT_ 12
#define PFN_SECTION_SHIFT_ 15 /* SECTION_SIZE_BITS 27 - PAGE_SHIFT */
#define NARGS 6
#define MHP_NID_IS_MGID_ (1 << 2) /* include/linux/memory_hotplug.h */

/* the kernel's memory block, in pages: this machine's block_size_bytes */
const volatile __u64 block_pages = 32768;
/*
 * The engine's, learned from its memory_block_online/offline events (the
 * block's whole range, enter and exit): an emulated machine's block size
 * is its profile's (huge-64t: 2 GiB), not the host's.  0 until the first
 * one: no engine step lands on a block before (abuse28 T4).
 */
__u64 emu_block_pages = 0;
const volatile __u8 fn_flags[HMT_NR_FN]; /* HMT_FN_VOID | nargs */
/* where create_memory_block_devices' parameters are (the loader, from BTF) */
const volatile struct hmt_cmbd_params cmbd_params = { -1, -1, -1 };
/* the kernel's memory notifier action -> the schema's (0: keep the value) */
const volatile __s64 notify_action[HMT_NR_NOTIFY];
/* &memory_chain (drivers/base/memory.c), from /proc/kallsyms */
const volatile __u64 memory_chain = 0;
/* USDT: only this process and its descendants (0: every process) */
const volatile __u32 filter_tgid = 0;
/*
 * ...whose pid filter_tgid is in the pid namespace of this inode number
 * (hotmem-trace's own, /proc/self/ns/pid): inside hotmem-enter a pid is
 * the namespace's, which task->tgid (the initial namespace's) is not.
 * 0: filter_tgid is the initial namespace's.
 */
const volatile __u32 filter_pidns_ino = 0;
/*
 * HMT_BLOCK_OPS_ONLINE, _OFFLINE: the kernel's memory_block_online,
 * memory_block_offline is attached and ends that direction's operations
 * in the blocks map; a direction without (6.1 .. 6.18 inline both):
 * online_pages/offline_pages do (hmt_ends_operation()).  Set by the
 * loader once those two are attached, before the other steps are
 * (attach.c attach_kernel()).
 */
__u32 kernel_block_ops = 0;
/* USDT probe hits (uprobe runs), for the summary: hits per event */
__u64 usdt_hits = 0;
/* hotmem:batch records never made events: past HOTMEM_PROBE_BATCH_MAX,
 * unreadable, or not a step; the summary counts them as dropped */
__u64 usdt_lost = 0;
/* events the ring buffer had no room for, all steps: the reader looks at
 * it after each drain (a "lost" record when it moved) without a map
 * lookup per step; the counters map has them per step */
__u64 ringbuf_dropped = 0;
/* block steps whose block the blocks map had no room for (or memory): not kept */
__u64 blocks_full = 0;

extern const void vmemmap_base __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	/*
	 * 4 MiB: the reader drains it every 200 ms (POLL_MS) or when a
	 * quarter is full, whichever comes first; a storm through hotmemfs
	 * (~6.5 MB/s of records) fills a quarter in ~150 ms
	 */
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HMT_NR_FN);
	__type(key, __u32);
	__type(value, struct hmt_counter);
} counters SEC(".maps");

/*
 * max_entries: the loader's, from the machine (hotmem-trace.c
 * blocks_wanted()); 4096 a stand-in.  No preallocation: a block costs
 * memory once it is seen, not for the machine's size (tracing programs
 * may use such a map since 6.1, 96da3f7d489d "bpf: Remove tracing program
 * restriction on map types"; 6.1 is the oldest kernel served)
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct hmt_block_key);
	__type(value, struct hmt_block_state);
} blocks SEC(".maps");

/* enter events waiting for their exit: key = tid << 32 | src << 16 | fn */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct hmt_event);
} inflight SEC(".maps");

/*
 * A program's event is its own, on its stack: no per-CPU scratch map is
 * shared between programs.  One shared by programs that can run in each
 * other's midst on one CPU is rewritten under the first one's feet, and
 * in 6.12 they can (kernel/trace/trace_uprobe.c __uprobe_perf_func() ->
 * include/linux/bpf.h bpf_prog_run_array_uprobe(); kernel/bpf/trampoline.c
 * __bpf_prog_enter_recur()): a uprobe (USDT) program and an fentry/fexit
 * program run under migrate_disable() and rcu_read_lock() only, which on
 * a PREEMPT_RCU kernel (PREEMPT_DYNAMIC, the distributions' build, booted
 * preempt=full or lazy) leaves them preemptible; whatever then runs on
 * that CPU (another thread's USDT program, another fentry program, a
 * kprobe or a tracepoint program) ran in the first one's midst.  The
 * trampoline's recursion check is per program, and a uprobe has none.
 * The batch's buffers, too big for a stack, are claimed (claim_batch_buf()).
 */
#define MAX_PIDNS_LEVEL 4

/* @pid's number in the namespace filter_pidns_ino is, or 0 where it has none */
static __always_inline __u32 ns_nr(struct pid *pid)
{
	unsigned int level = BPF_CORE_READ(pid, level);

	for (unsigned int l = 0; l < MAX_PIDNS_LEVEL && l <= level; l++) {
		struct upid up = {};

		if (bpf_core_read(&up, sizeof(up), &pid->numbers[l]))
			return 0;
		if (BPF_CORE_READ(up.ns, ns.inum) == filter_pidns_ino)
			return up.nr;
	}
	return 0;
}

/* @task's process id in the namespace filter_pidns_ino is, or 0 where it has none */
static __always_inline __u32 ns_tgid(struct task_struct *task)
{
	return ns_nr(BPF_CORE_READ(task, group_leader, thread_pid));
}

/*
 * The current task's tgid << 32 | pid as hotmem-trace's own PID namespace
 * numbers them (inside hotmem-enter, the machine's: what ps, kill and
 * --emulator there use), each 0 where the task has none there (a host
 * process, a kernel thread), as the kernel's task_tgid_nr_ns() says.  Its
 * own walk, not bpf_get_ns_current_pid_tgid(): that helper knows only a
 * task whose innermost namespace it is, not one nested deeper.
 */
static __always_inline __u64 current_ids(void)
{
	struct task_struct *task;

	if (!filter_pidns_ino)
		return bpf_get_current_pid_tgid();
	task = (struct task_struct *)bpf_get_current_task();
	return (__u64)ns_tgid(task) << 32 | ns_nr(BPF_CORE_READ(task, thread_pid));
}

static __always_inline void new_event(struct hmt_event *e, __u32 fn, __u8 src, __u8 phase,
				      __u8 via)
{
	__u64 id = current_ids();

	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->fn = fn;
	e->src = src;
	e->phase = phase;
	e->via = via;
	e->nid = -1;
	e->zid = -1;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/*
 * The thread's enter waiting for its exit: by the initial namespace's tid,
 * which every thread has (an event's tid is 0 for all threads outside
 * hotmem-trace's namespace); always made in the thread's own context
 */
static __always_inline __u64 inflight_key(const struct hmt_event *e)
{
	return (__u64)(__u32)bpf_get_current_pid_tgid() << 32 | (__u64)e->src << 16 | e->fn;
}

static __always_inline void count_one(struct hmt_count *c, __u32 src)
{
	__sync_fetch_and_add(src == HMT_SRC_EMULATOR ? &c->emulator : &c->kernel, 1);
}

static __always_inline void count(const struct hmt_event *e, bool dropped)
{
	__u32 fn = e->fn;
	struct hmt_counter *c = bpf_map_lookup_elem(&counters, &fn);

	if (dropped)
		__sync_fetch_and_add(&ringbuf_dropped, 1);
	if (!c)
		return;
	if (dropped)
		__sync_fetch_and_add(&c->dropped, 1);
	if (e->phase == HMT_ENTER) {
		count_one(&c->enter, e->src);
		return;
	}
	count_one(&c->exit, e->src);
	if (e->ret < 0)
		count_one(&c->errors, e->src);
}

/* the memory block size, in pages, of @src's machine (0: not known yet) */
static __always_inline __u64 src_block_pages(__u8 src)
{
	return src == HMT_SRC_EMULATOR ? emu_block_pages : block_pages;
}

/* an engine's memory_block_online/offline: its range is the machine's block */
static __always_inline void learn_block_pages(const struct hmt_event *e)
{
	if (e->src == HMT_SRC_EMULATOR && e->nr_pages &&
	    (e->fn == HMT_FN_memory_block_online || e->fn == HMT_FN_memory_block_offline))
		emu_block_pages = e->nr_pages;
}

/* the block an event is about, or -1 (not a block's own step) */
static __always_inline __s64 own_block(const struct hmt_event *e)
{
	__u64 first, last, bp = src_block_pages(e->src);

	if (!bp || !e->nr_pages || e->phase != HMT_EXIT || !hmt_block_step(e->fn))
		return -1;
	first = e->start_pfn / bp;
	last = (e->start_pfn + e->nr_pages - 1) / bp;
	return first == last ? (__s64)first : -1;
}

static __always_inline struct hmt_block_state *block_of(const struct hmt_block_key *key)
{
	struct hmt_block_state *b = bpf_map_lookup_elem(&blocks, key), init = {};

	if (b)
		return b;
	init.start_pfn = key->block * src_block_pages(key->src);
	init.nid = -1;
	init.zid = -1;
	init.error_fn = HMT_FN_none;
	bpf_map_update_elem(&blocks, key, &init, BPF_NOEXIST);
	/* another CPU's insert of the same key (EEXIST) found here too */
	return bpf_map_lookup_elem(&blocks, key);
}

/* @e's block not kept (the map full, E2BIG, or no memory): counted, never silent */
static __always_inline void count_block_full(const struct hmt_event *e)
{
	__u32 fn = e->fn;
	struct hmt_counter *c = bpf_map_lookup_elem(&counters, &fn);

	__sync_fetch_and_add(&blocks_full, 1);
	if (c)
		__sync_fetch_and_add(&c->blocks_full, 1);
}

/*
 * The kernel's zone names by enum hmu_zone: the engine's events carry
 * only the zone's number, the kernel's its name (decode_zone()); the
 * blocks map names it for both.
 */
static const char zone_names[HMU_MAX_NR_ZONES][HMT_ZONE_LEN] = { HMU_ZONE_NAMES };

static __always_inline void name_zone(char *zone, const struct hmt_event *e)
{
	__s32 zid = e->zid;

	if (e->zone[0] || zid < 0 || zid >= HMU_MAX_NR_ZONES)
		__builtin_memcpy(zone, e->zone, HMT_ZONE_LEN);
	else
		__builtin_memcpy(zone, zone_names[zid], HMT_ZONE_LEN);
}

/* the block state @b of the block @e is about, told of @e */
static __always_inline void update_block(struct hmt_block_state *b, const struct hmt_event *e)
{
	/* the engine always has memory_block_online/offline; the kernel's loader says */
	hmt_block_failure(b, e, e->src == HMT_SRC_EMULATOR ? HMT_BLOCK_OPS_BOTH : (int)kernel_block_ops);
	b->last_ts = e->ts;
	b->last_fn = e->fn;
	b->last_ret = e->ret;
	if (e->fn == HMT_FN_memory_notify)
		b->last_action = e->extra;
	if (hmt_block_place(b, e))
		name_zone(b->zone, e);
	if (e->ret)
		return;
	if (e->fn == HMT_FN_online_pages)
		b->onlined++;
	else if (e->fn == HMT_FN_offline_pages)
		b->offlined++;
}

static __always_inline void track_block(const struct hmt_event *e)
{
	struct hmt_block_key key = { .src = e->src };
	struct hmt_block_state *b;
	__s64 block;

	learn_block_pages(e);
	block = own_block(e);
	if (block < 0)
		return;
	key.block = block;
	b = block_of(&key);
	if (b)
		update_block(b, e);
	else
		count_block_full(e);
}

/*
 * Waking the reader for every event costs the traced thread a context
 * switch: wake it only when the buffer is a quarter full; it also drains
 * the buffer every 200 ms by itself (hotmem_trace.c POLL_MS).  Only the
 * record that crosses a quarter (a half, three quarters: two CPUs'
 * records at once may both miss one) wakes it, and past three quarters
 * every record: each forced wake-up queues an irq_work, a self-IPI (a VM
 * exit in a guest), and while a busy machine kept the reader from
 * running, every record past the quarter paid one (8.7% of a traced
 * engine storm's CPU in perf, 2026-11-29).  Past three quarters, close to
 * dropping, each record's wake-up stays: with crossings alone a storm of
 * 1.5 million events a second (bench_trace's usdt_target) dropped events
 * in 2 runs of 14 at load 10, none with it, as none before.
 */
#define WAKEUP_SHIFT 20 /* 1 MiB, a quarter of the buffer */
/*
 * What a record of @size takes in the buffer: its 8-byte header
 * (BPF_RINGBUF_HDR_SZ), rounded up to 8.  Without the header a record
 * that crossed a quarter by at most 8 bytes was not seen to cross it
 * (1 in 14 of 104-byte events).
 */
#define RINGBUF_SPACE(size) (((size) + 8 + 7) & ~7ULL)

static __always_inline __u64 wakeup_flags(__u64 size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	if (avail >= 3 << WAKEUP_SHIFT ||
	    avail >> WAKEUP_SHIFT != (avail + RINGBUF_SPACE(size)) >> WAKEUP_SHIFT)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * An enter waits in inflight for its exit; an exit takes its duration
 * from there.  Whether an exit found its enter.
 */
static __always_inline bool pair_inflight(struct hmt_event *e)
{
	__u64 key = inflight_key(e);
	struct hmt_event *in;

	if (e->phase == HMT_ENTER) {
		bpf_map_update_elem(&inflight, &key, e, BPF_ANY);
		return false;
	}
	in = bpf_map_lookup_elem(&inflight, &key);
	if (!in)
		return false;
	e->dur_ns = e->ts - in->ts;
	bpf_map_delete_elem(&inflight, &key);
	return true;
}

static __always_inline void emit(struct hmt_event *e)
{
	track_block(e);
	count(e, bpf_ringbuf_output(&events, e, sizeof(*e), wakeup_flags(sizeof(*e))) != 0);
}

static __always_inline void submit(struct hmt_event *e)
{
	pair_inflight(e);
	emit(e);
}

/* ---- decoding kernel arguments ------------------------------------ */

static __always_inline void decode_zone(struct hmt_event *e, struct zone *z)
{
	struct pglist_data *pgdat;
	const char *name;
	__u64 first;

	if (!z)
		return;
	pgdat = BPF_CORE_READ(z, zone_pgdat);
	name = BPF_CORE_READ(z, name);
	bpf_probe_read_kernel_str(e->zone, sizeof(e->zone), name);
	e->nid = BPF_CORE_READ(pgdat, node_id);
	first = (__u64)pgdat + bpf_core_field_offset(struct pglist_data, node_zones);
	e->zid = ((__u64)z - first) / bpf_core_type_size(struct zone);
}

static __always_inline void set_range(struct hmt_event *e, __u64 pfn, __u64 nr)
{
	e->start_pfn = pfn;
	e->nr_pages = nr;
}

/*
 * The pfns of the struct pages at vmemmap addresses [@start, @end).
 * vmemmap_base's address comes from /proc/kallsyms: 0 when its addresses
 * are hidden (kptr_restrict, no CAP_SYSLOG; the loader says so) or the
 * kernel has no such variable (no KASLR): the range is then unknown, 0
 * pages -- never an address divided as if it were an offset (abuse28 T13).
 */
static __always_inline void set_vmemmap_range(struct hmt_event *e, __u64 start, __u64 end)
{
	__u64 base = 0, size = bpf_core_type_size(struct page);

	if (!&vmemmap_base || bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base)) {
		set_range(e, 0, 0);
		return;
	}
	set_range(e, (start - base) / size, (end - start) / size);
}

static __always_inline void decode_block(struct hmt_event *e, struct memory_block *mem)
{
	__u64 sec = BPF_CORE_READ(mem, start_section_nr);

	set_range(e, sec << PFN_SECTION_SHIFT_, block_pages);
	e->nid = BPF_CORE_READ(mem, nid);
	decode_zone(e, BPF_CORE_READ(mem, zone));
}

static __always_inline void decode_add(struct hmt_event *e, __u32 fn, const __u64 *a)
{
	struct resource *res;
	struct hstate *h;

	switch (fn) {
	case HMT_FN_add_memory_resource:
		res = (struct resource *)a[1];
		/* with MHP_NID_IS_MGID (ACPI DIMMs since 5.15) it is a group id */
		e->nid = a[2] & MHP_NID_IS_MGID_ ? -1 : (__s32)a[0];
		set_range(e, BPF_CORE_READ(res, start) >> PAGE_SHIFT_,
			  (BPF_CORE_READ(res, end) + 1 - BPF_CORE_READ(res, start)) >> PAGE_SHIFT_);
		break;
	case HMT_FN_arch_add_memory:
		e->nid = a[0];
		set_range(e, a[1] >> PAGE_SHIFT_, a[2] >> PAGE_SHIFT_);
		break;
	case HMT_FN___add_pages:
	case HMT_FN_sparse_add_section:
		e->nid = a[0];
		set_range(e, a[1], a[2]);
		break;
	case HMT_FN_vmemmap_populate:
	case HMT_FN_vmemmap_populate_hugepages:
	case HMT_FN_vmemmap_populate_basepages:
		set_vmemmap_range(e, a[0], a[1]);
		e->nid = a[2];
		e->extra = a[3] != 0;
		break;
	case HMT_FN_hugetlb_vmemmap_optimize:
		h = (struct hstate *)a[0];
		set_vmemmap_range(e, a[1],
				  a[1] + (bpf_core_type_size(struct page) << BPF_CORE_READ(h, order)));
		break;
	}
}

/* argument @i of @a, an index the loader set (a constant once loaded) */
static __always_inline __u64 arg_at(const __u64 *a, int i)
{
	switch (i) {
	case 0: return a[0];
	case 1: return a[1];
	case 2: return a[2];
	case 3: return a[3];
	case 4: return a[4];
	case 5: return a[5];
	}
	return 0;
}

/* the memory block devices and memmap_on_memory's decision;
 * create_memory_block_devices' extra: the vmemmap pages of each block */
static __always_inline void decode_blocks(struct hmt_event *e, __u32 fn, const __u64 *a,
					  __u8 flags)
{
	struct vmem_altmap *altmap;

	switch (fn) {
	case HMT_FN_create_altmaps_and_memory_blocks:
		/* 6.9+: (nid, group, start, size, mhp_flags) */
		e->nid = a[0];
		set_range(e, a[2] >> PAGE_SHIFT_, a[3] >> PAGE_SHIFT_);
		break;
	case HMT_FN_remove_memory_blocks_and_altmaps:
		set_range(e, a[0] >> PAGE_SHIFT_, a[1] >> PAGE_SHIFT_);
		break;
	case HMT_FN_create_memory_block_devices:
		set_range(e, a[0] >> PAGE_SHIFT_, a[1] >> PAGE_SHIFT_);
		/*
		 * 6.1: (start, size, vmemmap_pages, group); 6.12: (start,
		 * size, altmap, group); 6.18: (start, size, nid, altmap,
		 * group): each read where BTF names it, never by its place
		 */
		if (cmbd_params.nid >= 0)
			e->nid = arg_at(a, cmbd_params.nid);
		if (cmbd_params.vmemmap_pages >= 0) {
			e->extra = arg_at(a, cmbd_params.vmemmap_pages);
			break;
		}
		altmap = cmbd_params.altmap >= 0 ? (struct vmem_altmap *)arg_at(a, cmbd_params.altmap) :
						    NULL;
		if (altmap)
			e->extra = BPF_CORE_READ(altmap, free);
		break;
	case HMT_FN_mhp_supports_memmap_on_memory:
		/* 6.1: (size), in pages in extra (no start: not a range); 6.12: () */
		if (flags & HMT_FN_NARGS)
			e->extra = a[0] >> PAGE_SHIFT_;
		break;
	}
}

/* the schema's action for the kernel's (engine/hotmem.h HM_MEM_*) */
static __always_inline __s64 notify_extra(__u64 action)
{
	__s64 v = action < HMT_NR_NOTIFY ? notify_action[action & (HMT_NR_NOTIFY - 1)] : 0;

	return v ? v : (__s64)action;
}

static __always_inline void decode_online(struct hmt_event *e, __u32 fn, const __u64 *a)
{
	struct memory_notify *mn;

	switch (fn) {
	case HMT_FN_mhp_init_memmap_on_memory:
		set_range(e, a[0], a[1]);
		decode_zone(e, (struct zone *)a[2]);
		e->extra = a[1];
		break;
	case HMT_FN_mhp_deinit_memmap_on_memory:
		set_range(e, a[0], a[1]);
		break;
	case HMT_FN_memory_block_online:
	case HMT_FN_memory_block_offline:
		decode_block(e, (struct memory_block *)a[0]);
		break;
	case HMT_FN_move_pfn_range_to_zone:
		set_range(e, a[1], a[2]);
		decode_zone(e, (struct zone *)a[0]);
		break;
	case HMT_FN_online_pages:
	case HMT_FN_offline_pages:
		set_range(e, a[0], a[1]);
		decode_zone(e, (struct zone *)a[2]);
		break;
	case HMT_FN_memory_notify:
		mn = (struct memory_notify *)a[1];
		set_range(e, BPF_CORE_READ(mn, start_pfn), BPF_CORE_READ(mn, nr_pages));
		e->extra = notify_extra(a[0]);
		break;
	}
}

static __always_inline void decode_remove(struct hmt_event *e, __u32 fn, const __u64 *a,
					  __u32 nargs)
{
	switch (fn) {
	case HMT_FN_try_remove_memory:
		/* before 5.17: (nid, start, size) */
		if (nargs == 3) {
			e->nid = a[0];
			a++;
		}
		set_range(e, a[0] >> PAGE_SHIFT_, a[1] >> PAGE_SHIFT_);
		break;
	case HMT_FN_arch_remove_memory:
		set_range(e, a[0] >> PAGE_SHIFT_, a[1] >> PAGE_SHIFT_);
		break;
	case HMT_FN___remove_pages:
		set_range(e, a[0], a[1]);
		break;
	case HMT_FN_sparse_remove_section:
		/* before 6.8: (ms, pfn, nr_pages, map_offset, altmap) */
		if (nargs == 5)
			a++;
		set_range(e, a[0], a[1]);
		break;
	case HMT_FN_vmemmap_free:
		set_vmemmap_range(e, a[0], a[1]);
		e->extra = a[2] != 0;
		break;
	}
}

static __always_inline void decode(struct hmt_event *e, __u32 fn, const __u64 *a)
{
	__u8 flags = fn < HMT_NR_FN ? fn_flags[fn] : 0;

	decode_add(e, fn, a);
	decode_online(e, fn, a);
	decode_remove(e, fn, a, flags & HMT_FN_NARGS);
	decode_blocks(e, fn, a, flags);
}

/*
 * memory_notify() returns a notifier chain's NOTIFY_* value: make it the
 * errno the caller makes of it (notifier_to_errno()), as the engine does.
 */
static __always_inline __s64 exit_ret(__u32 fn, __s64 ret)
{
	/* a bool is in the low byte only */
	if (fn == HMT_FN_mhp_supports_memmap_on_memory)
		return (ret & 0xff) != 0;
	if (fn != HMT_FN_memory_notify)
		return ret;
	ret &= ~0x8000LL; /* NOTIFY_STOP_MASK */
	return ret > 1 ? 1 - ret : 0; /* NOTIFY_OK */
}

/* ---- fentry/fexit --------------------------------------------------- */

/* the arguments from the @skip'th on */
static __always_inline void tracing_args(void *ctx, __u64 *a, int skip)
{
	for (int i = 0; i < NARGS; i++)
		if (bpf_get_func_arg(ctx, i + skip, &a[i]))
			a[i] = 0;
}

static __always_inline int on_fentry_skip(void *ctx, __u32 fn, int skip)
{
	__u64 a[NARGS];
	struct hmt_event e;

	new_event(&e, fn, HMT_SRC_KERNEL, HMT_ENTER, HMT_VIA_FENTRY);
	tracing_args(ctx, a, skip);
	decode(&e, fn, a);
	submit(&e);
	return 0;
}

static __always_inline int on_fentry(void *ctx, __u32 fn)
{
	return on_fentry_skip(ctx, fn, 0);
}

static __always_inline int on_fexit_skip(void *ctx, __u32 fn, int skip)
{
	__u64 a[NARGS], ret = 0;
	struct hmt_event e;

	new_event(&e, fn, HMT_SRC_KERNEL, HMT_EXIT, HMT_VIA_FENTRY);
	tracing_args(ctx, a, skip);
	decode(&e, fn, a);
	if (fn < HMT_NR_FN && !(fn_flags[fn] & HMT_FN_VOID) && !bpf_get_func_ret(ctx, &ret))
		e.ret = exit_ret(fn, (__s32)ret);
	submit(&e);
	return 0;
}

static __always_inline int on_fexit(void *ctx, __u32 fn)
{
	return on_fexit_skip(ctx, fn, 0);
}

/* ---- kprobe/kretprobe ---------------------------------------------- */

static __always_inline int on_kprobe_args(__u32 fn, const __u64 *a)
{
	struct hmt_event e;

	new_event(&e, fn, HMT_SRC_KERNEL, HMT_ENTER, HMT_VIA_KPROBE);
	decode(&e, fn, a);
	submit(&e);
	return 0;
}

static __always_inline int on_kprobe(struct pt_regs *ctx, __u32 fn)
{
	__u64 a[NARGS] = {
		PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
		PT_REGS_PARM4(ctx), PT_REGS_PARM5(ctx), 0,
	};

	return on_kprobe_args(fn, a);
}

/*
 * The arguments are gone at return: take them from the enter event.
 * @need_enter: only when there is one (a filtered function's other calls).
 */
static __always_inline int on_kretprobe_of(struct pt_regs *ctx, __u32 fn, bool need_enter)
{
	struct hmt_event e;
	__u64 key;
	struct hmt_event *in;

	new_event(&e, fn, HMT_SRC_KERNEL, HMT_EXIT, HMT_VIA_KPROBE);
	key = inflight_key(&e);
	in = bpf_map_lookup_elem(&inflight, &key);
	if (!in && need_enter)
		return 0;
	if (in) {
		e.start_pfn = in->start_pfn;
		e.nr_pages = in->nr_pages;
		e.nid = in->nid;
		e.zid = in->zid;
		e.extra = in->extra;
		__builtin_memcpy(e.zone, in->zone, sizeof(e.zone));
	}
	if (fn < HMT_NR_FN && !(fn_flags[fn] & HMT_FN_VOID))
		e.ret = exit_ret(fn, (__s32)PT_REGS_RC(ctx));
	submit(&e);
	return 0;
}

static __always_inline int on_kretprobe(struct pt_regs *ctx, __u32 fn)
{
	return on_kretprobe_of(ctx, fn, false);
}

/* clang-format off */
#define KERNEL_FN(fn)							\
SEC("fentry/" #fn) int fe_##fn(void *ctx)				\
{ return on_fentry(ctx, HMT_FN_##fn); }				\
SEC("fexit/" #fn) int fx_##fn(void *ctx)				\
{ return on_fexit(ctx, HMT_FN_##fn); }					\
SEC("kprobe/" #fn) int kp_##fn(struct pt_regs *ctx)			\
{ return on_kprobe(ctx, HMT_FN_##fn); }				\
SEC("kretprobe/" #fn) int kr_##fn(struct pt_regs *ctx)			\
{ return on_kretprobe(ctx, HMT_FN_##fn); }

KERNEL_FN(add_memory_resource)
KERNEL_FN(arch_add_memory)
KERNEL_FN(__add_pages)
KERNEL_FN(sparse_add_section)
KERNEL_FN(vmemmap_populate)
KERNEL_FN(mhp_init_memmap_on_memory)
KERNEL_FN(mhp_deinit_memmap_on_memory)
KERNEL_FN(memory_block_online)
KERNEL_FN(memory_block_offline)
KERNEL_FN(move_pfn_range_to_zone)
KERNEL_FN(online_pages)
KERNEL_FN(offline_pages)
KERNEL_FN(memory_notify)
KERNEL_FN(try_remove_memory)
KERNEL_FN(arch_remove_memory)
KERNEL_FN(__remove_pages)
KERNEL_FN(sparse_remove_section)
KERNEL_FN(vmemmap_free)
KERNEL_FN(hugetlb_vmemmap_optimize)
KERNEL_FN(vmemmap_populate_hugepages)
KERNEL_FN(vmemmap_populate_basepages)
KERNEL_FN(create_altmaps_and_memory_blocks)
KERNEL_FN(remove_memory_blocks_and_altmaps)
KERNEL_FN(create_memory_block_devices)
KERNEL_FN(mhp_supports_memmap_on_memory)
/* clang-format on */

/*
 * memory_notify(val, v) is blocking_notifier_call_chain(&memory_chain,
 * val, v): traced there, the memory chain's calls only, as memory_notify.
 * A kretprobe cannot see the chain: it takes the exit whose enter was
 * a memory-chain call (a chain called from a memory notifier callback
 * would be mistaken for it; none does in 6.1 .. 6.12).
 */
static __always_inline bool is_memory_chain(__u64 nh)
{
	return memory_chain && nh == memory_chain;
}

SEC("fentry/blocking_notifier_call_chain")
int fe_memory_chain(void *ctx)
{
	__u64 nh = 0;

	bpf_get_func_arg(ctx, 0, &nh);
	return is_memory_chain(nh) ? on_fentry_skip(ctx, HMT_FN_memory_notify, 1) : 0;
}

SEC("fexit/blocking_notifier_call_chain")
int fx_memory_chain(void *ctx)
{
	__u64 nh = 0;

	bpf_get_func_arg(ctx, 0, &nh);
	return is_memory_chain(nh) ? on_fexit_skip(ctx, HMT_FN_memory_notify, 1) : 0;
}

SEC("kprobe/blocking_notifier_call_chain")
int kp_memory_chain(struct pt_regs *ctx)
{
	__u64 a[NARGS] = { PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx), 0, 0, 0, 0 };

	return is_memory_chain(PT_REGS_PARM1(ctx)) ? on_kprobe_args(HMT_FN_memory_notify, a) : 0;
}

SEC("kretprobe/blocking_notifier_call_chain")
int kr_memory_chain(struct pt_regs *ctx)
{
	return on_kretprobe_of(ctx, HMT_FN_memory_notify, true);
}

/* ---- tracepoints ---------------------------------------------------- */

SEC("tracepoint/page_isolation/test_pages_isolated")
int tp_isolated(struct trace_event_raw_test_pages_isolated *ctx)
{
	struct hmt_event e;
	__u64 start, end, fin;

	new_event(&e, HMT_FN_test_pages_isolated, HMT_SRC_KERNEL, HMT_EXIT, HMT_VIA_TRACEPOINT);
	start = BPF_CORE_READ(ctx, start_pfn);
	end = BPF_CORE_READ(ctx, end_pfn);
	fin = BPF_CORE_READ(ctx, fin_pfn);
	set_range(&e, start, end - start);
	e.extra = fin;
	e.ret = fin < end ? -16 /* -EBUSY */ : 0;
	submit(&e);
	return 0;
}

/*
 * The zone's number from its name, or -1: the kernel's zone_names[] is
 * indexed by enum zone_type, so on x86_64 a name's place in zone_names
 * (hmu_zone.h) is the zone_idx() the engine's events carry.  @name is
 * HMT_ZONE_LEN bytes, zero after its end (new_event() cleared them), as
 * zone_names' are: the whole arrays compared, no branch on a byte read
 * (the verifier refused a walk that stopped at the end of the name).
 */
static __always_inline __s32 zid_of_name(const char *name)
{
	for (int zid = 0; zid < HMU_MAX_NR_ZONES; zid++) {
		char diff = 0;

		for (int i = 0; i < HMT_ZONE_LEN; i++)
			diff |= name[i] ^ zone_names[zid][i];
		if (!diff)
			return zid;
	}
	return -1;
}

/*
 * 6.18 __setup_per_zone_wmarks(): one event per zone of an online node,
 * empty ones too; the tracepoint records no range (start_pfn, nr_pages 0)
 * and no zone pointer: zid from the name
 */
SEC("tracepoint/kmem/mm_setup_per_zone_wmarks")
int tp_wmarks(struct trace_event_raw_mm_setup_per_zone_wmarks *ctx)
{
	struct hmt_event e;
	__u32 loc;

	new_event(&e, HMT_FN_mm_setup_per_zone_wmarks, HMT_SRC_KERNEL, HMT_EXIT, HMT_VIA_TRACEPOINT);
	e.nid = BPF_CORE_READ(ctx, node_id);
	e.extra = BPF_CORE_READ(ctx, watermark_min);
	loc = BPF_CORE_READ(ctx, __data_loc_name);
	bpf_probe_read_kernel_str(e.zone, sizeof(e.zone), (void *)ctx + (loc & 0xffff));
	e.zid = zid_of_name(e.zone);
	submit(&e);
	return 0;
}

/* ---- the engine's USDT probes --------------------------------------- */

#define MAX_ANCESTORS 8

/* is the current process filter_tgid or one of its descendants? */
static __always_inline bool wanted_process(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!filter_tgid)
		return true;
	/* the traced process itself, the usual hit: its tgid without a read of task_struct */
	if (!filter_pidns_ino && bpf_get_current_pid_tgid() >> 32 == filter_tgid)
		return true;
	for (int i = 0; i < MAX_ANCESTORS && task; i++) {
		__u32 tgid = filter_pidns_ino ? ns_tgid(task) : BPF_CORE_READ(task, tgid);

		if (tgid == filter_tgid)
			return true;
		task = BPF_CORE_READ(task, real_parent);
	}
	return false;
}

static __always_inline int on_usdt(struct pt_regs *ctx, __u8 phase)
{
	__u32 fn = bpf_usdt_cookie(ctx);
	struct hmt_event e;
	long v[6] = {};

	if (!wanted_process())
		return 0;
	__sync_fetch_and_add(&usdt_hits, 1);
	new_event(&e, fn, HMT_SRC_EMULATOR, phase, HMT_VIA_USDT);
	for (int i = 0; i < 6; i++)
		if (bpf_usdt_arg(ctx, i, &v[i]))
			v[i] = 0;
	set_range(&e, v[0], v[1]);
	e.nid = v[2];
	e.zid = v[3];
	e.extra = v[4];
	if (phase == HMT_EXIT)
		e.ret = v[5];
	submit(&e);
	return 0;
}

SEC("usdt")
int usdt_enter(struct pt_regs *ctx)
{
	return on_usdt(ctx, HMT_ENTER);
}

SEC("usdt")
int usdt_exit(struct pt_regs *ctx)
{
	return on_usdt(ctx, HMT_EXIT);
}

/*
 * hotmem:batch (records, nr): each record is the event its step's own
 * probe would have made, the same fields, its own timestamp.  The steps
 * of one thread nest: an exit's enter is on top of the batch's own stack
 * of open steps.  Only what the stack cannot hold goes through the
 * inflight map, as each probe's events do: what a batch leaves open (a
 * batch split at HOTMEM_PROBE_BATCH_MAX), enters nested deeper than
 * BATCH_DEPTH.  Exit-only steps (test_pages_isolated,
 * mm_setup_per_zone_wmarks) find no enter: dur_ns 0, as through each probe.
 */
#define BATCH_DEPTH 16

/*
 * A batch's records, read from the process in one copy, and its events,
 * handed to the ring buffer as one record (struct hmt_batch, then its
 * events): per record, a copy and a ring-buffer reservation were most of
 * the program's time.  Too big for the stack: a per-CPU slot, claimed
 * for the program's run (@busy), since two threads' usdt_batch can run
 * on one CPU in each other's midst (see new_event()).
 */
struct batch_buf {
	__u32 busy; /* first: tests/bpf/scratch.t holds a slot as a preempted run would */
	__u32 pad;
	/*
	 * The step at hand, as an event: the blocks and counters maps and
	 * the inflight map take an hmt_event.  Its pid, tid, comm, src and
	 * via are set once a batch (new_event()), the step's own fields for
	 * each record.
	 */
	struct hmt_event e;
	struct hotmem_probe_rec rec[HOTMEM_PROBE_BATCH_MAX];
	struct hmt_batch hdr; /* the record: hdr, then ev[0 .. made) */
	struct hmt_batch_ev ev[HOTMEM_PROBE_BATCH_MAX];
};

_Static_assert(__builtin_offsetof(struct batch_buf, ev) ==
		       __builtin_offsetof(struct batch_buf, hdr) + sizeof(struct hmt_batch),
	       "a batch's record is its header and its events, one after the other");

/*
 * A slot each for as many runs as can be under way on one CPU at once:
 * one, and one for each preempted in its midst.  A run finding none free
 * counts its records as dropped (usdt_lost).
 */
#define BATCH_SLOTS 4

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct batch_buf);
} batch_bufs SEC(".maps");

/*
 * A free slot of this CPU's, taken by a compare-and-swap (a run that
 * preempts this one between a test and a set would take it too), or NULL.
 * The program runs with migration disabled: the slot stays this CPU's.
 */
static __always_inline struct batch_buf *claim_batch_buf(void)
{
	for (__u32 i = 0; i < BATCH_SLOTS; i++) {
		__u32 key = i;
		struct batch_buf *buf = bpf_map_lookup_elem(&batch_bufs, &key);

		if (buf && __sync_val_compare_and_swap(&buf->busy, 0, 1) == 0)
			return buf;
	}
	return NULL;
}

static __always_inline void release_batch_buf(struct batch_buf *buf)
{
	__sync_fetch_and_and(&buf->busy, 0);
}

struct batch_ctx {
	struct batch_buf *buf;
	struct hmt_event *e; /* &buf->e */
	__u32 nr, made; /* records; events made of them */
	__u32 depth;
	__u32 deeper; /* enters past BATCH_DEPTH, waiting in inflight */
	__u64 open_ts[BATCH_DEPTH];
	__u32 open_fn[BATCH_DEPTH];
};

/*
 * An exit whose enter is not on top: an inner step's exit was lost (a
 * process killed between the records, a foreign writer).  Its enter,
 * if it is on the stack, closes with it and takes the inner steps along:
 * they can no longer be paired.  Whether it was there.
 */
static __always_inline bool unwind_to(struct batch_ctx *b, struct hmt_event *e)
{
	for (int i = BATCH_DEPTH - 1; i >= 0; i--) {
		if (i >= b->depth || b->open_fn[i] != e->fn)
			continue;
		e->dur_ns = e->ts - b->open_ts[i];
		b->depth = i;
		return true;
	}
	return false;
}

static __always_inline void pair_batch(struct batch_ctx *b, struct hmt_event *e)
{
	__u32 top = (b->depth - 1) & (BATCH_DEPTH - 1);

	if (e->phase == HMT_ENTER) {
		if (b->depth >= BATCH_DEPTH) {
			pair_inflight(e);
			b->deeper++;
			return;
		}
		b->open_ts[b->depth & (BATCH_DEPTH - 1)] = e->ts;
		b->open_fn[b->depth & (BATCH_DEPTH - 1)] = e->fn;
		b->depth++;
		return;
	}
	/* the innermost open step is past the stack: its exit comes first */
	if (b->deeper && pair_inflight(e)) {
		b->deeper--;
		return;
	}
	if (b->depth && b->open_fn[top] == e->fn) {
		e->dur_ns = e->ts - b->open_ts[top];
		b->depth--;
		return;
	}
	/* opened by an earlier batch, else lost its inner steps' exits */
	if (!pair_inflight(e))
		unwind_to(b, e);
}

/* what the batch leaves open waits in inflight for the next batch */
static long batch_leave_open(__u64 i, struct batch_ctx *b)
{
	struct hmt_event *e = b->e;

	if (i >= b->depth || i >= BATCH_DEPTH)
		return 1;
	e->ts = b->open_ts[i];
	e->fn = b->open_fn[i];
	e->phase = HMT_ENTER;
	pair_inflight(e);
	return 0;
}

/* what the batch's events share, once: the record's header */
static __always_inline void batch_hdr(struct hmt_batch *h, const struct hmt_event *e, __u32 nr)
{
	h->nr = nr;
	h->pid = e->pid;
	h->tid = e->tid;
	h->src = e->src;
	h->via = e->via;
	__builtin_memcpy(h->comm, e->comm, sizeof(h->comm));
}

/* the step's own fields, as the ring buffer carries them */
static __always_inline void batch_ev(struct hmt_batch_ev *out, const struct hmt_event *e)
{
	out->ts = e->ts;
	out->start_pfn = e->start_pfn;
	out->nr_pages = e->nr_pages;
	out->extra = e->extra;
	out->ret = e->ret;
	out->dur_ns = e->dur_ns;
	out->nid = e->nid;
	out->zid = e->zid;
	out->fn = e->fn;
	out->phase = e->phase;
}

/*
 * track_block() for a batch's step, as a global function: the verifier
 * checks it once, alone, where inlined into batch_one() its branches
 * multiplied with pair_batch()'s and the callback's, and 6.18's verifier
 * gave up on usdt_batch at its million instructions (6.18.44: "BPF
 * program is too large. Processed 1000001 insn").  Its argument is a
 * pointer to memory, maybe NULL, to the verifier (since 5.12).
 */
__noinline int batch_track_block(struct hmt_event *e)
{
	if (!e)
		return 0;
	track_block(e);
	return 0;
}

static long batch_one(__u64 i, struct batch_ctx *b)
{
	const struct hotmem_probe_rec *r;
	struct hmt_event *e = b->e;

	if (i >= b->nr || i >= HOTMEM_PROBE_BATCH_MAX)
		return 1;
	r = &b->buf->rec[i];
	if (r->probe >= HMT_NR_FN) {
		/* not a step: the rest of the batch, this record on, is not either */
		__sync_fetch_and_add(&usdt_lost, b->nr - i);
		return 1;
	}
	e->ts = r->ts;
	e->fn = r->probe;
	e->phase = r->exit ? HMT_EXIT : HMT_ENTER;
	set_range(e, r->start_pfn, r->nr_pages);
	e->nid = r->nid;
	e->zid = r->zid;
	e->extra = r->extra;
	e->ret = r->exit ? r->ret : 0;
	e->dur_ns = 0;
	pair_batch(b, e);
	/*
	 * The block's state looked up afresh for each step, as each probe's
	 * event does (track_block()): a pointer kept from an earlier record
	 * outlived a delete of the entry made meanwhile (bpftool map delete
	 * pinned .../blocks), and the rest of the batch updated an element no
	 * longer in the map (in a preallocated hash, one on its free list,
	 * which the next insert hands to another block).
	 */
	batch_track_block(e);
	count(e, false);
	batch_ev(&b->buf->ev[i], e);
	b->made = i + 1;
	return 0;
}

/* the ring buffer was full: each event of the batch counts as dropped */
static long batch_dropped(__u64 i, struct batch_ctx *b)
{
	struct hmt_counter *c;
	__u32 fn;

	if (i >= b->made || i >= HOTMEM_PROBE_BATCH_MAX)
		return 1;
	fn = b->buf->ev[i].fn;
	c = bpf_map_lookup_elem(&counters, &fn);
	if (c)
		__sync_fetch_and_add(&c->dropped, 1);
	return 0;
}

SEC("usdt")
int usdt_batch(struct pt_regs *ctx)
{
	struct batch_ctx b = {};
	__u64 size;
	long v = 0;

	if (!wanted_process())
		return 0;
	__sync_fetch_and_add(&usdt_hits, 1);
	if (bpf_usdt_arg(ctx, 1, &v) || v <= 0)
		return 0;
	b.nr = v < HOTMEM_PROBE_BATCH_MAX ? v : HOTMEM_PROBE_BATCH_MAX;
	if (v > b.nr)
		__sync_fetch_and_add(&usdt_lost, v - b.nr);
	if (bpf_usdt_arg(ctx, 0, &v))
		return 0;
	b.buf = claim_batch_buf();
	if (!b.buf) {
		__sync_fetch_and_add(&usdt_lost, b.nr);
		return 0;
	}
	b.e = &b.buf->e;
	new_event(b.e, 0, HMT_SRC_EMULATOR, HMT_ENTER, HMT_VIA_USDT);
	size = (__u64)b.nr * sizeof(b.buf->rec[0]);
	if (size > sizeof(b.buf->rec) ||
	    bpf_probe_read_user(b.buf->rec, size, (const void *)v)) {
		__sync_fetch_and_add(&usdt_lost, b.nr);
		goto out;
	}
	bpf_loop(b.nr, batch_one, &b, 0);
	batch_hdr(&b.buf->hdr, b.e, b.made);
	size = HMT_BATCH_SIZE((__u64)b.made);
	if (b.made && size <= sizeof(b.buf->hdr) + sizeof(b.buf->ev) &&
	    bpf_ringbuf_output(&events, &b.buf->hdr, size, wakeup_flags(size))) {
		bpf_loop(b.made, batch_dropped, &b, 0);
		__sync_fetch_and_add(&ringbuf_dropped, b.made);
	}
	if (b.depth)
		bpf_loop(b.depth, batch_leave_open, &b, 0);
out:
	release_batch_buf(b.buf);
	return 0;
}
