// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/params.c (Linux 6.12): how the kernel command line compares
 * parameter names.  parse_one() matches a module's parameters with
 * parameq(), do_early_param() an early_param()'s with parameq() and
 * obsolete_checksetup() a __setup()'s ("memhp_default_state=") with
 * parameqn() over its length: in every one '-' and '_' are one letter,
 * so memory_hotplug.auto-movable-ratio= is memory_hotplug.auto_movable_ratio=.
 * Only names: the value goes to the parameter's own parser unchanged.
 */
#include <string.h>

#include "hmuapi.h"

static char dash2underscore(char c)
{
	return c == '-' ? '_' : c;
}

bool hmu_parameqn(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dash2underscore(a[i]) != dash2underscore(b[i]))
			return false;
	return true;
}

bool hmu_parameq(const char *a, const char *b)
{
	/* the terminating NUL too: a prefix is not the name */
	return hmu_parameqn(a, b, strlen(a) + 1);
}
