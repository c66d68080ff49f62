/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem-trace compare: two JSON-lines traces of the same scenario (say a
 * real kernel under QEMU and the engine), normalised and aligned.
 *
 * Normalising: timestamps, pids and durations are dropped; pfns become
 * relative to the trace's base pfn (the lowest pfn of any ranged event:
 * the start of the hot-added memory), so a DIMM at 4 GiB in the guest and
 * one at 640 MiB in the engine line up block by block.
 * Aligning: by (ev, phase), as a longest common subsequence.  A step
 * (ev, phase) only one trace has is one difference, not aligned, unless
 * the other is a kernel trace of a version that does not show that step
 * (absent.h: listed, "not compared"); --strict aligns every event, each
 * unmatched one a difference; --require: a named step missing from either
 * trace is a difference, listed or not.  A trace with fewer than half the
 * other's events is a difference too (truncated).  "meminfo" records (MemTotal/MemFree in kB,
 * "phase" naming the step, optional PcpFree: kB on the per-cpu lists,
 * added to MemFree) compare their changes from the first one.
 */
#ifndef HMT_COMPARE_H
#define HMT_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#define HMT_EV_LEN 40
/* the kernel version a kernel trace is taken to be without --kernel or a header */
#define HMT_CMP_KERNEL "6.12"

struct hmt_rec {
	int line;
	unsigned long long ts; /* not compared: the timeline draws with it */
	char src[12]; /* "kernel", "emulator" */
	int zid; /* -1: unknown */
	char ev[HMT_EV_LEN];
	char phase[24];
	unsigned long long start_pfn, nr_pages;
	int nid; /* -1: unknown */
	char zone[16]; /* "": unknown */
	bool has_ret;
	long long ret, extra;
	long long memtotal, memfree; /* meminfo records, kB; memfree + PcpFree */
	unsigned long long count, since; /* "lost" records (event.h HMT_LOST_EV) */
};

struct hmt_trace {
	const char *name;
	struct hmt_rec *ev; /* hotplug events */
	size_t nev, cap_ev;
	struct hmt_rec *mi; /* meminfo records */
	size_t nmi, cap_mi;
	/* "lost" records: events the tracer's ring buffer had no room for */
	struct hmt_rec *lost;
	size_t nlost, cap_lost;
	unsigned long long lost_events; /* their counts' sum */
	size_t skipped; /* non-blank lines that were not hotmem-trace JSON lines */
	int first_skipped; /* the first of them (its line number), 0: none */
	char skipped_text[40]; /* its beginning, for the message */
	unsigned long long base; /* lowest pfn */
	/* its header's (event.h HMT_HEADER_KEY): "" when it has none (older traces) */
	char kernel_release[64]; /* uname -r of the kernel traced */
	char engine[64]; /* HMT_ENGINE_RELEASE when the engine was traced */
	bool kallsyms_hidden; /* its kernel's /proc/kallsyms addresses were 0 (absent.h) */
};

struct hmt_cmp_opts {
	bool strict; /* compare every event and every extra */
	long long memfree_tol_kb; /* allowed MemFree change difference */
	int max_report; /* differences printed, 0: all */
	const char *require; /* "ev,ev,...": steps both traces must have */
	/*
	 * --kernel: a list of absent.h (hmt_absent_list()) for every kernel
	 * trace; NULL: each kernel trace's from its header's kernel_release,
	 * else HMT_CMP_KERNEL -- said for each.  @kernel_arg: --kernel's text.
	 */
	const char *kernel, *kernel_arg;
	FILE *out;
};

/*
 * -EBADMSG: lines, but not one hotmem-trace JSON line among them (say
 * hotmem-trace's table, or another file): not a trace.  An empty file is
 * one, with no event.
 */
int hmt_trace_read(struct hmt_trace *t, FILE *f, const char *name);
int hmt_trace_load(struct hmt_trace *t, const char *path);
/* hmt_trace_load(), each error and lines skipped said on stderr as @tool's */
int hmt_trace_open(struct hmt_trace *t, const char *path, const char *tool);
void hmt_trace_free(struct hmt_trace *t);
/*
 * A trace with "lost" records is not compared: its differences would be
 * the tracer's loss, blamed on the kernel or the engine.  Said on stderr
 * as @tool's, -ENODATA; 0 without loss.
 */
int hmt_trace_check_lossless(const struct hmt_trace *t, const char *tool);
/* the number of differences (0: same), printed to opts->out */
int hmt_compare(struct hmt_trace *a, struct hmt_trace *b, const struct hmt_cmp_opts *opts);
/* "hotmem-trace compare [--strict] [--require EV,..] [--kernel VER] [--memfree-tolerance KB] A B": 0, 1, 2 */
int hmt_compare_main(int argc, char **argv);

#endif /* HMT_COMPARE_H */
