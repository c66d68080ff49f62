// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl argument translation.  Values travel as JSON strings; the
 * server parses sizes (memparse), integers and booleans (kstrtobool)
 * itself, so "size=1G" and {"size": 1073741824} mean the same -- but
 * qom-set's value, a number as QEMU takes it (qom_set_value()).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlargs.h"
#include "ctlcmds.h"
#include "ctllimits.h"
#include "uapi/hmuapi.h"

/*
 * hotmemctl's commands that go through here: the positional parameter
 * names in order, how many of them the server cannot do without (said
 * here, before anything is sent), the command's synopsis for that line.
 * A word that is no command here is refused (hotmemctl's own commands,
 * map, events, settle ..., never reach this table).
 */
static const struct {
	const char *cmd; /* what the user types */
	const char *execute; /* what the server runs */
	const char *pos[3];
	const char *fixed_key, *fixed_val; /* an implied argument */
	int nreq; /* the first nreq of pos[] are required */
	const char *synopsis;
} table[] = {
	{ "status", "status", { NULL }, NULL, NULL, 0, "status" },
	/* hotmem's "return-device": the device in the reply, for the line (QEMU's is {}) */
	{ "device_add", "device_add", { "driver" }, "return-device", "true", 1,
	  "device_add pc-dimm|virtio-mem-pci size=SIZE ..." },
	/* hotmem's "wait": the reply once the guest's eject is over (QEMU's returns at once) */
	{ "device_del", "device_del", { "id" }, "wait", "true", 1, "device_del ID" },
	/* each argument asked for here, a usage error (`raw` sends QMP's without them) */
	{ "qom-set", "qom-set", { "path", "property", "value" }, NULL, NULL, 3,
	  "qom-set ID requested-size SIZE" },
	{ "qom-get", "qom-get", { "path", "property" }, NULL, NULL, 2, "qom-get ID PROPERTY" },
	{ "set-size", "qom-set", { "path", "value" }, "property", "requested-size", 2,
	  "set-size ID SIZE" },
	{ "online", "block-set-state", { "block", "state" }, "state", "online", 1,
	  "online BLOCK [online|online_kernel|online_movable]" },
	{ "offline", "block-set-state", { "block" }, "state", "offline", 1,
	  "offline BLOCK [timeout=MS]" },
	{ "block-set-state", "block-set-state", { "block", "state" }, NULL, NULL, 2,
	  "block-set-state BLOCK STATE" },
	{ "alloc", "alloc", { "type", "pages" }, NULL, NULL, 2,
	  "alloc movable|unmovable|pinned PAGES [node=N]" },
	/* a missing number is no 0: `hugetlb` ran an empty change, `inject X` cleared X (review12 N3) */
	{ "hugetlb", "hugetlb", { "pages" }, NULL, NULL, 1, "hugetlb PAGES [node=N]" },
	{ "inject", "inject", { "action", "error" }, NULL, NULL, 2,
	  "inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO" },
	{ "fail-nth-alloc", "fail-nth-alloc", { "nth" }, NULL, NULL, 1, "fail-nth-alloc N" },
	{ "check", "check-invariants", { NULL }, NULL, NULL, 0, "check" },
	{ "check-invariants", "check-invariants", { NULL }, NULL, NULL, 0, "check-invariants" },
	{ "dmesg", "dmesg", { NULL }, NULL, NULL, 0, "dmesg [boot=yes]" },
	{ "explain", "explain", { "block" }, NULL, NULL, 1, "explain BLOCK [--all] [from=PFN]" },
	/* hotmem's view (driver, plugged size, the guest driver's state); QEMU's below */
	{ "devices", "devices", { NULL }, NULL, NULL, 0, "devices" },
	{ "query-memory-devices", "query-memory-devices", { NULL }, NULL, NULL, 0,
	  "query-memory-devices" },
	{ "query-acpi-ospm-status", "query-acpi-ospm-status", { NULL }, NULL, NULL, 0,
	  "query-acpi-ospm-status" },
	{ "save", "save", { NULL }, NULL, NULL, 0, "save" },
	{ "free-all", "free-all", { NULL }, NULL, NULL, 0, "free-all" },
	/* the engine CLI's (hotmem run) spelling, the same command */
	{ "freeall", "free-all", { NULL }, NULL, NULL, 0, "freeall" },
	{ "settle", "settle", { "timeout" }, NULL, NULL, 0, "settle [--timeout SECONDS]" },
	{ "vmem-retry", "vmem-retry", { "id" }, NULL, NULL, 0, "vmem-retry [ID]" },
	{ "vmem-inject", "vmem-inject", { "id", "request", "response" }, NULL, NULL, 3,
	  "vmem-inject ID plug|unplug ACK|NACK|BUSY|ERROR [count=N]" },
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

/* "offline: which block? (offline BLOCK [timeout=MS]; hotmemctl --help)": -EINVAL */
static int check_required(json_object *args, size_t t, char *err, size_t errlen)
{
	for (int i = 0; i < table[t].nreq; i++) {
		if (json_object_object_get_ex(args, table[t].pos[i], NULL))
			continue;
		snprintf(err, errlen, "which %s? (%s; hotmemctl --help)", table[t].pos[i],
			 table[t].synopsis);
		return -EINVAL;
	}
	return 0;
}

/*
 * A count, a block, a node, an errno: a number, never a size -- "4M"
 * pages read as memparse() reads it asked for 4 Mi pages (16 GiB), "1K"
 * huge pages for 1024 (review13 N6).  Sizes are arg_size()'s (ctl.c).
 * This one is strtoll()'s, for what QEMU reads with qemu_strtoi64()
 * (a -device node= or slot=); hotmem's own are hmfs_ctlargs_int()'s.
 */
int hmfs_ctlargs_int_base(const char *s, int base, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, base);
	if (!*s || *end || errno)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * What a server command's arguments must be, checked here so that a
 * malformed one is a usage error (exit status 2, nothing sent): hotmemfs
 * would refuse it with the same rule (ctl.c reads numbers with
 * hmfs_ctlargs_int(), _block(), _int_base() and holds them to these ranges, a state with
 * hmu_online_type_from_str(), a flag with hmu_kstrtobool()), but only
 * once running, and as a refusal (exit status 1).  Never stricter than
 * ctl.c: what it takes, this takes.
 */
/* ARG_INT hmfs_ctlargs_int()'s, ARG_BLOCK memoryN's N (hmfs_ctlargs_block()) */
enum arg_kind { ARG_INT, ARG_BLOCK, ARG_STATE, ARG_ONLINE, ARG_BOOL, ARG_WORD };

static const struct {
	const char *execute, *key;
	enum arg_kind kind;
	long long min, max; /* ARG_INT, ARG_BLOCK */
	const char *words;  /* ARG_WORD: the values, '|' between */
	const char *what;   /* what it must be, for the message */
} arg_rules[] = {
	/* the command's own rule before its execute's: `online 3 offline` offlined block 3 */
	{ "online", "state", ARG_ONLINE, 0, 0, NULL,
	  "online, online_kernel or online_movable" },
	{ "block-set-state", "block", ARG_BLOCK, 0, LLONG_MAX, NULL, HMFS_CTLARGS_BLOCK_WHAT },
	{ "block-set-state", "state", ARG_STATE, 0, 0, NULL,
	  "offline, online, online_kernel or online_movable" },
	{ "block-set-state", "timeout", ARG_INT, 0, LLONG_MAX, NULL, "milliseconds, 0 or more" },
	{ "explain", "block", ARG_BLOCK, 0, LLONG_MAX, NULL, HMFS_CTLARGS_BLOCK_WHAT },
	{ "explain", "from", ARG_INT, 0, LLONG_MAX, NULL, "a pfn, 0 or more" },
	{ "explain", "all", ARG_BOOL, 0, 0, NULL, "on or off (yes, no, 1, 0, true, false)" },
	{ "dmesg", "boot", ARG_BOOL, 0, 0, NULL, "on or off (yes, no, 1, 0, true, false)" },
	{ "alloc", "type", ARG_WORD, 0, 0, "movable|unmovable|pinned",
	  "movable, unmovable or pinned" },
	{ "alloc", "pages", ARG_INT, 1, LLONG_MAX, NULL, "a number of pages, 1 or more" },
	{ "alloc", "node", ARG_INT, -1, INT_MAX, NULL, "a node number, or -1 for any" },
	{ "hugetlb", "pages", ARG_INT, LLONG_MIN, LLONG_MAX, NULL,
	  "a number of huge pages, negative to free" },
	{ "hugetlb", "node", ARG_INT, -1, INT_MAX, NULL, "a node number, or -1 for any" },
	{ "fail-nth-alloc", "nth", ARG_INT, 0, LLONG_MAX, NULL, "a count, 0 or more" },
	{ "inject", "action", ARG_WORD, 0, 0, "MEM_GOING_ONLINE|MEM_GOING_OFFLINE",
	  "MEM_GOING_ONLINE or MEM_GOING_OFFLINE" },
	{ "inject", "error", ARG_INT, -4095, 0, NULL, "0 or a negative errno" },
	{ "vmem-inject", "request", ARG_WORD, 0, 0, "plug|unplug", "plug or unplug" },
	{ "vmem-inject", "response", ARG_WORD, 0, 0, "ACK|NACK|BUSY|ERROR",
	  "ACK, NACK, BUSY or ERROR" },
	{ "vmem-inject", "count", ARG_INT, 0, UINT_MAX, NULL, "a count, 0 (clears) or more" },
};

/* @v one of @words ("a|b|c") */
static bool one_of(const char *v, const char *words)
{
	size_t n = strlen(v);

	for (const char *w = words; w; w = strchr(w, '|') ? strchr(w, '|') + 1 : NULL)
		if (!strncmp(w, v, n) && (w[n] == '|' || !w[n]))
			return n > 0;
	return false;
}

static int int_of(enum arg_kind kind, const char *v, long long *n)
{
	return kind == ARG_BLOCK ? hmfs_ctlargs_block(v, n) : hmfs_ctlargs_int(v, n);
}

static bool arg_ok(size_t r, const char *v)
{
	long long n;
	bool b;

	switch (arg_rules[r].kind) {
	case ARG_INT:
	case ARG_BLOCK:
		return !int_of(arg_rules[r].kind, v, &n) && n >= arg_rules[r].min &&
		       n <= arg_rules[r].max;
	case ARG_STATE:
		return hmu_online_type_from_str(v) >= 0;
	case ARG_ONLINE: /* a state but offline */
		return hmu_online_type_from_str(v) > HMU_MMOP_OFFLINE;
	case ARG_BOOL:
		return !hmu_kstrtobool(v, &b);
	case ARG_WORD:
		return one_of(v, arg_rules[r].words);
	}
	return false;
}

static const char *int_hint(size_t r, const char *v, char *buf, size_t len)
{
	enum arg_kind kind = arg_rules[r].kind;

	if (kind != ARG_INT && kind != ARG_BLOCK)
		return "";
	return hmfs_ctlargs_int_hint(kind == ARG_BLOCK, v, buf, len);
}

/*
 * "bad block 'abc': a block number, 0 or more (offline BLOCK [timeout=MS]; ...)": -EINVAL.
 * A rule names the server command (execute) or the word the user typed
 * (cmd: online), whichever it is for.
 */
static int check_values(json_object *args, size_t t, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(arg_rules) / sizeof(*arg_rules); i++) {
		char hint[160];
		json_object *v;
		const char *s;

		if ((strcmp(arg_rules[i].execute, table[t].execute) &&
		     strcmp(arg_rules[i].execute, table[t].cmd)) ||
		    !json_object_object_get_ex(args, arg_rules[i].key, &v))
			continue;
		s = json_object_get_string(v);
		if (arg_ok(i, s))
			continue;
		snprintf(err, errlen, "bad %s '%s': %s%s (%s; hotmemctl --help)", arg_rules[i].key, s,
			 arg_rules[i].what, int_hint(i, s, hint, sizeof(hint)), table[t].synopsis);
		return -EINVAL;
	}
	return 0;
}

/*
 * qom-set's value as QEMU visits it, the property's type: requested-size
 * (and the other numbers, refused after realize anyway) a JSON integer,
 * a string refused (usereye7 #10); typed as a size, memparse()'s "1G",
 * read here.  A value no size stays a string (a link's path: memdev),
 * but for requested-size, whose SIZE it must be: a usage error.
 */
static int qom_set_value(json_object *args, size_t t, char *err, size_t errlen)
{
	json_object *v = hmfs_json_member(args, "value");
	const char *prop = json_object_get_string(hmfs_json_member(args, "property"));
	uint64_t n;

	if (strcmp(table[t].execute, "qom-set") || !v)
		return 0;
	if (!hmu_memparse(json_object_get_string(v), &n)) {
		json_object_object_add(args, "value", json_object_new_uint64(n));
		return 0;
	}
	if (!prop || strcmp(prop, "requested-size"))
		return 0;
	snprintf(err, errlen, "bad size '%s': a size, 128M, 1G or 0x8000000 (%s; hotmemctl --help)",
		 json_object_get_string(v), table[t].synopsis);
	return -EINVAL;
}

int hmfs_ctlargs_request(int argc, char **argv, json_object **req, char *err, size_t errlen)
{
	json_object *args, *r;
	size_t t;
	int npos = 0, ret = 0;

	if (argc < 1) {
		snprintf(err, errlen, "no command");
		return -EINVAL;
	}
	for (t = 0; t < sizeof(table) / sizeof(*table); t++)
		if (!strcmp(table[t].cmd, argv[0]))
			break;
	if (t == sizeof(table) / sizeof(*table)) {
		/* refused here: hotmemfs need not run to say so, exit status 2 */
		snprintf(err, errlen, "unknown command (hotmemctl --help lists the commands)");
		return -EINVAL;
	}
	args = json_object_new_object();
	if (table[t].fixed_key)
		json_object_object_add(args, table[t].fixed_key,
				       json_object_new_string(table[t].fixed_val));
	for (int a = 1; a < argc && !ret; a++)
		ret = add_word(args, argv[a], table[t].pos, &npos, err, errlen);
	if (!ret)
		ret = check_required(args, t, err, errlen);
	if (!ret)
		ret = check_values(args, t, err, errlen);
	if (!ret)
		ret = qom_set_value(args, t, err, errlen);
	if (ret) {
		json_object_put(args);
		return ret;
	}
	r = json_object_new_object();
	json_object_object_add(r, "execute", json_object_new_string(table[t].execute));
	json_object_object_add(r, "arguments", args);
	*req = r;
	return 0;
}

#define CTL_CHANGES(name, fn, flags, help) { name, ((flags) & HMFS_CTL_CHANGES) != 0 },

bool hmfs_ctlargs_changes(const char *execute)
{
	static const struct {
		const char *name;
		bool changes;
	} cmds[] = { HMFS_CTL_COMMANDS(CTL_CHANGES) };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		if (!strcmp(cmds[i].name, execute))
			return cmds[i].changes;
	return false;
}

/*
 * Seconds as a person writes them: decimal digits, a fraction after a '.'
 * ("2.5"), or a whole number in hex after 0x as hotmem's numbers
 * (hmu_number()); strtod() alone took " 5", "+5", "1e2" and hex floats
 * ("0x1p3"), strtoul() -t's " 5" and "+5" (usereye8).
 */
int hmfs_ctlargs_seconds(const char *s, double *secs)
{
	static const char digits[] = "0123456789";
	size_t n = strspn(s, digits);
	long long whole;
	double v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		n = strspn(s + 2, "0123456789abcdefABCDEF");
		if (!n || s[2 + n] || hmu_number(s, &whole))
			return -EINVAL;
		v = (double)whole;
	} else {
		if (!n || (s[n] == '.' && !strspn(s + n + 1, digits)))
			return -EINVAL;
		if (s[n] == '.')
			n += 1 + strspn(s + n + 1, digits);
		if (s[n])
			return -EINVAL;
		v = strtod(s, NULL); /* what it takes, checked above: no locale's ',' here */
	}
	if (!(v <= HMFS_CTL_MAX_WAIT_S))
		return -EINVAL;
	*secs = v;
	return 0;
}

json_object *hmfs_json_member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* include/linux/err.h: the highest errno a kernel error value carries */
#define MAX_ERRNO 4095

/*
 * An errno as hotmemfs writes it (status's guest-refused, broken-errno,
 * retry-errno and state-writes, the state file, a refusal's words) and
 * hotmemctl prints it (inject's words): @err (negative) by its name, "ENOMEM"; by its number, "300", where glibc has
 * no name for it (as the kernel's %pe prints an errno errname() does not
 * know).  hmfs_errno_parse() reads both back: the state file never holds
 * what its reader refuses (a "?" did, and hotmemfs did not start again on
 * it, fr3 #7).
 */
const char *hmfs_errno_name(int err, char buf[HMFS_ERRNO_NAME_LEN])
{
	const char *name = strerrorname_np(-err);

	if (name)
		return name;
	snprintf(buf, HMFS_ERRNO_NAME_LEN, "%d", -err);
	return buf;
}

int hmfs_errno_parse(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return 0;
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtol(s, &end, 10);
		return !errno && !*end && n > 0 && n <= MAX_ERRNO ? (int)-n : 0;
	}
	/*
	 * Every errno a kernel error value can carry, not x86's highest name
	 * (EHWPOISON, 133): MIPS's EDQUOT is 1133.  One table lookup each,
	 * at a restore only.
	 */
	for (int e = 1; e <= MAX_ERRNO; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcmp(name, s))
			return -e;
	}
	return 0;
}
