#!/bin/bash
# A request's "id" is echoed as QEMU writes it back: a double through
# qobject/json-writer.c json_writer_double(), "%.17g" -- 1.0 is 1, 1e2
# 100, -0.0 -0, 1e400 inf, an integer past uint64 a double -- compared
# byte for byte (each number's text) with qemu-storage-daemon's answer
# to the same request.  json-c's writer echoed 1.0, 100.0, -0.0,
# Infinity (finalF F5); 164-qmp-json-qemu.t compared the decoded values
# only, which are the same.
. "$(dirname "$0")/lib.sh"
require_env
mount_fs "hotmemfs mounts" --fresh --state none
qemu_storage_daemon

QSD=$QSD qmp_conversation 300 <<'PY'
import json, os, re
from qmp import Lines
from qmp_checks import ok, all_ran, raw_connect

IDS = ["1.0", "1e2", "-0.0", "0.1", "1.5", "1e400", "-1e400", "2.5e-300", "123456789.125",
       "18446744073709551616", "-9223372036854775809", "1E+2", "0e0", "[1.0, {\"a\": 2e0}]",
       "3", "-0", "18446744073709551615"]


def numbers_as_written(line):
    """the reply LINE's "id" with each number as its text ("N:" before
    it; QEMU's inf and nan made strings to decode)"""
    line = re.sub(rb"(?<=[:\[,\s])(-?inf|-?nan)(?=[,\]}\s])", rb'"RAW\1"', line)
    r = json.loads(line, parse_float=lambda s: "N:" + s, parse_int=lambda s: "N:" + s)
    return r.get("id", r)


def echoed(path, idtext):
    s = raw_connect(path)
    s.sendall(b'{"execute": "qmp_capabilities", "id": ' + idtext.encode() + b"}\n")
    line = Lines(s).readline()
    s.close()
    return numbers_as_written(line)


for i in IDS:
    q, h = echoed(os.environ["QSD"], i), echoed(None, i)
    ok(q == h, "\"id\": %s echoed as QEMU does: %s (hotmemfs: %s)" % (i, q, h))
all_ran()
PY
stop_fs
done_testing
