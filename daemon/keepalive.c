// SPDX-License-Identifier: MIT
/*
 * hotmemd: systemd's keepalives from inside a long loop.
 *
 * The coldplug, a rescan and a uevent drain run block after block without
 * returning to the event loop, whose watchdog timer (main.c) cannot fire
 * then: a 4096-block burst went 3 s without WATCHDOG=1, and a start's
 * coldplug of 131072 blocks (the 16 TiB emulation, ~60-70 s) before
 * READY=1 passed the unit's TimeoutStartSec=60s (abuse25a B9).  Every such
 * loop calls hmd_stop_requested() between blocks, which calls
 * hmd_keepalive(): once ready, WATCHDOG=1 each half watchdog period; before,
 * EXTEND_TIMEOUT_USEC= of three periods with the coldplug's progress in
 * STATUS=, each half watchdog period too (WATCHDOG_USEC is set at exec: the
 * service's own pace) but at most 10 s.  The watchdog itself counts only
 * from READY=1 (systemd.service(5), WatchdogSec=).  A reload's rescan
 * (between RELOADING=1 and READY=1) is timed by TimeoutStartSec= too
 * (systemd 252 service_enter_reload() arms timeout_start_usec, which
 * EXTEND_TIMEOUT_USEC= extends in any state with a timer): it sends both,
 * "STATUS=reloading: ...", at the start's pace; it sent WATCHDOG=1 alone,
 * and none without a watchdog.
 */
#include <systemd/sd-daemon.h>

#include "hotmemd.h"

#define KEEPALIVE_START_MAX_USEC (10 * 1000000ULL)

void hmd_keepalive(struct hmd *d)
{
	char status[200];
	uint64_t now;

	if (!d->keepalive_usec)
		return;
	now = hmd_now_usec();
	if (now < d->keepalive_next)
		return;
	d->keepalive_next = now + d->keepalive_usec;
	if (d->reloading) {
		hmd_status_text(d, status, sizeof(status));
		sd_notifyf(0, "%sEXTEND_TIMEOUT_USEC=%llu\nSTATUS=reloading: %s",
			   d->reload_saved_usec ? "WATCHDOG=1\n" : "",
			   (unsigned long long)(3 * d->keepalive_usec), status);
		return;
	}
	if (d->ready) {
		sd_notify(0, "WATCHDOG=1");
		return;
	}
	hmd_status_text(d, status, sizeof(status));
	sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%llu\nSTATUS=coldplug: %s",
		   (unsigned long long)(3 * d->keepalive_usec), status);
}

void hmd_keepalive_start(struct hmd *d)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || !usec || usec / 2 > KEEPALIVE_START_MAX_USEC)
		usec = 2 * KEEPALIVE_START_MAX_USEC;
	d->keepalive_usec = usec / 2;
	d->keepalive_next = hmd_now_usec() + d->keepalive_usec;
}

void hmd_keepalive_ready(struct hmd *d, uint64_t watchdog_usec)
{
	d->keepalive_usec = watchdog_usec / 2;
	d->keepalive_next = hmd_now_usec() + d->keepalive_usec;
}

/*
 * A reload's rescan begins (@on) or ends: its pace the watchdog's half
 * period, at most 10 s, or 10 s without a watchdog (as before READY=1);
 * then the watchdog's again
 */
void hmd_keepalive_reload(struct hmd *d, bool on)
{
	if (on == d->reloading)
		return;
	d->reloading = on;
	if (!on) {
		hmd_keepalive_ready(d, 2 * d->reload_saved_usec);
		return;
	}
	d->reload_saved_usec = d->keepalive_usec;
	d->keepalive_usec = d->keepalive_usec && d->keepalive_usec <= KEEPALIVE_START_MAX_USEC ?
				    d->keepalive_usec :
				    KEEPALIVE_START_MAX_USEC;
	d->keepalive_next = hmd_now_usec() + d->keepalive_usec;
}
