// SPDX-License-Identifier: GPL-2.0
/*
 * fusefs/state_profile.c's builtin_changes[]: each entry holds against
 * today's built-in (its new lines are the built-in's, its message says its
 * date, oldest first), and the walk says each change that happened in a
 * line of its own, for a profile file over that built-in only.
 * state_profile.c is compiled in (its statics), over the engine's
 * built-ins; nothing mounted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../fusefs/state_profile.c"

/* the built-in @c is of has a line @line (of its setting @key when @line is NULL) */
static bool builtin_has(const struct builtin_change *c, const char *key, const char *line)
{
	char *lines = describe_builtin(c->profile);
	bool has;

	assert_non_null(lines);
	has = line ? lines_have(lines, line) : lines_have_key(lines, key, strlen(key));
	free(lines);
	return has;
}

/* every entry: its built-in's lines today are the new ones, its date in its message, in order */
static void test_table(void **state)
{
	const char *prev = "";

	(void)state;
	for (size_t i = 0; i < NR_BUILTIN_CHANGES; i++) {
		const struct builtin_change *c = &builtin_changes[i];
		char since[32];
		char *lines = describe_builtin(c->profile);
		uint64_t v;

		assert_non_null(lines);
		snprintf(since, sizeof(since), "since %s", c->date);
		assert_non_null(strstr(c->what, since));
		assert_true(strcmp(prev, c->date) <= 0);
		prev = c->date;
		assert_true(change_line_is(c, 0));
		for (size_t k = 0; change_line_is(c, k); k++) {
			switch (c->kind) {
			case LINE_REPLACED:
				assert_true(builtin_has(c, NULL, c->lines[k].now));
				assert_false(builtin_has(c, NULL, c->lines[k].was));
				break;
			case VALUE_MOVED:
				assert_true(lines_value(lines, c->lines[k].key, &v));
				assert_true(value_is(c->lines[k].now, v));
				assert_true(!c->lines[k].was || !value_is(c->lines[k].was, v));
				break;
			case KEYS_ADDED:
			case KEYS_DESCRIBED:
				assert_true(builtin_has(c, c->lines[k].key, NULL));
				break;
			}
		}
		/* lines to restore it: its own, or (a line replaced) each it replaced; none for no change */
		if (c->kind == KEYS_DESCRIBED)
			assert_null(c->restore[0]);
		else
			assert_true(c->restore[0] || c->kind == LINE_REPLACED);
		/* each change that covers it: what is said then */
		for (size_t k = 0; k < COVERED_BY_MAX && c->covered_by[k].by; k++)
			assert_non_null(c->covered_by[k].said);
		free(lines);
	}
}

/* qemu-512m's lines as a file saved before 2026-12-03 has them: maxmem 8G, no boot reservations (no brk) */
static json_object *saved_before_1203(const char *lines)
{
	json_object *saved = json_object_new_array();

	for (const char *l = lines; *l; l = strchr(l, '\n') + 1) {
		size_t len = strcspn(l, "\n"), klen = line_key_len(l);
		char line[512];

		if ((klen == 12 && !strncmp(l, "kernel_image", klen)) ||
		    (klen == 6 && !strncmp(l, "initrd", klen)) ||
		    (klen == 8 && !strncmp(l, "realmode", klen)) ||
		    (klen == 7 && !strncmp(l, "swiotlb", klen)) ||
		    (klen == 13 && !strncmp(l, "boot_reserved", klen)) ||
		    (klen == 3 && !strncmp(l, "brk", klen)) ||
		    (klen == 11 && !strncmp(l, "qemu_maxmem", klen)))
			continue;
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		if (klen == 6 && !strncmp(l, "maxmem", klen))
			snprintf(line, sizeof(line), "maxmem = 0x200000000");
		json_object_array_add(saved, json_object_new_string(line));
	}
	return saved;
}

/* two changes at once: a line each, oldest first; none for another built-in's profile file */
static void test_two_changes(void **state)
{
	char *lines = describe_builtin("qemu-512m");
	json_object *saved;
	char buf[2048], want[512] = "";
	const char *boot, *maxmem;

	(void)state;
	assert_non_null(lines);
	saved = saved_before_1203(lines);
	builtin_changes_say(saved, lines, "qemu-512m", lines, buf, sizeof(buf));
	boot = strstr(buf, "\nhotmemfs: qemu-512m takes its 6.12 guest's boot reservations since 2026-12-03 (");
	maxmem = strstr(buf, "\nhotmemfs: qemu-512m's addresses end at 11.5 GiB since 2026-12-03, ");
	assert_non_null(boot);
	assert_non_null(maxmem);
	assert_ptr_equal(boot, buf);
	/* kernel_image = none takes the brk out too (builtin44): said once, after it */
	assert_non_null(strstr(boot, "'swiotlb = 0' and 'boot_reserved = 0' in the profile file restore it as "
				     "saved (no kernel image, no brk: qemu-512m's since 2026-12-04 too)\n"));
	assert_null(strstr(buf, "besides a boot_reserved"));
	/* the last line, whole */
	for (size_t i = 0; i < NR_BUILTIN_CHANGES; i++)
		if (builtin_changes[i].kind == VALUE_MOVED &&
		    !strcmp(builtin_changes[i].lines[0].key, "maxmem"))
			snprintf(want, sizeof(want),
				 "\nhotmemfs: %s: 'maxmem = 8G' in the profile file restores it as saved",
				 builtin_changes[i].what);
	assert_string_equal(maxmem, want);
	/* a profile file over another built-in, the same lines: not qemu-512m's change */
	builtin_changes_say(saved, lines, "default", lines, buf, sizeof(buf));
	assert_string_equal(buf, "");
	json_object_put(saved);
	free(lines);
}

/* @lines, one a line, as a "profile-config" array, each line through @edit (NULL: left out) */
static json_object *saved_edited(const char *lines, const char *(*edit)(const char *l, size_t len))
{
	json_object *saved = json_object_new_array();

	for (const char *l = lines; *l; l = line_next(l)) {
		size_t len = strcspn(l, "\n");
		const char *e = edit(l, len);

		if (e == l)
			json_object_array_add(saved, json_object_new_string_len(l, (int)len));
		else if (e)
			json_object_array_add(saved, json_object_new_string(e));
	}
	return saved;
}

/* a file saved before builtin44: no brk line, the built-in's boot_reserved 4396K */
static const char *before_brk(const char *l, size_t len)
{
	(void)len;
	if (!strncmp(l, "brk = ", 6))
		return NULL;
	return !strncmp(l, "boot_reserved = ", 16) ? "boot_reserved = 0x44b000" : l;
}

/* a profile file with a boot_reserved of its own, saved before builtin44: no brk line */
static const char *no_brk(const char *l, size_t len)
{
	(void)len;
	return strncmp(l, "brk = ", 6) ? l : NULL;
}

/*
 * builtin44: qemu-512m's brk (68K after bss) out of its boot_reserved
 * (4396K -> 4328K).  A profile file over it saved before: one message,
 * 'brk = 0' and the old boot_reserved line restoring it (the brk's own
 * entry said in it, not again); with a boot_reserved of the file's own,
 * the brk's entry alone, 'brk = 0'; with kernel_image = none (no brk),
 * the boot_reserved change alone.  Fails without the two entries (no
 * message).
 */
static void test_brk_out_of_boot_reserved(void **state)
{
	char *lines = describe_builtin("qemu-512m");
	struct hotmem_config *cfg = malloc(sizeof(*cfg));
	json_object *saved;
	char buf[2048], err[256], *own;

	(void)state;
	assert_non_null(lines);
	assert_non_null(cfg);
	assert_non_null(strstr(lines, "\nbrk = 0x11000\n"));
	assert_non_null(strstr(lines, "\nboot_reserved = 0x43a000\n"));
	saved = saved_edited(lines, before_brk);
	builtin_changes_say(saved, lines, "qemu-512m", lines, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nhotmemfs: qemu-512m reserves its 6.12.118 guest's brk since 2026-12-04, "
				    "the 17 pages right after the kernel image's bss (brk = 68K), and its "
				    "boot_reserved is 68K less (4328K; "));
	assert_non_null(strstr(buf, ": 'brk = 0' and 'boot_reserved = 0x44b000' in the profile file restore it "
				    "as saved"));
	assert_ptr_equal(strstr(buf, "\nhotmemfs: "), buf);
	assert_null(strstr(buf + 1, "\nhotmemfs: "));
	json_object_put(saved);

	/* the profile file's own boot_reserved, the same before and now: the brk's entry */
	assert_int_equal(hotmem_config_builtin(cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(cfg, "boot_reserved = 1M\n", err, sizeof(err)), 0);
	own = hotmem_config_describe_alloc(cfg);
	assert_non_null(own);
	saved = saved_edited(own, no_brk);
	builtin_changes_say(saved, own, "qemu-512m", lines, buf, sizeof(buf));
	assert_string_equal(buf, "\nhotmemfs: qemu-512m reserves its 6.12.118 guest's brk since 2026-12-04, "
			    "the 17 pages right after the kernel image's bss (brk = 68K), besides a "
			    "boot_reserved the profile file gives: 'brk = 0' in the profile file restores "
			    "it as saved");
	json_object_put(saved);
	free(own);

	/* kernel_image = none: no brk, now or then; the boot_reserved change alone */
	assert_int_equal(hotmem_config_builtin(cfg, "qemu-512m"), 0);
	assert_int_equal(hotmem_config_parse_text(cfg, "kernel_image = none\n", err, sizeof(err)), 0);
	own = hotmem_config_describe_alloc(cfg);
	assert_non_null(own);
	assert_null(strstr(own, "brk"));
	saved = saved_edited(own, before_brk);
	builtin_changes_say(saved, own, "qemu-512m", lines, buf, sizeof(buf));
	assert_non_null(strstr(buf, ": 'brk = 0' and 'boot_reserved = 0x44b000' in the profile file restore it "
				    "as saved"));
	assert_null(strstr(buf, "besides a boot_reserved"));
	json_object_put(saved);
	free(own);
	free(cfg);
	free(lines);
}

/*
 * qemu-512m's e820 lines (KEYS_DESCRIBED): a file saved before they were
 * written has none, and the built-in's are no change -- over that
 * built-in only, and not where the file has e820 lines of its own
 */
static void test_described(void **state)
{
	char *lines = describe_builtin("qemu-512m"), *always = describe_builtin("default");
	struct predated_ref ref = { always, lines, "qemu-512m" };
	json_object *saved = json_object_new_array();
	struct lines_diff d;
	const char *e820;
	char buf[2048];

	(void)state;
	assert_non_null(lines);
	assert_non_null(always);
	e820 = strstr(lines, "\ne820 = ");
	assert_non_null(e820);
	e820++;
	for (const char *l = lines; *l; l = strchr(l, '\n') + 1)
		if (strncmp(l, "e820 = ", 7))
			json_object_array_add(saved,
					      json_object_new_string_len(l, (int)strcspn(l, "\n")));
	assert_true(line_predated(saved, &ref, e820));
	assert_int_equal(profile_lines_diff(saved, lines, &ref, &d), 0);
	assert_int_equal(d.nr_gone + d.nr_added, 0);
	/* no message says it */
	builtin_changes_say(saved, lines, "qemu-512m", lines, buf, sizeof(buf));
	assert_string_equal(buf, "");
	ref.base_name = "default";
	assert_false(line_predated(saved, &ref, e820));
	ref.base_name = "qemu-512m";
	json_object_array_add(saved, json_object_new_string("e820 = 0x0-0x9fbff usable"));
	assert_false(line_predated(saved, &ref, e820));
	json_object_put(saved);
	free(lines);
	free(always);
}

/*
 * A saved line shown as a C string writes it: one line, its quote where
 * it ends, no escape sequence; UTF-8 as is, cut only between characters
 */
static void test_shown_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(hmfs_shown_escape(out, sizeof(out), "name = it's\\n", 13), 13);
	assert_string_equal(out, "name = it\\'s\\\\n");
	assert_int_equal(hmfs_shown_escape(out, sizeof(out), "a\nb\tc\x1b[2J\x7f\x07", 11), 11);
	assert_string_equal(out, "a\\nb\\tc\\x1b[2J\\x7f\\x07");
	/* U+00E9 as is; U+009B (C1 CSI) and a stray 0xff byte escaped */
	assert_int_equal(hmfs_shown_escape(out, sizeof(out), "\xc3\xa9\xc2\x9b\xff", 5), 5);
	assert_string_equal(out, "\xc3\xa9\\xc2\\x9b\\xff");
	/* whole escapes only: "ab\x1b" in 6 bytes is "ab" and the 2 bytes written */
	assert_int_equal(hmfs_shown_escape(out, 6, "ab\x1b", 3), 2);
	assert_string_equal(out, "ab");
}

/* a refusal shows a saved line's key and text escaped: no control reaches the log */
/*
 * hmfs_shown_has_control(): true exactly for what hmfs_shown_escape()
 * writes as \n, \t or \xNN -- a C0 control, DEL, a C1 control's two
 * bytes, a byte of no UTF-8 character (a raw 0x9b is CSI on an 8-bit
 * terminal) -- and false for text a table may show as it is: a quote, a
 * backslash (escaped in a quote only), U+00A0 and other characters
 */
static void test_shown_has_control(void **state)
{
	static const char *const control[] = {
		"a\nb", "tab\t", "\x1b[2J", "del\x7f", "c1\xc2\x9b", "raw\x9b", "bad\xff",
		"cut\xc3", "over\xc0\xaf", "\x01",
	};
	static const char *const plain[] = {
		"", "dimm0", "it's", "back\\slash", "nbsp\xc2\xa0", "\xc3\xa9t\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++)
		if (!hmfs_shown_has_control(control[i]))
			fail_msg("control[%zu] not found", i);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (hmfs_shown_has_control(plain[i]))
			fail_msg("plain[%zu] taken for a control", i);
}

static void test_diff_escaped(void **state)
{
	char *always = describe_builtin("default");
	struct predated_ref ref = { always, always, "default" };
	json_object *saved = json_object_new_array();
	struct lines_diff d;

	(void)state;
	assert_non_null(always);
	for (const char *l = always; *l; l = line_next(l))
		json_object_array_add(saved, json_object_new_string_len(l, (int)strcspn(l, "\n")));
	json_object_array_add(saved, json_object_new_string("probe = it's\n\x1b[31mred"));
	json_object_array_add(saved, json_object_new_string("\x1b]0;x\x07 = 1"));
	assert_int_equal(profile_lines_diff(saved, always, &ref, &d), 0);
	assert_int_equal(d.nr_gone, 2);
	assert_int_equal(d.nr_added, 0);
	assert_string_equal(d.gone, "'probe = it\\'s\\n\\x1b[31mred', '\\x1b]0;x\\x07 = 1'");
	assert_string_equal(d.keys, "probe, \\x1b]0;x\\x07");
	json_object_put(saved);
	free(always);
}

/*
 * A saved line's key holding a ',' (an edited state file's "a,b = 1") is
 * one key of the list: a later "a" is listed (it read as the list's "a"
 * of "a,b") and "b" once (tidy36).  Fails without: "a,b, b", no "a".
 */
static void test_diff_key_comma(void **state)
{
	char keys[256] = "";

	(void)state;
	diff_key(keys, sizeof(keys), "a,b = 1");
	diff_key(keys, sizeof(keys), "b = 2");
	diff_key(keys, sizeof(keys), "b = 3");
	diff_key(keys, sizeof(keys), "a = 4");
	diff_key(keys, sizeof(keys), "a,b = 5");
	diff_key(keys, sizeof(keys), "a = 6");
	assert_string_equal(keys, "a,b, b, a");
}

/* a text of lines whose last has no newline: each line of it, the last one too */
static void test_last_line_unended(void **state)
{
	const char *text = "probe = no\nmaxmem = 8G";
	uint64_t v;

	(void)state;
	assert_true(lines_have(text, "maxmem = 8G"));
	assert_true(lines_have(text, "probe = no"));
	assert_false(lines_have(text, "maxmem = 8"));
	assert_true(lines_have_key(text, "maxmem = 1G", 6));
	assert_true(lines_value(text, "maxmem", &v));
	assert_int_equal(v, 8ULL << 30);
	assert_false(lines_value(text, "slots", &v));
	assert_ptr_equal(line_next(line_next(text)), text + strlen(text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_two_changes),
		cmocka_unit_test(test_brk_out_of_boot_reserved),
		cmocka_unit_test(test_described),
		cmocka_unit_test(test_shown_escape),
		cmocka_unit_test(test_shown_has_control),
		cmocka_unit_test(test_diff_escaped),
		cmocka_unit_test(test_last_line_unended),
		cmocka_unit_test(test_diff_key_comma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
