/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a pinned BPF map is still in use: a process holds a descriptor
 * of it.  A pin that no process holds is a killed run's (kill -9 leaves
 * the pins, nothing else holds the maps: the programs went with the
 * process's descriptors), which hotmem-trace may replace; a held one is a
 * live run's (abuse28 T8).
 */
#ifndef HMT_PIN_HOLDER_H
#define HMT_PIN_HOLDER_H

#include <sys/types.h>

struct hmt_pin_holder {
	unsigned int map_id;	/* the pinned map's id */
	pid_t pid;		/* a process holding it (when 1 is returned) */
	char comm[16];		/* its name */
	unsigned int unreadable; /* processes whose descriptors could not be read */
};

/*
 * Who holds the BPF map pinned at @path, the way bpftool finds a map's
 * pids (each process's fds that are "anon_inode:bpf-map", their fdinfo's
 * map_id), this process left out.  1: @h->pid does; 0: no process does
 * (stale); -EACCES: none of those read does, but @h->unreadable could not
 * be read (without CAP_SYS_PTRACE: another user's, or a non-dumpable
 * one's); another negative errno: @path is no pinned map (or bpf(2)
 * refused to open it).
 */
int hmt_pin_holder(const char *path, struct hmt_pin_holder *h);

#endif /* HMT_PIN_HOLDER_H */
