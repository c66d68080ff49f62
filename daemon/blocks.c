// SPDX-License-Identifier: MIT
/*
 * hotmemd: the block model, the zone accounting, and onlining with retry.
 *
 * Zone accounting.  The kernel's auto-movable policy compares MOVABLE
 * present pages with KERNEL_EARLY present pages (kernel zones' memory
 * present since boot).  /proc/zoneinfo shows present pages per zone but not
 * which were there at boot, so we anchor on it once (coldplug, SIGHUP) and
 * keep the rest per block:
 *
 *   kernel_offset  = zoneinfo kernel present - cma - online kernel blocks
 *   movable_offset = zoneinfo Movable present + cma - online movable blocks
 *   kernel_early   = kernel_offset + online *boot* blocks in kernel zones
 *   movable        = movable_offset + online Movable blocks
 *
 * The offsets absorb holes and memory the blocks do not show; afterwards
 * our own writes and ONLINE/OFFLINE uevents keep the numbers right even
 * where zoneinfo never changes (a plain-file sysroot).  Which blocks are
 * boot memory: boot_blocks = LIST, or (auto) the blocks online when hotmemd
 * first ran since boot, remembered in state_dir/boot-blocks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "hotmemd.h"

#define MAX_BLOCK_ID (1ul << 22) /* 512 TiB of 128 MiB blocks */
#define SETTLE_USEC 20000 /* quiet time after a uevent burst */

struct retry_ctx {
	struct hmd *d;
	unsigned long id;
};

static void process_block(struct hmd *d, unsigned long id);
static void block_added(struct hmd *d, unsigned long id);

static struct hmd_block *get_block(struct hmd *d, unsigned long id)
{
	struct hmd_block *nb;
	unsigned long n;

	if (id < d->nblk)
		return &d->blk[id];
	if (id >= MAX_BLOCK_ID)
		return NULL;
	n = d->nblk ? d->nblk : 256;
	while (n <= id)
		n *= 2;
	nb = realloc(d->blk, n * sizeof(*nb));
	if (!nb)
		return NULL;
	memset(nb + d->nblk, 0, (n - d->nblk) * sizeof(*nb));
	d->blk = nb;
	d->nblk = n;
	return &d->blk[id];
}

static struct hmd_block *find_block(struct hmd *d, unsigned long id)
{
	return id < d->nblk && d->blk[id].present ? &d->blk[id] : NULL;
}

static void cancel_retry(struct hmd_block *b)
{
	b->retry = sd_event_source_disable_unref(b->retry);
}

void hmd_blocks_free(struct hmd *d)
{
	unsigned long i;

	for (i = 0; i < d->nblk; i++)
		cancel_retry(&d->blk[i]);
	free(d->blk);
	d->blk = NULL;
	d->nblk = 0;
}

unsigned long hmd_count_pending(struct hmd *d)
{
	unsigned long i, n = 0;

	for (i = 0; i < d->nblk; i++)
		n += d->blk[i].retry != NULL;
	return n;
}

static bool is_movable(const struct hmd_block *b)
{
	return b->zone == HMD_ZONE_MOVABLE;
}

/* zone of an online block from valid_zones ("none": spans zones = kernel) */
static void refresh_block(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	unsigned int mask;
	int first, hint;

	if (hmd_block_read_state(d, id, &b->online, &hint))
		b->online = false;
	b->zone = HMD_ZONE_NONE;
	if (!b->online)
		return;
	if (hmd_block_read_zones(d, id, &mask, &first))
		first = HMD_ZONE_NONE;
	if (hint == HMD_ZONE_MOVABLE)
		b->zone = HMD_ZONE_MOVABLE;
	else if (hint == HMD_ZONE_NORMAL)
		b->zone = (first != HMD_ZONE_NONE && hmd_zone_is_kernel(first)) ? first : hint;
	else
		b->zone = first;
}

/* ---- boot blocks ------------------------------------------------------- */

static bool in_list(const char *s, unsigned long id)
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

static void anchor_zoneinfo(struct hmd *d);

static void mark_boot_blocks(struct hmd *d)
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
			b->boot = in_list(spec, i);
		else if (have)
			b->boot = in_list(list, i);
		else
			b->boot = b->online; /* first run since boot */
	}
	if (have)
		return;
	anchor_zoneinfo(d);
	if (d->cfg.state_dir[0])
		save_state(d, path);
}

/* ---- accounting -------------------------------------------------------- */

static void block_sums(struct hmd *d, unsigned long *kern, unsigned long *kern_boot,
		       unsigned long *mov)
{
	unsigned long i;

	memset(kern, 0, HMD_MAX_NODES * sizeof(*kern));
	memset(kern_boot, 0, HMD_MAX_NODES * sizeof(*kern_boot));
	memset(mov, 0, HMD_MAX_NODES * sizeof(*mov));
	for (i = 0; i < d->nblk; i++) {
		const struct hmd_block *b = &d->blk[i];

		if (!b->present || !b->online)
			continue;
		if (is_movable(b)) {
			mov[b->nid] += d->block_pages;
		} else {
			kern[b->nid] += d->block_pages;
			if (b->boot)
				kern_boot[b->nid] += d->block_pages;
		}
	}
}

static void anchor_zoneinfo(struct hmd *d)
{
	unsigned long kern[HMD_MAX_NODES], boot[HMD_MAX_NODES], mov[HMD_MAX_NODES];
	struct hmd_zoneinfo zi;
	int n, r = -ENOENT;
	FILE *f;

	block_sums(d, kern, boot, mov);
	f = fopen(d->zoneinfo_path, "re");
	if (f) {
		r = hmd_parse_zoneinfo(f, &zi);
		fclose(f);
	}
	if (r) {
		hmd_log(d, LOG_WARNING, "%s unreadable: zone sizes from memory blocks only",
			d->zoneinfo_path);
		memset(&zi, 0, sizeof(zi));
		memset(d->kernel_offset, 0, sizeof(d->kernel_offset));
		memset(d->movable_offset, 0, sizeof(d->movable_offset));
	}
	for (n = 0; !r && n < HMD_MAX_NODES; n++) {
		d->kernel_offset[n] = (long)zi.kernel_present[n] - (long)zi.cma[n] - (long)kern[n];
		d->movable_offset[n] = (long)zi.movable_present[n] + (long)zi.cma[n] - (long)mov[n];
	}
	if (zi.nr_nodes > d->nr_nodes)
		d->nr_nodes = zi.nr_nodes;
}

static unsigned long clamp0(long v)
{
	return v > 0 ? v : 0;
}

void hmd_node_stats(struct hmd *d, struct hmd_policy_ctx *pc)
{
	unsigned long kern[HMD_MAX_NODES], boot[HMD_MAX_NODES], mov[HMD_MAX_NODES];
	int n;

	block_sums(d, kern, boot, mov);
	pc->nr_nodes = d->nr_nodes;
	for (n = 0; n < HMD_MAX_NODES; n++) {
		pc->node[n].kernel_early_pages = clamp0(d->kernel_offset[n] + (long)boot[n]);
		pc->node[n].movable_pages = clamp0(d->movable_offset[n] + (long)mov[n]);
	}
}

/* memory_groups = contiguous: a run of hot-added blocks on one node. */
static void guess_group(struct hmd *d, unsigned long id, struct hmd_group *g)
{
	const struct hmd_block *b = &d->blk[id];
	unsigned long lo = id, hi = id, i;

	while (lo > 0 && d->blk[lo - 1].present && !d->blk[lo - 1].boot &&
	       d->blk[lo - 1].nid == b->nid)
		lo--;
	while (hi + 1 < d->nblk && d->blk[hi + 1].present && !d->blk[hi + 1].boot &&
	       d->blk[hi + 1].nid == b->nid)
		hi++;
	memset(g, 0, sizeof(*g));
	g->max_pages = (hi - lo + 1) * d->block_pages;
	for (i = lo; i <= hi; i++) {
		if (!d->blk[i].online)
			continue;
		if (is_movable(&d->blk[i]))
			g->present_movable_pages += d->block_pages;
		else
			g->present_kernel_pages += d->block_pages;
	}
}

/* ---- configuration that depends on the kernel -------------------------- */

void hmd_apply_config(struct hmd *d)
{
	char buf[32];
	char *end;
	unsigned long v;

	d->pc.ratio = d->cfg.ratio;
	if (d->cfg.ratio < 0) {
		d->pc.ratio = 301;
		if (hmd_read_kernel_param(d, "auto_movable_ratio", buf, sizeof(buf)) > 0) {
			v = strtoul(buf, &end, 10);
			if (!*end)
				d->pc.ratio = v;
		} else {
			hmd_log(d, LOG_WARNING,
				"auto_movable_ratio = kernel, but the parameter is unreadable: using 301");
		}
	}
	d->pc.numa_aware = d->cfg.numa_aware == HMD_YES;
	if (d->cfg.numa_aware == HMD_FROM_KERNEL) {
		d->pc.numa_aware = true;
		if (hmd_read_kernel_param(d, "auto_movable_numa_aware", buf, sizeof(buf)) > 0)
			d->pc.numa_aware = hmd_parse_bool(buf) != 0;
	}
}

/* ---- status ------------------------------------------------------------ */

void hmd_status_text(struct hmd *d, char *buf, size_t len)
{
	unsigned long i, online = 0, movable = 0, failed = 0;

	for (i = 0; i < d->nblk; i++) {
		const struct hmd_block *b = &d->blk[i];

		if (!b->present)
			continue;
		online += b->online;
		movable += b->online && is_movable(b);
		failed += b->failed;
	}
	snprintf(buf, len, "%lu blocks online, %lu movable, %lu failed; policy %s%s", online,
		 movable, failed, hmd_policy_name(d->cfg.policy),
		 d->cfg.dry_run ? " (dry run)" : "");
}

void hmd_status_changed(struct hmd *d)
{
	if (d->status_src)
		sd_event_source_set_enabled(d->status_src, SD_EVENT_ONESHOT);
}

/* ---- deciding and writing ---------------------------------------------- */

static int block_policy(struct hmd *d, const struct hmd_block *b)
{
	int p = d->cfg.node_policy[b->nid];

	return p == HMD_POL_INHERIT ? d->cfg.policy : p;
}

static void decide(struct hmd *d, unsigned long id, struct hmd_decision *dec)
{
	struct hmd_block *b = &d->blk[id];
	struct hmd_block_req req = { .nid = b->nid, .nr_pages = d->block_pages };
	struct hmd_group g;

	hmd_block_read_zones(d, id, &req.valid_zones, &req.default_zone);
	if (d->cfg.groups == HMD_GROUPS_CONTIGUOUS) {
		guess_group(d, id, &g);
		req.group = &g;
	}
	hmd_node_stats(d, &d->pc);
	hmd_decide(block_policy(d, b), &d->pc, &req, dec);
}

static void onlined(struct hmd *d, unsigned long id, const struct hmd_decision *dec, bool ours)
{
	struct hmd_block *b = &d->blk[id];
	unsigned int mask;
	int first;

	b->online = true;
	b->failed = false;
	b->attempts = 0;
	b->zone = dec->zone;
	if (dec->action == HMD_ACT_ONLINE || dec->zone == HMD_ZONE_NONE) {
		/* the kernel picked; an online block's valid_zones says which */
		if (!hmd_block_read_zones(d, id, &mask, &first))
			b->zone = first;
	}
	if (ours)
		d->n_onlined++;
	hmd_status_changed(d);
}

static void give_up(struct hmd *d, unsigned long id, int err, const char *what)
{
	struct hmd_block *b = &d->blk[id];

	b->failed = true;
	b->attempts = 0;
	d->n_failed++;
	hmd_log_ev(d, LOG_ERR, HMD_MSGID_GAVE_UP, id, NULL, hmd_policy_name(block_policy(d, b)),
		   err, "gave up onlining: %s: %s", what, strerror(err));
	hmd_status_changed(d);
}

static int retry_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct retry_ctx *rc = userdata;
	struct hmd *d = rc->d;
	unsigned long id = rc->id;
	struct hmd_block *b = find_block(d, id);

	if (!b)
		return 0;
	b->retry = sd_event_source_unref(b->retry); /* frees rc */
	process_block(d, id);
	return 0;
}

static uint64_t backoff_usec(const struct hmd *d, unsigned int attempt)
{
	uint64_t ms = d->cfg.retry_initial_ms;

	while (attempt-- > 1 && ms < d->cfg.retry_max_ms)
		ms *= 2;
	if (ms > d->cfg.retry_max_ms)
		ms = d->cfg.retry_max_ms;
	return ms * 1000;
}

static int schedule_retry(struct hmd *d, unsigned long id, int err)
{
	struct hmd_block *b = &d->blk[id];
	struct retry_ctx *rc;
	uint64_t usec;
	int r;

	if (!d->ev)
		return -ENOTSUP;
	rc = malloc(sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->d = d;
	rc->id = id;
	usec = backoff_usec(d, b->attempts);
	/* accuracy 1 us: the default (250 ms) would swamp the backoff */
	r = sd_event_add_time_relative(d->ev, &b->retry, CLOCK_MONOTONIC, usec, 1, retry_cb, rc);
	if (r < 0) {
		free(rc);
		return r;
	}
	sd_event_source_set_destroy_callback(b->retry, free);
	hmd_log_ev(d, LOG_NOTICE, HMD_MSGID_RETRY, id, NULL, NULL, err,
		   "write busy, retry %u/%u in %llu ms", b->attempts, d->cfg.retry_max,
		   (unsigned long long)usec / 1000);
	return 0;
}

static void write_decision(struct hmd *d, unsigned long id, const struct hmd_decision *dec)
{
	struct hmd_block *b = &d->blk[id];
	const char *state = hmd_action_state(dec->action);
	char val[24];
	bool online;
	int r;

	snprintf(val, sizeof(val), "%s\n", state);
	r = d->write_state(d, id, val);
	if (!r) {
		onlined(d, id, dec, true);
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_ONLINED, id, hmd_zone_name(b->zone),
			   hmd_policy_name(block_policy(d, b)), 0, "%s (%s)", state, dec->reason);
		return;
	}
	r = -r;
	if (r == EINVAL && !hmd_block_read_state(d, id, &online, NULL) && online) {
		/* raced with the kernel (auto_online_blocks) or an admin: fine */
		refresh_block(d, id, b);
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_SKIPPED, id, hmd_zone_name(b->zone), NULL, r,
			   "already online by someone else");
		hmd_status_changed(d);
		return;
	}
	if ((r == EBUSY || r == EAGAIN || r == EINTR) && b->attempts < d->cfg.retry_max) {
		b->attempts++;
		if (!schedule_retry(d, id, r))
			return;
	}
	give_up(d, id, r, b->attempts ? "retries exhausted" : state);
}

static void process_block(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = find_block(d, id);
	struct hmd_decision dec;
	bool online;
	int r;

	if (!b || b->retry)
		return;
	r = hmd_block_read_state(d, id, &online, NULL);
	if (r) {
		hmd_log_ev(d, LOG_WARNING, NULL, id, NULL, NULL, -r, "cannot read state");
		return;
	}
	if (online) {
		/* the kernel onlined it (auto_online_blocks), or someone did */
		refresh_block(d, id, b);
		hmd_log_ev(d, LOG_DEBUG, HMD_MSGID_SKIPPED, id, hmd_zone_name(b->zone), NULL, 0,
			   "already online, left alone");
		hmd_status_changed(d);
		return;
	}
	b->online = false;
	decide(d, id, &dec);
	if (dec.action == HMD_ACT_NONE) {
		/* policy offline observes; any other policy that cannot apply failed */
		b->failed = block_policy(d, b) != HMD_POL_OFFLINE;
		hmd_log_ev(d, b->failed ? LOG_WARNING : LOG_INFO, HMD_MSGID_SKIPPED, id, NULL,
			   hmd_policy_name(block_policy(d, b)), 0, "left offline: %s", dec.reason);
		hmd_status_changed(d);
		return;
	}
	if (d->cfg.dry_run) {
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_DECISION, id, hmd_zone_name(dec.zone),
			   hmd_policy_name(block_policy(d, b)), 0, "dry run: would write %s (%s)",
			   hmd_action_state(dec.action), dec.reason);
		printf("memory%lu %s %s %s\n", id, hmd_action_state(dec.action),
		       hmd_zone_name(dec.zone), dec.reason);
		fflush(stdout);
		/* later decisions see this one, as they would for real */
		onlined(d, id, &dec, false);
		return;
	}
	write_decision(d, id, &dec);
}

/* ---- coldplug and uevents ---------------------------------------------- */

static int scan_blocks(struct hmd *d)
{
	struct dirent *de;
	unsigned long id;
	char *end;
	DIR *dir;
	int fd;

	fd = openat(d->memdir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		struct hmd_block *b;

		if (strncmp(de->d_name, "memory", 6))
			continue;
		id = strtoul(de->d_name + 6, &end, 10);
		if (end == de->d_name + 6 || *end)
			continue;
		b = get_block(d, id);
		if (!b)
			continue;
		b->present = true;
		b->nid = hmd_block_read_node(d, id);
		if (b->nid + 1 > d->nr_nodes)
			d->nr_nodes = b->nid + 1;
		refresh_block(d, id, b);
	}
	closedir(dir);
	return 0;
}

/*
 * Rebuild the model from the sysroot; online what is offline when asked
 * (at start, after lost uevents) but not on SIGHUP, where an offline block
 * is more likely one an admin offlined on purpose.
 */
int hmd_coldplug(struct hmd *d, bool online_offline)
{
	char auto_online[32] = "?";
	unsigned long i, offline = 0;
	int r;

	for (i = 0; i < d->nblk; i++)
		d->blk[i].present = false;
	r = scan_blocks(d);
	if (r)
		return r;
	mark_boot_blocks(d);
	hmd_apply_config(d);
	hmd_read_attr(d->memdir_fd, "auto_online_blocks", auto_online, sizeof(auto_online));
	for (i = 0; i < d->nblk; i++)
		offline += d->blk[i].present && !d->blk[i].online;
	hmd_node_stats(d, &d->pc);
	hmd_log(d, LOG_INFO,
		"coldplug: %lu offline blocks, block size %lu MiB, %d node(s), auto_online_blocks=%s, ratio %u%s",
		offline, d->block_size >> 20, d->nr_nodes, auto_online, d->pc.ratio,
		d->pc.numa_aware ? " numa-aware" : "");
	for (i = 0; online_offline && i < d->nblk; i++)
		if (d->blk[i].present && !d->blk[i].online && !d->blk[i].retry)
			process_block(d, i);
	hmd_status_changed(d);
	return 0;
}

static void block_added(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = get_block(d, id);

	if (!b) {
		hmd_log(d, LOG_WARNING, "memory%lu: block id out of range", id);
		return;
	}
	cancel_retry(b);
	b->present = true;
	b->boot = false; /* it arrived after boot */
	b->failed = false;
	b->attempts = 0;
	b->nid = hmd_block_read_node(d, id);
	if (b->nid + 1 > d->nr_nodes)
		d->nr_nodes = b->nid + 1;
	process_block(d, id);
}

void hmd_block_event(struct hmd *d, const char *action, unsigned long id)
{
	struct hmd_block *b;

	if (!strcmp(action, "add")) {
		block_added(d, id);
		return;
	}
	b = find_block(d, id);
	if (!b)
		return;
	if (!strcmp(action, "remove")) {
		cancel_retry(b);
		b->present = false;
		b->online = false;
		b->failed = false;
	} else if (!strcmp(action, "online") || !strcmp(action, "offline")) {
		/*
		 * Only ADD makes us online a block: an admin's offline is
		 * respected (it is how memory gets unplugged).
		 */
		if (b->retry)
			return;
		/* the ONLINE that follows our own write: nothing new to read */
		if (!strcmp(action, "online") && b->online && b->zone != HMD_ZONE_NONE)
			return;
		refresh_block(d, id, b);
	} else {
		return;
	}
	hmd_status_changed(d);
}

/*
 * Blocks in the sysroot the model has never seen: their ADD was lost (a
 * full netlink buffer, or a Unix-socket sender that drops when our queue
 * of net.unix.max_dgram_qlen datagrams is full).  Only new blocks: an
 * offline block we know of may be offline on purpose.
 */
/*
 * A directory can be seen before its attributes are all there (sysfs adds
 * the files after the kobject's directory); such a block is left for its
 * ADD or the next rescan rather than judged on half its files.
 */
static bool block_complete(struct hmd *d, unsigned long id)
{
	static const char *const attrs[] = { "state", "valid_zones" };
	char path[48], buf[96];

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), "memory%lu/%s", id, attrs[i]);
		if (hmd_read_attr(d->memdir_fd, path, buf, sizeof(buf)) <= 0 || !buf[0])
			return false;
	}
	return true;
}

void hmd_scan_new(struct hmd *d)
{
	struct dirent *de;
	unsigned long id, found = 0;
	char *end;
	DIR *dir;
	int fd;

	fd = openat(d->memdir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "memory", 6))
			continue;
		id = strtoul(de->d_name + 6, &end, 10);
		if (end == de->d_name + 6 || *end || find_block(d, id) ||
		    !block_complete(d, id))
			continue;
		found++;
		block_added(d, id);
	}
	closedir(dir);
	if (found)
		hmd_log(d, LOG_NOTICE, "%lu new block(s) without an ADD uevent: handled", found);
	else
		hmd_log(d, LOG_DEBUG, "rescan after uevents: no new blocks");
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata)
{
	hmd_scan_new(userdata);
	return 0;
}

/* Called for every memory uevent: rescan for new blocks once they stop. */
void hmd_uevent_seen(struct hmd *d)
{
	if (!d->ev)
		return;
	if (!d->settle_src) {
		if (sd_event_add_time_relative(d->ev, &d->settle_src, CLOCK_MONOTONIC, SETTLE_USEC,
					       1000, on_settle, d) < 0)
			d->settle_src = NULL;
		return;
	}
	sd_event_source_set_time_relative(d->settle_src, SETTLE_USEC);
	sd_event_source_set_enabled(d->settle_src, SD_EVENT_ONESHOT);
}
