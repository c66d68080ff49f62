// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel parsers for sysfs stores, transcribed from lib/kstrtox.c,
 * lib/string.c, lib/cmdline.c and mm/memory_hotplug.c so that every
 * accept/reject decision matches a real kernel (reference:
 * shared/reference/sysfs-memory-writes.txt).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sysfs_parse.h"

/* include/linux/memory_hotplug.h MMOP_* order */
const char *const hmfs_online_type_names[] = {
	"offline", "online", "online_kernel", "online_movable", NULL,
};

int hmfs_kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;

	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*res = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*res = false;
		return 0;
	case 'o':
	case 'O':
		/* s[1] is readable: the buffer is NUL-terminated. */
		switch (s[1]) {
		case 'n':
		case 'N':
			*res = true;
			return 0;
		case 'f':
		case 'F':
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

bool hmfs_sysfs_streq(const char *s1, const char *s2)
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

int hmfs_sysfs_match_string(const char *const *array, const char *s)
{
	for (int i = 0; array[i]; i++)
		if (hmfs_sysfs_streq(array[i], s))
			return i;
	return -EINVAL;
}

int hmfs_online_type_from_str(const char *buf)
{
	return hmfs_sysfs_match_string(hmfs_online_type_names, buf);
}

static unsigned int fixup_radix(const char **s, unsigned int base)
{
	const char *p = *s;

	if (base == 0) {
		if (p[0] == '0') {
			if ((p[1] | 0x20) == 'x' && isxdigit((unsigned char)p[2]))
				base = 16;
			else
				base = 8;
		} else {
			base = 10;
		}
	}
	if (base == 16 && p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	*s = p;
	return base;
}

/* lib/kstrtox.c _parse_integer(): digits consumed, or -ERANGE. */
static int parse_integer(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v = 0;
	int n = 0;

	for (;; s++, n++) {
		unsigned int c = (unsigned char)*s, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*res = v;
	return n;
}

int hmfs_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v;
	int n;

	if (s[0] == '+')
		s++;
	base = fixup_radix(&s, base);
	n = parse_integer(s, base, &v);
	if (n < 0)
		return n;
	if (n == 0)
		return -EINVAL;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

int hmfs_kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = hmfs_kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

int hmfs_memparse(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int base, shift = 0;
	int n;

	if (!s || !*s)
		return -EINVAL;
	base = fixup_radix(&s, 0);
	n = parse_integer(s, base, &v);
	if (n <= 0)
		return -EINVAL;
	s += n;
	switch (*s) {
	case 'E':
	case 'e':
		shift += 10; /* fall through */
	case 'P':
	case 'p':
		shift += 10; /* fall through */
	case 'T':
	case 't':
		shift += 10; /* fall through */
	case 'G':
	case 'g':
		shift += 10; /* fall through */
	case 'M':
	case 'm':
		shift += 10; /* fall through */
	case 'K':
	case 'k':
		shift += 10;
		s++;
		break;
	}
	/* QEMU spells sizes "1G" or "1GiB"; allow the latter as well. */
	if (shift && (!strcmp(s, "iB") || !strcmp(s, "B")))
		s += strlen(s);
	if (*s)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

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
