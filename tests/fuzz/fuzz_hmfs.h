/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hotmemfs context without FUSE, for the harnesses that drive the
 * tree, the attributes, the control protocol and the state file (as
 * tests/fusefs/test_tree.c does): a fresh small machine per input, torn
 * down completely so that LeakSanitizer sees every leak.
 */
#ifndef FUZZ_HMFS_H
#define FUZZ_HMFS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs.h"

static inline struct hmfs_ctx *fuzz_ctx_new(const char *profile)
{
	struct hmfs_ctx *ctx = calloc(1, sizeof(*ctx));
	char err[256];

	if (!ctx)
		abort();
	hmfs_ctx_init(ctx);
	snprintf(ctx->profile, sizeof(ctx->profile), "%s", profile);
	if (hotmem_config_builtin(&ctx->cfg, profile))
		abort();
	ctx->cfg.init_threads = 1;
	if (hmfs_cpus_init(ctx, "/sys/devices/system/cpu"))
		abort();
	if (hotmem_create(&ctx->cfg, &ctx->hm, err, sizeof(err))) {
		fprintf(stderr, "boot: %s\n", err);
		abort();
	}
	ctx->block_size = hotmem_block_size(ctx->hm);
	/*
	 * No retry-timer thread, as no notifier thread: a device left short
	 * of its requested size is still marked armed, but no thread sleeps
	 * 50 s on a context the next input frees (review14 R9)
	 */
	ctx->vmem_timer_stop = true;
	/* nor an ACPI hotplug thread: a device_del's eject runs in the input that asked for it */
	ctx->acpi_wq_inline = true;
	if (hmfs_tree_init(ctx))
		abort();
	return ctx;
}

static inline void fuzz_ctx_check(struct hmfs_ctx *ctx, const char *what)
{
	char err[512];

	if (hotmem_check_invariants(ctx->hm, err, sizeof(err))) {
		fprintf(stderr, "invariant broken after %s: %s\n", what, err);
		abort();
	}
}

static inline void fuzz_ctx_free(struct hmfs_ctx *ctx)
{
	hmfs_dev_timer_stop(ctx); /* as hotmemfs's teardown(): a no-op unless one started */
	/* no notifier thread: drain what the stores queued */
	while (ctx->q_head) {
		struct hmfs_qev *q = ctx->q_head;

		ctx->q_head = q->next;
		hmfs_qev_free(q);
	}
	hmfs_evtab_free(ctx);
	hmfs_dev_free_all(ctx);
	hmfs_maps_snap_free(ctx); /* a change's copy of /proc/iomem and firmware/memmap */
	hmfs_tree_free(ctx);
	hotmem_destroy(ctx->hm);
	free(ctx);
}

#endif /* FUZZ_HMFS_H */
