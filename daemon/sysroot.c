// SPDX-License-Identifier: MIT
/*
 * hotmemd: a sysroot whose filesystem went away, and its return.
 *
 * On a FUSE sysroot (hotmemfs) a dead server turns every access into
 * ECONNABORTED (the requests under way when the connection was aborted)
 * and then ENOTCONN, which the kernel's sysfs never answers.  Per block
 * that was a warning each (1672 for one DIMM) and a daemon that looked
 * alive while the blocks of the next mount stayed offline (usereye4 #16).
 *
 * Said once instead, and hotmemd waits: exiting would leave a hotmemd
 * started by hand, with no supervisor, gone for good, and under systemd
 * the emulation drop-in stops it (BindsTo=) and brings it back with
 * hotmemfs (Upholds=) anyway.  /proc/self/mountinfo is pollable: each
 * change of the mount table is POLLPRI (fs/proc_namespace.c mounts_poll(),
 * 6.12; what systemd's own mount monitor waits on).  At each change, and
 * once when the watch starts, the memory directory is opened again; once
 * it answers, the coldplug of a start runs on it, as after a restart.
 * Without an event loop (--oneshot) or a watch, hotmemd exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

static void sysroot_back(struct hmd *d)
{
	hmd_sysroot_unwatch(d);
	d->sysroot_gone = 0;
	hmd_log(d, LOG_NOTICE, "sysroot %s is back: coldplug", d->cfg.sysroot);
	hmd_coldplug(d, true);
	hmd_status_changed(d);
}

/* the mount table changed, or the watch just started: is it mounted again? */
static void try_back(struct hmd *d)
{
	if (d->sysroot_gone && !hmd_sysfs_reopen(d))
		sysroot_back(d);
}

static int on_mounts(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	try_back(userdata);
	return 0;
}

static int on_back_check(sd_event_source *s, void *userdata)
{
	try_back(userdata);
	return 0;
}

static int watch_mounts(struct hmd *d)
{
	int fd, r;

	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = sd_event_add_io(d->ev, &d->mounts_src, fd, EPOLLPRI, on_mounts, d);
	if (r < 0) {
		close(fd);
		return r;
	}
	sd_event_source_set_io_fd_own(d->mounts_src, true);
	/* mounted again before the watch began: no change would tell */
	r = sd_event_add_defer(d->ev, &d->back_src, on_back_check, d);
	if (r >= 0)
		r = sd_event_source_set_enabled(d->back_src, SD_EVENT_ONESHOT);
	return r < 0 ? r : 0;
}

bool hmd_sysroot_gone(struct hmd *d, int err)
{
	int r = -EINVAL;

	if (err != ENOTCONN && err != ECONNABORTED)
		return false;
	if (d->sysroot_gone)
		return true;
	d->sysroot_gone = err;
	if (d->ev && !d->oneshot)
		r = watch_mounts(d);
	if (r < 0) {
		hmd_log(d, LOG_ERR,
			"sysroot %s: its filesystem is gone (%s: its FUSE server, hotmemfs, died?): exiting; start hotmemd again once it is back (its coldplug onlines what is offline)",
			d->cfg.sysroot, strerrorname_np(err));
		if (d->ev && !d->oneshot)
			sd_event_exit(d->ev, 1);
		return true;
	}
	hmd_log(d, LOG_ERR,
		"sysroot %s: its filesystem is gone (%s: its FUSE server, hotmemfs, died?): waiting for it to be mounted again, then a coldplug onlines what is offline",
		d->cfg.sysroot, strerrorname_np(err));
	hmd_status_changed(d);
	return true;
}

void hmd_sysroot_unwatch(struct hmd *d)
{
	d->mounts_src = sd_event_source_disable_unref(d->mounts_src);
	d->back_src = sd_event_source_disable_unref(d->back_src);
}
