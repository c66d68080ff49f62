// SPDX-License-Identifier: MIT
/*
 * hotmemd: memory-block uevents from the kernel's uevent netlink socket
 * (group 1) and from the Unix-socket fallback; both carry the kernel's
 * wire format, one uevent a datagram (docs/hotmemd.md).
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"
#include "uapi/hmuapi.h"

#define DEVPATH_PREFIX "/devices/system/memory/memory"

/*
 * A Unix-socket sender's pidfd (SO_PASSPIDFD, SCM_PIDFD: Linux 6.5; of a
 * sender already reaped, 6.16) and pidfs (6.9), where it tells senders
 * apart (missed.c same_sender()).  glibc 2.36's headers have none of
 * them: asm-generic's numbers, and no SO_PASSPIDFD on parisc and sparc,
 * which number it otherwise.
 */
#if !defined(SO_PASSPIDFD) && !defined(__hppa__) && !defined(__sparc__)
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446
#endif

/*
 * A Unix datagram's control messages, in the kernel's order (6.12
 * include/net/scm.h, scm_recv_unix()): SCM_CREDENTIALS, the descriptors
 * a sender passed (SCM_RIGHTS, up to SCM_MAX_FD, include/net/scm.h),
 * then SCM_PIDFD last -- where there is room left for it, else none and
 * MSG_CTRUNC.  Room for credentials and one descriptor alone gave the
 * passed descriptor the pidfd's room: a sender passing any came without
 * its pidfd, was taken for another pid-0 sender and its SEQNUM for that
 * one's gap (small42, tests/daemon/161).  Room for the most a sender can
 * pass: every such datagram keeps its pidfd.
 */
#define HMD_SCM_MAX_FD 253
#define CONTROL_ROOM                                                                      \
	(CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(HMD_SCM_MAX_FD * sizeof(int)) + \
	 CMSG_SPACE(sizeof(int)))

/* "/devices/system/memory/memory32" -> 32 */
static int parse_devpath(const char *p, unsigned long *block)
{
	const char *s;
	char *end;

	if (strncmp(p, DEVPATH_PREFIX, strlen(DEVPATH_PREFIX)))
		return -1;
	s = p + strlen(DEVPATH_PREFIX);
	if (*s < '0' || *s > '9')
		return -1;
	*block = strtoul(s, &end, 10);
	return *end ? -1 : 0;
}

/*
 * Returns 0 for a memory-block uevent, -EINVAL for anything else (other
 * subsystems, udev's "libudev" messages, malformed datagrams).  ev->seqnum
 * is any well-formed uevent's SEQNUM, of another subsystem's too (a
 * sender's numbers run through all it sends: missed.c), else 0.
 */
int hmd_uevent_parse(const char *buf, size_t len, struct hmd_uevent *ev)
{
	struct hmu_uevent ue;

	_Static_assert(sizeof(ev->action) == sizeof(ue.action), "ACTION fits as it is");
	memset(ev, 0, sizeof(*ev));
	/* the wire format, the header agreeing with ACTION and DEVPATH (engine/uapi) */
	if (hmu_uevent_parse(buf, len, &ue))
		return -EINVAL;
	ev->seqnum = ue.seqnum;
	if (strcmp(ue.subsystem, "memory") || parse_devpath(ue.devpath, &ev->block))
		return -EINVAL;
	strcpy(ev->action, ue.action);
	return 0;
}

/* a pidfd's inode number where it is pidfs's, else 0 (an anon inode before 6.9: one for all) */
static uint64_t pidfd_ino(int pidfd)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(pidfd, &sfs) || sfs.f_type != PID_FS_MAGIC || fstat(pidfd, &st))
		return 0;
	return st.st_ino;
}

/*
 * The descriptors a datagram brought into hotmemd, closed: any a sender
 * passed (SCM_RIGHTS: each left open were a leak), and the sender's pidfd (SCM_PIDFD) unless
 * @pidfd takes it (-1 there for none: no pidfd, or a kernel's error in
 * its place).  Its pidfs inode number returned, 0 for none or not pidfs.
 */
static uint64_t close_passed_fds(const struct msghdr *mh, int *pidfd)
{
	struct cmsghdr *c;
	uint64_t ino = 0;
	size_t i, n;
	int fd;

	if (pidfd)
		*pidfd = -1;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    (c->cmsg_type != SCM_PIDFD && c->cmsg_type != SCM_RIGHTS))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd < 0)
				continue; /* SCM_PIDFD: pidfd_prepare()'s error */
			if (c->cmsg_type == SCM_PIDFD)
				ino = pidfd_ino(fd);
			if (c->cmsg_type == SCM_PIDFD && pidfd && *pidfd < 0)
				*pidfd = fd;
			else
				close(fd);
		}
	}
	return ino;
}

/*
 * Whether this kernel names a Unix-socket sender by its pidfd's pidfs
 * inode (6.9 on), asked of a pidfd of hotmemd's own: without it (or no
 * pidfd_open(), Linux 5.3) every sender is its pid alone (missed.c
 * same_sender()).
 */
#ifdef SO_PASSPIDFD
static bool pidfs_here(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	bool named;

	if (fd < 0)
		return false;
	named = pidfd_ino(fd) != 0;
	close(fd);
	return named;
}
#endif

/* a pidfd close_passed_fds() kept, no sender's entry taking it */
static void pidfd_drop(int pidfd)
{
	if (pidfd >= 0)
		close(pidfd);
}

static bool sender_ok(struct hmd *d, const struct msghdr *mh, bool is_netlink,
		      const struct sockaddr_nl *snl, pid_t *pid)
{
	const struct ucred *cred = NULL;
	struct cmsghdr *c;
	bool any;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			cred = (const struct ucred *)CMSG_DATA(c);
	if (!cred || (cred->uid != 0 && cred->uid != geteuid()))
		return false;
	*pid = cred->pid;
	if (!is_netlink)
		return true;
	if (snl->nl_groups != 1)
		return false; /* unicast or udev's group: not the kernel's */
	any = d->cfg.uevent_source == HMD_SRC_ANY ||
	      (d->cfg.uevent_source == HMD_SRC_AUTO && strcmp(d->cfg.sysroot, "/"));
	return snl->nl_pid == 0 || any;
}

static void receive(struct hmd *d, int fd, bool is_netlink)
{
	char buf[HMU_UEVENT_BUFFER_SIZE + 1];
	char control[CONTROL_ROOM] __attribute__((aligned(__alignof__(struct cmsghdr))));
	struct sockaddr_nl snl;
	struct iovec iov = { buf, HMU_UEVENT_BUFFER_SIZE };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct hmd_uevent ev;
	pid_t pid = 0;
	uint64_t ino;
	ssize_t n;
	int r, pidfd = -1;

	if (is_netlink) {
		mh.msg_name = &snl;
		mh.msg_namelen = sizeof(snl);
	}
	/*
	 * drain: a burst of 1024 uevents is one wakeup, not 1024; a stop asked
	 * for meanwhile is the loop's next event (its signal is pending from
	 * an earlier iteration than this source's next wakeup)
	 */
	for (;;) {
		if (hmd_stop_requested(d))
			return;
		mh.msg_controllen = sizeof(control);
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == ENOBUFS) {
				/*
				 * lost uevents: only a rescan knows what, and it
				 * onlines only blocks new to the model, as for
				 * a lost ADD (reread36 R2: a coldplug here
				 * onlined the blocks an admin had offlined)
				 */
				hmd_uevents_lost(d, "the uevent queue overflowed (ENOBUFS)");
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				hmd_log(d, LOG_WARNING, "uevent recvmsg: %m");
			return;
		}
		/* someone sends here: what silence.c waits for */
		if (!is_netlink)
			d->unix_datagrams++;
		/* a Unix sender's pidfd kept: its entry's (hmd_missed_seqnum()) */
		ino = close_passed_fds(&mh, is_netlink ? NULL : &pidfd);
		if (!sender_ok(d, &mh, is_netlink, &snl, &pid)) {
			pidfd_drop(pidfd);
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			pidfd_drop(pidfd);
			hmd_missed_note(d, "a uevent longer than %d bytes", HMU_UEVENT_BUFFER_SIZE);
			continue;
		}
		r = hmd_uevent_parse(buf, n, &ev);
		/* the kernel's SEQNUM on netlink counts every uevent anywhere: not looked at */
		if (!is_netlink)
			hmd_missed_seqnum(d, ev.seqnum, pid, ino, pidfd);
		if (r)
			continue;
		hmd_log_ev(d, LOG_DEBUG, NULL, ev.block, NULL, NULL, 0, "uevent %s seqnum %llu",
			   ev.action, ev.seqnum);
		hmd_block_event(d, ev.action, ev.block);
		hmd_missed_uevent(d);
		hmd_uevent_seen(d);
	}
}

static int on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	receive(userdata, fd, true);
	return 0;
}

static int on_unix(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	receive(userdata, fd, false);
	return 0;
}

int hmd_uevent_open_netlink(struct hmd *d)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int one = 1, size = 16 << 20, fd, r;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	/* room for a burst; FORCE needs CAP_NET_ADMIN, plain is capped */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&snl, sizeof(snl))) {
		r = -errno;
		close(fd);
		return r;
	}
	r = sd_event_add_io(d->ev, &d->nl_src, fd, EPOLLIN, on_netlink, d);
	if (r < 0) {
		close(fd);
		return r;
	}
	d->nl_fd = fd;
	return 0;
}

/*
 * Whether a socket file at @sun is bound by a live socket: a datagram
 * connect() is refused (ECONNREFUSED) only when nobody holds the name.
 * 0: live, 1: stale, -errno: cannot tell.  SO_PEERCRED would name the
 * holder, but the kernel (6.18) fills it for stream sockets only: a
 * datagram connect() reads pid 0.
 */
static int socket_stale(const struct sockaddr_un *sun)
{
	int fd, r;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		r = 0;
	else
		r = errno == ECONNREFUSED ? 1 : -errno;
	close(fd);
	return r;
}

/*
 * A socket file of an earlier run (killed, so it never unlinked it) is
 * removed; a live one is another's (abuse25a B1: a second hotmemd took
 * the name, and its exit unlinked it, leaving the first deaf for good):
 * refused.  Nothing but a socket file is ever removed.  Called with
 * SOCKET.lock held (socklock.c): no other hotmemd probes, unlinks or binds
 * meanwhile; the probe still finds a holder that is not a hotmemd.
 */
static int unlink_stale(struct hmd *d, const struct sockaddr_un *sun)
{
	struct stat st;
	int r;

	if (lstat(sun->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	r = socket_stale(sun);
	if (r == 0) {
		hmd_log(d, LOG_ERR,
			"uevent socket %s is in use by another process (a running hotmemd?): exiting; one hotmemd a socket (--uevent-socket)",
			sun->sun_path);
		return -EADDRINUSE;
	}
	if (r < 0)
		return r; /* said by the caller */
	if (unlink(sun->sun_path) && errno != ENOENT)
		return -errno; /* said by the caller */
	return 0;
}

static int bind_unix(struct hmd *d, int fd, const struct sockaddr_un *sun)
{
	struct stat st;
	int r;

	if (bind(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		return -errno;
	if (chmod(sun->sun_path, 0660) || stat(sun->sun_path, &st)) {
		r = -errno;
		unlink(sun->sun_path);
		return r;
	}
	/* what hmd_uevent_close() unlinks: this socket file, no later one */
	d->unix_dev = st.st_dev;
	d->unix_ino = st.st_ino;
	return 0;
}

static int open_failed(struct hmd *d, int r)
{
	hmd_log(d, LOG_ERR, "uevent socket %s: %s", d->cfg.uevent_socket, strerror(-r));
	return r;
}

/* says why it fails */
int hmd_uevent_open_unix(struct hmd *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = d->cfg.uevent_socket;
	int one = 1, size = 4 << 20, fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return open_failed(d, -ENAMETOOLONG);
	strcpy(sun.sun_path, path);
	r = hmd_socket_lock(d);
	if (r < 0)
		return r; /* said */
	r = unlink_stale(d, &sun);
	if (r == -EADDRINUSE)
		goto err_unlock; /* said whose */
	if (r < 0)
		goto err_unlock_say;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto err_unlock_say;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
#ifdef SO_PASSPIDFD
	/* refused before 6.5: senders by pid alone (missed.c same_sender()) */
	d->senders_pidfs = !setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) &&
			   pidfs_here();
#endif
	r = bind_unix(d, fd, &sun);
	if (r < 0)
		goto err_close;
	r = sd_event_add_io(d->ev, &d->unix_src, fd, EPOLLIN, on_unix, d);
	if (r < 0)
		goto err_unlink;
	d->unix_fd = fd;
	hmd_socket_lock_own(d);
	return 0;
err_unlink:
	unlink(path);
err_close:
	close(fd);
err_unlock_say:
	open_failed(d, r);
err_unlock:
	hmd_socket_unlock(d);
	return r;
}

/* the socket file bound, if still at its path: a later one is not ours */
static void unlink_own(struct hmd *d)
{
	struct stat st;

	if (!lstat(d->cfg.uevent_socket, &st) && st.st_dev == d->unix_dev &&
	    st.st_ino == d->unix_ino)
		unlink(d->cfg.uevent_socket);
}

void hmd_uevent_close(struct hmd *d)
{
	d->nl_src = sd_event_source_disable_unref(d->nl_src);
	d->unix_src = sd_event_source_disable_unref(d->unix_src);
	if (d->nl_fd >= 0)
		close(d->nl_fd);
	if (d->unix_fd >= 0) {
		close(d->unix_fd);
		unlink_own(d);
	}
	/* after the socket file: no starter takes the name before it is gone */
	hmd_socket_unlock(d);
	d->nl_fd = d->unix_fd = -1;
}
