// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: a cell's verdict.  Its reasons are each way the agent
 * (or hotmem) did wrong by the outcome; the built-in agents include wrong
 * ones on purpose, so each has its expectation written down here, and a
 * cell violates it when its reasons are not what the expectation allows
 * (docs/agents.md, "Expectations, and the exit status").
 */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

/*
 * What each built-in agent is expected to do, and why.  The first line
 * that matches a cell holds (shell globs against the agent, the setting
 * as on the command line, the machine and the event).  KIND: ok (every
 * cell ✓), fail (✗, and every reason matches REGEX), may (✓, or ✗ for
 * those reasons).  A cell no line matches must be ✓ (your --rules and
 * --agent: all but the classic rule's race, the last two lines).
 */
/*
 * A plain online under online_policy=auto-movable: the zone is the
 * kernel's choice, not the rule's (6.12 auto_movable_zone_for_pfn()):
 * Movable while auto_movable_ratio (per node too: none on a node without
 * kernel memory, numa2-ml's node 1) allows it, else Normal,
 * and virtio-mem's shrink unplugs its Movable memory first, so a Normal
 * block of it can be what stays -- the contig-zones text said
 * "Normal under contig-zones" for a cell that does not run it.
 */
#define AUTO_MOVABLE_ONLINE                                                                        \
	"online takes the kernel's zone, by online_policy=auto-movable: its ratio (per node: all "   \
	"of it on a node without kernel memory) and virtio-mem's unplug order leave Normal blocks"

static const struct {
	const char *agent, *setting, *machine, *event;
	struct conform_expect e;
} expectations[] = {
	{ "blind-rule", "*state=online*", "*", "*",
	  { "fail", "redundant", "writes online without looking: races the kernel's auto-online" } },
	{ "blind-rule", "*online_policy=auto-movable*", "*", "*",
	  { "may", "cannot.be.offlined", AUTO_MOVABLE_ONLINE } },
	{ "blind-rule", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "online takes the kernel's zone, Normal under contig-zones: kernel allocations and later memmap land there" } },
	{ "classic-rule", "*state=online*", "*", "*",
	  { "may", "redundant|cannot.be.offlined",
	    "the ADD comes before the kernel's auto-online: the rule often still reads offline" } },
	{ "classic-rule", "*online_policy=auto-movable*", "*", "*",
	  { "may", "cannot.be.offlined", AUTO_MOVABLE_ONLINE } },
	{ "classic-rule", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "online takes the kernel's zone, Normal under contig-zones: kernel allocations and later memmap land there" } },
	{ "virt-rule", "*state=online*", "*", "*",
	  { "may", "redundant|cannot.be.offlined",
	    "the classic rule's race; online, not online_movable, in a VM" } },
	{ "virt-rule", "*online_policy=auto-movable*", "*", "*",
	  { "may", "cannot.be.offlined|over.auto_movable_ratio",
	    "online (the kernel's zone, by online_policy=auto-movable) where systemd-detect-virt says a "
	    "VM (the virt: line above), all Movable where it says none" } },
	{ "virt-rule", "*", "*", "*",
	  { "may", "cannot.be.offlined|over.auto_movable_ratio",
	    "online (Normal) where systemd-detect-virt says a VM (the virt: line above), all Movable "
	    "where it says none" } },
	{ "netlink-agent", "*state=offline*", "big-640g", "burst1024",
	  { "fail", "left.offline.*lost|cannot.be.offlined",
	    "the default receive buffer overflows: the field report" } },
	{ "netlink-agent", "*state=online*", "*", "*",
	  { "may", "redundant|failed", "checks the state, but races the auto-online" } },
	{ "netlink-agent", "*online_policy=auto-movable*", "*", "*",
	  { "may", "cannot.be.offlined", AUTO_MOVABLE_ONLINE } },
	{ "netlink-agent", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "online takes the kernel's zone, Normal under contig-zones" } },
	{ "hotmemd:online_movable", "*state=offline*", "big-640g", "burst1024",
	  { "fail", "over.auto_movable_ratio",
	    "all of 128 GiB Movable on 24 GiB of kernel memory: the policy asked for it" } },
	{ "hotmemd:online_movable", "*state=online*", "*", "*",
	  { "may", "redundant|over.auto_movable_ratio",
	    "reads offline on the ADD, before the kernel's own auto-online: the write's EINVAL it takes as done (already online by someone else)" } },
	{ "hotmemd:online_kernel", "*state=online*", "*", "*",
	  { "may", "redundant|cannot.be.offlined",
	    "reads offline on the ADD, before the kernel's own auto-online: the write's EINVAL it takes as done (already online by someone else)" } },
	{ "hotmemd:online", "*state=online*", "*", "*",
	  { "may", "redundant|cannot.be.offlined",
	    "reads offline on the ADD, before the kernel's own auto-online: the write's EINVAL it takes as done (already online by someone else)" } },
	{ "hotmemd:auto-movable", "*state=online*", "*", "*",
	  { "may", "redundant|cannot.be.offlined",
	    "reads offline on the ADD, before the kernel's own auto-online: the write's EINVAL it takes as done (already online by someone else)" } },
	{ "hotmemd:online_movable", "*", "*", "*",
	  { "may", "over.auto_movable_ratio", "all of it Movable by policy, whatever the kernel has" } },
	{ "hotmemd:online_kernel", "*", "*", "*",
	  { "may", "cannot.be.offlined", "kernel memory by policy" } },
	{ "hotmemd:online", "*online_policy=auto-movable*", "*", "*",
	  { "may", "cannot.be.offlined", AUTO_MOVABLE_ONLINE } },
	{ "hotmemd:online", "*", "*", "*",
	  { "may", "cannot.be.offlined", "online is the default zone: Normal under contig-zones" } },
	{ "hotmemd:auto-movable", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "the ratio (per node too: auto_movable_numa_aware) puts part of it in Normal" } },
	/*
	 * Your rules or agent with --intent POLICY (hotmemd's policy names):
	 * held to what that policy means, not to "every cell must pass"
	 * (usereye4 #12: the distros' own rules, online to Normal in a VM on
	 * purpose, were all violations).  The race under online* as for any
	 * rule of yours; then per intent: online_movable must pass (every
	 * block Movable: its ratio is advice, conform_reasons_for()),
	 * online_kernel and online may leave Normal blocks that cannot be
	 * offlined again (hot-unplug not promised), auto-movable too (its
	 * ratio puts part in Normal) but its ratio binds.
	 */
	{ "intent:*", "*state=online*", "*", "*",
	  { "may", "redundant",
	    "inherent to onlining on the ADD, which the kernel sends before its own auto-online: "
	    "the rule writes into a block being onlined, as the classic rule does" } },
	{ "intent:online_kernel", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "--intent online_kernel: kernel memory on purpose, hot-unplug not promised" } },
	{ "intent:online", "*online_policy=auto-movable*", "*", "*",
	  { "may", "cannot.be.offlined", AUTO_MOVABLE_ONLINE } },
	{ "intent:online", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "--intent online: the kernel's zone on purpose (Normal under contig-zones), hot-unplug "
	    "not promised" } },
	{ "intent:auto-movable", "*", "*", "*",
	  { "may", "cannot.be.offlined",
	    "--intent auto-movable: Movable within auto_movable_ratio, the rest Normal" } },
	{ "intent:online_movable", "*", "*", "*",
	  { "ok", "-", "--intent online_movable: every block online and Movable" } },
	/*
	 * Your --rules are held to what the classic rule is under online*:
	 * the race is the ADD's, not the rule's zone or its reach (blocks
	 * left offline, a write failed otherwise, stay violations); the
	 * kernel chose the zones there, so nothing else is allowed.
	 */
	{ "rules:*", "*state=online*", "*", "*",
	  { "may", "redundant",
	    "inherent to onlining on the ADD, which the kernel sends before its own auto-online: "
	    "the rule writes into a block being onlined, as the classic rule does (one that also requires "
	    "/sys/devices/system/memory/auto_online_blocks offline avoids it)" } },
	/*
	 * Your --agent the same: the race is not the rule's but the ADD's --
	 * the kernel sends it, and memoryN/ appears, before its own
	 * auto-online -- so any agent that acts on a new block, whether it
	 * hears the ADD or finds the directory, can write into a block being
	 * onlined and get EINVAL (hotmemd takes that EINVAL as done, its
	 * lines above allow it too).  Only "redundant": an unparsable value's
	 * EINVAL is a failed write (conform_write_kinds()), and blocks left
	 * offline, other errnos, and where the kernel leaves blocks offline
	 * the agent's zones, stay violations.
	 */
	{ "agent:*", "*state=online*", "*", "*",
	  { "may", "redundant",
	    "inherent to acting on a new block before the kernel's own auto-online (the ADD uevent and "
	    "memoryN/ come first): the agent writes into a block being onlined, as the classic rule "
	    "does (one that leaves blocks alone while /sys/devices/system/memory/auto_online_blocks "
	    "is not offline avoids it)" } },
};

struct intent {
	const char *name, *means;
	bool ratio_binds;	/* auto_movable_ratio binds it, as the kernel's plain online */
	const char *zones;	/* the zones it wants every block in (space-separated), NULL: the kernel's */
	const char *zones_said;	/* ... as a reason says them after "every block" */
};

#define INTENT_ROW(n, m, binds, z, said)                                                           \
	{ .name = n, .means = m, .ratio_binds = binds, .zones = z, .zones_said = said },
static const struct intent intents[] = { CONFORM_INTENTS(INTENT_ROW, INTENT_ROW) };
#undef INTENT_ROW

/* @zone is one @intent wants (a word of its zones; "", an unreadable valid_zones, none) */
static bool zone_meant(const struct intent *intent, const char *zone)
{
	size_t n = strlen(zone);

	for (const char *p = intent->zones; n && (p = strstr(p, zone)); p += n)
		if ((p == intent->zones || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* all Movable is what it says (online_movable): the 4:1 guide is advice */
static bool movable_meant(const struct intent *intent)
{
	return intent && intent->zones && !strcmp(intent->zones, "Movable");
}

static const struct intent *intent_find(const char *name)
{
	for (size_t i = 0; i < sizeof(intents) / sizeof(intents[0]); i++)
		if (!strcmp(intents[i].name, name))
			return &intents[i];
	return NULL;
}

bool conform_intent_known(const char *intent)
{
	return intent_find(intent);
}

void conform_intent_usage(FILE *f)
{
	for (size_t i = 0; i < sizeof(intents) / sizeof(intents[0]); i++)
		fprintf(f, "  %-16s%s\n", intents[i].name, intents[i].means);
}

/*
 * Whose a cell's key is: a built-in agent's (its name, hotmemd:POLICY),
 * yours (rules:NAME, agent:CMD) or yours with --intent (intent:POLICY,
 * *@intent its row).  Said here once: the expectations and the ratio ask.
 */
enum whose { BUILTIN, YOURS, YOURS_MEANING };

static enum whose key_whose(const char *key, const struct intent **intent)
{
	*intent = NULL;
	if (!strncmp(key, "intent:", strlen("intent:"))) {
		*intent = intent_find(key + strlen("intent:"));
		return YOURS_MEANING;
	}
	if (!strncmp(key, "rules:", strlen("rules:")) || !strncmp(key, "agent:", strlen("agent:")))
		return YOURS;
	return BUILTIN;
}

void conform_expectation(const char *agent, const char *setting, const char *machine,
			 const char *event, struct conform_expect *e)
{
	const struct intent *intent;
	size_t i;

	for (i = 0; i < sizeof(expectations) / sizeof(expectations[0]); i++) {
		if (fnmatch(expectations[i].agent, agent, 0) ||
		    fnmatch(expectations[i].setting, setting, 0) ||
		    fnmatch(expectations[i].machine, machine, 0) ||
		    fnmatch(expectations[i].event, event, 0))
			continue;
		*e = expectations[i].e;
		return;
	}
	/* yours without --intent: nothing says what the rule means, so every cell */
	if (key_whose(agent, &intent) == YOURS)
		*e = (struct conform_expect){ "ok", "-", CONFORM_NO_INTENT };
	else
		*e = (struct conform_expect){ "ok", "-", "every cell must pass" };
}

/* @key of the outcome, @dflt when absent or not a number (null) */
static long num(json_object *o, const char *key, long dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return dflt;
	return (long)json_object_get_int64(v);
}

static bool flag(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* a count's plural ending: "1 failed write", "2 failed writes" (usereye4 #2) */
static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

/* one more reason, "; "-separated */
static void reason(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (ftell(f))
		fputs("; ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/*
 * Movable over auto_movable_ratio where the agent chose the zones.  That
 * ratio is a parameter of online_policy=auto-movable, the kernel's choice
 * for a plain online: it binds the built-in agents as their expectations
 * say and an agent whose stated intent is auto-movable, nothing that
 * writes online_movable on purpose.  For those, the kernel's admin guide
 * (Documentation/admin-guide/mm/memory-hotplug.rst, "Zone Imbalances",
 * 6.12): "Usually, MOVABLE:KERNEL ratios of up to 3:1 or even 4:1 are
 * fine"; past it, unmovable allocations may fail with free memory left
 * in ZONE_MOVABLE.  So the machine's risk is advice, the rule's doing
 * what it says the verdict (usereye4 #1): up to 4:1 advice for your rules;
 * past it a reason, unless --intent online_movable says it is meant (then
 * advice, the stronger).
 */
#define GUIDE_PCT 400 /* memory-hotplug.rst's "or even 4:1" */

static void ratio(FILE *f, FILE *adv, const char *agent, long pct, long amr)
{
	const struct intent *intent;
	enum whose whose = key_whose(agent, &intent);
	bool binds = whose == BUILTIN || (intent && intent->ratio_binds);
	bool meant = movable_meant(intent);

	if (pct <= amr)
		return;
	if (binds) {
		reason(f, "Movable is %ld%% of kernel memory, over auto_movable_ratio %ld%%", pct, amr);
		return;
	}
	if (pct <= GUIDE_PCT) {
		reason(adv, "Movable is %ld%% of kernel memory, over auto_movable_ratio %ld%% (which binds "
			    "only online_policy=auto-movable's plain online): memory-hotplug.rst calls "
			    "MOVABLE:KERNEL up to 3:1 or even 4:1 usually fine", pct, amr);
		return;
	}
	reason(meant ? adv : f,
	       "zone imbalance: Movable is %ld%% of kernel memory, over the 4:1 memory-hotplug.rst "
	       "calls usually fine: unmovable allocations may fail with free memory left in "
	       "ZONE_MOVABLE; online part of it online_kernel or use hotmemd --policy auto-movable%s",
	       pct, meant ? "" : " (--intent online_movable if all Movable is meant)");
}

/*
 * The onlined blocks in a zone other than those @intent means, counted
 * by zone into @buf: "Normal" (one zone) or "not Movable (Normal:5,
 * DMA32:1)", "not in a kernel zone (...)"; how many (0: none, or an
 * intent that leaves the zone to the kernel: online, auto-movable).
 */
static long zones_not_meant(json_object *r, const struct intent *intent, char *buf, size_t len)
{
	char list[256] = "";
	const char *one = NULL;
	json_object *zones;
	size_t off = 0;
	long n = 0;
	int kinds = 0;

	buf[0] = '\0';
	if (!intent || !intent->zones || !json_object_object_get_ex(r, "zones", &zones) ||
	    !json_object_is_type(zones, json_type_object))
		return 0;
	json_object_object_foreach(zones, z, count) {
		long c = (long)json_object_get_int64(count);

		if (zone_meant(intent, z) || c <= 0)
			continue;
		n += c;
		kinds++;
		one = z;
		off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0, "%s%s:%ld",
					off ? "," : "", z, c);
	}
	if (kinds == 1)
		snprintf(buf, len, "%s", one);
	else if (kinds > 1)
		snprintf(buf, len, "not %s (%s)", intent->zones_said, list);
	return n;
}

/*
 * What contradicts the stated intent leads the reasons (usereye6 I: "1 of
 * 8 onlined blocks cannot be offlined again" named a side effect of 8
 * Normal blocks, and none at all where the kernel allocated nothing
 * there), where the agent chose the zones: for every intent that names
 * zones (online_movable's Movable, online_kernel's kernel zones, which
 * Movable blocks passed silently).  Where the kernel onlined the
 * blocks itself (memhp_default_state=online*), before the agent could say
 * a zone, the zones are the kernel's and the intent cannot be judged: the
 * cell is judged as any there (the race only), and the advice says the
 * zones are not what the intent means, so that a ✓ does not read as "the
 * intent holds on this machine" (docs/agents.md, "--intent").
 */
static void intent_zones(FILE *f, FILE *adv, json_object *r, const char *agent, long onl)
{
	const struct intent *intent;
	char zones[320];
	long n;

	key_whose(agent, &intent);
	n = zones_not_meant(r, intent, zones, sizeof(zones));
	if (!n)
		return;
	if (flag(r, "agent_chose_zones"))
		reason(f, "%ld of %ld onlined blocks %s: --intent %s wants every block %s", n, onl,
		       zones, intent->name, intent->zones_said);
	else
		reason(adv, "not judged: the kernel onlined the blocks itself (memhp_default_state=online*) "
			    "before the agent could choose their zone, %ld of %ld %s where --intent %s "
			    "wants every block %s; the cells under memhp_default_state=offline judge it",
		       n, onl, zones, intent->name, intent->zones_said);
}

/*
 * How long the cell waited for the blocks left offline, from its outcome's
 * "waited_ms", "wait_ended" and "wait_s": "left offline" read as "never
 * onlined", where the cell had stopped 5 s after nothing happened
 * (abuse25a B4).  "" for an outcome without them (an older cell's).
 */
static void wait_said(json_object *r, char *buf, size_t len)
{
	long ms = num(r, "waited_ms", -1), wait_s = num(r, "wait_s", -1);
	json_object *end;
	bool stalled;

	*buf = '\0';
	if (ms < 0 || !json_object_object_get_ex(r, "wait_ended", &end) ||
	    !json_object_is_type(end, json_type_string))
		return;
	stalled = !strcmp(json_object_get_string(end), "stalled");
	if (stalled)
		snprintf(buf, len, " (none more came online for %d s: waited %ld.%ld s after the plug)",
			 CONFORM_STALL_MS / 1000, ms / 1000, ms % 1000 / 100);
	else
		snprintf(buf, len, " (waited %ld.%ld s after the plug: HOTMEM_CONFORM_WAIT=%ld)",
			 ms / 1000, ms % 1000 / 100, wait_s);
}

int conform_reasons(json_object *r, char **out)
{
	char *adv = NULL;
	int ret = conform_reasons_for(r, "", out, &adv);

	free(adv);
	return ret;
}

int conform_reasons_for(json_object *r, const char *agent, char **out, char **advice)
{
	long new = num(r, "new", 0), onl = num(r, "online", 0), fw = num(r, "failed_writes", 0);
	long rw = num(r, "redundant_writes", 0), pct = num(r, "movable_pct_of_kernel", 0);
	long amr = num(r, "auto_movable_ratio", 0), offl = num(r, "offlinable", 0);
	long lost = num(r, "uevents_lost", 0), unsent = num(r, "uevents_unsent", 0);
	long uw = num(r, "unparsed_writes", 0);
	json_object *pol = NULL, *err;
	bool auto_movable = json_object_object_get_ex(r, "online_policy", &pol) &&
			    !strcmp(json_object_get_string(pol), "auto-movable");
	size_t len, alen;
	FILE *f = open_memstream(out, &len), *adv = open_memstream(advice, &alen);

	if (!f || !adv) {
		if (f)
			fclose(f);
		if (adv)
			fclose(adv);
		return -ENOMEM;
	}
	/* a rule udevd would not take (dropped the line): what it said, first */
	if (num(r, "rules_errors", 0) > 0 &&
	    json_object_object_get_ex(r, "rules_error", &err) && json_object_is_type(err, json_type_string))
	{
		long n = num(r, "rules_errors", 0);

		reason(f, "udevd refused the rules: %s", json_object_get_string(err));
		if (n > 1)
			fprintf(f, " (%ld lines of complaint in all)", n);
	}
	/* then what contradicts the intent: its side effects (cannot be offlined) after it */
	intent_zones(f, adv, r, agent, onl);
	if (new == 0)
		reason(f, "no new blocks appeared");
	if (unsent > 0)
		reason(f, "hotmemfs did not send %ld uevent%s (netlink-errors)", unsent, plural(unsent));
	if (onl < new) {
		char wait[128];

		wait_said(r, wait, sizeof(wait));
		if (lost > 0)
			reason(f, "%ld of %ld blocks left offline: the agent lost %ld uevent%s (ENOBUFS)%s",
			       new - onl, new, lost, plural(lost), wait);
		else
			reason(f, "%ld of %ld blocks left offline%s", new - onl, new, wait);
	}
	/* only under memhp_default_state=online* is an EINVAL the kernel's auto-online's doing */
	if (rw > 0 && !flag(r, "agent_chose_zones"))
		reason(f, "%ld redundant write%s: EINVAL race with the kernel's auto-online", rw, plural(rw));
	else if (rw > 0)
		reason(f, "%ld redundant write%s: EINVAL, the block already in that state or the zone "
			  "not one it can take", rw, plural(rw));
	/* an EINVAL of a value the kernel cannot parse is the agent's failure, never a race */
	if (fw > 0 && uw > 0)
		reason(f, "%ld failed write%s (%ld EINVAL: a value the kernel's store cannot parse)",
		       fw, plural(fw), uw);
	else if (fw > 0)
		reason(f, "%ld failed write%s", fw, plural(fw));
	/* zones are the agent's doing only where the kernel left blocks offline */
	if (flag(r, "agent_chose_zones")) {
		ratio(f, adv, agent, pct, amr);
		if (offl < onl)
			reason(f, "%ld of %ld onlined blocks cannot be offlined again%s", onl - offl, onl,
			       auto_movable ? " (online_policy=auto-movable: a plain online's zone is "
					      "the kernel's choice)" : "");
	}
	if (fclose(adv)) {
		fclose(f);
		return -errno;
	}
	return fclose(f) ? -errno : 0;
}

/* each "; "-separated reason matches @re (extended); the first that does not into @bad */
static bool all_match(const char *re, const char *reasons, char *bad, size_t len)
{
	const char *p = reasons, *end;
	char *one;
	regex_t rx;
	bool ok = true;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) {
		snprintf(bad, len, "%s", reasons);
		return false;
	}
	while (ok && *p) {
		end = strstr(p, "; ");
		one = strndup(p, end ? (size_t)(end - p) : strlen(p));
		if (one && regexec(&rx, one, 0, NULL, 0)) {
			snprintf(bad, len, "%s", one);
			ok = false;
		}
		free(one);
		p = end ? end + 2 : p + strlen(p);
	}
	regfree(&rx);
	return ok;
}

void conform_violation(const struct conform_expect *e, const char *reasons, char *buf, size_t len)
{
	char bad[1024];

	buf[0] = '\0';
	if (!strcmp(e->kind, "ok")) {
		/* why it must: yours without --intent are told what would say otherwise */
		if (*reasons && strcmp(e->why, "every cell must pass"))
			snprintf(buf, len, "should pass: %s", e->why);
		else if (*reasons)
			snprintf(buf, len, "should pass");
		return;
	}
	if (!*reasons) {
		if (!strcmp(e->kind, "fail"))
			snprintf(buf, len, "should fail (%s)", e->re);
		return;
	}
	if (!all_match(e->re, reasons, bad, sizeof(bad)))
		snprintf(buf, len, "unexpected: %s", bad);
}
