/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem-trace events in user space: names, and the two output formats
 * (JSON lines, the one schema of docs/hotmem-trace.md, and a readable table).
 */
#ifndef HMT_EVENT_H
#define HMT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "hotmem_trace.h"
#include "uapi/hmuapi.h" /* hmu_mem_action_name() */

const char *hmt_fn_name(unsigned int fn);
int hmt_fn_from_name(const char *name);
const char *hmt_src_name(unsigned int src);
const char *hmt_phase_name(unsigned int phase);
const char *hmt_via_name(unsigned int via);
/* the engine's zone numbering (enum hm_zone_type): "DMA".."Device" */
const char *hmt_zone_name(int zid);
/* enum hmt_mem_action's names: hmu_mem_action_name(), _from_name() (uapi/hmuapi.h) */
/* a memory_notify event's action by name, else NULL */
const char *hmt_event_action(const struct hmt_event *e);
/* the event's zone: its name if the kernel gave one, else from zid */
const char *hmt_event_zone(const struct hmt_event *e);

/*
 * A ring-buffer record's events, in order, each handed to @fn: one
 * struct hmt_event, or a hotmem:batch's (struct hmt_batch and its
 * events, made hmt_events again).  @same_thread: @e's pid, tid, comm,
 * src and via are those of the event handed over just before it (a
 * batch's, after its first: its header, read once).  What @fn returned
 * first that was not 0, else 0; -EBADMSG when @size is neither.
 */
typedef int hmt_event_fn(void *ctx, const struct hmt_event *e, bool same_thread);
int hmt_record_events(const void *data, size_t size, hmt_event_fn *fn, void *ctx);

/* one JSON object, no newline; @t0 is subtracted from ts. -1 if cut. */
int hmt_format_json(const struct hmt_event *e, __u64 t0, char *buf, size_t len);

/*
 * The end of a JSON line, "pid" to "via", which every event of a thread
 * has the same: the reader formats it once and copies it while the
 * events keep it (about a quarter of a line's formatting time).  Zeroed: empty.
 */
#define HMT_JSON_TAIL_MAX 224
struct hmt_json_tail {
	__u32 pid, tid;
	__u8 via;
	char comm[HMT_COMM_LEN];
	unsigned int len; /* of s; 0: none */
	char s[HMT_JSON_TAIL_MAX];
};

/*
 * hmt_format_json(), the tail copied from @tail when it is @e's, else made
 * and kept there.  @same_thread: the caller knows @e's tail is the last
 * event's (hmt_event_fn's): it is not compared again.
 */
int hmt_format_json_tail(const struct hmt_event *e, __u64 t0, struct hmt_json_tail *tail,
			 bool same_thread, char *buf, size_t len);
/*
 * A JSON trace's first line, its header: no "ev", HMT_HEADER_KEY with
 * hotmem-trace's version, "kernel_release" (uname -r of the kernel traced)
 * when @kernel_release, "engine" when the engine was traced,
 * "kallsyms_hidden": true when @kallsyms_hidden (the kernel's /proc/kallsyms
 * addresses were 0: no MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE, vmemmap
 * ranges 0).  compare takes a kernel trace's version and blindness from it;
 * a trace without one (older) still loads.  One JSON object, no newline;
 * -1 if cut.
 */
#define HMT_HEADER_KEY "hotmem_trace"
/* the engine's "release": the kernel it follows (docs/design-notes.md) */
#define HMT_ENGINE_RELEASE "hotmem engine (follows Linux 6.12)"
int hmt_format_json_header(const char *kernel_release, const char *engine, bool kallsyms_hidden,
			   char *buf, size_t len);
/*
 * The ring buffer's losses where the trace is (abuse25a B3): a record,
 * no event, each time the drop count moved (the summary's "dropped":
 * events the ring buffer had no room for, hotmem:batch records that never
 * became events) -- @count of them, lost after @since (the reader's
 * previous look) and by @ts (this one); both less @t0, as an event's ts.
 * JSON: {"ts":TS,"ev":"lost","count":N,"since":SINCE}; a table line with
 * EVENT "lost".  -1 if cut.
 */
#define HMT_LOST_EV "lost"
int hmt_format_lost_json(unsigned long long count, __u64 since, __u64 ts, __u64 t0, char *buf,
			 size_t len);
int hmt_format_lost_table(unsigned long long count, __u64 since, __u64 ts, __u64 t0, char *buf,
			  size_t len);
void hmt_print_table_header(FILE *f);
int hmt_format_table(const struct hmt_event *e, __u64 t0, char *buf, size_t len);

#endif /* HMT_EVENT_H */
