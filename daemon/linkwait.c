// SPDX-License-Identifier: MIT
/*
 * hotmemd: a new block waits for its links.  A real kernel makes a block's
 * links after its ADD uevent: 6.12 acpi_memory_enable_device()
 * (drivers/acpi/acpi_memhotplug.c) calls __add_memory(), whose ADDs go out
 * one a block, and only then acpi_bind_memory_blocks() links the blocks'
 * memoryN/firmware_node (and the device's physical_nodeK);
 * add_memory_resource() (mm/memory_hotplug.c) sends every block's ADD in
 * create_memory_block_devices() and links them under their node only
 * afterwards, in register_memory_blocks_under_node(nid, ..., MEMINIT_HOTPLUG)
 * (register_memory_blocks_under_node_hotplug() in later kernels).  A block
 * decided at once would be decided without its DIMM's group or with node
 * 0's policy: it waits until the uevents settle (coldplug.c on_settle(),
 * SETTLE_USEC after the last), where the link it lacked is read again --
 * one mechanism for both links: a bit a missing kind (hmd_block.link_wait),
 * one count of the waiting blocks, one settle pass, one deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "hotmemd.h"

/*
 * the waiters are decided this long after the last block began waiting at
 * the latest: a block of a DIMM whose ADDs keep coming waits longer
 * (link_wait_set())
 */
#define LINK_WAIT_USEC 500000

/*
 * Block @id's node, from its memoryN/nodeK link.  An ADD handled at once
 * can find no link (register_memory_blocks_under_node() comes after the
 * ADDs): such a block counts as node 0's until its link is read.  Whether
 * it has one (or is gone: nothing to wait for).  With @fw, its firmware_node
 * is taken from the same listing: none where the listing showed none (no
 * READLINK of it, hmd_block_read_node()), else read when first asked for.
 * The reads a link not there yet costs are counted (SIGUSR1's status): a
 * block's first listing (@fw: at its ADD, or met by a scan) stops at its
 * node link, one read; one without the link is read to its end, its reads
 * but one counted (on FUSE the empty READDIRPLUS that ends it).  A listing
 * again of a block still without its link (a settle's for a waiter, an
 * ONLINE's for one decided as node 0's) is counted whole; one of a block
 * with its link is not (none is made: tests/daemon/90 fails on one).
 */
bool hmd_block_node(struct hmd *d, unsigned long id, struct hmd_block *b, bool fw)
{
	bool unlinked = b->nid_guessed || (b->link_wait & HMD_WAIT_NODE);
	unsigned long reads = 0;
	int listed = -1, nid = hmd_block_read_node(d, id, &listed, &reads);

	if (!fw && unlinked)
		d->node_wait_reads += reads;
	else if (fw && nid == -ENODATA && reads)
		d->node_wait_reads += reads - 1;

	if (fw)
		b->fwnode = listed == 0 ? 0 : HMD_FWNODE_UNREAD;

	b->nid = nid < 0 ? 0 : nid;
	b->nid_guessed = nid < 0;
	if (b->nid + 1 > d->nr_nodes)
		d->nr_nodes = b->nid + 1;
	if (nid >= 0)
		d->node_links = true;
	/* a block gone (its directory unlistable) has no link to wait for */
	return nid != -ENODATA;
}

/*
 * At an ADD, block @id's node link looked up by name before any listing:
 * the node of the block below it, when that one's link was read.  One
 * LOOKUP where the listing of memoryN/ is a READDIRPLUS whose reply makes
 * the kernel build an inode for each of its ~13 entries (76 us of an
 * 87 us listing on hotmemfs, 2026-12-01; docs/hotmemd.md "Where an
 * ADD's time goes").  A miss -- another node, no link yet (6.12 links
 * after the ADDs), no block below -- lists as before; so does a sysroot
 * whose listing order is not known yet (the listing finds it out).  A
 * hit leaves the firmware_node unread, read when first asked for.
 */
bool hmd_block_node_probe(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	const struct hmd_block *below = id ? hmd_block_find(d, id - 1) : NULL;
	char path[64];
	struct stat st;
	int nid;

	if (!below || below->nid_guessed || !d->node_links ||
	    d->listing_order == HMD_ORDER_UNKNOWN)
		return false;
	nid = below->nid;
	snprintf(path, sizeof(path), "memory%lu/node%d", id, nid);
	if (fstatat(d->memdir_fd, path, &st, AT_SYMLINK_NOFOLLOW))
		return false;
	b->fwnode = HMD_FWNODE_UNREAD;
	b->nid = nid;
	b->nid_guessed = false;
	return true;
}

#define WORD_BITS (8 * sizeof(unsigned long))

/*
 * The waiting blocks, a bit each (hmd.wait_map) and a bit a word of those
 * (hmd.wait_sum): the settle walks the waiters alone.  It walked the span
 * [lowest, highest] of them, which only widened while any waited: a probe
 * block far below a DIMM's waiters made every settle walk the gap, and on a
 * 16 TiB machine (131072 blocks) that is up to 6 walks a settle, each
 * 20 ms, for 0.5 s (reread18-daemon 3, linkreview F5).  A next waiter is
 * found in O(1) words of the map and ids/4096 of the summary.
 */
static unsigned long words_of(unsigned long bits)
{
	return (bits + WORD_BITS - 1) / WORD_BITS;
}

/* both bitmaps grown (zeroed) to cover ids [0, @n) */
int hmd_link_wait_grow(struct hmd *d, unsigned long n)
{
	unsigned long old = words_of(d->wait_ids), words = words_of(n);
	unsigned long old_sum = words_of(old), sum = words_of(words);
	unsigned long *map, *summary;

	if (n <= d->wait_ids)
		return 0;
	map = realloc(d->wait_map, words * sizeof(*map));
	if (!map)
		return -ENOMEM;
	d->wait_map = map;
	memset(map + old, 0, (words - old) * sizeof(*map));
	summary = realloc(d->wait_sum, sum * sizeof(*summary));
	if (!summary)
		return -ENOMEM;
	d->wait_sum = summary;
	memset(summary + old_sum, 0, (sum - old_sum) * sizeof(*summary));
	d->wait_ids = n;
	return 0;
}

/* the blocks are freed: none waits any longer */
void hmd_link_wait_free(struct hmd *d)
{
	free(d->wait_map);
	free(d->wait_sum);
	d->wait_map = d->wait_sum = NULL;
	d->wait_ids = 0;
	d->n_link_wait = d->n_node_wait = 0;
}

static void wait_mark(struct hmd *d, unsigned long id, bool on)
{
	unsigned long w = id / WORD_BITS, bit = 1ul << (id % WORD_BITS);

	if (on)
		d->wait_map[w] |= bit;
	else
		d->wait_map[w] &= ~bit;
	bit = 1ul << (w % WORD_BITS);
	if (d->wait_map[w])
		d->wait_sum[w / WORD_BITS] |= bit;
	else
		d->wait_sum[w / WORD_BITS] &= ~bit;
}

/* the first word at or above @w of the map with a waiter, or past the map */
static unsigned long next_word(const struct hmd *d, unsigned long w)
{
	unsigned long words = words_of(d->wait_ids), s = w / WORD_BITS, sum = words_of(words);
	unsigned long bits;

	if (w >= words)
		return words;
	bits = d->wait_sum[s] & (~0ul << (w % WORD_BITS));
	while (!bits) {
		if (++s >= sum)
			return words;
		bits = d->wait_sum[s];
	}
	return s * WORD_BITS + (unsigned long)__builtin_ctzl(bits);
}

unsigned long hmd_next_waiter(struct hmd *d, unsigned long id, unsigned long end)
{
	unsigned long words = words_of(d->wait_ids), w = id / WORD_BITS, bits;
	/* no waiter: the caller's @end, as hotmemd.h says, not the map's size */
	unsigned long stop = end > d->wait_ids ? d->wait_ids : end;

	if (id >= stop || !d->n_link_wait)
		return end;
	bits = d->wait_map[w] & (~0ul << (id % WORD_BITS));
	while (!bits) {
		w = next_word(d, w + 1);
		if (w >= words)
			return end;
		bits = d->wait_map[w];
	}
	id = w * WORD_BITS + (unsigned long)__builtin_ctzl(bits);
	if (id >= stop)
		return end;
	d->link_wait_walked++;
	return id;
}

/* each waiting block @i, in block order: one may stop waiting meanwhile */
#define for_each_waiter(d, i) \
	for (i = hmd_next_waiter(d, 0, (d)->nblk); i < (d)->nblk; i = hmd_next_waiter(d, i + 1, (d)->nblk))

/* block @b waits no longer for the links of @kinds (HMD_WAIT_*) */
static void link_wait_drop(struct hmd *d, struct hmd_block *b, unsigned int kinds)
{
	if (!(b->link_wait & kinds))
		return;
	if (b->link_wait & kinds & HMD_WAIT_NODE)
		d->n_node_wait--;
	b->link_wait &= ~kinds;
	if (!b->link_wait) {
		d->n_link_wait--;
		wait_mark(d, (unsigned long)(b - d->blk), false);
	}
}

/* it waits for nothing more: its firmware_node nor its node link */
void hmd_link_wait_clear(struct hmd *d, struct hmd_block *b)
{
	link_wait_drop(d, b, HMD_WAIT_FWNODE | HMD_WAIT_NODE);
}

/*
 * CLOCK_MONOTONIC now, as sd-event counts it: not sd_event_now(), the
 * loop's wake-up -- a drain of a burst of ADDs takes long after it, and
 * the last ADD's block would begin its wait counted from before its ADD
 * (keepalive.c's pings the same).
 */
uint64_t hmd_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * Block @b waits until the uevents settle, for its link of kind @kind:
 * its bit set, the block counted once.  Each block that begins waiting
 * sets when all are decided at the latest: a DIMM whose ADDs keep coming
 * (a real kernel adds a big one for seconds, its links after the last)
 * holds its first blocks on; other uevents that keep coming do not
 * (hmd_uevent_seen()).  Set first: the settle timer is pulled to it.
 * Without a settle timer nothing would ever decide it: false, decided now.
 */
static bool link_wait_set(struct hmd *d, unsigned long id, unsigned int kind)
{
	struct hmd_block *b = &d->blk[id];

	if (!b->link_wait)
		d->link_wait_until = hmd_now_usec() + LINK_WAIT_USEC;
	if (!hmd_uevent_seen(d))
		return false;
	if (!b->link_wait) {
		wait_mark(d, id, true); /* covered: the map grows with the blocks */
		d->n_link_wait++;
	}
	if ((kind & HMD_WAIT_NODE) && !(b->link_wait & HMD_WAIT_NODE))
		d->n_node_wait++;
	b->link_wait |= kind;
	return true;
}

/*
 * Whether an ACPI memory device is binding, for block @b read without a
 * link at a scan: asked after that read, the answer can be "none" because
 * the binding ended in between (the DIMM's links all made at once, after
 * its ADDs): the link is read again then, once -- only when the answer is
 * new, a cached one is older than the read.
 */
static bool acpi_binding_unlinked(struct hmd *d, unsigned long id, struct hmd_block *b)
{
	bool fresh = d->acpi_state == HMD_ACPI_UNKNOWN;

	if (hmd_acpi_memory_binding(d))
		return true;
	if (fresh)
		b->fwnode = hmd_block_read_fwnode(d, id);
	return false;
}

/*
 * The block right below @id is there and linked (@or_waiting: or waiting
 * for its firmware_node, not read then: it is read at the settle).
 * acpi_bind_memory_blocks() links a DIMM's blocks in address order
 * (walk_memory_blocks()), so a block without a link above such a one may
 * be its DIMM's, not linked yet: binding_under_way(), fwnode_pending().
 */
static bool below_linked(struct hmd *d, unsigned long id, bool or_waiting)
{
	const struct hmd_block *below;

	if (!id)
		return false;
	below = &d->blk[id - 1];
	return below->present && ((or_waiting && (below->link_wait & HMD_WAIT_FWNODE)) ||
				  hmd_block_fwnode(d, id - 1));
}

/*
 * The firmware_node: under memory_groups = firmware an offline block
 * ADDed without one waits until the uevents settle, where its link is
 * read again (link_wait_settle()).  Whether an ACPI memory device is
 * still to bind is not asked at an ADD: a walk of every PNP0C80 device
 * (256 slots on QEMU) at each lone DIMM's ADD cost up to 46 times the ADD
 * (tests/daemon/92-*); the settle asks it once, only for blocks still
 * without a link.  The coldplug (@at_add false: a start while a DIMM is
 * being added, a rescan after lost ADDs) asks it once a scan, and holds
 * back an offline block without a link only while a device is present
 * but unbound.  A virtio-mem device's block never gets a link
 * (add_memory_driver_managed(), no ACPI companion): decided at once.
 */
static bool fwnode_pending(struct hmd *d, unsigned long id, bool at_add)
{
	struct hmd_block *b = &d->blk[id];

	if (d->cfg.groups != HMD_GROUPS_FIRMWARE || !hmd_block_wants_group(d, id))
		return false;
	if (b->fwnode == HMD_FWNODE_UNREAD)
		b->fwnode = hmd_block_read_fwnode(d, id);
	/*
	 * /proc/iomem is read once a burst.  The state is not read at an ADD:
	 * one onlined meanwhile (a udev rule) is said by its ONLINE, which
	 * ends the wait (hmd_block_event()), else the settle's decision reads
	 * it; the coldplug's scan has just read it.
	 */
	if (b->fwnode || hmd_dyn_block(d, id))
		return false;
	/*
	 * no ACPI memory device at all: nothing will ever link one (a block
	 * waited for the settle, 20 ms an ADD, on such a machine since
	 * f16b10ea: bench_hotmemd's fake sysroot 21.5 ms, was 0.07)
	 */
	if (!hmd_acpi_memory_devices(d))
		return false;
	/*
	 * the coldplug: a device still to bind, or a binding under way that
	 * no device shows (the block right below linked: binding_under_way()
	 * at the settle, review D4)
	 */
	if (!at_add && !acpi_binding_unlinked(d, id, b) && (b->fwnode || !below_linked(d, id, true)))
		return false;
	if (!link_wait_set(d, id, HMD_WAIT_FWNODE))
		return false;
	/*
	 * not cached: a block of its DIMM ADDed after the binding walks its
	 * group now, and must find this one's link (it found the group cut
	 * at the waiting blocks: the late ones alone, put in Movable where
	 * the whole DIMM goes to Normal, tests/daemon/66-*)
	 */
	b->fwnode = HMD_FWNODE_UNREAD;
	hmd_log(d, LOG_DEBUG, "memory%lu: no firmware_node yet, decided when the uevents settle",
		id);
	return true;
}

/*
 * The node link: without it the block would be decided with node 0's
 * policy and ratios (`--node-policy 1=offline` would online the first
 * blocks of a node-1 DIMM), a virtio-mem device's block too.  A kernel
 * without CONFIG_NUMA links no block under a node: where no block was
 * ever seen with a link, none waits.
 */
static bool node_pending(struct hmd *d, unsigned long id)
{
	if (!d->node_links || !link_wait_set(d, id, HMD_WAIT_NODE))
		return false;
	hmd_log(d, LOG_DEBUG, "memory%lu: no node link yet, decided when the uevents settle", id);
	return true;
}

/*
 * Whether block @id, offline and just ADDed (@at_add) or met by a
 * coldplug's scan, waits for a link: its node link when @node_missing
 * (hmd_block_node()), its firmware_node (fwnode_pending()); both asked, one
 * waiting for both has its node read at the settle.  Without an event
 * loop, or when its timer cannot be armed, there is nothing to wait with.
 */
bool hmd_link_wait(struct hmd *d, unsigned long id, bool node_missing, bool at_add)
{
	bool wait;

	if (!d->ev)
		return false;
	wait = node_missing && node_pending(d, id);
	return fwnode_pending(d, id, at_add) || wait;
}

/*
 * The blocks waiting for their node link: their links read again, how
 * many still have none.  A node read anew that changed: the group last
 * asked for, walked with the block on node 0 (memory_groups =
 * contiguous), is walked again -- only then, not at every settle: a held
 * one made each of a DIMM's next ADDs walk its group again (linkreview F6).
 */
static unsigned long read_node_waiting(struct hmd *d)
{
	unsigned long i, unlinked = 0;

	for_each_waiter(d, i) {
		struct hmd_block *b = &d->blk[i];
		short nid = b->nid;

		if (!(b->link_wait & HMD_WAIT_NODE))
			continue;
		unlinked += !hmd_block_node(d, i, b, false);
		if (b->nid != nid)
			d->group.valid = false;
	}
	return unlinked;
}

/*
 * The blocks waiting for their firmware_node: their links read again, how
 * many still have none.  One with a link now: a group walked without it
 * was cut at it, walked again (as read_node_waiting()).
 */
static unsigned long read_fw_waiting(struct hmd *d)
{
	unsigned long i, unlinked = 0;

	for_each_waiter(d, i) {
		if (!(d->blk[i].link_wait & HMD_WAIT_FWNODE) ||
		    (d->blk[i].fwnode && d->blk[i].fwnode != HMD_FWNODE_UNREAD))
			continue;
		d->blk[i].fwnode = hmd_block_read_fwnode(d, i);
		if (d->blk[i].fwnode)
			d->group.valid = false;
		unlinked += !d->blk[i].fwnode;
	}
	return unlinked;
}

/*
 * A binding under way that the ACPI devices do not show: the device's
 * physical_node comes with its first block (acpi_bind_one()), and
 * acpi_bind_memory_blocks() links the blocks in address order
 * (walk_memory_blocks()), so a DIMM of thousands of blocks still being
 * linked when its ADDs settle is a linked block right below a waiting one
 * still without a link.  (A probe block right above a DIMM looks the same:
 * it waits the 0.5 s.)
 */
static bool binding_under_way(struct hmd *d)
{
	unsigned long i;

	for_each_waiter(d, i)
		if ((d->blk[i].link_wait & HMD_WAIT_FWNODE) && !d->blk[i].fwnode &&
		    below_linked(d, i, false))
			return true;
	return false;
}

/*
 * The blocks waiting for a firmware_node: their links read again.  Only
 * when one still has none are the ACPI memory devices walked, once this
 * settle: while one is present but unbound, or a binding is still under
 * way (binding_under_way()), all wait on -- a linked one too, its group
 * not whole yet -- until link_wait_until.  None binding: their links are
 * read once more first, as the binding may have ended between the read
 * and the walk (the DIMM's links all made at once, after its ADDs;
 * tests/daemon/67-*).  Whether they wait on; in @cut why one a device may
 * still bind is decided alone, NULL where none may.
 */
static bool fw_waiting_hold(struct hmd *d, uint64_t now, const char **cut)
{
	unsigned long i;

	*cut = NULL;
	if (!read_fw_waiting(d))
		return false;
	if (now >= d->link_wait_until) {
		*cut = "0.5 s after the last block began waiting";
		return false;
	}
	if (!hmd_acpi_memory_binding(d) && (!read_fw_waiting(d) || !binding_under_way(d)))
		return false; /* none binding: decided alone */
	if (!hmd_uevent_seen(d)) {
		/* waiting on needs the settle timer again: without it all are decided now */
		*cut = "no settle timer to wait on";
		return false;
	}
	for_each_waiter(d, i)
		if ((d->blk[i].link_wait & HMD_WAIT_FWNODE) && !d->blk[i].fwnode)
			d->blk[i].fwnode = HMD_FWNODE_UNREAD; /* not cached: it may come */
	return true;
}

/* block @id waits for its firmware_node no longer: said where it has none */
static void fw_wait_end(struct hmd *d, unsigned long id, const char *cut)
{
	/*
	 * a block no ACPI device binds (probe, dax/kmem) is decided alone as
	 * it should: said at notice only where one may still bind it
	 */
	if (!d->blk[id].fwnode)
		hmd_log(d, cut ? LOG_NOTICE : LOG_DEBUG,
			"memory%lu: no firmware_node%s%s: decided alone", id,
			cut ? ", an ACPI memory device still binding, " :
			      ", no ACPI memory device binding",
			cut ? cut : "");
	link_wait_drop(d, &d->blk[id], HMD_WAIT_FWNODE);
}

/*
 * The settle's pass over the waiting blocks, in block order: the link each
 * lacks read again.  While one still lacks its node link they all wait on,
 * until link_wait_until; then one without a link is decided as node 0's,
 * said at notice.  The firmware_node's waiters wait on as
 * fw_waiting_hold() says; a block is decided once it waits for nothing.
 */
void hmd_link_wait_settle(struct hmd *d)
{
	unsigned long i, node_unlinked;
	const char *cut, *node_cut;
	bool fw_hold;
	uint64_t now;

	if (!d->n_link_wait)
		return;
	node_unlinked = read_node_waiting(d);
	now = hmd_now_usec();
	if (node_unlinked && now < d->link_wait_until && hmd_uevent_seen(d))
		return;
	fw_hold = fw_waiting_hold(d, now, &cut);
	node_cut = now >= d->link_wait_until ? "0.5 s after the last block began waiting" :
					       "and no settle timer to wait on";
	/* the next waiter taken after each decision: one may end another's wait */
	for_each_waiter(d, i) {
		struct hmd_block *b = &d->blk[i];

		/*
		 * the read above, kept in nid_guessed; one gone meanwhile (its
		 * listing failed, hmd_block_node()) is not decided: said by
		 * hmd_block_process() as gone (linkreview F7)
		 */
		if ((b->link_wait & HMD_WAIT_NODE) && b->nid_guessed &&
		    !hmd_block_went_away(d, i, ENOENT))
			hmd_log(d, LOG_NOTICE, "memory%lu: no node link %s: decided as node0's", i,
				node_cut);
		link_wait_drop(d, b, HMD_WAIT_NODE);
		if ((b->link_wait & HMD_WAIT_FWNODE) && !fw_hold)
			fw_wait_end(d, i, cut);
		if (!b->link_wait)
			hmd_block_process(d, i);
	}
}
