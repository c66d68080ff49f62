#!/bin/bash
# A block number is memoryN's N, decimal (usereye7 #1): hotmemctl and
# hotmemfs read every number with strtoll(base 0), so `online 040` onlined
# memory32 (C's octal), `online 08` was "not a block number", `offline
# 0x20` offlined memory32, and a raw {"block": "040"} did the same on the
# socket.  Now a block is digits, no leading 0 (as C's octal, as chmem's
# decimal or as a pasted phys_index's hex it is three blocks: refused,
# saying so, nothing sent; hotmemfs refuses it on the socket, the block
# as it was); a JSON number stays a number.  The other numbers (pages,
# ms, nth, a pfn) are decimal, zero-padded too, or 0x hex: `alloc movable
# 010` allocated 8 pages.  QEMU's own device_add slot= keeps QEMU's
# reading (qemu_strtoi64() base 0: slot=010 is slot 8).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

# refused EXIT PATTERN NAME -- HOTMEMCTL-ARGS...: exit status EXIT, a
# line on stderr matching the extended regex PATTERN
refused() {
	local want=$1 pat=$2 name=$3 rc
	shift 4
	ctl "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qE "$pat" "$TMP/err"; then
		ok "$name"
	else
		nok "$name"
		diag "exit $rc (want $want)"
		sed 's/^/#   stdout: /' "$TMP/out"
		sed 's/^/#   stderr: /' "$TMP/err"
	fi
}
states() { cat "$M/memory32/state" "$M/memory33/state" | tr '\n' ' '; }

mount_fs "hotmemfs mounts" --fresh
ctl device_add pc-dimm id=d1 size=256M addr=0x100000000 >/dev/null
is "$(states)" "offline offline " "a DIMM at 4 GiB: memory32 and memory33, offline"

refused 2 "^hotmemctl: online: bad block '040': a block number, 0 or more, decimal as in memoryN, without a leading 0 \(is 040 decimal, C's octal or a phys_index's hex\?\)" \
	"online 040: refused, nothing sent (it onlined memory32, octal 40)" -- online 040 online_movable
refused 2 "^hotmemctl: online: bad block '08': .*without a leading 0" "online 08: refused as zero-padded, not as no number" -- online 08
refused 2 "^hotmemctl: online: bad block '00000020': .*without a leading 0" \
	"online 00000020 (memory32's phys_index): refused (octal 16, decimal 20, hex 32)" -- online 00000020
refused 2 "^hotmemctl: online: bad block '0x20': a block number, 0 or more, decimal as in memoryN, not hex \(0x20 is 32\)" \
	"online 0x20: refused, saying which block it is" -- online 0x20 online_movable
refused 2 "^hotmemctl: explain: bad block '040'" "explain 040: refused too" -- explain 040
is "$(states)" "offline offline " "... memory32 and memory33 as they were"

# hotmemfs, sent the string as is
# in hotmemctl's words (one text: reread-fusefs #2)
refused 1 "^hotmemctl: error: Parameter 'block' expects a block number, 0 or more, decimal as in memoryN, without a leading 0 \(is 040 decimal, C's octal or a phys_index's hex\?\)$" \
	"raw block-set-state block \"040\": hotmemfs refuses it" -- \
	raw '{"execute": "block-set-state", "arguments": {"block": "040", "state": "online_movable"}}'
refused 1 "^hotmemctl: error: Parameter 'block' expects a block number, 0 or more, decimal as in memoryN, not hex \(0x20 is 32\)$" "raw block \"0x20\": refused" -- \
	raw '{"execute": "block-set-state", "arguments": {"block": "0x20", "state": "online_movable"}}'
refused 1 "^hotmemctl: error: Parameter 'block' expects a block number" "raw explain block \"040\": refused" -- \
	raw '{"execute": "explain", "arguments": {"block": "040"}}'
is "$(states)" "offline offline " "... memory32 and memory33 as they were"

# what is a block number still is one: a JSON number, a decimal string
ctl raw '{"execute": "block-set-state", "arguments": {"block": 32, "state": "online_movable"}}' >/dev/null &&
	ctl raw '{"execute": "block-set-state", "arguments": {"block": "33", "state": "online_movable"}}' >/dev/null
tap_ok $? "raw block 32 (a JSON number) and \"33\" (decimal): taken"
is "$(states)" "online online " "... memory32 and memory33 online"
ctl offline 32 >/dev/null && ctl online 32 online_movable >/dev/null
tap_ok $? "offline 32, online 32: decimal, taken"

# the other numbers: decimal, a leading 0 no octal; 0x hex
is "$(ctl alloc movable 010 2>&1)" "allocated 10 movable pages (40K)" "alloc movable 010: ten pages (it was eight)"
is "$(ctl alloc movable 0x10 2>&1)" "allocated 16 movable pages (64K)" "alloc movable 0x10: sixteen"
is "$(ctl alloc movable 09 2>&1)" "allocated 9 movable pages (36K)" "alloc movable 09: nine (it was refused)"
ctl -j explain 32 from=0x120000 >/dev/null
tap_ok $? "explain 32 from=0x120000: a pfn in hex, taken"
# QEMU's device_add slot=: QEMU's reading, base 0
ctl device_add pc-dimm id=d2 size=128M slot=010 >/dev/null
is "$(ctl qom-get d2 slot 2>&1)" 8 "device_add slot=010: slot 8, as QEMU reads -device slot=010"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
