// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: run onlining agents (udev rules, hotmemd, your command)
 * for real inside entered machines (hotmem-enter) across kernel settings,
 * machines and plug events, and say per cell whether the agent did right.
 *
 *   hotmem-conform [--reduced|--full] [--rules FILE|DIR]... [--agent CMD]...
 *                  [--builtin] [--only REGEX] [--json FILE]
 *   hotmem-conform --cell AGENT EVENT      (inside hotmem-enter: one cell)
 *
 * Exit 0 when every cell meets its expectation (conform_expect.c: what
 * each built-in agent does, wrong included), 1 otherwise, 2 on usage,
 * 3 (CONFORM_EXIT_REFUSED) when the only fault is the matrix's own: the
 * emulated machine refused one of its events; killed by SIGINT, SIGTERM
 * or SIGHUP when one stopped it.
 * Each cell is one hotmem-enter of this program's --cell, in a process
 * group of its own, stopped after CONFORM_CELL_TIMEOUT_S.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conform.h"
#include "udev_rules.h"
#include "uapi/hm_version.h"

#define ENTER_STOP_GRACE_MS 15000 /* hotmem-enter stops hotmemfs within 5 s */

struct agent {
	char *spec;	/* what --cell takes: rule:DIR, hotmemd:POLICY, cmd:CMD, netlink-agent */
	char *name;	/* as the JSON and --only have it: the whole command of an --agent */
	char *label;	/* the table's: agent#N for the Nth --agent (its command is long), else NULL */
	char *rules;	/* rule agents: the directory hotmem-enter binds, else NULL */
	char *origin;	/* a --rules FILE: its path (realpath), else NULL */
	char *intent;	/* yours: --intent POLICY, what the rule means; else NULL */
	char *key;	/* what its cells are judged as: intent:POLICY, else its name */
};

struct matrix {
	struct agent *agents;
	size_t nr_agents;
	const char *const *settings, *const *events;
	char **machines;	/* profile names, or paths of profiles written in work */
	size_t nr_machines;
	bool reduced, only_set;
	int builtin;		/* 1: default, 0: user agents only, 2: --builtin */
	regex_t only;
	const char *only_text;	/* --only's REGEX, for its message */
	const char *json;
	char work[320];		/* $TMPDIR/hotmem-conform.XXXXXX, /tmp's if none */
	char self[PATH_MAX], enter[PATH_MAX];
	const char *kalloc;	/* HOTMEM_CONFORM_KERNEL_ALLOC */
	sigset_t stop;
	int passed, failed_ok, bad, errors, signal;
	int refused;		/* cells whose event the machine refused: the matrix's own errors */
	char logs[320];		/* agents' stderr kept past the run (made on the first), "" none */
	int out_err;		/* a row could not be written: errno, the matrix stops */
	int agent_width;	/* the table's agent column */
	const char **whys;	/* expectations' whys a row has shown whole (static strings) */
	size_t nr_whys;
	char **advices;		/* advice a row has shown whole, its digits left out (owned) */
	size_t nr_advices;
	json_object *cells;
};

static const char *const settings_reduced[] = {
	"memhp_default_state=offline", "memhp_default_state=online", NULL
};
static const char *const settings_full[] = {
	"memhp_default_state=offline",
	"memhp_default_state=online",
	"memhp_default_state=online_movable",
	"memhp_default_state=offline memory_hotplug.online_policy=auto-movable",
	"memhp_default_state=offline memory_hotplug.memmap_on_memory=1",
	NULL
};
static const char *const events_reduced[] = { "dimm1", NULL };
static const char *const events_full[] = { "dimm1", "dimm64", "burst1024", "virtio-grow-shrink",
					   NULL };

static const char *const rule_classic =
	"SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n";
static const char *const rule_blind =
	"SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}=\"online\"\n";
static const char *const rule_virt =
	"SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}==\"offline\", "
	"PROGRAM=\"/usr/bin/systemd-detect-virt\", RESULT==\"none\", ATTR{state}=\"online_movable\"\n"
	"SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n";

static void usage(FILE *f)
{
	fputs("Usage: hotmem-conform [--reduced|--full] [--rules FILE|DIR [--intent POLICY]]...\n"
	      "                      [--agent CMD [--intent POLICY]]... [--builtin]\n"
	      "                      [--only REGEX] [--json FILE]\n"
	      "       hotmem-conform --cell AGENT EVENT\n"
	      "       hotmem-conform --version | -V | --help | -h\n"
	      "\n"
	      "Runs each onlining agent inside a fresh entered machine (hotmem-enter) for\n"
	      "each kernel setting, machine and plug event, and prints one row per cell:\n"
	      "blocks online/new, zones, Movable as % of kernel memory against\n"
	      "auto_movable_ratio, the agent's state writes and the redundant and\n"
	      "failed of them, uevents the agent lost (the kernel's drop count), how\n"
	      "many onlined blocks offline again, ms until the last block is online,\n"
	      "and the verdict: ✓; ~ and why, a failure that agent is expected to\n"
	      "have ([expected: ...], inherent: no fault); or ✗ and why, a violation\n"
	      "([VIOLATION: ...]) or an error of the run ([ERROR: ...]).  --rules/--agent\n"
	      "test yours, which must pass every cell but for the race with\n"
	      "memhp_default_state=online* (inherent to acting on the ADD, which\n"
	      "comes before the kernel's auto-online; the built-in agents are then\n"
	      "left out unless --builtin is given).  --intent POLICY after one says\n"
	      "what it means, the cells judged against that:\n",
	      f);
	conform_intent_usage(f);
	fputs("--only runs the cells whose \"AGENT SETTING MACHINE EVENT\" matches REGEX,\n"
	      "SETTING as on the command line or as the table prints it (one matching\n"
	      "none is a usage error).\n"
	      "--cell runs one cell, AGENT on EVENT: what hotmem-conform runs inside each\n"
	      "cell's hotmem-enter, refused outside one (hotmem-conform(8)).\n"
	      "HOTMEM_CONFORM_LISTENER_RCVBUF=BYTES gives the listener that buffer.\n"
	      "The work directory is made in $TMPDIR (/tmp without it) and removed; the\n"
	      "stderr of an agent that ended by itself is kept there, in\n"
	      "hotmem-conform-logs.XXXXXX/, named by the last line.\n"
	      "Exit 0 when every cell meets its expectation, 1 otherwise, 2 on usage,\n"
	      "3 when the only fault is hotmem-conform's own: the emulated machine\n"
	      "refused an event of the matrix (its cells not run, no verdict).\n",
	      f);
}

static int add_agent(struct matrix *m, const char *spec, const char *name, const char *rules)
{
	struct agent *a = realloc(m->agents, (m->nr_agents + 1) * sizeof(*a));

	if (!a)
		return -1;
	m->agents = a;
	a += m->nr_agents;
	a->spec = strdup(spec);
	a->name = strdup(name);
	a->rules = rules ? strdup(rules) : NULL;
	a->origin = NULL;
	a->label = NULL;
	a->intent = NULL;
	a->key = NULL;
	m->nr_agents++;
	if (!a->spec || !a->name || (rules && !a->rules))
		return -1;
	return 0;
}

static int write_file(const char *path, const char *content, size_t len)
{
	int fd = conform_open_file(path, false);
	ssize_t n = fd < 0 ? -1 : write(fd, content, len);

	if (fd >= 0 && close(fd) < 0)
		n = -1;
	if (n != (ssize_t)len) {
		fprintf(stderr, "hotmem-conform: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* a built-in rule file in a directory of its own (hotmem-enter binds a directory) */
static int add_rule_agent(struct matrix *m, const char *dirname, const char *rule, const char *name)
{
	char dir[PATH_MAX], file[PATH_MAX + 32], spec[PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "%s/%s", m->work, dirname);
	snprintf(file, sizeof(file), "%s/80-online.rules", dir);
	snprintf(spec, sizeof(spec), "rule:%s", dir);
	if (mkdir(dir, 0755) < 0 || write_file(file, rule, strlen(rule)) < 0)
		return -1;
	return add_agent(m, spec, name, dir);
}

/*
 * A --rules FILE copied into a directory of its own, user-N-BASE (N the
 * agent's number: two files of one base name each keep their own -- the
 * second replaced the first, and both rows ran it), named as udevd reads
 * it (BASE.rules: hmfs_udev_rules_name()); a DIR as it is.  The
 * row's name: rules:BASE, or rules:PATH when another --rules file has
 * that base (name_user_rules()).  The same file twice is refused.
 */
static int add_user_rules(struct matrix *m, const char *path)
{
	char dir[PATH_MAX], dst[PATH_MAX * 2], spec[PATH_MAX + 8], name[PATH_MAX + 8];
	char file[NAME_MAX + 1];
	const char *base = strrchr(path, '/') + 1; /* a realpath() */
	char *content = NULL;
	struct stat st;
	size_t len = 0;
	FILE *f = NULL;
	int ret = -1;

	if (stat(path, &st)) {
		fprintf(stderr, "hotmem-conform: --rules %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(spec, sizeof(spec), "rule:%s", path);
		snprintf(name, sizeof(name), "rules:%s", path);
		return add_agent(m, spec, name, path);
	}
	for (size_t i = 0; i < m->nr_agents; i++)
		if (m->agents[i].origin && !strcmp(m->agents[i].origin, path)) {
			fprintf(stderr, "hotmem-conform: --rules %s: given twice\n", path);
			return -1;
		}
	/* under a name udevd reads, as hotmem-enter --rules FILE binds it */
	ret = hmfs_udev_rules_name(path, file, sizeof(file));
	if (ret < 0) {
		fprintf(stderr, "hotmem-conform: --rules %s: %s\n", path, strerror(-ret));
		return -1;
	}
	ret = -1;
	snprintf(dir, sizeof(dir), "%s/user-%zu-%s", m->work, m->nr_agents, base);
	snprintf(dst, sizeof(dst), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f || mkdir(dir, 0755) < 0) {
		fprintf(stderr, "hotmem-conform: --rules %s: %s\n", path, strerror(errno));
		goto out;
	}
	content = malloc((size_t)st.st_size + 1);
	if (!content)
		goto out;
	len = fread(content, 1, (size_t)st.st_size, f);
	if (write_file(dst, content, len) < 0)
		goto out;
	snprintf(spec, sizeof(spec), "rule:%s", dir);
	snprintf(name, sizeof(name), "rules:%s", base);
	if (add_agent(m, spec, name, dir))
		goto out;
	m->agents[m->nr_agents - 1].origin = strdup(path);
	ret = m->agents[m->nr_agents - 1].origin ? 0 : -1;
out:
	free(content);
	if (f)
		fclose(f);
	return ret;
}

/* rules:BASE is one --rules file's name only while no other has that base: else rules:PATH */
static int name_user_rules(struct matrix *m)
{
	for (size_t i = 0; i < m->nr_agents; i++) {
		struct agent *a = &m->agents[i];
		bool shared = false;

		for (size_t j = 0; j < m->nr_agents && a->origin && !shared; j++)
			shared = j != i && m->agents[j].origin &&
				 !strcmp(strrchr(m->agents[j].origin, '/'), strrchr(a->origin, '/'));
		if (!shared)
			continue;
		free(a->name);
		if (asprintf(&a->name, "rules:%s", a->origin) < 0) {
			a->name = NULL;
			return -1;
		}
	}
	return 0;
}

/* the built-in agents, in the table's order */
static int add_builtin(struct matrix *m)
{
	static const char *const hotmemd_full[] = { "hotmemd:auto-movable", "hotmemd:online_movable",
						    "hotmemd:online", "hotmemd:online_kernel" };
	size_t i;

	if (m->reduced)
		return add_rule_agent(m, "classic", rule_classic, "classic-rule") ||
		       add_rule_agent(m, "blind", rule_blind, "blind-rule") ||
		       add_agent(m, "hotmemd:auto-movable", "hotmemd:auto-movable", NULL);
	for (i = 0; i < sizeof(hotmemd_full) / sizeof(hotmemd_full[0]); i++)
		if (add_agent(m, hotmemd_full[i], hotmemd_full[i], NULL))
			return -1;
	return add_rule_agent(m, "classic", rule_classic, "classic-rule") ||
	       add_rule_agent(m, "blind", rule_blind, "blind-rule") ||
	       add_rule_agent(m, "virt", rule_virt, "virt-rule") ||
	       add_agent(m, "netlink-agent", "netlink-agent", NULL);
}

/* qemu-512m, numa2, host-24g and a machine with room for the burst (128 GiB of blocks) */
/*
 * numa2-ml: numa2 (1 GiB on nodes 0 and 2 of 4 here) with CPUs on 0 and on
 * the memoryless node 1, a socket without DIMMs; the events plug there
 * (conform_plug_node()): a node's first memory, where auto-movable's
 * per-node ratio (auto_movable_numa_aware) has no kernel memory to go by.
 * Written into the work directory as big-640g is.
 */
static int write_machine(struct matrix *m, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", m->work, name);
	if (write_file(path, text, strlen(text)) < 0)
		return -1;
	m->machines[m->nr_machines] = strdup(path);
	return m->machines[m->nr_machines++] ? 0 : -1;
}

static int add_machines(struct matrix *m)
{
	m->machines = calloc(5, sizeof(char *));
	if (!m->machines)
		return -1;
	m->machines[m->nr_machines++] = strdup("qemu-512m");
	if (m->reduced)
		return 0;
	m->machines[m->nr_machines++] = strdup("numa2");
	m->machines[m->nr_machines++] = strdup("host-24g");
	if (write_machine(m, "big-640g", "profile = host-24g\nname = big-640g\nmaxmem = 640G\n"))
		return -1;
	/*
	 * its nodes in SRAT order (CPUs first, engine/srat.c): the guest's node
	 * ids are QEMU's, so conform_plug_node()'s node from sysfs is the node= QMP takes
	 */
	return write_machine(m, "numa2-ml", "profile = numa2\nname = numa2-ml\ncpu_nodes = 0-1\n"
					    "ram = 0x1000-0x9efff node=0\n"
					    "ram = 0x100000-0x3fffffff node=0\n"
					    "ram = 0x40000000-0x7fffffff node=2\n");
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/*
 * Events a machine has no room for: the devices of all its events
 * together must fit its device memory (QEMU's maxmem - RAM;
 * conform_cell.c's sizes): qemu-512m has 3.5 GiB, for dimm1's 1 GiB and
 * virtio-grow-shrink's 3 GiB device but not dimm64's 8 GiB; numa2 58 GiB,
 * host-24g 64 GiB: only big-640g takes burst1024's 128 GiB at once.  One
 * refused all the same is the matrix's error (event_refused()), never
 * the agent's; tests/agents/24-conform-events.t runs every event on every
 * machine.
 */
static bool fits(const char *machine, const char *event)
{
	bool big = strlen(machine) > 9 && !strcmp(machine + strlen(machine) - 9, "/big-640g");

	if ((!strcmp(machine, "qemu-512m") && !strcmp(event, "dimm64")) ||
	    !strcmp(event, "burst1024"))
		return big;
	return true;
}

static int parse_args(int argc, char **argv, struct matrix *m, const char ***user)
{
	size_t nr_user = 0;
	int i, rc;

	*user = calloc((size_t)argc + 1, sizeof(char *));
	if (!*user)
		return 2;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "--rules") || !strcmp(a, "--agent") || !strcmp(a, "--json") ||
			     !strcmp(a, "--only") || !strcmp(a, "--intent");

		if (takes && i + 1 == argc) {
			fprintf(stderr, "hotmem-conform: %s needs an argument\n", a);
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--reduced") || !strcmp(a, "--full")) {
			m->reduced = !strcmp(a, "--reduced");
		} else if (!strcmp(a, "--rules") || !strcmp(a, "--agent")) {
			/* an empty one is an agent that does nothing: every cell a failure of its own making */
			if (!argv[i + 1][0]) {
				fprintf(stderr, "hotmem-conform: %s '': %s\n", a,
					!strcmp(a, "--agent") ? "an empty command (give the agent's command)" :
								"an empty path (give a rules file or directory)");
				usage(stderr);
				return 2;
			}
			/* "r" a rules path, "a" a command: resolved once the work directory exists */
			(*user)[nr_user++] = a;
			(*user)[nr_user++] = argv[++i];
			if (m->builtin == 1)
				m->builtin = 0;
		} else if (!strcmp(a, "--intent")) {
			/* what the --rules or --agent before it means (usereye4 #12) */
			if (!nr_user || !strcmp((*user)[nr_user - 2], "--intent")) {
				fprintf(stderr, "hotmem-conform: --intent %s: after the --rules or --agent "
						"whose intent it says (one each)\n", argv[i + 1]);
				usage(stderr);
				return 2;
			}
			if (!conform_intent_known(argv[i + 1])) {
				fprintf(stderr, "hotmem-conform: --intent %s: one of " CONFORM_INTENT_NAMES
						" (hotmemd's policies)\n", argv[i + 1]);
				usage(stderr);
				return 2;
			}
			(*user)[nr_user++] = a;
			(*user)[nr_user++] = argv[++i];
		} else if (!strcmp(a, "--builtin")) {
			m->builtin = 2;
		} else if (!strcmp(a, "--json")) {
			m->json = argv[++i];
		} else if (!strcmp(a, "--only")) {
			if (m->only_set)
				regfree(&m->only);
			rc = regcomp(&m->only, argv[++i], REG_EXTENDED | REG_NOSUB);
			if (rc) {
				char err[256];

				regerror(rc, &m->only, err, sizeof(err));
				fprintf(stderr, "hotmem-conform: --only %s: %s\n", argv[i], err);
				return 2;
			}
			m->only_set = true;
			m->only_text = argv[i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			return hmu_print_version("hotmem-conform");
		} else {
			fprintf(stderr, "hotmem-conform: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

/*
 * The user's agents after the built-in ones; a rules path resolved.  An
 * --agent's row is agent#N (the legend above the table has the command:
 * with the whole of it no column lined up).
 */
static int add_user_agents(struct matrix *m, const char **user)
{
	char path[PATH_MAX], *spec, *name;
	int ret = 0, nr_cmd = 0;

	for (; !ret && user[0]; user += 2) {
		if (!strcmp(user[0], "--intent")) {
			struct agent *last = &m->agents[m->nr_agents - 1];

			last->intent = strdup(user[1]);
			if (!last->intent || asprintf(&last->key, "intent:%s", user[1]) < 0) {
				last->key = NULL;
				return -1;
			}
			continue;
		}
		if (!strcmp(user[0], "--rules")) {
			if (!realpath(user[1], path)) {
				fprintf(stderr, "hotmem-conform: --rules %s: %s\n", user[1], strerror(errno));
				return -1;
			}
			ret = add_user_rules(m, path);
			continue;
		}
		if (asprintf(&spec, "cmd:%s", user[1]) < 0)
			return -1;
		if (asprintf(&name, "agent:%s", user[1]) < 0) {
			free(spec);
			return -1;
		}
		ret = add_agent(m, spec, name, NULL);
		free(spec);
		free(name);
		if (!ret && asprintf(&m->agents[m->nr_agents - 1].label, "agent#%d", ++nr_cmd) < 0) {
			m->agents[m->nr_agents - 1].label = NULL;
			ret = -1;
		}
	}
	return ret ? ret : name_user_rules(m);
}

/* hotmem-enter: $HOTMEM_ENTER, else the one beside us, else PATH's */
static void find_enter(struct matrix *m)
{
	const char *env = getenv("HOTMEM_ENTER");
	char *slash;

	if (env && *env)
		snprintf(m->enter, sizeof(m->enter), "%s", env);
	else {
		snprintf(m->enter, sizeof(m->enter), "%s", m->self);
		slash = strrchr(m->enter, '/');
		snprintf(slash ? slash + 1 : m->enter,
			 sizeof(m->enter) - (size_t)(slash ? slash + 1 - m->enter : 0), "hotmem-enter");
	}
	if (access(m->enter, X_OK))
		snprintf(m->enter, sizeof(m->enter), "hotmem-enter");
}

/*
 * One cell: hotmem-enter of our own --cell, stdout and stderr to files in
 * the work directory.  The outcome (a new object, {} when the cell did not
 * run) and why it did not into @why.
 */
static json_object *run_one(struct matrix *m, const struct agent *a, const char *setting,
			    const char *machine, const char *event, char *why, size_t len)
{
	char out[PATH_MAX], err[PATH_MAX], cmdline[1024], errline[2048], *last;
	const char *argv[16];
	struct conform_child c;
	struct conform_io io;
	json_object *r = NULL;
	int n = 0, rc, sig = 0;

	snprintf(out, sizeof(out), "%s/out", m->work);
	snprintf(err, sizeof(err), "%s/err", m->work);
	snprintf(cmdline, sizeof(cmdline), "%s%s%s", setting, m->kalloc ? " hotmem.kernel_alloc=" : "",
		 m->kalloc ? m->kalloc : "");
	argv[n++] = m->enter;
	if (a->rules) {
		argv[n++] = "--rules";
		argv[n++] = a->rules;
	}
	argv[n++] = "--profile";
	argv[n++] = machine;
	argv[n++] = "--cmdline";
	argv[n++] = cmdline;
	argv[n++] = "--";
	argv[n++] = m->self;
	argv[n++] = "--cell";
	argv[n++] = a->spec;
	argv[n++] = event;
	argv[n] = NULL;
	io.out_fd = conform_open_file(out, false);
	io.err_fd = conform_open_file(err, false);
	rc = conform_spawn(&c, (char *const *)argv, &io);
	if (io.out_fd >= 0)
		close(io.out_fd);
	if (io.err_fd >= 0)
		close(io.err_fd);
	if (rc < 0)
		rc = 127;
	else if (conform_wait(&c, CONFORM_CELL_TIMEOUT_S * 1000L, &m->stop, &sig))
		rc = conform_exit_code(&c);
	else {
		conform_stop(&c, SIGTERM, ENTER_STOP_GRACE_MS);
		rc = 124;
		m->signal = sig;
	}
	/* as long as the outcome is: zone_runs of a burst onlined with gaps fill 16 KiB */
	last = conform_last_line_dup(out);
	if (last && last[0] == '{')
		r = json_tokener_parse(last);
	free(last);
	if (r && json_object_is_type(r, json_type_object))
		return r;
	json_object_put(r);
	conform_last_line(err, errline, sizeof(errline));
	if (rc == 124)
		snprintf(why, len, "timed out after %d s: %s", CONFORM_CELL_TIMEOUT_S, errline);
	else
		snprintf(why, len, "did not run (exit %d): %s", rc, errline);
	return json_object_new_object();
}

/*
 * Where the work directory and the kept logs go: $TMPDIR (a test's own:
 * other runs' directories are not its leftovers), else /tmp, as mktemp -t.
 * A relative $TMPDIR is taken from the current directory, as mktemp -t
 * does, made absolute: the cells' hotmem-enter runs elsewhere (it fell
 * back to /tmp).  At most 256 bytes, else /tmp.
 */
static const char *work_parent(void)
{
	static char abs[PATH_MAX];
	const char *t = getenv("TMPDIR");

	if (t && t[0] && t[0] != '/' && realpath(t, abs))
		t = abs;
	return t && t[0] == '/' && strlen(t) <= 256 ? t : "/tmp";
}

/*
 * The cell's stderr (its steps, then its agent's whole stderr) copied to a
 * file kept past the run: $TMPDIR/hotmem-conform-logs.XXXXXX/ROW.log, the
 * directory made for the first.  Its path into @path, "" when it could not.
 */
static void keep_log(struct matrix *m, const struct conform_cell_report *r, char *path, size_t len)
{
	char src[PATH_MAX], setting[256], name[512], *p, buf[8192];
	int in, out = -1;
	ssize_t n;

	path[0] = '\0';
	if (!m->logs[0]) {
		snprintf(m->logs, sizeof(m->logs), "%s/hotmem-conform-logs.XXXXXX", work_parent());
		if (!mkdtemp(m->logs)) {
			fprintf(stderr, "hotmem-conform: %s: %s\n", m->logs, strerror(errno));
			m->logs[0] = '\0';
			return;
		}
	}
	conform_short_setting(r->setting, setting, sizeof(setting));
	snprintf(name, sizeof(name), "%.200s-%.100s-%s-%s", r->label ? r->label : r->agent, setting,
		 r->machine, r->event);
	for (p = name; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	snprintf(path, len, "%s/%s.log", m->logs, name);
	snprintf(src, sizeof(src), "%s/err", m->work);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in >= 0)
		out = conform_open_file(path, false);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in < 0 || out < 0 || close(out) < 0)
		path[0] = '\0';
	if (in >= 0)
		close(in);
}

/*
 * An agent that ended by itself (the cell's "agent_exit"): how, when, the
 * last line of its stderr and where the whole is kept, into @buf.  One
 * that ended before the plug did not run: an error of the run (@error),
 * no verdict on its policy; one that failed after it is a reason of the
 * cell's; one that exited 0 (before the plug too: `my-agent &`) is only
 * said in the JSON.
 * Returns true when the row has an agent's ending to say.
 */
static bool agent_exit(struct matrix *m, struct conform_cell_report *r, char *buf, size_t len,
		       const char **error)
{
	json_object *e, *v, *tail;
	char how[64], log[PATH_MAX + 64], secs[32];
	const char *t, *last;
	bool before;
	int code = -1;

	if (!json_object_object_get_ex(r->outcome, "agent_exit", &e))
		return false;
	before = json_object_object_get_ex(e, "before_plug", &v) && json_object_get_boolean(v);
	if (json_object_object_get_ex(e, "code", &v) && json_object_is_type(v, json_type_int)) {
		code = json_object_get_int(v);
		snprintf(how, sizeof(how), "exited with status %d", code);
	} else if (json_object_object_get_ex(e, "signal", &v) && json_object_is_type(v, json_type_int)) {
		snprintf(how, sizeof(how), "was killed by signal %d (%s)", json_object_get_int(v),
			 strsignal(json_object_get_int(v)));
	} else {
		snprintf(how, sizeof(how), "ended");
	}
	/* exit status 0: a shell that put its daemon in the background, only in the JSON */
	if (code == 0)
		return false;
	snprintf(secs, sizeof(secs), "%.1f",
		 json_object_object_get_ex(e, "within_ms", &v) ? json_object_get_int64(v) / 1000.0 : 0);
	t = json_object_object_get_ex(r->outcome, "agent_log_tail", &tail) ?
		    json_object_get_string(tail) : "";
	last = strrchr(t, '\n') ? strrchr(t, '\n') + 1 : t;
	keep_log(m, r, log, sizeof(log));
	if (*log)
		json_object_object_add(r->outcome, "agent_log", json_object_new_string(log));
	snprintf(buf, len, "the agent %s within %s s of its start, %s the plug%s%s%s%s%s", how, secs,
		 before ? "before" : "after", *last ? "; its stderr ends: " : "; its stderr is empty",
		 last, *log ? " (whole: " : "", log, *log ? ")" : "");
	*error = before ? "agent failed to start" : "";
	return true;
}

/*
 * The machine refused the cell's event (a hotmemctl command of it
 * failed: the outcome's "event_refused"): the matrix's own error, not
 * run, no verdict on the agent (usereye7 #5: "no new blocks appeared",
 * a violation of every agent).  The reason into @buf.
 */
static bool event_refused(json_object *outcome, char *buf, size_t len)
{
	json_object *v;

	if (!json_object_object_get_ex(outcome, "event_refused", &v))
		return false;
	snprintf(buf, len, "the machine refused the event: %s", json_object_get_string(v));
	return true;
}

/*
 * A rule agent's udevd read no rules file (the outcome's
 * "rules_files_read" 0): its rules never ran, so the blocks it left
 * offline say nothing of them -- an error of the run, never the rule's
 * violation (usereye8 #2).  The reason into @buf.
 */
static bool no_rules_read(const struct agent *a, json_object *outcome, char *buf, size_t len)
{
	json_object *v;

	if (!a->rules || !json_object_object_get_ex(outcome, "rules_files_read", &v) ||
	    json_object_get_int64(v) > 0)
		return false;
	snprintf(buf, len, "udevd read no rules file from %s (it reads only non-empty files named *.rules)",
		 a->origin ? a->origin : a->rules);
	return true;
}

/*
 * An earlier row of the table showed this ✗-as-expected row's why whole
 * (then this one shows its start): else it is noted as shown now.  The
 * JSON has it whole in every cell.
 */
static bool why_shown(struct matrix *m, const struct conform_cell_report *r)
{
	const char **w;

	if (!*r->reason || *r->violation || (r->error && *r->error))
		return false;
	for (size_t i = 0; i < m->nr_whys; i++)
		if (!strcmp(m->whys[i], r->expect.why))
			return true;
	w = realloc(m->whys, (m->nr_whys + 1) * sizeof(*w));
	if (w) {
		m->whys = w;
		m->whys[m->nr_whys++] = r->expect.why;
	}
	return false;
}

/*
 * An earlier row showed this advice whole but for its figures (then this
 * one shows its start; the figures are the row's columns): else it is
 * noted as shown now.  "not judged: ..." and "Movable is 400% ..." came
 * whole in every row they applied to, 24 of 75 (user42 U11).  The JSON
 * has it whole in every cell.
 */
static bool advice_shown(struct matrix *m, const char *advice)
{
	char *key, *k, **w;

	if (!advice || !*advice)
		return false;
	key = malloc(strlen(advice) + 1);
	if (!key)
		return false;
	k = key;
	for (const char *c = advice; *c; c++)
		if (*c < '0' || *c > '9')
			*k++ = *c;
	*k = '\0';
	for (size_t i = 0; i < m->nr_advices; i++)
		if (!strcmp(m->advices[i], key)) {
			free(key);
			return true;
		}
	w = realloc(m->advices, (m->nr_advices + 1) * sizeof(*w));
	if (!w) {
		free(key);
		return false;
	}
	m->advices = w;
	m->advices[m->nr_advices++] = key;
	return false;
}

static void judge(struct matrix *m, const struct agent *a, const char *setting,
		  const char *machine, const char *event)
{
	char why_not_run[4096] = "", viol[1200], ended[4096 + PATH_MAX] = "", refused[2048];
	char unread[PATH_MAX + 80];
	const char *error = "";
	bool ours = false;	/* the error is the matrix's own: its event refused */
	char *advice = NULL;
	struct conform_cell_report r = {
		.agent = a->name, .label = a->label, .setting = setting, .machine = basename_of(machine),
		.event = event,
	};
	char *reasons = NULL;

	r.outcome = run_one(m, a, setting, machine, event, why_not_run, sizeof(why_not_run));
	if (m->signal) {
		/* stopped by ^C: no verdict for a cell cut short */
		json_object_put(r.outcome);
		return;
	}
	if (*why_not_run) {
		r.reason = why_not_run;
		r.expect = (struct conform_expect){ "ok", "", "every cell runs" };
		error = "cell did not run";
	} else if (event_refused(r.outcome, refused, sizeof(refused))) {
		r.reason = refused;
		r.expect = (struct conform_expect){ "ok", "", "every event fits every machine it runs on" };
		error = CONFORM_REFUSED_ERROR;
		ours = true;
	} else if (agent_exit(m, &r, ended, sizeof(ended), &error) && *error) {
		r.reason = ended;
		r.expect = (struct conform_expect){ "ok", "", "every cell runs" };
	} else if (no_rules_read(a, r.outcome, unread, sizeof(unread))) {
		r.reason = unread;
		r.expect = (struct conform_expect){ "ok", "", "a rule agent's udevd reads its rules" };
		error = "udevd read no rules file";
	} else {
		if (conform_reasons_for(r.outcome, a->key ? a->key : a->name, &reasons, &advice)) {
			reasons = NULL;
			advice = NULL;
		}
		/* an agent that failed after the plug: its ending the first reason */
		if (*ended) {
			char *both = NULL;

			if (asprintf(&both, "%s%s%s", ended, reasons && *reasons ? "; " : "",
				     reasons ? reasons : "") < 0)
				both = NULL;
			free(reasons);
			reasons = both;
		}
		r.reason = reasons ? reasons : "";
		conform_expectation(a->key ? a->key : a->name, setting, r.machine, event, &r.expect);
	}
	r.error = error;
	r.advice = advice ? advice : "";
	r.intent = a->intent;
	/* an error of the run is no verdict on the agent: neither violation nor ~ (failed as expected) */
	viol[0] = '\0';
	if (!*error)
		conform_violation(&r.expect, r.reason, viol, sizeof(viol));
	r.violation = viol;
	/* a ✓ that should have been ✗ counts as a violation, not as passed */
	if (ours)
		m->refused++;
	else if (*error)
		m->errors++;
	else if (*viol)
		m->bad++;
	else if (*r.reason)
		m->failed_ok++;
	else
		m->passed++;
	r.why_shown = why_shown(m, &r);
	r.advice_shown = advice_shown(m, r.advice);
	m->out_err = -conform_print_row(stdout, &r, m->agent_width);
	json_object_array_add(m->cells, conform_cell_json(&r));
	json_object_put(r.outcome);
	free(reasons);
	free(advice);
}

/*
 * "AGENT SETTING MACHINE EVENT" matches --only, AGENT as the JSON or the
 * table names it, SETTING as on the command line or as the table prints
 * it (offline,policy=auto-movable): a failing row's first four columns,
 * pasted, select it (usereye4 #2).
 */
static bool only_matches(struct matrix *m, const char *agent, const char *setting,
			 const char *machine, const char *event)
{
	char *key, shown[256];
	bool yes;

	conform_short_setting(setting, shown, sizeof(shown));
	for (int i = 0; i < 2; i++) {
		if (asprintf(&key, "%s %s %s %s", agent, i ? shown : setting, basename_of(machine),
			     event) < 0)
			return false;
		yes = !regexec(&m->only, key, 0, NULL, 0);
		free(key);
		if (yes)
			return true;
	}
	return false;
}

static bool selected(struct matrix *m, const struct agent *a, const char *setting,
		     const char *machine, const char *event)
{
	if (!fits(machine, event))
		return false;
	if (!m->only_set)
		return true;
	return only_matches(m, a->name, setting, machine, event) ||
	       (a->label && only_matches(m, a->label, setting, machine, event));
}

/* the agent column: as wide as the longest name in it */
static int agent_width(const struct matrix *m)
{
	size_t w = CONFORM_AGENT_WIDTH, n;

	for (size_t i = 0; i < m->nr_agents; i++) {
		n = strlen(m->agents[i].label ? m->agents[i].label : m->agents[i].name);
		if (n > w)
			w = n;
	}
	return w > PATH_MAX ? PATH_MAX : (int)w;
}

/* what each agent#N of the table runs, above it */
static int print_legend(const struct matrix *m)
{
	int ret = 0;

	for (size_t i = 0; i < m->nr_agents && !ret; i++)
		if (m->agents[i].label)
			ret = conform_print_legend(stdout, m->agents[i].label,
						   m->agents[i].spec + strlen("cmd:"));
	return ret;
}

/*
 * What systemd-detect-virt says inside an entered machine, said above the
 * table: the virt rule's input (and RHEL 9's 40-redhat.rules'), which
 * onlines online_movable only where it says "none".  hotmem-enter makes
 * the machine a QEMU/KVM guest (--virt kvm, its default), but CPUID is
 * the host's and answers first: the host's hypervisor on a VM host,
 * "qemu" on bare metal, and the virt rule's zones with it (usereye6 H).
 * Said once, from qemu-512m: every cell's hotmem-enter has the same --virt.
 */
static int print_virt(const struct matrix *m)
{
	char *argv[] = { (char *)m->enter, "--profile", "qemu-512m", "--", "systemd-detect-virt",
			 NULL };
	int null = conform_open_null();
	char *out = NULL, *nl;
	const char *seen = "unknown";
	size_t len;
	int ret;

	/* only above a matrix with the virt rule: the input of no other built-in */
	for (len = 0; len < m->nr_agents && strcmp(m->agents[len].name, "virt-rule"); len++)
		;
	if (len == m->nr_agents)
		return 0;
	conform_run_capture(argv, null, CONFORM_CTL_TIMEOUT_MS, &out);
	if (null >= 0)
		close(null);
	nl = out ? strchr(out, '\n') : NULL;
	if (nl)
		*nl = '\0';
	len = out ? strlen(out) : 0;
	/* one word, as it prints one: anything else (no such tool inside) is not an answer */
	if (len && strspn(out, "abcdefghijklmnopqrstuvwxyz-") == len)
		seen = out;
	printf("virt: systemd-detect-virt inside the machines says %s (hotmem-enter --virt kvm; "
	       "CPUID is the host's: the virt rule's zones follow it)\n", seen);
	ret = fflush(stdout) ? -errno : 0;
	free(out);
	return ret;
}

/*
 * A stop signal that came between cells (while a row was written): it
 * waits, blocked, and ends the matrix before the next cell starts.
 */
static bool stop_pending(struct matrix *m)
{
	static const struct timespec now = { 0, 0 };
	int s = sigtimedwait(&m->stop, NULL, &now);

	if (s > 0)
		m->signal = s;
	return m->signal || m->out_err;
}

/*
 * An --only that no cell matches: said with the first cell's key as an
 * example, exit status 2 (it ran nothing and passed: a typo in a CI job's
 * --only tested nothing, green).  0 when some cell is selected.
 */
static int only_selects_none(struct matrix *m, const char *only)
{
	const char *ex = NULL, *exs = NULL, *exm = NULL, *exe = NULL;
	char shown[256];

	for (size_t a = 0; a < m->nr_agents; a++)
		for (size_t s = 0; m->settings[s]; s++)
			for (size_t mc = 0; mc < m->nr_machines; mc++)
				for (size_t e = 0; m->events[e]; e++) {
					if (selected(m, &m->agents[a], m->settings[s], m->machines[mc],
						     m->events[e]))
						return 0;
					if (!ex && fits(m->machines[mc], m->events[e])) {
						ex = m->agents[a].name;
						exs = m->settings[s];
						exm = basename_of(m->machines[mc]);
						exe = m->events[e];
					}
				}
	fprintf(stderr, "hotmem-conform: --only '%s': no cell matches (cells are \"AGENT SETTING MACHINE EVENT\"",
		only);
	/* the setting as the table prints it, which --only takes too (and has no space) */
	if (ex) {
		conform_short_setting(exs, shown, sizeof(shown));
		fprintf(stderr, ", e.g. \"%s %s %s %s\" or \"%s %s %s %s\"", ex, shown, exm, exe, ex,
			exs, exm, exe);
	}
	fprintf(stderr, ")\n");
	return -1;
}

static void run_matrix(struct matrix *m)
{
	size_t a, s, mc, e;

	for (a = 0; a < m->nr_agents; a++)
		for (s = 0; m->settings[s]; s++)
			for (mc = 0; mc < m->nr_machines; mc++)
				for (e = 0; m->events[e]; e++) {
					if (stop_pending(m))
						return;
					if (selected(m, &m->agents[a], m->settings[s], m->machines[mc],
						     m->events[e]))
						judge(m, &m->agents[a], m->settings[s], m->machines[mc],
						      m->events[e]);
				}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void cleanup(struct matrix *m)
{
	size_t i;

	if (m->work[0])
		nftw(m->work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < m->nr_agents; i++) {
		free(m->agents[i].spec);
		free(m->agents[i].name);
		free(m->agents[i].label);
		free(m->agents[i].rules);
		free(m->agents[i].origin);
		free(m->agents[i].intent);
		free(m->agents[i].key);
	}
	free(m->agents);
	free(m->whys);
	for (i = 0; i < m->nr_advices; i++)
		free(m->advices[i]);
	free(m->advices);
	for (i = 0; i < m->nr_machines; i++)
		free(m->machines[i]);
	free(m->machines);
	if (m->only_set)
		regfree(&m->only);
	json_object_put(m->cells);
}

static int setup(struct matrix *m, const char **user)
{
	ssize_t n = readlink("/proc/self/exe", m->self, sizeof(m->self) - 1);

	if (n <= 0) {
		fprintf(stderr, "hotmem-conform: /proc/self/exe: %s\n", strerror(errno));
		return -1;
	}
	m->self[n] = '\0';
	find_enter(m);
	snprintf(m->work, sizeof(m->work), "%s/hotmem-conform.XXXXXX", work_parent());
	if (!mkdtemp(m->work)) {
		fprintf(stderr, "hotmem-conform: %s: %s\n", m->work, strerror(errno));
		m->work[0] = '\0';
		return -1;
	}
	m->settings = m->reduced ? settings_reduced : settings_full;
	m->events = m->reduced ? events_reduced : events_full;
	/*
	 * The kernel's own allocations as the profile has them (a booted
	 * kernel's slab, page tables, per-cpu pagesets of a zone's first
	 * memory): they land in ZONE_NORMAL, never in ZONE_MOVABLE, and are
	 * what keeps a Normal block from going offline on a real machine.
	 */
	m->kalloc = getenv("HOTMEM_CONFORM_KERNEL_ALLOC");
	if (m->kalloc && !*m->kalloc)
		m->kalloc = NULL;
	if (m->kalloc && strcmp(m->kalloc, "off") && strcmp(m->kalloc, "default") &&
	    strcmp(m->kalloc, "heavy")) {
		fprintf(stderr, "hotmem-conform: HOTMEM_CONFORM_KERNEL_ALLOC=%s: off, default or heavy\n",
			m->kalloc);
		return -1;
	}
	m->cells = json_object_new_array();
	if (!m->cells || add_machines(m))
		return -1;
	if (m->builtin >= 1 && add_builtin(m))
		return -1;
	return add_user_agents(m, user);
}

/* --json's file can be written: found out before the matrix, not after it */
static int json_writable(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "hotmem-conform: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Above the summary, the cells that made the exit status 1 (or 3), one a
 * line, as --only takes them (the setting as the table prints it): what a
 * CI log of 600 rows has to look at (usereye4 #12); an event the machine
 * refused is "matrix error:", hotmem-conform's own.
 */
static void list_to_look_at(const struct matrix *m)
{
	size_t n = json_object_array_length(m->cells);
	char shown[256];

	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(m->cells, i), *v;
		const char *what = NULL;

		if (json_object_object_get_ex(c, "outcome", &v) &&
		    json_object_object_get_ex(v, "event_refused", NULL))
			what = "matrix error";
		else if (json_object_object_get_ex(c, "error", &v) && *json_object_get_string(v))
			what = "error";
		else if (json_object_object_get_ex(c, "violation", &v) && json_object_get_boolean(v))
			what = "violating";
		if (!what)
			continue;
		json_object_object_get_ex(c, "setting", &v);
		conform_short_setting(json_object_get_string(v), shown, sizeof(shown));
		printf("%s: %s %s", what,
		       json_object_get_string(json_object_object_get(c, "label")), shown);
		printf(" %s %s\n", json_object_get_string(json_object_object_get(c, "machine")),
		       json_object_get_string(json_object_object_get(c, "event")));
	}
}

/*
 * stdout failed: a reader gone (| head) is SIGPIPE's death, as the shell
 * script had (SIGPIPE is ignored here so that the work directory goes
 * first); anything else said, exit 1.
 */
static void stdout_failed(struct matrix *m)
{
	if (m->out_err == EPIPE) {
		m->signal = SIGPIPE;
		return;
	}
	fprintf(stderr, "hotmem-conform: stdout: %s\n", strerror(m->out_err));
}

/*
 * Killed by @sig as if it had not been blocked, once the work directory is
 * gone: a calling shell sees a signal death (bash ends its loop on ^C only
 * then), not an exit status of 128 + @sig.
 */
static void die_of(int sig)
{
	sigset_t one;

	fflush(NULL);
	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	exit(128 + sig);
}

int main(int argc, char **argv)
{
	struct matrix m = { .builtin = 1 };
	const char **user = NULL;
	long start, wait_ms;
	int ret, rcvbuf;

	if (argc > 1 && !strcmp(argv[1], "--cell"))
		return conform_cell_main(argc - 2, argv + 2);
	ret = parse_args(argc, argv, &m, &user);
	if (ret >= 0)
		goto out;
	ret = 2;
	if (geteuid() != 0) {
		fprintf(stderr, "hotmem-conform: needs root (hotmem-enter)\n");
		goto out;
	}
	/* ^C or a stop ends the running cell (its whole group) and the matrix */
	sigemptyset(&m.stop);
	sigaddset(&m.stop, SIGINT);
	sigaddset(&m.stop, SIGTERM);
	sigaddset(&m.stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &m.stop, NULL);
	/* a closed stdout is a failed write, the matrix stopped and cleaned up (children reset it) */
	signal(SIGPIPE, SIG_IGN);
	/* the environment the cells read, checked once: not a bad row per cell */
	if (conform_env(&wait_ms, &rcvbuf) < 0 || (m.json && json_writable(m.json) < 0))
		goto out;
	if (setup(&m, user) < 0)
		goto out;
	if (m.only_set && only_selects_none(&m, m.only_text) < 0)
		goto out;
	start = conform_now_ms() / 1000;
	m.agent_width = agent_width(&m);
	m.out_err = -print_legend(&m);
	if (!m.out_err)
		m.out_err = -print_virt(&m);
	if (!m.out_err)
		m.out_err = -conform_print_header(stdout, m.agent_width);
	run_matrix(&m);
	if (m.out_err) {
		ret = 1;
		stdout_failed(&m);
		goto out;
	}
	if (m.signal) {
		fprintf(stderr, "hotmem-conform: stopped by signal %d\n", m.signal);
		goto out;
	}
	ret = m.bad || m.errors ? 1 : m.refused ? CONFORM_EXIT_REFUSED : 0;
	if (m.json && conform_write_json(m.json, m.cells) < 0)
		ret = 1;
	list_to_look_at(&m);
	printf("%d cells in %ld s: %d ✓, %d ~ (failed as expected), %d violating the expectation",
	       m.passed + m.failed_ok + m.bad + m.errors + m.refused,
	       conform_now_ms() / 1000 - start, m.passed, m.failed_ok, m.bad);
	/* errors of the run: cells that did not run, agents that failed to start */
	if (m.errors)
		printf(", %d not run (errors)", m.errors);
	if (m.refused)
		printf(", %d not run (the machine refused the matrix's event: hotmem-conform's own error)",
		       m.refused);
	if (m.logs[0])
		printf("; agents' stderr kept in %s", m.logs);
	putchar('\n');
	if (fflush(stdout)) {
		m.out_err = errno;
		ret = 1;
		stdout_failed(&m);
	}
out:
	cleanup(&m);
	free(user);
	if (m.signal)
		die_of(m.signal);
	return ret;
}
