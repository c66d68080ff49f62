// SPDX-License-Identifier: GPL-2.0
#include <sched.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

struct hotmem *boot(const char *profile, const char *cmdline)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char err[512] = "";

	assert_int_equal(hotmem_config_builtin(&cfg, profile ? profile : "default"), 0);
	if (cmdline && hotmem_config_parse_cmdline(&cfg, cmdline, err, sizeof(err)))
		fail_msg("cmdline: %s", err);
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		fail_msg("boot: %s", err);
	return hm;
}

struct hotmem *boot_profile_text(const char *text)
{
	struct hotmem_config cfg;
	struct hotmem *hm = NULL;
	char err[512] = "";

	hotmem_config_default(&cfg);
	if (hotmem_config_parse_text(&cfg, text, err, sizeof(err)))
		fail_msg("profile: %s", err);
	if (hotmem_create(&cfg, &hm, err, sizeof(err)))
		fail_msg("boot: %s", err);
	return hm;
}

void check(struct hotmem *hm)
{
	char err[512] = "";

	if (hotmem_check_invariants(hm, err, sizeof(err)))
		fail_msg("invariant broken: %s", err);
}

/*
 * The section table's roots (SPARSEMEM_EXTREME), in bytes: one that an
 * add allocated stays, whether the add then failed or was removed again,
 * as the kernel's sparse_index_init() keeps it.  Whether an add needs a
 * new root depends on SECTIONS_PER_ROOT, that is on sizeof(struct
 * mem_section) (34 a root at 120 bytes: 4 GiB's section 32 shares boot
 * memory's root), so "left as it was" counts the metadata without them.
 */
static size_t section_roots_bytes(struct hotmem *hm)
{
	size_t n = 0;

	for (unsigned long r = 0; r < hm->nr_section_roots; r++)
		n += hm->mem_section[r] != NULL;
	return n * SECTIONS_PER_ROOT * sizeof(struct mem_section);
}

void snapshot(struct hotmem *hm, struct hm_snapshot *s)
{
	unsigned long id = 0;

	memset(s, 0, sizeof(*s));
	hotmem_meminfo(hm, &s->mi);
	for (bool first = true; !hotmem_block_next(hm, &id, first); first = false) {
		if (s->nr_blocks < 256)
			hotmem_block_info(hm, id, &s->blocks[s->nr_blocks]);
		s->nr_blocks++;
	}
	for (int nid = 0; nid < hotmem_nr_possible_nodes(hm) && nid < 4; nid++)
		for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
			hotmem_zone_info(hm, nid, zid, &s->zones[nid][zid]);
			/* watermarks and free-area shapes may move; the sums may not */
			memset(s->zones[nid][zid].free_area, 0, sizeof(s->zones[nid][zid].free_area));
		}
	s->metadata = hotmem_metadata_bytes(hm) - section_roots_bytes(hm);
}

void assert_same(const struct hm_snapshot *a, const struct hm_snapshot *b)
{
	assert_int_equal(a->mi.totalram_pages, b->mi.totalram_pages);
	assert_int_equal(a->mi.free_pages, b->mi.free_pages);
	assert_int_equal(a->mi.present_pages, b->mi.present_pages);
	assert_int_equal(a->mi.memmap_pages, b->mi.memmap_pages);
	assert_int_equal(a->nr_blocks, b->nr_blocks);
	for (unsigned long i = 0; i < a->nr_blocks && i < 256; i++) {
		assert_int_equal(a->blocks[i].id, b->blocks[i].id);
		assert_int_equal(a->blocks[i].state, b->blocks[i].state);
		assert_int_equal(a->blocks[i].zone, b->blocks[i].zone);
	}
	for (int n = 0; n < 4; n++)
		for (int z = 0; z < HM_MAX_NR_ZONES; z++) {
			const struct hm_zone_info *x = &a->zones[n][z], *y = &b->zones[n][z];

			assert_int_equal(x->zone_start_pfn, y->zone_start_pfn);
			assert_int_equal(x->spanned, y->spanned);
			assert_int_equal(x->present, y->present);
			assert_int_equal(x->managed, y->managed);
			assert_int_equal(x->nr_free, y->nr_free);
		}
	assert_int_equal(a->metadata, b->metadata);
}

static void ev_cb(const struct hm_event *ev, void *arg)
{
	struct ev_log *log = arg;

	if (ev->type != HM_EV_UEVENT || log->len > sizeof(log->buf) - 64)
		return;
	log->len += (size_t)snprintf(log->buf + log->len, sizeof(log->buf) - log->len,
				     "%s%s:%lu", log->len ? " " : "",
				     hotmem_uevent_action_name(ev->action), ev->block_id);
}

void ev_log_attach(struct hotmem *hm, struct ev_log *log)
{
	memset(log, 0, sizeof(*log));
	assert_true(hotmem_subscribe(hm, ev_cb, log) >= 0);
}

/* the trace steps are the USDT probes' calls, delivered in-process too */
static void trace_cb(const struct hm_event *ev, void *arg)
{
	struct ev_log *log = arg;

	if (ev->type != HM_EV_TRACE || !ev->exit || strcmp(ev->fn, log->fn) ||
	    log->len > sizeof(log->buf) - 96)
		return;
	log->len += (size_t)snprintf(log->buf + log->len, sizeof(log->buf) - log->len,
				     "%s%llu:%llu:%d:%ld:%d", log->len ? " " : "",
				     (unsigned long long)ev->start_pfn,
				     (unsigned long long)ev->nr_pages, ev->nid, ev->extra, ev->ret);
}

void trace_log_attach(struct hotmem *hm, struct ev_log *log, const char *fn)
{
	memset(log, 0, sizeof(*log));
	log->fn = fn;
	assert_true(hotmem_subscribe(hm, trace_cb, log) >= 0);
}

unsigned long count_lines(const char *text, const char *what)
{
	unsigned long n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

int block_state(struct hotmem *hm, unsigned long id)
{
	struct hm_block_info bi;

	if (hotmem_block_info(hm, id, &bi))
		return -1;
	return bi.state;
}

int block_zone(struct hotmem *hm, unsigned long id)
{
	struct hm_block_info bi;

	if (hotmem_block_info(hm, id, &bi))
		return -2;
	return bi.zone;
}

const char *valid_zones(struct hotmem *hm, unsigned long id)
{
	static __thread char buf[128];

	if (hotmem_block_valid_zones(hm, id, buf, sizeof(buf)) < 0)
		return "ENOENT";
	return buf;
}

unsigned long memtotal_kb(struct hotmem *hm)
{
	struct hm_meminfo mi;

	hotmem_meminfo(hm, &mi);
	return mi.totalram_pages * 4;
}

unsigned long memfree_kb(struct hotmem *hm)
{
	struct hm_meminfo mi;

	hotmem_meminfo(hm, &mi);
	return mi.free_pages * 4;
}

unsigned long host_maps_now(void)
{
	unsigned long n = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

void host_cap(struct hotmem *hm, unsigned long room)
{
	if (!room) {
		hm->cfg.host_max_map_count = 0;
		return;
	}
	hm->host_maps_bound = hm->host_maps_counted = host_maps_now();
	hm->cfg.host_max_map_count = hm->host_maps_bound + room;
}

/* HugeTLB vmemmap optimisation and the host refusing it (test_hugetlb, test_memory_failure) */

/*
 * One 128 MiB block at 4 GiB (memory32) online Movable, with a first huge page allocated and
 * freed: the pool's array grown (else its growth shifts the failure
 * points by one just where the shared memmap's remap would be refused,
 * and that point is never met), and with @split the section's memmap
 * split and unshared by that page's HVO, so that the next refusal is a
 * tail's.
 */
struct hotmem *hvo_block_online(bool split)
{
	return hvo_block_online_as("hugetlb_free_vmemmap=on " IDLE_KERNEL, HM_MMOP_ONLINE_MOVABLE,
				   split);
}

/* the same booted with @cmdline, memory32 onlined @online_type */
struct hotmem *hvo_block_online_as(const char *cmdline, int online_type, bool split)
{
	struct hotmem *hm = boot("default", cmdline);

	assert_int_equal(hotmem_add_memory(hm, 0, HVO_DIMM, 128 * MiB, 0, -1), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, online_type), 0);
	hotmem_set_hugetlb_optimize_vmemmap(hm, split);
	assert_int_equal(hotmem_hugetlb_alloc(hm, 0, 1), 1);
	assert_int_equal(hotmem_hugetlb_free(hm, 1), 1);
	hotmem_set_hugetlb_optimize_vmemmap(hm, true);
	return hm;
}

/*
 * The host refuses @more + 1 mappings in a row, tearing the range down
 * each time, at every failure point of a huge page's allocation in turn,
 * until the online section's memmap is left unmapped in part.  After a
 * first huge page (@split) the section is split and unshared, and 6
 * refusals lose a tail (its own page and the head's, three tries each)
 * while its reservation's PROT_NONE goes back; before, 3 refusals lose the
 * whole memmap to the unshare's remap (one, then three tries of the memfd).
 */
struct hotmem *hvo_lose_memmap(bool split, unsigned long more)
{
	return hvo_lose_memmap_of(hvo_block_online(split), more);
}

struct hotmem *hvo_lose_memmap_of(struct hotmem *hm, unsigned long more)
{
	return hvo_lose_memmap_at(hm, 0, 32, more);
}

struct hotmem *hvo_lose_memmap_at(struct hotmem *hm, int nid, unsigned long section_nr,
				  unsigned long more)
{
	struct mem_section *ms = __nr_to_section(hm, section_nr);

	hm->fail_keeps_old = false;
	for (unsigned long nth = 1;; nth++) {
		unsigned long calls = hotmem_alloc_calls(hm);

		hotmem_fail_nth_alloc(hm, nth);
		hm->fail_more = more;
		assert_int_equal(hotmem_hugetlb_alloc(hm, nid, 1), 1);
		hotmem_fail_nth_alloc(hm, 0);
		hm->fail_more = 0;
		if (ms->section_mem_map & SECTION_MEMMAP_UNMAPPED)
			return hm;
		assert_true(hotmem_alloc_calls(hm) - calls >= nth);
		assert_int_equal(hotmem_hugetlb_free(hm, 1), 1);
	}
}

/* at each refused MAP_FIXED, its hole made: could explain read the memmap now? */
static void remap_window_hook(struct hotmem *hm, void *arg)
{
	struct remap_window *w = arg;

	w->refused++;
	if (!pthread_rwlock_tryrdlock(&hm->vmemmap_remap_lock)) {
		w->unguarded++;
		pthread_rwlock_unlock(&hm->vmemmap_remap_lock);
	}
}

static void *remap_window_explain(void *arg)
{
	struct remap_window *w = arg;
	struct hm_explain *ex = malloc(sizeof(*ex));

	assert_non_null(ex);
	while (!atomic_load(&w->stop)) {
		assert_int_equal(hotmem_explain(w->hm, w->id, ex), 0);
		atomic_fetch_add(&w->explained, 1);
	}
	free(ex);
	return NULL;
}

/* until the explaining thread finished one more explain than @seen */
static void remap_window_wait(struct remap_window *w, unsigned long seen)
{
	while (atomic_load(&w->explained) <= seen)
		sched_yield();
}

void remap_window_start(struct hotmem *hm, struct remap_window *w, unsigned long id)
{
	*w = (struct remap_window){ .hm = hm, .id = id };
	assert_int_equal(pthread_create(&w->thread, NULL, remap_window_explain, w), 0);
	remap_window_wait(w, 0);
	hm->fail_hook = remap_window_hook;
	hm->fail_arg = w;
}

void remap_window_stop(struct remap_window *w)
{
	unsigned long seen = atomic_load(&w->explained);

	w->hm->fail_hook = NULL;
	/* what the last refusal left is explained too, before the thread stops */
	remap_window_wait(w, seen);
	atomic_store(&w->stop, true);
	assert_int_equal(pthread_join(w->thread, NULL), 0);
	assert_true(atomic_load(&w->explained) >= 2);
	assert_true(w->refused > 0);
	assert_int_equal(w->unguarded, 0);
}

/*
 * Block @id (added, offline) onlined to node @nid's Normal zone, which it
 * grows, and offlined again: shrink_zone_span() gives the zone back the
 * span and present pages it had, which its search found below the block.
 */
void assert_normal_span_back(struct hotmem *hm, int nid, unsigned long id)
{
	struct hm_zone_info before, after;

	assert_int_equal(hotmem_zone_info(hm, nid, HM_ZONE_NORMAL, &before), 0);
	assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_ONLINE_KERNEL), 0);
	assert_int_equal(block_zone(hm, id), HM_ZONE_NORMAL);
	assert_int_equal(hotmem_block_set_state(hm, id, HM_MMOP_OFFLINE), 0);
	assert_int_equal(hotmem_zone_info(hm, nid, HM_ZONE_NORMAL, &after), 0);
	assert_int_equal(after.zone_start_pfn, before.zone_start_pfn);
	assert_int_equal(after.spanned, before.spanned);
	assert_int_equal(after.present, before.present);
}

/*
 * This thread and those it starts from now on get ENOMEM for
 * ioctl(UFFDIO_COPY), and for pwrite64() if @and_pwrite; every thread of
 * the process if @all_threads (SECCOMP_FILTER_FLAG_TSYNC).  What
 * shmem_mfill_atomic_pte() returns when the memcg charge fails: the
 * host refusing the engine's copies, for the tests of that refusal.
 */
int refuse_uffdio_copy(bool and_pwrite, bool all_threads)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, and_pwrite ? __NR_pwrite64 : ~0u, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)UFFDIO_COPY, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOMEM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(filter), filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	if (all_threads)
		return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
				    &prog);
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

void claim_view_take(struct hotmem *hm, struct claim_view *v)
{
	memset(v, 0, sizeof(*v));
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
		hotmem_zone_pagetype_info(hm, 0, zid, &v->pi[zid]);
	for (unsigned long b = 0; b < CLAIM_VIEW_BLOCKS; b++) {
		unsigned long pfn = b * HM_PAGEBLOCK_NR_PAGES;

		v->mt[b] = pfn_to_online_page(hm, pfn) ?
			(unsigned char)get_pfnblock_migratetype(hm, pfn) : 0xff;
	}
}

/* each zone on its own, so that a failure names it */
void claim_view_assert_same(const struct claim_view *a, const struct claim_view *b)
{
	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++) {
		assert_memory_equal(a->pi[zid].nr_blocks, b->pi[zid].nr_blocks,
				    sizeof(a->pi[zid].nr_blocks));
		assert_memory_equal(a->pi[zid].nr_free, b->pi[zid].nr_free,
				    sizeof(a->pi[zid].nr_free));
	}
	assert_memory_equal(a->mt, b->mt, sizeof(a->mt));
}

unsigned long claim_view_unmovable_blocks(const struct claim_view *v)
{
	unsigned long n = 0;

	for (int zid = 0; zid < HM_MAX_NR_ZONES; zid++)
		n += v->pi[zid].nr_blocks[HM_MT_UNMOVABLE];
	return n;
}

void assert_claimed_since(struct hotmem *hm, const struct claim_view *before)
{
	struct claim_view now;

	claim_view_take(hm, &now);
	assert_true(claim_view_unmovable_blocks(&now) > claim_view_unmovable_blocks(before));
}

unsigned long take_kernel_free_pages(struct hotmem *hm)
{
	struct pglist_data *pgdat = NODE_DATA(hm, 0);
	unsigned long taken = 0;

	for (int zid = 0; zid < ZONE_MOVABLE; zid++) {
		struct zone *z = &pgdat->node_zones[zid];
		struct hm_pagetype_info pi;

		for (unsigned long pfn = ALIGN_DOWN(z->zone_start_pfn, HM_PAGEBLOCK_NR_PAGES);
		     zone_managed_pages(z) && pfn < zone_end_pfn(z); pfn++) {
			if (!pfn_to_online_page(hm, pfn) || page_zone(hm, pfn_to_page(hm, pfn)) != z ||
			    get_pfnblock_migratetype(hm, pfn) == MIGRATE_MOVABLE)
				continue;
			taken += !hotmem_alloc_page_at(hm, pfn, HM_ALLOC_UNMOVABLE, NULL);
		}
		assert_int_equal(hotmem_zone_pagetype_info(hm, 0, zid, &pi), 0);
		for (int o = 0; o <= HM_MAX_PAGE_ORDER; o++) {
			assert_int_equal(pi.nr_free[HM_MT_UNMOVABLE][o], 0);
			assert_int_equal(pi.nr_free[HM_MT_RECLAIMABLE][o], 0);
		}
	}
	return taken;
}
