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
 * memory, and its
 * directory a new one: 6.12 kernfs gives each kernfs_node an id of its
 * own (idr_alloc_cyclic(), its high 32 bits a generation on a wrap),
 * st_ino on a 64-bit ino_t, never reused within a boot; hotmemfs gives
 * each block's incarnation its own key (within one mount: another
 * st_dev, the numbers are not compared).  A mark whose directory is
 * another is dropped (reread38 R2).  A record without line 3 (written
 * before 2026-12-03) keeps its marks.
 *
 * ID is the sysroot's /proc/sys/kernel/random/boot_id where it has one (hotmemfs's, kept in its state file), else this host's: a
 * record of another boot (or sysroot) is ignored, its blocks' offline
 * states being another machine's.  A dry run reads it, never writes it
 * (as boot-blocks, bootblocks.c).
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

/*
 * The record written anew (by rename: a reader sees the old one or the
 * new one): only by a writer with a state dir, once a coldplug said
 * which boot it is of (hmd_offlined_load()).  Failing, said; the blocks
 * stay marked in memory, and the next change tries again.
 */
static void offlined_save(struct hmd *d)
{
	char path[HMD_PATH_MAX + 16], tmp[HMD_PATH_MAX + 32];
	FILE *f;

	if (!d->cfg.state_dir[0] || d->cfg.dry_run || !d->offlined_key[0]) {
		d->offlined_unsaved = true;
		return;
	}
	offlined_path(d, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (hmd_state_dir_make(d))
		goto fail;
	f = fopen(tmp, "we");
	if (!f)
		goto fail;
	fprintf(f, "%s\n", d->offlined_key);
	hmd_format_list(d, f, marked);
	format_inos(d, f);
	if (fclose(f)) {
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		goto fail;
	}
	d->offlined_unsaved = false;
	return;
fail:
	d->offlined_unsaved = true;
	hmd_log(d, LOG_WARNING,
		"cannot record the blocks offlined by someone else in %s: %m (a restart onlines them)",
		path);
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
	offlined_save(d);
}

/*
 * One line of @f into *@buf (getline(): any length -- a fixed buffer lost
 * every mark once some 680 scattered runs made line 2 longer, reread38
 * R8) without its newline; false: none, or the file ends inside it
 */
static bool read_line(FILE *f, char **buf, size_t *cap)
{
	ssize_t n = getline(buf, cap, f);

	if (n <= 0 || (*buf)[n - 1] != '\n')
		return false;
	(*buf)[n - 1] = '\0';
	return true;
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
 * its REMOVE and ADD lost), new memory, decided as any (reread38 R2).  On
 * another device the numbers say nothing: sysfs keeps its device for the
 * boot, a new one is a new hotmemfs mount (a restart of it: its
 * incarnation keys, hence inode numbers, are per mount), and the mark
 * holds as a record of this boot.
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
		offlined_save(d);
}
