#!/bin/bash
# A state file whose path is nearly PATH_MAX long (a deep directory): what
# hotmemfs says about it is whole, the path and what to do after it
# (finalD 3: frozen_why was a fixed buffer, and %.200s cut the path).
#  - frozen (a change neither saved nor undone, as unsaved-frozen.t): the
#    log says the whole path and "restart hotmemfs to go back to the file's
#    machine"; hotmemctl's replies, which hold 4 KiB, cut the reason
#    (" ...") but keep that advice whole; the exit's line says it whole.
#  - a damaged journal refuses the start, saying which record of how many
#    after the whole path, and the ways out name it whole.
. "$(dirname "$0")/lib.sh"
require_env
state_on_small_tmpfs hotmem-long-path
M=$MNT/sys/devices/system/memory
ADVICE="; the machine differs from the file: restart hotmemfs to go back to the file's machine"

# a directory 200 characters a level, the last one shorter: a state file
# path of 4080 characters (hotmemfs takes up to PATH_MAX - 9, 4087)
d=$SD
while [ $((${#d} + 201 + 201 + 15)) -le 4080 ]; do d=$d/$(printf 'd%.0s' $(seq 200)); done
d=$d/$(printf 'e%.0s' $(seq $((4080 - 15 - ${#d} - 1))))
mkdir -p "$d"
STATE=$d/hotmemfs.state
is "${#STATE}" 4080 "a state file path of 4080 characters"

start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m, its state file there"
ctl device_add pc-dimm id=d1 size=256M >/dev/null
tap_ok $? "a DIMM (memory32, memory33 offline)"

# ---- frozen -------------------------------------------------------------
full_no_undo
echo online_movable >"$M/memory32/state" 2>/dev/null
tap_ok $((! $?)) "onlining memory32 is refused: not saved, not undone"
line=$(grep "takes no more changes" "$TMP/hotmemfs.log" | head -1)
[[ $line == *"saving the state file $STATE failed (No space left on device) and the memoryN/state could not be undone"*"$ADVICE" ]]
tap_ok $? "the log says why with the whole path, and what to do, whole" ||
	diag "$(printf %s "$line" | head -c 300) ... $(printf %s "$line" | tail -c 200)"

rm -f "$SD/fill" "$SD/fill2"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null 2>&1
# replies (ctl.c ERRLEN) hold 4 KiB: the reason cut, the advice not
ctl device_add pc-dimm id=d2 size=128M >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "takes no more changes: saving the state file $SD/d" "$TMP/err" &&
	grep -q " \.\.\.; the machine differs from the file: restart hotmemfs to go back to the file's machine$" "$TMP/err"
tap_ok $? "a device_add is refused, its reply cut in the reason, the advice whole" ||
	diag "exit $rc, $(wc -c <"$TMP/err") bytes: $(head -c 100 "$TMP/err") ... $(tail -c 300 "$TMP/err")"
ctl save 2>"$TMP/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "restart hotmemfs to go back to the file's machine$" "$TMP/err"
tap_ok $? "hotmemctl save is refused, the advice whole" ||
	diag "exit $rc: $(tail -c 200 "$TMP/err")"
stop_fs
line=$(grep "the machine is not saved at exit" "$TMP/hotmemfs.log")
[[ $line == *"hotmemfs takes no more changes: saving the state file $STATE failed"*"$ADVICE" ]]
tap_ok $? "the exit's line says it whole" || diag "$(printf %s "$line" | tail -c 200)"

# ---- a damaged journal --------------------------------------------------
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "hotmemfs restarts (the file's machine)"
flips 3 >/dev/null
kill9_fs
# record 1 of 3: one bit of its JSON flipped, its CRC32 then fails
python3 - "$STATE.journal" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[data.index(b'"seq"') + 2] ^= 1
open(sys.argv[1], "wb").write(data)
PY
refused "is damaged: record 1 of 3 fails its CRC32 checksum (" "a damaged journal" "${STATE_OPTS[@]}"
grep -qF "journal $STATE.journal is damaged: record 1 of 3 fails its CRC32 checksum (" "$TMP/err.txt" &&
	grep -q "records 2-3 are intact: 2 changes acknowledged after it$" "$TMP/err.txt"
tap_ok $? "... the error whole: the path, which record, what follows it"
grep -qF "to keep the 0 changes before record 1: start with --restore-partial (loses the 3 acknowledged changes from record 1 on; the journal is kept as $STATE.journal.damaged)" "$TMP/err.txt" &&
	grep -qF "mv $STATE.journal $STATE.journal.bad (loses all 3" "$TMP/err.txt"
tap_ok $? "... the ways out whole, with the whole path"
done_testing
