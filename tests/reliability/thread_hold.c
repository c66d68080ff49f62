// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: hotmemfs's virtio-mem timers' thread (named
 * hotmemfs-vmem, dev.c vmem_timer_main()) held at a mutex on demand, so
 * that which of two changes takes change_lock first is certain, not the
 * mutex's choice.  Built by the test (tests/fusefs/lib.sh
 * require_preload_shim), preloaded into an unsanitized hotmemfs; into a
 * sanitized one only after the sanitizer's runtime (lib.sh
 * want_wrapping_shim, mount_driver_hold), where the sanitizer's
 * interceptors forward to this shim: preloaded first, the sanitizer's own
 * pthread_mutex_lock() would be bypassed.
 *
 *   HOTMEM_TEST_THREAD_HOLD=PATH  a pthread_mutex_lock() by that thread
 *                                 while PATH exists waits (PATH.held
 *                                 created) until PATH is gone, then locks
 *   HOTMEM_TEST_THREAD_HOLD_CONTENDED=1  only one it would wait for:
 *                                 a mutex another thread holds (its
 *                                 pthread_mutex_trylock() fails), such as
 *                                 change_lock behind a guest's looping
 *                                 offline; the short ones before it pass,
 *                                 and so does one the thread itself
 *                                 unlocked while PATH existed (dev_lock:
 *                                 the timers' thread lets it go before its
 *                                 change, whose early check takes it again,
 *                                 contended or not: reread23a R4)
 *
 *   HOTMEM_TEST_THREAD_HOLD_NAME=NAME  the thread so named, not
 *                                 hotmemfs-vmem (its name asked at each
 *                                 call while PATH exists: a name it takes
 *                                 for a while, machine.c driver_apply()'s
 *                                 hotmemfs-driver or dev.c
 *                                 vmem_run_qom_set()'s, is seen)
 *   HOTMEM_TEST_THREAD_HOLD_WRLOCK=1  at pthread_rwlock_wrlock() instead
 *                                 (the engine's write locks, taken under
 *                                 device_hotplug_lock: mem_hotplug_begin(),
 *                                 vmemmap_remap_lost_excl())
 *
 * Where it held: PATH.where, written before PATH.held, says the held
 * thread's id ("tid N") and its stack (backtrace_symbols_fd(): a frame of
 * hotmemfs's as "hotmemfs(+0xOFFSET)"), for the test to check that the
 * hold landed where it means (tests/fusefs/lib.sh held_where, held_in):
 * a hold elsewhere -- another lock of the same thread first -- would let
 * the test pass without what it tests happening in its order.
 *
 * The hold is tests/reliability/shim_hold.h, sync_shim.c's too.
 * Users: `git grep -l thread_hold tests/` (a list here went stale); e.g.
 * tests/fusefs/251 (the first lock after the queued removal took its id),
 * 267 and 336 (contended: lib.sh timers_hold_contended), 268 (the drivers'
 * work after an online, at its first write lock: the unplug's
 * vmemmap_remap_lost_excl()), 250 (a qom-set's shrink, there too).
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim_hold.h"

static __thread int is_timer = -1;

/* the thread to hold, while PATH exists: a name asked for is asked at each call */
static bool held_thread(const char *path)
{
	const char *want = getenv("HOTMEM_TEST_THREAD_HOLD_NAME");
	char name[16] = "";

	if (!path || (!want && !is_timer) || access(path, F_OK))
		return false;
	if (want || is_timer < 0) {
		pthread_getname_np(pthread_self(), name, sizeof(name));
		if (!want)
			is_timer = !strcmp(name, "hotmemfs-vmem");
	}
	return want ? !strcmp(name, want) : is_timer;
}

/*
 * backtrace()'s first call loads the unwinder (dlopen(), malloc()): done
 * here, at load, so that the held thread's own call takes no lock
 */
__attribute__((constructor)) static void where_prime(void)
{
	void *frame;

	if (getenv("HOTMEM_TEST_THREAD_HOLD"))
		backtrace(&frame, 1);
}

/* PATH.where: the held thread's id and stack, whole before PATH.held is made */
static void hold_where(const char *path)
{
	void *frames[64];
	char where[4096];
	int fd, n;

	snprintf(where, sizeof(where), "%s.where", path);
	fd = open(where, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dprintf(fd, "tid %ld\n", (long)syscall(SYS_gettid));
	n = backtrace(frames, 64);
	backtrace_symbols_fd(frames, n, fd);
	close(fd);
}

/* held where PATH.where says, until PATH is gone */
static void hold(const char *path)
{
	hold_where(path);
	shim_hold(path);
}

/* the mutexes the held thread unlocked while PATH existed (CONTENDED passes them) */
static __thread pthread_mutex_t *unlocked[8];
static __thread unsigned int nr_unlocked;

static bool unlocked_here(const pthread_mutex_t *m)
{
	for (unsigned int i = 0; i < nr_unlocked && i < 8; i++)
		if (unlocked[i] == m)
			return true;
	return false;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	static int (*real)(pthread_mutex_t *);

	if (!real)
		real = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_unlock");
	if (getenv("HOTMEM_TEST_THREAD_HOLD_CONTENDED") &&
	    held_thread(getenv("HOTMEM_TEST_THREAD_HOLD")) && !unlocked_here(m))
		unlocked[nr_unlocked++ % 8] = m;
	return real(m);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	static int (*real)(pthread_mutex_t *);
	const char *path = getenv("HOTMEM_TEST_THREAD_HOLD");
	int ret;

	if (!real)
		real = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
	if (getenv("HOTMEM_TEST_THREAD_HOLD_WRLOCK") || !held_thread(path))
		return real(m);
	if (getenv("HOTMEM_TEST_THREAD_HOLD_CONTENDED")) {
		if (unlocked_here(m))
			return real(m);
		ret = pthread_mutex_trylock(m);
		if (ret != EBUSY) /* taken: none to wait for; an error: the real one's */
			return ret ? real(m) : 0;
	}
	hold(path);
	return real(m);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	static int (*real)(pthread_rwlock_t *);
	const char *path = getenv("HOTMEM_TEST_THREAD_HOLD");

	if (!real)
		real = (int (*)(pthread_rwlock_t *))dlsym(RTLD_NEXT, "pthread_rwlock_wrlock");
	if (getenv("HOTMEM_TEST_THREAD_HOLD_WRLOCK") && held_thread(path))
		hold(path);
	return real(l);
}
