// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform --cell AGENT EVENT: one cell, inside an entered machine
 * (hotmem-enter runs it): a counting listener and the agent started, the
 * event plugged, the new blocks waited for until online (or until none more
 * has come online for 5 s since one did), then counted -- states, zones, failed and
 * redundant writes, uevents lost, Movable against auto_movable_ratio --
 * the agent stopped and the onlined blocks offlined again.  One JSON
 * object on stdout (the last line), the steps on stderr (the last one
 * says where a cell that never finishes stopped).  An event the machine
 * refuses (hotmemctl failed) ends the cell there: the outcome is
 * "event_refused" alone, exit status CONFORM_EXIT_REFUSED.
 *
 * AGENT: rule:DIR (a systemd-udevd; hotmem-enter bound DIR's rules),
 * hotmemd:POLICY, cmd:COMMAND (sh -c), netlink-agent, none (the kernel's
 * own auto-online alone).  EVENT: dimm1, dimm64, burst1024,
 * virtio-grow-shrink.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conform.h"

#define RUN_DIR "/run/hotmem"
#define AGENT_LOG RUN_DIR "/agent.log"
#define AGENT_READY RUN_DIR "/agent.ready"
#define LISTENER_READY RUN_DIR "/listener.ready"
#define LISTENER_OUT RUN_DIR "/listener.out"
#define PING_TIMEOUT_MS 5000
#define SETTLE_TIMEOUT_MS 15000

/* how the wait for the new blocks to come online ended (all_online()) */
enum wait_end {
	WAIT_ALL_ONLINE,
	WAIT_STALLED,	/* blocks came online, then none more for CONFORM_STALL_MS */
	WAIT_TIMED_OUT, /* HOTMEM_CONFORM_WAIT */
};

struct cell {
	const char *agent, *event;
	const char *udevd;
	long wait_ms;		/* HOTMEM_CONFORM_WAIT */
	int rcvbuf;		/* HOTMEM_CONFORM_LISTENER_RCVBUF */
	struct conform_child agent_c, listener_c;
	unsigned long listener_ino;
	struct conform_blocks before, after, added;
	long ms_to_last_online; /* -1: never */
	long waited_ms;		/* from the plug until the wait for them ended, not all online */
	enum wait_end wait_end;	/* why it ended */
	long agent_t0;		/* when the agent was started */
	bool ended;		/* the agent ended by itself */
	bool failed;		/* ... otherwise than with exit status 0 (then reaped) */
	bool ended_before_plug;
	int ended_code;		/* its exit status, -1: a signal's death */
	int ended_signal;	/* that signal, 0: none */
	long ended_within_ms;	/* of its start: when the cell saw it had ended */
	char *refused;		/* the event's first hotmemctl command that failed, and why */
};

static void step(const char *fmt, ...)
{
	va_list ap;

	fputs("hotmem-conform: cell: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool known_agent(const char *a)
{
	return (has_prefix(a, "rule:") && a[5]) || (has_prefix(a, "hotmemd:") && a[8]) ||
	       has_prefix(a, "cmd:") || !strcmp(a, "netlink-agent") || !strcmp(a, "none");
}

static bool known_event(const char *e)
{
	return !strcmp(e, "dimm1") || !strcmp(e, "dimm64") || !strcmp(e, "burst1024") ||
	       !strcmp(e, "virtio-grow-shrink");
}

/*
 * An environment number from 0 to @max, @dflt when unset; -1 (said) for
 * one that is not.  @cap: a larger one (ERANGE too) is @max instead.
 */
static long env_long(const char *name, long dflt, long max, bool cap)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*end || end == v || n < 0 || (errno && !(cap && n == LONG_MAX))) {
		fprintf(stderr, "hotmem-conform: %s=%s: not a number from 0 to %ld\n", name, v, max);
		return -1;
	}
	if (n > max && !cap) {
		fprintf(stderr, "hotmem-conform: %s=%s: more than %ld\n", name, v, max);
		return -1;
	}
	return n > max ? max : n;
}

int conform_env(long *wait_ms, int *rcvbuf)
{
	/* the cell itself is stopped after CONFORM_CELL_TIMEOUT_S */
	long wait_s = env_long("HOTMEM_CONFORM_WAIT", 15, CONFORM_CELL_TIMEOUT_S / 2, false);
	/*
	 * SO_RCVBUF takes an int and the kernel caps it at net.core.rmem_max
	 * (sock_setsockopt(), 6.12; SO_RCVBUFFORCE would not, it needs
	 * CAP_NET_ADMIN and is what udevd uses): a larger value is INT_MAX,
	 * which the kernel then caps as it would any.
	 */
	long buf = env_long("HOTMEM_CONFORM_LISTENER_RCVBUF", 0, INT_MAX, true);

	if (wait_s < 0 || buf < 0)
		return -1;
	*wait_ms = wait_s * 1000;
	*rcvbuf = (int)buf;
	return 0;
}

/* until @path exists (a child says it is bound) */
static int wait_file(const char *path, long timeout_ms)
{
	long end = conform_now_ms() + timeout_ms;

	while (access(path, F_OK)) {
		if (conform_now_ms() >= end) {
			fprintf(stderr, "hotmem-conform: %s: not ready after %ld s\n",
				strrchr(path, '/') + 1, timeout_ms / 1000);
			return -1;
		}
		conform_sleep_ms(50);
	}
	return 0;
}

/*
 * The blocks once the event has shown: a listing that differs from
 * @before (HOTMEM_CONFORM_WAIT at most).  A real kernel's blocks come when
 * the firmware's hotplug is handled, not when device_add returns; and a
 * cell once counted no new block at all on a busy host.
 */
static void listed_blocks(const struct cell *c, const struct conform_blocks *before,
			  struct conform_blocks *cur)
{
	long end = conform_now_ms() + c->wait_ms;

	for (;;) {
		if (!conform_list_blocks(cur) && cur->count && !conform_blocks_equal(cur, before))
			return;
		if (conform_now_ms() >= end)
			break;
		conform_blocks_free(cur);
		conform_sleep_ms(100);
	}
	step("no new block in the listing after %ld s", c->wait_ms / 1000);
}

/*
 * Until all of @b are online, the wait is over, or their count online has
 * not changed for CONFORM_STALL_MS since a block was first seen online
 * (the kernel's doing or the agent's).  The stall clock starts there: an
 * agent that polls or batches (a 7-s loop, a unit started later) starts
 * after the plug, and "none online yet" is not "no progress" (abuse25a
 * B4: such an agent was called a violator after 5 s of
 * HOTMEM_CONFORM_WAIT=30).  An agent that never onlines anything costs the
 * whole wait; but "none", the kernel alone, whose auto-online is done
 * within the add (add_memory_resource(), 6.12), before the listing: no
 * later sign can come, so its clock runs from the start.
 */
static enum wait_end all_online(const struct cell *c, const struct conform_blocks *b)
{
	long now = conform_now_ms(), end = now + c->wait_ms, last_change = now;
	size_t online, last = (size_t)-1;
	/* a block was seen online (or nothing will act): the stall clock runs */
	bool started = !strcmp(c->agent, "none");

	for (;;) {
		online = conform_count_online(b);
		if (online == b->count)
			return WAIT_ALL_ONLINE;
		now = conform_now_ms();
		started |= online > 0;
		if (online != last) {
			last = online;
			last_change = now;
		} else if (started && now - last_change >= CONFORM_STALL_MS) {
			return WAIT_STALLED;
		}
		if (now >= end)
			return WAIT_TIMED_OUT;
		conform_sleep_ms(50);
	}
}

/* udevd's queue emptied (rule agents), else a moment for the agent's last write */
static void settle(const struct cell *c)
{
	char *argv[] = { "udevadm", "settle", "-t", "10", NULL };

	if (has_prefix(c->agent, "rule:"))
		conform_run(argv, NULL, SETTLE_TIMEOUT_MS);
	else
		conform_sleep_ms(300);
	conform_sleep_ms(200);
}

/*
 * The blocks listed now that @c->before has not, online; then the agent
 * settled as before the count (udevd's queue empty, or a moment).  Under
 * memhp_default_state=online* the kernel onlines them at once while the
 * agent is still handling their ADDs (udevd running the virt rule's
 * PROGRAM, hotmemd reading their state): shrinking then had it write to
 * blocks the driver had removed (ENODEV), a race with the event, not the
 * onlining the cell is about (the shell version's own slowness hid it).
 */
static void wait_grown_online(const struct cell *c)
{
	struct conform_blocks now = { 0 }, grown = { 0 };

	if (!conform_list_blocks(&now))
		conform_blocks_diff(&now, &c->before, &grown);
	all_online(c, &grown);
	settle(c);
	conform_blocks_free(&grown);
	conform_blocks_free(&now);
}

/*
 * Until the virtio-mem device's driver has got to its requested-size
 * (plugged-size says how far: hotmemctl returns before the driver is
 * done, as QEMU's qom-set does), it has got no further for 5 s, or the
 * wait is over; then until the listing holds still: a shrink's blocks are
 * removed after their memory is unplugged.  Counting before had blocks
 * on their way out counted as new and left offline.
 */
static void wait_resized(const struct cell *c, const char *id)
{
	long now = conform_now_ms(), end = now + c->wait_ms, last_change = now;
	long plugged, requested, last = -1;
	struct conform_blocks a = { 0 }, b = { 0 };

	while (!conform_vmem_sizes(id, &plugged, &requested) && plugged != requested) {
		now = conform_now_ms();
		if (plugged != last) {
			last = plugged;
			last_change = now;
		}
		if (now >= end || now - last_change >= CONFORM_STALL_MS)
			return;
		conform_sleep_ms(50);
	}
	while (!conform_list_blocks(&a)) {
		conform_sleep_ms(200);
		if (conform_list_blocks(&b) || conform_blocks_equal(&a, &b) || conform_now_ms() >= end)
			break;
		conform_blocks_free(&a);
		conform_blocks_free(&b);
	}
	conform_blocks_free(&a);
	conform_blocks_free(&b);
}

static int start_listener(struct cell *c)
{
	struct conform_listener_args a = { .ready = LISTENER_READY, .rcvbuf = c->rcvbuf };
	struct conform_io io;
	int fd, ret;

	unlink(LISTENER_READY);
	fd = conform_open_file(LISTENER_OUT, false);
	if (fd < 0)
		return -1;
	io = (struct conform_io){ .out_fd = fd, .err_fd = fd };
	ret = conform_fork(&c->listener_c, conform_listener_main, &a, &io);
	close(fd);
	return ret;
}

/* the listener's "ADDS ENOBUFS DROPS", printed when SIGINT stops it */
static void stop_listener(struct cell *c, struct conform_listener_result *r)
{
	char line[128];

	if (c->listener_c.pid > 0)
		kill(c->listener_c.pid, SIGINT);
	if (!conform_wait(&c->listener_c, CONFORM_STOP_GRACE_MS, NULL, NULL))
		conform_stop(&c->listener_c, SIGKILL, 0);
	conform_last_line(LISTENER_OUT, line, sizeof(line));
	if (conform_listener_parse(line, r))
		*r = (struct conform_listener_result){ 0, 0, -1 };
}

/* udevd answers its control socket (one that has exited never will) */
static void wait_udevd(struct conform_child *udevd)
{
	char *ping[] = { "udevadm", "control", "--ping", NULL };
	long end = conform_now_ms() + CONFORM_READY_MS;
	struct conform_io io = { .out_fd = -1, .err_fd = conform_open_null() };

	while (conform_now_ms() < end && !conform_exited(udevd)) {
		if (!conform_run(ping, &io, PING_TIMEOUT_MS))
			break;
		conform_sleep_ms(50);
	}
	if (io.err_fd >= 0)
		close(io.err_fd);
}

/* hotmemd has said "ready" in its log, or exited */
static void wait_logged(struct conform_child *agent, const char *word)
{
	long end = conform_now_ms() + CONFORM_READY_MS;

	while (conform_now_ms() < end && !conform_count_lines(AGENT_LOG, word) &&
	       !conform_exited(agent))
		conform_sleep_ms(50);
}

static int start_agent(struct cell *c)
{
	const char *a = c->agent;
	struct conform_io io = { .out_fd = -1 };
	int ret = 0;

	unlink(AGENT_READY);
	c->agent_t0 = conform_now_ms();
	io.err_fd = conform_open_file(AGENT_LOG, false);
	if (io.err_fd < 0)
		return -1;
	if (has_prefix(a, "rule:")) {
		/* --debug: udevd logs each ATTR write (its failures are hidden: a
		 * write that fails but reads back the value counts as done) */
		char *argv[] = { (char *)c->udevd, "--debug", NULL };

		ret = conform_spawn(&c->agent_c, argv, &io);
		if (!ret)
			wait_udevd(&c->agent_c);
	} else if (has_prefix(a, "hotmemd:")) {
		char *argv[] = { "hotmemd", "--config", "/dev/null", "--policy",
				 (char *)a + strlen("hotmemd:"), NULL };

		ret = conform_spawn(&c->agent_c, argv, &io);
		if (!ret)
			wait_logged(&c->agent_c, "ready");
	} else if (has_prefix(a, "cmd:")) {
		char *argv[] = { "sh", "-c", (char *)a + strlen("cmd:"), NULL };

		ret = conform_spawn(&c->agent_c, argv, &io);
		conform_sleep_ms(500);
	} else if (!strcmp(a, "netlink-agent")) {
		ret = conform_fork(&c->agent_c, conform_netlink_agent_main, AGENT_READY, &io);
		if (!ret)
			wait_file(AGENT_READY, CONFORM_READY_MS);
	}
	/* none: no agent, the kernel's own auto-online alone (make bench's floor) */
	close(io.err_fd);
	return ret;
}

/*
 * Every agent a cell starts is a daemon that runs until the cell stops it:
 * one that has ended by itself (a typo in an --agent, sh -c's 127; a
 * missing library; a bad flag) is reaped here, once, and when the cell saw
 * it ended said (usereye4 #9: such a cell was "8 of 8 blocks left
 * offline", the agent's exit and stderr nowhere).  One that exited 0 may
 * have left its daemon behind (`my-agent &`, a fork into the background):
 * it is left unreaped -- its group keeps running, stopped with the cell --
 * and failed only what ended otherwise (c->failed).
 */
static void agent_ended(struct cell *c, bool before_plug)
{
	siginfo_t si = { 0 };

	if (c->ended || c->agent_c.pid <= 0 || c->agent_c.reaped ||
	    waitid(P_PID, (id_t)c->agent_c.pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_pid != c->agent_c.pid)
		return;
	c->ended = true;
	c->ended_before_plug = before_plug;
	c->ended_within_ms = conform_now_ms() - c->agent_t0;
	c->ended_code = si.si_code == CLD_EXITED ? si.si_status : -1;
	c->ended_signal = si.si_code == CLD_EXITED ? 0 : si.si_status;
	c->failed = c->ended_code != 0;
	/* what it left in its group goes with it, as when the cell stops it */
	if (c->failed)
		conform_wait(&c->agent_c, 0, NULL, NULL);
	step("the agent ended by itself (%s %d), %s", c->ended_signal ? "signal" : "status",
	     c->ended_signal ? c->ended_signal : c->ended_code,
	     before_plug ? "before the plug" : "after the plug");
}

/*
 * The agent's exit into @o: "agent_exit" {code or signal, within_ms of its
 * start, before_plug} and the last lines of its stderr ("agent_log_tail");
 * its whole stderr on ours, after the steps, where hotmem-conform keeps it.
 */
static void add_agent_exit(const struct cell *c, json_object *o)
{
	json_object *e = json_object_new_object();
	char *tail = conform_tail(AGENT_LOG, 5, 300);
	FILE *log;
	char buf[4096];
	size_t n;

	json_object_object_add(e, "code", c->ended_code >= 0 ? json_object_new_int(c->ended_code) : NULL);
	json_object_object_add(e, "signal", c->ended_signal ? json_object_new_int(c->ended_signal) : NULL);
	json_object_object_add(e, "within_ms", json_object_new_int64(c->ended_within_ms));
	json_object_object_add(e, "before_plug", json_object_new_boolean(c->ended_before_plug));
	json_object_object_add(o, "agent_exit", e);
	json_object_object_add(o, "agent_log_tail", json_object_new_string(tail ? tail : ""));
	free(tail);
	fflush(stderr);
	fputs("hotmem-conform: cell: the agent's stderr:\n", stderr);
	log = fopen(AGENT_LOG, "re");
	while (log && (n = fread(buf, 1, sizeof(buf), log)) > 0)
		fwrite(buf, 1, n, stderr);
	if (log)
		fclose(log);
	fflush(stderr);
}

/*
 * One hotmemctl command of the event.  One that fails is the emulated
 * hardware refusing the matrix's own event (a device that does not fit
 * the machine: usereye7 #5, a 4 GiB virtio-mem device on qemu-512m's
 * 3.5 GiB): kept in @c->refused, the event stopped there, and the cell
 * says so instead of waiting for blocks that never come and blaming the
 * agent for them.
 */
static int event_ctl(struct cell *c, const char *const args[])
{
	char *why = NULL;

	if (c->refused)
		return -1;
	if (!conform_ctl(args, &why))
		return 0;
	c->refused = why ? why : strdup("hotmemctl failed (out of memory saying how)");
	step("the machine refused the event: %s", c->refused ? c->refused : "?");
	return -1;
}

/*
 * Sizes that fit every machine of the matrix: a 1 GiB DIMM everywhere,
 * the 64 DIMMs and the burst only where conform_main.c's fits() lets
 * them.  The virtio-mem device is 3 GiB, grown to 2 GiB at most:
 * qemu-512m (QEMU's -m 512M,maxmem=4G) has 3.5 GiB for all memory
 * devices together (maxmem - RAM, QEMU's memory_device_check_addable()),
 * and a 4 GiB device is refused there.
 *
 * The event's devices go to node 0 (device_add's default), or on a machine
 * with a memoryless node with CPUs to that node, as memory added to a
 * socket without DIMMs: its first memory, which the kernel's zone rules
 * (auto-movable's per-node ratio) and an agent's see as such.  @node is
 * "node=N", or NULL, which ends the device_add's arguments there.
 * 0, or -1 when the machine refused a step (@c->refused says which).
 */
static int plug(struct cell *c)
{
	const char *e = c->event;
	int nid = conform_plug_node();
	char nodearg[24];
	const char *node = NULL;

	if (nid >= 0) {
		snprintf(nodearg, sizeof(nodearg), "node=%d", nid);
		node = nodearg;
		step("plugging on node %d: it has CPUs and no memory", nid);
	}
	if (!strcmp(e, "dimm1"))
		return event_ctl(c, (const char *[]){ "device_add", "pc-dimm", "size=1G", "id=d1", node,
						      NULL });
	if (!strcmp(e, "dimm64")) {
		for (int i = 1; i <= 64; i++) {
			char id[16];

			snprintf(id, sizeof(id), "id=d%d", i);
			if (event_ctl(c, (const char *[]){ "device_add", "pc-dimm", "size=128M", id,
							   node, NULL }))
				return -1;
		}
		return 0;
	}
	if (!strcmp(e, "burst1024"))
		return event_ctl(c, (const char *[]){ "device_add", "pc-dimm", "size=128G", "id=big",
						      node, NULL });
	/* virtio-grow-shrink: each step once the agent has onlined the one
	 * before (a virtio-mem driver unplugs only what it plugged and is online) */
	if (event_ctl(c, (const char *[]){ "device_add", "virtio-mem-pci", "size=3G",
					   "requested-size=1G", "id=vm0", node, NULL }))
		return -1;
	wait_resized(c, "vm0");
	wait_grown_online(c);
	if (event_ctl(c, (const char *[]){ "qom-set", "vm0", "requested-size", "2G", NULL }))
		return -1;
	wait_resized(c, "vm0");
	wait_grown_online(c);
	if (event_ctl(c, (const char *[]){ "qom-set", "vm0", "requested-size", "1G", NULL }))
		return -1;
	wait_resized(c, "vm0");
	return 0;
}

/* what the count of the new blocks found */
struct census {
	long online;
	json_object *zones;	/* zone -> online blocks in it */
	char *runs;		/* "FIRST-LAST:ZONE,..." of consecutive blocks */
};

static void zone_count(json_object *zones, const char *z)
{
	json_object *n;

	if (json_object_object_get_ex(zones, z, &n))
		json_object_set_int(n, json_object_get_int(n) + 1);
	else
		json_object_object_add(zones, z, json_object_new_int(1));
}

/* each new block's zone (valid_zones of an online block is its zone), or offline */
static int take_census(const struct cell *c, struct census *cs)
{
	char z[64], rz[64] = "";
	unsigned long first = 0, last = 0, b;
	size_t i, len;
	FILE *runs;

	*cs = (struct census){ .zones = json_object_new_object() };
	runs = open_memstream(&cs->runs, &len);
	if (!cs->zones || !runs) {
		/* what was had is the caller's to free (run_cell()), the stream ours */
		if (runs)
			fclose(runs);
		return -ENOMEM;
	}
	for (i = 0; i < c->added.count; i++) {
		b = c->added.nr[i];
		snprintf(z, sizeof(z), "offline");
		if (conform_block_online(b)) {
			cs->online++;
			if (conform_read_attr(b, "valid_zones", z, sizeof(z)) < 0)
				z[0] = '\0';
			zone_count(cs->zones, z);
		}
		if (*rz && !strcmp(z, rz) && b == last + 1) {
			last = b;
			continue;
		}
		if (*rz)
			fprintf(runs, "%s%lu-%lu:%s", ftell(runs) ? "," : "", first, last, rz);
		snprintf(rz, sizeof(rz), "%s", z);
		first = last = b;
	}
	if (*rz)
		fprintf(runs, "%s%lu-%lu:%s", ftell(runs) ? "," : "", first, last, rz);
	return fclose(runs) ? -errno : 0;
}

/* what the agent wrote, and what wrong, from its log and from hotmemfs's counters */
struct writes {
	struct conform_write_count n;
	bool agent_chose;
};

/*
 * Every write of the agent's: what hotmemfs took over the cell, carried
 * out or refused (memoryN/state and /online alike: its counters do not
 * tell them apart, nor do the kernel's two stores); when its counts are
 * not known, udevd's state writes (its log).  Never fewer than the bad
 * ones below, which are parts of it: an agent that wrote 8 times and was
 * refused none shows 8 writes, none redundant or failed.
 *
 * Each bad write counted once, in one kind.  redundant: a write
 * hotmemfs refused with EINVAL (the block was already in that state -- the
 * kernel's auto-online got there first -- or the zone is not allowed) but
 * for a value it could not parse ("bogus": a failed write, below); if
 * hotmemfs's counts are not known, udevd's state writes beyond the blocks
 * the kernel left offline (memhp_default_state=online*: none), which
 * counted a rule's writes of "offline" that went through as redundant too
 * (a value state_store() cannot parse, the log's 'writing' line says which,
 * is a failed write there too).
 * failed: a write that failed otherwise: hotmemfs's other errnos and its
 * EINVALs of an unparsable value (status's "unparsed"), at least
 * the log's failure lines but those its redundant writes account for --
 * udevd logs "Failed to write ATTR" for a redundant EINVAL too whenever
 * the file does not read back what it wrote (online_movable reads back
 * "online"), and each was counted twice, 16 writes for 8 blocks -- and
 * what hotmemfs does not count (a value state_store() cannot parse).
 */
void conform_write_kinds(const struct conform_write_log *l, struct conform_write_count *w)
{
	long f;

	if (l->counted) {
		w->unparsed = l->unparsed < l->einval ? l->unparsed : l->einval;
		w->redundant = l->einval - w->unparsed;
	} else {
		/* udevd's log alone: its unparsable values are no write a block needed */
		long parsed = l->writes - l->unparsable;

		w->unparsed = l->unparsable < l->writes ? l->unparsable : l->writes;
		w->redundant = parsed > l->needed ? parsed - l->needed : 0;
	}
	f = l->failed - w->redundant;
	w->failed = f > l->other + w->unparsed ? f : l->other + w->unparsed;
	if (w->failed < 0)
		w->failed = 0;
	w->writes = l->counted ? l->done + l->einval + l->other : l->writes;
	if (w->writes < w->redundant + w->failed)
		w->writes = w->redundant + w->failed;
}

/*
 * The log's lines: udevd's "ATTR '.../state' writing" and "Failed to write
 * ATTR{...}", hotmemd's give-ups, the netlink agent's write errors; and
 * what hotmemfs took and refused since @sw0 (an agent that hides its
 * writes and errors is counted all the same).
 */
static void count_writes(const struct cell *c, long heard, const struct conform_state_writes *sw0,
			 struct writes *w)
{
	struct conform_state_writes sw1;
	struct conform_write_log l = { 0 };

	l.failed = conform_count_lines(AGENT_LOG,
				       "Failed to write ATTR|give up|gave up|failed to write");
	l.writes = conform_count_lines(AGENT_LOG, "ATTR '[^']*/state' writing");
	l.unparsable = conform_count_unparsable_writes(AGENT_LOG);
	w->agent_chose = !conform_kernel_autoonlines();
	/* blocks added over the event (virtio-mem: the grown ones, since removed, too) */
	if (w->agent_chose)
		l.needed = heard > (long)c->added.count ? heard : (long)c->added.count;
	conform_state_writes(&sw1);
	l.counted = sw0->known && sw1.known;
	l.done = sw1.done - sw0->done;
	l.einval = sw1.einval - sw0->einval;
	l.unparsed = sw1.unparsed - sw0->unparsed;
	l.other = sw1.other - sw0->other;
	conform_write_kinds(&l, &w->n);
}

/* the onlined new blocks offlined again, in block order: how many went */
static long offline_again(const struct cell *c)
{
	long n = 0;
	size_t i;

	for (i = 0; i < c->added.count; i++)
		if (conform_block_online(c->added.nr[i]) && !conform_offline_block(c->added.nr[i]))
			n++;
	return n;
}

/* everything the cell found, as its JSON line says it */
struct outcome {
	struct census cs;
	struct writes w;
	struct conform_listener_result lr;
	long lost;	/* the kernel's drops for the agent's uevent sockets */
	long llost;	/* ADDs the listener never saw */
	long ratio, mratio, offl, unsent, enobufs;
	char policy[32];	/* online_policy: whose zone a plain online takes */
};

static void add_int(json_object *o, const char *k, long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/*
 * What udevd said of the rules as it read them: "FILE:LINE Invalid key
 * 'ATRR'" (systemd 252), a line it then drops -- the rule never ran, and
 * the row said only "blocks left offline" (usereye4 #9).  Only lines that
 * begin with the file: those of an event begin with its device
 * ("memory32: FILE:LINE ATTR ... writing").  Their count and the first.
 */
#define RULES_COMPLAINT "^/[^ ]*\\.rules:[0-9]+ "
/*
 * udevd --debug's line for each rules file it loads (udev-rules.c
 * udev_rules_parse_file(), systemd 252 and since): none, and the agent
 * ran no rule at all -- the cell is an error of the run, not the rule's
 * violation (usereye8 #2: a --rules FILE not named *.rules, a DIR
 * without one, an empty file).
 */
#define RULES_READ "^Reading rules file: "

static void add_rules_errors(json_object *o)
{
	char *first = conform_first_line(AGENT_LOG, RULES_COMPLAINT);

	add_int(o, "rules_files_read", conform_count_lines(AGENT_LOG, RULES_READ));

	add_int(o, "rules_errors", first ? conform_count_lines(AGENT_LOG, RULES_COMPLAINT) : 0);
	json_object_object_add(o, "rules_error", first ? json_object_new_string(first) : NULL);
	free(first);
}

/*
 * Blocks not all online: how long the cell waited for them, from the plug,
 * and why it stopped (the verdict says it: conform_reasons_for()).
 */
static void add_wait(const struct cell *c, json_object *o)
{
	if (c->wait_end == WAIT_ALL_ONLINE)
		return;
	add_int(o, "waited_ms", c->waited_ms);
	json_object_object_add(o, "wait_ended",
			       json_object_new_string(c->wait_end == WAIT_STALLED ? "stalled" : "timed_out"));
	add_int(o, "wait_s", c->wait_ms / 1000);
}

/* one JSON object, one line: the last of stdout (bench_burst.sh's sed reads it too) */
static void print_outcome(const struct cell *c, struct outcome *r)
{
	json_object *o = json_object_new_object();

	add_int(o, "new", (long)c->added.count);
	add_int(o, "online", r->cs.online);
	json_object_object_add(o, "zones", json_object_get(r->cs.zones));
	json_object_object_add(o, "zone_runs", json_object_new_string(r->cs.runs ? r->cs.runs : ""));
	/* every write the agent made; the redundant and the failed are parts of it */
	add_int(o, "writes", r->w.n.writes);
	add_int(o, "failed_writes", r->w.n.failed);
	add_int(o, "redundant_writes", r->w.n.redundant);
	/* of failed_writes, EINVALs of a value the store could not parse */
	add_int(o, "unparsed_writes", r->w.n.unparsed);
	json_object_object_add(o, "agent_chose_zones", json_object_new_boolean(r->w.agent_chose));
	add_int(o, "movable_pct_of_kernel", r->ratio);
	add_int(o, "auto_movable_ratio", r->mratio);
	json_object_object_add(o, "online_policy", json_object_new_string(r->policy));
	json_object_object_add(o, "ms_to_last_online",
			       c->ms_to_last_online < 0 ? NULL
							: json_object_new_int64(c->ms_to_last_online));
	add_wait(c, o);
	add_int(o, "offlinable", r->offl);
	add_int(o, "uevents_lost", r->lost);
	add_int(o, "agent_enobufs", r->enobufs);
	add_int(o, "listener_lost", r->llost);
	add_int(o, "listener_enobufs", r->lr.enobufs);
	add_int(o, "listener_drops", r->lr.drops);
	add_int(o, "uevents_unsent", r->unsent);
	if (has_prefix(c->agent, "rule:"))
		add_rules_errors(o);
	if (c->ended)
		add_agent_exit(c, o);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
}

/* the listener and the agent up, the listener's socket known */
static int start(struct cell *c)
{
	char ino[32] = "";

	/* a listener as most agents open one, started first */
	if (start_listener(c) < 0 || start_agent(c) < 0)
		return -1;
	step("agent %s started", c->agent);
	wait_file(LISTENER_READY, CONFORM_READY_MS);
	conform_last_line(LISTENER_READY, ino, sizeof(ino));
	c->listener_ino = strtoul(ino, NULL, 10);
	return 0;
}

/* the event, then until its new blocks are online (or not); -1: the machine refused it */
static int plug_and_wait(struct cell *c)
{
	long t0 = conform_now_ms();

	if (plug(c))
		return -1;
	listed_blocks(c, &c->before, &c->after);
	conform_blocks_diff(&c->after, &c->before, &c->added);
	step("%zu blocks before, %zu after, %zu new", c->before.count, c->after.count,
	     c->added.count);
	/* an agent that lost uevents never onlines them: the stall ends the wait */
	c->wait_end = all_online(c, &c->added);
	if (c->wait_end == WAIT_ALL_ONLINE)
		c->ms_to_last_online = conform_now_ms() - t0;
	else
		c->waited_ms = conform_now_ms() - t0;
	step("%zu of %zu online; settling", conform_count_online(&c->added), c->added.count);
	settle(c);
	return 0;
}

/* what the agent did, counted while it still runs; then it is stopped and the blocks offlined */
static int count(struct cell *c, const struct conform_state_writes *sw0, struct outcome *r)
{
	/* the agent's own uevent sockets: what the kernel dropped for them */
	r->lost = conform_uevent_drops(c->listener_ino);
	stop_listener(c, &r->lr);
	/* add events the listener never saw, of the blocks added (virtio: grown ones too) */
	r->llost = (long)c->added.count - r->lr.adds;
	if (r->llost < 0)
		r->llost = 0;
	if (take_census(c, &r->cs))
		return -1;
	count_writes(c, r->lr.adds, sw0, &r->w);
	r->ratio = conform_movable_pct();
	r->mratio = conform_auto_movable_ratio();
	conform_online_policy(r->policy, sizeof(r->policy));
	agent_ended(c, false);
	step("counted; stopping the agent");
	/* before offlining, so that it does not online them again */
	conform_stop(&c->agent_c, SIGTERM, CONFORM_STOP_GRACE_MS);
	r->offl = offline_again(c);
	/* uevents hotmemfs could not hand to the kernel: hotmem's fault */
	r->unsent = conform_uevents_unsent();
	/* ENOBUFS the agent itself reported (the netlink agent does) */
	r->enobufs = conform_count_lines(AGENT_LOG, "^ENOBUFS");
	return 0;
}

/*
 * The outcome of a cell that counted nothing: its agent ended before the
 * plug (@c->failed: its exit), or the machine refused the event
 * ("event_refused": which command, what hotmemctl said).  Exit status 0,
 * or CONFORM_EXIT_REFUSED for a refused event.
 */
static int print_not_run(const struct cell *c)
{
	json_object *o = json_object_new_object();

	if (!o)
		return 1;
	if (c->refused)
		json_object_object_add(o, "event_refused", json_object_new_string(c->refused));
	else
		add_agent_exit(c, o);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
	return c->refused ? CONFORM_EXIT_REFUSED : 0;
}

static int run_cell(struct cell *c)
{
	struct conform_state_writes sw0;
	struct conform_blocks none = { 0 };
	struct outcome r = { 0 };
	int ret = 1;

	listed_blocks(c, &none, &c->before);
	if (start(c) < 0)
		return 1;
	/*
	 * An agent that did not come up: nothing is plugged (the cell would
	 * wait HOTMEM_CONFORM_WAIT for blocks it never onlines), the outcome
	 * is its exit alone, and hotmem-conform calls the cell an error of
	 * the run, not a verdict on the agent's policy.
	 */
	agent_ended(c, true);
	if (c->failed)
		return print_not_run(c);
	step("listener ready; plugging %s", c->event);
	/* memoryN/state writes hotmemfs refused so far: the agent's are what follows */
	conform_state_writes(&sw0);
	if (plug_and_wait(c))
		return print_not_run(c);
	if (!count(c, &sw0, &r)) {
		print_outcome(c, &r);
		ret = 0;
	}
	json_object_put(r.cs.zones);
	free(r.cs.runs);
	return ret;
}

int conform_cell_main(int argc, char **argv)
{
	struct cell c = { .ms_to_last_online = -1 };
	int ret;

	if (argc != 2 || !known_agent(argv[0]) || !known_event(argv[1])) {
		fprintf(stderr, "hotmem-conform: --cell AGENT EVENT: AGENT rule:DIR, hotmemd:POLICY, "
				"cmd:COMMAND, netlink-agent or none; EVENT dimm1, dimm64, burst1024 "
				"or virtio-grow-shrink\n");
		return 2;
	}
	/* never the host's memory, udev or uevents: only where hotmem-enter made them private */
	if (!conform_machine_is_emulated()) {
		fprintf(stderr, "hotmem-conform: --cell runs only inside hotmem-enter "
				"(" CONFORM_MEM " is not hotmemfs here)\n");
		return 2;
	}
	if (conform_env(&c.wait_ms, &c.rcvbuf) < 0)
		return 2;
	c.agent = argv[0];
	c.event = argv[1];
	c.udevd = getenv("UDEVD") && *getenv("UDEVD") ? getenv("UDEVD") : "/lib/systemd/systemd-udevd";
	ret = run_cell(&c);
	/* whatever is still running (an early return) */
	conform_stop(&c.listener_c, SIGKILL, 0);
	conform_stop(&c.agent_c, SIGTERM, CONFORM_STOP_GRACE_MS);
	conform_blocks_free(&c.before);
	conform_blocks_free(&c.after);
	conform_blocks_free(&c.added);
	free(c.refused);
	return ret;
}
