// SPDX-License-Identifier: MIT
/*
 * hotmemd: a uevent socket nobody sends to, said once.
 *
 * With --netlink=no the Unix socket is hotmemd's only uevent source, and a
 * sender must be told to use it (hotmemfs -u PATH).  Without one, blocks
 * appear and stay offline while hotmemd waits in silence: its rescan for
 * blocks without an ADD runs only after a burst it heard of (usereye5 #3).
 *
 * What hotmemd can see for sure: the memory directory's link count, which
 * counts its subdirectories (kernfs_refresh_inode(): subdirs + 2; hotmemfs
 * and plain directories alike), so a new memoryN raises it -- one fstat()
 * a second.  A rise is judged a second later, so that a datagram in flight
 * for it is not called missing: if by then not one datagram has come since
 * start and memoryN directories the model has never seen are there, that
 * is said once, with the socket and what sends to it.  The watch ends with
 * the first datagram or the warning.
 */
#include <syslog.h>

#include "hotmemd.h"

#define SILENCE_USEC 1000000 /* how often the link count is read */

void hmd_silence_unwatch(struct hmd *d)
{
	d->silence_src = sd_event_source_disable_unref(d->silence_src);
}

static void say_silence(struct hmd *d, unsigned long n, unsigned long first)
{
	hmd_log(d, LOG_WARNING,
		"%lu new block(s) in %s from memory%lu on, and not one uevent on %s since start (netlink off): nothing sends there -- hotmemfs sends its uevents to a socket only when started with -u %s; the blocks stay offline until a uevent comes there or hotmemd restarts (its coldplug onlines them)",
		n, d->cfg.sysroot, first, d->cfg.uevent_socket, d->cfg.uevent_socket);
}

static int on_silence(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hmd *d = userdata;
	unsigned long nlink, n, first;

	if (d->unix_datagrams) {
		hmd_silence_unwatch(d);
		return 0;
	}
	if (!hmd_memdir_links(d, &nlink)) {
		if (d->silence_rise) {
			d->silence_rise = false;
			n = hmd_count_new(d, &first);
			if (n) {
				say_silence(d, n, first);
				hmd_silence_unwatch(d);
				return 0;
			}
		}
		if (nlink > d->silence_nlink)
			d->silence_rise = true; /* judged at the next tick */
		d->silence_nlink = nlink;
	}
	sd_event_source_set_time_relative(s, SILENCE_USEC);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* after the coldplug: netlink off, a Unix socket, an event loop */
void hmd_silence_watch(struct hmd *d)
{
	if (d->cfg.netlink || d->unix_fd < 0 || !d->ev || d->silence_src)
		return;
	if (hmd_memdir_links(d, &d->silence_nlink))
		d->silence_nlink = 0;
	if (sd_event_add_time_relative(d->ev, &d->silence_src, CLOCK_MONOTONIC, SILENCE_USEC,
				       100000, on_silence, d) < 0)
		d->silence_src = NULL;
}
