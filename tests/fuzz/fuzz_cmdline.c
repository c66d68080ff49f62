// SPDX-License-Identifier: GPL-2.0
/* The kernel command line parser: accepts, or refuses with a message, never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hotmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hotmem_config cfg, before;
	char *s = malloc(size + 1), err[256] = "";
	int ret;

	memcpy(s, data, size);
	s[size] = '\0';
	hotmem_config_default(&cfg);
	before = cfg;
	ret = hotmem_config_parse_cmdline(&cfg, s, err, sizeof(err));
	if (ret) {
		/* refused: named, and nothing changed */
		if (!err[0] || memcmp(&cfg, &before, sizeof(cfg)))
			abort();
	} else if (hotmem_config_validate(&cfg, err, sizeof(err))) {
		abort();	/* an accepted command line is a bootable machine */
	}
	free(s);
	return 0;
}
