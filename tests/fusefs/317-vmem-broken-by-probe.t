#!/bin/bash
# A block probed (the sysfs probe interface) into a virtio-mem device's
# region where the driver adds its next block: the driver's own add then
# fails (add_memory_driver_managed(): -EEXIST, the range taken) and
# 6.12's virtio_mem_run_wq() takes it for an error it does not know:
# "unknown error, marking device broken: -17", the driver handles nothing
# more (docs/engine.md says so since 1fa4c751; no test showed it).  The
# set-size reply and status say what EEXIST means here, and that the
# driver a restart probes breaks again at that block while the probed
# memory stays -- which the restart on the state file shows.  Without
# hotmemctl's print_broken() EEXIST words checks 6, 8 and 13 fail.
. "$(dirname "$0")/lib.sh"
require_env
need_tool python3 python3
M=$MNT/sys/devices/system/memory
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2', 'none'))"; }
BROKEN="v: the guest driver marked the device broken (EEXIST: \`hotmemctl dmesg\`; the block it adds next is added already, probed into its region) and handles no size change; a restart of hotmemfs probes the driver anew, which breaks again there while that memory stays"

mount_probe_vmem v
echo 0x100000000 >"$M/probe"
tap_ok $? "the guest probes 0x100000000, the block the driver adds first"
ctl set-size v 128M >"$TMP/out" 2>&1
tap_ok $? "set-size v 128M is accepted (QEMU's qom-set)"
ctl dmesg | grep -q "<3>virtio_mem virtio0: unknown error, marking device broken: -17$"
tap_ok $? "dmesg: 6.12's line, -EEXIST"
is "$(cat "$TMP/out")" "v: requested 128M, plugged 0: ${BROKEN#v: }" "the reply says what broke it"
is "$(dev v broken) $(dev v broken-errno) $(dev v plugged-size)" "True EEXIST 0" \
	"devices --json: broken, broken-errno EEXIST, nothing plugged"
ctl status | grep -qxF "$BROKEN"
tap_ok $? "status says it"

stop_fs
mount_fs "restart on the state file" --profile "$TMP/probe.profile"
is "$(cat "$M/memory32/state" 2>&1)" offline "the probed memory32 is back"
ctl vmem-retry v >/dev/null
tap_ok $? "the restored driver's work runs (vmem-retry)"
is "$(dev v broken) $(dev v broken-errno) $(dev v plugged-size)" "True EEXIST 0" \
	"... and the driver probed anew broke again at memory32"
ctl status | grep -qxF "$BROKEN"
tap_ok $? "status says it again"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
