// SPDX-License-Identifier: GPL-2.0
/*
 * What the engine tells the world: log lines (printk), uevents
 * (kobject_uevent) and trace steps.  Every trace step is also a USDT probe
 * in provider "hotmem" (engine/hotmem_probes.h), so hotmem-trace sees the
 * engine exactly where it sees the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Every probe has a semaphore (sdt.h's form: a counter in section
 * .probes whose address the probe's note carries).  The kernel counts in
 * it the tracers attached to the probe -- the uprobe's ref_ctr_offset,
 * which libbpf's and bpftrace's USDT attach set -- so an untraced probe
 * costs a load and a branch and its arguments are never marshalled.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#include "internal.h"
#include "uapi/hmuapi.h"

/*
 * A 5-byte nop at each probe site instead of sdt.h's 1-byte one: kernels
 * since 6.17 turn a uprobe on a nop5 into a call to a trampoline instead
 * of a trap, which makes a traced probe several times cheaper.
 */
#undef _SDT_NOP
#define _SDT_NOP .byte 0x0f;.byte 0x1f;.byte 0x44;.byte 0x00;.byte 0x00

static void deliver(struct hotmem *hm, const struct hm_event *ev)
{
	for (int i = 0; i < HM_MAX_SUBSCRIBERS; i++) {
		const struct hm_subscriber *sub = &hm->subs[i];

		if (!sub->cb)
			continue;
		if (ev->type == HM_EV_TRACE &&
		    !atomic_load_explicit(&sub->want_trace, memory_order_relaxed))
			continue;
		sub->cb(ev, sub->arg);
	}
}

/* @sub's wish for trace steps is @want now: nr_trace_subscribers follows it */
static void sub_want_trace(struct hotmem *hm, struct hm_subscriber *sub, bool want)
{
	/* an exchange: a racing hotmem_unsubscribe() and this count the change once */
	if (atomic_exchange(&sub->want_trace, want) != want)
		atomic_fetch_add(&hm->nr_trace_subscribers, want ? 1 : -1);
}

int hotmem_subscribe(struct hotmem *hm, hotmem_event_cb cb, void *arg)
{
	int slot = -ENOSPC;

	pthread_mutex_lock(&hm->event_lock);
	for (int i = 0; i < HM_MAX_SUBSCRIBERS; i++) {
		if (!hm->subs[i].cb) {
			hm->subs[i].arg = arg;
			hm->subs[i].cb = cb;
			/* everything, as before hotmem_subscribe_trace() existed */
			sub_want_trace(hm, &hm->subs[i], true);
			slot = i;
			break;
		}
	}
	pthread_mutex_unlock(&hm->event_lock);
	return slot;
}

int hotmem_subscribe_trace(struct hotmem *hm, int slot, bool want)
{
	if (slot < 0 || slot >= HM_MAX_SUBSCRIBERS || !hm->subs[slot].cb)
		return -EINVAL;
	/* no event_lock: a callback may call it, and a probe never waits for it */
	sub_want_trace(hm, &hm->subs[slot], want);
	return 0;
}

void hotmem_unsubscribe(struct hotmem *hm, int slot)
{
	if (slot < 0 || slot >= HM_MAX_SUBSCRIBERS)
		return;
	pthread_mutex_lock(&hm->event_lock);
	sub_want_trace(hm, &hm->subs[slot], false);
	hm->subs[slot].cb = NULL;
	hm->subs[slot].arg = NULL;
	pthread_mutex_unlock(&hm->event_lock);
}

/*
 * The most text a 6.12 record holds: vprintk_store() reserves at most
 * PRINTKRB_RECORD_MAX (1024, kernel/printk/internal.h) with its NUL for
 * what printk_sprint()'s vscnprintf() writes, 1023 bytes, newline and
 * all.  A pr_notice()'s format begins with its level, KERN_SOH and the
 * digit, which printk_sprint() then strips from those bytes: its text is
 * cut to 1021.  A dev_printk()'s level is passed apart instead
 * (drivers/base/core.c __dev_printk(): dev_printk_emit(level[1] - '0',
 * dev, "%s %s: %pV", ...) to vprintk_emit(0, level, &dev_info, ...)), no
 * prefix in the buffer to strip: its text is cut to 1023.  Either way a
 * message cut loses its newline with the rest.
 */
#define HM_PRINTKRB_RECORD_MAX	1024
#define HM_PRINTK_TEXT_MAX	(HM_PRINTKRB_RECORD_MAX - 1 - 2)
#define HM_DEV_PRINTK_TEXT_MAX	(HM_PRINTKRB_RECORD_MAX - 1)

/* the kernel log ring: what happened before anyone subscribed (boot) too */
static void dmesg_append(struct hotmem *hm, int level, const char *msg)
{
	/*
	 * a whole record's text, its "<N>" and newline: 600 here read
	 * past the line for a message longer (a "Kernel command line:" of
	 * 600 bytes put the stack's bytes, NULs, in the ring, and every line
	 * after it was lost to hotmem_dmesg())
	 */
	char line[HM_DEV_PRINTK_TEXT_MAX + 8];
	int n = snprintf(line, sizeof(line), "<%d>%s\n", level, msg);

	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	for (int i = 0; i < n; i++) {
		hm->dmesg[hm->dmesg_head % HM_DMESG_SIZE] = line[i];
		hm->dmesg_head++;
	}
}

/* a record of at most @max bytes of text (vprintk_store()), to the ring and the subscribers */
static void vlog_store(struct hotmem *hm, int level, size_t max, const char *fmt, va_list ap)
{
	struct hm_event ev = { .type = HM_EV_LOG, .level = level };
	char buf[HM_DEV_PRINTK_TEXT_MAX + 1];

	vsnprintf(buf, max + 1, fmt, ap);
	ev.msg = buf;
	pthread_mutex_lock(&hm->event_lock);
	/* pr_debug too: as with dyndbg on for the hotplug code */
	if (level <= 7)
		dmesg_append(hm, level, buf);
	deliver(hm, &ev);
	pthread_mutex_unlock(&hm->event_lock);
}

void hm_log(struct hotmem *hm, int level, const char *fmt, ...)
{
	va_list ap;

	/*
	 * cut where a 6.12 record is: a "Kernel command line:" of 2047 bytes
	 * shows 1000 of them (printk's own cut; the line is whole in
	 * /proc/cmdline)
	 */
	va_start(ap, fmt);
	vlog_store(hm, level, HM_PRINTK_TEXT_MAX, fmt, ap);
	va_end(ap);
}

void hm_dev_log(struct hotmem *hm, int level, const char *fmt, ...)
{
	va_list ap;

	/* the level apart: two bytes more of the message than hm_log()'s */
	va_start(ap, fmt);
	vlog_store(hm, level, HM_DEV_PRINTK_TEXT_MAX, fmt, ap);
	va_end(ap);
}

void hotmem_synth_uevent_failed(struct hotmem *hm, const char *devpath,
				enum hm_synth_uevent_error why, const char *dev_bus, int err)
{
	static const char *const words[] = {
		[HM_SYNTH_UEVENT_ACTION] = "unknown uevent action string",
		[HM_SYNTH_UEVENT_ARGS] = "incorrect uevent action arguments",
		[HM_SYNTH_UEVENT_SEND] = "failed to send uevent",
	};
	const char *name = devpath ? strrchr(devpath, '/') : NULL;

	/* kobject_get_path() failing: "unknown device" */
	pr_warn(hm, "synth uevent: %s: %s", devpath && *devpath ? devpath : "unknown device",
		(unsigned int)why < ARRAY_SIZE(words) ? words[why] : words[HM_SYNTH_UEVENT_SEND]);
	/*
	 * drivers/base/core.c uevent_store(), "%d" since 6.1: dev_printk()'s
	 * "%s %s: " of dev_driver_string() -- no device modelled here has a
	 * driver, so its bus or class, "" for a subsystem's root device --
	 * and dev_name(), the kobject's name, @devpath's last (reread38 R4)
	 */
	if (dev_bus && name)
		dev_err(hm, "%s %s: uevent: failed to send synthetic uevent: %d", dev_bus, name + 1,
			err);
}

/*
 * At the end of hotmem_create(): the ring so far, the boot's log.  Its
 * lines (RAMDISK:, Memory:, the SRAT's hotplug range ...) describe the
 * machine for as long as it runs -- hotmemctl export writes them for
 * hotmem profile --from-sysfs -- and the ring loses them after a few
 * hundred onlines (reread35 R1).  Without memory for the copy, the ring
 * answers (hotmem_boot_dmesg()).
 */
void dmesg_boot_snapshot(struct hotmem *hm)
{
	size_t n = hm->dmesg_head < HM_DMESG_SIZE ? hm->dmesg_head : HM_DMESG_SIZE;

	hm->boot_dmesg = malloc(n + 1);
	if (hm->boot_dmesg)
		hotmem_dmesg(hm, hm->boot_dmesg, n + 1);
}

/*
 * @buf's @n bytes, a log's newest, whole lines only: the kernel's reads
 * give whole records (6.12 kernel/printk/printk.c syslog_print_all():
 * find_first_fitting_seq() counts back from the newest the records that
 * fit; /dev/kmsg one record a read).  Unless @whole (the bytes begin a
 * line: the log's start, or a newline before them), the first line's
 * start was cut off: dropped, up to its newline.  The length left.
 */
static size_t whole_lines(char *buf, size_t n, bool whole)
{
	char *nl = whole ? NULL : memchr(buf, '\n', n);

	if (!whole)
		n = nl ? n - (size_t)(nl + 1 - buf) : 0;
	if (nl)
		memmove(buf, nl + 1, n);
	buf[n] = '\0';
	return n;
}

/*
 * A @buf too small for the log gets its end, the newest whole lines, as
 * the ring's read (hotmem_dmesg()) does: it kept the start, so the copy
 * and its fallback disagreed on what a short read of one log is (tidy36);
 * a first line begun mid-line (reread38 R4 nit) is left out.
 */
size_t hotmem_boot_dmesg(struct hotmem *hm, char *buf, size_t len)
{
	size_t n, all;

	if (!len)
		return 0;
	if (!hm->boot_dmesg)
		return hotmem_dmesg(hm, buf, len);
	n = all = strlen(hm->boot_dmesg);
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, hm->boot_dmesg + (all - n), n);
	return whole_lines(buf, n, n == all || hm->boot_dmesg[all - n - 1] == '\n');
}

/*
 * The ring's newest bytes that fit @buf, whole lines (whole_lines()).
 * Once the ring has wrapped, the byte before its oldest is gone: whether
 * that oldest begins a line cannot be told, and its line is left out
 * either way -- the kernel's ring drops whole records, never a part.
 */
size_t hotmem_dmesg(struct hotmem *hm, char *buf, size_t len)
{
	size_t n, start;
	bool whole;

	if (!len)
		return 0;
	pthread_mutex_lock(&hm->event_lock);
	n = hm->dmesg_head < HM_DMESG_SIZE ? hm->dmesg_head : HM_DMESG_SIZE;
	if (n > len - 1)
		n = len - 1;
	start = hm->dmesg_head - n;
	for (size_t i = 0; i < n; i++)
		buf[i] = hm->dmesg[(start + i) % HM_DMESG_SIZE];
	whole = !start || (n < HM_DMESG_SIZE && hm->dmesg[(start - 1) % HM_DMESG_SIZE] == '\n');
	pthread_mutex_unlock(&hm->event_lock);
	return whole_lines(buf, n, whole);
}

_Static_assert((int)HM_KOBJ_ADD == (int)HMU_KOBJ_ADD && (int)HM_KOBJ_OFFLINE == (int)HMU_KOBJ_OFFLINE,
	       "enum kobject_action order (engine/uapi)");

const char *hotmem_uevent_action_name(enum hm_uevent_action a)
{
	/* the engine raises no bind/unbind */
	if ((unsigned int)a > HM_KOBJ_OFFLINE)
		return "unknown";
	return hmu_kobject_action_name((int)a);
}

void hm_uevent(struct hotmem *hm, enum hm_uevent_action action, unsigned long block_id)
{
	struct hm_event ev = { .type = HM_EV_UEVENT, .action = action,
			       .block_id = block_id, .nid = -1, .zid = -1 };
	char path[96];

	snprintf(path, sizeof(path), "/devices/system/memory/memory%lu", block_id);
	ev.devpath = path;
	atomic_fetch_add(&hm->uevent_seqnum, 1);
	pthread_mutex_lock(&hm->event_lock);
	deliver(hm, &ev);
	pthread_mutex_unlock(&hm->event_lock);
}

/*
 * A node device's uevent (drivers/base/node.c, 6.12): KOBJ_ADD from
 * __register_one_node() when add_memory_resource() brings a node online,
 * KOBJ_REMOVE from unregister_one_node() in try_offline_node().
 * block_id is HM_NO_BLOCK, nid the node.
 */
void hm_node_uevent(struct hotmem *hm, enum hm_uevent_action action, int nid)
{
	struct hm_event ev = { .type = HM_EV_UEVENT, .action = action,
			       .block_id = HM_NO_BLOCK, .nid = nid, .zid = -1 };
	char path[64];

	snprintf(path, sizeof(path), "/devices/system/node/node%d", nid);
	ev.devpath = path;
	atomic_fetch_add(&hm->uevent_seqnum, 1);
	pthread_mutex_lock(&hm->event_lock);
	deliver(hm, &ev);
	pthread_mutex_unlock(&hm->event_lock);
}

/*
 * register_memory_blocks_under_node_hotplug() linked the blocks of
 * [start_pfn, start_pfn + nr_pages) under node @nid: after their ADDs,
 * and after a new node's own ADD (memory.c)
 */
void hm_link_event(struct hotmem *hm, int nid, unsigned long start_pfn, unsigned long nr_pages)
{
	struct hm_event ev = { .type = HM_EV_LINK, .block_id = HM_NO_BLOCK, .nid = nid,
			       .zid = -1, .start_pfn = start_pfn, .nr_pages = nr_pages };

	pthread_mutex_lock(&hm->event_lock);
	deliver(hm, &ev);
	pthread_mutex_unlock(&hm->event_lock);
}

static const char *const probe_names[HMP_NR] = {
#define HM_PROBE_NAME(name) [HMP_##name] = #name,
	HOTMEM_PROBES(HM_PROBE_NAME)
};

/*
 * The semaphores: written by the kernel (not by us) when a tracer attaches
 * or detaches, hence volatile.  Static: they are found through the notes,
 * not by symbol, and libhotmem.a exports only hotmem_ functions; the
 * probe sites reach them through hm_usdt_semaphores (internal.h).
 */
#define HM_USDT_SEMAPHORE(name)                                               \
	static volatile unsigned short hotmem_##name##_semaphore              \
		__attribute__((section(".probes"), used));                   \
	static volatile unsigned short hotmem_##name##__ret_semaphore         \
		__attribute__((section(".probes"), used));
HOTMEM_PROBES(HM_USDT_SEMAPHORE)

volatile unsigned short *const hm_usdt_semaphores[HMP_NR][2] = {
#define HM_USDT_SEMAPHORE_REF(name)                                           \
	[HMP_##name] = { &hotmem_##name##_semaphore, &hotmem_##name##__ret_semaphore },
	HOTMEM_PROBES(HM_USDT_SEMAPHORE_REF)
};

/* one USDT site per probe: sdt.h wants the name as a literal */
#define HM_USDT_ENTRY(name)                                                   \
	case HMP_##name:                                                      \
		DTRACE_PROBE5(hotmem, name, a0, a1, a2, a3, a4);              \
		break;
#define HM_USDT_EXIT(name)                                                    \
	case HMP_##name:                                                      \
		DTRACE_PROBE6(hotmem, name##__ret, a0, a1, a2, a3, a4, a5);   \
		break;

/* noinline: the sites stay out of hm_trace()'s fast path */
static __attribute__((noinline)) void usdt_entry(enum hm_probe probe, long a0, long a1, long a2,
						 long a3, long a4)
{
	switch (probe) {
		HOTMEM_PROBES(HM_USDT_ENTRY)
	default:
		break;
	}
}

static __attribute__((noinline)) void usdt_exit(enum hm_probe probe, long a0, long a1, long a2,
						long a3, long a4, long a5)
{
	switch (probe) {
		HOTMEM_PROBES(HM_USDT_EXIT)
	default:
		break;
	}
}

/* noinline: its frame stays out of hm_trace()'s untraced path */
static __attribute__((noinline)) void deliver_trace(struct hotmem *hm, enum hm_probe probe, bool exit,
			  unsigned long start_pfn, unsigned long nr_pages, int nid, int zid,
			  long extra, int ret)
{
	struct hm_event ev = {
		.type = HM_EV_TRACE, .fn = probe_names[probe], .exit = exit,
		.start_pfn = start_pfn, .nr_pages = nr_pages,
		.nid = nid, .zid = zid, .extra = extra, .ret = ret,
	};

	pthread_mutex_lock(&hm->event_lock);
	deliver(hm, &ev);
	pthread_mutex_unlock(&hm->event_lock);
}

/* hotmem:batch (engine/hotmem_probes.h): internal.h's struct hm_probe_batch */
_Thread_local struct hm_probe_batch hm_probe_batch;
/* hidden, not static: hm_trace() reads it at every probe site */
volatile unsigned short hotmem_batch_semaphore __attribute__((section(".probes"), used));

static __attribute__((noinline)) void usdt_batch(const struct hotmem_probe_rec *rec, long nr)
{
	DTRACE_PROBE2(hotmem, batch, rec, nr);
}

/* hand the records over, or drop them when the tracer left meanwhile */
static void batch_flush(struct hm_probe_batch *b)
{
	if (hotmem_batch_semaphore)
		usdt_batch(b->rec, b->nr);
	b->nr = 0;
}

/* noinline: as deliver_trace() */
static __attribute__((noinline)) void batch_add(struct hm_probe_batch *b, enum hm_probe probe, bool exit,
		      unsigned long start_pfn, unsigned long nr_pages, int nid, int zid,
		      long extra, int ret)
{
	struct timespec now;

	/* CLOCK_MONOTONIC: bpf_ktime_get_ns()'s clock, as the kernel's events */
	clock_gettime(CLOCK_MONOTONIC, &now);
	b->rec[b->nr++] = (struct hotmem_probe_rec){
		.ts = (unsigned long long)now.tv_sec * 1000000000ULL + now.tv_nsec,
		.start_pfn = (long long)start_pfn, .nr_pages = (long long)nr_pages,
		.nid = nid, .zid = zid, .extra = extra, .ret = ret,
		.probe = probe, .exit = exit,
	};
}

/*
 * A step someone may follow (hm_trace_wanted()): batched, its USDT site,
 * the trace subscribers.  Out of line: hm_trace() inlines only the test.
 */
void hm_trace_step(struct hotmem *hm, enum hm_probe probe, bool exit, unsigned long start_pfn,
		   unsigned long nr_pages, int nid, int zid, long extra, int ret)
{
	struct hm_probe_batch *b = &hm_probe_batch;

	if (hotmem_batch_semaphore)
		batch_add(b, probe, exit, start_pfn, nr_pages, nid, zid, extra, ret);
	/* the outermost step returned (or a step outside any): hand over */
	if (b->nr != 0 && (!b->depth || b->nr == HOTMEM_PROBE_BATCH_MAX))
		batch_flush(b);
	if (*hm_usdt_semaphores[probe][exit]) {
		if (exit)
			usdt_exit(probe, (long)start_pfn, (long)nr_pages, nid, zid, extra, ret);
		else
			usdt_entry(probe, (long)start_pfn, (long)nr_pages, nid, zid, extra);
	}
	if (atomic_load_explicit(&hm->nr_trace_subscribers, memory_order_relaxed))
		deliver_trace(hm, probe, exit, start_pfn, nr_pages, nid, zid, extra, ret);
}
