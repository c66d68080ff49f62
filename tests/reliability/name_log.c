// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: every pthread_setname_np() hotmemfs makes, logged, so
 * that a test sees which thread took which name -- the main thread's
 * name is the process's comm (ps, pidof, pgrep -x, systemd's status),
 * which an eject or the drivers' work run by a restore must not rename
 * (reread27 R6, fusefs/thread_name.h); a read of /proc/PID/comm could
 * only catch the rename while it lasted, a race.
 *
 *   HOTMEM_TEST_NAME_LOG=PATH  each call appends "main NAME" (the calling
 *                              thread is the main one and names itself)
 *                              or "thread NAME" (any other) to PATH
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
#include <sys/syscall.h>
#include <unistd.h>

static void name_log(pthread_t th, const char *name)
{
	const char *path = getenv("HOTMEM_TEST_NAME_LOG");
	const int main_self = pthread_equal(th, pthread_self()) && syscall(SYS_gettid) == getpid();
	int fd;

	if (!path)
		return;
	/* one write(2) a line, O_APPEND: two threads' lines never mix */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dprintf(fd, "%s %s\n", main_self ? "main" : "thread", name);
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
