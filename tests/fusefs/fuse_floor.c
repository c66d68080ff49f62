// SPDX-License-Identifier: GPL-2.0
/*
 * fuse_floor: the cheapest FUSE file server that gives a reader what a
 * sysfs attribute gives it -- content fresh at every open -- so that
 * bench_hotmemfs can hold hotmemfs against the floor of FUSE itself on
 * this kernel, measured in the same run.
 *
 *   fuse_floor [-m] MOUNTPOINT
 *
 * One directory, one file "attr" whose content is "online\n".  Lookups
 * and attributes are cached for an hour (as hotmemfs caches them); the
 * file is opened direct_io and noflush, as hotmemfs opens an attribute,
 * so open+read+close costs OPEN and READ round trips (RELEASE goes in the
 * background) and no work beyond them.  -m: libfuse's multi-threaded loop
 * (what hotmemfs runs) instead of the single-threaded one.
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

#define ATTR_INO 2
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

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], "-o", "default_permissions,allow_other,fsname=fuse_floor", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	const char *mnt = argc > 1 ? argv[argc - 1] : NULL;
	bool mt = argc > 2 && !strcmp(argv[1], "-m");
	struct fuse_session *se;
	int ret = 1;

	if (!mnt || (argc > 2 && !mt)) {
		fprintf(stderr, "usage: fuse_floor [-m] MOUNTPOINT\n");
		return 2;
	}
	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
	if (!se)
		return 1;
	if (fuse_set_signal_handlers(se))
		goto out_destroy;
	if (fuse_session_mount(se, mnt))
		goto out_signals;
	if (mt) {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();

		/* as hotmemfs: 4 threads at most, 1 idle */
		fuse_loop_cfg_set_max_threads(lc, 4);
		fuse_loop_cfg_set_idle_threads(lc, 1);
		ret = fuse_session_loop_mt(se, lc) ? 1 : 0;
		fuse_loop_cfg_destroy(lc);
	} else {
		ret = fuse_session_loop(se) ? 1 : 0;
	}
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
	return ret;
}
