// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated machine's physical memory.
 *
 * RAM is one sparse memfd: physical address == file offset, and only
 * touched pages cost host memory.  Two reserved windows give it kernel
 * shape: the direct map (__va) where present RAM is mapped, and the
 * vmemmap, where pfn_to_page(pfn) == vmemmap + pfn and populating the
 * memmap means mapping memfd pages into the window — which is what lets a
 * self-hosted memmap really live in the memory it describes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>

#include "internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* 6.7's include/uapi/linux/fs.h, for headers older than the running kernel */
#ifndef PAGEMAP_SCAN
#define PAGE_IS_FILE		(1 << 2)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_SWAPPED		(1 << 4)

struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#endif

static unsigned long reread_max_map_count(struct hotmem *hm);
static unsigned long host_map_count(void);
static void host_maps_made(struct hotmem *hm);

/* a MAP_FIXED inside one mapping splits it in three: two entries more, at most */
#define HOST_MAPS_PER_FIXED 2UL

static void *reserve(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Writers first: explain may be asked in a loop on several hotmemfs
 * threads, whose read locks overlapping would otherwise keep HugeTLB out
 * for good.  No reader takes it twice, so none waits on itself.
 */
static void vmemmap_remap_lock_init(struct hotmem *hm)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&hm->vmemmap_remap_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

/* PAGEMAP_SCAN (6.7+): asked about one page of the stack */
static bool pagemap_scan_works(int pagemap_fd)
{
	struct pm_scan_arg arg = { .size = sizeof(arg) };

	arg.start = ALIGN_DOWN((uintptr_t)&arg, PAGE_SIZE);
	arg.end = arg.start + PAGE_SIZE;
	return pagemap_fd >= 0 && ioctl(pagemap_fd, PAGEMAP_SCAN, &arg) == 0;
}

/*
 * A userfaultfd that only ever registers memmap template mappings for
 * write protection and never protects a page (so nothing ever reaches
 * it): UFFD_USER_MODE_ONLY needs no privilege (5.11+), shmem's WP mode
 * UFFD_FEATURE_WP_HUGETLBFS_SHMEM (5.19+).  -1 when the host has none.
 */
static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_WP_HUGETLBFS_SHMEM };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);

	if (fd >= 0 && ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int physmem_init(struct hotmem *hm)
{
	size_t vsize;
	uintptr_t base;

	hm->maxmem = hm->cfg.maxmem;
	hm->max_pfn = PHYS_PFN(hm->maxmem);
	hm->memmap_tmpl_fd = -1;
	hm->max_map_count_fd = -1;
	hm->meminfo_fd = -1;
	vmemmap_holes_init(hm);
	pthread_mutex_init(&hm->memmap_tmpl_lock, NULL);
	vmemmap_remap_lock_init(hm);
	/* none (no /proc): shared memmaps are re-shared by remapping them */
	hm->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	hm->pagemap_pid = getpid();
	hm->pagemap_scan = pagemap_scan_works(hm->pagemap_fd);
	hm->uffd = uffd_open();
	hm->memfd = memfd_create("hotmem-ram", MFD_CLOEXEC);
	if (hm->memfd < 0)
		goto err_pagemap;
	if (ftruncate(hm->memfd, (off_t)hm->maxmem) < 0)
		goto err_fd;

	hm->max_map_count_fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
	/* host_memory_room() reads it under the hotplug lock: one pread, no open */
	hm->meminfo_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	hm->host_maps_max = reread_max_map_count(hm);
	hm->host_maps_bound = hm->host_maps_counted = host_map_count();
	hm->direct_map_size = hm->maxmem;
	hm->direct_map = reserve(hm->direct_map_size);
	if (!hm->direct_map)
		goto err_fd;

	/* one PMD of vmemmap per section: keep the window PMD aligned */
	vsize = hm->max_pfn * sizeof(struct page);
	hm->vmemmap_reserved_size = vsize + PMD_SIZE;
	hm->vmemmap_reserved = reserve(hm->vmemmap_reserved_size);
	if (!hm->vmemmap_reserved)
		goto err_direct;
	base = ALIGN((uintptr_t)hm->vmemmap_reserved, PMD_SIZE);
	hm->vmemmap = (struct page *)base;
	hm->vmemmap_size = vsize;
	return 0;

err_direct:
	munmap(hm->direct_map, hm->direct_map_size);
	hm->direct_map = NULL;
err_fd:
	if (hm->max_map_count_fd >= 0)
		close(hm->max_map_count_fd);
	hm->max_map_count_fd = -1;
	if (hm->meminfo_fd >= 0)
		close(hm->meminfo_fd);
	hm->meminfo_fd = -1;
	close(hm->memfd);
	hm->memfd = -1;
err_pagemap:
	if (hm->pagemap_fd >= 0)
		close(hm->pagemap_fd);
	hm->pagemap_fd = -1;
	if (hm->uffd >= 0)
		close(hm->uffd);
	hm->uffd = -1;
	pthread_mutex_destroy(&hm->memmap_tmpl_lock);
	pthread_rwlock_destroy(&hm->vmemmap_remap_lock);
	return -ENOMEM;
}

void physmem_exit(struct hotmem *hm)
{
	/* no fault is left to fill: nothing touches the memmap any more */
	vmemmap_holes_exit(hm);
	if (hm->vmemmap_reserved)
		munmap(hm->vmemmap_reserved, hm->vmemmap_reserved_size);
	if (hm->direct_map)
		munmap(hm->direct_map, hm->direct_map_size);
	if (hm->memfd >= 0)
		close(hm->memfd);
	if (hm->memmap_tmpl_fd >= 0)
		close(hm->memmap_tmpl_fd);
	if (hm->pagemap_fd >= 0)
		close(hm->pagemap_fd);
	if (hm->uffd >= 0)
		close(hm->uffd);
	if (hm->max_map_count_fd >= 0)
		close(hm->max_map_count_fd);
	if (hm->meminfo_fd >= 0)
		close(hm->meminfo_fd);
	pthread_mutex_destroy(&hm->memmap_tmpl_lock);
	pthread_rwlock_destroy(&hm->vmemmap_remap_lock);
}

/*
 * Every MAP_FIXED of the engine: into a reservation, over another mapping,
 * or PROT_NONE over one to unmap it.  The host may refuse any of them (a
 * split needs a new mapping past vm.max_map_count; above the cap, when the
 * sysctl was lowered below the process's count, every mmap() is refused).
 * What a refusal leaves depends on the host: 6.12's mmap_region() puts the
 * old mapping back (vms_abort_munmap_vmas()), older hosts unmapped the
 * range first and leave a hole (as 6.12 still does when the old pages were
 * already cleared).  Fault injection plays both, after the range was
 * torn down unless hm->fail_keeps_old: a caller must handle either.
 */
static int host_mmap_fixed(struct hotmem *hm, void *vaddr, size_t size, int prot, int flags,
			   int fd, off_t off)
{
	void *p;

	if (hm_should_fail(hm, "host_mmap")) {
		/* torn down, a range inside a mapping splits it as a MAP_FIXED would */
		if (!atomic_load(&hm->fail_keeps_old)) {
			munmap(vaddr, size);
			host_maps_made(hm);
		}
		if (hm->fail_hook)
			hm->fail_hook(hm, hm->fail_arg);
		return -ENOMEM;
	}
	p = mmap(vaddr, size, prot, flags | MAP_FIXED, fd, off);
	host_maps_made(hm);
	if (p == MAP_FAILED)
		return -ENOMEM;
	/*
	 * The memfd's windows (direct map, self-hosted vmemmap) not in a
	 * forked child: its read of a self-hosted memmap's hole, which no
	 * userfaultfd watches there, would put a zeroed page into the memfd
	 * the parent's vmemmap shows -- the child gets SIGSEGV instead.
	 * Merges with its like as before (same flags); best effort.
	 */
	if (fd == hm->memfd && (flags & MAP_SHARED))
		madvise(vaddr, size, MADV_DONTFORK);
	return 0;
}

/*
 * Back to the reservation: a MAP_FIXED too, which splits as any other.
 * Refused, the range holds the old mapping still (or a hole, on older
 * hosts): -ENOMEM says so, for the caller to say and to keep.
 */
static int reserve_again(struct hotmem *hm, void *vaddr, size_t size)
{
	return host_mmap_fixed(hm, vaddr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_NORESERVE, -1, 0);
}

/*
 * After a refused MAP_FIXED into a reservation (a first mapping, nothing
 * of the engine's there before): a host that tore the range down left a
 * hole, where any mapping of the process could land and later be mapped
 * over.  The reservation's PROT_NONE goes back, as it was (refused too,
 * the hole stays: nothing more to do).
 */
void physmem_reserve_hole(struct hotmem *hm, void *vaddr, size_t size)
{
	if (!physmem_is_mapped(vaddr, size))
		reserve_again(hm, vaddr, size);
}

/* init_memory_mapping() for a RAM range; refused, the reservation stays */
int physmem_map_direct(struct hotmem *hm, uint64_t start, uint64_t size)
{
	int ret = host_mmap_fixed(hm, hm->direct_map + start, size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, hm->memfd, (off_t)start);

	if (ret)
		physmem_reserve_hole(hm, hm->direct_map + start, size);
	return ret;
}

int physmem_unmap_direct(struct hotmem *hm, uint64_t start, uint64_t size)
{
	int ret = reserve_again(hm, hm->direct_map + start, size);

	if (ret)
		pr_err(hm, "physmem: the host refused to unmap the direct map of "
			   "[mem %#018llx-%#018llx] (vm.max_map_count): it stays mapped",
		       (unsigned long long)start, (unsigned long long)(start + size - 1));
	return ret;
}

/* the DIMM is gone: give its pages back to the host */
void physmem_discard(struct hotmem *hm, uint64_t start, uint64_t size)
{
	fallocate(hm->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)start, (off_t)size);
}

int physmem_map_vmemmap(struct hotmem *hm, void *vaddr, unsigned long pfn,
			size_t size, bool readonly)
{
	int prot = readonly ? PROT_READ : PROT_READ | PROT_WRITE;

	return host_mmap_fixed(hm, vaddr, size, prot, MAP_SHARED, hm->memfd,
			       (off_t)PFN_PHYS(pfn));
}

/* -ENOMEM: the host kept the old mapping (or left a hole); the caller says which */
int physmem_unmap_vmemmap(struct hotmem *hm, void *vaddr, size_t size)
{
	return reserve_again(hm, vaddr, size);
}

/*
 * Whether every page of the range is mapped (msync() says ENOMEM of a
 * hole).  PROT_NONE counts as mapped: asked right after a failed
 * MAP_FIXED, where the range holds the old mapping or a hole.
 */
bool physmem_is_mapped(void *vaddr, size_t size)
{
	return !msync(vaddr, size, MS_ASYNC);
}

/*
 * Host mappings.  Each section's memmap is a mapping of its own (a
 * self-hosted memmap sits at its block's file offset, one from system RAM
 * wherever its pages are), and the host caps a process's mappings at
 * vm.max_map_count (65530 unless raised).  Crossing it half way through an
 * add would fail there and leave the undo without room (replacing a
 * mapping is an mmap() too, refused at the cap), so an add that would
 * cross it fails up front with -ENOMEM, as the kernel's does when
 * vmemmap_populate() finds no memory.  HOST_MAP_HEADROOM (internal.h)
 * stays free for undo, threads and malloc.
 */

static unsigned long parse_max_map_count(const char *buf, ssize_t len)
{
	char *end;
	unsigned long v;

	if (len <= 0)
		return 65530;
	v = strtoul(buf, &end, 10);
	return end == buf ? 65530 : v;
}

static unsigned long read_max_map_count(void)
{
	char buf[32] = "";
	ssize_t len = -1;
	int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	return parse_max_map_count(buf, len);
}

/* the sysctl now, through the fd kept open (a pread at 0 reads it afresh) */
static unsigned long reread_max_map_count(struct hotmem *hm)
{
	char buf[32] = "";

	if (hm->max_map_count_fd < 0)
		return read_max_map_count();
	return parse_max_map_count(buf, pread(hm->max_map_count_fd, buf, sizeof(buf) - 1, 0));
}

/* the process's mappings now: lines of /proc/self/maps */
static unsigned long host_map_count(void)
{
	unsigned long n = 0;
	char buf[65536];
	ssize_t len;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while ((len = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < len; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

/*
 * The cap in force: vm.max_map_count, or hotmem.max_map_count= when lower.
 * Read again each time the bound is counted: a refusal tells the user to
 * raise the sysctl, and the next add must see it raised.
 */
static unsigned long host_maps_cap(struct hotmem *hm, const char **name)
{
	if (hm->cfg.host_max_map_count && hm->cfg.host_max_map_count < hm->host_maps_max) {
		*name = "hotmem.max_map_count";
		return hm->cfg.host_max_map_count;
	}
	*name = "vm.max_map_count";
	return hm->host_maps_max;
}

/* the cap that would leave room for @nr_new more mappings now; 0 when this one does */
unsigned long physmem_maps_cap_needed(struct hotmem *hm, unsigned long nr_new)
{
	const char *name;
	unsigned long max, now = host_map_count();

	hm->host_maps_max = reread_max_map_count(hm);
	max = host_maps_cap(hm, &name);
	__atomic_store_n(&hm->host_maps_bound, now, __ATOMIC_RELAXED);
	hm->host_maps_counted = now;
	return now + nr_new + HOST_MAP_HEADROOM <= max ? 0 : now + nr_new + HOST_MAP_HEADROOM;
}

/* count now: -ENOMEM, and what @what needs in the log, unless @nr_new fit with @keep to spare */
static int host_maps_room(struct hotmem *hm, unsigned long nr_new, unsigned long keep,
			  const char *what)
{
	const char *name;
	unsigned long max, now = host_map_count(), room;

	__atomic_store_n(&hm->host_maps_bound, now, __ATOMIC_RELAXED);
	hm->host_maps_counted = now;
	hm->host_maps_max = reread_max_map_count(hm);
	max = host_maps_cap(hm, &name);
	room = now + keep < max ? max - now - keep : 0;
	if (nr_new <= room)
		return 0;
	pr_err(hm, "%s needs up to %lu more host mappings, %lu are left under "
		   "%s=%lu (%lu in use, %lu kept for undo): run sysctl vm.max_map_count=%lu, "
		   "or use larger memory blocks",
	       what, nr_new, room, name, max, now, keep, now + nr_new + keep);
	return -ENOMEM;
}

/*
 * Counting /proc/self/maps costs a line a mapping, too much for every add
 * of a virtio-mem block on a big machine: count only when the bound (last
 * count plus every mapping made since, merges and unmaps ignored) comes
 * within two headrooms of the cap and the last count is half a headroom
 * old, and before refusing (unmaps since may have made room).
 */
int physmem_check_mappings(struct hotmem *hm, unsigned long nr_new)
{
	const char *name;
	unsigned long max = host_maps_cap(hm, &name), bound;

	bound = __atomic_load_n(&hm->host_maps_bound, __ATOMIC_RELAXED);
	if (bound + nr_new + 2 * HOST_MAP_HEADROOM <= max)
		return 0;
	/* near the cap, a recent count still holds for half a headroom */
	if (bound - hm->host_maps_counted < HOST_MAP_HEADROOM / 2 &&
	    bound + nr_new + HOST_MAP_HEADROOM <= max)
		return 0;
	/* an undo's add takes what is kept for undo: the removal it undoes made room */
	return host_maps_room(hm, nr_new, hm->host_maps_undo ? 0 : HOST_MAP_HEADROOM,
			      "vmemmap: the memmap");
}

/*
 * Before a removal, whose unmaps are MAP_FIXEDs too.  In ascending order
 * onto the reservation each merges with the PROT_NONE before it, so a
 * removal needs a split or two, no headroom; but above the cap (the
 * sysctl lowered below the process's count) the host refuses every
 * mmap(), and a removal half done could neither finish nor be undone.
 * So the sysctl is read afresh each time (a pread, not the count), and
 * the mappings counted only when the bound reaches it.
 */
int physmem_check_unmaps(struct hotmem *hm, unsigned long nr_new)
{
	const char *name;
	unsigned long max;

	hm->host_maps_max = reread_max_map_count(hm);
	max = host_maps_cap(hm, &name);
	if (__atomic_load_n(&hm->host_maps_bound, __ATOMIC_RELAXED) + nr_new <= max)
		return 0;
	return host_maps_room(hm, nr_new, 0, "memory_hotplug: removing the memory");
}

/*
 * Every mapping call is a MAP_FIXED into a reservation or over another
 * mapping, the PROT_NONE ones that unmap included: each may split one
 * mapping in three.  Merges with neighbours only lower the real count, so
 * the bound stays an upper bound; a count brings it back down.
 */
/* @nr mappings made (a MAP_FIXED's, or a thread's stack and guard page) */
void physmem_maps_made(struct hotmem *hm, unsigned long nr)
{
	__atomic_fetch_add(&hm->host_maps_bound, nr, __ATOMIC_RELAXED);
}

static void host_maps_made(struct hotmem *hm)
{
	physmem_maps_made(hm, HOST_MAPS_PER_FIXED);
}

/* @key's value in kB in /proc/meminfo's text @buf, in bytes; -1 when missing */
static int meminfo_bytes(const char *buf, const char *key, uint64_t *out)
{
	const char *line = strstr(buf, key);
	unsigned long long kb;
	char *end;

	if (!line || (line != buf && line[-1] != '\n'))
		return -1;
	errno = 0;
	kb = strtoull(line + strlen(key), &end, 10);
	if (errno || end == line + strlen(key))
		return -1;
	*out = (uint64_t)kb << 10;
	return 0;
}

/*
 * The host's MemAvailable and MemTotal in bytes: /proc/meminfo's first
 * lines, through the fd kept open (a pread at 0 reads it afresh, as the
 * max_map_count sysctl's); -1 when unreadable
 */
static int host_meminfo(struct hotmem *hm, uint64_t *avail, uint64_t *total)
{
	/* MemTotal, MemFree, MemAvailable: the first three lines of any 3.14+ kernel's */
	char buf[512];
	int fd = hm->meminfo_fd;
	ssize_t len;

	if (fd < 0)
		fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (fd != hm->meminfo_fd)
		close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	return meminfo_bytes(buf, "MemTotal:", total) || meminfo_bytes(buf, "MemAvailable:", avail) ?
	       -1 : 0;
}

/*
 * What the host keeps free: hotmem.host_reserve=, else a sixteenth of its
 * memory, at least 128 MiB and at most 1 GiB.
 */
static uint64_t host_reserve(const struct hotmem *hm, uint64_t total)
{
	if (hm->cfg.host_reserve_given)
		return hm->cfg.host_reserve;
	return max((uint64_t)128 << 20, min(total / 16, (uint64_t)1 << 30));
}

/*
 * How long a read of MemAvailable answers for the onlines after it, each
 * counted against it in full.  A read is ~8 us (the kernel sums its
 * counters for /proc/meminfo), an eighth of a self-hosted online; 20 ms
 * is 40-400 onlines of a coldplug.  What the host's other processes take
 * meanwhile is not seen until the next read: at the scale the reserve is
 * (128 MiB to 1 GiB), 20 ms of another job's allocations, against the
 * ~160 KiB an online of holes really takes and the 2 MiB counted.
 */
#define HOST_ROOM_FRESH_MS	20

/*
 * @bytes more fit the host by the last read, counting what was granted
 * since (in full, 2 MiB a self-hosted block however many of its pages
 * stay holes: vmemmap_holes.c's saving is not a budget, memmap_host_bytes())
 */
static bool host_room_known(const struct hotmem *hm, uint64_t bytes, unsigned long now)
{
	return hm->host_room_read_ms && now - hm->host_room_read_ms < HOST_ROOM_FRESH_MS &&
	       hm->host_room_avail >=
		       hm->host_room_granted + bytes + host_reserve(hm, hm->host_room_total);
}

/*
 * A memmap written into fresh host memory (a self-hosted one: 2 MiB a 128
 * MiB block, 32 MiB a 2 GiB one) is real memory of the host, which has no
 * way to refuse it: past its last free page its OOM killer picks a
 * process, maybe another job's.  So an online that would leave the host
 * less than its reserve is refused here, before anything changed, with
 * -ENOMEM -- as a kernel's online fails when a MEM_GOING_ONLINE notifier
 * cannot allocate.  Only for @bytes of a MiB or more: a memmap shared
 * with its template (~155 KiB an online) is not worth a read of
 * /proc/meminfo (a pread of the fd physmem_init() opened).  The read
 * answers for HOST_ROOM_FRESH_MS, each online since counted against it;
 * a refusal is always a fresh read's.  Under the hotplug lock (the
 * online's move_pfn_range_to_zone(), mhp_init_memmap_on_memory()).
 */
int host_memory_room(struct hotmem *hm, uint64_t bytes, unsigned long start_pfn,
		     unsigned long nr_pages)
{
	uint64_t avail = 0, total = 0, keep;
	unsigned long now;

	if (bytes < (1u << 20) || (hm->cfg.host_reserve_given && !hm->cfg.host_reserve) ||
	    atomic_load(&hm->host_reserve_suspended))
		return 0;
	now = hm_ratelimit_now_ms();
	if (host_room_known(hm, bytes, now)) {
		hm->host_room_granted += bytes;
		return 0;
	}
	hm->host_room_read_ms = 0;
	if (host_meminfo(hm, &avail, &total))
		return 0;
	keep = host_reserve(hm, total);
	if (avail >= bytes + keep) {
		hm->host_room_read_ms = now;
		hm->host_room_avail = avail;
		hm->host_room_total = total;
		hm->host_room_granted = bytes;
		return 0;
	}
	pr_err(hm, "hotmem: [mem %#llx-%#llx]: its memmap takes %llu MiB of this host's memory, "
		   "which has %llu MiB available and keeps %llu MiB (hotmem.host_reserve=): "
		   "online refused (ENOMEM), not left to the host's OOM killer",
	       (unsigned long long)PFN_PHYS(start_pfn),
	       (unsigned long long)PFN_PHYS(start_pfn + nr_pages) - 1,
	       (unsigned long long)((bytes + (1u << 20) - 1) >> 20), (unsigned long long)(avail >> 20),
	       (unsigned long long)(keep >> 20));
	return -ENOMEM;
}

void hotmem_host_reserve_suspend(struct hotmem *hm, bool suspend)
{
	atomic_store(&hm->host_reserve_suspended, suspend);
}

/* back a range of physical memory with host pages in one go */
void physmem_allocate(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages)
{
	/*
	 * One thread at a time: shmem_fallocate() holds the inode lock while
	 * it allocates and clears (6.18), so two initialising threads' calls
	 * ran one after the other.  The second leaves its pages to
	 * physmem_prefault()'s faults, which take no inode lock: ~8% more
	 * of the host's CPU a page than the bulk call, but in parallel.
	 */
	if (atomic_exchange(&hm->memfd_allocating, true))
		return;
	fallocate(hm->memfd, FALLOC_FL_KEEP_SIZE, (off_t)PFN_PHYS(pfn),
		  (off_t)PFN_PHYS(nr_pages));
	atomic_store(&hm->memfd_allocating, false);
}

/* fault a fresh memmap in with one call instead of a fault a page */
void physmem_prefault(void *addr, size_t size)
{
	madvise(addr, size, MADV_POPULATE_WRITE);
}

/*
 * Memmap templates.  A section's memmap right after memmap_init is one
 * struct page repeated 32768 times, and of a free block only the buddy
 * heads (one in 16 vmemmap pages) are ever written again until the pages
 * are used.  So a whole section's memmap from system RAM may be a private
 * mapping of a template, PMD_SIZE of that struct page in memmap_tmpl_fd:
 * reads share the template's host pages, the first write to a vmemmap
 * page makes the host copy that page (MAP_PRIVATE copy-on-write), and the
 * emulated machine pays the full memmap exactly as before.  What it does
 * not see: the memfd pages backing such a memmap (__va of its buddy
 * pages) stay holes, so whatever needs the memmap in the memfd first
 * writes it there (vmemmap_unshare()).  A template never changes once
 * made: a private mapping shows later writes to the file.
 *
 * Returns the template's slot, or -1 when none can be had (the caller
 * writes the memmap instead).  The slot's PMD_SIZE of the file is only
 * reserved here (ftruncate): physmem_memmap_template_write() writes it at
 * its first mapping.
 */
int physmem_memmap_template(struct hotmem *hm, const struct page *tmpl)
{
	int slot = -1;

	pthread_mutex_lock(&hm->memmap_tmpl_lock);
	for (int i = 0; i < hm->nr_memmap_tmpl; i++)
		if (!memcmp(&hm->memmap_tmpl[i], tmpl, sizeof(*tmpl))) {
			slot = i;
			goto out;
		}
	/* the host may refuse the template's mapping too: the memmap is written then */
	if (hm->nr_memmap_tmpl == HM_MEMMAP_TEMPLATES || hm_should_fail(hm, "host_mmap"))
		goto out;
	if (hm->memmap_tmpl_fd < 0)
		hm->memmap_tmpl_fd = memfd_create("hotmem-memmap", MFD_CLOEXEC);
	if (hm->memmap_tmpl_fd < 0 ||
	    ftruncate(hm->memmap_tmpl_fd, (off_t)((hm->nr_memmap_tmpl + 1) * PMD_SIZE)))
		goto out;
	slot = hm->nr_memmap_tmpl++;
	hm->memmap_tmpl[slot] = *tmpl;
out:
	pthread_mutex_unlock(&hm->memmap_tmpl_lock);
	return slot;
}

/*
 * Template @slot's PMD_SIZE of the file written with its struct page,
 * once, before its first mapping (two init threads may ask together).
 * -ENOMEM, as host_mmap_fixed() says a refused mapping, when the host
 * refuses the mapping to write it through: the caller maps nothing and
 * writes the memmap.
 */
_Static_assert(HM_MEMMAP_TEMPLATES <= 8 * sizeof(((struct hotmem *)0)->memmap_tmpl_written),
	       "a template slot each bit of memmap_tmpl_written");

static int physmem_memmap_template_write(struct hotmem *hm, int slot)
{
	int ret = 0;
	void *p;

	pthread_mutex_lock(&hm->memmap_tmpl_lock);
	if (hm->memmap_tmpl_written & (1u << slot))
		goto out;
	p = mmap(NULL, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, hm->memmap_tmpl_fd,
		 (off_t)((size_t)slot * PMD_SIZE));
	if (p == MAP_FAILED) {
		ret = -ENOMEM;
		goto out;
	}
	memmap_fill(p, PAGES_PER_SECTION, &hm->memmap_tmpl[slot]);
	munmap(p, PMD_SIZE);
	hm->memmap_tmpl_written |= 1u << slot;
out:
	pthread_mutex_unlock(&hm->memmap_tmpl_lock);
	return ret;
}

/*
 * The template's mapping, where the host does not fault around: a read
 * fault maps its one page, not the 16 of fault_around_bytes around it
 * (do_read_fault(), 6.12's should_fault_around()), which a mapping
 * registered with a userfaultfd for write protection never does
 * (uffd_disable_fault_around()).  No page is ever write-protected, so the
 * registration changes nothing else: writes copy as before, and nothing
 * reaches the userfaultfd.  Of a free section's 512 vmemmap pages an
 * online maps the 32 buddy heads it copies and an offline then each
 * pageblock's first struct page and one more, 65 instead of all, and the
 * walks that follow (the copied-pages query, the remap's unmap) meet 65
 * present PTEs, not 512: most of a re-shared online/offline cycle's time
 * (make bench).  The registration is also what lets physmem_copy_in()
 * fill the buddy heads' pages without a fault.
 * Best effort: without a userfaultfd, or refused, it faults around (and
 * UFFDIO_COPY fails there: the heads are written, a fault each).
 */
int physmem_map_vmemmap_template(struct hotmem *hm, void *vaddr, int slot)
{
	struct uffdio_register reg = {
		.range = { (uintptr_t)vaddr, PMD_SIZE },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	int ret = physmem_memmap_template_write(hm, slot) ?:
		  host_mmap_fixed(hm, vaddr, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				  hm->memmap_tmpl_fd, (off_t)((size_t)slot * PMD_SIZE));

	if (!ret && hm->uffd >= 0 && hm->pagemap_pid == getpid())
		ioctl(hm->uffd, UFFDIO_REGISTER, &reg);
	return ret;
}

/*
 * @nr pages, @stride bytes apart from @addr, of a template mapping
 * physmem_map_vmemmap_template() registered with the userfaultfd, given
 * @src's PAGE_SIZE bytes by UFFDIO_COPY: for a private mapping the host
 * allocates an anonymous page, copies @src into it and maps it writable
 * (mfill_atomic_pte_copy(), 6.18) -- the copy a write fault makes of the
 * template's page, without the fault: no trap, no lookup of the
 * template's page in its page cache, and none of get_user_pages()'s
 * per-page walk and LRU drain that MADV_POPULATE_WRITE paid (the online
 * of a fresh block, 2026-11-30: 66 us with those 32 populated, 59 us
 * with a write fault each, 45 us copied in, bench_engine coldplug).
 * Only into a page not mapped yet (-EEXIST) and only by this process
 * (the userfaultfd names its mm: a forked child's call would fill its
 * parent's pages).  Returns how many, from the first: the caller writes
 * the rest, which the host then copies at a write fault each.
 */
unsigned int physmem_copy_in(struct hotmem *hm, void *addr, size_t stride, unsigned int nr,
			     const void *src)
{
	unsigned int i;

	if (hm->uffd < 0 || hm->pagemap_pid != getpid())
		return 0;
	for (i = 0; i < nr; i++) {
		struct uffdio_copy copy = {
			.dst = (uintptr_t)addr + i * stride,
			.src = (uintptr_t)src,
			.len = PAGE_SIZE,
			/* nothing waits on the userfaultfd: no page is ever write-protected */
			.mode = UFFDIO_COPY_MODE_DONTWAKE,
		};

		if (ioctl(hm->uffd, UFFDIO_COPY, &copy))
			break;
	}
	return i;
}

/*
 * Physical memory at @pfn read into @buf, or @wbuf written there: not
 * through the direct map, which may be unmapped.  false when it stopped
 * short.
 */
static bool physmem_io(struct hotmem *hm, unsigned long pfn, void *buf, const void *wbuf,
		       size_t size)
{
	for (size_t done = 0; done < size;) {
		const off_t off = (off_t)(PFN_PHYS(pfn) + done);
		ssize_t n = wbuf ? pwrite(hm->memfd, (const char *)wbuf + done, size - done, off) :
				   pread(hm->memfd, (char *)buf + done, size - done, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

int physmem_read(struct hotmem *hm, unsigned long pfn, void *buf, size_t size)
{
	return physmem_io(hm, pfn, buf, NULL, size) ? 0 : -EIO;
}

int physmem_write(struct hotmem *hm, unsigned long pfn, const void *buf, size_t size)
{
	return physmem_io(hm, pfn, NULL, buf, size) ? 0 : -ENOMEM;
}

/*
 * /proc/self/pagemap, as 6.12's fs/proc/task_mmu.c fills it
 * (pte_to_pagemap_entry(), pagemap_pmd_range()): bit 63 present, 62 a
 * swap PTE, 61 the page is not anonymous.  A swap PTE is not only the
 * swap: a migration entry (or a device-private one) has the page it
 * stands for, and PM_FILE when that page is the file's.
 */
#define PM_FILE		(1ULL << 61)
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)

/*
 * Whether a pagemap entry of a private file mapping is the host's copy:
 * an anonymous page, present or swapped out.  The file's own page is
 * PM_FILE, present or under migration (PM_SWAP | PM_FILE): the template's
 * content still, no copy.
 */
bool physmem_pagemap_copied(uint64_t ent)
{
	return (ent & (PM_PRESENT | PM_SWAP)) && !(ent & PM_FILE);
}

/*
 * physmem_private_pages() from pagemap's entries, a PMD at a time, one
 * pread(): in chunks of 64
 * (512 bytes of stack, not 4 KiB) a section cost 15 us, not 5 (2026-11-29,
 * load 4), most of an online/offline cycle that re-shares its memmap.
 */
static long private_pages_read(struct hotmem *hm, void *addr, size_t size, unsigned long max,
			       void (*fn)(void *page, void *arg), void *arg)
{
	uint64_t ent[PTRS_PER_PTE];
	size_t nr = size / PAGE_SIZE;
	long copied = 0;

	for (size_t i = 0; i < nr; i += PTRS_PER_PTE) {
		size_t n = min(nr - i, (size_t)PTRS_PER_PTE);
		off_t off = (off_t)(((uintptr_t)addr / PAGE_SIZE + i) * sizeof(uint64_t));

		if (pread(hm->pagemap_fd, ent, n * sizeof(uint64_t), off) !=
		    (ssize_t)(n * sizeof(uint64_t)))
			return -1;
		for (size_t j = 0; j < n; j++) {
			if (!physmem_pagemap_copied(ent[j]))
				continue;
			if (fn)
				fn((char *)addr + (i + j) * PAGE_SIZE, arg);
			if ((unsigned long)copied++ == max)
				return copied;
		}
	}
	return copied;
}

/* ranges of pages at a time: a shared memmap's copies come in few of them */
#define SCAN_REGIONS	65

/*
 * PAGEMAP_SCAN (6.7's fs/proc/task_mmu.c, pagemap_scan_pmd_entry()) walks
 * the same PTEs but returns only the ranges asked for: pages not the
 * file's (PAGE_IS_FILE inverted, the page_folio test pagemap's PM_FILE
 * makes) that are present or swapped, in contiguous ranges, stopping at
 * max_pages.  It spares the 8 bytes copied out for each of the 512 PTEs
 * and the exclusivity test of each page (PM_MMAP_EXCLUSIVE).
 */
static long private_pages_scan(struct hotmem *hm, void *addr, size_t size, unsigned long max,
			       void (*fn)(void *page, void *arg), void *arg)
{
	struct page_region vec[SCAN_REGIONS];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.start = (uintptr_t)addr,
		.end = (uintptr_t)addr + size,
		.vec = (uintptr_t)vec,
		.vec_len = SCAN_REGIONS,
		.category_inverted = PAGE_IS_FILE,
		.category_mask = PAGE_IS_FILE,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};
	const uint64_t end = a.end;
	unsigned long copied = 0;

	while (a.start < end) {
		/* the walk stops at the copy after the first @max (0: no limit) */
		a.max_pages = max == ULONG_MAX ? 0 : max + 1 - copied;
		long n = ioctl(hm->pagemap_fd, PAGEMAP_SCAN, &a);

		if (n < 0)
			return -1;
		for (long i = 0; i < n; i++)
			for (uint64_t p = vec[i].start; p < vec[i].end; p += PAGE_SIZE, copied++)
				if (fn)
					fn((void *)(uintptr_t)p, arg);
		if (copied > max || a.walk_end <= a.start)
			break;
		a.start = a.walk_end;
	}
	return (long)copied;
}

/*
 * The pages of a private file mapping the host has copied, each passed to
 * @fn (may be NULL): their number, or -1 when the page tables cannot be
 * read (no /proc, or a process forked from the one that opened it).  The
 * walk stops at the copy after the first @max: @max + 1 says "more".
 */
long physmem_private_pages(struct hotmem *hm, void *addr, size_t size, unsigned long max,
			   void (*fn)(void *page, void *arg), void *arg)
{
	if (hm->pagemap_fd < 0 || hm->pagemap_pid != getpid())
		return -1;
	if (hm->pagemap_scan)
		return private_pages_scan(hm, addr, size, max, fn, arg);
	return private_pages_read(hm, addr, size, max, fn, arg);
}

/*
 * The page faults this process's threads have taken, all of them (those
 * that exited too): getrusage()'s minor and major faults, which the host
 * counts for every fault a thread takes on a user address, from user mode
 * or in a system call's copy to or from it (6.12's mm_account_fault();
 * a copy of a swapped-out template page is a major one).  The host's work
 * on the process's behalf (get_user_pages(): MADV_POPULATE_*,
 * process_madvise(), O_DIRECT) faults as well and is counted to the
 * thread that asked (mm_account_fault() without regs, since 5.9); only a
 * get_user_pages() of another process (process_vm_writev() or ptrace
 * from outside) is counted to that one, not here.  -1 where the page
 * tables cannot be read either (physmem_private_pages()): a forked
 * child's count starts again.
 */
long physmem_faults(struct hotmem *hm)
{
	struct rusage ru;

	if (hm->pagemap_fd < 0 || hm->pagemap_pid != getpid() || getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

/* the memfd's pages: no more than the present RAM (invariant 6) */
size_t physmem_memfd_resident_bytes(struct hotmem *hm)
{
	struct stat st;

	if (fstat(hm->memfd, &st))
		return 0;
	return (size_t)st.st_blocks * 512;
}

/*
 * The memfd, the templates, and the copies made of them.  Which memmaps
 * are shared changes under device_hotplug_lock (onlining, removal, HugeTLB
 * vmemmap optimisation): hold it, as lock_device_hotplug() does.
 */
size_t hotmem_ram_resident_bytes(struct hotmem *hm)
{
	struct stat st;
	size_t bytes = 0;

	lock_device_hotplug(hm);
	if (hm->memmap_tmpl_fd >= 0 && !fstat(hm->memmap_tmpl_fd, &st))
		bytes += (size_t)st.st_blocks * 512;
	bytes += physmem_memfd_resident_bytes(hm) + vmemmap_private_bytes(hm);
	unlock_device_hotplug(hm);
	return bytes;
}

void *hotmem_phys_to_virt(struct hotmem *hm, uint64_t phys)
{
	if (phys >= hm->maxmem)
		return NULL;
	/*
	 * The caller may read on from @phys anywhere through the direct map,
	 * which no userfaultfd watches: no self-hosted memmap keeps a hole
	 * from the first call on (vmemmap_holes_end()).  Only that call
	 * takes device_hotplug_lock.
	 */
	if (!__atomic_load_n(&hm->holes_ended, __ATOMIC_ACQUIRE)) {
		int ret;

		lock_device_hotplug(hm);
		ret = vmemmap_holes_end(hm);
		unlock_device_hotplug(hm);
		/* the host gives no memory to fill them: holes as before */
		if (ret) {
			errno = -ret;
			return NULL;
		}
	}
	return __va(hm, phys);
}
