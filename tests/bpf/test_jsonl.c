// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace: the JSON-lines reader */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "jsonl.h"

static void test_flat_object(void **state)
{
	struct jsonl_obj o;

	assert_int_equal(jsonl_parse("{\"ts\":12,\"ev\":\"online_pages\",\"ret\":-16,"
				     "\"zone\":null,\"ok\":true,\"f\":1.5}",
				     &o),
			 0);
	assert_int_equal(o.n, 6);
	assert_int_equal(jsonl_num(&o, "ts", 0), 12);
	assert_string_equal(jsonl_str(&o, "ev", ""), "online_pages");
	assert_int_equal(jsonl_num(&o, "ret", 0), -16);
	assert_string_equal(jsonl_str(&o, "zone", "none"), "none");
	assert_int_equal(jsonl_num(&o, "ok", 0), 1);
	assert_true(jsonl_get(&o, "f")->dbl == 1.5);
	assert_null(jsonl_get(&o, "missing"));
	assert_int_equal(jsonl_num(&o, "missing", 7), 7);
}

static void test_escapes_and_space(void **state)
{
	struct jsonl_obj o;

	assert_int_equal(jsonl_parse("  { \"comm\" : \"a\\\"b\\\\c\\u0041\" , \"n\" : 0 }\n", &o),
			 0);
	assert_string_equal(jsonl_str(&o, "comm", ""), "a\"b\\cA");
	assert_int_equal(jsonl_parse("{}", &o), 0);
	assert_int_equal(o.n, 0);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"[1]",
		"{\"a\":1",
		"{\"a\" 1}",
		"{\"a\":{\"b\":1}}",
		"{\"a\":[1]}",
		"{\"a\":1,}",
		"{\"a\":nope}",
		"{a:1}",
		"{\"a\":1} trailing",
		"{\"a\":\"\\q\"}",
		"GUEST: hello",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jsonl_obj o;

		if (jsonl_parse(bad[i], &o) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void test_long_values_cut(void **state)
{
	char line[512], big[200];
	struct jsonl_obj o;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(line, sizeof(line), "{\"s\":\"%s\"}", big);
	assert_int_equal(jsonl_parse(line, &o), 0);
	assert_int_equal(strlen(jsonl_str(&o, "s", "")), JSONL_STR_LEN - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_object),
		cmocka_unit_test(test_escapes_and_space),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_long_values_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
