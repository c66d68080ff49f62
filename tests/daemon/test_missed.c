// SPDX-License-Identifier: MIT
/*
 * hotmemd's Unix-socket senders (daemon/missed.c): each sender has its
 * own entry, its own last SEQNUM, HMD_MAX_SENDERS of them.  A new sender
 * takes a free entry, else a gone sender's, else the least recently
 * used.  A sender of another pid namespace is pid 0 to hotmemd, and no
 * kill() says it is gone: its pidfd (SCM_PIDFD) does.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hotmemd.h"

/* skip_why(): a skip with its reason, where skips.sh reads it */
#include "../cmocka_skip.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* a pidfd of this process: a sender alive */
static int live_pidfd(void)
{
	int fd = pidfd_open(getpid());

	if (fd < 0)
		skip_why("no pidfd_open() (Linux 5.3)");
	return fd;
}

/* a pidfd of a child that exited and was reaped: a sender gone */
static int gone_pidfd(void)
{
	pid_t pid = fork();
	int fd, status;

	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	fd = pidfd_open(pid);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (fd < 0)
		skip_why("no pidfd_open() (Linux 5.3)");
	return fd;
}

static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(dir);
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

/* a hotmemd's senders alone: an event loop, so that a gap arms the settle (no rescan) */
static struct hmd *senders_only(void)
{
	struct hmd *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	assert_int_equal(sd_event_new(&d->ev), 0);
	snprintf(d->cfg.uevent_socket, sizeof(d->cfg.uevent_socket), "/run/x.sock");
	d->senders_pidfs = true; /* a kernel that names senders (6.9 on): inodes below */
	return d;
}

static void senders_only_free(struct hmd *d)
{
	hmd_missed_senders_free(d);
	sd_event_source_disable_unref(d->settle_src);
	sd_event_unref(d->ev);
	free(d);
}

/*
 * Eight pid-0 senders (another pid namespace's), told apart by their
 * pidfs inodes; the last to send has exited.  A ninth takes the gone
 * one's entry, not the least recently used live one's: that one's next
 * gap is still seen.  Its entry went (no kill() tells a pid 0 gone), and
 * its SEQNUM 12 after 10 was a first datagram.  Fails without the fix.
 */
static void test_gone_pid0_sender_freed_before_lru(void **state)
{
	int fds0 = open_fds();
	struct hmd *d = senders_only();
	int fdsd = open_fds(); /* with the event loop's */

	(void)state;
	for (uint64_t ino = 1; ino < HMD_MAX_SENDERS; ino++)
		hmd_missed_seqnum(d, 10, 0, ino, live_pidfd());
	hmd_missed_seqnum(d, 10, 0, HMD_MAX_SENDERS, gone_pidfd());
	assert_false(d->missed);
	/* each entry holds its sender's pidfd */
	assert_int_equal(open_fds(), fdsd + HMD_MAX_SENDERS);
	/* a ninth: its first datagram, no gap */
	hmd_missed_seqnum(d, 1, 0, HMD_MAX_SENDERS + 1, live_pidfd());
	assert_false(d->missed);
	/* the gone one's pidfd closed with its entry */
	assert_int_equal(open_fds(), fdsd + HMD_MAX_SENDERS);
	/* the least recently used, live: its gap */
	hmd_missed_seqnum(d, 12, 0, 1, -1);
	assert_true(d->missed);
	assert_string_equal(d->missed_why, "SEQNUM 12 after 10 on /run/x.sock");
	assert_true(d->reread_states);
	senders_only_free(d);
	assert_int_equal(open_fds(), fds0);
}

/*
 * A sender's later datagrams bring a pidfd each: the entry keeps its
 * first, the others are closed; a datagram without one (-1) is taken
 * as before.  With every sender alive, the least recently used goes.
 */
static void test_sender_keeps_one_pidfd_lru_goes_when_none_gone(void **state)
{
	int fds0 = open_fds();
	struct hmd *d = senders_only();
	int fdsd = open_fds(); /* with the event loop's */

	(void)state;
	for (int i = 0; i < 5; i++)
		hmd_missed_seqnum(d, 10 + (unsigned long long)i, 0, 1, live_pidfd());
	assert_int_equal(open_fds(), fdsd + 1);
	hmd_missed_seqnum(d, 15, 0, 1, -1);
	assert_false(d->missed);
	for (uint64_t ino = 2; ino <= HMD_MAX_SENDERS + 1; ino++)
		hmd_missed_seqnum(d, 10, 0, ino, live_pidfd());
	assert_int_equal(open_fds(), fdsd + HMD_MAX_SENDERS);
	/* sender 1 was the least recently used: its entry went, 17 is a first datagram */
	hmd_missed_seqnum(d, 17, 0, 1, live_pidfd());
	assert_false(d->missed);
	senders_only_free(d);
	assert_int_equal(open_fds(), fds0);
}

/*
 * Where the kernel names senders, a datagram without a name (6.12: the
 * pidfd of a sender reaped before its datagram is read is -EINVAL, none;
 * ino 0) is no other sender's: not a live pid-0 sender's, whose next
 * number follows on from its own; not a pid's gone sender's (the pid
 * reused).  It takes no entry: eight live senders keep theirs.  A pid
 * held by an entry's live sender is that sender's, gap and all.  Fails
 * without the fix: "SEQNUM 7 after 10".
 */
static void test_unnamed_sender_is_no_other(void **state)
{
	int fds0 = open_fds();
	struct hmd *d = senders_only();
	int fdsd = open_fds();

	(void)state;
	for (uint64_t ino = 1; ino < HMD_MAX_SENDERS; ino++)
		hmd_missed_seqnum(d, 10, 0, ino, live_pidfd());
	hmd_missed_seqnum(d, 20, 42, HMD_MAX_SENDERS, gone_pidfd());
	hmd_missed_seqnum(d, 7, 0, 0, -1);
	hmd_missed_seqnum(d, 1, 42, 0, -1);
	hmd_missed_seqnum(d, 3, 0, 0, -1);
	assert_false(d->missed);
	/* every entry kept: each sender follows on from its own number */
	for (uint64_t ino = 1; ino < HMD_MAX_SENDERS; ino++)
		hmd_missed_seqnum(d, 11, 0, ino, -1);
	hmd_missed_seqnum(d, 21, 42, HMD_MAX_SENDERS, -1);
	assert_false(d->missed);
	assert_int_equal(open_fds(), fdsd + HMD_MAX_SENDERS);
	senders_only_free(d);

	/* pid 43 held by its entry's live sender: that sender's datagram */
	d = senders_only();
	hmd_missed_seqnum(d, 30, 43, 9, live_pidfd());
	hmd_missed_seqnum(d, 31, 43, 0, -1);
	assert_false(d->missed);
	hmd_missed_seqnum(d, 33, 43, 0, -1);
	assert_true(d->missed);
	assert_string_equal(d->missed_why, "SEQNUM 33 after 31 on /run/x.sock");
	senders_only_free(d);
	assert_int_equal(open_fds(), fds0);
}

/*
 * A kernel that names no sender (before 6.5 no pidfd, before 6.9 not on
 * pidfs): a sender is its pid alone, the pid-0 senders one, as before --
 * a gap in their numbers still seen.
 */
static void test_pid_alone_where_kernel_names_none(void **state)
{
	struct hmd *d = senders_only();

	(void)state;
	d->senders_pidfs = false;
	hmd_missed_seqnum(d, 10, 0, 0, -1);
	hmd_missed_seqnum(d, 11, 0, 0, -1);
	assert_false(d->missed);
	hmd_missed_seqnum(d, 13, 0, 0, -1);
	assert_true(d->missed);
	assert_string_equal(d->missed_why, "SEQNUM 13 after 11 on /run/x.sock");
	senders_only_free(d);
}

int main(void)
{
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gone_pid0_sender_freed_before_lru),
		cmocka_unit_test(test_sender_keeps_one_pidfd_lru_goes_when_none_gone),
		cmocka_unit_test(test_unnamed_sender_is_no_other),
		cmocka_unit_test(test_pid_alone_where_kernel_names_none),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
