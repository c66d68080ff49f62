// SPDX-License-Identifier: GPL-2.0
/*
 * fuse_floor: the cheapest FUSE file server that gives a reader what a
 * sysfs attribute gives it -- content fresh at every open -- so that
 * bench_hotmemfs can hold hotmemfs against the floor of FUSE itself on
 * this kernel, measured in the same run.
 *
 *   fuse_floor [-m|-u] MOUNTPOINT
 *
 * One directory, one file "attr" whose content is "online\n".  Lookups
 * and attributes are cached for an hour (as hotmemfs caches them); the
 * file is opened direct_io and noflush, as hotmemfs opens an attribute,
 * so open+read+close costs OPEN and READ round trips (RELEASE goes in the
 * background) and no work beyond them.  The single-threaded loop is the
 * bench's floor: one thread reads /dev/fuse and serves, as hotmemfs's own
 * loop (fusefs/fs.c hmfs_session_loop()).  -m: libfuse's multi-threaded
 * loop instead, for runs by hand.  -u: FUSE over
 * io_uring (fusefs/uring.c: one queue per CPU, each served by a thread
 * pinned to it; FORGET and INIT still come through /dev/fuse, read by the
 * single-threaded loop); it exits 1 when the kernel does not offer it.
 *
 * Mount options as hotmemfs's (default_permissions, allow_other).
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uring.h"

#define ATTR_INO 2
/* entries per io_uring queue: one reader per CPU at a time, RELEASE beside it */
#define URING_DEPTH 4
static const char content[] = "online\n";

static void floor_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 4096;
	}
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = ATTR_INO, .generation = 1,
				      .attr_timeout = 3600, .entry_timeout = 3600 };

	if (parent != FUSE_ROOT_ID || strcmp(name, "attr")) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	floor_stat(ATTR_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	floor_stat(ino, &st);
	fuse_reply_attr(req, &st, 3600);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != ATTR_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->direct_io = 1;
	fi->noflush = 1;
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	size_t len = sizeof(content) - 1;

	(void)ino;
	(void)fi;
	if ((size_t)off >= len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, content + off, len - (size_t)off < size ? len - (size_t)off : size);
}

static void floor_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops floor_ops = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
	.release = floor_release,
};

/* libfuse passes the session's userdata (ours: where the transport is) to its custom io */
static ssize_t floor_io_read(int fd, void *buf, size_t len, void *ud)
{
	return hmfs_uring_read(*(struct hmfs_uring **)ud, fd, buf, len);
}

static ssize_t floor_io_writev(int fd, struct iovec *iov, int count, void *ud)
{
	return hmfs_uring_writev(*(struct hmfs_uring **)ud, fd, iov, count);
}

static const struct fuse_custom_io floor_io = {
	.read = floor_io_read,
	.writev = floor_io_writev,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], "-o", "default_permissions,allow_other,fsname=fuse_floor", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	const char *mnt = argc > 1 ? argv[argc - 1] : NULL;
	bool mt = argc > 2 && !strcmp(argv[1], "-m");
	bool uring = argc > 2 && !strcmp(argv[1], "-u");
	struct hmfs_uring *ur = NULL;
	struct fuse_session *se;
	char why[160];
	int ret = 1;

	if (!mnt || (argc > 2 && !mt && !uring)) {
		fprintf(stderr, "usage: fuse_floor [-m|-u] MOUNTPOINT\n");
		return 2;
	}
	if (uring && hmfs_uring_check(why, sizeof(why))) {
		fprintf(stderr, "fuse_floor: -u: %s\n", why);
		return 1;
	}
	/* the transport is made after the mount, so it is the userdata by reference */
	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), &ur);
	if (!se)
		goto out_args;
	if (fuse_set_signal_handlers(se))
		goto out_destroy;
	if (fuse_session_mount(se, mnt))
		goto out_signals;
	if (uring) {
		ur = hmfs_uring_new(se, true, URING_DEPTH, NULL, NULL);
		if (!ur || fuse_session_custom_io(se, &floor_io, fuse_session_fd(se)))
			goto out_unmount;
	}
	if (mt) {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();

		/*
		 * 4 threads at most; idle ones never end (libfuse's default).
		 * With at most 1 idle, a lone reader's every request started a
		 * thread and ended one (fuse_loop_mt.c fuse_do_work(): none
		 * available starts one, more than max_idle after the reply ends
		 * it): bench42full's 88-103 us "mt floor" was that, a thread's
		 * creation each request, not FUSE.
		 */
		fuse_loop_cfg_set_max_threads(lc, 4);
		ret = fuse_session_loop_mt(se, lc) ? 1 : 0;
		fuse_loop_cfg_destroy(lc);
	} else {
		ret = fuse_session_loop(se) ? 1 : 0;
	}
	if (ur) {
		char desc[200];

		fprintf(stderr, "fuse_floor: %s, %llu requests through it\n",
			hmfs_uring_describe(ur, desc, sizeof(desc)), hmfs_uring_requests(ur));
		if (!hmfs_uring_active(ur))
			ret = 1;
	}
out_unmount:
	fuse_session_unmount(se);
	/* after the unmount: the kernel ends the queues' entries */
	hmfs_uring_destroy(ur);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}
