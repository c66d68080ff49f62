// SPDX-License-Identifier: MIT
/* hotmemd uevent parsing: the kernel's wire format, and what to ignore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <cmocka.h>

#include "hotmemd.h"

/* build "a|b|c|" with | as NUL */
static size_t wire(char *buf, const char *text)
{
	size_t i, n = strlen(text);

	for (i = 0; i < n; i++)
		buf[i] = text[i] == '|' ? '\0' : text[i];
	return n;
}

static int parse(const char *text, struct hmd_uevent *ev)
{
	char buf[1024];

	return hmd_uevent_parse(buf, wire(buf, text), ev);
}

static void test_kernel_add(void **state)
{
	struct hmd_uevent ev;

	assert_int_equal(parse("add@/devices/system/memory/memory32|ACTION=add|"
			       "DEVPATH=/devices/system/memory/memory32|SUBSYSTEM=memory|"
			       "SEQNUM=1234|",
			       &ev),
			 0);
	assert_string_equal(ev.action, "add");
	assert_int_equal(ev.block, 32);
	assert_int_equal(ev.seqnum, 1234);
}

static void test_online_offline_remove(void **state)
{
	struct hmd_uevent ev;

	assert_int_equal(parse("online@/devices/system/memory/memory7|ACTION=online|"
			       "DEVPATH=/devices/system/memory/memory7|SUBSYSTEM=memory|",
			       &ev),
			 0);
	assert_string_equal(ev.action, "online");
	assert_int_equal(parse("remove@/devices/system/memory/memory4096|SUBSYSTEM=memory|"
			       "DEVPATH=/devices/system/memory/memory4096|ACTION=remove|",
			       &ev),
			 0);
	assert_int_equal(ev.block, 4096);
}

static void test_ignored(void **state)
{
	struct hmd_uevent ev;
	char buf[64];

	/* other subsystem: its SEQNUM kept, a sender's numbers run through it (missed.c) */
	assert_int_equal(parse("add@/devices/system/cpu/cpu1|ACTION=add|"
			       "DEVPATH=/devices/system/cpu/cpu1|SUBSYSTEM=cpu|SEQNUM=77|",
			       &ev),
			 -EINVAL);
	assert_int_equal(ev.seqnum, 77);
	assert_int_equal(parse("add@/devices/system/cpu/cpu1|ACTION=add|"
			       "DEVPATH=/devices/system/cpu/cpu1|SUBSYSTEM=cpu|",
			       &ev),
			 -EINVAL);
	assert_int_equal(ev.seqnum, 0);
	/* the memory subsystem's own directory, not a block */
	assert_int_equal(parse("change@/devices/system/memory|ACTION=change|"
			       "DEVPATH=/devices/system/memory|SUBSYSTEM=memory|",
			       &ev),
			 -EINVAL);
	/* udev's re-broadcast */
	assert_int_equal(parse("libudev|garbage|", &ev), -EINVAL);
	/* header disagrees with the keys */
	assert_int_equal(parse("add@/devices/system/memory/memory1|ACTION=remove|"
			       "DEVPATH=/devices/system/memory/memory1|SUBSYSTEM=memory|",
			       &ev),
			 -EINVAL);
	assert_int_equal(parse("add@/devices/system/memory/memory1|ACTION=add|"
			       "DEVPATH=/devices/system/memory/memory2|SUBSYSTEM=memory|",
			       &ev),
			 -EINVAL);
	/* missing keys, trailing junk in the id, not NUL-terminated */
	assert_int_equal(parse("add@/devices/system/memory/memory1|ACTION=add|", &ev), -EINVAL);
	assert_int_equal(parse("add@/devices/system/memory/memory1x|ACTION=add|"
			       "DEVPATH=/devices/system/memory/memory1x|SUBSYSTEM=memory|",
			       &ev),
			 -EINVAL);
	strcpy(buf, "add@/devices/system/memory/memory1");
	assert_int_equal(hmd_uevent_parse(buf, strlen(buf), &ev), -EINVAL);
	assert_int_equal(hmd_uevent_parse(buf, 0, &ev), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_add),
		cmocka_unit_test(test_online_offline_remove),
		cmocka_unit_test(test_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
