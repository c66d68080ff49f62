// SPDX-License-Identifier: GPL-2.0
/*
 * A network namespace owned by a user namespace of its own.
 *
 * The kernel sends the uevent of every device without a network
 * namespace (a memory block's, a FUSE mount's bdi) to the uevent socket
 * of each network namespace owned by the initial user namespace
 * (lib/kobject_uevent.c, 6.12 to 6.18: uevent_net_init() puts a
 * namespace's socket on uevent_sock_list only when its user_ns is
 * &init_user_ns, "Restrict uevents to initial user namespace", and
 * uevent_net_broadcast_untagged() walks that list).  A namespace owned by
 * it hears the host's own memory blocks' uevents, whose DEVPATH names the
 * emulated memoryN of the same number: a rule or hotmemd inside would act
 * on the emulation because the host plugged memory (usereye7 #12).
 *
 * So the namespace is made by a forked helper in a user namespace of its
 * own (root mapped to root), and the caller only takes a descriptor of
 * it: the caller and everything it starts stay in the initial user
 * namespace with their capabilities, which cover a child's -- hotmemfs's
 * injection needs CAP_SYS_ADMIN over the namespace's owner
 * (uevent_net_rcv_skb()), udevd's multicast to its monitors CAP_NET_ADMIN
 * (netlink_sendmsg(): netlink_allowed()).  The network namespace holds its
 * owner (copy_net_ns() takes a reference), so both outlive the helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns_owner.h"

/* the helper: unshares, says how that went, then waits for EOF on @wait */
static __attribute__((noreturn)) void netns_owner(int tell, int wait)
{
	int err = 0;
	char c;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		err = errno;
	if (write(tell, &err, sizeof(err)) != (ssize_t)sizeof(err))
		_exit(1);
	while (read(wait, &c, 1) > 0)
		;
	_exit(0);
}

/* root of the helper's user namespace is root: @file is uid_map or gid_map */
static int map_root(pid_t pid, const char *file)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, "0 0 1\n", 6);
	close(fd);
	if (n == 6)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

/* the helper started: its pid; @up its answer's end, @down open until it may go */
static pid_t start_netns_owner(int *up, int *down)
{
	int u[2], d[2];
	pid_t pid;

	if (pipe2(u, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(d, O_CLOEXEC) < 0)
		goto close_u;
	pid = fork();
	if (pid < 0)
		goto close_d;
	if (pid == 0) {
		close(u[0]);
		close(d[1]);
		netns_owner(u[1], d[0]);
	}
	close(u[1]);
	close(d[0]);
	*up = u[0];
	*down = d[1];
	return pid;
close_d:
	close(d[0]);
	close(d[1]);
close_u:
	close(u[0]);
	close(u[1]);
	return -1;
}

/* the network namespace of the helper @pid, its root mapped first: fd, or -errno */
static int open_netns_of(pid_t pid, const char **step)
{
	char path[64];
	int ns;

	*step = "uid_map/gid_map";
	if (map_root(pid, "uid_map") < 0 || map_root(pid, "gid_map") < 0)
		return -errno;
	*step = "open(its network namespace)";
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	return ns < 0 ? -errno : ns;
}

int hmfs_owned_netns_open(const char **step)
{
	int up, down, err, ns = -1;
	pid_t pid;

	*step = "fork";
	pid = start_netns_owner(&up, &down);
	if (pid < 0)
		return -1;
	*step = "unshare(CLONE_NEWUSER)";
	if (read(up, &err, sizeof(err)) != (ssize_t)sizeof(err))
		err = ECHILD;	/* the helper died before saying */
	if (!err) {
		ns = open_netns_of(pid, step);
		if (ns < 0)
			err = -ns;
	}
	/* EOF: the helper goes; its namespaces live on, held by @ns */
	close(down);
	close(up);
	waitpid(pid, NULL, 0);
	errno = err;
	return err ? -1 : ns;
}

const char *hmfs_owned_netns_hint(int err)
{
	return err == ENOSPC ? " (user.max_user_namespaces is 0?)"
	       : err == EPERM ? " (a seccomp filter, RestrictNamespaces=, or a chroot?)"
	       : err == EINVAL ? " (a kernel without user namespaces?)" : "";
}

/*
 * Our user namespace is the initial one: its uid_map maps every id
 * (/proc/1/ns/user is no help: pid 1's namespace files need ptrace
 * access to it, which root in a container often lacks -- EACCES).
 */
static int in_initial_userns(void)
{
	unsigned long long inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%llu %llu %llu", &inside, &outside, &count);
	fclose(f);
	if (n != 3)
		return -EINVAL;
	return !inside && !outside && count == 4294967295ULL;
}

int hmfs_netns_owned_by_initial(int ns_fd)
{
	struct stat a, b;
	int user, err = 0;

	/* EPERM: an owner outside our user namespace, which is no initial one */
	user = ioctl(ns_fd, NS_GET_USERNS);
	if (user < 0)
		return errno == EPERM ? 0 : -errno;
	if (fstat(user, &a) || stat("/proc/self/ns/user", &b))
		err = -errno;
	close(user);
	if (err)
		return err;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;	/* a child of ours */
	return in_initial_userns();
}
