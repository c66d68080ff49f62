// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: which of hotmemfs's mutexes and condition variables
 * in its main thread's stack (main()'s context and stopper: hmfs_ctx_init(),
 * stopper_init()) were initialised and never destroyed by its exit, so
 * that a teardown that forgets one is a failure, not a note in a commit
 * (glibc's destroy frees nothing: nothing else shows it).  Built by the
 * test (tests/fusefs/lib.sh require_preload_shim), preloaded into an
 * unsanitized hotmemfs only.
 *
 *   HOTMEM_TEST_LOCK_AUDIT=PATH  at exit, PATH.PID (the process's: the
 *                                test's own commands that inherit the
 *                                preload write theirs apart) gets a line "mutex ADDR"
 *                                or "cond ADDR" (then "by FILE+OFFSET":
 *                                where its init returns to, for addr2line) for each one still
 *                                initialised in the main thread's stack
 *                                (its pthread_getattr_np(): [stack] of
 *                                /proc/self/maps), and a last
 *                                line "end N" (N: how many were watched)
 *
 * Users: tests/fusefs/269.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 4096

/* the live ones: an address, whether it is a condition, its init's caller; 0: free slot */
static struct {
	uintptr_t addr;
	bool cond;
	uintptr_t by;
} live[SLOTS];
static unsigned long watched;
static int guard; /* a spin lock: the shim's own mutex would be audited */

static void audit_lock(void)
{
	while (__atomic_exchange_n(&guard, 1, __ATOMIC_ACQUIRE))
		;
}

static void audit_unlock(void)
{
	__atomic_store_n(&guard, 0, __ATOMIC_RELEASE);
}

static void born(const void *p, bool cond, const void *by)
{
	int i, free_slot = -1;

	audit_lock();
	for (i = 0; i < SLOTS; i++) {
		if (live[i].addr == (uintptr_t)p)
			break;
		if (!live[i].addr && free_slot < 0)
			free_slot = i;
	}
	if (i == SLOTS && free_slot >= 0) {
		live[free_slot].addr = (uintptr_t)p;
		live[free_slot].cond = cond;
		live[free_slot].by = (uintptr_t)by;
		watched++;
	}
	audit_unlock();
}

static void gone(const void *p)
{
	audit_lock();
	for (int i = 0; i < SLOTS; i++)
		if (live[i].addr == (uintptr_t)p)
			live[i].addr = 0;
	audit_unlock();
}

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	static int (*real)(pthread_mutex_t *, const pthread_mutexattr_t *);
	int ret;

	if (!real)
		real = (int (*)(pthread_mutex_t *, const pthread_mutexattr_t *))next("pthread_mutex_init");
	ret = real(m, a);
	if (!ret)
		born(m, false, __builtin_return_address(0));
	return ret;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	static int (*real)(pthread_mutex_t *);

	if (!real)
		real = (int (*)(pthread_mutex_t *))next("pthread_mutex_destroy");
	gone(m);
	return real(m);
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	static int (*real)(pthread_cond_t *, const pthread_condattr_t *);
	int ret;

	if (!real)
		real = (int (*)(pthread_cond_t *, const pthread_condattr_t *))
			dlvsym(RTLD_NEXT, "pthread_cond_init", "GLIBC_2.3.2");
	ret = real(c, a);
	if (!ret)
		born(c, true, __builtin_return_address(0));
	return ret;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	static int (*real)(pthread_cond_t *);

	if (!real)
		real = (int (*)(pthread_cond_t *))dlvsym(RTLD_NEXT, "pthread_cond_destroy",
							  "GLIBC_2.3.2");
	gone(c);
	return real(c);
}

/*
 * The main thread's stack, taken by the constructor (the main thread runs
 * it): pthread_getattr_np() of the main thread is its [stack] mapping of
 * /proc/self/maps, which glibc reads line by line, down to the stack's
 * rlimit.  Read here into a 64 KiB buffer at exit, a hotmemfs with many
 * mappings (thread stacks, io_uring rings) cut it before [stack], one of
 * the last lines, and nothing was reported (reread23a R8).  0, 0: not
 * found, nothing reported.
 */
static uintptr_t stack_lo, stack_hi;

__attribute__((constructor)) static void main_stack(void)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &a))
		return;
	if (!pthread_attr_getstack(&a, &addr, &size)) {
		stack_lo = (uintptr_t)addr;
		stack_hi = stack_lo + size;
	}
	pthread_attr_destroy(&a);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("HOTMEM_TEST_LOCK_AUDIT");
	char line[160], file[4096];
	const uintptr_t lo = stack_lo, hi = stack_hi;
	int fd, len;

	if (!path || !hi)
		return;
	snprintf(file, sizeof(file), "%s.%ld", path, (long)getpid());
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	audit_lock();
	for (int i = 0; i < SLOTS; i++) {
		if (live[i].addr < lo || live[i].addr >= hi)
			continue;
		Dl_info di = { 0 };

		dladdr((void *)live[i].by, &di);
		len = snprintf(line, sizeof(line), "%s %#lx by %s+%#lx\n",
			       live[i].cond ? "cond" : "mutex", (unsigned long)live[i].addr,
			       di.dli_fname ? strrchr(di.dli_fname, '/') ? strrchr(di.dli_fname, '/') + 1 : di.dli_fname : "?",
			       (unsigned long)(live[i].by - (uintptr_t)di.dli_fbase));
		(void)!write(fd, line, (size_t)len);
	}
	len = snprintf(line, sizeof(line), "end %lu\n", watched);
	audit_unlock();
	(void)!write(fd, line, (size_t)len);
	close(fd);
}
