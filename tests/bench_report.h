/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One figure format for every benchmark program that scripts/bench.sh
 * (make bench) runs, and one command line refusal.
 *
 * A figure is two lines: the human one, "NAME VALUE UNIT (goal GOAL)" with
 * " NOT MET" at its end when it has a goal that is not met, and the machine
 * one, BENCH {"name":..,"value":..,"unit":..,"goal":..,"met":..}.  "met" is
 * true or false for a figure with a goal, null for one without: a goal text
 * that starts as one of BENCH_NO_GOAL's (bench.sh counts those apart, not as
 * goals met).
 */
#ifndef HOTMEM_BENCH_REPORT_H
#define HOTMEM_BENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * How the goal texts that name no goal start, '|' between them: the one
 * list.  scripts/bench.sh (its summary) and tests/agents/bench_burst.sh
 * read it from this line, so keep it one line of this form.
 */
#define BENCH_NO_GOAL "informational|none|report only"

/* a goal text that names no goal: the figure is reported for its own sake */
static inline bool bench_has_goal(const char *goal)
{
	for (const char *p = BENCH_NO_GOAL; *p;) {
		const size_t len = strcspn(p, "|");

		if (!strncmp(goal, p, len))
			return false;
		p += len + (p[len] == '|');
	}
	return true;
}

/*
 * @met is read only when @goal names a goal; @more: a "#" line printed
 * under the figure's, and @fields: more members of its BENCH object
 * (",\"key\":value..."), or NULL
 */
static inline void bench_report_more(const char *name, double value, const char *unit,
				     const char *goal, bool met, const char *more,
				     const char *fields)
{
	const bool goal_set = bench_has_goal(goal);

	printf("%s %.3f %s (goal %s)%s\n", name, value, unit, goal,
	       goal_set && !met ? " NOT MET" : "");
	if (more)
		printf("%s\n", more);
	printf("BENCH {\"name\":\"%s\",\"value\":%.6f,\"unit\":\"%s\",\"goal\":\"%s\",\"met\":%s%s}\n",
	       name, value, unit, goal, !goal_set ? "null" : met ? "true" : "false",
	       fields ? fields : "");
	fflush(stdout);
}

/* @met is read only when @goal names a goal */
static inline void bench_report(const char *name, double value, const char *unit,
				const char *goal, bool met)
{
	bench_report_more(name, value, unit, goal, met, NULL, NULL);
}

/*
 * Two sides timed in batches taken in turn (A B A B ...), as a ratio A/B
 * judged by the medians: on a shared machine one disturbed batch moves a
 * best-of (the best of 15 of each gave 1.63x under load where the medians
 * gave 1.0x, reviews/ochange.md).  Beside the figure: each side's median
 * and spread ((q3 - q1) / median), the ratio of the bests (what the
 * figure was before 2026-11-30), and the 1-minute load average.
 */
struct bench_pair {
	double median[2], spread[2], best[2];
	int batches;
};

static inline int bench_cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* one side's @n batches @v (sorted here, as the callers' median()s do) into side @i */
static inline void bench_pair_side(struct bench_pair *p, int i, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	p->median[i] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	p->spread[i] = p->median[i] > 0 ? (v[3 * n / 4] - v[n / 4]) / p->median[i] : 0;
	p->best[i] = v[0];
	p->batches = n;
}

/* side A's @n batches @a against side B's @b (both sorted here) */
static inline void bench_pair_of(struct bench_pair *p, double *a, double *b, int n)
{
	bench_pair_side(p, 0, a, n);
	bench_pair_side(p, 1, b, n);
}

/* the figure: A's median over B's */
static inline double bench_pair_ratio(const struct bench_pair *p)
{
	return p->median[1] > 0 ? p->median[0] / p->median[1] : -1;
}

/* /proc/loadavg's 1-minute figure, or -1 */
static inline double bench_load1(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	double l = -1;

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/*
 * The ratio of @p's medians as the figure @name (unit "x"), @met judged
 * on it by the caller; @what: the sides' unit, "us" or "ms".  The "#"
 * line under it, and in bench.json "batches", "medians" (in
 * "medians_unit": @what), "spread", "best_ratio" and "load1"; a load above
 * the CPUs is said there (and bench.sh's NOT MET list shows the medians).
 */
static inline void bench_report_pair(const char *name, const struct bench_pair *p,
				     const char *what, const char *goal, bool met)
{
	const double load = bench_load1();
	const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const double best = p->best[1] > 0 ? p->best[0] / p->best[1] : -1;
	char more[320], fields[256];

	snprintf(more, sizeof(more),
		 "#   medians of %d batches each, in turn: %.2f %s against %.2f %s (quartiles "
		 "%.0f%% and %.0f%% of them apart); best against best %.3fx; load average %.2f "
		 "on %ld CPUs%s",
		 p->batches, p->median[0], what, p->median[1], what, p->spread[0] * 100,
		 p->spread[1] * 100, best, load, cpus,
		 load > cpus ? " -- above the CPUs: disturbed, measure again" : "");
	snprintf(fields, sizeof(fields),
		 ",\"judged\":\"median\",\"batches\":%d,\"medians\":[%.6f,%.6f],"
		 "\"medians_unit\":\"%s\",\"spread\":[%.4f,%.4f],\"best_ratio\":%.6f,"
		 "\"load1\":%.2f",
		 p->batches, p->median[0], p->median[1], what, p->spread[0], p->spread[1], best,
		 load);
	bench_report_more(name, bench_pair_ratio(p), "x", goal, met, more, fields);
}

/*
 * A command line argument @arg that is not one of @prog's parts: refused
 * with the usage line, exit status 2 -- run, it would measure nothing and
 * succeed.  @usage is what follows the program's name, e.g. "[small|huge]".
 */
static inline void bench_refuse_arg(const char *prog, const char *arg, const char *usage)
{
	fprintf(stderr, "%s: no part '%s'\nusage: %s %s\n", prog, arg, prog, usage);
	exit(2);
}

/* a program without parts: any argument refused */
static inline void bench_no_args(int argc, char **argv, const char *prog)
{
	if (argc > 1)
		bench_refuse_arg(prog, argv[1], "(no arguments: it measures every figure)");
}

#endif
