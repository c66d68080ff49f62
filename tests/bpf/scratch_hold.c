// SPDX-License-Identifier: GPL-2.0
/*
 * tests/bpf/scratch.t's stand-in for a hotmem:batch run preempted in its
 * midst: takes the first SLOTS of hotmem-trace's per-CPU batch slots
 * (map batch_bufs) on every CPU, as such a run would hold one, fills
 * them with a pattern, then lets the traced program go (creates GATE)
 * and, once hotmem-trace has exited, says whether the pattern is intact.
 * It keeps the map's fd: the map outlives hotmem-trace.
 *
 *   scratch_hold PID SLOTS GATE
 *
 * Prints first, for each of PID's BPF programs that uses a per-CPU map,
 * "per-cpu PROG MAP", then "held SLOTS slots on N cpus: intact" or
 * "slot S cpu C: overwritten at byte B".  Exit 0 intact, 1 overwritten,
 * 2 error.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define PATTERN 0xa5
#define MAX_MAPS 64

/* the ids after @key: in PID's fdinfo ("map_id:", "prog_id:") */
static int fd_ids(int pid, const char *key, __u32 *ids, int max)
{
	char path[64], line[128];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && n < max) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.16s", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f) && n < max)
			if (!strncmp(line, key, strlen(key)))
				ids[n++] = strtoul(line + strlen(key), NULL, 10);
		fclose(f);
	}
	closedir(dir);
	return n;
}

static int map_info(__u32 id, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_map_get_fd_by_id(id);

	memset(info, 0, sizeof(*info));
	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* "per-cpu PROG MAP" for each of @pid's programs using a per-CPU map */
static void list_percpu_users(int pid)
{
	__u32 progs[256], maps[MAX_MAPS];
	int n = fd_ids(pid, "prog_id:", progs, 256);

	for (int i = 0; i < n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info), nr;
		int fd = bpf_prog_get_fd_by_id(progs[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			goto next;
		nr = info.nr_map_ids < MAX_MAPS ? info.nr_map_ids : MAX_MAPS;
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = nr;
		info.map_ids = (__u64)(unsigned long)maps;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			goto next;
		for (__u32 m = 0; m < nr; m++) {
			struct bpf_map_info mi;
			int mfd = map_info(maps[m], &mi);

			if (mfd < 0)
				continue;
			if (is_percpu(mi.type))
				printf("per-cpu %s %s\n", info.name, mi.name);
			close(mfd);
		}
next:
		if (fd >= 0)
			close(fd);
	}
}

/* @pid's map batch_bufs, its info in @info; -1 if it has none */
static int find_batch_bufs(int pid, struct bpf_map_info *info)
{
	__u32 ids[MAX_MAPS];
	int n = fd_ids(pid, "map_id:", ids, MAX_MAPS);

	for (int i = 0; i < n; i++) {
		int fd = map_info(ids[i], info);

		if (fd >= 0 && !strcmp(info->name, "batch_bufs"))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

static void fill(unsigned char *v, size_t stride, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		memset(v + c * stride, PATTERN, stride);
		*(__u32 *)(v + c * stride) = 1; /* busy: batch_buf's first field */
	}
}

/* 0 if every held slot still holds the pattern */
static int check(int fd, int slots, size_t vsize, size_t stride, int ncpu)
{
	unsigned char *v = malloc(stride * ncpu), *want = malloc(stride * ncpu);
	int rc = 0;

	fill(want, stride, ncpu);
	for (__u32 s = 0; s < (__u32)slots && !rc; s++) {
		if (bpf_map_lookup_elem(fd, &s, v)) {
			perror("scratch_hold: lookup");
			rc = 2;
			break;
		}
		for (int c = 0; c < ncpu && !rc; c++)
			for (size_t b = 0; b < vsize; b++)
				if (v[c * stride + b] != want[c * stride + b]) {
					printf("slot %u cpu %d: overwritten at byte %zu\n", s, c, b);
					rc = 1;
					break;
				}
	}
	if (!rc)
		printf("held %d slots on %d cpus: intact\n", slots, ncpu);
	free(v);
	free(want);
	return rc;
}

int main(int argc, char **argv)
{
	struct bpf_map_info info;
	int pid, slots, ncpu, fd = -1;
	unsigned char *v;
	size_t stride;
	FILE *g;

	if (argc != 4)
		return fprintf(stderr, "usage: scratch_hold PID SLOTS GATE\n"), 2;
	pid = atoi(argv[1]);
	slots = atoi(argv[2]);
	/* the map is there once hotmem-trace has loaded: 60 s at most */
	for (int i = 0; i < 6000 && fd < 0 && !kill(pid, 0); i++) {
		fd = find_batch_bufs(pid, &info);
		if (fd < 0)
			usleep(10000);
	}
	if (fd < 0)
		return fprintf(stderr, "scratch_hold: pid %d has no map batch_bufs\n", pid), 2;
	if (slots < 1 || (__u32)slots > info.max_entries)
		return fprintf(stderr, "scratch_hold: %d slots of %u\n", slots, info.max_entries), 2;
	list_percpu_users(pid);
	ncpu = libbpf_num_possible_cpus();
	stride = (info.value_size + 7) & ~7UL;
	v = malloc(stride * ncpu);
	fill(v, stride, ncpu);
	for (__u32 s = 0; s < (__u32)slots; s++)
		if (bpf_map_update_elem(fd, &s, v, BPF_ANY))
			return perror("scratch_hold: update"), 2;
	free(v);
	g = fopen(argv[3], "w");
	if (!g)
		return perror(argv[3]), 2;
	fclose(g);
	/* hotmem-trace exits when the traced program does: 120 s at most */
	for (int i = 0; i < 12000 && !kill(pid, 0); i++)
		usleep(10000);
	return check(fd, slots, info.value_size, stride, ncpu);
}
