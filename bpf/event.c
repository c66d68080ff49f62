// SPDX-License-Identifier: GPL-2.0
/* hotmem-trace: event names and output formats */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "uapi/hmuapi.h"

_Static_assert(HMU_MAX_NR_ZONES == 5, "hmt_zone_name() knows five zones");

static const char *const fn_names[HMT_NR_FN] = {
#define HMT_X_NAME(fn) [HMT_FN_##fn] = #fn,
	HOTMEM_PROBES(HMT_X_NAME)
#undef HMT_X_NAME
};

/* enum hmt_mem_action: bit i is action_names[i] */
static const char *const action_names[] = {
	"MEM_ONLINE",	     "MEM_GOING_OFFLINE",  "MEM_OFFLINE",	 "MEM_GOING_ONLINE",
	"MEM_CANCEL_ONLINE", "MEM_CANCEL_OFFLINE", "MEM_PREPARE_ONLINE", "MEM_FINISH_OFFLINE",
};
#define NR_ACTIONS (int)(sizeof(action_names) / sizeof(action_names[0]))

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

const char *hmt_action_name(long long action)
{
	for (int i = 0; i < NR_ACTIONS; i++)
		if (action == 1LL << i)
			return action_names[i];
	return NULL;
}

int hmt_action_from_name(const char *name)
{
	for (int i = 0; i < NR_ACTIONS; i++)
		if (!strcmp(name, action_names[i]))
			return 1 << i;
	return 0;
}

const char *hmt_event_action(const struct hmt_event *e)
{
	return e->fn == HMT_FN_memory_notify ? hmt_action_name(e->extra) : NULL;
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

/*
 * A JSON line, appended by hand: the reader formats every event, and
 * snprintf()'s format parsing was most of its time (perf), time taken
 * from the traced process on a small machine.  @p is NULL once cut; one
 * byte is always left for the NUL.
 */
struct jline {
	char *p, *end;
};

static void put(struct jline *j, const char *s, size_t n)
{
	if (!j->p || (size_t)(j->end - j->p) <= n) {
		j->p = NULL;
		return;
	}
	memcpy(j->p, s, n);
	j->p += n;
}

static void put_str(struct jline *j, const char *s)
{
	put(j, s, strlen(s));
}

/* two digits a step: the reader formats ~20 numbers an event */
static void put_u64(struct jline *j, unsigned long long v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char d[20];
	int i = sizeof(d);

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100) * 2;

		v /= 100;
		d[--i] = pairs[r + 1];
		d[--i] = pairs[r];
	}
	if (v >= 10) {
		d[--i] = pairs[v * 2 + 1];
		d[--i] = pairs[v * 2];
	} else {
		d[--i] = (char)('0' + v);
	}
	put(j, d + i, sizeof(d) - i);
}

static void put_s64(struct jline *j, long long v)
{
	if (v < 0) {
		put(j, "-", 1);
		put_u64(j, -(unsigned long long)v);
	} else {
		put_u64(j, v);
	}
}

/* "s" as a JSON string: the comm may hold anything */
static void put_json_str(struct jline *j, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	put(j, "\"", 1);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];
		char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c == '"' || c == '\\')
			put(j, (char[]){ '\\', c }, 2);
		else if (c < 0x20 || c >= 0x7f)
			put(j, u, sizeof(u));
		else
			put(j, (char *)&c, 1);
	}
	put(j, "\"", 1);
}

/*
 * ,"key": -- a literal, so its length is known when compiled: copying the
 * keys piece by piece with a strlen() each was a third of the reader.
 */
#define put_key(j, key) put(j, ",\"" key "\":", sizeof(",\"" key "\":") - 1)

static void put_val_str(struct jline *j, const char *v)
{
	put(j, "\"", 1);
	put_str(j, v);
	put(j, "\"", 1);
}

#define put_key_str(j, key, v) (put_key(j, key), put_val_str(j, v))
#define put_key_u64(j, key, v) (put_key(j, key), put_u64(j, v))
#define put_key_s64(j, key, v) (put_key(j, key), put_s64(j, v))

int hmt_format_json(const struct hmt_event *e, __u64 t0, char *buf, size_t len)
{
	const char *zone = hmt_event_zone(e), *action = hmt_event_action(e);
	struct jline j = { buf, buf + len };

	put(&j, "{\"ts\":", 6);
	put_u64(&j, e->ts >= t0 ? e->ts - t0 : 0);
	put_key_str(&j, "src", hmt_src_name(e->src));
	put_key_str(&j, "ev", hmt_fn_name(e->fn));
	put_key_str(&j, "phase", hmt_phase_name(e->phase));
	put_key_u64(&j, "start_pfn", e->start_pfn);
	put_key_u64(&j, "nr_pages", e->nr_pages);
	put_key_s64(&j, "nid", e->nid);
	if (zone)
		put_key_str(&j, "zone", zone);
	else
		put(&j, ",\"zone\":null", 12);
	put_key_s64(&j, "zid", e->zid);
	put_key_s64(&j, "extra", e->extra);
	if (action)
		put_key_str(&j, "action", action);
	if (e->phase == HMT_EXIT) {
		put_key_s64(&j, "ret", e->ret);
		put_key_u64(&j, "dur_ns", e->dur_ns);
	}
	put_key_u64(&j, "pid", e->pid);
	put_key_u64(&j, "tid", e->tid);
	put_key(&j, "comm");
	put_json_str(&j, e->comm, HMT_COMM_LEN);
	put_key_str(&j, "via", hmt_via_name(e->via));
	/* the function's number last: the fields before it keep their order (docs/hotmem-trace.md) */
	put_key_u64(&j, "fn", e->fn);
	put(&j, "}", 1);
	if (!j.p)
		return -1;
	*j.p = '\0';
	return j.p - buf;
}

void hmt_print_table_header(FILE *f)
{
	fprintf(f, "%-12s %-8s %-28s %-5s %12s %9s %4s %-8s %7s %s\n", "TIME(s)", "SRC", "EVENT",
		"PHASE", "START_PFN", "NR_PAGES", "NID", "ZONE", "RET", "EXTRA");
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
	const char *zone = hmt_event_zone(e), *action = hmt_event_action(e);
	char ret[24] = "", extra[24];
	__u64 ts = e->ts >= t0 ? e->ts - t0 : 0;
	int n;

	if (e->phase == HMT_EXIT)
		table_ret(e->ret, ret, sizeof(ret));
	if (action)
		snprintf(extra, sizeof(extra), "%s", action);
	else
		snprintf(extra, sizeof(extra), "%lld", (long long)e->extra);
	n = snprintf(buf, len, "%5llu.%06llu %-8s %-28s %-5s %#12llx %9llu %4d %-8s %7s %s",
		     (unsigned long long)(ts / 1000000000ULL),
		     (unsigned long long)(ts % 1000000000ULL / 1000), hmt_src_name(e->src),
		     hmt_fn_name(e->fn), e->phase == HMT_ENTER ? ">" : "<",
		     (unsigned long long)e->start_pfn, (unsigned long long)e->nr_pages, e->nid,
		     zone ? zone : "-", ret, extra);
	return n < 0 || (size_t)n >= len ? -1 : n;
}
