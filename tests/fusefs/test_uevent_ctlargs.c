// SPDX-License-Identifier: GPL-2.0
/* uevent wire format (docs/hotmemd.md contract) and hotmemctl arguments. */
#include <errno.h>
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
	struct hmfs_uevent ue = { "add", "/devices/system/memory/memory32", "memory", 1234 };
	struct hmfs_uevent back;
	char buf[HMFS_UEVENT_BUFFER_SIZE];
	int len;

	(void)state;
	len = hmfs_uevent_format(&ue, buf, sizeof(buf));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(hmfs_uevent_parse(buf, (size_t)len, &back), 0);
	assert_string_equal(back.action, "add");
	assert_string_equal(back.devpath, "/devices/system/memory/memory32");
	assert_string_equal(back.subsystem, "memory");
	assert_int_equal(back.seqnum, 1234);

	/* without SEQNUM: what the kernel's injection path wants */
	ue.seqnum = 0;
	len = hmfs_uevent_format(&ue, buf, sizeof(buf));
	assert_int_equal(len, sizeof(want) - sizeof("SEQNUM=1234"));
	assert_int_equal(hmfs_uevent_format(&ue, buf, 20), -ENOSPC);
}

static void test_parse_rejects(void **state)
{
	static const char mismatch[] = "add@/devices/system/memory/memory1\0ACTION=remove\0"
				       "DEVPATH=/devices/system/memory/memory1\0SUBSYSTEM=memory";
	static const char noterm[] = { 'a', 'd', 'd', '@', 'x' };
	struct hmfs_uevent ue;

	(void)state;
	assert_int_equal(hmfs_uevent_parse(mismatch, sizeof(mismatch), &ue), -EINVAL);
	assert_int_equal(hmfs_uevent_parse(noterm, sizeof(noterm), &ue), -EINVAL);
	assert_true(hmfs_uevent_action_valid("change", 6));
	assert_true(hmfs_uevent_action_valid("online", 6));
	assert_false(hmfs_uevent_action_valid("chang", 5));
	assert_false(hmfs_uevent_action_valid("garbage", 7));
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
		"{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"pc-dimm\",\"id\":\"d1\",\"size\":\"1G\",\"node\":\"0\"}}");
	assert_string_equal(
		req_str(3, a2),
		"{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"pc-dimm\",\"size\":\"1G\"}}");
	assert_string_equal(req_str(2, a3),
			    "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"d1\"}}");
	assert_string_equal(
		req_str(3, a4),
		"{\"execute\":\"qom-set\",\"arguments\":{\"property\":\"requested-size\",\"path\":\"vm0\",\"value\":\"512M\"}}");
	assert_string_equal(
		req_str(3, a5),
		"{\"execute\":\"block-set-state\",\"arguments\":{\"state\":\"online_movable\",\"block\":\"40\"}}");
	assert_string_equal(
		req_str(2, a6),
		"{\"execute\":\"block-set-state\",\"arguments\":{\"state\":\"offline\",\"block\":\"40\"}}");
	assert_null(req_str(3, a7));
	assert_string_equal(req_str(1, a8), "{\"execute\":\"status\",\"arguments\":{}}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_ctlargs),
	};
	return cmocka_run_group_tests_name("fusefs_uevent_ctlargs", tests, NULL, NULL);
}
