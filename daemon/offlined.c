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
 * "st_dev:st_ino", in the list's order: which memory it was.  A block
 * removed and added again under its number while hotmemd was down is new
 * memory, and its directory a new one, with an inode number never given
 * before this boot (other_memory() says why); hotmemfs gives each
 * block's incarnation its own key (within one mount: another st_dev, the
 * numbers are not compared).  A mark whose directory is another is
 * dropped (reread38 R2).  A record without line 3 (written before
 * 2026-12-03) keeps its marks.
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
#include <sys/stat.h>
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

/* memory@id's directory's st_dev and st_ino; false when it cannot be read */
static bool block_ino(const struct hmd *d, unsigned long id, unsigned long long *dev,
		      unsigned long long *ino)
{
	char name[32];
	struct stat st;

	snprintf(name, sizeof(name), "memory%lu", id);
	if (d->memdir_fd < 0 || fstatat(d->memdir_fd, name, &st, 0))
		return false;
	*dev = st.st_dev;
	*ino = st.st_ino;
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

static void fill_record(struct hmd *d, FILE *f, const void *arg)
{
	fprintf(f, "%s\n", d->offlined_key);
	hmd_format_list(d, f, marked);
	format_inos(d, f);
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
	b->offlined_dev = b->offlined_ino = 0;
	if (offlined && !block_ino(d, id, &b->offlined_dev, &b->offlined_ino))
		b->offlined_dev = b->offlined_ino = 0;
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

/* the next "DEV:INO" of line 3 at *@s (both 0: none left, or not that form) */
static void next_ino(const char **s, unsigned long long *dev, unsigned long long *ino)
{
	char *end;

	*dev = *ino = 0;
	if (!*s || !**s)
		return;
	*dev = strtoull(*s, &end, 10);
	if (*end == ':')
		*ino = strtoull(end + 1, &end, 10);
	else
		*dev = 0;
	*s = end;
}

/*
 * The record's blocks marked with the st_ino each had, if it is of this
 * boot (@key): present offline blocks only.  Line 3 is optional (a record
 * of before it: the marks kept, their memory not known).
 */
static void apply_record(struct hmd *d, const char *list, const char *inos)
{
	const char *at = inos ? inos + 3 : NULL;
	unsigned long i;

	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];
		unsigned long long dev, ino;

		if (!hmd_in_list(list, i))
			continue;
		next_ino(&at, &dev, &ino);
		if (b->present && !b->online) {
			b->offlined = true;
			b->offlined_dev = dev;
			b->offlined_ino = ino;
		}
	}
}

static void load_record(struct hmd *d, const char *key)
{
	char path[HMD_PATH_MAX + 16], *line = NULL, *list = NULL, *inos = NULL;
	size_t line_cap = 0, list_cap = 0, inos_cap = 0;
	bool has_inos;
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
			"%s: line 3 '%s' is not \"ino\" and the blocks' inode numbers: ignored", path,
			inos);
		goto out;
	}
	if (strcmp(line, key)) {
		hmd_log(d, LOG_INFO, "%s is of another boot or sysroot (\"%s\"): ignored", path,
			line);
		goto out;
	}
	apply_record(d, list, has_inos ? inos : NULL);
out:
	fclose(f);
	free(line);
	free(list);
	free(inos);
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
 * On another device the numbers say nothing: sysfs keeps its device for
 * the boot (a sysfs mount in another network namespace is another
 * superblock, another st_dev, over the same kernfs root), a new one is a
 * new hotmemfs mount (a restart of it: its incarnation keys, hence inode
 * numbers, are per mount), and the mark holds as a record of this boot.
 */
static bool other_memory(struct hmd *d, unsigned long id, const struct hmd_block *b)
{
	unsigned long long dev, ino;

	if (!b->offlined_ino || !block_ino(d, id, &dev, &ino))
		return false;
	if (dev != b->offlined_dev || ino == b->offlined_ino)
		return false;
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
