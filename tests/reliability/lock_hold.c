// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests/fusefs/284: hotmemfs's take of the state
 * file's lock held between its open of PATH.lock and its fcntl(F_SETLK),
 * so that another start's unlink of the lock file falls there for
 * certain, not by a race.
 *
 *   HOTMEM_TEST_LOCK_HOLD=PATH   fcntl(F_SETLK, F_WRLCK) waits while PATH exists,
 *                                PATH.held meanwhile (shim_hold.h)
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>

#include "shim_hold.h"

typedef int (*fcntl_fn)(int, int, ...);

int fcntl(int fd, int cmd, ...)
{
	fcntl_fn real = (fcntl_fn)dlsym(RTLD_NEXT, "fcntl");
	const char *hold = getenv("HOTMEM_TEST_LOCK_HOLD");
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (hold && cmd == F_SETLK && ((struct flock *)arg)->l_type == F_WRLCK)
		shim_hold(hold);
	return real(fd, cmd, arg);
}

/* what glibc's fcntl() is under _FILE_OFFSET_BITS=64, hotmemfs's (FUSE's) */
int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));
