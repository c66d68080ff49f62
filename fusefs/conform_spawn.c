// SPDX-License-Identifier: GPL-2.0
/*
 * hotmem-conform: the programs a cell starts (hotmem-enter, udevd, hotmemd,
 * hotmemctl, an agent's command) run in a process group of their own and
 * are waited for with a deadline: whatever hangs is stopped, its group
 * with it (SIGTERM, then SIGKILL), so that no cell and no matrix hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"

#define POLL_MS 10

long conform_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void conform_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int conform_open_null(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "hotmem-conform: /dev/null: %s\n", strerror(errno));
	return fd;
}

int conform_open_file(const char *path, bool append)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);

	if (fd < 0)
		fprintf(stderr, "hotmem-conform: %s: %s\n", path, strerror(errno));
	return fd;
}

/*
 * A kill -9 of hotmem-conform left a cell's hotmem-enter (its hotmemfs,
 * its agent) running on, orphaned, until the cell's own deadline
 * (usereye7 #11g): the child dies with it, as hotmem-enter's init dies
 * with hotmem-enter.  @parent may have died before prctl(): then the
 * child was reparented already, getppid() tells (no PID namespace
 * between them).  conform has no threads: the death is the process's.
 */
static void die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(128 + SIGKILL);
}

/* in the child: dies with @parent, its own group, the caller's signal mask undone, its fds */
static void child_setup(const struct conform_io *io, pid_t parent)
{
	sigset_t none;
	int null;

	die_with_parent(parent);
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0 && null != STDIN_FILENO) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	if (io && io->out_fd >= 0)
		dup2(io->out_fd, STDOUT_FILENO);
	if (io && io->err_fd >= 0)
		dup2(io->err_fd, STDERR_FILENO);
}

static int start(struct conform_child *c, pid_t pid)
{
	if (pid < 0) {
		fprintf(stderr, "hotmem-conform: fork: %s\n", strerror(errno));
		return -errno;
	}
	/* the parent too, so that a stop right after fork finds the group */
	setpgid(pid, pid);
	*c = (struct conform_child){ .pid = pid };
	return 0;
}

int conform_spawn(struct conform_child *c, char *const argv[], const struct conform_io *io)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		child_setup(io, parent);
		execvp(argv[0], argv);
		fprintf(stderr, "hotmem-conform: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return start(c, pid);
}

int conform_fork(struct conform_child *c, int (*fn)(void *), void *arg,
		 const struct conform_io *io)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		child_setup(io, parent);
		fflush(NULL);
		_exit(fn(arg));
	}
	return start(c, pid);
}

/* the leader has ended: a zombie, still holding its pid and its group's id */
bool conform_exited(struct conform_child *c)
{
	siginfo_t si = { 0 };

	if (c->pid <= 0 || c->reaped)
		return true;
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == c->pid;
}

/*
 * What the leader left in its group (a udevd worker, an agent's sleep) is
 * killed while the unreaped leader keeps the group's id from being reused,
 * then the leader is reaped.
 */
static void finish(struct conform_child *c)
{
	if (c->pid <= 0 || c->reaped)
		return;
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	c->reaped = true;
}

/*
 * Polls: SIGCHLD may be blocked, ignored or eaten elsewhere, and a
 * sigtimedwait() on the caller's stop signals is the sleep.
 */
bool conform_wait(struct conform_child *c, long timeout_ms, const sigset_t *stop, int *sig)
{
	long end = conform_now_ms() + timeout_ms;
	struct timespec ts = { 0, POLL_MS * 1000000L };
	int s;

	for (;;) {
		if (conform_exited(c)) {
			finish(c);
			return true;
		}
		if (conform_now_ms() >= end)
			return false;
		if (!stop) {
			conform_sleep_ms(POLL_MS);
			continue;
		}
		s = sigtimedwait(stop, NULL, &ts);
		if (s > 0) {
			if (sig)
				*sig = s;
			return false;
		}
	}
}

void conform_stop(struct conform_child *c, int sig, long grace_ms)
{
	if (!conform_exited(c)) {
		kill(-c->pid, sig);
		for (long end = conform_now_ms() + grace_ms;
		     !conform_exited(c) && conform_now_ms() < end;)
			conform_sleep_ms(POLL_MS);
	}
	finish(c);
}

int conform_exit_code(const struct conform_child *c)
{
	if (!c->reaped)
		return -1;
	return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 128 + WTERMSIG(c->status);
}

int conform_run(char *const argv[], const struct conform_io *io, long timeout_ms)
{
	struct conform_child c;

	if (conform_spawn(&c, argv, io) < 0)
		return 127;
	if (!conform_wait(&c, timeout_ms, NULL, NULL)) {
		fprintf(stderr, "hotmem-conform: %s: stopped after %ld s\n", argv[0], timeout_ms / 1000);
		conform_stop(&c, SIGTERM, CONFORM_STOP_GRACE_MS);
		return 124;
	}
	return conform_exit_code(&c);
}

/*
 * Run @argv with @io, but the stream @slot points to (&io->out_fd or
 * &io->err_fd) into a memfd: no pipe for a grandchild to hold open, no
 * file left behind.  What it wrote into a NUL-terminated *@text
 * (malloc'ed; NULL when out of memory).
 */
static int run_captured(char *const argv[], struct conform_io *io, int *slot, long timeout_ms,
			char **text)
{
	struct stat st;
	int fd, rc;
	char *buf;

	*text = NULL;
	fd = memfd_create("hotmem-conform-out", MFD_CLOEXEC);
	if (fd < 0)
		return 127;
	*slot = fd;
	rc = conform_run(argv, io, timeout_ms);
	if (fstat(fd, &st) < 0 || !(buf = calloc(1, (size_t)st.st_size + 1))) {
		close(fd);
		return rc;
	}
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		buf[0] = '\0';
	close(fd);
	*text = buf;
	return rc;
}

int conform_run_capture(char *const argv[], int err_fd, long timeout_ms, char **out)
{
	struct conform_io io = { .err_fd = err_fd };

	return run_captured(argv, &io, &io.out_fd, timeout_ms, out);
}

int conform_run_capture_err(char *const argv[], int out_fd, long timeout_ms, char **err)
{
	struct conform_io io = { .out_fd = out_fd };

	return run_captured(argv, &io, &io.err_fd, timeout_ms, err);
}
