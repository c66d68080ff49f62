/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernfs's and the bitmap library's formatters for sysfs files.  The
 * kernel's parsers (kstrto*, sysfs_streq, memparse, online types) are in
 * engine/uapi/hmuapi.h, included here for every user of these helpers.
 * No engine, no FUSE: unit-tested on their own.
 */
#ifndef HMFS_SYSFS_PARSE_H
#define HMFS_SYSFS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uapi/hmuapi.h"

/* kernfs cuts a write to one page and NUL-terminates it. */
#define HMFS_PAGE_SIZE 4096

/* Human size for tables, exact: "128M", "2G", "1.5G", "1088M" (not "1.0G"). */
void hmfs_size_str(uint64_t bytes, char *buf, size_t len);

/*
 * Copy a write the way kernfs_fop_write_iter() does: at most one page,
 * then NUL-terminated.  Returns the byte count the store sees.
 */
size_t hmfs_write_buf(char *dst, const char *src, size_t len);

/* Node masks as bitmap_print_to_pagebuf(list=true): "0-1,3\n". */
int hmfs_nodelist(const unsigned char *mask, int nbits, char *buf, size_t len);

/*
 * A bitmap as bitmap_print_to_pagebuf(list=false) prints it ("%*pb\n",
 * lib/vsprintf.c bitmap_string()): 32-bit hex words, most significant
 * first, comma-separated, the first one as wide as @nbits needs ("3\n" for
 * 2 bits, "00000000,00000003\n" for 64).  Returns the length.
 */
int hmfs_bitmap_hex(const unsigned char *mask, int nbits, char *buf, size_t len);

/*
 * bitmap_parselist() of a cpulist file ("0-3,8\n"): sets the bits in
 * @mask (@nbits wide, cleared first).  The highest bit named, or -EINVAL
 * (-ERANGE past @nbits).
 */
int hmfs_cpulist_parse(const char *s, unsigned char *mask, int nbits);

/*
 * A node's reclaim file, as user_proactive_reclaim() (mm/vmscan.c, 6.17+)
 * parses it: memparse() of a size, then "swappiness=N" (0..200) or
 * "swappiness=max" words separated by spaces.  @buf is changed (strstrip,
 * strsep).  0 with the size in *@bytes (memparse() wraps as the kernel's
 * simple_strtoull() does), or -EINVAL.
 */
int hmfs_reclaim_parse(char *buf, uint64_t *bytes, int *swappiness);
#define HMFS_SWAPPINESS_ANON_ONLY 201 /* "swappiness=max": MAX_SWAPPINESS + 1 */

/* Slice a generated attribute for a read at @off of @size bytes. */
size_t hmfs_slice(const char *content, size_t clen, off_t off, size_t size, const char **out);

/*
 * A write to a device's uevent file, as kobject_synth_uevent() reads it
 * (lib/kobject_uevent.c, 6.12): "ACTION [UUID [KEY=VALUE ...]]", one
 * trailing newline or NUL dropped.  Returns the action (enum
 * hmu_kobject_action) and fills @env with the NUL-separated variables the
 * kernel adds ("SYNTH_UUID=0" without arguments, else "SYNTH_UUID=<uuid>"
 * and "SYNTH_ARG_KEY=VALUE"...), *@env_len their total length; -EINVAL
 * where the kernel says EINVAL ("add\n\n", "add ", "add garbage").
 */
#define HMFS_SYNTH_ENV_SIZE 2048 /* the kernel's UEVENT_BUFFER_SIZE */
#define HMFS_SYNTH_ENV_MAX 64 /* UEVENT_NUM_ENVP */
int hmfs_synth_uevent_parse(const char *buf, size_t count, char *env, size_t env_size,
			    size_t *env_len);
/*
 * The same write's action alone (kobject_action_type()): the action, or
 * -EINVAL for an unknown one, which kobject_synth_uevent() logs as "unknown
 * uevent action string" where a refused rest is "incorrect uevent action
 * arguments"
 */
int hmfs_synth_uevent_action(const char *buf, size_t count, const char **args);

#endif /* HMFS_SYSFS_PARSE_H */
