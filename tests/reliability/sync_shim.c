// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for the state file's tests: the syncs of hotmemfs's
 * journal and state file made slow, failing or held on demand, so that
 * what group commit, compaction and the undo of an unsaved change do is
 * certain instead of a race with the disk.
 *
 *   HOTMEM_TEST_SYNC_DELAY_US=N   sleep N us in each fdatasync() (the journal's group commit)
 *   HOTMEM_TEST_SYNC_FAIL=PATH    fail each fdatasync() with EIO while PATH exists
 *   HOTMEM_TEST_SYNC_HOLD=PATH    fdatasync() waits while PATH exists, PATH.held meanwhile
 *   HOTMEM_TEST_FSYNC_HOLD=PATH   fsync() of a regular file (the state file's and a new
 *                                 journal's) waits while PATH exists, PATH.held meanwhile
 *   HOTMEM_TEST_DIRSYNC=PATH      fsync() of a directory takes the first character of
 *                                 PATH's text away: 'x' fails it with EIO, anything else
 *                                 (or PATH absent or empty) lets it through
 *   HOTMEM_TEST_TRUNC_FAIL=PATH   fail each ftruncate() with EIO while PATH exists (the
 *                                 journal's cuts)
 *   HOTMEM_TEST_UNLINK_FAIL=SUFFIX  fail each unlinkat() of a name ending in SUFFIX with EIO
 *   HOTMEM_TEST_RENAME_FAIL=SUFFIX  fail each renameat() from a name ending in SUFFIX with
 *                                 EIO (the state file's --fresh asides removed, put back)
 *   HOTMEM_TEST_JOURNAL_WRITE_FAIL=PATH
 *                                 fail each pwrite() into a file named *.journal with EIO
 *                                 while PATH exists (a record's write; the engine's pwrite()s
 *                                 of its memfd go through); each takes the first character
 *                                 of PATH's text away: a 'w' has that pwrite() write its
 *                                 bytes whole before it fails (a disk that reports EIO
 *                                 after the copy), a 'p' lets it through
 *   HOTMEM_TEST_JOURNAL_WRITE_HOLD=PATH
 *                                 each pwrite() into a file named *.journal waits
 *                                 while PATH exists, PATH.held meanwhile: its writer
 *                                 holds journal_lock there (a record's journal_put(),
 *                                 tests/reliability/state-review-ratio-total.t)
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_hold.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static bool trunc_fails(void)
{
	const char *fail = getenv("HOTMEM_TEST_TRUNC_FAIL");

	if (!fail || access(fail, F_OK))
		return false;
	errno = EIO;
	return true;
}

/* hotmemfs is built with _FILE_OFFSET_BITS=64: it calls ftruncate64 */
int ftruncate64(int fd, off_t length)
{
	static int (*next)(int, off_t);

	if (!next)
		next = (int (*)(int, off_t))real("ftruncate64");
	return trunc_fails() ? -1 : next(fd, length);
}

int ftruncate(int fd, off_t length)
{
	static int (*next)(int, off_t);

	if (!next)
		next = (int (*)(int, off_t))real("ftruncate");
	return trunc_fails() ? -1 : next(fd, length);
}

static char take_char(const char *path);

/* how a pwrite() into the journal fails */
enum write_fail {
	WRITE_THROUGH, /* it does not */
	WRITE_NONE,    /* nothing written */
	WRITE_WHOLE,   /* written whole, then EIO */
};

/* @fd is open on a file named *.journal */
static bool is_journal(int fd)
{
	static const char suffix[] = ".journal";
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	return n >= (ssize_t)sizeof(suffix) - 1 &&
	       !memcmp(path + n - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1);
}

/* a record's write into the journal, to fail (HOTMEM_TEST_JOURNAL_WRITE_FAIL) */
static enum write_fail journal_write_fails(int fd)
{
	const char *fail = getenv("HOTMEM_TEST_JOURNAL_WRITE_FAIL");
	const char *hold = getenv("HOTMEM_TEST_JOURNAL_WRITE_HOLD");

	if (hold && !access(hold, F_OK) && is_journal(fd))
		shim_hold(hold);
	if (!fail || access(fail, F_OK) || !is_journal(fd))
		return WRITE_THROUGH;
	switch (take_char(fail)) {
	case 'w':
		return WRITE_WHOLE;
	case 'p':
		return WRITE_THROUGH;
	default:
		return WRITE_NONE;
	}
}

/* @next's pwrite() of @fd, or its failure as HOTMEM_TEST_JOURNAL_WRITE_FAIL says */
static ssize_t shim_pwrite(ssize_t (*next)(int, const void *, size_t, off_t), int fd,
			   const void *buf, size_t count, off_t offset)
{
	switch (journal_write_fails(fd)) {
	case WRITE_THROUGH:
		return next(fd, buf, count, offset);
	case WRITE_WHOLE:
		(void)next(fd, buf, count, offset);
		break;
	case WRITE_NONE:
		break;
	}
	errno = EIO;
	return -1;
}

/* hotmemfs is built with _FILE_OFFSET_BITS=64: it calls pwrite64 */
ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
	static ssize_t (*next)(int, const void *, size_t, off_t);

	if (!next)
		next = (ssize_t (*)(int, const void *, size_t, off_t))real("pwrite64");
	return shim_pwrite(next, fd, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	static ssize_t (*next)(int, const void *, size_t, off_t);

	if (!next)
		next = (ssize_t (*)(int, const void *, size_t, off_t))real("pwrite");
	return shim_pwrite(next, fd, buf, count, offset);
}

/* the next character of @path's text, taken away (0: none) */
static char take_char(const char *path)
{
	char buf[256], c = 0;
	ssize_t n;
	int fd;

	pthread_mutex_lock(&lock);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			c = buf[0];
			(void)!pwrite(fd, buf + 1, (size_t)n - 1, 0);
			(void)!((int (*)(int, off_t))real("ftruncate"))(fd, n - 1);
		}
		close(fd);
	}
	pthread_mutex_unlock(&lock);
	return c;
}

int fdatasync(int fd)
{
	static int (*next)(int);
	const char *delay = getenv("HOTMEM_TEST_SYNC_DELAY_US");
	const char *fail = getenv("HOTMEM_TEST_SYNC_FAIL");
	const char *held = getenv("HOTMEM_TEST_SYNC_HOLD");

	if (!next)
		next = (int (*)(int))real("fdatasync");
	if (held)
		shim_hold(held);
	if (delay)
		usleep((useconds_t)strtoul(delay, NULL, 10));
	if (fail && !access(fail, F_OK)) {
		errno = EIO;
		return -1;
	}
	return next(fd);
}

int fsync(int fd)
{
	static int (*next)(int);
	const char *dirsync = getenv("HOTMEM_TEST_DIRSYNC");
	const char *held = getenv("HOTMEM_TEST_FSYNC_HOLD");
	struct stat st;

	if (!next)
		next = (int (*)(int))real("fsync");
	if (fstat(fd, &st))
		return next(fd);
	if (S_ISDIR(st.st_mode) && dirsync && take_char(dirsync) == 'x') {
		errno = EIO;
		return -1;
	}
	if (S_ISREG(st.st_mode) && held)
		shim_hold(held);
	return next(fd);
}

/* @name ends in the suffix the environment variable @var names: errno EIO then */
static bool name_fails(const char *var, const char *name)
{
	const char *suffix = getenv(var);
	size_t n = strlen(name), k;

	if (!suffix || !suffix[0])
		return false;
	k = strlen(suffix);
	if (n < k || strcmp(name + n - k, suffix))
		return false;
	errno = EIO;
	return true;
}

int unlinkat(int dirfd, const char *name, int flags)
{
	static int (*next)(int, const char *, int);

	if (!next)
		next = (int (*)(int, const char *, int))real("unlinkat");
	return name_fails("HOTMEM_TEST_UNLINK_FAIL", name) ? -1 : next(dirfd, name, flags);
}

int renameat(int olddirfd, const char *from, int newdirfd, const char *to)
{
	static int (*next)(int, const char *, int, const char *);

	if (!next)
		next = (int (*)(int, const char *, int, const char *))real("renameat");
	return name_fails("HOTMEM_TEST_RENAME_FAIL", from) ? -1 : next(olddirfd, from, newdirfd, to);
}
