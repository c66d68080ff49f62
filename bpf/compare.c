// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace compare: normalise, align and diff two traces */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "absent.h"
#include "compare.h"
#include "event.h"
#include "jsonl.h"

#define LCS_MAX 4096 /* events a side for the O(n*m) alignment */

static int push(struct hmt_rec **v, size_t *n, size_t *cap, const struct hmt_rec *r)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct hmt_rec *nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = *r;
	return 0;
}

static void rec_from_obj(struct hmt_rec *r, const struct jsonl_obj *o, int line)
{
	const char *zone = jsonl_str(o, "zone", "");

	memset(r, 0, sizeof(*r));
	r->line = line;
	r->ts = jsonl_num(o, "ts", 0);
	snprintf(r->src, sizeof(r->src), "%s", jsonl_str(o, "src", ""));
	r->zid = jsonl_num(o, "zid", -1);
	snprintf(r->ev, sizeof(r->ev), "%s", jsonl_str(o, "ev", ""));
	snprintf(r->phase, sizeof(r->phase), "%s", jsonl_str(o, "phase", ""));
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	r->start_pfn = jsonl_num(o, "start_pfn", 0);
	r->nr_pages = jsonl_num(o, "nr_pages", 0);
	r->nid = jsonl_num(o, "nid", -1);
	r->has_ret = jsonl_get(o, "ret") && jsonl_get(o, "ret")->type == JSONL_NUM;
	r->ret = jsonl_num(o, "ret", 0);
	r->extra = jsonl_num(o, "extra", 0);
	r->memtotal = jsonl_num(o, "MemTotal", -1);
	/*
	 * Free pages on the per-cpu lists are not in MemFree until drained
	 * (6.12's auto-tuned pcp->high keeps megabytes there; offline_pages
	 * drains them): counted as free when the record has them.
	 */
	r->memfree = jsonl_num(o, "MemFree", -1);
	if (r->memfree >= 0)
		r->memfree += jsonl_num(o, "PcpFree", 0);
	r->count = jsonl_num(o, "count", 0);
	r->since = jsonl_num(o, "since", 0);
}

static bool is_zone_event(const struct hmt_rec *r)
{
	return !strcmp(r->ev, "mm_setup_per_zone_wmarks");
}

/* a line that is not an event: counted, the first one kept to be named */
static void skip_line(struct hmt_trace *t, const char *line, int lineno)
{
	if (!t->skipped++) {
		t->first_skipped = lineno;
		snprintf(t->skipped_text, sizeof(t->skipped_text), "%.*s",
			 (int)strcspn(line, "\r\n"), line);
	}
}

/*
 * The header's release(s) (event.h hmt_format_json_header()): the first
 * header's, a trace being one recording (cat of two: the first one's).
 */
static void read_header(struct hmt_trace *t, const struct jsonl_obj *obj)
{
	if (!t->kernel_release[0])
		snprintf(t->kernel_release, sizeof(t->kernel_release), "%s",
			 jsonl_str(obj, "kernel_release", ""));
	if (!t->engine[0])
		snprintf(t->engine, sizeof(t->engine), "%s", jsonl_str(obj, "engine", ""));
	t->kallsyms_hidden |= jsonl_num(obj, "kallsyms_hidden", 0) != 0;
}

/*
 * A line's object may follow a prefix (a console's "HMT "); blank lines
 * are nothing, a header is read, any other line without an event object
 * is skipped.
 */
static int add_line(struct hmt_trace *t, const char *line, int lineno)
{
	const char *brace = strchr(line, '{');
	struct jsonl_obj obj;
	struct hmt_rec r;
	bool parsed;

	if (!line[strspn(line, " \t\r\n")])
		return 0;
	/* one parse a line: a header, an event, or neither */
	parsed = brace && !jsonl_parse(brace, &obj);
	if (parsed && !jsonl_get(&obj, "ev") && jsonl_get(&obj, HMT_HEADER_KEY)) {
		read_header(t, &obj);
		return 0;
	}
	if (!parsed || !jsonl_get(&obj, "ev")) {
		skip_line(t, line, lineno);
		return 0;
	}
	rec_from_obj(&r, &obj, lineno);
	if (!strcmp(r.ev, "meminfo"))
		return push(&t->mi, &t->nmi, &t->cap_mi, &r);
	if (!strcmp(r.ev, HMT_LOST_EV)) {
		t->lost_events += r.count;
		return push(&t->lost, &t->nlost, &t->cap_lost, &r);
	}
	if (r.nr_pages && !is_zone_event(&r) && r.start_pfn < t->base)
		t->base = r.start_pfn;
	return push(&t->ev, &t->nev, &t->cap_ev, &r);
}

int hmt_trace_read(struct hmt_trace *t, FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, err = 0;

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->base = UINT64_MAX;
	while (!err && getline(&line, &cap, f) >= 0)
		err = add_line(t, line, ++lineno);
	free(line);
	if (t->base == UINT64_MAX)
		t->base = 0;
	if (!err && ferror(f))
		err = -EIO;
	if (!err && t->skipped && !t->nev && !t->nmi)
		err = -EBADMSG;
	return err;
}

int hmt_trace_load(struct hmt_trace *t, const char *path)
{
	FILE *f = fopen(path, "r");
	int err;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -errno;
	err = hmt_trace_read(t, f, path);
	fclose(f);
	return err;
}

int hmt_trace_open(struct hmt_trace *t, const char *path, const char *tool)
{
	int err = hmt_trace_load(t, path);

	if (err == -EBADMSG)
		fprintf(stderr,
			"hotmem-trace %s: %s:%d: not a hotmem-trace JSON line: '%s' "
			"(record with --json, or -J FILE)\n",
			tool, path, t->first_skipped, t->skipped_text);
	else if (err)
		fprintf(stderr, "hotmem-trace %s: %s: %s\n", tool, path, strerror(-err));
	else if (t->skipped)
		fprintf(stderr,
			"hotmem-trace %s: %s: %zu line%s skipped, not hotmem-trace JSON lines "
			"(the first: line %d)\n",
			tool, path, t->skipped, t->skipped == 1 ? "" : "s", t->first_skipped);
	if (err)
		hmt_trace_free(t);
	return err;
}

void hmt_trace_free(struct hmt_trace *t)
{
	free(t->ev);
	free(t->mi);
	free(t->lost);
	memset(t, 0, sizeof(*t));
}

int hmt_trace_check_lossless(const struct hmt_trace *t, const char *tool)
{
	const struct hmt_rec *first = t->nlost ? &t->lost[0] : NULL;

	if (!first)
		return 0;
	fprintf(stderr,
		"hotmem-trace %s: %s: %llu events lost by the tracer (its ring buffer was full; "
		"%zu \"lost\" record%s, the first at line %d, between %.6f and %.6f s): "
		"differences would be the tracer's, not the traced code's: not compared "
		"(trace the scenario again)\n",
		tool, t->name, t->lost_events, t->nlost, t->nlost == 1 ? "" : "s", first->line,
		first->since / 1e9, first->ts / 1e9);
	return -ENODATA;
}

/* ---- which (ev, phase) pairs are compared ------------------------- */

/* events whose extra says which operation it is: part of their key */
static bool keyed_by_extra(const struct hmt_rec *r)
{
	return !strcmp(r->ev, "memory_notify");
}

static bool same_key(const struct hmt_rec *x, const struct hmt_rec *y)
{
	return !strcmp(x->ev, y->ev) && !strcmp(x->phase, y->phase) &&
	       (!keyed_by_extra(x) || x->extra == y->extra);
}

static const char *key_suffix(const struct hmt_rec *r, char *buf, size_t len)
{
	const char *action = hmu_mem_action_name(r->extra);

	if (!keyed_by_extra(r))
		return "";
	if (action)
		snprintf(buf, len, "(%s)", action);
	else
		snprintf(buf, len, "(%lld)", r->extra);
	return buf;
}

static bool trace_has_key(const struct hmt_trace *t, const struct hmt_rec *r)
{
	for (size_t i = 0; i < t->nev; i++)
		if (same_key(&t->ev[i], r))
			return true;
	return false;
}

/* the steps (keys) of one trace the other has, and those it has alone */
struct hmt_only {
	size_t common; /* steps both traces have */
	size_t expected, missing; /* only in this trace: listed in absent.c, or not */
	size_t expected_events; /* the events of the expected steps: not compared, not counted */
	const char *list; /* the other trace's kernel version's list (absent.h) */
	char expected_evs[160], missing_evs[160]; /* their event names */
	/* the expected steps by reason, each function (action) once: said in one line */
	struct {
		const char *why;
		char names[160];
	} why[8];
	size_t nwhy;
};

static int report(int ndiff, const struct hmt_cmp_opts *o)
{
	return !o->max_report || ndiff <= o->max_report;
}

static bool trace_has_ev(const struct hmt_trace *t, const char *ev, size_t len)
{
	for (size_t i = 0; i < t->nev; i++)
		if (strlen(t->ev[i].ev) == len && !strncmp(t->ev[i].ev, ev, len))
			return true;
	return false;
}

/*
 * A trace of a real kernel (every event's src "kernel"): only such a trace
 * may lack a step its kernel version does not show (absent.c).
 */
static bool kernel_trace(const struct hmt_trace *t)
{
	for (size_t i = 0; i < t->nev; i++)
		if (strcmp(t->ev[i].src, "kernel"))
			return false;
	return t->nev > 0;
}

/* "memory_notify, online_pages": each event name once, "..." when full */
static void add_name(char *list, size_t len, const char *ev)
{
	size_t n = strlen(list), l = strlen(ev);

	for (const char *p = list; (p = strstr(p, ev)); p += l)
		if ((p == list || p[-1] == ' ') && (p[l] == ',' || !p[l]))
			return;
	if (n + l + 8 < len)
		snprintf(list + n, len - n, "%s%s", n ? ", " : "", ev);
	else if (n + 5 < len && strcmp(list + n - 3, "..."))
		snprintf(list + n, len - n, ", ...");
}

/*
 * Whether @r is the first event of its step: @steps holds the first event
 * of each step seen so far (a scenario has some 40), @r is added when it
 * is.  Each step is then counted and said once.
 */
static bool first_of_step(const struct hmt_rec **steps, size_t *nsteps, const struct hmt_rec *r)
{
	for (size_t j = 0; j < *nsteps; j++)
		if (same_key(steps[j], r))
			return false;
	steps[(*nsteps)++] = r;
	return true;
}

static bool required(const struct hmt_cmp_opts *o, const char *ev)
{
	size_t l = strlen(ev);

	for (const char *p = o->require; p && *p;
	     p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		if (strcspn(p, ",") == l && !strncmp(p, ev, l))
			return true;
	return false;
}

/*
 * Why the kernel of @other (a kernel trace, @kother) does not show @r's
 * step, which only the other trace has (absent.c); NULL: it should, a
 * difference -- and so when --require names it and @other lacks it
 * altogether (check_required() counts that one).
 */
static const char *absent_why(const struct hmt_trace *other, bool kother, const struct hmt_rec *r,
			      const struct hmt_cmp_opts *o)
{
	const char *action = keyed_by_extra(r) ? hmu_mem_action_name(r->extra) : NULL;

	const char *why;

	if (!kother || (required(o, r->ev) && !trace_has_ev(other, r->ev, strlen(r->ev))))
		return NULL;
	why = other->kallsyms_hidden ? hmt_hidden_why(r->ev, action) : NULL;
	return why ? why : hmt_absent_why(o->kernel, r->ev, action);
}

/*
 * An expected step's function (with memory_notify's action: the list
 * names those) under its reason; enter and exit are one name.  Past the
 * groups' room the last group ends "..." (add_name()).
 */
static void add_expected(struct hmt_only *only, const struct hmt_rec *r, const char *key,
			 const char *why)
{
	char name[96];
	size_t i;

	for (i = 0; i < only->nwhy; i++)
		if (!strcmp(only->why[i].why, why))
			break;
	if (i == only->nwhy && i < sizeof(only->why) / sizeof(only->why[0]))
		only->why[only->nwhy++].why = why;
	if (i == only->nwhy)
		i--;
	snprintf(name, sizeof(name), "%s%s", r->ev, key);
	add_name(only->why[i].names, sizeof(only->why[i].names), name);
}

/*
 * The steps only @t has that @only->list's kernel does not show, one line
 * for all: "compare: not compared, only in e.jsonl (expected on 6.12):
 * memory_block_online, memory_block_offline (inlined: ...);
 * mm_setup_per_zone_wmarks (no such tracepoint ...)".  It was a line per
 * step, enter and exit apart: 5 lines for 3 functions.
 */
static void say_expected(const struct hmt_trace *t, const struct hmt_only *only, FILE *out)
{
	if (!only->nwhy)
		return;
	fprintf(out, "compare: not compared, only in %s (expected on %s):", t->name, only->list);
	for (size_t i = 0; i < only->nwhy; i++)
		fprintf(out, "%s %s (%s)", i ? ";" : "", only->why[i].names, only->why[i].why);
	fputc('\n', out);
}

/*
 * A step only @t has: expected (listed, not compared) when @why says the
 * kernel of @other does not show it, else a difference -- one per step,
 * its events not aligned -- unless --require names it and @other lacks
 * it altogether (check_required() counts that one).
 */
static void only_step(const struct hmt_trace *t, const struct hmt_trace *other,
		      const struct hmt_rec *r, const char *why, struct hmt_only *only, int *ndiff,
		      const struct hmt_cmp_opts *o)
{
	char buf[32];
	const char *key = key_suffix(r, buf, sizeof(buf));

	if (required(o, r->ev) && !trace_has_ev(other, r->ev, strlen(r->ev)))
		return;
	if (why) {
		only->expected++;
		add_name(only->expected_evs, sizeof(only->expected_evs), r->ev);
		add_expected(only, r, key, why);
		return;
	}
	only->missing++;
	add_name(only->missing_evs, sizeof(only->missing_evs), r->ev);
	if (report(++*ndiff, o))
		fprintf(o->out, "%s:%d only in %s, no such step in %s: %s/%s%s\n", t->name, r->line,
			t->name, other->name, r->ev, r->phase, key);
}

/*
 * Keep the events whose step (key) the other trace has too; a step only
 * @t has is said once (only_step()).  --strict keeps everything: each
 * event of such a step is then a difference of the alignment.  The
 * number of events kept, -ENOMEM.
 */
static long filter_common(const struct hmt_trace *t, const struct hmt_trace *other,
			  const struct hmt_rec **out, struct hmt_only *only, int *ndiff,
			  const struct hmt_cmp_opts *o)
{
	const struct hmt_rec **steps = calloc(t->nev + 1, sizeof(*steps));
	size_t n = 0, nsteps = 0;
	bool kother = !o->strict && kernel_trace(other); /* --strict lists nothing */

	memset(only, 0, sizeof(*only));
	only->list = o->kernel;
	if (!steps)
		return -ENOMEM;
	for (size_t i = 0; i < t->nev; i++) {
		const struct hmt_rec *r = &t->ev[i];
		bool common = trace_has_key(other, r), first = first_of_step(steps, &nsteps, r);
		const char *why = common ? NULL : absent_why(other, kother, r, o);

		if (o->strict || common)
			out[n++] = r;
		/* each event of a step not compared: the truncation test leaves it out */
		only->expected_events += why != NULL;
		if (first && common)
			only->common++;
		else if (first && o->strict)
			only->missing++,
				add_name(only->missing_evs, sizeof(only->missing_evs), r->ev);
		else if (first)
			only_step(t, other, r, why, only, ndiff, o);
	}
	free(steps);
	return n;
}

/* ---- field comparison of an aligned pair -------------------------- */

static bool extra_compared(const struct hmt_rec *r, bool strict)
{
	static const char *const evs[] = {
		"memory_notify",
		"mhp_init_memmap_on_memory",
		"vmemmap_populate",
		"vmemmap_populate_hugepages",
		"vmemmap_populate_basepages",
		"create_memory_block_devices",
		"test_pages_isolated",
	};

	if (strict)
		return true;
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (!strcmp(r->ev, evs[i]))
			return true;
	return false;
}

static long long rel_extra(const struct hmt_rec *r, unsigned long long base)
{
	return !strcmp(r->ev, "test_pages_isolated") ? r->extra - (long long)base : r->extra;
}

/*
 * @pfn relative to the trace's base, signed: a zone's range or a boot
 * block below the hot-added memory is "-0xff000", not 2^64 - 0xff000.
 */
static const char *rel_pfn(unsigned long long pfn, unsigned long long base, char *buf, size_t len)
{
	if (pfn >= base)
		snprintf(buf, len, "+%#llx", pfn - base);
	else
		snprintf(buf, len, "-%#llx", base - pfn);
	return buf;
}

/* @r's range is unknown: 0 pages in a trace taken with kallsyms addresses hidden */
static bool range_unknown(const struct hmt_trace *t, const struct hmt_rec *r)
{
	return t->kallsyms_hidden && !r->nr_pages && hmt_hidden_range(r->ev);
}

static int diff_pair(const struct hmt_trace *a, const struct hmt_rec *x, const struct hmt_trace *b,
		     const struct hmt_rec *y, const struct hmt_cmp_opts *o, char *buf, size_t len)
{
	char rx[24], ry[24];
	size_t n = 0;

#define DIFF(...) (n += snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	if (!is_zone_event(x) && (x->nr_pages || y->nr_pages) && !range_unknown(a, x) &&
	    !range_unknown(b, y)) {
		if (x->start_pfn - a->base != y->start_pfn - b->base)
			DIFF(" start_pfn %s != %s;", rel_pfn(x->start_pfn, a->base, rx, sizeof(rx)),
			     rel_pfn(y->start_pfn, b->base, ry, sizeof(ry)));
		if (x->nr_pages != y->nr_pages)
			DIFF(" nr_pages %llu != %llu;", x->nr_pages, y->nr_pages);
	}
	if (x->nid >= 0 && y->nid >= 0 && x->nid != y->nid)
		DIFF(" nid %d != %d;", x->nid, y->nid);
	if (x->zone[0] && y->zone[0] && strcmp(x->zone, y->zone))
		DIFF(" zone %s != %s;", x->zone, y->zone);
	if (x->has_ret && y->has_ret && x->ret != y->ret)
		DIFF(" ret %lld != %lld;", x->ret, y->ret);
	if (extra_compared(x, o->strict) && rel_extra(x, a->base) != rel_extra(y, b->base))
		DIFF(" extra %lld != %lld;", rel_extra(x, a->base), rel_extra(y, b->base));
#undef DIFF
	return n > 0;
}

/* ---- alignment ----------------------------------------------------- */

struct align {
	const struct hmt_rec **x, **y;
	const struct hmt_trace *a, *b;
	size_t nx, ny;
	uint16_t *lcs; /* (nx + 1) * (ny + 1), from the end */
};

/*
 * How well x[i] and y[j] match: 0 not at all (other key), 1 same key,
 * 2 same key on the same block-relative range.  The alignment maximises
 * the sum, so a step is matched with its counterpart on the same block.
 */
static int weight(const struct align *al, size_t i, size_t j)
{
	const struct hmt_rec *x = al->x[i], *y = al->y[j];

	if (!same_key(x, y))
		return 0;
	return 1 + (x->start_pfn - al->a->base == y->start_pfn - al->b->base);
}

static int align_lcs(struct align *al)
{
	size_t w = al->ny + 1;

	if (al->nx > LCS_MAX || al->ny > LCS_MAX)
		return -E2BIG;
	al->lcs = calloc((al->nx + 1) * w, sizeof(*al->lcs));
	if (!al->lcs)
		return -ENOMEM;
	for (size_t i = al->nx; i-- > 0;)
		for (size_t j = al->ny; j-- > 0;) {
			uint16_t d = al->lcs[(i + 1) * w + j], r = al->lcs[i * w + j + 1];
			uint16_t best = d > r ? d : r;
			int wt = weight(al, i, j);

			if (wt && al->lcs[(i + 1) * w + j + 1] + wt > best)
				best = al->lcs[(i + 1) * w + j + 1] + wt;
			al->lcs[i * w + j] = best;
		}
	return 0;
}

static void print_only(FILE *f, const struct hmt_trace *t, const struct hmt_rec *r)
{
	char key[32], ret[32] = "", rel[24];

	if (r->has_ret)
		snprintf(ret, sizeof(ret), " ret=%lld", r->ret);
	fprintf(f, "%s:%d only in %s: %s/%s%s %s nr_pages=%llu zone=%s%s\n", t->name, r->line,
		t->name, r->ev, r->phase, key_suffix(r, key, sizeof(key)),
		rel_pfn(r->start_pfn, t->base, rel, sizeof(rel)), r->nr_pages,
		r->zone[0] ? r->zone : "-", ret);
}

/* each difference counted in *@ndiff, which holds those found before */
static void walk(const struct align *al, const struct hmt_trace *a, const struct hmt_trace *b,
		 const struct hmt_cmp_opts *o, int *ndiff)
{
	size_t i = 0, j = 0, w = al->ny + 1;
	char buf[512];

	while (i < al->nx || j < al->ny) {
		int wt = i < al->nx && j < al->ny ? weight(al, i, j) : 0;

		if (wt && (!al->lcs || al->lcs[i * w + j] == al->lcs[(i + 1) * w + j + 1] + wt)) {
			if (diff_pair(a, al->x[i], b, al->y[j], o, buf, sizeof(buf)) &&
			    report(++*ndiff, o))
				fprintf(o->out, "%s:%d %s:%d %s/%s:%s\n", a->name, al->x[i]->line,
					b->name, al->y[j]->line, al->x[i]->ev, al->x[i]->phase,
					buf);
			i++, j++;
		} else if (j >= al->ny ||
			   (i < al->nx &&
			    (!al->lcs || al->lcs[(i + 1) * w + j] >= al->lcs[i * w + j + 1]))) {
			if (report(++*ndiff, o))
				print_only(o->out, a, al->x[i]);
			i++;
		} else {
			if (report(++*ndiff, o))
				print_only(o->out, b, al->y[j]);
			j++;
		}
	}
}

/* ---- meminfo: each step's change must agree ------------------------ */

static const struct hmt_rec *find_step(const struct hmt_trace *t, const char *step)
{
	for (size_t i = 0; i < t->nmi; i++)
		if (!strcmp(t->mi[i].phase, step))
			return &t->mi[i];
	return NULL;
}

/*
 * The tolerance of a change over @steps steps: @tol times the square root
 * of @steps (the kernel's noise, see below), in whole kB, at most
 * LLONG_MAX.  Newton's iteration from above (tol * steps >= the root), so
 * no libm.
 */
static long long grown_tol(long long tol, size_t steps)
{
	long double s = (long double)tol * tol * steps, r = (long double)tol * steps;

	if (tol <= 0 || !steps)
		return tol > 0 ? tol : 0;
	for (int i = 0; i < 64 && r * r > s; i++)
		r = (r + s / r) / 2;
	return r >= (long double)LLONG_MAX ? LLONG_MAX : (long long)r;
}

/*
 * Each step is compared by its own change, from the step before it (both
 * traces have both): a live guest frees or allocates a few MB once (udev's
 * workers, a kfree_rcu batch) and, counted from the first record, that one
 * event was carried into every later step: a CI guest's MemFree was
 * 2.6 MB up at "added" already, and its online, offline and again steps
 * were then 4.2-4.9 MB off "from boot" against a 4096 kB tolerance.
 *
 * Steps alone would pass an engine off by just under the tolerance at
 * every step, the same way each time (4000 kB less freed at each of 4
 * steps: 16000 kB off in all).  So the whole change too, first common step
 * to last, when every step passed, within a tolerance that grows as the
 * kernel's own noise does: its one-off frees and allocations are not tied
 * from one step to the next, so their sum grows as a random walk's, with
 * the square root of the steps -- tolerance x sqrt(steps) -- while a steady
 * drift grows with the steps themselves and leaves it behind (16000 kB >
 * 4096 x sqrt(4) = 8192 kB; that CI guest, 4.2-4.9 MB in all, is within).
 */
static void compare_meminfo(const struct hmt_trace *a, const struct hmt_trace *b,
			    const struct hmt_cmp_opts *o, int *ndiff)
{
	const struct hmt_rec *xp = NULL, *yp = NULL, *x0 = NULL, *y0 = NULL;
	size_t steps = 0;
	bool step_off = false;
	long long tol;

	/* steps both traces have, in A's order: a step one lacks is bridged, never a hidden next step */
	for (size_t i = 0; i < a->nmi; i++) {
		const struct hmt_rec *x = &a->mi[i], *y = find_step(b, x->phase);
		long long dta, dtb, dfa, dfb;

		if (!y)
			continue;
		if (!xp) {
			xp = x0 = x, yp = y0 = y;
			continue;
		}
		steps++;
		dta = x->memtotal - xp->memtotal;
		dtb = y->memtotal - yp->memtotal;
		dfa = x->memfree - xp->memfree;
		dfb = y->memfree - yp->memfree;
		if (dta != dtb && report(++*ndiff, o))
			fprintf(o->out,
				"meminfo %s (from %s): MemTotal change %+lld kB != %+lld kB\n",
				x->phase, xp->phase, dta, dtb);
		if (llabs(dfa - dfb) > o->memfree_tol_kb) {
			step_off = true;
			if (report(++*ndiff, o))
				fprintf(o->out,
					"meminfo %s (from %s): MemFree(+PcpFree) change %+lld kB != %+lld kB (tolerance %lld kB)\n",
					x->phase, xp->phase, dfa, dfb, o->memfree_tol_kb);
		}
		xp = x, yp = y;
	}
	/* one step is its own sum; a step already off is said once, there */
	if (steps < 2 || step_off)
		return;
	tol = grown_tol(o->memfree_tol_kb, steps);
	if (llabs((xp->memfree - x0->memfree) - (yp->memfree - y0->memfree)) > tol &&
	    report(++*ndiff, o))
		fprintf(o->out,
			"meminfo %s (from %s, %zu steps in all): MemFree(+PcpFree) change %+lld kB != %+lld kB "
			"(tolerance %lld kB = %lld x sqrt(%zu): each step within, a drift)\n",
			xp->phase, x0->phase, steps, xp->memfree - x0->memfree,
			yp->memfree - y0->memfree, tol, o->memfree_tol_kb, steps);
}

/* ---- required steps: both traces must have them ------------------ */

/*
 * A step listed in o->require that one trace lacks is a difference, not
 * a "not compared" note: the comparison is then step for step on them.
 */
static void check_required(const struct hmt_trace *a, const struct hmt_trace *b,
			   const struct hmt_cmp_opts *o, int *ndiff)
{
	const char *p = o->require;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		bool in_a = trace_has_ev(a, p, len), in_b = trace_has_ev(b, p, len);

		if (len && !(in_a && in_b) && report(++*ndiff, o))
			fprintf(o->out, "compare: required step %.*s missing from %s\n", (int)len,
				p,
				in_a ? b->name :
				in_b ? a->name :
				       "both traces");
		p += len + (p[len] == ',');
	}
}

/*
 * A trace with fewer than half the other's events is a truncated
 * recording (or a scenario cut short), whatever its steps: a difference,
 * said; under --strict a note (every event is compared there already).
 * The events of the steps not compared (a kernel version that does not
 * show them, absent.c) are left out of both counts: the engine shows some
 * 15 steps 6.1 does not, and a whole 6.1 recording was "fewer than half".
 */
static int check_truncated(const struct hmt_trace *a, const struct hmt_only *oa,
			   const struct hmt_trace *b, const struct hmt_only *ob,
			   const struct hmt_cmp_opts *o, int ndiff)
{
	size_t na = a->nev - oa->expected_events, nb = b->nev - ob->expected_events;
	const struct hmt_trace *s = na < nb ? a : b, *l = s == a ? b : a;
	size_t ns = s == a ? na : nb, nl = s == a ? nb : na;

	if (!ns || ns * 2 >= nl)
		return 0;
	if (o->strict || report(ndiff + 1, o))
		fprintf(o->out,
			"compare: %s has %zu events, %s %zu%s: fewer than half, a truncated recording?%s\n",
			s->name, ns, l->name, nl,
			oa->expected_events + ob->expected_events ?
				" (steps not compared left out)" :
				"",
			o->strict ? "" : " (a difference)");
	return !o->strict;
}

static void summary_side(FILE *f, const struct hmt_trace *t, const struct hmt_only *only,
			 const struct hmt_cmp_opts *o)
{
	if (only->missing)
		fprintf(f, "; %zu step%s only in %s: %s -- %s", only->missing,
			only->missing == 1 ? "" : "s", t->name, only->missing_evs,
			o->strict	   ? "compared event by event (--strict)" :
			only->missing == 1 ? "a difference" :
					     "differences");
	if (only->expected)
		fprintf(f, "; %zu step%s only in %s, not compared: expected on %s (%s)",
			only->expected, only->expected == 1 ? "" : "s", t->name, only->list,
			only->expected_evs);
}

/* "compare: 0 differences in 17 common steps; 5 steps only in B, not compared: ..." */
static void summary(int ndiff, const struct hmt_trace *a, const struct hmt_only *oa,
		    const struct hmt_trace *b, const struct hmt_only *ob,
		    const struct hmt_cmp_opts *o)
{
	fprintf(o->out, "compare: %d difference%s in %zu common step%s", ndiff,
		ndiff == 1 ? "" : "s", oa->common, oa->common == 1 ? "" : "s");
	summary_side(o->out, a, oa, o);
	summary_side(o->out, b, ob, o);
	fputc('\n', o->out);
}

/*
 * The list of absent steps for kernel trace @t: --kernel's, else its
 * header's release's, else HMT_CMP_KERNEL; which one and why said on
 * @o->out, so that a reader knows what "expected" was measured against.
 */
static const char *kernel_list(const struct hmt_trace *t, const struct hmt_cmp_opts *o)
{
	const char *rel = t->kernel_release, *list = rel[0] ? hmt_absent_list(rel) : NULL;

	if (!kernel_trace(t))
		return o->kernel ? o->kernel : HMT_CMP_KERNEL; /* not used: no list applies */
	if (o->kernel) {
		fprintf(o->out,
			"compare: %s: kernel %s (--kernel%s%s): %s's list of steps it does not show\n",
			t->name, o->kernel_arg ? o->kernel_arg : o->kernel,
			rel[0] ? "; its header says " : "", rel, o->kernel);
		return o->kernel;
	}
	if (list) {
		fprintf(o->out,
			"compare: %s: kernel %s (its header): %s's list of steps it does not show\n",
			t->name, rel, list);
		return list;
	}
	if (rel[0])
		fprintf(o->out,
			"compare: %s: kernel %s (its header) has no list (6.1 or newer: %s): "
			"%s's (the default; --kernel VERSION says another)\n",
			t->name, rel, hmt_absent_lists(), HMT_CMP_KERNEL);
	else
		fprintf(o->out,
			"compare: %s: kernel release not recorded (a trace without a header): "
			"%s's list (the default; --kernel VERSION says another)\n",
			t->name, HMT_CMP_KERNEL);
	return HMT_CMP_KERNEL;
}

/* a trace taken blind to some steps and ranges (absent.h hmt_hidden_why()): said once */
static void say_hidden(const struct hmt_trace *t, FILE *out)
{
	if (t->kallsyms_hidden)
		fprintf(out,
			"compare: %s: traced with /proc/kallsyms addresses hidden (its header): "
			"memory_notify MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE and the vmemmap ranges "
			"it lacks are not compared (kernel.kptr_restrict=0 shows them)\n",
			t->name);
}

int hmt_compare(struct hmt_trace *a, struct hmt_trace *b, const struct hmt_cmp_opts *opts)
{
	struct hmt_cmp_opts o = *opts;
	struct align al = { .a = a, .b = b };
	const char *list_a = kernel_list(a, opts), *list_b = kernel_list(b, opts);
	struct hmt_only oa, ob;
	int ndiff = 0, err = -ENOMEM;
	long nx, ny;

	say_hidden(a, o.out);
	say_hidden(b, o.out);
	al.x = calloc(a->nev + 1, sizeof(*al.x));
	al.y = calloc(b->nev + 1, sizeof(*al.y));
	if (!al.x || !al.y)
		goto out;
	/* a step only one trace has: the other's kernel may not show it */
	o.kernel = list_b;
	nx = filter_common(a, b, al.x, &oa, &ndiff, &o);
	o.kernel = list_a;
	ny = filter_common(b, a, al.y, &ob, &ndiff, &o);
	if (nx < 0 || ny < 0)
		goto out;
	say_expected(a, &oa, o.out);
	say_expected(b, &ob, o.out);
	al.nx = nx;
	al.ny = ny;
	fprintf(o.out, "compare: %s: %zu events, %zu compared, base pfn %#llx\n", a->name, a->nev,
		al.nx, a->base);
	fprintf(o.out, "compare: %s: %zu events, %zu compared, base pfn %#llx\n", b->name, b->nev,
		al.ny, b->base);
	err = align_lcs(&al);
	if (err == -E2BIG)
		fprintf(o.out, "compare: more than %d events: aligned in lockstep\n", LCS_MAX);
	else if (err)
		goto out;
	walk(&al, a, b, &o, &ndiff);
	compare_meminfo(a, b, &o, &ndiff);
	check_required(a, b, &o, &ndiff);
	ndiff += check_truncated(a, &oa, b, &ob, &o, ndiff);
	if (!al.nx && !al.ny && (a->nev || b->nev)) {
		fprintf(o.out, "compare: no event in common%s\n",
			a->nev && b->nev ? "" : ": one trace is empty");
		ndiff++;
	} else if (!a->nev && !b->nev && !(a->nmi && b->nmi)) {
		/*
		 * two recordings that caught nothing (a header alone: the wrong
		 * --emulator pid, a kernel with no hotplug meanwhile) agree in no
		 * step: "0 differences" passed a CI gate on nothing (usereye8 #6).
		 * Their meminfo records alone are something compared.
		 */
		fprintf(o.out,
			"compare: nothing to compare: neither trace has an event (was anything "
			"traced? --emulator PID, the kernel's probes: see hotmem-trace's ready: line)\n");
		ndiff++;
	}
	if (o.max_report && ndiff > o.max_report)
		fprintf(o.out, "compare: ... %d more\n", ndiff - o.max_report);
	summary(ndiff, a, &oa, b, &ob, &o);
	err = ndiff;
out:
	free(al.lcs);
	free(al.x);
	free(al.y);
	return err;
}

/* @arg as a number from 0 to @max, else said: "--max abc" was atoi()'s 0, "all" */
static int parse_count(const char *opt, const char *arg, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(arg, &end, 10);
	if (!errno && end != arg && !*end && *v >= 0 && *v <= max)
		return 0;
	fprintf(stderr, "hotmem-trace compare: bad %s '%s' (a number, 0 to %lld)\n", opt, arg, max);
	return -EINVAL;
}

/* the edit distance of @a (@la bytes) and @b, capped at 63: names are short */
static int edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	int d[64], prev;

	if (la > 62 || lb > 62)
		return 63;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev + (a[i - 1] != b[j - 1]), best = d[j] + 1;

			best = d[j - 1] + 1 < best ? d[j - 1] + 1 : best;
			prev = d[j];
			d[j] = sub < best ? sub : best;
		}
	}
	return d[lb];
}

/*
 * --require names steps hotmem-trace records (hotmem-trace(8)'s USDT
 * probes, the kernel functions they are named after): a name that is none
 * of them (a typo: online_page) is a usage error, not a step "missing from
 * both traces" -- that said 1 difference, a regression's status.
 */
static int check_require_names(const char *list)
{
	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		size_t len = strcspn(p, ",");
		const char *near = NULL;
		int best = 4; /* farther than 3 edits: no suggestion */
		char name[HMT_EV_LEN];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (!len || (len < sizeof(name) && hmt_fn_from_name(name) >= 0))
			continue;
		for (unsigned int fn = 0; fn < HMT_NR_FN; fn++) {
			int d = edit_distance(p, len, hmt_fn_name(fn));

			if (d < best)
				best = d, near = hmt_fn_name(fn);
		}
		fprintf(stderr, "hotmem-trace compare: --require %.*s: no such step%s%s%s\n",
			(int)len, p, near ? " (" : " (see hotmem-trace(8) USDT PROBES)",
			near ? near : "", near ? "?)" : "");
		return -EINVAL;
	}
	return 0;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: hotmem-trace compare [--strict] [--require EV[,EV...]] [--kernel VERSION]\n"
		"                            [--memfree-tolerance KB] [--max N] TRACE_A TRACE_B\n"
		"exit status: 0 same, 1 different, 2 error\n"
		"A step only one trace has is a difference, but for the steps a kernel trace\n"
		"of VERSION does not show (inlined): listed, not compared.  VERSION: --kernel's,\n"
		"else the trace's header's (the release it was taken on), else " HMT_CMP_KERNEL
		".\n"
		"  -s, --strict                 every step and extra compared, event by event\n"
		"  -r, --require EV[,EV...]     steps both traces must have\n"
		"  -k, --kernel VERSION         the kernel trace's kernel version\n"
		"  -t, --memfree-tolerance KB   MemFree changes may differ by KB (default 4096)\n"
		"  -m, --max N                  print at most N differences (0: all)\n"
		"  -h, --help                   this text\n");
}

int hmt_compare_main(int argc, char **argv)
{
	static const struct option opts[] = { { "strict", no_argument, NULL, 's' },
					      { "memfree-tolerance", required_argument, NULL, 't' },
					      { "max", required_argument, NULL, 'm' },
					      { "require", required_argument, NULL, 'r' },
					      { "kernel", required_argument, NULL, 'k' },
					      { "help", no_argument, NULL, 'h' },
					      { 0 } };
	struct hmt_cmp_opts o = { .memfree_tol_kb = 4096, .out = stdout };
	struct hmt_trace a, b;
	long long max = 0;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "st:m:r:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.strict = true;
			break;
		case 't':
			if (parse_count("--memfree-tolerance", optarg, LLONG_MAX,
					&o.memfree_tol_kb))
				return 2;
			break;
		case 'm':
			if (parse_count("--max", optarg, INT_MAX, &max))
				return 2;
			o.max_report = max;
			break;
		case 'r':
			o.require = optarg;
			break;
		case 'k':
			o.kernel = hmt_absent_list(optarg);
			o.kernel_arg = optarg;
			if (o.kernel)
				break;
			fprintf(stderr,
				"hotmem-trace compare: --kernel %s: not a version hotmem-trace knows the "
				"absent steps of (6.1 or newer: lists for %s)\n",
				optarg, hmt_absent_lists());
			return 2;
		case 'h':
			compare_usage(stdout);
			return 0;
		default:
			compare_usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		compare_usage(stderr);
		return 2;
	}
	if (o.require && check_require_names(o.require))
		return 2;
	if (hmt_trace_open(&a, argv[optind], "compare"))
		return 2;
	if (hmt_trace_open(&b, argv[optind + 1], "compare")) {
		hmt_trace_free(&a);
		return 2;
	}
	/* both said, not only the first */
	err = hmt_trace_check_lossless(&a, "compare");
	err = hmt_trace_check_lossless(&b, "compare") ?: err;
	if (!err)
		err = hmt_compare(&a, &b, &o);
	hmt_trace_free(&a);
	hmt_trace_free(&b);
	if (err == -ENODATA)
		return 2; /* said */
	if (err < 0) {
		fprintf(stderr, "hotmem-trace compare: %s\n", strerror(-err));
		return 2;
	}
	return err ? 1 : 0;
}
