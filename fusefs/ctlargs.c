// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl argument translation.  Values travel as JSON strings; the
 * server parses sizes (memparse), integers and booleans (kstrtobool)
 * itself, so "size=1G" and {"size": 1073741824} mean the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlargs.h"
#include "ctllimits.h"

/* Positional parameter names per command, in order. */
static const struct {
	const char *cmd; /* what the user types */
	const char *execute; /* what the server runs */
	const char *pos[3];
	const char *fixed_key, *fixed_val; /* an implied argument */
} table[] = {
	{ "device_add", "device_add", { "driver" }, NULL, NULL },
	{ "device_del", "device_del", { "id" }, NULL, NULL },
	{ "qom-set", "qom-set", { "path", "property", "value" }, NULL, NULL },
	{ "qom-get", "qom-get", { "path", "property" }, NULL, NULL },
	{ "set-size", "qom-set", { "path", "value" }, "property", "requested-size" },
	{ "online", "block-set-state", { "block", "state" }, "state", "online" },
	{ "offline", "block-set-state", { "block" }, "state", "offline" },
	{ "block-set-state", "block-set-state", { "block", "state" }, NULL, NULL },
	{ "alloc", "alloc", { "type", "pages" }, NULL, NULL },
	{ "hugetlb", "hugetlb", { "pages" }, NULL, NULL },
	{ "inject", "inject", { "action", "error" }, NULL, NULL },
	{ "fail-nth-alloc", "fail-nth-alloc", { "nth" }, NULL, NULL },
	{ "check", "check-invariants", { NULL }, NULL, NULL },
	{ "dmesg", "dmesg", { NULL }, NULL, NULL },
	{ "explain", "explain", { "block" }, NULL, NULL },
	{ "devices", "query-memory-devices", { NULL }, NULL, NULL },
	/* the engine CLI's (hotmem run) spelling, the same command */
	{ "freeall", "free-all", { NULL }, NULL, NULL },
	{ "settle", "settle", { "timeout" }, NULL, NULL },
};

/* "unexpected argument 'd2' (takes id, then KEY=VALUE items)" */
static void say_too_many(const char *tok, const char *const *pos, char *err, size_t errlen)
{
	char names[64] = "";
	size_t n = 0;

	for (int i = 0; i < 3 && pos[i] && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? " " : "", pos[i]);
	if (n)
		snprintf(err, errlen, "unexpected argument '%s' (takes %s, then KEY=VALUE items)",
			 tok, names);
	else
		snprintf(err, errlen, "unexpected argument '%s' (takes KEY=VALUE items only)", tok);
}

static int add_kv(json_object *args, const char *tok, const char *const *pos, int *npos, char *err,
		  size_t errlen)
{
	const char *eq = strchr(tok, '=');
	char key[64];

	if (!*tok)
		return 0;
	if (!eq) {
		if (*npos >= 3 || !pos[*npos]) {
			say_too_many(tok, pos, err, errlen);
			return -EINVAL;
		}
		json_object_object_add(args, pos[(*npos)++], json_object_new_string(tok));
		return 0;
	}
	if (eq == tok || (size_t)(eq - tok) >= sizeof(key)) {
		snprintf(err, errlen, "bad argument '%s'", tok);
		return -EINVAL;
	}
	memcpy(key, tok, (size_t)(eq - tok));
	key[eq - tok] = '\0';
	json_object_object_add(args, key, json_object_new_string(eq + 1));
	return 0;
}

/* Each argv word may hold several comma-separated items, as in QEMU. */
static int add_word(json_object *args, const char *word, const char *const *pos, int *npos,
		    char *err, size_t errlen)
{
	char *copy = strdup(word), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save))
		ret = add_kv(args, tok, pos, npos, err, errlen);
	free(copy);
	return ret;
}

int hmfs_ctlargs_request(int argc, char **argv, json_object **req, char *err, size_t errlen)
{
	static const char *const none[3] = { NULL };
	const char *execute = argv[0];
	const char *const *pos = none;
	json_object *args, *r;
	size_t i;
	int npos = 0, ret = 0;

	if (argc < 1) {
		snprintf(err, errlen, "no command");
		return -EINVAL;
	}
	args = json_object_new_object();
	for (i = 0; i < sizeof(table) / sizeof(*table); i++) {
		if (strcmp(table[i].cmd, argv[0]))
			continue;
		execute = table[i].execute;
		pos = table[i].pos;
		if (table[i].fixed_key)
			json_object_object_add(args, table[i].fixed_key,
					       json_object_new_string(table[i].fixed_val));
		break;
	}
	for (int a = 1; a < argc && !ret; a++)
		ret = add_word(args, argv[a], pos, &npos, err, errlen);
	if (ret) {
		json_object_put(args);
		return ret;
	}
	r = json_object_new_object();
	json_object_object_add(r, "execute", json_object_new_string(execute));
	json_object_object_add(r, "arguments", args);
	*req = r;
	return 0;
}

int hmfs_ctlargs_seconds(const char *s, double *secs)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= HMFS_CTL_MAX_WAIT_S)) /* NaN too */
		return -EINVAL;
	*secs = v;
	return 0;
}

json_object *hmfs_json_member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}
