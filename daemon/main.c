// SPDX-License-Identifier: MIT
/*
 * hotmemd: options, the sd-event loop, and the systemd protocol
 * (READY=1 after coldplug, STATUS=, WATCHDOG=1, RELOADING=1 on SIGHUP).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "hotmemd.h"
#include "uapi/hm_version.h"

#define EXIT_CONFIG 78 /* EX_CONFIG: systemd shows "CONFIG" */

enum {
	OPT_CHECK = 256,
	OPT_ONESHOT,
	OPT_NODE_POLICY,
	OPT_KEY_BASE = 512,
};

struct args {
	const char *config;
	bool config_explicit;
	bool check;
	bool oneshot;
};

static void usage(FILE *f)
{
	const struct hmd_config_key *k;

	fprintf(f,
		"Usage: hotmemd [OPTIONS]\n"
		"Online hot-added memory blocks by policy (see hotmemd(8)).\n\n"
		"  -c, --config=FILE        configuration (default %s,\n"
		"                           drop-ins in FILE.d/*.conf)\n"
		"      --check-config       validate the configuration, print it, exit\n"
		"      --oneshot            coldplug once and exit (no event loop)\n"
		"      --node-policy=N=POL  policy for node N ([nodeN] policy=)\n"
		"  -h, --help               this text\n"
		"  -V, --version            hotmemd's version and the build's git describe\n\n"
		"Every configuration key is an option too:\n",
		HMD_DEFAULT_CONFIG);
	for (k = hmd_config_keys; k->name; k++)
		fprintf(f, "      --%s%s\n          %s\n", k->option,
			k->is_bool ? "[=BOOL]" : "=VALUE", k->help);
}

static int cli_add(struct hmd_cli *cli, const char *key, const char *value)
{
	if (cli->n >= HMD_CLI_MAX) {
		fprintf(stderr, "hotmemd: too many options\n");
		return -1;
	}
	cli->key[cli->n] = key;
	cli->value[cli->n] = value;
	cli->n++;
	return 0;
}

static int add_node_policy(struct hmd_cli *cli, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *end;
	long nid;

	nid = strtol(arg, &end, 10);
	if (!eq || end != eq || end == arg || *arg < '0' || *arg > '9') {
		fprintf(stderr, "hotmemd: --node-policy wants N=POLICY, got '%s'\n", arg);
		return -1;
	}
	/* the syntax is right: say what is wrong, as [node64] in the file does */
	if (nid < 0 || nid >= HMD_MAX_NODES) {
		fprintf(stderr, "hotmemd: --node-policy '%s': node %.*s is out of range (0..%d)\n",
			arg, (int)(eq - arg), arg, HMD_MAX_NODES - 1);
		return -1;
	}
	if (cli->n >= HMD_CLI_MAX)
		return cli_add(cli, "", "");
	snprintf(cli->keybuf[cli->n], sizeof(cli->keybuf[0]), "node%ld.policy", nid);
	return cli_add(cli, cli->keybuf[cli->n], eq + 1);
}

static int parse_args(int argc, char **argv, struct args *a, struct hmd_cli *cli)
{
	static struct option opts[64] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "oneshot", no_argument, NULL, OPT_ONESHOT },
		{ "node-policy", required_argument, NULL, OPT_NODE_POLICY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	const struct hmd_config_key *k;
	int i, n = 6, c;

	for (i = 0, k = hmd_config_keys; k->name && n < 63; i++, k++, n++) {
		opts[n].name = k->option;
		opts[n].has_arg = k->is_bool ? optional_argument : required_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_KEY_BASE + i;
	}
	memset(&opts[n], 0, sizeof(opts[n]));

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			a->config_explicit = true;
			break;
		case OPT_CHECK:
			a->check = true;
			break;
		case OPT_ONESHOT:
			a->oneshot = true;
			break;
		case OPT_NODE_POLICY:
			if (add_node_policy(cli, optarg))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			exit(hmu_print_version("hotmemd"));
		default:
			if (c < OPT_KEY_BASE) {
				usage(stderr);
				return -1;
			}
			k = &hmd_config_keys[c - OPT_KEY_BASE];
			if (cli_add(cli, k->name, optarg ? optarg : "yes"))
				return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hotmemd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- systemd notification ---------------------------------------------- */

static void notify_status(struct hmd *d, const char *extra)
{
	char status[256];

	hmd_status_text(d, status, sizeof(status));
	sd_notifyf(0, "%sSTATUS=%s", extra ? extra : "", status);
}

static int on_status(sd_event_source *s, void *userdata)
{
	struct hmd *d = userdata;

	if (d->ready)
		notify_status(d, NULL);
	return 0;
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hmd *d = userdata;
	uint64_t now = hmd_now_usec();

	/* a keepalive pinged meanwhile: due half a period after it */
	if (now >= d->keepalive_next) {
		sd_notify(0, "WATCHDOG=1");
		d->keepalive_next = now + d->watchdog_usec / 2;
	}
	sd_event_source_set_time_relative(s, d->keepalive_next - now);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* once ready: WATCHDOG=1 from the loop's timer, and hmd_keepalive()'s at its pace, or none */
static int setup_watchdog(struct hmd *d)
{
	int r = sd_watchdog_enabled(0, &d->watchdog_usec);

	hmd_keepalive_ready(d, r > 0 ? d->watchdog_usec : 0);
	if (r <= 0)
		return r;
	sd_notify(0, "WATCHDOG=1");
	/* accuracy: sd-event's default 250 ms would eat a short WatchdogSec= */
	return sd_event_add_time_relative(d->ev, &d->wd_src, CLOCK_MONOTONIC, d->watchdog_usec / 2,
					  d->watchdog_usec / 20 + 1, on_watchdog, d);
}

/*
 * Stopping: said in the log and to systemd, STOPPING=1 with a STATUS that
 * says so (sd_notify(3): sent when the service begins its shutdown), and
 * never READY=1 after it: a rescan a SIGTERM ended has counted part of the
 * blocks, and READY=1 with that STATUS claimed a service up with fewer
 * blocks online than there are.
 */
static void say_stopping(struct hmd *d, int signo)
{
	hmd_log(d, LOG_INFO, "signal %d: exiting", signo);
	sd_notifyf(0, "STOPPING=1\nSTATUS=stopping: signal %d", signo);
}

/* ---- reload ------------------------------------------------------------ */

static void log_config_errors(struct hmd *d, const char *err)
{
	const char *p = err, *nl;

	while (*p) {
		nl = strchrnul(p, '\n');
		hmd_log_ev(d, LOG_ERR, HMD_MSGID_BAD_CONFIG, -1, NULL, NULL, 0, "%.*s",
			   (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

/* one key a reload keeps, said if the files now say otherwise */
static void restart_key(struct hmd *d, const char *key, const char *now, const char *running)
{
	if (strcmp(now, running))
		hmd_log(d, LOG_WARNING,
			"reload: %s %s (running: %s) applies at the next start only: restart hotmemd",
			key, now[0] ? now : "\"\"", running[0] ? running : "\"\"");
}

/*
 * Keys bound to open sockets and descriptors: only a restart changes them.
 * Each changed one is named (abuse25a B7: one line for the four, which
 * did not say which).
 */
static void keep_restart_keys(struct hmd *d, struct hmd_config *n)
{
	restart_key(d, "sysroot", n->sysroot, d->cfg.sysroot);
	restart_key(d, "uevent_socket", n->uevent_socket, d->cfg.uevent_socket);
	restart_key(d, "netlink", n->netlink ? "yes" : "no", d->cfg.netlink ? "yes" : "no");
	restart_key(d, "state_dir", n->state_dir, d->cfg.state_dir);
	strcpy(n->sysroot, d->cfg.sysroot);
	strcpy(n->uevent_socket, d->cfg.uevent_socket);
	strcpy(n->state_dir, d->cfg.state_dir);
	n->netlink = d->cfg.netlink;
}

/*
 * Keys the files set and hotmemd's own options set otherwise: options win
 * at every reload, so an edit of those lines never applies (abuse25a B7:
 * sysroot and the sockets, given as options by the emulation drop-in,
 * edited in the file, and the reload said nothing).
 */
static void say_overridden(struct hmd *d, const struct hmd_config *n)
{
	char out[HMD_ERR_MAX], *line, *tab, *save = NULL;

	if (hmd_config_overridden(n, d->config_path, d->config_explicit, out, sizeof(out)))
		return;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		hmd_log(d, LOG_NOTICE,
			"reload: %s in the configuration files is not used: hotmemd's command line sets %s (options win over the files)",
			line, tab + 1);
	}
}

/*
 * A reload answered, @how: "ok" its configuration taken, "refused" not,
 * "partial" taken but for dry_run = no (another hotmemd holds the state
 * dir's lock, writer_lock()): written as "N ok" etc. to
 * $RUNTIME_DIRECTORY/reloaded (the first of
 * systemd's list; none outside systemd), for hotmemd.service's
 * ExecReload=, which waits for that file: systemd 252 (Debian 12) ends a
 * reload job when ExecReload= exits, and a `kill -HUP` alone exits
 * before anything was re-read (reread36 R3) -- `systemctl reload hotmemd
 * && <hot-add>` had the add decided by the old policy.  Type=
 * notify-reload (253) would make this systemd's job.  Written whole
 * (a rename), so a reader never sees half of it; a failure only said.
 */
static void say_reloaded(struct hmd *d, const char *how)
{
	const char *dirs = getenv("RUNTIME_DIRECTORY");
	char dir[HMD_PATH_MAX], path[HMD_PATH_MAX + 16], tmp[HMD_PATH_MAX + 16];
	FILE *f;

	d->n_reloads++;
	if (!dirs || !*dirs)
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(dirs, ":"), dirs);
	snprintf(path, sizeof(path), "%s/reloaded", dir);
	snprintf(tmp, sizeof(tmp), "%s/.reloaded", dir);
	f = fopen(tmp, "we");
	if (!f)
		goto fail;
	fprintf(f, "%lu %s\n", d->n_reloads, how);
	if (fclose(f) || rename(tmp, path))
		goto fail;
	return;
fail:
	hmd_log(d, LOG_WARNING, "reload: %s: %m (systemctl reload waits for it until its timeout)",
		path);
	unlink(tmp);
}

/*
 * A reload that ends a dry run makes this hotmemd a writer: it takes the
 * state dir's lock a start takes (a dry run's does not), as if it started
 * so; another hotmemd holding it keeps this one a dry run (said by
 * hmd_state_lock()).  Without, two wrote every block (reread36 R5).
 * False then: the file's dry_run = no is not applied, the reload only
 * partly done -- not "ok" to `systemctl reload` (say_reloaded()).
 */
static bool writer_lock(struct hmd *d, struct hmd_config *n)
{
	if (!d->cfg.dry_run || n->dry_run)
		return true;
	d->cfg.dry_run = false;
	if (hmd_state_lock(d, true))
		n->dry_run = true;
	d->cfg.dry_run = true;
	return !n->dry_run;
}

static void reload(struct hmd *d)
{
	struct hmd_config *n = malloc(sizeof(*n));
	char err[HMD_ERR_MAX];
	struct timespec ts;
	const char *how = "refused";

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	if (!n) {
		hmd_log(d, LOG_ERR, "reload: out of memory, keeping the configuration");
		goto out;
	}
	if (hmd_config_load(n, d->config_path, d->config_explicit, &d->cli, err, sizeof(err))) {
		log_config_errors(d, err);
		hmd_log_ev(d, LOG_ERR, HMD_MSGID_BAD_CONFIG, -1, NULL, NULL, 0,
			   "reload refused: keeping the running configuration");
		goto out;
	}
	say_overridden(d, n);
	keep_restart_keys(d, n);
	how = writer_lock(d, n) ? "ok" : "partial";
	d->cfg = *n;
	hmd_log_setup(d);
	hmd_check_node_policies(d);
	hmd_keepalive_reload(d, true);
	hmd_coldplug(d, false);
	hmd_keepalive_reload(d, false);
	hmd_log_ev(d, LOG_INFO, HMD_MSGID_RELOADED, -1, NULL, hmd_policy_name(d->cfg.policy), 0,
		   "configuration reloaded");
out:
	free(n);
	say_reloaded(d, how);
	/* a SIGTERM met by the rescan: its signal is still pending, never read */
	if (hmd_stop_requested(d)) {
		say_stopping(d, d->stop_signal);
		sd_event_exit(d->ev, 0);
		return;
	}
	notify_status(d, "READY=1\n");
}

/*
 * SIGUSR1: what STATUS= says and the figures auto-movable compares, into
 * the log (the journal), as systemd's own managers dump their state on a
 * signal; a user's `systemctl kill -s USR1 hotmemd` must not stop it.
 */
/* a node's sums, as counted and as sizes (the decision line's, docs43 F5) */
static void log_node_status(struct hmd *d, const struct hmd_policy_ctx *pc, int n)
{
	char mov[16], early[16];

	hmd_fmt_pages(mov, sizeof(mov), pc->node[n].movable_pages);
	hmd_fmt_pages(early, sizeof(early), pc->node[n].kernel_early_pages);
	hmd_log(d, LOG_NOTICE,
		"status: node%d: movable %lu pages, kernel early %lu pages, ratio %u%% (Movable %s, kernel %s)",
		n, pc->node[n].movable_pages, pc->node[n].kernel_early_pages, pc->ratio, mov, early);
}

static void log_status(struct hmd *d)
{
	struct hmd_policy_ctx pc = d->pc;
	char status[256];
	int n;

	hmd_status_text(d, status, sizeof(status));
	hmd_log(d, LOG_NOTICE, "status: %s; %lu blocks present%s", status, d->n_present,
		d->ready ? "" : ", coldplug not done");
	hmd_node_stats(d, &pc);
	for (n = 0; n < pc.nr_nodes && n < HMD_MAX_NODES; n++)
		log_node_status(d, &pc, n);
	if (d->alive_src)
		hmd_log(d, LOG_NOTICE,
			"status: sysroot watch: %lu ticks asked its server (statfs), %lu did not (a block onlined since the tick before)",
			d->alive_asked, d->alive_skipped);
	hmd_log(d, LOG_NOTICE,
		"status: link waits: %lu directory reads of memoryN/ for a node link, %lu of the ACPI devices for a firmware_node",
		d->node_wait_reads, d->acpi_walk_reads);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct hmd *d = userdata;

	if (si->ssi_signo == SIGHUP) {
		reload(d);
		return 0;
	}
	if (si->ssi_signo == SIGUSR1) {
		log_status(d);
		return 0;
	}
	if (si->ssi_signo == SIGUSR2) {
		/* reserved: ignored rather than the default action (exit) */
		hmd_log(d, LOG_INFO, "SIGUSR2 ignored (SIGUSR1 logs the status)");
		return 0;
	}
	say_stopping(d, (int)si->ssi_signo);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* ---- setup ------------------------------------------------------------- */

static int setup_loop(struct hmd *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
	sigset_t mask;
	unsigned int i;
	int r;

	r = sd_event_new(&d->ev);
	if (r < 0)
		return r;
	sigemptyset(&mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/*
	 * Signals first: sd-event reads the signalfd when it polls, so a
	 * SIGTERM that arrives with a netlink burst is no longer pending for
	 * hmd_stop_requested() once read; dispatched after the burst's drain
	 * (same priority, either order), it would wait for a whole rescan.
	 */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sd_event_source *src;

		r = sd_event_add_signal(d->ev, &src, sigs[i], on_signal, d);
		if (r < 0)
			return r;
		r = sd_event_source_set_priority(src, SD_EVENT_PRIORITY_IMPORTANT);
		if (r >= 0)
			r = sd_event_source_set_floating(src, true);
		sd_event_source_unref(src);
		if (r < 0)
			return r;
	}
	r = sd_event_add_defer(d->ev, &d->status_src, on_status, d);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(d->status_src, SD_EVENT_OFF);
}

/* Listen before the coldplug scan, so no block falls between the two. */
static int setup_sources(struct hmd *d)
{
	int r;

	if (d->cfg.netlink) {
		r = hmd_uevent_open_netlink(d);
		if (r < 0) {
			hmd_log(d, LOG_ERR, "uevent netlink socket: %s", strerror(-r));
			return r;
		}
	}
	if (d->cfg.uevent_socket[0]) {
		r = hmd_uevent_open_unix(d); /* says why it fails */
		if (r < 0)
			return r;
	}
	if (!d->cfg.netlink && !d->cfg.uevent_socket[0] && !d->oneshot)
		hmd_log(d, LOG_WARNING, "no uevent source: only coldplug and SIGHUP rescans");
	return 0;
}

static int run_oneshot(struct hmd *d)
{
	int r;

	/* it writes as the service does: one of them a state dir (statelock.c) */
	if (hmd_state_lock(d, true))
		return 1;
	r = hmd_coldplug(d, true);
	/* busy writes retried, and blocks waiting for their links (linkwait.c) */
	while (!r && (hmd_count_pending(d) || d->n_link_wait))
		r = sd_event_run(d->ev, UINT64_MAX) < 0 ? -1 : 0;
	/*
	 * the sysroot gone under the scan: said once (sysroot.c), the blocks
	 * left.  2: a block failed, as STATUS= counts it -- given up, or a
	 * policy that cannot apply; a count of give-ups alone beside it
	 * exited 0 for the latter (reread36 R10)
	 */
	return r || d->sysroot_gone ? 1 : (d->nr_failed_now ? 2 : 0);
}

/*
 * Whether --uevent-socket is in --state-dir (/run/hotmemd/uevent.sock in
 * hotmemd(8)'s example): a missing state dir must then be made before the
 * socket can be bound.  Decided by the directories the file system
 * names, not by the spelling: /var/run/hotmemd/uevent.sock with
 * --state-dir /run/hotmemd, or dir//uevent.sock, is in it (reread26 R9:
 * a textual prefix said no, and bind() found no directory).  A path
 * that cannot be resolved (EACCES, ELOOP): not in it, bind() says why.
 */
static bool socket_in_state_dir(const struct hmd *d)
{
	char copy[HMD_PATH_MAX], sock[HMD_PATH_MAX], dir[HMD_PATH_MAX];
	size_t n;

	if (!d->cfg.uevent_socket[0] || !d->cfg.state_dir[0])
		return false;
	/* the directory bind() makes the socket in: dirname(3) writes into its argument */
	snprintf(copy, sizeof(copy), "%s", d->cfg.uevent_socket);
	if (hmd_fs_path(dirname(copy), sock, sizeof(sock)) ||
	    hmd_fs_path(d->cfg.state_dir, dir, sizeof(dir)))
		return false;
	n = strlen(dir);
	return !strncmp(sock, dir, n) && (sock[n] == '\0' || sock[n] == '/' || n == 1);
}

/*
 * A refused start leaves the file system as it found it: an existing
 * state dir is locked first (a second hotmemd on it refused before it
 * binds anything); a missing one is made after the sources are open
 * (refused there, nothing was made), unless the socket lives in it.
 */
static int run_daemon(struct hmd *d)
{
	int r;

	if (hmd_state_lock(d, socket_in_state_dir(d)))
		return 1;
	r = setup_sources(d);
	if (r < 0) {
		hmd_state_dir_unmake(d); /* refused before anything was decided */
		return 1;
	}
	/* refused here (another start made and locked it meanwhile): its sources closed at exit */
	if (hmd_state_lock(d, true))
		return 1;
	hmd_keepalive_start(d);
	r = hmd_coldplug(d, true);
	if (r == -EINTR) {
		/* what on_signal() does once the loop runs */
		say_stopping(d, d->stop_signal);
		return 0;
	}
	if (r < 0) {
		hmd_log(d, LOG_ERR, "coldplug scan failed: %s", strerror(-r));
		return 1;
	}
	d->ready = true;
	notify_status(d, "READY=1\n");
	hmd_silence_watch(d);
	hmd_sysroot_watch(d);
	r = setup_watchdog(d);
	if (r < 0)
		hmd_log(d, LOG_WARNING, "watchdog: %s", strerror(-r));
	hmd_log_ev(d, LOG_INFO, HMD_MSGID_READY, -1, NULL, hmd_policy_name(d->cfg.policy), 0,
		   "ready: sysroot %s%s%s", d->cfg.sysroot, d->cfg.dry_run ? ", dry run" : "",
		   d->watchdog_usec ? ", watchdog on" : "");
	r = sd_event_loop(d->ev);
	if (r < 0)
		hmd_log(d, LOG_ERR, "event loop: %s", strerror(-r));
	/* sd_event_exit(1): the sysroot gone, its return not watched (sysroot.c) */
	return r ? 1 : 0;
}

/*
 * A configuration refused at start or by --check-config: each line as any
 * other error, "hotmemd: error: FILE:LINE: ..." on a terminal and in the
 * journal.  Both exit at once, so the lines go through the unit's stream
 * (hmd_log_setup_short_lived()), which journald ties to the unit for sure;
 * a refused reload, in the running daemon, has MESSAGE_ID too.  The log
 * level of a refused file does not hide it.
 */
static void say_config_errors(struct hmd *d, const char *err)
{
	if (d->cfg.log_level < LOG_ERR)
		d->cfg.log_level = LOG_ERR;
	hmd_log_setup_short_lived(d);
	log_config_errors(d, err);
}

static int check_config(struct hmd *d, int r, const char *err)
{
	if (r) {
		say_config_errors(d, err);
		fprintf(stderr, "hotmemd: configuration invalid\n");
		return 1;
	}
	hmd_config_dump(&d->cfg, stdout);
	fprintf(stderr, "hotmemd: configuration OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct hmd d = {
		.memdir_fd = -1,
		.nl_fd = -1,
		.unix_fd = -1,
		.unix_lock_fd = -1,
		.state_lock_fd = -1,
	};
	struct args a = { .config = HMD_DEFAULT_CONFIG };
	char err[HMD_ERR_MAX];
	int r;

	if (parse_args(argc, argv, &a, &d.cli))
		return 2;
	d.config_path = a.config;
	d.config_explicit = a.config_explicit;
	d.oneshot = a.oneshot;
	d.write_state = hmd_write_state_sysfs;
	r = hmd_config_load(&d.cfg, a.config, a.config_explicit, &d.cli, err, sizeof(err));
	if (a.check)
		return check_config(&d, r, err);
	if (r) {
		say_config_errors(&d, err);
		return EXIT_CONFIG;
	}
	hmd_log_setup(&d);
	r = setup_loop(&d);
	if (r < 0) {
		hmd_log(&d, LOG_ERR, "event loop setup: %s", strerror(-r));
		return 1;
	}
	if (hmd_sysfs_open(&d)) {
		r = 1;
		goto out;
	}
	hmd_check_node_policies(&d);
	r = d.oneshot ? run_oneshot(&d) : run_daemon(&d);
out:
	hmd_uevent_close(&d);
	hmd_missed_senders_free(&d);
	hmd_silence_unwatch(&d);
	hmd_sysroot_unwatch(&d);
	hmd_offlined_end(&d);
	hmd_blocks_free(&d);
	hmd_boot_kept_free(&d);
	hmd_sysfs_close(&d);
	sd_event_source_disable_unref(d.wd_src);
	sd_event_source_disable_unref(d.settle_src);
	sd_event_source_disable_unref(d.status_src);
	sd_event_unref(d.ev);
	return r;
}
