// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl export DIR: the emulated machine written in the layout of
 * util-linux's tests/ts/lsmem/mk-input.sh (`cp -r --parent
 * /sys/devices/system/memory DIR`), so that lsmem --sysroot DIR and
 * `hotmem profile --from-sysfs DIR` read it as a real machine's dump.
 *
 * Copied from the mount, file by file, as cp -r does: directories,
 * symlinks as symlinks, regular files with what a read returns (a file
 * whose read fails, like power/autosuspend_delay_ms's EIO, is left out).
 * Beside memory/: node/ (topology: what changes while the machine runs,
 * nodeN's meminfo and numastat, is left out),
 * sys/module/memory_hotplug/parameters, sys/module/virtio_mem/parameters
 * proc/iomem (where a virtio-mem
 * device shows as one: its "virtioN" region and the "System RAM
 * (virtio_mem)" it added, which memory/ alone cannot tell from a DIMM's),
 * proc/cmdline and sys/kernel/mm/hugepages (the boot parameters and the
 * HugeTLB pool, which memory/ does not show: note29), and
 * proc/sys/vm/hugetlb_optimize_vmemmap (HVO, switched at run time),
 * watermark_scale_factor, lowmem_reserve_ratio, watermark_boost_factor and
 * percpu_pagelist_high_fraction, and
 * sys/firmware/memmap (the firmware's e820 table, which a profile's e820
 * lines give).  And DIR/dmesg, the log's boot reservation lines
 * (hmfs_export_boot_log(), written by hotmemctl from its dmesg request).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "export.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546 /* include/uapi/linux/magic.h */
#endif

static const char *const trees[] = {
	"sys/devices/system/memory",
	"sys/devices/system/node",
	"sys/module/memory_hotplug/parameters",
	/* the virtio-mem driver's (unplug_online ...): a machine imported keeps them */
	"sys/module/virtio_mem/parameters",
	"proc/iomem",
	/*
	 * what the machine booted with (kernelcore=, hugepages=, ...) and its
	 * HugeTLB pool now: hotmem profile --from-sysfs boots them again
	 */
	"proc/cmdline",
	"sys/kernel/mm/hugepages",
	/* HVO as it runs (writable, hvo31): from-sysfs boots it so (reread31 R8) */
	"proc/sys/vm/hugetlb_optimize_vmemmap",
	/*
	 * the watermark sysctls an operator sets: from-sysfs boots them with
	 * sysctl.vm.* words (min_free_kbytes is computed unless written, which
	 * the file does not tell: left out)
	 */
	"proc/sys/vm/watermark_scale_factor",
	"proc/sys/vm/lowmem_reserve_ratio",
	/* boost_watermark()'s factor (written at run time since kswap39) */
	"proc/sys/vm/watermark_boost_factor",
	/* the pagesets' limits' fraction (written at run time since pcpfile43) */
	"proc/sys/vm/percpu_pagelist_high_fraction",
	/* the DIMM slots (PNP0C80:xx), as links: hotmem profile --from-sysfs counts them */
	"sys/bus/acpi/devices",
	/*
	 * the firmware's e820 table (and the DIMMs' entries after it): from-sysfs
	 * writes e820 lines of its boot entries, qemu-512m's QEMU table (reread32b R6)
	 */
	"sys/firmware/memmap",
};

/* what a node shows that changes while the machine runs */
static bool left_out(const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	return !strncmp(rel, "sys/devices/system/node/node", 28) &&
	       (!strcmp(base, "meminfo") || !strcmp(base, "numastat") || !strcmp(base, "vmstat"));
}

static int mkdir_p(char *path, mode_t mode)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return mkdir(path, mode) && errno != EEXIST ? -errno : 0;
}

/*
 * sysfs: one read gives the whole attribute (at most a page); a /proc
 * file is read to its end.  The content in *@buf (malloc()ed), its
 * length, or -1 when it cannot be read.
 */
static ssize_t read_whole(int fd, bool to_eof, char **buf)
{
	size_t len = 0, cap = 65536;
	ssize_t n;

	*buf = malloc(cap);
	while (*buf && (n = read(fd, *buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (!to_eof)
			return (ssize_t)len;
		if (len == cap) {
			char *more = cap < (64UL << 20) ? realloc(*buf, cap * 2) : NULL;

			if (!more)
				break;
			*buf = more;
			cap *= 2;
		}
	}
	if (*buf && n == 0)
		return (ssize_t)len;
	free(*buf);
	*buf = NULL;
	return -1;
}

static int copy_file(const char *rel, const char *from, const char *to, mode_t mode,
		     struct hmfs_export *ex)
{
	char *buf;
	ssize_t n;
	int in, out, ret = 0;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0 && errno == EACCES && !(mode & 0444)) {
		/* write-only (soft_offline_page, probe): there, empty, its mode kept */
		buf = NULL;
		n = 0;
	} else if (in < 0) {
		ex->unreadable++;
		return 0;
	} else {
		n = read_whole(in, !strncmp(rel, "proc/", 5), &buf);
		close(in);
		if (n < 0) {
			ex->unreadable++;
			return 0;
		}
	}
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	if (out < 0) {
		free(buf);
		return -errno;
	}
	if (write(out, buf, (size_t)n) != n)
		ret = errno ? -errno : -EIO;
	free(buf);
	if (close(out) && !ret)
		ret = -errno;
	ex->files++;
	return ret;
}

static int copy_tree(const char *src_root, const char *dst_root, const char *rel,
		     struct hmfs_export *ex)
{
	char from[PATH_MAX], to[PATH_MAX], child[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;
	int ret = 0;

	snprintf(from, sizeof(from), "%s/%s", src_root, rel);
	snprintf(to, sizeof(to), "%s/%s", dst_root, rel);
	if (lstat(from, &st))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(from, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return symlink(target, to) ? -errno : 0;
	}
	if (!S_ISDIR(st.st_mode))
		return left_out(rel) ? 0 : copy_file(rel, from, to, st.st_mode, ex);
	ret = mkdir_p(to, st.st_mode & 07777);
	if (ret)
		return ret;
	d = opendir(from);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", rel, de->d_name) >= sizeof(child))
			ret = -ENAMETOOLONG;
		else
			ret = copy_tree(src_root, dst_root, child, ex);
	}
	closedir(d);
	return ret;
}

/*
 * The mount hotmemfs reported, as this process sees it: its memory tree
 * there, on a FUSE filesystem.  From another mount namespace (hotmem-enter's,
 * a service's PrivateMounts=) the mountpoint is a plain directory: every
 * tree skipped as "older hotmemfs", nothing copied, and the export said it
 * had succeeded (abuse24 A2).  And on this hotmemfs's own superblock (@dev,
 * the st_dev it reports; 0: an older hotmemfs that does not): another FUSE
 * filesystem at the same path -- a second hotmemfs, any FUSE server -- is
 * not the machine asked for.  st_dev, not mountinfo's fsname/subtype: any
 * FUSE server names itself, a second hotmemfs's are the same, and st_dev
 * is the superblock's anonymous device, one per live connection and the
 * same in every mount namespace the mount was copied into (a mount id is
 * not).  @ex: the device seen there, and whether it is FUSE.
 */
static int mount_seen(const char *mountpoint, dev_t dev, struct hmfs_export *ex)
{
	char path[PATH_MAX];
	struct statfs sf;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", mountpoint, trees[0]);
	if (statfs(path, &sf) || stat(path, &st))
		return errno == ENOTDIR ? -ENOENT : -errno;
	ex->dev = st.st_dev;
	ex->on_fuse = (unsigned long)sf.f_type == FUSE_SUPER_MAGIC;
	return ex->on_fuse && (!dev || st.st_dev == dev) ? 0 : -EXDEV;
}

int hmfs_export(const char *mountpoint, dev_t dev, const char *dir, struct hmfs_export *ex)
{
	char path[PATH_MAX];
	int ret;

	memset(ex, 0, sizeof(*ex));
	/* before DIR is looked at or made: a failed export leaves nothing */
	ret = mount_seen(mountpoint, dev, ex);
	if (ret)
		return ret;
	/* never mix two machines: the memory directory must be new */
	snprintf(path, sizeof(path), "%s/%s", dir, trees[0]);
	if (!access(path, F_OK))
		return -EEXIST;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", mountpoint, trees[i]);
		if (access(path, F_OK))
			continue; /* older hotmemfs: no node/ or parameters */
		/* where the tree goes: a file (proc/iomem) needs its directory made */
		snprintf(path, sizeof(path), "%s/%s", dir, trees[i]);
		*strrchr(path, '/') = '\0';
		ret = mkdir_p(path, 0755);
		if (!ret)
			ret = copy_tree(mountpoint, dir, trees[i], ex);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * DIR/dmesg: the boot reservations as the machine's log says them, the
 * lines `hotmem profile --from-sysfs` reads them back from (a real
 * machine's dump: `dmesg > DUMP/dmesg` as root, whose other lines it
 * skips) -- x86 6.12 reserve_initrd()'s "RAMDISK: [mem ...]",
 * swiotlb_print_info()'s "software IO TLB: mapped [mem ...]",
 * mem_init_print_info()'s "Memory: ...K/...K available (...)" and
 * free_reserved_area()'s "Freeing ... memory: NK", and the SRAT's
 * hotplug range (QEMU's device memory: maxmem, qemu_maxmem), each as
 * `dmesg -r` prints it.  Those lines alone: the rest of the ring differs between
 * two machines one profile boots (run-time messages, a DIMM replayed at
 * boot), and tree-for-tree comparisons of exports are the round trip's
 * test.  Nothing written when the log has none (a machine without the
 * boot reservation keys, or a ring that wrapped past its boot).
 */
static bool boot_log_line(const char *l)
{
	static const char *const says[] = { "RAMDISK: [mem ", "software IO TLB: ", "Memory: ",
					    "Freeing ", "ACPI: SRAT: " };

	if (*l == '<')
		l += strspn(l, "<0123456789>");
	for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++)
		if (!strncmp(l, says[i], strlen(says[i])))
			return true;
	return false;
}

int hmfs_export_boot_log(const char *dir, const char *log, struct hmfs_export *ex)
{
	char path[PATH_MAX];
	FILE *out = NULL;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/dmesg", dir);
	for (const char *l = log; l && *l;) {
		size_t len = strcspn(l, "\n");

		if (boot_log_line(l)) {
			if (!out) {
				out = fopen(path, "wxe");
				if (!out)
					return -errno;
			}
			fprintf(out, "%.*s\n", (int)len, l);
		}
		l += len + (l[len] == '\n');
	}
	if (out) {
		if (ferror(out))
			ret = -EIO;
		if (fclose(out) && !ret)
			ret = -errno;
		ex->files++;
	}
	return ret;
}
