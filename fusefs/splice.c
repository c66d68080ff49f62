// SPDX-License-Identifier: GPL-2.0
/*
 * splice(2) and sendfile(2) readers of hotmemfs's files, on kernels whose
 * FUSE splices a FOPEN_DIRECT_IO file through the page cache.
 *
 * kernfs and procfs splice through read_iter (.splice_read =
 * copy_splice_read: 6.12+ fs/kernfs/file.c kernfs_file_fops, fs/proc/
 * inode.c proc_iter_file_ops), so a splice reads what read(2) reads.
 * FUSE's fuse_splice_read() (fs/fuse/file.c, 6.12 to 6.18) calls
 * filemap_splice_read() whatever FOPEN_DIRECT_IO says, until Joanne
 * Koong's "fuse: use copy_splice_read() for direct io splice reads"
 * (Fixes 2cb1e08985e3): a READ into the page cache, bounded by i_size.
 * Our reply to it is short -- an attribute's text, never its fake 4096
 * -- and a short page-cache read is EOF to FUSE: fuse_short_read() ->
 * fuse_read_update_size() shrinks i_size to that text's length, and it
 * stays so while the inode's attributes are cached (attr_timeout, an
 * hour): the next open's splice read that many bytes of the new text
 * ("Normal M" of "Normal Movable", abuse27 F1).  Each open drops the
 * page cache (no FOPEN_KEEP_CACHE: fuse_open()), so the text is fresh;
 * only i_size is stale.
 *
 * Such a READ is told from read(2)'s by its lock owner: a direct read
 * carries current->files' (fuse_send_read(): FUSE_READ_LOCKOWNER), a
 * page-cache one none (fuse_read_args_fill() from read_folio and
 * readahead), and libfuse passes lock_owner whatever read_flags say (0
 * here).  Its inode is remembered; the next OPEN of it puts i_size back
 * to what stat says (hmfs_stat(): 4096 for an attribute) before the
 * reply, by a one-byte notify_store at its last byte: FUSE extends
 * i_size to a store's end (fuse_notify_store() ->
 * fuse_write_update_attr()), and the folio the store makes, not
 * uptodate, goes with the page cache fuse_open() drops after our reply.
 * Not at the short READ itself: the reader shrinks i_size only after our
 * reply, and an i_size put back before that, with the attribute version
 * it bumps, would skip the shrink and splice the folio's zeros up to
 * 4096.  The store waits for folio 0's lock, which a concurrent page-cache
 * reader of the inode holds until its READ is answered: so that OPEN goes
 * to a worker (fs.c may_wait()), and only inodes whose READs the session
 * thread or a ring queue serves are remembered -- those workers serve
 * (the files of firmware/memmap/N, whose text never changes; /proc/iomem, size 0)
 * need no restore.  read(2) readers pay little: their READs carry an
 * owner and are not remembered; their OPENs cost one atomic load while
 * no spliced inode awaits its next open, and splice_lock and a hash
 * look-up on the session thread while any does (one may wait for its
 * next OPEN or its FORGET for as long as the kernel keeps it: reread27
 * R7).  An
 * inode the kernel forgets takes its record along (FORGET: its next one
 * comes from a LOOKUP, with the size), so what is kept is bounded by the
 * inodes the kernel holds.
 *
 * One race is left: the store bumps the attribute version before it
 * waits for folio 0, so a second splicer whose READ is in flight then
 * keeps i_size at the restored size (its shrink skipped) and copies the
 * folio's zeros after the text -- two splicers of one file, one opening
 * as the other reads, after an earlier splice of it.  Without the restore
 * that second one read its text cut short instead.
 *
 * A procfs file's st_size is 0, and filemap_splice_read() asks no READ
 * at i_size 0, so every OPEN of one puts i_size at its text's length
 * (sized_at_open()).  What this cannot do: a stat between the open and
 * the splice (shutil.copyfile()'s fstat) is a GETATTR, the store having
 * invalidated the size, and sets it back to 0 (docs/hotmemfs.md "Known
 * differences").
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "hmfs.h"

/* an inode a short page-cache READ shrank, until its next OPEN */
struct hmfs_spliced {
	struct hmfs_hnode h;
};

void hmfs_splice_init(struct hmfs_ctx *ctx)
{
	pthread_mutex_init(&ctx->splice_lock, NULL);
}

void hmfs_splice_read_seen(struct hmfs_ctx *ctx, uint64_t ino, uint64_t lock_owner)
{
	struct hmfs_spliced *s;

	if (lock_owner)
		return; /* read(2): a direct read, i_size untouched */
	pthread_mutex_lock(&ctx->splice_lock);
	if (hmfs_htab_find(&ctx->spliced, ino))
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out; /* the next splice of it reads short, as before */
	s->h.key = ino;
	if (!hmfs_htab_add(&ctx->spliced, &s->h)) {
		free(s);
		goto out;
	}
	__atomic_add_fetch(&ctx->nr_spliced, 1, __ATOMIC_RELAXED);
out:
	pthread_mutex_unlock(&ctx->splice_lock);
}

/*
 * A procfs file (static): every OPEN of it puts i_size at its text's
 * length.  Its st_size is 0 (procfs's, kept: stat(2), `wc -c`, `tail` and
 * `cp` of the kernel's /proc expect it), so filemap_splice_read() asked
 * no READ and a splice read nothing: `busybox cat /proc/meminfo` (sendfile)
 * printed nothing, where 6.12 splices every seq_file of procfs whole
 * (fs/proc/inode.c proc_iter_file_ops: .splice_read = copy_splice_read;
 * meminfo, zoneinfo, buddyinfo, vmstat, pagetypeinfo, iomem are
 * proc_create_single()/proc_create_seq() files, read_iter) and every
 * /proc/sys file (proc_sys_file_operations, copy_splice_read through
 * proc_sys_read()).  A /proc/sys file had it worse: a write left i_size
 * at the write's end (FUSE's fuse_write_update_attr() after a write past
 * i_size 0) until the next GETATTR, so a later splice read that many bytes
 * of the value -- "1" of "12345" after `echo 5 >` -- and none at all once a
 * truncate's SETATTR (`: >`, a failed `echo junk >`) set it back to 0;
 * 6.12's truncate of one changes nothing (proc_sys_setattr():
 * setattr_copy() copies no size).  The splice's READ renders the text anew
 * at 0 (fs.c of_render(), as seq_read_iter() does) and its short reply
 * shrinks i_size to that text's length, as a sysfs attribute's; a text
 * grown between the OPEN and the READ is cut at the OPEN's length.
 * Not /proc/iomem: its text is the opener's (zeros without CAP_SYS_ADMIN,
 * 6.12 r_show()), but the page cache a splice reads is the inode's: an
 * unprivileged opener's splice after a root opener's filled it read
 * root's addresses (reread32 R3), so a splice of it still reads nothing.
 * /proc/cmdline has its length as st_size already (6.18); kpageflags and
 * kpagecount are proc_read files, which 6.12 does not splice at all
 * (proc_reg_file_ops has no .splice_read: EINVAL, and busybox reads them
 * instead): not sized here, a splice of them reads nothing.
 */
static bool sized_at_open(enum hmfs_attr a)
{
	/* procfs's files, every /proc/sys one among them (reread32 R5: one list) */
	if (!hmfs_attr_is_seq(a))
		return false;
	switch (a) {
	case A_CMDLINE: /* st_size its length already */
	case A_IOMEM: /* the opener's text in a shared page cache (above) */
	case A_KPAGEFLAGS: /* proc_read files: 6.12 does not splice them */
	case A_KPAGECOUNT:
		return false;
	default:
		return true;
	}
}

static bool sized_ino(const struct hmfs_ctx *ctx, uint64_t ino)
{
	uint64_t v = HMFS_INO_VAL(ino);

	return HMFS_INO_CLASS(ino) == HMFS_C_STATIC && v >= 1 && v <= (uint64_t)ctx->nr_snodes &&
	       sized_at_open(ctx->snodes[v - 1].attr);
}

bool hmfs_splice_open_pending(struct hmfs_ctx *ctx, uint64_t ino)
{
	bool found;

	if (sized_ino(ctx, ino))
		return true;
	if (!__atomic_load_n(&ctx->nr_spliced, __ATOMIC_RELAXED))
		return false;
	pthread_mutex_lock(&ctx->splice_lock);
	found = hmfs_htab_find(&ctx->spliced, ino) != NULL;
	pthread_mutex_unlock(&ctx->splice_lock);
	return found;
}

bool hmfs_splice_forget(struct hmfs_ctx *ctx, uint64_t ino)
{
	struct hmfs_hnode *h;

	if (!__atomic_load_n(&ctx->nr_spliced, __ATOMIC_RELAXED))
		return false;
	pthread_mutex_lock(&ctx->splice_lock);
	h = hmfs_htab_del(&ctx->spliced, ino);
	if (h)
		__atomic_sub_fetch(&ctx->nr_spliced, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ctx->splice_lock);
	free(h);
	return h != NULL;
}

/*
 * The byte a procfs file's OPEN stores: the last of its text now, so that
 * i_size is the text's length, and the byte what a READ puts there.  Not
 * at a page: a concurrent change of the inode's attributes (another
 * opener's store, a GETATTR, a truncate) while a splice's READ is in
 * flight makes FUSE skip that READ's shrink (fuse_read_update_size()), and
 * the splice copies the folio's zeros up to i_size -- 4 KiB of NULs after
 * "2872" for three busybox cats of one file at once.  Not a zero: a store
 * lands in a folio a concurrent READ filled ("2872\0").  Length 0: no store.
 */
static off_t proc_last_byte(struct hmfs_ctx *ctx, const struct hmfs_node *n, char *last)
{
	char *text = NULL;
	size_t len = 0;

	if (hmfs_show_seq(ctx, n, &text, &len) < 0)
		len = 0; /* its READ answers the error: nothing to splice */
	if (len)
		*last = text[len - 1];
	free(text);
	return (off_t)len;
}

void hmfs_splice_open_restore(struct hmfs_ctx *ctx, uint64_t ino, const struct hmfs_node *n)
{
	char byte = 0;
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(1);
	bool spliced = hmfs_splice_forget(ctx, ino);
	struct stat st;

	if (sized_at_open(n->attr)) {
		/* not counted: splice-size-restores counts the splices put right */
		st.st_size = proc_last_byte(ctx, n, &byte);
	} else {
		if (!spliced)
			return;
		hmfs_stat(ctx, n, &st);
		__atomic_add_fetch(&ctx->splice_restores, 1, __ATOMIC_RELAXED);
	}
	if (st.st_size <= 0)
		return;
	bv.buf[0].mem = &byte;
	/*
	 * -ENOENT: the kernel dropped the inode meanwhile, its next one
	 * comes from a LOOKUP with the size; any other failure leaves the
	 * next splice short, as it was
	 */
	fuse_lowlevel_notify_store(ctx->se, ino, st.st_size - 1, &bv, 0);
}

void hmfs_splice_fini(struct hmfs_ctx *ctx)
{
	struct hmfs_hnode *e, *next;

	for (e = hmfs_htab_take_all(&ctx->spliced); e; e = next) {
		next = e->next;
		free(e);
	}
	ctx->nr_spliced = 0;
	pthread_mutex_destroy(&ctx->splice_lock);
}
