// SPDX-License-Identifier: MIT
/*
 * hotmemd: deciding for one offline block and writing the decision to its
 * memoryN/state (policy.c decides, retry.c retries a busy write).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "hotmemd.h"

static int block_policy(struct hmd *d, const struct hmd_block *b)
{
	int p = d->cfg.node_policy[b->nid];

	return p == HMD_POL_INHERIT ? d->cfg.policy : p;
}

/* only auto-movable asks a block's group (its firmware_node is a read) */
bool hmd_block_wants_group(struct hmd *d, unsigned long id)
{
	return d->cfg.groups != HMD_GROUPS_NONE &&
	       block_policy(d, &d->blk[id]) == HMD_POL_AUTO_MOVABLE;
}

/*
 * What valid_zones offers offline block @id, known without reading it
 * (true): on a kernel -- a sysfs-like sysroot; hotmemfs is the same --
 * 6.12 valid_zones_show() lists zone_for_pfn_range() of MMOP_ONLINE,
 * MMOP_ONLINE_KERNEL and MMOP_ONLINE_MOVABLE (drivers/base/memory.c,
 * mm/memory_hotplug.c): the Movable one is ZONE_MOVABLE whatever the
 * block, and the kernel one default_kernel_zone_for_pfn(), Normal unless
 * ZONE_DMA or ZONE_DMA32 of the block's node meets the block
 * (hmd->low_lo/low_hi, from /proc/zoneinfo).  Only the first, the default, depends on more (the
 * kernel's own online policy): policy online, which writes it, reads the
 * file, as a block where a low zone may reach does.  A plain-file
 * sysroot's file holds whatever it was given: read.  One OPEN, READ and
 * RELEASE a decision fewer on a FUSE sysroot (docs/hotmemd.md, "FUSE
 * requests a block").
 */
static bool zones_offered(struct hmd *d, unsigned long id, int policy, struct hmd_block_req *req)
{
	const unsigned long lo = id * d->block_pages, hi = lo + d->block_pages;
	const int nid = d->blk[id].nid;

	if (d->trunc_writes || !d->low_known || d->warned_node_max ||
	    (policy != HMD_POL_AUTO_MOVABLE && policy != HMD_POL_ONLINE_KERNEL &&
	     policy != HMD_POL_ONLINE_MOVABLE))
		return false;
	/*
	 * the kernel's default_kernel_zone_for_pfn(mem->nid, ...) asks the
	 * block's real node: one whose node link was still missing (decided
	 * as node 0's after the 0.5 s cap, coldplug.c) is read, not judged
	 * on node 0's spans (finalJ J4); without CONFIG_NUMA no block has a
	 * link and node 0 is right
	 */
	if (d->blk[id].nid_guessed && d->node_links)
		return false;
	if (lo < d->low_hi[nid] && hi > d->low_lo[nid])
		return false;
	req->valid_zones = 1u << HMD_ZONE_NORMAL | 1u << HMD_ZONE_MOVABLE;
	req->default_zone = HMD_ZONE_NONE;
	return true;
}

/*
 * A [nodeN] policy named as one in the decision's reason, "node1's policy
 * online_kernel": the file's global policy is another, and "(policy
 * online_kernel)" beside `policy = online_movable` did not say why
 * (abuse25a B7).
 */
static void name_node_policy(const struct hmd *d, const struct hmd_block *b,
			     struct hmd_decision *dec)
{
	char reason[sizeof(dec->reason) + 32]; /* room for the prefix; then cut to fit */
	const char *rest = dec->reason;

	if (d->cfg.node_policy[b->nid] == HMD_POL_INHERIT)
		return;
	/* "policy X..." (hmd_decide()) or auto-movable's "auto-movable: ..." */
	if (!strncmp(rest, "policy ", 7))
		rest += 7;
	snprintf(reason, sizeof(reason), "node%d's policy %s", b->nid, rest);
	memcpy(dec->reason, reason, sizeof(dec->reason) - 1);
	dec->reason[sizeof(dec->reason) - 1] = '\0';
}

static void decide(struct hmd *d, unsigned long id, struct hmd_decision *dec)
{
	struct hmd_block *b = &d->blk[id];
	struct hmd_block_req req = { .nid = b->nid, .nr_pages = d->block_pages };
	struct hmd_group g;
	bool groups = hmd_block_wants_group(d, id);
	int policy = block_policy(d, b);

	/* policy offline observes: it asks nothing of the block */
	if (policy != HMD_POL_OFFLINE && !zones_offered(d, id, policy, &req))
		hmd_block_read_zones(d, id, &req.valid_zones, &req.default_zone);
	/* a virtio-mem device's block is in its dynamic group, else maybe a DIMM's */
	if (groups)
		req.group = hmd_dyn_group(d, id, &req);
	if (groups && !req.group && hmd_block_group(d, id, &g))
		req.group = &g;
	hmd_node_stats(d, &d->pc);
	d->pc.dyn = d->dyn.g;
	d->pc.nr_dyn = groups ? d->dyn.n : 0;
	hmd_decide(policy, &d->pc, &req, dec);
	name_node_policy(d, b, dec);
}

static void onlined(struct hmd *d, unsigned long id, const struct hmd_decision *dec, bool ours)
{
	struct hmd_block *b = &d->blk[id];
	unsigned int mask;
	int first;

	hmd_block_account(d, id, -1);
	b->online = true;
	b->pretend = false; /* a dry run's caller sets it again */
	hmd_offlined_set(d, id, false);
	hmd_block_set_failed(d, id, false);
	b->attempts = 0;
	b->zone = dec->zone;
	if (dec->action == HMD_ACT_ONLINE || dec->zone == HMD_ZONE_NONE) {
		/* the kernel picked; an online block's valid_zones says which */
		if (!hmd_block_read_zones(d, id, &mask, &first))
			b->zone = first;
	}
	hmd_block_account(d, id, 1);
	if (ours)
		d->n_onlined++;
	hmd_status_changed(d);
}

/*
 * A memory notifier's refusal of MEM_GOING_ONLINE reaches hotmemd as an
 * errno alone (6.12 online_pages(): notifier_to_errno(), its own line
 * pr_debug only).  The one thing it can read that names a cause is
 * notifier-error-inject's file: when it holds the very error the write
 * failed with, that is said, with the file -- what the admin can check
 * and clear, not a guess.  (The kernel logs each injection too, "Injecting
 * error (-12) to MEM_GOING_ONLINE" at KERN_INFO, lib/notifier-error-
 * inject.c; hotmemfs's log is `hotmemctl dmesg`: neither is hotmemd's to
 * read.)  Anything else, no hint: a driver's notifier says why in the
 * kernel's log, which hotmemd does not see.
 */
static void injected_hint(struct hmd *d, int err, char *buf, size_t len)
{
	char path[HMD_PATH_MAX + 128];
	int inject = hmd_injected_error(d, "MEM_GOING_ONLINE", path, sizeof(path));

	buf[0] = '\0';
	if (inject && -inject == err)
		snprintf(buf, len,
			 "; %s holds %d, this error: an injected failure (notifier-error-inject), every online fails until 0 is written there",
			 path, inject);
}

/*
 * EPERM, "Operation not permitted", read as a permission problem -- but
 * from the write() of "online" it is a memory notifier's NOTIFY_BAD:
 * 6.12 online_pages() returns notifier_to_errno(memory_notify(
 * MEM_GOING_ONLINE)), and a NOTIFY_BAD that encodes no errno is
 * NOTIFY_OK - 2 = -1 = -EPERM (include/linux/notifier.h).  From the
 * open() it is what it says (reread36 R11, as R7 did for EBUSY).  An
 * injected error's hint (injected_hint()) says more: it comes first.
 */
static void eperm_hint(struct hmd *d, unsigned long id, int err, char *buf, size_t len)
{
	if (err != EPERM || buf[0])
		return;
	if (d->write_refused_open)
		snprintf(buf, len,
			 " (refused at the open of memory%lu/state: hotmemd may not write it -- its user, capabilities, a read-only /sys)",
			 id);
	else
		snprintf(buf, len,
			 " (from the write itself: a memory notifier refused MEM_GOING_ONLINE, NOTIFY_BAD without an errno, not a permission problem; its driver may say why in the kernel's log, dmesg)");
}

/*
 * What runs the coldplug again: the service's restart, or for a --oneshot
 * run (no service, abuse25a B7) itself once more
 */
static const char *rerun_advice(const struct hmd *d)
{
	return d->oneshot ? "`hotmemd --oneshot` runs again" : "`systemctl restart hotmemd`";
}

static void give_up(struct hmd *d, unsigned long id, int err, const char *what)
{
	struct hmd_block *b = &d->blk[id];
	char hint[HMD_PATH_MAX + 256];

	hmd_block_set_failed(d, id, true);
	b->attempts = 0;
	/*
	 * Nothing here tries it again (a reload onlines nothing, no new uevent
	 * comes for it): say what does, so the admin need not read the source.
	 * A start's coldplug leaves offline the blocks someone else offlined
	 * this boot (offlined.c): "every offline block" was not true (reread36 R9).
	 */
	injected_hint(d, err, hint, sizeof(hint));
	eperm_hint(d, id, err, hint, sizeof(hint));
	/*
	 * A poisoned page: a restart's retry or a state write is refused the
	 * same.  An injected -EHWPOISON poisoned nothing: its hint says what
	 * is true then.
	 */
	if (err == EHWPOISON && !hint[0])
		hmd_log_ev(d, LOG_ERR, HMD_MSGID_GAVE_UP, id, NULL,
			   hmd_policy_name(block_policy(d, b)), err,
			   "gave up onlining: %s: %s; left offline: a block with a poisoned page is never onlined again (6.12 memory_block_online(): memblk_nr_poison()), not by a restart nor a write of memory%lu/state; it comes back only after its memory is removed and plugged again",
			   what, strerror(err), id);
	else
		hmd_log_ev(d, LOG_ERR, HMD_MSGID_GAVE_UP, id, NULL,
			   hmd_policy_name(block_policy(d, b)), err,
			   "gave up onlining: %s: %s%s; left offline until %s (a start tries every offline block again but those someone else offlined this boot) or a write of memory%lu/state",
			   what, strerror(err), hint, rerun_advice(d), id);
	hmd_status_changed(d);
}

/*
 * Removed before its state was read (its ADD and REMOVE both queued), or
 * between the read that decided it and the write: nothing was refused,
 * there is nothing left to online, and its REMOVE says the rest.  Said as
 * what it is, below a give-up, and not counted as one.
 */
static void went_away(struct hmd *d, unsigned long id, int err, const char *when)
{
	struct hmd_block *b = &d->blk[id];

	b->attempts = 0;
	hmd_log_ev(d, LOG_NOTICE, HMD_MSGID_SKIPPED, id, NULL, hmd_policy_name(block_policy(d, b)),
		   err, "went away before its state was %s (the memory block device is gone): nothing to online",
		   when);
	/* as its REMOVE would: the model holds what memory/ holds (missed.c) */
	hmd_block_forget(d, id);
	hmd_status_changed(d);
}

static void write_decision(struct hmd *d, unsigned long id, const struct hmd_decision *dec)
{
	struct hmd_block *b = &d->blk[id];
	const char *state = hmd_action_state(dec->action);
	enum hmd_bstate st;
	char val[24];
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
	/* not a give-up: the coldplug on its return decides it again */
	if (hmd_sysroot_gone(d, r))
		return;
	if (hmd_block_went_away(d, id, r)) {
		went_away(d, id, r, "written");
		return;
	}
	if (r == EINVAL && !hmd_block_read_state(d, id, &st, NULL) && st != HMD_BS_OFFLINE) {
		/* raced with the kernel (auto_online_blocks) or an admin: fine */
		hmd_block_reread(d, id);
		hmd_log_ev(d, LOG_INFO, HMD_MSGID_SKIPPED, id, hmd_zone_name(b->zone), NULL, r,
			   "already online by someone else");
		hmd_status_changed(d);
		return;
	}
	if ((r == EBUSY || r == EAGAIN || r == EINTR) && b->attempts < d->cfg.retry_max) {
		b->attempts++;
		if (!hmd_retry_schedule(d, id, r))
			return;
	}
	give_up(d, id, r, b->attempts ? "retries exhausted" : state);
}

/*
 * A block someone is offlining (going-offline): never decided.  A write
 * would wait for the device hotplug lock their offline holds -- the loop
 * stuck in one write, no READY=1, no watchdog -- and online the block the
 * moment their offline is done (reread36 R4).  Its OFFLINE uevent comes
 * then; a failed offline leaves it online.
 */
void hmd_block_being_offlined(struct hmd *d, unsigned long id)
{
	hmd_log_ev(d, LOG_INFO, HMD_MSGID_SKIPPED, id, NULL, NULL, 0,
		   "being offlined by someone else (going-offline): left alone");
}

static void process(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	enum hmd_bstate st;
	int r;

	r = hmd_block_read_state(d, id, &st, NULL);
	if (r) {
		if (hmd_sysroot_gone(d, -r))
			return;
		if (hmd_block_went_away(d, id, -r))
			went_away(d, id, -r, "read");
		else
			hmd_log_ev(d, LOG_WARNING, NULL, id, NULL, NULL, -r, "cannot read state");
		return;
	}
	if (st == HMD_BS_GOING_OFFLINE) {
		/* counted online, as the kernel's zone still counts its pages */
		hmd_block_reread(d, id);
		hmd_block_being_offlined(d, id);
		hmd_status_changed(d);
		return;
	}
	if (st == HMD_BS_ONLINE) {
		/* the kernel onlined it (auto_online_blocks), or someone did */
		hmd_block_reread(d, id);
		hmd_log_ev(d, LOG_DEBUG, HMD_MSGID_SKIPPED, id, hmd_zone_name(b->zone), NULL, 0,
			   "already online, left alone");
		hmd_status_changed(d);
		return;
	}
	hmd_block_account(d, id, -1);
	b->online = false;
	hmd_block_account(d, id, 1);
	hmd_block_decide(d, id);
}

/* its state read, then decided and written through one open file (hmd_state_open()) */
void hmd_block_process(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = hmd_block_find(d, id);

	if (!b || b->retry)
		return;
	hmd_state_open(d, id);
	process(d, id, b);
	hmd_state_close(d);
}

/*
 * A dry run's decision, said once (user42 U12: a terminal showed each
 * twice, as a log line and as the stdout line).  --oneshot answers on
 * stdout, "memoryN ACTION ZONE reason", for the user or a script to read;
 * its log line then goes at debug, unless it goes to the journal (no
 * second copy on the terminal there).  A daemon's stdout is no answer
 * (under systemd it is the journal again, without fields): it logs the
 * decision (HMD_MSGID_DECISION) and prints nothing.
 */
static void dry_run_said(struct hmd *d, unsigned long id, const struct hmd_decision *dec)
{
	const struct hmd_block *b = &d->blk[id];

	hmd_log_ev(d, d->oneshot && !d->journal ? LOG_DEBUG : LOG_INFO, HMD_MSGID_DECISION, id,
		   hmd_zone_name(dec->zone), hmd_policy_name(block_policy(d, b)), 0,
		   "dry run: would write %s (%s)", hmd_action_state(dec->action), dec->reason);
	if (!d->oneshot)
		return;
	printf("memory%lu %s %s %s\n", id, hmd_action_state(dec->action), hmd_zone_name(dec->zone),
	       dec->reason);
	fflush(stdout);
}

void hmd_block_decide(struct hmd *d, unsigned long id)
{
	struct hmd_block *b = &d->blk[id];
	struct hmd_decision dec;

	decide(d, id, &dec);
	if (dec.action == HMD_ACT_NONE) {
		/* policy offline observes; any other policy that cannot apply failed */
		hmd_block_set_failed(d, id, block_policy(d, b) != HMD_POL_OFFLINE);
		hmd_log_ev(d, b->failed ? LOG_WARNING : LOG_INFO, HMD_MSGID_SKIPPED, id, NULL,
			   hmd_policy_name(block_policy(d, b)), 0, "left offline: %s", dec.reason);
		hmd_status_changed(d);
		return;
	}
	if (d->cfg.dry_run) {
		dry_run_said(d, id, &dec);
		/* later decisions see this one, as they would for real */
		onlined(d, id, &dec, false);
		b->pretend = true;
		return;
	}
	write_decision(d, id, &dec);
}
