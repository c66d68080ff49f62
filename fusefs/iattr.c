// SPDX-License-Identifier: GPL-2.0
/*
 * What kernfs keeps per node beyond what the tree gives it
 * (struct kernfs_iattrs, fs/kernfs/inode.c, 6.12): the mode and owner root
 * set with chmod/chown, and the extended attributes set through the
 * trusted.* and security.* handlers.  Plus one device setting that lives
 * as long as the device does: power/control's "on" (pm_runtime_forbid(),
 * dev->power.runtime_auto cleared), kept with the control file's inode so
 * that it goes when the memory block goes and a re-added block reads
 * "auto" again.
 *
 * Entries are created on first change only; an untouched tree costs one
 * counter test per stat.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "hmfs.h"

#ifndef XATTR_TRUSTED_PREFIX /* <linux/xattr.h>, which clashes with <sys/xattr.h> */
#define XATTR_SECURITY_PREFIX "security."
#define XATTR_TRUSTED_PREFIX "trusted."
#define XATTR_USER_PREFIX "user."
#endif

struct hmfs_xattr { /* struct simple_xattr */
	struct hmfs_xattr *next;
	char *name;
	size_t size;
	char value[];
};

struct hmfs_iattr {
	uint64_t ino;
	bool chmod; /* kernfs_setattr() ran: mode/uid/gid replace the tree's */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool runtime_forbidden; /* power/control: "on" */
	struct hmfs_xattr *xattrs;
	struct hmfs_iattr *next;
};

/*
 * The unlocked "nothing kept at all" test of the hot paths (stat, reads of
 * power/control); entries change under iattr_lock.
 */
static bool iattr_any(struct hmfs_ctx *ctx)
{
	return __atomic_load_n(&ctx->nr_iattr, __ATOMIC_RELAXED) != 0;
}

/*
 * The memory block an inode belongs to (memoryN and below, and the links
 * to it), or -1: what goes when the block goes.
 */
static long iattr_block(uint64_t ino)
{
	uint64_t v = HMFS_INO_VAL(ino);

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_BLOCK:
		return (long)HMFS_BLOCK_KEY_ID(v >> 8);
	case HMFS_C_BUSLINK:
		return (long)v;
	case HMFS_C_NODELINK:
		return (long)(v & ((1ULL << 48) - 1));
	default:
		return -1;
	}
}

static unsigned iattr_hash_key(uint64_t key)
{
	return (unsigned)((key * 0x9E3779B97F4A7C15ULL) >> 54) % HMFS_IATTR_BUCKETS;
}

/*
 * A block's entries hash by the block, so that its removal walks one
 * chain (hmfs_forget_block_attrs()), not the table.
 */
static unsigned iattr_hash(uint64_t ino)
{
	long id = iattr_block(ino);

	return iattr_hash_key(id >= 0 ? (uint64_t)id : ino);
}

static struct hmfs_iattr *iattr_find(struct hmfs_ctx *ctx, uint64_t ino)
{
	for (struct hmfs_iattr *a = ctx->iattr[iattr_hash(ino)]; a; a = a->next)
		if (a->ino == ino)
			return a;
	return NULL;
}

/* kernfs_iattrs(): find or make, under iattr_lock */
static struct hmfs_iattr *iattr_get(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hmfs_iattr *a = iattr_find(ctx, ino);

	if (a)
		return a;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->ino = ino;
	a->next = ctx->iattr[iattr_hash(ino)];
	ctx->iattr[iattr_hash(ino)] = a;
	__atomic_add_fetch(&ctx->nr_iattr, 1, __ATOMIC_RELAXED);
	return a;
}

static void iattr_free(struct hmfs_iattr *a)
{
	while (a->xattrs) {
		struct hmfs_xattr *x = a->xattrs;

		a->xattrs = x->next;
		free(x->name);
		free(x);
	}
	free(a);
}

void hmfs_iattr_free_all(struct hmfs_ctx *ctx)
{
	for (int i = 0; i < HMFS_IATTR_BUCKETS; i++) {
		while (ctx->iattr[i]) {
			struct hmfs_iattr *a = ctx->iattr[i];

			ctx->iattr[i] = a->next;
			iattr_free(a);
		}
	}
	__atomic_store_n(&ctx->nr_iattr, 0, __ATOMIC_RELAXED);
}

int hmfs_setattr_node(struct hmfs_ctx *ctx, const struct hmfs_node *n, const struct stat *attr,
		      int to_set)
{
	struct hmfs_iattr *a;

	pthread_mutex_lock(&ctx->iattr_lock);
	a = iattr_get(ctx, n->ino);
	if (!a) {
		pthread_mutex_unlock(&ctx->iattr_lock);
		return -ENOMEM;
	}
	if (!a->chmod) {
		a->chmod = true;
		a->mode = n->mode;
	}
	if (to_set & FUSE_SET_ATTR_MODE)
		a->mode = (n->mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		a->uid = attr->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		a->gid = attr->st_gid;
	pthread_mutex_unlock(&ctx->iattr_lock);
	return 0;
}

/* A re-added block starts with the kernel's modes, no xattrs, "auto" again. */
void hmfs_forget_block_attrs(struct hmfs_ctx *ctx, unsigned long id)
{
	if (!iattr_any(ctx))
		return;
	pthread_mutex_lock(&ctx->iattr_lock);
	for (struct hmfs_iattr **p = &ctx->iattr[iattr_hash_key(id)]; *p;) {
		struct hmfs_iattr *a = *p;

		if (iattr_block(a->ino) != (long)id) {
			p = &a->next;
			continue;
		}
		*p = a->next;
		iattr_free(a);
		__atomic_sub_fetch(&ctx->nr_iattr, 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&ctx->iattr_lock);
}

void hmfs_iattr_stat(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct stat *st)
{
	struct hmfs_iattr *a;

	if (!iattr_any(ctx))
		return;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = iattr_find(ctx, n->ino);
	if (a && a->chmod) {
		st->st_mode = a->mode;
		st->st_uid = a->uid;
		st->st_gid = a->gid;
	}
	pthread_mutex_unlock(&ctx->iattr_lock);
}

/* ---- power/control ---------------------------------------------------- */

/* control_store(): "on" forbids runtime PM, "auto" allows it again */
int hmfs_pm_runtime_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool forbid)
{
	struct hmfs_iattr *a;
	int ret = 0;

	pthread_mutex_lock(&ctx->iattr_lock);
	a = forbid ? iattr_get(ctx, n->ino) : iattr_find(ctx, n->ino);
	if (a)
		a->runtime_forbidden = forbid;
	else if (forbid)
		ret = -ENOMEM;
	pthread_mutex_unlock(&ctx->iattr_lock);
	return ret;
}

bool hmfs_pm_runtime_forbidden(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	struct hmfs_iattr *a;
	bool forbidden = false;

	if (!iattr_any(ctx))
		return false;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = iattr_find(ctx, n->ino);
	if (a)
		forbidden = a->runtime_forbidden;
	pthread_mutex_unlock(&ctx->iattr_lock);
	return forbidden;
}

/* ---- extended attributes ------------------------------------------------ */

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/*
 * xattr_resolve_name() over kernfs_xattr_handlers: trusted.*, security.*
 * and user.* have handlers, anything else (system.posix_acl_* included:
 * no ACLs on kernfs) is -EOPNOTSUPP.  The VFS has checked trusted.*'s
 * CAP_SYS_ADMIN and the name and size limits before FUSE asks us.
 */
int hmfs_xattr_namespace(const char *name)
{
	if (has_prefix(name, XATTR_TRUSTED_PREFIX) || has_prefix(name, XATTR_SECURITY_PREFIX) ||
	    has_prefix(name, XATTR_USER_PREFIX))
		return 0;
	return -EOPNOTSUPP;
}

/*
 * Where @name is or would go: simple_xattrs are an rbtree by name, so
 * listxattr gives names in strcmp() order.
 */
static struct hmfs_xattr **xattr_slot(struct hmfs_iattr *a, const char *name)
{
	struct hmfs_xattr **p = &a->xattrs;

	while (*p && strcmp((*p)->name, name) < 0)
		p = &(*p)->next;
	return p;
}

static bool xattr_is(const struct hmfs_xattr *x, const char *name)
{
	return x && !strcmp(x->name, name);
}

/* simple_xattr_alloc() */
static struct hmfs_xattr *xattr_alloc(const char *name, const void *value, size_t size)
{
	struct hmfs_xattr *x = malloc(sizeof(*x) + size);

	if (!x)
		return NULL;
	x->name = strdup(name);
	if (!x->name) {
		free(x);
		return NULL;
	}
	x->size = size;
	memcpy(x->value, value, size);
	x->next = NULL;
	return x;
}

/*
 * kernfs_xattr_set() -> simple_xattr_set(): @value NULL removes.  user.*
 * goes through kernfs_vfs_user_xattr_set(), which sysfs's root (no
 * KERNFS_ROOT_SUPPORT_USER_XATTR) refuses.
 */
int hmfs_xattr_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *name,
		   const void *value, size_t size, int flags)
{
	struct hmfs_xattr **slot, *x = NULL;
	struct hmfs_iattr *a;
	int ret = hmfs_xattr_namespace(name);

	if (ret)
		return ret;
	if (has_prefix(name, XATTR_USER_PREFIX))
		return -EOPNOTSUPP;
	if (value) {
		x = xattr_alloc(name, value, size);
		if (!x)
			return -ENOMEM;
	}
	pthread_mutex_lock(&ctx->iattr_lock);
	a = value ? iattr_get(ctx, n->ino) : iattr_find(ctx, n->ino);
	if (!a) {
		ret = value ? -ENOMEM : -ENODATA;
		goto out;
	}
	slot = xattr_slot(a, name);
	if (xattr_is(*slot, name)) {
		struct hmfs_xattr *old = *slot;

		ret = -EEXIST;
		if (flags & XATTR_CREATE)
			goto out;
		if (x) {
			x->next = old->next;
			*slot = x;
			x = NULL;
		} else {
			*slot = old->next;
		}
		free(old->name);
		free(old);
		ret = 0;
	} else {
		ret = -ENODATA;
		if (flags & XATTR_REPLACE)
			goto out;
		if (x) {
			x->next = *slot;
			*slot = x;
			x = NULL;
		}
		ret = 0;
	}
out:
	pthread_mutex_unlock(&ctx->iattr_lock);
	if (x) {
		free(x->name);
		free(x);
	}
	return ret;
}

/* simple_xattr_get(): the size with @size 0, -ERANGE when it does not fit */
ssize_t hmfs_xattr_get(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *name,
		       void *buf, size_t size)
{
	struct hmfs_iattr *a;
	struct hmfs_xattr *x;
	ssize_t ret = hmfs_xattr_namespace(name);

	if (ret)
		return ret;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = iattr_find(ctx, n->ino);
	x = a ? *xattr_slot(a, name) : NULL;
	if (!xattr_is(x, name)) {
		ret = -ENODATA;
	} else if (!size) {
		ret = (ssize_t)x->size;
	} else if (size < x->size) {
		ret = -ERANGE;
	} else {
		memcpy(buf, x->value, x->size);
		ret = (ssize_t)x->size;
	}
	pthread_mutex_unlock(&ctx->iattr_lock);
	return ret;
}

/*
 * simple_xattr_list(): NUL-terminated names; trusted.* only for
 * CAP_SYS_ADMIN (@trusted: the caller is root).
 */
ssize_t hmfs_xattr_list(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool trusted, char *buf,
			size_t size)
{
	struct hmfs_iattr *a;
	size_t need = 0;
	ssize_t ret = 0;

	if (!iattr_any(ctx))
		return 0;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = iattr_find(ctx, n->ino);
	for (struct hmfs_xattr *x = a ? a->xattrs : NULL; x; x = x->next) {
		size_t len = strlen(x->name) + 1;

		if (!trusted && has_prefix(x->name, XATTR_TRUSTED_PREFIX))
			continue;
		if (size) {
			if (need + len > size) {
				ret = -ERANGE;
				break;
			}
			memcpy(buf + need, x->name, len);
		}
		need += len;
	}
	pthread_mutex_unlock(&ctx->iattr_lock);
	return ret ? ret : (ssize_t)need;
}
