/* SPDX-License-Identifier: GPL-2.0 */
/* hotmem profile --from-sysfs: a profile from a machine's memory sysfs */
#ifndef HOTMEM_CLI_FROM_SYSFS_H
#define HOTMEM_CLI_FROM_SYSFS_H

#include <stdio.h>

/*
 * Write to @out a profile reproducing the machine under @dir ("/" or a
 * dump: DIR/sys/devices/system/memory/...); what could not be inferred
 * goes into it as comments and, if @notes, there too.  0 or -errno (the
 * reason already on stderr).
 */
int hotmem_profile_from_sysfs(const char *dir, FILE *out, FILE *notes);

#endif
