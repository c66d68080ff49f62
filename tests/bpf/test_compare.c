// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace compare: normalising, aligning, what counts as different */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "absent.h"
#include "compare.h"
#include "event.h"

#define EVX(pre, ev, ph, pfn, nr, zone, rest)                                              \
	"{" pre "\"ev\":\"" ev "\",\"phase\":\"" ph "\",\"start_pfn\":" #pfn                   \
	",\"nr_pages\":" #nr ",\"nid\":0,\"zone\":" zone rest "}\n"
#define EV(ev, ph, pfn, nr, zone, rest) EVX("", ev, ph, pfn, nr, zone, rest)
/* a real kernel's event (src "kernel": its version's absent steps apply) */
#define KEV(ev, ph, pfn, nr, zone, rest) EVX("\"src\":\"kernel\",", ev, ph, pfn, nr, zone, rest)
/* a meminfo record, kB */
#define MI(ph, total, free) \
	"{\"ev\":\"meminfo\",\"phase\":\"" ph "\",\"MemTotal\":" #total ",\"MemFree\":" #free "}\n"

/* a kernel trace: DIMM at 4 GiB, noise lines from a console */
static const char kernel[] =
	"GUEST: booting\n"
	KEV("add_memory_resource", "enter", 1048576, 65536, "null", "")
	KEV("add_memory_resource", "exit", 1048576, 65536, "null", ",\"ret\":0")
	KEV("online_pages", "enter", 1048576, 32768, "\"Normal\"", "")
	KEV("memory_notify", "exit", 1048576, 32768, "null", ",\"ret\":0,\"extra\":8")
	KEV("online_pages", "exit", 1048576, 32768, "\"Normal\"", ",\"ret\":0")
	KEV("test_pages_isolated", "exit", 1048576, 32768, "null", ",\"ret\":0,\"extra\":1081344")
	MI("boot", 400000, 300000)
	MI("online", 662144, 560000);

/*
 * The same scenario in the engine: DIMM at 640 MiB, memory_block_online
 * around online_pages (6.12 inlines it: in no kernel trace)
 */
static const char engine[] =
	EV("add_memory_resource", "enter", 163840, 65536, "null", "")
	EV("add_memory_resource", "exit", 163840, 65536, "null", ",\"ret\":0")
	EV("memory_block_online", "enter", 163840, 32768, "null", "")
	EV("online_pages", "enter", 163840, 32768, "\"Normal\"", "")
	EV("memory_notify", "exit", 163840, 32768, "null", ",\"ret\":0,\"extra\":8")
	EV("online_pages", "exit", 163840, 32768, "\"Normal\"", ",\"ret\":0")
	EV("memory_block_online", "exit", 163840, 32768, "null", ",\"ret\":0")
	EV("test_pages_isolated", "exit", 163840, 32768, "null", ",\"ret\":0,\"extra\":196608")
	MI("boot", 500000, 400000)
	MI("online", 762144, 661000);

static void load(struct hmt_trace *t, const char *text, const char *name)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(hmt_trace_read(t, f, name), 0);
	fclose(f);
}

/* compare @a_text with @b_text under @o, its output in *@out */
static int run_opts(const char *a_text, const char *b_text, struct hmt_cmp_opts o, char **out)
{
	struct hmt_trace a, b;
	size_t len;
	int n;

	o.out = open_memstream(out, &len);
	load(&a, a_text, "A");
	load(&b, b_text, "B");
	n = hmt_compare(&a, &b, &o);
	fclose(o.out);
	hmt_trace_free(&a);
	hmt_trace_free(&b);
	return n;
}

static int run(const char *a_text, const char *b_text, bool strict, char **out)
{
	return run_opts(a_text, b_text, (struct hmt_cmp_opts){ .strict = strict, .memfree_tol_kb = 4096 },
			out);
}

/* the number of differences alone, MemFree's tolerance @tol_kb */
static int ndiff(const char *a_text, const char *b_text, long long tol_kb)
{
	char *out = NULL;
	int n = run_opts(a_text, b_text, (struct hmt_cmp_opts){ .memfree_tol_kb = tol_kb }, &out);

	free(out);
	return n;
}

static void test_read_skips_noise(void **state)
{
	struct hmt_trace t;

	load(&t, kernel, "k");
	assert_int_equal(t.nev, 6);
	assert_int_equal(t.nmi, 2);
	assert_int_equal(t.skipped, 1);
	assert_int_equal(t.base, 1048576);
	hmt_trace_free(&t);
}

static void test_same_scenario_elsewhere_is_same(void **state)
{
	char *out = NULL;

	/* memory_block_online is only in B, A is 6.12's: listed, not a difference */
	assert_int_equal(run(kernel, engine, false, &out), 0);
	/* enter and exit: one line naming the function once */
	assert_non_null(strstr(out, "compare: not compared, only in B (expected on 6.12): "
				    "memory_block_online (inlined: "));
	assert_null(strstr(strstr(out, "not compared, only in B") + 1, "not compared, only in B"));
	assert_non_null(strstr(out, "compare: 0 differences in 6 common steps; 2 steps only in B, "
				    "not compared: expected on 6.12 (memory_block_online)\n"));
	free(out);
	out = NULL;
	assert_int_equal(run(kernel, engine, true, &out), 2); /* strict */
	assert_non_null(strstr(out, "2 steps only in B: memory_block_online -- compared event by "
				    "event (--strict)"));
	free(out);
}

/*
 * usereye6 L: a step wholly missing from one trace is a difference, one
 * per step, unless the other trace is a kernel trace of a version that
 * does not show it: the engine trace that lost its notifier calls or its
 * online_pages, an engine trace without memory_block_online beside
 * another engine trace (only a kernel inlines it).
 */
static void remove_lines(char *text, const char *needle)
{
	char *p;

	while ((p = strstr(text, needle))) {
		char *bol = p, *eol = strchr(p, '\n') + 1;

		while (bol > text && bol[-1] != '\n')
			bol--;
		memmove(bol, eol, strlen(eol) + 1);
	}
}

static void test_missing_step_differs(void **state)
{
	char b[sizeof(engine)], *out = NULL;

	(void)state;
	strcpy(b, engine);
	remove_lines(b, "\"memory_notify\"");
	assert_int_equal(run(kernel, b, false, &out), 1);
	assert_non_null(strstr(out, "A:5 only in A, no such step in B: memory_notify/exit(MEM_GOING_ONLINE)\n"));
	assert_non_null(strstr(out, "compare: 1 difference in 5 common steps; 1 step only in A: "
				    "memory_notify -- a difference; 2 steps only in B, not compared: "
				    "expected on 6.12 (memory_block_online)\n"));
	free(out);
	strcpy(b, engine);
	remove_lines(b, "\"online_pages\"");
	assert_int_equal(run(engine, b, false, &out), 2);
	assert_non_null(strstr(out, "2 steps only in A: online_pages -- differences\n"));
	free(out);
	/* the list is a kernel version's: an engine trace without the step differs */
	strcpy(b, engine);
	remove_lines(b, "\"memory_block_online\"");
	assert_int_equal(run(engine, b, false, &out), 2);
	assert_non_null(strstr(out, "2 steps only in A: memory_block_online -- differences\n"));
	free(out);
}

/* a trace with fewer than half the other's events: said, a difference */
static void test_truncated_differs(void **state)
{
	static const char two[] = EV("add_memory_resource", "enter", 163840, 65536, "null", "")
		EV("add_memory_resource", "exit", 163840, 65536, "null", ",\"ret\":0");
	char *a = malloc(4 * sizeof(engine)), *out = NULL;

	(void)state;
	assert_non_null(a);
	strcpy(a, engine);
	strcat(a, engine); /* two scenarios: every step both traces have */
	strcat(a, engine);
	assert_int_equal(run(a, engine, false, &out), 17);
	assert_non_null(strstr(out, "compare: B has 8 events, A 24: fewer than half, a truncated "
				    "recording? (a difference)\n"));
	free(out);
	assert_int_equal(run(engine, two, false, &out), 7); /* 6 steps and truncated */
	assert_non_null(strstr(out, "compare: B has 2 events, A 8: fewer than half"));
	assert_non_null(strstr(out, "compare: 7 differences in 2 common steps; 6 steps only in A: "));
	free(out);
	/* --strict as it was: each event counted, the truncation only said */
	assert_int_equal(run(engine, two, true, &out), 6);
	assert_non_null(strstr(out, "fewer than half, a truncated recording?\n"));
	free(out);
	free(a);
}

/* --kernel: the list of the newest version listed not newer than it */
static void test_absent_lists(void **state)
{
	(void)state;
	assert_string_equal(hmt_absent_list("6.12"), "6.12");
	assert_string_equal(hmt_absent_list("6.12.117+deb12-amd64"), "6.12");
	assert_string_equal(hmt_absent_list("6.17"), "6.12");
	assert_string_equal(hmt_absent_list("6.18.44-fc"), "6.18");
	assert_string_equal(hmt_absent_list("7.0"), "6.18");
	assert_string_equal(hmt_absent_list("6.1"), "6.1");
	assert_null(hmt_absent_list("5.15"));
	assert_null(hmt_absent_list("6.1x"));
	assert_null(hmt_absent_list("latest"));
	assert_non_null(hmt_absent_why("6.12", "memory_block_offline", NULL));
	assert_null(hmt_absent_why("6.12", "memory_notify", "MEM_PREPARE_ONLINE"));
	assert_non_null(hmt_absent_why("6.1", "memory_notify", "MEM_PREPARE_ONLINE"));
	assert_null(hmt_absent_why("6.1", "memory_notify", "MEM_GOING_ONLINE"));
	assert_null(hmt_absent_why("6.18", "mm_setup_per_zone_wmarks", NULL));
}

/*
 * finalE F11: 6.9 to 6.11 took 6.1's list, so a 6.10 trace lacking
 * MEM_PREPARE_ONLINE or the per-block altmaps was "expected" with a reason
 * false for it.  6.9 and 6.10 have those (and __meminit still notrace),
 * 6.11 traces __meminit too (73db3abdca58): 6.12's rows.
 */
static void test_absent_lists_6_9_to_6_11(void **state)
{
	(void)state;
	assert_string_equal(hmt_absent_list("6.8.12"), "6.1");
	assert_string_equal(hmt_absent_list("6.9"), "6.9");
	assert_string_equal(hmt_absent_list("6.10.14-amd64"), "6.9");
	assert_string_equal(hmt_absent_list("6.11"), "6.11");
	assert_string_equal(hmt_absent_list("6.11.11"), "6.11");
	assert_null(hmt_absent_why("6.9", "memory_notify", "MEM_PREPARE_ONLINE"));
	assert_null(hmt_absent_why("6.9", "memory_notify", "MEM_FINISH_OFFLINE"));
	assert_null(hmt_absent_why("6.9", "create_altmaps_and_memory_blocks", NULL));
	assert_null(hmt_absent_why("6.9", "remove_memory_blocks_and_altmaps", NULL));
	assert_non_null(hmt_absent_why("6.9", "sparse_add_section", NULL));
	assert_non_null(hmt_absent_why("6.9", "vmemmap_populate_hugepages", NULL));
	assert_non_null(hmt_absent_why("6.9", "memory_block_online", NULL));
	assert_non_null(hmt_absent_why("6.9", "mm_setup_per_zone_wmarks", NULL));
	assert_null(hmt_absent_why("6.11", "sparse_add_section", NULL));
	assert_null(hmt_absent_why("6.11", "vmemmap_populate", NULL));
	assert_null(hmt_absent_why("6.11", "memory_notify", "MEM_PREPARE_ONLINE"));
	assert_non_null(hmt_absent_why("6.11", "memory_block_offline", NULL));
	assert_non_null(hmt_absent_why("6.11", "mm_setup_per_zone_wmarks", NULL));
}

static void test_ret_and_zone_differences(void **state)
{
	char b[sizeof(engine) + 16], *p, *out = NULL;

	strcpy(b, engine);
	p = strstr(b, "\"Normal\",\"ret\":0"); /* online_pages exit */
	assert_non_null(p);
	memcpy(p, "\"Movabl\",\"ret\":1", 16);
	assert_int_equal(run(kernel, b, false, &out), 1);
	assert_non_null(strstr(out, "online_pages/exit: zone Normal != Movabl; ret 0 != 1;"));
	free(out);
}

static void test_block_relative_pfns(void **state)
{
	char b[sizeof(engine) + 16], *p, *out = NULL;

	strcpy(b, engine);
	p = strstr(b, "\"online_pages\",\"phase\":\"exit\",\"start_pfn\":163840");
	assert_non_null(p);
	memcpy(strstr(p, "163840"), "196608", 6); /* the next block */
	assert_int_equal(run(kernel, b, false, &out), 1);
	assert_non_null(strstr(out, "start_pfn +0 != +0x8000"));
	free(out);
}

static void test_missing_event_aligned(void **state)
{
	static const char extra[] =
		KEV("memory_notify", "exit", 1048576, 32768, "null", ",\"ret\":0,\"extra\":8");
	char a[sizeof(kernel) + sizeof(extra)], *p, *out = NULL;

	/* A has one memory_notify more than B: aligned around it */
	strcpy(a, kernel);
	p = strstr(a, "\"ev\":\"memory_notify\"");
	p = strchr(p, '\n') + 1;
	memmove(p + strlen(extra), p, strlen(p) + 1);
	memcpy(p, extra, strlen(extra));
	assert_int_equal(run(a, engine, false, &out), 1);
	assert_non_null(strstr(out, "only in A: memory_notify/exit(MEM_GOING_ONLINE)"));
	assert_non_null(strstr(out, "compare: 1 difference in 6 common steps; "));
	assert_null(strstr(out, "online_pages"));
	free(out);
}

static void test_meminfo_changes(void **state)
{
	char b[sizeof(engine)], *p, *out = NULL;

	strcpy(b, engine);
	p = strstr(b, "762144");
	memcpy(p, "758048", 6); /* 4 MiB less: the memmap on the memory */
	assert_int_equal(run(kernel, b, false, &out), 1);
	assert_non_null(strstr(out, "MemTotal change +262144 kB != +258048 kB"));
	free(out);
}

static void test_empty_trace_differs(void **state)
{
	char *out = NULL;

	assert_int_equal(run(kernel, "", false, &out), 7); /* 6 steps missing, empty */
	assert_non_null(strstr(out, "one trace is empty"));
	free(out);
	out = NULL;
	/* two with no event agree in nothing: never "0 differences", --strict neither */
	assert_int_equal(run("", "", false, &out), 1);
	assert_non_null(strstr(out, "compare: nothing to compare: neither trace has an event"));
	assert_non_null(strstr(out, "compare: 1 difference in 0 common steps"));
	free(out);
	out = NULL;
	assert_int_equal(run("", "", true, &out), 1);
	assert_non_null(strstr(out, "nothing to compare"));
	free(out);
}

/*
 * Each step's own change is compared: a guest that frees 3 MB once, at
 * "added", is not 3 MB off at every later step (with 2 MB more at
 * "online" it was 5 MB off "from boot"), but a step 5 MB off still is.
 */
static void test_meminfo_step_by_step(void **state)
{
	static const char k[] =
		MI("boot", 400000, 300000)
		MI("added", 400000, 303000)
		MI("online", 662144, 565000)
		MI("offline", 531072, 433928);
	static const char e[] =
		MI("boot", 500000, 400000)
		MI("added", 500000, 400000)
		MI("online", 762144, 660000)
		MI("offline", 631072, 528928);
	char *out = NULL;

	(void)state;
	assert_int_equal(ndiff(k, e, 4096), 0);
	/* the engine's offline step frees 5000 kB less than the kernel's: one difference, that step */
	assert_int_equal(run(k, MI("boot", 500000, 400000)
				 MI("added", 500000, 400000)
				 MI("online", 762144, 660000)
				 MI("offline", 631072, 518928),
			     false, &out), 1);
	assert_non_null(strstr(out, "meminfo offline (from online): MemFree(+PcpFree) change -131072 kB != -141072 kB"));
	assert_null(strstr(out, "meminfo online"));
	free(out);
	out = NULL;
	/* a step the engine lacks ("added") is bridged: its wrong "online" is still seen, from boot */
	assert_int_equal(run(k, MI("boot", 500000, 400000)
				 MI("online", 758048, 660000),
			     false, &out), 2); /* MemTotal, and MemFree from boot (5000 kB off) */
	assert_non_null(strstr(out, "meminfo online (from boot): MemTotal change +262144 kB != +258048 kB"));
	free(out);
}

/*
 * Each step within the tolerance, the same way each time, is a drift:
 * the whole change is compared too, within tolerance x sqrt(steps)
 * (reread20 G5).  The kernel's side of test_meminfo_step_by_step's second
 * half, the engine 4000 kB short at each of added, online, offline, again.
 */
static void test_meminfo_drift_in_all(void **state)
{
	static const char k[] = MI("boot", 400000, 300000) MI("added", 400000, 300000)
		MI("online", 662144, 560000) MI("offline", 531072, 429000) MI("again", 662144, 560000);
/* the engine's run of the same steps, MemFree at added, online, offline, again */
#define E5(added, online, offline, again)                                                     \
	MI("boot", 500000, 400000) MI("added", 500000, added) MI("online", 762144, online)     \
	MI("offline", 631072, offline) MI("again", 762144, again)
	/* each step's free change 4000 kB below the kernel's */
	static const char drift[] = E5(396000, 652000, 517000, 644000);
	/* the CI's guest, as the engine: 2600 kB off once at added, 4900 kB in all */
	static const char once[] = E5(402600, 663600, 533600, 664900);
	/* 4000 kB off at each step, but up and down: noise, 0 in all */
	static const char updown[] = E5(396000, 660000, 525000, 660000);
#undef E5
	char *out = NULL;

	(void)state;
	assert_int_equal(run(k, drift, false, &out), 1);
	assert_non_null(strstr(out, "meminfo again (from boot, 4 steps in all): MemFree(+PcpFree) change "
				    "+260000 kB != +244000 kB (tolerance 8192 kB = 4096 x sqrt(4): each step within, a drift)\n"));
	assert_null(strstr(out, "(from added)"));
	free(out);
	/* both ways: the same drift, the same verdict */
	assert_int_equal(ndiff(drift, k, 4096), 1);
	assert_int_equal(ndiff(k, once, 4096), 0);
	assert_int_equal(ndiff(k, updown, 4096), 0);
	/* a wider tolerance widens the sum's too: 16000 kB is past 6000 x sqrt(4), not past 8000 x sqrt(4) */
	assert_int_equal(ndiff(k, drift, 6000), 1);
	assert_int_equal(ndiff(k, drift, 8000), 0);
}

/* PcpFree (per-cpu lists drained by offlining) counts as free */
static void test_pcp_free_counts_as_free(void **state)
{
	static const char k[] =
		"{\"ev\":\"meminfo\",\"phase\":\"boot\",\"MemTotal\":400000,\"MemFree\":300000,\"PcpFree\":12000}\n"
		"{\"ev\":\"meminfo\",\"phase\":\"offline\",\"MemTotal\":400000,\"MemFree\":306000,\"PcpFree\":6000}\n";
	static const char e[] =
		MI("boot", 500000, 400000)
		MI("offline", 500000, 400000);
	static const char e2[] =
		MI("boot", 500000, 400000)
		MI("offline", 500000, 406000);
	char *out = NULL;

	(void)state;
	assert_int_equal(run(k, e, false, &out), 0);
	free(out);
	assert_int_equal(run(k, e2, false, &out), 1);
	assert_non_null(strstr(out, "MemFree(+PcpFree) change +0 kB != +6000 kB"));
	free(out);
}

/* --require: a step one trace lacks is a difference, not a note */
static void test_required_step_missing(void **state)
{
	struct hmt_cmp_opts o = { .memfree_tol_kb = 4096,
				  .require = "online_pages,memory_block_online" };
	struct hmt_trace a, b;
	char *out = NULL;
	size_t len;

	(void)state;
	load(&a, kernel, "kernel");
	load(&b, engine, "engine");
	o.out = open_memstream(&out, &len);
	assert_non_null(o.out);
	assert_int_equal(hmt_compare(&a, &b, &o), 1);
	fclose(o.out);
	/* listed for 6.12, but required: one difference, said once */
	assert_non_null(strstr(out, "required step memory_block_online missing from kernel"));
	assert_null(strstr(out, "no such step"));
	assert_null(strstr(out, "required step online_pages"));
	free(out);
	o.require = "online_pages";
	o.out = fopen("/dev/null", "w");
	assert_int_equal(hmt_compare(&a, &b, &o), 0);
	fclose(o.out);
	hmt_trace_free(&a);
	hmt_trace_free(&b);
}

/*
 * extra is compared where both sides define it: a block's vmemmap pages
 * (create_memory_block_devices), the altmap flag of the vmemmap steps; not
 * where only the engine puts something (arch_add_memory's altmap flag).
 */
static void test_extra_compared_where_defined(void **state)
{
	static const char k[] =
		EV("arch_add_memory", "exit", 1048576, 32768, "null", ",\"ret\":0,\"extra\":0")
		EV("vmemmap_populate_hugepages", "exit", 1048576, 32768, "null",
		   ",\"ret\":0,\"extra\":1")
		EV("create_memory_block_devices", "exit", 1048576, 32768, "null",
		   ",\"ret\":0,\"extra\":512");
	static const char e[] =
		EV("arch_add_memory", "exit", 163840, 32768, "null", ",\"ret\":0,\"extra\":1")
		EV("vmemmap_populate_hugepages", "exit", 163840, 32768, "null",
		   ",\"ret\":0,\"extra\":0")
		EV("create_memory_block_devices", "exit", 163840, 32768, "null",
		   ",\"ret\":0,\"extra\":0");
	char *out = NULL;

	(void)state;
	assert_int_equal(run(k, k, false, &out), 0);
	free(out);
	assert_int_equal(run(k, e, false, &out), 2);
	assert_non_null(strstr(out, "vmemmap_populate_hugepages/exit: extra 1 != 0;"));
	assert_non_null(strstr(out, "create_memory_block_devices/exit: extra 512 != 0;"));
	assert_null(strstr(out, "arch_add_memory/exit:"));
	free(out);
}

/*
 * The release a trace was taken on, in its header line (hotmem-trace
 * writes one first; older traces have none and still load): without
 * --kernel, compare takes a kernel trace's list from it and says so;
 * --kernel still wins.  6.18 shows mm_setup_per_zone_wmarks, 6.12 not.
 */
#define WMARKS EV("mm_setup_per_zone_wmarks", "exit", 0, 1048576, "\"Normal\"", "")

static int run_kernel_opt(const char *a_text, const char *b_text, const char *kernel_list, char **out)
{
	return run_opts(a_text, b_text,
			(struct hmt_cmp_opts){ .memfree_tol_kb = 4096, .kernel = kernel_list }, out);
}

static void test_header_release(void **state)
{
	char hdr[512], k618[sizeof(kernel) + 512], e[sizeof(engine) + 256], *out = NULL;
	struct hmt_trace t;
	int n;

	(void)state;
	n = hmt_format_json_header("6.18.44-fc", NULL, false, hdr, sizeof(hdr) - 1);
	assert_true(n > 0);
	hdr[n] = '\n';
	hdr[n + 1] = '\0';
	snprintf(k618, sizeof(k618), "%s%s", hdr, kernel);
	snprintf(e, sizeof(e), "%s" WMARKS, engine);

	/* the header is no event and no skipped line; a header alone is a trace */
	load(&t, k618, "k");
	assert_string_equal(t.kernel_release, "6.18.44-fc");
	assert_int_equal(t.skipped, 1); /* "GUEST: booting" only */
	assert_int_equal(t.nev, 6);
	hmt_trace_free(&t);
	load(&t, hdr, "h");
	assert_int_equal(t.nev, 0);
	hmt_trace_free(&t);
	n = hmt_format_json_header(NULL, HMT_ENGINE_RELEASE, false, hdr, sizeof(hdr) - 1);
	hdr[n] = '\0';
	load(&t, hdr, "e");
	assert_string_equal(t.kernel_release, "");
	assert_string_equal(t.engine, HMT_ENGINE_RELEASE);
	hmt_trace_free(&t);

	/* 6.18 from its header: the engine's wmarks step is a difference */
	assert_int_equal(run_kernel_opt(k618, e, NULL, &out), 1);
	assert_non_null(strstr(out, "compare: A: kernel 6.18.44-fc (its header): 6.18's list of steps it does not show\n"));
	assert_non_null(strstr(out, "only in B, no such step in A: mm_setup_per_zone_wmarks/exit"));
	free(out);
	/* no header (an older trace): the default, 6.12, said */
	assert_int_equal(run_kernel_opt(kernel, e, NULL, &out), 0);
	assert_non_null(strstr(out, "compare: A: kernel release not recorded (a trace without a header): 6.12's list (the default; --kernel VERSION says another)\n"));
	free(out);
	/* --kernel wins over the header, and says so */
	assert_int_equal(run_kernel_opt(k618, e, "6.12", &out), 0);
	assert_non_null(strstr(out, "compare: A: kernel 6.12 (--kernel; its header says 6.18.44-fc): 6.12's list of steps it does not show\n"));
	free(out);
}

/*
 * Not a trace: hotmem-trace's table (-o without --json) or anything else
 * with no event line at all is -EBADMSG, its first line named; blank
 * lines are nothing; an empty file is a trace with no event (#2).
 */
static void test_not_a_trace(void **state)
{
	static const char table[] =
		"TIME(s)      SRC      EVENT                            PHASE    START_PFN  NR_PAGES  NID ZONE         RET EXTRA\n"
		"    0.003596 emulator online_pages                     <         0x100000     32768    0 Movable        0 0\n";
	static const char other_json[] = "\n{\"MemTotal\":1}\n";
	static const struct {
		const char *text;
		int err, first;
		const char *first_text;
	} cases[] = {
		{ table, -EBADMSG, 1, "TIME(s)      SRC      EVENT" },
		{ "\n  \ngarbage\r\n", -EBADMSG, 3, "garbage" },
		{ other_json, -EBADMSG, 2, "{\"MemTotal\":1}" },
		{ "", 0, 0, "" },
		{ "\n\n", 0, 0, "" },
	};
	struct hmt_trace t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fmemopen((void *)cases[i].text, strlen(cases[i].text) + 1, "r");

		assert_non_null(f);
		assert_int_equal(hmt_trace_read(&t, f, "x"), cases[i].err);
		fclose(f);
		assert_int_equal(t.first_skipped, cases[i].first);
		assert_int_equal(strncmp(t.skipped_text, cases[i].first_text,
					 strlen(cases[i].first_text)), 0);
		hmt_trace_free(&t);
	}
}

/*
 * A range below the base pfn (the zone's, DMA32, in the watermarks step,
 * which does not set the base) is -0x..., not 2^64 - ... (#18).
 */
static void test_negative_relative_pfn(void **state)
{
	static const char zone[] =
		EV("add_memory_resource", "exit", 1048576, 65536, "null", ",\"ret\":0")
		EV("mm_setup_per_zone_wmarks", "exit", 4096, 126976, "\"DMA32\"", ",\"ret\":0");
	static const char none[] =
		EV("add_memory_resource", "exit", 163840, 65536, "null", ",\"ret\":0");
	char *out = NULL;

	(void)state;
	assert_int_equal(run(zone, zone, true, &out), 0);
	free(out);
	assert_int_equal(run(zone, none, true, &out), 1);
	assert_non_null(strstr(out, "A:2 only in A: mm_setup_per_zone_wmarks/exit -0xff000 "
				    "nr_pages=126976 zone=DMA32"));
	assert_null(strstr(out, "0xfff"));
	free(out);
}

static void test_main_exit_codes(void **state)
{
	char *argv[] = { "compare", "/nonexistent/a", "/nonexistent/b", NULL };
	char *usage[] = { "compare", "onlyone", NULL };

	assert_int_equal(hmt_compare_main(3, argv), 2);
	assert_int_equal(hmt_compare_main(2, usage), 2);
}

/*
 * --require of a name that is no step (online_page for online_pages): a
 * usage error (2) before the traces are read, not "missing from both
 * traces", 1 difference; a known step missing from both is a difference.
 */
/* @text as the file @dir/@name, its path in @path (64 bytes) */
static void put_trace(char *path, const char *dir, const char *name, const char *text)
{
	FILE *f;

	snprintf(path, 64, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* hmt_compare_main()'s status with @opts (NULL-ended, or NULL) on @a_text and @b_text as files */
static int main_on(const char *const *opts, const char *a_text, const char *b_text)
{
	char dir[] = "/tmp/hmt-main-XXXXXX", a[64], b[64], *argv[8] = { "compare" };
	int argc = 1, rc;

	assert_non_null(mkdtemp(dir));
	put_trace(a, dir, "a.jsonl", a_text);
	put_trace(b, dir, "b.jsonl", b_text);
	for (; opts && *opts && argc < 5; opts++)
		argv[argc++] = (char *)*opts;
	argv[argc++] = a;
	argv[argc++] = b;
	rc = hmt_compare_main(argc, argv);
	unlink(a);
	unlink(b);
	rmdir(dir);
	return rc;
}

static void test_require_unknown_step(void **state)
{
	(void)state;
	assert_int_equal(main_on((const char *[]){ "--require", "online_pages,online_page", NULL },
				 kernel, engine), 2);
	assert_int_equal(main_on((const char *[]){ "--require", "offline_pages", NULL }, kernel,
				 engine), 1);
}

/*
 * abuse25a B3: the tracer's "lost" records (event.h HMT_LOST_EV) are read
 * as its loss, never as a step of the trace; compare refuses a trace with
 * any (exit 2, said), which it compared as a whole one, blaming the
 * engine for the tracer's loss.
 */
#define LOST(ts, count, since) \
	"{\"ts\":" #ts ",\"ev\":\"lost\",\"count\":" #count ",\"since\":" #since "}\n"
static const char engine_lossy[] =
	EV("add_memory_resource", "enter", 163840, 65536, "null", "")
	LOST(900, 7, 100)
	EV("add_memory_resource", "exit", 163840, 65536, "null", ",\"ret\":0")
	LOST(1900, 3, 900);

static void test_lost_records(void **state)
{
	struct hmt_trace t;

	(void)state;
	load(&t, engine_lossy, "L");
	assert_int_equal(t.nev, 2);
	assert_int_equal(t.nlost, 2);
	assert_int_equal(t.lost_events, 10);
	assert_int_equal(t.lost[0].since, 100);
	assert_int_equal(t.lost[0].ts, 900);
	assert_int_equal(t.lost[0].line, 2);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(hmt_trace_check_lossless(&t, "compare"), -ENODATA);
	hmt_trace_free(&t);
	load(&t, engine, "E");
	assert_int_equal(t.nlost, 0);
	assert_int_equal(hmt_trace_check_lossless(&t, "compare"), 0);
	hmt_trace_free(&t);
	assert_int_equal(main_on(NULL, engine, engine_lossy), 2);
	assert_int_equal(main_on(NULL, engine, engine), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_skips_noise),
		cmocka_unit_test(test_same_scenario_elsewhere_is_same),
		cmocka_unit_test(test_missing_step_differs),
		cmocka_unit_test(test_truncated_differs),
		cmocka_unit_test(test_absent_lists),
		cmocka_unit_test(test_absent_lists_6_9_to_6_11),
		cmocka_unit_test(test_header_release),
		cmocka_unit_test(test_ret_and_zone_differences),
		cmocka_unit_test(test_block_relative_pfns),
		cmocka_unit_test(test_missing_event_aligned),
		cmocka_unit_test(test_meminfo_changes),
		cmocka_unit_test(test_meminfo_step_by_step),
		cmocka_unit_test(test_meminfo_drift_in_all),
		cmocka_unit_test(test_empty_trace_differs),
		cmocka_unit_test(test_pcp_free_counts_as_free),
		cmocka_unit_test(test_required_step_missing),
		cmocka_unit_test(test_extra_compared_where_defined),
		cmocka_unit_test(test_not_a_trace),
		cmocka_unit_test(test_negative_relative_pfn),
		cmocka_unit_test(test_main_exit_codes),
		cmocka_unit_test(test_require_unknown_step),
		cmocka_unit_test(test_lost_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
