// SPDX-License-Identifier: GPL-2.0
/*
 * The uevent wire format of lib/kobject_uevent.c: what the kernel sends
 * on NETLINK_KOBJECT_UEVENT and what hotmemd reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmuapi.h"

int hmu_uevent_format(const struct hmu_uevent *ue, char *buf, size_t len)
{
	size_t off = 0;
	int n;

#define PUT(...)                                                 \
	do {                                                     \
		n = snprintf(buf + off, len - off, __VA_ARGS__); \
		if (n < 0 || (size_t)n + 1 > len - off)          \
			return -ENOSPC;                          \
		off += (size_t)n + 1; /* keep the NUL */         \
	} while (0)

	PUT("%s@%s", ue->action, ue->devpath);
	PUT("ACTION=%s", ue->action);
	PUT("DEVPATH=%s", ue->devpath);
	PUT("SUBSYSTEM=%s", ue->subsystem);
	for (const char *const *e = ue->envp_ext; e && *e; e++)
		PUT("%s", *e);
	if (ue->seqnum)
		PUT("SEQNUM=%llu", ue->seqnum);
#undef PUT
	return (int)off;
}

static int copy_val(char *dst, size_t dlen, const char *src)
{
	if (strlen(src) >= dlen)
		return -EINVAL;
	strcpy(dst, src);
	return 0;
}

int hmu_uevent_parse(const char *buf, size_t len, struct hmu_uevent *ue)
{
	const char *p = buf, *end = buf + len;
	const char *at;
	int ret = 0;

	memset(ue, 0, sizeof(*ue));
	if (!len || len > HMU_UEVENT_BUFFER_SIZE || buf[len - 1] != '\0')
		return -EINVAL;
	at = strchr(p, '@');
	if (!at)
		return -EINVAL;
	for (p += strlen(p) + 1; p < end && !ret; p += strlen(p) + 1) {
		if (!strncmp(p, "ACTION=", 7))
			ret = copy_val(ue->action, sizeof(ue->action), p + 7);
		else if (!strncmp(p, "DEVPATH=", 8))
			ret = copy_val(ue->devpath, sizeof(ue->devpath), p + 8);
		else if (!strncmp(p, "SUBSYSTEM=", 10))
			ret = copy_val(ue->subsystem, sizeof(ue->subsystem), p + 10);
		else if (!strncmp(p, "SEQNUM=", 7))
			ue->seqnum = strtoull(p + 7, NULL, 10);
	}
	if (ret || !ue->action[0] || !ue->devpath[0])
		return -EINVAL;
	/* The header must agree with the keys, as hotmemd checks too. */
	if ((size_t)(at - buf) != strlen(ue->action) ||
	    strncmp(buf, ue->action, (size_t)(at - buf)) || strcmp(at + 1, ue->devpath))
		return -EINVAL;
	return 0;
}
