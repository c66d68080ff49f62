/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A state file's text in a message: the file is anyone's (edited by
 * hand, another build's, damaged), and what hotmemfs says of it goes to
 * a terminal and the log.  Header-only, as utf8.h: hotmemfs's state
 * code and state_profile.c's cmocka test (which compiles that file in,
 * with no hotmemfs object) both use it.
 */
#ifndef HMFS_SHOWN_H
#define HMFS_SHOWN_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/*
 * @s's first @n bytes into @out (@len > 0 bytes, NUL-ended) as a C
 * string writes them: the text is one line on a terminal and in the log,
 * a quote around it ends where it seems to, and an escape sequence in it
 * does nothing.  \' and \\ (@quoted only), \n, \t; \xNN for another
 * control (an escape sequence's ESC), DEL, a C1 control's two bytes and a
 * byte of no well-formed UTF-8 sequence; the rest as is.  Whole escapes
 * and characters only; the bytes of @s written (@n when all fit).  At
 * most 4 bytes a byte: @len 4 * @n + 1 holds any text.
 */
static inline size_t hmfs_escape(char *out, size_t len, const char *s, size_t n, bool quoted)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t seq = hmfs_utf8_seq(u + i, n - i), el = 0;
		char e[4 * 4 + 1];

		if (quoted && (u[i] == '\'' || u[i] == '\\'))
			el = (size_t)snprintf(e, sizeof(e), "\\%c", u[i]);
		else if (u[i] == '\n' || u[i] == '\t')
			el = (size_t)snprintf(e, sizeof(e), "\\%c", u[i] == '\n' ? 'n' : 't');
		else if (!seq || u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && u[i + 1] < 0xa0))
			for (size_t k = 0, nr = seq ? seq : 1; k < nr; k++)
				el += (size_t)snprintf(e + el, sizeof(e) - el, "\\x%02x", u[i + k]);
		else
			el = (size_t)snprintf(e, sizeof(e), "%.*s", (int)seq, s + i);
		if (o + el >= len)
			break;
		memcpy(out + o, e, el);
		o += el;
		i += seq ? seq : 1;
	}
	out[o] = '\0';
	return i;
}

/* a word of a quote ('...'): hmfs_escape(), quotes and backslashes escaped */
static inline size_t hmfs_shown_escape(char *out, size_t len, const char *s, size_t n)
{
	return hmfs_escape(out, len, s, n, true);
}

/*
 * Whether NUL-ended @s holds a control character: a C0 control, DEL or a
 * C1 control's two bytes, what hmfs_shown_escape() writes as \n, \t or
 * \xNN for being one.  A word that must stay one line (a device's id,
 * a table's cell) is refused with it.
 */
static inline bool hmfs_shown_has_control(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i]; i++)
		if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] < 0xa0))
			return true;
	return false;
}

/* NUL-ended @s (NULL: "") into @out as hmfs_shown_escape() writes it; @out */
static inline const char *hmfs_shown(char *out, size_t len, const char *s)
{
	s = s ? s : "";
	hmfs_shown_escape(out, len, s, strlen(s));
	return out;
}

#endif
