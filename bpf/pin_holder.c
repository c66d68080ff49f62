// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds a pinned BPF map: /proc/PID/fd and fdinfo, as bpftool reads
 * them; who holds the lock on the pin directory: /proc/locks
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/bpf.h>

#include "pin_holder.h"

/* a /proc or fd directory entry: a process's or a descriptor's */
static int is_number(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return name[0] != '\0';
}

/* descriptor @fd of this process is a BPF map's (not a program's, a link's) */
static int fd_is_map(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:bpf-map");
}

int hmt_pinned_map_id(const char *path, unsigned int *id)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), err = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (!fd_is_map(fd))
		err = -EINVAL;
	else if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (!info.id || len < offsetof(struct bpf_map_info, id) + sizeof(info.id))
		err = -EINVAL;
	close(fd);
	*id = info.id;
	return err;
}

/* fdinfo line "map_id:\tN" of /proc/@pid/fdinfo/@fd is @id */
static int fdinfo_is_map(int pid, int fd, unsigned int id)
{
	char path[64], line[128];
	unsigned int got;
	int yes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!yes && fgets(line, sizeof(line), f))
		yes = sscanf(line, "map_id: %u", &got) == 1 && got == id;
	fclose(f);
	return yes;
}

/* one of process @pid's descriptors is map @id: 1; none: 0; -EACCES: unreadable */
static int holds_map(int pid, unsigned int id)
{
	char path[64], link[64];
	struct dirent *d;
	int found = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT || errno == ESRCH ? 0 : -EACCES;
	while (!found && (d = readdir(dir))) {
		char fdpath[96];
		ssize_t n;

		if (!is_number(d->d_name))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%d", path, atoi(d->d_name));
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		/* the cheap test first: only a map's descriptor has its fdinfo read */
		if (!strcmp(link, "anon_inode:bpf-map"))
			found = fdinfo_is_map(pid, atoi(d->d_name), id);
	}
	closedir(dir);
	return found;
}

static void read_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* whether this process has CAP_SYS_PTRACE in its effective set (/proc/self/status CapEff) */
static bool may_ptrace_all(void)
{
	unsigned long long eff = 0;
	char line[128];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	return found && (eff >> CAP_SYS_PTRACE) & 1;
}

/* this process is in group @gid (its effective or a supplementary one) */
static bool in_group(gid_t gid)
{
	int n = getgroups(0, NULL);
	bool in = getegid() == gid;
	gid_t *groups;

	if (in || n <= 0 || !(groups = calloc((size_t)n, sizeof(*groups))))
		return in;
	n = getgroups(n, groups);
	for (int i = 0; !in && i < n; i++)
		in = groups[i] == gid;
	free(groups);
	return in;
}

/*
 * The super options of the proc mount /proc is (its st_dev's line of
 * /proc/self/mountinfo: a /proc mounted over another is the one read),
 * in @opts
 */
static bool proc_mount_options(char *opts, size_t len)
{
	char line[1024], found[1024];
	unsigned int maj, min;
	struct stat st;
	bool is = false;
	FILE *f;

	if (stat("/proc", &st) || !(f = fopen("/proc/self/mountinfo", "re")))
		return false;
	while (!is && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - proc ");

		is = sep && sscanf(line, "%*d %*d %u:%u", &maj, &min) == 2 &&
		     maj == major(st.st_dev) && min == minor(st.st_dev) &&
		     sscanf(sep, " - proc %*s %1023s", found) == 1;
	}
	fclose(f);
	if (is)
		snprintf(opts, len, "%s", found);
	return is;
}

bool hmt_proc_hides_pids(void)
{
	char opts[1024];
	const char *gid;

	if (!proc_mount_options(opts, sizeof(opts)) ||
	    (!strstr(opts, "hidepid=invisible") && !strstr(opts, "hidepid=ptraceable") &&
	     !strstr(opts, "hidepid=2") && !strstr(opts, "hidepid=4")))
		return false;
	gid = strstr(opts, "gid=");
	if (gid && gid != opts && gid[-1] == ',' && in_group((gid_t)strtoul(gid + 4, NULL, 10)))
		return false;
	return !may_ptrace_all();
}

int hmt_pin_holder(const char *path, struct hmt_pin_holder *h)
{
	pid_t self = getpid();
	struct dirent *d;
	int ret = 0;
	DIR *proc;

	memset(h, 0, sizeof(*h));
	ret = hmt_pinned_map_id(path, &h->map_id);
	if (ret)
		return ret;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (ret != 1 && (d = readdir(proc))) {
		int held;

		if (!is_number(d->d_name) || atoi(d->d_name) == self)
			continue;
		held = holds_map(atoi(d->d_name), h->map_id);
		if (held < 0) {
			h->unreadable++;
		} else if (held) {
			h->pid = atoi(d->d_name);
			read_comm(h->pid, h->comm, sizeof(h->comm));
			ret = 1;
		}
	}
	closedir(proc);
	if (ret == 1)
		return 1;
	/* no holder seen where others are not shown: not known to be stale */
	h->hidden = hmt_proc_hides_pids();
	return h->unreadable || h->hidden ? -EACCES : 0;
}

/*
 * /proc/locks line @line is a granted flock() of the inode @st names:
 * "N: FLOCK  ADVISORY  WRITE PID MAJ:MIN:INO 0 EOF" (fs/locks.c
 * lock_get_status(), 6.12; a waiter's line has "->" where FLOCK is);
 * its pid in *@pid
 */
static int locks_line_is(const char *line, const struct stat *st, int *pid)
{
	unsigned int maj, min;
	unsigned long ino;
	char type[16];

	return sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", type, pid, &maj, &min, &ino) == 5 &&
	       !strcmp(type, "FLOCK") && maj == major(st->st_dev) && min == minor(st->st_dev) &&
	       ino == st->st_ino;
}

int hmt_pin_dir_locker(const char *dir, struct hmt_pin_holder *h)
{
	char line[256];
	struct stat st;
	int pid = 0;
	FILE *f;

	memset(h, 0, sizeof(*h));
	if (stat(dir, &st))
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	while (!h->pid && fgets(line, sizeof(line), f))
		if (locks_line_is(line, &st, &pid) && pid > 0)
			h->pid = pid;
	fclose(f);
	if (!h->pid)
		return 0;
	read_comm(h->pid, h->comm, sizeof(h->comm));
	/* /proc/locks shows every pid of our namespace; hidepid= hides its /proc/PID */
	snprintf(line, sizeof(line), "/proc/%d", (int)h->pid);
	h->hidden = access(line, F_OK) != 0;
	return 1;
}
