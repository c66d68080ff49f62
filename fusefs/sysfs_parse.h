/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's little parsers and formatters that sysfs attributes use,
 * reproduced so that hotmemfs accepts and rejects exactly what a real
 * kernel does.  No engine, no FUSE: unit-tested on their own.
 */
#ifndef HMFS_SYSFS_PARSE_H
#define HMFS_SYSFS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* kernfs cuts a write to one page and NUL-terminates it. */
#define HMFS_PAGE_SIZE 4096

/* lib/kstrtox.c kstrtobool(): looks at s[0] (and s[1] after 'o'). */
int hmfs_kstrtobool(const char *s, bool *res);
/* lib/string.c sysfs_streq(): equal, allowing one trailing '\n'. */
bool hmfs_sysfs_streq(const char *s1, const char *s2);
/* lib/string.c __sysfs_match_string() over a NULL-terminated array. */
int hmfs_sysfs_match_string(const char *const *array, const char *s);
/* mhp_online_type_from_str(): MMOP_* or -EINVAL. */
int hmfs_online_type_from_str(const char *buf);
extern const char *const hmfs_online_type_names[];
/* kstrtouint/kstrtoull(s, base): one trailing '\n' allowed. */
int hmfs_kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int hmfs_kstrtouint(const char *s, unsigned int base, unsigned int *res);
/* memparse(): "128M", "2G", "0x8000000"; -EINVAL on junk or overflow. */
int hmfs_memparse(const char *s, uint64_t *out);
/* Human size for tables: "128M", "2G", "1.5G". */
void hmfs_size_str(uint64_t bytes, char *buf, size_t len);

/*
 * Copy a write the way kernfs_fop_write_iter() does: at most one page,
 * then NUL-terminated.  Returns the byte count the store sees.
 */
size_t hmfs_write_buf(char *dst, const char *src, size_t len);

/* Node masks as bitmap_print_to_pagebuf(list=true): "0-1,3\n". */
int hmfs_nodelist(const unsigned char *mask, int nbits, char *buf, size_t len);

/* Slice a generated attribute for a read at @off of @size bytes. */
size_t hmfs_slice(const char *content, size_t clen, off_t off, size_t size, const char **out);

#endif /* HMFS_SYSFS_PARSE_H */
