// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: what the matrix prints -- one table row a cell, and the
 * JSON list of cells (--json) as `jq -s .` wrote it when hotmem-conform
 * was a shell script (two-space indentation, "key": value), so that
 * readers of either keep working.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "shown.h"
#include "utf8.h"

/*
 * The agent column as wide as its longest name (conform_agent_width());
 * writes: every write the agent made, then the redundant and the failed
 * of them, each a column of its own (a person reads "writes" as all).
 */
#define ROW_FMT "%-*s %-27s %-9s %-18s %-9s %-26s %-8s %-6s %-9s %-6s %-5s %-5s %-6s %s\n"

int conform_print_header(FILE *f, int agent_width)
{
	fprintf(f, ROW_FMT, agent_width, "agent", "setting", "machine", "event", "online", "zones", "mov%/max",
		"writes", "redundant", "failed", "lost", "offl", "ms", "verdict");
	return fflush(f) ? -errno : 0;
}

/*
 * On one line, escaped as hotmemfs shows a state file's words (shown.h
 * hmfs_escape(): \n, \t, \xNN for another control, DEL, a C1 control --
 * 0x9b is a terminal's CSI -- and a byte of no UTF-8 character), but not
 * quoted: the legend is the command to run again, its quotes and
 * backslashes as given.  Its own escaper wrote \x09 for a tab and let C1
 * controls and stray bytes through (tidy36).  shown.h is header-only on
 * utf8.h: nothing of hotmemfs is linked in.
 */
int conform_print_legend(FILE *f, const char *label, const char *command)
{
	size_t n = strlen(command), off = 0;
	char part[256];

	fprintf(f, "%s: ", label);
	while (off < n) {
		off += hmfs_escape(part, sizeof(part), command + off, n - off, false);
		fputs(part, f);
	}
	fputc('\n', f);
	return fflush(f) ? -errno : 0;
}

/* one pattern replaced everywhere in @s (in place, never longer) */
static void replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = s;

	while ((p = strstr(p, from))) {
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
		memcpy(p, to, tl);
		p += tl;
	}
}

void conform_short_setting(const char *setting, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%s", setting);
	replace_all(buf, "memhp_default_state=", "");
	replace_all(buf, "memory_hotplug.online_policy=", "policy=");
	replace_all(buf, "memory_hotplug.", "");
	for (p = buf; *p; p++)
		if (*p == ' ')
			*p = ',';
}

/* an outcome's number as the table shows it: "-" when the cell has none */
static const char *numd(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return "-";
	snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
	return buf;
}

static long num0(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return (long)json_object_get_int64(v);
}

/* "Movable:8,Normal:3", "-" for none */
static void zones_column(json_object *o, char *buf, size_t len)
{
	json_object *zones;
	size_t n = 0;

	buf[0] = '\0';
	if (json_object_object_get_ex(o, "zones", &zones) &&
	    json_object_is_type(zones, json_type_object)) {
		json_object_object_foreach(zones, z, count) {
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s:%s", n ? "," : "", z,
					      json_object_get_string(count));
			if (n >= len)
				break;
		}
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/*
 * writes, redundant, failed: "-" each for a cell that did not run; never
 * fewer writes than the two parts (an outcome without "writes": theirs)
 */
static void writes_columns(json_object *o, char *writes, char *red, char *failed, size_t len)
{
	long r = num0(o, "redundant_writes"), f = num0(o, "failed_writes"), w = num0(o, "writes");

	/* a cell that did not run, or whose agent ended before the plug: no counts */
	if (!json_object_object_get_ex(o, "new", NULL)) {
		snprintf(writes, len, "-");
		snprintf(red, len, "-");
		snprintf(failed, len, "-");
		return;
	}
	snprintf(writes, len, "%ld", w > r + f ? w : r + f);
	snprintf(red, len, "%ld", r);
	snprintf(failed, len, "%ld", f);
}

/*
 * "✓"; "~ REASONS [expected: ...]", a failure the expectation allows (the
 * race with the kernel's auto-online, kernel memory by policy): inherent,
 * not the agent's fault, and its count changes with timing, so a mark of
 * its own where "✗" stood, for a reader scanning the column for real ones
 * (usereye9 F7); or "✗ REASONS" with the violation or the run's error.
 */
static char *verdict(const struct conform_cell_report *r)
{
	char *v = NULL;
	int n;

	if (r->error && *r->error)
		n = asprintf(&v, "✗ %s [ERROR: %s]", r->reason, r->error);
	else if (!*r->reason)
		n = asprintf(&v, "✓%s%s%s", *r->violation ? " [VIOLATION: " : "", r->violation,
			     *r->violation ? "]" : "");
	else if (*r->violation)
		n = asprintf(&v, "✗ %s [VIOLATION: %s]", r->reason, r->violation);
	else if (r->why_shown)
		/* the same why 31 times in 75 rows (usereye4 #2): whole once, then its start */
		n = asprintf(&v, "~ %s [expected: %.*s… as above]", r->reason,
			     (int)strcspn(r->expect.why, ":;("), r->expect.why);
	else
		n = asprintf(&v, "~ %s [expected: %s]", r->reason, r->expect.why);
	if (n >= 0 && r->advice && *r->advice) {
		char *both = NULL;
		size_t cut = strcspn(r->advice, "(:;");

		while (cut && r->advice[cut - 1] == ' ')
			cut--;
		/*
		 * what the machine risks though the agent did what it says: no ✗;
		 * whole once, then its start (user42 U11)
		 */
		if (r->advice_shown)
			n = asprintf(&both, "%s [advice: %.*s… as above]", v, (int)cut, r->advice);
		else
			n = asprintf(&both, "%s [advice: %s]", v, r->advice);
		free(v);
		v = n < 0 ? NULL : both;
	}
	return n < 0 ? NULL : v;
}

int conform_print_row(FILE *f, const struct conform_cell_report *r, int agent_width)
{
	char setting[256], online[48], movratio[48], zones[256], writes[24], red[24], failed[24];
	char a[24], b[24], ms[24];
	char *v = verdict(r);
	json_object *o = r->outcome;
	int ret;

	conform_short_setting(r->setting, setting, sizeof(setting));
	snprintf(online, sizeof(online), "%s/%s", numd(o, "online", a, sizeof(a)),
		 numd(o, "new", b, sizeof(b)));
	snprintf(movratio, sizeof(movratio), "%s/%s", numd(o, "movable_pct_of_kernel", a, sizeof(a)),
		 numd(o, "auto_movable_ratio", b, sizeof(b)));
	zones_column(o, zones, sizeof(zones));
	writes_columns(o, writes, red, failed, sizeof(writes));
	fprintf(f, ROW_FMT, agent_width, r->label ? r->label : r->agent, setting, r->machine, r->event,
		online, zones, movratio, writes, red, failed, numd(o, "uevents_lost", a, sizeof(a)),
		numd(o, "offlinable", b, sizeof(b)),
		numd(o, "ms_to_last_online", ms, sizeof(ms)), v ? v : "?");
	ret = fflush(f) ? -errno : 0;
	free(v);
	return ret;
}

json_object *conform_cell_json(const struct conform_cell_report *r)
{
	json_object *o = json_object_new_object();
	char expected[256];

	snprintf(expected, sizeof(expected), "%s%s%s", r->expect.kind, *r->expect.re ? " " : "",
		 r->expect.re);
	json_object_object_add(o, "agent", json_object_new_string(r->agent));
	/* the table's agent column: agent#N for an --agent, whose command "agent" has */
	json_object_object_add(o, "label", json_object_new_string(r->label ? r->label : r->agent));
	json_object_object_add(o, "setting", json_object_new_string(r->setting));
	json_object_object_add(o, "machine", json_object_new_string(r->machine));
	json_object_object_add(o, "event", json_object_new_string(r->event));
	json_object_object_add(o, "ok", json_object_new_boolean(!*r->reason));
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	json_object_object_add(o, "expected", json_object_new_string(expected));
	json_object_object_add(o, "expected_why", json_object_new_string(r->expect.why));
	json_object_object_add(o, "violation", json_object_new_boolean(*r->violation));
	json_object_object_add(o, "violation_reason", json_object_new_string(r->violation));
	/* your --intent (null: none, or a built-in agent), the advice beside the verdict */
	json_object_object_add(o, "intent", r->intent ? json_object_new_string(r->intent) : NULL);
	json_object_object_add(o, "advice", json_object_new_string(r->advice ? r->advice : ""));
	/* an error of the run, not judged: "agent failed to start", "cell did not run" */
	json_object_object_add(o, "error", json_object_new_string(r->error ? r->error : ""));
	json_object_object_add(o, "outcome", json_object_get(r->outcome));
	return o;
}

/*
 * A string as jq writes it: \uXXXX (lower case) for controls and DEL but
 * the short ones.  JSON text is UTF-8 (RFC 8259): a byte that is not part
 * of a well-formed sequence (an agent's command or log line in Latin-1)
 * is written \ufffd, U+FFFD REPLACEMENT CHARACTER, one for each such byte
 * (the shell version's jq replaced them with U+FFFD too; the JSON was
 * not valid UTF-8 since the rewrite).
 */
static void put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + strlen(str);

	fputc('"', f);
	for (; s < end; s++) {
		unsigned char c = *s;
		size_t n = hmfs_utf8_seq(s, (size_t)(end - s));

		if (n > 1) {
			fwrite(s, 1, n, f);
			s += n - 1;
			continue;
		}
		if (!n) {
			fputs("\\ufffd", f);
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void put_indent(FILE *f, int depth)
{
	fprintf(f, "\n%*s", depth * 2, "");
}

static void put_value(FILE *f, json_object *v, int depth)
{
	size_t i, n;
	bool first = true;

	switch (json_object_get_type(v)) {
	case json_type_null: fputs("null", f); break;
	case json_type_boolean: fputs(json_object_get_boolean(v) ? "true" : "false", f); break;
	case json_type_int: fprintf(f, "%lld", (long long)json_object_get_int64(v)); break;
	case json_type_double: fputs(json_object_to_json_string(v), f); break;
	case json_type_string: put_string(f, json_object_get_string(v)); break;
	case json_type_object:
		if (!json_object_object_length(v)) {
			fputs("{}", f);
			break;
		}
		fputc('{', f);
		json_object_object_foreach(v, key, val) {
			fputs(first ? "" : ",", f);
			first = false;
			put_indent(f, depth + 1);
			put_string(f, key);
			fputs(": ", f);
			put_value(f, val, depth + 1);
		}
		put_indent(f, depth);
		fputc('}', f);
		break;
	case json_type_array:
		n = json_object_array_length(v);
		if (!n) {
			fputs("[]", f);
			break;
		}
		fputc('[', f);
		for (i = 0; i < n; i++) {
			fputs(i ? "," : "", f);
			put_indent(f, depth + 1);
			put_value(f, json_object_array_get_idx(v, i), depth + 1);
		}
		put_indent(f, depth);
		fputc(']', f);
		break;
	}
}

int conform_write_json(const char *path, json_object *cells)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		fprintf(stderr, "hotmem-conform: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	put_value(f, cells, 0);
	fputc('\n', f);
	if (fclose(f)) {
		fprintf(stderr, "hotmem-conform: --json %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
