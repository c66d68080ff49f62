// SPDX-License-Identifier: GPL-2.0
/* The kernel's sysfs parsers (engine/uapi) and hotmemfs's kernfs helpers. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sysfs_parse.h"

/* Rows of tests/fixtures/reference/sysfs-memory-writes.txt for `online` */
static void test_kstrtobool(void **state)
{
	static const struct {
		const char *s;
		int ret;
		bool val;
	} rows[] = {
		{ "1", 0, true },
		{ "1\n", 0, true },
		{ "y", 0, true },
		{ "Y\n", 0, true },
		{ "yes", 0, true },
		{ "true", 0, true },
		{ "on", 0, true },
		{ "online", 0, true },
		{ "online_foo", 0, true },
		{ "1garbage", 0, true },
		{ "0", 0, false },
		{ "n", 0, false },
		{ "off", 0, false },
		{ "F", 0, false },
		{ "garbage", -EINVAL, false },
		{ "garbage\n", -EINVAL, false },
		{ "\n", -EINVAL, false },
		{ "2", -EINVAL, false },
		{ "-1", -EINVAL, false },
		{ " 1", -EINVAL, false },
		{ "o", -EINVAL, false },
		{ "", -EINVAL, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		bool v = !rows[i].val;

		assert_int_equal(hmu_kstrtobool(rows[i].s, &v), rows[i].ret);
		if (!rows[i].ret)
			assert_int_equal(v, rows[i].val);
	}
}

/* Rows for `state` and `auto_online_blocks` */
static void test_online_type(void **state)
{
	static const struct {
		const char *s;
		int type;
	} rows[] = {
		{ "online", 1 },	   { "online\n", 1 },	    { "offline", 0 },
		{ "offline\n", 0 },	   { "online_kernel", 2 },  { "online_movable\n", 3 },
		{ "garbage", -EINVAL },	   { "", -EINVAL },	    { "\n", -EINVAL },
		{ "online_foo", -EINVAL }, { "ONLINE", -EINVAL },   { "Online\n", -EINVAL },
		{ "online ", -EINVAL },	   { " online", -EINVAL },  { "online\n\n", -EINVAL },
		{ "online\r\n", -EINVAL }, { "1", -EINVAL },	    { "online_kernelx", -EINVAL },
		{ "OFFLINE", -EINVAL },	   { "offline ", -EINVAL }, { "0", -EINVAL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		assert_int_equal(hmu_online_type_from_str(rows[i].s), rows[i].type);
}

/* kernfs: one page, NUL-terminated; an embedded NUL ends the string */
static void test_write_buf(void **state)
{
	char big[5001], dst[HMFS_PAGE_SIZE + 1];

	(void)state;
	memset(big, 'A', sizeof(big));
	assert_int_equal(hmfs_write_buf(dst, big, sizeof(big)), 4096);
	assert_int_equal(strlen(dst), 4096);
	assert_int_equal(hmfs_write_buf(dst, "online\0garbage", 14), 14);
	assert_int_equal(hmu_online_type_from_str(dst), 1);
	big[0] = '1';
	memset(big + 1, '\n', sizeof(big) - 1);
	assert_int_equal(hmfs_write_buf(dst, big, sizeof(big)), 4096);
	bool v;
	assert_int_equal(hmu_kstrtobool(dst, &v), 0);
	assert_true(v);
}

static void test_kstrtoull(void **state)
{
	unsigned long long v;
	unsigned int u;

	(void)state;
	assert_int_equal(hmu_kstrtoull("0x8000000\n", 0, &v), 0);
	assert_int_equal(v, 0x8000000);
	assert_int_equal(hmu_kstrtoull("010", 0, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(hmu_kstrtoull("+5", 10, &v), 0);
	assert_int_equal(hmu_kstrtoull("5x", 10, &v), -EINVAL);
	assert_int_equal(hmu_kstrtoull("", 10, &v), -EINVAL);
	assert_int_equal(hmu_kstrtoull("\n", 10, &v), -EINVAL);
	assert_int_equal(hmu_kstrtoull("99999999999999999999", 10, &v), -ERANGE);
	assert_int_equal(hmu_kstrtouint("301\n", 0, &u), 0);
	assert_int_equal(u, 301);
	assert_int_equal(hmu_kstrtouint("4294967296", 0, &u), -ERANGE);
	{
		long long ll;

		assert_int_equal(hmu_kstrtoll("-5\n", 0, &ll), 0);
		assert_int_equal(ll, -5);
		assert_int_equal(hmu_kstrtoll("-9223372036854775808", 10, &ll), 0);
		assert_true(ll == LLONG_MIN);
		assert_int_equal(hmu_kstrtoll("-9223372036854775809", 10, &ll), -ERANGE);
		assert_int_equal(hmu_kstrtoll("9223372036854775808", 10, &ll), -ERANGE);
		assert_int_equal(hmu_kstrtoll("-+5", 10, &ll), -EINVAL);
		assert_int_equal(hmu_kstrtoll("+5", 10, &ll), 0);
	}
}

static void test_memparse(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hmu_memparse("128M", &v), 0);
	assert_int_equal(v, 128ULL << 20);
	assert_int_equal(hmu_memparse("2G", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(hmu_memparse("1GiB", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(hmu_memparse("0x8000000", &v), 0);
	assert_int_equal(v, 0x8000000);
	assert_int_equal(hmu_memparse("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(hmu_memparse("1X", &v), -EINVAL);
	assert_int_equal(hmu_memparse("", &v), -EINVAL);
	assert_int_equal(hmu_memparse("G", &v), -EINVAL);
}

static void test_streq_match(void **state)
{
	static const char *const pol[] = { "contig-zones", "auto-movable", NULL };

	(void)state;
	assert_true(hmu_sysfs_streq("auto", "auto\n"));
	assert_true(hmu_sysfs_streq("auto\n", "auto"));
	assert_false(hmu_sysfs_streq("auto\n\n", "auto"));
	assert_int_equal(hmu_sysfs_match_string(pol, "auto-movable\n"), 1);
	assert_int_equal(hmu_sysfs_match_string(pol, "auto"), -EINVAL);
}

/* engine/uapi's names are the kernel's, in the kernel's enum order */
static void test_uapi_names(void **state)
{
	(void)state;
	assert_string_equal(hmu_online_type_name(HMU_MMOP_ONLINE_MOVABLE), "online_movable");
	assert_string_equal(hmu_online_type_name(HMU_NR_MMOP), "unknown");
	assert_string_equal(hmu_kobject_action_name(HMU_KOBJ_OFFLINE), "offline");
	assert_null(hmu_kobject_action_name(HMU_NR_KOBJ_ACTIONS));
	assert_int_equal(hmu_kobject_action_type("unbind", 6), HMU_KOBJ_UNBIND);
	assert_int_equal(hmu_kobject_action_type("onlinex", 6), HMU_KOBJ_ONLINE);
	assert_int_equal(hmu_kobject_action_type("online", 5), -EINVAL);
	assert_string_equal(hmu_zone_name(HMU_ZONE_MOVABLE), "Movable");
	assert_string_equal(hmu_zone_name(-1), "none");
	assert_int_equal(hmu_zone_from_name("DMA32", 5), HMU_ZONE_DMA32);
	assert_int_equal(hmu_zone_from_name("DMA32", 3), HMU_ZONE_DMA);
	assert_int_equal(hmu_zone_from_name("Norma", 5), -EINVAL);
}

static void test_nodelist_size(void **state)
{
	unsigned char m[8] = { 0 };
	char buf[64];

	(void)state;
	hmfs_nodelist(m, 64, buf, sizeof(buf));
	assert_string_equal(buf, "\n");
	m[0] = 0x0b; /* 0,1,3 */
	hmfs_nodelist(m, 64, buf, sizeof(buf));
	assert_string_equal(buf, "0-1,3\n");
	m[0] = 0x01;
	hmfs_nodelist(m, 64, buf, sizeof(buf));
	assert_string_equal(buf, "0\n");
	hmfs_size_str(128ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "128M");
	hmfs_size_str(3ULL << 29, buf, sizeof(buf));
	assert_string_equal(buf, "1.5G");
	hmfs_size_str(64ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "64T");
	/* exact: a rounded 1.0G hid 64M, 10G hid 512M */
	hmfs_size_str(1088ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1088M");
	hmfs_size_str((10ULL << 30) + (512ULL << 20), buf, sizeof(buf));
	assert_string_equal(buf, "10.5G");
	hmfs_size_str((10ULL << 30) + (64ULL << 20), buf, sizeof(buf));
	assert_string_equal(buf, "10304M");
	hmfs_size_str(4095, buf, sizeof(buf));
	assert_string_equal(buf, "4095B");
	hmfs_size_str(0, buf, sizeof(buf));
	assert_string_equal(buf, "0B");
}

static void test_slice(void **state)
{
	const char *p;

	(void)state;
	assert_int_equal(hmfs_slice("online\n", 7, 0, 65536, &p), 7);
	assert_int_equal(hmfs_slice("online\n", 7, 3, 65536, &p), 4);
	assert_memory_equal(p, "ine\n", 4);
	assert_int_equal(hmfs_slice("online\n", 7, 7, 10, &p), 0);
	assert_int_equal(hmfs_slice("online\n", 7, 5000, 10, &p), 0);
	assert_int_equal(hmfs_slice("online\n", 7, 0, 1, &p), 1);
}

/* kobject_synth_uevent(): lib/kobject_uevent.c, 6.12 */
static void test_synth_uevent(void **state)
{
	static const char uuid[] = "0a1b2c3d-0000-4000-8000-000000000001";
	static const char *const bad[] = { "add\n\n", "add ", "add garbage", "", "\n", "ad",
					   "add 0a1b2c3d-0000-4000-8000-000000000001 A",
					   "add 0a1b2c3d-0000-4000-8000-000000000001 A=",
					   "add 0a1b2c3d-0000-4000-8000-000000000001 a-b=1",
					   "add 0a1b2c3d-0000-4000-8000-00000000000g", NULL };
	char env[HMFS_SYNTH_ENV_SIZE], w[128];
	size_t len;

	(void)state;
	assert_int_equal(hmfs_synth_uevent_parse("change\n", 7, env, sizeof(env), &len),
			 hmu_kobject_action_type("change", 6));
	assert_int_equal(len, sizeof("SYNTH_UUID=0"));
	assert_string_equal(env, "SYNTH_UUID=0");
	snprintf(w, sizeof(w), "add %s A=1 bb=x2\n", uuid);
	assert_int_equal(hmfs_synth_uevent_parse(w, strlen(w), env, sizeof(env), &len), 0);
	assert_memory_equal(env, "SYNTH_UUID=0a1b2c3d-0000-4000-8000-000000000001\0SYNTH_ARG_A=1\0SYNTH_ARG_bb=x2",
			    len);
	for (const char *const *b = bad; *b; b++)
		assert_int_equal(hmfs_synth_uevent_parse(*b, strlen(*b), env, sizeof(env), &len),
				 -EINVAL);
}

/* cpumap, cpulist and a node's reclaim file (drivers/base/node.c, mm/vmscan.c, 6.18) */
static void test_bitmap_hex(void **state)
{
	unsigned char m[16] = { 0 };
	char buf[64];

	(void)state;
	m[0] = 0x03;
	hmfs_bitmap_hex(m, 2, buf, sizeof(buf));
	assert_string_equal(buf, "3\n"); /* a 2-CPU guest's node0/cpumap */
	hmfs_bitmap_hex(m, 64, buf, sizeof(buf));
	assert_string_equal(buf, "00000000,00000003\n");
	m[4] = 0x01; /* bit 32 */
	hmfs_bitmap_hex(m, 40, buf, sizeof(buf));
	assert_string_equal(buf, "01,00000003\n");
	memset(m, 0, sizeof(m));
	hmfs_bitmap_hex(m, 2, buf, sizeof(buf));
	assert_string_equal(buf, "0\n"); /* a memory-only node */
	hmfs_bitmap_hex(m, 8, buf, sizeof(buf));
	assert_string_equal(buf, "00\n");
}

static void test_cpulist_parse(void **state)
{
	unsigned char m[2];

	(void)state;
	assert_int_equal(hmfs_cpulist_parse("0-1\n", m, 16), 1);
	assert_int_equal(m[0], 0x03);
	assert_int_equal(hmfs_cpulist_parse("0,2-3,9", m, 16), 9);
	assert_int_equal(m[0], 0x0d);
	assert_int_equal(m[1], 0x02);
	assert_int_equal(hmfs_cpulist_parse("\n", m, 16), -1);
	assert_int_equal(hmfs_cpulist_parse("3-1", m, 16), -EINVAL);
	assert_int_equal(hmfs_cpulist_parse("0-", m, 16), -EINVAL);
	assert_int_equal(hmfs_cpulist_parse("x", m, 16), -EINVAL);
	assert_int_equal(hmfs_cpulist_parse("16", m, 16), -ERANGE);
}

static int reclaim(const char *in, uint64_t *bytes, int *sw)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", in);
	return hmfs_reclaim_parse(buf, bytes, sw);
}

static void test_reclaim_parse(void **state)
{
	static const char *const bad[] = {
		"", "\n", "swappiness=10", "1M swappiness=201", "1M swappiness=-1",
		"1M swappiness=", "1M swappiness=5x", "1M swappiness=max2", "1M swappiness=5\tswappiness=6",
		"1M swappiness=5\n swappiness=7", "1M x", "-1", "+1", "1M swappiness=+5",
		"1M swappiness=2147483648", NULL,
	};
	uint64_t b;
	int sw;

	(void)state;
	assert_int_equal(reclaim("1M\n", &b, &sw), 0);
	assert_int_equal(b, 1ULL << 20);
	assert_int_equal(sw, -1);
	assert_int_equal(reclaim("  0x1000  swappiness=0 ", &b, &sw), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(sw, 0);
	assert_int_equal(reclaim("2g  swappiness=max", &b, &sw), 0);
	assert_int_equal(b, 2ULL << 30);
	assert_int_equal(sw, HMFS_SWAPPINESS_ANON_ONLY);
	assert_int_equal(reclaim("10Mswappiness=200", &b, &sw), 0); /* memparse() ends at "s" */
	assert_int_equal(sw, 200);
	assert_int_equal(reclaim("K", &b, &sw), 0); /* a suffix alone moves memparse()'s end */
	assert_int_equal(b, 0);
	assert_int_equal(reclaim("010", &b, &sw), 0); /* octal */
	assert_int_equal(b, 8);
	assert_int_equal(reclaim("18446744073709551617", &b, &sw), 0); /* wraps */
	assert_int_equal(b, 1);
	for (const char *const *p = bad; *p; p++)
		assert_int_equal(reclaim(*p, &b, &sw), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kstrtobool),    cmocka_unit_test(test_online_type),
		cmocka_unit_test(test_write_buf),     cmocka_unit_test(test_kstrtoull),
		cmocka_unit_test(test_memparse),      cmocka_unit_test(test_streq_match),
		cmocka_unit_test(test_nodelist_size), cmocka_unit_test(test_slice),
		cmocka_unit_test(test_uapi_names),    cmocka_unit_test(test_synth_uevent),
		cmocka_unit_test(test_bitmap_hex),    cmocka_unit_test(test_cpulist_parse),
		cmocka_unit_test(test_reclaim_parse),
	};
	return cmocka_run_group_tests_name("fusefs_sysfs_parse", tests, NULL, NULL);
}
