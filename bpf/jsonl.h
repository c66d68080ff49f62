/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader for flat JSON objects, one a line (JSON lines): what
 * hotmem-trace writes and "compare" reads.  Values are strings, numbers,
 * true/false/null; nested objects and arrays are refused.
 */
#ifndef HMT_JSONL_H
#define HMT_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#define JSONL_KEY_LEN 32
#define JSONL_STR_LEN 64
#define JSONL_MAX_KV 32

enum jsonl_type { JSONL_NULL, JSONL_BOOL, JSONL_NUM, JSONL_STR };

struct jsonl_kv {
	char key[JSONL_KEY_LEN];
	enum jsonl_type type;
	long long num; /* JSONL_NUM (integer part), JSONL_BOOL */
	double dbl; /* JSONL_NUM */
	char str[JSONL_STR_LEN]; /* JSONL_STR, cut to fit */
};

struct jsonl_obj {
	int n;
	struct jsonl_kv kv[JSONL_MAX_KV];
};

/* 0, or -1 when @line is not one flat JSON object */
int jsonl_parse(const char *line, struct jsonl_obj *obj);
const struct jsonl_kv *jsonl_get(const struct jsonl_obj *obj, const char *key);
/* the value of @key as a string / number, or @def when absent or null */
const char *jsonl_str(const struct jsonl_obj *obj, const char *key, const char *def);
long long jsonl_num(const struct jsonl_obj *obj, const char *key, long long def);

#endif /* HMT_JSONL_H */
