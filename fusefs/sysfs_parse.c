// SPDX-License-Identifier: GPL-2.0
/*
 * kernfs's and the bitmap library's little helpers for sysfs files: the
 * write buffer, node lists, read slices.  The kernel's parsers behind the
 * stores (kstrto*, sysfs_streq, online types) are engine/uapi's.
 */
#include <stdio.h>
#include <string.h>

#include "sysfs_parse.h"

void hmfs_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u < 6) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
	else if (rem == 0 || whole >= 10)
		snprintf(buf, len, "%llu%c", (unsigned long long)whole, units[u]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
			 (unsigned long long)(rem * 10 / 1024), units[u]);
}

size_t hmfs_write_buf(char *dst, const char *src, size_t len)
{
	if (len > HMFS_PAGE_SIZE)
		len = HMFS_PAGE_SIZE;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

int hmfs_nodelist(const unsigned char *mask, int nbits, char *buf, size_t len)
{
	size_t off = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < nbits) {
		int start, end;

		if (!(mask[i / 8] & (1u << (i % 8)))) {
			i++;
			continue;
		}
		start = i;
		while (i + 1 < nbits && (mask[(i + 1) / 8] & (1u << ((i + 1) % 8))))
			i++;
		end = i++;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%d", off ? "," : "",
				start);
		if (end > start)
			off += snprintf(buf + off, off < len ? len - off : 0, "-%d", end);
	}
	off += snprintf(buf + off, off < len ? len - off : 0, "\n");
	return (int)off;
}

size_t hmfs_slice(const char *content, size_t clen, off_t off, size_t size, const char **out)
{
	if (off < 0 || (size_t)off >= clen) {
		*out = content;
		return 0;
	}
	*out = content + off;
	if (size > clen - (size_t)off)
		size = clen - (size_t)off;
	return size;
}
