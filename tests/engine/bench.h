/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the benchmark programs: timing and the figure format. */
#ifndef HOTMEM_BENCH_H
#define HOTMEM_BENCH_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

/* one figure: the human line, then the machine line */
static inline void figure(const char *name, double value, const char *unit,
			  const char *goal, bool met)
{
	printf("%s %.3f %s (goal %s)%s\n", name, value, unit, goal, met ? "" : " NOT MET");
	printf("BENCH {\"name\":\"%s\",\"value\":%.6f,\"unit\":\"%s\",\"goal\":\"%s\",\"met\":%s}\n",
	       name, value, unit, goal, met ? "true" : "false");
	fflush(stdout);
}

#endif
