// SPDX-License-Identifier: GPL-2.0
/*
 * A state file saved with a profile FILE: has that profile changed since?
 *
 * The file keeps the profile's lines ("profile-config",
 * hotmem_config_describe()'s); a restore compares them with the profile
 * file's now and refuses another machine, naming what changed.  Where a
 * built-in the profile file starts from changed since (not the file),
 * it says so and which lines in the profile file restore the machine as
 * saved.  state.c calls hmfs_state_check_profile() from its load.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs.h"
#include "state_profile.h"

int hmfs_state_profile_lines(struct hmfs_ctx *ctx, const struct hotmem_config *cfg, char *err,
			     size_t errlen)
{
	free(ctx->profile_lines);
	ctx->profile_lines = hotmem_config_describe_alloc(cfg);
	if (!ctx->profile_lines) {
		snprintf(err, errlen, "out of memory reading the profile %s", ctx->profile);
		return -ENOMEM;
	}
	return 0;
}

/* built-in @name's description (line_predated()); NULL: out of memory, or no such built-in */
static char *describe_builtin(const char *name)
{
	struct hotmem_config *cfg = malloc(sizeof(*cfg));
	char *lines = NULL;

	if (cfg && !hotmem_config_builtin(cfg, name))
		lines = hotmem_config_describe_alloc(cfg);
	free(cfg);
	return lines;
}

/* a line of either side of a comparison, and whether the other side has it (paired once) */
struct line_ref {
	const char *s;
	size_t len;
	bool paired;
};

static int line_text_cmp(const struct line_ref *x, const struct line_ref *y)
{
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* by text, then by place: equal lines pair up first with first */
static int line_ref_cmp(const void *a, const void *b)
{
	const struct line_ref *x = *(const struct line_ref *const *)a;
	const struct line_ref *y = *(const struct line_ref *const *)b;
	int c = line_text_cmp(x, y);

	return c ? c : (x > y) - (x < y);
}

/*
 * Pair each line of @a (@na of them) with an equal one of @b, each line
 * at most once, so that a line twice on one side and once on the other
 * leaves one unpaired (multisets, not sets): both sorted, then merged
 */
static int lines_pair(struct line_ref *a, size_t na, struct line_ref *b, size_t nb)
{
	struct line_ref **sa = malloc((na + nb + 1) * sizeof(*sa)), **sb;
	size_t i = 0, j = 0;

	if (!sa)
		return -ENOMEM;
	sb = sa + na;
	for (size_t k = 0; k < na; k++)
		sa[k] = &a[k];
	for (size_t k = 0; k < nb; k++)
		sb[k] = &b[k];
	qsort(sa, na, sizeof(*sa), line_ref_cmp);
	qsort(sb, nb, sizeof(*sb), line_ref_cmp);
	while (i < na && j < nb) {
		int c = line_text_cmp(sa[i], sb[j]);

		if (!c)
			sa[i++]->paired = sb[j++]->paired = true;
		else if (c < 0)
			i++;
		else
			j++;
	}
	free(sa);
	return 0;
}

/* what a profile_lines_diff() says: the keys that changed, and up to 2 lines each way */
struct lines_diff {
	char keys[128], gone[160], added[160];
	size_t nr_gone, nr_added;
};

/* @key (of "key = value" line @l) into @keys once, "ram, probe" */
static void diff_key(char *keys, size_t len, const char *l)
{
	size_t klen = strcspn(l, " ="), n = strlen(keys);

	for (const char *p = keys; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 2 : 0))
		if (!strncmp(p, l, klen) && (p[klen] == ',' || !p[klen]))
			return;
	snprintf(keys + n, len - n, "%s%.*s", n ? ", " : "", (int)klen, l);
}

/* line @l (@len bytes) differs: its key, and the line while @buf holds fewer than 2 */
static void diff_line(char *keys, size_t klen, char *buf, size_t len, size_t *nr, const char *l,
		      size_t llen)
{
	size_t n = strlen(buf);

	diff_key(keys, klen, l);
	if ((*nr)++ < 2)
		snprintf(buf + n, len - n, "%s'%.*s'", n ? ", " : "", (int)llen, l);
}

static void lines_more(char *buf, size_t len, size_t nr)
{
	size_t n = strlen(buf);

	if (nr > 2)
		snprintf(buf + n, len - n, " and %zu more", nr - 2);
}

/*
 * The part of a description line that names its setting: "probe" of
 * "probe = no"; of a command line's line its parameter,
 * 'cmdline = "movable_node' (each parameter a setting of its own)
 */
static size_t line_key_len(const char *l)
{
	static const char cmdline[] = "cmdline = \"";

	if (!strncmp(l, cmdline, sizeof(cmdline) - 1))
		return sizeof(cmdline) - 1 + strcspn(l + sizeof(cmdline) - 1, "=\"\n");
	return strcspn(l, " =\n");
}

/* @t is a line of the setting @l's first @klen bytes name */
static bool line_of_key(const char *t, const char *l, size_t klen)
{
	return t && line_key_len(t) == klen && !strncmp(t, l, klen);
}

/* @saved (a "profile-config") has a line of @l's setting */
static bool saved_has_key(json_object *saved, const char *l, size_t klen)
{
	for (size_t i = 0; i < json_object_array_length(saved); i++)
		if (line_of_key(json_object_get_string(json_object_array_get_idx(saved, i)), l, klen))
			return true;
	return false;
}

/* @lines (hotmem_config_describe()'s, one a line) have a line of @l's setting */
static bool lines_have_key(const char *lines, const char *l, size_t klen)
{
	for (const char *t = lines; *t; t = strchr(t, '\n') + 1)
		if (line_of_key(t, l, klen))
			return true;
	return false;
}

/* @lines (hotmem_config_describe()'s, one a line) hold the line @line, @n bytes */
static bool lines_have_n(const char *lines, const char *line, size_t n)
{
	for (const char *l = lines; *l; l = strchr(l, '\n') + 1)
		if (!strncmp(l, line, n) && l[n] == '\n')
			return true;
	return false;
}

/*
 * What line_predated() holds today's lines against: the default
 * built-in's description (@always) and that of the built-in the profile
 * file starts from (@base: its `profile =`, the default's if none)
 */
struct predated_ref {
	char *always, *base;
};

/*
 * Settings described only when set (not in @ref->always) that came after
 * state files kept a profile's lines, and that a built-in sets: e820, the
 * firmware's table (2026-12-03; qemu-512m's since 2026-12-02).  A file
 * saved from `profile = qemu-512m` before has no e820 line though the
 * machine had the table: the line the built-in gives is not a change.
 */
static bool described_since(const char *l, size_t klen)
{
	return klen == 4 && !strncmp(l, "e820", 4);
}

/*
 * @l, a line of today's profile, is of a setting the file predates: the
 * file has no line of it, and hotmem_config_describe() writes it for
 * every machine (@ref->always: its lines for the default built-in, where
 * each setting it writes only when set -- cpu_nodes, distance,
 * movable_node, hotplug ranges, devices -- is not), so its absence is
 * not "not set" but "not a setting yet" (pm_advanced_debug, 2026-12-02).
 * And @l is exactly the line the profile file's base built-in gets
 * (@ref->base): the value the file has with no line of the setting.  A
 * profile file given another value since (`pm_advanced_debug = yes`, a
 * `cmdline` of the setting) was edited after the save, and is refused
 * as changed (reread30 R2).  Not a change, then: the machine gets
 * today's value, as a built-in's state file does.  A saved line of the
 * setting with another value still is; so is a setting described only
 * when set that the profile sets now.
 */
static bool line_predated(json_object *saved, const struct predated_ref *ref, const char *l)
{
	size_t klen = line_key_len(l);

	return (lines_have_key(ref->always, l, klen) || described_since(l, klen)) &&
	       lines_have_n(ref->base, l, strcspn(l, "\n")) && !saved_has_key(saved, l, klen);
}

/*
 * The file's lines (@saved) the profile's (@lines) lack, and the other
 * way, each side in its own order (a line of a setting the file predates
 * not one of the profile's new ones, @ref as line_predated()'s); -ENOMEM
 */
static int profile_lines_diff(json_object *saved, const char *lines,
			      const struct predated_ref *ref, struct lines_diff *d)
{
	size_t ns = json_object_array_length(saved), np = 0;
	struct line_ref *s, *p;
	int ret;

	memset(d, 0, sizeof(*d));
	for (const char *l = lines; *l; l = strchr(l, '\n') + 1)
		np++;
	s = calloc(ns + np + 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	p = s + ns;
	for (size_t i = 0; i < ns; i++) {
		/* a JSON null among them: no line, "" */
		const char *t = json_object_get_string(json_object_array_get_idx(saved, i));

		s[i].s = t ? t : "";
		s[i].len = strlen(s[i].s);
	}
	np = 0;
	for (const char *l = lines; *l; l = strchr(l, '\n') + 1) {
		p[np].s = l;
		p[np++].len = strcspn(l, "\n");
	}
	ret = lines_pair(s, ns, p, np);
	for (size_t i = 0; !ret && i < ns; i++)
		if (!s[i].paired)
			diff_line(d->keys, sizeof(d->keys), d->gone, sizeof(d->gone), &d->nr_gone,
				  s[i].s, s[i].len);
	for (size_t i = 0; !ret && i < np; i++)
		if (!p[i].paired && !line_predated(saved, ref, p[i].s))
			diff_line(d->keys, sizeof(d->keys), d->added, sizeof(d->added),
				  &d->nr_added, p[i].s, p[i].len);
	free(s);
	lines_more(d->gone, sizeof(d->gone), d->nr_gone);
	lines_more(d->added, sizeof(d->added), d->nr_added);
	return ret;
}

/* @saved (a "profile-config") holds the line @line */
static bool saved_has_line(json_object *saved, const char *line)
{
	for (size_t i = 0; i < json_object_array_length(saved); i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(saved, i));

		if (t && !strcmp(t, line))
			return true;
	}
	return false;
}

/* @lines (hotmem_config_describe()'s, one a line) hold the line @line */
static bool lines_have(const char *lines, const char *line)
{
	return lines_have_n(lines, line, strlen(line));
}

/*
 * What qemu-512m's built-in changed since state files keep a profile
 * file's lines (2026-11-29): a profile file starting from it saved the
 * old line and has the new one now, though the file did not change.  Its
 * RAM line is what marks such a file (no other built-in has it), so it
 * comes first.
 */
static const struct {
	const char *was, *now;
} qemu_512m_changes[] = {
	/* 2026-12-02 (abuse29b U2): QEMU's e820 for -m 512M ends RAM at 0x1ffdffff */
	{ "ram = 0x100000-0x1fffffff node=0", "ram = 0x100000-0x1ffdffff node=0" },
	/* 2026-11-30 (usereye5 #6): its Debian 6.12 kernel's config */
	{ "memory_failure = no", "memory_failure = yes" },
	{ "crash_hotplug = no", "crash_hotplug = yes" },
};

/* qemu_512m_changes[@i] is between @saved and @lines */
static bool qemu_512m_changed(json_object *saved, const char *lines, size_t i)
{
	return saved_has_line(saved, qemu_512m_changes[i].was) &&
	       lines_have(lines, qemu_512m_changes[i].now);
}

/*
 * Into @buf: that the built-in changed, when it did, and the lines that
 * give the machine as saved (a state file of the built-in itself restores
 * onto the new machine: its name is its profile), "" otherwise
 */
static const char *qemu_512m_moved(json_object *saved, const char *lines, char *buf, size_t len)
{
	const size_t nr = sizeof(qemu_512m_changes) / sizeof(qemu_512m_changes[0]);
	size_t n = 0, last = 0;

	buf[0] = '\0';
	if (!qemu_512m_changed(saved, lines, 0))
		return buf;
	for (size_t i = 1; i < nr; i++)
		if (qemu_512m_changed(saved, lines, i))
			last = i;
	n += snprintf(buf + n, len - n,
		      "\nhotmemfs: qemu-512m's boot RAM ends at 0x1ffdffff since 2026-12-02, where QEMU's e820 for -m 512M ends it (it went to 0x1fffffff)%s: 'ram = 0x1000-0x9efff node=0'",
		      last ? ", and its memory_failure and crash_hotplug are yes since 2026-11-30, as its Debian 6.12 kernel's" : "");
	for (size_t i = 0; i <= last && n < len; i++)
		if (qemu_512m_changed(saved, lines, i))
			n += snprintf(buf + n, len - n, "%s'%s'", i == last ? " and " : ", ",
				      qemu_512m_changes[i].was);
	if (n < len)
		snprintf(buf + n, len - n, " in the profile file restore it as saved");
	return buf;
}

/*
 * The value of @line when it is "@key = VALUE" (memparse()'s: 0x200000000,
 * 8G and 8192M alike); false otherwise.  saved_value() and lines_value()
 * look for it among @saved's lines and in @lines.
 */
static bool value_of(const char *line, const char *key, uint64_t *v)
{
	size_t k = strlen(key);
	char val[64];
	int len;

	if (strncmp(line, key, k) || strncmp(line + k, " = ", 3))
		return false;
	line += k + 3;
	len = (int)strcspn(line, "\n");
	if (len <= 0 || len >= (int)sizeof(val))
		return false;
	snprintf(val, sizeof(val), "%.*s", len, line);
	return !hotmem_memparse(val, v);
}

static bool saved_value(json_object *saved, const char *key, uint64_t *v)
{
	for (size_t i = 0; i < json_object_array_length(saved); i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(saved, i));

		if (t && value_of(t, key, v))
			return true;
	}
	return false;
}

static bool lines_value(const char *lines, const char *key, uint64_t *v)
{
	for (const char *l = lines; *l; l = strchr(l, '\n') + 1)
		if (value_of(l, key, v))
			return true;
	return false;
}

/*
 * Into @buf after what is there: that qemu-512m's addresses end at its
 * device memory's end since 2026-12-03 (11.5 GiB: QEMU's region; they
 * ended at 8 GiB) when that is between @saved and @lines, and the line
 * that gives the machine as saved (a maxmem line alone keeps its old
 * meaning, engine/config.c)
 */
static void qemu_512m_maxmem_moved(json_object *saved, const char *lines, char *buf, size_t len)
{
	const uint64_t gib = 1ULL << 30;
	uint64_t was, now, qemu;
	size_t n = strlen(buf);

	/* values, not strings: a file keeps the line as it was written (vmem33) */
	if (n < len && saved_value(saved, "maxmem", &was) && was == 8 * gib &&
	    lines_value(lines, "maxmem", &now) && now == 0x2e0000000ULL &&
	    lines_value(lines, "qemu_maxmem", &qemu) && qemu == 4 * gib)
		snprintf(buf + n, len - n,
			 "\nhotmemfs: qemu-512m's addresses end at 11.5 GiB since 2026-12-03, where QEMU's device memory for -m 512M,slots=4,maxmem=4G does (they ended at 8 GiB): 'maxmem = 8G' in the profile file restores it as saved");
}

/* the profile keys of the boot's memblock reservations (docs/profile.md) */
static const char *const boot_reserve_keys[] = { "kernel_image", "initrd", "realmode", "swiotlb",
						 "boot_reserved" };

/* @saved has a line of none of boot_reserve_keys[]; @lines one of each in @base's */
static bool boot_reserve_taken_since(json_object *saved, const char *lines, const char *base)
{
	for (size_t i = 0; i < sizeof(boot_reserve_keys) / sizeof(boot_reserve_keys[0]); i++) {
		const char *k = boot_reserve_keys[i];
		size_t klen = strlen(k);

		if (saved_has_key(saved, k, klen))
			return false;
	}
	for (const char *l = lines; *l; l = strchr(l, '\n') + 1)
		for (size_t i = 0; i < sizeof(boot_reserve_keys) / sizeof(boot_reserve_keys[0]); i++)
			if (line_of_key(l, boot_reserve_keys[i], strlen(boot_reserve_keys[i])) &&
			    lines_have_n(base, l, strcspn(l, "\n")))
				return true;
	return false;
}

/*
 * Into @buf after what is there: that qemu-512m takes its 6.12.117
 * guest's boot reservations since 2026-12-03 (it took none) when a file
 * saved before has no line of them and the profile has the built-in's
 * (@base, its description), and the lines that give the machine as saved.
 * The machine did change -- about 106 MiB less free at boot -- so the file
 * is refused as maxmem's move is; a built-in's own state file restores
 * (its name is its profile).  A file the RAM hint covers needs no more:
 * its ram lines drop the built-in's reservations too (engine/config.c).
 */
static void qemu_512m_boot_reserve_moved(json_object *saved, const char *lines, const char *base,
					 char *buf, size_t len)
{
	size_t n = strlen(buf);

	if (n >= len || !boot_reserve_taken_since(saved, lines, base))
		return;
	if (n)
		snprintf(buf + n, len - n,
			 " (those ram lines drop the boot reservations qemu-512m takes since 2026-12-03 too, as saved)");
	else
		snprintf(buf + n, len - n,
			 "\nhotmemfs: qemu-512m takes its 6.12.117 guest's boot reservations since 2026-12-03 (the kernel image, initrd, first MiB, SWIOTLB and the rest: MemTotal 406860 kB; it took none): 'kernel_image = none', 'initrd = none', 'realmode = no', 'swiotlb = 0' and 'boot_reserved = 0' in the profile file restore it as saved");
}

/*
 * @ref's descriptions, of the default built-in and of @cfg's base (an
 * unknown one: the default's); -ENOMEM, @ref's allocations the
 * caller's to free
 */
static int predated_ref_get(const struct hotmem_config *cfg, struct predated_ref *ref)
{
	ref->always = describe_builtin("default");
	ref->base = describe_builtin(cfg->base);
	if (!ref->base && ref->always)
		ref->base = strdup(ref->always);
	return ref->always && ref->base ? 0 : -ENOMEM;
}

/*
 * The file's "profile-config" against the profile file now: refused as
 * another --profile is, naming what changed (the settings, the file's
 * lines the profile lacks now and the profile's new ones; a line of a
 * setting the file predates none of them, line_predated()).  A file
 * without the key, or with an empty one (a built-in's), restores as
 * before.  Lines compared as a multiset (a line twice is not the same
 * as once, nor as another line twice): the order of the profile's ram
 * lines, say, is not the machine.
 */
int hmfs_state_check_profile(struct hmfs_ctx *ctx, json_object *saved, char *err, size_t errlen)
{
	struct lines_diff d;
	struct predated_ref ref = { NULL, NULL };
	char moved[1024] = "";
	int ret;

	if (!saved || !json_object_array_length(saved) || !ctx->profile_lines)
		return 0;
	ret = predated_ref_get(&ctx->cfg, &ref);
	if (!ret)
		ret = profile_lines_diff(saved, ctx->profile_lines, &ref, &d);
	if (!ret && (d.nr_gone || d.nr_added)) {
		qemu_512m_moved(saved, ctx->profile_lines, moved, sizeof(moved));
		qemu_512m_boot_reserve_moved(saved, ctx->profile_lines, ref.base, moved,
					     sizeof(moved));
		qemu_512m_maxmem_moved(saved, ctx->profile_lines, moved, sizeof(moved));
	}
	free(ref.always);
	free(ref.base);
	if (ret) {
		snprintf(err, errlen, "state file %s: out of memory comparing it with the profile file %s",
			 ctx->state_path, ctx->profile);
		return -ENOMEM;
	}
	if (!d.nr_gone && !d.nr_added)
		return 0;
	snprintf(err, errlen,
		 "state file %s: the profile file %s changed since this state was saved%s%s%s%s%s%s%s%s\n"
		 "hotmemfs: refusing to restore it onto a different machine; put the profile back "
		 "as it was, or start with --fresh",
		 ctx->state_path, ctx->profile, d.keys[0] ? ": " : "", d.keys,
		 d.nr_gone ? " (saved with " : d.nr_added ? " (" : "", d.gone,
		 d.nr_gone && d.nr_added ? "; now " : d.nr_added ? "now " : "", d.added,
		 d.keys[0] ? ")" : "", moved);
	return -EINVAL;
}
