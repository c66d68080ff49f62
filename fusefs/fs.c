// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE low-level operations, and only those: kernfs semantics on top of
 * tree.c (inodes, directories) and attrs.c (show/store).
 *
 * Caching: lookups and attributes are cached by the kernel for a long
 * time (ctx->attr_timeout) because we invalidate them explicitly when
 * blocks come and go (hmfs_notify_block()).  File contents are never
 * cached (direct_io): an attribute's st_size is a fake 4096 and its
 * content changes without a write to it, like kernfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/fuse.h>

#include <sys/xattr.h>

#include "hmfs.h"
#include "uring.h"

static struct hmfs_ctx *req_ctx(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/*
 * The session loop.  One thread reads /dev/fuse and answers the requests
 * that never wait -- lookups, attributes, opens, reads, listings, polls of
 * what hotmem.h's readers serve without waiting for a running hotplug
 * operation -- because a request that finds its thread already on the
 * CPU costs half of one that wakes one of several idle workers (libfuse's
 * mt loop).  Requests that may wait go whole to @nr_workers threads, so
 * that the reader stays free to take the FUSE_INTERRUPT that ends them:
 * stores (an offline migrates until done or interrupted), the other
 * changes (setattr, xattrs: they wait for its change_lock), and whatever
 * touches /proc/iomem or /sys/firmware/memmap, which the engine reads
 * under its device_hotplug_lock.  The kernel reads neither under it
 * (r_show(): resource_lock; firmware/memmap: kernfs, its entries changed
 * under drivers/firmware/memmap.c's map_entries_lock), so during a change
 * that holds it for long -- an offline that loops, an eject -- hotmemfs
 * answers them from a copy (machine.c hmfs_iomem(), hmfs_firmware_map());
 * they still go to a worker for the short holders (an add, a removal).
 *
 * With --io-uring (hmfs_session_uring()) the kernel hands each request
 * to the queue of the CPU its reader runs on (uring.c), whose pinned
 * thread serves it as this loop would, there: the reader's wake-up and
 * its reply's stay on one CPU.  This thread then reads only what stays
 * on /dev/fuse: INIT, FORGET and the INTERRUPT that ends a store.
 */
struct hmfs_wjob {
	struct hmfs_wjob *next;
	struct fuse_buf buf; /* the request, copied out of the receive buffer */
};

struct hmfs_loop {
	struct hmfs_ctx *ctx;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct hmfs_wjob *head, **tail;
	bool stop;
	unsigned int nr_workers;
	pthread_t *workers;
	bool *static_waits; /* by static inode number: static_may_wait() */
	bool blocks_atime_stale; /* blocks_atime_note() */
	struct stat userns; /* hotmemfs's /proc/self/ns/user, read at start (st_ino 0: not) */
	/*
	 * the fuse_in_header of the request this thread serves (serve_buf()):
	 * libfuse 3.14 shows a callback no unique, which hmfs_write() needs
	 * to ask the ring whether its reply may be held (hmfs_uring_may_hold())
	 */
	pthread_key_t serving;
	pthread_key_t worker; /* non-NULL in a worker thread (request_worker()) */
};

static void fill_entry(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = n->ino;
	/*
	 * a number names one inode for the life of the mount (a memory
	 * block's carries its incarnation's key, never given twice: incarn.c)
	 */
	e->generation = 1;
	e->attr_timeout = ctx->attr_timeout;
	e->entry_timeout = ctx->attr_timeout;
	/* firmware/memmap/N: numbers are never reused, but no event names the one that went */
	if (HMFS_INO_CLASS(n->ino) == HMFS_C_FWMAP)
		e->entry_timeout = 0;
	hmfs_stat(ctx, n, &e->attr);
}

static void hmfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct hmfs_ctx *ctx = userdata;

	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
		ctx->no_opendir = true;
	}
	/*
	 * No FUSE_CAP_ATOMIC_O_TRUNC: with it the kernel sets i_size to 0 at
	 * an O_TRUNC open (6.18 fuse_finish_open()), so the shell's `echo
	 * offline > state` wrote past EOF and took the inode's lock
	 * exclusively for its whole write (fuse_dio_lock()), a looping
	 * offline included: every other writer of the file slept
	 * uninterruptibly behind it (reply_open_file()).  Without it O_TRUNC
	 * is the VFS's do_truncate(): a SETATTR of the size alone (FUSE's
	 * update_mtime() sends no times for an O_TRUNC open), the size
	 * ignored -- the reply's 4096 stays i_size -- and do_truncate()'s
	 * mtime and ctime set as kernfs stores them (hmfs_setattr()).
	 */
	conn->want &= ~(unsigned)FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	/*
	 * No mtime-driven invalidation: file data is never cached (direct_io)
	 * and listings are invalidated explicitly.  Without this the kernel
	 * sends a GETATTR before every readdir of every memoryN/ (lsmem).
	 */
	conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
}

static void hmfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct fuse_entry_param e;
	struct hmfs_node n;
	int ret;

	ret = hmfs_lookup_child(ctx, parent, name, &n);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	fill_entry(ctx, &n, &e);
	fuse_reply_entry(req, &e);
}

static void hmfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;
	struct stat st;
	int ret;

	(void)fi;
	/*
	 * kernfs_iop_getattr() of a removed node: it still answers (an open
	 * directory's fstat), with what was set on it (iattr.c's orphans)
	 */
	ret = hmfs_node_get_held(ctx, ino, &n);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	hmfs_stat(ctx, &n, &st);
	fuse_reply_attr(req, &st, ctx->attr_timeout);
}

/*
 * The request's caller as /proc/PID shows it, read as lxcfs does: FUSE
 * gives the calling thread's id in our PID namespace (0 when it is
 * outside ours), and its credentials are read after the call.  The race
 * is the same as lxcfs's: a thread that changed its capabilities (capset,
 * setuid) between its syscall and our read is judged by the new ones, and
 * a thread gone meanwhile (its id maybe another's by then) by whoever has
 * the id -- only for the check we repeat after the kernel's own (FUSE's
 * setattr_prepare(), default_permissions) or the one the kernel's store
 * makes (capable()), never for what the kernel already refused.
 */

/*
 * What /proc says of a request's caller, read when a rule needs it and
 * once per request: a chown asked capable_wrt_inode() twice (the owner,
 * the group), each statting two namespace links and parsing
 * /proc/PID/status.  Not kept across requests: the kernel asks
 * current_cred() at each call, and a thread keeps its id and start time
 * across capset(), setuid() and unshare(CLONE_NEWUSER).
 */
ssize_t hmfs_proc_read(long pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

void hmfs_pid_comm(long pid, char *buf, size_t len)
{
	char comm[64];

	buf[0] = '\0';
	if (pid <= 0 || hmfs_proc_read(pid, "comm", comm, sizeof(comm)) <= 0)
		return;
	snprintf(buf, len, "%.*s", (int)strcspn(comm, "\n"), comm);
}

/* a request's task's comm (hotmem_task's): the writer's */
static void req_comm(void *req, char *buf, size_t len)
{
	hmfs_pid_comm(fuse_req_ctx(req)->pid, buf, len);
}

struct req_caller {
	struct hmfs_ctx *ctx;
	const struct fuse_ctx *fc;
	int same; /* req_same_userns(), once asked; REQ_UNREAD before */
	int has_eff; /* CapEff read: 1, unreadable: -1, REQ_UNREAD */
	unsigned long long eff;
};
#define REQ_UNREAD (-2)
#define REQ_CALLER(ctx, req) { (ctx), fuse_req_ctx(req), REQ_UNREAD, REQ_UNREAD, 0 }

/*
 * the caller's user namespace is ours: 1, another: 0, not known (not ours
 * to read): -1.  Ours is read once a session (hmfs_loop's userns):
 * hotmemfs never changes its user namespace (uevent.c unshares the
 * network's alone, before any thread).
 */
static int req_same_userns(struct req_caller *c)
{
	const struct stat *self = c->ctx->loop ? &c->ctx->loop->userns : NULL;
	struct stat own, them;
	char path[64];

	if (!self || !self->st_ino) {
		if (stat("/proc/self/ns/user", &own))
			return -1;
		self = &own;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c->fc->pid);
	if (stat(path, &them))
		return -1;
	return them.st_ino == self->st_ino && them.st_dev == self->st_dev;
}

static int caller_same_userns(struct req_caller *c)
{
	if (c->same == REQ_UNREAD)
		c->same = req_same_userns(c);
	return c->same;
}

/*
 * The hex fields @names[] of /proc/@pid/status ("CapEff: 000001ff...")
 * in @v[]: 0, or -1 when the file cannot be read or one is missing
 */
static int proc_status_hex(long pid, const char *const *names, unsigned long long *v, int nr)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found < nr && fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, ":");

		for (int i = 0; i < nr; i++)
			if (strlen(names[i]) == len && !strncmp(line, names[i], len) &&
			    sscanf(line + len + 1, "%llx", &v[i]) == 1)
				found++;
	}
	fclose(f);
	return found == nr ? 0 : -1;
}

/* the caller's effective set (CapEff, in its own user namespace): 1, or -1 unreadable */
static int req_cap_eff(const struct fuse_ctx *fc, unsigned long long *eff)
{
	static const char *const cap_eff[] = { "CapEff" };

	return proc_status_hex(fc->pid, cap_eff, eff, 1) ? -1 : 1;
}

/* capability @cap in the caller's effective set */
static bool caller_cap_eff(struct req_caller *c, int cap)
{
	if (c->has_eff == REQ_UNREAD)
		c->has_eff = req_cap_eff(c->fc, &c->eff);
	return c->has_eff > 0 && (c->eff >> cap & 1);
}

/*
 * capable(@cap) of the caller: the capability in its effective set, and
 * its user namespace ours -- hotmemfs stands for the kernel, so its
 * namespace is the machine's initial one, where capable() asks: root
 * without the capability (a container's, setpriv --bounding-set) is
 * refused, root of a child user namespace too however it maps uid 0, and
 * any uid holding it is let through, as the kernel does.  A caller outside
 * our PID namespace (pid 0): only the uid can say (0: let through).  /proc
 * of a thread gone meanwhile: refused.  A namespace link we may not read
 * (a hotmemfs that is not root, a caller of another user): the capability
 * alone.  The capability first: a caller without it costs no namespace
 * link.
 */
static bool req_capable(struct req_caller *c, int cap)
{
	if (!c->fc->pid)
		return c->fc->uid == 0;
	return caller_cap_eff(c, cap) && caller_same_userns(c) != 0;
}

#define CAP_CHOWN_BIT 0 /* <linux/capability.h>'s numbers */
#define CAP_FOWNER_BIT 3
#define CAP_SYS_ADMIN_BIT 21

/* @id is in the range of /proc/PID/@map (uid_map, gid_map), which shows it in our namespace */
static bool req_id_mapped(const struct fuse_ctx *fc, const char *map, unsigned long id)
{
	unsigned long inside, outside, count;
	char path[64];
	bool mapped = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)fc->pid, map);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!mapped && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		mapped = id >= outside && id - outside < count;
	fclose(f);
	return mapped;
}

/*
 * capable_wrt_inode_uidgid() (kernel/capability.c, 6.12): @cap in the
 * caller's own user namespace (ns_capable(current_user_ns())), and the
 * inode's owner and group @st mapped there (privileged_wrt_inode_uidgid()):
 * root of a child user namespace may chown what its namespace maps.
 */
static bool req_capable_wrt_inode(struct req_caller *c, int cap, const struct stat *st)
{
	if (!c->fc->pid)
		return c->fc->uid == 0;
	if (!caller_cap_eff(c, cap))
		return false;
	return caller_same_userns(c) != 0 || (req_id_mapped(c->fc, "uid_map", st->st_uid) &&
					      req_id_mapped(c->fc, "gid_map", st->st_gid));
}

/*
 * kernfs_iop_setattr(): root may chmod/chown (udev rules do), an owner
 * chmod (setattr_allowed()); the new
 * mode governs permission checks (default_permissions), while what a
 * file can do stays what the kernel gave it (open_check() wants the new
 * mode's bits and the ops kernfs picked at creation from the original).
 * Times are kept (touch; the kernel checked who may set them).  Size
 * changes (O_TRUNC, truncate) are accepted and ignored, as on sysfs.
 * Each is a change of the machine, saved before the reply (iattr.c).
 * A SETATTR of the size alone sets mtime and ctime to now: the
 * ATTR_MTIME|ATTR_CTIME do_truncate() has for an O_TRUNC open and an
 * ftruncate (6.12 fs/namei.c handle_truncate(), fs/open.c), which FUSE
 * does not send (update_mtime()) and __kernfs_setattr() stores.  A
 * truncate(2) by path has none (vfs_truncate()), but FUSE's SETATTR of
 * it is the same as an O_TRUNC open's (no file handle): its times are set
 * too.  Kept in memory alone, no change of the machine (iattr.c struct
 * iattr_trunc): the shell's `>` of every write costs no journal record.
 */
#define SETATTR_KEPT                                                                          \
	(FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | FUSE_SET_ATTR_ATIME |  \
	 FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)
/* in_group_p(): @gid is the caller's group or one of its supplementary groups */
static bool req_in_group(fuse_req_t req, gid_t gid)
{
	gid_t groups[64], *list = groups;
	int nr = fuse_req_getgroups(req, 64, groups);
	bool in = fuse_req_ctx(req)->gid == gid;

	if (nr > 64 && (list = calloc((size_t)nr, sizeof(*list)))) {
		int size = nr;

		nr = fuse_req_getgroups(req, size, list);
		if (nr > size) /* it joined groups between the two reads of /proc */
			nr = size;
	}
	for (int i = 0; !in && list && i < nr; i++)
		in = list[i] == gid;
	if (list != groups)
		free(list);
	return in;
}

/*
 * setattr_prepare() (fs/attr.c, 6.12) against our attributes @st (the
 * kernel checked its cached ones, default_permissions): the owner may
 * chmod and set times (inode_owner_or_capable()), chown to itself
 * (chown_ok()) and chgrp to a group of its own (chgrp_ok()); a caller
 * holding CAP_FOWNER may do the first, CAP_CHOWN the others
 * (capable_wrt_inode_uidgid()), whatever its uid -- root without them
 * (a container's) is the owner of root's files, no more.  The uid rules
 * first, /proc only when they do not let the change through.
 */
#define SETATTR_TIMES_SET (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)
static int setattr_allowed(fuse_req_t req, const struct stat *st, const struct stat *attr,
			   int to_set)
{
	struct req_caller c = REQ_CALLER(req_ctx(req), req);
	bool owner = c.fc->uid == st->st_uid;
	/* FUSE's *_NOW come with their plain bit: ATTR_TOUCH, not ATTR_*TIME_SET */
	int times = to_set & SETATTR_TIMES_SET &
		    ~((to_set & FUSE_SET_ATTR_ATIME_NOW ? FUSE_SET_ATTR_ATIME : 0) |
		      (to_set & FUSE_SET_ATTR_MTIME_NOW ? FUSE_SET_ATTR_MTIME : 0));

	if ((to_set & FUSE_SET_ATTR_UID) && !(owner && attr->st_uid == st->st_uid) &&
	    !req_capable_wrt_inode(&c, CAP_CHOWN_BIT, st))
		return -EPERM;
	if ((to_set & FUSE_SET_ATTR_GID) &&
	    !(owner && (attr->st_gid == st->st_gid || req_in_group(req, attr->st_gid))) &&
	    !req_capable_wrt_inode(&c, CAP_CHOWN_BIT, st))
		return -EPERM;
	if (((to_set & FUSE_SET_ATTR_MODE) || times) && !owner &&
	    !req_capable_wrt_inode(&c, CAP_FOWNER_BIT, st))
		return -EPERM;
	return 0;
}

/*
 * kernfs_iop_setattr() asks for no active reference (fs/kernfs/inode.c,
 * 6.12 and 6.18 alike): a chown or chmod through an inode held across its
 * node's removal (an open directory, an O_PATH fd, fchownat(AT_EMPTY_PATH))
 * succeeds, on the orphan kernfs_node nobody can look up again, and its
 * getattr shows it (kernfs_refresh_inode()): no change of the machine,
 * kept with the orphan's other attributes (iattr.c orphan_adopt()).
 */
static void hmfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			 struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;
	struct stat st;
	int ret;

	(void)fi;
	ret = hmfs_node_get_held(ctx, ino, &n);
	/*
	 * proc_sys_setattr() (6.12 fs/proc/proc_sysctl.c): a /proc/sys file's
	 * mode and owner are its table's, EPERM before any other check; its
	 * directories' too (proc_sys_dir_operations, /proc/sys itself through
	 * proc_sys_root's proc_iops: the same setattr; reread40 R5), and
	 * kernel/random/boot_id's, a sysctl file as vm/'s are
	 */
	if (!ret && hmfs_node_in_proc_sys(ctx, &n) &&
	    (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		ret = -EPERM;
	/* truncate(2) of one its table makes read-only (boot_id): vfs_truncate()'s permission */
	else if (!ret && hmfs_node_in_proc_sys(ctx, &n) && (to_set & FUSE_SET_ATTR_SIZE) &&
		 !(n.mode & S_IWUSR))
		ret = -EACCES;
	else if (!ret) {
		hmfs_stat(ctx, &n, &st);
		ret = setattr_allowed(req, &st, attr, to_set);
	}
	if (!ret && (to_set & SETATTR_KEPT))
		ret = hmfs_setattr_node(ctx, &n, attr, to_set);
	else if (!ret && (to_set & FUSE_SET_ATTR_SIZE))
		ret = hmfs_iattr_truncated(ctx, ino);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	hmfs_stat(ctx, &n, &st);
	fuse_reply_attr(req, &st, ctx->attr_timeout);
}

static void hmfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;
	int ret;

	ret = hmfs_node_get(ctx, ino, &n);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	if (!S_ISLNK(n.mode)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fuse_reply_readlink(req, n.target);
}

/*
 * No OPENDIR/RELEASEDIR round trips: we keep no per-directory state, and
 * with no_opendir the kernel opens directories with KEEP_CACHE|CACHE_DIR,
 * so listings are cached until we invalidate them (hmfs_notify_block()).
 * lsmem opens every memoryN/ directory: two round trips saved per block.
 */
static void hmfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;
	int ret;

	if (ctx->no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	ret = hmfs_node_get(ctx, ino, &n);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

struct dirbuf {
	struct hmfs_ctx *ctx;
	fuse_req_t req;
	char *buf;
	size_t size, pos;
	bool plus;
};

static bool dir_add(void *arg, const char *name, uint64_t ino, mode_t mode, long off)
{
	struct dirbuf *d = arg;
	size_t need;

	if (d->plus) {
		struct fuse_entry_param e;
		struct hmfs_node n;

		/*
		 * "." and ".." must not take a lookup reference (e.ino 0:
		 * fuse_direntplus_link() skips them), but their dirent's d_ino
		 * is attr.st_ino, and glibc's readdir() skips a d_ino 0 one
		 */
		if (!strcmp(name, ".") || !strcmp(name, "..")) {
			memset(&e, 0, sizeof(e));
			e.attr.st_ino = ino;
			e.attr.st_mode = mode;
		} else if (hmfs_node_get(d->ctx, ino, &n) == 0) {
			fill_entry(d->ctx, &n, &e);
		} else {
			return true; /* vanished meanwhile */
		}
		need = fuse_add_direntry_plus(d->req, d->buf + d->pos, d->size - d->pos, name, &e,
					      off + 1);
	} else {
		struct stat st = { .st_ino = ino, .st_mode = mode };

		need = fuse_add_direntry(d->req, d->buf + d->pos, d->size - d->pos, name, &st,
					 off + 1);
	}
	if (need > d->size - d->pos)
		return false;
	d->pos += need;
	return true;
}

static void blocks_atime_note(struct hmfs_ctx *ctx, fuse_ino_t ino, off_t off);

/* is this thread one of the loop's workers (request_worker())? */
static bool on_worker(const struct hmfs_ctx *ctx)
{
	return ctx->loop && pthread_getspecific(ctx->loop->worker);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	struct dirbuf d = { req_ctx(req), req, NULL, size, 0, plus };
	long ret;

	d.buf = malloc(size);
	if (!d.buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	ret = hmfs_readdir(d.ctx, ino, off, dir_add, &d);
	if (ret < 0)
		fuse_reply_err(req, (int)-ret);
	else
		fuse_reply_buf(req, d.buf, d.pos);
	free(d.buf);
	/* after the reply: the reader need not wait for the notify's write */
	if (ret >= 0)
		blocks_atime_note(d.ctx, ino, off);
}

static void hmfs_readdir_op(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			    struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, false);
}

static void hmfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			     struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, true);
}

/*
 * kernfs_fop_open() on sysfs (KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK), for
 * root too: O_WRONLY/O_RDWR needs a write bit in the inode's mode (as
 * chmod left it) and a write op, a read open a read bit and a read op.
 * sysfs_add_file_mode_ns() (fs/sysfs/file.c, 6.12+) takes a text
 * attribute's ops from its kobject type's sysfs_ops, not from its mode:
 * dev_sysfs_ops, bus_sysfs_ops, kobj_sysfs_ops and module_sysfs_ops all
 * have show and store, so each such file has both (sysfs_file_kfops_rw)
 * and after a chmod root's open follows the mode; the attribute's missing
 * store is EIO at write, its missing show EIO at read (dev_attr_store(),
 * dev_attr_show(): hmfs_store(), hmfs_show()).  A binary attribute's ops
 * are its own (sysfs_add_bin_file_mode_ns()), as firmware memmap's
 * (memmap_attr_ops: show only): the mode the kernel gave them.  procfs
 * (proc_reg_open()) and debugfs check nothing past the VFS's permission,
 * which root passes: /proc/meminfo's write is EIO (pde_write() without
 * proc_write).  default_permissions already refused non-root by mode.
 */
static int open_check(struct hmfs_ctx *ctx, const struct hmfs_node *n, int flags)
{
	enum hmfs_open_ops ops = hmfs_attr_open_ops(n->attr);
	bool as_mode = ops == HMFS_OPS_AS_MODE;
	struct stat st = { .st_mode = n->mode };
	int acc = flags & O_ACCMODE;

	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (ops == HMFS_OPS_VFS)
		return 0;
	hmfs_iattr_stat(ctx, n, &st);
	if (acc != O_RDONLY && (!(st.st_mode & 0222) || (as_mode && !(n->mode & 0222))))
		return -EACCES;
	if (acc != O_WRONLY && (!(st.st_mode & 0444) || (as_mode && !(n->mode & 0444))))
		return -EACCES;
	return 0;
}

static struct hmfs_open *open_file(struct hmfs_ctx *ctx, const struct hmfs_node *n, uint64_t gen,
				   struct fuse_file_info *fi)
{
	struct hmfs_open *of = calloc(1, sizeof(*of));

	if (!of)
		return NULL;
	of->ino = hmfs_event_ino(n); /* what pollers wait on: hmfs_poll_bump() */
	of->gen = gen;
	of->node = *n;
	of->append = fi->flags & O_APPEND;
	pthread_mutex_init(&of->lock, NULL);
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1;
	fi->noflush = 1;
	pthread_mutex_lock(&ctx->poll_lock);
	of->o_next = ctx->opened;
	if (ctx->opened)
		ctx->opened->o_prev = of;
	ctx->opened = of;
	pthread_mutex_unlock(&ctx->poll_lock);
	return of;
}

static void close_file(struct hmfs_ctx *ctx, struct hmfs_open *of);

/*
 * fuse_reply_open() for a file, with FOPEN_PARALLEL_DIRECT_WRITES beside
 * open_file()'s FOPEN_DIRECT_IO and FOPEN_NOFLUSH: libfuse 3.14's
 * fuse_file_info has no bit for it (3.15's parallel_direct_writes), so the
 * reply is fuse_open_out written out.  Why: without it the kernel's FUSE
 * takes the inode's lock exclusively around a direct write (6.18
 * fuse_dio_lock()), so a second writer of one file (memory33/state from
 * its own open while the first one's offline loops) slept in D state in
 * the kernel, before hotmemfs saw it, and kill -9 could not end it until
 * the offline did.  kernfs serialises an open file's writers only
 * (of->mutex), and state_store() waits for device_hotplug_lock by
 * restarting the syscall (lock_device_hotplug_sysfs()), so a signal ends
 * it: with the flag, a write within the file's 4096 bytes takes the
 * inode's lock shared and reaches hotmemfs, whose wait a fatal signal
 * ends (tests/fusefs/326).  A write past i_size (O_APPEND, or any write of
 * a /proc file, st_size 0) still takes it exclusively: the kernel's rule.
 */
static int reply_open_file(fuse_req_t req, const struct fuse_file_info *fi)
{
	struct fuse_open_out arg = {
		.fh = fi->fh,
		.open_flags = FOPEN_PARALLEL_DIRECT_WRITES,
	};

	if (fi->direct_io)
		arg.open_flags |= FOPEN_DIRECT_IO;
	if (fi->noflush)
		arg.open_flags |= FOPEN_NOFLUSH;
	return fuse_reply_buf(req, (const char *)&arg, sizeof(arg));
}

static void hmfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	/*
	 * A block's or node's key, which hmfs_node_get() finds present: one
	 * removed since makes this open file ENODEV, never the new one's.
	 */
	uint64_t gen = HMFS_INO_KEY(ino);
	struct hmfs_open *of;
	struct hmfs_node n;
	int ret;

	ret = hmfs_node_get(ctx, ino, &n);
	if (!ret)
		ret = open_check(ctx, &n, fi->flags);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	/*
	 * 6.12 kernel/resource.c r_show(): addresses only for an opener
	 * capable of CAP_SYS_ADMIN in the initial user namespace
	 * (file_ns_capable(), the opener's f_cred), zeros for any other
	 * reader: judged here, at the open, by the caller's CapEff as
	 * req_capable() reads it.
	 */
	if (n.attr == A_IOMEM) {
		struct req_caller c = REQ_CALLER(ctx, req);

		n.iomem_no_addrs = !req_capable(&c, CAP_SYS_ADMIN_BIT);
	}
	of = open_file(ctx, &n, gen, fi);
	if (!of) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/*
	 * after a splice's short read, or any open of a procfs file
	 * (splice.c): may_wait() sent this OPEN to a worker
	 */
	if (on_worker(ctx))
		hmfs_splice_open_restore(ctx, ino, &n);
	if (reply_open_file(req, fi) == -ENOENT)
		close_file(ctx, of); /* interrupted: no release will come */
}

/*
 * show() for a read at 0, into the open file: a sysfs attribute's page, or
 * a seq_file's whole text.  Under of->lock.
 */
static int of_render(struct hmfs_ctx *ctx, struct hmfs_open *of)
{
	char *seq = NULL;
	size_t len;
	int ret;

	if (hmfs_attr_is_seq(of->node.attr) || hmfs_attr_is_bin(of->node.attr)) {
		ret = hmfs_show_seq(ctx, &of->node, &seq, &len);
	} else {
		ret = hmfs_show(ctx, &of->node, of->buf, sizeof(of->buf));
		len = (size_t)ret;
	}
	free(of->seq);
	of->seq = seq;
	of->have = ret >= 0;
	if (ret < 0)
		return ret;
	of->len = len;
	hmfs_poll_seen(ctx, of);
	return 0;
}

void hmfs_read_answer(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_open *of = (struct hmfs_open *)(uintptr_t)fi->fh;
	char page[HMFS_PAGE_SIZE + 1], *out = page;
	const char *p;
	size_t n;
	int ret;

	if (hmfs_went(ctx, &of->node, of->gen)) {
		fuse_reply_err(req, ENODEV); /* kernfs_seq_start(): the node went */
		return;
	}
	pthread_mutex_lock(&of->lock); /* seq_read(): mutex_lock(&m->lock) */
	/* seq_file: show() runs for a read at 0; later reads continue it */
	if (off == 0 || !of->have) {
		ret = of_render(ctx, of);
		if (ret < 0) {
			pthread_mutex_unlock(&of->lock);
			fuse_reply_err(req, -ret);
			return;
		}
	}
	n = hmfs_slice(of->seq ? of->seq : of->buf, of->len, off, size, &p);
	/*
	 * Reply from a copy: once the kernel has our bytes the reader may
	 * close, and RELEASE (another thread) frees @of while writev() is
	 * still returning here.
	 */
	if (n > sizeof(page))
		out = malloc(n);
	if (!out) {
		pthread_mutex_unlock(&of->lock);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	memcpy(out, p, n);
	pthread_mutex_unlock(&of->lock);
	fuse_reply_buf(req, out, n);
	if (out != page)
		free(out);
	/*
	 * A short page-cache READ (a splice's) shrank i_size: the next OPEN
	 * puts it back (splice.c), on a worker -- so not for an inode whose
	 * READs a worker serves, which that OPEN might wait for
	 */
	if (n < size && !on_worker(ctx))
		hmfs_splice_read_seen(ctx, ino, fi->lock_owner);
}

static uint64_t serving_unique(const struct hmfs_ctx *ctx);

/* proc/kpageflags, kpagecount: entries at any offset, no text rendered at 0 (kpage.c) */
static void kpage_read_answer(fuse_req_t req, enum hmfs_attr a, size_t size, off_t off)
{
	uint64_t *out;
	ssize_t n = hmfs_kpage_read(req_ctx(req), a, size, off, &out);

	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, (const char *)out, (size_t)n);
	free(out);
}

static bool req_interrupted(void *req);

/*
 * A sysctl handler's work at a read besides the copy (hmfs_show_handler()):
 * 6.12 proc_sys_call_handler() calls it for every read(), at any position
 * -- lowmem_reserve_ratio's alone, so no other file's read pays the call
 */
static void read_handler(fuse_req_t req, const struct hmfs_open *of)
{
	const struct hotmem_task task = { .signal_pending = req_interrupted, .arg = req,
					  .comm = req_comm, .fatal_signal_pending = hmfs_req_fatal_signal };

	if (of->node.attr == A_SYSCTL_LOWMEM_RESERVE_RATIO)
		hmfs_show_handler(req_ctx(req), &of->node, &task);
}

static void hmfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	const struct hmfs_open *of = (const struct hmfs_open *)(uintptr_t)fi->fh;

	if (of->node.attr == A_KPAGEFLAGS || of->node.attr == A_KPAGECOUNT) {
		kpage_read_answer(req, of->node.attr, size, off);
		return;
	}
	read_handler(req, of);
	/*
	 * a /proc/sys file read past its start is at its end: 6.12's
	 * handlers (__do_proc_dointvec(), __do_proc_doulongvec_minmax():
	 * "*ppos && !write") copy nothing there, so a reader taking one byte
	 * at a time sees only the first (sysctl31's note)
	 */
	if (off && hmfs_attr_is_sysctl(of->node.attr)) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	/*
	 * A block's online at a show() (a read at 0) while a change holds the
	 * block's device_lock: answered at the change's end (devlock.c), as
	 * 6.12's online_show() sleeps in device_lock(); every other read now
	 */
	if (of->node.attr == A_B_ONLINE && off == 0 &&
	    hmfs_devlock_defer(ctx, of->node.id, req, ino, size, off, fi, serving_unique(ctx)))
		return;
	hmfs_read_answer(req, ino, size, off, fi);
}


/*
 * Every uncached readdir invalidates the directory's atime
 * (fuse_invalidate_atime() in fuse_readdir_uncached()), so the next stat
 * of that memoryN/ -- glibc's opendir() fstat()s it -- is a GETATTR.
 * lsmem reads each memoryN/ only up to its nodeY link, so those listings
 * are never cached (the kernel completes a listing cache only on an empty
 * reply, fuse_readdir_cache_end()): every lsmem pays one GETATTR a block.
 * A listing of memory/ by READDIRPLUS refreshes all of its blocks'
 * attributes in bulk (fuse_direntplus_link() -> fuse_change_attributes()
 * clears the invalid mask), ~150 blocks a request; but that listing is
 * cached too (CACHE_DIR), so nobody reads it again.  So: the first memoryN/
 * listed after memory/ drops memory/'s cached listing, once, and the next
 * scandir of memory/ (lsmem's first step) brings every block's attributes
 * back.  A cache is only dropped, never kept longer: freshness is as before.
 */
static void blocks_atime_note(struct hmfs_ctx *ctx, fuse_ino_t ino, off_t off)
{
	struct hmfs_loop *loop = ctx->loop;
	uint64_t memdir = HMFS_INO(HMFS_C_STATIC, ctx->sn_memory + 1);

	if (!loop || off)
		return;
	if (ino == memdir) {
		__atomic_store_n(&loop->blocks_atime_stale, false, __ATOMIC_RELAXED);
		return;
	}
	if (HMFS_INO_CLASS(ino) != HMFS_C_BLOCK || (HMFS_INO_VAL(ino) & 0xff) != BSUB_DIR ||
	    __atomic_exchange_n(&loop->blocks_atime_stale, true, __ATOMIC_RELAXED))
		return;
	/*
	 * Safe from the session thread: the kernel's notify_inval_inode
	 * (fuse_reverse_inval_inode(), 6.18) takes no i_rwsem of memory/,
	 * only its listing's page-cache pages (invalidate_inode_pages2_range()),
	 * and a reader of memory/ locks those only while it copies from or
	 * into them, never across a request to us: nobody can wait on this
	 * thread while holding them.  (libfuse's "related operation" warning
	 * is about notify_inval_entry/delete, which take the parent's i_rwsem.)
	 */
	fuse_lowlevel_notify_inval_inode(ctx->se, memdir, 0, 0);
}

/*
 * signal_pending(current) for the writer: the kernel sent FUSE_INTERRUPT;
 * or hotmemfs is stopping, which must not wait for a migration to end
 */
static bool req_interrupted(void *req)
{
	if (__atomic_load_n(&req_ctx(req)->stopping, __ATOMIC_ACQUIRE))
		return true;
	return fuse_req_interrupted(req);
}

/* signal @n's bit in /proc/PID/status's masks */
#define SIGBIT(n) (1ULL << ((n) - 1))
/*
 * The signals whose default action is not to kill (6.12
 * SIG_KERNEL_IGNORE_MASK, SIG_KERNEL_STOP_MASK): sig_fatal() is false
 * for them even without a handler
 */
#define SIG_NOT_FATAL_DFL                                                                   \
	(SIGBIT(SIGCONT) | SIGBIT(SIGCHLD) | SIGBIT(SIGWINCH) | SIGBIT(SIGURG) |              \
	 SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

/*
 * fatal_signal_pending() for the writer, asked once its FUSE_INTERRUPT
 * came (a wait that 6.12 restarts, machine.c): after it the kernel's FUSE
 * client waits killable, then uninterruptibly (the request was read:
 * fs/fuse/dev.c request_wait_answer()), and tells hotmemfs nothing more,
 * so its /proc/TID/status says: SIGKILL pending (sent, or a fatal
 * signal's complete_signal() gave it to every thread), or a pending
 * signal (SigPnd, ShdPnd) not blocked, without a handler (SigCgt) nor
 * ignored, whose default action kills -- the process dies as the write
 * returns (a core dump's signal too), as 6.12's writer would at its
 * restart.  Not known (a writer outside our PID namespace, its /proc
 * unreadable): fatal, so that no signal ever leaves it waiting; hotmemfs
 * stopping too.
 */
bool hmfs_req_fatal_signal(void *req)
{
	static const char *const masks[] = { "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt" };
	unsigned long long v[5], pending;
	long pid = fuse_req_ctx(req)->pid;

	if (__atomic_load_n(&req_ctx(req)->stopping, __ATOMIC_ACQUIRE))
		return true;
	if (pid <= 0 || proc_status_hex(pid, masks, v, 5))
		return true;
	pending = v[0] | v[1];
	if (pending & SIGBIT(SIGKILL))
		return true;
	return (pending & ~(v[2] | v[3] | v[4] | SIG_NOT_FATAL_DFL)) != 0;
}

/*
 * A write's -errno as its writer gets it.  An offline that hotmemfs's stop
 * ended (req_interrupted()) fails -EINTR, as 6.12's offline_pages() at
 * signal_pending() ("signal backoff"), and the log says so; but the writer
 * had no signal, and EINTR with none pending tells it to write again
 * (glibc's callers, Python's PEP 475 do), into a session that no longer
 * reads: ECONNABORTED at the unmount (abuse24 A5).  The kernel has no such
 * case -- it does not go away under a writer; at a shutdown the writer is
 * signalled first, and gets EINTR from its own signal -- so the writer is
 * told what every request after it gets from FUSE, the mount going away:
 * -ENOTCONN (fs/fuse/dev.c fuse_get_req() once the connection is gone,
 * 6.12), which nobody retries.  A writer's own FUSE_INTERRUPT keeps EINTR.
 */
static ssize_t write_errno(fuse_req_t req, ssize_t ret)
{
	if (ret == -EINTR && !fuse_req_interrupted(req) &&
	    __atomic_load_n(&req_ctx(req)->stopping, __ATOMIC_ACQUIRE))
		return -ENOTCONN;
	return ret;
}

/* the unique of the request this thread serves, 0: not known (serve_buf()) */
static uint64_t serving_unique(const struct hmfs_ctx *ctx)
{
	const struct fuse_in_header *in = ctx->loop ? pthread_getspecific(ctx->loop->serving) : NULL;

	return in ? in->unique : 0;
}

/* a sysctl write of @size bytes past the file's start (hmfs_store_past_start()) */
static void write_past_start(fuse_req_t req, struct hmfs_open *of, size_t size,
			     const struct hotmem_task *task)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	const uint64_t before = hmfs_events_queued(ctx);
	const ssize_t ret = write_errno(req, hmfs_store_past_start(ctx, &of->node, size, task));

	if (of->append && ret >= 0)
		__atomic_add_fetch(&of->wpos, size, __ATOMIC_RELAXED);
	hmfs_reply_write_after(ctx, req, serving_unique(ctx), before, ret < 0 ? (int)-ret : 0,
			       ret < 0 ? 0 : size);
}

static void hmfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	const struct hotmem_task task = { .signal_pending = req_interrupted, .arg = req,
					  .comm = req_comm, .fatal_signal_pending = hmfs_req_fatal_signal };
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_open *of = (struct hmfs_open *)(uintptr_t)fi->fh;
	char tmp[HMFS_PAGE_SIZE + 1];
	uint64_t before;
	size_t count;
	ssize_t ret;

	(void)ino;
	if (!size) {
		fuse_reply_write(req, 0);
		return;
	}
	/*
	 * sysfs_kf_write() ignores the position; a sysctl's parser takes a
	 * write past the start whole and stores nothing: the rest of one
	 * whose start it took only part of (sysctl_writes_strict) -- but its
	 * handler still does what it does after the parser's 0
	 */
	if (hmfs_attr_is_sysctl(of->node.attr) &&
	    (of->append ? __atomic_load_n(&of->wpos, __ATOMIC_RELAXED) : (uint64_t)off)) {
		write_past_start(req, of, size, &task);
		return;
	}
	/*
	 * kernfs_fop_write_iter(): the node went.  A removal racing this
	 * check is the store's to meet (its block is gone: ENODEV), but
	 * not a removal and a new block of that number both within it.
	 */
	if (hmfs_went(ctx, &of->node, of->gen)) {
		fuse_reply_err(req, (int)-hmfs_store_gone(ctx, &of->node));
		return;
	}
	/* capable(CAP_SYS_ADMIN) before the store parses anything; the mode is root's to change */
	if (hmfs_store_needs_admin(&of->node)) {
		struct req_caller c = REQ_CALLER(ctx, req);

		if (!req_capable(&c, CAP_SYS_ADMIN_BIT)) {
			fuse_reply_err(req, EPERM);
			return;
		}
	}
	count = hmfs_write_buf(tmp, buf, size);
	/*
	 * A sysctl's write is not cut at PAGE_SIZE: 6.12's
	 * proc_sys_call_handler() hands its handler all of it, which reads
	 * PAGE_SIZE - 1 bytes (__do_proc_dointvec(): "left = PAGE_SIZE - 1",
	 * all @tmp holds) and answers the whole count less what it left
	 * ("*lenp -= left"): 5000 bytes of "5" and spaces are answered 5000.
	 */
	if (hmfs_attr_is_sysctl(of->node.attr))
		count = size;
	before = hmfs_events_queued(ctx);
	/* a store that changes the machine has saved it (hmfs_change()) */
	ret = write_errno(req, hmfs_store_task(ctx, &of->node, tmp, count, &task));
	/*
	 * The reply once the notifier has told the kernel's caches what the
	 * store changed and sent its uevents, as kernfs has both done when a
	 * store returns; this thread goes back to the queue meanwhile
	 * (events.c: why it must not wait, and why nothing deadlocks).
	 */
	if (of->append && ret >= 0)
		__atomic_add_fetch(&of->wpos, hmfs_store_claims(&of->node, size, (size_t)ret),
				   __ATOMIC_RELAXED);
	hmfs_reply_write_after(ctx, req, serving_unique(ctx), before, ret < 0 ? (int)-ret : 0,
			       ret < 0 ? 0 : hmfs_store_claims(&of->node, size, (size_t)ret));
}

/*
 * a static node that may read the engine under device_hotplug_lock (see
 * above), or holds one; or vm.lowmem_reserve_ratio, whose read may set
 * the reserves up (read_handler()): a record's sync, or change_lock with
 * no journal, never on the thread that answers the rest
 */
static bool static_may_wait(const struct hmfs_ctx *ctx, int i)
{
	const struct hmfs_snode *sn = &ctx->snodes[i];

	if (sn->dyn == DYN_FWMAP || sn->attr == A_IOMEM || sn->attr == A_SYSCTL_LOWMEM_RESERVE_RATIO)
		return true;
	for (int c = sn->first_child; c >= 0; c = ctx->snodes[c].next_sibling)
		if (ctx->snodes[c].dyn == DYN_FWMAP)
			return true; /* a lookup or listing of firmware/ stats memmap/ */
	return false;
}

/* static_may_wait() of every static node, once: the tree's shape is fixed */
static bool *static_waits(const struct hmfs_ctx *ctx)
{
	bool *w = calloc((size_t)ctx->nr_snodes + 1, sizeof(*w));

	for (int i = 0; w && i < ctx->nr_snodes; i++)
		w[i + 1] = static_may_wait(ctx, i);
	return w;
}

/* does this request go to a worker? */
static bool may_wait(const struct hmfs_loop *loop, const struct fuse_buf *fbuf, ssize_t len)
{
	const struct fuse_in_header *in = fbuf->mem;
	uint64_t ino, v;

	if ((fbuf->flags & FUSE_BUF_IS_FD) || len < (ssize_t)sizeof(*in))
		return false;
	/* a change of the machine waits for change_lock, which an offline holds */
	if (in->opcode == FUSE_WRITE || in->opcode == FUSE_SETATTR || in->opcode == FUSE_SETXATTR ||
	    in->opcode == FUSE_REMOVEXATTR)
		return true;
	ino = in->nodeid == FUSE_ROOT_ID ? HMFS_INO(HMFS_C_STATIC, 1) : in->nodeid;
	if (HMFS_INO_CLASS(ino) == HMFS_C_FWMAP)
		return true;
	/* its notify_store may wait for a page-cache READ of the file (splice.c; every procfs file's) */
	if (in->opcode == FUSE_OPEN && hmfs_splice_open_pending(loop->ctx, ino))
		return true;
	v = HMFS_INO_VAL(ino);
	return HMFS_INO_CLASS(ino) == HMFS_C_STATIC && v >= 1 &&
	       v <= (uint64_t)loop->ctx->nr_snodes && loop->static_waits[v];
}

/* include/uapi/linux/fuse.h's opcodes, for status */
static const char *const fuse_opcode_names[HMFS_FUSE_OPS] = {
	[FUSE_LOOKUP] = "LOOKUP",	    [FUSE_FORGET] = "FORGET",
	[FUSE_GETATTR] = "GETATTR",	    [FUSE_SETATTR] = "SETATTR",
	[FUSE_READLINK] = "READLINK",	    [FUSE_SYMLINK] = "SYMLINK",
	[FUSE_MKNOD] = "MKNOD",		    [FUSE_MKDIR] = "MKDIR",
	[FUSE_UNLINK] = "UNLINK",	    [FUSE_RMDIR] = "RMDIR",
	[FUSE_RENAME] = "RENAME",	    [FUSE_LINK] = "LINK",
	[FUSE_OPEN] = "OPEN",		    [FUSE_READ] = "READ",
	[FUSE_WRITE] = "WRITE",		    [FUSE_STATFS] = "STATFS",
	[FUSE_RELEASE] = "RELEASE",	    [FUSE_FSYNC] = "FSYNC",
	[FUSE_SETXATTR] = "SETXATTR",	    [FUSE_GETXATTR] = "GETXATTR",
	[FUSE_LISTXATTR] = "LISTXATTR",	    [FUSE_REMOVEXATTR] = "REMOVEXATTR",
	[FUSE_FLUSH] = "FLUSH",		    [FUSE_INIT] = "INIT",
	[FUSE_OPENDIR] = "OPENDIR",	    [FUSE_READDIR] = "READDIR",
	[FUSE_RELEASEDIR] = "RELEASEDIR",   [FUSE_FSYNCDIR] = "FSYNCDIR",
	[FUSE_GETLK] = "GETLK",		    [FUSE_SETLK] = "SETLK",
	[FUSE_SETLKW] = "SETLKW",	    [FUSE_ACCESS] = "ACCESS",
	[FUSE_CREATE] = "CREATE",	    [FUSE_INTERRUPT] = "INTERRUPT",
	[FUSE_BMAP] = "BMAP",		    [FUSE_DESTROY] = "DESTROY",
	[FUSE_IOCTL] = "IOCTL",		    [FUSE_POLL] = "POLL",
	[FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY", [FUSE_BATCH_FORGET] = "BATCH_FORGET",
	[FUSE_FALLOCATE] = "FALLOCATE",	    [FUSE_READDIRPLUS] = "READDIRPLUS",
	[FUSE_RENAME2] = "RENAME2",	    [FUSE_LSEEK] = "LSEEK",
};

/* one more request of its opcode: the session loop's, or a ring queue thread's (atomic) */
static void count_request(struct hmfs_ctx *ctx, const struct fuse_buf *fbuf, ssize_t len)
{
	const struct fuse_in_header *in = fbuf->mem;
	unsigned int op = 0;

	if (!(fbuf->flags & FUSE_BUF_IS_FD) && len >= (ssize_t)sizeof(*in) &&
	    in->opcode < HMFS_FUSE_OPS)
		op = in->opcode;
	__atomic_add_fetch(&ctx->fuse_requests[op], 1, __ATOMIC_RELAXED);
}

/* NULL: no memory, every add checked (status is refused then: ctl.c status_json(), ctlnomem44) */
struct json_object *hmfs_fuse_requests_json(struct hmfs_ctx *ctx)
{
	json_object *o = json_object_new_object(), *by = json_object_new_object();
	unsigned long all = 0;
	char transport[192];
	bool ok = o && by;

	for (unsigned int op = 0; ok && op < HMFS_FUSE_OPS; op++) {
		unsigned long n = __atomic_load_n(&ctx->fuse_requests[op], __ATOMIC_RELAXED);
		char other[16];

		if (!n)
			continue;
		all += n;
		snprintf(other, sizeof(other), op ? "%u" : "other", op);
		ok = hmfs_json_add_new(by, op && fuse_opcode_names[op] ? fuse_opcode_names[op] : other,
				       json_object_new_uint64(n));
	}
	ok = ok && hmfs_json_add_new(o, "requests", json_object_new_uint64(all)) &&
	     /* OPENs that put a spliced file's i_size back (splice.c): 0 for read(2) readers */
	     hmfs_json_add_new(o, "splice-size-restores",
			       json_object_new_uint64(__atomic_load_n(&ctx->splice_restores,
								      __ATOMIC_RELAXED))) &&
	     /* requests served by a worker, not the thread that received them (fs.c may_wait()) */
	     hmfs_json_add_new(o, "to-workers",
			       json_object_new_uint64(__atomic_load_n(&ctx->fuse_to_workers,
								      __ATOMIC_RELAXED)));
	if (ok)
		ok = hmfs_json_add_new(o, "by-opcode", by); /* @by put if not added */
	else
		json_object_put(by);
	/* /dev/fuse, or --io-uring's ring and how many of them came through it */
	ok = ok && hmfs_json_add_new(o, "transport",
				     json_object_new_string(hmfs_uring_describe(
					     ctx->uring, transport, sizeof(transport))));
	if (ok && ctx->uring)
		ok = hmfs_json_add_new(o, "io-uring-requests",
				       json_object_new_uint64(hmfs_uring_requests(ctx->uring))) &&
		     /* writes that replied before the notifier was done: their queue had no entry to spare */
		     hmfs_json_add_new(o, "io-uring-unheld-writes",
				       json_object_new_uint64(hmfs_uring_unheld(ctx->uring)));
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

/* fuse_session_process_buf(), its request known to this thread meanwhile (serving_unique()) */
static void serve_buf(struct hmfs_loop *loop, const struct fuse_buf *buf)
{
	pthread_setspecific(loop->serving, buf->mem);
	fuse_session_process_buf(loop->ctx->se, buf);
	pthread_setspecific(loop->serving, NULL);
}

static void *request_worker(void *arg)
{
	struct hmfs_loop *loop = arg;
	struct hmfs_wjob *job;

	pthread_setspecific(loop->worker, loop); /* on_worker() */
	pthread_mutex_lock(&loop->lock);
	for (;;) {
		while (!loop->head && !loop->stop)
			pthread_cond_wait(&loop->cond, &loop->lock);
		job = loop->head;
		if (!job)
			break; /* stopping, queue drained */
		loop->head = job->next;
		if (!loop->head)
			loop->tail = &loop->head;
		pthread_mutex_unlock(&loop->lock);
		serve_buf(loop, &job->buf);
		free(job);
		pthread_mutex_lock(&loop->lock);
	}
	pthread_mutex_unlock(&loop->lock);
	return NULL;
}

/* hand the request in @fbuf to the workers; false: answer it here */
static bool queue_request(struct hmfs_loop *loop, const struct fuse_buf *fbuf, size_t len)
{
	struct hmfs_wjob *job = malloc(sizeof(*job) + len);

	if (!job)
		return false;
	job->next = NULL;
	job->buf = (struct fuse_buf){ .size = len, .mem = job + 1 };
	memcpy(job + 1, fbuf->mem, len);
	pthread_mutex_lock(&loop->lock);
	*loop->tail = job;
	loop->tail = &job->next;
	pthread_mutex_unlock(&loop->lock);
	/* status: each hand-off is a second wake-up the request pays (tests/fusefs/485) */
	__atomic_add_fetch(&loop->ctx->fuse_to_workers, 1, __ATOMIC_RELAXED);
	/*
	 * After the unlock: a worker woken while we still hold the lock
	 * blocks on it at once (glibc's condvar retakes the mutex in the
	 * waiter), a second sleep and wake-up for every request.  The job is
	 * queued under the lock, so no wake-up can be lost.
	 */
	pthread_cond_signal(&loop->cond);
	return true;
}

static void loop_stop_workers(struct hmfs_loop *loop, unsigned int started)
{
	pthread_mutex_lock(&loop->lock);
	__atomic_store_n(&loop->stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&loop->cond);
	pthread_mutex_unlock(&loop->lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(loop->workers[i], NULL);
}

/*
 * --io-uring: a request from the ring, on the queue thread of its
 * reader's CPU, served as the loop serves one: there, or handed whole to
 * the workers.  The loop is there for every call: hmfs_session_loop()
 * sets ctx->loop before it reads INIT, which starts the queues, and holds
 * the ring (hmfs_uring_hold()) before it goes.
 */
static void ring_request(void *arg, const struct fuse_buf *fbuf)
{
	struct hmfs_ctx *ctx = arg;
	struct hmfs_loop *loop = ctx->loop;
	ssize_t len = (ssize_t)fbuf->size;

	count_request(ctx, fbuf, len);
	if (!may_wait(loop, fbuf, len) || !queue_request(loop, fbuf, fbuf->size))
		serve_buf(loop, fbuf);
}

/* the session's custom io: libfuse hands it the session's userdata, the ctx */
static ssize_t ring_io_read(int fd, void *buf, size_t len, void *userdata)
{
	struct hmfs_uring *ur = ((struct hmfs_ctx *)userdata)->uring;

	return ur ? hmfs_uring_read(ur, fd, buf, len) : read(fd, buf, len);
}

static ssize_t ring_io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct hmfs_uring *ur = ((struct hmfs_ctx *)userdata)->uring;

	return ur ? hmfs_uring_writev(ur, fd, iov, count) : writev(fd, iov, count);
}

/*
 * Entries per queue: the requests of one CPU's readers hotmemfs may hold
 * at once -- stores waiting in the workers, write replies held for the
 * notifier (events.c), polls and reads.  One more waits in the kernel for
 * an entry to come back (6.18 takes the reader's CPU's queue, no other).
 * A held write reply waits for the notifier, which may wait for a lookup
 * parked on that queue: so at most 63 of a queue's replies are held
 * (hmfs_uring_may_hold()), a 64th write from that CPU replies before its
 * events are out, as when its hold cannot be allocated.  An entry's
 * payload is max_write (1 MiB with libfuse 3.14), address space only
 * (MAP_NORESERVE) until a request fills it.
 */
#define HMFS_URING_DEPTH 64

int hmfs_session_uring(struct hmfs_ctx *ctx, struct fuse_session *se)
{
	static const struct fuse_custom_io io = { .read = ring_io_read, .writev = ring_io_writev };

	/* required: a kernel that does not take it at INIT ends the session */
	ctx->uring = hmfs_uring_new(se, true, HMFS_URING_DEPTH, ring_request, ctx);
	if (!ctx->uring)
		return -ENOMEM;
	if (fuse_session_custom_io(se, &io, fuse_session_fd(se))) {
		hmfs_uring_destroy(ctx->uring);
		ctx->uring = NULL;
		return -ENOMEM;
	}
	return 0;
}

void hmfs_session_uring_end(struct hmfs_ctx *ctx)
{
	hmfs_uring_destroy(ctx->uring);
	ctx->uring = NULL;
}

int hmfs_session_loop(struct hmfs_ctx *ctx, unsigned int nr_workers)
{
	struct hmfs_loop loop = { .ctx = ctx, .nr_workers = nr_workers ? nr_workers : 1 };
	struct fuse_session *se = ctx->se;
	struct fuse_buf fbuf = { .mem = NULL };
	unsigned int started = 0;
	int res = 0;

	loop.tail = &loop.head;
	pthread_mutex_init(&loop.lock, NULL);
	if (stat("/proc/self/ns/user", &loop.userns))
		loop.userns.st_ino = 0; /* read per request then (req_same_userns()) */
	pthread_cond_init(&loop.cond, NULL);
	loop.workers = calloc(loop.nr_workers, sizeof(*loop.workers));
	loop.static_waits = static_waits(ctx);
	if (!loop.workers || !loop.static_waits) {
		res = -ENOMEM;
		goto out;
	}
	res = -pthread_key_create(&loop.serving, NULL);
	if (res)
		goto out;
	res = -pthread_key_create(&loop.worker, NULL);
	if (res)
		goto out_serving;
	for (; started < loop.nr_workers; started++) {
		res = -pthread_create(&loop.workers[started], NULL, request_worker, &loop);
		if (res)
			goto out_stop;
	}
	ctx->loop = &loop;
	/* fuse_session_loop(), with the workers beside it */
	while (!fuse_session_exited(se)) {
		res = fuse_session_receive_buf(se, &fbuf);
		if (res == -EINTR)
			continue;
		if (res <= 0)
			break;
		count_request(ctx, &fbuf, res);
		if (!may_wait(&loop, &fbuf, res) || !queue_request(&loop, &fbuf, (size_t)res))
			fuse_session_process_buf(se, &fbuf);
	}
	free(fbuf.mem);
	if (res > 0)
		res = 0;
out_stop:
	/*
	 * an offline under way (a store's, a control command's) ends: the join
	 * waits for it.  First: a queue thread serving a store itself (its
	 * hand-over to a worker failed) holds its serve_lock until that store
	 * ends, and hmfs_uring_hold() takes that lock
	 */
	__atomic_store_n(&ctx->stopping, true, __ATOMIC_RELEASE);
	/* the ring's requests wait for the unmount from now on, as /dev/fuse's do */
	if (ctx->uring)
		hmfs_uring_hold(ctx->uring);
	loop_stop_workers(&loop, started);
	fuse_session_reset(se);
	ctx->loop = NULL;
	pthread_key_delete(loop.worker);
out_serving:
	pthread_key_delete(loop.serving);
out:
	free(loop.static_waits);
	free(loop.workers);
	pthread_cond_destroy(&loop.cond);
	pthread_mutex_destroy(&loop.lock);
	return res;
}

static void poll_unlist(struct hmfs_ctx *ctx, struct hmfs_open *of)
{
	if (!of->listed)
		return;
	if (of->prev)
		of->prev->next = of->next;
	else
		ctx->polled = of->next;
	if (of->next)
		of->next->prev = of->prev;
	of->listed = false;
}

/* the open file's end: its RELEASE, an open whose reply found nobody, teardown */
static void close_file(struct hmfs_ctx *ctx, struct hmfs_open *of)
{
	pthread_mutex_lock(&ctx->poll_lock);
	poll_unlist(ctx, of);
	if (of->ph)
		fuse_pollhandle_destroy(of->ph);
	if (of->o_prev)
		of->o_prev->o_next = of->o_next;
	else
		ctx->opened = of->o_next;
	if (of->o_next)
		of->o_next->o_prev = of->o_prev;
	pthread_mutex_unlock(&ctx->poll_lock);
	free(of->seq);
	free(of);
}

/* after the session: no request will come for them */
void hmfs_open_files_free(struct hmfs_ctx *ctx)
{
	while (ctx->opened)
		close_file(ctx, ctx->opened);
}

/*
 * kernfs_generic_poll() is kernfs's alone.  The others answer
 * DEFAULT_POLLMASK: a procfs file (proc_reg_poll() without a poll op),
 * a sysctl (proc_sys_poll() without table->poll), and a debugfs
 * simple_attr -- notifier-error-inject's error files: 6.12
 * __full_proxy_fops_init() gives the proxy no ->poll when the
 * attribute's fops have none, and vfs_poll() answers the default.
 */
static bool kernfs_polls(enum hmfs_attr a)
{
	return !hmfs_attr_is_seq(a) && a != A_INJ_GOING_ONLINE && a != A_INJ_GOING_OFFLINE;
}

/* kernfs_generic_poll(): changed since our last read => PRI|ERR */
static void hmfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		      struct fuse_pollhandle *ph)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_open *of = (struct hmfs_open *)(uintptr_t)fi->fh;
	unsigned revents = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

	(void)ino;
	/* kernfs_fop_poll(): a node that went is DEFAULT_POLLMASK|EPOLLERR|EPOLLPRI */
	if (hmfs_went(ctx, &of->node, of->gen))
		revents |= POLLERR | POLLPRI;
	pthread_mutex_lock(&ctx->poll_lock);
	if (kernfs_polls(of->node.attr) && of->event != hmfs_evtab_get_locked(ctx, of->ino))
		revents |= POLLERR | POLLPRI;
	if (ph) {
		if (of->ph)
			fuse_pollhandle_destroy(of->ph);
		of->ph = ph;
		if (!of->listed) {
			of->prev = NULL;
			of->next = ctx->polled;
			if (ctx->polled)
				ctx->polled->prev = of;
			ctx->polled = of;
			of->listed = true;
		}
	}
	pthread_mutex_unlock(&ctx->poll_lock);
	fuse_reply_poll(req, revents);
}

static void hmfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_open *of = (struct hmfs_open *)(uintptr_t)fi->fh;

	(void)ino;
	close_file(ctx, of);
	fuse_reply_err(req, 0);
}

/* kernfs: creating files is EACCES, directories and the rest EPERM. */
static void hmfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			struct fuse_file_info *fi)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct fuse_entry_param e;
	struct hmfs_open *of;
	struct hmfs_node n;
	int ret;

	/*
	 * The block's or node's key, as hmfs_open() reads it: the parent is
	 * its directory (or one below it), whose key its files share, and
	 * the lookup finds it present; one removed since makes this file
	 * ENODEV.
	 */
	uint64_t gen = HMFS_INO_KEY(parent);

	(void)mode;
	/* O_CREAT on an existing attribute is an ordinary open */
	ret = hmfs_lookup_child(ctx, parent, name, &n);
	if (ret || !S_ISREG(n.mode) || (fi->flags & O_EXCL)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	ret = open_check(ctx, &n, fi->flags);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	of = open_file(ctx, &n, gen, fi);
	if (!of) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fill_entry(ctx, &n, &e);
	if (fuse_reply_create(req, &e, fi) == -ENOENT)
		close_file(ctx, of);
}

/*
 * The error of a change to directory @dir's names (mknod, mkdir, unlink,
 * rmdir, symlink, rename, link): kernfs's and procfs's directories have
 * no such inode op, -EPERM once root's permission passed (vfs_mknod():
 * mkfifo, bind(AF_UNIX), ...).  A /proc/sys directory's permission does
 * not pass: 6.12 proc_sys_permission() -- "sysctl entries that are not
 * writeable, are _NOT_ writeable, capabilities or not": 0555 tables,
 * /proc/sys itself r-xr-xr-x -- so may_create() and may_delete() answer
 * -EACCES before the op is looked for (as hmfs_create()'s EACCES).
 */
static int names_change_err(fuse_req_t req, fuse_ino_t dir)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;

	if (!hmfs_node_get(ctx, dir, &n) && hmfs_node_in_proc_sys(ctx, &n))
		return EACCES;
	return EPERM;
}

static void hmfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, names_change_err(req, parent));
}

static void hmfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)name;
	(void)mode;
	fuse_reply_err(req, names_change_err(req, parent));
}

/* unlink and rmdir: may_delete() */
static void hmfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)name;
	fuse_reply_err(req, names_change_err(req, parent));
}

static void hmfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link;
	(void)name;
	fuse_reply_err(req, names_change_err(req, parent));
}

/* vfs_rename(): may_delete() of the old directory, then may_create()/may_delete() of the new */
static void hmfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
			const char *newname, unsigned int flags)
{
	int err = names_change_err(req, parent);

	(void)name;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, err == EPERM ? names_change_err(req, newparent) : err);
}

/* vfs_link(): may_create() of the new name's directory */
static void hmfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino;
	(void)newname;
	fuse_reply_err(req, names_change_err(req, newparent));
}

/*
 * ---- extended attributes: kernfs_iop_listxattr() and kernfs_xattr_handlers
 * They work on inode->i_private, the kernfs_node, with no active reference
 * (kernfs_vfs_xattr_set()/_get(), kernfs_iop_listxattr(); fs/kernfs/inode.c
 * 6.12 to 6.18): through an inode held across its node's removal they
 * answer as before it, on the orphan's xattrs (iattr.c orphan_adopt()).
 */

static void hmfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			  size_t size, int flags)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;
	int ret = hmfs_node_get_held(ctx, ino, &n);

	if (!ret && hmfs_node_no_xattrs(ctx, &n))
		ret = -EOPNOTSUPP; /* procfs, debugfs: no handler for any name */
	else if (!ret)
		ret = hmfs_xattr_set(ctx, &n, name, value, size, flags);
	fuse_reply_err(req, -ret);
}

/*
 * getxattr (@name) and listxattr (@name NULL): the size needed when asked
 * with @size 0, else the bytes.  simple_xattr_list() lists trusted.* names
 * only for ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN) (fs/xattr.c,
 * 6.12): the capability, not uid 0 (a getxattr of one the VFS has checked,
 * xattr_permission()).
 */
/*
 * The names, trusted.* ones for CAP_SYS_ADMIN: the capability (/proc) is
 * asked only when such a name is there -- nearly never, and listxattr is
 * per file in cp -a, rsync -X, tar --xattrs and ls -l (review7 #2)
 */
static ssize_t xattr_list(fuse_req_t req, struct hmfs_ctx *ctx, const struct hmfs_node *n,
			  char *buf, size_t size)
{
	struct req_caller c = REQ_CALLER(ctx, req);
	bool hid;
	ssize_t ret = hmfs_xattr_list(ctx, n, false, buf, size, &hid);

	if (hid && req_capable(&c, CAP_SYS_ADMIN_BIT))
		ret = hmfs_xattr_list(ctx, n, true, buf, size, &hid);
	return ret;
}

static void xattr_read(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct hmfs_ctx *ctx = req_ctx(req);
	struct hmfs_node n;
	ssize_t ret = hmfs_node_get_held(ctx, ino, &n);
	char *buf = NULL;

	if (!ret && size && !(buf = malloc(size)))
		ret = -ENOMEM;
	/* procfs, debugfs: no handler for any name, nothing to list (no LSM's) */
	if (!ret && hmfs_node_no_xattrs(ctx, &n))
		ret = name ? -EOPNOTSUPP : 0;
	else if (!ret && name)
		ret = hmfs_xattr_get(ctx, &n, name, buf, size);
	else if (!ret)
		ret = xattr_list(req, ctx, &n, buf, size);
	if (ret < 0)
		fuse_reply_err(req, (int)-ret);
	else if (!size)
		fuse_reply_xattr(req, (size_t)ret);
	else
		fuse_reply_buf(req, buf, (size_t)ret);
	free(buf);
}

static void hmfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	xattr_read(req, ino, name, size);
}

static void hmfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	xattr_read(req, ino, NULL, size);
}

/* __vfs_removexattr(): the handler's set with no value and XATTR_REPLACE */
static void hmfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	hmfs_setxattr(req, ino, name, NULL, 0, XATTR_REPLACE);
}

/*
 * FORGET: no lookup counts are kept, kernfs nodes live on without the
 * kernel's inodes; only a spliced inode's record goes (splice.c)
 */
static void hmfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	(void)nlookup;
	hmfs_splice_forget(req_ctx(req), ino);
	fuse_reply_none(req);
}

static void hmfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		hmfs_splice_forget(req_ctx(req), forgets[i].ino);
	fuse_reply_none(req);
}

const struct fuse_lowlevel_ops hmfs_ops = {
	.init = hmfs_init,
	.lookup = hmfs_lookup,
	.forget = hmfs_forget,
	.forget_multi = hmfs_forget_multi,
	.getattr = hmfs_getattr,
	.setattr = hmfs_setattr,
	.readlink = hmfs_readlink,
	.opendir = hmfs_opendir,
	.readdir = hmfs_readdir_op,
	.readdirplus = hmfs_readdirplus,
	.open = hmfs_open,
	.read = hmfs_read,
	.write = hmfs_write,
	.poll = hmfs_poll,
	.release = hmfs_release,
	.create = hmfs_create,
	.mknod = hmfs_mknod,
	.mkdir = hmfs_mkdir,
	.unlink = hmfs_unlink,
	.rmdir = hmfs_unlink,
	.symlink = hmfs_symlink,
	.rename = hmfs_rename,
	.link = hmfs_link,
	.setxattr = hmfs_setxattr,
	.getxattr = hmfs_getxattr,
	.listxattr = hmfs_listxattr,
	.removexattr = hmfs_removexattr,
};
