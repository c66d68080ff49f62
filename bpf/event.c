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

/* a JSON string from a short C string: the comm may hold anything */
static void json_str(char *out, size_t len, const char *s, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < max && s[i] && o + 7 < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			o += snprintf(out + o, len - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(out + o, len - o, "\\u%04x", c);
		else
			out[o++] = c;
	}
	out[o] = '\0';
}

int hmt_format_json(const struct hmt_event *e, __u64 t0, char *buf, size_t len)
{
	const char *zone = hmt_event_zone(e), *action = hmt_event_action(e);
	char comm[HMT_COMM_LEN * 6 + 1], zq[24];
	int n;

	json_str(comm, sizeof(comm), e->comm, HMT_COMM_LEN);
	if (zone)
		snprintf(zq, sizeof(zq), "\"%s\"", zone);
	else
		strcpy(zq, "null");
	n = snprintf(buf, len,
		     "{\"ts\":%llu,\"src\":\"%s\",\"ev\":\"%s\",\"phase\":\"%s\","
		     "\"start_pfn\":%llu,\"nr_pages\":%llu,\"nid\":%d,\"zone\":%s,"
		     "\"zid\":%d,\"extra\":%lld",
		     (unsigned long long)(e->ts >= t0 ? e->ts - t0 : 0), hmt_src_name(e->src),
		     hmt_fn_name(e->fn), hmt_phase_name(e->phase), (unsigned long long)e->start_pfn,
		     (unsigned long long)e->nr_pages, e->nid, zq, e->zid, (long long)e->extra);
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (action)
		n += snprintf(buf + n, len - n, ",\"action\":\"%s\"", action);
	if ((size_t)n >= len)
		return -1;
	if (e->phase == HMT_EXIT)
		n += snprintf(buf + n, len - n, ",\"ret\":%lld,\"dur_ns\":%llu", (long long)e->ret,
			      (unsigned long long)e->dur_ns);
	if ((size_t)n >= len)
		return -1;
	/* the function's number last: the fields before it keep their order (docs/hotmem-trace.md) */
	n += snprintf(buf + n, len - n,
		      ",\"pid\":%u,\"tid\":%u,\"comm\":\"%s\",\"via\":\"%s\",\"fn\":%u}", e->pid,
		      e->tid, comm, hmt_via_name(e->via), e->fn);
	return (size_t)n >= len ? -1 : n;
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
