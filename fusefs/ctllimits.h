/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control commands' time limits, one definition for both sides of
 * the socket: hotmemfs keeps them (ctl.c), hotmemctl waits longer than
 * they do by default (hotmemctl.c), so the two never disagree about
 * what "the server's default" is.
 */
#ifndef HMFS_CTLLIMITS_H
#define HMFS_CTLLIMITS_H

/* settle's --timeout when none is given: udevadm settle's default, long enough for a coldplug under load */
#define HMFS_SETTLE_DEFAULT_S 120
/* the longest wait either side takes (settle's timeout, hotmemctl's -t): a day */
#define HMFS_CTL_MAX_WAIT_S 86400

/*
 * How long a command that adds, removes or onlines blocks waits for the
 * notifier to deliver what it queued before it replies (the FUSE writes'
 * rule, events.c): a 16384-block device_del's REMOVEs take it ~1-3 s,
 * under load more.  Beyond this the reply goes anyway (the change is
 * made) and `settle` waits for the rest; below hotmemctl's own default
 * (hotmemctl.c's DEFAULT_TIMEOUT).  Waited for in the connection's
 * thread, where a FUSE write's reply is held for the notifier to send:
 * events.c, "One rule, two ways of waiting", says why.
 */
#define HMFS_CTL_DELIVER_WAIT_MS (60 * 1000)

/*
 * A guest's hotplug worker (the ACPI eject of device_del, a virtio-mem
 * shrink) gives up the whole work after HMFS_EJECT_TOTAL_SECONDS; a
 * virtio-mem shrink also a block's offline after HMFS_EJECT_SECONDS (dev.c).
 */
#define HMFS_EJECT_SECONDS 10
#define HMFS_EJECT_TOTAL_SECONDS 40

#endif /* HMFS_CTLLIMITS_H */
