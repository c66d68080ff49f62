// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's number and boolean parsers, transcribed from lib/kstrtox.c
 * and lib/cmdline.c so that every accept/reject decision matches a real
 * kernel (reference: tests/fixtures/reference/sysfs-memory-writes.txt).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "hmuapi.h"

int hmu_kstrtobool(const char *s, bool *res)
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

int hmu_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
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

int hmu_kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = hmu_kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

int hmu_kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long u;
	int ret;

	if (s[0] == '-') {
		/* _kstrtoull(): no second sign */
		ret = s[1] == '+' ? -EINVAL : hmu_kstrtoull(s + 1, base, &u);
		if (ret)
			return ret;
		if (u > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*res = (long long)(0ULL - u);
		return 0;
	}
	ret = hmu_kstrtoull(s, base, &u);
	if (ret)
		return ret;
	if (u > LLONG_MAX)
		return -ERANGE;
	*res = (long long)u;
	return 0;
}

int hmu_memparse(const char *s, uint64_t *out)
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
