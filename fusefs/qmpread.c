// SPDX-License-Identifier: GPL-2.0
/*
 * A QMP connection's requests, read off its byte stream as QEMU 9.2's
 * monitor reads them (qobject/json-lexer.c, json-streamer.c,
 * json-parser.c, util/unicode.c; these files behave the same from QEMU
 * 5.0 to 9.2, and every answer here was held against QEMU 7.2's
 * qemu-storage-daemon: tests/fusefs/164-qmp-json-qemu.t).  Written for
 * hotmemfs, by those files' rules, not copied:
 *
 *  - the lexer takes a byte at a time, so a request cut anywhere by the
 *    stream (a write, a recv()) reads the same as a whole one;
 *  - a byte no token can hold (a comment's '/', '#', '%', a raw control
 *    byte in a string) is answered "JSON parse error, stray '...'"; the
 *    request so far is dropped and the bytes up to a structural
 *    character, a control byte or \xFE/\xFF are skipped (QEMU's
 *    IN_RECOVERY) -- so a comment inside a request gets that answer and
 *    then, as in QEMU, maybe an "expecting value" for what follows it;
 *  - a request ends where its braces and brackets balance (or go below
 *    zero), and is parsed then: json-parser.c's words for what is wrong
 *    ("expecting value" for a trailing comma, "duplicate key", "invalid
 *    keyword 'tru'", "invalid UTF-8 sequence in string", ...);
 *  - QEMU's extensions: single-quoted strings and the \' escape.  Its
 *    %-interpolation is for QEMU's own C callers only (json_lexer_init()
 *    enables it when given a va_list; the monitor gives none): a '%' is a
 *    stray byte here as there;
 *  - a string is modified UTF-8: \u0000 and a raw "\xC0\x80" are U+0000,
 *    kept as "\xC0\x80" (send_json() writes it \u0000 again); a
 *    surrogate, a noncharacter (U+FDD0..U+FDEF, U+xFFFE/F), an overlong or
 *    cut sequence is refused.
 *
 * hotmemfs's own limit stays: a request over HMFS_CTL_REQ_MAX bytes ends
 * the connection (QEMU allows 64 MiB of tokens).  json-c only holds the
 * result: its tokener took comments, trailing commas and duplicate keys.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs.h"

/* json-streamer.c MAX_NESTING: open braces and brackets of one request */
#define QMP_MAX_NESTING 1024
/* json-parser.c parse_error(): its message is formatted into 1024 bytes */
#define QMP_PARSE_MSG 1024

/* the lexer's states, as json-lexer.c names them */
enum lex_state {
	LX_START, /* between tokens */
	LX_RECOVERY, /* after a stray byte: skipping to a point to start again */
	LX_DQ, /* in a "string" */
	LX_DQ_ESC, /* ... right after a backslash */
	LX_SQ, /* in a 'string' */
	LX_SQ_ESC,
	LX_ZERO, /* a number: "0" or "-0" */
	LX_SIGN, /* "-" */
	LX_DIGITS, /* [1-9][0-9]* */
	LX_MANTISSA, /* "." */
	LX_MANTISSA_DIGITS,
	LX_EXP_E, /* "e" */
	LX_EXP_SIGN,
	LX_EXP_DIGITS,
	LX_KEYWORD, /* [a-z]+ */
};

/* what ends a token (TOK_ERROR: a stray byte) */
enum tok_type {
	TOK_ERROR,
	TOK_LCURLY,
	TOK_RCURLY,
	TOK_LSQUARE,
	TOK_RSQUARE,
	TOK_COLON,
	TOK_COMMA,
	TOK_INTEGER,
	TOK_FLOAT,
	TOK_KEYWORD,
	TOK_STRING,
};

/* lex_next(): a token ends (its type in the low bits); the byte is the next token's, not this one's */
#define LEX_TOKEN 0x40
#define LEX_AHEAD 0x80
#define LEX_STRAY (LEX_TOKEN | TOK_ERROR)

struct hmfs_ctl_tok {
	unsigned char type;
	size_t at; /* its text in r->text, NUL-terminated */
};

static unsigned int lex_start(unsigned char c)
{
	switch (c) {
	case '"':
		return LX_DQ;
	case '\'':
		return LX_SQ;
	case '0':
		return LX_ZERO;
	case '-':
		return LX_SIGN;
	case '{':
		return LEX_TOKEN | TOK_LCURLY;
	case '}':
		return LEX_TOKEN | TOK_RCURLY;
	case '[':
		return LEX_TOKEN | TOK_LSQUARE;
	case ']':
		return LEX_TOKEN | TOK_RSQUARE;
	case ',':
		return LEX_TOKEN | TOK_COMMA;
	case ':':
		return LEX_TOKEN | TOK_COLON;
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		return LX_START;
	}
	if (c >= '1' && c <= '9')
		return LX_DIGITS;
	if (c >= 'a' && c <= 'z')
		return LX_KEYWORD;
	return LEX_STRAY; /* '/', '#', '%', 'T', a control byte, ... */
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* a string's byte: the lexer takes 0x20..0xFD and leaves the rest of UTF-8's rules to the parser */
static unsigned int lex_string(enum lex_state s, unsigned char c)
{
	bool dq = s == LX_DQ || s == LX_DQ_ESC;

	if (c < 0x20 || c > 0xfd)
		return LEX_STRAY;
	if (s == LX_DQ_ESC || s == LX_SQ_ESC) /* any escape: the parser judges it */
		return dq ? LX_DQ : LX_SQ;
	if (c == '\\')
		return dq ? LX_DQ_ESC : LX_SQ_ESC;
	if (c == (dq ? '"' : '\''))
		return LEX_TOKEN | TOK_STRING;
	return s;
}

/* where byte @c takes the lexer from state @s */
static unsigned int lex_next(enum lex_state s, unsigned char c)
{
	switch (s) {
	case LX_START:
		return lex_start(c);
	case LX_RECOVERY:
		/* structural characters and line ends are where to start again */
		if (c == '\t' || (c >= 0x20 && c <= 0xfd && !strchr("[]{}:,", c)))
			return LX_RECOVERY;
		return LEX_AHEAD | LX_START;
	case LX_DQ:
	case LX_DQ_ESC:
	case LX_SQ:
	case LX_SQ_ESC:
		return lex_string(s, c);
	case LX_ZERO:
		if (is_digit(c)) /* "01": no number */
			return LEX_STRAY;
		return c == '.' ? LX_MANTISSA : LEX_AHEAD | LEX_TOKEN | TOK_INTEGER;
	case LX_SIGN:
		return c == '0' ? LX_ZERO : c >= '1' && c <= '9' ? LX_DIGITS : LEX_STRAY;
	case LX_DIGITS:
		if (is_digit(c))
			return LX_DIGITS;
		if (c == 'e' || c == 'E')
			return LX_EXP_E;
		return c == '.' ? LX_MANTISSA : LEX_AHEAD | LEX_TOKEN | TOK_INTEGER;
	case LX_MANTISSA:
		return is_digit(c) ? LX_MANTISSA_DIGITS : LEX_STRAY;
	case LX_MANTISSA_DIGITS:
		if (is_digit(c))
			return LX_MANTISSA_DIGITS;
		return c == 'e' || c == 'E' ? LX_EXP_E : LEX_AHEAD | LEX_TOKEN | TOK_FLOAT;
	case LX_EXP_E:
		return c == '+' || c == '-' ? LX_EXP_SIGN : is_digit(c) ? LX_EXP_DIGITS : LEX_STRAY;
	case LX_EXP_SIGN:
		return is_digit(c) ? LX_EXP_DIGITS : LEX_STRAY;
	case LX_EXP_DIGITS:
		return is_digit(c) ? LX_EXP_DIGITS : LEX_AHEAD | LEX_TOKEN | TOK_FLOAT;
	case LX_KEYWORD:
		return c >= 'a' && c <= 'z' ? LX_KEYWORD : LEX_AHEAD | LEX_TOKEN | TOK_KEYWORD;
	}
	return LEX_STRAY;
}

/* ---- util/unicode.c's modified UTF-8 ------------------------------------ */

/* is_valid_codepoint(): Unicode's range, no noncharacter, no surrogate */
static bool cp_valid(long cp)
{
	return cp >= 0 && cp <= 0x10ffff && !(cp >= 0xfdd0 && cp <= 0xfdef) &&
	       (cp & 0xfffe) != 0xfffe && !(cp >= 0xd800 && cp <= 0xdfff);
}

/*
 * mod_utf8_codepoint(): the character at @s (NUL-terminated), *@end past
 * the bytes it took; -1: none -- a byte that begins nothing takes itself,
 * a sequence cut short takes the bytes before the cut, a bad whole one
 * takes all of its bytes (the writer's U+FFFD covers as much)
 */
static long mutf8_codepoint(const unsigned char *s, const unsigned char **end)
{
	static const long min_cp[] = { 0x80, 0x800, 0x10000, 0x200000, 0x4000000 };
	unsigned int len = 0;
	long cp;

	*end = s + 1;
	if (*s < 0x80)
		return *s;
	if (*s >= 0xfe || !(*s & 0x40))
		return -1;
	for (unsigned int mask = 0x80; *s & mask; mask >>= 1)
		len++;
	cp = *s & (0x7f >> len);
	for (unsigned int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*end = s + i;
			return -1;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*end = s + len;
	if (!cp_valid(cp) || (cp < min_cp[len - 2] && !(cp == 0 && len == 2)))
		return -1; /* overlong but U+0000's "\xC0\x80" */
	return cp;
}

/* mod_utf8_encode(): @cp (valid) at @out, U+0000 as "\xC0\x80"; its length */
static size_t mutf8_encode(char *out, long cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0 && cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- json-parser.c: the tokens of one request to a value ---------------- */

struct parse {
	const struct hmfs_ctl_reader *r;
	size_t next; /* the next token */
	char err[QMP_PARSE_MSG]; /* the first error's words; "" none */
	bool nomem; /* a value not made: the client dropped, as for its text (parse_request()) */
};

static const struct hmfs_ctl_tok *peek(const struct parse *p)
{
	return p->next < p->r->ntoks ? &p->r->toks[p->next] : NULL;
}

static const struct hmfs_ctl_tok *pop(struct parse *p)
{
	const struct hmfs_ctl_tok *t = peek(p);

	p->next += !!t;
	return t;
}

static const char *tok_text(const struct parse *p, const struct hmfs_ctl_tok *t)
{
	return p->r->text + t->at;
}

/*
 * No memory for a value: never answered as JSON (QEMU's g_malloc() aborts
 * instead), never passed on as null -- json-c asserts on a NULL object
 * added to (dup43); false
 */
static bool pnomem(struct parse *p)
{
	p->nomem = true;
	return false;
}

/* parse_error(): the first error is the answer; its words cut at QEMU's 1023 bytes */
__attribute__((format(printf, 2, 3))) static bool perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return false;
}

static bool parse_value(struct parse *p, json_object **out);

/* four hex digits at @s: their value, else -1 (not as many) */
static long hex4(const char *s)
{
	long cp = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		cp = cp << 4 | d;
	}
	return cp;
}

/* \uXXXX at @s (past the 'u'), a surrogate pair's second half too: the character, *@s past it */
static long escape_u(const char **s)
{
	long cp = hex4(*s), lo;

	*s += strnlen(*s, 4); /* past the string's end never, however few digits */
	if (cp >= 0xd800 && cp <= 0xdbff && (*s)[0] == '\\' && (*s)[1] == 'u') {
		lo = hex4(*s + 2);
		if (lo < 0xdc00 || lo > 0xdfff)
			return -1;
		*s += 6;
		return 0x10000 + ((cp & 0x3ff) << 10) + (lo & 0x3ff);
	}
	return cp;
}

static const char *const simple_escapes = "\"\"''\\\\//b\bf\fn\nr\rt\t";

/* parse_string(): a string token (quotes included) to its modified UTF-8 */
static bool parse_string(struct parse *p, const char *s, json_object **out)
{
	char quote = *s++, *buf = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!buf)
		return pnomem(p);
	while (*s != quote) {
		const char *beg = s, *e;
		long cp;

		if (*s != '\\') {
			const unsigned char *end;

			cp = mutf8_codepoint((const unsigned char *)s, &end);
			if (cp < 0)
				goto bad_utf8;
			s = (const char *)end;
		} else if (s[1] == 'u') {
			s += 2;
			cp = escape_u(&s);
			if (!cp_valid(cp)) {
				perr(p, "%.*s is not a valid Unicode character", (int)(s - beg), beg);
				goto out;
			}
		} else {
			for (e = simple_escapes; *e && *e != s[1]; e += 2)
				;
			if (!*e) {
				perr(p, "invalid escape sequence in string");
				goto out;
			}
			cp = (unsigned char)e[1];
			s += 2;
		}
		n += mutf8_encode(buf + n, cp);
	}
	*out = json_object_new_string_len(buf, (int)n);
	free(buf);
	return *out ? true : pnomem(p);
bad_utf8:
	perr(p, "invalid UTF-8 sequence in string");
out:
	free(buf);
	return false;
}

/*
 * A double as QEMU writes it back (qobject/json-writer.c
 * json_writer_double(), 9.2: "%.17g", nothing trimmed or added): an "id"
 * of 1.0 is echoed 1, 1e2 100, -0.0 -0, 1e400 inf (finalF F5).  json-c's
 * own writer said 1.0, 100.0, -0.0, Infinity.  C's printf in the C
 * locale, as hotmemfs runs (QEMU's g_strdup_printf() is its libc's too).
 */
static int qemu_double_out(json_object *o, struct printbuf *pb, int level, int flags)
{
	char buf[40];

	(void)level;
	(void)flags;
	snprintf(buf, sizeof(buf), "%.17g", json_object_get_double(o));
	return printbuf_memappend(pb, buf, (int)strlen(buf));
}

/*
 * parse_literal()'s numbers: an integer is an int64 if it fits, else a
 * uint64, else a double (QEMU's json-parser.c parse_literal(): the same
 * three, a double written back as QEMU writes it)
 */
static json_object *parse_number(const struct hmfs_ctl_tok *t, const char *s)
{
	json_object *d;

	if (t->type == TOK_INTEGER) {
		long long i;
		unsigned long long u;

		errno = 0;
		i = strtoll(s, NULL, 10);
		if (!errno)
			return json_object_new_int64(i);
		errno = 0;
		u = s[0] != '-' ? strtoull(s, NULL, 10) : 0;
		if (s[0] != '-' && !errno)
			return json_object_new_uint64(u);
	}
	d = json_object_new_double(strtod(s, NULL));
	if (d)
		json_object_set_serializer(d, qemu_double_out, NULL, NULL);
	return d;
}

/* parse_pair(): "key": value into @o */
static bool parse_pair(struct parse *p, json_object *o)
{
	json_object *key = NULL, *val;
	const struct hmfs_ctl_tok *t;
	bool ok = false;

	if (!peek(p))
		return perr(p, "premature EOI");
	if (!parse_value(p, &key))
		goto out;
	if (!json_object_is_type(key, json_type_string)) {
		perr(p, "key is not a string in object");
		goto out;
	}
	t = pop(p);
	if (!t) {
		perr(p, "premature EOI");
		goto out;
	}
	if (t->type != TOK_COLON) {
		perr(p, "missing : in object pair");
		goto out;
	}
	if (!parse_value(p, &val))
		goto out;
	/* QEMU's dict has it already: refused, not the last one kept (json-c's way) */
	if (json_object_object_get_ex(o, json_object_get_string(key), NULL)) {
		json_object_put(val);
		perr(p, "duplicate key");
		goto out;
	}
	/* a failed add (its copy of the key) leaves @val ours */
	if (json_object_object_add(o, json_object_get_string(key), val)) {
		json_object_put(val);
		pnomem(p);
		goto out;
	}
	ok = true;
out:
	json_object_put(key);
	return ok;
}

/* parse_object() and parse_array(): '{' or '[' taken, members up to its closing one */
static bool parse_members(struct parse *p, json_object *o, bool dict)
{
	enum tok_type close = dict ? TOK_RCURLY : TOK_RSQUARE;
	const struct hmfs_ctl_tok *t = peek(p);
	json_object *v;

	if (!t)
		return perr(p, "premature EOI");
	if (t->type == close) {
		pop(p);
		return true;
	}
	for (;;) {
		if (dict ? !parse_pair(p, o) : !parse_value(p, &v))
			return false;
		if (!dict && json_object_array_add(o, v)) {
			json_object_put(v);
			return pnomem(p);
		}
		t = pop(p);
		if (!t)
			return perr(p, "premature EOI");
		if (t->type == close)
			return true;
		if (t->type != TOK_COMMA)
			return perr(p, dict ? "expected separator in dict" : "expected separator in list");
	}
}

static bool parse_keyword(struct parse *p, const char *s, json_object **out)
{
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		*out = json_object_new_boolean(s[0] == 't');
		return *out ? true : pnomem(p);
	}
	if (!strcmp(s, "null")) {
		*out = NULL; /* json-c's null */
		return true;
	}
	return perr(p, "invalid keyword '%s'", s);
}

/* parse_value(): the next value at *@out (NULL is JSON's null); false: an error, in p->err */
static bool parse_value(struct parse *p, json_object **out)
{
	const struct hmfs_ctl_tok *t = peek(p);
	bool ok;

	*out = NULL;
	if (!t)
		return perr(p, "premature EOI");
	switch (t->type) {
	case TOK_LCURLY:
	case TOK_LSQUARE:
		pop(p);
		*out = t->type == TOK_LCURLY ? json_object_new_object() : json_object_new_array();
		ok = *out ? parse_members(p, *out, t->type == TOK_LCURLY) : pnomem(p);
		if (!ok) {
			json_object_put(*out);
			*out = NULL;
		}
		return ok;
	case TOK_STRING:
		pop(p);
		return parse_string(p, tok_text(p, t), out);
	case TOK_INTEGER:
	case TOK_FLOAT:
		pop(p);
		*out = parse_number(t, tok_text(p, t));
		return *out ? true : pnomem(p);
	case TOK_KEYWORD:
		pop(p);
		return parse_keyword(p, tok_text(p, t), out);
	default:
		return perr(p, "expecting value");
	}
}

/* ---- json-streamer.c: tokens to requests -------------------------------- */

enum { OUT_NONE, OUT_REQUEST, OUT_BAD };

/* the request's tokens are done with: the next one begins */
static void request_reset(struct hmfs_ctl_reader *r)
{
	r->brace = r->bracket = 0;
	r->ntoks = 0;
	r->text_len = r->tok_at = 0;
}

static void say_bad(struct hmfs_ctl_reader *r, char *desc)
{
	free(r->bad);
	r->bad = desc;
	r->out = OUT_BAD;
	if (!desc)
		r->nomem = true;
}

/*
 * "JSON parse error, stray '%s'": the token so far, to its first NUL as
 * QEMU's %s prints it, each byte QEMU's writer cannot write as a
 * character U+FFFD (quoted_str()): the reply stays UTF-8
 */
static void say_stray(struct hmfs_ctl_reader *r)
{
	static const char head[] = "JSON parse error, stray '";
	const unsigned char *s = (const unsigned char *)r->text + r->tok_at, *next;
	size_t len = strlen((const char *)s), n = sizeof(head) - 1;
	char *desc = malloc(n + 3 * len + 2);

	if (desc) {
		memcpy(desc, head, n);
		for (; *s; s = next) {
			if (mutf8_codepoint(s, &next) < 0) {
				memcpy(desc + n, "\xef\xbf\xbd", 3);
				n += 3;
			} else {
				memcpy(desc + n, s, (size_t)(next - s));
				n += (size_t)(next - s);
			}
		}
		memcpy(desc + n, "'", 2);
	}
	say_bad(r, desc);
}

static void parse_request(struct hmfs_ctl_reader *r)
{
	struct parse p = { .r = r };
	json_object *req;
	char *desc;

	if (parse_value(&p, &req)) {
		r->req = req;
		r->out = OUT_REQUEST;
		return;
	}
	if (p.nomem) {
		say_bad(r, NULL); /* r->nomem: dropped */
		return;
	}
	say_bad(r, asprintf(&desc, "JSON parse error, %s", p.err) < 0 ? NULL : desc);
}

/* json_message_process_token(): the token that ends at r->text_len, of type @type */
static void stream_token(struct hmfs_ctl_reader *r, enum tok_type type)
{
	r->brace += type == TOK_LCURLY ? 1 : type == TOK_RCURLY ? -1 : 0;
	r->bracket += type == TOK_LSQUARE ? 1 : type == TOK_RSQUARE ? -1 : 0;
	if (type == TOK_ERROR) {
		r->text[r->text_len] = '\0'; /* room() kept a byte for it */
		say_stray(r);
		request_reset(r);
		return;
	}
	if (r->brace + r->bracket > QMP_MAX_NESTING) {
		say_bad(r, strdup("JSON nesting depth limit exceeded"));
		request_reset(r);
		return;
	}
	r->toks[r->ntoks++] = (struct hmfs_ctl_tok){ type, r->tok_at };
	r->text[r->text_len++] = '\0';
	r->tok_at = r->text_len;
	/* unbalanced: more to come; balanced or below zero: the request is whole */
	if ((r->brace > 0 || r->bracket > 0) && r->brace >= 0 && r->bracket >= 0)
		return;
	parse_request(r);
	request_reset(r);
}

/* room for one more byte and its token's NUL, and one more token; false: no memory */
static bool room(struct hmfs_ctl_reader *r)
{
	if (r->text_len + 2 > r->text_cap) {
		size_t cap = r->text_cap ? 2 * r->text_cap : 256;
		char *t = realloc(r->text, cap);

		if (!t)
			return false;
		r->text = t;
		r->text_cap = cap;
	}
	if (r->ntoks + 1 > r->toks_cap) {
		size_t cap = r->toks_cap ? 2 * r->toks_cap : 32;
		struct hmfs_ctl_tok *t = realloc(r->toks, cap * sizeof(*t));

		if (!t)
			return false;
		r->toks = t;
		r->toks_cap = cap;
	}
	return true;
}

/*
 * json_lexer_feed_char(), once: byte @c through one transition.  True
 * when taken; false when it ended the token before it (a number, a
 * keyword) and is to be read again, from LX_START.
 */
static bool lex_byte(struct hmfs_ctl_reader *r, unsigned char c)
{
	unsigned int next = lex_next((enum lex_state)r->state, c);
	bool taken = !(next & LEX_AHEAD);

	next &= ~LEX_AHEAD;
	if (taken) {
		if (!room(r)) {
			r->nomem = true;
			return true;
		}
		r->text[r->text_len++] = (char)c;
	}
	if (next & LEX_TOKEN) {
		stream_token(r, next & ~LEX_TOKEN);
		r->state = (next & ~LEX_TOKEN) == TOK_ERROR ? LX_RECOVERY : LX_START;
	} else {
		r->state = (unsigned char)next;
	}
	/* between tokens, the bytes taken are no token's */
	if (r->state == LX_START || r->state == LX_RECOVERY)
		r->text_len = r->tok_at;
	/* the request's bytes so far, from its first token's (none between requests) */
	if (!r->ntoks && r->text_len == r->tok_at)
		r->pending = 0;
	else
		r->pending += taken;
	return taken;
}

int hmfs_ctl_reader_init(struct hmfs_ctl_reader *r)
{
	*r = (struct hmfs_ctl_reader){ .state = LX_START };
	return room(r) ? 0 : -ENOMEM;
}

void hmfs_ctl_reader_free(struct hmfs_ctl_reader *r)
{
	json_object_put(r->req);
	free(r->text);
	free(r->toks);
	free(r->bad);
	*r = (struct hmfs_ctl_reader){ 0 };
}

enum hmfs_ctl_read hmfs_ctl_read(struct hmfs_ctl_reader *r, const char *buf, size_t len,
				 size_t *off, json_object **req)
{
	*req = NULL;
	while (*off < len) {
		*off += lex_byte(r, (unsigned char)buf[*off]);
		/* no memory for a request: as one too large, the client is dropped */
		if (r->pending > HMFS_CTL_REQ_MAX || r->nomem)
			return HMFS_CTL_TOO_LARGE;
		if (r->out == OUT_REQUEST) {
			r->out = OUT_NONE;
			*req = r->req; /* NULL: a JSON null, answered as QEMU's QNull */
			r->req = NULL;
			return HMFS_CTL_REQUEST;
		}
		if (r->out == OUT_BAD) {
			r->out = OUT_NONE;
			return HMFS_CTL_BAD_JSON;
		}
	}
	return HMFS_CTL_MORE;
}
