#!/bin/bash
# reread21b K6: a run of the guest virtio-mem driver's work that plugged
# memory while the readers' copy of the device could not grow (the
# engine's virtio_mem_publish() grew it then: p->behind, the plugged size
# of its last whole copy kept, reread21 H5) read as a run that changed
# nothing: the retry's change (dev.c hmfs_dev_retry()) said -EAGAIN, no
# record was written, and a kill -9 lost the plug.  155dd7f6 had the
# engine publish once more (a config read), which a copy that failed to
# grow twice still lost.  The copy is made for the whole region at
# device_add now (engine virtio_mem_pub_alloc()) and no publish grows it.
# The shim aims at the growth that was: realloc_shim.so (built here)
# fails the realloc() that grew the copy's sub-block states from their
# first 64 bytes (one memory block of 64 sub-blocks) to 512 (the eight of
# a 1G device), twice; json-c's arrays grow from 256 bytes, its strings
# double, so none of theirs is that one.  With the engine's growth at
# publish (and 155dd7f6's second publish) checks 5, 6 and 9 fail (3).
. "$(dirname "$0")/lib.sh"
require_env
ldd "$HMFS" | grep -qE 'lib(asan|tsan|lsan)' &&
	skip_all "a sanitized hotmemfs: the shim's realloc() would hand out memory the sanitizer does not know"
SHIM=$TMP/realloc_shim.so
cat >"$TMP/realloc_shim.c" <<'EOF'
/*
 * HOTMEM_TEST_REALLOC_FAIL=PATH, PATH holding "SIZE OLDMAX TIMES": a
 * realloc(p, SIZE) of a p whose usable size is at most OLDMAX fails with
 * ENOMEM, TIMES times: PATH then holds one time less, and is removed
 * after the last
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void *__libc_realloc(void *p, size_t size);

/* 1 when this realloc() is to fail; PATH counted down */
static int asked(const char *path, void *p, size_t size)
{
	unsigned long want = 0, oldmax = 0, times = 0;
	char buf[64];
	ssize_t len;
	FILE *f;
	int fd;

	if (!p)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (sscanf(buf, "%lu %lu %lu", &want, &oldmax, &times) != 3 || size != want ||
	    malloc_usable_size(p) > oldmax || !times)
		return 0;
	if (times == 1)
		return !unlink(path);
	f = fopen(path, "we");
	if (!f)
		return 0;
	fprintf(f, "%lu %lu %lu\n", want, oldmax, times - 1);
	return !fclose(f);
}

void *realloc(void *p, size_t size)
{
	const char *path = getenv("HOTMEM_TEST_REALLOC_FAIL");

	if (path && asked(path, p, size)) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, size);
}
EOF
"${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -shared \
	"$TMP/realloc_shim.c" -o "$SHIM" 2>"$TMP/cc.err" ||
	if need_strict; then
		need_end_fail "realloc_shim.so builds (make check has the compiler): $(head -1 "$TMP/cc.err")"
	else
		skip_all "cannot build realloc_shim.so: $(head -1 "$TMP/cc.err")"
	fi
export HOTMEM_TEST_REALLOC_FAIL=$TMP/realloc
G=1073741824
size() { ctl qom-get vm0 size 2>&1; }

LD_PRELOAD=$SHIM mount_fs "qemu-512m mounts with a state file (realloc_shim.so)" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=64M >/dev/null
is "$(size)" 67108864 "a virtio-mem vm0 of 1G, 64M plugged (half of memory32)"
ctl vmem-inject vm0 plug BUSY >/dev/null && ctl set-size vm0 1G >/dev/null 2>&1
is "$(size)" 67108864 "set-size 1G, the device answers the plug BUSY: still 64M, the retry timer armed"
echo "512 72 2" >"$TMP/realloc"
is "$(ctl vmem-retry vm0)" "the retry timer fired" "vmem-retry vm0: the driver plugs the rest"
is "$(cat "$TMP/realloc" 2>&1)" "512 72 2" "... and no publish grew the readers' copy (the shim's realloc() never asked)"
is "$(size)" $G "... the plug is seen: 1G"
ctl check >/dev/null
tap_ok $? "invariants hold"
kill9_fs
mount_fs "kill -9, restart" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
is "$(size)" $G "the plug survived kill -9: vm0 1G"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
