// SPDX-License-Identifier: MIT
/* hotmemd configuration: files, drop-ins, options, and error reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

struct fixture {
	char dir[64];
	char conf[128];
	char dropins[140];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/hotmemd-config.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/hotmemd.conf", f->dir);
	snprintf(f->dropins, sizeof(f->dropins), "%s.d", f->conf);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_defaults_without_file(void **state)
{
	struct fixture *f = *state;
	struct hmd_config cfg;
	char err[HMD_ERR_MAX];

	assert_int_equal(hmd_config_load(&cfg, f->conf, false, NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg.policy, HMD_POL_AUTO_MOVABLE);
	assert_int_equal(cfg.ratio, 301);
	assert_int_equal(cfg.numa_aware, HMD_YES);
	assert_string_equal(cfg.sysroot, "/");
	/* --config FILE that does not exist is an error */
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_file_dropins_cli(void **state)
{
	struct fixture *f = *state;
	struct hmd_cli cli = { .n = 2,
			       .key = { "retry_max", "node2.policy" },
			       .value = { "7", "online_kernel" } };
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], path[200];

	write_file(f->conf, "# main\n[hotmemd]\npolicy = online_movable\n"
			    "auto_movable_ratio = 150\nretry_max = 3\n"
			    "[node1]\npolicy = offline\n");
	mkdir(f->dropins, 0755);
	snprintf(path, sizeof(path), "%s/20-b.conf", f->dropins);
	write_file(path, "[hotmemd]\nauto_movable_ratio = 250\n");
	snprintf(path, sizeof(path), "%s/10-a.conf", f->dropins);
	write_file(path, "[hotmemd]\nauto_movable_ratio = 200\nmemory_groups = contiguous\n");
	snprintf(path, sizeof(path), "%s/ignored.txt", f->dropins);
	write_file(path, "garbage\n");

	assert_int_equal(hmd_config_load(&cfg, f->conf, true, &cli, err, sizeof(err)), 0);
	assert_int_equal(cfg.policy, HMD_POL_ONLINE_MOVABLE);
	assert_int_equal(cfg.ratio, 250); /* 20-b after 10-a */
	assert_int_equal(cfg.groups, HMD_GROUPS_CONTIGUOUS);
	assert_int_equal(cfg.retry_max, 7); /* command line wins */
	assert_int_equal(cfg.node_policy[1], HMD_POL_OFFLINE);
	assert_int_equal(cfg.node_policy[2], HMD_POL_ONLINE_KERNEL);
	assert_int_equal(cfg.node_policy[0], HMD_POL_INHERIT);
}

/* Every bad line is reported as FILE:LINE: reason. */
static void test_errors_have_file_and_line(void **state)
{
	struct fixture *f = *state;
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], want[256];

	write_file(f->conf, "[hotmemd]\npolicy = online\n"
			    "auto_movable_ratio = lots\n" /* line 3 */
			    "\n"
			    "colour = blue\n" /* line 5 */
			    "[node99]\npolicy = online\n"); /* line 7 */
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: 'lots' is not a ratio", f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:5: unknown key 'colour' (hotmemd --help lists the keys)",
		 f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:7: unknown section [node99]", f->conf);
	assert_non_null(strstr(err, want));
}

static void test_syntax_error_line(void **state)
{
	struct fixture *f = *state;
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], want[256];

	write_file(f->conf, "[hotmemd]\n; comment\npolicy online\n");
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: syntax error", f->conf);
	assert_non_null(strstr(err, want));
}

static void test_long_line(void **state)
{
	struct fixture *f = *state;
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], want[256], text[600];

	memset(text, 'x', sizeof(text));
	memcpy(text, "[hotmemd]\nsysroot = /", 21);
	strcpy(text + 500, "\npolicy = bogus\n");
	write_file(f->conf, text);
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line too long", f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:3: unknown policy 'bogus'", f->conf);
	assert_non_null(strstr(err, want));
}

/*
 * A NUL byte in a line is named as such, on its line, and the next line
 * is read as its own: it was "line too long" (fgets() stops at the
 * newline, strlen() at the NUL), the next line swallowed and every later
 * line number one short.
 */
static void test_nul_byte(void **state)
{
	static const char text[] = "[hotmemd]\npolicy = online\0junk\nretry_max = lots\n"
				   "colour = blue\n";
	struct fixture *f = *state;
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], want[256];
	FILE *fp = fopen(f->conf, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp), sizeof(text) - 1);
	fclose(fp);
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: NUL byte in the line", f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:3: 'lots' is not a number", f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:4: unknown key 'colour'", f->conf);
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "too long"));
}

static void test_cli_errors(void **state)
{
	struct fixture *f = *state;
	struct hmd_cli cli = { .n = 1, .key = { "dry_run" }, .value = { "perhaps" } };
	struct hmd_config cfg;
	char err[HMD_ERR_MAX];

	assert_int_equal(hmd_config_load(&cfg, f->conf, false, &cli, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "command line: dry_run: 'perhaps' is not a boolean"));
}

static void test_values(void **state)
{
	struct hmd_config cfg;
	char err[256];

	hmd_config_defaults(&cfg);
	assert_int_equal(
		hmd_config_set(&cfg, NULL, "auto_movable_ratio", "kernel", err, sizeof(err)), 0);
	assert_int_equal(cfg.ratio, -1);
	assert_int_equal(
		hmd_config_set(&cfg, "", "auto_movable_numa_aware", "no", err, sizeof(err)), 0);
	assert_int_equal(cfg.numa_aware, HMD_NO);
	assert_int_equal(hmd_config_set(&cfg, NULL, "boot_blocks", "0-23,32-199", err, sizeof(err)),
			 0);
	assert_int_equal(hmd_config_set(&cfg, NULL, "boot_blocks", "0-", err, sizeof(err)), -1);
	assert_int_equal(hmd_config_set(&cfg, NULL, "boot_blocks", "5-2", err, sizeof(err)), -1);
	/* strtoul's ERANGE: saturated, these passed (abuse25a B7) */
	assert_int_equal(hmd_config_set(&cfg, NULL, "boot_blocks", "99999999999999999999999", err,
					sizeof(err)),
			 -1);
	assert_int_equal(hmd_config_set(&cfg, NULL, "boot_blocks", "0-99999999999999999999", err,
					sizeof(err)),
			 -1);
	assert_int_equal(hmd_config_set(&cfg, NULL, "boot_blocks", "auto", err, sizeof(err)), 0);
	assert_int_equal(hmd_config_set(&cfg, NULL, "sysroot", "relative", err, sizeof(err)), -1);
	assert_int_equal(hmd_config_set(&cfg, NULL, "retry_max", "-1", err, sizeof(err)), -1);
	assert_int_equal(hmd_config_set(&cfg, NULL, "log_level", "debug", err, sizeof(err)), 0);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(hmd_config_set(&cfg, "node3", "ratio", "1", err, sizeof(err)), -1);
	assert_int_equal(hmd_config_set(&cfg, "node3", "policy", "inherit", err, sizeof(err)), 0);
}

/* A refused value names the ones the key takes (usereye 16: --help had them, the error not). */
static void test_refusal_names_choices(void **state)
{
	struct hmd_config cfg;
	char err[HMD_ERR_MAX];

	hmd_config_defaults(&cfg);
	assert_int_equal(hmd_config_set(&cfg, NULL, "policy", "foo", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown policy 'foo' (offline, online, online_kernel, "
				 "online_movable or auto-movable)");
	assert_int_equal(hmd_config_set(&cfg, NULL, "policy", "inherit", err, sizeof(err)), -1);
	assert_int_equal(hmd_config_set(&cfg, "node1", "policy", "foo", err, sizeof(err)), -1);
	assert_string_equal(err, "unknown policy 'foo' (offline, online, online_kernel, "
				 "online_movable, auto-movable or inherit)");
	assert_int_equal(hmd_config_set(&cfg, NULL, "log_target", "syslog", err, sizeof(err)), -1);
	assert_string_equal(err, "invalid value 'syslog' (auto, journal or stderr)");
}

/*
 * Key names compare like the kernel's parameq() (kernel/params.c, 6.12):
 * '-' and '_' are the same letter, so auto-movable-ratio (the option's
 * spelling, and the kernel command line's memory_hotplug.auto-movable-ratio)
 * is auto_movable_ratio in a file too.  Values keep their exact spelling
 * (the kernel's sysfs_streq() does not fold them either).
 */
static void test_dash_underscore_keys(void **state)
{
	struct fixture *f = *state;
	struct hmd_cli cli = { .n = 2,
			       .key = { "retry-max", "node2.policy" },
			       .value = { "7", "online_kernel" } };
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], want[256];

	write_file(f->conf, "[hotmemd]\nauto-movable-ratio = 150\n"
			    "auto-movable_numa-aware = no\nretry_initial-ms = 20\n"
			    "log-level = debug\n[node1]\npolicy = offline\n");
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, &cli, err, sizeof(err)), 0);
	assert_int_equal(cfg.ratio, 150);
	assert_int_equal(cfg.numa_aware, HMD_NO);
	assert_int_equal(cfg.retry_initial_ms, 20);
	assert_int_equal(cfg.retry_max, 7);
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.node_policy[2], HMD_POL_ONLINE_KERNEL);

	/* only '-' and '_' fold: other letters, and values, stay exact */
	write_file(f->conf, "[hotmemd]\nauto.movable.ratio = 150\nAuto_movable_ratio = 1\n"
			    "policy = online-movable\n");
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: unknown key 'auto.movable.ratio'", f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:3: unknown key 'Auto_movable_ratio'", f->conf);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:4: unknown policy 'online-movable'", f->conf);
	assert_non_null(strstr(err, want));
	/* the keys it may have meant: the same first letters (usereye4 #4) */
	write_file(f->conf, "[hotmemd]\nretries = 3\n");
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s:2: unknown key 'retries' (meant retry_max, retry_initial_ms, retry_max_ms?)",
		 f->conf);
	assert_non_null(strstr(err, want));
	/* a prefix is not the key (parameq compares the terminating NUL too) */
	assert_int_equal(hmd_config_set(&cfg, NULL, "retry-max-", "1", err, sizeof(err)), -1);
	assert_int_equal(hmd_config_set(&cfg, NULL, "retry", "1", err, sizeof(err)), -1);
}

/*
 * retry_initial_ms above retry_max_ms is refused after every source is
 * read; the error says where each value came from (abuse24 A7): it named
 * the configuration file for what the command line and the default set.
 */
static void test_cross_check_says_origins(void **state)
{
	struct fixture *f = *state;
	struct hmd_cli cli = { .n = 1, .key = { "retry-initial-ms" }, .value = { "2000" } };
	struct hmd_config cfg;
	char err[HMD_ERR_MAX], want[512], path[200];

	assert_int_equal(hmd_config_load(&cfg, f->conf, false, &cli, err, sizeof(err)), -1);
	assert_string_equal(err, "retry_initial_ms 2000 (command line) > retry_max_ms 1000 (default): "
				 "the first backoff cannot be above its cap\n");

	write_file(f->conf, "[hotmemd]\nretry_max_ms = 500\nretry_initial_ms = 5\n");
	assert_int_equal(mkdir(f->dropins, 0755), 0);
	snprintf(path, sizeof(path), "%s/10-x.conf", f->dropins);
	write_file(path, "# later than the file\nretry_max_ms = 40\n");
	cli.key[0] = "hotmemd.retry_initial_ms";
	cli.value[0] = "50";
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, &cli, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "retry_initial_ms 50 (command line) > retry_max_ms 40 (%s:2): "
		 "the first backoff cannot be above its cap\n", path);
	assert_string_equal(err, want);

	write_file(path, "retry_initial_ms = 600\n");
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "retry_initial_ms 600 (%s:1) > retry_max_ms 500 (%s:2): "
		 "the first backoff cannot be above its cap\n", path, f->conf);
	assert_string_equal(err, want);
}

/*
 * A long value is quoted by its first 64 bytes and "...", the same
 * quoting as state_dir's damaged records (HMD_QUOTE, b666d7fa): quoted
 * whole, a 4000-byte value filled the 256-byte reason and the message
 * lost what the key takes, cut mid-sentence (daemon40 item 1).  Each
 * message names where (the command line's key, a file's FILE:LINE).
 */
static const struct {
	const char *key, *head, *tail;
} long_values[] = {
	{ "retry_max", "", "is not a number 0..100" },
	{ "dry_run", "", "is not a boolean" },
	{ "auto_movable_ratio", "", "is not a ratio 0..100000 or 'kernel'" },
	{ "auto_movable_numa_aware", "", "is not yes, no or kernel" },
	{ "boot_blocks", "0-3,", "is not auto or a list like 0-23,32-199" },
	{ "sysroot", "/", "is too long a path (1023 bytes at most)" },
	{ "policy", "",
	  "(offline, online, online_kernel, online_movable or auto-movable)" },
	{ "node2.policy", "",
	  "(offline, online, online_kernel, online_movable, auto-movable or inherit)" },
	{ "log_level", "", "(emerg, alert, crit, err, warning, notice, info or debug)" },
};

static void long_value(char *buf, size_t len, const char *head)
{
	memset(buf, 'x', len - 1);
	buf[len - 1] = '\0';
	memcpy(buf, head, strlen(head));
}

static void test_long_value_quoted(void **state)
{
	struct fixture *f = *state;
	struct hmd_cli cli = { .n = 1 };
	char err[HMD_ERR_MAX], want[512], value[4001], start[65];
	struct hmd_config cfg;
	size_t i;

	for (i = 0; i < sizeof(long_values) / sizeof(long_values[0]); i++) {
		long_value(value, sizeof(value), long_values[i].head);
		cli.key[0] = long_values[i].key;
		cli.value[0] = value;
		snprintf(start, sizeof(start), "%.64s", value);
		snprintf(want, sizeof(want), "command line: %s: %s'%s...' %s\n", long_values[i].key,
			 strstr(long_values[i].key, "policy") ? "unknown policy " :
			 !strcmp(long_values[i].key, "log_level") ? "invalid value " : "",
			 start, long_values[i].tail);
		assert_int_equal(hmd_config_load(&cfg, f->conf, false, &cli, err, sizeof(err)), -1);
		assert_string_equal(err, want);
	}
	/* a relative path under the length limit: its start too */
	long_value(value, 1000, "rel/");
	cli.key[0] = "state_dir";
	assert_int_equal(hmd_config_load(&cfg, f->conf, false, &cli, err, sizeof(err)), -1);
	snprintf(start, sizeof(start), "%.64s", value);
	snprintf(want, sizeof(want), "command line: state_dir: '%s...' is not an absolute path\n",
		 start);
	assert_string_equal(err, want);
}

/*
 * In a file: a 4000-byte line is over libinih's line (INI_MAX_LINE), said
 * with its start; a value that fits the line is quoted by its start and
 * its message ends with the names the key takes (a 185-byte log_level
 * cut "... info or debug)" off the 256-byte reason).
 */
static void test_long_value_in_file(void **state)
{
	struct fixture *f = *state;
	char err[HMD_ERR_MAX], want[512], value[4001], text[4200], start[65];
	struct hmd_config cfg;

	long_value(value, sizeof(value), "");
	snprintf(text, sizeof(text), "[hotmemd]\nlog_level = %s\nretry_max = 1\n", value);
	write_file(f->conf, text);
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(start, sizeof(start), "log_level = %.52s", value);
	/* libinih's line (INI_MAX_LINE) is its build's: 200 in Debian's libinih 55 */
	snprintf(want, sizeof(want), "%s:2: line too long (over ", f->conf);
	assert_memory_equal(err, want, strlen(want));
	snprintf(want, sizeof(want), " bytes): '%s...'\n", start);
	assert_true(strlen(err) > strlen(want));
	assert_string_equal(err + strlen(err) - strlen(want), want);

	long_value(value, 186, "");
	snprintf(text, sizeof(text), "[hotmemd]\nlog_level = %s\n", value);
	write_file(f->conf, text);
	assert_int_equal(hmd_config_load(&cfg, f->conf, true, NULL, err, sizeof(err)), -1);
	snprintf(start, sizeof(start), "%.64s", value);
	snprintf(want, sizeof(want),
		 "%s:2: invalid value '%s...' (emerg, alert, crit, err, warning, notice, info or "
		 "debug)\n",
		 f->conf, start);
	assert_string_equal(err, want);
}

static void test_dump_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct hmd_config a, b;
	char err[HMD_ERR_MAX];
	FILE *fp;

	hmd_config_defaults(&a);
	a.policy = HMD_POL_ONLINE_KERNEL;
	a.node_policy[5] = HMD_POL_ONLINE_MOVABLE;
	a.ratio = -1;
	strcpy(a.uevent_socket, "/run/x.sock");
	fp = fopen(f->conf, "w");
	hmd_config_dump(&a, fp);
	fclose(fp);
	assert_int_equal(hmd_config_load(&b, f->conf, true, NULL, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

/*
 * Every value of each enumerated key dumps as a name that loads back to
 * it (--check-config's output is a valid file): config.c reads and writes
 * them from one table each.
 */
static void test_dump_every_name(void **state)
{
	struct fixture *f = *state;
	struct hmd_config a, b;
	char err[HMD_ERR_MAX];
	FILE *fp;
	int v;

	for (v = 0; v <= LOG_DEBUG; v++) {
		hmd_config_defaults(&a);
		a.log_level = v;
		a.log_target = v % 3;
		a.uevent_source = (v + 1) % 3;
		a.groups = (v + 2) % 3;
		fp = fopen(f->conf, "w");
		assert_non_null(fp);
		hmd_config_dump(&a, fp);
		fclose(fp);
		assert_int_equal(hmd_config_load(&b, f->conf, true, NULL, err, sizeof(err)), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_without_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_dropins_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_have_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_errors, setup, teardown),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refusal_names_choices),
		cmocka_unit_test_setup_teardown(test_dash_underscore_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_check_says_origins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_value_quoted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_value_in_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_every_name, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
