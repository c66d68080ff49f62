// SPDX-License-Identifier: MIT
/*
 * hotmemd: reading and writing the sysroot.  Paths are relative to an
 * O_PATH descriptor of DIR/sys/devices/system/memory, so a block costs one
 * openat() per attribute, on sysfs, hotmemfs and plain files alike.
 */
#include <dirent.h>
#include <syslog.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "hotmemd.h"
#include "uapi/hmuapi.h"

static void join(char *dst, size_t len, const char *root, const char *rel)
{
	/* "/" + "sys/..." must not become "//sys/..." in messages */
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		n = 0;
	snprintf(dst, len, "%.*s/%s", (int)n, root, rel);
}

/*
 * Attributes the way sysfs has them: st_size 4096 whatever they hold
 * (kernfs; hotmemfs copies it), where a plain-file sysroot's file is its
 * content.  A write to one needs no O_TRUNC -- and O_TRUNC is not free
 * there: the open's truncate asks for security.capability
 * (dentry_needs_remove_privs()), one more round trip on a FUSE sysroot.
 */
static bool sysfs_like(struct hmd *d)
{
	struct stat st;

	return !fstatat(d->memdir_fd, "block_size_bytes", &st, 0) && S_ISREG(st.st_mode) &&
	       st.st_size == 4096;
}

/*
 * DIR/sys/devices/system/memory opened and its block size read into @fd
 * and @bs: 0, or -errno, said unless @quiet.
 */
static int memdir_open(struct hmd *d, int *fd, unsigned long *bs, bool quiet)
{
	char path[HMD_PATH_MAX + 64], buf[64], *end;
	int e;

	join(path, sizeof(path), d->cfg.sysroot, "sys/devices/system/memory");
	*fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		e = errno;
		if (!quiet)
			hmd_log(d, LOG_ERR, "cannot open %s: %m", path);
		return -e;
	}
	if (hmd_read_attr(*fd, "block_size_bytes", buf, sizeof(buf)) < 0) {
		e = errno;
		if (!quiet)
			hmd_log(d, LOG_ERR, "cannot read %s/block_size_bytes: %m", path);
		close(*fd);
		return -e;
	}
	*bs = strtoul(buf, &end, 16);
	/* 4 KiB pages (x86_64); the kernel allows 128 MiB .. 2 GiB blocks */
	if (end == buf || *bs < 4096 || *bs % 4096) {
		if (!quiet)
			hmd_log(d, LOG_ERR, "%s/block_size_bytes: bad value '%s'", path, buf);
		close(*fd);
		return -EINVAL;
	}
	return 0;
}

/*
 * Files read again and again -- auto_online_blocks at every ADD,
 * /proc/iomem once a uevent burst -- kept open and read anew at offset 0:
 * a sysfs attribute or a procfs file is a seq_file, and a read at 0 runs
 * show() again (seq_read_iter() starts over at ki_pos 0, fs/seq_file.c;
 * kernfs_fop_read_iter() -> seq_read_iter(), fs/kernfs/file.c, 6.12), as
 * hotmemfs's read at 0 does (fusefs/fs.c hmfs_read()).  One READ instead
 * of OPEN, READ and RELEASE.  Only on a sysfs-like sysroot: a plain file
 * may be replaced by another (a test's rename), which a kept one misses.
 * Not there or not opened: read the old way, with the old errors.
 */
static void kept_close(struct hmd *d)
{
	if (d->auto_online_fd >= 0)
		close(d->auto_online_fd);
	d->auto_online_fd = -1;
	if (d->iomem)
		fclose(d->iomem);
	d->iomem = NULL;
}

static void kept_open(struct hmd *d)
{
	kept_close(d);
	if (d->trunc_writes)
		return;
	d->auto_online_fd = openat(d->memdir_fd, "auto_online_blocks", O_RDONLY | O_CLOEXEC);
	/*
	 * 64 KiB reads: hotmemfs answers each with as much (one READ and the
	 * one at the end); a real seq_file gives at most its buffer, a page,
	 * per read (seq_read_iter())
	 */
	d->iomem = fopen(d->iomem_path, "re");
	if (d->iomem && setvbuf(d->iomem, NULL, _IOFBF, 1 << 16)) {
		fclose(d->iomem);
		d->iomem = NULL;
	}
}

#ifndef SYSFS_MAGIC
#define SYSFS_MAGIC 0x62656572 /* include/uapi/linux/magic.h */
#endif

/*
 * Whether a block's listing comes in kernfs order, which tells "no
 * firmware_node" without a READLINK (hmd_block_read_node()): the kernel's
 * sysfs lists so, always; a plain-file tree never (its readdir order is its
 * filesystem's: ext4's hash, tmpfs's creation order); another sysroot
 * (hotmemfs, a FUSE filesystem that lists sysfs directories in kernfs
 * order, or one that does not) is told by its first block listings.
 * Trusted from st_size alone it was a guess (linkreview F9).
 */
static int listing_order(struct hmd *d)
{
	struct statfs sf;

	if (d->trunc_writes)
		return HMD_ORDER_OTHER;
	if (!fstatfs(d->memdir_fd, &sf) && sf.f_type == SYSFS_MAGIC)
		return HMD_ORDER_KERNFS;
	return HMD_ORDER_UNKNOWN;
}

/* the memory directory opened anew, its block size read: 0, or -errno, the old one kept */
static int memdir_load(struct hmd *d, bool quiet)
{
	unsigned long bs;
	int fd, r;

	r = memdir_open(d, &fd, &bs, quiet);
	if (r)
		return r;
	if (d->memdir_fd >= 0)
		close(d->memdir_fd);
	d->memdir_fd = fd;
	d->block_size = bs;
	d->block_pages = bs / 4096;
	d->trunc_writes = !sysfs_like(d);
	d->listing_order = listing_order(d);
	kept_open(d);
	return 0;
}

int hmd_sysfs_open(struct hmd *d)
{
	join(d->zoneinfo_path, sizeof(d->zoneinfo_path), d->cfg.sysroot, "proc/zoneinfo");
	join(d->params_path, sizeof(d->params_path), d->cfg.sysroot,
	     "sys/module/memory_hotplug/parameters");
	join(d->acpi_path, sizeof(d->acpi_path), d->cfg.sysroot, "sys/bus/acpi/devices");
	join(d->iomem_path, sizeof(d->iomem_path), d->cfg.sysroot, "proc/iomem");
	join(d->vmem_params_path, sizeof(d->vmem_params_path), d->cfg.sysroot,
	     "sys/module/virtio_mem/parameters");
	d->acpi_state = HMD_ACPI_UNKNOWN;
	d->acpi_devs = HMD_ACPI_DEVS_UNKNOWN; /* another sysroot, or one mounted again */
	d->auto_online_fd = d->state_fd = -1;
	d->iomem = NULL;
	hmd_dyn_drop(d);
	return memdir_load(d, false);
}

/* Again, once the sysroot's filesystem is back (sysroot.c): 0, or -errno, the old one kept. */
int hmd_sysfs_reopen(struct hmd *d)
{
	return memdir_load(d, true);
}

/*
 * lib/notifier-error-inject.c's debugfs file (6.12: memory-notifier-error-
 * inject, DIR/sys/kernel/debug/notifier-error-inject/memory/actions/
 * ACTION/error, "%lld\n"); hotmemfs serves it at the same path.
 */
int hmd_injected_error(struct hmd *d, const char *action, char *path, size_t len)
{
	char rel[128], buf[32], *end;
	long v;

	snprintf(rel, sizeof(rel), "sys/kernel/debug/notifier-error-inject/memory/actions/%s/error",
		 action);
	join(path, len, d->cfg.sysroot, rel);
	if (hmd_read_attr(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	v = strtol(buf, &end, 10);
	return end == buf || *end || v < -4095 || v > 0 ? 0 : (int)v;
}

void hmd_sysfs_close(struct hmd *d)
{
	kept_close(d);
	hmd_state_close(d);
	if (d->memdir_fd >= 0)
		close(d->memdir_fd);
	d->memdir_fd = -1;
}

/* strips the trailing newline and blanks of @n bytes read into @buf; returns the length */
static int attr_text(char *buf, ssize_t n)
{
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

/*
 * Reads the whole of attribute @fd: a kept one anew by pread() at 0, one
 * just opened by read() -- where it is (0), and the way a FIFO or another
 * file without an offset is read too (pread() there is ESPIPE: a test's
 * FIFO for a state, 70-signal-coldplug.t).  Its length, or -1 with errno.
 */
static int read_fd_attr(int fd, char *buf, size_t len, bool kept)
{
	ssize_t n;

	do
		n = kept ? pread(fd, buf, len - 1, 0) : read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : attr_text(buf, n);
}

/* memory/auto_online_blocks, as hmd_read_attr() reads it */
int hmd_read_auto_online(struct hmd *d, char *buf, size_t len)
{
	if (d->auto_online_fd < 0)
		return hmd_read_attr(d->memdir_fd, "auto_online_blocks", buf, len);
	return read_fd_attr(d->auto_online_fd, buf, len, true);
}

/* /proc/iomem from its start, the kept stream or a new one; NULL with errno */
FILE *hmd_iomem_open(struct hmd *d)
{
	if (!d->iomem)
		return fopen(d->iomem_path, "re");
	rewind(d->iomem);
	return d->iomem;
}

/* what hmd_iomem_open() gave back, closed unless kept */
void hmd_iomem_done(struct hmd *d, FILE *f)
{
	if (f != d->iomem)
		fclose(f);
	else
		clearerr(f);
}

/* Read a small attribute, strip the trailing newline; returns length, or -1 with errno. */
int hmd_read_attr(int dirfd, const char *path, char *buf, size_t len)
{
	int fd, n, e;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read_fd_attr(fd, buf, len, false);
	e = errno;
	close(fd);
	errno = e;
	return n;
}

/*
 * memoryN/state opened for both the read that decides a block and the
 * write of the decision, where hmd_block_process() does both: one OPEN
 * and one RELEASE where there were two.  The write needs no position
 * (sysfs_kf_write() ignores it, fs/sysfs/file.c 6.12; hotmemfs too) but
 * is made at 0 all the same.  Only where the write would go through this
 * file (hmd_write_state_sysfs(), no dry run) and on a sysfs-like sysroot
 * (a plain file's write truncates it: O_TRUNC).  An O_RDWR open refused
 * (a read-only /sys, a mode without w) is not said: the read opens it as
 * before and the write meets the refusal as before, with its errno;
 * it is not tried again until a restart.
 */
void hmd_state_open(struct hmd *d, unsigned long id)
{
	char path[48];

	hmd_state_close(d);
	if (d->trunc_writes || d->cfg.dry_run || d->state_rdwr_refused ||
	    d->write_state != hmd_write_state_sysfs)
		return;
	snprintf(path, sizeof(path), "memory%lu/state", id);
	d->state_fd = openat(d->memdir_fd, path, O_RDWR | O_CLOEXEC);
	if (d->state_fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
		d->state_rdwr_refused = true;
	d->state_fd_id = id;
}

void hmd_state_close(struct hmd *d)
{
	if (d->state_fd >= 0)
		close(d->state_fd);
	d->state_fd = -1;
}

int hmd_state_take(struct hmd *d)
{
	int fd = d->state_fd;

	d->state_fd = -1;
	return fd;
}

void hmd_state_give(struct hmd *d, unsigned long id, int fd)
{
	hmd_state_close(d);
	d->state_fd = fd;
	d->state_fd_id = id;
}

/* the kept state file of block @id (hmd_state_open()), -1: none */
static int state_fd(struct hmd *d, unsigned long id)
{
	return d->state_fd >= 0 && d->state_fd_id == id ? d->state_fd : -1;
}

int hmd_block_read_state(struct hmd *d, unsigned long id, enum hmd_bstate *st, int *hint)
{
	char path[48], buf[32];
	int type, fd = state_fd(d, id);

	snprintf(path, sizeof(path), "memory%lu/state", id);
	if ((fd >= 0 ? read_fd_attr(fd, buf, sizeof(buf), true) :
		       hmd_read_attr(d->memdir_fd, path, buf, sizeof(buf))) < 0)
		return -errno;
	/*
	 * The kernel shows online, offline or going-offline; a plain-file
	 * sysroot keeps what was written ("online_movable"), which then is
	 * the only record of the zone: valid_zones there never changes.
	 * "going-offline" is not offline: someone's offline migrates its
	 * pages under the device hotplug lock, and a write of ours would wait
	 * for that lock (6.12 lock_device_hotplug_sysfs() restarts the
	 * syscall) and online the block the moment their offline is done
	 * (reread36 R4).
	 */
	*st = !strncmp(buf, "online", 6)	   ? HMD_BS_ONLINE :
	      !strncmp(buf, "going-offline", 13) ? HMD_BS_GOING_OFFLINE :
						   HMD_BS_OFFLINE;
	type = hmu_online_type_from_str(buf);
	if (hint)
		*hint = type == HMU_MMOP_ONLINE_MOVABLE ? HMD_ZONE_MOVABLE :
			type == HMU_MMOP_ONLINE_KERNEL	? HMD_ZONE_NORMAL :
							  HMD_ZONE_NONE;
	return 0;
}

int hmd_block_read_zones(struct hmd *d, unsigned long id, unsigned int *mask, int *first)
{
	char path[48], buf[96];

	snprintf(path, sizeof(path), "memory%lu/valid_zones", id);
	if (hmd_read_attr(d->memdir_fd, path, buf, sizeof(buf)) < 0) {
		*mask = 0;
		*first = HMD_ZONE_NONE;
		return -errno;
	}
	*mask = hmd_parse_valid_zones(buf, first);
	return 0;
}

/*
 * Lists directory @path (relative to @dirfd): @fn(dfd, name, arg) for each
 * entry, "." and ".." left out, until it returns false.  0 at the
 * listing's end, 1 when @fn stopped it, -errno.  getdents64() on an
 * O_DIRECTORY descriptor, not opendir(): glibc's fstat() of the new
 * descriptor (fdopendir(), opendir_tail()) checks only what O_DIRECTORY
 * has checked, and on a FUSE sysroot it is a GETATTR whenever the
 * directory's attributes are stale -- memory/ after every listing (the
 * kernel invalidates its atime) and after a block came, once a burst.
 * Stopped by @fn, nothing more is asked: no listing's end (one request on
 * FUSE) is read for a name already found.  The getdents64() calls made are
 * added to *@reads (NULL: not counted): on FUSE each is one READDIRPLUS at
 * most (fuse_readdir_uncached(), 6.12 fs/fuse/readdir.c: one request a
 * call), none where the kernel's listing cache answers (CACHE_DIR, a
 * listing read to its end and not invalidated since).
 */
int hmd_list_dir(int dirfd, const char *path, bool (*fn)(int dfd, const char *name, void *arg),
		 void *arg, unsigned long *reads)
{
	/* glibc's own buffer size for readdir() */
	char buf[32768] __attribute__((aligned(8)));
	int fd, r = 0;
	ssize_t n = 0;

	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (!r) {
		n = getdents64(fd, buf, sizeof(buf));
		if (reads)
			(*reads)++;
		if (n <= 0)
			break;
		for (ssize_t off = 0; !r && off < n;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    !fn(fd, de->d_name, arg))
				r = 1;
		}
	}
	if (!r && n < 0)
		r = -errno;
	close(fd);
	return r;
}

/* FNV-1a of @name, never 0 (none) nor HMD_FWNODE_UNREAD */
static unsigned int fwnode_hash(const char *name)
{
	unsigned int h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h && h != HMD_FWNODE_UNREAD ? h : 1;
}

/* the basename of symlink @path (relative to @dirfd) into @buf: its length, or <= 0 */
static ssize_t link_name(int dirfd, const char *path, char *buf, size_t len, const char **name)
{
	ssize_t n = readlinkat(dirfd, path, buf, len - 1);

	if (n <= 0)
		return n;
	buf[n] = '\0';
	*name = strrchr(buf, '/');
	*name = *name ? *name + 1 : buf;
	return n;
}

/* the block ACPI device @dfd's physical_node@k links to, -1 none */
static long physical_node(int dfd, unsigned long k)
{
	char path[40], target[256], *end;
	const char *name;
	unsigned long id;

	if (k)
		snprintf(path, sizeof(path), "physical_node%lu", k);
	else
		snprintf(path, sizeof(path), "physical_node");
	if (link_name(dfd, path, target, sizeof(target), &name) <= 0 || strncmp(name, "memory", 6))
		return -1;
	id = strtoul(name + 6, &end, 10);
	return end == name + 6 || *end || id >= HMD_MAX_BLOCK_ID ? -1 : (long)id;
}

/* physical_node@k links to block @a + @k */
static bool node_at(int dfd, unsigned long a, unsigned long k)
{
	return physical_node(dfd, k) == (long)(a + k);
}

/*
 * Block @id is bound to ACPI memory device @name: which blocks are, from
 * the device's physical_nodeK links, in a few reads instead of a READLINK
 * of every block's firmware_node (a 16 TiB DIMM: 131072).  6.12
 * acpi_bind_memory_blocks() binds the blocks of each range in address
 * order (walk_memory_blocks()), and acpi_bind_one() (drivers/acpi/glue.c)
 * gives each the first free node id: physical_node is the lowest, A, and
 * physical_nodeK the K-th above it.  So where physical_nodeK links to
 * memory(A+K), the links 0..K are K+1 distinct blocks in [A, A+K]: all of
 * them.  That holds for K up to the last block of the run from A, and for
 * none past it (the next run's blocks or none): the largest such K is
 * found by doubling, then halving -- ~2 log2(blocks) reads, the top one's
 * firmware_node then read (it may be being bound).  @id outside
 * the run: nothing learnt, its neighbours are read one by one as before.
 * Past its run (or no run to learn), no block above @id is in it either:
 * the device is not asked again for them this pass -- a device of several
 * ranges cost 3-4 reads more a block, its every block (reread17 R11).
 */
static void fw_range_learn(struct hmd *d, unsigned long id, const char *name, unsigned int hash)
{
	char path[HMD_PATH_MAX + 64];
	unsigned long good, bad, step;
	long a;
	int dfd;

	if (d->fw_range.failed && d->fw_range.failed_hash == hash && id >= d->fw_range.failed_id)
		return;
	if (strchr(name, '/') ||
	    snprintf(path, sizeof(path), "%s/%s", d->acpi_path, name) >= (int)sizeof(path))
		return;
	dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	a = dfd < 0 ? -1 : physical_node(dfd, 0);
	if (a < 0 || (unsigned long)a > id || ((unsigned long)a < id && !node_at(dfd, a, id - a))) {
		/* past its run, or none: not asked again above @id (a run above may be learnt) */
		if (a < 0 || (unsigned long)a < id) {
			d->fw_range.failed = true;
			d->fw_range.failed_hash = hash;
			d->fw_range.failed_id = id;
		}
		goto out;
	}
	/* links 0..good are the blocks a..a+good; bad: the first K known not to be */
	good = id - a;
	for (step = 1;; step *= 2) {
		if (good + step >= HMD_MAX_BLOCK_ID - a || !node_at(dfd, a, good + step)) {
			bad = good + step;
			break;
		}
		good += step;
	}
	while (bad - good > 1) {
		step = good + (bad - good) / 2;
		if (node_at(dfd, a, step))
			good = step;
		else
			bad = step;
	}
	/*
	 * acpi_bind_one() makes the device's physical_nodeK before the
	 * block's firmware_node (6.12 drivers/acpi/glue.c): a coldplug during
	 * acpi_bind_memory_blocks() can find the run's top block bound by its
	 * device's link alone, its own not made yet (finalD D4).  Only links
	 * that exist are told: the top is left to its own READLINK -- the
	 * blocks below it were bound whole before it (walk_memory_blocks()
	 * binds one block after the other), @id was read.
	 */
	if (a + good > id)
		good--;
	d->fw_range.valid = true;
	d->fw_range.lo = a;
	d->fw_range.hi = a + good;
	d->fw_range.hash = hash;
out:
	if (dfd >= 0)
		close(dfd);
}

void hmd_fw_range_learning(struct hmd *d, bool on)
{
	d->fw_range.on = on;
	d->fw_range.valid = false;
	d->fw_range.failed = false;
}

/*
 * memoryN/firmware_node -> .../PNP0C80:xx: the ACPI memory device the
 * block belongs to (acpi_bind_memory_blocks()), hashed (FNV-1a) to a
 * non-zero number; 0 when the block has none (boot memory, virtio-mem).
 * Within the range of blocks its device was last found bound to: that
 * device's, without a read (fw_range_learn()).
 */
unsigned int hmd_block_read_fwnode(struct hmd *d, unsigned long id)
{
	char path[48], target[256];
	const char *name;
	unsigned int h;

	if (d->fw_range.valid && id >= d->fw_range.lo && id <= d->fw_range.hi)
		return d->fw_range.hash;
	snprintf(path, sizeof(path), "memory%lu/firmware_node", id);
	if (link_name(d->memdir_fd, path, target, sizeof(target), &name) <= 0)
		return 0;
	h = fwnode_hash(name);
	/* a block above it to be read too: a DIMM of one block learns nothing worth its reads */
	if (d->fw_range.on && id + 1 < d->nblk && d->blk[id + 1].present &&
	    d->blk[id + 1].fwnode == HMD_FWNODE_UNREAD)
		fw_range_learn(d, id, name, h);
	return h;
}

/*
 * ACPI memory device @name (bus/acpi/devices/PNP0C80:xx) is there but has
 * no block bound: its status (_STA) says present, enabled and functioning,
 * as acpi_memory_check_device() wants, and it has no physical_node link
 * yet (acpi_bind_one(), drivers/acpi/glue.c, 6.12).  No status file: a
 * device without _STA, always present.
 */
static bool acpi_memory_unbound(int dirfd, const char *name)
{
	char path[NAME_MAX + 32], buf[16];
	unsigned long sta = 0xf;
	struct stat st;

	snprintf(path, sizeof(path), "%s/status", name);
	if (hmd_read_attr(dirfd, path, buf, sizeof(buf)) > 0)
		sta = strtoul(buf, NULL, 0);
	if ((sta & 0xb) != 0xb)
		return false;
	snprintf(path, sizeof(path), "%s/physical_node", name);
	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT;
}

/*
 * Is an ACPI memory device about to bind its blocks?  A real kernel links
 * memoryN/firmware_node only after the DIMM's ADDs: 6.12's
 * acpi_memory_enable_device() calls __add_memory() (the blocks and their
 * ADD uevents) and only then acpi_bind_memory_blocks().  Asked once until
 * the uevent burst settles (coldplug.c): O(ACPI devices) a burst, not
 * a block.  No ACPI in the sysroot: nothing binds.
 */
static bool acpi_entry(int dfd, const char *name, void *arg)
{
	bool *seen = arg;

	if (strncmp(name, "PNP0C80:", 8))
		return true;
	*seen = true;
	/* false (stop) at the first memory device still to bind */
	return !acpi_memory_unbound(dfd, name);
}

bool hmd_acpi_memory_binding(struct hmd *d)
{
	bool binding, seen = false;

	if (d->acpi_state != HMD_ACPI_UNKNOWN)
		return d->acpi_state == HMD_ACPI_BINDING;
	/* walked only for a block waiting for its firmware_node (linkwait.c) */
	binding = hmd_list_dir(AT_FDCWD, d->acpi_path, acpi_entry, &seen, &d->acpi_walk_reads) == 1;
	d->acpi_state = binding ? HMD_ACPI_BINDING : HMD_ACPI_NONE_BINDING;
	d->acpi_devs = seen ? HMD_ACPI_DEVS_SOME : HMD_ACPI_DEVS_NONE;
	/* a walk of every device (256 on QEMU): said, so its cost can be seen */
	hmd_log(d, LOG_DEBUG, "ACPI memory devices looked at: %s",
		binding ? "one is still to bind its blocks" : "none is binding");
	return binding;
}

/* false (stop) at the first ACPI memory device */
static bool acpi_memdev_entry(int dfd, const char *name, void *arg)
{
	(void)dfd;
	(void)arg;
	return strncmp(name, "PNP0C80:", 8) != 0;
}

/*
 * Whether the sysroot has any ACPI memory device, bound, binding or an
 * empty slot: only acpi_memhotplug binding one links a block's
 * firmware_node (acpi_bind_memory_blocks(), drivers/acpi/acpi_memhotplug.c,
 * 6.12), and the devices are the firmware's (QEMU's DIMM slots, present
 * or not), made at boot.  Without one (a guest with no DIMM slots, an
 * architecture without ACPI memory hotplug, a sysroot of plain files)
 * no block ever gets a firmware_node to wait for.  Names only (one
 * READDIRPLUS on FUSE, no device read), listed for the first block met
 * without a firmware_node after each coldplug (a start, a rescan) and
 * after the sysroot is opened again (a
 * hotmemfs restarted with other slots); a walk of
 * hmd_acpi_memory_binding() tells it too.  (An ACPI container hot-added
 * with the first memory devices is not foreseen until then: its first
 * DIMM's blocks are decided alone.)
 */
bool hmd_acpi_memory_devices(struct hmd *d)
{
	if (d->acpi_devs == HMD_ACPI_DEVS_UNKNOWN)
		d->acpi_devs = hmd_list_dir(AT_FDCWD, d->acpi_path, acpi_memdev_entry, NULL,
					    &d->acpi_walk_reads) == 1 ?
				       HMD_ACPI_DEVS_SOME :
				       HMD_ACPI_DEVS_NONE;
	return d->acpi_devs == HMD_ACPI_DEVS_SOME;
}

/*
 * kernfs_name_hash() (fs/kernfs/dir.c, 6.12 and 6.18 alike): a directory's
 * children sit in an rbtree ordered by this hash, then name, and
 * kernfs_fop_readdir() lists them in that order; hotmemfs lists sysfs
 * directories in it too (fusefs/tree.c, "kernfs order").
 * partial_name_hash() of each char (signed on x86), end_name_hash() of
 * the 64 bits (hash_long(), include/linux/stringhash.h).
 */
static unsigned int kernfs_name_hash(const char *name)
{
	uint64_t hash = 0;

	for (const char *c = name; *c; c++) {
		uint64_t ch = (uint64_t)(long)(signed char)*c;

		hash = (hash + (ch << 4) + (ch >> 4)) * 11;
	}
	hash = ((hash * 0x61C8864680B583EBULL) >> 32) & 0x7fffffffU;
	if (hash < 2)
		hash += 2;
	if (hash >= 0x7fffffffU)
		hash = 0x7fffffffU - 1;
	return (unsigned int)hash;
}

/* kernfs_name_hash("firmware_node"): where it sits in a block's listing */
#define KERNFS_HASH_FIRMWARE_NODE 578288747u

struct node_listing {
	int nid;
	int fwnode; /* 1: a firmware_node entry, 0: none, -1: not known (yet) */
	bool kernfs_order; /* the listing comes in kernfs order (d->listing_order) */
	/* not known yet: the whole listing read, whether in kernfs order */
	bool verify, sorted;
	unsigned int n, prev_hash;
	char prev[NAME_MAX + 1];
};

/* the entries so far in kernfs order: kernfs_name_compare(), by hash, then name */
static void order_check(struct node_listing *l, const char *name)
{
	unsigned int h = kernfs_name_hash(name);

	if (l->n && (h < l->prev_hash || (h == l->prev_hash && strcmp(name, l->prev) < 0)))
		l->sorted = false;
	l->prev_hash = h;
	snprintf(l->prev, sizeof(l->prev), "%s", name);
	l->n++;
}

/*
 * An entry of memoryM/: a nodeN's N into @arg, whether a firmware_node is
 * there, and the listing stops once both are known.  In kernfs order an
 * entry past firmware_node's place says it is not there: the listing
 * tells it without a READLINK (node0 comes right after it; most entries
 * do, so the entries one READDIRPLUS brings tell it).
 */
static bool node_entry(int dfd, const char *name, void *arg)
{
	struct node_listing *l = arg;
	unsigned int h;

	if (l->verify)
		order_check(l, name);
	if (!strcmp(name, "firmware_node")) {
		l->fwnode = 1;
	} else if (l->fwnode < 0 && l->kernfs_order) {
		h = kernfs_name_hash(name);
		if (h > KERNFS_HASH_FIRMWARE_NODE ||
		    (h == KERNFS_HASH_FIRMWARE_NODE && strcmp(name, "firmware_node") > 0))
			l->fwnode = 0;
	}
	if (l->nid == -ENODATA && !strncmp(name, "node", 4) && name[4] >= '0' && name[4] <= '9')
		l->nid = atoi(name + 4);
	return l->verify || l->nid == -ENODATA || l->fwnode < 0;
}

/*
 * the nodeN entry inside memoryM (a symlink on sysfs); -ENODATA if none,
 * -errno if memoryM cannot be listed (gone).  In *@fwnode whether the
 * listing showed a firmware_node: 1, 0 none, -1 not known.
 */
int hmd_block_read_node(struct hmd *d, unsigned long id, int *fwnode, unsigned long *reads)
{
	struct node_listing l = { .nid = -ENODATA,
				  .fwnode = -1,
				  .kernfs_order = d->listing_order == HMD_ORDER_KERNFS,
				  .verify = d->listing_order == HMD_ORDER_UNKNOWN,
				  .sorted = true };
	char path[64];
	int nid, r;

	/*
	 * One listing, not a lookup of node0, node1 ...: on a FUSE sysroot
	 * its READDIRPLUS also brings the names of state, valid_zones and
	 * firmware_node, which are read next (two round trips instead of four).
	 */
	*fwnode = -1; /* not known, also when the listing fails */
	snprintf(path, sizeof(path), "memory%lu", id);
	r = hmd_list_dir(d->memdir_fd, path, node_entry, &l, reads);
	if (r < 0)
		return r;
	/*
	 * a real block has 10 entries and more (6.18: uevent ... removable,
	 * tests/daemon's fixtures fewer): 8 in kernfs order are no chance
	 */
	if (l.verify && !r)
		d->listing_order = !l.sorted ? HMD_ORDER_OTHER :
				   l.n >= 8  ? HMD_ORDER_KERNFS :
					       HMD_ORDER_UNKNOWN;
	/* the whole listing read: what it did not show is not there */
	if (!r && l.fwnode < 0)
		l.fwnode = 0;
	*fwnode = l.fwnode;
	nid = l.nid;
	if (nid >= HMD_MAX_NODES) {
		/*
		 * A kernel with NODES_SHIFT 10 can have such a node; hotmemd's
		 * per-node tables stop at HMD_MAX_NODES, so the block counts as
		 * node 0's -- said once, not silently.
		 */
		if (!d->warned_node_max)
			hmd_log(d, LOG_WARNING,
				"memory%lu is on node%d, past the %d nodes hotmemd keeps: counted as node0's (policy per node and ratios are node0's for such blocks)",
				id, nid, HMD_MAX_NODES);
		d->warned_node_max = true;
		nid = 0;
	}
	return nid;
}

/*
 * A write's or read's errno that says block @id is gone, not that the
 * kernel refused it.  ENODEV through a file opened before the removal
 * (kernfs_fop_write_iter(): no active reference on a removed node,
 * fs/kernfs/file.c 6.12; hotmemfs the same) -- but ENODEV is also what a
 * memory notifier may return for a block that is there (online_pages()
 * returns memory_notify()'s notifier_to_errno(), e.g. notifier-error-inject's
 * MEM_GOING_ONLINE -19): so gone only if a new open of memoryN/state fails
 * too.  device_del() removes the attributes (device_remove_attrs()) before
 * the REMOVE uevent, so the lookup says ENOENT (6.12 drivers/base/core.c);
 * an open, not a stat: on a FUSE sysroot a stat may be answered from a
 * dentry and attributes still cached, an open always asks the filesystem,
 * which refuses a removed node's (hotmemfs: ENODEV, as kernfs_fop_open()).
 * ENOENT from a new open once memoryN itself is gone.
 */
static bool state_file_gone(struct hmd *d, unsigned long id)
{
	char path[48];
	int fd;

	snprintf(path, sizeof(path), "memory%lu/state", id);
	/* O_NONBLOCK: a FIFO standing in for it (tests) must not block the open */
	fd = openat(d->memdir_fd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == ENOENT || errno == ENODEV;
}

/* one check for both errnos: a stat of memoryN could be answered from a cache */
bool hmd_block_went_away(struct hmd *d, unsigned long id, int err)
{
	return (err == ENODEV || err == ENOENT) && state_file_gone(d, id);
}

int hmd_write_state_sysfs(struct hmd *d, unsigned long id, const char *val)
{
	char path[48];
	size_t len = strlen(val);
	ssize_t n;
	int fd, e;

	d->write_refused_open = false;
	fd = state_fd(d, id);
	if (fd >= 0) {
		/* once, as below: an EINTR is the kernel's answer (online.c retries it) */
		n = pwrite(fd, val, len, 0);
		if (n < 0)
			return -errno;
		return (size_t)n == len ? 0 : -EIO;
	}
	snprintf(path, sizeof(path), "memory%lu/state", id);
	/* O_TRUNC as echo does, where it matters: plain files (sysfs_like()) */
	fd = openat(d->memdir_fd, path, O_WRONLY | O_CLOEXEC | (d->trunc_writes ? O_TRUNC : 0));
	if (fd < 0) {
		/* the kernel's answer to the online comes from write() alone (give_up()) */
		d->write_refused_open = true;
		return -errno;
	}
	n = write(fd, val, len);
	e = n < 0 ? errno : 0;
	close(fd);
	if (n < 0)
		return -e;
	return (size_t)n == len ? 0 : -EIO;
}

static int zone_line(const char *line, int *nid, int *zone)
{
	char name[32];

	if (sscanf(line, "Node %d, zone %31s", nid, name) != 2)
		return -1;
	*zone = hmd_zone_from_name(name, strlen(name));
	return 0;
}

/* ZONE_DMA and ZONE_DMA32: the kernel zones below Normal */
static bool low_zone(int zone)
{
	return zone == HMD_ZONE_DMA || zone == HMD_ZONE_DMA32;
}

/*
 * The zone that ends here (another "Node" line, or the file's end): a low
 * kernel zone's span [start_pfn, start_pfn + spanned) joined into its
 * node's; one that spans pages without saying where leaves them unknown.
 */
static void zone_done(struct hmd_zoneinfo *zi, int nid, int zone, unsigned long spanned, long start)
{
	unsigned long end;

	if (nid < 0 || !low_zone(zone) || !spanned)
		return;
	if (start < 0) {
		zi->low_known = false;
		return;
	}
	end = (unsigned long)start + spanned;
	if (zi->low_lo[nid] == zi->low_hi[nid]) {
		zi->low_lo[nid] = (unsigned long)start;
		zi->low_hi[nid] = end;
		return;
	}
	if ((unsigned long)start < zi->low_lo[nid])
		zi->low_lo[nid] = (unsigned long)start;
	if (end > zi->low_hi[nid])
		zi->low_hi[nid] = end;
}

/*
 * /proc/zoneinfo: "Node 0, zone   Normal" starts a zone; its "present"
 * and "cma" lines (CONFIG_CMA) are what auto_movable_stats_account_zone()
 * uses.  CMA pages behave like ZONE_MOVABLE.  Its "spanned" and
 * "start_pfn:" lines (6.12 zoneinfo_show_print(), spanned first) say
 * where ZONE_DMA and ZONE_DMA32 reach.
 */
int hmd_parse_zoneinfo(FILE *f, struct hmd_zoneinfo *zi)
{
	int nid = -1, zone = HMD_ZONE_NONE;
	unsigned long v, spanned = 0;
	long start = -1;
	char line[256];

	memset(zi, 0, sizeof(*zi));
	zi->low_known = true;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node ", 5)) {
			zone_done(zi, nid, zone, spanned, start);
			spanned = 0;
			start = -1;
			if (zone_line(line, &nid, &zone) || nid < 0 || nid >= HMD_MAX_NODES)
				nid = -1;
			else if (nid + 1 > zi->nr_nodes)
				zi->nr_nodes = nid + 1;
			continue;
		}
		if (nid < 0)
			continue;
		if (sscanf(line, " present %lu", &v) == 1) {
			if (zone == HMD_ZONE_MOVABLE)
				zi->movable_present[nid] += v;
			else if (zone != HMD_ZONE_DEVICE)
				zi->kernel_present[nid] += v;
		} else if (sscanf(line, " cma %lu", &v) == 1 && zone != HMD_ZONE_MOVABLE) {
			zi->cma[nid] += v;
		} else if (sscanf(line, " spanned %lu", &v) == 1) {
			spanned = v;
		} else if (sscanf(line, " start_pfn: %lu", &v) == 1) {
			start = (long)v;
		}
	}
	zone_done(zi, nid, zone, spanned, start);
	return zi->nr_nodes ? 0 : -ENOENT;
}

int hmd_read_kernel_param(struct hmd *d, const char *name, char *buf, size_t len)
{
	char path[HMD_PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/%s", d->params_path, name);
	return hmd_read_attr(AT_FDCWD, path, buf, len);
}

/*
 * A [nodeN] policy for a node this machine cannot have (node/possible,
 * drivers/base/node.c's N_POSSIBLE mask) never applies: said at start and
 * on reload, since it is most often a typo; kept, as the same file may
 * serve machines with more nodes.  No node/possible (an old or partial
 * sysroot): nothing said.
 */
void hmd_check_node_policies(struct hmd *d)
{
	char path[HMD_PATH_MAX + 64], possible[256];
	int nid;

	join(path, sizeof(path), d->cfg.sysroot, "sys/devices/system/node/possible");
	if (hmd_read_attr(AT_FDCWD, path, possible, sizeof(possible)) <= 0)
		return;
	for (nid = 0; nid < HMD_MAX_NODES; nid++)
		if (d->cfg.node_policy[nid] != HMD_POL_INHERIT && !hmd_in_list(possible, nid))
			hmd_log(d, LOG_WARNING,
				"node %d is not possible here (possible: %s): policy %s kept for a "
				"machine that has it",
				nid, possible, hmd_policy_name(d->cfg.node_policy[nid]));
}
