#!/bin/bash
# A DIMM block's memoryN/ listed between the block's ADD and the DIMM's
# binding (6.12 acpi_memory_enable_device(): __add_memory(), then
# acpi_bind_memory_blocks(); hotmemfs binds once the notifier has sent the
# ADDs, bc9f32fd) lists firmware_node once the binding is made.  hotmemfs
# keeps a block directory's sorted listing (tree.c kf_head_get()) and
# served the one read before the binding without firmware_node from then
# on: the link there (readlink worked), not in the listing.  Before the
# fix checks 14 and 15 failed.
#
# Deterministic, with the notifier held by a reader (tests/fusefs/uffd_hold.py):
# DIMM d0's REMOVE waits for node0/'s lock, which the reader holds, so the
# ADDs and the binding of DIMM d1, added after, wait behind it: d1's blocks
# are there, unbound, and are listed then; the reader lets go.
. "$(dirname "$0")/lib.sh"
require_env
require_uffd
M=$MNT/sys/devices/system/memory
N=$MNT/sys/devices/system/node
# d1's blocks (128 MiB blocks: 0x200000000 is memory64)
B="64 65"

mount_fs "hotmemfs mounts" --state none
removal_holds_notifier n0 addr=0x100000000
timeout 120 "$HMCTL" -s "$CTL" device_add pc-dimm id=d1 size=256M addr=0x200000000 \
	>/dev/null 2>"$TMP/add.err" &
ADD=$!

# there: d1's blocks there, by name (memory/'s lock is free: d0's name in
# it was invalidated before node0/'s)
there() {
	local b
	for b in $B; do [ -d "$M/memory$b" ] || return 1; done
}
for _ in $(seq 1200); do there && break; sleep 0.05; done
there
tap_ok $? "d1 added: memory${B// /, memory} there, the notifier still held"
for b in $B; do
	! ls "$M/memory$b" | grep -qx firmware_node
	tap_ok $? "memory$b/ listed before the binding: no firmware_node yet" ||
		diag "memory$b/: $(ls "$M/memory$b" | paste -sd' ' -)"
done
holder_release
tap_ok $? "the reader let go: $(cat "$TMP/n0.out")"
wait_exit "$DEL" 60
tap_ok $? "device_del d0 is done: $(cat "$TMP/del.err")"
wait_exit "$ADD" 60
tap_ok $? "device_add d1 is done: $(cat "$TMP/add.err")"
ctl settle --timeout 60 >/dev/null
tap_ok $? "settled: the binding is made"
for b in $B; do
	[ -L "$M/memory$b/firmware_node" ]
	tap_ok $? "memory$b/firmware_node is there"
done
for b in $B; do
	ls "$M/memory$b" | grep -qx firmware_node
	tap_ok $? "memory$b/ lists its firmware_node once bound" ||
		diag "memory$b/: $(ls "$M/memory$b" | paste -sd' ' -)"
done
ctl check >/dev/null
tap_ok $? "invariants hold"
done_testing
