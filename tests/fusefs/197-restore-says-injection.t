#!/bin/bash
# A memory-notifier injection (hotmemctl inject) survives a restart on the
# state file -- the kernel's debugfs values never outlive a boot, hotmem
# keeps them -- and every offline then failed EBUSY with nothing at the
# start saying why (usereye8 5i).  The restore line now names it and how
# to clear it; a machine without one keeps the line as it was.  The line
# also says what became of the kernel's own allocations: back at their
# pages (usereye9 F1; tests/reliability/state-kmem.t).
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
[[ "$line" == *"; workload allocations (hotmemctl alloc) are not saved; the kernel's own allocations (slab, page tables, pagesets) are back at their pages; notifier-error-inject restored: MEM_GOING_OFFLINE -16 (what it names fails until \`hotmemctl inject ACTION 0\`)" ]]
tap_ok $? "the restore line names the injection brought back and how to clear it"
ctl inject MEM_GOING_OFFLINE 0 >/dev/null
tap_ok $? "inject MEM_GOING_OFFLINE 0"
stop_fs
start_fs
tap_ok $? "hotmemfs mounts again"
line=$(grep "restored the machine from" "$TMP/hotmemfs.log" | tail -1)
[[ "$line" == *"; workload allocations (hotmemctl alloc) are not saved; the kernel's own allocations (slab, page tables, pagesets) are back at their pages" ]]
tap_ok $? "... none brought back: the line ends as before"
# usereye9 F1: a Normal block that refused offline (73 kernel pages)
# offlined after a kill -9 and restore, the kernel's pages made anew
# elsewhere, and the line said only that workload allocations are not saved
[[ "$line" == *"the kernel's own allocations (slab, page tables, pagesets) are back at their pages"* ]]
tap_ok $? "the restore line says the kernel's own allocations are back at their pages"
stop_fs
done_testing
