/* SPDX-License-Identifier: MIT */
/*
 * hotmemd: the daemon context and what its parts share.
 *
 * All mutable state lives in one struct hmd; there are no other globals.
 */
#ifndef HOTMEMD_H
#define HOTMEMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "policy.h"

/* journal MESSAGE_IDs (see docs/hotmemd.md) */
#define HMD_MSGID_ONLINED "1fb1aa1c0c5646be95c18410f99485e0"
#define HMD_MSGID_GAVE_UP "bbf5584ce61e4bab8f30c732359d9032"
#define HMD_MSGID_DECISION "5360a4bc7e3147138c8c7c564af5e988"
#define HMD_MSGID_READY "3e6c30daee1340bc9d705416c1a14bbc"
#define HMD_MSGID_RELOADED "e57f0d39782e4522a4debdaa8f3aff96"
#define HMD_MSGID_BAD_CONFIG "d23b7fae516f4e908eb76760a4358d8f"
#define HMD_MSGID_RETRY "11d3f845fdf74c53822d813104a3680c"
#define HMD_MSGID_SKIPPED "fd17d5268fcf483182c4dbbaa1a64324"

/* Unix-socket senders whose SEQNUMs are followed apart (missed.c) */
#define HMD_MAX_SENDERS 8

/* virtio-mem devices modelled as dynamic memory groups; more are decided alone */
#define HMD_MAX_DYN 64

/* hmd_block.link_wait's bits: the links a block waits for */
#define HMD_WAIT_FWNODE 1u /* memoryN/firmware_node */
#define HMD_WAIT_NODE 2u /* memoryN/nodeK */

/* What the daemon knows of one memory block; indexed by block id. */
/* hmd_block.fwnode not read yet */
#define HMD_FWNODE_UNREAD 0xffffffffu

struct hmd_block {
	bool present;
	bool online;
	bool boot; /* boot memory: counts as kernel early */
	bool failed; /* gave up; retried only by a new ADD or rescan */
	signed char zone; /* enum hmd_zone when online */
	short nid;
	unsigned short attempts;
	bool unread; /* the coldplug scan could not read its state */
	/*
	 * read "going-offline" at its last read: someone's offline under way.
	 * Counted online (its pages are the zone's until offline_pages()
	 * ends, and a failed offline leaves it online with no uevent) and
	 * never decided: its OFFLINE uevent says the rest.
	 */
	bool offlining;
	bool listed; /* seen by the rescan under way (hmd_scan_new()) */
	/*
	 * offline, seen offlined by someone else this boot (hotmemd never
	 * offlines): a coldplug leaves it offline (offlined.c)
	 */
	bool offlined;
	/*
	 * its memoryN directory's st_dev and st_ino when it was marked
	 * offlined, ino 0: not known; and the unique id of the mount it was
	 * read through (statx STATX_MNT_ID_UNIQUE), 0: not known.  Another
	 * inode in the same mount (or on the same sysfs device) is new
	 * memory under its number, the mark dropped (offlined.c, reread38
	 * R2, reread39 R1)
	 */
	unsigned long long offlined_dev, offlined_ino, offlined_mnt;
	/*
	 * online in a dry run's model only (its "would write" counted, as
	 * later decisions must see it), never written: the kernel's offline
	 * read next is no one's offline, not marked (reread38 R1)
	 */
	bool pretend;
	/*
	 * HMD_WAIT_*: the links it was ADDed (or met by a scan) without,
	 * made after the ADDs -- its firmware_node
	 * (acpi_bind_memory_blocks()), its memoryN/nodeK
	 * (register_memory_blocks_under_node(), nid is 0 until then): decided
	 * when the uevents settle, those links read again there (linkwait.c)
	 */
	unsigned char link_wait;
	/*
	 * its node not read from a memoryN/nodeK link (none when last read):
	 * nid 0 is a guess, the kernel uses the real one (online.c
	 * zones_offered() reads valid_zones then)
	 */
	bool nid_guessed;
	/*
	 * memoryN/firmware_node's name hashed, 0: none (memory_groups =
	 * firmware); read when a group is first asked for (hmd_block_group())
	 */
	unsigned int fwnode;
	/*
	 * its memoryN/state the coldplug's scan opened O_RDWR, kept for its
	 * decision's write (coldplug.c cold_keep()), -1: none
	 */
	int state_fd;
	sd_event_source *retry; /* pending backoff timer */
};

struct hmd;

/*
 * Writes "online_movable\n" etc. to memoryN/state; returns 0 or -errno.
 * Pluggable so that unit tests can inject EBUSY, EAGAIN, EINVAL.
 */
typedef int (*hmd_write_fn)(struct hmd *d, unsigned long block, const char *val);

/* Sends one journal entry; NULL is sd_journal_sendv().  Tests capture it. */
struct iovec;
typedef void (*hmd_journal_fn)(struct hmd *d, const struct iovec *iov, int n);

struct hmd {
	struct hmd_config cfg;
	struct hmd_cli cli;
	const char *config_path;
	bool config_explicit;
	bool oneshot;
	bool state_dir_made; /* this start made the state dir (statelock.c) */
	/* the state dir's lock, held for life (-1: none); done: locked or said unlockable */
	int state_lock_fd;
	bool state_lock_done;

	/* the sysroot */
	int memdir_fd; /* DIR/sys/devices/system/memory */
	char zoneinfo_path[HMD_PATH_MAX + 32];
	char params_path[HMD_PATH_MAX + 64];
	char acpi_path[HMD_PATH_MAX + 32]; /* DIR/sys/bus/acpi/devices */
	char iomem_path[HMD_PATH_MAX + 32]; /* DIR/proc/iomem */
	char vmem_params_path[HMD_PATH_MAX + 64]; /* DIR/sys/module/virtio_mem/parameters */
	/*
	 * Whether an ACPI memory device is present but not bound to its
	 * blocks yet (hmd_acpi_memory_binding()), asked once a uevent burst
	 */
	enum { HMD_ACPI_UNKNOWN, HMD_ACPI_NONE_BINDING, HMD_ACPI_BINDING } acpi_state;
	/*
	 * Whether the sysroot has any ACPI memory device (PNP0C80) at all
	 * (hmd_acpi_memory_devices()): listed once, then told by each walk
	 */
	enum { HMD_ACPI_DEVS_UNKNOWN, HMD_ACPI_DEVS_NONE, HMD_ACPI_DEVS_SOME } acpi_devs;
	/*
	 * The blocks [lo, hi] an ACPI memory device is bound to, told by its
	 * physical_nodeK links (sysfs.c fw_range_learn()): their firmware_node
	 * read without a READLINK each.  Learnt only while @on (a coldplug's
	 * pass: coldplug.c alone switches it on), forgotten when it ends.
	 * failed: a device's learn failed at block failed_id (past its run),
	 * the device hashed to failed_hash: not asked again above it this
	 * pass.  A flag, not a sentinel hash: every hash is a device's.
	 */
	struct {
		bool on, valid, failed;
		unsigned long lo, hi;
		unsigned int hash;
		unsigned int failed_hash;
		unsigned long failed_id;
	} fw_range;
	unsigned long block_size;
	unsigned long block_pages;
	bool trunc_writes; /* O_TRUNC on state writes: a plain-file sysroot */
	/* a block's listing in kernfs order (sysfs.c listing_order()): not known yet, yes, no */
	enum { HMD_ORDER_UNKNOWN, HMD_ORDER_KERNFS, HMD_ORDER_OTHER } listing_order;
	/* kept open, read anew at 0 (sysfs.c kept_open()); -1/NULL: read the old way */
	int auto_online_fd;
	FILE *iomem;
	/* memoryN/state of block state_fd_id open O_RDWR (hmd_state_open()), -1: none */
	int state_fd;
	unsigned long state_fd_id;
	bool state_rdwr_refused; /* an O_RDWR open was refused: not tried again */
	bool warned_node_max; /* a block on a node >= HMD_MAX_NODES was said once */
	bool kernel_onlines; /* auto_online_blocks was not "offline" at its last read */
	/* ENOTCONN/ECONNABORTED: its filesystem is gone (sysroot.c), 0: there */
	int sysroot_gone;
	sd_event_source *mounts_src, *back_src; /* watching for its return */
	sd_event_source *alive_src; /* a FUSE sysroot asked every few seconds (sysroot.c) */
	unsigned long alive_onlined; /* n_onlined at its last tick */
	/* its ticks that asked (a STATFS) and that did not, since start (SIGUSR1's status) */
	unsigned long alive_asked, alive_skipped;
	int alive_said; /* the kind of tick last said at debug: 0 none, 1 asked, 2 not */
	/*
	 * Directory reads (getdents64(), a READDIRPLUS each on FUSE at most) a
	 * link not there yet cost, since start (SIGUSR1's status): memoryN/
	 * listings for a node link (hmd_block_node()), the ACPI devices listed
	 * for a firmware_node (hmd_acpi_memory_devices(), _binding())
	 */
	unsigned long node_wait_reads, acpi_walk_reads;

	/* the blocks and the zone accounting (blocks.c, bootblocks.c) */
	struct hmd_block *blk;
	unsigned long nblk;
	int nr_nodes;
	long kernel_offset[HMD_MAX_NODES];
	long movable_offset[HMD_MAX_NODES];
	/*
	 * The pfns [low_lo, low_hi) of each node where ZONE_DMA or ZONE_DMA32
	 * may reach, from /proc/zoneinfo (hmd_anchor_zoneinfo()); outside,
	 * an offline block's kernel zone is Normal (hmd_block_zones_known()).
	 * low_known: zoneinfo said them.
	 */
	unsigned long low_lo[HMD_MAX_NODES], low_hi[HMD_MAX_NODES];
	bool low_known;
	struct hmd_policy_ctx pc;
	/*
	 * Online blocks' pages per node, kept as blocks change
	 * (hmd_block_account()) so a decision costs O(1), not O(blocks).
	 */
	unsigned long sum_kern[HMD_MAX_NODES], sum_kern_boot[HMD_MAX_NODES], sum_mov[HMD_MAX_NODES];
	/*
	 * STATUS='s counts, kept the same way: present blocks online, Movable,
	 * failed (given up, or a policy that cannot apply: the one failed
	 * count, --oneshot's exit 2 too)
	 */
	unsigned long nr_online, nr_movable, nr_failed_now;
	/* the memory group last asked for (hmd_block_group()), kept the same way */
	struct {
		bool valid;
		unsigned long lo, hi;
		struct hmd_group g;
	} group;

	/* the dynamic memory groups, virtio-mem devices (dyngroups.c) */
	struct {
		bool stale; /* read /proc/iomem again before the next group asked for */
		bool missed; /* read again for a block outside every group, this burst */
		/*
		 * a block outside every group read went online that may be a
		 * virtio-mem device's (no firmware_node known, not boot memory):
		 * read again even before a DIMM's decision (hmd_dyn_group())
		 */
		bool outside_online;
		bool warned_hidden, warned_many;
		int n;
		unsigned long lo[HMD_MAX_DYN], hi[HMD_MAX_DYN]; /* block ids */
		struct hmd_group g[HMD_MAX_DYN];
	} dyn;

	/*
	 * Whether a uevent may have been missed since the last settle's look
	 * (missed.c): a sign and why; the Unix socket's last SEQNUM (0: none
	 * yet); memory/'s links besides the model's blocks, measured by the
	 * last listing (links_known: it held still and counts subdirectories)
	 */
	bool missed;
	char missed_why[160];
	/*
	 * uevents of any action were lost (the netlink queue overflowed):
	 * the next rescan (hmd_scan_new()) reads the known blocks' state
	 * again too, for their lost ONLINE and OFFLINE; cleared by a whole
	 * listing of it or a coldplug
	 */
	bool reread_states;
	/* blocks the last listing met half-created, the lowest (hmd_missed_half_created()) */
	unsigned long half_created, half_lowest;
	/*
	 * the Unix socket's senders, by pid (SCM_CREDENTIALS) and pidfs
	 * inode (SCM_PIDFD; 0: unknown): each numbers its own uevents, so
	 * each has its own last SEQNUM (missed.c, reread38 R10, daemon40);
	 * @tick orders them by last use
	 */
	struct hmd_sender {
		pid_t pid;
		uint64_t ino;
		int pidfd; /* its first datagram's with one, -1: none; @tick 0: not set */
		unsigned long long seq;
		unsigned long tick;
	} senders[HMD_MAX_SENDERS];
	unsigned long sender_tick;
	/*
	 * the kernel names the socket's senders: it gives their pidfds
	 * (SO_PASSPIDFD, 6.5) on pidfs (6.9); a datagram without one is a
	 * sender no entry can be sure of (missed.c same_sender())
	 */
	bool senders_pidfs;
	unsigned long n_present; /* blocks present in the model */
	bool links_known;
	unsigned long links_other;
	/*
	 * memory/'s links disagreed at a settle (hmd_missed_look_again()) and
	 * no memory uevent came since: the next settle relists if they still do
	 */
	bool links_doubt;

	unsigned long n_link_wait; /* blocks with link_wait set */
	unsigned long n_node_wait; /* of them, those waiting for their node link */
	/*
	 * which blocks have link_wait set: a bit a block id (wait_map), a bit
	 * a word of it that has any (wait_sum), grown with the blocks
	 * (hmd_link_wait_grow()): a walk of the waiters visits them alone,
	 * not the ids between (linkwait.c hmd_next_waiter())
	 */
	unsigned long *wait_map, *wait_sum;
	unsigned long wait_ids; /* ids the two cover: nblk, once grown */
	unsigned long link_wait_walked; /* waiters the walks visited, since start (tests) */
	bool node_links; /* a block was seen with a nodeK link (CONFIG_NUMA) */
	uint64_t link_wait_until; /* CLOCK_MONOTONIC usec: they are decided by then */

	/* counters for STATUS= */
	unsigned long n_onlined; /* by us, since start */
	unsigned long n_reloads; /* SIGHUPs answered, since start (main.c say_reloaded()) */
	/*
	 * this process's first anchor of boot memory where no record keeps
	 * it (state_dir "", a dry run): reused by later coldplugs as a
	 * record would be (bootblocks.c), NULL: none yet
	 */
	struct hmd_boot_record *boot_kept;
	/*
	 * the boot and sysroot the blocks' offlined marks are of, "" before
	 * the first coldplug; a change of a mark not written to
	 * state_dir/offlined yet (a dry run, a failed write) (offlined.c)
	 */
	char offlined_key[HMD_PATH_MAX + 128];
	bool offlined_unsaved;
	/* writes the record once an event-loop turn that changed a mark is done */
	sd_event_source *offlined_src;
	/* a coldplug's scan that onlines: a block read offline is not marked offlined */
	bool offlined_blind;

	/* event loop */
	sd_event *ev;
	sd_event_source *nl_src, *unix_src, *wd_src, *status_src, *settle_src;
	int nl_fd, unix_fd;
	/* the uevent socket file bound: the one unlinked at exit (uevent.c) */
	dev_t unix_dev;
	ino_t unix_ino;
	/* SOCKET.lock, held for life, and whether it is this run's to remove (socklock.c) */
	int unix_lock_fd;
	bool unix_lock_made;
	unsigned long unix_datagrams; /* received on the Unix socket since start */
	/* silence.c: the memory directory's link count, and a rise not yet judged */
	sd_event_source *silence_src;
	unsigned long silence_nlink;
	bool silence_rise;
	uint64_t watchdog_usec;
	/* hmd_keepalive(): its period (0: off) and when it is next due, CLOCK_MONOTONIC usec */
	uint64_t keepalive_usec, keepalive_next;
	/* a reload's rescan runs: EXTEND_TIMEOUT_USEC= too; the pace it replaced (0: none) */
	bool reloading;
	uint64_t reload_saved_usec;
	bool ready;
	int stop_signal; /* hmd_stop_requested() saw SIGTERM or SIGINT pending */
	unsigned long beyond; /* blocks at or past HMD_MAX_BLOCK_ID the last scan found */

	/* logging */
	bool journal;
	bool stream_prio; /* stderr is the journal's stream: lines carry "<N>" */

	hmd_write_fn write_state;
	/*
	 * the last failed state write failed at its open(), not at its
	 * write(): an EPERM there is a permission problem, from write() a
	 * memory notifier's refusal (online.c give_up()); set by each write_state
	 */
	bool write_refused_open;
	hmd_journal_fn journal_send;
	void *test_data;
};

/* log.c */
void hmd_log_setup(struct hmd *d);
void hmd_log_setup_short_lived(struct hmd *d);
/*
 * hmd_log(d, prio, fmt, ...) and hmd_log_ev(d, prio, msgid, block, zone,
 * policy, err, fmt, ...): macros, so that a journal entry's CODE_FILE,
 * CODE_LINE and CODE_FUNC are the caller's, not log.c's.
 */
struct hmd_log_site {
	const char *file;
	int line;
	const char *func;
};
#define HMD_LOG_SITE (&(const struct hmd_log_site){ __FILE__, __LINE__, __func__ })
void hmd_log_at(struct hmd *d, const struct hmd_log_site *site, int prio, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* block < 0, zone NULL, policy NULL, err 0: field left out */
void hmd_log_ev_at(struct hmd *d, const struct hmd_log_site *site, int prio, const char *msgid,
		   long block, const char *zone, const char *policy, int err, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));
#define hmd_log(d, ...) hmd_log_at(d, HMD_LOG_SITE, __VA_ARGS__)
#define hmd_log_ev(d, ...) hmd_log_ev_at(d, HMD_LOG_SITE, __VA_ARGS__)

/* sysfs.c: reading the sysroot */
int hmd_sysfs_open(struct hmd *d);
int hmd_sysfs_reopen(struct hmd *d);
/*
 * notifier-error-inject's error for memory notifier action @action
 * ("MEM_GOING_ONLINE"): its value, 0 where none is set or the file is
 * absent; its path in @path.
 */
int hmd_injected_error(struct hmd *d, const char *action, char *path, size_t len);
void hmd_sysfs_close(struct hmd *d);
int hmd_read_attr(int dirfd, const char *path, char *buf, size_t len);
/* @fn for each entry of @path until it returns false: 0 (the end), 1 (stopped), -errno */
/* its getdents64() calls added to *@reads (NULL: not counted): a READDIRPLUS each on FUSE at most */
int hmd_list_dir(int dirfd, const char *path,
		 bool (*fn)(int dfd, const char *name, void *arg), void *arg, unsigned long *reads);
int hmd_read_auto_online(struct hmd *d, char *buf, size_t len);
FILE *hmd_iomem_open(struct hmd *d);
void hmd_iomem_done(struct hmd *d, FILE *f);
/* block @id's state kept open for its read and its write, until hmd_state_close() */
void hmd_state_open(struct hmd *d, unsigned long id);
void hmd_state_close(struct hmd *d);
/* the coldplug keeps one from its scan to its decision: taken (-1: none), given back */
int hmd_state_take(struct hmd *d);
void hmd_state_give(struct hmd *d, unsigned long id, int fd);
/* memoryN/state as read */
enum hmd_bstate {
	HMD_BS_OFFLINE,
	HMD_BS_ONLINE, /* "online", or a plain-file sysroot's "online_movable" etc. */
	/*
	 * "going-offline": someone's offline under way (6.12
	 * memory_block_change_state(), under the device hotplug lock); it
	 * ends offline (an OFFLINE uevent) or, failed, online again (none)
	 */
	HMD_BS_GOING_OFFLINE,
};
int hmd_block_read_state(struct hmd *d, unsigned long id, enum hmd_bstate *st, int *hint);
int hmd_block_read_zones(struct hmd *d, unsigned long id, unsigned int *mask, int *first);
/*
 * its nodeK (-ENODATA none, -errno gone); *@fwnode 1 when the listing showed a
 * firmware_node, 0 none, -1 not known; the listing's reads added to *@reads (NULL: not)
 */
int hmd_block_read_node(struct hmd *d, unsigned long id, int *fwnode, unsigned long *reads);
unsigned int hmd_block_read_fwnode(struct hmd *d, unsigned long id);
/* the ACPI devices' ranges learnt from now on (@on), or no longer and forgotten */
void hmd_fw_range_learning(struct hmd *d, bool on);
bool hmd_acpi_memory_binding(struct hmd *d);
bool hmd_acpi_memory_devices(struct hmd *d);
int hmd_write_state_sysfs(struct hmd *d, unsigned long id, const char *val);
/* positive @err of a state write: block @id was removed (ENODEV, or ENOENT and no memoryN) */
bool hmd_block_went_away(struct hmd *d, unsigned long id, int err);

struct hmd_zoneinfo {
	int nr_nodes;
	unsigned long kernel_present[HMD_MAX_NODES];
	unsigned long movable_present[HMD_MAX_NODES];
	unsigned long cma[HMD_MAX_NODES];
	/* ZONE_DMA's and ZONE_DMA32's spans together, [low_lo, low_hi): low_lo == low_hi none */
	unsigned long low_lo[HMD_MAX_NODES], low_hi[HMD_MAX_NODES];
	bool low_known; /* each non-empty one had its start_pfn */
};
int hmd_parse_zoneinfo(FILE *f, struct hmd_zoneinfo *zi);
int hmd_read_kernel_param(struct hmd *d, const char *name, char *buf, size_t len);
void hmd_check_node_policies(struct hmd *d);

/*
 * statefile.c: state_dir's records.  One line of @f into *@buf (getline():
 * any length) without its newline; false at the end.  @cut: it had no
 * newline, the file ends inside it (its text in *@buf all the same).
 */
bool hmd_state_line(FILE *f, char **buf, size_t *cap, bool *cut);
/*
 * The record at @path written anew by @fill (its lines into @f; an error
 * is the stream's), by rename from @path.tmp after fsync(): 0, or -errno
 * (errno kept for %m) and nothing left behind, the old record in place
 */
int hmd_state_write(struct hmd *d, const char *path,
		    void (*fill)(struct hmd *d, FILE *f, const void *arg), const void *arg);

/* bootblocks.c */
bool hmd_in_list(const char *s, unsigned long id);
/* the blocks @in() takes as a list hmd_in_list() reads, and a newline */
void hmd_format_list(const struct hmd *d, FILE *f, bool (*in)(const struct hmd_block *b));

/* blocks.c: the block model, the zone accounting, STATUS= */
#define HMD_MAX_BLOCK_ID (1ul << 22) /* 512 TiB of 128 MiB blocks */
struct hmd_block *hmd_block_get(struct hmd *d, unsigned long id); /* grows the table */
struct hmd_block *hmd_block_find(struct hmd *d, unsigned long id); /* present ones only */
int hmd_block_refresh(struct hmd *d, unsigned long id, struct hmd_block *b);
/* the same for a block the zone sums count (hmd_block_account() around it) */
void hmd_block_reread(struct hmd *d, unsigned long id);
void hmd_blocks_free(struct hmd *d);
void hmd_anchor_zoneinfo(struct hmd *d);
void hmd_low_zones_read(struct hmd *d); /* hmd->low_lo/low_hi anew */
void hmd_node_stats(struct hmd *d, struct hmd_policy_ctx *pc);
/*
 * A block's change of present/online/zone/boot is bracketed by
 * hmd_block_account(d, id, -1) before and (d, id, +1) after; one that
 * joins or leaves the blocks (ADD, remove) calls hmd_block_joined() or
 * hmd_block_left() between the two.  What changes many blocks at once
 * (a rescan, the boot list) calls hmd_blocks_recount() instead.
 */
void hmd_block_account(struct hmd *d, unsigned long id, int sign);
void hmd_block_joined(struct hmd *d, unsigned long id);
void hmd_block_left(struct hmd *d, unsigned long id);
void hmd_blocks_recount(struct hmd *d);
/* a block's give-up mark (hmd_block.failed), STATUS='s count with it */
void hmd_block_set_failed(struct hmd *d, unsigned long id, bool failed);
static inline bool hmd_block_is_movable(const struct hmd_block *b)
{
	return b->zone == HMD_ZONE_MOVABLE;
}
/* blocks @lo..@hi's online pages into @g; the first online one's node, or HMD_NUMA_NO_NODE */
int hmd_group_count_online(struct hmd *d, unsigned long lo, unsigned long hi, struct hmd_group *g);
/* block @id's memoryN/firmware_node hashed (0: none), read the first time asked */
unsigned int hmd_block_fwnode(struct hmd *d, unsigned long id);
/* the static memory group of block @id (memory_groups), false: none */
bool hmd_block_group(struct hmd *d, unsigned long id, struct hmd_group *g);
void hmd_apply_config(struct hmd *d);
void hmd_status_text(struct hmd *d, char *buf, size_t len);
void hmd_status_changed(struct hmd *d);
unsigned long hmd_count_pending(struct hmd *d);

/* dyngroups.c: virtio-mem devices' dynamic memory groups, from /proc/iomem */
void hmd_dyn_invalidate(struct hmd *d);
void hmd_dyn_drop(struct hmd *d); /* read again before any decision: a coldplug, a new sysroot */
void hmd_dyn_block_left(struct hmd *d, unsigned long id); /* from hmd_block_forget() */
void hmd_dyn_account(struct hmd *d, unsigned long id, int sign); /* from hmd_block_account() */
void hmd_dyn_zero(struct hmd *d);
bool hmd_dyn_block(struct hmd *d, unsigned long id); /* in a virtio-mem region */
const struct hmd_group *hmd_dyn_group(struct hmd *d, unsigned long id, struct hmd_block_req *req);

/* bootblocks.c: boot memory and state_dir/boot-blocks */
void hmd_mark_boot_blocks(struct hmd *d);
void hmd_boot_kept_free(struct hmd *d);

/* offlined.c: the blocks someone else offlined this boot, state_dir/offlined */
void hmd_offlined_set(struct hmd *d, unsigned long id, bool offlined);
/* at each coldplug after its scan: the marks of this boot (the record's at a start) */
void hmd_offlined_load(struct hmd *d);
/* the marks changed this event-loop turn written now (the turn's end does it too) */
void hmd_offlined_flush(struct hmd *d);
/* at exit: flushed, the turn's-end source freed */
void hmd_offlined_end(struct hmd *d);

/* online.c: decide for an offline block, write the decision */
void hmd_block_process(struct hmd *d, unsigned long id);
/* the same for a block whose state was just read offline (a coldplug's scan) */
void hmd_block_decide(struct hmd *d, unsigned long id);
/* block @id read going-offline: said, not decided */
void hmd_block_being_offlined(struct hmd *d, unsigned long id);
/* whether block @id's decision asks for its memory group (memory_groups) */
bool hmd_block_wants_group(struct hmd *d, unsigned long id);

/*
 * sysroot.c: @err (positive) is ENOTCONN or ECONNABORTED, the sysroot's FUSE
 * server gone: said once, its return watched (then a coldplug); true if so,
 * and the caller says nothing of its block
 */
bool hmd_sysroot_gone(struct hmd *d, int err);
void hmd_sysroot_unwatch(struct hmd *d);
/* after the coldplug: a FUSE sysroot's death noticed within seconds, idle too */
void hmd_sysroot_watch(struct hmd *d);
/*
 * statelock.c: flock() of the state dir held for life; -EBUSY: another
 * hotmemd has it (said).  @make false: a missing state dir is not made
 * (0, not locked): a later call with @make true makes and locks it.
 */
int hmd_state_lock(struct hmd *d, bool make);
/* a start refused after hmd_state_lock() made the state dir: removed if still the one locked, empty */
void hmd_state_dir_unmake(struct hmd *d);
/* the state dir made if missing: 0 or -errno (errno kept for %m) */
int hmd_state_dir_make(struct hmd *d);
/* the pid holding an flock() on @fd's file (/proc/locks), 0: not known */
long hmd_flock_holder(int fd);
/* @fd, locked, is still the file at @path (not removed by its last holder) */
bool hmd_lock_still_named(int fd, const char *path);
/*
 * fspath.c: @path as the file system has it in @out (realpath() of its
 * nearest existing ancestor, the missing rest spelled canonically): 0 or
 * -errno
 */
int hmd_fs_path(const char *path, char *out, size_t len);

/*
 * socklock.c: SOCKET.lock beside --uevent-socket, flocked for life;
 * -EADDRINUSE: another hotmemd holds it; every failure said
 */
int hmd_socket_lock(struct hmd *d);
/* the socket bound: the lock file removed with it at exit */
void hmd_socket_lock_own(struct hmd *d);
void hmd_socket_unlock(struct hmd *d);

/* retry.c: backoff after a busy write */
int hmd_retry_schedule(struct hmd *d, unsigned long id, int err);
void hmd_retry_cancel(struct hmd_block *b);

/* coldplug.c: coldplug, block uevents, the rescan after a burst */
/*
 * SIGTERM or SIGINT is pending (blocked for sd-event, which reads it only
 * between events): a long scan or uevent drain stops at the next block.
 */
bool hmd_stop_requested(struct hmd *d);
/* keepalive.c: WATCHDOG=1 (or, before READY=1, EXTEND_TIMEOUT_USEC=) from inside a long loop */
void hmd_keepalive(struct hmd *d);
/* its pace before the start's coldplug, and once ready (@watchdog_usec 0: none) */
void hmd_keepalive_start(struct hmd *d);
void hmd_keepalive_ready(struct hmd *d, uint64_t watchdog_usec);
/* a reload's rescan begins (@on: EXTEND_TIMEOUT_USEC= as the start's) or ends */
void hmd_keepalive_reload(struct hmd *d, bool on);
/* 0, -errno, or -EINTR: stopped by hmd_stop_requested(), blocks left undecided */
int hmd_coldplug(struct hmd *d, bool online_offline);
void hmd_block_event(struct hmd *d, const char *action, unsigned long id);
void hmd_block_forget(struct hmd *d, unsigned long id);
bool hmd_uevent_seen(struct hmd *d);
void hmd_scan_new(struct hmd *d);
/* uevents were lost, why @why: the rescan at the settle (or now) that reads everything again */
void hmd_uevents_lost(struct hmd *d, const char *why);
unsigned long hmd_count_new(struct hmd *d, unsigned long *first);

/* linkwait.c: a new block waits for the links the kernel makes after its ADD */
uint64_t hmd_now_usec(void); /* CLOCK_MONOTONIC, usec */
/* block @id's node from its nodeK link into @b (@fw: its firmware_node as listed); false: none yet */
bool hmd_block_node(struct hmd *d, unsigned long id, struct hmd_block *b, bool fw);
/* at an ADD: block @id's node link looked up by name (the node of the block below); false: list */
bool hmd_block_node_probe(struct hmd *d, unsigned long id, struct hmd_block *b);
/* whether offline block @id waits for a link (its node link too if @node_missing) */
bool hmd_link_wait(struct hmd *d, unsigned long id, bool node_missing, bool at_add);
void hmd_link_wait_clear(struct hmd *d, struct hmd_block *b);
/* the waiters' bitmaps cover block ids [0, @n): 0 or -ENOMEM; freed by hmd_link_wait_free() */
int hmd_link_wait_grow(struct hmd *d, unsigned long n);
void hmd_link_wait_free(struct hmd *d);
/* the lowest waiting block id at or above @id, below @end; @end if none */
unsigned long hmd_next_waiter(struct hmd *d, unsigned long id, unsigned long end);
/* at the settle: the waiting blocks' links read again, those waiting no longer decided */
void hmd_link_wait_settle(struct hmd *d);

/* missed.c: whether a burst's settle must relist memory/ */
void hmd_missed_note(struct hmd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* @pidfd (-1: none) is the sender's (SCM_PIDFD), kept or closed here */
void hmd_missed_seqnum(struct hmd *d, unsigned long long seq, pid_t pid, uint64_t ino, int pidfd);
/* the senders' entries let go, their pidfds closed */
void hmd_missed_senders_free(struct hmd *d);
/* a listing met block @id half-created: the settle names the lowest such */
void hmd_missed_half_created(struct hmd *d, unsigned long id);
int hmd_memdir_links(struct hmd *d, unsigned long *links);
void hmd_missed_measure(struct hmd *d, int before_err, unsigned long before);
/* memory/'s links say nothing until the next whole listing, for reason @why */
void hmd_links_unknown(struct hmd *d, const char *why);
const char *hmd_missed(struct hmd *d);
bool hmd_missed_look_again(struct hmd *d);
void hmd_missed_uevent(struct hmd *d);
void hmd_missed_clear(struct hmd *d);

/* silence.c: a Unix socket nobody sends to, while blocks appear (netlink off) */
void hmd_silence_watch(struct hmd *d);
void hmd_silence_unwatch(struct hmd *d);

/* uevent.c */
struct hmd_uevent {
	char action[16];
	unsigned long block;
	unsigned long long seqnum;
};
int hmd_uevent_parse(const char *buf, size_t len, struct hmd_uevent *ev);
int hmd_uevent_open_netlink(struct hmd *d);
int hmd_uevent_open_unix(struct hmd *d);
void hmd_uevent_close(struct hmd *d);

#endif
