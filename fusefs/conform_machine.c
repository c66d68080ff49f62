// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: what a cell reads of the entered machine -- the memory
 * blocks listed and their states and zones, /proc/zoneinfo's present
 * pages, the kernel command line -- and of an agent's log.  Only ever the
 * emulated machine: a cell refuses to run where /sys/devices/system/memory
 * is not hotmemfs (conform_machine_is_emulated()).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "conform.h"
#include "uapi/hmuapi.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* "memory32" -> 32; the directory's other entries (probe, power...) are not blocks */
static bool block_name(const char *name, unsigned long *nr)
{
	char *end;

	if (strncmp(name, "memory", 6) || !isdigit((unsigned char)name[6]))
		return false;
	errno = 0;
	*nr = strtoul(name + 6, &end, 10);
	return !*end && !errno;
}

int conform_list_blocks(struct conform_blocks *b)
{
	size_t cap = 0;
	struct dirent *de;
	unsigned long nr, *p;
	DIR *d;
	int ret = 0;

	*b = (struct conform_blocks){ 0 };
	d = opendir(CONFORM_MEM);
	if (!d) {
		ret = -errno;
		fprintf(stderr, "hotmem-conform: %s: %s\n", CONFORM_MEM, strerror(errno));
		return ret;
	}
	while ((de = readdir(d))) {
		if (!block_name(de->d_name, &nr))
			continue;
		if (b->count == cap) {
			cap = cap ? cap * 2 : 256;
			p = realloc(b->nr, cap * sizeof(*p));
			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
			b->nr = p;
		}
		b->nr[b->count++] = nr;
	}
	qsort(b->nr, b->count, sizeof(*b->nr), cmp_ulong);
out:
	closedir(d);
	if (ret)
		conform_blocks_free(b);
	return ret;
}

void conform_blocks_free(struct conform_blocks *b)
{
	free(b->nr);
	*b = (struct conform_blocks){ 0 };
}

bool conform_blocks_equal(const struct conform_blocks *a, const struct conform_blocks *b)
{
	return a->count == b->count &&
	       (!a->count || !memcmp(a->nr, b->nr, a->count * sizeof(*a->nr)));
}

int conform_blocks_diff(const struct conform_blocks *after, const struct conform_blocks *before,
			struct conform_blocks *out)
{
	size_t i, j = 0;

	*out = (struct conform_blocks){ 0 };
	if (!after->count)
		return 0;
	out->nr = calloc(after->count, sizeof(*out->nr));
	if (!out->nr)
		return -ENOMEM;
	/* both sorted: a merge */
	for (i = 0; i < after->count; i++) {
		while (j < before->count && before->nr[j] < after->nr[i])
			j++;
		if (j < before->count && before->nr[j] == after->nr[i])
			continue;
		out->nr[out->count++] = after->nr[i];
	}
	return 0;
}

/* the first line, blanks around it stripped (as the shell's read -r) */
static void strip_line(char *s)
{
	size_t n;
	char *p = s;

	s[strcspn(s, "\n")] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return 0;
}

int conform_read_attr(unsigned long block, const char *attr, char *buf, size_t len)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), CONFORM_MEM "/memory%lu/%s", block, attr);
	buf[0] = '\0';
	ret = read_file(path, buf, len);
	if (!ret)
		strip_line(buf);
	return ret;
}

bool conform_block_online(unsigned long block)
{
	char st[32];

	return !conform_read_attr(block, "state", st, sizeof(st)) && !strcmp(st, "online");
}

size_t conform_count_online(const struct conform_blocks *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->count; i++)
		n += conform_block_online(b->nr[i]);
	return n;
}

int conform_offline_block(unsigned long block)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), CONFORM_MEM "/memory%lu/state", block);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "offline\n", 8) != 8)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/*
 * "Node 0, zone   Normal" starts a zone, "  present  N" is its present
 * pages: Movable against every other zone but Device (which holds no
 * kernel memory), over all nodes.
 */
int conform_movable_pct(void)
{
	char line[512], zone[64] = "", word[64];
	double movable = 0, kernel = 0, v;
	FILE *f = fopen("/proc/zoneinfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node", 4)) {
			if (sscanf(line, "%*s %*s %*s %63s", zone) != 1)
				zone[0] = '\0';
			continue;
		}
		if (line[0] != ' ' || strncmp(line + strspn(line, " "), "present", 7))
			continue;
		if (sscanf(line, "%63s %lf", word, &v) != 2)
			continue;
		if (!strcmp(zone, "Movable"))
			movable += v;
		else if (strcmp(zone, "Device"))
			kernel += v;
	}
	fclose(f);
	return kernel ? (int)(movable * 100 / kernel) : 0;
}

int conform_auto_movable_ratio(void)
{
	char buf[32];
	char *end;
	long v;

	if (read_file("/sys/module/memory_hotplug/parameters/auto_movable_ratio", buf, sizeof(buf)))
		return 301;
	v = strtol(buf, &end, 10);
	return end == buf ? 301 : (int)v;
}

/* a node list as sysfs prints one ("0", "0-1,3"): bit N for node N (below 64) */
static unsigned long long nodelist_bits(const char *s)
{
	unsigned long long bits = 0;
	char *end;

	while (*s >= '0' && *s <= '9') {
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < 64; a++)
			bits |= 1ULL << a;
		s = *end == ',' ? end + 1 : end;
	}
	return bits;
}

int conform_plug_node(void)
{
	char cpu[256], mem[256];
	unsigned long long memoryless;

	if (read_file("/sys/devices/system/node/has_cpu", cpu, sizeof(cpu)) ||
	    read_file("/sys/devices/system/node/has_memory", mem, sizeof(mem)))
		return -1;
	memoryless = nodelist_bits(cpu) & ~nodelist_bits(mem);
	return memoryless ? __builtin_ctzll(memoryless) : -1;
}

void conform_online_policy(char *buf, size_t len)
{
	if (read_file("/sys/module/memory_hotplug/parameters/online_policy", buf, len) || !*buf)
		snprintf(buf, len, "contig-zones");
	buf[strcspn(buf, "\n")] = '\0';
}

bool conform_kernel_autoonlines(void)
{
	char buf[4096];
	const char *p;

	if (read_file("/proc/cmdline", buf, sizeof(buf)))
		return false;
	for (p = buf; (p = strstr(p, "memhp_default_state=online")); p++)
		if (p == buf || p[-1] == ' ')
			return true;
	return false;
}

/*
 * @path's lines matching @re; with @bad, only those whose first
 * parenthesised part @bad says yes to
 */
static int count_matching(const char *path, const char *re, bool (*bad)(const char *part))
{
	char *line = NULL;
	size_t cap = 0;
	regmatch_t m[2];
	regex_t rx;
	int n = 0;
	FILE *f;

	if (regcomp(&rx, re, REG_EXTENDED | (bad ? 0 : REG_NOSUB)))
		return 0;
	f = fopen(path, "re");
	if (f) {
		while (getline(&line, &cap, f) > 0) {
			if (regexec(&rx, line, bad ? 2 : 0, bad ? m : NULL, 0))
				continue;
			if (bad && m[1].rm_so >= 0) {
				line[m[1].rm_eo] = '\0';
				n += bad(line + m[1].rm_so);
			} else {
				n += !bad;
			}
		}
		fclose(f);
	}
	free(line);
	regfree(&rx);
	return n;
}

int conform_count_lines(const char *path, const char *re)
{
	return count_matching(path, re, NULL);
}

/* a value state_store() refuses to parse (mhp_online_type_from_str()) */
static bool state_unparsable(const char *value)
{
	return hmu_online_type_from_str(value) < 0;
}

int conform_count_unparsable_writes(const char *path)
{
	return count_matching(path, "ATTR '[^']*/state' writing '([^']*)'", state_unparsable);
}

char *conform_last_line_dup(const char *path)
{
	char *line = NULL, *last = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		while (getline(&line, &cap, f) > 0) {
			line[strcspn(line, "\n")] = '\0';
			if (!*line)
				continue;
			/* the line read is kept, getline() gets a new buffer */
			free(last);
			last = line;
			line = NULL;
			cap = 0;
		}
		free(line);
		fclose(f);
	}
	return last ? last : strdup("");
}

char *conform_first_line(const char *path, const char *re)
{
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	regex_t rx;
	FILE *f;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB))
		return NULL;
	f = fopen(path, "re");
	while (f && !found && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!regexec(&rx, line, 0, NULL, 0))
			found = strdup(line);
	}
	if (f)
		fclose(f);
	free(line);
	regfree(&rx);
	return found;
}

char *conform_tail(const char *path, int n, size_t max)
{
	char *line = NULL, **ring = calloc((size_t)n, sizeof(char *)), *out = NULL;
	size_t cap = 0, len = 0;
	FILE *f = fopen(path, "re"), *o;
	int i, next = 0;

	if (!ring)
		goto out;
	while (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		free(ring[next]);
		ring[next] = line;
		next = (next + 1) % n;
		line = NULL;
		cap = 0;
	}
	o = open_memstream(&out, &len);
	for (i = 0; o && i < n; i++) {
		const char *l = ring[(next + i) % n];

		if (l)
			fprintf(o, "%s%.*s", ftell(o) ? "\n" : "", (int)max, l);
	}
	if (o)
		fclose(o);
out:
	for (i = 0; ring && i < n; i++)
		free(ring[i]);
	free(ring);
	free(line);
	if (f)
		fclose(f);
	return out;
}

void conform_last_line(const char *path, char *buf, size_t len)
{
	char *last = conform_last_line_dup(path);

	snprintf(buf, len, "%s", last ? last : "");
	free(last);
}

bool conform_machine_is_emulated(void)
{
	struct statfs sf;

	return getenv("HOTMEM_ENTERED") && !statfs(CONFORM_MEM, &sf) &&
	       (unsigned long)sf.f_type == FUSE_SUPER_MAGIC;
}
