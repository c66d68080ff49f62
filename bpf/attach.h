/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem-trace: load the BPF object and attach what this machine allows.
 *
 * Kernel side, per run one mode: fentry/fexit (needs BTF and ftrace
 * direct calls), else kprobe/kretprobe (CONFIG_KPROBES), else none; the
 * two tracepoints in every mode.  A function the kernel inlined or lacks
 * is reported, not fatal.  Emulator side: the engine's USDT probes in one
 * binary, all processes or one pid: hotmem:batch where the binary has it
 * (every step, one probe hit per operation), else (or per_probe) each
 * hotmem:<fn> and hotmem:<fn>__ret.
 */
#ifndef HMT_ATTACH_H
#define HMT_ATTACH_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "hotmem_trace.h"

enum hmt_kmode { HMT_KMODE_FENTRY, HMT_KMODE_KPROBE, HMT_KMODE_NONE, HMT_NR_KMODE };

#define HMT_MAX_LINKS 160
#define HMT_NR_TP 2

struct hotmem_trace_bpf;
struct bpf_link;
struct btf;

struct hmt_tracer {
	/* set by the caller */
	bool want_kernel, want_emulator;
	enum hmt_kmode first_mode; /* the best mode to try */
	char emu_path[PATH_MAX]; /* binary with the USDT probes */
	const char *emu_cmd; /* the command run (its argv[0]) when emu_path is its binary, else NULL */
	pid_t emu_pid; /* -1: every process */
	pid_t filter_tgid; /* 0, or only it and its descendants */
	unsigned int filter_pidns_ino; /* filter_tgid's pid namespace; 0: the initial one */
	bool per_probe; /* each hotmem:<fn>[__ret] probe, not hotmem:batch */
	__u64 block_pages;
	__u32 max_blocks; /* the blocks map's max_entries; 0: the object's */
	/* results */
	struct hotmem_trace_bpf *skel;
	enum hmt_kmode kmode;
	struct btf *btf;
	const char *ksym[HMT_NR_FN]; /* kernel symbol, NULL: not in kernel */
	unsigned long long memory_chain; /* &memory_chain, 0: not in kallsyms */
	/*
	 * /proc/kallsyms shows every address as 0 (kernel.kptr_restrict=2, or
	 * 1 without CAP_SYSLOG): &memory_chain and vmemmap_base unknown
	 */
	bool kallsyms_hidden;
	bool notify_via_chain; /* memory_notify traced on the memory chain */
	int notify_enum; /* notifier actions from BTF: number of them, 0: 6.1 bits */
	bool ftraceable[HMT_NR_FN];
	enum hmt_kmode fn_mode[HMT_NR_FN]; /* how each function is traced */
	int kerr[HMT_NR_FN]; /* 0: attached */
	int mode_err[HMT_NR_KMODE]; /* why a mode was given up */
	int tp_err[HMT_NR_TP];
	int usdt_found, usdt_total, usdt_err;
	bool usdt_batch; /* the steps came through hotmem:batch */
	int usdt_batch_sites; /* hotmem:batch's sites in the binary */
	int usdt_steps; /* the steps' probes in the binary: what hotmem:batch carries */
	char usdt_missing[512];
	struct bpf_link *links[HMT_MAX_LINKS];
	int nlinks;
};

const char *hmt_kmode_name(enum hmt_kmode m);
int hmt_kmode_from_name(const char *s);
bool hmt_is_kernel_fn(unsigned int fn);
/* load and attach; 0, or -errno when nothing at all could be traced */
int hmt_tracer_open(struct hmt_tracer *t);
void hmt_tracer_report(const struct hmt_tracer *t, FILE *f);
/* the emulator's binary has none of hotmem's USDT probes (said by hmt_tracer_report) */
bool hmt_tracer_no_probes(const struct hmt_tracer *t);
/*
 * An attach (a mode's, a function's, a tracepoint's, a USDT probe's)
 * failed with EMFILE or ENFILE: every link is a descriptor, and a low
 * RLIMIT_NOFILE left probes out (abuse25c D4)
 */
bool hmt_tracer_out_of_fds(const struct hmt_tracer *t);
void hmt_tracer_close(struct hmt_tracer *t);

#endif /* HMT_ATTACH_H */
