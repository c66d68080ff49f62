#!/bin/bash
# A DIMM the guest's kernel refuses (add_memory() fails: here its memmap,
# 1G of struct pages, does not fit in the 512M guest, -ENOMEM), as QEMU
# 7.2 and a 6.12 guest do it (tests/fixtures/acpi-refused, a real capture;
# drivers/acpi/acpi_memhotplug.c, scan.c): QEMU's device_add succeeds and
# keeps the DIMM -- listed by query-memory-devices, its slot taken -- the
# guest logs "acpi PNP0C80:00: add_memory failed" and
# "acpi_memory_enable_device() error", has no memoryN of it, and its _OST
# of the device check says success (acpi_bus_attach() drops the error).
# device_del then ejects it: "eject in progress", DEVICE_DELETED, success
# for the emptied slot, no uevent (nothing to offline).  hotmemctl's reply
# says the refusal and what stays; the state file keeps the refused DIMM
# across kill -9.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
PNP=$MNT/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00
FIX=$HOTMEM_SRC/tests/fixtures/acpi-refused/qemu-6.12-refused.txt
like() {
	printf '%s\n' "$1" | grep -qE "$2"
	tap_ok $? "$3" || diag "got: $1"
}

# fixture_vs_ours: the fixture's QMP events (d1 in slot 0) against the
# stream's of DIMM huge in slot 0 (ost_fixture.py, as 99's): one line a
# difference
fixture_vs_ours() {
	python3 "$HOTMEM_SRC/tests/fusefs/ost_fixture.py" "$TMP/ev.json" "$FIX" - huge 0 2>&1
}

printf 'profile = qemu-512m\nmaxmem = 256G\n' >"$TMP/p.profile"
OPTS=(--profile "$TMP/p.profile" --cmdline memhp_default_state=offline)
mount_fs "hotmemfs mounts qemu-512m with maxmem 256G" --fresh "${OPTS[@]}"
"$HMCTL" -s "$CTL" -j events >"$TMP/ev.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows"

out=$(ctl device_add pc-dimm size=64G id=huge 2>&1)
tap_ok $? "device_add of a 64G DIMM whose memmap does not fit succeeds, as QEMU's" || diag "$out"
like "$out" "^huge: +64G at 0x100000000, plugged in slot 0 but refused by the guest \\(ENOMEM\\): the guest could not add huge's memory: add_memory\\(node 0, 0x100000000, 0x1000000000\\) failed: Cannot allocate memory \\(-ENOMEM\\); its memmap needs 1G .*; the DIMM stays, its slot taken, with no memory in the guest, until \`hotmemctl device_del huge\`$" \
	"... the reply says the guest refused it, why, and what stays"
[ ! -e "$M/memory32" ]
tap_ok $? "no memory32: the guest added none of it"
is "$(ctl dmesg | grep -c 'acpi PNP0C80:00: add_memory failed\|acpi PNP0C80:00: acpi_memory_enable_device() error')" 2 \
	"the guest's log: add_memory failed, acpi_memory_enable_device() error (6.12's dev_err)"
is "$(ctl -j query-memory-devices | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]["data"]; print(d["id"], d["slot"], hex(d["addr"]), d["size"] >> 30)')" \
	"huge 0 0x100000000 64" "query-memory-devices lists it, in slot 0 (as the fixture's QEMU)"
like "$(ctl devices)" "^huge: plugged in slot 0 but refused by the guest \\(ENOMEM\\)" "devices: a line says the refusal"
like "$(ctl status)" "^huge: plugged in slot 0 but refused by the guest \\(ENOMEM\\)" "status: the same line"
like "$(ctl map)" "device huge: pc-dimm, 64G at 0x100000000, node 0, refused by the guest \\(ENOMEM\\): no memory of it" \
	"map: its legend says it"
is "$(cat "$PNP/status" 2>&1)" 15 "the slot's ACPI device is present (_STA 15, as the fixture's guest)"
out=$(ctl device_add pc-dimm size=128M slot=0 id=other 2>&1)
like "$out" "slot 0 is busy" "its slot stays taken (QEMU's 'slot 0 is busy')"
ctl settle --timeout 60 >/dev/null
ev_wait "$TMP/ev.json" '"source":1' 1
tap_ok $? "its device check's _OST arrived"

kill9_fs
mount_fs "kill -9, restart on the state file" "${OPTS[@]}"
like "$(ctl devices)" "^huge: plugged in slot 0 but refused by the guest \\(ENOMEM\\): the guest could not add" \
	"after the restart: huge is back, refused, with its reason"
[ ! -e "$M/memory32" ]
tap_ok $? "... still without memory32"
like "$(ctl device_add pc-dimm size=128M slot=0 id=other 2>&1)" "slot 0 is busy" "... its slot still taken"
log=$(ctl dmesg) && [ -n "$log" ]
tap_ok $? "... the guest's log read"
is "$(grep -c 'acpi_memory_enable_device() error' <<<"$log")" 0 \
	"... and the guest was not asked again (no new refusal logged)"

# the device check's _OST came before the restart: the first follower's
"$HMCTL" -s "$CTL" -j events >"$TMP/ev2.json" 2>"$TMP/ev.err" &
follow_wait 1 "hotmemctl events follows again"
out=$(ctl device_del huge 2>&1)
tap_ok $? "device_del huge: ejected" || diag "$out"
ev_wait "$TMP/ev2.json" '"status":0}' 1
tap_ok $? "... its eject's last _OST arrives"
cat "$TMP/ev2.json" >>"$TMP/ev.json"
is "$(fixture_vs_ours)" "" \
	"device check success, eject in progress, DEVICE_DELETED, success for the emptied slot: as QEMU 7.2 + 6.12 (fixture)"
is "$(grep '"UEVENT"' "$TMP/ev.json" | grep -c '"subsystem":"memory"')" 0 \
	"no memory block uevent: nothing added, nothing to offline or remove"
is "$(ctl -j query-memory-devices | tr -d " \n")" "[]" "query-memory-devices: none"
ctl device_add pc-dimm size=128M slot=0 id=other >/dev/null
tap_ok $? "slot 0 free again"
# the "no memory block uevent" above counted a stream that carries them
# (the same follower, the same words), not one that carries none at all
ev_wait "$TMP/ev2.json" '"subsystem":"memory"' 1
tap_ok $? "... other's blocks' uevents reach the follower: the count of none above could have found one"
stop_fs
done_testing
