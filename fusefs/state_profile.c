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
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs.h"
#include "state_profile.h"
#include "shown.h"

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

/*
 * The line after @l in a text of lines (hotmem_config_describe()'s, one
 * a line): the text's end after the last, with its newline or without
 */
static const char *line_next(const char *l)
{
	l = strchrnul(l, '\n');
	return *l ? l + 1 : l;
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

/*
 * A line a message shows: whole up to DIFF_LINE_SHOWN bytes; a longer one
 * (qemu-512m's kernel_image line, ~200) up to the end of its last word
 * before, and " ..." -- cut in a word, its closing quote and "and N more"
 * lost, the rest read as the value (boot34)
 */
#define DIFF_LINE_SHOWN 96

/* what a profile_lines_diff() says: the keys that changed, and up to 2 lines each way */
struct lines_diff {
	char keys[256], gone[1024], added[1024];
	size_t nr_gone, nr_added;
};

/* an escape is at most 4 bytes a byte (\xNN), a shown line's at most this */
#define DIFF_LINE_TEXT (4 * DIFF_LINE_SHOWN + 1)

/* two lines shown whole or cut, escaped, quoted, with ", " and " and N more" always fit */
_Static_assert(sizeof(((struct lines_diff *)0)->gone) >= 2 * (DIFF_LINE_TEXT + 6) + 2 + 32,
	       "lines_diff's lines hold two shown lines");

/*
 * @key (of "key = value" line @l) into @keys once, "ram, probe",
 * escaped (hmfs_shown_escape()); the keys that do not fit are ", ..." (a
 * whole key or none).  A key is split from the list at ", ", not at ',':
 * a saved line is the state file's, anyone's, and its key may hold a ','
 * ("a,b = 1": key "a,b", which then hid a later "a": read as its "a,")
 * but never a space (it ends there), so ", " only ever separates (tidy36)
 */
static void diff_key(char *keys, size_t len, const char *l)
{
	static const char more[] = ", ...";
	size_t raw = strcspn(l, " ="), n = strlen(keys), klen;
	char key[256];

	if (n >= sizeof(more) - 1 && !strcmp(keys + n - (sizeof(more) - 1), more))
		return;
	/* a key that does not fit here fits in no list */
	klen = hmfs_shown_escape(key, sizeof(key), l, raw) < raw ? sizeof(key) : strlen(key);
	for (const char *p = keys, *end; *p; p = end ? end + 2 : p + strlen(p)) {
		end = strstr(p, ", ");
		if ((end ? (size_t)(end - p) : strlen(p)) == klen && !strncmp(p, key, klen))
			return;
	}
	if (n + 2 + klen + sizeof(more) > len)
		snprintf(keys + n, len - n, "%s", n ? more : "...");
	else
		snprintf(keys + n, len - n, "%s%s", n ? ", " : "", key);
}

/* line @l (@len bytes) differs: its key, and the line while @buf holds fewer than 2 */
static void diff_line(char *keys, size_t klen, char *buf, size_t len, size_t *nr, const char *l,
		      size_t llen)
{
	size_t n = strlen(buf), shown = llen;
	char text[DIFF_LINE_TEXT];
	const char *cut = "";

	diff_key(keys, klen, l);
	if ((*nr)++ >= 2)
		return;
	if (llen > DIFF_LINE_SHOWN) {
		shown = DIFF_LINE_SHOWN;
		while (shown > DIFF_LINE_SHOWN / 2 && l[shown] != ' ')
			shown--;
		if (l[shown] != ' ') { /* no word ends near: in the word, not in a character */
			shown = DIFF_LINE_SHOWN;
			for (int i = 0; i < 3 && ((unsigned char)l[shown] & 0xc0) == 0x80; i++)
				shown--;
		}
		cut = l[shown] == ' ' ? " ..." : "...";
	}
	hmfs_shown_escape(text, sizeof(text), l, shown);
	snprintf(buf + n, len - n, "%s'%s%s'", n ? ", " : "", text, cut);
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
	for (const char *t = lines; *t; t = line_next(t))
		if (line_of_key(t, l, klen))
			return true;
	return false;
}

/* @lines (hotmem_config_describe()'s, one a line) hold the line @line, @n bytes */
static bool lines_have_n(const char *lines, const char *line, size_t n)
{
	for (const char *l = lines; *l; l = line_next(l))
		if (!strncmp(l, line, n) && (l[n] == '\n' || !l[n]))
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
	const char *base_name;
};

/* builtin_changes[]'s KEYS_DESCRIBED, below with the table */
static bool described_since(const char *base_name, const char *l, size_t klen);

/*
 * @l, a line of today's profile, is of a setting the file predates: the
 * file has no line of it, and hotmem_config_describe() writes it for
 * every machine (@ref->always: its lines for the default built-in, where
 * each setting it writes only when set -- cpu_nodes, distance,
 * movable_node, hotplug ranges, devices -- is not), so its absence is
 * not "not set" but "not a setting yet" (pm_advanced_debug, 2026-12-02);
 * or one written only when set since after the base built-in set it
 * (builtin_changes[]' KEYS_DESCRIBED: qemu-512m's e820).
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

	return (lines_have_key(ref->always, l, klen) || described_since(ref->base_name, l, klen)) &&
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
	for (const char *l = lines; *l; l = line_next(l))
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
	for (const char *l = lines; *l; l = line_next(l)) {
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
	for (const char *l = lines; *l; l = line_next(l))
		if (value_of(l, key, v))
			return true;
	return false;
}

/*
 * How a built-in changed since state files keep a profile file's lines
 * (2026-11-29).  A profile file starting from it (`profile =`) saved the
 * old machine and gives the new one now, though the file did not change:
 * refused as any change is (the machine is another), the refusal says
 * which change of the built-in it is and the lines that, in the profile
 * file, give the machine as saved.  A state file of the built-in itself
 * restores onto the new machine (its name is its profile).  Each change
 * is one entry of builtin_changes[], of one of these kinds.
 */
enum builtin_change_kind {
	/*
	 * @lines[] are whole lines the built-in replaced: the file has
	 * @was, the profile @now.  Any of them is the change; the lines
	 * that restore it are @restore[] and each @was that moved.
	 */
	LINE_REPLACED,
	/*
	 * @lines[] are values of @key: the file's is @was and the
	 * profile's @now, as memparse() reads them (a file keeps a line as
	 * it was written: 0x200000000, 8G alike, vmem33).  All of them are
	 * the change; a NULL @was is the profile's alone (what came with it).
	 */
	VALUE_MOVED,
	/*
	 * @lines[]' @key are settings the built-in has lines of since and
	 * files saved before had none of: the file has a line of none of
	 * them, the profile the built-in's own line of one.
	 */
	KEYS_ADDED,
	/*
	 * @lines[]' @key are settings hotmem_config_describe() writes,
	 * only when set, since after the built-in set them: a file saved
	 * before has no line of them though its machine had the setting.
	 * No change: the built-in's own line is not one of the profile's
	 * new ones (line_predated()), and nothing is said (@what only
	 * dates it).
	 */
	KEYS_DESCRIBED,
};

#define CHANGE_LINES 5
/* the most settings or lines a change's covered_by[] names */
#define COVERED_BY_MAX 3

struct builtin_change {
	const char *profile;	/* the built-in */
	const char *date;	/* since when (@what says it) */
	enum builtin_change_kind kind;
	struct {
		const char *key, *was, *now;
	} lines[CHANGE_LINES];	/* as @kind says; up to the first without @key and @was */
	const char *what;	/* the message: what changed, since when, why */
	const char *restore[CHANGE_LINES + 1]; /* the profile file's lines that restore it, NULL-ended */
	/*
	 * Another change's restoring lines with a line of @covered_by[]'s
	 * @by (a setting, "ram"; or a whole line, "kernel_image = none":
	 * that value alone) restore this one too: this one's message is
	 * then that @by's @said, after that change's ("" when that
	 * change's message says this one already)
	 */
	struct {
		const char *by, *said;
	} covered_by[COVERED_BY_MAX];
};

/* oldest first: the order the messages come in */
static const struct builtin_change builtin_changes[] = {
	{
		/* usereye5 #6: its Debian 6.12 kernel's config */
		.profile = "qemu-512m",
		.date = "2026-11-30",
		.kind = LINE_REPLACED,
		.lines = { { .was = "memory_failure = no", .now = "memory_failure = yes" },
			   { .was = "crash_hotplug = no", .now = "crash_hotplug = yes" } },
		.what = "qemu-512m's memory_failure and crash_hotplug are yes since 2026-11-30, as its Debian 6.12 kernel's",
	},
	{
		/* abuse29b U2: the RAM lines of a profile file are all of its RAM */
		.profile = "qemu-512m",
		.date = "2026-12-02",
		.kind = LINE_REPLACED,
		.lines = { { .was = "ram = 0x100000-0x1fffffff node=0",
			     .now = "ram = 0x100000-0x1ffdffff node=0" } },
		.what = "qemu-512m's boot RAM ends at 0x1ffdffff since 2026-12-02, where QEMU's e820 for -m 512M ends it (it went to 0x1fffffff)",
		.restore = { "ram = 0x1000-0x9efff node=0" },
	},
	{
		/*
		 * boot34: about 106 MiB less free at boot.  A profile file's
		 * ram lines drop the built-in's reservations (engine/config.c):
		 * the RAM change's lines restore this one too.
		 */
		.profile = "qemu-512m",
		.date = "2026-12-03",
		.kind = KEYS_ADDED,
		.lines = { { .key = "kernel_image" },
			   { .key = "initrd" },
			   { .key = "realmode" },
			   { .key = "swiotlb" },
			   { .key = "boot_reserved" } },
		.what = "qemu-512m takes its 6.12 guest's boot reservations since 2026-12-03 (the kernel image, initrd, first MiB, SWIOTLB and the rest: MemTotal 406852 kB, 406860 until 2026-12-04; it took none)",
		.restore = { "kernel_image = none", "initrd = none", "realmode = no", "swiotlb = 0",
			     "boot_reserved = 0" },
		.covered_by = { { "ram", " (those ram lines drop the boot reservations qemu-512m takes since 2026-12-03 too, as saved)" } },
	},
	{
		/*
		 * reread32b R6 (9eb73b14): the firmware's table, a profile
		 * key and described since; qemu-512m's table since 2026-12-02
		 */
		.profile = "qemu-512m",
		.date = "2026-12-03",
		.kind = KEYS_DESCRIBED,
		.lines = { { .key = "e820" } },
		.what = "qemu-512m's e820 table is described since 2026-12-03 (its machine had it since 2026-12-02): no change",
	},
	{
		/*
		 * vmem33: QEMU's region; a maxmem line alone keeps its old
		 * meaning (engine/config.c)
		 */
		.profile = "qemu-512m",
		.date = "2026-12-03",
		.kind = VALUE_MOVED,
		.lines = { { .key = "maxmem", .was = "8G", .now = "0x2e0000000" },
			   { .key = "qemu_maxmem", .now = "4G" } },
		.what = "qemu-512m's addresses end at 11.5 GiB since 2026-12-03, where QEMU's device memory for -m 512M,slots=4,maxmem=4G does (they ended at 8 GiB)",
		.restore = { "maxmem = 8G" },
	},
	{
		/*
		 * prof40 (a2daa3cf): the 6.12.118 guest scripts/deps.sh
		 * fetches, where the 2026-12-03 line was its 6.12.117
		 * guest's; the same placement and reserved total.  A file
		 * saved before has the old line: the @was that restores it.
		 */
		.profile = "qemu-512m",
		.date = "2026-12-04",
		.kind = LINE_REPLACED,
		.lines = { { .was = "kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa570fff "
				    "data=0xa600000-0xa870f7f init=0xad01000-0xb12afff "
				    "smp_locks=0xb12b000-0xb134fff bss=0xb136000-0xb5fffff "
				    "bss_decrypted_unused=0xb405000-0xb5fffff",
			     .now = "kernel_image = code=0x8a00000-0x99fffff rodata=0x9a00000-0xa571fff "
				    "data=0xa600000-0xa870fbf init=0xad02000-0xb12afff "
				    "smp_locks=0xb12b000-0xb134fff bss=0xb136000-0xb5fffff "
				    "bss_decrypted_unused=0xb405000-0xb5fffff" } },
		.what = "qemu-512m's kernel image is its 6.12.118 guest's since 2026-12-04, the kernel scripts/deps.sh fetches (rodata 4K and data 64 bytes longer, init 4K shorter than the 6.12.117 guest's: MemTotal 406852 kB, it was 406860)",
	},
	{
		/*
		 * builtin44: reserve_brk()'s 17 pages after bss (brk44's
		 * key), out of boot_reserved's lump.  A file saved before
		 * has the built-in's 4396K and no brk line: the @was and
		 * `brk = 0` give the machine as saved, the brk's pages
		 * top-down again (without movablecore=/kernelcore= the same
		 * zones' counts either way).  A profile file whose
		 * kernel_image is none (no brk then) gets only the
		 * boot_reserved change, and `brk = 0` does nothing there.
		 */
		.profile = "qemu-512m",
		.date = "2026-12-04",
		.kind = LINE_REPLACED,
		.lines = { { .was = "boot_reserved = 0x44b000", .now = "boot_reserved = 0x43a000" } },
		.what = "qemu-512m reserves its 6.12.118 guest's brk since 2026-12-04, the 17 pages right after the kernel image's bss (brk = 68K), and its boot_reserved is 68K less (4328K; the 4396K held the brk, top-down): the same MemTotal 406852 kB, but with movablecore= or kernelcore= those pages stay below ZONE_MOVABLE",
		.restore = { "brk = 0" },
	},
	{
		/*
		 * builtin44, the same change for a profile file whose
		 * boot_reserved is its own (saved without the built-in's
		 * brk, now with it besides): `brk = 0` restores it.  The
		 * lines of the change above, of the RAM change (ram lines
		 * drop the built-in's boot reservations) and of 2026-12-03's
		 * (no kernel image, no brk) restore it too.
		 */
		.profile = "qemu-512m",
		.date = "2026-12-04",
		.kind = KEYS_ADDED,
		.lines = { { .key = "brk" } },
		.what = "qemu-512m reserves its 6.12.118 guest's brk since 2026-12-04, the 17 pages right after the kernel image's bss (brk = 68K), besides a boot_reserved the profile file gives",
		.restore = { "brk = 0" },
		.covered_by = { { "brk", "" },
				{ "ram", " (and the brk qemu-512m reserves since 2026-12-04)" },
				{ "kernel_image = none", " (no kernel image, no brk: qemu-512m's since 2026-12-04 too)" } },
	},
};

#define NR_BUILTIN_CHANGES (sizeof(builtin_changes) / sizeof(builtin_changes[0]))
/* the most lines that restore one change: its own and each @was (LINE_REPLACED) */
#define CHANGE_RESTORE_MAX (2 * CHANGE_LINES)

/* @c's @lines[@i] is one (the first without @key and @was ends them) */
static bool change_line_is(const struct builtin_change *c, size_t i)
{
	return i < CHANGE_LINES && (c->lines[i].key || c->lines[i].was);
}

/*
 * @l (@klen bytes its setting's name) is of a setting
 * hotmem_config_describe() writes since after the built-in @base_name
 * set it (KEYS_DESCRIBED): line_predated()
 */
static bool described_since(const char *base_name, const char *l, size_t klen)
{
	for (size_t i = 0; i < NR_BUILTIN_CHANGES; i++) {
		const struct builtin_change *c = &builtin_changes[i];

		if (c->kind != KEYS_DESCRIBED || strcmp(c->profile, base_name))
			continue;
		for (size_t k = 0; change_line_is(c, k); k++)
			if (strlen(c->lines[k].key) == klen && !strncmp(l, c->lines[k].key, klen))
				return true;
	}
	return false;
}

/* @s, memparse()'s, is the value @v */
static bool value_is(const char *s, uint64_t v)
{
	uint64_t want;

	return !hotmem_memparse(s, &want) && want == v;
}

/* @c's @lines[@i] moved between the file's lines @saved and the profile's @lines */
static bool change_line_moved(const struct builtin_change *c, size_t i, json_object *saved,
			      const char *lines)
{
	const char *key = c->lines[i].key, *was = c->lines[i].was, *now = c->lines[i].now;
	uint64_t v;

	if (c->kind == LINE_REPLACED)
		return saved_has_line(saved, was) && lines_have(lines, now);
	return (!was || (saved_value(saved, key, &v) && value_is(was, v))) &&
	       lines_value(lines, key, &v) && value_is(now, v);
}

/* the profile's @lines have a line of one of @c's keys that is the built-in's (@base) */
static bool keys_added_given(const struct builtin_change *c, const char *lines, const char *base)
{
	for (const char *l = lines; *l; l = line_next(l))
		for (size_t i = 0; change_line_is(c, i); i++)
			if (line_of_key(l, c->lines[i].key, strlen(c->lines[i].key)) &&
			    lines_have_n(base, l, strcspn(l, "\n")))
				return true;
	return false;
}

/*
 * @c is between the file's lines @saved and the profile's @lines (@base:
 * the description of the built-in the profile file starts from)
 */
static bool change_happened(const struct builtin_change *c, json_object *saved, const char *lines,
			    const char *base)
{
	bool any = false;

	for (size_t i = 0; change_line_is(c, i); i++) {
		switch (c->kind) {
		case LINE_REPLACED:
			any |= change_line_moved(c, i, saved, lines);
			break;
		case VALUE_MOVED:
			if (!change_line_moved(c, i, saved, lines))
				return false;
			any = true;
			break;
		case KEYS_ADDED:
			if (saved_has_key(saved, c->lines[i].key, strlen(c->lines[i].key)))
				return false;
			break;
		case KEYS_DESCRIBED:
			return false;
		}
	}
	return c->kind == KEYS_ADDED ? keys_added_given(c, lines, base) : any;
}

/* into @out the lines that restore @c, a change that happened; their number */
static size_t change_restore(const struct builtin_change *c, json_object *saved, const char *lines,
			     const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < CHANGE_LINES && c->restore[i]; i++)
		out[n++] = c->restore[i];
	for (size_t i = 0; c->kind == LINE_REPLACED && change_line_is(c, i); i++)
		if (change_line_moved(c, i, saved, lines))
			out[n++] = c->lines[i].was;
	return n;
}

/* a snprintf() after @buf's first @n bytes (@n at most @len); the new length, at most @len */
static size_t __attribute__((format(printf, 4, 5)))
buf_add(char *buf, size_t len, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n >= len)
		return len;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return r < 0 || (size_t)r >= len - n ? len : n + (size_t)r;
}

/* @lines (@nr of them) have a line of the setting @key */
static bool restore_has_key(const char *const *lines, size_t nr, const char *key)
{
	for (size_t i = 0; i < nr; i++)
		if (line_of_key(lines[i], key, strlen(key)))
			return true;
	return false;
}

/*
 * @lines (@nr of them) restore @c too: what its first covered_by[] they
 * have a line of says after their message (a setting's line, or the
 * whole line when @by has " = "); NULL: they do not
 */
static const char *restore_covers(const char *const *lines, size_t nr,
				  const struct builtin_change *c)
{
	for (size_t k = 0; k < COVERED_BY_MAX && c->covered_by[k].by; k++) {
		const char *by = c->covered_by[k].by;

		for (size_t i = 0; strstr(by, " = ") && i < nr; i++)
			if (!strcmp(lines[i], by))
				return c->covered_by[k].said;
		if (!strstr(by, " = ") && restore_has_key(lines, nr, by))
			return c->covered_by[k].said;
	}
	return NULL;
}

/*
 * Into @buf: a line for each change of builtin_changes[] between the
 * file's lines @saved and the profile's @lines -- of the built-in the
 * profile file starts from, @base_name, whose description is @base --
 * saying what changed and the lines that restore the machine as saved;
 * "" for none
 */
static void builtin_changes_say(json_object *saved, const char *lines, const char *base_name,
				const char *base, char *buf, size_t len)
{
	const char *restore[NR_BUILTIN_CHANGES][CHANGE_RESTORE_MAX];
	size_t nr[NR_BUILTIN_CHANGES], n = 0;
	bool on[NR_BUILTIN_CHANGES];

	buf[0] = '\0';
	for (size_t i = 0; i < NR_BUILTIN_CHANGES; i++) {
		const struct builtin_change *c = &builtin_changes[i];

		on[i] = !strcmp(c->profile, base_name) && change_happened(c, saved, lines, base);
		nr[i] = on[i] ? change_restore(c, saved, lines, restore[i]) : 0;
	}
	for (size_t i = 0; i < NR_BUILTIN_CHANGES; i++) {
		const struct builtin_change *c = &builtin_changes[i];
		bool covered = false;

		for (size_t j = 0; on[i] && j < NR_BUILTIN_CHANGES; j++)
			covered |= j != i && on[j] && restore_covers(restore[j], nr[j], c);
		if (!on[i] || covered)
			continue;
		n = buf_add(buf, len, n, "\nhotmemfs: %s: ", c->what);
		for (size_t k = 0; k < nr[i]; k++)
			n = buf_add(buf, len, n, "%s'%s'", !k ? "" : k + 1 == nr[i] ? " and " : ", ",
				    restore[i][k]);
		n = buf_add(buf, len, n, " in the profile file %s it as saved",
			    nr[i] == 1 ? "restores" : "restore");
		/* the changes these lines restore too */
		for (size_t j = 0; j < NR_BUILTIN_CHANGES; j++) {
			const char *said = j != i && on[j] ?
				restore_covers(restore[i], nr[i], &builtin_changes[j]) : NULL;

			if (said)
				n = buf_add(buf, len, n, "%s", said);
		}
	}
}

/*
 * @ref's descriptions, of the default built-in and of @cfg's base (an
 * unknown one: the default's); -ENOMEM, @ref's allocations the
 * caller's to free
 */
static int predated_ref_get(const struct hotmem_config *cfg, struct predated_ref *ref)
{
	ref->base_name = cfg->base;
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
	struct predated_ref ref = { NULL, NULL, NULL };
	char moved[2048] = "";
	int ret;

	if (!saved || !json_object_array_length(saved) || !ctx->profile_lines)
		return 0;
	ret = predated_ref_get(&ctx->cfg, &ref);
	if (!ret)
		ret = profile_lines_diff(saved, ctx->profile_lines, &ref, &d);
	if (!ret && (d.nr_gone || d.nr_added)) {
		builtin_changes_say(saved, ctx->profile_lines, ctx->cfg.base, ref.base, moved,
				    sizeof(moved));
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
