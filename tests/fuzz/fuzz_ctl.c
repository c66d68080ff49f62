// SPDX-License-Identifier: GPL-2.0
/*
 * The control commands (fusefs/ctl.c) without the socket (ctlsock.c):
 * each input line is one request as a client sends it, parsed with json-c
 * and run through hmfs_ctl_execute(), which the connection thread calls,
 * against a fresh 512 MiB machine.  Every request gets a reply with
 * "return" or "error"; the engine's invariants hold after each; no state
 * file (the state harness covers that).
 */
#include <json-c/json.h>

#include "fuzz_hmfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The region case (#16.7): whatever device_add was asked, every device
 * lies in QEMU's device memory region — above boot RAM, below maxmem —
 * and no two overlap; a virtio-mem device with nothing plugged included.
 */
static void check_regions(struct hmfs_ctx *ctx, const char *what)
{
	const struct hotmem_config *cfg = hotmem_get_config(ctx->hm);
	uint64_t top = 0;

	for (int i = 0; i < cfg->nr_boot_ranges; i++)
		if (cfg->boot[i].end > top)
			top = cfg->boot[i].end;
	for (const struct hmfs_dev *d = ctx->devs; d; d = d->next) {
		if (d->addr < top || d->addr > cfg->maxmem || d->size > cfg->maxmem - d->addr) {
			fprintf(stderr, "after %s: %s [%#llx+%#llx] outside [%#llx, %#llx)\n", what,
				d->id, (unsigned long long)d->addr, (unsigned long long)d->size,
				(unsigned long long)top, (unsigned long long)cfg->maxmem);
			abort();
		}
		for (const struct hmfs_dev *o = d->next; o; o = o->next) {
			if (d->addr < o->addr + o->size && o->addr < d->addr + d->size) {
				fprintf(stderr, "after %s: %s and %s overlap\n", what, d->id, o->id);
				abort();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hmfs_ctx *ctx;
	char *text, *line, *save = NULL;
	int lines = 0;

	if (size > 16384)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ctx = fuzz_ctx_new("qemu-512m");
	for (line = strtok_r(text, "\n", &save); line && lines < 64;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		json_object *req = json_tokener_parse(line), *reply, *v;
		struct hmfs_ctl_follow follow;

		if (!req)
			continue;
		reply = hmfs_ctl_execute(ctx, req, &follow);
		if (!reply || !(json_object_object_get_ex(reply, "return", &v) ||
				json_object_object_get_ex(reply, "error", &v))) {
			fprintf(stderr, "no reply for %s\n", line);
			abort();
		}
		/* what send_json() would write */
		(void)json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
		json_object_put(reply);
		json_object_put(req);
		hotmem_fail_nth_alloc(ctx->hm, 0);
		fuzz_ctx_check(ctx, line);
		check_regions(ctx, line);
	}
	fuzz_ctx_free(ctx);
	free(text);
	return 0;
}
