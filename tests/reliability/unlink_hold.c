// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: unlink() of one name held, so that what a second
 * process does while the first is between two steps is certain instead
 * of a race (tests/daemon/140: hotmemd's stale uevent socket judged, not
 * yet unlinked).
 *
 *   HOTMEM_TEST_UNLINK_HOLD=PATH           unlink() of a name ending in
 *   HOTMEM_TEST_UNLINK_HOLD_SUFFIX=SUFFIX  SUFFIX waits while PATH exists,
 *                                          PATH.held meanwhile (shim_hold.h)
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "shim_hold.h"

static int held_name(const char *name)
{
	const char *suffix = getenv("HOTMEM_TEST_UNLINK_HOLD_SUFFIX");
	size_t n, s;

	if (!suffix || !*suffix || !name)
		return 0;
	n = strlen(name);
	s = strlen(suffix);
	return n >= s && !strcmp(name + n - s, suffix);
}

int unlink(const char *name)
{
	static int (*real)(const char *);
	const char *hold = getenv("HOTMEM_TEST_UNLINK_HOLD");

	if (!real)
		real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
	if (hold && held_name(name))
		shim_hold(hold);
	return real(name);
}
