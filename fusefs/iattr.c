// SPDX-License-Identifier: GPL-2.0
/*
 * What kernfs keeps per node beyond what the tree gives it
 * (struct kernfs_iattrs, fs/kernfs/inode.c, 6.12): the mode and owner root
 * set with chmod/chown, the times (touch), and the extended attributes
 * set through the trusted.* and security.* handlers.  Plus two device
 * settings that live as long as the device does: power/control's "on"
 * (pm_runtime_forbid(), dev->power.runtime_auto cleared) and, with
 * CONFIG_PM_ADVANCED_DEBUG, power/async's "enabled"
 * (device_enable_async_suspend()), each kept with its file's inode so
 * that it goes when the memory block goes and a re-added block reads
 * "auto" and "disabled" again.
 *
 * Each of them is a change of the machine (hmfs_change(), HMFS_CH_IATTR):
 * the state file keeps them by path ("iattrs", hmfs_iattr_json()), so
 * that they survive kill -9 as every acknowledged change does.  All but
 * a truncate's times (struct iattr_trunc): kept in memory alone.
 *
 * Entries are created on first change only; an untouched tree costs one
 * counter test per stat.  A removal hands its nodes' entries to the
 * orphans, which an inode held across it still reaches (orphan_adopt()).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/*
 * A truncate's times: do_truncate()'s ATTR_MTIME|ATTR_CTIME (6.12 fs/namei.c
 * handle_truncate() for an O_TRUNC open, fs/open.c do_ftruncate()), which
 * notify_change() sets to now and __kernfs_setattr() stores.  FUSE sends
 * them not (fuse_do_setattr() -> update_mtime(): no times with the size of
 * an O_TRUNC open or an ftruncate), so hotmemfs sets them at the SETATTR
 * of the size alone (hmfs_iattr_truncated()): @at the time of the last,
 * both mtime and ctime; @atime the time of the first when it made the
 * node's kernfs_iattrs (__kernfs_iattrs(): all three times its making's).
 *
 * Not in the state file, nor in what a change's @pre, record or undo
 * compare see (iattr_entry_json()): the size's SETATTR is the shell's `>`
 * before every write of an agent's `echo 1 > memoryN/online`, and a
 * record of its own would be a journal line and an fdatasync() more on
 * every such write, and an "iattrs" entry for every file ever written so.
 * kernfs keeps them with the kernfs_node, lost at a reboot; disk
 * filesystems do not make a time durable before the next commit either
 * (lazytime keeps it in memory up to a day).  So a hotmemfs restart shows
 * the times the file has: a touch's or chmod's, else the mount's.  A later
 * setattr or xattr of the node makes them its own (iattr_times_init()),
 * saved with its record.  An undo puts the saved values of @pre back and
 * keeps these (iattr_entry_into(), trunc_carry()): a failed chmod leaves
 * the times shown as they were.
 */
struct iattr_trunc {
	bool set;
	struct timespec at, atime;
};

struct hmfs_iattr {
	uint64_t ino;
	bool chmod; /* kernfs_setattr() ran: mode/uid/gid replace the tree's */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	/* kernfs_iattrs() made them (a setattr, an xattr): its times replace the mount's */
	bool times;
	struct timespec atime, mtime, ctime;
	struct iattr_trunc trunc; /* in memory alone */
	bool runtime_forbidden; /* power/control: "on" */
	bool async_enabled; /* power/async: "enabled" */
	struct hmfs_xattr *xattrs;
	/* firmware/memmap/N's: its entry's range, forgotten with its memory (hmfs_forget_block_attrs()) */
	uint64_t fw_start, fw_end;
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

static unsigned iattr_hash_key(uint64_t key)
{
	return (unsigned)((key * 0x9E3779B97F4A7C15ULL) >> 54) % HMFS_IATTR_BUCKETS;
}

/* ---- what an entry is of ------------------------------------------------ */

enum iattr_kind {
	IK_OTHER, /* goes with nothing: the static tree, a slot's PNP0C80:xx/ */
	IK_BLOCK, /* a memory block's */
	IK_NODE, /* a NUMA node's */
	IK_FWMAP, /* a firmware map entry's: goes with the memory of its range */
	IK_ACPI_LINK, /* a DIMM slot's physical_nodeK: its block's (through the slot) */
};

/*
 * What inode @ino's entry is of, as its number says: the one classifier
 * of the inode classes that the chain (iattr_hash()), the owner
 * (iattr_owner()) and a selection (ino_in_sel()) all follow -- they were
 * four switches, each deciding it again.
 *  - IK_BLOCK: memoryN/ and below, its bus/memory/devices/memoryN and
 *    nodeK/memoryN links; @key the block's incarnation key (incarn.c);
 *  - IK_NODE: nodeN/ and below, its cpuM links (not its memoryM links,
 *    which are their block's); @key the node's incarnation key;
 *  - IK_FWMAP: firmware/memmap/N and below, all on one chain (at most 4
 *    a DIMM), which a device change walks;
 *  - IK_ACPI_LINK: PNP0C80:xx/physical_nodeK; whose block it is, the
 *    slot says (hmfs_acpi_link_block()), not its number;
 *  - IK_OTHER: anything else.
 * @chain: what the entry hashes by -- a block's and a node's by their
 * key, so that their removal walks their chain, not the table.
 */
struct iattr_class {
	enum iattr_kind kind;
	uint64_t key;
	uint64_t chain;
};

#define FWMAP_CHAIN HMFS_INO(HMFS_C_FWMAP, 0)

static struct iattr_class iattr_class(uint64_t ino)
{
	uint64_t v = HMFS_INO_VAL(ino);

	switch (HMFS_INO_CLASS(ino)) {
	case HMFS_C_BLOCK:
		return (struct iattr_class){ IK_BLOCK, HMFS_INO_KEY(ino), HMFS_INO_KEY(ino) };
	case HMFS_C_BUSLINK:
		return (struct iattr_class){ IK_BLOCK, v, v };
	case HMFS_C_NODELINK:
		return (struct iattr_class){ IK_BLOCK, HMFS_NODELINK_KEY(ino), HMFS_NODELINK_KEY(ino) };
	case HMFS_C_NODE:
		return (struct iattr_class){ IK_NODE, v >> 8, v >> 8 };
	case HMFS_C_NODECPU:
		return (struct iattr_class){ IK_NODE, v >> 16, v >> 16 };
	case HMFS_C_FWMAP:
		return (struct iattr_class){ IK_FWMAP, 0, FWMAP_CHAIN };
	case HMFS_C_ACPI_PHYS:
		return (struct iattr_class){ IK_ACPI_LINK, 0, ino };
	default:
		return (struct iattr_class){ IK_OTHER, 0, ino };
	}
}

static unsigned iattr_hash(uint64_t ino)
{
	return iattr_hash_key(iattr_class(ino).chain);
}

/* ---- which object an entry goes with ------------------------------------ */

/*
 * The object whose removal takes an inode's node, and its kernfs_iattrs
 * with it (@kind IK_BLOCK or IK_NODE; IK_OTHER: nothing): @by_key, @v is
 * that object's incarnation key (incarn.c), else the block's id (a slot
 * link's number carries no incarnation).
 */
struct iattr_owner {
	enum iattr_kind kind;
	bool by_key;
	uint64_t v;
};

/*
 * Which object inode @ino's entry goes with, the one word on it for
 * both the forgetting (hmfs_forget_block_attrs(), hmfs_forget_node_attrs())
 * and the undo that brings the object back (ino_in_sel(), from what
 * sel_init() took of the same keys and slots): they
 * disagreed, and an undo that put back less than the removal forgot froze
 * hotmemfs (review5 #1, D1).
 *  - a memory block (remove_memory_block() -> device_unregister(), 6.12):
 *    its IK_BLOCK inodes (its key), and its DIMM slot's physical_nodeK
 *    link, which acpi_unbind_one() removes with it (the block's id);
 *  - a NUMA node (try_offline_node() -> unregister_one_node()): its
 *    IK_NODE inodes (its key);
 *  - nothing else goes with anything.
 * It may take acpi_lock (a leaf): under iattr_lock or not.
 */
static struct iattr_owner iattr_owner(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct iattr_class c = iattr_class(ino);
	long id;

	switch (c.kind) {
	case IK_BLOCK:
	case IK_NODE:
		return (struct iattr_owner){ c.kind, true, c.key };
	case IK_ACPI_LINK:
		id = hmfs_acpi_link_block(ctx, ino);
		if (id >= 0)
			return (struct iattr_owner){ IK_BLOCK, false, (uint64_t)id };
		return (struct iattr_owner){ IK_OTHER, false, 0 };
	default:
		return (struct iattr_owner){ IK_OTHER, false, 0 };
	}
}

/* inode @ino's entry goes with the @kind object @id, its incarnation @key */
static bool owned_by(struct hmfs_ctx *ctx, uint64_t ino, enum iattr_kind kind, unsigned long id,
		     uint64_t key)
{
	struct iattr_owner o = iattr_owner(ctx, ino);

	return o.kind == kind && o.v == (o.by_key ? key : id);
}

static bool owned_by_block(struct hmfs_ctx *ctx, uint64_t ino, unsigned long id, uint64_t key)
{
	return owned_by(ctx, ino, IK_BLOCK, id, key);
}

/*
 * The chains of ctx->iattr that hold what goes with block @id,
 * incarnation @key (iattr_owner()), each once, into @h: its own inodes'
 * (by @key) and its slot link's (by the link's number); how many.  The
 * one place that knows where a block's entries are, for its removal
 * (hmfs_forget_block_attrs()) and a device change's snapshot
 * (snap_block()): the snapshot walked a chain twice when its two hashed
 * to the same (a block that came back with a key of its id's chain), and
 * wrote its entries twice, past the end of its array.
 */
static unsigned block_chains(struct hmfs_ctx *ctx, unsigned long id, uint64_t key, unsigned h[2])
{
	uint64_t link = hmfs_acpi_block_link(ctx, id);
	unsigned nr = 0;

	h[nr++] = iattr_hash_key(key);
	if (link && iattr_hash(link) != h[0])
		h[nr++] = iattr_hash(link);
	return nr;
}

/* entry @ino of table @tbl (ctx->iattr, or one a restore builds) */
static struct hmfs_iattr *iattr_find_in(struct hmfs_iattr *const *tbl, uint64_t ino)
{
	for (struct hmfs_iattr *a = tbl[iattr_hash(ino)]; a; a = a->next)
		if (a->ino == ino)
			return a;
	return NULL;
}

static struct hmfs_iattr *iattr_find(struct hmfs_ctx *ctx, uint64_t ino)
{
	return iattr_find_in(ctx->iattr, ino);
}

/* a new entry @ino at the head of its chain in @tbl */
static struct hmfs_iattr *iattr_new_in(struct hmfs_iattr **tbl, uint64_t ino)
{
	struct hmfs_iattr *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ino = ino;
	a->next = tbl[iattr_hash(ino)];
	tbl[iattr_hash(ino)] = a;
	return a;
}

/* a new entry @a of node @n: a firmware map entry's keeps its range (hmfs_forget_block_attrs()) */
static struct hmfs_iattr *iattr_born(struct hmfs_iattr *a, const struct hmfs_node *n)
{
	if (a) {
		a->fw_start = n->fw_start;
		a->fw_end = n->fw_end;
	}
	return a;
}

static void xattrs_free(struct hmfs_iattr *a)
{
	while (a->xattrs) {
		struct hmfs_xattr *x = a->xattrs;

		a->xattrs = x->next;
		free(x->name);
		free(x);
	}
}

static void iattr_free(struct hmfs_iattr *a)
{
	xattrs_free(a);
	free(a);
}

/* ---- a removed node's, while an inode holds it -------------------------- */

/*
 * kernfs keeps a removed kernfs_node, its mode and kernfs_iattrs with it,
 * until its last kernfs_put(), and the VFS inode holds one
 * (kernfs_init_inode(), kernfs_evict_inode()); getattr, setattr and the
 * xattr handlers work on it with no active reference (fs/kernfs/inode.c,
 * 6.12 to 6.18): an fd held across the removal still shows, and may
 * change, the owner, mode, times and xattrs set before it.  So a removal
 * hands its nodes' entries here (iattr_forget()) under their dead numbers,
 * never live again (incarn.c), and a request on a held removed node
 * (n->removed) finds and changes them here.  No change of the machine:
 * nothing saved, nothing for the next incarnation.  hotmemfs gets no
 * FORGET that would say when the last holder went: the last
 * IATTR_ORPHANS_MAX are kept, the oldest going first (its holder then
 * sees the kernel's modes again).  Under iattr_lock; the count is the
 * unlocked "none" test, as nr_iattr is.
 */
#define IATTR_ORPHANS_MAX 1024

static void orphan_adopt(struct hmfs_ctx *ctx, struct hmfs_iattr *a);

/*
 * Removed node @ino's entry.  Its number went (hmfs_inc_gone()) just
 * before the removal's forget runs (events.c engine_event()): a request
 * in between finds the entry still on its chain, and takes it over as
 * the forget would -- one made afresh here would be replaced by it then,
 * losing the request's change.
 */
static struct hmfs_iattr *orphan_find(struct hmfs_ctx *ctx, uint64_t ino)
{
	for (struct hmfs_iattr *a = ctx->iattr_orphans; a; a = a->next)
		if (a->ino == ino)
			return a;
	for (struct hmfs_iattr **p = &ctx->iattr[iattr_hash(ino)]; *p; p = &(*p)->next) {
		struct hmfs_iattr *a = *p;

		if (a->ino != ino)
			continue;
		*p = a->next;
		__atomic_sub_fetch(&ctx->nr_iattr, 1, __ATOMIC_RELAXED);
		orphan_adopt(ctx, a);
		return a;
	}
	return NULL;
}

/* @a, on no chain, kept as its removed node's: newest first, an older one of its number replaced */
static void orphan_adopt(struct hmfs_ctx *ctx, struct hmfs_iattr *a)
{
	struct hmfs_iattr **p = &ctx->iattr_orphans, **last = NULL;
	unsigned long nr = 0;

	while (*p) {
		struct hmfs_iattr *o = *p;

		if (o->ino == a->ino) {
			*p = o->next;
			iattr_free(o);
			continue;
		}
		last = p;
		p = &o->next;
		nr++;
	}
	if (nr == IATTR_ORPHANS_MAX) {
		iattr_free(*last);
		*last = NULL;
		nr--;
	}
	a->next = ctx->iattr_orphans;
	ctx->iattr_orphans = a;
	__atomic_store_n(&ctx->nr_iattr_orphans, nr + 1, __ATOMIC_RELAXED);
}

static void orphans_free(struct hmfs_ctx *ctx)
{
	while (ctx->iattr_orphans) {
		struct hmfs_iattr *a = ctx->iattr_orphans;

		ctx->iattr_orphans = a->next;
		iattr_free(a);
	}
	__atomic_store_n(&ctx->nr_iattr_orphans, 0, __ATOMIC_RELAXED);
}

/* the unlocked "node @n keeps nothing" test: a live node's table, a removed one's orphans too */
static bool node_iattr_any(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	return iattr_any(ctx) ||
	       (n->removed && __atomic_load_n(&ctx->nr_iattr_orphans, __ATOMIC_RELAXED));
}

/* kernfs_iattrs_noalloc() of node @n, live or removed; under iattr_lock */
static struct hmfs_iattr *node_iattr(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	return n->removed ? orphan_find(ctx, n->ino) : iattr_find(ctx, n->ino);
}

/* kernfs_iattrs() of node @n: find or make, under iattr_lock */
static struct hmfs_iattr *iattr_get(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	struct hmfs_iattr *a = node_iattr(ctx, n);

	if (a)
		return a;
	if (n->removed) {
		a = iattr_born(calloc(1, sizeof(*a)), n);
		if (a) {
			a->ino = n->ino;
			orphan_adopt(ctx, a);
		}
		return a;
	}
	a = iattr_born(iattr_new_in(ctx->iattr, n->ino), n);
	if (a)
		__atomic_add_fetch(&ctx->nr_iattr, 1, __ATOMIC_RELAXED);
	return a;
}

/* every entry of @tbl freed; the number there was */
static unsigned long iattr_free_table(struct hmfs_iattr **tbl)
{
	unsigned long nr = 0;

	for (int i = 0; i < HMFS_IATTR_BUCKETS; i++) {
		while (tbl[i]) {
			struct hmfs_iattr *a = tbl[i];

			tbl[i] = a->next;
			iattr_free(a);
			nr++;
		}
	}
	return nr;
}

void hmfs_iattr_free_all(struct hmfs_ctx *ctx)
{
	iattr_free_table(ctx->iattr);
	__atomic_store_n(&ctx->nr_iattr, 0, __ATOMIC_RELAXED);
	orphans_free(ctx);
}

static int timespec_cmp(const struct timespec *x, const struct timespec *y)
{
	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/*
 * @a's truncate came after its last setattr: its times are the ones
 * shown.  Every setattr sets ctime to now (notify_change()), so a ctime
 * older than the truncate's is of a setattr before it; equal, the
 * truncate was folded in (iattr_times_init()) and its times are the same.
 */
static bool trunc_newer(const struct hmfs_iattr *a)
{
	return a->trunc.set && (!a->times || timespec_cmp(&a->trunc.at, &a->ctime) >= 0);
}

/*
 * __kernfs_iattrs(): a new kernfs_iattrs has the time of its making as
 * all three times -- a truncate's when it made them.  And the times shown
 * become the entry's own before a setattr or xattr changes it, as kernfs
 * has one set: a chmod after `: > file` keeps the truncate's mtime, now
 * in the chmod's record.
 */
static void iattr_times_init(struct hmfs_iattr *a)
{
	if (!a->times) {
		if (a->trunc.set)
			a->atime = a->trunc.atime;
		else
			clock_gettime(CLOCK_REALTIME, &a->atime);
		a->mtime = a->ctime = a->atime;
		a->times = true;
	}
	if (trunc_newer(a))
		a->mtime = a->ctime = a->trunc.at;
}

/*
 * __kernfs_setattr(): mode, owner and times as given; ctime now, as
 * notify_change() always asks (ATTR_CTIME).  FUSE's *_NOW: the time now.
 */
static int setattr_apply(struct hmfs_ctx *ctx, const struct hmfs_node *n, const struct stat *attr,
			 int to_set)
{
	struct hmfs_iattr *a;
	struct timespec now;

	pthread_mutex_lock(&ctx->iattr_lock);
	/* under the lock: a truncate's time and this one's in the order they are made */
	clock_gettime(CLOCK_REALTIME, &now);
	a = iattr_get(ctx, n);
	if (!a) {
		pthread_mutex_unlock(&ctx->iattr_lock);
		return -ENOMEM;
	}
	iattr_times_init(a);
	if (!a->chmod && (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		a->chmod = true;
		a->mode = n->mode;
	}
	if (to_set & FUSE_SET_ATTR_MODE)
		a->mode = (n->mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		a->uid = attr->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		a->gid = attr->st_gid;
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		a->atime = now;
	else if (to_set & FUSE_SET_ATTR_ATIME)
		a->atime = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		a->mtime = now;
	else if (to_set & FUSE_SET_ATTR_MTIME)
		a->mtime = attr->st_mtim;
	a->ctime = now;
	pthread_mutex_unlock(&ctx->iattr_lock);
	return 0;
}

/* @c as one change of the machine: applied, then saved (or undone) */
static int iattr_change(struct hmfs_ctx *ctx, const struct hmfs_iattr_change *c)
{
	struct hmfs_change ch = { .op = HMFS_CH_IATTR, .iattr = c };

	return hmfs_change(ctx, &ch, NULL, 0);
}

static int iattr_change_held(struct hmfs_ctx *ctx, const struct hmfs_iattr_change *c);

int hmfs_setattr_node(struct hmfs_ctx *ctx, const struct hmfs_node *n, const struct stat *attr,
		      int to_set)
{
	struct hmfs_iattr_change c = { .op = HMFS_IA_SETATTR, .n = n, .attr = attr, .to_set = to_set };

	return iattr_change_held(ctx, &c);
}

/* ---- a truncate's times (struct iattr_trunc) ----------------------------- */

static bool iattr_drop_in(struct hmfs_iattr **tbl, uint64_t ino);

/*
 * Caller holds iattr_lock: node @n's truncate at @now, looked up after
 * ctx->iattr_gen read @gen.  -EAGAIN: a removal's forget came since
 * (gen_bump()), and the entry made here may be of an incarnation that
 * went, on no chain that forget walked: made and never forgotten, and
 * nr_iattr never 0 again.  The caller looks @n up again.
 */
static int trunc_apply(struct hmfs_ctx *ctx, const struct hmfs_node *n, unsigned long gen,
		       const struct timespec *now)
{
	bool made = !n->removed && !iattr_find(ctx, n->ino);
	struct hmfs_iattr *a = iattr_get(ctx, n);

	if (!a)
		return -ENOMEM;
	/* a read-modify-write: it reads a forget's bump, or that forget sees this entry (gen_bump()) */
	if (made && __atomic_fetch_add(&ctx->iattr_gen, 0, __ATOMIC_SEQ_CST) != gen) {
		iattr_drop_in(ctx->iattr, n->ino);
		__atomic_sub_fetch(&ctx->nr_iattr, 1, __ATOMIC_RELAXED);
		return -EAGAIN;
	}
	if (!a->trunc.set && !a->times)
		a->trunc.atime = *now; /* this truncate made the node's kernfs_iattrs */
	a->trunc.set = true;
	a->trunc.at = *now;
	return 0;
}

int hmfs_iattr_truncated(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct timespec now;
	struct hmfs_node n;
	unsigned long gen;
	int ret;

	do {
		gen = __atomic_load_n(&ctx->iattr_gen, __ATOMIC_ACQUIRE);
		ret = hmfs_node_get_held(ctx, ino, &n);
		if (ret)
			return ret;
		pthread_mutex_lock(&ctx->iattr_lock);
		clock_gettime(CLOCK_REALTIME, &now);
		ret = trunc_apply(ctx, &n, gen, &now);
		pthread_mutex_unlock(&ctx->iattr_lock);
	} while (ret == -EAGAIN);
	return ret;
}

/*
 * A removal's forget is coming: a truncate making an entry meanwhile
 * looks its node up again (trunc_apply()).  A read-modify-write before
 * the unlocked "nothing kept" test: either the truncate's reads this
 * bump, or this one reads the truncate's, made after its entry -- and
 * then iattr_any() sees the entry.
 */
static void gen_bump(struct hmfs_ctx *ctx)
{
	__atomic_fetch_add(&ctx->iattr_gen, 1, __ATOMIC_SEQ_CST);
}

/* what a removal takes (iattr_forget()): its object's entries, or those of its memory's firmware map */
struct iattr_gone {
	enum iattr_kind kind;
	unsigned long id;
	uint64_t key;
	uint64_t addr; /* IK_FWMAP: an address of the memory that went */
};

static bool iattr_goes(struct hmfs_ctx *ctx, const struct hmfs_iattr *a, const struct iattr_gone *g)
{
	if (g->kind != IK_FWMAP)
		return owned_by(ctx, a->ino, g->kind, g->id, g->key);
	return iattr_class(a->ino).kind == IK_FWMAP && a->fw_end > a->fw_start &&
	       g->addr >= a->fw_start && g->addr <= a->fw_end;
}

/*
 * Caller holds iattr_lock: the entries of chain @h that @g takes, unlinked;
 * those of the block's or node's own inodes, which a held inode still
 * reaches (hmfs_node_get_removed()), kept as orphans, the others -- a
 * slot's link, a firmware map entry's, never answered once gone -- freed
 */
static void iattr_forget(struct hmfs_ctx *ctx, unsigned h, const struct iattr_gone *g)
{
	for (struct hmfs_iattr **p = &ctx->iattr[h]; *p;) {
		struct hmfs_iattr *a = *p;

		if (!iattr_goes(ctx, a, g)) {
			p = &a->next;
			continue;
		}
		*p = a->next;
		if (g->kind != IK_FWMAP && iattr_class(a->ino).kind == g->kind)
			orphan_adopt(ctx, a);
		else
			iattr_free(a);
		__atomic_sub_fetch(&ctx->nr_iattr, 1, __ATOMIC_RELAXED);
	}
}

/*
 * A re-added block starts with the kernel's modes, no xattrs, "auto"
 * again, and so does its DIMM slot's physical_nodeK link, which
 * acpi_unbind_one() removed with it: what goes with the incarnation that
 * went (@key, iattr_owner()), on its chains (block_chains()).  And the
 * firmware map entries whose range holds block @id's memory go with it
 * -- firmware_map_remove() (6.12 try_remove_memory(), before the blocks'
 * removal) drops the entry's kobject and its iattrs, and entry numbers
 * are never given again, so one kept was dead for good and nr_iattr
 * never came back to 0 (every stat then takes iattr_lock; review7 D2).
 * Called in the engine's callback with the removal (events.c
 * engine_event(), next to hmfs_inc_gone()), not when the notifier
 * delivers the REMOVE: a late forget erased what an undo had put back,
 * or what a block added again with the id had (review5 #2).  The
 * engine's locks are held: iattr_lock, inc_lock and acpi_lock are taken
 * after them and never held across an engine call.  The block's own
 * inodes' entries become orphans (iattr_forget()): an inode held across
 * the removal still shows them.
 */
void hmfs_forget_block_attrs(struct hmfs_ctx *ctx, unsigned long id, uint64_t key)
{
	struct iattr_gone block = { IK_BLOCK, id, key, 0 },
			  fwmap = { IK_FWMAP, 0, 0, (uint64_t)id * ctx->block_size };
	unsigned h[2], nr;

	gen_bump(ctx);
	if (!iattr_any(ctx))
		return;
	nr = block_chains(ctx, id, key, h);
	pthread_mutex_lock(&ctx->iattr_lock);
	for (unsigned i = 0; i < nr; i++)
		iattr_forget(ctx, h[i], &block);
	iattr_forget(ctx, iattr_hash(FWMAP_CHAIN), &fwmap);
	pthread_mutex_unlock(&ctx->iattr_lock);
}

/*
 * A node went: try_offline_node() (mm/memory_hotplug.c, 6.12) ->
 * unregister_one_node() removed its device and every kernfs_node below,
 * their kernfs_iattrs with them; a node of that id onlined again is
 * registered anew, with the kernel's modes.  In the engine's callback,
 * with the incarnation @key that went (incarn.c), as a block's
 * (hmfs_forget_block_attrs()): a node's entries hash by its key, so one
 * chain is walked, not the table.
 */
void hmfs_forget_node_attrs(struct hmfs_ctx *ctx, uint64_t key)
{
	struct iattr_gone node = { IK_NODE, 0, key, 0 };

	gen_bump(ctx);
	if (!iattr_any(ctx))
		return;
	pthread_mutex_lock(&ctx->iattr_lock);
	iattr_forget(ctx, iattr_hash_key(key), &node);
	pthread_mutex_unlock(&ctx->iattr_lock);
}

void hmfs_iattr_stat(struct hmfs_ctx *ctx, const struct hmfs_node *n, struct stat *st)
{
	struct hmfs_iattr *a;

	if (!node_iattr_any(ctx, n))
		return;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = node_iattr(ctx, n);
	if (a && a->chmod) {
		st->st_mode = a->mode;
		st->st_uid = a->uid;
		st->st_gid = a->gid;
	}
	/* kernfs_refresh_inode(): the iattrs' times */
	if (a && a->times) {
		st->st_atim = a->atime;
		st->st_mtim = a->mtime;
		st->st_ctim = a->ctime;
	}
	if (a && trunc_newer(a)) {
		if (!a->times)
			st->st_atim = a->trunc.atime;
		st->st_mtim = st->st_ctim = a->trunc.at;
	}
	pthread_mutex_unlock(&ctx->iattr_lock);
}

/* ---- power/control, power/async ------------------------------------------ */

/* the device setting change @op keeps in entry @a */
static bool *pm_flag(struct hmfs_iattr *a, enum hmfs_iattr_op op)
{
	return op == HMFS_IA_ASYNC ? &a->async_enabled : &a->runtime_forbidden;
}

/*
 * control_store(): "on" forbids runtime PM, "auto" allows it again;
 * async_store(): "enabled", "disabled".  An entry is made for a setting
 * off its default only.
 */
static int pm_flag_apply(struct hmfs_ctx *ctx, const struct hmfs_node *n, enum hmfs_iattr_op op,
			 bool on)
{
	struct hmfs_iattr *a;
	int ret = 0;

	pthread_mutex_lock(&ctx->iattr_lock);
	a = on ? iattr_get(ctx, n) : node_iattr(ctx, n);
	if (a)
		*pm_flag(a, op) = on;
	else if (on)
		ret = -ENOMEM;
	pthread_mutex_unlock(&ctx->iattr_lock);
	return ret;
}

static bool pm_flag_get(struct hmfs_ctx *ctx, const struct hmfs_node *n, enum hmfs_iattr_op op)
{
	struct hmfs_iattr *a;
	bool on = false;

	if (!node_iattr_any(ctx, n))
		return false;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = node_iattr(ctx, n);
	if (a)
		on = *pm_flag(a, op);
	pthread_mutex_unlock(&ctx->iattr_lock);
	return on;
}

int hmfs_pm_runtime_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool forbid)
{
	struct hmfs_iattr_change c = { .op = HMFS_IA_RUNTIME_PM, .n = n, .on = forbid };

	return iattr_change(ctx, &c);
}

bool hmfs_pm_runtime_forbidden(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	return pm_flag_get(ctx, n, HMFS_IA_RUNTIME_PM);
}

int hmfs_pm_async_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool enable)
{
	struct hmfs_iattr_change c = { .op = HMFS_IA_ASYNC, .n = n, .on = enable };

	return iattr_change(ctx, &c);
}

bool hmfs_pm_async_enabled(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	return pm_flag_get(ctx, n, HMFS_IA_ASYNC);
}

/* ---- extended attributes ------------------------------------------------ */

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/*
 * xattr_resolve_name() over kernfs_xattr_handlers (fs/xattr.c, 6.12):
 * trusted.*, security.* and user.* have handlers, a prefix with nothing
 * after it is -EINVAL (a handler with a prefix wants a name), anything
 * else (system.posix_acl_* included: no ACLs on kernfs) is -EOPNOTSUPP.
 * The VFS has checked trusted.*'s CAP_SYS_ADMIN and the name and size
 * limits before FUSE asks us (its one handler has the empty prefix).
 */
int hmfs_xattr_namespace(const char *name)
{
	static const char *const prefixes[] = { XATTR_TRUSTED_PREFIX, XATTR_SECURITY_PREFIX,
						XATTR_USER_PREFIX };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(name, prefixes[i]))
			return name[strlen(prefixes[i])] ? 0 : -EINVAL;
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
static int xattr_apply(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *name,
		       const void *value, size_t size, int flags)
{
	struct hmfs_xattr **slot, *x = NULL;
	struct hmfs_iattr *a;
	int ret = 0;

	if (value) {
		x = xattr_alloc(name, value, size);
		if (!x)
			return -ENOMEM;
	}
	pthread_mutex_lock(&ctx->iattr_lock);
	a = value ? iattr_get(ctx, n) : node_iattr(ctx, n);
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
	/* kernfs_xattr_set() made the node's kernfs_iattrs(); one refused leaves none here */
	iattr_times_init(a);
out:
	pthread_mutex_unlock(&ctx->iattr_lock);
	if (x) {
		free(x->name);
		free(x);
	}
	return ret;
}

int hmfs_xattr_set(struct hmfs_ctx *ctx, const struct hmfs_node *n, const char *name,
		   const void *value, size_t size, int flags)
{
	struct hmfs_iattr_change c = { .op = HMFS_IA_XATTR, .n = n, .name = name, .value = value,
				       .size = size, .flags = flags };
	int ret = hmfs_xattr_namespace(name);

	if (ret)
		return ret;
	if (has_prefix(name, XATTR_USER_PREFIX))
		return -EOPNOTSUPP;
	return iattr_change_held(ctx, &c);
}

/*
 * Node @n still there: a SETATTR or SETXATTR found its node before a
 * removal and is applied after it (each under change_lock in turn), maybe
 * after the removal's hmfs_forget_block_attrs(): an entry made now for the
 * gone incarnation would never go.  kernfs keeps a removed node's iattrs
 * until the node is freed: the change is ENOENT, no change of the machine,
 * and iattr_change_held() makes it on the orphan.
 */
static int iattr_node_there(struct hmfs_ctx *ctx, const struct hmfs_node *n)
{
	struct hmfs_node now;

	return hmfs_node_get(ctx, n->ino, &now) ? -ENOENT : 0;
}

/* @c made on its node's entry, a live node's or a removed one's orphan */
static int iattr_apply_op(struct hmfs_ctx *ctx, const struct hmfs_iattr_change *c)
{
	switch (c->op) {
	case HMFS_IA_SETATTR:
		return setattr_apply(ctx, c->n, c->attr, c->to_set);
	case HMFS_IA_XATTR:
		return xattr_apply(ctx, c->n, c->name, c->value, c->size, c->flags);
	case HMFS_IA_RUNTIME_PM:
	case HMFS_IA_ASYNC:
		return pm_flag_apply(ctx, c->n, c->op, c->on);
	}
	return -EINVAL;
}

int hmfs_iattr_apply(struct hmfs_ctx *ctx, const struct hmfs_iattr_change *c)
{
	int ret = iattr_node_there(ctx, c->n);

	return ret ? ret : iattr_apply_op(ctx, c);
}

/*
 * @c through an inode.  A live node's is a change of the machine.  A
 * removed node's -- an inode held across the removal: kernfs_iop_setattr()
 * and kernfs_vfs_xattr_set() ask for no active reference -- is made on its
 * orphan, no change of the machine (orphan_adopt()); and so is one whose
 * node went while it waited for change_lock (iattr_node_there()).
 */
static int iattr_change_held(struct hmfs_ctx *ctx, const struct hmfs_iattr_change *c)
{
	struct hmfs_iattr_change held = *c;
	struct hmfs_node n;
	int ret;

	if (c->n->removed)
		return iattr_apply_op(ctx, c);
	ret = iattr_change(ctx, c);
	if (ret != -ENOENT || hmfs_node_get_held(ctx, c->n->ino, &n) || !n.removed)
		return ret;
	held.n = &n;
	return iattr_apply_op(ctx, &held);
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
	a = node_iattr(ctx, n);
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
 * CAP_SYS_ADMIN (@trusted: the caller is root).  *@hid: a trusted.* name
 * was left out, so that the caller asks the capability (/proc, two
 * stat()s and a parse) only when it decides something and lists again:
 * asked first, every listxattr paid it (review7 #2).
 */
ssize_t hmfs_xattr_list(struct hmfs_ctx *ctx, const struct hmfs_node *n, bool trusted, char *buf,
			size_t size, bool *hid)
{
	struct hmfs_iattr *a;
	size_t need = 0;
	ssize_t ret = 0;

	*hid = false;
	if (!node_iattr_any(ctx, n))
		return 0;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = node_iattr(ctx, n);
	for (struct hmfs_xattr *x = a ? a->xattrs : NULL; x; x = x->next) {
		size_t len = strlen(x->name) + 1;

		if (!trusted && has_prefix(x->name, XATTR_TRUSTED_PREFIX)) {
			*hid = true;
			continue;
		}
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

/* ---- the state file's "iattrs" ------------------------------------------ */
/*
 * [{"path": "sys/devices/system/memory/memory32/state", "mode": 384, "uid":
 * 0, "gid": 0, "atime": [s, ns], "mtime": ..., "ctime": ...,
 * "runtime-forbidden": true, "xattrs": {"security.x": "hex"}}, ...] by
 * path: a node's path outlives its inode number (the static tree's numbers
 * follow its build order, a block's its incarnation).  A node of a block
 * removed since has no path (its incarnation went: tree.c), so an entry
 * whose block went is never saved, even before hmfs_forget_block_attrs()
 * has run.
 */
#define IATTR_XATTR_MAX 65536 /* XATTR_SIZE_MAX: no larger value can have been set */

static json_object *timespec_json(const struct timespec *t)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_int64(t->tv_sec));
	json_object_array_add(a, json_object_new_int64(t->tv_nsec));
	return a;
}

static json_object *hex_json(const char *v, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * size + 1);
	json_object *o;

	if (!s)
		return NULL;
	for (size_t i = 0; i < size; i++) {
		s[2 * i] = digits[(unsigned char)v[i] >> 4];
		s[2 * i + 1] = digits[(unsigned char)v[i] & 15];
	}
	s[2 * size] = '\0';
	o = json_object_new_string(s);
	free(s);
	return o;
}

/*
 * "memmap" of a firmware/memmap/N node's entry: the range and type of its
 * entry, which name it across a restart.  drivers/firmware/memmap.c
 * (6.12) numbers entries by a counter at add (add_sysfs_fw_map_entry()),
 * and so does the engine: a restart numbers the ones back by their order
 * in the machine, so a DIMM's entry may come back as another number --
 * and a number as another DIMM's entry, whose chmod it must not get.
 * NULL for any other node.
 */
static json_object *fwmap_json(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hm_fwmap_entry fe;
	json_object *o;

	if (HMFS_INO_CLASS(ino) != HMFS_C_FWMAP || !hmfs_fwmap_entry(ctx, HMFS_INO_VAL(ino) >> 8, &fe))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "start", json_object_new_uint64(fe.start));
	json_object_object_add(o, "end", json_object_new_uint64(fe.end));
	json_object_object_add(o, "type", json_object_new_string(fe.type));
	return o;
}

/*
 * an entry of "iattrs" for the node of @ino at @path: its path (and its
 * firmware map entry); NULL: no memory (nomem44: json-c asserted on the
 * unmade object)
 */
static json_object *entry_head(struct hmfs_ctx *ctx, uint64_t ino, const char *path)
{
	json_object *e = json_object_new_object(), *fw = fwmap_json(ctx, ino);

	if (!hmfs_json_add_new(e, "path", json_object_new_string(path))) {
		json_object_put(fw);
		goto fail;
	}
	if (fw && !hmfs_json_add_new(e, "memmap", fw))
		goto fail;
	return e;
fail:
	json_object_put(e);
	return NULL;
}

/* entry @a's values (not its path); NULL: it keeps nothing */
static json_object *iattr_entry_json(const struct hmfs_iattr *a)
{
	json_object *o, *x;

	if (!a->chmod && !a->times && !a->runtime_forbidden && !a->async_enabled && !a->xattrs)
		return NULL;
	o = json_object_new_object();
	if (a->chmod) {
		json_object_object_add(o, "mode", json_object_new_int((int)(a->mode & 07777)));
		json_object_object_add(o, "uid", json_object_new_uint64(a->uid));
		json_object_object_add(o, "gid", json_object_new_uint64(a->gid));
	}
	if (a->times) {
		json_object_object_add(o, "atime", timespec_json(&a->atime));
		json_object_object_add(o, "mtime", timespec_json(&a->mtime));
		json_object_object_add(o, "ctime", timespec_json(&a->ctime));
	}
	if (a->runtime_forbidden)
		json_object_object_add(o, "runtime-forbidden", json_object_new_boolean(true));
	if (a->async_enabled)
		json_object_object_add(o, "async-enabled", json_object_new_boolean(true));
	if (!a->xattrs)
		return o;
	x = json_object_new_object();
	for (const struct hmfs_xattr *v = a->xattrs; v; v = v->next)
		json_object_object_add(x, v->name, hex_json(v->value, v->size));
	json_object_object_add(o, "xattrs", x);
	return o;
}

struct iattr_snap {
	uint64_t ino;
	json_object *val;
};

static int by_path(const void *a, const void *b)
{
	json_object *const *x = a, *const *y = b;

	return strcmp(json_object_get_string(json_object_object_get(*x, "path")),
		      json_object_get_string(json_object_object_get(*y, "path")));
}

/*
 * Which entries a device change's @pre and undo take: those of the memory
 * blocks of @ranges (hmfs_json_range()), and of the NUMA nodes those
 * blocks are on -- a node whose last memory the change removed went
 * (try_offline_node()) and comes back with the undo as a new incarnation,
 * keeping nothing; its acknowledged chmod would be lost, or the machine
 * undone would differ from @pre (frozen).  @ranges NULL: every entry.
 */
struct iattr_sel {
	json_object *ranges;
	uint64_t nodes; /* HM_MAX_NUMNODES bits */
	/*
	 * What ino_in_sel() asks, taken once (sel_init()): it took inc_lock
	 * and acpi_lock for every entry of the table, under iattr_lock.  The
	 * nodes' and the blocks' incarnation keys (a key is an object's
	 * while hmfs_inc_id() gives its id back: hmfs_inc_key()), the
	 * blocks' sorted; the DIMM slots, whose links go with their blocks
	 * (hmfs_acpi_link_block()).  Nothing changes them meanwhile: a
	 * selection lives within one change (change_lock).
	 */
	uint64_t node_keys[HM_MAX_NUMNODES];
	unsigned nr_nodes;
	uint64_t *block_keys;
	size_t nr_blocks;
	struct hmfs_acpi_slot *slots;
	int nr_slots;
	uint64_t block_size;
};

static void sel_run_nodes(void *arg, const struct hm_block_info *first, unsigned long count)
{
	uint64_t *nodes = arg;

	(void)count; /* a run is of one node (HMFS_RUN_BY_NODE) */
	*nodes |= first->nodes | 1ULL << first->nid;
}

/* how many blocks @ranges span */
static uint64_t ranges_blocks(json_object *ranges)
{
	uint64_t first, end, n = 0;

	for (size_t r = 0; r < json_object_array_length(ranges); r++)
		if (hmfs_json_range(ranges, r, &first, &end))
			n += end - first;
	return n;
}

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the incarnation keys of @sel's blocks, sorted */
static int sel_block_keys(struct hmfs_ctx *ctx, struct iattr_sel *sel)
{
	uint64_t first, end, nr = ranges_blocks(sel->ranges);

	sel->block_keys = malloc((nr ? nr : 1) * sizeof(*sel->block_keys));
	if (!sel->block_keys)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(sel->ranges); i++)
		for (uint64_t id = 0; hmfs_json_range(sel->ranges, i, &first, &end) && id < end - first; id++)
			sel->block_keys[sel->nr_blocks++] =
				hmfs_inc_key(ctx, HMFS_INC_BLOCK, (unsigned long)(first + id));
	qsort(sel->block_keys, sel->nr_blocks, sizeof(*sel->block_keys), key_cmp);
	return 0;
}

/* the DIMM slots as they are, for the links of @sel's blocks */
static int sel_slots(struct hmfs_ctx *ctx, struct iattr_sel *sel)
{
	int nr = ctx->nr_acpi_slots;

	sel->slots = calloc(nr > 0 ? (size_t)nr : 1, sizeof(*sel->slots));
	if (!sel->slots)
		return -ENOMEM;
	for (int i = 0; i < nr; i++)
		hmfs_acpi_slot_get(ctx, i, &sel->slots[sel->nr_slots++]);
	return 0;
}

static void sel_free(struct iattr_sel *sel)
{
	free(sel->block_keys);
	free(sel->slots);
	sel->block_keys = NULL;
	sel->slots = NULL;
}

/* @sel of @ranges: it asks the engine, so not under iattr_lock; 0 or -ENOMEM */
static int sel_init(struct hmfs_ctx *ctx, json_object *ranges, struct iattr_sel *sel)
{
	uint64_t first, end;

	*sel = (struct iattr_sel){ .ranges = ranges, .block_size = ctx->block_size };
	if (!ranges)
		return 0;
	for (size_t i = 0; i < json_object_array_length(ranges); i++)
		if (hmfs_json_range(ranges, i, &first, &end))
			hmfs_block_runs_in(ctx, HMFS_RUN_BY_NODE, (unsigned long)first,
					   (unsigned long)end, sel_run_nodes, &sel->nodes);
	for (unsigned long nid = 0; nid < HM_MAX_NUMNODES; nid++)
		if (sel->nodes >> nid & 1)
			sel->node_keys[sel->nr_nodes++] = hmfs_inc_key(ctx, HMFS_INC_NODE, nid);
	if (sel_block_keys(ctx, sel) || sel_slots(ctx, sel)) {
		sel_free(sel);
		return -ENOMEM;
	}
	return 0;
}

/* block @id is in @ranges */
static bool in_ranges(json_object *ranges, long id)
{
	uint64_t first, end;

	for (size_t i = 0; id >= 0 && i < json_object_array_length(ranges); i++)
		if (hmfs_json_range(ranges, i, &first, &end) && (uint64_t)id >= first &&
		    (uint64_t)id < end)
			return true;
	return false;
}

/* inode @ino's entry is one @sel takes (the object it goes with: iattr_owner()); no lock */
static bool ino_in_sel(const struct iattr_sel *sel, uint64_t ino)
{
	struct iattr_class c = iattr_class(ino);
	uint64_t slot = HMFS_ACPI_PHYS_SLOT(ino);

	if (!sel->ranges)
		return true;
	switch (c.kind) {
	case IK_FWMAP:
		/*
		 * A DIMM's firmware/memmap/N goes with its memory and an undo
		 * brings the DIMM back under another N (a counter:
		 * add_sysfs_fw_map_entry()): the map's entries are restored by
		 * range ("memmap"), every one of them, few and untouched by
		 * anything else a device change does
		 */
		return true;
	case IK_NODE:
		for (unsigned i = 0; i < sel->nr_nodes; i++)
			if (sel->node_keys[i] == c.key)
				return true;
		return false;
	case IK_BLOCK:
		return bsearch(&c.key, sel->block_keys, sel->nr_blocks, sizeof(c.key), key_cmp);
	case IK_ACPI_LINK:
		return slot < (uint64_t)sel->nr_slots &&
		       in_ranges(sel->ranges, hmfs_acpi_slot_block(&sel->slots[slot],
								   HMFS_ACPI_PHYS_K(ino),
								   sel->block_size));
	default:
		return false;
	}
}

/* entry @a's values into @s[*n] if it keeps something */
static void snap_add(struct iattr_snap *s, size_t *n, const struct hmfs_iattr *a)
{
	json_object *v = iattr_entry_json(a);

	if (v)
		s[(*n)++] = (struct iattr_snap){ a->ino, v };
}

/* Caller holds iattr_lock: the entries of the nodes of @sel into @s (their chains alone) */
static void snap_nodes(struct hmfs_ctx *ctx, const struct iattr_sel *sel, struct iattr_snap *s,
		       size_t *n)
{
	for (unsigned i = 0; i < sel->nr_nodes; i++) {
		uint64_t key = sel->node_keys[i];

		for (struct hmfs_iattr *a = ctx->iattr[iattr_hash_key(key)]; a; a = a->next) {
			struct iattr_class c = iattr_class(a->ino);

			if (c.kind == IK_NODE && c.key == key)
				snap_add(s, n, a);
		}
	}
}

/* Caller holds iattr_lock: what goes with block @id now (iattr_owner()) into @s, its chains alone */
static void snap_block(struct hmfs_ctx *ctx, unsigned long id, struct iattr_snap *s, size_t *n)
{
	uint64_t key = hmfs_inc_key(ctx, HMFS_INC_BLOCK, id);
	unsigned h[2], nr = block_chains(ctx, id, key, h);

	for (unsigned i = 0; i < nr; i++)
		for (struct hmfs_iattr *a = ctx->iattr[h[i]]; a; a = a->next)
			if (owned_by_block(ctx, a->ino, id, key))
				snap_add(s, n, a);
}

/*
 * The entries' values, by inode, copied under iattr_lock; *@nr of them;
 * NULL when memory ran out (a save of fewer would lose the others).
 * Those @sel takes: for a few blocks their chains alone are walked
 * (snap_block(), snap_nodes()).
 */
static struct iattr_snap *iattr_snapshot(struct hmfs_ctx *ctx, const struct iattr_sel *sel,
					 size_t *nr)
{
	json_object *ranges = sel->ranges;
	bool by_block = ranges && ranges_blocks(ranges) < HMFS_IATTR_BUCKETS;
	struct iattr_snap *s;
	uint64_t first, end;
	size_t n = 0;

	pthread_mutex_lock(&ctx->iattr_lock);
	s = calloc(ctx->nr_iattr + 1, sizeof(*s));
	for (int i = 0; s && !by_block && i < HMFS_IATTR_BUCKETS; i++)
		for (struct hmfs_iattr *a = ctx->iattr[i]; a; a = a->next)
			if (ino_in_sel(sel, a->ino))
				snap_add(s, &n, a);
	if (s && by_block) {
		snap_nodes(ctx, sel, s, &n);
		for (struct hmfs_iattr *a = ctx->iattr[iattr_hash(FWMAP_CHAIN)]; a; a = a->next)
			if (iattr_class(a->ino).kind == IK_FWMAP)
				snap_add(s, &n, a);
	}
	for (size_t r = 0; s && by_block && r < json_object_array_length(ranges); r++) {
		if (!hmfs_json_range(ranges, r, &first, &end))
			continue;
		for (uint64_t id = first; id < end; id++)
			snap_block(ctx, (unsigned long)id, s, &n);
	}
	pthread_mutex_unlock(&ctx->iattr_lock);
	*nr = n;
	return s;
}

/* @sn's entry at @path: its head and values; NULL: no memory */
static json_object *entry_with(struct hmfs_ctx *ctx, const struct iattr_snap *sn, const char *path)
{
	json_object *e = entry_head(ctx, sn->ino, path);

	json_object_object_foreach(sn->val, key, val)
		if (e && json_object_object_add(e, key, json_object_get(val))) {
			json_object_put(val);
			json_object_put(e);
			e = NULL;
		}
	return e;
}

/* the entries (of @ranges' blocks and their nodes, or all), by path: "iattrs" */
static json_object *iattr_json_of(struct hmfs_ctx *ctx, json_object *ranges)
{
	json_object *arr = json_object_new_array();
	struct iattr_snap *s;
	struct iattr_sel sel;
	char path[PATH_MAX];
	size_t nr;

	if (!iattr_any(ctx))
		return arr;
	if (sel_init(ctx, ranges, &sel)) {
		json_object_put(arr);
		return NULL; /* differs from any @pre: a save of everything, or a freeze (state.c) */
	}
	/* paths outside iattr_lock: they ask the engine */
	s = iattr_snapshot(ctx, &sel, &nr);
	sel_free(&sel);
	if (!s) {
		json_object_put(arr);
		return NULL; /* an empty "iattrs" would drop every kept value from the file */
	}
	for (size_t i = 0; i < nr; i++) {
		if (arr && !hmfs_node_path(ctx, s[i].ino, path, sizeof(path)) &&
		    !hmfs_json_push_new(arr, entry_with(ctx, &s[i], path))) {
			json_object_put(arr);
			arr = NULL; /* no memory: none, as sel_init()'s (nomem44) */
		}
		json_object_put(s[i].val);
	}
	free(s);
	if (arr)
		json_object_array_sort(arr, by_path);
	return arr;
}

json_object *hmfs_iattr_json(struct hmfs_ctx *ctx)
{
	return iattr_json_of(ctx, NULL);
}

json_object *hmfs_iattr_ranges_json(struct hmfs_ctx *ctx, json_object *ranges)
{
	return iattr_json_of(ctx, ranges);
}

/* [s, ns] into @t; false if it is not one */
static bool timespec_from(json_object *a, struct timespec *t)
{
	json_object *s, *ns;

	if (!a || json_object_array_length(a) != 2)
		return false;
	s = json_object_array_get_idx(a, 0);
	ns = json_object_array_get_idx(a, 1);
	if (!json_object_is_type(s, json_type_int) ||
	    !json_object_is_type(ns, json_type_int) || json_object_get_int64(ns) < 0 ||
	    json_object_get_int64(ns) >= 1000000000)
		return false;
	t->tv_sec = (time_t)json_object_get_int64(s);
	t->tv_nsec = (long)json_object_get_int64(ns);
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* a malformed value of the entry of @path, left out: said, never dropped silently */
static void entry_bad(const char *path, const char *key, const char *why)
{
	fprintf(stderr, "hotmemfs: state file: \"iattrs\" entry %s: %s %s: left out\n", path, key, why);
}

/*
 * The bytes of @hex (hex_json()'s string), *@size of them; NULL: -*@err,
 * EINVAL when it is no lower-case hex of 64 KiB at most, or ENOMEM
 */
static char *hex_value(json_object *hex, size_t *size, int *err)
{
	const char *h = json_object_is_type(hex, json_type_string) ? json_object_get_string(hex) : NULL;
	size_t len = h ? strlen(h) : 0;
	char *v;

	*size = len / 2;
	*err = EINVAL;
	if (!h || len % 2 || *size > IATTR_XATTR_MAX)
		return NULL;
	v = malloc(*size + 1);
	if (!v) {
		*err = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < *size; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(v);
			return NULL;
		}
		v[i] = (char)(hi << 4 | lo);
	}
	return v;
}

/*
 * xattr @name of the entry of @path onto @a, as xattr_apply() would have
 * set it; what it could not have is said and left out
 */
static void xattr_restore(struct hmfs_iattr *a, const char *path, const char *name, json_object *hex)
{
	struct hmfs_xattr *x, **slot;
	size_t size;
	char *v;
	int err;

	if (hmfs_xattr_namespace(name) || has_prefix(name, XATTR_USER_PREFIX)) {
		entry_bad(path, name, "is no security.* or trusted.* name");
		return;
	}
	v = hex_value(hex, &size, &err);
	if (!v) {
		entry_bad(path, name,
			  err == EINVAL ? "is not a value of hex digits, 64 KiB at most" : strerror(err));
		return;
	}
	x = xattr_alloc(name, v, size);
	free(v);
	if (!x) {
		entry_bad(path, name, strerror(ENOMEM));
		return;
	}
	slot = xattr_slot(a, name);
	if (xattr_is(*slot, name)) { /* json-c keeps the last of a name twice: cannot be */
		free(x->name);
		free(x);
		return;
	}
	x->next = *slot;
	*slot = x;
}

/* an owner's id (uid_t/gid_t: 32 bits, (uid_t)-1 no id: chown's "leave as is") into @id */
static bool owner_from(json_object *v, uint32_t *id)
{
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) >= UINT32_MAX)
		return false;
	*id = (uint32_t)json_object_get_int64(v);
	return true;
}

/* mode, uid and gid (chmod/chown) of entry @e of @path onto @a, node @n's */
static void owner_restore(struct hmfs_iattr *a, const struct hmfs_node *n, const char *path,
			  json_object *e)
{
	json_object *mode = json_object_object_get(e, "mode");
	uint32_t uid = 0, gid = 0;

	if (!mode) {
		if (json_object_object_get(e, "uid") || json_object_object_get(e, "gid"))
			entry_bad(path, "uid/gid", "without a mode");
		return;
	}
	/* iattr_entry_json() writes the permission bits only: the type is the node's */
	if (!json_object_is_type(mode, json_type_int) || json_object_get_int64(mode) < 0 ||
	    json_object_get_int64(mode) > 07777) {
		entry_bad(path, "mode", "is not a permission (0 to 07777)");
		return;
	}
	if ((json_object_object_get(e, "uid") && !owner_from(json_object_object_get(e, "uid"), &uid)) ||
	    (json_object_object_get(e, "gid") && !owner_from(json_object_object_get(e, "gid"), &gid))) {
		entry_bad(path, "mode, uid and gid", "(an owner is not a 32-bit id)");
		return;
	}
	a->chmod = true;
	a->mode = (n->mode & S_IFMT) | (mode_t)json_object_get_int64(mode);
	a->uid = uid;
	a->gid = gid;
}

/* atime, mtime and ctime of entry @e of @path onto @a: all three, or none */
static void times_restore(struct hmfs_iattr *a, const char *path, json_object *e)
{
	static const char *const keys[] = { "atime", "mtime", "ctime" };
	struct timespec t[3];
	int have = 0;

	for (int i = 0; i < 3; i++) {
		json_object *v = json_object_object_get(e, keys[i]);

		if (!v)
			continue;
		if (!json_object_is_type(v, json_type_array) || !timespec_from(v, &t[i])) {
			entry_bad(path, keys[i], "is not [seconds, nanoseconds]");
			return;
		}
		have++;
	}
	if (have && have < 3)
		entry_bad(path, "atime, mtime and ctime", "not all three");
	if (have < 3)
		return;
	a->times = true;
	a->atime = t[0];
	a->mtime = t[1];
	a->ctime = t[2];
}

/*
 * Entry @e's values onto @a, node @n's (under iattr_lock, or in a
 * restore's table not yet in place); what is malformed is said and left
 * out.
 */
static void iattr_entry_restore(struct hmfs_iattr *a, const struct hmfs_node *n, json_object *e)
{
	const char *path = json_object_get_string(json_object_object_get(e, "path"));
	json_object *x = json_object_object_get(e, "xattrs"),
		    *rf = json_object_object_get(e, "runtime-forbidden"),
		    *ae = json_object_object_get(e, "async-enabled");

	owner_restore(a, n, path, e);
	times_restore(a, path, e);
	/* control_store(): a power/control file's only */
	if (rf && (!json_object_is_type(rf, json_type_boolean) || n->attr != A_PWR_CONTROL))
		entry_bad(path, "runtime-forbidden", "is not a power/control file's true or false");
	else if (rf)
		a->runtime_forbidden = json_object_get_boolean(rf);
	/* async_store(): a power/async file's only */
	if (ae && (!json_object_is_type(ae, json_type_boolean) || n->attr != A_PWR_ASYNC))
		entry_bad(path, "async-enabled", "is not a power/async file's true or false");
	else if (ae)
		a->async_enabled = json_object_get_boolean(ae);
	if (x && !json_object_is_type(x, json_type_object)) {
		entry_bad(path, "xattrs", "is not an object of names and hex values");
		return;
	}
	if (x) {
		json_object_object_foreach(x, name, hex)
			xattr_restore(a, path, name, hex);
	}
}

/* entry @ino of @tbl unlinked and freed; false: there was none */
static bool iattr_drop_in(struct hmfs_iattr **tbl, uint64_t ino)
{
	for (struct hmfs_iattr **p = &tbl[iattr_hash(ino)]; *p; p = &(*p)->next) {
		struct hmfs_iattr *a = *p;

		if (a->ino == ino) {
			*p = a->next;
			iattr_free(a);
			return true;
		}
	}
	return false;
}

bool hmfs_iattr_entry_keeps(json_object *e)
{
	json_object_object_foreach(e, key, val) {
		(void)val;
		if (strcmp(key, "path") && strcmp(key, "memmap"))
			return true;
	}
	return false;
}

bool hmfs_iattr_same_node(json_object *a, json_object *b)
{
	const char *pa = json_object_get_string(json_object_object_get(a, "path")),
		   *pb = json_object_get_string(json_object_object_get(b, "path"));
	json_object *fa = json_object_object_get(a, "memmap"), *fb = json_object_object_get(b, "memmap");

	if (!pa || !pb)
		return false;
	if (!fa || !fb)
		return !fa && !fb && !strcmp(pa, pb);
	/* the same entry (range and type), the same file of it: N may differ */
	pa = strrchr(pa, '/');
	pb = strrchr(pb, '/');
	return json_object_equal(fa, fb) && pa && pb &&
	       (strspn(pa + 1, "0123456789") == strlen(pa + 1) ?
			strspn(pb + 1, "0123456789") == strlen(pb + 1) :
			!strcmp(pa, pb));
}

/* entries @a and @b keep the same values (their paths aside) */
static bool entry_values_same(json_object *a, json_object *b)
{
	if (json_object_object_length(a) != json_object_object_length(b))
		return false;
	json_object_object_foreach(a, key, va) {
		json_object *vb = NULL;

		if (strcmp(key, "path") &&
		    (!json_object_object_get_ex(b, key, &vb) || !json_object_equal(va, vb)))
			return false;
	}
	return true;
}

bool hmfs_iattrs_same(json_object *a, json_object *b)
{
	size_t n = json_object_array_length(a);

	if (json_object_equal(a, b))
		return true;
	if (!json_object_is_type(a, json_type_array) || !json_object_is_type(b, json_type_array) ||
	    n != json_object_array_length(b))
		return false;
	/* the texts differ: entry by entry (only a renumbered firmware map entry's path may) */
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		bool found = false;

		for (size_t k = 0; !found && k < n; k++) {
			json_object *f = json_object_array_get_idx(b, k);

			found = hmfs_iattr_same_node(e, f) && entry_values_same(e, f);
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * The path of the firmware map entry @fw (fwmap_json()) has now, into
 * @buf: @path (sys/firmware/memmap/N[/file]) with N its present number;
 * NULL when no entry has that range and type (or @fw is malformed)
 */
static const char *fwmap_path(struct hmfs_ctx *ctx, const char *path, json_object *fw, char *buf,
			      size_t len)
{
	json_object *start = hmfs_json_get(fw, "start", json_type_int),
		    *end = hmfs_json_get(fw, "end", json_type_int),
		    *type = hmfs_json_get(fw, "type", json_type_string);
	char dir[PATH_MAX];
	size_t dl;
	long index;
	int w;

	if (!start || !end || !type ||
	    hmfs_node_path(ctx, HMFS_INO(HMFS_C_STATIC, ctx->sn_fwmap + 1), dir, sizeof(dir)))
		return NULL;
	dl = strlen(dir);
	if (strncmp(path, dir, dl) || path[dl] != '/')
		return NULL;
	path += dl + 1;
	path += strspn(path, "0123456789");
	index = hmfs_fwmap_find(ctx, json_object_get_uint64(start), json_object_get_uint64(end),
				json_object_get_string(type));
	if (index < 0 || (*path && *path != '/'))
		return NULL;
	w = snprintf(buf, len, "%s/%ld%s", dir, index, path);
	return w < 0 || (size_t)w >= len ? NULL : buf;
}

/*
 * the node at @e's path into @n -- a firmware map entry's where its
 * entry ("memmap") is now; false (said) when there is none
 */
static bool iattr_entry_node(struct hmfs_ctx *ctx, json_object *e, struct hmfs_node *n)
{
	json_object *path = hmfs_json_get(e, "path", json_type_string),
		    *fw = json_object_object_get(e, "memmap");
	const char *given = path ? json_object_get_string(path) : NULL, *p = given;
	char moved[PATH_MAX];

	if (p && fw)
		p = fwmap_path(ctx, p, fw, moved, sizeof(moved));
	if (p && !hmfs_path_node(ctx, p, n))
		return true;
	fprintf(stderr, "hotmemfs: state file: no node %s%s: its mode, owner, times and xattrs are not restored\n",
		given ? given : "(no path)",
		given && !p ? " (no firmware map entry of its range and type)" : "");
	return false;
}

/*
 * Node @n keeps what @e says in @tbl, and nothing else (a path alone:
 * nothing) -- but a truncate's times, which no @e has (struct
 * iattr_trunc); how many entries @tbl has more (-1, 0, 1).
 */
static int iattr_entry_into(struct hmfs_iattr **tbl, const struct hmfs_node *n, json_object *e)
{
	struct hmfs_iattr *old = iattr_find_in(tbl, n->ino), *a;
	struct iattr_trunc trunc = old ? old->trunc : (struct iattr_trunc){ 0 };
	int more = iattr_drop_in(tbl, n->ino) ? -1 : 0;

	if ((hmfs_iattr_entry_keeps(e) || trunc.set) && (a = iattr_born(iattr_new_in(tbl, n->ino), n))) {
		iattr_entry_restore(a, n, e);
		a->trunc = trunc;
		more++;
	}
	return more;
}

/*
 * The kernel's cached attributes of @ino dropped, at once: the undo of a
 * refused chmod runs before the request's reply, and the mode it had set
 * may be cached already (a stat while the save was under way; attr
 * timeout 3600 s), which would let everybody write a root-only file.
 * fuse_reverse_inval_inode() (6.12) bumps the inode's attr_version, so
 * that a GETATTR answered before this and arriving after is dropped; it
 * takes no inode lock (the chmod's caller holds it) and sends us no
 * request (so iattr_lock may be held), and offset -1 leaves the page
 * cache alone (no page lock either).  Before the mount's INIT or
 * after its end the kernel is not asked (ENOSYS, or no session).
 */
static void iattr_inval(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct fuse_session *se = ctx->se;

	if (se)
		fuse_lowlevel_notify_inval_inode(se, ino, -1, 0);
}

static bool xattrs_same(const struct hmfs_xattr *x, const struct hmfs_xattr *y)
{
	for (; x && y; x = x->next, y = y->next)
		if (strcmp(x->name, y->name) || x->size != y->size ||
		    memcmp(x->value, y->value, x->size))
			return false;
	return !x && !y;
}

/* @a and @b say the same of their node (both may be NULL: nothing kept) */
static bool iattr_same(const struct hmfs_iattr *a, const struct hmfs_iattr *b)
{
	static const struct hmfs_iattr none;

	a = a ? a : &none;
	b = b ? b : &none;
	return a->chmod == b->chmod &&
	       (!a->chmod || (a->mode == b->mode && a->uid == b->uid && a->gid == b->gid)) &&
	       a->times == b->times &&
	       (!a->times || !memcmp(&a->atime, &b->atime, 3 * sizeof(a->atime))) &&
	       a->runtime_forbidden == b->runtime_forbidden && a->async_enabled == b->async_enabled &&
	       xattrs_same(a->xattrs, b->xattrs);
}

/*
 * The kernel forgets every node whose entry differs between @old (what
 * the table had) and @now (what it gets)
 */
static void iattr_inval_changed(struct hmfs_ctx *ctx, struct hmfs_iattr **old,
				struct hmfs_iattr **now)
{
	for (int i = 0; i < HMFS_IATTR_BUCKETS; i++) {
		for (struct hmfs_iattr *a = old[i]; a; a = a->next)
			if (!iattr_same(a, iattr_find_in(now, a->ino)))
				iattr_inval(ctx, a->ino);
		for (struct hmfs_iattr *a = now[i]; a; a = a->next)
			if (!iattr_find_in(old, a->ino) && !iattr_same(a, NULL))
				iattr_inval(ctx, a->ino);
	}
}

/* the entries @sel takes, and any of the inodes @now has, moved from ctx into @old */
static void iattr_take(struct hmfs_ctx *ctx, const struct iattr_sel *sel, struct hmfs_iattr **now,
		       struct hmfs_iattr **old)
{
	for (int i = 0; i < HMFS_IATTR_BUCKETS; i++) {
		for (struct hmfs_iattr **p = &ctx->iattr[i]; *p;) {
			struct hmfs_iattr *a = *p;

			if (!ino_in_sel(sel, a->ino) && !iattr_find_in(now, a->ino)) {
				p = &a->next;
				continue;
			}
			*p = a->next;
			a->next = old[i];
			old[i] = a;
		}
	}
}

/*
 * A truncate's times of the entries @old had kept with their nodes'
 * entries in @now (struct iattr_trunc): onto the entry there, or, where
 * the node keeps nothing else now, the old entry moved there with them
 * alone (after iattr_inval_changed() compared its values)
 */
static void trunc_carry(struct hmfs_iattr **old, struct hmfs_iattr **now)
{
	for (int i = 0; i < HMFS_IATTR_BUCKETS; i++) {
		for (struct hmfs_iattr **p = &old[i]; *p;) {
			struct hmfs_iattr *a = *p, *b;

			if (!a->trunc.set) {
				p = &a->next;
				continue;
			}
			b = iattr_find_in(now, a->ino);
			if (b) {
				b->trunc = a->trunc;
				p = &a->next;
				continue;
			}
			*p = a->next;
			/* the old entry itself: no allocation under the lock */
			*a = (struct hmfs_iattr){ .ino = a->ino, .trunc = a->trunc, .fw_start = a->fw_start,
						  .fw_end = a->fw_end, .xattrs = a->xattrs };
			xattrs_free(a);
			a->next = now[i];
			now[i] = a;
		}
	}
}

/* every entry of @now into ctx's table (none of its inodes is there) */
static void iattr_put_all(struct hmfs_ctx *ctx, struct hmfs_iattr **now)
{
	unsigned long nr = 0;

	for (int i = 0; i < HMFS_IATTR_BUCKETS; i++) {
		while (now[i]) {
			struct hmfs_iattr *a = now[i];

			now[i] = a->next;
			a->next = ctx->iattr[i];
			ctx->iattr[i] = a;
		}
		for (struct hmfs_iattr *a = ctx->iattr[i]; a; a = a->next)
			nr++;
	}
	__atomic_store_n(&ctx->nr_iattr, nr, __ATOMIC_RELAXED);
}

/*
 * The entries of @ranges' blocks and their nodes (every entry: NULL) as @entries say,
 * built aside (the paths ask the engine) and put in place at once under
 * iattr_lock: no lookup sees the table half made (a stat between two
 * entries would have cached a default mode).  The kernel forgets the
 * attributes of every node whose entry changed or went (iattr_inval()).
 */
static void iattr_restore_in(struct hmfs_ctx *ctx, json_object *entries, json_object *ranges)
{
	struct hmfs_iattr **now = calloc(2 * HMFS_IATTR_BUCKETS, sizeof(*now)), **old;
	size_t len = json_object_is_type(entries, json_type_array) ? json_object_array_length(entries) : 0;
	struct iattr_sel sel;
	struct hmfs_node n;

	if (!now) {
		fprintf(stderr, "hotmemfs: restoring modes, owners, times and xattrs: %s\n", strerror(ENOMEM));
		return;
	}
	old = now + HMFS_IATTR_BUCKETS;
	if (sel_init(ctx, ranges, &sel)) {
		fprintf(stderr, "hotmemfs: restoring modes, owners, times and xattrs: %s\n", strerror(ENOMEM));
		free(now);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(entries, i);

		if (iattr_entry_node(ctx, e, &n) && ino_in_sel(&sel, n.ino))
			iattr_entry_into(now, &n, e);
	}
	pthread_mutex_lock(&ctx->iattr_lock);
	iattr_take(ctx, &sel, now, old);
	/* under the lock: the kernel asks nothing of us while it forgets */
	iattr_inval_changed(ctx, old, now);
	trunc_carry(old, now);
	iattr_put_all(ctx, now);
	pthread_mutex_unlock(&ctx->iattr_lock);
	sel_free(&sel);
	iattr_free_table(old);
	free(now);
}

void hmfs_iattr_restore(struct hmfs_ctx *ctx, json_object *entries)
{
	iattr_restore_in(ctx, entries, NULL);
}

void hmfs_iattr_restore_ranges(struct hmfs_ctx *ctx, json_object *entries, json_object *ranges)
{
	iattr_restore_in(ctx, entries, ranges);
}

json_object *hmfs_iattr_entry_json(struct hmfs_ctx *ctx, uint64_t ino)
{
	char path[PATH_MAX];
	json_object *e, *v = NULL;
	struct hmfs_iattr *a;

	if (hmfs_node_path(ctx, ino, path, sizeof(path)))
		return NULL;
	pthread_mutex_lock(&ctx->iattr_lock);
	a = iattr_find(ctx, ino);
	if (a)
		v = iattr_entry_json(a);
	pthread_mutex_unlock(&ctx->iattr_lock);
	e = entry_head(ctx, ino, path);
	if (v) {
		json_object_object_foreach(v, key, val)
			json_object_object_add(e, key, json_object_get(val));
		json_object_put(v);
	}
	return e;
}

/* one node's entry as @entry says (an undo), and the kernel forgets its attributes */
void hmfs_iattr_restore_entry(struct hmfs_ctx *ctx, json_object *entry)
{
	struct hmfs_node n;
	long more;

	if (!iattr_entry_node(ctx, entry, &n))
		return;
	pthread_mutex_lock(&ctx->iattr_lock);
	more = iattr_entry_into(ctx->iattr, &n, entry);
	__atomic_add_fetch(&ctx->nr_iattr, (unsigned long)more, __ATOMIC_RELAXED);
	iattr_inval(ctx, n.ino);
	pthread_mutex_unlock(&ctx->iattr_lock);
}
