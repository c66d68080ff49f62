/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The steps a kernel version does not show, by design and not by a
 * regression: functions it inlines (no symbol to attach to), steps it
 * cannot trace, notifications or tracepoints it does not have.  compare
 * does not count such a step as a difference when it is missing from a
 * kernel trace of that version; any other step wholly missing from one
 * trace is one.  docs/hotmem-trace.md "compare" lists the same table.
 */
#ifndef HMT_ABSENT_H
#define HMT_ABSENT_H

#include <stdbool.h>

/*
 * The version whose list applies to @version ("6.12", "6.13.2",
 * "6.12.117+deb12-amd64"): the newest listed one not newer than it.
 * NULL: not a version, or older than every list.
 */
const char *hmt_absent_list(const char *version);
/* the versions listed, "6.1, 6.9, 6.11, 6.12, 6.18", for a message */
const char *hmt_absent_lists(void);
/*
 * Why step @ev (for memory_notify, @action: its hmu_mem_action_name(),
 * else NULL) is missing from a trace of @list's kernel (a name
 * hmt_absent_list() returned), NULL when it is expected there.
 */
const char *hmt_absent_why(const char *list, const char *ev, const char *action);

/*
 * A kernel trace taken while /proc/kallsyms showed every address as 0
 * (its header's "kallsyms_hidden", abuse28 T13): why step @ev (@action as
 * above) is missing from it for that reason, NULL when it is not one of
 * them; and whether @ev's range is then unknown (written as 0 pages).
 */
const char *hmt_hidden_why(const char *ev, const char *action);
bool hmt_hidden_range(const char *ev);

#endif /* HMT_ABSENT_H */
