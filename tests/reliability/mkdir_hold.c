// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests/bpf/pins-dir-made.t: hotmem-trace held where
 * it has made its --pin DIR and another starter may come between, so that
 * the second starter's lock falls there for certain, not by a race
 * (trace30).
 *
 *   HOTMEM_TEST_MKDIR_HOLD=PATH   the first mkdir() waits once it made the
 *                                 directory (made, not locked yet: before
 *                                 trace30), the first renameat2() before
 *                                 it renames (made under its own name and
 *                                 locked, not named DIR yet), while PATH
 *                                 exists, PATH.held meanwhile (shim_hold.h)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "shim_hold.h"

/* once: the test holds one starter, at one point */
static int held;

static void hold_here(void)
{
	const char *hold = getenv("HOTMEM_TEST_MKDIR_HOLD");

	if (!hold || held)
		return;
	held = 1;
	shim_hold(hold);
}

typedef int (*mkdir_fn)(const char *, mode_t);

int mkdir(const char *path, mode_t mode)
{
	mkdir_fn real = (mkdir_fn)dlsym(RTLD_NEXT, "mkdir");
	int ret = real(path, mode);

	if (!ret)
		hold_here();
	return ret;
}

typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned int);

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	      unsigned int flags)
{
	renameat2_fn real = (renameat2_fn)dlsym(RTLD_NEXT, "renameat2");

	hold_here();
	return real(olddirfd, oldpath, newdirfd, newpath, flags);
}
