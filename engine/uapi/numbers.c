// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem's own numbers, one rule for every tool that reads one from a
 * user: hotmemctl's arguments, hotmemfs's control socket (fusefs/ctlargs.c)
 * and `hotmem run` scripts (engine/cli/hotmem.c).  Not the kernel's: its
 * sysfs stores have kstrtox.c's parsers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "hmuapi.h"

/*
 * Decimal, or hex after 0x (a pfn is hex where it is printed: explain's
 * own "next", /proc/iomem, page-types), never strtoll()'s octal -- "010"
 * was eight, "08" refused (usereye7 #1): a leading 0 is a zero-padded
 * decimal, as the kernel's kstrtoul(buf, 10) reads nr_hugepages.
 */
int hmu_number_errno(const char *s, long long *res)
{
	const char *d = s + (*s == '-' || *s == '+');

	/*
	 * the kernel's kstrtoll() (lib/kstrtox.c, 6.12): one sign, no blank
	 * before it (strtoll() took " 5"), one '\n' after; base 16 takes the 0x
	 */
	return hmu_kstrtoll(s, d[0] == '0' && (d[1] == 'x' || d[1] == 'X') ? 16 : 10, res);
}

int hmu_number(const char *s, long long *res)
{
	return hmu_number_errno(s, res) ? -EINVAL : 0;
}

/*
 * memoryN's N: decimal (as chmem -b and lsmem print it), digits only and
 * no leading 0.  "010" is refused, not read: as C's octal it was memory8,
 * as chmem's decimal it is memory10, and a phys_index pasted ("00000020",
 * hex: memory32) is neither -- a refusal costs a retyping, a wrong guess
 * onlines or offlines another block.
 */
int hmu_block_number(const char *s, long long *res)
{
	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
		return -EINVAL;
	return hmu_number(s, res);
}

const char *hmu_number_hint(bool block, const char *v, char *buf, size_t len)
{
	long long n;
	uint64_t u;

	if (block && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') && !hmu_number(v, &n)) {
		snprintf(buf, len, ", not hex (%s is %lld)", v, n);
		return buf;
	}
	if (block && v[0] == '0' && isdigit((unsigned char)v[1])) {
		snprintf(buf, len,
			 ", without a leading 0 (is %s decimal, C's octal or a phys_index's hex?)", v);
		return buf;
	}
	if ((block ? hmu_block_number(v, &n) : hmu_number(v, &n)) && !hmu_memparse(v, &u))
		return ", not a size (no K, M, G, T suffix)";
	return "";
}
