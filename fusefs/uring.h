/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FUSE over io_uring for a libfuse 3.14 low-level session (the kernel's
 * fs/fuse/dev_uring.c, 6.14+; followed here as of 6.18).  See uring.c.
 * hotmemfs --io-uring (fs.c) and fuse_floor -u use it.
 */
#ifndef HMFS_URING_H
#define HMFS_URING_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct hmfs_uring;

/*
 * Serves one request taken from a ring entry; it must reply exactly once
 * (from any thread) through the session, as fuse_session_process_buf()
 * does.  @buf is valid until that reply.
 */
typedef void (*hmfs_uring_process_fn)(void *arg, const struct fuse_buf *buf);

/*
 * Can this kernel serve FUSE over io_uring to a server that asks?  0 when
 * fuse's enable_uring parameter is Y; else -EOPNOTSUPP (no parameter: a
 * kernel before 6.14 or without CONFIG_FUSE_IO_URING) or -EPERM (N), with
 * the reason in @why.
 */
int hmfs_uring_check(char *why, size_t len);

/*
 * A transport for @se, mounted and not yet serving; @required: the
 * session exits when the kernel does not take io_uring at INIT (else it
 * stays on /dev/fuse, and hmfs_uring_describe() says why); @process (NULL:
 * fuse_session_process_buf()) serves ring requests, @depth entries per
 * queue.  The caller then gives the session a fuse_custom_io
 * (fuse_session_custom_io() on fuse_session_fd()) whose read and writev
 * call hmfs_uring_read() and hmfs_uring_writev(): libfuse hands those the
 * session's userdata, which is the caller's, so the caller wraps them.
 */
struct hmfs_uring *hmfs_uring_new(struct fuse_session *se, bool required,
				  unsigned int depth, hmfs_uring_process_fn process, void *arg);
ssize_t hmfs_uring_read(struct hmfs_uring *ur, int fd, void *buf, size_t len);
ssize_t hmfs_uring_writev(struct hmfs_uring *ur, int fd, struct iovec *iov, int count);

/* serving through the ring (every queue registered); false: /dev/fuse */
bool hmfs_uring_active(const struct hmfs_uring *ur);
/* asked for and not served: the kernel refused it (at INIT, or a queue's REGISTER) */
bool hmfs_uring_refused(const struct hmfs_uring *ur);
/*
 * what the transport is, for logs and status: "io_uring (2 queues of 64)",
 * "/dev/fuse", "/dev/fuse (why not io_uring)"
 */
const char *hmfs_uring_describe(const struct hmfs_uring *ur, char *buf, size_t len);
/* requests served through the ring so far */
unsigned long long hmfs_uring_requests(const struct hmfs_uring *ur);

/*
 * May the reply to request @unique be held back for a while (hotmemfs
 * holds a write's reply until its notifier is done, events.c)?  true: from
 * now until that reply it counts against its ring queue, which lets at
 * most depth - 1 of its entries be held at once (uring.c says why); false:
 * the queue has no room, reply at once.  A request that did not come
 * through the ring (unique 0 or unknown: /dev/fuse) may always be held.
 * From the thread that will reply, before it does.
 */
bool hmfs_uring_may_hold(struct hmfs_uring *ur, uint64_t unique);
/* replies hmfs_uring_may_hold() refused so far */
unsigned long long hmfs_uring_unheld(const struct hmfs_uring *ur);

/*
 * From now on the requests the ring brings are left unanswered, to be
 * ended by the unmount (as /dev/fuse's are once nobody reads it); returns
 * once no @process call runs.  Replies to earlier ones still go out.
 * From the thread that runs the session loop.
 */
void hmfs_uring_hold(struct hmfs_uring *ur);

/* stop the queue threads (after the session loop ended) and free */
void hmfs_uring_destroy(struct hmfs_uring *ur);

#endif
