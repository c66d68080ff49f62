// SPDX-License-Identifier: GPL-2.0
/*
 * Engine memory (accounted, so that metadata per section can be measured;
 * fault-injectable, so that every allocation site can be made to fail), a
 * small sparse two-level table, the engine's xarray, and hm_seterr(), the
 * one way a check says what failed into its caller's buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int hm_seterr(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

bool hm_should_fail(struct hotmem *hm, const char *attr)
{
	unsigned long n = atomic_fetch_add(&hm->alloc_calls, 1) + 1;
	unsigned long at = atomic_load(&hm->fail_at);
	unsigned long before;

	if (!at || n < at || n - at > atomic_load(&hm->fail_more))
		return false;
	before = atomic_fetch_add(&hm->fail_injected, 1);
	/*
	 * 6.12 should_fail_ex() -> fail_dump() at the attribute's defaults
	 * (FAULT_ATTR_INITIALIZER: verbose 2, no ratelimit, interval 1,
	 * times 1, counted down after the first): KERN_NOTICE, then
	 * dump_stack(), which the engine has no stack for.
	 */
	pr_notice(hm, "FAULT_INJECTION: forcing a failure.");
	pr_notice(hm, "name %s, interval 1, probability 0, space 0, times %d", attr, before ? 0 : 1);
	return true;
}

unsigned long hotmem_fault_injected(struct hotmem *hm)
{
	return atomic_load(&hm->fail_injected);
}

void *hm_alloc_noinject(struct hotmem *hm, size_t size)
{
	void *p = calloc(1, size);

	if (p) {
		long now = atomic_fetch_add(&hm->metadata_bytes, (long)size) + (long)size;
		long peak = atomic_load(&hm->metadata_peak);

		while (now > peak &&
		       !atomic_compare_exchange_weak(&hm->metadata_peak, &peak, now))
			;
	}
	return p;
}

void *hm_alloc(struct hotmem *hm, size_t size)
{
	/* kmalloc()'s fault point: should_failslab() */
	if (hm_should_fail(hm, "failslab"))
		return NULL;
	return hm_alloc_noinject(hm, size);
}

void hm_free(struct hotmem *hm, void *p, size_t size)
{
	if (!p)
		return;
	atomic_fetch_sub(&hm->metadata_bytes, (long)size);
	free(p);
}

/*
 * Move an accounted array of @elem-sized entries to room for @ncap,
 * keeping the first @used; the old one is freed.  A failure keeps the old.
 */
static int array_resize(struct hotmem *hm, void **arr, unsigned long *cap, unsigned long used,
			size_t elem, unsigned long ncap, bool inject)
{
	void *n = inject ? hm_alloc(hm, ncap * elem) : hm_alloc_noinject(hm, ncap * elem);

	if (!n)
		return -ENOMEM;
	if (*arr) {
		memcpy(n, *arr, min(used, ncap) * elem);
		hm_free(hm, *arr, *cap * elem);
	}
	*arr = n;
	*cap = ncap;
	return 0;
}

int hm_array_resize(struct hotmem *hm, void **arr, unsigned long *cap, unsigned long used,
		    size_t elem, unsigned long ncap)
{
	return array_resize(hm, arr, cap, used, elem, ncap, true);
}

int hm_array_resize_noinject(struct hotmem *hm, void **arr, unsigned long *cap,
			     unsigned long used, size_t elem, unsigned long ncap)
{
	return array_resize(hm, arr, cap, used, elem, ncap, false);
}

void hotmem_fail_nth_alloc(struct hotmem *hm, unsigned long nth)
{
	atomic_store(&hm->fail_at, nth ? atomic_load(&hm->alloc_calls) + nth : 0);
}

unsigned long hotmem_fail_nth_pending(struct hotmem *hm)
{
	unsigned long at = atomic_load(&hm->fail_at);
	unsigned long calls = atomic_load(&hm->alloc_calls);

	return at && calls < at ? at - calls : 0;
}

unsigned long hotmem_alloc_calls(struct hotmem *hm)
{
	return atomic_load(&hm->alloc_calls);
}

int hm_xa_init(struct hotmem *hm, struct hm_xa *xa, unsigned long max_idx)
{
	xa->nr_roots = (max_idx >> XA_LEAF_SHIFT) + 1;
	xa->count = 0;
	xa->roots = hm_alloc_noinject(hm, xa->nr_roots * sizeof(void **));
	return xa->roots ? 0 : -ENOMEM;
}

void hm_xa_destroy(struct hotmem *hm, struct hm_xa *xa)
{
	if (!xa->roots)
		return;
	for (unsigned long i = 0; i < xa->nr_roots; i++)
		hm_free(hm, xa->roots[i], XA_LEAF_SIZE * sizeof(void *));
	hm_free(hm, xa->roots, xa->nr_roots * sizeof(void **));
	xa->roots = NULL;
}

void *hm_xa_load(const struct hm_xa *xa, unsigned long idx)
{
	unsigned long r = idx >> XA_LEAF_SHIFT;

	if (r >= xa->nr_roots || !xa->roots[r])
		return NULL;
	return __atomic_load_n(&xa->roots[r][idx & (XA_LEAF_SIZE - 1)], __ATOMIC_ACQUIRE);
}

int hm_xa_store(struct hotmem *hm, struct hm_xa *xa, unsigned long idx, void *entry)
{
	unsigned long r = idx >> XA_LEAF_SHIFT;

	if (r >= xa->nr_roots)
		return -ERANGE;
	if (!xa->roots[r]) {
		xa->roots[r] = hm_alloc(hm, XA_LEAF_SIZE * sizeof(void *));
		if (!xa->roots[r])
			return -ENOMEM;
	}
	if (!xa->roots[r][idx & (XA_LEAF_SIZE - 1)])
		xa->count++;
	__atomic_store_n(&xa->roots[r][idx & (XA_LEAF_SIZE - 1)], entry, __ATOMIC_RELEASE);
	return 0;
}

void hm_xa_erase(struct hotmem *hm, struct hm_xa *xa, unsigned long idx)
{
	unsigned long r = idx >> XA_LEAF_SHIFT;
	void **leaf;

	if (r >= xa->nr_roots || !xa->roots[r])
		return;
	leaf = xa->roots[r];
	if (leaf[idx & (XA_LEAF_SIZE - 1)])
		xa->count--;
	__atomic_store_n(&leaf[idx & (XA_LEAF_SIZE - 1)], NULL, __ATOMIC_RELEASE);
	/* an empty leaf goes: callers hold the table's lock for writing */
	for (unsigned long i = 0; i < XA_LEAF_SIZE; i++)
		if (leaf[i])
			return;
	xa->roots[r] = NULL;
	hm_free(hm, leaf, XA_LEAF_SIZE * sizeof(void *));
}

int hm_xa_find(const struct hm_xa *xa, unsigned long *idx)
{
	unsigned long i = *idx;

	while ((i >> XA_LEAF_SHIFT) < xa->nr_roots) {
		void **leaf = xa->roots[i >> XA_LEAF_SHIFT];

		if (!leaf) {
			i = (i | (XA_LEAF_SIZE - 1)) + 1;
			continue;
		}
		if (__atomic_load_n(&leaf[i & (XA_LEAF_SIZE - 1)], __ATOMIC_ACQUIRE)) {
			*idx = i;
			return 0;
		}
		i++;
	}
	return -ENOENT;
}
