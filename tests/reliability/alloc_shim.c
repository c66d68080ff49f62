// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim: one allocation of hotmemfs fails with ENOMEM on
 * demand, so that a save or a copy under memory pressure is certain
 * instead of a guess at which allocation runs out (the engine's
 * `hotmemctl fail-nth-alloc` reaches only the engine's own).  Built by
 * the test (tests/fusefs/lib.sh require_preload_shim), preloaded into an
 * unsanitized hotmemfs only: a sanitizer's own allocator would not see
 * the memory this one hands out.  One shim for calloc(), realloc() and
 * malloc(): they differ only in which call is the one.
 *
 *   HOTMEM_TEST_ALLOC_FAIL=PATH  PATH holds "FUNC NTH A [B] [times=K]":
 *                                the NTH call of FUNC (1: the first) after
 *                                PATH appears whose arguments match fails,
 *                                and the K-1 matching ones after it (K: 1),
 *                                then PATH is removed; each matching call
 *                                counts NTH, then K, down in PATH.
 *     calloc NTH NMEMB SIZE      calloc(NMEMB, SIZE)
 *     realloc NTH SIZE OLDMAX    realloc(p, SIZE) of a p (not NULL) whose
 *                                usable size is at most OLDMAX: a growth
 *     malloc NTH SIZE            malloc(SIZE)
 *   "*" for an argument matches any value.
 *
 * Users: the tests that load it, `grep -rl alloc_shim tests --include='*.t'`
 * (a list here went stale: nineteen by 2026-12-04 20:40, tests/fusefs/248
 * the realloc one; tests/reliability/state-nomem-*.t sweep a change's
 * allocations of one size, failing each in turn).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_calloc(size_t nmemb, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_malloc(size_t size);

/* PATH's read and rewrite, one thread at a time: a count down is never lost */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct request {
	char func[8];
	unsigned long nth, times;
	const char *arg[2]; /* into the buffer read; NULL: not given */
};

/* @tok is a number, *@v; nothing here allocates (strtoul()) */
static bool number(const char *tok, unsigned long *v)
{
	char *end;

	*v = strtoul(tok, &end, 10);
	return end != tok && !*end;
}

/* "*", or the number @v */
static bool arg_is(const char *tok, unsigned long v)
{
	unsigned long n;

	return tok && (!strcmp(tok, "*") || (number(tok, &n) && n == v));
}

/* PATH's words into @r (@buf holds them); false: no request */
static bool request_read(const char *path, char *buf, size_t len, struct request *r)
{
	char *save, *tok;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	memset(r, 0, sizeof(*r));
	tok = strtok_r(buf, " \t\n", &save);
	if (!tok || strlen(tok) >= sizeof(r->func))
		return false;
	strcpy(r->func, tok);
	tok = strtok_r(NULL, " \t\n", &save);
	r->nth = tok ? strtoul(tok, NULL, 10) : 0;
	r->times = 1;
	for (int i = 0; (tok = strtok_r(NULL, " \t\n", &save));) {
		if (!strncmp(tok, "times=", 6))
			r->times = strtoul(tok + 6, NULL, 10);
		else if (i < 2)
			r->arg[i++] = tok;
	}
	return r->nth > 0 && r->times > 0 && r->arg[0];
}

/* PATH's request with NTH, or past it K, one less (its arguments as they were) */
static void request_count_down(const char *path, const struct request *r)
{
	char line[128];
	int fd, len;

	len = snprintf(line, sizeof(line), "%s %lu %s %s times=%lu\n", r->func,
		       r->nth > 1 ? r->nth - 1 : 1, r->arg[0], r->arg[1] ? r->arg[1] : "",
		       r->nth > 1 ? r->times : r->times - 1);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)!write(fd, line, (size_t)len);
	close(fd);
}

/*
 * Whether this call of @func, its arguments @a and @b (@b_is: whether
 * PATH's second argument names @b), is the one to fail: PATH taken if so
 */
static bool fails(const char *func, unsigned long a, unsigned long b,
		  bool (*b_is)(const char *, unsigned long))
{
	const char *path = getenv("HOTMEM_TEST_ALLOC_FAIL");
	struct request r;
	char buf[128];
	bool ret = false;

	if (!path)
		return false;
	pthread_mutex_lock(&lock);
	if (!request_read(path, buf, sizeof(buf), &r) || strcmp(r.func, func) ||
	    !arg_is(r.arg[0], a) || !b_is(r.arg[1], b))
		goto out;
	ret = r.nth == 1;
	if (r.nth > 1 || r.times > 1)
		request_count_down(path, &r);
	else
		ret = !unlink(path);
out:
	pthread_mutex_unlock(&lock);
	if (ret)
		errno = ENOMEM;
	return ret;
}

/* realloc's OLDMAX: "*", or @usable (the block's usable size) at most the number */
static bool at_most(const char *tok, unsigned long usable)
{
	unsigned long n;

	return tok && (!strcmp(tok, "*") || (number(tok, &n) && usable <= n));
}

/* malloc() has one argument: nothing to match */
static bool none(const char *tok, unsigned long v)
{
	(void)v;
	return !tok;
}

void *calloc(size_t nmemb, size_t size)
{
	return fails("calloc", nmemb, size, arg_is) ? NULL : __libc_calloc(nmemb, size);
}

void *realloc(void *p, size_t size)
{
	if (p && fails("realloc", size, malloc_usable_size(p), at_most))
		return NULL;
	return __libc_realloc(p, size);
}

void *malloc(size_t size)
{
	return fails("malloc", size, 0, none) ? NULL : __libc_malloc(size);
}
