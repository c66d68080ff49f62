// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: the two uevent sockets a cell opens itself, each in a
 * child of its own so that the kernel's drop counts (/proc/net/netlink)
 * tell them apart from the agent's:
 *
 * - the listener: a NETLINK_KOBJECT_UEVENT socket with the default receive
 *   buffer (net.core.rmem_default) or HOTMEM_CONFORM_LISTENER_RCVBUF
 *   bytes, doing nothing but count memory ADDs and ENOBUFS as libudev-less
 *   agents see them, and the kernel's drop count for its socket to hold
 *   ENOBUFS against;
 * - the netlink agent, the one most hand-written onlining daemons are:
 *   the default receive buffer, each ADD handled to the end (the block
 *   onlined) before the next recv.  A kernel emits a burst's uevents far
 *   faster than blocks online, so the buffer fills and the kernel drops
 *   the rest (ENOBUFS): the field report of an agent that saw a quarter of
 *   a large plug.  It says ENOBUFS on stderr each time.
 *
 * Both parse the kernel's wire format with engine/uapi's hmu_uevent_parse().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conform.h"
#include "uapi/hmuapi.h"

#define MEMORY_DEVPATH "/devices/system/memory/memory"

/* group 1, the kernel's uevents; @rcvbuf 0: the default buffer */
static int uevent_socket(int rcvbuf, unsigned long *ino)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct stat st;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		fprintf(stderr, "hotmem-conform: uevent socket: %s\n", strerror(errno));
		return -1;
	}
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		fprintf(stderr, "hotmem-conform: SO_RCVBUF %d: %s\n", rcvbuf, strerror(errno));
	if (bind(fd, (struct sockaddr *)&snl, sizeof(snl)) < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "hotmem-conform: uevent socket bind: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	*ino = st.st_ino;
	return fd;
}

/* @path written whole, then renamed into place: a reader never sees it half */
static int write_ready(const char *path, const char *content)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fputs(content, f);
	if (fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "hotmem-conform: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* a memory block's ADD: its devpath into @devpath */
static bool memory_add(const char *buf, ssize_t n, struct hmu_uevent *ue)
{
	return n > 0 && !hmu_uevent_parse(buf, (size_t)n, ue) && !strcmp(ue->action, "add") &&
	       !strncmp(ue->devpath, MEMORY_DEVPATH, strlen(MEMORY_DEVPATH));
}

/*
 * /proc/net/netlink: "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode".
 * @ino's drops (-1: no such socket) or, with @skip, the sum over the
 * uevent sockets (Eth 15) bound to group 1 but @ino.
 */
static long netlink_drops(unsigned long ino, bool skip)
{
	char line[512], groups[32];
	unsigned long long drops, inode;
	int eth;
	long sum = skip ? 0 : -1;
	FILE *f = fopen("/proc/net/netlink", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %d %*s %31s %*s %*s %*s %*s %llu %llu", &eth, groups, &drops,
			   &inode) != 4)
			continue; /* the header */
		if (!skip) {
			if (inode == ino)
				sum = (long)drops;
			continue;
		}
		if (eth == NETLINK_KOBJECT_UEVENT && groups[strlen(groups) - 1] == '1' && inode != ino)
			sum += (long)drops;
	}
	fclose(f);
	return sum;
}

long conform_uevent_drops(unsigned long skip_ino)
{
	return netlink_drops(skip_ino, true);
}

/* SIGINT as a file descriptor: the listener's stop, polled with its socket */
static int stop_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "hotmem-conform: signalfd: %s\n", strerror(errno));
	return fd;
}

int conform_listener_main(void *arg)
{
	const struct conform_listener_args *a = arg;
	char buf[HMU_UEVENT_BUFFER_SIZE + 1], ino_s[32];
	struct pollfd pfd[2];
	struct hmu_uevent ue;
	long adds = 0, nobufs = 0;
	unsigned long ino;
	ssize_t n;
	int fd, sfd;

	/* before the ready file: a SIGINT from then on is counted, never fatal */
	sfd = stop_fd();
	if (sfd < 0)
		return 1;
	fd = uevent_socket(a->rcvbuf, &ino);
	if (fd < 0)
		return 1;
	snprintf(ino_s, sizeof(ino_s), "%lu\n", ino);
	if (write_ready(a->ready, ino_s))
		return 1;
	pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	while (!(pfd[1].revents & POLLIN)) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = recv(fd, buf, HMU_UEVENT_BUFFER_SIZE, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS)
			nobufs++;
		else if (memory_add(buf, n, &ue))
			adds++;
	}
	printf("%ld %ld %ld\n", adds, nobufs, netlink_drops(ino, false));
	fflush(stdout);
	close(fd);
	close(sfd);
	return 0;
}

int conform_listener_parse(const char *s, struct conform_listener_result *r)
{
	*r = (struct conform_listener_result){ 0, 0, -1 };
	return sscanf(s, "%ld %ld %ld", &r->adds, &r->enobufs, &r->drops) == 3 ? 0 : -1;
}

/* offline -> online, as the hand-written daemon does: read, then write */
static void online_block(const char *devpath)
{
	char path[256], st[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys%s/state", devpath);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n < 0)
		goto fail;
	st[n] = '\0';
	if (strcmp(st, "offline\n") && strcmp(st, "offline"))
		return;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	n = write(fd, "online", 6);
	if (n < 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	return;
fail:
	fprintf(stderr, "failed to write %s: %s\n", path, strerror(errno));
}

int conform_netlink_agent_main(void *arg)
{
	char buf[HMU_UEVENT_BUFFER_SIZE + 1];
	struct hmu_uevent ue;
	unsigned long ino;
	ssize_t n;
	int fd;

	fd = uevent_socket(0, &ino);
	if (fd < 0 || write_ready(arg, ""))
		return 1;
	for (;;) {
		n = recv(fd, buf, HMU_UEVENT_BUFFER_SIZE, 0);
		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr, "ENOBUFS\n");
			continue;
		}
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "hotmem-conform: netlink-agent recv: %s\n", strerror(errno));
			return 1;
		}
		if (memory_add(buf, n, &ue))
			online_block(ue.devpath);
	}
}
