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
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotmem.h"
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
 * A script's number, whole (decimal, 0x hex): 0, or -EINVAL for anything
 * else -- "offline x" read as block 0 offlined memory0.
 */
static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

/* a block, a count, milliseconds: not negative */
static int parse_ulong(const char *s, unsigned long *out)
{
	long v;

	if (parse_long(s, &v) || v < 0)
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

/* KEY=N: 1 when @tok is KEY=..., its number in @out (-EINVAL: not a number), else 0 */
static int parse_kv_int(const char *tok, const char *key, long *out)
{
	size_t n = strlen(key);

	if (strncmp(tok, key, n) || tok[n] != '=')
		return 0;
	return parse_long(tok + n + 1, out) ? -EINVAL : 1;
}

/*
 * KEY=N for a node or a memory group: as parse_kv_int(), N -1 (none) or
 * more and within int -- one past int is none: (int)2^32 was node 0
 * (memory added, pages allocated there), group=4294967295 was -1
 */
static int parse_kv_node(const char *tok, const char *key, int *out)
{
	long v;
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

/* add START SIZE [node=N] [memmap_on_memory] [group=G] */
static int cmd_add(struct hotmem *hm, int argc, char **argv)
{
	uint64_t start, size;
	int nid = 0, group = -1;
	unsigned int flags = 0;

	if (hotmem_memparse(argv[1], &start) || hotmem_memparse(argv[2], &size))
		return -EINVAL;
	for (int i = 3; i < argc; i++) {
		int kv;

		if (!strcmp(argv[i], "memmap_on_memory")) {
			flags |= HM_MHP_MEMMAP_ON_MEMORY;
			continue;
		}
		kv = parse_kv_node(argv[i], "node", &nid);
		if (!kv)
			kv = parse_kv_node(argv[i], "group", &group);
		if (kv <= 0)
			return -EINVAL;
	}
	return hotmem_add_memory(hm, nid, start, size, flags, group);
}

static int cmd_remove(struct hotmem *hm, int argc, char **argv)
{
	uint64_t start, size;

	(void)argc;
	if (hotmem_memparse(argv[1], &start) || hotmem_memparse(argv[2], &size))
		return -EINVAL;
	return hotmem_remove_memory(hm, start, size);
}

static int cmd_online(struct hotmem *hm, int argc, char **argv)
{
	int type = argc > 2 ? hotmem_online_type_from_str(argv[2], strlen(argv[2])) :
			      HM_MMOP_ONLINE;
	unsigned long block;

	if (parse_ulong(argv[1], &block))
		return -EINVAL;
	return type < 0 ? type : hotmem_block_set_state(hm, block, type);
}

/* offline_pages()'s loop, its signal SIGINT or the timeout */
static int cmd_offline(struct hotmem *hm, int argc, char **argv)
{
	struct deadline d = { 0 };
	const struct hotmem_task task = { cli_signal_pending, &d };
	unsigned long block;
	long ms = 0;
	int ret;

	if (parse_ulong(argv[1], &block) ||
	    (argc == 3 && (parse_kv_int(argv[2], "timeout", &ms) <= 0 || ms < 0)))
		return -EINVAL;
	if (ms > 0)
		d.at_ms = monotonic_ms() + ms;
	interrupted = 0;
	in_offline = 1;
	ret = hotmem_block_set_state_task(hm, block, HM_MMOP_OFFLINE, &task);
	in_offline = 0;
	return ret;
}

static int cmd_alloc(struct hotmem *hm, int argc, char **argv)
{
	int nid = -1;
	long n;
	unsigned long count;
	int type = !strcmp(argv[1], "movable") ? HM_ALLOC_MOVABLE :
		   !strcmp(argv[1], "pinned") ? HM_ALLOC_PINNED :
		   !strcmp(argv[1], "unmovable") ? HM_ALLOC_UNMOVABLE : -1;

	if (type < 0 || parse_ulong(argv[2], &count) ||
	    (argc == 4 && parse_kv_node(argv[3], "node", &nid) <= 0))
		return -EINVAL;
	n = hotmem_alloc_pages(hm, nid, type, count, NULL);
	if (n < 0)
		return (int)n;	/* the "= -errno" line says it, not "allocated -12" */
	printf("allocated %ld\n", n);
	return 0;
}

static int cmd_freeall(struct hotmem *hm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("freed %lu\n", hotmem_free_all(hm));
	return 0;
}

static int cmd_hugetlb(struct hotmem *hm, int argc, char **argv)
{
	unsigned long count;
	int nid = -1;	/* NUMA_NO_NODE: the global pool */
	long n;

	if (parse_ulong(argv[1], &count) || (argc == 3 && parse_kv_node(argv[2], "node", &nid) <= 0))
		return -EINVAL;
	n = hotmem_hugetlb_alloc(hm, nid, count);
	if (n < 0)
		return (int)n;	/* the "= -errno" line says it, not "hugepages -22" */
	printf("hugepages %ld\n", n);
	return 0;
}

static int cmd_inject(struct hotmem *hm, int argc, char **argv)
{
	int action = !strcmp(argv[1], "MEM_GOING_ONLINE") ? HM_MEM_GOING_ONLINE :
		     !strcmp(argv[1], "MEM_GOING_OFFLINE") ? HM_MEM_GOING_OFFLINE : 0;
	long err;

	(void)argc;
	if (parse_long(argv[2], &err) || err < -4095 || err > 0)
		return -EINVAL;
	return hotmem_set_notifier_error(hm, action, (int)err);
}

static int cmd_blocks(struct hotmem *hm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_blocks(hm);
	return 0;
}

static int cmd_meminfo(struct hotmem *hm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	show_meminfo(hm);
	return 0;
}

static int cmd_status(struct hotmem *hm, int argc, char **argv)
{
	char buf[8192];

	(void)argc;
	(void)argv;
	hotmem_summary(hm, buf, sizeof(buf));
	fputs(buf, stdout);
	return 0;
}

static int cmd_check(struct hotmem *hm, int argc, char **argv)
{
	char err[512];
	int ret;

	(void)argc;
	(void)argv;
	ret = hotmem_check_invariants(hm, err, sizeof(err));
	printf("invariants: %s\n", ret ? err : "ok");
	return ret;
}

static int cmd_dmesg(struct hotmem *hm, int argc, char **argv)
{
	static const size_t len = 64 * 1024;
	char *log = malloc(len);

	(void)argc;
	(void)argv;
	if (!log)
		return -ENOMEM;
	hotmem_dmesg(hm, log, len);
	fputs(log, stdout);
	free(log);
	return 0;
}

static int cmd_explain(struct hotmem *hm, int argc, char **argv)
{
	unsigned long block;
	bool json = argc == 3;
	char *out;
	int ret;

	if (parse_ulong(argv[1], &block) || (json && strcmp(argv[2], "--json")))
		return -EINVAL;
	ret = hotmem_explain_render(hm, block, 0, json ? &out : NULL,
				    HM_EXPLAIN_TEXT_HEAD | HM_EXPLAIN_TEXT_ROWS | HM_EXPLAIN_TEXT_MORE,
				    NULL, json ? NULL : &out);
	if (ret)
		return ret;
	fputs(out, stdout);
	free(out);
	return 0;
}

static int cmd_sleep(struct hotmem *hm, int argc, char **argv)
{
	unsigned long ms;

	(void)hm;
	(void)argc;
	if (parse_ulong(argv[1], &ms) || ms > 3600 * 1000)
		return -EINVAL;
	usleep((useconds_t)ms * 1000);
	return 0;
}

/* The script commands: the one list run_line() runs and usage() prints. */
static const struct {
	const char *name;
	int min_args, max_args; /* the words after the name */
	const char *syntax, *help;
	int (*fn)(struct hotmem *hm, int argc, char **argv);
} script_cmds[] = {
	{ "add", 2, 5, "add START SIZE [node=N] [memmap_on_memory] [group=G]", "add_memory()", cmd_add },
	{ "remove", 2, 2, "remove START SIZE", "remove_memory()", cmd_remove },
	{ "online", 1, 2, "online BLOCK [online|online_kernel|online_movable]", "echo > memoryN/state",
	  cmd_online },
	{ "offline", 1, 2, "offline BLOCK [timeout=MS]",
	  "offline_pages()'s loop; SIGINT or the timeout ends it (-EINTR)", cmd_offline },
	{ "alloc", 2, 3, "alloc movable|unmovable|pinned COUNT [node=N]", "workload pages", cmd_alloc },
	{ "free-all", 0, 0, "free-all", "free the workload (hotmemctl's word)", cmd_freeall },
	/* the name it had: still taken, no longer listed */
	{ "freeall", 0, 0, NULL, NULL, cmd_freeall },
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

static void usage(FILE *f)
{
	fputs("usage: hotmem [--profile NAME|FILE] [--cmdline \"...\"] [--events] status\n"
	      "       hotmem [options] run SCRIPT|-\n"
	      "       hotmem --list-profiles\n"
	      "       hotmem profile --from-sysfs DIR [-o FILE]   a profile of the machine under DIR\n"
	      "                                 (/ or a dump of DIR/sys/devices/system/memory;\n"
	      "                                 DIR/proc/iomem, sys/bus/virtio: virtio-mem devices)\n"
	      "\n"
	      "script commands (one a line, # comments; a malformed one is -22, nothing done):\n", f);
	for (size_t i = 0; i < sizeof(script_cmds) / sizeof(script_cmds[0]); i++)
		if (script_cmds[i].syntax)
			fprintf(f, "  %-52s %s\n", script_cmds[i].syntax, script_cmds[i].help);
}

/* One command a line; the kernel's errno, -EINVAL for a line no command takes. */
static int run_line(struct hotmem *hm, char *line)
{
	char *argv[8], *save = NULL, *t;
	int argc = 0;

	for (t = strtok_r(line, " \t\n", &save); t && argc < 8; t = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = t;
	if (!argc || argv[0][0] == '#')
		return 0;
	for (size_t i = 0; !t && i < sizeof(script_cmds) / sizeof(script_cmds[0]); i++)
		if (!strcmp(argv[0], script_cmds[i].name) && argc - 1 >= script_cmds[i].min_args &&
		    argc - 1 <= script_cmds[i].max_args)
			return script_cmds[i].fn(hm, argc, argv);
	fprintf(stderr, "hotmem: unknown or malformed command '%s'\n", argv[0]);
	return -EINVAL;
}

static int run_script(struct hotmem *hm, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char line[512];
	int lineno = 0, failed = 0;

	if (!f) {
		fprintf(stderr, "hotmem: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char echo[512];
		int ret;

		lineno++;
		snprintf(echo, sizeof(echo), "%s", line);
		echo[strcspn(echo, "\n")] = '\0';
		ret = run_line(hm, line);
		if (echo[0] && echo[0] != '#')
			printf("> %s = %d%s%s\n", echo, ret, ret ? " " : "",
			       ret ? strerror(-ret) : "");
		fflush(stdout);
		if (ret)
			failed++;
	}
	if (f != stdin)
		fclose(f);
	return failed ? 2 : 0;
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "events", no_argument, NULL, 'e' },
		{ "list-profiles", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
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
	while ((c = getopt_long(argc, argv, "p:c:eh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'e': events = true; break;
		case 'l':
			for (const char *const *n = hotmem_config_builtin_names(); *n; n++)
				puts(*n);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	hotmem_config_default(&cfg);
	if (profile && hotmem_config_profile(&cfg, profile, err, sizeof(err))) {
		fprintf(stderr, "hotmem: %s\n", err);
		return 1;
	}
	if (cmdline && hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err))) {
		fprintf(stderr, "hotmem: kernel command line: %s\n", err);
		return 1;
	}
	if (cmdline && hotmem_config_unmodelled(&cfg, err, sizeof(err)))
		fprintf(stderr, "hotmem: kernel command line: hotmem models none of: %s (no effect here)\n",
			err);
	ret = hotmem_create(&cfg, &hm, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmem: cannot boot the machine: %s\n", err);
		return 1;
	}
	if (events)
		hotmem_subscribe(hm, on_event, NULL);
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
