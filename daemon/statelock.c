// SPDX-License-Identifier: MIT
/*
 * hotmemd: one running hotmemd a state directory.
 *
 * Two daemons on one --state-dir both ran (usereye9 F6): each decided each
 * block, raced the other's writes and rewrote the other's boot-blocks
 * record.  As hotmemfs does for its state file (fusefs/state.c take_lock()),
 * a POSIX write lock on STATE_DIR/hotmemd.lock, held until exit (the kernel
 * drops it at death, kill -9 included; F_GETLK names the holder's pid).
 * The descriptor is never closed: closing any descriptor of the file would
 * drop the lock.  Only a dry run is not refused (`hotmemd --dry-run
 * --oneshot` beside the service is what the README shows): a plain --oneshot
 * onlines blocks and rewrites boot-blocks as the service does (finalD D1).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

int hmd_state_lock(struct hmd *d)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[HMD_PATH_MAX + 16];
	int fd, err;

	if (d->cfg.dry_run || !d->cfg.state_dir[0])
		return 0;
	snprintf(path, sizeof(path), "%s/hotmemd.lock", d->cfg.state_dir);
	if (mkdir(d->cfg.state_dir, 0755) && errno != EEXIST)
		goto unlocked;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		goto unlocked;
	if (!fcntl(fd, F_SETLK, &fl))
		return 0; /* held for life */
	err = errno;
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if ((err == EAGAIN || err == EACCES) && !fcntl(fd, F_GETLK, &fl) && fl.l_type != F_UNLCK) {
		close(fd);
		if (fl.l_pid > 0)
			hmd_log(d, LOG_ERR,
				"state dir %s is in use by another hotmemd (pid %ld holds %s): exiting; one hotmemd a state dir (--state-dir)",
				d->cfg.state_dir, (long)fl.l_pid, path);
		else
			hmd_log(d, LOG_ERR,
				"state dir %s is in use by another hotmemd, in another PID namespace, which holds %s: exiting; one hotmemd a state dir (--state-dir)",
				d->cfg.state_dir, path);
		return -EBUSY;
	}
	close(fd);
	errno = err;
unlocked:
	/* what bootblocks.c's record would meet too: said, not fatal */
	hmd_log(d, LOG_WARNING, "cannot lock %s (%m): a second hotmemd on it would not be refused",
		path);
	return 0;
}
