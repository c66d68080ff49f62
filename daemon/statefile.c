// SPDX-License-Identifier: MIT
/*
 * hotmemd: the records in state_dir -- boot-blocks (bootblocks.c) and
 * offlined (offlined.c) -- one reader of their lines and one writer.
 *
 * Their lines are of any length: a block list of scattered runs
 * ("0,2,4,...") grows with the machine, and a fixed buffer of 4096 bytes
 * judged a list of some 680 runs damaged (reread38 R8 for offlined, D1's
 * reader half for boot-blocks, whose boot memory was then re-anchored).
 *
 * A record is written whole into NAME.tmp, fsync()ed, and renamed over
 * NAME: a reader -- a restart after kill -9 too -- finds the old record
 * or the new one, never a part of one.  The fsync() makes that hold for
 * a state dir on disk after a crash as well (ext4 may otherwise publish
 * the rename before the data: an empty record, which bootblocks.c would
 * take as damaged).  The directory is not fsync()ed: a crash that loses
 * the rename leaves the old record, whole, and both records are of this
 * boot (keyed by its boot_id), void after the reboot a crash is.  A
 * failed write leaves no NAME.tmp behind (bootblocks.c's did).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotmemd.h"

bool hmd_state_line(FILE *f, char **buf, size_t *cap, bool *cut)
{
	ssize_t n = getline(buf, cap, f);

	*cut = false;
	if (n <= 0)
		return false; /* the end (or a read error: the record stops there) */
	if ((*buf)[n - 1] != '\n') {
		*cut = true; /* the file ends inside it */
		return true;
	}
	(*buf)[n - 1] = '\0';
	return true;
}

/* @f's data on disk, then closed: 0 or -errno (the first error met) */
static int flush_close(FILE *f)
{
	int r = 0;

	if (fflush(f) || ferror(f))
		r = -(errno ? errno : EIO);
	else if (fsync(fileno(f)))
		r = -errno;
	if (fclose(f) && !r)
		r = -errno;
	return r;
}

int hmd_state_write(struct hmd *d, const char *path,
		    void (*fill)(struct hmd *d, FILE *f, const void *arg), const void *arg)
{
	char tmp[HMD_PATH_MAX + 64];
	FILE *f;
	int r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -ENAMETOOLONG;
	}
	r = hmd_state_dir_make(d);
	if (r)
		return r;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	errno = 0;
	fill(d, f, arg);
	r = flush_close(f);
	if (r)
		goto err_unlink;
	if (rename(tmp, path)) {
		r = -errno;
		goto err_unlink;
	}
	return 0;
err_unlink:
	unlink(tmp);
	errno = -r; /* for the caller's %m */
	return r;
}
