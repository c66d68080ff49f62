// SPDX-License-Identifier: GPL-2.0
/*
 * fusefs/crc32.c: the state file's CRC-32 is zlib's (the tests edit state
 * files with Python's zlib.crc32()) and, from its table, the same as the
 * bitwise loop it replaced, for every byte value and for texts of every
 * length up to a few records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"

/* the definition, a bit at a time: what hmfs_crc32() computed until 2026-12-01 */
static uint32_t crc32_bitwise(const char *s, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned char)s[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* CRC-32's check value ("123456789"), and zlib.crc32() of a journal line's kind of text */
static void test_known_values(void **state)
{
	const char *rec = "{\"seq\":1,\"block\":{\"id\":32,\"state\":\"online\"}}";

	(void)state;
	assert_int_equal(hmfs_crc32("", 0), 0);
	assert_int_equal(hmfs_crc32("123456789", 9), 0xcbf43926u);
	assert_int_equal(hmfs_crc32("a", 1), 0xe8b7be43u);
	assert_int_equal(hmfs_crc32(rec, strlen(rec)), crc32_bitwise(rec, strlen(rec)));
}

/* each byte value alone, and texts of 0..4096 bytes of a running pattern with high bytes */
static void test_table_is_the_bitwise_loop(void **state)
{
	static char buf[4096];
	char c[1];

	(void)state;
	for (int b = 0; b < 256; b++) {
		c[0] = (char)b;
		assert_int_equal(hmfs_crc32(c, 1), crc32_bitwise(c, 1));
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131u + (i >> 3));
	for (size_t len = 0; len <= sizeof(buf); len += len < 64 ? 1 : 61)
		assert_int_equal(hmfs_crc32(buf, len), crc32_bitwise(buf, len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_table_is_the_bitwise_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
