// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-enter: run a shell or a command inside the emulated machine.
 *
 * Private mount, network and PID namespaces in which hotmemfs's tree is
 * bound over the real paths (enter_binds[]: /sys/devices/system/memory,
 * .../node, /sys/bus/memory, /sys/bus/node, module parameters, the ACPI
 * side, /sys/firmware/memmap, the debugfs notifier-error-inject files,
 * the global HugeTLB files, /proc/meminfo, zoneinfo, buddyinfo, vmstat,
 * iomem, cmdline, pagetypeinfo, kpageflags and kpagecount, vm.min_free_kbytes, watermark_scale_factor,
 * lowmem_reserve_ratio, vm.user_reserve_kbytes and
 * vm.admin_reserve_kbytes, kernel.random.boot_id), the rest of /sys and /proc/sys read-only, hotmemfs sends its uevents to this network namespace's
 * NETLINK_KOBJECT_UEVENT (owned by a user namespace of its own, so that
 * the host's uevents stay out: unshare_netns()), and /run, /run/udev and every udev rules
 * directory are private tmpfs: a systemd-udevd started inside never talks
 * to the host's udev nor reads the host's rules; modprobe, insmod and
 * rmmod load nothing into the host's kernel.  Real tools need no
 * --sysroot there.  /sys/devices/system/cpu stays the host's, but for a
 * CPU hotmemfs placed off its host node (the CPUs' node links, below).
 * systemd-detect-virt answers for the machine (--virt), not for the host:
 * the machine's DMI, none of the host's container markers (below).
 *
 * Nothing is left behind: every mount lives in the private mount
 * namespace, hotmemfs keeps no state file unless told to (-S), and the
 * PID namespace's init (this program's child) ending kills whatever the
 * command left running (a background udevd, say); init itself dies with
 * hotmem-enter, a kill -9 of it too (die_with_parent()).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hmfs.h" /* HMFS_QEMU_MACHINE */
#include "netns_owner.h"
#include "udev_rules.h"
#include "uapi/hm_version.h"

#define ENTER_ROOT "/run/hotmem"
#define ENTER_MNT ENTER_ROOT "/machine"
#define MOUNT_WAIT_MS 20000
#define STOP_WAIT_MS 5000
#define ENTER_CPU "/sys/devices/system/cpu"
#define ENTER_NODES ENTER_MNT "/sys/devices/system/node"
#define ENTER_KMOD ENTER_ROOT "/kmod"
#define DEBUGFS_MAGIC 0x64626720	/* include/uapi/linux/magic.h */
/* a read-only stand-in in /sys, with sysfs's own flags */
#define SYSFS_RO (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

struct enter_opts {
	const char *rules;	/* bound over /etc/udev/rules.d, or NULL: empty */
	char **fs_argv;		/* hotmemfs argv, NULL-terminated */
	char **cmd;		/* command, NULL: $SHELL */
	bool want_state;	/* the user gave -S/--state: keep it */
	const char *profile;	/* the user's -p/--profile, or NULL: for the host name */
	const char *virt;	/* --virt: what systemd-detect-virt says inside, kvm or none */
	char self_dir[PATH_MAX];	/* the directory hotmem-enter runs from, "" unknown */
};

/*
 * hotmemfs as init sees it: once waitpid() has returned its status the pid
 * is free for reuse and must never be signalled again.
 */
struct fs_child {
	pid_t pid;
	bool reaped;
	int status;
};

/* hotmemfs's tree -> the real path it stands for */
static const struct {
	const char *src, *dst;
	bool required;
} enter_binds[] = {
	{ "sys/devices/system/memory", "/sys/devices/system/memory", true },
	{ "sys/devices/system/node", "/sys/devices/system/node", true },
	{ "sys/bus/memory", "/sys/bus/memory", true },
	/* the nodes' subsystem link's target, listing the machine's nodes */
	{ "sys/bus/node", "/sys/bus/node", false },
	{ "sys/module/memory_hotplug/parameters", "/sys/module/memory_hotplug/parameters", false },
	/*
	 * hotmemfs's driver parameter (unplug_online): an agent in the
	 * machine writing it must change the emulation's driver, never the
	 * host's (a guest with virtio_mem loaded has the real one here).  A
	 * host without the module has no mount point: the agent then finds
	 * no file, as on a kernel without the driver.
	 */
	{ "sys/module/virtio_mem/parameters", "/sys/module/virtio_mem/parameters", false },
	{ "sys/kernel/debug", "/sys/kernel/debug", false },
	/*
	 * The machine's ACPI side: a DIMM's memoryN/firmware_node is a
	 * relative link into /sys/devices/LNXSYSTM:00, and on a QEMU host with
	 * memory slots the host's PNP0C80:xx are there -- an `echo 1 > eject`
	 * meant for the machine's DIMM would eject the host's.
	 */
	{ "sys/devices/LNXSYSTM:00", "/sys/devices/LNXSYSTM:00", false },
	{ "sys/bus/acpi", "/sys/bus/acpi", false },
	{ "sys/bus/container", "/sys/bus/container", false },
	{ "sys/firmware/memmap", "/sys/firmware/memmap", false },
	{ "proc/iomem", "/proc/iomem", false },
	{ "proc/meminfo", "/proc/meminfo", true },
	{ "proc/zoneinfo", "/proc/zoneinfo", true },
	{ "proc/buddyinfo", "/proc/buddyinfo", false },
	/*
	 * vmstat, free-like tools and agents reading nr_free_pages: the
	 * machine's, as meminfo and zoneinfo are -- the host's showed a
	 * second machine (usereye3 #15)
	 */
	{ "proc/vmstat", "/proc/vmstat", true },
	{ "proc/cmdline", "/proc/cmdline", false },
	/*
	 * Beside buddyinfo and zoneinfo, the host's pageblocks read as the
	 * machine's (usereye5 #5): pagetypeinfo is the machine's, and so are
	 * kpageflags and kpagecount, where page-types read the host's pages
	 * at the machine's pfns.  The machine's /proc/sys/vm files
	 * (vm.min_free_kbytes, the zoneinfo watermarks' own, the HugeTLB
	 * pool's, HVO's switch, mm/mmap.c's reserves: writable, a write would
	 * change the host's) are bound after these: vm_sysctl_binds[].
	 */
	{ "proc/pagetypeinfo", "/proc/pagetypeinfo", false },
	{ "proc/kpageflags", "/proc/kpageflags", false },
	{ "proc/kpagecount", "/proc/kpagecount", false },
	/*
	 * The global HugeTLB pool (hugeadm, libhugetlbfs, sysctl
	 * vm.nr_hugepages): the machine's, as its nodeN pools and meminfo
	 * are -- the host's read the host's count (usereye3 #14)
	 */
	{ "sys/kernel/mm/hugepages", "/sys/kernel/mm/hugepages", false },
	/*
	 * The machine's boot_id, which hotmemfs serves and its state file
	 * keeps (c5aed6f5): hotmemd's boot-blocks key (daemon/bootblocks.c)
	 * inside was the host's boot, not the machine's
	 */
	{ "proc/sys/kernel/random/boot_id", "/proc/sys/kernel/random/boot_id", false },
};

/*
 * The machine's /proc/sys/vm files, each bound over the real one when both
 * are there: hotmemfs's list (hmfs.h HMFS_VM_SYSCTLS()), not one of our own
 * beside it (a file hotmemfs serves and hotmem-enter did not bind was the
 * host's, read-only)
 */
#define VM_SYSCTL_NAME(name, id) name,
static const char *const vm_sysctl_binds[] = { HMFS_VM_SYSCTLS(VM_SYSCTL_NAME) };
#undef VM_SYSCTL_NAME

/* udev reads rules from these (systemd 252: UDEV_RULES_DIRS, split-usr and merged) */
static const char *const udev_rules_dirs[] = {
	"/etc/udev/rules.d",
	"/usr/local/lib/udev/rules.d",
	"/usr/lib/udev/rules.d",
	"/lib/udev/rules.d",
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hotmem-enter [--rules DIR|FILE] [--virt kvm|none] [hotmemfs options...]\n"
		"                    [-- COMMAND [ARG...]]\n"
		"\n"
		"Run COMMAND (default: $SHELL) in private mount, network, PID and UTS\n"
		"namespaces (host name hotmem-PROFILE) where hotmemfs's emulated machine\n"
		"is the system: its memory sysfs and procfs bound over /sys and /proc,\n"
		"its uevents on this namespace's netlink,\n"
		"a private /run (hotmemctl's default socket is there) and empty udev rules\n"
		"directories, so lsmem, chmem, systemd-udevd, udevadm and hotmemd need no\n"
		"--sysroot.  Nothing of it outlives COMMAND.\n"
		"\n"
		"  --rules DIR|FILE  udev rules for a udevd started inside (bound over /etc/udev/rules.d,\n"
		"                    a FILE alone in it)\n"
		"  --virt kvm|none   what the machine is to systemd-detect-virt: a QEMU/KVM guest (its\n"
		"                    DMI, the default) or bare metal; no container either way (CPUID\n"
		"                    stays the host's: hotmem-enter(8))\n"
		"  -h, --help    this text\n"
		"  -V, --version hotmem-enter's version and the build's git describe\n"
		"Every other option goes to hotmemfs (see hotmemfs --help): --profile, --cmdline, ...\n"
		"Exit status: COMMAND's; 125 when the machine cannot be entered.\n");
}

static int parse_opts(int argc, char **argv, struct enter_opts *o)
{
	int i, n = 0;

	*o = (struct enter_opts){ .virt = "kvm" };
	/* hotmemfs argv: argv[0], ours, -S none, the mountpoint, NULL */
	o->fs_argv = calloc((size_t)argc + 6, sizeof(char *));
	if (!o->fs_argv)
		return -1;
	o->fs_argv[n++] = "hotmemfs";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version"))
			exit(hmu_print_version("hotmem-enter"));
		if (!strcmp(a, "--rules")) {
			if (++i == argc) {
				fprintf(stderr, "hotmem-enter: --rules needs a directory\n");
				return -1;
			}
			o->rules = argv[i];
			continue;
		}
		if (!strncmp(a, "--rules=", 8)) {
			o->rules = a + 8;
			continue;
		}
		if (!strcmp(a, "--virt") || !strncmp(a, "--virt=", 7)) {
			if (!a[6] && ++i == argc) {
				fprintf(stderr, "hotmem-enter: --virt needs kvm or none\n");
				return -1;
			}
			o->virt = a[6] ? a + 7 : argv[i];
			if (strcmp(o->virt, "kvm") && strcmp(o->virt, "none")) {
				fprintf(stderr, "hotmem-enter: --virt %s: kvm or none\n", o->virt);
				return -1;
			}
			continue;
		}
		if (!strncmp(a, "-S", 2) || !strncmp(a, "--state", 7))
			o->want_state = true;
		if ((!strcmp(a, "-p") || !strcmp(a, "--profile")) && i + 1 < argc)
			o->profile = argv[i + 1];
		else if (!strncmp(a, "--profile=", 10))
			o->profile = a + 10;
		else if (!strncmp(a, "-p", 2) && a[2])
			o->profile = a + 2;
		o->fs_argv[n++] = argv[i];
	}
	if (!o->want_state) {
		o->fs_argv[n++] = "--state";
		o->fs_argv[n++] = "none";
	}
	o->fs_argv[n++] = ENTER_MNT;
	o->fs_argv[n] = NULL;
	o->cmd = i < argc ? &argv[i] : NULL;
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * The directory of /proc/self/exe, read before any namespace is made: in
 * a mount namespace of our own the link names the binary's path in the
 * one it was executed in, which from a chroot is the path outside it
 * (/CHROOT/usr/bin/hotmem-enter), and hotmemfs beside it was not found.
 */
static void find_self_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	dir[n > 0 ? n : 0] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
}

/* $HOTMEMFS, else hotmemfs next to us (build tree, same bindir), else PATH's */
static void find_hotmemfs(const struct enter_opts *o, char *buf, size_t len)
{
	const char *env = getenv("HOTMEMFS");

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	if (o->self_dir[0] && (size_t)snprintf(buf, len, "%s/hotmemfs", o->self_dir) < len &&
	    access(buf, X_OK) == 0)
		return;
	snprintf(buf, len, "hotmemfs");
}

static int mount_tmpfs(const char *dir, const char *mode)
{
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, mode) < 0) {
		fprintf(stderr, "hotmem-enter: tmpfs on %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * --rules DIR|FILE, held open (O_PATH) from before the private /run hides
 * it: one under /run (mktemp -p /run, /run/user/UID/...) would otherwise
 * be gone by the time it is bound.  Opened in the new mount namespace (a
 * bind source must be a mount of the caller's namespace, do_loopback()),
 * through the host's /proc/self/fd, which is still mounted.  A FILE (as
 * hotmem-conform takes) is bound alone into an empty /etc/udev/rules.d.
 */
static int open_rules(const struct enter_opts *o, bool *is_file)
{
	struct stat st;
	int fd;

	*is_file = false;
	if (!o->rules)
		return -1;
	fd = open(o->rules, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hotmem-enter: --rules %s: %s\n", o->rules, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
		*is_file = S_ISREG(st.st_mode);
		return fd;
	}
	fprintf(stderr, "hotmem-enter: --rules %s: neither a directory nor a rules file\n",
		o->rules);
	close(fd);
	return -1;
}

static int bind_rules(const struct enter_opts *o, int fd, const char *dst)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		fprintf(stderr, "hotmem-enter: bind --rules %s on %s: %s\n", o->rules, dst,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* --rules FILE: alone in a private @dir, under a name udevd reads (hmfs_udev_rules_name()) */
static int bind_rules_file(const struct enter_opts *o, int fd, const char *dir)
{
	char name[NAME_MAX + 1], dst[PATH_MAX];
	int f, r;

	r = hmfs_udev_rules_name(o->rules, name, sizeof(name));
	if (r < 0) {
		fprintf(stderr, "hotmem-enter: --rules %s: %s\n", o->rules, strerror(-r));
		return -1;
	}
	if (mount_tmpfs(dir, "mode=0755") < 0)
		return -1;
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	f = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (f < 0) {
		fprintf(stderr, "hotmem-enter: %s: %s\n", dst, strerror(errno));
		return -1;
	}
	close(f);
	return bind_rules(o, fd, dst);
}

/*
 * The host's /run (its udev control socket and database, /run/udev/rules.d,
 * /run/netns) and every udev rules directory are replaced by private ones.
 * On failure the caller's mount namespace, private, goes with it.
 */
static int private_run_and_rules(const struct enter_opts *o)
{
	struct stat st;
	int rules_fd, ret = -1;
	bool rules_file;
	size_t i;

	rules_fd = open_rules(o, &rules_file);
	if (o->rules && rules_fd < 0)
		return -1;
	if (o->rules && stat("/etc/udev/rules.d", &st) < 0) {
		fprintf(stderr, "hotmem-enter: --rules: no /etc/udev/rules.d to bind it on\n");
		goto out;
	}
	if (mount_tmpfs("/run", "mode=0755") < 0)
		goto out;
	if (mkdir(ENTER_ROOT, 0755) < 0 || mkdir(ENTER_MNT, 0755) < 0 ||
	    mkdir("/run/udev", 0755) < 0 || mkdir("/run/udev/rules.d", 0755) < 0) {
		fprintf(stderr, "hotmem-enter: private /run: %s\n", strerror(errno));
		goto out;
	}
	for (i = 0; i < sizeof(udev_rules_dirs) / sizeof(udev_rules_dirs[0]); i++) {
		const char *d = udev_rules_dirs[i];

		/* /lib/udev/rules.d is /usr/lib/udev/rules.d on merged /usr */
		if (stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (o->rules && !strcmp(d, "/etc/udev/rules.d")) {
			if ((rules_file ? bind_rules_file(o, rules_fd, d) : bind_rules(o, rules_fd, d)) < 0)
				goto out;
			continue;
		}
		if (mount_tmpfs(d, "mode=0755") < 0)
			goto out;
	}
	ret = 0;
out:
	if (rules_fd >= 0)
		close(rules_fd);
	return ret;
}

static pid_t start_hotmemfs(const struct enter_opts *o, const sigset_t *oldmask)
{
	char path[PATH_MAX];
	pid_t pid;

	find_hotmemfs(o, path, sizeof(path));
	pid = fork();
	if (pid < 0) {
		perror("hotmem-enter: fork");
		return -1;
	}
	if (pid == 0) {
		/* its own process group: the terminal's ^C is for the command */
		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		execvp(path, o->fs_argv);
		fprintf(stderr, "hotmem-enter: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* waitpid(WNOHANG) on hotmemfs, remembering that it was reaped */
static bool fs_reap(struct fs_child *fs)
{
	if (!fs->reaped && waitpid(fs->pid, &fs->status, WNOHANG) == fs->pid)
		fs->reaped = true;
	return fs->reaped;
}

static int wait_mounted(struct fs_child *fs)
{
	long end = now_ms() + MOUNT_WAIT_MS;

	while (now_ms() < end) {
		if (access(ENTER_MNT "/sys/devices/system/memory/block_size_bytes", F_OK) == 0)
			return 0;
		if (fs_reap(fs)) {
			fprintf(stderr, "hotmem-enter: hotmemfs exited (status %d) before mounting\n",
				exit_code(fs->status));
			return -1;
		}
		sleep_ms(20);
	}
	fprintf(stderr, "hotmem-enter: hotmemfs did not mount within %d s\n", MOUNT_WAIT_MS / 1000);
	return -1;
}

/* hotmemfs's @src over @dst when both are there; -1 (said) when the bind fails */
static int bind_one(const char *src, const char *dst)
{
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
		fprintf(stderr, "hotmem-enter: bind %s on %s: %s\n", src, dst, strerror(errno));
		return -1;
	}
	return 0;
}

/* the machine's /proc/sys/vm files (vm_sysctl_binds[]), none required */
static int bind_vm_sysctls(void)
{
	char src[PATH_MAX], dst[PATH_MAX];

	for (size_t i = 0; i < sizeof(vm_sysctl_binds) / sizeof(vm_sysctl_binds[0]); i++) {
		snprintf(src, sizeof(src), ENTER_MNT "/proc/sys/vm/%s", vm_sysctl_binds[i]);
		snprintf(dst, sizeof(dst), "/proc/sys/vm/%s", vm_sysctl_binds[i]);
		if (access(src, F_OK) < 0 || access(dst, F_OK) < 0)
			continue;
		if (bind_one(src, dst) < 0)
			return -1;
	}
	return 0;
}

static int bind_machine(void)
{
	char src[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(enter_binds) / sizeof(enter_binds[0]); i++) {
		snprintf(src, sizeof(src), ENTER_MNT "/%s", enter_binds[i].src);
		if (access(src, F_OK) < 0 || access(enter_binds[i].dst, F_OK) < 0) {
			if (enter_binds[i].required) {
				fprintf(stderr, "hotmem-enter: cannot bind %s: %s missing\n",
					enter_binds[i].dst,
					access(src, F_OK) < 0 ? src : enter_binds[i].dst);
				return -1;
			}
			continue;
		}
		if (bind_one(src, enter_binds[i].dst) < 0)
			return -1;
	}
	return bind_vm_sysctls();
}

/*
 * What the machine does not serve stays the host's, read-only: the rest
 * of /sys (a `udevadm trigger` without a filter would otherwise write
 * "add" into every host device's uevent, and the host's udevd would run
 * its rules again for all of them; /sys/kernel/mm/hugepages would resize
 * the host's pool), /proc/sys (vm.nr_hugepages, compact_memory,
 * drop_caches act on the host) and /proc/sysrq-trigger, as a container
 * runtime leaves them.  The machine's own files are bound over them
 * afterwards, each a mount of its own, writable.
 * readonly_in_place(): @path itself (bound on itself first when
 * @self_bind) and every mount under it; readonly_bind_over() below binds
 * another directory over a path, read-only, that one mount alone.
 */
static int readonly_in_place(const char *path, bool self_bind)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (access(path, F_OK) < 0)
		return 0;
	if (self_bind && mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		goto fail;
	/* every mount under it too (cgroups, tracefs, bpffs, binfmt_misc): a bind remount is not recursive */
	if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "hotmem-enter: read-only %s: %s\n", path, strerror(errno));
	return -1;
}

/*
 * A bpffs of the machine's own at /sys/fs/bpf (each mount of bpf is a new
 * instance): hotmem-trace's pins inside land there and go with the
 * namespace, never on the host's.  Not fatal: without one the read-only
 * host's refuses a pin (EROFS) and `--no-pin` still traces.
 */
static void private_bpffs(void)
{
	if (access("/sys/fs/bpf", F_OK) < 0)
		return;
	if (mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
		fprintf(stderr, "hotmem-enter: no private bpffs on /sys/fs/bpf (%s): pins refused there\n",
			strerror(errno));
}

static int host_read_only(void)
{
	/* a container runtime's read-only paths (runc's defaults), /sys whole */
	static const char *const proc_ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
					       "/proc/bus", "/proc/fs" };

	/* /sys is a mount of its own; the /proc ones are in /proc's: bound on themselves */
	if (readonly_in_place("/sys", false) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(proc_ro) / sizeof(proc_ro[0]); i++)
		if (readonly_in_place(proc_ro[i], true) < 0)
			return -1;
	private_bpffs();
	return 0;
}

/*
 * A real debugfs under hotmemfs's notifier-error-inject files: the
 * kernel's selftest finds debugfs with `mount -t debugfs | head -1`
 * (mem-on-off-test.sh), which a FUSE bind alone is not; without one it
 * skips its error-injection half and still says it passed.  Where the
 * host has none mounted, one is mounted here (our namespace only) and at
 * once hidden under hotmemfs's tree by bind_machine().  Not fatal: a
 * kernel without debugfs leaves the selftest skipping, as it would there.
 */
static void debugfs_below_machine(void)
{
	struct statfs sf;

	if (access(ENTER_MNT "/sys/kernel/debug", F_OK) < 0 ||
	    access("/sys/kernel/debug", F_OK) < 0)
		return;
	if (statfs("/sys/kernel/debug", &sf) == 0 && sf.f_type == DEBUGFS_MAGIC)
		return;
	/*
	 * No options: debugfs is one superblock system-wide, and a mount's
	 * mode=/uid= would reconfigure the host's own (debugfs_reconfigure());
	 * the per-mount flags and host_read_only()'s read-only are this
	 * mount's alone.
	 */
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		fprintf(stderr, "hotmem-enter: no debugfs under /sys/kernel/debug (%s): the selftest will skip its notifier part\n",
			strerror(errno));
}

/*
 * ---- modprobe -------------------------------------------------------
 *
 * The machine's drivers (virtio_mem, memory-notifier-error-inject) are
 * hotmemfs's, as if built in; the host's kernel must load nothing for a
 * command inside (the selftest runs `modprobe memory-notifier-error-inject`
 * and `modprobe -r`).  modprobe, insmod and rmmod exit 0, said on stderr
 * unless -q, a load as kmod's of a built-in module; a removal as the
 * guest's of a loaded module (exit 0), yet the driver's files stay
 * (abuse29b U3: kmod refuses to remove a built-in, exit 1 "Module NAME is
 * builtin.", and the selftest ends on `modprobe -q -r`: its status would be
 * 1 where the guest's is 0; hotmemfs's debugfs files cannot be unloaded).
 * The other names of the same multi-call binary (kmod's lsmod, modinfo,
 * depmod) run the real one.
 */
static const char kmod_stub[] =
	"#!/bin/sh\n"
	"# hotmem-enter: the host's kernel loads nothing for a command inside the machine\n"
	"name=${0##*/}\n"
	"case $name in\n"
	"modprobe|insmod|rmmod)\n"
	"\tfor a; do case $a in -q|--quiet) exit 0;; esac; done\n"
	"\techo \"hotmem-enter: $name $*: not run: the machine's drivers are hotmemfs's, built in; the host's kernel loads nothing\" >&2\n"
	"\texit 0;;\n"
	"esac\n"
	"[ -x " ENTER_KMOD "/$name ] && exec " ENTER_KMOD "/$name \"$@\"\n"
	"echo \"hotmem-enter: $name: not available inside the machine\" >&2\n"
	"exit 1\n";

/* the multi-call binary @real under ENTER_KMOD/.bin, its other names linked to it */
static void keep_real_kmod(const char *real)
{
	static const char *const names[] = { "lsmod", "modinfo", "depmod", "kmod" };
	char link[PATH_MAX];
	int fd;

	if (mkdir(ENTER_KMOD, 0755) < 0 && errno != EEXIST)
		return;
	fd = open(ENTER_KMOD "/.bin", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0)
		return;
	close(fd);
	if (mount(real, ENTER_KMOD "/.bin", NULL, MS_BIND, NULL) < 0)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(link, sizeof(link), ENTER_KMOD "/%s", names[i]);
		if (symlink(".bin", link) < 0 && errno != EEXIST)
			return;
	}
}

static int write_kmod_stub(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, kmod_stub, sizeof(kmod_stub) - 1);
	close(fd);
	return n == (ssize_t)sizeof(kmod_stub) - 1 ? 0 : -1;
}

static int stub_modprobe(void)
{
	static const char *const tools[] = { "/sbin/modprobe", "/usr/sbin/modprobe", "/sbin/insmod",
					     "/usr/sbin/insmod", "/sbin/rmmod", "/usr/sbin/rmmod" };
	const char *stub = ENTER_ROOT "/modprobe";
	char real[PATH_MAX], done[8][PATH_MAX];
	size_t nr_done = 0;

	if (write_kmod_stub(stub) < 0) {
		fprintf(stderr, "hotmem-enter: %s: %s\n", stub, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		size_t j;

		/* mount(2) follows the link: bind over its target, once (kmod's is shared) */
		if (!realpath(tools[i], real))
			continue;
		for (j = 0; j < nr_done && strcmp(done[j], real); j++)
			;
		if (j < nr_done)
			continue;
		if (!strcmp(strrchr(real, '/') + 1, "kmod"))
			keep_real_kmod(real);
		if (mount(stub, real, NULL, MS_BIND, NULL) < 0) {
			fprintf(stderr, "hotmem-enter: bind %s on %s: %s\n", stub, real,
				strerror(errno));
			return -1;
		}
		snprintf(done[nr_done++], sizeof(done[0]), "%s", real);
	}
	return 0;
}

/*
 * ---- the CPUs' node links -------------------------------------------
 *
 * /sys/devices/system/cpu stays the host's (programs run on its CPUs),
 * and hotmemfs puts each CPU on its host node when the machine has it
 * (fusefs/nodecpu.c).  A CPU whose host node the machine lacks is placed
 * on another node, and its host link cpuM/nodeK would name a node the
 * machine does not have, or not that CPU's: irqbalance and readlink read
 * that side, lscpu and numactl nodeJ/cpulist.  Such a cpuM is replaced,
 * in our mount namespace only, by a copy: a read-only tmpfs whose every
 * entry is the host's bound over a stand-in, and whose node link is
 * nodeJ, the machine's (register_cpu_under_node(): "../../node/nodeJ").
 */

/* "nodeN": N, else -1 */
static int node_name(const char *name)
{
	char *end;
	long v;

	if (strncmp(name, "node", 4) || !isdigit((unsigned char)name[4]))
		return -1;
	v = strtol(name + 4, &end, 10);
	return *end || v > INT_MAX ? -1 : (int)v;
}

/* the node hotmemfs placed @cpu on (its nodeJ/cpuM link), or -1 */
static int machine_cpu_node(int cpu)
{
	char path[PATH_MAX];
	DIR *d = opendir(ENTER_NODES);
	struct dirent *e;
	int nid = -1;

	if (!d)
		return -1;
	while (nid < 0 && (e = readdir(d))) {
		if (node_name(e->d_name) < 0)
			continue;
		snprintf(path, sizeof(path), ENTER_NODES "/%s/cpu%d", e->d_name, cpu);
		if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			nid = node_name(e->d_name);
	}
	closedir(d);
	return nid;
}

/* a listing of the directory @dfd from its start, @dfd left open */
static DIR *list_dir(int dfd)
{
	int fd = dup(dfd);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return NULL;
	}
	rewinddir(d); /* a dup shares the offset of the last listing */
	return d;
}

/* the host's node link in the cpuM directory @dfd: its node, or -1 */
static int host_cpu_node(int dfd)
{
	DIR *d = list_dir(dfd);
	struct dirent *e;
	int nid = -1;

	if (!d)
		return -1;
	while (nid < 0 && (e = readdir(d)))
		nid = e->d_type == DT_LNK ? node_name(e->d_name) : -1;
	closedir(d);
	return nid;
}

/*
 * Entry @name of the host's directory @hfd into its copy at @path (@cfd):
 * a link as it was, a directory or a file the host's, bound over a
 * stand-in with every mount below it (a copy of / keeps /proc, /sys, /run
 * and ours on them)
 */
static int copy_entry(int hfd, int cfd, const char *path, const char *name)
{
	char src[PATH_MAX], dst[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (fstatat(hfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(hfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		return symlinkat(target, cfd, name);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(cfd, name, 0755) < 0)
			return -1;
	} else {
		fd = openat(cfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", hfd, name);
	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", path, name) >= sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mount(src, dst, NULL, MS_BIND | MS_REC, NULL);
}

/*
 * The host's directory @hfd copied onto a tmpfs mounted on @path: each
 * entry the host's (copy_entry()), but those @skip says to leave out.
 * Returns the copy, open (O_PATH), for the caller's own entries.
 */
static int copy_dir(int hfd, const char *path, bool (*skip)(int hfd, const char *name))
{
	DIR *d = list_dir(hfd);
	struct dirent *e;
	int cfd = -1;

	if (!d)
		return -1;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		goto out;
	cfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0)
		goto out;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (skip && skip(hfd, e->d_name)))
			continue;
		if (copy_entry(hfd, cfd, path, e->d_name) < 0) {
			close(cfd);
			cfd = -1;
			goto out;
		}
	}
out:
	closedir(d);
	return cfd;
}

/* a copy of cpuM has the machine's node link, not the host's */
static bool host_node_link(int hfd, const char *name)
{
	struct stat st;

	return node_name(name) >= 0 && fstatat(hfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISLNK(st.st_mode);
}

/* the copy of cpuM (@path, the host's open as @hfd) on tmpfs, linked to @nid */
static int copy_cpu_dir(int hfd, const char *path, int nid)
{
	char name[32], target[64];
	int cfd = copy_dir(hfd, path, host_node_link), ret = -1;

	if (cfd < 0)
		return -1;
	/* register_cpu_under_node()'s link, the machine's node */
	snprintf(name, sizeof(name), "node%d", nid);
	snprintf(target, sizeof(target), "../../node/node%d", nid);
	if (symlinkat(target, cfd, name) < 0)
		goto out;
	/* as sysfs: nothing new is made in it (the entries bound stay as the host's) */
	ret = mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
out:
	close(cfd);
	return ret;
}

/*
 * Each cpuM whose host node link is not the machine's node of it gets a
 * copy linked to that node.  One that cannot be copied is left the
 * host's (its copy, half made, goes), and that is said.
 */
static void relink_cpus(void)
{
	DIR *d = opendir(ENTER_CPU);
	char path[PATH_MAX];
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long cpu;
		int hfd, nid;

		if (strncmp(e->d_name, "cpu", 3) || !isdigit((unsigned char)e->d_name[3]))
			continue;
		cpu = strtol(e->d_name + 3, &end, 10);
		if (*end || cpu > INT_MAX || (nid = machine_cpu_node((int)cpu)) < 0)
			continue;
		snprintf(path, sizeof(path), ENTER_CPU "/%s", e->d_name);
		hfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (hfd < 0)
			continue;
		if (host_cpu_node(hfd) != nid && copy_cpu_dir(hfd, path, nid) < 0) {
			fprintf(stderr, "hotmem-enter: %s/node%d link: %s (the host's link stays)\n",
				path, nid, strerror(errno));
			umount2(path, MNT_DETACH);
		}
		close(hfd);
	}
	closedir(d);
}

/*
 * ---- what the machine is: systemd-detect-virt ------------------------
 *
 * Rules and agents decide by systemd-detect-virt (RHEL 9's
 * 40-redhat.rules: online_movable when it says "none"), which reads
 * (systemd 252 to 258, src/basic/virt.c): for a container
 * /run/host/container-manager, /run/systemd/container, PID 1's
 * $container, /run/.containerenv, /.dockerenv, cgroup.events and
 * cgroup.type at /sys/fs/cgroup (a cgroup namespace), /proc/vz,
 * /proc/sys/kernel/osrelease; for a VM the CPUID hypervisor leaf,
 * /sys/class/dmi/id (product_name, sys_vendor, board_vendor, bios_vendor,
 * product_version), /sys/firmware/dmi/entries/0-0/raw, /proc/xen,
 * /sys/hypervisor, /proc/cpuinfo (UML).  Inside, the machine answers as
 * --virt says: its own DMI directory (kvm: QEMU's, none: a bare-metal
 * PC's), no SMBIOS entries or hypervisor directory of the host, and none
 * of the host's container markers (/run is private already; PID 1 is
 * init here, its $container gone; /.dockerenv left out of a copy of /).
 * What stays the host's, and cannot be made otherwise from userspace:
 * CPUID (a VM host's hypervisor leaf answers --vm before DMI is read),
 * /proc/xen and /proc/vz (the kernel's procfs), osrelease, and a cgroup
 * namespace's non-root cgroup (hotmem-enter(8), "What is the host's").
 */

/* a /sys/class/dmi/id attribute, as drivers/firmware/dmi-id.c shows it */
struct dmi_attr {
	const char *name, *value;
	const char *alias;	/* its modalias field (dmi_id's get_modalias()), NULL: none */
};

/*
 * kvm: QEMU 7.2's pc machine (i440FX, the qemu-512m guest of
 * tests/kernel/) with SeaBIOS 1.16.2, read from such a guest's 6.12
 * kernel: no type 2 table (no board_*), the serials 0400 and empty.
 * systemd-detect-virt says "kvm" from CPUID on a KVM host, "qemu" from
 * sys_vendor where CPUID has no hypervisor (a QEMU TCG guest).
 */
static const struct dmi_attr dmi_qemu[] = {
	{ "bios_vendor", "SeaBIOS", "bvn" },
	{ "bios_version", "1.16.2-debian-1.16.2-1", "bvr" },
	{ "bios_date", "04/01/2014", "bd" },
	{ "bios_release", "0.0", "br" },
	{ "sys_vendor", "QEMU", "svn" },
	{ "product_name", "Standard PC (i440FX + PIIX, 1996)", "pn" },
	{ "product_version", HMFS_QEMU_MACHINE, "pvr" },
	{ "chassis_vendor", "QEMU", "cvn" },
	{ "chassis_type", "1", "ct" },
	{ "chassis_version", HMFS_QEMU_MACHINE, "cvr" },
	{ "product_sku", "", "sku" },
	{ "product_family", "", NULL },
	{ "product_serial", "", NULL },
	{ "chassis_serial", "", NULL },
	{ "chassis_asset_tag", "", NULL },
	{ NULL, NULL, NULL },
};

/* none: a bare-metal PC whose firmware names no vendor systemd knows as a VM's */
static const struct dmi_attr dmi_metal[] = {
	{ "bios_vendor", "hotmem", "bvn" },
	{ "bios_version", "1.0", "bvr" },
	{ "bios_date", "11/30/2026", "bd" },
	{ "bios_release", "1.0", "br" },
	{ "sys_vendor", "hotmem", "svn" },
	{ "product_name", "hotmem bare-metal machine", "pn" },
	{ "product_version", "1.0", "pvr" },
	{ "board_vendor", "hotmem", "rvn" },
	{ "board_name", "hotmem board", "rn" },
	{ "board_version", "1.0", "rvr" },
	{ "chassis_vendor", "hotmem", "cvn" },
	{ "chassis_type", "23", "ct" },
	{ "chassis_version", "1.0", "cvr" },
	{ "product_sku", "", "sku" },
	{ NULL, NULL, NULL },
};

/* @name in @dir: @text, mode @mode */
static int write_file(int dir, const char *name, const char *text, mode_t mode)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * dmi_id's modalias: each field's alias and value, blanks and ':' left
 * out (ascii_filter()), in the order of @t
 */
static void dmi_modalias(const struct dmi_attr *t, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "dmi:");

	for (; t->name && n < len; t++) {
		if (!t->alias)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s", t->alias);
		for (const char *c = t->value; *c && n + 1 < len; c++)
			if (!isspace((unsigned char)*c) && *c != ':' && *c >= 32 && *c < 127)
				buf[n++] = *c;
		if (n + 1 < len)
			buf[n++] = ':';
		buf[n < len ? n : len - 1] = '\0';
	}
}

/* the machine's /sys/class/dmi/id, made in @dir (ENTER_ROOT "/dmi/id") */
static int make_dmi(const char *virt, const char *dir)
{
	const struct dmi_attr *t = !strcmp(virt, "none") ? dmi_metal : dmi_qemu;
	char line[512], alias[400];
	int dfd, ret = -1;

	if (mkdir(ENTER_ROOT "/dmi", 0755) < 0 || mkdir(dir, 0755) < 0)
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	for (const struct dmi_attr *a = t; a->name; a++) {
		bool secret = strstr(a->name, "serial") || strstr(a->name, "asset");

		snprintf(line, sizeof(line), "%s\n", a->value);
		if (write_file(dfd, a->name, line, secret ? 0400 : 0444) < 0)
			goto out;
	}
	dmi_modalias(t, alias, sizeof(alias));
	snprintf(line, sizeof(line), "%s\n", alias);
	if (write_file(dfd, "modalias", line, 0444) < 0)
		goto out;
	snprintf(line, sizeof(line), "MODALIAS=%s\n", alias);
	ret = write_file(dfd, "uevent", line, 0644);
out:
	close(dfd);
	return ret;
}

/*
 * A bind of @src over @dst, read-only as sysfs's: that one mount, not
 * recursive (@src is a directory of ours, with no mount under it);
 * readonly_in_place() makes a host tree read-only where it is.
 */
static int readonly_bind_over(const char *src, const char *dst)
{
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | SYSFS_RO, NULL) < 0) {
		fprintf(stderr, "hotmem-enter: bind %s on %s: %s\n", src, dst, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The DMI directory over the host's (/sys/class/dmi/id is a link into
 * /sys/devices/virtual/dmi: the bind lands there).  A host without DMI
 * (a microVM) has no /sys/class/dmi to bind on: /sys/class becomes a copy
 * with it.
 */
static int bind_dmi(const char *virt)
{
	const char *dmi = ENTER_ROOT "/dmi/id";
	int hfd, cfd, ret = -1;

	if (make_dmi(virt, dmi) < 0) {
		fprintf(stderr, "hotmem-enter: %s: %s\n", dmi, strerror(errno));
		return -1;
	}
	if (access("/sys/class/dmi/id", F_OK) == 0)
		return readonly_bind_over(dmi, "/sys/class/dmi/id");
	hfd = open("/sys/class", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hfd < 0)
		return 0;	/* no /sys/class: nothing reads DMI there either */
	cfd = copy_dir(hfd, "/sys/class", NULL);
	if (cfd < 0 || mkdirat(cfd, "dmi", 0755) < 0 || mkdirat(cfd, "dmi/id", 0755) < 0 ||
	    mount(NULL, "/sys/class", NULL, MS_REMOUNT | MS_BIND | SYSFS_RO, NULL) < 0)
		fprintf(stderr, "hotmem-enter: /sys/class/dmi: %s\n", strerror(errno));
	else
		ret = readonly_bind_over(dmi, "/sys/class/dmi/id");
	if (cfd >= 0)
		close(cfd);
	close(hfd);
	return ret;
}

/* @dir of the host, when there is one, as an empty read-only directory */
static int hide_dir(const char *dir)
{
	if (access(dir, F_OK) < 0)
		return 0;
	if (mount("tmpfs", dir, "tmpfs", SYSFS_RO, "mode=0755") < 0) {
		fprintf(stderr, "hotmem-enter: hiding %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * PID 1's $container (systemd-nspawn's, podman's: hotmem-enter inherits
 * it), which systemd-detect-virt reads from /proc/1/environ: PID 1 here
 * is this process, whose environment block the kernel shows as it was at
 * exec.  Gone from the environment the command gets, and its bytes in
 * the block zeroed (an empty entry, which readers skip).
 */
static void hide_container_env(void)
{
	const char *prefix = "container=";
	char *v = getenv("container");
	char *s = v ? v - strlen(prefix) : NULL;

	if (!s || strncmp(s, prefix, strlen(prefix)))
		return;
	unsetenv("container");
	memset(s, 0, strlen(s));
}

/* what the copy of / leaves out: Docker's marker (podman's is in /run, private already) */
static bool container_marker(int hfd, const char *name)
{
	(void)hfd;
	return !strcmp(name, ".dockerenv");
}

/*
 * A root without /.dockerenv, which no bind can hide: a copy of / on a
 * tmpfs (every other entry the host's, with what is mounted below it),
 * made the root (enter_root()).  Only on a host that has one.  Returns the
 * root to enter in @root, "" when there is nothing to hide.
 */
static int root_without_markers(char *root, size_t len)
{
	int hfd, cfd;

	root[0] = '\0';
	if (access("/.dockerenv", F_OK) < 0)
		return 0;
	snprintf(root, len, "%s", ENTER_ROOT "/root");
	hfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hfd < 0 || mkdir(root, 0755) < 0)
		goto fail;
	cfd = copy_dir(hfd, root, container_marker);
	if (cfd < 0)
		goto fail;
	close(cfd);
	close(hfd);
	/* the copy of /run holds a copy of this root, empty then: not kept */
	umount2(ENTER_ROOT "/root" ENTER_ROOT "/root", MNT_DETACH);
	return 0;
fail:
	fprintf(stderr, "hotmem-enter: a root without /.dockerenv: %s\n", strerror(errno));
	if (hfd >= 0)
		close(hfd);
	return -1;
}

/*
 * Into @root (root_without_markers()), in the directory we were in: made
 * the mount namespace's root by pivot_root(2), the host's / under it
 * detached (pivot_root(".", "."), then umount2(".", MNT_DETACH), as
 * pivot_root(2)'s NOTES give it).  Not chroot(2): the kernel refuses a
 * chrooted process a user namespace (create_user_ns(): current_chrooted(),
 * EPERM), so bwrap, rootless podman and PrivateUsers= failed inside on a
 * host with /.dockerenv.  In a mount namespace of our own first (a copy
 * of hotmemfs's, private as it is): pivot_root moves the root of every
 * process of the namespace, and hotmemfs, left in the one it mounted in,
 * keeps the host's / and its mount as they were (its stop checks the
 * mount is its own, by id: the copy's is another).  A host / that is no
 * mount point of its own (pivot_root's EINVAL) gets chroot(2), as before.
 */
static int enter_root(const char *root)
{
	char cwd[PATH_MAX];
	bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;

	if (!*root)
		return 0;
	if (unshare(CLONE_NEWNS) < 0) {
		perror("hotmem-enter: unshare(mount namespace of the copy of /)");
		return -1;
	}
	if (chdir(root) < 0) {
		fprintf(stderr, "hotmem-enter: chdir %s: %s\n", root, strerror(errno));
		return -1;
	}
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0) {
			fprintf(stderr, "hotmem-enter: detaching the host's /: %s\n", strerror(errno));
			return -1;
		}
	} else if (errno != EINVAL || chroot(".") < 0) {
		fprintf(stderr, "hotmem-enter: pivot_root/chroot %s: %s\n", root, strerror(errno));
		return -1;
	}
	if (!have_cwd || chdir(cwd) < 0)
		return chdir("/");
	return 0;
}

/* the machine's answer to systemd-detect-virt: --virt's */
static int emulate_virt(const struct enter_opts *o)
{
	char root[PATH_MAX];

	hide_container_env();
	if (bind_dmi(o->virt) < 0 || hide_dir("/sys/firmware/dmi") < 0 ||
	    hide_dir("/sys/hypervisor") < 0)
		return -1;
	if (root_without_markers(root, sizeof(root)) < 0)
		return -1;
	return enter_root(root);
}

/* hotmemctl, hotmemd and friends from the directory we were run from */
static void path_prepend_self(const struct enter_opts *o)
{
	const char *old = getenv("PATH");
	char *path;

	if (!o->self_dir[0])
		return;
	if (asprintf(&path, "%s:%s", o->self_dir, old ? old : "/usr/sbin:/usr/bin:/sbin:/bin") < 0)
		return;
	setenv("PATH", path, 1);
	free(path);
}

static pid_t start_command(const struct enter_opts *o, const sigset_t *oldmask)
{
	const char *shell = getenv("SHELL");
	char *sh_argv[] = { (char *)(shell && *shell ? shell : "/bin/sh"), NULL };
	char **argv = o->cmd ? o->cmd : sh_argv;
	pid_t pid = fork();

	if (pid < 0) {
		perror("hotmem-enter: fork");
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "hotmem-enter: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * TERM (hotmemfs unmounts and exits), else KILL.  One already reaped is
 * not signalled: its pid may be another process's by now.
 */
static void stop_hotmemfs(struct fs_child *fs)
{
	long end;

	if (!fs->reaped) {
		kill(fs->pid, SIGTERM);
		for (end = now_ms() + STOP_WAIT_MS; now_ms() < end && !fs_reap(fs); sleep_ms(20))
			;
	}
	if (!fs->reaped) {
		kill(fs->pid, SIGKILL);
		if (waitpid(fs->pid, &fs->status, 0) == fs->pid)
			fs->reaped = true;
	}
	/*
	 * A hotmemfs killed, or dead on its own, leaves its mount behind
	 * (EINVAL if it unmounted): detach it, whichever way it ended.
	 */
	umount2(ENTER_MNT, MNT_DETACH);
}

/*
 * PID 1 of the new namespaces: reaps orphans, passes SIGTERM/SIGHUP to the
 * command, returns the command's exit status.
 */
static int init_loop(pid_t cmd, struct fs_child *fs)
{
	sigset_t set;
	siginfo_t si;
	int status;
	pid_t p;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	for (;;) {
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		/* SIGINT from the terminal reached the command already */
		if (si.si_signo == SIGTERM || si.si_signo == SIGHUP)
			kill(cmd, si.si_signo);
		if (si.si_signo != SIGCHLD)
			continue;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p == fs->pid && !fs->reaped) {
				fs->reaped = true;
				fs->status = status;
				fprintf(stderr, "hotmem-enter: hotmemfs exited (status %d): the machine is gone\n",
					exit_code(status));
			}
			if (p == cmd) {
				stop_hotmemfs(fs);
				return exit_code(status);
			}
		}
	}
}

/*
 * The machine's own host name in its UTS namespace, as systemd-nspawn
 * names a container after its machine: "hotmem-PROFILE" (a profile
 * file's name without its directory and ".profile"), so that every
 * default prompt (\h) inside tells this shell from the host's -- where
 * the same `echo offline > .../state` reaches real memory.
 */
static void set_machine_hostname(const struct enter_opts *o)
{
	const char *p = o->profile ? o->profile : "default";
	const char *slash = strrchr(p, '/');
	char name[64];
	size_t n = 0, len;

	if (slash)
		p = slash + 1;
	len = strlen(p);
	if (len > 8 && !strcmp(p + len - 8, ".profile"))
		len -= 8;
	n = (size_t)snprintf(name, sizeof(name), "hotmem-");
	for (size_t i = 0; i < len && n < sizeof(name) - 1; i++)
		name[n++] = isalnum((unsigned char)p[i]) || p[i] == '-' ? p[i] : '-';
	name[n] = '\0';
	if (sethostname(name, n) < 0)
		perror("hotmem-enter: sethostname (the prompt shows the host's name)");
}

static int enter_init(const struct enter_opts *o, const sigset_t *oldmask)
{
	struct fs_child fs = { 0 };
	pid_t cmd;

	if (unshare(CLONE_NEWNS) < 0) {
		perror("hotmem-enter: unshare(mount namespace)");
		return 125;
	}
	/* our own view: nothing we mount propagates back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("hotmem-enter: making / private");
		return 125;
	}
	if (private_run_and_rules(o) < 0)
		return 125;
	/*
	 * hotmemfs starts while /proc is still the host's: it refuses to send
	 * uevents when its network namespace is /proc/1's, and in the new
	 * /proc, PID 1 is us, in the private namespace.
	 */
	fs.pid = start_hotmemfs(o, oldmask);
	if (fs.pid < 0)
		return 125;
	if (wait_mounted(&fs) < 0)
		goto fail;
	/* /proc of the new PID namespace, so that ps and kill see only ours */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		perror("hotmem-enter: mounting /proc");
		goto fail;
	}
	debugfs_below_machine();
	if (host_read_only() < 0 || bind_machine() < 0 || stub_modprobe() < 0)
		goto fail;
	relink_cpus();
	if (emulate_virt(o) < 0)
		goto fail;
	path_prepend_self(o);
	set_machine_hostname(o);
	/*
	 * systemd's own switch for testing (sd-device, systemd >= 250): the
	 * emulated devices live on FUSE, not sysfs, and udevadm info/test/
	 * trigger would refuse them as "outside of sysfs".
	 */
	setenv("SYSTEMD_DEVICE_VERIFY_SYSFS", "0", 1);
	/*
	 * The host's journal socket is hidden by the private /run; without
	 * this, systemd tools (udevd) would fall back to the host's /dev/kmsg.
	 */
	setenv("SYSTEMD_LOG_TARGET", "console", 0);
	setenv("HOTMEM_ENTERED", ENTER_MNT, 1);
	/* hotmem-trace's default target: the machine's "kernel", not the host's */
	{
		char fs_pid[24];

		snprintf(fs_pid, sizeof(fs_pid), "%d", (int)fs.pid);
		setenv("HOTMEM_TRACE_EMULATOR", fs_pid, 1);
	}
	cmd = start_command(o, oldmask);
	if (cmd < 0)
		goto fail;
	return init_loop(cmd, &fs);
fail:
	stop_hotmemfs(&fs);
	return 125;
}

static int refuse_privileges(const char *what)
{
	fprintf(stderr,
		"hotmem-enter: %s: %s\n"
		"hotmem-enter: entering the machine needs root (CAP_SYS_ADMIN for private mount, UTS,\n"
		"hotmem-enter: network and PID namespaces and FUSE): run it with sudo\n",
		what, strerror(errno));
	return 125;
}

/*
 * Waits as the parent of the new PID namespace's init for init to end,
 * passing SIGTERM/SIGHUP on; never returns.
 */
static __attribute__((noreturn)) void wait_init(pid_t init, const sigset_t *set)
{
	siginfo_t si;
	int status;

	for (;;) {
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo == SIGTERM || si.si_signo == SIGHUP) {
			kill(init, si.si_signo);
			continue;
		}
		/* SIGINT/SIGQUIT from the terminal already reached the command */
		if (si.si_signo == SIGCHLD && waitpid(init, &status, WNOHANG) == init) {
			/*
			 * _exit: after unshare(CLONE_NEWPID) every process this one
			 * creates is born in the new namespace, where this one does
			 * not exist -- LeakSanitizer's exit-time tracer among them,
			 * which then cannot attach (a sanitizer build's "fatal
			 * error").  Nothing is left to flush or free here.
			 */
			fflush(NULL);
			_exit(exit_code(status));
		}
	}
}

/*
 * The PID namespace's init dies with the process that made it, and with
 * init everything in the namespace (hotmemfs, the command): a kill -9 of
 * hotmem-enter (a CI timeout) left the whole machine running, orphaned,
 * holding a -S state file's lock (usereye5 #11).  unshare --fork
 * --kill-child does the same with PR_SET_PDEATHSIG.  The parent may die
 * before prctl(): getppid() cannot tell (outside this PID namespace the
 * parent is 0, before and after), so the parent's end of @alive (a pipe
 * it holds open while it lives) is looked at after: EOF, it is gone.
 */
static int die_with_parent(int alive)
{
	struct pollfd pfd = { .fd = alive, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		perror("hotmem-enter: prctl(PR_SET_PDEATHSIG)");
		return -1;
	}
	if (poll(&pfd, 1, 0) != 0)
		return -1;	/* its end closed (or poll failed): hotmem-enter is gone */
	close(alive);
	return 0;
}

/*
 * ---- the machine's network namespace --------------------------------
 *
 * Owned by a user namespace of its own, so that the host's untagged
 * uevents (its memory blocks', naming memoryN as the machine's) stay out
 * (netns_owner.c says why and how); this process joins the network
 * namespace alone and stays root of the initial user namespace.
 */

/*
 * The machine's network namespace, owned by a user namespace of its own;
 * where none can be made (user.max_user_namespaces=0, a seccomp filter, a
 * chrooted hotmem-enter, a kernel without CONFIG_USER_NS) one owned by
 * the initial user namespace, as before, said: the host's uevents arrive.
 */
static int unshare_netns(void)
{
	const char *step;
	int ns, err;

	ns = hmfs_owned_netns_open(&step);
	if (ns >= 0) {
		step = "setns(its network namespace)";
		err = setns(ns, CLONE_NEWNET) < 0 ? errno : 0;
		close(ns);
		if (!err)
			return 0;
	} else {
		err = errno;
	}
	fprintf(stderr,
		"hotmem-enter: warning: no user namespace of its own for the machine's network namespace (%s: %s%s):\n"
		"hotmem-enter: warning: the host's own uevents arrive inside too, its memory blocks' (memoryN, named as the machine's) among them\n",
		step, strerror(err), hmfs_owned_netns_hint(err));
	return unshare(CLONE_NEWNET);
}

/* what entering needs of this host: 0, or hotmem-enter's exit status */
static int check_host(void)
{
	if (geteuid() != 0) {
		errno = EPERM;
		return refuse_privileges("not root");
	}
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		fprintf(stderr, "hotmem-enter: /dev/fuse: %s (modprobe fuse?)\n", strerror(errno));
		return 125;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct enter_opts o;
	sigset_t set, oldmask;
	int alive[2], ret = 125;
	pid_t init;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		goto out;
	}
	find_self_dir(o.self_dir, sizeof(o.self_dir));
	ret = check_host();
	if (ret)
		goto out;
	/*
	 * The mount namespace is init's own (enter_init()): it mounts the new
	 * PID namespace's /proc, and this process, outside that namespace,
	 * keeps a /proc where /proc/self is itself.
	 */
	if (unshare_netns() < 0 || unshare(CLONE_NEWPID | CLONE_NEWUTS) < 0) {
		ret = refuse_privileges("unshare(network, PID, UTS namespaces)");
		goto out;
	}

	/* signals wait in sigwaitinfo(), in both processes: no handlers, no globals */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, &oldmask);

	if (pipe2(alive, O_CLOEXEC) < 0) {
		perror("hotmem-enter: pipe");
		goto out;
	}
	init = fork();
	if (init < 0) {
		perror("hotmem-enter: fork");
		ret = 125;
		goto out;
	}
	if (init == 0) {
		close(alive[1]);
		if (die_with_parent(alive[0]) < 0)
			_exit(125);
		_exit(enter_init(&o, &oldmask));
	}
	close(alive[0]);
	free(o.fs_argv);
	wait_init(init, &set);
out:
	free(o.fs_argv);
	return ret;
}
