// SPDX-License-Identifier: GPL-2.0
/*
 * Holes in self-hosted memmaps (emulator only; docs/engine.md, "Big
 * machines").
 *
 * A memmap from system RAM shares its template copy-on-write (physmem.c,
 * "Memmap templates"); a self-hosted one (memmap_on_memory, seed 001)
 * cannot: the direct map and the vmemmap show the same memfd pages
 * (MAP_SHARED of one memfd in both windows, seed 003), and a shmem page
 * cannot be shared between file offsets.  But it need not be written
 * either.  A vmemmap page that holds the template's struct pages (the
 * section's hm->hole_slot[]) stays a hole of the memfd, and the section's
 * vmemmap range is registered with a userfaultfd in MISSING mode: the
 * first touch of a hole, read or write, by any thread, traps to
 * holes_thread(), which fills it with UFFDIO_COPY -- 64 copies of the
 * template's struct page.  For a MAP_SHARED shmem mapping UFFDIO_COPY
 * puts the page into the memfd's page cache (6.18 shmem_mfill_atomic_pte()),
 * so the direct map, which maps the same offset, sees that page too.  A
 * MISSING fault is raised only for a page absent from the page cache, so
 * a page once there never traps again.  What differs from the template
 * (the buddy heads the online writes, the memmap's own struct pages) is
 * copied in by the writer beforehand, without a trap
 * (vmemmap_holes_copy()), as the RAM path's vmemmap_populate_online().
 *
 * The emulated machine is unchanged: the 512 vmemmap pages are used from
 * the block, MemTotal and MemFree as before; only the host's pages differ.
 *
 * What may not touch a hole:
 *  - the direct map: its range is not registered (each registration
 *    splits the direct map's mapping, up to two more host mappings a
 *    block, and vm.max_map_count bounds big machines already).  A hole
 *    read through it would put a zero page into the page cache, which
 *    the vmemmap would then show: the memmap silently zeroed.  The engine
 *    reads no self-hosted memmap through __va().  hotmem_phys_to_virt()
 *    hands out a pointer its caller may read on from, into any block's
 *    memmap, and keep across later onlines: its first call ends the
 *    holes for good (vmemmap_holes_end()) -- every hole filled, none
 *    made again -- rather than fill a block's and trust the caller.
 *  - a system call given a vmemmap address (the registration is
 *    UFFD_USER_MODE_ONLY, unprivileged: a fault in kernel mode fails
 *    with EFAULT), nor the memfd's pread()/pwrite()/fallocate() of that
 *    range, which see zeros: the prefetcher and prefault_memmap() leave
 *    such sections alone.
 *  - a forked child: its copy of the mappings would not be registered
 *    (no UFFD_FEATURE_EVENT_FORK), and its read of a hole would put a
 *    zeroed page into the memfd the *parent's* vmemmap shows.  The
 *    memfd's windows are MADV_DONTFORK (host_mmap_fixed()): a child that
 *    touches them gets SIGSEGV.  Children of hotmemfs never read the
 *    memmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "internal.h"

#define HOLE_ZERO	(-1)

/*
 * A fault fills the vmemmap pages from the one it hit up to the next
 * max-order block's (16): the memmap of one max-order block, whose
 * struct pages a split or a walk touches together (expand() writes heads
 * 1, 2, 4 and 8 vmemmap pages in), and a reader of a whole memmap traps
 * once a 16 pages, not each page (7-14 us a page trapped one by one,
 * the fault thread's round trip; ~1.3 us a page copied).  Up to the
 * first page already there: UFFDIO_COPY stops at it.
 */
#define HOLES_AROUND	(MAX_ORDER_NR_PAGES * sizeof(struct page) / PAGE_SIZE)

/* the vmemmap pages a fault at @addr fills, and their content in @buf */
static unsigned long holes_around(struct hotmem *hm, unsigned long addr, struct page *buf)
{
	const uintptr_t base = (uintptr_t)hm->vmemmap;
	unsigned long nr, n = 1;
	int slot = HOLE_ZERO;

	if (addr >= base && addr < base + hm->vmemmap_size) {
		nr = (addr - base) / SECTION_MEMMAP_SIZE;
		slot = __atomic_load_n(&hm->hole_slot[nr], __ATOMIC_ACQUIRE);
		n = HOLES_AROUND - (addr - base) / PAGE_SIZE % HOLES_AROUND;
	}
	if (slot == HOLE_ZERO)
		memset(buf, 0, n * PAGE_SIZE);
	else
		memmap_fill(buf, n * PAGE_SIZE / sizeof(struct page), &hm->memmap_tmpl[slot]);
	return n;
}

/*
 * No new hole is made: after hotmem_phys_to_virt() (vmemmap_holes_end()),
 * or once the host refused a writer's UFFDIO_COPY (a policy or a host out
 * of memory refuses the next one too: each fill would be a refused ioctl
 * and a write through the memfd, so memmaps are written from then on).
 */
static bool holes_stopped(struct hotmem *hm)
{
	return __atomic_load_n(&hm->holes_ended, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&hm->holes_copy_refused, __ATOMIC_RELAXED);
}

/*
 * Something but vmemmap_holes_prefill() put pages into the section's
 * memmap: its next online punches and copies as always.  Before the
 * fill, so that an online that reads neither flag punches.
 */
static void holes_filled(struct hotmem *hm, unsigned long section_nr)
{
	__atomic_store_n(&hm->hole_prefill[section_nr], 0, __ATOMIC_SEQ_CST);
}

/*
 * The refusal said once, by a writer (the fault thread logs nothing: a
 * faulting thread may hold event_lock, in a subscriber's callback):
 * hotmemfs goes on, slower, each fill a write.
 */
static void holes_copy_refused(struct hotmem *hm, int err, unsigned long addr)
{
	if (__atomic_exchange_n(&hm->holes_copy_refused, true, __ATOMIC_RELAXED))
		return;
	pr_err(hm, "vmemmap: the host refused UFFDIO_COPY at %#lx (%s): self-hosted memmaps' holes are written through the memfd, and memmaps written in full, from now on",
	       addr, strerror(err));
}

/*
 * The vmemmap page at @addr, still a hole, given @src through the memfd
 * (pwrite(), no trap: the registered mapping is not touched) when the
 * host refuses UFFDIO_COPY: 0, or the write's errno.  Under
 * holes_fill_lock for writing, the writers' copies hold it for reading:
 * a page a writer filled meanwhile is not overwritten.
 */
static int holes_write(struct hotmem *hm, unsigned long addr, const void *src)
{
	const uintptr_t base = (uintptr_t)hm->vmemmap;
	const unsigned long nr = (addr - base) / SECTION_MEMMAP_SIZE;
	const off_t off = (off_t)PFN_PHYS(__nr_to_section(hm, nr)->vmemmap.pmd_pfn) +
			  (off_t)((addr - base) % SECTION_MEMMAP_SIZE);
	unsigned char vec;
	int err = 0;

	pthread_rwlock_wrlock(&hm->holes_fill_lock);
	errno = 0;
	if ((mincore((void *)addr, PAGE_SIZE, &vec) || !(vec & 1)) &&
	    pwrite(hm->memfd, src, PAGE_SIZE, off) != PAGE_SIZE)
		err = errno ?: EIO;
	pthread_rwlock_unlock(&hm->holes_fill_lock);
	return err;
}

/*
 * A touched hole the host gives no memory for, not even through the
 * memfd: tried again with a growing pause for 10 s, then the process
 * aborts, saying which access of which thread it could not serve.
 *
 * Why not an errno and an undo, as an online or an offline that meets
 * the same refusal in its own copies gets (holes_copy(): ENOMEM, the
 * operation unwound as 6.12's online_pages()/memory_block_online()
 * failure paths unwind it): the fault is a load or a store by any
 * thread, anywhere in the engine -- a buddy merge under zone->lock, an
 * explain, a workload's allocation -- stopped in the host's
 * handle_userfault() until this thread answers.  A userfaultfd handler
 * can only fill the page (UFFDIO_COPY, refused here), wake the thread to
 * fault again (a hang with its locks held: selfreview #2), zero it
 * (struct pages silently wrong) or poison it (UFFDIO_POISON: SIGBUS, a
 * crash as well).  The instruction has no errno to return, and the
 * kernel has no failure path to model: its memmap is populated whole at
 * hot-add (sparse_add_section() -> ENOMEM there, unwound by
 * __add_pages()), so a struct page read never fails.  stderr, not the
 * log: the faulting thread may hold event_lock.  The state file restores
 * an acknowledged machine.
 */
#define HOLES_WRITE_PATIENCE_MS	10000

static void holes_fault_write(struct hotmem *hm, const struct uffd_msg *msg, unsigned long addr,
			      const void *src)
{
	const unsigned long pfn = (addr - (uintptr_t)hm->vmemmap) / sizeof(struct page);
	unsigned long pause_ms = 1, waited_ms = 0;
	int err;

	while ((err = holes_write(hm, addr, src))) {
		if (!waited_ms)
			fprintf(stderr, "hotmem: vmemmap: the host gives no memory for the memmap page at %#lx (%s); trying again\n",
				addr, strerror(err));
		if (waited_ms >= HOLES_WRITE_PATIENCE_MS) {
			fprintf(stderr, "hotmem: vmemmap: thread %u touched the struct pages of pfns %#lx-%#lx (memory block %lu), a hole of a self-hosted memmap, and the host gave no memory for it in %d s (%s): aborting. A memory access cannot fail with an errno (the kernel's memmap is populated whole when memory is added); an online or offline meeting this fails with ENOMEM and is undone. The state file restores the acknowledged machine.\n",
				msg->arg.pagefault.feat.ptid, pfn,
				pfn + PAGE_SIZE / sizeof(struct page) - 1,
				memory_block_id(hm, pfn_to_section_nr(pfn)),
				HOLES_WRITE_PATIENCE_MS / 1000, strerror(err));
			abort();
		}
		nanosleep(&(struct timespec){ pause_ms / 1000, (long)(pause_ms % 1000) * 1000000 }, NULL);
		waited_ms += pause_ms;
		pause_ms = min(pause_ms * 2, 1000UL);
	}
}

/*
 * Fills each hole a thread touched.  Takes no lock (but the leaf
 * holes_fill_lock) and touches no registered page: a faulting thread may
 * hold any lock of the engine.  EEXIST: filled meanwhile by a writer's
 * vmemmap_holes_copy(); the faulting thread is woken then, to find it.
 * Any other refusal: the faulting page written through the memfd.
 */
static void *holes_thread(void *arg)
{
	struct hotmem *hm = arg;
	struct pollfd pfd[2] = { { hm->holes_uffd, POLLIN, 0 }, { hm->holes_stop, POLLIN, 0 } };
	struct page *buf = hm->holes_buf;
	struct uffd_msg msg;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		while (read(hm->holes_uffd, &msg, sizeof(msg)) == sizeof(msg)) {
			unsigned long addr = ALIGN_DOWN((unsigned long)msg.arg.pagefault.address,
							PAGE_SIZE);
			struct uffdio_copy copy = { .dst = addr, .src = (uintptr_t)buf };
			struct uffdio_range wake = { addr, PAGE_SIZE };

			if (msg.event != UFFD_EVENT_PAGEFAULT)
				continue;
			if (addr >= (uintptr_t)hm->vmemmap &&
			    addr < (uintptr_t)hm->vmemmap + hm->vmemmap_size)
				holes_filled(hm, (addr - (uintptr_t)hm->vmemmap) / SECTION_MEMMAP_SIZE);
			copy.len = holes_around(hm, addr, buf) * PAGE_SIZE;
			/* a partial copy (-EAGAIN) woke the pages it filled, the faulting one first */
			if (!ioctl(hm->holes_uffd, UFFDIO_COPY, &copy) || copy.copy > 0)
				continue;
			if (errno != EEXIST)
				holes_fault_write(hm, &msg, addr, buf);
			ioctl(hm->holes_uffd, UFFDIO_WAKE, &wake);
		}
	}
	return NULL;
}

/*
 * At the first registration, once: does this host fill a hole of a
 * MAP_SHARED memfd page with UFFDIO_COPY?  A userfaultfd of its own (UFFD_USER_MODE_ONLY needs
 * no privilege, 5.11+; the faulting thread's id, 4.14+), a memfd of one
 * page registered in MISSING mode (shmem: 4.11+) and one copy into it --
 * what a self-hosted memmap's holes need.  A host may offer the syscall
 * and still refuse the rest: a seccomp filter or an LSM refusing the
 * ioctl, a kernel without shmem userfaultfd support (EINVAL at the
 * registration).  Known here, a self-hosted memmap is written from its
 * first online, instead of the first refused copy at an online or a
 * fault finding out (and each fill a refused ioctl and a write before
 * that).  Not at boot: a machine that never adds a self-hosted memmap
 * (most) never needs the answer, and a policy set up after boot is
 * seen.  Nothing is kept open: the holes' own userfaultfd follows.
 * false with *@step and *@err saying what was refused.
 */
static bool holes_probe(const char **step, int *err)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID };
	static const char zeros[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { .src = (uintptr_t)zeros, .len = PAGE_SIZE,
				    .mode = UFFDIO_COPY_MODE_DONTWAKE };
	int uffd, memfd = -1;
	void *page = MAP_FAILED;

	*step = "userfaultfd";
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (uffd < 0)
		goto refused;
	*step = "UFFDIO_API";
	if (ioctl(uffd, UFFDIO_API, &api))
		goto refused;
	*step = "a memfd";
	memfd = memfd_create("hotmem-holes-probe", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, PAGE_SIZE))
		goto refused;
	page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (page == MAP_FAILED)
		goto refused;
	*step = "UFFDIO_REGISTER";
	reg.range = (struct uffdio_range){ (uintptr_t)page, PAGE_SIZE };
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		goto refused;
	*step = "UFFDIO_COPY";
	copy.dst = (uintptr_t)page;
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		goto refused;
	*step = NULL;
	goto out;

refused:
	*err = errno;
out:
	if (page != MAP_FAILED)
		munmap(page, PAGE_SIZE);
	if (memfd >= 0)
		close(memfd);
	if (uffd >= 0)
		close(uffd);
	return !*step;
}

/*
 * The userfaultfd, the slots and the thread, at the first registration
 * (under device_hotplug_lock).  -1 when the host offers none, or refuses
 * to fill a memfd page with it (holes_probe(), asked here once):
 * self-hosted memmaps are written, as before (said once, where the host
 * has a userfaultfd but refused the rest).
 */
static int holes_start(struct hotmem *hm)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID };
	const char *refused;
	int refused_err = 0;

	if (__atomic_load_n(&hm->holes_running, __ATOMIC_ACQUIRE))
		return 0;
	if (hm->holes_uffd == -2)
		return -1;
	if (!holes_probe(&refused, &refused_err)) {
		/* no userfaultfd at all: silent, as before */
		if (strcmp(refused, "userfaultfd"))
			pr_info(hm, "vmemmap: this host refuses %s for a memfd page (%s), found at the first self-hosted memmap: self-hosted memmaps are written in full (2 MiB of host memory a section), not left holes",
				refused, strerror(refused_err));
		goto err;
	}
	hm->holes_uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (hm->holes_uffd < 0 || ioctl(hm->holes_uffd, UFFDIO_API, &api))
		goto err;
	if (!hm->hole_slot)
		hm->hole_slot = malloc(nr_mem_sections(hm));
	if (!hm->hole_prefill)
		hm->hole_prefill = calloc(nr_mem_sections(hm), 1);
	/* here, not in the thread: its first malloc() would map an arena of its own */
	if (!hm->holes_buf)
		hm->holes_buf = aligned_alloc(PAGE_SIZE, HOLES_AROUND * PAGE_SIZE);
	if (hm->holes_stop < 0)
		hm->holes_stop = eventfd(0, EFD_CLOEXEC);
	if (!hm->hole_slot || !hm->hole_prefill || !hm->holes_buf || hm->holes_stop < 0)
		goto err;
	memset(hm->hole_slot, HOLE_ZERO, nr_mem_sections(hm));
	if (pthread_create(&hm->holes_thread, NULL, holes_thread, hm))
		goto err;
	/* its stack and guard page: the host's mappings, which the add counts */
	physmem_maps_made(hm, 2);
	__atomic_store_n(&hm->holes_running, true, __ATOMIC_RELEASE);
	return 0;

err:
	/* never again: memmaps are written */
	if (hm->holes_uffd >= 0)
		close(hm->holes_uffd);
	hm->holes_uffd = -2;
	return -1;
}

void vmemmap_holes_init(struct hotmem *hm)
{
	hm->holes_uffd = -1;
	hm->holes_stop = -1;
	pthread_rwlock_init(&hm->holes_fill_lock, NULL);
}

void vmemmap_holes_exit(struct hotmem *hm)
{
	/*
	 * Only where the thread runs: a forked child has none, and its write
	 * to the eventfd it shares with its parent would stop the parent's.
	 */
	if (__atomic_load_n(&hm->holes_running, __ATOMIC_ACQUIRE) && hm->pagemap_pid == getpid()) {
		eventfd_write(hm->holes_stop, 1);
		pthread_join(hm->holes_thread, NULL);
	}
	__atomic_store_n(&hm->holes_running, false, __ATOMIC_RELEASE);
	if (hm->holes_uffd >= 0)
		close(hm->holes_uffd);
	hm->holes_uffd = -1;
	if (hm->holes_stop >= 0)
		close(hm->holes_stop);
	hm->holes_stop = -1;
	free(hm->hole_slot);
	hm->hole_slot = NULL;
	free(hm->hole_prefill);
	hm->hole_prefill = NULL;
	free(hm->holes_buf);
	hm->holes_buf = NULL;
	pthread_rwlock_destroy(&hm->holes_fill_lock);
}

/*
 * Nothing of the section's vmemmap pages [@i0, @i1) in the memfd: one
 * SEEK_DATA, no walk of its pages (false when unanswered)
 */
static bool holes_memfd_empty(struct hotmem *hm, const struct mem_section *ms, unsigned long i0,
			      unsigned long i1)
{
	const off_t off = (off_t)PFN_PHYS(ms->vmemmap.pmd_pfn);
	off_t data = lseek(hm->memfd, off + (off_t)(i0 * PAGE_SIZE), SEEK_DATA);

	return data < 0 ? errno == ENXIO : data >= off + (off_t)(i1 * PAGE_SIZE);
}

/*
 * A self-hosted memmap just mapped at @vaddr: registered, its holes read
 * as zeros (what the memfd's holes read as before) until an online
 * says otherwise.  Best effort: unregistered, it is written as before.
 * Only by the process that booted (a forked child's registration would
 * have no thread to fill its holes).
 */
void vmemmap_holes_register(struct hotmem *hm, unsigned long section_nr, void *vaddr)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct uffdio_register reg = {
		.range = { (uintptr_t)vaddr, SECTION_MEMMAP_SIZE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	if (hm->pagemap_pid != getpid() || holes_stopped(hm) || holes_start(hm))
		return;
	__atomic_store_n(&hm->hole_slot[section_nr], HOLE_ZERO, __ATOMIC_RELEASE);
	__atomic_store_n(&hm->hole_prefill[section_nr], holes_memfd_empty(hm, ms, 0, SECTION_MEMMAP_PAGES) ?
			 HOLES_ONLY : 0,
			 __ATOMIC_RELEASE);
	if (!ioctl(hm->holes_uffd, UFFDIO_REGISTER, &reg))
		__atomic_fetch_or(&ms->section_mem_map, SECTION_MEMMAP_HOLES, __ATOMIC_RELAXED);
}

/*
 * The memmap's mapping is gone, and its registration with it -- or the
 * host refused the unmap (vm.max_map_count) and the mapping stays onto
 * the removed block until the next add maps over it: unregistered too,
 * so that no mapping is registered without SECTION_MEMMAP_HOLES (a stray
 * touch was filled from the section's stale template slot).  Not in a
 * forked child: the userfaultfd acts on its parent's mm.
 */
void vmemmap_holes_forget(struct hotmem *hm, unsigned long section_nr)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);
	struct uffdio_range range = {
		(uintptr_t)pfn_to_page(hm, section_nr_to_pfn(section_nr)), SECTION_MEMMAP_SIZE
	};

	if (hm->hole_prefill)
		holes_filled(hm, section_nr);
	if ((__atomic_fetch_and(&ms->section_mem_map, ~SECTION_MEMMAP_HOLES, __ATOMIC_RELAXED) &
	     SECTION_MEMMAP_HOLES) && __atomic_load_n(&hm->holes_running, __ATOMIC_ACQUIRE) &&
	    hm->pagemap_pid == getpid())
		ioctl(hm->holes_uffd, UFFDIO_UNREGISTER, &range);
}

/*
 * The hole at @dst (a vmemmap page) given @src's page without a trap,
 * without waking a thread faulting there (the fault thread wakes it,
 * finding EEXIST): 0, or the ioctl's errno (EEXIST: there already).
 * holes_fill_lock shared: two init threads' copies do not wait for each
 * other, only a write through the memfd after a refusal (holes_write())
 * takes it alone.
 */
static int holes_uffd_copy(struct hotmem *hm, unsigned long dst, const void *src)
{
	struct uffdio_copy copy = {
		.dst = dst, .src = (uintptr_t)src, .len = PAGE_SIZE,
		.mode = UFFDIO_COPY_MODE_DONTWAKE,
	};
	int ret;

	pthread_rwlock_rdlock(&hm->holes_fill_lock);
	ret = ioctl(hm->holes_uffd, UFFDIO_COPY, &copy) ? errno : 0;
	pthread_rwlock_unlock(&hm->holes_fill_lock);
	return ret;
}

/*
 * Which of the section's vmemmap pages [@i0, @i1) are in the memfd
 * already, in @there (bit 0), to be kept as they are: one mincore()
 * (the page cache, no fault: ~1 us) instead of a UFFDIO_COPY each that
 * finds the page there (EEXIST), whose shmem page is allocated, charged
 * and freed again -- as dear as a copy.  A switch of the section's
 * template met the memmap's own 8 pages so at every first online of a
 * 128 MiB block.  Not asked of one page: the caller's copy answers that
 * as cheaply.  All clear when unanswered.  A wrong "not there" (shmem
 * swapped out) is harmless: its UFFDIO_COPY answers EEXIST and the page
 * is kept.
 */
static void holes_there(const char *memmap, unsigned long i0, unsigned long i1,
			unsigned char *there)
{
	memset(there, 0, i1 - i0);
	if (i1 - i0 > 1 &&
	    mincore((void *)(memmap + i0 * PAGE_SIZE), (i1 - i0) * PAGE_SIZE, there))
		memset(there, 0, i1 - i0);
}

static int holes_copy_range(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
			    unsigned long i1, const struct page *tmpl, bool keep,
			    const unsigned char *there);

/*
 * Vmemmap pages [@i0, @i1) of a section given @tmpl's struct pages
 * without a trap: UFFDIO_COPY into a hole, a plain write into a page
 * already there.  When @keep, a page already there keeps what it holds
 * (a hole filled as it would have been at its first touch).  -ENOMEM
 * when the host gives no memory for a hole, not even through the memfd:
 * the pages before it are done (as a first touch would have done them),
 * and the caller -- an online, an offline, hotmem_phys_to_virt() -- fails
 * and unwinds, the machine as it was.
 */
static int holes_copy(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
		       unsigned long i1, const struct page *tmpl, bool keep)
{
	unsigned char there[SECTION_MEMMAP_PAGES];

	holes_filled(hm, section_nr);
	/* a page not kept is copied or written in place alike: no need to know */
	if (keep)
		holes_there((char *)pfn_to_page(hm, section_nr_to_pfn(section_nr)), i0, i1, there);
	else
		memset(there, 0, i1 - i0);
	return holes_copy_range(hm, section_nr, i0, i1, tmpl, keep, there);
}

/*
 * holes_copy()'s pages, @there saying which are in the memfd already
 * (bit 0; the others may be too): those are kept (@keep) or written in
 * place, no UFFDIO_COPY asked to find them there
 */
static int holes_copy_range(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
			    unsigned long i1, const struct page *tmpl, bool keep,
			    const unsigned char *there)
{
	char *memmap = (char *)pfn_to_page(hm, section_nr_to_pfn(section_nr));
	struct page src[PAGE_SIZE / sizeof(struct page)] __attribute__((aligned(PAGE_SIZE)));

	if (tmpl)
		memmap_fill(src, ARRAY_SIZE(src), tmpl);
	else
		memset(src, 0, sizeof(src));
	for (unsigned long i = i0; i < i1; i++) {
		const unsigned long dst = (uintptr_t)memmap + i * PAGE_SIZE;
		int ret;

		if ((there[i - i0] & 1) && keep)
			continue;
		ret = (there[i - i0] & 1) ? EEXIST : holes_uffd_copy(hm, dst, src);
		if (!ret || (keep && ret == EEXIST))
			continue;
		/* refused: a page still a hole is written through the memfd, never touched */
		if (ret != EEXIST) {
			holes_copy_refused(hm, ret, dst);
			ret = holes_write(hm, dst, src);
			if (ret) {
				pr_err(hm, "vmemmap: the host gives no memory for the memmap page at %#lx (%s): ENOMEM",
				       dst, strerror(ret));
				return -ENOMEM;
			}
			if (keep)
				continue;
		}
		memcpy(memmap + i * PAGE_SIZE, src, PAGE_SIZE);
	}
	return 0;
}

/* the template a hole of the section stands for now, or NULL for zeros */
static const struct page *holes_tmpl(struct hotmem *hm, unsigned long section_nr)
{
	int slot = __atomic_load_n(&hm->hole_slot[section_nr], __ATOMIC_ACQUIRE);

	return slot == HOLE_ZERO ? NULL : &hm->memmap_tmpl[slot];
}

/* every hole of the section filled, as its first touch would: 0 or -ENOMEM */
static int vmemmap_holes_fill(struct hotmem *hm, unsigned long section_nr)
{
	if (!vmemmap_has_holes(__nr_to_section(hm, section_nr)))
		return 0;
	return holes_copy(hm, section_nr, 0, SECTION_MEMMAP_PAGES, holes_tmpl(hm, section_nr),
			  true);
}

/*
 * The vmemmap pages [*@i0, *@i1) of @pfn's section that hold only struct
 * pages of [@pfn, @pfn + @nr_pages)
 */
static void holes_span(unsigned long pfn, unsigned long nr_pages, unsigned long *i0,
		       unsigned long *i1)
{
	const unsigned long off = pfn & ~PAGE_SECTION_MASK;

	*i0 = DIV_ROUND_UP(off * sizeof(struct page), PAGE_SIZE);
	*i1 = (off + nr_pages) * sizeof(struct page) / PAGE_SIZE;
}

/* holes are made for half a section's memmap or more (an online's range) */
static bool holes_worth(unsigned long i0, unsigned long i1)
{
	return i1 > i0 && 2 * (i1 - i0) >= SECTION_MEMMAP_PAGES;
}

/* the section's first online was made ahead (vmemmap_holes_prefill()) and nothing filled it since */
static bool holes_prefilled(struct hotmem *hm, unsigned long section_nr)
{
	return __atomic_load_n(&hm->hole_prefill[section_nr], __ATOMIC_SEQ_CST) ==
	       (HOLES_ONLY | HOLES_PREFILLED);
}

/*
 * Vmemmap pages [@i0, @i1) of a prefilled section's online range given
 * @tmpl's struct pages where they are, without a UFFDIO_COPY (whose
 * shmem page is allocated, charged and freed again to find the page
 * there: as dear as a copy), one mincore() saying which.  A page the
 * prefill did not make (the range leaves no holes: no template slot, or
 * the holes stopped) is copied in as
 * holes_copy() does: -ENOMEM when the host gives no memory for it, the
 * online failing and unwound -- not a trap that aborts after 10 s
 * (holes_fault_write()).  Not holes_filled(): the online that follows
 * still finds the section prefilled.
 */
static int holes_write_in_place(struct hotmem *hm, unsigned long section_nr, unsigned long i0,
				unsigned long i1, const struct page *tmpl)
{
	const char *memmap = (const char *)pfn_to_page(hm, section_nr_to_pfn(section_nr));
	unsigned char there[SECTION_MEMMAP_PAGES];

	if (mincore((void *)(memmap + i0 * PAGE_SIZE), (i1 - i0) * PAGE_SIZE, there))
		memset(there, 0, i1 - i0);
	return holes_copy_range(hm, section_nr, i0, i1, tmpl, false, there);
}

/*
 * One vmemmap page of the section given what its hole stands for
 * (@src), no trap; a page there already (an earlier prefill) is left.
 * False when the host refuses: the prefill stops, the online copies.
 */
static bool holes_prefill_page(struct hotmem *hm, unsigned long section_nr, unsigned long i,
			       const struct page *src)
{
	const uintptr_t dst = (uintptr_t)pfn_to_page(hm, section_nr_to_pfn(section_nr)) +
			      i * PAGE_SIZE;
	int ret = holes_uffd_copy(hm, dst, src);

	/*
	 * Touched here, on the prefetcher's CPU: where the host virtualises
	 * page tables in software (PVM) the ioctl's mapping reaches the
	 * shadow page table only at a first access, an exit to the
	 * hypervisor the onlining thread paid at each head (docs/engine.md
	 * "Two init threads", 2026-12-01).  Free under hardware paging.
	 */
	if (!ret)
		(void)*(volatile const unsigned char *)dst;
	return !ret || ret == EEXIST;
}

/*
 * The pages of the section that its first online writes: the block's
 * memmap's own struct pages [@start_pfn, @heads_from) where they are in
 * it, and each buddy head from @heads_from on (at @heads_from, then
 * max-order aligned: vmemmap_holes_init_range()'s).
 */
static void holes_prefill_section(struct hotmem *hm, unsigned long section_nr,
				  unsigned long heads_from)
{
	const unsigned long spfn = section_nr_to_pfn(section_nr), epfn = spfn + PAGES_PER_SECTION;
	unsigned char only = HOLES_ONLY;
	struct page src[PFNS_PER_VMEMMAP_PAGE] __attribute__((aligned(PAGE_SIZE)));
	const struct page *tmpl = holes_tmpl(hm, section_nr);
	unsigned long i;

	if (!vmemmap_has_holes(__nr_to_section(hm, section_nr)) ||
	    __atomic_load_n(&hm->hole_prefill[section_nr], __ATOMIC_SEQ_CST) != HOLES_ONLY)
		return;
	if (tmpl)
		memmap_fill(src, ARRAY_SIZE(src), tmpl);
	else
		memset(src, 0, sizeof(src));
	for (i = 0; heads_from > spfn && i < DIV_ROUND_UP(min(heads_from, epfn) - spfn,
							  PFNS_PER_VMEMMAP_PAGE); i++)
		if (!holes_prefill_page(hm, section_nr, i, src))
			return;
	for (unsigned long p = max(spfn, heads_from); p < epfn; p = ALIGN(p + 1, MAX_ORDER_NR_PAGES))
		if (!holes_prefill_page(hm, section_nr, (p - spfn) / PFNS_PER_VMEMMAP_PAGE, src))
			return;
	/* not if a fill meanwhile cleared HOLES_ONLY */
	__atomic_compare_exchange_n(&hm->hole_prefill[section_nr], &only,
				    HOLES_ONLY | HOLES_PREFILLED, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

/*
 * The first online of a block with a fresh self-hosted memmap, made
 * ahead by the second thread of hotmem_online_blocks() (memory_block_prefetch())
 * while the first onlines the block before: that online's UFFDIO_COPYs
 * (~2 us each, 40 a 128 MiB block: a shmem page allocated, charged, put
 * into the page cache and mapped) are made now, each page given what its
 * hole stands for, so nothing reads otherwise.  The online then writes
 * those pages in place and punches nothing (vmemmap_holes_init_range()).
 * Only where the memfd holds nothing else of the memmap
 * (HOLES_ONLY, cleared by any other fill); best effort.
 * The block's memmap's own struct pages are its first @nr_vmemmap_pages
 * pfns (its altmap).  The caller holds device_hotplug_lock for the batch:
 * no online of these sections, which alone changes what their holes
 * stand for, runs meanwhile, nor vmemmap_holes_end().  (Not
 * vmemmap_remap_lock: held for reading through a prefill, it made the
 * onlining thread's vmemmap_holes_init_range() wait for it.)
 */
void vmemmap_holes_prefill(struct hotmem *hm, unsigned long start_pfn, unsigned long nr_pages,
			   unsigned long nr_vmemmap_pages)
{
	if (!__atomic_load_n(&hm->holes_running, __ATOMIC_ACQUIRE) || holes_stopped(hm))
		return;
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn += PAGES_PER_SECTION)
		holes_prefill_section(hm, pfn_to_section_nr(pfn), start_pfn + nr_vmemmap_pages);
}

/*
 * memmap_init_range() of [@pfn, @pfn + @nr_pages), all in one section
 * with SECTION_MEMMAP_HOLES, to @tmpl (template @slot, or -1 if none):
 * the struct pages it covers made @tmpl's.  The vmemmap pages it covers
 * whole become holes standing for the template, when they are at least
 * half of the section (the online's range; the memmap's own struct pages
 * at mhp_init_memmap_on_memory() are 8 pages of another template, copied
 * in): whatever else of the section is still a hole is filled first with
 * what it stands for, the holes' template changes, and the pages that
 * held the last online's memmap go back to the host.  Then the pages
 * the online writes next without reading anything else of the range --
 * the head of each block it frees to the buddy, at @pfn and each
 * max-order boundary -- are copied in, so that it takes no trap.  The
 * struct pages sharing a vmemmap page with the range's ends are written,
 * their vmemmap pages filled first with what they stand for.
 *
 * Under vmemmap_remap_lock for writing: a reader without the hotplug
 * locks (explain, hotmem_page_flags()) holds it for reading, so none of
 * its faults is filled with the old template after the change.
 *
 * -ENOMEM when the host gives no memory for a page the online writes
 * (holes_copy()): its caller fails the online, which unwinds as 6.12's
 * failure paths do (move_pfn_range_to_zone()'s caller,
 * memory_block_online()).  What was done stays as a first touch would
 * have left it, or as the kernel's memmap init leaves an online that
 * failed after it: the range's struct pages initialised, the block
 * offline; a failed switch keeps the section's old template.
 */
int vmemmap_holes_init_range(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages,
			     const struct page *tmpl, int slot)
{
	const unsigned long section_nr = pfn_to_section_nr(pfn);
	const unsigned long off = pfn & ~PAGE_SECTION_MASK;
	struct page *first = pfn_to_page(hm, pfn);
	unsigned long i0, i1;
	bool prefilled;
	int ret = 0;

	holes_span(pfn, nr_pages, &i0, &i1);

	/* the ends' vmemmap pages, shared with struct pages outside the range */
	if (off % PFNS_PER_VMEMMAP_PAGE)
		ret = holes_copy(hm, section_nr, off / PFNS_PER_VMEMMAP_PAGE,
				 off / PFNS_PER_VMEMMAP_PAGE + 1, holes_tmpl(hm, section_nr), true);
	if (!ret && (off + nr_pages) % PFNS_PER_VMEMMAP_PAGE)
		ret = holes_copy(hm, section_nr, (off + nr_pages) / PFNS_PER_VMEMMAP_PAGE,
				 (off + nr_pages) / PFNS_PER_VMEMMAP_PAGE + 1,
				 holes_tmpl(hm, section_nr), true);
	if (ret)
		return ret;
	if (i1 <= i0) {
		memmap_fill(first, nr_pages, tmpl);
		return 0;
	}
	memmap_fill(first, (i0 * PAGE_SIZE / sizeof(struct page)) - off, tmpl);
	memmap_fill(pfn_to_page(hm, section_nr_to_pfn(section_nr)) +
		    i1 * PAGE_SIZE / sizeof(struct page),
		    off + nr_pages - i1 * PAGE_SIZE / sizeof(struct page), tmpl);
	if (slot < 0 || !holes_worth(i0, i1) || holes_stopped(hm)) {
		/*
		 * The altmap's own struct pages (the range ends inside the
		 * section, the online's follows it to the end): a prefill put
		 * every one there (holes_prefill_section()'s first loop, all
		 * of it or HOLES_PREFILLED is not set), written in place.
		 */
		if (holes_prefilled(hm, section_nr) && off + nr_pages < PAGES_PER_SECTION) {
			memmap_fill(pfn_to_page(hm, section_nr_to_pfn(section_nr)) +
				    i0 * PFNS_PER_VMEMMAP_PAGE, (i1 - i0) * PFNS_PER_VMEMMAP_PAGE, tmpl);
			return 0;
		}
		/*
		 * The online's range of a prefilled section: its heads are
		 * there, the rest asked of the page cache.  Written, so the
		 * next online punches, as below -- not only if a page the
		 * prefill did not make trapped (finalI F4).
		 */
		if (holes_prefilled(hm, section_nr)) {
			ret = holes_write_in_place(hm, section_nr, i0, i1, tmpl);
			holes_filled(hm, section_nr);
			return ret;
		}
		return holes_copy(hm, section_nr, i0, i1, tmpl, false);
	}
	pthread_rwlock_wrlock(&hm->vmemmap_remap_lock);
	/* prefilled: [0, i0) is the memmap's own pages, there; [i0, i1) holes but the heads */
	prefilled = holes_prefilled(hm, section_nr) && i1 == SECTION_MEMMAP_PAGES;
	if (__atomic_load_n(&hm->hole_slot[section_nr], __ATOMIC_RELAXED) != slot) {
		if (!prefilled) {
			ret = holes_copy(hm, section_nr, 0, i0, holes_tmpl(hm, section_nr), true) ?:
			      holes_copy(hm, section_nr, i1, SECTION_MEMMAP_PAGES,
					 holes_tmpl(hm, section_nr), true);
		}
		if (ret) {
			/* the holes left still stand for the old template */
			pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
			return ret;
		}
		__atomic_store_n(&hm->hole_slot[section_nr], (signed char)slot, __ATOMIC_RELEASE);
	}
	/*
	 * The old memmap back to the host -- unless there is none: a fresh
	 * memmap's first online (one SEEK_DATA, ~1 us, against a punch's
	 * ~3.5 us that finds nothing)
	 */
	if (!prefilled && !holes_memfd_empty(hm, __nr_to_section(hm, section_nr), i0, i1))
		physmem_discard(hm, PFN_PHYS(__nr_to_section(hm, section_nr)->vmemmap.pmd_pfn) +
				i0 * PAGE_SIZE, (i1 - i0) * PAGE_SIZE);
	pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	/* the buddy heads online_pages_range() writes: at @pfn, then max-order aligned */
	for (unsigned long p = pfn; p < pfn + nr_pages; p = ALIGN(p + 1, MAX_ORDER_NR_PAGES)) {
		unsigned long i = (p & ~PAGE_SECTION_MASK) * sizeof(struct page) / PAGE_SIZE;

		/* the prefill made each of these heads (holes_prefill_section()'s loop) */
		if (i >= i0 && i < i1 && prefilled)
			memmap_fill(pfn_to_page(hm, section_nr_to_pfn(section_nr)) +
				    i * PFNS_PER_VMEMMAP_PAGE, PFNS_PER_VMEMMAP_PAGE, tmpl);
		else if (i >= i0 && i < i1 && (ret = holes_copy(hm, section_nr, i, i + 1, tmpl, true)))
			return ret;
	}
	/* written: the next online of the section punches and copies again */
	if (prefilled)
		holes_filled(hm, section_nr);
	return 0;
}

/*
 * Before an offline of [@start_pfn, @start_pfn + @nr_pages): the vmemmap
 * pages it reads whatever the pages' use -- each pageblock's first struct
 * page (start_isolate_page_range(), the HugeTLB dissolve, as the kernel's)
 * and the range's last (its zone) -- filled by the offlining thread
 * without a trap: ~1.3 us a page, against a fault thread's round trip of
 * 8-25 us.  The scans that follow step over free blocks by their heads.
 * -ENOMEM when the host gives no memory for one: the offline fails
 * before it changed anything (the pages filled hold what a first touch
 * would have put there).
 */
int vmemmap_holes_fill_pageblocks(struct hotmem *hm, unsigned long start_pfn,
				  unsigned long nr_pages)
{
	const unsigned long end_pfn = start_pfn + nr_pages;
	int ret = 0;

	if (!__atomic_load_n(&hm->holes_running, __ATOMIC_ACQUIRE))
		return 0;
	for (unsigned long pfn = start_pfn; pfn < end_pfn;) {
		const unsigned long nr = pfn_to_section_nr(pfn);
		const unsigned long next = min(end_pfn, section_nr_to_pfn(nr + 1));
		const struct page *tmpl;

		if (!vmemmap_has_holes(__nr_to_section(hm, nr))) {
			pfn = next;
			continue;
		}
		tmpl = holes_tmpl(hm, nr);
		for (; pfn < next; pfn = ALIGN(pfn + 1, pageblock_nr_pages)) {
			unsigned long i = (pfn & ~PAGE_SECTION_MASK) * sizeof(struct page) /
					  PAGE_SIZE;

			ret = holes_copy(hm, nr, i, i + 1, tmpl, true);
			if (ret)
				return ret;
		}
		if (next == end_pfn)
			return holes_copy(hm, nr, SECTION_MEMMAP_PAGES - 1, SECTION_MEMMAP_PAGES,
					  tmpl, true);
	}
	return 0;
}

/* does memmap_init_range() of this part of the section leave holes (vmemmap_holes_init_range())? */
bool vmemmap_holes_range(struct hotmem *hm, unsigned long pfn, unsigned long nr_pages)
{
	unsigned long i0, i1;

	holes_span(pfn, nr_pages, &i0, &i1);
	return !holes_stopped(hm) && vmemmap_has_holes(__pfn_to_section(hm, pfn)) &&
	       holes_worth(i0, i1);
}

/* a section whose memmap may have holes: never prefaulted, never fallocate()d */
bool vmemmap_has_holes(const struct mem_section *ms)
{
	return __atomic_load_n(&ms->section_mem_map, __ATOMIC_RELAXED) & SECTION_MEMMAP_HOLES;
}

/*
 * hotmem_phys_to_virt()'s first call, under device_hotplug_lock (every
 * online and add, which make holes, holds it): from now on a memmap is
 * written, not punched, and a new one is not registered; every hole there
 * is is filled as its first touch would.  A section keeps its
 * registration and SECTION_MEMMAP_HOLES (never prefaulted, nor
 * fallocate()d): with no hole left, it never traps again.  Ended only
 * once every hole is filled: -ENOMEM when the host gives no memory for
 * one, holes as before (those filled hold what they stood for) and
 * hotmem_phys_to_virt() refuses.
 */
int vmemmap_holes_end(struct hotmem *hm)
{
	for (unsigned long nr = 0;
	     __atomic_load_n(&hm->holes_running, __ATOMIC_ACQUIRE) && nr < nr_mem_sections(hm); nr++) {
		if (!__nr_to_section(hm, nr)) {
			nr = section_root_last(nr);
			continue;
		}
		if (vmemmap_holes_fill(hm, nr))
			return -ENOMEM;
	}
	__atomic_store_n(&hm->holes_ended, true, __ATOMIC_RELEASE);
	return 0;
}
