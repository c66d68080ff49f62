#!/bin/bash
# An admin offlines memory16 (before an unplug): hotmemd hears its
# OFFLINE and records it in state_dir/offlined with the boot's boot_id.
# A restart -- what the give-up line advises to retry a block hotmemd
# gave up on -- leaves memory16 offline and still onlines the block added
# while it was down; memory17, offlined and onlined again, is no longer
# recorded.  The restart's coldplug onlined every offline block, the
# admin's memory16 too (reread36 R9).  A record of another boot (the
# sysroot's boot_id changed: a reboot) is ignored.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_built "$UEVENT_SEND"

sock_machine 1b2c3d4e-0000-4000-8000-000000000001
send() { "$UEVENT_SEND" --unix "$sock" --seq "$1" "$2" "$3"; }
# status N LOG PID: its Nth SIGUSR1 status said (what came before is done)
status() {
	kill -USR1 "$3"
	wait_for 10 sh -c '[ "$(grep -c "status: .*blocks present" "$1")" -ge "$2" ]' _ "$2" "$1"
}

sock_start 1 --log-level debug
check "hotmemd 1 ready" wait_for 10 ready 1
# the admin offlines memory16 and memory17, then onlines memory17 again
admin_offline 16
admin_offline 17
send 1 offline 16
send 2 offline 17
echo online >"$mem/memory17/state"
echo Movable >"$mem/memory17/valid_zones"
send 3 online 17
check "hotmemd 1 heard them" status 1 "$TMP/1.log" "$pid1"
is "$(sed -n 2p "$SOCK_STATE/offlined")" 16 "state_dir/offlined names memory16 alone"
is "$(sed -n 1p "$SOCK_STATE/offlined")" \
	"boot_id 1b2c3d4e-0000-4000-8000-000000000001 sysroot $root" "... of this boot and sysroot"
kill "$pid1"
wait_exit "$pid1" 10
# added while hotmemd was down
mk_block "$root" 18 offline "Normal Movable"

sock_start 2 --log-level debug
check "hotmemd 2 ready" wait_for 10 ready 2
is "$(state "$root" 16)" offline "the restart leaves memory16, the admin's offline, offline"
check "... and says so" grep -q \
	"memory16: offlined by someone else this boot ($SOCK_STATE/offlined): left offline" "$TMP/2.log"
is "$(state "$root" 18)" online "... and onlines memory18, added while it was down"
is "$(state "$root" 17)" online "... memory17, onlined again, is online"
kill "$pid2"
wait_exit "$pid2" 10

# a reboot: the record is another boot's
set_boot_id "$root" 1b2c3d4e-0000-4000-8000-000000000002
sock_start 3 --log-level debug
check "hotmemd 3 ready" wait_for 10 ready 3
check "... the record of another boot is said ignored" \
	grep -q "$SOCK_STATE/offlined is of another boot or sysroot" "$TMP/3.log"
is "$(state "$root" 16)" online "... and memory16 is onlined as any offline block"
grep -h "memory1[678]\|offlined" "$TMP"/[123].log | sed 's/^/# log: /'
done_testing
