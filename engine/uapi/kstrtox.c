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

/* a digit's value in any base up to 16, else 16 */
static unsigned int digit(int ch)
{
	unsigned int c = (unsigned char)ch;

	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return 16;
}

/* lib/kstrtox.c _parse_integer(): digits consumed, or -ERANGE. */
static int parse_integer(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v = 0;
	unsigned int d;
	int n = 0;

	for (; (d = digit(*s)) < base; s++, n++) {
		if (v > (ULLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*res = v;
	return n;
}

unsigned long long hmu_simple_strtoull(const char *s, const char **end, unsigned int base)
{
	unsigned long long v = 0;
	unsigned int d;

	base = fixup_radix(&s, base);
	/* simple_strntoull() drops _parse_integer_limit()'s overflow flag: it wraps */
	for (; (d = digit(*s)) < base; s++)
		v = v * base + d;
	*end = s;
	return v;
}

/* memparse()'s one K/M/G/T/P/E after the number: the shift, *s past it */
static unsigned int memparse_suffix(const char **s)
{
	static const char units[] = "kmgtpe";
	const char *u = **s ? strchr(units, **s | 0x20) : NULL;

	if (!u || !isalpha((unsigned char)**s))
		return 0;
	(*s)++;
	return 10 * (unsigned int)(u - units + 1);
}

unsigned long long hmu_memparse_end(const char *s, const char **end)
{
	unsigned long long v = hmu_simple_strtoull(s, end, 0);

	return v << memparse_suffix(end);
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
	unsigned int base, shift;
	int n;

	if (!s || !*s)
		return -EINVAL;
	base = fixup_radix(&s, 0);
	n = parse_integer(s, base, &v);
	if (n <= 0)
		return -EINVAL;
	s += n;
	shift = memparse_suffix(&s);
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
