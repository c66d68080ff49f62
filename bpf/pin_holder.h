/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a pinned BPF map is still in use: a process holds a descriptor
 * of it.  A pin that no process holds is a killed run's (kill -9 leaves
 * the pins, nothing else holds the maps: the programs went with the
 * process's descriptors), which hotmem-trace may replace; a held one is a
 * live run's (abuse28 T8).  Only the processes this /proc shows are
 * asked: a holder in another PID namespace, or hidden by hidepid=, is not
 * seen -- hotmem-trace's lock on the pin directory is what tells a live
 * run of its own version there (reread27 R9); this walk is the guard
 * against runs older than that lock.  Where /proc hides other users'
 * processes (hidepid=, hmt_proc_hides_pids()) no pin is known to be stale
 * (trace30: a user given CAP_BPF saw a root holder's pin as stale).
 */
#ifndef HMT_PIN_HOLDER_H
#define HMT_PIN_HOLDER_H

#include <stdbool.h>
#include <sys/types.h>

struct hmt_pin_holder {
	unsigned int map_id;	/* the pinned map's id */
	pid_t pid;		/* a process holding it (when 1 is returned) */
	char comm[16];		/* its name */
	unsigned int unreadable; /* processes whose descriptors could not be read */
	/*
	 * hmt_pin_holder(): no holder seen, but /proc hides other users'
	 * processes from this one (hmt_proc_hides_pids()); hmt_pin_dir_locker():
	 * the holder's /proc/PID is hidden (its comm unknown)
	 */
	bool hidden;
};

/*
 * Who holds the BPF map pinned at @path, the way bpftool finds a map's
 * pids (each process's fds that are "anon_inode:bpf-map", their fdinfo's
 * map_id), this process left out.  1: @h->pid does; 0: no process does
 * (stale); -EACCES: none of those read does, but @h->unreadable could not
 * be read (without CAP_SYS_PTRACE: another user's, or a non-dumpable
 * one's), or /proc does not show them (@h->hidden: hidepid=); another
 * negative errno: @path is no pinned map (or bpf(2) refused to open it).
 */
int hmt_pin_holder(const char *path, struct hmt_pin_holder *h);

/* the id of the BPF map pinned at @path in *@id: 0, or a negative errno */
int hmt_pinned_map_id(const char *path, unsigned int *id);

/*
 * Who holds a flock() of directory @dir, as /proc/locks says it: 1,
 * @h->pid and @h->comm set (@h->hidden, comm empty: its /proc/PID is
 * hidden, hidepid=); 0: no holder this /proc shows (the kernel leaves out
 * the locks of processes outside our PID namespace).
 */
int hmt_pin_dir_locker(const char *dir, struct hmt_pin_holder *h);

/*
 * Whether this /proc hides other users' processes from this process:
 * mounted hidepid=invisible or ptraceable (2, 4; fs/proc/root.c, 6.12,
 * per mount since 5.8), this process neither in its gid= group nor with
 * CAP_SYS_PTRACE, which see through it (has_pid_permissions(),
 * ptrace_may_access()).  A process not seen in it may still hold a map.
 */
bool hmt_proc_hides_pids(void);

#endif /* HMT_PIN_HOLDER_H */
