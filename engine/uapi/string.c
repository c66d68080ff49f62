// SPDX-License-Identifier: GPL-2.0
/* lib/string.c: how sysfs stores compare what user space wrote. */
#include <errno.h>

#include "hmuapi.h"

bool hmu_sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

int hmu_sysfs_match_string(const char *const *array, const char *s)
{
	for (int i = 0; array[i]; i++)
		if (hmu_sysfs_streq(array[i], s))
			return i;
	return -EINVAL;
}
