#!/bin/bash
# The virtio-mem device's answers as 6.12's guest driver takes them
# (drivers/virtio/virtio_mem.c: virtio_mem_send_plug_request(),
# virtio_mem_run_wq()), made with `hotmemctl vmem-inject` (hotmem's fault
# injection: QEMU answers BUSY while migrating or when it cannot
# preallocate the memory). A plug the device refuses (BUSY) logs nothing
# and is retried on the timer: the reply and status say when, the
# device's retry-errno why (hotmem logged an invented "request failed"
# line instead). A NACK starts the run over at once. An ERROR is an
# error the driver does not know: "unknown error, marking device broken:
# -22" at KERN_ERR, and the driver handles nothing more (vm->broken),
# which status and the reply say, until a restart of hotmemfs probes the
# driver anew.
. "$(dirname "$0")/lib.sh"
require_env
want_off_clock
need_tool python3 python3
dev() { ctl --json devices | python3 -c "import json,sys; d=[d for d in json.load(sys.stdin) if d['id']=='$1'][0]; print(d.get('$2', 'none'))"; }
# the log's lines after the first $1
log_after() { ctl dmesg | tail -n +$(($1 + 1)); }

mount_fs "qemu-512m mounts" --profile qemu-512m --cmdline "hotmem.kernel_alloc=off" --fresh
ctl device_add virtio-mem-pci id=vm0 size=1G requested-size=0 >/dev/null
tap_ok $? "virtio-mem vm0, nothing plugged"

# BUSY: -ETXTBSY, the retry timer, silent
n=$(ctl dmesg | wc -l)
ctl vmem-inject vm0 plug BUSY
tap_ok $? "vmem-inject vm0 plug BUSY"
ctl set-size vm0 256M >"$TMP/out" 2>&1
tap_ok $? "set-size vm0 256M is accepted (QEMU's qom-set), whatever the guest does"
grep -qE '^vm0: requested 256M, plugged 0: the device answered BUSY \(the host migrating, or unable to preallocate its memory\); the guest retries in ([1-9]|[1-4][0-9]|50) s \(`hotmemctl vmem-retry vm0`: now\)$' "$TMP/out"
tap_ok $? "the reply says why and when the guest retries: $(cat "$TMP/out")"
is "$(dev vm0 retry-errno)" ETXTBSY "devices: retry-errno ETXTBSY"
is "$(log_after "$n")" "$(printf '<6>virtio_mem virtio0: plugged size: 0x0\n<6>virtio_mem virtio0: requested size: 0x10000000')" \
	"dmesg: the config change's two lines, nothing of the refused plug (6.12's dev_dbg()s are off)"
is "$(ctl vmem-retry vm0)" "the retry timer fired" "vmem-retry vm0"
is "$(dev vm0 plugged-size)" 268435456 "... the retry plugs 256M"
is "$(dev vm0 retry-in-ms)" none "... and its timer is no longer armed"

# NACK: -EAGAIN, the run starts over at once
ctl vmem-inject vm0 plug NACK count=2 && ctl set-size vm0 512M >"$TMP/out" 2>&1
is "$(cat "$TMP/out")" "vm0: requested 512M, plugged 512M" "plug NACKed twice: the run starts over and plugs 512M"

# ERROR: -EINVAL, the device marked broken
n=$(ctl dmesg | wc -l)
ctl vmem-inject vm0 unplug ERROR && ctl set-size vm0 0 >"$TMP/out" 2>&1
tap_ok $? "unplug ERROR injected, set-size vm0 0 accepted"
is "$(cat "$TMP/out")" "vm0: requested 0, plugged 512M: the guest driver marked the device broken (EINVAL: \`hotmemctl dmesg\`) and handles no size change; a restart of hotmemfs probes the driver anew" \
	"the reply says the device is broken"
is "$(log_after "$n" | tail -1)" "<3>virtio_mem virtio0: unknown error, marking device broken: -22" \
	"dmesg: 6.12's line, at KERN_ERR"
ctl status | grep -qxF "vm0: the guest driver marked the device broken (EINVAL: \`hotmemctl dmesg\`) and handles no size change; a restart of hotmemfs probes the driver anew"
tap_ok $? "status says it"
is "$(dev vm0 broken) $(dev vm0 broken-errno) $(dev vm0 retry-in-ms)" "True EINVAL none" \
	"devices --json: broken, broken-errno EINVAL, no retry timer"
n=$(ctl dmesg | wc -l)
ctl set-size vm0 128M >/dev/null
is "$(dev vm0 plugged-size) $(log_after "$n")" "536870912 " \
	"set-size 128M: accepted, nothing unplugged, nothing logged (no config change read)"
is "$(ctl vmem-retry vm0)" "no retry timer armed" "... and no retry timer"
ctl device_del vm0 >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "device_del vm0 is refused while memory is plugged (QEMU's)"
# the reply is QEMU's desc word for word; hotmem's why goes to its log (fde4109c)
grep -qF "the guest driver marked the device broken and unplugs nothing: a restart of hotmemfs probes it anew" "$TMP/hotmemfs.log"
tap_ok $? "... and hotmemfs's log says the broken driver unplugs nothing: $(grep -F "device_del refused" "$TMP/hotmemfs.log" | tail -1)"
ctl check >/dev/null
tap_ok $? "invariants hold"

# a restart probes the driver anew: it works toward requested-size again,
# at once (virtio_mem_probe()'s queue_work(): tests/fusefs/328)
stop_fs
off_clock hotmemfs-vmem mount_fs "restart (its timers' thread off the clock)" \
	--profile qemu-512m --cmdline "hotmem.kernel_alloc=off"
is "$(dev vm0 broken) $(dev vm0 requested-size)" "none 134217728" \
	"after a restart: not broken, requested 128M"
says_within 20 134217728 dev vm0 plugged-size
tap_ok $? "... and the new driver's probe unplugs to 128M"

# bad injections
ctl vmem-inject nosuch plug BUSY >/dev/null 2>"$TMP/err"
tap_ok $((! $?)) "vmem-inject of no virtio-mem device is refused: $(cat "$TMP/err")"
ctl vmem-inject vm0 plug MAYBE >/dev/null 2>"$TMP/err"
is "$?" 2 "vmem-inject vm0 plug MAYBE: a usage error: $(cat "$TMP/err")"
ctl vmem-inject vm0 unplug BUSY count=0 && ctl set-size vm0 0 >/dev/null
is "$(dev vm0 plugged-size)" 0 "count=0 clears"
ctl check >/dev/null
tap_ok $? "invariants hold"

# no retry, nothing logged: a region without another whole memory block (-ENOSPC)
M=$MNT/sys/devices/system/memory
ctl device_add virtio-mem-pci id=vm1 size=1088M requested-size=512M >/dev/null
first=$(($(dev vm1 memaddr) / (128 << 20)))
for b in $(seq $first $((first + 3))); do echo online_movable >"$M/memory$b/state"; done
n=$(ctl dmesg | wc -l)
ctl set-size vm1 1088M >"$TMP/out" 2>&1
is "$(dev vm1 plugged-size)" $((1 << 30)) "vm1, a region of 8.5 memory blocks: 1G plugged of 1088M"
grep -qx "vm1: requested [^,]*, plugged 1G: the rest does not fit the device's usable region in whole memory blocks" "$TMP/out"
tap_ok $? "... the reply says why: $(cat "$TMP/out")"
is "$(dev vm1 plug-stopped) $(dev vm1 retry-in-ms)" "region-full none" "devices --json: plug-stopped region-full, no retry"
ctl status | grep -qxF "vm1: the rest does not fit the device's usable region in whole memory blocks"
tap_ok $? "... status says it too"
is "$(log_after "$n" | grep -v "size: 0x")" "" "... and the log says nothing but the sizes, as 6.12's"
stop_fs
done_testing
