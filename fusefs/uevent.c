// SPDX-License-Identifier: GPL-2.0
/*
 * uevents for emulated memory blocks.
 *
 * Netlink: we do not multicast from user space, because udev's monitor
 * drops kernel-group messages whose sender port id is not 0.  Instead we
 * use the kernel's own uevent injection (lib/kobject_uevent.c,
 * uevent_net_rcv_skb(), Linux 4.18+): a message sent *to* the kernel on
 * NETLINK_KOBJECT_UEVENT is re-broadcast by the kernel to group 1 of that
 * network namespace with port id 0 and a SEQNUM appended, so
 * `udevadm monitor --kernel` and hotmemd see a kernel event.  That is why
 * this must only ever happen in a private network namespace: in the
 * host's, the real udevd would act on fake memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "uevent.h"

int hmfs_netns_is_initial(int ns_fd)
{
	struct stat a, b;

	if (fstat(ns_fd, &a) || stat("/proc/1/ns/net", &b))
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * `ip netns add NAME`: a new network namespace kept alive by a bind mount
 * on /run/netns/NAME, so that listeners can join it with
 * `ip netns exec NAME ...`.  Called before any thread exists: unshare()
 * moves only the calling thread, and we move it back.
 */
static int create_netns(const char *path)
{
	int self, fd, err = 0;

	mkdir("/run/netns", 0755);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	close(fd);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		err = -errno;
		goto out_unlink;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		err = -errno;
		goto out_close;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		err = -errno;
	if (setns(self, CLONE_NEWNET) < 0 && !err)
		err = -errno;
out_close:
	close(self);
out_unlink:
	if (err)
		unlink(path);
	return err;
}

/* Is @fd a namespace file (nsfs), not the empty file a bind mount covers? */
static bool is_nsfs(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && sfs.f_type == NSFS_MAGIC;
}

/*
 * /run/netns/NAME without its bind mount: the mount lived in a mount
 * namespace that is gone (hotmemfs or `ip netns add` under unshare -m), and
 * the empty file stayed.  `ip netns exec NAME` fails on it with EINVAL.
 */
static bool is_orphan(int fd)
{
	struct stat st;

	return !is_nsfs(fd) && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size == 0;
}

static int open_netns(struct hmfs_uevent_sink *s, const char *netns, const char **note)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, err;

	*note = "";
	if (!netns)
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (strchr(netns, '/'))
		return open(netns, O_RDONLY | O_CLOEXEC);
	if (snprintf(path, sizeof(path), "/run/netns/%s", netns) >= (int)sizeof(path) ||
	    strlen(path) >= sizeof(s->created)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !is_orphan(fd))
		return fd;
	if (fd >= 0) {
		/* what `ip netns delete` would leave: the name, free again */
		close(fd);
		if (unlink(path))
			return -1;
		*note = " (created: the old entry was an orphan of a mount namespace that is gone)";
	} else if (errno != ENOENT) {
		return -1;
	} else {
		*note = " (created)";
	}
	err = create_netns(path);
	if (err) {
		errno = -err;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st)) {
		strcpy(s->created, path);
		s->created_ino = st.st_ino;
	}
	return fd;
}

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A namespace made by `ip netns add` or `unshare -n` has only "lo". */
static bool only_loopback(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	bool lo_only = true;

	if (!ifs)
		return false;
	for (i = ifs; i->if_index; i++)
		if (strcmp(i->if_name, "lo"))
			lo_only = false;
	if_freenameindex(ifs);
	return lo_only;
}

/* Create the socket inside @ns_fd's namespace; a socket keeps its netns. */
static int nl_socket_in(int ns_fd, bool *lo_only)
{
	int self, fd, err;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		err = -errno;
		goto out;
	}
	fd = nl_socket();
	*lo_only = only_loopback();
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Cannot go home: the control socket is path-based, carry on. */
		fprintf(stderr,
			"hotmemfs: warning: cannot return to the original network namespace: %m\n");
	}
	err = fd;
out:
	close(self);
	return err;
}

int hmfs_uevent_sink_init(struct hmfs_uevent_sink *s, const char *netns)
{
	int ns_fd, initial, err = 0;
	bool lo_only = false;
	const char *note;

	memset(s, 0, sizeof(*s));
	s->nl_fd = -1;
	s->dgram_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	/* "none", as for --state: no netlink uevents (a namespace of that name: a path) */
	if (netns && !strcmp(netns, "none")) {
		snprintf(s->nl_status, sizeof(s->nl_status), "off: --netns none");
		return 0;
	}
	ns_fd = open_netns(s, netns, &note);
	if (ns_fd < 0) {
		err = -errno;
		snprintf(s->nl_status, sizeof(s->nl_status),
			 "off: cannot open network namespace %s: %s", netns, strerror(errno));
		return err;
	}
	/*
	 * 1: pid 1's namespace, refuse.  <0: cannot tell (pid 1 belongs to
	 * someone else, as in containers): accept only a namespace with no
	 * interface but lo, which the host's never is.
	 */
	initial = hmfs_netns_is_initial(ns_fd);
	if (initial == 1) {
		snprintf(
			s->nl_status, sizeof(s->nl_status),
			"off: %s is the host's network namespace (use --netns NAME or start under unshare -n)",
			netns ? netns : "our network namespace");
		goto out;
	}
	if (netns) {
		s->nl_fd = nl_socket_in(ns_fd, &lo_only);
	} else {
		s->nl_fd = nl_socket();
		lo_only = only_loopback();
	}
	if (s->nl_fd < 0) {
		err = s->nl_fd;
		s->nl_fd = -1;
		snprintf(s->nl_status, sizeof(s->nl_status), "off: netlink socket: %s",
			 strerror(-err));
		goto out;
	}
	if (initial < 0 && !lo_only) {
		close(s->nl_fd);
		s->nl_fd = -1;
		snprintf(
			s->nl_status, sizeof(s->nl_status),
			"off: cannot tell whether %s is the host's network namespace (/proc/1/ns/net: %s) and it has interfaces besides lo",
			netns ? netns : "our network namespace", strerror(-initial));
		goto out;
	}
	snprintf(s->nl_status, sizeof(s->nl_status), "on: private network namespace %s%s",
		 netns ? netns : "(inherited)", note);
out:
	close(ns_fd);
	return err;
}

int hmfs_uevent_sink_add_path(struct hmfs_uevent_sink *s, const char *path)
{
	if (s->nr_paths >= HMFS_MAX_UEVENT_SOCKETS)
		return -E2BIG;
	if (strlen(path) >= sizeof(s->paths[0]))
		return -ENAMETOOLONG;
	strcpy(s->paths[s->nr_paths++], path);
	return 0;
}

/* Send to the kernel and wait for its ack: EPERM etc. come back here. */
static int nl_inject(int fd, const char *payload, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr hdr = {
		.nlmsg_len = NLMSG_LENGTH(len),
		.nlmsg_type = NLMSG_MIN_TYPE, /* below it is control, skipped */
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
		.msg_iov = iov,
		.msg_iovlen = 2,
	};
	char ack[256];
	ssize_t n;

	if (sendmsg(fd, &msg, 0) < 0)
		return -errno;
	n = recv(fd, ack, sizeof(ack), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		struct nlmsghdr *h = (struct nlmsghdr *)ack;
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_type == NLMSG_ERROR)
			return e->error;
	}
	return 0;
}

static void unix_send(struct hmfs_uevent_sink *s, const char *buf, size_t len)
{
	for (int i = 0; i < s->nr_paths; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		strcpy(sa.sun_path, s->paths[i]);
		/*
		 * Contract (docs/hotmemd.md): drop when nobody listens.  A
		 * listener that is merely slow (its queue is full: a burst of
		 * a big DIMM's ADDs against net.unix.max_dgram_qlen) gets up to
		 * 200 ms to catch up; we run on the notifier thread, so waiting
		 * here holds up no FUSE thread -- but the replies held for this
		 * event do wait (a write that changed the tree, a control
		 * command, settle: events.c), as does hotmemfs's stop, which
		 * drains the queue.  One that let 200 ms pass is deemed stalled
		 * and gets no more waiting until it reads.
		 */
		ssize_t r;
		int tries = 0;

		while ((r = sendto(s->dgram_fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa,
				   sizeof(sa))) < 0 && errno == EAGAIN && !s->stalled[i] &&
		       tries++ < 200)
			usleep(1000);
		s->stalled[i] = r < 0 && errno == EAGAIN;
		if (r < 0)
			__atomic_fetch_add(&s->unix_dropped, 1, __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&s->unix_sent, 1, __ATOMIC_RELAXED);
	}
}

void hmfs_uevent_sink_send(struct hmfs_uevent_sink *s, struct hmu_uevent *ue)
{
	char buf[HMU_UEVENT_BUFFER_SIZE];
	unsigned long long seq = ue->seqnum;
	int len;

	if (s->nl_fd >= 0) {
		/* The kernel appends its own SEQNUM. */
		ue->seqnum = 0;
		len = hmu_uevent_format(ue, buf, sizeof(buf));
		if (len > 0 && nl_inject(s->nl_fd, buf, (size_t)len) == 0)
			__atomic_fetch_add(&s->nl_sent, 1, __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&s->nl_errors, 1, __ATOMIC_RELAXED);
	}
	if (s->nr_paths && s->dgram_fd >= 0) {
		ue->seqnum = seq ? seq : ++s->seqnum;
		len = hmu_uevent_format(ue, buf, sizeof(buf));
		if (len > 0)
			unix_send(s, buf, (size_t)len);
	}
}

/* 1: @other's mount namespace is ours, 0: it is not, <0: cannot tell */
static int same_mnt_ns(const char *other)
{
	struct stat a, b;

	if (stat("/proc/self/ns/mnt", &a) || stat(other, &b))
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Does our mount namespace die with us: not pid 1's, or, where pid 1's
 * cannot be looked at (containers), not the one we were started from?
 * If unsure: no.
 */
static bool private_mount_ns(void)
{
	char parent[64];
	int r = same_mnt_ns("/proc/1/ns/mnt");

	if (r >= 0)
		return !r;
	snprintf(parent, sizeof(parent), "/proc/%d/ns/mnt", (int)getppid());
	return same_mnt_ns(parent) == 0;
}

/*
 * A /run/netns entry we created outlives us in pid 1's mount namespace, as
 * `ip netns add` does.  In a private one its bind mount goes with the
 * namespace and only the empty file would stay: remove it while it is ours.
 */
static void forget_created_netns(struct hmfs_uevent_sink *s)
{
	struct stat st;

	if (!s->created[0] || !private_mount_ns())
		return;
	if (!stat(s->created, &st) && st.st_ino == s->created_ino &&
	    !umount2(s->created, MNT_DETACH))
		unlink(s->created);
	s->created[0] = '\0';
}

void hmfs_uevent_sink_close(struct hmfs_uevent_sink *s)
{
	forget_created_netns(s);
	if (s->nl_fd >= 0)
		close(s->nl_fd);
	if (s->dgram_fd >= 0)
		close(s->dgram_fd);
	s->nl_fd = s->dgram_fd = -1;
}
