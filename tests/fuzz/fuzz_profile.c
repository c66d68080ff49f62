// SPDX-License-Identifier: GPL-2.0
/* Profile files: accepted ones validate, refused ones say why and change nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hotmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hotmem_config cfg, before;
	char *s = malloc(size + 1), err[256] = "";
	uint64_t v;

	memcpy(s, data, size);
	s[size] = '\0';
	hotmem_config_default(&cfg);
	before = cfg;
	if (hotmem_config_parse_text(&cfg, s, err, sizeof(err))) {
		if (!err[0] || memcmp(&cfg, &before, sizeof(cfg)))
			abort();
	} else if (hotmem_config_validate(&cfg, err, sizeof(err))) {
		abort();
	}
	hotmem_memparse(s, &v);
	free(s);
	return 0;
}
