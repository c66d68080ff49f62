// SPDX-License-Identifier: MIT
/*
 * hotmemd configuration files and options.
 *
 * libinih tells the handler nothing of line numbers, so the reader below
 * counts lines itself: the handler always runs right after the reader
 * returned the line it is called for.
 */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <ini.h>

#include "config.h"
#include "uapi/hmuapi.h"

#define CFG_SECTION "hotmemd"
#define NAMES(t) (t), (int)(sizeof(t) / sizeof((t)[0]))

/*
 * The names of the enumerated keys, by value: read by set_main_key() and
 * written by hmd_config_dump() from one table each, so the two cannot
 * disagree (each had its own copy).  levels: syslog's LOG_EMERG..LOG_DEBUG.
 */
static const char *const groups[] = { "none", "contiguous", "firmware" };
static const char *const sources[] = { "auto", "kernel", "any" };
static const char *const targets[] = { "auto", "journal", "stderr" };
static const char *const levels[] = { "emerg",	 "alert",  "crit", "err",
				      "warning", "notice", "info", "debug" };
_Static_assert(sizeof(levels) / sizeof(levels[0]) == LOG_DEBUG + 1, "a name each syslog level");

const struct hmd_config_key hmd_config_keys[] = {
	{ "policy", "policy", false, "offline|online|online_kernel|online_movable|auto-movable" },
	{ "auto_movable_ratio", "auto-movable-ratio", false,
	  "N (percent of kernel early memory, default 301) or kernel" },
	{ "auto_movable_numa_aware", "auto-movable-numa-aware", false,
	  "yes|no|kernel (default yes)" },
	{ "memory_groups", "memory-groups", false,
	  "firmware|contiguous|none: static memory groups (default firmware)" },
	{ "retry_max", "retry-max", false, "retries on EBUSY/EAGAIN/EINTR (default 5)" },
	{ "retry_initial_ms", "retry-initial-ms", false, "first backoff (default 10)" },
	{ "retry_max_ms", "retry-max-ms", false, "backoff cap (default 1000)" },
	{ "dry_run", "dry-run", true, "print decisions, write nothing (state_dir too)" },
	{ "netlink", "netlink", true, "listen on the uevent netlink socket (default yes)" },
	{ "uevent_socket", "uevent-socket", false, "PATH of a SOCK_DGRAM uevent socket" },
	{ "uevent_source", "uevent-source", false,
	  "auto|kernel|any: accept netlink uevents from userspace senders" },
	{ "sysroot", "sysroot", false, "DIR holding sys/ and proc/ (default /)" },
	{ "state_dir", "state-dir", false,
	  "where boot blocks are remembered (default /run/hotmemd)" },
	{ "boot_blocks", "boot-blocks", false, "auto or a list like 0-23,32-199" },
	{ "log_level", "log-level", false,
	  "emerg|alert|crit|err|warning|notice|info|debug (default info)" },
	{ "log_target", "log-target", false, "auto|journal|stderr" },
	{ NULL, NULL, false, NULL },
};

void hmd_config_defaults(struct hmd_config *cfg)
{
	int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->policy = HMD_POL_AUTO_MOVABLE;
	for (i = 0; i < HMD_MAX_NODES; i++)
		cfg->node_policy[i] = HMD_POL_INHERIT;
	cfg->ratio = 301;
	cfg->numa_aware = HMD_YES;
	cfg->groups = HMD_GROUPS_FIRMWARE;
	cfg->retry_max = 5;
	cfg->retry_initial_ms = 10;
	cfg->retry_max_ms = 1000;
	cfg->netlink = true;
	cfg->uevent_source = HMD_SRC_AUTO;
	cfg->log_level = LOG_INFO;
	cfg->log_target = HMD_LOG_AUTO;
	strcpy(cfg->sysroot, "/");
	strcpy(cfg->state_dir, "/run/hotmemd");
	strcpy(cfg->boot_blocks, "auto");
}

int hmd_parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "on", NULL };
	static const char *const no[] = { "0", "no", "n", "false", "off", NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* the same letter in a key's first letters: case and '-'/'_' aside */
static bool near_letter(char a, char b)
{
	a = a == '-' ? '_' : (char)tolower((unsigned char)a);
	b = b == '-' ? '_' : (char)tolower((unsigned char)b);
	return a == b;
}

/*
 * An unknown key names the keys it may have meant, those with the same
 * first 4 letters ("retries": retry_max, retry_initial_ms, retry_max_ms;
 * usereye4 #4), else where the keys are listed.
 */
static int unknown_key(const char *key, char *err, size_t errlen)
{
	const struct hmd_config_key *k;
	char near[256] = "";
	size_t n = 0;
	int i;

	for (k = hmd_config_keys; k->name; k++) {
		for (i = 0; i < 4 && key[i] && near_letter(key[i], k->name[i]); i++)
			;
		if (i == 4 && n < sizeof(near))
			n += snprintf(near + n, sizeof(near) - n, "%s%s", n ? ", " : "", k->name);
	}
	if (n)
		return fail(err, errlen, "unknown key '" HMD_QUOTE_FMT "' (meant %s?)", HMD_QUOTE(key), near);
	return fail(err, errlen, "unknown key '" HMD_QUOTE_FMT "' (hotmemd --help lists the keys)",
		    HMD_QUOTE(key));
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out > max)
		return -1;
	return 0;
}

static int set_path(char *dst, size_t len, const char *value, bool absolute, char *err,
		    size_t errlen)
{
	if (strlen(value) >= len)
		return fail(err, errlen, "'" HMD_QUOTE_FMT "' is too long a path (%zu bytes at most)",
			    HMD_QUOTE(value), len - 1);
	if (absolute && *value && *value != '/')
		return fail(err, errlen, "'" HMD_QUOTE_FMT "' is not an absolute path", HMD_QUOTE(value));
	strcpy(dst, value);
	return 0;
}

/* one block id of a list: digits only, within unsigned long (no ERANGE saturation) */
static int list_id(const char *s, char **end, unsigned long *id)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*id = strtoul(s, end, 10);
	return errno ? -1 : 0;
}

/*
 * "0-23,32-199": checked here (boot_blocks, the state dir's boot-blocks
 * record), used by the block scanner (hmd_in_list()).
 */
int hmd_check_block_list(const char *s)
{
	unsigned long a, b;
	char *end;

	while (*s) {
		if (list_id(s, &end, &a))
			return -1;
		b = a;
		if (*end == '-' && list_id(end + 1, &end, &b))
			return -1;
		if (b < a)
			return -1;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return 0;
}

static int lookup(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/*
 * "a, b or c": the values a key takes, for the message that refuses
 * another, so that a user need not look them up in --help.
 */
static void list_names(char *buf, size_t len, const char *const *names, int n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s",
				i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
}

static int set_enum(int *dst, const char *value, const char *const *names, int n, char *err,
		    size_t errlen)
{
	int v = lookup(value, names, n);
	char choices[128];

	if (v < 0) {
		list_names(choices, sizeof(choices), names, n);
		return fail(err, errlen, "invalid value '" HMD_QUOTE_FMT "' (%s)", HMD_QUOTE(value),
			    choices);
	}
	*dst = v;
	return 0;
}

static int set_uint(unsigned int *dst, const char *value, unsigned long max, char *err,
		    size_t errlen)
{
	unsigned long v;

	if (parse_uint(value, max, &v))
		return fail(err, errlen, "'" HMD_QUOTE_FMT "' is not a number 0..%lu", HMD_QUOTE(value),
			    max);
	*dst = v;
	return 0;
}

static int set_bool(bool *dst, const char *value, char *err, size_t errlen)
{
	int b = hmd_parse_bool(value);

	if (b < 0)
		return fail(err, errlen, "'" HMD_QUOTE_FMT "' is not a boolean", HMD_QUOTE(value));
	*dst = b;
	return 0;
}

/* a node's section may also say "inherit": the [hotmemd] policy */
static int set_policy(int *dst, const char *value, bool node, char *err, size_t errlen)
{
	int p = hmd_policy_from_str(value);
	const char *names[HMD_POL__MAX + 1];
	char choices[128];
	int n = 0;

	if (p < 0 && node && !strcmp(value, "inherit"))
		p = HMD_POL_INHERIT;
	else if (p < 0) {
		for (n = 0; n < HMD_POL__MAX; n++)
			names[n] = hmd_policy_name(n);
		if (node)
			names[n++] = "inherit";
		list_names(choices, sizeof(choices), names, n);
		return fail(err, errlen, "unknown policy '" HMD_QUOTE_FMT "' (%s)", HMD_QUOTE(value),
			    choices);
	}
	*dst = p;
	return 0;
}

static int set_ratio(struct hmd_config *cfg, const char *value, char *err, size_t errlen)
{
	unsigned long v;

	if (!strcmp(value, "kernel")) {
		cfg->ratio = -1;
		return 0;
	}
	/* the kernel's parameter is an unsigned int; keep ratio*pages sane */
	if (parse_uint(value, 100000, &v))
		return fail(err, errlen, "'" HMD_QUOTE_FMT "' is not a ratio 0..100000 or 'kernel'",
			    HMD_QUOTE(value));
	cfg->ratio = v;
	return 0;
}

static int set_numa(struct hmd_config *cfg, const char *value, char *err, size_t errlen)
{
	int b;

	if (!strcmp(value, "kernel")) {
		cfg->numa_aware = HMD_FROM_KERNEL;
		return 0;
	}
	b = hmd_parse_bool(value);
	if (b < 0)
		return fail(err, errlen, "'" HMD_QUOTE_FMT "' is not yes, no or kernel", HMD_QUOTE(value));
	cfg->numa_aware = b;
	return 0;
}

/*
 * Key names compare like the kernel's parameq() (kernel/params.c, 6.12;
 * engine/uapi's hmu_parameq(), which the engine's command line uses too):
 * '-' and '_' are one letter, as on the kernel command line, where
 * memory_hotplug.auto-movable-ratio= is memory_hotplug.auto_movable_ratio=;
 * so a file may spell a key like its option (--auto-movable-ratio).
 * Values are not folded: the kernel's sysfs_streq() does not either.
 */
static int set_main_key(struct hmd_config *cfg, const char *key, const char *value, char *err,
			size_t errlen)
{
	if (hmu_parameq(key, "policy"))
		return set_policy(&cfg->policy, value, false, err, errlen);
	if (hmu_parameq(key, "auto_movable_ratio"))
		return set_ratio(cfg, value, err, errlen);
	if (hmu_parameq(key, "auto_movable_numa_aware"))
		return set_numa(cfg, value, err, errlen);
	if (hmu_parameq(key, "memory_groups"))
		return set_enum(&cfg->groups, value, NAMES(groups), err, errlen);
	if (hmu_parameq(key, "retry_max"))
		return set_uint(&cfg->retry_max, value, 100, err, errlen);
	if (hmu_parameq(key, "retry_initial_ms"))
		return set_uint(&cfg->retry_initial_ms, value, 60000, err, errlen);
	if (hmu_parameq(key, "retry_max_ms"))
		return set_uint(&cfg->retry_max_ms, value, 600000, err, errlen);
	if (hmu_parameq(key, "dry_run"))
		return set_bool(&cfg->dry_run, value, err, errlen);
	if (hmu_parameq(key, "netlink"))
		return set_bool(&cfg->netlink, value, err, errlen);
	if (hmu_parameq(key, "uevent_source"))
		return set_enum(&cfg->uevent_source, value, NAMES(sources), err, errlen);
	if (hmu_parameq(key, "log_level"))
		return set_enum(&cfg->log_level, value, NAMES(levels), err, errlen);
	if (hmu_parameq(key, "log_target"))
		return set_enum(&cfg->log_target, value, NAMES(targets), err, errlen);
	if (hmu_parameq(key, "sysroot"))
		return set_path(cfg->sysroot, sizeof(cfg->sysroot), *value ? value : "/", true, err,
				errlen);
	if (hmu_parameq(key, "uevent_socket"))
		return set_path(cfg->uevent_socket, sizeof(cfg->uevent_socket), value, true, err,
				errlen);
	if (hmu_parameq(key, "state_dir"))
		return set_path(cfg->state_dir, sizeof(cfg->state_dir), value, true, err, errlen);
	if (hmu_parameq(key, "boot_blocks")) {
		if (strcmp(value, "auto") && hmd_check_block_list(value))
			return fail(err, errlen, "'" HMD_QUOTE_FMT "' is not auto or a list like 0-23,32-199",
				    HMD_QUOTE(value));
		return set_path(cfg->boot_blocks, sizeof(cfg->boot_blocks), value, false, err,
				errlen);
	}
	return unknown_key(key, err, errlen);
}

/* "node3" -> 3; -1 if not a node section */
static int node_section(const char *section)
{
	unsigned long nid;

	if (strncmp(section, "node", 4))
		return -1;
	if (parse_uint(section + 4, HMD_MAX_NODES - 1, &nid))
		return -1;
	return nid;
}

static bool main_section(const char *section)
{
	return !section || !*section || !strcmp(section, CFG_SECTION);
}

int hmd_config_set(struct hmd_config *cfg, const char *section, const char *key, const char *value,
		   char *err, size_t errlen)
{
	int nid;

	if (main_section(section))
		return set_main_key(cfg, key, value, err, errlen);
	nid = node_section(section);
	if (nid < 0)
		return fail(err, errlen,
			    "unknown section [" HMD_QUOTE_FMT "] (want [%s] or [node0]..[node%d])",
			    HMD_QUOTE(section), CFG_SECTION, HMD_MAX_NODES - 1);
	if (!hmu_parameq(key, "policy"))
		return fail(err, errlen, "unknown key '" HMD_QUOTE_FMT "' in [%s] (only policy)",
			    HMD_QUOTE(key), section);
	return set_policy(&cfg->node_policy[nid], value, true, err, errlen);
}

/*
 * Where the keys the load's cross-check compares were set last: a file's
 * "FILE:LINE", "command line", or "" (the default).  The check's error
 * names each value's origin: blaming the file for what the command line
 * set misled (abuse24 A7).
 */
struct origins {
	char retry_initial_ms[HMD_PATH_MAX + 16];
	char retry_max_ms[HMD_PATH_MAX + 16];
};

static void note_origin(struct origins *o, const char *section, const char *key, const char *where,
			int line)
{
	char *to = NULL;

	if (!main_section(section))
		return;
	if (hmu_parameq(key, "retry_initial_ms"))
		to = o->retry_initial_ms;
	else if (hmu_parameq(key, "retry_max_ms"))
		to = o->retry_max_ms;
	if (to && line)
		snprintf(to, sizeof(o->retry_initial_ms), "%s:%d", where, line);
	else if (to)
		snprintf(to, sizeof(o->retry_initial_ms), "%s", where);
}

/* One file being parsed. */
struct parse_state {
	struct hmd_config *cfg;
	struct origins *origins;
	const char *file;
	FILE *f;
	int line; /* lines the reader returned so far */
	int last_err_line;
	int nerr;
	char *err;
	size_t errlen;
};

static void add_error(struct parse_state *ps, int line, const char *reason)
{
	size_t n = strlen(ps->err);

	ps->nerr++;
	ps->last_err_line = line;
	snprintf(ps->err + n, ps->errlen - n, "%s:%d: %s\n", ps->file, line, reason);
}

/*
 * One line for libinih, by bytes: fgets() would hide a NUL byte (the line
 * then looks cut short, and the rest read as a line of its own).  A line
 * longer than @num, or holding a NUL, is reported here and handed on
 * empty.  A long line is said by its start (HMD_QUOTE), so that a user
 * sees which value libinih's @num bytes (INI_MAX_LINE, 200 in Debian's
 * libinih 55) could not hold.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	bool nul = false, cut = false;
	int c = EOF, len = 0;
	char reason[128];

	while ((c = fgetc(ps->f)) != EOF) {
		if (len < num - 1)
			str[len++] = (char)c;
		else
			cut = true;
		if (c == '\n')
			break;
		nul |= !c;
	}
	if (!len && c == EOF)
		return NULL;
	str[len] = '\0';
	ps->line++;
	if (nul)
		add_error(ps, ps->line, "NUL byte in the line");
	else if (cut) {
		snprintf(reason, sizeof(reason), "line too long (over %d bytes): '" HMD_QUOTE_FMT "'",
			 num - 1, HMD_QUOTE(str));
		add_error(ps, ps->line, reason);
	}
	if (nul || cut)
		strcpy(str, "\n");
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	char reason[256];

	if (hmd_config_set(ps->cfg, section, name, value, reason, sizeof(reason))) {
		add_error(ps, ps->line, reason);
		return 0;
	}
	note_origin(ps->origins, section, name, ps->file, ps->line);
	return 1;
}

static int parse_file(struct hmd_config *cfg, struct origins *origins, const char *path,
		      bool must_exist, char *err, size_t errlen)
{
	struct parse_state ps = {
		.cfg = cfg,
		.origins = origins,
		.file = path,
		.err = err,
		.errlen = errlen,
	};
	int r;

	ps.f = fopen(path, "re");
	if (!ps.f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err + strlen(err), errlen - strlen(err), "%s: %s\n", path,
			 strerror(errno));
		return -1;
	}
	r = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(ps.f);
	/* a syntax error never reaches the handler */
	if (r > 0 && r != ps.last_err_line && !ps.nerr)
		add_error(&ps, r, "syntax error (want key = value or [section])");
	return (r || ps.nerr) ? -1 : 0;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

static int parse_dropins(struct hmd_config *cfg, struct origins *origins, const char *path,
			 char *err, size_t errlen)
{
	char dir[HMD_PATH_MAX + 8], file[2 * HMD_PATH_MAX + 16];
	struct dirent **list;
	int i, n, r = 0;

	snprintf(dir, sizeof(dir), "%s.d", path);
	n = scandir(dir, &list, conf_filter, alphasort);
	if (n < 0)
		return 0; /* no drop-in directory */
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", dir, list[i]->d_name);
		if (parse_file(cfg, origins, file, true, err, errlen))
			r = -1;
		free(list[i]);
	}
	free(list);
	return r;
}

static int apply_cli(struct hmd_config *cfg, struct origins *origins, const struct hmd_cli *cli,
		     char *err, size_t errlen)
{
	char section[16], reason[256];
	const char *key, *dot;
	int i, r = 0;
	size_t n;

	for (i = 0; cli && i < cli->n; i++) {
		key = cli->key[i];
		section[0] = '\0';
		dot = strchr(key, '.');
		if (dot && (size_t)(dot - key) < sizeof(section)) {
			memcpy(section, key, dot - key);
			section[dot - key] = '\0';
			key = dot + 1;
		}
		if (hmd_config_set(cfg, section, key, cli->value[i], reason, sizeof(reason))) {
			n = strlen(err);
			snprintf(err + n, errlen - n, "command line: %s: %s\n", cli->key[i],
				 reason);
			r = -1;
		} else {
			note_origin(origins, section, key, "command line", 0);
		}
	}
	return r;
}

/* the settings no one key can refuse alone; each value said with its origin */
static int cross_check(const struct hmd_config *cfg, const struct origins *o, char *err,
		       size_t errlen)
{
	if (cfg->retry_initial_ms <= cfg->retry_max_ms)
		return 0;
	snprintf(err, errlen,
		 "retry_initial_ms %u (%s) > retry_max_ms %u (%s): the first backoff cannot be above its cap\n",
		 cfg->retry_initial_ms, *o->retry_initial_ms ? o->retry_initial_ms : "default",
		 cfg->retry_max_ms, *o->retry_max_ms ? o->retry_max_ms : "default");
	return -1;
}

int hmd_config_load(struct hmd_config *cfg, const char *path, bool must_exist,
		    const struct hmd_cli *cli, char *err, size_t errlen)
{
	struct origins origins = { "", "" };
	int r = 0;

	err[0] = '\0';
	hmd_config_defaults(cfg);
	if (parse_file(cfg, &origins, path, must_exist, err, errlen))
		r = -1;
	if (parse_dropins(cfg, &origins, path, err, errlen))
		r = -1;
	if (apply_cli(cfg, &origins, cli, err, errlen))
		r = -1;
	if (!r)
		r = cross_check(cfg, &origins, err, errlen);
	return r;
}

void hmd_config_dump(const struct hmd_config *cfg, FILE *f)
{
	static const char *const tri[] = { "no", "yes", "kernel" };
	int i;

	fprintf(f, "[%s]\n", CFG_SECTION);
	fprintf(f, "policy = %s\n", hmd_policy_name(cfg->policy));
	if (cfg->ratio < 0)
		fprintf(f, "auto_movable_ratio = kernel\n");
	else
		fprintf(f, "auto_movable_ratio = %d\n", cfg->ratio);
	fprintf(f, "auto_movable_numa_aware = %s\n", tri[cfg->numa_aware]);
	fprintf(f, "memory_groups = %s\n", groups[cfg->groups]);
	fprintf(f, "retry_max = %u\n", cfg->retry_max);
	fprintf(f, "retry_initial_ms = %u\n", cfg->retry_initial_ms);
	fprintf(f, "retry_max_ms = %u\n", cfg->retry_max_ms);
	fprintf(f, "dry_run = %s\n", cfg->dry_run ? "yes" : "no");
	fprintf(f, "netlink = %s\n", cfg->netlink ? "yes" : "no");
	fprintf(f, "uevent_socket = %s\n", cfg->uevent_socket);
	fprintf(f, "uevent_source = %s\n", sources[cfg->uevent_source]);
	fprintf(f, "sysroot = %s\n", cfg->sysroot);
	fprintf(f, "state_dir = %s\n", cfg->state_dir);
	fprintf(f, "boot_blocks = %s\n", cfg->boot_blocks);
	fprintf(f, "log_level = %s\n", levels[cfg->log_level]);
	fprintf(f, "log_target = %s\n", targets[cfg->log_target]);
	for (i = 0; i < HMD_MAX_NODES; i++)
		if (cfg->node_policy[i] != HMD_POL_INHERIT)
			fprintf(f, "\n[node%d]\npolicy = %s\n", i,
				hmd_policy_name(cfg->node_policy[i]));
}

/* @cfg's dump (hmd_config_dump()) in a malloc()ed string; NULL: out of memory */
static char *dump_text(const struct hmd_config *cfg)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	hmd_config_dump(cfg, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* the next line of a dump at *@p, cut there in place; NULL past [hotmemd] */
static char *next_main_line(char **p)
{
	char *line = *p, *nl;

	if (!*line || *line == '\n')
		return NULL;
	nl = strchrnul(line, '\n');
	*p = *nl ? nl + 1 : nl;
	*nl = '\0';
	return line;
}

/*
 * Lines of [hotmemd] the files set (to other than the default) and @eff
 * has otherwise: the command line's doing, as @eff is the files and the
 * command line.  Each "KEY = FILE-VALUE<TAB>VALUE\n" into @out.  The dumps
 * compared line by line: one key a line, in one order.
 */
static void overridden_lines(char *dflt, char *files, char *eff, char *out, size_t outlen)
{
	char *l[3];
	size_t n = 0;
	int w;

	while ((l[0] = next_main_line(&dflt)) && (l[1] = next_main_line(&files)) &&
	       (l[2] = next_main_line(&eff))) {
		if (!strcmp(l[0], l[1]) || !strcmp(l[1], l[2]) || !strstr(l[2], " = "))
			continue;
		w = snprintf(out + n, outlen - n, "%s\t%s\n", l[1], strstr(l[2], " = ") + 3);
		if (w < 0 || (size_t)w >= outlen - n) {
			out[n] = '\0'; /* no room for this one: those before it */
			return;
		}
		n += w;
	}
}

int hmd_config_overridden(const struct hmd_config *eff, const char *path, bool must_exist,
			  char *out, size_t outlen)
{
	struct hmd_config *cfg = malloc(2 * sizeof(*cfg));
	char *text[3] = { NULL, NULL, NULL };
	char err[HMD_ERR_MAX];
	int i, r = -ENOMEM;

	*out = '\0';
	if (!cfg)
		return -ENOMEM;
	hmd_config_defaults(&cfg[0]);
	/* the files alone; what they could not set is in @eff's errors already */
	hmd_config_load(&cfg[1], path, must_exist, NULL, err, sizeof(err));
	text[0] = dump_text(&cfg[0]);
	text[1] = dump_text(&cfg[1]);
	text[2] = dump_text(eff);
	if (text[0] && text[1] && text[2]) {
		overridden_lines(text[0], text[1], text[2], out, outlen);
		r = 0;
	}
	for (i = 0; i < 3; i++)
		free(text[i]);
	free(cfg);
	return r;
}
