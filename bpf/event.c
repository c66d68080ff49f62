// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace: event names and output formats */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "uapi/hm_version.h"
#include "uapi/hmuapi.h"

_Static_assert(HMU_MAX_NR_ZONES == 5, "hmt_zone_name() knows five zones");

static const char *const fn_names[HMT_NR_FN] = {
#define HMT_X_NAME(fn) [HMT_FN_##fn] = #fn,
	HOTMEM_PROBES(HMT_X_NAME)
#undef HMT_X_NAME
};


const char *hmt_fn_name(unsigned int fn)
{
	return fn < HMT_NR_FN ? fn_names[fn] : "?";
}

int hmt_fn_from_name(const char *name)
{
	for (int i = 0; i < HMT_NR_FN; i++)
		if (!strcmp(fn_names[i], name))
			return i;
	return -1;
}

const char *hmt_src_name(unsigned int src)
{
	return src == HMT_SRC_KERNEL ? "kernel" : "emulator";
}

const char *hmt_phase_name(unsigned int phase)
{
	return phase == HMT_ENTER ? "enter" : "exit";
}

const char *hmt_via_name(unsigned int via)
{
	static const char *const names[HMT_NR_VIA] = {
		[HMT_VIA_FENTRY] = "fentry",
		[HMT_VIA_KPROBE] = "kprobe",
		[HMT_VIA_TRACEPOINT] = "tracepoint",
		[HMT_VIA_USDT] = "usdt",
	};

	return via < HMT_NR_VIA ? names[via] : "?";
}

const char *hmt_zone_name(int zid)
{
	return zid >= 0 && zid < HMU_MAX_NR_ZONES ? hmu_zone_names[zid] : NULL;
}

const char *hmt_event_action(const struct hmt_event *e)
{
	return e->fn == HMT_FN_memory_notify ? hmu_mem_action_name(e->extra) : NULL;
}

const char *hmt_event_zone(const struct hmt_event *e)
{
	static __thread char buf[HMT_ZONE_LEN + 1];

	if (e->zone[0]) {
		memcpy(buf, e->zone, HMT_ZONE_LEN);
		buf[HMT_ZONE_LEN] = '\0';
		return buf;
	}
	return e->src == HMT_SRC_EMULATOR ? hmt_zone_name(e->zid) : NULL;
}

/* a record's size tells an event from a batch (hotmem_trace.h) */
_Static_assert(sizeof(struct hmt_event) < sizeof(struct hmt_batch) ||
		       (sizeof(struct hmt_event) - sizeof(struct hmt_batch)) %
			       sizeof(struct hmt_batch_ev),
	       "no batch is the size of an event");

int hmt_record_events(const void *data, size_t size, hmt_event_fn *fn, void *ctx)
{
	const struct hmt_batch *b = data;
	const struct hmt_batch_ev *be;
	struct hmt_event e;
	int err;

	if (size == sizeof(e))
		return fn(ctx, data, false);
	if (size < sizeof(*b) || size != HMT_BATCH_SIZE((size_t)b->nr))
		return -EBADMSG;
	memset(&e, 0, sizeof(e));
	e.pid = b->pid;
	e.tid = b->tid;
	e.src = b->src;
	e.via = b->via;
	memcpy(e.comm, b->comm, sizeof(e.comm));
	be = (const struct hmt_batch_ev *)(b + 1);
	for (__u32 i = 0; i < b->nr; i++, be++) {
		e.ts = be->ts;
		e.start_pfn = be->start_pfn;
		e.nr_pages = be->nr_pages;
		e.extra = be->extra;
		e.ret = be->ret;
		e.dur_ns = be->dur_ns;
		e.nid = be->nid;
		e.zid = be->zid;
		e.fn = be->fn;
		e.phase = be->phase;
		err = fn(ctx, &e, i > 0);
		if (err)
			return err;
	}
	return 0;
}

/*
 * A JSON line, written by hand into a buffer known to be large enough
 * (JSON_MAX), checked once at the end: the reader formats every event of
 * the traced process, and snprintf()'s format parsing, then a bounds
 * check and a copy of unknown length per piece (~30 of them a line), were
 * most of its time (perf), time taken from the traced process on a small
 * machine.  Names are copied whole from padded tables (a fixed-size copy
 * the compiler inlines) and the pointer moved by their length.
 */

/*
 * The longest line: each of the 11 numbers at its widest (20 digits and
 * a sign), every key, the longest names, a comm of HMT_COMM_LEN bytes and
 * a zone of HMT_ZONE_LEN bytes each escaped as \u00XX -- well below this,
 * which also leaves the padded copies their slack.
 */
#define JSON_MAX 768
#define NAME_PAD 48

struct jname {
	char s[NAME_PAD]; /* NUL-padded: copied whole */
	unsigned char len;
};

#define JNAME(lit) { lit, sizeof(lit) - 1 }

static const struct jname json_ev[HMT_NR_FN] = {
#define HMT_X_EV(fn) [HMT_FN_##fn] = JNAME(",\"ev\":\"" #fn "\""),
	HOTMEM_PROBES(HMT_X_EV)
#undef HMT_X_EV
};

static const struct jname json_src[2] = {
	[HMT_SRC_KERNEL] = JNAME(",\"src\":\"kernel\""),
	[HMT_SRC_EMULATOR] = JNAME(",\"src\":\"emulator\""),
};

static const struct jname json_phase[2] = {
	[HMT_ENTER] = JNAME(",\"phase\":\"enter\""),
	[HMT_EXIT] = JNAME(",\"phase\":\"exit\""),
};

static const struct jname json_via[HMT_NR_VIA] = {
	[HMT_VIA_FENTRY] = JNAME(",\"via\":\"fentry\""),
	[HMT_VIA_KPROBE] = JNAME(",\"via\":\"kprobe\""),
	[HMT_VIA_TRACEPOINT] = JNAME(",\"via\":\"tracepoint\""),
	[HMT_VIA_USDT] = JNAME(",\"via\":\"usdt\""),
};

static const struct jname json_unknown_ev = JNAME(",\"ev\":\"?\"");
static const struct jname json_unknown_via = JNAME(",\"via\":\"?\"");

static char *put_name(char *p, const struct jname *n)
{
	memcpy(p, n->s, NAME_PAD);
	return p + n->len;
}

/* a literal: its length is known when compiled */
#define put_lit(p, lit) (memcpy(p, lit, sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* without a loop: a mispredicted branch a number was most of put_u64() */
static int nr_digits(unsigned long long v)
{
	static const unsigned long long pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
		100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
		1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL,
	};
	/* 0 has a digit; v | 1 has as many as v (10^k is even) */
	unsigned long long w = v | 1;
	/* log10(2) ~ 1233 / 4096: t digits or one less */
	int t = ((64 - __builtin_clzll(w)) * 1233) >> 12;

	return t + (w >= pow10[t]);
}

/* two digits a step, from the last, straight into place */
static char *put_u64(char *p, unsigned long long v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char *end = p + nr_digits(v), *d = end;

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100) * 2;

		v /= 100;
		*--d = pairs[r + 1];
		*--d = pairs[r];
	}
	if (v >= 10) {
		*--d = pairs[v * 2 + 1];
		*--d = pairs[v * 2];
	} else {
		*--d = (char)('0' + v);
	}
	return end;
}

static char *put_s64(char *p, long long v)
{
	if (v >= 0)
		return put_u64(p, v);
	*p++ = '-';
	return put_u64(p, -(unsigned long long)v);
}

/* "s" as a JSON string: the comm may hold anything; mostly it is plain */
static char *put_json_str(char *p, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strnlen(s, max), i;

	*p++ = '"';
	for (i = 0; i < n; i++)
		if (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			break;
	memcpy(p, s, i);
	p += i;
	for (; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[c >> 4];
			p[5] = hex[c & 15];
			p += 6;
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	return p;
}

/* ,"key":value -- the key a literal, its length known when compiled */
#define put_key_u64(p, key, v) put_u64(put_lit(p, ",\"" key "\":"), v)
#define put_key_s64(p, key, v) put_s64(put_lit(p, ",\"" key "\":"), v)

/* ,"key":"value" */
static char *put_key_str_n(char *p, const char *key_lit, size_t key_len, const char *v)
{
	memcpy(p, key_lit, key_len);
	p = put_str(p + key_len, v);
	*p++ = '"';
	return p;
}
#define put_key_str(p, key, v) put_key_str_n(p, ",\"" key "\":\"", sizeof(",\"" key "\":\"") - 1, v)

/* "pid" to "via": what a thread's events share (struct hmt_json_tail) */
static char *put_tail(char *p, const struct hmt_event *e)
{
	p = put_key_u64(p, "pid", e->pid);
	p = put_key_u64(p, "tid", e->tid);
	p = put_json_str(put_lit(p, ",\"comm\":"), e->comm, HMT_COMM_LEN);
	return put_name(p, e->via < HMT_NR_VIA ? &json_via[e->via] : &json_unknown_via);
}

static bool tail_is(const struct hmt_json_tail *t, const struct hmt_event *e)
{
	return t->len && t->pid == e->pid && t->tid == e->tid && t->via == e->via &&
	       !memcmp(t->comm, e->comm, HMT_COMM_LEN);
}

/*
 * @e's tail at @p, which has room for it and a padded name's slack: copied
 * when @t has it (@same: known without a look)
 */
static char *json_tail(char *p, const struct hmt_event *e, struct hmt_json_tail *t, bool same)
{
	char *end;

	if (!t)
		return put_tail(p, e);
	if (t->len && (same || tail_is(t, e))) {
		memcpy(p, t->s, t->len);
		return p + t->len;
	}
	end = put_tail(p, e);
	t->len = 0;
	if (end - p > HMT_JSON_TAIL_MAX)
		return end;
	memcpy(t->s, p, end - p);
	t->len = end - p;
	t->pid = e->pid;
	t->tid = e->tid;
	t->via = e->via;
	memcpy(t->comm, e->comm, HMT_COMM_LEN);
	return end;
}

/* the line into @line, which has JSON_MAX bytes; its end */
static char *json_line(const struct hmt_event *e, __u64 t0, struct hmt_json_tail *tail, bool same,
		       char *p)
{
	const char *zone = hmt_event_zone(e), *action = hmt_event_action(e);

	p = put_lit(p, "{\"ts\":");
	p = put_u64(p, e->ts >= t0 ? e->ts - t0 : 0);
	p = put_name(p, &json_src[e->src == HMT_SRC_KERNEL ? HMT_SRC_KERNEL : HMT_SRC_EMULATOR]);
	p = put_name(p, e->fn < HMT_NR_FN ? &json_ev[e->fn] : &json_unknown_ev);
	p = put_name(p, &json_phase[e->phase == HMT_ENTER ? HMT_ENTER : HMT_EXIT]);
	p = put_key_u64(p, "start_pfn", e->start_pfn);
	p = put_key_u64(p, "nr_pages", e->nr_pages);
	p = put_key_s64(p, "nid", e->nid);
	/* the kernel's zone name comes from the traced machine: escaped as the comm is */
	p = zone ? put_json_str(put_lit(p, ",\"zone\":"), zone, HMT_ZONE_LEN)
		 : put_lit(p, ",\"zone\":null");
	p = put_key_s64(p, "zid", e->zid);
	p = put_key_s64(p, "extra", e->extra);
	if (action)
		p = put_key_str(p, "action", action);
	if (e->phase == HMT_EXIT) {
		p = put_key_s64(p, "ret", e->ret);
		p = put_key_u64(p, "dur_ns", e->dur_ns);
	}
	p = json_tail(p, e, tail, same);
	/* the function's number last: the fields before it keep their order (docs/hotmem-trace.md) */
	p = put_key_u64(p, "fn", e->fn);
	*p++ = '}';
	return p;
}

int hmt_format_json_tail(const struct hmt_event *e, __u64 t0, struct hmt_json_tail *tail,
			 bool same_thread, char *buf, size_t len)
{
	char line[JSON_MAX];
	size_t n;

	/* room for the longest line: straight into @buf */
	if (len >= JSON_MAX) {
		n = json_line(e, t0, tail, same_thread, buf) - buf;
		buf[n] = '\0';
		return n;
	}
	n = json_line(e, t0, tail, same_thread, line) - line;
	if (n >= len)
		return -1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return n;
}

int hmt_format_json(const struct hmt_event *e, __u64 t0, char *buf, size_t len)
{
	return hmt_format_json_tail(e, t0, NULL, false, buf, len);
}

int hmt_format_json_header(const char *kernel_release, const char *engine, bool kallsyms_hidden,
			   char *buf, size_t len)
{
	/* each string at most 64 bytes, 6 each escaped: 2 * 384 and the keys */
	char tmp[1024], *p = tmp;

	p = put_lit(p, "{\"" HMT_HEADER_KEY "\":\"" HMU_VERSION "\"");
	if (kernel_release)
		p = put_json_str(put_lit(p, ",\"kernel_release\":"), kernel_release, 64);
	if (engine)
		p = put_json_str(put_lit(p, ",\"engine\":"), engine, 64);
	if (kallsyms_hidden)
		p = put_lit(p, ",\"kallsyms_hidden\":true");
	*p++ = '}';
	if ((size_t)(p - tmp) >= len)
		return -1;
	memcpy(buf, tmp, p - tmp);
	buf[p - tmp] = '\0';
	return p - tmp;
}

int hmt_format_lost_json(unsigned long long count, __u64 since, __u64 ts, __u64 t0, char *buf,
			 size_t len)
{
	int n = snprintf(buf, len, "{\"ts\":%llu,\"ev\":\"" HMT_LOST_EV "\",\"count\":%llu,"
			 "\"since\":%llu}",
			 (unsigned long long)(ts >= t0 ? ts - t0 : 0), count,
			 (unsigned long long)(since >= t0 ? since - t0 : 0));

	return n < 0 || (size_t)n >= len ? -1 : n;
}

void hmt_print_table_header(FILE *f)
{
	fprintf(f, "%-12s %-8s %-*s %-5s %12s %9s %4s %-8s %7s %s\n", "TIME(s)", "SRC",
		HMU_TRACE_EVENT_WIDTH, "EVENT", "PHASE", "START_PFN", "NR_PAGES", "NID", "ZONE", "RET", "EXTRA");
}

/* an errno by name, as the kernel's source spells it ("-EBUSY"), else the number */
static void table_ret(long long ret, char *buf, size_t len)
{
	const char *name = ret < 0 && ret > -4096 ? strerrorname_np((int)-ret) : NULL;

	if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%lld", ret);
}

int hmt_format_table(const struct hmt_event *e, __u64 t0, char *buf, size_t len)
{
	const char *zone = hmt_event_zone(e);
	char ret[24] = "", extra[24];
	__u64 ts = e->ts >= t0 ? e->ts - t0 : 0;
	int n;

	if (e->phase == HMT_EXIT)
		table_ret(e->ret, ret, sizeof(ret));
	hmu_trace_extra(hmt_fn_name(e->fn), (long long)e->extra, extra, sizeof(extra));
	n = snprintf(buf, len, "%5llu.%06llu %-8s %-*s %-5s %#12llx %9llu %4d %-8s %7s %s",
		     (unsigned long long)(ts / 1000000000ULL),
		     (unsigned long long)(ts % 1000000000ULL / 1000), hmt_src_name(e->src),
		     HMU_TRACE_EVENT_WIDTH, hmt_fn_name(e->fn), e->phase == HMT_ENTER ? ">" : "<",
		     (unsigned long long)e->start_pfn, (unsigned long long)e->nr_pages, e->nid,
		     zone ? zone : "-", ret, extra);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int hmt_format_lost_table(unsigned long long count, __u64 since, __u64 ts, __u64 t0, char *buf,
			  size_t len)
{
	__u64 t = ts >= t0 ? ts - t0 : 0, s = since >= t0 ? since - t0 : 0;
	int n = snprintf(buf, len,
			 "%5llu.%06llu %-8s %-*s %llu event%s dropped since %llu.%06llu s: "
			 "the trace has a gap here",
			 (unsigned long long)(t / 1000000000ULL),
			 (unsigned long long)(t % 1000000000ULL / 1000), "-", HMU_TRACE_EVENT_WIDTH,
			 HMT_LOST_EV, count, count == 1 ? "" : "s",
			 (unsigned long long)(s / 1000000000ULL),
			 (unsigned long long)(s % 1000000000ULL / 1000));

	return n < 0 || (size_t)n >= len ? -1 : n;
}
