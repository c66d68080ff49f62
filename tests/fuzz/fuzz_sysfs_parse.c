// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's little sysfs parsers (fusefs/sysfs_parse.c): every one of
 * them on every input, the way a store sees it (hmfs_write_buf(): one
 * page, NUL-terminated), with the properties they promise checked.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                     \
	do {                                                                         \
		if (!(c)) {                                                          \
			fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__, __LINE__, #c); \
			abort();                                                     \
		}                                                                    \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[HMFS_PAGE_SIZE + 1];
	static const char *const arr[] = { "contig-zones", "auto-movable", NULL };
	unsigned long long ull;
	unsigned int ui, base;
	const char *out;
	uint64_t u64;
	size_t n, sl;
	char small[32], list[256];
	bool b;
	int ret;

	if (size < 1)
		return 0;
	base = data[0] % 3 == 0 ? 0 : data[0] % 3 == 1 ? 10 : 16;
	n = hmfs_write_buf(buf, (const char *)data + 1, size - 1);
	CHECK(n <= HMFS_PAGE_SIZE && n == (size - 1 < HMFS_PAGE_SIZE ? size - 1 : HMFS_PAGE_SIZE));
	CHECK(buf[n] == '\0');

	ret = hmu_kstrtobool(buf, &b);
	CHECK(ret == 0 || ret == -EINVAL);

	ret = hmu_online_type_from_str(buf);
	CHECK(ret == -EINVAL || (ret >= 0 && hmu_online_type_names[ret]));
	if (ret >= 0)
		CHECK(hmu_sysfs_streq(buf, hmu_online_type_names[ret]));

	ret = hmu_sysfs_match_string(arr, buf);
	CHECK(ret == -EINVAL || ret == 0 || ret == 1);

	ret = hmu_kstrtoull(buf, base, &ull);
	CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (!ret && base == 10) {
		/* a decimal that parsed prints back as itself (modulo '+' and zeros) */
		char back[32];

		snprintf(back, sizeof(back), "%llu", ull);
		CHECK(!hmu_kstrtoull(back, 10, &ull));
	}
	ret = hmu_kstrtouint(buf, base, &ui);
	CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);

	ret = hmu_memparse(buf, &u64);
	CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (!ret) {
		hmfs_size_str(u64, small, sizeof(small));
		CHECK(strlen(small) < sizeof(small));
	}
	/* tiny output buffers must be cut, never overrun */
	hmfs_size_str(u64, small, 1 + data[0] % 8);

	ret = hmfs_nodelist((const unsigned char *)data, (int)((size < 128 ? size : 128) * 8), list,
			    1 + data[0] % sizeof(list));
	CHECK(ret >= 0 || ret == -ENOSPC || ret == -EINVAL || ret == -E2BIG);

	sl = hmfs_slice(buf, n, (off_t)(data[0] * 17), size, &out);
	CHECK(sl <= n);
	if (sl)
		CHECK(out >= buf && out + sl <= buf + n);
	return 0;
}
