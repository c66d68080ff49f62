// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: one named thread of hotmemfs's taken off the clock, so
 * that a test never races one of hotmemfs's own bounds or timers with the
 * machine's speed (reread26 R3, R7): what would end by the clock ends
 * only when the test makes it end.  Built by the test (tests/fusefs/lib.sh
 * want_off_clock), preloaded into a sanitized hotmemfs too, after the
 * sanitizer's runtime: the sanitizer's interceptors (its clock_gettime())
 * forward to this one, which forwards to libc; none of its calls is one
 * the sanitizer replaces (as malloc()) rather than wraps.
 *
 *   HOTMEM_TEST_OFF_CLOCK=NAME  the thread so named (asked at each call: a
 *                               name a thread takes for a while is seen):
 *     - its clock_gettime(CLOCK_MONOTONIC) stands still at the first time
 *       it read under that name, so no deadline passes for it, whoever set
 *       the deadline (set by another thread, it lies ahead of that time);
 *     - its pthread_cond_timedwait() waits untimed (pthread_cond_wait()):
 *       it wakes when signalled, never spins on a deadline it cannot see.
 *
 * Users: hotmemfs-vmem (dev.c vmem_timer_main(): the virtio-mem retry
 * timers and a put-back queue's retry fire by hotmemctl vmem-retry alone,
 * tests/fusefs/328, tests/reliability/state-qom-set-queued-undo-retry.t);
 * hotmemfs-eject (dev.c dimm_eject(): a DIMM's eject keeps at a stuck
 * block past its 40 s bound, HMFS_EJECT_TOTAL_SECONDS, until the test
 * frees the pages, tests/fusefs/332).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the time this thread stands at, while it has the name (stopped) */
static __thread struct timespec stood;
static __thread bool stopped;

static bool off_clock(void)
{
	const char *want = getenv("HOTMEM_TEST_OFF_CLOCK");
	char name[16] = "";

	if (!want)
		return false;
	pthread_getname_np(pthread_self(), name, sizeof(name));
	if (strcmp(name, want))
		stopped = false; /* its next time under the name is read anew */
	return !strcmp(name, want);
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	int ret;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	if (clk != CLOCK_MONOTONIC || !off_clock())
		return real(clk, ts);
	if (!stopped) {
		ret = real(clk, &stood);
		if (ret)
			return ret;
		stopped = true;
	}
	*ts = stood;
	return 0;
}

static int (*timed_real)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
static int (*untimed_real)(pthread_cond_t *, pthread_mutex_t *);

/* both found at load, before hotmemfs starts a thread: no thread sees one half set */
__attribute__((constructor)) static void cond_prime(void)
{
	untimed_real = (int (*)(pthread_cond_t *, pthread_mutex_t *))dlsym(RTLD_NEXT,
									    "pthread_cond_wait");
	timed_real = (int (*)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *))dlsym(
		RTLD_NEXT, "pthread_cond_timedwait");
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *at)
{
	return off_clock() ? untimed_real(c, m) : timed_real(c, m, at);
}
