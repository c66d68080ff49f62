// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform's judging and printing without a machine: a cell's
 * reasons from its outcome, the built-in agents' expectations and their
 * violations, the table's setting column, and the --json list as
 * `jq -s .` printed it when hotmem-conform was a shell script.
 */
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conform.h"
#include "../cmocka_skip.h"

static char *reasons_of(const char *outcome)
{
	json_object *o = json_tokener_parse(outcome);
	char *r = NULL;

	assert_non_null(o);
	assert_int_equal(conform_reasons(o, &r), 0);
	json_object_put(o);
	return r;
}

static void test_reasons(void **state)
{
	char *r;

	r = reasons_of("{\"new\":8,\"online\":8,\"failed_writes\":0,\"redundant_writes\":0,"
		       "\"agent_chose_zones\":true,\"movable_pct_of_kernel\":200,"
		       "\"auto_movable_ratio\":301,\"offlinable\":8,\"uevents_lost\":0,\"uevents_unsent\":0}");
	assert_string_equal(r, "");
	free(r);
	r = reasons_of("{\"new\":1024,\"online\":257,\"failed_writes\":1,\"redundant_writes\":3,"
		       "\"agent_chose_zones\":true,\"movable_pct_of_kernel\":533,"
		       "\"auto_movable_ratio\":301,\"offlinable\":250,\"uevents_lost\":1023,"
		       "\"uevents_unsent\":2}");
	assert_string_equal(r, "hotmemfs did not send 2 uevents (netlink-errors); "
			       "767 of 1024 blocks left offline: the agent lost 1023 uevents (ENOBUFS); "
			       "3 redundant writes: EINVAL, the block already in that state or the "
			       "zone not one it can take; "
			       "1 failed write; "
			       "Movable is 533% of kernel memory, over auto_movable_ratio 301%; "
			       "7 of 257 onlined blocks cannot be offlined again");
	free(r);
	/* zones are not the agent's doing where the kernel onlined by itself */
	r = reasons_of("{\"new\":0,\"online\":0,\"failed_writes\":0,\"redundant_writes\":0,"
		       "\"agent_chose_zones\":false,\"movable_pct_of_kernel\":533,"
		       "\"auto_movable_ratio\":301,\"offlinable\":0,\"uevents_lost\":0,\"uevents_unsent\":0}");
	assert_string_equal(r, "no new blocks appeared");
	free(r);
	/* one of a kind is said in the singular (usereye4 #2: "1 redundant writes") */
	r = reasons_of("{\"new\":8,\"online\":8,\"failed_writes\":0,\"redundant_writes\":1,"
		       "\"agent_chose_zones\":false,\"offlinable\":8,\"uevents_unsent\":1}");
	assert_string_equal(r, "hotmemfs did not send 1 uevent (netlink-errors); "
			       "1 redundant write: EINVAL race with the kernel's auto-online");
	free(r);
	/* under memhp_default_state=online* an EINVAL is the race with the kernel's auto-online */
	r = reasons_of("{\"new\":8,\"online\":8,\"failed_writes\":0,\"redundant_writes\":8,"
		       "\"agent_chose_zones\":false,\"offlinable\":7,\"uevents_lost\":0}");
	assert_string_equal(r, "8 redundant writes: EINVAL race with the kernel's auto-online");
	free(r);
	/* an unparsable value's EINVAL: failed writes, said so, never the race */
	r = reasons_of("{\"new\":8,\"online\":8,\"failed_writes\":8,\"redundant_writes\":0,"
		       "\"unparsed_writes\":8,\"agent_chose_zones\":false,\"offlinable\":7,"
		       "\"uevents_lost\":0}");
	assert_string_equal(r, "8 failed writes (8 EINVAL: a value the kernel's store cannot parse)");
	free(r);
	/* under online_policy=auto-movable a plain online's zone is the kernel's (usereye3 #3) */
	r = reasons_of("{\"new\":8,\"online\":8,\"failed_writes\":0,\"redundant_writes\":0,"
		       "\"agent_chose_zones\":true,\"movable_pct_of_kernel\":140,"
		       "\"auto_movable_ratio\":301,\"offlinable\":7,\"uevents_lost\":0,"
		       "\"online_policy\":\"auto-movable\"}");
	assert_string_equal(r, "1 of 8 onlined blocks cannot be offlined again (online_policy=auto-movable: "
			       "a plain online's zone is the kernel's choice)");
	free(r);
}

/*
 * Blocks left offline say how long the cell waited for them, and why it
 * stopped (abuse25a B4: "left offline" read as "never onlined", where
 * the cell had given up 5 s after the plug)
 */
static void test_reasons_say_the_wait(void **state)
{
	char *r;

	r = reasons_of("{\"new\":8,\"online\":0,\"agent_chose_zones\":true,\"offlinable\":0,"
		       "\"waited_ms\":30480,\"wait_ended\":\"timed_out\",\"wait_s\":30}");
	assert_string_equal(r, "8 of 8 blocks left offline (waited 30.4 s after the plug: "
			       "HOTMEM_CONFORM_WAIT=30)");
	free(r);
	r = reasons_of("{\"new\":8,\"online\":4,\"agent_chose_zones\":true,\"offlinable\":4,"
		       "\"waited_ms\":7250,\"wait_ended\":\"stalled\",\"wait_s\":15}");
	assert_string_equal(r, "4 of 8 blocks left offline (none more came online for 5 s: "
			       "waited 7.2 s after the plug)");
	free(r);
	r = reasons_of("{\"new\":1024,\"online\":257,\"agent_chose_zones\":true,\"offlinable\":257,"
		       "\"uevents_lost\":767,\"waited_ms\":9100,\"wait_ended\":\"stalled\","
		       "\"wait_s\":15}");
	assert_string_equal(r, "767 of 1024 blocks left offline: the agent lost 767 uevents (ENOBUFS) "
			       "(none more came online for 5 s: waited 9.1 s after the plug)");
	free(r);
}

/* the expectation under online_policy=auto-movable says so, not contig-zones (usereye3 #3) */
static void test_auto_movable_expectation(void **state)
{
	static const char *const agents[] = { "classic-rule", "blind-rule", "netlink-agent",
					      "hotmemd:online", "virt-rule" };
	struct conform_expect e;
	char v[256];

	for (size_t i = 0; i < sizeof(agents) / sizeof(*agents); i++) {
		conform_expectation(agents[i],
				    "memhp_default_state=offline memory_hotplug.online_policy=auto-movable",
				    "qemu-512m", "virtio-grow-shrink", &e);
		assert_string_equal(e.kind, "may");
		assert_null(strstr(e.why, "contig-zones"));
		assert_non_null(strstr(e.why, "online_policy=auto-movable"));
		conform_violation(&e, "1 of 8 onlined blocks cannot be offlined again (online_policy="
				  "auto-movable: a plain online's zone is the kernel's choice)", v, sizeof(v));
		assert_string_equal(v, "");
	}
	/* contig-zones keeps its own text */
	conform_expectation("classic-rule", "memhp_default_state=offline", "qemu-512m", "dimm1", &e);
	assert_non_null(strstr(e.why, "Normal under contig-zones"));
}

/* @l's writes, redundant and failed */
static void assert_kinds(struct conform_write_log l, long writes, long red, long failed)
{
	struct conform_write_count w = { -1, -1, -1, -1 };

	conform_write_kinds(&l, &w);
	assert_int_equal(w.writes, writes);
	assert_int_equal(w.redundant, red);
	assert_int_equal(w.failed, failed);
}

/*
 * Every write counted, each bad one once: udevd's failure line of a
 * redundant EINVAL is not a failed write too
 */
static void test_write_kinds(void **state)
{
	/* online_movable under memhp_default_state=online: 8 writes, 8 EINVAL, 8 failure lines */
	assert_kinds((struct conform_write_log){ .writes = 8, .failed = 8, .counted = true, .einval = 8 },
		     8, 8, 0);
	/* "offline" under online: 7 went through, 1 EBUSY (logged): not 8 redundant + 1 failed */
	assert_kinds((struct conform_write_log){ .writes = 8, .failed = 1, .counted = true, .done = 7,
						 .other = 1 },
		     8, 0, 1);
	/* an agent that hides its errors: hotmemfs's counts alone */
	assert_kinds((struct conform_write_log){ .counted = true, .einval = 5, .other = 2 }, 7, 5, 2);
	/* blocks left offline by the kernel: the 8 writes they need are neither, but writes */
	assert_kinds((struct conform_write_log){ .writes = 8, .needed = 8, .counted = true, .done = 8 },
		     8, 0, 0);
	/* an agent that logs nothing and writes 8 times, every write taken */
	assert_kinds((struct conform_write_log){ .counted = true, .done = 8 }, 8, 0, 0);
	/* failure lines hotmemfs did not count: failed, and writes all the same */
	assert_kinds((struct conform_write_log){ .writes = 8, .failed = 8, .counted = true }, 8, 0, 8);
	/* hotmemfs's status not known: the log's, a write beyond the needed redundant */
	assert_kinds((struct conform_write_log){ .writes = 9, .failed = 1, .needed = 8 }, 9, 1, 0);
	/* ... and an agent whose log has no writes: at least its bad ones */
	assert_kinds((struct conform_write_log){ .failed = 3 }, 3, 0, 3);
	/*
	 * "bogus" into 8 blocks: hotmemfs's EINVAL of a value it cannot parse
	 * (status's unparsed) is a failed write, not a redundant one
	 */
	assert_kinds((struct conform_write_log){ .writes = 8, .failed = 8, .counted = true,
						 .einval = 8, .unparsed = 8 },
		     8, 0, 8);
	/* ... beside 5 redundant ones (udevd logs a failure for each of the 8): 5 and 3 */
	assert_kinds((struct conform_write_log){ .writes = 8, .failed = 8, .counted = true,
						 .einval = 8, .unparsed = 3 },
		     8, 5, 3);
	/* ... an agent that hides its errors, one EBUSY besides */
	assert_kinds((struct conform_write_log){ .counted = true, .einval = 4, .unparsed = 4,
						 .other = 1 },
		     5, 0, 5);
}

/* the unparsable part of the failed writes, as the outcome's unparsed_writes has it */
static void test_write_kinds_unparsed(void **state)
{
	struct conform_write_log l = { .counted = true, .done = 2, .einval = 6, .unparsed = 4 };
	struct conform_write_count w;

	(void)state;
	conform_write_kinds(&l, &w);
	assert_int_equal(w.writes, 8);
	assert_int_equal(w.redundant, 2);
	assert_int_equal(w.failed, 4);
	assert_int_equal(w.unparsed, 4);
	/* hotmemfs's counts unknown, udevd's log names no bad value: nothing unparsable */
	l = (struct conform_write_log){ .writes = 8, .failed = 8, .needed = 8 };
	conform_write_kinds(&l, &w);
	assert_int_equal(w.unparsed, 0);
	/* ... its log says 'bogus' 8 times under online*: 8 failed, none redundant */
	assert_kinds((struct conform_write_log){ .writes = 8, .unparsable = 8, .failed = 8 }, 8, 0,
		     8);
	/* ... 3 of 8: the other 5 redundant (no block needed them), the 3 failed */
	assert_kinds((struct conform_write_log){ .writes = 8, .unparsable = 3, .failed = 3 }, 8, 5,
		     3);
	/* ... 2 bogus beside the 8 a kernel's offline blocks needed: 2 failed */
	assert_kinds((struct conform_write_log){ .writes = 10, .unparsable = 2, .failed = 2,
						 .needed = 8 },
		     10, 0, 2);
}

/* udevd's 'writing' lines: those of a value state_store() cannot parse */
static void test_count_unparsable_writes(void **state)
{
	char path[] = "/tmp/test_conform.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("memory40: /etc/udev/rules.d/83.rules:1 ATTR '/sys/devices/system/memory/memory40/state' writing 'bogus'\n"
	      "memory41: /etc/udev/rules.d/83.rules:1 ATTR '/sys/devices/system/memory/memory41/state' writing 'online_movable'\n"
	      "memory42: /etc/udev/rules.d/83.rules:1 ATTR '/sys/devices/system/memory/memory42/state' writing ''\n"
	      "memory42: Failed to write ATTR{/sys/devices/system/memory/memory42/state}, ignoring: Invalid argument\n"
	      "memory43: /etc/udev/rules.d/83.rules:1 ATTR '/sys/devices/system/memory/memory43/state' writing 'offline'\n",
	      f);
	fclose(f);
	assert_int_equal(conform_count_unparsable_writes(path), 2);
	assert_int_equal(conform_count_lines(path, "ATTR '[^']*/state' writing"), 4);
	unlink(path);
	assert_int_equal(conform_count_unparsable_writes(path), 0);
}

/* the row's writes, redundant and failed columns for @outcome, "W R F" */
static void row_writes(const char *outcome, char *buf, size_t len)
{
	struct conform_cell_report r = { "classic-rule", "memhp_default_state=offline", "qemu-512m",
					 "dimm1", NULL, json_tokener_parse(outcome), "", { "may", "x", "y" },
					 "", "", "", NULL, false, false };
	char *row = NULL, *hdr = NULL, *col, w[32], red[32], failed[32];
	size_t rlen, hlen;
	FILE *f = open_memstream(&row, &rlen), *h = open_memstream(&hdr, &hlen);

	assert_non_null(r.outcome);
	assert_non_null(f);
	assert_non_null(h);
	assert_int_equal(conform_print_header(h, CONFORM_AGENT_WIDTH), 0);
	assert_int_equal(conform_print_row(f, &r, CONFORM_AGENT_WIDTH), 0);
	fclose(f);
	fclose(h);
	/* the values stand under their header's words: the row read from there */
	col = strstr(hdr, " writes redundant failed lost ");
	assert_non_null(col);
	assert_true(rlen > (size_t)(col - hdr) + 1);
	assert_int_equal(sscanf(row + (col - hdr) + 1, "%31s %31s %31s", w, red, failed), 3);
	snprintf(buf, len, "%s %s %s", w, red, failed);
	free(row);
	free(hdr);
	json_object_put(r.outcome);
}

/* the verdict column of a row: reason, violation, error as judge() sets them */
static char *row_verdict(const char *reason, const char *violation, const char *error)
{
	struct conform_cell_report r = { "classic-rule", "memhp_default_state=online", "qemu-512m",
					 "dimm1", NULL, json_tokener_parse("{\"new\":8,\"online\":8}"),
					 reason, { "may", "redundant", "the ADD comes before the auto-online" },
					 violation, error, "", NULL, false, false };
	char *row = NULL;
	size_t len;
	FILE *f = open_memstream(&row, &len);

	assert_non_null(f);
	assert_int_equal(conform_print_row(f, &r, CONFORM_AGENT_WIDTH), 0);
	fclose(f);
	json_object_put(r.outcome);
	return row;
}

/*
 * A failure the expectation allows (the race with the kernel's auto-online)
 * has its own mark, ~, apart from ✓ and from a violation's or an error's ✗:
 * all three were ✗ but for the bracket at the row's end (usereye9 F7)
 */
static void test_verdict_marks(void **state)
{
	char *ok = row_verdict("", "", ""), *exp = row_verdict("8 redundant writes: EINVAL race", "", ""),
	     *bad = row_verdict("8 of 8 blocks left offline", "unexpected: 8 of 8 blocks left offline", ""),
	     *err = row_verdict("did not run (exit 1)", "", "cell did not run");

	(void)state;
	assert_non_null(strstr(ok, " ✓\n"));
	assert_non_null(strstr(exp, " ~ 8 redundant writes: EINVAL race [expected: the ADD comes"));
	assert_null(strstr(exp, "✗"));
	assert_null(strstr(exp, "✓"));
	assert_non_null(strstr(bad, " ✗ 8 of 8 blocks left offline [VIOLATION: "));
	assert_non_null(strstr(err, " ✗ did not run (exit 1) [ERROR: cell did not run]"));
	free(ok);
	free(exp);
	free(bad);
	free(err);
}

/* the table's writes column: every write the agent made, its bad ones beside */
static void test_row_writes(void **state)
{
	char b[128];

	/* a rule onlining 8 blocks the kernel left offline: 8 writes, none bad */
	row_writes("{\"new\":8,\"online\":8,\"writes\":8,\"failed_writes\":0,\"redundant_writes\":0}",
		   b, sizeof(b));
	assert_string_equal(b, "8 0 0");
	row_writes("{\"new\":8,\"online\":8,\"writes\":9,\"failed_writes\":1,\"redundant_writes\":8}",
		   b, sizeof(b));
	assert_string_equal(b, "9 8 1");
	/* an outcome without "writes": at least its bad ones */
	row_writes("{\"new\":8,\"online\":8,\"failed_writes\":2,\"redundant_writes\":3}", b, sizeof(b));
	assert_string_equal(b, "5 3 2");
	/* a cell that did not run */
	row_writes("{}", b, sizeof(b));
	assert_string_equal(b, "- - -");
}

/*
 * @agent (your --rules or --agent) under @setting (memhp_default_state=
 * online*): the classic rule's race allowed, said inherent; nothing else --
 * blocks left offline, a failed write, an unparsable value's EINVAL among
 * them (it was counted redundant, and so allowed)
 */
static void assert_race_inherent(const char *agent, const char *setting)
{
	static const struct {
		const char *reasons, *violation;
	} cases[] = {
		{ "8 redundant writes: EINVAL race with the kernel's auto-online", "" },
		{ "", "" },
		{ "3 of 8 blocks left offline; 5 redundant writes: EINVAL race with the kernel's "
		  "auto-online",
		  "unexpected: 3 of 8 blocks left offline" },
		{ "8 redundant writes: EINVAL race with the kernel's auto-online; 1 failed writes",
		  "unexpected: 1 failed writes" },
		{ "8 failed writes (8 EINVAL: a value the kernel's store cannot parse)",
		  "unexpected: 8 failed writes (8 EINVAL: a value the kernel's store cannot parse)" },
	};
	struct conform_expect e;
	char v[256];

	conform_expectation(agent, setting, "qemu-512m", "dimm1", &e);
	assert_string_equal(e.kind, "may");
	assert_string_equal(e.re, "redundant");
	assert_non_null(strstr(e.why, "inherent"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		conform_violation(&e, cases[i].reasons, v, sizeof(v));
		assert_string_equal(v, cases[i].violation);
	}
}

static void test_expectations(void **state)
{
	struct conform_expect e;
	char v[256];

	conform_expectation("blind-rule", "memhp_default_state=online_movable", "qemu-512m", "dimm1", &e);
	assert_string_equal(e.kind, "fail");
	conform_violation(&e, "8 redundant writes: EINVAL race with the kernel's auto-online", v, sizeof(v));
	assert_string_equal(v, "");
	conform_violation(&e, "", v, sizeof(v));
	assert_string_equal(v, "should fail (redundant)");
	/* the first line that matches holds: big-640g's burst, not "*" */
	conform_expectation("netlink-agent", "memhp_default_state=offline memory_hotplug.memmap_on_memory=1",
			    "big-640g", "burst1024", &e);
	assert_string_equal(e.kind, "fail");
	conform_violation(&e, "767 of 1024 blocks left offline: the agent lost 1023 uevents (ENOBUFS); "
			      "3 failed writes", v, sizeof(v));
	assert_string_equal(v, "unexpected: 3 failed writes");
	conform_expectation("netlink-agent", "memhp_default_state=offline", "numa2", "burst1024", &e);
	assert_string_equal(e.kind, "may");
	conform_violation(&e, "", v, sizeof(v));
	assert_string_equal(v, "");
	/* your rules and your agent: the same allowance, nothing else */
	assert_race_inherent("rules:80-mine.rules", "memhp_default_state=online_movable");
	assert_race_inherent("agent:my-agent --online", "memhp_default_state=online");
	/* where the kernel leaves blocks offline every cell must pass */
	conform_expectation("agent:my-agent --online", "memhp_default_state=offline", "qemu-512m",
			    "dimm1", &e);
	assert_string_equal(e.kind, "ok");
	assert_string_equal(e.re, "-");
	conform_violation(&e, "1 failed writes", v, sizeof(v));
	assert_string_equal(v, "should pass: " CONFORM_NO_INTENT);
	/* where the kernel leaves blocks offline the rule chose the zone: Normal is its fault */
	conform_expectation("rules:/etc/udev/rules.d", "memhp_default_state=offline", "qemu-512m",
			    "dimm1", &e);
	assert_string_equal(e.kind, "ok");
	conform_violation(&e, "1 of 8 onlined blocks cannot be offlined again", v, sizeof(v));
	assert_string_equal(v, "should pass: " CONFORM_NO_INTENT);
	/* another's cell that must pass (none: the kernel's auto-online alone): just that */
	conform_expectation("none", "memhp_default_state=offline", "qemu-512m",
			    "dimm1", &e);
	conform_violation(&e, "1 failed writes", v, sizeof(v));
	assert_string_equal(v, "should pass");
	/* --intent: the cell judged against what the rule means */
	conform_expectation("intent:online_kernel", "memhp_default_state=offline", "numa2", "dimm64", &e);
	assert_string_equal(e.kind, "may");
	conform_violation(&e, "1 of 8 onlined blocks cannot be offlined again", v, sizeof(v));
	assert_string_equal(v, "");
	conform_expectation("intent:online_movable", "memhp_default_state=offline", "numa2", "dimm64", &e);
	assert_string_equal(e.kind, "ok");
	conform_expectation("intent:online_movable", "memhp_default_state=online", "numa2", "dimm64", &e);
	assert_string_equal(e.re, "redundant");
	assert_true(conform_intent_known("auto-movable"));
	assert_false(conform_intent_known("all-movable"));
}

/* reasons and advice of an all-Movable outcome at @pct for @agent */
static void ratio_of(const char *agent, int pct, char **r, char **adv)
{
	char buf[512];
	json_object *o;

	snprintf(buf, sizeof(buf), "{\"new\":64,\"online\":64,\"agent_chose_zones\":true,"
		 "\"movable_pct_of_kernel\":%d,\"auto_movable_ratio\":301,\"offlinable\":64}", pct);
	o = json_tokener_parse(buf);
	assert_int_equal(conform_reasons_for(o, agent, r, adv), 0);
	json_object_put(o);
}

/* the reasons of an outcome with @zones (a JSON object) for @agent */
static char *zones_of(const char *agent, const char *zones, char **adv)
{
	char buf[512], *r;
	json_object *o;

	snprintf(buf, sizeof(buf), "{\"new\":8,\"online\":8,\"agent_chose_zones\":true,"
		 "\"zones\":%s,\"auto_movable_ratio\":301,\"offlinable\":8}", zones);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_int_equal(conform_reasons_for(o, agent, &r, adv), 0);
	json_object_put(o);
	return r;
}

/* every intent that names zones is judged by them: online_kernel's kernel zones as online_movable's Movable */
static void test_intent_zones(void **state)
{
	char *r, *a;

	r = zones_of("intent:online_kernel", "{\"Movable\":8}", &a);
	assert_string_equal(r, "8 of 8 onlined blocks Movable: --intent online_kernel wants every block "
			       "in a kernel zone (Normal, DMA32 or DMA)");
	free(r), free(a);
	/* DMA32 and DMA are kernel zones too (6.12 default_kernel_zone_for_pfn()) */
	r = zones_of("intent:online_kernel", "{\"Normal\":5,\"DMA32\":2,\"DMA\":1}", &a);
	assert_string_equal(r, "");
	free(r), free(a);
	r = zones_of("intent:online_movable", "{\"Normal\":8}", &a);
	assert_string_equal(r, "8 of 8 onlined blocks Normal: --intent online_movable wants every block Movable");
	free(r), free(a);
	/* online and auto-movable leave the zone to the kernel: not judged by it */
	r = zones_of("intent:online", "{\"Movable\":8}", &a);
	assert_string_equal(r, "");
	free(r), free(a);
	r = zones_of("intent:auto-movable", "{\"Normal\":8}", &a);
	assert_string_equal(r, "");
	free(r), free(a);
	/* an unreadable valid_zones ("") is no zone meant */
	r = zones_of("intent:online_kernel", "{\"\":1,\"Normal\":7}", &a);
	assert_true(!strncmp(r, "1 of 8 onlined blocks ", 22));
	free(r), free(a);
}

/* the Movable:kernel ratio binds what means auto-movable; for yours it is the admin guide's 4:1 */
static void test_ratio(void **state)
{
	char *r, *a;

	ratio_of("hotmemd:online_movable", 400, &r, &a);
	assert_string_equal(r, "Movable is 400% of kernel memory, over auto_movable_ratio 301%");
	assert_string_equal(a, "");
	free(r), free(a);
	ratio_of("rules:80-memory.rules", 400, &r, &a);
	assert_string_equal(r, "");
	assert_non_null(strstr(a, "up to 3:1 or even 4:1 usually fine"));
	free(r), free(a);
	ratio_of("agent:my-agent", 401, &r, &a);
	assert_true(!strncmp(r, "zone imbalance: Movable is 401%", 31));
	assert_string_equal(a, "");
	free(r), free(a);
	ratio_of("intent:online_movable", 533, &r, &a);
	assert_string_equal(r, "");
	assert_true(!strncmp(a, "zone imbalance: Movable is 533%", 31));
	free(r), free(a);
	ratio_of("intent:auto-movable", 302, &r, &a);
	assert_string_equal(r, "Movable is 302% of kernel memory, over auto_movable_ratio 301%");
	free(r), free(a);
	ratio_of("intent:online_kernel", 301, &r, &a);
	assert_string_equal(r, "");
	assert_string_equal(a, "");
	free(r), free(a);
}

static void test_short_setting(void **state)
{
	char b[128];

	conform_short_setting("memhp_default_state=offline memory_hotplug.online_policy=auto-movable", b,
			      sizeof(b));
	assert_string_equal(b, "offline,policy=auto-movable");
	conform_short_setting("memhp_default_state=offline memory_hotplug.memmap_on_memory=1", b, sizeof(b));
	assert_string_equal(b, "offline,memmap_on_memory=1");
	conform_short_setting("memhp_default_state=online_movable", b, sizeof(b));
	assert_string_equal(b, "online_movable");
}

/* what `jq -s .` printed for the same cells (jq 1.6) */
static const char jq_text[] =
	"[\n"
	"  {\n"
	"    \"agent\": \"agent:echo \\\"a\\\\b\\\"\\t\\u0001\\u007f é\",\n"
	"    \"ok\": false,\n"
	"    \"outcome\": {}\n"
	"  },\n"
	"  {\n"
	"    \"outcome\": {\n"
	"      \"zones\": {\n"
	"        \"Normal\": 8\n"
	"      },\n"
	"      \"ms_to_last_online\": null,\n"
	"      \"list\": [],\n"
	"      \"nums\": [\n"
	"        -1,\n"
	"        2\n"
	"      ]\n"
	"    }\n"
	"  }\n"
	"]\n";

static void test_json_as_jq(void **state)
{
	char path[] = "/tmp/test_conform.XXXXXX", buf[1024];
	json_object *cells = json_object_new_array(), *a = json_object_new_object();
	json_object *b = json_object_new_object(), *o = json_object_new_object();
	json_object *z = json_object_new_object(), *nums = json_object_new_array();
	ssize_t n;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	json_object_object_add(a, "agent", json_object_new_string("agent:echo \"a\\b\"\t\x01\x7f é"));
	json_object_object_add(a, "ok", json_object_new_boolean(0));
	json_object_object_add(a, "outcome", json_object_new_object());
	json_object_object_add(z, "Normal", json_object_new_int(8));
	json_object_object_add(o, "zones", z);
	json_object_object_add(o, "ms_to_last_online", NULL);
	json_object_object_add(o, "list", json_object_new_array());
	json_object_array_add(nums, json_object_new_int(-1));
	json_object_array_add(nums, json_object_new_int(2));
	json_object_object_add(o, "nums", nums);
	json_object_object_add(b, "outcome", o);
	json_object_array_add(cells, a);
	json_object_array_add(cells, b);
	assert_int_equal(conform_write_json(path, cells), 0);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, jq_text);
	close(fd);
	unlink(path);
	json_object_put(cells);
	/* nothing run: "[]" as jq -s . of no input */
	cells = json_object_new_array();
	fd = mkstemp(strcpy(path, "/tmp/test_conform.XXXXXX"));
	assert_int_equal(conform_write_json(path, cells), 0);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "[]\n");
	close(fd);
	unlink(path);
	json_object_put(cells);
}

/* in a child: /dev/null a unix socket (open() is ENXIO), in a mount namespace of its own; 77: cannot */
static int break_dev_null(char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    !mkdtemp(dir))
		return 77;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", dir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    mount(sa.sun_path, "/dev/null", NULL, MS_BIND, NULL))
		return 77;
	close(s);
	s = open("/dev/null", O_RDWR);
	return s < 0 ? 0 : 77;
}

/* the child's checks: 0 when they hold, 1 (said on stderr) when not, 77 to skip */
static int ctl_without_dev_null(void)
{
	const char *const args[] = { "--version", NULL };
	const char *build = getenv("HOTMEM_BUILD");
	char dir[] = "/tmp/test_conform_null.XXXXXX", path[4096], sock[64], *why = NULL;
	int out = memfd_create("out", 0), saved = dup(STDOUT_FILENO), rc, bad = 0;
	struct stat st;

	if (break_dev_null(dir) || out < 0 || saved < 0)
		return 77;
	/* a real hotmemctl to run, which would write its version into our stdout */
	snprintf(path, sizeof(path), "%s:%s", build ? build : "build", getenv("PATH") ?: "");
	setenv("PATH", path, 1);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	rc = conform_ctl(args, &why);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	if (!rc || !why || !strstr(why, "hotmemctl --version: not run: /dev/null, for its output, "
				       "cannot be opened: No such device or address")) {
		fprintf(stderr, "# conform_ctl: %d, why: %s\n", rc, why ? why : "(none)");
		bad = 1;
	}
	if (fstat(out, &st) || st.st_size) {
		fprintf(stderr, "# hotmemctl wrote %lld bytes into the caller's stdout\n",
			(long long)st.st_size);
		bad = 1;
	}
	free(why);
	umount2("/dev/null", MNT_DETACH);
	snprintf(sock, sizeof(sock), "%s/s", dir);
	unlink(sock);
	rmdir(dir);
	return bad;
}

/*
 * The legend's command on one line, escaped as hotmemfs shows a state
 * file's words (shown.h hmfs_escape()) but not quoted: a newline \n, a
 * tab \t, ESC and a C1 CSI (0x9b) and a stray byte \xNN, quotes and
 * backslashes as given (the command to run again).  Fails without (its
 * own escaper: \x09, the C1 control and the stray byte raw).
 */
static void test_legend_escaped(void **state)
{
	static const char want[] = "agent#1: sh -c 'a\\b'\\n\\tx\\x1b[2J\\xc2\\x9b" "1m\\xff\xc3\xa9\n";
	char *out = NULL, big[1000];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(conform_print_legend(f, "agent#1",
					      "sh -c 'a\\b'\n\tx\x1b[2J\xc2\x9b" "1m\xff\xc3\xa9"), 0);
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(conform_print_legend(f, "agent#2", big), 0);
	fclose(f);
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	/* a command longer than one part of the escape: all of it, on one line */
	assert_int_equal(len, strlen(want) + strlen("agent#2: \n") + 2 * (sizeof(big) - 1));
	assert_ptr_equal(strchr(out + strlen(want), '\n'), out + len - 1);
	free(out);
}

/*
 * conform_ctl() without a /dev/null to open (conformfix, session 15): it
 * ran hotmemctl with fd -1, conform_io's "inherit", so that its output
 * went into hotmem-conform's own stdout (the report); now refused, saying
 * why.  As root only (a mount namespace of its own, /dev/null a socket).
 */
static void test_ctl_without_dev_null(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	if (geteuid())
		skip_why("not root: needs a mount namespace of its own");
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(ctl_without_dev_null());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip_why("no mount namespace, or /dev/null cannot be a socket bound over it");
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	/* not const: skip_why() names a skip's reason in it (cmocka_skip.h) */
	static struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_reasons_say_the_wait),
		cmocka_unit_test(test_auto_movable_expectation),
		cmocka_unit_test(test_write_kinds),
		cmocka_unit_test(test_write_kinds_unparsed),
		cmocka_unit_test(test_count_unparsable_writes),
		cmocka_unit_test(test_row_writes),
		cmocka_unit_test(test_expectations),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_intent_zones),
		cmocka_unit_test(test_short_setting),
		cmocka_unit_test(test_json_as_jq),
		cmocka_unit_test(test_ctl_without_dev_null),
		cmocka_unit_test(test_verdict_marks),
		cmocka_unit_test(test_legend_escaped),
	};

	skip_register_tests(tests);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
