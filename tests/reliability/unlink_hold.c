// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests/bpf/pins-race.t: hotmem-trace's removal of a
 * stale pin held between its check of the pins in the way and the
 * unlink, so that a second starter's check, or a pin changed meanwhile,
 * falls there for certain, not by a race (reread27 R9).
 *
 *   HOTMEM_TEST_UNLINK_HOLD=PATH   the first unlink() or unlinkat() of a
 *                                  name "counters" waits while PATH
 *                                  exists, PATH.held meanwhile
 *                                  (shim_hold.h)
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "shim_hold.h"

/* once: the run's own unpin at its end unlinks "counters" again */
static int held;

static void hold_at(const char *path)
{
	const char *hold = getenv("HOTMEM_TEST_UNLINK_HOLD");
	const char *name = strrchr(path, '/');

	name = name ? name + 1 : path;
	if (!hold || held || strcmp(name, "counters"))
		return;
	held = 1;
	shim_hold(hold);
}

typedef int (*unlink_fn)(const char *);

int unlink(const char *path)
{
	unlink_fn real = (unlink_fn)dlsym(RTLD_NEXT, "unlink");

	hold_at(path);
	return real(path);
}

typedef int (*unlinkat_fn)(int, const char *, int);

int unlinkat(int dirfd, const char *path, int flags)
{
	unlinkat_fn real = (unlinkat_fn)dlsym(RTLD_NEXT, "unlinkat");

	hold_at(path);
	return real(dirfd, path, flags);
}
