// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE over io_uring for a libfuse 3.14 low-level session.
 *
 * With /dev/fuse, a reader's request wakes the server on whichever CPU it
 * sleeps on, and the reply wakes the reader back: two cross-CPU wake-ups
 * (IPIs, VM exits in a VM) per round trip.  FUSE over io_uring (the
 * kernel's fs/fuse/dev_uring.c, 6.14+, followed here as of 6.18) keeps one
 * queue per possible CPU: a request goes to the queue of the CPU its
 * reader runs on (fuse_uring_task_to_queue()) and is handed to the task
 * that submitted the entry's command (io_uring_cmd_complete_in_task()).
 * One thread per queue, pinned to that CPU, therefore serves the reader
 * on its own CPU.
 *
 * hotmemfs serves through it with --io-uring (fs.c: hmfs_session_uring());
 * tests/fusefs/fuse_floor -u, the bench's floor, too.  libfuse learnt
 * this in 3.18 (lib/fuse_uring.c); Debian 12 has 3.14, so this file does
 * it beside libfuse through fuse_session_custom_io():
 *
 *  - INIT: the kernel offers FUSE_OVER_IO_URING in init_in's flags2 only
 *    when fuse's enable_uring parameter is Y (fuse_send_init()).  3.14 does
 *    not know the flag, so our writev sets it in the INIT reply it passes
 *    through (process_init_reply() then sets fc->io_uring) -- the only way
 *    to ask for it without libfuse's help.  (6.18 switches a connection to
 *    the ring once every queue has an entry, flag or not; the flag makes
 *    the kernel hold new requests until then, fuse_block_alloc() since
 *    3393ff964e0f, rather than send some to /dev/fuse meanwhile, and keeps
 *    io_uring for the connection if enable_uring is set back to N.)  The
 *    queues' threads and rings are made before that reply: once it is
 *    written, nothing may fail half-way without the kernel learning it (a
 *    failed REGISTER resets fc->io_uring and wakes the waiters: /dev/fuse
 *    again).
 *  - REGISTER (FUSE_IO_URING_CMD_REGISTER, needs fc->initialized, set by
 *    the INIT reply's write): each entry gives two buffers, the headers
 *    (struct fuse_uring_req_header) and a payload of at least
 *    max(FUSE_MIN_READ_BUFFER, max_write, max_pages pages) (fuse_uring_create()).
 *  - A request: its fuse_in_header in headers.in_out, its first argument
 *    (the per-opcode header, maybe empty) in headers.op_in, the rest in the
 *    payload (ring_ent_in_out.payload_sz).  We put the two headers right in
 *    front of the payload, which makes the request /dev/fuse's layout, and
 *    give it to fuse_session_process_buf().
 *  - The reply comes back through our writev: found by its unique among
 *    the entries held (a reply may come from another thread), the
 *    fuse_out_header goes to headers.in_out, the rest to the payload, and
 *    FUSE_IO_URING_CMD_COMMIT_AND_FETCH (commit_id = unique) returns it and
 *    re-arms the entry.  Only the queue's own thread submits to its ring
 *    (IORING_SETUP_SINGLE_ISSUER, DEFER_TASKRUN): a reply from another
 *    thread is handed to it through an eventfd.
 *  - What stays on /dev/fuse: FORGET and INTERRUPT (fuse_io_uring_ops
 *    sends them there), notifications (unique 0: "notify through
 *    fuse-io-uring not supported"), and the INIT exchange.
 *  - A queue holds at most its depth of requests in the server at once
 *    (6.18 picks the queue by the reader's CPU alone, task_cpu(current)):
 *    one more from that CPU waits in the kernel until an entry comes back
 *    (fuse_uring_queue_fuse_req() parks it on the queue's fuse_req_queue;
 *    only a commit of that queue's takes it from there,
 *    fuse_uring_next_fuse_req(): an entry REGISTERed later does not).
 *  - So a reply the server holds back for a while (hotmemfs holds a
 *    write's until its notifier has told the kernel's caches, events.c)
 *    must never take a queue's last entry: the notifier may wait for a
 *    directory lock that a lookup parked on that queue holds, and no
 *    commit would come to take it.  hmfs_uring_may_hold() says whether a
 *    request's entry may still be held: at most depth - 1 of a queue's
 *    at once, so one entry always goes back, and every parked request
 *    gets its turn.  Refused, the reply goes at once.
 *  - hmfs_uring_hold(): from then on a request taken from the ring is
 *    left unanswered (the unmount ends it), as /dev/fuse's are once
 *    nobody reads it, while replies to those taken before still go out.
 *  - Teardown: unmounting aborts the connection; the kernel completes
 *    every waiting entry with -ENOTCONN (fuse_uring_stop_queues()) and
 *    refuses later commits, so each thread ends when its entries have;
 *    hmfs_uring_destroy() also stops them through the eventfd, and closing
 *    a ring cancels its commands (fuse_uring_cancel()).
 */
#include "uring.h"

#include <errno.h>
#include <liburing.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

/* include/uapi/linux/fuse.h of 6.14+ (protocol 7.42); Debian 12's headers are 6.1's */
#ifndef FUSE_URING_IN_OUT_HEADER_SZ
#define FUSE_OVER_IO_URING		(1ULL << 41)
#define FUSE_URING_IN_OUT_HEADER_SZ	128
#define FUSE_URING_OP_IN_OUT_SZ		128

struct fuse_uring_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;	/* the request's unique */
	uint32_t payload_sz;	/* bytes in the payload buffer, either way */
	uint32_t padding;
	uint64_t reserved;
};

struct fuse_uring_req_header {
	char in_out[FUSE_URING_IN_OUT_HEADER_SZ];	/* fuse_in_header / fuse_out_header */
	char op_in[FUSE_URING_OP_IN_OUT_SZ];		/* the per-opcode header */
	struct fuse_uring_ent_in_out ring_ent_in_out;
};

enum fuse_uring_cmd {
	FUSE_IO_URING_CMD_INVALID = 0,
	FUSE_IO_URING_CMD_REGISTER = 1,
	FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};

/* in the SQE128's 80-byte command area */
struct fuse_uring_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};
#endif

/* fuse_init_in's flags2 came with protocol 7.36; libfuse 3.14 reads them too */
#define INIT_IN_MIN	(offsetof(struct fuse_init_in, flags2) + sizeof(uint32_t))
#define INIT_OUT_MIN	(offsetof(struct fuse_init_out, flags2) + sizeof(uint32_t))

/* the page in front of each payload: headers first, the rebuilt request at its end */
#define ENT_ROOM	4096
/* the eventfd's read: user_data 0 (an entry is never at address 0) */
#define EFD_TAG		0

enum ur_state { UR_IDLE, UR_ACTIVE, UR_DEVFUSE };

struct hmfs_uring_ent {
	struct hmfs_uring_queue *q;
	struct fuse_uring_req_header *hdr;	/* iov[0] */
	char *payload;				/* iov[1] */
	struct iovec iov[2];
	uint64_t unique;			/* the request held (atomic), 0: none */
	struct hmfs_uring_ent *next;		/* on q->done */
	bool dead;				/* the kernel gave it up */
	bool held;				/* its reply may be held (q->lock): hmfs_uring_may_hold() */
};

struct hmfs_uring_queue {
	struct hmfs_uring *ur;
	unsigned int qid;			/* = the CPU */
	pthread_t thread;
	bool started;
	struct io_uring ring;
	int efd;
	uint64_t efd_val;
	char *mem;				/* every entry's page and payload */
	size_t mem_len;
	struct hmfs_uring_ent *ents;
	unsigned int alive;			/* entries not given up */
	pthread_mutex_t lock;			/* done, nr_held, the entries' held */
	struct hmfs_uring_ent *done;		/* replied by other threads, to commit */
	unsigned int nr_held;			/* entries whose reply may be held */
	unsigned long long unheld;		/* replies not held for want of room (atomic) */
	/*
	 * Held by the queue's thread around each request it serves, and by
	 * hmfs_uring_hold() to set @held: the queue's own, so that the
	 * threads of two CPUs never share it
	 */
	pthread_mutex_t serve_lock;
	bool held;
	unsigned long long requests;		/* served (atomic: status reads it) */
};

struct hmfs_uring {
	struct fuse_session *se;
	int fd;					/* /dev/fuse */
	bool required;				/* or exit the session */
	unsigned int depth;
	hmfs_uring_process_fn process;
	void *arg;

	uint64_t init_unique;			/* the INIT request, 0: not seen */
	bool offered;				/* FUSE_OVER_IO_URING in its flags */
	int state;				/* enum ur_state (atomic) */
	char why[128];				/* why /dev/fuse */

	unsigned int nr_queues;
	struct hmfs_uring_queue *queues;
	size_t payload_sz;

	pthread_mutex_t lock;			/* below */
	pthread_cond_t cond;
	unsigned int set_up;			/* threads with their ring made */
	unsigned int registered;		/* threads with every entry registered */
	int err;				/* the first thread's failure */
	int go;					/* 1: register, -1: leave */
	bool stop;				/* (atomic) */
};

int hmfs_uring_check(char *why, size_t len)
{
	FILE *f = fopen("/sys/module/fuse/parameters/enable_uring", "re");
	int c;

	if (!f) {
		snprintf(why, len, "this kernel has no FUSE over io_uring "
			 "(no /sys/module/fuse/parameters/enable_uring: before 6.14 or "
			 "without CONFIG_FUSE_IO_URING)");
		return -EOPNOTSUPP;
	}
	c = fgetc(f);
	fclose(f);
	if (c != 'Y') {
		snprintf(why, len, "fuse.enable_uring is N "
			 "(echo Y > /sys/module/fuse/parameters/enable_uring)");
		return -EPERM;
	}
	snprintf(why, len, "fuse.enable_uring is Y");
	return 0;
}

/*
 * num_possible_cpus(): the kernel makes that many queues (fuse_uring_create(),
 * 6.14-6.18), qid = the CPU.  Taken from /proc/softirqs, whose header names
 * every possible CPU (fs/proc/softirqs.c: for_each_possible_cpu()), not
 * from /sys/devices/system/cpu/possible: a mount namespace may show another
 * cpu/ there (tests/fusefs/nodes.sh fake_cpu_host), and a queue too many
 * is a refused REGISTER, one too few a ring that never comes up (the
 * kernel holds every request until each queue has an entry).
 */
static unsigned int possible_cpus(void)
{
	FILE *f = fopen("/proc/softirqs", "re");
	unsigned int n = 0, last = 0, a, b;
	char word[32];
	int r;

	if (f) {
		/* the header: "CPU0 CPU1 ..." up to the first row's name ("HI:") */
		while (fscanf(f, "%31s", word) == 1 && !strncmp(word, "CPU", 3))
			n++;
		fclose(f);
		if (n)
			return n;
	}
	f = fopen("/sys/devices/system/cpu/possible", "re");
	if (!f)
		return (unsigned int)sysconf(_SC_NPROCESSORS_CONF);
	while ((r = fscanf(f, "%u-%u", &a, &b)) >= 1) {
		last = r == 2 ? b : a;
		if (fgetc(f) != ',')
			break;
	}
	fclose(f);
	return last + 1;
}

struct hmfs_uring *hmfs_uring_new(struct fuse_session *se, bool required,
				  unsigned int depth, hmfs_uring_process_fn process, void *arg)
{
	struct hmfs_uring *ur = calloc(1, sizeof(*ur));

	if (!ur)
		return NULL;
	ur->se = se;
	ur->fd = fuse_session_fd(se);
	ur->required = required;
	ur->depth = depth ? depth : 1;
	ur->process = process;
	ur->arg = arg;
	ur->state = UR_IDLE;
	snprintf(ur->why, sizeof(ur->why), "not started");
	pthread_mutex_init(&ur->lock, NULL);
	pthread_cond_init(&ur->cond, NULL);
	return ur;
}

static void devfuse(struct hmfs_uring *ur, const char *why)
{
	snprintf(ur->why, sizeof(ur->why), "%s", why);
	__atomic_store_n(&ur->state, UR_DEVFUSE, __ATOMIC_RELEASE);
}

/* ---- the queue threads ---------------------------------------------- */

static struct io_uring_sqe *queue_sqe(struct hmfs_uring_queue *q)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);

	if (!sqe) {
		/* never with 2 x (depth + 1) slots; submitting makes room anyway */
		io_uring_submit(&q->ring);
		sqe = io_uring_get_sqe(&q->ring);
	}
	return sqe;
}

static int queue_cmd(struct hmfs_uring_queue *q, struct hmfs_uring_ent *ent,
		     enum fuse_uring_cmd op, uint64_t commit_id)
{
	struct io_uring_sqe *sqe = queue_sqe(q);
	struct fuse_uring_cmd_req *req;

	if (!sqe)
		return -EBUSY;
	memset(sqe, 0, 2 * sizeof(*sqe));	/* SQE128 */
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = q->ur->fd;
	sqe->cmd_op = op;
	sqe->addr = (uintptr_t)ent->iov;	/* REGISTER: the two buffers */
	sqe->len = 2;
	sqe->user_data = (uintptr_t)ent;
	req = (struct fuse_uring_cmd_req *)sqe->cmd;
	req->qid = (uint16_t)q->qid;
	req->commit_id = commit_id;
	return 0;
}

static void queue_arm_efd(struct hmfs_uring_queue *q)
{
	struct io_uring_sqe *sqe = queue_sqe(q);

	if (!sqe)
		return;
	io_uring_prep_read(sqe, q->efd, &q->efd_val, sizeof(q->efd_val), 0);
	sqe->user_data = EFD_TAG;
}

/* the entry holds no request any more: give it back for the next one */
static void ent_commit(struct hmfs_uring_ent *ent, uint64_t unique)
{
	struct hmfs_uring_queue *q = ent->q;

	if (queue_cmd(q, ent, FUSE_IO_URING_CMD_COMMIT_AND_FETCH, unique)) {
		fuse_log(FUSE_LOG_ERR, "fuse io_uring queue %u: no submission slot\n", q->qid);
		ent->dead = true;
		q->alive--;
	}
}

/* the request in @ent, laid out as /dev/fuse gives it, to the session */
static void ent_serve(struct hmfs_uring_ent *ent)
{
	struct hmfs_uring_queue *q = ent->q;
	struct hmfs_uring *ur = q->ur;
	const struct fuse_in_header *in = (const void *)ent->hdr->in_out;
	size_t payload = ent->hdr->ring_ent_in_out.payload_sz;
	size_t op_len = in->len - sizeof(*in) - payload;
	struct fuse_buf buf;
	char *start;

	if (in->len < sizeof(*in) + payload || op_len > FUSE_URING_OP_IN_OUT_SZ ||
	    payload > ur->payload_sz) {
		/* cannot happen with 6.14-6.18; answer it rather than lose the entry */
		struct fuse_out_header *out = (void *)ent->hdr->in_out;
		uint64_t unique = in->unique;

		fuse_log(FUSE_LOG_ERR, "fuse io_uring: malformed request (len %u, payload %zu)\n",
			 in->len, payload);
		*out = (struct fuse_out_header){ .len = sizeof(*out), .error = -EIO,
						 .unique = unique };
		ent->hdr->ring_ent_in_out.payload_sz = 0;
		ent_commit(ent, unique);
		return;
	}
	start = ent->payload - sizeof(*in) - op_len;
	memcpy(start, in, sizeof(*in));
	memcpy(start + sizeof(*in), ent->hdr->op_in, op_len);
	buf = (struct fuse_buf){ .mem = start, .size = in->len };
	pthread_mutex_lock(&q->serve_lock);
	if (q->held) {
		/* left to the unmount, as /dev/fuse's once nobody reads it */
		pthread_mutex_unlock(&q->serve_lock);
		return;
	}
	__atomic_store_n(&ent->unique, in->unique, __ATOMIC_RELEASE);
	__atomic_store_n(&q->requests, q->requests + 1, __ATOMIC_RELAXED);
	if (ur->process)
		ur->process(ur->arg, &buf);
	else
		fuse_session_process_buf(ur->se, &buf);
	pthread_mutex_unlock(&q->serve_lock);
}

/* the replies other threads left for us */
static void queue_drain_done(struct hmfs_uring_queue *q)
{
	struct hmfs_uring_ent *ent;

	pthread_mutex_lock(&q->lock);
	ent = q->done;
	q->done = NULL;
	pthread_mutex_unlock(&q->lock);
	while (ent) {
		struct hmfs_uring_ent *next = ent->next;
		const struct fuse_out_header *out = (const void *)ent->hdr->in_out;

		ent_commit(ent, out->unique);
		ent = next;
	}
}

static void queue_cqe(struct hmfs_uring_queue *q, const struct io_uring_cqe *cqe)
{
	struct hmfs_uring_ent *ent = (void *)(uintptr_t)cqe->user_data;

	if (cqe->user_data == EFD_TAG) {
		queue_drain_done(q);
		if (!__atomic_load_n(&q->ur->stop, __ATOMIC_ACQUIRE))
			queue_arm_efd(q);
		return;
	}
	if (cqe->res < 0) {
		/* -ENOTCONN, -ECANCELED: the connection or the ring went away */
		if (cqe->res != -ENOTCONN && cqe->res != -ECANCELED)
			fuse_log(FUSE_LOG_ERR, "fuse io_uring queue %u: %s\n", q->qid,
				 strerror(-cqe->res));
		ent->dead = true;
		q->alive--;
		return;
	}
	ent_serve(ent);
}

static unsigned int queue_reap(struct hmfs_uring_queue *q)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(&q->ring, head, cqe) {
		queue_cqe(q, cqe);
		n++;
	}
	io_uring_cq_advance(&q->ring, n);
	return n;
}

static int queue_ring_init(struct hmfs_uring_queue *q)
{
	/* every entry has at most one command in flight, plus the eventfd's read */
	unsigned int slots = 2 * (q->ur->depth + 1);
	/*
	 * DEFER_TASKRUN: the kernel's hand-over (fuse_uring_send_in_task())
	 * runs when this thread waits for completions, not as an interrupt.
	 */
	static const unsigned int flags[] = {
		IORING_SETUP_SQE128 | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_SQE128,
	};
	int ret = -EINVAL;

	for (unsigned int i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		ret = io_uring_queue_init(slots, &q->ring, flags[i]);
		if (ret != -EINVAL)
			break;
	}
	return ret;
}

static void queue_pin(struct hmfs_uring_queue *q)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(q->qid, &set);
	/* an offline CPU's queue stays unpinned: it serves nobody until it comes up */
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* 1: register, -1: leave; tells hmfs_uring_start() how our set-up went */
static int queue_wait_go(struct hmfs_uring *ur, int err)
{
	int go;

	pthread_mutex_lock(&ur->lock);
	ur->set_up++;
	if (err && !ur->err)
		ur->err = err;
	pthread_cond_broadcast(&ur->cond);
	while (!ur->go)
		pthread_cond_wait(&ur->cond, &ur->lock);
	go = ur->go;
	pthread_mutex_unlock(&ur->lock);
	return go;
}

static void queue_registered(struct hmfs_uring *ur, int err)
{
	pthread_mutex_lock(&ur->lock);
	if (err && !ur->err) {
		ur->err = err;
		/* the kernel reset fc->io_uring: every request goes to /dev/fuse */
		devfuse(ur, "the kernel refused a queue's REGISTER");
		if (ur->required) {
			/* the loop sees it at its next request, which now comes through /dev/fuse */
			fuse_log(FUSE_LOG_ERR, "fuse: io_uring required but %s\n", ur->why);
			fuse_session_exit(ur->se);
		}
	}
	if (++ur->registered == ur->nr_queues && !ur->err)
		__atomic_store_n(&ur->state, UR_ACTIVE, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ur->lock);
}

static int queue_register(struct hmfs_uring_queue *q)
{
	int ret = 0;

	for (unsigned int i = 0; i < q->ur->depth && !ret; i++)
		ret = queue_cmd(q, &q->ents[i], FUSE_IO_URING_CMD_REGISTER, 0);
	if (!ret)
		queue_arm_efd(q);
	ret = io_uring_submit(&q->ring);
	if (ret < 0)
		return ret;
	/* a refused REGISTER completes at once */
	queue_reap(q);
	return q->alive == q->ur->depth ? 0 : -EIO;
}

static void *queue_thread(void *arg)
{
	struct hmfs_uring_queue *q = arg;
	struct hmfs_uring *ur = q->ur;
	sigset_t all;
	int ring_err, ret;

	/* no signal handler runs here: a server's signals are its other threads' business */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	queue_pin(q);
	ring_err = queue_ring_init(q);
	if (queue_wait_go(ur, ring_err) < 0)
		goto out;
	queue_registered(ur, queue_register(q));
	while (q->alive && !__atomic_load_n(&ur->stop, __ATOMIC_ACQUIRE)) {
		ret = io_uring_submit_and_wait(&q->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			fuse_log(FUSE_LOG_ERR, "fuse io_uring queue %u: %s\n", q->qid,
				 strerror(-ret));
			break;
		}
		queue_reap(q);
	}
out:
	if (!ring_err)
		io_uring_queue_exit(&q->ring);
	return NULL;
}

/* ---- setting up at INIT -------------------------------------------- */

static int queue_alloc(struct hmfs_uring_queue *q)
{
	struct hmfs_uring *ur = q->ur;
	size_t stride = ENT_ROOM + ur->payload_sz;

	/* first: queues_free() destroys them for every queue given its q->ur, whatever failed after */
	pthread_mutex_init(&q->lock, NULL);
	pthread_mutex_init(&q->serve_lock, NULL);
	q->efd = eventfd(0, EFD_CLOEXEC);
	if (q->efd < 0)
		return -errno;
	q->ents = calloc(ur->depth, sizeof(*q->ents));
	if (!q->ents)
		return -ENOMEM;
	q->mem_len = stride * ur->depth;
	q->mem = mmap(NULL, q->mem_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (q->mem == MAP_FAILED) {
		q->mem = NULL;
		return -errno;
	}
	for (unsigned int i = 0; i < ur->depth; i++) {
		struct hmfs_uring_ent *ent = &q->ents[i];

		ent->q = q;
		ent->hdr = (void *)(q->mem + i * stride);
		ent->payload = q->mem + i * stride + ENT_ROOM;
		ent->iov[0] = (struct iovec){ ent->hdr, sizeof(*ent->hdr) };
		ent->iov[1] = (struct iovec){ ent->payload, ur->payload_sz };
	}
	q->alive = ur->depth;
	return 0;
}

static void queues_free(struct hmfs_uring *ur)
{
	for (unsigned int i = 0; i < ur->nr_queues; i++) {
		struct hmfs_uring_queue *q = &ur->queues[i];

		/* q->ur: queue_alloc() ran (the queues after a failed one never did) */
		if (!q->ur)
			continue;
		if (q->mem)
			munmap(q->mem, q->mem_len);
		if (q->efd >= 0) /* 0 is a descriptor like any other */
			close(q->efd);
		pthread_mutex_destroy(&q->lock);
		pthread_mutex_destroy(&q->serve_lock);
		free(q->ents);
	}
	free(ur->queues);
	ur->queues = NULL;
	ur->nr_queues = 0;
}

static void queues_stop(struct hmfs_uring *ur)
{
	uint64_t one = 1;

	pthread_mutex_lock(&ur->lock);
	__atomic_store_n(&ur->stop, true, __ATOMIC_RELEASE);
	if (!ur->go)
		ur->go = -1;
	pthread_cond_broadcast(&ur->cond);
	pthread_mutex_unlock(&ur->lock);
	for (unsigned int i = 0; i < ur->nr_queues; i++) {
		struct hmfs_uring_queue *q = &ur->queues[i];

		if (!q->started)
			continue;
		if (write(q->efd, &one, sizeof(one)) < 0)
			fuse_log(FUSE_LOG_ERR, "fuse io_uring: eventfd: %s\n", strerror(errno));
		pthread_join(q->thread, NULL);
		q->started = false;
	}
}

/* the queues' memory and threads, each with its ring, before the INIT reply */
static int queues_make(struct hmfs_uring *ur, const struct fuse_init_out *out)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = out->flags & FUSE_MAX_PAGES ? out->max_pages : 32;
	size_t sz = FUSE_MIN_READ_BUFFER;
	unsigned int n, started = 0;
	int ret = 0;

	/* fuse_uring_create()'s max_payload_sz; FUSE_DEFAULT_MAX_PAGES_PER_REQ 32 */
	if (out->max_write > sz)
		sz = out->max_write;
	if (pages * (size_t)page > sz)
		sz = pages * (size_t)page;
	ur->payload_sz = (sz + (size_t)page - 1) / (size_t)page * (size_t)page;
	n = possible_cpus();
	/* nr_queues once they are there: ent_find() reads them whenever it is not 0 */
	ur->queues = calloc(n, sizeof(*ur->queues));
	if (!ur->queues)
		return -ENOMEM;
	ur->nr_queues = n;
	for (unsigned int i = 0; i < ur->nr_queues && !ret; i++) {
		struct hmfs_uring_queue *q = &ur->queues[i];

		q->ur = ur;
		q->qid = i;
		q->efd = -1;
		ret = queue_alloc(q);
		if (!ret)
			ret = -pthread_create(&q->thread, NULL, queue_thread, q);
		q->started = !ret;
		started += q->started;
	}
	/* wait for every thread we started to have its ring, or to have failed */
	pthread_mutex_lock(&ur->lock);
	while (ur->set_up < started)
		pthread_cond_wait(&ur->cond, &ur->lock);
	if (!ret)
		ret = ur->err;
	pthread_mutex_unlock(&ur->lock);
	if (ret) {
		queues_stop(ur);
		queues_free(ur);
	}
	return ret;
}

/* go (the INIT reply is written) or leave (it was not, or did not ask) */
static void queues_go(struct hmfs_uring *ur, bool go)
{
	if (!go) {
		queues_stop(ur);
		queues_free(ur);
		return;
	}
	pthread_mutex_lock(&ur->lock);
	ur->go = 1;
	pthread_cond_broadcast(&ur->cond);
	pthread_mutex_unlock(&ur->lock);
}

/* ---- the session's custom io --------------------------------------- */

ssize_t hmfs_uring_read(struct hmfs_uring *ur, int fd, void *buf, size_t len)
{
	ssize_t res = read(fd, buf, len);
	const struct fuse_in_header *in = buf;

	if (res >= (ssize_t)(sizeof(*in) + INIT_IN_MIN) && in->opcode == FUSE_INIT &&
	    __atomic_load_n(&ur->state, __ATOMIC_ACQUIRE) == UR_IDLE) {
		const struct fuse_init_in *arg = (const void *)(in + 1);
		uint64_t flags = arg->flags;

		if (flags & FUSE_INIT_EXT)
			flags |= (uint64_t)arg->flags2 << 32;
		ur->init_unique = in->unique;
		ur->offered = flags & FUSE_OVER_IO_URING;
	}
	return res;
}

/* the INIT reply: ask for io_uring in it when we can serve one */
static ssize_t init_reply(struct hmfs_uring *ur, int fd, struct iovec *iov, int count)
{
	struct fuse_init_out *out = count > 1 && iov[1].iov_len >= INIT_OUT_MIN ? iov[1].iov_base : NULL;
	const struct fuse_out_header *oh = iov[0].iov_base;
	bool go = false;
	ssize_t res;
	int ret;

	if (!ur->offered)
		devfuse(ur, "the kernel did not offer io_uring at INIT (fuse.enable_uring is N?)");
	else if (oh->error || !out || !(out->flags & FUSE_INIT_EXT))
		devfuse(ur, "INIT without flags2");
	else if ((ret = queues_make(ur, out))) {
		char why[128];

		snprintf(why, sizeof(why), "cannot set up the queues: %s", strerror(-ret));
		devfuse(ur, why);
	} else {
		out->flags2 |= (uint32_t)(FUSE_OVER_IO_URING >> 32);
		go = true;
	}
	if (ur->required && !go) {
		fuse_log(FUSE_LOG_ERR, "fuse: io_uring required but %s\n", ur->why);
		fuse_session_exit(ur->se);
	}
	res = writev(fd, iov, count);
	if (go)
		queues_go(ur, res >= 0);
	if (go && res < 0)
		devfuse(ur, "INIT reply failed");
	return res;
}

static struct hmfs_uring_ent *ent_find(struct hmfs_uring *ur, uint64_t unique)
{
	int cpu = sched_getcpu();
	unsigned int first = cpu > 0 ? (unsigned int)cpu % ur->nr_queues : 0;

	/*
	 * nr_queues x depth entries: the replying thread's CPU's queue first,
	 * where a request served without a hand-over is
	 */
	for (unsigned int k = 0; k < ur->nr_queues; k++) {
		struct hmfs_uring_queue *q = &ur->queues[(first + k) % ur->nr_queues];

		for (unsigned int j = 0; j < ur->depth; j++)
			if (__atomic_load_n(&q->ents[j].unique, __ATOMIC_ACQUIRE) == unique)
				return &q->ents[j];
	}
	return NULL;
}

/* @ent's reply goes: its room for a held reply, if it had it, is its queue's again */
static void ent_unhold(struct hmfs_uring_ent *ent)
{
	struct hmfs_uring_queue *q = ent->q;

	pthread_mutex_lock(&q->lock);
	if (ent->held) {
		ent->held = false;
		q->nr_held--;
	}
	pthread_mutex_unlock(&q->lock);
}

bool hmfs_uring_may_hold(struct hmfs_uring *ur, uint64_t unique)
{
	struct hmfs_uring_ent *ent;
	struct hmfs_uring_queue *q;
	bool room;

	/* not from the ring (/dev/fuse, or before it came up): no entry to keep */
	if (!ur || !unique || !ur->nr_queues || !(ent = ent_find(ur, unique)))
		return true;
	q = ent->q;
	pthread_mutex_lock(&q->lock);
	/* depth - 1: one entry always comes back to take a parked request */
	room = ent->held || q->nr_held + 1 < ur->depth;
	if (room && !ent->held) {
		ent->held = true;
		q->nr_held++;
	}
	pthread_mutex_unlock(&q->lock);
	if (!room)
		__atomic_add_fetch(&q->unheld, 1, __ATOMIC_RELAXED);
	return room;
}

/* the reply in @iov into @ent: fuse_out_header to the headers, the rest to the payload */
static ssize_t ent_reply(struct hmfs_uring_ent *ent, const struct iovec *iov, int count)
{
	struct hmfs_uring *ur = ent->q->ur;
	struct fuse_out_header *out = (void *)ent->hdr->in_out;
	size_t off = 0, len = 0;

	for (int i = 0; i < count; i++)
		len += iov[i].iov_len;
	if (len < sizeof(*out) || len - sizeof(*out) > ur->payload_sz)
		return -EINVAL;
	for (int i = 0; i < count; i++) {
		const char *p = iov[i].iov_base;
		size_t n = iov[i].iov_len;

		if (off < sizeof(*out)) {
			size_t h = n < sizeof(*out) - off ? n : sizeof(*out) - off;

			memcpy((char *)out + off, p, h);
			off += h;
			p += h;
			n -= h;
		}
		memcpy(ent->payload + (off - sizeof(*out)), p, n);
		off += n;
	}
	ent->hdr->ring_ent_in_out.payload_sz = (uint32_t)(len - sizeof(*out));
	return (ssize_t)len;
}

ssize_t hmfs_uring_writev(struct hmfs_uring *ur, int fd, struct iovec *iov, int count)
{
	const struct fuse_out_header *oh = iov[0].iov_base;
	struct hmfs_uring_ent *ent;
	struct hmfs_uring_queue *q;
	ssize_t res;

	if (iov[0].iov_len < sizeof(*oh))
		return writev(fd, iov, count);
	if (oh->unique && oh->unique == ur->init_unique &&
	    __atomic_load_n(&ur->state, __ATOMIC_ACQUIRE) == UR_IDLE)
		return init_reply(ur, fd, iov, count);
	/* notifications (unique 0) and what came through /dev/fuse go back there */
	if (!oh->unique || !ur->nr_queues || !(ent = ent_find(ur, oh->unique)))
		return writev(fd, iov, count);
	ent_unhold(ent);
	res = ent_reply(ent, iov, count);
	if (res < 0) {
		struct fuse_out_header *out = (void *)ent->hdr->in_out;

		*out = (struct fuse_out_header){ .len = sizeof(*out), .error = -EIO,
						 .unique = oh->unique };
		ent->hdr->ring_ent_in_out.payload_sz = 0;
	}
	__atomic_store_n(&ent->unique, 0, __ATOMIC_RELEASE);
	q = ent->q;
	if (pthread_equal(pthread_self(), q->thread)) {
		ent_commit(ent, oh->unique);
	} else {
		uint64_t one = 1;

		pthread_mutex_lock(&q->lock);
		ent->next = q->done;
		q->done = ent;
		pthread_mutex_unlock(&q->lock);
		/* libfuse's custom io: -1 with errno set, as writev(2) */
		if (write(q->efd, &one, sizeof(one)) < 0)
			return -1;
	}
	if (res < 0) {
		errno = (int)-res;
		return -1;
	}
	return res;
}

/* ---- state ---------------------------------------------------------- */

bool hmfs_uring_active(const struct hmfs_uring *ur)
{
	return ur && __atomic_load_n(&ur->state, __ATOMIC_ACQUIRE) == UR_ACTIVE;
}

bool hmfs_uring_refused(const struct hmfs_uring *ur)
{
	return ur && __atomic_load_n(&ur->state, __ATOMIC_ACQUIRE) == UR_DEVFUSE;
}

const char *hmfs_uring_describe(const struct hmfs_uring *ur, char *buf, size_t len)
{
	/* why is written before the state says /dev/fuse, and kept */
	int state = ur ? __atomic_load_n(&ur->state, __ATOMIC_ACQUIRE) : UR_DEVFUSE;

	if (state == UR_ACTIVE)
		snprintf(buf, len, "io_uring (%u queues of %u)", ur->nr_queues, ur->depth);
	else if (!ur)
		snprintf(buf, len, "/dev/fuse");
	else if (state == UR_IDLE)
		snprintf(buf, len, "/dev/fuse (io_uring asked for, not set up yet)");
	else
		snprintf(buf, len, "/dev/fuse (%s)", ur->why);
	return buf;
}

/* the queues' counter at @off (an atomic unsigned long long in each), summed */
static unsigned long long queues_sum(const struct hmfs_uring *ur, size_t off)
{
	unsigned long long n = 0;

	/* the queues are there for good once the ring is active */
	if (!hmfs_uring_active(ur))
		return 0;
	for (unsigned int i = 0; i < ur->nr_queues; i++)
		n += __atomic_load_n((const unsigned long long *)((const char *)&ur->queues[i] + off),
				     __ATOMIC_RELAXED);
	return n;
}

unsigned long long hmfs_uring_requests(const struct hmfs_uring *ur)
{
	return queues_sum(ur, offsetof(struct hmfs_uring_queue, requests));
}

unsigned long long hmfs_uring_unheld(const struct hmfs_uring *ur)
{
	return queues_sum(ur, offsetof(struct hmfs_uring_queue, unheld));
}

void hmfs_uring_hold(struct hmfs_uring *ur)
{
	/* nr_queues is the loop thread's (init_reply()), as is this call */
	for (unsigned int i = 0; ur && i < ur->nr_queues; i++) {
		struct hmfs_uring_queue *q = &ur->queues[i];

		pthread_mutex_lock(&q->serve_lock);
		q->held = true;
		pthread_mutex_unlock(&q->serve_lock);
	}
}

void hmfs_uring_destroy(struct hmfs_uring *ur)
{
	if (!ur)
		return;
	queues_stop(ur);
	queues_free(ur);
	pthread_cond_destroy(&ur->cond);
	pthread_mutex_destroy(&ur->lock);
	free(ur);
}
