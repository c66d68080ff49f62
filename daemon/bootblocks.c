// SPDX-License-Identifier: MIT
/*
 * hotmemd: which blocks are boot memory, and the state_dir/boot-blocks file.
 *
 * boot_blocks = LIST names them; boot_blocks = auto takes the blocks online
 * when hotmemd first ran since boot and remembers them, with the zone
 * offsets anchored then (blocks.c), in state_dir/boot-blocks.  A dry run
 * reads that file but never creates it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "hotmemd.h"

/* id in a sysfs list like "0-23,32-199" (boot_blocks, node/possible) */
bool hmd_in_list(const char *s, unsigned long id)
{
	unsigned long a, b;
	char *end;

	while (*s) {
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (id >= a && id <= b)
			return true;
		if (*end != ',')
			break;
		s = end + 1;
	}
	return false;
}

static void format_list(struct hmd *d, FILE *f)
{
	unsigned long i, start = 0;
	bool in = false, first = true;

	for (i = 0; i <= d->nblk; i++) {
		bool boot = i < d->nblk && d->blk[i].present && d->blk[i].boot;

		if (boot && !in) {
			start = i;
			in = true;
		} else if (!boot && in) {
			fprintf(f, "%s%lu", first ? "" : ",", start);
			if (i - 1 > start)
				fprintf(f, "-%lu", i - 1);
			first = false;
			in = false;
		}
	}
	fputc('\n', f);
}

/*
 * state_dir/boot-blocks: line 1 the boot block list, then one line per node
 * "node N kernel_offset K movable_offset M".  Both describe boot memory, so
 * they hold until reboot (/run is then empty); restarts and rescans reuse
 * them instead of re-reading zoneinfo, which on a plain-file sysroot never
 * changes.
 */
static void save_state(struct hmd *d, const char *path)
{
	char tmp[HMD_PATH_MAX + 64];
	FILE *f;
	int n;

	if (mkdir(d->cfg.state_dir, 0755) && errno != EEXIST)
		goto fail;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		goto fail;
	format_list(d, f);
	for (n = 0; n < d->nr_nodes && n < HMD_MAX_NODES; n++)
		fprintf(f, "node %d kernel_offset %ld movable_offset %ld\n", n, d->kernel_offset[n],
			d->movable_offset[n]);
	if (fclose(f) || rename(tmp, path))
		goto fail;
	return;
fail:
	hmd_log(d, LOG_WARNING, "cannot remember boot memory in %s: %m", path);
}

static bool load_state(struct hmd *d, const char *path, char *list, size_t len)
{
	char line[128];
	long k, m;
	int n;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(list, len, f)) {
		fclose(f);
		return false;
	}
	list[strcspn(list, "\n")] = '\0';
	memset(d->kernel_offset, 0, sizeof(d->kernel_offset));
	memset(d->movable_offset, 0, sizeof(d->movable_offset));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "node %d kernel_offset %ld movable_offset %ld", &n, &k, &m) != 3 ||
		    n < 0 || n >= HMD_MAX_NODES)
			continue;
		d->kernel_offset[n] = k;
		d->movable_offset[n] = m;
		if (n + 1 > d->nr_nodes)
			d->nr_nodes = n + 1;
	}
	fclose(f);
	return true;
}

void hmd_mark_boot_blocks(struct hmd *d)
{
	char path[HMD_PATH_MAX + 32], list[4096] = "";
	const char *spec = d->cfg.boot_blocks;
	bool auto_spec = !strcmp(spec, "auto");
	bool have = false;
	unsigned long i;

	snprintf(path, sizeof(path), "%s/boot-blocks", d->cfg.state_dir);
	if (d->cfg.state_dir[0])
		have = load_state(d, path, list, sizeof(list));
	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];

		if (!b->present)
			continue;
		if (!auto_spec)
			b->boot = hmd_in_list(spec, i);
		else if (have)
			b->boot = hmd_in_list(list, i);
		else
			b->boot = b->online; /* first run since boot */
	}
	hmd_blocks_recount(d);
	if (have)
		return;
	hmd_anchor_zoneinfo(d);
	if (!d->cfg.state_dir[0])
		return;
	/*
	 * A dry run reads an anchor but never makes one: the next real start
	 * trusts this file as boot memory, and a dry run made after memory
	 * was hot-added and onlined would record that memory as boot memory.
	 */
	if (d->cfg.dry_run) {
		hmd_log(d, LOG_INFO, "dry run: boot memory not recorded in %s", path);
		return;
	}
	save_state(d, path);
}
