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
 * empty: none).  ID is the sysroot's /proc/sys/kernel/random/boot_id where
 * it has one (hotmemfs's, kept in its state file), else this host's: a
 * record of another boot (or sysroot) is ignored, its blocks' offline
 * states being another machine's.  A dry run reads it, never writes it
 * (as boot-blocks, bootblocks.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

static void offlined_path(const struct hmd *d, char *path, size_t len)
{
	snprintf(path, len, "%s/offlined", d->cfg.state_dir);
}

/*
 * the marked blocks as a list "16,20-23": present or not, as a coldplug's
 * scan marks them absent until it meets them (hmd_offlined_load() drops
 * those it did not meet)
 */
static void format_marked(const struct hmd *d, FILE *f)
{
	unsigned long i, start = 0;
	bool in = false, first = true;

	for (i = 0; i <= d->nblk; i++) {
		bool m = i < d->nblk && d->blk[i].offlined;

		if (m && !in) {
			start = i;
			in = true;
		} else if (!m && in) {
			fprintf(f, "%s%lu", first ? "" : ",", start);
			if (i - 1 > start)
				fprintf(f, "-%lu", i - 1);
			first = false;
			in = false;
		}
	}
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
	format_marked(d, f);
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
	offlined_save(d);
}

/*
 * One line of @f into @buf without its newline; false: none, or longer
 * than @len
 */
static bool read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (!fgets(buf, len, f))
		return false;
	n = strlen(buf);
	if (!n || buf[n - 1] != '\n')
		return false;
	buf[n - 1] = '\0';
	return true;
}

/* the record's blocks marked, if it is of this boot (@key): present blocks only */
static void load_record(struct hmd *d, const char *key)
{
	char path[HMD_PATH_MAX + 16], line[HMD_PATH_MAX + 128], list[4096];
	unsigned long i;
	FILE *f;

	offlined_path(d, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (!read_line(f, line, sizeof(line)) || !read_line(f, list, sizeof(list)) ||
	    hmd_check_block_list(list)) {
		fclose(f);
		hmd_log(d, LOG_WARNING,
			"%s is not a record of offlined blocks (\"boot_id ID sysroot PATH\", then a list like 16,20-23): ignored",
			path);
		return;
	}
	fclose(f);
	if (strcmp(line, key)) {
		hmd_log(d, LOG_INFO, "%s is of another boot or sysroot (\"%s\"): ignored", path,
			line);
		return;
	}
	for (i = 0; i < d->nblk; i++)
		if (d->blk[i].present && !d->blk[i].online && hmd_in_list(list, i))
			d->blk[i].offlined = true;
}

/*
 * At each coldplug, after its scan: which blocks someone else offlined.
 * The same boot and sysroot as the last coldplug of this process (a
 * reload, the sysroot's return): the marks kept in memory hold (a dry
 * run's too, which wrote none; one that became a writer writes them
 * now).  Else (a start, the sysroot come back as another machine) they
 * are the record's, if it is of this boot.  A mark of a block read
 * online is dropped: someone onlined it.
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

		if (b->offlined && (!b->present || b->online)) {
			b->offlined = false;
			dropped = true;
		}
	}
	if (dropped || d->offlined_unsaved)
		offlined_save(d);
}
