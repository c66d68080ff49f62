/* SPDX-License-Identifier: MIT */
/*
 * A thread named for the kernel work it runs (a DIMM's eject, the
 * virtio-mem drivers' work: 6.12 runs them in kworkers), so that `top -H`,
 * a debugger or a test's preload shim tell it by the name -- but never
 * the main thread, whose name is the process's comm: `ps`, `pidof
 * hotmemfs`, `pgrep -x` and systemd's status would show the work's name
 * while a restore's eject ran there (reread27 R6).
 */
#ifndef HMFS_THREAD_NAME_H
#define HMFS_THREAD_NAME_H

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

struct hmfs_thread_name {
	char old[16]; /* TASK_COMM_LEN */
	bool renamed;
};

/* @name on the calling thread unless it is the main one; @t says how to go back */
static inline void hmfs_thread_name_take(struct hmfs_thread_name *t, const char *name)
{
	t->renamed = gettid() != getpid() &&
		     !pthread_getname_np(pthread_self(), t->old, sizeof(t->old)) &&
		     !pthread_setname_np(pthread_self(), name);
}

/* the thread's own name back, if hmfs_thread_name_take() changed it */
static inline void hmfs_thread_name_back(const struct hmfs_thread_name *t)
{
	if (t->renamed)
		pthread_setname_np(pthread_self(), t->old);
}

#endif
