/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel uevents for emulated memory blocks: injection (in the wire
 * format of engine/uapi/hmuapi.h) into a private network namespace's
 * NETLINK_KOBJECT_UEVENT socket, and the Unix SOCK_DGRAM fallback whose
 * contract docs/hotmemd.md defines.
 */
#ifndef HMFS_UEVENT_H
#define HMFS_UEVENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "uapi/hmuapi.h"

#define HMFS_MAX_UEVENT_SOCKETS 8
/* datagrams held for one listener whose queue is full: its "socket buffer" (uevent.c) */
#define HMFS_UEVENT_BACKLOG_MAX 16384

struct hmfs_dgram;

struct hmfs_uevent_sink {
	int nl_fd; /* NETLINK_KOBJECT_UEVENT or -1 */
	int ns_lock_fd; /* the namespace we inject into claimed: uevent.c claim_take(), or -1 */
	pthread_t claim_thread; /* answers the claims: uevent.c claim_answer() */
	bool claim_started;
	int claim_stop_fd; /* eventfd: hmfs_uevent_sink_close() ends claim_thread */
	int dgram_fd; /* unbound AF_UNIX SOCK_DGRAM or -1 */
	int nr_paths;
	char paths[HMFS_MAX_UEVENT_SOCKETS][108];
	/*
	 * Each path's claim (uevent.c path_claim()): held (our listener), or
	 * our connection to the hotmemfs holding it, -1 otherwise; how many
	 * other hotmemfs send to it too and one's pid (0: another PID
	 * namespace, -1: unknown), which status reads: __atomic_*
	 */
	char claim_name[HMFS_MAX_UEVENT_SOCKETS][48];
	int path_claim_fd[HMFS_MAX_UEVENT_SOCKETS], path_holder_fd[HMFS_MAX_UEVENT_SOCKETS];
	unsigned int shared_nr[HMFS_MAX_UEVENT_SOCKETS];
	long shared_pid[HMFS_MAX_UEVENT_SOCKETS];
	/*
	 * The last SEQNUM taken, our own for the Unix fallback: each uevent
	 * takes its number where it is queued (hmfs_uevent_sink_seqnum_next(),
	 * under events.c's q_lock), the sender never counts.  __atomic_*.
	 */
	unsigned long long seqnum;
	/*
	 * A listener's datagrams its full queue did not take yet, in order,
	 * and the thread that sends them as it reads (uevent.c unix_send()).
	 * Under backlog_lock.
	 */
	pthread_mutex_t backlog_lock;
	pthread_cond_t backlog_cond;
	struct hmfs_dgram *backlog[HMFS_MAX_UEVENT_SOCKETS], **backlog_tail[HMFS_MAX_UEVENT_SOCKETS];
	unsigned int nr_backlog[HMFS_MAX_UEVENT_SOCKETS];
	pthread_t flusher;
	bool flusher_started, flusher_stop;
	/*
	 * written by the notifier and flusher threads, read by status:
	 * __atomic_*.  unix_dropped: nobody listened, or a listener left
	 * HMFS_UEVENT_BACKLOG_MAX unread (unix_overflowed counts those).
	 */
	unsigned long nl_sent, nl_errors, unix_sent, unix_dropped, unix_overflowed;
	char nl_status[200]; /* why netlink is on or off, for status */
	char created[280]; /* the /run/netns entry we made, "" if none */
	unsigned long created_ino; /* ... its namespace, to remove only that */
};

/* Is the network namespace behind @ns_fd the host's (pid 1's)? */
int hmfs_netns_is_initial(int ns_fd);
/*
 * Open the netlink socket inside @netns (a /run/netns name, created like
 * `ip netns add` when missing or an orphan; a path; NULL for our own
 * namespace; "none" for no netlink at all).  Refuses the host's namespace: then
 * nl_fd stays -1 and nl_status says why.  Returns 0 or -errno for a
 * namespace that cannot be entered.
 */
int hmfs_uevent_sink_init(struct hmfs_uevent_sink *s, const char *netns);
/*
 * Add a --uevent-socket listener and claim it (uevent.c path_claim()): a
 * hotmemfs holding it already is warned of on stderr, and shows in both
 * one's status.  -E2BIG past HMFS_MAX_UEVENT_SOCKETS, -ENAMETOOLONG.
 */
int hmfs_uevent_sink_add_path(struct hmfs_uevent_sink *s, const char *path);
/* after add_path: the sender thread and the claim's (claim_answer()), once */
int hmfs_uevent_sink_start(struct hmfs_uevent_sink *s);
/*
 * The next SEQNUM, the kernel's atomic64_inc_return(&uevent_seqnum): taken
 * by whoever makes the uevent, before the room for it is checked
 * (events.c), as 6.12's kobject_uevent_env() takes it.
 */
unsigned long long hmfs_uevent_sink_seqnum_next(struct hmfs_uevent_sink *s);
/*
 * Send one uevent everywhere it should go; never blocks for long.
 * @ue->seqnum: its number (hmfs_uevent_sink_seqnum_next()), which the
 * Unix fallback says; netlink's is the kernel's own.
 */
void hmfs_uevent_sink_send(struct hmfs_uevent_sink *s, struct hmu_uevent *ue);
void hmfs_uevent_sink_close(struct hmfs_uevent_sink *s);
/* the datagrams held for -u listener @i, whose queue is full (it is not reading) */
unsigned int hmfs_uevent_sink_held(struct hmfs_uevent_sink *s, int i);

#endif /* HMFS_UEVENT_H */
