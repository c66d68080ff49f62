// SPDX-License-Identifier: GPL-2.0
/*
 * The sysctl handlers' number parsers (6.12 kernel/sysctl.c): what a
 * write to a /proc/sys/vm file takes -- hotmemfs's writes, and the
 * engine's boot applying sysctl.vm.NAME=VALUE command-line words
 * (do_sysctl_args() writes the value to the file), one parser for both.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hmuapi.h"

/* kernel/sysctl.c's TMPBUFLEN: a number and its sign fit in 21 characters */
#define SYSCTL_TMPBUFLEN 22

/* a sysctl write as its handler takes it (6.12 __do_proc_dointvec()): at most PAGE_SIZE - 1 */
static size_t sysctl_write_len(size_t count)
{
	return count < 4095 ? count : 4095;
}

/* proc_skip_spaces() (6.12 kernel/sysctl.c) */
static void proc_skip_spaces(const char **p, size_t *left)
{
	while (*left && isspace((unsigned char)**p)) {
		(*p)++;
		(*left)--;
	}
}

/*
 * proc_get_long() (6.12 kernel/sysctl.c) at *@p of the @left bytes left:
 * a number in any base (strtoul_lenient(), base 0), a '-' before it
 * (*@neg), ended by a space, tab, newline or the input's end; no digit,
 * an overflow or 21 characters is EINVAL.  *@p and *@left past it.
 */
static int proc_get_long(const char **p, size_t *left, unsigned long long *v, bool *neg)
{
	char tmp[SYSCTL_TMPBUFLEN], *s = tmp, *end;
	size_t len = *left < sizeof(tmp) - 1 ? *left : sizeof(tmp) - 1;

	memcpy(tmp, *p, len);
	tmp[len] = '\0';
	*neg = *s == '-' && *left > 1;
	if (*neg)
		s++;
	if (!*left || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	len = (size_t)(end - tmp);
	if (errno || len == sizeof(tmp) - 1)
		return -EINVAL;
	if (len < *left && !memchr(" \t\n", *end, 3))
		return -EINVAL;
	*p += len;
	*left -= len;
	return 0;
}

/*
 * __do_proc_doulongvec_minmax() (6.12 kernel/sysctl.c) writing one
 * unsigned long (proc_doulongvec_minmax(), and
 * proc_hugetlb_doulongvec_minmax() for the hugetlb handlers): spaces
 * skipped, proc_get_long(), a '-' EINVAL too ("err || neg"), then the
 * spaces after it skipped.  *@used: the bytes the write takes (*lenp -=
 * left), short of @count by what follows the number and its spaces --
 * `echo "5 6"` is answered 2, as on a 6.12.117 guest, and its "6\n" then
 * written at 2 is dropped (sysctl_writes_strict:
 * hmfs_attr_is_sysctl()); answering all of @count said the whole write
 * was taken (tests/fusefs/438).  Nothing but spaces is EINVAL ("first").
 */
int hmu_sysctl_get_ulong(const char *buf, size_t count, unsigned long long *v, size_t *used)
{
	size_t left = sysctl_write_len(count);
	bool neg;
	int ret;

	proc_skip_spaces(&buf, &left);
	if (!left)
		return -EINVAL;
	ret = proc_get_long(&buf, &left, v, &neg);
	if (ret || neg)
		return -EINVAL;
	proc_skip_spaces(&buf, &left);
	*used = count - left;
	return 0;
}

/*
 * __do_proc_dointvec() (6.12 kernel/sysctl.c) writing @n ints, each in
 * [@min, @max] as do_proc_dointvec_minmax_conv() checks it (an int's
 * range without bounds) and stored in @vals as it is read: the kernel's
 * stops at the first bad one, those before it stored.  *@used: the bytes
 * the write takes (*lenp), short of @count by what follows the last
 * number read and its spaces, or by the bad one -- `echo "5 6"` is
 * answered 2, and its "6\n" then written at 2 is dropped
 * (sysctl_writes_strict: hmfs_attr_is_sysctl()); all of @count when the
 * first is bad.  -EINVAL when the first is missing or bad, or a later
 * one is bad.  *@nr: how many were stored.
 */
int hmu_sysctl_get_ints_nr(const char *buf, size_t count, int *vals, size_t n, long long min,
			   long long max, size_t *used, size_t *nr)
{
	size_t left = sysctl_write_len(count), i;
	int err = 0;

	*used = count;
	*nr = 0;

	for (i = 0; left && i < n; i++) {
		unsigned long long v;
		long long sv;
		bool neg;

		proc_skip_spaces(&buf, &left);
		if (!left)
			break;
		err = proc_get_long(&buf, &left, &v, &neg);
		if (err)
			break;
		/* do_proc_dointvec_conv(): INT_MIN..INT_MAX */
		if (v > (neg ? (unsigned long long)INT_MAX + 1 : (unsigned long long)INT_MAX)) {
			err = -EINVAL;
			break;
		}
		sv = neg ? -(long long)v : (long long)v;
		if (sv < min || sv > max) {
			err = -EINVAL;
			break;
		}
		vals[i] = (int)sv;
	}
	*nr = i;
	if (!i)
		return err ? err : -EINVAL;
	if (!err)
		proc_skip_spaces(&buf, &left);
	*used = count - left;
	return err;
}

/* hmu_sysctl_get_ints_nr() for a handler that needs not know how many */
int hmu_sysctl_get_ints(const char *buf, size_t count, int *vals, size_t n, long long min,
			long long max, size_t *used)
{
	size_t nr;

	return hmu_sysctl_get_ints_nr(buf, count, vals, n, min, max, used, &nr);
}
