#!/bin/bash
# tests/kernel/qmp.py, the QMP client the kernel tests drive a real QEMU
# with, keeps every event: a command between a device_del and its
# wait_event(DEVICE_DELETED) no longer throws away the events that came
# along with the reply (usereye5 #17: the client wrote through the
# text-mode file it read from, and each write dropped what it had read
# ahead; 6 waits in 10 timed out).  Held against hotmemfs, twenty rounds
# with commands between, two clients; and its Lines reader takes nothing
# past a line (a raw reader after negotiate() misses nothing).
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --state none

qmp_conversation 600 <<'PY'
import json, socket, sys
from qmp import Qmp
from qmp_checks import ok, all_ran, raw_connect

# a wait that finds nothing is a failure, not a hang: 20 s a wait
q = Qmp(sys.argv[1], timeout=20)
q2 = Qmp(sys.argv[1], timeout=20)
found = lost = 0
for i in range(20):
    q.cmd("device_add", driver="pc-dimm", id="u%d" % i, size="128M")
    q.cmd("query-memory-devices")
    q.cmd("device_del", id="u%d" % i)
    q.cmd("query-memory-devices")
    q2.cmd("query-memory-devices")
    try:
        q.wait_event("DEVICE_DELETED", device="u%d" % i)
        q2.wait_event("DEVICE_DELETED", device="u%d" % i)
        found += 1
    except (socket.timeout, TimeoutError, OSError):
        lost += 1
        break
ok(found == 20 and not lost, "DEVICE_DELETED waited for after a command between, 20 rounds, "
   "two clients: %d found, %d lost" % (found, lost))
ok(q.events.count("ACPI_DEVICE_OST") >= 40,
   "... and every round's ACPI_DEVICE_OST seen too (%d)" % q.events.count("ACPI_DEVICE_OST"))
q.close()
q2.close()
# negotiate() reads the handshake and nothing more: two requests in one
# write, their replies read raw after it
s = raw_connect(timeout=20)
s.sendall(b'{"execute": "query-memory-devices", "id": 1}\n{"execute": "query-memory-devices", "id": 2}\n')
f = s.makefile("rb")
r = [json.loads(f.readline()) for _ in range(2)]
ok(r == [{"return": [], "id": 1}, {"return": [], "id": 2}],
   "negotiate() leaves the socket at the first reply: %s" % json.dumps(r))
all_ran()
PY
stop_fs
done_testing
