#!/bin/bash
# While an offline migrates pages, readers see "going-offline" (the
# engine's readers never wait for a running operation), and the final
# state is "offline" with the workload intact.
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_fs --fresh
tap_ok $? "hotmemfs mounts"
ctl device_add pc-dimm id=d1 size=512M
for b in 32 33 34 35; do echo online_movable >"$M/memory$b/state"; done
is "$(cat $M/memory3[2-5]/state | sort -u)" "online" "memory32-35 online movable"
ctl alloc movable 120000 >/dev/null
tap_ok $? "120000 movable pages allocated (they fill ZONE_MOVABLE)"

python3 - "$M/memory33/state" "$TMP/reader.ready" >"$TMP/seen.txt" <<'PY' &
import os, sys, time
seen = set()
ready = False
t = time.time()
while time.time() - t < 3:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    seen.add(os.read(fd, 64).decode().strip())
    os.close(fd)
    if not ready:
        open(sys.argv[2], "w").close()
        ready = True
    if "offline" in seen and len(seen) > 1 and time.time() - t > 1:
        break
print(" ".join(sorted(seen)))
PY
reader=$!
# python starts slowly on a loaded machine: the offline starts once the
# reader has read the block once (60 s at most), not before it reads at all
for _ in $(seq 1200); do [ -e "$TMP/reader.ready" ] && break; sleep 0.05; done
# from a subshell: the reader exiting during a slow offline sends this
# shell SIGCHLD, and a signal to the writer is the offline's signal
# backoff (EINTR), as in the kernel (failed 1 run in 3 under load)
(echo offline >"$M/memory33/state")
tap_ok $? "offline of a block full of movable pages succeeds (pages migrate)"
wait_exit $reader 60
grep -qw "going-offline" "$TMP/seen.txt"
tap_ok $? "a concurrent reader saw going-offline (saw: $(cat "$TMP/seen.txt"))"
is "$(cat "$M/memory33/state")" "offline" "memory33 ends offline"
ctl check >/dev/null
tap_ok $? "invariants hold after the migration"
ctl free-all >/dev/null
done_testing
