#!/bin/bash
# hotmemctl -t N offline BLOCK on a block with pinned pages: offline_pages()
# loops until its signal, and hotmemfs takes hotmemctl's hang-up as that
# signal (ctl.c ctl_signal_pending()).  When -t runs out, the fate of the
# offline is known -- interrupted (EINTR), the block stays online -- and
# hotmemctl says so, and where to look, not "hotmemfs busy or hung? The
# command may still complete there" (usereye4 #8).
. "$(dirname "$0")/lib.sh"
require_env
M=$MNT/sys/devices/system/memory

start_pinned_dimm
timeout 60 "$HMCTL" -s "$CTL" -t 1 offline 33 >"$TMP/out" 2>"$TMP/err"
is "$?" 1 "-t 1 offline 33: -t ran out, exit 1"
is "$(cat "$TMP/out" "$TMP/err")" \
	'hotmemctl: memory33: offline still under way after 1 s (-t 1): interrupted as hotmemctl leaves (EINTR), memory33 stays online -- unless it was done, its reply waiting for its uevents (`hotmemctl status` says); `hotmemctl explain 33` says what does not move' \
	"... saying the offline is interrupted as hotmemctl leaves, the block stays online"
# what it says holds: hotmemfs ends the offline at the hang-up (bounded wait)
# 6.12's line, then hotmemfs's once the offline has returned
backoff() {
	ctl dmesg >"$TMP/dmesg"
	grep -q "memory offlining \[mem 0x108000000-0x10fffffff\] failed due to signal backoff" "$TMP/dmesg" &&
		grep -q "hotmem: memory33: offline failed (EINTR)" "$TMP/dmesg"
}
for _ in $(seq 200); do backoff && break; sleep 0.1; done
backoff
tap_ok $? "hotmemfs ended the offline at the hang-up: 6.12's 'failed due to signal backoff'"
is "$(cat "$M/memory33/state")" online "... memory33 online, as said"

# an online waiting behind that looping offline (the change lock): interrupted, not done
echo offline >"$M/memory35/state"
timeout 60 "$HMCTL" -s "$CTL" -t 4 offline 33 >/dev/null 2>&1 &
looping=$!
for _ in $(seq 200); do [ "$(cat "$M/memory33/state")" = going-offline ] && break; sleep 0.1; done
is "$(cat "$M/memory33/state")" going-offline "memory33's offline loops again"
timeout 60 "$HMCTL" -s "$CTL" -t 1 online 35 >"$TMP/out" 2>"$TMP/err"
is "$?" 1 "-t 1 online 35 behind it: -t ran out, exit 1"
is "$(cat "$TMP/out" "$TMP/err")" \
	"hotmemctl: memory35: online still under way after 1 s (-t 1): hotmemctl's leaving interrupts it only while it waits for another change (EINTR, memory35 stays offline); \`hotmemctl status\` says which" \
	"... saying when its leaving interrupts an online"
wait_exit "$looping" 60
is "$(cat "$M/memory35/state") $(cat "$M/memory33/state")" "offline online" \
	"... memory35 left offline once the offline ahead of it gave up"
ctl check >/dev/null
tap_ok $? "invariants hold"
stop_fs
done_testing
