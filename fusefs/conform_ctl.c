// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: hotmemctl as a cell runs it -- the plug events (the
 * hardware) and `status --json`'s counters: memoryN/state writes hotmemfs
 * refused by errno (what any agent got back from the kernel, logged or
 * not) and the uevents it could not hand to the kernel.  hotmemctl is
 * found on PATH (hotmem-enter puts its own directory first), every run
 * bounded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conform.h"

#define CTL_ARGS_MAX 16

/*
 * "hotmemctl ARGS...: exit status N: WHAT IT SAID" (its stderr's lines,
 * "; "-joined), or "...: stopped after S s"; NULL when out of memory.
 */
static char *ctl_failure(char *const argv[], int rc, const char *err)
{
	char *why = NULL;
	size_t len = 0, n;
	bool first = true;
	FILE *f = open_memstream(&why, &len);

	if (!f)
		return NULL;
	for (int i = 0; argv[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	if (rc == 124)
		fprintf(f, ": stopped after %d s", CONFORM_CTL_TIMEOUT_MS / 1000);
	else
		fprintf(f, ": exit status %d", rc);
	for (const char *l = err ? err : ""; *l; l += n + (l[n] == '\n')) {
		n = strcspn(l, "\n");
		if (!n)
			continue;
		fprintf(f, "%s%.*s", first ? ": " : "; ", (int)n, l);
		first = false;
	}
	if (first && rc != 124)
		fputs(": it said nothing on stderr", f);
	if (fclose(f)) {
		free(why);
		return NULL;
	}
	return why;
}

/*
 * "hotmemctl ARGS...: not run: /dev/null: WHY": its stdout had nowhere to
 * go (fd -1 is conform_io's "inherit": hotmemctl wrote into hotmem-conform's
 * own stdout, the report); NULL when out of memory
 */
static char *ctl_not_run(char *const argv[], int err)
{
	char *why = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&why, &len);

	if (!f)
		return NULL;
	for (int i = 0; argv[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	fprintf(f, ": not run: /dev/null, for its output, cannot be opened: %s", strerror(err));
	if (fclose(f)) {
		free(why);
		return NULL;
	}
	return why;
}

int conform_ctl(const char *const args[], char **why)
{
	char *argv[CTL_ARGS_MAX + 2] = { "hotmemctl" };
	int null = conform_open_null(), e = errno;
	char *err = NULL;
	int i, rc;

	*why = NULL;
	for (i = 0; args[i] && i < CTL_ARGS_MAX; i++)
		argv[i + 1] = (char *)args[i];
	if (null < 0) {
		*why = ctl_not_run(argv, e);
		return 127; /* as a child that could not be started (conform_run()) */
	}
	rc = conform_run_capture_err(argv, null, CONFORM_CTL_TIMEOUT_MS, &err);
	close(null);
	if (rc) {
		/* its own words in the cell's log (stderr) too */
		if (err)
			fputs(err, stderr);
		*why = ctl_failure(argv, rc, err);
	}
	free(err);
	return rc;
}

/*
 * hotmemctl status --json, parsed; NULL when it fails (stderr: /dev/null;
 * not run without one, conform_open_null() said why)
 */
static json_object *status(void)
{
	char *argv[] = { "hotmemctl", "status", "--json", NULL };
	int null = conform_open_null();
	json_object *o = NULL;
	char *out;
	int rc;

	if (null < 0)
		return NULL;
	rc = conform_run_capture(argv, null, CONFORM_CTL_TIMEOUT_MS, &out);
	close(null);
	if (!rc && out)
		o = json_tokener_parse(out);
	free(out);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static long get_long(json_object *o, const char *key, long dflt)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return dflt;
	return (long)json_object_get_int64(v);
}

void conform_state_writes(struct conform_state_writes *sw)
{
	json_object *st = status(), *w = NULL, *refused = NULL;

	*sw = (struct conform_state_writes){ 0 };
	if (st && json_object_object_get_ex(st, "state-writes", &w)) {
		sw->known = true;
		sw->done = get_long(w, "done", 0);
		/* part of refused's EINVAL; 0 from a hotmemfs that does not count it */
		sw->unparsed = get_long(w, "unparsed", 0);
		if (json_object_object_get_ex(w, "refused", &refused) &&
		    json_object_is_type(refused, json_type_object)) {
			json_object_object_foreach(refused, name, n) {
				if (!strcmp(name, "EINVAL"))
					sw->einval += (long)json_object_get_int64(n);
				else
					sw->other += (long)json_object_get_int64(n);
			}
		}
	}
	json_object_put(st);
}

long conform_uevents_unsent(void)
{
	json_object *st = status(), *u = NULL;
	long n = -1;

	if (st && json_object_object_get_ex(st, "uevents", &u))
		n = get_long(u, "netlink-errors", -1);
	json_object_put(st);
	return n;
}

int conform_vmem_sizes(const char *id, long *plugged, long *requested)
{
	json_object *st = status(), *devs = NULL, *d, *v;
	int ret = -ENOENT;
	size_t i;

	if (st && json_object_object_get_ex(st, "devices", &devs) &&
	    json_object_is_type(devs, json_type_array)) {
		for (i = 0; i < json_object_array_length(devs); i++) {
			d = json_object_array_get_idx(devs, i);
			if (!json_object_object_get_ex(d, "id", &v) ||
			    strcmp(json_object_get_string(v), id))
				continue;
			*plugged = get_long(d, "plugged-size", -1);
			*requested = get_long(d, "requested-size", -1);
			ret = *plugged < 0 || *requested < 0 ? -EINVAL : 0;
			break;
		}
	}
	json_object_put(st);
	return ret;
}
