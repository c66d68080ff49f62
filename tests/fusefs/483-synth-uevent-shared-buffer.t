#!/bin/bash
# A synthetic uevent's variables share kobject_uevent_env()'s one buffer
# with ACTION, DEVPATH, SUBSYSTEM and SEQNUM (6.12 lib/kobject_uevent.c:
# add_uevent_var() into one struct kobj_uevent_env, UEVENT_BUFFER_SIZE
# 2048 bytes, UEVENT_NUM_ENVP 64 keys): SYNTH_ variables that fit
# kobject_synth_uevent()'s own buffer but not that one are -ENOMEM,
# said as a failed send, no event sent.  hotmemfs bounded them alone and
# sent them (small40 item 5).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
U=01234567-89ab-cdef-0123-456789abcdef
mount_fs "hotmemfs mounts default" --profile default --fresh

# SYNTH_UUID=U (47 bytes with its NUL) and SYNTH_ARG_A=V (13 + 1980):
# 2040 of kobject_synth_uevent()'s 2048, but with ACTION=change,
# DEVPATH=/devices/system/memory/memory2, SUBSYSTEM=memory and SEQNUM
# past the 2048 of kobject_uevent_env()'s
V=$(printf 'v%.0s' $(seq 1980))
is "$(W $M/memory2/uevent "change $U A=$V")" "ENOMEM" "uevent <- change with a 1980-byte value: ENOMEM"
ctl dmesg | grep -E 'synth uevent: |uevent: failed to send synthetic uevent' | tail -n 2 >"$TMP/synth.log"
is "$(cat "$TMP/synth.log")" "<4>synth uevent: /devices/system/memory/memory2: failed to send uevent
<3>memory memory2: uevent: failed to send synthetic uevent: -12" \
	"... said as kobject_synth_uevent() and uevent_store() say a failed send"
# 63 arguments and SYNTH_UUID: kobject_synth_uevent()'s 64 keys, but 68
# with ACTION, DEVPATH, SUBSYSTEM and SEQNUM: "too many keys"
ARGS=$(for i in $(seq 63); do printf ' K%d=1' "$i"; done)
is "$(W $M/memory2/uevent "change $U$ARGS")" "ENOMEM" "uevent <- change with 63 arguments: ENOMEM"
# what fits together is sent as before: 59 keys, 1800 bytes of value
V=$(printf 'v%.0s' $(seq 1800))
is "$(W $M/memory2/uevent "change $U A=$V")" "ret=$((7 + 36 + 3 + 1800))" "uevent <- change with a 1800-byte value: sent"
ARGS=$(for i in $(seq 59); do printf ' K%d=1' "$i"; done)
is "$(W $M/memory2/uevent "change $U$ARGS")" "ret=$((7 + 36 + ${#ARGS}))" "uevent <- change with 59 arguments: sent"
stop_fs
done_testing
