// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace: choose an attach mode, load, attach, report */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <gelf.h>
#include <libelf.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "attach.h"
#include "btf_params.h"
#include "event.h"
#include "hotmem_trace.skel.h"

#define HMT_KSYM_CANDIDATES 3

/*
 * Kernel symbols per step, the first one this kernel has taken; a later
 * kernel may have renamed one.  HugeTLB's vmemmap optimisation per folio
 * is 6.7+'s static __hugetlb_vmemmap_optimize_folio(), which both a
 * nr_hugepages grow's batch (hugetlb_vmemmap_optimize_folios(), from
 * prep_and_add_allocated_folios()) and a single fresh folio
 * (hugetlb_vmemmap_optimize_folio()) go through, returning 0 or -ENOMEM;
 * hugetlb_vmemmap_optimize_folio() (void) sees the single ones only, 6.1's
 * hugetlb_vmemmap_optimize() each.
 */
static const char *const ksyms[HMT_NR_FN][HMT_KSYM_CANDIDATES] = {
	[HMT_FN_hugetlb_vmemmap_optimize] = { "__hugetlb_vmemmap_optimize_folio",
					      "hugetlb_vmemmap_optimize_folio",
					      "hugetlb_vmemmap_optimize" },
};

/* steps that are tracepoints on the kernel side, not functions */
static const struct {
	unsigned int fn;
	const char *prog, *name, *raw;
} tracepoints[HMT_NR_TP] = {
	{ HMT_FN_test_pages_isolated, "tp_isolated", "page_isolation:test_pages_isolated",
	  "trace_event_raw_test_pages_isolated" },
	/* newer than 6.12: neither Debian 12 guest kernel (6.1, 6.12) has it */
	{ HMT_FN_mm_setup_per_zone_wmarks, "tp_wmarks", "kmem:mm_setup_per_zone_wmarks",
	  "trace_event_raw_mm_setup_per_zone_wmarks" },
};

static const char *const tracing_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

const char *hmt_kmode_name(enum hmt_kmode m)
{
	static const char *const names[HMT_NR_KMODE] = {
		[HMT_KMODE_FENTRY] = "fentry",
		[HMT_KMODE_KPROBE] = "kprobe",
		[HMT_KMODE_NONE] = "tracepoint",
	};

	return m < HMT_NR_KMODE ? names[m] : "?";
}

int hmt_kmode_from_name(const char *s)
{
	for (int m = 0; m < HMT_NR_KMODE; m++)
		if (!strcmp(s, hmt_kmode_name(m)))
			return m;
	return !strcmp(s, "auto") ? HMT_KMODE_FENTRY : -1;
}

bool hmt_is_kernel_fn(unsigned int fn)
{
	for (int i = 0; i < HMT_NR_TP; i++)
		if (tracepoints[i].fn == fn)
			return false;
	return fn < HMT_NR_FN;
}

/* ---- what the running kernel has ----------------------------------- */

static const char *ksym_candidate(unsigned int fn, int i)
{
	if (ksyms[fn][0])
		return ksyms[fn][i];
	return i == 0 ? hmt_fn_name(fn) : NULL;
}

/* is @fn's symbol @have a candidate before the @i-th? (kallsyms' order is not ours) */
static bool better_ksym(unsigned int fn, const char *have, int i)
{
	for (int j = 0; have && j < i; j++)
		if (ksym_candidate(fn, j) == have)
			return true;
	return false;
}

/* is @name one of our candidates? set t->ksym / t->ftraceable */
static void match_symbol(struct hmt_tracer *t, const char *name, bool ftrace)
{
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		if (ftrace) {
			if (t->ksym[fn] && !strcmp(t->ksym[fn], name))
				t->ftraceable[fn] = true;
			continue;
		}
		for (int i = 0; i < HMT_KSYM_CANDIDATES; i++) {
			const char *c = ksym_candidate(fn, i);

			if (c && !strcmp(c, name) && !better_ksym(fn, t->ksym[fn], i))
				t->ksym[fn] = c;
		}
	}
}

static const char notifier_call_chain[] = "blocking_notifier_call_chain";

/*
 * memory_notify() is one line, blocking_notifier_call_chain(&memory_chain,
 * ...), and 6.12 inlines it into memory_block_online/offline() (where the
 * MEM_PREPARE_ONLINE and MEM_FINISH_OFFLINE calls are): with the chain's
 * address (data symbols: CONFIG_KALLSYMS_ALL) every call is seen there.
 */
static void choose_notify_symbol(struct hmt_tracer *t, bool have_chain_fn)
{
	if (!t->memory_chain || !have_chain_fn)
		return;
	t->ksym[HMT_FN_memory_notify] = notifier_call_chain;
	t->notify_via_chain = true;
}

static void read_kallsyms(struct hmt_tracer *t)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char name[256], type, mod[64];
	unsigned long long addr;
	bool have_chain_fn = false, any_addr = false;
	int n, nsyms = 0;

	if (!f)
		return;
	/* "addr type name [module]": vmlinux's symbols have no module */
	while ((n = fscanf(f, "%llx %c %255s%63[^\n]%*[^\n]", &addr, &type, name, mod)) >= 3) {
		/* kallsyms_show_value() hides them all or none */
		any_addr |= addr != 0;
		nsyms++;
		if (n == 4)
			continue;
		if (type == 't' || type == 'T') {
			match_symbol(t, name, false);
			have_chain_fn |= !strcmp(name, notifier_call_chain);
		} else if (!t->memory_chain && !strcmp(name, "memory_chain") && addr) {
			t->memory_chain = addr;
		}
	}
	fclose(f);
	t->kallsyms_hidden = nsyms > 0 && !any_addr;
	choose_notify_symbol(t, have_chain_fn);
}

/* ftrace-able functions: what fentry can attach to (when tracefs says) */
static void read_filter_functions(struct hmt_tracer *t)
{
	char path[128], name[256];
	FILE *f = NULL;

	for (size_t i = 0; !f && i < sizeof(tracing_dirs) / sizeof(tracing_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", tracing_dirs[i]);
		f = fopen(path, "r");
	}
	if (!f) {
		for (unsigned int fn = 0; fn < HMT_NR_FN; fn++)
			t->ftraceable[fn] = t->ksym[fn] != NULL;
		return;
	}
	while (fscanf(f, "%255s%*[^\n]", name) == 1)
		match_symbol(t, name, true);
	fclose(f);
}

/* the prototype of @fn's kernel function in BTF, or NULL */
static const struct btf_type *fn_proto(const struct hmt_tracer *t, unsigned int fn)
{
	int id;

	if (!t->btf || !t->ksym[fn])
		return NULL;
	id = btf__find_by_name_kind(t->btf, t->ksym[fn], BTF_KIND_FUNC);
	if (id < 0)
		return NULL;
	return btf__type_by_id(t->btf, btf__type_by_id(t->btf, id)->type);
}

/* argument count, void return: from kernel BTF */
static void fill_fn_flags(struct hmt_tracer *t, __u8 *flags)
{
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		const struct btf_type *proto = fn_proto(t, fn);

		flags[fn] = 0;
		if (!proto)
			continue;
		flags[fn] = (btf_vlen(proto) & HMT_FN_NARGS) | (proto->type ? 0 : HMT_FN_VOID);
	}
}

/*
 * The memory notifier's actions, in the schema's values (enum
 * hmt_mem_action: 6.1's bits, MEM_PREPARE_ONLINE and MEM_FINISH_OFFLINE
 * next).  6.1 #defines them as those bits (nothing in BTF: kept as they
 * are); 6.12 has enum memory_block_state, 0..7, read by name from BTF.
 */

/* the enum with MEM_GOING_ONLINE in it, or NULL */
static const struct btf_type *notify_enum_type(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "memory_block_state", BTF_KIND_ENUM);
	__u32 n = btf__type_cnt(btf);

	if (id > 0)
		return btf__type_by_id(btf, id);
	for (__u32 i = 1; i < n; i++) {
		const struct btf_type *ty = btf__type_by_id(btf, i);

		if (!btf_is_enum(ty))
			continue;
		for (int k = 0; k < btf_vlen(ty); k++)
			if (!strcmp(btf__name_by_offset(btf, btf_enum(ty)[k].name_off),
				    "MEM_GOING_ONLINE"))
				return ty;
	}
	return NULL;
}

static void fill_notify_actions(struct hmt_tracer *t, __s64 *action)
{
	const struct btf_type *ty = t->btf ? notify_enum_type(t->btf) : NULL;

	memset(action, 0, HMT_NR_NOTIFY * sizeof(*action));
	t->notify_enum = 0;
	for (int k = 0; ty && k < btf_vlen(ty); k++) {
		const struct btf_enum *en = &btf_enum(ty)[k];
		int v = hmu_mem_action_from_name(btf__name_by_offset(t->btf, en->name_off));

		if (v && en->val >= 0 && en->val < HMT_NR_NOTIFY) {
			action[en->val] = v;
			t->notify_enum++;
		}
	}
}

static bool in_btf(const struct hmt_tracer *t, unsigned int fn)
{
	return t->btf && t->ksym[fn] &&
	       btf__find_by_name_kind(t->btf, t->ksym[fn], BTF_KIND_FUNC) >= 0;
}

/* ---- programs ------------------------------------------------------- */

static struct bpf_program *prog(struct hmt_tracer *t, const char *prefix, unsigned int fn)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", prefix,
		 fn == HMT_FN_memory_notify && t->notify_via_chain ? "memory_chain" :
								     hmt_fn_name(fn));
	return bpf_object__find_program_by_name(t->skel->obj, name);
}

static const char *const mode_prefix[HMT_NR_KMODE][2] = {
	[HMT_KMODE_FENTRY] = { "fe_", "fx_" },
	[HMT_KMODE_KPROBE] = { "kp_", "kr_" },
};

/*
 * How to trace @fn in run mode @m: fentry where the kernel allows (in BTF
 * and ftrace-able), else a kprobe; in kprobe mode always a kprobe.
 */
static enum hmt_kmode fn_mode(const struct hmt_tracer *t, unsigned int fn, enum hmt_kmode m)
{
	if (!t->want_kernel || !hmt_is_kernel_fn(fn) || !t->ksym[fn] || m == HMT_KMODE_NONE)
		return HMT_KMODE_NONE;
	if (m == HMT_KMODE_FENTRY && in_btf(t, fn) && t->ftraceable[fn])
		return HMT_KMODE_FENTRY;
	return HMT_KMODE_KPROBE;
}

/* the tracepoint's record type is in the kernel's BTF (or no BTF to ask) */
static bool tracepoint_exists(const struct hmt_tracer *t, int i)
{
	return !t->btf || btf__find_by_name_kind(t->btf, tracepoints[i].raw, BTF_KIND_STRUCT) >= 0;
}

static int select_programs(struct hmt_tracer *t, enum hmt_kmode m)
{
	struct bpf_program *p;
	int err;

	for (p = bpf_object__next_program(t->skel->obj, NULL); p;
	     p = bpf_object__next_program(t->skel->obj, p))
		bpf_program__set_autoload(p, false);
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		t->fn_mode[fn] = fn_mode(t, fn, m);
		if (t->fn_mode[fn] == HMT_KMODE_NONE)
			continue;
		for (int x = 0; x < 2; x++) {
			p = prog(t, mode_prefix[t->fn_mode[fn]][x], fn);
			if (!p)
				return -ENOENT;
			bpf_program__set_autoload(p, true);
			if (t->fn_mode[fn] != HMT_KMODE_FENTRY)
				continue;
			err = bpf_program__set_attach_target(p, 0, t->ksym[fn]);
			if (err)
				return err;
		}
	}
	for (int i = 0; i < HMT_NR_TP && t->want_kernel; i++)
		bpf_program__set_autoload(bpf_object__find_program_by_name(t->skel->obj,
									   tracepoints[i].prog),
					  tracepoint_exists(t, i));
	bpf_program__set_autoload(t->skel->progs.usdt_enter, t->want_emulator);
	bpf_program__set_autoload(t->skel->progs.usdt_exit, t->want_emulator);
	bpf_program__set_autoload(t->skel->progs.usdt_batch, t->want_emulator && !t->per_probe);
	return 0;
}

/* keep @l, or say why libbpf gave none (it returns NULL and sets errno) */
static int add_link(struct hmt_tracer *t, struct bpf_link *l)
{
	if (!l)
		return errno ? -errno : -EINVAL;
	if (t->nlinks == HMT_MAX_LINKS) {
		bpf_link__destroy(l);
		return -E2BIG;
	}
	t->links[t->nlinks++] = l;
	return 0;
}

static struct bpf_link *attach_one(struct hmt_tracer *t, struct bpf_program *p, unsigned int fn,
				   bool ret)
{
	if (t->fn_mode[fn] == HMT_KMODE_KPROBE)
		return bpf_program__attach_kprobe(p, ret, t->ksym[fn]);
	return bpf_program__attach(p);
}

/* enter and exit together, or neither */
static int attach_kernel_fn(struct hmt_tracer *t, unsigned int fn)
{
	int err, n = t->nlinks;

	for (int x = 0; x < 2; x++) {
		err = add_link(t,
			       attach_one(t, prog(t, mode_prefix[t->fn_mode[fn]][x], fn), fn, x));
		if (err)
			goto undo;
	}
	return 0;
undo:
	while (t->nlinks > n)
		bpf_link__destroy(t->links[--t->nlinks]);
	return err;
}

/* memory_block_online/offline: they end the operations the other steps are part of */
static bool is_block_op(unsigned int fn)
{
	return fn == HMT_FN_memory_block_online || fn == HMT_FN_memory_block_offline;
}

/*
 * memory_block_online/offline first, then kernel_block_ops from what
 * they gave, then the other steps: an event of online_pages() or
 * offline_pages() reads the flag it belongs with.  Stored after all
 * were attached, the events in between read 0, and on a kernel that
 * does not inline memory_block_* a failure then was counted twice, at
 * online_pages/offline_pages and at memory_block_* (review reread18 F4).
 */
static int attach_kernel(struct hmt_tracer *t)
{
	int nok = 0, ntry = 0, first_err = 0, ntp = 0, tp_err = -ENOENT;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
			if (is_block_op(fn) != !pass)
				continue;
			t->kerr[fn] = -ENOENT;
			if (t->fn_mode[fn] == HMT_KMODE_NONE)
				continue;
			ntry++;
			t->kerr[fn] = attach_kernel_fn(t, fn);
			if (!t->kerr[fn])
				nok++;
			else if (!first_err)
				first_err = t->kerr[fn];
		}
		/* what ends a kernel operation in the blocks map (hmt_ends_operation()) */
		if (!pass)
			t->skel->bss->kernel_block_ops =
				(!t->kerr[HMT_FN_memory_block_online] ? HMT_BLOCK_OPS_ONLINE : 0) |
				(!t->kerr[HMT_FN_memory_block_offline] ? HMT_BLOCK_OPS_OFFLINE : 0);
	}
	for (int i = 0; i < HMT_NR_TP; i++) {
		if (!tracepoint_exists(t, i))
			continue;
		t->tp_err[i] = add_link(t, bpf_program__attach(bpf_object__find_program_by_name(
						   t->skel->obj, tracepoints[i].prog)));
		if (!t->tp_err[i])
			ntp++;
		else if (tp_err == -ENOENT)
			tp_err = t->tp_err[i];
	}
	if (t->kmode != HMT_KMODE_NONE && !nok)
		return ntry ? first_err : -ENOENT;
	/* tracepoints only, none attached (tracefs's event ids unreadable: not root): nothing */
	if (t->kmode == HMT_KMODE_NONE && !ntp)
		return tp_err;
	return 0;
}

/* ---- USDT ----------------------------------------------------------- */

static void note_missing(struct hmt_tracer *t, const char *name)
{
	size_t l = strlen(t->usdt_missing);

	if (l + strlen(name) + 2 < sizeof(t->usdt_missing))
		snprintf(t->usdt_missing + l, sizeof(t->usdt_missing) - l, "%s%s", l ? " " : "",
			 name);
}

static int attach_usdt_probe(struct hmt_tracer *t, unsigned int fn, bool ret)
{
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = fn);
	struct bpf_program *p = ret ? t->skel->progs.usdt_exit : t->skel->progs.usdt_enter;
	char name[64];
	int err;

	snprintf(name, sizeof(name), "%s%s", hmt_fn_name(fn), ret ? "__ret" : "");
	t->usdt_total++;
	err = add_link(t,
		       bpf_program__attach_usdt(p, t->emu_pid, t->emu_path, "hotmem", name, &opts));
	if (!err) {
		t->usdt_found++;
		return 0;
	}
	note_missing(t, name);
	if (err != -ENOENT && !t->usdt_err)
		t->usdt_err = err;
	return err;
}

/* sdt.h's note: pc, base, semaphore, then "provider\0name\0args\0" */
#define STAPSDT_NOTE_TYPE 3

/* one hotmem probe's note: a step's probe into @steps (enter, __ret), or a batch site */
static void count_note(struct hmt_tracer *t, __u64 steps[2], const char *desc, size_t len,
		       size_t addr_len)
{
	const char *prov = desc + 3 * addr_len, *name, *end = desc + len;

	if (len <= 3 * addr_len || !memchr(prov, '\0', end - prov))
		return;
	name = prov + strlen(prov) + 1;
	if (name >= end || !memchr(name, '\0', end - name) || strcmp(prov, "hotmem"))
		return;
	if (!strcmp(name, "batch")) {
		t->usdt_batch_sites++;
		return;
	}
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		size_t l = strlen(hmt_fn_name(fn));

		if (!strncmp(name, hmt_fn_name(fn), l) && (!name[l] || !strcmp(name + l, "__ret"))) {
			steps[!!name[l]] |= 1ULL << fn;
			return;
		}
	}
}

/*
 * What hotmem:batch can carry: the steps whose probes the binary has
 * (the engine writes a record wherever a step's probe is), and how many
 * sites hotmem:batch has (libbpf attaches to every one or fails).  Read
 * from the binary's .note.stapsdt; nothing counted if it cannot be read.
 */
static void count_usdt_notes(struct hmt_tracer *t)
{
	int fd = open(t->emu_path, O_RDONLY | O_CLOEXEC);
	__u64 steps[2] = { 0, 0 };
	Elf_Scn *scn = NULL;
	Elf *elf = NULL;

	_Static_assert(HMT_NR_FN <= 64, "a step is a bit of steps[]");
	t->usdt_steps = t->usdt_batch_sites = 0;
	if (fd < 0)
		return;
	if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_begin(fd, ELF_C_READ, NULL)))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		size_t addr_len = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8, off = 0, name, desc;
		Elf_Data *data;
		GElf_Shdr sh;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(data = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name, &desc)) > 0)
			if (nh.n_type == STAPSDT_NOTE_TYPE && nh.n_namesz == sizeof("stapsdt") &&
			    !memcmp((char *)data->d_buf + name, "stapsdt", sizeof("stapsdt")))
				count_note(t, steps, (char *)data->d_buf + desc, nh.n_descsz,
					   addr_len);
	}
	t->usdt_steps = __builtin_popcountll(steps[0]) + __builtin_popcountll(steps[1]);
out:
	elf_end(elf);
	close(fd);
}

/*
 * hotmem:batch carries every step's record, one probe hit per operation
 * (engine/hotmem_probes.h): attach there unless each probe was asked
 * for, or the binary has none (an older engine, usdt_target).
 */
static int attach_batch(struct hmt_tracer *t)
{
	int err;

	if (t->per_probe)
		return -ENOENT;
	err = add_link(t, bpf_program__attach_usdt(t->skel->progs.usdt_batch, t->emu_pid,
						     t->emu_path, "hotmem", "batch", NULL));
	if (err)
		return err;
	t->usdt_batch = true;
	count_usdt_notes(t);
	/* attached to every site, or the link failed; at least the one found */
	t->usdt_found = t->usdt_total = t->usdt_batch_sites ? t->usdt_batch_sites : 1;
	return 0;
}

static int attach_emulator(struct hmt_tracer *t)
{
	if (!attach_batch(t))
		return 0;
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		attach_usdt_probe(t, fn, false);
		attach_usdt_probe(t, fn, true);
	}
	if (t->usdt_found)
		return 0;
	return t->usdt_err ? t->usdt_err : -ENOENT;
}

/* ---- one attempt per mode --------------------------------------------- */

/* each counter names its function (bpftool prints it), before anything counts */
static int name_counters(struct hmt_tracer *t)
{
	int fd = bpf_map__fd(t->skel->maps.counters);

	for (__u32 fn = 0; fn < HMT_NR_FN; fn++) {
		struct hmt_counter c = { .fn = fn };

		if (bpf_map_update_elem(fd, &fn, &c, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void close_attempt(struct hmt_tracer *t)
{
	while (t->nlinks > 0)
		bpf_link__destroy(t->links[--t->nlinks]);
	hotmem_trace_bpf__destroy(t->skel);
	t->skel = NULL;
}

static int try_mode(struct hmt_tracer *t, enum hmt_kmode m)
{
	int err, kerr = 0;

	t->kmode = m;
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++)
		t->kerr[fn] = -ENOENT;
	for (int i = 0; i < HMT_NR_TP; i++)
		t->tp_err[i] = -ENOENT;
	t->usdt_found = t->usdt_total = t->usdt_err = 0;
	t->usdt_batch = false;
	t->usdt_missing[0] = '\0';
	t->skel = hotmem_trace_bpf__open();
	if (!t->skel)
		return -errno ? -errno : -EINVAL;
	t->skel->rodata->block_pages = t->block_pages;
	if (t->max_blocks) {
		err = bpf_map__set_max_entries(t->skel->maps.blocks, t->max_blocks);
		if (err)
			goto fail;
	}
	t->skel->rodata->filter_tgid = t->filter_tgid;
	t->skel->rodata->filter_pidns_ino = t->filter_pidns_ino;
	fill_fn_flags(t, (__u8 *)t->skel->rodata->fn_flags);
	hmt_cmbd_params(t->btf, fn_proto(t, HMT_FN_create_memory_block_devices),
			(struct hmt_cmbd_params *)&t->skel->rodata->cmbd_params);
	fill_notify_actions(t, (__s64 *)t->skel->rodata->notify_action);
	t->skel->rodata->memory_chain = t->notify_via_chain ? t->memory_chain : 0;
	err = select_programs(t, m);
	if (err)
		goto fail;
	err = hotmem_trace_bpf__load(t->skel);
	if (err)
		goto fail;
	err = name_counters(t);
	if (err)
		goto fail;
	if (t->want_kernel) {
		kerr = attach_kernel(t);	/* kernel_block_ops too */
		/* the last mode, tracepoints none: the engine's probes alone are a trace */
		err = kerr;
		if (kerr && !(m == HMT_KMODE_NONE && t->want_emulator))
			goto fail;
	}
	if (t->want_emulator) {
		err = attach_emulator(t);
		if (err && (!t->want_kernel || kerr))
			goto fail;
	}
	return 0;
fail:
	close_attempt(t);
	return err;
}

int hmt_tracer_open(struct hmt_tracer *t)
{
	int err = -EINVAL;

	t->btf = btf__load_vmlinux_btf();
	if (libbpf_get_error(t->btf))
		t->btf = NULL;
	if (t->want_kernel) {
		read_kallsyms(t);
		read_filter_functions(t);
	}
	for (int m = t->first_mode; m < HMT_NR_KMODE; m++) {
		if (m != HMT_KMODE_NONE && !t->want_kernel)
			continue;
		if (m == HMT_KMODE_FENTRY && !t->btf) {
			t->mode_err[m] = -ENOTSUP;
			continue;
		}
		err = try_mode(t, m);
		if (!err)
			return 0;
		t->mode_err[m] = err;
		if (!t->want_kernel)
			break;
	}
	return err;
}

/* ---- report ----------------------------------------------------------- */

static void report_attached(const struct hmt_tracer *t, FILE *f, enum hmt_kmode m)
{
	bool any = false;

	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		if (!hmt_is_kernel_fn(fn) || t->kerr[fn] || t->fn_mode[fn] != m)
			continue;
		if (!any)
			fprintf(f, "hotmem-trace: kernel: %s attached:",
				m == HMT_KMODE_FENTRY ? "fentry/fexit" : "kprobe/kretprobe");
		fprintf(f, " %s%s", t->ksym[fn],
			fn == HMT_FN_memory_notify && t->notify_via_chain ? "(memory_chain)" : "");
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static const char *why_not(const struct hmt_tracer *t, unsigned int fn, char *buf, size_t len)
{
	if (!t->ksym[fn])
		return "not in /proc/kallsyms (inlined or absent)";
	if (t->fn_mode[fn] == HMT_KMODE_KPROBE && t->kmode == HMT_KMODE_FENTRY) {
		snprintf(buf, len, "not ftrace-able, and kprobe: %s", strerror(-t->kerr[fn]));
		return buf;
	}
	return strerror(-t->kerr[fn]);
}

/* the prototypes the decoding follows, as this kernel's BTF has them */
static void report_signatures(const struct hmt_tracer *t, FILE *f)
{
	bool any = false;

	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
		const struct btf_type *proto = fn_proto(t, fn);

		if (!proto || t->fn_mode[fn] == HMT_KMODE_NONE)
			continue;
		fprintf(f, "%s %s(", any ? "" : "hotmem-trace: kernel: signatures (BTF):",
			t->ksym[fn]);
		for (int i = 0; i < btf_vlen(proto); i++)
			fprintf(f, "%s%s", i ? ", " : "",
				btf__name_by_offset(t->btf, btf_params(proto)[i].name_off));
		fputc(')', f);
		any = true;
	}
	if (any)
		fputc('\n', f);
	if (t->notify_enum)
		fprintf(f, "hotmem-trace: kernel: memory notifier actions: %d from BTF's enum "
			   "(MEM_ONLINE = 0 ...), reported as the MEM_* bits\n",
			t->notify_enum);
	else
		fprintf(f, "hotmem-trace: kernel: memory notifier actions: MEM_* bits "
			   "(no enum memory_block_state in BTF: #defined bits, as 6.1's)\n");
	if (t->notify_via_chain)
		fprintf(f, "hotmem-trace: kernel: memory_notify traced as %s on memory_chain "
			   "(%#llx): inlined callers included\n",
			notifier_call_chain, t->memory_chain);
}

/*
 * Addresses hidden (kernel/kallsyms.c kallsyms_show_value()): the names
 * still attach (BTF, kprobe by name), but the two addresses the decoding
 * needs are 0 -- said here, with what it costs and how to allow them,
 * and in the JSON header for compare (abuse28 T13).
 */
static void report_kallsyms_hidden(const struct hmt_tracer *t, FILE *f)
{
	char restrict_[16] = "?";
	FILE *s;

	if (!t->kallsyms_hidden)
		return;
	s = fopen("/proc/sys/kernel/kptr_restrict", "r");
	if (s) {
		if (!fgets(restrict_, sizeof(restrict_), s))
			snprintf(restrict_, sizeof(restrict_), "?");
		restrict_[strcspn(restrict_, "\n")] = '\0';
		fclose(s);
	}
	fprintf(f, "hotmem-trace: kernel: WARNING: /proc/kallsyms shows every address as 0 "
		   "(kernel.kptr_restrict is %s: 2 hides them from everyone, 1 from a process "
		   "without CAP_SYSLOG, 0 too when kernel.perf_event_paranoid > 1): not seen: memory_notify's MEM_PREPARE_ONLINE and "
		   "MEM_FINISH_OFFLINE (6.9+ calls them inlined, found only through "
		   "&memory_chain); unknown, written as 0 pages: the vmemmap_populate*, "
		   "vmemmap_free and hugetlb_vmemmap_optimize ranges (vmemmap_base). "
		   "To see them: sysctl kernel.kptr_restrict=0, or 1 and run with CAP_SYSLOG\n",
		restrict_);
}

static void report_kernel_fns(const struct hmt_tracer *t, FILE *f)
{
	char buf[128];

	report_attached(t, f, HMT_KMODE_FENTRY);
	report_attached(t, f, HMT_KMODE_KPROBE);
	report_signatures(t, f);
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++)
		if (hmt_is_kernel_fn(fn) && t->kerr[fn])
			fprintf(f, "hotmem-trace: kernel: NOT attached: %s: %s\n", hmt_fn_name(fn),
				why_not(t, fn, buf, sizeof(buf)));
}

static bool fd_err(int err)
{
	return err == -EMFILE || err == -ENFILE;
}

bool hmt_tracer_out_of_fds(const struct hmt_tracer *t)
{
	bool out = fd_err(t->usdt_err);

	for (int m = 0; m < HMT_NR_KMODE; m++)
		out |= fd_err(t->mode_err[m]);
	for (unsigned int fn = 0; fn < HMT_NR_FN; fn++)
		out |= fd_err(t->kerr[fn]);
	for (int i = 0; i < HMT_NR_TP; i++)
		out |= fd_err(t->tp_err[i]);
	return out;
}

/* why mode @m could not attach, with the likeliest kernel cause for its errno */
static const char *mode_why(const struct hmt_tracer *t, int m, char *buf, size_t len)
{
	int err = t->mode_err[m];

	if (m == HMT_KMODE_FENTRY && err == -ENOTSUP && !t->btf)
		return "no kernel BTF (/sys/kernel/btf/vmlinux)";
	if (fd_err(err))
		return strerror(-err);
	/* libbpf's -ENOENT for a kprobe: no kprobe PMU, no kprobe_events */
	snprintf(buf, len, "%s%s", strerror(-err),
		 m == HMT_KMODE_KPROBE && err == -ENOENT ? ", CONFIG_KPROBES off?" :
		 m == HMT_KMODE_FENTRY			 ? ", no BPF trampoline or ftrace direct calls?" :
							   "");
	return buf;
}

/* the modes tried before the one used, one line each (fentry refused, kprobe used) */
static void report_modes(const struct hmt_tracer *t, FILE *f)
{
	char buf[128];

	for (int m = t->first_mode; m < (int)t->kmode; m++)
		fprintf(f, "hotmem-trace: kernel: %s not usable here: %s\n",
			m == HMT_KMODE_FENTRY ? "fentry/fexit" : "kprobe/kretprobe",
			mode_why(t, m, buf, sizeof(buf)));
}

/*
 * Tracepoints only: one line, the mode's, says what is traced, what is
 * not and why -- it was the mode line, one "not usable here" line per
 * mode tried and a fourth saying "tracepoints only" (docs43 F10).  Asked
 * for with --mode tracepoint, nothing was tried and nothing refused.
 */
static void report_tracepoints_only(const struct hmt_tracer *t, FILE *f, const char *release)
{
	char buf[128];

	fprintf(f, "hotmem-trace: kernel %s: mode tracepoint: tracepoints only, no kernel "
		   "function traced: ", release);
	if (t->first_mode == HMT_KMODE_NONE) {
		fprintf(f, "--mode tracepoint asked for it\n");
		return;
	}
	/* this process's descriptors ran out, not the kernel's features (abuse25c D4) */
	fprintf(f, "%s", hmt_tracer_out_of_fds(t) ? "this process ran out of file descriptors for "
						 : "this kernel refuses ");
	for (int m = t->first_mode; m < (int)HMT_KMODE_NONE; m++)
		fprintf(f, "%s%s (%s)", m == (int)t->first_mode ? "" : " and ",
			m == HMT_KMODE_FENTRY ? "fentry/fexit" : "kprobes",
			mode_why(t, m, buf, sizeof(buf)));
	fputc('\n', f);
}

/*
 * Not one probe found, none refused otherwise (libbpf's -ENOENT for each:
 * the binary has no .note.stapsdt of provider hotmem): the binary is not
 * hotmem's -- `hotmem-trace -- sh -c '...'` looks in sh.  Said as that,
 * with what to trace instead, not as "No such file or directory".
 */
bool hmt_tracer_no_probes(const struct hmt_tracer *t)
{
	return t->want_emulator && !t->usdt_found && !t->usdt_err && t->usdt_total;
}

/*
 * The binary as a person knows it: a pid's /proc/PID/exe (what the probes
 * are attached through: it holds in another mount namespace, and for a
 * binary replaced since) by its target, the path the process was started
 * from (abuse25a B7: "attached in /proc/5861/exe"); else emu_path.
 * @buf has PATH_MAX bytes.
 */
static const char *emu_name(const struct hmt_tracer *t, char *buf)
{
	ssize_t l = t->emu_pid > 0 ? readlink(t->emu_path, buf, PATH_MAX - 1) : -1;

	if (l <= 0)
		return t->emu_path;
	buf[l] = '\0';
	return buf;
}

static void report_no_probes(const struct hmt_tracer *t, FILE *f)
{
	char exe[PATH_MAX];

	fprintf(f, "hotmem-trace: ");
	if (t->emu_cmd)
		fprintf(f, "%s (%s)", t->emu_cmd, t->emu_path);
	else if (t->emu_pid > 0)
		fprintf(f, "process %d (%s)", t->emu_pid, emu_name(t, exe));
	else
		fprintf(f, "%s", t->emu_path);
	fprintf(f, " has no hotmem USDT probes (0 of %d): %s; trace a hotmemfs with --emulator "
		   "PID (or `-- hotmem run FILE`)\n",
		t->usdt_total,
		t->emu_cmd	   ? "the command is not hotmem's" :
		t->emu_pid > 0 ? "the process is not hotmem's" :
				     "the program is not hotmem's");
}

void hmt_tracer_report(const struct hmt_tracer *t, FILE *f)
{
	char exe[PATH_MAX];
	struct utsname u;

	if (t->want_kernel) {
		uname(&u);
		if (t->kmode == HMT_KMODE_NONE) {
			report_tracepoints_only(t, f, u.release);
		} else {
			fprintf(f, "hotmem-trace: kernel %s: mode %s\n", u.release,
				hmt_kmode_name(t->kmode));
			report_modes(t, f);
		}
		report_kallsyms_hidden(t, f);
		if (t->kmode != HMT_KMODE_NONE)
			report_kernel_fns(t, f);
		for (int i = 0; i < HMT_NR_TP; i++)
			fprintf(f, "hotmem-trace: kernel: tracepoint %s: %s\n", tracepoints[i].name,
				!tracepoint_exists(t, i) ? "NOT attached: not in this kernel" :
				t->tp_err[i]		 ? strerror(-t->tp_err[i]) :
							   "attached");
	}
	if (hmt_tracer_no_probes(t)) {
		report_no_probes(t, f);
	} else if (t->want_emulator) {
		fprintf(f, "hotmem-trace: emulator: %d of %d USDT probes attached in %s (%s",
			t->usdt_found, t->usdt_total, emu_name(t, exe),
			t->filter_tgid ? "process " : "every process");
		if (t->filter_tgid)
			fprintf(f, "%d and its descendants", t->filter_tgid);
		if (t->usdt_batch)
			fprintf(f, ") through hotmem:batch, carrying %d of %d steps' probes, "
				   "one probe hit per operation\n",
				t->usdt_steps, HMT_NR_FN * 2);
		else
			fprintf(f, ")\n");
		if (t->usdt_missing[0])
			fprintf(f, "hotmem-trace: emulator: NOT attached: %s%s%s\n",
				t->usdt_missing, t->usdt_err ? ": " : "",
				t->usdt_err ? strerror(-t->usdt_err) : "");
	}
}

void hmt_tracer_close(struct hmt_tracer *t)
{
	close_attempt(t);
	btf__free(t->btf);
	t->btf = NULL;
}
