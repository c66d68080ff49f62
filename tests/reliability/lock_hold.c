// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests/fusefs/283 and tests/daemon/132: hotmemfs's
 * take of the state file's lock held between its open of PATH.lock and
 * its fcntl(F_SETLK), hotmemd's between its open of the state dir and its
 * flock(LOCK_EX), so that another start's unlink or rmdir falls there for
 * certain, not by a race.
 *
 *   HOTMEM_TEST_LOCK_HOLD=PATH   fcntl(F_SETLK, F_WRLCK) and flock(LOCK_EX)
 *                                wait while PATH exists, PATH.held meanwhile
 *                                (shim_hold.h)
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/file.h>

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

typedef int (*flock_fn)(int, int);

int flock(int fd, int op)
{
	flock_fn real = (flock_fn)dlsym(RTLD_NEXT, "flock");
	const char *hold = getenv("HOTMEM_TEST_LOCK_HOLD");

	if (hold && (op & LOCK_EX))
		shim_hold(hold);
	return real(fd, op);
}
