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
 *
 * The watch sees only what reaches hotmemd's mount namespace.  `ip netns
 * exec` gives hotmemd one of its own, a slave of /; where / is private
 * (Docker, any `unshare -m` shell) neither the dead mount's unmount nor a
 * new hotmemfs mount made elsewhere ever arrives: the wait would be for
 * ever, its log line a false promise (usereye8 #1).  Both travel by the
 * PARENT's peer group, the mount the sysroot's mount sits on, not by the
 * sysroot mount's own tag (6.12 fs/pnode.c: propagate_mnt() copies a new
 * mount to the peers and slaves of dest_mnt, the mount it is made on;
 * __propagate_umount() walks propagation_next(parent, parent) of
 * mnt->mnt_parent, "unmounting 'mnt' naturally propagates to all other
 * mounts its parent propagates to"; the mount's own shared:/master: tag
 * governs only mounts made on top of it).  So the parent's line is judged:
 * a `mount --make-private` of the hotmemfs mount under a shared parent
 * still sees the next mount (finalJ J2, tests/daemon/97), and a
 * `mount --make-shared` one under a private parent does not (110): hotmemfs
 * detaches a dead one's mount before it mounts anew, so the next mount is
 * made on the parent, never on top of the shared dead one.  When the parent has no shared:
 * or master: tag here and hotmemd is moreover the only process in that
 * namespace, nothing can mount there either (short of nsenter), and it
 * exits 1 as --oneshot does: a supervisor (a systemd-run unit's Restart=)
 * or the user sees it end and starts it again in a fresh namespace, which
 * does see the new mount; idling on would keep the dead mount pinned and
 * look alive.  Shared with other processes (a shell in it), it waits, and
 * says that only a mount made in its namespace will be seen.
 *
 * Noticing it at all: a `kill -9` of hotmemfs unmounts nothing (the dead
 * mount stays, ENOTCONN), so the mount table does not change and nothing
 * but hotmemd's next touch of the sysroot tells; idle, that was the next
 * uevent, maybe after hotmemfs was back: that plug's blocks lost, a daemon
 * that looked alive meanwhile (usereye9 F6).  So on a FUSE sysroot a
 * timer asks fstatfs() of the memory directory every SYSROOT_CHECK_USEC:
 * statfs asks the server (fs/fuse/inode.c fuse_statfs(), 6.12; a stat may
 * be answered from the attribute cache) -- for a process the mount allows:
 * another's (another uid, no allow_other) gets FUSE_SUPER_MAGIC and 0, no
 * request, but such a hotmemd cannot read the tree at all (finalD D8) --
 * and a dead connection fails it at once with ENOTCONN
 * (fuse_simple_request() on !fc->connected), no server needed.  Its cost:
 * one FUSE STATFS a tick while idle, none a block or a uevent; a tick
 * after one that saw a block onlined asks nothing (that write was
 * answered: the server lived a moment ago).  On the kernel's sysfs (or a
 * plain tree) nothing goes away under hotmemd: no timer.  Not before each uevent as well: that would be
 * a STATFS a burst on the normal path, and a uevent's first read of the
 * sysroot meets the same ENOTCONN and takes the same way out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546 /* include/uapi/linux/magic.h */
#endif
#define SYSROOT_CHECK_USEC (3 * 1000000ull) /* how often a FUSE sysroot is asked */

static void mounts_unwatch(struct hmd *d)
{
	d->mounts_src = sd_event_source_disable_unref(d->mounts_src);
	d->back_src = sd_event_source_disable_unref(d->back_src);
}

static void sysroot_back(struct hmd *d)
{
	mounts_unwatch(d);
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

/* the mount id of @fd (fs/proc/fd.c seq_show() "mnt_id:"), -1 if unknown */
static int fd_mnt_id(int fd)
{
	char path[64], line[128];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %d", &id) == 1)
			break;
	fclose(f);
	return id;
}

/*
 * Mount @id's line of /proc/self/mountinfo: 1 if it has no shared: or
 * master: tag among its optional fields (fs/proc_namespace.c
 * show_mountinfo(), 6.12: between the options and " - "), 0 if it has one,
 * -1 if it is not there (an unmount reached this namespace: it propagates)
 * or unreadable.  @parent, if not NULL, gets its parent's mount ID (the
 * line's second field).
 */
static int mount_private(int id, int *parent)
{
	char *line = NULL, *end;
	size_t cap = 0;
	int r = -1;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (strtol(line, &end, 10) != id || *end != ' ')
			continue;
		if (parent)
			*parent = (int)strtol(end, NULL, 10);
		end = strstr(line, " - ");
		if (end)
			*end = 0;
		r = !strstr(line, " shared:") && !strstr(line, " master:");
		break;
	}
	free(line);
	fclose(f);
	return r;
}

/*
 * Whether /proc/N/ns/mnt is @ns.  One hotmemd may not inspect (EACCES
 * without CAP_SYS_PTRACE, as in Docker: the container's pid 1, a
 * non-dumpable daemon) is taken to be elsewhere: a process gets into a
 * private namespace only from the one that made it (ip netns exec execs
 * hotmemd) or by nsenter, and hotmemd can read its own children.
 */
static bool in_ns(const char *pid, const struct stat *ns)
{
	char path[sizeof("/proc//ns/mnt") + 256];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	return !stat(path, &st) && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

/* whether hotmemd is the only process in its mount namespace */
static bool alone_in_mnt_ns(void)
{
	char self[24];
	struct dirent *e;
	struct stat ns;
	bool alone = true;
	DIR *dir;

	if (stat("/proc/self/ns/mnt", &ns) || !(dir = opendir("/proc")))
		return false;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while (alone && (e = readdir(dir)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, self))
			alone = !in_ns(e->d_name, &ns);
	closedir(dir);
	return alone;
}

/*
 * 2: the mount the sysroot's mount sits on (its parent: a new mount and an
 * unmount propagate by the parent's peer group) is private here and
 * hotmemd alone in its mount namespace (nothing can ever replace it), 1:
 * private, others there too (only a mount made in this namespace is seen),
 * 0: it propagates or cannot tell (the mount or its parent already gone
 * from this namespace, or a namespace's root with no parent shown)
 */
static int sysroot_stuck(struct hmd *d)
{
	int id = d->memdir_fd >= 0 ? fd_mnt_id(d->memdir_fd) : -1;
	int parent = -1;

	if (id < 0 || mount_private(id, &parent) < 0 || parent < 0 || parent == id)
		return 0;
	if (mount_private(parent, NULL) != 1)
		return 0;
	return alone_in_mnt_ns() ? 2 : 1;
}

/* the uevent path's errors and the timer's (on_sysroot_check()): one set */
bool hmd_sysroot_gone(struct hmd *d, int err)
{
	int r = -EINVAL, stuck;

	if (err != ENOTCONN && err != ECONNABORTED)
		return false;
	if (d->sysroot_gone)
		return true;
	d->sysroot_gone = err;
	stuck = sysroot_stuck(d);
	if (stuck == 2) {
		hmd_log(d, LOG_ERR,
			"sysroot %s: its filesystem is gone (%s: its FUSE server, hotmemfs, died?), and the mount it sits on is private in hotmemd's own mount namespace (ip netns exec where / is not a shared mount?): no new mount can reach it here: exiting; start hotmemd again once hotmemfs is back (its coldplug onlines what is offline but the blocks someone else offlined this boot), or make / shared (mount --make-rshared /) before starting both",
			d->cfg.sysroot, strerrorname_np(err));
		if (d->ev && !d->oneshot)
			sd_event_exit(d->ev, 1);
		return true;
	}
	if (d->ev && !d->oneshot)
		r = watch_mounts(d);
	if (r < 0) {
		hmd_log(d, LOG_ERR,
			"sysroot %s: its filesystem is gone (%s: its FUSE server, hotmemfs, died?): exiting; start hotmemd again once it is back (its coldplug onlines what is offline but the blocks someone else offlined this boot)",
			d->cfg.sysroot, strerrorname_np(err));
		if (d->ev && !d->oneshot)
			sd_event_exit(d->ev, 1);
		return true;
	}
	hmd_log(d, LOG_ERR,
		"sysroot %s: its filesystem is gone (%s: its FUSE server, hotmemfs, died?): waiting for it to be mounted again%s, then a coldplug onlines what is offline but the blocks someone else offlined this boot",
		d->cfg.sysroot, strerrorname_np(err),
		stuck ? " in hotmemd's mount namespace (a mount made in this namespace is seen; the mount it sits on is private there, so one made in another namespace is not: restart hotmemd then)"
		      : "");
	hmd_status_changed(d);
	return true;
}

/*
 * A tick said at debug when it is not of the kind the last one said was:
 * each tick said was a line every 3 s for hotmemd's whole life
 * (reread19-rest F4).  Their counts are in SIGUSR1's status
 * (tests/daemon/90 counts the STATFS against them).
 */
static void tick_said(struct hmd *d, int kind, const char *what)
{
	if (d->alive_said == kind)
		return;
	d->alive_said = kind;
	hmd_log(d, LOG_DEBUG, "sysroot watch: %s (said again when that changes)", what);
}

/* the timer: is the FUSE sysroot's server still there? (one STATFS) */
static int on_sysroot_check(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hmd *d = userdata;
	struct statfs sf;

	/*
	 * Gone already: the mount watch waits for its return, or it exits.
	 * A block onlined since the last tick: its write was answered, the
	 * server lived a moment ago; asked at the next tick (a plug's burst
	 * costs no STATFS, tests/daemon/90).
	 */
	if (d->n_onlined != d->alive_onlined) {
		d->alive_onlined = d->n_onlined;
		d->alive_skipped++;
		tick_said(d, 2, "a block onlined since the last tick, not asked");
	} else if (!d->sysroot_gone && d->memdir_fd >= 0) {
		d->alive_asked++;
		tick_said(d, 1, "asking its server (statfs) every 3 s");
		if (fstatfs(d->memdir_fd, &sf))
			/*
			 * one set of "server gone" errors with the uevent path:
			 * 6.12 fuse_statfs() on a dead connection gives ENOTCONN;
			 * an ENODEV would be hotmemfs's own answer, the server
			 * alive (finalD D3)
			 */
			hmd_sysroot_gone(d, errno);
	}
	sd_event_source_set_time_relative(s, SYSROOT_CHECK_USEC);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* after the coldplug, with an event loop: watch a FUSE sysroot (hotmemfs) */
void hmd_sysroot_watch(struct hmd *d)
{
	struct statfs sf;

	if (!d->ev || d->oneshot || d->alive_src || d->memdir_fd < 0)
		return;
	if (fstatfs(d->memdir_fd, &sf) || sf.f_type != FUSE_SUPER_MAGIC)
		return;
	d->alive_onlined = d->n_onlined;
	if (sd_event_add_time_relative(d->ev, &d->alive_src, CLOCK_MONOTONIC, SYSROOT_CHECK_USEC,
				       250000, on_sysroot_check, d) < 0)
		d->alive_src = NULL;
}

void hmd_sysroot_unwatch(struct hmd *d)
{
	mounts_unwatch(d);
	d->alive_src = sd_event_source_disable_unref(d->alive_src);
}
