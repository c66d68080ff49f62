// SPDX-License-Identifier: MIT
/*
 * hotmemd: the blocks someone else offlined this boot, and the
 * state_dir/offlined file that keeps them across restarts (reread36 R9).
 *
 * hotmemd never offlines a block, so every block it sees go from online
 * to offline -- its OFFLINE uevent, a state read again after lost
 * uevents, a reload's rescan -- was offlined by someone else: an admin
 * before an unplug (chmem -d, a write of memoryN/state), a balloon
 * driver.  A start's coldplug onlines every offline block, and the
 * give-up line advises a restart to retry one: that restart onlined the
 * blocks the admin had offlined on purpose too.  So those blocks are
 * remembered, and a coldplug leaves them offline, until they go (a
 * REMOVE: what comes back is new memory, its ADD decided as any) or
 * someone onlines them.
 *
 * The file: line 1 "boot_id ID sysroot PATH", line 2 the blocks ("16,20-23",
 * empty: none), line 3 "ino" and each listed block's memoryN
 * "st_dev:st_ino", in the list's order: which memory it was; line 4
 * "mnt" and the unique id of the mount each was read through (0: not
 * known), in the same order.  A block removed and added again under its
 * number while hotmemd was down is new memory, and its directory a new
 * one, with an inode number never given before in that mount
 * (other_memory() says why).  A mark whose directory is another is
 * dropped (reread38 R2).  A record without line 3 (written before
 * 2026-12-03) keeps its marks; one without line 4 (before 2026-12-04)
 * too, but on sysfs (reread39 R1).  Line 4 is a line of its own so that
 * an older hotmemd reads lines 1-3 as it wrote them.
 *
 * ID is the sysroot's /proc/sys/kernel/random/boot_id where it has one
 * (hotmemfs's, kept in its state file), else this host's: a record of
 * another boot (or sysroot) is ignored, its blocks' offline states being
 * another machine's.  A dry run reads it, never writes it (as
 * boot-blocks, bootblocks.c).  Written and read as boot-blocks is
 * (statefile.c), once an event-loop turn that changed a mark is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

/* the boot and sysroot a record is of: @key */
static void offlined_key(struct hmd *d, char *key, size_t len)
{
	char path[HMD_PATH_MAX + 40], id[64];

	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", d->cfg.sysroot);
	if (hmd_read_attr(AT_FDCWD, path, id, sizeof(id)) <= 0 || strchr(id, ' '))
		if (hmd_read_attr(AT_FDCWD, "/proc/sys/kernel/random/boot_id", id, sizeof(id)) <= 0 ||
		    strchr(id, ' '))
			snprintf(id, sizeof(id), "unknown");
	snprintf(key, len, "boot_id %s sysroot %s", id, d->cfg.sysroot);
}

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U /* include/uapi/linux/stat.h, Linux 6.8+ */
#endif

/*
 * memory@id's directory's st_dev and st_ino, and the unique id of the
 * mount it is read through (@mnt 0: not known, a kernel before 6.8, whose
 * statx leaves STATX_MNT_ID_UNIQUE out of stx_mask); false when it cannot
 * be read.  6.12 fs/stat.c vfs_statx_path(): the id is
 * real_mount(mnt)->mnt_id_unique, never given to another mount this boot.
 */
static bool block_ino(const struct hmd *d, unsigned long id, unsigned long long *dev,
		      unsigned long long *ino, unsigned long long *mnt)
{
	char name[32];
	struct statx stx;

	snprintf(name, sizeof(name), "memory%lu", id);
	if (d->memdir_fd < 0 ||
	    statx(d->memdir_fd, name, AT_NO_AUTOMOUNT, STATX_INO | STATX_MNT_ID_UNIQUE, &stx) ||
	    !(stx.stx_mask & STATX_INO))
		return false;
	*dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	*ino = stx.stx_ino;
	*mnt = stx.stx_mask & STATX_MNT_ID_UNIQUE ? stx.stx_mnt_id : 0;
	return true;
}

static void offlined_path(const struct hmd *d, char *path, size_t len)
{
	snprintf(path, len, "%s/offlined", d->cfg.state_dir);
}

/*
 * a block the list names: marked, present or not, as a coldplug's scan
 * marks them absent until it meets them (hmd_offlined_load() drops
 * those it did not meet)
 */
static bool marked(const struct hmd_block *b)
{
	return b->offlined;
}

/* line 3: "ino" and the marked blocks' "st_dev:st_ino", in line 2's order */
static void format_inos(const struct hmd *d, FILE *f)
{
	unsigned long i;

	fputs("ino", f);
	for (i = 0; i < d->nblk; i++)
		if (d->blk[i].offlined)
			fprintf(f, " %llu:%llu", d->blk[i].offlined_dev, d->blk[i].offlined_ino);
	fputc('\n', f);
}

/* line 4: "mnt" and the marked blocks' mount ids, in line 2's order */
static void format_mnts(const struct hmd *d, FILE *f)
{
	unsigned long i;

	fputs("mnt", f);
	for (i = 0; i < d->nblk; i++)
		if (d->blk[i].offlined)
			fprintf(f, " %llu", d->blk[i].offlined_mnt);
	fputc('\n', f);
}

static void fill_record(struct hmd *d, FILE *f, const void *arg)
{
	fprintf(f, "%s\n", d->offlined_key);
	hmd_format_list(d, f, marked);
	format_inos(d, f);
	format_mnts(d, f);
}

/*
 * The record written anew (statefile.c: a reader sees the old one or the
 * new one): only by a writer with a state dir, once a coldplug said
 * which boot it is of (hmd_offlined_load()).  Failing, said; the blocks
 * stay marked in memory, and the next change tries again.
 */
static void offlined_save(struct hmd *d)
{
	char path[HMD_PATH_MAX + 16];

	d->offlined_unsaved = true;
	if (!d->cfg.state_dir[0] || d->cfg.dry_run || !d->offlined_key[0])
		return;
	offlined_path(d, path, sizeof(path));
	if (hmd_state_write(d, path, fill_record, NULL)) {
		hmd_log(d, LOG_WARNING,
			"cannot record the blocks offlined by someone else in %s: %m (a restart onlines them)",
			path);
		return;
	}
	d->offlined_unsaved = false;
}

static int on_offlined_flush(sd_event_source *s, void *userdata)
{
	hmd_offlined_flush(userdata);
	return 0;
}

/*
 * A mark changed: the record is written once this event-loop turn is
 * done, not at each mark.  A storm of N offlines (chmem -d of a whole
 * DIMM, a balloon driver) was N writes of the whole record, O(N) each:
 * 4096 blocks, 4096 writes of up to 60 KiB (docs/hotmemd.md has the
 * numbers).  A defer source at SD_EVENT_PRIORITY_IMPORTANT runs before
 * any other event is dispatched: the uevents drained in one wakeup
 * (uevent.c receive()) and a rescan's reads are one write.  Without a
 * loop (unit tests), or if the source cannot be made, written now.
 */
static void offlined_schedule(struct hmd *d)
{
	d->offlined_unsaved = true;
	if (d->ev && !d->offlined_src &&
	    (sd_event_add_defer(d->ev, &d->offlined_src, on_offlined_flush, d) < 0 ||
	     sd_event_source_set_priority(d->offlined_src, SD_EVENT_PRIORITY_IMPORTANT) < 0))
		d->offlined_src = sd_event_source_disable_unref(d->offlined_src);
	if (!d->offlined_src || sd_event_source_set_enabled(d->offlined_src, SD_EVENT_ONESHOT) < 0)
		offlined_save(d);
}

/*
 * When is a mark acknowledged, i.e. sure to survive a kill -9?  Once
 * the record holding it is renamed into place (statefile.c), at the end
 * of the event-loop turn that made it (offlined_schedule()).  Nothing is
 * told of a mark before: a uevent is a datagram nobody waits an answer
 * for, and what hotmemd says afterwards -- SIGUSR1's status, a reload's
 * "reloaded" file, the next uevent's handling -- comes in a later turn.
 * A kill -9 within the turn loses its marks as it loses the datagrams
 * still queued on the socket.
 */
void hmd_offlined_flush(struct hmd *d)
{
	if (d->offlined_unsaved)
		offlined_save(d);
}

/* at exit: the marks of the last turn written (a SIGTERM ends the loop before the defer runs) */
void hmd_offlined_end(struct hmd *d)
{
	hmd_offlined_flush(d);
	d->offlined_src = sd_event_source_disable_unref(d->offlined_src);
}

void hmd_offlined_set(struct hmd *d, unsigned long id, bool offlined)
{
	struct hmd_block *b = &d->blk[id];

	if (b->offlined == offlined)
		return;
	b->offlined = offlined;
	/* which memory was offlined: its directory (the file's comment) */
	b->offlined_dev = b->offlined_ino = b->offlined_mnt = 0;
	if (offlined && !block_ino(d, id, &b->offlined_dev, &b->offlined_ino, &b->offlined_mnt))
		b->offlined_dev = b->offlined_ino = b->offlined_mnt = 0;
	offlined_schedule(d);
}

/* one whole line (statefile.c: any length -- a fixed buffer lost every mark past some 680 runs, reread38 R8) */
static bool read_line(FILE *f, char **buf, size_t *cap)
{
	bool cut;

	return hmd_state_line(f, buf, cap, &cut) && !cut;
}

/* line 3 as format_inos() writes it: "ino", then " DEV:INO" for each listed block */
static bool inos_valid(const char *s)
{
	if (strncmp(s, "ino", 3))
		return false;
	for (s += 3; *s; s++)
		if (*s != ' ' && *s != ':' && (*s < '0' || *s > '9'))
			return false;
	return true;
}

/* line 4 as format_mnts() writes it: "mnt", then " ID" for each listed block */
static bool mnts_valid(const char *s)
{
	if (strncmp(s, "mnt", 3))
		return false;
	for (s += 3; *s; s++)
		if (*s != ' ' && (*s < '0' || *s > '9'))
			return false;
	return true;
}

/*
 * One number of lines 3 and 4, all 64 bits (statx's stx_ino and
 * stx_mnt_id are u64; kernfs's inode number holds its wrap count in the
 * high 32 bits); 0, not known, past them: strtoull()'s ULLONG_MAX read as
 * another directory, and the mark of a damaged record was dropped, its
 * block onlined, where an unknown number holds it (daemon40).
 */
static unsigned long long record_number(const char *s, char **end)
{
	unsigned long long v;

	errno = 0;
	v = strtoull(s, end, 10);
	return errno == ERANGE ? 0 : v;
}

/* the next " ID" of line 4 at *@s (0: none left, or not known) */
static unsigned long long next_mnt(const char **s)
{
	char *end;
	unsigned long long mnt;

	if (!*s || !**s)
		return 0;
	mnt = record_number(*s, &end);
	*s = end;
	return mnt;
}

/* the next "DEV:INO" of line 3 at *@s (both 0: none left, or not that form) */
static void next_ino(const char **s, unsigned long long *dev, unsigned long long *ino)
{
	char *end;

	*dev = *ino = 0;
	if (!*s || !**s)
		return;
	*dev = record_number(*s, &end);
	if (*end == ':')
		*ino = record_number(end + 1, &end);
	else
		*dev = 0;
	*s = end;
}

/*
 * The record's blocks marked with the st_ino each had and the mount it was
 * read through, if it is of this boot (@key): present offline blocks
 * only.  Lines 3 and 4 are optional (a record of before them: the marks
 * kept, their memory or mount not known).
 */
static void apply_record(struct hmd *d, const char *list, const char *inos, const char *mnts)
{
	const char *at = inos ? inos + 3 : NULL, *mat = mnts ? mnts + 3 : NULL;
	unsigned long i;

	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];
		unsigned long long dev, ino, mnt;

		if (!hmd_in_list(list, i))
			continue;
		next_ino(&at, &dev, &ino);
		mnt = next_mnt(&mat);
		if (b->present && !b->online) {
			b->offlined = true;
			b->offlined_dev = dev;
			b->offlined_ino = ino;
			b->offlined_mnt = mnt;
		}
	}
}

static void load_record(struct hmd *d, const char *key)
{
	char path[HMD_PATH_MAX + 16], *line = NULL, *list = NULL, *inos = NULL, *mnts = NULL;
	size_t line_cap = 0, list_cap = 0, inos_cap = 0, mnts_cap = 0;
	bool has_inos, has_mnts = false;
	FILE *f;

	offlined_path(d, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (!read_line(f, &line, &line_cap) || !read_line(f, &list, &list_cap) ||
	    hmd_check_block_list(list)) {
		hmd_log(d, LOG_WARNING,
			"%s is not a record of offlined blocks (\"boot_id ID sysroot PATH\", then a list like 16,20-23): ignored",
			path);
		goto out;
	}
	has_inos = read_line(f, &inos, &inos_cap);
	if (has_inos && !inos_valid(inos)) {
		hmd_log(d, LOG_WARNING,
			"%s: line 3 '" HMD_QUOTE_FMT
			"' is not \"ino\" and the blocks' inode numbers: ignored",
			path, HMD_QUOTE(inos));
		goto out;
	}
	if (has_inos)
		has_mnts = read_line(f, &mnts, &mnts_cap);
	if (has_mnts && !mnts_valid(mnts)) {
		hmd_log(d, LOG_WARNING,
			"%s: line 4 '" HMD_QUOTE_FMT
			"' is not \"mnt\" and the blocks' mount ids: ignored",
			path, HMD_QUOTE(mnts));
		goto out;
	}
	if (strcmp(line, key)) {
		hmd_log(d, LOG_INFO,
			"%s is of another boot or sysroot (\"" HMD_QUOTE_FMT "\"): ignored", path,
			HMD_QUOTE(line));
		goto out;
	}
	apply_record(d, list, has_inos ? inos : NULL, has_mnts ? mnts : NULL);
out:
	fclose(f);
	free(line);
	free(list);
	free(inos);
	free(mnts);
}

/*
 * A marked block whose directory is another than the one marked: it was
 * removed and added again under its number (while hotmemd was down, or
 * its REMOVE and ADD lost), new memory, decided as any (reread38 R2).
 *
 * What the kernel guarantees, 6.12 fs/kernfs/dir.c and
 * include/linux/kernfs.h: __kernfs_new_node() (from kernfs_new_node(),
 * for each directory device_add() makes) takes its id from
 * idr_alloc_cyclic(&root->ino_idr, kn, 1, 0, ...): 1..INT_MAX, each
 * after the last one given, so a freed id comes back only when the
 * allocator wraps; and a wrap (ret < root->last_id_lowbits) bumps
 * root->id_highbits, kn->id = (u64)id_highbits << 32 | ret.
 * kernfs_init_inode() makes i_ino kernfs_ino(kn) = kernfs_id_ino(kn->id),
 * which is the whole 64-bit id where ino_t is 64-bit (kernfs_id_gen() is
 * then 1; the generation lives in the high bits of the inode number).  So
 * on a 64-bit kernel a memoryN directory made anew never has the inode
 * number of an earlier one in the same kernfs root -- sysfs has one for
 * the boot -- and st_ino differs.  A 32-bit kernel (ino_t of 32 bits:
 * i_ino the low 32 bits, the generation in i_generation, not in stat)
 * repeats an inode number after 2^31 node creations: a reused number
 * there keeps a mark on new memory (left offline, as before R2).
 *
 * So on sysfs the numbers are compared on the same device (a sysfs
 * mount in another network namespace is another superblock, another
 * st_dev, over the same kernfs root: not compared, the mark holds).
 *
 * Elsewhere -- hotmemfs, a FUSE filesystem -- only within one mount
 * (reread39 R1).  A device number says nothing there: a FUSE mount takes
 * an anonymous one (6.12 fs/super.c get_anon_bdev(): ida_alloc_range(),
 * the lowest free), so hotmemfs restarted while hotmemd is down --
 * systemctl restart hotmemfs with hotmemd-emulation.conf (BindsTo=,
 * After=) -- gets the old number back, and it numbers each block's
 * incarnations anew per mount (fusefs/incarn.c): a block removed and
 * added once before the restart has another st_ino as the same memory.
 * The mount's unique id (statx STATX_MNT_ID_UNIQUE, Linux 6.8+) is never
 * given again this boot: the numbers are compared when the recorded and
 * present ids are both known and equal, else the mark holds as a record
 * of this boot.  Sysfs is not held to it: systemd makes hotmemd.service a
 * new mount namespace at each start (ProtectSystem=), every mount in it
 * a copy with a new id, and kernfs's numbers need none.  On hotmemfs
 * under that unit a start therefore compares no mark's numbers: a marked
 * block removed and added while hotmemd was down stays offline (the safe
 * side; docs/hotmemd.md's known limit: a hotmemfs instance id would tell).
 */
static bool same_numbering(const struct hmd *d, const struct hmd_block *b, unsigned long long dev,
			   unsigned long long mnt)
{
	struct statfs sf;

	if (dev != b->offlined_dev)
		return false;
	if (mnt && mnt == b->offlined_mnt)
		return true;
	return !fstatfs(d->memdir_fd, &sf) && sf.f_type == SYSFS_MAGIC;
}

/*
 * A mark held whose directory could not be compared (another mount, a
 * record without its inode or mount): the memory it is of from now on is
 * the one present, left offline as the admin's -- so that its removal and
 * addition in this mount is told at a later start.  Written with the
 * coldplug's record (hmd_offlined_load()).
 */
static void anchor(struct hmd *d, struct hmd_block *b, unsigned long long dev,
		   unsigned long long ino, unsigned long long mnt)
{
	if (b->offlined_dev == dev && b->offlined_ino == ino && b->offlined_mnt == mnt)
		return;
	b->offlined_dev = dev;
	b->offlined_ino = ino;
	b->offlined_mnt = mnt;
	d->offlined_unsaved = true;
}

static bool other_memory(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	unsigned long long dev, ino, mnt;

	if (!block_ino(d, id, &dev, &ino, &mnt))
		return false;
	if (!b->offlined_ino || !same_numbering(d, b, dev, mnt) || ino == b->offlined_ino) {
		anchor(d, b, dev, ino, mnt);
		return false;
	}
	hmd_log_ev(d, LOG_INFO, HMD_MSGID_DECISION, id, NULL, NULL, 0,
		   "not the memory offlined by someone else this boot (its directory is new: removed and added again): decided as any");
	return true;
}

/*
 * At each coldplug, after its scan: which blocks someone else offlined.
 * The same boot and sysroot as the last coldplug of this process (a
 * reload, the sysroot's return): the marks kept in memory hold (a dry
 * run's too, which wrote none; one that became a writer writes them
 * now).  Else (a start, the sysroot come back as another machine) they
 * are the record's, if it is of this boot.  A mark of a block read
 * online is dropped: someone onlined it; of a block whose directory is
 * another: new memory.
 */
void hmd_offlined_load(struct hmd *d)
{
	char key[sizeof(d->offlined_key)];
	unsigned long i;
	bool dropped = false;

	offlined_key(d, key, sizeof(key));
	if (strcmp(key, d->offlined_key)) {
		for (i = 0; i < d->nblk; i++)
			d->blk[i].offlined = false;
		snprintf(d->offlined_key, sizeof(d->offlined_key), "%s", key);
		if (d->cfg.state_dir[0])
			load_record(d, key);
	}
	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];

		if (b->offlined && (!b->present || b->online || other_memory(d, i, b))) {
			b->offlined = false;
			dropped = true;
		}
	}
	if (dropped || d->offlined_unsaved)
		offlined_save(d); /* now: a coldplug is one turn anyway */
}
