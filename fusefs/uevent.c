// SPDX-License-Identifier: GPL-2.0
/*
 * uevents for emulated memory blocks.
 *
 * Netlink: we do not multicast from user space, because udev's monitor
 * drops kernel-group messages whose sender port id is not 0.  Instead we
 * use the kernel's own uevent injection (lib/kobject_uevent.c,
 * uevent_net_rcv_skb(), Linux 4.18+): a message sent *to* the kernel on
 * NETLINK_KOBJECT_UEVENT is re-broadcast by the kernel to group 1 of that
 * network namespace with port id 0 and a SEQNUM appended, so
 * `udevadm monitor --kernel` and hotmemd see a kernel event.  That is why
 * this must only ever happen in a private network namespace: in the
 * host's, the real udevd would act on fake memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netns_owner.h"
#include "uevent.h"

int hmfs_netns_is_initial(int ns_fd)
{
	struct stat a, b;

	if (fstat(ns_fd, &a) || stat("/proc/1/ns/net", &b))
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Where no user namespace can be made: a network namespace owned by the
 * initial user namespace, as `ip netns add` makes.  Called before any
 * thread exists: unshare() moves only the calling thread, and we move it
 * back.
 */
static int bind_initial_netns(const char *path)
{
	int self, err = 0;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0) {
		err = -errno;
		goto out;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		err = -errno;
	if (setns(self, CLONE_NEWNET) < 0 && !err)
		err = -errno;
out:
	close(self);
	return err;
}

/*
 * A new network namespace at @path, an nsfs bind mount as `ip netns add
 * NAME` leaves, so that listeners join it with `ip netns exec NAME ...`.
 * Its owner is a user namespace of its own (netns_owner.c): owned by the
 * initial one, the kernel would broadcast the host's untagged uevents
 * into it, the host's memory blocks' among them (usereye7 #12).  We stay
 * in our user and network namespaces; the mount holds the namespace.
 */
static int create_netns(const char *path)
{
	const char *step;
	char src[32];
	int fd, ns, err = 0;

	mkdir("/run/netns", 0755);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	close(fd);
	ns = hmfs_owned_netns_open(&step);
	if (ns >= 0) {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", ns);
		if (mount(src, path, "none", MS_BIND, NULL) < 0)
			err = -errno;
		close(ns);
	} else {
		err = errno;
		fprintf(stderr,
			"hotmemfs: warning: no user namespace of its own for the network namespace %s (%s: %s%s):\n"
			"hotmemfs: warning: the host's own uevents arrive in it too, its memory blocks' (memoryN, named as the emulated ones) among them\n",
			path, step, strerror(err), hmfs_owned_netns_hint(err));
		err = bind_initial_netns(path);
	}
	if (err)
		unlink(path);
	return err;
}

/* Is @fd a namespace file (nsfs), not the empty file a bind mount covers? */
static bool is_nsfs(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && sfs.f_type == NSFS_MAGIC;
}

/*
 * /run/netns/NAME without its bind mount: the mount lived in a mount
 * namespace that is gone (hotmemfs or `ip netns add` under unshare -m), and
 * the empty file stayed.  `ip netns exec NAME` fails on it with EINVAL.
 */
static bool is_orphan(int fd)
{
	struct stat st;

	return !is_nsfs(fd) && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size == 0;
}

static int open_netns(struct hmfs_uevent_sink *s, const char *netns, const char **note)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, err;

	*note = "";
	if (!netns)
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (strchr(netns, '/'))
		return open(netns, O_RDONLY | O_CLOEXEC);
	if (snprintf(path, sizeof(path), "/run/netns/%s", netns) >= (int)sizeof(path) ||
	    strlen(path) >= sizeof(s->created)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !is_orphan(fd))
		return fd;
	if (fd >= 0) {
		/* what `ip netns delete` would leave: the name, free again */
		close(fd);
		if (unlink(path))
			return -1;
		*note = " (created: the old entry was an orphan of a mount namespace that is gone)";
	} else if (errno != ENOENT) {
		return -1;
	} else {
		*note = " (created)";
	}
	err = create_netns(path);
	if (err) {
		errno = -err;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st)) {
		strcpy(s->created, path);
		s->created_ino = st.st_ino;
	}
	return fd;
}

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A namespace made by `ip netns add` or `unshare -n` has only "lo". */
static bool only_loopback(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	bool lo_only = true;

	if (!ifs)
		return false;
	for (i = ifs; i->if_index; i++)
		if (strcmp(i->if_name, "lo"))
			lo_only = false;
	if_freenameindex(ifs);
	return lo_only;
}

/*
 * One hotmemfs a --netns namespace: a second one's uevents, of another
 * machine, reached the same listeners, and a hotmemd there onlined one
 * machine's memoryN for the other's ADD (usereye8 #10; memoryN names no
 * machine).  The claim is an abstract unix socket, whose names are per
 * network namespace and go with the last process holding it (kill -9
 * too): a second bind() there gets EADDRINUSE, and a connect() the
 * first's pid (SO_PEERCRED; 0 when it is in another PID namespace).
 * Called inside the namespace: with --netns and when we inject into the
 * one we were started in (`ip netns exec NS hotmemfs`, unshare -n), as
 * both reach the same listeners (finalK K2).  The holder accepts and
 * closes each such connect() (claim_answer()): unaccepted, they filled
 * its listen queue and from the 6th refusal on connect() failed and the
 * pid went unnamed (finalK K1).
 */
#define NETNS_CLAIM "hotmemfs-uevents"

/* claim @name's address: an abstract unix socket, per network namespace */
static socklen_t claim_addr(struct sockaddr_un *sa, const char *name)
{
	size_t len = strnlen(name, sizeof(sa->sun_path) - 1);

	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	memcpy(sa->sun_path + 1, name, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

/*
 * A connection to claim @name's holder, its pid in @pid (SO_PEERCRED, set
 * at its listen(): 0 when it is in another PID namespace); -errno
 */
static int claim_connect(const char *name, long *pid)
{
	struct sockaddr_un sa;
	socklen_t len = claim_addr(&sa, name);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen)) {
		err = -errno;
		close(fd);
		return err;
	}
	*pid = cred.pid;
	return fd;
}

/* claim @name's holder: its pid, 0 if not visible from here, -1 if none answers */
static long claim_holder(const char *name)
{
	long pid = -1;
	int fd = claim_connect(name, &pid);

	if (fd < 0)
		return -1;
	close(fd);
	return pid;
}

/*
 * Claim @name: its listener's fd (non-blocking, claim_answer() accepts);
 * -EADDRINUSE when another hotmemfs has it, its pid in @holder when
 * asked for (claim_holder())
 */
static int claim_take(const char *name, long *holder)
{
	struct sockaddr_un sa;
	socklen_t len = claim_addr(&sa, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err;

	if (fd < 0)
		return -errno;
	if (!bind(fd, (struct sockaddr *)&sa, len) && !listen(fd, 16))
		return fd;
	err = -errno;
	close(fd);
	if (err == -EADDRINUSE && holder)
		*holder = claim_holder(name);
	return err;
}

/* "the hotmemfs with pid N": a claim's holder (or sharer) as a message names it */
static const char *hotmemfs_words(long pid, char *buf, size_t size)
{
	if (pid > 0)
		snprintf(buf, size, "the hotmemfs with pid %ld", pid);
	else
		snprintf(buf, size, "%s", pid == 0 ? "a hotmemfs in another PID namespace" :
						     "another hotmemfs");
	return buf;
}

/*
 * A --uevent-socket PATH's claim (usereye9): a second hotmemfs sending to
 * the same listener, which then gets both machines' uevents mixed, is
 * told so -- not refused (a listener may want two machines).  The claim
 * is --netns's (claim_take()) under a name made of PATH made absolute,
 * its directory through realpath() (which exists when the socket does
 * not yet), FNV-1a of that: not the socket's inode, as a hotmemfs started
 * before the listener binds PATH and one started after must meet on the
 * same name (finalF #3), and a restarted listener has a new inode.
 * Abstract names are per network namespace: two hotmemfs in two
 * namespaces sharing a path are not seen.
 */
static void path_claim_name(const char *path, char *name, size_t size)
{
	unsigned long long h = 1469598103934665603ULL;
	char dir[PATH_MAX], abs[2 * PATH_MAX + 2], real[PATH_MAX];
	const char *base = strrchr(path, '/');

	if (base) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
		if (!dir[0])
			strcpy(dir, "/");
		base++;
	} else {
		strcpy(dir, ".");
		base = path;
	}
	if (realpath(dir, real))
		snprintf(abs, sizeof(abs), "%s/%s", real, base);
	else if (path[0] != '/' && getcwd(real, sizeof(real)))
		snprintf(abs, sizeof(abs), "%s/%s", real, path);
	else
		snprintf(abs, sizeof(abs), "%s", path);
	for (const char *p = abs; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(name, size, "hotmemfs-uevent-socket:%016llx", h);
}

/* -u path @i shared with @nr other hotmemfs, @pid one of them (status reads it) */
static void shared_set(struct hmfs_uevent_sink *s, int i, unsigned int nr, long pid)
{
	__atomic_store_n(&s->shared_pid[i], pid, __ATOMIC_RELAXED);
	__atomic_store_n(&s->shared_nr[i], nr, __ATOMIC_RELEASE);
}

static void say_shared(const struct hmfs_uevent_sink *s, int i, long pid)
{
	char who[48];

	fprintf(stderr,
		"hotmemfs: warning: --uevent-socket %s: %s sends its uevents there too: the listener gets both machines' uevents, mixed\n",
		s->paths[i], hotmemfs_words(pid, who, sizeof(who)));
}

/*
 * Claim -u path @i (at add_path, and in claim_answer() when its holder
 * went): held, its listener in path_claim_fd[i], or another hotmemfs
 * holds it: then our connection to it stays open in path_holder_fd[i],
 * so that each of the two sees the other go (POLLHUP) and both say the
 * sharing (reread17 A: the first one did not know).  A claim that fails
 * otherwise (no memory) is no claim, as --netns's.
 */
static void path_claim(struct hmfs_uevent_sink *s, int i)
{
	long pid = -1;

	for (int tries = 0; tries < 100; tries++) {
		int fd = claim_take(s->claim_name[i], NULL);

		if (fd >= 0) {
			s->path_claim_fd[i] = fd;
			return;
		}
		if (fd != -EADDRINUSE)
			return;
		fd = claim_connect(s->claim_name[i], &pid);
		if (fd >= 0 && pid == getpid()) {
			close(fd); /* -u PATH twice: our own claim, no other hotmemfs */
			return;
		}
		if (fd >= 0) {
			s->path_holder_fd[i] = fd;
			/* said before status shows it: a status reader then finds the line */
			say_shared(s, i, pid);
			shared_set(s, i, 1, pid);
			return;
		}
		/* its holder between bind() and listen(), or just gone: again */
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	}
}

/* a hotmemfs connected to our claim of -u path @path: shares it with us */
struct claim_peer {
	int fd, path;
	long pid;
};

/*
 * The sharers: as many as connect (reread18-fusefs2 F6: at a fixed 32 the
 * holder closed the 33rd's connection at once, which took it for the
 * holder gone, claimed again, connected again, and looped logging two
 * lines a turn), grown here with the poll array; *@cap their room.  False
 * without memory.
 */
static bool peers_room(struct claim_peer **peers, struct pollfd **p, int nr, int *cap,
		       int nr_fixed)
{
	int n = *cap ? 2 * *cap : 8;
	struct claim_peer *more;
	struct pollfd *pmore;

	if (nr < *cap)
		return true;
	more = realloc(*peers, (size_t)n * sizeof(*more));
	if (!more)
		return false;
	*peers = more;
	pmore = realloc(*p, (size_t)(nr_fixed + n) * sizeof(*pmore));
	if (!pmore)
		return false;
	*p = pmore;
	*cap = n;
	return true;
}

static void peer_accept(struct hmfs_uevent_sink *s, int i, struct claim_peer **peers,
			struct pollfd **p, int *nr, int *cap)
{
	struct ucred cred = { .pid = -1 };
	socklen_t clen = sizeof(cred);
	int fd = accept4(s->path_claim_fd[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
			nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		return;
	}
	/*
	 * ourselves (-u PATH twice, path_claim()): no other hotmemfs; no
	 * memory for one more: closed, and the sharer, which finds us still
	 * holding it, tries again quietly (holder_gone())
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.pid == getpid() ||
	    !peers_room(peers, p, *nr, cap, 2 + 2 * s->nr_paths)) {
		close(fd);
		return;
	}
	(*peers)[(*nr)++] = (struct claim_peer){ .fd = fd, .path = i, .pid = cred.pid };
	say_shared(s, i, cred.pid);
	shared_set(s, i, s->shared_nr[i] + 1, cred.pid);
}

/* peer @j closed its connection: it stopped (or was killed) */
static void peer_gone(struct hmfs_uevent_sink *s, struct claim_peer *peers, int *nr, int j)
{
	int i = peers[j].path;
	long other = -1;
	char who[48];

	close(peers[j].fd);
	fprintf(stderr, "hotmemfs: --uevent-socket %s: %s no longer sends there\n", s->paths[i],
		hotmemfs_words(peers[j].pid, who, sizeof(who)));
	peers[j] = peers[--*nr];
	for (int k = 0; k < *nr; k++)
		if (peers[k].path == i)
			other = peers[k].pid;
	shared_set(s, i, s->shared_nr[i] - 1, other);
}

/*
 * Our connection to the hotmemfs holding -u path @i's claim closed: it
 * went, and we claim it again (ours now, or a third's), saying so; or it
 * is still there and closed ours alone (an older hotmemfs's 33rd sharer,
 * its lack of memory): connected again, quietly and not at once, not a
 * loop of log lines (reread18-fusefs2 F6)
 */
static void holder_gone(struct hmfs_uevent_sink *s, int i)
{
	long was = s->shared_pid[i], pid = -1;
	char who[48];
	int fd;

	close(s->path_holder_fd[i]);
	s->path_holder_fd[i] = -1;
	fd = claim_connect(s->claim_name[i], &pid);
	/* the same holder (pid 0: one in another PID namespace, as before) */
	if (fd >= 0 && pid == was) {
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		s->path_holder_fd[i] = fd;
		return;
	}
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "hotmemfs: --uevent-socket %s: %s no longer sends there\n", s->paths[i],
		hotmemfs_words(was, who, sizeof(who)));
	/*
	 * the claim taken again (ours, or a third's found: path_claim() says
	 * that one) before status says no sharer: a hotmemfs started once it
	 * says so finds the claim held, never takes it itself before ours
	 * (reread19 R5: tests/fusefs/224's third hotmemfs)
	 */
	path_claim(s, i);
	if (s->path_holder_fd[i] < 0)
		shared_set(s, i, 0, -1);
}

/*
 * The claims' thread.  A refused hotmemfs connect()s to the --netns claim
 * only to read our pid (SO_PEERCRED, set at connect()), so each such
 * connection is closed at once; one sharing a -u path stays connected
 * while it runs (peer_accept(), peer_gone()), as ours to the holder of a
 * path we share (holder_gone()).  It waits in poll(), not in accept(): a
 * blocked accept4() holds the lowest free descriptor reserved (the
 * kernel's __sys_accept4() takes it before it waits), and at a
 * descriptor limit the control socket's accept got EMFILE for good
 * (tests/reliability/unsaved.t).  The listeners are non-blocking
 * (claim_take()).  hmfs_uevent_sink_close() ends it through claim_stop_fd.
 */
static void *claim_answer(void *arg)
{
	struct hmfs_uevent_sink *s = arg;
	struct claim_peer *peers = NULL;
	struct pollfd *p = malloc((2 + 2 * HMFS_MAX_UEVENT_SOCKETS) * sizeof(*p));
	int nr_peers = 0, cap = 0;

	if (!p)
		return NULL;
	for (;;) {
		int n = 0, polled_peers = nr_peers, fd;

		p[n++] = (struct pollfd){ .fd = s->claim_stop_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->ns_lock_fd, .events = POLLIN };
		for (int i = 0; i < s->nr_paths; i++) {
			p[n++] = (struct pollfd){ .fd = s->path_claim_fd[i], .events = POLLIN };
			p[n++] = (struct pollfd){ .fd = s->path_holder_fd[i], .events = POLLIN };
		}
		for (int j = 0; j < nr_peers; j++)
			p[n++] = (struct pollfd){ .fd = peers[j].fd, .events = POLLIN };
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break; /* we are stopping */
		/* the peers first, last to first: peer_gone() moves the last into its place */
		for (int j = polled_peers - 1; j >= 0; j--)
			if (p[2 + 2 * s->nr_paths + j].revents)
				peer_gone(s, peers, &nr_peers, j);
		if (p[1].revents & POLLIN) {
			fd = accept4(s->ns_lock_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				close(fd);
			else if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
				 errno == ENOBUFS)
				nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		}
		for (int i = 0; i < s->nr_paths; i++) {
			if (p[2 + 2 * i].revents & POLLIN)
				peer_accept(s, i, &peers, &p, &nr_peers, &cap);
			if (p[3 + 2 * i].revents)
				holder_gone(s, i);
		}
	}
	for (int j = 0; j < nr_peers; j++)
		close(peers[j].fd);
	free(peers);
	free(p);
	return NULL;
}

/* Create the socket inside @ns_fd's namespace; a socket keeps its netns. */
static int nl_socket_in(int ns_fd, bool *lo_only, int *claim, long *holder)
{
	int self, fd, err;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		err = -errno;
		goto out;
	}
	*claim = claim_take(NETNS_CLAIM, holder);
	fd = nl_socket(); /* a claim that failed otherwise (no memory): no claim, as before */
	*lo_only = only_loopback();
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Cannot go home: the control socket is path-based, carry on. */
		fprintf(stderr,
			"hotmemfs: warning: cannot return to the original network namespace: %m\n");
	}
	err = fd;
out:
	close(self);
	return err;
}

/*
 * A --netns namespace we did not create is the user's to keep as it is;
 * owned by the initial user namespace, the host's untagged uevents reach
 * its listeners too (create_netns()): say so once.
 */
static void note_initial_owner(int ns_fd, const char *netns)
{
	if (hmfs_netns_owned_by_initial(ns_fd) != 1)
		return;
	fprintf(stderr,
		"hotmemfs: note: --netns %s is owned by the initial user namespace: the host's own uevents, its memory blocks' (memoryN, named as the emulated ones) among them, reach its listeners too; a name hotmemfs creates gets a user namespace of its own\n",
		netns);
}

/* nl_status for main.c's "--netns NAME: ": who has the namespace already (fits nl_status) */
static void claim_refused(struct hmfs_uevent_sink *s, long holder, bool inherited)
{
	char who[48];

	snprintf(s->nl_status, sizeof(s->nl_status),
		 "its uevents go to %s already, whose memoryN a listener cannot tell from ours: %s",
		 hotmemfs_words(holder, who, sizeof(who)),
		 inherited ? "start this one in another network namespace" : "choose another --netns");
}

int hmfs_uevent_sink_init(struct hmfs_uevent_sink *s, const char *netns)
{
	int ns_fd, initial, err = 0, claim = -1;
	bool lo_only = false;
	const char *note;
	long holder = -1;

	memset(s, 0, sizeof(*s));
	s->nl_fd = s->ns_lock_fd = s->claim_stop_fd = -1;
	for (int i = 0; i < HMFS_MAX_UEVENT_SOCKETS; i++)
		s->path_claim_fd[i] = s->path_holder_fd[i] = -1;
	pthread_mutex_init(&s->backlog_lock, NULL);
	pthread_cond_init(&s->backlog_cond, NULL);
	s->dgram_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	/* "none", as for --state: no netlink uevents (a namespace of that name: a path) */
	if (netns && !strcmp(netns, "none")) {
		snprintf(s->nl_status, sizeof(s->nl_status), "off: --netns none");
		return 0;
	}
	/*
	 * With --netns a failure here refuses the start, and main.c prints
	 * nl_status after "--netns NAME: ": say what is wrong, without the
	 * status line's "off: " (usereye7 #11a).
	 */
	if (netns && !*netns) {
		snprintf(s->nl_status, sizeof(s->nl_status),
			 "expects a name (/run/netns/NAME), a path or none, not an empty string");
		return -EINVAL;
	}
	ns_fd = open_netns(s, netns, &note);
	if (ns_fd < 0) {
		err = -errno;
		snprintf(s->nl_status, sizeof(s->nl_status), "%scannot open network namespace %s: %s",
			 netns ? "" : "off: ", netns ? netns : "/proc/self/ns/net", strerror(errno));
		return err;
	}
	if (netns && !is_nsfs(ns_fd)) {
		snprintf(s->nl_status, sizeof(s->nl_status),
			 "%s is not a network namespace (a name in /run/netns, or a path such as /proc/PID/ns/net)",
			 netns);
		err = -EINVAL;
		goto out;
	}
	/*
	 * 1: pid 1's namespace, refuse.  <0: cannot tell (pid 1 belongs to
	 * someone else, as in containers): accept only a namespace with no
	 * interface but lo, which the host's never is.
	 */
	initial = hmfs_netns_is_initial(ns_fd);
	if (initial == 1) {
		snprintf(
			s->nl_status, sizeof(s->nl_status),
			"off: %s is the host's network namespace (use --netns NAME or start under unshare -n)",
			netns ? netns : "our network namespace");
		goto out;
	}
	if (netns) {
		s->nl_fd = nl_socket_in(ns_fd, &lo_only, &claim, &holder);
	} else {
		claim = claim_take(NETNS_CLAIM, &holder);
		s->nl_fd = nl_socket();
		lo_only = only_loopback();
	}
	if (claim == -EADDRINUSE) {
		if (s->nl_fd >= 0)
			close(s->nl_fd);
		s->nl_fd = -1;
		claim_refused(s, holder, !netns);
		err = -EADDRINUSE;
		goto out;
	}
	if (s->nl_fd < 0) {
		err = s->nl_fd;
		s->nl_fd = -1;
		snprintf(s->nl_status, sizeof(s->nl_status), "%snetlink socket: %s",
			 netns ? "" : "off: ", strerror(-err));
		goto out;
	}
	if (initial < 0 && !lo_only) {
		close(s->nl_fd);
		s->nl_fd = -1;
		snprintf(
			s->nl_status, sizeof(s->nl_status),
			"off: cannot tell whether %s is the host's network namespace (/proc/1/ns/net: %s) and it has interfaces besides lo",
			netns ? netns : "our network namespace", strerror(-initial));
		goto out;
	}
	/* held while we inject; a claim that failed otherwise (no memory): none, as before */
	s->ns_lock_fd = claim >= 0 ? claim : -1;
	claim = -1;
	if (netns && !*note)
		note_initial_owner(ns_fd, netns);
	snprintf(s->nl_status, sizeof(s->nl_status), "on: private network namespace %s%s",
		 netns ? netns : "(inherited)", note);
out:
	if (claim >= 0)
		close(claim);
	close(ns_fd);
	return err;
}

int hmfs_uevent_sink_add_path(struct hmfs_uevent_sink *s, const char *path)
{
	if (s->nr_paths >= HMFS_MAX_UEVENT_SOCKETS)
		return -E2BIG;
	if (strlen(path) >= sizeof(s->paths[0]))
		return -ENAMETOOLONG;
	/* its backlog, empty: backlog_add() appends at the tail, backlog_pop() puts it back */
	s->backlog_tail[s->nr_paths] = &s->backlog[s->nr_paths];
	strcpy(s->paths[s->nr_paths], path);
	path_claim_name(path, s->claim_name[s->nr_paths], sizeof(s->claim_name[0]));
	path_claim(s, s->nr_paths++);
	return 0;
}

/* Send to the kernel and wait for its ack: EPERM etc. come back here. */
static int nl_inject(int fd, const char *payload, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr hdr = {
		.nlmsg_len = NLMSG_LENGTH(len),
		.nlmsg_type = NLMSG_MIN_TYPE, /* below it is control, skipped */
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
		.msg_iov = iov,
		.msg_iovlen = 2,
	};
	char ack[256];
	ssize_t n;

	if (sendmsg(fd, &msg, 0) < 0)
		return -errno;
	n = recv(fd, ack, sizeof(ack), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		struct nlmsghdr *h = (struct nlmsghdr *)ack;
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_type == NLMSG_ERROR)
			return e->error;
	}
	return 0;
}

/*
 * The Unix transport (contract: docs/hotmemd.md).  A datagram socket's
 * queue holds net.unix.max_dgram_qlen datagrams, 10 by default: a
 * netlink listener's receive buffer holds thousands of uevents (udevd's
 * and hotmemd's ask for megabytes), and the kernel's broadcast never
 * waits for a reader.  A big plug's ADDs came faster than a listener
 * could take them while its own sysfs write waited for that plug's
 * hotplug lock; hotmemfs gave it 200 ms and dropped the rest (usereye5
 * #12: 5 of every big virtio-mem grow).  Now what a full queue does not
 * take waits here, in order, as it would in a netlink socket's buffer,
 * and the flusher thread sends it as the listener reads: the notifier
 * thread never waits.  Dropped still, and counted: a datagram nobody
 * listens for (no socket at the path), and one past
 * HMFS_UEVENT_BACKLOG_MAX unread (the listener stopped reading: netlink's
 * ENOBUFS overrun, unix_overflowed).
 */
struct hmfs_dgram {
	struct hmfs_dgram *next;
	size_t len;
	char data[];
};

/* 0 sent, -EAGAIN the listener's queue is full, else dropped (nobody listens); backlog_lock held */
static int dgram_send(struct hmfs_uevent_sink *s, int i, const char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	strcpy(sa.sun_path, s->paths[i]);
	if (sendto(s->dgram_fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa)) >= 0) {
		__atomic_fetch_add(&s->unix_sent, 1, __ATOMIC_RELAXED);
		return 0;
	}
	err = errno;
	if (err == EAGAIN || err == EWOULDBLOCK)
		return -EAGAIN;
	__atomic_fetch_add(&s->unix_dropped, 1, __ATOMIC_RELAXED);
	return -err;
}

/* the head of listener @i's backlog let go; backlog_lock held */
static void backlog_pop(struct hmfs_uevent_sink *s, int i)
{
	struct hmfs_dgram *d = s->backlog[i];

	s->backlog[i] = d->next;
	if (!s->backlog[i])
		s->backlog_tail[i] = &s->backlog[i];
	s->nr_backlog[i]--;
	free(d);
}

/* send what listener @i's queue takes now; true if some is left for later.  backlog_lock held */
static bool backlog_flush(struct hmfs_uevent_sink *s, int i, bool *progress)
{
	while (s->backlog[i]) {
		int r = dgram_send(s, i, s->backlog[i]->data, s->backlog[i]->len);

		if (r == -EAGAIN)
			return true;
		*progress = true;
		backlog_pop(s, i);
		/* nobody listens any more: the rest is nobody's either */
		while (r && s->backlog[i]) {
			__atomic_fetch_add(&s->unix_dropped, 1, __ATOMIC_RELAXED);
			backlog_pop(s, i);
		}
	}
	return false;
}

/*
 * Sends the backlogs as listeners read: a datagram socket tells no
 * sender that its reader made room, so it tries again, every
 * millisecond while one reads, less often (up to 64 ms) while none does.
 */
static void *backlog_flusher(void *arg)
{
	struct hmfs_uevent_sink *s = arg;
	unsigned int delay_ms = 1;

	pthread_mutex_lock(&s->backlog_lock);
	while (!s->flusher_stop) {
		bool left = false, progress = false;

		for (int i = 0; i < s->nr_paths; i++)
			left |= backlog_flush(s, i, &progress);
		if (!left) {
			delay_ms = 1;
			pthread_cond_wait(&s->backlog_cond, &s->backlog_lock);
			continue;
		}
		delay_ms = progress ? 1 : delay_ms < 64 ? delay_ms * 2 : 64;
		pthread_mutex_unlock(&s->backlog_lock);
		nanosleep(&(struct timespec){ .tv_nsec = delay_ms * 1000000L }, NULL);
		pthread_mutex_lock(&s->backlog_lock);
	}
	pthread_mutex_unlock(&s->backlog_lock);
	return NULL;
}

/* keep @buf for listener @i, whose queue is full; backlog_lock held */
static void backlog_add(struct hmfs_uevent_sink *s, int i, const char *buf, size_t len)
{
	struct hmfs_dgram *d;

	if (s->nr_backlog[i] >= HMFS_UEVENT_BACKLOG_MAX || !(d = malloc(sizeof(*d) + len))) {
		__atomic_fetch_add(&s->unix_overflowed, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->unix_dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	d->next = NULL;
	d->len = len;
	memcpy(d->data, buf, len);
	*s->backlog_tail[i] = d;
	s->backlog_tail[i] = &d->next;
	s->nr_backlog[i]++;
	pthread_cond_signal(&s->backlog_cond);
}

/* a claim to answer for, or a holder of one to watch: claim_answer()'s work */
static bool claims_held(const struct hmfs_uevent_sink *s)
{
	bool any = s->ns_lock_fd >= 0;

	for (int i = 0; i < s->nr_paths; i++)
		any |= s->path_claim_fd[i] >= 0 || s->path_holder_fd[i] >= 0;
	return any;
}

/*
 * The flusher, started once with the -u listeners known, not lazily under
 * backlog_lock at the first full queue, where a failed pthread_create()
 * went unsaid and was tried again at every datagram (finalB B5, as the
 * virtio-mem retry timer's thread: 7d7c510).  0, or -errno.
 */
int hmfs_uevent_sink_start(struct hmfs_uevent_sink *s)
{
	int ret;

	if (!s->claim_started && claims_held(s)) {
		s->claim_stop_fd = eventfd(0, EFD_CLOEXEC);
		if (s->claim_stop_fd < 0)
			return -errno;
		ret = pthread_create(&s->claim_thread, NULL, claim_answer, s);
		if (ret)
			return -ret;
		s->claim_started = true;
	}
	if (!s->nr_paths || s->flusher_started)
		return 0;
	ret = pthread_create(&s->flusher, NULL, backlog_flusher, s);
	s->flusher_started = !ret;
	return -ret;
}

static void unix_send(struct hmfs_uevent_sink *s, const char *buf, size_t len)
{
	pthread_mutex_lock(&s->backlog_lock);
	for (int i = 0; i < s->nr_paths; i++) {
		/* behind what waits already: in order */
		if (!s->backlog[i] && dgram_send(s, i, buf, len) != -EAGAIN)
			continue;
		backlog_add(s, i, buf, len);
	}
	pthread_mutex_unlock(&s->backlog_lock);
}

unsigned long long hmfs_uevent_sink_seqnum_next(struct hmfs_uevent_sink *s)
{
	return __atomic_add_fetch(&s->seqnum, 1, __ATOMIC_RELAXED);
}

/*
 * The notifier thread's.  It numbers nothing: a plain ++ here raced with
 * the writers that read the counter to size their room check (reread
 * review R1), and a number taken at sending could not be the one the
 * check had counted.
 */
void hmfs_uevent_sink_send(struct hmfs_uevent_sink *s, struct hmu_uevent *ue)
{
	char buf[HMU_UEVENT_BUFFER_SIZE];
	unsigned long long seq = ue->seqnum;
	int len;

	if (s->nl_fd >= 0) {
		/* The kernel appends its own SEQNUM. */
		ue->seqnum = 0;
		len = hmu_uevent_format(ue, buf, sizeof(buf));
		if (len > 0 && nl_inject(s->nl_fd, buf, (size_t)len) == 0)
			__atomic_fetch_add(&s->nl_sent, 1, __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&s->nl_errors, 1, __ATOMIC_RELAXED);
	}
	if (s->nr_paths && s->dgram_fd >= 0) {
		ue->seqnum = seq;
		len = hmu_uevent_format(ue, buf, sizeof(buf));
		if (len > 0)
			unix_send(s, buf, (size_t)len);
	}
}

/* 1: @other's mount namespace is ours, 0: it is not, <0: cannot tell */
static int same_mnt_ns(const char *other)
{
	struct stat a, b;

	if (stat("/proc/self/ns/mnt", &a) || stat(other, &b))
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Does our mount namespace die with us: not pid 1's, or, where pid 1's
 * cannot be looked at (containers), not the one we were started from?
 * If unsure: no.
 */
static bool private_mount_ns(void)
{
	char parent[64];
	int r = same_mnt_ns("/proc/1/ns/mnt");

	if (r >= 0)
		return !r;
	snprintf(parent, sizeof(parent), "/proc/%d/ns/mnt", (int)getppid());
	return same_mnt_ns(parent) == 0;
}

/*
 * A /run/netns entry we created outlives us in pid 1's mount namespace, as
 * `ip netns add` does.  In a private one its bind mount goes with the
 * namespace and only the empty file would stay: remove it while it is ours.
 */
static void forget_created_netns(struct hmfs_uevent_sink *s)
{
	struct stat st;

	if (!s->created[0] || !private_mount_ns())
		return;
	if (!stat(s->created, &st) && st.st_ino == s->created_ino &&
	    !umount2(s->created, MNT_DETACH))
		unlink(s->created);
	s->created[0] = '\0';
}

/* the flusher stopped; what listeners never took is dropped */
static void backlog_stop(struct hmfs_uevent_sink *s)
{
	pthread_mutex_lock(&s->backlog_lock);
	s->flusher_stop = true;
	pthread_cond_signal(&s->backlog_cond);
	pthread_mutex_unlock(&s->backlog_lock);
	if (s->flusher_started)
		pthread_join(s->flusher, NULL);
	s->flusher_started = false;
	for (int i = 0; i < s->nr_paths; i++)
		while (s->backlog[i]) {
			__atomic_fetch_add(&s->unix_dropped, 1, __ATOMIC_RELAXED);
			backlog_pop(s, i);
		}
}

unsigned int hmfs_uevent_sink_held(struct hmfs_uevent_sink *s, int i)
{
	unsigned int n;

	pthread_mutex_lock(&s->backlog_lock);
	n = s->nr_backlog[i];
	pthread_mutex_unlock(&s->backlog_lock);
	return n;
}

void hmfs_uevent_sink_close(struct hmfs_uevent_sink *s)
{
	backlog_stop(s);
	forget_created_netns(s);
	if (s->nl_fd >= 0)
		close(s->nl_fd);
	if (s->dgram_fd >= 0)
		close(s->dgram_fd);
	if (s->claim_started) {
		eventfd_write(s->claim_stop_fd, 1);
		pthread_join(s->claim_thread, NULL);
		s->claim_started = false;
	}
	if (s->ns_lock_fd >= 0)
		close(s->ns_lock_fd);
	if (s->claim_stop_fd >= 0)
		close(s->claim_stop_fd);
	for (int i = 0; i < s->nr_paths; i++) {
		if (s->path_claim_fd[i] >= 0)
			close(s->path_claim_fd[i]);
		if (s->path_holder_fd[i] >= 0)
			close(s->path_holder_fd[i]);
		s->path_claim_fd[i] = s->path_holder_fd[i] = -1;
	}
	s->nl_fd = s->dgram_fd = s->ns_lock_fd = s->claim_stop_fd = -1;
	/*
	 * hmfs_uevent_sink_init()'s, in reverse: the flusher is joined
	 * (backlog_stop()) and hotmemfs's teardown sends nothing after this.
	 * A sink never initialised is all zeroes, PTHREAD_MUTEX_INITIALIZER's
	 * and PTHREAD_COND_INITIALIZER's, which backlog_stop() took already.
	 */
	pthread_cond_destroy(&s->backlog_cond);
	pthread_mutex_destroy(&s->backlog_lock);
}
