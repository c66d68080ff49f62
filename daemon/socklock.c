// SPDX-License-Identifier: MIT
/*
 * hotmemd: one running hotmemd a uevent socket.
 *
 * uevent.c probes a socket file at --uevent-socket (connect(): refused, it
 * is stale), unlinks it and binds the name.  The three are not atomic: two
 * hotmemd starting at once both judged the file stale and the later unlink
 * took the earlier's fresh socket, which ran on deaf (reread25 R2, abuse25a
 * B1).  They now run under an exclusive flock() of SOCKET.lock, a file of
 * its own beside the socket.  Never the socket's directory (502b25f8,
 * reverted by a1d78b31): the emulation drop-in's socket lives in the state
 * dir, which statelock.c flocks for hotmemd's life, and hotmemd waited for
 * its own lock forever.
 *
 * Held for life, taken with LOCK_NB, rather than let go after the bind
 * (which would do for the start race alone: a later starter's probe finds
 * the name bound):
 *  - a second start never waits: it is refused at once, naming the
 *    holder's pid (/proc/locks; a datagram socket's SO_PEERCRED says pid 0),
 *  - the exit's unlink of the socket file by name (uevent.c unlink_own())
 *    cannot take the socket of a starter that bound the name between its
 *    lstat() and its unlink(): no starter gets that far while it is held,
 *  - it costs one descriptor.
 * The lock file is removed by its holder when it exits (refused or not) if
 * this start made it, or bound the socket beside it (the file is then this
 * run's, as the socket is); one that opened it before sees it gone and
 * starts again on the one made anew (hmd_lock_still_named()).  A hotmemd
 * killed -9 leaves it, with its socket file: both are taken over.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

static int lock_path(const struct hmd *d, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.lock", d->cfg.uevent_socket);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * SOCKET.lock opened, made if missing (*@made then); -EAGAIN: it went
 * between the two opens, to be tried again.  O_RDONLY is all flock()
 * needs; O_NOFOLLOW and a regular file only: a symlink or a FIFO planted
 * there is not followed into.
 */
static int lock_open(const char *path, bool *made)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	*made = fd >= 0;
	if (fd >= 0)
		return fd;
	if (errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static int lock_busy(struct hmd *d, int fd, const char *path)
{
	long pid = hmd_flock_holder(fd);

	if (pid > 0)
		hmd_log(d, LOG_ERR,
			"uevent socket %s is in use by another hotmemd (pid %ld holds %s): exiting; one hotmemd a socket (--uevent-socket)",
			d->cfg.uevent_socket, pid, path);
	else
		hmd_log(d, LOG_ERR,
			"uevent socket %s is in use by another hotmemd, which holds %s: exiting; one hotmemd a socket (--uevent-socket)",
			d->cfg.uevent_socket, path);
	return -EADDRINUSE;
}

static int lock_failed(struct hmd *d, const char *path, int r)
{
	if (r == -EINVAL)
		hmd_log(d, LOG_ERR, "uevent socket %s: its lock file %s is not a regular file",
			d->cfg.uevent_socket, path);
	else
		hmd_log(d, LOG_ERR, "uevent socket %s: %s (its lock file %s)", d->cfg.uevent_socket,
			strerror(-r), path);
	return r;
}

int hmd_socket_lock(struct hmd *d)
{
	char path[PATH_MAX];
	bool made;
	int fd, r;

	r = lock_path(d, path, sizeof(path));
	if (r)
		return lock_failed(d, d->cfg.uevent_socket, r);
again:
	fd = lock_open(path, &made);
	if (fd == -EAGAIN)
		goto again;
	if (fd < 0)
		return lock_failed(d, path, fd);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		r = errno == EWOULDBLOCK ? lock_busy(d, fd, path) : lock_failed(d, path, -errno);
		/* one made here and locked by another meanwhile is that one's now */
		close(fd);
		return r;
	}
	if (!hmd_lock_still_named(fd, path)) {
		close(fd); /* removed by its last holder: not what the name says now */
		goto again;
	}
	d->unix_lock_fd = fd;
	d->unix_lock_made = made;
	return 0;
}

/* the socket bound beside it: the lock file is this run's, removed at its exit */
void hmd_socket_lock_own(struct hmd *d)
{
	d->unix_lock_made = true;
}

void hmd_socket_unlock(struct hmd *d)
{
	char path[PATH_MAX];

	if (d->unix_lock_fd < 0)
		return;
	/* removed while still held: one that opened it meanwhile starts again */
	if (d->unix_lock_made && !lock_path(d, path, sizeof(path)) &&
	    hmd_lock_still_named(d->unix_lock_fd, path))
		unlink(path);
	close(d->unix_lock_fd);
	d->unix_lock_fd = -1;
	d->unix_lock_made = false;
}
