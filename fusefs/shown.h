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
 * Whether the character at @u, hmfs_utf8_seq()'s @seq bytes (0: a byte
 * of no well-formed UTF-8 sequence), is written \xNN: a control -- C0
 * (an escape sequence's ESC), DEL, a C1 control's two bytes -- or no
 * character at all (a raw 0x9b is CSI on an 8-bit terminal)
 */
static inline bool hmfs_shown_hex(const unsigned char *u, size_t seq)
{
	return !seq || u[0] < 0x20 || u[0] == 0x7f || (u[0] == 0xc2 && u[1] < 0xa0);
}

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
		else if (hmfs_shown_hex(u + i, seq))
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
 * Whether NUL-ended @s holds a control character or a byte of no UTF-8
 * character: all hmfs_shown_escape() writes as \n, \t or \xNN
 * (hmfs_shown_hex()), its \' and \\ aside.  A word that must stay one
 * line (a device's id, a table's cell) is refused with one.  A byte of
 * no character is one too: the state file's JSON is not checked for
 * UTF-8, and a raw C1 byte (0x9b, CSI) printed as it is in a table acts
 * on an 8-bit terminal (reread38 R6).
 */
static inline bool hmfs_shown_has_control(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t seq = hmfs_utf8_seq(u + i, n - i);

		if (hmfs_shown_hex(u + i, seq))
			return true;
		i += seq;
	}
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
