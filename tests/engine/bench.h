/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the benchmark programs: timing and the figure format. */
#ifndef HOTMEM_BENCH_H
#define HOTMEM_BENCH_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../bench_report.h"

static inline double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * @size bytes of a fresh memfd mapped shared, as the engine's memory is:
 * the reference a memset() of fresh host memory is measured on.  The fd
 * stays open while mapped (bench_memfd_unmap()).  Exits on failure.
 */
static inline char *bench_memfd_map(const char *name, size_t size, int *fd)
{
	char *p;

	*fd = memfd_create(name, 0);
	if (*fd < 0 || ftruncate(*fd, (off_t)size))
		exit(1);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED)
		exit(1);
	return p;
}

static inline void bench_memfd_unmap(char *p, size_t size, int fd)
{
	munmap(p, size);
	close(fd);
}

/* one figure: the human line, then the machine line (tests/bench_report.h) */
static inline void figure(const char *name, double value, const char *unit,
			  const char *goal, bool met)
{
	bench_report(name, value, unit, goal, met);
}

#endif
