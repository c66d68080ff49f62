// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for state-iattr-enomem.t: one calloc() of hotmemfs
 * fails with ENOMEM on demand, so that a save under memory pressure is
 * certain instead of a guess at which allocation runs out.  Built by the
 * test (cc), preloaded into an unsanitized hotmemfs only: a sanitizer's
 * own calloc() would not see the memory this one hands out.
 *
 *   HOTMEM_TEST_CALLOC_FAIL=PATH  PATH holds "NMEMB SIZE": the first
 *                                 calloc(NMEMB, SIZE) after it appears
 *                                 fails and PATH is removed (once)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void *__libc_calloc(size_t nmemb, size_t size);

/* PATH names this calloc(); no allocation here: open() and read() only */
static int asked(const char *path, size_t nmemb, size_t size)
{
	char buf[64];
	unsigned long n = 0, s = 0;
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	return sscanf(buf, "%lu %lu", &n, &s) == 2 && n == nmemb && s == size;
}

void *calloc(size_t nmemb, size_t size)
{
	const char *path = getenv("HOTMEM_TEST_CALLOC_FAIL");

	/* unlink(): one thread's call fails, whoever else asks meanwhile */
	if (path && asked(path, nmemb, size) && !unlink(path)) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(nmemb, size);
}
