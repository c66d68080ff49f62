// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace: flat JSON-lines reader */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* the character of the escape at *pp (after the backslash), -1 if bad */
static int unescape(const char **pp)
{
	static const char from[] = "ntrbf\"\\/", to[] = "\n\t\r\b\f\"\\/";
	const char *p = *pp, *k;
	int c;

	if (*p == 'u') {
		for (int i = 1; i <= 4; i++)
			if (hexval(p[i]) < 0)
				return -1;
		/* beyond Latin-1 is beyond what we write: keep a marker */
		c = hexval(p[1]) || hexval(p[2]) ? '?' : hexval(p[3]) << 4 | hexval(p[4]);
		*pp = p + 4;
		return c;
	}
	k = *p ? strchr(from, *p) : NULL;
	return k ? to[k - from] : -1;
}

/* a "string" at @p into @out (cut to @len); returns the char after it */
static const char *parse_string(const char *p, char *out, size_t len)
{
	size_t o = 0;

	if (*p++ != '"')
		return NULL;
	for (; *p && *p != '"'; p++) {
		int c = *p;

		if (c == '\\') {
			p++;
			c = unescape(&p);
			if (c < 0)
				return NULL;
		}
		if (o + 1 < len)
			out[o++] = c;
	}
	if (*p != '"')
		return NULL;
	out[o] = '\0';
	return p + 1;
}

static const char *parse_word(const char *p, struct jsonl_kv *kv)
{
	static const struct {
		const char *w;
		enum jsonl_type t;
		int v;
	} words[] = {
		{ "null", JSONL_NULL, 0 },
		{ "true", JSONL_BOOL, 1 },
		{ "false", JSONL_BOOL, 0 },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t l = strlen(words[i].w);

		if (!strncmp(p, words[i].w, l)) {
			kv->type = words[i].t;
			kv->num = words[i].v;
			return p + l;
		}
	}
	return NULL;
}

static const char *parse_value(const char *p, struct jsonl_kv *kv)
{
	char *end;

	if (*p == '"') {
		kv->type = JSONL_STR;
		return parse_string(p, kv->str, sizeof(kv->str));
	}
	if (*p == '-' || isdigit((unsigned char)*p)) {
		kv->type = JSONL_NUM;
		kv->dbl = strtod(p, &end);
		if (end == p)
			return NULL;
		kv->num = strtoll(p, NULL, 10);
		return end;
	}
	return parse_word(p, kv);
}

int jsonl_parse(const char *line, struct jsonl_obj *obj)
{
	const char *p = skip_ws(line);

	obj->n = 0;
	if (*p++ != '{')
		return -1;
	p = skip_ws(p);
	if (*p == '}')
		return *skip_ws(p + 1) ? -1 : 0;
	for (;;) {
		struct jsonl_kv *kv = &obj->kv[obj->n < JSONL_MAX_KV ? obj->n : JSONL_MAX_KV - 1];

		memset(kv, 0, sizeof(*kv));
		p = parse_string(skip_ws(p), kv->key, sizeof(kv->key));
		if (!p)
			return -1;
		p = skip_ws(p);
		if (*p++ != ':')
			return -1;
		p = parse_value(skip_ws(p), kv);
		if (!p)
			return -1;
		if (obj->n < JSONL_MAX_KV)
			obj->n++;
		p = skip_ws(p);
		if (*p == '}')
			return *skip_ws(p + 1) ? -1 : 0;
		if (*p++ != ',')
			return -1;
	}
}

const struct jsonl_kv *jsonl_get(const struct jsonl_obj *obj, const char *key)
{
	for (int i = 0; i < obj->n; i++)
		if (!strcmp(obj->kv[i].key, key))
			return &obj->kv[i];
	return NULL;
}

const char *jsonl_str(const struct jsonl_obj *obj, const char *key, const char *def)
{
	const struct jsonl_kv *kv = jsonl_get(obj, key);

	return kv && kv->type == JSONL_STR ? kv->str : def;
}

long long jsonl_num(const struct jsonl_obj *obj, const char *key, long long def)
{
	const struct jsonl_kv *kv = jsonl_get(obj, key);

	return kv && (kv->type == JSONL_NUM || kv->type == JSONL_BOOL) ? kv->num : def;
}
