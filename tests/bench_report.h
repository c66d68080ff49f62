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

/* @met is read only when @goal names a goal */
static inline void bench_report(const char *name, double value, const char *unit,
				const char *goal, bool met)
{
	const bool goal_set = bench_has_goal(goal);

	printf("%s %.3f %s (goal %s)%s\n", name, value, unit, goal,
	       goal_set && !met ? " NOT MET" : "");
	printf("BENCH {\"name\":\"%s\",\"value\":%.6f,\"unit\":\"%s\",\"goal\":\"%s\",\"met\":%s}\n",
	       name, value, unit, goal, !goal_set ? "null" : met ? "true" : "false");
	fflush(stdout);
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
