// SPDX-License-Identifier: MIT
/*
 * uevent_send: send kernel-format memory-block uevents, as the kernel or
 * hotmemfs would, for hotmemd's tests and benchmark.
 *
 *   uevent_send --unix PATH ACTION ID|FIRST-LAST...
 *   uevent_send --netlink ACTION ID|FIRST-LAST...   (group 1 of *this*
 *       network namespace: run it under `unshare -n` only)
 *   uevent_send --unix PATH --raw STRING            (\0 written as |)
 *
 * SEQNUM: pid * 100000 on, one more each uevent; after --seq N (before
 * ACTION), N on: one sender numbering its uevents across runs, as hotmemd
 * wants a sender to (daemon/missed.c: a gap is a uevent lost).
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int open_target(const char *unix_path, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	struct sockaddr_nl *snl = (struct sockaddr_nl *)ss;

	memset(ss, 0, sizeof(*ss));
	if (unix_path) {
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", unix_path);
		*sl = sizeof(*sun);
		return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	snl->nl_family = AF_NETLINK;
	snl->nl_groups = 1;
	*sl = sizeof(*snl);
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
}

static int send_buf(int fd, const char *buf, size_t len, const struct sockaddr_storage *ss,
		    socklen_t sl)
{
	/* a full receive queue blocks us: back-pressure, not loss */
	while (sendto(fd, buf, len, 0, (const struct sockaddr *)ss, sl) < 0) {
		if (errno == EINTR)
			continue;
		perror("uevent_send: sendto");
		return -1;
	}
	return 0;
}

static int send_one(int fd, const char *action, unsigned long id, unsigned long long seq,
		    const struct sockaddr_storage *ss, socklen_t sl)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "%s@/devices/system/memory/memory%lu%c"
		     "ACTION=%s%cDEVPATH=/devices/system/memory/memory%lu%c"
		     "SUBSYSTEM=memory%cSEQNUM=%llu%c",
		     action, id, 0, action, 0, id, 0, 0, seq, 0);
	return send_buf(fd, buf, n, ss, sl);
}

int main(int argc, char **argv)
{
	const char *unix_path = NULL, *action;
	struct sockaddr_storage ss;
	unsigned long long seq = getpid() * 100000ull;
	unsigned long a, b, id;
	socklen_t sl;
	char *end;
	int i = 1, fd;

	if (argc > 2 && !strcmp(argv[1], "--unix")) {
		unix_path = argv[2];
		i = 3;
	} else if (argc > 1 && !strcmp(argv[1], "--netlink")) {
		i = 2;
	}
	if (argc - i > 1 && !strcmp(argv[i], "--seq")) {
		seq = strtoull(argv[i + 1], &end, 10);
		if (*end || !seq) {
			fprintf(stderr, "uevent_send: --seq wants a number from 1, got '%s'\n",
				argv[i + 1]);
			return 2;
		}
		i += 2;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: uevent_send --unix PATH|--netlink [--seq N] ACTION ID|A-B...\n"
				"       uevent_send --unix PATH|--netlink --raw 'A@B|K=V|'\n");
		return 2;
	}
	fd = open_target(unix_path, &ss, &sl);
	if (fd < 0) {
		perror("uevent_send: socket");
		return 1;
	}
	action = argv[i++];
	if (!strcmp(action, "--raw")) {
		size_t len = strlen(argv[i]);
		char *p;

		for (p = argv[i]; *p; p++)
			if (*p == '|')
				*p = '\0';
		return send_buf(fd, argv[i], len, &ss, sl) ? 1 : 0;
	}
	for (; i < argc; i++) {
		a = strtoul(argv[i], &end, 10);
		b = *end == '-' ? strtoul(end + 1, &end, 10) : a;
		for (id = a; id <= b; id++)
			if (send_one(fd, action, id, seq++, &ss, sl))
				return 1;
	}
	close(fd);
	return 0;
}
