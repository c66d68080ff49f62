/* SPDX-License-Identifier: GPL-2.0 */
/* hotmemctl export: the mounted machine in util-linux's lsmem dump layout */
#ifndef HMFS_EXPORT_H
#define HMFS_EXPORT_H

#include <stdbool.h>
#include <sys/types.h>

struct hmfs_export {
	unsigned long files;		/* regular files written */
	unsigned long unreadable;	/* left out: their read fails, as in sysfs */
	dev_t dev;			/* the memory directory's st_dev, as seen */
	bool on_fuse;			/* ... and whether it is on a FUSE filesystem */
};

/*
 * Copy MOUNTPOINT/sys/devices/system/memory (and node/, the memory_hotplug
 * parameters) to DIR/sys/...; -ENOENT if MOUNTPOINT has no memory
 * directory, -EXDEV if it has one not on a FUSE filesystem or not on DEV
 * (the st_dev hotmemfs reports for its mount; 0: not checked) -- either
 * way not hotmemfs's mount as this process sees it, DIR untouched, the
 * device seen in ex->dev, ex->on_fuse; -EEXIST if DIR already holds a memory
 * directory, else 0 or the first -errno.
 */
int hmfs_export(const char *mountpoint, dev_t dev, const char *dir, struct hmfs_export *ex);

/*
 * DIR/dmesg: the lines of @log (the machine's ring, as `dmesg -r`) that
 * say its boot reservations (RAMDISK:, software IO TLB:, Memory:,
 * Freeing ...), for hotmem profile --from-sysfs; none, no file.  0 or -errno.
 */
int hmfs_export_boot_log(const char *dir, const char *log, struct hmfs_export *ex);

#endif
