/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A state file's profile FILE against the profile file now
 * (state_profile.c): the lines a restore compares, and the comparison.
 */
#ifndef HMFS_STATE_PROFILE_H
#define HMFS_STATE_PROFILE_H

#include <json-c/json_types.h>
#include <stddef.h>

struct hmfs_ctx;
struct hotmem_config;

/*
 * ctx->profile_lines from @cfg, the profile file's machine as parsed
 * (before --cmdline): what the state file's "profile-config" keeps and
 * a restore compares
 */
int hmfs_state_profile_lines(struct hmfs_ctx *ctx, const struct hotmem_config *cfg, char *err,
			     size_t errlen);
/*
 * The state file's "profile-config" (@saved, NULL for none) against
 * ctx->profile_lines: 0 when they are the same machine; -EINVAL with
 * what changed in @err (and, where a built-in the profile file starts
 * from changed since, the lines that restore the machine as saved);
 * -ENOMEM
 */
int hmfs_state_check_profile(struct hmfs_ctx *ctx, struct json_object *saved, char *err,
			     size_t errlen);

#endif /* HMFS_STATE_PROFILE_H */
