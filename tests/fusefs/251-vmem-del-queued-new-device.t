#!/bin/bash
# devmend's leftover (sev 2): a virtio-mem device_del queued behind a
# guest's looping offline (dev.c hmfs_dev_del_request(), 4aa62df8) looked
# its device up by id when it ran.  If a `hotmemctl device_del` (wait)
# removed the device and a device_add of the same id came before the
# queued removal ran, the NEW device was removed.  QEMU's device_del names
# the DeviceState itself, whose pending unplug request is that object's
# (qdev_unplug(), 9.2): the queued removal now takes only a device that
# still carries its request (dev.c del_request_owns()).
# The order is certain, not a race: thread_hold.so (built here) parks the
# timers' thread (named hotmemfs-vmem) at its first pthread_mutex_lock()
# while $TMP/hold exists, once the queued removal has taken the id (it
# says so by creating $TMP/hold.held), so the waiting device_del and the
# device_add run first; removing $TMP/hold lets the queued removal go on.
# Without del_request_owns() checks 10, 11 and 14 fail (3 of 14: the new
# vm1 removed, a second DEVICE_DELETED vm1, vm1 gone after kill -9).
. "$(dirname "$0")/lib.sh"
require_env
ldd "$HMFS" | grep -qE 'lib(asan|tsan|lsan)' &&
	skip_all "a sanitized hotmemfs: the shim's pthread_mutex_lock() would bypass the sanitizer's"
SHIM=$TMP/thread_hold.so
cat >"$TMP/thread_hold.c" <<'EOF2'
/*
 * HOTMEM_TEST_THREAD_HOLD=PATH: a pthread_mutex_lock() by the thread
 * named hotmemfs-vmem while PATH exists waits (PATH.held created) until
 * PATH is gone
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static __thread int is_timer = -1;

int pthread_mutex_lock(pthread_mutex_t *m)
{
	static int (*real)(pthread_mutex_t *);
	const char *path = getenv("HOTMEM_TEST_THREAD_HOLD");
	const struct timespec ms = { .tv_nsec = 1000 * 1000 };
	char name[16] = "", held[4096];
	int fd;

	if (!real)
		real = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
	if (path && is_timer < 0) {
		pthread_getname_np(pthread_self(), name, sizeof(name));
		is_timer = !strcmp(name, "hotmemfs-vmem");
	}
	if (path && is_timer == 1 && !access(path, F_OK)) {
		snprintf(held, sizeof(held), "%s.held", path);
		fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		while (!access(path, F_OK))
			nanosleep(&ms, NULL);
	}
	return real(m);
}
EOF2
"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -shared \
	"$TMP/thread_hold.c" -o "$SHIM" -ldl 2>"$TMP/cc.err" ||
	if need_strict; then
		need_end_fail "thread_hold.so builds (make check has the compiler): $(head -1 "$TMP/cc.err")"
	else
		skip_all "cannot build thread_hold.so: $(head -1 "$TMP/cc.err")"
	fi
export HOTMEM_TEST_THREAD_HOLD=$TMP/hold
M=$MNT/sys/devices/system/memory
# file_wait FILE: until FILE exists (bounded, 30 s: a failure, not a speed)
file_wait() {
	for _ in $(seq 600); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

LD_PRELOAD=$SHIM mount_fs "hotmemfs mounts with a state file (thread_hold.so)" --fresh
vmem_del_offline_loops

touch "$TMP/hold"
is "$("$HMCTL" -s "$CTL" raw '{"execute":"device_del","arguments":{"id":"vm1"}}')" \
	'{"return":{}}' "QMP device_del vm1 answers {} at once, the removal queued"
file_wait "$TMP/hold.held"
tap_ok $? "... the timers' thread took it and is held (thread_hold.so)"
in_background delw ctl device_del vm1
ctl free-all >/dev/null
wait "$OFF"
answered_within delw 30
tap_ok $? "the pins freed, the offline ends; hotmemctl device_del vm1 (wait) removes vm1"
ctl device_add virtio-mem-pci id=vm1 size=1G requested-size=0 >/dev/null
tap_ok $? "a new vm1 is added, the queued removal still held"
rm -f "$TMP/hold"
for _ in $(seq 600); do
	grep -q "vm1: the queued device_del" "$TMP/hotmemfs.log" && break
	[ "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" -ge 2 ] && break
	sleep 0.05
done
dev_listed vm1
tap_ok $? "the queued removal let go: the new vm1 stays"
is "$(grep -c "DEVICE_DELETED vm1 " "$TMP/ev.txt")" 1 "... one DEVICE_DELETED vm1 (the waiting device_del's)"
kill "$EV"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
mount_fs "kill -9, restart from the state file"
dev_listed vm1
tap_ok $? "the new vm1 is still there"
stop_fs
done_testing
