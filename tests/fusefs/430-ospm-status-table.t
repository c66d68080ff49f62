#!/bin/bash
# hotmemctl query-acpi-ospm-status without --json is a table whose last
# column names the guest's _OST as well as numbering it (docs43 F6): it
# printed QEMU's reply as one long JSON line, `"source": 3, "status": 130`
# for a refused eject, numbers a reader had to look up in the ACPI
# specification. --json still prints QEMU's reply (148).
. "$(dirname "$0")/lib.sh"
require_env

printf 'profile = qemu-512m\n' >"$TMP/p.profile"
mount_fs "hotmemfs mounts qemu-512m (4 DIMM slots)" --fresh \
	--profile "$TMP/p.profile" --cmdline memhp_default_state=offline
out=$(ctl query-acpi-ospm-status)
sed "s/^/# /" <<<"$out"
is "$(head -1 <<<"$out")" "SLOT TYPE      DEVICE       LAST _OST (the guest's answer)" "a header line"
is "$(sed -n 2p <<<"$out")" "0    DIMM      -            none yet" "no _OST yet: none yet, not 0, 0"
is "$(wc -l <<<"$out")" 5 "... a row a slot"

ctl device_add pc-dimm id=d6 size=128M >/dev/null
ctl settle --timeout 60 >/dev/null
is "$(ctl query-acpi-ospm-status | sed -n 2p)" \
	"0    DIMM      d6           device check (plug), source 0x1: success, status 0x0" \
	"after the plug: the device check named, the DIMM in its slot"
ctl device_del d6 >/dev/null
ctl settle --timeout 60 >/dev/null
is "$(ctl query-acpi-ospm-status | sed -n 2p)" \
	"0    DIMM      -            eject request (unplug), source 0x3: success, status 0x0" \
	"after the eject: the eject request named, kept after the DIMM is gone"

# a refused eject: device busy, 0x82
ctl device_add pc-dimm id=d7 size=128M >/dev/null
echo online_kernel >"$MNT/sys/devices/system/memory/memory32/state"
ctl alloc unmovable 1000 >/dev/null
ctl device_del d7 >/dev/null 2>&1
ctl settle --timeout 60 >/dev/null
is "$(ctl query-acpi-ospm-status | sed -n 2p)" \
	"0    DIMM      d7           eject request (unplug), source 0x3: device busy, status 0x82" \
	"a refused eject: device busy, its status in hex as the device_del error says it"
is "$(ctl -j query-acpi-ospm-status | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')" \
	130 "--json: QEMU's reply, the number"
stop_fs
done_testing
