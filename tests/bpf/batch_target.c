// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the engine's hotmem:batch probe (engine/hotmem_probes.h)
 * in hotmem-trace's tests: hands over batches the engine would not make,
 * to hold the BPF side's pairing and drop counting against them.  The
 * binary has hotmem:batch (with its semaphore, as the engine) and none of
 * the steps' own probes.
 *
 *   batch_target mismatch    enter memory_block_offline, enter
 *                            offline_pages, exit memory_block_offline (the
 *                            inner exit lost): the exit is paired 500 ns
 *                            after its enter, the inner step dropped
 *   batch_target deep        18 nested steps (deeper than the BPF side's
 *                            stack of 16), each exit 1000 + 10 * depth ns
 *                            after its enter
 *   batch_target cut         70 records in one hit: past the 64 a batch
 *                            holds, 6 are lost
 *   batch_target unreadable  5 records at an address that cannot be read
 *   batch_target all         each of them in turn
 *   batch_target gate FILE WHAT  WHAT once FILE exists (tests/bpf/scratch.t
 *                            holds the BPF side's slots first), 120 s at most
 *
 * Prints "records N lost M": what it handed over and what the tracer
 * cannot have taken.  Timestamps are CLOCK_MONOTONIC from now on.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sdt.h>
#include <linux/types.h>
#include "hotmem_trace.h"

#define PFN0 0x100000LL
#define BLOCK 32768LL
#define CUT 70
#define DEEP 18

static volatile unsigned short hotmem_batch_semaphore __attribute__((section(".probes"), used));
static long handed, lost;

static __attribute__((noinline)) void batch(const struct hotmem_probe_rec *rec, long nr)
{
	DTRACE_PROBE2(hotmem, batch, rec, nr);
}

static unsigned long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct hotmem_probe_rec rec(unsigned long long ts, unsigned int fn, unsigned int exit)
{
	return (struct hotmem_probe_rec){
		.ts = ts, .start_pfn = PFN0, .nr_pages = BLOCK, .nid = 0, .zid = 3,
		.probe = fn, .exit = exit,
	};
}

static void hand_over(const struct hotmem_probe_rec *r, long nr, long nr_lost)
{
	if (!hotmem_batch_semaphore)
		return;
	batch(r, nr);
	handed += nr;
	lost += nr_lost;
}

static void mismatch(void)
{
	unsigned long long t = now();
	struct hotmem_probe_rec r[] = {
		rec(t, HMT_FN_memory_block_offline, 0),
		rec(t + 100, HMT_FN_offline_pages, 0),
		rec(t + 500, HMT_FN_memory_block_offline, 1),
	};

	hand_over(r, 3, 0);
}

static void deep(void)
{
	unsigned long long t = now();
	struct hotmem_probe_rec r[2 * DEEP];

	/* enter step i at t + i; its exit 1000 + 10 * i ns later */
	for (int i = 0; i < DEEP; i++) {
		r[i] = rec(t + i, i, 0);
		r[2 * DEEP - 1 - i] = rec(t + i + 1000 + 10 * i, i, 1);
	}
	hand_over(r, 2 * DEEP, 0);
}

static void cut(void)
{
	unsigned long long t = now();
	struct hotmem_probe_rec r[CUT];

	for (int i = 0; i < CUT; i++)
		r[i] = rec(t + i, HMT_FN_online_pages, i % 2);
	hand_over(r, CUT, CUT - HOTMEM_PROBE_BATCH_MAX);
}

static void unreadable(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	hand_over(p, 5, 5);
	munmap(p, 4096);
}

/* whether @file appeared within 120 s */
static bool gate(const char *file)
{
	for (int i = 0; i < 12000; i++) {
		if (!access(file, F_OK))
			return true;
		usleep(10000);
	}
	fprintf(stderr, "batch_target: %s did not appear in 120 s\n", file);
	return false;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	bool all;

	if (!strcmp(what, "gate")) {
		if (argc < 4 || !gate(argv[2]))
			return 1;
		what = argv[3];
	}
	all = !strcmp(what, "all");

	if (all || !strcmp(what, "mismatch"))
		mismatch();
	if (all || !strcmp(what, "deep"))
		deep();
	if (all || !strcmp(what, "cut"))
		cut();
	if (all || !strcmp(what, "unreadable"))
		unreadable();
	printf("records %ld lost %ld%s\n", handed, lost,
	       hotmem_batch_semaphore ? "" : " (not traced)");
	return 0;
}
