// SPDX-License-Identifier: MIT
/*
 * hotmemd: a path as the file system has it, for a path that need not
 * exist yet.
 *
 * Whether --uevent-socket lies in a --state-dir that is still missing
 * (main.c) cannot be read off the two strings: /var/run is a symlink to
 * /run on every distribution, "dir//uevent.sock" and relative spellings
 * name the same directory (reread26 R9).  realpath() answers for what
 * exists; the missing rest, which holds no symlink, is spelled
 * canonically here: empty and "." components dropped.  A ".." in it
 * names nothing (the kernel's lookup fails at the missing directory
 * before it): -ENOENT.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotmemd.h"

/* @out (its real path) with the missing @rest appended canonically: 0 or -errno */
static int append_rest(char *out, size_t len, char *rest)
{
	char *save = NULL, *c;
	size_t n = strlen(out);

	for (c = strtok_r(rest, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, ".."))
			return -ENOENT; /* the parent of a directory not there: none, as the kernel says */
		if (n + (n > 1) + strlen(c) + 1 > len)
			return -ENAMETOOLONG;
		n += (size_t)snprintf(out + n, len - n, "%s%s", n > 1 ? "/" : "", c);
	}
	return 0;
}

/* realpath() of @buf's first @end bytes ("": the root or the working directory) */
static char *real_prefix(char *buf, size_t end, bool absolute)
{
	char save = buf[end], *real;
	int err;

	buf[end] = '\0';
	real = realpath(end ? buf : (absolute ? "/" : "."), NULL);
	err = errno;
	buf[end] = save;
	errno = err;
	return real;
}

int hmd_fs_path(const char *path, char *out, size_t len)
{
	char buf[HMD_PATH_MAX], *real;
	size_t end;
	int r;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	/* the nearest ancestor there is: each missing last component cut off */
	for (end = strlen(buf); !(real = real_prefix(buf, end, path[0] == '/'));) {
		if (errno != ENOENT || !end)
			return -errno;
		while (end && buf[end - 1] != '/')
			end--;
		while (end && buf[end - 1] == '/')
			end--;
	}
	r = snprintf(out, len, "%s", real) >= (int)len ? -ENAMETOOLONG : 0;
	free(real);
	return r ? r : append_rest(out, len, buf + end);
}
