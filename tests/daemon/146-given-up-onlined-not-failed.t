#!/bin/bash
# A block hotmemd gave up on (notifier-error-inject's MEM_GOING_ONLINE
# -ENOMEM, as 87), then onlined by the admin as the give-up line advises
# ("... or a write of memory32/state"): STATUS= and SIGUSR1's status say
# 0 failed, and a reload keeps saying so.  It stayed "1 failed" for
# hotmemd's life (reread36 R1): an alarm on STATUS='s failed never cleared.
. "$(dirname "$0")/lib.sh"
need_hotmemd
need_hotmemfs_in_netns "$@"
fs_paths
err=$mnt/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
mount_hotmemfs "$mnt" "$ctl" "$sock"
hotmemd_on_sock --policy online_movable --log-level debug
inject() { "$CTL" -s "$ctl" inject MEM_GOING_ONLINE "$1" >/dev/null; }
check "hotmemctl inject MEM_GOING_ONLINE -12" inject -12
check "plug a DIMM" plug 1 1
check "hotmemd gives up its online" wait_for 10 grep -q "memory32: gave up onlining" "$log"
# status N: SIGUSR1's Nth status said (the loop's answer: all before it is done)
status() {
	kill -USR1 "$dpid"
	wait_for 10 sh -c '[ "$(grep -c "status: .*blocks present" "$1")" -ge "$2" ]' _ "$log" "$1"
}
check "SIGUSR1: status said" status 1
check "... it counts memory32 failed" grep -q "status: 8 blocks online, 0 movable, 1 failed" "$log"
echo 0 >"$err"
echo online_movable >"$mem/memory32/state"
is "$(cat "$mem/memory32/state")" online "the admin onlines memory32, as the give-up said"
check "hotmemd hears its ONLINE" wait_for 10 grep -q "memory32: uevent online" "$log"
check "SIGUSR1: status said again" status 2
check "... memory32 online and not failed" grep -q "status: 9 blocks online, 1 movable, 0 failed" "$log"
kill -HUP "$dpid"
check "reloaded" wait_for 10 grep -q "configuration reloaded" "$log"
check "SIGUSR1 after the reload" status 3
is "$(grep "status: .*blocks present" "$log" | tail -1 | sed 's/;.*//')" \
	"hotmemd: notice: status: 9 blocks online, 1 movable, 0 failed" "... still 0 failed"
grep "status: .*present" "$log" | sed 's/^/# log: /'
done_testing
