// SPDX-License-Identifier: GPL-2.0
/*
 * The state file: the machine survives kill -9.
 *
 * Saved after every change that a client can make (write, fsync,
 * rename, fsync of the directory), so a crash at any instant leaves
 * either the old or the new file.  It holds what rebuilds the machine:
 * the profile and command line, the parameters, the devices, and the
 * blocks' states and zones as runs.  A CRC over the canonical "machine"
 * text catches damage that still parses; a damaged file is refused with
 * a message, never replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hmfs.h"

#define STATE_FORMAT "hotmemfs-state"
#define STATE_VERSION 1

uint32_t hmfs_crc32(const char *s, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned char)s[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static uint32_t machine_crc(json_object *m)
{
	const char *s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);

	return hmfs_crc32(s, strlen(s));
}

static json_object *params_json(struct hmfs_ctx *ctx)
{
	json_object *p = json_object_new_object();

	json_object_object_add(
		p, "auto-online",
		json_object_new_string(hmu_online_type_name(hotmem_get_auto_online(ctx->hm))));
	json_object_object_add(p, "online-policy",
			       json_object_new_string(hotmem_online_policy_name(
				       hotmem_get_online_policy(ctx->hm))));
	json_object_object_add(p, "auto-movable-ratio",
			       json_object_new_int64(hotmem_get_auto_movable_ratio(ctx->hm)));
	json_object_object_add(
		p, "auto-movable-numa-aware",
		json_object_new_boolean(hotmem_get_auto_movable_numa_aware(ctx->hm)));
	return p;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	int fd, dfd, ret;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, strlen(text));
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	/* the rename itself must reach the disk */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int save_now(struct hmfs_ctx *ctx)
{
	json_object *root, *m;
	int ret;

	m = json_object_new_object();
	json_object_object_add(m, "profile", json_object_new_string(ctx->profile));
	json_object_object_add(m, "cmdline", json_object_new_string(ctx->cmdline));
	json_object_object_add(m, "block-size", json_object_new_uint64(ctx->block_size));
	json_object_object_add(m, "params", params_json(ctx));
	json_object_object_add(m, "devices", hmfs_devices_json(ctx, HMFS_VIEW_STATE));
	json_object_object_add(m, "blocks", hmfs_block_runs_json(ctx, HMFS_VIEW_STATE));
	root = json_object_new_object();
	json_object_object_add(root, "format", json_object_new_string(STATE_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
	json_object_object_add(root, "crc32", json_object_new_int64(machine_crc(m)));
	json_object_object_add(root, "machine", m);
	ret = write_atomic(ctx->state_path,
			   json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	if (ret)
		fprintf(stderr, "hotmemfs: saving state to %s: %s\n", ctx->state_path,
			strerror(-ret));
	return ret;
}

/*
 * Group commit: the caller's change is on disk when this returns, but
 * concurrent callers share one save (fsync costs a millisecond; four
 * racing writers should not queue four of them each).  A save that
 * started before our change does not count: it may not contain it.
 */
int hmfs_state_save(struct hmfs_ctx *ctx)
{
	unsigned long mine;
	int ret = 0;

	if (!ctx->state_path[0] || ctx->restoring)
		return 0;
	pthread_mutex_lock(&ctx->save_lock);
	mine = ++ctx->save_want;
	while (ctx->save_done < mine) {
		unsigned long upto;

		if (ctx->save_busy) {
			pthread_cond_wait(&ctx->save_cond, &ctx->save_lock);
			continue;
		}
		ctx->save_busy = true;
		upto = ctx->save_want;
		pthread_mutex_unlock(&ctx->save_lock);
		ret = save_now(ctx);
		pthread_mutex_lock(&ctx->save_lock);
		ctx->save_busy = false;
		if (ret) {
			ctx->save_errors++;
		} else {
			ctx->saves++;
			ctx->save_done = upto;
		}
		pthread_cond_broadcast(&ctx->save_cond);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&ctx->save_lock);
	return ret;
}

/* ---- loading ----------------------------------------------------------- */

static json_object *get(json_object *o, const char *key, json_type t)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

/* Parse and check the file; returns the "machine" object (owned by *root). */
static int read_state(const char *path, json_object **root, json_object **machine, char *err,
		      size_t errlen)
{
	json_object *r, *m, *f, *v, *c;

	r = json_object_from_file(path);
	if (!r) {
		snprintf(err, errlen, "state file %s is damaged (not valid JSON: %s)", path,
			 json_util_get_last_err() ? json_util_get_last_err() : "?");
		return -EUCLEAN;
	}
	f = get(r, "format", json_type_string);
	v = get(r, "version", json_type_int);
	c = get(r, "crc32", json_type_int);
	m = get(r, "machine", json_type_object);
	if (!f || strcmp(json_object_get_string(f), STATE_FORMAT) || !v || !c || !m) {
		snprintf(err, errlen, "state file %s is damaged (not a %s file)", path,
			 STATE_FORMAT);
		goto bad;
	}
	if (json_object_get_int(v) != STATE_VERSION) {
		snprintf(err, errlen, "state file %s has version %d; this hotmemfs reads %d", path,
			 json_object_get_int(v), STATE_VERSION);
		goto bad;
	}
	if ((uint32_t)json_object_get_int64(c) != machine_crc(m)) {
		snprintf(err, errlen, "state file %s is damaged (checksum mismatch)", path);
		goto bad;
	}
	if (!get(m, "profile", json_type_string) || !get(m, "cmdline", json_type_string) ||
	    !get(m, "params", json_type_object) || !get(m, "devices", json_type_array) ||
	    !get(m, "blocks", json_type_array)) {
		snprintf(err, errlen, "state file %s is damaged (fields missing)", path);
		goto bad;
	}
	*root = r;
	*machine = m;
	return 0;
bad:
	json_object_put(r);
	return -EUCLEAN;
}

int hmfs_state_peek_config(const char *path, char *profile, size_t plen, char *cmdline, size_t clen,
			   char *err, size_t errlen)
{
	json_object *root, *m;
	int ret;

	if (access(path, F_OK))
		return -ENOENT;
	ret = read_state(path, &root, &m, err, errlen);
	if (ret)
		return ret;
	snprintf(profile, plen, "%s", json_object_get_string(get(m, "profile", json_type_string)));
	snprintf(cmdline, clen, "%s", json_object_get_string(get(m, "cmdline", json_type_string)));
	json_object_put(root);
	return 0;
}

static uint64_t u64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_uint64(v);
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_string);

	return v ? json_object_get_string(v) : "";
}

static int restore_devices(struct hmfs_ctx *ctx, json_object *devs, char *err, size_t errlen)
{
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i), *mm, *pl;
		char e[512];
		int ret;

		mm = get(d, "memmap-on-memory", json_type_boolean);
		pl = get(d, "plugged-blocks", json_type_array);
		/* with its plugged blocks saved, a virtio-mem device comes back as it was */
		ret = hmfs_dev_add(ctx, str(d, "driver"), str(d, "id"), u64(d, "size"),
				   (int)u64(d, "node"), u64(d, "addr"), true,
				   pl ? 0 : u64(d, "requested-size"), u64(d, "block-size"),
				   mm ? json_object_get_boolean(mm) : 1, e, sizeof(e));
		for (size_t k = 0; !ret && pl && k < json_object_array_length(pl); k++) {
			json_object *run = json_object_array_get_idx(pl, k);

			if (!json_object_is_type(run, json_type_array) ||
			    json_object_array_length(run) != 2) {
				snprintf(e, sizeof(e), "plugged-blocks: [first, count] expected");
				ret = -EINVAL;
				break;
			}
			ret = hmfs_dev_restore_plugged(
				ctx, str(d, "id"),
				(uint64_t)json_object_get_uint64(json_object_array_get_idx(run, 0)),
				(uint64_t)json_object_get_uint64(json_object_array_get_idx(run, 1)), e,
				sizeof(e));
		}
		if (!ret && pl)
			hmfs_dev_restore_requested(ctx, str(d, "id"), u64(d, "requested-size"));
		if (ret) {
			snprintf(err, errlen, "restoring device %s: %s", str(d, "id"), e);
			return ret;
		}
	}
	return 0;
}

static int online_type_for_zone(const char *zone)
{
	if (hmu_zone_from_name(zone, strlen(zone)) == HMU_ZONE_MOVABLE)
		return HM_MMOP_ONLINE_MOVABLE;
	if (!strcmp(zone, "none"))
		return HM_MMOP_ONLINE;
	return HM_MMOP_ONLINE_KERNEL;
}

/* Offline first (frees zone spans), then online into the saved zones. */
static void restore_blocks(struct hmfs_ctx *ctx, json_object *runs)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < json_object_array_length(runs); i++) {
			json_object *r = json_object_array_get_idx(runs, i);
			bool want_on = !strcmp(str(r, "state"), "online");
			uint64_t first = u64(r, "first"), n = u64(r, "count");
			unsigned long id = first ? (unsigned long)first - 1 : 0;
			bool from_start = !first;

			if (want_on != (pass == 1))
				continue;
			/*
			 * Only the present blocks of the run: a count in the
			 * file is not a loop bound (2^40 would hang the start).
			 */
			for (; !hotmem_block_next(ctx->hm, &id, from_start) && id - first < n;
			     from_start = false) {
				struct hm_block_info bi;
				int ret;

				if (hotmem_block_info(ctx->hm, id, &bi) ||
				    (bi.state != HM_MEM_OFFLINE) == want_on)
					continue;
				ret = hotmem_block_set_state(
					ctx->hm, id,
					want_on ? online_type_for_zone(str(r, "zone")) :
						  HM_MMOP_OFFLINE);
				if (ret)
					fprintf(stderr, "hotmemfs: restore: memory%llu %s: %s\n",
						(unsigned long long)id, str(r, "state"),
						strerror(-ret));
			}
		}
	}
}

static void restore_params(struct hmfs_ctx *ctx, json_object *p)
{
	json_object *v;
	int t;

	t = hmu_online_type_from_str(str(p, "auto-online"));
	if (t >= 0)
		hotmem_set_auto_online(ctx->hm, t);
	t = hotmem_online_policy_from_str(str(p, "online-policy"));
	if (t >= 0)
		hotmem_set_online_policy(ctx->hm, t);
	if ((v = get(p, "auto-movable-ratio", json_type_int)))
		hotmem_set_auto_movable_ratio(ctx->hm, (unsigned)json_object_get_int(v));
	if ((v = get(p, "auto-movable-numa-aware", json_type_boolean)))
		hotmem_set_auto_movable_numa_aware(ctx->hm, json_object_get_boolean(v));
}

int hmfs_state_load(struct hmfs_ctx *ctx, bool *found, char *err, size_t errlen)
{
	json_object *root, *m;
	int ret;

	*found = false;
	if (!ctx->state_path[0] || access(ctx->state_path, F_OK))
		return 0;
	ret = read_state(ctx->state_path, &root, &m, err, errlen);
	if (ret)
		return ret;
	if (u64(m, "block-size") != ctx->block_size) {
		snprintf(err, errlen,
			 "state file %s is for block size 0x%llx, the machine has 0x%llx",
			 ctx->state_path, (unsigned long long)u64(m, "block-size"),
			 (unsigned long long)ctx->block_size);
		ret = -EINVAL;
		goto out;
	}
	ctx->restoring = true;
	/* new memory must come up offline: the saved states say the rest */
	hotmem_set_auto_online(ctx->hm, HM_MMOP_OFFLINE);
	ret = restore_devices(ctx, get(m, "devices", json_type_array), err, errlen);
	if (!ret) {
		restore_blocks(ctx, get(m, "blocks", json_type_array));
		restore_params(ctx, get(m, "params", json_type_object));
		*found = true;
	}
	ctx->restoring = false;
out:
	json_object_put(root);
	return ret;
}
