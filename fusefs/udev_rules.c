// SPDX-License-Identifier: GPL-2.0
/*
 * systemd-udevd reads only the files of its rules directories whose name
 * ends in ".rules" and skips hidden ones (systemd 252 udev-rules.c
 * udev_rules_load(): conf_files_list_strv(".rules"), whose files_add()
 * drops hidden_or_backup_file() names, those beginning with a dot).  A
 * file named otherwise (README's own ./my-rules) would be put there and
 * never run: hotmem-conform then judged every cell of it a violation, the
 * rule blamed for udevd's skip (usereye8 #2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "udev_rules.h"

#define RULES_SUFFIX ".rules"

int hmfs_udev_rules_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n, sl = strlen(RULES_SUFFIX);
	int w;

	base += strspn(base, ".");
	n = strlen(base);
	if (!n)
		return -EINVAL;
	w = snprintf(buf, len, "%s%s", base,
		     n > sl && !strcmp(base + n - sl, RULES_SUFFIX) ? "" : RULES_SUFFIX);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}
