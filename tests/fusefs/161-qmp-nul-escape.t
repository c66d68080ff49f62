#!/bin/bash
# A \u0000 in a QMP string is the character U+0000, as QEMU's parser
# takes it (qobject/json-parser.c parse_string(): mod_utf8_encode() gives
# modified UTF-8's "\xC0\x80"; tests/unit/check-qjson.c "\\u0000x"), not
# the string's end: a name holding one names nothing, the command is
# refused in its own words (QEMU's writer gives the \u0000 back), nothing
# changes (block state, requested-size, the state file and its journal
# byte for byte) and
# the connection goes on.  hotmemfs cut every string at the NUL and ran
# the command on the prefix: qom-get of "vm0\u0000junk" answered vm0's
# value, block-set-state "online_movable\u0000junk" onlined a block,
# qom-set of "requested-size\u0000x" shrank vm0 (usereye6 A).  Keys too,
# and a request whose escape a write cuts.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts (qemu-512m, hot-added memory offline, a private state file)" \
	--fresh --profile qemu-512m --cmdline "memhp_default_state=offline hotmem.kernel_alloc=off"
M=$MNT/sys/devices/system/memory
ctl device_add pc-dimm size=1G id=dimm1 >/dev/null
tap_ok $? "device_add pc-dimm dimm1 (1G, its blocks offline)"
ctl device_add virtio-mem-pci id=vm0 size=2G requested-size=1G >/dev/null
tap_ok $? "device_add virtio-mem-pci vm0 (2G, requested-size 1G)"
blk=
for d in "$M"/memory*; do
	[ "$(cat "$d/state")" = offline ] && { blk=${d##*memory}; break; }
done
[ -n "$blk" ]
tap_ok $? "an offline block: memory$blk"

# the state file, the memory directory, the offline block: the script's environment
STATE=$STATE MEM=$M BLK=$blk qmp_conversation 300 <<'PY'
import json, os
from qmp_checks import all_ran, ok, raw_connect, shown
from qmp_checks import ask as qmp_ask, reply as qmp_reply

statefile, mem, blk = os.environ["STATE"], os.environ["MEM"], int(os.environ["BLK"])
s = raw_connect()
seen = []  # every event this connection got


def reply():
    return qmp_reply(s, seen)


def ask(cmd, args=None, pieces=None):
    return qmp_ask(s, cmd, events_into=seen, pieces=pieces, **(args or {}))


def state():
    """the state file and its journal, as bytes"""
    out = b""
    for p in [statefile, statefile + ".journal"]:
        try:
            out += open(p, "rb").read() + b"\0"
        except FileNotFoundError:
            out += b"-\0"
    return out


def size(prop):
    r = ask("qom-get", {"path": "vm0", "property": prop})
    return r.get("return")


blkstate = "%s/memory%d/state" % (mem, blk)
req0, size0 = size("requested-size"), size("size")
ok(req0 == 1 << 30 and size0 == 1 << 30, "vm0: requested-size and size 1G (%r %r)" % (req0, size0))
before = state()
NUL = "\0"
for cmd, args, want in [
        ("qom-get", {"path": "vm0" + NUL + "junk", "property": "requested-size"},
         "DeviceNotFound: Device 'vm0" + NUL + "junk' not found"),
        ("block-set-state", {"block": blk, "state": "online_movable" + NUL + "junk"}, "GenericError: "),
        ("qom-set", {"path": "vm0", "property": "requested-size" + NUL + "x", "value": "512M"},
         "GenericError: Property 'virtio-mem-pci.requested-size" + NUL + "x' not found"),
        # a key: the argument is not "value"
        ("qom-set", {"path": "vm0", "property": "requested-size", "val" + NUL + "ue": "512M"},
         "GenericError: Parameter 'val" + NUL + "ue' is unexpected"),
        ("device_del", {"id": "vm0" + NUL}, "DeviceNotFound: Device 'vm0" + NUL + "' not found")]:
    r = ask(cmd, args)
    ok(shown(r).startswith(want) and (want.endswith(": ") or shown(r) == want),
       "%s %s: refused in its own words: %s" % (cmd, json.dumps(args), json.dumps(r)))
ok(open(blkstate).read() == "offline\n", "memory%d is still offline" % blk)
ok(size("requested-size") == req0 and size("size") == size0, "vm0's requested-size and size unchanged")
ok(state() == before, "the state file is unchanged, byte for byte")
ok(not [e for e in seen if e["event"] == "MEMORY_DEVICE_SIZE_CHANGE" and e["data"]["size"] != 1 << 30],
   "no MEMORY_DEVICE_SIZE_CHANGE to another size: %s" % json.dumps(seen)[:300])
# the escape cut by a write at each of its bytes: the same answer
want = "DeviceNotFound: Device 'vm0" + NUL + "junk' not found"
data = json.dumps({"execute": "qom-get", "arguments": {"path": "vm0" + NUL + "junk",
                                                       "property": "size"}}).encode()
at = data.index(b"\\u0000")
bad = [i for i in range(at - 1, at + 7) if shown(ask("qom-get", {"path": "vm0" + NUL + "junk",
                                                                "property": "size"},
                                                    [i])) != want]
ok(not bad, "a \\u0000 split over two writes, at each of its bytes: the same refusal (%s)" % bad)
# an escape that only begins like one, cut there: taken as it was
r = ask("qom-get", {"path": "vm0", "property": "size"}, [at])
ok(r.get("return") == size0, "qom-get vm0 split at the same place still answers: %s" % json.dumps(r))
r = ask("qom-get", {"path": "vm0" + "\u0001", "property": "size"},
        [data.index(b"\\u0") + 3])
ok(shown(r) == "DeviceNotFound: Device 'vm0\u0001' not found", "\\u0001 cut after \\u0: %s" % shown(r))
# the id echoed as it came, and the connection answers on
s.sendall(b'{"execute": "query-memory-devices", "id": "a\\u0000b"}\n')
r = reply()
ok(r.get("id") == "a" + NUL + "b" and isinstance(r.get("return"), list),
   "the id a\\u0000b echoed whole, the command answered: %s" % json.dumps(r)[:200])
ok(state() == before, "the state file is still unchanged")
all_ran()
PY

# the same through hotmemctl raw: its error printed whole, the U+0000 as the
# reply's \u0000 (json-c's NUL cut it at "Device 'vm0"), the request sent as
# typed (json-c cut the key "val\u0000ue" to "val" before sending it)
req0=$(ctl qom-get vm0 requested-size)
sum0=$(cat "$STATE" "$STATE.journal" 2>/dev/null | md5sum)
while IFS='|' read -r req want; do
	out=$(ctl raw "$req" 2>&1 >/dev/null)
	is "$?:$out" "1:hotmemctl: error: $want" "hotmemctl raw $req: the whole name"
done <<'EOF_CASES'
{"execute": "qom-get", "arguments": {"path": "vm0\u0000junk", "property": "requested-size"}}|Device 'vm0\u0000junk' not found
{"execute": "qom-set", "arguments": {"path": "vm0", "property": "requested-size\u0000x", "value": "512M"}}|Property 'virtio-mem-pci.requested-size\u0000x' not found
{"execute": "qom-set", "arguments": {"path": "vm0", "property": "requested-size", "val\u0000ue": "512M"}}|Parameter 'val\u0000ue' is unexpected
{"execute": "device_del", "arguments": {"id": "vm0\u0000"}}|Device 'vm0\u0000' not found
{"execute": "qom-set", "arguments": {"path": "vm0", "property": "requested-size", "value": "512M", "value": "1G"}}|JSON parse error, duplicate key
EOF_CASES
out=$(ctl raw "{\"execute\": \"block-set-state\", \"arguments\": {\"block\": $blk, \"state\": \"online_movable\\u0000junk\"}}" 2>&1 >/dev/null)
is "$?:${out%%:*}" "1:hotmemctl" "hotmemctl raw block-set-state online_movable\\u0000junk: refused: $out"
out=$(ctl raw '{"execute": "qom-get", "arguments": {"path": "vm0", "property": "size"}} {"execute": "device_del", "arguments": {"id": "vm0"}}' 2>&1)
is "$?:$out" '2:hotmemctl: raw: not valid JSON: {"execute": "qom-get", "arguments": {"path": "vm0", "property": "size"}} {"execute": "device_del", "arguments": {"id": "vm0"}}' \
	"hotmemctl raw with a second request after the first: refused, nothing sent"
is "$(cat "$M/memory$blk/state")" offline "memory$blk is still offline"
is "$(ctl qom-get vm0 requested-size)" "$req0" "vm0's requested-size unchanged, vm0 still there"
is "$(cat "$STATE" "$STATE.journal" 2>/dev/null | md5sum)" "$sum0" "the state file unchanged, byte for byte"
stop_fs
done_testing
