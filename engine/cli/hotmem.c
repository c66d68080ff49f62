// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem: boot an emulated machine in this process and drive it.
 *
 *   hotmem [--profile NAME|FILE] [--cmdline "..."] [--events] status
 *   hotmem [...] run SCRIPT|-        one command a line (see --help)
 *   hotmem --list-profiles
 *   hotmem profile --from-sysfs DIR [-o FILE]
 *
 * It is the engine's own front end: `make run` shows its status, tests
 * and hotmem-trace drive scripted scenarios through it (the engine's USDT
 * probes fire in this process).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotmem.h"
#include "uapi/hm_version.h"
#include "uapi/hmuapi.h"
#include "from_sysfs.h"

/* the signal an offline waits for: SIGINT, or the timeout of the command */
static volatile sig_atomic_t interrupted, in_offline;

/* outside an offline, SIGINT ends the program as usual */
static void on_sigint(int sig)
{
	if (!in_offline) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	interrupted = 1;
}

/* CLOCK_MONOTONIC in ms: an offline's timeout is in ms */
static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct deadline {
	long long at_ms;	/* monotonic_ms() when it runs out; 0: none */
};

static bool cli_signal_pending(void *arg)
{
	const struct deadline *d = arg;

	return interrupted || (d->at_ms && monotonic_ms() >= d->at_ms);
}

static void on_event(const struct hm_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == HM_EV_UEVENT)
		printf("uevent %s %s\n", hotmem_uevent_action_name(ev->action), ev->devpath);
	else if (ev->type == HM_EV_LOG && ev->level <= 6)
		printf("kernel: %s\n", ev->msg);
}

/*
 * A script's numbers are hotmemctl's (engine/uapi/numbers.c hmu_number():
 * decimal, or hex after 0x, never C's octal -- usereye7 #1; "offline x"
 * read as block 0 offlined memory0).  A count, milliseconds: not negative
 */
static int parse_ulong(const char *s, unsigned long *out)
{
	long long v;

	if (hmu_number(s, &v) || v < 0 || (unsigned long long)v != (unsigned long)v)
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

/* KEY=N: 1 when @tok is KEY=..., its number in @out (-EINVAL: not a number), else 0 */
static int parse_kv_int(const char *tok, const char *key, long long *out)
{
	size_t n = strlen(key);

	if (strncmp(tok, key, n) || tok[n] != '=')
		return 0;
	return hmu_number(tok + n + 1, out) ? -EINVAL : 1;
}

/*
 * KEY=N for a node or a memory group: as parse_kv_int(), N -1 (none) or
 * more and within int -- one past int is none: (int)2^32 was node 0
 * (memory added, pages allocated there), group=4294967295 was -1
 */
static int parse_kv_node(const char *tok, const char *key, int *out)
{
	long long v;
	int kv = parse_kv_int(tok, key, &v);

	if (kv <= 0)
		return kv;
	if (v != (int)v || v < -1)
		return -EINVAL;
	*out = (int)v;
	return 1;
}

static void show_blocks(struct hotmem *hm)
{
	unsigned long id = 0;

	for (bool first = true; !hotmem_block_next(hm, &id, first); first = false) {
		struct hm_block_info bi;
		char zones[64];

		hotmem_block_info(hm, id, &bi);
		hotmem_block_valid_zones(hm, id, zones, sizeof(zones));
		zones[strcspn(zones, "\n")] = '\0';
		printf("memory%-6lu %#14llx %-13s node%d %s\n", id, (unsigned long long)bi.start,
		       hotmem_state_name(bi.state), bi.nid, zones);
	}
}

static void show_meminfo(struct hotmem *hm)
{
	struct hm_meminfo mi;

	hotmem_meminfo(hm, &mi);
	printf("MemTotal: %lu kB\nMemFree: %lu kB\nmemmap: %lu kB\nHugePages_Total: %lu\n",
	       mi.totalram_pages * 4, mi.free_pages * 4, mi.memmap_pages * 4, mi.hugetlb_pages);
	printf("Slab: %lu kB\nSReclaimable: %lu kB\nSUnreclaim: %lu kB\nKernelStack: %lu kB\n"
	       "PageTables: %lu kB\nPercpu: %lu kB\n",
	       (mi.slab_reclaimable + mi.slab_unreclaimable) * 4, mi.slab_reclaimable * 4,
	       mi.slab_unreclaimable * 4, mi.kernel_stack * 4, mi.pagetables * 4, mi.percpu * 4);
}

/*
 * A script's own mistake, not the kernel's refusal: a command's word that
 * is no number, state or flag, a word missing or one too many.  Said as
 * FILE:LINE: CMD: what is wrong (SYNTAX), its step done nothing, and
 * counted apart from the kernel's errnos (exit status 3, not 2): a typo
 * and a refused operation read alike as "= -22" before (usereye4 #18).
 */
#define SCRIPT_ERROR 1

struct why {
	char msg[256];
};

/* SCRIPT_ERROR, @w saying what is wrong */
static int __attribute__((format(printf, 2, 3))) wrong(struct why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return SCRIPT_ERROR;
}

/* COUNT, MS: a whole number, 0 or more */
static int want_ulong(struct why *w, const char *what, const char *s, unsigned long *out)
{
	char hint[160];

	return parse_ulong(s, out) ? wrong(w, "%s '%s': a whole number, 0 or more (decimal or 0x hex)%s",
					   what, s, hmu_number_hint(false, s, hint, sizeof(hint))) :
				     0;
}

/* BLOCK: memoryN's N, refused in hotmemctl's words (hmu_number_hint()) */
static int want_block(struct why *w, const char *s, unsigned long *out)
{
	char hint[160];
	long long v;

	if (!hmu_block_number(s, &v) && (unsigned long long)v == (unsigned long)v) {
		*out = (unsigned long)v;
		return 0;
	}
	return wrong(w, "BLOCK '%s': %s%s", s, HMU_BLOCK_WHAT,
		     hmu_number_hint(true, s, hint, sizeof(hint)));
}

/* START, SIZE: hotmem_memparse()'s bytes (K, M, G, T) */
static int want_size(struct why *w, const char *what, const char *s, uint64_t *out)
{
	return hotmem_memparse(s, out) ? wrong(w, "%s '%s': bytes, decimal or 0x hex, K M G T suffixes",
					       what, s) :
					 0;
}

/* node=N / group=G: 1 when @tok is one, 0 when it is no KEY=, else the script's error */
static int want_kv_node(struct why *w, const char *tok, const char *key, int *out)
{
	int kv = parse_kv_node(tok, key, out);

	return kv >= 0 ? kv : -wrong(w, "%s: a number, -1 (none) or more", tok);
}

/* the optional last word [node=N] of alloc and hugetlb: 0, or the script's error */
static int want_node_opt(struct why *w, const char *tok, int *nid)
{
	int kv = want_kv_node(w, tok, "node", nid);

	return kv > 0 ? 0 : kv < 0 ? SCRIPT_ERROR : wrong(w, "unknown word '%s'", tok);
}

/* add START SIZE [node=N] [memmap_on_memory] [group=G] */
static int cmd_add(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	uint64_t start = 0, size = 0;
	int nid = 0, group = -1;
	unsigned int flags = 0;

	if (want_size(w, "START", argv[1], &start) || want_size(w, "SIZE", argv[2], &size))
		return SCRIPT_ERROR;
	for (int i = 3; i < argc; i++) {
		int kv;

		if (!strcmp(argv[i], "memmap_on_memory")) {
			flags |= HM_MHP_MEMMAP_ON_MEMORY;
			continue;
		}
		kv = want_kv_node(w, argv[i], "node", &nid);
		if (!kv)
			kv = want_kv_node(w, argv[i], "group", &group);
		if (!kv)
			return wrong(w, "unknown word '%s'", argv[i]);
		if (kv < 0)
			return SCRIPT_ERROR;
	}
	return hotmem_add_memory(hm, nid, start, size, flags, group);
}

static int cmd_remove(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	uint64_t start = 0, size = 0;

	(void)argc;
	if (want_size(w, "START", argv[1], &start) || want_size(w, "SIZE", argv[2], &size))
		return SCRIPT_ERROR;
	return hotmem_remove_memory(hm, start, size);
}

static int cmd_online(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	int type = argc > 2 ? hotmem_online_type_from_str(argv[2], strlen(argv[2])) :
			      HM_MMOP_ONLINE;
	unsigned long block = 0;

	if (want_block(w, argv[1], &block))
		return SCRIPT_ERROR;
	/* "offline" is a state the file takes, not one this command onlines into */
	if (type < 0 || type == HM_MMOP_OFFLINE)
		return wrong(w, "'%s' is not a state to online into", argv[2]);
	return hotmem_block_set_state(hm, block, type);
}

/* an offline's timeout=MS and sleep's MS: at most an hour */
#define SCRIPT_MS_MAX (3600 * 1000)

/*
 * @num, the milliseconds of @tok (sleep's MS, an offline's timeout=MS,
 * @name): 0 up to an hour.  Unbounded, a timeout's monotonic_ms() + MS
 * overflowed (timeout=9223372036854775807 was a deadline long past: the
 * offline ended at once, -EINTR).  Refused with the kernel's errno for
 * it, as kstrtox says it: ERANGE for a number past the bound (or past
 * long long), EINVAL for no number or a negative one; one text for both.
 */
static int want_ms(struct why *w, const char *tok, const char *num, const char *name,
		   long long *ms)
{
	int ret = num ? hmu_number_errno(num, ms) : -EINVAL;

	if (!ret && *ms < 0)
		ret = -EINVAL;
	if (!ret && *ms > SCRIPT_MS_MAX)
		ret = -ERANGE;
	if (ret == -ERANGE)
		return wrong(w, "'%s': out of range (ERANGE): %s, at most an hour, %d", tok, name,
			     SCRIPT_MS_MAX);
	if (ret)
		return wrong(w, "'%s': not milliseconds (EINVAL): %s, a whole number, 0 or more", tok,
			     name);
	return 0;
}

/* timeout=MS: 0 (none) up to an hour, as sleep's MS */
static int want_timeout(struct why *w, const char *tok, long long *ms)
{
	static const char key[] = "timeout=";

	return want_ms(w, tok, strncmp(tok, key, sizeof(key) - 1) ? NULL : tok + sizeof(key) - 1,
		       "timeout=MS", ms);
}

/* offline_pages()'s loop, its signal SIGINT or the timeout */
static int cmd_offline(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	struct deadline d = { 0 };
	const struct hotmem_task task = { .signal_pending = cli_signal_pending, .arg = &d };
	unsigned long block = 0;
	long long ms = 0;
	int ret;

	if (want_block(w, argv[1], &block))
		return SCRIPT_ERROR;
	if (argc == 3 && want_timeout(w, argv[2], &ms))
		return SCRIPT_ERROR;
	if (ms > 0)
		d.at_ms = monotonic_ms() + ms;
	interrupted = 0;
	in_offline = 1;
	ret = hotmem_block_set_state_task(hm, block, HM_MMOP_OFFLINE, &task);
	in_offline = 0;
	return ret;
}

static int cmd_alloc(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	int nid = -1;
	long n;
	unsigned long count = 0;
	int type = !strcmp(argv[1], "movable") ? HM_ALLOC_MOVABLE :
		   !strcmp(argv[1], "pinned") ? HM_ALLOC_PINNED :
		   !strcmp(argv[1], "unmovable") ? HM_ALLOC_UNMOVABLE : -1;

	if (type < 0)
		return wrong(w, "'%s' is not a kind of page (movable, unmovable, pinned)", argv[1]);
	if (want_ulong(w, "COUNT", argv[2], &count))
		return SCRIPT_ERROR;
	if (argc == 4 && want_node_opt(w, argv[3], &nid))
		return SCRIPT_ERROR;
	n = hotmem_alloc_pages(hm, nid, type, count, NULL);
	if (n < 0)
		return (int)n;	/* the "= -errno" line says it, not "allocated -12" */
	printf("allocated %ld\n", n);
	return 0;
}

static int cmd_freeall(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	(void)argc;
	(void)argv;
	(void)w;
	printf("freed %lu\n", hotmem_free_all(hm));
	return 0;
}

static int cmd_hugetlb(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	unsigned long count = 0;
	int nid = -1;	/* NUMA_NO_NODE: the global pool */
	long n;

	if (want_ulong(w, "COUNT", argv[1], &count))
		return SCRIPT_ERROR;
	if (argc == 3 && want_node_opt(w, argv[2], &nid))
		return SCRIPT_ERROR;
	n = hotmem_hugetlb_alloc(hm, nid, count);
	if (n < 0)
		return (int)n;	/* the "= -errno" line says it, not "hugepages -22" */
	printf("hugepages %ld\n", n);
	return 0;
}

static int cmd_inject(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	int action = !strcmp(argv[1], "MEM_GOING_ONLINE") ? HM_MEM_GOING_ONLINE :
		     !strcmp(argv[1], "MEM_GOING_OFFLINE") ? HM_MEM_GOING_OFFLINE : 0;
	long long err;

	(void)argc;
	if (!action)
		return wrong(w, "'%s' is not a notifier action (MEM_GOING_ONLINE, MEM_GOING_OFFLINE)",
			     argv[1]);
	if (hmu_number(argv[2], &err) || err < -4095 || err > 0)
		return wrong(w, "ERRNO '%s': a -errno, -4095..0 (0: none)", argv[2]);
	return hotmem_set_notifier_error(hm, action, (int)err);
}

static int cmd_blocks(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	(void)argc;
	(void)argv;
	(void)w;
	show_blocks(hm);
	return 0;
}

static int cmd_meminfo(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	(void)argc;
	(void)argv;
	(void)w;
	show_meminfo(hm);
	return 0;
}

static int cmd_status(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	char buf[8192];

	(void)argc;
	(void)argv;
	(void)w;
	hotmem_summary(hm, buf, sizeof(buf));
	fputs(buf, stdout);
	return 0;
}

static int cmd_check(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	char err[512];
	int ret;

	(void)argc;
	(void)argv;
	(void)w;
	ret = hotmem_check_invariants(hm, err, sizeof(err));
	printf("invariants: %s\n", ret ? err : "ok");
	return ret;
}

static int cmd_dmesg(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	static const size_t len = 64 * 1024;
	char *log = malloc(len);

	(void)argc;
	(void)argv;
	(void)w;
	if (!log)
		return -ENOMEM;
	hotmem_dmesg(hm, log, len);
	fputs(log, stdout);
	free(log);
	return 0;
}

static int cmd_explain(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	unsigned long block = 0;
	bool json = argc == 3;
	char *out;
	int ret;

	if (want_block(w, argv[1], &block))
		return SCRIPT_ERROR;
	if (json && strcmp(argv[2], "--json"))
		return wrong(w, "unknown word '%s'", argv[2]);
	ret = hotmem_explain_render(hm, block, 0, json ? &out : NULL,
				    HM_EXPLAIN_TEXT_HEAD | HM_EXPLAIN_TEXT_ROWS | HM_EXPLAIN_TEXT_MORE,
				    NULL, json ? NULL : &out);
	if (ret)
		return ret;
	fputs(out, stdout);
	free(out);
	return 0;
}

static int cmd_sleep(struct hotmem *hm, int argc, char **argv, struct why *w)
{
	long long ms = 0;

	(void)hm;
	(void)argc;
	if (want_ms(w, argv[1], argv[1], "MS", &ms))
		return SCRIPT_ERROR;
	usleep((useconds_t)ms * 1000);
	return 0;
}

/* The script commands: the one list run_line() runs and usage() prints. */
static const struct {
	const char *name;
	int min_args, max_args; /* the words after the name */
	const char *syntax, *help;
	int (*fn)(struct hotmem *hm, int argc, char **argv, struct why *w);
} script_cmds[] = {
	{ "add", 2, 5, "add START SIZE [node=N] [memmap_on_memory] [group=G]", "add_memory()", cmd_add },
	{ "remove", 2, 2, "remove START SIZE", "remove_memory()", cmd_remove },
	{ "online", 1, 2, "online BLOCK [online|online_kernel|online_movable]", "echo > memoryN/state",
	  cmd_online },
	{ "offline", 1, 2, "offline BLOCK [timeout=MS]",
	  "offline_pages()'s loop; SIGINT or the timeout (at most an hour) ends it (-EINTR)", cmd_offline },
	{ "alloc", 2, 3, "alloc movable|unmovable|pinned COUNT [node=N]", "workload pages", cmd_alloc },
	{ "free-all", 0, 0, "free-all", "free the workload (hotmemctl's word)", cmd_freeall },
	/* the name it had: still taken, no longer listed */
	{ "freeall", 0, 0, "freeall", NULL, cmd_freeall },
	{ "hugetlb", 1, 2, "hugetlb COUNT [node=N]", "grow the HugeTLB pool", cmd_hugetlb },
	{ "inject", 2, 2, "inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO", "notifier error", cmd_inject },
	{ "blocks", 0, 0, "blocks", "every block: state, node, valid_zones", cmd_blocks },
	{ "meminfo", 0, 0, "meminfo", "/proc/meminfo's counts", cmd_meminfo },
	{ "status", 0, 0, "status", "the machine in a few lines", cmd_status },
	{ "check", 0, 0, "check", "the engine's invariants", cmd_check },
	{ "dmesg", 0, 0, "dmesg", "the kernel log ring", cmd_dmesg },
	{ "explain", 1, 2, "explain BLOCK [--json]", "the pages that stop its offline, its zone rule",
	  cmd_explain },
	{ "sleep", 1, 1, "sleep MS", "wait (at most an hour)", cmd_sleep },
};

/* hotmem_config_list_builtins()'s line, to the FILE @f */
static void put_line(const char *text, void *f)
{
	fputs(text, f);
}

/*
 * --list-profiles: a line each, "NAME  what the machine is"; =names: the
 * names alone, one a line, as it printed before the descriptions (for a
 * script's `for p in $(hotmem --list-profiles=names)`).
 */
static int list_profiles(const char *arg)
{
	if (!arg) {
		hotmem_config_list_builtins("", put_line, stdout);
		return 0;
	}
	if (strcmp(arg, "names")) {
		fprintf(stderr, "hotmem: --list-profiles=%s: expected --list-profiles or --list-profiles=names\n",
			arg);
		return 2;
	}
	for (const char *const *n = hotmem_config_builtin_names(); *n; n++)
		puts(*n);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: hotmem [--profile NAME|FILE] [--cmdline \"...\"] [--events] status\n"
	      "       hotmem [options] run SCRIPT|-\n"
	      "       hotmem --list-profiles[=names]   the built-in machines, one line each (=names: names only)\n"
	      "       hotmem --version | -V          its version and the build's git describe\n"
	      "       hotmem profile --from-sysfs DIR [-o FILE]   a profile of the machine under DIR\n"
	      "                                 (/ or a dump of DIR/sys/devices/system/memory;\n"
	      "                                 DIR/proc/iomem, sys/bus/virtio: virtio-mem devices)\n"
	      "\n"
	      "script commands (one a line, # comments; a malformed one is the script's error,\n"
	      "FILE:LINE: said, nothing done, exit status 3; a step the kernel refuses: = -errno, exit 2):\n",
	      f);
	for (size_t i = 0; i < sizeof(script_cmds) / sizeof(script_cmds[0]); i++)
		if (script_cmds[i].help)
			fprintf(f, "  %-52s %s\n", script_cmds[i].syntax, script_cmds[i].help);
}

/* script_cmds[]'s entry named @name, or NULL */
static int find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(script_cmds) / sizeof(script_cmds[0]); i++)
		if (!strcmp(name, script_cmds[i].name))
			return (int)i;
	return -1;
}

/* word @n (1: the first after the name) of @syntax, in @buf: what a line lacks */
static const char *syntax_word(const char *syntax, int n, char *buf, size_t len)
{
	const char *p = syntax;

	for (int i = 0; i < n && p; i++)
		p = strchr(p + 1, ' ');
	snprintf(buf, len, "%.*s", p ? (int)strcspn(p + 1, " ") : 0, p ? p + 1 : "");
	return buf;
}

/*
 * One command a line: 0, the kernel's -errno, or SCRIPT_ERROR with @w
 * saying what is wrong with the line (nothing done).
 */
static int run_line(struct hotmem *hm, char *line, int *cmd, struct why *w)
{
	char *argv[8], *save = NULL, *t, word[64];
	int argc = 0, i;

	*cmd = -1;
	for (t = strtok_r(line, " \t\n", &save); t && argc < 8; t = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = t;
	if (!argc || argv[0][0] == '#')
		return 0;
	i = find_cmd(argv[0]);
	*cmd = i;
	if (i < 0)
		return wrong(w, "no such command (hotmem --help lists them)");
	if (t || argc - 1 > script_cmds[i].max_args) /* the first one past the syntax */
		return wrong(w, "'%s': a word too many",
			     argc - 1 > script_cmds[i].max_args ? argv[script_cmds[i].max_args + 1] : t);
	if (argc - 1 < script_cmds[i].min_args)
		return wrong(w, "%s missing",
			     syntax_word(script_cmds[i].syntax, argc, word, sizeof(word)));
	return script_cmds[i].fn(hm, argc, argv, w);
}

/*
 * Exit status: 0, 2 when a step failed (the kernel refused it: as the
 * scenario may mean), 3 when a line is the script's own error (said as
 * FILE:LINE: CMD: ..., its step skipped; the run goes on, as a shell's
 * would, so each is said at once).
 */
static int run_script(struct hotmem *hm, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char line[512];
	int lineno = 0, failed = 0, errors = 0;

	if (!f) {
		fprintf(stderr, "hotmem: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char echo[512], cmd_name[64];
		struct why w = { "" };
		int ret, cmd;

		lineno++;
		snprintf(echo, sizeof(echo), "%s", line);
		echo[strcspn(echo, "\n")] = '\0';
		snprintf(cmd_name, sizeof(cmd_name), "%.*s", (int)strcspn(line + strspn(line, " \t"), " \t\n"),
			 line + strspn(line, " \t"));
		if (!strchr(line, '\n') && !feof(f)) {
			/* its tail would be read as a line of its own: the whole line is the error */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			cmd = find_cmd(cmd_name);
			ret = wrong(&w, "a line longer than %zu bytes", sizeof(line) - 2);
		} else {
			ret = run_line(hm, line, &cmd, &w);
		}
		if (ret == SCRIPT_ERROR) {
			fflush(stdout);
			if (cmd < 0)
				fprintf(stderr, "hotmem: %s:%d: %s: %s\n", name, lineno, cmd_name, w.msg);
			else
				fprintf(stderr, "hotmem: %s:%d: %s: %s (%s)\n", name, lineno, cmd_name, w.msg,
					script_cmds[cmd].syntax);
			printf("> %s = script error: nothing done\n", echo);
			errors++;
		} else if (echo[strspn(echo, " \t")] && echo[strspn(echo, " \t")] != '#') {
			printf("> %s = %d%s%s\n", echo, ret, ret ? " " : "", ret ? strerror(-ret) : "");
		}
		fflush(stdout);
		if (ret && ret != SCRIPT_ERROR)
			failed++;
	}
	/*
	 * fgets()'s NULL is a read error as well as the end: a directory
	 * opens, and its first read is EISDIR -- the script unread, said as
	 * a missing one is (exit 1), not a run of nothing
	 */
	if (ferror(f)) {
		fprintf(stderr, "hotmem: %s: %s\n", name, strerror(errno));
		if (f != stdin)
			fclose(f);
		return 1;
	}
	if (f != stdin)
		fclose(f);
	if (errors)
		fprintf(stderr, "hotmem: %s: %d line%s the script's own error%s (skipped), %d step%s refused\n",
			name, errors, errors == 1 ? " is" : "s are", errors == 1 ? "" : "s", failed,
			failed == 1 ? "" : "s");
	return errors ? 3 : failed ? 2 : 0;
}

/* hotmem profile --from-sysfs DIR [-o FILE] */
static int profile_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from-sysfs", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *output = NULL;
	FILE *out = stdout;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dir || optind != argc) {
		fprintf(stderr, "hotmem: profile: --from-sysfs DIR is needed (DIR: / or a dump)\n");
		return 2;
	}
	if (output && !(out = fopen(output, "we"))) {
		fprintf(stderr, "hotmem: %s: %s\n", output, strerror(errno));
		return 1;
	}
	ret = hotmem_profile_from_sysfs(dir, out, stderr);
	if (output && fclose(out) && !ret) {
		fprintf(stderr, "hotmem: %s: %s\n", output, strerror(errno));
		ret = -EIO;
	}
	if (ret && output)
		unlink(output);
	return ret ? 1 : 0;
}

/*
 * The words after the options: "status" and "run SCRIPT" take nothing
 * more, and a word past them is refused (exit 2, as hotmemctl's
 * "status: unexpected argument") rather than ignored.  0, or the exit
 * status, said.
 */
static int check_words(int nr, char **words)
{
	int max = nr && !strcmp(words[0], "run") ? 2 : 1;

	if (nr <= max || (strcmp(words[0], "run") && strcmp(words[0], "status")))
		return 0;	/* an unknown command: main()'s usage */
	fprintf(stderr, "hotmem: %s: unexpected argument '%s'\n", words[0], words[max]);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "events", no_argument, NULL, 'e' },
		{ "list-profiles", optional_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *cmdline = NULL;
	struct hotmem_config cfg;
	struct hotmem *hm;
	bool events = false;
	char err[512];
	int c, ret;

	if (argc > 1 && !strcmp(argv[1], "profile"))
		return profile_main(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "p:c:ehV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'e': events = true; break;
		case 'l':
			return list_profiles(optarg);
		case 'h': usage(stdout); return 0;
		case 'V': return hmu_print_version("hotmem");
		default: usage(stderr); return 2;
		}
	}
	ret = check_words(argc - optind, argv + optind);
	if (ret)
		return ret;
	hotmem_config_default(&cfg);
	if (profile && hotmem_config_profile(&cfg, profile, err, sizeof(err))) {
		fprintf(stderr, "hotmem: %s\n", err);
		return 1;
	}
	if (cmdline && hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err))) {
		fprintf(stderr, "hotmem: kernel command line: %s\n", err);
		return 1;
	}
	if (cmdline && hotmem_cmdline_unmodelled(cmdline, err, sizeof(err)))
		fprintf(stderr, "hotmem: kernel command line: hotmem models none of: %s (no effect here)\n",
			err);
	ret = hotmem_create(&cfg, &hm, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmem: cannot boot the machine: %s\n", err);
		return 1;
	}
	/* on_event() prints no trace step: untraced steps cost it nothing */
	if (events)
		hotmem_subscribe_trace(hm, hotmem_subscribe(hm, on_event, NULL), false);
	signal(SIGINT, on_sigint);
	if (optind < argc && !strcmp(argv[optind], "run") && optind + 1 < argc) {
		ret = run_script(hm, argv[optind + 1]);
	} else if (optind >= argc || !strcmp(argv[optind], "status")) {
		char buf[8192];

		hotmem_summary(hm, buf, sizeof(buf));
		fputs(buf, stdout);
		ret = 0;
	} else {
		usage(stderr);
		ret = 2;
	}
	hotmem_destroy(hm);
	return ret;
}
