#!/bin/bash
# A DIMM's firmware/memmap/N goes with its memory (firmware_map_remove()
# in try_remove_memory(), 6.12): the entry's kobject and its iattrs, and
# entry numbers are never given again.  hotmemfs kept a chmod of
# memmap/N/type in its table for good (no owner: review7 D2), so its
# count of entries never came back to 0 and every stat took iattr_lock.
# The count is read with gdb from the running hotmemfs (the notifier
# thread's context); without gdb the test is skipped.
set -u
. "$(dirname "$0")/lib.sh"
require_env
command -v gdb >/dev/null || skip_all "no gdb"
FW=$MNT/sys/firmware/memmap
# nr_iattr: the running hotmemfs's count of entries (ctx->nr_iattr)
nr_iattr() {
	local ctx
	ctx=$(timeout 60 gdb -batch -p "$FS_PID" -ex 'thread apply all bt' 2>/dev/null |
		sed -n 's/.* notifier_main (arg=\(0x[0-9a-f]*\)).*/\1/p')
	[ -n "$ctx" ] || { echo "no-ctx"; return; }
	timeout 60 gdb -batch -p "$FS_PID" -ex "print ((struct hmfs_ctx *)$ctx)->nr_iattr" 2>/dev/null |
		sed -n 's/^\$1 = //p'
}
start_fs_netns "${STATE_OPTS[@]}" --fresh
tap_ok $? "hotmemfs mounts qemu-512m with a fresh state file"
n0=$(nr_iattr)
[ "$n0" = no-ctx ] || [ -z "$n0" ] && { diag "gdb cannot read hotmemfs's context"; stop_fs; done_testing; exit 0; }
diag "entries at start: $n0"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
tap_ok $? "d1 128M"
N=$(ls "$FW" | sort -n | tail -1)
chmod 600 "$FW/$N/type" && chmod 600 "$FW/$N/start"
tap_ok $? "chmod 600 memmap/$N/type and start"
is "$(nr_iattr)" $((n0 + 2)) "... two entries more"
ctl device_del d1 >/dev/null
tap_ok $? "device_del d1: memmap/$N removed"
is "$(nr_iattr)" "$n0" "... its entries forgotten with it"
ctl device_add pc-dimm id=d1 size=128M >/dev/null
M2=$(ls "$FW" | sort -n | tail -1)
is "$(stat -c %a "$FW/$M2/type")" 444 "d1 again: memmap/$M2/type has the kernel's 444"
kill9_fs
start_fs_netns "${STATE_OPTS[@]}"
tap_ok $? "restart after kill -9"
is "$(stat -c %a "$FW/$(ls "$FW" | sort -n | tail -1)/type")" 444 "... still 444"
stop_fs
done_testing
