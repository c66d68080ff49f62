// SPDX-License-Identifier: MIT
/*
 * hotmemd logging: structured journal entries when stderr is the journal
 * (systemd sets JOURNAL_STREAM to its device:inode), readable stderr lines
 * otherwise, e.g. in tests and on a terminal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

/* CODE_FILE/CODE_LINE/CODE_FUNC are the caller's (hmd_log()'s site), not this file's */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "hotmemd.h"

static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

/*
 * Where sd_journal_sendv() sends (libsystemd's journal-send.c), which
 * answers 0 when it is not there ("fail silently if the journal is not
 * available"): every entry of an explicit log_target=journal was lost,
 * not a word on a machine without journald (usereye8 #5k).
 */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/*
 * A message's bytes: above what any holds but quoted lines (HMD_QUOTE) --
 * two machine keys of a path each (HMD_PATH_MAX + 128) and a state_dir
 * path, with their sentence.  512 cut "re-anchoring boot memory ..." off
 * a record of another machine whose sysroots were 400 bytes (daemon40).
 * The text adds the block and the bracketed fields (format_text()).
 */
#define MSG_MAX 4096
#define TEXT_MAX (MSG_MAX + 256)

/* journald listens: a socket at JOURNAL_SOCKET; else why not into @why */
static bool journald_listens(char *why, size_t len)
{
	struct stat st;

	if (stat(JOURNAL_SOCKET, &st)) {
		snprintf(why, len, "%s", strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, len, "not a socket");
		return false;
	}
	return true;
}

void hmd_log_setup(struct hmd *d)
{
	char why[128];

	switch (d->cfg.log_target) {
	case HMD_LOG_JOURNAL:
		d->journal = journald_listens(why, sizeof(why));
		if (!d->journal)
			fprintf(stderr, "hotmemd: warning: log_target=journal, but no journald "
					"listens (%s: %s): logging to stderr\n", JOURNAL_SOCKET, why);
		break;
	case HMD_LOG_STDERR:
		d->journal = false;
		break;
	default:
		d->journal = stderr_is_journal();
	}
}

/*
 * A process that exits at once (--check-config under ExecReload=) writes
 * to its stream, never native datagrams: journald finds a datagram's unit
 * from the sender's cgroup when it reads it, and a sender already gone has
 * none, so `systemctl status` showed the refusal only sometimes.  A stream
 * is attributed when systemd connects it.  "<N>" keeps the priority
 * (SyslogLevelPrefix=, on by default).
 */
void hmd_log_setup_short_lived(struct hmd *d)
{
	hmd_log_setup(d);
	d->stream_prio = d->journal;
	d->journal = false;
}

static const char *prio_name(int prio)
{
	static const char *const names[] = { "emerg",	"alert",  "crit", "error",
					     "warning", "notice", "info", "debug" };

	return (prio >= 0 && prio <= LOG_DEBUG) ? names[prio] : "?";
}

/* Build "FIELD=value" into buf and point an iovec at it. */
static void field(struct iovec *iov, int *n, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void field(struct iovec *iov, int *n, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	iov[*n].iov_base = buf;
	iov[*n].iov_len = (size_t)r < len ? (size_t)r : len - 1;
	(*n)++;
}

/*
 * The one line both targets print: "memory32: gave up onlining: ...
 * [policy=auto-movable errno=EBUSY(16)]".  The journal gets it as MESSAGE
 * too, so that `journalctl -u hotmemd` shows block and errno without -o
 * verbose; the fields stay for programs.
 */
static void format_text(char *buf, size_t len, long block, const char *zone, const char *policy,
			int err, const char *msg)
{
	char extra[160] = "";
	size_t n = 0;

	if (zone)
		n += snprintf(extra + n, sizeof(extra) - n, " zone=%s", zone);
	if (policy && n < sizeof(extra))
		n += snprintf(extra + n, sizeof(extra) - n, " policy=%s", policy);
	if (err && n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - n, " errno=%s(%d)", strerrorname_np(err) ?: "?",
			 err);
	if (block >= 0)
		snprintf(buf, len, "memory%ld: %s%s%s%s", block, msg, *extra ? " [" : "",
			 *extra ? extra + 1 : "", *extra ? "]" : "");
	else
		snprintf(buf, len, "%s%s%s%s", msg, *extra ? " [" : "", *extra ? extra + 1 : "",
			 *extra ? "]" : "");
}

static void to_journal(struct hmd *d, const struct hmd_log_site *site, int prio, const char *msgid,
		       long block, const char *zone, const char *policy, int err, const char *text)
{
	char message[sizeof("MESSAGE=") + TEXT_MAX], f[10][720];
	struct iovec iov[11];
	int n = 0;

	/* f[n - 1]: the fields after MESSAGE, iov[n]'s */
	field(iov, &n, message, sizeof(message), "MESSAGE=%s", text);
	field(iov, &n, f[n - 1], sizeof(f[0]), "CODE_FILE=%s", site->file);
	field(iov, &n, f[n - 1], sizeof(f[0]), "CODE_LINE=%d", site->line);
	field(iov, &n, f[n - 1], sizeof(f[0]), "CODE_FUNC=%s", site->func);
	field(iov, &n, f[n - 1], sizeof(f[0]), "PRIORITY=%d", prio);
	field(iov, &n, f[n - 1], sizeof(f[0]), "SYSLOG_IDENTIFIER=hotmemd");
	if (msgid)
		field(iov, &n, f[n - 1], sizeof(f[0]), "MESSAGE_ID=%s", msgid);
	if (block >= 0)
		field(iov, &n, f[n - 1], sizeof(f[0]), "HOTMEM_BLOCK=memory%ld", block);
	if (zone)
		field(iov, &n, f[n - 1], sizeof(f[0]), "HOTMEM_ZONE=%s", zone);
	if (policy)
		field(iov, &n, f[n - 1], sizeof(f[0]), "HOTMEM_POLICY=%s", policy);
	if (err)
		field(iov, &n, f[n - 1], sizeof(f[0]), "ERRNO=%d", err);
	if (d->journal_send)
		d->journal_send(d, iov, n);
	else
		sd_journal_sendv(iov, n);
}

static void vlog_ev(struct hmd *d, const struct hmd_log_site *site, int prio, const char *msgid,
		    long block, const char *zone, const char *policy, int err, const char *fmt,
		    va_list ap)
{
	char msg[MSG_MAX], text[TEXT_MAX];
	int saved = errno;

	if (prio > d->cfg.log_level)
		return;
	/* cut anyway: said so, not ended mid-word as if whole */
	if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		strcpy(msg + sizeof(msg) - 4, "...");
	format_text(text, sizeof(text), block, zone, policy, err, msg);
	if (d->journal)
		to_journal(d, site, prio, msgid, block, zone, policy, err, text);
	else if (d->stream_prio)
		fprintf(stderr, "<%d>hotmemd: %s: %s\n", prio, prio_name(prio), text);
	else
		fprintf(stderr, "hotmemd: %s: %s\n", prio_name(prio), text);
	errno = saved;
}

void hmd_log_at(struct hmd *d, const struct hmd_log_site *site, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_ev(d, site, prio, NULL, -1, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void hmd_log_ev_at(struct hmd *d, const struct hmd_log_site *site, int prio, const char *msgid,
		   long block, const char *zone, const char *policy, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_ev(d, site, prio, msgid, block, zone, policy, err, fmt, ap);
	va_end(ap);
}
