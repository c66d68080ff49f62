// SPDX-License-Identifier: MIT
/*
 * hotmemd: one running hotmemd a state directory.
 *
 * Two daemons on one --state-dir both ran (usereye9 F6): each decided each
 * block, raced the other's writes and rewrote the other's boot-blocks
 * record.  An exclusive flock() on the state directory itself, held until
 * exit (the kernel drops it at death, kill -9 included).  The directory,
 * not a file in it: opening it O_RDONLY needs no write permission, so a
 * lock file left by another user (a root run's, the state dir kept) or a
 * read-only state dir cannot silently disable the lock (finalD D2).  The
 * descriptor is never closed.  Only a dry run is not refused (`hotmemd
 * --dry-run --oneshot` beside the service is what the README shows): a plain
 * --oneshot onlines blocks and rewrites boot-blocks as the service does
 * (finalD D1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

/* the holder's pid from /proc/locks (flock has no F_GETLK); 0: not known */
long hmd_flock_holder(int fd)
{
	char line[256];
	struct stat st;
	long pid = 0;
	FILE *f;

	if (fstat(fd, &st) || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long long ino;
		long p;

		if (!strstr(line, "FLOCK") ||
		    sscanf(line, "%*s FLOCK %*s WRITE %ld %x:%x:%llu", &p, &maj, &min, &ino) != 4)
			continue;
		if (ino == st.st_ino && makedev(maj, min) == st.st_dev && p != getpid())
			pid = p;
	}
	fclose(f);
	return pid;
}

/*
 * the one place the state dir is made: the lock's, and boot-blocks' record
 * (bootblocks.c); state_dir_made says this hotmemd made it
 */
int hmd_state_dir_make(struct hmd *d)
{
	if (!mkdir(d->cfg.state_dir, 0755)) {
		d->state_dir_made = true;
		return 0;
	}
	return errno != EEXIST ? -errno : 0;
}

/*
 * The directory locked, @fd, is still the one at its path: a refused
 * start removes the state dir it made while it holds the lock
 * (hmd_state_dir_unmake()), and one that opened it before the rmdir
 * takes the lock on a directory no longer there, beside a third start's
 * lock on the one made anew.  Such a lock counts for nothing (as
 * hotmemfs's lock_still_named()).
 */
bool hmd_lock_still_named(int fd, const char *dir)
{
	struct stat locked, now;

	return !fstat(fd, &locked) && !stat(dir, &now) && locked.st_ino == now.st_ino &&
	       locked.st_dev == now.st_dev;
}

/*
 * @make false: an existing state dir is locked, a missing one is left
 * missing (0, not locked) -- run_daemon() locks first and makes it only
 * once the uevent sources are open, so that a start they refuse (a second
 * hotmemd on the socket, a socket in a directory not there) leaves the
 * file system as it found it (it made the state dir and removed it again:
 * a directory briefly there, and one it could not tell from another's).
 * @make true: made if missing.  Once locked, or
 * said unlockable, later calls do nothing.
 */
int hmd_state_lock(struct hmd *d, bool make)
{
	const char *dir = d->cfg.state_dir, *then;
	long pid;
	int fd;

	if (d->cfg.dry_run || !dir[0] || d->state_lock_done)
		return 0;
again:
	if (make && hmd_state_dir_make(d))
		goto unlocked;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !make)
		return 0; /* made by the call after the sources */
	if (fd < 0)
		goto unlocked;
	if (!flock(fd, LOCK_EX | LOCK_NB)) {
		if (hmd_lock_still_named(fd, dir)) {
			d->state_lock_fd = fd; /* held for life */
			d->state_lock_done = true;
			return 0;
		}
		close(fd);
		d->state_dir_made = false; /* what it made is gone: the one there now is not ours */
		goto again;
	}
	if (errno != EWOULDBLOCK) {
		close(fd);
		goto unlocked;
	}
	/* one made here and locked by another starter meanwhile is that one's: kept */
	pid = hmd_flock_holder(fd);
	close(fd);
	/* a running one asks at a reload that ends its dry run (main.c): it stays one */
	then = d->ready ? "dry_run = no not applied, still a dry run" : "exiting";
	if (pid > 0)
		hmd_log(d, LOG_ERR,
			"state dir %s is in use by another hotmemd (pid %ld holds its lock): %s; one hotmemd a state dir (--state-dir)",
			dir, pid, then);
	else
		hmd_log(d, LOG_ERR,
			"state dir %s is in use by another hotmemd, which holds its lock: %s; one hotmemd a state dir (--state-dir)",
			dir, then);
	return -EBUSY;
unlocked:
	/* what bootblocks.c's record would meet too: said, not fatal */
	hmd_log(d, LOG_WARNING, "cannot lock state dir %s (%m): a second hotmemd on it would not be refused",
		dir);
	d->state_lock_done = true;
	return 0;
}

/*
 * A start refused after it made the state dir -- only where its uevent
 * socket lives in it, made before the socket (run_daemon()) -- leaves the
 * file system as it was: the state dir goes, if still empty (the lock is
 * on the directory itself, no file in it; boot-blocks is written by the
 * coldplug, after).  Only the directory it made and locked, if its path
 * still names it: never one made there by another since (a directory
 * renamed between the check and the rmdir is the one case left).  The
 * lock's descriptor stays open until exit: a directory removed may still
 * be locked.
 */
void hmd_state_dir_unmake(struct hmd *d)
{
	const char *dir = d->cfg.state_dir;

	if (!d->state_dir_made)
		return;
	d->state_dir_made = false;
	if (d->state_lock_fd < 0 || !hmd_lock_still_named(d->state_lock_fd, dir))
		return;
	if (!rmdir(dir))
		hmd_log(d, LOG_INFO, "state dir %s removed again: the start was refused", dir);
}
