/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotmem-conform: onlining agents (udev rules, hotmemd, a user's command)
 * run for real inside entered machines (hotmem-enter) across kernel
 * settings, machines and plug events; each cell says whether the agent did
 * what the kernel's own auto-online would (docs/agents.md).
 *
 * conform_main.c    options and the matrix (outside the machines)
 * conform_expect.c  each cell's reasons, the built-in agents' expectations
 * conform_report.c  the table row, the JSON list, the summary
 * conform_cell.c    one cell inside an entered machine (--cell)
 * conform_machine.c what a cell reads of the machine (blocks, zones, logs)
 * conform_netlink.c the counting listener and the netlink agent
 * conform_ctl.c     hotmemctl: plug events, its status counters
 * conform_spawn.c   fork/exec in a process group of its own, bounded waits
 */
#ifndef HMFS_CONFORM_H
#define HMFS_CONFORM_H

#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CONFORM_CELL_TIMEOUT_S 300 /* one hotmem-enter of a cell */
#define CONFORM_STOP_GRACE_MS 5000 /* SIGTERM to SIGKILL */
#define CONFORM_READY_MS 30000	   /* an agent or the listener coming up */
#define CONFORM_STALL_MS 5000	   /* no block came online for this long */
#define CONFORM_CTL_TIMEOUT_MS 120000 /* one hotmemctl command */
/*
 * The exit status of a matrix whose only fault is its own: the emulated
 * machine refused an event of it (its cells not run, no verdict on any
 * agent); a violation or another error of the run is 1 all the same.
 * --cell's too, when the machine refused its event.
 */
#define CONFORM_EXIT_REFUSED 3
/* such a cell's error of the run, as its row and the JSON's "error" say it */
#define CONFORM_REFUSED_ERROR "event refused: hotmem-conform's own matrix, no verdict on the agent"

/* ---- conform_spawn.c ---------------------------------------------------- */
/*
 * A child in a process group of its own (its pid): stopping it stops
 * whatever it started too.  Signals blocked in the caller are unblocked in
 * the child; stdin is /dev/null.
 */
struct conform_child {
	pid_t pid;	/* also its process group; 0: none */
	bool reaped;
	int status;
};

struct conform_io {
	int out_fd;	/* -1: inherit */
	int err_fd;	/* -1: inherit */
};

long conform_now_ms(void);
void conform_sleep_ms(long ms);
/* exec argv[0] (PATH searched); 0 or -errno (fork) */
int conform_spawn(struct conform_child *c, char *const argv[], const struct conform_io *io);
/* a child running fn(arg) (no exec); fn's return is its exit status */
int conform_fork(struct conform_child *c, int (*fn)(void *), void *arg,
		 const struct conform_io *io);
/* it has ended (not reaped yet: conform_wait/conform_stop do) */
bool conform_exited(struct conform_child *c);
/*
 * Until the child ends or @timeout_ms pass: true if it ended (then reaped,
 * what it left in its group killed).  A signal in @stop (blocked by the
 * caller) ends the wait early, *@sig says which.
 */
bool conform_wait(struct conform_child *c, long timeout_ms, const sigset_t *stop, int *sig);
/* @sig to its group, SIGKILL after @grace_ms; always reaped after */
void conform_stop(struct conform_child *c, int sig, long grace_ms);
/* its exit status as the shell says it: 128+N for signal N */
int conform_exit_code(const struct conform_child *c);
/* run argv to its end within @timeout_ms (then stopped): its exit code, 124 on timeout */
int conform_run(char *const argv[], const struct conform_io *io, long timeout_ms);
/* the same, its stdout read into a NUL-terminated *@out (malloc'ed) */
int conform_run_capture(char *const argv[], int err_fd, long timeout_ms, char **out);
/* the same, its stderr read into *@err, its stdout to @out_fd */
int conform_run_capture_err(char *const argv[], int out_fd, long timeout_ms, char **err);
/* an fd on /dev/null, or on a file truncated/created (0644); -1 and said on stderr */
int conform_open_null(void);
int conform_open_file(const char *path, bool append);

/* ---- conform_machine.c: the entered machine -------------------------- */
struct conform_blocks {
	unsigned long *nr;	/* sorted */
	size_t count;
};

#define CONFORM_MEM "/sys/devices/system/memory"

/* the memoryN directories listed; -errno on a listing that failed */
int conform_list_blocks(struct conform_blocks *b);
void conform_blocks_free(struct conform_blocks *b);
bool conform_blocks_equal(const struct conform_blocks *a, const struct conform_blocks *b);
/* @after's blocks that @before has not, into @out */
int conform_blocks_diff(const struct conform_blocks *after, const struct conform_blocks *before,
			struct conform_blocks *out);
/* memoryN/@attr's first line, surrounding blanks stripped; -errno */
int conform_read_attr(unsigned long block, const char *attr, char *buf, size_t len);
bool conform_block_online(unsigned long block);
size_t conform_count_online(const struct conform_blocks *b);
/* "offline" to memoryN/state: 0 or -errno */
int conform_offline_block(unsigned long block);
/* present pages of ZONE_MOVABLE as a percentage of the other zones' but Device */
int conform_movable_pct(void);
/* auto_movable_ratio, 301 (the kernel's default) when unreadable */
int conform_auto_movable_ratio(void);
/*
 * The lowest node with CPUs and no memory (a socket without DIMMs), where
 * a cell's event plugs its memory; -1 when the machine has none (node 0)
 */
int conform_plug_node(void);
/* memory_hotplug's online_policy (contig-zones, auto-movable) into @buf; contig-zones when unreadable */
void conform_online_policy(char *buf, size_t len);
/* memhp_default_state=online* on /proc/cmdline: the kernel onlines by itself */
bool conform_kernel_autoonlines(void);
/* lines of @path matching the extended regex @re; 0 for a missing file */
int conform_count_lines(const char *path, const char *re);
/* udevd's "ATTR '.../state' writing 'VALUE'" lines of @path whose VALUE state_store() cannot parse */
int conform_count_unparsable_writes(const char *path);
/* the last non-empty line of @path into @buf ("" if none), cut to @len */
void conform_last_line(const char *path, char *buf, size_t len);
/* the same, whole, malloc'ed (NULL only when out of memory) */
char *conform_last_line_dup(const char *path);
/* the first line of @path matching the extended regex @re (malloc'ed), NULL if none */
char *conform_first_line(const char *path, const char *re);
/* the last @n non-empty lines of @path, each cut at @max bytes, \n-joined (malloc'ed; NULL: no memory) */
char *conform_tail(const char *path, int n, size_t max);
/* /sys/devices/system/memory is hotmemfs's (FUSE): refuses the host's */
bool conform_machine_is_emulated(void);

/* ---- conform_netlink.c ------------------------------------------------ */
struct conform_listener_result {
	long adds;	/* memory ADD uevents it read */
	long enobufs;	/* ENOBUFS from recv */
	long drops;	/* the kernel's drop count for its socket, -1 unknown */
};

/*
 * The listener, a child: a NETLINK_KOBJECT_UEVENT socket with the default
 * receive buffer or @rcvbuf bytes, counting memory ADDs and ENOBUFS until
 * SIGINT; then it prints "ADDS ENOBUFS DROPS" on stdout.  Its ready file
 * holds its socket's inode once bound.
 */
struct conform_listener_args {
	const char *ready;
	int rcvbuf;
};
int conform_listener_main(void *args);
/* "ADDS ENOBUFS DROPS" as the listener writes it */
int conform_listener_parse(const char *s, struct conform_listener_result *r);
/*
 * The netlink agent, a child: a uevent socket with the default buffer, each
 * memory ADD onlined (if offline) before the next recv; ENOBUFS and failed
 * writes on stderr.  @args: its ready file's path.
 */
int conform_netlink_agent_main(void *args);
/*
 * The kernel's drop count (/proc/net/netlink) summed over this network
 * namespace's uevent sockets bound to group 1 but @skip_ino's.
 */
long conform_uevent_drops(unsigned long skip_ino);

/* ---- conform_ctl.c ------------------------------------------------------ */
struct conform_state_writes {
	long done, einval, other;
	long unparsed;	/* of einval, values the store could not parse (status's "unparsed") */
	bool known;	/* status answered with its state-writes */
};
/*
 * hotmemctl ARGS... >/dev/null, bounded; its exit code.  When that is not
 * 0, *@why (malloc'ed; NULL when out of memory) says the command and what
 * hotmemctl said on stderr (or that it was stopped), which goes on our
 * stderr too: a plug the emulated hardware refused is said, never
 * swallowed (usereye7 #5).
 */
int conform_ctl(const char *const args[], char **why);
/* status's "state-writes": zeros when status fails */
void conform_state_writes(struct conform_state_writes *sw);
/* status's uevents "netlink-errors", -1 when status fails */
long conform_uevents_unsent(void);
/* a virtio-mem device's plugged-size and requested-size (status's devices); -errno */
int conform_vmem_sizes(const char *id, long *plugged, long *requested);

/* ---- conform_cell.c ------------------------------------------------------ */
/* hotmem-conform --cell AGENT EVENT: one JSON object on stdout */
int conform_cell_main(int argc, char **argv);
/* HOTMEM_CONFORM_WAIT (ms) and _LISTENER_RCVBUF checked; -1 and said on stderr */
int conform_env(long *wait_ms, int *rcvbuf);
/* what a cell knows of the agent's memoryN/state (and /online) writes */
struct conform_write_log {
	long writes;	/* udevd's state writes (its log) */
	long unparsable; /* ... of them, a value state_store() cannot parse */
	long failed;	/* failure lines of the agent's log */
	long needed;	/* writes the blocks the kernel left offline need (0 under online*) */
	bool counted;	/* hotmemfs's counts known: every write it took is in them */
	long done;	/* writes hotmemfs took and carried out over the cell */
	long einval;	/* writes hotmemfs refused with EINVAL over the cell */
	long unparsed;	/* ... of them, a value the store could not parse */
	long other;	/* ... with another errno */
};
/* the agent's writes: all of them, and those of each bad kind (parts of @writes) */
struct conform_write_count {
	long writes, redundant, failed;
	long unparsed;	/* of failed, EINVALs of a value the store could not parse */
};
/*
 * Every write counted (writes >= redundant + failed), each bad one once,
 * in one kind: redundant (an EINVAL of a block already in that state),
 * else failed (an unparsable value's EINVAL too).
 */
void conform_write_kinds(const struct conform_write_log *l, struct conform_write_count *w);

/* ---- conform_expect.c ---------------------------------------------------- */
struct conform_expect {
	const char *kind;	/* "ok", "fail", "may" */
	const char *re;		/* reasons allowed ("" for ok: none) */
	const char *why;
};
/*
 * Each way the outcome says the agent (or hotmem) did wrong, joined by
 * "; " into *@out (malloc'ed, "" for none).
 */
int conform_reasons(json_object *outcome, char **out);
/*
 * The same for @agent's cell (the name conform_expectation() takes, or
 * intent:POLICY): Movable over auto_movable_ratio a reason where that ratio
 * binds the agent, else advice into *@advice (malloc'ed, "" for none).
 */
int conform_reasons_for(json_object *outcome, const char *agent, char **out, char **advice);
/*
 * --intent's POLICY: hotmemd's policy names, what each means, whether
 * auto_movable_ratio binds it, and the zones it wants every onlined block
 * in (as memoryN/valid_zones names them, space-separated; NULL: the
 * kernel's choice, online's default zone, auto-movable's ratio) with how
 * a reason says them after "every block" -- the one list (conform_expect.c's
 * table, the usage, the messages).  online_kernel's are the kernel zones
 * MMOP_ONLINE_KERNEL takes (6.12 default_kernel_zone_for_pfn(): the
 * first of DMA, DMA32 the range intersects, else Normal).  FIRST and
 * REST: the first row and the others, so that the names join into one
 * literal (CONFORM_INTENT_NAMES) without a separator at either end.
 */
/* clang-format off */
#define CONFORM_INTENTS(FIRST, REST)                                                               \
	FIRST("online_movable", "every block Movable; the Movable:kernel ratio is advice", false,  \
	      "Movable", "Movable")                                                               \
	REST("online_kernel", "every block in a kernel zone; Normal that cannot be offlined is meant", false,                    \
	     "Normal DMA32 DMA", "in a kernel zone (Normal, DMA32 or DMA)")                        \
	REST("online", "Normal that cannot be offlined is meant", false, NULL, NULL)               \
	REST("auto-movable", "the ratio binds", true, NULL, NULL)
#define CONFORM_INTENT_FIRST_NAME(name, means, binds, zones, said) name
#define CONFORM_INTENT_REST_NAME(name, means, binds, zones, said) ", " name
/* clang-format on */
/* "online_movable, online_kernel, online, auto-movable" */
#define CONFORM_INTENT_NAMES CONFORM_INTENTS(CONFORM_INTENT_FIRST_NAME, CONFORM_INTENT_REST_NAME)
bool conform_intent_known(const char *intent);
/* the usage's lines for the intents: "  POLICY  what it means" each */
void conform_intent_usage(FILE *f);
/* why yours must pass every cell without --intent */
#define CONFORM_NO_INTENT                                                                          \
	"no --intent says what your rule means (" CONFORM_INTENT_NAMES "), so every cell must pass"
/*
 * The first expectation line matching the cell (@agent: its name, or
 * intent:POLICY for yours with --intent), else "ok - every cell must pass"
 */
void conform_expectation(const char *agent, const char *setting, const char *machine,
			 const char *event, struct conform_expect *e);
/* the violation of @e by @reasons ("; "-joined) into @buf, "" for none */
void conform_violation(const struct conform_expect *e, const char *reasons, char *buf, size_t len);

/* ---- conform_report.c ---------------------------------------------------- */
struct conform_cell_report {
	const char *agent, *setting, *machine, *event;
	const char *label;	/* the table's name of the agent when not @agent (agent#N), or NULL */
	json_object *outcome;	/* an empty object: the cell did not run */
	const char *reason;	/* "" for ✓ */
	struct conform_expect expect;
	const char *violation;	/* "" for none */
	const char *error;	/* an error of the run (the cell or its agent did not run), "" none */
	const char *advice;	/* what the machine risks though the agent did right, "" or NULL none */
	const char *intent;	/* --intent POLICY of yours, or NULL */
	bool why_shown;		/* an earlier row had this expectation's why whole: now its start */
	bool advice_shown;	/* an earlier row had this advice whole, but for its figures */
};
/*
 * The header, a row: written out (flushed), 0 or -errno.  @agent_width:
 * the agent column's, at least CONFORM_AGENT_WIDTH, as long as the
 * longest name the table shows (a --rules file's rules:BASENAME is as
 * long as its name): every row's columns under the header's.
 */
#define CONFORM_AGENT_WIDTH 22
int conform_print_header(FILE *f, int agent_width);
/* a legend line above the header: what @label (agent#N) runs */
int conform_print_legend(FILE *f, const char *label, const char *command);
int conform_print_row(FILE *f, const struct conform_cell_report *r, int agent_width);
/* the cell as the JSON list holds it (a new object) */
json_object *conform_cell_json(const struct conform_cell_report *r);
/* the list as `jq -s .` printed it: two-space indentation */
int conform_write_json(const char *path, json_object *cells);
/* the setting as the table shows it: what differs from the default */
void conform_short_setting(const char *setting, char *buf, size_t len);

#endif /* HMFS_CONFORM_H */
