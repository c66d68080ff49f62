// SPDX-License-Identifier: GPL-2.0
/*
 * The whole sysfs store path without FUSE: a fresh 512 MiB machine per
 * input, every writable file of the tree found by walking it (readdir +
 * lookup, as a client does), and a sequence of writes
 *   [file selector][length][bytes...]
 * through hmfs_write_buf() + hmfs_store(), each followed by a show() of
 * the same file and the engine's invariant checker.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_hmfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILES 512

struct walk {
	struct hmfs_ctx *ctx;
	uint64_t dirs[MAX_FILES];
	int ndirs;
	uint64_t files[MAX_FILES];
	int nfiles;
};

static bool collect(void *arg, const char *name, uint64_t ino, mode_t mode, long off)
{
	struct walk *w = arg;

	(void)off;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return true;
	if (S_ISDIR(mode) && w->ndirs < MAX_FILES)
		w->dirs[w->ndirs++] = ino;
	else if (S_ISREG(mode) && w->nfiles < MAX_FILES)
		w->files[w->nfiles++] = ino;
	return true;
}

static void walk_tree(struct walk *w)
{
	w->ndirs = w->nfiles = 0;
	w->dirs[w->ndirs++] = 1;
	for (int i = 0; i < w->ndirs; i++)
		hmfs_readdir(w->ctx, w->dirs[i], 0, collect, w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[HMFS_PAGE_SIZE + 1], shown[HMFS_PAGE_SIZE + 1];
	static struct walk w;
	struct hmfs_ctx *ctx;
	size_t i = 0;
	int ops = 0;

	if (size < 2)
		return 0;
	ctx = fuzz_ctx_new("qemu-512m");
	w.ctx = ctx;
	walk_tree(&w);
	while (i + 2 <= size && ops++ < 32) {
		size_t len = data[i + 1];
		struct hmfs_node n;
		unsigned sel = data[i];
		size_t cnt;
		ssize_t ret;
		int k, nw = 0;

		if (len == 255)
			len = HMFS_PAGE_SIZE + 16; /* a write longer than a page */
		i += 2;
		if (len > size - i)
			len = size - i;
		/* pick among the writable files */
		for (k = 0; k < w.nfiles; k++) {
			if (hmfs_node_get(ctx, w.files[k], &n) || !(n.mode & 0222))
				continue;
			if (nw++ == (int)(sel % 64))
				break;
		}
		if (k == w.nfiles) {
			i += len;
			continue;
		}
		cnt = hmfs_write_buf(buf, (const char *)data + i, len);
		i += len;
		ret = hmfs_store(ctx, &n, buf, cnt);
		if (ret >= 0 && (size_t)ret != cnt) {
			fprintf(stderr, "store returned %zd for %zu bytes\n", ret, cnt);
			abort();
		}
		if (ret < -4095) {
			fprintf(stderr, "store returned %zd, not an errno\n", ret);
			abort();
		}
		if (hmfs_show(ctx, &n, shown, sizeof(shown)) > (int)HMFS_PAGE_SIZE)
			abort();
		fuzz_ctx_check(ctx, "store");
		if (ret >= 0)
			walk_tree(&w); /* blocks may have come or gone */
	}
	fuzz_ctx_free(ctx);
	return 0;
}
