#!/bin/bash
# Reads sharing one open file are serialised (#16.10), as seq_read() does
# under m->lock: concurrent preads of one proc/zoneinfo descriptor used to
# return NULs or lines spliced from two show()s.
. "$(dirname "$0")/lib.sh"
require_env

start_fs_netns --profile qemu-512m --fresh
tap_ok $? "hotmemfs mounts qemu-512m"
Z=$MNT/proc/zoneinfo
# hotmemfs serves it: one not there is hotmemfs's failure, not the machine's
[ -r "$Z" ] || { nok "proc/zoneinfo in the mount"; done_testing; exit 1; }

python3 - "$Z" >"$TMP/out" <<'PY'
import os, sys, threading
fd = os.open(sys.argv[1], os.O_RDONLY)
ref = os.pread(fd, 1 << 16, 0)
bad = []
def worker(k):
    for i in range(1500):
        off = 0 if (i + k) % 2 == 0 else 64
        got = os.pread(fd, 1 << 16, off)
        if got != ref[off:]:
            bad.append((off, got[:80]))
ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("%d of 6000 reads torn%s" % (len(bad), (": %r" % (bad[0],)) if bad else ""))
sys.exit(1 if bad else 0)
PY
tap_ok $? "concurrent preads of one zoneinfo descriptor: $(cat "$TMP/out")"
done_testing
