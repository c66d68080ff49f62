// SPDX-License-Identifier: GPL-2.0
/*
 * hotmemctl: the hardware's front panel.  Talks JSON to hotmemfs's
 * control socket; prints tables for people and --json for programs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctlargs.h"
#include "ctllimits.h"
#include "map.h"
#include "export.h"
#include "sysfs_parse.h"
#include "uapi/hm_version.h"
#include "uapi/hmuapi.h"

#define DEFAULT_CONTROL "/run/hotmem/hotmemfs.sock"
/*
 * How long hotmemctl waits for a command when -t does not say: above
 * every limit hotmemfs puts on a command itself -- a change waits at most
 * HMFS_CTL_DELIVER_WAIT_MS (60 s) for its events to be delivered before
 * it replies, after a guest's eject or a virtio-mem shrink that gives up
 * after 10 s a block, 40 s in all (HMFS_EJECT_*) -- so that by default the
 * client never gives up on a command hotmemfs is still within its limits
 * for; short enough not to hang a script on a hung hotmemfs.  settle:
 * its own --timeout (the server's default, HMFS_SETTLE_DEFAULT_S) and
 * SETTLE_MARGIN.  The limits are ctllimits.h's, hotmemfs's own.
 */
#define DEFAULT_TIMEOUT 120
#define SETTLE_MARGIN 30
/* the numbers said in usage() */
#define STR(x) #x
#define XSTR(x) STR(x)
_Static_assert(DEFAULT_TIMEOUT * 1000L > HMFS_CTL_DELIVER_WAIT_MS + HMFS_EJECT_TOTAL_SECONDS * 1000L,
	       "hotmemctl's default outlasts a change's own wait in hotmemfs");

struct cli {
	const char *sock;
	bool json;
	bool trace;
	bool map; /* `map`: a status request drawn */
	int map_color; /* -1: when stdout is a terminal and NO_COLOR is unset */
	const char *map_svg;
	unsigned timeout; /* seconds the whole command may take (connect, send, reply); 0: none */
	bool timeout_set; /* -t gave it: never changed by the command */
	long deadline_ms; /* CLOCK_MONOTONIC ms the reply must come by; 0: none */
	unsigned server_limit; /* the command's own limit in hotmemfs (settle's), s; 0: none said */
	bool timed_out; /* said so already */
	json_object *req; /* the request, once sent: what -t running out means for it */
	bool hung_up; /* the server closed the connection (EOF, ECONNRESET) */
	bool bad_reply; /* not JSON: said already */
	int fd;
	const char *export_dir; /* export DIR: a status request, then the copy */
	const char *raw; /* raw JSON: raw_req sent as typed (once), not as json-c writes it again */
	json_object *raw_req;
	json_object *explain_all; /* explain N --all: its request, sent again a page of entries */
	bool caps_only; /* `qmp_capabilities`: the negotiation hotmemctl makes anyway, shown */
	json_object *greeting; /* QMP's greeting, its "version" for caps_only's line */
	struct json_tokener *tok;
	char buf[65536];
	size_t len, off;
	bool in_obj; /* the tokener holds an object's start: buf[off] is in it, blank or not */
	/* raw: the text of the object read last, as received, to print it so */
	char *text;
	size_t text_len, text_cap;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hotmemctl [-s SOCKET] [-t SECONDS] [--json] COMMAND [ARGS...]\n"
		"\n"
		"Commands (named after QEMU's monitor; KEY=VALUE or KEY=VALUE,KEY=VALUE):\n"
		"  status                               machine, zones, blocks, devices\n"
		"  map [--svg FILE] [--color|--no-color]  the physical address space, a cell a block\n"
		"  device_add pc-dimm size=SIZE [node=N] [addr=ADDR] [slot=N] [id=ID] [memmap-on-memory=on|off]\n"
		"  device_add virtio-mem-pci size=SIZE [requested-size=SIZE] [block-size=SIZE] [node=N] [memaddr=ADDR] [id=ID]\n"
		"  device_del ID                        unplug: the guest's ACPI eject (refused if busy)\n"
		"  qom-set ID requested-size SIZE       resize a virtio-mem device (also: set-size ID SIZE)\n"
		"  qom-get ID PROPERTY                  a device's property: virtio-mem-pci size (plugged),\n"
		"                                       requested-size, block-size, node, memaddr;\n"
		"                                       pc-dimm size, addr, node, slot\n"
		"  devices                              list memory devices (--json: hotmem's view: driver,\n"
		"                                       memory group, plugged size, the guest driver's state)\n"
		"  query-memory-devices                 the same table (--json: QEMU's reply, type and data)\n"
		"  query-acpi-ospm-status               the guest's last _OST of each DIMM slot, a table (--json: QEMU's reply)\n"
		"  vmem-retry [ID]                      fire the guest virtio-mem driver's retry timer now\n"
		"                                       (hotmem's; it retries a short resize at 50 s..5 min)\n"
		"  vmem-inject ID plug|unplug ACK|NACK|BUSY|ERROR [count=N]   the device's answer to its\n"
		"                                       driver's next N (1) requests (0 clears)\n"
		"  online BLOCK [online|online_kernel|online_movable]\n"
		"  offline BLOCK [timeout=MS]           loops while pages cannot move, until its signal:\n"
		"                                       the timeout, this hotmemctl gone (-t), hotmemfs\n"
		"                                       stopping; then EINTR, the block as it was\n"
		"  alloc movable|unmovable|pinned PAGES [node=N], free-all, hugetlb PAGES [node=N]\n"
		"  explain BLOCK [--all] [from=PFN]     the pages that stop its offline by owner, the first\n"
		"                                       entries (--all: every one), its zone rule\n"
		"  dmesg                                the emulated kernel's log ring\n"
		"  inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE ERRNO   (0 clears)\n"
		"  fail-nth-alloc N                     fail the Nth engine allocation (0 off)\n"
		"  check                                check the engine's invariants\n"
		"  save                                 write the state file now\n"
		"  settle [--timeout SECONDS]           wait until every event queued so far is delivered:\n"
		"                                       caches invalidated, uevents sent (default "
		XSTR(HMFS_SETTLE_DEFAULT_S) " s;\n"
		"                                       exit 1 when it runs out)\n"
		"  export DIR                           the machine as a sysfs dump: DIR/sys/devices/system/memory\n"
		"                                       (util-linux's lsmem test layout; hotmem profile --from-sysfs DIR)\n"
		"  events [--trace]                     follow uevents and kernel log lines\n"
		"  raw JSON                             send one request as is, print its reply whole\n"
		"  qmp_capabilities                     QMP's negotiation alone (made before every command)\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default $HOTMEM_CONTROL, else " DEFAULT_CONTROL ")\n"
		"  -j, --json          print JSON instead of tables (a refusal: its {\"error\": ...})\n"
		"  -t, --timeout SECS  give up when the whole command (connect, request, reply) takes\n"
		"                      longer; the command may still complete in hotmemfs (default\n"
		"                      " XSTR(DEFAULT_TIMEOUT) ", settle: its --timeout + " XSTR(SETTLE_MARGIN) "; 0: never)\n"
		"  -h, --help          this text\n"
		"  -V, --version       hotmemctl's version and the build's git describe\n"
		"\n"
		"Exit status: 0 done; 1 refused by hotmemfs, hotmemfs not reached, or -t ran out;\n"
		"2 a usage error, nothing sent; 3 device_add plugged, the guest refused its memory\n"
		"as not in whole memory blocks (EINVAL) (hotmemctl(8), EXIT STATUS).\n");
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* ms left before the deadline (at least 1), -1 for none, 0 when it has passed */
static long left_ms(const struct cli *c)
{
	long left;

	if (!c->deadline_ms)
		return -1;
	left = c->deadline_ms - now_ms();
	return left > 0 ? left : 0;
}

/*
 * What is left of the deadline as the socket's send timeout: a connect()
 * to a listener whose backlog is full and a send() to a server that does
 * not read block until it (SO_SNDTIMEO bounds both on a unix socket).
 */
static void set_send_timeout(struct cli *c, int fd)
{
	long left = left_ms(c);
	struct timeval tv = { 0 };

	if (left > 0) {
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
	} else if (!left) {
		tv.tv_usec = 1000;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static json_object *get(json_object *o, const char *k)
{
	return hmfs_json_member(o, k);
}

static const char *gs(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v ? json_object_get_string(v) : "";
}

/*
 * An error's "desc" to @f whole: a U+0000 in it (the name a request gave,
 * "vm0\u0000junk") as the reply's \u0000, where json-c's NUL cut the
 * string short ("Device 'vm0" alone).  QEMU's HMP prints the bytes C0 80
 * of its modified UTF-8, no text a terminal shows.
 */
static void put_desc(FILE *f, json_object *err)
{
	json_object *v = get(err, "desc");
	const char *s = v ? json_object_get_string(v) : "";
	size_t len = v ? (size_t)json_object_get_string_len(v) : 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i])
			fputc(s[i], f);
		else
			fputs("\\u0000", f);
	}
}

/*
 * -t ran out on an online or offline sent: what is known of it.  hotmemfs
 * takes the client's hang-up as the change's signal (ctl.c
 * ctl_signal_pending(), ctlsock.c client_hung_up()): a looping
 * offline_pages() stops at it with EINTR, as 6.12's does at
 * signal_pending(), and a change still waiting for another's lock is not
 * done at all.  Not known: whether it was already done, its reply
 * waiting for its uevents' delivery (up to HMFS_CTL_DELIVER_WAIT_MS), or
 * an online past its lock wait, which no signal stops: status says.
 */
static bool say_state_timed_out(struct cli *c)
{
	json_object *args = get(c->req, "arguments");
	const char *state = gs(args, "state"), *block = gs(args, "block");

	if (strcmp(gs(c->req, "execute"), "block-set-state") || !*state || !*block)
		return false;
	if (!strcmp(state, "offline"))
		fprintf(stderr, "hotmemctl: memory%s: offline still under way after %u s (-t %u): "
				"interrupted as hotmemctl leaves (EINTR), memory%s stays online -- "
				"unless it was done, its reply waiting for its uevents (`hotmemctl "
				"status` says); `hotmemctl explain %s` says what does not move\n",
			block, c->timeout, c->timeout, block, block);
	else
		fprintf(stderr, "hotmemctl: memory%s: %s still under way after %u s (-t %u): "
				"hotmemctl's leaving interrupts it only while it waits for another "
				"change (EINTR, memory%s stays offline); `hotmemctl status` says which\n",
			block, state, c->timeout, c->timeout, block);
	return true;
}

/* -t ran out: said once, with what the command's own limit is when it is longer */
static void say_timed_out(struct cli *c)
{
	if (c->timed_out)
		return;
	c->timed_out = true;
	if (c->req && say_state_timed_out(c))
		return;
	fprintf(stderr, "hotmemctl: no reply from %s within %u s (-t %u): hotmemfs busy or hung? "
			"The command may still complete there (hotmemctl status shows the machine)",
		c->sock, c->timeout, c->timeout);
	if (c->server_limit > c->timeout)
		fprintf(stderr, "; it waits up to %u s in hotmemfs", c->server_limit);
	fputs("\n", stderr);
}

/*
 * Every JSON hotmemctl prints: '/' as is, never '\/' (a path in status's
 * state-file, an event's /machine/peripheral/ID), as hotmemfs's socket and
 * QEMU's QMP write it (review14 R6: --json events alone had it)
 */
#define JSON_OUT JSON_C_TO_STRING_NOSLASHESCAPE

/* what hotmemctl's own command line got wrong: one line, then exit status 2 */
#define EXIT_USAGE 2
/* a device QEMU plugged whose memory the guest refused as not in whole memory blocks */
#define EXIT_GUEST_REFUSED 3

/* the longest path a unix socket's address holds (its NUL aside) */
#define SOCK_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/*
 * connect() failed with @err: what is wrong and what to do, in one line.
 * ECONNREFUSED is a socket nobody listens on (hotmemfs gone, its socket
 * left) or no socket at all (a file, a directory): stat() tells them apart.
 */
static void say_connect_failed(const char *path, int err)
{
	struct stat st;

	if (err == ENOENT)
		fprintf(stderr, "hotmemctl: no control socket at %s: hotmemfs is not running, or "
				"listens elsewhere (its --control): name it with -s or HOTMEM_CONTROL\n",
			path);
	else if (err == ECONNREFUSED && !stat(path, &st) && !S_ISSOCK(st.st_mode))
		fprintf(stderr, "hotmemctl: %s is not a socket: name hotmemfs's control socket "
				"(its --control) with -s or HOTMEM_CONTROL\n", path);
	else if (err == ECONNREFUSED) /* every stop removes it (main.c, ctlsock.c: 95d4692) */
		fprintf(stderr, "hotmemctl: nothing listens on %s: hotmemfs was killed or crashed "
				"and left its socket (a stop removes it); start hotmemfs again\n", path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "hotmemctl: may not connect to %s: %s: the control socket is "
				"hotmemfs's user's alone (mode 0600): run hotmemctl as that user\n",
			path, strerror(err));
	else
		fprintf(stderr, "hotmemctl: cannot connect to %s: %s (is hotmemfs running? its "
				"socket: -s or HOTMEM_CONTROL)\n", path, strerror(err));
}

static int connect_sock(struct cli *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) > SOCK_PATH_MAX) /* parse_options() said so already */
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "hotmemctl: socket: %m\n");
		return -1;
	}
	set_send_timeout(c, fd); /* a full backlog blocks connect() too */
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (ret && errno == EAGAIN && c->deadline_ms) {
		say_timed_out(c);
		close(fd);
		return -1;
	}
	if (ret) {
		say_connect_failed(path, errno);
		close(fd);
		return -1;
	}
	return fd;
}

static int send_req(struct cli *c, json_object *req)
{
	const char *s = c->raw && req == c->raw_req ?
				c->raw :
				json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);

	if (req == c->raw_req)
		c->raw = NULL; /* explain --all's next pages: the request as changed */

	set_send_timeout(c, c->fd);
	if (send(c->fd, s, strlen(s), MSG_NOSIGNAL) < 0 || send(c->fd, "\n", 1, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/* Next JSON object from the socket, or NULL at EOF. */
static json_object *recv_obj(struct cli *c);

/*
 * The next reply: QEMU's events that come before it (a connection in
 * command mode gets them: DEVICE_DELETED ...) are not what was asked
 */
static json_object *recv_reply(struct cli *c)
{
	json_object *o;

	while ((o = recv_obj(c)) && get(o, "event"))
		json_object_put(o);
	return o;
}

/* @n bytes of the object being read, after those kept (raw's c->text); false: out of memory */
static bool keep_text(struct cli *c, const char *p, size_t n)
{
	if (c->text_len + n + 1 > c->text_cap) {
		size_t cap = (c->text_len + n + 1) * 2;
		char *t = realloc(c->text, cap);

		if (!t)
			return false;
		c->text = t;
		c->text_cap = cap;
	}
	memcpy(c->text + c->text_len, p, n);
	c->text_len += n;
	c->text[c->text_len] = '\0';
	return true;
}

static json_object *recv_obj(struct cli *c)
{
	for (;;) {
		/* blanks between objects only: one inside a string split across reads is the string's */
		if (!c->in_obj) {
			while (c->off < c->len && strchr(" \t\r\n", c->buf[c->off]) && c->buf[c->off])
				c->off++;
			c->text_len = 0;
		}
		if (c->off < c->len) {
			size_t start = c->off;
			json_object *o = json_tokener_parse_ex(c->tok, c->buf + c->off,
							       (int)(c->len - c->off));
			enum json_tokener_error e = json_tokener_get_error(c->tok);

			c->off += json_tokener_get_parse_end(c->tok);
			c->in_obj = !o && e == json_tokener_continue;
			if (c->raw_req && !keep_text(c, c->buf + start, c->off - start)) {
				json_object_put(o);
				fprintf(stderr, "hotmemctl: the reply: out of memory\n");
				c->bad_reply = true;
				return NULL;
			}
			if (o)
				return o;
			if (e != json_tokener_continue) {
				fprintf(stderr, "hotmemctl: %s: the reply is not JSON (%s): is it "
						"hotmemfs's control socket?\n", c->sock,
					json_tokener_error_desc(e));
				c->bad_reply = true;
				return NULL;
			}
		}
		/* the deadline is the whole command's, not each read's: a trickle does not extend it */
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left = left_ms(c);
		int ready = 1;
		ssize_t n;

		if (left > 0)
			ready = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (!left || !ready) {
			say_timed_out(c);
			return NULL;
		}
		if (ready < 0 && errno == EINTR)
			continue;
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		if (n <= 0) {
			c->hung_up = n == 0 || errno == ECONNRESET;
			return NULL;
		}
		c->len = (size_t)n;
		c->off = 0;
	}
}

/* a reply's member, any type: gs() and gu() read what there is */
static uint64_t gu(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v ? (uint64_t)json_object_get_uint64(v) : 0;
}

/*
 * @a's length when it is an array, else 0: json-c's
 * json_object_array_length() and _get_idx() assert (SIGABRT) on anything
 * else, and a list a reply should have may be absent or of another type
 * (a hotmemfs from before the member, a reply that is not the command's)
 * -- printed as an empty list, not an abort (review44 O3)
 */
static size_t alen(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/*
 * @a, the reply's list @what, when it is no list: said in one line on
 * stderr, after the rest of the reply printed as it is
 */
static void say_not_list(json_object *a, const char *what)
{
	if (json_object_is_type(a, json_type_array))
		return;
	fflush(stdout); /* after what was printed before it */
	fprintf(stderr, "hotmemctl: the reply's %s is %s, not a list: printed as none (a hotmemfs "
			"older or newer than this hotmemctl?)\n",
		what, a ? json_type_to_name(json_object_get_type(a)) : "absent");
}

/*
 * "Writes:     memoryN/state 130 done, refused: EINVAL 12 (2 unparsable values), EBUSY 1":
 * an EINVAL is a block already in that state (or a zone it cannot take),
 * or a value the store could not parse ("unparsed", counted apart)
 */
static void print_state_writes(json_object *w)
{
	json_object *refused = get(w, "refused");
	uint64_t unparsed = gu(w, "unparsed");

	printf("Writes:     memoryN/state %llu done", (unsigned long long)gu(w, "done"));
	if (json_object_is_type(refused, json_type_object) && json_object_object_length(refused)) {
		const char *sep = ", refused:";

		json_object_object_foreach(refused, name, n) {
			printf("%s %s %llu", sep, name, (unsigned long long)json_object_get_uint64(n));
			if (!strcmp(name, "EINVAL") && unparsed)
				printf(" (%llu unparsable value%s)", (unsigned long long)unparsed,
				       unparsed == 1 ? "" : "s");
			sep = ",";
		}
	}
	putchar('\n');
}

/*
 * "uevents:    netlink off: ...; unix /run/hotmemd/uevent.sock: 3 sent, 1 dropped (...)":
 * the Unix sockets too, hotmemd's only source under its unit (usereye4 #21)
 */
static void print_uevents(json_object *u)
{
	json_object *socks = get(u, "unix-sockets");
	size_t n = json_object_is_type(socks, json_type_array) ? json_object_array_length(socks) : 0;
	uint64_t dropped = gu(u, "unix-dropped");

	json_object *shared = get(u, "unix-shared"), *claimed = get(u, "netns-claimed");
	json_object *pids = get(u, "unix-shared-pids"), *nrs = get(u, "unix-shared-nr");

	printf("uevents:    netlink %s", gs(u, "netlink"));
	/*
	 * --netns's claim: a second hotmemfs injecting there is refused (202);
	 * after a "(created)", not in parentheses of its own (user42 U14)
	 */
	if (claimed && json_object_get_boolean(claimed))
		printf("; claimed: no other hotmemfs injects there");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "; unix ", json_object_get_string(json_object_array_get_idx(socks, i)));
	if (n)
		printf(": %llu sent, %llu dropped%s", (unsigned long long)gu(u, "unix-sent"),
		       (unsigned long long)dropped,
		       dropped ? " (nobody listened then, or the listener stopped reading)" : "");
	putchar('\n');
	for (size_t i = 0; json_object_is_type(shared, json_type_array) &&
			   i < json_object_array_length(shared); i++) {
		/* its pid: -1 where the peer's could not be read, 0 in another PID namespace */
		json_object *pid = json_object_is_type(pids, json_type_array) &&
						   i < json_object_array_length(pids) ?
					   json_object_array_get_idx(pids, i) :
					   NULL;
		int64_t p = pid ? json_object_get_int64(pid) : -1;
		/* how many: the holder of a path's claim may have several sharers */
		json_object *nr = json_object_is_type(nrs, json_type_array) &&
					  i < json_object_array_length(nrs) ?
				  json_object_array_get_idx(nrs, i) :
				  NULL;
		int64_t more = nr ? json_object_get_int64(nr) - 1 : 0;

		if (p > 0)
			printf("warning:    the hotmemfs with pid %lld", (long long)p);
		else
			printf("warning:    %s", p == 0 ? "a hotmemfs in another PID namespace" :
						"another hotmemfs");
		if (more > 0)
			printf(" and %lld more send their", (long long)more);
		else
			printf(" sends its");
		printf(" uevents to %s too: its listener gets %s uevents, mixed\n",
		       json_object_get_string(json_object_array_get_idx(shared, i)),
		       more > 0 ? "every machine's" : "both machines'");
	}
}

/*
 * status's armed vmem-injects, as vmem-inject's own line says one: "vm0
 * answers the guest's next plug request BUSY (`hotmemctl vmem-inject vm0
 * plug ACK count=0` clears)" (finalF F4)
 */
static void print_vmem_injections(json_object *a, const char *sep)
{
	for (size_t i = 0; json_object_is_type(a, json_type_array) &&
			   i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		uint64_t count = gu(e, "count");
		char n[32] = "";

		if (count > 1)
			snprintf(n, sizeof(n), "%llu ", (unsigned long long)count);
		printf("%s%s answers the guest's next %s%s request%s %s (`hotmemctl vmem-inject %s %s "
		       "ACK count=0` clears)", i ? "; " : sep, gs(e, "id"), n, gs(e, "request"),
		       count > 1 ? "s" : "", gs(e, "response"), gs(e, "id"), gs(e, "request"));
	}
}

/*
 * "injected:   MEM_GOING_OFFLINE fails with -16 (EBUSY) ...": the fault
 * injections armed, each with how it is cleared (usereye9: status showed
 * none, a forgotten one failing every later offline)
 */
static void print_injections(json_object *inj)
{
	const char *sep = "injected:   ";
	char num[HMFS_ERRNO_NAME_LEN];

	if (!json_object_is_type(inj, json_type_object))
		return; /* a hotmemfs from before them */
	json_object_object_foreach(inj, key, val) {
		if (!strcmp(key, "fail-nth-alloc"))
			printf("%sthe engine allocation %llu from now fails with ENOMEM "
			       "(`hotmemctl fail-nth-alloc 0` clears)", sep,
			       (unsigned long long)json_object_get_uint64(val));
		else if (!strcmp(key, "vmem-inject"))
			print_vmem_injections(val, sep);
		else
			printf("%s%s fails every %s with %d (%s) (`hotmemctl inject %s 0` clears)", sep,
			       key, strstr(key, "OFFLINE") ? "offline" : "online",
			       json_object_get_int(val),
			       hmfs_errno_name(json_object_get_int(val), num), key);
		sep = "; ";
	}
	if (strcmp(sep, "; ") == 0)
		putchar('\n');
}

static void size_col(uint64_t bytes, char *buf, size_t len)
{
	hmfs_size_str(bytes, buf, len);
}

/* @bytes in unit 1 << (10 * @u) (B, K, M, ...), one decimal, rounded to the nearest */
static void size_in_unit(uint64_t bytes, int u, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	const uint64_t unit = 1ULL << (10 * u);
	uint64_t whole = bytes / unit, tenths = (bytes % unit * 10 + unit / 2) / unit;

	if (!u) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return;
	}
	whole += tenths / 10;
	snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
		 (unsigned long long)(tenths % 10), units[u]);
}

/*
 * Two sizes one line compares (status's total and free memory) in one
 * unit, the largest in which @a is 10 or more, rounded to one decimal:
 * "total 1783.6M, free 1695.8M".  size_col()'s exact sizes chose each
 * number's unit alone: "total 1826424K, free 1736.5M" (abuse24 A7)
 */
static void size_pair(uint64_t a, uint64_t b, char *sa, char *sb, size_t len)
{
	int u = 0;

	while (u < 6 && a >> (10 * (u + 1)) >= 10)
		u++;
	size_in_unit(a, u, sa, len);
	size_in_unit(b, u, sb, len);
}

/*
 * The profile's name (docs/profile.md: "shown in status output", as
 * `hotmem status` and hotmemfs's start line show it), its file's path
 * after it where they differ; a hotmemfs from before "name": the path
 */
static void print_machine(json_object *m)
{
	const char *name = gs(m, "name"), *profile = gs(m, "profile");
	bool both = *name && strcmp(name, profile);

	printf("Machine:    %s%s%s%s%s%s\n", *name ? name : profile, both ? " (" : "",
	       both ? profile : "", both ? ")" : "", *gs(m, "cmdline") ? "  cmdline: " : "",
	       gs(m, "cmdline"));
}

/*
 * After an online run whose zone is "none" (valid_zones' word for a block
 * spanning zones): which zones of its node it spans, from the zones table
 * -- "none" alone read as "in no zone" to a new user (docs43 F8)
 */
static void print_zones_spanned(json_object *zones, uint64_t node, uint64_t pfn, uint64_t pages)
{
	const char *sep = "  spans ";

	for (size_t i = 0; i < alen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		uint64_t zs = gu(z, "start_pfn"), ze = zs + gu(z, "spanned");

		if (gu(z, "node") != node || !gu(z, "spanned") || ze <= pfn || zs >= pfn + pages)
			continue;
		printf("%s%s", sep, gs(z, "zone"));
		sep = ", ";
	}
	if (strcmp(sep, "  spans "))
		printf(" (valid_zones: none)");
}

static void print_status(json_object *r)
{
	json_object *m = get(r, "machine"), *zones = get(r, "zones");
	json_object *blocks = get(r, "blocks"), *devs = get(r, "devices");
	uint64_t bs = gu(m, "block-size");
	char s1[32], s2[32];

	size_col(bs, s1, sizeof(s1));
	print_machine(m);
	printf("Blocks:     %llu x %s   auto_online_blocks: %s\n",
	       (unsigned long long)gu(m, "blocks"), s1, gs(m, "auto-online"));
	size_pair(gu(m, "total-pages") << 12, gu(m, "free-pages") << 12, s1, s2, sizeof(s1));
	printf("Memory:     total %s, free %s\n", s1, s2);
	print_uevents(get(r, "uevents"));
	print_injections(get(r, "injections"));
	print_state_writes(get(r, "state-writes"));
	printf("State file: %s (%llu saves, %llu errors)\n",
	       *gs(r, "state-file") ? gs(r, "state-file") : "none",
	       (unsigned long long)gu(r, "state-saves"),
	       (unsigned long long)gu(r, "state-save-errors"));

	printf("\n%-4s %-8s %12s %10s %10s %10s %10s\n", "NODE", "ZONE", "START_PFN", "SPANNED",
	       "PRESENT", "MANAGED", "FREE");
	for (size_t i = 0; i < alen(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);

		printf("%-4llu %-8s %12llu %10llu %10llu %10llu %10llu\n",
		       (unsigned long long)gu(z, "node"), gs(z, "zone"),
		       (unsigned long long)gu(z, "start_pfn"), (unsigned long long)gu(z, "spanned"),
		       (unsigned long long)gu(z, "present"), (unsigned long long)gu(z, "managed"),
		       (unsigned long long)gu(z, "free"));
	}

	printf("\n%-39s %6s %-13s %4s %-7s %s\n", "RANGE", "SIZE", "STATE", "NODE", "ZONE",
	       "BLOCK");
	for (size_t i = 0; i < alen(blocks); i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		uint64_t first = gu(b, "first"), n = gu(b, "count"), start = gu(b, "start");
		char blk[48];

		size_col(n * bs, s1, sizeof(s1));
		if (n > 1)
			snprintf(blk, sizeof(blk), "%llu-%llu", (unsigned long long)first,
				 (unsigned long long)(first + n - 1));
		else
			snprintf(blk, sizeof(blk), "%llu", (unsigned long long)first);
		/*
		 * an offline block is in no zone: "-" (lsmem's ZONES lists where it
		 * could go, its valid_zones); "none" is an online block spanning
		 * zones, as valid_zones and a 6.18 lsmem's "None" say it
		 */
		printf("0x%016llx-0x%016llx %6s %-13s %4llu %-7s %s", (unsigned long long)start,
		       (unsigned long long)(start + n * bs - 1), s1, gs(b, "state"),
		       (unsigned long long)gu(b, "node"),
		       strcmp(gs(b, "state"), "offline") ? gs(b, "zone") : "-", blk);
		if (!strcmp(gs(b, "zone"), "none") && strcmp(gs(b, "state"), "offline"))
			print_zones_spanned(zones, gu(b, "node"), start >> 12, (n * bs) >> 12);
		/* a block holding hwpoisoned pages, a run of its own: offline, it stays so */
		if (gu(b, "hwpoison"))
			printf("  hwpoison: %llu page%s%s", (unsigned long long)gu(b, "hwpoison"),
			       gu(b, "hwpoison") == 1 ? "" : "s",
			       strcmp(gs(b, "state"), "offline") ? "" : ", no online (EHWPOISON)");
		printf("\n");
	}
	say_not_list(zones, "\"zones\"");
	say_not_list(blocks, "\"blocks\"");
	if (!alen(devs))
		return;
	printf("\n");
}

/*
 * A virtio-mem device whose guest driver marked it broken (6.12's
 * vm->broken after an error it does not know): it plugs and unplugs
 * nothing more, whatever requested-size; the kernel's only ways out are
 * a new driver (unbind and bind, refused while its memory is added) or a
 * reboot; hotmem's is a restart of hotmemfs, which probes the driver anew.
 */
static void print_broken(json_object *d)
{
	/*
	 * EEXIST: add_memory_driver_managed() found the block the driver adds
	 * next added already -- probed into the region by hand (memory/probe),
	 * as 6.12 allows: a new driver adds the same block first and breaks
	 * again while that memory is there
	 */
	const bool probed = !strcmp(gs(d, "broken-errno"), "EEXIST");

	printf("the guest driver marked the device broken (%s: `hotmemctl dmesg`%s) and "
	       "handles no size change; a restart of hotmemfs probes the driver anew%s",
	       gs(d, "broken-errno"),
	       probed ? "; the block it adds next is added already, probed into its region" : "",
	       probed ? ", which breaks again there while that memory stays" : "");
}

static void print_plug_short(json_object *r);

/*
 * status: the guest drivers still working toward requested-size on their
 * retry timer, broken, or stopped short of it for good (a growth's
 * -ENOSPC: the offline threshold, a full region)
 */
static void print_retries(json_object *devs)
{
	for (size_t i = 0; i < alen(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (get(d, "broken")) {
			printf("%s: ", gs(d, "id"));
			print_broken(d);
			putchar('\n');
		}
		/* stopped short for good, or no driver at all: QEMU's device the guest did not probe */
		if (get(d, "plug-stopped") || get(d, "guest-probe")) {
			printf("%s", gs(d, "id"));
			print_plug_short(d);
			putchar('\n');
		}
		if (get(d, "retry-in-ms"))
			printf("%s: the guest driver retries in %llu s (`hotmemctl vmem-retry %s`: now)\n",
			       gs(d, "id"), (unsigned long long)(gu(d, "retry-in-ms") + 999) / 1000,
			       gs(d, "id"));
	}
}

/* a row of the devices table */
struct dev_row {
	const char *id, *driver;
	uint64_t node, addr, size, requested, plugged, block_size;
	bool vmem;
};

/*
 * @d as a row: hotmem's view (devices, status) or QEMU's
 * (query-memory-devices: {"type": "dimm"|"virtio-mem", "data": {...}},
 * a virtio-mem device's size its plugged size, max-size its region)
 */
static void dev_row(json_object *d, struct dev_row *r)
{
	json_object *q = get(d, "data");

	if (q && get(d, "type")) {
		r->vmem = !strcmp(gs(d, "type"), "virtio-mem");
		r->id = gs(q, "id");
		r->driver = r->vmem ? "virtio-mem-pci" : "pc-dimm";
		r->addr = gu(q, r->vmem ? "memaddr" : "addr");
		r->size = gu(q, r->vmem ? "max-size" : "size");
		r->plugged = gu(q, "size");
		d = q;
	} else {
		r->vmem = get(d, "requested-size") != NULL;
		r->id = gs(d, "id");
		r->driver = gs(d, "driver");
		r->addr = gu(d, "addr");
		r->size = gu(d, "size");
		r->plugged = gu(d, r->vmem ? "plugged-size" : "size");
	}
	r->node = gu(d, "node");
	r->requested = r->vmem ? gu(d, "requested-size") : r->size;
	r->block_size = gu(d, "block-size");
}

/*
 * A DIMM the guest refused (QEMU keeps it, as hotmemfs does): plugged,
 * its slot taken, no memory of it in the guest, until device_del
 */
static void print_refused(json_object *d)
{
	printf("plugged in slot %lld but refused by the guest (%s): %s; the DIMM stays, its slot "
	       "taken, with no memory in the guest, until `hotmemctl device_del %s`",
	       (long long)json_object_get_int64(get(d, "slot")), gs(d, "guest-refused"),
	       get(d, "guest-refused-why") ? gs(d, "guest-refused-why") : "add_memory() failed",
	       gs(d, "id"));
}

/* after the devices table: the DIMMs the guest refused, a line each */
static void print_devices_refused(json_object *devs)
{
	for (size_t i = 0; i < alen(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		/* status during an eject: the DIMM still listed, as QEMU lists it until _EJ0 */
		if (get(d, "ejecting"))
			printf("%s: being ejected: the guest offlines its memory first (up to 40 s for a "
			       "block that will not go); a pc-dimm device_add meanwhile is answered at once, the "
			       "guest adds its memory after the eject\n",
			       gs(d, "id"));
		/* query-memory-devices' objects ({type, data}) have no such member */
		if (!get(d, "guest-refused"))
			continue;
		printf("%s: ", gs(d, "id"));
		print_refused(d);
		putchar('\n');
	}
}

static void print_devices(json_object *devs)
{
	char s1[32], s2[32], s3[32], s4[32];
	int w = 12; /* the ID column: wider for a device without an id, named by its QOM path */

	for (size_t i = 0; i < alen(devs); i++) {
		struct dev_row r;

		dev_row(json_object_array_get_idx(devs, i), &r);
		if (strlen(r.id) > (size_t)w && strlen(r.id) < 256)
			w = (int)strlen(r.id);
	}
	/*
	 * QEMU's `info memory-devices`: a virtio-mem device's size is its
	 * region; BLKSIZE its device block size (its block-size property),
	 * not the ranges table's BLOCK (lsmem's: memory block numbers)
	 */
	printf("%-*s %-15s %4s %-18s %7s %9s %8s %7s\n", w, "ID", "DRIVER", "NODE", "MEMADDR",
	       "SIZE", "REQUESTED", "PLUGGED", "BLKSIZE");
	for (size_t i = 0; i < alen(devs); i++) {
		struct dev_row r;

		dev_row(json_object_array_get_idx(devs, i), &r);
		size_col(r.size, s1, sizeof(s1));
		size_col(r.requested, s2, sizeof(s2));
		size_col(r.plugged, s3, sizeof(s3));
		if (r.vmem)
			size_col(r.block_size, s4, sizeof(s4));
		else
			snprintf(s4, sizeof(s4), "-");
		/* query-memory-devices' anonymous device has no id: "-" */
		printf("%-*s %-15s %4llu 0x%016llx %7s %9s %8s %7s\n", w, *r.id ? r.id : "-", r.driver,
		       (unsigned long long)r.node, (unsigned long long)r.addr, s1, s2, s3, s4);
	}
	print_devices_refused(devs);
}

/*
 * An _OST source event code as a person reads it (6.12's
 * include/acpi/actypes.h ACPI_NOTIFY_*, include/linux/acpi.h
 * ACPI_OST_EC_*): QEMU's reply has the bare number, which said nothing to
 * a reader (docs43 F6)
 */
static const char *ost_source_name(uint64_t source)
{
	switch (source) {
	case 0x0: return "bus check";
	case 0x1: return "device check (plug)";
	case 0x3: return "eject request (unplug)";
	case 0x100: return "OSPM shutdown";
	case 0x103: return "OSPM eject (the guest's own)";
	case 0x200: return "OSPM insertion";
	}
	return "other";
}

/*
 * An _OST status (include/linux/acpi.h ACPI_OST_SC_*): 0-2 are general,
 * 0x80 up depend on the source: an eject's (0x3, 0x103), an insertion's
 * (0x200; 6.12's acpi_hotplug_unsupported() gives them to a bus or
 * device check too)
 */
static const char *ost_status_name(uint64_t source, uint64_t status)
{
	static const char *const eject[] = { "eject not supported", "device in use",
					     "device busy", "eject dependency busy",
					     "eject in progress" };
	static const char *const insert[] = { "insertion in progress", "driver load failure",
					      "insertion not supported" };
	bool ej = source == 0x3 || source == 0x103;
	bool ins = source == 0x0 || source == 0x1 || source == 0x200;

	if (status == 0)
		return "success";
	if (status == 1)
		return "non-specific failure";
	if (status == 2)
		return "unrecognized notify";
	if (ej && status >= 0x80 && status <= 0x84)
		return eject[status - 0x80];
	if (ins && status >= 0x80 && status <= 0x82)
		return insert[status - 0x80];
	return "other";
}

/*
 * query-acpi-ospm-status without --json: a row a DIMM slot, the guest's
 * last _OST named as well as numbered ("eject request (unplug), source 3:
 * device busy, status 0x82"); 0, 0 is QEMU's value before any _OST
 */
static void print_ospm(json_object *slots)
{
	printf("%-4s %-9s %-12s %s\n", "SLOT", "TYPE", "DEVICE", "LAST _OST (the guest's answer)");
	for (size_t i = 0; i < alen(slots); i++) {
		json_object *o = json_object_array_get_idx(slots, i);
		const char *dev = gs(o, "device");
		uint64_t src = gu(o, "source"), st = gu(o, "status");

		printf("%-4s %-9s %-12s ", gs(o, "slot"), gs(o, "slot-type"), *dev ? dev : "-");
		if (!src && !st)
			printf("none yet\n");
		else
			printf("%s, source 0x%llx: %s, status 0x%llx\n", ost_source_name(src),
			       (unsigned long long)src, ost_status_name(src, st),
			       (unsigned long long)st);
	}
}

/*
 * A step as hotmem-trace's table shows it (bpf/event.c hmt_format_table()),
 * from EVENT on: "memory_notify  >  0x130000  32768  -1 -  MEM_GOING_OFFLINE";
 * pfns in hex, the zone by name, an exit's errno by name ("-EBUSY"), the
 * extra as hmu_trace_extra() shows it (an action by name, a pfn in hex).
 */
static void print_trace(json_object *d)
{
	const char *ev = gs(d, "ev");
	long long zid = (long long)json_object_get_int64(get(d, "zid"));
	long long extra = (long long)json_object_get_int64(get(d, "extra"));
	char ret[24] = "", ex[24];

	if (get(d, "ret")) {
		long long r = (long long)json_object_get_int64(get(d, "ret"));
		const char *name = r < 0 && r > -4096 ? strerrorname_np((int)-r) : NULL;

		if (name)
			snprintf(ret, sizeof(ret), "-%s", name);
		else
			snprintf(ret, sizeof(ret), "%lld", r);
	}
	hmu_trace_extra(ev, extra, ex, sizeof(ex));
	printf("%-*s %-5s %#12llx %9llu %4lld %-8s %7s %s\n", HMU_TRACE_EVENT_WIDTH, ev,
	       strcmp(gs(d, "phase"), "exit") ? ">" : "<", (unsigned long long)gu(d, "start_pfn"),
	       (unsigned long long)gu(d, "nr_pages"),
	       (long long)json_object_get_int64(get(d, "nid")),
	       zid >= 0 && zid < HMU_MAX_NR_ZONES ? hmu_zone_names[zid] : "-", ret, ex);
}

/* an empty column said as "-", as status's */
static const char *dash(const char *s)
{
	return *s ? s : "-";
}

static void print_event(json_object *e)
{
	json_object *d = get(e, "data"), *ts = get(e, "timestamp");
	const char *ev = gs(e, "event");
	struct tm tm;
	time_t t = (time_t)gu(ts, "seconds");
	char when[32];

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("%s.%06llu %-6s ", when, (unsigned long long)gu(ts, "microseconds"), ev);
	if (!strcmp(ev, "UEVENT"))
		printf("%s %s (%s)\n", gs(d, "action"), gs(d, "devpath"), gs(d, "subsystem"));
	else if (!strcmp(ev, "LOG"))
		printf("<%s> %s\n", gs(d, "level"), gs(d, "message"));
	else if (!strcmp(ev, "EVENTS_LOST"))
		printf("%s events lost here: this client did not read them in time (%s in all)\n",
		       gs(d, "lost"), gs(d, "total"));
	else if (!strcmp(ev, "ACPI_DEVICE_OST"))
		/* an emptied slot's has no device (QEMU's): its slot says which */
		printf("%s slot=%s source=%s status=%s\n", dash(gs(get(d, "info"), "device")),
		       gs(get(d, "info"), "slot"), gs(get(d, "info"), "source"),
		       gs(get(d, "info"), "status"));
	else if (!strcmp(ev, "DEVICE_DELETED"))
		/* a device's QOM child (virtio-backend) has no id: its path alone */
		printf("%s %s\n", dash(gs(d, "device")), gs(d, "path"));
	else if (!strcmp(ev, "MEMORY_DEVICE_SIZE_CHANGE"))
		/* a device plugged without an id has none (QEMU's): its QOM path says which */
		printf("%s size=%s\n", *gs(d, "id") ? gs(d, "id") : gs(d, "qom-path"), gs(d, "size"));
	else
		print_trace(d);
	fflush(stdout);
}

/*
 * hotmemfs hung up with no reply: an EOF, or ECONNRESET -- it closed with
 * our request unread, or before accepting us (still in its backlog)
 */
static void say_hung_up(const struct cli *c, const char *what)
{
	fprintf(stderr, "hotmemctl: %s: hotmemfs closed the connection %s: stopping or crashed?\n",
		c->sock, what);
}

/*
 * hotmemfs hung up without replying to @req.  Its socket tells a stop
 * from a crash: a stop removes it (hmfs_ctl_stop(); a second stop
 * signal's exit, or a stop past --stop-wait, removes it and exits without
 * the replies still due: a command still running after the replies the
 * stop let out, main.c stop_replies_out()), a crash or kill -9 leaves
 * it: "stopping or crashed?".  What the command did only hotmemfs knew:
 * said unknown, and where to look.
 */
static void say_no_reply(const struct cli *c, json_object *req)
{
	const char *cmd = gs(req, "execute"), *id = gs(get(req, "arguments"), "id");
	char what[256] = "";
	struct stat st;

	if (!strcmp(cmd, "device_del") && *id)
		snprintf(what, sizeof(what),
			 ": whether %s was removed is not known here; once hotmemfs runs again from "
			 "its state file, `hotmemctl devices` shows whether it is there", id);
	else if (hmfs_ctlargs_changes(cmd)) /* ctlcmds.h, hotmemfs's own table */
		snprintf(what, sizeof(what),
			 ": whether %s was carried out is not known here; once hotmemfs runs again "
			 "from its state file, `hotmemctl status` shows the machine", cmd);
	if (stat(c->sock, &st) && errno == ENOENT)
		fprintf(stderr, "hotmemctl: %s: hotmemfs stopped before replying (it removed its "
				"control socket: a stop, not a crash; a second stop signal, or a stop "
				"past --stop-wait, exits without the replies still due)%s\n",
			c->sock, what);
	else
		fprintf(stderr, "hotmemctl: %s: hotmemfs closed the connection without replying: "
				"stopping or crashed?%s\n", c->sock, what);
}

/* {"class": @cls, "desc": @desc}, as a refusal's "error" is */
static json_object *error_obj(const char *cls, const char *desc)
{
	json_object *e = json_object_new_object();

	if (e) { /* out of memory: "error": null, the line on stderr still says it */
		json_object_object_add(e, "class", json_object_new_string(cls));
		json_object_object_add(e, "desc", json_object_new_string(desc));
	}
	return e;
}

/*
 * --json: the stream's last line when it ends in an error, @err as
 * hotmemfs sent it or one of hotmemctl's words, {"error": {"class": ...,
 * "desc": ...}}, as --json prints a refusal: a reader of stdout alone
 * knows the stream ended and why (it ended on stderr only)
 */
static void events_json_end(const struct cli *c, json_object *err, const char *desc)
{
	json_object *o = json_object_new_object();

	if (!c->json || !o)
		goto out;
	json_object_object_add(o, "error", err ? json_object_get(err) :
						 error_obj("GenericError", desc));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_OUT));
	fflush(stdout);
out:
	json_object_put(o);
}

/* until hotmemfs ends the stream: it says it stops (an error line), or hangs up; 1 either way */
static int follow_events(struct cli *c)
{
	json_object *e, *err;

	/* the trace steps' columns, hotmem-trace's table's from EVENT on (TYPE: TRACE, UEVENT, LOG ...) */
	if (c->trace && !c->json) {
		printf("%-15s %-6s %-28s %-5s %12s %9s %4s %-8s %7s %s\n", "TIME", "TYPE", "EVENT",
		       "PHASE", "START_PFN", "NR_PAGES", "NID", "ZONE", "RET", "EXTRA");
		fflush(stdout);
	}
	while ((e = recv_obj(c))) {
		err = get(e, "error");
		if (err) {
			events_json_end(c, err, NULL);
			fputs("hotmemctl: ", stderr);
			put_desc(stderr, err);
			fputc('\n', stderr);
			json_object_put(e);
			return 1;
		}
		if (c->json)
			/* the line as QEMU writes it */
			printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN | JSON_OUT));
		else
			print_event(e);
		fflush(stdout);
		json_object_put(e);
	}
	events_json_end(c, NULL, c->hung_up ? "hotmemfs closed the connection without a word" :
					      "the event stream could not be read");
	if (c->hung_up)
		say_hung_up(c, "without a word");
	return 1;
}

/*
 * "allocated 100 movable pages (400K)", "freed 0 of 16 huge pages asked
 * for (...)": what changed, in words, and what was asked when it differs.
 */
/* |requested|: hugetlb -16 asks for 16; negated unsigned, LLONG_MIN too */
static unsigned long long asked_count(json_object *asked)
{
	long long want = asked ? (long long)json_object_get_int64(asked) : 0;

	return want < 0 ? 0ULL - (unsigned long long)want : (unsigned long long)want;
}

/* @one or @many after the count, as it says (usereye7 #11c: "1 huge page", "1 of 2 huge pages") */
static void print_count(const char *verb, uint64_t done, json_object *asked, const char *one,
			const char *many, uint64_t page_size)
{
	unsigned long long n = asked_count(asked);
	char sz[32];

	size_col(done * page_size, sz, sizeof(sz));
	if (asked && done != n)
		printf("%s %llu of %llu %s asked for (%s)", verb, (unsigned long long)done, n,
		       n == 1 ? one : many, sz);
	else
		printf("%s %llu %s (%s)", verb, (unsigned long long)done, done == 1 ? one : many, sz);
}

static void print_alloc(json_object *r)
{
	char one[48], many[48];

	snprintf(one, sizeof(one), "%s page", gs(r, "type"));
	snprintf(many, sizeof(many), "%s pages", gs(r, "type"));
	print_count("allocated", gu(r, "allocated"), get(r, "requested"), one, many, 4096);
	printf("\n");
}

/* What changed and the pool after it: "-16" never reads as a pool size. */
static void print_hugetlb(json_object *r)
{
	bool shrink = get(r, "freed") != NULL;
	uint64_t n = gu(r, "pages");
	json_object *asked = get(r, "requested");

	printf("HugeTLB pool: ");
	print_count(shrink ? "freed" : "added", n, asked, "huge page of 2 MiB", "huge pages of 2 MiB",
		    2ULL << 20);
	if (asked && n != asked_count(asked))
		printf(", %s", shrink ? "only free huge pages can go" :
					"no more free 2 MiB ranges");
	if (get(r, "pool-pages"))
		printf("; it now holds %llu, %llu free", (unsigned long long)gu(r, "pool-pages"),
		       (unsigned long long)gu(r, "pool-free"));
	printf("\n");
}

/* "memory200-207 (offline), memory208 (online, Movable)": a device's blocks as runs */
static void print_dev_blocks(json_object *blocks)
{
	size_t n = alen(blocks);

	if (!json_object_is_type(blocks, json_type_array))
		printf("its blocks not in the reply");
	else if (!n)
		printf("no memory blocks yet");
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		uint64_t first = gu(b, "first"), count = gu(b, "count");
		const char *zone = gs(b, "zone");

		printf("%smemory%llu", i ? ", " : "", (unsigned long long)first);
		if (count > 1)
			printf("-%llu", (unsigned long long)(first + count - 1));
		/* an offline block has no zone; an online one spanning two says none */
		if (strcmp(gs(b, "state"), "offline") && *zone && strcmp(zone, "none"))
			printf(" (%s, %s)", gs(b, "state"), zone);
		else
			printf(" (%s)", gs(b, "state"));
	}
}

/* a size in a sentence: "512M", "0" (not "0B") */
static void size_word(uint64_t bytes, char *buf, size_t len)
{
	if (bytes)
		size_col(bytes, buf, len);
	else
		snprintf(buf, len, "0");
}

/*
 * A virtio-mem difference the driver does not even try: 6.12's
 * virtio_mem_bbm_plug_request() and virtio_mem_bbm_unplug_request() move
 * whole big blocks only (nb_bb = diff / bb_size: none when less than one),
 * the sbm ones whole sub-blocks; said when @diff is less than the unit of
 * @r's mode ("mode", "big-block-size" or "subblock-size": the device's
 * status, device_add's and qom-set's return)
 */
static bool print_whole_units(json_object *r, uint64_t diff, const char *verb)
{
	bool bbm = !strcmp(gs(r, "mode"), "bbm");
	uint64_t unit = gu(r, bbm ? "big-block-size" : "subblock-size");
	char s1[32], s2[32];

	if (!unit || diff >= unit)
		return false;
	size_word(unit, s1, sizeof(s1));
	size_word(diff, s2, sizeof(s2));
	printf(": the guest %s whole %s (%s in %s Block Mode): %s is less than one", verb,
	       bbm ? "big blocks" : "sub-blocks", s1, bbm ? "Big" : "Sub", s2);
	return true;
}

/*
 * Why a virtio-mem shrink stopped short, as the driver knows it (6.12
 * logs nothing: it retries on its timer): online memory left alone
 * under virtio_mem.unplug_online=0, or the block where taking its pages
 * failed, for `hotmemctl explain`.
 */
static void print_unplug_short(json_object *r)
{
	json_object *uo = get(r, "unplug-online");

	if (print_whole_units(r, gu(r, "plugged-size") - gu(r, "requested-size"), "unplugs"))
		return;
	if (uo && !json_object_get_boolean(uo))
		printf(": the rest is online, and virtio_mem.unplug_online=0 unplugs offline memory "
		       "only (offline its blocks)");
	else if (get(r, "unplug-refused") && !get(r, "busy-block"))
		printf(": the device refused the unplug (%s%s; 6.12 virtio_mem_send_unplug_request()): "
		       "nothing in the guest is busy", gs(r, "unplug-refused"),
		       !strcmp(gs(r, "unplug-refused"), "NACK") ? ": -ENOMEM" :
		       !strcmp(gs(r, "unplug-refused"), "BUSY") ? ": -ETXTBSY" : ": -EINVAL");
	else if (get(r, "busy-block") && get(r, "busy-errno") &&
		 !strcmp(gs(r, "busy-errno"), "ENOMEM"))
		printf(": the guest has no memory to give back: memory%llu's pages have no free "
		       "memory to migrate into (-ENOMEM; `hotmemctl explain %llu`: free memory first)",
		       (unsigned long long)gu(r, "busy-block"), (unsigned long long)gu(r, "busy-block"));
	else if (get(r, "busy-block"))
		printf(": the rest is busy: memory%llu's pages could not be taken "
		       "(`hotmemctl explain %llu` says what is in the way)",
		       (unsigned long long)gu(r, "busy-block"), (unsigned long long)gu(r, "busy-block"));
	else
		printf(": the rest is busy");
}

/*
 * A DIMM QEMU plugged whose memory the guest has not added: its device_add
 * answered behind a guest's offline, the guest's ACPI add queued behind
 * device_hotplug_lock, or never run (hotmemfs's dev.c)
 */
static void print_dimm_unadded(json_object *r)
{
	if (!strcmp(gs(r, "guest-probe"), "queued"))
		printf(": the guest has not added its memory yet (its ACPI hotplug work waits behind "
		       "a guest's offline: it adds the memory once that is over)");
	else
		printf(": the guest never added its memory (hotmemfs stopped taking changes first: "
		       "its log says why)");
}

/*
 * Why a virtio-mem growth stopped short, as the driver's last run ended
 * (6.12 logs nothing of a refused plug: it retries on its timer; nor of
 * one stopped by its offline threshold or a full region: no retry)
 */
static void print_plug_short(json_object *r)
{
	const char *e = get(r, "retry-errno") ? gs(r, "retry-errno") : "";
	char s1[32], s2[32];

	if (get(r, "guest-probe") && !strcmp(gs(r, "driver"), "pc-dimm")) {
		print_dimm_unadded(r);
		return;
	}
	/* no driver yet: a device_add answered behind a guest's offline (hotmemfs's dev.c) */
	if (get(r, "guest-probe") && !strcmp(gs(r, "guest-probe"), "queued")) {
		printf(": the guest's driver has not probed it yet (behind a guest's offline: it "
		       "probes and plugs once that is over)");
		return;
	}
	if (get(r, "guest-probe") && !strcmp(gs(r, "guest-probe"), "stopped")) {
		printf(": the guest's driver never probed it (hotmemfs stopped taking changes first: "
		       "its log says why)");
		return;
	}
	if (get(r, "guest-probe")) {
		printf(": the guest's driver refused the device (hotmemfs's log says why)");
		return;
	}
	if (print_whole_units(r, gu(r, "requested-size") - gu(r, "plugged-size"), "plugs"))
		return;
	if (!strcmp(e, "ETXTBSY"))
		printf(": the device answered BUSY (the host migrating, or unable to preallocate "
		       "its memory)");
	else if (!strcmp(e, "ENOMEM"))
		printf(": the guest ran out of memory adding it");
	else if (*e)
		printf(": the guest's last try ended %s", e);
	else if (get(r, "plug-stopped") && !strcmp(gs(r, "plug-stopped"), "offline-threshold")) {
		char s3[32];

		size_word(gu(r, "offline-size"), s1, sizeof(s1));
		size_word(gu(r, "offline-threshold"), s2, sizeof(s2));
		/* 6.12's MEM_ONLINE notifier: virtio_mem_could_add_memory(vm, threshold / 2) */
		size_word(gu(r, "offline-threshold") / 2, s3, sizeof(s3));
		printf(": the guest adds no more while %s of the memory it added is offline "
		       "(its offline threshold %s: it goes on once an online of its blocks leaves "
		       "%s or less offline)", s1, s2, s3);
	} else if (get(r, "plug-stopped"))
		printf(": the rest does not fit the device's usable region in whole memory blocks");
	else
		printf(": the guest plugged less");
}

/*
 * device_add, qom-set (set-size): where the device is and its blocks
 * ("dimm0: 1G at 0x640000000, memory200-207 (offline)"); a virtio-mem
 * device's requested and plugged size, and when the guest stopped short,
 * which way and where the log says why
 */
static void print_dev_return(const char *cmd, json_object *r)
{
	uint64_t plugged = gu(r, "plugged-size"), requested = gu(r, "requested-size");
	char s1[32], s2[32];

	/* hotmemfs had no memory for the device's details: its id, and its warning after (ctl.c) */
	if (!strcmp(cmd, "device_add") && !get(r, "driver")) {
		printf("%s: added\n", gs(r, "id"));
		return;
	}
	if (!strcmp(cmd, "device_add")) {
		size_col(gu(r, "size"), s1, sizeof(s1));
		printf("%s: %s at 0x%llx, ", gs(r, "id"), s1, (unsigned long long)gu(r, "addr"));
		if (get(r, "guest-refused"))
			print_refused(r);
		else if (get(r, "guest-probe") && !strcmp(gs(r, "driver"), "pc-dimm")) {
			/* a virtio-mem device has no slot: its unprobed driver is the second line's */
			printf("plugged in slot %lld", (long long)json_object_get_int64(get(r, "slot")));
			print_dimm_unadded(r);
		} else
			print_dev_blocks(get(r, "blocks"));
		putchar('\n');
	}
	if (!get(r, "requested-size"))
		return;
	size_word(requested, s1, sizeof(s1));
	size_word(plugged, s2, sizeof(s2));
	printf("%s: requested %s, plugged %s", gs(r, "id"), s1, s2);
	if (get(r, "broken")) {
		printf(": ");
		print_broken(r);
		putchar('\n');
		return;
	}
	if (plugged > requested)
		print_unplug_short(r);
	else if (plugged < requested)
		print_plug_short(r);
	/* 6.12's retry timer: when the guest tries again by itself */
	if (plugged != requested && get(r, "retry-in-ms"))
		printf("; the guest retries in %llu s (`hotmemctl vmem-retry %s`: now)",
		       (unsigned long long)(gu(r, "retry-in-ms") + 999) / 1000, gs(r, "id"));
	putchar('\n');
}

/* fail-nth-alloc N: what fails from now on, and how to clear it (usereye5 #7) */
static void print_fail_nth(uint64_t nth)
{
	if (!nth)
		printf("fail-nth-alloc: cleared: engine allocations succeed again\n");
	else
		printf("fail-nth-alloc: the engine allocation %llu from now fails with ENOMEM, "
		       "once (a failure it causes says \"FAULT_INJECTION: forcing a failure.\" "
		       "in dmesg), until `hotmemctl fail-nth-alloc 0`\n",
		       (unsigned long long)nth);
}

/* vmem-inject ID plug|unplug RESP [count=N]: the device's answers armed, or cleared */
static void print_vmem_inject(const char *id, json_object *args)
{
	const char *req = gs(args, "request");
	uint64_t count = get(args, "count") ? gu(args, "count") : 1;
	char n[32] = "";

	if (!count) {
		printf("%s: injection cleared: the device answers %s requests as QEMU does\n", id,
		       req);
		return;
	}
	if (count > 1)
		snprintf(n, sizeof(n), "%llu ", (unsigned long long)count);
	printf("%s: the device answers the guest's next %s%s request%s %s, until `hotmemctl "
	       "vmem-inject %s %s ACK count=0`\n",
	       id, n, req, count > 1 ? "s" : "", gs(args, "response"), id, req);
}

/*
 * An injection set: the errno by hotmemfs's name for it, its number where
 * glibc has none ("?" before), as status and the refusals write it
 */
static void print_inject(const char *action, int e)
{
	char num[HMFS_ERRNO_NAME_LEN];

	printf("%s: the memory notifier now fails every %s with %d (%s), until `hotmemctl "
	       "inject %s 0`\n",
	       action, strstr(action, "OFFLINE") ? "offline" : "online", e,
	       hmfs_errno_name(e, num), action);
}

/*
 * The commands whose reply is QEMU's empty return, in words as the other
 * changes are: what was done, and for an injection what it does from now
 * on and how it ends (notifier-error-inject keeps failing every online or
 * offline until cleared).
 */
static void print_done(json_object *req, json_object *ret)
{
	const char *cmd = gs(req, "execute");
	json_object *args = get(req, "arguments");
	int e = json_object_get_int(get(args, "error"));
	const char *action = gs(args, "action");

	/* the device as hotmemfs resolved it ("d1/", a QOM path: d1), else as typed */
	const char *id = get(ret, "id") ? gs(ret, "id") : gs(args, "id");
	bool wait = true;

	/* device_del ID wait=false: QEMU's, the eject request raised and no more */
	if (!strcmp(cmd, "device_del") && !hmu_kstrtobool(gs(args, "wait"), &wait) && !wait)
		printf("%s: unplug requested: the guest's eject runs on (`hotmemctl events` says how "
		       "it ends)\n", id);
	else if (!strcmp(cmd, "device_del"))
		printf("%s: removed\n", id);
	else if (!strcmp(cmd, "inject") && !e && get(ret, "not-saved"))
		printf("%s: injection cleared, but not saved (%s): a restart from the state file "
		       "arms it again\n", action, gs(ret, "not-saved"));
	else if (!strcmp(cmd, "inject") && !e)
		printf("%s: injection cleared: the memory notifier lets %ss through again\n",
		       action, strstr(action, "OFFLINE") ? "offline" : "online");
	else if (!strcmp(cmd, "inject"))
		print_inject(action, e);
	else if (!strcmp(cmd, "fail-nth-alloc"))
		print_fail_nth(gu(args, "nth"));
	else if (!strcmp(cmd, "vmem-inject"))
		print_vmem_inject(id, args);
}

/*
 * settle's success with uevents still held for a -u listener that is not
 * reading: delivered as far as hotmemfs goes, not read yet (usereye8 5c)
 */
static void print_settle_held(json_object *held)
{
	if (!json_object_is_type(held, json_type_array))
		return; /* none held: settle says nothing, as before */
	for (size_t i = 0; i < alen(held); i++) {
		json_object *h = json_object_array_get_idx(held, i);

		printf("settled; %llu uevents held for %s, whose listener is not reading: sent as it "
		       "reads (settle does not wait for a listener)\n",
		       (unsigned long long)gu(h, "uevents"), gs(h, "path"));
	}
}

static void print_return(struct cli *c, json_object *req, json_object *ret)
{
	const char *cmd = gs(req, "execute");
	/* a change made whose uevents hotmemfs, stopping, gave up delivering: after its words */
	json_object *warn = json_object_get(get(ret, "warning"));

	if (c->json) {
		printf("%s\n", json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PRETTY | JSON_OUT));
		json_object_put(warn);
		return;
	}
	if (warn)
		json_object_object_del(ret, "warning");
	if (!strcmp(cmd, "status"))
		print_status(ret);
	else if (!strcmp(cmd, "dmesg"))
		fputs(gs(ret, "log"), stdout);
	else if (!strcmp(cmd, "explain"))
		fputs(gs(ret, "text"), stdout);
	else if (!strcmp(cmd, "query-memory-devices") || !strcmp(cmd, "devices")) {
		print_devices(ret);
		say_not_list(ret, "return");
	} else if (!strcmp(cmd, "query-acpi-ospm-status")) {
		print_ospm(ret);
		say_not_list(ret, "return");
	}
	else if (!strcmp(cmd, "alloc"))
		print_alloc(ret);
	else if (!strcmp(cmd, "free-all")) {
		print_count("freed", gu(ret, "freed"), NULL, "page", "pages", 4096);
		printf("\n");
	}
	else if (!strcmp(cmd, "hugetlb"))
		print_hugetlb(ret);
	else if (!strcmp(cmd, "device_add") || !strcmp(cmd, "qom-set"))
		print_dev_return(cmd, ret);
	else if (!strcmp(cmd, "check-invariants"))
		printf("invariants hold\n");
	else if (!strcmp(cmd, "vmem-retry"))
		printf("%s\n", gu(ret, "fired") ? "the retry timer fired" : "no retry timer armed");
	else if (!strcmp(cmd, "settle"))
		print_settle_held(get(ret, "held"));
	else if (!strcmp(cmd, "device_del") || !strcmp(cmd, "inject") ||
		 !strcmp(cmd, "fail-nth-alloc") || !strcmp(cmd, "vmem-inject"))
		print_done(req, ret);
	else if (json_object_is_type(ret, json_type_object) && json_object_object_length(ret) == 0)
		; /* success says nothing, like QEMU's monitor */
	else
		printf("%s\n", json_object_to_json_string_ext(ret, JSON_C_TO_STRING_SPACED | JSON_OUT));
	if (!strcmp(cmd, "status")) {
		json_object *devs = get(ret, "devices");

		if (alen(devs)) {
			print_devices(devs);
			print_retries(devs);
		}
	}
	if (warn)
		printf("done (%s)\n", json_object_get_string(warn));
	json_object_put(warn);
}

/* hotmemctl map: the status drawn, in the terminal or as SVG (map.c) */
static int map_request(struct cli *c, int argc, char **argv, json_object **req)
{
	c->map = true;
	c->map_color = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--svg") && i + 1 == argc) {
			fprintf(stderr, "hotmemctl: map: --svg needs a FILE (- for stdout)\n");
			return -1;
		} else if (!strcmp(argv[i], "--svg"))
			c->map_svg = argv[++i];
		else if (!strcmp(argv[i], "--color"))
			c->map_color = 1;
		else if (!strcmp(argv[i], "--no-color"))
			c->map_color = 0;
		else {
			fprintf(stderr, "hotmemctl: map: unknown argument '%s' "
					"(map [--svg FILE] [--color|--no-color])\n", argv[i]);
			return -1;
		}
	}
	*req = json_object_new_object();
	json_object_object_add(*req, "execute", json_object_new_string("status"));
	return 0;
}

static int print_map(struct cli *c, json_object *status)
{
	bool color = c->map_color < 0 ? isatty(STDOUT_FILENO) && !getenv("NO_COLOR") : c->map_color;
	struct hmfs_map m;
	char err[128];
	FILE *f;
	int rc = 0, werr;

	if (hmfs_map_from_status(status, &m, err, sizeof(err))) {
		fprintf(stderr, "hotmemctl: map: %s\n", err);
		return 1;
	}
	if (!c->map_svg) {
		hmfs_map_print(&m, stdout, color);
		goto out;
	}
	f = strcmp(c->map_svg, "-") ? fopen(c->map_svg, "w") : stdout;
	if (!f) {
		fprintf(stderr, "hotmemctl: map: writing %s: %m\n", c->map_svg);
		rc = 1;
		goto out;
	}
	/* the file is closed whatever happened; the first error is the one told */
	werr = -hmfs_map_svg(&m, f);
	if (f != stdout && fclose(f) && !werr)
		werr = errno;
	if (werr) {
		fprintf(stderr, "hotmemctl: map: writing %s: %s\n", c->map_svg, strerror(werr));
		rc = 1;
	}
out:
	hmfs_map_free(&m);
	return rc;
}

/*
 * The st_dev hotmemfs reports for its mount (status "mount-dev",
 * MAJOR:MINOR); 0 from an older hotmemfs that does not say
 */
static dev_t reported_mount_dev(json_object *status)
{
	unsigned int maj, min;

	if (sscanf(gs(status, "mount-dev"), "%u:%u", &maj, &min) != 2)
		return 0;
	return makedev(maj, min);
}

/* export's refusal where MNT is not hotmemfs's mount as hotmemctl sees it */
static void export_not_seen(const char *mnt, int ret, dev_t want, const struct hmfs_export *ex)
{
	dev_t seen = ex->dev;
	char why[160];

	if (ret == -ENOENT)
		snprintf(why, sizeof(why), "no sys/devices/system/memory there");
	else if (!ex->on_fuse)
		snprintf(why, sizeof(why), "its sys/devices/system/memory is not on FUSE");
	else
		snprintf(why, sizeof(why),
			 "its sys/devices/system/memory is on another FUSE mount, device %u:%u, "
			 "not this hotmemfs's %u:%u",
			 major(seen), minor(seen), major(want), minor(want));
	fprintf(stderr,
		"hotmemctl: export: %s is not hotmemfs's mount in this mount namespace (%s): "
		"hotmemfs is mounted in another one, mounted over, or was unmounted; run hotmemctl export there "
		"(e.g. inside hotmem-enter); nothing exported\n",
		mnt, why);
}

/*
 * DIR/dmesg: the log's boot reservation lines (hmfs_export_boot_log()),
 * for from-sysfs to boot the machine with the boot reservations it booted
 * with; an older hotmemfs without dmesg: none
 */
static int export_boot_log(struct cli *c, struct hmfs_export *ex)
{
	json_object *q = json_object_new_object(), *args = json_object_new_object(), *reply;
	int ret;

	json_object_object_add(q, "execute", json_object_new_string("dmesg"));
	/* the boot's log, kept whole: the ring loses its lines (reread35 R1) */
	json_object_object_add(args, "boot", json_object_new_boolean(true));
	json_object_object_add(q, "arguments", args);
	reply = send_req(c, q) ? NULL : recv_reply(c);
	json_object_put(q);
	ret = hmfs_export_boot_log(c->export_dir, gs(get(reply, "return"), "log"), ex);
	json_object_put(reply);
	return ret;
}

/* export DIR: the mount's memory sysfs, copied as util-linux's mk-input.sh does */
static int export_machine(struct cli *c, json_object *status)
{
	const char *mnt = gs(status, "mountpoint");
	dev_t dev = reported_mount_dev(status);
	struct hmfs_export ex;
	char log[PATH_MAX];
	struct stat st;
	int ret;

	if (!*mnt) {
		fprintf(stderr, "hotmemctl: export: this hotmemfs does not say where it is mounted\n");
		return 1;
	}
	/*
	 * DIR/dmesg is the export's too, written last: one there already
	 * (a user's, an earlier export's) is refused before anything is
	 * written, and named (reread35 R5: the tree was written, then the
	 * memory directory named, the old dmesg left for from-sysfs)
	 */
	snprintf(log, sizeof(log), "%s/dmesg", c->export_dir);
	if (!lstat(log, &st)) {
		fprintf(stderr, "hotmemctl: export: %s exists already\n", log);
		return 1;
	}
	ret = hmfs_export(mnt, dev, c->export_dir, &ex);
	if (ret == -ENOENT || ret == -EXDEV) {
		export_not_seen(mnt, ret, dev, &ex);
		return 1;
	}
	if (ret == -EEXIST) {
		fprintf(stderr, "hotmemctl: export: %s/sys/devices/system/memory exists already\n",
			c->export_dir);
		return 1;
	}
	if (!ret) {
		ret = export_boot_log(c, &ex);
		if (ret == -EEXIST) {
			fprintf(stderr, "hotmemctl: export: %s exists already\n", log);
			return 1;
		}
	}
	if (ret) {
		fprintf(stderr, "hotmemctl: export to %s: %s\n", c->export_dir, strerror(-ret));
		return 1;
	}
	printf("exported %s to %s/sys: %lu files (%lu unreadable, left out as by cp -r); "
	       "lsmem --sysroot %s, hotmem profile --from-sysfs %s\n",
	       mnt, c->export_dir, ex.files, ex.unreadable, c->export_dir, c->export_dir);
	return 0;
}

/*
 * settle [--timeout SECS | -t SECS | timeout=SECS | SECS], udevadm's
 * spelling too; the server waits that long, so without hotmemctl's own -t
 * the client waits SETTLE_MARGIN longer; a -t given is kept (and said
 * when it runs out first).
 */
static int settle_request(struct cli *c, int argc, char **argv, json_object **req)
{
	json_object *args = json_object_new_object();
	const char *secs = NULL;
	double t;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "-t")) && i + 1 < argc)
			secs = argv[++i];
		else if (!strncmp(argv[i], "--timeout=", 10))
			secs = argv[i] + 10;
		else if (!strncmp(argv[i], "timeout=", 8))
			secs = argv[i] + 8;
		else if (i == 1 && argc == 2 && argv[i][0] != '-')
			secs = argv[i];
		else {
			fprintf(stderr, "hotmemctl: settle: unexpected argument '%s' "
					"(settle [--timeout SECONDS])\n", argv[i]);
			json_object_put(args);
			return -1;
		}
	}
	t = HMFS_SETTLE_DEFAULT_S;
	if (secs && hmfs_ctlargs_seconds(secs, &t)) {
		fprintf(stderr, "hotmemctl: settle: bad timeout '%s': --timeout takes seconds, decimal "
				"(2.5) or 0x hex, 0..%d (0: only ask)\n", secs, HMFS_CTL_MAX_WAIT_S);
		json_object_put(args);
		return -1;
	}
	if (secs)
		json_object_object_add(args, "timeout", json_object_new_string(secs));
	/* the command's own limit; ours outlasts it unless -t said otherwise */
	c->server_limit = (unsigned)t + (t > (unsigned)t); /* rounded up */
	if (!c->timeout_set)
		c->timeout = c->server_limit + SETTLE_MARGIN;
	*req = json_object_new_object();
	json_object_object_add(*req, "execute", json_object_new_string("settle"));
	json_object_object_add(*req, "arguments", args);
	return 0;
}

/* explain BLOCK [--all] [from=PFN]: --all taken out, the rest as any command's */
static int explain_request(struct cli *c, int argc, char **argv, json_object **req)
{
	char err[256] = "";
	bool all = false;
	int n = 0, ret;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = true;
		else
			argv[n++] = argv[i];
	}
	ret = hmfs_ctlargs_request(n, argv, req, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmemctl: explain: %s\n", *err ? err : strerror(-ret));
		return -1;
	}
	if (all) {
		json_object_object_add(json_object_object_get(*req, "arguments"), "all",
				       json_object_new_boolean(true));
		c->explain_all = *req;
	}
	return 0;
}

/* one page of entries: its text, or (--json) its entries after those already printed */
static void explain_print_page(struct cli *c, json_object *ret, bool first, uint64_t *pages)
{
	json_object *list = get(ret, "pages");

	for (size_t i = 0; i < alen(list); i++)
		*pages += 1ULL << gu(json_object_array_get_idx(list, i), "order");
	if (!c->json) {
		fputs(gs(ret, "text"), stdout);
		return;
	}
	for (size_t i = 0; i < alen(list); i++)
		printf("%s%s", first && !i ? "" : ",",
		       json_object_to_json_string_ext(json_object_array_get_idx(list, i),
						      JSON_C_TO_STRING_PLAIN | JSON_OUT));
}

/*
 * The pages listed, against what the first reply counted: its "entries"
 * and "entries_digest", the sum of every entry's digest, which the
 * listed pages' "pages_digest" add up to when the block did not change
 * between them.  0, or 1 with the words in @why (a hotmemfs that sends
 * no digest is taken at its word).
 */
static int explain_all_check(json_object *first, unsigned long long listed, uint64_t digest,
			     char *why, size_t len)
{
	const char *want = gs(first, "entries_digest");
	unsigned long long counted = gu(first, "entries");

	if (!*want || (listed == counted && digest == strtoull(want, NULL, 0)))
		return 0;
	snprintf(why, len,
		 "memory%s changed while it was listed: the head counts the block as the first page "
		 "saw it (%llu %s), the later pages are as each was asked (%llu %s listed%s): run it "
		 "again for a list that matches its head",
		 gs(first, "block"), counted, counted == 1 ? "entry" : "entries", listed,
		 listed == 1 ? "entry" : "entries", listed == counted ? ", not the same ones" : "");
	return 1;
}

/*
 * --json explain --all's end, after its pages: whether the list is whole
 * and what is not listed, the head's count less what was; a listing that
 * ended in an error (a page refused, no reply) or does not match its head
 * has the "error" a refusal has, {"class": ..., "desc": ...}: one JSON
 * object on stdout whatever happened, and a consumer of it alone (jq
 * .error) tells a cut or stale list from a whole one (its "]}" closed a
 * list cut short as if it were whole), and "truncated" (a page lost:
 * entries missing, whatever the cause) apart from "stale" (why: the
 * pages do not match their head -- the block changed between them, or an
 * entry was lost in transit: run it again).  "truncated" stays true for
 * every list that is not whole, as before 5148e4ca, so a consumer of it
 * alone is not told a short list is whole (finalF #5).
 */
static void explain_all_tail(json_object *first, unsigned long long listed, uint64_t pages,
			     json_object *err, bool stale)
{
	unsigned long long counted = gu(first, "entries"), counted_pages = gu(first, "entry_pages");

	/* truncated: entries missing, stale or not; stale: changed or lost, run again */
	printf("],\"truncated\":%s,\"stale\":%s,\"more_entries\":%llu,\"more_pages\":%llu",
	       err && listed < counted ? "true" : "false", stale ? "true" : "false",
	       listed < counted ? counted - listed : 0,
	       pages < counted_pages ? (unsigned long long)(counted_pages - pages) : 0);
	if (err)
		printf(",\"error\":%s", json_object_to_json_string_ext(err, JSON_C_TO_STRING_PLAIN |
									      JSON_OUT));
	printf("}\n");
}

/*
 * explain N --all: a request a page of entries, each from the last one's
 * "next", printed as it comes: memory stays bounded whatever the block's
 * size.  --json prints one object, the first reply's with every page's
 * entries in "pages" (compact, not pretty: it is written as it comes).
 * The first reply has the head; a later page's walk covers its own
 * entries alone, so the whole list costs one walk of the block (usereye7
 * #15), and the digests say whether the block changed meanwhile.
 */
static int explain_all(struct cli *c, json_object *ret)
{
	json_object *req = c->explain_all, *args = get(req, "arguments"), *reply = NULL;
	json_object *first = json_object_get(ret), *err = NULL;
	unsigned long long listed = 0;
	uint64_t digest = 0, pages = 0;
	bool stale = false;
	char why[512];
	const char *head;
	int rc = 0;

	if (c->json) {
		json_object *top = NULL;

		/* the first reply's fields, but for what paging means alone: the tail's */
		if (json_object_deep_copy(ret, &top, NULL)) {
			fprintf(stderr, "hotmemctl: explain --all: out of memory\n");
			return 1;
		}
		json_object_object_del(top, "pages");
		json_object_object_del(top, "text");
		json_object_object_del(top, "next");
		json_object_object_del(top, "pages_digest");
		json_object_object_del(top, "truncated");
		json_object_object_del(top, "more_entries");
		json_object_object_del(top, "more_pages");
		head = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN | JSON_OUT);
		printf("%.*s,\"pages\":[", (int)strlen(head) - 1, head);
		json_object_put(top);
	}
	for (bool first_page = true;; first_page = false) {
		explain_print_page(c, ret, first_page, &pages);
		listed += alen(get(ret, "pages"));
		digest += strtoull(gs(ret, "pages_digest"), NULL, 0);
		if (!get(ret, "next"))
			break;
		json_object_object_add(args, "from", json_object_new_string(gs(ret, "next")));
		json_object_put(reply);
		if (c->timeout)
			c->deadline_ms = now_ms() + c->timeout * 1000L;
		reply = send_req(c, req) ? NULL : recv_reply(c);
		ret = get(reply, "return");
		if (!ret) {
			err = get(reply, "error");
			err = err ? json_object_get(err) :
				    error_obj("GenericError", "no reply for the next entries");
			rc = 1;
			break;
		}
	}
	if (!rc && explain_all_check(first, listed, digest, why, sizeof(why))) {
		err = error_obj("GenericError", why);
		stale = true;
		rc = 1;
	}
	if (c->json)
		explain_all_tail(first, listed, pages, err, stale);
	fflush(stdout); /* the list, then why it is not whole */
	if (err) {
		fputs("hotmemctl: explain --all: ", stderr);
		put_desc(stderr, err);
		fputc('\n', stderr);
	}
	json_object_put(err);
	json_object_put(reply);
	json_object_put(first);
	return rc;
}

/*
 * raw's JSON, one value and nothing after it but blanks: it is sent as
 * typed, so that hotmemfs judges what the user wrote -- json-c here cut a
 * key at its \u0000 ("val\u0000ue" went as "val") and kept a duplicate
 * key's last value silently, where hotmemfs refuses both as QEMU does;
 * a second value after it would run unseen, its reply never read.
 */
static json_object *raw_parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;
	size_t end;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, text, -1);
	end = json_tokener_get_parse_end(tok);
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  text[end + strspn(text + end, " \t\r\n")])) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* -1 when the command's arguments are wrong (said, in one line) */
static int build_request(struct cli *c, int argc, char **argv, json_object **req)
{
	char err[256] = "";
	int ret;

	if (!strcmp(argv[0], "settle"))
		return settle_request(c, argc, argv, req);

	if (!strcmp(argv[0], "map"))
		return map_request(c, argc, argv, req);

	if (!strcmp(argv[0], "raw")) {
		if (argc != 2) {
			fprintf(stderr, "hotmemctl: raw: takes one argument, the JSON request "
					"(raw '{\"execute\": \"status\"}')\n");
			return -1;
		}
		*req = raw_parse(argv[1]);
		if (!*req) {
			fprintf(stderr, "hotmemctl: raw: not valid JSON: %s\n", argv[1]);
			return -1;
		}
		c->raw = argv[1];
		c->raw_req = *req;
		return 0;
	}
	/*
	 * what a user typing it means: does this socket speak QMP?  The
	 * negotiation hotmemctl makes before every command, made and said;
	 * sent again after it QMP refuses it (CommandNotFound), `raw` shows
	 * that (usereye9: it was "unknown command")
	 */
	if (!strcmp(argv[0], "qmp_capabilities")) {
		if (argc != 1) {
			fprintf(stderr, "hotmemctl: qmp_capabilities: takes no argument (hotmemctl "
					"negotiates none; raw '{\"execute\": \"qmp_capabilities\", "
					"\"arguments\": {...}}' sends one as typed)\n");
			return -1;
		}
		c->caps_only = true;
		*req = json_object_new_object();
		json_object_object_add(*req, "execute", json_object_new_string("qmp_capabilities"));
		return 0;
	}
	if (!strcmp(argv[0], "export")) {
		if (argc != 2) {
			fprintf(stderr, "hotmemctl: export: takes one argument, the directory to "
					"write the dump in (export DIR)\n");
			return -1;
		}
		c->export_dir = argv[1];
		*req = json_object_new_object();
		json_object_object_add(*req, "execute", json_object_new_string("status"));
		return 0;
	}
	if (!strcmp(argv[0], "events")) {
		json_object *args;

		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--trace") && strcmp(argv[i], "trace")) {
				fprintf(stderr, "hotmemctl: events: unexpected argument '%s' "
						"(events [--trace])\n", argv[i]);
				return -1;
			}
			c->trace = true;
		}
		args = json_object_new_object();
		json_object_object_add(args, "trace", json_object_new_boolean(c->trace));
		*req = json_object_new_object();
		json_object_object_add(*req, "execute", json_object_new_string("events"));
		json_object_object_add(*req, "arguments", args);
		return 0;
	}
	if (!strcmp(argv[0], "explain"))
		return explain_request(c, argc, argv, req);
	ret = hmfs_ctlargs_request(argc, argv, req, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hotmemctl: %s: %s\n", argv[0], *err ? err : strerror(-ret));
		return -1;
	}
	return 0;
}

/*
 * -t SECONDS: whole seconds, 0 (no limit) to HMFS_CTL_MAX_WAIT_S, read as
 * settle's (hmfs_ctlargs_seconds()); false if not
 */
static bool parse_timeout(struct cli *c, const char *arg)
{
	double t;

	if (hmfs_ctlargs_seconds(arg, &t) || t != (unsigned)t) {
		fprintf(stderr, "hotmemctl: bad timeout '%s': -t takes whole seconds, decimal or 0x hex, "
				"0..%d (0: no limit)\n", arg, HMFS_CTL_MAX_WAIT_S);
		return false;
	}
	c->timeout = (unsigned)t;
	c->timeout_set = true;
	return true;
}

/*
 * The options before the command; after them, --json/-j anywhere
 * (hotmemctl status --json), taken out of argv.  -1 to go on with the
 * command at argv[optind] (*@argc shortened), else the exit status: 0
 * for --help, EXIT_USAGE for what is wrong (said in one line).
 */
static int parse_options(struct cli *c, int *argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int opt, n;

	opterr = 0; /* one line of ours, not getopt's and the whole usage */
	while ((opt = getopt_long(*argc, argv, "+:s:jhVt:", lo, NULL)) != -1) {
		switch (opt) {
		case 's':
			c->sock = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 't':
			if (!parse_timeout(c, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			return hmu_print_version("hotmemctl");
		case ':':
			fprintf(stderr, "hotmemctl: option %s needs a value (%s)\n",
				optopt == 's' ? "-s/--socket" : "-t/--timeout",
				optopt == 's' ? "the control socket's path" : "seconds");
			return EXIT_USAGE;
		default:
			if (optopt)
				fprintf(stderr, "hotmemctl: unknown option '-%c' (hotmemctl --help lists "
						"the options)\n", optopt);
			else
				fprintf(stderr, "hotmemctl: unknown option '%s' (hotmemctl --help lists "
						"the options)\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= *argc) {
		fprintf(stderr, "hotmemctl: no command given (hotmemctl --help lists them)\n");
		return EXIT_USAGE;
	}
	if (strlen(c->sock) > SOCK_PATH_MAX) {
		fprintf(stderr, "hotmemctl: socket path %s: %zu bytes, more than the %zu a unix "
				"socket's address holds: use a shorter path\n", c->sock,
			strlen(c->sock), SOCK_PATH_MAX);
		return EXIT_USAGE;
	}
	n = optind;
	for (int i = optind; i < *argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			c->json = true;
		else
			argv[n++] = argv[i];
	}
	*argc = n;
	return -1;
}

/*
 * QMP's handshake: hotmemfs's greeting read, qmp_capabilities answered.
 * NULL when it went through; else what came instead, the reply to show
 * (a refusal: too many clients, hotmemfs stopping), or NULL with
 * c->bad_reply / c->hung_up set.
 */
static json_object *handshake(struct cli *c, bool *ok)
{
	json_object *o = recv_obj(c);

	*ok = false;
	if (!o || !get(o, "QMP"))
		goto other;
	json_object_put(c->greeting);
	c->greeting = o;
	o = recv_reply(c);
	if (o && get(o, "return")) {
		json_object_put(o);
		*ok = true;
		return NULL;
	}
other:
	if (o && !get(o, "error")) {
		fprintf(stderr, "hotmemctl: %s: no QMP greeting but %s: is it hotmemfs's control "
				"socket?\n", c->sock,
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_OUT));
		c->bad_reply = true;
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* @req sent, its reply read: NULL when there is none (why said) */
static json_object *exchange(struct cli *c, json_object *req)
{
	json_object *caps = json_object_new_object(), *reply;
	bool ok;
	int sent;

	if (c->timeout)
		c->deadline_ms = now_ms() + c->timeout * 1000L;
	c->fd = connect_sock(c, c->sock);
	if (c->fd < 0) {
		json_object_put(caps);
		return NULL;
	}
	/*
	 * QMP: qmp_capabilities, then the request, sent at once (a QMP
	 * server runs them in turn); the greeting and the negotiation's
	 * reply come first.  A refusing server (too many clients) may hang
	 * up before reading: its reason waits.
	 */
	json_object_object_add(caps, "execute", json_object_new_string("qmp_capabilities"));
	sent = send_req(c, caps);
	json_object_put(caps);
	if (!sent && !c->caps_only)
		sent = send_req(c, req);
	if (!sent)
		c->req = req;
	reply = handshake(c, &ok);
	if (ok)
		reply = c->caps_only ? json_tokener_parse("{\"return\": {}}") : recv_reply(c);
	if (reply || c->bad_reply)
		return reply; /* not JSON: said, whatever became of the request */
	if (sent == -EAGAIN && c->deadline_ms)
		say_timed_out(c);
	else if (sent == -ECONNRESET || sent == -EPIPE || c->hung_up)
		say_no_reply(c, req);
	else if (sent && !c->timed_out)
		fprintf(stderr, "hotmemctl: send: %s\n", strerror(-sent));
	else if (!c->timed_out)
		fprintf(stderr, "hotmemctl: no reply from %s\n", c->sock);
	return NULL;
}

/*
 * what follows an error's words: a CommandNotFound is an unknown command,
 * except a qmp_capabilities (raw) after hotmemctl's own, which QMP refuses
 * with that class (QEMU's monitor/qmp-cmds-control.c: negotiation done)
 */
static const char *error_hint(const char *cmd, json_object *err)
{
	/* QEMU's desc carries no figures (abuse27 F7): hotmemfs's log has them */
	static const char vmem_refused[] = "virtio-mem device cannot get unplugged while ";

	if (cmd && !strcmp(cmd, "device_del") &&
	    !strncmp(gs(err, "desc"), vmem_refused, sizeof(vmem_refused) - 1))
		return " (`hotmemctl set-size ID 0`, then device_del once its plugged-size is 0; "
		       "hotmemfs's log says what keeps memory plugged)";
	if (strcmp(gs(err, "class"), "CommandNotFound"))
		return "";
	if (cmd && !strcmp(cmd, "qmp_capabilities"))
		return " (hotmemctl negotiates capabilities itself, before every command)";
	return " (hotmemctl --help lists the commands)";
}

/*
 * qom-set's {} (QEMU's) made hotmemctl's line: the device as device_add
 * returns it, asked for on the same connection (`devices` with its
 * "id"), what it is now the guest has worked toward the new size.  NULL
 * when that fails (the device gone meanwhile: said).  hotmemctl and
 * hotmemfs ship together: no branch for an older hotmemfs (reread17 H).
 */
static json_object *qom_set_device(struct cli *c, json_object *req)
{
	json_object *q, *args, *reply, *dev;

	q = json_object_new_object();
	args = json_object_new_object();
	json_object_object_add(args, "id",
			       json_object_new_string(gs(get(req, "arguments"), "path")));
	json_object_object_add(q, "execute", json_object_new_string("devices"));
	json_object_object_add(q, "arguments", args);
	reply = send_req(c, q) ? NULL : recv_reply(c);
	json_object_put(q);
	dev = json_object_get(get(reply, "return"));
	if (!dev && get(reply, "error")) {
		fputs("hotmemctl: qom-set done; the device's state not read: ", stderr);
		put_desc(stderr, get(reply, "error"));
		fputc('\n', stderr);
	}
	json_object_put(reply);
	return dev;
}

/*
 * device_add: QEMU plugs a DIMM whatever its size in whole memory blocks,
 * and answers {}; the guest's check_hotplug_memory_range() refuses one
 * that is not (-EINVAL: "Block size [0x8000000] unaligned hotplug
 * range"), and the DIMM stays without memory.  The reply's line says so;
 * a script saw exit 0 (user42).  That refusal is the request's own, never
 * the guest's state of the moment (ENOMEM and the other refusals keep
 * exit 0, as QEMU's): exit 3, said on stderr too.  raw keeps QMP's reply.
 */
static int dev_refused_exit(const char *cmd, json_object *ret)
{
	if (strcmp(cmd, "device_add") || !get(ret, "guest-refused") ||
	    strcmp(gs(ret, "guest-refused"), "EINVAL"))
		return 0;
	fflush(stdout); /* after the device's line */
	fprintf(stderr, "hotmemctl: error: %s: the guest refused its memory (EINVAL): its size or "
			"address is not in whole memory blocks; the device stays plugged until "
			"`hotmemctl device_del %s`\n",
		gs(ret, "id"), gs(ret, "id"));
	return EXIT_GUEST_REFUSED;
}

/* the reply of command @cmd, as asked: printed, followed, drawn or exported */
static int show_reply(struct cli *c, json_object *req, json_object *reply)
{
	const char *cmd = gs(req, "execute");
	json_object *err = get(reply, "error"), *ret = get(reply, "return");

	if (!err && !ret) {
		fprintf(stderr, "hotmemctl: %s: a reply with neither \"return\" nor \"error\": is it "
				"hotmemfs's control socket?\n", c->sock);
		return 1;
	}
	/*
	 * raw: the reply whole, as received (its "id", an error's class);
	 * --json: a refusal's {"error": {"class": ..., "desc": ...}} too, the
	 * class a script tells DeviceNotFound from GenericError by (usereye7 #3)
	 */
	if (c->raw_req) {
		/* json-c's tokener takes the line's end with the object */
		while (c->text_len && strchr(" \t\r\n", c->text[c->text_len - 1]))
			c->text_len--;
		fwrite(c->text, 1, c->text_len, stdout);
		putchar('\n');
	} else if (err && c->json) {
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY | JSON_OUT));
	}
	fflush(stdout); /* before the error's line, as it came */
	if (err) {
		/* QMP's words, and where to look for the right one */
		fputs("hotmemctl: error: ", stderr);
		put_desc(stderr, err);
		fprintf(stderr, "%s\n", error_hint(cmd, err));
		return 1;
	}
	if (c->raw_req)
		return 0;
	if (c->caps_only && !c->json) {
		json_object *q = get(get(get(c->greeting, "QMP"), "version"), "qemu");

		printf("QMP capabilities negotiated (none offered; the protocol of QEMU %llu.%llu.%llu, "
		       "%s): hotmemctl does it before every command\n",
		       (unsigned long long)gu(q, "major"), (unsigned long long)gu(q, "minor"),
		       (unsigned long long)gu(q, "micro"),
		       gs(get(get(c->greeting, "QMP"), "version"), "package"));
		return 0;
	}
	if (c->export_dir)
		return export_machine(c, ret);
	if (!strcmp(cmd, "events")) {
		c->deadline_ms = 0; /* events may be quiet for hours */
		return follow_events(c);
	}
	if (c->map && !c->json)
		return print_map(c, ret);
	if (c->explain_all)
		return explain_all(c, ret);
	if (!strcmp(cmd, "qom-set")) {
		json_object *dev = qom_set_device(c, req);

		/* its uevents' warning (hotmemfs stopping) said after the line, as before */
		if (dev && get(ret, "warning"))
			json_object_object_add(dev, "warning", json_object_get(get(ret, "warning")));
		if (dev)
			print_return(c, req, dev);
		json_object_put(dev);
		return 0;
	}
	print_return(c, req, ret);
	return dev_refused_exit(cmd, ret);
}

int main(int argc, char **argv)
{
	struct cli *c = calloc(1, sizeof(*c));
	json_object *req = NULL, *reply = NULL;
	int rc;

	if (!c)
		return 1;
	c->sock = getenv("HOTMEM_CONTROL") ? getenv("HOTMEM_CONTROL") : DEFAULT_CONTROL;
	c->timeout = DEFAULT_TIMEOUT;
	c->fd = -1;
	rc = parse_options(c, &argc, argv);
	if (rc >= 0)
		goto out;
	rc = EXIT_USAGE;
	if (build_request(c, argc - optind, argv + optind, &req))
		goto out;
	rc = 1;
	c->tok = json_tokener_new();
	if (!c->tok)
		goto out;
	reply = exchange(c, req);
	if (reply)
		rc = show_reply(c, req, reply);
out:
	json_object_put(req);
	json_object_put(reply);
	json_object_put(c->greeting);
	if (c->tok)
		json_tokener_free(c->tok);
	if (c->fd >= 0)
		close(c->fd);
	free(c->text);
	free(c);
	return rc;
}
