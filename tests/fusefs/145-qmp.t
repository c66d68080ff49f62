#!/bin/bash
# The control socket speaks QMP as QEMU 9.2's monitor does
# (docs/interop/qmp-spec.rst, monitor/qmp.c, qapi/qmp-dispatch.c): the
# client of tests/kernel/qmp.py -- the one the kernel tests drive a real
# QEMU with, unmodified -- gets the greeting, negotiates, plugs a pc-dimm,
# waits for its DEVICE_DELETED after device_del and lists the memory
# devices; before qmp_capabilities every other command is QEMU's
# CommandNotFound; two connections both get an event; malformed input
# gets QEMU's errors, with "id" echoed, and the connection goes on.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --profile qemu-512m --state none

# the conversation: a line a check, "RC NAME", each said as TAP below
qmp_conversation 120 <<'PY'
import json, sys
from qmp import Qmp
from qmp_checks import ok, all_ran, raw_connect, shown as err


def raw():
    """a connection of its own, a line each way; its greeting read"""
    f = raw_connect(negotiate=False).makefile("rwb")
    return f, json.loads(f.readline())


def ask(f, line):
    """@line sent (bytes), the next reply read (events skipped)"""
    f.write(line + b"\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            return r


# the kernel tests' client, as it drives QEMU
q = Qmp(sys.argv[1], timeout=60)
g = q.greeting["QMP"]
ok(g["capabilities"] == [] and sorted(g["version"]["qemu"]) == ["major", "micro", "minor"],
   "greeting: QEMU's version triple, no capability offered (no oob)")
ok("hotmem" in g["version"]["package"], "... its package says hotmem: %s" % g["version"]["package"])
q2 = Qmp(sys.argv[1], timeout=60)
ok(True, "two clients negotiated (qmp_capabilities returned {})")
r = q.cmd("device_add", driver="pc-dimm", id="d1", size="128M")
# QEMU's qmp_device_add() sets no return: {} (it was the device, hotmem's)
ok(r == {}, "device_add pc-dimm d1: QEMU's {}: %s" % json.dumps(r))
devs = q.cmd("query-memory-devices")
ok([d["type"] for d in devs] == ["dimm"] and devs[0]["data"]["id"] == "d1" and
   devs[0]["data"]["size"] == 128 << 20, "query-memory-devices: d1, a dimm of 128M")
q.cmd("device_del", id="d1")
e = q.wait_event("DEVICE_DELETED", device="d1")
ok(e["data"]["path"] == "/machine/peripheral/d1" and
   sorted(e["timestamp"]) == ["microseconds", "seconds"],
   "DEVICE_DELETED d1 waited for: QEMU's data and timestamp")
e2 = q2.wait_event("DEVICE_DELETED", device="d1")
ok(e2["timestamp"] == e["timestamp"], "... the other connection got it too")
ok(q.cmd("query-memory-devices") == [], "query-memory-devices: none left")
try:
    q.cmd("qmp_capabilities")
    ok(False, "qmp_capabilities again refused")
except RuntimeError as x:
    ok("CommandNotFound" in str(x) and "Capabilities negotiation is already complete, "
       "command ignored" in str(x), "qmp_capabilities again: QEMU's CommandNotFound")
q.close()
q2.close()

# negotiation mode
f, _ = raw()
r = ask(f, b'{"execute": "status", "id": 1}')
ok(err(r) == "CommandNotFound: Expecting capabilities negotiation with 'qmp_capabilities'"
   and r.get("id") == 1, "before qmp_capabilities: %s, id echoed" % err(r))
r = ask(f, b'{"execute": "nosuch"}')
ok(err(r) == "CommandNotFound: Expecting capabilities negotiation with 'qmp_capabilities'",
   "... an unknown command too")
r = ask(f, b'{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}')
ok(err(r) == "GenericError: Capability oob not available", "enable oob: %s" % err(r))
r = ask(f, b'{"execute": "qmp_capabilities", "arguments": {"bogus": 1}}')
ok(err(r) == "GenericError: Parameter 'bogus' is unexpected", "an unknown argument: %s" % err(r))
r = ask(f, b'{"execute": "qmp_capabilities", "arguments": {"enable": []}, "id": "x"}')
ok(r == {"return": {}, "id": "x"}, "qmp_capabilities with enable []: %s" % json.dumps(r))

# malformed input, in command mode: QEMU's words, the connection goes on
for line, want in [
        (b'[1, 2]', "GenericError: QMP input must be a JSON object"),
        (b'{"arguments": {}}', "GenericError: QMP input lacks member 'execute'"),
        (b'{"execute": 7}', "GenericError: QMP input member 'execute' must be a string"),
        (b'{"execute": "status", "arguments": []}',
         "GenericError: QMP input member 'arguments' must be an object"),
        (b'{"execute": "status", "bogus": 1}', "GenericError: QMP input member 'bogus' is unexpected"),
        (b'{"execute": "nosuch"}', "CommandNotFound: The command nosuch has not been found")]:
    r = ask(f, line)
    ok(err(r) == want, "%s: %s" % (line.decode(), err(r)))
r = ask(f, b'{"execute": "status", "bogus": 1, "id": {"a": [1]}}')
ok(r.get("id") == {"a": [1]}, "an error's reply echoes the id, any JSON")
# a command's argument it does not take: QAPI's words, before it runs;
# device_add's are its driver's properties (QEMU's "Property ... not found")
cmds = [c["name"] for c in ask(f, b'{"execute": "query-commands"}')["return"]]
bad = []
for c in cmds + ["events", "query-commands"]:
    if c == "device_add":
        continue
    r = ask(f, json.dumps({"execute": c, "arguments": {"bogus": 1, "timeout": 0}}).encode())
    if err(r) != "GenericError: Parameter 'bogus' is unexpected":
        bad.append("%s: %s" % (c, json.dumps(r)[:100]))
ok(not bad and len(cmds) > 15, "every command of %d refuses an argument it does not take: %s" %
   (len(cmds), "; ".join(bad) or "yes"))
r = ask(f, b'{"execute": "alloc", "arguments": {"type": "movable", "pages": 1, "node": 0, "id node": 1}}')
ok(err(r) == "GenericError: Parameter 'id node' is unexpected", "... an argument named with a space: %s" % err(r))
r = ask(f, b'{"execute": "alloc", "arguments": {"type": "movable", "pages": 1, "node": 0}}')
ok("return" in r, "... and one with all its arguments runs: %s" % json.dumps(r)[:80])
# not JSON: QEMU 7.2's answers to these very lines; a request after a
# refused one on the same line is read and run, as QEMU's streamer does
# (no line is skipped: qmpread.c)
for line, want in [(b'{"execute": }', "expecting value"), (b'{"a" 1}', "missing : in object pair"),
                   (b'{1: 2}', "key is not a string in object"),
                   (b'{"a": 1 "b": 2} {"execute": "query-memory-devices", "id": 8}',
                    "expected separator in dict"),
                   (b'[1 2]', "expected separator in list")]:
    r = ask(f, line)
    ok(err(r) == "GenericError: JSON parse error, " + want, "%s: %s" % (line.decode(), err(r)))
    if b'"id": 8' in line:
        r = json.loads(f.readline())
        ok(r == {"return": [], "id": 8}, "... and the request after it on its line answered: %s"
           % json.dumps(r))
# a line whose first byte is wrong, after a newline in the same read: one
# error, then the next line (it repeated the error for ever, a busy loop)
r = ask(f, b'\n,\n{"execute": "query-memory-devices", "id": 9}')
r2 = json.loads(f.readline())
ok(err(r) == "GenericError: JSON parse error, expecting value" and r2 == {"return": [], "id": 9},
   "a line beginning with ',': one error, then the next line's reply: %s" % json.dumps(r2)[:100])
r = ask(f, b'{bad json}')
ok(err(r) == "GenericError: JSON parse error, invalid keyword 'bad'", "not JSON: %s" % err(r))
r = ask(f, b'{"execute": "query-memory-devices", "id": 5}')
ok(r == {"return": [], "id": 5}, "... and the connection still answers: %s" % json.dumps(r))
# hotmem's `events`: its own events too, and the connection still runs commands
r = ask(f, b'{"execute": "events", "id": "ev"}')
ok(r == {"return": {}, "id": "ev"}, "events: %s" % json.dumps(r))
f.write(b'{"execute": "device_add", "arguments": {"driver": "pc-dimm", "id": "d2", "size": "128M"}}\n')
f.flush()
seen, reply = [], None
while reply is None or "UEVENT" not in seen:
    m = json.loads(f.readline())
    if "event" in m:
        seen.append(m["event"])
    else:
        reply = m
ok(reply == {"return": {}} and "UEVENT" in seen,
   "... a device_add on it: QEMU's reply, {}, and its UEVENTs (%s)" % " ".join(sorted(set(seen))))
# hotmem's own "return-device" (hotmemctl's line): the device
r = ask(f, b'{"execute": "device_add", "arguments": {"driver": "pc-dimm", "id": "d3", '
        b'"size": "128M", "return-device": true}}')
ok(r.get("return", {}).get("id") == "d3" and r["return"].get("size") == 128 << 20,
   "... with hotmem's \"return-device\": the device: %s" % json.dumps(r)[:100])
ask(f, b'{"execute": "device_del", "arguments": {"id": "d3", "wait": true}}')
r = ask(f, b'{"execute": "device_del", "arguments": {"id": "d2"}}')
ok(r == {"return": {}}, "... then device_del d2 on it too")
all_ran()
PY
# through hotmemctl: a mistyped KEY=VALUE is said, nothing done (it ran without it)
is "$(ctl alloc movable 1 nod=0 2>&1; echo "rc $?")" "hotmemctl: error: Parameter 'nod' is unexpected
rc 1" "hotmemctl alloc movable 1 nod=0: QAPI's words, exit 1"
is "$(ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["control"]["followers"])')" 0 \
	"the follower gone with its connection"
stop_fs
done_testing
