/*
 * A program of libhotmem.a as docs/engine.md "Linking it" has one: it
 * boots the default machine (tests/docs/engine-link.t, engine-pkgconfig.t)
 */
#include <stdio.h>
#include <hotmem/hotmem.h>

int main(void)
{
	struct hotmem_config cfg;
	struct hotmem *hm;
	char err[256];

	hotmem_config_default(&cfg);
	if (hotmem_create(&cfg, &hm, err, sizeof(err))) {
		printf("create: %s\n", err);
		return 1;
	}
	printf("booted: %lu blocks\n", (unsigned long)hotmem_nr_blocks(hm));
	hotmem_destroy(hm);
	return 0;
}
