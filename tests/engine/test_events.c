// SPDX-License-Identifier: GPL-2.0
/*
 * Who the engine calls for what (engine/events.c): a subscriber that does
 * not want trace steps is not called for them, and while none wants them
 * a probe site reads no subscriber at all (nr_trace_subscribers 0: the
 * untraced step is its USDT semaphore tests alone, abuse28 T5).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

struct seen {
	long traces, others;
};

static void count(const struct hm_event *ev, void *arg)
{
	struct seen *s = arg;

	if (ev->type == HM_EV_TRACE)
		s->traces++;
	else
		s->others++;
}

/* a DIMM's block onlined and offlined: uevents, log lines and trace steps */
static void cycle(struct hotmem *hm)
{
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_ONLINE_MOVABLE), 0);
	assert_int_equal(hotmem_block_set_state(hm, 32, HM_MMOP_OFFLINE), 0);
}

static struct hotmem *machine(void)
{
	struct hotmem *hm = boot("qemu-512m", "memhp_default_state=offline");

	assert_int_equal(hotmem_add_memory(hm, 0, 0x100000000ULL, 128 * MiB, 0, -1), 0);
	return hm;
}

static void test_subscriber_not_wanting_traces_is_not_called_for_them(void **state)
{
	struct hotmem *hm = machine();
	struct seen quiet = { 0 }, all = { 0 };
	int q = hotmem_subscribe(hm, count, &quiet);
	int a = hotmem_subscribe(hm, count, &all);

	assert_true(q >= 0 && a >= 0);
	assert_int_equal(hotmem_subscribe_trace(hm, q, false), 0);
	cycle(hm);
	assert_int_equal(quiet.traces, 0);
	assert_true(quiet.others > 0);
	/* the one that wants them (the default) still gets every step */
	assert_true(all.traces > 0);
	assert_int_equal(quiet.others, all.others);
	hotmem_unsubscribe(hm, a);
	hotmem_unsubscribe(hm, q);
	hotmem_destroy(hm);
}

static void test_subscriber_asking_for_traces_again_gets_them(void **state)
{
	struct hotmem *hm = machine();
	struct seen s = { 0 };
	long once;
	int slot = hotmem_subscribe(hm, count, &s);

	assert_int_equal(hotmem_subscribe_trace(hm, slot, false), 0);
	assert_int_equal(hotmem_subscribe_trace(hm, slot, true), 0);
	cycle(hm);
	once = s.traces;
	assert_true(once > 0);
	/* the same steps again, the same number of them */
	cycle(hm);
	assert_int_equal(s.traces, 2 * once);
	hotmem_unsubscribe(hm, slot);
	hotmem_destroy(hm);
}

static void test_no_trace_subscriber_left_no_probe_reads_one(void **state)
{
	struct hotmem *hm = machine();
	struct seen s = { 0 };
	int a = hotmem_subscribe(hm, count, &s), b = hotmem_subscribe(hm, count, &s);

	assert_int_equal(atomic_load(&hm->nr_trace_subscribers), 2);
	/* said twice, counted once */
	assert_int_equal(hotmem_subscribe_trace(hm, a, false), 0);
	assert_int_equal(hotmem_subscribe_trace(hm, a, false), 0);
	assert_int_equal(atomic_load(&hm->nr_trace_subscribers), 1);
	hotmem_unsubscribe(hm, b);
	assert_int_equal(atomic_load(&hm->nr_trace_subscribers), 0);
	/* one not wanting them unsubscribes: nothing to take back */
	hotmem_unsubscribe(hm, a);
	assert_int_equal(atomic_load(&hm->nr_trace_subscribers), 0);
	/* a slot no one holds */
	assert_int_equal(hotmem_subscribe_trace(hm, a, true), -EINVAL);
	assert_int_equal(hotmem_subscribe_trace(hm, -1, true), -EINVAL);
	assert_int_equal(atomic_load(&hm->nr_trace_subscribers), 0);
	hotmem_destroy(hm);
}

/* @log is whole "<N>text\n" lines: it starts one, ends one */
static void assert_whole_lines(const char *log)
{
	size_t n = strlen(log);

	assert_true(n > 0);
	assert_true(log[0] == '<' && log[1] >= '0' && log[1] <= '7' && log[2] == '>');
	assert_true(log[n - 1] == '\n');
}

/*
 * A short read of the log gives the newest whole lines, as 6.12's
 * syslog_print_all() gives the records that fit (kernel/printk/printk.c
 * find_first_fitting_seq()): the ring's read and the boot log's copy cut
 * the oldest line mid-line, a reader got "ne: ..." for a line.  And a
 * ring that has wrapped has lost the start of its oldest line: left out.
 */
static void test_short_dmesg_reads_keep_whole_lines(void **state)
{
	static char all[HM_DMESG_SIZE + 1], some[301];
	struct hotmem *hm = machine();
	size_t n, k;

	(void)state;
	n = hotmem_dmesg(hm, all, sizeof(all));
	assert_true(n > sizeof(some));
	k = hotmem_dmesg(hm, some, sizeof(some));
	assert_true(k > 0 && k < sizeof(some) - 1);
	assert_whole_lines(some);
	/* the newest lines: the log's end, from a line's start */
	assert_string_equal(all + n - k, some);
	assert_true(all[n - k - 1] == '\n');
	/* the boot's copy alike */
	n = hotmem_boot_dmesg(hm, all, sizeof(all));
	k = hotmem_boot_dmesg(hm, some, sizeof(some));
	assert_true(k > 0 && k < n);
	assert_whole_lines(some);
	assert_string_equal(all + n - k, some);
	/* no line fits: nothing rather than a part */
	assert_int_equal(hotmem_dmesg(hm, some, 3), 0);
	assert_string_equal(some, "");
	assert_int_equal(hotmem_dmesg(hm, some, 0), 0);
	/* wrapped: lines of 100 bytes until the ring went round, mid-line */
	for (int i = 0; i < HM_DMESG_SIZE / 100 + 7; i++)
		hm_log(hm, 6, "%0*d", 100 - 4, i);
	assert_true(hm->dmesg_head > HM_DMESG_SIZE);
	n = hotmem_dmesg(hm, all, sizeof(all));
	assert_true(n > HM_DMESG_SIZE - 100 && n < HM_DMESG_SIZE);
	assert_whole_lines(all);
	assert_int_equal(n % 100, 0);
	hotmem_destroy(hm);
}

/* the log's newest line, without its newline, into @line */
static void last_line(struct hotmem *hm, char *line, size_t len)
{
	static char all[HM_DMESG_SIZE + 1];
	size_t n = hotmem_dmesg(hm, all, sizeof(all));
	const char *l;

	assert_true(n > 0 && all[n - 1] == '\n');
	all[n - 1] = '\0';
	l = strrchr(all, '\n');
	l = l ? l + 1 : all;
	assert_true(strlen(l) < len);
	memcpy(line, l, strlen(l) + 1);
}

/*
 * A record holds 1023 bytes (6.12 vprintk_store(): PRINTKRB_RECORD_MAX
 * with its NUL).  A pr_err()'s level is two of them, stripped after
 * (printk_sprint()): 1021 bytes of text.  A dev_err()'s level is passed
 * apart (__dev_printk() -> dev_printk_emit()): 1023 -- hotmem cut both
 * at 1021.  uevent_store()'s dev_err() of a device with a long name,
 * after kobject_synth_uevent()'s pr_warn() of the same path.
 */
static void test_dev_printk_cut_at_1023_pr_at_1021(void **state)
{
	struct hotmem *hm = machine();
	char name[1100], devpath[1200], line[2048], want[2048];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(devpath, sizeof(devpath), "/devices/virtual/misc/%s", name);
	hotmem_synth_uevent_failed(hm, devpath, HM_SYNTH_UEVENT_SEND, "misc", -EINVAL);
	last_line(hm, line, sizeof(line));
	snprintf(want, sizeof(want), "<3>misc %s: uevent: failed to send synthetic uevent: -22",
		 name);
	assert_int_equal(strlen(line), 3 + 1023);
	want[3 + 1023] = '\0';
	assert_string_equal(line, want);
	/* the pr_warn() before it: 1021 */
	hm_log(hm, 4, "synth uevent: %s: x", devpath);
	last_line(hm, line, sizeof(line));
	assert_int_equal(strlen(line), 3 + 1021);
	/* one that fits is whole: 1023 bytes, 1022, both dev_*() */
	hm_dev_log(hm, 6, "misc %.*s: x", 1023 - 8, name);
	last_line(hm, line, sizeof(line));
	assert_int_equal(strlen(line), 3 + 1023);
	assert_string_equal(line + 3 + 1023 - 3, ": x");
	hm_dev_log(hm, 6, "misc %.*s: x", 1022 - 8, name);
	last_line(hm, line, sizeof(line));
	assert_int_equal(strlen(line), 3 + 1022);
	hotmem_destroy(hm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subscriber_not_wanting_traces_is_not_called_for_them),
		cmocka_unit_test(test_subscriber_asking_for_traces_again_gets_them),
		cmocka_unit_test(test_no_trace_subscriber_left_no_probe_reads_one),
		cmocka_unit_test(test_short_dmesg_reads_keep_whole_lines),
		cmocka_unit_test(test_dev_printk_cut_at_1023_pr_at_1021),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
