#!/bin/bash
# A memory-notifier injection (hotmemctl inject) survives a restart on the
# state file -- the kernel's debugfs values never outlive a boot, hotmem
# keeps them -- and every offline then failed EBUSY with nothing at the
# start saying why (usereye8 5i).  The restore line now names it and how
# to clear it; a machine without one keeps the line as it was.
. "$(dirname "$0")/lib.sh"
set -u
require_env

start_fs
tap_ok $? "hotmemfs mounts on a private state file"
ctl inject MEM_GOING_OFFLINE -16 >/dev/null
tap_ok $? "inject MEM_GOING_OFFLINE -16"
stop_fs
start_fs
tap_ok $? "hotmemfs mounts again on its state file"
line=$(grep "restored the machine from" "$TMP/hotmemfs.log" | tail -1)
echo "# $line"
[[ "$line" == *"; workload allocations (hotmemctl alloc) are not saved; notifier-error-inject restored: MEM_GOING_OFFLINE -16 (what it names fails until \`hotmemctl inject ACTION 0\`)" ]]
tap_ok $? "the restore line names the injection brought back and how to clear it"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
tap_ok $? "inject MEM_GOING_OFFLINE 0"
stop_fs
start_fs
tap_ok $? "hotmemfs mounts again"
line=$(grep "restored the machine from" "$TMP/hotmemfs.log" | tail -1)
[[ "$line" == *"; workload allocations (hotmemctl alloc) are not saved" ]]
tap_ok $? "... none brought back: the line ends as before"
stop_fs
done_testing
