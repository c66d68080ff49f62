/* SPDX-License-Identifier: GPL-2.0 */
/* hotmemctl export: the mounted machine in util-linux's lsmem dump layout */
#ifndef HMFS_EXPORT_H
#define HMFS_EXPORT_H

struct hmfs_export {
	unsigned long files;		/* regular files written */
	unsigned long unreadable;	/* left out: their read fails, as in sysfs */
};

/*
 * Copy MOUNTPOINT/sys/devices/system/memory (and node/, the memory_hotplug
 * parameters) to DIR/sys/...; -ENOENT if MOUNTPOINT has no memory
 * directory, -EXDEV if it has one not on a FUSE filesystem (either way:
 * not hotmemfs's mount as this process sees it, DIR untouched); -EEXIST
 * if DIR already holds a memory directory, else 0 or the first -errno.
 */
int hmfs_export(const char *mountpoint, const char *dir, struct hmfs_export *ex);

#endif
