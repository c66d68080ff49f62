/* SPDX-License-Identifier: MIT */
/*
 * The hold the LD_PRELOAD shims share (sync_shim.c, thread_hold.c,
 * unlink_hold.c, mkdir_hold.c): the calling thread waits while PATH exists, PATH.held
 * there meanwhile for the test to wait for (tests/wait_exit.sh
 * file_wait), removed once it goes on.  Polled every millisecond:
 * open(), access() and nanosleep() only, nothing that allocates or takes
 * a lock the shims wrap.
 */
#ifndef HOTMEM_SHIM_HOLD_H
#define HOTMEM_SHIM_HOLD_H

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void shim_hold(const char *path)
{
	const struct timespec ms = { .tv_nsec = 1000 * 1000 };
	char held[4096];
	int fd;

	snprintf(held, sizeof(held), "%s.held", path);
	fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	while (!access(path, F_OK))
		nanosleep(&ms, NULL);
	unlink(held);
}

#endif
