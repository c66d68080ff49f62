/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The name a --rules FILE gets where udevd will read it (udev_rules.c);
 * shared by hotmem-enter (the file bound alone in a private rules
 * directory) and hotmem-conform (the file copied into one of its own), so
 * that the same file runs in both (usereye8 #2).
 */
#ifndef HMFS_UDEV_RULES_H
#define HMFS_UDEV_RULES_H

#include <stddef.h>

/*
 * @path's base name as udevd reads it in a rules directory: ".rules"
 * appended when it has not that suffix, its leading dots dropped (a hidden
 * file is skipped).  0, or -ENAMETOOLONG when @len is short, -EINVAL when
 * @path names no file (empty, "/", "..." or ending in "/").
 */
int hmfs_udev_rules_name(const char *path, char *buf, size_t len);

#endif
