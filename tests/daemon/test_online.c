// SPDX-License-Identifier: MIT
/*
 * hotmemd onlining on a fake sysroot of plain files, with the write path
 * replaced so that it can fail as the kernel does: EBUSY/EAGAIN (retried
 * with bounded backoff), EINVAL (never retried), and no same-state write.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hotmemd.h"

/* skip_why(): a skip with its reason, where skips.sh reads it */
#include "../cmocka_skip.h"

#define MAX_SCRIPT 16
#define NBLOCKS 64

struct mock {
	int script[NBLOCKS][MAX_SCRIPT]; /* errno per write, 0 = succeed */
	int nscript[NBLOCKS];
	int writes[NBLOCKS];
	bool race_online[NBLOCKS]; /* someone onlines it at EINVAL */
	bool open_refused[NBLOCKS]; /* its scripted errno is the open()'s, not the write()'s */
	bool removed[NBLOCKS]; /* its directory goes at its write (ENOENT) */
	bool half_removed[NBLOCKS]; /* its state file goes at its write, memoryN/ stays */
	/* after the write of block then_after, block then_block's state becomes then_state */
	int then_after, then_block;
	const char *then_state;
	char journal[4096]; /* the entries sent, "FIELD=value" a line, "--" between */
	int order[4 * NBLOCKS]; /* the blocks written, in the order written */
	int norder;
};

struct fixture {
	char root[64];
	struct hmd d;
	struct mock m;
};

static void put(const char *root, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *root, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static void mk_block(const char *root, int id, const char *state, int node)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d", id);
	mk(root, rel);
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/node%d", id, node);
	mk(root, rel);
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/state", id);
	put(root, rel, state);
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/valid_zones", id);
	put(root, rel, strcmp(state, "online\n") ? "Normal Movable\n" : "Normal\n");
}

static const char *read_state(struct fixture *f, int id, char *buf, size_t len)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%d/state", f->root, id);
	fp = fopen(path, "r");
	assert_non_null(fp);
	if (!fgets(buf, len, fp))
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* memoryN/state replaced by a file holding @text, whatever it was */
static void replace_state(const char *root, unsigned long id, const char *text)
{
	char rel[96], path[HMD_PATH_MAX + 128];

	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%lu/state", id);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
	put(root, rel, text);
}

static int mock_write(struct hmd *d, unsigned long id, const char *val)
{
	struct mock *m = d->test_data;
	int n = m->writes[id]++;
	int e = n < m->nscript[id] ? m->script[id][n] :
				     (m->nscript[id] ? m->script[id][m->nscript[id] - 1] : 0);

	if (m->norder < 4 * NBLOCKS)
		m->order[m->norder++] = (int)id;
	/* a scripted errno is the write()'s, or the open()'s where asked */
	d->write_refused_open = m->open_refused[id];

	if (m->then_state && id == (unsigned long)m->then_after) {
		replace_state(d->cfg.sysroot, m->then_block, m->then_state);
		m->then_state = NULL;
	}

	if (m->removed[id]) {
		char cmd[HMD_PATH_MAX + 128];

		snprintf(cmd, sizeof(cmd), "rm -r '%s/sys/devices/system/memory/memory%lu'",
			 d->cfg.sysroot, id);
		assert_int_equal(system(cmd), 0);
	}
	if (m->half_removed[id]) {
		char path[HMD_PATH_MAX + 128];

		snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%lu/state",
			 d->cfg.sysroot, id);
		assert_int_equal(unlink(path), 0);
	}
	if (e == EINVAL && m->race_online[id]) {
		char rel[64];

		snprintf(rel, sizeof(rel), "memory%lu/state", id);
		hmd_write_state_sysfs(d, id, "online\n");
	}
	if (e)
		return -e;
	return hmd_write_state_sysfs(d, id, val);
}

static void script(struct fixture *f, int id, int n, ...)
{
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		f->m.script[id][i] = va_arg(ap, int);
	va_end(ap);
	f->m.nscript[id] = n;
}

/* 1 GiB of boot memory (memory0-7), memory8-15 hot-added and offline */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int i;

	strcpy(f->root, "/tmp/hotmemd-online.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	mk(f->root, "sys");
	mk(f->root, "sys/devices");
	mk(f->root, "sys/devices/system");
	mk(f->root, "sys/devices/system/memory");
	mk(f->root, "proc");
	put(f->root, "sys/devices/system/memory/block_size_bytes", "8000000\n");
	put(f->root, "sys/devices/system/memory/auto_online_blocks", "offline\n");
	put(f->root, "proc/zoneinfo",
	    "Node 0, zone   Normal\n  pages free 100\n        present  262144\n"
	    "Node 0, zone  Movable\n  pages free 0\n        present  0\n");
	for (i = 0; i < 8; i++)
		mk_block(f->root, i, "online\n", 0);
	for (i = 8; i < 16; i++)
		mk_block(f->root, i, "offline\n", 0);

	hmd_config_defaults(&f->d.cfg);
	strcpy(f->d.cfg.sysroot, f->root);
	snprintf(f->d.cfg.state_dir, sizeof(f->d.cfg.state_dir), "%s/state", f->root);
	f->d.cfg.log_target = HMD_LOG_STDERR;
	f->d.cfg.log_level = LOG_WARNING; /* give-ups still show */
	f->d.cfg.retry_initial_ms = 1;
	f->d.cfg.retry_max_ms = 4;
	f->d.memdir_fd = f->d.nl_fd = f->d.unix_fd = f->d.unix_lock_fd = f->d.state_lock_fd = -1;
	f->d.write_state = mock_write;
	f->d.test_data = &f->m;
	hmd_log_setup(&f->d);
	assert_int_equal(sd_event_new(&f->d.ev), 0);
	assert_int_equal(hmd_sysfs_open(&f->d), 0);
	*state = f;
	return 0;
}

/*
 * STATUS='s counts are kept as blocks change, not walked: after every test
 * they must be what a walk of the blocks counts
 */
static void status_counts_as_walked(struct hmd *d)
{
	unsigned long i, online = 0, movable = 0, failed = 0, present = 0;

	for (i = 0; i < d->nblk; i++) {
		const struct hmd_block *b = &d->blk[i];

		if (!b->present)
			continue;
		present++;
		online += b->online;
		movable += b->online && hmd_block_is_movable(b);
		failed += b->failed;
	}
	assert_int_equal(d->nr_online, online);
	assert_int_equal(d->nr_movable, movable);
	assert_int_equal(d->nr_failed_now, failed);
	assert_int_equal(d->n_present, present);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	status_counts_as_walked(&f->d);
	hmd_blocks_free(&f->d);
	hmd_sysfs_close(&f->d);
	/* the settle timer a wait for a firmware_node armed holds the loop */
	sd_event_source_disable_unref(f->d.settle_src);
	sd_event_unref(f->d.ev);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void run_until_idle(struct fixture *f)
{
	int guard = 1000;

	while (hmd_count_pending(&f->d) && guard--)
		assert_true(sd_event_run(f->d.ev, UINT64_MAX) >= 0);
	assert_true(guard > 0);
}

/*
 * the waiting blocks' cap an hour away: a test whose blocks must wait on
 * past a settle does not hang on the machine's speed (a loaded one may
 * take over LINK_WAIT_USEC between the ADDs and the settle)
 */
static void cap_far(struct fixture *f)
{
	uint64_t now;

	assert_true(sd_event_now(f->d.ev, CLOCK_MONOTONIC, &now) >= 0);
	f->d.link_wait_until = now + 3600ull * 1000000;
}

/* runs the event loop until the blocks waiting for a firmware_node are decided */
static void run_until_settled(struct fixture *f)
{
	int guard = 1000;

	while (f->d.n_link_wait && guard--)
		assert_true(sd_event_run(f->d.ev, UINT64_MAX) >= 0);
	assert_true(guard > 0);
}

static void test_coldplug_auto_movable(void **state)
{
	struct fixture *f = *state;
	char buf[32];
	int i;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	for (i = 8; i < 16; i++) {
		assert_int_equal(f->m.writes[i], 1);
		assert_string_equal(read_state(f, i, buf, sizeof(buf)), "online_movable");
	}
	for (i = 0; i < 8; i++)
		assert_int_equal(f->m.writes[i], 0); /* never a same-state write */
	assert_int_equal(f->d.n_onlined, 8);
}

/* blocks first..last all read @want */
static void assert_states(struct fixture *f, int first, int last, const char *want)
{
	char buf[32];

	for (int i = first; i <= last; i++)
		assert_string_equal(read_state(f, i, buf, sizeof(buf)), want);
}

/* memory16-39 offline, as a 3 GiB DIMM on the 1 GiB boot machine leaves them */
static void mk_dimm_blocks(struct fixture *f)
{
	for (int i = 16; i < 40; i++)
		mk_block(f->root, i, "offline\n", 0);
}

/* 1 GiB boot: 3.01 GiB Movable = 24 blocks, the rest goes to Normal */
static void test_ratio_boundary(void **state)
{
	struct fixture *f = *state;
	char buf[32];
	int i;

	mk_dimm_blocks(f);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_states(f, 8, 31, "online_movable");
	assert_states(f, 32, 39, "online_kernel");
	/* a restart sees the same model: nothing more to do */
	hmd_blocks_free(&f->d);
	memset(&f->m.writes, 0, sizeof(f->m.writes));
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(f->m.writes[i], 0);
	mk_block(f->root, 40, "offline\n", 0);
	hmd_block_event(&f->d, "add", 40);
	run_until_settled(f);
	assert_string_equal(read_state(f, 40, buf, sizeof(buf)), "online_kernel");
}

/*
 * The coldplug writes one block at a time, in block order, and decides a
 * block only once the write before it answered (a pipelined coldplug must
 * keep that; one was tried and reverted, docs/hotmemd.md): with
 * memory31's write failing, memory32 finds the Movable room it left.
 */
static void test_coldplug_writes_in_order(void **state)
{
	struct fixture *f = *state;
	int i;

	mk_dimm_blocks(f);
	script(f, 31, 1, ENOMEM);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_states(f, 8, 30, "online_movable");
	assert_states(f, 31, 31, "offline");
	assert_states(f, 32, 32, "online_movable");
	assert_states(f, 33, 39, "online_kernel");
	assert_int_equal(f->m.norder, 32);
	for (i = 0; i < 32; i++)
		assert_int_equal(f->m.order[i], 8 + i);
	assert_int_equal(f->d.nr_failed_now, 1);
}

static void test_ebusy_then_success(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	script(f, 9, 3, EBUSY, EAGAIN, 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(hmd_count_pending(&f->d), 1);
	run_until_idle(f);
	assert_int_equal(f->m.writes[9], 3);
	assert_string_equal(read_state(f, 9, buf, sizeof(buf)), "online_movable");
	assert_int_equal(f->d.nr_failed_now, 0);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* retry_max retries, backoff 1, 2, 4, 4, 4 ms, then a logged give-up */
static void test_ebusy_gives_up_bounded(void **state)
{
	struct fixture *f = *state;
	char buf[32];
	double t0, dt;

	f->d.cfg.retry_max = 5;
	script(f, 10, 1, EBUSY);
	t0 = now_ms();
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	run_until_idle(f);
	dt = now_ms() - t0;
	assert_int_equal(f->m.writes[10], 6);
	assert_int_equal(f->d.nr_failed_now, 1);
	assert_true(f->d.blk[10].failed);
	assert_string_equal(read_state(f, 10, buf, sizeof(buf)), "offline");
	assert_true(dt >= 15.0);
	assert_true(dt < 1000.0);
	/* the others were not held up */
	assert_string_equal(read_state(f, 11, buf, sizeof(buf)), "online_movable");
}

/*
 * A block onlined and offlined by someone else while its write waited for
 * the retry (the admin taking it to unplug): its ONLINE and OFFLINE cancel
 * the retry, which onlined it again, in its own zone (abuse25a B8)
 */
static void test_retry_cancelled_by_their_online(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	f->d.cfg.retry_initial_ms = f->d.cfg.retry_max_ms = 100;
	script(f, 10, 2, EBUSY, 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(hmd_count_pending(&f->d), 1);
	/* the admin: online_kernel, then offline, each with its uevent */
	assert_int_equal(hmd_write_state_sysfs(&f->d, 10, "online_kernel\n"), 0);
	hmd_block_event(&f->d, "online", 10);
	assert_int_equal(hmd_write_state_sysfs(&f->d, 10, "offline\n"), 0);
	hmd_block_event(&f->d, "offline", 10);
	assert_int_equal(hmd_count_pending(&f->d), 0);
	/* what a retry left pending would do: run the loop past its time */
	assert_true(sd_event_run(f->d.ev, 300000) >= 0);
	assert_int_equal(f->m.writes[10], 1);
	assert_string_equal(read_state(f, 10, buf, sizeof(buf)), "offline");
	assert_false(f->d.blk[10].online);
	assert_int_equal(f->d.nr_failed_now, 0);
}

static void test_einval_not_retried(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	script(f, 12, 1, EINVAL);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(hmd_count_pending(&f->d), 0);
	assert_int_equal(f->m.writes[12], 1);
	assert_int_equal(f->d.nr_failed_now, 1);
	assert_string_equal(read_state(f, 12, buf, sizeof(buf)), "offline");
}

/* EINVAL because someone onlined it meanwhile: fine, not a failure */
static void test_einval_raced_online(void **state)
{
	struct fixture *f = *state;

	script(f, 13, 1, EINVAL);
	f->m.race_online[13] = true;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->m.writes[13], 1);
	assert_int_equal(f->d.nr_failed_now, 0);
	assert_true(f->d.blk[13].online);
}

static void test_other_errno_gives_up(void **state)
{
	struct fixture *f = *state;

	script(f, 14, 1, ENOMEM);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->m.writes[14], 1);
	assert_int_equal(f->d.nr_failed_now, 1);
}

/*
 * A given-up block someone else onlines afterwards -- the give-up line's
 * own advice, "or a write of memoryN/state" -- is not failed any more:
 * read online by its ONLINE uevent, or by a reload's rescan where that
 * uevent was not heard.  It stayed counted in STATUS='s "N failed" for
 * hotmemd's life (reread36 R1).
 */
static void test_given_up_then_onlined_not_failed(void **state)
{
	struct fixture *f = *state;

	script(f, 14, 1, ENOMEM);
	script(f, 15, 1, ENOMEM);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.nr_failed_now, 2);
	/* the admin onlines memory14: its ONLINE uevent */
	assert_int_equal(hmd_write_state_sysfs(&f->d, 14, "online_kernel\n"), 0);
	hmd_block_event(&f->d, "online", 14);
	assert_true(f->d.blk[14].online);
	assert_false(f->d.blk[14].failed);
	assert_int_equal(f->d.nr_failed_now, 1);
	/* and memory15, its uevent not heard: the reload's rescan reads it */
	assert_int_equal(hmd_write_state_sysfs(&f->d, 15, "online_kernel\n"), 0);
	assert_int_equal(hmd_coldplug(&f->d, false), 0);
	assert_false(f->d.blk[15].failed);
	assert_int_equal(f->d.nr_failed_now, 0);
	assert_int_equal(f->m.writes[14], 1);
	assert_int_equal(f->m.writes[15], 1);
}

static void capture_journal(struct hmd *d, const struct iovec *iov, int n);

/*
 * EHWPOISON (6.12 memory_block_online(): a poisoned page in the block):
 * a restart's retry or a write of state is refused the same, so the
 * give-up says what brings the block back, not those (usereye8 5a).
 */
static void test_hwpoison_give_up_advice(void **state)
{
	struct fixture *f = *state;

	f->d.journal = true;
	f->d.journal_send = capture_journal;
	script(f, 14, 1, EHWPOISON);
	script(f, 15, 1, ENOMEM);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.nr_failed_now, 2);
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory14: gave up onlining: online_movable: Memory page has hardware error; left offline: a block with a poisoned page is never onlined again"));
	assert_non_null(strstr(f->m.journal, "it comes back only after its memory is removed and plugged again"));
	assert_null(strstr(f->m.journal, "MESSAGE=memory14: gave up onlining: online_movable: Memory page has hardware error; left offline until"));
	/* any other errno keeps the advice that works for it */
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory15: gave up onlining: online_movable: Cannot allocate memory; left offline until `systemctl restart hotmemd`"));
}

/* --oneshot (no service): the advice is to run it again, not the service's restart (abuse25a B7) */
static void test_oneshot_give_up_advice(void **state)
{
	struct fixture *f = *state;

	f->d.journal = true;
	f->d.journal_send = capture_journal;
	f->d.oneshot = true;
	script(f, 15, 1, ENOMEM);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.nr_failed_now, 1);
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory15: gave up onlining: online_movable: Cannot allocate memory; left offline until `hotmemd --oneshot` runs again (a start tries every offline block again but those someone else offlined this boot) or a write of memory15/state"));
	assert_null(strstr(f->m.journal, "systemctl"));
}

/*
 * A block removed between its read and its write (finalD 5): ENODEV
 * through the file it was read with, ENOENT from a new open once its
 * directory is gone.  Not a give-up: said below one, as the block gone,
 * and out of the model; ENOENT with its state file still there is one,
 * and so is ENODEV with its state file still there (a memory notifier's
 * refusal: finalG 1).  A block half removed (memoryN/ there, its state
 * file gone) went away: sysfs.c state_file_gone() opens memoryN/state.
 * The same for a block gone before its ADD's read.
 */
static void test_block_gone_not_a_give_up(void **state)
{
	struct fixture *f = *state;

	f->d.cfg.log_level = LOG_NOTICE; /* the block gone is said at notice */
	f->d.journal = true;
	f->d.journal_send = capture_journal;
	script(f, 12, 1, ENODEV);
	f->m.removed[12] = true;
	script(f, 13, 1, ENOENT);
	f->m.removed[13] = true;
	script(f, 14, 1, ENOENT);
	script(f, 15, 1, ENODEV);
	script(f, 11, 1, ENOENT);
	f->m.half_removed[11] = true;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->m.writes[12], 1);
	assert_int_equal(f->m.writes[13], 1);
	assert_int_equal(hmd_count_pending(&f->d), 0);
	/*
	 * memory14's ENOENT with its state file there, memory15's
	 * ENODEV with its state file there: give-ups
	 */
	assert_int_equal(f->d.nr_failed_now, 2);
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory15: gave up onlining"));
	assert_null(strstr(f->m.journal, "MESSAGE=memory15: went away"));
	assert_true(f->d.blk[15].failed);
	assert_non_null(hmd_block_find(&f->d, 15));
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory12: went away before its state was written (the memory "
			       "block device is gone): nothing to online [policy=auto-movable "
			       "errno=ENODEV(19)]\n"));
	assert_non_null(strstr(f->m.journal, "PRIORITY=5\nSYSLOG_IDENTIFIER=hotmemd\nMESSAGE_ID=" HMD_MSGID_SKIPPED
					     "\nHOTMEM_BLOCK=memory12\n"));
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory13: went away before its state"));
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory11: went away before its state"));
	assert_null(strstr(f->m.journal, "MESSAGE=memory11: gave up"));
	assert_false(f->d.blk[11].failed);
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory14: gave up onlining"));
	assert_null(strstr(f->m.journal, "MESSAGE=memory12: gave up"));
	assert_null(strstr(f->m.journal, "MESSAGE=memory13: gave up"));
	assert_false(f->d.blk[12].failed);
	assert_false(f->d.blk[13].failed);
	/* out of the model, as their REMOVE would take them; memory14 is there */
	assert_null(hmd_block_find(&f->d, 12));
	assert_null(hmd_block_find(&f->d, 13));
	assert_non_null(hmd_block_find(&f->d, 14));
	/*
	 * an ADD whose block went before its state was read (its REMOVE
	 * queued): without a firmware_node, read at the settle
	 */
	hmd_block_event(&f->d, "add", 40);
	run_until_settled(f);
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory40: went away before its state was "
					     "read (the memory block device is gone): nothing to "
					     "online [policy=auto-movable errno=ENOENT(2)]\n"));
	assert_null(hmd_block_find(&f->d, 40));
	assert_int_equal(f->d.nr_failed_now, 2);
}

/* The kernel onlined it (auto_online_blocks=online): left alone. */
static void test_kernel_auto_online_respected(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 50, "online\n", 0);
	hmd_block_event(&f->d, "add", 50);
	/* without a firmware_node, read at the settle (its ONLINE would end the wait) */
	run_until_settled(f);
	assert_int_equal(f->m.writes[50], 0);
	assert_true(f->d.blk[50].online);
	assert_false(f->d.blk[50].boot);
}

/* An admin's offline is respected; only a new ADD onlines. */
static void test_offline_event_not_fought(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	put(f->root, "sys/devices/system/memory/memory8/state", "offline\n");
	hmd_block_event(&f->d, "offline", 8);
	assert_int_equal(f->m.writes[8], 1);
	assert_false(f->d.blk[8].online);
	assert_string_equal(read_state(f, 8, buf, sizeof(buf)), "offline");
}

static void test_remove_cancels_retry(void **state)
{
	struct fixture *f = *state;

	script(f, 15, 1, EBUSY);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(hmd_count_pending(&f->d), 1);
	hmd_block_event(&f->d, "remove", 15);
	assert_int_equal(hmd_count_pending(&f->d), 0);
	assert_int_equal(f->d.nr_failed_now, 0);
}

static void test_dry_run_and_offline_write_nothing(void **state)
{
	struct fixture *f = *state;
	int i;
	int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);

	/* dry-run decisions go to stdout, which is our TAP stream */
	fflush(stdout);
	dup2(null, STDOUT_FILENO);
	f->d.cfg.dry_run = true;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	f->d.cfg.dry_run = false;
	f->d.cfg.policy = HMD_POL_OFFLINE;
	hmd_blocks_free(&f->d);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	for (i = 0; i < NBLOCKS; i++)
		assert_int_equal(f->m.writes[i], 0);
}

static void test_node_policy(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	mk_block(f->root, 20, "offline\n", 1);
	f->d.cfg.node_policy[1] = HMD_POL_ONLINE_KERNEL;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_string_equal(read_state(f, 20, buf, sizeof(buf)), "online_kernel");
	assert_string_equal(read_state(f, 8, buf, sizeof(buf)), "online_movable");
	hmd_status_text(&f->d, buf, sizeof(buf));
	assert_memory_equal(buf, "17 blocks online, 8 movable", 27);
}

/*
 * A [nodeN] policy is named as one in the decision line: beside a global
 * online_movable, "(policy online_kernel)" did not say why (abuse25a B7)
 */
static void test_node_policy_named(void **state)
{
	struct fixture *f = *state;

	f->d.journal = true;
	f->d.journal_send = capture_journal;
	f->d.cfg.log_level = LOG_INFO;
	mk_block(f->root, 20, "offline\n", 1);
	f->d.cfg.policy = HMD_POL_ONLINE_MOVABLE;
	f->d.cfg.node_policy[1] = HMD_POL_ONLINE_KERNEL;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory20: online_kernel (node1's policy online_kernel)"));
	/* a block of a node without its own policy: the global one, as before */
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory8: online_movable (policy online_movable)"));
}

/* Boot blocks are remembered: a restart does not count hot-added ones. */
static void test_boot_blocks_remembered(void **state)
{
	struct fixture *f = *state;
	char path[256], buf[64];
	FILE *fp;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	snprintf(path, sizeof(path), "%s/state/boot-blocks", f->root);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "0-7\n");
	hmd_blocks_free(&f->d);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_false(f->d.blk[8].boot);
	assert_true(f->d.blk[7].boot);
	hmd_node_stats(&f->d, &f->d.pc);
	assert_int_equal(f->d.pc.node[0].kernel_early_pages, 262144);
	assert_int_equal(f->d.pc.node[0].movable_pages, 8 * 32768);
}

/* memory@first..@last in ACPI memory device PNP0C80:@slot, as a real guest links them */
static void mk_dimm_links(struct fixture *f, int first, int last, int slot)
{
	char path[256], target[96];

	snprintf(target, sizeof(target),
		 "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:%02x", slot);
	for (int i = first; i <= last; i++) {
		snprintf(path, sizeof(path),
			 "%s/sys/devices/system/memory/memory%d/firmware_node", f->root, i);
		assert_int_equal(symlink(target, path), 0);
	}
}

/* the sums and the cached group hotmemd keeps as blocks change are what a recount finds */
static void assert_sums_recount(struct hmd *d)
{
	unsigned long kern[HMD_MAX_NODES], boot[HMD_MAX_NODES], mov[HMD_MAX_NODES];
	struct hmd_group dyn[HMD_MAX_DYN];
	unsigned long node_waiters = 0;

	/* the node-link waiters' count (node_waiter_below()'s shortcut) is their number */
	for (unsigned long i = 0; i < d->nblk; i++)
		node_waiters += !!(d->blk[i].link_wait & HMD_WAIT_NODE);
	assert_int_equal(d->n_node_wait, node_waiters);
	if (d->group.valid) {
		struct hmd_group kept = d->group.g, walked;
		unsigned long lo = d->group.lo, hi = d->group.hi;

		d->group.valid = false;
		assert_true(hmd_block_group(d, lo, &walked));
		assert_int_equal(d->group.lo, lo);
		assert_int_equal(d->group.hi, hi);
		assert_memory_equal(&kept, &walked, sizeof(kept));
	}

	memcpy(kern, d->sum_kern, sizeof(kern));
	memcpy(boot, d->sum_kern_boot, sizeof(boot));
	memcpy(mov, d->sum_mov, sizeof(mov));
	memcpy(dyn, d->dyn.g, sizeof(dyn));
	hmd_blocks_recount(d);
	assert_memory_equal(kern, d->sum_kern, sizeof(kern));
	assert_memory_equal(boot, d->sum_kern_boot, sizeof(boot));
	assert_memory_equal(mov, d->sum_mov, sizeof(mov));
	/* the dynamic groups' sums, kept block by block, are what a recount finds */
	assert_memory_equal(dyn, d->dyn.g, sizeof(dyn));
}

/*
 * /proc/iomem as 6.12 shows a virtio-mem device of 5 GiB at 1 GiB (memory8-47),
 * its region inside a PCI window, and a second device with no memory added
 * (no "System RAM (virtio_mem)" in it: no group); @hidden: the addresses
 * a reader without CAP_SYS_ADMIN sees.
 */
static void put_iomem(struct fixture *f, bool hidden)
{
	put(f->root, "proc/iomem",
	    hidden ? "00000000-00000000 : System RAM\n"
		     "00000000-00000000 : PCI Bus 0000:00\n"
		     "  00000000-00000000 : virtio0\n"
		     "    00000000-00000000 : System RAM (virtio_mem)\n"
		     "  00000000-00000000 : virtio1\n" :
		     "00000000-3fffffff : System RAM\n"
		     "40000000-1ffffffff : PCI Bus 0000:00\n"
		     "  40000000-17fffffff : virtio0\n"
		     "    40000000-17fffffff : System RAM (virtio_mem)\n"
		     "  180000000-19fffffff : virtio1\n");
	for (int i = 16; i < 48; i++)
		mk_block(f->root, i, "offline\n", 0);
}

/*
 * The device is one dynamic memory group: after 24 Movable blocks (3 GiB,
 * 301% of 1 GiB) one goes Normal, and its 128 MiB of kernel memory lets the
 * next three be Movable (6.12 auto_movable_can_online_movable()); decided
 * alone, 24 Movable and the 16 others Normal (test_ratio_boundary).
 */
static void test_dynamic_group_from_iomem(void **state)
{
	struct fixture *f = *state;

	put_iomem(f, false);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.dyn.n, 1);
	assert_int_equal(f->d.dyn.lo[0], 8);
	assert_int_equal(f->d.dyn.hi[0], 47);
	assert_states(f, 8, 31, "online_movable");
	assert_states(f, 32, 32, "online_kernel");
	assert_states(f, 33, 35, "online_movable");
	assert_states(f, 36, 36, "online_kernel");
	assert_states(f, 37, 39, "online_movable");
	assert_sums_recount(&f->d);
}

/* No addresses to read (not root): the device's blocks are decided alone */
static void test_dynamic_group_hidden_iomem(void **state)
{
	struct fixture *f = *state;

	put_iomem(f, true);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.dyn.n, 0);
	assert_true(f->d.dyn.warned_hidden);
	assert_states(f, 8, 31, "online_movable");
	assert_states(f, 32, 47, "online_kernel");
}

/*
 * A DIMM is one static memory group (acpi_memhotplug): 5 GiB cannot all
 * be Movable within 301% of 1 GiB, so auto_movable_zone_for_pfn() puts
 * the first block in Normal and the rest follow -- not 24 Movable blocks
 * and 16 Normal, as block by block (test_ratio_boundary).
 */
static void test_firmware_group_whole_dimm(void **state)
{
	struct fixture *f = *state;

	for (int i = 16; i < 48; i++)
		mk_block(f->root, i, "offline\n", 0);
	mk_dimm_links(f, 8, 47, 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_states(f, 8, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/*
 * A DIMM's block is in no virtio-mem device's dynamic group: its ADD does
 * not read /proc/iomem again (two READs an ADD of a single DIMM on
 * hotmemfs) while the groups read hold all online memory that may be a
 * device's.  A block outside them without a firmware_node that goes online
 * (here one an admin onlines, policy offline) may be a device's probed
 * since: the next decision, a DIMM's too, reads the groups first.
 */
static void test_dimm_add_reads_no_iomem(void **state)
{
	struct fixture *f = *state;

	f->d.cfg.node_policy[1] = HMD_POL_OFFLINE;
	mk_dimm_links(f, 8, 15, 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	hmd_dyn_invalidate(&f->d); /* as each settle does */
	mk_block(f->root, 16, "offline\n", 0);
	mk_dimm_links(f, 16, 16, 1);
	hmd_block_event(&f->d, "add", 16);
	assert_int_equal(f->m.writes[16], 1);
	assert_true(f->d.dyn.stale); /* not read for it */
	/* no firmware_node, left offline, then onlined by an admin */
	mk_block(f->root, 17, "offline\n", 1);
	hmd_block_event(&f->d, "add", 17);
	assert_int_equal(f->m.writes[17], 0);
	replace_state(f->root, 17, "online\n");
	hmd_block_event(&f->d, "online", 17);
	assert_true(f->d.blk[17].online);
	assert_true(f->d.dyn.outside_online);
	mk_block(f->root, 18, "offline\n", 0);
	mk_dimm_links(f, 18, 18, 2);
	hmd_block_event(&f->d, "add", 18);
	assert_int_equal(f->m.writes[18], 1);
	assert_false(f->d.dyn.stale); /* read before its decision */
	assert_false(f->d.dyn.outside_online);
	assert_sums_recount(&f->d);
}

/*
 * A /proc/iomem that could not be read leaves the table empty: the first
 * DIMM decision after the next settle reads it again, as each burst did
 * before the DIMM cut (reread19-rest F1: the failure cleared
 * outside_online, and DIMM decisions went without the virtio-mem groups'
 * reserve for good); the burst's other DIMM decisions do not (reread20 G7).
 */
static void test_iomem_unread_read_again(void **state)
{
	struct fixture *f = *state;
	struct hmd_block_req req = { 0 };

	mk_dimm_links(f, 8, 15, 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	if (f->d.iomem) {
		fclose(f->d.iomem);
		f->d.iomem = NULL;
	}
	/* a directory: fopen() succeeds, its read fails (EISDIR) */
	snprintf(f->d.iomem_path, sizeof(f->d.iomem_path), "%s", f->root);
	hmd_dyn_invalidate(&f->d);
	assert_false(hmd_dyn_block(&f->d, 8));
	assert_false(f->d.dyn.stale);
	assert_true(f->d.dyn.outside_online);
	/* readable again, a virtio-mem device's memory at 8 GiB (memory64-71) in it */
	put(f->root, "proc/iomem",
	    "00000000-3fffffff : System RAM\n"
	    "200000000-23fffffff : virtio0\n"
	    "  200000000-23fffffff : System RAM (virtio_mem)\n");
	snprintf(f->d.iomem_path, sizeof(f->d.iomem_path), "%s/proc/iomem", f->root);
	/* the same burst's next DIMM decision: not read */
	assert_null(hmd_dyn_group(&f->d, 9, &req));
	assert_int_equal(f->d.dyn.n, 0);
	/* the settle; the first DIMM decision after it reads the table */
	hmd_dyn_invalidate(&f->d);
	assert_null(hmd_dyn_group(&f->d, 8, &req));
	assert_int_equal(f->d.dyn.n, 1);
	assert_false(f->d.dyn.outside_online);
	assert_true(hmd_dyn_block(&f->d, 64));
}

static void rm_block(struct fixture *f, int id);

/* a machine's /proc/iomem with no virtio-mem device: boot RAM and a DIMM at 1 GiB */
static void put_iomem_dimm(struct fixture *f)
{
	put(f->root, "proc/iomem",
	    "00000000-3fffffff : System RAM\n"
	    "40000000-1ffffffff : PCI Bus 0000:00\n"
	    "  40000000-7fffffff : System RAM\n");
}

/* memory8-15 anew: a DIMM's, offline, linked to PNP0C80:@slot */
static void dimm_where_vmem_was(struct fixture *f, int slot)
{
	for (int i = 8; i < 48; i++)
		rm_block(f, i);
	put_iomem_dimm(f);
	for (int i = 8; i < 16; i++)
		mk_block(f->root, i, "offline\n", 0);
	mk_dimm_links(f, 8, 15, slot);
}

/*
 * A virtio-mem device (memory8-47) removed, its blocks offlined and gone,
 * and a DIMM plugged at its old address: the DIMM's decision reads the
 * table again, its blocks are in no group -- a stale table filed them in
 * the dead device's group, whose req_kernel_early_pages every later
 * decision reserved (reread19-rest F2).
 */
static void test_vmem_removed_dimm_in_no_group(void **state)
{
	struct fixture *f = *state;

	put_iomem(f, false);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.dyn.n, 1);
	for (int i = 8; i < 48; i++) {
		replace_state(f->root, i, "offline\n");
		hmd_block_event(&f->d, "offline", i);
		hmd_block_event(&f->d, "remove", i);
	}
	hmd_dyn_invalidate(&f->d); /* as the burst's settle does */
	dimm_where_vmem_was(f, 1);
	for (int i = 8; i < 16; i++)
		hmd_block_event(&f->d, "add", i);
	assert_states(f, 8, 15, "online_movable");
	assert_false(f->d.dyn.stale); /* read before the DIMM's decision */
	assert_int_equal(f->d.dyn.n, 0);
	assert_sums_recount(&f->d);
}

/*
 * A new sysroot -- another machine where this one had a virtio-mem device,
 * a DIMM there: its coldplug decides with that machine's /proc/iomem, not
 * the table of the one before (reread19-rest F2, sysfs.c).
 */
static void test_new_sysroot_drops_vmem_table(void **state)
{
	struct fixture *f = *state;

	put_iomem(f, false);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.dyn.n, 1);
	dimm_where_vmem_was(f, 0);
	hmd_sysfs_close(&f->d);
	assert_int_equal(hmd_sysfs_open(&f->d), 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_states(f, 8, 15, "online_movable");
	assert_false(f->d.dyn.stale);
	assert_int_equal(f->d.dyn.n, 0);
	assert_sums_recount(&f->d);
}

/*
 * Two DIMMs: the first (1 GiB) fits Movable; the second's ADDs come one by
 * one, and its first block is decided for the whole 4 GiB device (the
 * sysroot shows blocks whose ADD has not come yet), which does not fit the
 * 2.01 GiB left: all Normal.  memory_groups = none splits it 16/16.
 */
static void test_firmware_group_add_burst(void **state)
{
	struct fixture *f = *state;

	mk_dimm_links(f, 8, 15, 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_states(f, 8, 15, "online_movable");
	for (int i = 16; i < 48; i++)
		mk_block(f->root, i, "offline\n", 0);
	mk_dimm_links(f, 16, 47, 1);
	for (int i = 16; i < 48; i++)
		hmd_block_event(&f->d, "add", i);
	assert_states(f, 16, 47, "online_kernel");
	assert_sums_recount(&f->d);
	/* the same burst, block by block */
	for (int i = 16; i < 48; i++)
		hmd_block_event(&f->d, "remove", i);
	for (int i = 16; i < 48; i++)
		hmd_write_state_sysfs(&f->d, i, "offline\n");
	f->d.cfg.groups = HMD_GROUPS_NONE;
	for (int i = 16; i < 48; i++)
		hmd_block_event(&f->d, "add", i);
	assert_states(f, 16, 31, "online_movable");
	assert_states(f, 32, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/*
 * ACPI memory device PNP0C80:@slot in bus/acpi/devices, present (_STA 15);
 * bound (physical_node -> memory@first) when @first >= 0, also one made before
 */
static void mk_acpi_slot(struct fixture *f, int slot, int first)
{
	char rel[128], path[256], target[96];

	mk(f->root, "sys/bus");
	mk(f->root, "sys/bus/acpi");
	mk(f->root, "sys/bus/acpi/devices");
	snprintf(rel, sizeof(rel), "sys/bus/acpi/devices/PNP0C80:%02x", slot);
	mk(f->root, rel);
	snprintf(path, sizeof(path), "%s/status", rel);
	put(f->root, path, "15\n");
	if (first < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s/physical_node", f->root, rel);
	snprintf(target, sizeof(target), "../../../../devices/system/memory/memory%d", first);
	assert_int_equal(symlink(target, path), 0);
}

/*
 * A DIMM being added, as the kernel does it: memory8-15 a bound DIMM
 * (PNP0C80:00) taken at the coldplug, then memory16..@last offline, and
 * PNP0C80:01 present (_STA 15) but not bound yet; its ADDs are the test's
 */
static void dimm_being_added(struct fixture *f, int last)
{
	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	for (int i = 16; i <= last; i++)
		mk_block(f->root, i, "offline\n", 0);
	mk_acpi_slot(f, 1, -1);
}

/* the ADDs of memory@first..@last */
static void adds(struct fixture *f, int first, int last)
{
	for (int i = first; i <= last; i++)
		hmd_block_event(&f->d, "add", i);
}

/*
 * A real kernel sends a DIMM's ADDs (__add_memory()) before it links their
 * firmware_node (acpi_bind_memory_blocks()): blocks ADDed without a link
 * wait for the uevents to settle and are then decided as the whole DIMM,
 * as in test_firmware_group_add_burst; a block that never gets a link
 * (virtio-mem) is still decided then, alone.
 */
static void test_firmware_link_after_adds(void **state)
{
	struct fixture *f = *state;
	uint64_t until;

	dimm_being_added(f, 48);
	assert_states(f, 8, 15, "online_movable");
	adds(f, 16, 48);
	assert_states(f, 16, 48, "offline");
	until = f->d.link_wait_until;
	cap_far(f);
	/* the uevents settle before the links come: the blocks wait on */
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	/* memory48 never gets one: decided alone at the cap */
	f->d.link_wait_until = until;
	assert_int_equal(f->d.n_link_wait, 33);
	assert_states(f, 16, 48, "offline");
	mk_dimm_links(f, 16, 47, 1);
	mk_acpi_slot(f, 1, 16); /* acpi_bind_memory_blocks() done */
	run_until_settled(f);
	assert_states(f, 16, 47, "online_kernel");
	/* 1.125 GiB Movable is within 301% of 1 GiB boot */
	assert_states(f, 48, 48, "online_movable");
	assert_sums_recount(&f->d);
	/* a REMOVE while waiting: nothing is decided for it */
	mk_acpi_slot(f, 2, -1);
	mk_block(f->root, 49, "offline\n", 0);
	hmd_block_event(&f->d, "add", 49);
	hmd_block_event(&f->d, "remove", 49);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[49], 0);
}

/*
 * The binding comes while the DIMM's last ADDs are still queued: those
 * are decided at once, with the group their links show -- the whole DIMM,
 * the waiting blocks too.  Their links were taken as "none" from the read
 * at their ADD, which cut the group at them: the 8 late blocks alone
 * (1 GiB, within 301% of 1 GiB boot) went Movable, the rest Normal.
 */
static void test_firmware_link_before_last_adds(void **state)
{
	struct fixture *f = *state;

	dimm_being_added(f, 47);
	adds(f, 16, 39);
	assert_int_equal(f->d.n_link_wait, 24);
	mk_dimm_links(f, 16, 47, 1);
	mk_acpi_slot(f, 1, 16);
	adds(f, 40, 47);
	assert_states(f, 40, 47, "online_kernel");
	run_until_settled(f);
	assert_states(f, 16, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/*
 * The uevents settle while the DIMM's blocks are still being linked: its
 * device has its physical_node (the first block bound), so no ACPI device
 * shows a binding, but memory16-31 are linked and memory32-47 not yet
 * (acpi_bind_memory_blocks() links in address order).  All wait on, the
 * linked ones too (their group is not whole yet): the DIMM is decided
 * whole.  Decided then, memory16-31 went Movable as a group of 2 GiB and
 * memory32-47 alone.
 */
static void test_firmware_binding_under_way(void **state)
{
	struct fixture *f = *state;

	dimm_being_added(f, 47);
	adds(f, 16, 47);
	mk_dimm_links(f, 16, 31, 1);
	mk_acpi_slot(f, 1, 16);
	cap_far(f);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->d.n_link_wait, 32);
	assert_states(f, 16, 47, "offline");
	mk_dimm_links(f, 32, 47, 1);
	run_until_settled(f);
	assert_states(f, 16, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/*
 * A settle that holds the waiting blocks (their device not bound yet)
 * keeps the group last asked for: nothing a group walk read changed.  It
 * was thrown away at every settle, a held one too, so each of a DIMM's
 * next ADDs walked its group again (linkreview F6).  Their links read at
 * a later settle do change it: walked again then.
 */
static void test_held_settle_keeps_group(void **state)
{
	struct fixture *f = *state;
	struct hmd_group g;

	dimm_being_added(f, 47);
	adds(f, 16, 47);
	assert_true(hmd_block_group(&f->d, 8, &g));
	assert_true(f->d.group.valid);
	cap_far(f);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->d.n_link_wait, 32);
	assert_true(f->d.group.valid);
	assert_int_equal(f->d.group.lo, 8);
	assert_int_equal(f->d.group.hi, 15);
	mk_dimm_links(f, 16, 47, 1);
	mk_acpi_slot(f, 1, 16);
	run_until_settled(f);
	assert_states(f, 16, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/*
 * A coldplug during a DIMM's binding (review D4): its device shows bound
 * (physical_node came with memory16), memory16-31 are linked, memory32-47
 * not yet.  The unlinked ones wait as at the settle (binding_under_way()),
 * not decided alone at once; decided with their links at the settle.
 */
static void test_coldplug_binding_under_way(void **state)
{
	struct fixture *f = *state;

	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	for (int i = 16; i < 48; i++)
		mk_block(f->root, i, "offline\n", 0);
	mk_dimm_links(f, 16, 31, 1);
	mk_acpi_slot(f, 1, 16);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.n_link_wait, 16);
	assert_states(f, 32, 47, "offline");
	mk_dimm_links(f, 32, 47, 1);
	run_until_settled(f);
	assert_states(f, 32, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/* An ACPI device that never binds: the wait is bounded, the blocks then decided alone. */
static void test_firmware_link_wait_bounded(void **state)
{
	struct fixture *f = *state;
	uint64_t now, when;

	f->d.cfg.log_level = LOG_NOTICE;
	f->d.journal = true;
	f->d.journal_send = capture_journal;

	dimm_being_added(f, 47);
	adds(f, 16, 47);
	assert_int_equal(f->d.n_link_wait, 32);
	/* uevents that keep coming do not hold them past the deadline (5 ms on here) */
	assert_true(sd_event_now(f->d.ev, CLOCK_MONOTONIC, &now) >= 0);
	f->d.link_wait_until = now + 5000;
	for (int i = 0; i < 3; i++)
		hmd_uevent_seen(&f->d);
	assert_int_equal(sd_event_source_get_time(f->d.settle_src, &when), 0);
	assert_true(when == f->d.link_wait_until);
	run_until_settled(f);
	/* block by block: 3.01 GiB Movable are 24 blocks in all */
	assert_states(f, 16, 31, "online_movable");
	assert_states(f, 32, 47, "online_kernel");
	for (int i = 16; i < 48; i++)
		assert_int_equal(f->d.blk[i].fwnode, 0);
	assert_sums_recount(&f->d);
	/* cut short while an ACPI memory device may still bind them: said */
	assert_non_null(strstr(f->m.journal, "PRIORITY=5\n"));
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory16: no firmware_node, an ACPI memory device still binding, "
			       "0.5 s after the last block began waiting: decided alone"));
}

/*
 * A DIMM whose ADDs keep coming past LINK_WAIT_USEC (a real kernel adds a
 * big DIMM for seconds, and links it after its last ADD): each new
 * waiting block moves the deadline, its first blocks are not decided alone
 * meanwhile.  The deadline was the first block's: they went Movable one by
 * one, where the whole DIMM goes to Normal.
 */
static void test_firmware_wait_while_adds_come(void **state)
{
	struct fixture *f = *state;
	uint64_t now;

	dimm_being_added(f, 47);
	adds(f, 16, 23);
	/* LINK_WAIT_USEC gone by since the first */
	assert_true(sd_event_now(f->d.ev, CLOCK_MONOTONIC, &now) >= 0);
	f->d.link_wait_until = now;
	adds(f, 24, 47);
	/* moved by memory24's wait past then; an hour away, whatever the machine's speed */
	assert_true(f->d.link_wait_until > now);
	cap_far(f);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->d.n_link_wait, 32);
	assert_states(f, 16, 47, "offline");
	mk_dimm_links(f, 16, 47, 1);
	mk_acpi_slot(f, 1, 16);
	run_until_settled(f);
	assert_states(f, 16, 47, "online_kernel");
	assert_sums_recount(&f->d);
}

/*
 * A block without a link waits for the settle after its ADD, even where no
 * ACPI memory device is about to bind (the slots bound or empty): the
 * devices are not looked at at an ADD (a walk of QEMU's 256 slots at each
 * lone DIMM's ADD, tests/daemon/92-*), only at the settle, for the blocks
 * still without a link, and none binding it is decided alone there.
 */
static void test_no_firmware_link_decided_at_settle(void **state)
{
	struct fixture *f = *state;

	/* decided alone as it should: not said at notice */
	f->d.cfg.log_level = LOG_NOTICE;
	f->d.journal = true;
	f->d.journal_send = capture_journal;

	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	mk_acpi_slot(f, 1, -1);
	put(f->root, "sys/bus/acpi/devices/PNP0C80:01/status", "0\n"); /* an empty slot */
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 48, "offline\n", 0);
	hmd_block_event(&f->d, "add", 48);
	assert_int_equal(f->d.acpi_state, HMD_ACPI_UNKNOWN);
	assert_int_equal(f->d.n_link_wait, 1);
	assert_int_equal(f->m.writes[48], 0);
	/* the settle the ADD armed: one look at the devices, none binding */
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[48], 1);
	assert_states(f, 48, 48, "online_movable");
	assert_null(strstr(f->m.journal, "decided alone"));
}

/*
 * No ACPI memory device at all (no DIMM slots, no ACPI memory hotplug, a
 * sysroot of plain files): nothing ever links a block's firmware_node, so
 * a block ADDed without one is decided at its ADD, not 20 ms later at the
 * settle (bench_hotmemd's fake sysroot: 21.5 ms an ADD, 0.07 before
 * f16b10ea); the one look at bus/acpi/devices is kept.
 */
static void test_no_acpi_memory_device_decided_at_add(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->d.cfg.groups, HMD_GROUPS_FIRMWARE);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 48, "offline\n", 0);
	hmd_block_event(&f->d, "add", 48);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[48], 1);
	assert_int_equal(f->d.acpi_devs, HMD_ACPI_DEVS_NONE);
	/*
	 * a slot (empty) seen at the next coldplug (a rescan; a sysroot
	 * opened again): the next block waits for the settle, as before
	 */
	mk_acpi_slot(f, 0, -1);
	put(f->root, "sys/bus/acpi/devices/PNP0C80:00/status", "0\n");
	assert_int_equal(hmd_coldplug(&f->d, false), 0);
	mk_block(f->root, 49, "offline\n", 0);
	hmd_block_event(&f->d, "add", 49);
	assert_int_equal(f->d.n_link_wait, 1);
	assert_int_equal(f->m.writes[49], 0);
	run_until_settled(f);
	assert_int_equal(f->m.writes[49], 1);
	assert_sums_recount(&f->d);
}

/* PNP0C80:@slot/physical_node@k -> memory@id, as acpi_bind_one() links a bound block */
static void mk_phys_node(struct fixture *f, int slot, int k, int id)
{
	char path[256], target[96], name[32];

	if (k)
		snprintf(name, sizeof(name), "physical_node%d", k);
	else
		snprintf(name, sizeof(name), "physical_node");
	snprintf(path, sizeof(path), "%s/sys/bus/acpi/devices/PNP0C80:%02x/%s", f->root, slot, name);
	snprintf(target, sizeof(target), "../../../../devices/system/memory/memory%d", id);
	assert_int_equal(symlink(target, path), 0);
}

/* memory@id's firmware_node link gone from the sysroot */
static void rm_fwnode_link(struct fixture *f, int id)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%d/firmware_node", f->root,
		 id);
	assert_int_equal(unlink(path), 0);
}

/*
 * A block's firmware_node told by its device's physical_nodeK links
 * (sysfs.c fw_range_learn(): 6.12 acpi_bind_one() numbers a device's
 * blocks in address order): the blocks [A, A+K] where physical_nodeK links
 * to memory(A+K), read without a READLINK each -- here the links of
 * memory9-14 are gone after the first read and still answered; the run's
 * top, memory15, is read (finalD D4) -- and not one block past a gap in
 * the device's links (PNP0C80:01 has memory16-18, then memory20: memory19
 * is PNP0C80:02's).
 */
static void test_fwnode_range_from_physical_nodes(void **state)
{
	struct fixture *f = *state;
	unsigned int h8, h16;
	int k;

	for (int i = 16; i < 24; i++)
		mk_block(f->root, i, "online\n", 0);
	mk_dimm_links(f, 8, 15, 0);
	mk_dimm_links(f, 16, 18, 1);
	mk_dimm_links(f, 19, 19, 2);
	mk_dimm_links(f, 20, 23, 1);
	mk_acpi_slot(f, 0, 8);
	mk_acpi_slot(f, 1, 16);
	mk_acpi_slot(f, 2, 19);
	for (k = 1; k < 8; k++)
		mk_phys_node(f, 0, k, 8 + k);
	mk_phys_node(f, 1, 1, 17);
	mk_phys_node(f, 1, 2, 18);
	for (k = 3; k < 7; k++)
		mk_phys_node(f, 1, k, 17 + k);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_false(f->d.fw_range.on); /* learnt for the coldplug's pass only */
	hmd_fw_range_learning(&f->d, true);
	for (int i = 0; i < 24; i++)
		f->d.blk[i].fwnode = HMD_FWNODE_UNREAD;
	h8 = hmd_block_read_fwnode(&f->d, 8);
	assert_true(f->d.fw_range.valid);
	assert_int_equal(f->d.fw_range.lo, 8);
	assert_int_equal(f->d.fw_range.hi, 14);
	for (int i = 9; i < 15; i++)
		rm_fwnode_link(f, i);
	for (int i = 9; i < 16; i++)
		assert_int_equal(hmd_block_read_fwnode(&f->d, i), h8);
	h16 = hmd_block_read_fwnode(&f->d, 16);
	assert_true(h16 != h8 && h16);
	assert_int_equal(f->d.fw_range.lo, 16);
	assert_int_equal(f->d.fw_range.hi, 17);
	assert_true(hmd_block_read_fwnode(&f->d, 19) != h16);
	assert_int_equal(hmd_block_read_fwnode(&f->d, 20), h16);
	hmd_fw_range_learning(&f->d, false);
	assert_int_equal(hmd_block_read_fwnode(&f->d, 12), 0); /* read again: gone */
}

/*
 * A coldplug during a DIMM's binding, as 6.12 acpi_bind_one() goes: the
 * device's physical_node3 -> memory19 made, memory19's firmware_node not
 * yet (finalD D4).  memory19 is not told bound by its device's links: its
 * own is read, none, and it waits as the blocks above it
 * (binding_under_way()), decided with its link at the settle.  Learnt from
 * the range it was decided at once, as its device's.
 */
static void test_fwnode_range_mid_binding(void **state)
{
	struct fixture *f = *state;

	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	for (int i = 16; i < 24; i++)
		mk_block(f->root, i, "offline\n", 0);
	mk_dimm_links(f, 16, 18, 1);
	mk_acpi_slot(f, 1, 16);
	for (int k = 1; k < 4; k++)
		mk_phys_node(f, 1, k, 16 + k);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.blk[19].fwnode, HMD_FWNODE_UNREAD); /* not cached: it may come */
	assert_true(f->d.blk[19].link_wait & HMD_WAIT_FWNODE);
	assert_int_equal(f->m.writes[19], 0);
	assert_int_equal(f->d.n_link_wait, 5);
	mk_dimm_links(f, 19, 23, 1);
	run_until_settled(f);
	assert_int_equal(f->m.writes[19], 1);
	assert_true(f->d.blk[19].fwnode == f->d.blk[16].fwnode);
	assert_sums_recount(&f->d);
}

/*
 * A device of two ranges (PNP0C80:01: memory16-17, then memory20-23, its
 * physical_node2.. the second range's): the learn at memory20 fails (past
 * the run from physical_node), and the device is not asked again for the
 * blocks above it this pass (reread17 R11: 3-4 reads more, each block).
 * Here memory21 would learn [21, 21] had it asked (physical_node re-pointed
 * to it); a new pass asks again.
 */
static void test_fwnode_range_failed_not_retried(void **state)
{
	struct fixture *f = *state;
	char path[256];
	unsigned int h;

	for (int i = 16; i < 24; i++)
		mk_block(f->root, i, "online\n", 0);
	mk_dimm_links(f, 16, 17, 1);
	mk_dimm_links(f, 18, 19, 2);
	mk_dimm_links(f, 20, 23, 1);
	mk_acpi_slot(f, 1, 16);
	mk_phys_node(f, 1, 1, 17);
	for (int k = 2; k < 6; k++)
		mk_phys_node(f, 1, k, 18 + k);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	hmd_fw_range_learning(&f->d, true);
	for (int i = 0; i < 24; i++)
		f->d.blk[i].fwnode = HMD_FWNODE_UNREAD;
	h = hmd_block_read_fwnode(&f->d, 20);
	assert_true(h);
	assert_false(f->d.fw_range.valid);
	snprintf(path, sizeof(path), "%s/sys/bus/acpi/devices/PNP0C80:01/physical_node", f->root);
	assert_int_equal(unlink(path), 0);
	mk_phys_node(f, 1, 0, 21);
	assert_int_equal(hmd_block_read_fwnode(&f->d, 21), h);
	assert_false(f->d.fw_range.valid); /* not asked: the learn failed below */
	hmd_fw_range_learning(&f->d, true);
	assert_int_equal(hmd_block_read_fwnode(&f->d, 21), h);
	assert_true(f->d.fw_range.valid);
	assert_int_equal(f->d.fw_range.lo, 21);
	assert_int_equal(f->d.fw_range.hi, 21);
	hmd_fw_range_learning(&f->d, false);
}

/* @dir's entries, in readdir order, are @names[0..@n) */
static bool listed_in_order(const char *dir, const char *const *names, int n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int i = 0;
	bool ok = true;

	assert_non_null(dp);
	while ((de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ok = ok && i < n && !strcmp(de->d_name, names[i++]);
	closedir(dp);
	return ok && i == n;
}

/* @names made in @dir, first to last (@step 1) or last to first (-1) */
static void make_entries(const char *dir, const char *const *names, int n, int step)
{
	char path[512];

	assert_int_equal(mkdir(dir, 0755), 0);
	for (int k = 0; k < n; k++) {
		const char *name = names[step > 0 ? k : n - 1 - k];

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!strcmp(name, "firmware_node"))
			assert_int_equal(symlink("../../../LNXSYSTM:00/PNP0C80:01", path), 0);
		else if (!strncmp(name, "node", 4))
			assert_int_equal(mkdir(path, 0755), 0);
		else
			put(dir, name, strcmp(name, "state") ? "\n" : "offline\n");
	}
}

/*
 * memory@id a directory under @shm (tmpfs: readdir lists in creation
 * order, or its reverse) listed in the order @names: false where the
 * filesystem's order cannot be made so
 */
static bool block_listed_as(struct fixture *f, const char *shm, int id, const char *const *names,
			    int n)
{
	char dir[256], cmd[300], link[256];

	snprintf(dir, sizeof(dir), "%s/memory%d", shm, id);
	for (int step = -1; step <= 1; step += 2) {
		make_entries(dir, names, n, step);
		if (listed_in_order(dir, names, n))
			break;
		snprintf(cmd, sizeof(cmd), "rm -r '%s'", dir);
		assert_int_equal(system(cmd), 0);
		if (step > 0)
			return false;
	}
	snprintf(link, sizeof(link), "%s/sys/devices/system/memory/memory%d", f->root, id);
	assert_int_equal(symlink(dir, link), 0);
	return true;
}

/*
 * "No firmware_node" is told by a block's listing only where the listing
 * is in kernfs order (an entry past firmware_node's place): known to be
 * so on the kernel's sysfs, never on a plain-file tree, and elsewhere (a
 * FUSE sysroot) only once a whole listing of 8 entries or more came
 * sorted by kernfs_name_hash().  It was trusted from block_size_bytes'
 * st_size of 4096 alone (linkreview F9): a listing in another order
 * (valid_zones, node1, then firmware_node) said "none" of a linked block, and
 * an online block met by a coldplug kept that for good.
 */
static void test_listing_order_verified(void **state)
{
	static const char *const unsorted[] = { "valid_zones", "node1", "firmware_node", "state" };
	/* 6.18's memoryN/ in kernfs order (tests/fixtures/reference), linked, and not */
	static const char *const linked[] = { "uevent",	 "firmware_node", "node0",	"power",
					      "online",	 "phys_device",	  "phys_index", "valid_zones",
					      "subsystem", "state",	  "removable" };
	static const char *const unlinked[] = { "uevent",     "node0",	    "power",
						"online",     "phys_device", "phys_index",
						"valid_zones", "subsystem",  "state",
						"removable" };
	struct fixture *f = *state;
	char shm[] = "/dev/shm/hotmemd-order.XXXXXX", cmd[64];
	int listed;

	/* HOTMEM_TEST_NO_SHM: as if there were none (tests/daemon/06-unit-skip-reason.t) */
	if (getenv("HOTMEM_TEST_NO_SHM") || !mkdtemp(shm))
		skip_why("no /dev/shm");
	if (!block_listed_as(f, shm, 49, unsorted, 4)) {
		snprintf(cmd, sizeof(cmd), "rm -r '%s'", shm);
		assert_int_equal(system(cmd), 0);
		skip_why("/dev/shm lists in neither creation order");
	}
	/* as a FUSE sysroot, its order not known yet */
	f->d.trunc_writes = false;
	f->d.listing_order = HMD_ORDER_UNKNOWN;
	assert_int_equal(hmd_block_read_node(&f->d, 49, &listed, NULL), 1);
	assert_int_equal(listed, 1);
	assert_int_equal(f->d.listing_order, HMD_ORDER_OTHER);
	/* one that lists in kernfs order: trusted after a whole listing */
	f->d.listing_order = HMD_ORDER_UNKNOWN;
	assert_true(block_listed_as(f, shm, 50, linked, 11));
	assert_true(block_listed_as(f, shm, 51, unlinked, 10));
	assert_int_equal(hmd_block_read_node(&f->d, 50, &listed, NULL), 0);
	assert_int_equal(listed, 1);
	assert_int_equal(f->d.listing_order, HMD_ORDER_KERNFS);
	assert_int_equal(hmd_block_read_node(&f->d, 51, &listed, NULL), 0);
	assert_int_equal(listed, 0); /* node0 is past firmware_node's place */
	/* a plain-file tree (the fixture) never */
	assert_int_equal(hmd_sysfs_reopen(&f->d), 0);
	assert_int_equal(f->d.listing_order, HMD_ORDER_OTHER);
	snprintf(cmd, sizeof(cmd), "rm -r '%s'", shm);
	assert_int_equal(system(cmd), 0);
}

/* memory@id/@name in the fixture's sysroot, in @path */
static const char *path_of(struct fixture *f, int id, const char *name, char path[256])
{
	snprintf(path, 256, "%s/sys/devices/system/memory/memory%d/%s", f->root, id, name);
	return path;
}

/*
 * memory@id on node @node ADDed before its memoryN/nodeK link: it waits,
 * nothing written; @link: the link made then, before the settle
 */
static void add_before_node_link(struct fixture *f, int id, int node, bool link)
{
	char path[256], name[16];

	snprintf(name, sizeof(name), "node%d", node);
	mk_block(f->root, id, "offline\n", node);
	assert_int_equal(rmdir(path_of(f, id, name, path)), 0);
	hmd_block_event(&f->d, "add", id);
	assert_int_equal(f->d.n_link_wait, 1);
	/* counted apart: node_waiter_below() walks only while one waits for a node link */
	assert_int_equal(f->d.n_node_wait, 1);
	assert_int_equal(f->m.writes[id], 0);
	if (link)
		assert_int_equal(mkdir(path, 0755), 0);
}

/*
 * 6.12 add_memory_resource() links memoryN/nodeK after every block's ADD
 * (register_memory_blocks_under_node()): a node-1 block ADDed before its
 * link waits for the settle and is decided with node 1's policy there, not
 * node 0's; a virtio-mem block (decided at its ADD otherwise) too, and one
 * still without a link at the 0.5 s cap is decided as node 0's, said at
 * notice.
 */
static void test_no_node_link_decided_at_settle(void **state)
{
	struct fixture *f = *state;

	f->d.cfg.log_level = LOG_NOTICE;
	f->d.journal = true;
	f->d.journal_send = capture_journal;
	f->d.cfg.node_policy[1] = HMD_POL_OFFLINE;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	/* linked after the ADD, before the settle: node 1's policy, left offline */
	add_before_node_link(f, 48, 1, true);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->d.blk[48].nid, 1);
	assert_int_equal(f->m.writes[48], 0);
	assert_states(f, 48, 48, "offline");
	assert_null(strstr(f->m.journal, "no node link"));
	/* never linked: node 0's, decided at the cap and said */
	add_before_node_link(f, 49, 1, false);
	while (f->d.n_link_wait)
		assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->m.writes[49], 1);
	assert_non_null(strstr(f->m.journal, "memory49: no node link 0.5 s after the last block began waiting"));
	assert_sums_recount(&f->d);
}

/*
 * A block waiting for its node link that is gone by the settle (its
 * directory removed, its REMOVE not seen yet) is not "decided as node0's"
 * at notice (linkreview F7): it is said gone, nothing written.
 */
static void test_gone_node_waiter_not_noticed(void **state)
{
	struct fixture *f = *state;
	char cmd[HMD_PATH_MAX + 64];

	f->d.cfg.log_level = LOG_NOTICE;
	f->d.journal = true;
	f->d.journal_send = capture_journal;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	add_before_node_link(f, 49, 1, false);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sys/devices/system/memory/memory49'", f->root);
	assert_int_equal(system(cmd), 0);
	run_until_settled(f);
	assert_int_equal(f->m.writes[49], 0);
	assert_null(strstr(f->m.journal, "no node link"));
	assert_non_null(strstr(f->m.journal, "memory49: went away"));
	assert_sums_recount(&f->d);
}

/*
 * A settle walks the waiting blocks alone, not every block (linkreview
 * F5: 131072 blocks on a 16 TiB machine, up to 6 walks a settle while one
 * probe block waits), nor the span from the lowest to the highest waiter:
 * a probe block far below a DIMM's waiters made every settle walk the gap
 * (reread18-daemon 3).  Counted: the waiters a walk visited
 * (link_wait_walked), not a time.
 */
static void test_link_wait_span(void **state)
{
	struct fixture *f = *state;
	unsigned long walked;
	char path[256];
	int i;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	add_before_node_link(f, 20, 1, false);
	/* a DIMM's blocks far above it, ADDed before their node links too */
	for (i = 60; i < 64; i++) {
		mk_block(f->root, i, "offline\n", 1);
		assert_int_equal(rmdir(path_of(f, i, "node1", path)), 0);
		hmd_block_event(&f->d, "add", i);
	}
	assert_int_equal(f->d.n_link_wait, 5);
	cap_far(f);
	/* a settle that holds them: one walk of the 5 waiters, not of memory20-63 (44) */
	walked = f->d.link_wait_walked;
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->d.n_link_wait, 5);
	assert_int_equal(f->d.link_wait_walked - walked, 5);
	/* all linked: decided at the settle, in block order */
	assert_int_equal(mkdir(path_of(f, 20, "node1", path), 0755), 0);
	for (i = 60; i < 64; i++)
		assert_int_equal(mkdir(path_of(f, i, "node1", path), 0755), 0);
	run_until_settled(f);
	for (i = 60; i < 64; i++) {
		assert_int_equal(f->d.blk[i].nid, 1);
		assert_int_equal(f->m.writes[i], 1);
	}
	assert_int_equal(f->m.writes[20], 1);
	assert_int_equal(f->m.order[f->m.norder - 5], 20);
	/* none waits: a walk visits nothing */
	walked = f->d.link_wait_walked;
	assert_int_equal(hmd_next_waiter(&f->d, 0, f->d.nblk), f->d.nblk);
	assert_int_equal(f->d.link_wait_walked, walked);
	assert_sums_recount(&f->d);
}

/*
 * A coldplug whose listing of memory/ fails (here ENOTDIR; the sysroot
 * going, EMFILE) leaves the blocks it did not reach absent: a block that
 * was waiting for its link waits no longer -- counted on, decided by no
 * one, its ONLINE or REMOVE finding no block to clear it (linkreview F10).
 */
static void test_failed_scan_clears_waiters(void **state)
{
	struct fixture *f = *state;
	char path[256];
	int memdir = f->d.memdir_fd;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	add_before_node_link(f, 49, 1, false);
	cap_far(f);
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", f->root);
	f->d.memdir_fd = open(path, O_PATH | O_CLOEXEC); /* not a directory */
	assert_true(f->d.memdir_fd >= 0);
	assert_int_equal(hmd_coldplug(&f->d, true), -ENOTDIR);
	close(f->d.memdir_fd);
	f->d.memdir_fd = memdir;
	assert_false(f->d.blk[49].present);
	assert_int_equal(f->d.blk[49].link_wait, 0);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[49], 0);
	/* the next coldplug finds it and waits for its link anew */
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.n_link_wait, 1);
}

/*
 * An ACPI DIMM hot-added on node 1, as 6.12 does it: each block's ADD
 * before register_memory_blocks_under_node() (its nodeK link) and before
 * acpi_bind_memory_blocks() (its firmware_node).  Each waits for both,
 * counted once; the node hold keeps the firmware decision back; the node
 * links read, the blocks wait on for their firmware_node (the device not
 * bound); a REMOVE of a block waiting for both counts down once; bound, the
 * DIMM is decided whole with node 1's policy (linkreview F8).
 */
static void test_block_waits_for_both_links(void **state)
{
	struct fixture *f = *state;
	char path[256];

	f->d.cfg.node_policy[1] = HMD_POL_ONLINE_KERNEL;
	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	for (int i = 16; i < 24; i++) {
		mk_block(f->root, i, "offline\n", 1);
		assert_int_equal(rmdir(path_of(f, i, "node1", path)), 0);
	}
	mk_acpi_slot(f, 1, -1);
	adds(f, 16, 23);
	assert_int_equal(f->d.n_link_wait, 8);
	for (int i = 16; i < 24; i++)
		assert_int_equal(f->d.blk[i].link_wait, HMD_WAIT_FWNODE | HMD_WAIT_NODE);
	cap_far(f);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0); /* no node link yet: held */
	assert_int_equal(f->d.n_link_wait, 8);
	assert_int_equal(f->d.blk[16].link_wait, HMD_WAIT_FWNODE | HMD_WAIT_NODE);
	/* a block waiting for both removed: counted down once */
	rm_block(f, 23);
	hmd_block_event(&f->d, "remove", 23);
	assert_int_equal(f->d.n_link_wait, 7);
	for (int i = 16; i < 23; i++)
		assert_int_equal(mkdir(path_of(f, i, "node1", path), 0755), 0);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0); /* node links, no firmware_node */
	assert_int_equal(f->d.n_link_wait, 7);
	for (int i = 16; i < 23; i++) {
		assert_int_equal(f->d.blk[i].link_wait, HMD_WAIT_FWNODE);
		assert_int_equal(f->d.blk[i].nid, 1);
		assert_false(f->d.blk[i].nid_guessed);
		assert_int_equal(f->m.writes[i], 0);
	}
	mk_dimm_links(f, 16, 22, 1);
	mk_acpi_slot(f, 1, 16);
	run_until_settled(f);
	assert_states(f, 16, 22, "online_kernel");
	assert_int_equal(f->d.sum_kern[1], 7 * f->d.block_pages);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_sums_recount(&f->d);
}

/*
 * A node-1 block decided as node 0's at the link wait's cap, onlined by
 * us: its link made by then, the ONLINE that follows our write reads its
 * node, and its pages count on node 1 -- that ONLINE returned before any
 * read, the pages on node 0 until a second state change (linkreview F4).
 */
static void test_cap_decided_block_reread_at_own_online(void **state)
{
	struct fixture *f = *state;
	char path[256];
	uint64_t now;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	add_before_node_link(f, 49, 1, false);
	assert_true(sd_event_now(f->d.ev, CLOCK_MONOTONIC, &now) >= 0);
	f->d.link_wait_until = now; /* the cap: decided at the next settle */
	run_until_settled(f);
	assert_int_equal(f->m.writes[49], 1);
	assert_true(f->d.blk[49].online);
	assert_true(f->d.blk[49].nid_guessed);
	assert_int_equal(mkdir(path_of(f, 49, "node1", path), 0755), 0);
	hmd_block_event(&f->d, "online", 49);
	assert_int_equal(f->d.blk[49].nid, 1);
	assert_false(f->d.blk[49].nid_guessed);
	assert_int_equal(f->d.sum_mov[1] + f->d.sum_kern[1], f->d.block_pages);
	assert_int_equal(f->d.nr_nodes, 2);
	assert_sums_recount(&f->d);
}

/*
 * The node-link hold (linkreview F11): a node-1 block whose link
 * register_memory_blocks_under_node() has not made by the first settle
 * waits on -- not decided as node 0's there -- and gets node 1's policy
 * once its link comes.  Removing the hold writes memory49 at the first
 * settle (node 0's policy).
 */
static void test_node_link_held_past_settle(void **state)
{
	struct fixture *f = *state;
	char path[256];

	f->d.cfg.node_policy[1] = HMD_POL_OFFLINE;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	add_before_node_link(f, 49, 1, false);
	cap_far(f);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0); /* one settle, no link yet */
	assert_int_equal(f->d.n_link_wait, 1);
	assert_true(f->d.blk[49].link_wait & HMD_WAIT_NODE);
	assert_int_equal(f->m.writes[49], 0);
	assert_int_equal(mkdir(path_of(f, 49, "node1", path), 0755), 0);
	run_until_settled(f);
	assert_int_equal(f->d.blk[49].nid, 1);
	assert_false(f->d.blk[49].nid_guessed);
	assert_int_equal(f->m.writes[49], 0);
	assert_states(f, 49, 49, "offline");
	assert_sums_recount(&f->d);
}

/*
 * A coldplug or rescan that runs during 6.12 add_memory_resource() meets
 * blocks create_memory_block_devices() made before
 * register_memory_blocks_under_node() links them (finalJ J6): such a
 * node-1 block waits for the settle like one ADDed so, and is decided with
 * node 1's policy there, not node 0's at once.
 */
static void test_coldplug_before_node_link(void **state)
{
	struct fixture *f = *state;
	char path[256];

	f->d.cfg.node_policy[1] = HMD_POL_OFFLINE;
	mk_block(f->root, 16, "offline\n", 1);
	assert_int_equal(rmdir(path_of(f, 16, "node1", path)), 0);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.n_link_wait, 1);
	assert_true(f->d.blk[16].link_wait & HMD_WAIT_NODE);
	assert_int_equal(f->m.writes[16], 0);
	assert_states(f, 8, 15, "online_movable");
	assert_int_equal(mkdir(path, 0755), 0);
	run_until_settled(f);
	assert_int_equal(f->d.blk[16].nid, 1);
	assert_false(f->d.blk[16].nid_guessed);
	assert_int_equal(f->m.writes[16], 0);
	assert_states(f, 16, 16, "offline");
	assert_sums_recount(&f->d);
}

/*
 * A block still without its node link at the 0.5 s cap is decided as node
 * 0's, but the kernel puts it in its real node's zones
 * (default_kernel_zone_for_pfn(mem->nid, ...)): its valid_zones is read,
 * not judged on node 0's low-zone spans (finalJ J4).  Here node 1's DMA32
 * meets memory49, node 0's does not.
 */
static void test_unlinked_block_zones_read(void **state)
{
	struct fixture *f = *state;

	put(f->root, "proc/zoneinfo",
	    "Node 0, zone    DMA32\n  pages free     1000\n        spanned  4096\n"
	    "        present  4096\n        managed  4000\n  start_pfn:           1\n"
	    "Node 0, zone   Normal\n  pages free     9\n        spanned  524288\n"
	    "        present  524288\n        managed  524288\n  start_pfn:           4097\n"
	    "Node 1, zone    DMA32\n  pages free     9\n        spanned  65536\n"
	    "        present  32768\n        managed  32768\n  start_pfn:           1572864\n");
	f->d.cfg.policy = HMD_POL_ONLINE_KERNEL;
	/* as on a kernel's sysfs: a plain-file sysroot always reads valid_zones */
	f->d.trunc_writes = false;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_true(f->d.low_known);
	assert_states(f, 8, 15, "online_kernel");
	add_before_node_link(f, 49, 1, false);
	put(f->root, "sys/devices/system/memory/memory49/valid_zones", "DMA32 Movable\n");
	run_until_settled(f);
	assert_true(f->d.blk[49].nid_guessed);
	assert_int_equal(f->m.writes[49], 1);
	assert_int_equal(f->d.blk[49].zone, HMD_ZONE_DMA32);
	assert_sums_recount(&f->d);
}

/*
 * A SIGHUP rescan (hmd_coldplug(, false)) during a hot-add meets a node-1
 * block before its memoryN/nodeK link: a reload decides nothing and waits
 * for no link, so its node is node 0's guess.  Onlined by someone else
 * once its link came, its pages count on node 1, where the kernel put
 * them, not on node 0 (finalJ).
 */
static void test_reload_unlinked_block_counted_on_its_node(void **state)
{
	struct fixture *f = *state;
	unsigned long mov0;
	char path[256];

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 16, "offline\n", 1);
	assert_int_equal(rmdir(path_of(f, 16, "node1", path)), 0);
	assert_int_equal(hmd_coldplug(&f->d, false), 0);
	assert_true(f->d.blk[16].nid_guessed);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[16], 0);
	mov0 = f->d.sum_mov[0];
	/* the link comes; a udev rule onlines it to Movable */
	assert_int_equal(mkdir(path, 0755), 0);
	replace_state(f->root, 16, "online\n");
	put(f->root, "sys/devices/system/memory/memory16/valid_zones", "Movable\n");
	hmd_block_event(&f->d, "online", 16);
	assert_int_equal(f->d.blk[16].nid, 1);
	assert_false(f->d.blk[16].nid_guessed);
	assert_int_equal(f->d.sum_mov[1], f->d.block_pages);
	assert_int_equal(f->d.sum_mov[0], mov0);
	assert_int_equal(f->d.nr_nodes, 2);
	assert_sums_recount(&f->d);
}

/* memory@id gone from the sysroot (its REMOVE lost) */
static void rm_block(struct fixture *f, int id)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -r '%s/sys/devices/system/memory/memory%d'", f->root, id);
	assert_int_equal(system(cmd), 0);
}

/*
 * A virtio-mem device's block never gets a firmware_node
 * (add_memory_driver_managed(), no ACPI companion): decided at its ADD,
 * in its dynamic group, while a DIMM's device is still unbound.
 */
static void test_virtio_mem_block_not_delayed(void **state)
{
	struct fixture *f = *state;

	put_iomem(f, false);
	for (int i = 40; i < 48; i++)
		rm_block(f, i);
	mk_acpi_slot(f, 1, -1);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.n_link_wait, 0);
	mk_block(f->root, 40, "offline\n", 0);
	hmd_block_event(&f->d, "add", 40);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[40], 1);
	/* one ADDed before its node link waits for it (register_memory_blocks_under_node()) */
	add_before_node_link(f, 41, 0, true);
	run_until_settled(f);
	assert_int_equal(f->m.writes[41], 1);
	assert_sums_recount(&f->d);
}

/*
 * A block a rescan found gone, ADDed again: what was known of it before
 * is stale.  It was counted online (STATUS, the zone sums) with its old
 * state until decided, under memory_groups = firmware until the settle
 * (finalG 5); now offline until its state is read.
 */
static void test_readded_block_not_counted_stale(void **state)
{
	struct fixture *f = *state;
	unsigned long nr;

	/* an empty DIMM slot: a block ADDed without a firmware_node waits for the settle */
	mk_acpi_slot(f, 0, -1);
	put(f->root, "sys/bus/acpi/devices/PNP0C80:00/status", "0\n");
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 50, "online\n", 0);
	hmd_block_event(&f->d, "add", 50);
	run_until_settled(f);
	assert_true(f->d.blk[50].online);
	nr = f->d.nr_online;
	rm_block(f, 50);
	assert_int_equal(hmd_coldplug(&f->d, false), 0);
	assert_int_equal(f->d.nr_online, nr - 1);
	mk_block(f->root, 50, "offline\n", 0);
	hmd_block_event(&f->d, "add", 50);
	assert_int_equal(f->d.n_link_wait, 1);
	assert_false(f->d.blk[50].online);
	assert_int_equal(f->d.nr_online, nr - 1);
	assert_sums_recount(&f->d);
	run_until_settled(f);
	assert_int_equal(f->m.writes[50], 1);
	assert_int_equal(f->d.nr_online, nr);
	assert_sums_recount(&f->d);
}

/*
 * The settle's reason to relist when memory/'s links say nothing: what
 * happened at the last listing, not "does not count its blocks here" on a
 * sysroot whose count does (finalG 7).
 */
static void test_settle_reason_links_unknown(void **state)
{
	struct fixture *f = *state;
	unsigned long links;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_null(hmd_missed(&f->d));
	assert_int_equal(hmd_memdir_links(&f->d, &links), 0);
	hmd_missed_measure(&f->d, 0, links + 1);
	assert_string_equal(hmd_missed(&f->d), "memory/ changed during the last listing");
	hmd_missed_measure(&f->d, -EIO, 0);
	assert_string_equal(hmd_missed(&f->d),
			    "memory/'s link count was unreadable at the last listing");
	/* a missed uevent's own reason comes first, and stays */
	hmd_missed_note(&f->d, "SEQNUM 9 after 7");
	hmd_missed_measure(&f->d, 0, links + 1);
	assert_string_equal(hmd_missed(&f->d), "SEQNUM 9 after 7");
	hmd_missed_clear(&f->d);
	hmd_missed_measure(&f->d, 0, links);
	assert_null(hmd_missed(&f->d));
}

/* the settle timer (re)armed and run: one settle */
static void run_one_settle(struct fixture *f)
{
	assert_true(hmd_uevent_seen(&f->d));
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
}

/*
 * A block's directory comes before its ADD is read (device_add(): the
 * directory, then the uevent; the ADD may wait in hotmemd's queue while
 * the settle's timer is dispatched first): a settle whose only sign is
 * memory/'s link count looks once more at the next settle instead of
 * relisting, and the ADD taken meanwhile makes the count agree (92-*: 1
 * run in 10 at load 15 relisted).  An ADD really lost still disagrees a
 * settle later: relisted then, its block onlined.
 */
static void test_settle_links_look_again(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 16, "offline\n", 0);
	run_one_settle(f);
	assert_false(f->d.blk[16].present); /* not relisted */
	assert_true(f->d.links_doubt);
	/* its ADD, taken before the next settle: the count agrees there */
	hmd_block_event(&f->d, "add", 16);
	hmd_missed_uevent(&f->d);
	run_until_settled(f);
	assert_int_equal(f->m.writes[16], 1);
	assert_null(hmd_missed(&f->d));
	/* memory17's ADD lost: its count still disagrees a settle later */
	mk_block(f->root, 17, "offline\n", 0);
	run_one_settle(f);
	assert_false(f->d.blk[17].present);
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_true(f->d.blk[17].present);
	run_until_settled(f);
	assert_int_equal(f->m.writes[17], 1);
	assert_null(hmd_missed(&f->d));
}

/*
 * Whether a settle looks again is derived from what hmd_missed() found
 * (missed.c): only a count that disagrees does, not a count unreadable
 * (the sysroot's FUSE server gone), which relists at once as before.
 */
static void test_settle_unreadable_links_relist(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_true(f->d.links_known);
	f->d.sysroot_gone = ENOTCONN;
	assert_string_equal(hmd_missed(&f->d), "memory/ unreadable: Transport endpoint is not connected");
	assert_false(hmd_missed_look_again(&f->d));
	assert_false(f->d.links_doubt);
	f->d.sysroot_gone = 0;
	/* a listing measures anew: the count agrees again */
	hmd_missed_clear(&f->d);
	hmd_scan_new(&f->d);
	assert_null(hmd_missed(&f->d));
	/* a count that disagrees looks again once */
	mk_block(f->root, 16, "offline\n", 0);
	assert_non_null(hmd_missed(&f->d));
	assert_true(hmd_missed_look_again(&f->d));
	assert_non_null(hmd_missed(&f->d));
	assert_false(hmd_missed_look_again(&f->d));
}

/*
 * Blocks a listing met half-created are named by their number, the lowest
 * and how many more, not by which readdir's order met first (finalJ):
 * memory61 met before memory60 still names memory60.  A sign of another
 * kind noted first stays the one said; a look clears them.
 */
static void test_half_created_named_by_number(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	hmd_missed_half_created(&f->d, 61);
	assert_string_equal(hmd_missed(&f->d), "memory61 was half-created at the last rescan "
					       "(or half-removed: no state or valid_zones)");
	hmd_missed_half_created(&f->d, 60);
	hmd_missed_half_created(&f->d, 1000);
	assert_string_equal(hmd_missed(&f->d), "memory60 was half-created at the last rescan "
					       "(or half-removed: no state or valid_zones), 2 more above it");
	assert_false(hmd_missed_look_again(&f->d));
	hmd_missed_clear(&f->d);
	hmd_missed_note(&f->d, "SEQNUM 9 after 7");
	hmd_missed_half_created(&f->d, 60);
	assert_string_equal(hmd_missed(&f->d), "SEQNUM 9 after 7");
	hmd_missed_clear(&f->d);
	assert_null(hmd_missed(&f->d));
}

/*
 * The same through the daemon's own path (linkreview F1: block_if_new()
 * called hmd_missed_note(), so the function above was never reached):
 * three blocks met half-created by hmd_scan_new()'s listing, made 61, 60,
 * 62 -- readdir meets 61 or 62 first whatever tmpfs's order (creation or
 * its reverse), never 60 -- are named by the lowest and how many more.
 */
static void test_scan_names_half_created_lowest(void **state)
{
	struct fixture *f = *state;
	static const int ids[] = { 61, 60, 62 };
	char rel[128];

	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	hmd_missed_clear(&f->d);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d", ids[i]);
		mk(f->root, rel);
		snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%d/state", ids[i]);
		put(f->root, rel, "offline\n"); /* no valid_zones yet */
	}
	hmd_scan_new(&f->d);
	assert_string_equal(hmd_missed(&f->d), "memory60 was half-created at the last rescan "
					       "(or half-removed: no state or valid_zones), 2 more above it");
	assert_null(hmd_block_find(&f->d, 60));
	assert_int_equal(f->m.writes[60], 0);
}

/*
 * memoryN/ that cannot be listed (here a file: ENOTDIR; on a FUSE sysroot
 * EMFILE, ENOMEM, EIO) says nothing of its firmware_node: -1, "not known",
 * never a stale 0 ("none": linkreview F2, the caller's variable was left
 * as it was), and hmd_block_node() leaves it to be read.
 */
static void test_unlistable_block_fwnode_unknown(void **state)
{
	struct fixture *f = *state;
	struct hmd_block b = { 0 };
	int listed = 0;

	put(f->root, "sys/devices/system/memory/memory40", "not a directory\n");
	assert_int_equal(hmd_block_read_node(&f->d, 40, &listed, NULL), -ENOTDIR);
	assert_int_equal(listed, -1);
	hmd_block_node(&f->d, 40, &b, true);
	assert_int_equal(b.fwnode, HMD_FWNODE_UNREAD);
	assert_true(b.nid_guessed);
}

/*
 * A kernel without CONFIG_NUMA links no block to a node: every block is
 * nid_guessed for good, and an ONLINE/OFFLINE must not list memoryN/ again
 * for a link that never comes (linkreview F3: one READDIRPLUS a uevent).
 * The listing is seen by what it would learn: a node1 link made after the
 * coldplug (a marker; no such kernel makes one) stays unread.
 */
static void test_no_node_links_no_relisting(void **state)
{
	struct fixture *f = *state;
	char rel[128];

	for (int i = 0; i < 16; i++) {
		snprintf(rel, sizeof(rel), "%s/sys/devices/system/memory/memory%d/node0", f->root, i);
		assert_int_equal(rmdir(rel), 0);
	}
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_false(f->d.node_links);
	assert_true(f->d.blk[3].nid_guessed);
	mk(f->root, "sys/devices/system/memory/memory3/node1");
	put(f->root, "sys/devices/system/memory/memory3/state", "offline\n");
	hmd_block_event(&f->d, "offline", 3);
	assert_false(f->d.blk[3].online);
	assert_true(f->d.blk[3].nid_guessed);
	assert_int_equal(f->d.blk[3].nid, 0);
	assert_false(f->d.node_links);
}

/*
 * Blocks waiting for their link meet a reload (SIGHUP: hmd_coldplug(, false))
 * and a coldplug that decides (hmd_coldplug(, true): the sysroot's return): they
 * wait on, the rescan holds back the DIMM's blocks it finds unlinked itself
 * (their ADDs lost) and drops one that went meanwhile; all are decided with
 * the DIMM when the links come, none early and block by block.
 */
static void test_firmware_wait_across_rescan(void **state)
{
	struct fixture *f = *state;

	dimm_being_added(f, 48);
	adds(f, 16, 31);
	hmd_block_event(&f->d, "add", 48);
	assert_int_equal(f->d.n_link_wait, 17);
	assert_int_equal(hmd_coldplug(&f->d, false), 0);
	assert_int_equal(f->d.n_link_wait, 17);
	rm_block(f, 48);
	/* memory32-47's ADDs lost while the sysroot was away */
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.n_link_wait, 32);
	assert_false(f->d.blk[48].link_wait);
	assert_states(f, 16, 47, "offline");
	mk_dimm_links(f, 16, 47, 1);
	mk_acpi_slot(f, 1, 16);
	run_until_settled(f);
	assert_states(f, 16, 47, "online_kernel");
	assert_int_equal(f->m.writes[48], 0);
	assert_sums_recount(&f->d);
}

/*
 * A block waiting for its link that someone else onlines, then offlines
 * again, is theirs: the settle writes nothing (an admin's offline stands).
 */
static void test_firmware_wait_onlined_elsewhere(void **state)
{
	struct fixture *f = *state;
	char buf[32];

	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 16, "offline\n", 0);
	mk_acpi_slot(f, 1, -1);
	hmd_block_event(&f->d, "add", 16);
	assert_int_equal(f->d.n_link_wait, 1);
	replace_state(f->root, 16, "online\n");
	hmd_block_event(&f->d, "online", 16);
	replace_state(f->root, 16, "offline\n");
	hmd_block_event(&f->d, "offline", 16);
	assert_int_equal(f->d.n_link_wait, 0);
	/* the settle the ADD armed */
	assert_true(sd_event_run(f->d.ev, UINT64_MAX) > 0);
	assert_int_equal(f->m.writes[16], 0);
	assert_string_equal(read_state(f, 16, buf, sizeof(buf)), "offline");
	assert_sums_recount(&f->d);
}

/*
 * Without a settle timer (here: the loop has finished, so sd-event refuses
 * new timers with ESTALE; ENOMEM alike) nothing would decide a waiting
 * block: it is decided at its ADD instead.
 */
static void test_firmware_wait_needs_timer(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sd_event_exit(f->d.ev, 0), 0);
	assert_int_equal(sd_event_loop(f->d.ev), 0);
	mk_dimm_links(f, 8, 15, 0);
	mk_acpi_slot(f, 0, 8);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	mk_block(f->root, 16, "offline\n", 0);
	mk_acpi_slot(f, 1, -1);
	hmd_block_event(&f->d, "add", 16);
	assert_null(f->d.settle_src);
	assert_int_equal(f->d.n_link_wait, 0);
	assert_int_equal(f->m.writes[16], 1);
	assert_states(f, 16, 16, "online_movable");
}

/* memory@id/state cannot be read (ENOENT): a dangling symlink */
static void state_unreadable(struct fixture *f, int id)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory%d/state", f->root, id);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("gone", path), 0);
}

/*
 * A block whose state the coldplug's scan cannot read is not decided on
 * a guess (offline): it is read again, and left alone while it still
 * cannot be -- never a write to a block that may be online.
 */
static void test_coldplug_state_unreadable(void **state)
{
	struct fixture *f = *state;

	state_unreadable(f, 9);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->m.writes[9], 0);
	assert_false(f->d.blk[9].online);
	assert_false(f->d.blk[9].failed);
	assert_states(f, 8, 8, "online_movable");
	assert_states(f, 10, 15, "online_movable");
	assert_int_equal(f->d.n_onlined, 7);
	assert_sums_recount(&f->d);
}

/*
 * The same block onlined between the scan and its decision (the kernel's
 * auto_online_blocks, an admin): read again, it is found online and left
 * alone -- a decision on the scan's guess would write to it.
 */
static void test_coldplug_state_onlined_meanwhile(void **state)
{
	struct fixture *f = *state;

	state_unreadable(f, 9);
	/* decided in block order: memory8's write comes between the scan and memory9 */
	f->m.then_after = 8;
	f->m.then_block = 9;
	f->m.then_state = "online\n";
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_null(f->m.then_state);
	assert_int_equal(f->m.writes[9], 0);
	assert_true(f->d.blk[9].online);
	assert_int_equal(f->d.nr_failed_now, 0);
	assert_int_equal(f->d.n_onlined, 7);
	assert_sums_recount(&f->d);
}

/*
 * A plain-file sysroot's state file is its content (st_size is not
 * sysfs's 4096): a shorter write truncates it, as echo does; sysfs-like
 * files are opened without O_TRUNC (10-hotmemd.t counts no GETXATTR).
 */
static void test_plain_sysroot_write_truncates(void **state)
{
	struct fixture *f = *state;
	char path[256], buf[64] = "";
	FILE *fp;
	size_t n;

	assert_true(f->d.trunc_writes);
	assert_int_equal(hmd_write_state_sysfs(&f->d, 8, "online_movable\n"), 0);
	assert_int_equal(hmd_write_state_sysfs(&f->d, 8, "offline\n"), 0);
	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory8/state", f->root);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	assert_string_equal(buf, "offline\n");
}

static void capture_journal(struct hmd *d, const struct iovec *iov, int n)
{
	struct mock *m = d->test_data;
	size_t len = strlen(m->journal);
	int i;

	for (i = 0; i < n; i++)
		len += snprintf(m->journal + len, sizeof(m->journal) - len, "%.*s\n",
				(int)iov[i].iov_len, (const char *)iov[i].iov_base);
	snprintf(m->journal + len, sizeof(m->journal) - len, "--\n");
}

/*
 * The journal's MESSAGE names the block, the errno (#13.5) and what retries a
 * given-up block (usereye3 #21); the fields stay.
 */
static void test_journal_message_block_errno(void **state)
{
	struct fixture *f = *state;

	f->d.cfg.retry_max = 1;
	f->d.cfg.log_level = LOG_NOTICE; /* the retry too */
	f->d.journal = true;
	f->d.journal_send = capture_journal;
	script(f, 10, 1, EBUSY);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	run_until_idle(f);
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory10: write busy, retry 1/1 in 1 ms "
					     "[errno=EBUSY(16)]\n"));
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory10: gave up onlining: retries exhausted: Device or "
			       "resource busy; left offline until `systemctl restart hotmemd` (a start "
			       "tries every offline block again but those someone else offlined "
			       "this boot) or a write of memory10/state "
			       "[policy=auto-movable errno=EBUSY(16)]\n"));
	assert_non_null(strstr(f->m.journal, "MESSAGE_ID=" HMD_MSGID_GAVE_UP "\n"));
	assert_non_null(strstr(f->m.journal, "HOTMEM_BLOCK=memory10\nHOTMEM_POLICY=auto-movable\n"
					     "ERRNO=16\n"));
	/* where the entry was logged from: the caller, never the logging helper */
	assert_non_null(strstr(f->m.journal, "CODE_FILE=daemon/retry.c\nCODE_LINE="));
	assert_non_null(strstr(f->m.journal, "CODE_FUNC=hmd_retry_"));
	assert_null(strstr(f->m.journal, "CODE_FILE=daemon/log.c"));
}

/*
 * A give-up whose errno is the one notifier-error-inject's MEM_GOING_ONLINE
 * file holds says so, with the file; another errno, or no file, nothing
 * more (the kernel said only the errno).
 */
static void test_give_up_names_injected_error(void **state)
{
	struct fixture *f = *state;
	const char *dir = "sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE";
	char want[HMD_PATH_MAX + 256], sub[128];

	f->d.journal = true;
	f->d.journal_send = capture_journal;
	mk(f->root, "sys/kernel");
	mk(f->root, "sys/kernel/debug");
	mk(f->root, "sys/kernel/debug/notifier-error-inject");
	mk(f->root, "sys/kernel/debug/notifier-error-inject/memory");
	mk(f->root, "sys/kernel/debug/notifier-error-inject/memory/actions");
	mk(f->root, dir);
	snprintf(sub, sizeof(sub), "%s/error", dir);
	put(f->root, sub, "-12\n");
	script(f, 14, 1, ENOMEM);
	script(f, 15, 1, EIO);
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.nr_failed_now, 2);
	snprintf(want, sizeof(want),
		 "MESSAGE=memory14: gave up onlining: online_movable: Cannot allocate memory; "
		 "%s/%s holds -12, this error: an injected failure (notifier-error-inject), every "
		 "online fails until 0 is written there; left offline until",
		 f->root, sub);
	assert_non_null(strstr(f->m.journal, want));
	/* EIO is not the injected -12: the errno alone */
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory15: gave up onlining: online_movable: "
					     "Input/output error; left offline until"));
}

/*
 * EPERM from the write() of "online" is a memory notifier's NOTIFY_BAD
 * (6.12 online_pages(): notifier_to_errno() makes it -EPERM), said as
 * such, not as "Operation not permitted" alone, a permission problem to
 * the reader; from the open() it is one, and said so (reread36 R11).
 */
static void test_give_up_eperm_write_is_notifier(void **state)
{
	struct fixture *f = *state;

	f->d.journal = true;
	f->d.journal_send = capture_journal;
	script(f, 14, 1, EPERM);
	script(f, 15, 1, EPERM);
	f->m.open_refused[15] = true;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->d.nr_failed_now, 2);
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory14: gave up onlining: online_movable: Operation not "
			       "permitted (from the write itself: a memory notifier refused "
			       "MEM_GOING_ONLINE, NOTIFY_BAD without an errno, not a permission "
			       "problem; its driver may say why in the kernel's log, dmesg); left "
			       "offline until"));
	assert_non_null(strstr(f->m.journal,
			       "MESSAGE=memory15: gave up onlining: online_movable: Operation not "
			       "permitted (refused at the open of memory15/state: hotmemd may not "
			       "write it -- its user, capabilities, a read-only /sys); left offline "
			       "until"));
	assert_null(strstr(strstr(f->m.journal, "MESSAGE=memory15: gave up"), "notifier"));
}

/* hmd_write_state_sysfs() says which call failed: the open(), or the write() */
static void test_write_refused_open_said(void **state)
{
	struct fixture *f = *state;
	char path[HMD_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory14/state", f->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(hmd_write_state_sysfs(&f->d, 14, "online\n"), -EISDIR);
	assert_true(f->d.write_refused_open);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(symlink("/dev/full", path), 0);
	assert_int_equal(hmd_write_state_sysfs(&f->d, 14, "online\n"), -ENOSPC);
	assert_false(f->d.write_refused_open);
	assert_int_equal(unlink(path), 0);
	put(f->root, "sys/devices/system/memory/memory14/state", "offline\n");
}

/*
 * /proc/zoneinfo's "spanned" and "start_pfn:" lines (6.12
 * zoneinfo_show_print(), spanned first): where ZONE_DMA and ZONE_DMA32
 * reach on each node, what lets a decision know an offline block's kernel
 * zone without reading its valid_zones (online.c zones_offered()).  A low
 * zone spanning pages without its start_pfn leaves them unknown.
 */
static void test_zoneinfo_low_zones(void **state)
{
	static const char two_nodes[] =
		"Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0\n"
		"  pages free     3840\n        spanned  4095\n        present  3998\n"
		"        managed  3840\n        cma      0\n  start_pfn:           1\n"
		"Node 0, zone    DMA32\n  pages free     1000\n        spanned  258048\n"
		"        present  258048\n        managed  250000\n  start_pfn:           4096\n"
		"Node 0, zone   Normal\n  pages free     0\n        spanned  0\n"
		"        present  0\n        managed  0\n"
		"Node 1, zone      DMA\n  pages free     0\n        spanned  0\n"
		"        present  0\n        managed  0\n"
		"Node 1, zone   Normal\n  pages free     9\n        spanned  262144\n"
		"        present  262144\n        managed  262144\n  start_pfn:           1048576\n";
	static const char no_start[] = "Node 0, zone    DMA32\n        spanned  4096\n"
				       "        present  4096\n";
	struct hmd_zoneinfo zi;
	FILE *f;

	(void)state;
	f = fmemopen((void *)two_nodes, sizeof(two_nodes) - 1, "r");
	assert_non_null(f);
	assert_int_equal(hmd_parse_zoneinfo(f, &zi), 0);
	fclose(f);
	assert_true(zi.low_known);
	assert_int_equal(zi.nr_nodes, 2);
	/* DMA and DMA32 together; Normal is no low zone */
	assert_int_equal(zi.low_lo[0], 1);
	assert_int_equal(zi.low_hi[0], 262144);
	assert_int_equal(zi.low_lo[1], zi.low_hi[1]);
	assert_int_equal(zi.kernel_present[0], 3998 + 258048);
	assert_int_equal(zi.kernel_present[1], 262144);

	f = fmemopen((void *)no_start, sizeof(no_start) - 1, "r");
	assert_non_null(f);
	assert_int_equal(hmd_parse_zoneinfo(f, &zi), 0);
	fclose(f);
	assert_false(zi.low_known);
}

/*
 * online.c zones_offered(): what 6.12 valid_zones_show() offers an offline
 * block, zone_for_pfn_range() of MMOP_ONLINE_KERNEL and MMOP_ONLINE_MOVABLE
 * (drivers/base/memory.c, mm/memory_hotplug.c): ZONE_MOVABLE always, and
 * default_kernel_zone_for_pfn(), Normal unless ZONE_DMA or ZONE_DMA32 of
 * the block's own node meets it.  Where /proc/zoneinfo says so, a decision
 * reads no valid_zones; elsewhere it must.  Whether it did: the file's
 * atime, set older than its mtime, moves at a read (relatime; strictatime
 * the same) -- on a filesystem that keeps no atime the tests skip.
 */
static const char zone_fmt[] = "Node %d, zone %8s\n  pages free     0\n        spanned  %lu\n"
			       "        present  %lu\n        managed  %lu\n  start_pfn:           %lu\n";

/* a zone of node @nid, [@start, @start + @spanned) */
static void zone_add(char *buf, size_t len, int nid, const char *name, unsigned long start,
		     unsigned long spanned)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, zone_fmt, nid, name, spanned, spanned, spanned, start);
}

/* valid_zones of block @id made to look unread */
static void zones_unread(struct fixture *f, int id)
{
	const struct timespec ts[2] = { { .tv_sec = 1 }, { .tv_nsec = UTIME_OMIT } };
	char path[256];

	assert_int_equal(utimensat(AT_FDCWD, path_of(f, id, "valid_zones", path), ts, 0), 0);
}

static bool zones_were_read(struct fixture *f, int id)
{
	struct stat st;
	char path[256];

	assert_int_equal(stat(path_of(f, id, "valid_zones", path), &st), 0);
	return st.st_atime != 1;
}

/* does a read move the atime here?  the tests cannot see a read otherwise */
static bool atime_moves(struct fixture *f)
{
	char path[256], buf[32];
	int fd;

	zones_unread(f, 8);
	fd = open(path_of(f, 8, "valid_zones", path), O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	close(fd);
	return zones_were_read(f, 8);
}

/* memory8 offline again, on node @nid, its valid_zones unread */
static void block8_offline_on(struct fixture *f, int nid)
{
	char cmd[HMD_PATH_MAX + 64], rel[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sys/devices/system/memory/memory8'", f->root);
	assert_int_equal(system(cmd), 0);
	mk_block(f->root, 8, "offline\n", nid);
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory8/valid_zones");
	put(f->root, rel, "Normal Movable\n");
	zones_unread(f, 8);
}

struct zones_case {
	const char *what;
	int nid; /* memory8's node */
	/* the zones: node, name, start pfn, pages spanned; name NULL ends */
	struct {
		int nid;
		const char *name;
		unsigned long start, spanned;
	} z[4];
	bool read; /* the kernel's answer not known from zoneinfo: valid_zones read */
};

/* 128 MiB blocks: memory8 is pfns [262144, 294912) */
static const struct zones_case zones_cases[] = {
	{ "Normal alone", 0, { { 0, "Normal", 262144, 1048576 } }, false },
	{ "DMA and DMA32 end where memory8 begins",
	  0,
	  { { 0, "DMA", 1, 4095 }, { 0, "DMA32", 4096, 258048 }, { 0, "Normal", 262144, 524288 } },
	  false },
	{ "DMA alone below, Normal", 0, { { 0, "DMA", 1, 4095 }, { 0, "Normal", 4096, 524288 } }, false },
	{ "Normal and Movable (movablecore=)",
	  0,
	  { { 0, "Normal", 0, 262144 }, { 0, "Movable", 262144, 262144 } },
	  false },
	{ "Movable alone", 0, { { 0, "Movable", 0, 524288 } }, false },
	{ "node 0's DMA32 spans memory8, a node-1 block",
	  1,
	  { { 0, "DMA32", 4096, 1044480 }, { 1, "Normal", 262144, 262144 } },
	  false },
	{ "DMA32 reaches one page into memory8",
	  0,
	  { { 0, "DMA", 1, 4095 }, { 0, "DMA32", 4096, 258049 }, { 0, "Normal", 262145, 262143 } },
	  true },
	{ "DMA32 spans memory8", 0, { { 0, "DMA32", 4096, 1044480 } }, true },
	{ "DMA starts inside memory8's last page",
	  0,
	  { { 0, "DMA", 294911, 1 }, { 0, "Normal", 0, 262144 } },
	  true },
	{ "node 1's DMA32 meets its block memory8",
	  1,
	  { { 0, "Normal", 0, 262144 }, { 1, "DMA32", 262144, 32768 } },
	  true },
};

/* @c under @policy: memory8 decided by a coldplug; whether its valid_zones was read */
static bool zones_case_reads(struct fixture *f, const struct zones_case *c, int policy)
{
	char zi[2048] = "";

	for (int i = 0; i < 4 && c->z[i].name; i++)
		zone_add(zi, sizeof(zi), c->z[i].nid, c->z[i].name, c->z[i].start, c->z[i].spanned);
	put(f->root, "proc/zoneinfo", zi);
	f->d.cfg.policy = policy;
	block8_offline_on(f, c->nid);
	f->m.writes[8] = 0;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_int_equal(f->m.writes[8], policy != HMD_POL_OFFLINE);
	return zones_were_read(f, 8);
}

static void test_zones_offered_by_zoneinfo(void **state)
{
	static const int policies[] = { HMD_POL_AUTO_MOVABLE, HMD_POL_ONLINE_KERNEL,
					HMD_POL_ONLINE_MOVABLE };
	struct fixture *f = *state;

	if (!atime_moves(f))
		skip_why("a noatime filesystem shows no read");
	/* as on a kernel's sysfs: a plain-file sysroot always reads valid_zones */
	f->d.trunc_writes = false;
	for (size_t i = 0; i < sizeof(zones_cases) / sizeof(zones_cases[0]); i++) {
		const struct zones_case *c = &zones_cases[i];

		for (size_t p = 0; p < sizeof(policies) / sizeof(policies[0]); p++) {
			bool read = zones_case_reads(f, c, policies[p]);

			if (read != c->read)
				fail_msg("%s, policy %s: valid_zones %s", c->what,
					 hmd_policy_name(policies[p]),
					 read ? "read where zoneinfo says it" : "not read");
			assert_true(f->d.low_known);
		}
	}
	assert_sums_recount(&f->d);
}

/*
 * Where the rule must not be taken: policy online writes the kernel's
 * default zone, which its own online policy chooses; a plain-file sysroot's
 * valid_zones holds whatever it was given; a low zone without its start_pfn
 * leaves the spans unknown.  Each reads valid_zones where zoneinfo alone
 * would have offered Normal and Movable.  Policy offline reads nothing.
 */
static void test_zones_offered_not_taken(void **state)
{
	static const struct zones_case normal = { "Normal alone", 0,
						  { { 0, "Normal", 262144, 1048576 } }, false };
	struct fixture *f = *state;

	if (!atime_moves(f))
		skip_why("a noatime filesystem shows no read");
	f->d.trunc_writes = false;
	assert_false(zones_case_reads(f, &normal, HMD_POL_AUTO_MOVABLE));
	/*
	 * policy online: its decision is the kernel's default zone, valid_zones'
	 * first (here its online policy's Movable), which zoneinfo does not
	 * say (the write's read after it would hide a missing one: dry run)
	 */
	f->d.cfg.dry_run = true;
	f->d.cfg.log_level = LOG_INFO;
	f->d.journal = true;
	f->d.journal_send = capture_journal;
	block8_offline_on(f, 0);
	put(f->root, "sys/devices/system/memory/memory8/valid_zones", "Movable Normal\n");
	f->d.cfg.policy = HMD_POL_ONLINE;
	f->m.journal[0] = '\0';
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_non_null(strstr(f->m.journal, "HOTMEM_ZONE=Movable\n"));
	assert_non_null(strstr(f->m.journal, "MESSAGE=memory8: dry run: would write online (policy online"));
	f->d.cfg.dry_run = f->d.journal = false;
	f->d.cfg.log_level = LOG_WARNING;
	assert_false(zones_case_reads(f, &zones_cases[7], HMD_POL_OFFLINE));
	/* spanned with no start_pfn: where it lies is unknown */
	put(f->root, "proc/zoneinfo",
	    "Node 0, zone    DMA32\n        spanned  4096\n        present  4096\n"
	    "Node 0, zone   Normal\n        spanned  1048576\n        present  1048576\n"
	    "  start_pfn:           262144\n");
	block8_offline_on(f, 0);
	f->d.cfg.policy = HMD_POL_ONLINE_MOVABLE;
	assert_int_equal(hmd_coldplug(&f->d, true), 0);
	assert_false(f->d.low_known);
	assert_true(zones_were_read(f, 8));
	/* a plain-file sysroot */
	f->d.trunc_writes = true;
	assert_true(zones_case_reads(f, &normal, HMD_POL_AUTO_MOVABLE));
	assert_sums_recount(&f->d);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		T(test_coldplug_auto_movable),
		T(test_ratio_boundary),
		T(test_coldplug_writes_in_order),
		T(test_ebusy_then_success),
		T(test_ebusy_gives_up_bounded),
		T(test_journal_message_block_errno),
		T(test_retry_cancelled_by_their_online),
		T(test_einval_not_retried),
		T(test_einval_raced_online),
		T(test_other_errno_gives_up),
		T(test_given_up_then_onlined_not_failed),
		T(test_hwpoison_give_up_advice),
		T(test_oneshot_give_up_advice),
		T(test_block_gone_not_a_give_up),
		T(test_kernel_auto_online_respected),
		T(test_offline_event_not_fought),
		T(test_remove_cancels_retry),
		T(test_dry_run_and_offline_write_nothing),
		T(test_node_policy),
		T(test_node_policy_named),
		T(test_boot_blocks_remembered),
		T(test_firmware_group_whole_dimm),
		T(test_dynamic_group_from_iomem),
		T(test_dynamic_group_hidden_iomem),
		T(test_dimm_add_reads_no_iomem),
		T(test_iomem_unread_read_again),
		T(test_vmem_removed_dimm_in_no_group),
		T(test_new_sysroot_drops_vmem_table),
		T(test_firmware_group_add_burst),
		T(test_firmware_link_after_adds),
		T(test_firmware_link_before_last_adds),
		T(test_firmware_link_wait_bounded),
		T(test_firmware_binding_under_way),
		T(test_held_settle_keeps_group),
		T(test_firmware_wait_while_adds_come),
		T(test_no_firmware_link_decided_at_settle),
		T(test_no_acpi_memory_device_decided_at_add),
		T(test_fwnode_range_from_physical_nodes),
		T(test_fwnode_range_mid_binding),
		T(test_fwnode_range_failed_not_retried),
		T(test_listing_order_verified),
		T(test_coldplug_binding_under_way),
		T(test_no_node_link_decided_at_settle),
		T(test_gone_node_waiter_not_noticed),
		T(test_coldplug_before_node_link),
		T(test_unlinked_block_zones_read),
		T(test_reload_unlinked_block_counted_on_its_node),
		T(test_virtio_mem_block_not_delayed),
		T(test_readded_block_not_counted_stale),
		T(test_settle_reason_links_unknown),
		T(test_settle_links_look_again),
		T(test_settle_unreadable_links_relist),
		T(test_half_created_named_by_number),
		T(test_scan_names_half_created_lowest),
		T(test_unlistable_block_fwnode_unknown),
		T(test_no_node_links_no_relisting),
		T(test_node_link_held_past_settle),
		T(test_cap_decided_block_reread_at_own_online),
		T(test_failed_scan_clears_waiters),
		T(test_block_waits_for_both_links),
		T(test_link_wait_span),
		T(test_firmware_wait_across_rescan),
		T(test_firmware_wait_onlined_elsewhere),
		T(test_firmware_wait_needs_timer),
		T(test_coldplug_state_onlined_meanwhile),
		T(test_coldplug_state_unreadable),
		T(test_plain_sysroot_write_truncates),
		T(test_give_up_names_injected_error),
		T(test_give_up_eperm_write_is_notifier),
		T(test_write_refused_open_said),
		T(test_zoneinfo_low_zones),
		T(test_zones_offered_by_zoneinfo),
		T(test_zones_offered_not_taken),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
