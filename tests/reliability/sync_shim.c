// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for state-group-commit.t: the journal's fdatasync()
 * made slow or failing on demand, so that what group commit does is
 * certain instead of a race with the disk.  Only fdatasync(): the state
 * file's whole saves use fsync() and are not touched.
 *
 *   HOTMEM_TEST_SYNC_DELAY_US=N   sleep N us in each fdatasync()
 *   HOTMEM_TEST_SYNC_FAIL=PATH    fail each fdatasync() with EIO while PATH exists
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int fdatasync(int fd)
{
	static int (*real)(int);
	const char *delay = getenv("HOTMEM_TEST_SYNC_DELAY_US");
	const char *fail = getenv("HOTMEM_TEST_SYNC_FAIL");

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	if (delay)
		usleep((useconds_t)strtoul(delay, NULL, 10));
	if (fail && !access(fail, F_OK)) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}
