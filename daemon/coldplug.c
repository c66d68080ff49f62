// SPDX-License-Identifier: MIT
/*
 * hotmemd: the sysroot meets the model — coldplug, the block uevents, and
 * the rescan after a burst of uevents for blocks whose ADD was lost, when
 * something says one may have been (missed.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hotmemd.h"
#include "uapi/hmuapi.h"

#define SETTLE_USEC 20000 /* quiet time after a uevent burst */

bool hmd_stop_requested(struct hmd *d)
{
	sigset_t set;

	/* every long loop looks here between blocks: the loop's timers cannot run then */
	hmd_keepalive(d);
	if (!d->stop_signal && !sigpending(&set)) {
		if (sigismember(&set, SIGTERM) == 1)
			d->stop_signal = SIGTERM;
		else if (sigismember(&set, SIGINT) == 1)
			d->stop_signal = SIGINT;
	}
	return d->stop_signal != 0;
}

struct block_walk {
	struct hmd *d;
	void (*fn)(struct hmd *d, unsigned long id, void *arg);
	void *arg;
	unsigned long beyond, first;
};

/* one entry of memory/: a memoryN directory is @w->fn's; false: a stop was asked for */
static bool block_entry(int dfd, const char *name, void *arg)
{
	struct block_walk *w = arg;
	unsigned long id;
	char *end;

	if (hmd_stop_requested(w->d))
		return false;
	if (strncmp(name, "memory", 6))
		return true;
	id = strtoul(name + 6, &end, 10);
	if (end == name + 6 || *end)
		return true;
	if (id >= HMD_MAX_BLOCK_ID) {
		w->beyond++;
		w->first = w->first < id ? w->first : id;
		return true;
	}
	w->fn(w->d, id, w->arg);
	return true;
}

/*
 * Calls fn for every memoryN directory in the sysroot, then @done (if any)
 * once the listing is whole; 0 or -errno, -EINTR when a stop was asked
 * for.  With @measure (fn puts every block it meets into the model), a
 * whole listing measures memory/'s links besides the model's blocks anew
 * (missed.c), after @done.  A listing that only looks (hmd_count_new())
 * must not: the blocks the model lacks would count as other links, the
 * link check would agree from then on and those blocks stay unhandled.
 */
static int for_each_block_dir(struct hmd *d, void (*fn)(struct hmd *d, unsigned long id, void *arg),
			      void (*done)(struct hmd *d, void *arg), void *arg, bool measure)
{
	struct block_walk w = { d, fn, arg, 0, ULONG_MAX };
	unsigned long beyond, first, links = 0;
	int r, links_err = 0;

	/* read before the listing: a block made meanwhile shows as a change */
	if (measure)
		links_err = hmd_memdir_links(d, &links);
	r = hmd_list_dir(d->memdir_fd, ".", block_entry, &w, NULL);
	if (r) {
		/* blocks left unseen: the links say nothing until a whole listing */
		if (measure)
			hmd_links_unknown(d, "the last listing of memory/ stopped before its end");
		return r == 1 ? -EINTR : r;
	}
	if (done)
		done(d, arg);
	if (measure)
		hmd_missed_measure(d, links_err, links);
	beyond = w.beyond;
	first = w.first;
	/* said when it changes, not at every rescan after a burst */
	if (beyond != d->beyond && beyond)
		hmd_log(d, LOG_WARNING,
			"%lu block(s) from memory%lu on are beyond the %lu hotmemd handles: left alone",
			beyond, first, HMD_MAX_BLOCK_ID);
	d->beyond = beyond;
	return 0;
}

/*
 * The offline blocks' memoryN/state, opened O_RDWR by the coldplug's scan
 * for its read and kept for the write of the block's decision (#15): one
 * OPEN and one RELEASE a block less on a FUSE sysroot (hotmemfs), as an
 * ADD's hmd_block_process() does.  A write on a file a read went through
 * is what sysfs takes: kernfs_fop_open() allows O_RDWR on an attribute
 * with show and store (memoryN/state, 0644), sysfs_kf_write() ignores the
 * position (6.12 fs/kernfs/file.c, fs/sysfs/file.c); made at 0 all the
 * same (hmd_write_state_sysfs()).  At most COLD_KEEP_MAX files, and half
 * the descriptors hotmemd may open: the blocks past it are read and
 * written by an open each, as before.  Each in its block's entry
 * (hmd_block.state_fd), where the decisions' walk in block order finds it:
 * no table of its own beside the blocks'.  16384 since perf42 (512
 * before): a coldplug of 4096 blocks on hotmemfs 0.74 s against 0.84 s
 * (medians of 4 interleaved runs, load 3-3.6); 16384 files are ~80 MiB of
 * a real kernel's memory (~5 KiB an open sysfs attribute read once), for
 * a machine of 2 TiB of 128 MiB blocks.
 */
#define COLD_KEEP_MAX 16384

/*
 * The soft limit of descriptors raised towards the hard one, for the
 * files the scan keeps: systemd starts a service at 1024 soft (its
 * DefaultLimitNOFILE=1024:524288) and says a program that needs more
 * raises its own, as hotmemd may: it waits with poll(), never select(),
 * whose fd_set stops at 1024.  @rl: the limits, the soft one as raised
 * (kept as it was when the raise is refused).
 */
static void nofile_raise(struct rlimit *rl)
{
	struct rlimit want = *rl;

	if (rl->rlim_cur == RLIM_INFINITY || rl->rlim_cur / 2 >= COLD_KEEP_MAX)
		return;
	want.rlim_cur = rl->rlim_max == RLIM_INFINITY || rl->rlim_max / 2 > COLD_KEEP_MAX ?
				2 * (rlim_t)COLD_KEEP_MAX :
				rl->rlim_max;
	if (want.rlim_cur > rl->rlim_cur && !setrlimit(RLIMIT_NOFILE, &want))
		*rl = want;
}

/* the files the scan keeps open, and how many it may */
struct cold_keep {
	unsigned long n, max;
};

static void cold_keep_init(struct cold_keep *k, bool decide)
{
	struct rlimit rl;

	k->n = k->max = 0;
	if (!decide || getrlimit(RLIMIT_NOFILE, &rl))
		return;
	nofile_raise(&rl);
	k->max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur / 2 > COLD_KEEP_MAX ? COLD_KEEP_MAX :
										      rl.rlim_cur / 2;
}

/* block @b's file the scan read (hmd_state_open()): kept in its entry if offline, else closed */
static void cold_keep(struct hmd *d, struct cold_keep *k, struct hmd_block *b)
{
	int fd = hmd_state_take(d);

	if (fd < 0)
		return;
	if (b->unread || b->online || k->n == k->max || b->state_fd >= 0) {
		close(fd);
		return;
	}
	b->state_fd = fd;
	k->n++;
}

/* block @b's kept file closed, if it has one (not decided through it) */
static void cold_drop(struct hmd_block *b)
{
	if (b->state_fd >= 0)
		close(b->state_fd);
	b->state_fd = -1;
}

/* every kept file closed: the walk is over, stopped or failed */
static void cold_drop_all(struct hmd *d)
{
	for (unsigned long i = 0; i < d->nblk; i++)
		cold_drop(&d->blk[i]);
}

static void block_seen(struct hmd *d, unsigned long id, void *arg)
{
	struct hmd_block *b = hmd_block_get(d, id);
	struct cold_keep *k = arg;
	bool keep = k && k->n < k->max;

	if (!b)
		return;
	/* the sums are recounted when the rescan is done (hmd_mark_boot_blocks()) */
	d->n_present += !b->present;
	b->present = true;
	/*
	 * a scan during add_memory_resource() meets blocks before
	 * register_memory_blocks_under_node() links them: nid_guessed, they
	 * wait like one ADDed so (hmd_coldplug(), hmd_link_wait())
	 */
	hmd_block_node(d, id, b, true);
	if (keep)
		hmd_state_open(d, id);
	b->unread = hmd_block_refresh(d, id, b) != 0;
	if (keep)
		cold_keep(d, k, b);
	/*
	 * an offline block's firmware_node is read when it is decided, after
	 * the scan: a DIMM bound while the scan ran (minutes on a big
	 * machine) shows its link then.  An online one's is what the listing
	 * showed (the boot blocks' scan asks it).
	 */
	if (!b->online)
		b->fwnode = HMD_FWNODE_UNREAD;
}

/*
 * A scan that stopped for SIGTERM: on a big machine the coldplug takes
 * minutes (hotmemfs: 1-6 ms a block), past systemd's stop timeout.  The
 * blocks not decided yet stay as they are, for the next start's coldplug.
 */
static int coldplug_stopped(struct hmd *d, unsigned long decided)
{
	cold_drop_all(d);
	hmd_fw_range_learning(d, false);
	hmd_log(d, LOG_NOTICE,
		"coldplug stopped by signal %d after %lu block(s): the others are left as they are, for the next start's coldplug",
		d->stop_signal, decided);
	return -EINTR;
}

/*
 * Whether the kernel onlines new memory itself: auto_online_blocks anything
 * but "offline" (6.12 add_memory_resource() onlines each new block inside
 * add_memory() when mhp_get_default_online_type() != MMOP_OFFLINE), so the
 * block an ADD names is the kernel's and no policy of ours applies to it.
 * Read at each coldplug (start, reload) and each ADD: one sysfs read, and an
 * admin may write the file at any time.  Said at start, on reload and when
 * an ADD finds it changed to onlining.  Unreadable (no such attribute, a
 * bare sysroot): the kernel onlines nothing, as before hotplug's auto-online.
 */
static bool kernel_onlines(struct hmd *d, bool say, char *val, size_t len)
{
	bool on;

	if (hmd_read_auto_online(d, val, len) <= 0) {
		snprintf(val, len, "?");
		on = false;
	} else {
		on = strcmp(val, "offline") != 0;
	}
	if (on && (say || !d->kernel_onlines))
		hmd_log(d, LOG_WARNING,
			"auto_online_blocks is %s: the kernel onlines new memory itself; policy %s will not apply to memory added from now on (memhp_default_state=offline or auto_online_blocks=offline)",
			val, hmd_policy_name(d->cfg.policy));
	d->kernel_onlines = on;
	return on;
}

/* block @i is not decided by the coldplug's walk (now) */
static bool cold_skip(struct hmd *d, unsigned long i, bool online_offline)
{
	struct hmd_block *b = &d->blk[i];

	/* one waiting for its link that went or came online meanwhile: decided */
	if (!b->present || b->online) {
		hmd_link_wait_clear(d, b);
		/* someone offlines it (going-offline): said why a coldplug leaves it */
		if (b->present && b->offlining && online_offline)
			hmd_block_being_offlined(d, i);
		return true;
	}
	/* one still waiting is decided when the uevents settle, as one the scan finds unlinked */
	if (!online_offline || b->retry || b->link_wait)
		return true;
	/* an admin's offline this boot, before an unplug: theirs (offlined.c, reread36 R9) */
	if (b->offlined) {
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_SKIPPED, i, NULL, NULL, 0,
			   "offlined by someone else this boot (%s/offlined): left offline",
			   d->cfg.state_dir[0] ? d->cfg.state_dir : "state_dir");
		return true;
	}
	/*
	 * as at an ADD: one the scan met before its node link (a scan
	 * during a hot-add) waits for it too (finalJ J6)
	 */
	return hmd_link_wait(d, i, b->nid_guessed, false);
}

/*
 * Rebuild the model from the sysroot; online what is offline when asked
 * (at start, after lost uevents) but not on SIGHUP, where an offline block
 * is more likely one an admin offlined on purpose.
 */
int hmd_coldplug(struct hmd *d, bool online_offline)
{
	char auto_online[32] = "?";
	unsigned long i, offline = 0, decided = 0;
	struct cold_keep keep;
	int r;

	for (i = 0; i < d->nblk; i++)
		d->blk[i].present = false;
	d->n_present = 0;
	/* a look at every block: what a settle would relist for is seen now */
	hmd_missed_clear(d);
	d->reread_states = false;
	d->acpi_state = HMD_ACPI_UNKNOWN;
	/* whether there is any ACPI memory device: asked anew at each coldplug */
	d->acpi_devs = HMD_ACPI_DEVS_UNKNOWN;
	/* the virtio-mem table too: the sysroot may be another machine now (sysroot.c) */
	hmd_dyn_drop(d);
	cold_keep_init(&keep, online_offline);
	/*
	 * a block online in the model and offline now: someone offlined it
	 * if a reload's rescan reads it so (offlined.c); a start's model is
	 * empty, the sysroot's return's may be another machine's
	 */
	d->offlined_blind = online_offline;
	r = for_each_block_dir(d, block_seen, NULL, &keep, true);
	d->offlined_blind = false;
	if (r) {
		/*
		 * the blocks the scan did not reach are absent: one waiting for
		 * its link waits no longer, its ONLINE or REMOVE would find no
		 * block to clear it (linkreview F10)
		 */
		for (i = 0; i < d->nblk; i++)
			if (!d->blk[i].present)
				hmd_link_wait_clear(d, &d->blk[i]);
		/* the sums and the group followed the blocks just marked absent */
		hmd_blocks_recount(d);
		if (r == -EINTR)
			return coldplug_stopped(d, 0);
		cold_drop_all(d);
		return r;
	}
	/* the blocks' firmware_node from their devices' links, where they say it (sysfs.c) */
	hmd_fw_range_learning(d, true);
	/* where ZONE_DMA(32) reach: said by the anchor if it reads zoneinfo, else read */
	d->low_known = false;
	hmd_mark_boot_blocks(d);
	hmd_offlined_load(d);
	if (!d->low_known)
		hmd_low_zones_read(d);
	hmd_apply_config(d);
	kernel_onlines(d, true, auto_online, sizeof(auto_online));
	for (i = 0; i < d->nblk; i++)
		offline += d->blk[i].present && !d->blk[i].online;
	hmd_node_stats(d, &d->pc);
	/* a reload's scan onlines nothing (docs/hotmemd.md): not called a coldplug */
	hmd_log(d, LOG_INFO,
		"%s: %lu offline block%s, block size %lu MiB, %d node(s), auto_online_blocks=%s, auto_movable_ratio %u%%%s",
		online_offline ? "coldplug" : "rescan, onlining nothing", offline, offline == 1 ? "" : "s",
		d->block_size >> 20, d->nr_nodes, auto_online, d->pc.ratio,
		d->pc.numa_aware ? ", numa-aware" : "");
	for (i = 0; i < d->nblk; i++) {
		struct hmd_block *b = &d->blk[i];

		/* not decided now: the file the scan kept for it (cold_keep()) closed */
		if (cold_skip(d, i, online_offline)) {
			cold_drop(b);
			continue;
		}
		if (hmd_stop_requested(d)) {
			hmd_status_changed(d);
			return coldplug_stopped(d, decided);
		}
		/* its filesystem gone (sysroot.c): the rest waits for its return's coldplug */
		if (d->sysroot_gone)
			break;
		/* the scan just read its state: read it again only where it could not */
		if (b->unread) {
			hmd_block_process(d, i);
		} else {
			/* its file the scan read through, kept (cold_keep()): written through it */
			if (b->state_fd >= 0)
				hmd_state_give(d, i, b->state_fd);
			b->state_fd = -1;
			hmd_block_decide(d, i);
			hmd_state_close(d);
		}
		decided++;
	}
	cold_drop_all(d);
	/* whether an ACPI memory device binds was asked for this scan only, its ranges too */
	d->acpi_state = HMD_ACPI_UNKNOWN;
	hmd_fw_range_learning(d, false);
	hmd_status_changed(d);
	return 0;
}

/*
 * A block below @id still waits for its node link: @id, linked at its ADD,
 * waits with it and is decided after it, in block order.  A hot-add's
 * links come after its ADDs (6.12 add_memory_resource()), and a virtio-mem
 * device adds a block at a time: the next block's ADD can meet its link
 * already there while the block before it waits, and deciding it first
 * swapped their zones under auto-movable (tests/daemon/62 check 13).
 */
static bool node_waiter_below(struct hmd *d, unsigned long id)
{
	/*
	 * none waits for its node link (a DIMM's blocks waiting for their
	 * firmware_node alone): no walk, which made each ADD O(waiters) and a
	 * DIMM's ADDs quadratic (reread18-daemon 2); else the waiters below
	 * @id alone are looked at (linkwait.c hmd_next_waiter())
	 */
	if (!d->n_node_wait)
		return false;
	for (unsigned long i = hmd_next_waiter(d, 0, id); i < id; i = hmd_next_waiter(d, i + 1, id))
		if (d->blk[i].link_wait & HMD_WAIT_NODE)
			return true;
	return false;
}

static void block_added(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = hmd_block_get(d, id);
	bool linked;
	char val[32];

	if (!b) {
		hmd_log(d, LOG_WARNING, "memory%lu: block id out of range", id);
		return;
	}
	hmd_retry_cancel(b);
	hmd_link_wait_clear(d, b);
	hmd_block_account(d, id, -1);
	hmd_block_set_failed(d, id, false);
	/* new memory (an offlined block's REMOVE may have been lost): decided as any */
	hmd_offlined_set(d, id, false);
	d->n_present += !b->present;
	if (!b->present) {
		/*
		 * what was known of it before it went (a rescan found it gone)
		 * is stale: counted offline until its state is read (finalG 5)
		 */
		b->online = false;
		b->zone = HMD_ZONE_NONE;
	}
	b->present = true;
	b->boot = false; /* it arrived after boot */
	b->attempts = 0;
	/*
	 * its node link looked up by name, else listed (its firmware_node as
	 * the listing shows it: none before the DIMM's binding)
	 */
	linked = hmd_block_node_probe(d, id, b) || hmd_block_node(d, id, b, true);
	hmd_block_joined(d, id);
	hmd_block_account(d, id, 1);
	if (kernel_onlines(d, false, val, sizeof(val))) {
		/* the kernel's block: its ONLINE uevent says where it went (hmd_block_reread) */
		hmd_block_reread(d, id);
		hmd_log_ev(d, LOG_DEBUG, HMD_MSGID_SKIPPED, id, NULL, NULL, 0,
			   "left to the kernel (auto_online_blocks=%s)", val);
		hmd_status_changed(d);
		return;
	}
	if (!hmd_link_wait(d, id, !linked || node_waiter_below(d, id), true))
		hmd_block_process(d, id);
}

/* block @id is gone (its REMOVE, or found gone): out of the model and its sums */
void hmd_block_forget(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = hmd_block_find(d, id);

	if (!b)
		return;
	hmd_retry_cancel(b);
	hmd_link_wait_clear(d, b);
	hmd_block_account(d, id, -1);
	hmd_block_left(d, id);
	hmd_dyn_block_left(d, id);
	hmd_block_set_failed(d, id, false);
	/* what comes back under its number is new memory */
	hmd_offlined_set(d, id, false);
	b->present = false;
	d->n_present--;
	b->online = false;
	b->pretend = false;
}

/*
 * An ONLINE or OFFLINE of a block whose write waits for its retry: no
 * write of ours is under way (the last one was refused), so someone else
 * onlined or offlined it.  Theirs: the retry is cancelled.  It was left to
 * run, and onlined a block the admin had onlined and offlined meanwhile
 * to unplug it, in another zone (abuse25a B8), where an admin's offline
 * is respected otherwise and an EINVAL of a block someone onlined is fine.
 */
static void retry_left_to_them(struct hmd *d, struct hmd_block *b, unsigned long id, int type)
{
	hmd_retry_cancel(b);
	b->attempts = 0;
	hmd_log_ev(d, LOG_INFO, NULL, id, NULL, NULL, 0,
		   "%s by someone else while hotmemd waited to retry its write: left to them",
		   type == HMU_KOBJ_ONLINE ? "onlined" : "offlined");
}

void hmd_block_event(struct hmd *d, const char *action, unsigned long id)
{
	int type = hmu_kobject_action_type(action, strlen(action));
	struct hmd_block *b;

	if (type == HMU_KOBJ_ADD) {
		block_added(d, id);
		return;
	}
	b = hmd_block_find(d, id);
	if (!b)
		return;
	if (type == HMU_KOBJ_REMOVE) {
		hmd_block_forget(d, id);
	} else if (type == HMU_KOBJ_ONLINE || type == HMU_KOBJ_OFFLINE) {
		/*
		 * Only ADD makes us online a block: an admin's offline is
		 * respected (it is how memory gets unplugged).
		 */
		if (b->retry)
			retry_left_to_them(d, b, id, type);
		/*
		 * A block waiting for its link that someone else onlined (and
		 * maybe offlined again) is theirs: the settle decides nothing.
		 */
		hmd_link_wait_clear(d, b);
		/*
		 * the ONLINE that follows our own write: nothing new to read,
		 * but the node of one decided without its node link (the link
		 * wait's cap, linkwait.c): its pages on node 0 until a later
		 * state change, maybe never (linkreview F4)
		 */
		if (type == HMU_KOBJ_ONLINE && b->online && b->zone != HMD_ZONE_NONE &&
		    !(b->nid_guessed && d->node_links))
			return;
		hmd_block_reread(d, id);
	} else {
		return;
	}
	hmd_status_changed(d);
}

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

struct rescan {
	unsigned long found, gone, first_gone, changed, first_changed;
};

/*
 * A block the model holds, its ONLINE or OFFLINE maybe lost with the
 * uevents (hmd_uevents_lost()): its state read again, as that uevent
 * would have read it (hmd_block_event()).  Never decided: offline, it may
 * be so on purpose -- an admin's offline to unplug it (reread36 R2).
 */
static void known_reread(struct hmd *d, unsigned long id, struct hmd_block *b,
			 struct rescan *rs)
{
	bool was = b->online;

	hmd_block_reread(d, id);
	if (b->online == was)
		return;
	if (!rs->changed++)
		rs->first_changed = id;
	if (b->retry)
		retry_left_to_them(d, b, id, b->online ? HMU_KOBJ_ONLINE : HMU_KOBJ_OFFLINE);
	/* someone else onlined one waiting for its link: theirs */
	if (b->online)
		hmd_link_wait_clear(d, b);
}

static void block_if_new(struct hmd *d, unsigned long id, void *arg)
{
	struct rescan *rs = arg;
	struct hmd_block *b = hmd_block_find(d, id);

	if (b) {
		b->listed = true;
		if (d->reread_states)
			known_reread(d, id, b, rs);
		return;
	}
	if (!block_complete(d, id)) {
		/* left for the next settle's rescan: said to be due, named by number */
		hmd_missed_half_created(d, id);
		return;
	}
	rs->found++;
	block_added(d, id);
	d->blk[id].listed = true;
}

/*
 * Blocks the model holds that the whole listing did not show: their
 * REMOVE was lost (a sender's drop; the kernel sends it before the
 * directory goes, device_del(), so a REMOVE on its way cannot be ahead of
 * its directory).  Forgotten as the REMOVE would have done, so the zone
 * sums and memory/'s links agree with memory/ again.
 */
static void forget_unlisted(struct hmd *d, void *arg)
{
	struct rescan *rs = arg;
	unsigned long i;

	for (i = 0; i < d->nblk; i++) {
		if (!d->blk[i].present || d->blk[i].listed)
			continue;
		if (!rs->gone++)
			rs->first_gone = i;
		hmd_block_forget(d, i);
	}
}

struct new_count {
	unsigned long n, first;
};

static void block_count_new(struct hmd *d, unsigned long id, void *arg)
{
	struct new_count *c = arg;

	if (hmd_block_find(d, id))
		return;
	c->n++;
	if (id < c->first)
		c->first = id;
}

/* memoryN directories the model has not seen, the lowest id in @first; 0 when unreadable */
unsigned long hmd_count_new(struct hmd *d, unsigned long *first)
{
	struct new_count c = { 0, ULONG_MAX };

	if (for_each_block_dir(d, block_count_new, NULL, &c, false))
		return 0;
	*first = c.first;
	return c.n;
}

/*
 * Blocks in the sysroot the model has never seen: their ADD was lost (a
 * full netlink buffer, or a Unix-socket sender that drops when our queue
 * of net.unix.max_dgram_qlen datagrams is full), as missed.c judged.  Only
 * new blocks: an offline block we know of may be offline on purpose.  And
 * blocks the model holds that are gone, their REMOVE lost; after a loss
 * of uevents of any action (d->reread_states), the known blocks' state
 * read again.  The one place that decides what a rescan after lost
 * uevents may online: a block new to the model, as its ADD would have.
 */
void hmd_scan_new(struct hmd *d)
{
	struct rescan rs = { 0 };
	unsigned long i;

	for (i = 0; i < d->nblk; i++)
		d->blk[i].listed = false;
	if (for_each_block_dir(d, block_if_new, forget_unlisted, &rs, true))
		return;
	/* each known block read: until the next loss, their uevents say the rest */
	d->reread_states = false;
	if (rs.changed)
		hmd_log(d, LOG_NOTICE,
			"%lu known block(s) went online or offline without a uevent, from memory%lu on: read again, none decided",
			rs.changed, rs.first_changed);
	if (rs.changed || rs.found)
		hmd_status_changed(d);
	if (rs.gone)
		hmd_log(d, LOG_NOTICE,
			"%lu block(s) gone without a REMOVE uevent, from memory%lu on: forgotten",
			rs.gone, rs.first_gone);
	if (rs.found)
		hmd_log(d, LOG_NOTICE, "%lu new block(s) without an ADD uevent: handled", rs.found);
	else
		hmd_log(d, LOG_DEBUG, "rescan after uevents: no new blocks");
	if (rs.gone)
		hmd_status_changed(d);
}

/*
 * A burst is over: memory/ relisted only if a uevent may have been missed
 * (missed.c), not after every burst -- that listing grew with the machine.
 * Each settle says which at debug level.
 */
static void settled(struct hmd *d)
{
	const char *why = hmd_missed(d);

	if (!why) {
		hmd_log(d, LOG_DEBUG,
			"uevents settled: nothing missed (%lu blocks, memory/'s links agree): no rescan",
			d->n_present);
		return;
	}
	/* a count of one instant: a block's ADD may be on its way (missed.c) */
	if (hmd_missed_look_again(d) && hmd_uevent_seen(d)) {
		hmd_log(d, LOG_DEBUG,
			"uevents settled: %s: looked at again at the next settle (an ADD or REMOVE may be on its way)",
			why);
		return;
	}
	hmd_log(d, LOG_DEBUG, "uevents settled: %s: rescanning memory/", why);
	hmd_missed_clear(d);
	hmd_scan_new(d);
}

/*
 * Uevents were lost, of any action (@why): memory/ relisted when they
 * settle (hmd_scan_new(), what a settle relists for), the known blocks'
 * state read again as well.  Not a coldplug: that decides every offline
 * block, the ones an admin offlined on purpose too (reread36 R2).  With
 * no settle timer (the loop refuses one), relisted now.
 */
void hmd_uevents_lost(struct hmd *d, const char *why)
{
	hmd_log(d, LOG_WARNING,
		"%s: uevents lost; memory/ relisted when they settle (new blocks handled as at an add, the others' state read again)",
		why);
	hmd_missed_note(d, "%s", why);
	d->reread_states = true;
	if (hmd_uevent_seen(d))
		return;
	hmd_missed_clear(d);
	hmd_scan_new(d);
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hmd *d = userdata;

	/* whether an ACPI memory device binds: asked anew for the waiting blocks */
	d->acpi_state = HMD_ACPI_UNKNOWN;
	/*
	 * They were found outside every virtio-mem device with this burst's
	 * /proc/iomem (a device probed since is read once more, dyngroups.c):
	 * it is read again after them, for the rescan and the next burst
	 */
	hmd_link_wait_settle(d);
	hmd_dyn_invalidate(d);
	settled(d);
	d->acpi_state = HMD_ACPI_UNKNOWN;
	return 0;
}

/*
 * Called for every memory uevent: rescan for new blocks once they stop.
 * Whether the settle timer is armed (a block may wait for it).
 */
bool hmd_uevent_seen(struct hmd *d)
{
	uint64_t when;

	if (!d->ev)
		return false;
	if (!d->settle_src) {
		if (sd_event_add_time_relative(d->ev, &d->settle_src, CLOCK_MONOTONIC, SETTLE_USEC,
					       1000, on_settle, d) < 0) {
			d->settle_src = NULL;
			return false;
		}
		return true;
	}
	if (sd_event_source_set_time_relative(d->settle_src, SETTLE_USEC) < 0)
		return false;
	/* uevents that keep coming hold the blocks waiting for a link no longer */
	if (d->n_link_wait && !sd_event_source_get_time(d->settle_src, &when) &&
	    when > d->link_wait_until)
		sd_event_source_set_time(d->settle_src, d->link_wait_until);
	return sd_event_source_set_enabled(d->settle_src, SD_EVENT_ONESHOT) >= 0;
}
