// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-trace: trace memory hotplug in the real kernel and in the engine,
 * into one event schema; compare two traces.
 *
 *   hotmem-trace [--kernel] [--emulator PID|PATH] [--json] [--pin DIR]
 *                [--duration SEC] [-- COMMAND ARGS...]
 *   hotmem-trace compare A B
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "compare.h"
#include "pin_holder.h"
#include "event.h"
#include "timeline.h"
#include "hotmem_trace.skel.h"
#include "uapi/hm_version.h"

#define DEFAULT_PIN "/sys/fs/bpf/hotmem"
/* set by hotmem-enter to its machine's hotmemfs pid: the default target */
#define EMULATOR_ENV "HOTMEM_TRACE_EMULATOR"
#define BPFFS "/sys/fs/bpf"
#define TRACEFS "/sys/kernel/tracing"

/*
 * The maps pinned, in order, by their names in hotmem_trace.bpf.c: known
 * before the object is loaded, so that the pins in the way are looked at
 * (and a start refused) before anything is loaded or attached
 */
static const char *const pin_names[] = { "counters", "blocks" };
#define NR_PINS (sizeof(pin_names) / sizeof(pin_names[0]))

struct opts {
	bool kernel, json, quiet, verbose, no_pin, per_probe;
	const char *emulator;
	bool emulator_env; /* the default target, HOTMEM_TRACE_EMULATOR's */
	const char *pin;
	const char *output;
	const char *json_output; /* JSON lines here too, the table on output */
	double duration;
	unsigned int max_blocks; /* --max-blocks; 0: blocks_wanted() */
	enum hmt_kmode mode;
	char **cmd;
};

struct run {
	struct opts *o;
	struct hmt_tracer t;
	struct ring_buffer *rb;
	FILE *out;
	FILE *jout; /* --json-output */
	bool made_out, made_json; /* open_output() made them: a refused start removes them */
	/* where the last successful flush left -o's and -J's files: whole lines up to there */
	off_t out_whole, jout_whole;
	__u64 t0;
	unsigned long long nevents;
	unsigned long long bad_records; /* neither an event nor a batch: skipped */
	struct hmt_json_tail tail; /* the last JSON line's, for the next */
	bool pinned;
	bool made_pin_dir; /* this run's mkdir() made --pin DIR: it removes it again */
	int pin_dir_fd; /* --pin DIR, flock()ed for the run (lock_pin_dir()); -1 */
	/* the map ids of stale pins in the way (pins_in_the_way()), replaced by pin(); 0: none */
	unsigned int stale_id[NR_PINS];
	unsigned int pinned_id[NR_PINS]; /* our maps' ids, pinned: unpin_own() removes only them */
	bool duration_over; /* --duration ended the trace */
	bool emulator_exited; /* --emulator PID's process ended the trace */
	char emu_comm[16]; /* --emulator PID's name, read at start: gone at its exit */
	unsigned long long lost_said; /* dropped events the trace has said (lost records) */
	__u64 lost_since; /* when the reader last looked at the drop count */
	pid_t child;
	int child_status;
	bool child_waited; /* child_status is the command's */
	int go_fd; /* write end: lets the child exec */
};

static volatile sig_atomic_t stop;
static bool verbose;

static void on_signal(int sig)
{
	stop = sig;
}

/*
 * SIGUSR1, SIGUSR2: said, tracing goes on (as hotmemd and hotmemfs take
 * them); at their default action they ended hotmem-trace at once, its
 * --pin maps left pinned (usereye8 #9)
 */
static volatile sig_atomic_t user_sig;

static void on_user_signal(int sig)
{
	user_sig = sig;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* the fallbacks make libbpf warn on purpose: our report says it better */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hotmem-trace [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"       hotmem-trace compare [--strict] [--require EV[,EV...]] [--kernel VERSION]\n"
		"                            [--memfree-tolerance KB] [--max N] A B\n"
		"       hotmem-trace timeline [-o FILE.svg] [--block-pages N] [--own-scale]\n"
		"                             [--cut-gaps[=MS]] A [B]\n"
		"\n"
		"Trace memory hotplug in the running kernel (fentry/fexit, else\n"
		"kprobes, plus tracepoints) and in the hotmem engine (USDT probes).\n"
		"\n"
		"  -k, --kernel             trace the kernel (default without --emulator,\n"
		"                           but for " EMULATOR_ENV "'s pid when set:\n"
		"                           hotmem-enter's machine)\n"
		"  -e, --emulator PID|PATH  trace the engine's USDT probes in a process or binary\n"
		"      --per-probe          attach to each step's probe, hotmem:<fn> and\n"
		"                           hotmem:<fn>__ret, not to hotmem:batch (the same\n"
		"                           events, one probe hit each instead of one per operation)\n"
		"  -j, --json               JSON lines (the hotmem event schema), else a table\n"
		"  -o, --output FILE        write events to FILE instead of stdout\n"
		"  -J, --json-output FILE   JSON lines to FILE as well (the table stays on\n"
		"                           stdout or --output: people and programs at once)\n"
		"  -p, --pin DIR            pin the counters and blocks maps in DIR\n"
		"                           (default " DEFAULT_PIN ")\n"
		"      --no-pin             do not pin them\n"
		"      --max-blocks N       the blocks map's room (default: the kernel's blocks\n"
		"                           twice over, 131072 for an engine); past it, counted\n"
		"  -d, --duration SEC       stop after SEC seconds\n"
		"  -m, --mode MODE          auto, fentry, kprobe or tracepoint (kernel side)\n"
		"  -q, --quiet              no status lines on stderr\n"
		"  -v, --verbose            libbpf's messages too\n"
		"  -h, --help               this text\n"
		"  -V, --version            hotmem-trace's version and the build's git describe\n"
		"  -- COMMAND ARGS          run COMMAND once attached (its binary is the\n"
		"                           emulator unless --emulator says), stop when it exits\n"
		"\n"
		"compare: 0 same, 1 different, 2 error; --max N reports at most N\n"
		"differences (hotmem-trace compare --help, hotmem-trace(8)).\n"
		"\n"
		"Needs root (CAP_BPF, CAP_PERFMON), bpffs on " BPFFS " and tracefs.\n"
		"Stops on SIGINT/SIGTERM/SIGHUP, detaching and unpinning everything; SIGUSR1\n"
		"says how many events so far, SIGUSR2 is ignored.\n");
}

/* seconds, > 0: "-d abc" was atof()'s 0, no limit at all */
static int parse_duration(const char *arg, double *sec)
{
	char *end;

	errno = 0;
	*sec = strtod(arg, &end);
	if (!errno && end != arg && !*end && *sec > 0 && *sec < 1e9)
		return 0;
	fprintf(stderr, "hotmem-trace: bad --duration '%s' (seconds, more than 0: 10, 0.5)\n",
		arg);
	return -EINVAL;
}

static bool all_digits(const char *s)
{
	return *s && !s[strspn(s, "0123456789")];
}

/*
 * A command comes after "--" only.  getopt_long() ("+": it stops at the
 * first operand) takes anything else as the start of the command too, so
 * "--emulator $(pidof hotmemfs) --json" with two hotmemfs ran the second
 * pid, the options after it its arguments: refused here, before anything
 * is loaded.  @last_optarg: the last option's argument ("-p --" is no "--").
 */
static int check_operands(int argc, char **argv, const struct opts *o, const char *last_optarg)
{
	const char *arg = argv[optind];

	if (optind >= argc ||
	    (optind > 1 && !strcmp(argv[optind - 1], "--") && argv[optind - 1] != last_optarg))
		return 0;
	fprintf(stderr, "hotmem-trace: unexpected argument '%s': %sa command goes after --\n", arg,
		o->emulator ? "--emulator takes one PID or program; " : "");
	if (o->emulator && all_digits(o->emulator) && all_digits(arg))
		fprintf(stderr, "hotmem-trace: several pids (pidof)? pick one: $(pidof -s hotmemfs), "
				"or the service's: $(systemctl show -p MainPID --value hotmemfs)\n");
	fprintf(stderr, "usage: hotmem-trace [OPTIONS] [-- COMMAND [ARGS...]] (--help)\n");
	return 2;
}

/* the length of @dir without its trailing slashes (the root's one kept) */
static int dir_name_len(const char *dir)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	return len > PATH_MAX ? PATH_MAX : (int)len;
}

/*
 * @path if it exists, else (not made yet) its parent: where --pin DIR's
 * access and filesystem are looked at, where a new output file will be.
 * @buf has PATH_MAX bytes.
 */
static const char *path_or_parent(const char *dir, char *buf)
{
	const char *slash;

	if (!access(dir, F_OK))
		return dir;
	slash = memrchr(dir, '/', (size_t)dir_name_len(dir));
	if (!slash)
		return ".";
	snprintf(buf, PATH_MAX, "%.*s", slash == dir ? 1 : (int)(slash - dir), dir);
	return buf;
}

/* the resolved path @path will have once made: its parent's realpath, its last name */
static bool new_path(const char *path, char *out)
{
	char buf[PATH_MAX], dir[PATH_MAX];
	const char *base = strrchr(path, '/');

	return realpath(path_or_parent(path, buf), dir) &&
	       snprintf(out, PATH_MAX, "%s/%s", dir, base ? base + 1 : path) < PATH_MAX;
}

/*
 * --output and --json-output naming one file (abuse25a B7): both streams
 * opened it "w" and wrote over each other, a trace of neither.  The same
 * regular file (st_dev, st_ino; not /dev/null), or, not there yet, the
 * same path once resolved.
 */
static bool same_output_file(const char *a, const char *b)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	struct stat sa, sb;
	bool ea = !stat(a, &sa), eb = !stat(b, &sb);

	if (ea && eb)
		return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return !ea && !eb && new_path(a, pa) && new_path(b, pb) && !strcmp(pa, pb);
}

/* --max-blocks N: 1 .. 2^24 (a hash map's max_entries; bpf(2) takes more, memory does not) */
static int parse_max_blocks(const char *arg, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || !v || v > (1UL << 24)) {
		fprintf(stderr, "hotmem-trace: --max-blocks %s: not a number of blocks from 1 to %lu\n",
			arg, 1UL << 24);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = { { "kernel", no_argument, NULL, 'k' },
					       { "emulator", required_argument, NULL, 'e' },
					       { "json", no_argument, NULL, 'j' },
					       { "output", required_argument, NULL, 'o' },
					       { "json-output", required_argument, NULL, 'J' },
					       { "pin", required_argument, NULL, 'p' },
					       { "no-pin", no_argument, NULL, 'P' },
					       { "per-probe", no_argument, NULL, 'B' },
					       { "duration", required_argument, NULL, 'd' },
					       { "max-blocks", required_argument, NULL, 'M' },
					       { "mode", required_argument, NULL, 'm' },
					       { "quiet", no_argument, NULL, 'q' },
					       { "verbose", no_argument, NULL, 'v' },
					       { "help", no_argument, NULL, 'h' },
					       { "version", no_argument, NULL, 'V' },
					       { 0 } };
	const char *last_optarg = NULL;
	int c, m;

	o->pin = DEFAULT_PIN;
	while ((c = getopt_long(argc, argv, "+ke:jo:J:p:d:m:qvhV", lopts, NULL)) != -1) {
		last_optarg = optarg;
		switch (c) {
		case 'k':
			o->kernel = true;
			break;
		case 'e':
			o->emulator = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'J':
			o->json_output = optarg;
			break;
		case 'p':
			o->pin = optarg;
			break;
		case 'P':
			o->no_pin = true;
			break;
		case 'B':
			o->per_probe = true;
			break;
		case 'd':
			if (parse_duration(optarg, &o->duration))
				return 2;
			break;
		case 'M':
			if (parse_max_blocks(optarg, &o->max_blocks))
				return 2;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'm':
			m = hmt_kmode_from_name(optarg);
			if (m < 0) {
				fprintf(stderr, "hotmem-trace: unknown mode '%s'\n", optarg);
				return 2;
			}
			o->mode = m;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			exit(hmu_print_version("hotmem-trace"));
		default:
			usage(stderr);
			return 2;
		}
	}
	if (check_operands(argc, argv, o, last_optarg))
		return 2;
	if (o->output && o->json_output && same_output_file(o->output, o->json_output)) {
		fprintf(stderr,
			"hotmem-trace: --output %s and --json-output %s are one file: the table and "
			"the JSON lines would write over each other (JSON lines alone: -j -o FILE)\n",
			o->output, o->json_output);
		return 2;
	}
	if (optind < argc)
		o->cmd = argv + optind;
	/*
	 * No target said: inside hotmem-enter "the kernel" is the machine's,
	 * its hotmemfs, whose pid hotmem-enter exports (the host's kernel
	 * does nothing the machine does); elsewhere this kernel.
	 */
	if (!o->emulator && !o->cmd && !o->kernel) {
		const char *env = getenv(EMULATOR_ENV);

		if (env && *env) {
			o->emulator = env;
			o->emulator_env = true;
		}
	}
	if (!o->emulator && !o->cmd)
		o->kernel = true;
	return 0;
}

/* ---- environment: root, bpffs, tracefs --------------------------------- */

static bool is_fs(const char *path, long magic)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == magic;
}

static int ensure_fs(const char *path, const char *type, long magic, const char *why, bool quiet)
{
	if (is_fs(path, magic))
		return 0;
	if (mount(type, path, type, 0, NULL)) {
		fprintf(stderr,
			"hotmem-trace: %s is not mounted on %s (%s) and mounting it "
			"failed: %s\nhotmem-trace: mount it with: mount -t %s %s %s\n",
			type, path, why, strerror(errno), type, type, path);
		return -errno;
	}
	if (!quiet)
		fprintf(stderr, "hotmem-trace: mounted %s on %s (%s)\n", type, path, why);
	return 0;
}

/* whether the process has @cap in its effective set */
static bool has_cap(unsigned int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (cap / 32 >= _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

/*
 * What the kernel asks of a BPF tracer (6.12 include/linux/capability.h
 * bpf_capable(), perfmon_capable()): CAP_BPF to load programs and make
 * maps, CAP_PERFMON for the tracing programs and the uprobe and kprobe
 * perf events; CAP_SYS_ADMIN stands for either.  Not the uid: root
 * without them (a container's, a unit's CapabilityBoundingSet=) cannot,
 * a user given both can.  The missing ones named, -EPERM; else 0.
 */
static int check_caps(void)
{
	bool admin = has_cap(CAP_SYS_ADMIN), bpf = admin || has_cap(CAP_BPF),
	     perfmon = admin || has_cap(CAP_PERFMON);

	if (bpf && perfmon)
		return 0;
	fprintf(stderr,
		"hotmem-trace: not permitted: loading BPF programs needs CAP_BPF and CAP_PERFMON "
		"(or CAP_SYS_ADMIN), and this process has %s\n"
		"hotmem-trace: run it as root: sudo hotmem-trace ...\n",
		!bpf && !perfmon ? "neither"
		: !bpf		 ? "no CAP_BPF"
				 : "no CAP_PERFMON");
	return -EPERM;
}

/*
 * The first dot of @dir's first name that bpffs refuses to look up: the
 * path up to that name is looked up (lstat) and gives EPERM there, which
 * only bpf_lookup() does for a name that lookup() finds fine elsewhere.
 * A dot above the mount (/tmp/x.y/bpf) is no such name.  NULL: none.
 */
static const char *bpffs_dotted_name(const char *dir)
{
	char prefix[PATH_MAX];
	struct stat st;

	for (const char *name = dir; *name; ) {
		size_t len = strcspn(name, "/");
		const char *dot = memchr(name, '.', len);
		size_t end = (size_t)(name - dir) + len;

		/* "." and ".." are the VFS's, never bpf_lookup()'s */
		if (dot && strncmp(name, ".", len) && strncmp(name, "..", len) &&
		    end < sizeof(prefix)) {
			memcpy(prefix, dir, end);
			prefix[end] = '\0';
			if (lstat(prefix, &st) && errno == EPERM)
				return dot;
		}
		name += len;
		name += strspn(name, "/");
	}
	return NULL;
}

/*
 * Pinning makes @o->pin (its parent must let this process in) in a
 * mounted bpffs, mounted here if need be (CAP_SYS_ADMIN).  -EPERM, said,
 * when it cannot.
 */
static int check_pin_access(const struct opts *o)
{
	char parent[PATH_MAX];
	const char *dir = o->pin;

	if (o->no_pin)
		return 0;
	if (!strncmp(dir, BPFFS "/", strlen(BPFFS) + 1) && !is_fs(BPFFS, BPF_FS_MAGIC) &&
	    !has_cap(CAP_SYS_ADMIN)) {
		fprintf(stderr,
			"hotmem-trace: not permitted: pinning the maps in %s needs bpffs mounted on "
			"%s, and mounting it needs CAP_SYS_ADMIN: run it as root, or add --no-pin\n",
			dir, BPFFS);
		return -EPERM;
	}
	dir = path_or_parent(o->pin, parent);
	/* ENOENT, a bpffs name with a dot (EPERM): said by the pinning itself, with its path */
	if (!faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) || errno == ENOENT ||
	    (errno == EPERM && bpffs_dotted_name(o->pin)))
		return 0;
	fprintf(stderr,
		"hotmem-trace: not permitted: pinning the maps in %s needs write access to %s, "
		"which uid %u lacks: run it as root, or add --no-pin\n",
		o->pin, dir, (unsigned int)geteuid());
	return -EPERM;
}

static int check_env(const struct opts *o)
{
	int err;

	err = check_caps();
	if (!err)
		err = check_pin_access(o);
	if (err)
		return err;
	if (o->kernel && !is_fs("/sys/kernel/debug/tracing", TRACEFS_MAGIC)) {
		err = ensure_fs(TRACEFS, "tracefs", TRACEFS_MAGIC, "for the tracepoints", o->quiet);
		if (err)
			return err;
	}
	if (!o->no_pin && !strncmp(o->pin, BPFFS "/", strlen(BPFFS) + 1))
		return ensure_fs(BPFFS, "bpf", BPF_FS_MAGIC, "for the pinned maps", o->quiet);
	return 0;
}

/* the highest memoryN + 1 of this machine's sysfs (inside hotmem-enter: the emulated one's) */
static unsigned int sysfs_blocks(void)
{
	DIR *dir = opendir("/sys/devices/system/memory");
	unsigned long top = 0, id;
	struct dirent *d;

	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		if (sscanf(d->d_name, "memory%lu", &id) == 1 && id + 1 > top)
			top = id + 1;
	closedir(dir);
	return top > (1UL << 22) ? 1U << 22 : (unsigned int)top;
}

/*
 * The blocks map's size (abuse28 T7: 4096 blocks, then silence): the
 * kernel's blocks twice over (room for hot-adds), at least 4096; an
 * engine's machine is not known before its steps come, so room for the
 * largest one run (the 16 TiB bench machine: 131072 blocks of 128 MiB).
 * The map allocates per block seen, so room costs only its buckets.
 * Blocks past it are counted (blocks_full), never silently missing.
 */
#define EMU_MAX_BLOCKS 131072U
static unsigned int blocks_wanted(const struct run *r)
{
	unsigned int n = 0, seen;

	if (r->o->max_blocks)
		return r->o->max_blocks;
	if (r->t.want_kernel) {
		seen = sysfs_blocks();
		n += seen > 2048 ? 2 * seen : 4096;
	}
	if (r->t.want_emulator)
		n += EMU_MAX_BLOCKS;
	return n;
}

static __u64 kernel_block_pages(void)
{
	FILE *f = fopen("/sys/devices/system/memory/block_size_bytes", "r");
	unsigned long long sz = 0;

	if (f) {
		if (fscanf(f, "%llx", &sz) != 1)
			sz = 0;
		fclose(f);
	}
	return sz ? sz >> 12 : 32768;
}

/* ---- pins -------------------------------------------------------------- */

static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int pin_name_path(char *buf, const struct run *r, size_t i)
{
	return pin_path(buf, PATH_MAX, r->o->pin, pin_names[i]);
}

/*
 * Where pin @i is in the directory this run locked: through its
 * descriptor, whatever DIR's path names now (replaced meanwhile: another
 * run's).  Every pin, unlink and unpin of the run goes there.
 */
static void pin_at(char *buf, size_t len, const struct run *r, size_t i)
{
	snprintf(buf, len, "/proc/self/fd/%d/%s", r->pin_dir_fd, pin_names[i]);
}

/* the loaded object's map pinned as pin_names[@i] */
static struct bpf_map *pin_map(const struct run *r, size_t i)
{
	return bpf_object__find_map_by_name(r->t.skel->obj, pin_names[i]);
}

/* @fd is still the directory @dir names: it was not removed or replaced meanwhile */
static bool is_pin_dir(int fd, const char *dir)
{
	struct stat at_fd, at_path;

	return !fstat(fd, &at_fd) && !stat(dir, &at_path) && at_fd.st_dev == at_path.st_dev &&
	       at_fd.st_ino == at_path.st_ino;
}

/*
 * Pin @i removed if it is still this run's: its map id, looked up in the
 * directory this run locked (through its descriptor, not DIR's path), is
 * the one pinned.  By path, the exit removed whatever was there: pins put
 * under DIR since (DIR removed and made again by another run, which then
 * locks the new one; a pin replaced by a run older than the lock or by
 * hand) -- another live run's maps unpinned (trace30).
 */
static void unpin_own(struct run *r, size_t i)
{
	char at[64], path[PATH_MAX];
	unsigned int id = 0;
	int err;

	pin_at(at, sizeof(at), r, i);
	err = hmt_pinned_map_id(at, &id);
	if (!err && id == r->pinned_id[i]) {
		unlinkat(r->pin_dir_fd, pin_names[i], 0);
		return;
	}
	if (err == -ENOENT)
		return; /* removed already: nothing of ours there */
	pin_name_path(path, r, i);
	if (err)
		fprintf(stderr, "hotmem-trace: %s: not known to be this run's pin (map id %u) any "
				"more: %s: left\n", path, r->pinned_id[i], strerror(-err));
	else
		fprintf(stderr, "hotmem-trace: %s: another map pinned there (id %u), not this run's "
				"(id %u): left\n", path, id, r->pinned_id[i]);
}

/* unpin_first() undoes the first @n pins */
static void unpin_first(struct run *r, size_t n)
{
	for (size_t i = 0; i < n && i < NR_PINS; i++)
		unpin_own(r, i);
}

/*
 * --pin DIR removed again only if this run made it: an empty directory is
 * not ours for being empty (abuse25a B2: a user's mount point, a unit's
 * ExecStartPre=mkdir, were removed, refused run or not).
 */
static void rmdir_made_pin_dir(struct run *r)
{
	/* DIR still the one made: another run's, made since under its name, is not ours */
	if (r->made_pin_dir && is_pin_dir(r->pin_dir_fd, r->o->pin))
		rmdir(r->o->pin);
	r->made_pin_dir = false;
}

/* the lock on --pin DIR let go: after the rmdir, so that a starter waiting sees it gone */
static void unlock_pin_dir(struct run *r)
{
	if (r->pin_dir_fd >= 0)
		close(r->pin_dir_fd);
	r->pin_dir_fd = -1;
}

/* what claim_pin_dir() took: the directory it made removed, the lock let go */
static void release_pin_dir(struct run *r)
{
	rmdir_made_pin_dir(r);
	unlock_pin_dir(r);
}

static void unpin(struct run *r)
{
	if (!r->pinned)
		return;
	unpin_first(r, NR_PINS);
	r->pinned = false;
}

/*
 * A pin in the way at @path: 0 when it is stale (a map no process holds:
 * a killed hotmem-trace's, abuse28 T8: hotmem-trace.service's restart
 * after a SIGKILL was refused by its own pins for good), else why not,
 * said: 1, a process this /proc shows holds it (a run older than the lock
 * on --pin DIR, a bpftool dump); another value, not known to be stale:
 * holders that cannot all be read or not shown (hidepid=), or no map of
 * ours (a file, a program).
 */
static int pin_is_stale(const char *path, unsigned int *map_id)
{
	struct hmt_pin_holder h;
	int ret = hmt_pin_holder(path, &h);

	*map_id = h.map_id;
	if (ret == 1)
		fprintf(stderr, "hotmem-trace: %s: map id %u, held by pid %d (%s)\n", path, h.map_id,
			(int)h.pid, h.comm);
	else if (ret == -EACCES && h.hidden)
		fprintf(stderr, "hotmem-trace: %s: map id %u: no process seen holding it, but this "
				"/proc hides other users' processes (hidepid=): not known to be stale\n",
			path, h.map_id);
	else if (ret == -EACCES && h.unreadable)
		fprintf(stderr, "hotmem-trace: %s: map id %u: no process seen holding it, but %u "
				"processes' descriptors could not be read (CAP_SYS_PTRACE)\n",
			path, h.map_id, h.unreadable);
	else if (ret < 0 && !is_fs(path, BPF_FS_MAGIC))
		/* bpf(2)'s EACCES for it (bpf_inode_type(), 6.12) read as a permission missing */
		fprintf(stderr, "hotmem-trace: %s: no BPF pin: a file off a BPF filesystem\n", path);
	else if (ret < 0)
		fprintf(stderr, "hotmem-trace: %s: no BPF map pinned there: %s\n", path,
			strerror(-ret));
	return ret;
}

/*
 * The stale pin @i (at @path), still map r->stale_id[@i] just before it
 * goes: under the lock on --pin DIR no run of this version pins there, but
 * one older than that lock may have since the check (reread27 R9)
 */
static int unlink_stale_pin(struct run *r, size_t i, const char *path)
{
	unsigned int now = 0, id = r->stale_id[i];
	char at[64];

	pin_at(at, sizeof(at), r, i);
	if (hmt_pinned_map_id(at, &now) || now != id) {
		fprintf(stderr, "hotmem-trace: %s: no longer the stale pin of map id %u: left\n", path,
			id);
		return -EBUSY;
	}
	if (unlinkat(r->pin_dir_fd, pin_names[i], 0)) {
		fprintf(stderr, "hotmem-trace: removing the stale pin %s: %s\n", path, strerror(errno));
		return -errno;
	}
	fprintf(stderr, "hotmem-trace: %s: a stale pin (map id %u, held by no process: a killed "
			"hotmem-trace's): replaced\n", path, id);
	return 0;
}

/*
 * Pins in the way, found under the lock on --pin DIR, so no live run of
 * this version holds them: a killed one's, or an older run's (which takes
 * no lock; the /proc walk guards against it, as far as this /proc shows
 * its processes).  Stale ones (no process holds their map) are noted in
 * r->stale_id, replaced by pin() once the maps are loaded; any other is
 * never ours to remove: the run is refused, every one of them named, and
 * nothing removed.  The hint to rm them only where no holder was seen: rm
 * of a live run's pins is what the refusal is for.
 */
static int pins_in_the_way(struct run *r)
{
	char path[PATH_MAX], found[2 * PATH_MAX + 64] = "";
	size_t len = 0;
	bool held = false;

	for (size_t i = 0; i < NR_PINS; i++) {
		int ret;

		if (pin_name_path(path, r, i) || access(path, F_OK))
			continue;
		ret = pin_is_stale(path, &r->stale_id[i]);
		if (!ret)
			continue;
		r->stale_id[i] = 0;
		held |= ret == 1;
		len += snprintf(found + len, sizeof(found) - len, "%s%s", len ? " " : "", path);
		if (len >= sizeof(found))
			break;
	}
	if (len && held)
		fprintf(stderr, "hotmem-trace: pinned already: %s: in use by the process named above: "
				"stop it first, or use another --pin DIR\n", found);
	else if (len)
		fprintf(stderr, "hotmem-trace: pinned already: %s: not known to be stale (above): "
				"if nothing uses them, rm %s; or use another --pin DIR\n", found, found);
	return len ? -EEXIST : 0;
}

/* the stale pins pins_in_the_way() found, replaced: each still the map it was */
static int unlink_stale_pins(struct run *r)
{
	char path[PATH_MAX];
	int err = 0;

	for (size_t i = 0; !err && i < NR_PINS; i++)
		if (r->stale_id[i] && !pin_name_path(path, r, i))
			err = unlink_stale_pin(r, i, path);
	return err;
}

/*
 * bpf_obj_pin() refuses a path outside a BPF filesystem with a bare
 * EINVAL (kernel/bpf/inode.c bpf_obj_do_pin(), 6.12): say why.  After
 * pins_in_the_way(), which names stale pins wherever they are; before
 * DIR is made, so that a refusal makes nothing.  A parent that does not
 * exist is mkdir()'s to say (ENOENT).
 */
static int pin_dir_is_bpffs(const char *dir)
{
	char parent[PATH_MAX];
	const char *at = path_or_parent(dir, parent);

	if (is_fs(at, BPF_FS_MAGIC) || access(at, F_OK))
		return 0;
	fprintf(stderr,
		"hotmem-trace: --pin %s: not on a BPF filesystem: mount one there "
		"(%s%s%smount -t bpf bpf %s), pin under " BPFFS ", or add --no-pin\n",
		dir, at == dir ? "" : "mkdir ", at == dir ? "" : dir, at == dir ? "" : " && ", dir);
	return -EINVAL;
}

/*
 * mkdir of --pin DIR refused (@err): said, where it ended the run with
 * exit 77 and not a word.  A BPF filesystem refuses every name with a dot
 * in it with EPERM (kernel/bpf/inode.c bpf_lookup(), 6.12), root or not:
 * that is no missing privilege (exit 1).  Any name of the path below the
 * mount may be the one (/sys/fs/bpf/a.b/c, /sys/fs/bpf/x.y/: finalK K5).
 */
static int pin_dir_refused(const char *dir, int err)
{
	const char *dot = err == EPERM ? bpffs_dotted_name(dir) : NULL;

	if (dot) {
		fprintf(stderr, "hotmem-trace: --pin %s: a BPF filesystem takes no name with a dot "
				"in it: choose one without (e.g. %.*s)\n",
			dir, (int)(dot - dir), dir);
		return -EINVAL;
	}
	fprintf(stderr, "hotmem-trace: --pin %s: %s\n", dir, strerror(err));
	return err == EPERM || err == EACCES ? -EPERM : -err;
}

/*
 * --pin DIR made already locked: made under a name of its own beside it
 * (mkdtemp DIR-XXXXXX, mode 0700), flock()ed, then renamed to DIR
 * (RENAME_NOREPLACE; bpffs's simple_rename() takes it).  Made by mkdir(DIR)
 * and locked after, another starter could open and lock it in between:
 * this run was refused, keeping the directory for the lock's holder, who
 * had not made it and left it behind empty at its end (trace30).  The
 * locked descriptor (r->made_pin_dir set); -EEXIST: DIR is there now, the
 * temporary one removed; else a negative errno, said.
 */
static int make_locked_pin_dir(struct run *r)
{
	const char *dir = r->o->pin;
	char name[PATH_MAX], tmp[PATH_MAX];
	int fd, err;

	snprintf(name, sizeof(name), "%.*s", dir_name_len(dir), dir);
	if (snprintf(tmp, sizeof(tmp), "%s-XXXXXX", name) >= (int)sizeof(tmp))
		return pin_dir_refused(dir, ENAMETOOLONG);
	if (!mkdtemp(tmp))
		return pin_dir_refused(dir, errno);
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto out_rmdir;
	}
	/* nobody else knows the name: only an error of the kernel's refuses the lock */
	if (flock(fd, LOCK_EX | LOCK_NB) ||
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, name, RENAME_NOREPLACE)) {
		err = errno;
		goto out_close;
	}
	r->made_pin_dir = true;
	return fd;
out_close:
	close(fd);
out_rmdir:
	rmdir(tmp);
	return err == EEXIST ? -EEXIST : pin_dir_refused(dir, err);
}

/*
 * --pin DIR opened (O_CLOEXEC: no command inherits it, nor its lock), made
 * first where it is not there -- only on bpffs, so that a refusal makes
 * nothing; a directory made here comes locked.  Another starter may make
 * it meanwhile (EEXIST): opened then.
 */
static int open_pin_dir(struct run *r)
{
	const char *dir = r->o->pin;
	int fd, err;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = errno;
	fd = pin_dir_is_bpffs(dir);
	if (fd)
		return fd;
	if (err != ENOENT)
		return pin_dir_refused(dir, err);
	fd = make_locked_pin_dir(r);
	if (fd != -EEXIST)
		return fd;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : pin_dir_refused(dir, errno);
}

/*
 * --pin DIR locked by another: a live hotmem-trace holds it, in whatever
 * PID namespace (or one starting: it pins next), named where this /proc
 * shows it.  Never a directory this run made: that one came locked
 * (make_locked_pin_dir()).
 */
static int pin_dir_in_use(struct run *r)
{
	struct hmt_pin_holder h;

	if (hmt_pin_dir_locker(r->o->pin, &h) == 1)
		fprintf(stderr, "hotmem-trace: --pin %s: in use by pid %d (%s), which holds its "
				"lock: stop it first, or use another --pin DIR\n",
			r->o->pin, (int)h.pid, h.hidden ? "its name hidden from this process: hidepid=" : h.comm);
	else
		fprintf(stderr, "hotmem-trace: --pin %s: in use by a hotmem-trace this /proc does not "
				"show (another PID namespace, hidepid=), which holds its lock: stop it "
				"first, or use another --pin DIR\n", r->o->pin);
	return -EBUSY;
}

/* a run ending removes its directory under the lock: the next one's to lock is new */
#define PIN_DIR_TRIES 8

/*
 * flock(LOCK_EX) on --pin DIR for the whole run (bpffs directories take
 * it, as any): a live run of this version holds it, seen from whatever
 * PID namespace shares the BPF filesystem -- where /proc shows no holder
 * of its maps and they read as stale (reread27 R9).  Held from the check
 * of the pins in the way to their unlink and our pins, two starters after
 * a crash cannot both take the stale pins: one pins, the other is refused.
 */
static int lock_pin_dir(struct run *r)
{
	for (int i = 0; i < PIN_DIR_TRIES; i++) {
		int fd = open_pin_dir(r), err;

		if (fd < 0)
			return fd;
		/* one open_pin_dir() made is locked already: taken again, a no-op */
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			err = errno;
			close(fd);
			if (err == EWOULDBLOCK)
				return pin_dir_in_use(r);
			fprintf(stderr, "hotmem-trace: --pin %s: locking it: %s\n", r->o->pin,
				strerror(err));
			return -err;
		}
		if (is_pin_dir(fd, r->o->pin)) {
			r->pin_dir_fd = fd;
			return 0;
		}
		/* the one this run made, if it did, is gone: the new one is not ours */
		r->made_pin_dir = false;
		close(fd);
	}
	fprintf(stderr, "hotmem-trace: --pin %s: removed or replaced each time it was locked\n",
		r->o->pin);
	return -EAGAIN;
}

/*
 * --pin DIR locked and looked at before anything is loaded or attached
 * (setup()): a start refused for it -- another run's lock, pins in the
 * way, DIR off bpffs -- did seconds of loading and attaching first, its
 * probes briefly live.  Kept until the run ends (release_pin_dir()).
 */
static int claim_pin_dir(struct run *r)
{
	int err;

	err = lock_pin_dir(r);
	if (err)
		return err;
	err = pins_in_the_way(r);
	if (!err)
		err = pin_dir_is_bpffs(r->o->pin);
	if (err)
		release_pin_dir(r);
	return err;
}

/* the id of loaded map @map in *@id: 0, or a negative errno */
static int map_id(struct bpf_map *map, unsigned int *id)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

/* the loaded maps pinned in the directory claim_pin_dir() holds */
static int pin(struct run *r)
{
	char path[PATH_MAX];
	int err;

	err = unlink_stale_pins(r);
	for (size_t i = 0; !err && i < NR_PINS; i++) {
		struct bpf_map *map = pin_map(r, i);
		char at[64];

		pin_at(at, sizeof(at), r, i);
		err = pin_name_path(path, r, i);
		if (!err)
			err = map_id(map, &r->pinned_id[i]);
		if (!err)
			err = bpf_map__pin(map, at);
		if (err) {
			fprintf(stderr, "hotmem-trace: pinning %s: %s\n", path, strerror(-err));
			unpin_first(r, i);
		}
	}
	if (err)
		return err;
	r->pinned = true;
	return 0;
}

/* ---- events -------------------------------------------------------------- */

/*
 * One line, its newline written with it, through the stream without its
 * lock: the reader is one thread, and fwrite()'s lock and a putc() per
 * event were a tenth of its time.
 */
static int put_line(char *line, int n, FILE *f)
{
	line[n] = '\n'; /* over the NUL: n < the buffer's size */
	return fwrite_unlocked(line, 1, n + 1, f) == (size_t)n + 1 ? 0 : -1;
}

static int write_event(void *ctx, const struct hmt_event *e, bool same_thread)
{
	struct run *r = ctx;
	char line[1024];
	int n;

	if (r->o->json)
		n = hmt_format_json_tail(e, r->t0, &r->tail, same_thread, line, sizeof(line));
	else
		n = hmt_format_table(e, r->t0, line, sizeof(line));
	if (n > 0 && put_line(line, n, r->out))
		goto fail;
	/* the JSON line for -J: the one just written, when that was JSON */
	if (r->jout && !r->o->json)
		n = hmt_format_json_tail(e, r->t0, &r->tail, same_thread, line, sizeof(line));
	if (r->jout && n > 0 && put_line(line, n, r->jout))
		goto fail;
	r->nevents++;
	return 0;
fail:
	fprintf(stderr, "hotmem-trace: writing events: %s\n", strerror(errno));
	return -errno; /* ends the poll loop: detach, unpin */
}

/*
 * JSON lines start with the header (event.h): the release of the kernel
 * traced, uname -r (inside hotmem-enter too: the host's kernel is the one
 * traced), and the engine's when it is traced, so that compare knows which
 * steps that kernel does not show without --kernel -- and that it was
 * traced blind to some (kallsyms addresses hidden).
 */
static int write_json_header(struct run *r)
{
	const char *engine = r->t.want_emulator ? HMT_ENGINE_RELEASE : NULL;
	struct utsname u;
	char line[1024];
	int n;

	n = hmt_format_json_header(r->o->kernel && !uname(&u) ? u.release : NULL, engine,
				   r->t.kallsyms_hidden, line, sizeof(line) - 1);
	if (n < 0)
		return 0; /* two strings of 64 bytes at most: not cut */
	if ((r->o->json && put_line(line, n, r->out)) || (r->jout && put_line(line, n, r->jout))) {
		fprintf(stderr, "hotmem-trace: writing events: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The summary's "dropped": events the ring buffer had no room for, and
 * hotmem:batch records that never became events (hotmem_trace.bpf.c
 * ringbuf_dropped, usdt_lost: the skeleton's bss, no syscall).
 */
static unsigned long long dropped_total(const struct run *r)
{
	const struct hotmem_trace_bpf__bss *bss = r->t.skel->bss;

	return __atomic_load_n(&bss->ringbuf_dropped, __ATOMIC_RELAXED) +
	       __atomic_load_n(&bss->usdt_lost, __ATOMIC_RELAXED);
}

/*
 * Events lost since the last look, said where the trace is (abuse25a B3:
 * only the last stderr line said so, and a JSON trace with half its events
 * missing read as a whole one): a "lost" record in the JSON, a line in the
 * table, after the drain, so that it follows the events read before it.
 */
static int write_lost(struct run *r)
{
	unsigned long long total = dropped_total(r), count = total - r->lost_said;
	__u64 now = now_ns();
	char line[256];
	int n = 0;

	if (!count)
		goto out;
	if (!r->o->json) {
		n = hmt_format_lost_table(count, r->lost_since, now, r->t0, line, sizeof(line) - 1);
		if (n > 0 && put_line(line, n, r->out))
			goto fail;
	}
	if (r->o->json || r->jout)
		n = hmt_format_lost_json(count, r->lost_since, now, r->t0, line, sizeof(line) - 1);
	if (n > 0 && ((r->o->json && put_line(line, n, r->out)) ||
		      (r->jout && put_line(line, n, r->jout))))
		goto fail;
	r->lost_said = total;
out:
	r->lost_since = now;
	return 0;
fail:
	fprintf(stderr, "hotmem-trace: writing events: %s\n", strerror(errno));
	return -errno;
}

/* one event, or a hotmem:batch's events in one record */
static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	int err = hmt_record_events(data, size, write_event, r);

	if (err != -EBADMSG)
		return err;
	/* the BPF side and this reader are one build: not expected */
	if (!r->bad_records++)
		fprintf(stderr,
			"hotmem-trace: a ring-buffer record of %zu bytes is neither an event nor a batch: skipped\n",
			size);
	return 0;
}

/* ---- the command to run once attached ------------------------------------ */

/* @cmd as execvp() finds it, made absolute; @out has PATH_MAX bytes */
static int resolve_cmd(const char *cmd, char *out)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return realpath(cmd, out) ? 0 : -errno;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t l = strcspn(p, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)l, p, cmd) < (int)sizeof(buf) &&
		    !access(buf, X_OK))
			return realpath(buf, out) ? 0 : -errno;
		p += l + (p[l] == ':');
	}
	return -ENOENT;
}

/* fork now, exec when attached: the child waits on a pipe */
static int fork_cmd(struct run *r)
{
	int fds[2];
	char c;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	r->child = fork();
	if (r->child < 0)
		return -errno;
	if (r->child == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		execvp(r->o->cmd[0], r->o->cmd);
		fprintf(stderr, "hotmem-trace: %s: %s\n", r->o->cmd[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	r->go_fd = fds[1];
	return 0;
}

static void start_cmd(struct run *r)
{
	if (r->go_fd < 0)
		return;
	if (write(r->go_fd, "g", 1) != 1)
		fprintf(stderr, "hotmem-trace: could not start the command\n");
	close(r->go_fd);
	r->go_fd = -1;
}

static void end_cmd(struct run *r)
{
	if (r->go_fd >= 0) {
		close(r->go_fd); /* the child exits without exec */
		r->go_fd = -1;
	}
	if (r->child > 0) {
		if (stop)
			kill(r->child, SIGTERM);
		r->child_waited = waitpid(r->child, &r->child_status, 0) == r->child;
		r->child = 0;
	}
}

static bool cmd_done(struct run *r)
{
	if (r->child <= 0)
		return false;
	if (waitpid(r->child, &r->child_status, WNOHANG) != r->child)
		return false;
	r->child = 0;
	r->child_waited = true;
	return true;
}

/*
 * --duration over while the command runs on: its end is still waited for
 * (its status is hotmem-trace's), no longer traced -- said, where
 * hotmem-trace sat silent until the command ended, the events after SEC
 * missing from the trace without a word (abuse25a B7).
 */
static void say_cmd_outlives(struct run *r)
{
	if (!r->duration_over || r->o->quiet || r->child <= 0 || cmd_done(r))
		return;
	fprintf(stderr,
		"hotmem-trace: --duration %g s over: %s (pid %d) still running, not traced any "
		"more; waiting for it to exit (its exit status is hotmem-trace's)\n",
		r->o->duration, r->o->cmd[0], (int)r->child);
}

/*
 * --emulator PATH alone: uprobes follow the inode, so a process still
 * running the file PATH named before a rebuild replaced it ("PATH
 * (deleted)" in /proc/PID/exe) is not traced -- and the trace said
 * nothing but "0 events" (abuse28 T11).  Such processes are named, with
 * the way to trace them (by pid, its exe is traced whatever its name).
 */
static void say_deleted_binaries(const struct run *r)
{
	char path[sizeof(((struct dirent *)0)->d_name) + 16], exe[PATH_MAX + 16], want[PATH_MAX + 16];
	struct dirent *d;
	DIR *proc;
	ssize_t l;

	if (!r->t.want_emulator || r->t.emu_pid > 0 || r->o->cmd)
		return;
	proc = opendir("/proc");
	if (!proc)
		return;
	snprintf(want, sizeof(want), "%s (deleted)", r->t.emu_path);
	while ((d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", d->d_name);
		l = readlink(path, exe, sizeof(exe) - 1);
		if (l <= 0)
			continue;
		exe[l] = '\0';
		if (!strcmp(exe, want))
			fprintf(stderr,
				"hotmem-trace: emulator: pid %s runs an older %s (replaced since it "
				"started), not traced: use --emulator %s\n",
				d->d_name, r->t.emu_path, d->d_name);
	}
	closedir(proc);
}

/* /proc/PID/comm, "?" when unreadable */
static void read_comm(long pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static bool emulator_gone(const struct run *r)
{
	return r->t.emu_pid > 0 && kill(r->t.emu_pid, 0) && errno == ESRCH;
}

/* ---- output files ------------------------------------------------------- */

/*
 * Fully buffered, flushed after each drain of the ring buffer (every
 * POLL_MS at most, poll_loop()): a write(2) per event cost the reader more
 * than the rest of its work, and the events come in batches anyway.
 */
#define OUT_BUF (64 * 1024)

/*
 * @path opened for writing, not truncated yet: -J failing to open after
 * -o's fopen("w") had emptied -o's file (reread25 R4).  *@made: this call
 * created it (removed again if the other file fails).  O_CLOEXEC: no
 * command inherits it.
 */
static FILE *open_file(const char *path, bool *made)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	FILE *f = NULL;

	*made = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && (f = fdopen(fd, "w"))) {
		setvbuf(f, NULL, _IOFBF, OUT_BUF);
		return f;
	}
	fprintf(stderr, "hotmem-trace: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (*made)
		unlink(path);
	*made = false;
	return NULL;
}

/* a start replaces the file: a regular one emptied once both files are open */
static int replace_file(FILE *f, const char *path)
{
	struct stat st;

	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || !ftruncate(fileno(f), 0))
		return 0;
	fprintf(stderr, "hotmem-trace: %s: %s\n", path, strerror(errno));
	return -errno;
}

/* @f's position once flushed, else @was (a pipe, a tty: never trimmed) */
static off_t whole_up_to(FILE *f, off_t was)
{
	off_t at = ftello(f);

	return at < 0 ? was : at;
}

/* what the drain wrote, out now: 0, or -errno */
static int flush_output(struct run *r)
{
	if (fflush(r->out) == EOF || (r->jout && fflush(r->jout) == EOF)) {
		fprintf(stderr, "hotmem-trace: writing events: %s\n", strerror(errno));
		return -errno;
	}
	/* every drain writes whole lines: flushed, the files end on one */
	if (r->out != stdout)
		r->out_whole = whole_up_to(r->out, r->out_whole);
	if (r->jout)
		r->jout_whole = whole_up_to(r->jout, r->jout_whole);
	return 0;
}

/* the offset after the last newline of @fd in [@whole, @end), else @whole */
static off_t read_back_to_newline(int fd, off_t whole, off_t end, char *buf, size_t len)
{
	while (end > whole) {
		off_t from = end - whole > (off_t)len ? end - (off_t)len : whole;
		ssize_t n = pread(fd, buf, (size_t)(end - from), from);

		if (n != end - from)
			return whole;
		for (ssize_t i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				return from + i + 1;
		end = from;
	}
	return whole;
}

/*
 * The end of the last whole line of @f's file between @whole and @end
 * (@whole: none, or the file cannot be read back).  Read through a
 * descriptor of its own: the stream's is write-only.
 */
static off_t last_line_end(FILE *f, off_t whole, off_t end)
{
	char buf[4096], self[64];
	int fd;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fileno(f));
	fd = open(self, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return whole;
	end = read_back_to_newline(fd, whole, end, buf, sizeof(buf));
	close(fd);
	return end;
}

/*
 * A write error (a full disk) cut the file anywhere: the stream's buffer
 * is written whenever it fills, mid-line, and the short write kept what
 * fitted -- half a JSON line no reader parses (abuse28 T9).  A regular
 * file is cut back to its last whole line (the run still ends with 1);
 * what the buffer holds is dropped, so that fclose() writes no half line
 * after it.
 */
static void end_on_whole_line(FILE *f, const char *path, off_t whole)
{
	struct stat st;
	off_t end;

	if (!ferror(f) || fstat(fileno(f), &st) || !S_ISREG(st.st_mode))
		return;
	__fpurge(f);
	end = last_line_end(f, whole, st.st_size);
	if (end == st.st_size)
		return;
	if (ftruncate(fileno(f), end))
		fprintf(stderr, "hotmem-trace: %s: cutting it back to its last whole line: %s\n",
			path, strerror(errno));
	else
		fprintf(stderr, "hotmem-trace: %s: cut back to its last whole line (%lld bytes)\n",
			path, (long long)end);
}

static void close_output(struct run *r)
{
	if (r->out && r->out != stdout) {
		end_on_whole_line(r->out, r->o->output, r->out_whole);
		fclose(r->out);
	}
	if (r->jout) {
		end_on_whole_line(r->jout, r->o->json_output, r->jout_whole);
		fclose(r->jout);
	}
	r->out = r->jout = NULL;
}

/*
 * -o and -J opened before anything is loaded (an unwritable path refused
 * before seconds of attaching), neither emptied yet: replace_output(),
 * once nothing can refuse any more.  A file made here is removed again by
 * a refused start (remove_made_output()).
 */
static int open_output(struct run *r)
{
	r->out = stdout;
	if (!r->o->output)
		setvbuf(stdout, NULL, _IOFBF, OUT_BUF);
	else if (!(r->out = open_file(r->o->output, &r->made_out)))
		return -EIO;
	if (r->o->json_output && !(r->jout = open_file(r->o->json_output, &r->made_json)))
		return -EIO;
	return 0;
}

/* the start goes on: it replaces the files, and keeps those it made */
static int replace_output(struct run *r)
{
	if ((r->o->output && replace_file(r->out, r->o->output)) ||
	    replace_file(r->jout, r->o->json_output))
		return -EIO;
	r->made_out = r->made_json = false;
	return 0;
}

/* after close_output(): the files a refused start made, removed */
static void remove_made_output(struct run *r)
{
	if (r->made_out)
		unlink(r->o->output);
	if (r->made_json)
		unlink(r->o->json_output);
	r->made_out = r->made_json = false;
}

/* ---- setup and main loop ------------------------------------------------- */

#define PROC_PID_INIT_INO 0xEFFFFFFCU

static int set_emulator(struct run *r)
{
	struct opts *o = r->o;
	const char *e = o->emulator;
	struct stat st;
	char *end;
	long pid;

	r->t.emu_pid = -1;
	/* a command: its probes and its children's, not other processes' */
	r->t.filter_tgid = r->child > 0 ? r->child : 0;
	/*
	 * the pids said here are our pid namespace's (hotmem-enter's, say):
	 * the BPF side compares them there, not as the initial namespace's.
	 * In the initial namespace (PROC_PID_INIT_INO, include/linux/proc_ns.h)
	 * a pid is task->tgid: 0 keeps each probe hit to that one read.
	 */
	r->t.filter_pidns_ino = stat("/proc/self/ns/pid", &st) || st.st_ino == PROC_PID_INIT_INO ?
					0 : (unsigned int)st.st_ino;
	if (!e && !o->cmd)
		return 0;
	r->t.want_emulator = true;
	r->t.per_probe = o->per_probe;
	if (!e) {
		r->t.emu_cmd = o->cmd[0];
		return resolve_cmd(o->cmd[0], r->t.emu_path);
	}
	pid = strtol(e, &end, 10);
	if (*e && !*end && pid > 0) {
		r->t.emu_pid = pid;
		r->t.filter_tgid = pid;
		snprintf(r->t.emu_path, sizeof(r->t.emu_path), "/proc/%ld/exe", pid);
		if (access(r->t.emu_path, F_OK))
			return -ESRCH;
		read_comm(pid, r->emu_comm, sizeof(r->emu_comm));
		return 0;
	}
	return realpath(e, r->t.emu_path) ? 0 : -errno;
}

/*
 * Since 2025's "perf: Require CAP_SYS_ADMIN for uprobes" (6.18 has it,
 * stable kernels too) kernel/events/core.c perf_uprobe_event_init()
 * refuses CAP_PERFMON alone: EACCES.  Said when that is why the engine's
 * probes were not attached; -EPERM when nothing was (@err), else @err.
 */
static int uprobes_refused(const struct run *r, int err)
{
	if (!r->t.want_emulator || r->t.usdt_err != -EACCES || has_cap(CAP_SYS_ADMIN))
		return err;
	fprintf(stderr,
		"hotmem-trace: not permitted: attaching the engine's USDT probes (uprobes) needs "
		"CAP_SYS_ADMIN on this kernel, and this process lacks it: run it as root\n");
	return err ? -EPERM : 0;
}

/*
 * A tracepoint's program is attached by its id, read from tracefs
 * (events/SYSTEM/EVENT/id), which only root may read: EACCES.  Said when
 * that is why; -EPERM when nothing was traced (@err), else @err.
 */
static int tracepoints_refused(const struct run *r, int err)
{
	bool refused = false;

	for (int i = 0; i < HMT_NR_TP; i++)
		refused |= r->t.want_kernel && r->t.tp_err[i] == -EACCES;
	if (!refused)
		return err;
	fprintf(stderr,
		"hotmem-trace: not permitted: attaching the kernel's tracepoints needs read access to "
		"tracefs's event ids (%s/events), which this process lacks: run it as root\n",
		TRACEFS);
	return err ? -EPERM : 0;
}

/*
 * Every probe attached is a descriptor (a perf event's, a link's): 54 USDT
 * probes with --per-probe, a kernel mode's functions, the maps.  The soft
 * RLIMIT_NOFILE raised to the hard one, as libbpf's tools do: at 64 a run
 * attached 19 of 54 probes and said "ready" (abuse25c D4).
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Probes left out for want of descriptors even at the hard limit: a trace
 * missing steps for a reason of ours, refused (-EMFILE) where it went on,
 * "ready", exit 0.
 */
static int fds_refused(const struct run *r)
{
	struct rlimit rl = { 0 };

	if (!hmt_tracer_out_of_fds(&r->t))
		return 0;
	getrlimit(RLIMIT_NOFILE, &rl);
	fprintf(stderr,
		"hotmem-trace: out of file descriptors (RLIMIT_NOFILE %llu, its hard limit): "
		"not every probe could be attached, the trace would miss steps: raise the "
		"limit (ulimit -Hn, LimitNOFILE=) and start again\n",
		(unsigned long long)rl.rlim_cur);
	return -EMFILE;
}

static int setup(struct run *r)
{
	int err;

	err = set_emulator(r);
	if (err) {
		fprintf(stderr, "hotmem-trace: emulator %s%s: %s\n",
			r->o->emulator ? r->o->emulator : r->o->cmd[0],
			r->o->emulator_env ? " (" EMULATOR_ENV ", hotmem-enter's machine)" : "",
			strerror(-err));
		return err;
	}
	/* the cheap refusals before the seconds of loading and attaching */
	if (!r->o->no_pin) {
		err = claim_pin_dir(r);
		if (err)
			return err;
	}
	err = open_output(r);
	if (err)
		return err;
	r->t.want_kernel = r->o->kernel;
	r->t.first_mode = r->o->mode;
	r->t.block_pages = kernel_block_pages();
	r->t.max_blocks = blocks_wanted(r);
	err = hmt_tracer_open(&r->t);
	if (!r->o->quiet || err)
		hmt_tracer_report(&r->t, stderr);
	if (err) {
		/* a binary without probes: hmt_tracer_report() said what it is, and what to do */
		if (!hmt_tracer_no_probes(&r->t))
			fprintf(stderr, "hotmem-trace: nothing could be traced: %s\n", strerror(-err));
		return tracepoints_refused(r, uprobes_refused(r, err));
	}
	uprobes_refused(r, 0);
	tracepoints_refused(r, 0);
	say_deleted_binaries(r);
	err = fds_refused(r);
	if (err)
		return err;
	if (!r->o->no_pin) {
		err = pin(r);
		if (err)
			return err;
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->t.skel->maps.events), on_event, r, NULL);
	if (!r->rb)
		return -errno ? -errno : -ENOMEM;
	return 0;
}

/*
 * How long the reader sleeps between drains, at most.  The BPF side wakes
 * it before that only when its buffer fills past a quarter
 * (hotmem_trace.bpf.c wakeup_flags()), so that a storm's records are
 * drained in few wake-ups, each one many records, and the traced process
 * never pays a wake-up for them.  A human watching sees an event at most
 * this late.  The buffer is 4 MiB: the fastest storm through hotmemfs
 * (~1.9 KB of records a cycle, ~6.5 MB/s) fills a quarter in ~150 ms.
 */
#define POLL_MS 200

/* the poll's timeout: POLL_MS, or less where --duration ends sooner */
static int poll_timeout(__u64 end)
{
	__u64 now;

	if (!end)
		return POLL_MS;
	now = now_ns();
	if (now >= end)
		return 0;
	return end - now < POLL_MS * 1000000ULL ? (int)((end - now + 999999) / 1000000) : POLL_MS;
}

static void on_child(int sig)
{
	(void)sig; /* nothing: the poll's EINTR makes the loop look at its command */
}

/*
 * The command's end interrupts the poll (SIGCHLD, no SA_RESTART): the
 * trace ends when it does, not up to POLL_MS later.  Set only once the
 * command runs: no setup call sees an EINTR.
 */
static void catch_child(const struct run *r)
{
	struct sigaction sa = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };

	if (r->child <= 0)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
}

static int poll_loop(struct run *r)
{
	__u64 end = r->o->duration > 0 ? now_ns() + r->o->duration * 1e9 : 0;
	int err = 0;

	catch_child(r);
	while (!stop) {
		if (user_sig) {
			fprintf(stderr,
				"hotmem-trace: %s: %llu events so far, %llu dropped, tracing on%s\n",
				user_sig == SIGUSR1 ? "SIGUSR1" : "SIGUSR2 ignored", r->nevents,
				dropped_total(r), " (SIGINT, SIGTERM, SIGHUP stop it)");
			user_sig = 0;
		}
		/* the BPF side wakes us only when its buffer fills: drain anyway */
		err = ring_buffer__poll(r->rb, poll_timeout(end));
		/* a signal (the command's end, a stop) is looked at below, not after another poll */
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(r->rb);
		if (err >= 0)
			err = write_lost(r);
		if (err < 0)
			break;
		err = flush_output(r);
		if (err)
			break;
		if (end && now_ns() >= end) {
			r->duration_over = true;
			break;
		}
		if (cmd_done(r))
			break;
		if (emulator_gone(r)) {
			r->emulator_exited = true;
			break;
		}
	}
	/*
	 * The last drain only after a clean loop: after a write error the
	 * events left would fail again, each saying so (trace28: the error
	 * was said twice)
	 */
	if (!err) {
		err = ring_buffer__consume(r->rb);
		if (err >= 0)
			err = write_lost(r);
	}
	return err < 0 ? err : flush_output(r);
}

/*
 * hotmem-trace exits with the command's status, which may be 2 or 1, its
 * own usage and setup errors' too: the last line says the command's when
 * it is not 0 (hotmem-trace(8) EXIT STATUS).
 */
static void print_cmd_status(const struct run *r)
{
	if (!r->o->cmd || !r->child_waited)
		return;
	if (WIFEXITED(r->child_status) && WEXITSTATUS(r->child_status))
		fprintf(stderr, "; %s exited with status %d", r->o->cmd[0],
			WEXITSTATUS(r->child_status));
	else if (WIFSIGNALED(r->child_status))
		fprintf(stderr, "; %s killed by signal %d (%s)", r->o->cmd[0],
			WTERMSIG(r->child_status), strsignal(WTERMSIG(r->child_status)));
}

static void print_summary(struct run *r)
{
	/* the lost records' counts add up to it */
	fprintf(stderr, "hotmem-trace: %llu events, %llu dropped", r->nevents, dropped_total(r));
	if (r->t.usdt_found)
		fprintf(stderr, ", %llu USDT probe hits", (unsigned long long)r->t.skel->bss->usdt_hits);
	if (r->t.skel->bss->blocks_full)
		fprintf(stderr, ", %llu block steps not kept in the blocks map (full at %u blocks: "
				"--max-blocks)",
			(unsigned long long)r->t.skel->bss->blocks_full,
			bpf_map__max_entries(r->t.skel->maps.blocks));
	fprintf(stderr, "%s%s", stop ? "; stopped by " : "", stop ? strsignal(stop) : "");
	/* a stop with no word of why read as a fault (abuse28 T11) */
	if (r->emulator_exited)
		fprintf(stderr, "; %s (pid %d) exited", r->emu_comm, (int)r->t.emu_pid);
	print_cmd_status(r);
	fputc('\n', stderr);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_user_signal;
	sa.sa_flags = SA_RESTART; /* the setup's calls go on: it is no stop */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* a closed pipe is a write error, handled like a signal */
	signal(SIGPIPE, SIG_IGN);
}

static int trace_main(struct opts *o)
{
	struct run r = { .o = o, .go_fd = -1, .pin_dir_fd = -1 };
	int err;

	verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	install_signals();
	err = check_env(o);
	if (err)
		return err == -EPERM ? EX_NOPERM : 1;
	if (o->cmd) {
		err = fork_cmd(&r);
		if (err)
			goto out;
	}
	/* after the fork: the command runs under the caller's limits, not ours (reread25 R8) */
	raise_nofile();
	/*
	 * Before the probes attach: a step recorded between the attach and
	 * t0 was stamped 0, hundreds of them at the start of a storm's trace
	 * (abuse28 T11)
	 */
	r.t0 = now_ns();
	r.lost_since = r.t0;
	err = setup(&r);
	if (err)
		goto out;
	/*
	 * Emptied (a start replaces them) only once nothing can refuse any
	 * more: a refused start (pins in the way after a kill -9, a pid gone,
	 * pins off bpffs) emptied the last run's -o/-J file, and
	 * hotmem-trace.service's restarts did so every 5 s (abuse25a B6).
	 */
	err = replace_output(&r);
	if (err)
		goto out;
	if (!o->json)
		hmt_print_table_header(r.out);
	err = write_json_header(&r);
	if (err)
		goto out;
	/* the header's write error too (-o /dev/full): later flushes see an empty buffer */
	err = flush_output(&r);
	if (err)
		goto out;
	if (!o->quiet)
		fprintf(stderr, "hotmem-trace: ready: tracing%s%s%s; Ctrl-C to stop\n",
			o->cmd ? ", command started" : "",
			o->emulator_env ? " the machine's hotmemfs, pid " : "",
			o->emulator_env ? o->emulator : "");
	start_cmd(&r);
	err = poll_loop(&r);
	say_cmd_outlives(&r);
	end_cmd(&r); /* its status for the summary */
	if (!o->quiet) {
		print_summary(&r);
		if (r.t.usdt_found)
			fprintf(stderr, "hotmem-trace: detaching (a few seconds: one RCU grace "
					"period per uprobe)\n");
	}
out:
	end_cmd(&r);
	ring_buffer__free(r.rb);
	if (r.t.skel)
		unpin(&r);
	release_pin_dir(&r);
	hmt_tracer_close(&r.t);
	close_output(&r);
	remove_made_output(&r);
	if (err)
		return err == -EPERM ? EX_NOPERM : 1;
	if (o->cmd && WIFEXITED(r.child_status))
		return WEXITSTATUS(r.child_status);
	return o->cmd ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = HMT_KMODE_FENTRY };
	int err;

	if (argc > 1 && !strcmp(argv[1], "compare"))
		return hmt_compare_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "timeline"))
		return hmt_timeline_main(argc - 1, argv + 1);
	err = parse_opts(argc, argv, &o);
	if (err)
		return err;
	return trace_main(&o);
}
