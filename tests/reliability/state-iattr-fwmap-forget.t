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
need_tool gdb gdb
FW=$MNT/sys/firmware/memmap
start_fs_netns "${STATE_OPTS[@]}" --fresh
rc=$?
nr_iattr_start
n0=$N0
tap_ok $rc "hotmemfs mounts qemu-512m with a fresh state file"
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
