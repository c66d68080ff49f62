// SPDX-License-Identifier: GPL-2.0
/*
 * lib/ratelimit.c (6.12): ___ratelimit(), for the engine's rate-limited
 * kernel messages (do_migrate_range()'s migrate_rs, virtio-mem's "memory
 * block onlining denied").  Jiffies are CLOCK_MONOTONIC milliseconds.
 */
#include <time.h>

#include "internal.h"

unsigned long hm_ratelimit_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long)now.tv_sec * 1000UL + (unsigned long)now.tv_nsec / 1000000UL;
}

/*
 * ___ratelimit() at @now_ms: true when the caller may print.  Once the
 * interval since the first call of the window has passed, the next call
 * says how many were suppressed ("%s: %d callbacks suppressed", KERN_WARNING,
 * @func the caller's __func__) and opens a new window.  The kernel's
 * trylock is not needed: every caller holds mem_hotplug_lock for writing.
 */
bool __hm_ratelimit(struct hotmem *hm, struct hm_ratelimit *rs, const char *func,
		    unsigned long now_ms)
{
	if (!rs->interval_ms)
		return true;
	if (!rs->begin_ms)
		rs->begin_ms = now_ms;
	if (now_ms > rs->begin_ms + rs->interval_ms) {
		if (rs->missed) {
			pr_warn(hm, "%s: %d callbacks suppressed", func, rs->missed);
			rs->missed = 0;
		}
		rs->begin_ms = now_ms;
		rs->printed = 0;
	}
	if (rs->burst > rs->printed) {
		rs->printed++;
		return true;
	}
	rs->missed++;
	return false;
}

/*
 * __ratelimit() of a DEFINE_RATELIMIT_STATE(DEFAULT_RATELIMIT_INTERVAL,
 * DEFAULT_RATELIMIT_BURST) -- what printk_ratelimited()/dev_*_ratelimited()
 * give each call site -- now: @rs all zeros (never used) is that state.
 */
bool hm_ratelimit_default(struct hotmem *hm, struct hm_ratelimit *rs, const char *func)
{
	if (!rs->burst)
		*rs = (struct hm_ratelimit){ .interval_ms = DEFAULT_RATELIMIT_INTERVAL_MS,
					     .burst = DEFAULT_RATELIMIT_BURST };
	return __hm_ratelimit(hm, rs, func, hm_ratelimit_now_ms());
}
