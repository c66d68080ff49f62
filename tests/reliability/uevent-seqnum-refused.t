#!/bin/bash
# The SEQNUM after a synthetic uevent refused for room is the kernel's.
# 6.12 lib/kobject_uevent.c kobject_uevent_env() adds ACTION, DEVPATH,
# SUBSYSTEM and the caller's variables, then
# add_uevent_var(env, "SEQNUM=%llu", atomic64_inc_return(&uevent_seqnum)):
# the number is taken before add_uevent_var() checks its room, so a
# uevent refused (-ENOMEM) only at SEQNUM uses a number up and the next
# uevent says n+2; one refused before SEQNUM (its variables alone too
# big, or too many) takes none.  hotmemfs refused both before taking a
# number (reread review R2: the next SEQNUM said n+1 after either).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory
W() { python3 "$HOTMEM_SRC/tests/fusefs/sysw.py" w "$@"; }
U=01234567-89ab-cdef-0123-456789abcdef
USOCK=$TMP/uevent.sock
mount_fs "hotmemfs mounts default with a Unix uevent socket" --profile default --fresh \
	--netns none -u "$USOCK"
export UEVENT_LISTEN_SEQNUM=1
uevents_start
# change <- each ARGS; "change" alone between them is the probe whose SEQNUM counts
probe() { is "$(W $M/memory2/uevent change)" "ret=6" "uevent <- change: sent"; }
refused() { is "$(W $M/memory2/uevent "change $U$1")" "ENOMEM" "uevent <- change $2: ENOMEM"; }
probe
# ACTION=change (14 bytes with its NUL), DEVPATH=/devices/system/memory/memory2
# (39), SUBSYSTEM=memory (17), SYNTH_UUID=U (48), SYNTH_ARG_A=V (13 + L):
# 131 + L of UEVENT_BUFFER_SIZE's 2048.  L 1980: past it before SEQNUM
refused " A=$(printf 'v%.0s' $(seq 1980))" "with a 1980-byte value (past the buffer before SEQNUM)"
probe
# L 1909: 2040 bytes fit, SEQNUM=N (9 or more) does not
refused " A=$(printf 'v%.0s' $(seq 1909))" "with a 1909-byte value (only SEQNUM past the buffer)"
probe
# UEVENT_NUM_ENVP 64: 3 + SYNTH_UUID + 61 arguments are past it before
# SEQNUM, with 60 arguments SEQNUM is the 65th
refused "$(for i in $(seq 61); do printf ' K%d=1' "$i"; done)" "with 61 arguments (a key too many before SEQNUM)"
probe
refused "$(for i in $(seq 60); do printf ' K%d=1' "$i"; done)" "with 60 arguments (SEQNUM the 65th key)"
probe
uevents_stop
seqs=$(awk '$1 == "change" && $2 == "/devices/system/memory/memory2" { sub("seqnum=", "", $5); print $5 }' "$TMP/ue.txt")
first=$(head -n1 <<<"$seqs")
is "$(for s in $seqs; do printf '%s ' $((s - first)); done)" "0 1 3 4 6 " \
	"the probes' SEQNUMs: a number used up by each refusal at SEQNUM, none by one before it"
stop_fs
done_testing
