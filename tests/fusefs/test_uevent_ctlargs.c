// SPDX-License-Identifier: GPL-2.0
/* uevent wire format (docs/hotmemd.md contract) and hotmemctl arguments. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctlargs.h"
#include "uevent.h"

static void test_format(void **state)
{
	static const char want[] = "add@/devices/system/memory/memory32\0ACTION=add\0"
				   "DEVPATH=/devices/system/memory/memory32\0SUBSYSTEM=memory\0"
				   "SEQNUM=1234"; /* + final NUL from the literal */
	struct hmu_uevent ue = { "add", "/devices/system/memory/memory32", "memory", 1234, NULL };
	struct hmu_uevent back;
	char buf[HMU_UEVENT_BUFFER_SIZE];
	int len;

	(void)state;
	len = hmu_uevent_format(&ue, buf, sizeof(buf));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(hmu_uevent_parse(buf, (size_t)len, &back), 0);
	assert_string_equal(back.action, "add");
	assert_string_equal(back.devpath, "/devices/system/memory/memory32");
	assert_string_equal(back.subsystem, "memory");
	assert_int_equal(back.seqnum, 1234);

	/* without SEQNUM: what the kernel's injection path wants */
	ue.seqnum = 0;
	len = hmu_uevent_format(&ue, buf, sizeof(buf));
	assert_int_equal(len, sizeof(want) - sizeof("SEQNUM=1234"));
	assert_int_equal(hmu_uevent_format(&ue, buf, 20), -ENOSPC);
}

static void test_parse_rejects(void **state)
{
	static const char mismatch[] = "add@/devices/system/memory/memory1\0ACTION=remove\0"
				       "DEVPATH=/devices/system/memory/memory1\0SUBSYSTEM=memory";
	static const char noterm[] = { 'a', 'd', 'd', '@', 'x' };
	struct hmu_uevent ue;

	(void)state;
	assert_int_equal(hmu_uevent_parse(mismatch, sizeof(mismatch), &ue), -EINVAL);
	assert_int_equal(hmu_uevent_parse(noterm, sizeof(noterm), &ue), -EINVAL);
	{ /* longer than UEVENT_BUFFER_SIZE: the kernel never sends that */
		static char big[HMU_UEVENT_BUFFER_SIZE + 64];
		struct hmu_uevent ok = { "add", "/devices/system/memory/memory1", "memory", 0, NULL };
		int len = hmu_uevent_format(&ok, big, sizeof(big));

		assert_true(len > 0);
		assert_int_equal(hmu_uevent_parse(big, (size_t)len, &ue), 0);
		assert_int_equal(hmu_uevent_parse(big, sizeof(big), &ue), -EINVAL);
	}
	assert_true(hmu_kobject_action_type("change", 6) >= 0);
	assert_true(hmu_kobject_action_type("online", 6) >= 0);
	assert_int_equal(hmu_kobject_action_type("chang", 5), -EINVAL);
	assert_int_equal(hmu_kobject_action_type("garbage", 7), -EINVAL);
}

static const char *req_str(int argc, char **argv)
{
	static char out[512];
	json_object *req;
	char err[128];

	if (hmfs_ctlargs_request(argc, argv, &req, err, sizeof(err)))
		return NULL;
	strncpy(out, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), sizeof(out) - 1);
	json_object_put(req);
	return out;
}

static void test_ctlargs(void **state)
{
	char *a1[] = { "device_add", "pc-dimm,id=d1,size=1G", "node=0" };
	char *a2[] = { "device_add", "pc-dimm", "size=1G" };
	char *a3[] = { "device_del", "d1" };
	char *a4[] = { "set-size", "vm0", "512M" };
	char *a5[] = { "online", "40", "online_movable" };
	char *a6[] = { "offline", "40" };
	char *a7[] = { "device_del", "d1", "d2" };
	char *a8[] = { "status" };

	(void)state;
	assert_string_equal(
		req_str(3, a1),
		"{\"execute\":\"device_add\",\"arguments\":{\"return-device\":\"true\",\"driver\":\"pc-dimm\",\"id\":\"d1\",\"size\":\"1G\",\"node\":\"0\"}}");
	assert_string_equal(
		req_str(3, a2),
		"{\"execute\":\"device_add\",\"arguments\":{\"return-device\":\"true\",\"driver\":\"pc-dimm\",\"size\":\"1G\"}}");
	/* hotmem's "wait": hotmemctl's device_del answers once the eject is over */
	assert_string_equal(req_str(2, a3),
			    "{\"execute\":\"device_del\",\"arguments\":{\"wait\":\"true\",\"id\":\"d1\"}}");
	assert_string_equal(
		req_str(3, a4),
		/* the number, as QEMU takes it (a string is refused: "expects uint64") */
		"{\"execute\":\"qom-set\",\"arguments\":{\"property\":\"requested-size\",\"path\":\"vm0\",\"value\":536870912}}");
	assert_string_equal(
		req_str(3, a5),
		"{\"execute\":\"block-set-state\",\"arguments\":{\"state\":\"online_movable\",\"block\":\"40\"}}");
	assert_string_equal(
		req_str(2, a6),
		"{\"execute\":\"block-set-state\",\"arguments\":{\"state\":\"offline\",\"block\":\"40\"}}");
	assert_null(req_str(3, a7));
	assert_string_equal(req_str(1, a8), "{\"execute\":\"status\",\"arguments\":{}}");
}

/* one reading of seconds for hotmemctl and hotmemfs: what one refuses, the other does */
static void test_ctlargs_seconds(void **state)
{
	static const char *const good[] = { "0", "2.5", "120", "0x10", "86400", "007", "0X1F" };
	/* strtod() took a blank, a sign, an exponent, a hex float (usereye8) */
	static const char *const bad[] = { "", "abc", "-1", "86401", "1e9", "nan", "inf", "5s",
					   "1e-400", " 5", "+5", "1e2", "0x1p3", "5.", ".5", "0x",
					   "5\n", "0x+5", "0x10 " };
	double s;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(hmfs_ctlargs_seconds(good[i], &s), 0);
	assert_int_equal(hmfs_ctlargs_seconds("2.5", &s), 0);
	assert_true(s == 2.5);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hmfs_ctlargs_seconds(bad[i], &s), -EINVAL);
}

/* a positional value too many: what the command takes, said */
static void test_ctlargs_too_many(void **state)
{
	char *a1[] = { "device_del", "d1", "d2" };
	char *a2[] = { "status", "x" };
	json_object *req;
	char err[128];

	(void)state;
	assert_int_equal(hmfs_ctlargs_request(3, a1, &req, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unexpected argument 'd2' (takes id, then KEY=VALUE items)");
	assert_int_equal(hmfs_ctlargs_request(2, a2, &req, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unexpected argument 'x' (takes KEY=VALUE items only)");
}

/*
 * A block command's malformed value refused here, saying which and what
 * it must be: a usage error, never sent (hotmemfs would refuse it too,
 * but only once reached, exit status 1)
 */
static void test_ctlargs_values(void **state)
{
	static const struct {
		int argc;
		char *argv[4];
		const char *err; /* NULL: taken */
	} cases[] = {
		{ 2, { "offline", "abc" }, "bad block 'abc': a block number, 0 or more, decimal as in memoryN (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 2, { "offline", "-1" }, "bad block '-1': a block number, 0 or more, decimal as in memoryN (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 2, { "offline", "99999999999999999999" }, "bad block '99999999999999999999': a block number, 0 or more, decimal as in memoryN (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 2, { "offline", "block=1x" }, "bad block '1x': a block number, 0 or more, decimal as in memoryN (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 3, { "offline", "3", "timeout=soon" }, "bad timeout 'soon': milliseconds, 0 or more (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 3, { "online", "3", "bogus" }, "bad state 'bogus': online, online_kernel or online_movable (online BLOCK [online|online_kernel|online_movable]; hotmemctl --help)" },
		/* online's state is no offline: `online 3 offline` offlined block 3 */
		{ 3, { "online", "3", "offline" }, "bad state 'offline': online, online_kernel or online_movable (online BLOCK [online|online_kernel|online_movable]; hotmemctl --help)" },
		{ 3, { "online", "3", "online_kernel\n" }, NULL },
		{ 3, { "block-set-state", "x", "online" }, "bad block 'x': a block number, 0 or more, decimal as in memoryN (block-set-state BLOCK STATE; hotmemctl --help)" },
		{ 3, { "explain", "3", "from=zz" }, "bad from 'zz': a pfn, 0 or more (explain BLOCK [--all] [from=PFN]; hotmemctl --help)" },
		{ 3, { "explain", "3", "all=maybe" }, "bad all 'maybe': on or off (yes, no, 1, 0, true, false) (explain BLOCK [--all] [from=PFN]; hotmemctl --help)" },
		/*
		 * a block is memoryN's N: decimal, no leading 0 -- "010" was
		 * strtoll()'s octal memory8, "08" refused, "0x20" memory32
		 * (usereye7 #1)
		 */
		{ 2, { "offline", "010" }, "bad block '010': a block number, 0 or more, decimal as in memoryN, without a leading 0 (is 010 decimal, C's octal or a phys_index's hex?) (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 2, { "online", "08" }, "bad block '08': a block number, 0 or more, decimal as in memoryN, without a leading 0 (is 08 decimal, C's octal or a phys_index's hex?) (online BLOCK [online|online_kernel|online_movable]; hotmemctl --help)" },
		{ 2, { "explain", "0x20" }, "bad block '0x20': a block number, 0 or more, decimal as in memoryN, not hex (0x20 is 32) (explain BLOCK [--all] [from=PFN]; hotmemctl --help)" },
		{ 3, { "block-set-state", "+3", "online" }, "bad block '+3': a block number, 0 or more, decimal as in memoryN (block-set-state BLOCK STATE; hotmemctl --help)" },
		{ 2, { "offline", "0" }, NULL },
		{ 2, { "offline", "10" }, NULL },
		/* what hotmemfs takes, taken: a state's trailing newline as sysfs's */
		{ 3, { "offline", "3", "timeout=1000" }, NULL },
		{ 3, { "online", "3", "online_movable" }, NULL },
		{ 3, { "block-set-state", "3", "offline\n" }, NULL },
		{ 3, { "explain", "0", "from=0x1000" }, NULL },
		/* the other numbers: decimal, zero-padded too, or 0x hex (a pfn is hex where printed) */
		{ 3, { "offline", "3", "timeout=010" }, NULL },
		{ 3, { "alloc", "movable", "0x10" }, NULL },
		{ 3, { "alloc", "movable", "08" }, NULL },
		{ 3, { "explain", "0", "from=09" }, NULL },
		/* the other commands that take numbers and words: ctl.c's ranges */
		{ 3, { "alloc", "movabel", "10" }, "bad type 'movabel': movable, unmovable or pinned (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		{ 3, { "alloc", "movable", "0" }, "bad pages '0': a number of pages, 1 or more (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		{ 4, { "alloc", "movable", "1", "node=-2" }, "bad node '-2': a node number, or -1 for any (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		{ 4, { "alloc", "pinned", "1024", "node=-1" }, NULL },
		/* a count is a number, not a size: 4M pages were 4 Mi pages, 16 GiB (review13 N6) */
		/* the kernel's kstrtoll(): no blank before the number (strtoll() took it) */
		{ 3, { "alloc", "movable", " 5" }, "bad pages ' 5': a number of pages, 1 or more (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		{ 3, { "alloc", "movable", "4M" }, "bad pages '4M': a number of pages, 1 or more, not a size (no K, M, G, T suffix) (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		{ 2, { "hugetlb", "1K" }, "bad pages '1K': a number of huge pages, negative to free, not a size (no K, M, G, T suffix) (hugetlb PAGES [node=N]; hotmemctl --help)" },
		{ 2, { "fail-nth-alloc", "1M" }, "bad nth '1M': a count, 0 or more, not a size (no K, M, G, T suffix) (fail-nth-alloc N; hotmemctl --help)" },
		{ 2, { "offline", "1K" }, "bad block '1K': a block number, 0 or more, decimal as in memoryN, not a size (no K, M, G, T suffix) (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 3, { "offline", "3", "timeout=1K" }, "bad timeout '1K': milliseconds, 0 or more, not a size (no K, M, G, T suffix) (offline BLOCK [timeout=MS]; hotmemctl --help)" },
		{ 4, { "alloc", "movable", "1", "node=1K" }, "bad node '1K': a node number, or -1 for any, not a size (no K, M, G, T suffix) (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		{ 3, { "explain", "3", "from=4K" }, "bad from '4K': a pfn, 0 or more, not a size (no K, M, G, T suffix) (explain BLOCK [--all] [from=PFN]; hotmemctl --help)" },
		/* ... and sizes keep theirs */
		{ 3, { "set-size", "vm0", "1G" }, NULL },
		{ 3, { "set-size", "vm0", "1X" }, "bad size '1X': a size, 128M, 1G or 0x8000000 (set-size ID SIZE; hotmemctl --help)" },
		{ 3, { "device_add", "pc-dimm", "size=1G" }, NULL },
		/* a number the command needs, missing: asked for, not 0 (review12 N3) */
		{ 1, { "hugetlb" }, "which pages? (hugetlb PAGES [node=N]; hotmemctl --help)" },
		{ 1, { "fail-nth-alloc" }, "which nth? (fail-nth-alloc N; hotmemctl --help)" },
		{ 2, { "inject", "MEM_GOING_ONLINE" }, "which error? (inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO; hotmemctl --help)" },
		{ 1, { "inject" }, "which action? (inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO; hotmemctl --help)" },
		{ 2, { "hugetlb", "node=1" }, "which pages? (hugetlb PAGES [node=N]; hotmemctl --help)" },
		{ 2, { "hugetlb", "lots" }, "bad pages 'lots': a number of huge pages, negative to free (hugetlb PAGES [node=N]; hotmemctl --help)" },
		{ 3, { "hugetlb", "-16", "node=2147483648" }, "bad node '2147483648': a node number, or -1 for any (hugetlb PAGES [node=N]; hotmemctl --help)" },
		{ 3, { "hugetlb", "-16", "node=1" }, NULL },
		{ 2, { "fail-nth-alloc", "-1" }, "bad nth '-1': a count, 0 or more (fail-nth-alloc N; hotmemctl --help)" },
		{ 3, { "inject", "MEM_ONLINE", "-16" }, "bad action 'MEM_ONLINE': MEM_GOING_ONLINE or MEM_GOING_OFFLINE (inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO; hotmemctl --help)" },
		{ 3, { "inject", "MEM_GOING_ONLINE", "16" }, "bad error '16': 0 or a negative errno (inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO; hotmemctl --help)" },
		{ 3, { "inject", "MEM_GOING_OFFLINE", "-16" }, NULL },
		/* a prefix of a word is not the word */
		{ 3, { "alloc", "mov", "1" }, "bad type 'mov': movable, unmovable or pinned (alloc movable|unmovable|pinned PAGES [node=N]; hotmemctl --help)" },
		/* other commands' values are hotmemfs's to judge */
		{ 2, { "device_del", "1x" }, NULL },
	};
	json_object *req;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *argv[4];
		int ret;

		memcpy(argv, cases[i].argv, sizeof(argv));
		ret = hmfs_ctlargs_request(cases[i].argc, argv, &req, err, sizeof(err));
		if (!cases[i].err) {
			assert_int_equal(ret, 0);
			json_object_put(req);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_string_equal(err, cases[i].err);
	}
}

/* the server's integers (ctl.c's arg_int()) and the client's are one reading */
static void test_ctlargs_int(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(hmfs_ctlargs_int("12", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(hmfs_ctlargs_int("0x1f", &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(hmfs_ctlargs_int("-1", &v), 0);
	assert_int_equal(v, -1);
	/* a count, never a size (review13 N6) */
	assert_int_equal(hmfs_ctlargs_int("1K", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("4M", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("0x10", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(hmfs_ctlargs_int("", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("abc", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("1x", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("99999999999999999999", &v), -EINVAL);
	/* a leading 0 is zero-padded decimal, never strtoll()'s octal (usereye7 #1) */
	assert_int_equal(hmfs_ctlargs_int("010", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(hmfs_ctlargs_int("08", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(hmfs_ctlargs_int("-010", &v), 0);
	assert_int_equal(v, -10);
	assert_int_equal(hmfs_ctlargs_int("-0x10", &v), 0);
	assert_int_equal(v, -16);
	assert_int_equal(hmfs_ctlargs_int("0X1F", &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(hmfs_ctlargs_int("0x", &v), -EINVAL);
	/*
	 * the kernel's kstrtoll(): no blank before (strtoll() took " 5"), a
	 * '+' but one sign only, one '\n' after as a sysfs write has it
	 */
	assert_int_equal(hmfs_ctlargs_int(" 5", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("\t5", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("- 5", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("-+5", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("5 ", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("5\n\n", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_int("+5", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(hmfs_ctlargs_int("5\n", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(hmfs_ctlargs_int("-9223372036854775808", &v), 0);
	assert_int_equal(v, LLONG_MIN);
	assert_int_equal(hmfs_ctlargs_int("9223372036854775808", &v), -EINVAL);
	/* QEMU's -device node= and slot=: its base 0, octal as QEMU reads it */
	assert_int_equal(hmfs_ctlargs_int_base("010", 0, &v), 0);
	assert_int_equal(v, 8);
	/* a block: memoryN's N, digits and no leading 0 */
	assert_int_equal(hmfs_ctlargs_block("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(hmfs_ctlargs_block("32", &v), 0);
	assert_int_equal(v, 32);
	assert_int_equal(hmfs_ctlargs_block("010", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_block("00", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_block("0x20", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_block("-1", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_block(" 3", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_block("", &v), -EINVAL);
	assert_int_equal(hmfs_ctlargs_block("99999999999999999999", &v), -EINVAL);
}

/*
 * What a lost reply leaves unknown: the commands that may change the
 * machine, from hotmemfs's own table (ctlcmds.h), not a hand list of
 * hotmemctl's (review13 N4); none of them for a command not in it
 */
static void test_ctlargs_changes(void **state)
{
	static const char *const changes[] = { "device_add", "device_del", "qom-set", "vmem-retry",
					       "block-set-state", "alloc", "free-all", "hugetlb",
					       "inject", "fail-nth-alloc", "save" };
	static const char *const looks[] = { "status", "query-memory-devices", "qom-get",
					     "check-invariants", "dmesg", "explain", "settle",
					     "events", "query-commands", "bogus", "" };

	(void)state;
	for (size_t i = 0; i < sizeof(changes) / sizeof(*changes); i++)
		assert_true(hmfs_ctlargs_changes(changes[i]));
	for (size_t i = 0; i < sizeof(looks) / sizeof(*looks); i++)
		assert_false(hmfs_ctlargs_changes(looks[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_ctlargs),
		cmocka_unit_test(test_ctlargs_seconds),
		cmocka_unit_test(test_ctlargs_too_many),
		cmocka_unit_test(test_ctlargs_values),
		cmocka_unit_test(test_ctlargs_int),
		cmocka_unit_test(test_ctlargs_changes),
	};
	return cmocka_run_group_tests_name("fusefs_uevent_ctlargs", tests, NULL, NULL);
}
