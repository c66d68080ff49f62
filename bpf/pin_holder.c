// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds a pinned BPF map: /proc/PID/fd and fdinfo, as bpftool reads
 * them; who holds the lock on the pin directory: /proc/locks
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
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
	return ret == 1 ? 1 : h->unreadable ? -EACCES : 0;
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
	if (h->pid)
		read_comm(h->pid, h->comm, sizeof(h->comm));
	return h->pid ? 1 : 0;
}
