// SPDX-License-Identifier: GPL-2.0
/*
 * The state-file loader (fusefs/state.c): the input is the file.  When
 * the first byte is odd and the rest parses as a state-shaped object, its
 * crc32 is recomputed first, so the fuzzer gets past the checksum and
 * into the restore (devices, block runs, parameters).  The loader must
 * refuse with a message or restore a machine whose invariants hold.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <unistd.h>

#include "fuzz_hmfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char err[1024], prof[PATH_MAX], cmdline[1024];
	struct hmfs_ctx *ctx;
	json_object *root = NULL, *m;
	bool found;
	int ret;

	if (size < 1 || size > 65536)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/hotmem-fuzz-state-%d.json", (int)getpid());
	if (data[0] & 1) {
		char *text = strndup((const char *)data + 1, size - 1);

		root = text ? json_tokener_parse(text) : NULL;
		free(text);
	}
	if (root && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "machine", &m)) {
		const char *s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);

		json_object_object_add(root, "crc32",
				       json_object_new_int64(hmfs_crc32(s, strlen(s))));
		s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
		write_file(path, s, strlen(s));
	} else {
		write_file(path, data + 1, size - 1);
	}
	json_object_put(root);

	err[0] = '\0';
	ret = hmfs_state_peek_config(path, prof, sizeof(prof), cmdline, sizeof(cmdline), err,
				     sizeof(err));
	if (ret && !err[0])
		abort();
	ctx = fuzz_ctx_new("qemu-512m");
	snprintf(ctx->state_path, sizeof(ctx->state_path), "%s", path);
	err[0] = '\0';
	ret = hmfs_state_load(ctx, &found, err, sizeof(err));
	if (ret && !err[0]) {
		fprintf(stderr, "refused without a message (%d)\n", ret);
		abort();
	}
	hotmem_fail_nth_alloc(ctx->hm, 0);
	fuzz_ctx_check(ctx, "state load");
	hmfs_state_close(ctx); /* the machine object the restore kept (ctx->saved) */
	ctx->state_path[0] = '\0';
	fuzz_ctx_free(ctx);
	return 0;
}
