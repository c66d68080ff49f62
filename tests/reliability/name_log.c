// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: every pthread_setname_np() hotmemfs makes, logged, so
 * that a test sees which thread took which name -- the main thread's
 * name is the process's comm (ps, pidof, pgrep -x, systemd's status),
 * which an eject or the drivers' work run by a restore must not rename
 * (reread27 R6, fusefs/thread_name.h); a read of /proc/PID/comm could
 * only catch the rename while it lasted, a race.
 *
 *   HOTMEM_TEST_NAME_LOG=PATH  each call appends "main NAME" (the thread
 *                              named is the main one, whichever thread
 *                              names it) or "thread NAME" (any other) to PATH
 *
 * What matters is the thread named, not the caller (reread32b R8: a
 * worker naming the main thread was logged "thread", the main thread
 * naming a worker "main" had it not named itself): the shim keeps the
 * main thread's pthread_t from its constructor, which the dynamic loader
 * runs on the initial thread before main(), and takes a fork()'s child's
 * one thread, its main one, again at the fork.
 *
 * A wrapping shim: a sanitized hotmemfs takes it after its sanitizer's
 * runtime (tests/fusefs/lib.sh want_wrapping_shim, preloads).
 * tests/fusefs/435.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_t main_thread;

static void main_thread_take(void)
{
	main_thread = pthread_self();
}

__attribute__((constructor)) static void name_log_init(void)
{
	main_thread_take();
	pthread_atfork(NULL, NULL, main_thread_take);
}

static void name_log(pthread_t th, const char *name)
{
	const char *path = getenv("HOTMEM_TEST_NAME_LOG");
	int fd;

	if (!path)
		return;
	/* one write(2) a line, O_APPEND: two threads' lines never mix */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dprintf(fd, "%s %s\n", pthread_equal(th, main_thread) ? "main" : "thread", name);
	close(fd);
}

int pthread_setname_np(pthread_t th, const char *name)
{
	static int (*real)(pthread_t, const char *);

	if (!real)
		real = (int (*)(pthread_t, const char *))dlsym(RTLD_NEXT, "pthread_setname_np");
	name_log(th, name);
	return real(th, name);
}
