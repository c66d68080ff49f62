#!/bin/bash
# A device that is not there is QEMU's DeviceNotFound, not GenericError
# (usereye5 #10): device_del, qom-get and qom-set of an unknown id or QOM
# path answer {"class": "DeviceNotFound", "desc": "Device 'X' not found"},
# class and words as QEMU 7.2 answers them (checked side by side). Clients
# decide on the class: libvirt's qemuMonitorJSONDelDevice() takes it as
# "already gone". Other refusals stay GenericError.
. "$(dirname "$0")/lib.sh"
require_env

mount_fs "hotmemfs mounts" --fresh --state none

qmp_conversation 120 <<'PY'
import json
from qmp_checks import ok, all_ran, raw_connect, ask, shown

s = raw_connect()
for cmd, args, want in [
        ("device_del", {"id": "nope"}, "DeviceNotFound: Device 'nope' not found"),
        ("device_del", {"id": "/machine/peripheral/nope"},
         "DeviceNotFound: Device '/machine/peripheral/nope' not found"),
        ("qom-get", {"path": "nope", "property": "size"}, "DeviceNotFound: Device 'nope' not found"),
        ("qom-get", {"path": "/machine/peripheral/nope", "property": "size"},
         "DeviceNotFound: Device '/machine/peripheral/nope' not found"),
        ("qom-set", {"path": "nope", "property": "requested-size", "value": 1},
         "DeviceNotFound: Device 'nope' not found"),
        ("qom-set", {"path": "/machine/peripheral/nope", "property": "requested-size", "value": 1},
         "DeviceNotFound: Device '/machine/peripheral/nope' not found"),
        # named whole, as QEMU names it (a QOM path, and any path qom-set
        # refused, was cut at 200 bytes)
        ("device_del", {"id": "/machine/peripheral/" + "n" * 300},
         "DeviceNotFound: Device '/machine/peripheral/" + "n" * 300 + "' not found"),
        ("qom-set", {"path": "q" * 300, "property": "block-size", "value": 1},
         "DeviceNotFound: Device '" + "q" * 300 + "' not found"),
        # past 511 bytes, in 2-byte characters: whole, and the reply still
        # UTF-8 (a cut at 511 split a character: final read finalC 2)
        ("device_del", {"id": "\u00e9" * 400},
         "DeviceNotFound: Device '" + "\u00e9" * 400 + "' not found"),
        ("qom-get", {"path": "x" + "\u00e9" * 400, "property": "size"},
         "DeviceNotFound: Device 'x" + "\u00e9" * 400 + "' not found"),
        ("device_add", {"driver": "pc-dimm", "id": "d1", "size": "128M"}, None),
        ("qom-get", {"path": "d1", "property": "bogus"},
         "GenericError: Property 'pc-dimm.bogus' not found"),
        ("device_add", {"driver": "pc-dimm", "id": "d1", "size": "128M"},
         "GenericError: Duplicate device ID 'd1'")]:
    r = ask(s, cmd, **args)
    if want is not None:
        ok(shown(r) == want, "%s %s: %s" % (cmd, json.dumps(args), shown(r)))
# a name past the reply's 4 KiB of error text is cut there, at a character
# (the line is read as UTF-8 by ask(): a cut inside one fails it)
r = ask(s, "device_del", id="\u00e9" * 2100)
ok(shown(r).startswith("DeviceNotFound: Device '" + "\u00e9" * 2000),
   "a name of 4200 bytes: cut at a character, the reply UTF-8 (%d characters)" % len(shown(r)))
all_ran()
PY
stop_fs
done_testing
