/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One well-formed UTF-8 sequence (RFC 3629: no overlong form, no
 * surrogate, nothing above U+10FFFF; the ranges of Unicode's Table 3-7).
 * Header-only: hotmemfs (ctl.c: an error text cut before a character)
 * and hotmem-conform's report (conform_report.c: what it writes as JSON)
 * judge by it and link no object in common.
 */
#ifndef HMFS_UTF8_H
#define HMFS_UTF8_H

#include <stddef.h>

/* the bytes of the well-formed sequence at @s, of the @len (>= 1) there; 0: none */
static inline size_t hmfs_utf8_seq(const unsigned char *s, size_t len)
{
	/* the second byte's range narrows for E0, ED, F0, F4 */
	unsigned char lo = *s == 0xe0 ? 0xa0 : *s == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = *s == 0xed ? 0x9f : *s == 0xf4 ? 0x8f : 0xbf;
	size_t n = *s < 0x80 ? 1 : *s < 0xc2 ? 0 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : *s < 0xf5 ? 4 : 0;

	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return n;
}

#endif
