// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemfs MOUNTPOINT: boot an emulated machine and mount its sysroot.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "hmfs.h"
#include "shown.h"
#include "state_profile.h"
#include "uring.h"
#include "uapi/hm_version.h"

#define DEFAULT_CONTROL "/run/hotmem/hotmemfs.sock"
#define DEFAULT_STATE "/var/lib/hotmem/hotmemfs.state"
/* below systemd's TimeoutStopSec (90 s): our own word comes before its SIGKILL */
#define DEFAULT_STOP_WAIT_S 30
/* fusermount3 -u -z: how long hotmemfs waits for it */
#define FUSERMOUNT_WAIT_MS 10000

extern char **environ;

/* a mount, as statx() tells it (mount_ident_of()) */
struct mount_ident {
	bool known, unique; /* unique: the id is 6.8's STATX_MNT_ID_UNIQUE */
	unsigned long long id;
	dev_t dev;
};

struct opts {
	const char *mountpoint;
	const char *profile;
	const char *cmdline;
	const char *control;
	const char *state;
	const char *netns;
	const char *fuse_opts;
	const char *uevent_socks[HMFS_MAX_UEVENT_SOCKETS];
	int nr_uevent_socks;
	unsigned int threads;
	double attr_timeout;
	long stop_wait_ms;
	bool fresh, restore_partial, debug, sync_background;
	bool io_uring; /* --io-uring */
};

/* hotmem_config_list_builtins()'s line, to the FILE @f */
static void put_line(const char *text, void *f)
{
	fputs(text, f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hotmemfs [options] MOUNTPOINT\n"
		"\n"
		"Mount an emulated machine's memory sysfs and procfs under MOUNTPOINT:\n"
		"MOUNTPOINT/sys/devices/system/memory, .../node, sys/bus/memory,\n"
		"sys/module/memory_hotplug/parameters, proc/meminfo, proc/zoneinfo, ...\n"
		"\n"
		"Machine:\n"
		"  -p, --profile NAME|FILE   built-in profile or profile file (default: the state\n"
		"                            file's, else default)\n"
		"  -c, --cmdline STRING      kernel command line (memhp_default_state=, movable_node, ...)\n"
		"                            (default: the state file's, else none); a state file\n"
		"                            saved with another --profile or --cmdline is refused\n"
		"                            (--fresh deletes it and boots anew)\n"
		"Control and state:\n"
		"  -s, --control PATH        control socket, 0600 (default " DEFAULT_CONTROL ")\n"
		"  -S, --state PATH|none     state file (default " DEFAULT_STATE ")\n"
		"      --fresh               delete an existing state file and boot anew\n"
		"      --restore-partial     a journal damaged before its last record: restore the\n"
		"                            state file and the records before the damage, keep the\n"
		"                            journal as PATH.journal.damaged (the later acknowledged\n"
		"                            changes are lost; the count is said)\n"
		"uevents:\n"
		"  -n, --netns NAME|PATH     inject uevents into this private network namespace\n"
		"                            (default: our own, if it is not the host's; none: off)\n"
		"  -u, --uevent-socket PATH  also send each uevent to this AF_UNIX SOCK_DGRAM socket\n"
		"FUSE:\n"
		"  -o OPTIONS                extra mount options\n"
		"  -t, --threads N           N threads for requests that may wait (writes); one thread\n"
		"                            answers the rest\n"
		"                            (default: 2 per CPU, at least 4)\n"
		"      --io-uring            serve FUSE over io_uring (Linux 6.14+, fuse.enable_uring=Y):\n"
		"                            each request on its reader's CPU (default: /dev/fuse)\n"
		"      --attr-timeout SEC    kernel cache lifetime of names and attributes (default 3600)\n"
		"      --state-sync WHEN     always: each change is on disk before its write returns\n"
		"                            (it survives a host crash); background: it is written,\n"
		"                            and synced right after (it survives kill -9 of hotmemfs,\n"
		"                            a host crash may lose the last ones) (default always)\n"
		"      --stop-wait SEC       a stop takes at most SEC: past it hotmemfs says what it\n"
		"                            still waits for (the notifier, a write, the final\n"
		"                            save, control clients), detaches the mount and exits\n"
		"                            1 without it (default 30)\n"
		"  -d, --debug               FUSE debug output\n"
		"  -f, --foreground          ignored: hotmemfs always stays in the foreground\n"
		"  -h, --help                this text\n"
		"  -V, --version             hotmemfs's version and the build's git describe\n"
		"\n"
		"Built-in profiles (--profile NAME):\n");
	hotmem_config_list_builtins("  ", put_line, f);
}

/*
 * A socket's path: sun_path holds 107 bytes and its NUL.  Refused at
 * start, as hotmemctl refuses it: a --uevent-socket past it was dropped
 * without a word and its listener never heard an event (usereye7 #14).
 */
static int check_socket_path(const char *opt, const char *path)
{
	size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

	if (!path[0]) {
		fprintf(stderr, "hotmemfs: %s '': a socket's path\n", opt);
		return -EINVAL;
	}
	if (strlen(path) <= max)
		return 0;
	fprintf(stderr, "hotmemfs: %s %s: %zu bytes, more than the %zu a unix socket's address "
			"holds: use a shorter path\n",
		opt, path, strlen(path), max);
	return -ENAMETOOLONG;
}

static int parse_threads(const char *arg, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || !v || v > HMFS_MAX_THREADS) {
		fprintf(stderr, "hotmemfs: --threads: '%s': a number of threads, 1 to %d\n", arg,
			HMFS_MAX_THREADS);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

/* @opt's seconds, @min to @max (--attr-timeout: a cache lifetime, --stop-wait) */
static int parse_seconds(const char *opt, const char *arg, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min || v > max) {
		fprintf(stderr, "hotmemfs: %s: '%s': seconds, %.0f to %.0f\n", opt, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "control", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "fresh", no_argument, NULL, 'F' },
		{ "restore-partial", no_argument, NULL, 'R' },
		{ "netns", required_argument, NULL, 'n' },
		{ "uevent-socket", required_argument, NULL, 'u' },
		{ "threads", required_argument, NULL, 't' },
		{ "attr-timeout", required_argument, NULL, 'A' },
		{ "state-sync", required_argument, NULL, 'Y' },
		{ "stop-wait", required_argument, NULL, 'W' },
		{ "io-uring", no_argument, NULL, 'U' },
		{ "debug", no_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	char err[256];
	double stop_wait;
	int c;

	/*
	 * Store threads (fs.c, hmfs_session_loop()): a store may wait for the
	 * engine; reads never do and stay on the session's thread.
	 */
	*o = (struct opts){ .control = DEFAULT_CONTROL,
			    .state = DEFAULT_STATE,
			    .threads = hmfs_default_threads(sysconf(_SC_NPROCESSORS_ONLN)),
			    .attr_timeout = 3600,
			    .stop_wait_ms = DEFAULT_STOP_WAIT_S * 1000L };
	while ((c = getopt_long(argc, argv, "p:c:s:S:n:u:t:o:dfhV", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 'c':
			o->cmdline = optarg;
			break;
		case 's':
			/* "": no control socket (the start line says "control off") */
			if (optarg[0] && check_socket_path("--control", optarg))
				return -1;
			o->control = optarg;
			break;
		case 'S':
			/* "" was a state file named "" in the working directory (usereye7 #8) */
			if (!optarg[0]) {
				fprintf(stderr, "hotmemfs: --state '': a path, or none (no state file)\n");
				return -1;
			}
			o->state = optarg;
			break;
		case 'F':
			o->fresh = true;
			break;
		case 'R':
			o->restore_partial = true;
			break;
		case 'n':
			o->netns = optarg;
			break;
		case 'u':
			if (o->nr_uevent_socks == HMFS_MAX_UEVENT_SOCKETS) {
				fprintf(stderr, "hotmemfs: at most %d --uevent-socket\n",
					HMFS_MAX_UEVENT_SOCKETS);
				return -1;
			}
			if (check_socket_path("--uevent-socket", optarg))
				return -1;
			o->uevent_socks[o->nr_uevent_socks++] = optarg;
			break;
		case 't':
			if (parse_threads(optarg, &o->threads))
				return -1;
			break;
		case 'A':
			if (parse_seconds("--attr-timeout", optarg, 0, 31536000, &o->attr_timeout))
				return -1;
			break;
		case 'W':
			/* 0 would give up on a notifier that is not even in the kernel */
			if (parse_seconds("--stop-wait", optarg, 1, 86400, &stop_wait))
				return -1;
			o->stop_wait_ms = lround(stop_wait * 1000);
			break;
		case 'Y':
			if (strcmp(optarg, "always") && strcmp(optarg, "background")) {
				fprintf(stderr, "hotmemfs: --state-sync: '%s': always or background\n",
					optarg);
				return -1;
			}
			o->sync_background = !strcmp(optarg, "background");
			break;
		case 'U':
			o->io_uring = true;
			break;
		case 'o':
			o->fuse_opts = optarg;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'f':
			break; /* always in the foreground */
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			exit(hmu_print_version("hotmemfs"));
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	o->mountpoint = argv[optind];
	if (!strcmp(o->state, "none"))
		o->state = NULL;
	if (o->state && hmfs_state_name_check(o->state, err, sizeof(err))) {
		fprintf(stderr, "hotmemfs: --state %s: %s: use a shorter name\n", o->state, err);
		return -1;
	}
	if (o->restore_partial && (o->fresh || !o->state)) {
		fprintf(stderr, "hotmemfs: --restore-partial restores a state file's journal: not with %s\n",
			o->fresh ? "--fresh, which deletes it" : "--state none");
		return -1;
	}
	return 0;
}

/* A profile file is remembered by its absolute path: restarts may cd. */
static const char *canonical_profile(const char *name, char *buf, size_t len)
{
	struct hotmem_config tmp;
	char *rp;

	if (!name || (!strchr(name, '/') && !hotmem_config_builtin(&tmp, name)))
		return name;
	rp = realpath(name, NULL);
	if (!rp)
		return name;
	snprintf(buf, len, "%s", rp);
	free(rp);
	return buf;
}

/*
 * The profile, parsed once at start (a file's text read once): @name,
 * canonical, and its machine before any --cmdline, which boot() takes
 * when the machine chosen is that profile's
 */
struct parsed_profile {
	char name[PATH_MAX];
	struct hotmem_config cfg;
};

/*
 * A command line the engine refused (hotmem_config_parse_cmdline(): @err
 * of 512 bytes names its words as they are): said escaped, as the start's
 * "hotmem models none of" note is -- the line is a state file's at a
 * restore, anyone's text, an escape sequence in it reached the terminal
 * (shown.h; tidy36)
 */
static void cmdline_refused(const char *err)
{
	char shown[4 * 512 + 1];

	fprintf(stderr, "hotmemfs: --cmdline: %s\n", hmfs_shown(shown, sizeof(shown), err));
}

/*
 * @cmdline on @cfg, a profile's machine (hotmem_config_profile() took it
 * valid): a word the parser takes can still ask for what this machine
 * cannot be -- hugepages=2:4 where node 2 is possible but not online at
 * boot (hugepages_check_online()) -- which validate() refuses; that is
 * the command line's fault too, and cannot mend by itself any more than
 * a word the parser refused (reread39 R2: it was "cannot boot the
 * machine" and exit 1, a restart loop under systemd)
 */
static int cmdline_config(struct hotmem_config *cfg, const char *cmdline, char *err,
			  size_t errlen)
{
	int ret = hotmem_config_parse_cmdline(cfg, cmdline, err, errlen);

	return ret ? ret : hotmem_config_validate(cfg, err, errlen);
}

/*
 * An explicit --profile or --cmdline that cannot be read is refused
 * before the state file is opened (its directory made, its lock taken):
 * a start refused for its own options touches nothing of the host's
 * (the default state file is /var/lib/hotmem's).  The profile parsed
 * goes to boot() in *@parsed (NULL when none was: not given, or out of
 * memory, which boot() says), the --cmdline on a copy of it.
 */
static int check_explicit_machine(const struct opts *o, struct parsed_profile **parsed)
{
	char canon[PATH_MAX], err[512] = "";
	const char *profile = canonical_profile(o->profile, canon, sizeof(canon));
	struct parsed_profile *pp;
	struct hotmem_config *cfg;
	int ret = 0;

	*parsed = NULL;
	if (!profile && !o->cmdline)
		return 0;
	pp = calloc(1, sizeof(*pp));
	cfg = malloc(sizeof(*cfg));
	if (!pp || !cfg)
		goto out;	/* boot() says it */
	snprintf(pp->name, sizeof(pp->name), "%s", profile ? profile : "default");
	ret = hotmem_config_profile(&pp->cfg, pp->name, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmemfs: %s\n", err[0] ? err : strerror(-ret));
		goto out;
	}
	*cfg = pp->cfg;
	/*
	 * the machine whole only on an explicit --profile: without one it is
	 * a state file's, not yet read -- "default" here would refuse
	 * hugepages=1:4 that the file's numa2 takes; boot_cmdline() checks
	 * it on the machine it boots
	 */
	if (o->cmdline && o->cmdline[0])
		ret = profile ? cmdline_config(cfg, o->cmdline, err, sizeof(err)) :
				hotmem_config_parse_cmdline(cfg, o->cmdline, err, sizeof(err));
	if (ret) {
		cmdline_refused(err);
		goto out;
	}
	*parsed = pp;
	pp = NULL;
out:
	free(pp);
	free(cfg);
	return ret;
}

/*
 * A start refused for its state file or its options cannot mend by itself:
 * not 1, so that hotmemfs.service's RestartPreventExitStatus= ends the
 * restarts at once (usereye4 #20).  78 is EX_CONFIG, as hotmemd's.
 */
#define EXIT_REFUSED 78

/* a state file's error: its path twice (PATH.journal kept as PATH.journal.damaged), whole */
#define STATE_ERRLEN (2 * PATH_MAX + 512)

/*
 * The way out of a refused state file, the journal with it (its records
 * are the changes acknowledged since the last compaction).  By hand:
 * --fresh.  Under systemd ($INVOCATION_ID) --fresh would go in
 * HOTMEMFS_OPTS and, left there, delete the state file on every later
 * start: say the mv instead.  @journal: PATH.journal was there before
 * this start -- one it made goes at its exit (hmfs_state_unmake()), and
 * a `mv` of it would fail.
 */
static void say_way_out(const char *path, bool journal)
{
	char mv_journal[2 * PATH_MAX + 40] = "";

	if (journal)
		snprintf(mv_journal, sizeof(mv_journal), " && mv %s.journal %s.journal.bad", path,
			 path);
	if (getenv("INVOCATION_ID"))
		fprintf(stderr,
			"hotmemfs: move the file away%s: mv %s %s.bad%s && "
			"systemctl restart hotmemfs (never --fresh in HOTMEMFS_OPTS: each later start "
			"would delete the state file)\n",
			journal ? " with its journal" : "", path, path, mv_journal);
	else
		fprintf(stderr,
			"hotmemfs: move the file away%s (mv %s %s.bad%s) or start with "
			"--fresh (which deletes %s)\n",
			journal ? " with its journal" : "", path, path, mv_journal,
			journal ? "both" : "it");
}

/*
 * The state file older than its journal (@d->file_behind): neither is
 * damaged, they do not belong together; nothing of the journal fits the
 * file, so --restore-partial would keep nothing (abuse25c D2)
 */
static void say_file_behind(const char *path, const struct hmfs_journal_damage *d, bool systemd)
{
	unsigned long long all = d->kept + d->lost;

	fprintf(stderr,
		"hotmemfs: neither file is damaged: the journal's %llu change%s follow a state file of seq %llu or later, not %s\n"
		"hotmemfs: to go back to the machine the journal follows: put back its state file (seq %llu or later, the one %s replaced) and start again\n"
		"hotmemfs: to start from %s as it is: mv %s.journal %s.journal.bad%s (its %llu change%s are not in %s)\n",
		all, all == 1 ? "" : "s", (unsigned long long)d->file_behind - 1, path,
		(unsigned long long)d->file_behind - 1, path, path, path, path,
		systemd ? " && systemctl restart hotmemfs" : "", all, all == 1 ? "" : "s", path);
}

/*
 * A journal refused for damage (@d): its state file is not damaged, it
 * is the machine as last compacted.  Every way out loses acknowledged
 * changes, so each is the user's choice, its count said, the one that
 * keeps the most first (usereye6 M); under systemd none goes in
 * HOTMEMFS_OPTS, where each later start would take it again.
 */
static void say_journal_way_out(const char *path, const struct hmfs_journal_damage *d)
{
	unsigned long long all = d->kept + d->lost;
	bool systemd = getenv("INVOCATION_ID");
	char damaged[PATH_MAX + 32];

	if (d->file_behind) {
		say_file_behind(path, d, systemd);
		return;
	}
	fprintf(stderr,
		"hotmemfs: the state file %s is not damaged: it is the machine as last compacted, "
		"the journal holds the %llu change%s acknowledged since\n",
		path, all, all == 1 ? "" : "s");
	/*
	 * --restore-partial refused: offered again only where moving the
	 * names it found taken mends it (the error above says why: a
	 * filesystem without hard links, a full disk) (finalD 7)
	 */
	if (d->record && (!d->partial_err || d->partial_err == -EEXIST)) {
		/* its name, shortened where it passes NAME_MAX (state.c short_sibling()) */
		hmfs_state_sibling_path(path, ".journal.damaged", damaged, sizeof(damaged));
		fprintf(stderr, "hotmemfs: to keep the %llu change%s before record %llu: ",
			(unsigned long long)d->kept, d->kept == 1 ? "" : "s",
			(unsigned long long)d->record);
		if (d->partial_err)
			fprintf(stderr, "move %s and .2 ... .99 away, then ", damaged);
		fprintf(stderr,
			"%s--restore-partial%s (loses the %llu acknowledged change%s from record %llu on; "
			"the journal is kept as %s)\n",
			systemd ? "run hotmemfs once by hand with the service's options and " :
				  "start with ",
			d->partial_err ? " again" : "", (unsigned long long)d->lost,
			d->lost == 1 ? "" : "s", (unsigned long long)d->record, damaged);
	}
	fprintf(stderr,
		"hotmemfs: to restart from the state file alone: mv %s.journal %s.journal.bad%s "
		"(loses all %llu acknowledged change%s of the journal)\n",
		path, path, systemd ? " && systemctl restart hotmemfs" : "", all,
		all == 1 ? "" : "s");
	fprintf(stderr, systemd ? "hotmemfs: never --restore-partial or --fresh in HOTMEMFS_OPTS: "
				  "each later start would take it again\n" :
				  "hotmemfs: or start anew with --fresh (which deletes both files)\n");
}

/*
 * @d: the journal's damage when it was the journal that was refused (NULL: not
 * loaded); @journal: PATH.journal was there before this start (say_way_out())
 */
static void refuse_state(int ret, const char *err, const char *path,
			 const struct hmfs_journal_damage *d, bool journal)
{
	fprintf(stderr, "hotmemfs: %s\nhotmemfs: refusing to start\n", err);
	/*
	 * out of memory says nothing of the file: moving it away or --fresh
	 * would lose a good machine for a start that a retry mends (nomem44)
	 */
	if (ret == -ENOMEM)
		fprintf(stderr, "hotmemfs: out of memory (%s): the state file is kept as it is; "
				"start again when there is memory (the file is good: keep it)\n",
			strerror(ENOMEM));
	else if (path && d && (d->record || d->lost))
		say_journal_way_out(path, d);
	else if (path)
		say_way_out(path, journal);
	else
		fprintf(stderr, "hotmemfs: move the file away or start with --fresh\n");
}

/*
 * Settle which machine to boot: the state file's, unless told otherwise.
 * @journal: PATH.journal was there before this start (say_way_out()).
 * *@saved: the machine is a state file's (its profile and line).
 */
static int choose_machine(struct hmfs_ctx *ctx, const struct opts *o, bool journal, bool *saved)
{
	/* a longer line or profile name is the file's, refused by hmfs_state_peek_config() */
	char sprof[sizeof(ctx->profile)] = "", scmd[sizeof(ctx->cmdline)] = "", err[STATE_ERRLEN];
	char canon[PATH_MAX];
	const char *profile = canonical_profile(o->profile, canon, sizeof(canon));
	const char *cmd;
	size_t n;
	int ret;

	ret = o->state ? hmfs_state_peek_config(o->state, sprof, sizeof(sprof), scmd, sizeof(scmd),
						err, sizeof(err)) :
			 -ENOENT;
	if (ret && ret != -ENOENT) {
		refuse_state(ret, err, o->state, NULL, journal);
		return ret;
	}
	snprintf(ctx->profile, sizeof(ctx->profile), "%s",
		 profile ? profile :
		 ret	 ? "default" :
			   sprof);
	cmd = o->cmdline ? o->cmdline :
	      ret	 ? "" :
			   scmd;
	/*
	 * a copy, not snprintf(): --cmdline may be longer than ctx->cmdline
	 * (its length boot() says), which gcc's -Wformat-truncation finds at
	 * -O0 (the faults-san build)
	 */
	n = strnlen(cmd, sizeof(ctx->cmdline) - 1);
	memcpy(ctx->cmdline, cmd, n);
	ctx->cmdline[n] = '\0';
	if (!ret && (strcmp(ctx->profile, sprof) || strcmp(ctx->cmdline, scmd))) {
		/* the file's words, escaped: anyone's text (shown.h) */
		static char sp[4 * sizeof(sprof) + 1], sc[4 * sizeof(scmd) + 1];

		fprintf(stderr,
			"hotmemfs: state file %s belongs to --profile '%s' --cmdline '%s'\n"
			"hotmemfs: refusing to restore it onto a different machine; use the same options%s, or\n",
			o->state, hmfs_shown(sp, sizeof(sp), sprof), hmfs_shown(sc, sizeof(sc), scmd),
			getenv("INVOCATION_ID") ? " (HOTMEMFS_OPTS)" : "");
		say_way_out(o->state, journal);
		return -EINVAL;
	}
	*saved = !ret;
	return 0;
}

/* once at start: a machine the host's vm.max_map_count cannot plug in full */
static void warn_host_maps(struct hotmem *hm)
{
	unsigned long need = hotmem_host_maps_needed(hm);

	if (need)
		fprintf(stderr, "hotmemfs: with memmap_on_memory every hot-added block is a host "
				"mapping: plugging all of maxmem needs vm.max_map_count >= %lu "
				"(sysctl vm.max_map_count=%lu); until then an add beyond the cap "
				"fails with ENOMEM\n", need, need);
}

/*
 * ctx->cfg: the profile's machine, @parsed's when it is this profile's
 * (check_explicit_machine() read it), else the profile read now; a file
 * profile's lines kept for the state file before --cmdline changes them
 */
static int boot_profile(struct hmfs_ctx *ctx, const struct parsed_profile *parsed)
{
	char err[512] = "";
	int ret = 0;

	if (parsed && !strcmp(parsed->name, ctx->profile))
		ctx->cfg = parsed->cfg;
	else
		ret = hotmem_config_profile(&ctx->cfg, ctx->profile, err, sizeof(err));
	if (!ret && strchr(ctx->profile, '/'))
		ret = hmfs_state_profile_lines(ctx, &ctx->cfg, err, sizeof(err));
	if (ret)
		fprintf(stderr, "hotmemfs: %s\n", err[0] ? err : strerror(-ret));
	return ret;
}

/*
 * The state file's own command line refused by the engine (hand edited,
 * or saved by a hotmemfs that took a word this one refuses): the file's
 * fault, not an option's -- no --cmdline was given -- and it cannot mend
 * by itself, so it is named with the way out (reread38 R3)
 */
static void state_cmdline_refused(const char *err, const char *path, bool journal)
{
	char shown[4 * 512 + 1];

	fprintf(stderr, "hotmemfs: state file %s: its command line is refused: %s\n"
			"hotmemfs: refusing to start\n",
		path, hmfs_shown(shown, sizeof(shown), err));
	say_way_out(path, journal);
}

/*
 * ctx->cmdline on ctx->cfg.  @state: the state file whose line it is (no
 * --cmdline given), else NULL; @journal as say_way_out()'s.  A refusal
 * cannot mend by itself: *@refused, for EXIT_REFUSED.
 */
static int boot_cmdline(struct hmfs_ctx *ctx, const char *state, bool journal, bool *refused)
{
	char err[512] = "", words[sizeof(ctx->cfg.cmdline)];
	int ret;

	if (!ctx->cmdline[0])
		return 0;
	ret = cmdline_config(&ctx->cfg, ctx->cmdline, err, sizeof(err));
	if (ret) {
		if (state)
			state_cmdline_refused(err, state, journal);
		else
			cmdline_refused(err);
		*refused = true;
		return ret;
	}
	/*
	 * a typo (memhp_default_stat=) boots another machine than asked: say
	 * so, and whose line it is -- "--cmdline:" of a line no --cmdline gave
	 * sent the reader to options it never used (tests/fusefs/388);
	 * escaped: a state file's command line is anyone's text (shown.h)
	 */
	if (hotmem_cmdline_unmodelled(ctx->cmdline, words, sizeof(words))) {
		static char shown[4 * sizeof(words) + 1];

		if (state)
			fprintf(stderr, "hotmemfs: state file %s: its command line: ", state);
		else
			fprintf(stderr, "hotmemfs: --cmdline: ");
		fprintf(stderr, "hotmem models none of: %s (no effect here; `hotmemctl dmesg` says which a kernel would not know)\n",
			hmfs_shown(shown, sizeof(shown), words));
	}
	return 0;
}

/*
 * A state file's line that gives init more words than 6.12 takes: a
 * hotmem before 2026-12-04 booted it (zones43 made it 6.12's panic), and
 * the machine saved is what it is, so it is restored as saved, the
 * kernel's refusal named -- a restart never loses a machine (zones44).
 * Refusing instead would leave a way out only through --fresh, which
 * loses it, or hand-editing a checksummed file.  A new machine from the
 * same line is refused still.
 */
static void saved_init_words(struct hmfs_ctx *ctx)
{
	char err[512] = "";
	static char shown[4 * sizeof(err) + 1];

	if (!hotmem_config_init_words_panic(&ctx->cfg, err, sizeof(err)))
		return;
	ctx->cfg.init_words_saved = true;
	/* the words are the file's: anyone's text (shown.h) */
	fprintf(stderr,
		"hotmemfs: state file %s: its command line would not boot a 6.12 kernel: %s; "
		"restored as saved (hotmem before 2026-12-04 booted it), but a new machine "
		"(--fresh) with this line is refused: give init at most 32 arguments and 31 "
		"environment words\n",
		ctx->state_path, hmfs_shown(shown, sizeof(shown), err));
}

/* @state, @journal, @refused: boot_cmdline()'s; @saved: choose_machine()'s */
static int boot(struct hmfs_ctx *ctx, const struct parsed_profile *parsed, const char *state,
		bool saved, bool journal, bool *refused)
{
	char err[512] = "";
	int ret;

	ret = boot_profile(ctx, parsed);
	if (!ret)
		ret = boot_cmdline(ctx, state, journal, refused);
	if (ret)
		return ret;
	if (saved)
		saved_init_words(ctx);
	ret = hotmem_config_validate(&ctx->cfg, err, sizeof(err));
	/* the machine's CPUs are the host's, placed once for engine and view (nodecpu.c) */
	if (!ret && hmfs_cpus_init(ctx, "/sys/devices/system/cpu")) {
		fprintf(stderr, "hotmemfs: out of memory placing the CPUs\n");
		return -ENOMEM;
	}
	if (!ret)
		ret = hotmem_create(&ctx->cfg, &ctx->hm, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmemfs: cannot boot the machine: %s\n", err);
		return ret;
	}
	ctx->block_size = hotmem_block_size(ctx->hm);
	ret = hmfs_dev_boot(ctx, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmemfs: %s\n", err);
		return ret;
	}
	warn_host_maps(ctx->hm);
	return 0;
}

/* systemd Type=notify without linking libsystemd */
static void sd_notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

/*
 * The paths hotmemfs makes and replaces name the kind of file it makes
 * there, or nothing yet: the state file and its .lock and .journal
 * regular files (a symbolic link is not followed there, #16.8), the
 * control socket a socket, which a stopped hotmemfs may have left.
 * Anything else is somebody else's: refused with its type before any of
 * them is opened, made or removed.  --fresh removed the state path
 * whatever it was and wrote a state file in its place (usereye7 #7: -S
 * /dev/null, then --fresh as the refusal advised); the control socket's
 * bind() unlinked a file of data or a device node (#9).
 */
static int refuse_foreign_file(const char *what, const char *path, mode_t kind)
{
	struct stat st, target;

	if (!path[0] || lstat(path, &st) || (st.st_mode & S_IFMT) == kind)
		return 0; /* absent, or out of reach: opening it says why */
	fprintf(stderr, "hotmemfs: %s %s is not %s (%s): hotmemfs never removes or replaces it%s\n",
		what, path, hmfs_file_type(kind), hmfs_file_type(st.st_mode),
		kind == S_IFREG ? ", --fresh included" : "");
	if (kind == S_IFSOCK)
		fprintf(stderr, "hotmemfs: refusing to start; choose another --control path\n");
	else if (S_ISLNK(st.st_mode) && !stat(path, &target) && S_ISREG(target.st_mode))
		fprintf(stderr, "hotmemfs: refusing to start; a symbolic link is not followed there: "
				"give --state the path it points to\n");
	else
		fprintf(stderr, "hotmemfs: refusing to start; choose another --state path "
				"(--state none: no state file)\n");
	return -EINVAL;
}

static int refuse_foreign_files(const struct opts *o, const char *ctl_path)
{
	static const char *const what[] = { "state file", "lock file", "journal" };
	static const char *const suffix[] = { "", ".lock", ".journal" };
	char path[PATH_MAX + 16];
	int ret = 0;

	for (size_t i = 0; o->state && !ret && i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", o->state, suffix[i]);
		ret = refuse_foreign_file(what[i], path, S_IFREG);
	}
	return ret ? ret : refuse_foreign_file("control socket", ctl_path, S_IFSOCK);
}

/*
 * What a start made on the file system before its first save: the
 * directories mkdir_parent() made for the state file and the control
 * socket, and the state file's lock and journal where they were not
 * there (hmfs_state_open() creates them and says so, under the lock).  A
 * start that fails before that save -- a machine that cannot boot, a
 * refused restore, a mount refused -- takes them away again
 * (hmfs_state_unmake(), start_unmake_dirs()): it leaves the file system as it was, where a
 * unit restarting on a bad profile made a state directory every try.
 */
struct made_dir {
	const char *what;	/* whose directory, for the log */
	char path[PATH_MAX];	/* the deepest directory made */
	size_t top;		/* the topmost one made ends there; 0: none made */
};

struct start_made {
	struct made_dir state_dir, ctl_dir;
};

/*
 * mkdir -p of @path's directory: /var/lib/hotmem and /run/hotmem may not
 * exist yet (by hand; hotmemfs.service's StateDirectory= and
 * RuntimeDirectory= make them).  Said when it made one: a mistyped -S
 * directory made a new machine there without a word but the start line's
 * "new", while the real state file waited elsewhere (usereye7 #8).  What
 * it made in @made, for a failed start to take away.
 */
static void mkdir_parent(const char *what, const char *path, struct made_dir *made)
{
	char *buf = made->path;
	size_t first = 0; /* the end of the topmost directory made, 0: none */
	char *slash, c;

	made->what = what;
	made->top = 0;
	snprintf(buf, sizeof(made->path), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return;
	*slash = '\0';
	for (char *p = buf + 1;; p++) {
		if (*p && *p != '/')
			continue;
		c = *p;
		*p = '\0';
		if (!mkdir(buf, 0755) && !first)
			first = (size_t)(p - buf);
		*p = c;
		if (!c)
			break;
	}
	made->top = first;
	if (!first)
		return;
	if (!buf[first])
		fprintf(stderr, "hotmemfs: created the %s's directory %s (it did not exist)\n", what,
			buf);
	else
		fprintf(stderr, "hotmemfs: created the %s's directory %s (from %.*s on: it did not "
				"exist)\n",
			what, buf, (int)first, buf);
}

/*
 * The directories mkdir_parent() made, deepest first, up to the topmost
 * it made, said as their making was; one not empty (something else put
 * there since) stays, and the ones above it
 */
static void unmake_dir(struct made_dir *made)
{
	char *slash;

	if (!made->top)
		return;
	while (!rmdir(made->path)) {
		if (strlen(made->path) <= made->top) {
			fprintf(stderr, "hotmemfs: removed the %s's directory %s again: the start "
					"failed\n", made->what, made->path);
			break;
		}
		slash = strrchr(made->path, '/');
		*slash = '\0';
	}
	made->top = 0;
}

/* the directories this failed start made, once teardown() closed what is in them */
static void start_unmake_dirs(struct start_made *made)
{
	unmake_dir(&made->ctl_dir);
	unmake_dir(&made->state_dir);
}

/*
 * A control socket somebody answers on belongs to a running hotmemfs:
 * taking its path over would leave that one unreachable (#16.9).  A
 * socket nobody answers on is a dead one's, and is replaced.
 */
static int refuse_live_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, ret = 0;

	if (!path[0])
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
			cred.pid = 0;
		fprintf(stderr,
			"hotmemfs: control socket %s is served by a running hotmemfs (pid %ld)\n"
			"hotmemfs: refusing to start; stop it or choose another --control\n",
			path, (long)cred.pid);
		ret = -EADDRINUSE;
	}
	close(fd);
	return ret;
}

/* 6.8's unique mount id (never reused); older kernels answer STATX_MNT_ID only */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif

/*
 * The mount @path names now (the topmost at it): its id and device.
 * AT_STATX_DONT_SYNC: fuse answers from the inode it has, it sends no
 * request -- ours may have nobody reading /dev/fuse any more (the stop),
 * and a dead one's would wait for nobody.
 */
static int mount_ident_of(const char *path, struct mount_ident *m)
{
	struct statx stx;

	if (!path[0])
		return -ENOENT;
	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT,
		  STATX_MNT_ID | STATX_MNT_ID_UNIQUE, &stx))
		return -errno;
	if (!(stx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE)))
		return -ENOSYS; /* before 5.8 */
	*m = (struct mount_ident){ .known = true,
				   .id = stx.stx_mnt_id,
				   .unique = stx.stx_mask & STATX_MNT_ID_UNIQUE,
				   .dev = makedev(stx.stx_dev_major, stx.stx_dev_minor) };
	return 0;
}

/*
 * @path still names @ours.  Not once it was unmounted from outside
 * (umount, fusermount3 -u: the session ends by itself) or something was
 * mounted over it: then the path names another filesystem -- the one
 * hotmemfs was mounted over, say -- and a detach by path would take
 * that one off (review10 D1).  Unknown (no STATX_MNT_ID): ours.
 */
static bool mount_still_ours(const char *path, const struct mount_ident *ours)
{
	struct mount_ident now;

	if (!ours->known)
		return true;
	return !mount_ident_of(path, &now) && now.unique == ours->unique && now.id == ours->id &&
	       now.dev == ours->dev;
}

/*
 * /proc/self/mountinfo's filesystem type ("fuse.hotmemfs") of the mount
 * @path names now, into @type: -ENOENT, not found.
 */
static int mount_fstype(const char *path, char *type, size_t len)
{
	struct statx stx;
	char *line = NULL;
	size_t n = 0;
	int ret = -ENOENT;
	FILE *f;

	/* the reusable id: mountinfo's first field */
	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx))
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -ENOSYS;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (ret == -ENOENT && getline(&line, &n, f) > 0) {
		unsigned long long id;
		char *sep = strstr(line, " - "), *end;

		if (sscanf(line, "%llu", &id) != 1 || id != stx.stx_mnt_id || !sep)
			continue;
		sep += 3;
		end = sep + strcspn(sep, " \n");
		snprintf(type, len, "%.*s", (int)(end - sep), sep);
		ret = 0;
	}
	free(line);
	fclose(f);
	return ret;
}

static int wait_child(pid_t pid, int ms, int *status);

/*
 * How long a start waits for the filesystem at its mountpoint to answer
 * statfs().  A live hotmemfs answers in microseconds; a dead one's mount
 * answers ENOTCONN at once (its connection aborted with its /dev/fuse).
 */
#define MOUNT_PROBE_MS 2000

/*
 * statfs(@path), in a child waited for MOUNT_PROBE_MS at most: 0, the
 * -errno statfs gave, or -ETIMEDOUT.  A FUSE server that is alive but
 * does not read its requests (stopped with SIGSTOP or by a debugger,
 * hung) never answers, and the request waits killably only: the start
 * hung in it for good, SIGTERM blocked.  The child is SIGKILLed then --
 * and not reaped: a wait that is not killable would hold us again.
 * statfs, not stat: it always asks the server (a stat may be answered
 * from the kernel's cache).
 */
static int mount_probe(const char *path)
{
	int status = 0, ret;
	struct statfs sfs;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return statfs(path, &sfs) ? -errno : 0; /* no child: unbounded, as before */
	if (!pid)
		_exit(statfs(path, &sfs) ? (errno & 0xff) : 0);
	ret = wait_child(pid, MOUNT_PROBE_MS, &status);
	if (ret)
		return ret;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
}

/*
 * @path as "REALPATH-OF-ITS-DIRECTORY/NAME" into @buf, @base prefixed to a
 * relative one: the mountpoint itself is not resolved, nothing inside a
 * mount there is asked (its server may not answer)
 */
static bool mountpoint_key(const char *base, const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX], *slash, *dir;
	size_t n;

	if (snprintf(tmp, sizeof(tmp), "%s%s%s", path[0] == '/' ? "" : base,
		     path[0] == '/' || !base[0] ? "" : "/", path) >= (int)sizeof(tmp))
		return false;
	for (n = strlen(tmp); n > 1 && tmp[n - 1] == '/'; n--)
		tmp[n - 1] = '\0';
	slash = strrchr(tmp, '/');
	if (slash) {
		*slash = '\0';
		dir = realpath(slash == tmp ? "/" : tmp, NULL);
	} else {
		dir = realpath(".", NULL);
	}
	if (!dir)
		return false;
	n = (size_t)snprintf(buf, len, "%s/%s", strcmp(dir, "/") ? dir : "", slash ? slash + 1 : tmp);
	free(dir);
	return n < len;
}

/* the hotmemfs @pid mounted on @key (mountpoint_key()): its last argument */
static bool hotmemfs_on(long pid, const char *key)
{
	char buf[PATH_MAX + 256], base[64], theirs[PATH_MAX];
	const char *last;
	ssize_t n;

	if (pid == (long)getpid() || hmfs_proc_read(pid, "comm", buf, sizeof(buf)) < 0 ||
	    strcmp(buf, "hotmemfs\n"))
		return false;
	n = hmfs_proc_read(pid, "cmdline", buf, sizeof(buf));
	if (n <= 1)
		return false;
	/* argv's last one, NUL-terminated as each is */
	for (last = buf + n - 1; last > buf && last[-1]; last--)
		;
	snprintf(base, sizeof(base), "/proc/%ld/cwd", pid);
	return mountpoint_key(base, last, theirs, sizeof(theirs)) && !strcmp(theirs, key);
}

/*
 * Is @pid stopped (SIGSTOP, or traced)?  Any of its threads in T or t: a
 * group stop leaves a thread that was in an uninterruptible sleep (D) --
 * the leader too -- running until it leaves it, so the leader's own
 * state alone said "pid N", not stopped, now and then (tests/fusefs/97 in
 * a CI run).
 */
static bool pid_stopped(long pid)
{
	char path[64], name[96], stat[512], *state;
	struct dirent *d;
	bool stopped = false;
	DIR *task;

	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if (!(task = opendir(path)))
		return false;
	while (!stopped && (d = readdir(task))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "task/%.32s/stat", d->d_name);
		state = hmfs_proc_read(pid, name, stat, sizeof(stat)) > 0 ? strrchr(stat, ')') : NULL;
		stopped = state && (state[2] == 'T' || state[2] == 't');
	}
	closedir(task);
	return stopped;
}

/*
 * Who holds @path's mount, into @buf: "pid N, stopped" for the hotmemfs
 * whose mountpoint it is (pid_stopped()), "" if none is found (another
 * user's /proc hidden, a hotmemfs started under another name)
 */
static void mount_holder(const char *path, char *buf, size_t len)
{
	char key[PATH_MAX];
	struct dirent *d;
	DIR *proc;

	buf[0] = '\0';
	if (!mountpoint_key("", path, key, sizeof(key)) || !(proc = opendir("/proc")))
		return;
	while ((d = readdir(proc))) {
		long pid = strtol(d->d_name, NULL, 10);

		if (pid <= 0 || !hotmemfs_on(pid, key))
			continue;
		snprintf(buf, len, "pid %ld%s", pid, pid_stopped(pid) ? ", stopped" : "");
		break;
	}
	closedir(proc);
}

/*
 * A missing mountpoint is refused before the state file's directory, lock
 * and journal are made, and with the exit status the unit does not restart
 * on (78), not mount's 1 after them (finalF F7).  Last of the options'
 * checks: a bad profile or parameter is said first, whatever the
 * mountpoint.
 */
static int refuse_missing_mountpoint(const char *path)
{
	struct stat st;

	if (!stat(path, &st) || (errno != ENOENT && errno != ENOTDIR))
		return 0;
	if (errno == ENOTDIR)	/* mkdir -p cannot make a directory under a file */
		fprintf(stderr, "hotmemfs: mountpoint %s: %s\nhotmemfs: refusing to start; "
				"a part of its path is a file, not a directory\n", path, strerror(errno));
	else
		fprintf(stderr, "hotmemfs: mountpoint %s: %s\nhotmemfs: refusing to start; "
				"create it first (mkdir -p %s)\n", path, strerror(errno), path);
	return -ENOENT;
}

/*
 * hotmemfs's root is a directory: libfuse mounts on a file too, with the
 * file's type as the root's, and the kernel then finds the root it gets
 * of another type and marks it bad -- "mounted", every access EIO, and
 * after one access a stop that took the dead mount for somebody else's
 * and left it (usereye7 #6).  Refused before mounting.  stat(), as
 * mount(2), follows a symbolic link; a path that cannot be stat()ed is
 * mount_fs()'s to say (a dead one's mount: ENOTCONN, detached there).
 */
static int refuse_not_directory(const char *path)
{
	struct stat st;

	if (stat(path, &st) || S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "hotmemfs: mountpoint %s: not a directory (%s): hotmemfs mounts a "
			"directory tree\nhotmemfs: refusing to start; choose a directory\n",
		path, hmfs_file_type(st.st_mode));
	return -ENOTDIR;
}

/*
 * A second hotmemfs mounted over a running one's tree hides it without
 * a word (usereye #14): refused, before anything (a state file) is made.
 * So is a mountpoint whose filesystem does not answer (mount_probe()):
 * a hotmemfs stopped with SIGSTOP, say -- the start hung on it.  A dead
 * one's mount (statfs: ENOTCONN) is mount_fs()'s to detach.
 */
static int refuse_live_mount(const char *path)
{
	char type[64] = "", holder[128];
	bool hotmemfs = !mount_fstype(path, type, sizeof(type)) && !strcmp(type, "fuse.hotmemfs");
	int probe = mount_probe(path);

	if (probe == -ETIMEDOUT) {
		if (hotmemfs)
			mount_holder(path, holder, sizeof(holder));
		fprintf(stderr,
			"hotmemfs: %s does not answer (statfs waited %d ms): it is the mount of %s "
			"that is stopped or hung%s%s%s\n"
			"hotmemfs: refusing to mount over it; let that one go on (kill -CONT) or stop "
			"it, or choose another mountpoint\n",
			path, MOUNT_PROBE_MS, hotmemfs ? "a hotmemfs" : type[0] ? type : "a filesystem",
			hotmemfs ? " (" : "", hotmemfs ? (holder[0] ? holder : "its pid not found") : "",
			hotmemfs ? ")" : "");
		return -EBUSY;
	}
	if (!hotmemfs || probe)
		return 0;
	fprintf(stderr,
		"hotmemfs: %s is the mount of a running hotmemfs\n"
		"hotmemfs: refusing to mount over it; stop that one or choose another mountpoint\n",
		path);
	return -EBUSY;
}

/*
 * What a restore brought back, in numbers a user can check against
 * `hotmemctl devices`/`lsmem`, and what it does not (usereye4 #5): the
 * state file holds the machine, not the workload's allocations.
 */
/*
 * The notifier-error-inject values the state file brought back, as
 * "; notifier-error-inject restored: MEM_GOING_OFFLINE -16 (...)" into
 * @buf, "" for none.  The kernel's debugfs values never outlive a boot;
 * hotmem keeps them, so a restart that brings one back says so, where
 * every offline then failed EBUSY with no word at the start (usereye8 5i).
 */
static void restored_injections(struct hmfs_ctx *ctx, char *buf, size_t len)
{
	static const struct {
		int action;
		const char *name;
	} acts[] = { { HM_MEM_GOING_ONLINE, "MEM_GOING_ONLINE" },
		     { HM_MEM_GOING_OFFLINE, "MEM_GOING_OFFLINE" } };
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		int err = hotmem_get_notifier_error(ctx->hm, acts[i].action);

		if (err && n < len)
			n += snprintf(buf + n, len - n, "%s %s %d", n ? "," : "; notifier-error-inject restored:",
				      acts[i].name, err);
	}
	if (n && n < len)
		snprintf(buf + n, len - n, " (what it names fails until `hotmemctl inject ACTION 0`)");
}

/*
 * What the restore did with the kernel's own pages (kmem.c: slab, page
 * tables, pagesets): put back at their pages, or, from a state file of
 * before they were saved, made anew, possibly in other blocks, so that a
 * Normal block they pinned before may offline after (usereye9 F1).
 */
static const char *kernel_alloc_anew(const struct hmfs_ctx *ctx, char *buf, size_t len)
{
	if (ctx->cfg.kernel_alloc == HM_KERNEL_ALLOC_OFF)
		return "";
	return hmfs_state_kmem_said(ctx, buf, len);
}

static void say_restored(struct hmfs_ctx *ctx)
{
	unsigned long id = 0, blocks = 0, online = 0, devs = 0;
	const struct hmfs_dev *dv;
	struct hm_block_info bi;
	bool first = true;
	char inj[192], kmem[256], astray[192] = "";

	for (dv = ctx->devs; dv; dv = dv->next)
		devs++;
	for (; !hotmem_block_next(ctx->hm, &id, first); first = false) {
		blocks++;
		online += !hotmem_block_info(ctx->hm, id, &bi) && bi.state == HM_MEM_ONLINE;
	}
	restored_injections(ctx, inj, sizeof(inj));
	/* a block the restore could not put back: not the machine acknowledged (abuse25b C8) */
	if (ctx->blocks_astray)
		snprintf(astray, sizeof(astray),
			 "; %lu block%s (memory%lu first) could not be put back in the saved state and zone (named above)",
			 ctx->blocks_astray, ctx->blocks_astray == 1 ? "" : "s", ctx->block_astray);
	fprintf(stderr,
		"hotmemfs: restored the machine from %s%s: %lu device%s, %lu block%s (%lu online); "
		"workload allocations (hotmemctl alloc) are not saved%s%s%s\n",
		ctx->state_path, ctx->blocks_astray ? " ONLY IN PART" : "", devs, devs == 1 ? "" : "s", blocks, blocks == 1 ? "" : "s", online,
		kernel_alloc_anew(ctx, kmem, sizeof(kmem)), inj, astray);
}

/*
 * Whether @path (its directory need not exist yet) lies below the
 * directory whose real path is @dir: its deepest existing ancestor
 * resolved, the rest as written.
 */
static bool path_below(const char *path, const char *dir)
{
	char abs[PATH_MAX], *real = NULL, *cut = NULL;
	size_t n = strlen(dir);
	bool below;

	if (snprintf(abs, sizeof(abs), "%s%s", path[0] == '/' ? "" : "./", path) >= (int)sizeof(abs))
		return false;
	while (!(real = realpath(abs, NULL))) {
		char *slash = strrchr(abs, '/');

		if (!slash || slash == abs)
			return false;
		*slash = '\0';
		cut = slash;
	}
	below = !strncmp(real, dir, n) && (real[n] == '/' || (real[n] == '\0' && cut));
	free(real);
	return below;
}

/*
 * A control socket, uevent socket or state file inside the mountpoint
 * would be reached through this hotmemfs's own mount: the stale socket's
 * unlink before the FUSE loop runs waits on itself, in uninterruptible
 * sleep, and takes every access to the mount with it (usereye4 #25).
 */
static int refuse_paths_inside(const struct opts *o, const char *ctl_path)
{
	const char *what[2 + HMFS_MAX_UEVENT_SOCKETS], *paths[2 + HMFS_MAX_UEVENT_SOCKETS];
	char mnt[PATH_MAX];
	int n = 0;

	if (!realpath(o->mountpoint, mnt))
		return 0;	/* mount_fs() says what is wrong with it */
	what[n] = "control socket", paths[n++] = ctl_path;
	what[n] = "state file", paths[n++] = o->state ? o->state : "";
	for (int i = 0; i < o->nr_uevent_socks; i++)
		what[n] = "uevent socket", paths[n++] = o->uevent_socks[i];
	for (int i = 0; i < n; i++) {
		if (!paths[i][0] || !path_below(paths[i], mnt))
			continue;
		fprintf(stderr, "hotmemfs: %s %s is inside the mountpoint %s: this hotmemfs would serve "
				"it to itself and hang; choose a path outside it\n",
			what[i], paths[i], mnt);
		return -EINVAL;
	}
	return 0;
}

/* the state file opened, the machine chosen and booted, its tree made */
static int prepare_machine(struct hmfs_ctx *ctx, const struct opts *o,
			   const struct parsed_profile *parsed, struct start_made *made,
			   bool *refused)
{
	char err[STATE_ERRLEN] = "";
	bool saved = false;
	int ret;

	/* before --fresh removes anything: it may be another hotmemfs's file */
	if (o->state) {
		mkdir_parent("state file", o->state, &made->state_dir);
		ret = hmfs_state_open(ctx, o->state, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "hotmemfs: %s\nhotmemfs: refusing to start\n", err);
			return ret;
		}
	}
	/* aside until the new machine is saved: a start failing before puts it back */
	ret = o->fresh ? hmfs_state_set_aside(ctx, err, sizeof(err)) : 0;
	/* not a regular file (put there since the start's check): its type said */
	if (ret == -EINVAL && refuse_foreign_file("state file", o->state, S_IFREG)) {
		*refused = true;
		return ret;
	}
	if (ret) {
		/* booting anew beside the old file would restore it at the next start */
		fprintf(stderr, "hotmemfs: --fresh: setting the state file %s aside: %s\n"
				"hotmemfs: refusing to start\n", o->state, err);
		*refused = true;
		return ret;
	}
	ret = choose_machine(ctx, o, !ctx->state_journal_made, &saved);
	/* out of memory mends by itself: 1, restarted by systemd, not EXIT_REFUSED */
	*refused = ret && ret != -ENOMEM;
	/* a command line without --cmdline is the state file's (choose_machine()) */
	if (!ret)
		ret = boot(ctx, parsed, o->cmdline ? NULL : o->state, saved,
			   !ctx->state_journal_made, refused);
	/* only for a machine that booted: a refused boot leaves no /run/hotmem made */
	if (!ret && ctx->ctl_path[0])
		mkdir_parent("control socket", ctx->ctl_path, &made->ctl_dir);
	/* after the options' own errors, before anything is restored or mounted */
	if (!ret)
		ret = refuse_live_socket(ctx->ctl_path);
	if (!ret)
		ret = hmfs_tree_init(ctx);
	return ret;
}

/*
 * --io-uring on a kernel that will not serve it: refused before anything
 * is made.  The kernel offers FUSE over io_uring at INIT only while fuse's
 * enable_uring parameter is Y (fs/fuse/inode.c fuse_send_init(), 6.14+),
 * a setting of the whole host that hotmemfs leaves to its admin.
 */
static int refuse_io_uring(const struct opts *o)
{
	char why[200];
	int ret;

	if (!o->io_uring)
		return 0;
	ret = hmfs_uring_check(why, sizeof(why));
	if (ret == -EOPNOTSUPP)
		fprintf(stderr, "hotmemfs: --io-uring: %s; start without --io-uring\n", why);
	else if (ret)
		fprintf(stderr, "hotmemfs: --io-uring: the kernel serves FUSE over io_uring only while "
			"fuse's enable_uring parameter is Y, and it is not: as root, `echo Y > "
			"/sys/module/fuse/parameters/enable_uring` (hotmemfs never changes it), or start "
			"without --io-uring\n");
	return ret;
}

static int prepare(struct hmfs_ctx *ctx, const struct opts *o, struct start_made *made,
		   bool *found, bool *refused)
{
	struct parsed_profile *parsed = NULL;
	char err[STATE_ERRLEN] = "";
	int ret;

	snprintf(ctx->ctl_path, sizeof(ctx->ctl_path), "%s", o->control ? o->control : "");
	ctx->attr_timeout = o->attr_timeout;
	ctx->sync_background = o->sync_background;
	ctx->restore_partial = o->restore_partial;
	ret = refuse_live_mount(o->mountpoint);
	if (!ret) {
		/* the options' own errors: they cannot mend by themselves */
		ret = refuse_not_directory(o->mountpoint);
		if (!ret)
			ret = refuse_paths_inside(o, ctx->ctl_path);
		if (!ret)
			ret = refuse_foreign_files(o, ctx->ctl_path);
		if (!ret)
			ret = refuse_io_uring(o);
		if (!ret)
			ret = check_explicit_machine(o, &parsed);
		if (!ret)
			ret = refuse_missing_mountpoint(o->mountpoint);
		*refused = ret;
	}
	if (ret)
		return ret;
	ret = prepare_machine(ctx, o, parsed, made, refused);
	free(parsed);
	if (ret)
		return ret;
	/* a new machine's boot: a state file restored puts its own back */
	if (!hmfs_boot_id_make(ctx->boot_id)) {
		fprintf(stderr, "hotmemfs: making the machine's boot_id: getrandom: %s\n",
			strerror(errno));
		return -errno;
	}
	/* the acknowledged machine comes back whatever the host's memory now */
	hotmem_host_reserve_suspend(ctx->hm, true);
	ret = hmfs_state_load(ctx, found, err, sizeof(err));
	hotmem_host_reserve_suspend(ctx->hm, false);
	if (ret) {
		refuse_state(ret, err, ctx->state_path, &ctx->journal_damage,
			     !ctx->state_journal_made);
		*refused = ret != -ENOMEM; /* as choose_machine()'s */
		return ret;
	}
	if (*found)
		say_restored(ctx);

	ret = hmfs_uevent_sink_init(&ctx->sink, o->netns);
	if (ret == -EADDRINUSE && !o->netns) {
		/* the namespace we were started in has a hotmemfs already (finalK K2) */
		fprintf(stderr, "hotmemfs: our network namespace: %s\n", ctx->sink.nl_status);
		*refused = true;
		return ret;
	}
	if (ret && o->netns) {
		fprintf(stderr, "hotmemfs: --netns %s: %s\n", o->netns, ctx->sink.nl_status);
		/* another hotmemfs has the namespace (uevent.c claim_take()): no restart mends it */
		*refused = ret == -EADDRINUSE;
		return ret;
	}
	fprintf(stderr, "hotmemfs: uevents over netlink %s\n", ctx->sink.nl_status);
	/* each claimed there: another hotmemfs sending to one is said (uevent.c path_claim()) */
	for (int i = 0; i < o->nr_uevent_socks; i++) {
		ret = hmfs_uevent_sink_add_path(&ctx->sink, o->uevent_socks[i]);
		if (ret) {
			/* check_socket_path() refused these already: not reached */
			fprintf(stderr, "hotmemfs: --uevent-socket %s: %s\n", o->uevent_socks[i],
				strerror(-ret));
			*refused = true;
			return ret;
		}
	}
	ret = hmfs_uevent_sink_start(&ctx->sink);
	if (ret) {
		fprintf(stderr, "hotmemfs: the uevent socket's sender thread: %s\n", strerror(-ret));
		return ret;
	}
	ret = hmfs_events_start(ctx);
	/* the virtio-mem retry timers' thread with the notifier's: a restore's armed ones wait */
	return ret ? ret : hmfs_dev_timer_start(ctx);
}

/*
 * ---- the stop signals, and the children they must not reach ----------
 *
 * SIGTERM, SIGINT and SIGHUP are blocked in every thread from the start
 * and taken by the stopper alone (below).  A child inherits the mask
 * across fork and exec: libfuse's fusermount3 (a user's mount and
 * unmount: fork and exec in libfuse 3.14's fuse_mount_fusermount() and
 * fuse_kern_unmount()) could not be interrupted or stopped by them --
 * a Ctrl-C or a kill(1) of a fusermount3 stuck on its mountpoint did
 * nothing.  So a child of a fork gets our mask without them, by a child
 * handler (pthread_atfork()), and a child we posix_spawn() by the
 * mask we give it.  Newer libfuse posix_spawn()s fusermount3
 * with no attributes, where no handler runs: there the child keeps the
 * mask of the thread that mounts or unmounts (main's, which must keep
 * them blocked).  The auto_unmount helper that fusermount3 leaves running
 * blocks every signal itself.
 */
#define STOP_KICK (SIGRTMIN + 1)
/* stopper_end() wakes the stopper's sigwait() with this one */
#define STOP_WAKE (SIGRTMIN + 2)

/*
 * What the stopper waits for: SIGTERM, SIGINT, SIGHUP -- each only if it
 * was at its default action when we started, libfuse's rule
 * (fuse_set_signal_handlers()).  One ignored (nohup, a background job of
 * a non-interactive shell, `trap '' INT`) stays ignored: blocked, the
 * kernel would queue it for our sigwait() instead of dropping it
 * (sig_ignored() skips a blocked signal), and a hangup or a Ctrl-C meant
 * for the starting shell would unmount the tree (review9 #2, 901edb3).
 * Nothing here ever changes their actions, so asking again later gives
 * the same set.  Async-signal-safe (fork_child_signals()).
 */
static void stop_signals(sigset_t *set)
{
	/*
	 * and SIGUSR1, SIGUSR2, which do not stop (stopper_main()): at their
	 * default action they ended hotmemfs at once, its mount left dead
	 * (usereye8 #9), where hotmemd takes them (`systemctl kill -s USR1`
	 * reaches both daemons alike)
	 */
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_DFL)
			sigaddset(set, sigs[i]);
	}
	sigaddset(set, STOP_WAKE);
}

/* a child's mask: the calling thread's without the stop signals (async-signal-safe) */
static void child_sigmask(sigset_t *mask)
{
	sigset_t stop;

	pthread_sigmask(SIG_SETMASK, NULL, mask);
	stop_signals(&stop);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&stop, sig) == 1)
			sigdelset(mask, sig);
}

/* pthread_atfork()'s child handler: the child of a fork is single-threaded */
static void fork_child_signals(void)
{
	sigset_t mask;

	child_sigmask(&mask);
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

/* @pid's exit status, waited for @ms at most: -ETIMEDOUT, it is killed (not waited for) */
static int wait_child(pid_t pid, int ms, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	int ret = 0;

	if (pfd >= 0) {
		while (poll(&p, 1, ms) < 0 && errno == EINTR)
			;
		close(pfd);
	}
	/* no pidfd (before 5.3): the wait is not bounded */
	if (waitpid(pid, status, pfd >= 0 ? WNOHANG : 0) != pid) {
		kill(pid, SIGKILL);
		ret = -ETIMEDOUT;
	}
	return ret;
}

/*
 * Take the tree off @mnt, lazily: what is open in it stays open,
 * nobody new gets in.  umount2(MNT_DETACH) needs CAP_SYS_ADMIN; a
 * user's mount is fusermount3's to take off, `fusermount3 -u -q -z` as
 * libfuse's fuse_kern_unmount() runs it (the stale mount mount_fs()
 * finds, a second signal's and a stuck stop's exit).  Says so when the
 * tree stays, and what the user can do.
 */
static void detach_mount(const char *mnt)
{
	char *const argv[] = { "fusermount3", "-u", "-q", "-z", "--", (char *)mnt, NULL };
	posix_spawnattr_t a;
	sigset_t mask;
	int ret, status = 0;
	pid_t pid;

	if (!mnt[0] || !umount2(mnt, MNT_DETACH) || errno != EPERM)
		return;
	child_sigmask(&mask);
	posix_spawnattr_init(&a);
	posix_spawnattr_setsigmask(&a, &mask);
	posix_spawnattr_setflags(&a, POSIX_SPAWN_SETSIGMASK);
	ret = -posix_spawnp(&pid, "fusermount3", NULL, &a, argv, environ);
	posix_spawnattr_destroy(&a);
	if (!ret)
		ret = wait_child(pid, FUSERMOUNT_WAIT_MS, &status);
	if (!ret && WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	fprintf(stderr, "hotmemfs: cannot detach %s: fusermount3 -u -z %s; run `fusermount3 -u -z %s`\n",
		mnt,
		ret == -ETIMEDOUT ? "did not end" :
		ret		  ? strerror(-ret) :
				    "failed",
		mnt);
}

static struct fuse_session *mount_fs(struct hmfs_ctx *ctx, const struct opts *o)
{
	char mopts[1024];
	char *argv[4];
	int argc = 0;
	struct fuse_args args;
	struct fuse_session *se;

	/*
	 * allow_other: sysfs is readable by everyone, and non-root readers
	 * must get the kernel's EACCES on writes, not FUSE's blanket EACCES.
	 * An unprivileged user may not have it (fuse.conf user_allow_other).
	 */
	snprintf(mopts, sizeof(mopts), "default_permissions%s,fsname=hotmemfs,subtype=hotmemfs%s%s",
		 geteuid() == 0 ? ",allow_other" : "", o->fuse_opts ? "," : "",
		 o->fuse_opts ? o->fuse_opts : "");
	argv[argc++] = "hotmemfs";
	argv[argc++] = "-o";
	argv[argc++] = mopts;
	if (o->debug)
		argv[argc++] = "-d";
	args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	/*
	 * A hotmemfs killed with -9 leaves its mount "not connected".  statfs
	 * always asks the server (access/stat may answer from the cache).
	 */
	if (mount_probe(o->mountpoint) == -ENOTCONN) {
		fprintf(stderr, "hotmemfs: %s: stale mount of a dead hotmemfs, detaching it\n",
			o->mountpoint);
		detach_mount(o->mountpoint);
	}
	se = fuse_session_new(&args, &hmfs_ops, sizeof(hmfs_ops), ctx);
	fuse_opt_free_args(&args); /* the session may have copied them */
	if (!se)
		return NULL;
	if (fuse_session_mount(se, o->mountpoint)) {
		fuse_session_destroy(se);
		return NULL;
	}
	/* before the notifier sees the session: its notifications go through the custom io */
	if (o->io_uring && hmfs_session_uring(ctx, se)) {
		fprintf(stderr, "hotmemfs: --io-uring: cannot set up the transport: out of memory\n");
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		return NULL;
	}
	return se;
}

/*
 * ---- stopping: SIGTERM, SIGINT, SIGHUP ----------------------------------
 *
 * Not libfuse's handlers (fuse_set_signal_handlers()), which end the
 * session loop at once: the notifier may be inside the kernel then
 * (fuse_reverse_inval_entry() waiting for a directory's inode lock that a
 * lookup holds while its request waits to be read), and with nobody
 * reading /dev/fuse it never comes back -- the teardown that drains it,
 * every write reply held for it and the writers (in D, SIGKILL or not)
 * hang for good (review4).  The three signals (those not ignored at
 * start, stop_signals()) are blocked in every thread from the start (a
 * signal during boot waits) and taken by a thread of their own, the
 * stopper, from the mount to the end of teardown (stopper_main()):
 *  - the first one stops: a thread of its own (stopper_end_loop()) has
 *    the notifier leave the kernel for good while the loop still
 *    answers (notifier_leave()), and only then ends the loop:
 *    fuse_session_exit(), and a STOP_KICK to the loop's thread to
 *    interrupt its read of /dev/fuse, again every STOP_KICK_MS until the
 *    loop says it is done (a kick that lands between the loop's check of
 *    the exit flag and its read is lost).  A loop that ended by itself
 *    (fusermount -u, umount, its connection aborted) began the stop
 *    already: the signal is told so, and counts as the first;
 *  - the second one stops at once (stop_now()), but one of the first's
 *    kind right after it, before the stop said it waits: the same stop
 *    (stop_same_locked(), coreutils timeout's two).
 * The stop's waits for the notifier share one deadline, --stop-wait from
 * the stop's start (the first signal, or the loop's own end): the
 * notifier's call may wait for a reader that holds a directory's lock as
 * long as it likes (a getdents64 into a faulting buffer), which nothing
 * of ours can end.  A notifier not out within STOP_SAY_WAIT_MS is said
 * at once: what the stop waits for, how long, and that a second signal
 * stops now.  Past it, the stop says what it waited for, ends the
 * loop without it, saves the machine, detaches the tree and exits 1
 * (stop_stuck()) -- the process is gone once that call returns.  Ending
 * the loop then cannot leave a lookup of ours unanswered holding the
 * lock: a reader that took it before the notifier began to wait was
 * answered long since, a later one queues behind the notifier (an
 * rwsem's waiting writer holds back new readers).  The same deadline
 * bounds the rest of the stop (watch_main()): a request the session
 * still serves, an eject, the final save, the control connections.
 */
#define STOP_KICK_MS 20
/*
 * A stop whose notifier is not out of the kernel this long after it
 * began says at once that it waits, how long at most and how to stop
 * now: silent for --stop-wait (30 s), its user reached for kill -9
 * (usereye2 #3).  A notifier that is not stuck is out in microseconds.
 */
#define STOP_SAY_WAIT_MS 200

struct stopper {
	struct hmfs_ctx *ctx;
	long wait_ms; /* --stop-wait */
	/* main's final save: 1 done, 0 not tried, -errno failed (stop_stuck() says); atomic */
	int saved;
	pthread_t thread, loop_thread;
	pthread_t ender; /* stopper_end_loop(), the first signal's */
	pthread_t gone; /* gone_main(): hmfs_events_kernel_gone(), waited for until the deadline */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool started; /* main's: the stopper thread runs */
	/* under lock: */
	bool loop_done, began, signalled, ender_started, gone_started, gone_done, said_stuck;
	bool said_wait;
	bool watch_started, done; /* watch_main() runs; the stop is past its waits (stopper_end()) */
	const char *waiting; /* what the stop waits for once the loop ended (stop_waiting()) */
	pthread_t watch; /* watch_main(): the whole stop's bound */
	int sig; /* the first stop signal, 0 if none (the loop ended by itself) */
	struct timespec same_until; /* the first signal's + STOP_SAME_MS (stop_same_locked()) */
	struct timespec deadline; /* the stop's, once it began */
	/*
	 * Held while the mount changes hands -- teardown's unmount, a detach
	 * (stop_now(), stop_stuck()) -- so that no detach acts on the path
	 * once teardown unmounted it: the path names what hotmemfs was
	 * mounted over then (review10 D1).
	 */
	pthread_mutex_t mount_lock;
	bool unmounted; /* under mount_lock: teardown's fuse_session_unmount() is done */
	struct mount_ident mnt; /* ours: main's, right after the mount */
};

/* the kick only interrupts a syscall (stop_kick_restart()) */
static void stop_kick_handler(int sig)
{
	(void)sig;
}

/*
 * STOP_KICK's action: SA_RESTART always but while the stop kicks the
 * loop (stopper_end_loop()).  The kick must interrupt the loop's read of
 * /dev/fuse, which restarts under SA_RESTART (fuse_dev_do_read()'s
 * -ERESTARTSYS).  But the signal is unblocked in every thread, and one
 * sent from outside (kill -s RTMIN+1, a burst lands in any thread)
 * interrupted whatever syscall it met: a control connection's recv()
 * ended with EINTR, and the connection with it.  With SA_RESTART such a
 * syscall goes on; the ones that never restart (poll(), nanosleep())
 * retry on EINTR.  The flag is read when a signal is delivered, so
 * dropping it just before the first kick lets every kick interrupt.
 */
static void stop_kick_restart(bool restart)
{
	struct sigaction sa = { .sa_handler = stop_kick_handler,
				.sa_flags = restart ? SA_RESTART : 0 };

	sigemptyset(&sa.sa_mask);
	sigaction(STOP_KICK, &sa, NULL);
}

/* before any thread exists: every thread inherits the blocked signals */
static void stop_signals_block(void)
{
	sigset_t set;

	stop_kick_restart(true);
	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_atfork(NULL, NULL, fork_child_signals);
}

/*
 * Exit at once, every thread with us: exit_group(2) itself.  _exit() is
 * a sanitizer's to intercept: ThreadSanitizer's sleeps (atexit_sleep_ms)
 * and looks for leaks while the other threads run on -- the stop under
 * way among them, finishing threads nobody joins; what it found before
 * is reported already.
 */
static void __attribute__((noreturn)) exit_now(int status)
{
	syscall(SYS_exit_group, status);
	_exit(status);
}

/* the mountpoint still names our mount; when not, says so */
static bool mount_ours_said(struct stopper *st)
{
	const char *mnt = st->ctx->mountpoint;

	if (mount_still_ours(mnt, &st->mnt))
		return true;
	fprintf(stderr, "hotmemfs: %s is no longer hotmemfs's mount (unmounted from outside): "
			"not detaching what it names now\n", mnt);
	return false;
}

/*
 * Caller holds st->mount_lock, teardown has not unmounted: the tree
 * detached, if the mountpoint still names it.
 */
static void detach_ours_locked(struct stopper *st)
{
	if (mount_ours_said(st))
		detach_mount(st->ctx->mountpoint);
}

static const char *stop_signal_name(int sig)
{
	return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP";
}

/*
 * A second stop signal while the stop waits (the notifier stuck in the
 * kernel on a directory's lock, a control command, the final save):
 * stop at once, as systemd's stop timeout and SIGKILL would -- what was
 * acknowledged is in the state file already.  The tree is detached
 * first.  A thread of the notifier's still in the kernel holds the exit
 * until it comes out (it waits uninterruptibly), the mount is gone by
 * then.
 */
static void stop_now(struct stopper *st, int sig)
{
	pthread_mutex_lock(&st->mount_lock);
	if (st->unmounted) {
		/* past every wait a second signal skips: what is left frees memory */
		pthread_mutex_unlock(&st->mount_lock);
		fprintf(stderr, "hotmemfs: %s: the tree is unmounted already; hotmemfs exits once "
				"it has freed the machine\n", stop_signal_name(sig));
		return;
	}
	fprintf(stderr,
		"hotmemfs: second signal (%s): stopping without waiting for the notifier, "
		"control commands or the final save\n",
		stop_signal_name(sig));
	detach_ours_locked(st);
	/* the socket is still ours until hmfs_ctl_stop() takes it away */
	if (__atomic_load_n(&st->ctx->ctl_started, __ATOMIC_ACQUIRE))
		hmfs_ctl_unlink(st->ctx);
	exit_now(1); /* mount_lock held: teardown's unmount never comes */
}

/*
 * What follows the notifier's give-up at the deadline (the session's end,
 * the final save: stop_stuck()) has this long more before watch_main()
 * gives up on it too
 */
#define STOP_FINISH_MS 5000

static void *watch_main(void *arg);

/* Caller holds st->lock: the stop's deadline starts with the stop, and its watch */
static void stop_begin_locked(struct stopper *st)
{
	if (st->began)
		return;
	st->began = true;
	hmfs_deadline_after(&st->deadline, st->wait_ms);
	/* no thread: the notifier's wait alone is bounded, as before */
	st->watch_started = !pthread_create(&st->watch, NULL, watch_main, st);
}

/* what the stop waits for from now on, once the loop ended (watch_main() says it) */
static void stop_waiting(struct stopper *st, const char *what)
{
	pthread_mutex_lock(&st->lock);
	st->waiting = what;
	pthread_mutex_unlock(&st->lock);
}

static void *gone_main(void *arg)
{
	struct stopper *st = arg;

	hmfs_events_kernel_gone(st->ctx);
	pthread_mutex_lock(&st->lock);
	st->gone_done = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* @ms as seconds: "30", "2.500" */
static const char *seconds_str(char *buf, size_t len, long ms)
{
	if (ms % 1000)
		snprintf(buf, len, "%ld.%03ld", ms / 1000, ms % 1000);
	else
		snprintf(buf, len, "%ld", ms / 1000);
	return buf;
}

/*
 * Caller holds st->lock; once: the notifier is not out yet, the stop
 * waits for it -- what for, how long at most, and how to stop now
 */
static void say_wait_locked(struct stopper *st)
{
	const char *sig = st->sig ? stop_signal_name(st->sig) : "SIGTERM";
	char secs[32];

	if (st->said_wait)
		return;
	st->said_wait = true;
	fprintf(stderr,
		"hotmemfs: %s%s: waiting up to %s s (--stop-wait) for the notifier to leave the "
		"kernel (a reader of the mount holds a directory's lock, memory/'s?); "
		"a %s%s stops now\n",
		st->sig ? sig : "stop", st->sig ? ": stopping" : "",
		seconds_str(secs, sizeof(secs), st->wait_ms), st->sig ? "second " : "", sig);
}

/*
 * what a stop without the notifier does with the machine: saved where, or
 * not at all.  A signal's stop gives up before main's final save (the
 * loop still ran): "saved" only once it was, stop_stuck()'s line says how
 * it went (review12 N1).
 */
static const char *stuck_save_str(const struct stopper *st, char *buf, size_t len)
{
	if (!st->ctx->state_path[0])
		return "no state file: nothing is saved";
	snprintf(buf, len, __atomic_load_n(&st->saved, __ATOMIC_ACQUIRE) > 0 ?
		 "the machine is saved to %s" : "the final save to %s is tried",
		 st->ctx->state_path);
	return buf;
}

/* Caller holds st->lock; once: the stop gives up on the notifier */
static void say_stuck_locked(struct stopper *st)
{
	char saved[PATH_MAX + 64];

	if (st->said_stuck)
		return;
	st->said_stuck = true;
	/* a control command waiting for its events replies now (stop_replies_out()) */
	hmfs_events_give_up(st->ctx);
	fprintf(stderr,
		"hotmemfs: stop: the notifier is still inside the kernel after %ld.%03ld s "
		"(--stop-wait): its invalidation (fuse_reverse_inval_entry) waits for a directory's "
		"lock that a reader of the mount holds (see /proc/%ld/task/*/stack); stopping "
		"without it: the session ends, %s, the tree detached, and "
		"hotmemfs exits 1 once that call returns; a write whose reply waits for it gets "
		"an error then, its change made\n",
		st->wait_ms / 1000, st->wait_ms % 1000, (long)getpid(),
		stuck_save_str(st, saved, sizeof(saved)));
}

/* Caller holds st->lock: true once the notifier is out, false if @until passed first */
static bool gone_by_locked(struct stopper *st, const struct timespec *until)
{
	int err = 0;

	while (!st->gone_done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&st->cond, &st->lock, until);
	return st->gone_done;
}

/*
 * The notifier leaves the kernel for good (hmfs_events_kernel_gone(), in
 * a thread of its own), waited for until the stop's deadline.  False:
 * it is still in there, and said so.  The stopper asks while the loop
 * answers, teardown again (a loop that ended by itself, or no stopper).
 */
static bool notifier_leave(struct stopper *st)
{
	struct timespec say;
	bool out;

	pthread_mutex_lock(&st->lock);
	stop_begin_locked(st);
	/*
	 * Never mounted (a start refused before mount_fs(), its session not
	 * published): the notifier never entered the kernel (kernel_enter()
	 * needs ctx->se), so it is out at once, with nothing to wait for or
	 * to say.  Under load the helper thread could take longer than
	 * STOP_SAY_WAIT_MS to run, and a refused boot printed "stop: waiting
	 * up to 30 s ... for the notifier to leave the kernel" after its
	 * refusal (tests/engine/profile-words.t check 7, once in CI).
	 */
	if (!st->gone_started && !st->gone_done && !__atomic_load_n(&st->ctx->se, __ATOMIC_ACQUIRE)) {
		hmfs_events_kernel_gone(st->ctx);
		st->gone_done = true;
	}
	if (!st->gone_started && !st->gone_done) {
		st->gone_started = !pthread_create(&st->gone, NULL, gone_main, st);
		if (!st->gone_started) {
			/* no thread: wait here, unbounded (the lock is not ours to hold meanwhile) */
			pthread_mutex_unlock(&st->lock);
			hmfs_events_kernel_gone(st->ctx);
			pthread_mutex_lock(&st->lock);
			st->gone_done = true;
		}
	}
	/* not out soon: say so now, not only once the deadline passed */
	hmfs_deadline_after(&say, STOP_SAY_WAIT_MS);
	if (st->deadline.tv_sec < say.tv_sec ||
	    (st->deadline.tv_sec == say.tv_sec && st->deadline.tv_nsec < say.tv_nsec))
		say = st->deadline;
	if (!gone_by_locked(st, &say) && !hmfs_deadline_passed(&st->deadline))
		say_wait_locked(st);
	out = gone_by_locked(st, &st->deadline);
	if (!out)
		say_stuck_locked(st);
	pthread_mutex_unlock(&st->lock);
	return out;
}

/* the first signal's: the notifier out of the kernel, then the loop ended */
static void *stopper_end_loop(void *arg)
{
	struct stopper *st = arg;
	struct timespec ts;

	/* an offline under way (a store's, a control command's) ends: it holds change_lock */
	__atomic_store_n(&st->ctx->stopping, true, __ATOMIC_RELEASE);
	/* the loop still reads: the call in flight is answered (or the deadline passes) */
	notifier_leave(st);
	fuse_session_exit(__atomic_load_n(&st->ctx->se, __ATOMIC_ACQUIRE));
	stop_kick_restart(false);
	pthread_mutex_lock(&st->lock);
	while (!st->loop_done) {
		pthread_kill(st->loop_thread, STOP_KICK);
		hmfs_deadline_after(&ts, STOP_KICK_MS);
		pthread_cond_timedwait(&st->cond, &st->lock, &ts);
	}
	pthread_mutex_unlock(&st->lock);
	stop_kick_restart(true);
	return NULL;
}

/*
 * A second signal of the first's kind this soon after it, while the stop
 * has said nothing yet (say_wait_locked(): "a second SIGTERM stops now"),
 * is the same stop: coreutils timeout sends its signal to its child and
 * then to its own process group, the child in it (timeout.c's
 * send_sig(monitored_pid), then send_sig(0)), and a Ctrl-C reaches a
 * whole foreground process group.  Two back to back were a second
 * signal's stop: exit 1, no final save, the socket left (usereye3 #13).
 */
#define STOP_SAME_MS 500

/* Caller holds st->lock: @sig, not the first, is the first's stop again */
static bool stop_same_locked(const struct stopper *st, int sig)
{
	return sig == st->sig && !st->said_wait && !hmfs_deadline_passed(&st->same_until);
}

/* a stop signal: the first stops, the second stops at once (but stop_same_locked()) */
static void stopper_take(struct stopper *st, int sig)
{
	bool first, ended, ender;

	pthread_mutex_lock(&st->lock);
	first = !st->signalled;
	if (!first && stop_same_locked(st, sig)) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	st->signalled = true;
	if (first) {
		st->sig = sig;
		hmfs_deadline_after(&st->same_until, STOP_SAME_MS);
	}
	ended = st->loop_done;
	stop_begin_locked(st);
	if (first && !ended)
		st->ender_started = !pthread_create(&st->ender, NULL, stopper_end_loop, st);
	ender = st->ender_started;
	pthread_mutex_unlock(&st->lock);
	if (!first) {
		stop_now(st, sig);
		return;
	}
	if (ended)
		fprintf(stderr,
			"hotmemfs: %s: the stop is under way already (the session ended by itself); "
			"it waits for the notifier until --stop-wait from its start, a second signal "
			"stops at once\n",
			stop_signal_name(sig));
	else if (!ender)
		stopper_end_loop(st); /* no thread for it: here, a second signal waits */
}

/*
 * STOP_WAKE is stopper_end()'s only when it comes from our own pid with
 * a kernel-filled code: its pthread_kill() is a tgkill() (SI_USER on
 * 6.18, SI_TKILL on older kernels), which carries the sender's real pid,
 * and rt_tgsigqueueinfo() refuses those codes from another process
 * (kernel/signal.c do_rt_tgsigqueueinfo()).  One from outside (kill -s
 * RTMIN+2) ended the stopper, and every stop signal after it stayed
 * blocked, never taken (review10 nit 4).
 */
static bool stop_woken(const siginfo_t *si)
{
	if ((si->si_code >= 0 || si->si_code == SI_TKILL) && si->si_pid == getpid())
		return true;
	fprintf(stderr, "hotmemfs: ignoring SIGRTMIN+%d from pid %ld: it is hotmemfs's own\n",
		STOP_WAKE - SIGRTMIN, (long)si->si_pid);
	return false;
}

/*
 * SIGUSR1: where this hotmemfs runs, into the log, as hotmemd's SIGUSR1
 * logs its status; read from nothing that locks (a stop signal after it
 * must not wait behind an eject): `hotmemctl status` has the machine.
 * SIGUSR2 is ignored, said so.
 */
static void stopper_user_signal(const struct stopper *st, int sig, const siginfo_t *si)
{
	const struct hmfs_ctx *ctx = st->ctx;

	if (sig == SIGUSR2) {
		fprintf(stderr, "hotmemfs: SIGUSR2 from pid %ld ignored (SIGUSR1 says where hotmemfs "
				"runs; SIGTERM, SIGINT, SIGHUP stop it)\n",
			(long)si->si_pid);
		return;
	}
	fprintf(stderr, "hotmemfs: SIGUSR1 from pid %ld: running, pid %ld, mounted on %s, ", (long)si->si_pid,
		(long)getpid(), ctx->mountpoint);
	if (ctx->ctl_path[0])
		fprintf(stderr, "control socket %s (`hotmemctl -s %s status` shows the machine)\n",
			ctx->ctl_path, ctx->ctl_path);
	else
		fputs("control off\n", stderr);
}

static void *stopper_main(void *arg)
{
	struct stopper *st = arg;
	siginfo_t si;
	sigset_t set;
	int sig;

	stop_signals(&set);
	for (;;) {
		sig = sigwaitinfo(&set, &si);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0 || (sig == STOP_WAKE && stop_woken(&si)))
			return NULL; /* stopper_end(): the stop is done */
		if (sig == SIGUSR1 || sig == SIGUSR2)
			stopper_user_signal(st, sig, &si);
		else if (sig != STOP_WAKE)
			stopper_take(st, sig);
	}
}

/* before anything may need it: teardown asks notifier_leave() always */
static void stopper_init(struct stopper *st, struct hmfs_ctx *ctx, long wait_ms)
{
	pthread_condattr_t a;

	*st = (struct stopper){ .ctx = ctx, .wait_ms = wait_ms };
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->mount_lock, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cond, &a);
	pthread_condattr_destroy(&a);
}

/* stopper_init()'s, undone in reverse: every thread that took them is joined (stopper_end()) */
static void stopper_fini(struct stopper *st)
{
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->mount_lock);
	pthread_mutex_destroy(&st->lock);
}

static int stopper_start(struct stopper *st)
{
	int ret;

	st->loop_thread = pthread_self();
	ret = -pthread_create(&st->thread, NULL, stopper_main, st);
	st->started = !ret;
	return ret;
}

/* the loop returned, by the stopper's doing or its own (unmounted) */
static void stopper_stop(struct stopper *st)
{
	bool ender, signalled;

	pthread_mutex_lock(&st->lock);
	st->loop_done = true;
	stop_begin_locked(st);
	ender = st->ender_started;
	signalled = st->signalled;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	if (ender)
		pthread_join(st->ender, NULL);
	if (!signalled)
		fprintf(stderr, "hotmemfs: the session ended by itself (unmounted, or its "
				"connection aborted): stopping\n");
}

/* after teardown's unmount: a signal from now on waits, blocked, for our exit */
static void stopper_end(struct stopper *st)
{
	bool watch;

	if (st->started) {
		pthread_kill(st->thread, STOP_WAKE);
		pthread_join(st->thread, NULL);
		st->started = false;
	}
	if (st->gone_started)
		pthread_join(st->gone, NULL); /* out of the kernel: notifier_leave() said so */
	st->gone_started = false;
	/* past every wait: the stop's watch ends */
	pthread_mutex_lock(&st->lock);
	st->done = true;
	pthread_cond_broadcast(&st->cond);
	watch = st->watch_started;
	pthread_mutex_unlock(&st->lock);
	if (watch)
		pthread_join(st->watch, NULL);
	st->watch_started = false;
}

/*
 * A stop about to exit without the notifier: a control command waiting
 * for its events replies "done (uevents not delivered: hotmemfs is
 * stopping)" (hmfs_events_give_up()) -- a device_del's client heard
 * nothing, whether its DIMM went unknown to it -- and these replies go out
 * first, STOP_REPLIES_MS at most (a client that does not read them is
 * hung up on after 2 s: ctlsock.c).  stop_stuck()'s not under
 * mount_lock: the watch may give up on this too; the watch's own
 * (stop_overdue()) under it, once it gave up on the stop.
 */
#define STOP_REPLIES_MS 3000

static void stop_replies_out(struct stopper *st)
{
	hmfs_events_give_up(st->ctx);
	if (__atomic_load_n(&st->ctx->ctl_started, __ATOMIC_ACQUIRE) &&
	    !hmfs_ctl_replies_wait(st->ctx, STOP_REPLIES_MS))
		fprintf(stderr, "hotmemfs: stop: a control command still runs after %d ms more: "
				"exiting without its reply\n", STOP_REPLIES_MS);
}

/*
 * The notifier did not come out by the stop's deadline (notifier_leave()
 * said why), and nothing of ours can end its wait.  All that is left
 * waits for it (hmfs_events_stop() joins it, a control command waits for
 * its events) or frees what it uses: the tree is detached -- nobody new
 * gets in -- and we exit 1.  The final save is done (main).
 */
static void stop_stuck(struct stopper *st)
{
	struct hmfs_ctx *ctx = st->ctx;
	int saved = __atomic_load_n(&st->saved, __ATOMIC_ACQUIRE);

	stop_replies_out(st);
	/* "saved" only when it was: the final save's result (main) */
	fprintf(stderr, "hotmemfs: detaching %s and exiting without the notifier; %s%s\n",
		ctx->mountpoint[0] ? ctx->mountpoint : "the tree",
		!ctx->state_path[0] ? "no state file: nothing saved" :
		saved > 0	    ? "the machine saved to " :
				      "the machine not saved at exit",
		ctx->state_path[0] && saved > 0 ? ctx->state_path : "");
	pthread_mutex_lock(&st->mount_lock); /* held to the exit: a second signal's detach waits */
	detach_ours_locked(st);
	if (__atomic_load_n(&ctx->ctl_started, __ATOMIC_ACQUIRE))
		hmfs_ctl_unlink(ctx);
	exit_now(1);
}

/* Caller holds st->lock: notifier_leave() waits for the notifier right now */
static bool notifier_waited_locked(const struct stopper *st)
{
	return st->gone_started && !st->gone_done && !st->said_stuck;
}

/* Caller holds st->lock: what the stop waits for now */
static const char *stop_waits_for_locked(const struct stopper *st)
{
	if (notifier_waited_locked(st))
		return "the notifier to leave the kernel";
	if (!st->loop_done)
		return "the session to end: a request of the mount still being served (a write, "
		       "its change not acknowledged)";
	return st->waiting ? st->waiting : "the stop to end";
}

/* Caller holds st->lock: false once the stop is done, true once @until passed first */
static bool stop_overdue_by_locked(struct stopper *st, const struct timespec *until)
{
	int err = 0;

	while (!st->done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&st->cond, &st->lock, until);
	return !st->done;
}

/*
 * The watch's commit to give up on the stop: true with st->mount_lock
 * held, the stop not finished; false (nothing held) once it finished
 * meanwhile.  The stop finishes with teardown's unmount, under the same
 * lock (what is left after it frees memory), or with stopper_end()
 * where there was no session to unmount.  watch_main() found the stop
 * overdue under st->lock and let it go: the stop may have finished since
 * -- teardown holding mount_lock for its unmount when the deadline
 * passed is the common way -- and was then said overdue and exited 1,
 * its final save made and the tree unmounted (review13 F3).  A lock held
 * past the deadline is said, and waited for: the unmount runs.
 */
static bool stop_overdue_commit(struct stopper *st, const char *what)
{
	char secs[32];
	bool done;

	if (pthread_mutex_trylock(&st->mount_lock)) {
		fprintf(stderr,
			"hotmemfs: stop: still waiting after %s s (--stop-wait) for %s; it is under "
			"way: the stop ends with it\n",
			seconds_str(secs, sizeof(secs), st->wait_ms), what);
		pthread_mutex_lock(&st->mount_lock);
	}
	pthread_mutex_lock(&st->lock);
	done = st->done;
	pthread_mutex_unlock(&st->lock);
	if (!done && !st->unmounted)
		return true;
	pthread_mutex_unlock(&st->mount_lock);
	return false;
}

/*
 * Past the whole stop's bound (watch_main()): say what it still waits
 * for, detach the tree, exit 1 -- unless the stop finished meanwhile
 * (stop_overdue_commit()).  Every acknowledged change is in the
 * state file: saved whole by the final save if that was done, else in
 * its journal, where each change was before its write or command was
 * answered (what survives kill -9).  A change under way was not
 * acknowledged, and is not there: the machine restarts as it was before
 * it.  A thread still in the kernel (a write to a frozen filesystem, say)
 * holds the exit until it comes out.  mount_lock is held to the exit: a
 * second signal's detach, and teardown's unmount, wait; so does the
 * stop's own end for the control commands' replies (STOP_REPLIES_MS).
 */
static void stop_overdue(struct stopper *st, const char *what)
{
	struct hmfs_ctx *ctx = st->ctx;
	int saved;
	char secs[32], state[PATH_MAX + 96];

	if (!stop_overdue_commit(st, what))
		return;
	/* what it waits for now: the commit may have waited */
	pthread_mutex_lock(&st->lock);
	what = stop_waits_for_locked(st);
	pthread_mutex_unlock(&st->lock);
	saved = __atomic_load_n(&st->saved, __ATOMIC_ACQUIRE);
	if (!ctx->state_path[0])
		snprintf(state, sizeof(state), "no state file: nothing saved");
	else if (saved > 0)
		snprintf(state, sizeof(state), "the machine saved to %s", ctx->state_path);
	else
		snprintf(state, sizeof(state), "every acknowledged change is in %s (its journal)",
			 ctx->state_path);
	fprintf(stderr,
		"hotmemfs: stop: still waiting after %s s (--stop-wait) for %s; stopping without "
		"it: %s, the tree detached, exit 1\n",
		seconds_str(secs, sizeof(secs), st->wait_ms), what, state);
	stop_replies_out(st);
	detach_ours_locked(st); /* not unmounted: stop_overdue_commit() */
	/* the socket is still ours until hmfs_ctl_stop() takes it away */
	if (__atomic_load_n(&ctx->ctl_started, __ATOMIC_ACQUIRE))
		hmfs_ctl_unlink(ctx);
	exit_now(1);
}

/*
 * The whole stop's bound: from its start (stop_begin_locked()), every
 * wait in it -- the notifier, a request the session still serves (a
 * write to a state file on a frozen or hung filesystem), an eject, the
 * final save, the control connections, the unmount -- is done by
 * --stop-wait, or hotmemfs says what it still waits for and exits 1
 * (stop_overdue()).  A notifier still inside the kernel at the deadline
 * is notifier_leave()'s to give up on (stop_stuck(), which saves the
 * machine first): what follows it has STOP_FINISH_MS more.
 */
static void *watch_main(void *arg)
{
	struct stopper *st = arg;
	struct timespec until;
	const char *what = NULL;

	pthread_mutex_lock(&st->lock);
	until = st->deadline;
	/* at the same deadline: said stuck already or not, the notifier is still in */
	if (stop_overdue_by_locked(st, &until) && st->gone_started && !st->gone_done) {
		hmfs_deadline_after(&until, STOP_FINISH_MS);
		stop_overdue_by_locked(st, &until);
	}
	if (!st->done)
		what = stop_waits_for_locked(st);
	pthread_mutex_unlock(&st->lock);
	if (what)
		stop_overdue(st, what);
	return NULL;
}

/*
 * libfuse's unmount (fuse_kern_unmount()) goes by path too --
 * umount2(MNT_DETACH), fusermount3 -u -z -- unless the session's fd
 * polls POLLERR (the connection gone: the mount was unmounted whole).  A
 * tree detached from outside while a file in it is open (umount -l,
 * fusermount3 -u -z) keeps the connection, and the path names what
 * hotmemfs was mounted over: that one went.  Then the fd is swapped for a
 * pipe's write end without a reader, which polls POLLERR: libfuse closes
 * it (the connection ends, the open files get ENOTCONN) and unmounts
 * nothing.  Caller holds st->mount_lock.
 */
static void session_unmount_locked(struct stopper *st, struct fuse_session *se)
{
	struct pollfd gone = { .fd = fuse_session_fd(se) };
	int p[2];

	/* unmounted whole (umount, fusermount3 -u): libfuse knows, and unmounts nothing */
	if ((poll(&gone, 1, 0) == 1 && (gone.revents & POLLERR)) || mount_ours_said(st)) {
		fuse_session_unmount(se);
		return;
	}
	if (pipe2(p, O_CLOEXEC))
		return; /* no unmount then: fuse_session_destroy() closes the fd */
	close(p[0]);
	if (dup2(p[1], fuse_session_fd(se)) >= 0)
		fuse_session_unmount(se);
	close(p[1]);
}

static void teardown(struct hmfs_ctx *ctx, struct stopper *st)
{
	/* first (the stopper did already, unless the loop ended by itself or never ran) */
	__atomic_store_n(&ctx->stopping, true, __ATOMIC_RELEASE);
	if (!notifier_leave(st))
		stop_stuck(st);
	/* an eject running ends first (its unplug deadline bounds it): it uses all below */
	stop_waiting(st, "an ACPI eject under way to end");
	if (ctx->acpi_slots)
		hmfs_acpi_hotplug_stop(ctx);
	hmfs_dev_timer_stop(ctx);
	stop_waiting(st, "the control connections to end (a command under way, or a client "
			 "reading its reply slowly)");
	hmfs_ctl_stop(ctx);
	stop_waiting(st, "the notifier thread to end");
	hmfs_events_stop(ctx);
	stop_waiting(st, "the unmount");
	if (ctx->se) {
		struct fuse_session *se = ctx->se;

		__atomic_store_n(&ctx->se, NULL, __ATOMIC_RELEASE);
		pthread_mutex_lock(&st->mount_lock);
		session_unmount_locked(st, se);
		st->unmounted = true;
		pthread_mutex_unlock(&st->mount_lock);
		/* --io-uring: the queues' threads serve the session: they end before it */
		hmfs_session_uring_end(ctx);
		fuse_session_destroy(se);
	}
	/*
	 * The stop is past every wait a second signal skips (the notifier,
	 * the control commands, the final save): what is left frees memory.
	 * From here on a stop signal waits, blocked, for our exit.
	 */
	stopper_end(st);
	/* a file still open when the session ended gets no RELEASE: its writer still held it */
	hmfs_open_files_free(ctx);
	/* no writer left: what the syncer still has to sync, and a compaction, need the engine */
	hmfs_state_stop_threads(ctx);
	hmfs_uevent_sink_close(&ctx->sink);
	hmfs_dev_free_all(ctx);
	hmfs_maps_snap_free(ctx);
	hmfs_tree_free(ctx);
	if (ctx->hm)
		hotmem_destroy(ctx->hm);
	hmfs_state_close(ctx);
	/* no session, no thread, no engine, no state file left: nothing takes them */
	stopper_fini(st);
	hmfs_ctx_destroy(ctx);
}

/*
 * Under the journal each line is "hotmemfs[PID]: ..." already, and the
 * "hotmemfs: " that starts hotmemfs's own lines, for a terminal, said it
 * twice (usereye4 #5).  When stderr is the journal's stream ($JOURNAL_STREAM
 * its device:inode, as systemd.exec(5) says to check; hotmemd's log.c the
 * same), stderr becomes a stream that drops that word at a line's start:
 * one place, where the messages are written in many.  Unbuffered, as
 * stderr: a line is out before a crash.
 */
static ssize_t journal_line_write(void *cookie, const char *buf, size_t len)
{
	static const char prefix[] = "hotmemfs: ";
	const size_t plen = sizeof(prefix) - 1;
	size_t i = 0, n;
	const char *nl;
	ssize_t w;

	/*
	 * A write is a whole fprintf() (unbuffered: glibc formats it into one
	 * buffer first), so a line starts at a write's start or after a '\n':
	 * no state to keep between writes.
	 */
	while (i < len) {
		if (len - i >= plen && !memcmp(buf + i, prefix, plen))
			i += plen;
		nl = memchr(buf + i, '\n', len - i);
		n = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
		for (; n; n -= w, i += w) {
			w = write(STDERR_FILENO, buf + i, n);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				return -1;
		}
	}
	return len;
}

static void stderr_for_journal(void)
{
	const cookie_io_functions_t io = { .write = journal_line_write };
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	FILE *f;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) ||
	    st.st_dev != dev || st.st_ino != ino)
		return;
	f = fopencookie(NULL, "w", io);
	if (!f)
		return;
	if (setvbuf(f, NULL, _IONBF, 0)) {
		fclose(f);
		return;
	}
	stderr = f;
}

int main(int argc, char **argv)
{
	struct start_made made = { 0 };
	struct fuse_session *se;
	struct stopper st;
	struct hmfs_ctx ctx;
	bool restored = false, refused = false, saved = false, named;
	struct opts o;
	int ret, ret_save;

	stderr_for_journal();
	if (parse_opts(argc, argv, &o))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	stop_signals_block();
	hmfs_ctx_init(&ctx);
	stopper_init(&st, &ctx, o.stop_wait_ms);
	ret = prepare(&ctx, &o, &made, &restored, &refused);
	if (ret)
		goto out;
	se = mount_fs(&ctx, &o);
	if (!se) {
		fprintf(stderr, "hotmemfs: cannot mount on %s\n", o.mountpoint);
		ret = -EIO;
		goto out;
	}
	/* the notifier runs already (prepare()): it reads the session from now on */
	__atomic_store_n(&ctx.se, se, __ATOMIC_RELEASE);
	if (!realpath(o.mountpoint, ctx.mountpoint))
		ctx.mountpoint[0] = '\0';
	/* what a detach checks the mountpoint against (mount_still_ours()) */
	if (!mount_ident_of(ctx.mountpoint, &st.mnt))
		ctx.mount_dev = st.mnt.dev;
	ret = hmfs_ctl_start(&ctx);
	if (ret) {
		fprintf(stderr, "hotmemfs: control socket %s: %s\n", ctx.ctl_path, strerror(-ret));
		goto out;
	}
	/*
	 * --fresh's old state goes with this or any later whole save (state.c
	 * drop_aside()).  Its failure (said by compact_held()) does not fail
	 * the start: nothing acknowledged depends on it.  A restored machine's
	 * file and journal stay its record (ctx->saved is the file's, changes
	 * are journaled on it); a new one has no ctx->saved until a whole save
	 * stands, so each change before that is acknowledged only once its
	 * own whole save stood (hmfs_state_append(): compact(), else the change
	 * refused and undone).  A kill -9 meanwhile brings back what the
	 * directory holds -- the --fresh start's old machine put back when no
	 * new file was renamed in -- and no acknowledged change is lost.
	 */
	hmfs_state_save(&ctx);
	saved = true; /* what the start made is the machine's now */
	/* the state file named always: the default one is the system's (usereye #14) */
	/* the profile's name, as hotmemctl status, its file's path after it where they differ */
	named = ctx.cfg.name[0] && strcmp(ctx.cfg.name, ctx.profile);
	fprintf(stderr, "hotmemfs: %s%s%s%s mounted on %s (%lu block%s of 0x%llx), control %s, state %s%s\n",
		ctx.cfg.name[0] ? ctx.cfg.name : ctx.profile, named ? " (" : "",
		named ? ctx.profile : "", named ? ")" : "", o.mountpoint, hotmem_nr_blocks(ctx.hm),
		hotmem_nr_blocks(ctx.hm) == 1 ? "" : "s", (unsigned long long)ctx.block_size, ctx.ctl_path[0] ? ctx.ctl_path : "off",
		o.state ? o.state : "none",
		!o.state ? "" : restored ? ": restored" : ": new");
	ret = stopper_start(&st);
	if (ret) {
		fprintf(stderr, "hotmemfs: cannot start the signal thread: %s\n", strerror(-ret));
		goto out;
	}
	sd_notify_ready();

	ret = hmfs_session_loop(&ctx, o.threads);
	if (ret < 0)
		fprintf(stderr, "hotmemfs: serving %s: %s\n", o.mountpoint, strerror(-ret));
	if (!ret && hmfs_uring_refused(ctx.uring)) {
		char why[200];

		/* uring.c ended the session at INIT (or a queue's REGISTER): not served at all */
		fprintf(stderr, "hotmemfs: --io-uring: the kernel did not serve FUSE over io_uring: "
			"%s; set /sys/module/fuse/parameters/enable_uring to Y (as root; hotmemfs "
			"never changes it) or start without --io-uring\n",
			hmfs_uring_describe(ctx.uring, why, sizeof(why)));
		ret = -EOPNOTSUPP;
		refused = true;
	}
	stopper_stop(&st);
	/* the ejects queued dropped, the running one ended: none after the last save */
	stop_waiting(&st, "an ACPI eject under way to end");
	hmfs_acpi_hotplug_stop(&ctx);
	/* nor a virtio-mem driver's retry after the final save */
	stop_waiting(&st, "a virtio-mem driver's retry under way to end");
	hmfs_dev_timer_stop(&ctx);
	/* a clean exit leaves the whole machine in the state file, the journal empty */
	stop_waiting(&st, "the final save");
	ret_save = hmfs_state_save(&ctx);
	if (ret_save == -EROFS)
		fprintf(stderr, "hotmemfs: the machine is not saved at exit: %s\n", hmfs_state_frozen_why(&ctx));
	else if (ret_save)
		hmfs_state_say_exit_unsaved(&ctx);
	/* read by watch_main() too */
	__atomic_store_n(&st.saved, ret_save ? ret_save : 1, __ATOMIC_RELEASE);
out:
	if (ret && !saved) {
		hmfs_state_put_back(&ctx);
		hmfs_state_unmake(&ctx); /* before teardown() lets the lock go */
	}
	teardown(&ctx, &st);
	if (ret && !saved)
		start_unmake_dirs(&made);
	return ret ? (refused ? EXIT_REFUSED : 1) : 0;
}
