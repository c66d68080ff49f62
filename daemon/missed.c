// SPDX-License-Identifier: MIT
/*
 * hotmemd: whether a uevent may have been missed since the last look, so
 * that a burst's settle relists memory/ only then (issue #15 goal 5: each
 * change O(change), not O(machine); the listing was one READDIRPLUS per
 * ~190 blocks after every burst, 87 of an ADD's 103 FUSE requests on a
 * machine of 16384 blocks).
 *
 * How uevents get lost, and what says so:
 *  - netlink: a full receive queue.  The kernel says it, ENOBUFS at the
 *    next recvmsg() (netlink_overrun(), 6.12 net/netlink/af_netlink.c):
 *    uevent.c notes it (hmd_uevents_lost()), and the settle relists and
 *    reads the known blocks' state again.  Netlink's SEQNUM is the kernel's one
 *    counter for every uevent (lib/kobject_uevent.c uevent_seqnum, also
 *    bumped for those broadcast only to another network namespace and for
 *    injected ones): gaps there are normal and are not looked at.
 *  - the Unix socket: a sender that drops at EAGAIN (docs/hotmemd.md), or
 *    none sending at all (silence.c).  A sender numbers its datagrams, one
 *    more each (hotmemfs: fusefs/uevent.c, every uevent it sends there, in
 *    order): a SEQNUM that is not the last one + 1, or none, is a sign.
 *  - what no number shows (the last datagrams of a burst dropped, a
 *    sender that numbers otherwise): memory/'s link count.  A directory's
 *    st_nlink is 2 + its subdirectories (kernfs_refresh_inode(); hotmemfs
 *    and plain directories alike), and a memoryN/ is made before its ADD
 *    is sent (device_add(): kobject_add() first, the uevent last), so
 *    once a burst is quiet the count is the blocks the model holds plus
 *    the other subdirectories (power/, blocks beyond HMD_MAX_BLOCK_ID),
 *    which every listing measures anew.  A block no uevent brought (or
 *    one gone without its REMOVE) makes them disagree -- a count: a lost
 *    REMOVE of one block and a lost ADD of another cancel out (the new
 *    block waits for the next sign), and a lost REMOVE and ADD of the
 *    same block number are not seen at all (finalG 3; docs/hotmemd.md).  One fstat() of an
 *    open descriptor: on hotmemfs no request at all while memory/'s
 *    attributes are cached, one GETATTR after a block came (hotmemfs
 *    invalidates them before the uevent goes out).
 * A listing that meets a block half-created (no valid_zones yet) is a sign
 * for the next settle too, as it was left for a later rescan.  Where the
 * link count does not count subdirectories (btrfs keeps 1, ext4 past
 * 65000), every settle relists, as every settle did before.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotmemd.h"

/* something may have been missed: why, for the settle's log line */
void hmd_missed_note(struct hmd *d, const char *fmt, ...)
{
	va_list ap;

	if (d->missed)
		return; /* the first sign is the one said */
	va_start(ap, fmt);
	vsnprintf(d->missed_why, sizeof(d->missed_why), fmt, ap);
	va_end(ap);
	d->missed = true;
}

/*
 * Block @id met half-created (its directory without state or valid_zones
 * yet; on a kernel mostly half-removed, device_del() drops the attributes
 * first) by a listing, which leaves it for the next settle's rescan: a
 * sign.  Several in one listing: the settle names the lowest, by its
 * number as the kernel's memory%u, and how many more -- not whichever
 * readdir's order met first, as hmd_missed_note()'s first sign would
 * (finalJ; 20-daemon.t had to keep memory61 out of such a listing).  A
 * sign of another kind noted first stays the one said.
 */
void hmd_missed_half_created(struct hmd *d, unsigned long id)
{
	if (d->missed && !d->half_created)
		return;
	if (!d->half_created || id < d->half_lowest)
		d->half_lowest = id;
	d->half_created++;
	snprintf(d->missed_why, sizeof(d->missed_why),
		 "memory%lu was half-created at the last rescan (or half-removed: no state or valid_zones)",
		 d->half_lowest);
	if (d->half_created > 1) {
		size_t n = strlen(d->missed_why);

		snprintf(d->missed_why + n, sizeof(d->missed_why) - n, ", %lu more above it",
			 d->half_created - 1);
	}
	d->missed = true;
}

/*
 * Whether @s's sender has exited.  Its pidfd says it for any sender
 * (pidfd_poll(), Linux 5.3: readable once the process has exited, reaped
 * or not), one of another pid namespace (pid 0 here) too, and a pid
 * reused since is not the sender.  Without one (a kernel before 6.5,
 * or before 6.16 a sender reaped by the time of its datagram): its
 * pid, where hotmemd can see it -- kill(0, 0) would ask hotmemd's own
 * process group.
 */
static bool sender_gone(const struct hmd_sender *s)
{
	struct pollfd p = { .fd = s->pidfd, .events = POLLIN };

	if (s->pidfd >= 0)
		return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
	return s->pid > 0 && kill(s->pid, 0) && errno == ESRCH;
}

/*
 * Whether entry @s is the sender of a datagram from @pid, pidfs inode
 * @ino (0: none).  The pid is the sender's in hotmemd's pid namespace,
 * 0 where it is not visible (scm_set_cred(): pid_vnr() at recvmsg(), 6.18
 * include/net/scm.h): senders outside a hotmemd in a container are all
 * pid 0, and a pid is reused once its process is reaped.  The inode
 * number of a pidfd on pidfs (6.9 on) is its struct pid's, one for the
 * boot on 64 bit (fs/pidfs.c: "comparing two pidfds is as simple as
 * comparing inode numbers"), so it tells those apart.  A kernel that
 * names no sender (before 6.5 no pidfd, before 6.9 not on pidfs): the
 * pid alone, as before.
 *
 * Where the kernel names senders, a datagram without a name is one
 * whose pidfd could not be made -- 6.12's pidfd_prepare() is -EINVAL for
 * a sender reaped before its datagram is read (6.16 gives one, stale),
 * or hotmemd out of descriptors -- and its pid alone matched any entry
 * of that pid: every pid-0 entry, a live sender of another pid namespace
 * whose next datagram was then a gap, and a reused pid's old sender
 * (small42 item 2, reread42 R5).  It is the sender of an entry only
 * where that is sure: a pid hotmemd can see, held by the entry's sender
 * still alive -- it held the pid when it sent its own earlier datagram
 * and since, so at this one's too, and a pid is one process's while it
 * lives.  Else no entry's (hmd_missed_seqnum()).
 */
static bool same_sender(const struct hmd *d, const struct hmd_sender *s, pid_t pid,
			uint64_t ino)
{
	if (!s->tick || s->pid != pid)
		return false;
	if (!d->senders_pidfs)
		return true;
	if (ino)
		return s->ino == ino;
	return pid > 0 && s->pidfd >= 0 && !sender_gone(s);
}

/* @s's entry emptied for another sender: no previous SEQNUM, its pidfd closed */
static void sender_release(struct hmd_sender *s)
{
	if (s->tick && s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	s->seq = 0; /* no previous */
	s->ino = 0;
}

/*
 * The sender's entry (reread38 R10): senders that share the socket
 * (hotmemctl status: "N more send to PATH") number their uevents each
 * its own, and taken as one sequence every datagram of the one after
 * the other's was a gap, each settle reading every known block's state
 * again -- the O(machine) cost hmd_missed_seqnum() declines.  Its own
 * entry (same_sender(): a pid and its pidfs inode, daemon40: two pid-0
 * senders were one, and a new sender with a reused pid took the old
 * one's last SEQNUM, a gap at its first datagram); else a new one, its
 * first datagram only remembered: a sender has no previous datagram to
 * follow.  The entry is a free one, else a gone sender's
 * (sender_gone()), else the least recently used.  A new pid took a gone
 * sender's last SEQNUM as its own previous, so the first datagram of
 * any sender after another had exited was a gap: a hotmemfs restarted
 * (it numbers from 1 at each start) and every one-shot tool run
 * (uevent_send, a pid's own numbers) -- each an O(machine) settle
 * (R10's remainder).  A gone sender of another pid namespace (pid 0)
 * was told gone by no kill(): its entry went only as the least recently
 * used, after a live sender's, whose next gap was then not seen
 * (small41); its pidfd tells.  Without pidfs inodes, senders of another
 * pid namespace are one (pid 0) and a reused pid is the old sender (one
 * gap at most).  NULL for a sender the kernel could not name, matching
 * no entry: an entry of its own would never match again, and took
 * another sender's.
 */
static struct hmd_sender *sender_find(struct hmd *d, pid_t pid, uint64_t ino)
{
	struct hmd_sender *s, *gone = NULL, *free_one = NULL, *lru = NULL;

	for (s = d->senders; s < d->senders + HMD_MAX_SENDERS; s++) {
		if (same_sender(d, s, pid, ino))
			return s;
		if (!s->tick) {
			free_one = free_one ? free_one : s;
			continue;
		}
		if (!lru || s->tick < lru->tick)
			lru = s;
		if (!gone && sender_gone(s))
			gone = s;
	}
	/* a sender the kernel could not name takes no entry: none would find it again */
	if (d->senders_pidfs && !ino)
		return NULL;
	s = free_one ? free_one : gone ? gone : lru;
	sender_release(s);
	return s;
}

void hmd_missed_senders_free(struct hmd *d)
{
	for (struct hmd_sender *s = d->senders; s < d->senders + HMD_MAX_SENDERS; s++) {
		sender_release(s);
		s->tick = 0;
	}
}

/*
 * A datagram from the Unix socket's sender @pid (pidfs inode @ino, 0:
 * none; its pidfd @pidfd, -1: none, kept for its entry or closed), its
 * SEQNUM @seq (0: none).  A sender no entry is sure to be (same_sender())
 * is followed by none.  A sender's first one is only remembered (the
 * coldplug saw what came before our socket was bound, or before the sender began; what was
 * sent since, it delivers or drops, which the link count shows).  A gap in
 * one sender's numbers is uevents lost, of any action: the settle reads
 * the known blocks' state again too, as after ENOBUFS
 * (hmd_uevents_lost()) -- a lost OFFLINE left a block counted online, a
 * lost ONLINE one counted offline, until a restart; only new blocks were
 * relisted here.  The settle is armed for it, whatever this datagram is
 * (with no timer, relisted now, as hmd_uevents_lost() does).  None at all
 * says only that the sender does not number: reading every known block
 * at each of its bursts would be O(machine), so a new block's relisting
 * alone, as before.
 */
void hmd_missed_seqnum(struct hmd *d, unsigned long long seq, pid_t pid, uint64_t ino, int pidfd)
{
	struct hmd_sender *s = sender_find(d, pid, ino);

	if (!seq)
		hmd_missed_note(d, "a uevent on %s without SEQNUM", d->cfg.uevent_socket);
	if (!s) {
		/* no entry's sender (same_sender()): its number follows none, none follows it */
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	/* one pidfd an entry, for sender_gone(): the first datagram's that had one */
	if (s->pidfd < 0)
		s->pidfd = pidfd;
	else if (pidfd >= 0)
		close(pidfd);

	if (seq && s->seq && seq != s->seq + 1) {
		hmd_missed_note(d, "SEQNUM %llu after %llu on %s", seq, s->seq,
				d->cfg.uevent_socket);
		d->reread_states = true;
		if (!hmd_uevent_seen(d)) {
			hmd_missed_clear(d);
			hmd_scan_new(d);
		}
	}
	s->pid = pid;
	if (ino)
		s->ino = ino; /* kept when this datagram's was unknown */
	s->seq = seq;
	s->tick = ++d->sender_tick;
}

/* memory/'s link count now: 0, or -errno */
int hmd_memdir_links(struct hmd *d, unsigned long *links)
{
	struct stat st;

	if (d->sysroot_gone)
		return -d->sysroot_gone;
	if (fstat(d->memdir_fd, &st))
		return -errno;
	*links = st.st_nlink;
	return 0;
}

/*
 * After a whole listing of memory/, @before its link count read before it:
 * what the links are besides the model's blocks, if the count held still
 * across the listing and counts subdirectories at all.
 */
void hmd_missed_measure(struct hmd *d, int before_err, unsigned long before)
{
	unsigned long after;

	if (before_err || hmd_memdir_links(d, &after))
		hmd_links_unknown(d, "memory/'s link count was unreadable at the last listing");
	else if (after != before)
		hmd_links_unknown(d, "memory/ changed during the last listing");
	else if (after < 2 + d->n_present)
		hmd_links_unknown(d, "memory/'s link count does not count its blocks here");
	else {
		d->links_known = true;
		d->links_other = after - d->n_present;
	}
}

/*
 * The links say nothing until the next whole listing, for reason @why:
 * the settle's reason to relist, in missed_why unless a missed uevent's
 * own is there (it comes first, hmd_missed())
 */
void hmd_links_unknown(struct hmd *d, const char *why)
{
	d->links_known = false;
	if (!d->missed)
		snprintf(d->missed_why, sizeof(d->missed_why), "%s", why);
}

/* why a uevent may have been missed since the last look, NULL: nothing says so */
const char *hmd_missed(struct hmd *d)
{
	unsigned long links = 0;
	int r;

	if (d->missed)
		return d->missed_why;
	if (!d->links_known)
		return d->missed_why;
	r = hmd_memdir_links(d, &links);
	if (r) {
		char why[64];

		/* no count to compare until a listing measures one anew */
		snprintf(why, sizeof(why), "memory/ unreadable: %s", strerror(-r));
		hmd_links_unknown(d, why);
		return d->missed_why;
	}
	if (links != d->links_other + d->n_present) {
		snprintf(d->missed_why, sizeof(d->missed_why),
			 "memory/ has %lu links, the %lu blocks hotmemd knows of make %lu", links,
			 d->n_present, d->links_other + d->n_present);
		return d->missed_why;
	}
	return NULL;
}

/*
 * Whether a settle whose only sign is memory/'s link count (hmd_missed(),
 * just called and not NULL) should look once more before it relists: the
 * first time since the last memory uevent, yes.  A count is of one instant, and a block's directory
 * comes before its ADD is read: the kernel's device_add() makes memoryN/
 * (kobject_add()) and only then sends the ADD, which may still wait in our
 * socket's queue when the settle's timer is dispatched first (both ready
 * after one wakeup under load), and hotmemfs's notifier shows the new
 * directory (memory/'s attributes invalidated) just before it sends it
 * (fusefs/events.c deliver_run()); a REMOVE the same, the other way.
 * Relisting then finds the block before its ADD (tests/daemon/92-*'s one
 * relist in 10 runs at load 15: its counts show a relisting that found a
 * block, in a run whose ADDs met the binding and so had a second settle
 * after their ONLINE, while the next DIMM came).  A lost uevent's count still disagrees a settle later,
 * with no uevent between; one on its way has come meanwhile, taken before
 * that settle, and it agrees.  A SEQNUM gap, a half-created block or a
 * listing that did not measure relist at once: they are not of an instant.
 */
bool hmd_missed_look_again(struct hmd *d)
{
	/*
	 * after a hmd_missed() that said why: with no uevent's sign and the
	 * links known (an unreadable count made them unknown), its why was
	 * the count's disagreement -- derived, not a flag kept beside it
	 */
	if (d->missed || !d->links_known || d->links_doubt)
		return false;
	d->links_doubt = true;
	return true;
}

/* a memory uevent came: a count that disagreed is looked at anew */
void hmd_missed_uevent(struct hmd *d)
{
	d->links_doubt = false;
}

/* looked: the next sign starts anew */
void hmd_missed_clear(struct hmd *d)
{
	d->missed = false;
	d->half_created = 0;
	d->links_doubt = false;
}
