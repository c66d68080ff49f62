// SPDX-License-Identifier: GPL-2.0
/*
 * kernfs's and the bitmap library's little helpers for sysfs files: the
 * write buffer, node lists, read slices.  The kernel's parsers behind the
 * stores (kstrto*, sysfs_streq, online types) are engine/uapi's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "sysfs_parse.h"

void hmfs_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";

	/*
	 * The largest unit that says @bytes exactly, whole or with one
	 * decimal ("1.5G"): a rounded "1.0G" for 1088M hid what a device's
	 * requested and plugged sizes differ by
	 */
	for (int u = 6; u > 0; u--) {
		const uint64_t unit = 1ULL << (10 * u), rem = bytes % unit;

		if (bytes < unit)
			continue;
		if (!rem) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), units[u]);
			return;
		}
		if (!(rem * 10 % unit)) {
			snprintf(buf, len, "%llu.%llu%c", (unsigned long long)(bytes / unit),
				 (unsigned long long)(rem * 10 / unit), units[u]);
			return;
		}
	}
	snprintf(buf, len, "%lluB", (unsigned long long)bytes);
}

size_t hmfs_write_buf(char *dst, const char *src, size_t len)
{
	if (len > HMFS_PAGE_SIZE)
		len = HMFS_PAGE_SIZE;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

int hmfs_nodelist(const unsigned char *mask, int nbits, char *buf, size_t len)
{
	size_t off = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < nbits) {
		int start, end;

		if (!(mask[i / 8] & (1u << (i % 8)))) {
			i++;
			continue;
		}
		start = i;
		while (i + 1 < nbits && (mask[(i + 1) / 8] & (1u << ((i + 1) % 8))))
			i++;
		end = i++;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%d", off ? "," : "",
				start);
		if (end > start)
			off += snprintf(buf + off, off < len ? len - off : 0, "-%d", end);
	}
	off += snprintf(buf + off, off < len ? len - off : 0, "\n");
	return (int)off;
}

int hmfs_bitmap_hex(const unsigned char *mask, int nbits, char *buf, size_t len)
{
	int chunksz = nbits % 32 ? nbits % 32 : 32;
	size_t off = 0;

	buf[0] = '\0';
	for (int i = (nbits + 31) / 32 * 32 - 32; i >= 0; i -= 32, chunksz = 32) {
		uint32_t val = 0;

		for (int b = 0; b < chunksz; b++)
			if (mask[(i + b) / 8] & (1u << ((i + b) % 8)))
				val |= 1u << b;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%0*x", i + 32 < nbits ? "," : "",
				(chunksz + 3) / 4, val);
	}
	off += snprintf(buf + off, off < len ? len - off : 0, "\n");
	return (int)off;
}

int hmfs_cpulist_parse(const char *s, unsigned char *mask, int nbits)
{
	int highest = -1;

	memset(mask, 0, (size_t)(nbits + 7) / 8);
	while (*s && *s != '\n') {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		a = b = strtoul(s, &end, 10);
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b)
			return -EINVAL;
		if (b >= (unsigned long)nbits)
			return -ERANGE;
		for (unsigned long i = a; i <= b; i++)
			mask[i / 8] |= (unsigned char)(1u << (i % 8));
		highest = highest > (int)b ? highest : (int)b;
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return highest;
}

/* lib/string.c strstrip(): leading and trailing whitespace */
static char *strstrip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/*
 * match_token(word, {"swappiness=%d", "swappiness=max"}) and match_int():
 * %d is simple_strtol() and must end the word, then kstrtoll() must take
 * it whole and it must fit an int
 */
static int swappiness_word(const char *w, int *swappiness)
{
	static const char pfx[] = "swappiness=";
	const char *from = w + sizeof(pfx) - 1, *to;
	long long v;

	if (strncmp(w, pfx, sizeof(pfx) - 1))
		return -EINVAL;
	hmu_simple_strtoull(from + (*from == '-'), &to, 0); /* simple_strtol()'s end */
	if (to != from && !*to) {
		if (hmu_kstrtoll(from, 0, &v) || v < INT_MIN || v > INT_MAX)
			return -EINVAL;
		*swappiness = (int)v;
		return v < 0 || v > 200 ? -EINVAL : 0; /* MIN_SWAPPINESS, MAX_SWAPPINESS */
	}
	if (!strcmp(from, "max")) {
		*swappiness = HMFS_SWAPPINESS_ANON_ONLY;
		return 0;
	}
	return -EINVAL;
}

int hmfs_reclaim_parse(char *buf, uint64_t *bytes, int *swappiness)
{
	const char *end;
	char *start;

	*swappiness = -1;
	buf = strstrip(buf);
	*bytes = hmu_memparse_end(buf, &end);
	if (end == buf)
		return -EINVAL;
	buf = strstrip(buf + (end - buf));
	while ((start = strsep(&buf, " ")) != NULL) {
		if (*start && swappiness_word(start, swappiness))
			return -EINVAL;
	}
	return 0;
}

size_t hmfs_slice(const char *content, size_t clen, off_t off, size_t size, const char **out)
{
	if (off < 0 || (size_t)off >= clen) {
		*out = content;
		return 0;
	}
	*out = content + off;
	if (size > clen - (size_t)off)
		size = clen - (size_t)off;
	return size;
}

/* uuid_is_valid(): 8-4-4-4-12 hex digits */
#define UUID_STRING_LEN 36
static bool synth_uuid_is_valid(const char *s)
{
	for (int i = 0; i < UUID_STRING_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static int synth_env_add(char *env, size_t size, size_t *len, const char *fmt, int n1,
			 const char *s1, int n2, const char *s2)
{
	int n = snprintf(env + *len, size - *len, fmt, n1, s1, n2, s2);

	if (n < 0 || (size_t)n + 1 > size - *len)
		return -ENOMEM; /* add_uevent_var(): "too many keys"/"buffer size too small" */
	*len += (size_t)n + 1;
	return 0;
}

/* action_arg_word_end(): alphanumerics up to @delim, at least one */
static const char *synth_word_end(const char *buf, const char *buf_end, char delim)
{
	const char *next = buf;

	while (next <= buf_end && *next != delim)
		if (!isalnum((unsigned char)*next++))
			return NULL;
	return next == buf ? NULL : next;
}

/* kobject_action_args() */
static int synth_action_args(const char *buf, size_t count, char *env, size_t size, size_t *len)
{
	const char *next, *buf_end, *key;
	int key_len;

	if (count && (buf[count - 1] == '\n' || buf[count - 1] == '\0'))
		count--;
	if (!count)
		return -EINVAL;
	if (count < UUID_STRING_LEN || !synth_uuid_is_valid(buf) ||
	    synth_env_add(env, size, len, "SYNTH_UUID=%.*s%.*s", UUID_STRING_LEN, buf, 0, ""))
		return -EINVAL;
	next = buf + UUID_STRING_LEN;
	buf_end = buf + count - 1;
	while (next <= buf_end) {
		if (*next != ' ')
			return -EINVAL;
		key = ++next;
		if (key > buf_end)
			return -EINVAL;
		buf = next;
		next = synth_word_end(buf, buf_end, '=');
		if (!next || next > buf_end || *next != '=')
			return -EINVAL;
		key_len = (int)(next - buf);
		if (++next > buf_end)
			return -EINVAL;
		buf = next;
		next = synth_word_end(buf, buf_end, ' ');
		if (!next)
			return -EINVAL;
		if (synth_env_add(env, size, len, "SYNTH_ARG_%.*s=%.*s", key_len, key,
				  (int)(next - buf), buf))
			return -EINVAL;
	}
	return 0;
}

int hmfs_synth_uevent_action(const char *buf, size_t count, const char **args)
{
	size_t n = count, first;
	int action;

	*args = NULL;
	/* kobject_action_type(): one trailing newline or NUL only */
	if (n && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	if (!n)
		return -EINVAL;
	*args = memchr(buf, ' ', n);
	first = *args ? (size_t)(*args - buf) : n;
	action = hmu_kobject_action_type(buf, first);
	return action < 0 ? -EINVAL : action;
}

int hmfs_synth_uevent_parse(const char *buf, size_t count, char *env, size_t env_size,
			    size_t *env_len)
{
	const char *args;
	int action, ret;

	*env_len = 0;
	action = hmfs_synth_uevent_action(buf, count, &args);
	if (action < 0)
		return -EINVAL;
	if (!args) {
		ret = synth_env_add(env, env_size, env_len, "SYNTH_UUID=0%.*s%.*s", 0, "", 0, "");
		return ret ? ret : action;
	}
	args++;
	/* the arguments keep the write's own trailing newline: count, not n */
	ret = synth_action_args(args, count - (size_t)(args - buf), env, env_size, env_len);
	return ret ? ret : action;
}
